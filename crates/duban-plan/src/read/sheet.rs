//! Excel workbooks: `.xlsx` and the older `.xls` (BIFF) that WPS and older
//! offices still send, read with `calamine`.
//!
//! A 任务分工表 workbook has a merged title row, a header row, and merged
//! cells for grouped rows. Each sheet becomes: its title rows (a single
//! value across the row) as paragraphs, then one table with merged cells
//! filled in, so the table model sees what a clerk sees.

use super::{Block, Format, RawDocument};
use crate::error::ParseError;
use calamine::{Data, DataRef, Dimensions, Reader, Xls, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

/// Largest sheet read, in cells holding a value. A 2,000-row 分解表 has
/// some 20,000; a sheet past this is not a plan.
const MAX_CELLS: usize = 2_000_000;
/// Largest column index read: plans have a dozen columns; a cell far to
/// the right is a stray mark.
const MAX_COLS: u32 = 256;
/// Largest row index read (xls itself stops at 65,536).
const MAX_ROWS: u32 = 1_048_576;

fn corrupt(detail: impl std::fmt::Display) -> ParseError {
    ParseError::CorruptSpreadsheet {
        detail: detail.to_string(),
    }
}

/// A sheet as sparse cells: (row, col) → text.
type Cells = BTreeMap<(u32, u32), String>;

/// Runs a calamine call, turning a panic inside it into a corrupt-file
/// error: calamine indexes some malformed OLE and zip structures without
/// bounds checks (found by the property tests), and a bad upload must not
/// take the server down.
fn guarded<T>(f: impl FnOnce() -> Result<T, ParseError>) -> Result<T, ParseError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(corrupt(
            "文件结构损坏，读取时出错 / the file structure is damaged",
        ))
    })
}

pub fn read_xlsx(bytes: &[u8]) -> Result<RawDocument, ParseError> {
    guarded(|| read_xlsx_unguarded(bytes))
}

pub fn read_xls(bytes: &[u8]) -> Result<RawDocument, ParseError> {
    guarded(|| read_xls_unguarded(bytes))
}

fn read_xlsx_unguarded(bytes: &[u8]) -> Result<RawDocument, ParseError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    // Merged regions are optional furniture: a workbook whose merge list
    // cannot be read is still read, without them.
    let merges_ok = book.load_merged_regions().is_ok();
    let names = book.sheet_names();
    let mut blocks = Vec::new();
    for name in names {
        let merges: Vec<Dimensions> = if merges_ok {
            book.merged_regions_by_sheet(&name)
                .into_iter()
                .map(|(_, _, d)| *d)
                .collect()
        } else {
            Vec::new()
        };
        let mut cells = Cells::new();
        let mut reader = book.worksheet_cells_reader(&name).map_err(corrupt)?;
        while let Some(cell) = reader.next_cell().map_err(corrupt)? {
            let (row, col) = cell.get_position();
            if row >= MAX_ROWS || col >= MAX_COLS {
                continue;
            }
            let text = data_ref_text(cell.get_value());
            if !text.trim().is_empty() {
                cells.insert((row, col), text);
                if cells.len() > MAX_CELLS {
                    return Err(corrupt(format!(
                        "工作表超过 {MAX_CELLS} 个单元格 / sheet has over {MAX_CELLS} cells"
                    )));
                }
            }
        }
        sheet_blocks(cells, &merges, &mut blocks);
    }
    Ok(RawDocument {
        format: Format::Xlsx,
        encoding: "UTF-8".into(),
        blocks,
        rebuilt_tables: Vec::new(),
    })
}

/// Largest number of cells the xls cell records may span (rows x
/// columns): calamine lays a sheet out densely, so a sheet whose cells sit
/// far apart would allocate gigabytes.
const MAX_XLS_SPAN: u64 = 4_000_000;

/// Checks an xls file before calamine reads it. calamine follows sector
/// chains without loop detection and sizes its cell grid from the file's
/// own DIMENSIONS and cell positions, so a damaged or hostile file can make
/// it loop or allocate without bound (the property tests found both). The
/// `cfb` crate opens the container with its chains validated; then the
/// workbook stream's BIFF records are walked, only for their headers and
/// cell positions.
fn check_xls(bytes: &[u8]) -> Result<(), ParseError> {
    use std::io::Read;
    let mut file = cfb::CompoundFile::open_strict(Cursor::new(bytes)).map_err(corrupt)?;
    let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|n| file.is_stream(n))
        .ok_or_else(|| corrupt("没有工作簿数据流 / no workbook stream"))?;
    let mut stream = Vec::new();
    file.open_stream(name)
        .map_err(corrupt)?
        .take(crate::error::MAX_INPUT_BYTES as u64 * 2)
        .read_to_end(&mut stream)
        .map_err(corrupt)?;
    let mut pos = 0usize;
    let mut span = Span::default();
    while pos + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[pos], stream[pos + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[pos + 2], stream[pos + 3]]));
        let data = stream.get(pos + 4..pos + 4 + len).unwrap_or(&[]);
        let u16_at = |i: usize| {
            data.get(i..i + 2)
                .map_or(0, |b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        match typ {
            // BOF of a new substream: a new sheet, a new span.
            0x0809 => {
                span = Span::default();
            }
            // DIMENSIONS: calamine reserves rows x columns from it.
            0x0200 if data.len() == 14 => {
                let r =
                    |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
                let (first, last) = (r(0), r(4));
                if last > 65_536 || u64::from(last.saturating_sub(first)) * 256 > MAX_XLS_SPAN * 64
                {
                    return Err(corrupt("工作表尺寸无效 / invalid sheet dimensions"));
                }
            }
            // Cell records: row and column first.
            0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x00FD | 0x027E | 0x0006 | 0x0406 => {
                let (row, col) = (u16_at(0), u16_at(2));
                span.add((row, row), (col, col))?;
            }
            // MULRK / MULBLANK: a run of columns, the last column at the end.
            0x00BD | 0x00BE if data.len() >= 6 => {
                let (row, first) = (u16_at(0), u16_at(2));
                let last = u16_at(data.len() - 2);
                span.add((row, row), (first.min(last), first.max(last)))?;
            }
            _ => {}
        }
        pos += 4 + len;
    }
    Ok(())
}

/// The rows and columns one sheet's cell records cover.
struct Span {
    rows: (u32, u32),
    cols: (u32, u32),
}

impl Default for Span {
    fn default() -> Self {
        Span {
            rows: (u32::MAX, 0),
            cols: (u32::MAX, 0),
        }
    }
}

impl Span {
    fn add(&mut self, rows: (u32, u32), cols: (u32, u32)) -> Result<(), ParseError> {
        self.rows = (self.rows.0.min(rows.0), self.rows.1.max(rows.1));
        self.cols = (self.cols.0.min(cols.0), self.cols.1.max(cols.1));
        let cells = u64::from(self.rows.1.saturating_sub(self.rows.0) + 1)
            * u64::from(self.cols.1.saturating_sub(self.cols.0) + 1);
        if cells > MAX_XLS_SPAN {
            return Err(corrupt("工作表范围过大 / sheet range too large"));
        }
        Ok(())
    }
}

fn read_xls_unguarded(bytes: &[u8]) -> Result<RawDocument, ParseError> {
    check_xls(bytes)?;
    let mut book = Xls::new(Cursor::new(bytes)).map_err(corrupt)?;
    let names = book.sheet_names();
    let mut blocks = Vec::new();
    for name in names {
        let merges = book.worksheet_merge_cells(&name).unwrap_or_default();
        let range = book.worksheet_range(&name).map_err(corrupt)?;
        let mut cells = Cells::new();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let text = data_text(value);
                if !text.trim().is_empty() && (c as u32 + c0) < MAX_COLS {
                    cells.insert((r as u32 + r0, c as u32 + c0), text);
                }
            }
        }
        sheet_blocks(cells, &merges, &mut blocks);
    }
    Ok(RawDocument {
        format: Format::Xls,
        encoding: "BIFF".into(),
        blocks,
        rebuilt_tables: Vec::new(),
    })
}

/// Whether OLE bytes hold an xls workbook (rather than a Word .doc).
pub fn is_xls(bytes: &[u8]) -> bool {
    cfb::CompoundFile::open(Cursor::new(bytes)).is_ok_and(|f| {
        ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
            .into_iter()
            .any(|n| f.is_stream(n))
    })
}

fn data_ref_text(v: &DataRef) -> String {
    match v {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => serial_date(d.as_f64()),
        DataRef::DateTime(d) => float_text(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

fn data_text(v: &Data) -> String {
    match v {
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => serial_date(d.as_f64()),
        Data::DateTime(d) => float_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// `3.0` is the row number `3`; other floats print as they are.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// An Excel date serial (days since 1899-12-30) as `2025年12月31日`, the
/// way a deadline cell reads in the document.
fn serial_date(serial: f64) -> String {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return float_text(serial);
    }
    // Days since 1970-01-01, then the civil-from-days algorithm.
    let z = serial.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y}年{m}月{d}日")
}

/// Turns one sheet into blocks: title rows as paragraphs, the rest as a
/// table with merged regions filled from their top-left cell.
fn sheet_blocks(mut cells: Cells, merges: &[Dimensions], blocks: &mut Vec<Block>) {
    for m in merges {
        let Some(value) = cells.get(&m.start).cloned() else {
            continue;
        };
        let rows = m.start.0..=m.end.0.min(m.start.0.saturating_add(10_000));
        for r in rows {
            for c in m.start.1..=m.end.1.min(MAX_COLS - 1) {
                if cells.len() > MAX_CELLS {
                    break;
                }
                cells.entry((r, c)).or_insert_with(|| value.clone());
            }
        }
    }
    let Some(max_col) = cells.keys().map(|(_, c)| *c).max() else {
        return;
    };
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    for (&(r, c), text) in &cells {
        if rows.last().is_none_or(|(lr, _)| *lr != r) {
            rows.push((r, vec![String::new(); max_col as usize + 1]));
        }
        if let Some((_, row)) = rows.last_mut() {
            row[c as usize] = text.clone();
        }
    }
    // Title rows: one value across the row, before anything else.
    let mut first_data = 0;
    for (r, row) in &rows {
        let distinct: std::collections::HashSet<&str> = row
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        if distinct.len() > 1 {
            break;
        }
        for text in distinct {
            blocks.push(Block::Paragraph {
                text: text.to_string(),
                line: *r as usize + 1,
            });
        }
        first_data += 1;
    }
    let line = rows.get(first_data).map_or(1, |(r, _)| *r as usize + 1);
    let table: Vec<Vec<String>> = rows.into_iter().skip(first_data).map(|(_, r)| r).collect();
    if !table.is_empty() {
        blocks.push(Block::Table { rows: table, line });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_serials() {
        assert_eq!(serial_date(45_657.0), "2024年12月31日");
        assert_eq!(serial_date(25_569.0), "1970年1月1日");
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(2.5), "2.5");
    }

    #[test]
    fn merged_cells_fill_and_title_rows_become_paragraphs() {
        let mut cells = Cells::new();
        cells.insert((0, 0), "重点任务分解表".into());
        cells.insert((1, 0), "序号".into());
        cells.insert((1, 1), "任务".into());
        cells.insert((1, 2), "牵头单位".into());
        cells.insert((2, 0), "1".into());
        cells.insert((2, 1), "甲".into());
        cells.insert((2, 2), "市发改委".into());
        cells.insert((3, 0), "2".into());
        cells.insert((3, 1), "乙".into());
        let merges = [
            Dimensions {
                start: (0, 0),
                end: (0, 2),
            },
            Dimensions {
                start: (2, 2),
                end: (3, 2),
            },
        ];
        let mut blocks = Vec::new();
        sheet_blocks(cells, &merges, &mut blocks);
        assert_eq!(
            blocks[0],
            Block::Paragraph {
                text: "重点任务分解表".into(),
                line: 1
            }
        );
        match &blocks[1] {
            Block::Table { rows, .. } => {
                assert_eq!(rows[0], vec!["序号", "任务", "牵头单位"]);
                assert_eq!(rows[2], vec!["2", "乙", "市发改委"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
