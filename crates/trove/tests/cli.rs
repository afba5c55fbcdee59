//! The `trove` binary as a user and a script meet it: exit codes, JSON
//! shapes, error messages, interrupted runs.

mod common;

use common::{TRANSCRIPT, ingest_transcript, json, s, trove, twitter_zip};

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[test]
fn a_transcript_with_mapping_zone_and_event_sender() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, ingest) = ingest_transcript(dir.path());
    assert_eq!(ingest["sources"], 1);
    assert_eq!(ingest["messages_added"], 10);
    assert_eq!(ingest["events_added"], 3);
    assert_eq!(ingest["duplicates"], 0);
    assert_eq!(ingest["skipped"], Value::Array(vec![]));

    let stats = json(&trove(&["stats", "--case", s(&case), "--json"]));
    assert_eq!(stats["messages"], 10);
    assert_eq!(stats["events"], 3);
    assert_eq!(stats["conversations"], 1);
    // 2016-10-03 09:12 in Berlin (CEST, +02:00) is 07:12 UTC.
    assert_eq!(stats["first"], "2016-10-03T07:12:00.000Z");
    assert_eq!(stats["sources"][0]["format"], "csv");
    assert_eq!(stats["sources"][0]["sha256"].as_str().map(str::len), Some(64));
    let emma = stats["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .find(|p| p["name"] == "Emma");
    assert_eq!(emma.expect("Emma is a participant")["messages"], 5);

    let search = json(&trove(&["search", "--case", s(&case), "--json", "from:Emma", "drop"]));
    assert_eq!(search["total"], 1);
    let hit = &search["hits"][0];
    for key in
        ["id", "native_id", "sent_at", "sender", "sender_id", "conversation", "text", "snippet"]
    {
        assert!(hit.get(key).is_some(), "search hit lacks {key}: {hit}");
    }
    assert!(search["took_ms"].is_number());
    assert_eq!(hit["sent_at"], "2016-10-03T07:14:00.000Z");
    assert_eq!(
        hit["snippet"],
        "Morning all. The <mark>drop</mark> is scheduled for Friday, keep it quiet."
    );

    let id = hit["id"].as_str().expect("id");
    let show = json(&trove(&["show", id, "--case", s(&case), "--json", "--context", "2"]));
    assert_eq!(show["message"]["id"], id);
    assert_eq!(show["message"]["time_basis"], "asserted_zone (Europe/Berlin)");
    assert_eq!(show["message"]["sent_at_original"], "2016-10-03 09:14");
    assert_eq!(show["message"]["source"]["sha256"], stats["sources"][0]["sha256"]);
    assert_eq!(show["before"].as_array().map(Vec::len), Some(1), "only the join event is earlier");
    assert_eq!(show["before"][0]["kind"], "join");
    assert_eq!(show["after"].as_array().map(Vec::len), Some(2));
    // The locator points at the exact bytes of the row.
    let locator = show["message"]["source"]["locator"].as_str().expect("locator");
    let (offset, length) = locator
        .trim_start_matches('@')
        .split(':')
        .next()
        .and_then(|span| span.split_once('+'))
        .map(|(o, l)| (o.parse::<usize>().expect("offset"), l.parse::<usize>().expect("length")))
        .expect("offset+length");
    assert!(TRANSCRIPT[offset..offset + length].starts_with("\"Morning all."), "{locator}");

    // Quoted Russian finds the exact form only; bare finds inflections.
    let exact = json(&trove(&["search", "--case", s(&case), "--json", "\"пароль\""]));
    let stemmed = json(&trove(&["search", "--case", s(&case), "--json", "пароль"]));
    assert_eq!((exact["total"].as_u64(), stemmed["total"].as_u64()), (Some(1), Some(2)));
}

#[test]
fn overlapping_exports_read_in_one_run_into_a_new_case_store_each_record_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exports = dir.path().join("exports");
    std::fs::create_dir(&exports).expect("mkdir");
    // Both exports name the chat, as exports of one chat do; records
    // without platform ids are then the same by content.
    let mut lines = TRANSCRIPT.lines();
    let header = lines.next().expect("header");
    let first: String = std::iter::once(format!("{header},chat\n"))
        .chain(lines.map(|l| format!("{l},ops\n")))
        .collect();
    let second =
        format!("{first}\"One more thing: the printer is fixed.\",2016-10-06 10:00,Harry,ops\n");
    std::fs::write(exports.join("first.csv"), &first).expect("write");
    std::fs::write(exports.join("second.csv"), second).expect("write");
    let case = dir.path().join("case");
    let ingest = json(&trove(&[
        "ingest",
        s(&exports),
        "--case",
        s(&case),
        "--json",
        "--map",
        "text=text,sent_at=date,sender=user,conversation=chat",
        "--tz",
        "Europe/Berlin",
        "--event-sender",
        "system",
    ]));
    assert_eq!(ingest["sources"], 2);
    assert_eq!(
        (ingest["messages_added"].as_u64(), ingest["events_added"].as_u64()),
        (Some(11), Some(3))
    );
    assert_eq!(ingest["duplicates"], 13, "the second export repeats the first's 13 records");
    let stats = json(&trove(&["stats", "--case", s(&case), "--json"]));
    assert_eq!((stats["messages"].as_u64(), stats["events"].as_u64()), (Some(11), Some(3)));
    let search = json(&trove(&["search", "--case", s(&case), "--json", "printed timeline"]));
    assert_eq!(search["total"], 1, "a repeated record is not searchable twice");
    let fixed = json(&trove(&["search", "--case", s(&case), "--json", "printer"]));
    assert_eq!(fixed["total"], 1);
}

#[test]
fn reingesting_reports_duplicates_and_verify_sees_a_modified_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, _) = ingest_transcript(dir.path());
    let (_, again) = ingest_transcript(dir.path());
    assert_eq!(
        (again["messages_added"].as_u64(), again["events_added"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(again["duplicates"], 13);

    let clean = trove(&["verify", "--case", s(&case), "--json"]);
    assert_eq!(clean.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&clean.stdout).expect("json");
    assert_eq!(
        (report["sources_ok"].as_u64(), report["sources_changed"].as_u64()),
        (Some(1), Some(0))
    );

    let csv = dir.path().join("transcript.csv");
    let mut file = std::fs::OpenOptions::new().append(true).open(&csv).expect("open");
    file.write_all(b"\"appended later\",2016-10-06 10:00,Mallory\n").expect("append");
    let changed = trove(&["verify", "--case", s(&case), "--json"]);
    assert_eq!(changed.status.code(), Some(1), "verify exits non-zero on findings");
    let report: Value = serde_json::from_slice(&changed.stdout).expect("json");
    assert_eq!(report["sources_changed"], 1);
    assert_eq!(report["source_findings"][0]["status"], "changed");
}

/// A source replaced by a FIFO (which no writer opens) or by a link to
/// `/dev/zero` (which never ends): verify reports it without reading it.
#[cfg(unix)]
#[test]
fn verify_does_not_read_a_source_replaced_by_a_fifo_or_a_device() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, _) = ingest_transcript(dir.path());
    let csv = dir.path().join("transcript.csv");
    for replace in ["fifo", "zero"] {
        std::fs::remove_file(&csv).expect("remove source");
        match replace {
            "fifo" => {
                let made = std::process::Command::new("mkfifo").arg(&csv).status().expect("mkfifo");
                assert!(made.success());
            }
            _ => std::os::unix::fs::symlink("/dev/zero", &csv).expect("link"),
        }
        let started = std::time::Instant::now();
        let out = trove(&["verify", "--case", s(&case), "--json"]);
        assert!(started.elapsed().as_secs() < 20, "verify returned");
        assert_eq!(out.status.code(), Some(1), "{replace}");
        let report: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(report["source_findings"][0]["status"], "not_a_file", "{replace}: {report}");
    }
}

#[test]
fn a_broken_zip_is_one_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, _) = twitter_zip(dir.path(), "archive.zip", 3, 500);
    let bytes = std::fs::read(&zip).expect("read");
    let truncated = dir.path().join("truncated.zip");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let case = dir.path().join("case");
    let out = trove(&["ingest", s(&truncated), "--case", s(&case)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("truncated.zip"), "names the file: {stderr}");
    assert!(!case.exists(), "a failed first ingest leaves no case folder behind");
}

#[test]
fn a_record_over_the_limit_names_the_option_that_raises_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, archive) = twitter_zip(dir.path(), "archive.zip", 5, 300);
    let case = dir.path().join("case");

    // (A conversation's limit is never below a record's.)
    let out = trove(&[
        "ingest",
        s(&zip),
        "--case",
        s(&case),
        "--max-record-bytes",
        "2048",
        "--max-conversation-bytes",
        "4096",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("max_conversation_bytes"), "{stderr}");
    assert!(stderr.contains("help: ") && stderr.contains("--max-conversation-bytes"), "{stderr}");

    let out = trove(&["ingest", s(&zip), "--case", s(&case), "--max-record-bytes", "40"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("(max_record_bytes)") && stderr.contains("--max-record-bytes"),
        "{stderr}"
    );

    // Within both limits the same archive ingests whole.
    let done = json(&trove(&[
        "ingest",
        s(&zip),
        "--case",
        s(&case),
        "--json",
        "--max-record-bytes",
        "65536",
        "--max-conversation-bytes",
        "67108864",
    ]));
    assert_eq!(done["messages_added"].as_u64(), Some(archive.messages().count() as u64));
}

#[test]
fn an_escaping_zip_entry_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("evil.zip");
    trove_testkit::zipfile::write_zip(&zip, &[("../../x", b"window.YTD.x.part0 = []".as_slice())])
        .expect("zip");
    let out = trove(&["ingest", s(&zip), "--case", s(&dir.path().join("case"))]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("escapes the archive") && stderr.contains("evil.zip"), "{stderr}");
}

#[test]
fn usage_errors_exit_2_with_help() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = trove(&["search", "anything"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("help: pass --case DIR"));

    let out = trove(&["stats", "--case", s(&dir.path().join("nowhere"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a trove case"));

    let (case, _) = ingest_transcript(dir.path());
    let out = trove(&["search", "--case", s(&case), "before:someday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at character 1"));

    let out = trove(&["ingest", "x.csv", "--case", s(&case), "--tz", "Mars/Olympus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tz"));
}

#[test]
fn people_can_be_named_and_searched_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, archive) = twitter_zip(dir.path(), "archive.zip", 5, 300);
    let case = dir.path().join("case");
    json(&trove(&["ingest", s(&zip), "--case", s(&case), "--json"]));
    let sender = archive.messages().next().and_then(|m| m.sender_id.clone()).expect("sender");
    let count =
        archive.messages().filter(|m| m.sender_id.as_deref() == Some(sender.as_str())).count();
    json(&trove(&["people", "name", &sender, "Emmy B", "--case", s(&case), "--json"]));
    let search = json(&trove(&["search", "--case", s(&case), "--json", "from:\"Emmy B\""]));
    assert_eq!(search["total"].as_u64(), Some(count as u64));
    assert_eq!(search["hits"][0]["sender"], "Emmy B");
    assert_eq!(search["hits"][0]["sender_id"], sender.as_str());
    let people = json(&trove(&["people", "--case", s(&case), "--json"]));
    assert!(
        people["people"]
            .as_array()
            .expect("list")
            .iter()
            .any(|p| p["name"] == "Emmy B" && p["id"] == sender.as_str())
    );
}

/// Writes a JSONL transcript big enough that ingesting it takes a while.
fn big_jsonl(path: &Path, messages: usize) {
    let mut text = trove_testkit::TextGen::new(99);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for i in 0..messages {
        let line = serde_json::json!({
            "id": i.to_string(),
            "ts": format!("2020-01-01T00:00:{:02}.{:03}Z", (i / 1000) % 60, i % 1000),
            "from": format!("user{}", i % 37),
            "text": text.message(),
        });
        writeln!(out, "{line}").expect("write");
    }
    out.flush().expect("flush");
}

/// Starts an ingest of `jsonl` into `case` and kills it once `growing`
/// (the file its run writes to) passes 4 MB, not before.
fn kill_ingest_once_writing(jsonl: &Path, case: &Path, growing: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trove"))
        .args(["ingest", s(jsonl), "--case", s(case), "--format", "jsonl"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    loop {
        let size = std::fs::metadata(growing).map(|m| m.len()).unwrap_or(0);
        if size > 4 << 20 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        child.try_wait().expect("poll").is_none(),
        "the ingest finished before it could be killed"
    );
    child.kill().expect("kill");
    child.wait().expect("reap");
}

#[test]
fn a_killed_first_ingest_into_a_new_case_leaves_it_empty_and_a_rerun_completes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let jsonl = dir.path().join("big.jsonl");
    let messages = 200_000;
    big_jsonl(&jsonl, messages);
    let case = dir.path().join("case");
    // The first run into a new case writes its pages straight into the
    // database, behind a rollback journal.
    kill_ingest_once_writing(&jsonl, &case, &case.join("case.db"));
    assert!(case.join("case.db-journal").exists(), "killed mid-run, the journal is left hot");

    let stats = json(&trove(&["stats", "--case", s(&case), "--json"]));
    assert_eq!(stats["messages"], 0, "the killed run left nothing");
    assert!(!case.join("case.db-journal").exists(), "opening the case rolled the run back");
    let rerun =
        json(&trove(&["ingest", s(&jsonl), "--case", s(&case), "--json", "--format", "jsonl"]));
    assert_eq!(rerun["messages_added"].as_u64(), Some(messages as u64));
    let all = json(&trove(&["search", "--case", s(&case), "--json", "--", "-nothingmatchesthis"]));
    assert_eq!(all["total"].as_u64(), Some(messages as u64));
}

#[test]
fn a_killed_ingest_leaves_an_openable_case_and_a_rerun_completes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let jsonl = dir.path().join("big.jsonl");
    let messages = 200_000;
    big_jsonl(&jsonl, messages);
    let case = dir.path().join("case");
    // A first, complete run of something small, so the case has a state to keep.
    let (small_case, _) = ingest_transcript(dir.path());
    std::fs::rename(&small_case, &case).expect("move the case");

    // Into a case holding something, a run writes through the WAL.
    kill_ingest_once_writing(&jsonl, &case, &case.join("case.db-wal"));

    let stats = json(&trove(&["stats", "--case", s(&case), "--json"]));
    assert_eq!(stats["messages"], 10, "the killed run left nothing, the earlier run everything");
    let rerun =
        json(&trove(&["ingest", s(&jsonl), "--case", s(&case), "--json", "--format", "jsonl"]));
    assert_eq!(rerun["messages_added"].as_u64(), Some(messages as u64));
    let stats = json(&trove(&["stats", "--case", s(&case), "--json"]));
    assert_eq!(stats["messages"].as_u64(), Some(messages as u64 + 10));
    let all = json(&trove(&["search", "--case", s(&case), "--json", "--", "-nothingmatchesthis"]));
    assert_eq!(all["total"].as_u64(), Some(messages as u64 + 10));
}

#[test]
fn inputs_no_reader_knows_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = dir.path().join("case");
    let png = dir.path().join("photo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01").expect("write");
    let out = trove(&["ingest", s(&png), "--case", s(&case)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("photo.png") && stderr.contains("no reader recognises"), "{stderr}");
    assert!(
        stderr.contains("known formats: twitter,") && stderr.contains("csv, jsonl"),
        "lists the known formats: {stderr}"
    );

    // Binary garbage forced through a reader is that reader's clear error.
    let garbage = dir.path().join("garbage.csv");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 0, 1, 2, 3].repeat(100)).expect("write");
    let out = trove(&["ingest", s(&garbage), "--case", s(&case), "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("garbage.csv") && stderr.contains("binary"), "{stderr}");
    assert!(
        !case.join("case.db").exists() || {
            let stats = json(&trove(&["stats", "--case", s(&case), "--json"]));
            stats["messages"] == 0
        }
    );
}

#[test]
fn verify_flags_ids_that_run_backwards_and_ids_used_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("ids.csv");
    std::fs::write(
        &csv,
        "id,date,from,text,chat\n\
         100,2020-01-01 10:00,ana,first,general\n\
         101,2020-01-01 10:01,ben,second,general\n\
         99,2020-01-01 10:02,ana,third but a smaller id,general\n\
         101,2020-01-01 10:03,ben,same id in another chat,random\n",
    )
    .expect("write");
    let case = dir.path().join("case");
    json(&trove(&["ingest", s(&csv), "--case", s(&case), "--json"]));
    let out = trove(&["verify", "--case", s(&case), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    let checks: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f["check"].as_str().unwrap_or(""), f["native_id"].as_str().unwrap_or("")))
        .collect();
    assert!(checks.contains(&("id_order", "99")), "{checks:?}");
    assert_eq!(checks.iter().filter(|c| **c == ("duplicate_id", "101")).count(), 2, "{checks:?}");
    assert_eq!(findings.len(), 3, "{checks:?}");
}

#[test]
fn names_from_a_csv_file_on_ingest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, archive) = twitter_zip(dir.path(), "archive.zip", 6, 200);
    let sender = archive.messages().next().and_then(|m| m.sender_id.clone()).expect("sender");
    let names = dir.path().join("names.csv");
    std::fs::write(&names, format!("id,name\n{sender},Julian A\nnot-an-id,Nobody\n"))
        .expect("write");
    let case = dir.path().join("case");
    let out = trove(&["ingest", s(&zip), "--case", s(&case), "--names", s(&names)]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3") && stderr.contains("not-an-id"),
        "reports the bad line: {stderr}"
    );
    let search = json(&trove(&["search", "--case", s(&case), "--json", "from:\"julian a\""]));
    assert!(search["total"].as_u64().unwrap_or(0) > 0);
    assert_eq!(search["hits"][0]["sender"], "Julian A");
}

#[test]
fn a_person_merged_across_platforms_answers_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, _) = ingest_transcript(dir.path());
    let (zip, archive) = twitter_zip(dir.path(), "archive.zip", 12, 300);
    json(&trove(&["ingest", s(&zip), "--case", s(&case), "--json"]));
    let sender = archive.messages().next().and_then(|m| m.sender_id.clone()).expect("sender");
    let tweets =
        archive.messages().filter(|m| m.sender_id.as_deref() == Some(sender.as_str())).count()
            as u64;

    let merged = json(&trove(&[
        "people",
        "merge",
        &sender,
        "Emma",
        "--reason",
        "same signature in both",
        "--name",
        "Julian",
        "--case",
        s(&case),
        "--json",
    ]));
    assert_eq!(merged["person"], "Julian");
    let search =
        json(&trove(&["search", "--case", s(&case), "--json", "--limit", "1000", "from:Julian"]));
    assert_eq!(
        search["total"].as_u64(),
        Some(tweets + 5),
        "Emma's 5 messages and the account's {tweets}"
    );
    let platforms: std::collections::HashSet<&str> = search["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["platform"].as_str())
        .collect();
    assert_eq!(platforms.len(), 2, "{platforms:?}");

    let people = json(&trove(&["people", "--case", s(&case), "--json"]));
    let person = &people["persons"][0];
    assert_eq!(person["name"], "Julian");
    assert_eq!(person["messages"].as_u64(), Some(tweets + 5));
    assert_eq!(person["reasons"][0], "same signature in both");

    let ambiguous =
        trove(&["people", "merge", "nobody-here", "Emma", "--reason", "x", "--case", s(&case)]);
    assert_eq!(ambiguous.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&ambiguous.stderr).contains("no account matches `nobody-here`")
    );

    // The human list names each account by its row; a row names exactly
    // one account, and splitting it out leaves no one-account person.
    let listed = trove(&["people", "--case", s(&case)]);
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    let emma_row = people["people"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["name"] == "Emma")
        .and_then(|a| a["row"].as_i64())
        .expect("Emma's row");
    let emma = format!("#{emma_row}");
    assert!(listed.lines().any(|l| l.trim_start().starts_with(&emma) && l.contains("Emma")));
    let split = json(&trove(&[
        "people",
        "split",
        &emma,
        "--reason",
        "a different Emma",
        "--case",
        s(&case),
        "--json",
    ]));
    assert_eq!(split["person"], "Julian");
    let people = json(&trove(&["people", "--case", s(&case), "--json"]));
    assert_eq!(people["persons"].as_array().map(Vec::len), Some(0));
    let again = trove(&["people", "split", &emma, "--reason", "x", "--case", s(&case)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not linked to a person"));
}

#[test]
fn a_folder_of_mixed_exports_is_walked_and_strangers_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let leak = dir.path().join("leak");
    std::fs::create_dir_all(leak.join("notes")).expect("mkdir");
    let archive = trove_testkit::twitter::Builder::new(13).group_messages(200).build();
    archive.write_dir(&leak.join("twitter-export")).expect("archive");
    std::fs::write(leak.join("notes").join("transcript.csv"), TRANSCRIPT).expect("csv");
    std::fs::write(leak.join("notes").join("scan.png"), b"\x89PNG\r\n\x1a\n").expect("png");
    let case = dir.path().join("case");
    let out = json(&trove(&["ingest", s(&leak), "--case", s(&case), "--json"]));
    let formats: Vec<&str> = out["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["format"].as_str())
        .collect();
    assert_eq!(formats, vec!["csv", "twitter"], "sorted walk: notes/ before twitter-export/");
    let skipped = out["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0]["file"].as_str().is_some_and(|f| f.ends_with("scan.png")));
    assert_eq!(skipped[0]["reason"], "no reader recognises this file");
    // Without --event-sender the transcript's 3 system rows are messages too.
    assert_eq!(out["messages_added"].as_u64(), Some(archive.messages().count() as u64 + 13));
}

#[test]
fn a_translated_copy_attaches_to_the_original_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = dir.path().join("chat-ru.csv");
    std::fs::write(
        &original,
        "ts,from,body\n\
         2021-01-29 10:12:03,alpha@example.onion,привет ты тут\n\
         2021-01-29 10:12:40,beta@example.onion,да пароль сменили\n\
         2021-01-29 10:13:00,alpha@example.onion,хорошо\n",
    )
    .expect("write");
    let translated = dir.path().join("chat-en.csv");
    std::fs::write(
        &translated,
        "ts,from,body\n\
         2021-01-29 10:12:03,alpha@example.onion,hi are you there\n\
         2021-01-29 10:12:40,beta@example.onion,yes the password was changed\n\
         2021-01-29 10:14:59,gamma@example.onion,a line with no original\n",
    )
    .expect("write");
    let case = dir.path().join("case");
    // The copies sit in differently named files: pairing goes by sender and
    // timestamp text within the original source, not by conversation.
    let map = "text=body,sent_at=ts,sender=from";
    json(&trove(&[
        "ingest",
        s(&original),
        "--case",
        s(&case),
        "--json",
        "--map",
        map,
        "--format",
        "csv",
    ]));
    let out = json(&trove(&[
        "ingest",
        s(&translated),
        "--case",
        s(&case),
        "--json",
        "--map",
        map,
        "--format",
        "csv",
        "--translation-of",
        s(&original),
        "--lang",
        "en",
    ]));
    assert_eq!(out["messages_added"], 0, "a translation adds no messages");
    assert_eq!(out["translations_added"], 2);
    let skipped = out["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]["reason"].as_str().is_some_and(|r| r.contains("no original message")),
        "{skipped:?}"
    );

    // Either language finds the message; the hit shows both.
    let english = json(&trove(&["search", "--case", s(&case), "--json", "password"]));
    let russian = json(&trove(&["search", "--case", s(&case), "--json", "пароль"]));
    assert_eq!((english["total"].as_u64(), russian["total"].as_u64()), (Some(1), Some(1)));
    assert_eq!(english["hits"][0]["id"], russian["hits"][0]["id"]);
    assert_eq!(english["hits"][0]["text"], "да пароль сменили");
    assert_eq!(english["hits"][0]["translations"][0]["lang"], "en");
    assert_eq!(english["hits"][0]["translations"][0]["text"], "yes the password was changed");
    assert!(
        english["hits"][0]["snippet"].as_str().is_some_and(|s| s.contains("<mark>password</mark>"))
    );

    // Again: nothing new, and a rebuilt index still finds the translation.
    let again = json(&trove(&[
        "ingest",
        s(&translated),
        "--case",
        s(&case),
        "--json",
        "--map",
        map,
        "--format",
        "csv",
        "--translation-of",
        s(&original),
        "--lang",
        "en",
    ]));
    assert_eq!(
        (again["translations_added"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
    json(&trove(&["reindex", "--case", s(&case), "--json"]));
    let english = json(&trove(&["search", "--case", s(&case), "--json", "password"]));
    assert_eq!(english["total"].as_u64(), Some(1));
}

/// A translated folder pairs file by file on relative paths, and record by
/// record on sender, order and time, though the translation rewrote how
/// dates are written; the run says how well it paired and what is left.
#[test]
fn a_translated_folder_pairs_by_relative_path_sender_and_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ru, en) = (dir.path().join("ru"), dir.path().join("en"));
    for root in [&ru, &en] {
        std::fs::create_dir_all(root.join("ops")).expect("mkdir");
    }
    let write = |path: std::path::PathBuf, text: &str| std::fs::write(path, text).expect("write");
    write(
        ru.join("ops/chat1.txt"),
        "[23.11.21 09:08:16] boss: привет\n[23.11.21 09:08:40] bio: да пароль сменили\n\
         [23.11.21 09:09:02] boss: хорошо\n",
    );
    write(
        ru.join("chat2.txt"),
        "[24.11.21 10:00:00] bio: кошелёк готов\n[24.11.21 10:01:00] boss: отправь\n\
         [24.11.21 10:02:00] bio: отправил\n",
    );
    // The translation writes dates month first; in chat2 it turned one year
    // into another and lost the last message; extra.txt has no original.
    write(
        en.join("ops/chat1.txt"),
        "[11/23/21 09:08:16] boss: hello\n[11/23/21 09:08:40] bio: yes the password was changed\n\
         [11/23/21 09:09:02] boss: good\n",
    );
    write(
        en.join("chat2.txt"),
        "[11/24/21 10:00:00] bio: the wallet is ready\n[11/24/22 10:01:00] boss: send it\n",
    );
    write(en.join("extra.txt"), "[11/25/21 10:00:00] bio: a file with no original\n");
    let case = dir.path().join("case");
    let template = "[{ts}] {sender}: {text}";
    let ingest = |path: &Path, ts_format: &str, extra: &[&str]| {
        let mut args = vec![
            "ingest",
            s(path),
            "--case",
            s(&case),
            "--json",
            "--format",
            "template",
            "--template",
            template,
            "--ts-format",
            ts_format,
        ];
        args.extend_from_slice(extra);
        json(&trove(&args))
    };
    let original = ingest(&ru, "%d.%m.%y %H:%M:%S", &[]);
    assert_eq!(original["messages_added"], 6);
    let out = ingest(&en, "%m/%d/%y %H:%M:%S", &["--translation-of", s(&ru), "--lang", "en"]);
    assert_eq!(out["messages_added"], 0);
    assert_eq!(out["translations_added"], 5);
    let pairing = &out["translation_pairing"];
    assert_eq!(pairing["records"], 6);
    assert_eq!(pairing["paired_by_time"], 4);
    assert_eq!(pairing["paired_by_order"], 1);
    assert_eq!(pairing["unpaired"], 1);
    assert_eq!(pairing["rate_percent"], 83.3);
    assert_eq!(pairing["originals_untranslated"], 1);
    assert_eq!(pairing["files_without_original"], serde_json::json!(["extra.txt"]));
    let skipped = out["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0]["reason"].as_str().is_some_and(|r| r.contains("no original file `extra.txt`"))
    );

    // The rewritten-year message found its original by sender and order.
    let send = json(&trove(&["search", "--case", s(&case), "--json", "send"]));
    assert_eq!(send["total"], 1);
    assert_eq!(send["hits"][0]["text"], "отправь");
    // Each file paired with its own original, not with a same-named
    // sender's message in another file.
    let password = json(&trove(&["search", "--case", s(&case), "--json", "password"]));
    assert_eq!(password["hits"][0]["text"], "да пароль сменили");

    // In words, for a person.
    let human = trove(&[
        "ingest",
        s(&en),
        "--case",
        s(&case),
        "--format",
        "template",
        "--template",
        template,
        "--ts-format",
        "%m/%d/%y %H:%M:%S",
        "--translation-of",
        s(&ru),
        "--lang",
        "en",
    ]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("translation pairing: 5 of 6 translated records paired (83.3%)"),
        "{text}"
    );
    assert!(text.contains("no original file for extra.txt"), "{text}");
}

#[test]
fn the_analysis_zone_is_shown_set_and_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (case, _) = ingest_transcript(dir.path());
    let shown = trove(&["zone", "--case", s(&case)]);
    assert_eq!(String::from_utf8_lossy(&shown.stdout).trim(), "UTC");
    let set = json(&trove(&["zone", "Europe/Berlin", "--case", s(&case), "--json"]));
    assert_eq!(set["zone"], "Europe/Berlin");
    // Dates in queries now mean Berlin days.
    let shown = trove(&["zone", "--case", s(&case)]);
    assert_eq!(String::from_utf8_lossy(&shown.stdout).trim(), "Europe/Berlin");
    let bad = trove(&["zone", "Mars/Olympus", "--case", s(&case)]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("Mars/Olympus"), "{stderr}");
    let still = trove(&["zone", "--case", s(&case)]);
    assert_eq!(String::from_utf8_lossy(&still.stdout).trim(), "Europe/Berlin");
}
