//! duban-web: the HTTP server. JSON API under `/api/v1` (described by
//! `/api/v1/openapi.json`), bearer-token authentication, and one place
//! where every request is authorised ([`auth::guard`]).

mod auth;
mod cache;
mod cached;
mod doc;
mod drain;
mod error;
mod extract;
mod handlers;
mod hygiene;
pub mod notify;
pub mod office;
pub mod openapi;
mod pages;

pub use pages::{route_table as page_route_table, PageAccess, PageRoute};

use axum::extract::DefaultBodyLimit;
use axum::Router;
use duban_store::Store;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

pub use error::ApiError;

/// Largest request body accepted (documented): 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// A fixed "today" (demo and training: `--today`), else the real date.
    pub today: Option<duban_core::dates::Date>,
    /// Page data by ledger version.
    pages: std::sync::Arc<pages::Caches>,
    /// Serialised API reads by version ([`cached`]).
    reads: std::sync::Arc<cached::Reads>,
    /// The public page's bytes per region (信息公开).
    public: std::sync::Arc<pages::public::PublicCache>,
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

/// Who may call a route. The route table states it next to the handler,
/// the handler enforces it through [`auth::guard`], and the authorisation
/// matrix test checks every route against it for every role: a route
/// cannot be added without saying who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed (`/healthz`).
    Anyone,
    /// Any signed-in user, outside any region.
    SignedIn,
    /// Any signed-in user of the region or a region above it.
    Read,
    /// Admin and offices (the audit log).
    AdminOrOffice,
    /// The coordination group (admin) only.
    Admin,
    /// Admin, or the office of the object's campaign.
    Campaign,
    /// Admin, the office of the object's campaign, or a reporter for the
    /// object's unit.
    UnitOrCampaign,
}

/// One route: who may call it, and its handler with its OpenAPI operation
/// (from the handler's `#[utoipa::path]`).
struct RouteSpec {
    access: Access,
    api: UtoipaMethodRouter<AppState>,
}

/// One row of the route table, for the authorisation matrix and the docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// Lower case, as in OpenAPI: `get`, `post`, `put`.
    pub method: String,
    pub path: String,
    pub access: Access,
}

/// The route table: every route the server answers, one per method and
/// path. The router, the OpenAPI document and the authorisation matrix are
/// all built from it, so they cannot disagree.
fn specs() -> Vec<RouteSpec> {
    use handlers::*;
    use Access::*;
    let r = |access, api| RouteSpec { access, api };
    vec![
        r(Anyone, routes!(health::healthz)),
        r(SignedIn, routes!(openapi::handler)),
        r(SignedIn, routes!(regions::list)),
        r(Read, routes!(plans::list)),
        r(Read, routes!(plans::campaigns)),
        r(Read, routes!(plans::settings)),
        r(Campaign, routes!(plans::set_settings)),
        r(Read, routes!(tasks::list)),
        r(Read, routes!(tasks::one)),
        r(Campaign, routes!(assignments::correct)),
        r(Read, routes!(lists::list)),
        r(UnitOrCampaign, routes!(lists::create)),
        r(Read, routes!(targets::list)),
        r(Read, routes!(units::list)),
        r(Admin, routes!(units::create)),
        r(Admin, routes!(units::add_alias)),
        r(Read, routes!(task_forces::list)),
        r(AdminOrOffice, routes!(audit::list)),
        r(Read, routes!(cycles::list)),
        r(Campaign, routes!(cycles::open)),
        r(Campaign, routes!(cycles::schedule)),
        r(Campaign, routes!(cycles::close)),
        r(Read, routes!(cycles::evaluation)),
        r(Read, routes!(cycles::summary)),
        r(Admin, routes!(cycles::add_holiday)),
        r(Read, routes!(reports::due)),
        r(Read, routes!(reports::list)),
        r(UnitOrCampaign, routes!(reports::save_batch)),
        r(Read, routes!(reports::history)),
        r(UnitOrCampaign, routes!(reports::save)),
        r(Campaign, routes!(reports::review)),
        r(Read, routes!(reports::consolidated)),
        r(Campaign, routes!(indicators::set_owner)),
        r(Read, routes!(indicators::list)),
        r(UnitOrCampaign, routes!(indicators::save)),
        r(Read, routes!(reminders::list)),
        r(Read, routes!(reminders::outbox)),
        r(Read, routes!(coordination::list)),
        r(Campaign, routes!(coordination::resolve)),
        r(AdminOrOffice, routes!(publications::list)),
        r(Campaign, routes!(publications::publish)),
        r(Campaign, routes!(publications::withdraw)),
        r(Read, routes!(supervision::list)),
        r(Campaign, routes!(supervision::plan)),
        r(Read, routes!(supervision::one)),
        r(Campaign, routes!(supervision::record)),
        r(Campaign, routes!(supervision::cancel)),
        r(Campaign, routes!(supervision::finding)),
        r(Read, routes!(supervision::items)),
        r(Read, routes!(supervision::item)),
        r(UnitOrCampaign, routes!(supervision::progress)),
        r(Campaign, routes!(supervision::review)),
        r(Campaign, routes!(supervision::list_item)),
        r(Read, routes!(supervision::cadence)),
        r(Campaign, routes!(supervision::set_cadence)),
        r(Read, routes!(supervision::month_summary)),
    ]
}

/// The route table, as data.
pub fn route_table() -> Vec<RouteInfo> {
    let mut out = Vec::new();
    for spec in specs() {
        let (_, paths, _) = spec.api;
        for (path, item) in paths.paths {
            let ops = [
                ("get", item.get.is_some()),
                ("put", item.put.is_some()),
                ("post", item.post.is_some()),
                ("delete", item.delete.is_some()),
                ("patch", item.patch.is_some()),
            ];
            for (method, present) in ops {
                if present {
                    out.push(RouteInfo {
                        method: method.into(),
                        path: path.clone(),
                        access: spec.access,
                    });
                }
            }
        }
    }
    out
}

/// The routes and their OpenAPI document, from [`specs`].
fn assemble() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let mut api = OpenApiRouter::with_openapi(openapi::base());
    for spec in specs() {
        api = api.routes(spec.api);
    }
    api.split_for_parts()
}

/// The OpenAPI document (`/api/v1/openapi.json`).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    assemble().1
}

/// The API and the pages on one router.
pub fn router(store: Store) -> Router {
    app(store, Options::default())
}

pub fn app(store: Store, options: Options) -> Router {
    let (api, _) = assemble();
    let app = api
        .merge(pages::router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(drain::read_api_body))
        .with_state(AppState {
            store,
            today: options.today,
            pages: Default::default(),
            reads: Default::default(),
            public: Default::default(),
        });
    hygiene::apply(app)
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
    hygiene::serve_connections(listener, app(store, options), shutdown()).await
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
