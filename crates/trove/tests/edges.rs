//! The edges of the command line: a reader that stops reading, values that
//! look like flags, and a first ingest that fails.

mod common;

use common::{ingest_transcript, json, s, trove, twitter_zip};

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs trove with its stdout closed before it writes anything, as
/// `trove ... | head -0` does.
fn with_stdout_closed(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trove"))
        .args(args)
        .env_remove("TROVE_CASE")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn trove");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for trove")
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, archive) = twitter_zip(dir.path(), "archive.zip", 21, 3_000);
    let case = dir.path().join("case");
    json(&trove(&["ingest", s(&zip), "--case", s(&case), "--json"]));
    let id = archive.messages().nth(100).and_then(|m| m.id.clone()).expect("an id");
    // Each prints far more than a pipe holds, so the write fails even if the
    // pipe closed late.
    let commands: Vec<Vec<&str>> = vec![
        vec!["stats", "--case", s(&case)],
        vec!["stats", "--case", s(&case), "--json"],
        vec!["search", "--case", s(&case), "--limit", "3000", "--", ""],
        vec!["search", "--case", s(&case), "--limit", "3000", "--json", "--", ""],
        vec!["show", "--case", s(&case), id.as_str(), "--context", "500"],
        vec!["people", "--case", s(&case)],
        vec!["completions", "bash"],
        vec!["man"],
    ];
    for args in commands {
        let out = with_stdout_closed(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    }
    // An export whose summary line finds the pipe closed still wrote its file.
    let csv = dir.path().join("all.csv");
    let out = with_stdout_closed(&[
        "export",
        "--case",
        s(&case),
        "--format",
        "csv",
        "--out",
        s(&csv),
        "--query",
        "",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = std::fs::read_to_string(&csv).expect("the export").lines().count();
    assert!(rows > archive.messages().count(), "{rows} lines");
}

/// A template transcript whose messages end at a line of dashes.
const DASHED: &str = "\
[2020-01-01 10:00:00] ana: first line
and its second line
--------------------
[2020-01-01 10:01:00] ben: -an answer that starts with a dash
--------------------
";

#[test]
fn values_that_start_with_a_dash_are_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("log.txt");
    std::fs::write(&log, DASHED).expect("write");
    let case = dir.path().join("case");
    let out = json(&trove(&[
        "ingest",
        s(&log),
        "--case",
        s(&case),
        "--json",
        "--format",
        "template",
        "--template",
        "[{ts}] {sender}: {text}",
        "--separator",
        "--------------------",
        "--tz",
        "-05:00",
    ]));
    assert_eq!(out["messages_added"], 2, "{out}");
    let hits = json(&trove(&["search", "--case", s(&case), "--json", "--sort", "time", "--", ""]));
    assert_eq!(hits["hits"][0]["text"], "first line\nand its second line");
    // 10:00 at -05:00 is 15:00 UTC.
    assert_eq!(hits["hits"][0]["sent_at"], "2020-01-01T15:00:00.000Z");

    let zone = trove(&["zone", "--case", s(&case), "-05:00"]);
    assert!(zone.status.success(), "{}", String::from_utf8_lossy(&zone.stderr));
    assert_eq!(String::from_utf8_lossy(&zone.stdout).trim(), "-05:00");

    let rule = trove(&["redact", "add", "--case", s(&case), "--text", "-an answer"]);
    assert!(rule.status.success(), "{}", String::from_utf8_lossy(&rule.stderr));
    let out_file = dir.path().join("out.jsonl");
    let export = json(&trove(&[
        "export",
        "--case",
        s(&case),
        "--json",
        "--format",
        "jsonl",
        "--out",
        s(&out_file),
        "--query",
        "-from:ana",
    ]));
    assert_eq!(export["messages"], 1, "{export}");
    let written = std::fs::read_to_string(&out_file).expect("read the export");
    assert!(written.contains("[redacted] that starts with a dash"), "{written}");
}

fn assert_absent_or_empty(dir: &Path, existed: bool) {
    if existed {
        let left: Vec<_> = std::fs::read_dir(dir).expect("read").collect();
        assert!(left.is_empty(), "{} still holds {left:?}", dir.display());
    } else {
        assert!(!dir.exists(), "{} was left behind", dir.display());
    }
}

#[test]
fn a_failed_first_ingest_leaves_no_case_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("photo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01").expect("write");
    let garbage = dir.path().join("garbage.csv");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 0, 1, 2, 3].repeat(100)).expect("write");
    let missing = dir.path().join("no-such-file.zip");

    let failures: [&[&str]; 3] = [&[s(&png)], &[s(&garbage), "--format", "csv"], &[s(&missing)]];
    for (i, input) in failures.iter().enumerate() {
        // A case folder that does not exist yet, and one the user made empty.
        for existed in [false, true] {
            let case = dir.path().join(format!("case-{i}-{existed}"));
            if existed {
                std::fs::create_dir(&case).expect("mkdir");
            }
            let mut args = vec!["ingest", "--case", s(&case)];
            args.extend_from_slice(input);
            let out = trove(&args);
            assert_eq!(out.status.code(), Some(1), "{input:?}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("error:"), "{input:?}");
            assert_absent_or_empty(&case, existed);
        }
    }
}

#[test]
fn a_failed_ingest_into_an_existing_case_keeps_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, first) = ingest_transcript(dir.path());
    assert_eq!(first["messages_added"], 10);
    let png = dir.path().join("photo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01").expect("write");
    let out = trove(&["ingest", s(&png), "--case", s(&case)]);
    assert_eq!(out.status.code(), Some(1));
    let stats = json(&trove(&["stats", "--case", s(&case), "--json"]));
    assert_eq!(stats["messages"], 10);
}

#[test]
fn every_registry_format_is_in_the_help_and_the_readme() {
    let help = trove(&["ingest", "--help"]);
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    let readme = include_str!("../../../README.md");
    for format in trove_readers::formats() {
        let name = format.name();
        assert!(help.contains(name), "`{name}` missing from `trove ingest --help`:\n{help}");
        assert!(readme.contains(&format!("`{name}`")), "`{name}` missing from the README");
    }
    assert!(help.contains("auto"), "{help}");
    let unknown = trove(&["ingest", "x.zip", "--case", "c", "--format", "fax"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("possible values"));
}

/// A flood of unreadable lines: every one is counted, by kind of reason,
/// and only the first `--keep-skips` are kept in full (all of them kept
/// cost about 240 bytes each: 2.4 GB for ten million).
#[test]
fn a_skip_flood_is_counted_in_full_and_kept_in_part() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chat.jsonl");
    let mut text =
        String::from("{\"ts\": \"2020-01-01T10:00:00Z\", \"user\": \"ann\", \"text\": \"hi\"}\n");
    for n in 0..5000 {
        text.push_str(if n % 2 == 0 { "x\n" } else { "[1]\n" });
    }
    std::fs::write(&path, text).expect("write");
    let case = dir.path().join("case");
    let args = ["ingest", s(&path), "--case", s(&case), "--format", "jsonl", "--accept-skips"];
    let out = json(&trove(&[&args[..], &["--json", "--keep-skips", "10"]].concat()));
    assert_eq!(out["messages_added"], 1, "{out}");
    assert_eq!(out["skipped_total"], 5000, "{out}");
    assert_eq!(out["skipped"].as_array().map(Vec::len), Some(10), "{out}");
    let first = out["skipped"][0]["reason"].as_str().unwrap_or_default();
    assert!(first.starts_with("line 2: not valid JSON: expected value"), "{out}");
    let reasons = out["skip_reasons"].as_object().expect("skip_reasons");
    let counted: u64 = reasons.values().filter_map(serde_json::Value::as_u64).sum();
    assert_eq!(counted, 5000, "{reasons:?}");
    assert_eq!(reasons.len(), 2, "two kinds of reason: {reasons:?}");

    // In words: the total, and the kinds with their counts.
    let again = trove(&[
        "ingest",
        s(&path),
        "--case",
        s(&dir.path().join("words")),
        "--format",
        "jsonl",
        "--accept-skips",
    ]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("5000 record(s) could not be read"), "{stderr}");
    assert!(
        stderr.contains("--json lists the first 1000") && stderr.contains("2500  line #"),
        "{stderr}"
    );
}

/// A run whose every record is skipped read nothing: it fails (exit 1,
/// even with --accept-skips, which keeps partial reads, not empty ones),
/// says why by kind of reason, and leaves no case behind.
#[test]
fn a_run_that_reads_nothing_fails_and_keeps_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chat.jsonl");
    std::fs::write(&path, "x\n[1]\nx\n").expect("write");
    let case = dir.path().join("case");
    let out =
        trove(&["ingest", s(&path), "--case", s(&case), "--format", "jsonl", "--accept-skips"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing could be read: 3 record(s) skipped: 2 × line #"), "{stderr}");
    assert!(stderr.contains("nothing of this run was kept"), "{stderr}");
    assert!(!case.exists(), "no empty case is left behind");
}

/// File names that are not UTF-8 (common in leaks made on old systems):
/// recorded with their odd bytes shown as `\xNN` and kept exactly, so
/// `verify` re-hashes the very files; a folder member whose name spells
/// another's `\xNN` out is read too, under a numbered name.
#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_kept_exactly_and_verify() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let line = |who: &str, at: &str| {
        format!("{{\"ts\": \"2020-01-01T{at}:00Z\", \"user\": \"{who}\", \"text\": \"hi\"}}\n")
    };
    let odd = |name: &[u8]| dir.path().join(std::ffi::OsStr::from_bytes(name));
    let single = odd(b"chat-\xff.jsonl");
    std::fs::write(&single, line("ann", "10:00")).expect("write");
    let folder = dir.path().join("dir");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::write(
        folder.join(std::ffi::OsStr::from_bytes(b"room-\xfe.jsonl")),
        line("bob", "11:00"),
    )
    .expect("write");
    std::fs::write(folder.join("room-\\xfe.jsonl"), line("cy", "12:00")).expect("write");

    let case = dir.path().join("case");
    for input in [single.as_os_str(), folder.as_os_str()] {
        let out = Command::new(env!("CARGO_BIN_EXE_trove"))
            .arg("ingest")
            .arg(input)
            .args(["--format", "jsonl", "--case", s(&case)])
            .output()
            .expect("run trove");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let stats = json(&trove(&["stats", "--case", s(&case), "--json"]));
    assert_eq!(stats["messages"], 3, "{stats}");
    let mut paths: Vec<String> = stats["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|source| source["path"].as_str().unwrap_or_default().to_string())
        .collect();
    paths.sort();
    let under = |rest: &str| format!("{}/{rest}", dir.path().display());
    // Shown alike (the literal name and the escaped bytes), kept apart by
    // the exact bytes the case keeps for the odd one.
    let mut expected = vec![
        under("chat-\\xff.jsonl"),
        under("dir/room-\\xfe.jsonl"),
        under("dir/room-\\xfe.jsonl"),
    ];
    expected.sort();
    assert_eq!(paths, expected, "odd bytes shown as \\xNN: {stats}");

    let verified = trove(&["verify", "--case", s(&case)]);
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert!(stdout.contains("3 source(s) unchanged, 0 changed"), "{stdout}");
    std::fs::write(&single, line("ann", "10:01")).expect("rewrite");
    let verified = trove(&["verify", "--case", s(&case), "--json"]);
    assert_eq!(verified.status.code(), Some(1), "a finding exits 1");
    let verified: serde_json::Value = serde_json::from_slice(&verified.stdout).expect("json");
    let findings = verified["source_findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{verified}");
    assert_eq!(findings[0]["status"], "changed", "the very file is re-read: {verified}");
}

/// Bytes that are not UTF-8 become U+FFFD in the text: never silently.
/// The run counts the messages that hold it, per file, with the first one's
/// offset; the source's bytes stay as they were (verify passes).
#[test]
fn text_that_was_not_utf8_is_counted_per_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("chat.csv");
    std::fs::write(
        &csv,
        b"text,date,user\nhello \xff\xfe world,2021-05-01T10:00:00Z,Carol\n\
          fine,2021-05-01T10:01:00Z,Dan\nbad \xc3 too,2021-05-01T10:02:00Z,Dan\n",
    )
    .expect("write");
    let case = dir.path().join("case");
    let out = json(&trove(&[
        "ingest",
        s(&csv),
        "--case",
        s(&case),
        "--format",
        "csv",
        "--map",
        "text=text,sent_at=date,sender=user",
        "--json",
    ]));
    assert_eq!(out["messages_added"], 3, "{out}");
    assert_eq!(out["notice_counts"]["replacement_characters"], 2, "{out}");
    let notice = &out["notices"][0];
    assert_eq!(notice["kind"], "replacement_characters", "{out}");
    assert_eq!(notice["offset"], 15, "the first such message's row: {out}");
    assert!(notice["file"].as_str().is_some_and(|f| f.ends_with("chat.csv")), "{out}");
    let verified = trove(&["verify", "--case", s(&case)]);
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stdout));
}
