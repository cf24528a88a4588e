//! HTTP hygiene: connection timeouts and limits, and the security headers
//! every response carries.
//!
//! Why our own accept loop instead of `axum::serve`: axum's loop gives
//! hyper no timer, so a client that opens a connection and never finishes
//! its request headers holds a descriptor forever; a few thousand such
//! clients exhaust the process's descriptors and lock everyone out. Here
//! every connection must deliver its request headers within
//! [`HEADER_READ_TIMEOUT`] (idle keep-alive connections included, because
//! hyper arms the timer whenever it waits for a request head), a request
//! body must arrive within [`BODY_READ_TIMEOUT`], and at most
//! [`MAX_CONNECTIONS`] are served at once.

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// A connection must send a complete request head this soon after it opens
/// or after its previous response (the idle timeout of keep-alive).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A request body must arrive this soon.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; more wait in the kernel's backlog.
pub const MAX_CONNECTIONS: usize = 1024;

/// Default Content-Security-Policy: the JSON API loads nothing and is never
/// framed. Pages that need more set their own header, which wins.
const CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The security headers (a table: name, value), the body timeout and
/// response compression.
/// `Cache-Control: no-store` goes on every response: almost every answer is
/// an authenticated view of the ledger, which no proxy or browser cache may
/// keep; the few public ones (`/healthz`, errors) lose nothing by it. The
/// public disclosure page (`/public/{region}`) sets its own
/// `public, max-age=60`, which the layer leaves alone (`if_not_present`).
pub fn apply(router: Router) -> Router {
    let set = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    // gzip or br for bodies over 1 KB when the client accepts them (issue
    // 12: `…/tasks` is ~270 KB of JSON); the cached reads arrive already
    // compressed and pass through. Innermost, so every security header
    // below lands on the compressed response as on any other.
    let compression =
        CompressionLayer::new().compress_when(DefaultPredicate::new().and(SizeAbove::new(1024)));
    router
        .layer(compression)
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::CACHE_CONTROL, "no-store"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT))
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the
/// connections in flight finish.
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limit = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = limit.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset
                    // before accept: wait a moment instead of spinning.
                    eprintln!("接受连接出错 / accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // The peer address, as `axum::serve`'s connect-info would give it
        // (sign-in throttling reads it).
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), req)
            },
        );
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that times out or hangs up is its own business.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = tokio::time::sleep(Duration::from_secs(10)) => {},
    }
    Ok(())
}
