//! The Messenger and Instagram DYI readers: the chat-miner Instagram sample
//! against its expected output, hand-made Facebook and Instagram exports
//! (folder and zip) covering every gotcha of the spec, and broken input.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::messenger::{Instagram, Messenger, repair_mojibake};
use trove_readers::{
    Confidence, Format, Input, ReadError, ReadOptions, Sink, Skip, Stop, VecSink, detect,
};

fn inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs")
}

/// The hand-made Facebook export folder.
fn facebook() -> PathBuf {
    inputs().join("messenger/dyi")
}

const FB: &str = "your_facebook_activity/messages/";
const ZOE: &str = "your_facebook_activity/messages/inbox/zoesmith_1234567890/";

fn read_with(
    format: &dyn Format,
    path: &Path,
    options: &ReadOptions,
) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    format.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn read(format: &dyn Format, path: &Path) -> Result<VecSink, ReadError> {
    read_with(format, path, &ReadOptions::default())
}

fn sender(record: &Record) -> Option<&str> {
    record.sender.as_ref().map(|s| &*s.native_id)
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// The bytes a record's locator points at, from the folder `root` (or the
/// single file `root` when the locator has no entry).
fn slice(root: &Path, record: &Record) -> Vec<u8> {
    let file = match &record.locator.entry {
        Some(entry) => root.join(&**entry),
        None => root.to_path_buf(),
    };
    let bytes = std::fs::read(file).unwrap();
    let start = record.locator.offset as usize;
    bytes[start..start + record.locator.length as usize].to_vec()
}

/// Every locator points at a message object whose time is the record's.
fn check_locators(root: &Path, records: &[Record]) {
    for record in records {
        let bytes = slice(root, record);
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{:?}: {e}", record.locator));
        let time = value.get("timestamp_ms").or_else(|| value.get("timestamp")).unwrap();
        assert_eq!(time.as_i64(), Some(record.sent_at.utc_ms), "{:?}", record.locator);
        assert_eq!(record.sent_at.original, time.to_string());
        let path = record.locator.json_path.as_deref().unwrap();
        assert!(path.starts_with("$.messages[") && path.ends_with(']'), "{path}");
    }
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn chat_miner_instagram_sample_matches_its_target() {
    let dir = inputs().join("instagram/joweich-chat-miner");
    let path = dir.join("test_export.json");
    let sink = read(&Instagram, &path).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    // chat-miner's expected parse: same order (newest first, as the file),
    // author, message, and the UTC time written without a zone. Its
    // semantics agree with ours here; chat-miner drops what we keep
    // (platform, conversation, locators).
    let target: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("target.json")).unwrap()).unwrap();
    assert_eq!(sink.records.len(), target.len());
    for (record, expected) in sink.records.iter().zip(&target) {
        let naive = expected["timestamp"].as_str().unwrap();
        assert_eq!(record.sent_at.utc_ms, ms(&format!("{naive}Z")));
        assert_eq!(record.sent_at.basis, TimeBasis::Utc);
        assert_eq!(sender(record), expected["author"].as_str());
        assert_eq!(record.text, expected["message"].as_str().unwrap());
        assert_eq!(record.platform, "instagram");
        assert!(record.is_message());
        // No thread_path or title in this fixture: the file name keys it.
        assert_eq!(&*record.conversation.native_id, "test_export");
        assert_eq!(record.conversation.name, None);
        assert_eq!(record.locator.entry, None);
    }
    assert_eq!(sink.records[0].sent_at.original, "1579294140000");
    assert_eq!(
        sink.records.iter().map(|r| r.locator.json_path.clone().unwrap()).collect::<Vec<_>>(),
        ["$.messages[0]", "$.messages[1]"]
    );
    check_locators(&path, &sink.records);
    // The Messenger reader reads the same file the same way, but as messenger.
    let as_messenger = read(&Messenger, &path).unwrap();
    assert_eq!(as_messenger.records.len(), 2);
    assert!(as_messenger.records.iter().all(|r| r.platform == "messenger"));
}

#[test]
fn sniffing_tells_facebook_from_instagram_where_the_export_says() {
    let sniff = |path: &Path| {
        let input = Input::open(path).unwrap();
        (Messenger.sniff(&input), Instagram.sniff(&input))
    };
    assert_eq!(sniff(&facebook()), (Confidence::Certain, Confidence::Maybe));
    assert_eq!(detect(&Input::open(&facebook()).unwrap()).unwrap().name(), "messenger");
    let instagram = inputs().join("instagram/dyi");
    assert_eq!(sniff(&instagram), (Confidence::Maybe, Confidence::Certain));
    assert_eq!(detect(&Input::open(&instagram).unwrap()).unwrap().name(), "instagram");
    // The chat-miner file has no marker of its own; its folder is named.
    let chat_miner = inputs().join("instagram/joweich-chat-miner/test_export.json");
    assert_eq!(sniff(&chat_miner), (Confidence::Maybe, Confidence::Certain));

    let dir = tempfile::tempdir().unwrap();
    // A lone thread file without markers could be either.
    let gang =
        std::fs::read(facebook().join(FB).join("inbox/thegang_9876543210/message_1.json")).unwrap();
    let lone = write_temp(&dir, "export/message_1.json", &gang);
    assert_eq!(sniff(&lone), (Confidence::Maybe, Confidence::Maybe));
    let err = match detect(&Input::open(&lone).unwrap()) {
        Ok(format) => panic!("detected {}", format.name()),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("messenger") && err.contains("instagram"), "{err}");
    // A media uri in the first bytes names the export.
    let zoe = std::fs::read(facebook().join(ZOE).join("message_1.json")).unwrap();
    let lone = write_temp(&dir, "zoe/message_1.json", &zoe);
    assert_eq!(sniff(&lone), (Confidence::Certain, Confidence::Maybe));
    // E2EE files come from messenger.com only.
    let e2ee = std::fs::read(facebook().join(FB).join("encrypted/bobjones_42.json")).unwrap();
    let lone = write_temp(&dir, "e2ee/conversation.json", &e2ee);
    assert_eq!(sniff(&lone), (Confidence::Maybe, Confidence::No));
    // Other JSON is not ours.
    for (name, bytes) in [
        ("a/result.json", &br#"{"name": "x", "type": "personal_chat", "messages": []}"#[..]),
        ("b/message_1.json", b"[1, 2, 3]"),
        ("c/data.json", b"\x00\x01binary"),
        ("d/chat.json", br#"{"messages": [{"from": "a", "date": "2020-01-01"}]}"#),
    ] {
        let path = write_temp(&dir, name, bytes);
        assert_eq!(sniff(&path), (Confidence::No, Confidence::No), "{name}");
    }
    let path = write_temp(&dir, "e/messages/inbox/x_1/notes.txt", b"hello");
    assert_eq!(sniff(path.parent().unwrap().parent().unwrap()), (Confidence::No, Confidence::No));
}

#[test]
fn facebook_export_folder() {
    let root = facebook();
    let sink = read(&Messenger, &root).unwrap();
    let records = &sink.records;
    check_locators(&root, records);
    assert!(records.iter().all(|r| r.platform == "messenger" && r.native_id.is_none()));

    // File order: thread folders by name, parts by number, messages as
    // exported (newest first); then E2EE files.
    let summary: Vec<(&str, i64, Option<&str>)> =
        records.iter().map(|r| (&*r.conversation.native_id, r.sent_at.utc_ms, sender(r))).collect();
    assert_eq!(
        summary,
        vec![
            ("archived_threads/oldfriend_555", 1_500_000_000_000, Some("Old Friend")),
            ("inbox/thegang_9876543210", 1_710_000_500_000, Some("Carol")),
            ("inbox/thegang_9876543210", 1_710_000_400_000, Some("Alice")),
            ("inbox/thegang_9876543210", 1_710_000_300_000, Some("Bob")),
            ("inbox/thegang_9876543210", 1_710_000_200_000, Some("Alice")),
            ("inbox/thegang_9876543210", 1_710_000_100_000, Some("Bob")),
            ("inbox/truncated_777", 1_600_000_200_000, Some("Trunc Ated")),
            ("inbox/zoesmith_1234567890", 1_700_000_300_000, Some("José Núñez")),
            ("inbox/zoesmith_1234567890", 1_700_000_200_000, Some("Zoë Smith")),
            ("inbox/zoesmith_1234567890", 1_700_000_100_000, Some("José Núñez")),
            ("inbox/zoesmith_1234567890", 1_700_000_050_000, Some("Zoë Smith")),
            ("inbox/zoesmith_1234567890", 1_700_000_040_000, Some("José Núñez")),
            ("inbox/zoesmith_1234567890", 1_700_000_030_000, Some("Zoë Smith")),
            ("inbox/zoesmith_1234567890", 1_700_000_020_000, Some("José Núñez")),
            ("inbox/zoesmith_1234567890", 1_690_000_100_000, Some("Zoë Smith")),
            ("inbox/zoesmith_1234567890", 1_690_000_000_000, Some("José Núñez")),
            ("encrypted/bobjones_42", 1_720_000_100_000, Some("Bob Jones")),
            ("encrypted/bobjones_42", 1_720_000_000_000, Some("Zoë Smith")),
        ]
    );

    // Two skips: the message with a text timestamp, the truncated file.
    assert_eq!(sink.skips.len(), 2, "{:#?}", sink.skips);
    let broken = &sink.skips[1];
    assert!(broken.file.ends_with(&format!("{ZOE}message_1.json")), "{}", broken.file);
    assert!(
        broken.reason.starts_with("$.messages[4]: `timestamp_ms` \"soon\""),
        "{}",
        broken.reason
    );
    let zoe1 = std::fs::read(root.join(ZOE).join("message_1.json")).unwrap();
    assert!(zoe1[broken.offset as usize..].starts_with(b"{\n      \"sender_name\": \"Jos"));
    let truncated = &sink.skips[0];
    assert!(truncated.file.ends_with("truncated_777/message_1.json"), "{}", truncated.file);
    assert!(truncated.reason.contains("truncated"), "{}", truncated.reason);
    assert!(truncated.reason.ends_with("the file was not read past this point"));
    let cut = std::fs::read(root.join(FB).join("inbox/truncated_777/message_1.json")).unwrap();
    assert!(cut[truncated.offset as usize..].starts_with(
        b"{\n      \"sender_name\": \"Trunc Ated\",\n      \"timestamp_ms\": 1600000100000"
    ));

    // Participants are told as accounts, once each, names repaired.
    let accounts: Vec<&str> = sink.accounts.iter().map(|a| &*a.native_id).collect();
    assert_eq!(
        accounts,
        [
            "Old Friend",
            "Alice",
            "Bob",
            "Carol",
            "Dan",
            "Trunc Ated",
            "Zoë Smith",
            "José Núñez",
            "Bob Jones"
        ]
    );
    assert!(sink.accounts.iter().all(|a| a.display_name.as_deref() == Some(&a.native_id)));

    // Conversation names: `title`, or `threadName` (E2EE), or none.
    assert_eq!(records[0].conversation.name, None);
    assert_eq!(records[1].conversation.name.as_deref(), Some("The Gang"));
    assert_eq!(records[7].conversation.name.as_deref(), Some("Zoë Smith"));
    assert_eq!(records[16].conversation.name.as_deref(), Some("Bob Jones"));
}

#[test]
fn group_membership_calls_and_unknown_types() {
    let sink = read(&Messenger, &facebook()).unwrap();
    let gang: Vec<&Record> = sink
        .records
        .iter()
        .filter(|r| &*r.conversation.native_id == "inbox/thegang_9876543210")
        .collect();
    let targets =
        |r: &Record| r.targets.iter().map(|t| t.native_id.to_string()).collect::<Vec<_>>();
    assert_eq!(gang[0].kind, RecordKind::Event(EventKind::Leave));
    assert_eq!(gang[0].text, "Carol removed Dan from the group.");
    assert_eq!(targets(gang[0]), ["Dan"]);
    assert_eq!(gang[1].kind, RecordKind::Event(EventKind::Join));
    assert_eq!(sender(gang[1]), Some("Alice"));
    assert_eq!(targets(gang[1]), ["Dan"]);
    // Renames are localised sentences: an ordinary message.
    assert_eq!(gang[2].kind, RecordKind::Message);
    assert_eq!(gang[2].text, "Alice named the group The Gang.");
    // A type this reader does not know: an event, kept whole.
    assert_eq!(gang[3].kind, RecordKind::Event(EventKind::Other("Payment".into())));
    assert_eq!(gang[3].text, "Alice sent $5.00.");
    assert!(gang[3].raw.as_deref().unwrap().contains("\"type\": \"Payment\""));
    // A join without a sentence gets a plain one.
    assert_eq!(gang[4].kind, RecordKind::Event(EventKind::Join));
    assert_eq!(gang[4].text, "Bob added Eve");
    assert_eq!(targets(gang[4]), ["Eve"]);
    assert!(gang.iter().take(3).all(|r| r.raw.is_none()));
}

#[test]
fn messages_media_reactions_and_mojibake() {
    let sink = read(&Messenger, &facebook()).unwrap();
    let zoe: Vec<&Record> = sink
        .records
        .iter()
        .filter(|r| &*r.conversation.native_id == "inbox/zoesmith_1234567890")
        .collect();
    assert_eq!(zoe.len(), 9);

    // Mojibake repaired in text, sender, reaction and actor; `false` flags
    // need no raw copy.
    let first = zoe[0];
    assert_eq!(first.text, "Ça va? 😀");
    assert_eq!(first.reactions.len(), 1);
    assert_eq!(first.reactions[0].key, "❤");
    assert_eq!(first.reactions[0].sender_id, "Zoë Smith");
    assert_eq!(first.reactions[0].at, None);
    assert_eq!(first.raw, None);
    assert_eq!(first.sent_at.basis, TimeBasis::Utc);
    assert_eq!(first.sent_at.utc_ms, ms("2023-11-14T22:18:20Z"));

    // Photos and videos: sizes from the listing when the file is there.
    let media = zoe[1];
    assert_eq!(media.text, "");
    let found: Vec<(&str, Option<&str>, Option<u64>)> =
        media.attachments.iter().map(|a| (a.name.as_str(), a.kind.as_deref(), a.size)).collect();
    assert_eq!(
        found,
        [("10001_photo.jpg", Some("image"), Some(12)), ("missing_clip.mp4", Some("video"), None)]
    );
    assert_eq!(media.attachments[0].reference, format!("{ZOE}photos/10001_photo.jpg"));

    // A share: the link, and the share text kept in raw.
    let share = zoe[2];
    assert_eq!(share.urls.len(), 1);
    assert_eq!(share.urls[0].url, "https://example.org/article");
    assert!(share.raw.as_deref().unwrap().contains("share_text"));
    assert!(share.is_message());

    // Unsent: deleted, no text.
    assert!(zoe[3].deleted && zoe[3].text.is_empty() && zoe[3].is_message());
    assert!(zoe.iter().enumerate().all(|(i, r)| r.deleted == (i == 3)));

    // A call is an event, kept whole.
    assert_eq!(zoe[4].kind, RecordKind::Event(EventKind::Other("call".into())));
    assert_eq!(zoe[4].text, "José called you.");
    assert!(zoe[4].raw.as_deref().unwrap().contains("call_duration"));

    // A sticker under messages/stickers_used/.
    let sticker = &zoe[5].attachments;
    assert_eq!(sticker.len(), 1);
    assert_eq!((sticker[0].kind.as_deref(), sticker[0].size), (Some("sticker"), Some(5)));

    // Audio present, file missing, gif by URL (never fetched, no size).
    let found: Vec<(&str, Option<&str>, Option<u64>)> =
        zoe[6].attachments.iter().map(|a| (a.name.as_str(), a.kind.as_deref(), a.size)).collect();
    assert_eq!(
        found,
        [
            ("audioclip_1.mp4", Some("audio"), Some(7)),
            ("report.pdf", Some("file"), None),
            ("giphy.gif", Some("gif"), None)
        ]
    );

    // message_2.json: an unknown key keeps raw; a string that is not
    // mojibake (it has a real U+201C) is left as written.
    assert_eq!(zoe[7].text, "Moi tt façon");
    assert!(zoe[7].raw.as_deref().unwrap().contains("\"ip\""));
    assert_eq!(zoe[8].text, "Smart \u{201c}quotes\u{201d} stay, and so does é");
    assert_eq!(zoe[8].raw, None);
}

#[test]
fn e2ee_conversation_files() {
    let sink = read(&Messenger, &facebook()).unwrap();
    let e2ee: Vec<&Record> = sink
        .records
        .iter()
        .filter(|r| &*r.conversation.native_id == "encrypted/bobjones_42")
        .collect();
    assert_eq!(e2ee.len(), 2);
    assert_eq!(e2ee[0].text, "Photo from the trip — ça va?");
    let photo = &e2ee[0].attachments[0];
    assert_eq!(
        (photo.name.as_str(), photo.kind.as_deref(), photo.size),
        ("photo_1.jpg", Some("image"), Some(5))
    );
    assert_eq!(e2ee[0].reactions[0].key, "👍");
    assert_eq!(e2ee[0].reactions[0].sender_id, "Zoë Smith");
    assert!(!e2ee[0].deleted && e2ee[1].deleted);
    assert_eq!(e2ee[1].sent_at.original, "1720000000000");
    assert!(e2ee.iter().all(|r| r.raw.is_none() && r.is_message()));
}

#[test]
fn zipped_export_reads_the_same() {
    let root = facebook();
    let dir = tempfile::tempdir().unwrap();
    let mut entries = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(folder) = stack.pop() {
        for item in std::fs::read_dir(folder).unwrap() {
            let path = item.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                entries.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    let zip = dir.path().join("export.zip");
    trove_testkit::zipfile::write_zip(&zip, &entries).unwrap();
    let from_zip = read(&Messenger, &zip).unwrap();
    let from_dir = read(&Messenger, &root).unwrap();
    // Locator entries are member names in both.
    assert_eq!(from_zip.records, from_dir.records);
    assert_eq!(from_zip.accounts, from_dir.accounts);
    let offsets =
        |s: &VecSink| s.skips.iter().map(|k| (k.offset, k.reason.clone())).collect::<Vec<_>>();
    assert_eq!(offsets(&from_zip), offsets(&from_dir));
    assert!(from_zip.skips[0].file.contains("export.zip!your_facebook_activity/"));
    assert_eq!(Messenger.sniff(&Input::open(&zip).unwrap()), Confidence::Certain);
}

#[test]
fn instagram_export() {
    let root = inputs().join("instagram/dyi");
    let sink = read(&Instagram, &root).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    check_locators(&root, &sink.records);
    let r = &sink.records;
    assert_eq!(r.len(), 3);
    assert!(r.iter().all(|r| r.platform == "instagram"
        && &*r.conversation.native_id == "inbox/john_17841400000000000"
        && r.conversation.name.as_deref() == Some("Jöhn Doe")));
    assert_eq!(r[0].attachments[0].size, Some(8));
    assert_eq!(r[1].urls[0].url, "https://www.instagram.com/p/ABC123/");
    assert!(r[1].raw.as_deref().unwrap().contains("original_content_owner"));
    assert_eq!(r[2].text, "Grüße aus Köln 🇩🇪");
    assert_eq!(sender(&r[2]), Some("Jöhn Doe"));
    let reactions: Vec<(&str, &str)> =
        r[2].reactions.iter().map(|x| (x.key.as_str(), x.sender_id.as_str())).collect();
    assert_eq!(reactions, [("❤", "Jane Roe"), ("😂", "Jöhn Doe")]);
    assert_eq!(sink.accounts.len(), 2);
}

#[test]
fn a_truncated_single_file_gives_its_first_messages_and_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes =
        std::fs::read(facebook().join(FB).join("inbox/truncated_777/message_1.json")).unwrap();
    let path = write_temp(&dir, "message_1.json", &bytes);
    let input = Input::open(&path).unwrap();
    let mut sink = VecSink::default();
    let err = Messenger.read(&input, &ReadOptions::default(), &mut sink).unwrap_err();
    match &err {
        ReadError::Invalid { file, offset: Some(offset), reason } => {
            assert!(file.ends_with("message_1.json"));
            assert!(bytes[*offset as usize..].starts_with(
                b"{\n      \"sender_name\": \"Trunc Ated\",\n      \"timestamp_ms\": 1600000100000"
            ));
            assert!(reason.contains("truncated"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // The header (after the messages) was never reached: the folder name keys it.
    assert_eq!(sink.records.len(), 1);
    assert_eq!(sink.records[0].text, "I was written before the cut");
    assert_eq!(
        &*sink.records[0].conversation.native_id,
        dir.path().file_name().unwrap().to_string_lossy()
    );
}

#[test]
fn broken_single_files_are_errors_or_skips_with_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[u8], u64, &str)] = &[
        ("a.json", b"[1, 2]", 0, "expected a JSON object"),
        ("b.json", b"", 0, "empty file"),
        ("c.json", b"\xff\xfe{", 0, "expected a JSON object"),
        (
            "d.json",
            b"{\"messages\": [{\"sender_name\": \"a\", \"timestamp_ms\": 1}] trailing",
            55,
            "expected `,` or `}`",
        ),
    ];
    for (name, bytes, offset, reason) in cases {
        let path = write_temp(&dir, name, bytes);
        let err = read(&Messenger, &path).unwrap_err();
        match err {
            ReadError::Invalid { offset: Some(at), reason: r, .. } => {
                assert_eq!(at, *offset, "{name}: {r}");
                assert!(r.contains(reason), "{name}: {r}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // A file without a messages list is reported, not an error.
    let path = write_temp(&dir, "e.json", br#"{"title": "x", "messages": 5}"#);
    let sink = read(&Messenger, &path).unwrap();
    assert!(sink.records.is_empty());
    let reasons: Vec<&str> = sink.skips.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["`messages` is not a list", "no `messages` list: not a Messenger/Instagram thread file"]
    );
    assert_eq!(sink.skips[0].offset, 15);
    // Broken messages are skipped one by one, with offsets.
    let text = br#"{"messages": [5, {"timestamp_ms": 1}, {"sender_name": 7, "timestamp_ms": 2}, {"sender_name": "b"}, {"sender_name": "c", "timestamp_ms": 1e3}, {"sender_name": "d", "timestamp_ms": 99999999999999999}, {"sender_name": "e", "timestamp_ms": 3, "photos": 1}]}"#;
    let path = write_temp(&dir, "f.json", text);
    let sink = read(&Messenger, &path).unwrap();
    // A sender or a list of an odd shape costs that field, with a notice;
    // the message keeps its JSON.
    assert_eq!(sink.records.len(), 3);
    assert_eq!(sink.records[0].sender, None);
    assert_eq!(sink.records[1].sender, None);
    assert!(sink.records[1].raw.is_some());
    assert_eq!(sink.records[2].sender.as_ref().map(|s| &*s.native_id), Some("e"));
    let notices: Vec<(u64, &str)> =
        sink.notices.iter().map(|n| (n.offset, n.reason.as_str())).collect();
    let at = |needle: &str| memchr::memmem::find(text, needle.as_bytes()).unwrap() as u64;
    assert_eq!(
        notices,
        [
            (
                at("{\"sender_name\": 7"),
                "$.messages[2]: messenger `sender_name` is not a string: 7 (the message keeps its \
                 JSON)"
            ),
            (
                at("{\"sender_name\": \"e\""),
                "$.messages[6]: messenger `photos` is not a list (the message keeps its JSON)"
            ),
        ]
    );
    let skips: Vec<(u64, &str)> =
        sink.skips.iter().map(|s| (s.offset, s.reason.as_str())).collect();
    assert_eq!(
        skips,
        [
            (
                at("5,"),
                "$.messages[0]: not a message object: invalid type: integer `5`, expected a map"
            ),
            (at("{\"sender_name\": \"b\""), "$.messages[3]: message has no timestamp_ms"),
            (
                at("{\"sender_name\": \"c\""),
                "$.messages[4]: `timestamp_ms` 1000.0 is not an integer of milliseconds"
            ),
            (
                at("{\"sender_name\": \"d\""),
                "$.messages[5]: `timestamp_ms` 99999999999999999 is out of range"
            ),
        ]
    );
}

#[test]
fn oversized_messages_are_skipped_not_buffered() {
    let options = ReadOptions { max_record_bytes: 300, ..ReadOptions::default() };
    let path = facebook().join(ZOE).join("message_1.json");
    let sink = read_with(&Messenger, &path, &options).unwrap();
    let full = read(&Messenger, &path).unwrap();
    let over: Vec<&Skip> =
        sink.skips.iter().filter(|s| s.reason.contains("max_record_bytes")).collect();
    assert!(!over.is_empty());
    assert_eq!(sink.records.len() + over.len() + 1, full.records.len() + 1);
    for skip in &over {
        assert!(skip.reason.starts_with("$.messages["), "{}", skip.reason);
    }
    // The header still names the thread.
    assert!(sink.records.iter().all(|r| &*r.conversation.native_id == "inbox/zoesmith_1234567890"));
}

#[test]
fn a_stopping_sink_stops_the_reader() {
    struct StopAtOnce(usize);
    impl Sink for StopAtOnce {
        fn record(&mut self, _: Record) -> Result<(), Stop> {
            self.0 += 1;
            Err(Stop("enough".into()))
        }
        fn skip(&mut self, _: Skip) {}
    }
    let input = Input::open(&facebook()).unwrap();
    let mut sink = StopAtOnce(0);
    let err = Messenger.read(&input, &ReadOptions::default(), &mut sink).unwrap_err();
    assert!(matches!(err, ReadError::Stopped(ref why) if why == "enough"), "{err:?}");
    assert_eq!(sink.0, 1);
}

#[test]
fn an_input_without_thread_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write_temp(&dir, "notes/readme.txt", b"nothing here");
    let err = read(&Messenger, dir.path()).unwrap_err();
    assert!(err.to_string().contains("no Messenger/Instagram thread files"), "{err}");
}

#[test]
fn mojibake_repair_is_public_and_conservative() {
    assert_eq!(repair_mojibake("Zo\u{00c3}\u{00ab}"), "Zoë");
    assert_eq!(repair_mojibake("Zoë"), "Zoë");
    assert_eq!(repair_mojibake("\u{201c}x\u{201d}"), "\u{201c}x\u{201d}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), small in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(&dir, "message_1.json", &bytes);
        let input = Input::open(&path).unwrap();
        let _ = Messenger.sniff(&input);
        let _ = Instagram.sniff(&input);
        let options = ReadOptions { max_record_bytes: if small { 8 } else { 1 << 20 }, ..ReadOptions::default() };
        let mut sink = VecSink::default();
        let _ = Messenger.read(&input, &options, &mut sink);
        for record in &sink.records {
            prop_assert!(record.locator.offset + record.locator.length <= bytes.len() as u64);
        }
        for skip in &sink.skips {
            prop_assert!(skip.offset <= bytes.len() as u64);
        }
    }

    #[test]
    fn a_cut_file_gives_a_prefix_of_its_messages(cut in 0usize..3000, flip in proptest::option::of((0usize..3000, any::<u8>()))) {
        let full = std::fs::read(facebook().join(ZOE).join("message_1.json")).unwrap();
        let whole = read(&Messenger, &facebook().join(ZOE).join("message_1.json")).unwrap();
        let mut bytes = full[..cut.min(full.len())].to_vec();
        let dir = tempfile::tempdir().unwrap();
        if let Some((at, byte)) = flip {
            if let Some(b) = bytes.get_mut(at) {
                *b = byte;
            }
            let path = write_temp(&dir, "message_1.json", &bytes);
            let _ = read(&Messenger, &path);
        } else {
            let path = write_temp(&dir, "message_1.json", &bytes);
            let input = Input::open(&path).unwrap();
            let mut sink = VecSink::default();
            let _ = Messenger.read(&input, &ReadOptions::default(), &mut sink);
            let key = |r: &Record| (r.sent_at.clone(), r.text.clone(), r.sender.clone());
            let got: Vec<_> = sink.records.iter().map(key).collect();
            let want: Vec<_> = whole.records.iter().map(key).take(got.len()).collect();
            prop_assert_eq!(got, want);
        }
    }
}

/// A thread file with a BOM and CRLF line ends: a genuine message first,
/// then copies with one optional field each given a shape the reader does
/// not expect, and a very long text.
fn odd_shapes_thread(dir: &tempfile::TempDir) -> (PathBuf, String) {
    let msg = |n: u32, rest: &str| {
        format!(r#"{{"sender_name": "Zoe Smith", "timestamp_ms": 16000000{n:02}000, {rest}}}"#)
    };
    let long = "x".repeat(100_000);
    let docs = [
        msg(
            1,
            r#""content": "genuine", "photos": [{"uri": "photos/a.jpg"}],
               "reactions": [{"reaction": "👍", "actor": "Ann Lee"}]"#,
        ),
        msg(2, r#""content": "b", "reactions": {}"#),
        msg(3, r#""content": "c", "photos": {"uri": "photos/c.jpg"}"#),
        msg(4, r#""content": "d", "share": "https://example.org/d""#),
        msg(5, r#""content": 5"#),
        msg(6, r#""content": "f", "is_unsent": "yes""#),
        msg(7, r#""content": "g", "reactions": [5]"#),
        msg(8, r#""content": "h", "photos": [{"uri": 5}]"#),
        msg(9, r#""content": "i", "sticker": []"#),
        msg(10, r#""content": "j", "type": "Generic", "users": {}"#),
        msg(11, r#""content": "‏שלום\u200b e\u0301 🙂""#),
        msg(12, &format!(r#""content": "{long}""#)),
        msg(13, r#""content": "m", "reactions": null, "photos": null"#),
        msg(14, r#""content": "n", "share": {"link": 5}"#),
        msg(15, r#""content": "o", "type": 15"#),
    ];
    let body = format!(
        "\u{feff}{{\"participants\": [{{\"name\": \"Zoe Smith\"}}], \"title\": \"Zoe Smith\",\r\n\
         \"messages\": [\r\n{}\r\n]}}\r\n",
        docs.join(",\r\n")
    );
    (write_temp(dir, "message_1.json", body.as_bytes()), long)
}

/// One message of each odd shape: every message comes out with its sender,
/// time and text; a field of the wrong kind is dropped with a notice and
/// the message keeps its JSON in `raw`.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let (path, long) = odd_shapes_thread(&dir);
    let sink = read(&Messenger, &path).unwrap();
    let got: Vec<(i64, &str, bool)> = sink
        .records
        .iter()
        .map(|r| ((r.sent_at.utc_ms - 1_600_000_000_000) / 1000, r.text.as_str(), r.raw.is_some()))
        .collect();
    // Every message is kept; one whose field had an odd shape keeps its
    // JSON in `raw` and has a notice naming the field.
    let kept: Vec<(i64, &str, bool)> = vec![
        (1, "genuine", false),
        (2, "b", true),
        (3, "c", true),
        (4, "d", true),
        (5, "", true),
        (6, "f", true),
        (7, "g", true),
        (8, "h", true),
        (9, "i", true),
        (10, "j", true),
        (11, "\u{200f}שלום\u{200b} e\u{301} 🙂", false),
        (12, long.as_str(), false),
        (13, "m", false),
        (14, "n", true),
        (15, "o", true),
    ];
    assert_eq!(got.len(), kept.len());
    for (g, k) in got.iter().zip(&kept) {
        assert_eq!(g, k);
    }
    for record in &sink.records {
        assert!(record.is_message());
        assert_eq!(sender(record), Some("Zoe Smith"));
    }
    let genuine = &sink.records[0];
    assert_eq!((genuine.attachments.len(), genuine.reactions.len()), (1, 1));
    assert!(sink.records[1..].iter().all(|r| r.attachments.is_empty() && r.reactions.is_empty()));
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    let dropped: Vec<&str> = sink
        .notices
        .iter()
        .map(|n| {
            assert_eq!(n.kind, trove_readers::NoticeKind::FieldDropped);
            n.reason
                .split(": messenger ")
                .nth(1)
                .unwrap()
                .trim_end_matches(" (the message keeps its JSON)")
        })
        .collect();
    assert_eq!(
        dropped,
        [
            "`reactions` is not a list",
            "`photos` is not a list",
            "`share` is not an object",
            "`content` is not a string: 5",
            "`is_unsent` is not true or false: \"yes\"",
            "`users` is not a list",
            "`share.link` is not a string: 5",
            "`type` is not a string: 15",
        ]
    );
    check_locators(&path, &sink.records);
}

/// What the issue asks: `share: {"link": 5}` loses its link; the message
/// should keep its JSON or report the field dropped.
#[test]
fn odd_shaped_share_link_is_kept_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = odd_shapes_thread(&dir);
    let sink = read(&Messenger, &path).unwrap();
    let record = sink.records.iter().find(|r| r.text == "n").unwrap();
    assert!(
        record.raw.is_some()
            || sink.notices.iter().any(|n| n.kind == trove_readers::NoticeKind::FieldDropped
                && n.offset == record.locator.offset),
        "{:?}",
        record.urls
    );
}
