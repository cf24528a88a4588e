//! Times the office files (BENCHMARKS.md, issue 11): importing a 500-row
//! Excel form (read, check every row, save in one transaction) into a
//! fresh SQLite ledger, and writing that form.
//! `cargo run --release -p duban-web --example office_bench`
//! (the demo region's bulletin and ledger are timed with the CLI).

use duban_core::dates::Date;
use duban_core::names::{RegionName, Role, UserName};
use duban_office::form::{self, Form, FormRow};
use duban_store::testing::{fresh_sqlite_url, synthetic_plan};
use duban_store::{NewUser, Store};
use duban_web::office::{self, Imported};
use std::time::Instant;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let store = Store::open(&fresh_sqlite_url()).await.expect("store");
    let region = store
        .ensure_region(&RegionName::parse("测试市").expect("name"), None, "bench")
        .await
        .expect("region");
    // 170 tasks, each with a lead and two co-units: 510 expected reports.
    let plan = duban_plan::parse(synthetic_plan(170).as_bytes(), "bench.txt").expect("plan");
    store.import(&region, &plan, "bench").await.expect("import");
    store
        .add_user(
            &region.id,
            NewUser {
                name: UserName::parse("benchadmin").expect("name"),
                role: Role::Admin,
                unit: None,
                campaign: None,
                password: None,
            },
            "bench",
        )
        .await
        .expect("user");
    let plan_no = store.plans(&region.id).await.expect("plans")[0].no;
    let today = Date::new(2025, 6, 2).expect("date");
    let cycle = store
        .open_cycle(
            &region.id,
            plan_no,
            today,
            today.add_days(10),
            "regular",
            "bench",
        )
        .await
        .expect("cycle");
    let expected = store
        .expected_reports(&region.id, &cycle)
        .await
        .expect("expected");
    let rows: Vec<FormRow> = expected
        .iter()
        .take(500)
        .map(|e| FormRow {
            cycle_id: cycle.id.clone(),
            task_id: e.task_id.clone(),
            unit_id: e.unit_id.clone(),
            version: 0,
            task: e.task.clone(),
            role: "牵头".into(),
            deadline: "2025-12-31".into(),
            status: "in_progress".into(),
            completion: Some(50.0),
            current_value: None,
            progress: "按计划推进，完成年度目标的一半。".into(),
            problems: String::new(),
            next_steps: "继续推进。".into(),
            submitted: true,
        })
        .collect();
    assert_eq!(rows.len(), 500, "500 rows");
    let t = Instant::now();
    let bytes = form::write(&Form {
        title: "测试市 · 500 行填报表".into(),
        rows,
    })
    .expect("form");
    let write_ms = t.elapsed().as_secs_f64() * 1000.0;
    let who = office::principal_for_user(&store, "benchadmin")
        .await
        .expect("admin");
    let t = Instant::now();
    let saved = match office::import_form(&store, &region, &who, &bytes, None, today)
        .await
        .expect("import")
    {
        Imported::Saved(r) => r.len(),
        Imported::Refused(r) => panic!("refused: {:?}", &r[..r.len().min(3)]),
    };
    let import_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(saved, 500);
    println!("500-row form: written in {write_ms:.0} ms ({} KB); imported (read, checked, saved in one transaction) in {import_ms:.0} ms", bytes.len() / 1024);
}
