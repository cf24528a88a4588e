//! PDF with a text layer. A scan has no text layer; we say so rather than
//! return an empty plan, since OCR is out of scope.

use super::{text, Block, Format, RawDocument};
use crate::error::ParseError;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub fn read(bytes: &[u8]) -> Result<RawDocument, ParseError> {
    // The extractor panics on some malformed files; a bad file must become
    // an error, never a crash.
    let pages = catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem_by_pages(bytes)
    }))
    .map_err(|payload| ParseError::CorruptPdf {
        detail: panic_message(&payload),
    })?
    .map_err(|e| ParseError::CorruptPdf {
        detail: e.to_string(),
    })?;
    let meaningful: usize = pages
        .iter()
        .map(|p| p.chars().filter(|c| c.is_alphanumeric()).count())
        .sum();
    if meaningful < 10 * pages.len().max(1) {
        return Err(ParseError::PdfWithoutText);
    }
    let joined = pages.join("\n");
    Ok(RawDocument {
        format: Format::Pdf,
        encoding: "pdf-text".into(),
        blocks: text::blocks(&joined)
            .into_iter()
            .map(|b| match b {
                Block::Paragraph { text, line } => Block::Paragraph {
                    text: text.trim().to_string(),
                    line,
                },
                other => other,
            })
            .collect(),
        rebuilt_tables: Vec::new(),
    })
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "内部解析错误 / internal parser error".into())
}
