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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
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
