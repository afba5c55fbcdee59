//! The line-template transcript reader, end to end.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use trove_model::{Record, TimeBasis};
use trove_readers::template::Template;
use trove_readers::{Confidence, Format, Input, ReadError, ReadOptions, VecSink, timefmt};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/template").join(name)
}

fn options(template: &str) -> ReadOptions {
    ReadOptions { templates: vec![template.to_string()], ..ReadOptions::default() }
}

fn with_separator(template: &str, separator: &str) -> ReadOptions {
    ReadOptions { separator: Some(separator.to_string()), ..options(template) }
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    Template.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn sender(record: &Record) -> &str {
    record.sender.as_ref().map(|s| &*s.native_id).unwrap_or("")
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const BRACKETS: &str = "[{ts}] {sender}: {text}";
const DASHES: &str = "--------------------";

#[test]
fn separator_mode_keeps_pasted_logs_inside_their_message() {
    let path = fixture("blackbasta.txt");
    let sink = read_with(&path, &with_separator(BRACKETS, DASHES)).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let got: Vec<(&str, &str, u64)> = sink
        .records
        .iter()
        .map(|r| (sender(r), r.text.as_str(), r.locator.line.unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("@lapa:matrix.example.org", "check the new loader build\nit is in the usual place", 1),
            (
                "@usernamegg:matrix.example.org",
                "here is the log from the test box:\n```\n\
                 [2023-09-18 17:40:11] @svc:matrix.example.org: connection refused\n\
                 [2023-09-18 17:40:12] retry 1/3\n```\n\nanything wrong?",
                4
            ),
            ("@lapa:matrix.example.org", "port 443 was closed, fixed", 12),
            ("@lapa:matrix.example.org", "trailing separator missing on the last one", 15),
        ]
    );
    let first = &sink.records[0];
    assert!(first.is_message());
    assert_eq!(first.platform, "transcript");
    assert_eq!(&*first.conversation.native_id, "blackbasta");
    assert_eq!(first.sent_at.original, "2023-09-18 17:43:18");
    assert_eq!(first.sent_at.utc_ms, ms("2023-09-18T17:43:18Z"));
    assert_eq!(first.sent_at.basis, TimeBasis::AssertedZone);
    assert_eq!(first.sent_at.zone.as_deref(), Some("UTC"));
    let account = first.sender.as_ref().unwrap();
    assert_eq!(account.display_name.as_deref(), Some("@lapa:matrix.example.org"));
}

#[test]
fn without_a_separator_pasted_logs_start_bogus_messages() {
    // The trap the separator exists for: the pasted log line becomes a
    // message of its own, and separator lines become body text.
    let sink = read_with(&fixture("blackbasta.txt"), &options(BRACKETS)).unwrap();
    let senders: Vec<&str> = sink.records.iter().map(sender).collect();
    assert_eq!(
        senders,
        vec![
            "@lapa:matrix.example.org",
            "@usernamegg:matrix.example.org",
            "@svc:matrix.example.org",
            "@lapa:matrix.example.org",
            "@lapa:matrix.example.org",
        ]
    );
    assert_eq!(
        sink.records[0].text,
        format!("check the new loader build\nit is in the usual place\n{DASHES}")
    );
    assert_eq!(sink.records[1].text, "here is the log from the test box:\n```");
    assert_eq!(
        sink.records[2].text,
        format!(
            "connection refused\n[2023-09-18 17:40:12] retry 1/3\n```\n\nanything wrong?\n{DASHES}"
        )
    );
}

#[test]
fn locators_cover_the_message_without_trailing_blank_lines() {
    let path = fixture("blackbasta.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let sink = read_with(&path, &with_separator(BRACKETS, DASHES)).unwrap();
    let slice = |r: &Record| &text[r.locator.offset as usize..][..r.locator.length as usize];
    assert_eq!(
        slice(&sink.records[0]),
        "[2023-09-18 17:43:18] @lapa:matrix.example.org: check the new loader build\nit is in the usual place"
    );
    assert!(slice(&sink.records[1]).ends_with("\n\nanything wrong?"));
    assert_eq!(
        sink.records[1].locator.offset as usize,
        text.find("[2023-09-18 17:44:02]").unwrap()
    );
    for record in &sink.records {
        assert!(slice(record).starts_with(&format!("[{}]", record.sent_at.original)));
        assert_eq!(record.locator.json_path, None);
        assert_eq!(record.locator.entry, None);
    }
}

#[test]
fn timestamps_with_spaces_and_colons_in_text() {
    let path = fixture("trickbot.log");
    let sink = read_with(&path, &options("{ts} {sender}: {text}")).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let got: Vec<(&str, &str, &str)> = sink
        .records
        .iter()
        .map(|r| (r.sent_at.original.as_str(), sender(r), r.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2020-03-02 10:12:55", "target", "hi"),
            (
                "2020-03-02 10:13:40",
                "professor",
                "hello. note: the panel is down\nit will be back tonight\n  (indented continuation)"
            ),
            ("2020-03-02 10:14:00", "target", "ok"),
        ]
    );
    assert_eq!(sink.records[1].locator.line, Some(2));
    let text = std::fs::read_to_string(&path).unwrap();
    let second = &sink.records[1].locator;
    assert!(text[second.offset as usize..][..second.length as usize].ends_with("continuation)"));
}

#[test]
fn an_explicit_timestamp_format_and_lines_before_the_first_message() {
    let path = fixture("signal_dots.txt");
    let options =
        ReadOptions { ts_format: Some("%d.%m.%Y %H:%M".to_string()), ..options(BRACKETS) };
    let sink = read_with(&path, &options).unwrap();
    let got: Vec<(i64, &str, &str)> =
        sink.records.iter().map(|r| (r.sent_at.utc_ms, sender(r), r.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (ms("2020-03-02T10:12:00Z"), "Alice", "first"),
            (ms("2020-03-02T10:13:00Z"), "Bob", "second"),
            (ms("2020-03-03T09:00:00Z"), "Alice", "third"),
        ]
    );
    assert_eq!(sink.records[0].sent_at.original, "02.03.2020 10:12");
    assert_eq!(sink.skips.len(), 1);
    assert_eq!(sink.skips[0].offset, 0);
    assert!(
        sink.skips[0].reason.starts_with("line 1: not a message header"),
        "{}",
        sink.skips[0].reason
    );
    // Without --ts-format the dotted date is detected (day first) all the same.
    let detected = read_with(&path, &self::options(BRACKETS)).unwrap();
    let instants: Vec<i64> = detected.records.iter().map(|r| r.sent_at.utc_ms).collect();
    assert_eq!(instants, sink.records.iter().map(|r| r.sent_at.utc_ms).collect::<Vec<_>>());
}

#[test]
fn the_asserted_zone_and_stated_offsets() {
    let berlin = ReadOptions {
        tz: Some(timefmt::parse_zone("Europe/Berlin").unwrap()),
        tz_name: Some("Europe/Berlin".to_string()),
        ..with_separator(BRACKETS, DASHES)
    };
    let sink = read_with(&fixture("blackbasta.txt"), &berlin).unwrap();
    assert_eq!(sink.records[0].sent_at.utc_ms, ms("2023-09-18T15:43:18Z"));
    assert_eq!(sink.records[0].sent_at.zone.as_deref(), Some("Europe/Berlin"));
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "x.txt", b"[2023-09-18 17:43:18 +0300] a: b\n");
    let stated = ReadOptions { ts_format: Some("%Y-%m-%d %H:%M:%S %z".to_string()), ..berlin };
    let sink = read_with(&path, &stated).unwrap();
    assert_eq!(sink.records[0].sent_at.utc_ms, ms("2023-09-18T14:43:18Z"));
    assert_eq!(sink.records[0].sent_at.basis, TimeBasis::LocalWithOffset);
}

#[test]
fn a_conversation_placeholder() {
    let sink = read_with(&fixture("rooms.txt"), &options("{ts} #{conversation} <{sender}> {text}"))
        .unwrap();
    let got: Vec<(&str, &str, &str)> = sink
        .records
        .iter()
        .map(|r| (&*r.conversation.native_id, sender(r), r.text.as_str()))
        .collect();
    assert_eq!(got, vec![("general", "alice", "hi all"), ("ops", "bob", "deploying")]);
}

#[test]
fn template_errors_are_explained() {
    let path = fixture("trickbot.log");
    let missing = read_with(&path, &ReadOptions::default()).unwrap_err().to_string();
    assert!(missing.contains("needs --template"), "{missing}");
    let bad = read_with(&path, &options("{ts} {nick}: {text}")).unwrap_err().to_string();
    assert!(bad.contains("--template: unknown placeholder `{nick}`"), "{bad}");
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "x.txt", b"\n[yesterday] bob: hi\n[today] bob: again\n");
    let err = read_with(&path, &options(BRACKETS)).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("x.txt: at byte 1: no line matches the template"), "{shown}");
    assert!(shown.contains("its {ts} `yesterday` is not a time"), "{shown}");
    assert!(shown.contains("--ts-format"), "{shown}");
    let path = write_temp(&dir, "y.txt", b"hello there\n");
    let shown = read_with(&path, &options(BRACKETS)).unwrap_err().to_string();
    assert!(shown.contains("does not have the template's literal text"), "{shown}");
    // An empty file is not an error: there is nothing to match.
    let empty = write_temp(&dir, "z.txt", b"");
    assert!(read_with(&empty, &options(BRACKETS)).unwrap().records.is_empty());
}

#[test]
fn never_sniffed() {
    for name in ["blackbasta.txt", "trickbot.log", "signal_dots.txt"] {
        assert_eq!(Template.sniff(&Input::open(&fixture(name)).unwrap()), Confidence::No);
    }
}

#[test]
fn a_missing_separator_makes_an_oversized_message_a_skip() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"[2023-09-18 17:43:18] a: start\n".to_vec();
    for i in 0..100 {
        data.extend_from_slice(
            format!("[2023-09-18 17:44:{:02}] b: line {i}\n", i % 60).as_bytes(),
        );
    }
    data.extend_from_slice(format!("{DASHES}\n[2023-09-18 18:00:00] c: after\n").as_bytes());
    let path = write_temp(&dir, "x.txt", &data);
    let options = ReadOptions { max_record_bytes: 1000, ..with_separator(BRACKETS, DASHES) };
    let sink = read_with(&path, &options).unwrap();
    assert_eq!(sink.records.len(), 1);
    assert_eq!(sink.records[0].text, "after");
    assert_eq!(sink.skips.len(), 1);
    assert_eq!(sink.skips[0].offset, 0);
    assert!(sink.skips[0].reason.contains("larger than the limit of 1000 bytes"));
}

#[test]
fn folders_read_their_text_members() {
    let sink = read_with(&fixture(""), &options("{ts} {sender}: {text}")).unwrap();
    // trickbot.log fits; the others' lines do not: each of them is
    // reported, the folder is not refused.
    assert_eq!(sink.records.len(), 3);
    assert!(sink.records.iter().all(|r| r.locator.entry.as_deref() == Some("trickbot.log")));
    for name in ["blackbasta.txt", "rooms.txt", "signal_dots.txt"] {
        assert!(
            sink.skips
                .iter()
                .any(|s| s.file.ends_with(name) && s.reason.contains("no line matches")),
            "{name}: {:?}",
            sink.skips
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        template in "[\\[\\]{}a-z:# ]{0,24}",
        separator in any::<bool>(),
        small in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(&dir, "x.txt", &bytes);
        let input = Input::open(&path).unwrap();
        for template in [template.as_str(), BRACKETS, "{ts} {sender}: {text}"] {
            let options = ReadOptions {
                max_record_bytes: if small { 16 } else { 1 << 20 },
                separator: separator.then(|| "--".to_string()),
                ..options(template)
            };
            let mut sink = VecSink::default();
            let _ = Template.read(&input, &options, &mut sink);
            for record in &sink.records {
                prop_assert!(record.locator.offset + record.locator.length <= bytes.len() as u64);
            }
            for skip in &sink.skips {
                prop_assert!(skip.offset <= bytes.len() as u64);
            }
        }
    }

    #[test]
    fn lf_and_crlf_read_the_same(
        lines in proptest::collection::vec(prop_oneof![
            (0u32..24, 0u32..60, "[a-z@:.]{1,8}", "[ -~]{0,20}")
                .prop_map(|(h, m, s, t)| format!("[2023-09-18 {h:02}:{m:02}:00] {s}: {t}")),
            Just(DASHES.to_string()),
            Just(String::new()),
            "[ -~]{0,30}",
        ], 0..30),
        separator in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let lf = lines.join("\n");
        let crlf = lines.join("\r\n");
        let options = ReadOptions {
            separator: separator.then(|| DASHES.to_string()),
            ..options(BRACKETS)
        };
        let a = read_with(&write_temp(&dir, "a.txt", lf.as_bytes()), &options);
        let b = read_with(&write_temp(&dir, "b.txt", crlf.as_bytes()), &options);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                let strip = |records: Vec<Record>| -> Vec<Record> {
                    records
                        .into_iter()
                        .map(|mut r| {
                            r.locator.offset = 0;
                            r.locator.length = 0;
                            r.conversation = Default::default();
                            r
                        })
                        .collect()
                };
                prop_assert_eq!(a.skips.len(), b.skips.len());
                prop_assert_eq!(strip(a.records), strip(b.records));
            }
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "LF {:?} vs CRLF {:?}", a.is_ok(), b.is_ok()),
        }
    }
}

/// Machine translation rewrote `[23.11.21 09:08:16]` as `[11/23/221
/// 09:08:16]` in some headers: each such message is a skip at its header,
/// with the timestamp and why, never folded into the message before; the
/// continuation lines that were folded are counted in one notice.
#[test]
fn machine_translated_dates_are_skips_not_folds() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        "[23.11.21 09:08:16] boss:\t\tfirst",
        "its second line",
        "its third line",
        "[11/23/221 09:08:20] boss:\t\tgarbled",
        "garbled body",
        "[23.11.21 09:09:00] nick:\t\tsecond",
        "[11/23/221 09:09:30] nick:\t\tgarbled again",
        "[23.11.21 09:10:00] boss:\t\tthird",
        "at 10 to 12: see the 2 files",
    ];
    let path = write_temp(&dir, "chat.txt", lines.join("\n").as_bytes());
    let options = ReadOptions {
        ts_format: Some("%d.%m.%y %H:%M:%S".to_string()),
        ..options("[{ts}] {sender}:\t\t{text}")
    };
    let sink = read_with(&path, &options).unwrap();
    let got: Vec<(&str, &str)> =
        sink.records.iter().map(|r| (sender(r), r.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("boss", "first\nits second line\nits third line"),
            ("nick", "second"),
            ("boss", "third\nat 10 to 12: see the 2 files"),
        ]
    );
    let offset = |line: usize| lines[..line].iter().map(|l| l.len() as u64 + 1).sum::<u64>();
    let skips: Vec<(u64, &str)> =
        sink.skips.iter().map(|s| (s.offset, s.reason.as_str())).collect();
    assert_eq!(skips.len(), 2, "{skips:#?}");
    assert_eq!(skips[0].0, offset(3));
    assert!(
        skips[0].1.starts_with(
            "line 4: timestamp \"11/23/221 09:08:20\" does not parse as --ts-format \
             `%d.%m.%y %H:%M:%S`: "
        ),
        "{}",
        skips[0].1
    );
    assert!(skips[0].1.ends_with(
        "; the message and its 1 continuation line are passed over, not folded into the \
         message before"
    ));
    assert_eq!(skips[1].0, offset(6));
    assert!(skips[1].1.starts_with("line 7: timestamp \"11/23/221 09:09:30\""));
    assert!(skips[1].1.ends_with("; the message is passed over"), "{}", skips[1].1);
    assert_eq!(sink.notices.len(), 1);
    let notice = &sink.notices[0];
    assert_eq!(notice.kind, trove_readers::NoticeKind::LinesFolded);
    assert_eq!((notice.count, notice.offset), (3, 0));
    assert_eq!(notice.reason, "3 continuation lines folded into 2 messages (the first at byte 0)");
}

/// One message of each odd shape, in a file with a BOM and CRLF line ends:
/// every one comes out, none is skipped.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        "\u{feff}[2021-11-23 09:08:16] alice: plain",
        "[2021-11-23 09:08:17] Ålice Ünïcode: e\u{301} \u{200b}zero width \u{202e}bidi",
        "[2021-11-23 09:08:18] bob: ",
        "[2021-11-23 09:08:19] бот: тест: с двоеточием",
        "[2021-11-23 09:08:20] 🙂: emoji sender",
        "[2021-11-23 09:08:21] carol: \ttabbed",
        "",
        "  indented continuation",
        "",
        "",
        "[2021-11-23 09:08:22] dave: [bracketed] text: [2021]",
    ];
    let path = write_temp(&dir, "odd.txt", lines.join("\r\n").as_bytes());
    let sink = read_with(&path, &options(BRACKETS)).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let got: Vec<(&str, &str)> =
        sink.records.iter().map(|r| (sender(r), r.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("alice", "plain"),
            ("Ålice Ünïcode", "e\u{301} \u{200b}zero width \u{202e}bidi"),
            ("bob", ""),
            ("бот", "тест: с двоеточием"),
            ("🙂", "emoji sender"),
            ("carol", "\ttabbed\n\n  indented continuation"),
            ("dave", "[bracketed] text: [2021]"),
        ]
    );
    assert_eq!(sink.records[0].locator.offset, 3, "after the BOM");
    assert_eq!(sink.notices.len(), 1);
    assert_eq!(sink.notices[0].count, 1);
}

/// `{recipient}` names who a message was sent to: the record's one target.
#[test]
fn a_recipient_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[2021-11-23 09:08:16] boss -> nick: go\n[2021-11-23 09:08:20] nick -> boss: ok\n";
    let path = write_temp(&dir, "dm.txt", text.as_bytes());
    let sink = read_with(&path, &options("[{ts}] {sender} -> {recipient}: {text}")).unwrap();
    let got: Vec<(&str, &str, &str)> = sink
        .records
        .iter()
        .map(|r| (sender(r), &*r.targets[0].native_id, r.text.as_str()))
        .collect();
    assert_eq!(got, vec![("boss", "nick", "go"), ("nick", "boss", "ok")]);
    assert!(sink.records.iter().all(|r| r.targets.len() == 1));
}

/// Several templates: each line takes the first that matches, whichever
/// file it is in; a folder's files may each use another.
#[test]
fn several_templates_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    write_temp(
        &dir,
        "mixed.txt",
        b"[2021-11-23 09:08:16] alice: hi\n2021-11-23 09:08:20 <bob> hey\ncontinuation\n",
    );
    write_temp(&dir, "other.txt", b"2021-11-24 10:00:00 <carol> second file\n");
    let options = ReadOptions {
        templates: vec![BRACKETS.to_string(), "{ts} <{sender}> {text}".to_string()],
        ..ReadOptions::default()
    };
    let sink = read_with(dir.path(), &options).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let mut got: Vec<(&str, &str)> =
        sink.records.iter().map(|r| (sender(r), r.text.as_str())).collect();
    got.sort_unstable();
    assert_eq!(got, vec![("alice", "hi"), ("bob", "hey\ncontinuation"), ("carol", "second file")]);
    // A bad template among several is named.
    let bad = ReadOptions {
        templates: vec![BRACKETS.to_string(), "{sender}: {text}".to_string()],
        ..ReadOptions::default()
    };
    let err = read_with(dir.path(), &bad).unwrap_err().to_string();
    assert!(err.contains("--template `{sender}: {text}`: the template needs {ts}"), "{err}");
}

const BLOCK: &str = "Date: {ts}\nFrom: {sender}\nTo: {recipient}\nMessage: {text}";

/// A multi-line record template: every header line must fit, in order;
/// the lines after the last header line are the body; a broken header's
/// time is a skip at its first line; header-like lines that stop short of
/// the whole header are body text, counted as folded.
#[test]
fn multi_line_record_templates() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\
Date: 2021-11-23 09:08:16\r
From: boss\r
To: nick\r
Message: send the list\r
second line of it\r
\r
Date: 2021-11-23 09:10:00\r
From: nick\r
Note: not a header line of the template\r
\r
Date: 11/23/221 09:12:00\r
From: nick\r
To: boss\r
Message: lost in translation\r
more of it\r
Date: 2021-11-23 09:14:00\r
From: nick\r
To: boss\r
Message: \r
";
    let path = write_temp(&dir, "mail.txt", text.as_bytes());
    let sink = read_with(&path, &options(BLOCK)).unwrap();
    let got: Vec<(&str, &str, &str, u64)> = sink
        .records
        .iter()
        .map(|r| (sender(r), &*r.targets[0].native_id, r.text.as_str(), r.locator.line.unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "boss",
                "nick",
                "send the list\nsecond line of it\n\nDate: 2021-11-23 09:10:00\nFrom: nick\n\
                 Note: not a header line of the template",
                1
            ),
            ("nick", "boss", "", 16),
        ]
    );
    let first = &sink.records[0];
    assert_eq!(first.sent_at.utc_ms, ms("2021-11-23T09:08:16Z"));
    assert_eq!(first.sent_at.original, "2021-11-23 09:08:16");
    assert_eq!(first.locator.offset, 0);
    // The locator ends with the last non-blank line of the message.
    let end = text.find("Note: not a header line of the template").unwrap()
        + "Note: not a header line of the template".len();
    assert_eq!(first.locator.length, end as u64);
    assert_eq!(sink.skips.len(), 1, "{:?}", sink.skips);
    let skip = &sink.skips[0];
    assert_eq!(skip.offset, text.find("Date: 11/23/221").unwrap() as u64);
    assert!(skip.reason.contains("line 11: timestamp \"11/23/221 09:12:00\""), "{}", skip.reason);
    assert!(skip.reason.contains("its 1 continuation line"), "{}", skip.reason);
    assert_eq!(sink.notices.len(), 1);
    assert_eq!(sink.notices[0].count, 4, "body lines folded into the first message");
}

/// `\n` written as two characters splits the template as a newline does;
/// a block template and a one-line template share a run; `{text}` must end
/// the last line.
#[test]
fn multi_line_templates_written_on_one_line_and_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[2021-11-23 09:08:16] alice: one-line\n\
                Date: 2021-11-23 09:09:00\nFrom: bob\nTo: alice\nMessage: block\n";
    let path = write_temp(&dir, "mixed.txt", text.as_bytes());
    let options = ReadOptions {
        templates: vec![BRACKETS.to_string(), BLOCK.replace('\n', "\\n")],
        ..ReadOptions::default()
    };
    let sink = read_with(&path, &options).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let got: Vec<(&str, &str, u64)> = sink
        .records
        .iter()
        .map(|r| (sender(r), r.text.as_str(), r.locator.line.unwrap()))
        .collect();
    assert_eq!(got, vec![("alice", "one-line", 1), ("bob", "block", 2)]);
    for (template, needle) in [
        ("Date: {ts}\nMessage: {text}\nFrom: {sender}", "must end the template's last line"),
        ("Date: {ts}\nFrom: {sender}\nAgain: {sender}\n{text}", "{sender} appears twice"),
    ] {
        let err = read_with(&path, &self::options(template)).unwrap_err().to_string();
        assert!(err.contains(needle), "{template:?}: {err}");
    }
}

proptest! {
    /// Any text under a block template: no panic, and every message keeps
    /// its header's line and a locator inside the file.
    #[test]
    fn block_templates_never_panic(lines in proptest::collection::vec(
        prop_oneof![
            Just("Date: 2021-11-23 09:08:16".to_string()),
            Just("From: a".to_string()),
            Just("To: b".to_string()),
            Just("Message: m".to_string()),
            Just(String::new()),
            "[a-zA-Z:0-9 ]{0,12}",
        ], 0..30)) {
        let dir = tempfile::tempdir().unwrap();
        let text = lines.join("\n");
        let path = write_temp(&dir, "p.txt", text.as_bytes());
        if let Ok(sink) = read_with(&path, &options(BLOCK)) {
            for record in &sink.records {
                let end = record.locator.offset + record.locator.length;
                prop_assert!(end as usize <= text.len());
                prop_assert!(text[record.locator.offset as usize..].starts_with("Date: "));
            }
        }
    }
}

/// Character references in a transcript line are decoded, and counted.
#[test]
fn character_references_are_decoded_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[2021-11-23 09:08:16] alice: it&#39;s done\n[2021-11-23 09:08:17] bob: R&D\n";
    let path = write_temp(&dir, "refs.txt", text.as_bytes());
    let sink = read_with(&path, &options(BRACKETS)).unwrap();
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["it's done", "R&D"]);
    assert_eq!(sink.notices.len(), 1, "{:?}", sink.notices);
    assert_eq!(sink.notices[0].count, 1);
}
