//! The Slack reader against the real 2016 export bundled from
//! hfaran/slack-export-viewer (MIT, `inputs/slack/hfaran-slack-export-viewer`)
//! and a hand-made export covering every gotcha of the spec
//! (`inputs/slack/handmade`), and against broken input.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::value::RawValue;
use trove_model::{EventKind, Record, RecordKind, TimeBasis};
use trove_readers::slack::Slack;
use trove_readers::{Confidence, Format, Input, ReadError, ReadOptions, Sink, Skip, Stop, VecSink};

fn inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs/slack")
}

fn sample() -> PathBuf {
    inputs().join("hfaran-slack-export-viewer/testarchive.zip")
}

fn handmade() -> PathBuf {
    inputs().join("handmade")
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<VecSink, ReadError> {
    let input = Input::open(path)?;
    let mut sink = VecSink::default();
    Slack.read(&input, options, &mut sink)?;
    Ok(sink)
}

fn read(path: &Path) -> Result<VecSink, ReadError> {
    read_with(path, &ReadOptions::default())
}

fn sniff(path: &Path) -> Confidence {
    Slack.sniff(&Input::open(path).unwrap())
}

/// The record with native id `ts` in conversation `conversation`.
fn by_ts<'a>(sink: &'a VecSink, conversation: &str, ts: &str) -> &'a Record {
    sink.records
        .iter()
        .find(|r| &*r.conversation.native_id == conversation && r.native_id.as_deref() == Some(ts))
        .unwrap_or_else(|| panic!("no record {conversation}/{ts}"))
}

/// The bytes of entry `entry` of `input`.
fn entry_bytes(input: &Input, entry: &str) -> Vec<u8> {
    input
        .with_entry(entry, |r| {
            let mut out = Vec::new();
            std::io::Read::read_to_end(r, &mut out).unwrap();
            Ok(out)
        })
        .unwrap()
}

/// Every locator slices its source to a JSON object whose `ts` is the
/// record's native id.
fn check_locators(path: &Path, sink: &VecSink) {
    let input = Input::open(path).unwrap();
    let mut cache: HashMap<String, Vec<u8>> = HashMap::new();
    for record in &sink.records {
        let entry = record.locator.entry.as_deref().unwrap().to_string();
        let bytes = cache.entry(entry.clone()).or_insert_with(|| entry_bytes(&input, &entry));
        let start = record.locator.offset as usize;
        let slice = &bytes[start..start + record.locator.length as usize];
        // Raw values: a numeric ts must keep its digits, not pass a float.
        let value: HashMap<String, Box<RawValue>> = serde_json::from_slice(slice).unwrap();
        let raw = value["ts"].get();
        let ts = serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string());
        assert_eq!(Some(ts.as_str()), record.native_id.as_deref(), "{}", record.locator.render());
        assert!(record.locator.json_path.as_deref().unwrap().starts_with("$["));
    }
}

fn kind_counts(sink: &VecSink) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in &sink.records {
        let key = match &r.kind {
            RecordKind::Message => "message".to_string(),
            RecordKind::Event(kind) => kind.as_str().to_string(),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

#[test]
fn sample_reads_every_message() {
    let sink = read(&sample()).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    // SOURCES.md: 158 messages, 94 bot_message, 8 channel_join, 3 bot_add,
    // 3 file_share, 1 file_comment, 49 plain.
    assert_eq!(sink.records.len(), 158);
    let counts = kind_counts(&sink);
    assert_eq!(counts["message"], 94 + 49 + 3 + 1);
    assert_eq!(counts["join"], 8);
    assert_eq!(counts["bot_add"], 3);
    for r in &sink.records {
        assert_eq!(r.platform, "slack");
        assert_eq!(r.sent_at.basis, TimeBasis::Utc);
        assert_eq!(Some(r.sent_at.original.as_str()), r.native_id.as_deref());
        let name = r.conversation.name.as_deref().unwrap();
        match &*r.conversation.native_id {
            "C0JGLMMNX" => assert_eq!(name, "enrique"),
            "C0JL6CGQ2" => assert_eq!(name, "traveling-sailor"),
            other => panic!("unexpected conversation {other}"),
        }
    }
    assert_eq!(sink.accounts.len(), 4);
    let hamza = sink.accounts.iter().find(|a| &*a.native_id == "U0BMQB6JE").unwrap();
    assert_eq!(hamza.display_name.as_deref(), Some("hamza"));
    assert_eq!(hamza.handle.as_deref(), Some("hamza"));
    // An empty display_name falls back to the real name.
    let hannibal = sink.accounts.iter().find(|a| &*a.native_id == "U0BMM2FEH").unwrap();
    assert_eq!(hannibal.display_name.as_deref(), Some("heroeshannibal"));
    check_locators(&sample(), &sink);
}

#[test]
fn sample_time_comes_from_ts_not_the_file_name() {
    let sink = read(&sample()).unwrap();
    let la = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let (mut utc_other_day, mut la_other_day) = (0, 0);
    for r in &sink.records {
        let entry = r.locator.entry.as_deref().unwrap();
        let file_date = entry.rsplit('/').next().unwrap().trim_end_matches(".json");
        let instant = jiff::Timestamp::from_millisecond(r.sent_at.utc_ms).unwrap();
        if instant.to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string() != file_date {
            utc_other_day += 1;
        }
        if instant.to_zoned_datetime(la.clone()).date().to_string() != file_date {
            la_other_day += 1;
        }
    }
    // The spec's finding: day files follow Los Angeles dates, not UTC.
    assert_eq!(utc_other_day, 94);
    assert_eq!(la_other_day, 0);
}

#[test]
fn sample_fields() {
    let sink = read(&sample()).unwrap();

    // `&gt;` decoded once; mention markup kept as written.
    let quote = by_ts(&sink, "C0JGLMMNX", "1458228721.000002");
    assert!(quote.text.starts_with(">\"Essentially what I'm getting"), "{}", quote.text);
    assert_eq!(&*quote.sender.as_ref().unwrap().native_id, "U0BMM2FEH");
    let first = by_ts(&sink, "C0JGLMMNX", "1452837352.000006");
    assert_eq!(
        first.text,
        "<@U0BMYT2FL>: Created an issue for a setup.py so that it can be installed to a standard place"
    );
    assert_eq!(first.sent_at.utc_ms, 1_452_837_352_000);
    let sender = first.sender.as_ref().unwrap();
    assert_eq!(
        (&*sender.native_id, sender.display_name.as_deref(), sender.handle.as_deref()),
        ("U0BMQB6JE", Some("hamza"), Some("hamza"))
    );

    // The one edit: only the time of the last edit is known.
    let edited: Vec<&Record> = sink.records.iter().filter(|r| r.edited_at.is_some()).collect();
    assert_eq!(edited.len(), 1);
    assert_eq!(edited[0].native_id.as_deref(), Some("1458972985.000010"));
    assert_eq!(edited[0].edited_at.as_ref().unwrap().utc_ms, 1_458_981_134_000);
    assert!(edited[0].edits.is_empty());

    // The one reaction, on a GitHub bot post whose text lives in its
    // attachment.
    let reacted: Vec<&Record> = sink.records.iter().filter(|r| !r.reactions.is_empty()).collect();
    assert_eq!(reacted.len(), 1);
    let bot = reacted[0];
    assert_eq!(bot.native_id.as_deref(), Some("1459154014.000018"));
    assert_eq!(bot.reactions[0].sender_id, "U0BMYT2FL");
    assert_eq!(bot.reactions[0].key, "botman");
    assert_eq!(&*bot.sender.as_ref().unwrap().native_id, "B0JL6RASU");
    assert_eq!(
        bot.text,
        "[enrique:master] 1 new commit by hfaran:\n\
         <https://github.com/mesos-magellan/enrique/commit/b698a38dabbd81c51029f163e74bcd76115e9c2f|b698a38>: \
         Implement killTask; resolves #20 - hfaran"
    );
    assert_eq!(
        bot.urls[0].url,
        "https://github.com/mesos-magellan/enrique/commit/b698a38dabbd81c51029f163e74bcd76115e9c2f"
    );
    assert!(bot.raw.as_deref().unwrap().contains("\"attachments\""));
    // Every bot post of the sample has its text in attachments.
    let empty: Vec<_> = sink.records.iter().filter(|r| r.text.trim().is_empty()).collect();
    assert!(empty.is_empty(), "{:?}", empty.first().map(|r| &r.native_id));

    // Legacy `file` objects: the export token stays in the reference.
    let shared: Vec<&Record> = sink.records.iter().filter(|r| !r.attachments.is_empty()).collect();
    assert_eq!(shared.len(), 4);
    let cities = by_ts(&sink, "C0JL6CGQ2", "1459052866.000012");
    let file = &cities.attachments[0];
    assert_eq!(file.name, "100_cities.js");
    assert_eq!(file.kind.as_deref(), Some("text/plain"));
    assert_eq!(file.size, Some(4163));
    assert!(file.reference.starts_with(
        "https://files.slack.com/files-pri/T0BMHLSRH-F0VNAKDE2/100_cities.js?t=xoxe-"
    ));
    assert!(cities.urls.iter().any(
        |u| u.url == "https://mesos-magellan.slack.com/files/U0BMS113R/F0VNAKDE2/100_cities.js"
    ));

    // file_comment has no `user`: the commenter is the sender.
    let comment = by_ts(&sink, "C0JL6CGQ2", "1459106048.000018");
    assert_eq!(&*comment.sender.as_ref().unwrap().native_id, "U0BMS113R");
    assert_eq!(comment.attachments[0].name, "10_cities.js");

    // Joins: the inviter initiates, the joiner is the target.
    let join = by_ts(&sink, "C0JGLMMNX", "1452837318.000003");
    assert_eq!(join.kind, RecordKind::Event(EventKind::Join));
    assert_eq!(&*join.sender.as_ref().unwrap().native_id, "U0BMQB6JE");
    assert_eq!(&*join.targets[0].native_id, "U0BMYT2FL");
    assert_eq!(join.text, "<@U0BMYT2FL> has joined the channel");
    let self_join = by_ts(&sink, "C0JGLMMNX", "1452837318.000002");
    assert_eq!(&*self_join.sender.as_ref().unwrap().native_id, "U0BMQB6JE");
    assert_eq!(&*self_join.targets[0].native_id, "U0BMQB6JE");

    // bot_add is kept as an event with its raw JSON.
    let add = by_ts(&sink, "C0JGLMMNX", "1452988746.000017");
    assert_eq!(add.kind, RecordKind::Event(EventKind::Other("bot_add".into())));
    assert!(add.raw.as_deref().unwrap().contains("B0JL6RASU"));
    assert_eq!(&*add.sender.as_ref().unwrap().native_id, "U0BMQB6JE");
}

#[test]
fn handmade_export() {
    let sink = read(&handmade()).unwrap();
    assert_eq!(sink.records.len(), 25);
    assert_eq!(sink.accounts.len(), 4);
    check_locators(&handmade(), &sink);

    // Conversations: channel and group folders by name, DM folders by id,
    // unlisted folders as themselves.
    let mut conversations: Vec<(String, Option<String>)> = sink
        .records
        .iter()
        .map(|r| {
            (
                r.conversation.native_id.to_string(),
                r.conversation.name.as_deref().map(str::to_string),
            )
        })
        .collect();
    conversations.sort();
    conversations.dedup();
    let expected: Vec<(String, Option<String>)> = vec![
        ("C01GENERAL".into(), Some("general".into())),
        ("D0DM00001".into(), None),
        ("G01SECRET".into(), Some("secret-ops".into())),
        ("G02MPIM".into(), Some("mpdm-alice--bob--carol-1".into())),
        ("orphan".into(), Some("orphan".into())),
    ];
    assert_eq!(conversations, expected);

    // Text: entities decoded once, markup kept, link targets collected.
    let plan = by_ts(&sink, "C01GENERAL", "1551402000.000300");
    assert_eq!(
        plan.text,
        "Plans for Q2 & beyond: see <https://example.org/plan?a=1&b=2|the plan> and ping <@U02BOB> \
         in <#C02RANDOM|random>"
    );
    assert_eq!(plan.urls.len(), 1);
    assert_eq!(plan.urls[0].url, "https://example.org/plan?a=1&b=2");
    let sender = plan.sender.as_ref().unwrap();
    assert_eq!(sender.display_name.as_deref(), Some("Alice A."));
    assert_eq!(sender.handle.as_deref(), Some("alice"));
    assert_eq!(plan.sent_at.utc_ms, 1_551_402_000_000);
    assert_eq!(plan.edited_at.as_ref().unwrap().original, "1551402100.000000");
    assert_eq!(plan.edited_at.as_ref().unwrap().utc_ms, 1_551_402_100_000);
    // One reaction per listed user, though `count` says 3.
    let reactions: Vec<(&str, &str)> =
        plan.reactions.iter().map(|r| (r.key.as_str(), r.sender_id.as_str())).collect();
    assert_eq!(reactions, vec![("+1", "U02BOB"), ("+1", "U03CAROL"), ("eyes", "U01ALICE")]);
    // A thread parent is its own thread and replies to nothing.
    assert_eq!(plan.thread.as_deref(), Some("1551402000.000300"));
    assert_eq!(plan.reply_to, None);
    assert!(plan.raw.is_none());

    let double = by_ts(&sink, "C01GENERAL", "1551423600.001000");
    assert_eq!(double.text, "literally &lt;b&gt; is not bold");
    assert!(double.urls.is_empty());
    // A user without display name or real name is known by the handle.
    assert_eq!(double.sender.as_ref().unwrap().display_name, None);
    assert_eq!(double.sender.as_ref().unwrap().handle.as_deref(), Some("carol"));

    // Threads: replies sit in the next day's file and point at the parent.
    for ts in ["1551542400.000100", "1551542400.000200"] {
        let reply = by_ts(&sink, "C01GENERAL", ts);
        assert_eq!(reply.thread.as_deref(), Some("1551402000.000300"));
        assert_eq!(reply.reply_to.as_deref(), Some("1551402000.000300"));
        assert!(reply.is_message());
    }

    // The day file's name is not the UTC date.
    let late = by_ts(&sink, "C01GENERAL", "1551499800.001100");
    assert!(late.locator.entry.as_deref().unwrap().ends_with("2019-03-01.json"));
    // 2019-03-02T04:10:00.001Z: the fraction reads as microseconds,
    // truncated to milliseconds.
    assert_eq!(late.sent_at.utc_ms, 1_551_499_800_001);

    // Files: a saved copy wins over the URL; otherwise the URL (token and
    // all) is the reference; sizes from the listing when present.
    let files = by_ts(&sink, "C01GENERAL", "1551405600.000400");
    assert_eq!(files.attachments.len(), 2);
    let saved = &files.attachments[0];
    assert_eq!(saved.name, "plan.pdf");
    assert_eq!(saved.reference, "general/attachments/F0FILE0001-plan.pdf");
    assert_eq!(
        saved.size,
        Some(
            std::fs::metadata(handmade().join("general/attachments/F0FILE0001-plan.pdf"))
                .unwrap()
                .len()
        )
    );
    assert_eq!(saved.kind.as_deref(), Some("application/pdf"));
    let remote = &files.attachments[1];
    assert_eq!(remote.name, "screenshot.png");
    assert_eq!(remote.size, Some(5120));
    assert!(remote.reference.ends_with(
        "/screenshot.png?t=xoxe-1111111111-2222222222-3333333333-0123456789abcdef0123456789abcdef"
    ));

    // Bot posts: sender is the bot, named by `username`; text from the
    // attachment, entities decoded.
    let bot = by_ts(&sink, "C01GENERAL", "1551409200.000500");
    let sender = bot.sender.as_ref().unwrap();
    assert_eq!(
        (&*sender.native_id, sender.display_name.as_deref()),
        ("B01BOT", Some("deploy-bot"))
    );
    assert_eq!(bot.text, "Deploy finished\nbuild #42\nAll green <3");
    assert_eq!(bot.urls[0].url, "https://ci.example.org/builds/42");
    assert!(bot.raw.is_some());

    // Events.
    let join = by_ts(&sink, "C01GENERAL", "1551398460.000200");
    assert_eq!(join.kind, RecordKind::Event(EventKind::Join));
    assert_eq!(&*join.sender.as_ref().unwrap().native_id, "U01ALICE");
    assert_eq!(&*join.targets[0].native_id, "U02BOB");
    assert_eq!(join.targets[0].display_name.as_deref(), Some("Bob Baker"));
    let topic = by_ts(&sink, "C01GENERAL", "1551412800.000600");
    assert_eq!(topic.kind, RecordKind::Event(EventKind::Other("channel_topic".into())));
    assert_eq!(topic.text, "<@U01ALICE> set the channel topic: Q2 planning");
    assert!(topic.raw.as_deref().unwrap().contains("\"topic\": \"Q2 planning\""));
    let purpose = by_ts(&sink, "C01GENERAL", "1551412860.000700");
    assert_eq!(purpose.kind, RecordKind::Event(EventKind::Other("channel_purpose".into())));
    let pinned = by_ts(&sink, "C01GENERAL", "1551420000.000900");
    assert_eq!(pinned.kind, RecordKind::Event(EventKind::Other("pinned_item".into())));
    let rename = by_ts(&sink, "C01GENERAL", "1551546000.000300");
    assert_eq!(rename.kind, RecordKind::Event(EventKind::Rename));
    assert_eq!(rename.conversation.name.as_deref(), Some("general"));
    assert_eq!(&*rename.conversation.native_id, "C01GENERAL");
    let leave = by_ts(&sink, "C01GENERAL", "1551549600.000400");
    assert_eq!(leave.kind, RecordKind::Event(EventKind::Leave));
    assert_eq!(&*leave.targets[0].native_id, "U03CAROL");
    let odd = by_ts(&sink, "C01GENERAL", "1551564000.000800");
    assert_eq!(odd.kind, RecordKind::Event(EventKind::Other("desktop_notification".into())));
    assert!(odd.raw.is_some());
    let me = by_ts(&sink, "C01GENERAL", "1551416400.000800");
    assert!(me.is_message());
    assert_eq!(me.text, "waves");

    // A deleted thread parent.
    let tombstone = by_ts(&sink, "C01GENERAL", "1551553200.000500");
    assert!(tombstone.deleted && tombstone.is_message());
    assert_eq!(tombstone.thread.as_deref(), Some("1551553200.000500"));

    // A user missing from users.json is labelled from the embedded profile.
    let ghost = by_ts(&sink, "C01GENERAL", "1551556800.000600");
    let sender = ghost.sender.as_ref().unwrap();
    assert_eq!(
        (&*sender.native_id, sender.display_name.as_deref(), sender.handle.as_deref()),
        ("U09GHOST", Some("casper"), Some("ghost"))
    );
    // Enterprise Grid ids start with W; blocks are kept raw.
    let grid = by_ts(&sink, "C01GENERAL", "1551560400.000700");
    assert_eq!(grid.sender.as_ref().unwrap().display_name.as_deref(), Some("dd"));
    assert!(grid.raw.as_deref().unwrap().contains("rich_text"));

    // A numeric ts keeps its digits as written.
    let numeric = by_ts(&sink, "G01SECRET", "1551400000.000500");
    assert_eq!(numeric.sent_at.utc_ms, 1_551_400_000_000);

    // Legacy `file` on a file_share in a DM.
    let dm = by_ts(&sink, "D0DM00001", "1551401000.000100");
    assert_eq!(dm.attachments[0].name, "notes.txt");
    assert_eq!(dm.attachments[0].size, Some(77));
    assert_eq!(dm.urls[0].url, "https://team.slack.com/files/U01ALICE/F0LEGACY1/notes.txt");

    // Broken records are reported with file and offset; reading goes on.
    assert_eq!(sink.skips.len(), 3, "{:?}", sink.skips);
    let day1 = std::fs::read(handmade().join("general/2019-03-01.json")).unwrap();
    let no_ts = &sink.skips[0];
    assert!(no_ts.file.ends_with("general/2019-03-01.json"));
    assert!(
        no_ts.reason.contains("$[10]") && no_ts.reason.contains("no readable `ts`"),
        "{no_ts:?}"
    );
    assert!(day1[no_ts.offset as usize..].starts_with(b"{"));
    let number = &sink.skips[1];
    assert!(number.reason.contains("$[11]"), "{number:?}");
    let truncated = &sink.skips[2];
    assert!(truncated.file.ends_with("general/2019-03-03.json"));
    assert!(truncated.reason.contains("truncated") && truncated.reason.contains("1 messages read"));
    let day3 = std::fs::read(handmade().join("general/2019-03-03.json")).unwrap();
    assert!(
        day3[truncated.offset as usize..].starts_with(b"{\"type\": \"message\", \"user\": \"U0")
    );
    let first = by_ts(&sink, "C01GENERAL", "1551600000.000100");
    assert_eq!(first.text, "first of a truncated file");
}

#[test]
fn sniffing() {
    assert_eq!(sniff(&sample()), Confidence::Certain);
    assert_eq!(sniff(&handmade()), Confidence::Certain);
    // A day file alone is plausible, a metadata file is not a day file.
    assert_eq!(sniff(&handmade().join("general/2019-03-02.json")), Confidence::Maybe);
    assert_eq!(sniff(&handmade().join("users.json")), Confidence::No);
    // A folder holding an export among other things is left to the walker.
    assert_eq!(sniff(&inputs()), Confidence::No);
    assert_eq!(sniff(&handmade().join("general")), Confidence::No);
    let input = Input::open(&sample()).unwrap();
    assert_eq!(trove_readers::detect(&input).unwrap().name(), "slack");
}

#[test]
fn a_zipped_folder_reads_like_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("export.zip");
    let file = std::fs::File::create(&zip_path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    let mut names: Vec<PathBuf> = walk(&handmade());
    names.sort();
    for path in names {
        let rel = path.strip_prefix(handmade()).unwrap().to_string_lossy().replace('\\', "/");
        zip.start_file(format!("Team Slack export Mar 1 2019/{rel}"), options).unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(&path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    assert_eq!(sniff(&zip_path), Confidence::Certain);
    let zipped = read(&zip_path).unwrap();
    let plain = read(&handmade()).unwrap();
    assert_eq!(zipped.records.len(), plain.records.len());
    for (a, b) in zipped.records.iter().zip(&plain.records) {
        assert_eq!(a.native_id, b.native_id);
        assert_eq!(a.conversation, b.conversation);
        assert_eq!(a.text, b.text);
        assert_eq!(a.attachments.len(), b.attachments.len());
        assert_eq!(a.locator.offset, b.locator.offset);
        assert_eq!(
            a.locator.entry.as_deref().unwrap(),
            format!("Team Slack export Mar 1 2019/{}", b.locator.entry.as_deref().unwrap())
        );
    }
    assert_eq!(
        zipped
            .records
            .iter()
            .find(|r| r.native_id.as_deref() == Some("1551405600.000400"))
            .unwrap()
            .attachments[0]
            .reference,
        "Team Slack export Mar 1 2019/general/attachments/F0FILE0001-plan.pdf"
    );
    check_locators(&zip_path, &zipped);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_lone_day_file_is_its_folder_s_channel() {
    let path = handmade().join("general/2019-03-02.json");
    let sink = read(&path).unwrap();
    assert_eq!(sink.records.len(), 8);
    assert!(sink.skips.is_empty());
    for r in &sink.records {
        assert_eq!(&*r.conversation.native_id, "general");
        assert_eq!(r.locator.entry, None);
    }
    // Without users.json only ids are known (and embedded profiles).
    let reply = &sink.records[0];
    assert_eq!(&*reply.sender.as_ref().unwrap().native_id, "U02BOB");
    assert_eq!(reply.sender.as_ref().unwrap().display_name, None);
    let bytes = std::fs::read(&path).unwrap();
    let l = &reply.locator;
    let slice = &bytes[l.offset as usize..(l.offset + l.length) as usize];
    assert!(slice.starts_with(b"{") && slice.ends_with(b"}"));
    assert!(std::str::from_utf8(slice).unwrap().contains("Replying a day later"));
}

#[test]
fn unreadable_inputs_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A lone "day file" that is not a JSON array.
    let path = dir.path().join("2019-03-01.json");
    std::fs::write(&path, b"{\"ts\": \"1\"}").unwrap();
    let err = read(&path).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("2019-03-01.json") && shown.contains("at byte 0"), "{shown}");
    // A folder without day files.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("users.json"), b"[]").unwrap();
    let err = read(&empty).unwrap_err();
    assert!(err.to_string().contains("no Slack day files"), "{err}");
}

#[test]
fn broken_metadata_is_reported_and_the_messages_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("export");
    std::fs::create_dir_all(root.join("general")).unwrap();
    std::fs::write(
        root.join("users.json"),
        b"[{\"id\": \"U1\", \"name\": \"ann\"}, {\"name\": 5}, ",
    )
    .unwrap();
    std::fs::write(root.join("channels.json"), b"not json").unwrap();
    std::fs::write(
        root.join("general/2019-03-01.json"),
        b"[{\"type\": \"message\", \"user\": \"U1\", \"text\": \"hi\", \"ts\": \"1551398400.000100\"}]",
    )
    .unwrap();
    let sink = read(&root).unwrap();
    assert_eq!(sink.records.len(), 1);
    let r = &sink.records[0];
    assert_eq!(&*r.conversation.native_id, "general");
    assert_eq!(r.sender.as_ref().unwrap().handle.as_deref(), Some("ann"));
    let reasons: Vec<String> =
        sink.skips.iter().map(|s| format!("{}@{}: {}", s.file, s.offset, s.reason)).collect();
    assert_eq!(sink.skips.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("users.json@39: unreadable user"), "{reasons:?}");
    assert!(reasons[1].contains("users.json@") && reasons[1].contains("truncated"), "{reasons:?}");
    assert!(reasons[2].contains("channels.json@0"), "{reasons:?}");
}

#[test]
fn oversized_messages_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("general");
    std::fs::create_dir_all(&root).unwrap();
    let big = "x".repeat(5000);
    let day = format!(
        "[{{\"type\": \"message\", \"user\": \"U1\", \"text\": \"ok\", \"ts\": \"1551398400.000100\"}}, \
         {{\"type\": \"message\", \"user\": \"U1\", \"text\": \"{big}\", \"ts\": \"1551398401.000100\"}}]"
    );
    std::fs::write(root.join("2019-03-01.json"), day).unwrap();
    let options = ReadOptions { max_record_bytes: 1000, ..ReadOptions::default() };
    let sink = read_with(&dir.path().join("general/2019-03-01.json"), &options).unwrap();
    assert_eq!(sink.records.len(), 1);
    assert_eq!(sink.skips.len(), 1);
    assert!(sink.skips[0].reason.contains("limit of 1000 bytes"), "{:?}", sink.skips);
    assert_eq!(sink.skips[0].offset, 77);
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
    let input = Input::open(&sample()).unwrap();
    let err = Slack.read(&input, &ReadOptions::default(), &mut StopAfter(3)).unwrap_err();
    assert!(matches!(err, ReadError::Stopped(ref why) if why == "enough"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_day_files_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..400),
        structured in "[\\[\\]{}\",:a-z0-9 .\\\\]{0,200}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("export");
        std::fs::create_dir_all(root.join("c")).unwrap();
        std::fs::write(root.join("users.json"), b"[]").unwrap();
        std::fs::write(root.join("channels.json"), b"[]").unwrap();
        for tail in [body.as_slice(), structured.as_bytes()] {
            let mut day = b"[{\"type\":\"message\",\"ts\":\"1551398400.000100\",".to_vec();
            day.extend_from_slice(tail);
            std::fs::write(root.join("c/2019-03-01.json"), &day).unwrap();
            let _ = read(&root).unwrap();
            std::fs::write(root.join("users.json"), tail).unwrap();
            let _ = read(&root).unwrap();
            let single = root.join("c/2019-03-01.json");
            let _ = sniff(&single);
            if let Err(e) = read(&single) {
                prop_assert!(e.to_string().contains("2019-03-01.json"));
            }
        }
    }
}

/// A day file with one message of each odd shape (fields of unexpected
/// types, a BOM, CRLF): every message is kept, each dropped field is a
/// notice naming it, and nothing is a skip.
#[test]
fn one_of_each_odd_shape_keeps_every_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("users.json"), r#"[{"id": "U1", "name": "alice"}]"#).unwrap();
    std::fs::write(dir.path().join("channels.json"), r#"[{"id": "C1", "name": "general"}]"#)
        .unwrap();
    let head = r#""type": "message", "user": "U1", "ts": "16100000"#;
    let docs = [
        format!(r#"{{{head}01.000100", "text": "a", "reactions": {{}}}}"#),
        format!(r#"{{{head}02.000100", "text": "b", "reactions": null}}"#),
        format!(r#"{{{head}03.000100", "text": "c", "files": {{}}}}"#),
        format!(r#"{{{head}04.000100", "text": "d", "edited": []}}"#),
        format!(r#"{{{head}05.000100", "text": "e", "user_profile": "x"}}"#),
        format!(r#"{{{head}06.000100", "text": "f", "attachments": {{}}}}"#),
        format!(r#"{{{head}07.000100", "text": 7}}"#),
        format!(r#"{{{head}08.000100", "text": "g", "thread_ts": 12.5}}"#),
        r#"{"type": "message", "user": 5, "ts": "1610000009.000100", "text": "h"}"#.to_string(),
        format!(
            r#"{{{head}10.000100", "text": "i", "reactions": [{{"name": 5, "users": "U1"}}]}}"#
        ),
        format!(r#"{{{head}11.000100", "text": "j", "files": [{{"id": 5}}, 7]}}"#),
        format!(r#"{{{head}12.000100", "text": "‏שלום\u200b e\u0301 🙂"}}"#),
    ];
    std::fs::create_dir_all(dir.path().join("general")).unwrap();
    std::fs::write(
        dir.path().join("general/2021-01-07.json"),
        format!("\u{feff}[\r\n{}\r\n]\r\n", docs.join(",\r\n")),
    )
    .unwrap();
    let sink = read(dir.path()).unwrap();
    assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts,
        ["a", "b", "c", "d", "e", "f", "", "g", "h", "i", "j", "‏שלום\u{200b} e\u{301} 🙂"]
    );
    let senders: Vec<Option<&str>> =
        sink.records.iter().map(|r| r.sender.as_ref().map(|s| &*s.native_id)).collect();
    assert_eq!(senders.iter().filter(|s| s.is_none()).count(), 1, "`user: 5` is dropped");
    let notices: Vec<&str> = sink.notices.iter().map(|n| n.reason.as_str()).collect();
    for expected in [
        "$[0]: slack reactions (expected an array, found an object)",
        "$[2]: slack files (expected an array, found an object)",
        "$[4]: slack user_profile (expected an object, found the string \"x\")",
        "$[9]: slack reactions[0].users (expected an array, found the string \"U1\")",
        "$[10]: slack files[1] (expected an object, found the number `7`)",
        "$[6]: slack text (expected a string, found the number `7`)",
        "$[8]: slack user (expected a string, found the number `5`)",
    ] {
        assert!(notices.contains(&expected), "{expected} not in {notices:#?}");
    }
    assert!(sink.notices.iter().all(|n| n.kind == trove_readers::NoticeKind::FieldDropped));
}
