//! Re-ingest is idempotent by source: a file the case holds is refused
//! when read again with other options (a zone-less time read in another
//! zone gives every record a new id, and the case would hold it twice),
//! unless `--again` keeps both readings or `--replace` swaps them. The same
//! file with the same options still counts its records as duplicates.

mod common;

use common::{json, s, trove};

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

/// Rows of the generated transcript.
const ROWS: usize = 240;
/// Every `ID_EVERY`th row carries the platform's own message id (`m7`):
/// its trove id derives from that, not from its time, and survives a
/// reading in another zone.
const ID_EVERY: usize = 8;
const MAP: &str = "text=text,sent_at=date,sender=user,id=id";

/// A CSV transcript of `ROWS` messages in January 2016 (Berlin is UTC+1
/// all month), written as `dir/name`; with `ids`, every `ID_EVERY`th row
/// has an id, the others none.
fn transcript(dir: &Path, name: &str, ids: bool) -> PathBuf {
    let senders = ["Emma", "Harry", "Olga", "Sam"];
    let mut csv = String::from("id,date,user,text\n");
    for i in 0..ROWS {
        let id = if ids && i % ID_EVERY == 0 { format!("m{i}") } else { String::new() };
        let (day, minute) = (1 + i / 60, i % 60);
        csv.push_str(&format!(
            "{id},2016-01-{day:02} 10:{minute:02},{},\"message number w{i}x about the drop\"\n",
            senders[i % senders.len()]
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, csv).expect("write the transcript");
    path
}

fn ingest(csv: &Path, case: &Path, tz: &str, extra: &[&str]) -> Output {
    let mut args = vec!["ingest", s(csv), "--case", s(case), "--map", MAP, "--tz", tz];
    args.extend_from_slice(extra);
    trove(&args)
}

fn stats(case: &Path) -> Value {
    json(&trove(&["stats", "--case", s(case), "--json"]))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The message `id` (a trove id, or the platform's own) as `show --json`
/// gives it.
fn message(case: &Path, id: &str) -> Value {
    json(&trove(&["show", id, "--case", s(case), "--json", "--context", "0"]))["message"].clone()
}

/// The one hit of `query`.
fn hit(case: &Path, query: &str) -> Value {
    let search = json(&trove(&["search", "--case", s(case), "--json", query]));
    assert_eq!(search["total"], 1, "{query}: {search}");
    search["hits"][0].clone()
}

#[test]
fn another_zone_is_refused_naming_the_difference_and_both_flags_and_the_case_is_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = transcript(dir.path(), "chat.csv", true);
    let case = dir.path().join("case");
    let first = json(&ingest(&csv, &case, "Europe/Berlin", &["--json"]));
    assert_eq!(first["messages_added"], ROWS as u64);
    let before = stats(&case);

    let refused = ingest(&csv, &case, "UTC", &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let said = stderr(&refused);
    assert!(said.contains(s(&csv)), "names the file: {said}");
    assert!(said.contains("read with other options"), "{said}");
    assert!(
        said.contains("with --tz Europe/Berlin (240 messages, 0 events), now with --tz UTC"),
        "the differing option on each side and what the earlier reading holds: {said}"
    );
    let ingested_at = before["sources"][0]["ingested_at"].as_str().expect("ingested_at");
    assert!(said.contains(&format!("ingested {ingested_at}")), "when: {said}");
    assert!(!said.contains("--map"), "options both readings share are not shown: {said}");
    assert!(said.contains("--again") && said.contains("--replace"), "both ways on: {said}");
    assert!(said.contains("nothing of this run was kept"), "{said}");
    assert_eq!(stats(&case), before, "the case is as it was");

    // The same bytes under another name are the same source.
    let copy = dir.path().join("copy.csv");
    std::fs::copy(&csv, &copy).expect("copy");
    let refused = ingest(&copy, &case, "UTC", &["--json"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains(&format!("from {}", s(&csv))), "{}", stderr(&refused));
    assert_eq!(stats(&case), before);

    // The flags exclude each other.
    let both = ingest(&csv, &case, "UTC", &["--again", "--replace"]);
    assert_eq!(both.status.code(), Some(2), "a usage error: {}", stderr(&both));
    assert_eq!(stats(&case), before);
}

#[test]
fn the_same_file_with_the_same_options_counts_duplicates_and_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = transcript(dir.path(), "chat.csv", true);
    let case = dir.path().join("case");
    json(&ingest(&csv, &case, "Europe/Berlin", &["--json"]));
    let before = stats(&case);
    let again = ingest(&csv, &case, "Europe/Berlin", &["--json"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let again = json(&again);
    assert_eq!(
        (again["messages_added"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(240))
    );
    assert_eq!(again["replaced"]["sources"], 0);
    assert_eq!(stats(&case), before, "no second source row, no message added");
}

#[test]
fn again_keeps_both_readings_and_the_file_is_then_known_under_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No row has an id: every record's id derives from its time.
    let csv = transcript(dir.path(), "chat.csv", false);
    let case = dir.path().join("case");
    json(&ingest(&csv, &case, "Europe/Berlin", &["--json"]));
    let again = json(&ingest(&csv, &case, "UTC", &["--again", "--json"]));
    assert_eq!(
        (again["messages_added"].as_u64(), again["duplicates"].as_u64()),
        (Some(240), Some(0))
    );
    let after = stats(&case);
    assert_eq!(after["messages"], 480, "the message count doubles");
    let sources = after["sources"].as_array().expect("sources");
    let options: Vec<&str> =
        sources.iter().map(|s| s["options"].as_str().expect("options")).collect();
    assert_eq!(
        options,
        vec![
            "--format csv --map text=text,sent_at=date,sender=user,id=id --tz Europe/Berlin",
            "--format csv --map text=text,sent_at=date,sender=user,id=id --tz UTC",
        ],
        "one source row per reading"
    );
    assert_eq!(sources[0]["path"], sources[1]["path"]);

    // Either reading again is a re-run: duplicates, no refusal.
    let rerun = ingest(&csv, &case, "UTC", &["--json"]);
    assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));
    assert_eq!(json(&rerun)["duplicates"], 240);
    // A third zone is refused, naming both earlier readings.
    let tokyo = ingest(&csv, &case, "Asia/Tokyo", &[]);
    assert_eq!(tokyo.status.code(), Some(1));
    let said = stderr(&tokyo);
    assert!(said.contains("with --tz Europe/Berlin (240 messages"), "{said}");
    assert!(said.contains("with --tz UTC (240 messages"), "{said}");
    assert_eq!(stats(&case)["messages"], 480);
}

/// A case read in Berlin time, with a note on a message that has its own
/// id (`m8`, written 2016-01-01 10:08) and a note and a tag on one that has
/// none (`w9x`, 10:09): the transcript, the case and the two messages'
/// trove ids.
fn annotated_case(dir: &Path) -> (PathBuf, PathBuf, [String; 2]) {
    let csv = transcript(dir, "chat.csv", true);
    let case = dir.join("case");
    json(&ingest(&csv, &case, "Europe/Berlin", &["--json"]));
    let with_id = message(&case, "m8");
    let without_id = hit(&case, "w9x");
    // 10:08 in Berlin (UTC+1 in January) is 09:08Z.
    assert_eq!(with_id["sent_at"], "2016-01-01T09:08:00.000Z");
    assert_eq!(without_id["sent_at"], "2016-01-01T09:09:00.000Z");
    let mut ids = Vec::new();
    for (m, what) in [(&with_id, "has its own id"), (&without_id, "has none")] {
        let id = m["id"].as_str().expect("id").to_string();
        json(&trove(&["note", "add", &id, what, "--case", s(&case), "--json", "--author", "ana"]));
        ids.push(id);
    }
    json(&trove(&["tag", "add", &ids[1], "lost", "--case", s(&case), "--json", "--author", "ana"]));
    let [a, b]: [String; 2] = ids.try_into().expect("two");
    (csv, case, [a, b])
}

#[test]
fn replace_swaps_the_reading_keeping_notes_where_ids_survive_and_counting_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (csv, case, [kept, lost]) = annotated_case(dir.path());
    let before = stats(&case);

    let out = json(&ingest(&csv, &case, "UTC", &["--replace", "--json"]));
    assert_eq!(
        (out["messages_added"].as_u64(), out["duplicates"].as_u64()),
        (Some(240), Some(0)),
        "the new reading is stored whole"
    );
    assert_eq!(out["replaced"]["sources"], 1);
    assert_eq!(out["replaced"]["messages"], 240);
    assert_eq!(out["replaced"]["events"], 0);
    assert_eq!(out["annotations_without_message"]["notes"], 1);
    assert_eq!(out["annotations_without_message"]["tags"], 1);
    assert_eq!(out["annotations_without_message"]["statuses"], 0);

    let after = stats(&case);
    assert_eq!(after["messages"], before["messages"], "the count is unchanged");
    assert_eq!(after["sources"].as_array().map(Vec::len), Some(1), "one source, read anew");
    assert_eq!(
        after["sources"][0]["options"],
        "--format csv --map text=text,sent_at=date,sender=user,id=id --tz UTC"
    );
    // Every time moves by the zone difference: an hour later.
    assert_eq!(
        (before["first"].as_str(), before["last"].as_str()),
        (Some("2016-01-01T09:00:00.000Z"), Some("2016-01-04T09:59:00.000Z"))
    );
    assert_eq!(
        (after["first"].as_str(), after["last"].as_str()),
        (Some("2016-01-01T10:00:00.000Z"), Some("2016-01-04T10:59:00.000Z"))
    );

    // The message with its own id keeps its trove id, moved by the zone
    // difference (10:08 read in Berlin was 09:08Z, read in UTC 10:08Z),
    // and its note.
    let moved = message(&case, &kept);
    assert_eq!(moved["sent_at"], "2016-01-01T10:08:00.000Z");
    assert_eq!(moved["native_id"], "m8");
    let notes = json(&trove(&["note", "list", "--case", s(&case), "--json"]));
    let notes = notes.as_array().expect("notes");
    assert_eq!(notes.len(), 2, "no note is deleted: {notes:?}");
    let noted = json(&trove(&["search", "--case", s(&case), "--json", "has:note"]));
    assert_eq!(noted["total"], 1);
    assert_eq!(noted["hits"][0]["id"], kept.as_str());
    assert!(json(&trove(&["search", "--case", s(&case), "--json", "tag:lost"]))["total"] == 0);
    // The message without one is there under a new id, an hour later.
    let anew = hit(&case, "w9x");
    assert_ne!(anew["id"], lost.as_str());
    assert_eq!(anew["sent_at"], "2016-01-01T10:09:00.000Z");
    let gone = trove(&["show", &lost, "--case", s(&case), "--json"]);
    assert_eq!(gone.status.code(), Some(1), "the old id names no message now");
    // Search finds each message once: the old reading's documents are gone.
    let all = json(&trove(&["search", "--case", s(&case), "--json", "drop"]));
    assert_eq!(all["total"], 240);
}

#[test]
fn replace_says_what_it_removed_and_which_annotations_point_at_no_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (csv, case, _) = annotated_case(dir.path());
    let out = ingest(&csv, &case, "UTC", &["--replace"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("240 messages and 0 events added"), "{said}");
    assert!(
        said.contains(
            "replaced the earlier reading of 1 source(s): 240 messages and 0 events removed"
        ),
        "{said}"
    );
    let warned = stderr(&out);
    assert!(warned.contains("warning: 1 note, 1 tag now point at no message"), "{warned}");

    // Replacing with the same options again moves no id: nothing is left
    // without a message, and nothing is said about it.
    let same = ingest(&csv, &case, "UTC", &["--replace", "--json"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    let same = json(&same);
    assert_eq!(same["replaced"]["messages"], 240);
    assert_eq!(same["annotations_without_message"]["notes"], 0);
    assert_eq!(stats(&case)["messages"], 240);
}
