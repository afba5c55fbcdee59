//! Detection proves itself on a sample, `ingest --dry-run` writes nothing,
//! an ingest read mostly as skips or sender-less records is refused unless
//! accepted, and one unreadable file of a folder is a skip (issue 14).

mod common;

use common::{json, s, trove};

use std::path::{Path, PathBuf};

/// Lines per generated tab transcript file.
const TAB_LINES: usize = 40;

/// A folder of two plain-text logs in the form seen in a leak:
/// `[23.11.21 09:08:16] nick:<TAB><TAB>text`.
fn tab_transcripts(dir: &Path) -> PathBuf {
    let folder = dir.join("logs");
    std::fs::create_dir(&folder).expect("mkdir");
    for (file, nicks) in [("chat-1.txt", ["stern", "bentley"]), ("chat-2.txt", ["target", "mango"])]
    {
        let mut text = String::new();
        for i in 0..TAB_LINES {
            let nick = nicks[i % 2];
            text.push_str(&format!(
                "[23.11.21 09:{:02}:{:02}] {nick}:\t\tshipment number {i} is ready\n",
                i / 60,
                i % 60
            ));
        }
        std::fs::write(folder.join(file), text).expect("write");
    }
    folder
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_tab_transcript_folder_is_refused_by_detection_with_each_candidates_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = tab_transcripts(dir.path());
    let case = dir.path().join("case");
    let out = trove(&["ingest", s(&folder), "--case", s(&case)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no reader reads this input convincingly"), "{err}");
    assert!(err.contains("whatsapp: 0 messages"), "{err}");
    assert!(err.contains(&format!("{TAB_LINES} events without a sender, 0 skips")), "{err}");
    assert!(err.contains("help: name the reader with `--format NAME`"), "{err}");
    assert!(err.contains("--template"), "{err}");
}

#[test]
fn the_tab_transcript_folder_ingests_when_described_as_a_template() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = tab_transcripts(dir.path());
    let case = dir.path().join("case");
    let out = trove(&[
        "--json",
        "ingest",
        s(&folder),
        "--case",
        s(&case),
        "--format",
        "template",
        "--template",
        "[{ts}] {sender}:\t\t{text}",
        "--ts-format",
        "%d.%m.%y %H:%M:%S",
    ]);
    let report = json(&out);
    assert_eq!(report["messages_added"], 2 * TAB_LINES as u64, "{report}");
    assert_eq!(report["events_added"], 0);
    assert_eq!(report["skipped"].as_array().map(Vec::len), Some(0), "{report}");
    assert_eq!(report["inputs"][0]["mostly_unattributed"], false);
    let hits = json(&trove(&[
        "--json",
        "search",
        "--case",
        s(&case),
        "shipment from:mango",
        "--limit",
        "100",
    ]));
    assert_eq!(hits["total"], (TAB_LINES / 2) as u64, "{hits}");
    assert_eq!(
        hits["hits"][0]["text"].as_str().map(|t| t.starts_with("shipment number")),
        Some(true)
    );
}

#[test]
fn an_ingest_read_mostly_as_sender_less_events_exits_1_unless_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = tab_transcripts(dir.path());
    let file = folder.join("chat-1.txt");
    let case = dir.path().join("case");
    let refused = trove(&["ingest", s(&file), "--case", s(&case), "--format", "whatsapp"]);
    let err = stderr(&refused);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "warning: {} read as whatsapp: 0 messages, {TAB_LINES} events without a sender, 0 \
             skips: mostly skips or records without a sender",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("nothing of this run was kept"), "{err}");
    assert!(err.contains("--accept-skips"), "{err}");
    assert!(!case.exists(), "a refused first ingest leaves no case folder behind");

    let accepted = json(&trove(&[
        "--json",
        "ingest",
        s(&file),
        "--case",
        s(&case),
        "--format",
        "whatsapp",
        "--accept-skips",
    ]));
    assert_eq!(accepted["events_added"], TAB_LINES as u64, "{accepted}");
    assert_eq!(accepted["inputs"][0]["mostly_unattributed"], true);
    assert_eq!(accepted["inputs"][0]["without_sender"], TAB_LINES as u64);
}

/// An IRC folder: two logs dated by their names, one with no date anywhere.
fn irc_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("irc");
    std::fs::create_dir(&folder).expect("mkdir");
    let log = |lines: &[&str]| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    std::fs::write(
        folder.join("#ops.2021-11-23.log"),
        log(&["[09:57:12] <alice> first day", "[09:58:01] <bob> ack", "[10:01:00] <alice> bye"]),
    )
    .expect("write");
    std::fs::write(
        folder.join("#ops.2021-11-24.log"),
        log(&["[08:00:00] <bob> second day", "[08:00:30] <alice> ok"]),
    )
    .expect("write");
    std::fs::write(
        folder.join("#ops-notes.log"),
        log(&["[11:00:00] <carol> when was this?", "[11:00:05] <dave> nobody knows"]),
    )
    .expect("write");
    folder
}

#[test]
fn an_undated_irc_file_is_a_skip_and_the_rest_of_the_folder_ingests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = irc_folder(dir.path());
    let case = dir.path().join("case");
    let report = json(&trove(&["--json", "ingest", s(&folder), "--case", s(&case)]));
    assert_eq!(report["messages_added"], 5, "{report}");
    let skipped = report["skipped"].as_array().cloned().unwrap_or_default();
    assert_eq!(skipped.len(), 1, "{report}");
    let undated = folder.join("#ops-notes.log");
    assert_eq!(skipped[0]["file"], undated.display().to_string(), "{report}");
    let reason = skipped[0]["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("file not read: irc: "), "{reason}");
    assert!(reason.contains("the log's date is unknown"), "{reason}");

    let strict_case = dir.path().join("strict");
    let strict = trove(&["ingest", s(&folder), "--case", s(&strict_case), "--strict"]);
    let err = stderr(&strict);
    assert_eq!(strict.status.code(), Some(1), "{err}");
    assert!(err.contains("#ops-notes.log"), "{err}");
    assert!(err.contains("date is unknown"), "{err}");
}

#[test]
fn a_dry_run_writes_nothing_and_counts_each_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = irc_folder(dir.path());
    let case = dir.path().join("case");
    let out = trove(&["ingest", "--dry-run", s(&folder), "--case", s(&case)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!case.exists(), "a dry run created the case folder");
    let shown = stdout(&out);
    let dated = folder.join("#ops.2021-11-23.log");
    let expected_start = format!(
        "dry run: nothing written; counts from the whole input\n\n\
         {} read as irc (detected)\n  \
         3 messages, 0 skips\n  \
         09:57:12  alice: first day\n  \
         09:58:01  bob: ack\n  \
         10:01:00  alice: bye\n",
        dated.display()
    );
    assert!(shown.starts_with(&expected_start), "{shown}");
    assert!(shown.contains("1 file(s) not read:"), "{shown}");
    assert!(shown.contains("#ops-notes.log: file not read: irc: "), "{shown}");

    let report = json(&trove(&["--json", "ingest", "--dry-run", s(&folder), "--sample", "1"]));
    assert!(!case.exists());
    assert_eq!(report["counts_from"], "first 1 records of each input", "{report}");
    let inputs = report["inputs"].as_array().cloned().unwrap_or_default();
    assert_eq!(inputs.len(), 2, "{report}");
    assert_eq!(inputs[0]["messages"], 1);
    assert_eq!(inputs[0]["complete"], false);
    assert_eq!(inputs[0]["first_records"][0]["sender"], "alice");
    assert_eq!(inputs[0]["first_records"][0]["time"], "09:57:12");
    assert_eq!(report["skipped"].as_array().map(Vec::len), Some(1));

    let whole = json(&trove(&["--json", "ingest", "--dry-run", s(&folder)]));
    assert_eq!(whole["counts_from"], "whole input");
    assert_eq!(whole["inputs"][0]["messages"], 3);
    assert_eq!(whole["inputs"][1]["messages"], 2);
    assert_eq!(whole["inputs"][1]["complete"], true);
}

#[test]
fn a_dry_run_of_a_misread_input_flags_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = tab_transcripts(dir.path());
    let file = folder.join("chat-2.txt");
    let out = trove(&["ingest", "--dry-run", s(&file), "--format", "whatsapp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("0 messages, {TAB_LINES} events without a sender, 0 skips"))
    );
    assert!(stdout(&out).contains("(no sender)"), "{}", stdout(&out));
    assert!(stderr(&out).contains("an ingest refuses it without --accept-skips"));
}

/// A dry run shows what a real ingest would keep with a word: fields
/// dropped for their shape, counted by kind and listed.
#[test]
fn a_dry_run_lists_the_notices() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("refs.txt");
    std::fs::write(&log, "[2021-11-23 09:08:16] alice: it&#39;s here\nand a second line\n")
        .expect("write");
    let args = ["ingest", "--dry-run", s(&log), "--format", "template", "--template"];
    let out = trove(&[&args[..], &["[{ts}] {sender}: {text}"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("alice: it's here"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("kept with a notice")
            && stdout(&out).contains("decoded in the text of 1 message"),
        "{}",
        stdout(&out)
    );
    let json = json(&trove(&[&args[..], &["[{ts}] {sender}: {text}", "--json"]].concat()));
    let counts = &json["inputs"][0]["notice_counts"];
    assert_eq!(counts["entities_decoded"], 1, "{json}");
    assert_eq!(counts["lines_folded"], 1, "{json}");
}
