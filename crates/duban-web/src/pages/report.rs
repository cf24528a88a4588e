//! 填报: one unit's report on one task in a cycle. The form keeps what was
//! typed on every refusal (a stale version, a value out of range); the lead
//! unit sees its co-units' reports beside its own; files are uploaded and
//! downloaded here; every version is listed on the history page.

use super::{html, role_in_task, state_label, status_label, Chrome, PageError, Viewer, STATUSES};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::names::Role;
use duban_core::policy::{authorize, Action};
use duban_store::{
    Attachment, CoordinationInput, Cycle, Region, Report, ReportInput, StoreError, TaskRow, Unit,
};

/// What the form holds: the stored report, or what the person just typed.
#[derive(Default, Clone)]
pub struct Fields {
    pub version: i64,
    pub status: String,
    pub completion: String,
    pub current_value: String,
    pub progress: String,
    pub problems: String,
    pub next_steps: String,
    pub coord_to: String,
    pub coord_text: String,
}

impl Fields {
    fn from_report(r: &Report) -> Fields {
        Fields {
            version: r.version,
            status: r.status.clone(),
            completion: format!("{}", r.completion),
            current_value: r.current_value.map(|v| v.to_string()).unwrap_or_default(),
            progress: r.progress.clone(),
            problems: r.problems.clone(),
            next_steps: r.next_steps.clone(),
            coord_to: String::new(),
            coord_text: String::new(),
        }
    }
}

/// Another unit's report on the same task, shown beside the form.
pub struct Peer {
    pub unit: String,
    pub role: &'static str,
    pub state: &'static str,
    pub status: &'static str,
    pub completion: String,
    pub progress: String,
    pub problems: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    action: String,
    history_href: String,
    upload_href: String,
    region_id: String,
    cycle: Cycle,
    task: TaskRow,
    deadline: String,
    targets: Vec<String>,
    unit: String,
    role: &'static str,
    state: String,
    state_label: &'static str,
    review_comment: Option<String>,
    late: bool,
    fields: Fields,
    statuses: &'static [(&'static str, &'static str)],
    can_write: bool,
    closed: bool,
    previous: Option<Peer>,
    peers: Vec<Peer>,
    attachments: Vec<Attachment>,
    accept: String,
    error: String,
    notice: String,
}

struct Context {
    region: Region,
    cycle: Cycle,
    task: TaskRow,
    unit: Unit,
    role: String,
}

/// Resolves the objects of the URL and checks the viewer may at least read
/// this report: a reporter only its own unit's, or its co-units' on a task
/// its unit leads.
async fn context(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    cycle: &str,
    task: &str,
    unit: &str,
) -> Result<Context, PageError> {
    let region = guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    let cycle = state.store.cycle(&region.id, cycle).await?;
    let task = state.store.task(&region.id, task).await?;
    let unit = state.store.unit(&region.id, unit).await?;
    let expected = state.store.expected_reports(&region.id, &cycle).await?;
    let role = expected
        .iter()
        .find(|e| e.task_id == task.id && e.unit_id == unit.id)
        .map(|e| e.role.clone())
        .ok_or_else(|| {
            PageError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "“{}”在本周期不需要填报这项任务。/ This unit owes no report on this task in this cycle.",
                    unit.name
                ),
            )
        })?;
    if viewer.who.role == Role::Reporter {
        let own = viewer.who.unit_id.as_deref() == Some(unit.id.as_str());
        let leads = expected.iter().any(|e| {
            e.task_id == task.id
                && e.role == "lead"
                && viewer.who.unit_id.as_deref() == Some(e.unit_id.as_str())
        });
        if !own && !leads {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                "填报单位只能查看本单位的填报，以及本单位牵头任务的配合单位填报。/ A reporter sees only its own unit's reports and its co-units' on tasks it leads.",
            ));
        }
    }
    Ok(Context {
        region,
        cycle,
        task,
        unit,
        role,
    })
}

fn may_write(viewer: &Viewer, ctx: &Context) -> bool {
    authorize(
        Some(&viewer.who),
        true,
        &Action::WriteReport {
            unit_id: ctx.unit.id.clone(),
            campaign: u32::try_from(ctx.cycle.plan).ok(),
        },
    )
    .is_ok()
}

fn deadline_text(t: &TaskRow) -> String {
    match (&t.due_date, t.ongoing) {
        (Some(d), _) => d.clone(),
        (None, true) => "持续推进".into(),
        (None, false) => "未写明".into(),
    }
}

fn peer(r: &Report, role: &str, viewer_unit: Option<&str>) -> Peer {
    // A draft is the unit's own business until it is submitted.
    let hidden = r.state == "draft" && viewer_unit != Some(r.unit_id.as_str());
    Peer {
        unit: r.unit.clone(),
        role: role_in_task(role),
        state: state_label(&r.state),
        status: if hidden {
            "—"
        } else {
            status_label(&r.status)
        },
        completion: if hidden {
            "—".into()
        } else {
            format!("{:.0}%", r.completion)
        },
        progress: if hidden {
            "（草稿，尚未报送）".into()
        } else {
            r.progress.clone()
        },
        problems: if hidden {
            String::new()
        } else {
            r.problems.clone()
        },
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    ctx: Context,
    typed: Option<Fields>,
    error: String,
    notice: String,
) -> Result<ReportPage, PageError> {
    let Context {
        region,
        cycle,
        task,
        unit,
        role,
    } = ctx;
    let reports = state.store.current_reports(&region.id, &cycle).await?;
    let mine = reports
        .iter()
        .find(|r| r.task_id == task.id && r.unit_id == unit.id);
    let viewer_unit = viewer.who.unit_id.as_deref();
    let peers: Vec<Peer> = if role == "lead" || viewer.who.role != Role::Reporter {
        let expected = state.store.expected_reports(&region.id, &cycle).await?;
        reports
            .iter()
            .filter(|r| r.task_id == task.id && r.unit_id != unit.id)
            .map(|r| {
                let role = expected
                    .iter()
                    .find(|e| e.task_id == r.task_id && e.unit_id == r.unit_id)
                    .map(|e| e.role.as_str())
                    .unwrap_or("co");
                peer(r, role, viewer_unit)
            })
            .collect()
    } else {
        Vec::new()
    };
    // Last cycle's report of the same campaign, for reference.
    let previous = {
        let earlier: Option<Cycle> = state
            .store
            .cycles(&region.id, Some(cycle.plan))
            .await?
            .into_iter()
            .filter(|c| c.due_on < cycle.due_on)
            .max_by(|a, b| a.due_on.cmp(&b.due_on));
        match earlier {
            Some(c) => state
                .store
                .current_reports(&region.id, &c)
                .await?
                .iter()
                .find(|r| r.task_id == task.id && r.unit_id == unit.id)
                .map(|r| peer(r, &role, viewer_unit)),
            None => None,
        }
    };
    let targets = state
        .store
        .targets(&region.id, Some(cycle.plan))
        .await?
        .into_iter()
        .filter(|t| t.task_id.as_deref() == Some(task.id.as_str()))
        .map(|t| t.text)
        .collect();
    let attachments = state
        .store
        .attachments(&region.id, &cycle.id, &task.id, &unit.id)
        .await?;
    let st = mine.map(|r| r.state.clone()).unwrap_or_default();
    let fields = typed.unwrap_or_else(|| {
        mine.map(Fields::from_report).unwrap_or(Fields {
            status: "in_progress".into(),
            ..Fields::default()
        })
    });
    let ctx_for_write = Context {
        region: region.clone(),
        cycle: cycle.clone(),
        task: task.clone(),
        unit: unit.clone(),
        role: role.clone(),
    };
    let base = format!(
        "/r/{}/cycles/{}/reports/{}/{}",
        region.id, cycle.id, task.id, unit.id
    );
    Ok(ReportPage {
        chrome: Chrome::new(state, viewer, &region, format!("填报：{}", task.title)),
        action: base.clone(),
        history_href: format!("{base}/history"),
        upload_href: format!("{base}/attachments"),
        region_id: region.id.clone(),
        deadline: deadline_text(&task),
        targets,
        unit: unit.name.clone(),
        role: role_in_task(&role),
        state_label: state_label(&st),
        review_comment: mine
            .filter(|r| r.state == "returned")
            .and_then(|r| r.review_comment.clone()),
        late: mine.is_some_and(|r| r.late),
        state: st,
        fields,
        statuses: STATUSES,
        can_write: may_write(viewer, &ctx_for_write) && cycle.status != "closed",
        closed: cycle.status == "closed",
        previous,
        peers,
        attachments,
        accept: duban_store::accepted_extensions()
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(","),
        error,
        notice,
        cycle,
        task,
    })
}

#[derive(serde::Deserialize)]
pub struct FormQuery {
    saved: Option<String>,
    uploaded: Option<u8>,
}

/// `GET /r/{region}/cycles/{cycle}/reports/{task}/{unit}`
pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region, cycle, task, unit)): Path<(String, String, String, String)>,
    Query(q): Query<FormQuery>,
) -> Result<Response, PageError> {
    let ctx = context(&state, &viewer, &region, &cycle, &task, &unit).await?;
    let notice = match (q.saved.as_deref(), q.uploaded) {
        (Some("submitted"), _) => "已报送，等待专班办公室审核。",
        (Some(_), _) => "草稿已保存（尚未报送）。",
        (_, Some(_)) => "附件已上传。",
        _ => "",
    };
    Ok(html(
        &render(&state, &viewer, ctx, None, String::new(), notice.into()).await?,
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct SaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    completion: String,
    #[serde(default)]
    current_value: String,
    #[serde(default)]
    progress: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    coord_to: String,
    #[serde(default)]
    coord_text: String,
    /// `draft` or `submit` (the button pressed).
    #[serde(default)]
    action: String,
}

/// Parses the typed form into a report, or says in plain Chinese what is wrong.
fn parse(f: &SaveForm) -> Result<ReportInput, String> {
    let version = f.version.trim().parse::<i64>().unwrap_or(0);
    let completion = match f.completion.trim() {
        "" => 0.0,
        s => s
            .trim_end_matches('%')
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
            .ok_or(
                "完成比例应是 0 到 100 之间的数字。/ Completion must be a number from 0 to 100.",
            )?,
    };
    let current_value = match f.current_value.trim() {
        "" => None,
        s => Some(
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or("当前累计值应是数字。/ The current value must be a number.")?,
        ),
    };
    if !STATUSES.iter().any(|(v, _)| *v == f.status) {
        return Err("请选择本期状态。/ Choose a status.".into());
    }
    let coordination = match (f.coord_to.trim(), f.coord_text.trim()) {
        ("", "") => vec![],
        ("", _) | (_, "") => {
            return Err(
                "需协调事项要同时写明协调对象和内容。/ A coordination request needs both an addressee and a text.".into(),
            )
        }
        (to, text) => vec![CoordinationInput {
            to: to.chars().take(100).collect(),
            text: text.to_string(),
        }],
    };
    Ok(ReportInput {
        version,
        status: f.status.clone(),
        completion,
        current_value,
        progress: f.progress.clone(),
        problems: f.problems.clone(),
        next_steps: f.next_steps.clone(),
        coordination,
        attachments: vec![],
        submit: f.action == "submit",
    })
}

fn typed(f: &SaveForm) -> Fields {
    Fields {
        version: f.version.trim().parse().unwrap_or(0),
        status: f.status.clone(),
        completion: f.completion.clone(),
        current_value: f.current_value.clone(),
        progress: f.progress.clone(),
        problems: f.problems.clone(),
        next_steps: f.next_steps.clone(),
        coord_to: f.coord_to.clone(),
        coord_text: f.coord_text.clone(),
    }
}

/// `POST /r/{region}/cycles/{cycle}/reports/{task}/{unit}`: save a draft or
/// submit. On any refusal the form comes back with what was typed.
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle, task, unit)): Path<(String, String, String, String)>,
    super::Form(f): super::Form<SaveForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let ctx = context(&state, &viewer, &region_key, &cycle, &task, &unit).await?;
    guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::WriteReport {
            unit_id: ctx.unit.id.clone(),
            campaign: u32::try_from(ctx.cycle.plan).ok(),
        },
    )
    .await?;
    let (status, message) = match parse(&f) {
        Err(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
        Ok(input) => {
            match state
                .store
                .save_report(
                    &ctx.region.id,
                    &ctx.cycle.id,
                    &ctx.task.id,
                    &ctx.unit.id,
                    &input,
                    &viewer.who.user,
                    state.today(),
                )
                .await
            {
                Ok(r) => {
                    let how = if r.state == "submitted" {
                        "submitted"
                    } else {
                        "draft"
                    };
                    return Ok(super::see_other(&format!(
                        "/r/{}/cycles/{}/reports/{}/{}?saved={how}",
                        ctx.region.id, ctx.cycle.id, ctx.task.id, ctx.unit.id
                    )));
                }
                Err(StoreError::Conflict(m)) => (
                    StatusCode::CONFLICT,
                    format!("{m} 你填写的内容仍保留在下面；请对照最新版本后再保存。"),
                ),
                Err(StoreError::Invalid(m)) => (StatusCode::UNPROCESSABLE_ENTITY, m),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let mut resp = html(
        &render(
            &state,
            &viewer,
            ctx,
            Some(typed(&f)),
            message,
            String::new(),
        )
        .await?,
    );
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    chrome: Chrome,
    back: String,
    task: String,
    unit: String,
    versions: Vec<Version>,
}

pub struct Version {
    pub version: i64,
    pub state: &'static str,
    pub status: &'static str,
    pub completion: String,
    pub progress: String,
    pub problems: String,
    pub review_comment: String,
    pub author: String,
    pub at: String,
    pub late: bool,
}

/// `GET …/reports/{task}/{unit}/history`: every version, newest first.
pub async fn history(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region, cycle, task, unit)): Path<(String, String, String, String)>,
) -> Result<Response, PageError> {
    let ctx = context(&state, &viewer, &region, &cycle, &task, &unit).await?;
    let own = viewer.who.unit_id.as_deref() == Some(ctx.unit.id.as_str());
    let mut versions: Vec<Version> = state
        .store
        .report_history(&ctx.region.id, &ctx.cycle, &ctx.task.id, &ctx.unit.id)
        .await?
        .into_iter()
        .filter(|r| own || viewer.who.role != Role::Reporter || r.state != "draft")
        .map(|r| Version {
            version: r.version,
            state: state_label(&r.state),
            status: status_label(&r.status),
            completion: format!("{:.0}%", r.completion),
            progress: r.progress,
            problems: r.problems,
            review_comment: r.review_comment.unwrap_or_default(),
            author: r.author,
            at: r.created_at.replace('T', " ").chars().take(19).collect(),
            late: r.late,
        })
        .collect();
    versions.reverse();
    Ok(html(&HistoryPage {
        chrome: Chrome::new(&state, &viewer, &ctx.region, "填报历史"),
        back: format!(
            "/r/{}/cycles/{}/reports/{}/{}",
            ctx.region.id, ctx.cycle.id, ctx.task.id, ctx.unit.id
        ),
        task: ctx.task.title,
        unit: ctx.unit.name,
        versions,
    }))
}

/// `POST …/reports/{task}/{unit}/attachments` (multipart: `csrf`, `file`)
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle, task, unit)): Path<(String, String, String, String)>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let bad = |m: String| PageError::new(StatusCode::BAD_REQUEST, m);
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        bad(format!(
            "上传内容无法读取：{e}。/ The upload could not be read."
        ))
    })? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let data = field.bytes().await.map_err(|_| {
                    PageError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "文件超过 10 MB，未上传。/ The file is larger than 10 MB.",
                    )
                })?;
                file = Some((name, data.to_vec()));
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let ctx = context(&state, &viewer, &region_key, &cycle, &task, &unit).await?;
    guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::WriteReport {
            unit_id: ctx.unit.id.clone(),
            campaign: u32::try_from(ctx.cycle.plan).ok(),
        },
    )
    .await?;
    let (name, data) = file.unwrap_or_default();
    match state
        .store
        .add_attachment(
            &ctx.region.id,
            &ctx.cycle.id,
            &ctx.task.id,
            &ctx.unit.id,
            &name,
            &data,
            &viewer.who.user,
        )
        .await
    {
        Ok(_) => Ok(super::see_other(&format!(
            "/r/{}/cycles/{}/reports/{}/{}?uploaded=1",
            ctx.region.id, ctx.cycle.id, ctx.task.id, ctx.unit.id
        ))),
        Err(StoreError::Invalid(m)) | Err(StoreError::Conflict(m)) => {
            let mut resp = html(&render(&state, &viewer, ctx, None, m, String::new()).await?);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /r/{region}/attachments/{id}`: for those who may see the report.
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let region = guard_for(&state, Some(&viewer.who), &region_key, Action::Read).await?;
    let (meta, data) = state.store.attachment(&region.id, &id).await?;
    // The same visibility as the report it belongs to.
    context(
        &state,
        &viewer,
        &region.id,
        &meta.cycle_id,
        &meta.task_id,
        &meta.unit_id,
    )
    .await?;
    Ok(super::file_response(&meta.content_type, &meta.name, data))
}
