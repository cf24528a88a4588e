//! 审计: the region's audit log, newest first, filtered by user, action or
//! entity, and date range, fifty entries a page. The page is the
//! coordination group's (guarded with `ManageUsers`: it shows every sign-in
//! and every account change); the API's `GET …/audit` stays as it is.

use super::super::{encode_component, html, Chrome, PageError, Viewer};
use super::{guard, with_status};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use duban_core::dates::Date;
use duban_core::policy::Action;
use duban_store::AuditQuery;

const PER_PAGE: i64 = 50;

/// Common actions and how the page names them; others are shown as stored.
const ACTIONS: &[(&str, &str)] = &[
    ("login.success", "登录"),
    ("login.failed", "登录失败"),
    ("login.throttled", "登录被限制"),
    ("logout", "退出"),
    ("user.create", "创建账号"),
    ("user.update", "修改角色/单位"),
    ("user.password", "修改密码"),
    ("user.disable", "停用账号"),
    ("user.enable", "启用账号"),
    ("user.sessions_end", "结束会话"),
    ("user.token", "生成令牌"),
    ("token.revoke", "吊销令牌"),
    ("document.import", "导入方案"),
    ("import.upload", "上传方案"),
    ("import.confirm", "确认导入"),
    ("import.cancel", "取消导入"),
    ("task.create", "新增任务"),
    ("task.reword", "改写任务"),
    ("task.reassign", "调整责任单位"),
    ("task.remove", "删除任务"),
    ("unit.create", "新增单位"),
    ("unit.alias", "添加别名"),
    ("unit.merge", "合并单位"),
    ("unit.review", "复核单位"),
    ("holiday.add", "添加节假日"),
    ("holiday.remove", "删除节假日"),
];

pub struct EntryLine {
    at: String,
    actor: String,
    action: String,
    label: &'static str,
    entity: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    chrome: Chrome,
    region_id: String,
    entries: Vec<EntryLine>,
    actor: String,
    action: String,
    from: String,
    to: String,
    page: i64,
    prev: String,
    next: String,
    actions: &'static [(&'static str, &'static str)],
    error: String,
}

#[derive(serde::Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<i64>,
}

/// A JSON value shortened for a table cell.
fn brief(v: &Option<serde_json::Value>) -> String {
    let s = v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}

/// `GET /r/{region}/admin/audit?actor=&action=&from=&to=&page=`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Query(p): Query<AuditParams>,
) -> Result<Response, PageError> {
    let region = guard(&state, &viewer, &region_key, Action::ManageUsers).await?;
    let mut errors = Vec::new();
    let mut day = |s: &str, what: &str| match s.trim() {
        "" => None,
        d => Date::parse(d).or_else(|| {
            errors.push(format!("{what}应写成 年-月-日。/ {what}: YYYY-MM-DD."));
            None
        }),
    };
    let query = AuditQuery {
        actor: p.actor.trim().to_string(),
        action: p.action.trim().to_string(),
        from: day(&p.from, "开始日期"),
        to: day(&p.to, "结束日期"),
    };
    let page = p.page.unwrap_or(1).clamp(1, 100_000);
    let (entries, more) = state
        .store
        .audit_search(&region.id, &query, (page - 1) * PER_PAGE, PER_PAGE)
        .await?;
    let link = |n: i64| {
        format!(
            "/r/{}/admin/audit?actor={}&action={}&from={}&to={}&page={n}",
            region.id,
            encode_component(&query.actor),
            encode_component(&query.action),
            encode_component(p.from.trim()),
            encode_component(p.to.trim()),
        )
    };
    let view = AuditPage {
        chrome: Chrome::new(&state, &viewer, &region, "审计"),
        region_id: region.id.clone(),
        entries: entries
            .into_iter()
            .map(|e| EntryLine {
                label: ACTIONS
                    .iter()
                    .find(|(a, _)| *a == e.action)
                    .map(|(_, l)| *l)
                    .unwrap_or(""),
                detail: match (brief(&e.before), brief(&e.after)) {
                    (b, a) if b.is_empty() => a,
                    (b, a) if a.is_empty() => format!("原：{b}"),
                    (b, a) => format!("原：{b} → 新：{a}"),
                },
                at: e.at,
                actor: e.actor,
                action: e.action,
                entity: format!("{} {}", e.entity, e.entity_id),
            })
            .collect(),
        prev: if page > 1 {
            link(page - 1)
        } else {
            String::new()
        },
        next: if more { link(page + 1) } else { String::new() },
        actor: query.actor.clone(),
        action: query.action.clone(),
        from: p.from.trim().to_string(),
        to: p.to.trim().to_string(),
        page,
        actions: ACTIONS,
        error: errors.join(" "),
    };
    Ok(with_status(html(&view), &view.error))
}
