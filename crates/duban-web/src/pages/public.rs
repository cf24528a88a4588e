//! 信息公开: `/public/{region}`, the one page anyone on the internet can
//! read. It shows the published campaigns' lights, completed tasks,
//! indicator attainment and the date of the data, from the snapshots the
//! offices published (`duban_store::Published`, made of
//! `duban_core::public::PublicCampaign` and nothing else).
//!
//! Why it is built differently from the other pages: it must stay fast
//! when many people open it at once, so there is no session lookup, the
//! finished bytes (and their gzip) are kept in memory per region and
//! published-set version, answers carry a strong `ETag` (SHA-256 of the
//! page) and `Last-Modified` (the last publish or withdraw), conditional
//! requests get 304, and `Cache-Control: public, max-age=60` (set here,
//! which the global `no-store` of `hygiene.rs` does not override) lets
//! browsers and proxies keep it for a minute.

use super::{PageError, PAGE_CSP};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use duban_core::dates::Date;
use duban_core::public::PublicCampaign;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a cached page is served without asking the ledger whether the
/// published set changed. Publishing through this server forgets the
/// region's page at once; a publish by another process (the CLI) shows
/// within this time.
const FRESH: Duration = Duration::from_secs(1);

/// What browsers and proxies may do with the page: keep it for a minute.
const CACHE_CONTROL: &str = "public, max-age=60";

/// One region's finished page.
#[derive(Clone)]
struct Rendered {
    region_id: String,
    version: i64,
    etag: HeaderValue,
    /// The last publish or withdraw, to the second.
    last_modified: Option<(SystemTime, HeaderValue)>,
    html: Bytes,
    gzip: Bytes,
    checked: Instant,
}

/// The public pages, by the region key as asked (id or name). Only keys of
/// existing regions are kept, so the map is bounded by the regions.
#[derive(Default)]
pub struct PublicCache {
    map: Mutex<HashMap<String, Arc<Rendered>>>,
}

impl PublicCache {
    fn get(&self, key: &str) -> Option<Arc<Rendered>> {
        self.map.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: &str, page: Rendered) -> Arc<Rendered> {
        let page = Arc::new(page);
        if let Ok(mut map) = self.map.lock() {
            map.insert(key.to_string(), page.clone());
        }
        page
    }

    /// Drops a region's page (after a publish or withdraw), under every key.
    pub fn forget(&self, region_id: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.retain(|_, p| p.region_id != region_id);
        }
    }
}

/// One campaign as the template shows it.
struct CampaignView {
    c: PublicCampaign,
}

impl CampaignView {
    /// "达到" / "未达到" / "未报送", in words, never by colour alone.
    fn attained(a: &Option<bool>) -> &'static str {
        match a {
            Some(true) => "达到",
            Some(false) => "未达到",
            None => "未报送",
        }
    }
}

#[derive(Template)]
#[template(path = "public.html")]
struct PublicPage {
    region: String,
    campaigns: Vec<CampaignView>,
    /// The stacked light bars of all campaigns (inline SVG from `duban-chart`).
    chart: String,
    /// The newest data date among the campaigns.
    latest: String,
}

/// `GET /public/{region}`
pub async fn page(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let cached = state.public.get(&key);
    let page = match cached {
        Some(p) if p.checked.elapsed() < FRESH => p,
        _ => {
            let region = state.store.region(&key).await?;
            let (version, _) = state.store.publication_version(&region.id).await?;
            match cached.filter(|p| p.version == version && p.region_id == region.id) {
                Some(p) => state.public.put(
                    &key,
                    Rendered {
                        checked: Instant::now(),
                        ..(*p).clone()
                    },
                ),
                None => state.public.put(&key, render(&state, &region).await?),
            }
        }
    };
    Ok(respond(&page, &headers))
}

async fn render(state: &AppState, region: &duban_store::Region) -> Result<Rendered, PageError> {
    let published = state.store.published(&region.id).await?;
    let rows: Vec<(String, u64, u64, u64)> = published
        .campaigns
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.green as u64,
                c.yellow as u64,
                c.red as u64,
            )
        })
        .collect();
    let chart = if rows.is_empty() {
        String::new()
    } else {
        duban_chart::light_bars("各攻坚任务灯色（绿/黄/红，任务数）", &rows).svg()
    };
    let latest = published
        .campaigns
        .iter()
        .map(|c| c.data_date)
        .max()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let page = PublicPage {
        region: region.name.clone(),
        campaigns: published
            .campaigns
            .into_iter()
            .map(|c| CampaignView { c })
            .collect(),
        chart,
        latest,
    };
    let html = page.render().map_err(|e| {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("页面渲染失败。/ The page could not be rendered: {e}"),
        )
    })?;
    let gzip = {
        use std::io::Write;
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(html.as_bytes())
            .and_then(|_| z.finish())
            .map_err(|e| {
                PageError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("页面压缩失败。/ Compression failed: {e}"),
                )
            })?
    };
    let etag = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(html.as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        HeaderValue::from_str(&format!("\"{hex}\"")).map_err(|_| {
            PageError::new(StatusCode::INTERNAL_SERVER_ERROR, "ETag 无效。/ Bad ETag.")
        })?
    };
    let last_modified = published
        .last_modified
        .as_deref()
        .and_then(system_time)
        .and_then(|t| {
            HeaderValue::from_str(&httpdate::fmt_http_date(t))
                .ok()
                .map(|h| (t, h))
        });
    Ok(Rendered {
        region_id: region.id.clone(),
        version: published.version,
        etag,
        last_modified,
        html: Bytes::from(html),
        gzip: Bytes::from(gzip),
        checked: Instant::now(),
    })
}

/// A ledger timestamp (`YYYY-MM-DDTHH:MM:SS.mmmZ`, UTC) as a time, to the second.
fn system_time(ts: &str) -> Option<SystemTime> {
    let day = Date::parse(ts.get(..10)?)?;
    let days = day.days_since(Date::new(1970, 1, 1)?);
    let field = |r: std::ops::Range<usize>| ts.get(r)?.parse::<u64>().ok();
    let (h, m, s) = (field(11..13)?, field(14..16)?, field(17..19)?);
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3_600 + m * 60 + s;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Whether the client's cached copy is current: `If-None-Match` decides
/// when present (RFC 9110 §13.2.2), else `If-Modified-Since`.
fn not_modified(page: &Rendered, headers: &HeaderMap) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
        let Ok(inm) = inm.to_str() else {
            return false;
        };
        let ours = page.etag.to_str().unwrap_or_default();
        return inm
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == ours);
    }
    match (
        headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok()),
        &page.last_modified,
    ) {
        (Some(since), Some((modified, _))) => *modified <= since,
        _ => false,
    }
}

/// Whether the client takes gzip (`Accept-Encoding: gzip`, not `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

fn respond(page: &Rendered, headers: &HeaderMap) -> Response {
    let mut out = HeaderMap::new();
    out.insert(header::ETAG, page.etag.clone());
    if let Some((_, lm)) = &page.last_modified {
        out.insert(header::LAST_MODIFIED, lm.clone());
    }
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    if not_modified(page, headers) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    let body = if accepts_gzip(headers) {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        page.gzip.clone()
    } else {
        page.html.clone()
    };
    (out, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Rendered {
        Rendered {
            region_id: "r".into(),
            version: 1,
            etag: HeaderValue::from_static("\"abc\""),
            last_modified: system_time("2025-06-13T08:00:05.250Z")
                .map(|t| (t, HeaderValue::from_static("x"))),
            html: Bytes::new(),
            gzip: Bytes::new(),
            checked: Instant::now(),
        }
    }

    fn with(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn ledger_timestamps_become_http_dates() {
        let t = system_time("2025-06-13T08:00:05.250Z").unwrap();
        assert_eq!(httpdate::fmt_http_date(t), "Fri, 13 Jun 2025 08:00:05 GMT");
        assert_eq!(system_time("2025-06-13"), None);
        assert_eq!(system_time("garbage-in-garbage-out"), None);
    }

    #[test]
    fn conditional_requests_by_hand() {
        use header::{IF_MODIFIED_SINCE as IMS, IF_NONE_MATCH as INM};
        // (request headers, not modified?)
        let cases = [
            (with(&[]), false),
            (with(&[(INM, "\"abc\"")]), true),
            (with(&[(INM, "\"old\", \"abc\"")]), true),
            (with(&[(INM, "W/\"abc\"")]), true),
            (with(&[(INM, "*")]), true),
            (with(&[(INM, "\"old\"")]), false),
            // If-None-Match wins over a date that would match.
            (
                with(&[(INM, "\"old\""), (IMS, "Fri, 13 Jun 2025 09:00:00 GMT")]),
                false,
            ),
            (with(&[(IMS, "Fri, 13 Jun 2025 08:00:05 GMT")]), true),
            (with(&[(IMS, "Fri, 13 Jun 2025 08:00:04 GMT")]), false),
            (with(&[(IMS, "not a date")]), false),
        ];
        for (headers, want) in cases {
            assert_eq!(not_modified(&page(), &headers), want, "{headers:?}");
        }
    }

    #[test]
    fn gzip_only_when_accepted() {
        use header::ACCEPT_ENCODING as AE;
        let cases = [
            (with(&[]), false),
            (with(&[(AE, "gzip, deflate, br")]), true),
            (with(&[(AE, "br;q=1.0, GZIP;q=0.5")]), true),
            (with(&[(AE, "gzip;q=0")]), false),
            (with(&[(AE, "identity")]), false),
            (with(&[(AE, "*")]), true),
            (with(&[(AE, "deflate"), (AE, "gzip")]), true),
        ];
        for (headers, want) in cases {
            assert_eq!(accepts_gzip(&headers), want, "{headers:?}");
        }
    }
}
