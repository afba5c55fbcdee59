//! The search page says how it read a query: a mistyped filter is named
//! with the filter it was probably meant to be, once, escaped.

use std::sync::atomic::AtomicBool;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;
use trove_app::Case;
use trove_ingest::IngestOptions;

const HOST: &str = "127.0.0.1:8080";

fn case(dir: &std::path::Path) -> Case {
    let csv = dir.join("transcript.csv");
    let rows = "text,date,user\n\
        \"Clinton’s emails are out\",2016-10-03T08:00:00Z,Emma\n\
        \"CLINTONʼS lawyers and Trump's\",2016-10-03T08:01:00Z,Harry\n\
        \"clinton again\",2016-10-03T08:02:00Z,Emma\n\
        \"nothing here, McClinton\",2016-10-03T08:03:00Z,Lotte\n";
    std::fs::write(&csv, rows).expect("csv");
    let mut case = Case::open_or_create(&dir.join("case"), &mut ()).expect("case");
    let options = IngestOptions {
        read: trove_readers::ReadOptions {
            tz: trove_app::parse_zone("UTC").ok(),
            tz_name: Some("UTC".into()),
            ..Default::default()
        },
        command: "test".into(),
        ..IngestOptions::default()
    };
    case.ingest(&[csv], &options, &mut (), &AtomicBool::new(false)).expect("ingest");
    case
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let request = Request::builder().uri(uri).header(header::HOST, HOST).body(Body::empty());
    let response = app.clone().oneshot(request.expect("request")).await.expect("reply");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.expect("body");
    (status, String::from_utf8(bytes.to_vec()).expect("utf-8"))
}

async fn json(app: &axum::Router, uri: &str) -> Value {
    let (status, body) = get(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

#[tokio::test]
async fn an_unknown_filter_is_named_once_with_its_nearest_filter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = trove_server::router(case(dir.path()), 8080, "tester").expect("router");

    let found = json(&app, "/search.json?q=clinton").await;
    assert_eq!(found["total"], 3, "every apostrophe form: {found}");
    assert_eq!(found["warnings"], serde_json::json!([]));
    let both = json(&app, "/search.json?q=clinton+AND+trump").await;
    assert_eq!(both["total"], 1, "{both}");

    let warning = "at character 1: `form:` is not a filter, so it is searched as text; \
                   did you mean `from:`?";
    let typo = json(&app, "/search.json?q=form:Emma").await;
    assert_eq!(typo["total"], 0);
    assert_eq!(typo["warnings"], serde_json::json!([warning]));

    let (status, html) = get(&app, "/search?q=form:Emma").await;
    assert_eq!(status, StatusCode::OK);
    let shown = "at character 1: `form:` is not a filter, so it is searched as text; \
                 did you mean `from:`?";
    assert_eq!(html.matches(&format!("<p class=\"warning\">{shown}</p>")).count(), 1, "{html}");

    // A warning quoting what was typed shows it as text.
    let (status, html) = get(&app, "/search?q=has:%3Cb%3Ex").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a query to fix is not a server failure");
    assert!(html.contains("has:&#60;b&#62;x") || html.contains("has:&lt;b&gt;x"), "{html}");
    assert!(!html.contains("has:<b>"), "{html}");
}
