//! Review: the queue of messages to triage (`/review`, keyboard `r`, `n`,
//! `v`, `u`), every note (`/notes`), every tag (`/tags`) and the audit
//! trail (`/audit`), each with its JSON twin.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use trove_app::{LogOutput, NoteOutput, SearchOptions, SortOrder, TagOutput};

use crate::pages::{failure_response, html_response, json_response, negotiate, with_case, zone_of};
use crate::views::{Chrome, MessageView, encode};
use crate::{AppState, author};

/// Messages per review page.
const QUEUE_PAGE: usize = 25;
/// Lines of the audit trail shown.
const AUDIT_LINES: usize = 500;

#[derive(Debug, Default, Deserialize)]
pub struct ReviewParams {
    /// Narrows the queue (any query).
    #[serde(default)]
    q: String,
    /// The status under review (default `unread`).
    status: Option<String>,
    tz: Option<String>,
}

#[derive(Serialize)]
struct ReviewJson {
    status: String,
    query: String,
    /// Messages in the queue (exact).
    total: u64,
    hits: Vec<trove_app::MessageOutput>,
}

#[derive(Template)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub status: String,
    pub statuses: &'static [&'static str],
    pub q: String,
    pub total: u64,
    pub hits: Vec<MessageView>,
    pub author: String,
    pub reload: String,
}

/// `/review?status=…&q=…`: the oldest messages with that status first.
pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ReviewParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    review_page(state, headers, params, json).await
}

/// `/review.json`.
pub async fn review_json(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ReviewParams>,
) -> Response {
    review_page(state, headers, params, true).await
}

async fn review_page(
    state: AppState,
    headers: HeaderMap,
    params: ReviewParams,
    json: bool,
) -> Response {
    let name = state.name.to_string();
    let status = match trove_app::review_status(params.status.as_deref().unwrap_or("unread")) {
        Ok(status) => status.to_string(),
        Err(message) => {
            return failure_response(
                json,
                crate::pages::Failure { status: StatusCode::BAD_REQUEST, message },
                &name,
                params.tz.as_deref().unwrap_or("UTC"),
            );
        }
    };
    let query = format!("status:{status} {}", params.q).trim().to_string();
    if let Err(f) = crate::bounds::check_query(&query) {
        return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC"));
    }
    let tz = params.tz.clone();
    let wanted = query.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        let options = SearchOptions {
            limit: QUEUE_PAGE,
            sort: SortOrder::Oldest,
            zone: Some(zone_name.clone()),
            ..SearchOptions::default()
        };
        let mut found = case.search(&wanted, &options)?;
        case.attach_annotations(&mut found.hits)?;
        Ok((zone_name, zone, found))
    })
    .await;
    let (zone_name, zone, found) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    if json {
        return json_response(
            StatusCode::OK,
            &ReviewJson { status, query: params.q, total: found.total, hits: found.hits },
        );
    }
    let here = format!("/review?status={status}&q={}&tz={}", encode(&params.q), encode(&zone_name));
    let mut chrome = Chrome::new(&name, &zone_name, "")
        .answered_from(state.freshness())
        .writable(&state.csrf, here.clone());
    chrome.keep = vec![("status".into(), status.clone()), ("q".into(), params.q.clone())];
    let page = ReviewPage {
        statuses: trove_app::REVIEW_STATUSES,
        q: params.q,
        total: found.total,
        hits: found
            .hits
            .iter()
            .map(|m| MessageView { selectable: true, ..MessageView::new(m, &zone) })
            .collect(),
        author: author::of(&headers, &state.author),
        reload: here,
        status,
        chrome,
    };
    html_response(StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    tz: Option<String>,
    /// Notes: include deleted ones.
    #[serde(default)]
    deleted: bool,
}

#[derive(Template)]
#[template(path = "notes.html")]
pub struct NotesPage {
    pub chrome: Chrome,
    /// Note, its rendered Markdown, when (in the page's zone).
    pub notes: Vec<(NoteOutput, String, String)>,
    pub deleted: bool,
}

/// `/notes` (and `/notes.json`): every note, newest first.
pub async fn notes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    notes_page(state, params, json).await
}

/// `/notes.json`.
pub async fn notes_json(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Response {
    notes_page(state, params, true).await
}

async fn notes_page(state: AppState, params: ListParams, json: bool) -> Response {
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let deleted = params.deleted;
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        let mut notes = case.notes(None, deleted)?;
        notes.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        Ok((zone_name, zone, notes))
    })
    .await;
    let (zone_name, zone, notes) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    if json {
        return json_response(StatusCode::OK, &notes);
    }
    let page = NotesPage {
        chrome: Chrome::new(&name, &zone_name, "").answered_from(state.freshness()),
        notes: notes
            .into_iter()
            .map(|n| {
                let html = trove_app::note_html(&n.body);
                let at = crate::time::show(&n.updated_at, &zone);
                (n, html, at)
            })
            .collect(),
        deleted,
    };
    html_response(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "tags.html")]
pub struct TagsPage {
    pub chrome: Chrome,
    /// Tag, messages carrying it, search link.
    pub tags: Vec<(String, usize, String)>,
}

/// `/tags` (and `/tags.json`): every tag with how many messages carry it.
pub async fn tags(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    tags_page(state, params, json).await
}

/// `/tags.json`.
pub async fn tags_json(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Response {
    tags_page(state, params, true).await
}

async fn tags_page(state: AppState, params: ListParams, json: bool) -> Response {
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, _) = zone_of(case, tz.as_deref())?;
        Ok((zone_name, case.tags()?))
    })
    .await;
    let (zone_name, mut tags): (String, Vec<TagOutput>) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    if json {
        return json_response(StatusCode::OK, &tags);
    }
    tags.sort_by(|a, b| b.message_ids.len().cmp(&a.message_ids.len()).then(a.tag.cmp(&b.tag)));
    let chrome = Chrome::new(&name, &zone_name, "").answered_from(state.freshness());
    let tz = chrome.tz_param();
    let page = TagsPage {
        tags: tags
            .into_iter()
            .map(|t| {
                let q = format!("tag:{}", trove_app::filter_value(&t.tag));
                let link = format!("/search?q={}&sort=oldest&{tz}", encode(&q));
                (t.tag, t.message_ids.len(), link)
            })
            .collect(),
        chrome,
    };
    html_response(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    /// Line, when (in the page's zone).
    pub lines: Vec<(LogOutput, String)>,
    pub limit: usize,
}

/// `/audit` (and `/audit.json`): who changed what, newest first.
pub async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    audit_page(state, params, json).await
}

/// `/audit.json`.
pub async fn audit_json(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Response {
    audit_page(state, params, true).await
}

async fn audit_page(state: AppState, params: ListParams, json: bool) -> Response {
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        Ok((zone_name, zone, case.annotation_log(AUDIT_LINES)?))
    })
    .await;
    let (zone_name, zone, lines) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    if json {
        return json_response(StatusCode::OK, &lines);
    }
    let page = AuditPage {
        chrome: Chrome::new(&name, &zone_name, "").answered_from(state.freshness()),
        lines: lines
            .into_iter()
            .map(|l| {
                let at = crate::time::show(&l.at, &zone);
                (l, at)
            })
            .collect(),
        limit: AUDIT_LINES,
    };
    html_response(StatusCode::OK, &page)
}
