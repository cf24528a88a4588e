//! The figures of the leaders' dashboard (看板), computed from what a
//! cycle's evaluation ([`crate::evaluation::evaluate_cycle`]) already
//! concluded: trends over a year's cycles, the change since the previous
//! cycle, rank movement between two rankings, days overdue, the choice of a
//! cycle for a month, and the roll-up of a city's child regions with their
//! ranking. Pure: the web layer feeds the numbers and draws them.

use crate::dates::Date;
use crate::evaluation::{Ranked, ReportingMetrics};

/// One campaign in one cycle, as the trend charts plot it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CyclePoint {
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub metrics: ReportingMetrics,
}

impl CyclePoint {
    /// Share of green lights among all lights, 0..=1; `None` without tasks
    /// (no lights says nothing, it is not 0 %).
    pub fn green_share(&self) -> Option<f64> {
        let total = self.green + self.yellow + self.red;
        (total > 0).then(|| self.green as f64 / total as f64)
    }
}

/// What changed since the previous cycle: light counts as differences, the
/// rates in percentage points (so "+12.5" reads as 12.5 个百分点).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
    pub reporting_rate_pp: f64,
    pub on_time_rate_pp: f64,
}

/// The change from `previous` to `current`; `None` for a first cycle
/// (nothing to compare with: shown as "首期", never as "+0").
pub fn change(previous: Option<&CyclePoint>, current: &CyclePoint) -> Option<Change> {
    let p = previous?;
    let d = |a: usize, b: usize| a as i64 - b as i64;
    let pp = |a: f64, b: f64| ((a - b) * 1000.0).round() / 10.0;
    Some(Change {
        green: d(current.green, p.green),
        yellow: d(current.yellow, p.yellow),
        red: d(current.red, p.red),
        reporting_rate_pp: pp(current.metrics.reporting_rate, p.metrics.reporting_rate),
        on_time_rate_pp: pp(current.metrics.on_time_rate, p.metrics.on_time_rate),
    })
}

/// A signed difference as people write it: "+3", "−2", "0".
pub fn signed(v: f64) -> String {
    let v = (v * 10.0).round() / 10.0;
    let s = trim(v.abs());
    if v > 0.0 {
        format!("+{s}")
    } else if v < 0.0 {
        format!("−{s}")
    } else {
        "0".to_string()
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// How a unit's rank moved between two rankings of the same campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// Not ranked last time (its first cycle with reports owed).
    New,
    /// Moved up by so many places (a smaller rank number).
    Up(usize),
    Down(usize),
    Same,
}

impl Movement {
    /// In words and arrow, never by colour alone.
    pub fn zh(self) -> String {
        match self {
            Movement::New => "新上榜".to_string(),
            Movement::Up(n) => format!("↑{n}"),
            Movement::Down(n) => format!("↓{n}"),
            Movement::Same => "持平".to_string(),
        }
    }
}

/// Each unit of `current` (in its order) with its movement since
/// `previous`. Ranks are compared as positions, so a unit that kept its
/// place while others joined below it stays `Same`.
pub fn rank_movement(previous: &[Ranked], current: &[Ranked]) -> Vec<(String, Movement)> {
    use std::collections::HashMap;
    let before: HashMap<&str, usize> = previous.iter().map(|r| (r.unit.as_str(), r.rank)).collect();
    current
        .iter()
        .map(|r| {
            let m = match before.get(r.unit.as_str()) {
                None => Movement::New,
                Some(&b) if b > r.rank => Movement::Up(b - r.rank),
                Some(&b) if b < r.rank => Movement::Down(r.rank - b),
                Some(_) => Movement::Same,
            };
            (r.unit.clone(), m)
        })
        .collect()
}

/// Days a task is past its deadline on `as_of` (0 when not yet due or
/// without a deadline: an ongoing task is never "overdue").
pub fn days_overdue(deadline: Option<Date>, as_of: Date) -> i64 {
    deadline.map_or(0, |d| as_of.days_since(d).max(0))
}

/// A cycle's window, for choosing the cycle of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub opens_on: Date,
    pub due_on: Date,
}

/// The cycle that stands for a month (the 一月一通报 view): the one due
/// last within the month; else, when none is due in it, the last that had
/// opened by the month's end. Returns its index in `cycles`. `month` is
/// (year, 1..=12).
pub fn cycle_for_month(cycles: &[Window], month: (i32, u32)) -> Option<usize> {
    let ym = |d: Date| {
        let (y, m, _) = d.ymd();
        (y, m)
    };
    let in_month = |d: Date| ym(d) == month;
    let after_month = |d: Date| ym(d) > month;
    let due_in = cycles
        .iter()
        .enumerate()
        .filter(|(_, c)| in_month(c.due_on))
        .max_by_key(|(i, c)| (c.due_on, *i));
    if let Some((i, _)) = due_in {
        return Some(i);
    }
    cycles
        .iter()
        .enumerate()
        .filter(|(_, c)| !after_month(c.opens_on))
        .max_by_key(|(i, c)| (c.opens_on, *i))
        .map(|(i, _)| i)
}

/// One campaign of a child region, as its summary states it.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignFigures {
    pub plan: i64,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub metrics: ReportingMetrics,
}

/// A child region and its campaigns' figures.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionFigures {
    pub region: String,
    pub campaigns: Vec<CampaignFigures>,
}

/// A child region rolled up over its campaigns, with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRanked {
    pub rank: usize,
    pub region: String,
    pub score: f64,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub metrics: ReportingMetrics,
    pub campaigns: usize,
}

/// Weights of the region score: on-time rate 40, share of green lights 40,
/// reporting rate 20 (the unit score's weights, with the reporting rate in
/// place of requests resolved, which regions do not owe each other).
const REGION_TERMS: [(f64, RegionFraction); 3] = [
    (40.0, |r| (r.metrics.on_time, r.metrics.expected)),
    (40.0, |r| (r.green, r.green + r.yellow + r.red)),
    (20.0, |r| (r.metrics.actual, r.metrics.expected)),
];

type RegionFraction = fn(&RegionRanked) -> (usize, usize);

/// Points taken off for a region whose every task is red; a share rather
/// than the unit score's 5 points per red light, because counties carry
/// the same plan at different sizes and a count would punish the larger.
const REGION_RED_PENALTY: f64 = 50.0;

/// How a region is scored, out of 100: the weighted mean of the terms
/// that apply (on-time rate 40, green share 40, reporting rate 20; a term
/// with an empty denominator is left out, as for units), scaled to 100,
/// minus 50 × the share of red lights, floor 0. A region with no cycle yet
/// scores 0 and ranks last.
pub fn region_score(r: &RegionRanked) -> f64 {
    let (mut points, mut weight) = (0.0, 0.0);
    for (w, term) in REGION_TERMS {
        let (num, den) = term(r);
        if den > 0 {
            points += w * (num as f64 / den as f64).min(1.0);
            weight += w;
        }
    }
    if weight == 0.0 {
        return 0.0;
    }
    let lights = r.green + r.yellow + r.red;
    let red_share = if lights == 0 {
        0.0
    } else {
        r.red as f64 / lights as f64
    };
    (100.0 * points / weight - REGION_RED_PENALTY * red_share).max(0.0)
}

/// Rolls each child region up over its campaigns (lights and reports
/// summed) and ranks them by [`region_score`], best first; equal scores in
/// the order of their names. Scores are rounded to one decimal before
/// ranking, so two regions shown with the same score share the order of
/// their names rather than a hidden decimal.
pub fn roll_up(regions: &[RegionFigures]) -> Vec<RegionRanked> {
    let mut out: Vec<RegionRanked> = regions
        .iter()
        .map(|f| {
            let (mut g, mut y, mut r, mut e, mut a, mut o) = (0, 0, 0, 0, 0, 0);
            for c in &f.campaigns {
                g += c.green;
                y += c.yellow;
                r += c.red;
                e += c.metrics.expected;
                a += c.metrics.actual;
                o += c.metrics.on_time;
            }
            let mut row = RegionRanked {
                rank: 0,
                region: f.region.clone(),
                score: 0.0,
                green: g,
                yellow: y,
                red: r,
                metrics: crate::evaluation::reporting_metrics(e, a, o),
                campaigns: f.campaigns.len(),
            };
            row.score = (region_score(&row) * 10.0).round() / 10.0;
            row
        })
        .collect();
    out.sort_by(|a, b| {
        (a.campaigns == 0)
            .cmp(&(b.campaigns == 0))
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.region.cmp(&b.region))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    out
}

#[cfg(test)]
mod tests;
