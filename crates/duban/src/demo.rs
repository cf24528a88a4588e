//! `duban demo`: the sample plan in a fresh embedded database, a user per
//! role, and a simulated year of biweekly dispatch — diligent and late
//! units, blocked tasks, project lists — so every view has living data.

use crate::{Failure, EXIT_BAD_INPUT, EXIT_DATABASE};
use duban_core::dates::Date;
use duban_core::names::{ListKind, RegionName, Role, UserName};
use duban_store::{
    CoordinationInput, NewListItem, NewUser, ReportInput, ReportItem, Store, TaskFilter,
};

const SAMPLE: &[u8] = include_bytes!("../../../fixtures/sample/miluo-2025-qida-gongjian.txt");
const ACTOR: &str = "demo";

/// The demo runs on this simulated date (演示日期): inside the plan's year,
/// so the current cycle is open and every role finds work waiting.
pub fn demo_today() -> Date {
    Date::new(2025, 11, 20).expect("a valid constant date")
}

/// A small deterministic generator (xorshift64*): the same demo every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// How a region's units behave in the simulation: a salt for the stable
/// draw of each unit's diligence (so the same unit name behaves differently
/// in another county) and a shift of the on-time share (a county that
/// reports better or worse on the whole), so the city's roll-up ranks
/// counties that really differ.
struct Profile {
    salt: &'static str,
    on_time_shift: f64,
    /// The first Monday the region dispatches (counties joined later).
    start: Date,
}

/// How a unit reports: (on time, late) shares by a stable draw; the rest
/// of the time it does not report.
fn diligence(unit: &str, p: &Profile) -> (f64, f64) {
    let (on_time, late): (f64, f64) = match hash(&format!("{}{unit}", p.salt)) % 20 {
        0..=11 => (0.95, 0.04),  // diligent
        12..=16 => (0.75, 0.15), // average
        _ => (0.45, 0.30),       // laggard
    };
    let on_time = (on_time + p.on_time_shift).clamp(0.05, 0.99);
    (on_time, late.min(1.0 - on_time))
}

/// A demo account with the demo password (leaders: no unit, no campaign).
fn demo_user(name: &str, role: Role) -> NewUser {
    NewUser {
        name: UserName::parse(name).expect("valid"),
        role,
        unit: None,
        campaign: None,
        password: Some("duban-demo".into()),
    }
}

fn fail_db(e: duban_store::StoreError) -> Failure {
    (EXIT_DATABASE, format!("错误 / error: {e}"))
}

pub async fn run(db: Option<String>, listen: &str, serve: bool) -> Result<(), Failure> {
    let url = match db {
        Some(u) => u,
        None => {
            let default = duban_store::default_database_url();
            let path = default
                .trim_start_matches("sqlite://")
                .replace("duban.db", "demo.db");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            format!("sqlite://{path}")
        }
    };
    let store = Store::open(&url).await.map_err(fail_db)?;
    let plan = duban_plan::parse(SAMPLE, "miluo-2025-qida-gongjian.txt")
        .map_err(|e| (EXIT_BAD_INPUT, e.to_string()))?;
    let region = store
        .ensure_region(
            &RegionName::parse("汨罗市").expect("valid"),
            Some(&RegionName::parse("岳阳市").expect("valid")),
            ACTOR,
        )
        .await
        .map_err(fail_db)?;
    if !store
        .cycles(&region.id, None)
        .await
        .map_err(fail_db)?
        .is_empty()
    {
        return Err((EXIT_BAD_INPUT, format!("错误：{url} 里已有调度数据；演示需要一个新数据库。/ error: the demo needs a fresh database.")));
    }
    store.import(&region, &plan, ACTOR).await.map_err(fail_db)?;
    say!("演示数据库 / demo database: {url}");

    // Users: one per role, reporters for the units that lead most.
    let mut logins: Vec<(String, String, String)> = Vec::new();
    let mut add =
        |name: &str, role: Role, unit: Option<&str>, campaign: Option<u32>, what: String| {
            logins.push((name.to_string(), role.as_str().to_string(), what));
            NewUser {
                name: UserName::parse(name).expect("valid"),
                role,
                unit: unit.map(str::to_string),
                campaign,
                password: Some("duban-demo".into()),
            }
        };
    let mut users = vec![
        add(
            "admin",
            Role::Admin,
            None,
            None,
            "综合协调组 / coordination group".into(),
        ),
        add(
            "leader",
            Role::Leader,
            None,
            None,
            "领导（只读）/ leader".into(),
        ),
    ];
    for no in 1..=7u32 {
        users.push(add(
            &format!("office{no}"),
            Role::Office,
            None,
            Some(no),
            format!("攻坚 {no} 专班办公室 / office of campaign {no}"),
        ));
    }
    let mut leads: Vec<_> = plan
        .units
        .iter()
        .filter(|u| u.lead_count > 0 && u.kind != duban_plan::UnitKind::Group)
        .collect();
    leads.sort_by(|a, b| b.lead_count.cmp(&a.lead_count).then(a.name.cmp(&b.name)));
    for (i, u) in leads.iter().take(10).enumerate() {
        users.push(add(
            &format!("unit{:02}", i + 1),
            Role::Reporter,
            Some(&u.name),
            None,
            format!("{}填报 / reporter", u.name),
        ));
    }
    for u in users {
        store
            .add_user(&region.id, u, ACTOR)
            .await
            .map_err(fail_db)?;
    }
    let (_, admin_token) = store.create_token("admin", ACTOR).await.map_err(fail_db)?;

    // Project lists under campaign 1, for the four rates.
    let mut rng = Rng(2025);
    let tasks = store
        .tasks(
            &region.id,
            &TaskFilter {
                plan: Some(1),
                ..Default::default()
            },
        )
        .await
        .map_err(fail_db)?;
    for (i, t) in tasks.iter().take(8).enumerate() {
        let planned = 500.0 + (rng.next() * 4500.0).round();
        let secured = if rng.next() < 0.7 {
            (planned * (0.3 + rng.next() * 0.5)).round()
        } else {
            0.0
        };
        let item = NewListItem {
            unit: t.lead_units[0].name.clone(),
            kind: ListKind::Project,
            title: format!("{}重点项目{}", t.title, i + 1),
            lead_person: ["张伟", "李娜", "王强", "刘洋"][i % 4].into(),
            planned_investment: Some(planned),
            funds_secured: Some(secured),
            started: Some(rng.next() < 0.75),
            funds_paid: Some((secured * rng.next()).round()),
            physical_progress: Some((rng.next() * 90.0).round()),
        };
        store
            .add_list_item(&region.id, &t.id, &item, ACTOR)
            .await
            .map_err(fail_db)?;
    }

    // A year of biweekly dispatch for every campaign, from the Monday after
    // the plan was issued (2025-03-07) to the end of the year.
    let home = Profile {
        salt: "",
        on_time_shift: 0.0,
        start: Date::new(2025, 3, 10).expect("valid"),
    };
    let (latest, mut reports_saved) = simulate_region(&store, &region.id, &home, &mut rng)
        .await
        .map_err(fail_db)?;
    for r in store
        .coordination_requests(&region.id, Some("open"))
        .await
        .map_err(fail_db)?
        .into_iter()
        .take(3)
    {
        store
            .resolve_request(&region.id, &r.id, "已协调落实。", "office1")
            .await
            .map_err(fail_db)?;
    }
    publish_demo(&store, &region).await?;

    let (visits, rectifications) = simulate_supervision(&store, &region.id)
        .await
        .map_err(fail_db)?;
    say!("模拟了一月一督导：{visits} 次督导，{rectifications} 个整改事项（一项挂牌督办）。/ simulated monthly supervision: {visits} visits, {rectifications} rectification items.");

    // The city above: two more counties with the sample plan and other
    // habits (their own diligence draws; 平江县 reports worse, 湘阴县 a
    // little better), dispatching since September, so the city's leader
    // has a living roll-up. Each county has its own leader, who sees only
    // that county.
    let city_name = RegionName::parse("岳阳市").expect("valid");
    let city = store
        .ensure_region(&city_name, None, ACTOR)
        .await
        .map_err(fail_db)?;
    let counties = [
        ("平江县", "平江", -0.25, "pjleader"),
        ("湘阴县", "湘阴", 0.03, "xyleader"),
    ];
    for (name, salt, shift, leader) in counties {
        let county = store
            .ensure_region(
                &RegionName::parse(name).expect("valid"),
                Some(&city_name),
                ACTOR,
            )
            .await
            .map_err(fail_db)?;
        store.import(&county, &plan, ACTOR).await.map_err(fail_db)?;
        store
            .add_user(&county.id, demo_user(leader, Role::Leader), ACTOR)
            .await
            .map_err(fail_db)?;
        logins.push((
            leader.to_string(),
            Role::Leader.as_str().to_string(),
            format!("{name}领导（只读，只看本县）/ leader of {name}"),
        ));
        let profile = Profile {
            salt,
            on_time_shift: shift,
            start: Date::new(2025, 9, 1).expect("valid"),
        };
        let (_, n) = simulate_region(&store, &county.id, &profile, &mut rng)
            .await
            .map_err(fail_db)?;
        reports_saved += n;
    }
    store
        .add_user(&city.id, demo_user("cityleader", Role::Leader), ACTOR)
        .await
        .map_err(fail_db)?;
    logins.push((
        "cityleader".to_string(),
        Role::Leader.as_str().to_string(),
        "岳阳市领导（看板与三个县市区的排名）/ city leader: roll-up of three counties".into(),
    ));

    say!("\n模拟了 2025 年每两周一次的调度（汨罗市全年，平江县、湘阴县自 9 月起），共 {reports_saved} 份填报。/ simulated biweekly dispatch in 2025 (汨罗市 all year, two more counties since September): {reports_saved} reports.");
    say!(
        "各攻坚最近一期（{}）/ latest cycle per campaign:",
        latest
            .first()
            .map(|e| e.cycle.due_on.as_str())
            .unwrap_or("")
    );
    say!(
        "{:<4} {:<18} {:>4} {:>4} {:>4} {:>8}  {}",
        "攻坚",
        "方案",
        "绿",
        "黄",
        "红",
        "报送率",
        "最好 / 最差单位（龙虎榜得分，满分 100）/ best / worst unit (score of 100)"
    );
    let titles: std::collections::HashMap<i64, String> = store
        .plans(&region.id)
        .await
        .map_err(fail_db)?
        .into_iter()
        .map(|p| (p.no, p.title))
        .collect();
    for e in &latest {
        let best = e
            .ranking
            .first()
            .map(|r| format!("{}（{:.0}）", r.unit, r.score))
            .unwrap_or_default();
        let worst = e
            .ranking
            .last()
            .map(|r| format!("{}（{:.0}）", r.unit, r.score))
            .unwrap_or_default();
        let title: String = titles
            .get(&e.cycle.plan)
            .map(|t| t.trim_end_matches("实施方案").chars().take(9).collect())
            .unwrap_or_default();
        say!(
            "{:<4} {:<18} {:>4} {:>4} {:>4} {:>7.0}%  {best} / {worst}",
            e.cycle.plan,
            title,
            e.green,
            e.yellow,
            e.red,
            e.metrics.reporting_rate * 100.0
        );
    }
    write_office_files(&store, &region, &url).await?;
    say!("\n登录账号（密码均为 duban-demo）/ logins (password duban-demo for all):");
    for (name, role, what) in &logins {
        say!("  {name:<10} {role:<9} {what}");
    }
    say!("admin 的 API 令牌 / admin API token: {admin_token}");
    say!("演示日期 / demo date: {}（各攻坚当期调度开放中：有已报送、草稿、被退回、未报送的填报，有待答复的协调事项）", demo_today());
    if serve {
        say!("\n在浏览器中打开 / open in a browser: http://{listen}/login");
        say!("  填报单位试用 unit01，专班办公室试用 office1，领导 leader，管理员 admin；密码均为 duban-demo。");
        say!("  try unit01 (reporter), office1 (office), leader, admin; password duban-demo.");
        say!("示例 / API: curl -H 'Authorization: Bearer {admin_token}' http://{listen}/api/v1/regions/%E6%B1%A8%E7%BD%97%E5%B8%82/campaigns");
        crate::ledger::serve_store(
            store,
            listen,
            duban_web::Options {
                today: Some(demo_today()),
            },
        )
        .await
    } else {
        Ok(())
    }
}

/// Each task's deadline (None: ongoing through the plan's year).
type Deadlines = std::collections::HashMap<String, Option<Date>>;

/// How a task's work keeps pace with its own time window, by a stable
/// draw: most keep pace (green), some lag a little (yellow), one in ten
/// lags badly (red), so the demo's lights look like a real county's.
fn pace(task: &str) -> f64 {
    match hash(task) % 10 {
        0 => 0.7,
        1 | 2 => 0.9,
        _ => 1.0,
    }
}

/// The task's time progress (%) on `day`, measured from the start of the
/// year to the task's own deadline, the way the evaluation measures it (a
/// task due in June is at 100 % in July; the simulation used to follow the
/// year, which left every early deadline overdue and red).
fn expected_progress(deadlines: &Deadlines, task_id: &str, day: Date) -> f64 {
    let deadline = deadlines.get(task_id).copied().flatten();
    duban_core::evaluation::time_progress(Date::first_of_year(2025), deadline, 2025, day)
}

/// A year of biweekly dispatch for every campaign of a region, from
/// `profile.start` to the end of the year: reports by each unit's
/// diligence, indicators, a blocked task with a coordination request, a
/// returned report now and then, every past cycle closed and the current
/// one left open. Returns each campaign's latest closed evaluation and the
/// number of reports saved.
async fn simulate_region(
    store: &Store,
    region_id: &str,
    profile: &Profile,
    rng: &mut Rng,
) -> Result<(Vec<duban_store::Evaluation>, usize), duban_store::StoreError> {
    let start = profile.start;
    let end = Date::new(2025, 12, 31).expect("valid");
    store
        .add_holiday(
            region_id,
            Date::new(2025, 10, 1).expect("valid"),
            "国庆节",
            ACTOR,
        )
        .await?;
    let mut latest = Vec::new();
    let mut reports_saved = 0usize;
    let forces = store.task_forces(region_id).await?;
    for no in 1..=7i64 {
        let cycles = store
            .schedule_cycles(region_id, no, start, end, ACTOR)
            .await?;
        // Each goal indicator is owned by the unit hosting the campaign's task-force office.
        let mut goals = Vec::new();
        if let Some(office) = forces
            .iter()
            .find(|f| f.plan == no)
            .and_then(|f| f.office.clone())
        {
            for t in store
                .targets(region_id, Some(no))
                .await?
                .into_iter()
                .filter(|t| t.task_id.is_none())
            {
                goals.push(
                    store
                        .set_target_owner(region_id, &t.id, &office, ACTOR)
                        .await?,
                );
            }
        }
        let plan_tasks = store
            .tasks(
                region_id,
                &TaskFilter {
                    plan: Some(no),
                    ..Default::default()
                },
            )
            .await?;
        let blocked_task = plan_tasks.get(2).map(|t| t.id.clone());
        let deadlines: Deadlines = plan_tasks
            .iter()
            .map(|t| {
                let due = t.due_date.as_deref().and_then(Date::parse);
                (t.id.clone(), due)
            })
            .collect();
        let mut completion: std::collections::HashMap<(String, String), f64> =
            std::collections::HashMap::new();
        let total = cycles.len();
        for (k, cycle) in cycles.iter().enumerate() {
            let due = Date::parse(&cycle.due_on).expect("valid");
            let share = (k + 1) as f64 / total as f64;
            let opens = Date::parse(&cycle.opens_on).expect("valid");
            if opens > demo_today() {
                break; // not yet begun on the demo date
            }
            if due >= demo_today() {
                // The cycle under way on the demo date: left open with work
                // waiting for every role.
                reports_saved +=
                    simulate_open_cycle(store, region_id, cycle, no, profile, &deadlines, rng)
                        .await?;
                break;
            }
            let mut on_time = Vec::new();
            let mut late = Vec::new();
            for e in store.expected_reports(region_id, cycle).await? {
                let (p_on_time, p_late) = diligence(&e.unit, profile);
                let draw = rng.next();
                if draw > p_on_time + p_late {
                    continue; // not reported this cycle
                }
                // Most tasks track time progress; some lag; one is blocked mid-year.
                // Drawn from the task's title, not its id (ids are new every run),
                // so the demo is the same every run.
                let pace = pace(&e.task);
                let prev = completion
                    .get(&(e.task_id.clone(), e.unit_id.clone()))
                    .copied()
                    .unwrap_or(0.0);
                let value = (expected_progress(&deadlines, &e.task_id, due) * pace
                    + rng.next() * 6.0)
                    .clamp(prev, 100.0)
                    .round();
                completion.insert((e.task_id.clone(), e.unit_id.clone()), value);
                let blocked = blocked_task.as_deref() == Some(e.task_id.as_str())
                    && (8..12).contains(&k)
                    && e.role == "lead";
                let report = ReportInput {
                    version: 0,
                    status: if value >= 100.0 {
                        "done"
                    } else if blocked {
                        "blocked"
                    } else if pace < 0.9 {
                        "behind"
                    } else {
                        "in_progress"
                    }
                    .into(),
                    completion: value,
                    current_value: None,
                    progress: format!("第{}期：{}按计划推进，完成{}%。", k + 1, e.task, value),
                    problems: if blocked {
                        "用地指标未落实。".into()
                    } else {
                        String::new()
                    },
                    next_steps: "继续按序时推进。".into(),
                    coordination: if blocked && k == 8 {
                        vec![CoordinationInput {
                            to: "市自然资源局".into(),
                            text: "请协调解决项目用地指标。".into(),
                        }]
                    } else {
                        vec![]
                    },
                    attachments: vec![],
                    submit: true,
                };
                let item = ReportItem {
                    task_id: e.task_id,
                    unit: e.unit_id,
                    report,
                };
                if draw <= p_on_time {
                    on_time.push(item)
                } else {
                    late.push(item)
                }
            }
            reports_saved += on_time.len() + late.len();
            if !on_time.is_empty() {
                store
                    .save_reports(region_id, &cycle.id, &on_time, ACTOR, due)
                    .await?;
            }
            if !late.is_empty() {
                store
                    .save_reports(region_id, &cycle.id, &late, ACTOR, due.add_days(3))
                    .await?;
            }
            for g in &goals {
                let cumulative = matches!(g.kind.as_str(), "count" | "level" | "point_change");
                let path = if cumulative { g.value * share } else { g.value };
                let value = (path * (0.85 + rng.next() * 0.3) * 100.0).round() / 100.0;
                let input = duban_store::IndicatorInput {
                    version: 0,
                    value,
                    note: "本年累计".into(),
                    submit: true,
                };
                store
                    .save_indicator(region_id, &cycle.id, &g.id, &input, ACTOR, due)
                    .await?;
                reports_saved += 1;
            }
            // The office returns one report in a few cycles.
            if k % 5 == 2 {
                if let Some(r) = store.current_reports(region_id, cycle).await?.first() {
                    store
                        .review_report(
                            region_id,
                            &cycle.id,
                            &r.task_id,
                            &r.unit_id,
                            false,
                            "请补充量化数据。",
                            r.version,
                            &format!("office{no}"),
                        )
                        .await?;
                }
            }
            let eval = store
                .close_cycle(region_id, &cycle.id, due, &format!("office{no}"))
                .await?;
            if k + 1 == total
                || cycles
                    .get(k + 1)
                    .is_some_and(|n| n.due_on.as_str() >= demo_today().to_string().as_str())
            {
                latest.push(eval);
            }
        }
    }
    Ok((latest, reports_saved))
}

/// Fills the cycle that is open on the demo date: diligent units have
/// submitted, some saved drafts, a few were returned with a reason, the
/// rest have not reported; two coordination requests wait for an answer.
async fn simulate_open_cycle(
    store: &Store,
    region_id: &str,
    cycle: &duban_store::Cycle,
    plan: i64,
    profile: &Profile,
    deadlines: &Deadlines,
    rng: &mut Rng,
) -> Result<usize, duban_store::StoreError> {
    let expected = store.expected_reports(region_id, cycle).await?;
    let mut submitted = Vec::new();
    let mut drafts = Vec::new();
    for (i, e) in expected.iter().enumerate() {
        let (p_on_time, _) = diligence(&e.unit, profile);
        let draw = rng.next();
        let share_of_window = 0.55;
        let completion = (expected_progress(deadlines, &e.task_id, demo_today()) * pace(&e.task)
            + rng.next() * 6.0)
            .clamp(0.0, 99.0)
            .round();
        let coordination = if i < 2 && e.role == "lead" {
            vec![CoordinationInput {
                to: if i == 0 {
                    "分管副市长".into()
                } else {
                    "市财政局".into()
                },
                text: if i == 0 {
                    "项目前期手续办理较慢，请协调加快审批。".into()
                } else {
                    "请协调落实配套资金。".into()
                },
            }]
        } else {
            vec![]
        };
        let report = ReportInput {
            version: 0,
            status: "in_progress".into(),
            completion,
            current_value: None,
            progress: format!("本期{}：已完成阶段性工作，完成{}%。", e.task, completion),
            problems: if draw < 0.2 {
                "资金到位偏慢。".into()
            } else {
                String::new()
            },
            next_steps: "按序时推进，月底前完成阶段目标。".into(),
            coordination,
            attachments: vec![],
            submit: true,
        };
        let item = ReportItem {
            task_id: e.task_id.clone(),
            unit: e.unit_id.clone(),
            report,
        };
        if draw < p_on_time * share_of_window {
            submitted.push(item);
        } else if draw < p_on_time * share_of_window + 0.15 {
            drafts.push(ReportItem {
                report: ReportInput {
                    submit: false,
                    ..item.report
                },
                ..item
            });
        }
    }
    let saved = submitted.len() + drafts.len();
    let day = demo_today().add_days(-2);
    if !submitted.is_empty() {
        store
            .save_reports(region_id, &cycle.id, &submitted, ACTOR, day)
            .await?;
    }
    if !drafts.is_empty() {
        store
            .save_reports(region_id, &cycle.id, &drafts, ACTOR, day)
            .await?;
    }
    // The office returned a few with a reason (the first reporter included).
    let reports = store.current_reports(region_id, cycle).await?;
    for r in reports.iter().filter(|r| r.state == "submitted").take(2) {
        store
            .review_report(
                region_id,
                &cycle.id,
                &r.task_id,
                &r.unit_id,
                false,
                "请补充本期具体完成的工作量和量化数据。",
                r.version,
                &format!("office{plan}"),
            )
            .await?;
    }
    Ok(saved)
}

/// Problems a supervision visit finds, with what it requires (督导发现的问题与整改要求).
const FINDINGS: &[(&str, &str)] = &[
    (
        "项目台账不完整，部分佐证材料缺失",
        "一周内补齐项目台账和佐证材料，建立月度更新制度",
    ),
    (
        "工程进度滞后于序时进度",
        "制定赶工计划，倒排工期，每周报送进度",
    ),
    (
        "资金拨付不及时，影响项目推进",
        "加快资金拨付，按月通报拨付进度",
    ),
    ("专班例会制度落实不到位", "每周召开专班例会并形成会议纪要"),
    (
        "信息报送不及时、数据前后不一致",
        "建立信息报送台账，明确专人负责，核对数据口径",
    ),
];

/// 一月一督导: a visit per campaign per month from April to the demo
/// month, each with one to three findings turned into rectification items.
/// Older items are mostly closed (on time, a few late, some after one
/// return); some are still open past their deadline (red); recent ones are
/// in progress or awaiting verification; the worst overdue item of
/// campaign 1 is listed (挂牌督办) by the mayor; next month's visits are
/// planned, and one visit was cancelled. Returns (visits, items).
pub async fn simulate_supervision(
    store: &Store,
    region_id: &str,
) -> Result<(usize, usize), duban_store::StoreError> {
    use duban_core::supervision::Month;
    use duban_store::{NewFinding, NewVisit, ProgressInput, ReviewInput, VisitRecord};
    let today = demo_today();
    let mut rng = Rng(1313);
    let (mut visits, mut items) = (0usize, 0usize);
    for no in 1..=7u32 {
        let office = format!("office{no}");
        let tasks: Vec<_> = store
            .tasks(
                region_id,
                &TaskFilter {
                    plan: Some(i64::from(no)),
                    ..Default::default()
                },
            )
            .await?
            .into_iter()
            .filter(|t| t.lead_units.iter().any(|u| u.kind != "group"))
            .collect();
        if tasks.is_empty() {
            continue;
        }
        for m in 4..=12u32 {
            let month = Month {
                year: 2025,
                month: m,
            };
            let planned_on = Date::new(2025, m, 15).expect("valid");
            let new = NewVisit {
                plan: no,
                month: month.to_string(),
                title: format!("{m}月份实地督导"),
                planned_on: Some(planned_on.to_string()),
                team_users: vec![office.clone()],
                team_names: vec!["市委督查室 周敏".into(), "市政府督查室 陈刚".into()],
                tasks: vec![],
                list_items: vec![],
                units: vec![],
            };
            let visit = store.plan_visit(region_id, &new, &office).await?;
            visits += 1;
            if planned_on > today {
                continue; // next month's visit: planned only
            }
            if no == 3 && m == 7 {
                store
                    .cancel_visit(
                        region_id,
                        &visit.id,
                        "防汛抢险，本月督导顺延至下月",
                        &office,
                    )
                    .await?;
                continue;
            }
            // Two or three of the campaign's tasks, with their lead units.
            let picked: Vec<_> = (0..3)
                .map(|_| &tasks[(rng.next() * tasks.len() as f64) as usize % tasks.len()])
                .collect();
            let lead_of = |t: &duban_store::TaskRow| {
                t.lead_units
                    .iter()
                    .find(|u| u.kind != "group")
                    .map(|u| u.name.clone())
                    .unwrap_or_default()
            };
            let mut units: Vec<String> = picked.iter().map(|t| lead_of(t)).collect();
            units.dedup();
            let found = 1 + (rng.next() * 3.0) as usize % 3;
            let record = VisitRecord {
                visited_on: planned_on.to_string(),
                narrative: format!(
                    "督导组深入{}，实地查看项目现场，听取工作汇报，查阅工作台账。总体推进有序，发现问题 {found} 个，已当场反馈并明确整改要求和时限。",
                    units.join("、")
                ),
                team_users: None,
                team_names: None,
                tasks: Some(picked.iter().map(|t| t.id.clone()).collect()),
                list_items: None,
                units: Some(units.clone()),
            };
            store
                .record_visit(region_id, &visit.id, &record, &office)
                .await?;
            for t in picked.iter().take(found) {
                let (problem, requirement) =
                    FINDINGS[(rng.next() * FINDINGS.len() as f64) as usize % FINDINGS.len()];
                let deadline = planned_on.add_days(30);
                let co: Vec<String> = t
                    .co_units
                    .iter()
                    .filter(|u| u.kind != "group")
                    .take(1)
                    .map(|u| u.name.clone())
                    .collect();
                let finding = NewFinding {
                    problem: problem.into(),
                    requirement: requirement.into(),
                    deadline: deadline.to_string(),
                    lead_units: vec![lead_of(t)],
                    co_units: co,
                    task: Some(t.id.clone()),
                    list_item: None,
                };
                let mut item = store
                    .add_finding(region_id, &visit.id, &finding, planned_on, &office)
                    .await?;
                items += 1;
                let unit = item.lead_units.first().map(|u| u.id.clone());
                let reporter = format!("{}填报", lead_of(t));
                let r = rng.next();
                // The events of this item: (day, what) in order, none after today.
                let mut steps: Vec<(i64, &str)> = Vec::new();
                if deadline.add_days(10) < today {
                    if r < 0.45 {
                        steps = vec![(10, "progress"), (25, "submit"), (28, "close")];
                    } else if r < 0.6 {
                        steps = vec![
                            (12, "submit"),
                            (14, "return"),
                            (24, "submit"),
                            (27, "close"),
                        ];
                    } else if r < 0.8 {
                        steps = vec![(20, "progress"), (38, "submit"), (40, "close")];
                    } else {
                        steps = vec![(20, "progress")];
                    }
                } else if r < 0.4 {
                    steps = vec![(4, "progress")];
                } else if r < 0.6 {
                    steps = vec![(3, "submit")];
                }
                for (offset, what) in steps {
                    let day = planned_on.add_days(offset).min(today);
                    item = match what {
                        "progress" | "submit" => {
                            let input = ProgressInput {
                                version: item.version,
                                text: if what == "submit" {
                                    "已完成整改，佐证材料见附件，申请销号。".into()
                                } else {
                                    "已制定整改方案，正在推进。".into()
                                },
                                submit: what == "submit",
                            };
                            store
                                .report_rectification(
                                    region_id,
                                    &item.id,
                                    &input,
                                    unit.as_deref(),
                                    day,
                                    &reporter,
                                )
                                .await?
                        }
                        _ => {
                            let input = ReviewInput {
                                version: item.version,
                                close: what == "close",
                                reason: if what == "return" {
                                    "佐证材料不足，请补充现场照片。".into()
                                } else {
                                    String::new()
                                },
                            };
                            store
                                .review_rectification(region_id, &item.id, &input, day, &office)
                                .await?
                        }
                    };
                }
            }
        }
    }
    // The longest overdue item, campaign 1 first, is listed by the mayor.
    let mut overdue: Vec<_> = store
        .rectification_items(
            region_id,
            &duban_store::ItemFilter {
                open: true,
                ..Default::default()
            },
            today,
        )
        .await?
        .into_iter()
        .filter(|i| i.overdue)
        .collect();
    overdue.sort_by(|a, b| (a.plan, &a.deadline).cmp(&(b.plan, &b.deadline)));
    if let Some(worst) = overdue.first() {
        store
            .list_rectification(
                region_id,
                &worst.id,
                "李市长",
                today,
                &format!("office{}", worst.plan),
            )
            .await?;
    }
    Ok((visits, items))
}

/// 信息公开 in the demo: each of the first three campaigns' offices
/// publishes its last closed cycle, so `/public/汨罗市` has something to
/// show and the other four campaigns show that publishing is a choice.
async fn publish_demo(store: &Store, region: &duban_store::Region) -> Result<(), Failure> {
    let region_id = region.id.as_str();
    let cycles = store.cycles(region_id, None).await.map_err(fail_db)?;
    for no in 1..=3i64 {
        let last = cycles
            .iter()
            .filter(|c| c.plan == no && c.status == "closed")
            .max_by_key(|c| c.seq);
        if let Some(c) = last {
            store
                .publish(region_id, &c.id, &format!("office{no}"))
                .await
                .map_err(fail_db)?;
            say!(
                "信息公开：攻坚 {no} 发布了截至 {} 的数据 / published campaign {no} as of {}",
                c.due_on,
                c.due_on
            );
        }
    }
    say!("公开页面 / public page: /public/{}", region.name);
    Ok(())
}

/// Writes the bulletin (通报) of the month before the demo date and the
/// ledger export (台账) next to the demo database, and prints their paths
/// (issue 11): the files an office would otherwise make by hand.
async fn write_office_files(
    store: &Store,
    region: &duban_store::Region,
    url: &str,
) -> Result<(), Failure> {
    let db_path = url
        .strip_prefix("sqlite://")
        .map(str::to_string)
        .unwrap_or_else(|| {
            duban_store::default_database_url()
                .trim_start_matches("sqlite://")
                .to_string()
        });
    let dir = std::path::Path::new(&db_path)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let today = demo_today();
    let (y, m, _) = today.ymd();
    let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let office_failure =
        |e: duban_web::office::Error| (EXIT_BAD_INPUT, format!("错误 / error: {e}"));
    let bulletin = duban_web::office::bulletin(
        store,
        region,
        &duban_web::office::Period::Month(y, m),
        today,
    )
    .await
    .map_err(office_failure)?;
    let ledger = duban_web::office::ledger_xlsx(
        store,
        region,
        None,
        &duban_web::office::Period::Latest,
        today,
    )
    .await
    .map_err(office_failure)?;
    let b = dir.join(format!("bulletin-{y}-{m:02}.docx"));
    let l = dir.join(format!("ledger-{today}.xlsx"));
    crate::write_output(Some(&b), &bulletin)?;
    crate::write_output(Some(&l), &ledger)?;
    say!(
        "\n{y}年{m}月通报 / bulletin for {y}-{m:02}: {}",
        b.display()
    );
    say!("督办台账 / ledger export: {}", l.display());
    Ok(())
}
