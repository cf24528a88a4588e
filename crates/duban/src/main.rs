//! duban 督办: the command-line entry point. Thin on purpose: it parses
//! arguments, calls the library crates, and maps errors to exit codes.

/// Prints a line to stdout; a closed pipe (`duban … | head`) is not an error.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

mod demo;
mod ledger;
mod office;
mod publish;
mod table;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes (documented in the README).
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_OUTPUT: u8 = 3;
pub const EXIT_DATABASE: u8 = 4;
/// The ledger's rules refuse the change now (the API's 409 `conflict`):
/// e.g. publishing a cycle that is still open.
pub const EXIT_REFUSED: u8 = 5;
pub const EXIT_INTERNAL: u8 = 70;

/// A failure: exit code and a message (Chinese, then English).
pub type Failure = (u8, String);

#[derive(Parser)]
#[command(
    name = "duban",
    version,
    about = "督办：把实施方案变成督办台账。/ duban: turns a government action plan into a supervision ledger."
)]
struct Cli {
    /// 数据库地址：sqlite://文件 或 postgres://…；默认数据目录下的 duban.db（demo 默认 demo.db）/ database URL (default: duban.db in the data directory; demo.db for demo)
    #[arg(long, global = true, env = "DUBAN_DATABASE_URL")]
    db: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 解析方案文件（txt/docx/pdf/html/md），输出任务、责任单位、时限、指标和工作专班。/ Parse a plan document into tasks, units, deadlines, targets and task forces.
    Parse {
        /// 方案文件路径 / path of the plan document
        file: PathBuf,
        /// 输出格式：json（默认）或 table（终端台账）/ output format
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
        /// 写入文件而不是标准输出 / write to this file instead of stdout
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// 导入方案到台账（重复导入不产生变化，修订版按差异更新）。/ Import a plan into the ledger (idempotent; a revision applies its diff).
    Import {
        /// 方案文件路径 / path of the plan document
        file: PathBuf,
        /// 所属区域，如 汨罗市 / the region (tenant), e.g. 汨罗市
        #[arg(long)]
        region: String,
        /// 上级区域，如 岳阳市 / the parent region
        #[arg(long)]
        parent: Option<String>,
        /// 以 JSON 输出导入报告 / print the import report as JSON
        #[arg(long)]
        json: bool,
    },
    /// 演示：把样例方案导入新的内置数据库，建立各角色账号，模拟一整年的调度，然后启动服务。/ Demo: import the sample plan into a fresh embedded database, add users, simulate a year of dispatch, then serve.
    Demo {
        /// 监听地址 / address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// 模拟完成后不启动服务 / do not serve after the simulation
        #[arg(long)]
        no_serve: bool,
    },
    /// 生成并发送一次临近提醒和催办（webhook / 邮件，见 README）。/ Queue and send due-soon and overdue reminders once.
    Remind {
        /// 按这一天计算（默认今天，北京时间）/ as of this date (default today, China time)
        #[arg(long)]
        today: Option<String>,
    },
    /// 启动服务（网页和 JSON API）。/ Serve the pages and the JSON API.
    Serve {
        /// 监听地址 / address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// 按这一天运行（培训、演示；每个页面显示“演示日期”）/ run as if today were this date (training, demo)
        #[arg(long)]
        today: Option<String>,
    },
    /// 备份内置数据库（SQLite 在线备份，服务运行中也一致）；PostgreSQL 用 pg_dump。/ Back up the embedded database (consistent while serving); use pg_dump for PostgreSQL.
    Backup {
        /// 备份文件（不能已存在）/ the backup file (must not exist)
        #[arg(long, short)]
        output: PathBuf,
    },
    /// 从备份恢复内置数据库（先停止服务）。/ Restore the embedded database from a backup (stop the server first).
    Restore {
        /// 备份文件 / the backup file
        file: PathBuf,
        /// 台账已存在时用备份替换它 / replace an existing ledger
        #[arg(long)]
        replace: bool,
    },
    /// 用户管理。/ Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// API 令牌。/ API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// 单位库：列表、待复核、合并。/ The units registry: list, review, merge.
    #[command(subcommand)]
    Units(UnitsCommand),
    /// 导出督办台账（XLSX：每个攻坚一张表，另有指标表和排名表）。/ Export the ledger as XLSX.
    Export {
        /// 区域 / the region
        #[arg(long)]
        region: String,
        /// 只导出这个攻坚（方案编号）/ only this campaign (plan number)
        #[arg(long)]
        plan: Option<i64>,
        /// 按这个调度周期（默认各攻坚最近一期）/ this cycle (default: each campaign's latest)
        #[arg(long)]
        cycle: Option<String>,
        /// 按这一天计算（默认今天）/ as of this date (default today)
        #[arg(long)]
        today: Option<String>,
        /// 输出文件 / the output file (.xlsx)
        #[arg(long, short)]
        output: PathBuf,
    },
    /// 生成月度通报（公文格式 DOCX）。/ Write the monthly bulletin (通报) as DOCX.
    Bulletin {
        /// 区域 / the region
        #[arg(long)]
        region: String,
        /// 月份 YYYY-MM / the month
        #[arg(long)]
        month: Option<String>,
        /// 或按一个调度周期 / or one cycle
        #[arg(long)]
        cycle: Option<String>,
        /// 按这一天计算（默认今天）/ as of this date (default today)
        #[arg(long)]
        today: Option<String>,
        /// 输出文件 / the output file (.docx)
        #[arg(long, short)]
        output: PathBuf,
    },
    /// 查看或修改通报版头（发文机关、文号格式、落款）。/ Show or set the bulletin's header.
    BulletinSettings {
        /// 区域 / the region
        #[arg(long)]
        region: String,
        /// 发文机关标志（红色版头）/ the issuing organ
        #[arg(long)]
        organ: Option<String>,
        /// 文号格式，{year} 和 {n} 替换为年份和期数 / doc number pattern
        #[arg(long)]
        doc_number: Option<String>,
        /// 落款 / signature
        #[arg(long)]
        signature: Option<String>,
    },
    /// 生成一个单位一期的 Excel 填报表。/ Write a unit's fill-in form (XLSX) for a cycle.
    Template {
        /// 区域 / the region
        #[arg(long)]
        region: String,
        /// 填报单位 / the unit
        #[arg(long)]
        unit: String,
        /// 调度周期 id / the cycle
        #[arg(long)]
        cycle: String,
        /// 输出文件 / the output file (.xlsx)
        #[arg(long, short)]
        output: PathBuf,
    },
    /// 填报：导入填好的 Excel 填报表。/ Reports: import a filled-in form.
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// 信息公开：把已关闭的调度周期发布到公开页、撤回，或列出发布记录（--list）。/ Public disclosure: publish a closed cycle, withdraw it, or list publications.
    Publish {
        /// 区域 / the region
        #[arg(long)]
        region: String,
        /// 调度周期 id（--list 列出可发布的周期）/ the cycle id (see --list)
        #[arg(long, required_unless_present = "list")]
        cycle: Option<String>,
        /// 撤回而不是发布 / withdraw instead of publishing
        #[arg(long, requires = "cycle")]
        withdraw: bool,
        /// 列出发布记录和可发布的已关闭周期 / list publications and the closed cycles not published
        #[arg(long, conflicts_with_all = ["cycle", "withdraw"])]
        list: bool,
    },
}

#[derive(Subcommand)]
pub enum ReportsCommand {
    /// 导入填报表：逐行按接口相同的规则和权限检查，有任何一行被拒绝则整张表不保存。/ Import a filled form: all rows or none.
    Import {
        /// 填好的填报表 / the filled form (.xlsx)
        file: PathBuf,
        /// 区域 / the region
        #[arg(long)]
        region: String,
        /// 以这个用户的身份保存 / save as this user
        #[arg(long)]
        user: String,
        /// 按这一天保存（演示、培训）/ as of this date
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// 新增用户。/ Add a user.
    Add {
        /// 登录名 / login name
        name: String,
        /// 角色：admin（综合协调组）、office（专班办公室）、reporter（填报单位）、leader（领导，只读）/ role
        #[arg(long)]
        role: String,
        /// 所属区域（只有一个区域时可省略）/ region (optional when there is only one)
        #[arg(long)]
        region: Option<String>,
        /// 填报单位（reporter 必填）/ the unit a reporter reports for
        #[arg(long)]
        unit: Option<String>,
        /// 攻坚（方案编号，office 必填）/ the campaign (plan number) an office runs
        #[arg(long)]
        campaign: Option<u32>,
        /// 从标准输入读取密码（第一行），而不是在终端提示；密码从不作为参数传入，以免出现在 ps 里 / read the password from the first line of stdin instead of a terminal prompt (never an argument: it would show in `ps`)
        #[arg(long)]
        password_stdin: bool,
    },
    /// 列出用户（含是否停用）。/ List users and whether they are disabled.
    List,
    /// 修改密码（终端提示，或 --password-stdin）。/ Change a password (prompted, or --password-stdin).
    Passwd {
        /// 登录名 / login name
        name: String,
        /// 从标准输入读取新密码 / read the new password from stdin
        #[arg(long)]
        password_stdin: bool,
    },
    /// 停用用户：其令牌和密码立即失效，历史记录保留。/ Disable a user: tokens and password stop working at once.
    Disable {
        /// 登录名 / login name
        name: String,
    },
    /// 重新启用用户。/ Enable a disabled user again.
    Enable {
        /// 登录名 / login name
        name: String,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// 为用户创建 API 令牌（输出的最后一个词就是令牌）。/ Create an API token; the token is the last word printed.
    Create {
        /// 登录名 / login name
        name: String,
        /// 有效天数（1–366）；省略则长期有效，直到吊销 / days until it expires (1–366); without it, until revoked
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// 列出令牌（编号、所属用户、创建、到期、吊销时间；不显示令牌本身）。/ List tokens (never the token itself).
    List {
        /// 只列出这个用户的 / only this user's
        name: Option<String>,
    },
    /// 吊销令牌（编号见 token list），立即失效。/ Revoke a token by its id; it stops working at once.
    Revoke {
        /// 令牌编号 / token id
        id: String,
    },
}

#[derive(Subcommand)]
pub enum UnitsCommand {
    /// 列出单位（含别名和待复核的建议）。/ List units with aliases and suggestions.
    List {
        /// 区域（只有一个区域时可省略）/ region (optional when there is only one)
        #[arg(long)]
        region: Option<String>,
        /// 只列出导入时新建、待复核的单位 / only units awaiting review
        #[arg(long)]
        review: bool,
    },
    /// 把单位 A 合并为单位 B 的别名，并改挂所有任务。/ Make unit A an alias of unit B and re-point everything.
    Merge {
        /// 要并入的单位（合并后成为别名）/ the unit that becomes an alias
        from: String,
        /// 保留的规范单位 / the canonical unit that stays
        into: String,
        /// 区域（只有一个区域时可省略）/ region (optional when there is only one)
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Json,
    Table,
}

fn main() -> ExitCode {
    // Errors are reported by us, in Chinese and English; a panic is a bug,
    // reported once with its message and a distinct exit code.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("duban 内部错误，请报告此问题。/ duban internal error, please report it: {info}");
    }));
    let cli = Cli::parse();
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err((code, message))) => {
            eprintln!("{message}");
            ExitCode::from(code)
        }
        Err(_) => ExitCode::from(EXIT_INTERNAL),
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let db = cli
        .db
        .clone()
        .unwrap_or_else(duban_store::default_database_url);
    match cli.command {
        Command::Parse {
            file,
            format,
            output,
        } => {
            let plan = parse_file(&file)?;
            let rendered = match format {
                OutputFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&plan).expect("plan serialises");
                    s.push('\n');
                    s
                }
                OutputFormat::Table => table::render(&plan),
            };
            write_output(output.as_deref(), rendered.as_bytes())
        }
        Command::Import {
            file,
            region,
            parent,
            json,
        } => {
            let plan = parse_file(&file)?;
            ledger::runtime().block_on(ledger::import(&db, &plan, &region, parent.as_deref(), json))
        }
        Command::Serve { listen, today } => {
            let today = match today.as_deref().map(duban_core::dates::Date::parse) {
                None => None,
                Some(Some(d)) => Some(d),
                Some(None) => {
                    return Err((
                        EXIT_BAD_INPUT,
                        "错误：--today 应为 YYYY-MM-DD 格式的日期。/ error: --today must be a date, YYYY-MM-DD.".into(),
                    ))
                }
            };
            ledger::runtime().block_on(ledger::serve(&db, &listen, duban_web::Options { today }))
        }
        Command::Remind { today } => {
            ledger::runtime().block_on(ledger::remind(&db, today.as_deref()))
        }
        Command::Demo { listen, no_serve } => {
            ledger::runtime().block_on(demo::run(cli.db.clone(), &listen, !no_serve))
        }
        Command::Backup { output } => ledger::runtime().block_on(ledger::backup(&db, &output)),
        Command::Restore { file, replace } => {
            ledger::runtime().block_on(ledger::restore(&db, &file, replace))
        }
        Command::User(cmd) => ledger::runtime().block_on(ledger::user(&db, cmd)),
        Command::Token(cmd) => ledger::runtime().block_on(ledger::token(&db, cmd)),
        Command::Units(cmd) => ledger::runtime().block_on(ledger::units(&db, cmd)),
        Command::Export {
            region,
            plan,
            cycle,
            today,
            output,
        } => ledger::runtime().block_on(office::export(
            &db,
            &region,
            plan,
            cycle.as_deref(),
            today.as_deref(),
            &output,
        )),
        Command::Bulletin {
            region,
            month,
            cycle,
            today,
            output,
        } => ledger::runtime().block_on(office::bulletin(
            &db,
            &region,
            month.as_deref(),
            cycle.as_deref(),
            today.as_deref(),
            &output,
        )),
        Command::BulletinSettings {
            region,
            organ,
            doc_number,
            signature,
        } => {
            ledger::runtime().block_on(office::settings(&db, &region, organ, doc_number, signature))
        }
        Command::Template {
            region,
            unit,
            cycle,
            output,
        } => ledger::runtime().block_on(office::template(&db, &region, &unit, &cycle, &output)),
        Command::Reports(ReportsCommand::Import {
            file,
            region,
            user,
            today,
        }) => {
            ledger::runtime().block_on(office::import(&db, &file, &region, &user, today.as_deref()))
        }
        Command::Publish {
            region,
            cycle,
            withdraw,
            list: _,
        } => {
            let what = match (cycle.as_deref(), withdraw) {
                (Some(c), false) => publish::Act::Publish(c),
                (Some(c), true) => publish::Act::Withdraw(c),
                // clap requires --cycle unless --list.
                (None, _) => publish::Act::List,
            };
            ledger::runtime().block_on(publish::run(&db, &region, what))
        }
    }
}

fn parse_file(file: &std::path::Path) -> Result<duban_plan::Plan, Failure> {
    let bytes = read_input(file)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    duban_plan::parse(&bytes, &name).map_err(|e| {
        (
            EXIT_BAD_INPUT,
            format!("错误 / error: {}: {e}", file.display()),
        )
    })
}

fn read_input(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let cannot = |e: std::io::Error| {
        (
            EXIT_BAD_INPUT,
            format!(
                "错误：无法读取文件 {}（{e}）。/ error: cannot read {}: {e}",
                path.display(),
                path.display()
            ),
        )
    };
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.is_dir() {
        return Err((
            EXIT_BAD_INPUT,
            format!(
                "错误：{} 是目录，请给出文件。/ error: {} is a directory.",
                path.display(),
                path.display()
            ),
        ));
    }
    if meta.len() > duban_plan::MAX_INPUT_BYTES as u64 {
        let e = duban_plan::ParseError::TooLarge {
            size: meta.len() as usize,
            limit: duban_plan::MAX_INPUT_BYTES,
        };
        return Err((
            EXIT_BAD_INPUT,
            format!("错误 / error: {}: {e}", path.display()),
        ));
    }
    std::fs::read(path).map_err(cannot)
}

/// Writes atomically when writing to a file: a crash never leaves half a
/// ledger behind.
fn write_output(path: Option<&std::path::Path>, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |p: &std::path::Path, e: std::io::Error| {
        (
            EXIT_OUTPUT,
            format!(
                "错误：无法写入 {}（{e}）。/ error: cannot write {}: {e}",
                p.display(),
                p.display()
            ),
        )
    };
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(bytes).and_then(|_| out.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`duban parse x | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err((
                    EXIT_OUTPUT,
                    format!("错误：无法写出结果（{e}）。/ error: cannot write output: {e}"),
                )),
            }
        }
        Some(p) => {
            let tmp = p.with_extension("duban-tmp");
            let write = || -> std::io::Result<()> {
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
                std::fs::rename(&tmp, p)
            };
            write().map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                fail(p, e)
            })
        }
    }
}
