//! Tables flattened to text, rebuilt into tables.
//!
//! A 任务分工表 copied from a web page, extracted from Word or PDF, or
//! converted by a tool arrives as lines: one cell per line, cells split by
//! lone `|` lines, a whole row on one line with cells separated by spaces
//! or pipes, or a whole table on one line. Read as prose, such a table
//! yields nothing (its units sit in lines of their own, with no 牵头 word),
//! which is why this step exists.
//!
//! The rebuild works on the stream of cell pieces after a header row:
//! 1. the header is a run of header words (see [`table::HEADER_VOCABULARY`]),
//!    one per line or several on one line;
//! 2. each piece is classified (row number, units, deadline, person, none,
//!    text, section heading);
//! 3. rows are cut where the next row number comes, where a section
//!    heading comes, or where a piece fits no column after the current one
//!    (text after the unit column starts the next row);
//! 4. within a row, pieces are aligned to the columns by dynamic
//!    programming on how well each kind fits each column role, so a cell
//!    may span several lines and an empty cell may be missing altogether;
//! 5. a merged cell shown only on the first row of its group (a group or
//!    lead column left of the task) is carried down to the rows below.

use super::Block;
use crate::assign;
use crate::deadline;
use crate::normalize::normalize_text;
use crate::structure::heading_level;
use crate::table::{header_role, ColumnRole, Layout};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Seq(u32),
    Heading,
    Units,
    Deadline,
    None,
    Person,
    Text,
    /// A labelled remark under a cell (`省牵头单位：省农业农村厅`): who
    /// leads at another level, not a unit of this row.
    Note,
}

#[derive(Debug, Clone)]
struct Piece {
    text: String,
    kind: Kind,
    block: usize,
}

/// Rebuilds flattened tables among the paragraphs. Tables already read as
/// tables, and paragraphs that are not part of a table, pass through.
pub fn rebuild(blocks: Vec<Block>) -> Vec<Block> {
    // Where a paragraph opens with a header word; usually nowhere.
    let starts: Vec<usize> = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| match b {
            Block::Paragraph { text, .. } => {
                first_cell(text).is_some_and(|c| header_role(&c).is_some())
            }
            _ => false,
        })
        .map(|(i, _)| i)
        .collect();
    if starts.is_empty() {
        return blocks;
    }
    let mut out = Vec::with_capacity(blocks.len());
    let mut i = 0;
    let mut next = starts.iter().copied().peekable();
    while i < blocks.len() {
        while next.peek().is_some_and(|&s| s < i) {
            next.next();
        }
        if next.peek() == Some(&i) {
            if let Some((rows, used)) = table_at(&blocks[i..]) {
                let line = match &blocks[i] {
                    Block::Paragraph { line, .. } | Block::Table { line, .. } => *line,
                };
                out.push(Block::Table { rows, line });
                i += used;
                continue;
            }
        }
        out.push(blocks[i].clone());
        i += 1;
    }
    out
}

/// The first cell of a paragraph, normalised, if it is short enough to be
/// a header word. Runs for every paragraph, so only the first word is
/// normalised.
fn first_cell(text: &str) -> Option<String> {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || is_separator_char(c));
    // Header words are short: look no further than 20 characters.
    let head = match t.char_indices().nth(20) {
        Some((i, _)) => &t[..i],
        None => t,
    };
    let end = match head.find(|c: char| c.is_whitespace() || is_separator_char(c)) {
        Some(e) => e,
        // The whole line is one word, if it is short.
        None if head.len() == t.len() => t.len(),
        None => return None,
    };
    let word = &t[..end];
    if word.is_empty() || word.chars().count() > 14 {
        return None;
    }
    Some(normalize_text(word))
}

fn is_separator_char(c: char) -> bool {
    matches!(c, '|' | '｜' | '│')
}

/// Splits a line into cells: on pipes, on tabs and runs of two or more
/// spaces, and on a single space between two words of two characters or
/// more (a single space inside `钱 宇` is part of a name).
fn split_cells(line: &str) -> Vec<String> {
    split_cells_n(line, usize::MAX)
}

/// The first `limit` cells of a line; only those are normalised, which
/// keeps the header test cheap on long paragraphs.
fn split_cells_n(line: &str, limit: usize) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    'parts: for part in line.split(is_separator_char) {
        let words = part
            .split(|c: char| c.is_whitespace() && c != '\u{3000}' && c != ' ')
            .flat_map(|w| w.split("  "))
            .flat_map(|w| w.split('\u{3000}'))
            .map(str::trim)
            .filter(|w| !w.is_empty());
        for w in words {
            let tokens: Vec<&str> = w.split(' ').filter(|t| !t.is_empty()).collect();
            let mut current = String::new();
            for (k, t) in tokens.iter().enumerate() {
                if k > 0 {
                    let prev = tokens[k - 1];
                    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '.');
                    let split = (prev.chars().count() >= 2 && t.chars().count() >= 2)
                        || digits(prev)
                        || digits(t);
                    if split {
                        raw.push(std::mem::take(&mut current));
                        if raw.len() >= limit {
                            break 'parts;
                        }
                    }
                }
                current.push_str(t);
            }
            if !current.is_empty() {
                raw.push(current);
                if raw.len() >= limit {
                    break 'parts;
                }
            }
        }
    }
    raw.iter()
        .map(|c| normalize_text(c))
        .filter(|c| !c.trim().is_empty())
        .collect()
}

fn all_han(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A row number: `1`, `1.`, `（1）`, `1*`.
fn seq_number(s: &str) -> Option<u32> {
    let t = s
        .trim()
        .trim_start_matches('（')
        .trim_end_matches(['.', '、', '）', '*', '＊']);
    (!t.is_empty() && t.len() <= 3 && t.chars().all(|c| c.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}

fn classify(s: &str) -> Kind {
    if let Some(n) = seq_number(s) {
        return Kind::Seq(n);
    }
    if crate::table::is_none_cell(s) {
        return Kind::None;
    }
    let t = s.trim_start_matches(['★', '☆', '*', '▲']);
    if matches!(heading_level(t), Some(0 | 1))
        && t.chars().count() <= 60
        && !assign::is_unit_list(t)
    {
        return Kind::Heading;
    }
    if is_note(t) {
        return Kind::Note;
    }
    if t.chars().count() <= 16 && !deadline::extract(t, None, true).is_empty()
        || t.chars().count() <= 24 && deadline::looks_like_deadline(t)
    {
        return Kind::Deadline;
    }
    if assign::is_unit_list(t) {
        return Kind::Units;
    }
    let n = t.chars().count();
    if (2..=4).contains(&n) && all_han(t) {
        return Kind::Person;
    }
    Kind::Text
}

/// `省牵头单位：省农业农村厅`, `责任领导：张三`: a label naming units or
/// people, then the names.
fn is_note(t: &str) -> bool {
    let Some(colon) = t.find(['：', ':']) else {
        return false;
    };
    let label = &t[..colon];
    let n = label.chars().count();
    (2..=10).contains(&n)
        && all_han(label)
        && ["单位", "部门", "领导", "人"]
            .iter()
            .any(|e| label.ends_with(e))
}

/// How well a piece of a kind fits a column of a role.
fn fit(kind: Kind, role: Option<ColumnRole>) -> f32 {
    use ColumnRole::*;
    let unit_col = matches!(role, Some(Lead | Main | Responsible | Co));
    match kind {
        Kind::Seq(_) => match role {
            Some(Seq) => 5.0,
            Some(Ignore) | None => 0.0,
            _ => -5.0,
        },
        Kind::Units => match role {
            _ if unit_col => 3.0,
            Some(Group) => 1.0,
            Some(Ignore) | None => 0.5,
            Some(Task | Extra) => -1.0,
            _ => -3.0,
        },
        Kind::Deadline => match role {
            Some(Deadline) => 3.0,
            Some(Task | Extra | Ignore) | None => -0.5,
            _ => -3.0,
        },
        Kind::None => match role {
            Some(Seq) => -1.0,
            Some(Task) => -2.0,
            _ => 0.5,
        },
        Kind::Person => match role {
            Some(Ignore) | None => 2.0,
            Some(Task | Extra | Group) => -0.5,
            _ if unit_col => -2.0,
            _ => -2.0,
        },
        Kind::Note => -1.0,
        Kind::Text | Kind::Heading => match role {
            Some(Task) => 2.0,
            Some(Extra) => 1.5,
            Some(Group) => 1.0,
            Some(Ignore) | None => 0.5,
            Some(Deadline) => 0.2,
            _ => -3.0,
        },
    }
}

fn empty_penalty(role: Option<ColumnRole>) -> f32 {
    match role {
        Some(ColumnRole::Task) => -3.0,
        Some(ColumnRole::Lead) => -0.6,
        Some(ColumnRole::Seq) => -0.5,
        _ => -0.3,
    }
}

/// Aligns a row's pieces to the columns, in order, each column taking a
/// possibly empty run of pieces, maximising the total fit.
fn align(pieces: &[&Piece], roles: &[Option<ColumnRole>]) -> Vec<Vec<String>> {
    let (m, k) = (pieces.len(), roles.len());
    let neg = f32::NEG_INFINITY;
    let mut dp = vec![vec![neg; m + 1]; k + 1];
    let mut back = vec![vec![0usize; m + 1]; k + 1];
    dp[0][0] = 0.0;
    for j in 0..k {
        for i in 0..=m {
            if dp[j][i] == neg {
                continue;
            }
            let mut acc = empty_penalty(roles[j]);
            for i2 in i..=m {
                if i2 > i {
                    if i2 == i + 1 {
                        acc = 0.0;
                    }
                    acc += fit(pieces[i2 - 1].kind, roles[j]);
                    // A lead cell rarely holds many lines.
                    if i2 > i + 1 && roles[j] == Some(ColumnRole::Lead) {
                        acc -= 0.1;
                    }
                }
                let v = dp[j][i] + acc;
                if v > dp[j + 1][i2] {
                    dp[j + 1][i2] = v;
                    back[j + 1][i2] = i;
                }
            }
        }
    }
    let mut cells = vec![Vec::new(); k];
    let mut i = m;
    for j in (1..=k).rev() {
        let from = back[j][i];
        cells[j - 1] = pieces[from..i].iter().map(|p| p.text.clone()).collect();
        i = from;
    }
    cells
}

/// Pieces of the blocks from `blocks[0]` on; lines of one or two
/// characters in a run (a narrow column's text broken character by
/// character: `市` / `监察` / `局`) are glued back together.
fn pieces(blocks: &[Block], limit: usize) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut glue: Vec<(String, usize)> = Vec::new();
    let flush = |glue: &mut Vec<(String, usize)>, out: &mut Vec<Piece>| {
        if glue.is_empty() {
            return;
        }
        let block = glue[0].1;
        let text: String = glue.iter().map(|(t, _)| t.as_str()).collect();
        glue.clear();
        out.push(Piece {
            kind: classify(&text),
            text,
            block,
        });
    };
    for (b, block) in blocks.iter().enumerate().take(limit) {
        let Block::Paragraph { text, .. } = block else {
            break;
        };
        let cells = split_cells(text);
        // Only lines without inner spaces: `王 嵘` is a name, not a fragment.
        let single =
            cells.len() == 1 && all_han(&cells[0]) && !text.trim().contains(char::is_whitespace);
        let n = cells.first().map_or(0, |c| c.chars().count());
        if single && n <= 2 {
            glue.push((cells[0].clone(), b));
            continue;
        }
        // The last line of a broken name may be a little longer (`区管委会`).
        if single && n <= 5 && glue.len() >= 2 {
            glue.push((cells[0].clone(), b));
            flush(&mut glue, &mut out);
            continue;
        }
        if glue.len() == 1 {
            let (t, gb) = glue.remove(0);
            out.push(Piece {
                kind: classify(&t),
                text: t,
                block: gb,
            });
        }
        flush(&mut glue, &mut out);
        for c in cells {
            out.push(Piece {
                kind: classify(&c),
                text: c,
                block: b,
            });
        }
    }
    if glue.len() == 1 {
        let (t, gb) = glue.remove(0);
        out.push(Piece {
            kind: classify(&t),
            text: t,
            block: gb,
        });
    }
    flush(&mut glue, &mut out);
    out
}

/// Reads the header at the start of `blocks`: header words, one or more
/// per line; a header cell broken over two lines (`主` / `要内容`,
/// `市政府` / `分管领导`) is joined. Returns the header cells and how many
/// raw cells it used.
fn header(cells: &[String]) -> Option<(Vec<String>, usize)> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cells.len() && out.len() < 16 {
        let c = &cells[i];
        // A caption (`2022年重点工作及责任清单`) is not a header cell.
        let caption = ["表", "清单", "方案", "计划", "目录"]
            .iter()
            .any(|e| c.ends_with(e))
            // `责任单位：市发改局` is a labelled line, not a header cell.
            || c.trim_end_matches(['：', ':']).contains(['：', ':']);
        if header_role(c).is_some() && !caption && heading_level(c).is_none() {
            out.push(c.clone());
            i += 1;
            continue;
        }
        if c.chars().count() <= 3 && all_han(c) {
            if let Some(next) = cells.get(i + 1) {
                let joined = format!("{c}{next}");
                if header_role(&joined).is_some() {
                    out.push(joined);
                    i += 2;
                    continue;
                }
            }
        }
        // A header word the vocabulary does not know (`民生实事`, `落实情况`)
        // between known ones, or last before the first row number.
        let next_known = cells
            .get(i + 1)
            .is_some_and(|n| header_role(n).is_some() || seq_number(n).is_some());
        if !out.is_empty()
            && next_known
            && (2..=8).contains(&c.chars().count())
            && all_han(c)
            && !assign::is_unit_list(c)
        {
            out.push(c.clone());
            i += 1;
            continue;
        }
        break;
    }
    (out.len() >= 2).then_some((out, i))
}

/// A rebuilt table (header row first) and how many blocks it used.
type Rebuilt = (Vec<Vec<String>>, usize);

/// Tries to read a flattened table starting at `blocks[0]`. Returns its
/// rows (header first) and how many blocks it used.
fn table_at(blocks: &[Block]) -> Option<Rebuilt> {
    // Most tables end within a few hundred lines: read that far first, and
    // the rest of the document only when the table runs on to the end.
    const FIRST_PASS: usize = 300;
    let run = blocks
        .iter()
        .take_while(|b| matches!(b, Block::Paragraph { .. }))
        .count();
    if run > FIRST_PASS {
        let (found, exhausted) = table_within(blocks, FIRST_PASS);
        if !exhausted {
            return found;
        }
    }
    table_within(blocks, run).0
}

/// Reads a table from the first `limit` blocks. The flag says whether the
/// rows ran to the limit (so a longer look might read more).
fn table_within(blocks: &[Block], limit: usize) -> (Option<Rebuilt>, bool) {
    match table_inner(&blocks[..limit.min(blocks.len())]) {
        Some((rows, used, exhausted)) => (Some((rows, used)), exhausted),
        None => (None, false),
    }
}

fn table_inner(blocks: &[Block]) -> Option<(Vec<Vec<String>>, usize, bool)> {
    // Cheap test first (this runs wherever a paragraph opens with a header
    // word, which prose does too): the second or third cell must be a
    // header word too, or join the first into one.
    let mut early: Vec<String> = Vec::new();
    for block in blocks.iter().take(3) {
        let Block::Paragraph { text, .. } = block else {
            break;
        };
        if early.is_empty() {
            early.extend(split_cells_n(text, 3));
        } else {
            early.extend(first_cell(text));
        }
        if early.len() >= 3 {
            break;
        }
    }
    if early.first().is_none_or(|c| heading_level(c).is_some()) {
        return None;
    }
    let joined = early.len() >= 2 && header_role(&format!("{}{}", early[0], early[1])).is_some();
    if !joined
        && !early
            .iter()
            .skip(1)
            .take(2)
            .any(|c| header_role(c).is_some())
    {
        return None;
    }
    // The header: raw cells of the first lines.
    let mut head_cells: Vec<(String, usize)> = Vec::new();
    for (b, block) in blocks.iter().enumerate().take(24) {
        let Block::Paragraph { text, .. } = block else {
            break;
        };
        let room = 24 - head_cells.len();
        head_cells.extend(split_cells_n(text, room).into_iter().map(|c| (c, b)));
        if head_cells.len() >= 24 {
            break;
        }
    }
    let raw: Vec<String> = head_cells.iter().map(|(c, _)| c.clone()).collect();
    let (header_cells, used) = header(&raw)?;
    let roles: Vec<Option<ColumnRole>> = header_cells.iter().map(|c| header_role(c)).collect();
    let layout = Layout::from_roles(roles.clone())?;
    if header_cells.len() < 3 {
        return None;
    }
    // Where data starts: the block of the first cell after the header, and
    // how many of that block's cells were header.
    let (start_block, skip_in_block) = match head_cells.get(used) {
        Some(&(_, b)) => (
            b,
            head_cells[..used].iter().filter(|(_, hb)| *hb == b).count(),
        ),
        None => (head_cells.last().map_or(0, |(_, b)| b + 1), 0),
    };
    let limit = blocks
        .iter()
        .take_while(|b| matches!(b, Block::Paragraph { .. }))
        .count();
    let mut all = pieces(&blocks[start_block..], limit.saturating_sub(start_block));
    for p in &mut all {
        p.block += start_block;
    }
    // Drop the header cells that share the first data block.
    let mut dropped = 0;
    all.retain(|p| {
        if p.block == start_block && dropped < skip_in_block {
            dropped += 1;
            false
        } else {
            true
        }
    });
    let header_norm: Vec<String> = header_cells.clone();

    let k = roles.len();
    let task_col = layout.task;
    let unit_cols: Vec<usize> = (0..k).filter(|&j| layout.is_unit_column(j)).collect();
    let left_unit_col = unit_cols.first().is_some_and(|&j| j < task_col);
    // Columns where a piece of a kind can go (positive fit).
    let fits =
        |kind: Kind| -> Vec<usize> { (0..k).filter(|&j| fit(kind, roles[j]) > 0.3).collect() };

    struct Row<'a> {
        pieces: Vec<&'a Piece>,
        heading: Option<String>,
        has_seq: bool,
        has_units: bool,
    }
    fn close<'a>(current: &mut Vec<&'a Piece>, rows: &mut Vec<Row<'a>>) {
        if current.is_empty() {
            return;
        }
        let has_seq = current.iter().any(|p| matches!(p.kind, Kind::Seq(_)));
        let has_units = current.iter().any(|p| p.kind == Kind::Units);
        rows.push(Row {
            pieces: std::mem::take(current),
            heading: None,
            has_seq,
            has_units,
        });
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut current: Vec<&Piece> = Vec::new();
    let mut cur_col: Option<usize> = None;
    let mut expected = 1u32;
    let mut unitless_run = 0;
    let mut seen_rows = 0;
    let mut idx = 0;
    let mut exhausted = true;
    while idx < all.len() {
        let p = &all[idx];
        idx += 1;
        if header_norm.contains(&p.text) {
            continue; // a header repeated at a page or section break
        }
        match p.kind {
            Kind::Note => {} // a remark: not part of the row
            Kind::Seq(n) if layout.seq.is_some() && (n == expected || n == 1) => {
                close(&mut current, &mut rows);
                expected = n + 1;
                cur_col = layout.seq;
                current.push(p);
            }
            Kind::Heading => {
                close(&mut current, &mut rows);
                let mut text = p.text.clone();
                // A bare marker line (`（一）`) and its text on the next line.
                if text.chars().count() <= 5 {
                    if let Some(next) = all.get(idx).filter(|n| n.kind == Kind::Text) {
                        text.push_str(&next.text);
                        idx += 1;
                    }
                }
                rows.push(Row {
                    pieces: vec![],
                    heading: Some(text),
                    has_seq: false,
                    has_units: false,
                });
                cur_col = None;
            }
            Kind::Units
                if left_unit_col
                    && current
                        .iter()
                        .skip_while(|q| q.kind != Kind::Text)
                        .any(|q| q.kind == Kind::Units)
                    && all.get(idx).is_some_and(|n| n.kind == Kind::Text) =>
            {
                // Units followed by a task, in a table whose unit column
                // stands left of the task (a group's lead, shown once):
                // the first cell of the next row.
                close(&mut current, &mut rows);
                cur_col = fits(Kind::Units).first().copied();
                current.push(p);
            }
            kind => {
                let cols = fits(kind);
                // The best-fitting column from the current one on.
                let from = cur_col.unwrap_or(0);
                let next = cols.iter().copied().filter(|&j| j >= from).fold(
                    None,
                    |best: Option<usize>, j| match best {
                        Some(b) if fit(kind, roles[b]) >= fit(kind, roles[j]) => Some(b),
                        _ => Some(j),
                    },
                );
                let row_done = current.iter().any(|q| q.kind == Kind::Units)
                    || current.iter().any(|q| matches!(q.kind, Kind::Text));
                match next {
                    Some(j) => {
                        cur_col = Some(j);
                        current.push(p);
                    }
                    None if row_done => {
                        close(&mut current, &mut rows);
                        cur_col = cols.first().copied();
                        current.push(p);
                    }
                    None => current.push(p),
                }
            }
        }
        if rows.len() > seen_rows {
            seen_rows = rows.len();
            if let Some(last) = rows.last().filter(|r| r.heading.is_none()) {
                unitless_run = if last.has_units { 0 } else { unitless_run + 1 };
            }
        }
        if unitless_run >= 3 || current.len() > 200 {
            exhausted = false;
            break;
        }
        // A new plan or attachment ends the table (checked once a block).
        let new_block = idx < 2 || all.get(idx - 2).is_none_or(|q| q.block != p.block);
        if let (true, Some(Block::Paragraph { text, .. })) = (new_block, blocks.get(p.block)) {
            let t = normalize_text(text);
            if crate::structure::is_plan_title(&t)
                || crate::structure::attachment_number(&t).is_some()
            {
                exhausted = false;
                break;
            }
        }
    }
    close(&mut current, &mut rows);

    // The table ends at the last row with units of its own.
    let last = rows.iter().rposition(|r| r.has_units)?;
    let end_block = rows[last]
        .pieces
        .last()
        .map(|p| p.block)
        .unwrap_or(start_block);
    let mut out = vec![header_cells.clone()];
    let mut prev: Option<Vec<String>> = None;
    for row in rows.into_iter().take(last + 1) {
        if let Some(h) = row.heading {
            out.push(vec![h; k]);
            prev = None;
            continue;
        }
        let cells = align(&row.pieces, &roles);
        let mut cells: Vec<String> = cells.into_iter().map(|c| c.join("\n")).collect();
        if let Some(p) = &prev {
            // Merged cells shown only on the first row of their group: the
            // columns left of the task, and the units of a row that has none.
            for j in 0..task_col {
                if Some(j) != layout.seq && cells[j].is_empty() {
                    cells[j] = p[j].clone();
                }
            }
            if !row.has_units && !row.has_seq && !cells[task_col].is_empty() {
                for &j in &unit_cols {
                    if cells[j].is_empty() {
                        cells[j] = p[j].clone();
                    }
                }
            }
        }
        prev = Some(cells.clone());
        out.push(cells);
    }
    let has_task_rows = out.len() > 1;
    has_task_rows.then_some((out, end_block + 1, exhausted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str) -> Vec<Block> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| Block::Paragraph {
                text: l.to_string(),
                line: i + 1,
            })
            .collect()
    }

    fn table(text: &str) -> Vec<Vec<String>> {
        let out = rebuild(paras(text));
        out.into_iter()
            .find_map(|b| match b {
                Block::Table { rows, .. } => Some(rows),
                _ => None,
            })
            .expect("a table")
    }

    #[test]
    fn one_cell_per_line_with_multi_line_units_and_headings() {
        let rows = table(
            "序号\n重点任务\n牵头单位\n配合单位\n完成时限\n一、产业发展\n1\n推进园区建设。\n市发改委\n市财政局\n市自然资源局\n2025年12月底前\n2\n培育龙头企业。\n市工信局\n/\n持续推进\n三、保障措施\n加强组织领导。",
        );
        assert_eq!(
            rows[0],
            vec!["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
        );
        assert_eq!(rows[1][0], "一、产业发展");
        assert_eq!(rows[2][1], "推进园区建设。");
        assert_eq!(rows[2][2], "市发改委");
        assert_eq!(rows[2][3], "市财政局\n市自然资源局");
        assert_eq!(rows[2][4], "2025年12月底前");
        assert_eq!(rows[3][3], "/");
        assert_eq!(rows.len(), 4);
    }

    #[test]
    fn whole_rows_on_one_line_and_pipes() {
        let rows = table("序号 重点任务 责任单位 完成时限\n1 推进数字政府建设 市数据局、市发改委 2025年底\n2 建设城市大脑 市数据局 持续推进");
        assert_eq!(
            rows[1],
            vec!["1", "推进数字政府建设", "市数据局、市发改委", "2025年底"]
        );
        let rows = table("序号 | 重点任务 | 责任领导 | 责任单位 |\n1 | 推进项目建设 | 张三 | 县发改局 各乡镇政府 |");
        assert_eq!(rows[1][1], "推进项目建设");
        assert_eq!(rows[1][2], "张三");
        assert_eq!(rows[1][3], "县发改局\n各乡镇政府");
    }

    #[test]
    fn merged_group_column_carried_down() {
        let rows = table("牵头单位\n目标任务\n责任单位\n市\n发改\n委\n推进项目建设\n市财政局\n加快产业发展\n市工信局");
        assert_eq!(rows[1][0], "市发改委");
        assert_eq!(rows[2][0], "市发改委");
        assert_eq!(rows[2][1], "加快产业发展");
    }

    #[test]
    fn broken_headers_notes_and_half_rows() {
        // `主` / `要内容` is one header cell; `市政府` / `分管领导` too.
        let rows = table("序号\n项目名称\n主\n要内容\n市政府\n分管领导\n责任单位\n完成时限\n1\n更新改造设施\n提标改造70个小区。\n王 东\n市住建局\n年底前");
        assert_eq!(
            rows[0],
            vec![
                "序号",
                "项目名称",
                "主要内容",
                "市政府分管领导",
                "责任单位",
                "完成时限"
            ]
        );
        assert_eq!(rows[1][3], "王东");
        assert_eq!(rows[1][4], "市住建局");
        // A labelled remark under the units is not a unit; a half row (a
        // second action in the same cell) keeps the row's units.
        let rows = table("序号\n重点任务\n责任单位\n完成时限\n1\n开工建设养护楼。\n县民政局\n省牵头单位：省民政厅\n5月底前\n开工建设老年大学。\n12月底前\n2\n新建天桥。\n县住建局\n9月投入使用");
        assert_eq!(rows[1][2], "县民政局");
        assert_eq!(rows[2][1], "开工建设老年大学。");
        assert_eq!(rows[2][2], "县民政局");
        assert_eq!(rows[3][3], "9月投入使用");
    }

    #[test]
    fn prose_is_not_a_table() {
        let blocks = paras("一、总体要求\n牵头单位要加强统筹。\n各地要抓好落实。");
        assert_eq!(rebuild(blocks.clone()), blocks);
    }
}
