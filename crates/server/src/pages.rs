//! Handlers: each page is an HTML view and a JSON twin of the same data
//! (`.json` on the path, or `Accept: application/json`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use trove_app::{AppError, Case, SearchOptions, SeriesBy, SortOrder};

use crate::chart::{Chart, ChartRequest, Heatmap};
use crate::views::{
    Chrome, CollectionPage, CollectionsPage, ConversationPage, ErrorPage, ExcerptView, FacetView,
    MessagePage, MessageView, OverviewPage, PersonPage, RedactionsPage, SearchPage, encode,
};
use crate::{AppState, bounds};

/// Hits per search page, unless the reader picks another of
/// [`PAGE_SIZES`].
const PAGE_SIZE: usize = 20;
/// The page sizes offered.
const PAGE_SIZES: [usize; 3] = [20, 50, 100];
/// Records shown around a message, each side, at first.
const CONTEXT: usize = 25;
/// Most records shown for a conversation day.
const DAY_LIMIT: usize = 2000;

static CSS: &str = include_str!("../assets/app.css");
static JS: &str = include_str!("../assets/app.js");

/// What went wrong, as a page or JSON.
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        let status = match &e {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            // A query the user must fix is their request, not our failure.
            AppError::Usage(_) | AppError::Query { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Failure { status, message: e.to_string() }
    }
}

/// Whether the client asked for JSON, and the path id without `.json`.
pub(crate) fn negotiate(headers: &HeaderMap, id: &str) -> (bool, String) {
    if let Some(bare) = id.strip_suffix(".json") {
        return (true, bare.to_string());
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let json = accept.contains("application/json") && !accept.contains("text/html");
    (json, id.to_string())
}

pub(crate) fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

pub(crate) fn html_response(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => {
            (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("template: {e}")).into_response(),
    }
}

pub(crate) fn failure_response(json: bool, failure: Failure, case: &str, zone: &str) -> Response {
    let busy = failure.status == StatusCode::SERVICE_UNAVAILABLE;
    let mut response = failure_body(json, failure, case, zone);
    if busy {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    response
}

fn failure_body(json: bool, failure: Failure, case: &str, zone: &str) -> Response {
    if json {
        #[derive(Serialize)]
        struct ErrorJson<'a> {
            error: &'a str,
            status: u16,
        }
        return json_response(
            failure.status,
            &ErrorJson { error: &failure.message, status: failure.status.as_u16() },
        );
    }
    let page = ErrorPage {
        chrome: Chrome::new(case, zone, ""),
        status: failure.status.as_u16(),
        message: failure.message,
    };
    html_response(failure.status, &page)
}

/// Runs `f` with the case on a blocking thread (SQLite and tantivy calls
/// block).
pub(crate) async fn with_case<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Case) -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let freshness = state.freshness.clone();
    let outcome = state
        .cases
        .run(move |case| {
            // The whole page reads one snapshot of the store: the
            // generation it states is the one its data comes from.
            let _snapshot = case.store().read_snapshot();
            // An ingest by another process since the last request becomes
            // searchable here, not only after a restart.
            let fresh = case.freshen().map_err(|e| Failure {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: format!("reloading the case: {e}"),
            })?;
            if let Ok(mut shared) = freshness.lock() {
                *shared = fresh;
            }
            f(case)
        })
        .await;
    match outcome {
        Ok(Some(result)) => result,
        Ok(None) => Err(Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the request failed inside the workbench (a bug: please report it)".into(),
        }),
        Err(unserved) => Err(unserved_failure(unserved)),
    }
}

/// A request the pool did not serve, as a 503 (with `Retry-After`).
pub(crate) fn unserved_failure(unserved: crate::pool::Unserved) -> Failure {
    match unserved {
        crate::pool::Unserved::Busy => busy(),
        crate::pool::Unserved::Overtime(budget) => Failure {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: format!(
                "this request ran past the workbench's budget of {} s per request and was \
                 stopped, so that it holds nobody else up; narrow it (a date range, a sender) or \
                 run it on the command line, which has no budget",
                budget.as_secs_f64()
            ),
        },
    }
}

/// Every handle on the case stayed busy: try again in a moment (the
/// response carries `Retry-After`).
pub(crate) fn busy() -> Failure {
    Failure {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: format!(
            "the workbench is busy: every one of its {} handles on the case stayed taken for {} s; \
             try again in a moment",
            crate::pool::HANDLES,
            crate::pool::WAIT.as_secs()
        ),
    }
}

/// The zone a request asks for (`tz`), checked; the case's when absent.
pub(crate) fn zone_of(case: &Case, tz: Option<&str>) -> Result<(String, TimeZone), Failure> {
    let name = match tz.filter(|t| !t.is_empty()) {
        Some(name) => name.to_string(),
        None => case.zone_name()?,
    };
    let zone = case.zone(Some(&name))?;
    Ok((name, zone))
}

#[derive(Debug, Default, Deserialize)]
pub struct ZoneParams {
    tz: Option<String>,
    /// Chart granularity: day, week or month (else chosen by the span).
    g: Option<String>,
    /// Chart scale: `log`, else linear.
    scale: Option<String>,
    /// What the chart is stacked by: person or conversation.
    by: Option<String>,
}

/// `/`: counts, activity, conversations, people, sources.
pub async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ZoneParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    overview_page(state, params, json).await
}

/// `/index.json`.
pub async fn overview_json(
    State(state): State<AppState>,
    Query(params): Query<ZoneParams>,
) -> Response {
    overview_page(state, params, true).await
}

#[derive(Serialize)]
struct OverviewJson {
    stats: trove_app::StatsOutput,
    activity: trove_app::FacetsOutput,
}

async fn overview_page(state: AppState, params: ZoneParams, json: bool) -> Response {
    let name = state.name.to_string();
    let chart = ChartRequest::parse(
        params.g.as_deref(),
        params.scale.as_deref(),
        params.by.as_deref(),
        SeriesBy::Person,
    );
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, params.tz.as_deref())?;
        let stats = case.stats()?;
        let activity = case.activity("", Some(&zone_name), &chart.activity())?;
        Ok((zone_name, zone, stats, activity))
    })
    .await;
    let (zone_name, zone, stats, activity) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, "UTC"),
    };
    if json {
        return json_response(StatusCode::OK, &OverviewJson { stats, activity });
    }
    let mut chrome = Chrome::new(&name, &zone_name, "").answered_from(state.freshness());
    chrome.keep = chart.keep();
    let tz = chrome.tz_param();
    let page = OverviewPage {
        chart: Chart::new(&activity, "", &tz, chart.scale).with_controls("/", &tz, &chart),
        heatmap: activity.heatmap.as_deref().map(Heatmap::new),
        conversations: activity
            .conversations
            .iter()
            .map(|c| {
                let id = c.filter.trim_start_matches("in:").trim_matches('"');
                (c.label.clone(), c.count, format!("/c/{}?{tz}", encode(id)))
            })
            .collect(),
        people: activity
            .senders
            .iter()
            .map(|s| {
                let id = s.filter.trim_start_matches("from:").trim_matches('"');
                (s.label.clone(), s.count, format!("/p/{}?{tz}", encode(id)))
            })
            .collect(),
        first: stats.first.as_deref().map(|t| crate::time::show(t, &zone)).unwrap_or_default(),
        last: stats.last.as_deref().map(|t| crate::time::show(t, &zone)).unwrap_or_default(),
        stats,
        chrome,
    };
    html_response(StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    sort: Option<String>,
    page: Option<usize>,
    /// Hits per page: one of [`PAGE_SIZES`].
    size: Option<usize>,
    tz: Option<String>,
    /// The chart's: see [`ZoneParams`].
    g: Option<String>,
    scale: Option<String>,
    by: Option<String>,
}

#[derive(Serialize)]
struct SearchJson {
    #[serde(flatten)]
    search: trove_app::SearchOutput,
    page: usize,
    pages: usize,
    facets: trove_app::FacetsOutput,
}

/// `/search?q=…&sort=…&page=…&tz=…`.
pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<SearchParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    search_page(state, params, json).await
}

/// `/search.json?…`.
pub async fn search_json(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Response {
    search_page(state, params, true).await
}

async fn search_page(state: AppState, params: SearchParams, json: bool) -> Response {
    let name = state.name.to_string();
    let sort = match params.sort.as_deref() {
        Some("newest") => SortOrder::Newest,
        Some("oldest") | Some("time") => SortOrder::Oldest,
        _ => SortOrder::Relevance,
    };
    let sort_name = match sort {
        SortOrder::Newest => "newest",
        SortOrder::Oldest => "oldest",
        SortOrder::Relevance => "relevance",
    };
    let page = params.page.unwrap_or(1).max(1);
    let size = params.size.unwrap_or(PAGE_SIZE);
    if !PAGE_SIZES.contains(&size) {
        let f = Failure {
            status: StatusCode::BAD_REQUEST,
            message: format!("a page holds 20, 50 or 100 hits, not {size}"),
        };
        return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC"));
    }
    let q = params.q.clone();
    let tz = params.tz.clone();
    if let Err(f) = bounds::check_query(&q).and_then(|()| bounds::check_page(page, size)) {
        return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC"));
    }
    let caches = state.caches.clone();
    let chart = ChartRequest::parse(
        params.g.as_deref(),
        params.scale.as_deref(),
        params.by.as_deref(),
        SeriesBy::Person,
    );
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        let options = SearchOptions {
            limit: size,
            offset: (page - 1).saturating_mul(size),
            sort,
            zone: Some(zone_name.clone()),
            ..SearchOptions::default()
        };
        let search = case.search(&q, &options)?;
        // Counted once per query and version (the index generation facets
        // count from, the store's may be ahead mid-ingest; the names that
        // label them), not on every page.
        let version = case.derived_version()?;
        let key = (q.clone(), zone_name.clone(), chart.activity());
        let facets = match caches.facets.get(version, &key) {
            Some(facets) => facets,
            None => {
                let facets = case.activity(&q, Some(&zone_name), &key.2)?;
                caches.facets.put(version, key, &facets);
                facets
            }
        };
        Ok((zone_name, zone, search, facets))
    })
    .await;
    let (zone_name, zone, search, facets) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    let pages = (search.total as usize).div_ceil(size).max(1);
    if json {
        return json_response(StatusCode::OK, &SearchJson { search, page, pages, facets });
    }
    let here = format!(
        "/search?q={}&sort={sort_name}&page={page}&size={size}&tz={}",
        encode(&params.q),
        encode(&zone_name)
    );
    let mut chrome = Chrome::new(&name, &zone_name, &params.q)
        .answered_from(state.freshness())
        .writable(&state.csrf, here);
    chrome.keep = vec![
        ("q".into(), params.q.clone()),
        ("sort".into(), sort_name.into()),
        ("size".into(), size.to_string()),
    ];
    chrome.keep.extend(chart.keep());
    let tz = chrome.tz_param();
    // Sorting and paging keep how the chart is drawn.
    let chart_params: String =
        chart.keep().iter().map(|(k, v)| format!("&{k}={}", encode(v))).collect();
    let sized = |sort: &str, page: usize, size: usize| {
        format!(
            "/search?q={}&sort={sort}&page={page}&size={size}{chart_params}&{tz}",
            encode(&params.q)
        )
    };
    let link = |sort: &str, page: usize| sized(sort, page, size);
    let sorts =
        [("relevance", "relevance"), ("newest", "newest first"), ("oldest", "oldest first")]
            .into_iter()
            .map(|(value, label)| (value, label, link(value, 1), value == sort_name))
            .collect();
    let page_view = SearchPage {
        total: search.total,
        took_ms: format!("{:.1}", search.took_ms),
        hits: search
            .hits
            .iter()
            .map(|m| MessageView {
                selectable: true,
                query_param: format!("&q={}", encode(&params.q)),
                ..MessageView::new(m, &zone)
            })
            .collect(),
        // Both read the same query, so both report its problems: once each.
        warnings: {
            let mut warnings = search.warnings.clone();
            for warning in &facets.warnings {
                if !warnings.contains(warning) {
                    warnings.push(warning.clone());
                }
            }
            warnings
        },
        facets: vec![
            FacetView::new("People", &facets.senders, &params.q, &tz),
            FacetView::new("Conversations", &facets.conversations, &params.q, &tz),
            FacetView::new("Platforms", &facets.platforms, &params.q, &tz),
            FacetView::new("Sources", &facets.sources, &params.q, &tz),
            FacetView::new(
                "Months",
                &facets
                    .months
                    .iter()
                    .rev()
                    .filter(|m| m.count > 0)
                    .take(24)
                    .map(|m| trove_app::FacetValue {
                        label: m.month.clone(),
                        filter: format!("on:{}", m.month),
                        count: m.count,
                    })
                    .collect::<Vec<_>>(),
                &params.q,
                &tz,
            ),
        ],
        chart: Chart::new(&facets, &params.q, &tz, chart.scale).with_controls(
            "/search",
            &format!("q={}&sort={sort_name}&size={size}&{tz}", encode(&params.q)),
            &chart,
        ),
        sort: sort_name.to_string(),
        size,
        // A new size starts again on the page holding the current first hit.
        sizes: PAGE_SIZES
            .iter()
            .map(|&n| (n, sized(sort_name, (page - 1) * size / n + 1, n), n == size))
            .collect(),
        page,
        pages,
        previous: (page > 1).then(|| link(sort_name, page - 1)),
        next: (page < pages).then(|| link(sort_name, page + 1)),
        sorts,
        chrome,
    };
    html_response(StatusCode::OK, &page_view)
}

#[derive(Debug, Default, Deserialize)]
pub struct ContextParams {
    before: Option<usize>,
    after: Option<usize>,
    tz: Option<String>,
    /// The search the reader came from: its words are marked in context.
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
struct MessageJson {
    #[serde(flatten)]
    show: trove_app::ShowOutput,
}

/// `/m/{id}`: the message in its conversation, with its provenance.
pub async fn message(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<ContextParams>,
) -> Response {
    let (json, id) = negotiate(&headers, &id);
    let name = state.name.to_string();
    let before = params.before.unwrap_or(CONTEXT);
    let after = params.after.unwrap_or(CONTEXT);
    if let Err(f) =
        bounds::check_context("before", before).and_then(|()| bounds::check_context("after", after))
    {
        return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC"));
    }
    if let Err(f) = bounds::check_query(&params.q) {
        return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC"));
    }
    let tz = params.tz.clone();
    let wanted = id.clone();
    let q = params.q.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        let mut show = case.show(&wanted, before.max(after))?;
        if !json {
            case.highlight(&q, std::slice::from_mut(&mut show.message));
            case.highlight(&q, &mut show.before);
            case.highlight(&q, &mut show.after);
        }
        Ok((zone_name, zone, show))
    })
    .await;
    let (zone_name, zone, mut show) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    let more_before = show.before.len() > before;
    let more_after = show.after.len() > after;
    let skip = show.before.len().saturating_sub(before);
    show.before.drain(..skip);
    show.after.truncate(after);
    if json {
        return json_response(StatusCode::OK, &MessageJson { show });
    }
    let query_param =
        if params.q.is_empty() { String::new() } else { format!("&q={}", encode(&params.q)) };
    let here = format!(
        "/m/{}?before={before}&after={after}&tz={}{query_param}#m-{}",
        encode(&show.message.id),
        encode(&zone_name),
        encode(&show.message.id)
    );
    let mut chrome = Chrome::new(&name, &zone_name, "")
        .answered_from(state.freshness())
        .writable(&state.csrf, here);
    chrome.keep = vec![
        ("before".into(), before.to_string()),
        ("after".into(), after.to_string()),
        ("q".into(), params.q.clone()),
    ];
    let tz = format!("{}{query_param}", chrome.tz_param());
    let mut target = MessageView::new(&show.message, &zone);
    target.target = true;
    let mut records: Vec<MessageView> = show
        .before
        .iter()
        .map(|m| MessageView::new(m, &zone))
        .chain(std::iter::once(MessageView {
            target: true,
            ..MessageView::new(&show.message, &zone)
        }))
        .chain(show.after.iter().map(|m| MessageView::new(m, &zone)))
        .map(|m| MessageView { query_param: query_param.clone(), ..m })
        .collect();
    crate::views::as_thread(&mut records);
    let here = encode(&show.message.id);
    let page = MessagePage {
        earlier: (more_before || show.before.len() == before)
            .then(|| format!("/m/{here}?before={}&after={after}&{tz}#m-{here}", before + 50)),
        later: (more_after || show.after.len() == after)
            .then(|| format!("/m/{here}?before={before}&after={}&{tz}#m-{here}", after + 50)),
        day_link: format!(
            "/c/{}?day={}&{tz}",
            encode(&show.message.conversation_ref),
            crate::time::day(&show.message.sent_at, &zone).unwrap_or_default()
        ),
        message: target,
        records,
        statuses: crate::views::STATUSES,
        chrome,
    };
    html_response(StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct DayParams {
    day: Option<String>,
    tz: Option<String>,
    /// The search the reader came from: its words are marked.
    #[serde(default)]
    q: String,
}

/// `/c/{id}?day=YYYY-MM-DD`: a conversation, one day at a time.
pub async fn conversation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<DayParams>,
) -> Response {
    let (json, id) = negotiate(&headers, &id);
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let day = params.day.clone().filter(|d| !d.is_empty());
    if let Err(f) = bounds::check_query(&params.q) {
        return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC"));
    }
    let q = params.q.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        let mut out = case.conversation_day(&id, day.as_deref(), Some(&zone_name), DAY_LIMIT)?;
        if !json {
            case.highlight(&q, &mut out.messages);
        }
        Ok((zone_name, zone, out))
    })
    .await;
    let (zone_name, zone, out) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    if json {
        return json_response(StatusCode::OK, &out);
    }
    let mut chrome = Chrome::new(&name, &zone_name, "").answered_from(state.freshness());
    chrome.keep = vec![("day".into(), out.day.clone()), ("q".into(), params.q.clone())];
    let page = ConversationPage {
        name: out.name.clone().unwrap_or_else(|| out.id.clone()),
        id: out.id.clone(),
        platform: out.platform.clone(),
        day: out.day.clone(),
        previous: out.previous_day.clone(),
        next: out.next_day.clone(),
        records: {
            let mut records: Vec<MessageView> =
                out.messages.iter().map(|m| MessageView::new(m, &zone)).collect();
            crate::views::as_thread(&mut records);
            records
        },
        truncated: out.truncated,
        day_total: out.day_total,
        chrome,
    };
    html_response(StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct PersonParams {
    split: Option<String>,
    tz: Option<String>,
    /// The chart's: see [`ZoneParams`].
    g: Option<String>,
    scale: Option<String>,
    by: Option<String>,
}

#[derive(Serialize)]
struct PersonJson {
    #[serde(flatten)]
    person: trove_app::PersonOutput,
    compare: Option<HashMap<String, trove_app::FacetsOutput>>,
}

/// `/p/{id}`: an account or person, its activity and hours; `split`
/// compares the hours before and after a day.
pub async fn person(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<PersonParams>,
) -> Response {
    let (json, id) = negotiate(&headers, &id);
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let split = params.split.clone().filter(|s| !s.is_empty());
    // One person's messages stacked by person would be one colour: by
    // conversation says more.
    let chart = ChartRequest::parse(
        params.g.as_deref(),
        params.scale.as_deref(),
        params.by.as_deref(),
        SeriesBy::Conversation,
    );
    let caches = state.caches.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        // Kept like facets: a person's page counts over all their messages.
        let version = case.derived_version()?;
        let key = (id.clone(), zone_name.clone(), chart.activity());
        let person = match caches.persons.get(version, &key) {
            Some(person) => person,
            None => {
                let person = case.person(&id, Some(&zone_name), &key.2)?;
                caches.persons.put(version, key, &person);
                person
            }
        };
        let compare = match &split {
            Some(day) => {
                let who = person_filter(&id);
                let before = case.facets(&format!("{who} before:{day}"), Some(&zone_name))?;
                let after = case.facets(&format!("{who} after:{day}"), Some(&zone_name))?;
                Some((day.clone(), before, after))
            }
            None => None,
        };
        Ok((zone_name, zone, person, compare))
    })
    .await;
    let (zone_name, zone, person, compare) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    if json {
        let compare = compare.map(|(day, before, after)| {
            HashMap::from([(format!("before {day}"), before), (format!("after {day}"), after)])
        });
        return json_response(StatusCode::OK, &PersonJson { person, compare });
    }
    let mut chrome = Chrome::new(&name, &zone_name, "").answered_from(state.freshness());
    chrome.keep = params.split.iter().map(|s| ("split".to_string(), s.clone())).collect();
    chrome.keep.extend(chart.keep());
    let tz = chrome.tz_param();
    let who = person_filter(&person.query);
    let chart_keep = match params.split.as_deref().filter(|s| !s.is_empty()) {
        Some(split) => format!("split={}&{tz}", encode(split)),
        None => tz.clone(),
    };
    let page = PersonPage {
        name: person.name.clone(),
        accounts: person
            .accounts
            .iter()
            .map(|a| {
                let mut names = vec![a.name.clone()];
                names.extend(a.display_name.clone());
                names.extend(a.handle.as_ref().map(|h| format!("@{h}")));
                names.dedup();
                crate::views::AliasView {
                    link: format!("/p/{}?{tz}", encode(&format!("#{}", a.row))),
                    platform: a.platform.clone(),
                    id_short: crate::views::short_id(&a.id),
                    id: a.id.clone(),
                    names: names.join(" · "),
                    person: a.person.as_ref().map(|(name, reason)| {
                        (name.clone(), format!("/p/{}?{tz}", encode(name)), reason.clone())
                    }),
                }
            })
            .collect(),
        messages: person.messages,
        first: person.first.as_deref().map(|t| crate::time::show(t, &zone)).unwrap_or_default(),
        last: person.last.as_deref().map(|t| crate::time::show(t, &zone)).unwrap_or_default(),
        chart: Chart::new(&person.activity, &who, &tz, chart.scale).with_controls(
            &format!("/p/{}", encode(&person.query)),
            &chart_keep,
            &chart,
        ),
        words: person
            .top_words
            .iter()
            .map(|w| {
                let q = format!("{who} \"{}\"", w.word);
                (w.word.clone(), w.count, format!("/search?q={}&{tz}", encode(&q)))
            })
            .collect(),
        heatmap: person.activity.heatmap.as_deref().map(Heatmap::new),
        split: params.split.clone().unwrap_or_default(),
        compare: compare.and_then(|(day, before, after)| {
            Some((
                format!("Before {day}"),
                Heatmap::new(before.heatmap.as_deref()?),
                format!("From {day} on"),
                Heatmap::new(after.heatmap.as_deref()?),
            ))
        }),
        search_link: format!("/search?q={}&sort=newest&{tz}", encode(&who)),
        chrome,
    };
    html_response(StatusCode::OK, &page)
}

/// The `from:` filter for a person or account id.
fn person_filter(id: &str) -> String {
    if id.chars().any(|c| c.is_whitespace() || c == '"' || c == ':') {
        format!("from:\"{}\"", id.replace('"', ""))
    } else {
        format!("from:{id}")
    }
}

/// `/api/openapi.json`.
pub async fn openapi() -> Response {
    json_response(StatusCode::OK, &crate::api::openapi(crate::ENDPOINTS))
}

/// `/assets/{name}`: the stylesheet and the script, from the binary.
pub async fn asset(Path(name): Path<String>) -> Response {
    match name.as_str() {
        "app.css" => ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response(),
        "app.js" => {
            ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS).into_response()
        }
        _ => (StatusCode::NOT_FOUND, "no such asset\n").into_response(),
    }
}

/// Anything else.
pub async fn not_found(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (json, _) = negotiate(&headers, "");
    failure_response(
        json,
        Failure { status: StatusCode::NOT_FOUND, message: "no such page".into() },
        &state.name,
        "UTC",
    )
}

/// An error page (for handlers outside this module).
pub(crate) fn error_page(status: StatusCode, message: String, case: &str) -> Response {
    failure_response(false, Failure { status, message }, case, "UTC")
}

#[derive(Debug, Default, Deserialize)]
pub struct TzParams {
    tz: Option<String>,
    /// Collections: the publication just written (a folder name).
    published: Option<String>,
}

/// `/collections`: every collection.
pub async fn collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<TzParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    collections_page(state, params, json).await
}

/// `/collections.json`.
pub async fn collections_json(
    State(state): State<AppState>,
    Query(params): Query<TzParams>,
) -> Response {
    collections_page(state, params, true).await
}

async fn collections_page(state: AppState, params: TzParams, json: bool) -> Response {
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, _) = zone_of(case, tz.as_deref())?;
        Ok((zone_name, case.collections()?))
    })
    .await;
    match result {
        Ok((_, all)) if json => json_response(StatusCode::OK, &all),
        Ok((zone, all)) => html_response(
            StatusCode::OK,
            &CollectionsPage {
                chrome: Chrome::new(&name, &zone, "").answered_from(state.freshness()),
                collections: all,
            },
        ),
        Err(f) => failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    }
}

/// `/collections/{name}`: the excerpts in order, to review and reorder.
pub async fn collection(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(wanted): Path<String>,
    Query(params): Query<TzParams>,
) -> Response {
    let (json, wanted) = negotiate(&headers, &wanted);
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let lookup = wanted.clone();
    let published = params.published.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        let mut collection = case.collection(&lookup)?;
        for excerpt in &mut collection.excerpts {
            case.attach_annotations(&mut excerpt.messages)?;
        }
        // Named only if it is a folder the case published into.
        let published = published
            .filter(|p| crate::actions::is_folder_name(p))
            .filter(|p| case.dir().join(crate::actions::PUBLISHED).join(p).is_dir());
        Ok((zone_name, zone, collection, published))
    })
    .await;
    let (zone_name, zone, collection, published) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    if json {
        return json_response(StatusCode::OK, &collection);
    }
    let here = format!("/collections/{}?tz={}", encode(&wanted), encode(&zone_name));
    let count = collection.excerpts.len();
    let page = CollectionPage {
        chrome: Chrome::new(&name, &zone_name, "")
            .answered_from(state.freshness())
            .writable(&state.csrf, here),
        name: collection.name,
        published: published.map(|p| format!("{}/{p}", crate::actions::PUBLISHED)),
        excerpts: collection
            .excerpts
            .iter()
            .map(|x| ExcerptView {
                position: x.position,
                note_html: x.note.as_deref().map(trove_app::note_html).unwrap_or_default(),
                messages: x.messages.iter().map(|m| MessageView::new(m, &zone)).collect(),
                last: x.position as usize >= count,
            })
            .collect(),
    };
    html_response(StatusCode::OK, &page)
}

/// `/collections/{name}/preview`: the page `trove publish` would write,
/// redactions applied. It is the publication's own self-contained HTML
/// (inline style, no script), so it gets that page's policy.
pub async fn collection_preview(
    State(state): State<AppState>,
    Path(wanted): Path<String>,
    Query(params): Query<TzParams>,
) -> Response {
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, _) = zone_of(case, tz.as_deref())?;
        Ok(case.publication_html(&wanted, Some(&zone_name))?)
    })
    .await;
    match result {
        Ok(html) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, crate::security::PUBLICATION_CSP),
            ],
            html,
        )
            .into_response(),
        Err(f) => failure_response(false, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    }
}

/// `/redactions`: the rules, where each hits, and how output will read.
pub async fn redactions(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<TzParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    redactions_page(state, params, json).await
}

/// `/redactions.json`.
pub async fn redactions_json(
    State(state): State<AppState>,
    Query(params): Query<TzParams>,
) -> Response {
    redactions_page(state, params, true).await
}

async fn redactions_page(state: AppState, params: TzParams, json: bool) -> Response {
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, _) = zone_of(case, tz.as_deref())?;
        Ok((zone_name, case.redaction_preview(5)?))
    })
    .await;
    match result {
        Ok((_, preview)) if json => json_response(StatusCode::OK, &preview),
        Ok((zone, preview)) => {
            let here = format!("/redactions?tz={}", encode(&zone));
            html_response(
                StatusCode::OK,
                &RedactionsPage {
                    chrome: Chrome::new(&name, &zone, "")
                        .answered_from(state.freshness())
                        .writable(&state.csrf, here),
                    preview,
                    detectors: trove_app::detector_names(),
                },
            )
        }
        Err(f) => failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    }
}
