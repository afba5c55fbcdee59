//! A time whose source stated no zone is flagged wherever it is shown
//! (issue 14): search output, every export and the published page say
//! which zone it was read in; a time the source stated is not flagged.
//! (RSMF's `zone_assumed` custom property is tested in trove-publish.)
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::atomic::AtomicBool;

use jiff::tz::TimeZone;
use trove_app::{Case, ExportFormat, SearchOptions, Selection};
use trove_ingest::IngestOptions;
use trove_readers::ReadOptions;

/// A case holding one zone-less transcript line read in Moscow time and one
/// Rocket.Chat message with a UTC instant.
fn case(dir: &Path) -> Case {
    let transcript = dir.join("chat.txt");
    std::fs::write(&transcript, "[2021-11-23 21:34:00] boss: transcript hello\n").unwrap();
    let rocket = dir.join("rocket");
    std::fs::create_dir_all(rocket.join("GENERAL")).unwrap();
    std::fs::write(
        rocket.join("GENERAL/2021-11-23.json"),
        r#"{"messages": [{"_id": "AAAAAAAAAAAAAAAAA", "rid": "GENERAL", "msg": "rocket hello",
            "ts": "2021-11-23T09:08:16.000Z", "u": {"_id": "u1", "username": "alice"}}]}"#,
    )
    .unwrap();
    let mut case = Case::open_or_create(&dir.join("case"), &mut ()).unwrap();
    let template = IngestOptions {
        format: Some("template".to_string()),
        read: ReadOptions {
            templates: vec!["[{ts}] {sender}: {text}".to_string()],
            tz: Some(TimeZone::get("Europe/Moscow").unwrap()),
            tz_name: Some("Europe/Moscow".to_string()),
            ..ReadOptions::default()
        },
        ..IngestOptions::default()
    };
    let stop = AtomicBool::new(false);
    case.ingest(&[transcript], &template, &mut (), &stop).unwrap();
    let rocketchat =
        IngestOptions { format: Some("rocketchat".to_string()), ..IngestOptions::default() };
    case.ingest(&[rocket], &rocketchat, &mut (), &stop).unwrap();
    case
}

#[test]
fn search_hits_say_which_zone_was_assumed() {
    let dir = tempfile::tempdir().unwrap();
    let case = case(dir.path());
    let hits = case.search("hello", &SearchOptions::default()).unwrap().hits;
    let mut got: Vec<(&str, Option<&str>, &str)> = hits
        .iter()
        .map(|h| (h.text.as_str(), h.zone_assumed.as_deref(), h.sent_at_original.as_str()))
        .collect();
    got.sort_unstable();
    assert_eq!(
        got,
        vec![
            ("rocket hello", None, "2021-11-23T09:08:16.000Z"),
            ("transcript hello", Some("Europe/Moscow"), "2021-11-23 21:34:00"),
        ]
    );
    let transcript = hits.iter().find(|h| h.text == "transcript hello").unwrap();
    assert_eq!(transcript.sent_at, "2021-11-23T18:34:00.000Z", "21:34 in Moscow is 18:34 UTC");
}

#[test]
fn every_export_names_the_assumed_zone() {
    let dir = tempfile::tempdir().unwrap();
    let case = case(dir.path());
    let selection = Selection::Query("hello".to_string());

    let csv = dir.path().join("out.csv");
    case.export(&selection, ExportFormat::Csv { bom: false }, &csv).unwrap();
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = header.iter().position(|h| h == "zone_assumed").unwrap();
    let text = header.iter().position(|h| h == "text").unwrap();
    let mut rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[text].to_string(), r[column].to_string())
        })
        .collect();
    rows.sort_unstable();
    assert_eq!(
        rows,
        vec![
            ("rocket hello".to_string(), String::new()),
            ("transcript hello".to_string(), "Europe/Moscow".to_string()),
        ]
    );

    let jsonl = dir.path().join("out.jsonl");
    case.export(&selection, ExportFormat::Jsonl, &jsonl).unwrap();
    let lines = std::fs::read_to_string(&jsonl).unwrap();
    let zones: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["zone_assumed"].clone())
        .collect();
    assert!(zones.contains(&serde_json::json!("Europe/Moscow")), "{lines}");
    assert!(zones.contains(&serde_json::Value::Null), "{lines}");
}

#[test]
fn the_published_page_flags_the_assumed_time_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = case(dir.path());
    let ids: Vec<String> = case
        .search("hello", &SearchOptions::default())
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    case.collection_add("story", &ids, None, "tester").unwrap();
    let out = dir.path().join("site");
    case.publish("story", &out, None, Some("UTC")).unwrap();
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_eq!(page.matches("· zone assumed</span>").count(), 1, "{page}");
    // minijinja escapes the slash.
    assert!(page.contains("they were read as Europe&#x2f;Moscow"), "{page}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert_eq!(manifest.matches("\"zone_assumed\": \"Europe/Moscow\"").count(), 1, "{manifest}");
}
