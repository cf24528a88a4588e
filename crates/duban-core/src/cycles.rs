//! Dispatch cycles (调度周期): the reporting rounds a cadence produces.

use crate::dates::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    Weekly,
    Biweekly,
    Monthly,
    Quarterly,
}

impl Cadence {
    pub fn parse(s: &str) -> Option<Cadence> {
        match s {
            "weekly" | "周" => Some(Cadence::Weekly),
            "biweekly" | "双周" => Some(Cadence::Biweekly),
            "monthly" | "月" => Some(Cadence::Monthly),
            "quarterly" | "季" => Some(Cadence::Quarterly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "biweekly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
        }
    }
}

/// `months` later, on the same day or the month's last; None past the
/// window of valid dates.
fn add_months(d: Date, months: u32) -> Option<Date> {
    let (y, m, day) = d.ymd();
    let total = (m - 1).checked_add(months)?;
    let y = y.checked_add(i32::try_from(total / 12).ok()?)?;
    let m = total % 12 + 1;
    Date::new(y, m, day.min(crate::dates::days_in_month(y, m)))
}

/// The last working day on or before `d`: weekends and holidays move a due
/// date earlier, so that reports are due on a day people work.
pub fn working_day_on_or_before(mut d: Date, holidays: &[Date]) -> Date {
    for _ in 0..30 {
        if d.weekday() < 5 && !holidays.contains(&d) {
            return d;
        }
        d = d.add_days(-1);
    }
    d
}

/// `(opens_on, due_on)` of every cycle from `from` up to `to`: each cycle
/// opens on its first day and is due on its last working day, and none is
/// due after `to` (a year's last cycle is due by year end).
pub fn schedule(cadence: Cadence, from: Date, to: Date, holidays: &[Date]) -> Vec<(Date, Date)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to && out.len() < 1000 {
        let next = match cadence {
            Cadence::Weekly => start.checked_add_days(7),
            Cadence::Biweekly => start.checked_add_days(14),
            Cadence::Monthly => add_months(start, 1),
            Cadence::Quarterly => add_months(start, 3),
        };
        // At the end of the calendar window the last cycle ends at `to`.
        let last_day = next.and_then(|n| n.checked_add_days(-1)).unwrap_or(to);
        let due = working_day_on_or_before(last_day.min(to), holidays).max(start);
        out.push((start, due));
        match next {
            Some(n) => start = n,
            None => break,
        }
    }
    out
}

/// Where a cycle stands on a day. A leader reads figures of a cycle that
/// is over: while a cycle is still open, every task not yet reported
/// counts red, so its lights say more about the calendar than the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Opens after the day.
    NotOpen,
    /// Open for reports, due on or after the day.
    Open,
    /// Past its due date but not yet closed by its office: its lights are
    /// judged on the due date, so they no longer move with the calendar.
    PastDue,
    /// Closed: reports locked, lights stored.
    Closed,
}

impl Stage {
    /// Whether the cycle is over (已截止): closed, or past its due date.
    pub fn finished(self) -> bool {
        matches!(self, Stage::PastDue | Stage::Closed)
    }

    /// In words, for a cycle's label (第 N 期（…，已截止）).
    pub fn zh(self) -> &'static str {
        match self {
            Stage::NotOpen => "未开始",
            Stage::Open => "填报中",
            Stage::PastDue => "已截止，待关闭",
            Stage::Closed => "已截止",
        }
    }
}

/// A cycle as the default choices see it: its number, window and whether
/// its office has closed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleState {
    pub seq: i64,
    pub opens_on: Date,
    pub due_on: Date,
    pub closed: bool,
}

impl CycleState {
    /// Its stage on `today`. A closed cycle counts as closed only once it
    /// has opened, so that a day in the past (`as_of`) never sees a cycle
    /// that had not begun.
    pub fn stage(&self, today: Date) -> Stage {
        if self.opens_on > today {
            Stage::NotOpen
        } else if self.closed {
            Stage::Closed
        } else if self.due_on < today {
            Stage::PastDue
        } else {
            Stage::Open
        }
    }
}

/// The cycle a leader sees by default (the dashboard and `GET …/summary`):
/// the latest one that is over (closed, or past its due date); while none
/// is, the latest that has opened; `None` before the first opens. "Latest"
/// is by opening day, then number (the order the pages list cycles in).
/// Returns its index in `cycles`, which may be in any order.
pub fn default_cycle(cycles: &[CycleState], today: Date) -> Option<usize> {
    let latest = |finished: bool| {
        cycles
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let stage = c.stage(today);
                stage != Stage::NotOpen && (!finished || stage.finished())
            })
            .max_by_key(|(i, c)| (c.opens_on, c.seq, *i))
            .map(|(i, _)| i)
    };
    latest(true).or_else(|| latest(false))
}

/// The month whose bulletin (通报) an office issues by default: the latest
/// month, among those in which a cycle that has opened is due, whose every
/// cycle due in it is over. On 2025-11-20 with a cycle due 11-14 closed
/// and one due 11-28 still open, that is October: offices report on the
/// previous month, not the one in progress. `None` while no month is
/// complete (the caller falls back to the newest month).
pub fn bulletin_month(cycles: &[CycleState], today: Date) -> Option<(i32, u32)> {
    let month = |d: Date| {
        let (y, m, _) = d.ymd();
        (y, m)
    };
    let mut months: Vec<(i32, u32)> = cycles
        .iter()
        .filter(|c| c.stage(today) != Stage::NotOpen)
        .map(|c| month(c.due_on))
        .collect();
    months.sort_unstable();
    months.dedup();
    months.into_iter().rev().find(|&m| {
        cycles
            .iter()
            .filter(|c| month(c.due_on) == m)
            .all(|c| c.stage(today).finished())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn state(seq: i64, opens: &str, due: &str, closed: bool) -> CycleState {
        CycleState {
            seq,
            opens_on: d(opens),
            due_on: d(due),
            closed,
        }
    }

    #[test]
    fn stages_follow_the_calendar_and_the_office() {
        let c = state(1, "2025-06-02", "2025-06-13", false);
        let cases = [
            ("2025-06-01", Stage::NotOpen),
            ("2025-06-02", Stage::Open),
            ("2025-06-13", Stage::Open), // reports are due today: not over yet
            ("2025-06-14", Stage::PastDue),
        ];
        for (day, want) in cases {
            assert_eq!(c.stage(d(day)), want, "{day}");
        }
        let closed = CycleState { closed: true, ..c };
        assert_eq!(closed.stage(d("2025-06-10")), Stage::Closed);
        assert_eq!(closed.stage(d("2025-06-01")), Stage::NotOpen);
        assert!(Stage::Closed.finished() && Stage::PastDue.finished());
        assert!(!Stage::Open.finished() && !Stage::NotOpen.finished());
        assert_eq!(Stage::Closed.zh(), "已截止");
    }

    /// The leader's default cycle, by hand: (cycles, day, index wanted).
    #[test]
    fn the_default_cycle_is_the_latest_that_is_over() {
        let today = "2025-06-20";
        let cases: Vec<(&str, Vec<CycleState>, Option<usize>)> = vec![
            ("nothing scheduled", vec![], None),
            (
                "only future cycles",
                vec![state(1, "2025-06-23", "2025-07-04", false)],
                None,
            ),
            (
                "no closed cycle: the open one",
                vec![
                    state(1, "2025-06-16", "2025-06-27", false),
                    state(2, "2025-06-30", "2025-07-11", false),
                ],
                Some(0),
            ),
            (
                "several closed: the latest of them",
                vec![
                    state(2, "2025-05-19", "2025-05-30", true),
                    state(1, "2025-05-05", "2025-05-16", true),
                    state(3, "2025-06-02", "2025-06-13", true),
                ],
                Some(2),
            ),
            (
                "closed and open: the closed one",
                vec![
                    state(1, "2025-06-02", "2025-06-13", true),
                    state(2, "2025-06-16", "2025-06-27", false),
                    state(3, "2025-06-30", "2025-07-11", false),
                ],
                Some(0),
            ),
            (
                "past due but not yet closed counts as over",
                vec![
                    state(1, "2025-05-19", "2025-05-30", true),
                    state(2, "2025-06-02", "2025-06-13", false),
                    state(3, "2025-06-16", "2025-06-27", false),
                ],
                Some(1),
            ),
            (
                "a future cycle closed by mistake is not shown",
                vec![
                    state(1, "2025-06-02", "2025-06-13", true),
                    state(2, "2025-06-30", "2025-07-11", true),
                ],
                Some(0),
            ),
            (
                "an extra cycle opened later in the same window wins",
                vec![
                    state(1, "2025-06-02", "2025-06-13", true),
                    state(2, "2025-06-09", "2025-06-12", true),
                ],
                Some(1),
            ),
        ];
        for (name, cycles, want) in cases {
            assert_eq!(default_cycle(&cycles, d(today)), want, "{name}");
        }
    }

    #[test]
    fn the_bulletin_month_is_the_latest_month_that_is_over() {
        // Biweekly cycles, as in the demo; none closed, so only the
        // calendar decides.
        let mut biweekly = vec![
            state(1, "2025-10-06", "2025-10-17", false),
            state(2, "2025-10-20", "2025-10-31", false),
            state(3, "2025-11-03", "2025-11-14", false),
            state(4, "2025-11-17", "2025-11-28", false),
            state(5, "2025-12-01", "2025-12-12", false),
        ];
        let table = [
            // 11-14 is over, 11-28 not: November is in progress.
            ("2025-11-20", Some((2025, 10))),
            // Once 11-28 has passed, November is over.
            ("2025-11-29", Some((2025, 11))),
            // Before anything is over: no month (the caller falls back).
            ("2025-10-10", None),
            // 10-17 is over but 10-31 is not: October is still in progress.
            ("2025-10-20", None),
            ("2025-12-10", Some((2025, 11))),
        ];
        for (day, want) in table {
            assert_eq!(bulletin_month(&biweekly, d(day)), want, "{day}");
        }
        // An office that closed November's last cycle early has finished
        // November.
        biweekly[3].closed = true;
        assert_eq!(bulletin_month(&biweekly, d("2025-11-27")), Some((2025, 11)));
        // Several campaigns: one open cycle due in a month holds it back.
        let two = vec![
            state(1, "2025-10-01", "2025-10-31", true),
            state(1, "2025-10-20", "2025-10-31", false),
        ];
        assert_eq!(bulletin_month(&two, d("2025-10-31")), None);
        assert_eq!(bulletin_month(&two, d("2025-11-01")), Some((2025, 10)));
        assert_eq!(bulletin_month(&[], d("2025-11-01")), None);
    }

    #[test]
    fn biweekly_year_has_26_cycles_due_on_working_days() {
        let cycles = schedule(Cadence::Biweekly, d("2025-01-06"), d("2025-12-31"), &[]);
        assert_eq!(cycles.len(), 26);
        assert_eq!(cycles[0], (d("2025-01-06"), d("2025-01-17"))); // Monday → second Friday
        assert!(cycles.iter().all(|(_, due)| due.weekday() < 5));
        // The last cycle (from 12-22) is due by the end of the range, not in January.
        assert_eq!(cycles[25], (d("2025-12-22"), d("2025-12-31")));
    }

    #[test]
    fn holidays_move_due_dates_earlier() {
        // 2025-10-01..07 National Day: a cycle due on 2025-10-03 moves to 09-30.
        let holidays: Vec<Date> = (1..=7).map(|i| Date::new(2025, 10, i).unwrap()).collect();
        let cycles = schedule(
            Cadence::Biweekly,
            d("2025-09-22"),
            d("2025-10-05"),
            &holidays,
        );
        assert_eq!(cycles, vec![(d("2025-09-22"), d("2025-09-30"))]);
    }

    /// Issue 7, item 4: scheduling at the edge of the calendar stops there
    /// instead of overflowing or panicking.
    #[test]
    fn scheduling_at_the_end_of_the_window_stops() {
        for cadence in [
            Cadence::Weekly,
            Cadence::Biweekly,
            Cadence::Monthly,
            Cadence::Quarterly,
        ] {
            let cycles = schedule(cadence, d("2199-11-01"), Date::MAX, &[]);
            assert!(!cycles.is_empty());
            assert!(cycles.iter().all(|(o, due)| o <= due && *due <= Date::MAX));
            assert!(cycles.windows(2).all(|w| w[0].0 < w[1].0), "{cadence:?}");
        }
        assert_eq!(
            schedule(Cadence::Monthly, Date::MAX, Date::MAX, &[]),
            vec![(Date::MAX, Date::MAX)]
        );
    }

    #[test]
    fn monthly_and_quarterly() {
        let m = schedule(Cadence::Monthly, d("2025-01-01"), d("2025-03-31"), &[]);
        assert_eq!(
            m.iter().map(|c| c.1.to_string()).collect::<Vec<_>>(),
            vec!["2025-01-31", "2025-02-28", "2025-03-31"]
        );
        let q = schedule(Cadence::Quarterly, d("2025-01-01"), d("2025-12-31"), &[]);
        assert_eq!(q.len(), 4);
        assert_eq!(q[3].1.to_string(), "2025-12-31");
    }
}
