//! Helpers shared by the integration tests: fixture files and the TSV
//! format of the expected ledgers.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Rows of a TSV fixture, comments (`#`) and blank lines skipped.
pub fn tsv_rows(rel: &str) -> Vec<Vec<String>> {
    String::from_utf8(fixture(rel))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// `A、B、C` as a list; empty for an empty cell.
pub fn unit_list(cell: &str) -> Vec<String> {
    cell.split('、')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}
