//! Office files from the ledger: gathers the plain structs of
//! `duban_office` from the store (ledger, bulletin, fill-in form) and
//! imports a returned form through the same rules as the API. The CLI
//! (`duban export|bulletin|template|reports import`) and the pages both
//! call these functions, so a file is the same whoever asks for it.

use duban_core::dates::Date;
use duban_core::evaluation::{Light, Status};
use duban_core::policy::{authorize, Action, Denied, Principal};
use duban_office::bulletin::{Bulletin, ExtraSection, Masthead};
use duban_office::form::{self, Form, FormRow, Refusal};
use duban_office::model::{
    CampaignLedger, Counts, IndicatorRow, Ledger, LedgerTask, OpenRequest, RankRow,
};
use duban_office::OfficeError;
use duban_store::{Cycle, Region, Report, ReportInput, ReportItem, Store, StoreError, TaskFilter};
use std::collections::HashMap;

/// Why an office file could not be made or imported.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Office(#[from] OfficeError),
    #[error("{0}")]
    Denied(#[from] Denied),
    #[error("{0}")]
    BadRequest(String),
}

impl From<Error> for crate::ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Store(s) => s.into(),
            Error::Denied(d) => d.into(),
            Error::Office(OfficeError::NotAForm(m)) | Error::BadRequest(m) => {
                crate::ApiError::bad_request(m)
            }
            Error::Office(o) => crate::ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "office",
                o.to_string(),
            ),
        }
    }
}

/// Which cycles a ledger or bulletin covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// One cycle (its campaign only).
    Cycle(String),
    /// For each campaign, its last cycle due in this month (or the last
    /// one opened before the month ended); as of the month's end.
    Month(i32, u32),
    /// For each campaign, its latest cycle opened by today.
    Latest,
}

impl Period {
    /// `YYYY-MM` → `Month`.
    pub fn parse_month(s: &str) -> Option<Period> {
        let (y, m) = s.trim().split_once('-')?;
        let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
        Date::new(y, m, 1).map(|_| Period::Month(y, m))
    }

    fn end(&self, today: Date) -> Date {
        match self {
            Period::Month(y, m) => Date::new(*y, *m, duban_core::dates::days_in_month(*y, *m))
                .map(|d| d.min(today))
                .unwrap_or(today),
            _ => today,
        }
    }
}

fn date(s: &str) -> Option<Date> {
    Date::parse(s)
}

/// The cycles a period covers, with the day to evaluate each on.
async fn pick_cycles(
    store: &Store,
    region: &Region,
    plan: Option<i64>,
    period: &Period,
    today: Date,
) -> Result<Vec<(Cycle, Date)>, Error> {
    let end = period.end(today);
    if let Period::Cycle(id) = period {
        let c = store.cycle(&region.id, id).await?;
        if plan.is_some_and(|p| p != c.plan) {
            return Err(Error::BadRequest(format!(
                "周期 {id} 不属于攻坚 {}。/ Cycle {id} is not of campaign {}.",
                plan.unwrap_or_default(),
                plan.unwrap_or_default()
            )));
        }
        let as_of = duban_store::default_as_of(&c, today);
        return Ok(vec![(c, as_of)]);
    }
    let mut latest: HashMap<i64, Cycle> = HashMap::new();
    for c in store.cycles(&region.id, plan).await? {
        // A month's bulletin reports the cycles due by its end; the latest
        // view also the cycle under way.
        let counts = match period {
            Period::Month(..) => date(&c.due_on).is_some_and(|d| d <= end),
            _ => date(&c.opens_on).is_some_and(|d| d <= end),
        };
        if !counts {
            continue;
        }
        if latest
            .get(&c.plan)
            .is_none_or(|l| (l.due_on.as_str(), l.seq) < (c.due_on.as_str(), c.seq))
        {
            latest.insert(c.plan, c);
        }
    }
    let mut out: Vec<(Cycle, Date)> = latest
        .into_values()
        .map(|c| {
            let as_of = duban_store::default_as_of(&c, end);
            (c, as_of)
        })
        .collect();
    out.sort_by_key(|(c, _)| c.plan);
    Ok(out)
}

fn counts(e: &duban_store::Evaluation) -> Counts {
    Counts {
        green: e.green,
        yellow: e.yellow,
        red: e.red,
        expected: e.metrics.expected,
        actual: e.metrics.actual,
        on_time: e.metrics.on_time,
    }
}

/// The ledger of a region for a period: each campaign's cycle evaluated.
pub async fn ledger(
    store: &Store,
    region: &Region,
    plan: Option<i64>,
    period: &Period,
    today: Date,
) -> Result<Ledger, Error> {
    let picked = pick_cycles(store, region, plan, period, today).await?;
    let titles: HashMap<i64, String> = store
        .plans(&region.id)
        .await?
        .into_iter()
        .map(|p| (p.no, p.title))
        .collect();
    let tasks = store.tasks(&region.id, &TaskFilter::default()).await?;
    let tasks: HashMap<&str, &duban_store::TaskRow> =
        tasks.iter().map(|t| (t.id.as_str(), t)).collect();
    let requests = store
        .coordination_requests(&region.id, Some("open"))
        .await?;
    let mut campaigns = Vec::new();
    let mut as_of_all = None::<Date>;
    for (cycle, as_of) in picked {
        as_of_all = Some(as_of_all.map_or(as_of, |a: Date| a.max(as_of)));
        let e = store.evaluate(&region.id, &cycle, as_of).await?;
        let all_cycles = store.cycles(&region.id, Some(cycle.plan)).await?;
        let previous = match all_cycles
            .iter()
            .filter(|c| c.seq < cycle.seq)
            .max_by_key(|c| c.seq)
        {
            Some(p) => Some(counts(
                &store
                    .evaluate(&region.id, p, duban_store::default_as_of(p, as_of))
                    .await?,
            )),
            None => None,
        };
        let next_due = all_cycles
            .iter()
            .filter(|c| c.seq > cycle.seq)
            .min_by_key(|c| c.seq)
            .map(|c| c.due_on.clone());
        let reports = store.current_reports(&region.id, &cycle).await?;
        let lead_report = |task_id: &str, lead: &str| {
            reports
                .iter()
                .find(|r| r.task_id == task_id && r.unit == lead && r.state != "draft")
        };
        let ledger_tasks = e
            .tasks
            .iter()
            .map(|t| {
                let row = tasks.get(t.task_id.as_str());
                let report = lead_report(&t.task_id, &t.lead);
                let due = row.and_then(|r| r.due_date.as_deref()).and_then(date);
                let done = t.light == Light::Green && t.completion >= 100.0
                    || report.is_some_and(|r| r.status == "done");
                LedgerTask {
                    task_id: t.task_id.clone(),
                    title: t.title.clone(),
                    lead: t.lead.clone(),
                    units: row
                        .map(|r| {
                            r.co_units
                                .iter()
                                .map(|u| u.name.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        })
                        .unwrap_or_default(),
                    deadline: match (
                        row.and_then(|r| r.due_date.clone()),
                        row.is_some_and(|r| r.ongoing),
                    ) {
                        (Some(d), _) => d,
                        (None, true) => "持续推进".into(),
                        (None, false) => "未明确".into(),
                    },
                    status: report
                        .and_then(|r| Status::parse(&r.status))
                        .map(status_zh)
                        .unwrap_or_default()
                        .to_string(),
                    completion: t.reported.then_some(t.completion),
                    time_progress: t.time_progress,
                    light: t.light,
                    reason: t.reason.clone(),
                    progress: report.map(|r| r.progress.clone()).unwrap_or_default(),
                    problems: report.map(|r| r.problems.clone()).unwrap_or_default(),
                    days_overdue: match due {
                        Some(d) if !done && as_of > d => as_of.days_since(d),
                        _ => 0,
                    },
                }
            })
            .collect();
        let ranking = e
            .ranking
            .iter()
            .map(|r| RankRow {
                rank: r.rank,
                unit: r.unit.clone(),
                score: r.score,
                expected: r.record.metrics.expected,
                actual: r.record.metrics.actual,
                on_time: r.record.metrics.on_time,
                green: r.record.green,
                yellow: r.record.yellow,
                red: r.record.red,
                silent: r.silent,
                highlights: reports
                    .iter()
                    .filter(|x| {
                        x.unit == r.unit && x.state != "draft" && !x.progress.trim().is_empty()
                    })
                    .map(|x| x.progress.clone())
                    .collect(),
            })
            .collect();
        let indicators = e
            .indicators
            .iter()
            .map(|i| IndicatorRow {
                metric: i.metric.clone(),
                owner: i.owner.clone(),
                comparator: i.comparator.clone(),
                target: i.value,
                unit: i.unit.clone(),
                current: i.current,
                expected: i.attainment.as_ref().map(|a| a.expected),
                on_track: i.attainment.as_ref().map(|a| a.on_track),
            })
            .collect();
        let campaign_requests = requests
            .iter()
            .filter(|r| {
                tasks
                    .get(r.task_id.as_str())
                    .is_some_and(|t| t.plan == cycle.plan)
            })
            .map(|r| OpenRequest {
                task: tasks
                    .get(r.task_id.as_str())
                    .map(|t| t.title.clone())
                    .unwrap_or_default(),
                from_unit: r.from_unit.clone(),
                addressed_to: r.addressed_to.clone(),
                text: r.text.clone(),
                days_open: r
                    .created_at
                    .get(..10)
                    .and_then(date)
                    .map(|d| as_of.days_since(d).max(0))
                    .unwrap_or(0),
            })
            .collect();
        campaigns.push(CampaignLedger {
            plan: cycle.plan,
            title: titles.get(&cycle.plan).cloned().unwrap_or_default(),
            cycle_id: cycle.id.clone(),
            due_on: cycle.due_on.clone(),
            as_of: as_of.to_string(),
            counts: counts(&e),
            previous,
            tasks: ledger_tasks,
            indicators,
            ranking,
            requests: campaign_requests,
            next_due,
        });
    }
    Ok(Ledger {
        region: region.name.clone(),
        as_of: as_of_all.unwrap_or(period.end(today)).to_string(),
        campaigns,
    })
}

/// The Chinese word of a status.
pub fn status_zh(s: Status) -> &'static str {
    form::STATUS_WORDS
        .iter()
        .find(|(_, api)| *api == s.as_str())
        .map(|(w, _)| *w)
        .unwrap_or("")
}

fn date_zh(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{y}年{m}月{day}日")
}

/// Sections other parts of duban add to the bulletin, placed before
/// 下一步工作: each returns its sections for the region and month. A new
/// section is one more entry here.
async fn extra_sections(
    store: &Store,
    region: &Region,
    ledger: &Ledger,
    year: i32,
    month: u32,
    today: Date,
) -> Result<Vec<ExtraSection>, Error> {
    let as_of = Period::Month(year, month).end(today);
    let m = duban_core::supervision::Month { year, month };
    let mut s = store.supervision_month(&region.id, m, as_of).await?;
    // A bulletin of one cycle covers that campaign only.
    let plans: Vec<u32> = ledger
        .campaigns
        .iter()
        .filter_map(|c| u32::try_from(c.plan).ok())
        .collect();
    s.visits.retain(|v| plans.contains(&v.plan));
    for items in [&mut s.found, &mut s.closed, &mut s.open, &mut s.listed] {
        items.retain(|i| plans.contains(&i.plan));
    }
    s.overdue = s.open.iter().filter(|i| i.overdue).count();
    Ok(supervision_sections(&s, year, month, as_of))
}

/// How many overdue rectification items the bulletin's text names.
const NAMED_OVERDUE: usize = 5;

/// 一月一督导 in the bulletin (issue 13): the month's visits, the items they
/// found, the items closed (on time or late), what is still open and
/// overdue, and every listed item (挂牌督办) by name until it is closed.
/// A month without visits or items says so in one sentence, so the
/// section's absence is never mistaken for an omission.
pub fn supervision_sections(
    s: &duban_store::SupervisionMonth,
    year: i32,
    month: u32,
    as_of: Date,
) -> Vec<ExtraSection> {
    let count = |state: &str| s.visits.iter().filter(|v| v.state == state).count();
    let (done, planned, cancelled) = (count("done"), count("planned"), count("cancelled"));
    let units = |i: &duban_store::RectificationItem| {
        i.lead_units
            .iter()
            .chain(&i.co_units)
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut paragraphs = Vec::new();
    if s.visits.is_empty() && s.open.is_empty() && s.closed.is_empty() {
        paragraphs.push(format!("{year}年{month}月未安排实地督导，无在办整改事项。"));
        return vec![ExtraSection {
            heading: "督导整改情况".into(),
            paragraphs,
        }];
    }
    let mut visits = format!("{year}年{month}月，各专班开展实地督导{done}次");
    if planned > 0 || cancelled > 0 {
        let mut extra = Vec::new();
        if planned > 0 {
            extra.push(format!("另有{planned}次已计划、尚未开展"));
        }
        if cancelled > 0 {
            extra.push(format!("取消{cancelled}次"));
        }
        visits.push_str(&format!("（{}）", extra.join("，")));
    }
    visits.push_str(&format!(
        "，发现问题{}个，均已明确责任单位和整改时限。",
        s.found.len()
    ));
    paragraphs.push(visits);
    let late = s
        .closed
        .iter()
        .filter(|i| i.closed_late == Some(true))
        .count();
    paragraphs.push(format!(
        "本月整改销号{}项，其中按时完成{}项、逾期完成{}项；截至{}，尚有{}项未销号，其中已逾期{}项。",
        s.closed.len(),
        s.closed.len() - late,
        late,
        date_zh(as_of),
        s.open.len(),
        s.overdue,
    ));
    let overdue: Vec<_> = s
        .open
        .iter()
        .filter(|i| i.overdue && i.listed.is_none())
        .collect();
    if !overdue.is_empty() {
        // A 通报 is read, not searched: the longest overdue are named (as
        // many as the red tasks per campaign), the rest counted.
        let mut overdue = overdue;
        overdue.sort_by(|a, b| a.deadline.cmp(&b.deadline));
        let names: Vec<String> = overdue
            .iter()
            .take(NAMED_OVERDUE)
            .map(|i| {
                format!(
                    "{}（攻坚{}，{}，时限{}）",
                    i.problem,
                    i.plan,
                    units(i),
                    i.deadline
                )
            })
            .collect();
        let more = if overdue.len() > NAMED_OVERDUE {
            format!("等{}项", overdue.len())
        } else {
            String::new()
        };
        paragraphs.push(format!(
            "逾期未整改事项：{}{more}。请责任单位抓紧整改并报送佐证材料。",
            names.join("；")
        ));
    }
    if s.listed.is_empty() {
        paragraphs.push("本月无挂牌督办事项。".into());
    } else {
        paragraphs.push(format!(
            "挂牌督办事项{}项，销号前每月通报：",
            s.listed.len()
        ));
        for (n, i) in s.listed.iter().enumerate() {
            let leader = i.listed.as_ref().map(|l| l.leader.as_str()).unwrap_or("");
            paragraphs.push(format!(
                "{}. {}（攻坚{}，责任单位：{}，整改时限{}，{}{}；挂牌领导：{}）。",
                n + 1,
                i.problem,
                i.plan,
                units(i),
                i.deadline,
                i.state_label,
                if i.overdue { "，已逾期" } else { "" },
                leader,
            ));
        }
    }
    vec![ExtraSection {
        heading: "督导整改情况".into(),
        paragraphs,
    }]
}

/// The bulletin of a region for a period, as DOCX bytes.
pub async fn bulletin(
    store: &Store,
    region: &Region,
    period: &Period,
    today: Date,
) -> Result<Vec<u8>, Error> {
    let ledger = ledger(store, region, None, period, today).await?;
    let as_of = date(&ledger.as_of).unwrap_or(today);
    let (year, month) = match period {
        Period::Month(y, m) => (*y, *m),
        _ => {
            let (y, m, _) = as_of.ymd();
            (y, m)
        }
    };
    let settings = store.bulletin_settings(&region.id).await?;
    let chart = duban_office::chart::png(&duban_office::chart::light_svg(
        &ledger,
        &format!("各攻坚行动红黄绿灯（{year}年{month}月）"),
    ))?;
    let b = Bulletin {
        masthead: Masthead {
            organ: settings.organ.clone(),
            doc_number: settings.doc_number_for(year, month),
            signature: settings.signature.clone(),
        },
        period: format!("{year}年{month}月"),
        date: date_zh(as_of),
        extra_sections: extra_sections(store, region, &ledger, year, month, today).await?,
        ledger,
        chart: Some(chart),
    };
    Ok(duban_office::bulletin::write(&b)?)
}

/// The ledger workbook for a period.
pub async fn ledger_xlsx(
    store: &Store,
    region: &Region,
    plan: Option<i64>,
    period: &Period,
    today: Date,
) -> Result<Vec<u8>, Error> {
    let l = ledger(store, region, plan, period, today).await?;
    Ok(duban_office::xlsx::ledger(&l)?)
}

/// One unit's fill-in form for a cycle.
pub async fn form_for(
    store: &Store,
    region: &Region,
    unit_key: &str,
    cycle_id: &str,
) -> Result<Form, Error> {
    let cycle = store.cycle(&region.id, cycle_id).await?;
    let unit = store.unit(&region.id, unit_key).await?;
    let tasks = store.tasks(&region.id, &TaskFilter::default()).await?;
    let reports = store.current_reports(&region.id, &cycle).await?;
    let rows = store
        .expected_reports(&region.id, &cycle)
        .await?
        .into_iter()
        .filter(|e| e.unit_id == unit.id)
        .map(|e| {
            let report = reports
                .iter()
                .find(|r| r.task_id == e.task_id && r.unit_id == e.unit_id);
            let task = tasks.iter().find(|t| t.id == e.task_id);
            FormRow {
                cycle_id: cycle.id.clone(),
                task_id: e.task_id.clone(),
                unit_id: e.unit_id.clone(),
                version: report.map(|r| r.version).unwrap_or(0),
                task: e.task.clone(),
                role: if e.role == "lead" { "牵头" } else { "配合" }.into(),
                deadline: match task {
                    Some(t) if t.due_date.is_some() => t.due_date.clone().unwrap_or_default(),
                    Some(t) if t.ongoing => "持续推进".into(),
                    _ => "未明确".into(),
                },
                status: report.map(|r| r.status.clone()).unwrap_or_default(),
                completion: report.map(|r| r.completion),
                current_value: report.and_then(|r| r.current_value),
                progress: report.map(|r| r.progress.clone()).unwrap_or_default(),
                problems: report.map(|r| r.problems.clone()).unwrap_or_default(),
                next_steps: report.map(|r| r.next_steps.clone()).unwrap_or_default(),
                submitted: report
                    .is_some_and(|r| matches!(r.state.as_str(), "submitted" | "accepted")),
            }
        })
        .collect();
    Ok(Form {
        title: format!(
            "{} · {} · 第{}期调度填报表（{} 截止）\n灰色栏目不可修改；本期状态从下拉列表选择，完成比例填 0–100；“报送”填“是”即报送审核，填“否”存为草稿。",
            region.name, unit.name, cycle.seq, cycle.due_on
        ),
        rows,
    })
}

/// The form as XLSX bytes.
pub async fn form_xlsx(
    store: &Store,
    region: &Region,
    unit_key: &str,
    cycle_id: &str,
) -> Result<Vec<u8>, Error> {
    Ok(form::write(
        &form_for(store, region, unit_key, cycle_id).await?,
    )?)
}

/// What importing a form did: the reports saved, or (nothing saved) every
/// refused row with its reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Imported {
    Saved(Vec<Report>),
    Refused(Vec<Refusal>),
}

/// The caller a user name stands for (the CLI's `--user`): a disabled or
/// unknown user may not import.
pub async fn principal_for_user(store: &Store, name: &str) -> Result<Principal, Error> {
    let (user, disabled) = store
        .users(None)
        .await?
        .into_iter()
        .find(|(u, _)| u.name == name)
        .ok_or_else(|| StoreError::NotFound(format!("没有用户“{name}”。/ No user '{name}'.")))?;
    if disabled {
        return Err(Error::BadRequest(format!(
            "用户“{name}”已停用。/ User '{name}' is disabled."
        )));
    }
    Ok(Principal {
        user_id: user.id,
        user: user.name,
        role: user.role,
        region_id: user.region_id,
        unit_id: user.unit_id,
        campaign: user.campaign,
    })
}

/// Imports a returned form as `who`: every row is checked first (key,
/// task, permission as for `PUT …/reports/{task}/{unit}`, version); when
/// any row is refused nothing is saved and every refusal is returned;
/// otherwise all rows are saved in one transaction (`save_reports`).
///
/// `only_unit`: the unit whose form this upload is (the workbench uploads
/// one unit's form); a row of another unit is refused even when the
/// caller might write it.
pub async fn import_form(
    store: &Store,
    region: &Region,
    who: &Principal,
    bytes: &[u8],
    only_unit: Option<&str>,
    today: Date,
) -> Result<Imported, Error> {
    // The region first, as `guard_for` does.
    authorize(Some(who), true, &Action::Read)?;
    let in_region = store.region_in_scope(&who.region_id, &region.id).await?;
    authorize(Some(who), in_region, &Action::Read)?;
    let read = form::read(bytes)?;
    let mut refused = read.refused;
    if read.rows.is_empty() && refused.is_empty() {
        return Err(Error::BadRequest(
            "填报表中没有填写任何一行（本期状态为空的行不导入）。/ No row of the form is filled in.".into(),
        ));
    }
    let mut cycles: HashMap<String, Option<Cycle>> = HashMap::new();
    let mut expected: HashMap<String, Vec<duban_store::Expected>> = HashMap::new();
    let mut current: HashMap<String, Vec<Report>> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut items: Vec<(String, ReportItem)> = Vec::new();
    for row in &read.rows {
        let refuse = |reason: String| Refusal {
            row: row.row,
            task: row.task.clone(),
            reason,
        };
        let Some((cycle_id, task_id, unit_id)) = form::split_key(&row.key) else {
            refused.push(refuse("隐藏的键被改动，无法确定是哪项填报，请重新下载填报表。/ The hidden key was changed.".into()));
            continue;
        };
        if !cycles.contains_key(cycle_id) {
            let c = match store.cycle(&region.id, cycle_id).await {
                Ok(c) => Some(c),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            };
            if let Some(c) = &c {
                expected.insert(c.id.clone(), store.expected_reports(&region.id, c).await?);
                current.insert(c.id.clone(), store.current_reports(&region.id, c).await?);
            }
            cycles.insert(cycle_id.to_string(), c);
        }
        let Some(cycle) = cycles.get(cycle_id).cloned().flatten() else {
            refused.push(refuse("隐藏的键被改动：本区域没有这个调度周期。/ The hidden key was changed: no such cycle.".into()));
            continue;
        };
        let Some(e) = expected.get(&cycle.id).and_then(|x| {
            x.iter()
                .find(|e| e.task_id == task_id && e.unit_id == unit_id)
        }) else {
            refused.push(refuse("隐藏的键被改动：本期没有这项应报事项。/ The hidden key was changed: no such report is owed.".into()));
            continue;
        };
        if e.task != row.task {
            refused.push(refuse(format!("隐藏的键与任务名称不符（键指向“{}”），请勿修改灰色栏目。/ The hidden key does not match the task shown.", e.task)));
            continue;
        }
        if only_unit.is_some_and(|u| u != unit_id) {
            refused.push(refuse(format!("这一行是“{}”的填报，不属于本单位的填报表。/ This row belongs to another unit's form.", e.unit)));
            continue;
        }
        if !seen.insert(row.key.clone()) {
            refused.push(refuse(
                "同一项填报在表中出现了两次。/ The same report appears twice.".into(),
            ));
            continue;
        }
        if let Err(d) = authorize(
            Some(who),
            in_region,
            &Action::WriteReport {
                unit_id: unit_id.to_string(),
                campaign: u32::try_from(cycle.plan).ok(),
            },
        ) {
            refused.push(refuse(format!("无权填报“{}”的这项任务：{d}", e.unit)));
            continue;
        }
        let now = current.get(&cycle.id).and_then(|x| {
            x.iter()
                .find(|r| r.task_id == task_id && r.unit_id == unit_id)
        });
        let now_version = now.map(|r| r.version).unwrap_or(0);
        if now_version != row.version {
            refused.push(refuse(format!("生成填报表后这项填报已被修改（现为第 {now_version} 版，表中为第 {} 版），请重新下载填报表。/ Stale: the report changed since the form was made (409).", row.version)));
            continue;
        }
        // A row left as the form showed it changes nothing: skipped, so an
        // untouched submitted report does not come back as a new draft.
        if now.is_some_and(|r| unchanged(r, row)) {
            continue;
        }
        items.push((
            cycle.id.clone(),
            ReportItem {
                task_id: task_id.to_string(),
                unit: unit_id.to_string(),
                report: ReportInput {
                    version: row.version,
                    status: row.status.clone(),
                    completion: row.completion,
                    current_value: row.current_value,
                    progress: row.progress.clone(),
                    problems: row.problems.clone(),
                    next_steps: row.next_steps.clone(),
                    coordination: Vec::new(),
                    attachments: Vec::new(),
                    submit: row.submit,
                },
            },
        ));
    }
    if !refused.is_empty() {
        refused.sort_by_key(|r| r.row);
        return Ok(Imported::Refused(refused));
    }
    if items.is_empty() {
        return Ok(Imported::Saved(Vec::new()));
    }
    let cycle_ids: std::collections::BTreeSet<&str> =
        items.iter().map(|(c, _)| c.as_str()).collect();
    if cycle_ids.len() > 1 {
        return Err(Error::BadRequest(
            "一张填报表只能包含一个调度周期的填报。/ A form holds the reports of one cycle.".into(),
        ));
    }
    let Some(cycle_id) = cycle_ids.into_iter().next().map(str::to_string) else {
        return Err(Error::BadRequest(
            "没有可导入的行。/ Nothing to import.".into(),
        ));
    };
    let batch: Vec<ReportItem> = items.into_iter().map(|(_, i)| i).collect();
    let saved = store
        .save_reports(&region.id, &cycle_id, &batch, &who.user, today)
        .await?;
    Ok(Imported::Saved(saved))
}

/// Whether a filled row says exactly what the current report says.
fn unchanged(r: &Report, row: &form::FilledRow) -> bool {
    let sent = matches!(r.state.as_str(), "submitted" | "accepted");
    r.status == row.status
        && r.completion == row.completion
        && r.current_value == row.current_value
        && r.progress == row.progress
        && r.problems == row.problems
        && r.next_steps == row.next_steps
        && sent == row.submit
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_core::evaluation::Light;
    use duban_store::{Listing, RectificationItem, Ref, SupervisionMonth, Visit};

    fn unit(name: &str) -> Ref {
        Ref {
            id: format!("u-{name}"),
            name: name.into(),
        }
    }

    fn item(
        problem: &str,
        overdue: bool,
        closed_late: Option<bool>,
        listed: bool,
    ) -> RectificationItem {
        RectificationItem {
            id: format!("i-{problem}"),
            visit_id: "v1".into(),
            plan: 2,
            problem: problem.into(),
            requirement: "限期整改".into(),
            deadline: "2025-10-20".into(),
            task: None,
            list_item: None,
            lead_units: vec![unit("市住建局")],
            co_units: vec![unit("市财政局")],
            state: if closed_late.is_some() {
                "closed"
            } else {
                "in_progress"
            }
            .into(),
            state_label: if closed_late.is_some() {
                "已销号"
            } else {
                "整改中"
            }
            .into(),
            version: 1,
            overdue,
            light: if overdue { Some(Light::Red) } else { None },
            submitted_on: None,
            return_reason: None,
            listed: listed.then(|| Listing {
                leader: "李市长".into(),
                by: "office2".into(),
                at: "2025-10-25".into(),
            }),
            closed_on: closed_late.map(|_| "2025-10-18".into()),
            closed_by: None,
            closed_late,
            created_by: "office2".into(),
            created_at: "2025-10-15".into(),
        }
    }

    fn visit(state: &str) -> Visit {
        Visit {
            id: "v1".into(),
            plan: 2,
            month: "2025-10".into(),
            title: "10月份实地督导".into(),
            planned_on: None,
            visited_on: None,
            team_users: vec![],
            team_names: vec![],
            tasks: vec![],
            list_items: vec![],
            units: vec![],
            narrative: String::new(),
            state: state.into(),
            cancel_reason: None,
            created_by: "office2".into(),
            created_at: "2025-10-01".into(),
        }
    }

    fn text(sections: &[ExtraSection]) -> String {
        sections
            .iter()
            .flat_map(|s| s.paragraphs.clone())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every figure in the section is counted from the month's items, and
    /// every listed item is named with its units, deadline and leader.
    #[test]
    fn supervision_section_counts_and_names_listed_items() {
        let listed = item("污水管网未按期完工", true, None, true);
        let late_open = item("台账缺失", true, None, false);
        let fine = item("例会未开", false, None, false);
        let closed_on_time = item("资金拨付慢", false, Some(false), false);
        let closed_late = item("进度滞后", false, Some(true), false);
        let s = SupervisionMonth {
            month: "2025-10".into(),
            visits: vec![
                visit("done"),
                visit("done"),
                visit("cancelled"),
                visit("planned"),
            ],
            found: vec![listed.clone(), late_open.clone(), fine.clone()],
            closed: vec![closed_on_time, closed_late],
            open: vec![listed.clone(), late_open, fine],
            listed: vec![listed],
            overdue: 2,
        };
        let as_of = Date::new(2025, 10, 31).unwrap();
        let sections = supervision_sections(&s, 2025, 10, as_of);
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].heading, "督导整改情况");
        let t = text(&sections);
        assert!(
            t.contains("开展实地督导2次（另有1次已计划、尚未开展，取消1次），发现问题3个"),
            "{t}"
        );
        assert!(t.contains("本月整改销号2项，其中按时完成1项、逾期完成1项；截至2025年10月31日，尚有3项未销号，其中已逾期2项"), "{t}");
        // The overdue item that is not listed is named once, in the overdue sentence.
        assert!(
            t.contains("逾期未整改事项：台账缺失（攻坚2，市住建局、市财政局，时限2025-10-20）"),
            "{t}"
        );
        assert!(!t.contains("例会未开"), "an item on time is not named: {t}");
        assert!(t.contains("挂牌督办事项1项"), "{t}");
        assert!(t.contains("1. 污水管网未按期完工（攻坚2，责任单位：市住建局、市财政局，整改时限2025-10-20，整改中，已逾期；挂牌领导：李市长）"), "{t}");
    }

    #[test]
    fn a_quiet_month_says_so() {
        let s = SupervisionMonth {
            month: "2025-03".into(),
            visits: vec![],
            found: vec![],
            closed: vec![],
            open: vec![],
            listed: vec![],
            overdue: 0,
        };
        let t = text(&supervision_sections(
            &s,
            2025,
            3,
            Date::new(2025, 3, 31).unwrap(),
        ));
        assert_eq!(t, "2025年3月未安排实地督导，无在办整改事项。");
    }
}
