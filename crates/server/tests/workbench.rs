//! The workbench over HTTP: every page and its JSON twin, facets that
//! refine, context and permalinks, zones that move the heatmap, and
//! hostile content that never becomes markup.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;
use trove_app::Case;
use trove_ingest::IngestOptions;
use trove_testkit::zipfile::write_zip;

const PORT: u16 = 8080;
const HOST: &str = "127.0.0.1:8080";

/// Strings that would run script or load something if they reached the
/// page unescaped.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "'><svg onload=alert(3)>",
    "</title><script>alert(4)</script>",
    "javascript:alert(5)",
    "<a href=\"https://evil.example/track\">click</a>",
    "<iframe src=//evil.example></iframe>",
    "&lt;b&gt;already escaped&lt;/b&gt;",
    "{{7*7}} {% raw %}",
    "<style>body{display:none}</style>",
];

/// A WhatsApp export whose names, texts and file names are hostile, and
/// a transcript with hostile senders and a conversation name.
fn build_case(dir: &Path) -> Case {
    let mut chat = String::new();
    for (i, hostile) in HOSTILE.iter().enumerate() {
        chat.push_str(&format!(
            "0{}/02/2020, 1{}:00 - Mallory {hostile}: look {hostile} https://evil.example/?q={i}\n",
            1 + i % 9,
            i % 10
        ));
    }
    chat.push_str("01/03/2020, 09:00 - Alice: password rotation is due\n");
    chat.push_str("02/03/2020, 21:30 - Bob: the password is on the wiki\n");
    chat.push_str("03/03/2020, 22:15 - Alice: <img src=x onerror=alert(9)>.pdf (file attached)\n");
    // With it, an image whose name would close the `alt` it is shown in.
    chat.push_str("\"><img src=x onerror=alert(2)>.png (file attached)\n");
    let zip = dir.join("WhatsApp Chat with <b>Ops<i>.zip");
    write_zip(
        &zip,
        &[
            ("_chat.txt", chat.as_bytes()),
            ("<img src=x onerror=alert(9)>.pdf", b"%PDF"),
            ("\"><img src=x onerror=alert(2)>.png", PNG),
        ],
    )
    .expect("zip");
    let csv = dir.join("transcript.csv");
    let mut rows = String::from("text,date,user,conversation\n");
    for (i, hostile) in HOSTILE.iter().enumerate() {
        let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        rows.push_str(&format!(
            "{},2019-0{}-1{}T08:00:00Z,{},{}\n",
            quoted(&format!("password {hostile}")),
            1 + i % 9,
            i % 10,
            quoted(hostile),
            quoted(&format!("room {hostile}"))
        ));
    }
    std::fs::write(&csv, rows).expect("csv");
    let mut case = Case::open_or_create(&dir.join("case"), &mut ()).expect("case");
    let stop = AtomicBool::new(false);
    // The attached files are copied: their links and thumbnails are on the pages.
    let options = IngestOptions {
        read: trove_readers_options(),
        command: "test".into(),
        media_dir: Some(case.media_dir()),
        ..IngestOptions::default()
    };
    case.ingest(&[zip, csv], &options, &mut (), &stop).expect("ingest");
    case
}

/// A valid 2×2 PNG.
const PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00\xfd\xd4\x9a\x73\x00\x00\x00\x10\x49\x44\x41\x54\x78\x9c\x63\xf8\xcf\xc0\x00\x44\x0c\x10\x0a\x00\x1f\xee\x03\xfd\x8b\x5f\x14\xd4\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

fn trove_readers_options() -> trove_readers::ReadOptions {
    trove_readers::ReadOptions {
        tz: trove_app::parse_zone("UTC").ok(),
        tz_name: Some("UTC".into()),
        ..Default::default()
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn get(app: &axum::Router, uri: &str) -> Reply {
    request(app, uri, HOST, None).await
}

async fn request(app: &axum::Router, uri: &str, host: &str, accept: Option<&str>) -> Reply {
    let mut builder = Request::builder().uri(uri).header(header::HOST, host);
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    let response =
        app.clone().oneshot(builder.body(Body::empty()).expect("request")).await.expect("reply");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 26).await.expect("body");
    Reply { status, headers, body: String::from_utf8(bytes.to_vec()).expect("utf-8") }
}

/// The store and search generations a reply says it answered from.
fn generations(reply: &Reply) -> (&str, &str) {
    let header = |name| reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("none");
    (header("trove-generation"), header("trove-search-generation"))
}

fn json(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("JSON body")
}

/// Tags and attributes the templates use; anything else in a page came
/// from the data.
const TAGS: &[&str] = &[
    "!doctype",
    "html",
    "head",
    "meta",
    "title",
    "link",
    "script",
    "body",
    "header",
    "a",
    "span",
    "form",
    "label",
    "input",
    "button",
    "select",
    "option",
    "main",
    "footer",
    "strong",
    "h1",
    "h2",
    "h3",
    "section",
    "div",
    "ol",
    "li",
    "ul",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "aside",
    "p",
    "article",
    "details",
    "summary",
    "dl",
    "dt",
    "dd",
    "nav",
    "figure",
    "svg",
    "rect",
    // chart axes: gridlines, ticks and their labels
    "g",
    "line",
    "text",
    "figcaption",
    "mark",
    "textarea",
    // attachment thumbnails (their `src` is checked to stay on this server)
    "img",
    // what Markdown notes render to
    "em",
    "code",
    "pre",
    "del",
    "blockquote",
    "hr",
    "br",
    "h4",
    "h5",
    "h6",
    // the review page's key hints
    "kbd",
];

/// Checks that every tag in `html` is one of ours, with no event handler
/// attribute and no link or source pointing anywhere but this server.
fn assert_only_our_markup(html: &str, page: &str) {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let tag: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(
            TAGS.contains(&tag.as_str()),
            "{page}: unexpected tag <{tag}…> in {}",
            excerpt(rest)
        );
        for (name, value) in attributes(rest) {
            assert!(!name.starts_with("on"), "{page}: event handler {name} in {}", excerpt(rest));
            if ["href", "src", "action"].contains(&name.as_str()) {
                assert!(
                    value.starts_with('/') || value.starts_with('#') || value.starts_with('?'),
                    "{page}: {name} leaves the server: {value}"
                );
            }
        }
    }
}

/// The attributes of the tag `rest` starts with (after its `<`): quoted
/// values are read whole, as a browser reads them.
fn attributes(rest: &str) -> Vec<(String, String)> {
    let bytes = rest.as_bytes();
    let mut i =
        bytes.iter().position(|b| b.is_ascii_whitespace() || *b == b'>').unwrap_or(bytes.len());
    let mut out = Vec::new();
    while i < bytes.len() && bytes[i] != b'>' {
        if bytes[i].is_ascii_whitespace() || bytes[i] == b'/' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !b" \t\n=>".contains(&bytes[i]) {
            i += 1;
        }
        let name = rest[start..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let end = bytes[i + 1..]
                    .iter()
                    .position(|b| *b == quote)
                    .map_or(bytes.len(), |p| i + 1 + p);
                value = rest[i + 1..end].to_string();
                i = (end + 1).min(bytes.len());
            } else {
                let end = bytes[i..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || *b == b'>')
                    .map_or(bytes.len(), |p| i + p);
                value = rest[i..end].to_string();
                i = end;
            }
        }
        out.push((name, value));
    }
    out
}

fn excerpt(s: &str) -> &str {
    let end = s.char_indices().nth(80).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// Notes, tags, collections and redaction rules made of the hostile
/// strings, on the first hits for `password`.
fn annotate_hostile(case: &mut Case) -> Vec<String> {
    let options = trove_app::SearchOptions::default();
    let hits = case.search("password", &options).expect("search").hits;
    let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
    let mut names = Vec::new();
    for (i, hostile) in HOSTILE.iter().enumerate() {
        let id = &ids[i % ids.len()];
        let note = format!(
            "{hostile} [x]({hostile}) [y](https://evil.example/{i}) ![z](https://evil.example/{i}.png)"
        );
        case.add_note(id, &note, hostile).expect("note");
        case.add_tag(std::slice::from_ref(id), hostile, hostile).expect("tag");
        let name = format!("c{i} {hostile}");
        case.collection_add(&name, std::slice::from_ref(id), Some(&note), hostile)
            .expect("collection");
        case.add_redaction(trove_app::NewRule::Text(hostile.to_string()), hostile).expect("rule");
        case.set_status(std::slice::from_ref(id), "relevant", hostile).expect("status");
        names.push(name);
    }
    // Accounts named, merged and split with hostile names and reasons.
    let rows: Vec<i64> = case.people().expect("people").people.iter().map(|p| p.row).collect();
    for (i, pair) in rows.chunks(2).take(HOSTILE.len()).enumerate() {
        let hostile = HOSTILE[i];
        case.name_person(&format!("#{}", pair[0]), &format!("n{i} {hostile}"), hostile)
            .expect("name");
        if let [a, b] = pair {
            let (a, b) = (format!("#{a}"), format!("#{b}"));
            case.merge_people(&a, &b, hostile, Some(&format!("p{i} {hostile}")), hostile)
                .expect("merge");
            if i % 2 == 0 {
                case.split_person(&b, hostile, hostile).expect("split");
            }
        }
    }
    names
}

async fn case_persons(app: &axum::Router) -> Vec<String> {
    let people = json(&get(app, "/people.json").await);
    let persons = people["persons"].as_array().expect("persons");
    assert!(!persons.is_empty());
    persons.iter().map(|p| p["name"].as_str().expect("name").to_string()).collect()
}

#[tokio::test]
async fn hostile_content_is_text_on_every_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut case = build_case(dir.path());
    let collections = annotate_hostile(&mut case);
    let app = trove_server::router(case, PORT, "tester").expect("router");

    let search = json(&get(&app, "/search.json?q=password").await);
    assert!(search["total"].as_u64().unwrap_or(0) >= 12, "{search}");
    let mut pages = vec![
        "/".to_string(),
        "/search?q=password".to_string(),
        "/search?q=look".to_string(),
        "/search?q=has:attachment".to_string(),
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
    ];
    pages.push("/collections".into());
    pages.push("/redactions".into());
    pages.push("/search?q=has:note".into());
    for page in ["/people", "/people?sort=name", "/review", "/review?status=relevant", "/notes"] {
        pages.push(page.into());
    }
    for page in ["/notes?deleted=true", "/tags", "/audit"] {
        pages.push(page.into());
    }
    pages.push(format!("/people?q={}", urlencode(HOSTILE[0])));
    pages.push(format!("/review?q={}", urlencode(HOSTILE[1])));
    for person in case_persons(&app).await {
        pages.push(format!("/p/{}", urlencode(&person)));
    }
    for name in &collections {
        pages.push(format!("/collections/{}", urlencode(name)));
    }
    for hit in search["hits"].as_array().expect("hits") {
        let id = hit["id"].as_str().expect("id");
        pages.push(format!("/m/{id}"));
        pages.push(format!("/c/{}", urlencode(hit["conversation_id"].as_str().expect("conv"))));
        if let Some(sender) = hit["sender_id"].as_str() {
            pages.push(format!("/p/{}", urlencode(sender)));
        }
    }
    for page in &pages {
        let reply = get(&app, page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.body);
        assert_eq!(
            reply.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()),
            Some(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                 connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
            ),
            "{page}"
        );
        assert_eq!(reply.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert_eq!(reply.headers.get(header::REFERRER_POLICY).unwrap(), "same-origin");
        assert_only_our_markup(&reply.body, page);
    }
    // The hostile strings are there, as text.
    let all = get(&app, "/search?q=look").await.body;
    assert!(all.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped text shown");
    assert!(all.contains("&amp;lt;b&amp;gt;already escaped"), "escaped once more, shown as typed");
    assert!(all.contains("https://evil.example/?q=0"), "links shown as text");

    // Attached files the case holds: links and thumbnails, their hostile
    // names as text (checked with every page's markup above).
    let files = get(&app, "/search?q=has:attachment").await.body;
    // Escaped either way (askama writes `&#60;`, the snippet highlighter `&lt;`).
    let files = files.replace("&#60;", "&lt;").replace("&#62;", "&gt;").replace("&#34;", "&quot;");
    assert!(
        files.contains("<span>&lt;img src=x onerror=alert(9)&gt;.pdf (4 bytes)"),
        "the file name as text: {}",
        excerpt(&files)
    );
    assert!(
        files.contains("alt=\"&quot;&gt;&lt;img src=x onerror=alert(2)&gt;.png\""),
        "the image's name escaped in its alt: {}",
        excerpt(files.split("<ul class=\"files\">").nth(2).unwrap_or_default())
    );
    assert_eq!(files.matches("href=\"/media/").count(), 2, "a link to each copy");
    assert_eq!(files.matches("<img src=\"/media/").count(), 1, "a thumbnail of the image");

    // The publication preview: its own stricter policy, no script at all.
    for name in &collections {
        let page = format!("/collections/{}/preview", urlencode(name));
        let reply = get(&app, &page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        let csp = reply.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok());
        assert!(
            csp.is_some_and(|c| c.starts_with("default-src 'none'; style-src 'unsafe-inline'")),
            "{csp:?}"
        );
        let lower = reply.body.to_lowercase();
        assert!(
            !lower.contains("<script") && !lower.contains("<img") && !lower.contains("<iframe"),
            "{page}"
        );
        assert!(!lower.contains(" onerror=") && !lower.contains(" onload="), "{page}");
        assert!(!lower.contains("javascript:"), "{page}: {}", reply.body);
    }
}

async fn post(app: &axum::Router, form: &str, headers: &[(&str, &str)]) -> Reply {
    send(app, "application/x-www-form-urlencoded", form, headers).await
}

/// `POST /act` with a body of `content_type`.
async fn send(
    app: &axum::Router,
    content_type: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut builder = Request::builder()
        .method("POST")
        .uri("/act")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, content_type);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(builder.body(Body::from(body.to_string())).expect("request"))
        .await
        .expect("reply");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
    Reply { status, headers, body: String::from_utf8(bytes.to_vec()).expect("utf-8") }
}

#[tokio::test]
async fn writes_need_the_pages_token_and_the_same_origin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let search = json(&get(&app, "/search.json?q=password").await);
    let id = search["hits"][0]["id"].as_str().expect("id").to_string();
    let page = get(&app, &format!("/m/{id}")).await.body;
    let token = csrf_token(&page);
    let token = token.as_str();
    assert_eq!(token.len(), 32);

    let form =
        |csrf: &str| format!("csrf={csrf}&action=tag&id={id}&value=checked&back=%2Fm%2F{id}");
    let refused = post(&app, &form(""), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no token");
    let refused = post(&app, &form(&"0".repeat(32)), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a wrong token");
    let refused = post(&app, &form(token), &[("origin", "http://evil.example")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "another origin");
    let refused = post(&app, &form(token), &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "another site");
    assert_eq!(json(&get(&app, "/search.json?q=tag:checked").await)["total"], 0, "nothing written");

    let done = post(
        &app,
        &form(token),
        &[("origin", "http://127.0.0.1:8080"), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()),
        Some(format!("/m/{id}").as_str())
    );
    assert_eq!(json(&get(&app, "/search.json?q=tag:checked").await)["total"], 1);

    // A bulk selection: several ids in one form, JSON answer for scripts.
    let second = search["hits"][1]["id"].as_str().expect("id");
    let bulk = format!(
        "csrf={token}&action=collect&id={id}&id={second}&value=Story&note=**why**&back=%2F%2Fevil.example"
    );
    let done = post(&app, &bulk, &[("accept", "application/json")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let story = json(&get(&app, "/collections/Story.json").await);
    assert_eq!(story["excerpts"].as_array().map(Vec::len), Some(2));
    assert_eq!(story["excerpts"][0]["note"], "**why**");
    // An off-site `back` is ignored: the redirect stays home.
    let done = post(&app, &bulk, &[]).await;
    assert_eq!(done.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/"));
    let bad = post(
        &app,
        &format!("csrf={token}&action=status&id={id}&value=maybe"),
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("not a review status"), "{}", bad.body);
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn every_page_has_a_json_twin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let overview = json(&get(&app, "/index.json").await);
    assert_eq!(overview["stats"]["messages"], 23, "{overview}");
    assert!(overview["activity"]["months"].as_array().is_some_and(|m| !m.is_empty()));

    let search = json(&get(&app, "/search.json?q=password&sort=oldest").await);
    assert_eq!(search["total"], 12);
    assert_eq!(search["pages"], 1);
    let first = search["hits"][0].clone();
    assert_eq!(first["sent_at"], "2019-01-10T08:00:00.000Z");
    let id = first["id"].as_str().expect("id");

    // The same page by Accept header.
    let accepted =
        request(&app, "/search?q=password&sort=oldest", HOST, Some("application/json")).await;
    assert_eq!(json(&accepted)["total"], 12);

    let message = json(&get(&app, &format!("/m/{id}.json")).await);
    assert_eq!(message["message"]["id"], id);
    assert!(message["message"]["source"]["sha256"].as_str().is_some_and(|s| s.len() == 64));
    assert!(message["message"]["source"]["locator"].is_string());

    let conversation = first["conversation_id"].as_str().expect("conversation");
    let day =
        json(&get(&app, &format!("/c/{}.json?day=2019-01-10", urlencode(conversation))).await);
    assert_eq!(day["day"], "2019-01-10");
    assert_eq!(day["messages"].as_array().map(Vec::len), Some(1));

    let person = json(&get(&app, "/p/Alice.json").await);
    assert_eq!(person["messages"], 2, "{person}");
    assert_eq!(person["accounts"][0]["platform"], "whatsapp");
    let words: Vec<&str> = person["top_words"]
        .as_array()
        .expect("words")
        .iter()
        .filter_map(|w| w["word"].as_str())
        .collect();
    assert!(words.contains(&"password") && words.contains(&"rotation"), "{words:?}");
    assert!(!words.contains(&"is"), "function words left out: {words:?}");

    // Activity by week, stacked by the most active senders.
    let weekly = json(&get(&app, "/index.json?g=week").await)["activity"].clone();
    assert_eq!(weekly["granularity"], "week");
    let periods = weekly["periods"].as_array().expect("periods");
    let sum: u64 = periods.iter().filter_map(|p| p["count"].as_u64()).sum();
    assert_eq!(sum, 23, "every message in some week");
    assert!(periods.iter().all(|p| p["filter"].as_str().is_some_and(|f| f.starts_with("after:"))));
    let series = weekly["series"].as_array().expect("series");
    assert!(!series.is_empty() && series.len() <= 5);
    for s in series {
        assert_eq!(s["counts"].as_array().map(Vec::len), Some(periods.len()), "aligned");
    }

    let openapi = json(&get(&app, "/api/openapi.json").await);
    assert_eq!(openapi["openapi"], "3.1.0");
    for path in [
        "/search.json",
        "/m/{id}.json",
        "/c/{id}.json",
        "/p/{id}.json",
        "/index.json",
        "/collections.json",
        "/collections/{name}.json",
        "/redactions.json",
        "/act",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path} described");
    }
    assert_eq!(json(&get(&app, "/collections.json").await), serde_json::json!([]));
    let redactions = json(&get(&app, "/redactions.json").await);
    assert_eq!(redactions["rules"], serde_json::json!([]));
    assert!(redactions["messages"].as_u64().unwrap_or(0) > 0);

    let missing = get(&app, "/m/0000000000000.json").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(serde_json::from_str::<Value>(&missing.body).expect("JSON error")["error"].is_string());
    let bad_zone = get(&app, "/search.json?q=x&tz=Mars/Olympus").await;
    assert_eq!(bad_zone.status, StatusCode::BAD_REQUEST, "{}", bad_zone.body);
}

/// A person rule's page lists every value it redacts, not only its
/// accounts: the reviewer sees the names a publication will hide.
#[tokio::test]
async fn a_person_rule_shows_every_value_it_covers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut case = build_case(dir.path());
    let rule = trove_app::NewRule::Person { reference: "Alice".to_string(), pseudonym: None };
    case.add_redaction(rule, "tester").expect("rule");
    let app = trove_server::router(case, PORT, "tester").expect("router");
    let json_page = json(&get(&app, "/redactions.json").await);
    let covers = json_page["rules"][0]["rule"]["covers"].as_array().expect("covers").clone();
    assert!(!covers.is_empty(), "{json_page}");
    let page = get(&app, "/redactions").await;
    assert!(page.body.contains("covers: "), "{}", page.body);
    for covered in &covers {
        let value = covered["value"].as_str().expect("value");
        assert!(page.body.contains(&format!("<code>{value}</code>")), "{value} listed");
    }
}

#[tokio::test]
async fn facets_refine_and_zones_move_the_hours() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let search = json(&get(&app, "/search.json?q=password").await);
    let platforms = search["facets"]["platforms"].as_array().expect("platforms");
    let whatsapp = platforms.iter().find(|p| p["label"] == "whatsapp").expect("whatsapp facet");
    assert_eq!(whatsapp["count"], 2);
    let filter = whatsapp["filter"].as_str().expect("filter");
    let refined = json(
        &get(&app, &format!("/search.json?q={}", urlencode(&format!("password {filter}")))).await,
    );
    assert_eq!(refined["total"], 2);
    // The HTML facet links to that refined query.
    let html = get(&app, "/search?q=password").await.body;
    assert!(html.contains("/search?q=password%20platform%3Awhatsapp"), "facet link");

    // Bob's message at 21:30 UTC is at 06:30 the next morning in Tokyo.
    let utc = json(&get(&app, "/p/Bob.json?tz=UTC").await);
    let tokyo = json(&get(&app, "/p/Bob.json?tz=Asia/Tokyo").await);
    let cell = |v: &Value, day: usize, hour: usize| v["activity"]["heatmap"][day][hour].clone();
    assert_eq!(cell(&utc, 0, 21), 1, "Monday 2 March 2020, 21:00 UTC");
    assert_eq!(cell(&tokyo, 1, 6), 1, "Tuesday 06:00 in Tokyo");
    assert_eq!(cell(&tokyo, 0, 21), 0);
    let page = get(&app, "/p/Bob?tz=Asia/Tokyo").await.body;
    assert!(page.contains("All times in <strong>Asia/Tokyo</strong>"));
    assert!(page.contains("2020-03-03 06:30:00 JST"), "first/last seen in the zone");

    // Comparing two periods splits the hours.
    let split = json(&get(&app, "/p/Alice.json?split=2020-03-02").await);
    let before = &split["compare"]["before 2020-03-02"];
    let after = &split["compare"]["after 2020-03-02"];
    assert_eq!(before["total"], 1, "{split}");
    assert_eq!(after["total"], 1);
}

#[tokio::test]
async fn context_pages_around_a_permalink() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let hit = json(&get(&app, "/search.json?q=wiki").await)["hits"][0].clone();
    let id = hit["id"].as_str().expect("id");
    let page = get(&app, &format!("/m/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("class=\"msg target\" id=\"m-{id}\"")), "the target");
    assert!(page.body.contains("password rotation is due"), "earlier message in context");
    assert!(page.body.contains("Provenance"));
    let narrow = json(&get(&app, &format!("/m/{id}.json?before=1&after=0")).await);
    assert_eq!(narrow["before"].as_array().map(Vec::len), Some(1));
    assert_eq!(narrow["after"].as_array().map(Vec::len), Some(0));
}

/// A WhatsApp time (no zone in the source) is flagged `zone assumed` on
/// every page it appears on, and the provenance panel quotes it as
/// written; a CSV time with `Z` is not flagged.
#[tokio::test]
async fn assumed_zones_are_flagged_and_the_time_as_written_is_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let hits = json(&get(&app, "/search.json?q=password").await)["hits"].clone();
    let hits = hits.as_array().expect("hits");
    let whatsapp = hits.iter().find(|h| h["platform"] == "whatsapp").expect("a WhatsApp hit");
    let csv = hits.iter().find(|h| h["platform"] == "transcript").expect("a CSV hit");
    assert_eq!(whatsapp["zone_assumed"], "UTC");
    assert_eq!(csv["zone_assumed"], Value::Null);

    let flag = "<span class=\"flag zone\"";
    let listing = get(&app, "/search?q=rotation").await;
    assert_eq!(listing.body.matches(flag).count(), 1, "{}", listing.body);
    let id = whatsapp["id"].as_str().expect("id");
    let page = get(&app, &format!("/m/{id}")).await;
    assert!(page.body.contains("<dt>Time as written</dt><dd>01/03/2020, 09:00 <span class=\"flag zone\">no zone stated; read as UTC</span>"), "{}", page.body);
    let id = csv["id"].as_str().expect("id");
    let page = get(&app, &format!("/m/{id}")).await;
    let target = page.body.split(&format!("id=\"m-{id}\"")).nth(1).expect("the target");
    let target = target.split("</article>").next().unwrap_or_default();
    assert!(!target.contains(flag), "{target}");
    assert!(target.contains("<dt>Time as written</dt><dd>2019-"), "{target}");
}

#[tokio::test]
async fn foreign_hosts_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    for host in ["evil.example", "evil.example:8080", "127.0.0.1:9999", ""] {
        let reply = request(&app, "/", host, None).await;
        assert_eq!(reply.status, StatusCode::MISDIRECTED_REQUEST, "Host: {host}");
    }
    assert_eq!(request(&app, "/", "localhost:8080", None).await.status, StatusCode::OK);
}

#[test]
fn only_loopback_addresses_are_served() {
    assert!(trove_server::check_addr(&"127.0.0.1:8080".parse().expect("addr")).is_ok());
    assert!(trove_server::check_addr(&"[::1]:8080".parse().expect("addr")).is_ok());
    let refused = trove_server::check_addr(&"0.0.0.0:8080".parse().expect("addr"));
    assert!(refused.as_ref().is_err_and(|e| e.contains("loopback")), "{refused:?}");
    assert!(trove_server::check_addr(&"192.168.1.5:80".parse().expect("addr")).is_err());
}

/// An ingest by another process while the workbench runs: its messages are
/// searchable on the next request, and every page says which generation
/// of the case it answered from.
#[tokio::test]
async fn a_running_workbench_sees_another_process_ingest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = build_case(dir.path());
    let app = trove_server::router(case, PORT, "tester").expect("router");
    let reply = get(&app, "/search.json?q=kumquat").await;
    assert_eq!(generations(&reply), ("1", "1"));
    let before = json(&reply);
    assert_eq!(before["total"], 0, "{before}");
    let page = get(&app, "/").await;
    assert!(page.body.contains("Case generation 1."), "{}", excerpt(&page.body));

    // The other process: its own connection and index writer.
    let mut other = Case::open(&dir.path().join("case"), &mut ()).expect("second handle");
    let csv = dir.path().join("later.csv");
    std::fs::write(&csv, "text,date,user\nthe kumquat shipment,2021-05-01T10:00:00Z,Carol\n")
        .expect("csv");
    let options = IngestOptions {
        read: trove_readers_options(),
        command: "later".into(),
        ..IngestOptions::default()
    };
    other.ingest(&[csv], &options, &mut (), &AtomicBool::new(false)).expect("ingest");

    let reply = get(&app, "/search.json?q=kumquat").await;
    // The JSON twin states what it answered from, as the page's footer does.
    assert_eq!(generations(&reply), ("2", "2"));
    let after = json(&reply);
    assert_eq!(after["total"], 1, "{after}");
    // Facets counted before the ingest (and kept for paging) are not
    // served after it.
    assert_eq!(after["facets"]["total"], 1, "{after}");
    assert_eq!(after["facets"]["senders"][0]["label"], "Carol", "{after}");
    let page = get(&app, "/").await;
    assert!(page.body.contains("Case generation 2."), "{}", excerpt(&page.body));
    assert!(!page.body.contains("not searchable yet"), "{}", excerpt(&page.body));
}

/// Requests that would cost the workbench more than any page needs are
/// refused at once with a 4xx naming the bound, never a stall or a 500:
/// an overlong query, too many terms, a context window past its bound,
/// dates no calendar has.
#[tokio::test]
async fn costly_or_malformed_requests_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");

    let long = "a".repeat(5_000);
    let many = ["x"; 300].join("+");
    for (uri, says) in [
        (format!("/search.json?q={long}"), "query is 5000 characters"),
        (format!("/search?q={long}"), "query is 5000 characters"),
        (format!("/search.json?q={many}"), "300 terms"),
        ("/search.json?q=after:99999-01-01".to_string(), "is not a date"),
        ("/search?q=before:2021-13-45+x".to_string(), "is not a valid date"),
        ("/search.json?q=x&page=100000000".to_string(), "page"),
    ] {
        let reply = get(&app, &uri).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{uri}: {} {}",
            reply.status,
            excerpt(&reply.body)
        );
        assert!(reply.body.contains(says), "{uri}: {}", excerpt(&reply.body));
    }
    let first = json(&get(&app, "/search.json?q=").await);
    let id = first["hits"][0]["id"].as_str().expect("an id").to_string();
    let reply = get(&app, &format!("/m/{id}.json?before=100000")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", excerpt(&reply.body));
    assert!(reply.body.contains("before=100000"), "{}", excerpt(&reply.body));
    assert_eq!(get(&app, &format!("/m/{id}.json?before=500")).await.status, StatusCode::OK);
}

/// A page on another site can make the browser send a GET here (a
/// `no-cors` fetch, an image): the browser marks it `Sec-Fetch-Site:
/// cross-site`, and it is refused before any work.
#[tokio::test]
async fn cross_site_reads_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    for (site, expected) in [
        ("cross-site", StatusCode::FORBIDDEN),
        ("same-site", StatusCode::FORBIDDEN),
        ("same-origin", StatusCode::OK),
        ("none", StatusCode::OK),
    ] {
        let request = Request::builder()
            .uri("/search.json?q=kumquat")
            .header(header::HOST, HOST)
            .header("sec-fetch-site", site)
            .body(Body::empty())
            .expect("request");
        let reply = app.clone().oneshot(request).await.expect("reply");
        assert_eq!(reply.status(), expected, "{site}");
    }
}

fn csrf_token(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("token in the page")
        .to_string()
}

#[tokio::test]
async fn accounts_are_named_merged_and_split_from_the_people_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let people = json(&get(&app, "/people.json").await);
    let total = people["accounts_total"].as_u64().expect("total");
    assert_eq!(people["matching"].as_u64(), Some(total));
    let accounts = people["people"].as_array().expect("accounts").clone();
    assert_eq!(accounts.len() as u64, total, "one page holds them all");
    let row_of = |name: &str| {
        accounts
            .iter()
            .find(|a| a["name"] == name)
            .and_then(|a| a["row"].as_i64())
            .unwrap_or_else(|| panic!("no account {name} in {accounts:?}"))
    };
    let (alice, bob) = (row_of("Alice"), row_of("Bob"));
    let filtered = json(&get(&app, "/people.json?q=ALI").await);
    assert!(filtered["people"].as_array().expect("list").iter().all(|a| a["name"] == "Alice"));
    let page = get(&app, "/people?sort=name").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("value=\"#{alice}\"")), "a checkbox per account");
    let token = csrf_token(&page.body);
    let send = |form: String| {
        let app = app.clone();
        async move { post(&app, &form, &[("accept", "application/json")]).await }
    };

    let named = send(format!("csrf={token}&action=name&id=%23{alice}&value=Alice+Liddell")).await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    let before = json(&get(&app, "/search.json?q=from:Alice").await)["total"].as_u64();
    let merged = send(format!(
        "csrf={token}&action=merge&id=%23{alice}&id=%23{bob}&name=The+Pair&reason=same+laptop"
    ))
    .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.body);
    let pair = json(&get(&app, "/search.json?q=from:%22The+Pair%22").await)["total"].as_u64();
    let bob_total = json(&get(&app, &format!("/search.json?q=from:%23{bob}")).await)["total"]
        .as_u64()
        .expect("bob");
    assert!(bob_total > 0);
    assert_eq!(pair, before.map(|a| a + bob_total), "from: the person finds both accounts");
    let person = json(&get(&app, "/p/The%20Pair.json").await);
    assert_eq!(person["accounts"].as_array().map(Vec::len), Some(2));
    assert_eq!(person["accounts"][0]["person"][1], "same laptop");
    let page = get(&app, "/p/The%20Pair").await.body;
    assert!(page.contains(&format!("href=\"/p/%23{bob}?")), "the person page links each alias");

    let refused = send(format!("csrf={token}&action=merge&id=%23{alice}&reason=x")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("at least two accounts"), "{}", refused.body);
    let refused = send(format!("csrf={token}&action=merge&id=%23{alice}&id=%23{bob}")).await;
    assert!(refused.body.contains("no `reason`"), "{}", refused.body);

    let split = send(format!("csrf={token}&action=split&id=%23{bob}&reason=a+shared+laptop")).await;
    assert_eq!(split.status, StatusCode::OK, "{}", split.body);
    assert_eq!(json(&get(&app, "/people.json").await)["persons"].as_array().map(Vec::len), Some(0));
    let case = trove_app::Case::open(&dir.path().join("case"), &mut ()).expect("case");
    let log: Vec<(String, String, String)> = case
        .annotation_log(10)
        .expect("log")
        .into_iter()
        .map(|l| (l.action, l.author, l.detail))
        .collect();
    assert_eq!(log[0].0, "person.split");
    assert!(log[0].2.ends_with("out of The Pair: a shared laptop"), "{log:?}");
    assert_eq!(log[1].0, "person.merge");
    assert!(log[1].2.ends_with("as The Pair: same laptop"), "{log:?}");
    assert_eq!(log[2].0, "account.name");
    assert_eq!(log[2].1, "tester");
}

/// A reply whose body may be any bytes.
async fn get_bytes(app: &axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let request = Request::builder()
        .uri(uri)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("reply");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 26).await.expect("body");
    (status, headers, bytes.to_vec())
}

fn header_of(headers: &axum::http::HeaderMap, name: header::HeaderName) -> &str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// A WhatsApp export with an image (named `.jpg`, holding a PNG), HTML
/// named `x.png`, a text file and a document, copied into the case; and
/// the SHA-256 of each attachment by name.
fn case_with_files(dir: &Path) -> (Case, std::collections::HashMap<String, String>) {
    let chat = "01/03/2020, 09:00 - Alice: IMG-20200301-WA0001.jpg (file attached)\n\
                01/03/2020, 09:01 - Alice: x.png (file attached)\n\
                01/03/2020, 09:02 - Bob: notes.txt (file attached)\n\
                01/03/2020, 09:03 - Bob: plan.pdf (file attached)\n\
                01/03/2020, 09:04 - Bob: the files are up\n";
    let zip = dir.join("WhatsApp Chat with Files.zip");
    write_zip(
        &zip,
        &[
            ("_chat.txt", chat.as_bytes()),
            ("IMG-20200301-WA0001.jpg", PNG),
            ("x.png", b"<html><body><script>alert(1)</script></body></html>"),
            ("notes.txt", "the keys are with Zoë\n".as_bytes()),
            ("plan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
        ],
    )
    .expect("zip");
    let mut case = Case::open_or_create(&dir.join("case"), &mut ()).expect("case");
    let options = IngestOptions {
        read: trove_readers_options(),
        command: "test".into(),
        media_dir: Some(case.media_dir()),
        ..IngestOptions::default()
    };
    case.ingest(&[zip], &options, &mut (), &AtomicBool::new(false)).expect("ingest");
    let hits =
        case.search("has:attachment", &trove_app::SearchOptions::default()).expect("search").hits;
    let hashes = hits
        .iter()
        .flat_map(|h| &h.attachments)
        .filter_map(|a| Some((a.name.clone(), a.sha256.clone()?)))
        .collect::<std::collections::HashMap<_, _>>();
    assert_eq!(hashes.len(), 4, "{hashes:?}");
    (case, hashes)
}

/// `/media/HASH` serves the case's copy of an attached file, typed by its
/// bytes: an image inline as what it is, text as text, markup and
/// everything else as a download; always under a policy that lets
/// nothing run.
#[tokio::test]
async fn attached_files_are_served_from_the_case_typed_by_their_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, hashes) = case_with_files(dir.path());
    let app = trove_server::router(case, PORT, "tester").expect("router");

    // Named .jpg, holds a PNG: served as the PNG it is, inline.
    let (status, headers, body) =
        get_bytes(&app, &format!("/media/{}", hashes["IMG-20200301-WA0001.jpg"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, PNG);
    assert_eq!(header_of(&headers, header::CONTENT_TYPE), "image/png");
    assert_eq!(header_of(&headers, header::CONTENT_LENGTH), PNG.len().to_string());
    assert!(
        header_of(&headers, header::CONTENT_DISPOSITION)
            .starts_with("inline; filename=\"IMG-20200301-WA0001.jpg\""),
        "{headers:?}"
    );
    assert_eq!(header_of(&headers, header::CONTENT_SECURITY_POLICY), "default-src 'none'; sandbox");
    assert_eq!(header_of(&headers, header::X_CONTENT_TYPE_OPTIONS), "nosniff");

    // HTML named x.png: a download of bytes, never a page.
    let (status, headers, body) = get_bytes(&app, &format!("/media/{}", hashes["x.png"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with(b"<html>"));
    assert_eq!(header_of(&headers, header::CONTENT_TYPE), "application/octet-stream");
    assert_eq!(
        header_of(&headers, header::CONTENT_DISPOSITION),
        "attachment; filename=\"x.png\"; filename*=UTF-8''x.png"
    );
    assert_eq!(header_of(&headers, header::CONTENT_SECURITY_POLICY), "default-src 'none'; sandbox");

    // Plain UTF-8 text is shown as text; a PDF is downloaded.
    let (_, headers, _) = get_bytes(&app, &format!("/media/{}", hashes["notes.txt"])).await;
    assert_eq!(header_of(&headers, header::CONTENT_TYPE), "text/plain; charset=utf-8");
    assert!(header_of(&headers, header::CONTENT_DISPOSITION).starts_with("inline;"));
    let (_, headers, _) = get_bytes(&app, &format!("/media/{}", hashes["plan.pdf"])).await;
    assert_eq!(header_of(&headers, header::CONTENT_TYPE), "application/pdf");
    assert!(header_of(&headers, header::CONTENT_DISPOSITION).starts_with("attachment;"));

    // The message shows the image as a thumbnail, the others as links.
    let page = get(&app, "/search?q=has:attachment&sort=oldest").await.body;
    let image = &hashes["IMG-20200301-WA0001.jpg"];
    assert!(
        page.contains(&format!(
            "<img src=\"/media/{image}\" alt=\"IMG-20200301-WA0001.jpg\" loading=\"lazy\">"
        )),
        "{}",
        excerpt(&page)
    );
    assert!(page.contains(&format!("href=\"/media/{}\"", hashes["plan.pdf"])));
    // The page goes by the source's claim (x.png is an image to it), the
    // server by the bytes: that thumbnail stays empty, nothing runs.
    assert_eq!(page.matches("<img src=\"/media/").count(), 2, "{}", excerpt(&page));
    assert!(page.contains(&format!("<img src=\"/media/{}\" alt=\"x.png\"", hashes["x.png"])));
}

/// Only a hash can name a file, only one a message lists, only a regular
/// file inside the media store: anything else is refused.
#[tokio::test]
async fn nothing_but_listed_files_of_the_media_store_is_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, hashes) = case_with_files(dir.path());
    let media = case.media_dir();
    let app = trove_server::router(case, PORT, "tester").expect("router");
    let image = hashes["IMG-20200301-WA0001.jpg"].clone();

    // Malformed: refused before any work.
    for uri in [
        "/media/..%2F..%2Fetc%2Fpasswd".to_string(),
        format!("/media/{}", image.to_uppercase()),
        format!("/media/{}", &image[..63]),
        format!("/media/{image}0"),
        format!("/media/{image}.json"),
    ] {
        let reply = get(&app, &uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(reply.body.contains("is not a SHA-256"), "{uri}: {}", excerpt(&reply.body));
    }
    // A path is no route at all.
    assert_eq!(get(&app, "/media/../../etc/passwd").await.status, StatusCode::NOT_FOUND);

    // A hash nobody lists, even when its file lies in the store.
    let stray = "5a".repeat(32);
    std::fs::create_dir_all(media.join("5a")).expect("shard");
    std::fs::write(media.join("5a").join(&stray), b"planted").expect("plant");
    for unlisted in [stray.as_str(), &"0".repeat(64)] {
        let reply = get(&app, &format!("/media/{unlisted}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{unlisted}");
        assert!(reply.body.contains("no message in this case lists"), "{}", excerpt(&reply.body));
        assert!(!reply.body.contains("planted"));
    }

    // Listed, but the case holds no copy.
    let pdf = &hashes["plan.pdf"];
    std::fs::remove_file(media.join(&pdf[..2]).join(pdf)).expect("remove");
    let reply = get(&app, &format!("/media/{pdf}")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains(trove_app::NO_COPY), "{}", excerpt(&reply.body));

    // A symbolic link in the store, to a file or through a folder, is not
    // followed.
    #[cfg(unix)]
    {
        let secret = dir.path().join("secret.txt");
        std::fs::write(&secret, "the secret outside the case").expect("secret");
        let notes = &hashes["notes.txt"];
        let stored = media.join(&notes[..2]).join(notes);
        std::fs::remove_file(&stored).expect("remove");
        std::os::unix::fs::symlink(&secret, &stored).expect("symlink");
        let reply = get(&app, &format!("/media/{notes}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", excerpt(&reply.body));
        assert!(!reply.body.contains("the secret"));

        let outside = dir.path().join("elsewhere");
        std::fs::create_dir_all(&outside).expect("outside");
        std::fs::copy(&secret, outside.join(&image)).expect("copy");
        let shard = media.join(&image[..2]);
        std::fs::remove_dir_all(&shard).expect("remove shard");
        std::os::unix::fs::symlink(&outside, &shard).expect("symlink");
        let reply = get(&app, &format!("/media/{image}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", excerpt(&reply.body));
        assert!(!reply.body.contains("the secret"));
    }
}

#[tokio::test]
async fn the_review_queue_notes_tags_and_audit_trail_are_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let messages = json(&get(&app, "/search.json?q=").await)["total"].as_u64().expect("total");
    let queue = json(&get(&app, "/review.json").await);
    assert_eq!(queue["status"], "unread");
    assert_eq!(queue["total"].as_u64(), Some(messages), "every message starts unread");
    let first = queue["hits"][0]["id"].as_str().expect("id").to_string();
    let token = csrf_token(&get(&app, "/review").await.body);

    // This browser session's author, then a status set under it.
    let set =
        post(&app, &format!("csrf={token}&action=author&value=Zo%C3%AB+K.&back=%2Freview"), &[])
            .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let cookie = set
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.to_lowercase().contains("expires"), "a session cookie: {cookie}");
    let pair = cookie.split(';').next().expect("pair").to_string();
    let done = post(
        &app,
        &format!("csrf={token}&action=status&id={first}&value=to-verify"),
        &[("cookie", &pair), ("accept", "application/json")],
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(json(&get(&app, "/review.json").await)["total"].as_u64(), Some(messages - 1));
    let to_verify = json(&get(&app, "/review.json?status=to-verify").await);
    assert_eq!(to_verify["total"], 1);
    assert_eq!(to_verify["hits"][0]["id"], first.as_str());
    let narrowed = json(&get(&app, "/review.json?q=password").await);
    assert!(narrowed["total"].as_u64() < Some(messages - 1));
    let bad = get(&app, "/review.json?status=maybe").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let tagged = post(
        &app,
        &format!("csrf={token}&action=tag&id={first}&value=lead"),
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(tagged.status, StatusCode::OK);
    let noted = post(
        &app,
        &format!("csrf={token}&action=note&id={first}&body=check+**this**"),
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(noted.status, StatusCode::OK);
    let tags = json(&get(&app, "/tags.json").await);
    assert_eq!(tags[0]["tag"], "lead");
    assert_eq!(tags[0]["message_ids"][0], first.as_str());
    assert!(get(&app, "/tags").await.body.contains("href=\"/search?q=tag%3Alead"));
    let notes = json(&get(&app, "/notes.json").await);
    assert_eq!(notes[0]["body"], "check **this**");
    assert!(get(&app, "/notes").await.body.contains("check <strong>this</strong>"));
    let audit = json(&get(&app, "/audit.json").await);
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| (l["action"].as_str().unwrap_or(""), l["author"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(actions, [("note.add", "tester"), ("tag.add", "tester"), ("status.set", "Zoë K.")]);
    assert!(get(&app, "/audit").await.body.contains("Zoë K."));
}

#[tokio::test]
async fn searches_and_collections_export_and_publish_from_the_workbench() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let total = json(&get(&app, "/search.json?q=password").await)["total"].as_u64().expect("total");
    let page = get(&app, "/search?q=password").await.body;
    assert!(page.contains("href=\"/export?q=password&amp;format=csv\""), "an export link");

    let csv = get(&app, "/export?q=password&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let header = |reply: &Reply, name: &str| {
        reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    };
    assert_eq!(header(&csv, "content-type"), "text/csv; charset=utf-8");
    assert!(header(&csv, "content-disposition").starts_with("attachment;"));
    assert!(header(&csv, "content-disposition").contains("trove-search.csv"));
    assert_eq!(header(&csv, "trove-export-messages"), total.to_string());
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let rows = reader.records().collect::<Result<Vec<_>, _>>().expect("csv");
    assert_eq!(rows.len() as u64, total, "one row per hit");
    assert!(reader.headers().expect("header").iter().any(|h| h == "text"));

    let jsonl = get(&app, "/export?q=password&format=jsonl").await;
    assert_eq!(jsonl.body.lines().count() as u64, total);
    for line in jsonl.body.lines() {
        let message: Value = serde_json::from_str(line).expect("a JSON object per line");
        assert!(message["text"].as_str().is_some_and(|t| t.contains("password")), "{message}");
    }
    let excel = get(&app, "/export?q=password&format=csv&bom=true").await;
    assert!(excel.body.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let bad = get(&app, "/export?q=password&format=xlsx").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("not an export format"), "{}", bad.body);
    let bad = get(&app, "/export?q=after:99999-01-01").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let leftovers = std::fs::read_dir(dir.path().join("case"))
        .expect("case")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0, "exports leave no file behind");

    // A collection: exported, then published into the case folder.
    let search = json(&get(&app, "/search.json?q=password&sort=oldest").await);
    let id = search["hits"][0]["id"].as_str().expect("id").to_string();
    let token = csrf_token(&get(&app, "/search?q=password").await.body);
    let added = post(
        &app,
        &format!("csrf={token}&action=collect&id={id}&value=Story&note=why"),
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(added.status, StatusCode::OK);
    let exported = get(&app, "/collections/Story/export?format=jsonl").await;
    assert_eq!(exported.body.lines().count(), 1);
    assert_eq!(header(&exported, "trove-export-messages"), "1");
    let published = post(
        &app,
        &format!("csrf={token}&action=publish&name=Story&back=%2Fcollections%2FStory"),
        &[],
    )
    .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let location = header(&published, "location");
    let folder = location.split("published=").nth(1).expect("the folder").to_string();
    assert!(folder.starts_with("story-"), "{location}");
    let out = dir.path().join("case/published").join(&folder);
    assert!(out.join("index.html").is_file() && out.join("manifest.json").is_file());
    let page = get(&app, &location).await.body;
    assert!(page.contains(&format!("published/{folder}")), "the page says where");
    let spoofed = get(&app, "/collections/Story?published=..%2F..%2Fetc").await.body;
    assert!(!spoofed.contains("Published:"), "only a folder the case published into is named");
}

#[tokio::test]
async fn a_hit_reads_in_its_conversation_with_its_words_marked_and_days_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    // askama writes `&` in attributes as `&#38;`, the same as `&amp;`.
    let get_page = |uri: String| {
        let app = app.clone();
        async move { get(&app, &uri).await.body.replace("&#38;", "&amp;") }
    };
    let search = get_page("/search?q=password&sort=oldest".into()).await;
    let hits = json(&get(&app, "/search.json?q=password&sort=oldest").await);
    // The WhatsApp chat's: a conversation over several days.
    let hit = hits["hits"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["platform"] == "whatsapp"))
        .expect("a WhatsApp hit");
    let id = hit["id"].as_str().expect("id").to_string();
    let permalink = format!("href=\"/m/{id}?tz=UTC&amp;q=password\"");
    assert!(search.contains(&permalink), "a hit's permalink carries the search: {permalink}");

    let page = get_page(format!("/m/{id}?tz=UTC&q=password")).await;
    assert!(page.contains("<mark>password</mark>"), "the search's words are marked in context");
    let conversation = hit["conversation"].as_str().expect("conversation");
    assert_eq!(
        page.matches("class=\"conv\"").count(),
        0,
        "the conversation ({conversation}) is named once, in the heading, not per message"
    );
    let records = page.matches("<article class=\"msg").count();
    let days = page.matches("class=\"day-break\"").count();
    assert!(days >= 2 && days < records, "{days} day separators for {records} messages");
    assert_eq!(page.matches("<details class=\"source\" open>").count(), 1, "only the target's");
    assert!(page.contains("href=\"/m/") && page.contains("&amp;q=password#m-"), "paging keeps q");
    let plain = get(&app, &format!("/m/{id}")).await.body;
    assert!(!plain.contains("<mark>"), "nothing is marked without a search");

    // Page sizes: chosen, carried by the links, bounded.
    let all = json(&get(&app, "/search.json?q=").await);
    let total = all["total"].as_u64().expect("total");
    assert!(total > 20, "{total}");
    let fifty = json(&get(&app, "/search.json?q=&size=50").await);
    assert_eq!(fifty["hits"].as_array().map(Vec::len), Some(total.min(50) as usize));
    assert_eq!(fifty["pages"].as_u64(), Some(total.div_ceil(50)));
    let page = get_page("/search?q=&size=50".into()).await;
    assert!(
        page.contains("per page: <a href=\"/search?q=&amp;sort=relevance&amp;page=1&amp;size=20")
    );
    let refused = get(&app, "/search.json?q=&size=7").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("20, 50 or 100"), "{}", refused.body);
}

/// Readers keep being served, with whole answers, while another process
/// ingests into the case and the workbench itself writes: every search
/// answers 200 with the total before the ingest or after it, never one
/// in between, and no request waits behind the writer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_run_concurrently_during_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let before = json(&get(&app, "/search.json?q=").await)["total"].as_u64().expect("total");
    let mut csv = String::from("text,date,user\n");
    let added = 20_000;
    for i in 0..added {
        csv.push_str(&format!(
            "ledger line {i},2021-05-01T10:{:02}:{:02}Z,Carol\n",
            i / 60 % 60,
            i % 60
        ));
    }
    let path = dir.path().join("ledger.csv");
    std::fs::write(&path, csv).expect("csv");
    let case_dir = dir.path().join("case");
    let writer = std::thread::spawn(move || {
        let mut other = Case::open(&case_dir, &mut ()).expect("second handle");
        let options = IngestOptions {
            read: trove_readers_options(),
            command: "ledger".into(),
            ..IngestOptions::default()
        };
        other.ingest(&[path], &options, &mut (), &AtomicBool::new(false)).expect("ingest")
    });
    let token = csrf_token(&get(&app, "/review").await.body);
    let first = json(&get(&app, "/search.json?q=password").await)["hits"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let mut readers = Vec::new();
    for reader in 0..4 {
        let app = app.clone();
        let (token, first) = (token.clone(), first.clone());
        readers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for round in 0..30 {
                let reply = get(&app, "/search.json?q=").await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                seen.push(json(&reply)["total"].as_u64().expect("total"));
                let page = get(&app, &format!("/m/{first}")).await;
                assert_eq!(page.status, StatusCode::OK);
                if reader == 0 && round % 5 == 0 {
                    let tag = format!("csrf={token}&action=tag&id={first}&value=r{round}");
                    let done = post(&app, &tag, &[("accept", "application/json")]).await;
                    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
                }
            }
            seen
        }));
    }
    let mut totals = Vec::new();
    for reader in readers {
        totals.extend(reader.await.expect("reader"));
    }
    let ingested = writer.join().expect("writer");
    assert_eq!(ingested.messages_added, added as u64);
    let after = json(&get(&app, "/search.json?q=").await)["total"].as_u64().expect("total");
    assert_eq!(after, before + added as u64);
    assert!(
        totals.iter().all(|t| *t == before || *t == after),
        "a search saw part of a run: {:?}",
        totals.iter().filter(|t| **t != before && **t != after).collect::<Vec<_>>()
    );
    assert_eq!(json(&get(&app, "/tags.json").await).as_array().map(Vec::len), Some(6));
}

/// A transcript whose senders and conversations are named like formulas
/// and markup, over two busy days and a quiet one in March 2020 and a few
/// messages in 2018 (a span of years).
fn chart_case(dir: &Path) -> Case {
    let names = [
        "=HYPERLINK(\"https://evil.example\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "<script>alert(7)</script>",
    ];
    let mut rows = String::from("text,date,user,conversation\n");
    let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for (i, name) in names.iter().enumerate() {
        for k in 0..(20 * (i + 1)) {
            rows.push_str(&format!(
                "busy {k},2020-03-0{}T{:02}:00:00Z,{},{}\n",
                2 + k % 2,
                k % 24,
                quoted(name),
                quoted(&format!("-room {name}"))
            ));
        }
    }
    rows.push_str("quiet,2020-03-20T10:00:00Z,Alice,lobby\n");
    for month in 1..=3 {
        rows.push_str(&format!("old,2018-0{month}-05T10:00:00Z,Alice,lobby\n"));
    }
    let csv = dir.join("transcript.csv");
    std::fs::write(&csv, rows).expect("csv");
    let mut case = Case::open_or_create(&dir.join("case"), &mut ()).expect("case");
    let options = IngestOptions {
        read: trove_readers_options(),
        command: "test".into(),
        ..IngestOptions::default()
    };
    case.ingest(&[csv], &options, &mut (), &AtomicBool::new(false)).expect("ingest");
    case
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.expect("CSV row").iter().map(String::from).collect())
        .collect()
}

#[tokio::test]
async fn charts_offer_their_data_and_choose_their_resolution() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(chart_case(dir.path()), PORT, "tester").expect("router");
    let total = json(&get(&app, "/search.json?q=").await)["total"].as_u64().expect("total");
    assert_eq!(total, 204);

    // The whole case spans years: months; its data a row per month whose
    // totals add up to every message.
    let data = json(&get(&app, "/chart.json?q=&g=month").await);
    assert_eq!(data["granularity"], "month");
    assert_eq!(data["total"], total);
    let periods = data["periods"].as_array().expect("periods");
    let reply = get(&app, "/chart.csv?q=&g=month").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(header_of(&reply.headers, header::CONTENT_TYPE).starts_with("text/csv"));
    let rows = csv_rows(&reply.body);
    assert_eq!(rows[0][..4], ["period", "after", "before", "total"]);
    assert_eq!(rows.len() - 1, periods.len(), "a row per period");
    for (row, period) in rows[1..].iter().zip(periods) {
        assert_eq!(row[0], period["period"].as_str().expect("period"));
        assert_eq!(row[1], period["start"].as_str().expect("start"));
        assert_eq!(row[2], period["end"].as_str().expect("end"));
        assert_eq!(row[3], period["count"].to_string());
    }
    let sum: u64 = rows[1..].iter().map(|r| r[3].parse::<u64>().expect("count")).sum();
    assert_eq!(sum, total, "the periods hold every message");

    // Series named after the senders, made inert for spreadsheets.
    let header = &rows[0][4..];
    assert!(header.contains(&"'=HYPERLINK(\"https://evil.example\")".to_string()), "{header:?}");
    assert!(header.contains(&"'+cmd|' /C calc'!A0".to_string()), "{header:?}");
    assert!(header.contains(&"'@SUM(1+1)".to_string()), "{header:?}");
    assert!(header.iter().all(|h| !h.starts_with(['=', '+', '-', '@'])), "{header:?}");
    for row in &rows[1..] {
        let parts: u64 = row[4..].iter().map(|c| c.parse::<u64>().expect("count")).sum();
        assert!(parts <= row[3].parse().expect("total"), "{row:?}");
    }

    // A one-month query shows days, whichever way the month is asked for;
    // the user can still ask for weeks.
    for q in ["on:2020-03", "after:2020-03-01 before:2020-03-31"] {
        let search = json(&get(&app, &format!("/search.json?q={}", urlencode(q))).await);
        assert_eq!(search["facets"]["granularity"], "day", "{q}");
        let page = get(&app, &format!("/search?q={}", urlencode(q))).await.body;
        assert!(page.contains("data-unit=\"day\""), "{q}");
        assert!(page.contains("data-after=\"2020-03-02\" data-before=\"2020-03-03\""), "{q}");
        assert!(page.contains("<strong>auto (day)</strong>"), "{q}");
    }
    let forced = json(&get(&app, "/search.json?q=on:2020-03&g=week").await);
    assert_eq!(forced["facets"]["granularity"], "week");
    // Years of messages: months, ticks on the years.
    let overview = get(&app, "/").await.body;
    assert!(overview.contains("data-unit=\"month\""));
    let axis = overview.split("<g class=\"x-axis\">").nth(1).expect("x axis");
    let axis = axis.split("</g>").next().unwrap_or_default();
    assert!(axis.contains(">2019</text>") && axis.contains(">2020</text>"), "{axis}");
    let y_axis = overview.split("<g class=\"y-axis\">").nth(1).expect("y axis");
    assert!(y_axis.split("</g>").next().unwrap_or_default().matches("<text").count() >= 3);

    // Every chart links its data, with the chart's own parameters.
    for page in ["/", "/search?q=busy", "/p/Alice"] {
        let body = get(&app, page).await.body;
        assert!(body.contains("href=\"/chart.csv?q="), "{page}");
        assert!(body.contains("href=\"/chart.json?q="), "{page}");
    }
    let bad = get(&app, "/chart.json?q=x&tz=Mars/Olympus").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let openapi = json(&get(&app, "/api/openapi.json").await);
    assert!(
        openapi["paths"]["/chart.json"].is_object() && openapi["paths"]["/chart.csv"].is_object()
    );
}

#[tokio::test]
async fn charts_scale_by_log_and_stack_by_conversation_with_names_as_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(chart_case(dir.path()), PORT, "tester").expect("router");

    // Log: ticks at powers of ten, the quiet day as visible as a bar can be.
    let linear = get(&app, "/search?q=on:2020-03").await.body;
    assert!(linear.contains("<strong>linear</strong>"));
    assert!(linear.contains(
        "href=\"/search?q=on%3A2020-03&#38;sort=relevance&#38;size=20&#38;tz=UTC&#38;scale=log\""
    ), "{}", linear.split("chart-controls").nth(1).unwrap_or_default().split("</p>").next().unwrap_or_default());
    let log = get(&app, "/search?q=on:2020-03&scale=log").await.body;
    assert!(log.contains("data-scale=\"log\"") && log.contains("<strong>log</strong>"));
    let y_axis = log.split("<g class=\"y-axis\">").nth(1).expect("y axis");
    let y_axis = y_axis.split("</g>").next().unwrap_or_default();
    for tick in [">1</text>", ">10</text>", ">100</text>"] {
        assert!(y_axis.contains(tick), "{tick} in {y_axis}");
    }
    let height = |page: &str, day: &str| -> f64 {
        let bar = page.split(&format!("data-after=\"{day}\"")).nth(1).expect("bar");
        let bar = bar.split("</a>").next().unwrap_or_default();
        bar.split(" height=\"")
            .skip(1)
            .filter(|h| !bar.is_empty() && !h.contains("hit-area"))
            .map(|h| h.split('"').next().unwrap_or("0").parse::<f64>().expect("height"))
            .sum::<f64>()
    };
    let (quiet_log, busy_log) = (height(&log, "2020-03-20"), height(&log, "2020-03-02"));
    assert!(quiet_log > busy_log / 10.0, "one message beside a hundred: {quiet_log} vs {busy_log}");
    assert!(height(&linear, "2020-03-20") < quiet_log);

    // By conversation: series named after conversations, as text.
    let data = json(&get(&app, "/chart.json?q=busy&by=conversation").await);
    assert_eq!(data["by"], "conversation");
    let labels: Vec<&str> = data["series"]
        .as_array()
        .expect("series")
        .iter()
        .filter_map(|s| s["label"].as_str())
        .collect();
    assert_eq!(labels.len(), 4, "{labels:?}");
    assert!(labels.iter().all(|l| l.starts_with("-room ")), "{labels:?}");
    let rows = csv_rows(&get(&app, "/chart.csv?q=busy&by=conversation").await.body);
    assert!(rows[0][4..].iter().all(|h| h.starts_with("'-room ")), "{:?}", rows[0]);
    for page in [
        "/search?q=busy&by=conversation",
        "/search?q=busy&by=conversation&scale=log&g=week",
        "/search?q=busy",
        "/?scale=log",
        "/p/Alice?by=person",
    ] {
        let reply = get(&app, page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}");
        assert_only_our_markup(&reply.body, page);
    }
    let page = get(&app, "/search?q=busy&by=conversation").await.body;
    assert!(page.contains("<strong>conversation</strong>"));
    assert!(page.contains("-room &#60;script&#62;alert(7)&#60;/script&#62;"), "legend as text");
    assert!(page.contains("other conversations"));
    // The time zone form keeps the chart as it is.
    assert!(page.contains("<input type=\"hidden\" name=\"by\" value=\"conversation\">"));

    // A person's chart is stacked by conversation unless asked otherwise;
    // the heatmap says what its shades stand for.
    let person = get(&app, "/p/Alice").await.body;
    assert!(person.contains("Stacked by: <a"), "controls");
    assert!(person.contains("<strong>conversation</strong>"));
    assert!(person.contains("class=\"heat-legend\""));
    assert!(person.contains("<span class=\"heat-swatch s0\"></span>0 "));
}

async fn post_json(app: &axum::Router, body: &str, headers: &[(&str, &str)]) -> Reply {
    send(app, "application/json", body, headers).await
}

#[tokio::test]
async fn writes_have_a_json_api_under_the_same_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let session = json(&get(&app, "/api/session.json").await);
    let token = session["csrf"].as_str().expect("token").to_string();
    assert_eq!(session["author"], "tester");
    let hits = json(&get(&app, "/search.json?q=password").await);
    let ids: Vec<&str> = hits["hits"].as_array().expect("hits")[..2]
        .iter()
        .map(|h| h["id"].as_str().expect("id"))
        .collect();
    let body = serde_json::json!({"csrf": token, "action": "tag", "id": ids, "value": "api"});
    let done = post_json(&app, &body.to_string(), &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(json(&done)["ok"], true);
    assert_eq!(json(&get(&app, "/search.json?q=tag:api").await)["total"], 2);

    let unsigned = serde_json::json!({"action": "tag", "id": ids, "value": "nope"});
    assert_eq!(post_json(&app, &unsigned.to_string(), &[]).await.status, StatusCode::FORBIDDEN);
    let framed = post_json(&app, &body.to_string(), &[("origin", "null")]).await;
    assert_eq!(framed.status, StatusCode::FORBIDDEN, "a sandboxed frame's write");
    let broken = post_json(&app, "{\"csrf\": ", &[]).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    let said: Value = serde_json::from_str(&broken.body).expect("a JSON answer");
    assert!(said["detail"].as_str().is_some_and(|d| d.contains("JSON body")), "{said}");
    let nested = serde_json::json!({"csrf": token, "action": "tag", "id": {"a": 1}});
    let refused = post_json(&app, &nested.to_string(), &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let unknown = serde_json::json!({"csrf": token, "action": "explode"});
    let refused = post_json(&app, &unknown.to_string(), &[]).await;
    let said: Value = serde_json::from_str(&refused.body).expect("a JSON answer");
    assert_eq!(said["detail"], "`explode` is not an action");
    assert_eq!(json(&get(&app, "/search.json?q=tag:nope").await)["total"], 0);
}

/// The OpenAPI document is made from the routes the server registers, so
/// every path it describes is served; every page names its JSON twin in a
/// `Link` header, and the twin answers JSON.
#[tokio::test]
async fn the_api_document_and_alternate_links_come_from_the_routes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let hit = json(&get(&app, "/search.json?q=password").await)["hits"][0].clone();
    let token = csrf_token(&get(&app, "/review").await.body);
    let added = post(
        &app,
        &format!("csrf={token}&action=collect&id={}&value=Story", hit["id"].as_str().expect("id")),
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(added.status, StatusCode::OK);
    let fill = |path: &str| {
        let id = match path.get(..3) {
            Some("/c/") => hit["conversation_ref"].as_str(),
            Some("/p/") => hit["sender_id"].as_str(),
            _ => hit["id"].as_str(),
        };
        path.replace("{id}", &urlencode(id.expect("id")))
            .replace("{name}", "Story")
            .replace("{sha256}", &"0".repeat(64))
    };
    let openapi = json(&get(&app, "/api/openapi.json").await);
    let paths = openapi["paths"].as_object().expect("paths");
    assert!(paths.len() >= 23, "{}", paths.len());
    for (path, item) in paths {
        let uri = fill(path);
        if item.get("get").is_some() {
            let reply = get(&app, &uri).await;
            let served = reply.status.is_success()
                || (path.starts_with("/media/") && reply.status == StatusCode::NOT_FOUND)
                || (path.starts_with("/assets/") && reply.status == StatusCode::NOT_FOUND);
            assert!(served, "{path} ({uri}) is described but answers {}", reply.status);
            assert!(!reply.body.contains("no such page"), "{path}");
        }
        if item.get("post").is_some() {
            assert!(item["post"]["requestBody"]["content"]["application/json"].is_object());
        }
    }
    for page in ["/", "/search?q=password&sort=oldest", "/people", "/review", "/notes", "/tags"] {
        let reply = get(&app, page).await;
        let link = reply
            .headers
            .get(header::LINK)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{page} has no Link header"))
            .to_string();
        let twin = link
            .strip_prefix('<')
            .and_then(|l| l.split_once(">; rel=\"alternate\"; type=\"application/json\""))
            .map(|(t, _)| t.to_string())
            .unwrap_or_else(|| panic!("{page}: {link}"));
        let answer = get(&app, &twin).await;
        assert_eq!(answer.status, StatusCode::OK, "{page} -> {twin}");
        assert!(serde_json::from_str::<Value>(&answer.body).is_ok(), "{twin} is JSON");
    }
    let message = get(&app, &format!("/m/{}?tz=UTC", hit["id"].as_str().expect("id"))).await;
    let link = message.headers.get(header::LINK).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(link.contains(".json?tz=UTC>"), "the twin keeps the query: {link}");
    let json_link = get(&app, "/search.json?q=password").await;
    assert!(json_link.headers.get(header::LINK).is_none(), "a twin names no twin");
    let missing = get(&app, "/m/0000000000000").await;
    assert!(missing.headers.get(header::LINK).is_none(), "an error page names none");
}

/// Facets and person pages are kept between requests, but never past a
/// change to the names that label them.
#[tokio::test]
async fn kept_facets_and_person_pages_follow_a_rename() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let labels = |search: &Value| -> Vec<String> {
        search["facets"]["senders"]
            .as_array()
            .expect("senders")
            .iter()
            .filter_map(|s| s["label"].as_str().map(str::to_string))
            .collect()
    };
    let before = json(&get(&app, "/search.json?q=password").await);
    assert!(labels(&before).contains(&"Alice".to_string()), "{:?}", labels(&before));
    let person = json(&get(&app, "/p/Alice.json").await);
    let row = person["accounts"][0]["row"].as_i64().expect("row");
    assert_eq!(person["name"], "Alice");
    let token = csrf_token(&get(&app, "/people").await.body);
    let named = post(
        &app,
        &format!("csrf={token}&action=name&id=%23{row}&value=Alice+Liddell"),
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    let after = json(&get(&app, "/search.json?q=password").await);
    assert!(labels(&after).contains(&"Alice Liddell".to_string()), "{:?}", labels(&after));
    let person = json(&get(&app, "/p/Alice.json").await);
    assert_eq!(person["name"], "Alice Liddell", "the same page, asked again");
}

#[tokio::test]
async fn sorting_and_paging_keep_how_the_chart_is_drawn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(build_case(dir.path()), PORT, "tester").expect("router");
    let page = get(&app, "/search?q=password&g=week&scale=log&by=conversation").await.body;
    let page = page.replace("&#38;", "&amp;");
    let newest = page
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("sort=newest"))
        .expect("a newest-first link")
        .to_string();
    for kept in ["g=week", "scale=log", "by=conversation"] {
        assert!(newest.contains(kept), "{kept} missing from {newest}");
    }
}
