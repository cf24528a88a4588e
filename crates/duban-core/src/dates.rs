//! Calendar dates without a time zone: what deadlines and cycles are made of.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A civil date, stored as days since 1970-01-01 so that differences are
/// subtractions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    // Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The years a date may fall in. Plans, cycles and reports are about the
/// present; a year outside this window is a typo or an attack (year
/// 2147483647 once overflowed into negative years and made every reminder
/// list of its region panic, issue 7, item 4). Keeping every `Date` inside
/// it means arithmetic on dates can never overflow.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2199;

impl Date {
    /// The first and last day a `Date` can hold.
    pub const MIN: Date = Date(-25567); // 1900-01-01
    pub const MAX: Date = Date(84005); // 2199-12-31

    /// A valid calendar date within [`MIN_YEAR`]..=[`MAX_YEAR`], else None.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Date(days_from_civil(year as i64, month, day)))
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let y = parts.next()?.parse().ok()?;
        let m = parts.next()?.parse().ok()?;
        let d = parts.next()?.parse().ok()?;
        Date::new(y, m, d)
    }

    /// Parses exactly `YYYY-MM-DD` (four, two and two digits, nothing
    /// around them): the wire format of the API, which its OpenAPI document
    /// states as a pattern, so what the document calls valid is accepted
    /// and nothing else.
    pub fn parse_strict(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10
            || b[4] != b'-'
            || b[7] != b'-'
            || !digits(0..4)
            || !digits(5..7)
            || !digits(8..10)
        {
            return None;
        }
        Date::parse(s)
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        let (y, m, d) = civil_from_days(self.0);
        (y as i32, m, d)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// `days` later (earlier when negative), or None when that leaves the
    /// window of valid dates.
    pub fn checked_add_days(self, days: i64) -> Option<Date> {
        let d = Date(self.0.checked_add(days)?);
        (Date::MIN..=Date::MAX).contains(&d).then_some(d)
    }

    /// `days` later, held at the window's ends: schedules step a few days
    /// at a time from a valid date, so they stop at the edge instead of
    /// overflowing.
    pub fn add_days(self, days: i64) -> Date {
        Date(self.0.saturating_add(days).clamp(Date::MIN.0, Date::MAX.0))
    }

    /// Days from `other` to `self` (positive when `self` is later).
    pub fn days_since(self, other: Date) -> i64 {
        self.0 - other.0
    }

    /// Monday = 0 … Sunday = 6.
    pub fn weekday(self) -> u32 {
        (self.0 + 3).rem_euclid(7) as u32
    }

    /// January 1 of `year`, held within the window of valid years.
    pub fn first_of_year(year: i32) -> Date {
        Date(days_from_civil(year.clamp(MIN_YEAR, MAX_YEAR) as i64, 1, 1))
    }

    /// December 31 of `year`, held within the window of valid years.
    pub fn last_of_year(year: i32) -> Date {
        Date(days_from_civil(
            year.clamp(MIN_YEAR, MAX_YEAR) as i64,
            12,
            31,
        ))
    }
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse_strict(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "日期应为 {MIN_YEAR} 至 {MAX_YEAR} 年间的有效日期 YYYY-MM-DD：{s} / dates are valid YYYY-MM-DD days in {MIN_YEAR}..={MAX_YEAR}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_arithmetic() {
        for s in [
            "1970-01-01",
            "2025-03-07",
            "2024-02-29",
            "2000-12-31",
            "2100-03-01",
        ] {
            assert_eq!(Date::parse(s).unwrap().to_string(), s);
        }
        assert!(Date::parse("2025-02-29").is_none());
        assert!(Date::parse("2025-13-01").is_none());
        let a = Date::parse("2025-01-01").unwrap();
        assert_eq!(Date::parse("2025-12-31").unwrap().days_since(a), 364);
        assert_eq!(a.add_days(59).to_string(), "2025-03-01");
        assert_eq!(a.weekday(), 2); // 2025-01-01 was a Wednesday
    }

    /// Issue 7, item 4: a year far out of range is refused, never wrapped
    /// into negative years, and arithmetic at the edges never overflows.
    #[test]
    fn dates_stay_in_a_sane_window() {
        assert_eq!(Date::parse("1900-01-01"), Some(Date::MIN));
        assert_eq!(Date::parse("2199-12-31"), Some(Date::MAX));
        for bad in [
            "2147483647-01-01",
            "-5-01-01",
            "1899-12-31",
            "2200-01-01",
            "99999999999999999999-01-01",
            "2025-02-30",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(serde_json::from_str::<Date>("\"2147483647-06-01\"").is_err());
        assert_eq!(Date::MAX.checked_add_days(1), None);
        assert_eq!(Date::MIN.checked_add_days(-1), None);
        assert_eq!(Date::MAX.checked_add_days(i64::MAX), None);
        assert_eq!(Date::MAX.add_days(i64::MAX), Date::MAX);
        assert_eq!(Date::MIN.add_days(i64::MIN), Date::MIN);
        assert_eq!(
            Date::first_of_year(i32::MAX),
            Date::parse("2199-01-01").unwrap()
        );
        assert_eq!(
            Date::last_of_year(i32::MIN),
            Date::parse("1900-12-31").unwrap()
        );
        assert_eq!(Date::MAX.year(), MAX_YEAR);
    }

    #[test]
    fn the_wire_format_is_exactly_yyyy_mm_dd() {
        assert!(Date::parse_strict("2024-02-29").is_some());
        for bad in [
            " 2025-01-05",
            "2025-1-05",
            "+025-01-05",
            "2025-01-05 ",
            "2025-02-30",
            "1899-12-31",
            "2200-01-01",
        ] {
            assert!(Date::parse_strict(bad).is_none(), "{bad}");
        }
    }
}
