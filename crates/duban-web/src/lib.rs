//! duban-web: the HTTP server. JSON API under `/api/v1` (described by
//! `/api/v1/openapi.json`), bearer-token authentication, and one place
//! where every request is authorised ([`auth::guard`]).

mod auth;
mod error;
mod extract;
mod handlers;
pub mod notify;
pub mod openapi;
mod pages;

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
    /// A fixed "today" (demo and training: `--today`), else the real date.
    pub today: Option<duban_core::dates::Date>,
}

impl AppState {
    /// Today for this server: the override if one was set, else the date in
    /// China Standard Time.
    pub fn today(&self) -> duban_core::dates::Date {
        self.today.unwrap_or_else(handlers::today)
    }
}

/// How the server runs.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Serve as if it were this day (演示日期); shown on every page.
    pub today: Option<duban_core::dates::Date>,
}

/// The API and the pages on one router.
pub fn router(store: Store) -> Router {
    app(store, Options::default())
}

pub fn app(store: Store, options: Options) -> Router {
    use handlers::*;
    let region = "/api/v1/regions/{region}";
    Router::new()
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
        .merge(pages::router())
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(AppState {
            store,
            today: options.today,
        })
}

/// Serves until Ctrl-C or SIGTERM. Reminders run in the background every
/// ten minutes when a channel is configured (see [`notify::Channels`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    options: Options,
) -> std::io::Result<()> {
    let channels = notify::Channels::from_env();
    if !channels.names().is_empty() {
        let store = store.clone();
        let options_today = options.today;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tick.tick().await;
                let today = options_today.unwrap_or_else(handlers::today);
                match notify::run_once(&store, &channels, today).await {
                    Ok(summary) => {
                        for (region, e) in summary.region_errors {
                            eprintln!(
                                "提醒发送出错（{region}）/ reminder round failed for a region: {e}"
                            );
                        }
                    }
                    Err(e) => eprintln!("提醒发送出错 / reminder round failed: {e}"),
                }
            }
        });
    }
    axum::serve(
        listener,
        app(store, options).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
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
