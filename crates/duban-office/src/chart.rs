//! The bulletin's chart: the dashboard's SVG (`duban-chart`, the same code
//! the pages use) rasterised to PNG with `resvg`, fonts from the system
//! (fontdb; Noto CJK on Debian), so the DOCX embeds a picture Word and WPS
//! show without any SVG support.

use crate::model::Ledger;
use crate::OfficeError;
use std::sync::{Arc, OnceLock};

/// Pixels per SVG unit: the chart is printed 156 mm wide, so twice its
/// viewBox width keeps the text sharp on paper.
const SCALE: f32 = 3.0;

/// The light bars of the ledger's campaigns, as SVG.
pub fn light_svg(l: &Ledger, title: &str) -> String {
    let rows: Vec<(String, u64, u64, u64)> = l
        .campaigns
        .iter()
        .map(|c| {
            (
                crate::bulletin::short(&c.title).to_string(),
                c.counts.green as u64,
                c.counts.yellow as u64,
                c.counts.red as u64,
            )
        })
        .collect();
    duban_chart::light_bars(title, &rows).svg()
}

/// System fonts, loaded once per process (loading them takes a while).
fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_system_fonts();
        Arc::new(db)
    })
    .clone()
}

/// Rasterises an SVG to PNG; returns the bytes and the pixel size.
pub fn png(svg: &str) -> Result<(Vec<u8>, u32, u32), OfficeError> {
    let opt = resvg::usvg::Options {
        fontdb: fonts(),
        ..Default::default()
    };
    let tree =
        resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| OfficeError::Chart(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * SCALE).ceil() as u32,
        (size.height() * SCALE).ceil() as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1))
        .ok_or_else(|| OfficeError::Chart("empty chart".into()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap
        .encode_png()
        .map_err(|e| OfficeError::Chart(e.to_string()))?;
    Ok((bytes, w, h))
}
