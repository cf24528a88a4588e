//! The `duban` binary end to end: output formats, files, and exit codes.

use assert_cmd::Command;
use std::path::PathBuf;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn duban() -> Command {
    Command::cargo_bin("duban").unwrap()
}

const SAMPLE: &str = "sample/miluo-2025-qida-gongjian.txt";

#[test]
fn parse_json_has_the_contract_fields() {
    let out = duban()
        .args(["parse"])
        .arg(fixture(SAMPLE))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "source",
        "document",
        "plans",
        "tasks",
        "targets",
        "task_forces",
        "units",
        "warnings",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in ["file", "format", "encoding", "sha256"] {
        assert!(v["source"].get(key).is_some(), "source.{key}");
    }
    let task = &v["tasks"][0];
    for key in [
        "id",
        "plan",
        "path",
        "title",
        "text",
        "lead_units",
        "co_units",
        "lead_inferred",
        "deadlines",
        "targets",
    ] {
        assert!(task.get(key).is_some(), "task.{key}");
    }
    let target = &v["targets"][0];
    for key in [
        "plan",
        "task",
        "text",
        "metric",
        "kind",
        "comparator",
        "value",
        "value_max",
        "unit",
    ] {
        assert!(target.get(key).is_some(), "target.{key}");
    }
    for key in [
        "name",
        "kind",
        "lead_count",
        "co_count",
        "suspected_alias_of",
    ] {
        assert!(v["units"][0].get(key).is_some(), "unit.{key}");
    }
    assert_eq!(v["plans"].as_array().unwrap().len(), 8);
    assert!(v["tasks"].as_array().unwrap().len() > 150);
    assert_eq!(v["targets"][0]["comparator"], ">=");
}

#[test]
fn parse_table_is_a_ledger() {
    let out = duban()
        .args(["parse", "--format", "table"])
        .arg(fixture(SAMPLE))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("序号"));
    assert!(text.contains("牵头单位"));
    assert!(text.contains("【附件7】民生补短提质攻坚实施方案"));
    assert!(text.contains("推动增收减负"));
    assert!(text.contains("共 155 项任务"));
}

#[test]
fn output_file_matches_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    duban()
        .args(["parse", "--output"])
        .arg(&path)
        .arg(fixture(SAMPLE))
        .assert()
        .success()
        .stdout("");
    let stdout = duban()
        .arg("parse")
        .arg(fixture(SAMPLE))
        .output()
        .unwrap()
        .stdout;
    assert_eq!(std::fs::read(&path).unwrap(), stdout);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn fails_with(args: &[&str], file: Option<&std::path::Path>, code: i32, needle: &str) {
    let mut cmd = duban();
    cmd.args(args);
    if let Some(f) = file {
        cmd.arg(f);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "{args:?}: stderr was {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_input_exits_2_with_chinese_then_english() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    fails_with(
        &["parse"],
        Some(&empty),
        2,
        "文件为空。/ The file is empty.",
    );

    fails_with(
        &["parse"],
        Some(&dir.path().join("missing.txt")),
        2,
        "无法读取文件",
    );
    fails_with(&["parse"], Some(dir.path()), 2, "是目录");

    let unknown = dir.path().join("plan.xyz");
    std::fs::write(&unknown, "一、任务").unwrap();
    fails_with(&["parse"], Some(&unknown), 2, "无法识别的文件格式");

    let no_tasks = dir.path().join("notice.txt");
    std::fs::write(&no_tasks, "关于放假的通知\n\n全体职工：国庆节放假七天。").unwrap();
    fails_with(
        &["parse"],
        Some(&no_tasks),
        2,
        "没有找到任何带责任单位的任务",
    );

    let corrupt = dir.path().join("broken.docx");
    std::fs::write(&corrupt, b"PK\x03\x04garbage").unwrap();
    fails_with(&["parse"], Some(&corrupt), 2, "docx 文件已损坏");

    fails_with(&["parse"], Some(&fixture("corpus/scanned.pdf")), 2, "OCR");
    fails_with(
        &["parse", "--format", "xml"],
        Some(&fixture(SAMPLE)),
        2,
        "xml",
    );
}

#[test]
fn unwritable_output_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no/such/dir/plan.json");
    let out = duban()
        .args(["parse", "--output"])
        .arg(&target)
        .arg(fixture(SAMPLE))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法写入"));
}

#[test]
fn help_is_bilingual() {
    let out = duban().args(["parse", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("解析方案文件") && text.contains("Parse a plan document"),
        "{text}"
    );
}

fn ledger_cmd(data_dir: &std::path::Path) -> Command {
    let mut c = duban();
    c.env("DUBAN_DATA_DIR", data_dir)
        .env_remove("DUBAN_DATABASE_URL");
    c
}

#[test]
fn import_units_users_and_tokens_on_the_default_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = ledger_cmd(dir.path())
        .args(["import"])
        .arg(fixture(SAMPLE))
        .args(["--region", "汨罗市", "--parent", "岳阳市"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("任务 155"), "{text}");
    assert!(
        dir.path().join("duban.db").exists(),
        "the embedded default lives in the data directory"
    );

    let again = ledger_cmd(dir.path())
        .args(["import"])
        .arg(fixture(SAMPLE))
        .args(["--region", "汨罗市"])
        .output()
        .unwrap();
    assert!(String::from_utf8(again.stdout)
        .unwrap()
        .contains("台账没有变化"));

    let review = ledger_cmd(dir.path())
        .args(["units", "list", "--review"])
        .output()
        .unwrap();
    let review = String::from_utf8(review.stdout).unwrap();
    assert!(
        review.contains("市场监管局\tdepartment\t疑似 市市场监管局"),
        "{review}"
    );

    let merged = ledger_cmd(dir.path())
        .args(["units", "merge", "市场监管局", "市市场监管局"])
        .output()
        .unwrap();
    assert!(String::from_utf8(merged.stdout)
        .unwrap()
        .contains("改挂任务分工 2 处"));

    ledger_cmd(dir.path())
        .args([
            "user",
            "add",
            "rsj",
            "--role",
            "reporter",
            "--unit",
            "市人社局",
            "--password-stdin",
        ])
        .write_stdin("long enough\n")
        .assert()
        .success();
    let token = ledger_cmd(dir.path())
        .args(["token", "create", "rsj"])
        .output()
        .unwrap();
    let token = String::from_utf8(token.stdout).unwrap();
    assert!(
        token.split_whitespace().last().unwrap().starts_with("dbn_"),
        "{token}"
    );

    for (args, needle) in [
        (vec!["user", "add", "x", "--role", "root"], "未知角色"),
        (vec!["user", "add", "y", "--role", "reporter"], "--unit"),
        (vec!["user", "add", "rsj", "--role", "leader"], "已存在"),
        (vec!["token", "create", "nobody"], "没有用户"),
        (vec!["units", "merge", "市发改局", "市发改局"], "同一个单位"),
        (
            vec!["import", "/no/such/file", "--region", "汨罗市"],
            "无法读取文件",
        ),
    ] {
        let out = ledger_cmd(dir.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_unusable_database_exits_4() {
    let out = duban()
        .args(["--db", "mysql://nowhere/db", "units", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法打开数据库"));
    let out = duban()
        .args([
            "--db",
            "postgres://nobody@127.0.0.1:1/none",
            "units",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn demo_simulates_a_year_and_refuses_a_used_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = ledger_cmd(dir.path())
        .args(["demo", "--no-serve"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("模拟了 2025 年每两周一次的调度"), "{text}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains('%') && l.contains(" / ") && l.contains("攻坚"))
        .collect();
    assert_eq!(rows.len(), 7, "one summary row per campaign:\n{text}");
    let reports: usize = text
        .split("共 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(reports > 10_000, "{reports}");
    assert!(dir.path().join("demo.db").exists());
    assert!(text.contains("dbn_"), "prints a token to log in with");
    // The bulletin of October and the ledger export, next to the database.
    for file in ["bulletin-2025-10.docx", "ledger-2025-11-20.xlsx"] {
        assert!(text.contains(file), "prints the path of {file}");
        let bytes = std::fs::read(dir.path().join(file)).unwrap();
        assert!(bytes.starts_with(b"PK"), "{file} is an OOXML package");
    }
    // Running it again on the same explicit database is refused.
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let again = ledger_cmd(dir.path())
        .args(["--db", &db, "demo", "--no-serve"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("新数据库"));
}

#[test]
fn remind_lists_without_channels_and_rejects_bad_dates() {
    let dir = tempfile::tempdir().unwrap();
    ledger_cmd(dir.path())
        .args(["import"])
        .arg(fixture(SAMPLE))
        .args(["--region", "汨罗市"])
        .assert()
        .success();
    let out = ledger_cmd(dir.path())
        .env_remove("DUBAN_WEBHOOK_URL")
        .args(["remind", "--today", "2025-06-10"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("未配置发送渠道"));
    let bad = ledger_cmd(dir.path())
        .args(["remind", "--today", "6月10日"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Issue 7, item 8: tokens can be listed, revoked and made to expire;
/// users disabled and given a new password, from the CLI; a password is
/// never an argument (it would show in `ps`).
#[test]
fn accounts_and_tokens_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    ledger_cmd(dir.path())
        .args(["import"])
        .arg(fixture(SAMPLE))
        .args(["--region", "汨罗市"])
        .assert()
        .success();
    let run = |args: &[&str], stdin: &str| {
        let out = ledger_cmd(dir.path())
            .args(args)
            .write_stdin(stdin.to_string())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // --password is gone: clap refuses it.
    let (code, _, err) = run(
        &[
            "user",
            "add",
            "ban",
            "--role",
            "leader",
            "--password",
            "long enough",
        ],
        "",
    );
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = run(
        &["user", "add", "ban", "--role", "leader", "--password-stdin"],
        "first pass\n",
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, out, _) = run(&["token", "create", "ban", "--expires-in-days", "30"], "");
    assert_eq!(code, Some(0));
    assert!(
        out.trim_end().ends_with(|c: char| c.is_ascii_hexdigit()),
        "{out}"
    );
    let (code, _, err) = run(&["token", "create", "ban", "--expires-in-days", "4000"], "");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("366"), "{err}");
    let (_, listed, _) = run(&["token", "list", "ban"], "");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 1, "{listed}");
    assert!(lines[0].contains("到期 expires"), "{listed}");
    assert!(!listed.contains("dbn_"), "a token is never shown again");
    let id = lines[0].split('\t').next().unwrap();
    let (code, out, _) = run(&["token", "revoke", id], "");
    assert_eq!(code, Some(0));
    assert!(out.contains("已吊销"));
    let (_, listed, _) = run(&["token", "list"], "");
    assert!(listed.contains("已吊销 revoked"), "{listed}");
    let (code, _, err) = run(&["token", "revoke", id], "");
    assert_eq!(code, Some(2), "revoking twice: {err}");

    let (code, _, err) = run(&["user", "passwd", "ban", "--password-stdin"], "short\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("至少 8 位"), "{err}");
    let (code, out, _) = run(
        &["user", "passwd", "ban", "--password-stdin"],
        "second pass\n",
    );
    assert_eq!(code, Some(0));
    assert!(out.contains("已修改"));
    let (code, _, _) = run(&["user", "disable", "ban"], "");
    assert_eq!(code, Some(0));
    let (_, users, _) = run(&["user", "list"], "");
    assert!(
        users
            .lines()
            .any(|l| l.starts_with("ban\t") && l.contains("已停用")),
        "{users}"
    );
    let (code, _, _) = run(&["user", "enable", "ban"], "");
    assert_eq!(code, Some(0));
    let (_, users, _) = run(&["user", "list"], "");
    assert!(
        users
            .lines()
            .any(|l| l.starts_with("ban\t") && l.contains("启用 enabled")),
        "{users}"
    );
}

/// Issue 7, items 8 and 9: `serve` against a missing file does not create
/// an empty ledger; a file that is not a database is named so at once; a
/// PostgreSQL password never reaches stderr.
#[test]
fn opening_a_database_answers_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    let out = duban()
        .args([
            "--db",
            &format!("sqlite://{}", missing.display()),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不存在"));
    assert!(!missing.exists(), "no empty ledger was created");
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "会议纪要\n".repeat(100)).unwrap();
    let out = duban()
        .args(["--db", &format!("sqlite://{}", text.display()), "remind"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是 SQLite 数据库"));

    let out = duban()
        .args([
            "--db",
            "postgres://duban:hunter2secret@127.0.0.1:1/none",
            "units",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("hunter2secret"), "{err}");
    assert!(err.contains("***"), "{err}");
}
