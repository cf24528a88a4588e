//! 导入方案: upload a plan file, see what duban read from it (and, for a
//! revision, what would change in the ledger), correct a task's lead and
//! co units, then confirm or cancel.
//!
//! The upload is parsed at once, so a file that is not a plan is refused on
//! the upload page with the parser's own message. A plan is kept in
//! `pending_imports` and the preview re-parses it on every view: parsing is
//! pure, so the preview and the confirmed import read the same bytes the
//! same way, and no parsed state has to be kept in sync.

use super::super::{html, see_other, Chrome, PageError, Viewer};
use super::{guard, refusal, split_units, with_status};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::diff::ChangeKind;
use duban_core::names::UnitName;
use duban_core::policy::Action;
use duban_plan::{Plan, UnitKind, UnitSummary};
use duban_store::{ImportPreview, PendingImport, Region};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "admin_import.html")]
struct ImportPage {
    chrome: Chrome,
    region_id: String,
    max_mb: usize,
    notice: String,
    error: String,
}

#[derive(serde::Deserialize, Default)]
pub struct ImportQuery {
    done: Option<String>,
    v: Option<i64>,
    tasks: Option<usize>,
    added: Option<usize>,
    removed: Option<usize>,
    reworded: Option<usize>,
    reassigned: Option<usize>,
}

fn import_page(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    notice: String,
    error: String,
) -> Response {
    let page = ImportPage {
        chrome: Chrome::new(state, viewer, region, "导入方案"),
        region_id: region.id.clone(),
        max_mb: duban_plan::MAX_INPUT_BYTES / (1024 * 1024),
        notice,
        error,
    };
    with_status(html(&page), &page.error)
}

/// `GET /r/{region}/admin/import`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Query(q): Query<ImportQuery>,
) -> Result<Response, PageError> {
    let region = guard(&state, &viewer, &region_key, Action::ImportPlan).await?;
    let n = |v: Option<usize>| v.unwrap_or(0);
    let notice = match q.done.as_deref() {
        Some("imported") => format!(
            "已导入（第 {} 版）：任务 {} 项；与上一版相比新增 {}、删除 {}、改写 {}、调整责任单位 {}。",
            q.v.unwrap_or(1),
            n(q.tasks),
            n(q.added),
            n(q.removed),
            n(q.reworded),
            n(q.reassigned)
        ),
        Some("same") => "这份文件以前已导入过，台账没有变化。".into(),
        Some("cancelled") => "已取消，上传的文件已删除。".into(),
        _ => String::new(),
    };
    Ok(import_page(&state, &viewer, &region, notice, String::new()))
}

/// `POST /r/{region}/admin/import` (multipart: `csrf`, `file`)
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    // The role is known before the body is read: a non-admin's upload is
    // refused without reading 50 MB.
    let region = guard(&state, &viewer, &region_key, Action::ImportPlan).await?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!("上传内容无法读取：{e}。/ The upload could not be read."),
        )
    })? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let data = field.bytes().await.map_err(|_| {
                    PageError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!(
                            "文件超过 {} MB，未上传。/ The file is too large.",
                            duban_plan::MAX_INPUT_BYTES / (1024 * 1024)
                        ),
                    )
                })?;
                file = Some((name, data.to_vec()));
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let (name, data) = file.unwrap_or_default();
    if data.is_empty() {
        let error = "请选择要导入的方案文件（txt、docx、pdf、html、md）。/ Choose a plan file.";
        return Ok(import_page(
            &state,
            &viewer,
            &region,
            String::new(),
            error.into(),
        ));
    }
    if let Err(e) = duban_plan::parse(&data, &name) {
        return Ok(import_page(
            &state,
            &viewer,
            &region,
            String::new(),
            format!("“{name}”无法作为方案导入：{e}"),
        ));
    }
    let id = state
        .store
        .save_pending_import(&region.id, &viewer.who.user, &name, &data)
        .await?;
    Ok(see_other(&format!("/r/{}/admin/import/{id}", region.id)))
}

/// One task row of the preview, with the values of its correction inputs.
pub struct TaskLine {
    id: String,
    path: String,
    title: String,
    lead: String,
    co: String,
    lead_inferred: bool,
    deadlines: String,
    line: usize,
}

pub struct TargetLine {
    plan: u32,
    task: String,
    metric: String,
    value: String,
    text: String,
}

pub struct ForceLine {
    plan: u32,
    name: String,
    convener: String,
    office: String,
    members: String,
}

pub struct UnitLine {
    name: String,
    kind: &'static str,
    lead_count: usize,
    co_count: usize,
    status: &'static str,
    note: String,
    suspicious: bool,
}

pub struct ChangeLine {
    kind: &'static str,
    title: String,
    old_title: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "admin_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    region_id: String,
    id: String,
    file_name: String,
    uploaded_by: String,
    uploaded_at: String,
    format: String,
    encoding: String,
    doc_title: String,
    doc_number: String,
    issuer: String,
    doc_date: String,
    plans: Vec<(u32, String, usize)>,
    tasks: Vec<TaskLine>,
    inferred: usize,
    targets: Vec<TargetLine>,
    forces: Vec<ForceLine>,
    warnings: Vec<(String, String)>,
    units: Vec<UnitLine>,
    already_imported: bool,
    revises: String,
    changes: Vec<ChangeLine>,
    unchanged: usize,
    error: String,
}

const UNIT_KINDS: &[(UnitKind, &str)] = &[
    (UnitKind::Department, "市直部门"),
    (UnitKind::Town, "镇（街道）"),
    (UnitKind::Resident, "驻地单位"),
    (UnitKind::Group, "统称"),
];

const CHANGE_KINDS: &[(ChangeKind, &str)] = &[
    (ChangeKind::Added, "新增"),
    (ChangeKind::Removed, "删除"),
    (ChangeKind::Reworded, "改写"),
    (ChangeKind::Reassigned, "调整责任单位"),
    (ChangeKind::RewordedAndReassigned, "改写并调整责任单位"),
    (ChangeKind::Unchanged, "未变"),
];

fn label<K: PartialEq + Copy>(table: &[(K, &'static str)], k: K) -> &'static str {
    table
        .iter()
        .find(|(key, _)| *key == k)
        .map(|(_, l)| *l)
        .unwrap_or("—")
}

fn lead_key(task_id: &str) -> String {
    format!("lead.{task_id}")
}

fn co_key(task_id: &str) -> String {
    format!("co.{task_id}")
}

fn units_text(leads: &[String], cos: &[String]) -> String {
    let mut s = format!("牵头：{}", leads.join("、"));
    if !cos.is_empty() {
        s.push_str(&format!("；配合：{}", cos.join("、")));
    }
    s
}

/// The preview of a pending upload. `typed` holds what the person typed in
/// the correction inputs (kept when the confirmation was refused).
async fn render_preview(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    pending: &PendingImport,
    typed: &HashMap<String, String>,
    error: String,
) -> Result<Response, PageError> {
    let plan = parse_pending(pending)?;
    let preview: ImportPreview = state.store.import_preview(region, &plan).await?;
    let value = |key: String, parsed: &[String]| {
        typed
            .get(&key)
            .cloned()
            .unwrap_or_else(|| parsed.join("、"))
    };
    let tasks: Vec<TaskLine> = plan
        .tasks
        .iter()
        .map(|t| TaskLine {
            lead: value(lead_key(&t.id), &t.lead_units),
            co: value(co_key(&t.id), &t.co_units),
            id: t.id.clone(),
            path: t.path.join(" › "),
            title: t.title.clone(),
            lead_inferred: t.lead_inferred,
            deadlines: t
                .deadlines
                .iter()
                .map(|d| match &d.date {
                    Some(date) if !d.text.contains(date.as_str()) => {
                        format!("{}（{date}）", d.text)
                    }
                    _ => d.text.clone(),
                })
                .collect::<Vec<_>>()
                .join("；"),
            line: t.line,
        })
        .collect();
    let matches: HashMap<&str, &duban_store::UnitMatch> =
        preview.units.iter().map(|u| (u.name.as_str(), u)).collect();
    let units = plan
        .units
        .iter()
        .map(|u| {
            let m = matches.get(u.name.as_str());
            let mut notes = Vec::new();
            if let Some(s) = &u.suspected_alias_of {
                notes.push(format!(
                    "文中疑似“{}”的另一种写法（{:.0}%）",
                    s.name,
                    s.confidence * 100.0
                ));
            }
            if let Some(n) = m.and_then(|m| m.registered_as.as_ref()) {
                notes.push(format!("单位库中是“{n}”的别名"));
            }
            if let Some((n, c)) = m.and_then(|m| m.suggestion.as_ref()) {
                if u.suspected_alias_of.as_ref().map(|s| &s.name) != Some(n) {
                    notes.push(format!("疑似单位库中的“{n}”（{:.0}%）", c * 100.0));
                }
            }
            let status = m.map(|m| m.status).unwrap_or("new");
            UnitLine {
                name: u.name.clone(),
                kind: label(UNIT_KINDS, u.kind),
                lead_count: u.lead_count,
                co_count: u.co_count,
                status: match status {
                    "matched" => "已在单位库",
                    "suggested" => "新单位（待复核）",
                    _ => "新单位",
                },
                suspicious: status == "suggested" || u.suspected_alias_of.is_some(),
                note: notes.join("；"),
            }
        })
        .collect();
    let changes = preview
        .changes
        .iter()
        .map(|c| ChangeLine {
            kind: label(CHANGE_KINDS, c.kind),
            title: c.title.clone(),
            old_title: c.old_title.clone().unwrap_or_default(),
            before: if c.kind == ChangeKind::Added {
                String::new()
            } else {
                units_text(&c.leads_before, &c.cos_before)
            },
            after: if c.kind == ChangeKind::Removed {
                String::new()
            } else {
                units_text(&c.leads_after, &c.cos_after)
            },
        })
        .collect();
    let revises = preview
        .revises
        .as_ref()
        .map(|r| {
            format!(
                "这是已导入方案《{}》{}（第 {} 版，导入于 {}）的修订版：确认后按下表更新台账，任务的填报和清单随任务保留。",
                r.title.clone().unwrap_or_default(),
                r.doc_number
                    .as_ref()
                    .map(|n| format!("（{n}）"))
                    .unwrap_or_default(),
                r.version,
                r.imported_at
            )
        })
        .unwrap_or_default();
    let page = PreviewPage {
        chrome: Chrome::new(state, viewer, region, "导入预览"),
        region_id: region.id.clone(),
        id: pending.id.clone(),
        file_name: pending.file_name.clone(),
        uploaded_by: pending.user.clone(),
        uploaded_at: pending.created_at.clone(),
        format: plan.source.format.clone(),
        encoding: plan.source.encoding.clone(),
        doc_title: plan.document.title.clone().unwrap_or_default(),
        doc_number: plan.document.doc_number.clone().unwrap_or_default(),
        issuer: plan.document.issuer.clone().unwrap_or_default(),
        doc_date: plan.document.date.clone().unwrap_or_default(),
        plans: plan
            .plans
            .iter()
            .map(|p| {
                (
                    p.no,
                    p.title.clone(),
                    plan.tasks.iter().filter(|t| t.plan == p.no).count(),
                )
            })
            .collect(),
        inferred: plan.tasks.iter().filter(|t| t.lead_inferred).count(),
        tasks,
        targets: plan
            .targets
            .iter()
            .map(|t| TargetLine {
                plan: t.plan,
                task: t.task.clone().unwrap_or_else(|| "目标".into()),
                metric: t.metric.clone(),
                value: match t.value_max {
                    Some(max) => format!("{}–{} {}", t.value, max, t.unit),
                    None => format!(
                        "{}{} {}",
                        super::super::comparator_label(
                            serde_json::to_value(t.comparator)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .as_deref()
                                .unwrap_or("")
                        ),
                        t.value,
                        t.unit
                    ),
                },
                text: t.text.clone(),
            })
            .collect(),
        forces: plan
            .task_forces
            .iter()
            .map(|f| ForceLine {
                plan: f.plan,
                name: f.name.clone(),
                convener: f.convener.clone().unwrap_or_default(),
                office: f.office.clone().unwrap_or_default(),
                members: f.members.join("、"),
            })
            .collect(),
        warnings: plan
            .warnings
            .iter()
            .map(|w| {
                (
                    w.line.map(|l| l.to_string()).unwrap_or_default(),
                    w.message.clone(),
                )
            })
            .collect(),
        units,
        already_imported: preview.already_imported,
        revises,
        changes,
        unchanged: preview.unchanged,
        error,
    };
    Ok(with_status(html(&page), &page.error))
}

fn parse_pending(pending: &PendingImport) -> Result<Plan, PageError> {
    duban_plan::parse(&pending.data, &pending.file_name).map_err(|e| {
        PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("“{}”无法作为方案导入：{e}", pending.file_name),
        )
    })
}

/// `GET /r/{region}/admin/import/{id}`
pub async fn preview(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let region = guard(&state, &viewer, &region_key, Action::ImportPlan).await?;
    let pending = state.store.pending_import(&region.id, &id).await?;
    render_preview(
        &state,
        &viewer,
        &region,
        &pending,
        &HashMap::new(),
        String::new(),
    )
    .await
}

/// A correction made on the preview, kept in the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    task: String,
    title: String,
    leads_before: Vec<String>,
    cos_before: Vec<String>,
    leads: Vec<String>,
    cos: Vec<String>,
}

/// Applies the lead and co units typed on the preview to the parsed plan:
/// a corrected task's lead is no longer "inferred" (a person decided), and
/// a unit name the document did not mention joins the plan's units so the
/// import registers it. All problems are reported at once.
fn apply_corrections(
    plan: &mut Plan,
    form: &HashMap<String, String>,
    region_name: &str,
) -> Result<Vec<Correction>, String> {
    let mut corrections = Vec::new();
    let mut problems = Vec::new();
    for t in plan.tasks.iter_mut() {
        let (Some(lead), Some(co)) = (form.get(&lead_key(&t.id)), form.get(&co_key(&t.id))) else {
            continue;
        };
        let (leads, cos) = (split_units(lead), split_units(co));
        if leads == t.lead_units && cos == t.co_units {
            continue;
        }
        if leads.is_empty() {
            problems.push(format!(
                "任务“{}”的牵头单位不能为空。/ Task {}: a lead unit is required.",
                t.title, t.id
            ));
            continue;
        }
        let mut bad = false;
        for name in leads.iter().chain(&cos) {
            if let Err(e) = UnitName::parse(name) {
                problems.push(format!("任务“{}”：{e}", t.title));
                bad = true;
            }
        }
        if let Some(both) = leads.iter().find(|l| cos.contains(l)) {
            problems.push(format!(
                "任务“{}”：“{both}”不能既牵头又配合。/ Task {}: a unit cannot both lead and assist.",
                t.title, t.id
            ));
            bad = true;
        }
        if bad {
            continue;
        }
        corrections.push(Correction {
            task: t.id.clone(),
            title: t.title.clone(),
            leads_before: std::mem::replace(&mut t.lead_units, leads.clone()),
            cos_before: std::mem::replace(&mut t.co_units, cos.clone()),
            leads,
            cos,
        });
        t.lead_inferred = false;
    }
    if !problems.is_empty() {
        return Err(problems.join(" "));
    }
    if corrections.is_empty() {
        return Ok(corrections);
    }
    for name in plan
        .tasks
        .iter()
        .flat_map(|t| t.lead_units.iter().chain(&t.co_units))
    {
        if !plan.units.iter().any(|u| &u.name == name) {
            plan.units.push(UnitSummary {
                name: name.clone(),
                kind: duban_plan::units::unit_kind(name, Some(region_name)),
                lead_count: 0,
                co_count: 0,
                suspected_alias_of: None,
            });
        }
    }
    for u in plan.units.iter_mut() {
        u.lead_count = plan
            .tasks
            .iter()
            .filter(|t| t.lead_units.contains(&u.name))
            .count();
        u.co_count = plan
            .tasks
            .iter()
            .filter(|t| t.co_units.contains(&u.name))
            .count();
    }
    Ok(corrections)
}

/// `POST /r/{region}/admin/import/{id}/confirm`: `csrf`, and per task
/// `lead.{task}` / `co.{task}` (units separated by 、).
pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
    super::super::Form(form): super::super::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    viewer.check_csrf(form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let region = guard(&state, &viewer, &region_key, Action::ImportPlan).await?;
    let pending = state.store.pending_import(&region.id, &id).await?;
    let mut plan = parse_pending(&pending)?;
    let corrections = match apply_corrections(&mut plan, &form, &region.name) {
        Ok(c) => c,
        Err(m) => return render_preview(&state, &viewer, &region, &pending, &form, m).await,
    };
    let report = match state.store.import(&region, &plan, &viewer.who.user).await {
        Ok(r) => r,
        Err(e) => {
            let m = refusal(e)?;
            return render_preview(&state, &viewer, &region, &pending, &form, m).await;
        }
    };
    state
        .store
        .confirm_pending_import(
            &region.id,
            &id,
            serde_json::json!({
                "document_id": report.document_id,
                "version": report.version,
                "corrections": corrections,
            }),
            &viewer.who.user,
        )
        .await?;
    if report.already_imported {
        return Ok(see_other(&format!(
            "/r/{}/admin/import?done=same",
            region.id
        )));
    }
    Ok(see_other(&format!(
        "/r/{}/admin/import?done=imported&v={}&tasks={}&added={}&removed={}&reworded={}&reassigned={}",
        region.id,
        report.version,
        report.tasks,
        report.added,
        report.removed,
        report.reworded,
        report.reassigned
    )))
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /r/{region}/admin/import/{id}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((region_key, id)): Path<(String, String)>,
    super::super::Form(f): super::super::Form<CsrfForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ImportPlan).await?;
    state
        .store
        .cancel_pending_import(&region.id, &id, &viewer.who.user)
        .await?;
    Ok(see_other(&format!(
        "/r/{}/admin/import?done=cancelled",
        region.id
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Plan {
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
        )
        .unwrap();
        duban_plan::parse(&bytes, "miluo.txt").unwrap()
    }

    #[test]
    fn a_corrected_lead_replaces_the_parsed_one_and_registers_a_new_unit() {
        let mut plan = sample();
        let t = plan.tasks[0].clone();
        let mut form = HashMap::new();
        form.insert(lead_key(&t.id), "市新设局".to_string());
        form.insert(co_key(&t.id), t.co_units.join("、"));
        // A task whose inputs are unchanged is no correction.
        let other = &plan.tasks[1];
        form.insert(lead_key(&other.id), other.lead_units.join("、"));
        form.insert(co_key(&other.id), other.co_units.join("、"));
        let corrections = apply_corrections(&mut plan, &form, "汨罗市").unwrap();
        assert_eq!(corrections.len(), 1);
        assert_eq!(corrections[0].leads_before, t.lead_units);
        assert_eq!(plan.tasks[0].lead_units, ["市新设局"]);
        assert!(!plan.tasks[0].lead_inferred);
        let unit = plan.units.iter().find(|u| u.name == "市新设局").unwrap();
        assert_eq!((unit.lead_count, unit.kind), (1, UnitKind::Department));
    }

    #[test]
    fn an_empty_lead_or_a_unit_both_leading_and_assisting_is_refused() {
        let mut plan = sample();
        let before = plan.clone();
        let (a, b) = (plan.tasks[0].id.clone(), plan.tasks[1].id.clone());
        let form: HashMap<String, String> = [
            (lead_key(&a), " 、 ".to_string()),
            (co_key(&a), String::new()),
            (lead_key(&b), "市财政局".to_string()),
            (co_key(&b), "市财政局".to_string()),
        ]
        .into_iter()
        .collect();
        let err = apply_corrections(&mut plan, &form, "汨罗市").unwrap_err();
        assert!(err.contains("牵头单位不能为空"), "{err}");
        assert!(err.contains("不能既牵头又配合"), "{err}");
        assert_eq!(plan, before, "nothing applied when anything is refused");
    }
}
