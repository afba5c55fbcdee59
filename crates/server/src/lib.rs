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
mod api;
mod author;
mod bounds;
mod chart;
mod chart_data;
mod connections;
mod export;
mod media;
mod pages;
mod people;
mod pool;
mod recent;
mod review;
mod security;
mod time;
mod views;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use api::{
    AFTER, BEFORE, BOM, BY, DAY, DELETED, FILTER, FORMAT, G, PAGE, PEOPLE_SORT, PLATFORM, Q, SCALE,
    SIZE, SORT, SPLIT, STATUS, TZ,
};
use axum::Router;
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
    caches: Arc<recent::Caches>,
    /// The attached files the case's messages list, for `/media`.
    media: media::ListingCache,
}

impl AppState {
    /// What the pages state they answered from.
    pub(crate) fn freshness(&self) -> Freshness {
        self.freshness.lock().map(|f| *f).unwrap_or_default()
    }
}

api::routes! {
    get "/" => pages::overview, Page, "Overview: counts, activity, conversations, people, sources", [TZ, G, BY, SCALE];
    get "/index.json" => pages::overview_json, Twin, "Overview", [TZ];
    get "/search" => pages::search, Page, "Search: exact total, hits, facets, activity", [Q, SORT, PAGE, SIZE, TZ, G, BY, SCALE];
    get "/search.json" => pages::search_json, Twin, "Search", [];
    get "/chart.json" => chart_data::chart_json, Json, "A chart's data: periods with counts and series", [Q, G, BY, TZ];
    get "/chart.csv" => chart_data::chart_csv, File, "A chart's data as CSV", [Q, G, BY, TZ];
    get "/m/{id}" => pages::message, Page, "A message in its conversation, with provenance", [BEFORE, AFTER, Q, TZ];
    get "/c/{id}" => pages::conversation, Page, "A conversation, one day", [DAY, Q, TZ];
    get "/p/{id}" => pages::person, Page, "A person or account: aliases, activity, hours", [SPLIT, G, BY, SCALE, TZ];
    get "/media/{sha256}" => media::media, File, "An attached file the case holds a copy of", [];
    get "/people" => people::people, Page, "Every account and person", [FILTER, PLATFORM, PEOPLE_SORT, PAGE, TZ];
    get "/people.json" => people::people_json, Twin, "People", [];
    get "/review" => review::review, Page, "The review queue, oldest first", [STATUS, Q, TZ];
    get "/review.json" => review::review_json, Twin, "Review queue", [];
    get "/notes" => review::notes, Page, "Every note, newest first", [DELETED, TZ];
    get "/notes.json" => review::notes_json, Twin, "Notes", [];
    get "/tags" => review::tags, Page, "Every tag and its messages", [TZ];
    get "/tags.json" => review::tags_json, Twin, "Tags", [];
    get "/audit" => review::audit, Page, "The audit trail, newest first", [TZ];
    get "/audit.json" => review::audit_json, Twin, "Audit trail", [];
    get "/collections" => pages::collections, Page, "Every collection", [TZ];
    get "/collections.json" => pages::collections_json, Twin, "Collections", [];
    get "/collections/{name}" => pages::collection, Page, "A collection's excerpts in order", [TZ];
    get "/collections/{name}/preview" => pages::collection_preview, File, "The page `trove publish` would write, redactions applied", [TZ];
    get "/collections/{name}/export" => export::collection, File, "A collection as CSV, JSONL or RSMF, redactions applied", [FORMAT, BOM];
    get "/export" => export::search, File, "Every hit of a query as CSV, JSONL or RSMF, redactions applied", [Q, FORMAT, BOM];
    get "/redactions" => pages::redactions, Page, "Redaction rules, where each hits, output previewed", [TZ];
    get "/redactions.json" => pages::redactions_json, Twin, "Redactions", [];
    post "/act" => actions::act, Write, "A write: note, tag, status, collection, redaction, name, merge, split, publish, author", [];
    get "/api/session.json" => actions::session, Json, "The write token and this client's author", [];
    get "/api/openapi.json" => pages::openapi, Json, "This document", [];
    get "/assets/{name}" => pages::asset, File, "The stylesheet and the script", [];
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
        caches: Arc::new(recent::Caches::default()),
        media: media::ListingCache::default(),
    };
    Ok(with_routes(Router::new())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), answered_from))
        .layer(axum::middleware::from_fn(alternate_link))
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

/// Names a page's JSON twin in a `Link: <…>; rel="alternate"` header
/// (Datasette's habit), from the route list: the same path with `.json`
/// and the same query.
async fn alternate_link(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let twin = (request.method() == axum::http::Method::GET)
        .then(|| api::alternate(ENDPOINTS, request.uri().path()))
        .flatten()
        .map(|path| match request.uri().query() {
            Some(query) => format!("{path}?{query}"),
            None => path,
        });
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if let Some(twin) = twin.filter(|_| is_html && response.status().is_success())
        && let Ok(value) = axum::http::HeaderValue::from_str(&format!(
            "<{twin}>; rel=\"alternate\"; type=\"application/json\""
        ))
    {
        response.headers_mut().insert(axum::http::header::LINK, value);
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
