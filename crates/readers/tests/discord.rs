//! The DiscordChatExporter reader against hand-made exports written from
//! the DCE writer's shapes (`inputs/discord/`: no permissively licensed real
//! export exists), and against broken input.
//!
//! - `export/`: a guild channel split into two partitions that overlap, its
//!   `--media` folder, a thread channel and a group DM exported with `--utc`.
//! - `edge/`: `messages` before `channel` (with a BOM), and a file without
//!   `channel` whose id comes from DCE's file name.
//! - `broken/`: a truncated export, a JSON file of another tool, garbage.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::value::RawValue;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::discord::{Discord, snowflake_ms};
use trove_readers::{Confidence, Format, Input, ReadError, ReadOptions, Sink, Skip, Stop, VecSink};

const GENERAL: &str = "700000000000000001";
const GENERAL_FILE: &str = "Acme Corp - Text Channels - general [700000000000000001].json";
const PART2_FILE: &str = "Acme Corp - Text Channels - general [700000000000000001] [part 2].json";
const THREAD: &str = "720000000000000001";
const DM: &str = "710000000000000001";
const HELLO: &str = "1224614597760122882";
const REPLY: &str = "1224614797639680003";

fn inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/discord")
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    Discord.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn read(path: &Path) -> Result<VecSink, ReadError> {
    read_with(path, &ReadOptions::default())
}

fn sniff(path: &Path) -> Confidence {
    Discord.sniff(&Input::open(path).unwrap())
}

fn by_id<'a>(sink: &'a VecSink, id: &str) -> &'a Record {
    sink.records
        .iter()
        .find(|r| r.native_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no record {id}"))
}

fn by_text<'a>(sink: &'a VecSink, text: &str) -> &'a Record {
    sink.records.iter().find(|r| r.text == text).unwrap_or_else(|| panic!("no record {text:?}"))
}

/// Every locator slices its file to a JSON object whose `id` is the
/// record's native id; `root` is the folder the entries are relative to,
/// or the file itself.
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
        let id: String = serde_json::from_str(value["id"].get()).unwrap();
        assert_eq!(Some(id.as_str()), record.native_id.as_deref(), "{}", record.locator.render());
        assert!(record.locator.json_path.as_deref().unwrap().starts_with("$.messages["));
    }
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).position(|w| w == needle).unwrap()
}

fn export() -> VecSink {
    read(&inputs().join("export")).unwrap()
}

#[test]
fn export_folder_counts_and_locators() {
    let sink = export();
    // part 2: 3; part 1: 14 elements, minus an unreadable time, a string,
    // an identical repeat and a differing repeat; thread: 1; DM: 5.
    assert_eq!(sink.records.len(), 3 + 10 + 1 + 5);
    check_locators(&inputs().join("export"), &sink);
    for r in &sink.records {
        assert_eq!(r.platform, "discord");
        // The ids of these fixtures encode their times, like real ones.
        let id_ms = snowflake_ms(r.native_id.as_deref().unwrap()).unwrap();
        assert!((id_ms - r.sent_at.utc_ms).abs() < 1000, "{:?}", r.native_id);
    }

    assert_eq!(sink.skips.len(), 3, "{:?}", sink.skips);
    // The identical repeat is not silent: a notice the ingest counts as a
    // duplicate.
    assert_eq!(sink.notices.len(), 1, "{:?}", sink.notices);
    assert!(sink.notices[0].kind.duplicate_reason().is_some());
    assert!(sink.notices[0].reason.contains("collapsed into it"), "{:?}", sink.notices[0]);
    let general = std::fs::read(inputs().join("export").join(GENERAL_FILE)).unwrap();
    // Part 2 is read first (names sort so): its copy of the reply is kept.
    let repeat = &sink.skips[0];
    assert!(repeat.file.ends_with(GENERAL_FILE));
    assert!(repeat.reason.contains(&format!("message {REPLY} repeats with different content")));
    assert!(repeat.reason.contains(PART2_FILE), "{}", repeat.reason);
    assert!(general[repeat.offset as usize..].starts_with(b"{"));
    let time = &sink.skips[1];
    assert!(
        time.reason.contains("$.messages[11]: unreadable timestamp `yesterday at noon`"),
        "{time:?}"
    );
    assert!(general[time.offset as usize..].starts_with(b"{"));
    let string = &sink.skips[2];
    assert!(string.reason.contains("$.messages[12]: not a readable message"), "{string:?}");
    // serde points at the end of a value of the wrong type.
    let at = memchr_find(&general, b"\"not a message\"") as u64;
    assert!((at..=at + 15).contains(&string.offset), "{string:?}");
}

#[test]
fn messages() {
    let sink = export();
    let hello = by_id(&sink, HELLO);
    assert!(hello.locator.entry.as_deref().unwrap().ends_with(PART2_FILE));
    assert_eq!(&*hello.conversation.native_id, GENERAL);
    assert_eq!(hello.conversation.name.as_deref(), Some("Acme Corp / general"));
    // Content as written: no entity decoding, markdown kept.
    assert_eq!(
        hello.text,
        "Hello <world> & everyone! Docs: https://example.org/docs. **Read** them ||soon||"
    );
    assert_eq!(hello.urls.len(), 1);
    assert_eq!(hello.urls[0].url, "https://example.org/docs");
    // The exporter's offset: a local time with its offset.
    assert_eq!(hello.sent_at.basis, TimeBasis::LocalWithOffset);
    assert_eq!(hello.sent_at.original, "2024-04-02T09:01:12.345+02:00");
    assert_eq!(hello.sent_at.utc_ms, 1_712_041_272_345);
    let edited = hello.edited_at.as_ref().unwrap();
    assert_eq!((edited.utc_ms, edited.basis), (1_712_041_530_250, TimeBasis::LocalWithOffset));
    let sender = hello.sender.as_ref().unwrap();
    assert_eq!(
        (&*sender.native_id, sender.display_name.as_deref(), sender.handle.as_deref()),
        ("800000000000000001", Some("Alice"), Some("alice"))
    );
    let attachment = &hello.attachments[0];
    assert_eq!(attachment.name, "report.pdf");
    assert_eq!(attachment.size, Some(48213));
    assert!(attachment.reference.starts_with(
        "https://cdn.discordapp.com/attachments/700000000000000001/900000000000000001/report.pdf?ex=6630a1b2"
    ));
    let reactions: Vec<(&str, &str)> =
        hello.reactions.iter().map(|r| (r.key.as_str(), r.sender_id.as_str())).collect();
    assert_eq!(
        reactions,
        vec![
            ("👍", "800000000000000002"),
            ("👍", "800000000000000003"),
            ("partyblob", "800000000000000002")
        ]
    );
    // Five partyblob reactions, one user listed: the rest stays in the raw.
    assert!(hello.raw.as_deref().unwrap().contains("\"count\": 5"));

    // The first copy of the reply (partition 2) was kept.
    let reply = by_id(&sink, REPLY);
    assert_eq!(reply.text, "Thanks!! @Alice");
    assert_eq!(reply.reply_to.as_deref(), Some(HELLO));
    let sender = reply.sender.as_ref().unwrap();
    assert_eq!(sender.handle.as_deref(), Some("bob_the_builder#4821"));
    assert_eq!(sender.display_name.as_deref(), Some("Bob"));
    assert!(reply.raw.is_none());

    // A bot post with only an embed reads as the embed.
    let bot = by_text(&sink, "Deploy #42\nAll green\nDuration\n3m 12s");
    assert_eq!(bot.urls[0].url, "https://ci.example.org/builds/42");
    assert!(bot.raw.is_some());
    assert!(bot.is_message());

    let slash = by_text(&sink, "Pong! 42 ms");
    assert!(slash.is_message());
    assert!(slash.raw.as_deref().unwrap().contains("\"interaction\""));

    let sticker = by_id(&sink, "1224650784768000010");
    assert!(sticker.is_message());
    assert_eq!(sticker.attachments[0].name, "Wave");
    assert_eq!(sticker.attachments[0].kind.as_deref(), Some("sticker"));

    let forward = by_id(&sink, "1224652043059200011");
    assert_eq!(forward.text, "forwarded words");
    assert_eq!(
        forward.forwarded_from.as_deref(),
        Some("discord message 600000000000000009/730000000000000009/930000000000000001")
    );
    assert_eq!(forward.reply_to, None);

    // --media: the saved file, with its size from the listing.
    let media = by_text(&sink, "diagram attached");
    let saved = &media.attachments[0];
    let path = format!("{GENERAL_FILE}_Files/diagram-9F3A1.png");
    assert_eq!(saved.reference, path);
    assert_eq!(saved.name, "diagram.png");
    assert_eq!(
        saved.size,
        Some(std::fs::metadata(inputs().join("export").join(&path)).unwrap().len())
    );

    let thread = by_text(&sink, "release on Friday?");
    assert_eq!(&*thread.conversation.native_id, THREAD);
    assert_eq!(thread.conversation.name.as_deref(), Some("Acme Corp / Release plan"));
    assert_eq!(thread.thread.as_deref(), Some(THREAD));
    assert_eq!(hello.thread, None);
}

#[test]
fn system_messages() {
    let sink = export();
    let join = by_id(&sink, "1224614294323200001");
    assert_eq!(join.kind, RecordKind::Event(EventKind::Join));
    assert_eq!(&*join.targets[0].native_id, "800000000000000001");
    assert_eq!(join.text, "Joined the server.");

    let rename = by_id(&sink, "1224644493312000005");
    assert_eq!(rename.kind, RecordKind::Event(EventKind::Rename));
    assert_eq!(&*rename.conversation.native_id, GENERAL);
    assert_eq!(rename.conversation.name.as_deref(), Some("Acme Corp / general-chat"));

    let pin = by_id(&sink, "1224645751603200006");
    assert_eq!(pin.kind, RecordKind::Event(EventKind::Other("ChannelPinnedMessage".into())));
    assert_eq!(pin.reply_to.as_deref(), Some(HELLO));

    let thread = by_id(&sink, "1224647009894400007");
    assert_eq!(thread.kind, RecordKind::Event(EventKind::Other("ThreadCreated".into())));
    assert!(thread.raw.as_deref().unwrap().contains(THREAD));

    // A Discord kind DCE writes as a number, without content: an event.
    let automod = by_id(&sink, "1224649526476800009");
    assert_eq!(automod.kind, RecordKind::Event(EventKind::Other("24".into())));
    assert!(automod.raw.is_some());

    // The group DM, exported with --utc.
    let dm: Vec<&Record> =
        sink.records.iter().filter(|r| &*r.conversation.native_id == DM).collect();
    assert_eq!(dm.len(), 5);
    for r in &dm {
        assert_eq!(r.sent_at.basis, TimeBasis::Utc);
        assert_eq!(
            r.conversation.name.as_deref(),
            Some("Direct Messages / alice, bob_the_builder, carol")
        );
    }
    assert_eq!(dm[0].sent_at.utc_ms, 1_712_340_000_000);
    let added = by_text(&sink, "Added carol to the group.");
    assert_eq!(added.kind, RecordKind::Event(EventKind::Join));
    assert_eq!(&*added.sender.as_ref().unwrap().native_id, "800000000000000001");
    assert_eq!(&*added.targets[0].native_id, "800000000000000003");
    let call = by_text(&sink, "Started a call that lasted 12 minutes.");
    assert_eq!(call.kind, RecordKind::Event(EventKind::Other("Call".into())));
    let left = by_text(&sink, "Left the group.");
    assert_eq!(left.kind, RecordKind::Event(EventKind::Leave));
    assert_eq!(&*left.sender.as_ref().unwrap().native_id, "800000000000000003");
    assert_eq!(&*left.targets[0].native_id, "800000000000000003");
    let removed = by_text(&sink, "Removed bob_the_builder from the group.");
    assert_eq!(removed.kind, RecordKind::Event(EventKind::Leave));
    assert_eq!(&*removed.sender.as_ref().unwrap().native_id, "800000000000000001");
    assert_eq!(&*removed.targets[0].native_id, "800000000000000002");
    // Old-style names keep their discriminator; new-style ones ("0000")
    // are the handle alone.
    assert_eq!(removed.targets[0].handle.as_deref(), Some("bob_the_builder#4821"));
    assert_eq!(left.targets[0].handle.as_deref(), Some("carol"));
}

#[test]
fn one_file_alone() {
    let path = inputs().join("export").join(GENERAL_FILE);
    assert_eq!(sniff(&path), Confidence::Certain);
    let sink = read(&path).unwrap();
    // Alone, nothing repeats: 14 elements minus two unreadable ones.
    assert_eq!(sink.records.len(), 12);
    assert_eq!(sink.skips.len(), 2);
    check_locators(&path, &sink);
    let reply = by_id(&sink, REPLY);
    assert_eq!(reply.text, "Thanks! @Alice");
    assert_eq!(reply.locator.entry, None);
    // A saved media file next to the JSON gives its size.
    let media = by_text(&sink, "diagram attached");
    assert_eq!(media.attachments[0].reference, format!("{GENERAL_FILE}_Files/diagram-9F3A1.png"));
    assert!(media.attachments[0].size.is_some());
}

#[test]
fn channel_after_messages_takes_a_second_pass() {
    let path = inputs().join("edge/channel-after-messages.json");
    assert_eq!(sniff(&path), Confidence::Certain);
    let sink = read(&path).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert_eq!(sink.records.len(), 2);
    for r in &sink.records {
        assert_eq!(&*r.conversation.native_id, "740000000000000001");
        assert_eq!(r.conversation.name.as_deref(), Some("Acme Corp / ops"));
        assert_eq!(r.sent_at.basis, TimeBasis::LocalWithOffset);
    }
    assert_eq!(sink.records[0].sent_at.utc_ms, 1_712_408_400_000);
    // Offsets count the BOM.
    check_locators(&path, &sink);
    assert!(sink.records[0].locator.offset > 3);
}

#[test]
fn a_file_without_channel_uses_the_id_in_its_name() {
    let sink = read(&inputs().join("edge")).unwrap();
    let orphan = by_text(&sink, "orphan");
    assert_eq!(&*orphan.conversation.native_id, "750000000000000001");
    assert_eq!(orphan.sent_at.basis, TimeBasis::Utc);
    assert_eq!(orphan.sent_at.utc_ms, 1_712_397_600_000);
    assert_eq!(sink.skips.len(), 1);
    assert!(sink.skips[0].reason.contains("no readable `channel`"), "{:?}", sink.skips);
}

#[test]
fn broken_files() {
    let broken = inputs().join("broken");
    let cut = broken.join("Acme Corp - Text Channels - cut [760000000000000001].json");
    let sink = read(&cut).unwrap();
    assert_eq!(
        sink.records.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
        vec!["one", "two"]
    );
    assert_eq!(sink.skips.len(), 1);
    let skip = &sink.skips[0];
    assert!(
        skip.reason.contains("truncated") && skip.reason.contains("2 messages read"),
        "{skip:?}"
    );
    let bytes = std::fs::read(&cut).unwrap();
    // The third message starts where the skip points.
    assert!(bytes[skip.offset as usize..].starts_with(b"{\n      \"id\""), "{skip:?}");

    // Alone, a file that is not a DCE document is an error naming it.
    let err = read(&broken.join("garbage.json")).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("garbage.json") && shown.contains("at byte 0"), "{shown}");
    assert_eq!(sniff(&broken.join("garbage.json")), Confidence::No);
    assert_eq!(sniff(&broken.join("not-dce.json")), Confidence::No);
    assert!(matches!(err, ReadError::Invalid { offset: Some(0), .. }));

    // In a folder (forced), strangers are reported and the rest is read.
    let sink = read(&broken).unwrap();
    assert_eq!(sink.records.len(), 2);
    let reasons: Vec<&str> = sink.skips.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(sink.skips.len(), 3, "{reasons:?}");
    assert!(sink.skips[1].file.ends_with("garbage.json"));
    assert!(reasons[1].contains("not a DiscordChatExporter export"));
    assert!(sink.skips[2].file.ends_with("not-dce.json"));
}

#[test]
fn sniffing() {
    assert_eq!(sniff(&inputs().join("export")), Confidence::Certain);
    // Mixed folders are left to the ingest walker.
    assert_eq!(sniff(&inputs().join("broken")), Confidence::No);
    assert_eq!(sniff(&inputs()), Confidence::No);
    let slack = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/inputs/slack/hfaran-slack-export-viewer/testarchive.zip");
    assert_eq!(sniff(&slack), Confidence::No);
    let input = Input::open(&inputs().join("export")).unwrap();
    assert_eq!(trove_readers::detect(&input).unwrap().name(), "discord");
    let input = Input::open(&inputs().join("export").join(GENERAL_FILE)).unwrap();
    assert_eq!(trove_readers::detect(&input).unwrap().name(), "discord");
}

#[test]
fn oversized_messages_are_skipped_and_reading_goes_on() {
    let path = inputs().join("export").join(GENERAL_FILE);
    let options = ReadOptions { max_record_bytes: 2000, ..ReadOptions::default() };
    let sink = read_with(&path, &options).unwrap();
    let big: Vec<&Skip> =
        sink.skips.iter().filter(|s| s.reason.contains("max_record_bytes")).collect();
    assert_eq!(big.len(), 1, "{:?}", sink.skips);
    assert!(big[0].reason.contains("messages[1]"));
    assert_eq!(sink.records.len(), 11);
    assert!(sink.records.iter().all(|r| r.native_id.as_deref() != Some(HELLO)));
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
    let input = Input::open(&inputs().join("export")).unwrap();
    let err = Discord.read(&input, &ReadOptions::default(), &mut StopAfter(2)).unwrap_err();
    assert!(matches!(err, ReadError::Stopped(ref why) if why == "enough"), "{err}");
}

const HEAD: &str = "{\"guild\": {\"id\": \"1\", \"name\": \"G\"}, \"channel\": {\"id\": \"2\", \"name\": \"c\"}, \"messages\": [";

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..400),
        structured in "[\\[\\]{}\",:a-z0-9 .+\\\\]{0,200}",
        message_head in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c [2].json");
        for tail in [body.as_slice(), structured.as_bytes()] {
            let mut data = HEAD.as_bytes().to_vec();
            if message_head {
                data.extend_from_slice(b"{\"id\": \"3\", \"timestamp\": \"2024-01-01T00:00:00+01:00\", ");
            }
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
                Err(e) => prop_assert!(e.to_string().contains("c [2].json"), "{}", e),
            }
            std::fs::write(&path, tail).unwrap();
            if let Err(e) = read(&path) {
                prop_assert!(e.to_string().contains("c [2].json"), "{}", e);
            }
        }
    }
}

/// One message of each odd shape real exports hold, in a channel file with
/// a BOM and CRLF line ends: a genuine message first, then copies with one
/// optional field each given a shape the reader does not expect.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let author = r#""author": {"id": "800000000000000001", "name": "alice", "nickname": "Alice"}"#;
    let msg = |n: u32, rest: &str| {
        format!(
            r#"{{"id": "12246145977601229{n:02}", "type": "Default",
                "timestamp": "2024-04-02T09:01:{n:02}.000+02:00", {author}, {rest}}}"#
        )
    };
    let long = "x".repeat(100_000);
    let docs = [
        msg(1, r#""content": "genuine", "attachments": [], "reactions": [], "mentions": []"#),
        msg(2, r#""content": "b", "reactions": {}"#),
        msg(3, r#""content": "c", "attachments": null"#),
        msg(4, r#""content": "d", "timestampEdited": 5"#),
        msg(5, r#""content": "e", "embeds": {"title": "x"}"#),
        msg(6, r#""content": "f", "reference": "1224614597760122901""#),
        msg(7, r#""content": "g", "stickers": [7]"#),
        msg(8, r#""content": "h", "attachments": [{"fileName": {"x": 1}, "fileSizeBytes": "12"}]"#),
        msg(9, r#""content": "‏שלום\u200b e\u0301 🙂""#),
        msg(10, &format!(r#""content": "{long}""#)),
        msg(11, r#""content": "k", "interaction": [1, 2]"#),
        msg(12, r#""content": "l", "mentions": [{}]"#),
        msg(13, r#""content": "m", "reactions": [{"emoji": [], "count": "x"}]"#),
        msg(14, r#""content": 14"#),
    ];
    let body = format!(
        "\u{feff}{{\"guild\": {{\"id\": \"600000000000000001\", \"name\": \"Acme\"}},\r\n\
         \"channel\": {{\"id\": \"700000000000000001\", \"type\": \"GuildTextChat\", \"name\": \"general\"}},\r\n\
         \"messages\": [\r\n{}\r\n]}}\r\n",
        docs.join(",\r\n")
    );
    let path = dir.path().join("Acme - general [700000000000000001].json");
    std::fs::write(&path, body).unwrap();
    let sink = read(&path).unwrap();
    let ids: Vec<&str> = sink
        .records
        .iter()
        .map(|r| r.native_id.as_deref().unwrap().trim_start_matches("12246145977601229"))
        .collect();
    let all: Vec<String> = (1..=14).map(|n| format!("{n:02}")).collect();
    assert_eq!(ids, all, "every message is kept");
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts[0], "genuine");
    assert_eq!(texts[8], "‏שלום\u{200b} e\u{301} 🙂");
    assert_eq!(texts[9], long.as_str());
    assert_eq!(texts[13], "", "a numeric content is dropped, with its notice");
    for (record, second) in sink.records.iter().zip(1..) {
        let sender = record.sender.as_ref().unwrap();
        assert_eq!(
            (&*sender.native_id, sender.display_name.as_deref()),
            ("800000000000000001", Some("Alice"))
        );
        assert_eq!(record.sent_at.utc_ms, 1_712_041_260_000 + second * 1000);
        assert_eq!(&*record.conversation.native_id, "700000000000000001");
    }
    // `reactions: [{"emoji": [], "count": "x"}]` names no user: there is
    // no reaction to keep, and the message stays.
    assert!(by_id(&sink, "1224614597760122913").reactions.is_empty());
    // Each odd optional field costs that field, with a notice naming it.
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    let dropped: Vec<&str> = sink
        .notices
        .iter()
        .map(|n| {
            assert_eq!(n.kind, trove_readers::NoticeKind::FieldDropped);
            n.reason.as_str()
        })
        .collect();
    let fields: Vec<&str> = dropped
        .iter()
        .map(|r| r.split(": discord ").nth(1).unwrap().split(' ').next().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "reactions",
            "timestampEdited",
            "embeds",
            "reference",
            "stickers[0]",
            "attachments[0].fileName",
            "mentions[0]",
            "content"
        ],
        "{dropped:#?}"
    );
    check_locators(&path, &sink);
}
