//! Detection picks the right reader for every bundled sample, and refuses
//! to guess between readers that fit equally.

use std::path::{Path, PathBuf};

use trove_readers::{
    Detected, Input, ReadError, ReadOptions, SAMPLE_RECORDS, Tally, detect, detect_proven,
};

fn input(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs").join(relative)
}

fn detected(relative: &str) -> String {
    let path = input(relative);
    let opened = Input::open(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    match detect(&opened) {
        Ok(format) => format.name().to_string(),
        Err(e) => panic!("{relative}: {e}"),
    }
}

#[test]
fn every_bundled_sample_gets_its_reader() {
    let cases = [
        ("telegram/joweich-chat-miner/test_single_export.json", "telegram"),
        ("telegram/joweich-chat-miner/test_batch_export.json", "telegram"),
        ("telegram/full/DataExport_2023-11-15", "telegram"),
        ("telegram/single/ChatExport_2021-03-02", "telegram"),
        (
            "whatsapp/pustur-whatsapp-chat-parser-website/whatsapp-chat-parser-example.zip",
            "whatsapp",
        ),
        ("whatsapp/pustur-whatsapp-chat-parser-website/_chat.txt", "whatsapp"),
        ("whatsapp/pustur-whatsapp-chat-parser-website/_chat_2019_inner_example.txt", "whatsapp"),
        ("whatsapp/joweich-chat-miner/test_mmddyy_24hrs.txt", "whatsapp"),
        ("whatsapp/joweich-chat-miner/test_ddmmyy_24hrs.txt", "whatsapp"),
        ("whatsapp/joweich-chat-miner/test_[mmddyy]_24hrs.txt", "whatsapp"),
        ("whatsapp/joweich-chat-miner/test_yyyymmdd_24hrs.txt", "whatsapp"),
        ("whatsapp/joweich-chat-miner/test_mmddyyyy_12hrs.txt", "whatsapp"),
        ("slack/hfaran-slack-export-viewer/testarchive.zip", "slack"),
        ("instagram/joweich-chat-miner/test_export.json", "instagram"),
        ("signal/joweich-chat-miner/test_export.txt", "signal"),
        ("rsmf/relativitydev-rsmf-validator-samples/Sample1/rsmf_manifest.json", "rsmf"),
        ("rsmf/relativitydev-rsmf-validator-samples/Sample2/rsmf.zip", "rsmf"),
        ("rsmf/relativitydev-rsmf-validator-samples/Sample3/sample.rsmf", "rsmf"),
        ("rsmf/relativitydev-rsmf-validator-samples/Sample3/message.eml", "rsmf"),
        ("rsmf/relativitydev-rsmf-validator-samples/Sample4/rsmf_manifest.json", "rsmf"),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .map(|(path, expected)| (path, expected, detected(path)))
        .filter(|(_, expected, got)| got != *expected)
        .map(|(path, expected, got)| format!("{path}: expected {expected}, got {got}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_file_two_readers_fit_equally_is_refused_with_both_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A Meta DYI thread file with no Facebook or Instagram signal at all.
    let path = dir.path().join("message_1.json");
    std::fs::write(
        &path,
        r#"{"participants":[{"name":"A"},{"name":"B"}],"messages":[{"sender_name":"A","timestamp_ms":1600000000000,"content":"hi","type":"Generic"}],"title":"A","thread_path":"inbox/a_1"}"#,
    )
    .expect("write");
    match detect(&Input::open(&path).expect("open")) {
        Err(ReadError::Detect { reason, .. }) => {
            assert!(reason.contains("ambiguous"), "{reason}");
            assert!(reason.contains("messenger") && reason.contains("instagram"), "{reason}");
            assert!(reason.contains("--format"), "{reason}");
        }
        other => panic!("expected an ambiguity error, got {:?}", other.map(|f| f.name())),
    }
}

/// Every path under `tests/inputs` down to `depth` levels.
fn sample_paths(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut children: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    children.sort();
    for child in children {
        out.push(child.clone());
        if depth > 1 && child.is_dir() {
            sample_paths(&child, depth - 1, out);
        }
    }
}

#[test]
fn every_sample_sniffing_picks_is_proven_by_its_own_records() {
    let mut paths = Vec::new();
    sample_paths(&input(""), 4, &mut paths);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for path in paths {
        let Ok(opened) = Input::open(&path) else { continue };
        let Ok(sniffed) = detect(&opened) else { continue };
        // A sample its reader cannot read at all (deliberately broken
        // fixtures) has nothing to prove.
        if trove_readers::sample(sniffed, &opened, &ReadOptions::default()).is_err() {
            continue;
        }
        checked += 1;
        match detect_proven(&opened, &ReadOptions::default()) {
            Ok(Detected::Format(format, _)) if format.name() == sniffed.name() => {}
            // Nested objects with no sender field the reader knows: only
            // sender-less messages, what `--map` is for.
            Ok(Detected::Unproven(_)) if path.ends_with("transcript/nested.jsonl") => {}
            Ok(Detected::Format(format, tally)) => {
                wrong.push(format!(
                    "{}: {} became {} ({tally})",
                    path.display(),
                    sniffed.name(),
                    format.name()
                ));
            }
            Ok(Detected::Unproven(trials)) => wrong.push(format!(
                "{}: {}",
                path.display(),
                trove_readers::unproven_error("", &trials)
            )),
            Ok(Detected::Unreadable(format, e)) => {
                wrong.push(format!("{}: {} cannot read it: {e}", path.display(), format.name()))
            }
            Ok(Detected::Nothing) => wrong.push(format!("{}: nothing", path.display())),
            Err(e) => wrong.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(checked >= 40, "only {checked} samples checked");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// `[23.11.21 09:08:16] nick:<TAB><TAB>text`, the form WhatsApp detection
/// took for its own.
fn tab_transcript(dir: &Path, lines: usize) -> PathBuf {
    let path = dir.join("chat.txt");
    let text: String = (0..lines)
        .map(|i| format!("[23.11.21 09:08:{:02}] nick{}:\t\tline {i}\n", i % 60, i % 3))
        .collect();
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn a_tab_transcript_sniffed_as_whatsapp_is_not_proven() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = tab_transcript(dir.path(), 300);
    let opened = Input::open(&path).expect("open");
    // Sniffing alone still says WhatsApp: the sample is what refuses it.
    assert_eq!(detect(&opened).map(|f| f.name()).ok(), Some("whatsapp"));
    let Ok(Detected::Unproven(trials)) = detect_proven(&opened, &ReadOptions::default()) else {
        panic!("expected an unproven detection");
    };
    let shown = trove_readers::unproven_error(&path.display().to_string(), &trials).to_string();
    // The sample stops at its size, not at the end of the file.
    assert!(
        shown.contains(&format!(
            "whatsapp: 0 messages, {SAMPLE_RECORDS} events without a sender, 0 skips"
        )),
        "{shown}"
    );
    assert!(shown.contains("no reader reads this input convincingly"), "{shown}");
}

#[test]
fn a_tally_reads_as_the_error_shows_it_and_draws_the_line_at_half() {
    let tally = Tally { messages: 3, events_without_sender: 197, ..Tally::default() };
    assert_eq!(tally.to_string(), "3 messages, 197 events without a sender, 0 skips");
    assert!(tally.mostly_unattributed() && !tally.proves());
    let half = Tally { messages: 5, skips: 5, ..Tally::default() };
    assert!(!half.mostly_unattributed() && half.proves());
    let busy_channel = Tally { messages: 2, events: 50, skips: 1, ..Tally::default() };
    assert!(busy_channel.proves(), "joins and leaves with a sender count as read");
    let skips = Tally { messages: 1, skips: 3, ..Tally::default() };
    assert!(skips.proves() && skips.mostly_unattributed(), "skips refuse an ingest, not a reader");
    let events_only = Tally { events: 10, ..Tally::default() };
    assert!(!events_only.proves(), "a proven reader gives at least one message");
    assert!(!Tally::default().mostly_unattributed());
}
