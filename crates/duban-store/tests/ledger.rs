//! The storage suite: every test runs against SQLite and PostgreSQL.

use duban_core::diff::ChangeKind;
use duban_core::names::{ListKind, RegionName, Role, UnitName, UserName};
use duban_store::testing::fresh_stores;
use duban_store::{NewListItem, NewUser, Store, TaskFilter};
use std::path::PathBuf;

const SAMPLE: &str = "sample/miluo-2025-qida-gongjian.txt";

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(rel),
    )
    .unwrap()
}

fn sample_plan() -> duban_plan::Plan {
    duban_plan::parse(&fixture(SAMPLE), "miluo.txt").unwrap()
}

async fn region(store: &Store, name: &str) -> duban_store::Region {
    store
        .ensure_region(
            &RegionName::parse(name).unwrap(),
            Some(&RegionName::parse("岳阳市").unwrap()),
            "test",
        )
        .await
        .unwrap()
}

/// The sample with one task reworded, one reassigned and one removed.
fn edited_sample() -> Vec<u8> {
    let text = String::from_utf8(fixture(SAMPLE)).unwrap();
    let reworded = text.replacen(
        "大力推广以工代赈，提升劳务报酬发放比例。",
        "大力推广以工代赈，持续提升劳务报酬发放比例。",
        1,
    );
    assert_ne!(reworded, text);
    let reassigned = reworded.replacen(
        "（市财政局牵头，高新区管委会、市工信局、金融监管支局按职能分工负责）",
        "（市工信局牵头，高新区管委会、市财政局、金融监管支局按职能分工负责）",
        1,
    );
    assert_ne!(reassigned, reworded);
    let start = reassigned.find("4.兜牢基层“三保”底线。").unwrap();
    let end = start
        + reassigned[start..]
            .find("5.有效推动中小金融机构改革化险")
            .unwrap();
    let mut removed = reassigned.clone();
    removed.replace_range(start..end, "");
    removed.into_bytes()
}

#[tokio::test]
async fn sample_import_gives_the_same_ledger_on_both_databases() {
    let plan = sample_plan();
    let mut results = Vec::new();
    for (backend, store) in fresh_stores().await {
        let r = region(&store, "汨罗市").await;
        let report = store.import(&r, &plan, "test").await.unwrap();
        assert!(!report.already_imported);
        assert_eq!(
            (report.plans, report.tasks, report.task_forces),
            (8, 155, 7),
            "{backend}"
        );
        assert_eq!(
            report.units_new + report.units_suggested,
            plan.units.len(),
            "{backend}"
        );
        assert!(report.units_suggested >= 3, "{backend}: {report:?}");
        let counts = store.counts(&r.id).await.unwrap();
        assert_eq!(counts["tasks"], 155);
        assert_eq!(counts["plans"], 8);
        assert_eq!(counts["targets"], plan.targets.len() as i64);
        let tasks = store.tasks(&r.id, &TaskFilter::default()).await.unwrap();
        let ledger: Vec<(String, Vec<String>, Vec<String>)> = tasks
            .iter()
            .map(|t| {
                (
                    t.title.clone(),
                    t.lead_units.iter().map(|u| u.name.clone()).collect(),
                    t.co_units.iter().map(|u| u.name.clone()).collect(),
                )
            })
            .collect();
        // The stored ledger is the parsed one, in order.
        let parsed: Vec<(String, Vec<String>, Vec<String>)> = plan
            .tasks
            .iter()
            .map(|t| (t.title.clone(), t.lead_units.clone(), t.co_units.clone()))
            .collect();
        assert_eq!(ledger, parsed, "{backend}");
        let forces = store.task_forces(&r.id).await.unwrap();
        assert_eq!(forces[0].office.as_deref(), Some("市发改局"));
        results.push((counts, ledger));
    }
    assert_eq!(results[0], results[1], "SQLite and PostgreSQL differ");
}

#[tokio::test]
async fn importing_the_same_document_twice_changes_nothing() {
    let plan = sample_plan();
    for (backend, store) in fresh_stores().await {
        let r = region(&store, "汨罗市").await;
        store.import(&r, &plan, "test").await.unwrap();
        let before = store.counts(&r.id).await.unwrap();
        let again = store.import(&r, &plan, "test").await.unwrap();
        assert!(again.already_imported, "{backend}");
        assert_eq!(
            store.counts(&r.id).await.unwrap(),
            before,
            "{backend}: a second import wrote something"
        );
    }
}

#[tokio::test]
async fn a_revised_document_yields_exactly_its_diff() {
    let plan = sample_plan();
    let revised = duban_plan::parse(&edited_sample(), "miluo-v2.txt").unwrap();
    assert_eq!(revised.tasks.len(), 154);
    for (backend, store) in fresh_stores().await {
        let r = region(&store, "汨罗市").await;
        store.import(&r, &plan, "test").await.unwrap();
        let tasks = store.tasks(&r.id, &TaskFilter::default()).await.unwrap();
        let kept = tasks
            .iter()
            .find(|t| t.title == "完善消费政策")
            .unwrap()
            .clone();
        let finance = tasks
            .iter()
            .find(|t| t.title == "强化财政金融支持力度")
            .unwrap()
            .clone();
        // Something attached to an unchanged task must survive the revision.
        let item = NewListItem {
            unit: "市商务粮食局".into(),
            kind: ListKind::Project,
            title: "以旧换新补贴项目".into(),
            lead_person: "张三".into(),
            planned_investment: Some(500.0),
            funds_secured: Some(200.0),
            started: Some(true),
            funds_paid: Some(100.0),
            physical_progress: Some(30.0),
        };
        store
            .add_list_item(&r.id, &kept.id, &item, "test")
            .await
            .unwrap();

        let report = store.import(&r, &revised, "test").await.unwrap();
        assert_eq!(report.version, 2, "{backend}");
        let mut kinds: Vec<(String, ChangeKind)> = report
            .changes
            .iter()
            .map(|c| (c.title.clone(), c.kind))
            .collect();
        kinds.sort_by(|a, b| a.0.cmp(&b.0));
        let mut want = vec![
            ("兜牢基层“三保”底线".to_string(), ChangeKind::Removed),
            ("推动增收减负".to_string(), ChangeKind::Reworded),
            ("强化财政金融支持力度".to_string(), ChangeKind::Reassigned),
        ];
        want.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(kinds, want, "{backend}");
        assert_eq!(
            (
                report.added,
                report.removed,
                report.reworded,
                report.reassigned
            ),
            (0, 1, 1, 1)
        );
        let after = store.tasks(&r.id, &TaskFilter::default()).await.unwrap();
        assert_eq!(after.len(), 154);
        assert_eq!(
            store.list_items(&r.id, &kept.id).await.unwrap().len(),
            1,
            "{backend}: list item lost"
        );
        let finance_after = after
            .iter()
            .find(|t| t.id == finance.id)
            .expect("reassigned task keeps its id");
        assert_eq!(finance_after.lead_units[0].name, "市工信局");
        // The history keeps what was there before.
        let history = store.audit_log(&r.id, Some(&finance.id), 10).await.unwrap();
        let reassign = history
            .iter()
            .find(|e| e.action == "task.reassign")
            .unwrap();
        assert!(reassign.before.as_ref().unwrap().to_string().len() > 2);
        // And a third import of the revision is a no-op.
        assert!(
            store
                .import(&r, &revised, "test")
                .await
                .unwrap()
                .already_imported
        );
    }
}

#[tokio::test]
async fn unit_variants_are_suggested_and_a_merge_repoints_assignments() {
    let plan = sample_plan();
    for (backend, store) in fresh_stores().await {
        let r = region(&store, "汨罗市").await;
        store.import(&r, &plan, "test").await.unwrap();
        let variant = store.unit(&r.id, "市场监管局").await.unwrap();
        assert_eq!(variant.review.as_deref(), Some("suggested"), "{backend}");
        assert_eq!(
            variant.suggested.as_ref().map(|s| s.name.as_str()),
            Some("市市场监管局")
        );
        let wenlv = store.unit(&r.id, "市文旅广局").await.unwrap();
        assert_eq!(
            wenlv.suggested.as_ref().map(|s| s.name.as_str()),
            Some("市文旅广电局")
        );

        let filter = |unit: &str| TaskFilter {
            unit: Some(unit.into()),
            ..Default::default()
        };
        let before_variant = store
            .tasks(&r.id, &filter("市场监管局"))
            .await
            .unwrap()
            .len();
        let before_canonical = store
            .tasks(&r.id, &filter("市市场监管局"))
            .await
            .unwrap()
            .len();
        assert_eq!(before_variant, 2);
        let report = store
            .merge_units(&r.id, "市场监管局", "市市场监管局", "admin")
            .await
            .unwrap();
        assert_eq!(report.assignments_moved, 2, "{backend}");
        // The old name now resolves to the canonical unit, with every task.
        let merged = store.unit(&r.id, "市场监管局").await.unwrap();
        assert_eq!(merged.name, "市市场监管局");
        assert!(merged.aliases.contains(&"市场监管局".to_string()));
        assert_eq!(
            store
                .tasks(&r.id, &filter("市市场监管局"))
                .await
                .unwrap()
                .len(),
            before_canonical + before_variant
        );
        let log = store.audit_log(&r.id, None, 50).await.unwrap();
        assert!(log.iter().any(|e| e.action == "unit.merge"));
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "assignment.repoint")
                .count(),
            2
        );
        // Re-parsing a document that uses the variant resolves it, no new unit.
        let units_before = store.counts(&r.id).await.unwrap()["units"];
        let revised = duban_plan::parse(&edited_sample(), "v2.txt").unwrap();
        let rep = store.import(&r, &revised, "test").await.unwrap();
        assert_eq!(rep.units_new + rep.units_suggested, 0, "{backend}: {rep:?}");
        assert_eq!(store.counts(&r.id).await.unwrap()["units"], units_before);
        assert_eq!(
            store
                .tasks(&r.id, &filter("市场监管局"))
                .await
                .unwrap()
                .len(),
            before_canonical + before_variant
        );
    }
}

#[tokio::test]
async fn filters_groups_and_regions() {
    let plan = sample_plan();
    for (backend, store) in fresh_stores().await {
        let r = region(&store, "汨罗市").await;
        store.import(&r, &plan, "test").await.unwrap();
        let f = |plan: Option<i64>, unit: Option<&str>, role: Option<&str>| TaskFilter {
            plan,
            unit: unit.map(str::to_string),
            role: role.map(str::to_string),
            ..Default::default()
        };
        let first = plan.tasks.iter().filter(|t| t.plan == 1).count();
        assert_eq!(
            store
                .tasks(&r.id, &f(Some(1), None, None))
                .await
                .unwrap()
                .len(),
            first,
            "{backend}"
        );
        let lead = store
            .tasks(&r.id, &f(None, Some("市发改局"), Some("lead")))
            .await
            .unwrap();
        let co = store
            .tasks(&r.id, &f(None, Some("市发改局"), Some("co")))
            .await
            .unwrap();
        let parsed = plan.units.iter().find(|u| u.name == "市发改局").unwrap();
        assert_eq!((lead.len(), co.len()), (parsed.lead_count, parsed.co_count));
        let due = TaskFilter {
            due_from: Some("2025-03-01".into()),
            due_to: Some("2025-06-30".into()),
            ..Default::default()
        };
        let due_tasks = store.tasks(&r.id, &due).await.unwrap();
        assert!(due_tasks.iter().all(|t| t
            .due_date
            .as_deref()
            .is_some_and(|d| ("2025-03-01".."2025-07-01").contains(&d))));
        assert_eq!(
            due_tasks.len(),
            2,
            "{backend}: {:?}",
            due_tasks.iter().map(|t| &t.title).collect::<Vec<_>>()
        );
        assert!(store
            .tasks(
                &r.id,
                &TaskFilter {
                    role: Some("boss".into()),
                    ..Default::default()
                }
            )
            .await
            .is_err());
        assert!(store
            .tasks(
                &r.id,
                &TaskFilter {
                    due_from: Some("3月".into()),
                    ..Default::default()
                }
            )
            .await
            .is_err());

        // A town registered later is covered by 各镇 assignments.
        let town = store
            .create_unit(&r.id, &UnitName::parse("长乐镇").unwrap(), "town", "admin")
            .await
            .unwrap();
        let town_tasks = store
            .tasks(&r.id, &f(None, Some(&town.name), None))
            .await
            .unwrap();
        // 各镇 and 各有关镇 both stand for every town.
        let mut group_tasks: Vec<String> = Vec::new();
        for g in ["各镇", "各有关镇"] {
            group_tasks.extend(
                store
                    .tasks(&r.id, &f(None, Some(g), None))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|t| t.id),
            );
        }
        group_tasks.sort();
        group_tasks.dedup();
        let mut town_ids: Vec<String> = town_tasks.iter().map(|t| t.id.clone()).collect();
        town_ids.sort();
        assert_eq!(town_ids, group_tasks, "{backend}");
        // A subdistrict (归义街道, known from a task force) is covered by
        // 各街道 and not by 各镇.
        let street: Vec<String> = store
            .tasks(&r.id, &f(None, Some("归义街道"), None))
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        let by_group: Vec<String> = store
            .tasks(&r.id, &f(None, Some("各街道"), None))
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(street, by_group, "{backend}");
        let towns_only: Vec<String> = store
            .tasks(&r.id, &f(None, Some("各镇"), None))
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .filter(|id| !by_group.contains(id))
            .collect();
        assert!(towns_only.iter().all(|id| !street.contains(id)));
        assert!(town_tasks.len() >= 10);

        // Regions are separate tenants; a parent sees its children.
        let other = region(&store, "平江县").await;
        assert!(store
            .tasks(&other.id, &TaskFilter::default())
            .await
            .unwrap()
            .is_empty());
        let parent = store.region("岳阳市").await.unwrap();
        assert!(store.region_in_scope(&parent.id, &r.id).await.unwrap());
        assert!(!store.region_in_scope(&r.id, &parent.id).await.unwrap());
        assert!(!store.region_in_scope(&other.id, &r.id).await.unwrap());
    }
}

#[tokio::test]
async fn users_tokens_lists_and_corrections() {
    let plan = sample_plan();
    for (backend, store) in fresh_stores().await {
        let r = region(&store, "汨罗市").await;
        store.import(&r, &plan, "test").await.unwrap();
        let new = |name: &str, role: Role, unit: Option<&str>, campaign: Option<u32>| NewUser {
            name: UserName::parse(name).unwrap(),
            role,
            unit: unit.map(str::to_string),
            campaign,
            password: Some("correct horse".into()),
        };
        store
            .add_user(&r.id, new("admin", Role::Admin, None, None), "cli")
            .await
            .unwrap();
        let reporter = store
            .add_user(
                &r.id,
                new("fgj", Role::Reporter, Some("市发改局"), None),
                "cli",
            )
            .await
            .unwrap();
        assert!(
            store
                .add_user(&r.id, new("x", Role::Reporter, None, None), "cli")
                .await
                .is_err(),
            "reporter without unit"
        );
        assert!(
            store
                .add_user(&r.id, new("y", Role::Office, None, None), "cli")
                .await
                .is_err(),
            "office without campaign"
        );
        assert!(
            store
                .add_user(&r.id, new("z", Role::Office, None, Some(9)), "cli")
                .await
                .is_err(),
            "no plan 9"
        );
        assert!(
            store
                .add_user(&r.id, new("fgj", Role::Leader, None, None), "cli")
                .await
                .is_err(),
            "duplicate"
        );
        assert!(store.verify_password("fgj", "correct horse").await.unwrap());
        assert!(!store.verify_password("fgj", "wrong").await.unwrap());

        let (_, token) = store.create_token("fgj", "cli").await.unwrap();
        let p = store
            .principal_for_token(&token)
            .await
            .unwrap()
            .expect("valid token");
        assert_eq!(
            (p.role, p.unit_id.as_deref()),
            (Role::Reporter, reporter.unit_id.as_deref())
        );
        assert!(store
            .principal_for_token("dbn_forged")
            .await
            .unwrap()
            .is_none());

        let task = store.tasks(&r.id, &TaskFilter::default()).await.unwrap()[0].clone();
        let mut item = NewListItem {
            unit: "市人社局".into(),
            kind: ListKind::Policy,
            title: "稳岗返还政策".into(),
            lead_person: "李四".into(),
            planned_investment: Some(1.0),
            funds_secured: None,
            started: None,
            funds_paid: None,
            physical_progress: None,
        };
        assert!(
            store
                .add_list_item(&r.id, &task.id, &item, "fgj")
                .await
                .is_err(),
            "{backend}: investment on a policy item"
        );
        item.planned_investment = None;
        let saved = store
            .add_list_item(&r.id, &task.id, &item, "fgj")
            .await
            .unwrap();
        assert_eq!(
            (
                saved.unit.as_str(),
                saved.kind.as_str(),
                saved.lead_person.as_str()
            ),
            ("市人社局", "policy", "李四")
        );

        let fixed = store
            .set_assignments(
                &r.id,
                &task.id,
                &["市发改局".into()],
                &["市财政局".into()],
                "admin",
            )
            .await
            .unwrap();
        assert_eq!(fixed.lead_units[0].name, "市发改局");
        assert!(!fixed.lead_inferred);
        let log = store.audit_log(&r.id, Some(&task.id), 5).await.unwrap();
        let entry = log
            .iter()
            .find(|e| e.action == "task.correct_assignment")
            .unwrap();
        assert_eq!(entry.before.as_ref().unwrap()["leads"][0], "市人社局");
        assert_eq!(entry.actor, "admin");
    }
}

#[tokio::test]
async fn cached_reads_see_writes_from_another_process() {
    let plan = sample_plan();
    for (backend, url) in duban_store::testing::fresh_urls().await {
        let server = Store::open(&url).await.unwrap();
        let cli = Store::open(&url).await.unwrap(); // a second process, in effect
        let r = region(&cli, "汨罗市").await;
        cli.import(&r, &plan, "cli").await.unwrap();
        let before = server.tasks(&r.id, &TaskFilter::default()).await.unwrap();
        let task = &before[0];
        cli.set_assignments(&r.id, &task.id, &["市财政局".into()], &[], "cli")
            .await
            .unwrap();
        let after = server.task(&r.id, &task.id).await.unwrap();
        assert_eq!(
            after.lead_units[0].name, "市财政局",
            "{backend}: stale cache"
        );
        // A region created by the other process is found too.
        let other = region(&cli, "湘阴县").await;
        assert_eq!(
            server.region("湘阴县").await.unwrap().id,
            other.id,
            "{backend}"
        );
    }
}

/// Issue 7, item 8: tokens expire and can be revoked; a disabled user's
/// tokens and password stop working at once, and come back when enabled;
/// a changed password replaces the old one.
#[tokio::test]
async fn tokens_expire_and_are_revoked_users_are_disabled() {
    let plan = sample_plan();
    for (backend, store) in fresh_stores().await {
        let r = region(&store, "汨罗市").await;
        store.import(&r, &plan, "test").await.unwrap();
        store
            .add_user(
                &r.id,
                NewUser {
                    name: UserName::parse("ban").unwrap(),
                    role: Role::Leader,
                    unit: None,
                    campaign: None,
                    password: Some("first password".into()),
                },
                "cli",
            )
            .await
            .unwrap();
        let (_, forever) = store.create_token("ban", "cli").await.unwrap();
        let (_, month) = store
            .create_token_expiring("ban", Some(30), "cli")
            .await
            .unwrap();
        for bad in [0, duban_store::MAX_TOKEN_DAYS + 1] {
            assert!(store
                .create_token_expiring("ban", Some(bad), "cli")
                .await
                .is_err());
        }
        let ok = |t: &str| {
            let store = store.clone();
            let t = t.to_string();
            async move { store.principal_for_token(&t).await.unwrap().is_some() }
        };
        assert!(ok(&forever).await && ok(&month).await, "{backend}");
        let listed = store.tokens(Some("ban")).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed.iter().filter(|t| t.expires_at.is_some()).count(), 1);
        // Expired: set its expiry into the past.
        let month_id = listed
            .iter()
            .find(|t| t.expires_at.is_some())
            .unwrap()
            .id
            .clone();
        duban_store::testing::execute_raw(
            &store,
            &format!(
                "UPDATE tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE id = '{month_id}'"
            ),
        )
        .await;
        assert!(!ok(&month).await, "{backend}: an expired token is refused");
        // Revoked.
        let forever_id = listed
            .iter()
            .find(|t| t.expires_at.is_none())
            .unwrap()
            .id
            .clone();
        let revoked = store.revoke_token(&forever_id, "cli").await.unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(!ok(&forever).await, "{backend}: a revoked token is refused");
        assert!(store.revoke_token(&forever_id, "cli").await.is_err());
        // Disabled: tokens and password stop; enabled: they work again.
        let (_, fresh) = store.create_token("ban", "cli").await.unwrap();
        store.set_user_disabled("ban", true, "cli").await.unwrap();
        assert!(!ok(&fresh).await, "{backend}");
        assert!(!store
            .verify_password("ban", "first password")
            .await
            .unwrap());
        let users = store.users(Some(&r.id)).await.unwrap();
        assert!(users
            .iter()
            .any(|(u, disabled)| u.name == "ban" && *disabled));
        store.set_user_disabled("ban", false, "cli").await.unwrap();
        assert!(ok(&fresh).await);
        assert!(store
            .verify_password("ban", "first password")
            .await
            .unwrap());
        // A new password replaces the old one; short ones are refused.
        assert!(store.set_password("ban", "short", "cli").await.is_err());
        store
            .set_password("ban", "second password", "cli")
            .await
            .unwrap();
        assert!(!store
            .verify_password("ban", "first password")
            .await
            .unwrap());
        assert!(store
            .verify_password("ban", "second password")
            .await
            .unwrap());
        let audit = store.audit_log(&r.id, None, 200).await.unwrap();
        for action in [
            "token.revoke",
            "user.disable",
            "user.enable",
            "user.password",
        ] {
            assert!(
                audit.iter().any(|a| a.action == action),
                "{backend}: {action}"
            );
        }
    }
}
