//! `/people`: every account and person, sortable and filterable, where
//! accounts are named, merged into persons and split out of them (each
//! change with its reason in the audit trail).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use trove_app::contract::{ParticipantOutput, PersonOutput};

use crate::AppState;
use crate::pages::{failure_response, html_response, json_response, negotiate, with_case, zone_of};
use crate::views::{Chrome, encode, short_id};

/// Accounts per page.
const PAGE_SIZE: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub struct PeopleParams {
    /// Part of a name, handle or id.
    #[serde(default)]
    q: String,
    #[serde(default)]
    platform: String,
    sort: Option<String>,
    page: Option<usize>,
    tz: Option<String>,
}

/// The orders `/people` offers: value, label.
const SORTS: [(&str, &str); 5] = [
    ("messages", "most messages"),
    ("name", "name"),
    ("first", "first seen"),
    ("last", "last seen"),
    ("platform", "platform"),
];

#[derive(Serialize)]
struct PeopleJson {
    /// Accounts in the case.
    accounts_total: usize,
    /// Accounts the filter kept (all pages).
    matching: usize,
    page: usize,
    pages: usize,
    /// This page of the matching accounts.
    people: Vec<ParticipantOutput>,
    /// Every person (accounts linked by a user), with their accounts.
    persons: Vec<PersonOutput>,
}

/// An account row as the page shows it.
pub struct AccountRow {
    pub reference: String,
    pub link: String,
    pub name: String,
    pub platform: String,
    pub id: String,
    pub id_short: String,
    pub handle: String,
    pub messages: u64,
    pub first: String,
    pub last: String,
    /// The person it is linked to.
    pub person: Option<(String, String)>,
}

/// A person as the page shows it: name, link, messages, accounts.
pub struct PersonView {
    pub name: String,
    pub link: String,
    pub messages: u64,
    pub accounts: Vec<(AccountRow, String)>,
}

#[derive(Template)]
#[template(path = "people.html")]
pub struct PeoplePage {
    pub chrome: Chrome,
    pub q: String,
    pub platform: String,
    pub platforms: Vec<String>,
    pub sort: String,
    pub sorts: Vec<(&'static str, &'static str)>,
    pub total: usize,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub accounts: Vec<AccountRow>,
    pub persons: Vec<PersonView>,
}

/// `/people` (and `/people.json`).
pub async fn people(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<PeopleParams>,
) -> Response {
    let (json, _) = negotiate(&headers, "");
    people_page(state, params, json).await
}

/// `/people.json`.
pub async fn people_json(
    State(state): State<AppState>,
    Query(params): Query<PeopleParams>,
) -> Response {
    people_page(state, params, true).await
}

async fn people_page(state: AppState, params: PeopleParams, json: bool) -> Response {
    let name = state.name.to_string();
    let tz = params.tz.clone();
    let result = with_case(&state, move |case| {
        let (zone_name, zone) = zone_of(case, tz.as_deref())?;
        Ok((zone_name, zone, case.people()?))
    })
    .await;
    let (zone_name, zone, all) = match result {
        Ok(found) => found,
        Err(f) => return failure_response(json, f, &name, params.tz.as_deref().unwrap_or("UTC")),
    };
    let sort = SORTS
        .iter()
        .map(|(value, _)| *value)
        .find(|s| Some(*s) == params.sort.as_deref())
        .unwrap_or("messages");
    let total = all.people.len();
    let mut platforms: Vec<String> = Vec::new();
    for account in &all.people {
        if !platforms.contains(&account.platform) {
            platforms.push(account.platform.clone());
        }
    }
    platforms.sort();
    let mut matching: Vec<ParticipantOutput> =
        all.people.into_iter().filter(|a| matches(a, &params.q, &params.platform)).collect();
    sort_accounts(&mut matching, sort);
    let pages = matching.len().div_ceil(PAGE_SIZE).max(1);
    let page = params.page.unwrap_or(1).clamp(1, pages);
    let count = matching.len();
    let shown: Vec<ParticipantOutput> =
        matching.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    if json {
        return json_response(
            StatusCode::OK,
            &PeopleJson {
                accounts_total: total,
                matching: count,
                page,
                pages,
                people: shown,
                persons: all.persons,
            },
        );
    }
    let here = format!(
        "/people?q={}&platform={}&sort={sort}&page={page}&tz={}",
        encode(&params.q),
        encode(&params.platform),
        encode(&zone_name)
    );
    let chrome = Chrome::new(&name, &zone_name, "")
        .answered_from(state.freshness())
        .writable(&state.csrf, here);
    let tz = chrome.tz_param();
    let show =
        |t: &Option<String>| t.as_deref().map(|t| crate::time::show(t, &zone)).unwrap_or_default();
    let person_of = |row: i64| {
        all.persons
            .iter()
            .find(|p| p.accounts.iter().any(|a| a.row == row))
            .map(|p| (p.name.clone(), format!("/p/{}?{tz}", encode(&p.name))))
    };
    let row_view = |a: &ParticipantOutput| AccountRow {
        reference: format!("#{}", a.row),
        link: format!("/p/{}?{tz}", encode(&format!("#{}", a.row))),
        name: a.name.clone(),
        platform: a.platform.clone(),
        id_short: short_id(&a.id),
        id: a.id.clone(),
        handle: a.handle.clone().unwrap_or_default(),
        messages: a.messages,
        first: show(&a.first),
        last: show(&a.last),
        person: person_of(a.row),
    };
    let link = |page: usize| {
        format!(
            "/people?q={}&platform={}&sort={sort}&page={page}&{tz}",
            encode(&params.q),
            encode(&params.platform)
        )
    };
    let page_view = PeoplePage {
        q: params.q.clone(),
        platform: params.platform.clone(),
        platforms,
        sort: sort.to_string(),
        sorts: SORTS.to_vec(),
        total,
        matching: count,
        page,
        pages,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
        accounts: shown.iter().map(row_view).collect(),
        persons: all
            .persons
            .iter()
            .map(|p| PersonView {
                name: p.name.clone(),
                link: format!("/p/{}?{tz}", encode(&p.name)),
                messages: p.messages,
                accounts: p
                    .accounts
                    .iter()
                    .zip(&p.reasons)
                    .map(|(a, reason)| (row_view(a), reason.clone()))
                    .collect(),
            })
            .collect(),
        chrome,
    };
    html_response(StatusCode::OK, &page_view)
}

/// Whether an account's names or ids contain `q` (any case) and it is on
/// `platform` (any, when empty).
fn matches(a: &ParticipantOutput, q: &str, platform: &str) -> bool {
    if !platform.is_empty() && a.platform != platform {
        return false;
    }
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let q = q.strip_prefix('@').unwrap_or(&q);
    [Some(&a.name), Some(&a.id), a.handle.as_ref(), a.display_name.as_ref(), a.user_name.as_ref()]
        .into_iter()
        .flatten()
        .any(|value| value.to_lowercase().contains(q))
        || format!("#{}", a.row) == q
}

fn sort_accounts(accounts: &mut [ParticipantOutput], sort: &str) {
    match sort {
        "name" => accounts.sort_by_cached_key(|a| (a.name.to_lowercase(), a.row)),
        // Accounts never seen sending sort last either way.
        "first" => accounts.sort_by(|a, b| {
            (a.first.is_none(), &a.first, a.row).cmp(&(b.first.is_none(), &b.first, b.row))
        }),
        "last" => accounts.sort_by(|a, b| {
            (b.last.is_some(), &b.last, a.row).cmp(&(a.last.is_some(), &a.last, b.row))
        }),
        "platform" => accounts.sort_by(|a, b| {
            (&a.platform, std::cmp::Reverse(a.messages), a.row).cmp(&(
                &b.platform,
                std::cmp::Reverse(b.messages),
                b.row,
            ))
        }),
        _ => accounts.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.row.cmp(&b.row))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(row: i64, name: &str, messages: u64, first: Option<&str>) -> ParticipantOutput {
        ParticipantOutput {
            row,
            id: format!("{}@host.onion", name.to_lowercase()),
            name: name.into(),
            messages,
            platform: if row % 2 == 0 { "jabber" } else { "irc" }.into(),
            handle: None,
            display_name: None,
            user_name: None,
            first: first.map(str::to_string),
            last: first.map(str::to_string),
        }
    }

    #[test]
    fn accounts_filter_by_any_name_and_sort_with_the_unseen_last() {
        let mut all = vec![
            account(1, "bio", 5, Some("2016-02-01T00:00:00Z")),
            account(2, "Azor", 9, Some("2016-01-01T00:00:00Z")),
            account(3, "quiet", 0, None),
        ];
        assert!(matches(&all[0], "BIO@host", ""));
        assert!(matches(&all[0], "#1", ""));
        assert!(!matches(&all[0], "bio", "jabber"));
        assert!(matches(&all[1], "", "jabber"));
        sort_accounts(&mut all, "first");
        assert_eq!(all.iter().map(|a| a.row).collect::<Vec<_>>(), [2, 1, 3]);
        sort_accounts(&mut all, "last");
        assert_eq!(all.iter().map(|a| a.row).collect::<Vec<_>>(), [1, 2, 3]);
        sort_accounts(&mut all, "name");
        assert_eq!(all.iter().map(|a| a.row).collect::<Vec<_>>(), [2, 1, 3]);
        sort_accounts(&mut all, "messages");
        assert_eq!(all.iter().map(|a| a.row).collect::<Vec<_>>(), [2, 1, 3]);
    }
}
