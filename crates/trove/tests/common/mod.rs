//! Running the `trove` binary from tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn trove(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trove"))
        .args(args)
        .env_remove("TROVE_CASE")
        .env("NO_COLOR", "1")
        .output()
        .expect("run trove")
}

pub fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "trove failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

pub fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// A generated Twitter archive of `group_messages` group messages (and the
/// builder's default one-to-one ones), written as `dir/name`.
pub fn twitter_zip(
    dir: &Path,
    name: &str,
    seed: u64,
    group_messages: usize,
) -> (PathBuf, trove_testkit::twitter::Archive) {
    let archive = trove_testkit::twitter::Builder::new(seed).group_messages(group_messages).build();
    let zip = dir.join(name);
    archive.write_zip(&zip).expect("write the zip");
    (zip, archive)
}

/// The demo transcript.
pub const TRANSCRIPT: &str = include_str!("../../demo/transcript.csv");

/// The demo transcript ingested into `dir/case` (zone Europe/Berlin,
/// `system` rows as events): the case and the ingest summary.
pub fn ingest_transcript(dir: &Path) -> (PathBuf, Value) {
    let csv = dir.join("transcript.csv");
    std::fs::write(&csv, TRANSCRIPT).expect("write");
    let case = dir.join("case");
    let out = trove(&[
        "ingest",
        s(&csv),
        "--case",
        s(&case),
        "--json",
        "--map",
        "text=text,sent_at=date,sender=user",
        "--tz",
        "Europe/Berlin",
        "--event-sender",
        "system",
    ]);
    (case, json(&out))
}
