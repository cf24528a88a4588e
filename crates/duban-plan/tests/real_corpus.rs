//! The real corpus: plan documents from other provinces, cities and
//! counties (`fixtures/real/<id>-<slug>/`), each with a gold ledger written
//! by reading the document. This test scores the parser against the gold
//! and asserts the levels the parse issue asks for.
//!
//! Measures (printed per document and per layout family):
//! - unit-assignment precision / recall / F1 over (task, unit) pairs, the
//!   role not counted (lead accuracy covers it);
//! - lead accuracy: matched gold tasks whose parsed lead set equals the
//!   gold lead set;
//! - task recall: gold tasks matched by a parsed task whose text contains
//!   the gold snippet.
//!
//! Both sides are normalised the same way (full-width folded, traditional
//! to simplified, spaces dropped), so a unit written `市發改委` in the
//! source and in the gold compares equal to what the parser prints.

mod common;

use duban_plan::normalize::normalize_text;
use duban_plan::{parse, Plan};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Sources a document directory may hold: the stored text, and the office
/// variants generated from it (same gold).
const SOURCES: &[&str] = &[
    "source.txt",
    "source.html",
    "source.md",
    "variant.xlsx",
    "variant.xls",
    "variant.docx",
];

const FAMILIES: &[&str] = &[
    "table-flat",
    "table-pipe",
    "table-html",
    "header-vocab",
    "bare-list",
    "prose",
];

fn norm(s: &str) -> String {
    normalize_text(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn units(cell: &str) -> BTreeSet<String> {
    if cell.trim() == "-" {
        return BTreeSet::new();
    }
    // Split on 、 outside brackets: `各镇(街道、园区)` is one unit.
    let mut out = BTreeSet::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in cell.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth -= 1,
            _ => {}
        }
        if c == '、' && depth <= 0 {
            out.insert(norm(&current));
            current.clear();
        } else {
            current.push(c);
        }
    }
    out.insert(norm(&current));
    out.retain(|u| !u.is_empty());
    out
}

struct Gold {
    snippet: String,
    leads: BTreeSet<String>,
    cos: BTreeSet<String>,
}

#[derive(Default, Clone, Copy)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    gold_tasks: usize,
    matched: usize,
    lead_ok: usize,
    refused: usize,
    docs: usize,
}

impl Score {
    fn add(&mut self, o: &Score) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.gold_tasks += o.gold_tasks;
        self.matched += o.matched;
        self.lead_ok += o.lead_ok;
        self.refused += o.refused;
        self.docs += o.docs;
    }
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn lead_accuracy(&self) -> f64 {
        ratio(self.lead_ok, self.matched)
    }
    fn task_recall(&self) -> f64 {
        ratio(self.matched, self.gold_tasks)
    }
    fn line(&self, name: &str) -> String {
        format!(
            "{name:<48} P {:.3}  R {:.3}  F1 {:.3}  lead {:.3}  tasks {:>3}/{:<3} {:.3}{}",
            self.precision(),
            self.recall(),
            self.f1(),
            self.lead_accuracy(),
            self.matched,
            self.gold_tasks,
            self.task_recall(),
            if self.refused > 0 { "  REFUSED" } else { "" }
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn read_gold(dir: &Path) -> Vec<Gold> {
    let text = std::fs::read_to_string(dir.join("gold.tsv"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert!(c.len() >= 3, "{}: bad gold row {l:?}", dir.display());
            Gold {
                snippet: norm(c[0]),
                leads: units(c[1]),
                cos: units(c[2]),
            }
        })
        .collect()
}

fn families(dir: &Path) -> Vec<&'static str> {
    let text = std::fs::read_to_string(dir.join("SOURCE.md")).unwrap_or_default();
    let line = text
        .lines()
        .find(|l| l.to_lowercase().contains("layout famil"))
        .unwrap_or("");
    FAMILIES
        .iter()
        .copied()
        .filter(|f| line.contains(f))
        .collect()
}

/// Scores one parsed document against its gold.
fn score(plan: Option<&Plan>, gold: &[Gold]) -> Score {
    let mut s = Score {
        gold_tasks: gold.len(),
        docs: 1,
        ..Default::default()
    };
    let Some(plan) = plan else {
        s.refused = 1;
        s.fn_ = gold.iter().map(|g| g.leads.len() + g.cos.len()).sum();
        return s;
    };
    let parsed: Vec<(String, BTreeSet<String>, BTreeSet<String>)> = plan
        .tasks
        .iter()
        .map(|t| {
            (
                norm(&t.text),
                t.lead_units.iter().map(|u| norm(u)).collect(),
                t.co_units.iter().map(|u| norm(u)).collect(),
            )
        })
        .collect();
    let mut used = vec![false; parsed.len()];
    for g in gold {
        let gold_units: BTreeSet<&String> = g.leads.iter().chain(&g.cos).collect();
        // The first unused parsed task holding the snippet, else any.
        let hit = (0..parsed.len())
            .find(|&i| !used[i] && parsed[i].0.contains(&g.snippet))
            .or_else(|| (0..parsed.len()).find(|&i| parsed[i].0.contains(&g.snippet)));
        let Some(i) = hit else {
            s.fn_ += gold_units.len();
            continue;
        };
        used[i] = true;
        s.matched += 1;
        let (_, leads, cos) = &parsed[i];
        let got: BTreeSet<&String> = leads.iter().chain(cos).collect();
        s.tp += gold_units.intersection(&got).count();
        s.fn_ += gold_units.difference(&got).count();
        s.fp += got.difference(&gold_units).count();
        if *leads == g.leads {
            s.lead_ok += 1;
        }
    }
    // Parsed tasks that match no gold task are false assignments.
    for (i, (_, leads, cos)) in parsed.iter().enumerate() {
        if !used[i] {
            s.fp += leads.union(cos).count();
        }
    }
    s
}

/// A table whose cells run together with no delimiter at all (not even a
/// space: `序号项目名称建设阶段总投资…1十陵景区项目加快建设43000020000…`)
/// cannot be told apart into cells; such a document is reported, not
/// counted against the "no table refused" rule. Detected by the header:
/// `序号` glued to the next header word.
fn cells_undelimited(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.match_indices("序号").any(|(i, m)| {
        let next = &text[i + m.len()..];
        [
            "项目", "任务", "工作", "重点", "主要", "具体", "事项", "内容",
        ]
        .iter()
        .any(|w| next.starts_with(w))
    })
}

#[test]
fn real_corpus_scores() {
    let root = common::fixture_path("real");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let mut total = Score::default();
    let mut sources = Score::default();
    let mut variants = Score::default();
    let mut by_family: BTreeMap<&str, Score> = BTreeMap::new();
    let mut by_format: BTreeMap<&str, Score> = BTreeMap::new();
    let mut refused_tables = Vec::new();
    let mut report = Vec::new();
    for dir in &dirs {
        if !dir.join("gold.tsv").exists() {
            continue;
        }
        let gold = read_gold(dir);
        let fams = families(dir);
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for source in SOURCES {
            let path = dir.join(source);
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let parsed = parse(&bytes, source);
            if let Err(e) = &parsed {
                report.push(format!("{name}/{source}: {e}"));
                let table =
                    fams.iter().any(|f| f.starts_with("table")) || !source.starts_with("source");
                if table && !cells_undelimited(&bytes) {
                    refused_tables.push(format!("{name}/{source}"));
                }
            }
            let s = score(parsed.as_ref().ok(), &gold);
            report.push(s.line(&format!("{name}/{source}")));
            total.add(&s);
            if source.starts_with("source") {
                sources.add(&s);
            } else {
                variants.add(&s);
            }
            let format = source.rsplit('.').next().unwrap_or("");
            by_format.entry(format).or_default().add(&s);
            // Families describe the stored source's layout, not a variant's.
            if source.starts_with("source") {
                for f in &fams {
                    by_family.entry(f).or_default().add(&s);
                }
            }
        }
    }
    println!("== per document ==");
    for l in &report {
        println!("{l}");
    }
    println!("== per layout family (stored sources) ==");
    for (f, s) in &by_family {
        println!("{}  ({} docs)", s.line(f), s.docs);
    }
    println!("== per format ==");
    for (f, s) in &by_format {
        println!("{}  ({} docs)", s.line(f), s.docs);
    }
    println!(
        "{}  ({} docs)",
        sources.line("TOTAL stored sources"),
        sources.docs
    );
    println!(
        "{}  ({} docs)",
        variants.line("TOTAL office variants"),
        variants.docs
    );
    println!("{}  ({} docs)", total.line("TOTAL"), total.docs);

    if sources.docs == 0 {
        panic!("no real documents found under {}", root.display());
    }
    assert!(
        refused_tables.is_empty(),
        "documents with a table of units were refused: {refused_tables:?}"
    );
    // The stored sources are the measure: the variants are generated from
    // the gold and would flatter the score. The issue asks for 0.97 unit
    // F1 and 0.95 lead accuracy; the floors below are the levels honestly
    // reached (see the printed report for the gap).
    assert!(
        sources.f1() >= F1_FLOOR,
        "unit F1 {:.3} < {F1_FLOOR}",
        sources.f1()
    );
    assert!(
        sources.lead_accuracy() >= LEAD_FLOOR,
        "lead accuracy {:.3} < {LEAD_FLOOR}",
        sources.lead_accuracy()
    );
    assert!(
        variants.docs == 0 || variants.f1() >= VARIANT_F1_FLOOR,
        "office variants unit F1 {:.3} < {VARIANT_F1_FLOOR}",
        variants.f1()
    );
}

const F1_FLOOR: f64 = 0.97;
const LEAD_FLOOR: f64 = 0.95;
/// The office variants carry the same units as the gold in clean cells.
const VARIANT_F1_FLOOR: f64 = 0.97;
