//! Notes, tags, review status, collections and the audit trail from the
//! command line, and the query filters they feed.

mod common;

use common::{ingest_transcript, json, s, trove};

use std::path::{Path, PathBuf};

use serde_json::Value;

fn case(dir: &Path) -> PathBuf {
    ingest_transcript(dir).0
}

fn run(case: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--case", s(case), "--json", "--author", "ana"];
    all.extend_from_slice(args);
    json(&trove(&all))
}

fn hits(case: &Path, query: &str) -> Vec<String> {
    let found = run(case, &["search", "--sort", "time", "--", query]);
    found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn notes_tags_and_statuses_are_searchable_and_survive_reingest_and_reindex() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = case(dir.path());
    let ids = hits(&case, "");
    assert_eq!(ids.len(), 10, "the transcript's messages: {ids:?}");

    let range = format!("{}..{}", ids[3], ids[1]);
    let note = run(&case, &["note", "add", &range, "Emma", "and", "**Harry** on the drop"]);
    assert_eq!(note["message_id"], ids[1].as_str(), "ends put in conversation order");
    assert_eq!(note["last_message_id"], ids[3].as_str());
    assert_eq!(note["body"], "Emma and **Harry** on the drop");
    assert_eq!(note["author"], "ana");
    assert_eq!(hits(&case, "has:note"), ids[1..=3].to_vec());

    let tagged = run(&case, &["tag", "add", &ids[5], &ids[6], "Passwords"]);
    assert_eq!(tagged["added"], 2);
    assert_eq!(hits(&case, "tag:passwords"), ids[5..=6].to_vec());
    assert_eq!(hits(&case, "-tag:passwords has:note"), ids[1..=3].to_vec());

    run(&case, &["status", "set", &ids[0], "to_verify"]);
    run(&case, &["status", "set", &ids[2], "Relevant"]);
    assert_eq!(hits(&case, "status:to-verify"), vec![ids[0].clone()]);
    assert_eq!(hits(&case, "status:unread").len(), 8);

    // Re-ingest (adds nothing) and rebuild the index: annotations stay.
    let (_, again) = ingest_transcript(dir.path());
    assert_eq!(again["messages_added"], 0);
    run(&case, &["reindex"]);
    assert_eq!(hits(&case, "has:note"), ids[1..=3].to_vec());
    assert_eq!(hits(&case, "tag:Passwords"), ids[5..=6].to_vec());
    assert_eq!(hits(&case, "status:relevant"), vec![ids[2].clone()]);

    let show = run(&case, &["show", &ids[2]]);
    assert_eq!(show["annotations"]["status"], "relevant");
    assert_eq!(show["annotations"]["notes"][0]["body"], "Emma and **Harry** on the drop");

    // Deleting is recorded, not silent.
    let id = note["id"].as_i64().expect("note id").to_string();
    let deleted = run(&case, &["note", "remove", &id]);
    assert_eq!(deleted["deleted_by"], "ana");
    assert!(hits(&case, "has:note").is_empty());
    assert_eq!(run(&case, &["note", "list"]).as_array().map(Vec::len), Some(0));
    let kept = run(&case, &["note", "list", "--deleted"]);
    assert_eq!(kept[0]["body"], "Emma and **Harry** on the drop");
    let audit = run(&case, &["audit"]);
    assert_eq!(audit[0]["action"], "note.delete");
    assert!(audit[0]["detail"].as_str().expect("detail").contains("**Harry** on the drop"));
}

#[test]
fn collections_are_ordered_lists_of_excerpts_with_notes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = case(dir.path());
    let ids = hits(&case, "");
    let range = format!("{}..{}", ids[0], ids[2]);
    let added = run(&case, &["collection", "add", "Story", &range, "--note", "Note: the drop"]);
    assert_eq!(added["positions"], serde_json::json!([1]));
    run(&case, &["collection", "add", "Story", &ids[6]]);
    run(&case, &["collection", "move", "Story", "2", "1"]);
    let story = run(&case, &["collection", "list", "Story"]);
    let excerpts = story["excerpts"].as_array().expect("excerpts");
    assert_eq!(excerpts.len(), 2);
    assert_eq!(excerpts[0]["message_id"], ids[6].as_str());
    assert_eq!(excerpts[1]["note"], "Note: the drop");
    let texts: Vec<&str> = excerpts[1]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["text"].as_str().expect("text"))
        .collect();
    assert_eq!(texts.len(), 3, "a range excerpt holds every message of the range: {texts:?}");
    assert!(texts[0].starts_with("Morning all"));
    let listed = run(&case, &["collection", "list"]);
    assert_eq!(listed[0]["excerpts"], 2);
}

#[test]
fn bad_annotations_are_clear_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = case(dir.path());
    let ids = hits(&case, "");
    let fail = |args: &[&str]| {
        let mut all = vec!["--case", s(&case)];
        all.extend_from_slice(args);
        let out = trove(&all);
        // 2: a usage error; 1: an id that names nothing.
        let expected = if args.contains(&"nonexistent") { 1 } else { 2 };
        assert_eq!(out.status.code(), Some(expected), "{args:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(
        fail(&["status", "set", &ids[0], "maybe"]).contains(
            "not a review status (use one of: unread, relevant, not-relevant, to-verify)"
        )
    );
    assert!(
        fail(&["note", "add", "nonexistent", "text"])
            .contains("no message has the id `nonexistent`")
    );
    assert!(fail(&["note", "remove", "99"]).contains("there is no live note 99"));
    assert!(
        fail(&["collection", "list", "nothing"]).contains("there is no collection \"nothing\"")
    );
    assert!(fail(&["search", "status:maybe"]).contains("not a review status"));
}
