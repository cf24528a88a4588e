//! The charts duban draws, as plain SVG strings: stacked light bars per
//! campaign, rate lines over a year's cycles and indicator bullet charts.
//!
//! # Why our own small writer and not `plotters`
//! `plotters` (MIT) is a fine plotting library, but for these three charts it
//! costs more than it gives: it pulls in a font stack (`font-kit`/`ttf-parser`)
//! or measures text itself, its SVG backend writes each glyph run with its own
//! styling and coordinates we would have to post-process to add a CSS font
//! stack, `role="img"`, `<title>`/`<desc>` and in-segment labels, and it adds
//! compile time on a 2-core machine. What we need is a few hundred lines: a
//! fixed `viewBox` (so the chart prints and scales), `<rect>`, `<line>`,
//! `<polyline>` and `<text>` only, every colour as an inline `fill`/`stroke`
//! attribute (no stylesheet classes: the office bulletin rasterises the same
//! SVG with `resvg`, which sees no page CSS), Chinese labels as `<text>` with
//! a CJK font stack, every text escaped, and every colour accompanied by its
//! words and numbers (红/黄/绿 with counts), because lights are never shown by
//! colour alone. The output is deterministic, so tests can parse it back.
//!
//! All geometry is computed here; callers pass numbers and labels only.

use std::fmt::Write as _;

/// The font stack for Chinese labels: the common CJK fonts of Linux, macOS
/// and Windows, then the generic family, so the text renders wherever the
/// chart is shown or rasterised.
pub const FONT_STACK: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','SimHei',sans-serif";

/// 绿: on track. Dark enough for white text (contrast ≥ 4.5:1).
pub const GREEN: &str = "#2e7d32";
/// 黄: behind. Light, so its labels are dark.
pub const YELLOW: &str = "#f9a825";
/// 红: overdue or far behind.
pub const RED: &str = "#c62828";

/// Width of every chart's `viewBox`; heights depend on the number of rows.
pub const WIDTH: f64 = 640.0;

/// One series of a stacked bar chart: its name (shown in the legend and in
/// each bar's text) and its fill colour.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesStyle {
    pub name: String,
    pub fill: String,
    /// Colour of a count written inside a segment of this series.
    pub text_fill: String,
}

/// One horizontal bar: a label and one count per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub values: Vec<u64>,
}

/// Horizontal stacked bars (horizontal because campaign names are long
/// Chinese labels that would not fit under vertical bars). Every bar's
/// segment widths are proportional to its counts on one scale shared by all
/// bars; every segment wide enough carries its count, and every bar ends with
/// its counts in words ("绿 12 · 黄 3 · 红 1"), so no count is told by colour
/// alone.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedBars {
    pub title: String,
    pub series: Vec<SeriesStyle>,
    pub bars: Vec<Bar>,
}

/// The three light series in the order 绿, 黄, 红.
pub fn light_series() -> Vec<SeriesStyle> {
    let s = |name: &str, fill: &str, text: &str| SeriesStyle {
        name: name.to_string(),
        fill: fill.to_string(),
        text_fill: text.to_string(),
    };
    vec![
        s("绿", GREEN, "#ffffff"),
        s("黄", YELLOW, "#1a1a1a"),
        s("红", RED, "#ffffff"),
    ]
}

/// Stacked 绿/黄/红 bars, one per `(label, green, yellow, red)`.
pub fn light_bars(title: &str, rows: &[(String, u64, u64, u64)]) -> StackedBars {
    StackedBars {
        title: title.to_string(),
        series: light_series(),
        bars: rows
            .iter()
            .map(|(label, g, y, r)| Bar {
                label: label.clone(),
                values: vec![*g, *y, *r],
            })
            .collect(),
    }
}

/// Layout constants of the stacked bars, public so tests and callers can
/// reason about positions.
pub mod bars_layout {
    /// Left edge of the bars (labels are to its left).
    pub const X0: f64 = 150.0;
    /// Width of the longest bar.
    pub const PLOT_W: f64 = 300.0;
    /// Top of the first bar.
    pub const Y0: f64 = 60.0;
    /// Distance between two bars' tops.
    pub const ROW_H: f64 = 30.0;
    /// Thickness of a bar.
    pub const BAR_H: f64 = 20.0;
}

impl StackedBars {
    pub fn svg(&self) -> String {
        use bars_layout::*;
        let rows = self.bars.len().max(1) as f64;
        let height = Y0 + rows * ROW_H + 12.0;
        let mut desc = Vec::new();
        for b in &self.bars {
            desc.push(format!(
                "{}：{}",
                b.label,
                self.counts_text(&b.values, "，")
            ));
        }
        let desc = if desc.is_empty() {
            "暂无数据".to_string()
        } else {
            desc.join("；")
        };
        let mut s = Svg::new(WIDTH, height, &self.title, &desc);
        s.text(8.0, 22.0, 15.0, "start", "#1a1a1a", true, &self.title);
        self.legend(&mut s);
        let max_total = self
            .bars
            .iter()
            .map(|b| b.values.iter().sum::<u64>())
            .max()
            .unwrap_or(0);
        if self.bars.is_empty() || max_total == 0 {
            s.text(X0, Y0 + 15.0, 13.0, "start", "#555555", false, "暂无数据");
        }
        for (i, b) in self.bars.iter().enumerate() {
            let y = Y0 + i as f64 * ROW_H;
            s.text(
                X0 - 8.0,
                y + 15.0,
                13.0,
                "end",
                "#1a1a1a",
                false,
                &truncate(&b.label, X0 - 16.0, 13.0),
            );
            let mut x = X0;
            if max_total > 0 {
                for (v, style) in b.values.iter().zip(&self.series) {
                    if *v == 0 {
                        continue;
                    }
                    let w = *v as f64 / max_total as f64 * PLOT_W;
                    s.rect(x, y, w, BAR_H, &style.fill);
                    let label = v.to_string();
                    if w >= text_width(&label, 12.0) + 4.0 {
                        s.text(
                            x + w / 2.0,
                            y + 14.5,
                            12.0,
                            "middle",
                            &style.text_fill,
                            true,
                            &label,
                        );
                    }
                    x += w;
                }
            }
            s.text(
                X0 + PLOT_W + 8.0,
                y + 15.0,
                12.0,
                "start",
                "#1a1a1a",
                false,
                &self.counts_text(&b.values, " · "),
            );
        }
        s.finish()
    }

    fn counts_text(&self, values: &[u64], sep: &str) -> String {
        self.series
            .iter()
            .zip(values)
            .map(|(st, v)| format!("{} {}", st.name, v))
            .collect::<Vec<_>>()
            .join(sep)
    }

    fn legend(&self, s: &mut Svg) {
        let mut x = bars_layout::X0;
        for st in &self.series {
            s.rect(x, 34.0, 12.0, 12.0, &st.fill);
            s.text(x + 16.0, 44.5, 12.0, "start", "#1a1a1a", false, &st.name);
            x += 28.0 + text_width(&st.name, 12.0);
        }
    }
}

/// One line of a [`LineChart`]. `None` is a cycle without a value (the line
/// is broken there rather than drawn through a made-up point).
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    pub name: String,
    pub stroke: String,
    /// SVG `stroke-dasharray`, so series differ by pattern as well as colour.
    pub dash: Option<String>,
    pub values: Vec<Option<f64>>,
}

/// Values over categories (cycles), several series, up to a few dozen points.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<LineSeries>,
    /// Top of the y axis; `None` takes a round number above the data.
    pub y_max: Option<f64>,
    /// Written after every value label, e.g. "%".
    pub unit: String,
}

/// Layout constants of the line chart.
pub mod line_layout {
    pub const X0: f64 = 52.0;
    pub const X1: f64 = 624.0;
    pub const Y_TOP: f64 = 60.0;
    pub const Y_BOTTOM: f64 = 220.0;
    pub const HEIGHT: f64 = 250.0;
}

impl LineChart {
    /// The x coordinate of category `i` of `n`.
    pub fn x_of(i: usize, n: usize) -> f64 {
        use line_layout::*;
        if n <= 1 {
            (X0 + X1) / 2.0
        } else {
            X0 + (X1 - X0) * i as f64 / (n - 1) as f64
        }
    }

    /// The top of the y axis actually used.
    pub fn top(&self) -> f64 {
        if let Some(m) = self.y_max.filter(|m| m.is_finite() && *m > 0.0) {
            return m;
        }
        let max = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        nice_ceiling(max)
    }

    pub fn svg(&self) -> String {
        use line_layout::*;
        let n = self.categories.len();
        let top = self.top();
        let y_of = |v: f64| Y_BOTTOM - (v.clamp(0.0, top) / top) * (Y_BOTTOM - Y_TOP);
        let desc = {
            let parts: Vec<String> = self
                .series
                .iter()
                .map(|se| {
                    let vals: Vec<String> = self
                        .categories
                        .iter()
                        .zip(&se.values)
                        .map(|(c, v)| match v {
                            Some(v) => format!("{c} {}{}", fmt_num(*v), self.unit),
                            None => format!("{c} 无"),
                        })
                        .collect();
                    format!("{}：{}", se.name, vals.join("，"))
                })
                .collect();
            if parts.is_empty() || n == 0 {
                "暂无数据".to_string()
            } else {
                parts.join("；")
            }
        };
        let mut s = Svg::new(WIDTH, HEIGHT, &self.title, &desc);
        s.text(8.0, 22.0, 15.0, "start", "#1a1a1a", true, &self.title);
        // Legend: a short stroke in the series' colour and pattern, then its name.
        let mut x = X0;
        for se in &self.series {
            s.line(x, 40.0, x + 22.0, 40.0, &se.stroke, 2.5, se.dash.as_deref());
            s.text(x + 26.0, 44.5, 12.0, "start", "#1a1a1a", false, &se.name);
            x += 40.0 + text_width(&se.name, 12.0);
        }
        // Grid: five lines with their values.
        for k in 0..=4 {
            let v = top * k as f64 / 4.0;
            let y = y_of(v);
            s.line(X0, y, X1, y, "#d9d9d9", 1.0, None);
            s.text(
                X0 - 6.0,
                y + 4.0,
                11.0,
                "end",
                "#555555",
                false,
                &format!("{}{}", fmt_num(v), self.unit),
            );
        }
        if n == 0 || self.series.is_empty() {
            s.text(
                (X0 + X1) / 2.0,
                (Y_TOP + Y_BOTTOM) / 2.0,
                13.0,
                "middle",
                "#555555",
                false,
                "暂无数据",
            );
            return s.finish();
        }
        // At most about eight category labels, always the first and last.
        let step = n.div_ceil(8).max(1);
        for (i, c) in self.categories.iter().enumerate() {
            // The last label is always shown; a regular tick too close
            // before it is dropped so the two do not overlap.
            let last = i + 1 == n;
            let crowds_last = !last && n - 1 - i < step;
            if last || (i % step == 0 && !(crowds_last && i > 0)) {
                let anchor = if n > 1 && i == 0 {
                    "start"
                } else if n > 1 && i + 1 == n {
                    "end"
                } else {
                    "middle"
                };
                s.text(
                    Self::x_of(i, n),
                    Y_BOTTOM + 18.0,
                    11.0,
                    anchor,
                    "#555555",
                    false,
                    c,
                );
            }
        }
        let mut last_labels: Vec<(usize, f64, f64, String)> = Vec::new();
        for se in &self.series {
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs = Vec::new();
            for (i, v) in se.values.iter().take(n).enumerate() {
                match v.filter(|v| v.is_finite()) {
                    Some(v) => run.push((Self::x_of(i, n), y_of(v))),
                    None => {
                        if !run.is_empty() {
                            runs.push(std::mem::take(&mut run));
                        }
                    }
                }
            }
            if !run.is_empty() {
                runs.push(run);
            }
            for r in &runs {
                if r.len() > 1 {
                    s.polyline(r, &se.stroke, se.dash.as_deref());
                }
                for (x, y) in r {
                    s.rect(x - 2.5, y - 2.5, 5.0, 5.0, &se.stroke);
                }
            }
            // The latest value in words at its point (placed below, after
            // every line is drawn, so labels can be kept apart).
            if let Some((i, v)) = se
                .values
                .iter()
                .take(n)
                .enumerate()
                .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i, v)))
                .next_back()
            {
                last_labels.push((i, y_of(v) - 7.0, v, se.stroke.clone()));
            }
        }
        // Labels closer than a line of text are pushed down one under the
        // other, so several series ending together stay readable.
        last_labels.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut floor = f64::MIN;
        for (i, y, v, stroke) in last_labels {
            let y = y.max(floor + 12.0);
            floor = y;
            let anchor = if i + 1 == n && n > 1 { "end" } else { "middle" };
            s.text(
                Self::x_of(i, n),
                y,
                11.0,
                anchor,
                &stroke,
                true,
                &format!("{}{}", fmt_num(v), self.unit),
            );
        }
        s.finish()
    }
}

/// One indicator of a [`BulletChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bullet {
    pub label: String,
    /// The year's target.
    pub target: f64,
    /// The time-proportional expected value today (序时进度).
    pub expected: f64,
    /// The year-to-date value; `None` when nothing was reported.
    pub actual: Option<f64>,
    /// Unit of measure, written after the numbers (e.g. "亿元", "%").
    pub unit: String,
    /// Whether the indicator is on track, in words (e.g. "达到序时进度").
    pub verdict: String,
}

/// Indicators against their targets: per row a pale band up to the target, a
/// dark bar for the year-to-date value, a blue mark at the expected value and
/// a black mark at the target, and the three numbers and the verdict in words
/// under the bar. Each row has its own scale (indicators have different
/// units), from 0 to the largest of its three numbers plus a tenth.
#[derive(Debug, Clone, PartialEq)]
pub struct BulletChart {
    pub title: String,
    pub rows: Vec<Bullet>,
}

/// Layout constants of the bullet chart.
pub mod bullet_layout {
    pub const X0: f64 = 150.0;
    pub const PLOT_W: f64 = 460.0;
    pub const Y0: f64 = 60.0;
    pub const ROW_H: f64 = 46.0;
    pub const BAND_H: f64 = 18.0;
    pub const BAR_H: f64 = 8.0;
}

impl BulletChart {
    /// The scale maximum of a row.
    pub fn row_max(b: &Bullet) -> f64 {
        let m = [b.target, b.expected, b.actual.unwrap_or(0.0)]
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        if m > 0.0 {
            m * 1.1
        } else {
            1.0
        }
    }

    pub fn svg(&self) -> String {
        use bullet_layout::*;
        let height = Y0 + self.rows.len().max(1) as f64 * ROW_H + 6.0;
        let desc = if self.rows.is_empty() {
            "暂无数据".to_string()
        } else {
            self.rows
                .iter()
                .map(|b| format!("{}：{}", b.label, Self::numbers(b)))
                .collect::<Vec<_>>()
                .join("；")
        };
        let mut s = Svg::new(WIDTH, height, &self.title, &desc);
        s.text(8.0, 22.0, 15.0, "start", "#1a1a1a", true, &self.title);
        // Legend in words.
        s.rect(X0, 36.0, 18.0, 8.0, "#37474f");
        s.text(
            X0 + 22.0,
            44.5,
            12.0,
            "start",
            "#1a1a1a",
            false,
            "实际（年度累计）",
        );
        let x = X0 + 130.0;
        s.line(x, 33.0, x, 47.0, "#1565c0", 3.0, None);
        s.text(x + 6.0, 44.5, 12.0, "start", "#1a1a1a", false, "序时进度");
        let x = x + 80.0;
        s.line(x, 33.0, x, 47.0, "#1a1a1a", 3.0, None);
        s.text(x + 6.0, 44.5, 12.0, "start", "#1a1a1a", false, "目标");
        if self.rows.is_empty() {
            s.text(X0, Y0 + 15.0, 13.0, "start", "#555555", false, "暂无数据");
        }
        for (i, b) in self.rows.iter().enumerate() {
            let y = Y0 + i as f64 * ROW_H;
            let max = Self::row_max(b);
            let x_of = |v: f64| X0 + (v.max(0.0) / max).min(1.0) * PLOT_W;
            s.text(
                X0 - 8.0,
                y + 14.0,
                13.0,
                "end",
                "#1a1a1a",
                false,
                &truncate(&b.label, X0 - 16.0, 13.0),
            );
            s.rect(X0, y, PLOT_W, BAND_H, "#eeeeee");
            s.rect(X0, y, x_of(b.target) - X0, BAND_H, "#cfd8dc");
            if let Some(a) = b.actual.filter(|a| a.is_finite()) {
                s.rect(
                    X0,
                    y + (BAND_H - BAR_H) / 2.0,
                    x_of(a) - X0,
                    BAR_H,
                    "#37474f",
                );
            }
            let xe = x_of(b.expected);
            s.line(xe, y - 2.0, xe, y + BAND_H + 2.0, "#1565c0", 3.0, None);
            let xt = x_of(b.target);
            s.line(xt, y - 2.0, xt, y + BAND_H + 2.0, "#1a1a1a", 3.0, None);
            s.text(
                X0,
                y + BAND_H + 15.0,
                11.0,
                "start",
                "#333333",
                false,
                &Self::numbers(b),
            );
        }
        s.finish()
    }

    fn numbers(b: &Bullet) -> String {
        let u = &b.unit;
        let actual = match b.actual {
            Some(a) => format!("{}{u}", fmt_num(a)),
            None => "未报送".to_string(),
        };
        let mut text = format!(
            "实际 {actual} · 序时 {}{u} · 目标 {}{u}",
            fmt_num(b.expected),
            fmt_num(b.target)
        );
        if !b.verdict.is_empty() {
            let _ = write!(text, " · {}", b.verdict);
        }
        text
    }
}

/// A number as people write it: no trailing zeros, at most two decimals.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A round number at or above `v` (1, 2, 2.5, 5 × a power of ten), so the
/// grid lines carry readable values.
fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= v {
            return m * p;
        }
    }
    10.0 * p
}

/// Estimated width of a text: CJK characters are square, Latin digits and
/// letters about six tenths of the font size.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.6 * size } else { size })
        .sum()
}

/// The text cut to fit `width`, with an ellipsis when cut (the full text is
/// in the chart's `<desc>`).
fn truncate(s: &str, width: f64, size: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = size; // room for the ellipsis
    for c in s.chars() {
        let cw = if c.is_ascii() { 0.6 * size } else { size };
        if w + cw > width {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// Escapes text and attribute values for XML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Coordinates with one decimal: enough for print, short in the page.
fn n(v: f64) -> String {
    fmt1(if v.is_finite() { v } else { 0.0 })
}

fn fmt1(v: f64) -> String {
    let s = format!("{:.1}", v);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A tiny SVG writer: the few elements the charts use, every colour inline.
struct Svg {
    out: String,
}

impl Svg {
    fn new(width: f64, height: f64, title: &str, desc: &str) -> Svg {
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
             role=\"img\" font-family=\"{font}\"><title>{title}</title><desc>{desc}</desc>\
             <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>",
            w = n(width),
            h = n(height),
            font = escape(FONT_STACK),
            title = escape(title),
            desc = escape(desc),
        );
        Svg { out }
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0)),
            escape(fill)
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let _ = write!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            escape(stroke),
            n(width)
        );
        if let Some(d) = dash {
            let _ = write!(self.out, " stroke-dasharray=\"{}\"", escape(d));
        }
        self.out.push_str("/>");
    }

    fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, dash: Option<&str>) {
        let pts: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
            .collect();
        let _ = write!(
            self.out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"",
            pts.join(" "),
            escape(stroke)
        );
        if let Some(d) = dash {
            let _ = write!(self.out, " stroke-dasharray=\"{}\"", escape(d));
        }
        self.out.push_str("/>");
    }

    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        x: f64,
        y: f64,
        size: f64,
        anchor: &str,
        fill: &str,
        bold: bool,
        text: &str,
    ) {
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{}\"{}>{}</text>",
            n(x),
            n(y),
            n(size),
            anchor,
            escape(fill),
            if bold { " font-weight=\"bold\"" } else { "" },
            escape(text)
        );
    }

    fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

#[cfg(test)]
mod tests;
