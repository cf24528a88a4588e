//! The store functions behind the coordination group's pages, on SQLite and
//! PostgreSQL: pending uploads, the import dry run (which must predict the
//! real import exactly), holidays, the audit search, account changes.

use duban_core::dates::Date;
use duban_core::diff::ChangeKind;
use duban_core::names::{RegionName, Role, UserName};
use duban_store::testing::fresh_stores;
use duban_store::{AuditQuery, NewUser, Store, UserChange};
use std::path::PathBuf;

fn sample() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap()
}

/// The sample with one task reworded, one reassigned and one removed.
fn revised() -> Vec<u8> {
    let text = String::from_utf8(sample()).unwrap();
    let edits = [
        (
            "大力推广以工代赈，提升劳务报酬发放比例。",
            "大力推广以工代赈，持续提升劳务报酬发放比例。",
        ),
        (
            "（市财政局牵头，高新区管委会、市工信局、金融监管支局按职能分工负责）",
            "（市工信局牵头，高新区管委会、市财政局、金融监管支局按职能分工负责）",
        ),
    ];
    let mut out = text.clone();
    for (from, to) in edits {
        assert!(out.contains(from));
        out = out.replacen(from, to, 1);
    }
    let start = out.find("4.兜牢基层“三保”底线。").unwrap();
    let end = start + out[start..].find("5.有效推动中小金融机构改革化险").unwrap();
    out.replace_range(start..end, "");
    out.into_bytes()
}

async fn region(store: &Store) -> duban_store::Region {
    store
        .ensure_region(
            &RegionName::parse("汨罗市").unwrap(),
            Some(&RegionName::parse("岳阳市").unwrap()),
            "test",
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn the_dry_run_predicts_the_import_and_writes_nothing() {
    for (backend, store) in fresh_stores().await {
        let r = region(&store).await;
        let v1 = duban_plan::parse(&sample(), "miluo.txt").unwrap();
        let first = store.import_preview(&r, &v1).await.unwrap();
        assert!(
            !first.already_imported && first.revises.is_none(),
            "{backend}"
        );
        assert!(first.changes.is_empty());
        assert!(
            first.units.iter().all(|u| u.status != "matched"),
            "{backend}"
        );
        store.import(&r, &v1, "test").await.unwrap();
        let again = store.import_preview(&r, &v1).await.unwrap();
        assert!(again.already_imported, "{backend}");
        assert!(
            again.units.iter().all(|u| u.status == "matched"),
            "{backend}"
        );

        let v2 = duban_plan::parse(&revised(), "miluo-v2.txt").unwrap();
        let before = store.counts(&r.id).await.unwrap();
        let preview = store.import_preview(&r, &v2).await.unwrap();
        assert_eq!(
            store.counts(&r.id).await.unwrap(),
            before,
            "{backend}: nothing written"
        );
        assert_eq!(preview.revises.as_ref().map(|p| p.version), Some(1));
        let count = |k: ChangeKind| preview.changes.iter().filter(|c| c.kind == k).count();
        let report = store.import(&r, &v2, "test").await.unwrap();
        assert_eq!(
            (
                count(ChangeKind::Added),
                count(ChangeKind::Removed),
                count(ChangeKind::Reworded),
                count(ChangeKind::Reassigned),
            ),
            (
                report.added,
                report.removed,
                report.reworded,
                report.reassigned
            ),
            "{backend}: the preview predicts the import"
        );
        assert_eq!(
            (report.removed, report.reworded, report.reassigned),
            (1, 1, 1)
        );
        let moved = preview
            .changes
            .iter()
            .find(|c| c.kind == ChangeKind::Reassigned)
            .unwrap();
        assert_eq!(moved.leads_before, ["市财政局"]);
        assert_eq!(moved.leads_after, ["市工信局"]);
        assert_eq!(
            preview.unchanged + preview.changes.len() - count(ChangeKind::Added),
            v1.tasks.len(),
            "{backend}: every old task is accounted for"
        );
    }
}

#[tokio::test]
async fn pending_uploads_keep_their_bytes_until_confirmed_or_cancelled() {
    for (backend, store) in fresh_stores().await {
        let r = region(&store).await;
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let id = store
            .save_pending_import(&r.id, "admin", "方案.docx", &bytes)
            .await
            .unwrap();
        let p = store.pending_import(&r.id, &id).await.unwrap();
        assert_eq!(
            (p.data == bytes, p.file_name.as_str()),
            (true, "方案.docx"),
            "{backend}"
        );
        assert!(store.pending_import("other-region", &id).await.is_err());
        store
            .confirm_pending_import(&r.id, &id, serde_json::json!({"ok": 1}), "admin")
            .await
            .unwrap();
        assert!(store.pending_import(&r.id, &id).await.is_err(), "{backend}");
        assert!(store
            .cancel_pending_import(&r.id, &id, "admin")
            .await
            .is_err());
        assert!(store
            .save_pending_import(&r.id, "admin", "x.txt", &[])
            .await
            .is_err());
        let id = store
            .save_pending_import(&r.id, "admin", "b.txt", b"x")
            .await
            .unwrap();
        store
            .cancel_pending_import(&r.id, &id, "admin")
            .await
            .unwrap();
        let actions: Vec<String> = store
            .audit_log(&r.id, None, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("import."))
            .collect();
        assert_eq!(
            actions,
            [
                "import.cancel",
                "import.upload",
                "import.confirm",
                "import.upload"
            ],
            "{backend}"
        );
    }
}

#[tokio::test]
async fn holidays_audit_search_and_account_changes() {
    for (backend, store) in fresh_stores().await {
        let r = region(&store).await;
        let plan = duban_plan::parse(&sample(), "miluo.txt").unwrap();
        store.import(&r, &plan, "importer").await.unwrap();
        let day = Date::parse("2025-10-01").unwrap();
        store
            .add_holiday(&r.id, day, "国庆节", "admin")
            .await
            .unwrap();
        store
            .add_holiday(&r.id, Date::parse("2025-05-01").unwrap(), "劳动节", "admin")
            .await
            .unwrap();
        let days: Vec<String> = store
            .holidays(&r.id)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.day)
            .collect();
        assert_eq!(days, ["2025-05-01", "2025-10-01"], "{backend}");
        store.remove_holiday(&r.id, day, "admin").await.unwrap();
        assert!(store.remove_holiday(&r.id, day, "admin").await.is_err());
        assert_eq!(store.holidays(&r.id).await.unwrap().len(), 1);

        // Filters: actor, action prefix or entity, date range; pages.
        let q = |actor: &str, action: &str| AuditQuery {
            actor: actor.into(),
            action: action.into(),
            ..Default::default()
        };
        let (by_admin, more) = store
            .audit_search(&r.id, &q("admin", ""), 0, 50)
            .await
            .unwrap();
        assert_eq!(by_admin.len(), 3, "{backend}");
        assert!(!more);
        assert!(by_admin.iter().all(|e| e.action.starts_with("holiday.")));
        let (tasks, more) = store
            .audit_search(&r.id, &q("", "task."), 0, 100)
            .await
            .unwrap();
        assert_eq!((tasks.len(), more), (100, true), "{backend}");
        let (page2, _) = store
            .audit_search(&r.id, &q("", "task."), 100, 100)
            .await
            .unwrap();
        assert_eq!(tasks.len() + page2.len(), plan.tasks.len(), "{backend}");
        assert!(page2.iter().all(|e| !tasks.contains(e)));
        let (units, _) = store
            .audit_search(&r.id, &q("", "unit"), 0, 500)
            .await
            .unwrap();
        assert!(!units.is_empty() && units.iter().all(|e| e.entity == "unit"));
        let today = Date::parse(&by_admin[0].at[..10]).unwrap();
        let range = |from: Date, to: Date| AuditQuery {
            from: Some(from),
            to: Some(to),
            ..q("admin", "")
        };
        let (same_day, _) = store
            .audit_search(&r.id, &range(today, today), 0, 50)
            .await
            .unwrap();
        assert_eq!(same_day.len(), 3, "{backend}: the last day is included");
        let (before, _) = store
            .audit_search(&r.id, &range(today.add_days(-9), today.add_days(-1)), 0, 50)
            .await
            .unwrap();
        assert!(before.is_empty(), "{backend}");

        // Account changes, with the same rules as creating one.
        let new = NewUser {
            name: UserName::parse("wangwu").unwrap(),
            role: Role::Leader,
            unit: None,
            campaign: None,
            password: Some("wangwu-pass".into()),
        };
        store.add_user(&r.id, new, "admin").await.unwrap();
        let change = |role, unit: Option<&str>, campaign| UserChange {
            role,
            unit: unit.map(str::to_string),
            campaign,
        };
        assert!(store
            .update_user(&r.id, "wangwu", change(Role::Reporter, None, None), "admin")
            .await
            .is_err());
        assert!(store
            .update_user(
                &r.id,
                "wangwu",
                change(Role::Office, None, Some(99)),
                "admin"
            )
            .await
            .is_err());
        assert!(store
            .update_user(
                "elsewhere",
                "wangwu",
                change(Role::Admin, None, None),
                "admin"
            )
            .await
            .is_err());
        let u = store
            .update_user(
                &r.id,
                "wangwu",
                change(Role::Reporter, Some("市人社局"), None),
                "admin",
            )
            .await
            .unwrap();
        let unit = store.unit(&r.id, "市人社局").await.unwrap();
        assert_eq!(
            (u.role, u.unit_id.as_deref()),
            (Role::Reporter, Some(unit.id.as_str()))
        );
        assert_eq!(store.user("wangwu").await.unwrap(), u, "{backend}");
        let (log, _) = store
            .audit_search(&r.id, &q("admin", "user.update"), 0, 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].before.as_ref().unwrap()["role"], "leader");
        assert_eq!(log[0].after.as_ref().unwrap()["role"], "reporter");

        // Sign-ins are read back from the audit log, and do not move the
        // region's versions (they would empty every cached page and read).
        assert!(store.last_sign_ins(&r.id).await.unwrap().is_empty());
        let versions = (
            store.ledger_version(&r.id).await.unwrap(),
            store.catalog_version(&r.id).await.unwrap(),
        );
        store
            .sign_in("wangwu", "wangwu-pass", "127.0.0.1")
            .await
            .unwrap()
            .unwrap();
        assert!(store
            .sign_in("wangwu", "wrong", "127.0.0.1")
            .await
            .unwrap()
            .is_err());
        let seen = store.last_sign_ins(&r.id).await.unwrap();
        assert_eq!(seen.keys().collect::<Vec<_>>(), ["wangwu"], "{backend}");
        assert_eq!(
            (
                store.ledger_version(&r.id).await.unwrap(),
                store.catalog_version(&r.id).await.unwrap()
            ),
            versions,
            "{backend}: a sign-in moved the versions"
        );
        assert_eq!(store.end_sessions("wangwu", "admin").await.unwrap(), 1);
    }
}
