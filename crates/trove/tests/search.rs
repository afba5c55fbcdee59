//! `trove search` as a reporter meets it: every apostrophe form of a word
//! found, `AND`, and a mistyped filter warned about on stderr and in the
//! JSON.

mod common;

use common::{json, s, trove};

fn case(dir: &std::path::Path) -> std::path::PathBuf {
    let csv = dir.join("transcript.csv");
    let rows = "text,date,user\n\
        \"Clinton’s emails are out\",2016-10-03T08:00:00Z,Emma\n\
        \"CLINTONʼS lawyers and Trump's\",2016-10-03T08:01:00Z,Harry\n\
        \"l’homme d’accord, clinton again\",2016-10-03T08:02:00Z,Emma\n\
        \"nothing here, McClinton and trumpets\",2016-10-03T08:03:00Z,Lotte\n";
    std::fs::write(&csv, rows).expect("csv");
    let case = dir.join("case");
    json(&trove(&["ingest", s(&csv), "--case", s(&case), "--json", "--tz", "UTC"]));
    case
}

fn total(case: &std::path::Path, query: &str) -> u64 {
    let out = json(&trove(&["search", "--case", s(case), "--json", "--", query]));
    out["total"].as_u64().expect("total")
}

#[test]
fn apostrophes_and_and_find_what_they_should() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = case(dir.path());
    assert_eq!(total(&case, "clinton"), 3);
    assert_eq!(total(&case, "trump"), 1);
    assert_eq!(total(&case, "clinton AND trump"), 1);
    assert_eq!(total(&case, "homme"), 1);
    assert_eq!(total(&case, "accord"), 1);
    assert_eq!(total(&case, "\"Clinton's\""), 2);
    // Lower-case `and` is a word like any other.
    assert_eq!(total(&case, "clinton and trump"), 1);
    assert_eq!(total(&case, "clinton and"), 1);
}

#[test]
fn a_mistyped_filter_is_warned_about_with_the_nearest_filter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = case(dir.path());
    let warning = "at character 9: `form:` is not a filter, so it is searched as text; \
                   did you mean `from:`?";

    let out = trove(&["search", "--case", s(&case), "clinton form:Emma"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end(), format!("warning: {warning}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("0 matches for clinton form:Emma"), "{stdout}");

    let out = json(&trove(&["search", "--case", s(&case), "--json", "clinton form:Emma"]));
    assert_eq!(out["warnings"], serde_json::json!([warning]));

    // URLs and times are words, not filters: no warning.
    for query in ["http://example.org", "12:30", "clinton from:Emma"] {
        let out = trove(&["search", "--case", s(&case), query]);
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{query}");
    }
}

#[test]
fn an_index_written_by_an_older_analyzer_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = case(dir.path());
    // What an older trove left: the same index under the analyzer name it
    // had, whose words held the apostrophe (`clinton’s`).
    let meta = case.join("index").join("meta.json");
    let text = std::fs::read_to_string(&meta).expect("meta.json");
    assert!(text.contains("\"trove-4\""), "{text}");
    std::fs::write(&meta, text.replace("\"trove-4\"", "\"trove-3\"")).expect("write");

    assert_eq!(total(&case, "clinton"), 3);
    let text = std::fs::read_to_string(&meta).expect("meta.json");
    assert!(text.contains("\"trove-4\"") && !text.contains("\"trove-3\""), "{text}");
}

/// A time read in an assumed zone is flagged on every result line, and
/// `show` names the zone and quotes the time as the source wrote it.
#[test]
fn an_assumed_zone_is_flagged_in_results_and_named_by_show() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("chat.txt");
    std::fs::write(&log, "[2021-11-23 21:34:00] boss: where is the list\n").expect("write");
    let case = dir.path().join("case");
    json(&trove(&[
        "ingest",
        s(&log),
        "--case",
        s(&case),
        "--json",
        "--format",
        "template",
        "--template",
        "[{ts}] {sender}: {text}",
        "--tz",
        "Europe/Moscow",
    ]));
    let out = trove(&["search", "--case", s(&case), "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2021-11-23 18:34:00 UTC · zone assumed  boss  in chat"), "{text}");
    let hit = json(&trove(&["search", "--case", s(&case), "--json", "list"]))["hits"][0].clone();
    assert_eq!(hit["zone_assumed"], "Europe/Moscow");
    let id = hit["id"].as_str().expect("id");
    let shown = trove(&["show", "--case", s(&case), id]);
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("> 2021-11-23 18:34:00 UTC · zone assumed  boss: where"), "{shown}");
    assert!(shown.contains("source wrote \"2021-11-23 21:34:00\""), "{shown}");
    assert!(
        shown.contains("zone          assumed: Europe/Moscow (the source states none)"),
        "{shown}"
    );
}
