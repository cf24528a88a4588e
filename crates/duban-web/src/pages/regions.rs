//! 下级区域 (a city's or province's leaders): each child region's campaigns
//! with their lights and rates, and a ranking of the child regions, each
//! linking to its own dashboard.
//!
//! Access follows the region tree through the one rule of
//! `duban_core::policy` (`guard_for` → `region_in_scope`): users of a
//! region read the regions below it, never a sibling. The figures are each
//! child's `GET …/summary` (its campaigns' latest cycles), rolled up and
//! ranked by `duban_core::dashboard::roll_up`.

use super::{html, Chrome, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
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

/// The roll-up of `region`'s direct children, best first; empty when it
/// has none. Cached per the children's ledger versions.
pub async fn roll_up(state: &AppState, region: &Region) -> Result<Vec<RegionRow>, PageError> {
    let children: Vec<Region> = state
        .store
        .regions()
        .await?
        .into_iter()
        .filter(|r| r.parent_id.as_deref() == Some(region.id.as_str()))
        .collect();
    if children.is_empty() {
        return Ok(vec![]);
    }
    let today = state.today();
    let mut key = format!("{}|{today}", region.id);
    for c in &children {
        key.push_str(&format!(
            "|{}:{}",
            c.id,
            state.store.ledger_version(&c.id).await?
        ));
    }
    if let Some(rows) = state.pages.regions.get(&key, 0) {
        return Ok(rows_of(&rows));
    }
    let mut summaries = Vec::new();
    for c in &children {
        summaries.push((c.clone(), state.store.region_summary(&c.id, today).await?));
    }
    let data = Arc::new(summaries);
    state.pages.regions.put(key, 0, data.clone());
    Ok(rows_of(&data))
}

type Summaries = Vec<(Region, duban_store::RegionSummary)>;

fn rows_of(summaries: &Summaries) -> Vec<RegionRow> {
    let figures_in: Vec<RegionFigures> = summaries
        .iter()
        .map(|(r, s)| RegionFigures {
            region: r.id.clone(),
            campaigns: s
                .campaigns
                .iter()
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
            let (region, summary) = summaries.iter().find(|(r, _)| r.id == ranked.region)?;
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
                campaigns: summary
                    .campaigns
                    .iter()
                    .map(|c| CampaignCell {
                        plan: c.plan,
                        green: c.green,
                        yellow: c.yellow,
                        red: c.red,
                        on_time_rate: format!("{:.0}%", c.metrics.on_time_rate * 100.0),
                    })
                    .collect(),
                as_of: summary.as_of.clone(),
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
}

/// `GET /r/{region}/regions`
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(region_key): Path<String>,
) -> Result<Response, PageError> {
    let region = guard_for(
        &state,
        Some(&viewer.who),
        &region_key,
        Action::ReadDashboard,
    )
    .await?;
    let rows = roll_up(&state, &region).await?;
    let mut plans: Vec<i64> = rows
        .iter()
        .flat_map(|r| r.campaigns.iter().map(|c| c.plan))
        .collect();
    plans.sort();
    plans.dedup();
    let chart = duban_chart::light_bars(
        "各下级区域红黄绿灯（各攻坚最新一期合计）",
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
    };
    Ok(html(&page))
}

impl RegionRow {
    /// The cell of campaign `plan`, for the matrix (askama cannot search).
    pub fn cell(&self, plan: &i64) -> Option<&CampaignCell> {
        self.campaigns.iter().find(|c| c.plan == *plan)
    }
}
