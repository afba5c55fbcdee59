//! The web workbench: `trove serve`.
//!
//! Server-rendered pages (askama templates, escaped by default) over the
//! `trove_app::Case` facade, each with a JSON twin: the same URL with
//! `.json`, or `Accept: application/json`. Assets are compiled into the
//! binary; nothing is ever fetched from elsewhere, and the
//! Content-Security-Policy forbids the browser to try.
//!
//! The server binds loopback only (team mode with logins does not exist
//! yet), and refuses requests whose `Host` is not the loopback address it
//! serves, so a hostile web page cannot reach it through DNS rebinding.

mod actions;
mod author;
mod bounds;
mod chart;
mod chart_data;
mod connections;
mod export;
mod facet_cache;
mod media;
mod pages;
mod people;
mod pool;
mod review;
mod security;
mod time;
mod views;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{get, post};
use trove_app::{Case, Freshness};

/// What every handler shares: a few handles on the case, lent one per
/// request (see `pool`).
#[derive(Clone)]
pub struct AppState {
    cases: Arc<pool::CasePool>,
    name: Arc<str>,
    /// Embedded in every form; a write without it is refused.
    csrf: Arc<str>,
    /// Recorded with every note, tag, status and excerpt.
    author: Arc<str>,
    /// The generations the last request answered from (store, search).
    freshness: Arc<Mutex<Freshness>>,
    /// Facets of recent queries at the current generation.
    facets: Arc<facet_cache::FacetCache>,
    /// The attached files the case's messages list, for `/media`.
    media: media::ListingCache,
}

impl AppState {
    /// What the pages state they answered from.
    pub(crate) fn freshness(&self) -> Freshness {
        self.freshness.lock().map(|f| *f).unwrap_or_default()
    }
}

/// The workbench's routes for `case`, with the security layer. `port` is
/// the port it will be served on (for the `Host` check); `author` is
/// recorded with what the workbench writes. Fails only when the operating
/// system gives no randomness for the CSRF token.
pub fn router(case: Case, port: u16, author: &str) -> Result<Router, std::io::Error> {
    let name: Arc<str> = case
        .dir()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| case.dir().display().to_string())
        .into();
    let state = AppState {
        cases: Arc::new(pool::CasePool::new(case)),
        name,
        csrf: actions::new_token()
            .map_err(|e| {
                std::io::Error::other(format!("no randomness for the workbench's CSRF token: {e}"))
            })?
            .into(),
        author: author.into(),
        freshness: Arc::new(Mutex::new(Freshness::default())),
        facets: Arc::new(facet_cache::FacetCache::default()),
        media: media::ListingCache::default(),
    };
    Ok(Router::new()
        .route("/", get(pages::overview))
        .route("/index.json", get(pages::overview_json))
        .route("/search", get(pages::search))
        .route("/search.json", get(pages::search_json))
        .route("/chart.json", get(chart_data::chart_json))
        .route("/chart.csv", get(chart_data::chart_csv))
        .route("/m/{id}", get(pages::message))
        .route("/c/{id}", get(pages::conversation))
        .route("/p/{id}", get(pages::person))
        .route("/media/{sha256}", get(media::media))
        .route("/people", get(people::people))
        .route("/people.json", get(people::people_json))
        .route("/review", get(review::review))
        .route("/review.json", get(review::review_json))
        .route("/notes", get(review::notes))
        .route("/notes.json", get(review::notes_json))
        .route("/tags", get(review::tags))
        .route("/tags.json", get(review::tags_json))
        .route("/audit", get(review::audit))
        .route("/audit.json", get(review::audit_json))
        .route("/collections", get(pages::collections))
        .route("/collections.json", get(pages::collections_json))
        .route("/collections/{name}", get(pages::collection))
        .route("/collections/{name}/preview", get(pages::collection_preview))
        .route("/collections/{name}/export", get(export::collection))
        .route("/export", get(export::search))
        .route("/redactions", get(pages::redactions))
        .route("/redactions.json", get(pages::redactions_json))
        .route("/act", post(actions::act))
        .route("/api/session.json", get(actions::session))
        .route("/api/openapi.json", get(pages::openapi))
        .route("/assets/{name}", get(pages::asset))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), answered_from))
        .with_state(state)
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn(security::same_origin_only))
        .layer(axum::middleware::from_fn_with_state(
            security::Hosts::loopback(port),
            security::host,
        )))
}

/// Stamps every response with the generations it answered from, so that a
/// JSON twin (whose body is the command line's contract) states it too:
/// `Trove-Generation` (the store's: messages, notes, stats) and
/// `Trove-Search-Generation` (the index's; lower while another process's
/// ingest is between its commits), and `Trove-Read-Only: 1` for a case
/// that cannot be written.
async fn answered_from(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let fresh = state.freshness();
    let headers = response.headers_mut();
    headers.insert("trove-generation", fresh.generation.into());
    headers.insert("trove-search-generation", fresh.searched.into());
    if fresh.read_only {
        headers.insert("trove-read-only", axum::http::HeaderValue::from_static("1"));
    }
    response
}

/// Refuses addresses other than loopback ones.
pub fn check_addr(addr: &SocketAddr) -> Result<(), String> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(format!(
            "refusing to serve on {addr}: only loopback addresses (127.0.0.1, ::1) until team \
             mode with logins exists; a case holds leaked material and must not be reachable \
             from the network"
        ))
    }
}

/// Serves `case` on `addr` until Ctrl+C. `ready` is called with the bound
/// address (the port may have been 0).
pub fn serve(
    case: Case,
    addr: SocketAddr,
    author: &str,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), std::io::Error> {
    check_addr(&addr).map_err(|e| std::io::Error::new(std::io::ErrorKind::PermissionDenied, e))?;
    // Aggregates that scan every message are computed once per ingest and
    // cached in the case: do it now rather than on the first page view.
    let _ = case.stats();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        let app = router(case, bound.port(), author)?;
        ready(bound);
        let listener = connections::Limited::new(listener, connections::MAX_CONNECTIONS);
        connections::serve(listener, app, connections::HEADER_READ, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        Ok(())
    })
}
