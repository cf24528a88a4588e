//! The bundled sample plan against its reviewed expected ledger
//! (fixtures/sample/expected-ledger.tsv, written by reading the document).

mod common;

use common::{fixture, tsv_rows, unit_list};
use duban_plan::{Comparator, Plan, PlanKind, TargetKind};

fn sample() -> Plan {
    let bytes = fixture("sample/miluo-2025-qida-gongjian.txt");
    duban_plan::parse(&bytes, "miluo-2025-qida-gongjian.txt").unwrap()
}

struct Expected {
    plan: u32,
    label: String,
    leads: Vec<String>,
    cos: Vec<String>,
    inferred: bool,
}

fn expected() -> Vec<Expected> {
    tsv_rows("sample/expected-ledger.tsv")
        .into_iter()
        .map(|c| Expected {
            plan: c[0].parse().unwrap(),
            label: c[1].clone(),
            leads: unit_list(&c[2]),
            cos: unit_list(&c[3]),
            inferred: c[4] == "1",
        })
        .collect()
}

#[test]
fn header_and_plans() {
    let p = sample();
    assert_eq!(
        p.document.doc_number.as_deref(),
        Some("汨政办发〔2025〕3号")
    );
    assert_eq!(p.document.issuer.as_deref(), Some("汨罗市人民政府办公室"));
    assert_eq!(p.document.date.as_deref(), Some("2025-03-07"));
    assert!(p
        .document
        .title
        .as_deref()
        .unwrap()
        .contains("关于印发《汨罗市实施“七大攻坚”总体方案》的通知"));
    assert_eq!(
        p.document.recipients,
        vec![
            "高新区管委会",
            "各镇人民政府",
            "各街道办事处",
            "市直及驻汨各单位"
        ]
    );
    let titles: Vec<(u32, &str, PlanKind)> = p
        .plans
        .iter()
        .map(|e| (e.no, e.title.as_str(), e.kind))
        .collect();
    use PlanKind::*;
    assert_eq!(
        titles,
        vec![
            (0, "汨罗市实施“七大攻坚”总体方案", Overall),
            (1, "内需扩量提效攻坚实施方案", Implementation),
            (2, "产业育新培强攻坚实施方案", Implementation),
            (3, "科技创新赋能攻坚实施方案", Implementation),
            (4, "改革开放重点攻坚实施方案", Implementation),
            (5, "环境优化提升攻坚实施方案", Implementation),
            (6, "安全强基固本攻坚实施方案", Implementation),
            (7, "民生补短提质攻坚实施方案", Implementation),
        ]
    );
    // Attachments 5 and 7 lost their 附件 line; both are flagged.
    let missing: Vec<u32> = p
        .plans
        .iter()
        .filter(|e| !e.attachment_line)
        .map(|e| e.no)
        .collect();
    assert_eq!(missing, vec![5, 7]);
}

#[test]
fn every_assignment_matches_the_reviewed_ledger() {
    let p = sample();
    let want = expected();
    assert!(want.len() > 150);
    assert_eq!(p.tasks.len(), want.len(), "task count");
    let mut mismatches = Vec::new();
    for (got, want) in p.tasks.iter().zip(&want) {
        if got.plan != want.plan
            || got.lead_units != want.leads
            || got.co_units != want.cos
            || got.lead_inferred != want.inferred
        {
            mismatches.push(format!(
                "{} [{}] {}: got {:?} / {:?} / {}, want {:?} / {:?} / {}",
                got.id,
                want.label,
                got.title,
                got.lead_units,
                got.co_units,
                got.lead_inferred,
                want.leads,
                want.cos,
                want.inferred
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn task_titles_paths_and_deadlines() {
    let p = sample();
    let t = &p.tasks[0];
    assert_eq!(t.id, "1-1");
    assert_eq!(
        t.path,
        vec!["二、攻坚任务", "（一）大力提振消费", "1.推动增收减负"]
    );
    assert_eq!(t.title, "推动增收减负");
    assert!(t.text.starts_with("推动增收减负。突出就业优先导向"));
    assert!(t.text.ends_with("按职能分工负责）"));
    // An item with three assignments is three tasks, each with its own text.
    let split: Vec<_> = p
        .tasks
        .iter()
        .filter(|t| t.path.last().is_some_and(|l| l == "2.推动优势产业巩固延伸"))
        .collect();
    assert_eq!(split.len(), 3);
    assert!(split[1].text.starts_with("建设提质改造高标准农田7万亩"));
    let credit = p
        .tasks
        .iter()
        .find(|t| t.title == "加强信用信息共享应用")
        .unwrap();
    assert_eq!(credit.deadlines[0].date.as_deref(), Some("2025-03-31"));
    let school = p
        .tasks
        .iter()
        .find(|t| t.title.contains("化解矛盾纠纷维护社会稳定"))
        .unwrap();
    let dates: Vec<_> = school
        .deadlines
        .iter()
        .filter_map(|d| d.date.as_deref())
        .collect();
    assert_eq!(dates, vec!["2025-05-31", "2025-10-31", "2025-12-31"]);
    // Attachment 7 uses （1）/(3) items under 1. headings.
    let edu = p
        .tasks
        .iter()
        .find(|t| t.title == "更新义务教育学校设备")
        .unwrap();
    assert_eq!(
        edu.path,
        vec![
            "二、攻坚任务",
            "（一）办好省级十大重点民生实事（以岳阳市专班下达任务为准）",
            "1.促进教育高质量发展",
            "（1）更新义务教育学校设备"
        ]
    );
}

#[test]
fn task_forces() {
    let p = sample();
    let got: Vec<(u32, &str)> = p
        .task_forces
        .iter()
        .map(|f| (f.plan, f.office.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "市发改局"),
            (2, "市工信局"),
            (3, "市科技局"),
            (4, "市商务粮食局"),
            (5, "市政府办优化办"),
            (6, "市应急管理局"),
            (7, "市人社局")
        ]
    );
    for f in &p.task_forces {
        assert_eq!(f.convener.as_deref(), Some("市政府分管副市长"));
        assert!(
            f.members.len() >= 20,
            "{}: {} members",
            f.name,
            f.members.len()
        );
        assert_eq!(f.deputy_conveners[0], "市政府办跟线负责人");
    }
    let first = &p.task_forces[0];
    assert_eq!(first.name, "内需扩量提效攻坚行动工作专班");
    assert_eq!(
        first.deputy_conveners,
        vec![
            "市政府办跟线负责人",
            "市发改局主要负责人",
            "市商务粮食局主要负责人"
        ]
    );
    assert_eq!(
        first.members.first().map(String::as_str),
        Some("高新区管委会")
    );
    assert_eq!(first.members.last().map(String::as_str), Some("新市街道"));
}

#[test]
fn goals_targets_of_the_overall_plan() {
    let p = sample();
    type Goal<'a> = (&'a str, TargetKind, Comparator, f64, Option<f64>, &'a str);
    let goals: Vec<Goal> = p
        .targets
        .iter()
        .filter(|t| t.plan == 0 && t.task.is_none())
        .map(|t| {
            (
                t.metric.as_str(),
                t.kind,
                t.comparator,
                t.value,
                t.value_max,
                t.unit.as_str(),
            )
        })
        .collect();
    use Comparator::*;
    use TargetKind::*;
    // Read off the document's 一、攻坚目标 section by hand.
    let want = vec![
        ("社会消费品零售总额", Growth, AtLeast, 8.0, None, "%"),
        ("固定资产投资", Growth, AtLeast, 10.0, None, "%"),
        (
            "常住人口城镇化率",
            PointChange,
            AtLeast,
            1.0,
            None,
            "个百分点",
        ),
        ("第一产业增加值", Growth, AtLeast, 3.5, None, "%"),
        ("规模工业增加值", Growth, AtLeast, 7.0, None, "%"),
        ("服务业增加值", Growth, AtLeast, 7.0, None, "%"),
        ("园区规模工业占比", Share, AtLeast, 75.0, None, "%"),
        ("亩均税收", Growth, AtLeast, 10.0, None, "%"),
        ("全社会研发经费投入", Growth, AtLeast, 12.0, None, "%"),
        ("财政科技投入", Growth, AtLeast, 8.0, None, "%"),
        ("引育创新人才", Count, About, 10.0, None, "名"),
        (
            "“一主一特”现代化产业体系主攻方向突破关键核心技术",
            Count,
            AtLeast,
            10.0,
            None,
            "项",
        ),
        ("新增高新技术企业", Count, AtLeast, 10.0, None, "家"),
        ("技术合同成交额", Growth, AtLeast, 17.0, None, "%"),
        ("高新技术产业增加值", Growth, AtLeast, 6.0, None, "%"),
        ("培育跨境电商企业", Count, Range, 1.0, Some(2.0), "家"),
        ("外贸业绩“破零”", Count, AtLeast, 6.0, None, "家"),
        ("外贸进出口总额", Level, AtLeast, 3.0, None, "亿元"),
        ("政务服务“一网通办”率", Share, AtLeast, 90.0, None, "%"),
        ("民生支出占比", Share, AtLeast, 70.0, None, "%"),
    ];
    assert_eq!(goals, want);
}

#[test]
fn ceilings_inside_tasks() {
    let p = sample();
    let pm = p
        .targets
        .iter()
        .find(|t| t.metric.contains("PM2.5"))
        .unwrap();
    assert_eq!(
        (pm.comparator, pm.kind, pm.value, pm.unit.as_str()),
        (Comparator::AtMost, TargetKind::Ceiling, 31.0, "μg/m³")
    );
    let jobless = p
        .targets
        .iter()
        .find(|t| t.metric == "城镇调查失业率")
        .unwrap();
    assert_eq!(
        (jobless.comparator, jobless.value, jobless.unit.as_str()),
        (Comparator::AtMost, 5.2, "%")
    );
    // A task's targets are listed on the task too.
    let task = p
        .tasks
        .iter()
        .find(|t| Some(&t.id) == pm.task.as_ref())
        .unwrap();
    assert!(task.targets.contains(pm));
}

#[test]
fn units_and_suspected_aliases() {
    let p = sample();
    let unit = |n: &str| {
        p.units
            .iter()
            .find(|u| u.name == n)
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    let alias = |n: &str| unit(n).suspected_alias_of.as_ref().map(|a| a.name.as_str());
    assert_eq!(alias("市场监管局"), Some("市市场监管局"));
    assert_eq!(alias("市文旅广局"), Some("市文旅广电局"));
    assert_eq!(alias("飞地园管理中心"), Some("飞地园管理办公室"));
    assert_eq!(alias("市发改局"), None);
    use duban_plan::UnitKind::*;
    assert_eq!(unit("各镇").kind, Group);
    assert_eq!(unit("各负有监管职责行业部门").kind, Group);
    assert_eq!(unit("岳阳市生态环境局汨罗分局").kind, Resident);
    assert_eq!(unit("归义街道").kind, Town);
    // Counts agree with the tasks.
    let lead = p
        .tasks
        .iter()
        .filter(|t| t.lead_units.iter().any(|u| u == "市发改局"))
        .count();
    let co = p
        .tasks
        .iter()
        .filter(|t| t.co_units.iter().any(|u| u == "市发改局"))
        .count();
    assert_eq!(
        (unit("市发改局").lead_count, unit("市发改局").co_count),
        (lead, co)
    );
    assert!(lead > 20);
}
