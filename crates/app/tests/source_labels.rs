//! Sources you can tell apart (issue 14): each ingested input carries a
//! label usable as `source:` filter and facet, and `from:` finds an account
//! by the bare name of its address when only one address has it, and names
//! the candidates when several do.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use trove_app::{Case, ExportFormat, SearchOptions, Selection};
use trove_ingest::IngestOptions;
use trove_readers::ReadOptions;

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

/// A transcript file whose lines are `[time] sender: text`.
fn transcript(path: &Path, lines: &[(&str, &str)]) -> PathBuf {
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(i, (sender, text))| format!("[2021-03-01 10:0{i}:00] {sender}: {text}\n"))
        .collect();
    write(path, &text)
}

fn template(label: Option<&str>) -> IngestOptions {
    IngestOptions {
        format: Some("template".to_string()),
        read: ReadOptions {
            templates: vec!["[{ts}] {sender}: {text}".to_string()],
            ..ReadOptions::default()
        },
        label: label.map(str::to_string),
        ..IngestOptions::default()
    }
}

fn ingest(case: &mut Case, path: &Path, options: &IngestOptions) {
    case.ingest(&[path.to_path_buf()], options, &mut (), &AtomicBool::new(false)).unwrap();
}

fn texts(case: &Case, query: &str) -> (Vec<String>, Vec<String>) {
    let out = case.search(query, &SearchOptions::default()).unwrap();
    let mut texts: Vec<String> = out.hits.into_iter().map(|h| h.text).collect();
    texts.sort_unstable();
    (texts, out.warnings)
}

#[test]
fn each_input_is_a_source_filter_and_facet_by_its_label() {
    let dir = tempfile::tempdir().unwrap();
    let leak = dir.path().join("leak");
    // Two servers' dumps as folders (labelled by their names), and a third
    // input given a label of its own.
    transcript(&leak.join("serverA/general.txt"), &[("alice", "hello from A"), ("bob", "A again")]);
    transcript(&leak.join("serverB/general.txt"), &[("alice", "hello from B")]);
    let loose = transcript(&dir.path().join("x.txt"), &[("carol", "hello loose")]);
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).unwrap();
    ingest(&mut case, &leak.join("serverA"), &template(None));
    ingest(&mut case, &leak.join("serverB"), &template(None));
    ingest(&mut case, &loose, &template(Some("tip from a reader")));

    assert_eq!(texts(&case, "source:serverA").0, ["A again", "hello from A"]);
    assert_eq!(texts(&case, "hello -source:serverA").0, ["hello from B", "hello loose"]);
    assert_eq!(texts(&case, "source:\"TIP FROM A READER\"").0, ["hello loose"]);
    let (none, warnings) = texts(&case, "source:serverC");
    assert!(none.is_empty());
    assert_eq!(warnings, ["no ingested input is labelled \"serverC\""]);

    let hit = &case.search("hello from B", &SearchOptions::default()).unwrap().hits[0];
    assert_eq!(hit.source_label, "serverB");

    let facets = case.facets("", None).unwrap();
    let sources: Vec<(&str, &str, u64)> =
        facets.sources.iter().map(|f| (f.label.as_str(), f.filter.as_str(), f.count)).collect();
    assert_eq!(
        sources,
        [
            ("serverA", "source:serverA", 2),
            ("serverB", "source:serverB", 1),
            ("tip from a reader", "source:\"tip from a reader\"", 1),
        ]
    );
    let labels: Vec<String> = case.stats().unwrap().sources.into_iter().map(|s| s.label).collect();
    assert_eq!(labels, ["serverA", "serverB", "tip from a reader"]);
}

#[test]
fn from_takes_the_bare_name_of_an_address_only_when_it_is_unique() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).unwrap();
    let a = transcript(
        &dir.path().join("a.txt"),
        &[("boss@a.onion", "from the first boss"), ("@carol:matrix.org", "carol here")],
    );
    ingest(&mut case, &a, &template(None));
    assert_eq!(texts(&case, "from:boss").0, ["from the first boss"]);
    assert_eq!(texts(&case, "from:BOSS").0, ["from the first boss"], "any case");
    assert_eq!(texts(&case, "from:carol").0, ["carol here"], "a Matrix id's local part");
    assert!(texts(&case, "from:bos").0.is_empty(), "a whole local part, not a prefix");

    // A second address with the same local part: `from:boss` now names
    // both as candidates and matches neither; each still works in full.
    let b = transcript(&dir.path().join("b.txt"), &[("boss@b.onion", "from the second boss")]);
    ingest(&mut case, &b, &template(None));
    let (found, warnings) = texts(&case, "from:boss");
    assert!(found.is_empty());
    assert_eq!(
        warnings,
        ["from:\"boss\" names no account; 2 addresses have it before the @ (boss@a.onion, \
          boss@b.onion): write the one you mean in full"]
    );
    assert_eq!(texts(&case, "from:boss@b.onion").0, ["from the second boss"]);
    // An export of that query says so too, rather than writing an empty
    // file without a word.
    let out = dir.path().join("boss.jsonl");
    let exported =
        case.export(&Selection::Query("from:boss".into()), ExportFormat::Jsonl, &out).unwrap();
    assert_eq!(exported.messages, 0);
    assert_eq!(exported.warnings, warnings);

    // An account literally called `boss` wins over the local parts.
    let c = transcript(&dir.path().join("c.txt"), &[("boss", "the plain boss")]);
    ingest(&mut case, &c, &template(None));
    assert_eq!(texts(&case, "from:boss").0, ["the plain boss"]);
}

/// Naming an account gives it a name; another account with the source's
/// same name stays reachable by that name.
#[test]
fn naming_an_account_leaves_same_named_accounts_reachable() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).unwrap();
    let irc = transcript(&dir.path().join("irc.txt"), &[("Boss", "on irc")]);
    let csv = write(
        &dir.path().join("chat.csv"),
        "text,date,user_id,user\non the csv side,2021-03-01T10:00:00Z,u-77,Boss\n",
    );
    ingest(&mut case, &irc, &template(None));
    ingest(&mut case, &csv, &IngestOptions::default());
    assert_eq!(texts(&case, "from:Boss").0, ["on irc", "on the csv side"]);
    case.name_person("u-77", "Kingpin", "test").unwrap();
    assert_eq!(texts(&case, "from:Kingpin").0, ["on the csv side"]);
    assert_eq!(texts(&case, "from:Boss").0, ["on irc", "on the csv side"]);
}
