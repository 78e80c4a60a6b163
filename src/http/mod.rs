//! Everything that speaks HTTP. Each feature folder (`accounts`, `admin`, `amendments`, `debates`,
//! `groups`, `home`, `members`, `open_data`, `search`, `texts`) exposes `router()`, an `OpenApiRouter` whose routes are declared with
//! `routes!`: the OpenAPI document is generated from the very routes that are served, so it
//! lists every one of them (a test checks it). In a folder, `api.rs` holds the JSON routes and
//! `pages.rs` the pages; what both need sits in a file of its own, never in one of them.
//!
//! The files at this level are the plumbing every feature shares, and import no feature:
//! extractors (`extract`, `paths`), errors as pages (`html_errors`), `csrf`, `page`, `views`,
//! `api`, `related` (« on en parle aussi ailleurs », for every page that shows it), and the
//! layers (`trace`, `compression`, `security_headers`); `assets` and `ops` serve the static
//! files and the operational routes.

mod accounts;
mod admin;
mod amendments;
mod api;
mod assets;
mod compression;
mod csrf;
mod debates;
mod download;
mod extract;
mod groups;
mod home;
mod html_errors;
mod members;
mod open_data;
mod ops;
mod page;
mod paths;
mod related;
mod search;
mod security_headers;
mod shared_body;
mod texts;
mod trace;
mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub use extract::{ApiJson, BODY_LIMIT, CurrentMember, MaybeMember};

#[derive(OpenApi)]
#[openapi(
    info(title = "Atelier", description = "The JSON API of Atelier (version 1) and the pages of its web interface."),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "members", description = "Members and supporters"),
        (name = "groups", description = "Federations, sections, themes and working groups"),
        (name = "texts", description = "Programme texts and wiki pages, edited live"),
        (name = "amendments", description = "Amendments to texts: filed, supported, screened"),
        (name = "debates", description = "Archived debates: public, read-only, filtered by place, speaker and date"),
        (name = "open data", description = "Every public item as JSON Lines and CSV files, with a data dictionary"),
        (name = "pages", description = "The HTML pages of the web interface"),
        (name = "operations", description = "Health, metrics and this document"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route, documented, with its state.
pub fn api_router() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::router())
        .merge(members::router())
        .merge(groups::router())
        .merge(texts::router())
        .merge(amendments::router())
        .merge(search::router())
        .merge(debates::router())
        .merge(open_data::router())
        .merge(admin::router())
        .merge(home::router())
        .merge(ops::router())
        .merge(assets::router())
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
}

pub fn router(app: App) -> Router {
    let (routes, openapi) = api_router().split_for_parts();
    let openapi = Arc::new(openapi);
    let sessions = SessionManagerLayer::new(app.db.clone())
        .with_name("atelier_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(app.config.base_url.starts_with("https://"))
        .with_expiry(Expiry::OnInactivity(time::Duration::days(
            app.config.session_days,
        )));
    let base_url = app.config.base_url.clone();
    let routes = routes
        .fallback(html_errors::fallback)
        .layer(axum::Extension(ops::OpenApiDocument(openapi)))
        .layer(axum::middleware::from_fn(csrf::verify))
        .layer(axum::middleware::from_fn(extract::refuse_nul_in_uri))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            html_errors::render,
        ))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(ops::track_metrics))
        .layer(TraceLayer::new_for_http().make_span_with(trace::make_span))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            axum::response::IntoResponse::into_response(crate::error::AppError::Internal(
                anyhow::anyhow!("a request handler panicked"),
            ))
        }))
        .layer(compression::layer());
    security_headers::add(routes, &base_url).with_state(app)
}
