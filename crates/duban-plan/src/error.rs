//! Errors a user can act on. Each message is Chinese first, then English,
//! and says what to do next.

use thiserror::Error;

/// Largest input accepted (documented in the README): 50 MiB. Plans are
/// rarely over 2 MiB; anything bigger is almost surely the wrong file.
pub const MAX_INPUT_BYTES: usize = 50 * 1024 * 1024;

/// Largest decompressed size read from one docx part (zip-bomb guard).
pub const MAX_DOCX_PART_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("文件为空。/ The file is empty.")]
    Empty,

    #[error(
        "文件过大（{size} 字节，上限 {limit} 字节），请确认是否选错了文件。/ File too large ({size} bytes, limit {limit})."
    )]
    TooLarge { size: usize, limit: usize },

    #[error(
        "无法识别的文件格式（{what}）。支持：txt、docx、xlsx、xls、pdf、html、md。/ Unknown file format ({what}). Supported: txt, docx, xlsx, xls, pdf, html, md."
    )]
    UnknownFormat { what: String },

    #[error(
        "文件看起来是二进制数据，不是文本文档。/ The file looks like binary data, not a text document."
    )]
    Binary,

    #[error(
        "无法识别文本编码（已尝试 UTF-8、UTF-16、GB18030、Big5）。请另存为 UTF-8。/ Cannot detect the text encoding (tried UTF-8, UTF-16, GB18030, Big5); save the file as UTF-8."
    )]
    Encoding,

    #[error(
        "docx 文件已损坏或不完整：{detail}。/ The docx file is corrupt or truncated: {detail}."
    )]
    CorruptDocx { detail: String },

    #[error(
        "docx 文件解压后超过 {limit} 字节，疑似压缩炸弹，已拒绝。/ The docx expands beyond {limit} bytes (possible zip bomb); refused."
    )]
    DocxTooLarge { limit: u64 },

    #[error(
        "Excel 表格文件（xlsx/xls）已损坏或无法读取：{detail}。请在 Excel/WPS 中打开后另存为 .xlsx 再试。/ The spreadsheet (xlsx/xls) is corrupt or unreadable: {detail}."
    )]
    CorruptSpreadsheet { detail: String },

    #[error(
        "pdf 文件已损坏或无法读取：{detail}。/ The pdf file is corrupt or unreadable: {detail}."
    )]
    CorruptPdf { detail: String },

    #[error(
        "pdf 没有文字层（可能是扫描件），duban 不支持 OCR，请提供可复制文字的 pdf、docx 或 txt。/ The pdf has no text layer (a scan?); OCR is not supported. Provide a text pdf, docx or txt."
    )]
    PdfWithoutText,

    #[error(
        "旧版 Word（.doc）格式不受支持，请在 Word/WPS 中另存为 .docx。/ Legacy Word .doc is not supported; save it as .docx."
    )]
    LegacyDoc,

    #[error(
        "文档中没有找到任何带责任单位的任务（如“（市发改局牵头，……按职能分工负责）”）。请确认这是实施方案或任务分工文件。/ No tasks with unit assignments were found; is this an action plan?"
    )]
    NoTasks,
}
