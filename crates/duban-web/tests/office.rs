//! Office files through the ledger (issue 11), on SQLite and PostgreSQL:
//! a unit's Excel form, filled by the test, imports as exactly the reports
//! the API saves; tampered forms (changed key, value out of range, another
//! unit's row, a stale version) are refused row by row with nothing saved;
//! the ledger export and the bulletin carry the evaluation's numbers.

mod common;

use calamine::{Data, Reader};
use common::{spawn, today, App, R};
use duban_store::testing::fresh_stores;
use duban_web::office::{self, Imported, Period};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The grid of the form's sheet, as a unit's spreadsheet program sees it.
fn grid(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = book.worksheet_range("填报表").expect("sheet");
    assert_eq!(range.start(), Some((0, 0)));
    range.rows().map(|r| r.to_vec()).collect()
}

/// Writes a grid back as an XLSX (the unit saved the form from Excel).
fn save(grid: &[Vec<Data>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("填报表").expect("name");
    for (r, row) in grid.iter().enumerate() {
        for (c, d) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match d {
                Data::String(s) => {
                    sheet.write_string(r, c, s).expect("cell");
                }
                Data::Float(v) => {
                    sheet.write_number(r, c, *v).expect("cell");
                }
                Data::Int(v) => {
                    sheet.write_number(r, c, *v as f64).expect("cell");
                }
                _ => {}
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// Column indices of the form (see `duban_office::form::COLUMNS`).
const KEY: usize = 0;
const VERSION: usize = 1;
const TASK: usize = 3;
const STATUS: usize = 6;
const COMPLETION: usize = 7;
const PROGRESS: usize = 9;
const PROBLEMS: usize = 10;
const NEXT: usize = 11;
const SUBMIT: usize = 12;
const FIRST: usize = 2;

fn fill(row: &mut [Data], status: &str, completion: f64, progress: &str, submit: bool) {
    row[STATUS] = Data::String(status.into());
    row[COMPLETION] = Data::Float(completion);
    row[PROGRESS] = Data::String(progress.into());
    row[PROBLEMS] = Data::String("资金到位偏慢".into());
    row[NEXT] = Data::String("加快审批".into());
    row[SUBMIT] = Data::String(if submit { "是" } else { "否" }.into());
}

async fn region(app: &App) -> duban_store::Region {
    app.store.region(&app.region_id).await.expect("region")
}

async fn count_reports(app: &App) -> usize {
    let c = app
        .store
        .cycle(&app.region_id, &app.cycle1)
        .await
        .expect("cycle");
    app.store
        .current_reports(&app.region_id, &c)
        .await
        .expect("reports")
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filled_form_saves_what_the_api_saves() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let region = region(&app).await;
        let who = office::principal_for_user(&app.store, "rsj")
            .await
            .expect("rsj");
        let unit = who.unit_id.clone().expect("unit");
        let form = office::form_xlsx(&app.store, &region, &unit, &app.cycle1)
            .await
            .expect("form");
        // Sent back untouched (no status filled in): nothing to import.
        let empty = office::import_form(&app.store, &region, &who, &form, None, today()).await;
        assert!(
            matches!(&empty, Err(office::Error::BadRequest(m)) if m.starts_with("填报表中没有填写任何一行")),
            "{backend}: {empty:?}"
        );
        let mut g = grid(&form);
        assert!(
            g.len() >= FIRST + 2,
            "{backend}: the unit owes two reports or more"
        );
        fill(&mut g[FIRST], "推进中", 45.0, "完成可研批复", true);
        fill(&mut g[FIRST + 1], "滞后", 20.5, "征地未完成", false);
        let keys: Vec<String> = g[FIRST..FIRST + 2]
            .iter()
            .map(|r| match &r[KEY] {
                Data::String(s) => s.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        let imported =
            match office::import_form(&app.store, &region, &who, &save(&g), None, today())
                .await
                .expect("import")
            {
                Imported::Saved(r) => r,
                Imported::Refused(r) => panic!("{backend}: refused {r:?}"),
            };
        assert_eq!(imported.len(), 2, "{backend}");
        // The same two reports through the API, one version later.
        for (k, (status, completion, progress, submit)) in keys.iter().zip([
            ("in_progress", 45.0, "完成可研批复", true),
            ("behind", 20.5, "征地未完成", false),
        ]) {
            let (_, task, unit) = duban_office::form::split_key(k).expect("key");
            let (code, body) = app
                .call(
                    Some("rsj"),
                    Method::PUT,
                    &format!("{R}/cycles/{}/reports/{task}/{unit}", app.cycle1),
                    Some(json!({
                        "version": 1, "status": status, "completion": completion,
                        "progress": progress, "problems": "资金到位偏慢", "next_steps": "加快审批",
                        "submit": submit
                    })),
                )
                .await;
            assert_eq!(code, StatusCode::OK, "{backend}: {body}");
            let from_form = imported
                .iter()
                .find(|r| r.task_id == task && r.unit_id == unit)
                .expect("imported row");
            let same = |field: &str| {
                assert_eq!(
                    serde_json::to_value(from_form).expect("json")[field],
                    body[field],
                    "{backend}: {field} of {task}"
                )
            };
            for field in [
                "task_id",
                "unit_id",
                "unit",
                "state",
                "status",
                "completion",
                "current_value",
                "progress",
                "problems",
                "next_steps",
                "late",
                "author",
                "attachments",
            ] {
                same(field);
            }
            assert_eq!(from_form.version, 1);
            assert_eq!(body["version"], 2);
        }
        // A new form, sent back as it is, changes nothing: no new versions.
        let again = office::form_xlsx(&app.store, &region, &unit, &app.cycle1)
            .await
            .expect("form");
        match office::import_form(&app.store, &region, &who, &again, None, today())
            .await
            .expect("import")
        {
            Imported::Saved(r) => assert!(r.is_empty(), "{backend}: {r:?}"),
            Imported::Refused(r) => panic!("{backend}: refused {r:?}"),
        }
        let c = app
            .store
            .cycle(&app.region_id, &app.cycle1)
            .await
            .expect("cycle");
        let versions: Vec<i64> = app
            .store
            .current_reports(&app.region_id, &c)
            .await
            .expect("reports")
            .iter()
            .filter(|r| r.unit_id == unit)
            .map(|r| r.version)
            .collect();
        assert_eq!(versions, vec![2, 2], "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_forms_are_refused_row_by_row_and_nothing_is_saved() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let region = region(&app).await;
        let who = office::principal_for_user(&app.store, "fgj")
            .await
            .expect("fgj");
        let unit = who.unit_id.clone().expect("unit");
        let form = office::form_xlsx(&app.store, &region, &unit, &app.cycle1)
            .await
            .expect("form");
        let mut g = grid(&form);
        assert!(g.len() >= FIRST + 4, "{backend}: four rows to tamper with");
        for (i, row) in g.iter_mut().enumerate().skip(FIRST).take(5) {
            fill(row, "推进中", 30.0 + i as f64, "推进", true);
        }
        // Row 3: the hidden key now names another of the unit's tasks.
        let other_key = g[FIRST + 1][KEY].clone();
        g[FIRST][KEY] = other_key;
        // Row 4: completion out of range.
        g[FIRST + 1][COMPLETION] = Data::Float(150.0);
        // Row 5: stale — the report changes after the form was made.
        let stale_key = match &g[FIRST + 2][KEY] {
            Data::String(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        let (_, task, u) = duban_office::form::split_key(&stale_key).expect("key");
        let (code, body) = app
            .call(
                Some("fgj"),
                Method::PUT,
                &format!("{R}/cycles/{}/reports/{task}/{u}", app.cycle1),
                Some(json!({"version": 0, "status": "in_progress", "completion": 10})),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        // A new row: another unit's report, keyed correctly.
        let c = app
            .store
            .cycle(&app.region_id, &app.cycle1)
            .await
            .expect("cycle");
        let foreign = app
            .store
            .expected_reports(&app.region_id, &c)
            .await
            .expect("expected")
            .into_iter()
            .find(|e| e.unit_id != unit)
            .expect("a report another unit owes");
        let mut extra = g[FIRST + 3].clone();
        extra[KEY] = Data::String(duban_office::form::key(
            &c.id,
            &foreign.task_id,
            &foreign.unit_id,
        ));
        extra[VERSION] = Data::Float(0.0);
        extra[TASK] = Data::String(foreign.task.clone());
        g.push(extra);
        let foreign_row = g.len() as u32;
        let before = count_reports(&app).await;
        let refused = match office::import_form(&app.store, &region, &who, &save(&g), None, today())
            .await
            .expect("import")
        {
            Imported::Refused(r) => r,
            Imported::Saved(r) => panic!("{backend}: saved {r:?}"),
        };
        let reasons: Vec<(u32, &str)> =
            refused.iter().map(|r| (r.row, r.reason.as_str())).collect();
        assert_eq!(refused.len(), 4, "{backend}: {reasons:?}");
        assert_eq!(reasons[0].0, 3);
        assert!(
            reasons[0].1.starts_with("隐藏的键与任务名称不符"),
            "{}",
            reasons[0].1
        );
        assert_eq!(reasons[1].0, 4);
        assert!(
            reasons[1].1.starts_with("完成比例“150”应为 0 到 100"),
            "{}",
            reasons[1].1
        );
        assert_eq!(reasons[2].0, 5);
        assert!(
            reasons[2]
                .1
                .starts_with("生成填报表后这项填报已被修改（现为第 1 版，表中为第 0 版）"),
            "{}",
            reasons[2].1
        );
        assert!(reasons[2].1.contains("409"));
        assert_eq!(reasons[3].0, foreign_row);
        assert!(
            reasons[3]
                .1
                .starts_with(&format!("无权填报“{}”的这项任务", foreign.unit)),
            "{}",
            reasons[3].1
        );
        // Row 6 was fine, but nothing was saved.
        assert_eq!(
            count_reports(&app).await,
            before,
            "{backend}: all or nothing"
        );
        // The same form uploaded for the unit's own page refuses the foreign
        // row as another unit's, even for the admin who may write it.
        let admin = office::principal_for_user(&app.store, "admin")
            .await
            .expect("admin");
        let refused =
            match office::import_form(&app.store, &region, &admin, &save(&g), Some(&unit), today())
                .await
                .expect("import")
            {
                Imported::Refused(r) => r,
                Imported::Saved(r) => panic!("{backend}: saved {r:?}"),
            };
        let last = refused
            .iter()
            .find(|r| r.row == foreign_row)
            .expect("foreign row refused");
        assert!(
            last.reason
                .starts_with(&format!("这一行是“{}”的填报", foreign.unit)),
            "{}",
            last.reason
        );
        assert_eq!(
            count_reports(&app).await,
            before,
            "{backend}: all or nothing"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_and_bulletin_carry_the_evaluation() {
    for (backend, store) in fresh_stores().await {
        let app = spawn(store).await;
        let region = region(&app).await;
        // Some reports, so lights and rates are not all zero.
        for (who, task) in [("rsj", &app.task1)] {
            let lead = app.task(task).lead_units[0].id.clone();
            let (code, body) = app
                .call(
                    Some(who),
                    Method::PUT,
                    &format!("{R}/cycles/{}/reports/{task}/{lead}", app.cycle1),
                    Some(json!({"version": 0, "status": "in_progress", "completion": 5, "progress": "开工准备", "submit": true})),
                )
                .await;
            assert_eq!(code, StatusCode::OK, "{body}");
        }
        let c = app
            .store
            .cycle(&app.region_id, &app.cycle1)
            .await
            .expect("cycle");
        let eval = app
            .store
            .evaluate(&app.region_id, &c, duban_store::default_as_of(&c, today()))
            .await
            .expect("evaluation");
        let ledger = office::ledger(
            &app.store,
            &region,
            Some(1),
            &Period::Cycle(c.id.clone()),
            today(),
        )
        .await
        .expect("ledger");
        assert_eq!(ledger.campaigns.len(), 1);
        let l = &ledger.campaigns[0];
        assert_eq!(
            (l.counts.green, l.counts.yellow, l.counts.red),
            (eval.green, eval.yellow, eval.red),
            "{backend}"
        );
        assert_eq!(
            (l.counts.expected, l.counts.actual, l.counts.on_time),
            (
                eval.metrics.expected,
                eval.metrics.actual,
                eval.metrics.on_time
            )
        );
        // The XLSX rows are the evaluation's tasks, in order, with their lights.
        let bytes = office::ledger_xlsx(
            &app.store,
            &region,
            Some(1),
            &Period::Cycle(c.id.clone()),
            today(),
        )
        .await
        .expect("xlsx");
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&name).expect("sheet");
        let rows: Vec<&[Data]> = range.rows().collect();
        assert_eq!(rows.len(), eval.tasks.len() + 1, "{backend}");
        for (t, r) in eval.tasks.iter().zip(&rows[1..]) {
            assert_eq!(r[1], Data::String(t.title.clone()));
            assert_eq!(r[2], Data::String(t.lead.clone()));
            assert_eq!(r[7], Data::Float(t.time_progress));
            assert_eq!(
                r[8],
                Data::String(duban_office::model::light_label(t.light).into())
            );
            // The reason's Chinese part, without its English.
            let zh = duban_core::evaluation::reason_zh(&t.reason);
            assert!(
                !zh.is_empty() && t.reason.len() > zh.len(),
                "{backend}: {}",
                t.reason
            );
            assert_eq!(r[9], Data::String(zh.into()));
            assert!(
                !zh.chars().any(|c| c.is_ascii_alphabetic()),
                "{backend}: {zh}"
            );
            if t.reported {
                assert_eq!(r[6], Data::Float(t.completion));
            } else {
                assert_eq!(r[6], Data::String("未报".into()));
            }
        }
        // A supervision visit this month with one finding: the bulletin's
        // extra section counts them.
        let (y, m, _) = today().ymd();
        let visit: duban_store::NewVisit = serde_json::from_value(json!({
            "plan": 1, "month": format!("{y}-{m:02}"), "title": "项目现场督导"
        }))
        .expect("visit");
        let visit = app
            .store
            .plan_visit(&app.region_id, &visit, "office1")
            .await
            .expect("planned");
        let record: duban_store::VisitRecord = serde_json::from_value(json!({
            "visited_on": today().to_string(), "narrative": "察看项目现场。"
        }))
        .expect("record");
        app.store
            .record_visit(&app.region_id, &visit.id, &record, "office1")
            .await
            .expect("recorded");
        let finding: duban_store::NewFinding = serde_json::from_value(json!({
            "problem": "项目台账不完整", "requirement": "补齐台账",
            "deadline": today().add_days(20).to_string(), "lead_units": ["市人社局"]
        }))
        .expect("finding");
        app.store
            .add_finding(&app.region_id, &visit.id, &finding, today(), "office1")
            .await
            .expect("finding added");
        // The bulletin's overview sentence of the campaign, as written in the DOCX.
        let docx = office::bulletin(&app.store, &region, &Period::Cycle(c.id.clone()), today())
            .await
            .expect("docx");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut z.by_name("word/document.xml").expect("document"),
            &mut xml,
        )
        .expect("utf-8");
        let sentence = duban_office::bulletin::overview_sentence(l);
        assert!(xml.contains(&sentence), "{backend}: {sentence}");
        assert!(
            xml.contains("督导整改情况"),
            "{backend}: the supervision section"
        );
        for supervision in [
            format!("{y}年{m}月，各专班开展实地督导1次，发现问题1个，均已明确责任单位和整改时限。"),
            "尚有1项未销号，其中已逾期0项。".to_string(),
            "本月无挂牌督办事项。".to_string(),
        ] {
            assert!(xml.contains(&supervision), "{backend}: {supervision}");
        }
        assert!(sentence.contains(&format!(
            "任务{}项，其中绿灯{}项、黄灯{}项、红灯{}项；应报送{}份，实报送{}份",
            eval.green + eval.yellow + eval.red,
            eval.green,
            eval.yellow,
            eval.red,
            eval.metrics.expected,
            eval.metrics.actual
        )));
    }
}
