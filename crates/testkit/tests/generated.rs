//! The generated data is what it claims to be: valid JSON in Twitter's
//! layout, consistent with its ground truth.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde_json::Value;
use trove_testkit::TextGen;
use trove_testkit::twitter::{Builder, ExpectedKind, SNOWFLAKE_EPOCH_MS};

/// Parses a `window.X = <json>` file.
fn parse_js(bytes: &[u8]) -> Value {
    let text = std::str::from_utf8(bytes).unwrap();
    let (_, json) = text.split_once('=').unwrap();
    serde_json::from_str(json.trim().trim_end_matches(';')).unwrap()
}

fn events_of(value: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for element in value.as_array().unwrap() {
        let conversation = &element["dmConversation"];
        let id = conversation["conversationId"].as_str().unwrap().to_string();
        for event in conversation["messages"].as_array().unwrap() {
            out.push((id.clone(), event.clone()));
        }
    }
    out
}

#[test]
fn archive_matches_truth() {
    let archive = Builder::new(42)
        .groups(2)
        .group_messages(3000)
        .direct_messages(300)
        .chunk_size(500)
        .chunk_overlap(40)
        .group_parts(2)
        .top_folder("twitter-2023-09-06")
        .tamper_created_at(true)
        .build();
    assert_eq!(archive.messages().count(), 3300);
    assert!(archive.dm_files.len() == 3, "{:?}", archive.dm_files);

    let mut seen_ids: HashMap<String, Value> = HashMap::new();
    let mut copies = 0;
    for file in &archive.dm_files {
        for (_, event) in events_of(&parse_js(archive.file(file).unwrap())) {
            if let Some(m) = event.get("messageCreate") {
                copies += 1;
                let id = m["id"].as_str().unwrap().to_string();
                if let Some(first) = seen_ids.get(&id) {
                    assert_eq!(first, &event, "repeated message {id} differs");
                }
                seen_ids.insert(id, event.clone());
            }
        }
    }
    assert_eq!(seen_ids.len(), 3300);
    assert!(copies > 3300 + 100, "overlapping chunks repeat messages ({copies})");

    // Every message: snowflake consistent with createdAt, except the tampered one.
    let mut tampered = 0;
    for m in archive.messages() {
        let id: u64 = m.id.as_ref().unwrap().parse().unwrap();
        let delta = m.created_at_ms - ((id >> 22) as i64 + SNOWFLAKE_EPOCH_MS);
        if m.id == archive.tampered {
            assert!(delta > 3 * 3_600_000 - 1);
            tampered += 1;
        } else {
            assert!((0..2000).contains(&delta), "{delta}");
        }
        assert!(!m.file.is_empty());
        let raw = &seen_ids[m.id.as_ref().unwrap()]["messageCreate"];
        assert_eq!(raw["createdAt"], m.created_at.as_str());
        assert_eq!(raw["senderId"], m.sender_id.as_deref().unwrap());
    }
    assert_eq!(tampered, 1);

    let double = &archive.double_escaped[0];
    let raw = &seen_ids[double]["messageCreate"]["text"];
    assert!(raw.as_str().unwrap().contains("&amp;lt;"));

    let kinds: HashSet<_> = archive.events().map(|e| e.kind.clone()).collect();
    for kind in [ExpectedKind::Join, ExpectedKind::Leave, ExpectedKind::Rename] {
        assert!(kinds.contains(&kind), "{kind:?}");
    }
    assert!(kinds.contains(&ExpectedKind::Other("conversationAvatarUpdate".into())));
    assert!(archive.messages().any(|m| m.reactions > 0));
    assert!(archive.messages().any(|m| m.media.iter().any(|x| x.local_size.is_some())));
    assert!(archive.messages().any(|m| m.media.iter().any(|x| x.local_size.is_none())));

    let manifest = parse_js(archive.file("twitter-2023-09-06/data/manifest.js").unwrap());
    let group_files = manifest["dataTypes"]["directMessagesGroup"]["files"].as_array().unwrap();
    assert_eq!(group_files[1]["fileName"], "data/direct-messages-group-part1.js");
    let account = parse_js(archive.file("twitter-2023-09-06/data/account.js").unwrap());
    assert_eq!(account[0]["account"]["accountId"], archive.owner.id.as_str());
}

#[test]
fn layouts() {
    let same_line = Builder::new(1)
        .group_messages(20)
        .first_element_on_assignment_line(true)
        .trailing_semicolon(true)
        .build();
    let group = same_line.file("data/direct-messages-group.js").unwrap();
    assert!(group.starts_with(b"window.YTD.direct_messages_group.part0 = [ {\n"));
    assert!(group.ends_with(b"];"));
    parse_js(group);

    let compact = Builder::new(1).group_messages(20).pretty(false).build();
    let group = compact.file("data/direct-messages-group.js").unwrap();
    assert!(!group.contains(&b'\n'));
    parse_js(group);

    let empty = Builder::new(1).groups(0).group_messages(0).build();
    assert_eq!(
        empty.file("data/direct-messages-group.js").unwrap(),
        b"window.YTD.direct_messages_group.part0 = [ ]"
    );
}

#[test]
fn deterministic_and_writable() {
    let a = Builder::new(5).group_messages(200).build();
    let b = Builder::new(5).group_messages(200).build();
    assert_eq!(a.files, b.files);
    let dir = tempfile::tempdir().unwrap();
    a.write_zip(&dir.path().join("a.zip")).unwrap();
    a.write_dir(&dir.path().join("a")).unwrap();
    let on_disk = std::fs::read(dir.path().join("a/data/direct-messages-group.js")).unwrap();
    assert_eq!(on_disk, a.file("data/direct-messages-group.js").unwrap());
    assert!(std::fs::metadata(dir.path().join("a.zip")).unwrap().len() > 1000);
}

#[test]
fn text_generation_is_fast() {
    let mut generator = TextGen::new(1);
    let mut buf = String::new();
    let started = Instant::now();
    let n = 200_000;
    for _ in 0..n {
        buf.clear();
        generator.write_message(&mut buf);
    }
    let rate = n as f64 / started.elapsed().as_secs_f64() * 60.0;
    // Millions per minute in release; debug builds are several times slower.
    assert!(rate > 1_000_000.0, "{rate:.0} messages/minute");
}
