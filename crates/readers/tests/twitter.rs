//! The Twitter reader against generated archives with known ground truth,
//! and against broken input.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use trove_model::{EventKind, Record, RecordKind};
use trove_readers::twitter::{Twitter, snowflake_ms};
use trove_readers::{
    Confidence, Format, Input, ReadError, ReadOptions, Sink, Skip, Stop, VecSink, detect,
};
use trove_testkit::twitter::{Archive, Builder, Expected, ExpectedKind};

const TOP: &str = "twitter-2023-09-06-5f1c0e";

/// The big group-DM archive, generated once for all tests in this file.
fn big() -> &'static Archive {
    static ARCHIVE: OnceLock<Archive> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        Builder::new(2024)
            .groups(2)
            .group_messages(10_500)
            .one_to_one(3)
            .direct_messages(600)
            .chunk_size(1000)
            .chunk_overlap(60)
            .group_parts(2)
            .top_folder(TOP)
            .tamper_created_at(true)
            .build()
    })
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    Twitter.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn read(path: &Path) -> Result<VecSink, ReadError> {
    read_with(path, &ReadOptions::default())
}

fn offset_of(error: &ReadError) -> Option<u64> {
    match error {
        ReadError::Invalid { offset, .. } => *offset,
        _ => None,
    }
}

fn event_kind(kind: &ExpectedKind) -> RecordKind {
    match kind {
        ExpectedKind::Message => RecordKind::Message,
        ExpectedKind::Join => RecordKind::Event(EventKind::Join),
        ExpectedKind::Leave => RecordKind::Event(EventKind::Leave),
        ExpectedKind::Rename => RecordKind::Event(EventKind::Rename),
        ExpectedKind::Other(name) => RecordKind::Event(EventKind::Other(name.clone())),
    }
}

fn ids(accounts: &[trove_model::AccountRef]) -> Vec<&str> {
    accounts.iter().map(|a| &*a.native_id).collect()
}

/// Compares every record with the ground truth, field by field.
/// `side_files`: whether account.js and the media folders were part of the
/// input (not for a bare DM file).
fn check_truth(archive: &Archive, truth: &[&Expected], sink: &VecSink, side_files: bool) {
    let owner_known = side_files;
    assert!(
        sink.skips.is_empty(),
        "unexpected skips: {:?}",
        &sink.skips[..sink.skips.len().min(3)]
    );
    assert_eq!(sink.records.len(), truth.len(), "one record per message and event");

    let mut messages: HashMap<&str, &Record> = HashMap::new();
    let mut events: HashMap<(&str, i64), &Record> = HashMap::new();
    for record in &sink.records {
        assert_eq!(record.platform, "twitter");
        match &record.kind {
            RecordKind::Message => {
                let id = record.native_id.as_deref().unwrap();
                assert!(messages.insert(id, record).is_none(), "message {id} read twice");
            }
            RecordKind::Event(_) => {
                let key = (&*record.conversation.native_id, record.sent_at.utc_ms);
                assert!(events.insert(key, record).is_none(), "event {key:?} read twice");
            }
        }
    }

    for expected in truth {
        let record = match &expected.id {
            Some(id) => messages.get(id.as_str()).copied(),
            None => {
                events.get(&(expected.conversation_id.as_str(), expected.created_at_ms)).copied()
            }
        };
        let Some(record) = record else { panic!("missing {expected:?}") };
        assert_eq!(record.kind, event_kind(&expected.kind), "{expected:?}");
        assert_eq!(&*record.conversation.native_id, expected.conversation_id);
        assert_eq!(record.sender.as_ref().map(|s| &*s.native_id), expected.sender_id.as_deref());
        assert_eq!(record.sent_at.utc_ms, expected.created_at_ms);
        assert_eq!(record.sent_at.original, expected.created_at);
        assert_eq!(record.reactions.len(), expected.reactions);
        if expected.is_message() {
            assert_eq!(record.text, expected.text, "text of {:?}", expected.id);
            assert!(record.targets.is_empty());
            let urls: Vec<(String, String)> = record
                .urls
                .iter()
                .map(|u| (u.url.clone(), u.expanded.clone().unwrap_or_default()))
                .collect();
            assert_eq!(urls, expected.urls);
            assert_eq!(record.attachments.len(), expected.media.len());
            for (got, want) in record.attachments.iter().zip(&expected.media) {
                assert_eq!(got.reference, want.url);
                assert_eq!(got.name, want.name);
                assert_eq!(got.kind.as_deref(), Some(want.kind));
                let size = if side_files { want.local_size } else { None };
                assert_eq!(got.size, size, "{}", want.url);
            }
            for reaction in &record.reactions {
                assert!(reaction.at.is_some() && reaction.native_id.is_some());
            }
        } else {
            let targets: Vec<&str> = ids(&record.targets);
            let joined_owner = expected.kind == ExpectedKind::Join && record.raw.is_some();
            if joined_owner && !owner_known {
                assert!(targets.is_empty());
            } else {
                assert_eq!(
                    targets,
                    expected.targets.iter().map(String::as_str).collect::<Vec<_>>()
                );
            }
            assert!(!record.text.is_empty());
            assert_eq!(record.conversation.name.as_deref(), expected.name.as_deref());
            if let ExpectedKind::Other(name) = &expected.kind {
                assert!(record.raw.as_deref().unwrap().contains(name.as_str()));
            }
        }
    }
    if owner_known {
        assert_eq!(sink.accounts.len(), 1);
        let owner = &sink.accounts[0];
        assert_eq!(&*owner.native_id, archive.owner.id);
        assert_eq!(owner.handle.as_deref(), Some(archive.owner.handle.as_str()));
        assert_eq!(owner.display_name.as_deref(), Some(archive.owner.display_name.as_str()));
    }
}

/// Slices each record's locator out of the file it names and checks the
/// bytes are that record.
fn check_locators(archive: &Archive, truth: &[&Expected], sink: &VecSink, input: &Input) {
    let by_id: HashMap<&str, &Expected> =
        truth.iter().filter_map(|e| e.id.as_deref().map(|id| (id, *e))).collect();
    let by_time: HashMap<(&str, i64), &Expected> = truth
        .iter()
        .filter(|e| e.id.is_none())
        .map(|e| ((e.conversation_id.as_str(), e.created_at_ms), *e))
        .collect();
    for record in &sink.records {
        let expected = match &record.native_id {
            Some(id) if record.is_message() => by_id[id.as_str()],
            _ => by_time[&(&*record.conversation.native_id, record.sent_at.utc_ms)],
        };
        let locator = &record.locator;
        assert_eq!(locator.entry.as_deref(), input.source_of(&expected.file).1.as_deref());
        assert!(locator.json_path.as_deref().unwrap().starts_with("$["));
        assert!(locator.json_path.as_deref().unwrap().contains("].dmConversation.messages["));
        let bytes = archive.file(&expected.file).unwrap();
        let start = locator.offset as usize;
        let slice = &bytes[start..start + locator.length as usize];
        let value: serde_json::Value = serde_json::from_slice(slice).unwrap();
        let object = value.as_object().unwrap();
        assert_eq!(object.len(), 1);
        let (_, body) = object.iter().next().unwrap();
        match &record.native_id {
            Some(id) if record.is_message() => assert_eq!(body["id"], id.as_str()),
            _ => assert_eq!(body["createdAt"], record.sent_at.original.as_str()),
        }
    }
}

fn all(archive: &Archive) -> Vec<&Expected> {
    archive.truth.iter().collect()
}

#[test]
fn zip_archive_matches_ground_truth() {
    let archive = big();
    assert!(archive.messages().count() >= 10_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.zip");
    archive.write_zip(&path).unwrap();
    let input = Input::open(&path).unwrap();
    assert_eq!(Twitter.sniff(&input), Confidence::Certain);
    assert_eq!(detect(&input).unwrap().name(), "twitter");
    let sink = read(&path).unwrap();
    check_truth(archive, &all(archive), &sink, true);
    check_locators(archive, &all(archive), &sink, &input);
    let first = &sink.records[0].locator;
    assert_eq!(first.entry.as_deref(), Some(archive.dm_files[0].as_str()));
}

#[test]
fn folder_archive_matches_ground_truth() {
    let archive = big();
    let dir = tempfile::tempdir().unwrap();
    archive.write_dir(dir.path()).unwrap();
    let input = Input::open(dir.path()).unwrap();
    // A folder is claimed only when the archive starts at its root; one that
    // wraps it is walked by ingest, which then finds the root.
    assert_eq!(Twitter.sniff(&input), Confidence::No);
    assert_eq!(Twitter.sniff(&Input::open(&dir.path().join(TOP)).unwrap()), Confidence::Certain);
    let sink = read(dir.path()).unwrap();
    check_truth(archive, &all(archive), &sink, true);
    check_locators(archive, &all(archive), &sink, &input);
}

#[test]
fn split_chunk_duplicates_are_read_once() {
    let archive = big();
    let copies: usize = archive
        .dm_files
        .iter()
        .map(|f| {
            let text = std::str::from_utf8(archive.file(f).unwrap()).unwrap();
            text.matches("\"messageCreate\"").count()
        })
        .sum();
    let messages = archive.messages().count();
    assert!(
        copies > messages + 300,
        "the archive repeats messages ({copies} copies of {messages})"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.zip");
    archive.write_zip(&path).unwrap();
    let sink = read(&path).unwrap();
    let read_ids: HashSet<&str> = sink
        .records
        .iter()
        .filter(|r| r.is_message())
        .filter_map(|r| r.native_id.as_deref())
        .collect();
    assert_eq!(read_ids.len(), messages);
    assert_eq!(sink.records.iter().filter(|r| r.is_message()).count(), messages);
    assert!(sink.skips.is_empty());
}

#[test]
fn double_escaped_entities_decode_once() {
    let archive = Builder::new(7).group_messages(50).build();
    let dir = tempfile::tempdir().unwrap();
    archive.write_dir(dir.path()).unwrap();
    let sink = read(dir.path()).unwrap();
    let id = &archive.double_escaped[0];
    let raw = std::str::from_utf8(archive.file("data/direct-messages-group.js").unwrap()).unwrap();
    assert!(raw.contains("&amp;lt;3"));
    let record = sink.records.iter().find(|r| r.native_id.as_ref() == Some(id)).unwrap();
    let truth = archive.messages().find(|m| m.id.as_ref() == Some(id)).unwrap();
    assert_eq!(record.text, truth.text);
    // Typed literally, so stored as `&amp;lt;3`: one decoding gives `&lt;3`.
    assert!(
        record.text.starts_with("she typed &lt;3 and &amp;amp; literally, not <3 & co"),
        "{}",
        record.text
    );
}

#[test]
fn snowflakes_expose_the_tampered_timestamp() {
    let archive = big();
    let dir = tempfile::tempdir().unwrap();
    archive.write_dir(dir.path()).unwrap();
    let sink = read(dir.path()).unwrap();
    let off: Vec<&str> = sink
        .records
        .iter()
        .filter(|r| r.is_message())
        .filter(|r| {
            let id = r.native_id.as_deref().unwrap();
            snowflake_ms(id).is_some_and(|ms| (r.sent_at.utc_ms - ms).abs() > 2000)
        })
        .map(|r| r.native_id.as_deref().unwrap())
        .collect();
    assert_eq!(off, vec![archive.tampered.as_deref().unwrap()]);
}

#[test]
fn without_manifest_files_are_found_by_name() {
    let archive = Builder::new(11)
        .groups(2)
        .group_messages(1500)
        .chunk_size(400)
        .group_parts(3)
        .manifest(false)
        .top_folder("x")
        .build();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.zip");
    archive.write_zip(&path).unwrap();
    let input = Input::open(&path).unwrap();
    assert_eq!(Twitter.sniff(&input), Confidence::Certain);
    let sink = read(&path).unwrap();
    check_truth(&archive, &all(&archive), &sink, true);
    check_locators(&archive, &all(&archive), &sink, &input);
}

#[test]
fn wrapper_variants() {
    for builder in [
        Builder::new(3).groups(2).first_element_on_assignment_line(true),
        Builder::new(3).groups(2).trailing_semicolon(true),
        Builder::new(3).groups(2).first_element_on_assignment_line(true).trailing_semicolon(true),
        Builder::new(3).groups(2).pretty(false),
        Builder::new(3)
            .groups(2)
            .pretty(false)
            .first_element_on_assignment_line(true)
            .trailing_semicolon(true),
    ] {
        let archive = builder.group_messages(400).chunk_size(100).chunk_overlap(10).build();
        let group = archive.file("data/direct-messages-group.js").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        archive.write_zip(&path).unwrap();
        let sink = read(&path)
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&group[..200])));
        check_truth(&archive, &all(&archive), &sink, true);
        check_locators(&archive, &all(&archive), &sink, &Input::open(&path).unwrap());
    }
}

/// Writes `content` as a bare file called `name` in a fresh folder.
fn single_file(name: &str, content: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

#[test]
fn single_dm_file() {
    let archive = Builder::new(5).groups(3).group_messages(900).chunk_size(200).build();
    let (_dir, path) = single_file(
        "direct-messages-group.js",
        archive.file("data/direct-messages-group.js").unwrap(),
    );
    let input = Input::open(&path).unwrap();
    assert_eq!(Twitter.sniff(&input), Confidence::Certain);
    let sink = read(&path).unwrap();
    let truth: Vec<&Expected> =
        archive.truth.iter().filter(|e| e.file == "data/direct-messages-group.js").collect();
    // A bare file has no account.js: the owner is unknown.
    check_truth(&archive, &truth, &sink, false);
    assert!(sink.accounts.is_empty());
    for record in &sink.records {
        assert_eq!(record.locator.entry, None);
    }
}

#[test]
fn empty_dm_file() {
    let (_dir, path) =
        single_file("direct-messages-group.js", b"window.YTD.direct_messages_group.part0 = [ ]");
    assert_eq!(Twitter.sniff(&Input::open(&path).unwrap()), Confidence::Certain);
    let sink = read(&path).unwrap();
    assert!(sink.records.is_empty() && sink.skips.is_empty());

    let archive =
        Builder::new(1).groups(0).group_messages(0).one_to_one(0).direct_messages(0).build();
    let dir = tempfile::tempdir().unwrap();
    archive.write_dir(dir.path()).unwrap();
    let sink = read(dir.path()).unwrap();
    assert!(sink.records.is_empty() && sink.skips.is_empty());
    assert_eq!(sink.accounts.len(), 1);
}

#[test]
fn sniff_says_no_to_other_input() {
    let (_a, csv) = single_file("chat.csv", b"time,sender,text\n");
    assert_eq!(Twitter.sniff(&Input::open(&csv).unwrap()), Confidence::No);
    let (_b, js) = single_file("direct-messages.js", b"var x = [1, 2]");
    assert_eq!(Twitter.sniff(&Input::open(&js).unwrap()), Confidence::No);
    let (_c, tweets) = single_file("tweets.js", b"window.YTD.tweets.part0 = []");
    assert_eq!(Twitter.sniff(&Input::open(&tweets).unwrap()), Confidence::No);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/manifest.js"), b"{}").unwrap();
    assert_eq!(Twitter.sniff(&Input::open(dir.path()).unwrap()), Confidence::No);
}

#[test]
fn a_stopping_sink_stops_the_reader() {
    struct Stopper(usize, u64);
    impl Sink for Stopper {
        fn record(&mut self, _: Record) -> Result<(), Stop> {
            self.0 += 1;
            if self.0 == 10 { Err(Stop("interrupted".into())) } else { Ok(()) }
        }
        fn skip(&mut self, _: Skip) {}
        fn progress(&mut self, bytes: u64) {
            self.1 = self.1.max(bytes);
        }
    }
    let archive = Builder::new(9).group_messages(100).build();
    let dir = tempfile::tempdir().unwrap();
    archive.write_dir(dir.path()).unwrap();
    let input = Input::open(dir.path()).unwrap();
    let mut sink = Stopper(0, 0);
    let err = Twitter.read(&input, &ReadOptions::default(), &mut sink).unwrap_err();
    assert!(matches!(err, ReadError::Stopped(ref why) if why == "interrupted"), "{err}");
    assert_eq!(sink.0, 10);
}

#[test]
fn progress_is_reported() {
    struct Progress(Vec<u64>);
    impl Sink for Progress {
        fn record(&mut self, _: Record) -> Result<(), Stop> {
            Ok(())
        }
        fn skip(&mut self, _: Skip) {}
        fn progress(&mut self, bytes: u64) {
            self.0.push(bytes);
        }
    }
    let archive = Builder::new(9).group_messages(300).build();
    let (_dir, path) = single_file(
        "direct-messages-group.js",
        archive.file("data/direct-messages-group.js").unwrap(),
    );
    let mut sink = Progress(Vec::new());
    Twitter.read(&Input::open(&path).unwrap(), &ReadOptions::default(), &mut sink).unwrap();
    let size = archive.file("data/direct-messages-group.js").unwrap().len() as u64;
    assert_eq!(sink.0.last().copied(), Some(size));
}

#[test]
fn manifest_listing_a_missing_file_is_a_skip() {
    let mut archive = Builder::new(13).group_messages(200).group_parts(2).chunk_size(50).build();
    archive.remove_file("data/direct-messages-group-part1.js");
    let dir = tempfile::tempdir().unwrap();
    archive.write_dir(dir.path()).unwrap();
    let sink = read(dir.path()).unwrap();
    assert_eq!(sink.skips.len(), 1);
    assert!(
        sink.skips[0].file.ends_with("data/direct-messages-group-part1.js"),
        "{:?}",
        sink.skips
    );
    assert!(sink.skips[0].reason.contains("lacks"));
    assert!(!sink.records.is_empty());
}

#[test]
fn repeated_message_with_different_content_is_reported() {
    let dm = r#"window.YTD.direct_messages.part0 = [
  { "dmConversation" : { "conversationId" : "1-2", "messages" : [
    { "messageCreate" : { "text" : "second copy, edited", "senderId" : "1", "id" : "900000000000000000", "createdAt" : "2017-01-01T00:00:00.000Z" } },
    { "messageCreate" : { "text" : "hello", "senderId" : "2", "id" : "800000000000000000", "createdAt" : "2016-01-01T00:00:00.000Z" } }
  ] } },
  { "dmConversation" : { "conversationId" : "1-2", "messages" : [
    { "messageCreate" : { "text" : "hello", "senderId" : "2", "id" : "800000000000000000", "createdAt" : "2016-01-01T00:00:00.000Z" } },
    { "messageCreate" : { "text" : "original", "senderId" : "1", "id" : "900000000000000000", "createdAt" : "2017-01-01T00:00:00.000Z" } }
  ] } }
]"#;
    let (_dir, path) = single_file("direct-messages.js", dm.as_bytes());
    let sink = read(&path).unwrap();
    assert_eq!(sink.records.len(), 2);
    assert_eq!(sink.skips.len(), 1, "{:?}", sink.skips);
    let skip = &sink.skips[0];
    assert!(
        skip.reason.contains("900000000000000000") && skip.reason.contains("different content")
    );
    assert_eq!(&dm.as_bytes()[skip.offset as usize..skip.offset as usize + 1], b"{");
    assert!(
        dm[skip.offset as usize..].starts_with("{ \"messageCreate\" : { \"text\" : \"original\"")
    );
}

#[test]
fn bad_messages_are_skipped_with_offsets() {
    let dm = r#"window.YTD.direct_messages_group.part0 = [ {
  "dmConversation" : { "conversationId" : "740503092278366208", "messages" : [
    { "messageCreate" : { "text" : "fine", "senderId" : "1", "id" : "900000000000000001", "createdAt" : "2017-01-01T00:00:00.000Z" } },
    { "messageCreate" : { "text" : "no time", "senderId" : "1", "id" : "900000000000000002", "createdAt" : "last tuesday" } },
    { "messageCreate" : { "text" : 5, "senderId" : "1", "id" : "900000000000000003", "createdAt" : "2017-01-01T00:00:00.000Z" } },
    { "messageCreate" : { "senderId" : "1" }, "participantsLeave" : { } },
    "a string",
    { "participantsLeave" : { "userIds" : [ "4" ], "createdAt" : "2017-01-02T00:00:00.000Z" } }
  ] } },
  { "somethingElse" : { } },
  { "dmConversation" : { "conversationId" : "1", "messages" : [ { "messageCreate" : { "id" : "1" "x" } } ] } },
  NESTING
]"#;
    let nesting = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let dm = dm.replace("NESTING", &nesting);
    let (_dir, path) = single_file("direct-messages-group.js", dm.as_bytes());
    let sink = read(&path).unwrap();
    // A text that is not text costs the text, with a notice; the message
    // keeps its JSON.
    assert_eq!(sink.records.len(), 3, "{:?}", sink.records);
    let numeric = &sink.records[1];
    assert_eq!((numeric.text.as_str(), numeric.raw.is_some()), ("", true));
    assert_eq!(sink.notices.len(), 1, "{:#?}", sink.notices);
    assert!(sink.notices[0].reason.contains("`text`"), "{:#?}", sink.notices);
    let reasons: Vec<(&str, u64)> =
        sink.skips.iter().map(|s| (s.reason.as_str(), s.offset)).collect();
    assert_eq!(sink.skips.len(), 6, "{reasons:#?}");
    for skip in &sink.skips {
        assert_eq!(skip.file, path.display().to_string());
        assert!((skip.offset as usize) < dm.len());
    }
    let at = |needle: &str| dm.find(needle).unwrap() as u64;
    assert_eq!(sink.skips[0].offset, at("{ \"messageCreate\" : { \"text\" : \"no time\""));
    assert!(sink.skips[0].reason.contains("last tuesday"));
    assert!(sink.skips[0].reason.starts_with("$[0].dmConversation.messages[1]"));
    assert_eq!(sink.notices[0].offset, at("{ \"messageCreate\" : { \"text\" : 5"));
    assert!(sink.skips[1].reason.contains("keys"));
    assert_eq!(sink.skips[2].offset, at("\"a string\""));
    assert_eq!(sink.skips[3].offset, at("{ \"somethingElse\""));
    assert!(sink.skips[3].reason.contains("no dmConversation"));
    // Syntax error inside an element: the offset points near the bad token.
    let bad = at("\"x\" } }") as i64;
    assert!((sink.skips[4].offset as i64 - bad).abs() <= 2, "{} vs {bad}", sink.skips[4].offset);
    let nested_at = at(&nesting);
    assert!((nested_at..nested_at + 400).contains(&sink.skips[5].offset), "{:?}", sink.skips[5]);
}

#[test]
fn truncated_zip_is_an_error_naming_the_file() {
    let archive = Builder::new(17).group_messages(2000).build();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("truncated.zip");
    archive.write_zip(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let err = read(&path).unwrap_err();
    assert!(err.to_string().contains("truncated.zip"), "{err}");
}

#[test]
fn corrupt_zip_member_is_an_error_with_offset() {
    let archive = Builder::new(17).group_messages(3000).media(false).headers(false).build();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.zip");
    archive.write_zip(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // The group file is the bulk of the zip: its data fills the middle.
    let at = bytes.len() / 2;
    for b in &mut bytes[at..at + 64] {
        *b ^= 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = read(&path).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("corrupt.zip!data/direct-messages-group.js"), "{shown}");
    assert!(shown.contains("at byte"), "{shown}");
}

#[test]
fn invalid_json_is_an_error_naming_file_and_offset() {
    let cases: &[(&[u8], u64, &str)] = &[
        (
            b"window.YTD.direct_messages_group.part0 = [ {\"dmConversation\": {\"messages\": [}} ]",
            76,
            "mismatched",
        ),
        (b"window.YTD.direct_messages_group.part0 = {\"not\": \"an array\"}", 41, "JSON array"),
        (b"window.YTD.direct_messages_group.part0 = hello", 41, "JSON array"),
        (b"window.YTD.direct_messages_group.part0 = [ {\"dmConversation\": {", 43, "truncated"),
        (b"window.YTD.direct_messages_group.part0 = [ {}, ", 47, "truncated"),
        (b"window.YTD.direct_messages_group.part0 = [ ] trailing", 45, "after the end"),
        (b"window.YTD.direct_messages_group.part0 ", 0, "before its `=`"),
        (b"", 0, "empty"),
    ];
    for (content, offset, needle) in cases {
        let (_dir, path) = single_file("direct-messages-group.js", content);
        let err = read(&path).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("direct-messages-group.js"), "{shown}");
        assert!(shown.contains(needle), "{shown} lacks {needle}");
        assert_eq!(offset_of(&err), Some(*offset), "{shown}");
        assert!(shown.contains(&format!("at byte {offset}")), "{shown}");
    }
}

#[test]
fn binary_garbage_is_an_error() {
    let mut rng = trove_testkit::Rng::new(99);
    let garbage: Vec<u8> = (0..100_000).map(|_| rng.next_u32() as u8).collect();
    let (_dir, path) = single_file("direct-messages.js", &garbage);
    assert_eq!(Twitter.sniff(&Input::open(&path).unwrap()), Confidence::No);
    let err = read(&path).unwrap_err();
    assert!(err.to_string().contains("direct-messages.js"), "{err}");
    assert!(offset_of(&err).is_some(), "{err}");

    // Garbage inside a real archive's DM file.
    let mut archive = Builder::new(4).group_messages(100).build();
    archive.set_file("data/direct-messages-group.js", garbage);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("a.zip");
    archive.write_zip(&zip).unwrap();
    let err = read(&zip).unwrap_err();
    assert!(err.to_string().contains("a.zip!data/direct-messages-group.js: at byte 0"), "{err}");
}

#[test]
fn hundred_megabyte_line() {
    // One line, no newline, with a single 100 MB message text.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("direct-messages-group.js");
    let head = br#"window.YTD.direct_messages_group.part0 = [{"dmConversation":{"conversationId":"1","messages":[{"messageCreate":{"senderId":"2","id":"900000000000000000","createdAt":"2017-01-01T00:00:00.000Z","text":""#;
    let tail = br#""}}]}}]"#;
    let text_len = 100 << 20;
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        file.write_all(head).unwrap();
        let block = vec![b'a'; 1 << 20];
        for _ in 0..text_len >> 20 {
            file.write_all(&block).unwrap();
        }
        file.write_all(tail).unwrap();
    }
    // Over the default 64 MiB record limit: an error at the message's start
    // (the conversation around it is within its own, larger limit).
    let err = read(&path).unwrap_err();
    let message = head.windows(17).position(|w| w == br#"{"messageCreate":"#).unwrap() as u64;
    assert_eq!(offset_of(&err), Some(message), "{err}");
    assert!(err.to_string().contains("larger than the limit"), "{err}");
    assert!(err.to_string().contains("max_record_bytes"), "{err}");
    assert!(err.to_string().contains("messages[0]"), "{err}");

    // With the limit raised, it is just a long message.
    let options = ReadOptions { max_record_bytes: 128 << 20, ..ReadOptions::default() };
    let sink = read_with(&path, &options).unwrap();
    assert_eq!(sink.records.len(), 1);
    assert_eq!(sink.records[0].text.len(), text_len);
}

#[test]
fn a_conversation_is_limited_as_a_whole_and_each_message_as_a_record() {
    // A group DM far larger than the record limit, of ordinary messages.
    let archive = Builder::new(23).group_messages(2_000).groups(1).media(false).build();
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("big-group.zip");
    archive.write_zip(&zip).unwrap();
    let record_limit = ReadOptions { max_record_bytes: 16 * 1024, ..ReadOptions::default() };
    let sink = read_with(&zip, &record_limit).unwrap();
    let messages = sink.records.iter().filter(|r| r.kind == RecordKind::Message).count();
    assert_eq!(messages, archive.messages().count(), "every message is read");
    assert!(messages >= 2_000);

    // The conversation over its own limit: one error naming that option.
    let both = ReadOptions { max_conversation_bytes: 64 * 1024, ..record_limit };
    let err = read_with(&zip, &both).unwrap_err();
    assert!(err.to_string().contains("max_conversation_bytes"), "{err}");
    assert!(err.to_string().contains("direct-messages-group.js"), "{err}");
}

#[test]
fn deep_nesting_never_overflows() {
    let depth = 10_000;
    let prefix = b"window.YTD.direct_messages_group.part0 = ";
    // Closed: the element is read, and rejected by the JSON parser's depth limit.
    let mut closed = prefix.to_vec();
    closed.push(b'[');
    closed.extend(std::iter::repeat_n(b'[', depth));
    closed.extend(std::iter::repeat_n(b']', depth));
    closed.push(b']');
    let (_a, path) = single_file("direct-messages-group.js", &closed);
    let sink = read(&path).unwrap();
    assert_eq!(sink.skips.len(), 1);
    let element = prefix.len() as u64 + 1;
    assert!(
        (element..element + 2 * depth as u64).contains(&sink.skips[0].offset),
        "{:?}",
        sink.skips
    );

    // Nested inside a conversation's messages.
    let mut inner = b"window.YTD.direct_messages_group.part0 = [{\"dmConversation\":{\"conversationId\":\"1\",\"messages\":".to_vec();
    inner.extend(std::iter::repeat_n(b'[', depth));
    inner.extend(std::iter::repeat_n(b']', depth));
    inner.extend_from_slice(b"}}]");
    let (_b, path) = single_file("direct-messages-group.js", &inner);
    let sink = read(&path).unwrap();
    assert_eq!(sink.skips.len(), 1);

    // Never closed: a truncation error with the element's offset.
    let mut open = prefix.to_vec();
    open.extend(std::iter::repeat_n(b'[', depth));
    let (_c, path) = single_file("direct-messages-group.js", &open);
    let err = read(&path).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    assert_eq!(offset_of(&err), Some(prefix.len() as u64 + 1));
}

#[test]
fn zip_entry_escaping_the_archive_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.zip");
    let entries: [(&str, &[u8]); 2] = [
        ("data/direct-messages-group.js", b"window.YTD.direct_messages_group.part0 = [ ]"),
        ("../../x", b"boom"),
    ];
    trove_testkit::zipfile::write_zip(&path, &entries).unwrap();
    let err = Input::open(&path).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("evil.zip"), "{shown}");
    assert!(shown.contains("`../../x` escapes the archive"), "{shown}");
    assert!(offset_of(&err).is_some(), "{shown}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_after_the_prefix_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..400),
        structured in "[\\[\\]{}\",:a-z0-9 \\\\]{0,200}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        for tail in [body.as_slice(), structured.as_bytes()] {
            let mut content = b"window.YTD.direct_messages_group.part0 = ".to_vec();
            content.extend_from_slice(tail);
            let path = dir.path().join("direct-messages-group.js");
            std::fs::write(&path, &content).unwrap();
            let input = Input::open(&path).unwrap();
            let _ = Twitter.sniff(&input);
            let mut sink = VecSink::default();
            if let Err(e) = Twitter.read(&input, &ReadOptions::default(), &mut sink) {
                prop_assert!(e.to_string().contains("direct-messages-group.js"));
            }
        }
    }
}

#[test]
fn broken_manifest_falls_back_to_file_names() {
    let mut archive = Builder::new(21).groups(2).group_messages(300).chunk_size(100).build();
    archive.set_file("data/manifest.js", b"window.__THAR_CONFIG = { \"userInfo\" : [ } }".to_vec());
    let dir = tempfile::tempdir().unwrap();
    archive.write_dir(dir.path()).unwrap();
    let mut sink = read(dir.path()).unwrap();
    assert_eq!(sink.skips.len(), 1, "{:?}", sink.skips);
    let skip = sink.skips.remove(0);
    assert!(skip.file.ends_with("data/manifest.js"), "{skip:?}");
    assert!(skip.reason.contains("found by name instead"), "{skip:?}");
    assert_eq!(skip.offset, 40, "{skip:?}");
    check_truth(&archive, &all(&archive), &sink, true);
}

#[test]
fn folder_without_dm_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/tweets.js"), b"window.YTD.tweets.part0 = [ ]").unwrap();
    let err = read(dir.path()).unwrap_err();
    assert!(err.to_string().contains("no Twitter direct message files"), "{err}");
    assert!(err.to_string().contains(&dir.path().display().to_string()), "{err}");
}

/// A `direct-messages.js` with a BOM and CRLF line ends whose messages are
/// a genuine `messageCreate` (`n` = 1) and copies of it with one field of an
/// odd shape each (`rest` replaces the optional fields). Message `n` is sent
/// at second `n` by `2` with id `9000000000000000nn`.
fn odd_shapes_dm(dir: &tempfile::TempDir, messages: &[(u32, String)]) -> PathBuf {
    let docs: Vec<String> = messages
        .iter()
        .map(|(n, rest)| {
            format!(
                "    {{ \"messageCreate\" : {{ \"senderId\" : \"2\", \"id\" : \"9000000000000000{n:02}\",\r\n      \"createdAt\" : \"2021-03-01T10:00:{n:02}.000Z\", {rest} }} }}"
            )
        })
        .collect();
    let body = format!(
        "\u{feff}window.YTD.direct_messages.part0 = [ {{\r\n  \"dmConversation\" : {{\r\n    \"conversationId\" : \"1-2\",\r\n    \"messages\" : [\r\n{}\r\n    ]\r\n  }}\r\n}} ]\r\n",
        docs.join(",\r\n")
    );
    let path = dir.path().join("direct-messages.js");
    std::fs::write(&path, body).unwrap();
    path
}

const GENUINE_TWEET_DM: &str = r#""text" : "genuine https://t.co/x",
      "mediaUrls" : [ "https://ton.twitter.com/dm/900000000000000001/1/a.jpg" ],
      "urls" : [ { "url" : "https://t.co/x", "expanded" : "https://example.org/", "display" : "example.org" } ],
      "reactions" : [ { "senderId" : "1", "reactionKey" : "like", "eventId" : "77", "createdAt" : "2021-03-01T10:01:00.000Z" } ]"#;

#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let shapes: Vec<(u32, String)> = vec![
        (1, GENUINE_TWEET_DM.to_string()),
        (2, r#""text" : "b", "reactions" : null"#.into()),
        (3, r#""text" : "c", "urls" : null"#.into()),
        (4, r#""text" : "d", "mediaUrls" : null"#.into()),
        (5, r#""text" : null"#.into()),
        (6, r#""text" : "f", "urls" : [ ], "mediaUrls" : [ ], "reactions" : [ ]"#.into()),
        (7, r#""text" : "‏שלום\u200b e\u0301 🙂""#.into()),
        (8, format!(r#""text" : "{long}""#)),
        (9, r#""text" : "it&#39;s &amp;lt;3""#.into()),
        (10, r#""text" : "j", "urls" : [ { "url" : "https://t.co/j" } ]"#.into()),
        (11, "\"text\" : \"line one\\r\\nline two\"".into()),
    ];
    let path = odd_shapes_dm(&dir, &shapes);
    let sink = read(&path).unwrap();
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    let ids: Vec<&str> = sink
        .records
        .iter()
        .map(|r| r.native_id.as_deref().unwrap().trim_start_matches("9000000000000000"))
        .collect();
    let all: Vec<String> = (1..=11).map(|n| format!("{n:02}")).collect();
    assert_eq!(ids, all, "every message is kept");
    for (record, second) in sink.records.iter().zip(1..) {
        assert!(record.is_message());
        assert_eq!(record.sender.as_ref().map(|s| &*s.native_id), Some("2"));
        assert_eq!(record.sent_at.utc_ms, 1_614_592_800_000 + second * 1000);
        assert_eq!(&*record.conversation.native_id, "1-2");
    }
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "genuine https://t.co/x",
            "b",
            "c",
            "d",
            "",
            "f",
            "\u{200f}שלום\u{200b} e\u{301} 🙂",
            long.as_str(),
            "it's &lt;3",
            "j",
            "line one\r\nline two",
        ]
    );
    let genuine = &sink.records[0];
    assert_eq!((genuine.attachments.len(), genuine.urls.len(), genuine.reactions.len()), (1, 1, 1));
    assert_eq!(genuine.reactions[0].key, "like");
    assert_eq!(genuine.urls[0].expanded.as_deref(), Some("https://example.org/"));
    // `urls: [{"url"}]` without `expanded` keeps the short link.
    let j = &sink.records[9];
    assert_eq!(
        (j.urls.len(), j.urls[0].url.as_str(), j.urls[0].expanded.as_deref()),
        (1, "https://t.co/j", None)
    );
    // A null list is an empty one: nothing is lost, nothing to report.
    assert!(
        sink.records[1..9]
            .iter()
            .all(|r| r.attachments.is_empty() && r.urls.is_empty() && r.reactions.is_empty())
    );
    assert!(
        sink.notices.iter().all(|n| n.kind != trove_readers::NoticeKind::FieldDropped),
        "{:#?}",
        sink.notices
    );
    let bytes = std::fs::read(&path).unwrap();
    for record in &sink.records {
        let start = record.locator.offset as usize;
        let slice = &bytes[start..start + record.locator.length as usize];
        let value: serde_json::Value = serde_json::from_slice(slice).unwrap();
        assert_eq!(value["messageCreate"]["id"], record.native_id.as_deref().unwrap());
    }
}

/// Each optional field of an odd shape should cost that field, with a
/// `FieldDropped` notice or the message's JSON in `raw`, never the message.
#[test]
fn odd_shaped_optional_fields_keep_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let shapes: Vec<(u32, String)> = vec![
        (1, GENUINE_TWEET_DM.to_string()),
        (2, r#""text" : "b", "reactions" : { }"#.into()),
        (3, r#""text" : "c", "urls" : { "url" : "https://t.co/c" }"#.into()),
        (4, r#""text" : "d", "mediaUrls" : "https://ton.twitter.com/dm/4/1/d.jpg""#.into()),
        (5, r#""text" : "e", "mediaUrls" : [ 5 ]"#.into()),
        (6, r#""text" : "f", "urls" : [ { "url" : 6 } ]"#.into()),
        (7, r#""text" : "g", "urls" : [ { "url" : "https://t.co/g", "expanded" : [ ] } ]"#.into()),
        (8, r#""text" : "h", "reactions" : [ { } ]"#.into()),
        (9, r#""text" : "i", "reactions" : [ { "senderId" : "1", "reactionKey" : { "emoji" : "x" } } ]"#.into()),
        (10, r#""text" : "j", "reactions" : [ { "senderId" : "1", "reactionKey" : "like", "createdAt" : 10 } ]"#.into()),
        (11, r#""text" : "k", "reactions" : [ { "senderId" : "1", "reactionKey" : "like", "createdAt" : "yesterday" } ]"#.into()),
        (12, r#""text" : 12"#.into()),
        (13, r#""text" : { "full" : "m" }"#.into()),
    ];
    let path = odd_shapes_dm(&dir, &shapes);
    let sink = read(&path).unwrap();
    let ids: Vec<&str> = sink
        .records
        .iter()
        .map(|r| r.native_id.as_deref().unwrap().trim_start_matches("9000000000000000"))
        .collect();
    let all: Vec<String> = (1..=13).map(|n| format!("{n:02}")).collect();
    assert_eq!(ids, all, "every message is kept: {:#?}", sink.skips);
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    for (record, second) in sink.records.iter().zip(1..) {
        assert_eq!(record.sender.as_ref().map(|s| &*s.native_id), Some("2"));
        assert_eq!(record.sent_at.utc_ms, 1_614_592_800_000 + second * 1000);
    }
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(&texts[1..11], ["b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]);
    // A text that is not a string is no text, but it is never lost silently.
    assert!(texts[11].is_empty() || texts[11] == "12");
    // The genuine message has nothing to report; every other one keeps its
    // JSON or has a `FieldDropped` notice at its offset.
    let silent: Vec<&str> = sink.records[1..]
        .iter()
        .filter(|r| {
            r.raw.is_none()
                && !sink.notices.iter().any(|n| {
                    n.kind == trove_readers::NoticeKind::FieldDropped
                        && n.offset == r.locator.offset
                })
        })
        .map(|r| r.native_id.as_deref().unwrap())
        .collect();
    assert_eq!(silent, Vec::<&str>::new());
    assert!(sink.records[0].raw.is_none());
}
