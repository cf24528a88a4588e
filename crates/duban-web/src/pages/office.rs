//! Office-file downloads and the form upload: the bulletin (通报 DOCX) and
//! the ledger (台账 XLSX) for staff, a unit's Excel fill-in form and its
//! import on the workbench. The files come from `crate::office`, the same
//! functions as the CLI, so a download equals `duban bulletin|export`.

use super::{html, Chrome, PageError, Viewer};
use crate::auth::guard_for;
use crate::office::{self, Imported, Period};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::names::Role;
use duban_core::policy::Action;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(serde::Deserialize, Default)]
pub struct PeriodQuery {
    month: Option<String>,
    cycle: Option<String>,
    plan: Option<i64>,
}

fn period(q: &PeriodQuery) -> Result<Period, PageError> {
    let bad = |m: &str| PageError::new(StatusCode::BAD_REQUEST, m);
    match (
        q.month.as_deref().filter(|m| !m.is_empty()),
        q.cycle.as_deref().filter(|c| !c.is_empty()),
    ) {
        (Some(_), Some(_)) => Err(bad(
            "month 和 cycle 只能给一个。/ Give month or cycle, not both.",
        )),
        (Some(m), None) => Period::parse_month(m)
            .ok_or_else(|| bad("month 应为 YYYY-MM。/ month must be YYYY-MM.")),
        (None, Some(c)) => Ok(Period::Cycle(c.to_string())),
        (None, None) => Ok(Period::Latest),
    }
}

/// Staff only (offices, the coordination group, leaders): the bulletin
/// and the ledger name every unit's work.
async fn staff(
    state: &AppState,
    viewer: &Viewer,
    region: &str,
) -> Result<duban_store::Region, PageError> {
    let region = guard_for(state, Some(&viewer.who), region, Action::Read).await?;
    if viewer.who.role == Role::Reporter {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "通报和台账供专班办公室、综合协调组和领导下载。/ The bulletin and the ledger are for staff.",
        ));
    }
    Ok(region)
}

/// `GET /r/{region}/bulletin.docx?month=YYYY-MM|cycle=ID`
pub async fn bulletin(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let region = staff(&state, &viewer, &region).await?;
    let period = period(&q)?;
    let bytes = office::bulletin(&state.store, &region, &period, state.today())
        .await
        .map_err(crate::ApiError::from)?;
    let name = match &period {
        Period::Month(y, m) => format!("{}{y}年{m}月通报.docx", region.name),
        _ => format!("{}通报.docx", region.name),
    };
    Ok(super::file_response(DOCX, &name, bytes))
}

/// `GET /r/{region}/ledger.xlsx?plan=&cycle=`
pub async fn ledger(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let region = staff(&state, &viewer, &region).await?;
    let period = period(&q)?;
    let bytes = office::ledger_xlsx(&state.store, &region, q.plan, &period, state.today())
        .await
        .map_err(crate::ApiError::from)?;
    Ok(super::file_response(
        XLSX,
        &format!("{}督办台账.xlsx", region.name),
        bytes,
    ))
}

/// The unit and cycle of a form route, guarded as writing that unit's
/// reports in the cycle's campaign (the API's rule for saving a report).
async fn form_guard(
    state: &AppState,
    viewer: &Viewer,
    region_key: &str,
    cycle: &str,
    unit: &str,
) -> Result<(duban_store::Region, duban_store::Cycle, duban_store::Unit), PageError> {
    let region = guard_for(state, Some(&viewer.who), region_key, Action::Read).await?;
    let c = state.store.cycle(&region.id, cycle).await?;
    let u = state.store.unit(&region.id, unit).await?;
    guard_for(
        state,
        Some(&viewer.who),
        region_key,
        Action::WriteReport {
            unit_id: u.id.clone(),
            campaign: u32::try_from(c.plan).ok(),
        },
    )
    .await?;
    Ok((region, c, u))
}

/// `GET /r/{region}/cycles/{cycle}/units/{unit}/form.xlsx`
pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region, cycle, unit)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (region, c, u) = form_guard(&state, &viewer, &region, &cycle, &unit).await?;
    let bytes = office::form_xlsx(&state.store, &region, &u.id, &c.id)
        .await
        .map_err(crate::ApiError::from)?;
    Ok(super::file_response(
        XLSX,
        &format!("{}第{}期填报表.xlsx", u.name, c.seq),
        bytes,
    ))
}

pub struct RefusedRow {
    pub row: u32,
    pub task: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "form_import.html")]
struct ImportPage {
    chrome: Chrome,
    back: String,
    unit: String,
    seq: i64,
    saved: usize,
    submitted: usize,
    error: String,
    refused: Vec<RefusedRow>,
}

/// `POST /r/{region}/cycles/{cycle}/units/{unit}/form` (multipart `file`):
/// imports the unit's filled form as the signed-in user; shows what was
/// saved, or every refused row with nothing saved.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, cycle, unit)): Path<(String, String, String)>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut data = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!("上传内容无法读取：{e}。/ The upload could not be read."),
        )
    })? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "file" => {
                data = field
                    .bytes()
                    .await
                    .map_err(|_| {
                        PageError::new(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "文件过大，未上传。/ The file is too large.",
                        )
                    })?
                    .to_vec()
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let (region, c, u) = form_guard(&state, &viewer, &region_key, &cycle, &unit).await?;
    let mut page = ImportPage {
        chrome: Chrome::new(&state, &viewer, &region, "导入 Excel 填报表"),
        back: format!("/r/{}/workbench?unit={}#cycle-{}", region.id, u.id, c.id),
        unit: u.name.clone(),
        seq: c.seq,
        saved: 0,
        submitted: 0,
        error: String::new(),
        refused: Vec::new(),
    };
    let status = match office::import_form(
        &state.store,
        &region,
        &viewer.who,
        &data,
        Some(&u.id),
        state.today(),
    )
    .await
    {
        Ok(Imported::Saved(reports)) => {
            page.saved = reports.len();
            page.submitted = reports.iter().filter(|r| r.state == "submitted").count();
            StatusCode::OK
        }
        Ok(Imported::Refused(rows)) => {
            page.refused = rows
                .into_iter()
                .map(|r| RefusedRow {
                    row: r.row,
                    task: r.task,
                    reason: r.reason,
                })
                .collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => {
            let e = crate::ApiError::from(e);
            if e.status.is_server_error() {
                return Err(e.into());
            }
            page.error = e.message;
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    let mut resp = html(&page);
    *resp.status_mut() = status;
    Ok(resp)
}
