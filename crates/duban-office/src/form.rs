//! The fill-in form (填报表): one unit's expected reports of one cycle as
//! an XLSX that the unit fills in Excel or WPS and sends back.
//!
//! What the form protects: the sheet is protected, and only the columns a
//! unit fills in are unlocked; the key (cycle/task/unit) and the version
//! the form was made from sit in hidden, locked columns; status has a
//! drop-down list and completion a 0–100 number rule. Protection without a
//! password only prevents mistakes: whoever imports is still checked row
//! by row against the ledger (key, unit, permission, version, ranges), so
//! an edited file can never do more than the API allows.

use crate::OfficeError;
use calamine::{Data, Reader};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder,
    ProtectionOptions, Workbook,
};

pub const SHEET: &str = "填报表";

/// Columns: (header, fill-in by the unit?, width).
pub const COLUMNS: [(&str, bool, f64); 13] = [
    ("键", false, 10.0),
    ("版本", false, 6.0),
    ("序号", false, 6.0),
    ("任务", false, 44.0),
    ("角色", false, 8.0),
    ("完成时限", false, 12.0),
    ("本期状态", true, 12.0),
    ("完成比例", true, 10.0),
    ("当前值", true, 10.0),
    ("进展情况", true, 40.0),
    ("存在问题", true, 30.0),
    ("下一步打算", true, 30.0),
    ("报送", true, 8.0),
];

const COL_KEY: usize = 0;
const COL_VERSION: usize = 1;
const COL_TASK: usize = 3;
const COL_STATUS: usize = 6;
const COL_COMPLETION: usize = 7;
const COL_CURRENT: usize = 8;
const COL_PROGRESS: usize = 9;
const COL_PROBLEMS: usize = 10;
const COL_NEXT: usize = 11;
const COL_SUBMIT: usize = 12;

/// Row (0-based) of the column headers; a title line sits above it.
const HEADER_ROW: u32 = 1;

/// The Chinese status words of the drop-down, in the vocabulary's order.
pub const STATUS_WORDS: [(&str, &str); 5] = [
    ("未启动", "not_started"),
    ("推进中", "in_progress"),
    ("已完成", "done"),
    ("滞后", "behind"),
    ("受阻", "blocked"),
];

/// 报送 column: 是 submits for review, 否 saves a draft.
pub const SUBMIT_WORDS: [(&str, bool); 2] = [("是", true), ("否", false)];

/// The most text a free-text cell may carry (the API's limit).
pub const MAX_TEXT: usize = 5000;

/// One expected report as the form shows it, prefilled with the current
/// report when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct FormRow {
    pub cycle_id: String,
    pub task_id: String,
    pub unit_id: String,
    /// The version of the report when the form was made (0: none yet).
    pub version: i64,
    pub task: String,
    /// 牵头 or 配合.
    pub role: String,
    pub deadline: String,
    /// Current values (API words for status), empty when nothing saved.
    pub status: String,
    pub completion: Option<f64>,
    pub current_value: Option<f64>,
    pub progress: String,
    pub problems: String,
    pub next_steps: String,
    /// The current report was sent for review (报送 prefilled 是), so an
    /// untouched row imports as nothing rather than as a new draft.
    pub submitted: bool,
}

/// The form of one unit in one cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// Title line, e.g. "汨罗市 · 市发改局 · 第3期调度填报表（2025-03-25 截止）".
    pub title: String,
    pub rows: Vec<FormRow>,
}

/// The key in the hidden column: cycle, task and unit ids.
pub fn key(cycle_id: &str, task_id: &str, unit_id: &str) -> String {
    format!("{cycle_id}/{task_id}/{unit_id}")
}

/// Splits a key; `None` when it is not three non-empty parts.
pub fn split_key(k: &str) -> Option<(&str, &str, &str)> {
    let mut it = k.split('/');
    let (a, b, c) = (it.next()?, it.next()?, it.next()?);
    (it.next().is_none() && !a.is_empty() && !b.is_empty() && !c.is_empty()).then_some((a, b, c))
}

fn status_word(api: &str) -> &'static str {
    STATUS_WORDS
        .iter()
        .find(|(_, a)| *a == api)
        .map(|(w, _)| *w)
        .unwrap_or("")
}

/// Writes the form.
pub fn write(form: &Form) -> Result<Vec<u8>, OfficeError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET)?;
    let base = Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let locked = base.clone().set_background_color(Color::RGB(0xEDEDED));
    let open = base.clone().set_unlocked();
    let header = base
        .clone()
        .set_bold()
        .set_font_name("黑体")
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let title = Format::new()
        .set_bold()
        .set_font_size(13)
        .set_font_name("黑体")
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    sheet.merge_range(0, 0, 0, COLUMNS.len() as u16 - 1, &form.title, &title)?;
    sheet.set_row_height(0, 40)?;
    for (i, (h, _, w)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, i as u16, *h, &header)?;
        sheet.set_column_width(i as u16, *w)?;
    }
    sheet.set_column_hidden(COL_KEY as u16)?;
    sheet.set_column_hidden(COL_VERSION as u16)?;
    for (i, r) in form.rows.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let c = |n: usize| n as u16;
        sheet.write_string_with_format(
            row,
            c(COL_KEY),
            key(&r.cycle_id, &r.task_id, &r.unit_id),
            &locked,
        )?;
        sheet.write_number_with_format(row, c(COL_VERSION), r.version as f64, &locked)?;
        sheet.write_number_with_format(row, 2, (i + 1) as f64, &locked)?;
        sheet.write_string_with_format(row, c(COL_TASK), &r.task, &locked)?;
        sheet.write_string_with_format(row, 4, &r.role, &locked)?;
        sheet.write_string_with_format(row, 5, &r.deadline, &locked)?;
        sheet.write_string_with_format(row, c(COL_STATUS), status_word(&r.status), &open)?;
        match r.completion {
            Some(v) => sheet.write_number_with_format(row, c(COL_COMPLETION), v, &open)?,
            None => sheet.write_blank(row, c(COL_COMPLETION), &open)?,
        };
        match r.current_value {
            Some(v) => sheet.write_number_with_format(row, c(COL_CURRENT), v, &open)?,
            None => sheet.write_blank(row, c(COL_CURRENT), &open)?,
        };
        sheet.write_string_with_format(row, c(COL_PROGRESS), &r.progress, &open)?;
        sheet.write_string_with_format(row, c(COL_PROBLEMS), &r.problems, &open)?;
        sheet.write_string_with_format(row, c(COL_NEXT), &r.next_steps, &open)?;
        sheet.write_string_with_format(
            row,
            c(COL_SUBMIT),
            if r.submitted { "是" } else { "否" },
            &open,
        )?;
    }
    if !form.rows.is_empty() {
        let (first, last) = (HEADER_ROW + 1, HEADER_ROW + form.rows.len() as u32);
        let words: Vec<&str> = STATUS_WORDS.iter().map(|(w, _)| *w).collect();
        let status = DataValidation::new()
            .allow_list_strings(&words)?
            .set_error_title("状态不对")?
            .set_error_message("请从下拉列表中选择：未启动、推进中、已完成、滞后、受阻。")?;
        sheet.add_data_validation(first, COL_STATUS as u16, last, COL_STATUS as u16, &status)?;
        let completion = DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
            .set_error_title("完成比例不对")?
            .set_error_message("完成比例应为 0 到 100 之间的数字。")?;
        sheet.add_data_validation(
            first,
            COL_COMPLETION as u16,
            last,
            COL_COMPLETION as u16,
            &completion,
        )?;
        let submit_words: Vec<&str> = SUBMIT_WORDS.iter().map(|(w, _)| *w).collect();
        let submit = DataValidation::new()
            .allow_list_strings(&submit_words)?
            .set_input_title("报送")?
            .set_input_message("是：报送审核；否：保存为草稿。")?;
        sheet.add_data_validation(first, COL_SUBMIT as u16, last, COL_SUBMIT as u16, &submit)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 4)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    // Printed one page wide, as many pages long as it takes.
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&options);
    Ok(book.save_to_buffer()?)
}

/// One filled row as read back, before the ledger checks it.
#[derive(Debug, Clone, PartialEq)]
pub struct FilledRow {
    /// The row number Excel shows (1-based), for messages.
    pub row: u32,
    pub key: String,
    pub version: i64,
    pub task: String,
    /// API word.
    pub status: String,
    pub completion: f64,
    pub current_value: Option<f64>,
    pub progress: String,
    pub problems: String,
    pub next_steps: String,
    pub submit: bool,
}

/// A row refused, with its reason (Chinese, then English).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub row: u32,
    pub task: String,
    pub reason: String,
}

/// What a returned form holds: the filled rows that read well, and the
/// rows refused already on reading (values out of range, unreadable keys).
/// Rows whose status is left empty were not filled in and are skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReadForm {
    pub rows: Vec<FilledRow>,
    pub refused: Vec<Refusal>,
}

fn text(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) => crate::model::num(*f),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Bool(b)) => b.to_string(),
        Some(other) => other.to_string(),
    }
}

fn number(d: Option<&Data>) -> Result<Option<f64>, ()> {
    match d {
        None | Some(Data::Empty) => Ok(None),
        Some(Data::Float(f)) => Ok(Some(*f)),
        Some(Data::Int(i)) => Ok(Some(*i as f64)),
        Some(Data::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Data::String(s)) => s
            .trim()
            .trim_end_matches(['%', '％'])
            .parse::<f64>()
            .map(Some)
            .map_err(|_| ()),
        Some(_) => Err(()),
    }
}

/// Reads a returned form. A file that is not a form at all (not XLSX, no
/// 填报表 sheet, headers changed) is an error; a bad row is a [`Refusal`].
pub fn read(bytes: &[u8]) -> Result<ReadForm, OfficeError> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| {
            OfficeError::NotAForm(format!(
                "无法读取 XLSX 文件（{e}）。/ Cannot read the XLSX file: {e}"
            ))
        })?;
    let range = book.worksheet_range(SHEET).map_err(|_| {
        OfficeError::NotAForm(format!(
            "文件中没有“{SHEET}”工作表，请使用 duban 生成的填报表。/ No '{SHEET}' sheet: use a form made by duban."
        ))
    })?;
    let start = range.start().map(|(r, _)| r).unwrap_or(0);
    let rows: Vec<&[Data]> = range.rows().collect();
    let header_at = (HEADER_ROW.saturating_sub(start)) as usize;
    let headers: Vec<String> = rows
        .get(header_at)
        .map(|r| r.iter().map(|d| text(Some(d))).collect())
        .unwrap_or_default();
    let expected: Vec<&str> = COLUMNS.iter().map(|(h, _, _)| *h).collect();
    if headers.len() < expected.len() || headers[..expected.len()] != expected[..] {
        return Err(OfficeError::NotAForm(
            "填报表的表头被改动，请重新下载填报表。/ The form's header row was changed: download a new form.".into(),
        ));
    }
    let mut out = ReadForm::default();
    for (i, r) in rows.iter().enumerate().skip(header_at + 1) {
        let row = start + i as u32 + 1;
        let cell = |c: usize| r.get(c);
        let task = text(cell(COL_TASK));
        let key = text(cell(COL_KEY));
        let status_raw = text(cell(COL_STATUS));
        if key.is_empty() && task.is_empty() && status_raw.is_empty() {
            continue;
        }
        if status_raw.is_empty() {
            // Not filled in this time.
            continue;
        }
        let refuse = |reason: String| Refusal {
            row,
            task: task.clone(),
            reason,
        };
        let Some(status) = STATUS_WORDS
            .iter()
            .find(|(w, a)| *w == status_raw || *a == status_raw)
            .map(|(_, a)| a.to_string())
        else {
            out.refused.push(refuse(format!("本期状态“{status_raw}”不在下拉列表中（未启动、推进中、已完成、滞后、受阻）。/ Status '{status_raw}' is not one of the list.")));
            continue;
        };
        let version = match number(cell(COL_VERSION)) {
            Ok(Some(v)) if v >= 0.0 && v.fract() == 0.0 && v < 1e9 => v as i64,
            _ => {
                out.refused.push(refuse("隐藏的版本列被改动或缺失，请重新下载填报表。/ The hidden version column was changed.".into()));
                continue;
            }
        };
        let completion = match number(cell(COL_COMPLETION)) {
            Ok(Some(v)) if (0.0..=100.0).contains(&v) => v,
            Ok(None) => {
                out.refused.push(refuse(
                    "请填写完成比例（0–100）。/ Completion is missing (0–100).".into(),
                ));
                continue;
            }
            _ => {
                out.refused.push(refuse(format!("完成比例“{}”应为 0 到 100 之间的数字。/ Completion must be a number from 0 to 100.", text(cell(COL_COMPLETION)))));
                continue;
            }
        };
        let current_value = match number(cell(COL_CURRENT)) {
            Ok(v) if v.is_none_or(f64::is_finite) => v,
            _ => {
                out.refused.push(refuse(format!(
                    "当前值“{}”应为数字。/ The current value must be a number.",
                    text(cell(COL_CURRENT))
                )));
                continue;
            }
        };
        let submit_raw = text(cell(COL_SUBMIT));
        let Some(submit) = SUBMIT_WORDS
            .iter()
            .find(|(w, _)| *w == submit_raw)
            .map(|(_, b)| *b)
            .or(submit_raw.is_empty().then_some(false))
        else {
            out.refused.push(refuse(format!(
                "报送栏应填“是”或“否”，不是“{submit_raw}”。/ 报送 must be 是 or 否."
            )));
            continue;
        };
        let (progress, problems, next_steps) = (
            text(cell(COL_PROGRESS)),
            text(cell(COL_PROBLEMS)),
            text(cell(COL_NEXT)),
        );
        if [&progress, &problems, &next_steps]
            .iter()
            .any(|s| s.chars().count() > MAX_TEXT)
        {
            out.refused.push(refuse(format!(
                "文字超过 {MAX_TEXT} 字。/ A text cell is longer than {MAX_TEXT} characters."
            )));
            continue;
        }
        out.rows.push(FilledRow {
            row,
            key,
            version,
            task,
            status,
            completion,
            current_value,
            progress,
            problems,
            next_steps,
            submit,
        });
    }
    Ok(out)
}
