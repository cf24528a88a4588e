//! Each chart is parsed back as XML and its geometry checked against the data.

use super::*;

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).expect("chart is well-formed XML")
}

fn num(node: roxmltree::Node, attr: &str) -> f64 {
    node.attribute(attr)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{attr} on {:?}", node.tag_name()))
}

fn elements<'a>(doc: &'a roxmltree::Document<'a>, tag: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == tag)
        .collect()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    elements(doc, "text")
        .iter()
        .map(|t| t.text().unwrap_or("").to_string())
        .collect()
}

fn rects_with_fill<'a>(
    doc: &'a roxmltree::Document<'a>,
    fill: &str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    elements(doc, "rect")
        .into_iter()
        .filter(|r| r.attribute("fill") == Some(fill))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.11
}

#[test]
fn stacked_bars_are_proportional_and_labelled() {
    let rows = vec![
        ("重点项目建设攻坚".to_string(), 6, 3, 1),
        ("营商环境优化".to_string(), 2, 0, 0),
    ];
    let svg = light_bars("各攻坚行动红黄绿灯", &rows).svg();
    let doc = parse(&svg);
    let root = doc.root_element();
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("viewBox"), Some("0 0 640 132"));
    assert!(root
        .attribute("font-family")
        .unwrap()
        .contains("Noto Sans CJK SC"));
    let title = elements(&doc, "title");
    assert_eq!(title[0].text(), Some("各攻坚行动红黄绿灯"));
    let desc = elements(&doc, "desc")[0].text().unwrap().to_string();
    assert_eq!(
        desc,
        "重点项目建设攻坚：绿 6，黄 3，红 1；营商环境优化：绿 2，黄 0，红 0"
    );

    // The longest bar (10 tasks) spans the plot; each segment's width is
    // its share of it: 6/10, 3/10, 1/10; the second bar's green 2/10.
    let w = bars_layout::PLOT_W;
    let green = rects_with_fill(&doc, GREEN);
    // The legend swatch is the first green rect.
    assert_eq!(green.len(), 3);
    assert!(close(num(green[1], "width"), w * 0.6));
    assert!(close(num(green[1], "x"), bars_layout::X0));
    assert!(close(num(green[2], "width"), w * 0.2));
    assert!(close(
        num(green[2], "y"),
        bars_layout::Y0 + bars_layout::ROW_H
    ));
    let yellow = rects_with_fill(&doc, YELLOW);
    assert_eq!(yellow.len(), 2, "no segment for a zero count");
    assert!(close(num(yellow[1], "x"), bars_layout::X0 + w * 0.6));
    assert!(close(num(yellow[1], "width"), w * 0.3));
    let red = rects_with_fill(&doc, RED);
    assert!(close(num(red[1], "x"), bars_layout::X0 + w * 0.9));
    assert!(close(num(red[1], "width"), w * 0.1));

    let t = texts(&doc);
    for expected in [
        "重点项目建设攻坚",
        "绿 6 · 黄 3 · 红 1",
        "绿 2 · 黄 0 · 红 0",
        "6",
        "3",
        "1",
        "绿",
        "黄",
        "红",
    ] {
        assert!(t.iter().any(|x| x == expected), "{expected} in {t:?}");
    }
}

#[test]
fn stacked_bars_without_data_say_so() {
    for rows in [vec![], vec![("空".to_string(), 0, 0, 0)]] {
        let svg = light_bars("无", &rows).svg();
        let doc = parse(&svg);
        assert!(texts(&doc).iter().any(|t| t == "暂无数据"));
        // No data segment: only the legend swatches carry light colours.
        assert_eq!(rects_with_fill(&doc, GREEN).len(), 1);
        assert_eq!(rects_with_fill(&doc, RED).len(), 1);
    }
}

#[test]
fn text_is_escaped_and_long_labels_are_cut() {
    let rows = vec![("<A&B> \"引号\" 一二三四五六七八九十".to_string(), 1, 0, 0)];
    let svg = light_bars("标题 <&>", &rows).svg();
    let doc = parse(&svg);
    assert_eq!(elements(&doc, "title")[0].text(), Some("标题 <&>"));
    // The full label stays in the description; the drawn one ends with "…".
    assert!(elements(&doc, "desc")[0]
        .text()
        .unwrap()
        .contains("<A&B> \"引号\" 一二三四五六七八九十"));
    assert!(texts(&doc)
        .iter()
        .any(|t| t.starts_with("<A&B>") && t.ends_with('…')));
}

#[test]
fn line_points_are_proportional() {
    let chart = LineChart {
        title: "报送率趋势".to_string(),
        categories: vec!["第1期".into(), "第2期".into(), "第3期".into()],
        series: vec![
            LineSeries {
                name: "报送率".into(),
                stroke: "#1565c0".into(),
                dash: None,
                values: vec![Some(50.0), Some(75.0), Some(100.0)],
            },
            LineSeries {
                name: "按时率".into(),
                stroke: "#6a1b9a".into(),
                dash: Some("6 3".into()),
                values: vec![Some(25.0), None, Some(0.0)],
            },
        ],
        y_max: Some(100.0),
        unit: "%".into(),
    };
    let doc_s = chart.svg();
    let doc = parse(&doc_s);
    let polylines = elements(&doc, "polyline");
    // The second series has a gap, so only the first draws a line.
    assert_eq!(polylines.len(), 1);
    let pts: Vec<(f64, f64)> = polylines[0]
        .attribute("points")
        .unwrap()
        .split(' ')
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect();
    use line_layout::*;
    let h = Y_BOTTOM - Y_TOP;
    assert_eq!(pts.len(), 3);
    assert!(close(pts[0].0, X0) && close(pts[2].0, X1));
    assert!(close(pts[1].0, (X0 + X1) / 2.0));
    assert!(close(pts[0].1, Y_BOTTOM - h * 0.5));
    assert!(close(pts[1].1, Y_BOTTOM - h * 0.75));
    assert!(close(pts[2].1, Y_TOP));
    // Markers: three for the first series, two for the second (one gap).
    assert_eq!(rects_with_fill(&doc, "#6a1b9a").len(), 2);
    let t = texts(&doc);
    for expected in ["报送率", "按时率", "第1期", "第3期", "100%", "0%", "50%"] {
        assert!(t.iter().any(|x| x == expected), "{expected} in {t:?}");
    }
    let desc = elements(&doc, "desc")[0].text().unwrap().to_string();
    assert!(
        desc.contains("按时率：第1期 25%，第2期 无，第3期 0%"),
        "{desc}"
    );
}

#[test]
fn line_chart_thins_labels_and_handles_empty() {
    let n = 26;
    let chart = LineChart {
        title: "t".into(),
        categories: (1..=n).map(|i| format!("第{i}期")).collect(),
        series: vec![LineSeries {
            name: "s".into(),
            stroke: "#000000".into(),
            dash: None,
            values: (0..n).map(|i| Some(i as f64)).collect(),
        }],
        y_max: None,
        unit: String::new(),
    };
    let svg = chart.svg();
    let doc = parse(&svg);
    let cats: Vec<String> = texts(&doc)
        .into_iter()
        .filter(|t| t.starts_with('第'))
        .collect();
    assert!(cats.len() <= 9 && cats.len() >= 5, "{cats:?}");
    assert_eq!(cats.first().map(String::as_str), Some("第1期"));
    assert_eq!(cats.last().map(String::as_str), Some("第26期"));
    // Max 25 is already round (2.5 × 10); 26 would top at 50.
    assert_eq!(chart.top(), 25.0);
    assert_eq!(nice_ceiling(26.0), 50.0);

    let empty = LineChart {
        title: "空".into(),
        categories: vec![],
        series: vec![],
        y_max: None,
        unit: "%".into(),
    };
    let svg = empty.svg();
    let doc = parse(&svg);
    assert!(texts(&doc).iter().any(|t| t == "暂无数据"));
    assert!(elements(&doc, "polyline").is_empty());
}

#[test]
fn bullets_place_actual_expected_and_target_on_one_scale() {
    let chart = BulletChart {
        title: "主要指标".into(),
        rows: vec![
            Bullet {
                label: "固定资产投资增速".into(),
                target: 10.0,
                expected: 5.0,
                actual: Some(4.0),
                unit: "%".into(),
                verdict: "未达序时进度".into(),
            },
            Bullet {
                label: "未报".into(),
                target: 0.0,
                expected: 0.0,
                actual: None,
                unit: "亿元".into(),
                verdict: String::new(),
            },
        ],
    };
    let svg = chart.svg();
    let doc = parse(&svg);
    use bullet_layout::*;
    // Row 1: scale 0..11; actual bar 4/11 of the width, expected mark at
    // 5/11, target mark at 10/11.
    let bars = rects_with_fill(&doc, "#37474f");
    assert_eq!(
        bars.len(),
        2,
        "legend swatch + one actual bar (row 2 has none)"
    );
    assert!(close(num(bars[1], "width"), PLOT_W * 4.0 / 11.0));
    let blue: Vec<f64> = elements(&doc, "line")
        .iter()
        .filter(|l| l.attribute("stroke") == Some("#1565c0"))
        .map(|l| num(*l, "x1"))
        .collect();
    assert!(close(blue[1], X0 + PLOT_W * 5.0 / 11.0), "{blue:?}");
    let black: Vec<f64> = elements(&doc, "line")
        .iter()
        .filter(|l| l.attribute("stroke") == Some("#1a1a1a"))
        .map(|l| num(*l, "x1"))
        .collect();
    assert!(close(black[1], X0 + PLOT_W * 10.0 / 11.0), "{black:?}");
    // Row 2: all zero → scale 0..1, marks at the origin, no NaN anywhere.
    assert!(close(black[2], X0));
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
    let t = texts(&doc);
    assert!(t.contains(&"实际 4% · 序时 5% · 目标 10% · 未达序时进度".to_string()));
    assert!(t.contains(&"实际 未报送 · 序时 0亿元 · 目标 0亿元".to_string()));
}

#[test]
fn numbers_read_naturally() {
    let cases = [
        (0.0, "0"),
        (12.0, "12"),
        (12.5, "12.5"),
        (1.234, "1.23"),
        (-0.001, "0"),
        (f64::NAN, "—"),
    ];
    for (v, s) in cases {
        assert_eq!(fmt_num(v), s, "{v}");
    }
    assert_eq!(nice_ceiling(87.0), 100.0);
    assert_eq!(nice_ceiling(3.1), 5.0);
    assert_eq!(nice_ceiling(0.0), 1.0);
}

#[test]
fn last_value_labels_do_not_overlap() {
    let same = |name: &str, stroke: &str| LineSeries {
        name: name.into(),
        stroke: stroke.into(),
        dash: None,
        values: vec![Some(40.0), Some(50.0)],
    };
    let chart = LineChart {
        title: "t".into(),
        categories: vec!["a".into(), "b".into()],
        series: vec![
            same("甲", "#111111"),
            same("乙", "#222222"),
            same("丙", "#333333"),
        ],
        y_max: Some(100.0),
        unit: "%".into(),
    };
    let svg = chart.svg();
    let doc = parse(&svg);
    let mut ys: Vec<f64> = elements(&doc, "text")
        .into_iter()
        .filter(|t| t.text() == Some("50%") && t.attribute("font-weight") == Some("bold"))
        .map(|t| num(t, "y"))
        .collect();
    ys.sort_by(f64::total_cmp);
    assert_eq!(ys.len(), 3);
    assert!(ys.windows(2).all(|w| w[1] - w[0] >= 12.0 - 1e-9), "{ys:?}");
}
