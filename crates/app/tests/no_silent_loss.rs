//! Nothing collapsed, dropped or folded without a word (issue 14): the
//! ingest summary counts every duplicate by reason and every notice by
//! kind, on generated inputs that reproduce what real leaks did.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use trove_app::{Case, IngestOutput};
use trove_ingest::IngestOptions;
use trove_readers::ReadOptions;

fn ingest(case: &mut Case, paths: &[PathBuf], options: &IngestOptions) -> IngestOutput {
    case.ingest(paths, options, &mut (), &AtomicBool::new(false)).unwrap()
}

fn rocketchat() -> IngestOptions {
    IngestOptions { format: Some("rocketchat".to_string()), ..IngestOptions::default() }
}

fn message(id: &str, text: &str, extra: &str) -> String {
    format!(
        r#"{{"_id": "{id}", "rid": "GENERAL", "msg": "{text}", "ts": "2021-11-23T09:08:16.000Z",
            "u": {{"_id": "u1", "username": "alice", "name": "Alice"}}{extra}}}"#
    )
}

fn day_file(dir: &Path, name: &str, messages: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("{{\"messages\": [{}]}}", messages.join(",\n"))).unwrap();
    path
}

fn counts(map: &std::collections::BTreeMap<String, u64>) -> Vec<(&str, u64)> {
    map.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}

#[test]
fn a_message_in_two_rocketchat_day_files_is_one_duplicate_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    let a = message("AAAAAAAAAAAAAAAAA", "the shared one", "");
    let b = message("BBBBBBBBBBBBBBBBB", "only on day two", "");
    day_file(&dump, "GENERAL/2021-11-23.json", std::slice::from_ref(&a));
    day_file(&dump, "GENERAL/2021-11-24.json", &[a, b]);
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).unwrap();

    let first = ingest(&mut case, std::slice::from_ref(&dump), &rocketchat());
    assert_eq!((first.messages_added, first.duplicates), (2, 1));
    assert_eq!(counts(&first.duplicate_reasons), vec![("same id within this run", 1)]);

    // Again: the collapsed copy once more, and both messages already held.
    let again = ingest(&mut case, &[dump], &rocketchat());
    assert_eq!((again.messages_added, again.duplicates), (0, 3));
    assert_eq!(
        counts(&again.duplicate_reasons),
        vec![("already in the case", 2), ("same id within this run", 1)]
    );
}

#[test]
fn a_copy_the_bulk_run_drops_at_commit_is_counted_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[2021-11-23 09:08:16] alice: hello\n[2021-11-23 09:09:00] bob: hi\n";
    let mut paths = Vec::new();
    for copy in ["one", "two"] {
        std::fs::create_dir_all(dir.path().join(copy)).unwrap();
        let path = dir.path().join(copy).join("chat.txt");
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    let options = IngestOptions {
        format: Some("template".to_string()),
        read: ReadOptions {
            templates: vec!["[{ts}] {sender}: {text}".to_string()],
            ..ReadOptions::default()
        },
        ..IngestOptions::default()
    };
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).unwrap();
    let out = ingest(&mut case, &paths, &options);
    assert_eq!((out.messages_added, out.duplicates), (2, 2));
    assert_eq!(counts(&out.duplicate_reasons), vec![("same id within this run", 2)]);
}

#[test]
fn reactions_as_an_array_keep_the_message_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    let odd = message("CCCCCCCCCCCCCCCCC", "kept", r#", "reactions": []"#);
    let file = day_file(&dump, "GENERAL/2021-11-23.json", &[odd]);
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).unwrap();
    let out = ingest(&mut case, &[dump], &rocketchat());
    assert_eq!(out.messages_added, 1);
    assert!(out.skipped.is_empty(), "{:?}", out.skipped);
    assert_eq!(counts(&out.notice_counts), vec![("field_dropped", 1)]);
    let notice = &out.notices[0];
    assert_eq!(notice.kind, "field_dropped");
    assert_eq!(notice.reason, "rocketchat reactions (expected an object, found an array)");
    assert_eq!(notice.offset, "{\"messages\": [".len() as u64);
    assert_eq!(Path::new(&notice.file), file.as_path());
}

#[test]
fn machine_translated_dates_are_skips_and_folded_lines_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chat.txt");
    let lines = [
        "[23.11.21 09:08:16] boss:\t\tfirst",
        "and its second line",
        "[11/23/221 09:09:00] boss:\t\tgarbled date",
        "garbled body",
        "[23.11.21 09:10:00] nick:\t\tthird",
    ];
    std::fs::write(&path, lines.join("\n")).unwrap();
    let options = IngestOptions {
        format: Some("template".to_string()),
        read: ReadOptions {
            templates: vec!["[{ts}] {sender}:\t\t{text}".to_string()],
            ts_format: Some("%d.%m.%y %H:%M:%S".to_string()),
            ..ReadOptions::default()
        },
        ..IngestOptions::default()
    };
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).unwrap();
    let out = ingest(&mut case, &[path], &options);
    assert_eq!(out.messages_added, 2);
    assert_eq!(out.skipped.len(), 1, "{:?}", out.skipped);
    let skip = &out.skipped[0];
    let garbled_at = lines[0].len() + lines[1].len() + 2;
    assert_eq!(skip.offset, garbled_at as u64);
    assert!(
        skip.reason.starts_with(
            "line 3: timestamp \"11/23/221 09:09:00\" does not parse as --ts-format \
             `%d.%m.%y %H:%M:%S`"
        ),
        "{}",
        skip.reason
    );
    assert!(skip.reason.ends_with(
        "; the message and its 1 continuation line are passed over, not folded into the \
         message before"
    ));
    assert_eq!(counts(&out.notice_counts), vec![("lines_folded", 1)]);
}
