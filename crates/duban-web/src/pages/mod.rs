//! Server-rendered pages (Simplified Chinese) for the people who run a
//! plan: sign-in, the unit's workbench, the office's desk, the admin's
//! pages. In the spirit of miniflux: one small file per page, plain
//! compile-checked templates (askama), forms that work without JavaScript.
//!
//! Pages go through the same [`crate::auth::guard_for`] as the API, so a
//! page refuses exactly what the API refuses. Sessions live in the ledger
//! (`duban_store::sessions`); every state-changing form carries the
//! session's form token ([`Viewer::check_csrf`]).

mod account;
mod admin;
mod assets;
mod coordination;
mod cycles;
mod dashboard;
mod desk;
mod home;
mod lists;
mod login;
mod office;
pub mod public;
mod publish;
mod regions;
mod report;
pub mod supervision;
mod task;
mod workbench;

use crate::cache::SingleFlight;
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use duban_core::names::Role;
use duban_core::policy::Principal;
use duban_store::Region;
use serde::de::DeserializeOwned;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "duban_session";

/// Who may use a page route. Stated next to each route in [`specs`]; each
/// handler enforces it through [`crate::auth::guard_for`], and the page
/// authorisation matrix test (`tests/page_matrix.rs`) checks every route
/// against it for every role, so a page cannot be added without saying
/// who may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAccess {
    /// No session needed: the sign-in page, assets, `/`.
    Anyone,
    /// Any signed-in person, outside any region: the account page, sign-out.
    SignedIn,
    /// Anyone signed in to the region or a region above it.
    Read,
    /// Offices, the coordination group and leaders (not reporters): the desk.
    Staff,
    /// A report's page: its own unit's reporter, the lead unit's reporter
    /// for co-units, and every non-reporter of the region.
    ReportReader,
    /// A task's page: every non-reporter of the region, and the reporters
    /// of the units assigned to the task.
    TaskReader,
    /// Admin, the office of the object's campaign, or the object's unit.
    UnitOrCampaign,
    /// Admin, or the office of the object's campaign.
    Campaign,
    /// The coordination group (admin) and the offices (the 发布 page).
    AdminOrOffice,
    /// The coordination group (admin) only.
    Admin,
}

/// One page route: method, path and who may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRoute {
    pub method: &'static str,
    pub path: String,
    pub access: PageAccess,
}

pub(crate) struct Spec {
    method: &'static str,
    path: String,
    access: PageAccess,
    handler: axum::routing::MethodRouter<AppState>,
}

/// The page route table: the router and the matrix test both read it.
fn specs() -> Vec<Spec> {
    use PageAccess::*;
    let r = "/r/{region}";
    let s = |method, path: &str, access, handler| Spec {
        method,
        path: path.to_string(),
        access,
        handler,
    };
    let upload_limit =
        axum::extract::DefaultBodyLimit::max(duban_store::MAX_ATTACHMENT_BYTES + 64 * 1024);
    vec![
        s("get", "/", Anyone, get(home::home)),
        s("get", "/login", Anyone, get(login::form)),
        s("post", "/login", Anyone, post(login::submit)),
        s("get", "/assets/style.css", Anyone, get(assets::style)),
        s("get", "/assets/app.js", Anyone, get(assets::script)),
        s("post", "/logout", SignedIn, post(login::logout)),
        s("get", "/account", SignedIn, get(account::page)),
        s("get", "/public/{region}", Anyone, get(public::page)),
        s(
            "post",
            "/account/password",
            SignedIn,
            post(account::change_password),
        ),
        s("get", &format!("{r}/workbench"), Read, get(workbench::page)),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/submit-all"),
            UnitOrCampaign,
            post(workbench::submit_all),
        ),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/indicators/{{target}}"),
            UnitOrCampaign,
            post(workbench::save_indicator),
        ),
        s(
            "get",
            &format!("{r}/cycles/{{cycle}}/reports/{{task}}/{{unit}}"),
            ReportReader,
            get(report::form),
        ),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/reports/{{task}}/{{unit}}"),
            UnitOrCampaign,
            post(report::save),
        ),
        s(
            "get",
            &format!("{r}/cycles/{{cycle}}/reports/{{task}}/{{unit}}/history"),
            ReportReader,
            get(report::history),
        ),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/reports/{{task}}/{{unit}}/attachments"),
            UnitOrCampaign,
            post(report::upload).layer(upload_limit),
        ),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/reports/{{task}}/{{unit}}/review"),
            Campaign,
            post(desk::review),
        ),
        s(
            "get",
            &format!("{r}/attachments/{{id}}"),
            ReportReader,
            get(report::download),
        ),
        s("get", &format!("{r}/desk"), Staff, get(desk::page)),
        s(
            "get",
            &format!("{r}/dashboard"),
            Staff,
            get(dashboard::page),
        ),
        s("get", &format!("{r}/regions"), Staff, get(regions::page)),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/remind"),
            Campaign,
            post(desk::remind),
        ),
        s(
            "get",
            &format!("{r}/cycles/{{cycle}}/tasks/{{task}}"),
            TaskReader,
            get(task::page),
        ),
        s("get", &format!("{r}/cycles"), Read, get(cycles::page)),
        s(
            "post",
            &format!("{r}/cycles/schedule"),
            Campaign,
            post(cycles::schedule),
        ),
        s(
            "post",
            &format!("{r}/cycles/open"),
            Campaign,
            post(cycles::open),
        ),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/close"),
            Campaign,
            post(cycles::close),
        ),
        s(
            "post",
            &format!("{r}/plans/{{plan}}/settings"),
            Campaign,
            post(cycles::settings),
        ),
        s("get", &format!("{r}/lists"), Read, get(lists::page)),
        s(
            "post",
            &format!("{r}/list-items"),
            UnitOrCampaign,
            post(lists::add),
        ),
        s(
            "get",
            &format!("{r}/coordination"),
            Read,
            get(coordination::page),
        ),
        s(
            "post",
            &format!("{r}/coordination/{{id}}/resolve"),
            Campaign,
            post(coordination::resolve),
        ),
        s(
            "get",
            &format!("{r}/publish"),
            AdminOrOffice,
            get(publish::page),
        ),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/publish"),
            Campaign,
            post(publish::publish),
        ),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/withdraw"),
            Campaign,
            post(publish::withdraw),
        ),
        // Office files (issue 11): bulletin and ledger for staff; a unit's
        // Excel form and its upload for those who may write its reports.
        s(
            "get",
            &format!("{r}/bulletin.docx"),
            Staff,
            get(office::bulletin),
        ),
        s(
            "get",
            &format!("{r}/ledger.xlsx"),
            Staff,
            get(office::ledger),
        ),
        s(
            "get",
            &format!("{r}/cycles/{{cycle}}/units/{{unit}}/form.xlsx"),
            UnitOrCampaign,
            get(office::form),
        ),
        s(
            "post",
            &format!("{r}/cycles/{{cycle}}/units/{{unit}}/form"),
            UnitOrCampaign,
            post(office::upload).layer(axum::extract::DefaultBodyLimit::max(
                duban_store::MAX_ATTACHMENT_BYTES + 64 * 1024,
            )),
        ),
        // 督导整改 (issue 13). An item's page and its evidence files use
        // `ReportReader`: like a report, an item is its own units' and
        // every non-reporter's to read.
        s(
            "get",
            &format!("{r}/supervision"),
            Staff,
            get(supervision::page),
        ),
        s(
            "post",
            &format!("{r}/plans/{{plan}}/supervision"),
            Campaign,
            post(supervision::cadence),
        ),
        s(
            "post",
            &format!("{r}/visits"),
            Campaign,
            post(supervision::plan),
        ),
        s(
            "get",
            &format!("{r}/visits/{{visit}}"),
            Staff,
            get(supervision::visit_page),
        ),
        s(
            "post",
            &format!("{r}/visits/{{visit}}/record"),
            Campaign,
            post(supervision::record),
        ),
        s(
            "post",
            &format!("{r}/visits/{{visit}}/cancel"),
            Campaign,
            post(supervision::cancel),
        ),
        s(
            "post",
            &format!("{r}/visits/{{visit}}/findings"),
            Campaign,
            post(supervision::finding),
        ),
        s(
            "post",
            &format!("{r}/visits/{{visit}}/attachments"),
            Campaign,
            post(supervision::visit_upload).layer(upload_limit),
        ),
        s(
            "get",
            &format!("{r}/rectifications/{{item}}"),
            ReportReader,
            get(supervision::item_page),
        ),
        s(
            "post",
            &format!("{r}/rectifications/{{item}}/progress"),
            UnitOrCampaign,
            post(supervision::progress),
        ),
        s(
            "post",
            &format!("{r}/rectifications/{{item}}/attachments"),
            UnitOrCampaign,
            post(supervision::item_upload).layer(upload_limit),
        ),
        s(
            "post",
            &format!("{r}/rectifications/{{item}}/review"),
            Campaign,
            post(supervision::review),
        ),
        s(
            "post",
            &format!("{r}/rectifications/{{item}}/list"),
            Campaign,
            post(supervision::list),
        ),
        s(
            "get",
            &format!("{r}/supervision-files/{{file}}"),
            ReportReader,
            get(supervision::download),
        ),
    ]
}

/// Every page route: the pages above and the admin's.
fn all_specs() -> Vec<Spec> {
    let mut all = specs();
    all.extend(admin::specs());
    all
}

/// The page routes, as data (for the matrix test and the docs).
pub fn route_table() -> Vec<PageRoute> {
    all_specs()
        .into_iter()
        .map(|s| PageRoute {
            method: s.method,
            path: s.path,
            access: s.access,
        })
        .collect()
}

/// Every page route, from [`specs`].
pub fn router() -> Router<AppState> {
    all_specs()
        .into_iter()
        .fold(Router::new(), |router, s| router.route(&s.path, s.handler))
}

/// The caches of the pages, in the server's state: each value is kept per
/// ledger version (every audited write bumps the region's version,
/// `Store::ledger_version`) and built once per version however many
/// requests ask for it at the same time ([`SingleFlight`]).
#[derive(Default)]
pub struct Caches {
    pub workbench: SingleFlight<workbench::WorkbenchData>,
    pub evaluation: SingleFlight<duban_store::Evaluation>,
    pub dashboard: SingleFlight<dashboard::DashboardData>,
    /// The dashboard's rendered body (all but the viewer's header).
    pub dashboard_html: SingleFlight<String>,
}

/// A cycle's evaluation as of a day, computed once per ledger version.
pub async fn evaluation(
    state: &AppState,
    region_id: &str,
    cycle: &duban_store::Cycle,
    as_of: duban_core::dates::Date,
) -> Result<std::sync::Arc<duban_store::Evaluation>, PageError> {
    let version = state.store.ledger_version(region_id).await?;
    let key = format!("{region_id}|{}|{as_of}", cycle.id);
    state
        .pages
        .evaluation
        .get_with(&key, version, || async {
            Ok(state.store.evaluate(region_id, cycle, as_of).await?)
        })
        .await
}

/// A form that carries only its token (sign-out, close, 催办).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// The region's campaigns (plan numbers above 0) and the one to show: the
/// one asked for, else the viewer's own (an office), else the first.
pub async fn campaign_choice(
    state: &AppState,
    viewer: &Viewer,
    region_id: &str,
    asked: Option<i64>,
) -> Result<(Vec<duban_store::PlanRow>, i64), PageError> {
    let plans: Vec<duban_store::PlanRow> = state
        .store
        .plans(region_id)
        .await?
        .into_iter()
        .filter(|p| p.no > 0)
        .collect();
    let plan = asked
        .or(viewer.who.campaign.map(i64::from))
        .or(plans.first().map(|p| p.no))
        .unwrap_or(1);
    Ok((plans, plan))
}

/// The region and a cycle of it, when the viewer may do `action` (built
/// from the cycle's own campaign) there: the check every cycle-scoped
/// form makes.
pub async fn cycle_guard(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    cycle: &str,
    action: fn(Option<u32>) -> duban_core::policy::Action,
) -> Result<(Region, duban_store::Cycle), PageError> {
    use duban_core::policy::Action;
    let region = crate::auth::guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, cycle).await?;
    crate::auth::guard_for(
        state,
        Some(&viewer.who),
        region_key,
        action(u32::try_from(c.plan).ok()),
    )
    .await?;
    Ok((region, c))
}

/// The signed-in person behind a page request.
pub struct Viewer {
    pub who: Principal,
    /// The session's form token.
    pub csrf: String,
    /// The session cookie's token (to end or keep this session).
    pub token: String,
}

impl Viewer {
    /// Refuses a state-changing form whose token is not this session's.
    pub fn check_csrf(&self, posted: &str) -> Result<(), PageError> {
        let a = self.csrf.as_bytes();
        let b = posted.as_bytes();
        // Constant time in the length of the expected token.
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(PageError::new(
                StatusCode::FORBIDDEN,
                "表单已失效或来源不明（缺少表单令牌）。请返回上一页，刷新后重新提交。/ The form token is missing or wrong; reload the page and submit again.",
            ))
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        match state.store.session(&token).await.map_err(ApiError::from)? {
            Some(s) => Ok(Viewer {
                who: s.principal,
                csrf: s.csrf,
                token,
            }),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(PageError::sign_in(next))
            }
        }
    }
}

/// What every page's frame shows: who is signed in, the menu for the role,
/// the form token for the sign-out button, and the demo date if any.
pub struct Chrome {
    pub title: String,
    pub user: String,
    pub role: &'static str,
    pub csrf: String,
    pub nav: Vec<(String, &'static str)>,
    pub demo_date: Option<String>,
    pub region: String,
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "综合协调组",
        Role::Office => "专班办公室",
        Role::Reporter => "填报单位",
        Role::Leader => "领导",
    }
}

/// The menu of each role: (label, path under `/r/{region}`).
const NAV: &[(Role, &str, &str)] = &[
    (Role::Reporter, "工作台", "workbench"),
    (Role::Office, "看板", "dashboard"),
    (Role::Office, "调度台", "desk"),
    (Role::Office, "调度周期", "cycles"),
    (Role::Office, "需协调事项", "coordination"),
    (Role::Office, "清单", "lists"),
    (Role::Office, "信息公开", "publish"),
    (Role::Office, "督导整改", "supervision"),
    (Role::Reporter, "清单", "lists"),
    (Role::Admin, "看板", "dashboard"),
    (Role::Admin, "调度台", "desk"),
    (Role::Admin, "调度周期", "cycles"),
    (Role::Admin, "需协调事项", "coordination"),
    (Role::Admin, "清单", "lists"),
    (Role::Admin, "督导整改", "supervision"),
    (Role::Admin, "导入方案", "admin/import"),
    (Role::Admin, "单位库", "admin/units"),
    (Role::Admin, "用户", "admin/users"),
    (Role::Admin, "节假日", "admin/holidays"),
    (Role::Admin, "审计", "admin/audit"),
    (Role::Admin, "信息公开", "publish"),
    (Role::Leader, "看板", "dashboard"),
    (Role::Leader, "下级区域", "regions"),
    (Role::Leader, "调度台", "desk"),
    (Role::Leader, "需协调事项", "coordination"),
    (Role::Leader, "督导整改", "supervision"),
];

impl Chrome {
    pub fn new(
        state: &AppState,
        viewer: &Viewer,
        region: &Region,
        title: impl Into<String>,
    ) -> Chrome {
        let mut nav: Vec<(String, &'static str)> = NAV
            .iter()
            .filter(|(role, _, _)| *role == viewer.who.role)
            .map(|(_, label, path)| (format!("/r/{}/{path}", region.id), *label))
            .collect();
        nav.push(("/account".into(), "账户"));
        Chrome {
            title: title.into(),
            user: viewer.who.user.clone(),
            role: role_label(viewer.who.role),
            csrf: viewer.csrf.clone(),
            nav,
            demo_date: state.today.map(|d| d.to_string()),
            region: region.name.clone(),
        }
    }
}

/// An error shown as a page (Chinese, then English), or a redirect to the
/// sign-in page for a visitor without a session.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
    sign_in_then: Option<String>,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError {
            status,
            message: message.into(),
            sign_in_then: None,
        }
    }

    fn sign_in(next: &str) -> Self {
        PageError {
            status: StatusCode::SEE_OTHER,
            message: String::new(),
            sign_in_then: Some(next.to_string()),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::new(e.status, e.message)
    }
}

impl From<duban_store::StoreError> for PageError {
    fn from(e: duban_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<duban_core::policy::Denied> for PageError {
    fn from(e: duban_core::policy::Denied) -> Self {
        ApiError::from(e).into()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    heading: &'a str,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let Some(next) = self.sign_in_then {
            let target = if next == "/" || next.starts_with("/login") {
                "/login".to_string()
            } else {
                format!("/login?next={}", encode_component(&next))
            };
            return Redirect::to(&target).into_response();
        }
        let heading = match self.status.as_u16() {
            403 => "无权访问",
            404 => "没有找到",
            409 => "内容已被他人修改",
            429 => "尝试过于频繁",
            400 | 413 | 415 | 422 => "填写有误",
            _ => "出错了",
        };
        let page = ErrorPage {
            status: self.status.as_u16(),
            heading,
            message: &self.message,
        };
        let mut resp = html(&page);
        *resp.status_mut() = self.status;
        resp
    }
}

/// Pages load only our own stylesheet and script, post forms only to
/// themselves, and are never framed.
pub(crate) const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Renders a template as an HTML response that is never cached (pages show
/// personal, changing data).
pub fn html<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(PAGE_CSP),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            eprintln!("页面渲染失败 / template error: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "页面渲染失败。/ The page could not be rendered.",
            )
                .into_response()
        }
    }
}

/// A file download: its type (an unknown or malformed stored type falls
/// back to `application/octet-stream`), its Chinese file name (RFC 5987
/// `filename*`, with an ASCII `filename` for old clients), never cached and
/// never sniffed. One response for attachments, evidence files and the
/// office files alike.
pub fn file_response(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"file\"; filename*=UTF-8''{}",
        encode_component(name).replace('/', "%2F")
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Percent-encodes a URL component (for `next=` and region names).
pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `application/x-www-form-urlencoded` bodies, with rejections shown as a
/// page instead of axum's plain text.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(r) => Err(PageError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "表单内容无法读取：{}。/ The form could not be read.",
                    r.body_text()
                ),
            )),
        }
    }
}

/// Redirect after a successful POST (303, so a reload does not resubmit).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Labels shown for stored vocabularies.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "not_started" => "未启动",
        "in_progress" => "推进中",
        "done" => "已完成",
        "behind" => "滞后",
        "blocked" => "受阻",
        _ => "—",
    }
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        "draft" => "草稿",
        "submitted" => "已报送",
        "accepted" => "已通过",
        "returned" => "被退回",
        "locked" => "已锁定",
        "" => "未填",
        _ => "—",
    }
}

pub fn role_in_task(role: &str) -> &'static str {
    if role == "lead" {
        "牵头"
    } else {
        "配合"
    }
}

/// The status choices of the report form: (value, label).
pub const STATUSES: &[(&str, &str)] = &[
    ("not_started", "未启动"),
    ("in_progress", "推进中"),
    ("behind", "滞后"),
    ("blocked", "受阻"),
    ("done", "已完成"),
];

/// How a target's comparator reads in Chinese.
pub fn comparator_label(c: &str) -> &'static str {
    match c {
        ">=" => "≥",
        "<=" => "≤",
        "about" => "约",
        "range" => "",
        _ => "",
    }
}
