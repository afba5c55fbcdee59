//! What the workbench writes: notes, tags, review status, collections,
//! redaction rules, names and persons. Every write is a `POST /act`
//! carrying the server's CSRF token (a random value embedded in the pages
//! it serves, which another site cannot read), and is refused when the
//! browser says it comes from another origin. A form posts back to the page
//! it came from; a JSON body (`{"action": "tag", "id": ["…"], …}`, the
//! same fields) is answered in JSON, as is a form sent with
//! `Accept: application/json`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use trove_app::{Case, NewRule};

use crate::AppState;

/// A fresh 128-bit token, hex, from the operating system's random source.
/// There is no fallback: a token a page could guess would let any site
/// write to the case, so without randomness the workbench does not start.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The submitted fields (a field may repeat: `id` for a selection).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn need(&self, name: &str) -> Result<&str, String> {
        self.get(name).ok_or_else(|| format!("the form has no `{name}`"))
    }

    fn number(&self, name: &str) -> Result<i64, String> {
        self.need(name)?.trim().parse().map_err(|_| format!("`{name}` must be a number"))
    }
}

#[derive(Serialize)]
struct Done {
    ok: bool,
    detail: String,
}

/// The fields of a form, or of a JSON object (a list stands for a
/// repeated field; numbers and booleans are taken as written).
fn fields_of(json_body: bool, body: &[u8]) -> Result<Fields, String> {
    if !json_body {
        return Ok(Fields(form_urlencoded::parse(body).into_owned().collect()));
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the JSON body: {e}"))?;
    let serde_json::Value::Object(object) = value else {
        return Err("the JSON body must be an object of fields".into());
    };
    let scalar = |name: &str, value: serde_json::Value| match value {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("`{name}` must be a string, a number or a list of them")),
    };
    let mut fields = Vec::new();
    for (name, value) in object {
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Array(items) => {
                for item in items {
                    fields.push((name.clone(), scalar(&name, item)?));
                }
            }
            value => fields.push((name.clone(), scalar(&name, value)?)),
        }
    }
    Ok(Fields(fields))
}

/// `POST /act`: a form, or a JSON object of the same fields.
pub async fn act(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let header_text = |name| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let json_body = header_text(header::CONTENT_TYPE).starts_with("application/json");
    let accept = header_text(header::ACCEPT);
    let json = json_body || (accept.contains("application/json") && !accept.contains("text/html"));
    let fields = match fields_of(json_body, &body) {
        Ok(fields) => fields,
        Err(message) => {
            return crate::pages::json_response(
                StatusCode::BAD_REQUEST,
                &Done { ok: false, detail: message },
            );
        }
    };
    if let Err(why) = same_origin(&headers, fields.get("csrf"), &state.csrf) {
        return (StatusCode::FORBIDDEN, format!("refused: {why}\n")).into_response();
    }
    let action = fields.get("action").unwrap_or("").to_string();
    let back = fields.get("back").filter(|b| is_local(b)).unwrap_or("/").to_string();
    if action == "author" {
        return set_author(&fields, &back, json, &state.name);
    }
    let author = crate::author::of(&headers, &state.author);
    let acted = action.clone();
    // What the page it goes back to should say: where a publication went.
    let outcome = match state
        .cases
        .run(move |case| match acted.as_str() {
            "publish" => publish(case, &fields).map(|(detail, folder)| (detail, Some(folder))),
            _ => perform(case, &acted, &fields, &author).map(|detail| (detail, None)),
        })
        .await
    {
        Ok(Some(result)) => result,
        Ok(None) => Err("the change failed inside the workbench (a bug: please report it)".into()),
        Err(unserved) => Err(crate::pages::unserved_failure(unserved).message),
    };
    match outcome {
        Ok((detail, _)) if json => {
            crate::pages::json_response(StatusCode::OK, &Done { ok: true, detail })
        }
        Ok((_, Some(folder))) => {
            let separator = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{separator}published={}", crate::views::encode(&folder)))
                .into_response()
        }
        Ok((_, None)) => Redirect::to(&back).into_response(),
        Err(message) if json => crate::pages::json_response(
            StatusCode::BAD_REQUEST,
            &Done { ok: false, detail: message },
        ),
        Err(message) => crate::pages::error_page(StatusCode::BAD_REQUEST, message, &state.name),
    }
}

#[derive(Serialize)]
struct Session {
    /// The token every write carries (`csrf` field).
    csrf: String,
    /// Who writes are recorded as, for this client.
    author: String,
}

/// `GET /api/session.json`: what a script on this machine needs to write
/// through the JSON API. Another site cannot read it: the browser refuses
/// it the answer (no CORS), the server refuses requests it marks cross-site
/// and any `Host` but its loopback one.
pub async fn session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    crate::pages::json_response(
        StatusCode::OK,
        &Session {
            csrf: state.csrf.to_string(),
            author: crate::author::of(&headers, &state.author),
        },
    )
}

/// `action=author`: records `value` as this browser session's author.
fn set_author(fields: &Fields, back: &str, json: bool, case: &str) -> Response {
    let name = crate::author::valid(fields.get("value").unwrap_or("")).and_then(|name| {
        Ok((crate::author::cookie(&name).ok_or("a name that cannot be stored")?, name))
    });
    match name {
        Ok((cookie, name)) => {
            let mut response = if json {
                crate::pages::json_response(
                    StatusCode::OK,
                    &Done { ok: true, detail: format!("changes are recorded as {name}") },
                )
            } else {
                Redirect::to(back).into_response()
            };
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(message) if json => crate::pages::json_response(
            StatusCode::BAD_REQUEST,
            &Done { ok: false, detail: message },
        ),
        Err(message) => crate::pages::error_page(StatusCode::BAD_REQUEST, message, case),
    }
}

fn perform(case: &mut Case, action: &str, f: &Fields, author: &str) -> Result<String, String> {
    let e = |e: trove_app::AppError| e.to_string();
    match action {
        "note" => {
            let target = match f.get("last") {
                Some(last) => format!("{}..{}", f.need("id")?, last.trim()),
                None => f.need("id")?.to_string(),
            };
            let note = case.add_note(&target, f.need("body")?, author).map_err(e)?;
            Ok(format!("note {}", note.id))
        }
        "delete-note" => {
            let note = case.delete_note(f.number("note")?, author).map_err(e)?;
            Ok(format!("deleted note {}", note.id))
        }
        "tag" => {
            let added = case.add_tag(&ids(f)?, f.need("value")?, author).map_err(e)?;
            Ok(format!("tagged {added}"))
        }
        "untag" => {
            let removed = case.remove_tag(&ids(f)?, f.need("value")?, author).map_err(e)?;
            Ok(format!("untagged {removed}"))
        }
        "status" => {
            let set = case.set_status(&ids(f)?, f.need("value")?, author).map_err(e)?;
            Ok(format!("status of {set}"))
        }
        "collect" => {
            let mut targets = ids(f)?;
            if let (Some(last), [single]) = (f.get("last"), targets.as_slice()) {
                targets = vec![format!("{single}..{}", last.trim())];
            }
            let positions = case
                .collection_add(f.need("value")?, &targets, f.get("note"), author)
                .map_err(e)?;
            Ok(format!("added at {positions:?}"))
        }
        "move" => {
            case.collection_move(f.need("name")?, f.number("from")?, f.number("to")?, author)
                .map_err(e)?;
            Ok("moved".into())
        }
        "uncollect" => {
            case.collection_remove(f.need("name")?, f.number("position")?, author).map_err(e)?;
            Ok("removed".into())
        }
        "redact" => {
            let value = f.need("value")?.to_string();
            let rule = match f.need("kind")? {
                "person" => NewRule::Person {
                    reference: value,
                    pseudonym: f.get("pseudonym").map(str::to_string),
                },
                "text" => NewRule::Text(value),
                "regex" => NewRule::Regex(value),
                "detector" => NewRule::Detector(value),
                other => {
                    return Err(format!(
                        "`{other}` is not a kind of rule (person, text, regex, detector)"
                    ));
                }
            };
            let rule = case.add_redaction(rule, author).map_err(e)?;
            Ok(format!("rule {}", rule.id))
        }
        "name" => {
            let account = f.need("id")?;
            case.name_person(account, f.need("value")?, author).map_err(e)?;
            Ok(format!("named {account}"))
        }
        "merge" => {
            let accounts = ids(f)?;
            let [first, rest @ ..] = accounts.as_slice() else {
                return Err("select at least two accounts to merge".into());
            };
            if rest.is_empty() {
                return Err("select at least two accounts to merge".into());
            }
            let reason = f.need("reason")?;
            // The first merge names the person; the rest join it.
            let mut person =
                case.merge_people(first, &rest[0], reason, f.get("name"), author).map_err(e)?;
            for other in &rest[1..] {
                person =
                    case.merge_people(first, other, reason, Some(&person), author).map_err(e)?;
            }
            Ok(format!("merged {} accounts as {person}", accounts.len()))
        }
        "split" => {
            let account = f.need("id")?;
            let person = case.split_person(account, f.need("reason")?, author).map_err(e)?;
            Ok(format!("{account} is no longer linked to {person}"))
        }
        "unredact" => {
            case.remove_redaction(f.number("rule")?, author).map_err(e)?;
            Ok("removed".into())
        }
        other => Err(format!("`{other}` is not an action")),
    }
}

/// `action=publish`: writes collection `name` into a new folder of the
/// case's `published/`; the detail, and the folder's name.
fn publish(case: &mut Case, f: &Fields) -> Result<(String, String), String> {
    let name = f.need("name")?;
    let folder = publication_folder(case, name)?;
    let out = case.publish(name, &folder, None, f.get("tz")).map_err(|e| e.to_string())?;
    let folder_name =
        folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let detail = format!(
        "published {} excerpts ({} messages, {} redaction rules) to {PUBLISHED}/{folder_name}",
        out.excerpts, out.messages, out.rules,
    );
    Ok((detail, folder_name))
}

/// Where the workbench publishes, inside the case folder.
pub(crate) const PUBLISHED: &str = "published";

/// A folder name the workbench could have made: no separators, no dots
/// first, nothing odd.
pub(crate) fn is_folder_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// A new folder for a publication of `name`: `published/NAME-TIME`, the
/// name reduced to safe characters.
fn publication_folder(case: &Case, name: &str) -> Result<std::path::PathBuf, String> {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .take(60)
        .collect();
    let slug = slug.trim_matches('-');
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let folder = format!("{}-{stamp}", if slug.is_empty() { "collection" } else { slug });
    let path = case.dir().join(PUBLISHED).join(&folder);
    if path.exists() {
        return Err(format!("{PUBLISHED}/{folder} exists already: publish again in a second"));
    }
    Ok(path)
}

fn ids(f: &Fields) -> Result<Vec<String>, String> {
    let ids = f.all("id");
    if ids.is_empty() {
        return Err("select at least one message".into());
    }
    Ok(ids)
}

/// A path on this server (not `//host`, not a scheme).
fn is_local(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

/// The token matches, and the browser does not say the form came from
/// another origin.
fn same_origin(headers: &HeaderMap, token: Option<&str>, expected: &str) -> Result<(), String> {
    let given = token.unwrap_or("");
    let matches = given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !matches {
        return Err("the form's CSRF token is missing or wrong (reload the page)".into());
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site")
        && site != "same-origin"
        && site != "none"
    {
        return Err(format!("a write from another site ({site})"));
    }
    // `null` is what a sandboxed frame, a `data:` page or a file opened
    // from disk sends: never the workbench's own pages.
    if let (Some(origin), Some(host)) = (header("origin"), header("host"))
        && origin.strip_prefix("http://") != Some(host)
    {
        return Err(format!("a write from {origin}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_back() {
        assert!(is_local("/m/abc?tz=UTC#m-abc"));
        for bad in
            ["//evil.example/x", "https://evil.example/", "javascript:alert(1)", "/\\evil", "/a\nb"]
        {
            assert!(!is_local(bad), "{bad}");
        }
    }

    #[test]
    fn tokens_are_random_and_checked_with_origin() {
        let token = new_token().expect("randomness");
        assert_eq!(token.len(), 32);
        assert_ne!(token, new_token().expect("randomness"));
        let mut headers = HeaderMap::new();
        headers.insert("host", "127.0.0.1:8080".parse().expect("value"));
        assert!(same_origin(&headers, Some(&token), &token).is_ok());
        assert!(same_origin(&headers, Some("0".repeat(32).as_str()), &token).is_err());
        assert!(same_origin(&headers, None, &token).is_err());
        headers.insert("origin", "http://evil.example".parse().expect("value"));
        assert!(same_origin(&headers, Some(&token), &token).is_err());
        headers.insert("origin", "null".parse().expect("value"));
        assert!(same_origin(&headers, Some(&token), &token).is_err());
        headers.insert("origin", "http://127.0.0.1:8080".parse().expect("value"));
        headers.insert("sec-fetch-site", "cross-site".parse().expect("value"));
        assert!(same_origin(&headers, Some(&token), &token).is_err());
    }
}
