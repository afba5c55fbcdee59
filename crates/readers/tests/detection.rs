//! Detection picks the right reader for every bundled sample, and refuses
//! to guess between readers that fit equally.

use std::path::{Path, PathBuf};

use trove_readers::{Input, ReadError, detect};

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
