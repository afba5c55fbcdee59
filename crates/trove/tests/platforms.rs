//! One case holding several platforms: every export ingests with its own
//! reader, and a person merged across them answers `from:`.

mod common;

use common::{json, s, trove, twitter_zip};

use std::path::{Path, PathBuf};

/// A fixture of the readers' test suite.
fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../readers/tests/inputs").join(relative)
}

#[test]
fn twitter_telegram_whatsapp_and_slack_in_one_case_with_a_merged_person() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (zip, _) = twitter_zip(dir.path(), "twitter.zip", 21, 400);
    let case = dir.path().join("case");
    let inputs = [
        (zip.clone(), "twitter"),
        (fixture("telegram/full/DataExport_2023-11-15/result.json"), "telegram"),
        (
            fixture(
                "whatsapp/pustur-whatsapp-chat-parser-website/whatsapp-chat-parser-example.zip",
            ),
            "whatsapp",
        ),
        (fixture("slack/hfaran-slack-export-viewer/testarchive.zip"), "slack"),
    ];
    for (path, format) in &inputs {
        let out = json(&trove(&[
            "ingest",
            s(path),
            "--case",
            s(&case),
            "--json",
            "--tz",
            "Europe/Berlin",
        ]));
        assert_eq!(out["inputs"][0]["format"], *format, "{} detected as {format}", path.display());
        assert!(out["messages_added"].as_u64().unwrap_or(0) > 0, "{format} added messages: {out}");
    }

    // The most active account of each platform becomes one person.
    let people = json(&trove(&["people", "--case", s(&case), "--json"]));
    let accounts = people["people"].as_array().expect("accounts");
    let mut chosen = Vec::new();
    for (_, platform) in &inputs {
        let account = accounts
            .iter()
            .filter(|a| a["platform"] == *platform && a["messages"].as_u64().unwrap_or(0) > 0)
            .max_by_key(|a| a["messages"].as_u64().unwrap_or(0))
            .unwrap_or_else(|| panic!("an active {platform} account"));
        chosen.push((
            account["id"].as_str().expect("id").to_string(),
            account["messages"].as_u64().expect("count"),
        ));
    }
    let first = chosen[0].0.clone();
    for (other, _) in &chosen[1..] {
        json(&trove(&[
            "people",
            "merge",
            &first,
            other,
            "--reason",
            "one source said so",
            "--name",
            "Julian",
            "--case",
            s(&case),
            "--json",
        ]));
    }
    let expected: u64 = chosen.iter().map(|(_, n)| n).sum();
    let search =
        json(&trove(&["search", "--case", s(&case), "--json", "--limit", "5000", "from:Julian"]));
    assert_eq!(search["total"].as_u64(), Some(expected));
    let platforms: std::collections::BTreeSet<&str> = search["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["platform"].as_str())
        .collect();
    assert_eq!(
        platforms.into_iter().collect::<Vec<_>>(),
        vec!["slack", "telegram", "twitter", "whatsapp"]
    );

    let persons = json(&trove(&["people", "--case", s(&case), "--json"]));
    assert_eq!(persons["persons"][0]["accounts"].as_array().map(Vec::len), Some(4));

    // Re-ingesting everything adds nothing.
    for (path, _) in &inputs {
        let again = json(&trove(&[
            "ingest",
            s(path),
            "--case",
            s(&case),
            "--json",
            "--tz",
            "Europe/Berlin",
        ]));
        assert_eq!(
            (again["messages_added"].as_u64(), again["events_added"].as_u64()),
            (Some(0), Some(0)),
            "{}",
            path.display()
        );
    }
}
