//! 看板 (leaders, the coordination group; an office sees its own campaign):
//! every campaign of the region in the chosen cycle or month — lights as a
//! chart, reporting and on-time rates, their trend over the year's cycles
//! and the change since the previous cycle; the 龙虎榜 with each unit's
//! terms and rank movement; every red and yellow task with its reason,
//! responsible units and days overdue; open coordination requests by age;
//! the goal indicators against their time-proportional expected values.
//!
//! The figures come from the cycle evaluations the desk already uses
//! ([`super::evaluation`], cached per ledger version) and the pure
//! functions of `duban_core::dashboard`; the charts are SVG from
//! `duban-chart`, drawn on the server so they print without JavaScript.
//! The whole page's data is cached per (region, selection, scope, day,
//! ledger version), so a leader's reload costs one version lookup.

use super::desk::light_class;
use super::{html, Chrome, PageError, Viewer};
use crate::auth::guard_for;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_core::cycles::Stage;
use duban_core::dashboard::{self as figures, CyclePoint, Movement, Window};
use duban_core::dates::Date;
use duban_core::evaluation::{reason_zh, Light};
use duban_core::names::Role;
use duban_core::policy::Action;
use duban_store::{Cycle, Evaluation};
use std::collections::HashMap;
use std::sync::Arc;

/// Which cycle of each campaign the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Each campaign's latest cycle that is over, else the one under way
    /// (`duban_core::cycles::default_cycle`, as `GET …/summary`).
    Latest,
    /// The cycle numbered so (第 N 期) in each campaign.
    Seq(i64),
    /// The cycle standing for a month (see `figures::cycle_for_month`).
    Month(i32, u32),
}

impl Selection {
    /// The selection as a query string for links (`cycle=3`, `month=…`).
    pub fn query(self) -> String {
        match self {
            Selection::Latest => String::new(),
            Selection::Seq(n) => format!("cycle={n}"),
            Selection::Month(y, m) => format!("month={y:04}-{m:02}"),
        }
    }

    fn key(self) -> String {
        match self {
            Selection::Latest => "latest".into(),
            Selection::Seq(n) => format!("seq{n}"),
            Selection::Month(y, m) => format!("{y:04}-{m:02}"),
        }
    }

    pub fn label(self) -> String {
        match self {
            Selection::Latest => "各攻坚最近截止的一期".into(),
            Selection::Seq(n) => format!("第 {n} 期"),
            Selection::Month(y, m) => format!("{y} 年 {m} 月"),
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct DashQuery {
    #[serde(default)]
    cycle: Option<String>,
    #[serde(default)]
    month: Option<String>,
    #[serde(default)]
    plan: Option<String>,
}

fn bad(msg: &str) -> PageError {
    PageError::new(StatusCode::BAD_REQUEST, msg)
}

/// Reads the query: a month (`YYYY-MM`) wins over a cycle number; empty
/// fields (from the forms' "latest" choice) mean no choice.
pub fn parse_query(q: &DashQuery) -> Result<(Selection, Option<i64>), PageError> {
    fn field(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let plan = match field(&q.plan) {
        None => None,
        Some(p) => Some(
            p.parse::<i64>()
                .ok()
                .filter(|n| (1..=99).contains(n))
                .ok_or_else(|| {
                    bad("攻坚编号应为 1–99 的数字。/ plan must be a number from 1 to 99.")
                })?,
        ),
    };
    if let Some(m) = field(&q.month) {
        let parsed = m
            .split_once('-')
            .and_then(|(y, mo)| Some((y.parse::<i32>().ok()?, mo.parse::<u32>().ok()?)))
            .filter(|(y, mo)| (1900..=2199).contains(y) && (1..=12).contains(mo));
        return match parsed {
            Some((y, mo)) => Ok((Selection::Month(y, mo), plan)),
            None => Err(bad(
                "月份格式应为 YYYY-MM，例如 2025-06。/ month must look like 2025-06.",
            )),
        };
    }
    if let Some(c) = field(&q.cycle) {
        return match c.parse::<i64>().ok().filter(|n| (1..=999).contains(n)) {
            Some(n) => Ok((Selection::Seq(n), plan)),
            None => Err(bad(
                "周期应为期数（1–999）。/ cycle must be a cycle number from 1 to 999.",
            )),
        };
    }
    Ok((Selection::Latest, plan))
}

pub struct CampaignView {
    pub plan: i64,
    pub title: String,
    /// "第 3 期（06-16 至 06-27）", or empty without a cycle.
    pub cycle_label: String,
    pub cycle_id: String,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub reporting_rate: String,
    pub on_time_rate: String,
    pub expected: usize,
    pub actual: usize,
    pub on_time: usize,
    pub metrics: duban_core::evaluation::ReportingMetrics,
    /// Light counts and rates since the previous cycle, in words.
    pub change: String,
}

pub struct RankView {
    pub plan: i64,
    /// 红榜 (best) or 黑榜 (worst).
    pub board: &'static str,
    pub rank: usize,
    pub of: usize,
    pub unit: String,
    pub score: String,
    pub on_time: String,
    pub green_share: String,
    pub red: usize,
    pub requests: String,
    pub movement: String,
}

pub struct AlertView {
    pub plan: i64,
    pub cycle_id: String,
    pub task_id: String,
    pub title: String,
    pub light: &'static str,
    pub class: &'static str,
    /// The Chinese half of the stored reason (`reason_zh`): pages are in
    /// Simplified Chinese, while the JSON API keeps the bilingual text.
    pub reason: String,
    pub lead: String,
    pub co: String,
    pub deadline: String,
    pub overdue: i64,
}

pub struct RequestView {
    pub plan: i64,
    pub task_id: String,
    pub task: String,
    pub cycle_id: String,
    pub from_unit: String,
    pub to: String,
    pub text: String,
    pub raised_on: String,
    pub age_days: i64,
}

pub struct IndicatorView {
    pub plan: i64,
    pub metric: String,
    pub owner: String,
    pub target: String,
    pub expected: String,
    pub current: String,
    pub verdict: &'static str,
    pub class: &'static str,
}

/// Everything the page shows but the chrome: computed once per ledger
/// version and shared by every viewer of the same scope.
pub struct DashboardData {
    pub selection_label: String,
    pub campaigns: Vec<CampaignView>,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub reporting_rate: String,
    pub on_time_rate: String,
    pub lights_svg: String,
    pub trend_svg: String,
    pub ranking: Vec<RankView>,
    pub alerts: Vec<AlertView>,
    pub requests: Vec<RequestView>,
    pub indicators: Vec<IndicatorView>,
    pub bullets_svg: String,
    /// The cycle numbers and months that can be chosen.
    pub seqs: Vec<i64>,
    pub months: Vec<(String, String)>,
}

/// The page: the frame (whose header names the viewer and carries the
/// form token) around the body, which is the same for every viewer of a
/// scope and is kept rendered per ledger version.
#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    body: Arc<String>,
}

/// Everything below the header, rendered once per ledger version.
#[derive(Template)]
#[template(path = "dashboard_body.html")]
struct DashboardBody {
    region_id: String,
    region_name: String,
    data: Arc<DashboardData>,
    selected_seq: i64,
    selected_month: String,
    plan: Option<i64>,
    /// The plans the viewer may pick (all for leaders and admin).
    plans: Vec<(i64, String)>,
    children: Vec<super::regions::RegionRow>,
    /// The selection as a query string, for the links to other pages.
    query: String,
    seqs: Vec<i64>,
    months: Vec<(String, String)>,
    /// The month whose bulletin (通报) the download link writes: the chosen
    /// month, else the latest month that is over ([`bulletin_month`]).
    bulletin_month: String,
    /// Listed rectification items (挂牌督办) not yet closed, at the top until
    /// closed (issue 13). Supervision writes are audited and so move the
    /// ledger version: the cached body is never staler than the ledger.
    listed: Vec<super::supervision::ItemRow>,
}

impl DashboardBody {
    /// Whether the page is drilled into campaign `no` (for the menu).
    fn is_plan(&self, no: &i64) -> bool {
        self.plan == Some(*no)
    }
}

/// A 0..=1 share as a percentage with one decimal (for the charts).
fn pct1(v: f64) -> f64 {
    (v * 1000.0).round() / 10.0
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// The trend chart's series colours (7 campaigns), with dash patterns so
/// that neighbouring lines differ by more than hue.
const PALETTE: [(&str, Option<&str>); 8] = [
    ("#1565c0", None),
    ("#c62828", Some("6 3")),
    ("#2e7d32", None),
    ("#6a1b9a", Some("2 3")),
    ("#ef6c00", None),
    ("#00838f", Some("6 3")),
    ("#5d4037", None),
    ("#455a64", Some("2 3")),
];

/// `GET /r/{region}/dashboard?cycle=N | month=YYYY-MM [&plan=]`
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
    let (selection, asked_plan) = parse_query(&q)?;
    // An office sees its own campaign; others all, or the one drilled into.
    let office_plan = (viewer.who.role == Role::Office)
        .then(|| viewer.who.campaign.map(i64::from))
        .flatten();
    if viewer.who.role == Role::Office && office_plan.is_none() {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "该专班办公室账号没有指定攻坚，无法查看看板。/ This office account has no campaign.",
        ));
    }
    if let (Some(own), Some(asked)) = (office_plan, asked_plan) {
        if own != asked {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                "专班办公室只能查看本攻坚的看板。/ An office sees only its own campaign.",
            ));
        }
    }
    let scope = office_plan.or(asked_plan);
    // The rendered body is kept per this region's ledger version and the
    // versions of its children (their figures are in the roll-up).
    let version = state.store.ledger_version(&region.id).await?;
    let mut key = format!(
        "{}|{}|{}|{}|{}",
        region.id,
        selection.key(),
        scope.map_or("all".to_string(), |p| p.to_string()),
        office_plan.is_some(),
        state.today()
    );
    let mut child_ids = Vec::new();
    for child in state
        .store
        .regions()
        .await?
        .iter()
        .filter(|r| r.parent_id.as_deref() == Some(region.id.as_str()))
    {
        let v = state.store.ledger_version(&child.id).await?;
        key.push_str(&format!("|{}:{v}", child.id));
        child_ids.push(child.id.clone());
    }
    let body = state
        .pages
        .dashboard_html
        .get_with(&key, version, || {
            render_body(&state, &region, &child_ids, selection, scope, office_plan)
        })
        .await?;
    let chrome = Chrome::new(&state, &viewer, &region, "看板");
    Ok(html(&DashboardPage { chrome, body }))
}

/// The dashboard's body (all but the viewer's header), rendered: the same
/// for every viewer with the same selection, scope and office restriction.
async fn render_body(
    state: &AppState,
    region: &duban_store::Region,
    child_ids: &[String],
    selection: Selection,
    scope: Option<i64>,
    office_plan: Option<i64>,
) -> Result<String, PageError> {
    let plans: Vec<(i64, String)> = state
        .store
        .plans(&region.id)
        .await?
        .into_iter()
        .filter(|p| p.no > 0 && office_plan.is_none_or(|o| o == p.no))
        .map(|p| (p.no, p.title))
        .collect();
    let data = dashboard_data(state, &region.id, selection, scope).await?;
    let up = super::regions::roll_up(state, region, selection).await?;
    let children = up.rows;
    // The choices: this region's cycles and months, and its children's.
    let mut seqs = data.seqs.clone();
    seqs.extend(up.seqs);
    seqs.sort();
    seqs.dedup();
    let mut months = data.months.clone();
    months.extend(up.months);
    months.sort_by(|a, b| b.0.cmp(&a.0));
    months.dedup();
    let bulletin_month = match selection {
        Selection::Month(y, m) => format!("{y:04}-{m:02}"),
        _ => {
            // A city's own cycles are few or none: its children's count.
            let mut cycles = state.store.cycles(&region.id, None).await?;
            for id in child_ids {
                cycles.extend(state.store.cycles(id, None).await?);
            }
            bulletin_month(&cycles, state.today())
                .or_else(|| months.first().map(|(v, _)| v.clone()))
                .unwrap_or_default()
        }
    };
    let body = DashboardBody {
        region_id: region.id.clone(),
        region_name: region.name.clone(),
        data,
        selected_seq: match selection {
            Selection::Seq(n) => n,
            _ => 0,
        },
        selected_month: match selection {
            Selection::Month(y, m) => format!("{y:04}-{m:02}"),
            _ => String::new(),
        },
        plan: scope,
        plans,
        children,
        query: selection.query(),
        seqs,
        months,
        bulletin_month,
        listed: super::supervision::listed_rows(state, &region.id, state.today())
            .await?
            .into_iter()
            .filter(|i| scope.is_none_or(|p| i64::from(i.plan) == p))
            .collect(),
    };
    body.render().map_err(|e| {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("页面渲染失败：{e}。/ The page could not be rendered."),
        )
    })
}

/// The page data of a region for a selection and scope (one campaign, or
/// all when `None`), cached per ledger version.
pub async fn dashboard_data(
    state: &AppState,
    region_id: &str,
    selection: Selection,
    scope: Option<i64>,
) -> Result<Arc<DashboardData>, PageError> {
    let version = state.store.ledger_version(region_id).await?;
    let today = state.today();
    let key = format!(
        "{region_id}|{}|{}|{today}",
        selection.key(),
        scope.map_or("all".to_string(), |p| p.to_string())
    );
    state
        .pages
        .dashboard
        .get_with(&key, version, || {
            compute(state, region_id, selection, scope, today)
        })
        .await
}

/// One campaign's cycles that have opened, oldest first, and the one
/// selected (its index); by default the one `GET …/summary` shows.
fn choose(cycles: &[Cycle], selection: Selection, today: Date) -> Option<usize> {
    match selection {
        Selection::Latest => {
            let states: Vec<_> = cycles.iter().map(Cycle::state).collect();
            duban_core::cycles::default_cycle(&states, today)
        }
        Selection::Seq(n) => cycles.iter().position(|c| c.seq == n),
        Selection::Month(y, m) => {
            let windows: Vec<Window> = cycles
                .iter()
                .map(|c| Window {
                    opens_on: Date::parse(&c.opens_on).unwrap_or(Date::MIN),
                    due_on: Date::parse(&c.due_on).unwrap_or(Date::MIN),
                })
                .collect();
            figures::cycle_for_month(&windows, (y, m))
        }
    }
}

fn point(e: &Evaluation) -> CyclePoint {
    CyclePoint {
        green: e.green,
        yellow: e.yellow,
        red: e.red,
        metrics: e.metrics,
    }
}

fn change_text(prev: Option<&CyclePoint>, cur: &CyclePoint) -> String {
    match figures::change(prev, cur) {
        None => "首期，无可比较".into(),
        Some(c) => format!(
            "绿 {} · 黄 {} · 红 {}；报送率 {}、按时率 {} 个百分点",
            figures::signed(c.green as f64),
            figures::signed(c.yellow as f64),
            figures::signed(c.red as f64),
            figures::signed(c.reporting_rate_pp),
            figures::signed(c.on_time_rate_pp),
        ),
    }
}

async fn compute(
    state: &AppState,
    region_id: &str,
    selection: Selection,
    scope: Option<i64>,
    today: Date,
) -> Result<DashboardData, PageError> {
    let plans: Vec<(i64, String)> = state
        .store
        .plans(region_id)
        .await?
        .into_iter()
        .filter(|p| p.no > 0 && scope.is_none_or(|s| s == p.no))
        .map(|p| (p.no, p.title))
        .collect();
    let today_s = today.to_string();
    let mut by_plan: HashMap<i64, Vec<Cycle>> = HashMap::new();
    for c in state.store.cycles(region_id, None).await? {
        if c.opens_on <= today_s {
            by_plan.entry(c.plan).or_default().push(c);
        }
    }
    for list in by_plan.values_mut() {
        list.sort_by(|a, b| (a.opens_on.as_str(), a.seq).cmp(&(b.opens_on.as_str(), b.seq)));
    }
    let tasks: HashMap<String, duban_store::TaskRow> = state
        .store
        .tasks(region_id, &duban_store::TaskFilter::default())
        .await?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let names = |units: &[duban_store::UnitRef]| {
        units
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };

    let mut seqs: Vec<i64> = Vec::new();
    let mut first_open: Option<Date> = None;
    let mut campaigns = Vec::new();
    let mut ranking = Vec::new();
    let mut alerts = Vec::new();
    let mut indicators = Vec::new();
    let mut bullets = Vec::new();
    let mut trend_categories: Vec<i64> = Vec::new();
    let mut trend_series: Vec<(String, HashMap<i64, f64>)> = Vec::new();
    let mut single_trend: Option<duban_chart::LineChart> = None;
    let (mut expected, mut actual, mut on_time) = (0, 0, 0);
    let (mut green, mut yellow, mut red) = (0, 0, 0);
    let mut cycle_of_plan: HashMap<i64, String> = HashMap::new();
    // The number and stage of each campaign's cycle shown, for the label.
    let mut shown: Vec<(i64, Stage)> = Vec::new();
    for (plan, title) in &plans {
        let cycles = by_plan.get(plan).map(Vec::as_slice).unwrap_or(&[]);
        for c in cycles {
            if !seqs.contains(&c.seq) {
                seqs.push(c.seq);
            }
            if let Some(d) = Date::parse(&c.opens_on) {
                first_open = Some(first_open.map_or(d, |f: Date| f.min(d)));
            }
        }
        let Some(idx) = choose(cycles, selection, today) else {
            campaigns.push(CampaignView {
                plan: *plan,
                title: title.clone(),
                cycle_label: String::new(),
                cycle_id: String::new(),
                green: 0,
                yellow: 0,
                red: 0,
                reporting_rate: "—".into(),
                on_time_rate: "—".into(),
                expected: 0,
                actual: 0,
                on_time: 0,
                metrics: Default::default(),
                change: "本期没有调度周期".into(),
            });
            continue;
        };
        // The trend: every opened cycle up to the selected one (26 at most).
        let from = (idx + 1).saturating_sub(26);
        let mut evals: Vec<(i64, Arc<Evaluation>)> = Vec::new();
        for c in &cycles[from..=idx] {
            let as_of = duban_store::default_as_of(c, today);
            evals.push((c.seq, super::evaluation(state, region_id, c, as_of).await?));
        }
        let Some((_, e)) = evals.last().cloned() else {
            continue;
        };
        let c = &cycles[idx];
        cycle_of_plan.insert(*plan, c.id.clone());
        shown.push((c.seq, c.state().stage(today)));
        let prev = evals.len().checked_sub(2).map(|i| evals[i].1.clone());
        let cur = point(&e);
        campaigns.push(CampaignView {
            plan: *plan,
            title: title.clone(),
            cycle_label: format!(
                "第 {} 期（{} 至 {}，{}）",
                c.seq,
                c.opens_on.get(5..).unwrap_or(&c.opens_on),
                c.due_on.get(5..).unwrap_or(&c.due_on),
                c.state().stage(today).zh()
            ),
            cycle_id: c.id.clone(),
            green: e.green,
            yellow: e.yellow,
            red: e.red,
            reporting_rate: pct(e.metrics.reporting_rate),
            on_time_rate: pct(e.metrics.on_time_rate),
            expected: e.metrics.expected,
            actual: e.metrics.actual,
            on_time: e.metrics.on_time,
            metrics: e.metrics,
            change: change_text(prev.as_deref().map(point).as_ref(), &cur),
        });
        green += e.green;
        yellow += e.yellow;
        red += e.red;
        expected += e.metrics.expected;
        actual += e.metrics.actual;
        on_time += e.metrics.on_time;
        for (seq, _) in &evals {
            if !trend_categories.contains(seq) {
                trend_categories.push(*seq);
            }
        }
        trend_series.push((
            format!("攻坚{plan}"),
            evals
                .iter()
                .map(|(s, e)| (*s, pct1(e.metrics.on_time_rate)))
                .collect(),
        ));
        if plans.len() == 1 {
            let v = |f: fn(&Evaluation) -> Option<f64>| -> Vec<Option<f64>> {
                evals.iter().map(|(_, e)| f(e)).collect()
            };
            single_trend = Some(duban_chart::LineChart {
                title: format!("攻坚{plan} 各期报送率、按时率与绿灯占比"),
                categories: evals.iter().map(|(s, _)| format!("第{s}期")).collect(),
                series: vec![
                    line("报送率", 0, v(|e| Some(pct1(e.metrics.reporting_rate)))),
                    line("按时报送率", 1, v(|e| Some(pct1(e.metrics.on_time_rate)))),
                    line("绿灯占比", 2, v(|e| point(e).green_share().map(pct1))),
                ],
                y_max: Some(100.0),
                unit: "%".into(),
            });
        }

        // 龙虎榜: the best three and the worst three, with their terms.
        let moves: HashMap<String, Movement> =
            figures::rank_movement(prev.as_ref().map_or(&[], |p| &p.ranking), &e.ranking)
                .into_iter()
                .collect();
        let n = e.ranking.len();
        let best = e.ranking.iter().take(3);
        let worst = e.ranking.iter().skip(3.max(n.saturating_sub(3)));
        for (board, r) in best.map(|r| ("红榜", r)).chain(worst.map(|r| ("黑榜", r))) {
            let rec = &r.record;
            let lights = rec.green + rec.yellow + rec.red;
            ranking.push(RankView {
                plan: *plan,
                board,
                rank: r.rank,
                of: n,
                unit: r.unit.clone(),
                score: format!("{:.1}", r.score),
                on_time: if rec.metrics.expected == 0 {
                    "—".into()
                } else {
                    format!(
                        "{}（{}/{}）",
                        pct(rec.metrics.on_time_rate),
                        rec.metrics.on_time,
                        rec.metrics.expected
                    )
                },
                green_share: if lights == 0 {
                    "—".into()
                } else {
                    format!(
                        "{}（{}/{}）",
                        pct(rec.green as f64 / lights as f64),
                        rec.green,
                        lights
                    )
                },
                red: rec.red,
                requests: if rec.requests_owed == 0 {
                    "—".into()
                } else {
                    format!("{}/{}", rec.requests_resolved, rec.requests_owed)
                },
                movement: moves
                    .get(&r.unit)
                    .map(|m| m.zh())
                    .unwrap_or_else(|| Movement::New.zh()),
            });
        }

        let as_of = duban_store::default_as_of(c, today);
        for t in e.tasks.iter().filter(|t| t.light != Light::Green) {
            let row = tasks.get(&t.task_id);
            let deadline = row
                .and_then(|r| r.due_date.as_deref())
                .and_then(Date::parse);
            alerts.push(AlertView {
                plan: *plan,
                cycle_id: c.id.clone(),
                task_id: t.task_id.clone(),
                title: t.title.clone(),
                light: t.light.zh(),
                class: light_class(t.light),
                reason: reason_zh(&t.reason).to_string(),
                lead: row.map_or_else(|| t.lead.clone(), |r| names(&r.lead_units)),
                co: row.map(|r| names(&r.co_units)).unwrap_or_default(),
                deadline: deadline.map_or("持续推进".into(), |d| d.to_string()),
                overdue: figures::days_overdue(deadline, as_of),
            });
        }

        for i in &e.indicators {
            let (expected_v, verdict, class) = match &i.attainment {
                Some(a) if a.on_track => (Some(a.expected), "达到序时进度", "green"),
                Some(a) => (Some(a.expected), "未达序时进度", "red"),
                None => (None, "未报送", "yellow"),
            };
            let cmp = super::comparator_label(&i.comparator);
            indicators.push(IndicatorView {
                plan: *plan,
                metric: i.metric.clone(),
                owner: i.owner.clone(),
                target: format!("{cmp}{}{}", duban_chart::fmt_num(i.value), i.unit),
                expected: expected_v
                    .map(|v| format!("{}{}", duban_chart::fmt_num(v), i.unit))
                    .unwrap_or_else(|| "—".into()),
                current: i
                    .current
                    .map(|v| format!("{}{}", duban_chart::fmt_num(v), i.unit))
                    .unwrap_or_else(|| "未报送".into()),
                verdict,
                class,
            });
            bullets.push(duban_chart::Bullet {
                label: i.metric.clone(),
                target: i.value,
                expected: expected_v.unwrap_or(0.0),
                actual: i.current,
                unit: i.unit.clone(),
                verdict: verdict.to_string(),
            });
        }
    }
    // Red first, then the longest overdue, then the plan's order.
    alerts.sort_by(|a, b| {
        (a.class != "red")
            .cmp(&(b.class != "red"))
            .then(b.overdue.cmp(&a.overdue))
            .then(a.plan.cmp(&b.plan))
    });

    // Open coordination requests of the campaigns shown, oldest first.
    let mut requests: Vec<RequestView> = state
        .store
        .coordination_requests(region_id, Some("open"))
        .await?
        .into_iter()
        .filter_map(|r| {
            let t = tasks.get(&r.task_id)?;
            let cycle_id = cycle_of_plan.get(&t.plan)?.clone();
            let raised = r.created_at.get(..10).and_then(Date::parse);
            Some(RequestView {
                plan: t.plan,
                task_id: r.task_id.clone(),
                task: t.title.clone(),
                cycle_id,
                from_unit: r.from_unit,
                to: r.addressed_to,
                text: r.text,
                raised_on: raised.map(|d| d.to_string()).unwrap_or_default(),
                age_days: raised.map_or(0, |d| today.days_since(d).max(0)),
            })
        })
        .collect();
    requests.sort_by(|a, b| {
        b.age_days
            .cmp(&a.age_days)
            .then(a.raised_on.cmp(&b.raised_on))
    });

    seqs.sort();
    let months = month_choices(first_open, today);
    let selection_label = match selection {
        Selection::Latest => latest_label(&shown),
        _ => selection.label(),
    };
    let lights_svg = duban_chart::light_bars(
        &format!("各攻坚红黄绿灯（{selection_label}）"),
        &campaigns
            .iter()
            .map(|c| {
                (
                    format!("攻坚{} {}", c.plan, short(&c.title)),
                    c.green as u64,
                    c.yellow as u64,
                    c.red as u64,
                )
            })
            .collect::<Vec<_>>(),
    )
    .svg();
    trend_categories.sort();
    let trend_svg = match single_trend {
        Some(chart) => chart.svg(),
        None => duban_chart::LineChart {
            title: "各攻坚按时报送率趋势".into(),
            categories: trend_categories
                .iter()
                .map(|s| format!("第{s}期"))
                .collect(),
            series: trend_series
                .iter()
                .enumerate()
                .map(|(i, (name, values))| {
                    line(
                        name,
                        i,
                        trend_categories
                            .iter()
                            .map(|s| values.get(s).copied())
                            .collect(),
                    )
                })
                .collect(),
            y_max: Some(100.0),
            unit: "%".into(),
        }
        .svg(),
    };
    let metrics = duban_core::evaluation::reporting_metrics(expected, actual, on_time);
    Ok(DashboardData {
        selection_label,
        campaigns,
        green,
        yellow,
        red,
        reporting_rate: if expected == 0 {
            "—".into()
        } else {
            pct(metrics.reporting_rate)
        },
        on_time_rate: if expected == 0 {
            "—".into()
        } else {
            pct(metrics.on_time_rate)
        },
        lights_svg,
        trend_svg,
        ranking,
        alerts,
        requests,
        bullets_svg: duban_chart::BulletChart {
            title: "主要指标：年度累计、序时进度与目标".into(),
            rows: bullets,
        }
        .svg(),
        indicators,
        seqs,
        months,
    })
}

/// The month (`YYYY-MM`) a bulletin link offers by default: offices issue
/// the 通报 for the month that is over, not the one in progress (whose
/// cycles still count every unreported task red); see
/// `duban_core::cycles::bulletin_month`. `None` while no month is over.
pub fn bulletin_month(cycles: &[Cycle], today: Date) -> Option<String> {
    let states: Vec<_> = cycles.iter().map(Cycle::state).collect();
    duban_core::cycles::bulletin_month(&states, today).map(|(y, m)| format!("{y:04}-{m:02}"))
}

/// What the default view shows, in words: "第 22 期（已截止）" when every
/// campaign shows the same cycle at the same stage (the usual case: one
/// cadence for all), else the rule itself.
fn latest_label(shown: &[(i64, Stage)]) -> String {
    match shown.split_first() {
        Some((first, rest)) if rest.iter().all(|s| s == first) => {
            format!("第 {} 期（{}）", first.0, first.1.zh())
        }
        _ => Selection::Latest.label(),
    }
}

fn line(name: &str, i: usize, values: Vec<Option<f64>>) -> duban_chart::LineSeries {
    let (stroke, dash) = PALETTE[i % PALETTE.len()];
    duban_chart::LineSeries {
        name: name.to_string(),
        stroke: stroke.to_string(),
        dash: dash.map(str::to_string),
        values,
    }
}

/// A campaign title without the plan's boilerplate, short enough for a
/// chart label (the full title is in the table next to it).
fn short(title: &str) -> String {
    let t = title
        .trim_start_matches("汨罗市")
        .trim_end_matches("实施方案")
        .trim_end_matches("工作方案");
    t.chars().take(8).collect()
}

/// The months from the first cycle's opening to today, newest first:
/// (value `YYYY-MM`, label).
fn month_choices(first: Option<Date>, today: Date) -> Vec<(String, String)> {
    let Some(first) = first else {
        return vec![];
    };
    let (fy, fm, _) = first.ymd();
    let (ty, tm, _) = today.ymd();
    let mut out = Vec::new();
    let (mut y, mut m) = (ty, tm);
    while (y, m) >= (fy, fm) && out.len() < 36 {
        out.push((format!("{y:04}-{m:02}"), format!("{y} 年 {m} 月")));
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parsing() {
        let q = |c: Option<&str>, m: Option<&str>, p: Option<&str>| DashQuery {
            cycle: c.map(String::from),
            month: m.map(String::from),
            plan: p.map(String::from),
        };
        let ok = |x: DashQuery| parse_query(&x).ok();
        assert_eq!(ok(q(None, None, None)), Some((Selection::Latest, None)));
        assert_eq!(
            ok(q(Some(""), Some(""), Some(""))),
            Some((Selection::Latest, None))
        );
        assert_eq!(
            ok(q(Some("3"), None, Some("2"))),
            Some((Selection::Seq(3), Some(2)))
        );
        assert_eq!(
            ok(q(Some("3"), Some("2025-06"), None)),
            Some((Selection::Month(2025, 6), None))
        );
        for bad in [
            q(Some("x"), None, None),
            q(Some("0"), None, None),
            q(None, Some("2025-13"), None),
            q(None, Some("june"), None),
            q(None, None, Some("-1")),
        ] {
            assert!(parse_query(&bad).is_err());
        }
    }

    #[test]
    fn the_default_label_names_the_cycle_when_all_campaigns_agree() {
        assert_eq!(
            latest_label(&[(22, Stage::Closed), (22, Stage::Closed)]),
            "第 22 期（已截止）"
        );
        assert_eq!(latest_label(&[(1, Stage::Open)]), "第 1 期（填报中）");
        for mixed in [
            vec![(22, Stage::Closed), (21, Stage::Closed)],
            vec![(22, Stage::Closed), (22, Stage::PastDue)],
            vec![],
        ] {
            assert_eq!(latest_label(&mixed), "各攻坚最近截止的一期", "{mixed:?}");
        }
    }

    #[test]
    fn months_run_back_to_the_first_cycle() {
        let d = |s| Date::parse(s).unwrap();
        let m = month_choices(Some(d("2024-11-20")), d("2025-02-03"));
        let values: Vec<&str> = m.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(values, ["2025-02", "2025-01", "2024-12", "2024-11"]);
        assert!(month_choices(None, d("2025-02-03")).is_empty());
    }
}
