//! The Signal reader (signal-export `chat.md`/`data.json`, sigtop text)
//! against the chat-miner fixture (MIT, copied byte for byte with its
//! LICENSE), hand-made exports written the way the tools' source writes
//! them, and broken input.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::signal::Signal;
use trove_readers::{
    Confidence, Format, Input, ReadError, ReadOptions, Sink, Skip, Stop, VecSink, detect, timefmt,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/signal").join(name)
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    Signal.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn read(path: &Path) -> VecSink {
    read_with(path, &ReadOptions::default()).unwrap()
}

fn berlin() -> ReadOptions {
    ReadOptions {
        tz: Some(timefmt::parse_zone("Europe/Berlin").unwrap()),
        tz_name: Some("Europe/Berlin".to_string()),
        ..ReadOptions::default()
    }
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn sender(record: &Record) -> Option<&str> {
    record.sender.as_ref().map(|a| &*a.native_id)
}

fn slice<'a>(bytes: &'a [u8], record: &Record) -> &'a [u8] {
    let at = record.locator.offset as usize;
    &bytes[at..at + record.locator.length as usize]
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

/// chat-miner's expected output lists the messages newest first with the
/// continuation line joined by a space (`Hello Jane!`); we keep file order
/// and the line break the export has (`Hello\nJane!`). Times agree: the
/// fixture's naive times read as asserted UTC.
#[test]
fn chat_miner_fixture() {
    let path = fixture("joweich-chat-miner/test_export.txt");
    let sink = read(&path);
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let target: Value =
        serde_json::from_slice(&std::fs::read(fixture("joweich-chat-miner/target.json")).unwrap())
            .unwrap();
    let mut target = target.as_array().unwrap().clone();
    target.reverse();
    assert_eq!(sink.records.len(), target.len());
    for (record, expected) in sink.records.iter().zip(&target) {
        let when = format!("{}Z", expected["timestamp"].as_str().unwrap());
        assert_eq!(record.sent_at.utc_ms, ms(&when));
        assert_eq!(record.sent_at.basis, TimeBasis::AssertedZone);
        assert_eq!(record.sent_at.zone.as_deref(), Some("UTC"));
        assert_eq!(sender(record), expected["author"].as_str());
        assert_eq!(record.text.replace('\n', " "), expected["message"].as_str().unwrap());
        assert_eq!(&*record.conversation.native_id, "test_export");
        assert_eq!(record.platform, "signal");
        assert_eq!(record.native_id, None);
    }
    assert_eq!(sink.records[0].sent_at.original, "2019-12-24, 12:23");
    assert_eq!(sink.records[1].text, "Hello\nJane!");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(slice(&bytes, &sink.records[0]), b"[2019-12-24, 12:23] Jane Doe: Hello John!");
    assert_eq!(slice(&bytes, &sink.records[1]), b"[2020-01-17, 21:49] John Doe: Hello\nJane!");
    assert_eq!((sink.records[0].locator.line, sink.records[1].locator.line), (Some(1), Some(2)));
    // signal-export's old `[YYYY-MM-DD, HH:MM]` header is unmistakable
    // (WhatsApp's bracketed headers carry seconds), so even a `.txt` is
    // claimed with certainty.
    assert_eq!(Signal.sniff(&Input::open(&path).unwrap()), Confidence::Certain);
}

#[test]
fn signal_export_folder_reads_data_json_where_present() {
    let folder = fixture("signal-export");
    let sink = read(&folder);
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let mut counts: Vec<(String, Option<String>, usize)> = Vec::new();
    for r in &sink.records {
        let entry = r.locator.entry.as_deref().map(str::to_string);
        match counts.last_mut() {
            Some((conv, e, n)) if **conv == *r.conversation.native_id && *e == entry => *n += 1,
            _ => counts.push((r.conversation.native_id.to_string(), entry, 1)),
        }
    }
    assert_eq!(
        counts,
        vec![
            ("Aya".to_string(), Some("Aya/data.json".to_string()), 8),
            ("Group2".to_string(), Some("Group2/chat.md".to_string()), 4),
            ("Old".to_string(), Some("Old/index.md".to_string()), 2),
        ]
    );
    let input = Input::open(&folder).unwrap();
    assert_eq!(Signal.sniff(&input), Confidence::Certain);
    assert_eq!(detect(&input).unwrap().name(), "signal");

    // data.json locators slice out the line.
    let bytes = std::fs::read(folder.join("Aya/data.json")).unwrap();
    for (i, r) in sink.records.iter().take(8).enumerate() {
        let line: Value = serde_json::from_slice(slice(&bytes, r)).unwrap();
        assert_eq!(line["date"].as_str().unwrap(), r.sent_at.original);
        assert_eq!(r.locator.line, Some(i as u64 + 1));
    }
}

#[test]
fn data_json_fields() {
    let sink = read(&fixture("signal-export"));
    let aya: Vec<&Record> =
        sink.records.iter().filter(|r| &*r.conversation.native_id == "Aya").collect();
    assert_eq!(aya.len(), 8);
    for r in &aya {
        assert_eq!(r.conversation.name.as_deref(), Some("Aya"));
        assert_eq!(r.sent_at.basis, TimeBasis::AssertedZone);
    }
    // The two spaces signal-export appends are gone; a reaction by name.
    assert_eq!(aya[0].text, "We're great!");
    assert_eq!(sender(aya[0]), Some("Aya"));
    assert_eq!(aya[0].sent_at.utc_ms, ms("2019-05-29T15:04:00Z"));
    assert_eq!(aya[0].reactions.len(), 1);
    assert_eq!(
        (aya[0].reactions[0].sender_id.as_str(), aya[0].reactions[0].key.as_str()),
        ("Me", "👍")
    );
    assert_eq!(aya[0].raw, None);
    // A reply: the quote is kept in raw, not in the text.
    assert_eq!(aya[1].text, "Line one\nLine two");
    assert_eq!(sender(aya[1]), Some("Me"));
    assert!(aya[1].raw.as_deref().unwrap().contains("> We're great!"));
    assert_eq!(aya[1].reply_to, None, "signal-export has no message ids");
    // An attachment with its size from the folder listing.
    let photo = &aya[2].attachments[0];
    assert_eq!(photo.name, "2019-05-29T15-06-00.000_00_photo.jpg");
    assert_eq!(photo.reference, "media/2019-05-29T15-06-00.000_00_photo.jpg");
    assert_eq!((photo.kind.as_deref(), photo.size), (Some("image"), Some(32)));
    assert_eq!(aya[2].text, "");
    // Deleted.
    assert!(aya[3].deleted);
    assert_eq!(aya[3].text, "");
    // A call is an event.
    assert_eq!(aya[4].kind, RecordKind::Event(EventKind::Other("call".into())));
    assert_eq!(aya[4].text, "Missed voice call");
    assert!(aya[4].raw.as_deref().unwrap().contains("\"missed\": true"));
    // Edits, oldest first, with their times; text is the latest.
    assert_eq!(aya[5].text, "final text");
    let edits: Vec<(&str, i64)> =
        aya[5].edits.iter().map(|e| (e.text.as_str(), e.at.as_ref().unwrap().utc_ms)).collect();
    assert_eq!(
        edits,
        vec![
            ("first text", ms("2019-05-29T15:09:00Z")),
            ("second text", ms("2019-05-29T15:09:30Z"))
        ]
    );
    // A sticker, found under exported_stickers/ at the export's root.
    let sticker = &aya[6].attachments[0];
    assert_eq!(sticker.name, "😀");
    assert_eq!(sticker.reference, "../exported_stickers/pack1/3.webp");
    assert_eq!((sticker.kind.as_deref(), sticker.size), (Some("sticker"), Some(12)));
    // The tool's `No-Sender` is nobody; fractional seconds are kept;
    // an attachment that was not exported keeps its kind.
    assert_eq!(aya[7].sender, None);
    assert_eq!(aya[7].sent_at.utc_ms, ms("2019-05-29T15:11:00.250Z"));
    assert_eq!(aya[7].sent_at.original, "2019-05-29T15:11:00.250000");
    let missing = &aya[7].attachments[0];
    assert_eq!(
        (missing.name.as_str(), missing.kind.as_deref(), missing.size),
        ("", Some("media"), None)
    );
}

/// The same conversation read from `chat.md` and from `data.json` (each as
/// a single file, sizes from the files beside them) agrees on what the
/// Markdown can express.
#[test]
fn markdown_agrees_with_data_json() {
    let md = read(&fixture("signal-export/Aya/chat.md"));
    let json = read(&fixture("signal-export/Aya/data.json"));
    assert!(md.skips.is_empty() && json.skips.is_empty(), "{:?} {:?}", md.skips, json.skips);
    assert_eq!(md.records.len(), json.records.len());
    for (m, j) in md.records.iter().zip(&json.records) {
        assert_eq!(m.conversation, j.conversation);
        assert_eq!(m.sender, j.sender);
        assert_eq!(m.text, j.text);
        assert_eq!(m.deleted, j.deleted);
        assert_eq!(m.reactions, j.reactions);
        let names = |r: &Record| {
            r.attachments
                .iter()
                .map(|a| (a.name.clone(), a.kind.clone(), a.size))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(m), names(j), "{}", m.text);
        // chat.md prints whole seconds only.
        assert_eq!(m.sent_at.utc_ms, j.sent_at.utc_ms / 1000 * 1000);
        assert_eq!(m.sent_at.basis, TimeBasis::AssertedZone);
    }
    assert_eq!(md.records[0].sent_at.original, "2019-05-29 15:04:00");
    assert_eq!(&*md.records[0].conversation.native_id, "Aya");
    // What only data.json knows: calls and earlier versions.
    assert!(md.records[4].is_message());
    assert!(md.records[5].edits.is_empty());
    // Markdown locators: from the header to the last line with text.
    let bytes = std::fs::read(fixture("signal-export/Aya/chat.md")).unwrap();
    assert_eq!(
        slice(&bytes, &md.records[0]),
        "[2019-05-29 15:04:00] Aya: We're great!  \n(- Me: 👍 -)".as_bytes()
    );
    assert_eq!(
        slice(&bytes, &md.records[1]),
        b"[2019-05-29 15:05:30] Me: \n\n> We're great!\n\nLine one\nLine two  "
    );
    assert_eq!(md.records[1].locator.line, Some(4));
    assert!(md.records[1].raw.as_deref().unwrap().contains("We're great!"));
    let sticker = &md.records[6].attachments[0];
    assert_eq!(sticker.reference, "../exported_stickers/pack1/3.webp");
    // A bare chat.md cannot look above its own folder.
    assert_eq!(sticker.size, None);
    assert_eq!(
        Signal.sniff(&Input::open(&fixture("signal-export/Aya/chat.md")).unwrap()),
        Confidence::Certain
    );
    assert_eq!(
        Signal.sniff(&Input::open(&fixture("signal-export/Aya/data.json")).unwrap()),
        Confidence::Certain
    );
}

#[test]
fn markdown_quotes_reactions_stickers_and_crlf() {
    let path = fixture("signal-export/Group2/chat.md");
    let sink = read_with(&path, &berlin()).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let r = &sink.records;
    assert_eq!(r.len(), 4);
    // CEST: local 09:00 in February is CET, UTC+1.
    assert_eq!(r[0].sent_at.utc_ms, ms("2020-02-01T08:00:00Z"));
    assert_eq!(r[0].sent_at.zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(
        r[0].text,
        "Morning all\n\n[not a header] just text\nsee [site](https://example.org)"
    );
    assert!(r[0].attachments.is_empty());
    assert_eq!(r[1].text, "Replying");
    let raw: Value = serde_json::from_str(r[1].raw.as_deref().unwrap()).unwrap();
    assert_eq!(raw["quote"], "Morning all\n\n[not a header] just text");
    let reactions: Vec<(&str, &str)> =
        r[1].reactions.iter().map(|x| (x.sender_id.as_str(), x.key.as_str())).collect();
    assert_eq!(reactions, vec![("Cem", "❤️"), ("Me", "😂")]);
    assert_eq!(r[2].text, "");
    let sticker = &r[2].attachments[0];
    assert_eq!((sticker.name.as_str(), sticker.reference.as_str()), ("🙂", ""));
    assert_eq!(r[3].text, "two files");
    let files: Vec<(&str, &str, Option<&str>)> = r[3]
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.reference.as_str(), a.kind.as_deref()))
        .collect();
    assert_eq!(files, vec![("a.pdf", "./media/a.pdf", None), ("", "", Some("attachment"))]);
    // Locators keep the CRLF bytes.
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        slice(&bytes, &r[0]),
        b"[2020-02-01 09:00:00] Cem: Morning all\r\n\r\n[not a header] just text\r\nsee [site](https://example.org)  "
    );

    // An LF copy reads the same apart from offsets.
    let dir = tempfile::tempdir().unwrap();
    let lf = String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
    let copy = write(&dir, "Group2/chat.md", lf.as_bytes());
    let again = read_with(&copy, &berlin()).unwrap();
    assert_eq!(without_locators(&again.records), without_locators(&sink.records));
}

fn without_locators(records: &[Record]) -> Vec<Record> {
    records.iter().map(|r| Record { locator: Default::default(), ..r.clone() }).collect()
}

#[test]
fn a_conversation_folder_on_its_own() {
    let sink = read(&fixture("signal-export/Aya"));
    assert_eq!(sink.records.len(), 8);
    assert!(sink.records.iter().all(|r| &*r.conversation.native_id == "Aya"));
    assert_eq!(sink.records[0].locator.entry.as_deref(), Some("data.json"));
    assert_eq!(sink.records[2].attachments[0].size, Some(32));
    // The sticker folder sits above the input: not looked up.
    assert_eq!(sink.records[6].attachments[0].size, None);
}

#[test]
fn old_index_md() {
    let sink = read(&fixture("signal-export/Old/index.md"));
    let texts: Vec<(&str, &str)> =
        sink.records.iter().map(|r| (sender(r).unwrap(), r.text.as_str())).collect();
    assert_eq!(texts, vec![("Eve", "Happy new year"), ("Me", "You too\nand many more")]);
    assert_eq!(&*sink.records[0].conversation.native_id, "Old");
    assert_eq!(sink.records[1].sent_at.utc_ms, ms("2018-01-02T10:01:00Z"));
}

#[test]
fn sigtop_text() {
    let path = fixture("sigtop/Bob (+15550101).txt");
    let sink = read(&path);
    let r = &sink.records;
    assert_eq!(r.len(), 5, "{:#?}", sink.skips);
    for record in r {
        assert_eq!(&*record.conversation.native_id, "+15550101");
        assert_eq!(record.conversation.name.as_deref(), Some("Bob"));
    }
    // Outgoing, with an attachment whose size sigtop states.
    assert_eq!(sender(&r[0]), Some("You"));
    assert_eq!(r[0].text, "Hello Bob");
    assert_eq!(r[0].sent_at.utc_ms, ms("2019-05-29T13:04:00Z"));
    assert_eq!(r[0].sent_at.basis, TimeBasis::LocalWithOffset);
    assert_eq!(r[0].sent_at.original, "Wed, 29 May 2019 15:04:00 +0200");
    let a = &r[0].attachments[0];
    assert_eq!(
        (a.name.as_str(), a.kind.as_deref(), a.size),
        ("photo.jpg", Some("image/jpeg"), Some(1234))
    );
    // Incoming: the id is the phone number; reaction; quote; a body with a
    // blank line and a `From:` line that starts no message.
    assert_eq!(sender(&r[1]), Some("+15550101"));
    assert_eq!(r[1].sender.as_ref().unwrap().display_name.as_deref(), Some("Bob"));
    assert_eq!(
        (r[1].reactions[0].sender_id.as_str(), r[1].reactions[0].key.as_str()),
        ("+15550100", "👍")
    );
    assert_eq!(
        r[1].text,
        "Nice photo\nsecond paragraph follows\n\nFrom: the body is not a header\nand still body"
    );
    let raw: Value = serde_json::from_str(r[1].raw.as_deref().unwrap()).unwrap();
    assert_eq!(raw["quote"]["from"], "Alice (+15550100)");
    assert_eq!(raw["quote"]["text"], "Hello Bob");
    assert_eq!(raw["quote"]["attachments"][0], "photo.jpg (image/jpeg)");
    // Edited: the newest version is the text, older ones oldest first.
    assert_eq!(r[2].text, "fixed text");
    assert_eq!(r[2].sent_at.utc_ms, ms("2019-05-29T13:06:00Z"));
    assert_eq!(r[2].edited_at.as_ref().unwrap().utc_ms, ms("2019-05-29T13:07:00Z"));
    assert_eq!(r[2].edits.len(), 1);
    assert_eq!(r[2].edits[0].text, "fxied text");
    assert_eq!(r[2].edits[0].at.as_ref().unwrap().utc_ms, ms("2019-05-29T13:06:00Z"));
    // A group change without a sender, timed by its receipt.
    assert_eq!(r[3].kind, RecordKind::Event(EventKind::Other("group-v2-change".into())));
    assert_eq!(r[3].sender, None);
    assert_eq!(r[3].sent_at.utc_ms, ms("2019-05-29T13:08:00Z"));
    // `Sent: unknown` falls back to the receipt time.
    assert_eq!(r[4].text, "late");
    assert_eq!(r[4].sent_at.utc_ms, ms("2019-05-29T13:09:00Z"));
    // The last block's time cannot be read.
    assert_eq!(sink.skips.len(), 1);
    assert!(sink.skips[0].reason.contains("garbage time"), "{}", sink.skips[0].reason);
    // Locators: each block from its first header line to its last text.
    let bytes = std::fs::read(&path).unwrap();
    assert!(slice(&bytes, &r[0]).starts_with(b"From: You\nType: outgoing"));
    assert!(slice(&bytes, &r[0]).ends_with(b"\n\nHello Bob"));
    assert!(slice(&bytes, &r[2]).ends_with(b"| fxied text"));
    assert!(slice(&bytes, &r[3]).starts_with(b"Type: group-v2-change"));
    assert_eq!(r[0].locator.line, Some(3));
    let skipped = &bytes[sink.skips[0].offset as usize..];
    assert!(skipped.starts_with(b"From: Bob (+15550101)\nType: incoming\nReceived: garbage"));

    let input = Input::open(&path).unwrap();
    assert_eq!(Signal.sniff(&input), Confidence::Certain);
    // In a folder, found by content.
    let folder = Input::open(&fixture("sigtop")).unwrap();
    assert_eq!(Signal.sniff(&folder), Confidence::Certain);
    let mut in_folder = VecSink::default();
    Signal.read(&folder, &ReadOptions::default(), &mut in_folder).unwrap();
    assert_eq!(in_folder.records.len(), 5);
}

#[test]
fn broken_markdown_is_skipped_with_reasons() {
    let path = fixture("broken/chat.md");
    let sink = read(&path);
    assert_eq!(sink.records.len(), 1);
    assert_eq!(sink.records[0].text, "fine");
    let reasons: Vec<(u64, &str)> =
        sink.skips.iter().map(|s| (s.offset, s.reason.as_str())).collect();
    assert_eq!(reasons.len(), 2, "{reasons:#?}");
    assert_eq!(reasons[0].0, 0);
    assert!(reasons[0].1.starts_with("line 1: text before the first"), "{}", reasons[0].1);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes[reasons[1].0 as usize..].starts_with(b"[2019-13-45"));
    assert!(
        reasons[1].1.starts_with("line 4: cannot read date `2019-13-45 99:99:99`"),
        "{}",
        reasons[1].1
    );
    assert!(sink.skips.iter().all(|s| s.file == path.display().to_string()));
}

#[test]
fn broken_data_json_lines_are_skipped() {
    let path = fixture("broken/data.json");
    let sink = read(&path);
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["ok", "last"]);
    assert_eq!(sink.records[1].locator.line, Some(7));
    let reasons: Vec<&str> = sink.skips.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons.len(), 4, "{reasons:#?}");
    assert_eq!(reasons[0], "line 2: not a JSON object");
    assert!(reasons[1].starts_with("line 3: not valid JSON"), "{}", reasons[1]);
    assert_eq!(reasons[2], "line 5: no `date`");
    assert!(reasons[3].starts_with("line 6: cannot read date `yesterday`"), "{}", reasons[3]);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes[sink.skips[0].offset as usize..].starts_with(b"[1, 2]"));
    // The unterminated string is reported where the line ends.
    let at = sink.skips[1].offset as usize;
    assert_eq!(&bytes[at - 2..at + 2], b"cut\n");
}

#[test]
fn unreadable_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let binary = write(&dir, "a/chat.md", b"[2019-05-29 15:04:00] A: x\n\x00\x01");
    let err = read_with(&binary, &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("NUL"), "{err}");
    assert!(matches!(err, ReadError::Invalid { offset: Some(27), .. }), "{err}");
    let utf16 = write(&dir, "b/chat.md", b"\xFF\xFE[\x002\x00");
    let err = read_with(&utf16, &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("UTF-16"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    write(&empty, "notes/readme.txt", b"nothing here");
    let err = read_with(empty.path(), &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("no signal-export conversation"), "{err}");
    let sigtop = write(&dir, "c.txt", b"Conversation: X\n");
    let sink = read(&sigtop);
    assert!(sink.records.is_empty() && sink.skips.is_empty());
}

#[test]
fn long_messages_respect_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"[2019-05-29 15:04:00] A: short\n\n[2019-05-29 15:05:00] A: ".to_vec();
    text.extend(std::iter::repeat_n(b'x', 300));
    text.extend_from_slice(b"\n\n[2019-05-29 15:06:00] A: many\n");
    text.extend(std::iter::repeat_n(b"line\n".as_slice(), 40).flatten());
    text.extend_from_slice(b"\n[2019-05-29 15:07:00] A: after\n");
    let path = write(&dir, "chat.md", &text);
    let options = ReadOptions { max_record_bytes: 100, ..ReadOptions::default() };
    let sink = read_with(&path, &options).unwrap();
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["short", "after"]);
    assert_eq!(sink.skips.len(), 2, "{:#?}", sink.skips);
    assert!(sink.skips[0].reason.starts_with("line 3: message longer than the limit of 100"));
    assert!(sink.skips[1].reason.contains("line 5: message longer than the limit"));
}

#[test]
fn a_stopping_sink_stops_the_read() {
    struct StopNow;
    impl Sink for StopNow {
        fn record(&mut self, _: Record) -> Result<(), Stop> {
            Err(Stop("enough".into()))
        }
        fn skip(&mut self, _: Skip) {}
    }
    for path in
        [fixture("signal-export"), fixture("sigtop"), fixture("joweich-chat-miner/test_export.txt")]
    {
        let input = Input::open(&path).unwrap();
        let err = Signal.read(&input, &ReadOptions::default(), &mut StopNow).unwrap_err();
        assert!(matches!(err, ReadError::Stopped(ref why) if why == "enough"), "{err}");
    }
}

#[test]
fn sniffing_other_text_says_no() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("chat.md", &b"# Notes\n- [ ] todo\n"[..]),
        ("x.txt", b"20.06.19, 15:58 - Loris: hi\n"),
        ("data.json", b"{\"text\": \"x\", \"date\": \"2019\"}\n"),
        ("y.txt", b"[20.06.19, 15:58:47] Loris: hi\n"),
    ] {
        let path = write(&dir, name, bytes);
        assert_eq!(Signal.sniff(&Input::open(&path).unwrap()), Confidence::No, "{name}");
    }
}

/// Markdown messages built from parts, for the line-ending property.
fn markdown_chat() -> impl Strategy<Value = String> {
    let line = "[a-zA-Z0-9 !?.,:>()\\[\\]-]{0,20}";
    let message = (0u8..24, "[A-Za-z]{1,8}", proptest::collection::vec(line, 1..4));
    proptest::collection::vec(message, 0..6).prop_map(|messages| {
        let mut out = String::new();
        for (hour, sender, lines) in messages {
            out.push_str(&format!(
                "[2021-04-05 {hour:02}:30:00] {sender}: {}\n\n",
                lines.join("\n")
            ));
        }
        out
    })
}

/// Bytes in the shape of the three layouts.
fn signal_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> =
        b"[]()!:-> \n\r\t2019-05-2915:04,AyaMe(- :\xf0\x9f\x91\x8d -)./media\"{}|".to_vec();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        proptest::collection::vec(proptest::sample::select(alphabet.clone()), 0..400)
            .prop_map(|tail| [b"[2019-05-29 15:04:00] A: ".as_slice(), &tail].concat()),
        proptest::collection::vec(proptest::sample::select(alphabet.clone()), 0..400).prop_map(
            |tail| [b"Conversation: B (+1)\n\nFrom: B (+1)\nType: incoming\n".as_slice(), &tail]
                .concat()
        ),
        proptest::collection::vec(proptest::sample::select(alphabet), 0..400).prop_map(|tail| [
            b"{\"date\": \"2019-05-29T15:04:00\", ".as_slice(),
            &tail
        ]
        .concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in signal_bytes(), small in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let options = ReadOptions {
            max_record_bytes: if small { 32 } else { 1 << 20 },
            ..ReadOptions::default()
        };
        for name in ["chat.md", "data.json", "Bob.txt"] {
            let path = write(&dir, name, &bytes);
            let input = Input::open(&path).unwrap();
            let _ = Signal.sniff(&input);
            let mut sink = VecSink::default();
            let _ = Signal.read(&input, &options, &mut sink);
            for record in &sink.records {
                let end = record.locator.offset + record.locator.length;
                prop_assert!(end <= bytes.len() as u64);
            }
            for skip in &sink.skips {
                prop_assert!(skip.offset <= bytes.len() as u64);
            }
        }
    }

    #[test]
    fn lf_and_crlf_read_the_same(chat in markdown_chat()) {
        let dir = tempfile::tempdir().unwrap();
        let lf = write(&dir, "lf/chat.md", chat.as_bytes());
        let crlf = write(&dir, "crlf/chat.md", chat.replace('\n', "\r\n").as_bytes());
        let a = read(&lf);
        let b = read(&crlf);
        prop_assert_eq!(a.skips.len(), b.skips.len());
        let strip = |records: &[Record]| -> Vec<Record> {
            records
                .iter()
                .map(|r| Record {
                    locator: Default::default(),
                    conversation: Default::default(),
                    ..r.clone()
                })
                .collect()
        };
        prop_assert_eq!(strip(&a.records), strip(&b.records));
        let bytes = chat.replace('\n', "\r\n").into_bytes();
        for record in &b.records {
            let s = slice(&bytes, record);
            prop_assert!(s.starts_with(b"[2021-04-05 "));
            prop_assert!(!s.ends_with(b"\r") && !s.ends_with(b"\n"));
        }
    }
}

/// One line of each odd shape, in a signal-export `chat.md` with a BOM and
/// CRLF line ends: every message comes out, blank and space-only lines are
/// part of the message before, nothing silently gone.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let lines = [
        "\u{feff}[2020-02-01 09:01:00] Cem: genuine".to_string(),
        "[2020-02-01 09:02:00] Bo: ".to_string(),
        "[2020-02-01 09:03:00] Cem:\ttabbed".to_string(),
        "[2020-02-01 09:04:00] Dan: \ttab in the text".to_string(),
        format!("[2020-02-01 09:05:00] Erin: {long}"),
        "   ".to_string(),
        "[2020-02-01 09:06:00] Ålïce Ünïcode: e\u{301} \u{200b}zero width \u{202e}bidi".to_string(),
        "[2020-02-01 09:06:30] Cem changed the group name".to_string(),
        "[2020-02-01 09:07:00] Бот: тест: с двоеточием".to_string(),
        "[2020-02-01 09:08:00] 🙂: emoji sender".to_string(),
        "".to_string(),
        "[2020-02-01 09:09:00] Cem: ‏שלום".to_string(),
        "".to_string(),
    ];
    let path = write(&dir, "Odd/chat.md", lines.join("\r\n").as_bytes());
    let sink = read(&path);
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    // The dated line without `Name:` is folded into the message before,
    // and said so.
    assert_eq!(sink.notices.len(), 1, "{:#?}", sink.notices);
    assert_eq!(sink.notices[0].kind, trove_readers::NoticeKind::LinesFolded);
    assert!(
        sink.notices[0].reason.contains("starts with a date but names no `sender:`"),
        "{:#?}",
        sink.notices
    );
    let got: Vec<(u64, Option<&str>, &str, &str)> = sink
        .records
        .iter()
        .map(|r| (r.locator.line.unwrap(), sender(r), r.sent_at.original.as_str(), &*r.text))
        .collect();
    let bidi = "e\u{301} \u{200b}zero width \u{202e}bidi";
    // A header without `Name:` is no header: the line is text of the
    // message before, kept (the space-only line after Erin's is trimmed).
    let folded = format!("{bidi}\n[2020-02-01 09:06:30] Cem changed the group name");
    assert_eq!(
        got,
        [
            (1, Some("Cem"), "2020-02-01 09:01:00", "genuine"),
            (2, Some("Bo"), "2020-02-01 09:02:00", ""),
            (3, Some("Cem"), "2020-02-01 09:03:00", "\ttabbed"),
            (4, Some("Dan"), "2020-02-01 09:04:00", "\ttab in the text"),
            (5, Some("Erin"), "2020-02-01 09:05:00", long.as_str()),
            (7, Some("Ålïce Ünïcode"), "2020-02-01 09:06:00", folded.as_str()),
            (9, Some("Бот"), "2020-02-01 09:07:00", "тест: с двоеточием"),
            (10, Some("🙂"), "2020-02-01 09:08:00", "emoji sender"),
            (12, Some("Cem"), "2020-02-01 09:09:00", "‏שלום"),
        ]
    );
    for record in &sink.records {
        assert!(record.is_message());
        let minute: i64 = record.sent_at.original[14..16].parse().unwrap();
        assert_eq!(record.sent_at.utc_ms, ms(&format!("2020-02-01T09:{minute:02}:00Z")));
        assert_eq!(record.sent_at.basis, TimeBasis::AssertedZone);
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(sink.records[0].locator.offset, 3, "after the BOM");
    assert_eq!(slice(&bytes, &sink.records[0]), b"[2020-02-01 09:01:00] Cem: genuine");
    for record in &sink.records {
        assert!(slice(&bytes, record).starts_with(b"[2020-02-01 09:0"), "{:?}", record.locator);
    }
}
