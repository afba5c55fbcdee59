//! The Slack reader on event logs (RTM and Events API, one JSON event per
//! line), generated here with each shape such logs take in the wild.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use trove_model::{EventKind, Record, RecordKind};
use trove_readers::slack::Slack;
use trove_readers::{
    Confidence, Detected, Format, Input, NoticeKind, ReadOptions, VecSink, detect_proven,
};

/// One log of each shape: plain RTM messages, a thread, two edits and an
/// unfurl-only change, a deletion, joins both ways, an Events API callback,
/// a Socket Mode envelope, a reaction, connection noise, a `message_replied`
/// notice, a renamed user, a broken line and a field of an odd shape.
const LOG: &str = concat!(
    "\u{feff}{\"type\":\"hello\"}\n",
    r#"{"type":"message","channel":"C1","user":"U1","text":"plan at 9 &amp; not later","ts":"1600000000.000100","team":"T1"}"#,
    "\n",
    r#"{"type":"user_typing","channel":"C1","user":"U2"}"#,
    "\n",
    r#"{"type":"message","channel":"C1","user":"U2","text":"ok","ts":"1600000010.000200","thread_ts":"1600000000.000100","team":"T1"}"#,
    "\n",
    r#"{"type":"message","subtype":"message_replied","hidden":true,"channel":"C1","message":{"type":"message","user":"U1","text":"plan at 9 &amp; not later","ts":"1600000000.000100","reply_count":1},"ts":"1600000010.000300"}"#,
    "\r\n",
    r#"{"type":"message","subtype":"message_changed","hidden":true,"channel":"C1","message":{"type":"message","user":"U1","text":"plan at 10","ts":"1600000000.000100","edited":{"user":"U1","ts":"1600000100.000000"}},"previous_message":{"type":"message","user":"U1","text":"plan at 9 &amp; not later","ts":"1600000000.000100"},"event_ts":"1600000100.000400","ts":"1600000100.000400"}"#,
    "\n",
    r#"{"type":"message","subtype":"message_changed","hidden":true,"channel":"C1","message":{"type":"message","user":"U1","text":"plan at 10","ts":"1600000000.000100","attachments":[{"from_url":"https://example.org"}],"edited":{"user":"U1","ts":"1600000100.000000"}},"ts":"1600000150.000500"}"#,
    "\n",
    r#"{"type":"presence_change","user":"U2","presence":"away"}"#,
    "\n",
    r#"{"type":"message","subtype":"message_changed","hidden":true,"channel":"C1","message":{"type":"message","user":"U1","text":"plan at 11","ts":"1600000000.000100","edited":{"user":"U1","ts":"1600000200.000000"}},"ts":"1600000200.000600"}"#,
    "\n",
    r#"{"type":"message","channel":"C1","user":"U2","text":"delete me","ts":"1600000300.000700","reactions":{"thumbsup":1}}"#,
    "\n",
    r#"{"type":"message","subtype":"message_deleted","hidden":true,"channel":"C1","deleted_ts":"1600000300.000700","previous_message":{"type":"message","user":"U2","text":"delete me","ts":"1600000300.000700"},"ts":"1600000310.000800"}"#,
    "\n",
    r#"{"type":"message","subtype":"channel_join","channel":"C1","user":"U3","text":"<@U3> has joined the channel","ts":"1600000400.000900"}"#,
    "\n",
    r#"{"type":"member_joined_channel","user":"U4","channel":"C2","inviter":"U1","event_ts":"1600000500.001000"}"#,
    "\n",
    r#"{"token":"x","team_id":"T1","api_app_id":"A1","event":{"type":"message","channel":"C2","user":"U4","text":"hi from the callback","ts":"1600000600.001100"},"type":"event_callback","event_id":"Ev1","event_time":1600000600}"#,
    "\n",
    r#"{"envelope_id":"e1","type":"events_api","payload":{"team_id":"T1","event":{"type":"message","channel":"C2","user":"U1","text":"hi over the socket","ts":"1600000700.001200"},"type":"event_callback"}}"#,
    "\n",
    r#"{"type":"reaction_added","user":"U2","reaction":"eyes","item":{"type":"message","channel":"C2","ts":"1600000700.001200"},"event_ts":"1600000710.001300"}"#,
    "\n",
    r#"{"type":"user_change","user":{"id":"U1","name":"alice","real_name":"Alice Archer","team_id":"T1"}}"#,
    "\n",
    "{\"type\":\"message\",\"channel\":\"C1\",\"text\":\"cut off\n",
    r#"{"type":"message","subtype":"message_changed","channel":"C9","message":{"type":"message","user":"U5","text":"edit of a message before the log","ts":"1500000000.000001","edited":{"user":"U5","ts":"1600000800.000000"}},"ts":"1600000800.001400"}"#,
    "\n",
);

fn write_log(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, LOG).unwrap();
    path
}

fn read(path: &Path) -> VecSink {
    let input = Input::open(path).unwrap();
    let mut sink = VecSink::default();
    Slack.read(&input, &ReadOptions::default(), &mut sink).unwrap();
    sink
}

fn by_ts<'a>(sink: &'a VecSink, ts: &str) -> &'a Record {
    sink.records
        .iter()
        .find(|r| r.native_id.as_deref() == Some(ts))
        .unwrap_or_else(|| panic!("no record {ts}"))
}

fn events<'a>(sink: &'a VecSink, kind: &str) -> Vec<&'a Record> {
    sink.records
        .iter()
        .filter(|r| matches!(&r.kind, RecordKind::Event(k) if k.as_str() == kind))
        .collect()
}

#[test]
fn an_event_log_reads_messages_with_their_edits_deletions_threads_and_joins() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), "bot.log");
    assert_eq!(Slack.sniff(&Input::open(&path).unwrap()), Confidence::Certain);
    let sink = read(&path);

    let plan = by_ts(&sink, "1600000000.000100");
    assert!(plan.is_message());
    assert_eq!(plan.text, "plan at 11");
    assert_eq!(
        plan.edits.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
        ["plan at 9 & not later", "plan at 10"],
        "the unfurl-only change adds no version"
    );
    assert_eq!(plan.edited_at.as_ref().unwrap().utc_ms, 1_600_000_200_000);
    assert_eq!(&*plan.conversation.native_id, "C1");
    assert_eq!(plan.conversation.scope.as_deref(), Some("T1"), "the log's own workspace");
    assert_eq!(plan.sender.as_ref().unwrap().display_name.as_deref(), Some("Alice Archer"));
    assert_eq!(plan.locator.line, Some(2));
    assert_eq!(plan.locator.offset, 3 + "{\"type\":\"hello\"}\n".len() as u64);

    let reply = by_ts(&sink, "1600000010.000200");
    assert_eq!(reply.reply_to.as_deref(), Some("1600000000.000100"));
    assert_eq!(reply.thread.as_deref(), Some("1600000000.000100"));

    let gone = by_ts(&sink, "1600000300.000700");
    assert!(gone.deleted);
    assert_eq!(gone.text, "delete me", "the log saw the text before the deletion");

    let edits = events(&sink, "edit");
    assert_eq!(edits.len(), 4, "each message_changed is cited on its own line");
    let orphan = edits.iter().find(|e| &*e.conversation.native_id == "C9").unwrap();
    assert_eq!(orphan.text, "edit of a message before the log");
    assert_eq!(orphan.reply_to.as_deref(), Some("1500000000.000001"));
    assert_eq!(orphan.sender.as_ref().map(|s| &*s.native_id), Some("U5"));
    let deletions = events(&sink, "deletion");
    assert_eq!(deletions.len(), 1);
    assert_eq!(deletions[0].reply_to.as_deref(), Some("1600000300.000700"));

    let joins: Vec<&Record> =
        sink.records.iter().filter(|r| r.kind == RecordKind::Event(EventKind::Join)).collect();
    assert_eq!(joins.len(), 2);
    let invited = joins.iter().find(|j| &*j.conversation.native_id == "C2").unwrap();
    assert_eq!(invited.targets[0].native_id.as_ref(), "U4");
    assert_eq!(invited.sender.as_ref().map(|s| &*s.native_id), Some("U1"));

    let callback = by_ts(&sink, "1600000600.001100");
    assert_eq!(callback.text, "hi from the callback");
    assert_eq!(callback.locator.json_path.as_deref(), Some("$.event"));
    let socket = by_ts(&sink, "1600000700.001200");
    assert_eq!(socket.locator.json_path.as_deref(), Some("$.payload.event"));
    assert_eq!(events(&sink, "reaction_added").len(), 1);

    // The odd `reactions` shape costs the field, not the message.
    assert!(gone.reactions.is_empty());
    assert!(sink.notices.iter().any(|n| n.kind == NoticeKind::FieldDropped));
    // The cut-off line is a skip with its line number.
    assert_eq!(sink.skips.len(), 1, "{:?}", sink.skips);
    assert!(sink.skips[0].reason.starts_with("line 18: not a Slack event"), "{:?}", sink.skips);

    // Noise is counted by type, never silently dropped.
    let not_kept: Vec<(String, u64)> = sink
        .notices
        .iter()
        .filter(|n| n.kind == NoticeKind::EventsNotKept)
        .map(|n| (n.reason.split('`').nth(1).unwrap().to_string(), n.count))
        .collect();
    assert_eq!(
        not_kept,
        [
            ("hello".to_string(), 1),
            ("message_replied".to_string(), 1),
            ("presence_change".to_string(), 1),
            ("user_change".to_string(), 1),
            ("user_typing".to_string(), 1),
        ]
    );
    let lines = LOG.lines().filter(|l| !l.trim().is_empty()).count();
    let notices: u64 = not_kept.iter().map(|(_, n)| n).sum();
    assert_eq!(sink.records.len() as u64 + sink.skips.len() as u64 + notices, lines as u64);
}

#[test]
fn every_record_of_a_log_cites_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), "events.jsonl");
    let sink = read(&path);
    let bytes = std::fs::read(&path).unwrap();
    for record in &sink.records {
        let start = record.locator.offset as usize;
        let slice = &bytes[start..start + record.locator.length as usize];
        let value: serde_json::Value = serde_json::from_slice(slice).unwrap();
        let line = bytes[..start].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        assert_eq!(record.locator.line, Some(line));
        if let Some(ts) = record.native_id.as_deref().filter(|_| record.is_message()) {
            let event = match record.locator.json_path.as_deref() {
                Some("$.event") => &value["event"],
                Some("$.payload.event") => &value["payload"]["event"],
                _ => &value,
            };
            assert_eq!(event["ts"].as_str(), Some(ts));
        }
    }
}

#[test]
fn a_folder_with_a_users_file_names_the_log_s_people_and_channels() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("acme-bot");
    std::fs::create_dir(&root).unwrap();
    write_log(&root, "events.jsonl");
    std::fs::write(
        root.join("users.json"),
        r#"[{"id":"U2","name":"bob","real_name":"Bob Baker","team_id":"T1"}]"#,
    )
    .unwrap();
    std::fs::write(root.join("channels.json"), r#"[{"id":"C1","name":"general"}]"#).unwrap();
    let input = Input::open(&root).unwrap();
    assert_eq!(Slack.sniff(&input), Confidence::Certain);
    let (format, tally) = match detect_proven(&input, &ReadOptions::default()).unwrap() {
        Detected::Format(format, tally) => (format, tally),
        _ => panic!("not detected"),
    };
    assert_eq!(format.name(), "slack");
    assert!(tally.messages >= 5, "{tally}");
    let sink = read(&root);
    let ok = by_ts(&sink, "1600000010.000200");
    assert_eq!(ok.sender.as_ref().unwrap().display_name.as_deref(), Some("Bob Baker"));
    assert_eq!(ok.conversation.name.as_deref(), Some("general"));
    assert_eq!(ok.locator.entry.as_deref(), Some("events.jsonl"));
}

#[test]
fn json_lines_that_are_not_slack_events_are_not_claimed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chat.jsonl");
    std::fs::write(
        &path,
        "{\"from\":\"a\",\"text\":\"hi\",\"type\":\"message\",\"date\":\"2020\"}\n",
    )
    .unwrap();
    assert_eq!(Slack.sniff(&Input::open(&path).unwrap()), Confidence::No);
}

/// A message whose error lies past bytes the decoder widened (each invalid
/// byte becomes a three-byte U+FFFD): the skip cites a place in the file,
/// not one computed in the decoded event text. The log is the input
/// fuzzing found, whose skip fell 26 bytes past the end of its 423 bytes.
#[test]
fn a_skip_after_widened_bytes_cites_a_place_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let log = std::fs::read("tests/inputs/slack/fuzz-widened-offset.jsonl").unwrap();
    std::fs::write(&path, &log).unwrap();
    let sink = read(&path);
    assert!(
        sink.skips.iter().any(|s| s.reason.contains("not a readable message")),
        "{:?}",
        sink.skips
    );
    for skip in &sink.skips {
        assert!(skip.offset < log.len() as u64, "{skip:?} outside a {}-byte log", log.len());
    }
}
