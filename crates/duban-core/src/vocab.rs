//! The ledger's vocabularies, defined once: the parser (`duban-plan`)
//! produces them, the rules (`duban-core`) reason on them, the store keeps
//! them as the same snake_case strings and the API speaks them. A stored
//! or submitted word that is not in a vocabulary is an error where it is
//! read, never a silent default.

use serde::{Deserialize, Serialize};

/// A vocabulary: each value's wire word, and the value of a word.
pub trait Vocabulary: Sized + Copy + 'static {
    /// Every value, in order.
    const ALL: &'static [Self];
    /// The word on the wire and in the database.
    fn as_str(self) -> &'static str;
    /// The value of a wire word.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Declares a vocabulary enum with its words (a table, not a match per
/// direction, so the two directions cannot drift apart).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl $name {
            /// The wire word (see [`Vocabulary`]).
            pub fn as_str(self) -> &'static str {
                <Self as Vocabulary>::as_str(self)
            }

            /// The value of a wire word (see [`Vocabulary`]).
            pub fn parse(s: &str) -> Option<Self> {
                <Self as Vocabulary>::parse(s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, UnknownWord> {
                <Self as Vocabulary>::parse(s).ok_or_else(|| UnknownWord {
                    vocabulary: stringify!($name),
                    word: s.to_string(),
                })
            }
        }
    };
}

/// A word outside its vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{word}”不是有效的 {vocabulary} 取值。/ '{word}' is not a valid {vocabulary}.")]
pub struct UnknownWord {
    pub vocabulary: &'static str,
    pub word: String,
}

vocabulary! {
    /// How a target's value reads: at least, at most, about, a range.
    Comparator {
        AtLeast = ">=",
        AtMost = "<=",
        About = "about",
        Range = "range",
    }
}

vocabulary! {
    /// What a target measures; decides how time progress applies to it.
    TargetKind {
        Growth = "growth",
        Level = "level",
        Count = "count",
        Share = "share",
        PointChange = "point_change",
        Decrease = "decrease",
        Ceiling = "ceiling",
    }
}

impl TargetKind {
    /// Cumulative quantities grow through the year; rates and ceilings are
    /// already year-to-date figures.
    pub fn is_cumulative(self) -> bool {
        matches!(
            self,
            TargetKind::Count | TargetKind::Level | TargetKind::PointChange
        )
    }
}

vocabulary! {
    /// What kind of unit a name is.
    UnitKind {
        /// 市直单位 / 部门.
        Department = "department",
        /// 镇 / 街道 / 乡.
        Town = "town",
        /// A unit of a higher level stationed here (驻汨单位).
        Resident = "resident",
        /// A group reference such as 各镇、各街道.
        Group = "group",
    }
}

vocabulary! {
    /// 未启动 / 推进中 / 已完成 / 滞后 / 受阻: the status a unit reports.
    ReportStatus {
        NotStarted = "not_started",
        InProgress = "in_progress",
        Done = "done",
        Behind = "behind",
        Blocked = "blocked",
    }
}

impl ReportStatus {
    /// Also reads the Chinese words office staff type.
    pub fn parse_any(s: &str) -> Option<ReportStatus> {
        const ZH: [(&str, ReportStatus); 5] = [
            ("未启动", ReportStatus::NotStarted),
            ("推进中", ReportStatus::InProgress),
            ("已完成", ReportStatus::Done),
            ("滞后", ReportStatus::Behind),
            ("受阻", ReportStatus::Blocked),
        ];
        ReportStatus::parse(s).or_else(|| ZH.iter().find(|(w, _)| *w == s).map(|(_, v)| *v))
    }
}

vocabulary! {
    /// Where a report is in its review.
    ReportState {
        Draft = "draft",
        Submitted = "submitted",
        Accepted = "accepted",
        Returned = "returned",
        /// Read-only view of a report once its cycle closed.
        Locked = "locked",
    }
}

vocabulary! {
    /// A scheduled cycle, or an extra 临时调度.
    CycleKind {
        Regular = "regular",
        Extra = "extra",
    }
}

vocabulary! {
    /// Open for reports, or closed (reports locked, lights stored).
    CycleStatus {
        Open = "open",
        Closed = "closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<
        V: Vocabulary + std::fmt::Debug + PartialEq + Serialize + for<'de> Deserialize<'de>,
    >() {
        for v in V::ALL {
            let word = v.as_str();
            assert_eq!(V::parse(word), Some(*v));
            // The JSON wire word is the same string.
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{word}\""));
            assert_eq!(
                serde_json::from_str::<V>(&format!("\"{word}\"")).unwrap(),
                *v
            );
        }
        assert_eq!(V::parse(""), None);
        assert_eq!(V::parse("nonsense"), None);
        assert!(serde_json::from_str::<V>("\"nonsense\"").is_err());
    }

    #[test]
    fn every_vocabulary_round_trips_and_refuses_unknown_words() {
        round_trip::<Comparator>();
        round_trip::<TargetKind>();
        round_trip::<UnitKind>();
        round_trip::<ReportStatus>();
        round_trip::<ReportState>();
        round_trip::<CycleKind>();
        round_trip::<CycleStatus>();
        assert_eq!(ReportStatus::parse_any("受阻"), Some(ReportStatus::Blocked));
        assert_eq!("closed".parse::<CycleStatus>(), Ok(CycleStatus::Closed));
        assert!("shut".parse::<CycleStatus>().is_err());
        assert_eq!(Comparator::AtLeast.to_string(), ">=");
    }
}
