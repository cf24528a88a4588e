//! Readers: bytes of a txt, docx, pdf, html or markdown file in, a flat list
//! of paragraphs and tables out. Everything after this step is format-blind.

mod docx;
mod flat;
mod html;
mod markdown;
mod pdf;
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
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RawDocument {
    pub format: Format,
    pub encoding: String,
    pub blocks: Vec<Block>,
}

/// Reads any supported document. The file name only breaks ties (a `.md`
/// file is plain text to the byte sniffer); the bytes decide the format.
pub fn read(bytes: &[u8], file_name: &str) -> Result<RawDocument, ParseError> {
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
        return docx::read(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ParseError::LegacyDoc);
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
    let blocks = flat::rebuild(blocks);
    Ok(RawDocument {
        format,
        encoding: encoding.to_string(),
        blocks,
    })
}
