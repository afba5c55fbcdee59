//! The IRC log reader, end to end.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::irc::Irc;
use trove_readers::{Confidence, Format, Input, ReadError, ReadOptions, VecSink, detect, timefmt};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/irc").join(name)
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    Irc.read(&input, options, &mut sink)?;
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

fn targets(record: &Record) -> Vec<&str> {
    record.targets.iter().map(|t| &*t.native_id).collect()
}

fn other(name: &str) -> RecordKind {
    RecordKind::Event(EventKind::Other(name.to_string()))
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const JOIN: RecordKind = RecordKind::Event(EventKind::Join);
const LEAVE: RecordKind = RecordKind::Event(EventKind::Leave);

#[test]
fn irssi_log_with_header_and_day_change() {
    let sink = read(&fixture("#ubuntu.2016-05-03.log"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let got: Vec<(u64, &RecordKind, &str, &str)> = sink
        .records
        .iter()
        .map(|r| (r.locator.line.unwrap(), &r.kind, sender(r), r.text.as_str()))
        .collect();
    let message = RecordKind::Message;
    let expected: Vec<(u64, RecordKind, &str, &str)> = vec![
        (2, JOIN, "alice", "alice [~alice@203.0.113.7] has joined #ubuntu"),
        (3, other("topic"), "", "Topic for #ubuntu: Official Ubuntu support | read the /topic"),
        (4, JOIN, "bob", "bob [~bob@host-b.example.net] has joined #ubuntu"),
        (5, message.clone(), "alice", "morning all"),
        (6, message.clone(), "bob", "hi alice, <this> is not a nick"),
        (7, message.clone(), "alice", "* alice waves"),
        (8, message.clone(), "carol", "voice here"),
        (9, other("nick"), "bob", "bob is now known as bobby"),
        (10, message.clone(), "bobby", "new name, same me"),
        (11, other("topic"), "alice", "alice changed the topic of #ubuntu to: Release day"),
        (12, other("mode"), "alice", "mode/#ubuntu [+o bobby] by alice"),
        (13, JOIN, "spammer", "spammer [~x@198.51.100.9] has joined #ubuntu"),
        (14, message.clone(), "spammer", "buy now"),
        (15, LEAVE, "alice", "spammer was kicked from #ubuntu by alice [spam]"),
        (16, message.clone(), "NickServ", "This nickname is registered."),
        (17, LEAVE, "carol", "carol [~carol@carol.example] has left #ubuntu [bye]"),
        (18, other("server"), "", "Irssi: Join to #ubuntu was synced in 1 secs"),
        (20, message, "alice", "past midnight"),
        (21, LEAVE, "alice", "alice [~alice@203.0.113.7] has quit [Quit: sleep]"),
    ];
    assert_eq!(got, expected.iter().map(|(l, k, s, t)| (*l, k, *s, *t)).collect::<Vec<_>>());
    // Nick changes are identity evidence: old nick sends, new nick is the target.
    assert_eq!(targets(&sink.records[7]), vec!["bobby"]);
    assert_eq!(targets(&sink.records[13]), vec!["spammer"]);
    assert_eq!(targets(&sink.records[0]), vec!["alice"]);
    for record in &sink.records {
        assert_eq!(record.platform, "irc");
        assert_eq!(&*record.conversation.native_id, "#ubuntu");
        assert_eq!(record.conversation.name.as_deref(), Some("#ubuntu"));
        assert_eq!(record.sent_at.basis, TimeBasis::AssertedZone);
        assert_eq!(record.sent_at.zone.as_deref(), Some("UTC"));
        assert_eq!(record.native_id, None);
    }
    assert_eq!(sink.records[3].sent_at.utc_ms, ms("2016-05-03T09:57:00Z"));
    assert_eq!(sink.records[3].sent_at.original, "09:57");
    // After `--- Day changed Wed May 04 2016`.
    assert_eq!(sink.records[17].sent_at.utc_ms, ms("2016-05-04T00:15:00Z"));
}

#[test]
fn the_asserted_zone_applies() {
    let options = ReadOptions {
        tz: Some(timefmt::parse_zone("Europe/Berlin").unwrap()),
        tz_name: Some("Europe/Berlin".to_string()),
        ..ReadOptions::default()
    };
    let sink = read_with(&fixture("#ubuntu.2016-05-03.log"), &options).unwrap();
    // May: CEST, UTC+2.
    assert_eq!(sink.records[3].sent_at.utc_ms, ms("2016-05-03T07:57:00Z"));
    assert_eq!(sink.records[3].sent_at.zone.as_deref(), Some("Europe/Berlin"));
}

#[test]
fn locators_slice_each_line() {
    let path = fixture("#ubuntu.2016-05-03.log");
    let text = std::fs::read_to_string(&path).unwrap();
    let sink = read(&path);
    let lines: Vec<&str> = text.lines().collect();
    for record in &sink.records {
        let slice = &text[record.locator.offset as usize..][..record.locator.length as usize];
        assert_eq!(slice, lines[record.locator.line.unwrap() as usize - 1]);
        assert!(slice.starts_with(&record.sent_at.original));
        assert_eq!(record.locator.json_path, None);
    }
}

#[test]
fn znc_log_dated_by_its_name() {
    let sink = read(&fixture("#chan_20160503.log"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let got: Vec<(&RecordKind, &str, &str)> =
        sink.records.iter().map(|r| (&r.kind, sender(r), r.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (&RecordKind::Message, "alice", "hello from ZNC"),
            (&JOIN, "bob", "Joins: bob (~bob@host-b.example.net)"),
            (&RecordKind::Message, "bob", "* bob does something"),
            (&other("nick"), "alice", "alice is now known as al"),
            (&other("topic"), "al", "al changes topic to 'planning'"),
            (
                &LEAVE,
                "bob",
                "Quits: bob (~bob@host-b.example.net) (Remote host closed the connection)"
            ),
            (&LEAVE, "al", "Parts: al (~alice@203.0.113.7) ()"),
        ]
    );
    assert_eq!(targets(&sink.records[3]), vec!["al"]);
    assert_eq!(&*sink.records[0].conversation.native_id, "#chan");
    assert_eq!(sink.records[0].sent_at.utc_ms, ms("2016-05-03T09:57:12Z"));
    assert_eq!(sink.records[0].sent_at.original, "09:57:12");
}

#[test]
fn weechat_lines_carry_their_own_dates() {
    let sink = read(&fixture("irc.libera.#rust.weechatlog"));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let got: Vec<(&RecordKind, &str, &str)> =
        sink.records.iter().map(|r| (&r.kind, sender(r), r.text.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (&JOIN, "bob", "bob (~bob@host-b.example.net) has joined #rust"),
            (&RecordKind::Message, "alice", "hi\tbob"),
            (&RecordKind::Message, "bob", "* bob tips hat"),
            (&other("nick"), "bob", "bob is now known as rob"),
            (&RecordKind::Message, "rob", "new day"),
            (&LEAVE, "rob", "rob (~bob@host-b.example.net) has quit (Ping timeout: 260 seconds)"),
        ]
    );
    assert_eq!(&*sink.records[0].conversation.native_id, "irc.libera.#rust");
    assert_eq!(sink.records[4].sent_at.utc_ms, ms("2016-05-04T00:00:01Z"));
    assert_eq!(sink.records[4].sent_at.original, "2016-05-04 00:00:01");
}

#[test]
fn znc_folder_layout_and_midnight() {
    // ZNC keeps `#chan/YYYY-MM-DD.log`; ingest opens such a file on its own.
    let sink = read(&fixture("znc/#ops/2016-05-03.log"));
    let got: Vec<(&str, i64)> =
        sink.records.iter().map(|r| (&*r.conversation.native_id, r.sent_at.utc_ms)).collect();
    assert_eq!(
        got,
        vec![
            ("#ops", ms("2016-05-03T23:58:00Z")),
            ("#ops", ms("2016-05-03T23:59:59Z")),
            // Time went back by a day's worth: midnight passed.
            ("#ops", ms("2016-05-04T00:00:30Z")),
        ]
    );
}

#[test]
fn bot_style_logs_and_unreadable_lines() {
    let path = fixture("ubuntu-bot.2016-05-03.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let sink = read(&path);
    assert_eq!(sink.records.len(), 3);
    assert_eq!(sink.records[1].kind, other("nick"));
    assert_eq!(targets(&sink.records[1]), vec!["bobby"]);
    assert_eq!(&*sink.records[0].conversation.native_id, "ubuntu-bot");
    assert_eq!(sink.skips.len(), 1);
    assert_eq!(sink.skips[0].offset as usize, text.find("this line").unwrap());
    assert!(
        sink.skips[0].reason.starts_with("line 4: not an IRC log line"),
        "{}",
        sink.skips[0].reason
    );
}

#[test]
fn a_log_without_a_date_is_an_error_that_says_how_to_fix_it() {
    let err = read_with(&fixture("#nodate.log"), &ReadOptions::default()).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("#nodate.log: at byte 0: line 1: the log's date is unknown"), "{shown}");
    assert!(shown.contains("rename the file"), "{shown}");
    // A date header anywhere before the first line is enough.
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "#x.log", b"\n--- Day changed Fri Jan 01 2021\n09:57 <a> ok\n");
    let sink = read(&path);
    assert_eq!(sink.records[0].sent_at.utc_ms, ms("2021-01-01T09:57:00Z"));
}

#[test]
fn latin1_and_crlf() {
    let path = fixture("#latin1.2016-05-03.log");
    let bytes = std::fs::read(&path).unwrap();
    let sink = read(&path);
    assert_eq!(sink.records.len(), 2);
    assert_eq!(sink.records[0].text, "caf\u{fffd} latin-1");
    assert_eq!(sink.records[1].text, "crlf line");
    let second = &sink.records[1].locator;
    assert_eq!(
        &bytes[second.offset as usize..][..second.length as usize],
        b"09:58 <bob> crlf line"
    );
}

#[test]
fn sniffing() {
    let certain = [
        "#ubuntu.2016-05-03.log",
        "#chan_20160503.log",
        "irc.libera.#rust.weechatlog",
        "znc/#ops/2016-05-03.log",
    ];
    for name in certain {
        let input = Input::open(&fixture(name)).unwrap();
        assert_eq!(Irc.sniff(&input), Confidence::Certain, "{name}");
    }
    assert_eq!(
        detect(&Input::open(&fixture("#ubuntu.2016-05-03.log")).unwrap()).unwrap().name(),
        "irc"
    );
    // Three IRC lines out of four, no channel in the name: a guess.
    let bot = Input::open(&fixture("ubuntu-bot.2016-05-03.txt")).unwrap();
    assert_eq!(Irc.sniff(&bot), Confidence::Maybe);
    let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs");
    for other in ["template/blackbasta.txt", "template/trickbot.log", "jabber/wrapped.log"] {
        let input = Input::open(&inputs.join(other)).unwrap();
        assert_eq!(Irc.sniff(&input), Confidence::No, "{other}");
    }
    // Folders are walked file by file by ingest: never claimed whole.
    assert_eq!(Irc.sniff(&Input::open(&fixture("")).unwrap()), Confidence::No);
}

#[test]
fn a_named_folder_reads_every_log_and_reports_the_undatable_one() {
    let sink = read(&fixture(""));
    assert_eq!(sink.records.len(), 19 + 7 + 6 + 3 + 3 + 2);
    let ops: Vec<&Record> =
        sink.records.iter().filter(|r| &*r.conversation.native_id == "#ops").collect();
    assert_eq!(ops.len(), 3);
    assert_eq!(ops[0].locator.entry.as_deref(), Some("znc/#ops/2016-05-03.log"));
    let reasons: Vec<&str> = sink.skips.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(sink.skips.len(), 2, "{reasons:?}");
    assert!(
        sink.skips
            .iter()
            .any(|s| s.file.ends_with("#nodate.log") && s.reason.contains("date is unknown"))
    );
}

#[test]
fn long_lines_are_skipped_and_binary_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"09:57 <a> short\n09:58 <b> ".to_vec();
    data.extend(std::iter::repeat_n(b'x', 5000));
    data.extend_from_slice(b"\n09:59 <c> after\n");
    let path = write_temp(&dir, "#long.2016-05-03.log", &data);
    let options = ReadOptions { max_record_bytes: 1000, ..ReadOptions::default() };
    let sink = read_with(&path, &options).unwrap();
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, vec!["short", "after"]);
    assert_eq!(sink.records[1].locator.line, Some(3));
    assert_eq!(sink.skips.len(), 1);
    assert_eq!(sink.skips[0].offset, 16);
    assert!(sink.skips[0].reason.contains("line 2 is 5010 bytes, over the limit of 1000"));

    let binary = write_temp(&dir, "#bin.2016-05-03.log", b"09:57 <a> x\n\x00\x01\x02");
    let err = read_with(&binary, &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("at byte 12: binary data"), "{err}");
}

fn irc_line() -> impl Strategy<Value = String> {
    let nick = "[a-z]{1,6}";
    prop_oneof![
        (0u32..24, 0u32..60, "[@+ ]?", nick, "[a-z <>*:-]{0,20}")
            .prop_map(|(h, m, mode, nick, text)| format!("{h:02}:{m:02} <{mode}{nick}> {text}")),
        (0u32..24, 0u32..60, nick)
            .prop_map(|(h, m, nick)| format!("[{h:02}:{m:02}] * {nick} waves")),
        (0u32..24, 0u32..60, nick, nick)
            .prop_map(|(h, m, a, b)| format!("{h:02}:{m:02} -!- {a} is now known as {b}")),
        Just("--- Day changed Wed May 04 2016".to_string()),
        "[ -~]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), small in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(&dir, "#chan.2016-05-03.log", &bytes);
        let input = Input::open(&path).unwrap();
        let _ = Irc.sniff(&input);
        let options = ReadOptions { max_record_bytes: if small { 16 } else { 1 << 20 }, ..ReadOptions::default() };
        let mut sink = VecSink::default();
        let _ = Irc.read(&input, &options, &mut sink);
        for record in &sink.records {
            prop_assert!(record.locator.offset + record.locator.length <= bytes.len() as u64);
        }
        for skip in &sink.skips {
            prop_assert!(skip.offset <= bytes.len() as u64);
        }
    }

    #[test]
    fn lf_and_crlf_read_the_same(lines in proptest::collection::vec(irc_line(), 0..30)) {
        let dir = tempfile::tempdir().unwrap();
        let lf = lines.join("\n") + "\n";
        let crlf = lines.join("\r\n") + "\r\n";
        let a = read_with(&write_temp(&dir, "#a.2016-05-03.log", lf.as_bytes()), &ReadOptions::default()).unwrap();
        let b = read_with(&write_temp(&dir, "#a.2016-05-03.txt", crlf.as_bytes()), &ReadOptions::default()).unwrap();
        let strip = |records: Vec<Record>| -> Vec<Record> {
            records.into_iter().map(|mut r| { r.locator.offset = 0; r }).collect()
        };
        for record in &b.records {
            let slice = &crlf.as_bytes()[record.locator.offset as usize..][..record.locator.length as usize];
            prop_assert!(!slice.contains(&b'\r') && !slice.contains(&b'\n'));
        }
        prop_assert_eq!(a.skips.len(), b.skips.len());
        prop_assert_eq!(strip(a.records), strip(b.records));
    }
}

/// One line of each odd shape real logs hold, in an irssi log with a BOM
/// and CRLF line ends: every message comes out, each line not a message
/// is an event or a skip that says so, none silently gone.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let lines = [
        "\u{feff}--- Log opened Tue May 03 09:00:00 2016".to_string(),
        "09:01 <alice> genuine".to_string(),
        "09:02 <bob> ".to_string(),
        "09:03 <carol>\ttabbed".to_string(),
        "09:04 <dave> \ttab in the text".to_string(),
        format!("09:05 <erin> {long}"),
        "   ".to_string(),
        "09:06 <Ålïce> e\u{301} \u{200b}zero width \u{202e}bidi".to_string(),
        "09:07 -!- frank [~f@host] has joined #odd".to_string(),
        "09:08 <бот> тест: с двоеточием".to_string(),
        "09:09 <🙂> emoji nick".to_string(),
        "".to_string(),
        "09:10 <@op> mode prefix".to_string(),
        "09:11  * gina waves".to_string(),
        "09:12 <alice> ‏שלום".to_string(),
    ];
    let path = write_temp(&dir, "#odd.2016-05-03.log", lines.join("\r\n").as_bytes());
    let sink = read(&path);
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    assert!(sink.notices.is_empty(), "{:#?}", sink.notices);
    let message = RecordKind::Message;
    let got: Vec<(u64, &RecordKind, &str, &str, &str)> = sink
        .records
        .iter()
        .map(|r| {
            (r.locator.line.unwrap(), &r.kind, sender(r), r.sent_at.original.as_str(), &*r.text)
        })
        .collect();
    let expected: Vec<(u64, RecordKind, &str, &str, &str)> = vec![
        (2, message.clone(), "alice", "09:01", "genuine"),
        (3, message.clone(), "bob", "09:02", ""),
        (4, message.clone(), "carol", "09:03", "\ttabbed"),
        (5, message.clone(), "dave", "09:04", "\ttab in the text"),
        (6, message.clone(), "erin", "09:05", long.as_str()),
        (8, message.clone(), "Ålïce", "09:06", "e\u{301} \u{200b}zero width \u{202e}bidi"),
        (9, JOIN, "frank", "09:07", "frank [~f@host] has joined #odd"),
        (10, message.clone(), "бот", "09:08", "тест: с двоеточием"),
        // An emoji nick is not taken for a nick: the line is kept whole as
        // a server line, without a sender.
        (11, other("server"), "", "09:09", "<🙂> emoji nick"),
        (13, message.clone(), "op", "09:10", "mode prefix"),
        (14, message.clone(), "gina", "09:11", "* gina waves"),
        (15, message, "alice", "09:12", "‏שלום"),
    ];
    assert_eq!(got, expected.iter().map(|(l, k, s, o, t)| (*l, k, *s, *o, *t)).collect::<Vec<_>>());
    for record in &sink.records {
        assert_eq!(&*record.conversation.native_id, "#odd");
        let minute = record.sent_at.original[3..].parse::<i64>().unwrap();
        assert_eq!(record.sent_at.utc_ms, ms("2016-05-03T09:00:00Z") + minute * 60_000);
    }
    // Locators slice each line without its CR (the first line, BOM
    // included, and its CRLF come before the first message).
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(sink.records[0].locator.offset, lines[0].len() as u64 + 2);
    for record in &sink.records {
        let slice = &bytes[record.locator.offset as usize..][..record.locator.length as usize];
        assert!(slice.starts_with(b"09:") && !slice.ends_with(b"\r"), "{:?}", record.locator);
    }
}
