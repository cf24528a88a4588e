//! 一月一督导: the rules of a supervision visit's findings, the
//! rectification items (整改事项) tracked to closure (闭环整改).
//!
//! An item moves through a small state machine: the unit reports progress
//! and evidence, then asks for verification; the office verifies and either
//! closes it (销号) or returns it with a reason. Overdue is not a state but
//! a fact derived from the deadline and today, so that no scheduled job has
//! to flip it and it can never be stale. Who may fire which event is
//! decided in [`crate::policy`] (`Action::ReportRectification`,
//! `Action::ReviewRectification`), against the item's campaign and units.

use crate::dates::Date;
use crate::evaluation::Light;
use serde::{Deserialize, Serialize};

/// Days before the deadline when an open item's light turns yellow: a
/// week, so that a unit warned on the yellow light still has one weekly
/// meeting to settle the rectification before it turns red.
pub const NEAR_DEADLINE_DAYS: i64 = 7;

/// Where a rectification item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// 待整改: recorded from a finding, nothing reported yet.
    Open,
    /// 整改中: the unit has reported progress.
    InProgress,
    /// 待核验: the unit says it is done and asks the office to verify.
    AwaitingVerification,
    /// 已退回: the office found the evidence short and sent it back.
    Returned,
    /// 已销号: verified and closed.
    Closed,
}

/// The states with their stored names and labels: one table, read both ways.
const STATES: &[(ItemState, &str, &str)] = &[
    (ItemState::Open, "open", "待整改"),
    (ItemState::InProgress, "in_progress", "整改中"),
    (
        ItemState::AwaitingVerification,
        "awaiting_verification",
        "待核验",
    ),
    (ItemState::Returned, "returned", "已退回"),
    (ItemState::Closed, "closed", "已销号"),
];

impl ItemState {
    pub fn parse(s: &str) -> Option<ItemState> {
        STATES
            .iter()
            .find(|(_, k, _)| *k == s)
            .map(|(st, _, _)| *st)
    }

    pub fn as_str(self) -> &'static str {
        STATES
            .iter()
            .find(|(st, _, _)| *st == self)
            .map(|(_, k, _)| *k)
            .unwrap_or("open")
    }

    pub fn zh(self) -> &'static str {
        STATES
            .iter()
            .find(|(st, _, _)| *st == self)
            .map(|(_, _, z)| *z)
            .unwrap_or("—")
    }
}

/// What someone does to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The unit reports progress (整改进展), with or without evidence.
    Progress,
    /// The unit reports it done and asks for verification (申请销号).
    Submit,
    /// The office sends it back with a reason (退回).
    Return,
    /// The office (an admin for a listed item) verifies and closes it (销号).
    Close,
}

/// The transitions: (from, event, to). Anything not listed is refused.
/// A returned item goes back to work (`Progress`) or straight back to
/// verification (`Submit`, when the missing evidence is all it lacked).
const TRANSITIONS: &[(ItemState, Event, ItemState)] = {
    use Event::*;
    use ItemState::*;
    &[
        (Open, Progress, InProgress),
        (InProgress, Progress, InProgress),
        (Returned, Progress, InProgress),
        (Open, Submit, AwaitingVerification),
        (InProgress, Submit, AwaitingVerification),
        (Returned, Submit, AwaitingVerification),
        (AwaitingVerification, Return, Returned),
        (AwaitingVerification, Close, Closed),
    ]
};

/// A refused transition, worded for the person who tried it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("整改事项当前为“{}”，不能{}。/ An item that is {from:?} cannot take {event:?}.", from.zh(), event_zh(*event))]
pub struct InvalidTransition {
    pub from: ItemState,
    pub event: Event,
}

fn event_zh(e: Event) -> &'static str {
    match e {
        Event::Progress => "报送进展",
        Event::Submit => "申请销号",
        Event::Return => "退回",
        Event::Close => "销号",
    }
}

/// The state after `event`, or why it cannot happen.
pub fn next(from: ItemState, event: Event) -> Result<ItemState, InvalidTransition> {
    TRANSITIONS
        .iter()
        .find(|(f, e, _)| *f == from && *e == event)
        .map(|(_, _, to)| *to)
        .ok_or(InvalidTransition { from, event })
}

/// The facts an item's light and overdue flag are decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    pub state: ItemState,
    pub deadline: Date,
    /// When the unit last asked for verification (for an item awaiting it).
    pub submitted_on: Option<Date>,
}

/// Whether the item is overdue today: not closed and past its deadline.
/// An item the unit handed in for verification on time is not overdue
/// while the office checks it — the wait is the office's, not the unit's.
pub fn overdue(f: &ItemFacts, today: Date) -> bool {
    match f.state {
        ItemState::Closed => false,
        ItemState::AwaitingVerification if f.submitted_on.is_some_and(|d| d <= f.deadline) => false,
        _ => today > f.deadline,
    }
}

/// The item's light: red when overdue, yellow within
/// [`NEAR_DEADLINE_DAYS`] of the deadline, green otherwise. A closed item
/// has no light (it is finished; whether it closed on time is
/// [`closed_late`]), so closed items never count in a red/yellow tally.
pub fn light(f: &ItemFacts, today: Date) -> Option<Light> {
    if f.state == ItemState::Closed {
        return None;
    }
    if overdue(f, today) {
        return Some(Light::Red);
    }
    let left = f.deadline.days_since(today);
    // Awaiting verification on time: the unit has done its part.
    if f.state == ItemState::AwaitingVerification {
        return Some(Light::Green);
    }
    Some(if left <= NEAR_DEADLINE_DAYS {
        Light::Yellow
    } else {
        Light::Green
    })
}

/// Whether a closed item was closed after its deadline (整改超期). Judged
/// on the day the unit handed in what was finally accepted, not on the
/// office's verification day.
pub fn closed_late(deadline: Date, last_submitted_on: Date) -> bool {
    last_submitted_on > deadline
}

/// How often a campaign is supervised (督导频次): every month by default
/// (一月一督导), or every two or three months for a campaign that asks less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Monthly,
    Bimonthly,
    Quarterly,
}

const CADENCES: &[(Cadence, &str, &str, u32)] = &[
    (Cadence::Monthly, "monthly", "每月一次", 1),
    (Cadence::Bimonthly, "bimonthly", "每两月一次", 2),
    (Cadence::Quarterly, "quarterly", "每季度一次", 3),
];

impl Cadence {
    pub fn parse(s: &str) -> Option<Cadence> {
        CADENCES.iter().find(|c| c.1 == s).map(|c| c.0)
    }
    pub fn as_str(self) -> &'static str {
        CADENCES
            .iter()
            .find(|c| c.0 == self)
            .map(|c| c.1)
            .unwrap_or("monthly")
    }
    pub fn zh(self) -> &'static str {
        CADENCES
            .iter()
            .find(|c| c.0 == self)
            .map(|c| c.2)
            .unwrap_or("每月一次")
    }
    pub fn all() -> impl Iterator<Item = Cadence> {
        CADENCES.iter().map(|c| c.0)
    }
    /// Whether a visit is due in `month` (1..=12): January, then every
    /// `step` months (quarterly: January, April, July, October).
    pub fn due_in(self, month: u32) -> bool {
        let step = CADENCES
            .iter()
            .find(|c| c.0 == self)
            .map(|c| c.3)
            .unwrap_or(1);
        month >= 1 && (month - 1).is_multiple_of(step)
    }
}

/// A month, `YYYY-MM`: visits are planned per month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        // Reuse the date window: a month exists when its first day does.
        Date::new(year, month, 1)?;
        Some(Month { year, month })
    }
    pub fn of(d: Date) -> Month {
        let (year, month, _) = d.ymd();
        Month { year, month }
    }
    pub fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).unwrap_or(Date::MIN)
    }
    pub fn last_day(self) -> Date {
        let days = crate::dates::days_in_month(self.year, self.month);
        Date::new(self.year, self.month, days).unwrap_or(Date::MAX)
    }
    pub fn contains(self, d: Date) -> bool {
        Month::of(d) == self
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A visit's state: planned, done, or cancelled (with a reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitState {
    Planned,
    Done,
    Cancelled,
}

const VISIT_STATES: &[(VisitState, &str, &str)] = &[
    (VisitState::Planned, "planned", "计划中"),
    (VisitState::Done, "done", "已督导"),
    (VisitState::Cancelled, "cancelled", "已取消"),
];

impl VisitState {
    pub fn parse(s: &str) -> Option<VisitState> {
        VISIT_STATES.iter().find(|v| v.1 == s).map(|v| v.0)
    }
    pub fn as_str(self) -> &'static str {
        VISIT_STATES
            .iter()
            .find(|v| v.0 == self)
            .map(|v| v.1)
            .unwrap_or("planned")
    }
    pub fn zh(self) -> &'static str {
        VISIT_STATES
            .iter()
            .find(|v| v.0 == self)
            .map(|v| v.2)
            .unwrap_or("—")
    }
    /// A planned visit can be recorded as done or cancelled; a done visit
    /// can be recorded again (a correction) and gain findings; a cancelled
    /// one is final.
    pub fn may_record(self) -> bool {
        matches!(self, VisitState::Planned | VisitState::Done)
    }
    pub fn may_cancel(self) -> bool {
        self == VisitState::Planned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn every_state_against_every_event() {
        use Event::*;
        use ItemState::*;
        // (from, event, expected), written out by hand from the loop:
        // report → ask for verification → close or return → work again.
        let table: &[(ItemState, Event, Option<ItemState>)] = &[
            (Open, Progress, Some(InProgress)),
            (Open, Submit, Some(AwaitingVerification)),
            (Open, Return, None),
            (Open, Close, None),
            (InProgress, Progress, Some(InProgress)),
            (InProgress, Submit, Some(AwaitingVerification)),
            (InProgress, Return, None),
            (InProgress, Close, None),
            (AwaitingVerification, Progress, None),
            (AwaitingVerification, Submit, None),
            (AwaitingVerification, Return, Some(Returned)),
            (AwaitingVerification, Close, Some(Closed)),
            (Returned, Progress, Some(InProgress)),
            (Returned, Submit, Some(AwaitingVerification)),
            (Returned, Return, None),
            (Returned, Close, None),
            (Closed, Progress, None),
            (Closed, Submit, None),
            (Closed, Return, None),
            (Closed, Close, None),
        ];
        for &(from, event, want) in table {
            assert_eq!(next(from, event).ok(), want, "{from:?} {event:?}");
        }
        let e = next(Closed, Return).unwrap_err();
        assert!(e.to_string().contains("已销号"), "{e}");
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for (s, name, _) in STATES {
            assert_eq!(ItemState::parse(name), Some(*s));
            assert_eq!(s.as_str(), *name);
        }
        assert_eq!(ItemState::parse("done"), None);
    }

    #[test]
    fn lights_and_overdue() {
        use ItemState::*;
        let deadline = d("2025-06-30");
        // (state, submitted_on, today, overdue, light), by hand.
        // (state, submitted on, today, overdue, light)
        type Case = (
            ItemState,
            Option<&'static str>,
            &'static str,
            bool,
            Option<Light>,
        );
        let table: &[Case] = &[
            (Open, None, "2025-06-01", false, Some(Light::Green)),
            (Open, None, "2025-06-22", false, Some(Light::Green)),
            (Open, None, "2025-06-23", false, Some(Light::Yellow)),
            (Open, None, "2025-06-30", false, Some(Light::Yellow)),
            (Open, None, "2025-07-01", true, Some(Light::Red)),
            (InProgress, None, "2025-07-15", true, Some(Light::Red)),
            (Returned, None, "2025-07-01", true, Some(Light::Red)),
            (Returned, None, "2025-06-25", false, Some(Light::Yellow)),
            // Handed in on time: waiting on the office is not the unit's delay.
            (
                AwaitingVerification,
                Some("2025-06-28"),
                "2025-07-10",
                false,
                Some(Light::Green),
            ),
            // Handed in late: still red until closed.
            (
                AwaitingVerification,
                Some("2025-07-02"),
                "2025-07-10",
                true,
                Some(Light::Red),
            ),
            (Closed, Some("2025-07-02"), "2025-07-10", false, None),
            (Closed, Some("2025-06-02"), "2025-06-10", false, None),
        ];
        for &(state, sub, today, want_overdue, want_light) in table {
            let f = ItemFacts {
                state,
                deadline,
                submitted_on: sub.map(d),
            };
            assert_eq!(
                overdue(&f, d(today)),
                want_overdue,
                "{state:?} {sub:?} {today}"
            );
            assert_eq!(light(&f, d(today)), want_light, "{state:?} {sub:?} {today}");
        }
        assert!(closed_late(deadline, d("2025-07-01")));
        assert!(!closed_late(deadline, d("2025-06-30")));
    }

    #[test]
    fn cadence_and_months() {
        // (cadence, month, due), by hand.
        let table = [
            (Cadence::Monthly, 1, true),
            (Cadence::Monthly, 7, true),
            (Cadence::Bimonthly, 1, true),
            (Cadence::Bimonthly, 2, false),
            (Cadence::Bimonthly, 3, true),
            (Cadence::Quarterly, 4, true),
            (Cadence::Quarterly, 5, false),
            (Cadence::Quarterly, 10, true),
            (Cadence::Monthly, 0, false),
        ];
        for (c, m, due) in table {
            assert_eq!(c.due_in(m), due, "{c:?} {m}");
        }
        assert_eq!(Cadence::parse("quarterly"), Some(Cadence::Quarterly));
        assert_eq!(Cadence::parse("weekly"), None);
        let m = Month::parse("2025-02").unwrap();
        assert_eq!(m.last_day(), d("2025-02-28"));
        assert_eq!(m.to_string(), "2025-02");
        assert!(m.contains(d("2025-02-14")));
        assert!(!m.contains(d("2025-03-01")));
        for bad in ["2025-13", "2025-2", "25-02", "2025-00", "x", "99999-01"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn visit_states() {
        use VisitState::*;
        let table = [
            (Planned, true, true),
            (Done, true, false),
            (Cancelled, false, false),
        ];
        for (s, record, cancel) in table {
            assert_eq!(s.may_record(), record, "{s:?}");
            assert_eq!(s.may_cancel(), cancel, "{s:?}");
            assert_eq!(VisitState::parse(s.as_str()), Some(s));
        }
    }
}
