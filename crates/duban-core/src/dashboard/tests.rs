//! Hand-computed cases for the dashboard's figures.

use super::*;
use crate::evaluation::{reporting_metrics, UnitRecord};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn point(g: usize, y: usize, r: usize, e: usize, a: usize, o: usize) -> CyclePoint {
    CyclePoint {
        green: g,
        yellow: y,
        red: r,
        metrics: reporting_metrics(e, a, o),
    }
}

#[test]
fn change_since_previous_cycle() {
    // (previous, current, expected change)
    let cases = [
        // 10 → 12 green, 5 → 3 yellow, 1 → 1 red; reporting 16/20 = 80 % →
        // 19/20 = 95 % (+15 pp); on time 12/20 = 60 % → 14/20 = 70 % (+10 pp).
        (
            Some(point(10, 5, 1, 20, 16, 12)),
            point(12, 3, 1, 20, 19, 14),
            Some(Change {
                green: 2,
                yellow: -2,
                red: 0,
                reporting_rate_pp: 15.0,
                on_time_rate_pp: 10.0,
            }),
        ),
        // 2/3 = 66.67 % → 1/3 = 33.33 %: −33.3 pp (one decimal).
        (
            Some(point(1, 0, 0, 3, 2, 2)),
            point(0, 0, 1, 3, 1, 1),
            Some(Change {
                green: -1,
                yellow: 0,
                red: 1,
                reporting_rate_pp: -33.3,
                on_time_rate_pp: -33.3,
            }),
        ),
        // A first cycle has nothing to compare with.
        (None, point(3, 0, 0, 3, 3, 3), None),
    ];
    for (prev, cur, want) in cases {
        assert_eq!(change(prev.as_ref(), &cur), want, "{prev:?} → {cur:?}");
    }
}

#[test]
fn signed_numbers() {
    for (v, s) in [
        (2.0, "+2"),
        (-2.0, "−2"),
        (0.0, "0"),
        (15.04, "+15"),
        (-33.33, "−33.3"),
    ] {
        assert_eq!(signed(v), s, "{v}");
    }
}

#[test]
fn green_share_without_tasks_is_none() {
    assert_eq!(point(0, 0, 0, 0, 0, 0).green_share(), None);
    assert_eq!(point(3, 1, 0, 0, 0, 0).green_share(), Some(0.75));
}

fn ranked(order: &[&str]) -> Vec<Ranked> {
    order
        .iter()
        .enumerate()
        .map(|(i, u)| Ranked {
            rank: i + 1,
            unit: u.to_string(),
            score: 100.0 - i as f64,
            silent: false,
            record: UnitRecord {
                unit: u.to_string(),
                metrics: reporting_metrics(1, 1, 1),
                green: 1,
                yellow: 0,
                red: 0,
                requests_owed: 0,
                requests_resolved: 0,
            },
        })
        .collect()
}

#[test]
fn rank_movement_between_two_rankings() {
    // Before: 甲 1, 乙 2, 丙 3, 丁 4. After: 丙 1 (up 2), 甲 2 (down 1),
    // 戊 3 (new), 乙 4 (down 2), 丁 5 (down 1).
    let before = ranked(&["甲", "乙", "丙", "丁"]);
    let after = ranked(&["丙", "甲", "戊", "乙", "丁"]);
    let got = rank_movement(&before, &after);
    let want = vec![
        ("丙".to_string(), Movement::Up(2)),
        ("甲".to_string(), Movement::Down(1)),
        ("戊".to_string(), Movement::New),
        ("乙".to_string(), Movement::Down(2)),
        ("丁".to_string(), Movement::Down(1)),
    ];
    assert_eq!(got, want);
    // Same order twice: nobody moved.
    let same = rank_movement(&before, &before);
    assert!(same.iter().all(|(_, m)| *m == Movement::Same));
    // No previous ranking: everyone is new.
    assert!(rank_movement(&[], &after)
        .iter()
        .all(|(_, m)| *m == Movement::New));
    assert_eq!(Movement::Up(2).zh(), "↑2");
    assert_eq!(Movement::Down(1).zh(), "↓1");
    assert_eq!(Movement::Same.zh(), "持平");
}

#[test]
fn days_overdue_cases() {
    let cases = [
        (Some("2025-06-30"), "2025-07-10", 10),
        (Some("2025-06-30"), "2025-06-30", 0),
        (Some("2025-06-30"), "2025-06-01", 0),
        (Some("2024-12-31"), "2025-01-01", 1),
        (None, "2025-07-10", 0),
    ];
    for (deadline, as_of, want) in cases {
        assert_eq!(
            days_overdue(deadline.map(d), d(as_of)),
            want,
            "{deadline:?} {as_of}"
        );
    }
}

#[test]
fn the_cycle_of_a_month() {
    let w = |o: &str, due: &str| Window {
        opens_on: d(o),
        due_on: d(due),
    };
    // Biweekly cycles: due 06-13, 06-27, 07-11, 07-25.
    let cycles = [
        w("2025-06-02", "2025-06-13"),
        w("2025-06-16", "2025-06-27"),
        w("2025-06-30", "2025-07-11"),
        w("2025-07-14", "2025-07-25"),
    ];
    let cases = [
        // June: the last due in June is 06-27.
        ((2025, 6), Some(1)),
        // July: the last due in July is 07-25.
        ((2025, 7), Some(3)),
        // August: none due; the last opened by August's end is 07-14's.
        ((2025, 8), Some(3)),
        // May: nothing due and nothing opened yet.
        ((2025, 5), None),
    ];
    for (month, want) in cases {
        assert_eq!(cycle_for_month(&cycles, month), want, "{month:?}");
    }
    // A monthly cycle opened in June and due 07-04: June has nothing due,
    // so June shows the cycle that opened in it.
    let monthly = [w("2025-06-05", "2025-07-04")];
    assert_eq!(cycle_for_month(&monthly, (2025, 6)), Some(0));
    assert_eq!(cycle_for_month(&[], (2025, 6)), None);
}

fn campaign(
    plan: i64,
    g: usize,
    y: usize,
    r: usize,
    e: usize,
    a: usize,
    o: usize,
) -> CampaignFigures {
    CampaignFigures {
        plan,
        green: g,
        yellow: y,
        red: r,
        metrics: reporting_metrics(e, a, o),
    }
}

#[test]
fn regions_roll_up_and_rank() {
    let regions = vec![
        // 甲县: lights 8/1/1 (green 0.8, red 0.1); reports 20 owed,
        // 18 came, 15 on time → on time 0.75, reporting 0.9.
        // 100 × (40 × 0.75 + 40 × 0.8 + 20 × 0.9) / 100 − 50 × 0.1
        // = 30 + 32 + 18 − 5 = 75.
        RegionFigures {
            region: "甲县".into(),
            campaigns: vec![
                campaign(1, 5, 1, 0, 12, 11, 9),
                campaign(2, 3, 0, 1, 8, 7, 6),
            ],
        },
        // 乙县: lights 10/0/0; reports 10 owed, 10 came, 10 on time
        // → 40 + 40 + 20 = 100.
        RegionFigures {
            region: "乙县".into(),
            campaigns: vec![campaign(1, 10, 0, 0, 10, 10, 10)],
        },
        // 丙县: lights 0/2/2 (green 0, red 0.5); 4 owed, 2 came, 0 on time
        // → 0 + 0 + 20 × 0.5 = 10 − 25 → floor 0.
        RegionFigures {
            region: "丙县".into(),
            campaigns: vec![campaign(1, 0, 2, 2, 4, 2, 0)],
        },
        // 丁县: no cycle yet → scores 0 and ranks below 丙县 (also 0).
        RegionFigures {
            region: "丁县".into(),
            campaigns: vec![],
        },
    ];
    let got = roll_up(&regions);
    let order: Vec<(&str, usize, f64)> = got
        .iter()
        .map(|r| (r.region.as_str(), r.rank, r.score))
        .collect();
    assert_eq!(
        order,
        vec![
            ("乙县", 1, 100.0),
            ("甲县", 2, 75.0),
            ("丙县", 3, 0.0),
            ("丁县", 4, 0.0)
        ]
    );
    let jia = &got[1];
    assert_eq!((jia.green, jia.yellow, jia.red), (8, 1, 1));
    assert_eq!(
        (
            jia.metrics.expected,
            jia.metrics.actual,
            jia.metrics.on_time
        ),
        (20, 18, 15)
    );
    assert_eq!(jia.campaigns, 2);
}

#[test]
fn region_score_leaves_out_empty_terms() {
    // Lights only (no reports owed): only the green term applies.
    // 3 green of 4 → 75, minus 50 × 1/4 red = 62.5.
    let r = RegionRanked {
        rank: 0,
        region: "戊县".into(),
        score: 0.0,
        green: 3,
        yellow: 0,
        red: 1,
        metrics: reporting_metrics(0, 0, 0),
        campaigns: 1,
    };
    assert_eq!(region_score(&r), 62.5);
}
