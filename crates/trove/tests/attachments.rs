//! Attached files: found in the export, hashed, searchable by name, copied
//! into the case only with `--copy-media`, never looked for outside the
//! export.

mod common;

use common::{json, s, trove};

use std::path::{Path, PathBuf};

use serde_json::Value;
use trove_testkit::zipfile::write_zip;

const PHOTO: &[u8] = b"\xff\xd8\xff\xe0 not really a jpeg";
/// `sha256sum` of [`PHOTO`].
const PHOTO_SHA256: &str = "5368e7b92b51f4d19d0319af90a37a3795fb9f0ac3c0a64edd06eb7792bd4f78";
const NOTES: &[u8] = b"minutes of the meeting";

/// A WhatsApp "Export chat" zip with two files, one sent twice, one named
/// but not exported, and one whose name tries to climb out of the export.
fn whatsapp_zip(dir: &Path) -> PathBuf {
    let chat = "\
01/02/2020, 10:00 - Alice: IMG-20200102-WA0001.jpg (file attached)
look at this
01/02/2020, 10:01 - Bob: IMG-20200102-WA0001.jpg (file attached)
again
01/02/2020, 10:02 - Alice: Board-minutes.pdf (file attached)
01/02/2020, 10:03 - Bob: VID-20200102-WA0002.mp4 (file attached)
01/02/2020, 10:04 - Bob: ../../../../etc/hostname (file attached)
";
    let path = dir.join("WhatsApp Chat with Board.zip");
    write_zip(
        &path,
        &[
            ("_chat.txt", chat.as_bytes()),
            ("IMG-20200102-WA0001.jpg", PHOTO),
            ("Board-minutes.pdf", NOTES),
        ],
    )
    .expect("write zip");
    path
}

fn search(case: &Path, query: &str) -> Value {
    json(&trove(&["search", "--case", s(case), "--json", "--limit", "50", "--", query]))
}

fn attachments_of(case: &Path, id: &str) -> Vec<Value> {
    let shown = json(&trove(&["show", id, "--case", s(case), "--json"]));
    shown["message"]["attachments"].as_array().cloned().unwrap_or_else(|| {
        shown["attachments"].as_array().cloned().expect("attachments in show output")
    })
}

#[test]
fn files_in_the_export_are_hashed_and_found_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = whatsapp_zip(dir.path());
    let case = dir.path().join("case");
    let out = json(&trove(&["ingest", s(&zip), "--case", s(&case), "--json", "--tz", "UTC"]));
    assert_eq!(out["messages_added"], 5);
    assert_eq!(out["media_files"], 2, "{out}");
    assert_eq!(out["media_copied"], 0);
    assert!(!case.join("media").exists(), "nothing is copied without --copy-media");

    // The file name finds both messages that sent it.
    let hits = search(&case, "IMG-20200102-WA0001.jpg");
    assert_eq!(hits["total"], 2, "{hits}");
    let hits = search(&case, "minutes");
    assert_eq!(hits["total"], 1, "{hits}");
    let hits = search(&case, "has:attachment");
    assert_eq!(hits["total"], 5, "{hits}");

    // Each message records the file's hash and size, or none when the
    // export does not hold the file.
    let all = search(&case, "has:attachment");
    let mut seen = Vec::new();
    for hit in all["hits"].as_array().expect("hits") {
        let id = hit["id"].as_str().expect("id");
        for a in attachments_of(&case, id) {
            seen.push((
                a["name"].as_str().unwrap_or_default().to_string(),
                a["sha256"].as_str().map(str::to_string),
                a["size"].as_u64(),
            ));
        }
    }
    seen.sort();
    let photo = Some(PHOTO_SHA256.to_string());
    let photo_size = Some(PHOTO.len() as u64);
    assert_eq!(
        seen,
        vec![
            ("../../../../etc/hostname".to_string(), None, None),
            ("Board-minutes.pdf".to_string(), Some(sha256_hex(NOTES)), Some(NOTES.len() as u64)),
            ("IMG-20200102-WA0001.jpg".to_string(), photo.clone(), photo_size),
            ("IMG-20200102-WA0001.jpg".to_string(), photo, photo_size),
            ("VID-20200102-WA0002.mp4".to_string(), None, None),
        ]
    );
}

#[test]
fn copy_media_stores_each_file_once_by_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = whatsapp_zip(dir.path());
    let case = dir.path().join("case");
    let out = json(&trove(&["ingest", s(&zip), "--case", s(&case), "--json", "--copy-media"]));
    assert_eq!(out["media_files"], 2);
    assert_eq!(out["media_copied"], 2);
    let stored = case.join("media").join(&PHOTO_SHA256[..2]).join(PHOTO_SHA256);
    assert_eq!(std::fs::read(&stored).expect("copied photo"), PHOTO);
    let notes = sha256_hex(NOTES);
    let stored = case.join("media").join(&notes[..2]).join(&notes);
    assert_eq!(std::fs::read(&stored).expect("copied notes"), NOTES);
    let leftovers: Vec<_> = std::fs::read_dir(case.join("media"))
        .expect("media folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "no partial copies remain");

    // The same export again: nothing new, nothing copied twice.
    let again = json(&trove(&["ingest", s(&zip), "--case", s(&case), "--json", "--copy-media"]));
    assert_eq!(again["messages_added"], 0);
    assert_eq!(again["duplicates"], 5);
    assert_eq!(again["media_copied"], 0);
}

#[test]
fn files_beside_a_single_telegram_result_json_are_hashed() {
    let result = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../readers/tests/inputs/telegram/full/DataExport_2023-11-15/result.json");
    let photo = result.with_file_name("chats/chat_001/photos/photo_1@14-11-2023_23-13-50.jpg");
    let bytes = std::fs::read(&photo).expect("fixture photo");
    let dir = tempfile::tempdir().expect("tempdir");
    let case = dir.path().join("case");
    let out = json(&trove(&["ingest", s(&result), "--case", s(&case), "--json"]));
    assert_eq!(out["media_files"], 1, "{out}");
    let hits = search(&case, "has:attachment");
    let with_hash: Vec<Value> = hits["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .flat_map(|hit| attachments_of(&case, hit["id"].as_str().expect("id")))
        .filter(|a| a["sha256"].is_string())
        .collect();
    assert_eq!(with_hash.len(), 1, "{with_hash:?}");
    assert_eq!(with_hash[0]["sha256"], sha256_hex(&bytes));
    assert_eq!(with_hash[0]["entry"], "chats/chat_001/photos/photo_1@14-11-2023_23-13-50.jpg");
    assert_eq!(with_hash[0]["size"], bytes.len() as u64);
}

fn sha256_hex(bytes: &[u8]) -> String {
    let mut reader = bytes;
    trove_readers::media::sha256_hex(&mut reader).expect("hash").0
}

/// A Telegram export whose `photos` folder is a link out of the export:
/// `photos/passwd` must not become a file of the case, read through the
/// single file or through the folder, with or without `--copy-media`, and
/// the folder's link is listed as a skip naming its target.
#[cfg(unix)]
#[test]
fn a_folder_link_out_of_the_export_is_never_followed() {
    const SECRET: &[u8] = b"root:x:0:0:secret outside the export";
    let dir = tempfile::tempdir().expect("tempdir");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("passwd"), SECRET).expect("write secret");
    let export = dir.path().join("export");
    std::fs::create_dir_all(export.join("files")).expect("mkdir");
    std::fs::write(export.join("files/ok.jpg"), PHOTO).expect("write photo");
    std::os::unix::fs::symlink(&outside, export.join("photos")).expect("symlink");
    let result = serde_json::json!({
        "name": "Chat", "type": "personal_chat", "id": 42,
        "messages": [
            {"id": 1, "type": "message", "date": "2023-11-14T23:13:20", "date_unixtime": "1700000000",
             "from": "Alice", "from_id": "user1", "photo": "photos/passwd", "text": "look"},
            {"id": 2, "type": "message", "date": "2023-11-14T23:14:20", "date_unixtime": "1700000060",
             "from": "Bob", "from_id": "user2", "photo": "files/ok.jpg", "text": "and this"}
        ]
    });
    std::fs::write(export.join("result.json"), result.to_string()).expect("write export");

    for (input, case) in [(export.join("result.json"), "by-file"), (export.clone(), "by-folder")] {
        let case = dir.path().join(case);
        let out =
            json(&trove(&["ingest", s(&input), "--case", s(&case), "--json", "--copy-media"]));
        assert_eq!(out["messages_added"], 2, "{out}");
        assert_eq!(out["media_files"], 1, "only the real photo is found: {out}");
        assert_eq!(out["media_copied"], 1, "{out}");
        let copied: Vec<Vec<u8>> = walk_files(&case.join("media"))
            .into_iter()
            .map(|p| std::fs::read(p).expect("read copied"))
            .collect();
        assert_eq!(copied, vec![PHOTO.to_vec()], "nothing from outside the export is copied");
        let skipped = out["skipped"].as_array().expect("skipped");
        let links: Vec<&Value> = skipped
            .iter()
            .filter(|skip| skip["reason"].as_str().is_some_and(|r| r.contains("symbolic link")))
            .collect();
        if case.ends_with("by-folder") {
            assert_eq!(links.len(), 1, "{out}");
            let reason = links[0]["reason"].as_str().unwrap_or_default();
            assert!(reason.contains(&outside.display().to_string()), "{reason}");
            assert!(links[0]["file"].as_str().is_some_and(|f| f.ends_with("photos")), "{out}");
        }
    }
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}
