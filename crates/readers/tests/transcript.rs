//! The CSV and JSONL transcript readers, end to end.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::transcript::{Csv, Jsonl};
use trove_readers::{
    ColumnMap, Confidence, Format, Input, ReadError, ReadOptions, Sink, Skip, Stop, VecSink,
    timefmt,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/transcript").join(name)
}

fn read(format: &dyn Format, path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    format.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn new_york() -> ReadOptions {
    ReadOptions {
        tz: Some(timefmt::parse_zone("America/New_York").unwrap()),
        tz_name: Some("America/New_York".to_string()),
        ..ReadOptions::default()
    }
}

fn wikileaks_options() -> ReadOptions {
    ReadOptions {
        map: ColumnMap::parse("text=text,sent_at=date,sender=user").unwrap(),
        event_senders: vec!["system".to_string()],
        ..new_york()
    }
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn name_of(account: &Option<trove_model::AccountRef>) -> Option<&str> {
    account.as_ref().map(|a| &*a.native_id)
}

fn targets(record: &Record) -> Vec<&str> {
    record.targets.iter().map(|t| &*t.native_id).collect()
}

#[test]
fn wikileaks_transcript_times_across_dst() {
    let sink = read(&Csv, &fixture("wikileaks_dm.csv"), &wikileaks_options()).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let instants: Vec<i64> = sink.records.iter().map(|r| r.sent_at.utc_ms).collect();
    assert_eq!(
        instants,
        vec![
            ms("2016-03-13T02:00:00Z"), // EST, UTC-5
            ms("2016-03-13T02:05:10Z"),
            ms("2016-03-13T06:59:59Z"), // last second of EST
            ms("2016-03-13T07:00:00Z"), // 03:00 EDT, one second later
            ms("2016-03-13T16:00:00Z"), // EDT, UTC-4
            ms("2016-11-06T05:30:00Z"), // 01:30 happens twice: the first (EDT)
            ms("2016-11-06T07:30:00Z"), // EST again
        ]
    );
    for record in &sink.records {
        assert_eq!(record.sent_at.basis, TimeBasis::AssertedZone);
        assert_eq!(record.sent_at.zone.as_deref(), Some("America/New_York"));
        assert_eq!(record.platform, "transcript");
        assert_eq!(&*record.conversation.native_id, "wikileaks_dm");
        assert_eq!(record.locator.entry, None);
        assert_eq!(record.locator.json_path, None);
    }
    assert_eq!(sink.records[2].sent_at.original, "2016-03-13 01:59:59");
}

#[test]
fn wikileaks_transcript_texts_and_senders() {
    let sink = read(&Csv, &fixture("wikileaks_dm.csv"), &wikileaks_options()).unwrap();
    let welcome = &sink.records[1];
    assert!(welcome.is_message());
    assert_eq!(welcome.text, "Welcome, Harry. Read the \"rules\" first:\n1. no names\n2. no dates");
    let sender = welcome.sender.as_ref().unwrap();
    assert_eq!(&*sender.native_id, "Emma");
    assert_eq!(sender.display_name.as_deref(), Some("Emma"));
    assert_eq!(welcome.native_id, None);
    assert_eq!(sink.records[3].text, "Clock check, it's 3am now");
    assert_eq!(sink.records[5].text, "See you, \"Task Force\"");
}

#[test]
fn system_rows_become_events() {
    let sink = read(&Csv, &fixture("wikileaks_dm.csv"), &wikileaks_options()).unwrap();
    let kinds: Vec<&RecordKind> = sink.records.iter().map(|r| &r.kind).collect();
    assert_eq!(
        kinds,
        vec![
            &RecordKind::Event(EventKind::Join),
            &RecordKind::Message,
            &RecordKind::Message,
            &RecordKind::Message,
            &RecordKind::Event(EventKind::Rename),
            &RecordKind::Message,
            &RecordKind::Event(EventKind::Leave),
        ]
    );
    let added = &sink.records[0];
    assert_eq!(name_of(&added.sender), Some("Emma"));
    assert_eq!(added.sender.as_ref().unwrap().display_name.as_deref(), Some("Emma"));
    assert_eq!(targets(added), vec!["Harry"]);
    assert_eq!(added.text, "Emma added Harry");

    let renamed = &sink.records[4];
    assert_eq!(name_of(&renamed.sender), Some("Emma"));
    assert_eq!(renamed.conversation.name.as_deref(), Some("Task Force"));
    assert_eq!(&*renamed.conversation.native_id, "wikileaks_dm");
    assert!(renamed.targets.is_empty());

    let left = &sink.records[6];
    assert_eq!(left.sender, None);
    assert_eq!(targets(left), vec!["Harry"]);
    assert_eq!(left.text, "Harry left");

    // Without --event-sender the same rows are messages from "system".
    let options = ReadOptions { event_senders: Vec::new(), ..wikileaks_options() };
    let sink = read(&Csv, &fixture("wikileaks_dm.csv"), &options).unwrap();
    assert!(sink.records.iter().all(Record::is_message));
    assert_eq!(name_of(&sink.records[0].sender), Some("system"));
}

#[test]
fn locators_slice_the_rows() {
    let path = fixture("wikileaks_dm.csv");
    let bytes = std::fs::read(&path).unwrap();
    let sink = read(&Csv, &path, &wikileaks_options()).unwrap();
    let slice = |r: &Record| {
        let start = r.locator.offset as usize;
        String::from_utf8(bytes[start..start + r.locator.length as usize].to_vec()).unwrap()
    };
    assert_eq!(slice(&sink.records[0]), "Emma added Harry,2016-03-12 21:00:00,system");
    assert_eq!(sink.records[0].locator.offset, "text,date,user\n".len() as u64);
    assert_eq!(sink.records[0].locator.line, Some(2));
    assert_eq!(
        slice(&sink.records[1]),
        "\"Welcome, Harry. Read the \"\"rules\"\" first:\n1. no names\n2. no dates\",\
         2016-03-12 21:05:10,Emma"
    );
    assert_eq!(sink.records[1].locator.line, Some(3));
    assert_eq!(sink.records[2].locator.line, Some(6));
    assert_eq!(slice(&sink.records[6]), "Harry left,2016-11-06 02:30:00,system");
    assert_eq!(sink.records[6].locator.line, Some(10));
    for record in &sink.records {
        assert!(slice(record).contains(&record.sent_at.original));
        assert_eq!(record.locator.render().chars().next(), Some('@'));
    }
}

#[test]
fn crlf_and_lf_copies_read_the_same() {
    let lf = std::fs::read(fixture("wikileaks_dm.csv")).unwrap();
    let crlf = String::from_utf8(lf.clone()).unwrap().replace('\n', "\r\n");
    let dir = tempfile::tempdir().unwrap();
    let lf_path = write_temp(&dir, "wikileaks_dm.csv", &lf);
    let crlf_dir = tempfile::tempdir().unwrap();
    let crlf_path = write_temp(&crlf_dir, "wikileaks_dm.csv", crlf.as_bytes());
    let strip = |mut records: Vec<Record>| {
        for r in &mut records {
            r.locator.offset = 0;
            r.locator.length = 0;
        }
        records
    };
    let from_lf = read(&Csv, &lf_path, &wikileaks_options()).unwrap();
    let from_crlf = read(&Csv, &crlf_path, &wikileaks_options()).unwrap();
    assert_eq!(from_lf.records.len(), 7);
    // The CRLF offsets still slice the rows exactly.
    let r = &from_crlf.records[1];
    let raw = &crlf.as_bytes()[r.locator.offset as usize..][..r.locator.length as usize];
    assert!(raw.starts_with(b"\"Welcome") && raw.ends_with(b",Emma"));
    assert_eq!(strip(from_lf.records), strip(from_crlf.records));
}

#[test]
fn auto_detects_columns_without_a_map() {
    let path = fixture("auto.tsv");
    let input = Input::open(&path).unwrap();
    assert_eq!(Csv.sniff(&input), Confidence::Maybe);
    assert_eq!(Jsonl.sniff(&input), Confidence::No);
    let sink = read(&Csv, &path, &ReadOptions::default()).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let [first, second, third] = &sink.records[..] else { panic!("{:?}", sink.records) };
    assert_eq!(first.native_id.as_deref(), Some("m1"));
    assert_eq!(first.text, "hello there");
    assert_eq!(first.sent_at.basis, TimeBasis::Utc);
    assert_eq!(first.sent_at.utc_ms, ms("2016-10-07T14:30:05Z"));
    assert_eq!(&*first.conversation.native_id, "ops");
    assert_eq!(first.reply_to, None);
    let sender = first.sender.as_ref().unwrap();
    assert_eq!(&*sender.native_id, "u1");
    assert_eq!(sender.display_name.as_deref(), Some("Emma"));
    assert_eq!(second.text, "hi, Emma");
    assert_eq!(second.sent_at.utc_ms, 1_475_850_700_000);
    assert_eq!(second.sent_at.basis, TimeBasis::Utc);
    assert_eq!(second.reply_to.as_deref(), Some("m1"));
    assert_eq!(third.text, "quoted\ttab");
    assert_eq!(third.sent_at.basis, TimeBasis::LocalWithOffset);
    assert_eq!(third.sent_at.utc_ms, ms("2016-10-07T14:35:00Z"));
}

#[test]
fn naive_times_without_tz_are_asserted_utc() {
    let sink = read(&Csv, &fixture("bad_rows.csv"), &ReadOptions::default()).unwrap();
    let fine = &sink.records[0];
    assert_eq!(fine.sent_at.utc_ms, ms("2016-01-01T10:00:00Z"));
    assert_eq!(fine.sent_at.basis, TimeBasis::AssertedZone);
    assert_eq!(fine.sent_at.zone.as_deref(), Some("UTC"));
}

#[test]
fn bad_csv_rows_are_skipped_with_file_offset_and_line() {
    let path = fixture("bad_rows.csv");
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let sink = read(&Csv, &path, &ReadOptions::default()).unwrap();
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["fine", "ragged"]);
    assert_eq!(sink.records[1].locator.line, Some(8));
    let file = path.display().to_string();
    let offset_of = |needle: &str| text.find(needle).unwrap() as u64;
    assert_eq!(
        sink.skips,
        vec![
            Skip {
                file: file.clone(),
                offset: offset_of("broken"),
                reason: "line 3: cannot read timestamp `not a date`: not a recognised date/time \
                         (expected e.g. `2016-10-07 14:30`, `2016-10-07T14:30:05Z`, \
                         `06/13/2015 2:30 PM`, `Jun 13, 2015 2:30 PM` or a Unix epoch)"
                    .to_string(),
            },
            Skip {
                file: file.clone(),
                offset: offset_of(",2016-01-01 10:01"),
                reason: "line 4: no text".into()
            },
            Skip { file, offset: offset_of("short row"), reason: "line 5: no timestamp".into() },
        ]
    );
}

#[test]
fn jsonl_with_nested_mapping() {
    let path = fixture("nested.jsonl");
    let input = Input::open(&path).unwrap();
    assert_eq!(Jsonl.sniff(&input), Confidence::Maybe);
    let options = ReadOptions {
        map: ColumnMap::parse(
            "text=body,sent_at=ts,sender=u.username,sender_id=u.id,reply_to=reply",
        )
        .unwrap(),
        ..new_york()
    };
    let sink = read(&Jsonl, &path, &options).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let [first, second, naive] = &sink.records[..] else { panic!("{:?}", sink.records) };
    assert_eq!(first.text, "hello");
    assert_eq!(first.native_id.as_deref(), Some("1"));
    assert_eq!(&*first.sender.as_ref().unwrap().native_id, "u1");
    assert_eq!(first.sender.as_ref().unwrap().display_name.as_deref(), Some("emma"));
    assert_eq!(&*first.conversation.native_id, "nested");
    assert_eq!(first.locator.offset, 0);
    assert_eq!(first.locator.line, Some(1));
    assert_eq!(first.locator.json_path, None);
    assert_eq!(second.text, "hi \u{e9}");
    assert_eq!(second.sent_at.utc_ms, 1_475_850_700_000);
    assert_eq!(second.reply_to.as_deref(), Some("1"));
    assert_eq!(second.locator.line, Some(2));
    let slice = &bytes[second.locator.offset as usize..][..second.locator.length as usize];
    assert!(slice.starts_with(b"{\"id\": 2") && slice.ends_with(b"\"reply\": 1}"));
    assert_eq!(naive.text, "naive");
    assert_eq!(&*naive.sender.as_ref().unwrap().native_id, "emma");
    assert_eq!(&*naive.conversation.native_id, "ops");
    assert_eq!(naive.sent_at.utc_ms, ms("2016-10-07T18:35:00Z"));
    assert_eq!(naive.sent_at.basis, TimeBasis::AssertedZone);
    assert_eq!(naive.locator.line, Some(7));

    let text = String::from_utf8(bytes).unwrap();
    let line_offset =
        |n: usize| text.split_inclusive('\n').take(n - 1).map(str::len).sum::<usize>() as u64;
    let found: Vec<(u64, &str)> =
        sink.skips.iter().map(|s| (s.offset, s.reason.as_str())).collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, line_offset(3));
    assert!(found[0].1.starts_with("line 3: not valid JSON: "), "{}", found[0].1);
    assert_eq!(found[1], (line_offset(4), "line 4: not a JSON object"));
    assert_eq!(found[2].0, line_offset(6));
    assert!(
        found[2].1.starts_with("line 6: cannot read timestamp `yesterday`: "),
        "{}",
        found[2].1
    );
    assert!(sink.skips.iter().all(|s| s.file == path.display().to_string()));
}

#[test]
fn jsonl_auto_detection_and_sniffing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(
        &dir,
        "chat.ndjson",
        b"\n  {\"message\": \"hi\", \"createdAt\": \"2021-02-03T18:42:53.007Z\", \"author\": \"a\", \"_id\": \"x\"}\n",
    );
    assert_eq!(Jsonl.sniff(&Input::open(&path).unwrap()), Confidence::Maybe);
    assert_eq!(Csv.sniff(&Input::open(&path).unwrap()), Confidence::No);
    let sink = read(&Jsonl, &path, &ReadOptions::default()).unwrap();
    assert_eq!(sink.records.len(), 1);
    let record = &sink.records[0];
    assert_eq!(record.text, "hi");
    assert_eq!(record.sent_at.utc_ms, ms("2021-02-03T18:42:53.007Z"));
    assert_eq!(record.native_id.as_deref(), Some("x"));
    // The line starts after the blank first line, indentation included.
    assert_eq!(record.locator.offset, 1);
    assert_eq!(record.locator.line, Some(2));

    let pretty = write_temp(&dir, "doc.json", b"{\n  \"text\": \"hi\"\n}\n");
    assert_eq!(Jsonl.sniff(&Input::open(&pretty).unwrap()), Confidence::No);
    let one_line = write_temp(&dir, "one.json", b"{\"text\": \"hi\", \"ts\": 1465828200}\n");
    assert_eq!(Jsonl.sniff(&Input::open(&one_line).unwrap()), Confidence::Maybe);
    let array = write_temp(&dir, "array.jsonl", b"[{\"text\": \"hi\"}]\n");
    assert_eq!(Jsonl.sniff(&Input::open(&array).unwrap()), Confidence::No);
    // A folder is not sniffed, even holding transcripts.
    assert_eq!(Jsonl.sniff(&Input::open(dir.path()).unwrap()), Confidence::No);
    assert_eq!(Csv.sniff(&Input::open(dir.path()).unwrap()), Confidence::No);
}

#[test]
fn csv_sniffing() {
    let dir = tempfile::tempdir().unwrap();
    let semicolons = write_temp(&dir, "a.csv", b"Date;Author;Content\n2016-01-01;a;hi\n");
    assert_eq!(Csv.sniff(&Input::open(&semicolons).unwrap()), Confidence::Maybe);
    let sink = read(&Csv, &semicolons, &ReadOptions::default()).unwrap();
    assert_eq!(sink.records[0].text, "hi");
    assert_eq!(name_of(&sink.records[0].sender), Some("a"));
    let no_text = write_temp(&dir, "b.csv", b"a,b,c\n1,2,3\n");
    assert_eq!(Csv.sniff(&Input::open(&no_text).unwrap()), Confidence::No);
    let wrong_name = write_temp(&dir, "c.txt", b"text,date\nhi,2016-01-01\n");
    assert_eq!(Csv.sniff(&Input::open(&wrong_name).unwrap()), Confidence::No);
    let binary = write_temp(&dir, "d.csv", b"text,date\n\0\0\0\0");
    assert_eq!(Csv.sniff(&Input::open(&binary).unwrap()), Confidence::No);
    assert_eq!(Csv.sniff(&Input::open(&fixture("wikileaks_dm.csv")).unwrap()), Confidence::Maybe);
}

#[test]
fn missing_mapped_column_lists_the_columns() {
    let path = fixture("wikileaks_dm.csv");
    let options = ReadOptions {
        map: ColumnMap::parse("text=text,sent_at=when").unwrap(),
        ..ReadOptions::default()
    };
    let err = read(&Csv, &path, &options).unwrap_err();
    let ReadError::Invalid { file, offset, reason } = &err else { panic!("{err}") };
    assert_eq!(file, &path.display().to_string());
    assert_eq!(*offset, Some(0));
    assert_eq!(
        reason,
        "column `when` (mapped to sent_at) does not exist; the file has columns `text`, `date`, `user`"
    );

    let jsonl = fixture("nested.jsonl");
    let options = ReadOptions {
        map: ColumnMap::parse("text=body,sender=u.name").unwrap(),
        ..ReadOptions::default()
    };
    let err = read(&Jsonl, &jsonl, &options).unwrap_err().to_string();
    assert!(err.contains("key `u.name` (mapped to sender) does not exist"), "{err}");
    assert!(err.contains("`u.username`") && err.contains("`body`"), "{err}");
}

#[test]
fn no_text_column_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "x.csv", b"when,who\n2016-01-01,a\n");
    let err = read(&Csv, &path, &ReadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("x.csv"), "{err}");
    assert!(err.contains("no text column found"), "{err}");
    assert!(err.contains("`when`, `who`") && err.contains("--map text=COLUMN"), "{err}");
}

#[test]
fn a_100_mb_line_is_refused_with_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    file.write_all(b"text,date,user\nok,2016-01-01,a\n").unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        file.write_all(&chunk).unwrap();
    }
    file.write_all(b",2016-01-01,a\n").unwrap();
    file.flush().unwrap();
    drop(file);

    let err = read(&Csv, &path, &ReadOptions::default()).unwrap_err();
    let ReadError::Invalid { file, offset, reason } = &err else { panic!("{err}") };
    assert_eq!(file, &path.display().to_string());
    assert_eq!(*offset, Some(31));
    assert!(reason.contains("longer than the limit of 67108864 bytes"), "{reason}");

    // JSONL too, with a smaller limit to keep the test quick.
    let path = dir.path().join("huge.jsonl");
    let mut bytes = b"{\"text\": \"a\", \"ts\": 1465828200}\n{\"text\": \"".to_vec();
    bytes.extend(std::iter::repeat_n(b'y', 3 << 20));
    bytes.extend_from_slice(b"\"}\n");
    std::fs::write(&path, bytes).unwrap();
    let options = ReadOptions { max_record_bytes: 1 << 20, ..ReadOptions::default() };
    let err = read(&Jsonl, &path, &options).unwrap_err();
    let ReadError::Invalid { offset, reason, .. } = &err else { panic!("{err}") };
    assert_eq!(*offset, Some(32));
    assert!(reason.contains("longer than the limit of 1048576 bytes"), "{reason}");
}

#[test]
fn an_unclosed_quote_is_refused_at_the_record_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"text,date\nok,2016-01-01\n\"open quote,2016-01-01\n".to_vec();
    for _ in 0..20_000 {
        bytes.extend_from_slice(b"short line,2016-01-01\n");
    }
    let path = write_temp(&dir, "quote.csv", &bytes);
    let options = ReadOptions { max_record_bytes: 64 * 1024, ..ReadOptions::default() };
    let err = read(&Csv, &path, &options).unwrap_err();
    let ReadError::Invalid { offset, reason, .. } = &err else { panic!("{err}") };
    assert_eq!(*offset, Some(24));
    assert!(reason.contains("line 3") && reason.contains("unclosed quote"), "{reason}");
}

/// Binary data is never taken for a transcript by detection, and read with
/// the reader named it is refused as binary (a NUL in its first line), at
/// offset 0.
#[test]
fn binary_data_is_passed_by_detection_and_refused_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    for (format, name) in [(&Csv as &dyn Format, "g.csv"), (&Jsonl, "g.jsonl")] {
        let path = write_temp(&dir, name, &garbage);
        let input = trove_readers::Input::open(&path).unwrap();
        assert_eq!(format.sniff(&input), trove_readers::Confidence::No, "{name}");
        let err = read(format, &path, &ReadOptions::default()).unwrap_err();
        let ReadError::Invalid { file, offset, reason } = &err else { panic!("{err}") };
        assert_eq!(file, &path.display().to_string());
        assert_eq!(*offset, Some(0));
        assert!(reason.contains("binary data, not a text transcript"), "{reason}");
    }
}

#[test]
fn empty_files_give_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (format, name, bytes) in [
        (&Csv as &dyn Format, "e.csv", &b""[..]),
        (&Csv, "h.csv", b"text,date\n"),
        (&Jsonl, "e.jsonl", b""),
        (&Jsonl, "b.jsonl", b"\n\n  \n"),
    ] {
        let sink = read(format, &write_temp(&dir, name, bytes), &ReadOptions::default()).unwrap();
        assert!(sink.records.is_empty() && sink.skips.is_empty(), "{name}");
    }
}

#[test]
fn bom_is_skipped_but_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "bom.csv", b"\xEF\xBB\xBFtext,date\nhi,2016-01-01\n");
    assert_eq!(Csv.sniff(&Input::open(&path).unwrap()), Confidence::Maybe);
    let sink = read(&Csv, &path, &ReadOptions::default()).unwrap();
    assert_eq!(sink.records[0].text, "hi");
    assert_eq!(sink.records[0].locator.offset, 13);
    assert_eq!(sink.records[0].locator.length, 13);

    let path = write_temp(
        &dir,
        "bom.jsonl",
        b"\xEF\xBB\xBF{\"text\": \"hi\", \"date\": \"2016-01-01\"}\n",
    );
    assert_eq!(Jsonl.sniff(&Input::open(&path).unwrap()), Confidence::Maybe);
    let sink = read(&Jsonl, &path, &ReadOptions::default()).unwrap();
    assert_eq!(sink.records[0].locator.offset, 3);
}

#[test]
fn invalid_utf8_is_decoded_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "latin1.csv", b"text,date,user\ncaf\xe9,2016-01-01,Jos\xe9\n");
    let sink = read(&Csv, &path, &ReadOptions::default()).unwrap();
    assert_eq!(sink.records[0].text, "caf\u{fffd}");
    assert_eq!(name_of(&sink.records[0].sender), Some("Jos\u{fffd}"));
    assert_eq!(sink.records[0].locator.length, b"caf\xe9,2016-01-01,Jos\xe9".len() as u64);

    let path = write_temp(&dir, "latin1.jsonl", b"{\"text\": \"caf\xe9\", \"ts\": 1465828200}\n");
    let sink = read(&Jsonl, &path, &ReadOptions::default()).unwrap();
    assert_eq!(sink.records[0].text, "caf\u{fffd}");
}

#[test]
fn folders_read_every_matching_member() {
    let dir = tempfile::tempdir().unwrap();
    write_temp(&dir, "one.csv", b"text,date\nhi,2016-01-01\n");
    write_temp(&dir, "two.CSV", b"text,date\nho,2016-01-02\n");
    write_temp(&dir, "notes.txt", b"not a transcript");
    let sink = read(&Csv, dir.path(), &ReadOptions::default()).unwrap();
    let conversations: Vec<&str> =
        sink.records.iter().map(|r| &*r.conversation.native_id).collect();
    assert_eq!(conversations, vec!["one", "two"]);
    let err = read(&Jsonl, dir.path(), &ReadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("no member ends in .jsonl or .ndjson"), "{err}");
}

#[test]
fn zip_members_are_named_in_locators_and_skips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leak.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("dump/chat.csv", options).unwrap();
    zip.write_all(b"text,date\nhi,2016-01-01\nbad,never\n").unwrap();
    zip.start_file("dump/readme.txt", options).unwrap();
    zip.write_all(b"hello").unwrap();
    zip.finish().unwrap();

    let input = Input::open(&path).unwrap();
    assert_eq!(Csv.sniff(&input), Confidence::No);
    let mut sink = VecSink::default();
    Csv.read(&input, &ReadOptions::default(), &mut sink).unwrap();
    assert_eq!(sink.records.len(), 1);
    let record = &sink.records[0];
    assert_eq!(&*record.conversation.native_id, "chat");
    assert_eq!(record.locator.entry.as_deref(), Some("dump/chat.csv"));
    assert_eq!(record.locator.render(), "dump/chat.csv@10+13:L2");
    assert_eq!(
        sink.skips,
        vec![Skip {
            file: format!("{}!dump/chat.csv", path.display()),
            offset: 24,
            reason: sink.skips[0].reason.clone(),
        }]
    );
    assert!(sink.skips[0].reason.starts_with("line 3: cannot read timestamp `never`"));
}

/// Counts progress reports.
#[derive(Default)]
struct Counting {
    records: usize,
    progress: Vec<u64>,
}

impl Sink for Counting {
    fn record(&mut self, _: Record) -> Result<(), Stop> {
        self.records += 1;
        Ok(())
    }
    fn skip(&mut self, skip: Skip) {
        panic!("unexpected skip {skip:?}");
    }
    fn progress(&mut self, bytes: u64) {
        self.progress.push(bytes);
    }
}

fn big_csv(rows: usize) -> Vec<u8> {
    let mut bytes = b"text,date,user\n".to_vec();
    for i in 0..rows {
        let line = format!(
            "\"message number {i}, with a comma and some more words to make it typical\",\
             2016-10-{:02} {:02}:{:02}:{:02},user{}\n",
            i % 28 + 1,
            i % 24,
            i % 60,
            i % 59,
            i % 17
        );
        bytes.extend_from_slice(line.as_bytes());
    }
    bytes
}

#[test]
fn progress_is_reported_about_every_megabyte() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = big_csv(40_000);
    let path = write_temp(&dir, "big.csv", &bytes);
    let mut sink = Counting::default();
    Csv.read(&Input::open(&path).unwrap(), &new_york(), &mut sink).unwrap();
    assert_eq!(sink.records, 40_000);
    let mb = bytes.len() as u64 >> 20;
    assert!(sink.progress.len() as u64 >= mb, "{:?}", sink.progress);
    assert!(sink.progress.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(sink.progress.last(), Some(&(bytes.len() as u64)));
}

/// Throughput of the CSV path; run with `--ignored --nocapture` (debug
/// builds are several times slower than release).
#[test]
#[ignore]
fn csv_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = big_csv(500_000);
    let path = write_temp(&dir, "big.csv", &bytes);
    let input = Input::open(&path).unwrap();
    let started = std::time::Instant::now();
    let mut sink = Counting::default();
    Csv.read(&input, &new_york(), &mut sink).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} MB in {seconds:.2} s: {:.0} MB/s",
        bytes.len() >> 20,
        bytes.len() as f64 / 1e6 / seconds
    );
}

/// Bytes that look enough like CSV/JSONL to reach the interesting paths.
fn transcript_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b",;\t\"\r\n{}[]:\\ azT0159-/.\xEF\xBB\xBF\xff".to_vec();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..600),
        proptest::collection::vec(proptest::sample::select(alphabet), 0..600),
        proptest::collection::vec(proptest::sample::select(alphabet_json()), 0..600).prop_map(
            |mut tail| {
                let mut bytes =
                    b"text,date,user\n{\"text\": \"a\", \"date\": \"2016-01-01\"}\n".to_vec();
                bytes.append(&mut tail);
                bytes
            }
        ),
    ]
}

fn alphabet_json() -> Vec<u8> {
    b"{}\":,2016-01-01 text date user\n\r\"\\u00".to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in transcript_bytes(), small_limit in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let options = ReadOptions {
            max_record_bytes: if small_limit { 16 } else { 1 << 20 },
            event_senders: vec!["a".to_string(), "user".to_string()],
            ..ReadOptions::default()
        };
        for (format, name) in [(&Csv as &dyn Format, "x.csv"), (&Jsonl, "x.jsonl")] {
            let path = write_temp(&dir, name, &bytes);
            let input = Input::open(&path).unwrap();
            let _ = format.sniff(&input);
            let mut sink = VecSink::default();
            if format.read(&input, &options, &mut sink).is_ok() {
                for record in &sink.records {
                    let end = record.locator.offset + record.locator.length;
                    prop_assert!(end <= bytes.len() as u64);
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn timestamps_never_panic(text in "\\PC{0,40}", digits in "[0-9 :/.,APMZT+-]{0,30}") {
        let zone = timefmt::parse_zone("Europe/Berlin").unwrap();
        let _ = timefmt::parse_timestamp(&text, &zone, &"Europe/Berlin".into());
        let _ = timefmt::parse_timestamp(&digits, &zone, &"Europe/Berlin".into());
        let _ = timefmt::parse_zone(&text);
    }

    #[test]
    fn naive_iso_agrees_with_jiff(
        year in 1971i16..2037, month in 1i8..=12, day in 1i8..=28,
        hour in 0i8..24, minute in 0i8..60, second in 0i8..60, space in any::<bool>(),
    ) {
        let zone = timefmt::parse_zone("America/New_York").unwrap();
        let sep = if space { ' ' } else { 'T' };
        let text = format!("{year:04}-{month:02}-{day:02}{sep}{hour:02}:{minute:02}:{second:02}");
        let ts = timefmt::parse_timestamp(&text, &zone, &"America/New_York".into()).unwrap();
        let dt = jiff::civil::DateTime::new(year, month, day, hour, minute, second, 0).unwrap();
        let expected = zone.to_ambiguous_timestamp(dt).compatible().unwrap();
        prop_assert_eq!(ts.utc_ms, expected.as_millisecond());
        prop_assert_eq!(ts.original, text);
    }
}

/// A plain JSON array of message objects is read like JSON Lines, with the
/// same `--map`: each element located by its offset and `$[i]`; an element
/// that is not an object is a skip naming it; HTML character references
/// are decoded, with one notice counting the messages.
#[test]
fn a_json_array_of_message_objects_with_a_map() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff} [\n  {\"msg\": \"it&#39;s &amp; done\", \"when\": \"2021-01-01T10:00:00Z\", \
                \"who\": {\"nick\": \"ann\"}},\n  42,\n  {\"msg\": \"plain &c\", \"when\": \
                \"2021-01-01T10:01:00Z\", \"who\": {\"nick\": \"bob\"}}\n]\n";
    let path = write_temp(&dir, "dump.json", text.as_bytes());
    let options = ReadOptions {
        map: ColumnMap::parse("text=msg,sent_at=when,sender=who.nick").unwrap(),
        ..ReadOptions::default()
    };
    let sink = read(&Jsonl, &path, &options).unwrap();
    let got: Vec<(&str, Option<&str>, Option<&str>)> = sink
        .records
        .iter()
        .map(|r| (r.text.as_str(), name_of(&r.sender), r.locator.json_path.as_deref()))
        .collect();
    assert_eq!(
        got,
        [("it's & done", Some("ann"), Some("$[0]")), ("plain &c", Some("bob"), Some("$[2]"))]
    );
    let first = &sink.records[0];
    let start = text.find("{\"msg\"").unwrap();
    assert_eq!(first.locator.offset, start as u64, "counted from the file's first byte");
    assert_eq!(&text.as_bytes()[start..start + first.locator.length as usize].last(), &Some(&b'}'));
    assert_eq!(first.locator.line, None);
    assert_eq!(sink.skips.len(), 1);
    assert_eq!(sink.skips[0].reason, "element [1]: not a JSON object");
    assert_eq!(sink.notices.len(), 1, "{:?}", sink.notices);
    assert_eq!(sink.notices[0].count, 1, "`&c` is no reference: one message decoded");
    assert!(sink.notices[0].reason.contains("decoded in the text of 1 message"));

    // A cut copy is an error at the byte where it ends, not a silent stop.
    let cut = write_temp(&dir, "cut.json", &text.as_bytes()[..text.len() - 40]);
    let err = read(&Jsonl, &cut, &options).unwrap_err().to_string();
    assert!(err.contains("truncated"), "{err}");
}

/// JSON Lines decode character references too; the source keeps them.
#[test]
fn jsonl_text_has_character_references_decoded_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"text\": \"a &lt;b&gt;\", \"date\": \"2021-01-01T10:00:00Z\", \"user\": \"x\"}\n\
                {\"text\": \"no refs\", \"date\": \"2021-01-01T10:01:00Z\", \"user\": \"x\"}\n\
                {\"text\": \"&#x1F600; &#1089;\", \"date\": \"2021-01-01T10:02:00Z\", \"user\": \"x\"}\n";
    let path = write_temp(&dir, "x.jsonl", text.as_bytes());
    let sink = read(&Jsonl, &path, &ReadOptions::default()).unwrap();
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["a <b>", "no refs", "😀 с"]);
    assert_eq!(sink.notices.len(), 1);
    assert_eq!((sink.notices[0].count, sink.notices[0].offset), (2, 0));
    let loc = &sink.records[0].locator;
    assert!(text[loc.offset as usize..].starts_with("{\"text\": \"a &lt;b&gt;\""));
}

/// One line of each odd shape in a JSON Lines transcript with a BOM and
/// CRLF line ends (columns auto-detected): a genuine line first, then
/// copies with one optional field each given a shape the reader does not
/// expect, and a very long text.
#[test]
fn one_of_each_odd_shape_keeps_every_message_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let line = |n: u32, rest: &str| {
        format!(r#"{{"id": "{n}", "ts": "2016-10-07T18:{n:02}:00Z", "sender": "emma", {rest}}}"#)
    };
    let lines = [
        line(1, r#""text": "genuine", "reply_to": "0""#),
        line(2, r#""text": "b", "reply_to": {"id": 1}"#),
        line(3, r#""text": "c", "reply_to": [1]"#),
        line(4, r#""text": "d", "reply_to": null"#),
        line(5, r#""text": 5"#),
        line(6, r#""text": {"body": "f"}"#),
        line(7, r#""text": "g", "extra": {}"#),
        line(8, r#""text": "‏שלום\u200b e\u0301 🙂""#),
        line(9, &format!(r#""text": "{long}""#)),
        line(10, r#""text": """#),
        line(11, r#""text": "k", "reply_to": 1.5"#),
    ];
    let path =
        write_temp(&dir, "odd.jsonl", format!("\u{feff}{}\r\n", lines.join("\r\n")).as_bytes());
    let sink = read(&Jsonl, &path, &ReadOptions::default()).unwrap();
    // Odd values in the text and reply columns are kept as their JSON
    // text; `null` is no reply.
    let got: Vec<(u64, &str, Option<&str>)> = sink
        .records
        .iter()
        .map(|r| (r.locator.line.unwrap(), r.text.as_str(), r.reply_to.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "genuine", Some("0")),
            (2, "b", Some("{\"id\":1}")),
            (3, "c", Some("[1]")),
            (4, "d", None),
            (5, "5", None),
            (6, "{\"body\":\"f\"}", None),
            (7, "g", None),
            (8, "‏שלום\u{200b} e\u{301} 🙂", None),
            (9, long.as_str(), None),
            (11, "k", Some("1.5")),
        ]
    );
    for record in &sink.records {
        let n = record.locator.line.unwrap();
        assert!(record.is_message());
        assert_eq!(record.native_id, Some(n.to_string()));
        assert_eq!(name_of(&record.sender), Some("emma"));
        assert_eq!(record.sent_at.utc_ms, ms(&format!("2016-10-07T18:{n:02}:00Z")));
    }
    // Today an empty text costs the line: a skip that says so, not silence.
    let skips: Vec<(u64, &str)> =
        sink.skips.iter().map(|s| (s.offset, s.reason.as_str())).collect();
    let bytes = std::fs::read(&path).unwrap();
    let tenth = memchr::memmem::find(&bytes, br#"{"id": "10""#).unwrap() as u64;
    assert_eq!(skips, [(tenth, "line 10: no text")]);
    assert!(sink.notices.is_empty(), "{:#?}", sink.notices);
    assert_eq!(sink.records[0].locator.offset, 3, "after the BOM");
    for record in &sink.records {
        let slice = &bytes[record.locator.offset as usize..][..record.locator.length as usize];
        assert!(slice.starts_with(b"{\"id\"") && slice.ends_with(b"}"), "{:?}", record.locator);
    }
}

/// `--map` for the odd-shapes CSV: no column has a common name.
fn odd_csv_options() -> ReadOptions {
    ReadOptions {
        map: ColumnMap::parse("id=No,sent_at=When,sender=Who,text=Said,reply_to=Re").unwrap(),
        ..ReadOptions::default()
    }
}

/// A CSV with a BOM and CRLF line ends: the header, then `rows`.
fn odd_csv(dir: &tempfile::TempDir, rows: &[String]) -> PathBuf {
    let body = format!("\u{feff}No,When,Who,Said,Re\r\n{}\r\n", rows.join("\r\n"));
    write_temp(dir, "odd.csv", body.as_bytes())
}

/// One row of each odd shape in a `--map`ped CSV with a BOM and CRLF line
/// ends: a genuine row first, then rows with a quoted newline, doubled
/// quotes, too few columns, an empty and a blank text cell, HTML character
/// references, a very long cell, unicode and padded cells.
#[test]
fn one_of_each_odd_shape_keeps_every_message_csv() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let row = |n: u32, rest: &str| format!("{n},2016-10-07 18:{n:02}:00,emma,{rest}");
    let rows = [
        row(1, "genuine,"),
        row(2, "\"two\r\nlines, one comma\",1"),
        row(3, "\"say \"\"hi\"\"\","),
        row(4, "d"),
        row(5, ","),
        row(6, "\"   \","),
        row(7, "it&#39;s &amp; done,"),
        row(8, &format!("{long},")),
        row(9, "\u{200f}שלום\u{200b} e\u{301} 🙂,"),
        row(10, "j,  8  "),
        row(11, "\"a\rb\","),
    ];
    let path = odd_csv(&dir, &rows);
    let sink = read(&Csv, &path, &odd_csv_options()).unwrap();
    let got: Vec<(&str, &str, Option<&str>)> = sink
        .records
        .iter()
        .map(|r| (r.native_id.as_deref().unwrap(), r.text.as_str(), r.reply_to.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("1", "genuine", None),
            ("2", "two\nlines, one comma", Some("1")),
            ("3", "say \"hi\"", None),
            ("4", "d", None),
            ("7", "it's & done", None),
            ("8", long.as_str(), None),
            ("9", "\u{200f}שלום\u{200b} e\u{301} 🙂", None),
            ("10", "j", Some("8")),
            ("11", "a\rb", None),
        ]
    );
    for record in &sink.records {
        let n: i64 = record.native_id.as_deref().unwrap().parse().unwrap();
        assert!(record.is_message());
        assert_eq!(name_of(&record.sender), Some("emma"));
        assert_eq!(record.sent_at.utc_ms, ms("2016-10-07T18:00:00Z") + n * 60_000);
        assert_eq!(&*record.conversation.native_id, "odd");
        assert!(record.raw.is_none());
    }
    // An empty or blank text cell costs the row: a skip that says so.
    let bytes = std::fs::read(&path).unwrap();
    let at = |needle: &str| memchr::memmem::find(&bytes, needle.as_bytes()).unwrap() as u64;
    let skips: Vec<(u64, &str)> =
        sink.skips.iter().map(|s| (s.offset, s.reason.as_str())).collect();
    assert_eq!(
        skips,
        [
            (at("5,2016-10-07 18:05"), "line 7: no text"),
            (at("6,2016-10-07 18:06"), "line 8: no text")
        ]
    );
    // The decoded references are reported once, at their row.
    let notices: Vec<(trove_readers::NoticeKind, u64, u64)> =
        sink.notices.iter().map(|n| (n.kind, n.offset, n.count)).collect();
    assert_eq!(notices, [(trove_readers::NoticeKind::EntitiesDecoded, at("7,2016-10-07"), 1)]);
    // Locators slice the rows, after the BOM and across the quoted newline.
    let lines: Vec<u64> = sink.records.iter().map(|r| r.locator.line.unwrap()).collect();
    assert_eq!(lines, [2, 3, 5, 6, 9, 10, 11, 12, 13]);
    assert_eq!(sink.records[0].locator.offset, 3 + "No,When,Who,Said,Re\r\n".len() as u64);
    for (record, n) in sink.records.iter().zip([1, 2, 3, 4, 7, 8, 9, 10, 11]) {
        let slice = &bytes[record.locator.offset as usize..][..record.locator.length as usize];
        let source = rows[n - 1].as_bytes();
        assert_eq!(slice, source, "{:?}", record.locator);
    }
}

/// Cells beyond the header's columns are data the row holds: the row
/// should keep them (in `raw`) or report them dropped.
#[test]
fn csv_row_with_extra_cells_keeps_or_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        "1,2016-10-07 18:01:00,emma,genuine,".to_string(),
        "2,2016-10-07 18:02:00,emma,b,1,extra cell,\"and, another\"".to_string(),
    ];
    let path = odd_csv(&dir, &rows);
    let sink = read(&Csv, &path, &odd_csv_options()).unwrap();
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    let got: Vec<(&str, Option<&str>)> =
        sink.records.iter().map(|r| (r.text.as_str(), r.reply_to.as_deref())).collect();
    assert_eq!(got, [("genuine", None), ("b", Some("1"))]);
    assert!(sink.records[0].raw.is_none());
    let second = &sink.records[1];
    assert!(
        second.raw.as_deref().is_some_and(|raw| raw.contains("extra cell"))
            || sink.notices.iter().any(|n| n.kind == trove_readers::NoticeKind::FieldDropped
                && n.offset == second.locator.offset),
        "{:#?}",
        sink.notices
    );
}

/// A NUL byte inside one cell is an odd row, not a binary file: every row
/// is read, and the odd cell is kept (or its loss reported).
#[test]
fn csv_nul_byte_in_a_cell_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        "1,2016-10-07 18:01:00,emma,genuine,".to_string(),
        "2,2016-10-07 18:02:00,emma,a\0b,".to_string(),
        "3,2016-10-07 18:03:00,emma,c,".to_string(),
    ];
    let path = odd_csv(&dir, &rows);
    let sink = read(&Csv, &path, &odd_csv_options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    let ids: Vec<&str> = sink.records.iter().map(|r| r.native_id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!((sink.records[0].text.as_str(), sink.records[2].text.as_str()), ("genuine", "c"));
    let odd = &sink.records[1];
    assert!(
        odd.text == "a\0b"
            || odd.raw.is_some()
            || sink.notices.iter().any(|n| n.kind == trove_readers::NoticeKind::FieldDropped
                && n.offset == odd.locator.offset),
        "{:?}",
        odd.text
    );
}
