//! The Jabber (concatenated JSON objects) reader, end to end.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::jabber::Jabber;
use trove_readers::transcript::Jsonl;
use trove_readers::{Confidence, Format, Input, ReadError, ReadOptions, VecSink, detect, timefmt};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/jabber").join(name)
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    Jabber.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn read(path: &Path) -> VecSink {
    read_with(path, &ReadOptions::default()).unwrap()
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn sender(record: &Record) -> &str {
    record.sender.as_ref().map(|s| &*s.native_id).unwrap_or("")
}

fn recipient(record: &Record) -> &str {
    record.targets.first().map(|s| &*s.native_id).unwrap_or("")
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const ALPHA: &str = "alpha@q3example.onion";
const BETA: &str = "beta@q3example.onion";
const PAIR: &str = "alpha@q3example.onion <-> beta@q3example.onion";

#[test]
fn glued_objects() {
    let sink = read(&fixture("2021-01-29.json"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert_eq!(sink.records.len(), 6);
    let first = &sink.records[0];
    assert!(first.is_message());
    assert_eq!(first.platform, "jabber");
    assert_eq!(first.text, "привет, ты тут?");
    assert_eq!((sender(first), recipient(first)), (ALPHA, BETA));
    assert_eq!(&*first.conversation.native_id, PAIR);
    assert_eq!(first.conversation.name.as_deref(), Some(PAIR));
    assert_eq!(first.native_id, None);
    assert_eq!(first.raw, None);
    // Microseconds, no zone: the asserted zone (UTC by default), original kept.
    assert_eq!(first.sent_at.original, "2021-01-29T10:12:03.104112");
    assert_eq!(first.sent_at.utc_ms, ms("2021-01-29T10:12:03.104Z"));
    assert_eq!(first.sent_at.basis, TimeBasis::AssertedZone);
    assert_eq!(first.sent_at.zone.as_deref(), Some("UTC"));

    let reply = &sink.records[1];
    assert_eq!(reply.text, "тут. что с \"сервером\"?\nвторая строка");
    assert_eq!((sender(reply), recipient(reply)), (BETA, ALPHA));
    // Either direction is the same conversation.
    assert_eq!(&*reply.conversation.native_id, PAIR);

    // A resource names a client, not a person: dropped from the id, kept in raw.
    let resource = &sink.records[2];
    assert_eq!(sender(resource), BETA);
    assert_eq!(resource.text, "{\"not\": \"an object\"} just text");
    assert!(resource.raw.as_deref().unwrap().contains("beta@q3example.onion/Psi+"));

    // The same nick on another server is another account and another chat.
    let other = &sink.records[3];
    assert_eq!(sender(other), "alpha@other.example");
    assert_eq!(&*other.conversation.native_id, "alpha@other.example <-> beta@q3example.onion");

    // Glued `}{`, with an extra key kept in raw.
    let glued = &sink.records[4];
    assert_eq!(glued.text, "glued right after the brace");
    let raw: Value = serde_json::from_str(glued.raw.as_deref().unwrap()).unwrap();
    assert_eq!(raw["thread"], "t-77");

    let no_body = &sink.records[5];
    assert_eq!(no_body.kind, RecordKind::Event(EventKind::Other("no_body".to_string())));
    assert_eq!(no_body.text, "");
    assert!(no_body.raw.is_some());
    for (i, record) in sink.records.iter().enumerate() {
        assert_eq!(record.locator.json_path.as_deref(), Some(format!("$[{i}]").as_str()));
    }
}

#[test]
fn the_asserted_zone_applies_to_naive_times() {
    let options = ReadOptions {
        tz: Some(timefmt::parse_zone("Europe/Moscow").unwrap()),
        tz_name: Some("Europe/Moscow".to_string()),
        ..ReadOptions::default()
    };
    let sink = read_with(&fixture("2021-01-29.json"), &options).unwrap();
    let first = &sink.records[0];
    assert_eq!(first.sent_at.utc_ms, ms("2021-01-29T07:12:03.104Z"));
    assert_eq!(first.sent_at.zone.as_deref(), Some("Europe/Moscow"));
    assert_eq!(first.sent_at.original, "2021-01-29T10:12:03.104112");
}

#[test]
fn locators_slice_each_object() {
    let path = fixture("2021-01-29.json");
    let bytes = std::fs::read(&path).unwrap();
    let sink = read(&path);
    for record in &sink.records {
        let slice = &bytes[record.locator.offset as usize..][..record.locator.length as usize];
        let object: Value = serde_json::from_slice(slice).unwrap();
        assert_eq!(object["ts"].as_str(), Some(record.sent_at.original.as_str()));
        assert_eq!(record.locator.line, None);
        assert_eq!(record.locator.entry, None);
    }
    assert_eq!(sink.records[0].locator.offset, 0);
    let glued = &sink.records[4];
    assert_eq!(bytes[glued.locator.offset as usize - 1], b'}');
}

#[test]
fn comma_separated_with_group_chats() {
    let sink = read(&fixture("2021-01-30_commas.json"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert_eq!(sink.records.len(), 4);
    assert_eq!(sink.records[0].sent_at.utc_ms, ms("2021-01-30T23:59:59.999Z"));
    assert_eq!(sink.records[1].sent_at.utc_ms, ms("2021-01-31T00:00:00Z"));
    assert_eq!(
        &*sink.records[0].conversation.native_id,
        "delta@jabber.example <-> gamma@jabber.example"
    );
    // To a conference server: the room is the conversation.
    let to_room = &sink.records[2];
    assert_eq!(&*to_room.conversation.native_id, "ops@conference.jabber.example");
    assert_eq!(sender(to_room), "gamma@jabber.example");
    // From inside the room: the occupant JID names the sender.
    let from_room = &sink.records[3];
    assert_eq!(&*from_room.conversation.native_id, "ops@conference.jabber.example");
    assert_eq!(sender(from_room), "ops@conference.jabber.example/delta");
    assert_eq!(from_room.raw, None);
}

#[test]
fn wrapped_in_brackets_and_one_per_line() {
    let wrapped = read(&fixture("wrapped.log"));
    assert!(wrapped.skips.is_empty(), "{:?}", wrapped.skips);
    let texts: Vec<&str> = wrapped.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["in brackets", "ok"]);
    let compact_path = fixture("compact.json");
    let compact = read(&compact_path);
    let texts: Vec<&str> = compact.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["one per line", "looks like JSONL"]);
    // JSONL would claim this file too, but only as a guess.
    let input = Input::open(&compact_path).unwrap();
    assert_eq!(Jsonl.sniff(&input), Confidence::Maybe);
    assert_eq!(Jabber.sniff(&input), Confidence::Certain);
    assert_eq!(detect(&input).unwrap().name(), "jabber");
}

#[test]
fn broken_chunks_are_skipped_reported_and_reading_resumes() {
    let path = fixture("2021-01-29_translated.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let sink = read(&path);
    let times: Vec<&str> = sink.records.iter().map(|r| r.sent_at.original.as_str()).collect();
    assert_eq!(
        times,
        vec![
            "2021-01-29T10:12:03.104112",
            "2021-01-29T10:15:00.000000",
            "2021-01-29T10:17:00.000000"
        ]
    );
    assert_eq!(sink.records[1].text, "stuck right after the bracket");
    let object_at = |ts: &str| text[..text.find(ts).unwrap()].rfind('{').unwrap() as u64;
    let skips: Vec<(u64, &str)> =
        sink.skips.iter().map(|s| (s.offset, s.reason.as_str())).collect();
    assert_eq!(skips.len(), 5, "{skips:?}");
    // 1. An unescaped quote leaves a string open at the line break.
    assert_eq!(skips[0].0, object_at("10:12:40"));
    assert!(skips[0].1.starts_with("$[1]: broken chunk of "), "{}", skips[0].1);
    assert!(skips[0].1.contains("line break"), "{}", skips[0].1);
    assert!(skips[0].1.contains(&format!("resumed at byte {}", object_at("10:13:02"))));
    // 2. Balanced but not JSON: reported where the parser failed.
    assert_eq!(skips[1].0 as usize, text.find("{\"not\"").unwrap() + 2);
    assert!(skips[1].1.contains(&format!("object at byte {}", object_at("10:13:02"))));
    // 3. An object left open by the next one.
    assert_eq!(skips[2].0, object_at("10:14:00"));
    assert!(skips[2].1.contains("not closed"), "{}", skips[2].1);
    assert!(skips[2].1.contains(&format!("resumed at byte {}", object_at("10:15:00"))));
    // 4. Text between objects.
    assert_eq!(skips[3].0 as usize, text.find("Translated by machine").unwrap());
    assert!(skips[3].1.contains("`T` where an object should start"), "{}", skips[3].1);
    // 5. A translated date is never guessed at.
    assert_eq!(skips[4].0, object_at("29.01.2021 T10"));
    assert!(skips[4].1.contains("cannot read ts `29.01.2021 T10: 16: 00`"), "{}", skips[4].1);
    for skip in &sink.skips {
        assert!(skip.file.ends_with("2021-01-29_translated.json"));
    }
}

#[test]
fn translations_carry_the_pairing_key_exactly() {
    // Pairing (elsewhere) is by (ts, from, to): every intact translated
    // message finds its original by the fields the records keep.
    let original = read(&fixture("2021-01-29.json"));
    let translated = read(&fixture("2021-01-29_translated.json"));
    let key =
        |r: &Record| (r.sent_at.original.clone(), sender(r).to_string(), recipient(r).to_string());
    let originals: Vec<_> = original.records.iter().map(key).collect();
    let paired: Vec<usize> = translated
        .records
        .iter()
        .filter_map(|r| originals.iter().position(|k| *k == key(r)))
        .collect();
    assert_eq!(paired, vec![0, 4]);
}

#[test]
fn crlf_copies_read_the_same() {
    let lf = std::fs::read(fixture("2021-01-29.json")).unwrap();
    let crlf = String::from_utf8(lf).unwrap().replace('\n', "\r\n");
    let dir = tempfile::tempdir().unwrap();
    let sink = read(&write_temp(&dir, "crlf.json", crlf.as_bytes()));
    let reference = read(&fixture("2021-01-29.json"));
    let strip = |records: &[Record]| -> Vec<Record> {
        records
            .iter()
            .cloned()
            .map(|mut r| {
                r.locator.offset = 0;
                r.locator.length = 0;
                r.raw = r.raw.map(|raw| raw.replace("\r\n", "\n"));
                r
            })
            .collect()
    };
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert_eq!(strip(&sink.records), strip(&reference.records));
}

#[test]
fn sniffing() {
    for name in
        ["2021-01-29.json", "2021-01-30_commas.json", "wrapped.log", "2021-01-29_translated.json"]
    {
        let input = Input::open(&fixture(name)).unwrap();
        assert_eq!(Jabber.sniff(&input), Confidence::Certain, "{name}");
    }
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs");
    let matrix = Input::open(&inputs.join("matrix/element_export.json")).unwrap();
    assert_eq!(Jabber.sniff(&matrix), Confidence::No);
    let irc = Input::open(&inputs.join("irc/#chan_20160503.log")).unwrap();
    assert_eq!(Jabber.sniff(&irc), Confidence::No);
    let dir = tempfile::tempdir().unwrap();
    let maybe = write_temp(&dir, "x.json", b"{\"from\": \"a@b\", \"body\": \"hi\"}");
    assert_eq!(Jabber.sniff(&Input::open(&maybe).unwrap()), Confidence::Maybe);
    let csv = write_temp(&dir, "x.csv", b"{\"ts\": \"1\", \"from\": \"a@b\", \"body\": \"hi\"}");
    assert_eq!(Jabber.sniff(&Input::open(&csv).unwrap()), Confidence::No);
    // A folder is walked file by file by ingest, never claimed whole.
    assert_eq!(Jabber.sniff(&Input::open(&fixture("")).unwrap()), Confidence::No);
}

#[test]
fn zips_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("conti.zip");
    {
        let file = std::fs::File::create(&zip_path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default();
        for name in ["2021-01-29.json", "2021-01-30_commas.json"] {
            zip.start_file(format!("jabber/{name}"), options).unwrap();
            zip.write_all(&std::fs::read(fixture(name)).unwrap()).unwrap();
        }
        zip.finish().unwrap();
    }
    let input = Input::open(&zip_path).unwrap();
    assert_eq!(Jabber.sniff(&input), Confidence::Certain);
    let mut sink = VecSink::default();
    Jabber.read(&input, &ReadOptions::default(), &mut sink).unwrap();
    assert_eq!(sink.records.len(), 10);
    assert_eq!(sink.records[0].locator.entry.as_deref(), Some("jabber/2021-01-29.json"));
    assert_eq!(sink.records[9].locator.entry.as_deref(), Some("jabber/2021-01-30_commas.json"));

    // Named on a folder: members that are not Jabber logs are reported.
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("wrapped.log"), folder.path().join("wrapped.log")).unwrap();
    write_temp(&folder, "README.txt", b"Leaked from the Jabber server, 2021.\n");
    let sink = read(folder.path());
    assert_eq!(sink.records.len(), 2);
    assert_eq!(sink.records[0].locator.entry.as_deref(), Some("wrapped.log"));
    assert_eq!(sink.skips.len(), 1);
    assert!(sink.skips[0].file.ends_with("README.txt"));
    assert!(sink.skips[0].reason.contains("does not start like a Jabber log"));
}

#[test]
fn objects_over_the_limit_are_skipped_without_losing_the_rest() {
    let options = ReadOptions { max_record_bytes: 150, ..ReadOptions::default() };
    let sink = read_with(&fixture("2021-01-29.json"), &options).unwrap();
    // Objects 1, 2 and 4 are over 150 bytes (Cyrillic takes two bytes a
    // letter); they are passed over unbuffered and reported at their start.
    let kept: Vec<&str> =
        sink.records.iter().map(|r| r.locator.json_path.as_deref().unwrap()).collect();
    assert_eq!(kept, vec!["$[0]", "$[3]", "$[5]"]);
    let skipped: Vec<u64> = sink.skips.iter().map(|s| s.offset).collect();
    assert_eq!(skipped, vec![148, 336, 639]);
    for skip in &sink.skips {
        assert!(skip.reason.contains("limit of 150 bytes"), "{}", skip.reason);
    }
}

#[test]
fn empty_and_blank_files_give_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (name, data) in [("a.json", &b""[..]), ("b.json", b" \n[ ]\n"), ("c.json", b"\xEF\xBB\xBF")]
    {
        let sink = read(&write_temp(&dir, name, data));
        assert!(sink.records.is_empty() && sink.skips.is_empty(), "{name}");
    }
}

fn arbitrary_inputs() -> impl Strategy<Value = Vec<u8>> {
    let glued = std::fs::read(fixture("2021-01-29_translated.json")).unwrap();
    let alphabet: Vec<u8> = b"{}[]\",: \n\r\\tsfromtobody0123456789-T.".to_vec();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        proptest::collection::vec(proptest::sample::select(alphabet), 0..400),
        (
            proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            any::<prop::sample::Index>()
        )
            .prop_map(move |(edits, cut)| {
                let mut bytes = glued.clone();
                for (at, b) in edits {
                    let i = at.index(bytes.len());
                    bytes[i] = b;
                }
                bytes.truncate(cut.index(bytes.len() + 1));
                bytes
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in arbitrary_inputs(), small in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(&dir, "2021-01-29.json", &bytes);
        let input = Input::open(&path).unwrap();
        let _ = Jabber.sniff(&input);
        let options = ReadOptions {
            max_record_bytes: if small { 40 } else { 1 << 20 },
            ..ReadOptions::default()
        };
        let mut sink = VecSink::default();
        Jabber.read(&input, &options, &mut sink).unwrap();
        for record in &sink.records {
            let end = record.locator.offset + record.locator.length;
            prop_assert!(end <= bytes.len() as u64);
            prop_assert_eq!(bytes[record.locator.offset as usize], b'{');
        }
        for skip in &sink.skips {
            prop_assert!(skip.offset <= bytes.len() as u64);
        }
    }
}

/// A day file of glued objects with a BOM and CRLF line ends: a genuine
/// message first, then copies with one field each given a shape the reader
/// does not expect, and a very long body.
fn odd_shapes_log(dir: &tempfile::TempDir) -> (PathBuf, String) {
    let msg = |n: u32, rest: &str| {
        format!("{{\r\n  \"ts\": \"2021-01-29T10:12:{n:02}.000000\",\r\n  {rest}\r\n}}")
    };
    let pair = format!(r#""from": "{ALPHA}", "to": "{BETA}""#);
    let long = "x".repeat(100_000);
    let docs = [
        msg(1, &format!(r#"{pair}, "body": "genuine""#)),
        msg(2, &format!(r#"{pair}, "body": 7"#)),
        msg(3, &format!(r#"{pair}, "body": {{"text": "c"}}"#)),
        msg(4, &format!(r#"{pair}, "body": null"#)),
        msg(5, &format!(r#"{pair}, "body": ["e"]"#)),
        msg(6, &format!(r#""from": ["{ALPHA}"], "to": "{BETA}", "body": "f""#)),
        msg(7, &format!(r#""from": "{ALPHA}", "to": 7, "body": "g""#)),
        msg(8, &format!(r#"{pair}, "body": "h", "thread": {{}}"#)),
        msg(9, &format!(r#"{pair}, "body": "‏שלום\u200b e\u0301 🙂""#)),
        msg(10, &format!(r#"{pair}, "body": "{long}""#)),
        msg(11, &format!(r#""from": {{"jid": "{ALPHA}"}}, "to": "{BETA}", "body": "k""#)),
        msg(12, &format!(r#"{pair}, "body": """#)),
    ];
    let body = format!("\u{feff}{}\r\n", docs.join("\r\n"));
    (write_temp(dir, "2021-01-29.json", body.as_bytes()), long)
}

/// One object of each odd shape: every one comes out with its time and
/// what text it has, none skipped; a body that is not text makes a
/// `no_body` event that keeps the object.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let (path, long) = odd_shapes_log(&dir);
    let sink = read(&path);
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    // A `from` or `body` that is not text is reported; its record keeps
    // the object.
    let odd: Vec<(u64, &str)> = sink
        .notices
        .iter()
        .map(|n| {
            assert_eq!(n.kind, trove_readers::NoticeKind::FieldDropped);
            let why = n.reason.split(": jabber ").nth(1).unwrap();
            (n.offset, why.trim_end_matches(", not read (the record keeps its JSON)"))
        })
        .collect();
    let odd_records: Vec<&str> = odd
        .iter()
        .map(|(offset, why)| {
            let record = sink.records.iter().find(|r| r.locator.offset == *offset).unwrap();
            assert!(record.raw.is_some(), "{why}");
            *why
        })
        .collect();
    assert_eq!(
        odd_records,
        ["`body` is an object", "`body` is an array", "`from` is an array", "`from` is an object"]
    );
    assert_eq!(sink.records.len(), 12);
    for (n, record) in (1..=12).zip(&sink.records) {
        assert_eq!(record.sent_at.utc_ms, ms("2021-01-29T10:12:00Z") + n * 1000);
        assert_eq!(record.sent_at.original, format!("2021-01-29T10:12:{n:02}.000000"));
    }
    let no_body = RecordKind::Event(EventKind::Other("no_body".into()));
    let got: Vec<(&str, bool, bool)> = sink
        .records
        .iter()
        .map(|r| (r.text.as_str(), r.kind == RecordKind::Message, r.raw.is_some()))
        .collect();
    assert_eq!(
        got,
        [
            ("genuine", true, false),
            ("7", true, false),
            ("", false, true),
            ("", false, true),
            ("", false, true),
            ("f", true, true),
            ("g", true, false),
            ("h", true, true),
            ("‏שלום\u{200b} e\u{301} 🙂", true, false),
            (long.as_str(), true, false),
            ("k", true, true),
            ("", true, false),
        ]
    );
    assert!(sink.records[2..5].iter().all(|r| r.kind == no_body));
    let senders: Vec<Option<&str>> =
        sink.records.iter().map(|r| r.sender.as_ref().map(|s| &*s.native_id)).collect();
    let expected: Vec<Option<&str>> =
        (1..=12).map(|n| (n != 6 && n != 11).then_some(ALPHA)).collect();
    assert_eq!(senders, expected);
    let conversations: Vec<&str> =
        sink.records.iter().map(|r| &*r.conversation.native_id).collect();
    assert_eq!(
        conversations,
        [
            PAIR,
            PAIR,
            PAIR,
            PAIR,
            PAIR,
            BETA,
            "7 <-> alpha@q3example.onion",
            PAIR,
            PAIR,
            PAIR,
            BETA,
            PAIR
        ]
    );
    assert_eq!(recipient(&sink.records[6]), "7");
}

/// What the issue asks: a `from` that is not text loses the sender (and
/// puts the message in another conversation); the object should be kept as
/// `raw` or the field reported as dropped.
#[test]
fn odd_shaped_from_is_kept_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = odd_shapes_log(&dir);
    let sink = read(&path);
    let silent: Vec<&str> = sink
        .records
        .iter()
        .filter(|r| r.sender.is_none())
        .filter(|r| {
            r.raw.is_none()
                && !sink.notices.iter().any(|n| {
                    n.kind == trove_readers::NoticeKind::FieldDropped
                        && n.offset == r.locator.offset
                })
        })
        .map(|r| r.text.as_str())
        .collect();
    assert_eq!(silent, Vec::<&str>::new());
}
