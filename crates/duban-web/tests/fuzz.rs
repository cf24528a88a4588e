//! Property test of every write route (issue 7): random dates, numbers and
//! strings in the path and in bodies shaped after the route's own request
//! schema (from the OpenAPI document), sent as admin so they get past the
//! guard. Whatever arrives: no 5xx, no panic anywhere in the server, and
//! every refusal is the documented JSON error.

mod common;

use common::{spawn, App};
use duban_store::testing::fresh_stores;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Panics anywhere in the process (a handler, a spawned task), counted by
/// a hook: a panicking handler only drops its connection, which a status
/// check alone could miss.
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Random requests per write route and backend.
const CASES: usize = 96;

/// A scalar an attacker or a careless client might send.
fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        // Dates: valid, impossible, out of range, not dates at all.
        (0i64..=3000, 0u32..=14, 0u32..=33)
            .prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}"))),
        Just(json!("2147483647-01-01")),
        Just(json!("-0001-12-31")),
        Just(json!("2025-02-30")),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u32>().prop_map(|n| json!(n)),
        (-1e300f64..1e300).prop_map(|f| json!(f)),
        Just(json!(-0.0)),
        Just(json!(1e308)),
        any::<bool>().prop_map(|b| json!(b)),
        Just(Value::Null),
        ".{0,80}".prop_map(|s| json!(s)),
        "[ 、，,；/\\\\\\x00-\\x1f]{0,6}".prop_map(|s| json!(s)),
        Just(json!("x".repeat(70_000))),
    ]
    .boxed()
}

fn value() -> BoxedStrategy<Value> {
    scalar()
        .prop_recursive(2, 12, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

/// The property names of a request schema (following `$ref`, `oneOf` and
/// arrays), so random bodies hit real fields, not only unknown ones.
fn fields(doc: &Value, schema: &Value, out: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or("");
        return fields(doc, &doc["components"]["schemas"][name], out);
    }
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            out.push(k.clone());
            fields(doc, v, out);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for s in schema[key].as_array().into_iter().flatten() {
            fields(doc, s, out);
        }
    }
    if schema["items"].is_object() {
        fields(doc, &schema["items"], out);
    }
}

/// A body for a route with these field names: an object with a random
/// subset of them (random values), or an array of such, or any value.
fn body(names: Vec<String>) -> BoxedStrategy<Value> {
    let obj = prop::collection::vec(
        (prop::sample::select(names.clone()), value()),
        0..=names.len().max(1),
    )
    .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<String, Value>>()));
    prop_oneof![
        4 => obj.clone(),
        1 => prop::collection::vec(obj, 0..3).prop_map(Value::Array),
        1 => value(),
    ]
    .boxed()
}

fn segment(app: &App) -> BoxedStrategy<String> {
    let real = vec![
        app.task1.clone(),
        app.task2.clone(),
        app.cycle1.clone(),
        app.cycle2.clone(),
        "市人社局".to_string(),
        "1".to_string(),
        "2147483647".to_string(),
        "-1".to_string(),
    ];
    prop_oneof![
        prop::sample::select(real),
        ".{1,30}".prop_map(|s| s
            .chars()
            .filter(|c| *c != '/' && *c != '?' && *c != '#')
            .collect::<String>()),
    ]
    .prop_filter("a path segment is not empty", |s| !s.is_empty())
    .boxed()
}

#[test]
fn random_input_to_every_write_route() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for (backend, store) in rt.block_on(fresh_stores()) {
        let app = rt.block_on(spawn(store));
        let doc = serde_json::to_value(duban_web::openapi_document()).expect("document");
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
        );
        let mut requests = 0;
        for route in duban_web::route_table()
            .into_iter()
            .filter(|r| r.method != "get")
        {
            let op = &doc["paths"][&route.path][&route.method];
            let mut names = Vec::new();
            fields(
                &doc,
                &op["requestBody"]["content"]["application/json"]["schema"],
                &mut names,
            );
            names.push("unknown_field".into());
            let strategy = (
                prop::collection::vec(segment(&app), 4),
                body(names),
                any::<bool>(),
            );
            for _ in 0..CASES {
                let (segments, body, valid_region) =
                    strategy.new_tree(&mut runner).expect("a case").current();
                let mut path = route.path.clone();
                for (i, name) in ["{task}", "{cycle}", "{unit}", "{target}", "{plan}", "{id}"]
                    .iter()
                    .enumerate()
                {
                    path = path.replace(name, &urlencode(&segments[i % segments.len()]));
                }
                let region = if valid_region {
                    "汨罗市".to_string()
                } else {
                    urlencode(&segments[0])
                };
                let path = path.replace("{region}", &region);
                let method =
                    Method::from_bytes(route.method.to_uppercase().as_bytes()).expect("method");
                let (s, v) =
                    rt.block_on(app.call(Some("admin"), method, &path, Some(body.clone())));
                let case = format!("{backend}: {} {path} {body}: {s} {v}", route.method);
                assert!(!s.is_server_error(), "{case}");
                if s.is_client_error() {
                    assert!(
                        v["error"]["code"].is_string() && v["error"]["message"].is_string(),
                        "{case}"
                    );
                } else {
                    assert!(
                        s == StatusCode::OK
                            || s == StatusCode::CREATED
                            || s == StatusCode::NO_CONTENT,
                        "{case}"
                    );
                }
                requests += 1;
            }
        }
        let writes = duban_web::route_table()
            .iter()
            .filter(|r| r.method != "get")
            .count();
        assert!(writes >= 15, "{backend}: the route table lost write routes");
        assert_eq!(requests, writes * CASES, "{backend}");
        assert_eq!(
            PANICS.load(Ordering::SeqCst),
            0,
            "{backend}: the server panicked"
        );
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
