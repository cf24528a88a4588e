//! Writes one of each chart to the directory given (default `target/charts`)
//! so people can look at them: `cargo run -p duban-chart --example sample`.

use duban_chart::*;

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/charts".to_string());
    std::fs::create_dir_all(&dir)?;
    let rows: Vec<(String, u64, u64, u64)> = [
        ("重点项目建设攻坚", 20, 5, 2),
        ("招商引资攻坚", 8, 2, 0),
        ("营商环境优化提升攻坚", 15, 1, 1),
        ("乡村振兴攻坚", 9, 0, 3),
    ]
    .iter()
    .map(|(l, g, y, r)| (l.to_string(), *g, *y, *r))
    .collect();
    let bars = light_bars("各攻坚行动红黄绿灯（第5期）", &rows).svg();
    let line = LineChart {
        title: "报送率与按时报送率".into(),
        categories: (1..=12).map(|i| format!("第{i}期")).collect(),
        series: vec![
            LineSeries {
                name: "报送率".into(),
                stroke: "#1565c0".into(),
                dash: None,
                values: (0..12).map(|i| Some(70.0 + i as f64 * 2.5)).collect(),
            },
            LineSeries {
                name: "按时报送率".into(),
                stroke: "#6a1b9a".into(),
                dash: Some("6 3".into()),
                values: (0..12).map(|i| Some(55.0 + i as f64 * 3.0)).collect(),
            },
        ],
        y_max: Some(100.0),
        unit: "%".into(),
    }
    .svg();
    let bullets = BulletChart {
        title: "主要指标与序时进度".into(),
        rows: vec![
            Bullet {
                label: "固定资产投资".into(),
                target: 120.0,
                expected: 60.0,
                actual: Some(72.5),
                unit: "亿元".into(),
                verdict: "达到序时进度".into(),
            },
            Bullet {
                label: "新引进项目".into(),
                target: 40.0,
                expected: 20.0,
                actual: Some(12.0),
                unit: "个".into(),
                verdict: "未达序时进度".into(),
            },
        ],
    }
    .svg();
    for (name, svg) in [("bars", bars), ("line", line), ("bullets", bullets)] {
        std::fs::write(format!("{dir}/{name}.svg"), svg)?;
    }
    Ok(())
}
