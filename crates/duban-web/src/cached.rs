//! Read responses serialised once per ledger version (issue 12).
//!
//! The big reads (`…/tasks` is ~270 KB of JSON for the sample) were
//! encoded for every request; at 100 concurrent clients that encoding, not
//! the database, set the tail latency. Here a response body is built,
//! serialised, hashed (its `ETag`) and compressed (gzip and br) once per
//! version of what it depends on (the region's catalog or ledger version,
//! read from the database, so correct across processes), then served as
//! bytes: `If-None-Match` with the current tag is a 304 without a body, and
//! a client that accepts br or gzip gets the precompressed body. Responses
//! that are not cached here are compressed by the `tower-http` layer in
//! [`crate::hygiene`]; it leaves these alone because they already carry a
//! `Content-Encoding`.

use crate::cache::SingleFlight;
use crate::ApiError;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::future::Future;

/// Distinct (region, route, query) bodies kept; past it the cache starts
/// again (query strings are chosen by clients, so the key space is open).
const MAX_ENTRIES: usize = 2048;

/// Bodies under this size are sent as they are: compressing them saves
/// less than it costs.
const COMPRESS_FROM: usize = 1024;

pub struct Reads {
    /// Built once per (key, version): when a version changes under 100
    /// concurrent readers, one builds it and the others wait for it
    /// instead of all serialising and compressing the same bytes at once
    /// (measured: without it the first seconds after a change served 17
    /// requests/s with p50 1.3 s on `…/tasks`). Reads of other keys are
    /// not held up by the build.
    bodies: SingleFlight<Body>,
}

impl Default for Reads {
    fn default() -> Self {
        Reads {
            bodies: SingleFlight::with_capacity(MAX_ENTRIES),
        }
    }
}

/// One serialised response and its compressed forms.
struct Body {
    json: Bytes,
    etag: HeaderValue,
    gzip: Option<Bytes>,
    br: Option<Bytes>,
}

impl Body {
    fn new(json: Vec<u8>) -> Body {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&json);
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let etag = HeaderValue::from_str(&format!("\"{hex}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        let (gzip, br) = if json.len() >= COMPRESS_FROM {
            (gzip(&json), brotli(&json))
        } else {
            (None, None)
        };
        Body {
            json: Bytes::from(json),
            etag,
            gzip,
            br,
        }
    }
}

fn gzip(data: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).ok()?;
    e.finish().ok().map(Bytes::from)
}

fn brotli(data: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    // Quality 5: most of brotli's gain at a small part of its top cost
    // (paid once per version, but on the request that meets the change).
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(data).ok()?;
        w.flush().ok()?;
    }
    Some(Bytes::from(out))
}

/// The encodings a client accepts, from `Accept-Encoding` (`q=0` refuses).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn not_modified(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(tag) = etag.to_str() else { return false };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

impl Reads {
    /// The response for `key` at `version`: from the cache, or built by
    /// `build`, serialised and kept. `key` names everything the body
    /// depends on besides the version (region, route, query).
    pub async fn json<T, F, Fut>(
        &self,
        headers: &HeaderMap,
        key: String,
        version: i64,
        build: F,
    ) -> Result<Response, ApiError>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let body = self
            .bodies
            .get_with(&key, version, || async {
                let value = build().await?;
                let json = serde_json::to_vec(&value).map_err(|e| {
                    ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        format!("无法生成 JSON：{e}。/ Cannot encode JSON: {e}."),
                    )
                })?;
                Ok::<_, ApiError>(Body::new(json))
            })
            .await?;
        Ok(respond(headers, &body))
    }
}

fn respond(headers: &HeaderMap, body: &Body) -> Response {
    let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
    if not_modified(headers, &body.etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, body.etag.clone()), vary],
        )
            .into_response();
    }
    let json = (
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let encoded = [("br", &body.br), ("gzip", &body.gzip)]
        .into_iter()
        .find_map(|(name, bytes)| {
            bytes
                .as_ref()
                .filter(|_| accepts(headers, name))
                .map(|b| (name, b.clone()))
        });
    match encoded {
        Some((name, bytes)) => (
            [
                json,
                (header::ETAG, body.etag.clone()),
                vary,
                (header::CONTENT_ENCODING, HeaderValue::from_static(name)),
            ],
            bytes,
        )
            .into_response(),
        None => (
            [json, (header::ETAG, body.etag.clone()), vary],
            body.json.clone(),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: header::HeaderName, v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(name, HeaderValue::from_str(v).unwrap());
        m
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts(&h(header::ACCEPT_ENCODING, "gzip, br"), "br"));
        assert!(accepts(&h(header::ACCEPT_ENCODING, "gzip;q=0.5"), "gzip"));
        assert!(!accepts(
            &h(header::ACCEPT_ENCODING, "gzip;q=0, deflate"),
            "gzip"
        ));
        assert!(!accepts(&h(header::ACCEPT_ENCODING, "identity"), "br"));
    }

    #[test]
    fn if_none_match_matches_the_tag_weak_or_strong() {
        let tag = HeaderValue::from_static("\"abc\"");
        assert!(not_modified(
            &h(header::IF_NONE_MATCH, "\"x\", \"abc\""),
            &tag
        ));
        assert!(not_modified(&h(header::IF_NONE_MATCH, "W/\"abc\""), &tag));
        assert!(not_modified(&h(header::IF_NONE_MATCH, "*"), &tag));
        assert!(!not_modified(&h(header::IF_NONE_MATCH, "\"abd\""), &tag));
        assert!(!not_modified(&HeaderMap::new(), &tag));
    }

    #[test]
    fn compressed_bodies_decode_to_the_json() {
        use std::io::Read;
        let json = serde_json::to_vec(&vec!["推进增收减负"; 500]).unwrap();
        let body = Body::new(json.clone());
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&body.gzip.as_ref().unwrap()[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, json);
        let mut out = Vec::new();
        brotli::Decompressor::new(&body.br.as_ref().unwrap()[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, json);
        assert!(body.br.as_ref().unwrap().len() < json.len() / 5);
        // Small bodies are not compressed.
        assert!(Body::new(b"[]".to_vec()).gzip.is_none());
    }
}
