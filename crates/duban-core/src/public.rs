//! 信息公开: what the public disclosure page may show of a campaign's
//! cycle. The page is the one view the whole internet can reach, so it is
//! built from [`PublicCampaign`], a struct whose fields are exactly what
//! may be published, and [`public_view`] is the only way to make one. The
//! input ([`CampaignFacts`]) carries no problems text, progress narrative,
//! coordination request, review comment, light reason or person name, so
//! none can leak into the page by accident: to publish a new field, add it
//! here, where the review of what is public happens.

use crate::dates::Date;
use crate::evaluation::Light;
use crate::vocab::Comparator;
use serde::{Deserialize, Serialize};

/// One task of the evaluated cycle, as far as the public page needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskFact<'a> {
    /// The task's text, from the published plan document.
    pub title: &'a str,
    /// The lead unit's name: a public body, not a person.
    pub lead: &'a str,
    pub light: Light,
    /// The lead unit reported the task done (status 已完成 or 100%).
    pub done: bool,
}

/// One goal indicator (指标) of the campaign.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorFact<'a> {
    pub metric: &'a str,
    pub comparator: &'a str,
    pub value: f64,
    pub unit: &'a str,
    /// The year-to-date value reported for the cycle, if any.
    pub current: Option<f64>,
    /// Whether the value meets the time-proportional target.
    pub on_track: Option<bool>,
}

/// What [`public_view`] is computed from: one campaign's evaluated cycle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CampaignFacts<'a> {
    pub campaign: u32,
    pub name: &'a str,
    /// The date the data stands at (the cycle's end).
    pub data_date: Date,
    pub tasks: &'a [TaskFact<'a>],
    pub indicators: &'a [IndicatorFact<'a>],
}

/// Everything the public page shows of one campaign, and nothing else.
/// Stored as the publication's snapshot (JSON), so unknown fields are
/// refused when it is read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicCampaign {
    pub campaign: u32,
    pub name: String,
    pub data_date: Date,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub completed: Vec<PublicTask>,
    pub indicators: Vec<PublicIndicator>,
}

/// A completed task: its text and its lead unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicTask {
    pub title: String,
    pub lead: String,
}

/// An indicator's attainment: the target as written, the year-to-date
/// value and whether it is attained (None: not reported for the cycle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicIndicator {
    pub metric: String,
    pub target: String,
    pub year_to_date: Option<String>,
    pub attained: Option<bool>,
}

impl PublicCampaign {
    /// Tasks with a light.
    pub fn total(&self) -> usize {
        self.green + self.yellow + self.red
    }
}

/// How a comparator reads in front of a number (a table, not an if-chain).
const COMPARATOR_SIGNS: &[(Comparator, &str)] = &[
    (Comparator::AtLeast, "≥"),
    (Comparator::AtMost, "≤"),
    (Comparator::About, "约"),
    (Comparator::Range, ""),
];

/// A number as people write it: no trailing zeros, at most two decimals.
fn number(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// The public view of one campaign's cycle. Pure: the same facts give the
/// same view, so the page can be cached and its tests can compute it by hand.
pub fn public_view(f: &CampaignFacts<'_>) -> PublicCampaign {
    let count = |light| f.tasks.iter().filter(|t| t.light == light).count();
    let sign = |c: &str| {
        COMPARATOR_SIGNS
            .iter()
            .find(|(k, _)| Comparator::parse(c) == Some(*k))
            .map(|(_, s)| *s)
            .unwrap_or("")
    };
    PublicCampaign {
        campaign: f.campaign,
        name: f.name.to_string(),
        data_date: f.data_date,
        green: count(Light::Green),
        yellow: count(Light::Yellow),
        red: count(Light::Red),
        completed: f
            .tasks
            .iter()
            .filter(|t| t.done)
            .map(|t| PublicTask {
                title: t.title.to_string(),
                lead: t.lead.to_string(),
            })
            .collect(),
        indicators: f
            .indicators
            .iter()
            .map(|i| PublicIndicator {
                metric: i.metric.to_string(),
                target: format!("{}{}{}", sign(i.comparator), number(i.value), i.unit),
                year_to_date: i.current.map(|v| format!("{}{}", number(v), i.unit)),
                attained: i.current.and(i.on_track),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(title: &'static str, light: Light, done: bool) -> TaskFact<'static> {
        TaskFact {
            title,
            lead: "市发改局",
            light,
            done,
        }
    }

    #[test]
    fn counts_completed_tasks_and_indicators_by_hand() {
        use Light::*;
        // (tasks, expected green/yellow/red, expected completed titles)
        let cases: Vec<(Vec<TaskFact>, [usize; 3], Vec<&str>)> = vec![
            (vec![], [0, 0, 0], vec![]),
            (
                vec![
                    task("甲", Green, true),
                    task("乙", Green, false),
                    task("丙", Yellow, false),
                    task("丁", Red, false),
                    task("戊", Red, false),
                ],
                [2, 1, 2],
                vec!["甲"],
            ),
            (
                vec![task("甲", Green, true), task("乙", Green, true)],
                [2, 0, 0],
                vec!["甲", "乙"],
            ),
        ];
        for (tasks, [g, y, r], completed) in cases {
            let v = public_view(&CampaignFacts {
                campaign: 3,
                name: "项目建设攻坚",
                data_date: Date::new(2025, 6, 13).unwrap(),
                tasks: &tasks,
                indicators: &[],
            });
            assert_eq!((v.green, v.yellow, v.red), (g, y, r), "{tasks:?}");
            assert_eq!(v.total(), tasks.len());
            let titles: Vec<&str> = v.completed.iter().map(|t| t.title.as_str()).collect();
            assert_eq!(titles, completed);
            assert!(v.completed.iter().all(|t| t.lead == "市发改局"));
            assert_eq!(v.campaign, 3);
            assert_eq!(v.data_date.to_string(), "2025-06-13");
        }
    }

    #[test]
    fn indicator_targets_read_as_written() {
        let i = |comparator, value, current, on_track| IndicatorFact {
            metric: "税收占比",
            comparator,
            value,
            unit: "%",
            current,
            on_track,
        };
        // (fact, target text, year-to-date text, attained)
        let cases = [
            (
                i(">=", 70.0, Some(71.5), Some(true)),
                "≥70%",
                Some("71.5%"),
                Some(true),
            ),
            (
                i("<=", 3.25, Some(4.0), Some(false)),
                "≤3.25%",
                Some("4%"),
                Some(false),
            ),
            (i("about", 10.0, None, None), "约10%", None, None),
            (
                i("range", 5.0, Some(0.0), Some(true)),
                "5%",
                Some("0%"),
                Some(true),
            ),
            // A judgement without a reported value is not shown as attained.
            (i(">=", 1.0, None, Some(true)), "≥1%", None, None),
            (
                i("bogus", 2.0, Some(1.0 / 3.0), Some(false)),
                "2%",
                Some("0.33%"),
                Some(false),
            ),
        ];
        for (fact, target, ytd, attained) in cases {
            let v = public_view(&CampaignFacts {
                campaign: 1,
                name: "x",
                data_date: Date::new(2025, 1, 1).unwrap(),
                tasks: &[],
                indicators: &[fact],
            });
            let p = &v.indicators[0];
            assert_eq!(p.metric, "税收占比");
            assert_eq!(p.target, target, "{fact:?}");
            assert_eq!(p.year_to_date.as_deref(), ytd, "{fact:?}");
            assert_eq!(p.attained, attained, "{fact:?}");
        }
    }

    #[test]
    fn the_snapshot_round_trips_and_refuses_extra_fields() {
        let v = public_view(&CampaignFacts {
            campaign: 2,
            name: "产业发展攻坚",
            data_date: Date::new(2025, 6, 13).unwrap(),
            tasks: &[task("甲", Light::Green, true)],
            indicators: &[],
        });
        let json = serde_json::to_value(&v).unwrap();
        let back: PublicCampaign = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, v);
        let mut leaky = json;
        leaky["problems"] = serde_json::json!("存在问题");
        assert!(serde_json::from_value::<PublicCampaign>(leaky).is_err());
    }
}
