//! The office-file commands: `export` (the ledger XLSX), `bulletin` (the
//! 通报 DOCX), `template` (a unit's fill-in form), `reports import` (a
//! returned form) and `bulletin-settings` (the region's 版头). Thin: the
//! work is in `duban_web::office`, shared with the pages.

use crate::ledger::{open, store_failure};
use crate::{write_output, Failure, EXIT_BAD_INPUT, EXIT_DATABASE};
use duban_core::dates::Date;
use duban_web::office::{self, Error, Imported, Period};
use std::path::Path;

fn failure(e: Error) -> Failure {
    match e {
        Error::Store(s) => store_failure(s),
        Error::Office(duban_office::OfficeError::NotAForm(m)) | Error::BadRequest(m) => {
            (EXIT_BAD_INPUT, format!("错误 / error: {m}"))
        }
        Error::Denied(d) => (EXIT_BAD_INPUT, format!("错误 / error: {d}")),
        Error::Office(o) => (EXIT_DATABASE, format!("错误 / error: {o}")),
    }
}

fn today(t: Option<&str>) -> Result<Date, Failure> {
    match t {
        None => Ok(duban_web::today()),
        Some(s) => Date::parse(s).ok_or_else(|| {
            (
                EXIT_BAD_INPUT,
                format!("错误：--today 应为 YYYY-MM-DD：{s} / error: --today must be YYYY-MM-DD"),
            )
        }),
    }
}

/// `--month` / `--cycle` → the period (neither: the latest cycles).
pub fn period(month: Option<&str>, cycle: Option<&str>) -> Result<Period, Failure> {
    match (month, cycle) {
        (Some(_), Some(_)) => Err((
            EXIT_BAD_INPUT,
            "错误：--month 和 --cycle 只能给一个。/ error: give --month or --cycle, not both."
                .into(),
        )),
        (Some(m), None) => Period::parse_month(m).ok_or_else(|| {
            (
                EXIT_BAD_INPUT,
                format!("错误：--month 应为 YYYY-MM：{m} / error: --month must be YYYY-MM"),
            )
        }),
        (None, Some(c)) => Ok(Period::Cycle(c.to_string())),
        (None, None) => Ok(Period::Latest),
    }
}

pub async fn export(
    db: &str,
    region: &str,
    plan: Option<i64>,
    cycle: Option<&str>,
    day: Option<&str>,
    output: &Path,
) -> Result<(), Failure> {
    let store = open(db).await?;
    let region = store.region(region).await.map_err(store_failure)?;
    let period = period(None, cycle)?;
    let bytes = office::ledger_xlsx(&store, &region, plan, &period, today(day)?)
        .await
        .map_err(failure)?;
    write_output(Some(output), &bytes)?;
    say!("已写出台账 / ledger written: {}", output.display());
    Ok(())
}

pub async fn bulletin(
    db: &str,
    region: &str,
    month: Option<&str>,
    cycle: Option<&str>,
    day: Option<&str>,
    output: &Path,
) -> Result<(), Failure> {
    let store = open(db).await?;
    let region = store.region(region).await.map_err(store_failure)?;
    let period = period(month, cycle)?;
    let bytes = office::bulletin(&store, &region, &period, today(day)?)
        .await
        .map_err(failure)?;
    write_output(Some(output), &bytes)?;
    say!("已写出通报 / bulletin written: {}", output.display());
    Ok(())
}

pub async fn template(
    db: &str,
    region: &str,
    unit: &str,
    cycle: &str,
    output: &Path,
) -> Result<(), Failure> {
    let store = open(db).await?;
    let region = store.region(region).await.map_err(store_failure)?;
    let bytes = office::form_xlsx(&store, &region, unit, cycle)
        .await
        .map_err(failure)?;
    write_output(Some(output), &bytes)?;
    say!("已写出填报表 / form written: {}", output.display());
    Ok(())
}

/// Imports a returned form; exits with `EXIT_BAD_INPUT` listing every
/// refused row when any row is refused (nothing saved then).
pub async fn import(
    db: &str,
    file: &Path,
    region: &str,
    user: &str,
    day: Option<&str>,
) -> Result<(), Failure> {
    let bytes = crate::read_input(file)?;
    let store = open(db).await?;
    let region = store.region(region).await.map_err(store_failure)?;
    let who = office::principal_for_user(&store, user)
        .await
        .map_err(failure)?;
    match office::import_form(&store, &region, &who, &bytes, None, today(day)?)
        .await
        .map_err(failure)?
    {
        Imported::Saved(reports) => {
            let submitted = reports.iter().filter(|r| r.state == "submitted").count();
            say!(
                "已导入 {} 行：报送 {} 份，草稿 {} 份。/ Imported {} rows: {} submitted, {} drafts.",
                reports.len(),
                submitted,
                reports.len() - submitted,
                reports.len(),
                submitted,
                reports.len() - submitted
            );
            Ok(())
        }
        Imported::Refused(rows) => {
            let mut msg = format!(
                "错误：{} 行被拒绝，整张表均未保存。/ error: {} rows refused; nothing was saved.",
                rows.len(),
                rows.len()
            );
            for r in rows {
                msg.push_str(&format!(
                    "\n  第 {} 行 / row {}（{}）：{}",
                    r.row, r.row, r.task, r.reason
                ));
            }
            Err((EXIT_BAD_INPUT, msg))
        }
    }
}

pub async fn settings(
    db: &str,
    region: &str,
    organ: Option<String>,
    doc_number: Option<String>,
    signature: Option<String>,
) -> Result<(), Failure> {
    let store = open(db).await?;
    let region = store.region(region).await.map_err(store_failure)?;
    let mut s = store
        .bulletin_settings(&region.id)
        .await
        .map_err(store_failure)?;
    let changed = organ.is_some() || doc_number.is_some() || signature.is_some();
    if let Some(v) = organ {
        s.organ = v;
    }
    if let Some(v) = doc_number {
        s.doc_number = v;
    }
    if let Some(v) = signature {
        s.signature = v;
    }
    if changed {
        let actor = format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        );
        s = store
            .set_bulletin_settings(&region.id, &s, &actor)
            .await
            .map_err(store_failure)?;
    }
    say!("发文机关 / organ: {}", s.organ);
    say!("文号 / doc number: {}", s.doc_number);
    say!("落款 / signature: {}", s.signature);
    Ok(())
}
