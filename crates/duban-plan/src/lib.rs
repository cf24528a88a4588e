//! duban-plan: bytes of a government plan document in, a [`Plan`] out.
//!
//! The stages are plain functions over owned data, in data-flow order:
//! [`read`](crate::read) (format and encoding) → [`normalize`] (one spelling
//! per character, page-break repair) → [`structure`] (header, plans,
//! headings) → [`extract`] (tasks, assignments, deadlines, targets, task
//! forces) → unit summary. No I/O, no global state.

pub mod assign;
pub mod deadline;
pub mod error;
mod extract;
pub mod model;
pub mod normalize;
mod read;
pub mod structure;
pub mod table;
pub mod target;
pub mod taskforce;
pub mod units;

pub use error::{ParseError, MAX_INPUT_BYTES};
pub use model::*;

use extract::Node;
use read::Block;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Parses a plan document. `file_name` is reported in the output and used
/// only to break format ties (`.md`); the bytes decide everything else.
pub fn parse(bytes: &[u8], file_name: &str) -> Result<Plan, ParseError> {
    let raw = read::read(bytes, file_name)?;
    // Only text and pdf lines can be cut by a page or line break; docx,
    // html and markdown paragraphs are real paragraphs.
    let rejoin = matches!(raw.format, read::Format::Text | read::Format::Pdf);
    let nodes = normalise(raw.blocks, rejoin);
    let mut warnings: Vec<Warning> = raw
        .rebuilt_tables
        .iter()
        .map(|&line| Warning {
            line: Some(line),
            message: "此处的表格是从逐行文字还原的（原表格被压平成了文字），请在导入预览中核对各列。/ This table was rebuilt from flattened text; check its columns in the import preview.".into(),
        })
        .collect();

    let view: Vec<(String, usize)> = nodes
        .iter()
        .map(|n| match n {
            Node::Para { text, line } => (text.clone(), *line),
            Node::Table { line, .. } => (String::new(), *line),
        })
        .collect();
    let mut starts = structure::segment_plans(&view, &mut warnings);
    let header_end = starts.first().map_or(view.len().min(20), |s| s.index);
    let mut document = structure::header(
        &view[..header_end],
        starts.first().map(|s| s.entry.title.as_str()),
    );
    if document.year.is_none() {
        document.year = structure::first_year(&view);
    }
    if starts.is_empty() {
        warnings.push(Warning {
            line: None,
            message: "没有找到方案标题，全文按一个方案处理。/ No plan title found; the whole text is read as one plan.".into(),
        });
        starts.push(structure::PlanStart {
            index: usize::MAX,
            entry: PlanEntry {
                no: 0,
                title: document
                    .title
                    .clone()
                    .unwrap_or_else(|| "（未命名方案）".into()),
                kind: PlanKind::Implementation,
                attachment_line: true,
            },
        });
    }

    let mut tasks = Vec::new();
    let mut targets = Vec::new();
    let mut task_forces = Vec::new();
    for (k, start) in starts.iter().enumerate() {
        let from = start.index.wrapping_add(1).min(nodes.len());
        let to = starts.get(k + 1).map_or(nodes.len(), |s| s.index);
        let out = extract::plan(
            start.entry.no,
            &nodes[from..to.max(from)],
            document.year,
            &mut warnings,
        );
        tasks.extend(out.tasks);
        targets.extend(out.targets);
        task_forces.extend(out.task_forces);
    }
    if tasks.is_empty() {
        return Err(ParseError::NoTasks);
    }
    let units = summarise_units(&tasks, &task_forces, region_of(&document).as_deref());
    Ok(Plan {
        source: Source {
            file: file_name.to_string(),
            format: raw.format.name().to_string(),
            encoding: raw.encoding,
            sha256: hex(&Sha256::digest(bytes)),
            bytes: bytes.len(),
        },
        document,
        plans: starts.into_iter().map(|s| s.entry).collect(),
        tasks,
        targets,
        task_forces,
        units,
        warnings,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Normalises text, drops page furniture and re-joins lines a page or line
/// break cut in two.
fn normalise(blocks: Vec<Block>, rejoin: bool) -> Vec<Node> {
    let mut nodes: Vec<Node> = Vec::with_capacity(blocks.len());
    for block in blocks {
        match block {
            Block::Paragraph { text, line } => {
                let text = normalize::normalize_text(&text).trim().to_string();
                if text.is_empty() || normalize::is_page_number(&text) {
                    continue;
                }
                if let Some(Node::Para { text: prev, .. }) = nodes.last_mut() {
                    if rejoin && normalize::is_broken(prev, &text) {
                        prev.push_str(&text);
                        continue;
                    }
                }
                nodes.push(Node::Para { text, line });
            }
            Block::Table { rows, line } => {
                let rows = rows
                    .into_iter()
                    .map(|r| {
                        r.into_iter()
                            .map(|c| normalize::normalize_text(&c).trim().to_string())
                            .collect()
                    })
                    .collect();
                nodes.push(Node::Table { rows, line });
            }
        }
    }
    nodes
}

/// The issuing region (`汨罗市`) from the issuer (`汨罗市人民政府办公室`).
fn region_of(header: &DocumentHeader) -> Option<String> {
    let issuer = header.issuer.as_deref().or(header.title.as_deref())?;
    let end = issuer
        .char_indices()
        .take(8)
        .find(|(_, c)| matches!(c, '省' | '市' | '县' | '区' | '州' | '旗'))?;
    Some(issuer[..end.0 + end.1.len_utf8()].to_string())
}

fn summarise_units(tasks: &[Task], forces: &[TaskForce], region: Option<&str>) -> Vec<UnitSummary> {
    #[derive(Default)]
    struct Counts {
        lead: usize,
        co: usize,
        other: usize,
        first_seen: usize,
    }
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut order = 0;
    let mut touch = |name: &str, f: &mut dyn FnMut(&mut Counts)| {
        let c = counts.entry(name.to_string()).or_insert_with(|| {
            order += 1;
            Counts {
                first_seen: order,
                ..Default::default()
            }
        });
        f(c);
    };
    for t in tasks {
        for u in &t.lead_units {
            touch(u, &mut |c| c.lead += 1);
        }
        for u in &t.co_units {
            touch(u, &mut |c| c.co += 1);
        }
    }
    for f in forces {
        for u in f.members.iter().chain(f.office.iter()) {
            touch(u, &mut |c| c.other += 1);
        }
    }
    let mut names: Vec<(String, Counts)> = counts.into_iter().collect();
    names.sort_by(|a, b| {
        (b.1.lead + b.1.co)
            .cmp(&(a.1.lead + a.1.co))
            .then(a.1.first_seen.cmp(&b.1.first_seen))
    });
    let uses: Vec<(String, usize)> = names
        .iter()
        .filter(|(n, _)| units::unit_kind(n, region) != UnitKind::Group)
        .map(|(n, c)| (n.clone(), c.lead + c.co + c.other))
        .collect();
    let suggestions = units::suggest_aliases(&uses);
    names
        .into_iter()
        .map(|(name, c)| {
            let suspected_alias_of = uses
                .iter()
                .position(|(n, _)| *n == name)
                .and_then(|i| suggestions[i].clone());
            UnitSummary {
                kind: units::unit_kind(&name, region),
                name,
                lead_count: c.lead,
                co_count: c.co,
                suspected_alias_of,
            }
        })
        .collect()
}
