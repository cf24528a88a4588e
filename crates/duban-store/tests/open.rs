//! Opening a database (issue 7, item 9): each way a SQLite file can be
//! wrong is answered at once with a message that says which, never after
//! the pool's timeout and never by serving an empty or damaged ledger.

use duban_core::names::RegionName;
use duban_store::testing::fresh_sqlite_url;
use duban_store::{Store, StoreError};
use std::path::PathBuf;

fn path_of(url: &str) -> PathBuf {
    PathBuf::from(url.trim_start_matches("sqlite://"))
}

/// Opens an existing database; asserts it fails with an `Open` error whose
/// message contains `needle`. No clock is read (tests never assert times):
/// a hang would end in the pool's "timed out" error, whose message is not
/// the precise one asked for, so the message check catches it.
async fn refused(url: &str, needle: &str) {
    let got = Store::open_existing(url).await;
    match got {
        Err(StoreError::Open(m)) => assert!(m.contains(needle), "{needle}: {m}"),
        Err(e) => panic!("{needle}: wrong error {e:?}"),
        Ok(_) => panic!("{needle}: opened"),
    }
}

/// A ledger with one imported plan, checkpointed into its main file and
/// closed, so that the file alone holds it.
async fn populated() -> String {
    let url = fresh_sqlite_url();
    let store = Store::open(&url).await.unwrap();
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/sample/miluo-2025-qida-gongjian.txt"),
    )
    .unwrap();
    let plan = duban_plan::parse(&bytes, "miluo.txt").unwrap();
    let r = store
        .ensure_region(&RegionName::parse("汨罗市").unwrap(), None, "t")
        .await
        .unwrap();
    store.import(&r, &plan, "t").await.unwrap();
    duban_store::testing::execute_raw(&store, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    drop(store);
    let path = path_of(&url);
    for ext in ["-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(ext);
        let _ = std::fs::remove_file(p);
    }
    url
}

#[tokio::test]
async fn a_missing_file_is_not_a_new_ledger() {
    let url = fresh_sqlite_url();
    refused(&url, "不存在").await;
    assert!(!path_of(&url).exists(), "nothing was created");
    // `import` (Store::open) still starts a ledger.
    Store::open(&url).await.unwrap();
    Store::open_existing(&url).await.unwrap();
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_named_so() {
    let url = fresh_sqlite_url();
    std::fs::write(
        path_of(&url),
        "这不是数据库 / not a database, just text\n".repeat(200),
    )
    .unwrap();
    refused(&url, "不是 SQLite 数据库").await;
    // Even through the creating open: it never overwrites the file.
    assert!(matches!(Store::open(&url).await, Err(StoreError::Open(_))));
}

#[tokio::test]
async fn truncated_and_corrupted_files_are_refused_at_once() {
    // Truncated: the first pages survive, the rest is gone.
    let url = populated().await;
    let path = path_of(&url);
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len > 64 * 1024, "the ledger spans many pages: {len}");
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len / 3).unwrap();
    drop(f);
    refused(&url, "损坏").await;

    // Corrupted: garbage written over pages in the middle.
    let url = populated().await;
    let path = path_of(&url);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 8192] {
        *b = 0xA5;
    }
    std::fs::write(&path, bytes).unwrap();
    match Store::open_existing(&url).await {
        Err(StoreError::Open(m)) => {
            assert!(m.contains("损坏") || m.contains("完整性检查"), "{m}")
        }
        other => panic!("a corrupted ledger was opened: {:?}", other.err()),
    }

    // An intact one opens.
    Store::open_existing(&populated().await).await.unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn new_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let url = fresh_sqlite_url();
    Store::open(&url).await.unwrap();
    let mode = std::fs::metadata(path_of(&url))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
}

#[test]
fn passwords_never_appear_in_messages() {
    for (url, want) in [
        (
            "postgres://duban:s3cr%40t@db.example:5432/duban?sslmode=require",
            "postgres://duban:***@db.example:5432/duban?sslmode=require",
        ),
        ("postgres://duban@db/duban", "postgres://duban@db/duban"),
        ("postgres://u:p@h", "postgres://u:***@h"),
        ("sqlite:///var/lib/duban.db", "sqlite:///var/lib/duban.db"),
    ] {
        assert_eq!(duban_store::redact_url(url), want);
    }
}

#[tokio::test]
async fn an_unreachable_server_names_no_password() {
    let err = Store::open_existing("postgres://duban:hunter2secret@127.0.0.1:9/duban")
        .await
        .err()
        .expect("nothing listens on port 9");
    let text = err.to_string();
    assert!(!text.contains("hunter2secret"), "{text}");
}
