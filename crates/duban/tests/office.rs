//! The office-file commands end to end (issue 11): `export`, `bulletin`,
//! `bulletin-settings`, `template` and `reports import` on a ledger with
//! an open cycle; files written, refusals reported with exit code 2.

use assert_cmd::Command;
use duban_core::dates::Date;
use std::path::{Path, PathBuf};

fn duban(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("duban").unwrap();
    c.env("DUBAN_DATA_DIR", dir)
        .env_remove("DUBAN_DATABASE_URL");
    c
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt")
}

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn office_commands_write_files_and_refuse_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = duban(dir.path())
        .args(["import"])
        .arg(sample())
        .args(["--region", "汨罗市"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    // An open cycle of campaign 1 (the store, as the pages would).
    let url = format!("sqlite://{}", dir.path().join("duban.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cycle = rt.block_on(async {
        let store = duban_store::Store::open_existing(&url).await.unwrap();
        let region = store.region("汨罗市").await.unwrap();
        let day = Date::new(2025, 6, 2).unwrap();
        store
            .open_cycle(&region.id, 1, day, day.add_days(10), "regular", "test")
            .await
            .unwrap()
            .id
    });
    let mut add = duban(dir.path());
    add.args([
        "user",
        "add",
        "fgj",
        "--role",
        "reporter",
        "--region",
        "汨罗市",
        "--unit",
        "市发改局",
        "--password-stdin",
    ])
    .write_stdin("office-test-1\n");
    assert!(add.output().unwrap().status.success());

    let file = |name: &str| dir.path().join(name);
    let run = |args: &[&str]| duban(dir.path()).args(args).output().unwrap();
    let ok = |out: std::process::Output, path: &Path| {
        assert!(out.status.success(), "{:?}", text(&out));
        assert!(
            text(&out).0.contains(&path.display().to_string()),
            "prints the path"
        );
        assert!(
            std::fs::read(path).unwrap().starts_with(b"PK"),
            "an OOXML package"
        );
    };
    let (ledger, bulletin, form) = (file("l.xlsx"), file("b.docx"), file("f.xlsx"));
    ok(
        run(&[
            "export",
            "--region",
            "汨罗市",
            "--today",
            "2025-06-05",
            "-o",
            ledger.to_str().unwrap(),
        ]),
        &ledger,
    );
    ok(
        run(&[
            "bulletin",
            "--region",
            "汨罗市",
            "--month",
            "2025-06",
            "--today",
            "2025-06-30",
            "-o",
            bulletin.to_str().unwrap(),
        ]),
        &bulletin,
    );
    ok(
        run(&[
            "template",
            "--region",
            "汨罗市",
            "--unit",
            "市发改局",
            "--cycle",
            &cycle,
            "-o",
            form.to_str().unwrap(),
        ]),
        &form,
    );

    // The 版头 is set per region and printed back.
    let out = run(&[
        "bulletin-settings",
        "--region",
        "汨罗市",
        "--organ",
        "汨罗市“七大攻坚”行动指挥部办公室",
        "--doc-number",
        "汨攻坚办通〔{year}〕{n}号",
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(text(&out).0.contains("汨攻坚办通〔{year}〕{n}号"));
    let out = run(&["bulletin-settings", "--region", "汨罗市", "--organ", ""]);
    assert_eq!(out.status.code(), Some(2), "an empty organ is refused");

    // Bad input: exit code 2, a message in Chinese then English.
    let refused = |out: std::process::Output, zh: &str| {
        assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
        let err = text(&out).1;
        assert!(err.contains(zh) && err.contains("/ "), "{err}");
    };
    refused(
        run(&[
            "bulletin",
            "--region",
            "汨罗市",
            "--month",
            "2025-13",
            "-o",
            "x.docx",
        ]),
        "--month 应为 YYYY-MM",
    );
    refused(
        run(&[
            "bulletin",
            "--region",
            "汨罗市",
            "--month",
            "2025-06",
            "--cycle",
            &cycle,
            "-o",
            "x.docx",
        ]),
        "只能给一个",
    );
    // The untouched form has nothing filled in.
    refused(
        run(&[
            "reports",
            "import",
            form.to_str().unwrap(),
            "--region",
            "汨罗市",
            "--user",
            "fgj",
            "--today",
            "2025-06-03",
        ]),
        "没有填写任何一行",
    );
    // Not a form at all.
    refused(
        run(&[
            "reports",
            "import",
            ledger.to_str().unwrap(),
            "--region",
            "汨罗市",
            "--user",
            "fgj",
        ]),
        "工作表",
    );
    refused(
        run(&[
            "reports",
            "import",
            sample().to_str().unwrap(),
            "--region",
            "汨罗市",
            "--user",
            "fgj",
        ]),
        "无法读取 XLSX",
    );
    // An unknown user.
    let out = run(&[
        "reports",
        "import",
        form.to_str().unwrap(),
        "--region",
        "汨罗市",
        "--user",
        "nobody",
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out).1.contains("没有用户“nobody”"),
        "{:?}",
        text(&out)
    );
}
