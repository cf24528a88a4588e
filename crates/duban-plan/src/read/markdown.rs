//! Markdown, as pasted from a website or exported by an editor.

use super::Block;

pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut table: Option<(Vec<Vec<String>>, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| strip_inline(c.trim()))
            .collect();
        // `| cell` lines one cell at a time (a converter's flattened table)
        // are paragraphs; the flattened-table reader rebuilds them.
        if line.starts_with('|') && cells.len() < 2 {
            if let Some((rows, line_no)) = table.take() {
                out.push(Block::Table {
                    rows,
                    line: line_no,
                });
            }
            if let Some(c) = cells.into_iter().next().filter(|c| !c.is_empty()) {
                out.push(Block::Paragraph {
                    text: c,
                    line: i + 1,
                });
            }
            continue;
        }
        if line.starts_with('|') {
            let is_rule = cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
            let entry = table.get_or_insert_with(|| (Vec::new(), i + 1));
            if !is_rule {
                entry.0.push(cells);
            }
            continue;
        }
        if let Some((rows, line_no)) = table.take() {
            out.push(Block::Table {
                rows,
                line: line_no,
            });
        }
        let mut body = line.trim_start_matches('#').trim_start();
        body = body.trim_start_matches('>').trim_start();
        for bullet in ["- ", "* ", "+ "] {
            if let Some(rest) = body.strip_prefix(bullet) {
                body = rest;
            }
        }
        let body = strip_inline(body);
        if body.is_empty() || body.chars().all(|c| matches!(c, '-' | '*' | '_' | '=')) {
            continue;
        }
        out.push(Block::Paragraph {
            text: body,
            line: i + 1,
        });
    }
    if let Some((rows, line_no)) = table {
        out.push(Block::Table {
            rows,
            line: line_no,
        });
    }
    out
}

/// Drops emphasis markers and keeps link text.
fn strip_inline(s: &str) -> String {
    let s = s.replace("**", "").replace("__", "");
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        match after.find("](") {
            Some(mid) if !after[..mid].contains('[') => {
                let tail = &after[mid + 2..];
                let close = tail.find(')').map(|c| c + 1).unwrap_or(tail.len());
                out.push_str(&rest[..open]);
                out.push_str(&after[..mid]);
                rest = &tail[close..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markup_and_reads_tables() {
        let md = "# 某某实施方案\n\n## 一、攻坚任务\n\n**1.推进项目。**见[附件](a.html)\n\n| 序号 | 任务 |\n|---|---|\n| 1 | 建设 |\n";
        let b = blocks(md);
        assert_eq!(
            b[0],
            Block::Paragraph {
                text: "某某实施方案".into(),
                line: 1
            }
        );
        assert_eq!(
            b[2],
            Block::Paragraph {
                text: "1.推进项目。见附件".into(),
                line: 5
            }
        );
        assert_eq!(
            b[3],
            Block::Table {
                rows: vec![
                    vec!["序号".into(), "任务".into()],
                    vec!["1".into(), "建设".into()]
                ],
                line: 7
            }
        );
    }
}
