//! HTML saved from a government website: keep the article, drop the site.
//!
//! A small tolerant tokenizer rather than a full HTML5 parser: saved pages
//! are often broken, and all we need is block boundaries, tables, and the
//! knowledge of which elements are navigation.

use super::Block;

/// Elements whose whole content is never part of the document.
const SKIPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "head", "nav", "header", "footer", "aside", "form", "select",
    "button", "iframe", "svg", "template",
];

/// class/id fragments that mark site chrome on government portals.
const CHROME_MARKERS: &[&str] = &[
    "nav",
    "menu",
    "breadcrumb",
    "footer",
    "header",
    "sidebar",
    "share",
    "crumb",
    "topbar",
    "toolbar",
    "copyright",
    "related",
    "position",
    "location",
];

const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "center",
    "body",
    "main",
];

const VOID_ELEMENTS: &[&str] = &[
    "br", "hr", "img", "meta", "link", "input", "col", "wbr", "area", "base", "source",
];

pub fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<body")
        || (head.starts_with('<') && (head.contains("</p>") || head.contains("</div>")))
}

struct Tag<'a> {
    name: String,
    closing: bool,
    self_closing: bool,
    attrs: &'a str,
}

fn parse_tag(inner: &str) -> Tag<'_> {
    let closing = inner.starts_with('/');
    let body = inner.trim_start_matches('/');
    let name_end = body
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(body.len());
    Tag {
        name: body[..name_end].to_ascii_lowercase(),
        closing,
        self_closing: inner.ends_with('/'),
        attrs: &body[name_end..],
    }
}

fn is_chrome(attrs: &str) -> bool {
    let lower = attrs.to_ascii_lowercase();
    ["class", "id"].iter().any(|key| {
        attr_value(&lower, key).is_some_and(|v| {
            v.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
                .any(|word| CHROME_MARKERS.contains(&word))
        })
    })
}

fn attr_value<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(pos) = rest.find(key) {
        let before_ok = pos == 0 || !rest.as_bytes()[pos - 1].is_ascii_alphanumeric();
        let after = rest[pos + key.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let (quote, v) = match v.chars().next() {
                    Some(q @ ('"' | '\'')) => (Some(q), &v[1..]),
                    _ => (None, v),
                };
                let end = match quote {
                    Some(q) => v.find(q).unwrap_or(v.len()),
                    None => v.find(char::is_whitespace).unwrap_or(v.len()),
                };
                return Some(&v[..end]);
            }
        }
        rest = &rest[pos + key.len()..];
    }
    None
}

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    current: String,
    table: Option<Vec<Vec<String>>>,
    cell: Option<String>,
    /// rowspan and colspan of the open cell.
    span: (usize, usize),
    /// Cells of earlier rows that span down: per column, text and rows left.
    pending: Vec<Option<(String, usize)>>,
    line: usize,
}

/// Largest rowspan/colspan honoured; bigger values are typos or traps.
const MAX_SPAN: usize = 200;

impl Builder {
    /// Copies cells spanning down from above into the current row, up to
    /// the first column that is not covered.
    fn fill_pending(&mut self, to_end: bool) {
        let Some(row) = self.table.as_mut().and_then(|t| t.last_mut()) else {
            return;
        };
        while row.len() < self.pending.len() {
            let col = row.len();
            match self.pending[col].as_mut() {
                Some((text, left)) => {
                    row.push(text.clone());
                    *left -= 1;
                    if *left == 0 {
                        self.pending[col] = None;
                    }
                }
                None if to_end => row.push(String::new()),
                None => break,
            }
        }
    }
}

impl Builder {
    fn text(&mut self, s: &str) {
        match self.cell.as_mut() {
            Some(cell) => cell.push_str(s),
            None => self.current.push_str(s),
        }
    }
    fn flush(&mut self) {
        if let Some(cell) = self.cell.as_mut() {
            if !cell.ends_with('\n') && !cell.is_empty() {
                cell.push('\n');
            }
            return;
        }
        let text = self.current.trim();
        if !text.is_empty() {
            self.blocks.push(Block::Paragraph {
                text: text.to_string(),
                line: self.line,
            });
        }
        self.current.clear();
    }
}

pub fn blocks(html: &str) -> Vec<Block> {
    let mut b = Builder {
        line: 1,
        ..Default::default()
    };
    let mut skip: Vec<String> = Vec::new();
    let mut rest = html;
    let mut line = 1usize;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip.is_empty() {
                b.text(&decode_entities(rest));
            }
            break;
        };
        if lt > 0 && skip.is_empty() {
            b.text(&decode_entities(&rest[..lt]));
        }
        line += rest[..lt].matches('\n').count();
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map(|e| e + 3).unwrap_or(after.len());
            line += after[..end].matches('\n').count();
            rest = &after[end..];
            continue;
        }
        let Some(gt) = rest.find('>') else {
            break;
        };
        let inner = &rest[1..gt];
        line += inner.matches('\n').count();
        rest = &rest[gt + 1..];
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        let tag = parse_tag(inner);
        if tag.name.is_empty() {
            if skip.is_empty() {
                b.text("<");
            }
            continue;
        }
        let void = VOID_ELEMENTS.contains(&tag.name.as_str()) || tag.self_closing;
        if let Some(top) = skip.last() {
            if tag.name == *top && !void {
                if tag.closing {
                    skip.pop();
                } else {
                    skip.push(tag.name);
                }
            }
            continue;
        }
        if !tag.closing
            && !void
            && (SKIPPED_ELEMENTS.contains(&tag.name.as_str()) || is_chrome(tag.attrs))
        {
            skip.push(tag.name);
            continue;
        }
        match (tag.name.as_str(), tag.closing) {
            ("table", false) => {
                b.flush();
                b.table = Some(Vec::new());
                b.pending.clear();
                b.line = line;
            }
            ("table", true) => {
                b.fill_pending(true);
                b.pending.clear();
                if let Some(rows) = b.table.take() {
                    let rows: Vec<Vec<String>> = rows
                        .into_iter()
                        .filter(|r| r.iter().any(|c| !c.is_empty()))
                        .collect();
                    if !rows.is_empty() {
                        b.blocks.push(Block::Table { rows, line: b.line });
                    }
                }
                b.cell = None;
            }
            ("tr", false) => {
                b.fill_pending(true);
                if let Some(t) = b.table.as_mut() {
                    t.push(Vec::new());
                }
            }
            ("td" | "th", false) => {
                b.cell = b.table.as_ref().map(|_| String::new());
                let lower = tag.attrs.to_ascii_lowercase();
                let span = |key: &str| {
                    attr_value(&lower, key)
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                        .clamp(1, MAX_SPAN)
                };
                b.span = (span("rowspan"), span("colspan"));
            }
            ("td" | "th", true) => {
                if b.table.as_ref().is_some_and(|t| t.is_empty()) {
                    if let Some(t) = b.table.as_mut() {
                        t.push(Vec::new());
                    }
                }
                b.fill_pending(false);
                let (rows, cols) = b.span;
                if let (Some(cell), Some(t)) = (b.cell.take(), b.table.as_mut()) {
                    let text = cell
                        .split('\n')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join("\n");
                    if let Some(row) = t.last_mut() {
                        for _ in 0..cols {
                            let col = row.len();
                            row.push(text.clone());
                            if rows > 1 {
                                if b.pending.len() <= col {
                                    b.pending.resize(col + 1, None);
                                }
                                b.pending[col] = Some((text.clone(), rows - 1));
                            }
                        }
                    }
                }
                b.span = (1, 1);
            }
            (name, _) if BLOCK_ELEMENTS.contains(&name) => {
                b.flush();
                b.line = line;
            }
            _ => {}
        }
    }
    b.cell = None;
    b.flush();
    b.blocks
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.replace(['\n', '\r'], "");
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..]
            .find(|c: char| c == ';' || c == '&' || c.is_whitespace())
            .map(|e| e + 1);
        let decoded = end
            .filter(|&e| rest.as_bytes().get(e) == Some(&b';') && e <= 12)
            .and_then(|e| {
                let name = &rest[1..e];
                let ch = match name {
                    "nbsp" | "ensp" | "emsp" | "thinsp" => Some(' '),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "ldquo" => Some('“'),
                    "rdquo" => Some('”'),
                    "lsquo" => Some('‘'),
                    "rsquo" => Some('’'),
                    "mdash" => Some('—'),
                    "ndash" => Some('–'),
                    "hellip" => Some('…'),
                    "middot" => Some('·'),
                    "times" => Some('×'),
                    _ => {
                        let num = name.strip_prefix('#')?;
                        let code = match num.strip_prefix(['x', 'X']) {
                            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                            None => num.parse().ok()?,
                        };
                        char::from_u32(code)
                    }
                }?;
                Some((ch, e + 1))
            });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.replace(['\n', '\r'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(html: &str) -> Vec<String> {
        blocks(html)
            .into_iter()
            .filter_map(|b| match b {
                Block::Paragraph { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn keeps_article_drops_navigation() {
        let html = r#"<html><head><title>t</title><script>var a="<p>x</p>";</script></head>
<body><div class="nav-bar"><a href="/">首页</a> <div>嵌套</div></div>
<div id="zoom"><p>1.推进项目建设。</p><p>（市发改局牵头，市财政局&nbsp;按职能分工负责）</p></div>
<footer>版权所有</footer></body></html>"#;
        assert_eq!(
            paragraphs(html),
            vec![
                "1.推进项目建设。",
                "（市发改局牵头，市财政局 按职能分工负责）"
            ]
        );
    }

    #[test]
    fn rowspan_and_colspan_repeat_cells() {
        let html = "<table><tr><th>序号</th><th>领域</th><th>任务</th><th>牵头单位</th></tr>\
            <tr><td>1</td><td rowspan=\"2\">产业</td><td>甲</td><td rowspan='2'>市发改委</td></tr>\
            <tr><td>2</td><td>乙</td></tr>\
            <tr><td colspan=\"4\">二、民生</td></tr></table>";
        let Block::Table { rows, .. } = &blocks(html)[0] else {
            panic!("no table");
        };
        assert_eq!(rows[2], vec!["2", "产业", "乙", "市发改委"]);
        assert_eq!(rows[3], vec!["二、民生"; 4]);
    }

    #[test]
    fn reads_tables_and_entities() {
        let html = "<table><tr><th>序号</th><th>任务</th></tr><tr><td>1</td><td>A&amp;B &#x6C68;</td></tr></table>";
        assert_eq!(
            blocks(html),
            vec![Block::Table {
                rows: vec![
                    vec!["序号".into(), "任务".into()],
                    vec!["1".into(), "A&B 汨".into()]
                ],
                line: 1
            }]
        );
    }
}
