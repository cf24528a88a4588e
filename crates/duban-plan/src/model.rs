//! The parsed plan: the JSON output contract of `duban parse`.
//!
//! Field names are part of the public contract (README, "输出格式"), so they
//! are spelled out here once and serialised as is.

use serde::{Deserialize, Serialize};

/// Everything duban reads out of one plan document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub source: Source,
    pub document: DocumentHeader,
    pub plans: Vec<PlanEntry>,
    pub tasks: Vec<Task>,
    pub targets: Vec<Target>,
    pub task_forces: Vec<TaskForce>,
    pub units: Vec<UnitSummary>,
    pub warnings: Vec<Warning>,
}

/// Where the bytes came from and how they were decoded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Source {
    pub file: String,
    /// `txt`, `docx`, `xlsx`, `xls`, `pdf`, `html` or `markdown`.
    pub format: String,
    /// The detected text encoding (`UTF-8`, `GB18030`, `UTF-16LE`, ...); for
    /// docx and pdf the container's own (`UTF-8` / `pdf-text`).
    pub encoding: String,
    pub sha256: String,
    pub bytes: usize,
}

/// The official document's header (文头): who issued it, its number, title, date.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DocumentHeader {
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    /// 成文日期 as `YYYY-MM-DD`.
    pub date: Option<String>,
    pub recipients: Vec<String>,
    /// The year relative deadlines (`5月底前`) resolve against.
    pub year: Option<i32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PlanKind {
    Overall,
    Implementation,
}

/// One plan inside the document: the overall plan (no. 0) or an attachment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanEntry {
    pub no: u32,
    pub title: String,
    pub kind: PlanKind,
    /// False when the `附件 N` line was missing and the number was inferred.
    pub attachment_line: bool,
}

/// A supervisable item: a numbered item that carries its own unit assignment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Task {
    /// `{plan}-{n}`, stable for a given document.
    pub id: String,
    pub plan: u32,
    /// Heading labels from the plan's top level down to this item, e.g.
    /// `["二、攻坚任务", "（一）大力提振消费", "1.推动增收减负"]`.
    pub path: Vec<String>,
    pub title: String,
    pub text: String,
    pub lead_units: Vec<String>,
    pub co_units: Vec<String>,
    /// True when no unit was marked 牵头 and the first listed unit was taken.
    pub lead_inferred: bool,
    pub deadlines: Vec<Deadline>,
    pub targets: Vec<Target>,
    /// 1-based line (or paragraph, for docx) where the item starts.
    pub line: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Deadline {
    pub text: String,
    /// `YYYY-MM-DD`, or null for ongoing work or when no year is known.
    pub date: Option<String>,
    pub ongoing: bool,
}

/// What a target measures, how its value reads, and what kind of unit a
/// name is: defined once in `duban-core` (shared with the rules and the
/// store), so the parser and the ledger cannot disagree on a word.
pub use duban_core::vocab::{Comparator, TargetKind, UnitKind};

/// A quantified target (目标值): indicator + comparator + value + unit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Target {
    pub plan: u32,
    /// The task id, or null for targets in a goals section.
    pub task: Option<String>,
    /// The clause the target was read from.
    pub text: String,
    pub metric: String,
    pub kind: TargetKind,
    pub comparator: Comparator,
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: String,
}

/// A campaign's task force (工作专班) as its mechanism section describes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskForce {
    pub plan: u32,
    pub name: String,
    pub convener: Option<String>,
    pub deputy_conveners: Vec<String>,
    pub members: Vec<String>,
    /// The unit hosting the task-force office (专班办公室设在 X).
    pub office: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AliasSuggestion {
    pub name: String,
    /// 0..1: how sure the variant rule is.
    pub confidence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnitSummary {
    pub name: String,
    pub kind: UnitKind,
    pub lead_count: usize,
    pub co_count: usize,
    /// Set when the name looks like a variant of another unit in the document.
    pub suspected_alias_of: Option<AliasSuggestion>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Warning {
    pub line: Option<usize>,
    pub message: String,
}
