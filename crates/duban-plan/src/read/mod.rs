//! Readers: bytes of a txt, docx, xlsx, xls, pdf, html or markdown file in, a flat list
//! of paragraphs and tables out. Everything after this step is format-blind.

mod docx;
mod flat;
mod html;
mod markdown;
mod pdf;
mod sheet;
mod text;

use crate::error::{ParseError, MAX_INPUT_BYTES};

/// One block of a document in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph {
        text: String,
        line: usize,
    },
    /// A table as rows of cell texts (merged cells repeated).
    Table {
        rows: Vec<Vec<String>>,
        line: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Docx,
    Pdf,
    Html,
    Markdown,
    Xlsx,
    Xls,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Markdown => "markdown",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RawDocument {
    pub format: Format,
    pub encoding: String,
    pub blocks: Vec<Block>,
    /// Lines where a table was rebuilt from flattened text: the reading
    /// is a reconstruction the admin should check.
    pub rebuilt_tables: Vec<usize>,
}

/// Reads a workbook and rebuilds nothing: its cells are already cells.
fn sheet_read(bytes: &[u8], xlsx: bool) -> Result<RawDocument, ParseError> {
    if xlsx {
        sheet::read_xlsx(bytes)
    } else {
        sheet::read_xls(bytes)
    }
}

/// Reads any supported document. The file name only breaks ties (a `.md`
/// file is plain text to the byte sniffer); the bytes decide the format.
/// Tables flattened into paragraphs (in any format but a workbook) are
/// rebuilt into tables.
pub fn read(bytes: &[u8], file_name: &str) -> Result<RawDocument, ParseError> {
    let mut doc = read_format(bytes, file_name)?;
    if !matches!(doc.format, Format::Xlsx | Format::Xls) {
        let before: Vec<usize> = table_lines(&doc.blocks);
        doc.blocks = flat::rebuild(std::mem::take(&mut doc.blocks));
        doc.rebuilt_tables = table_lines(&doc.blocks)
            .into_iter()
            .filter(|l| !before.contains(l))
            .collect();
    }
    Ok(doc)
}

fn table_lines(blocks: &[Block]) -> Vec<usize> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table { line, .. } => Some(*line),
            _ => None,
        })
        .collect()
}

fn read_format(bytes: &[u8], file_name: &str) -> Result<RawDocument, ParseError> {
    if bytes.is_empty() {
        return Err(ParseError::Empty);
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"%PDF-") {
        return pdf::read(bytes);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        if ext == "xlsx" {
            return sheet_read(bytes, true);
        }
        return match docx::read(bytes) {
            // A zip with `xl/` parts is a workbook.
            Err(ParseError::UnknownFormat { what }) if what == "xlsx" => sheet_read(bytes, true),
            other => other,
        };
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // OLE holds both Word .doc and Excel .xls: the workbook stream tells.
        if sheet::is_xls(bytes) {
            return sheet_read(bytes, false);
        }
        if ext == "xls" {
            return Err(ParseError::CorruptSpreadsheet {
                detail: "不是可读的 xls 工作簿 / not a readable xls workbook".into(),
            });
        }
        return Err(ParseError::LegacyDoc);
    }
    if ext == "xlsx" || ext == "xls" {
        return Err(ParseError::CorruptSpreadsheet {
            detail: "不是 Excel 文件 / not an Excel file".into(),
        });
    }
    if ext == "docx" {
        return Err(ParseError::CorruptDocx {
            detail: "不是 zip 容器 / not a zip container".into(),
        });
    }
    if ext == "pdf" {
        return Err(ParseError::CorruptPdf {
            detail: "缺少 %PDF 文件头 / missing %PDF header".into(),
        });
    }
    let (decoded, encoding) = text::decode(bytes)?;
    let format = if ext == "html" || ext == "htm" || html::looks_like_html(&decoded) {
        Format::Html
    } else if ext == "md" || ext == "markdown" {
        Format::Markdown
    } else if matches!(ext.as_str(), "" | "txt" | "text") {
        Format::Text
    } else {
        return Err(ParseError::UnknownFormat {
            what: format!(".{ext}"),
        });
    };
    let blocks = match format {
        Format::Html => html::blocks(&decoded),
        Format::Markdown => markdown::blocks(&decoded),
        _ => text::blocks(&decoded),
    };
    Ok(RawDocument {
        format,
        encoding: encoding.to_string(),
        blocks,
        rebuilt_tables: Vec::new(),
    })
}
