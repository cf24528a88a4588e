//! The ledger commands: import, serve, users, tokens, units.

use crate::{Failure, TokenCommand, UnitsCommand, UserCommand, EXIT_BAD_INPUT, EXIT_DATABASE};
use duban_core::names::{RegionName, Role, UserName};
use duban_store::{Region, Store, StoreError};
use std::io::IsTerminal;

/// The actor recorded in the audit log for command-line changes.
fn actor() -> String {
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

fn store_failure(e: StoreError) -> Failure {
    match e {
        StoreError::Db(_) => (EXIT_DATABASE, format!("错误 / error: {e}")),
        other => (EXIT_BAD_INPUT, format!("错误 / error: {other}")),
    }
}

fn name_failure(e: duban_core::names::NameError) -> Failure {
    (EXIT_BAD_INPUT, format!("错误 / error: {e}"))
}

async fn open(db: &str) -> Result<Store, Failure> {
    Store::open(db).await.map_err(|e| {
        (
            EXIT_DATABASE,
            format!("错误：无法打开数据库 {db}：{e} / error: cannot open the database"),
        )
    })
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
    let store = open(db).await?;
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

pub async fn user(db: &str, cmd: UserCommand) -> Result<(), Failure> {
    let UserCommand::Add {
        name,
        role,
        region,
        unit,
        campaign,
        password,
    } = cmd;
    let name = UserName::parse(&name).map_err(name_failure)?;
    let role = Role::parse(&role).map_err(name_failure)?;
    let password = match password {
        Some(p) => Some(p),
        None if std::io::stdin().is_terminal() => Some(
            rpassword::prompt_password("密码 / password: ").map_err(|e| {
                (
                    EXIT_BAD_INPUT,
                    format!("错误：无法读取密码（{e}）/ error: cannot read the password"),
                )
            })?,
        ),
        // Not on a terminal and no --password: a token-only account.
        None => None,
    };
    let store = open(db).await?;
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
    Ok(())
}

pub async fn token(db: &str, cmd: TokenCommand) -> Result<(), Failure> {
    let TokenCommand::Create { name } = cmd;
    let store = open(db).await?;
    let (user, token) = store
        .create_token(&name, &actor())
        .await
        .map_err(store_failure)?;
    say!(
        "已为 {} 创建令牌（只显示这一次）/ token for {} (shown once): {token}",
        user.name,
        user.name
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
        for r in store
            .reminders(&region.id, today)
            .await
            .map_err(store_failure)?
        {
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
    if channels.names().is_empty() {
        say!("共 {} 条提醒；未配置发送渠道（DUBAN_WEBHOOK_URL 或 DUBAN_SMTP_*），只列出不发送。/ {} reminders; no channel configured.", s.reminders, s.reminders);
    } else {
        say!("共 {} 条提醒，新排队 {}，已发送 {}，失败 {}（失败的会按退避时间重试）。/ reminders, queued, delivered, failed.", s.reminders, s.queued, s.delivered, s.failed);
    }
    Ok(())
}
