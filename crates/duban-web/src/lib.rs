//! duban-web: the HTTP server. JSON API under `/api/v1` (described by
//! `/api/v1/openapi.json`), bearer-token authentication, and one place
//! where every request is authorised ([`auth::guard`]).

mod auth;
mod error;
mod extract;
mod handlers;
mod hygiene;
pub mod notify;
pub mod openapi;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use duban_store::Store;

pub use error::ApiError;

/// Largest request body accepted (documented): 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

pub fn router(store: Store) -> Router {
    use handlers::*;
    let region = "/api/v1/regions/{region}";
    let api = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/v1/openapi.json", get(openapi::handler))
        .route("/api/v1/regions", get(regions::list))
        .route(&format!("{region}/plans"), get(plans::list))
        .route(&format!("{region}/campaigns"), get(plans::campaigns))
        .route(&format!("{region}/tasks"), get(tasks::list))
        .route(&format!("{region}/tasks/{{task}}"), get(tasks::one))
        .route(
            &format!("{region}/tasks/{{task}}/assignments"),
            put(assignments::correct),
        )
        .route(
            &format!("{region}/tasks/{{task}}/list-items"),
            get(lists::list).post(lists::create),
        )
        .route(&format!("{region}/targets"), get(targets::list))
        .route(
            &format!("{region}/units"),
            get(units::list).post(units::create),
        )
        .route(
            &format!("{region}/units/{{unit}}/aliases"),
            post(units::add_alias),
        )
        .route(&format!("{region}/task-forces"), get(task_forces::list))
        .route(&format!("{region}/audit"), get(audit::list))
        .route(
            &format!("{region}/cycles"),
            get(cycles::list).post(cycles::open),
        )
        .route(&format!("{region}/cycles/schedule"), post(cycles::schedule))
        .route(
            &format!("{region}/cycles/{{cycle}}/close"),
            post(cycles::close),
        )
        .route(
            &format!("{region}/cycles/{{cycle}}/evaluation"),
            get(cycles::evaluation),
        )
        .route(&format!("{region}/cycles/{{cycle}}/due"), get(reports::due))
        .route(
            &format!("{region}/cycles/{{cycle}}/reports"),
            get(reports::list).post(reports::save_batch),
        )
        .route(
            &format!("{region}/cycles/{{cycle}}/reports/{{task}}/{{unit}}"),
            get(reports::history).put(reports::save),
        )
        .route(
            &format!("{region}/cycles/{{cycle}}/reports/{{task}}/{{unit}}/review"),
            post(reports::review),
        )
        .route(&format!("{region}/summary"), get(cycles::summary))
        .route(&format!("{region}/holidays"), post(cycles::add_holiday))
        .route(
            &format!("{region}/targets/{{target}}/owner"),
            put(indicators::set_owner),
        )
        .route(
            &format!("{region}/cycles/{{cycle}}/indicators"),
            get(indicators::list),
        )
        .route(
            &format!("{region}/cycles/{{cycle}}/tasks/{{task}}"),
            get(reports::consolidated),
        )
        .route(
            &format!("{region}/cycles/{{cycle}}/indicators/{{target}}"),
            put(indicators::save),
        )
        .route(
            &format!("{region}/plans/{{plan}}/settings"),
            get(plans::settings).put(plans::set_settings),
        )
        .route(&format!("{region}/reminders"), get(reminders::list))
        .route(&format!("{region}/notifications"), get(reminders::outbox))
        .route(
            &format!("{region}/coordination-requests"),
            get(coordination::list),
        )
        .route(
            &format!("{region}/coordination-requests/{{id}}/resolve"),
            post(coordination::resolve),
        )
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(AppState { store });
    hygiene::apply(api)
}

/// Serves until Ctrl-C or SIGTERM. Reminders run in the background every
/// ten minutes when a channel is configured (see [`notify::Channels`]).
pub async fn serve(listener: tokio::net::TcpListener, store: Store) -> std::io::Result<()> {
    let channels = notify::Channels::from_env();
    if !channels.names().is_empty() {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tick.tick().await;
                if let Err(e) = notify::run_once(&store, &channels, handlers::today()).await {
                    eprintln!("提醒发送出错 / reminder round failed: {e}");
                }
            }
        });
    }
    hygiene::serve_connections(listener, router(store), shutdown()).await
}

/// Today in China Standard Time (UTC+8).
pub fn today() -> duban_core::dates::Date {
    handlers::today()
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
