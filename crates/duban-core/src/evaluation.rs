//! Evaluation rules (评价): time progress (序时进度), target attainment,
//! traffic lights (亮灯), reporting metrics (报送率/及时率), rankings
//! (龙虎榜) and the four rates (四比四提高). Pure functions; every number
//! they produce can be explained from the thresholds, which travel with it.

use crate::dates::Date;
use serde::{Deserialize, Serialize};

/// Thresholds of the traffic lights, configurable per plan. Shown wherever
/// a colour is shown, so every colour can be explained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thresholds {
    /// Behind time progress by more than this many percentage points: red.
    /// Behind by less: yellow.
    #[cfg_attr(feature = "openapi", schema(exclusive_minimum = 0, maximum = 100))]
    pub red_gap: f64,
    /// Within this many days of the deadline …
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 366))]
    #[serde(deserialize_with = "crate::wire::integer")]
    pub due_soon_days: i64,
    /// … and less than this completion (%): yellow.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub due_soon_min_completion: f64,
    /// `about` targets: within this share of the value (0.05 = ±5 %).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, exclusive_maximum = 1))]
    pub about_tolerance: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            red_gap: 15.0,
            due_soon_days: 15,
            due_soon_min_completion: 80.0,
            about_tolerance: 0.05,
        }
    }
}

/// The share (0..=100) of a task's time window that has passed on `today`.
/// Ongoing tasks (持续推进, no deadline) run through `plan_year`, the year
/// the plan is for: after that year they are at 100 %, so a finished 2025
/// plan does not turn green again in 2026 because a new calendar year
/// began (issue 7, item 12).
pub fn time_progress(start: Date, deadline: Option<Date>, plan_year: i32, today: Date) -> f64 {
    let (start, end) = match deadline {
        Some(d) => (start.min(d), d),
        None => (
            Date::first_of_year(plan_year),
            Date::last_of_year(plan_year),
        ),
    };
    if today <= start {
        return 0.0;
    }
    if today >= end {
        return 100.0;
    }
    let total = end.days_since(start) as f64;
    (today.days_since(start) as f64 / total * 100.0).clamp(0.0, 100.0)
}

/// The share (0..=1) of `plan_year` passed on `today`: 0 before the year,
/// 1 after it. Quantified targets are annual, so they follow the plan's
/// year, not the calendar year of `today`.
pub fn year_share(plan_year: i32, today: Date) -> f64 {
    time_progress(Date::first_of_year(plan_year), None, plan_year, today) / 100.0
}

/// The status a unit reports (未启动 / 推进中 / 已完成 / 滞后 / 受阻), from
/// the shared vocabularies.
pub use crate::vocab::ReportStatus as Status;
pub use crate::vocab::{Comparator, TargetKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn zh(self) -> &'static str {
        match self {
            Light::Green => "绿灯",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
}

/// What the light of one task in one cycle is decided from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LightInput {
    pub status: Status,
    /// Reported completion, 0..=100.
    pub completion: f64,
    pub time_progress: f64,
    /// Days until the deadline (negative when overdue); None for ongoing work.
    pub days_left: Option<i64>,
    /// The light of the previous cycle.
    pub previous: Option<Light>,
}

/// How a reason's two parts are joined: "受阻，需要协调。/ Blocked." (the
/// Chinese part ends with its own full stop, hence no space before the
/// slash).
const REASON_SEPARATOR: &str = "/ ";

/// A reason in both languages, Chinese first: what the API sends and what
/// a closed cycle stores with its lights (`task_lights.reason`).
///
/// It stays one string rather than becoming a struct because that string
/// is the stored and the wire form: lights of closed cycles are read back
/// from the database as text, and API clients read a string field. A
/// struct would need a migration and a new JSON shape, and would still
/// have to parse the stored text. Instead this function is the only
/// place that writes the format, and [`reason_zh`] / [`reason_en`] are
/// its exact inverse (tested over every reason this module produces), so
/// office files and pages can take the Chinese part without knowing how
/// reasons are joined.
pub fn bilingual(zh: &str, en: &str) -> String {
    format!("{zh}{REASON_SEPARATOR}{en}")
}

/// The Chinese part of a reason: what office files and printed pages
/// show. A reason without an English part is all Chinese.
pub fn reason_zh(reason: &str) -> &str {
    reason
        .split_once(REASON_SEPARATOR)
        .map_or(reason, |(zh, _)| zh)
        .trim()
}

/// The English part of a reason, empty when it has none.
pub fn reason_en(reason: &str) -> &str {
    reason
        .split_once(REASON_SEPARATOR)
        .map_or("", |(_, en)| en)
        .trim()
}

/// A colour with the reason for it, in words for office staff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub light: Light,
    pub reason: String,
}

pub fn light(i: &LightInput, t: &Thresholds) -> Verdict {
    let v = |light, zh: &str, en: &str| Verdict {
        light,
        reason: bilingual(zh, en),
    };
    if i.status == Status::Done || i.completion >= 100.0 {
        return v(Light::Green, "已完成。", "Done.");
    }
    if i.status == Status::Blocked {
        return v(Light::Red, "受阻，需要协调。", "Blocked.");
    }
    if i.days_left.is_some_and(|d| d < 0) {
        return v(Light::Red, "已过完成时限仍未完成。", "Overdue.");
    }
    let gap = i.time_progress - i.completion;
    if gap > t.red_gap {
        return v(
            Light::Red,
            &format!(
                "完成 {:.0}%，落后序时进度 {:.0}% 超过 {:.0} 个百分点。",
                i.completion, i.time_progress, t.red_gap
            ),
            &format!("Behind time progress by more than {:.0} points.", t.red_gap),
        );
    }
    if gap > 0.0 {
        return v(
            Light::Yellow,
            &format!(
                "完成 {:.0}%，落后序时进度 {:.0}%（{:.0} 个百分点以内）。",
                i.completion, i.time_progress, t.red_gap
            ),
            &format!("Behind time progress, within {:.0} points.", t.red_gap),
        );
    }
    if i.status == Status::Behind {
        return v(
            Light::Yellow,
            "单位自报滞后。",
            "Reported behind by the unit.",
        );
    }
    if i.days_left.is_some_and(|d| d <= t.due_soon_days) && i.completion < t.due_soon_min_completion
    {
        return v(
            Light::Yellow,
            &format!(
                "距完成时限不足 {} 天，完成比例低于 {:.0}%。",
                t.due_soon_days, t.due_soon_min_completion
            ),
            &format!(
                "Due within {} days with completion under {:.0}%.",
                t.due_soon_days, t.due_soon_min_completion
            ),
        );
    }
    if i.previous == Some(Light::Red) {
        return v(
            Light::Yellow,
            "上期红灯，本期已追上序时进度，转黄观察一期。",
            "Recovering from red: yellow for one cycle.",
        );
    }
    v(Light::Green, "按序时进度推进。", "On track.")
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attainment {
    /// What the value should be by now.
    pub expected: f64,
    pub on_track: bool,
    pub reason: String,
}

/// Whether a reported `current` value is on track for the target on a day
/// when `share` (0..=1) of the year has passed.
///
/// Cumulative quantities (count, level, point_change) follow the
/// time-proportional path `value × share`. Rates (growth, decrease, share)
/// are already year-to-date figures: their time-proportional path is flat,
/// so the rate itself is compared. Ceilings (`<=`) must hold all along.
pub fn attainment(
    kind: TargetKind,
    comparator: Comparator,
    value: f64,
    value_max: Option<f64>,
    current: f64,
    share: f64,
    t: &Thresholds,
) -> Attainment {
    let share = share.clamp(0.0, 1.0);
    let cumulative = kind.is_cumulative();
    let path = |v: f64| if cumulative { v * share } else { v };
    let (expected, on_track) = match comparator {
        Comparator::AtLeast => (path(value), current >= path(value)),
        Comparator::AtMost => (value, current <= value),
        Comparator::About => {
            let e = path(value);
            (e, current >= e - (e * t.about_tolerance).abs())
        }
        Comparator::Range => {
            let lo = path(value);
            let hi = value_max.unwrap_or(value);
            (lo, current >= lo && current <= hi)
        }
    };
    let reason = if on_track {
        bilingual(
            &format!("当前 {current}，应达 {expected:.2}，达标。"),
            "On track.",
        )
    } else {
        bilingual(
            &format!("当前 {current}，应达 {expected:.2}，未达标。"),
            "Off track.",
        )
    };
    Attainment {
        expected,
        on_track,
        reason,
    }
}

/// Reporting metrics, as DHIS2 defines them.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ReportingMetrics {
    pub expected: usize,
    pub actual: usize,
    pub on_time: usize,
    /// actual / expected, 0..=1.
    pub reporting_rate: f64,
    /// on_time / expected, 0..=1.
    pub on_time_rate: f64,
}

pub fn reporting_metrics(expected: usize, actual: usize, on_time: usize) -> ReportingMetrics {
    let rate = |n: usize| {
        if expected == 0 {
            1.0
        } else {
            n as f64 / expected as f64
        }
    };
    ReportingMetrics {
        expected,
        actual,
        on_time,
        reporting_rate: rate(actual),
        on_time_rate: rate(on_time),
    }
}

/// One unit's record in a cycle, from which its rank is computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRecord {
    pub unit: String,
    pub metrics: ReportingMetrics,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    /// Coordination requests addressed to the unit, and how many it resolved.
    pub requests_owed: usize,
    pub requests_resolved: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub rank: usize,
    pub unit: String,
    pub score: f64,
    /// The unit owed reports this cycle and sent none. Such units rank
    /// below every unit that reported, whatever their score.
    pub silent: bool,
    pub record: UnitRecord,
}

/// How a score term reads its (numerator, denominator) off a record.
type Fraction = fn(&UnitRecord) -> (usize, usize);

/// One term of the leaderboard score: its weight and the fraction it is
/// measured by. A term whose denominator is zero (no lead tasks, no
/// requests owed, no reports owed) says nothing about the unit, so it is
/// left out rather than counted as full marks: counting it as full marks
/// let a co-unit that sent nothing score level with one that reported on
/// time and green (issue 7, item 5).
const SCORE_TERMS: [(f64, Fraction); 3] = [
    (40.0, |r| (r.metrics.on_time, r.metrics.expected)),
    (40.0, |r| (r.green, r.green + r.yellow + r.red)),
    (20.0, |r| (r.requests_resolved, r.requests_owed)),
];

/// Points taken off per red light of a task the unit leads.
const RED_PENALTY: f64 = 5.0;

/// The composite behind the leaderboard (龙虎榜), out of 100: the weighted
/// mean of the terms that apply to the unit (on-time rate 40, share of
/// green lights on its lead tasks 40, share of coordination requests
/// resolved 20), scaled to 100, minus 5 per red light, floor 0. A unit
/// to which no term applies scores 0. Worked examples: `docs/evaluation.md`.
pub fn score(r: &UnitRecord) -> f64 {
    let (mut points, mut weight) = (0.0, 0.0);
    for (w, term) in SCORE_TERMS {
        let (num, den) = term(r);
        if den > 0 {
            points += w * (num as f64 / den as f64).min(1.0);
            weight += w;
        }
    }
    if weight == 0.0 {
        return 0.0;
    }
    (100.0 * points / weight - RED_PENALTY * r.red as f64).max(0.0)
}

/// Units best first: every unit that reported ranks above every unit that
/// owed reports and sent none; within each group by score, equal scores
/// in the order of their names.
pub fn rank(records: Vec<UnitRecord>) -> Vec<Ranked> {
    let mut scored: Vec<(bool, f64, UnitRecord)> = records
        .into_iter()
        .map(|r| {
            let silent = r.metrics.expected > 0 && r.metrics.actual == 0;
            (silent, score(&r), r)
        })
        .collect();
    scored.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| b.1.total_cmp(&a.1))
            .then_with(|| a.2.unit.cmp(&b.2.unit))
    });
    scored
        .into_iter()
        .enumerate()
        .map(|(i, (silent, score, record))| Ranked {
            rank: i + 1,
            unit: record.unit.clone(),
            score: (score * 10.0).round() / 10.0,
            silent,
            record,
        })
        .collect()
}

/// A project-list item as the four rates see it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProjectFigures {
    pub planned_investment: f64,
    pub funds_secured: f64,
    pub started: bool,
    pub funds_paid: f64,
    pub physical_progress: f64,
}

/// 四比四提高: 争资项目占比, 项目开工率, 资金支付率, 实物完成率 (0..=1).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct FourRates {
    pub projects: usize,
    /// Projects that secured funds / projects.
    pub funding_secured_share: f64,
    /// Projects started / projects.
    pub start_rate: f64,
    /// Funds paid / funds secured.
    pub disbursement_rate: f64,
    /// Physical progress weighted by planned investment (plain mean when no
    /// investment is known).
    pub physical_completion_rate: f64,
}

pub fn four_rates(items: &[ProjectFigures]) -> FourRates {
    let n = items.len();
    if n == 0 {
        return FourRates::default();
    }
    let share = |pred: &dyn Fn(&ProjectFigures) -> bool| {
        items.iter().filter(|i| pred(i)).count() as f64 / n as f64
    };
    let secured: f64 = items.iter().map(|i| i.funds_secured).sum();
    let paid: f64 = items.iter().map(|i| i.funds_paid).sum();
    let weight: f64 = items.iter().map(|i| i.planned_investment).sum();
    let physical = if weight > 0.0 {
        items
            .iter()
            .map(|i| i.physical_progress * i.planned_investment)
            .sum::<f64>()
            / weight
            / 100.0
    } else {
        items.iter().map(|i| i.physical_progress).sum::<f64>() / n as f64 / 100.0
    };
    FourRates {
        projects: n,
        funding_secured_share: share(&|i| i.funds_secured > 0.0),
        start_rate: share(&|i| i.started),
        disbursement_rate: if secured > 0.0 {
            (paid / secured).min(1.0)
        } else {
            0.0
        },
        physical_completion_rate: physical.clamp(0.0, 1.0),
    }
}

/// One task as a cycle's evaluation sees it (the store reads these facts;
/// everything computed from them is here, pure and table-tested).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFacts {
    /// The lead unit's name: its lights count towards that unit's score.
    pub lead: String,
    pub deadline: Option<Date>,
    /// The lead unit's latest non-draft report: status and completion.
    pub report: Option<(Status, f64)>,
    /// The light of the previous cycle.
    pub previous: Option<Light>,
    /// The light the cycle was closed with (closed cycles answer with it).
    pub closed: Option<(Light, String)>,
}

/// One report a unit owes in the cycle (a task report or an indicator
/// value), and whether it came: None not submitted, Some(on time).
#[derive(Debug, Clone, PartialEq)]
pub struct Owed {
    pub unit: String,
    pub submitted: Option<bool>,
}

/// A coordination request addressed to a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFacts {
    pub addressed_to: String,
    pub resolved: bool,
}

/// Everything a cycle's evaluation is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleFacts {
    /// When the plan's time window starts (its issue date).
    pub start: Date,
    /// The year the plan is for: ongoing tasks run through it.
    pub plan_year: i32,
    pub today: Date,
    pub thresholds: Thresholds,
    pub tasks: Vec<TaskFacts>,
    pub owed: Vec<Owed>,
    pub requests: Vec<RequestFacts>,
    /// Project-list items by unit name.
    pub projects: Vec<(String, ProjectFigures)>,
}

/// A task's light in the cycle, with its reason and time progress.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOutcome {
    pub light: Light,
    pub reason: String,
    /// Percent, one decimal.
    pub time_progress: f64,
}

/// What a cycle's evaluation concludes.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleOutcome {
    /// In the order of `CycleFacts::tasks`.
    pub tasks: Vec<TaskOutcome>,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub metrics: ReportingMetrics,
    pub ranking: Vec<Ranked>,
    pub four_rates: FourRates,
    pub four_rates_by_unit: Vec<(String, FourRates)>,
}

/// Lights per task, reporting metrics (overall and per unit), the ranking
/// and the four rates of one cycle. Unreported tasks are judged at
/// completion 0 and say so; a closed cycle's stored lights win.
pub fn evaluate_cycle(f: &CycleFacts) -> CycleOutcome {
    use std::collections::{BTreeMap, HashMap};
    let mut tasks = Vec::with_capacity(f.tasks.len());
    let mut lights_by_lead: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for t in &f.tasks {
        let tp = time_progress(f.start, t.deadline, f.plan_year, f.today);
        let (status, completion) = t.report.unwrap_or((Status::NotStarted, 0.0));
        let verdict = light(
            &LightInput {
                status,
                completion,
                time_progress: tp,
                days_left: t.deadline.map(|d| d.days_since(f.today)),
                previous: t.previous,
            },
            &f.thresholds,
        );
        let (light, reason) = match &t.closed {
            Some((light, reason)) => (*light, reason.clone()),
            None if t.report.is_none() => (
                verdict.light,
                bilingual(
                    &format!("未报送。{}", reason_zh(&verdict.reason)),
                    &format!("Not reported. {}", reason_en(&verdict.reason)),
                ),
            ),
            None => (verdict.light, verdict.reason),
        };
        let entry = lights_by_lead.entry(t.lead.as_str()).or_default();
        match light {
            Light::Green => entry.0 += 1,
            Light::Yellow => entry.1 += 1,
            Light::Red => entry.2 += 1,
        }
        tasks.push(TaskOutcome {
            light,
            reason,
            time_progress: (tp * 10.0).round() / 10.0,
        });
    }
    let mut per_unit: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for o in &f.owed {
        let entry = per_unit.entry(o.unit.as_str()).or_default();
        entry.0 += 1;
        if let Some(on_time) = o.submitted {
            entry.1 += 1;
            if on_time {
                entry.2 += 1;
            }
        }
    }
    let records = per_unit
        .iter()
        .map(|(unit, &(expected, actual, on_time))| {
            let (green, yellow, red) = lights_by_lead.get(unit).copied().unwrap_or_default();
            let owed = f.requests.iter().filter(|r| r.addressed_to == *unit);
            UnitRecord {
                unit: unit.to_string(),
                metrics: reporting_metrics(expected, actual, on_time),
                green,
                yellow,
                red,
                requests_owed: owed.clone().count(),
                requests_resolved: owed.filter(|r| r.resolved).count(),
            }
        })
        .collect();
    let count = |l: Light| tasks.iter().filter(|t| t.light == l).count();
    let actual = f.owed.iter().filter(|o| o.submitted.is_some()).count();
    let on_time = f.owed.iter().filter(|o| o.submitted == Some(true)).count();
    let mut by_unit: BTreeMap<&str, Vec<ProjectFigures>> = BTreeMap::new();
    for (unit, p) in &f.projects {
        by_unit.entry(unit.as_str()).or_default().push(*p);
    }
    CycleOutcome {
        green: count(Light::Green),
        yellow: count(Light::Yellow),
        red: count(Light::Red),
        metrics: reporting_metrics(f.owed.len(), actual, on_time),
        ranking: rank(records),
        four_rates: four_rates(&f.projects.iter().map(|(_, p)| *p).collect::<Vec<_>>()),
        four_rates_by_unit: by_unit
            .into_iter()
            .map(|(u, p)| (u.to_string(), four_rates(&p)))
            .collect(),
        tasks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn time_progress_cases() {
        // (start, deadline, today, expected), each computed by hand.
        let cases = [
            ("2025-01-01", Some("2025-12-31"), "2025-01-01", 0.0),
            (
                "2025-01-01",
                Some("2025-12-31"),
                "2025-07-02",
                182.0 / 364.0 * 100.0,
            ), // 31+28+31+30+31+30+1 days
            ("2025-03-01", Some("2025-03-31"), "2025-03-16", 50.0),
            ("2025-03-01", Some("2025-03-31"), "2025-04-10", 100.0),
            ("2025-03-01", Some("2025-03-31"), "2025-02-01", 0.0),
            ("2025-03-07", None, "2025-04-01", 90.0 / 364.0 * 100.0),
            // Ongoing work of a 2025 plan is complete time-wise after 2025,
            // not 91 % of the way through 2026 (issue 7, item 12).
            ("2025-03-07", None, "2026-11-28", 100.0),
            ("2025-03-07", None, "2024-12-01", 0.0),
            // A deadline before the start (a late import) counts as due.
            ("2025-06-01", Some("2025-03-31"), "2025-06-02", 100.0),
        ];
        for (start, deadline, today, want) in cases {
            let got = time_progress(d(start), deadline.map(d), 2025, d(today));
            assert!(
                (got - want).abs() < 1e-9,
                "{start} {deadline:?} {today}: {got} != {want}"
            );
        }
    }

    #[test]
    fn year_share_follows_the_plan_year() {
        assert_eq!(year_share(2025, d("2025-01-01")), 0.0);
        assert!((year_share(2025, d("2025-07-02")) - 182.0 / 364.0).abs() < 1e-12);
        assert_eq!(year_share(2025, d("2026-11-28")), 1.0);
        assert_eq!(year_share(2026, d("2025-11-28")), 0.0);
    }

    #[test]
    fn traffic_lights_and_recovery() {
        let t = Thresholds::default();
        use Light::*;
        use Status::*;
        let i = |status, completion, tp, days_left: Option<i64>, previous| LightInput {
            status,
            completion,
            time_progress: tp,
            days_left,
            previous,
        };
        let cases = [
            (i(Done, 100.0, 50.0, Some(100), None), Green),
            (i(InProgress, 100.0, 90.0, Some(5), Some(Red)), Green),
            (i(Blocked, 60.0, 40.0, Some(100), None), Red),
            (i(InProgress, 90.0, 100.0, Some(-1), None), Red),
            (i(InProgress, 20.0, 40.0, Some(100), None), Red), // 20 points behind > 15
            (i(InProgress, 30.0, 40.0, Some(100), None), Yellow), // 10 behind
            (i(InProgress, 40.0, 40.0, Some(100), None), Green),
            (i(Behind, 50.0, 40.0, Some(100), None), Yellow),
            (i(InProgress, 70.0, 60.0, Some(10), None), Yellow), // due soon, under 80 %
            (i(InProgress, 85.0, 60.0, Some(10), None), Green),
            (i(InProgress, 50.0, 40.0, Some(100), Some(Red)), Yellow), // red → yellow recovery
            (i(InProgress, 50.0, 40.0, Some(100), Some(Yellow)), Green),
            (i(NotStarted, 0.0, 0.0, None, None), Green),
        ];
        for (input, want) in cases {
            let v = light(&input, &t);
            assert_eq!(v.light, want, "{input:?}: {}", v.reason);
            assert_bilingual(&v.reason);
        }
        // Thresholds are configurable: with a 25-point tolerance, 20 behind is yellow.
        let lenient = Thresholds { red_gap: 25.0, ..t };
        assert_eq!(
            light(&i(InProgress, 20.0, 40.0, Some(100), None), &lenient).light,
            Yellow
        );
    }

    /// A reason splits into a Chinese part without Latin letters and an
    /// English part without Chinese, and joins back to itself.
    fn assert_bilingual(reason: &str) {
        let (zh, en) = (reason_zh(reason), reason_en(reason));
        assert!(!zh.is_empty() && !en.is_empty(), "{reason}");
        assert!(!zh.chars().any(|c| c.is_ascii_alphabetic()), "{reason}");
        assert!(en.is_ascii(), "{reason}");
        assert_eq!(bilingual(zh, en), reason);
    }

    #[test]
    fn reasons_split_into_their_chinese_and_english_parts() {
        let r = "受阻，需要协调。/ Blocked.";
        assert_eq!(reason_zh(r), "受阻，需要协调。");
        assert_eq!(reason_en(r), "Blocked.");
        // A reason stored without English (e.g. typed in by hand) is all
        // Chinese, and splitting the Chinese part again changes nothing.
        assert_eq!(reason_zh("关闭时的理由"), "关闭时的理由");
        assert_eq!(reason_en("关闭时的理由"), "");
        assert_eq!(reason_zh(reason_zh(r)), reason_zh(r));
        assert_eq!(reason_zh(""), "");
    }

    #[test]
    fn attainment_for_every_comparator() {
        let t = Thresholds::default();
        use Comparator::*;
        use TargetKind::{Ceiling, Count, Growth, Level, PointChange};
        // (kind, comparator, value, max, current, share, expected, on track)
        let cases = [
            (Count, AtLeast, 80.0, None, 40.0, 0.5, 40.0, true),
            (Count, AtLeast, 80.0, None, 39.0, 0.5, 40.0, false),
            (Level, AtLeast, 3.0, None, 0.7, 0.25, 0.75, false),
            (Growth, AtLeast, 8.0, None, 8.3, 0.5, 8.0, true), // rates compare directly
            (Growth, AtLeast, 8.0, None, 7.9, 0.9, 8.0, false),
            (Ceiling, AtMost, 31.0, None, 30.5, 0.5, 31.0, true), // PM2.5 ≤ 31
            (Ceiling, AtMost, 5.2, None, 5.4, 0.5, 5.2, false),   // unemployment ≤ 5.2 %
            (Count, About, 10.0, None, 4.8, 0.5, 5.0, true),      // 5 ± 5 %: 4.75 ok
            (Count, About, 10.0, None, 4.7, 0.5, 5.0, false),
            (Growth, About, 8.0, None, 7.7, 0.5, 8.0, true), // 8 − 0.4
            (Count, Range, 1.0, Some(2.0), 1.0, 1.0, 1.0, true),
            (Count, Range, 1.0, Some(2.0), 3.0, 1.0, 1.0, false),
            (PointChange, AtLeast, 1.0, None, 0.4, 0.5, 0.5, false),
        ];
        for (kind, c, v, max, cur, share, expected, ok) in cases {
            let a = attainment(kind, c, v, max, cur, share, &t);
            let kind = kind.as_str();
            assert!(
                (a.expected - expected).abs() < 1e-9,
                "{kind} {c:?} {v}: expected {}",
                a.expected
            );
            assert_eq!(a.on_track, ok, "{kind} {c:?} {v} at {cur}");
            assert_bilingual(&a.reason);
        }
    }

    #[test]
    fn metrics_and_rankings() {
        let m = reporting_metrics(20, 18, 15);
        assert_eq!((m.reporting_rate, m.on_time_rate), (0.9, 0.75));
        assert_eq!(reporting_metrics(0, 0, 0).reporting_rate, 1.0);
        let rec =
            |unit: &str, on_time: usize, green: usize, red: usize, owed: usize, resolved: usize| {
                UnitRecord {
                    unit: unit.into(),
                    metrics: reporting_metrics(10, 10, on_time),
                    green,
                    yellow: 10 - green - red,
                    red,
                    requests_owed: owed,
                    requests_resolved: resolved,
                }
            };
        // Hand-computed (A owes no requests: that term is left out):
        //   A = 100 · (40·1.0 + 40·0.8) / 80 − 0       = 90
        //   B = 100 · (40·0.5 + 40·0.5 + 20·0.5) / 100 − 5·2 = 40
        //   C = 100 · (40·0.9 + 40·0.6 + 20·1.0) / 100 − 5·1 = 75
        let ranked = rank(vec![
            rec("B", 5, 5, 2, 2, 1),
            rec("A", 10, 8, 0, 0, 0),
            rec("C", 9, 6, 1, 1, 1),
        ]);
        let order: Vec<(&str, f64)> = ranked.iter().map(|r| (r.unit.as_str(), r.score)).collect();
        assert_eq!(order, vec![("A", 90.0), ("C", 75.0), ("B", 40.0)]);
        assert_eq!(ranked[2].rank, 3);
    }

    /// The cases of `docs/evaluation.md`, computed by hand: empty terms give
    /// no points, and silence ranks last.
    #[test]
    fn score_leaves_out_empty_terms_and_silence_ranks_last() {
        #[allow(clippy::too_many_arguments)]
        let rec = |unit: &str,
                   expected: usize,
                   actual: usize,
                   on_time: usize,
                   (green, yellow, red): (usize, usize, usize),
                   owed: usize,
                   resolved: usize| UnitRecord {
            unit: unit.into(),
            metrics: reporting_metrics(expected, actual, on_time),
            green,
            yellow,
            red,
            requests_owed: owed,
            requests_resolved: resolved,
        };
        // (record, score by hand)
        let cases = [
            // A co-unit that owed one report and sent nothing: only the
            // on-time term applies, and it is 0. (It scored 60 before.)
            (rec("配合甲", 1, 0, 0, (0, 0, 0), 0, 0), 0.0),
            // A lead that reported its task on time and green: 100·(40+40)/80.
            (rec("牵头乙", 1, 1, 1, (1, 0, 0), 0, 0), 100.0),
            // Reported, but late: 0 on time, no other term.
            (rec("配合丙", 1, 1, 0, (0, 0, 0), 0, 0), 0.0),
            // Half on time, both requests resolved: 100·(40·0.5 + 20·1)/60.
            (rec("配合丁", 2, 2, 1, (0, 0, 0), 2, 2), 66.7),
            // A lead that sent nothing: 0 on time, 0 of 1 green, 1 red → 0 − 5, floor 0.
            (rec("牵头戊", 1, 0, 0, (0, 0, 1), 0, 0), 0.0),
            // A lead, on time, one green and one yellow, a request open:
            // 100·(40·1 + 40·0.5 + 20·0)/100 = 60.
            (rec("牵头己", 2, 2, 2, (1, 1, 0), 1, 0), 60.0),
            // Nothing owed at all: no term applies, no points.
            (rec("无事庚", 0, 0, 0, (0, 0, 0), 0, 0), 0.0),
        ];
        for (r, want) in &cases {
            let got = (score(r) * 10.0).round() / 10.0;
            assert_eq!(got, *want, "{}", r.unit);
        }
        let ranked = rank(cases.iter().map(|(r, _)| r.clone()).collect());
        let order: Vec<(&str, bool)> = ranked.iter().map(|r| (r.unit.as_str(), r.silent)).collect();
        assert_eq!(
            order,
            vec![
                ("牵头乙", false),
                ("配合丁", false),
                ("牵头己", false),
                ("无事庚", false),
                ("配合丙", false),
                ("牵头戊", true),
                ("配合甲", true),
            ]
        );
        // Every unit that owed and sent nothing ranks below every unit that reported.
        let last_reporter = ranked.iter().rposition(|r| r.record.metrics.actual > 0);
        let first_silent = ranked.iter().position(|r| r.silent);
        assert!(last_reporter < first_silent);
    }

    /// The whole cycle by hand: three tasks, two units, one request.
    #[test]
    fn a_cycle_evaluated_by_hand() {
        let t = Thresholds::default();
        let task = |lead: &str, deadline: Option<&str>, report: Option<(Status, f64)>| TaskFacts {
            lead: lead.into(),
            deadline: deadline.map(d),
            report,
            previous: None,
            closed: None,
        };
        let owed = |unit: &str, submitted: Option<bool>| Owed {
            unit: unit.into(),
            submitted,
        };
        let facts = CycleFacts {
            start: d("2025-01-01"),
            plan_year: 2025,
            today: d("2025-07-02"), // 182 of 364 days: time progress 50 %
            thresholds: t,
            tasks: vec![
                // 甲 reported 50 % on the year-long task: on track, green.
                task("甲", Some("2025-12-31"), Some((Status::InProgress, 50.0))),
                // 甲 did not report its ongoing task: 0 % against 50 %, red.
                task("甲", None, None),
                // 乙 reports blocked: red.
                task("乙", Some("2025-12-31"), Some((Status::Blocked, 60.0))),
            ],
            owed: vec![
                owed("甲", Some(true)),
                owed("甲", None),
                owed("乙", Some(false)),
                owed("丙", None), // a co-unit that sent nothing
            ],
            requests: vec![RequestFacts {
                addressed_to: "乙".into(),
                resolved: true,
            }],
            projects: vec![],
        };
        let o = evaluate_cycle(&facts);
        let lights: Vec<Light> = o.tasks.iter().map(|x| x.light).collect();
        assert_eq!(lights, vec![Light::Green, Light::Red, Light::Red]);
        assert!(o.tasks[1].reason.starts_with("未报送。"));
        // The prefix is in both parts, so each part reads on its own.
        assert!(reason_en(&o.tasks[1].reason).starts_with("Not reported. "));
        for task in &o.tasks {
            assert_bilingual(&task.reason);
        }
        assert_eq!(o.tasks[0].time_progress, 50.0);
        assert_eq!(o.tasks[1].time_progress, 50.0);
        assert_eq!((o.green, o.yellow, o.red), (1, 0, 2));
        // 4 owed, 2 came, 1 on time.
        assert_eq!(
            (o.metrics.expected, o.metrics.actual, o.metrics.on_time),
            (4, 2, 1)
        );
        // 甲: 100·(40·½ + 40·½)/80 − 5 = 45; 乙: 100·(40·0 + 40·0 + 20·1)/100 − 5 = 15;
        // 丙 sent nothing: last.
        let order: Vec<(&str, f64, bool)> = o
            .ranking
            .iter()
            .map(|r| (r.unit.as_str(), r.score, r.silent))
            .collect();
        assert_eq!(
            order,
            vec![("甲", 45.0, false), ("乙", 15.0, false), ("丙", 0.0, true)]
        );
        // A closed cycle keeps its stored light whatever the facts say now.
        let mut closed = facts.clone();
        closed.tasks[1].closed = Some((Light::Yellow, "关闭时的理由".into()));
        let c = evaluate_cycle(&closed);
        assert_eq!(c.tasks[1].light, Light::Yellow);
        assert_eq!(c.tasks[1].reason, "关闭时的理由");
        assert_eq!((c.green, c.yellow, c.red), (1, 1, 1));
    }

    #[test]
    fn four_rates_by_hand() {
        let p = |planned, secured, started, paid, physical| ProjectFigures {
            planned_investment: planned,
            funds_secured: secured,
            started,
            funds_paid: paid,
            physical_progress: physical,
        };
        let r = four_rates(&[
            p(100.0, 50.0, true, 25.0, 40.0),
            p(300.0, 0.0, false, 0.0, 0.0),
            p(100.0, 50.0, true, 50.0, 80.0),
            p(0.0, 0.0, true, 0.0, 20.0),
        ]);
        assert_eq!(r.projects, 4);
        assert_eq!(r.funding_secured_share, 0.5); // 2 of 4
        assert_eq!(r.start_rate, 0.75); // 3 of 4
        assert_eq!(r.disbursement_rate, 0.75); // 75 / 100
        assert!((r.physical_completion_rate - 0.24).abs() < 1e-9); // (40·100 + 0·300 + 80·100 + 20·0) / 500 / 100
        assert_eq!(four_rates(&[]), FourRates::default());
    }
}
