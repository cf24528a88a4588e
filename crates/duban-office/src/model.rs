//! The plain data the office files are made from. The store (or a test)
//! fills these in; the writers never see the database, so every cell and
//! every sentence can be checked against the structs that produced it.

use duban_core::evaluation::Light;

/// One task row of a campaign's ledger sheet, as evaluated in a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerTask {
    /// The task's id in the ledger (shown nowhere, used to join reports).
    pub task_id: String,
    pub title: String,
    pub lead: String,
    /// Co-units (责任单位/配合单位), joined with 、.
    pub units: String,
    /// 完成时限: a date, or 持续推进.
    pub deadline: String,
    /// Status reported by the lead unit (Chinese word), empty when not reported.
    pub status: String,
    /// Reported completion (0..=100); `None` when the lead did not report.
    pub completion: Option<f64>,
    /// 序时进度 (0..=100).
    pub time_progress: f64,
    pub light: Light,
    /// The light's reason as evaluated, both languages
    /// (`duban_core::evaluation::bilingual`); the files show its Chinese
    /// part only.
    pub reason: String,
    /// 进展情况 and 存在问题 from the lead unit's report.
    pub progress: String,
    pub problems: String,
    /// Days past the deadline on the evaluation date (0 when not overdue).
    pub days_overdue: i64,
}

/// One goal indicator (指标) against its target.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    pub metric: String,
    pub owner: String,
    /// `>=`, `<=`, `about` or `range`, shown as a word.
    pub comparator: String,
    pub target: f64,
    pub unit: String,
    pub current: Option<f64>,
    /// What the value should be by now (time-proportional path).
    pub expected: Option<f64>,
    pub on_track: Option<bool>,
}

/// One unit on the ranking (龙虎榜).
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    pub rank: usize,
    pub unit: String,
    pub score: f64,
    pub expected: usize,
    pub actual: usize,
    pub on_time: usize,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    /// Owed reports and sent none.
    pub silent: bool,
    /// What the unit reported it did this cycle (its reports' 进展情况), for 表扬.
    pub highlights: Vec<String>,
}

/// A campaign's light counts and rates in a cycle (also the previous cycle's,
/// for "change since last month").
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Counts {
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub expected: usize,
    pub actual: usize,
    pub on_time: usize,
}

impl Counts {
    pub fn tasks(&self) -> usize {
        self.green + self.yellow + self.red
    }
    /// Reporting rate in whole per cent (rounded), as printed everywhere.
    pub fn reporting_pct(&self) -> u32 {
        pct(self.actual, self.expected)
    }
    /// On-time rate in whole per cent (rounded).
    pub fn on_time_pct(&self) -> u32 {
        pct(self.on_time, self.expected)
    }
}

/// `num / den` in whole per cent, rounded; nothing owed counts as 100 %,
/// as in `duban_core::evaluation::reporting_metrics`.
pub fn pct(num: usize, den: usize) -> u32 {
    if den == 0 {
        100
    } else {
        ((num as f64 / den as f64) * 100.0).round() as u32
    }
}

/// An open coordination request (需协调事项).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRequest {
    pub task: String,
    pub from_unit: String,
    pub addressed_to: String,
    pub text: String,
    /// Days since it was raised.
    pub days_open: i64,
}

/// One campaign (攻坚) in one cycle: everything the ledger sheet and the
/// bulletin's paragraphs about it need.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignLedger {
    pub plan: i64,
    pub title: String,
    pub cycle_id: String,
    /// The cycle's due date (YYYY-MM-DD).
    pub due_on: String,
    /// The date the lights were evaluated on.
    pub as_of: String,
    pub counts: Counts,
    /// The previous cycle's counts, when there was one.
    pub previous: Option<Counts>,
    pub tasks: Vec<LedgerTask>,
    pub indicators: Vec<IndicatorRow>,
    pub ranking: Vec<RankRow>,
    pub requests: Vec<OpenRequest>,
    /// The next cycle's due date, for 下一步.
    pub next_due: Option<String>,
}

/// The whole region's ledger: the campaigns, each in its chosen cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    pub region: String,
    pub as_of: String,
    pub campaigns: Vec<CampaignLedger>,
}

/// The label of a light in cells and text: one character, so a printout in
/// black and white still says the colour.
pub fn light_label(l: Light) -> &'static str {
    match l {
        Light::Green => "绿",
        Light::Yellow => "黄",
        Light::Red => "红",
    }
}

/// Fill colours (RGB) of the lights, shared by the XLSX cells, the DOCX
/// table and the chart.
pub fn light_rgb(l: Light) -> u32 {
    match l {
        Light::Green => 0x63BE7B,
        Light::Yellow => 0xFFD966,
        Light::Red => 0xF8696B,
    }
}

/// A number as printed in the files: integers without decimals, others
/// with at most two, so the text and the cells agree.
pub fn num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
