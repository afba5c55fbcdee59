//! The WhatsApp "Export chat" reader, end to end.
//!
//! Fixtures in `tests/inputs/whatsapp/`:
//! * `pustur-whatsapp-chat-parser-website/` (MIT, see its LICENSE): a real
//!   iOS export zip with media, its `_chat.txt`, and the older example that
//!   is zipped inside it.
//! * `joweich-chat-miner/` (MIT, see its LICENSE): one chat in five header
//!   styles and chat-miner's expected parse, `target.json`.
//! * `handmade/`: written for these tests, one per gotcha of the spec.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::timefmt::{self, DateOrder};
use trove_readers::whatsapp::WhatsApp;
use trove_readers::{Confidence, Format, Input, ReadError, ReadOptions, VecSink};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/whatsapp").join(path)
}

const PUSTUR: &str = "pustur-whatsapp-chat-parser-website";
const MINER: &str = "joweich-chat-miner";

fn read(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    WhatsApp.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn read_ok(path: &Path, options: &ReadOptions) -> VecSink {
    read(path, options).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sniff(path: &Path) -> Confidence {
    WhatsApp.sniff(&Input::open(path).unwrap())
}

fn zone(name: &str) -> ReadOptions {
    ReadOptions {
        tz: Some(timefmt::parse_zone(name).unwrap()),
        tz_name: Some(name.to_string()),
        ..ReadOptions::default()
    }
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn sender(record: &Record) -> Option<&str> {
    record.sender.as_ref().map(|a| &*a.native_id)
}

fn targets(record: &Record) -> Vec<&str> {
    record.targets.iter().map(|t| &*t.native_id).collect()
}

fn other(code: &str) -> RecordKind {
    RecordKind::Event(EventKind::Other(code.to_string()))
}

fn raw(record: &Record) -> serde_json::Value {
    record.raw.as_deref().map_or(serde_json::Value::Null, |r| serde_json::from_str(r).unwrap())
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every locator points at its record: the slice starts with a header
/// whose time text is `original`, and ends with the record's text (for
/// messages without an edit marker) after CRLF is made LF.
fn check_locators(source: &[u8], records: &[Record]) {
    let mut last_line = 0;
    for record in records {
        let loc = &record.locator;
        let start = loc.offset as usize;
        let slice = &source[start..start + loc.length as usize];
        let text = String::from_utf8_lossy(slice).replace("\r\n", "\n");
        let head = text.split('\n').next().unwrap();
        assert!(head.contains(&record.sent_at.original), "{head:?} vs {record:?}");
        if record.raw.as_deref().is_none_or(|r| !r.contains("edited_marker")) {
            assert!(text.trim_end().ends_with(record.text.trim_end()), "{text:?} vs {record:?}");
        }
        // The slice starts at a line start, and `line` counts to it.
        assert!(start == 0 || source[start - 1] == b'\n' || start == 3);
        let line = source[..start].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        assert_eq!(loc.line, Some(line));
        assert!(line > last_line);
        last_line = line;
        // No trailing terminator or blank line in the slice.
        assert!(!text.ends_with('\n') && !text.ends_with('\r'), "{text:?}");
    }
}

// ---------------------------------------------------------------------------
// The real iOS export (Pustur's demo chat)

#[test]
fn pustur_ios_chat_txt() {
    let path = fixture(&format!("{PUSTUR}/_chat.txt"));
    let source = std::fs::read(&path).unwrap();
    let sink = read_ok(&path, &zone("Europe/Zurich"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert_eq!(sink.records.len(), 52);
    check_locators(&source, &sink.records);
    let r = &sink.records;

    // A bare `_chat.txt` is named after the folder it sits in.
    for record in r {
        assert_eq!(record.platform, "whatsapp");
        assert_eq!(&*record.conversation.native_id, PUSTUR);
        assert_eq!(record.locator.entry, None);
        assert_eq!(record.sent_at.basis, TimeBasis::AssertedZone);
        assert_eq!(record.sent_at.zone.as_deref(), Some("Europe/Zurich"));
        assert_eq!(record.native_id, None);
    }
    assert_eq!(r.iter().filter(|r| r.is_message()).count(), 48);

    assert_eq!(r[0].kind, other("encryption_notice"));
    assert_eq!(r[0].text, "Messages to this group are now secured with end-to-end encryption.");
    assert_eq!(r[0].sender, None);
    assert_eq!(r[0].sent_at.utc_ms, ms("2019-06-20T13:58:47Z"));
    assert_eq!(r[0].sent_at.original, "20.06.19, 15:58:47");
    assert_eq!((r[0].locator.offset, r[0].locator.line), (0, Some(1)));
    assert_eq!(r[1].kind, other("group_created"));
    assert_eq!(sender(&r[1]), Some("Loris"));
    assert_eq!(r[1].conversation.name.as_deref(), Some("WhatsApp Chat Parser Example"));
    assert_eq!(r[1].text, "Loris created group \u{201c}WhatsApp Chat Parser Example\u{201d}");
    for (record, whom) in [(&r[2], "Emily"), (&r[3], "John")] {
        assert_eq!(record.kind, RecordKind::Event(EventKind::Join));
        assert_eq!(sender(record), Some("Loris"));
        assert_eq!(targets(record), vec![whom]);
    }

    assert!(r[4].is_message());
    assert_eq!(sender(&r[4]), Some("John"));
    assert_eq!(r[4].sender.as_ref().unwrap().display_name.as_deref(), Some("John"));
    assert_eq!(r[4].text, "Hey \u{1f44b}");
    assert_eq!(r[4].sent_at.utc_ms, ms("2019-06-20T13:58:53Z"));
    assert_eq!(r[4].raw, None);

    // Media markers: kind from the file name; no sizes for a bare file.
    let with_files: Vec<(&str, &str, Option<&str>, Option<u64>)> = r
        .iter()
        .flat_map(|r| r.attachments.iter())
        .map(|a| (a.name.as_str(), a.reference.as_str(), a.kind.as_deref(), a.size))
        .collect();
    assert_eq!(
        with_files,
        vec![
            (
                "00000001-PHOTO-2019-06-20-16-00-15.jpg",
                "00000001-PHOTO-2019-06-20-16-00-15.jpg",
                Some("image"),
                None
            ),
            (
                "00000002-VIDEO-2019-06-20-16-01-42.mp4",
                "00000002-VIDEO-2019-06-20-16-01-42.mp4",
                Some("video"),
                None
            ),
            (
                "00000003-AUDIO-2019-06-20-16-03-55.mp3",
                "00000003-AUDIO-2019-06-20-16-03-55.mp3",
                Some("audio"),
                None
            ),
            (
                "00000004-whatsapp-chat-parser-example.zip",
                "00000004-whatsapp-chat-parser-example.zip",
                Some("document"),
                None
            ),
        ]
    );
    let photo = r.iter().find(|r| !r.attachments.is_empty()).unwrap();
    assert_eq!(photo.text, "<attached: 00000001-PHOTO-2019-06-20-16-00-15.jpg>");
    assert_eq!(photo.sent_at.utc_ms, ms("2019-06-20T14:00:15Z"));

    // Multi-line messages (CRLF) keep their lines, joined with LF.
    let emily = r.iter().find(|r| r.text.starts_with("Come on")).unwrap();
    assert_eq!(emily.text, "Come on...\ndon't be so mysterious and show us!");
    assert_eq!(sender(emily), Some("Emily"));
    assert_eq!(emily.locator.line, Some(24));

    // The hand-appended poll (LF lines inside a CRLF file).
    let poll = r.iter().find(|r| r.text.starts_with("POLL:")).unwrap();
    assert_eq!(sender(poll), Some("Loris"));
    assert_eq!(poll.text.lines().count(), 7);
    let votes: Vec<u64> = raw(poll)["poll"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes"].as_u64().unwrap())
        .collect();
    assert_eq!(votes, vec![2, 1, 2, 3, 3]);
    assert_eq!(raw(poll)["poll"]["question"], "When can we meet?");
    assert_eq!(raw(poll)["poll"]["options"][0]["text"], "Thursday 15 evening");

    // Links.
    let rick = r.iter().find(|r| r.text.contains("youtube")).unwrap();
    assert_eq!(rick.urls[0].url, "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
    let last = r.last().unwrap();
    assert_eq!(
        last.text,
        "Links:\n- https://github.com/Pustur/whatsapp-chat-parser\n- \
         https://github.com/Pustur/whatsapp-chat-parser-website"
    );
    assert_eq!(last.urls.len(), 2);
    assert_eq!(last.locator.offset + last.locator.length, source.len() as u64 - 2);

    // 20.06.19: a first number over 12 proves day-first, so no record
    // carries a date-order note; only the poll has raw data.
    assert!(r.iter().all(|r| r.raw.is_none() || r.text.starts_with("POLL:")));
    assert_eq!(sniff(&path), Confidence::Certain);
}

#[test]
fn pustur_zip_with_media_and_macosx() {
    let path = fixture(&format!("{PUSTUR}/whatsapp-chat-parser-example.zip"));
    assert_eq!(sniff(&path), Confidence::Certain);
    let sink = read_ok(&path, &zone("Europe/Zurich"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    // Only `_chat.txt`: neither `__MACOSX/.__chat.txt` nor the `_chat.txt`
    // inside the attached zip is read.
    assert_eq!(sink.records.len(), 52);
    let bare = read_ok(&fixture(&format!("{PUSTUR}/_chat.txt")), &zone("Europe/Zurich"));
    for (zipped, bare) in sink.records.iter().zip(&bare.records) {
        assert_eq!(zipped.locator.entry.as_deref(), Some("_chat.txt"));
        assert_eq!(zipped.locator.offset, bare.locator.offset);
        assert_eq!(zipped.locator.length, bare.locator.length);
        assert_eq!(
            (&zipped.text, &zipped.sent_at, &zipped.sender),
            (&bare.text, &bare.sent_at, &bare.sender)
        );
        assert_eq!(&*zipped.conversation.native_id, "whatsapp-chat-parser-example");
    }
    let files: Vec<(&str, &str, Option<u64>)> = sink
        .records
        .iter()
        .flat_map(|r| r.attachments.iter())
        .map(|a| (a.name.as_str(), a.reference.as_str(), a.size))
        .collect();
    assert_eq!(
        files,
        vec![
            (
                "00000001-PHOTO-2019-06-20-16-00-15.jpg",
                "00000001-PHOTO-2019-06-20-16-00-15.jpg",
                Some(146_284)
            ),
            (
                "00000002-VIDEO-2019-06-20-16-01-42.mp4",
                "00000002-VIDEO-2019-06-20-16-01-42.mp4",
                Some(64_825)
            ),
            (
                "00000003-AUDIO-2019-06-20-16-03-55.mp3",
                "00000003-AUDIO-2019-06-20-16-03-55.mp3",
                Some(240_325)
            ),
            (
                "00000004-whatsapp-chat-parser-example.zip",
                "00000004-whatsapp-chat-parser-example.zip",
                Some(2_721)
            ),
        ]
    );
}

#[test]
fn pustur_older_example_with_lrm() {
    let path = fixture(&format!("{PUSTUR}/_chat_2019_inner_example.txt"));
    let source = std::fs::read(&path).unwrap();
    let sink = read_ok(&path, &ReadOptions::default());
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert_eq!(sink.records.len(), 100);
    check_locators(&source, &sink.records);
    let r = &sink.records;
    // The U+200E before the notice is skipped for matching, dropped from the
    // text, and still inside the locator's bytes.
    assert_eq!(r[0].kind, other("encryption_notice"));
    assert!(source.starts_with("[20.06.19, 15:58:47] \u{200e}Messages".as_bytes()));
    assert_eq!(r[2].kind, RecordKind::Event(EventKind::Join));
    assert_eq!(r[2].text, "Loris added you");
    assert_eq!(targets(&r[2]), vec!["You"]);
    assert_eq!(r.iter().filter(|r| r.is_message()).count(), 97);
    // Zone not asserted: UTC.
    assert_eq!(r[3].sent_at.utc_ms, ms("2019-06-20T15:58:57Z"));
    assert_eq!(r[3].sent_at.zone.as_deref(), Some("UTC"));
    assert_eq!(&*r[0].conversation.native_id, "_chat_2019_inner_example");
    let three = r.iter().find(|r| r.text.starts_with("A dinner")).unwrap();
    assert_eq!(
        three.text,
        "A dinner\nor a day at the pool\nthat would be nice and relaxing \u{1f60d}"
    );
    // Any `.txt` that starts with a header could be an export.
    assert_eq!(sniff(&path), Confidence::Maybe);
}

// ---------------------------------------------------------------------------
// chat-miner's five header styles against its expected output

/// chat-miner's `target.json` holds its parse of the five files: six
/// messages, newest first, with naive times. Where our semantics differ:
/// * chat-miner drops system lines; we keep them as events (here
///   `+12 345 578 created group "Groupname"` and `You were added`);
/// * chat-miner drops `John Doe:.` (no space after the colon); we read it
///   as a message by John Doe with the text `.`, because John Doe signs
///   other messages in the file;
/// * chat-miner joins the lines of a multi-line message with a space; we
///   keep the line break.
#[test]
fn chat_miner_styles_agree_with_target() {
    let target: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture(&format!("{MINER}/target.json"))).unwrap())
            .unwrap();
    let target = target.as_array().unwrap();
    assert_eq!(target.len(), 6);
    for file in [
        "test_ddmmyy_24hrs.txt",
        "test_mmddyy_24hrs.txt",
        "test_yyyymmdd_24hrs.txt",
        "test_mmddyyyy_12hrs.txt",
        "test_[mmddyy]_24hrs.txt",
    ] {
        let path = fixture(&format!("{MINER}/{file}"));
        assert_eq!(sniff(&path), Confidence::Maybe, "{file}");
        let source = std::fs::read(&path).unwrap();
        let sink = read_ok(&path, &ReadOptions::default());
        assert!(sink.skips.is_empty(), "{file}: {:?}", sink.skips);
        assert_eq!(sink.records.len(), 9, "{file}");
        check_locators(&source, &sink.records);
        let messages: Vec<&Record> = sink.records.iter().filter(|r| r.is_message()).collect();
        assert_eq!(messages.len(), 7, "{file}");
        for expected in target {
            let at = ms(&format!("{}Z", expected["timestamp"].as_str().unwrap()));
            let ours = messages
                .iter()
                .find(|r| r.sent_at.utc_ms == at)
                .unwrap_or_else(|| panic!("{file}: nothing at {expected}"));
            assert_eq!(sender(ours), expected["author"].as_str(), "{file}");
            assert_eq!(
                ours.text.replace('\n', " "),
                expected["message"].as_str().unwrap(),
                "{file}"
            );
        }
        // Ours besides chat-miner's.
        let dot = messages.iter().find(|r| r.text == ".").unwrap();
        assert_eq!(
            (sender(dot), dot.sent_at.utc_ms),
            (Some("John Doe"), ms("2019-01-20T11:23:00Z"))
        );
        let created = &sink.records[4];
        assert_eq!(created.kind, other("group_created"), "{file}");
        assert_eq!(sender(created), Some("+12 345 578"));
        assert_eq!(created.conversation.name.as_deref(), Some("Groupname"));
        assert_eq!(created.sent_at.utc_ms, ms("2020-06-20T00:08:00Z"), "{file}");
        let added = &sink.records[5];
        assert_eq!(added.kind, RecordKind::Event(EventKind::Join));
        assert_eq!((sender(added), targets(added)), (None, vec!["You"]));
        assert_eq!(added.sent_at.utc_ms, ms("2020-06-30T09:10:00Z"));
        // Every style proves its order (a number over 12, or a four-digit
        // year first): no record carries a date-order note.
        assert!(sink.records.iter().all(|r| r.raw.is_none()), "{file}");
        assert_eq!(&*sink.records[0].conversation.native_id, file.trim_end_matches(".txt"));
    }
}

// ---------------------------------------------------------------------------
// Hand-made: Android, every marker and system line

#[test]
fn android_handmade_every_marker() {
    let path = fixture("handmade/WhatsApp Chat with Family Group.txt");
    assert_eq!(sniff(&path), Confidence::Certain);
    let source = std::fs::read(&path).unwrap();
    let sink = read_ok(&path, &zone("Europe/Berlin"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let r = &sink.records;
    assert_eq!(r.len(), 22);
    check_locators(&source, r);
    for record in r {
        assert_eq!(&*record.conversation.native_id, "Family Group");
    }

    // The BOM is not part of the first record.
    assert_eq!((r[0].locator.offset, r[0].locator.line), (3, Some(1)));
    assert_eq!(r[0].kind, other("encryption_notice"));
    // U+202F before AM: kept verbatim in the original.
    assert_eq!(r[0].sent_at.original, "13/03/2024, 9:02\u{202f}AM");
    assert_eq!(r[0].sent_at.utc_ms, ms("2024-03-13T08:02:00Z"));

    // A system line with ": " inside its quoted name is not a message.
    assert_eq!(r[1].kind, other("group_created"));
    assert_eq!(sender(&r[1]), Some("Anna"));
    assert_eq!(r[1].conversation.name.as_deref(), Some("Family: Plans"));
    // Names lose U+00A0: the phone number reads the same in both places.
    assert_eq!(r[2].kind, RecordKind::Event(EventKind::Join));
    assert_eq!(targets(&r[2]), vec!["Ben", "Carla", "+44 7700 900123"]);
    assert_eq!((sender(&r[3]), targets(&r[3])), (Some("Anna"), vec!["You"]));

    assert_eq!((sender(&r[4]), r[4].text.as_str()), (Some("Anna"), "Hi all: welcome!"));
    // Continuation lines, a blank line inside, and a header-looking line of
    // another layout (24-hour) stay in the message; the trailing blank line
    // does not.
    assert_eq!(
        r[5].text,
        "First line\nsecond line\n\nfourth line after a blank line\n14/03/2024, 9:07 - pasted: a \
         24-hour line is another layout and stays text"
    );

    assert_eq!(sender(&r[6]), Some("+44 7700 900123"));
    assert_eq!(r[6].sender.as_ref().unwrap().display_name.as_deref(), Some("+44 7700 900123"));
    assert_eq!(r[6].text, "<Media omitted>");
    assert_eq!(r[6].attachments.len(), 1);
    assert_eq!(r[6].attachments[0].name, "<Media omitted>");
    assert_eq!((r[6].attachments[0].kind.as_deref(), r[6].attachments[0].size), (None, None));
    assert_eq!(r[6].sent_at.utc_ms, ms("2024-03-14T18:02:00Z"));

    assert_eq!(r[7].text, "IMG-20240314-WA0001.jpg (file attached)\nLook at this view");
    assert_eq!(r[7].attachments[0].name, "IMG-20240314-WA0001.jpg");
    assert_eq!(r[7].attachments[0].kind.as_deref(), Some("image"));

    assert!(r[8].deleted && r[8].is_message());
    assert_eq!((sender(&r[8]), r[8].text.as_str()), (Some("Carla"), "This message was deleted"));
    assert!(r[9].deleted);
    assert_eq!(sender(&r[9]), Some("You"));
    assert!(r.iter().filter(|r| r.deleted).count() == 2);

    // Edited: marker out of the text, into raw; no time, no earlier text.
    assert_eq!(r[10].text, "See https://example.org/trip?day=2.");
    assert_eq!(raw(&r[10])["edited_marker"], "<This message was edited>");
    assert_eq!((r[10].edited_at.clone(), r[10].edits.len()), (None, 0));
    assert_eq!(r[10].urls[0].url, "https://example.org/trip?day=2");

    // `Ben:ok`: Ben signs other messages.
    assert_eq!((sender(&r[11]), r[11].text.as_str()), (Some("Ben"), "ok"));

    assert_eq!(r[12].kind, RecordKind::Event(EventKind::Rename));
    assert_eq!(sender(&r[12]), Some("Anna"));
    assert_eq!(r[12].conversation.name.as_deref(), Some("Family"));
    assert_eq!(raw(&r[12])["old_name"], "Family: Plans");
    assert_eq!(r[13].kind, other("group_icon_changed"));
    assert_eq!(r[14].kind, other("security_code_changed"));
    assert_eq!((sender(&r[14]), targets(&r[14])), (None, vec!["Ben"]));
    assert_eq!(r[15].kind, RecordKind::Event(EventKind::Leave));
    assert_eq!((sender(&r[15]), targets(&r[15])), (Some("Anna"), vec!["Carla"]));
    assert_eq!(r[16].kind, RecordKind::Event(EventKind::Leave));
    assert_eq!(targets(&r[16]), vec!["Ben"]);

    assert_eq!(sender(&r[17]), Some("You"));
    assert_eq!(raw(&r[17])["poll"]["question"], "Dinner?");
    assert_eq!(raw(&r[17])["poll"]["options"][1], serde_json::json!({"text": "Sushi", "votes": 1}));

    // 12-hour clock at the edges: 11:59 PM and 12:00 AM.
    assert_eq!(r[18].sent_at.utc_ms, ms("2024-03-14T22:59:00Z"));
    assert_eq!(r[19].sent_at.utc_ms, ms("2024-03-14T23:00:00Z"));
    assert_eq!(r[19].sent_at.original, "15/03/2024, 12:00\u{202f}AM");
    assert_eq!(r[20].kind, RecordKind::Event(EventKind::Join));
    assert_eq!(r[20].text, "You were added");
    assert_eq!(r[21].text, "trailing blank lines follow");
    let end = r[21].locator.offset + r[21].locator.length;
    assert_eq!(&source[end as usize..], b"\n\n\n");

    // Evidence (13/03) settles the order: no date-order notes anywhere.
    assert!(r.iter().all(|r| raw(r).get("date_order").is_none()));
}

#[test]
fn crlf_and_lf_read_the_same() {
    let lf = std::fs::read(fixture("handmade/WhatsApp Chat with Family Group.txt")).unwrap();
    let crlf = String::from_utf8(lf.clone()).unwrap().replace('\n', "\r\n");
    let dir = tempfile::tempdir().unwrap();
    let options = zone("Europe/Berlin");
    let a = read_ok(&write_temp(&dir, "WhatsApp Chat with Family Group.txt", &lf), &options);
    let dir2 = tempfile::tempdir().unwrap();
    let path = write_temp(&dir2, "WhatsApp Chat with Family Group.txt", crlf.as_bytes());
    let b = read_ok(&path, &options);
    check_locators(crlf.as_bytes(), &b.records);
    assert_eq!(a.records.len(), b.records.len());
    for (x, y) in a.records.iter().zip(&b.records) {
        let mut y = y.clone();
        y.locator.offset = x.locator.offset;
        y.locator.length = x.locator.length;
        assert_eq!(x, &y);
    }
}

// ---------------------------------------------------------------------------
// Hand-made: iOS zip with media, author-prefixed notices, DST

fn zip_file(path: &Path, members: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn ios_zip_handmade() {
    let chat = std::fs::read(fixture("handmade/ios_chat.txt")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("nested.zip");
    zip_file(&nested, &[("_chat.txt", b"[01/01/2020, 10:00:00] Nested: never read\r\n")]);
    let nested = std::fs::read(&nested).unwrap();
    let path = dir.path().join("WhatsApp Chat - Trip 2024.zip");
    zip_file(
        &path,
        &[
            ("_chat.txt", &chat),
            ("00000001-PHOTO-2024-03-31-15-34-09.jpg", &[0xFF; 100]),
            ("00000002-Plan.pdf", &[b'%'; 2048]),
            ("00000003-old-export.zip", &nested),
            ("__MACOSX/._chat.txt", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X"),
        ],
    );
    assert_eq!(sniff(&path), Confidence::Certain);
    let sink = read_ok(&path, &zone("Europe/Berlin"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let r = &sink.records;
    assert_eq!(r.len(), 13);
    check_locators(&chat, r);
    for record in r {
        assert_eq!(&*record.conversation.native_id, "Trip 2024");
        assert_eq!(record.locator.entry.as_deref(), Some("_chat.txt"));
        assert!(!record.text.contains('\r'));
    }

    // Notices written under the chat's name with U+200E.
    assert_eq!(r[0].kind, other("encryption_notice"));
    assert_eq!(r[0].locator.offset, 0);
    assert_eq!(r[0].sender, None);
    assert_eq!(raw(&r[0])["author_field"], "Trip 2024");
    assert_eq!(r[0].sent_at.utc_ms, ms("2024-03-31T00:15:00Z"));
    assert_eq!(r[1].kind, other("group_created"));
    assert_eq!(sender(&r[1]), Some("Dora"));
    assert_eq!(r[2].kind, RecordKind::Event(EventKind::Join));
    assert_eq!((sender(&r[2]), targets(&r[2])), (Some("Dora"), vec!["You"]));

    // 02:30 does not exist in Berlin on 2024-03-31: moved forward by the
    // gap (03:30 CEST).
    assert_eq!(r[3].sent_at.utc_ms, ms("2024-03-31T01:30:00Z"));
    assert_eq!(raw(&r[3])["dst"], "gap");
    assert!(r.iter().filter(|r| raw(r).get("dst").is_some()).count() == 1);
    assert_eq!(r[4].sent_at.utc_ms, ms("2024-03-31T13:34:09Z"));
    assert_eq!(r[4].sent_at.original, "31/03/2024, 3:34:09\u{202f}PM");
    assert_eq!(r[4].text, "<attached: 00000001-PHOTO-2024-03-31-15-34-09.jpg>");
    let a = &r[4].attachments[0];
    assert_eq!(
        (a.reference.as_str(), a.kind.as_deref(), a.size),
        ("00000001-PHOTO-2024-03-31-15-34-09.jpg", Some("image"), Some(100))
    );
    assert_eq!(r[5].attachments[0].name, "image omitted");
    assert_eq!(
        (r[5].attachments[0].kind.as_deref(), r[5].attachments[0].size),
        (Some("image"), None)
    );
    assert!(r[6].deleted);
    assert_eq!(r[6].text, "This message was deleted.");
    assert_eq!(r[7].text, "Fixed typo");
    assert_eq!(raw(&r[7])["edited_marker"], "<This message was edited>");
    assert_eq!(r[8].attachments[0].name, "00000002-Plan.pdf");
    assert_eq!(
        (r[8].attachments[0].kind.as_deref(), r[8].attachments[0].size),
        (Some("document"), Some(2048))
    );
    assert_eq!(r[9].attachments[0].size, Some(nested.len() as u64));
    assert_eq!(r[10].kind, other("missed_call"));
    assert_eq!(sender(&r[10]), Some("Eli"));
    assert_eq!(r[11].kind, RecordKind::Event(EventKind::Rename));
    assert_eq!(sender(&r[11]), Some("Eli"));
    assert_eq!(r[11].conversation.name.as_deref(), Some("Trip 2024 \u{1f3d4}"));
    assert_eq!(r[12].text, "Multi\nline");
    assert_eq!(r[12].sent_at.utc_ms, ms("2024-04-01T07:00:00Z"));
}

#[test]
fn folder_export_sizes_from_the_listing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("export");
    std::fs::create_dir_all(root.join("WhatsApp Chat - Old Friends")).unwrap();
    std::fs::write(
        root.join("WhatsApp Chat - Old Friends/_chat.txt"),
        "[02/01/2024, 10:00:00] Ann: \u{200e}<attached: 00000001-PHOTO-2024-01-02-10-00-00.jpg>\n",
    )
    .unwrap();
    std::fs::write(
        root.join("WhatsApp Chat - Old Friends/00000001-PHOTO-2024-01-02-10-00-00.jpg"),
        [1u8; 7],
    )
    .unwrap();
    std::fs::write(root.join("notes.txt"), "unrelated\n").unwrap();
    assert_eq!(sniff(&root), Confidence::Certain);
    let sink = read_ok(&root, &ReadOptions::default());
    assert_eq!(sink.records.len(), 1);
    let r = &sink.records[0];
    assert_eq!(&*r.conversation.native_id, "Old Friends");
    assert_eq!(r.locator.entry.as_deref(), Some("WhatsApp Chat - Old Friends/_chat.txt"));
    assert_eq!(
        (r.attachments[0].reference.as_str(), r.attachments[0].size),
        ("WhatsApp Chat - Old Friends/00000001-PHOTO-2024-01-02-10-00-00.jpg", Some(7))
    );
    // A single day 02/01 proves nothing: default day-first, and said so.
    assert_eq!(r.sent_at.utc_ms, ms("2024-01-02T10:00:00Z"));
    assert_eq!(raw(r)["date_order"], "day_first");
    assert_eq!(raw(r)["date_order_basis"], "default");
}

// ---------------------------------------------------------------------------
// Day/month order

#[test]
fn date_order_from_the_whole_file() {
    let path = fixture("handmade/ambiguous.txt");
    // No number over 12, but the first number goes down within a year
    // (05 → 03) while the second does not: the first is the day.
    let sink = read_ok(&path, &ReadOptions::default());
    let times: Vec<i64> = sink.records.iter().map(|r| r.sent_at.utc_ms).collect();
    assert_eq!(
        times,
        vec![ms("2024-02-01T10:00:00Z"), ms("2024-02-05T10:00:00Z"), ms("2024-03-03T10:00:00Z")]
    );
    assert_eq!(raw(&sink.records[0])["date_order_basis"], "inferred");
    assert_eq!(raw(&sink.records[0])["date_order"], "day_first");
    // 03/03 reads the same either way: no note.
    assert_eq!(sink.records[2].raw, None);

    // --date-order decides what the file does not prove.
    let options = ReadOptions { date_order: Some(DateOrder::MonthFirst), ..ReadOptions::default() };
    let sink = read_ok(&path, &options);
    let times: Vec<i64> = sink.records.iter().map(|r| r.sent_at.utc_ms).collect();
    assert_eq!(
        times,
        vec![ms("2024-01-02T10:00:00Z"), ms("2024-05-02T10:00:00Z"), ms("2024-03-03T10:00:00Z")]
    );
    assert_eq!(raw(&sink.records[0])["date_order_basis"], "option");
    assert_eq!(raw(&sink.records[0])["date_order"], "month_first");
    // The time goes back (May 2 → Mar 3): flagged, kept in file order.
    assert_eq!(raw(&sink.records[2])["time_backwards"], true);

    // Nothing to go on: day-first.
    let sink = read_ok(&fixture("handmade/ambiguous_flat.txt"), &ReadOptions::default());
    assert!(sink.records.iter().all(|r| r.sent_at.utc_ms >= ms("2024-02-01T10:00:00Z")));
    assert_eq!(raw(&sink.records[1])["date_order_basis"], "default");

    // But evidence in the file beats the option: 13/01 is day-first.
    let options = ReadOptions { date_order: Some(DateOrder::MonthFirst), ..ReadOptions::default() };
    let sink = read_ok(&fixture("handmade/WhatsApp Chat with Family Group.txt"), &options);
    assert_eq!(sink.records[0].sent_at.utc_ms, ms("2024-03-13T09:02:00Z"));
}

#[test]
fn conflicting_dates_need_date_order() {
    let path = fixture("handmade/conflict.txt");
    let source = std::fs::read_to_string(&path).unwrap();
    let second_line = source.find("01/13").unwrap() as u64;
    match read(&path, &ReadOptions::default()) {
        Err(ReadError::Invalid { file, offset, reason }) => {
            assert!(file.ends_with("conflict.txt"), "{file}");
            assert_eq!(offset, Some(second_line));
            assert!(reason.contains("--date-order day-first"), "{reason}");
            assert!(reason.contains("13/01/24, 10:00") && reason.contains("line 2"), "{reason}");
        }
        other => panic!("expected a date-order error, got {other:?}"),
    }
    // With the order given, the impossible date is a skip.
    let options = ReadOptions { date_order: Some(DateOrder::DayFirst), ..ReadOptions::default() };
    let sink = read_ok(&path, &options);
    assert_eq!(sink.records.len(), 2);
    assert_eq!(sink.records[1].sent_at.utc_ms, ms("2024-01-02T10:00:00Z"));
    assert_eq!(sink.skips.len(), 1);
    assert_eq!(sink.skips[0].offset, second_line);
    assert!(sink.skips[0].reason.contains("line 2"), "{}", sink.skips[0].reason);
    assert!(sink.skips[0].file.ends_with("conflict.txt"));
}

// ---------------------------------------------------------------------------
// Bad input

#[test]
fn malformed_lines_are_skipped_with_offsets() {
    let path = fixture("handmade/malformed.txt");
    let source = std::fs::read_to_string(&path).unwrap();
    let sink = read_ok(&path, &ReadOptions::default());
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["ok", "fine"]);
    assert_eq!(sink.skips.len(), 2, "{:?}", sink.skips);
    let impossible = sink.skips.iter().find(|s| s.reason.contains("31/02/24")).unwrap();
    assert_eq!(impossible.offset, source.find("31/02").unwrap() as u64);
    assert!(impossible.reason.starts_with("line 4:"), "{}", impossible.reason);
    let orphans = sink.skips.iter().find(|s| s.offset == 0).unwrap();
    assert!(orphans.reason.contains("2 non-empty lines before the first message header"));
}

#[test]
fn not_an_export_is_an_error_naming_the_file() {
    let path = fixture("handmade/not_whatsapp.txt");
    assert_eq!(sniff(&path), Confidence::No);
    let err = read(&path, &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not_whatsapp.txt"), "{err}");
    assert!(err.to_string().contains("no WhatsApp message header"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let binary = write_temp(&dir, "_chat.txt", b"01/01/24, 10:00 - a: b\n\x00\x01\x02");
    let err = read(&binary, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, ReadError::Invalid { offset: Some(23), .. }), "{err}");
    let utf16 = write_temp(&dir, "WhatsApp Chat with U.txt", b"\xFF\xFE0\x001\x00");
    let err = read(&utf16, &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("UTF-16"), "{err}");
    assert_eq!(sniff(&utf16), Confidence::No);
    // An empty export has nothing to read, which is not an error.
    let empty = write_temp(&dir, "WhatsApp Chat with Nobody.txt", b"\n\n");
    assert!(read_ok(&empty, &ReadOptions::default()).records.is_empty());

    let zip = dir.path().join("photos.zip");
    zip_file(&zip, &[("IMG-1.jpg", b"x"), ("readme.txt", b"hello\n")]);
    assert_eq!(sniff(&zip), Confidence::No);
    let err = read(&zip, &ReadOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("photos.zip") && err.to_string().contains("_chat.txt"),
        "{err}"
    );
}

#[test]
fn oversized_messages_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("01/02/24, 10:00 - Ann: short\n01/02/24, 10:01 - Bob: long\n");
    for _ in 0..100 {
        text.push_str("a continuation line of the long message\n");
    }
    let long_line_at = text.len();
    text.push_str("13/02/24, 10:02 - Ann: ");
    text.push_str(&"x".repeat(5000));
    text.push_str("\n13/02/24, 10:03 - Ann: after\n");
    let path = write_temp(&dir, "_chat.txt", text.as_bytes());
    let options = ReadOptions { max_record_bytes: 1000, ..ReadOptions::default() };
    let sink = read_ok(&path, &options);
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["short", "after"]);
    let offsets: Vec<u64> = sink.skips.iter().map(|s| s.offset).collect();
    assert_eq!(offsets, vec![29, long_line_at as u64]);
    assert!(sink.skips.iter().all(|s| s.reason.contains("limit of 1000 bytes")));
}

#[test]
fn dst_fold_is_read_as_the_earlier_instant_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    // 02:30 happens twice in Berlin on 2024-10-27.
    let text = "27/10/2024, 01:59 - Ann: before\n27/10/2024, 02:30 - Ann: twice\n27/10/2024, 03:00 - Ann: after\n";
    let sink = read_ok(&write_temp(&dir, "_chat.txt", text.as_bytes()), &zone("Europe/Berlin"));
    let times: Vec<i64> = sink.records.iter().map(|r| r.sent_at.utc_ms).collect();
    assert_eq!(
        times,
        vec![ms("2024-10-26T23:59:00Z"), ms("2024-10-27T00:30:00Z"), ms("2024-10-27T02:00:00Z")]
    );
    assert_eq!(raw(&sink.records[1])["dst"], "fold");
    assert_eq!(sink.records[0].raw, None);
    assert_eq!(sink.records[2].raw, None);
}

#[test]
fn other_layouts() {
    let sink = read_ok(&fixture("handmade/finnish.txt"), &ReadOptions::default());
    assert_eq!(sink.records.len(), 2);
    assert_eq!(sink.records[0].sent_at.utc_ms, ms("2018-06-13T21:25:15Z"));
    assert_eq!(sink.records[0].sent_at.original, "13.6.2018 klo 21.25.15");
    assert_eq!(
        (sender(&sink.records[1]), sink.records[1].text.as_str()),
        (Some("Aino"), "Moi: kaikki")
    );

    let dir = tempfile::tempdir().unwrap();
    for (line, when, who, text) in [
        ("13. 6. 2018. 21:25:15 a: m\n", "2018-06-13T21:25:15Z", "a", "m"),
        ("13.06.18 21.25.15: a: m\n", "2018-06-13T21:25:15Z", "a", "m"),
        ("[2018/06/13, 21:25:15] a: m\n", "2018-06-13T21:25:15Z", "a", "m"),
        ("\u{200e}[3/6/18 1:55:00 p. m.] a: m\n", "2018-06-03T13:55:00Z", "a", "m"),
        ("1/4/23, 8:28\u{a0}p.\u{a0}m. - Ana: hola\n", "2023-04-01T20:28:00Z", "Ana", "hola"),
        ("03-06-2018, 01.55 PM - a: m\n", "2018-06-03T13:55:00Z", "a", "m"),
    ] {
        let path = write_temp(&dir, "WhatsApp Chat with X.txt", line.as_bytes());
        let sink = read_ok(&path, &ReadOptions::default());
        assert_eq!(sink.records.len(), 1, "{line}");
        let r = &sink.records[0];
        assert_eq!(r.sent_at.utc_ms, ms(when), "{line}");
        assert_eq!((sender(r), r.text.as_str()), (Some(who), text), "{line}");
    }
}

#[test]
fn sniffing() {
    let dir = tempfile::tempdir().unwrap();
    let header = b"\xEF\xBB\xBF\n\n12/07/2025, 10:45 am - Priya: Hi\n";
    assert_eq!(sniff(&write_temp(&dir, "_chat.txt", header)), Confidence::Certain);
    assert_eq!(
        sniff(&write_temp(&dir, "WhatsApp Chat with Priya.txt", header)),
        Confidence::Certain
    );
    assert_eq!(sniff(&write_temp(&dir, "priya.txt", header)), Confidence::Maybe);
    assert_eq!(sniff(&write_temp(&dir, "priya.log", header)), Confidence::No);
    assert_eq!(
        sniff(&write_temp(&dir, "x.txt", b"hello\n12/07/2025, 10:45 - a: b\n")),
        Confidence::No
    );
    assert_eq!(sniff(&write_temp(&dir, "_chat.txt", b"hello\n")), Confidence::No);
    let zip = dir.path().join("export.zip");
    zip_file(&zip, &[("__MACOSX/._chat.txt", header), ("WhatsApp Chat with Priya.txt", header)]);
    assert_eq!(sniff(&zip), Confidence::Certain);
    let zip = dir.path().join("mac.zip");
    zip_file(&zip, &[("__MACOSX/._chat.txt", header)]);
    assert_eq!(sniff(&zip), Confidence::No);

    // Detection picks this reader for the unmistakable cases.
    for path in [
        fixture(&format!("{PUSTUR}/whatsapp-chat-parser-example.zip")),
        fixture(&format!("{PUSTUR}/_chat.txt")),
        fixture("handmade/WhatsApp Chat with Family Group.txt"),
    ] {
        let input = Input::open(&path).unwrap();
        assert_eq!(trove_readers::detect(&input).unwrap().name(), "whatsapp", "{}", path.display());
    }
}

#[test]
fn a_sink_can_stop_the_reader() {
    struct StopAtTwo(usize);
    impl trove_readers::Sink for StopAtTwo {
        fn record(&mut self, _: Record) -> Result<(), trove_readers::Stop> {
            self.0 += 1;
            if self.0 == 2 { Err(trove_readers::Stop("enough".into())) } else { Ok(()) }
        }
        fn skip(&mut self, _: trove_readers::Skip) {}
    }
    let input = Input::open(&fixture(&format!("{PUSTUR}/_chat.txt"))).unwrap();
    let mut sink = StopAtTwo(0);
    let err = WhatsApp.read(&input, &ReadOptions::default(), &mut sink).unwrap_err();
    assert!(matches!(err, ReadError::Stopped(ref why) if why == "enough"), "{err}");
    assert_eq!(sink.0, 2);
}

// ---------------------------------------------------------------------------
// Properties

/// Bytes that often look like an export: headers of several layouts,
/// authors, markers, invisible characters, line breaks, and noise.
fn chat_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"01/02/24, 10:00 - ".to_vec()),
        Just(b"13/02/24, 9:05\xE2\x80\xAFPM - ".to_vec()),
        Just(b"02/13/24, 23:59 - ".to_vec()),
        Just(b"[20.06.19, 15:58:47] ".to_vec()),
        Just("\u{200e}[31/02/24, 1:55:00 p. m.] ".as_bytes().to_vec()),
        Just(b"Ann: ".to_vec()),
        Just(b"You created group \"A: B\"".to_vec()),
        Just(b"<attached: 00000001-PHOTO-x.jpg>".to_vec()),
        Just(b"<Media omitted>".to_vec()),
        Just(b"POLL:\nq\nOPTION: a (1 vote)".to_vec()),
        Just(b"<This message was edited>".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xE2\x80\x8E".to_vec()),
        Just(b"https://x.io/".to_vec()),
        prop::collection::vec(any::<u8>(), 0..12),
        "[a-z0-9 :/.,-]{0,12}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// A well-formed export with random texts, as lines.
fn chat_lines() -> impl Strategy<Value = Vec<String>> {
    let line = prop_oneof![
        (1u32..28, 0u32..24, "[a-zA-Z :<>.\u{200e}]{0,20}")
            .prop_map(|(d, h, t)| format!("{d:02}/03/24, {h:02}:15 - Ann: {t}")),
        (1u32..28, "[a-z ]{1,20}").prop_map(|(d, t)| format!("{d:02}/03/24, 08:00 - Bob {t}")),
        "[a-zA-Z0-9 :/.,-]{0,30}",
        Just(String::new()),
    ];
    prop::collection::vec(line, 0..30)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in chat_bytes(), small in any::<bool>(), order in any::<Option<bool>>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(&dir, "_chat.txt", &bytes);
        let input = Input::open(&path).unwrap();
        let _ = WhatsApp.sniff(&input);
        let options = ReadOptions {
            max_record_bytes: if small { 24 } else { 1 << 20 },
            date_order: order.map(|d| if d { DateOrder::DayFirst } else { DateOrder::MonthFirst }),
            ..ReadOptions::default()
        };
        let mut sink = VecSink::default();
        let _ = WhatsApp.read(&input, &options, &mut sink);
        for record in &sink.records {
            let end = record.locator.offset + record.locator.length;
            prop_assert!(end <= bytes.len() as u64);
            prop_assert!(record.locator.length > 0);
        }
        for skip in &sink.skips {
            prop_assert!(skip.offset <= bytes.len() as u64);
        }
    }

    #[test]
    fn lf_and_crlf_give_the_same_records(lines in chat_lines()) {
        let lf = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        let crlf = lf.replace('\n', "\r\n");
        let dir = tempfile::tempdir().unwrap();
        let a = read(&write_temp(&dir, "a.txt", lf.as_bytes()), &ReadOptions::default());
        let b = read(&write_temp(&dir, "b.txt", crlf.as_bytes()), &ReadOptions::default());
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.records.len(), b.records.len());
                prop_assert_eq!(a.skips.len(), b.skips.len());
                for (x, y) in a.records.iter().zip(&b.records) {
                    let mut y = y.clone();
                    prop_assert_eq!(&x.locator.line, &y.locator.line);
                    y.locator.offset = x.locator.offset;
                    y.locator.length = x.locator.length;
                    y.conversation = x.conversation.clone();
                    prop_assert_eq!(x, &y);
                }
                check_locators(crlf.as_bytes(), &b.records);
                check_locators(lf.as_bytes(), &a.records);
            }
            // Offsets in the error may differ; the reason may not.
            (Err(ReadError::Invalid { reason: a, .. }), Err(ReadError::Invalid { reason: b, .. })) => {
                prop_assert_eq!(a, b);
            }
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|s| s.records.len()), b.map(|s| s.records.len())),
        }
    }
}

/// One line of each odd shape real exports hold, in an Android export with
/// a BOM and CRLF line ends: every message comes out, with the system line
/// between messages as an event, blank and space-only lines folded or
/// passed over as the reader says, nothing silently gone.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let lines = [
        "\u{feff}13/03/2024, 09:01 - Anna: genuine".to_string(),
        "13/03/2024, 09:02 - Ben: ".to_string(),
        "13/03/2024, 09:03 - Carla:\ttabbed".to_string(),
        "13/03/2024, 09:04 - Dan: \ttab in the text".to_string(),
        format!("13/03/2024, 09:05 - Erin: {long}"),
        "   ".to_string(),
        "13/03/2024, 09:06 - Ålïce Ünïcode: e\u{301} \u{200b}zero width \u{202e}bidi".to_string(),
        "13/03/2024, 09:07 - Anna added Ben".to_string(),
        "13/03/2024, 09:08 - Бот: тест: с двоеточием".to_string(),
        "13/03/2024, 09:09 - 🙂: emoji sender".to_string(),
        "".to_string(),
        "13/03/2024, 09:10 - \u{202a}+44\u{a0}7700\u{a0}900123\u{202c}: number sender".to_string(),
        "13/03/2024, 09:11 - Anna: ‏שלום".to_string(),
        "".to_string(),
    ];
    let path = write_temp(&dir, "WhatsApp Chat with Odd.txt", lines.join("\r\n").as_bytes());
    let sink = read_ok(&path, &ReadOptions::default());
    // The space-only and empty lines are passed over: no skip, no fold.
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    assert!(sink.notices.is_empty(), "{:#?}", sink.notices);
    let message = RecordKind::Message;
    let got: Vec<(u64, &RecordKind, Option<&str>, &str)> = sink
        .records
        .iter()
        .map(|r| (r.locator.line.unwrap(), &r.kind, sender(r), r.text.as_str()))
        .collect();
    let expected: Vec<(u64, RecordKind, Option<&str>, &str)> = vec![
        (1, message.clone(), Some("Anna"), "genuine"),
        (2, message.clone(), Some("Ben"), ""),
        // A tab where WhatsApp writes `: `: not a sender, the line is a
        // system line kept whole.
        (3, other("system"), None, "Carla:\ttabbed"),
        (4, message.clone(), Some("Dan"), "\ttab in the text"),
        (5, message.clone(), Some("Erin"), long.as_str()),
        (7, message.clone(), Some("Ålïce Ünïcode"), "e\u{301} \u{200b}zero width \u{202e}bidi"),
        (8, RecordKind::Event(EventKind::Join), Some("Anna"), "Anna added Ben"),
        (9, message.clone(), Some("Бот"), "тест: с двоеточием"),
        (10, message.clone(), Some("🙂"), "emoji sender"),
        // Direction marks and no-break spaces around a number are dropped.
        (12, message.clone(), Some("+44 7700 900123"), "number sender"),
        // So is a right-to-left mark opening the text.
        (13, message, Some("Anna"), "שלום"),
    ];
    assert_eq!(got, expected.iter().map(|(l, k, s, t)| (*l, k, *s, *t)).collect::<Vec<_>>());
    for (record, minute) in sink.records.iter().zip([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) {
        assert_eq!(record.sent_at.utc_ms, ms(&format!("2024-03-13T09:{minute:02}:00Z")));
        assert_eq!(record.sent_at.original, format!("13/03/2024, 09:{minute:02}"));
    }
    let source = std::fs::read(&path).unwrap();
    assert_eq!(sink.records[0].locator.offset, 3, "after the BOM");
    check_locators(&source, &sink.records);
}
