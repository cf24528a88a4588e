//! Unit assignments: who leads (牵头) and who co-owns (责任/配合) a task.
//!
//! Government documents write assignments in many layouts; all of them are
//! reduced here to one grammar: an optional lead part, ended by `牵头`, and
//! a co part, ended by a closing phrase such as `按职能分工负责`. Labelled
//! forms (`牵头单位：A；配合单位：B`) are read by their labels.

use crate::units::is_unit_like;
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assignment {
    /// Byte range of the assignment in the text it was found in.
    pub start: usize,
    pub end: usize,
    pub leads: Vec<String>,
    pub cos: Vec<String>,
    pub lead_inferred: bool,
    /// A deadline written inside the assignment (`2025年6月底前完成`).
    pub deadline_text: Option<String>,
}

const OPEN: &[char] = &['（', '〔', '【', '[', '<', '〈'];
const CLOSE: &[char] = &['）', '〕', '】', ']', '>', '〉'];
/// Openers that are also operators (`<5%`): a group only when closed on
/// the same line.
const ANGLE: &[(char, char)] = &[('<', '>'), ('〈', '〉')];

/// Labels of the labelled layout, with the role they give.
const LABELS: &[(&str, Role)] = &[
    ("牵头单位", Role::Lead),
    ("牵头部门", Role::Lead),
    ("牵头责任单位", Role::Lead),
    ("牵头负责单位", Role::Lead),
    ("牵头协调部门", Role::Lead),
    ("牵头协调单位", Role::Lead),
    ("主责单位", Role::Lead),
    ("主要责任单位", Role::Lead),
    ("主办单位", Role::Main),
    ("责任单位", Role::Co),
    ("责任部门", Role::Co),
    ("配合单位", Role::Co),
    ("配合部门", Role::Co),
    ("协办单位", Role::Co),
    ("参与单位", Role::Co),
    ("协同单位", Role::Co),
    ("协同部门", Role::Co),
    ("协同责任单位", Role::Co),
    ("协同配合单位", Role::Co),
    ("配合责任单位", Role::Co),
    ("完成时限", Role::Deadline),
    ("完成时间", Role::Deadline),
    ("时间节点", Role::Deadline),
    // People, never units: the label is read so its names are skipped.
    ("牵头领导", Role::Person),
    ("牵头负责领导", Role::Person),
    ("责任领导", Role::Person),
    ("分管领导", Role::Person),
    ("牵头市领导", Role::Person),
    ("牵头省领导", Role::Person),
    ("牵头县领导", Role::Person),
    ("牵头区领导", Role::Person),
    ("责任人", Role::Person),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Lead,
    /// 主办单位: the lead unless a 牵头 label names one, then a co-unit.
    Main,
    Co,
    Deadline,
    Person,
}

/// Verbs that make the units before them leads.
const LEAD_VERBS: &[&str] = &["总牵头", "牵头", "主办"];

/// Phrases that close a unit list or mark a role; never part of a name.
/// Longest first, so that `按职能分工负责` goes before `负责`.
const ROLE_PHRASES: &[&str] = &[
    "按照职能职责分工负责",
    "按职能职责分工负责",
    "按照职责分工负责",
    "按照职能分工负责",
    "按职能分工负责",
    "按职责分工负责",
    "按职责分工落实",
    "按项目分工负责",
    "按职责负责",
    "按职能负责",
    "按分工负责",
    "各司其职",
    "分工负责",
    "配合单位",
    "责任单位",
    "协办单位",
    "参与单位",
    "分别牵头",
    "总牵头",
    "协办",
    "主办",
    "协同",
    "共同牵头",
    "牵头负责",
    "分别负责",
    "共同负责",
    "具体负责",
    "负责落实",
    "配合",
    "参与",
    "协助",
    "落实",
    "负责",
    "为",
    "牵头",
    "分别",
    "共同",
    "等相关单位",
    "等有关单位",
    "等相关部门",
    "等有关部门",
    "等单位",
    "等部门",
    "等",
];

const UNIT_DELIMITERS: &[char] = &['、', '，', ',', '；', ';', '\n', '/'];

/// Byte offset of the first assignment bracket in `text`, if any.
pub fn first_assignment_start(text: &str) -> Option<usize> {
    brackets(text)
        .into_iter()
        .find(|&(s, e)| parse_group(text, s, e).is_some())
        .map(|(s, _)| s)
}

/// Reads one bracket group: an assignment with role words, or a bare unit
/// list closing a sentence (`……。（市工信委、市财政局）`).
fn parse_group(text: &str, s: usize, e: usize) -> Option<Assignment> {
    let content = inner(text, s, e);
    parse_content(content).or_else(|| bare_list(text, s, e, content))
}

/// A bracket of unit names only, at the end of a sentence, is the task's
/// assignment: first unit leads (inferred), the rest co-own. A bracket right
/// after a unit name is an alias (`市数据局（市政务服务中心）`), and one
/// inside a sentence is an aside; neither is an assignment.
fn bare_list(text: &str, s: usize, e: usize, content: &str) -> Option<Assignment> {
    let after = text[e..].trim_start_matches([' ', '\t']);
    if !(after.is_empty() || after.starts_with(['。', '；', ';', '\n', '.', '，'])) {
        return None;
    }
    let before = text[..s].trim_end();
    let clause_start = before
        .rfind(['，', '。', '；', '\n', '、', '：', ':', '）'])
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    if is_unit_like(&before[clause_start..]) {
        return None;
    }
    let content = content.trim().trim_end_matches(['。', '.', ' ']);
    if content.is_empty() || content.chars().count() > 300 {
        return None;
    }
    let mut ignored = None;
    let mut units: Vec<(String, bool)> = Vec::new();
    for piece in split_top_level(content) {
        let (piece, marked) = match piece.strip_suffix("（牵头）") {
            Some(p) => (p, true),
            None => (piece, false),
        };
        let stripped = strip_role_phrases(piece);
        if stripped.is_empty() || is_leader_post(&stripped) {
            continue;
        }
        if is_deadline_piece(&stripped, &mut ignored) {
            continue;
        }
        let names = split_conjunctions(&stripped);
        if names.is_empty() {
            return None;
        }
        units.extend(names.into_iter().map(|n| (n, marked)));
    }
    if units.is_empty() {
        return None;
    }
    let mut a = Assignment {
        deadline_text: ignored,
        ..Default::default()
    };
    match units.iter().position(|(_, m)| *m) {
        Some(_) => {
            for (u, m) in units {
                if m {
                    a.leads.push(u);
                } else {
                    a.cos.push(u);
                }
            }
        }
        None => {
            let mut names = units.into_iter().map(|(u, _)| u);
            a.leads.extend(names.next());
            a.cos.extend(names);
            a.lead_inferred = !a.cos.is_empty();
        }
    }
    dedupe(&mut a.leads);
    dedupe(&mut a.cos);
    Some(a)
}

/// Marks after a unit name that make it the lead: `市发改局（牵头）`.
const LEAD_MARKS: &[&str] = &["（牵头）", "（牵头单位）", "（牵头部门）", "（主责）"];

/// Endings of leader posts (`分管副省长`, `县委书记`): people, never units.
const LEADER_ENDINGS: &[&str] = &[
    "省长",
    "市长",
    "县长",
    "区长",
    "州长",
    "旗长",
    "镇长",
    "乡长",
    "书记",
    "主任",
    "领导",
    "同志",
    "秘书长",
    "厅长",
    "局长",
    "部长",
    "主席",
];

/// A leader post or a person's role, which lists of units sometimes carry
/// (`分管副省长、省发展改革委`): skipped, never a unit.
pub fn is_leader_post(piece: &str) -> bool {
    piece.starts_with("分管")
        || (LEADER_ENDINGS.iter().any(|e| piece.ends_with(e)) && piece.chars().count() <= 12)
}

fn inner(text: &str, start: usize, end: usize) -> &str {
    let open_len = text[start..].chars().next().map_or(0, char::len_utf8);
    let close_len = text[..end]
        .chars()
        .next_back()
        .filter(|c| CLOSE.contains(c))
        .map_or(0, char::len_utf8);
    &text[start + open_len..end - close_len]
}

/// Outermost bracket groups as byte ranges. Opening and closing styles may
/// differ (`（…)` after folding is `（…）`, `〔…）` happens); an unclosed group
/// runs to the end of the text, which is how a truncated page reads.
fn brackets(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (i, c) in text.char_indices() {
        if let Some(&(_, close)) = ANGLE.iter().find(|(o, _)| *o == c) {
            let line_rest = &text[i..text[i..].find('\n').map_or(text.len(), |n| i + n)];
            if !line_rest.contains(close) {
                continue;
            }
        }
        if OPEN.contains(&c) {
            if depth == 0 {
                start = i;
            }
            depth += 1;
        } else if CLOSE.contains(&c) && depth > 0 {
            depth -= 1;
            if depth == 0 {
                out.push((start, i + c.len_utf8()));
            }
        } else if c == '\n' && depth > 0 && !text[start..i].contains(['牵', '负', '责']) {
            // A bracket left open on a line of prose is a typo, not a group.
            depth = 0;
        }
    }
    if depth > 0 {
        out.push((start, text.len()));
    }
    out
}

/// Every assignment in `text`, in order, adjacent fragments merged
/// (`牵头单位：A` on one line and `责任单位：B` on the next are one).
pub fn find_assignments(text: &str) -> Vec<Assignment> {
    let mut found: Vec<Assignment> = Vec::new();
    let groups = brackets(text);
    for &(s, e) in &groups {
        if let Some(mut a) = parse_group(text, s, e) {
            a.start = s;
            a.end = e;
            found.push(a);
        }
    }
    // Labelled lines outside brackets.
    let mut pos = 0;
    while pos < text.len() {
        let Some((at, label_len)) = next_label(&text[pos..]) else {
            break;
        };
        let start = pos + at;
        if groups.iter().any(|&(s, e)| start >= s && start < e) {
            pos = start + label_len;
            continue;
        }
        let rest = &text[start..];
        let end = start + rest.find(['\n', '。']).unwrap_or(rest.len());
        if let Some(mut a) = parse_content(&text[start..end]) {
            a.start = start;
            a.end = end;
            found.push(a);
        }
        pos = end.max(start + label_len);
    }
    // Bare sentences made only of units and role words:
    // `市市场监管局牵头，市公安局配合。`
    let mut start = 0;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '\n')))
    {
        if c != '\n' && c != '。' {
            continue;
        }
        let (s, e) = (start, i);
        start = i + c.len_utf8();
        let sentence = text[s..e].trim();
        let taken = |a: &Assignment| s < a.end && a.start < e;
        if sentence.is_empty()
            || found.iter().any(taken)
            || groups.iter().any(|&(gs, ge)| s < ge && gs < e)
        {
            continue;
        }
        let has_role = ["牵头", "负责", "配合"]
            .iter()
            .any(|k| sentence.contains(k));
        let offset = s + text[s..e].find(sentence).unwrap_or(0);
        if has_role && whole_is_assignment(sentence) {
            if let Some(mut a) = parse_content(sentence) {
                a.start = offset;
                a.end = a.start + sentence.len();
                found.push(a);
                continue;
            }
        }
        if has_role {
            if let Some((from, to, mut a)) = clause_assignment(sentence) {
                a.start = offset + from;
                a.end = offset + to;
                found.push(a);
            }
        }
    }
    found.sort_by_key(|a| a.start);
    merge_adjacent(text, found)
}

/// An assignment written as the clauses closing or opening a sentence:
/// `加强数据共享，市数据局牵头，各部门配合` or `由市发改局牵头，市财政局
/// 配合，在9月底前完成项目申报`. The run of clauses must be made only of
/// units, role words and deadlines, and name a role (`牵头`, `配合`, or
/// `由……负责`), so prose that merely mentions a unit is left alone.
fn clause_assignment(sentence: &str) -> Option<(usize, usize, Assignment)> {
    let cuts: Vec<usize> = split_top_level_positions(sentence);
    if cuts.is_empty() {
        return None;
    }
    let names_role = |run: &str| {
        (run.contains(['牵', '配', '参', '协'])
            && ["牵头", "配合", "参与", "协助", "协同"]
                .iter()
                .any(|k| run.contains(k)))
            || (run.starts_with('由') && run.contains("负责"))
    };
    // Closing clauses, longest run first.
    for &cut in &cuts {
        let run = sentence[cut..].trim();
        if names_role(run) && whole_is_assignment(run) {
            if let Some(a) = parse_content(run) {
                return Some((sentence.len() - run.len(), sentence.len(), a));
            }
        }
    }
    // Opening clauses after 由, longest run first.
    if sentence.starts_with('由') {
        for &cut in cuts.iter().rev() {
            let run = sentence[..cut].trim_end_matches(['，', ',', '；', ';']);
            if names_role(run) && whole_is_assignment(run) {
                if let Some(a) = parse_content(run) {
                    return Some((0, run.len(), a));
                }
            }
        }
    }
    None
}

/// Byte offsets just after each top-level clause delimiter (`，` `；`).
fn split_top_level_positions(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        if OPEN.contains(&c) {
            depth += 1;
        } else if CLOSE.contains(&c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && matches!(c, '，' | ',' | '；' | ';') {
            out.push(i + c.len_utf8());
        }
    }
    out
}

/// An item that opens with its unit's duty: `市发改局负责统筹……` or
/// `市发改局：负责……`. Only called for an item's own text when nothing
/// else assigned it, because in running prose the same words are a remark.
pub fn duty_sentence(text: &str) -> Option<Assignment> {
    let end = text.find(['。', '\n']).unwrap_or(text.len());
    let sentence = &text[..end];
    let at = sentence.find("负责")?;
    let head = sentence[..at].trim_end_matches(['：', ':', ' ', '，']);
    if head.is_empty() || head.chars().count() > 80 || !whole_is_assignment(head) {
        return None;
    }
    let mut ignored = None;
    let mut names = unit_list(head, &mut ignored).into_iter().map(|(u, _)| u);
    let mut a = Assignment {
        start: 0,
        end,
        ..Default::default()
    };
    a.leads.extend(names.next());
    if head.contains("牵头") {
        // `A、B牵头负责`: every unit before 牵头 leads.
        a.leads.extend(names);
    } else {
        a.cos.extend(names);
        a.lead_inferred = !a.cos.is_empty();
    }
    (!a.leads.is_empty()).then_some(a)
}

/// Every piece of the sentence is a unit, a role phrase or a deadline.
fn whole_is_assignment(sentence: &str) -> bool {
    let mut ignored = None;
    let mut units = 0;
    let clean = split_pieces(sentence).all(|piece| {
        let stripped = strip_role_phrases(piece);
        if stripped.is_empty()
            || is_leader_post(&stripped)
            || is_deadline_piece(&stripped, &mut ignored)
        {
            return true;
        }
        let names = split_conjunctions(&stripped);
        units += names.len();
        !names.is_empty()
    });
    clean && units > 0
}

/// The text with its assignments cut out: what a task says, without who
/// does it. Used to tell a reworded task from a reassigned one.
pub fn strip_assignments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for a in find_assignments(text) {
        out.push_str(&text[from..a.start]);
        from = a.end;
    }
    out.push_str(&text[from..]);
    out.trim().to_string()
}

static LABEL_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(LABELS.iter().map(|(l, _)| l))
        .expect("static patterns")
});

/// The first `label：` in `s`, as (offset, label length).
fn next_label(s: &str) -> Option<(usize, usize)> {
    LABEL_FINDER
        .find_iter(s)
        .find(|m| s[m.end()..].starts_with(['：', ':']))
        .map(|m| (m.start(), m.len()))
}

fn merge_adjacent(text: &str, found: Vec<Assignment>) -> Vec<Assignment> {
    let mut out: Vec<Assignment> = Vec::new();
    for a in found {
        // A labelled line inside a malformed bracket can overlap a group;
        // the first reading wins.
        if out.last().is_some_and(|last| a.start < last.end) {
            continue;
        }
        if let Some(last) = out.last_mut() {
            let gap = text.get(last.end..a.start).unwrap_or("");
            if a.start >= last.end
                && gap
                    .chars()
                    .all(|c| c.is_whitespace() || "，。；、,;".contains(c))
                && (last.leads.is_empty() || a.leads.is_empty() || last.cos.is_empty())
            {
                let had_explicit_lead = !last.lead_inferred && !last.leads.is_empty();
                if a.lead_inferred && had_explicit_lead {
                    // `牵头单位：A` then `责任单位：B、C`: B is a co-unit.
                    last.cos.extend(a.leads);
                } else if !a.leads.is_empty() && last.lead_inferred {
                    last.cos.extend(std::mem::take(&mut last.leads));
                    last.leads = a.leads;
                    last.lead_inferred = a.lead_inferred;
                } else {
                    last.leads.extend(a.leads);
                }
                last.cos.extend(a.cos);
                last.end = a.end;
                last.deadline_text = last.deadline_text.take().or(a.deadline_text);
                dedupe(&mut last.leads);
                dedupe(&mut last.cos);
                let leads = last.leads.clone();
                last.cos.retain(|c| !leads.contains(c));
                continue;
            }
        }
        out.push(a);
    }
    out
}

fn dedupe(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

/// Parses the inside of a bracket (or a labelled line) as an assignment.
pub fn parse_content(content: &str) -> Option<Assignment> {
    let (content, first_leads) = strip_notes(content);
    let mut a = parse_content_inner(&content)?;
    if first_leads && a.lead_inferred {
        // `列第一位的为牵头部门`: the first unit is the lead, as written.
        a.lead_inferred = false;
    }
    Some(a)
}

/// Removes notes about how to read the list (`列第一位的为牵头部门`,
/// `排在第一位的为牵头单位`, `下同`) and says whether one made the first
/// unit the lead.
fn strip_notes(content: &str) -> (String, bool) {
    if !content.contains(['第', '首', '同'])
        || (!content.contains("第一") && !content.contains("首位") && !content.contains("下同"))
    {
        return (content.to_string(), false);
    }
    let mut first_leads = false;
    let mut out = String::with_capacity(content.len());
    // Clauses at the top level only: a note in brackets after a unit is
    // handled with the unit list.
    let mut clauses = Vec::new();
    let (mut depth, mut from) = (0usize, 0usize);
    for (i, c) in content.char_indices() {
        if OPEN.contains(&c) {
            depth += 1;
        } else if CLOSE.contains(&c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && matches!(c, '。' | '，' | ',' | '；' | ';') {
            clauses.push(&content[from..i + c.len_utf8()]);
            from = i + c.len_utf8();
        }
    }
    clauses.push(&content[from..]);
    for clause in clauses {
        let body = clause.trim_end_matches(['。', '，', ',', '；', ';']).trim();
        // The clause's own words, without what it holds in brackets.
        let mut top = String::new();
        let mut d = 0usize;
        for c in body.chars() {
            if OPEN.contains(&c) {
                d += 1;
            } else if CLOSE.contains(&c) {
                d = d.saturating_sub(1);
            } else if d == 0 {
                top.push(c);
            }
        }
        let is_first_note = (top.contains("第一") || top.contains("首位")) && top.contains("牵头");
        if is_first_note {
            first_leads = true;
            continue;
        }
        if body == "下同" {
            continue;
        }
        out.push_str(clause);
    }
    (out, first_leads)
}

fn parse_content_inner(content: &str) -> Option<Assignment> {
    let content = content.trim().trim_end_matches(['。', '.', ' ', '，', ',']);
    if content.is_empty() || content.chars().count() > 600 {
        return None;
    }
    // One automaton pass rather than a search per label: this runs for
    // every bracket and labelled line.
    let labelled = content.contains(['：', ':'])
        && LABEL_FINDER.find_iter(content).any(|m| {
            content
                .get(m.end()..)
                .is_some_and(|rest| rest.starts_with(['：', ':']))
        });
    let mut a = if labelled {
        parse_labelled(content)?
    } else {
        parse_plain(content)?
    };
    dedupe(&mut a.leads);
    dedupe(&mut a.cos);
    let leads = a.leads.clone();
    a.cos.retain(|c| !leads.contains(c));
    (!a.leads.is_empty()).then_some(a)
}

fn parse_labelled(content: &str) -> Option<Assignment> {
    let mut marks: Vec<(usize, usize, Role)> = Vec::new();
    // Longest labels first, so `协同责任单位` is not read as `责任单位`.
    let mut labels: Vec<&(&str, Role)> = LABELS.iter().collect();
    labels.sort_by_key(|(l, _)| std::cmp::Reverse(l.len()));
    for (label, role) in labels {
        let mut from = 0;
        while let Some(at) = content[from..].find(label) {
            let at = from + at;
            let after = at + label.len();
            if content[after..].starts_with(['：', ':'])
                && !marks.iter().any(|m| at < m.1 && m.0 < after)
            {
                let colon = content[after..].chars().next().map_or(0, char::len_utf8);
                marks.push((at, after + colon, *role));
            }
            from = after;
        }
    }
    marks.sort();
    let mut a = Assignment::default();
    let mut has_lead_label = false;
    for (k, &(_, body_start, role)) in marks.iter().enumerate() {
        let body_end = marks.get(k + 1).map_or(content.len(), |m| m.0);
        let body = cut_at_unknown_label(content.get(body_start..body_end).unwrap_or(""))
            .trim_matches(|c: char| "；;，, \n".contains(c));
        let role = match role {
            Role::Main if marks.iter().any(|m| m.2 == Role::Lead) => Role::Co,
            Role::Main => Role::Lead,
            r => r,
        };
        match role {
            Role::Person | Role::Main => {}
            Role::Deadline => a.deadline_text = Some(body.to_string()),
            Role::Lead => {
                has_lead_label = true;
                // `牵头单位：A、B；C、D按职责分工负责`: after `；` come the
                // co-owners, in a clause of their own.
                let (lead_part, co_part) = match body.find(['；', ';']) {
                    Some(at) => {
                        let rest = &body[at..];
                        let rest = rest.trim_start_matches(['；', ';']);
                        if ["负责", "配合", "参与", "协助", "协同"]
                            .iter()
                            .any(|k| rest.contains(k))
                        {
                            (&body[..at], rest)
                        } else {
                            (body, "")
                        }
                    }
                    None => (body, ""),
                };
                for (u, _) in unit_list(lead_part, &mut a.deadline_text) {
                    a.leads.push(u);
                }
                for (u, _) in unit_list(co_part, &mut a.deadline_text) {
                    a.cos.push(u);
                }
            }
            Role::Co => {
                for (u, marked_lead) in unit_list(body, &mut a.deadline_text) {
                    if marked_lead {
                        has_lead_label = true;
                        a.leads.push(u);
                    } else {
                        a.cos.push(u);
                    }
                }
            }
        }
    }
    if !has_lead_label && !a.cos.is_empty() {
        a.leads.push(a.cos.remove(0));
        a.lead_inferred = true;
    }
    Some(a)
}

/// A body ends where another label the table does not know begins
/// (`市发改委，数据提供单位：市统计局`): what follows is another role.
fn cut_at_unknown_label(body: &str) -> &str {
    // A body is one sentence: what follows `。` is a remark.
    let body = match body.find('。') {
        Some(end) => &body[..end],
        None => body,
    };
    for (i, c) in body.char_indices() {
        if c != '：' && c != ':' {
            continue;
        }
        let label_start = body[..i]
            .rfind(['，', ',', '；', ';', '\n', '、', '。'])
            .map_or(0, |d| {
                d + body[d..].chars().next().map_or(1, char::len_utf8)
            });
        let label = &body[label_start..i];
        let n = label.chars().count();
        if (2..=10).contains(&n)
            && label
                .chars()
                .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        {
            return &body[..label_start];
        }
    }
    body
}

fn parse_plain(content: &str) -> Option<Assignment> {
    // A cheap character test before the words.
    if !content.contains(['牵', '负', '配', '参', '分', '主', '协'])
        || ![
            "牵头", "负责", "配合", "参与", "分工", "主办", "协办", "协同",
        ]
        .iter()
        .any(|k| content.contains(k))
    {
        return None;
    }
    let mut a = Assignment::default();
    // `A牵头` or `A主办`: the first lead verb closes the lead part.
    let lead_at = LEAD_VERBS
        .iter()
        .filter(|_| content.contains(['牵', '主']))
        .filter_map(|v| {
            content
                .match_indices(v)
                .map(|(i, _)| (i, v.len()))
                .find(|&(i, _)| !content[i..].starts_with("牵头负责人"))
        })
        .min();
    if let Some((at, verb_len)) = lead_at {
        let (lead_part, rest) = (&content[..at], &content[at + verb_len..]);
        // `A为牵头单位，B配合`: the label word after 牵头 is not a unit.
        let rest = rest
            .strip_prefix("单位")
            .or_else(|| rest.strip_prefix("部门"))
            .unwrap_or(rest);
        a.leads = unit_list(lead_part, &mut a.deadline_text)
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        a.cos = unit_list(rest, &mut a.deadline_text)
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        if a.leads.is_empty() {
            return None;
        }
        // Every piece must have been a unit: prose with 牵头 in it is not an
        // assignment.
        if !lead_part_is_clean(lead_part) {
            return None;
        }
        return Some(a);
    }
    // `A负责，B、C配合`: 负责 closes the lead part.
    if let Some(at) = content.find("负责") {
        let after = &content[at + "负责".len()..];
        if after.starts_with(['，', ',', '；', ';'])
            && ["配合", "参与", "协助", "分工"]
                .iter()
                .any(|k| after.contains(k))
        {
            let leads = unit_list(&content[..at], &mut a.deadline_text);
            if !leads.is_empty() && lead_part_is_clean(&content[..at]) {
                a.leads = leads.into_iter().map(|(u, _)| u).collect();
                a.cos = unit_list(after, &mut a.deadline_text)
                    .into_iter()
                    .map(|(u, _)| u)
                    .collect();
                return Some(a);
            }
        }
    }
    let units = unit_list(content, &mut a.deadline_text);
    if units.is_empty() || !lead_part_is_clean(content) {
        return None;
    }
    // `（A、B，C、D等按职能分工负责）`: with no 牵头, the group before the
    // first comma reads as the (inferred) leads.
    if let Some(comma) = content.find(['，', ',']) {
        let head = unit_list(&content[..comma], &mut a.deadline_text);
        let tail = unit_list(&content[comma..], &mut a.deadline_text);
        if head.len() > 1 && !tail.is_empty() {
            a.leads = head.into_iter().map(|(u, _)| u).collect();
            a.cos = tail.into_iter().map(|(u, _)| u).collect();
            a.lead_inferred = true;
            return Some(a);
        }
    }
    // `（A负责）` names the lead; `（A、B按职能分工负责）` only lists owners.
    let closes_with_plain_fuze = content.strip_suffix("负责").is_some_and(|head| {
        !["分工", "职责", "职能", "分别", "共同", "牵头", "具体"]
            .iter()
            .any(|p| head.ends_with(p))
    });
    let mut names: Vec<String> = units.iter().map(|(u, _)| u.clone()).collect();
    if ["分别负责", "共同负责", "分别牵头负责"]
        .iter()
        .any(|k| content.ends_with(k))
    {
        // `（A、B、C分别负责）`: each leads its part.
        a.leads = names;
        return Some(a);
    }
    if let Some(marked) = units.iter().position(|(_, lead)| *lead) {
        a.leads.push(names.remove(marked));
        a.cos = names;
    } else {
        a.leads.push(names.remove(0));
        a.cos = names;
        a.lead_inferred = !(closes_with_plain_fuze && a.cos.is_empty());
    }
    Some(a)
}

/// True when every delimited piece of `part` is a unit, a role phrase or a
/// deadline: that is what separates `（A、B按职能分工负责）` from a remark
/// in brackets that happens to say 负责.
fn lead_part_is_clean(part: &str) -> bool {
    let mut ignored = None;
    // Stripped pieces, computed only when a piece needs its neighbours
    // (the common case fails or passes piece by piece).
    let mut all: Option<Vec<String>> = None;
    split_pieces(part).enumerate().all(|(i, piece)| {
        let stripped = strip_role_phrases(piece);
        stripped.is_empty()
            || is_leader_post(&stripped)
            || !split_conjunctions(&stripped).is_empty()
            || is_deadline_piece(&stripped, &mut ignored)
            || elliptic_place(
                all.get_or_insert_with(|| split_pieces(part).map(strip_role_phrases).collect()),
                i,
            )
    })
}

/// `哈尔滨、黑河、绥芬河市政府`: bare place names before a name that ends
/// in 政府 share its ending; each is a unit as written.
fn elliptic_place<S: AsRef<str>>(pieces: &[S], i: usize) -> bool {
    let is_place = |p: &str| {
        let n = p.chars().count();
        (2..=4).contains(&n) && p.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    };
    if !is_place(pieces[i].as_ref()) {
        return false;
    }
    for p in &pieces[i + 1..] {
        let p = p.as_ref();
        if p.ends_with("政府") && is_unit_like(p) {
            return true;
        }
        if !is_place(p) {
            return false;
        }
    }
    false
}

fn split_pieces(s: &str) -> impl Iterator<Item = &str> {
    s.split(UNIT_DELIMITERS)
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

fn strip_role_phrases(piece: &str) -> String {
    let mut p = piece.trim().to_string();
    // `部门分工：省发改委`: a short label before a colon is not a name.
    if let Some(i) = p.rfind(['：', ':']) {
        let head = &p[..i];
        if head.chars().count() <= 8 && !is_unit_like(head) && !head.is_empty() {
            let colon = p[i..].chars().next().map_or(1, char::len_utf8);
            p = p[i + colon..].to_string();
        }
    }
    loop {
        let before = p.len();
        for prefix in ["由", "和", "及", "会同", "并", "其他"] {
            if let Some(rest) = p.strip_prefix(prefix) {
                if is_unit_like(rest) || rest.starts_with("各") {
                    p = rest.to_string();
                }
            }
        }
        for phrase in ROLE_PHRASES {
            if let Some(rest) = p.strip_suffix(phrase) {
                p = rest.to_string();
            }
        }
        p = p
            .trim_matches(|c: char| c.is_whitespace() || "：:".contains(c))
            .to_string();
        if p.len() == before {
            return p;
        }
    }
}

fn is_deadline_piece(piece: &str, deadline: &mut Option<String>) -> bool {
    if crate::deadline::looks_like_deadline(piece) {
        if deadline.is_none() {
            *deadline = Some(piece.to_string());
        }
        return true;
    }
    false
}

/// Splits `A和B` / `A及B` when both sides are units: `各街道和营田公务中心`
/// is two units, `市人力资源和社会保障局` is one.
fn split_conjunctions(name: &str) -> Vec<String> {
    if let Some(parts) = split_run_on(name) {
        return parts;
    }
    if is_unit_like(name) && !name.contains(['和', '及', '与', '等']) {
        return vec![name.to_string()];
    }
    // `A等B`: `区科技局等区级有关部门` names a unit and a group.
    for conj in ["和", "及", "与", "等"] {
        for (at, _) in name.match_indices(conj) {
            let (left, right) = (&name[..at], &name[at + conj.len()..]);
            if is_unit_like(left) && !right.is_empty() {
                let rest = split_conjunctions(right);
                if !rest.is_empty() {
                    // The left side may join two names itself (`A等B和C`).
                    let mut out = if left.contains(['和', '及', '与', '等']) {
                        split_conjunctions(left)
                    } else {
                        vec![left.to_string()]
                    };
                    out.extend(rest);
                    return out;
                }
            }
        }
    }
    if is_unit_like(name) {
        vec![name.to_string()]
    } else {
        Vec::new()
    }
}

/// Endings after which a new name may start without a delimiter.
const RUN_ON_SUFFIXES: &[&str] = &[
    "局",
    "厅",
    "委员会",
    "中心",
    "公司",
    "大队",
    "支队",
    "管委会",
    "办公室",
];
/// How the next name starts: a place level, or a group.
const RUN_ON_PREFIXES: &[&str] = &["市", "县", "区", "省", "各", "国网"];

/// `市发改局市财政局`: names a space once separated (spaces between Chinese
/// characters are dropped in normalisation) or that were typed without a
/// delimiter. Only splits where both sides are unit names and the left one
/// is at least four characters, so that joint offices such as `市委市政府督查室`
/// stay whole.
fn split_run_on(name: &str) -> Option<Vec<String>> {
    for (at, _) in name.char_indices().skip(4) {
        let (left, right) = name.split_at(at);
        if RUN_ON_SUFFIXES.iter().any(|s| left.ends_with(s))
            && RUN_ON_PREFIXES.iter().any(|p| right.starts_with(p))
            && is_unit_like(left)
        {
            let rest = split_run_on(right).unwrap_or_else(|| {
                if is_unit_like(right) {
                    vec![right.to_string()]
                } else {
                    Vec::new()
                }
            });
            if !rest.is_empty() {
                let mut out = vec![left.to_string()];
                out.extend(rest);
                return Some(out);
            }
        }
    }
    None
}

/// The unit names in a list such as `A、B和C等`.
pub fn unit_names(s: &str) -> Vec<String> {
    let mut ignored = None;
    let mut names: Vec<String> = unit_list(s, &mut ignored)
        .into_iter()
        .map(|(u, _)| u)
        .collect();
    dedupe(&mut names);
    names
}

/// Whether a piece of text is a list of units and nothing else
/// (`市发改委、市财政局等按职责分工负责`, `★区发改委`).
pub fn is_unit_list(s: &str) -> bool {
    let s = s.trim_start_matches(LEAD_STARS);
    s.chars().count() <= 300 && lead_part_is_clean(s) && !unit_names(s).is_empty()
}

/// Marks before a unit name that make it the lead (`★区发改委`).
const LEAD_STARS: &[char] = &['★', '☆', '*', '▲'];

/// Units in a table cell under a unit column header. The header already
/// says these are units, so a name without a usual ending (`市公安`) is
/// kept too, as long as it is not a person, a deadline or `/`.
pub fn cell_units(cell: &str) -> Vec<(String, bool)> {
    let mut ignored = None;
    unit_list_with(cell, &mut ignored, true)
}

/// Splits a unit list into names, with a flag for names marked `（牵头）`.
fn unit_list(s: &str, deadline: &mut Option<String>) -> Vec<(String, bool)> {
    unit_list_with(s, deadline, false)
}

/// A name a unit column may hold that the name rules do not know: four to
/// twenty Chinese characters, no digits, no sentence punctuation.
fn lenient_unit(name: &str) -> bool {
    let n = name.chars().count();
    (4..=20).contains(&n)
        && name
            .chars()
            .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || matches!(c, '（' | '）'))
        && !name.contains("负责")
        && !name.contains("牵头")
}

fn unit_list_with(s: &str, deadline: &mut Option<String>, lenient: bool) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut first_is_lead = false;
    let pieces = split_top_level(s);
    let mut bare: Option<Vec<String>> = None;
    for (index, piece) in pieces.iter().copied().enumerate() {
        let (mut piece, marked) = match LEAD_MARKS.iter().find_map(|m| piece.strip_suffix(m)) {
            Some(p) => (p, true),
            None => match piece.strip_prefix(LEAD_STARS) {
                Some(p) => (p, true),
                None => (piece, false),
            },
        };
        // `B（列第一位的为牵头单位，下同）`: a remark, not part of the name.
        if let Some(open) = piece.rfind('（').filter(|_| piece.ends_with('）')) {
            let remark = &piece[open..];
            if ["牵头", "下同", "为准", "第一"]
                .iter()
                .any(|k| remark.contains(k))
            {
                first_is_lead |= remark.contains("第一") && remark.contains("牵头");
                piece = &piece[..open];
            }
        }
        let stripped = strip_role_phrases(piece);
        if stripped.is_empty()
            || is_leader_post(&stripped)
            || is_deadline_piece(&stripped, deadline)
        {
            continue;
        }
        let names = split_conjunctions(&stripped);
        if names.is_empty()
            && ((lenient && lenient_unit(&stripped))
                || elliptic_place(
                    bare.get_or_insert_with(|| {
                        pieces.iter().map(|p| strip_role_phrases(p)).collect()
                    }),
                    index,
                ))
        {
            out.push((stripped, marked));
            continue;
        }
        for name in names {
            out.push((name, marked));
        }
    }
    if first_is_lead {
        if let Some(first) = out.first_mut() {
            first.1 = true;
        }
    }
    out
}

/// Splits on delimiters outside inner brackets, so `各镇（街道、社区）` stays whole.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if OPEN.contains(&c) {
            depth += 1;
        } else if CLOSE.contains(&c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && UNIT_DELIMITERS.contains(&c) {
            out.push(s[start..i].trim());
            start = i + c.len_utf8();
        }
    }
    out.push(s[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (Vec<String>, Vec<String>, bool) {
        let found = find_assignments(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        let a = &found[0];
        (a.leads.clone(), a.cos.clone(), a.lead_inferred)
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn layouts() {
        let cases: &[(&str, &[&str], &[&str], bool)] = &[
            (
                "推进。（市人社局牵头，市发改局、市商务粮食局等按职能分工负责）",
                &["市人社局"],
                &["市发改局", "市商务粮食局"],
                false,
            ),
            (
                "（市文旅广电局牵头、市数据局、各有关镇、各街道按职能分工负责）",
                &["市文旅广电局"],
                &["市数据局", "各有关镇", "各街道"],
                false,
            ),
            (
                "（市发改局、市商务粮食局、市工信局分别牵头，市科技局等按职能分工负责）",
                &["市发改局", "市商务粮食局", "市工信局"],
                &["市科技局"],
                false,
            ),
            (
                "（市科技局、市农业农村局、市发改局等按职能分工负责）",
                &["市科技局"],
                &["市农业农村局", "市发改局"],
                true,
            ),
            (
                "（高新区管委会，市科技局、市场监管局等按职能分工负责）",
                &["高新区管委会"],
                &["市科技局", "市场监管局"],
                true,
            ),
            (
                "（牵头单位：市妇联、市教体局）",
                &["市妇联", "市教体局"],
                &[],
                false,
            ),
            (
                "（牵头单位：市发改局；配合单位：市财政局、市住建局）",
                &["市发改局"],
                &["市财政局", "市住建局"],
                false,
            ),
            ("（市教体局负责）", &["市教体局"], &[], false),
            ("（市发改局牵头负责）", &["市发改局"], &[], false),
            (
                "（市发改局、市司法局牵头）",
                &["市发改局", "市司法局"],
                &[],
                false,
            ),
            (
                "〔责任单位：市发改局、市财政局按职责分工负责〕",
                &["市发改局"],
                &["市财政局"],
                true,
            ),
            (
                "（市发改局、市财政局牵头负责，各相关单位按项目分工负责）",
                &["市发改局", "市财政局"],
                &["各相关单位"],
                false,
            ),
            (
                "（市发改局牵头，市财政局、各相关单位及两办督查室按项目分工负责）",
                &["市发改局"],
                &["市财政局", "各相关单位", "两办督查室"],
                false,
            ),
            (
                "（市委国安办、各部办委局、各镇、各街道和营田公务中心等按职能分工负责）",
                &["市委国安办"],
                &["各部办委局", "各镇", "各街道", "营田公务中心"],
                true,
            ),
            (
                "（市科技局牵头，市人力资源和社会保障局、市林业局和高新区管委会等按职能分工负责）",
                &["市科技局"],
                &["市人力资源和社会保障局", "市林业局", "高新区管委会"],
                false,
            ),
            ("(市場監管局牽頭，市財政局按職能分工負責)", &[], &[], false),
            (
                "（市安委办、市人社局分别牵头，各负有监管职责行业部门按职能分工负责）",
                &["市安委办", "市人社局"],
                &["各负有监管职责行业部门"],
                false,
            ),
            (
                "（市数据局牵头，市发改局按职能分工负责。）",
                &["市数据局"],
                &["市发改局"],
                false,
            ),
            (
                "（市住建局负责，市财政局配合）",
                &["市住建局"],
                &["市财政局"],
                false,
            ),
            (
                "（市发改局为牵头单位，市财政局为配合单位）",
                &["市发改局"],
                &["市财政局"],
                false,
            ),
            (
                "（责任单位：市发改局（牵头）、市财政局）",
                &["市发改局"],
                &["市财政局"],
                false,
            ),
            (
                "（牵头单位：市发改局，责任单位：各县（市、区）人民政府）",
                &["市发改局"],
                &["各县（市、区）人民政府"],
                false,
            ),
            (
                "（市科技局、市商务粮食局，市委组织部、市发改局等按职能分工负责）",
                &["市科技局", "市商务粮食局"],
                &["市委组织部", "市发改局"],
                true,
            ),
        ];
        for (text, leads, cos, inferred) in cases {
            if leads.is_empty() {
                continue; // traditional text is normalised before this step
            }
            assert_eq!(one(text), (v(leads), v(cos), *inferred), "{text}");
        }
    }

    #[test]
    fn bare_sentences_and_first_listed_remarks() {
        let t = "加强监管，严厉打击违法行为。市市场监管局牵头，市公安局配合。";
        assert_eq!(one(t), (v(&["市市场监管局"]), v(&["市公安局"]), false));
        let t = "推进技改。\n责任单位：省经信厅、省发展改革委（列第一位的为牵头单位，下同）";
        assert_eq!(one(t), (v(&["省经信厅"]), v(&["省发展改革委"]), false));
        // Prose that mentions a unit is not an assignment.
        assert!(find_assignments("由市发改局负责统筹推进全市项目建设。").is_empty());
        assert!(find_assignments("市发改局牵头抓总，形成合力。").is_empty());
    }

    #[test]
    fn run_on_names_split() {
        let t = "（牵头单位：市发改局 市财政局；配合单位：市住建局 各镇人民政府）";
        let normalized = crate::normalize::normalize_text(t);
        assert_eq!(
            one(&normalized),
            (
                v(&["市发改局", "市财政局"]),
                v(&["市住建局", "各镇人民政府"]),
                false
            )
        );
        // Joint offices and names with a place inside stay whole.
        for whole in [
            "市委市政府督查室",
            "岳阳市生态环境局汨罗分局",
            "市场监管局",
            "县市场监督管理局",
        ] {
            assert_eq!(
                split_conjunctions(whole),
                vec![whole.to_string()],
                "{whole}"
            );
        }
    }

    #[test]
    fn separate_label_lines_merge() {
        let text = "1.建设项目。\n牵头单位：市发改局\n责任单位：市财政局、各镇（街道）";
        assert_eq!(
            one(text),
            (v(&["市发改局"]), v(&["市财政局", "各镇（街道）"]), false)
        );
    }

    #[test]
    fn remarks_are_not_assignments() {
        for text in [
            "（以岳阳市专班下达任务为准）",
            "（含两个省重点项目）",
            "（由各地负责组织实施具体工作）",
            "（个体工商户）",
            "建设（含自建房）",
        ] {
            assert!(find_assignments(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn overlapping_fragments_do_not_panic() {
        // Found by the property test: a label inside an unclosed bracket.
        let found = find_assignments("）责任单位：（(牵头单位：、市发改局");
        assert!(found.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn deadline_inside_assignment() {
        let found = find_assignments("（市发改局牵头，市财政局配合，2025年6月底前完成）");
        assert_eq!(found[0].cos, v(&["市财政局"]));
        assert_eq!(found[0].deadline_text.as_deref(), Some("2025年6月底前完成"));
    }

    #[test]
    fn bare_unit_lists_close_a_sentence() {
        let t = "加强产业链招商。（市工信委、市财政局）";
        assert_eq!(one(t), (v(&["市工信委"]), v(&["市财政局"]), true));
        let t = "加强产业链招商<市工信委、市财政局>";
        assert_eq!(one(t), (v(&["市工信委"]), v(&["市财政局"]), true));
        let t = "推进项目。〔市发改委〕";
        assert_eq!(one(t), (v(&["市发改委"]), v(&[]), false));
        // An alias right after a unit name, an aside inside a sentence, and
        // a less-than sign are not assignments.
        assert!(find_assignments("由市数据局（市政务服务中心）统筹").is_empty());
        assert!(find_assignments("建设（市发改委）项目库并推进").is_empty());
        assert!(find_assignments("PM2.5浓度<35微克，（市生态环境局牵头）").len() == 1);
    }

    #[test]
    fn prose_clauses() {
        let t = "由市发改委牵头，市财政局、市住建局配合，在9月底前完成项目申报。";
        let found = find_assignments(t);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].leads, v(&["市发改委"]));
        assert_eq!(found[0].cos, v(&["市财政局", "市住建局"]));
        let t = "加强数据共享，市数据局牵头，各地、各部门配合。";
        assert_eq!(one(t), (v(&["市数据局"]), v(&["各地", "各部门"]), false));
        let t = "（省发改委、省工信厅牵头，省财政厅及省商务厅按职责分工负责）";
        assert_eq!(
            one(t),
            (
                v(&["省发改委", "省工信厅"]),
                v(&["省财政厅", "省商务厅"]),
                false
            )
        );
        // Prose that names a unit without a role is left alone.
        assert!(find_assignments("加强统筹，市发改委要抓好落实。").is_empty());
    }

    #[test]
    fn verbs_and_labels_of_other_vocabularies() {
        let t = "（省财政厅主办，省国税局、地税局协办）";
        assert_eq!(
            one(t),
            (v(&["省财政厅"]), v(&["省国税局", "地税局"]), false)
        );
        let t = "（省发改委、农委、统计局分别负责）";
        assert_eq!(one(t), (v(&["省发改委", "农委", "统计局"]), v(&[]), false));
        let t = "牵头负责领导：刘惠。\n牵头责任单位：省发展改革委。\n协同责任单位：省财政厅、省商务厅等。";
        assert_eq!(
            one(t),
            (v(&["省发展改革委"]), v(&["省财政厅", "省商务厅"]), false)
        );
        let t = "（牵头领导：吴依殿；牵头单位：市农办；主办单位：市编办、市教育局）";
        assert_eq!(one(t), (v(&["市农办"]), v(&["市编办", "市教育局"]), false));
        // A leader post in a unit list is skipped, not a unit.
        let t = "（分管副省长，省发展改革委牵头，省财政厅配合）";
        assert_eq!(one(t), (v(&["省发展改革委"]), v(&["省财政厅"]), false));
    }

    #[test]
    fn notes_and_ongoing_periods() {
        let t = "（省发改委、省交通运输厅、省财政厅负责。列第一位的为牵头部门，下同）";
        assert_eq!(
            one(t),
            (v(&["省发改委"]), v(&["省交通运输厅", "省财政厅"]), false)
        );
        let found = find_assignments("（国务院各部门分别负责，年内持续推进）");
        assert_eq!(found[0].leads, v(&["国务院各部门"]));
        assert_eq!(found[0].deadline_text.as_deref(), Some("年内持续推进"));
        let t = "任务分工：吕维峰副省长负责，省农委总牵头。";
        assert_eq!(one(t), (v(&["省农委"]), v(&[]), false));
    }

    #[test]
    fn duty_sentences() {
        let a = duty_sentence("市发改委负责统筹全市重点项目建设。其他").expect("duty");
        assert_eq!(a.leads, v(&["市发改委"]));
        assert_eq!(a.end, "市发改委负责统筹全市重点项目建设".len());
        let a = duty_sentence("市财政局：负责资金保障").expect("duty");
        assert_eq!(a.leads, v(&["市财政局"]));
        assert!(duty_sentence("各地要负责好本地工作").is_none());
    }

    #[test]
    fn table_cells_are_read_leniently() {
        let units: Vec<String> = cell_units("★区发改委、统计局\n市公安交警\n/\n分管副区长")
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        assert_eq!(units, v(&["区发改委", "统计局", "市公安交警"]));
        assert!(cell_units("★区发改委、统计局")[0].1);
        assert!(is_unit_list("市发改委、市财政局等按职责分工负责"));
        assert!(!is_unit_list("推进重点项目建设"));
    }

    #[test]
    fn several_assignments_in_one_item() {
        let t = "推动。（高新区管委会牵头，市工信局按职能分工负责）建设农田。（市农业农村局牵头，市发改局等单位按职能分工负责）";
        let found = find_assignments(t);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].leads, v(&["市农业农村局"]));
    }
}
