//! Office files from the ledger: the monthly bulletin (通报) as a 公文
//! DOCX ([`bulletin`]), the ledger (台账) as XLSX ([`xlsx`]) and the
//! fill-in forms units send back ([`form`]).
//!
//! Pure-ish: every function takes plain structs ([`model`]) and returns
//! bytes (or reads bytes back), so tests check each file against the data
//! it was made from; the store and the pages only gather the data. The
//! file formats are written by libraries (docx-rs, rust_xlsxwriter) and
//! read by calamine; nothing of OOXML is written by hand.

pub mod bulletin;
pub mod chart;
pub mod form;
pub mod model;
pub mod xlsx;

/// What can go wrong making or reading an office file.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("无法生成 XLSX 文件：{0} / cannot write the XLSX file")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("无法生成 DOCX 文件：{0} / cannot write the DOCX file")]
    Docx(String),
    #[error("无法绘制图表：{0} / cannot draw the chart")]
    Chart(String),
    /// The uploaded file is not a duban form (not XLSX, sheet or headers missing).
    #[error("{0}")]
    NotAForm(String),
}
