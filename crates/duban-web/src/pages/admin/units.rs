//! 单位库: the region's units with kind and aliases; the units an import
//! created and nobody reviewed yet, with the registry unit they probably
//! are; merge two units, add an alias, or confirm a new unit as its own.

use super::super::{html, see_other, Chrome, Form, PageError, Viewer};
use super::{guard, refusal, with_status};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use duban_core::names::UnitName;
use duban_core::policy::Action;
use duban_store::{Region, Unit};

pub struct UnitLine {
    id: String,
    name: String,
    kind: &'static str,
    aliases: String,
    review: bool,
    suggestion: Option<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "admin_units.html")]
struct UnitsPage {
    chrome: Chrome,
    region_id: String,
    to_review: Vec<UnitLine>,
    units: Vec<UnitLine>,
    names: Vec<String>,
    merge_from: String,
    merge_into: String,
    alias_unit: String,
    alias: String,
    notice: String,
    error: String,
}

/// The stored unit kinds and how the page names them.
const KINDS: &[(&str, &str)] = &[
    ("department", "市直部门"),
    ("town", "镇（街道）"),
    ("resident", "驻地单位"),
    ("group", "统称"),
];

fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or("—")
}

fn line(u: &Unit) -> UnitLine {
    UnitLine {
        id: u.id.clone(),
        name: u.name.clone(),
        kind: kind_label(&u.kind),
        aliases: u.aliases.join("、"),
        review: u.review.is_some(),
        suggestion: u.suggested.as_ref().map(|s| {
            (
                s.unit_id.clone(),
                s.name.clone(),
                format!("{:.0}%", s.confidence * 100.0),
            )
        }),
    }
}

/// What the person typed in the two forms, kept when one is refused.
#[derive(serde::Deserialize, Default)]
pub struct UnitsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    alias: String,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
    typed: &UnitsForm,
    notice: String,
    error: String,
) -> Result<Response, PageError> {
    let units = state.store.units(&region.id).await?;
    // Probable variants of a known unit first: a merge is the decision
    // that matters; a plainly new unit only needs a nod.
    let mut to_review: Vec<UnitLine> = units
        .iter()
        .filter(|u| u.review.is_some())
        .map(line)
        .collect();
    to_review.sort_by_key(|u| u.suggestion.is_none());
    let page = UnitsPage {
        chrome: Chrome::new(state, viewer, region, "单位库"),
        region_id: region.id.clone(),
        to_review,
        names: units.iter().map(|u| u.name.clone()).collect(),
        units: units.iter().map(line).collect(),
        merge_from: typed.from.clone(),
        merge_into: typed.into.clone(),
        alias_unit: typed.unit.clone(),
        alias: typed.alias.clone(),
        notice,
        error,
    };
    Ok(with_status(html(&page), &page.error))
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /r/{region}/admin/units`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let region = guard(&state, &viewer, &region_key, Action::ManageUnits).await?;
    let notice = match q.done.as_deref() {
        Some("merged") => {
            "已合并：原单位的任务、专班成员和清单都已转到目标单位，原名称保留为别名。"
        }
        Some("alias") => "别名已添加。",
        Some("reviewed") => "已确认为独立单位。",
        _ => "",
    };
    render(
        &state,
        &viewer,
        &region,
        &UnitsForm::default(),
        notice.into(),
        String::new(),
    )
    .await
}

/// `POST /r/{region}/admin/units/merge` `from`, `into` (id, name or alias)
pub async fn merge(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<UnitsForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUnits).await?;
    match state
        .store
        .merge_units(&region.id, f.from.trim(), f.into.trim(), &viewer.who.user)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/r/{}/admin/units?done=merged",
            region.id
        ))),
        Err(e) => render(&state, &viewer, &region, &f, String::new(), refusal(e)?).await,
    }
}

/// `POST /r/{region}/admin/units/alias` `unit`, `alias`
pub async fn alias(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<UnitsForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUnits).await?;
    let alias = match UnitName::parse(&f.alias) {
        Ok(a) => a,
        Err(e) => return render(&state, &viewer, &region, &f, String::new(), e.to_string()).await,
    };
    match state
        .store
        .add_alias(&region.id, f.unit.trim(), &alias, &viewer.who.user)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/r/{}/admin/units?done=alias",
            region.id
        ))),
        Err(e) => render(&state, &viewer, &region, &f, String::new(), refusal(e)?).await,
    }
}

/// `POST /r/{region}/admin/units/review` `unit`: a new unit is its own.
pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Form(f): Form<UnitsForm>,
) -> Result<Response, PageError> {
    viewer.check_csrf(&f.csrf)?;
    let region = guard(&state, &viewer, &region_key, Action::ManageUnits).await?;
    match state
        .store
        .mark_unit_reviewed(&region.id, f.unit.trim(), &viewer.who.user)
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/r/{}/admin/units?done=reviewed",
            region.id
        ))),
        Err(e) => {
            let typed = UnitsForm::default();
            render(&state, &viewer, &region, &typed, String::new(), refusal(e)?).await
        }
    }
}
