//! The ledger commands: import, serve, users, tokens, units.

use crate::{Failure, TokenCommand, UnitsCommand, UserCommand, EXIT_BAD_INPUT, EXIT_DATABASE};
use duban_core::names::{RegionName, Role, UserName};
use duban_store::{Region, Store, StoreError};
use std::io::IsTerminal;

/// The actor recorded in the audit log for command-line changes.
pub(crate) fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub(crate) fn store_failure(e: StoreError) -> Failure {
    match e {
        StoreError::Db(_) | StoreError::Corrupt(_) | StoreError::Open(_) => {
            (EXIT_DATABASE, format!("错误 / error: {e}"))
        }
        other => (EXIT_BAD_INPUT, format!("错误 / error: {other}")),
    }
}

fn name_failure(e: duban_core::names::NameError) -> Failure {
    (EXIT_BAD_INPUT, format!("错误 / error: {e}"))
}

/// Opens an existing ledger (every command but `import`, which may start
/// one): a missing file is an error, not a new empty ledger.
pub(crate) async fn open(db: &str) -> Result<Store, Failure> {
    Store::open_existing(db).await.map_err(open_failure)
}

/// Opens the ledger, creating it when missing (`import`).
async fn open_or_create(db: &str) -> Result<Store, Failure> {
    Store::open(db).await.map_err(open_failure)
}

fn open_failure(e: StoreError) -> Failure {
    (
        EXIT_DATABASE,
        format!("错误：无法打开数据库：{e} / error: cannot open the database"),
    )
}

/// The named region, or the only one when no name is given.
async fn pick_region(store: &Store, name: Option<&str>) -> Result<Region, Failure> {
    match name {
        Some(n) => store.region(n).await.map_err(store_failure),
        None => {
            let regions = store.regions().await.map_err(store_failure)?;
            let leaves: Vec<&Region> = regions
                .iter()
                .filter(|r| {
                    !regions
                        .iter()
                        .any(|c| c.parent_id.as_deref() == Some(&r.id))
                })
                .collect();
            match leaves.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err((EXIT_BAD_INPUT, "错误：数据库里还没有区域，请先 duban import。/ error: no region yet; run `duban import` first.".into())),
                _ => Err((EXIT_BAD_INPUT, "错误：有多个区域，请用 --region 指定。/ error: several regions; use --region.".into())),
            }
        }
    }
}

pub async fn import(
    db: &str,
    plan: &duban_plan::Plan,
    region: &str,
    parent: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let name = RegionName::parse(region).map_err(name_failure)?;
    let parent = parent
        .map(RegionName::parse)
        .transpose()
        .map_err(name_failure)?;
    let store = open_or_create(db).await?;
    let region = store
        .ensure_region(&name, parent.as_ref(), &actor())
        .await
        .map_err(store_failure)?;
    let report = store
        .import(&region, plan, &actor())
        .await
        .map_err(store_failure)?;
    if json {
        say!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serialises")
        );
        return Ok(());
    }
    if report.already_imported {
        say!("该文件已导入过（第 {} 版），台账没有变化。/ Already imported (version {}); nothing changed.", report.version, report.version);
        return Ok(());
    }
    say!(
        "已导入到 {}（文件第 {} 版）/ imported into {} (version {})",
        report.region,
        report.version,
        report.region,
        report.version
    );
    say!(
        "  方案 {}，任务 {}，目标值 {}，工作专班 {} / plans, tasks, targets, task forces",
        report.plans,
        report.tasks,
        report.targets,
        report.task_forces
    );
    say!(
        "  单位：已有 {}，新建 {}，疑似别名待复核 {} / units: matched, new, suggested",
        report.units_matched,
        report.units_new,
        report.units_suggested
    );
    if report.version > 1 {
        say!(
            "  修订差异：新增 {}，删除 {}，改写 {}，改派 {} / diff: added, removed, reworded, reassigned",
            report.added, report.removed, report.reworded, report.reassigned
        );
        for c in &report.changes {
            let kind = serde_json::to_value(c.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            say!("    {kind:<24} {}", c.title);
        }
    }
    Ok(())
}

pub async fn serve(db: &str, listen: &str, options: duban_web::Options) -> Result<(), Failure> {
    serve_store(open(db).await?, listen, options).await
}

pub async fn serve_store(
    store: Store,
    listen: &str,
    options: duban_web::Options,
) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        (
            EXIT_BAD_INPUT,
            format!("错误：无法监听 {listen}（{e}）。/ error: cannot listen on {listen}: {e}"),
        )
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| (EXIT_BAD_INPUT, e.to_string()))?;
    say!("duban 正在监听 http://{addr}（Ctrl-C 停止）/ listening on http://{addr}");
    if let Some(d) = options.today {
        say!("演示日期 / serving as if today were {d}");
    }
    say!("在浏览器中打开 / open in a browser: http://{addr}/login");
    duban_web::serve(listener, store, options)
        .await
        .map_err(|e| (EXIT_DATABASE, format!("错误 / error: {e}")))
}

/// A password from the first line of stdin (`--password-stdin`), from a
/// terminal prompt, or none (a token-only account) when neither is there.
/// Never from an argument: arguments show in `ps` (issue 7, item 8).
fn read_password(from_stdin: bool, prompt: &str) -> Result<Option<String>, Failure> {
    let cannot = |e: std::io::Error| {
        (
            EXIT_BAD_INPUT,
            format!("错误：无法读取密码（{e}）/ error: cannot read the password"),
        )
    };
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(cannot)?;
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            return Err((
                EXIT_BAD_INPUT,
                "错误：标准输入里没有密码。/ error: no password on stdin.".into(),
            ));
        }
        return Ok(Some(line));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt).map(Some).map_err(cannot);
    }
    Ok(None)
}

pub async fn user(db: &str, cmd: UserCommand) -> Result<(), Failure> {
    let store = open(db).await?;
    match cmd {
        UserCommand::Add {
            name,
            role,
            region,
            unit,
            campaign,
            password_stdin,
        } => {
            let name = UserName::parse(&name).map_err(name_failure)?;
            let role = Role::parse(&role).map_err(name_failure)?;
            let password = read_password(password_stdin, "密码 / password: ")?;
            let region = pick_region(&store, region.as_deref()).await?;
            let user = store
                .add_user(
                    &region.id,
                    duban_store::NewUser {
                        name,
                        role,
                        unit,
                        campaign,
                        password,
                    },
                    &actor(),
                )
                .await
                .map_err(store_failure)?;
            say!(
                "已新增用户 {}（{}，{}）/ user added",
                user.name,
                user.role.as_str(),
                region.name
            );
        }
        UserCommand::List => {
            let regions = store.regions().await.map_err(store_failure)?;
            for (u, disabled) in store.users(None).await.map_err(store_failure)? {
                let region = regions
                    .iter()
                    .find(|r| r.id == u.region_id)
                    .map(|r| r.name.as_str())
                    .unwrap_or("");
                say!(
                    "{}\t{}\t{region}\t{}",
                    u.name,
                    u.role.as_str(),
                    if disabled {
                        "已停用 disabled"
                    } else {
                        "启用 enabled"
                    }
                );
            }
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let password = read_password(password_stdin, "新密码 / new password: ")?.ok_or((
                EXIT_BAD_INPUT,
                "错误：请在终端输入新密码，或用 --password-stdin。/ error: give the new password on a terminal or with --password-stdin.".to_string(),
            ))?;
            let user = store
                .set_password(&name, &password, &actor())
                .await
                .map_err(store_failure)?;
            say!("已修改 {} 的密码 / password changed", user.name);
        }
        UserCommand::Disable { name } => {
            let user = store
                .set_user_disabled(&name, true, &actor())
                .await
                .map_err(store_failure)?;
            say!(
                "已停用用户 {}，其令牌和密码已失效 / user disabled",
                user.name
            );
        }
        UserCommand::Enable { name } => {
            let user = store
                .set_user_disabled(&name, false, &actor())
                .await
                .map_err(store_failure)?;
            say!("已启用用户 {} / user enabled", user.name);
        }
    }
    Ok(())
}

pub async fn token(db: &str, cmd: TokenCommand) -> Result<(), Failure> {
    let store = open(db).await?;
    match cmd {
        TokenCommand::Create {
            name,
            expires_in_days,
        } => {
            let (user, token) = store
                .create_token_expiring(&name, expires_in_days, &actor())
                .await
                .map_err(store_failure)?;
            say!(
                "已为 {} 创建令牌（只显示这一次）/ token for {} (shown once): {token}",
                user.name,
                user.name
            );
        }
        TokenCommand::List { name } => {
            for t in store.tokens(name.as_deref()).await.map_err(store_failure)? {
                let state = match (&t.revoked_at, &t.expires_at) {
                    (Some(at), _) => format!("已吊销 revoked {at}"),
                    (None, Some(at)) => format!("到期 expires {at}"),
                    (None, None) => "长期有效 no expiry".to_string(),
                };
                say!(
                    "{}\t{}\t创建 created {}\t{state}",
                    t.id,
                    t.user,
                    t.created_at
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let t = store
                .revoke_token(&id, &actor())
                .await
                .map_err(store_failure)?;
            say!("已吊销 {} 的令牌 {} / token revoked", t.user, t.id);
        }
    }
    Ok(())
}

pub async fn backup(db: &str, output: &std::path::Path) -> Result<(), Failure> {
    let store = open(db).await?;
    store.backup(output).await.map_err(store_failure)?;
    say!(
        "已备份到 {} / backed up to {}",
        output.display(),
        output.display()
    );
    Ok(())
}

pub async fn restore(db: &str, file: &std::path::Path, replace: bool) -> Result<(), Failure> {
    Store::restore(file, db, replace)
        .await
        .map_err(store_failure)?;
    // Open it once: the integrity check and any newer migrations run now.
    open(db).await?;
    say!(
        "已从 {} 恢复台账 / ledger restored from {}",
        file.display(),
        file.display()
    );
    Ok(())
}

pub async fn units(db: &str, cmd: UnitsCommand) -> Result<(), Failure> {
    let store = open(db).await?;
    match cmd {
        UnitsCommand::List { region, review } => {
            let region = pick_region(&store, region.as_deref()).await?;
            for u in store.units(&region.id).await.map_err(store_failure)? {
                if review && u.review.is_none() {
                    continue;
                }
                let mut line = format!("{}\t{}", u.name, u.kind);
                if !u.aliases.is_empty() {
                    line.push_str(&format!("\t别名 aliases: {}", u.aliases.join("、")));
                }
                if let Some(s) = &u.suggested {
                    line.push_str(&format!(
                        "\t疑似 {}（{:.1}）/ suggested: duban units merge {} {}",
                        s.name, s.confidence, u.name, s.name
                    ));
                } else if u.review.is_some() {
                    line.push_str("\t新单位，待复核 / new, to review");
                }
                say!("{line}");
            }
            Ok(())
        }
        UnitsCommand::Merge { from, into, region } => {
            let region = pick_region(&store, region.as_deref()).await?;
            let r = store
                .merge_units(&region.id, &from, &into, &actor())
                .await
                .map_err(store_failure)?;
            say!(
                "已将“{}”合并为“{}”的别名：改挂任务分工 {} 处、专班成员 {} 处、清单 {} 项。/ merged; assignments, members and list items re-pointed.",
                r.from, r.into, r.assignments_moved, r.members_moved, r.list_items_moved
            );
            Ok(())
        }
    }
}

pub async fn remind(db: &str, today: Option<&str>) -> Result<(), Failure> {
    let today = match today {
        Some(t) => duban_core::dates::Date::parse(t).ok_or_else(|| {
            (
                EXIT_BAD_INPUT,
                format!("错误：日期应为 YYYY-MM-DD：{t} / error: dates are YYYY-MM-DD"),
            )
        })?,
        None => duban_web::today(),
    };
    let store = open(db).await?;
    let channels = duban_web::notify::Channels::from_env();
    for region in store.regions().await.map_err(store_failure)? {
        // A region whose data cannot be read is reported below by the
        // round; the other regions are still listed and reminded.
        for r in store.reminders(&region.id, today).await.unwrap_or_default() {
            let label = if r.kind == "overdue" {
                "催办"
            } else {
                "临近提醒"
            };
            say!(
                "{}\t{label}\t{}\t攻坚{}\t截止 {}\t未报 {} 项",
                region.name,
                r.unit,
                r.plan,
                r.due_on,
                r.tasks.len()
            );
        }
    }
    let s = duban_web::notify::run_once(&store, &channels, today)
        .await
        .map_err(store_failure)?;
    for (region, e) in &s.region_errors {
        eprintln!("错误：{region} 的提醒未能生成：{e} / error: reminders failed for this region");
    }
    if channels.names().is_empty() {
        say!("共 {} 条提醒；未配置发送渠道（DUBAN_WEBHOOK_URL 或 DUBAN_SMTP_*），只列出不发送。/ {} reminders; no channel configured.", s.reminders, s.reminders);
    } else {
        say!("共 {} 条提醒，新排队 {}，已发送 {}，失败 {}（失败的会按退避时间重试）。/ reminders, queued, delivered, failed.", s.reminders, s.queued, s.delivered, s.failed);
    }
    if !s.region_errors.is_empty() {
        return Err((
            EXIT_DATABASE,
            format!(
                "错误：{} 个区域的数据有误，其余区域已处理。/ error: {} region(s) have invalid data; the others were processed.",
                s.region_errors.len(),
                s.region_errors.len()
            ),
        ));
    }
    Ok(())
}
