//! 下级区域 (a city's or province's leaders): each child region's campaigns
//! with their lights and rates, and a ranking of the child regions, each
//! linking to its own dashboard.
//!
//! Access follows the region tree through the one rule of
//! `duban_core::policy` (`guard_for` → `region_in_scope`): users of a
//! region read the regions below it, never a sibling. The figures are each
//! child's `GET …/summary` (its campaigns' latest cycles), rolled up and
//! ranked by `duban_core::dashboard::roll_up`.

use super::dashboard::{dashboard_data, parse_query, DashQuery, DashboardData, Selection};
use super::{html, Chrome, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::response::Response;
use duban_core::dashboard::{self as figures, CampaignFigures, RegionFigures};
use duban_core::policy::Action;
use duban_store::Region;
use std::sync::Arc;

/// One campaign of a child region, as shown in the matrix.
pub struct CampaignCell {
    pub plan: i64,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub on_time_rate: String,
}

/// A child region with its place, figures and campaigns.
/// `as_of` names the selection the figures are for.
pub struct RegionRow {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub score: String,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub reporting_rate: String,
    pub on_time_rate: String,
    pub campaigns: Vec<CampaignCell>,
    pub as_of: String,
}

/// The roll-up of `region`'s direct children for a selection (the same
/// cycle or month as the dashboard that shows it), best first; empty when
/// it has none. Each child's figures are its own dashboard's data, cached
/// per that child's ledger version, so the roll-up costs a version lookup
/// per child once warm.
pub async fn roll_up(
    state: &AppState,
    region: &Region,
    selection: Selection,
) -> Result<RollUp, PageError> {
    let children: Vec<Region> = state
        .store
        .regions()
        .await?
        .into_iter()
        .filter(|r| r.parent_id.as_deref() == Some(region.id.as_str()))
        .collect();
    let mut data = Vec::with_capacity(children.len());
    for c in children {
        let d = dashboard_data(state, &c.id, selection, None).await?;
        data.push((c, d));
    }
    let mut seqs: Vec<i64> = data.iter().flat_map(|(_, d)| d.seqs.clone()).collect();
    seqs.sort();
    seqs.dedup();
    let mut months: Vec<(String, String)> =
        data.iter().flat_map(|(_, d)| d.months.clone()).collect();
    months.sort_by(|a, b| b.0.cmp(&a.0));
    months.dedup();
    Ok(RollUp {
        rows: rows_of(&data),
        seqs,
        months,
    })
}

/// The children's rows, and the cycle numbers and months they can be
/// viewed by (a city without plans of its own offers its counties').
pub struct RollUp {
    pub rows: Vec<RegionRow>,
    pub seqs: Vec<i64>,
    pub months: Vec<(String, String)>,
}

fn rows_of(children: &[(Region, Arc<DashboardData>)]) -> Vec<RegionRow> {
    let figures_in: Vec<RegionFigures> = children
        .iter()
        .map(|(r, d)| RegionFigures {
            region: r.id.clone(),
            campaigns: d
                .campaigns
                .iter()
                .filter(|c| !c.cycle_id.is_empty())
                .map(|c| CampaignFigures {
                    plan: c.plan,
                    green: c.green,
                    yellow: c.yellow,
                    red: c.red,
                    metrics: c.metrics,
                })
                .collect(),
        })
        .collect();
    figures::roll_up(&figures_in)
        .into_iter()
        .filter_map(|ranked| {
            let (region, d) = children.iter().find(|(r, _)| r.id == ranked.region)?;
            let rate = |v: f64| {
                if ranked.metrics.expected == 0 {
                    "—".to_string()
                } else {
                    format!("{:.0}%", v * 100.0)
                }
            };
            Some(RegionRow {
                rank: ranked.rank,
                id: region.id.clone(),
                name: region.name.clone(),
                score: format!("{:.1}", ranked.score),
                green: ranked.green,
                yellow: ranked.yellow,
                red: ranked.red,
                reporting_rate: rate(ranked.metrics.reporting_rate),
                on_time_rate: rate(ranked.metrics.on_time_rate),
                campaigns: d
                    .campaigns
                    .iter()
                    .filter(|c| !c.cycle_id.is_empty())
                    .map(|c| CampaignCell {
                        plan: c.plan,
                        green: c.green,
                        yellow: c.yellow,
                        red: c.red,
                        on_time_rate: c.on_time_rate.clone(),
                    })
                    .collect(),
                as_of: d.selection_label.clone(),
            })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage {
    chrome: Chrome,
    rows: Vec<RegionRow>,
    plans: Vec<i64>,
    chart: String,
    query: String,
}

/// `GET /r/{region}/regions`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
    Query(q): Query<DashQuery>,
) -> Result<Response, PageError> {
    let region = guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::ReadDashboard,
    )
    .await?;
    let (selection, _) = parse_query(&q)?;
    let rows = roll_up(&state, &region, selection).await?.rows;
    let mut plans: Vec<i64> = rows
        .iter()
        .flat_map(|r| r.campaigns.iter().map(|c| c.plan))
        .collect();
    plans.sort();
    plans.dedup();
    let chart = duban_chart::light_bars(
        &format!("各下级区域红黄绿灯（{}，各攻坚合计）", selection.label()),
        &rows
            .iter()
            .map(|r| {
                (
                    format!("{}. {}", r.rank, r.name),
                    r.green as u64,
                    r.yellow as u64,
                    r.red as u64,
                )
            })
            .collect::<Vec<_>>(),
    )
    .svg();
    let page = RegionsPage {
        chrome: Chrome::new(&state, &viewer, &region, "下级区域"),
        rows,
        plans,
        chart,
        query: selection.query(),
    };
    Ok(html(&page))
}

impl RegionRow {
    /// The cell of campaign `plan`, for the matrix (askama cannot search).
    pub fn cell(&self, plan: &i64) -> Option<&CampaignCell> {
        self.campaigns.iter().find(|c| c.plan == *plan)
    }
}
