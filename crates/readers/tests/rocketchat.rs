//! The Rocket.Chat reader against a hand-made dump in the shapes leaks
//! show (`inputs/rocketchat/dump`: no real dump can be bundled): REST
//! `{"messages": [...]}` day files per room, `rooms.json`/`users.json` side
//! files, a bare array, a mongoexport of `rocketchat_message` with `$date`
//! times, an upload present in the dump, a truncated day file and a
//! stranger JSON file.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::value::RawValue;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::rocketchat::RocketChat;
use trove_readers::{Confidence, Format, Input, ReadError, ReadOptions, Sink, Skip, Stop, VecSink};

const ALICE: &str = "aLiCe2Qx7Hn4Kp9Wm";
const BOB: &str = "b0bZ8Yr3Tq6Lm2Nv5";
const CAROL: &str = "CaRoL5Gh8Jk2Mn4Pq";
const OPS: &str = "GoPs7Tx2Wq9Zr4Ky";
const PLAIN: &str = "Pl41nMsg0000000a1";
const PARENT: &str = "Thr34dP4r3nt00001";

fn dump() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/rocketchat/dump")
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    RocketChat.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn read(path: &Path) -> Result<VecSink, ReadError> {
    read_with(path, &ReadOptions::default())
}

fn sniff(path: &Path) -> Confidence {
    RocketChat.sniff(&Input::open(path).unwrap())
}

fn by_id<'a>(sink: &'a VecSink, id: &str) -> &'a Record {
    sink.records
        .iter()
        .find(|r| r.native_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no record {id}"))
}

/// Every locator slices its file to the JSON object whose `_id` is the
/// record's native id.
fn check_locators(root: &Path, sink: &VecSink) {
    let mut cache: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    for record in &sink.records {
        let file = match &record.locator.entry {
            Some(entry) => root.join(&**entry),
            None => root.to_path_buf(),
        };
        let bytes = cache.entry(file.clone()).or_insert_with(|| std::fs::read(&file).unwrap());
        let start = record.locator.offset as usize;
        let slice = &bytes[start..start + record.locator.length as usize];
        let value: HashMap<String, Box<RawValue>> = serde_json::from_slice(slice).unwrap();
        let id: String = serde_json::from_str(value["_id"].get()).unwrap();
        assert_eq!(Some(id.as_str()), record.native_id.as_deref(), "{}", record.locator.render());
    }
}

#[test]
fn dump_counts_locators_and_skips() {
    let sink = read(&dump()).unwrap();
    // day 1: 15 elements, 2 unreadable; day 2: 3, two repeats; day 3: 1
    // before the cut; dm: 1; mongo: 3; ops: 3.
    assert_eq!(sink.records.len(), 13 + 1 + 1 + 1 + 3 + 3);
    check_locators(&dump(), &sink);
    for r in &sink.records {
        assert_eq!(r.platform, "rocketchat");
    }
    let skips: Vec<String> =
        sink.skips.iter().map(|s| format!("{}@{}: {}", s.file, s.offset, s.reason)).collect();
    assert_eq!(sink.skips.len(), 5, "{skips:#?}");
    let day1 = std::fs::read(dump().join("GENERAL/2020-09-24.json")).unwrap();
    assert!(sink.skips[0].file.ends_with("GENERAL/2020-09-24.json"));
    assert!(skips[0].contains("$.messages[13]: message has no `rid`"), "{skips:#?}");
    assert!(day1[sink.skips[0].offset as usize..].starts_with(b"{"));
    assert!(skips[1].contains("$.messages[14]: unreadable time `not a date`"), "{skips:#?}");
    assert!(sink.skips[2].file.ends_with("GENERAL/2020-09-25.json"));
    assert!(skips[2].contains(&format!("message {PLAIN} repeats with different content")));
    assert!(skips[2].contains("GENERAL/2020-09-24.json byte"), "{skips:#?}");
    assert!(sink.skips[3].file.ends_with("GENERAL/2020-09-26.json"));
    assert!(skips[3].contains("truncated") && skips[3].contains("1 messages read"), "{skips:#?}");
    let day3 = std::fs::read(dump().join("GENERAL/2020-09-26.json")).unwrap();
    assert!(
        day3[sink.skips[3].offset as usize..]
            .starts_with(b"{\n      \"_id\": \"Cut0000000000002a\"")
    );
    assert!(sink.skips[4].file.ends_with("settings.json"));
    assert!(skips[4].contains("not a Rocket.Chat message file"), "{skips:#?}");

    // users.json labels, told to the sink.
    assert_eq!(sink.accounts.len(), 3);
    let alice = sink.accounts.iter().find(|a| &*a.native_id == ALICE).unwrap();
    assert_eq!(alice.display_name.as_deref(), Some("Alice Archer"));
    assert_eq!(alice.handle.as_deref(), Some("alice"));
}

#[test]
fn messages() {
    let sink = read(&dump()).unwrap();
    let plain = by_id(&sink, PLAIN);
    // The first copy is kept (the later, edited copy is reported).
    assert!(plain.locator.entry.as_deref().unwrap().ends_with("GENERAL/2020-09-24.json"));
    assert_eq!(plain.locator.json_path.as_deref(), Some("$.messages[1]"));
    assert_eq!(plain.text, "Привет всем! Check https://example.org/q3 &amp; more");
    assert_eq!(&*plain.conversation.native_id, "GENERAL");
    assert_eq!(plain.conversation.name.as_deref(), Some("general"));
    assert_eq!(plain.sent_at.utc_ms, 1_600_934_700_000);
    assert_eq!(plain.sent_at.basis, TimeBasis::Utc);
    assert_eq!(plain.sent_at.original, "2020-09-24T08:05:00.000Z");
    let sender = plain.sender.as_ref().unwrap();
    assert_eq!(
        (&*sender.native_id, sender.display_name.as_deref(), sender.handle.as_deref()),
        (ALICE, Some("Alice Archer"), Some("alice"))
    );
    assert_eq!(plain.urls.len(), 1);
    assert_eq!(plain.urls[0].url, "https://example.org/q3");
    // Usernames become ids through users.json; an unknown one stays.
    let reactions: Vec<(&str, &str)> =
        plain.reactions.iter().map(|r| (r.key.as_str(), r.sender_id.as_str())).collect();
    assert_eq!(reactions, vec![(":fire:", "mallory"), (":thumbsup:", BOB), (":thumbsup:", CAROL)]);

    let edited = by_id(&sink, "Ed1t3dMsg00000001");
    assert_eq!(edited.edited_at.as_ref().unwrap().utc_ms, 1_600_935_000_000);
    assert!(edited.edits.is_empty());

    let parent = by_id(&sink, PARENT);
    assert_eq!(parent.thread.as_deref(), Some(PARENT));
    assert_eq!(parent.reply_to, None);
    let reply = by_id(&sink, "Th4r3ply00000001a");
    assert_eq!(reply.thread.as_deref(), Some(PARENT));
    assert_eq!(reply.reply_to.as_deref(), Some(PARENT));

    // An upload present in the dump: its path and listed size; the caption
    // is the text.
    let upload = by_id(&sink, "Upl0adMsg0000001a");
    assert_eq!(upload.text, "Q3 numbers");
    assert_eq!(upload.attachments.len(), 1);
    let file = &upload.attachments[0];
    assert_eq!(file.name, "report.pdf");
    assert_eq!(file.reference, "uploads/F1le1d00000000000-report.pdf");
    assert_eq!(
        file.size,
        Some(std::fs::metadata(dump().join("uploads/F1le1d00000000000-report.pdf")).unwrap().len())
    );
    assert_eq!(file.kind.as_deref(), Some("application/pdf"));
    // One that is not: its upload path, type and size from the attachment.
    let image = by_id(&sink, "Upl0adMsg0000002a");
    assert_eq!(image.text, "");
    assert_eq!(image.attachments.len(), 1);
    let file = &image.attachments[0];
    assert_eq!(
        (file.name.as_str(), file.reference.as_str(), file.kind.as_deref(), file.size),
        ("shot.png", "/file-upload/Im4ge1d0000000000/shot.png", Some("image/png"), Some(51234))
    );

    // A quote replies to the quoted message.
    let quote = by_id(&sink, "Qu0t3Msg00000001a");
    assert_eq!(quote.reply_to.as_deref(), Some(PLAIN));
    assert!(quote.attachments.is_empty());
    assert!(quote.raw.is_some());

    // An integration post: alias as display name, the card as text.
    let bot = by_id(&sink, "B0tMsg00000000001");
    let sender = bot.sender.as_ref().unwrap();
    assert_eq!(
        (&*sender.native_id, sender.display_name.as_deref(), sender.handle.as_deref()),
        ("rocket.cat", Some("Deploy Bot"), Some("rocket.cat"))
    );
    assert_eq!(bot.text, "Build 42 passed\nall green");
    assert_eq!(bot.urls[0].url, "https://ci.example.org/builds/42");
    assert!(bot.raw.is_some());

    // A deleted message keeps its place.
    let deleted = by_id(&sink, "D3l3t3d0000000001");
    assert!(deleted.deleted && deleted.is_message());
    assert_eq!(deleted.text, "");

    // Rooms: private by fname, DMs by their members.
    let ops = by_id(&sink, "0psMsg0000000001a");
    assert_eq!(&*ops.conversation.native_id, OPS);
    assert_eq!(ops.conversation.name.as_deref(), Some("Ops Team"));
    let dm = by_id(&sink, "Dm00000000000001a");
    assert_eq!(&*dm.conversation.native_id, format!("{ALICE}{BOB}"));
    assert_eq!(dm.conversation.name.as_deref(), Some("alice, bob"));
    assert_eq!(dm.locator.json_path.as_deref(), Some("$[0]"));
}

#[test]
fn system_messages_and_history() {
    let sink = read(&dump()).unwrap();
    let join = by_id(&sink, "J0in000000000000a");
    assert_eq!(join.kind, RecordKind::Event(EventKind::Join));
    assert_eq!(&*join.sender.as_ref().unwrap().native_id, ALICE);
    assert_eq!(&*join.targets[0].native_id, ALICE);
    let added = by_id(&sink, "Add3dUser0000001a");
    assert_eq!(added.kind, RecordKind::Event(EventKind::Join));
    assert_eq!(&*added.sender.as_ref().unwrap().native_id, ALICE);
    assert_eq!(&*added.targets[0].native_id, CAROL);
    assert_eq!(added.targets[0].handle.as_deref(), Some("carol"));
    let left = by_id(&sink, "L3ft0000000000001");
    assert_eq!(left.kind, RecordKind::Event(EventKind::Leave));
    assert_eq!(&*left.targets[0].native_id, CAROL);
    let removed = by_id(&sink, "R3m0v3d0000000001");
    assert_eq!(removed.kind, RecordKind::Event(EventKind::Leave));
    assert_eq!(&*removed.sender.as_ref().unwrap().native_id, ALICE);
    assert_eq!(&*removed.targets[0].native_id, BOB);
    assert_eq!(removed.targets[0].display_name.as_deref(), Some("Bob Baker"));
    let renamed = by_id(&sink, "R3nam3d0000000001");
    assert_eq!(renamed.kind, RecordKind::Event(EventKind::Rename));
    assert_eq!(renamed.conversation.name.as_deref(), Some("general-chat"));
    assert_eq!(&*renamed.conversation.native_id, "GENERAL");
    let topic = by_id(&sink, "T0p1c000000000001");
    assert_eq!(topic.kind, RecordKind::Event(EventKind::Other("room_changed_topic".into())));
    assert_eq!(topic.text, "Q3 planning");
    assert!(topic.raw.as_deref().unwrap().contains("room_changed_topic"));

    // An earlier version kept by message history points at its message.
    let history = by_id(&sink, "H1dd3n0000000001a");
    assert_eq!(history.kind, RecordKind::Event(EventKind::Other("history".into())));
    assert_eq!(history.reply_to.as_deref(), Some("0psMsg0000000001a"));
    assert_eq!(history.text, "ops ONLY (first version)");
}

#[test]
fn mongo_dates() {
    let sink = read(&dump()).unwrap();
    let ms = by_id(&sink, "M0ng00000000001aa");
    assert_eq!(
        (ms.sent_at.utc_ms, ms.sent_at.original.as_str()),
        (1_600_978_804_571, "1600978804571")
    );
    assert_eq!(ms.sent_at.basis, TimeBasis::Utc);
    assert_eq!(ms.locator.json_path, None);
    let long = by_id(&sink, "M0ng00000000002aa");
    assert_eq!(long.sent_at.utc_ms, 1_600_978_805_000);
    let iso = by_id(&sink, "M0ng00000000003aa");
    assert_eq!(iso.sent_at.utc_ms, 1_600_978_806_000);
    assert_eq!(iso.sent_at.original, "2020-09-24T20:20:06.000Z");
    assert_eq!(iso.edited_at.as_ref().unwrap().utc_ms, 1_600_978_900_000);
    // The three documents sit on consecutive lines.
    let lines: Vec<u64> = [ms, long, iso].iter().map(|r| r.locator.offset).collect();
    let bytes = std::fs::read(dump().join("mongo/rocketchat_message.json")).unwrap();
    for offset in &lines[1..] {
        assert_eq!(bytes[*offset as usize - 1], b'\n');
    }

    let alone = read(&dump().join("mongo/rocketchat_message.json")).unwrap();
    assert_eq!(alone.records.len(), 3);
    assert!(alone.skips.is_empty());
    check_locators(&dump().join("mongo/rocketchat_message.json"), &alone);
}

#[test]
fn sniffing() {
    assert_eq!(sniff(&dump()), Confidence::Certain);
    let input = Input::open(&dump()).unwrap();
    assert_eq!(trove_readers::detect(&input).unwrap().name(), "rocketchat");
    // A folder of day files without the room list, and single files.
    assert_eq!(sniff(&dump().join("GENERAL")), Confidence::Maybe);
    assert_eq!(sniff(&dump().join("GENERAL/2020-09-24.json")), Confidence::Maybe);
    assert_eq!(sniff(&dump().join("mongo/rocketchat_message.json")), Confidence::Maybe);
    assert_eq!(sniff(&dump().join("rooms.json")), Confidence::No);
    assert_eq!(sniff(&dump().join("settings.json")), Confidence::No);
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs");
    assert_eq!(sniff(&inputs.join("discord/export")), Confidence::No);
    assert_eq!(sniff(&inputs.join("slack/handmade")), Confidence::No);
    assert_eq!(
        sniff(&inputs.join("slack/hfaran-slack-export-viewer/testarchive.zip")),
        Confidence::No
    );
}

#[test]
fn a_day_file_alone() {
    let path = dump().join("GENERAL/2020-09-24.json");
    let sink = read(&path).unwrap();
    assert_eq!(sink.records.len(), 13);
    assert_eq!(sink.skips.len(), 2);
    check_locators(&path, &sink);
    // Without rooms.json and users.json: ids, and the labels messages carry.
    let plain = by_id(&sink, PLAIN);
    assert_eq!(plain.conversation.name, None);
    assert_eq!(plain.locator.entry, None);
    let reactions: Vec<&str> = plain.reactions.iter().map(|r| r.sender_id.as_str()).collect();
    assert_eq!(reactions, vec!["mallory", "bob", "carol"]);
    assert_eq!(
        by_id(&sink, "Upl0adMsg0000001a").attachments[0].reference,
        "/file-upload/F1le1d00000000000/report.pdf"
    );
}

#[test]
fn unreadable_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("day.json");
    std::fs::write(&garbage, b"\x00\x01garbage").unwrap();
    let err = read(&garbage).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("day.json") && shown.contains("at byte 0"), "{shown}");
    std::fs::write(&garbage, b"{\"rooms\": []}").unwrap();
    let err = read(&garbage).unwrap_err();
    assert!(err.to_string().contains("no `messages` array"), "{err}");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("rooms.json"), b"[]").unwrap();
    let err = read(&empty).unwrap_err();
    assert!(err.to_string().contains("no Rocket.Chat message files"), "{err}");
}

#[test]
fn oversized_messages_are_skipped_and_reading_goes_on() {
    let path = dump().join("GENERAL/2020-09-24.json");
    let options = ReadOptions { max_record_bytes: 600, ..ReadOptions::default() };
    let sink = read_with(&path, &options).unwrap();
    let big: Vec<&Skip> =
        sink.skips.iter().filter(|s| s.reason.contains("max_record_bytes")).collect();
    assert!(!big.is_empty());
    assert_eq!(sink.records.len() + big.len(), 13);
    let bytes = std::fs::read(&path).unwrap();
    for skip in big {
        assert!(bytes[skip.offset as usize..].starts_with(b"{"));
    }
}

#[test]
fn a_sink_can_stop_the_reader() {
    struct StopAfter(usize);
    impl Sink for StopAfter {
        fn record(&mut self, _: Record) -> Result<(), Stop> {
            if self.0 == 0 {
                return Err(Stop("enough".into()));
            }
            self.0 -= 1;
            Ok(())
        }
        fn skip(&mut self, _: Skip) {}
    }
    let input = Input::open(&dump()).unwrap();
    let err = RocketChat.read(&input, &ReadOptions::default(), &mut StopAfter(2)).unwrap_err();
    assert!(matches!(err, ReadError::Stopped(ref why) if why == "enough"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..400),
        structured in "[\\[\\]{}\",:a-z0-9 .$\\\\_]{0,200}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("day.json");
        for tail in [body.as_slice(), structured.as_bytes()] {
            for head in [&b"{\"messages\": [{\"_id\": \"a\", \"rid\": \"r\", "[..], b"{\"_id\": \"a\", \"rid\": \"r\", \"ts\": ", b""] {
                let mut data = head.to_vec();
                data.extend_from_slice(tail);
                std::fs::write(&path, &data).unwrap();
                let _ = sniff(&path);
                match read(&path) {
                    Ok(sink) => {
                        for r in &sink.records {
                            prop_assert!(r.locator.offset + r.locator.length <= data.len() as u64);
                        }
                        for s in &sink.skips {
                            prop_assert!(s.offset <= data.len() as u64);
                        }
                    }
                    Err(e) => prop_assert!(e.to_string().contains("day.json"), "{}", e),
                }
            }
        }
    }
}

/// One message of each odd shape real dumps hold, in a day file with a BOM
/// and CRLF line ends: every message comes out, each odd field dropped with
/// a notice naming it, none skipped whole.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let head = r#""rid": "GENERAL", "ts": "2021-11-23T09:08:16.000Z""#;
    let user = r#""u": {"_id": "u1", "username": "alice"}"#;
    let docs = [
        format!(r#"{{"_id": "m01", {head}, {user}, "msg": "a", "reactions": []}}"#),
        format!(r#"{{"_id": "m02", {head}, {user}, "msg": "b", "reactions": null}}"#),
        format!(r#"{{"_id": "m03", {head}, {user}, "msg": "c", "attachments": {{}}}}"#),
        format!(r#"{{"_id": "m04", {head}, {user}, "msg": "d", "editedAt": {{}}}}"#),
        format!(r#"{{"_id": "m05", {head}, "u": {{"_id": "u2", "name": 7}}, "msg": "e"}}"#),
        format!(r#"{{"_id": "m06", {head}, {user}, "msg": "f", "tmid": {{}}}}"#),
        format!(r#"{{"_id": "m07", {head}, {user}, "msg": "‏שלום\u200b e\u0301 🙂"}}"#),
        format!(
            r#"{{"_id": "m08", {head}, {user}, "msg": "g", "tcount": "3",
                "file": {{"_id": "f1", "name": "x.pdf", "size": "123"}}}}"#
        ),
        format!(r#"{{"_id": "m09", {head}}}"#),
        format!(
            r#"{{"_id": "m10", {head}, {user}, "msg": "",
                "attachments": [{{"title": 5, "text": "card"}}, 7]}}"#
        ),
        format!(r#"{{"_id": "m11", {head}, {user}, "msg": "h", "_hidden": "yes"}}"#),
        format!(r#"{{"_id": 12, {head}, {user}, "msg": 13}}"#),
    ];
    let body = format!("\u{feff}{{\"messages\": [\r\n{}\r\n]}}\r\n", docs.join(",\r\n"));
    std::fs::create_dir_all(dir.path().join("GENERAL")).unwrap();
    std::fs::write(dir.path().join("GENERAL/2021-11-23.json"), body).unwrap();
    let sink = read(dir.path()).unwrap();
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    let ids: Vec<&str> = sink.records.iter().filter_map(|r| r.native_id.as_deref()).collect();
    assert_eq!(
        ids,
        ["m01", "m02", "m03", "m04", "m05", "m06", "m07", "m08", "m09", "m10", "m11", "12"]
    );
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts,
        ["a", "b", "c", "d", "e", "f", "‏שלום\u{200b} e\u{301} 🙂", "g", "", "card", "h", ""]
    );
    let notices: Vec<(&str, &str)> = sink
        .notices
        .iter()
        .map(|n| {
            (
                n.reason.as_str(),
                sink.records
                    .iter()
                    .find(|r| r.locator.offset == n.offset)
                    .unwrap()
                    .native_id
                    .as_deref()
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notices,
        [
            ("rocketchat reactions (expected an object, found an array)", "m01"),
            ("rocketchat attachments (expected an array, found an object)", "m03"),
            ("rocketchat editedAt (unreadable time {}: expected {\"$date\": ...})", "m04"),
            ("rocketchat u.name (expected a string, found the number `7`)", "m05"),
            ("rocketchat tmid (expected an id (a string or an integer), found an object)", "m06"),
            ("rocketchat attachments[0].title (expected a string, found the number `5`)", "m10"),
            ("rocketchat attachments[1] (expected an object, found the number `7`)", "m10"),
            ("rocketchat _hidden (expected a boolean, found the string \"yes\")", "m11"),
            ("rocketchat msg (expected a string, found the number `13`)", "12"),
        ]
    );
    assert!(sink.notices.iter().all(|n| n.kind == trove_readers::NoticeKind::FieldDropped));
    // What was readable of the odd records stays.
    let m05 = by_id(&sink, "m05");
    assert_eq!(m05.sender.as_ref().map(|s| &*s.native_id), Some("u2"));
    let m08 = by_id(&sink, "m08");
    assert_eq!((m08.thread.as_deref(), m08.attachments[0].size), (Some("m08"), Some(123)));
    assert_eq!(by_id(&sink, "m09").sender, None);
}
