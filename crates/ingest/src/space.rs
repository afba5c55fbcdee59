//! The disk a run will need, estimated before it starts, and the disk the
//! case's folder has.
//!
//! A run that fills the disk is rolled back whole (see [`crate::ingest`]),
//! but only after the work: an hour's ingest of a large leak should fail in
//! its first second instead. The estimate is deliberately generous; the
//! user can skip it (`--no-space-check`) when they know better.

use std::path::Path;

use trove_readers::EntryInfo;

/// Bytes written per byte of message files, in a run into an empty case: the
/// database (about 1.2× a JSONL input, measured) and the index (0.15×, twice
/// that while segments merge).
const BULK_PER_INPUT_BYTE: f64 = 1.6;

/// The same into a case that holds messages: the write-ahead log holds every
/// new page until the commit's checkpoint copies it into the database, so
/// each is written twice (3.0× measured on JSONL, with the index).
const APPEND_PER_INPUT_BYTE: f64 = 3.2;

/// Room kept free beyond the estimate, for SQLite's temporary sort files
/// and whatever else shares the disk.
const MARGIN_BYTES: u64 = 64 * 1024 * 1024;

/// What a run needs against what the disk has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceCheck {
    /// Bytes of message files the run will read (attachments excluded).
    pub input_bytes: u64,
    /// Attached files the run will copy into the case (`--copy-media`).
    pub media_bytes: u64,
    /// Estimated bytes the run writes into the case folder.
    pub needed: u64,
    /// Bytes free for this user in the case folder's file system.
    pub available: u64,
}

impl SpaceCheck {
    /// True when the estimate does not fit.
    pub fn short(&self) -> bool {
        self.needed > self.available
    }
}

/// Estimates what reading `entries` writes into a case (`bulk`: the case is
/// empty), `copy_media` adding the attachments' own bytes, against the
/// `available` bytes.
pub fn estimate<'e>(
    entries: impl IntoIterator<Item = &'e EntryInfo>,
    bulk: bool,
    copy_media: bool,
    available: u64,
) -> SpaceCheck {
    let (mut input_bytes, mut media_bytes) = (0u64, 0u64);
    for entry in entries {
        if is_attachment(&entry.name) {
            media_bytes = media_bytes.saturating_add(entry.size);
        } else {
            input_bytes = input_bytes.saturating_add(entry.size);
        }
    }
    let factor = if bulk { BULK_PER_INPUT_BYTE } else { APPEND_PER_INPUT_BYTE };
    let mut needed = (input_bytes as f64 * factor) as u64;
    if copy_media {
        needed = needed.saturating_add(media_bytes);
    }
    SpaceCheck { input_bytes, media_bytes, needed: needed.saturating_add(MARGIN_BYTES), available }
}

/// Files exports carry beside their messages: pictures, sound, video,
/// documents. They are hashed, not stored (unless copied), so they do not
/// grow the database.
fn is_attachment(name: &str) -> bool {
    const ATTACHMENTS: &[&str] = &[
        "jpg", "jpeg", "png", "gif", "webp", "heic", "bmp", "tif", "tiff", "svg", "mp4", "mov",
        "m4v", "webm", "mkv", "avi", "3gp", "mp3", "m4a", "ogg", "oga", "opus", "wav", "aac",
        "flac", "amr", "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "zip", "rar",
        "7z", "gz", "tgz", "apk", "exe", "dmg", "iso", "vcf", "tgs",
    ];
    let Some((_, extension)) = name.rsplit_once('.') else { return false };
    ATTACHMENTS.iter().any(|known| extension.eq_ignore_ascii_case(known))
}

/// Bytes an unprivileged write may still use on the file system holding
/// `dir`.
pub fn available(dir: &Path) -> std::io::Result<u64> {
    fs4::available_space(dir)
}

/// Disk held back for the index's commit, which follows the store's.
///
/// When the store's commit takes the last free bytes (its log, then the
/// checkpoint that follows it), the index could no longer write its small
/// commit file, and the case would hold a run its searches miss. The run
/// writes this file before anything else and deletes it between the two
/// commits, so the index's commit always finds room.
#[derive(Debug)]
pub struct Reserve {
    path: std::path::PathBuf,
}

/// Bytes held back: the index's commit writes its `meta.json` (a few KB
/// per hundred segments) and the list of files it manages.
const RESERVE_BYTES: usize = 1024 * 1024;

/// The reserve's file name in the case folder.
pub const RESERVE_FILE: &str = ".commit-reserve";

impl Reserve {
    /// Writes the reserve into `folder` (real bytes: a sparse file would
    /// hold nothing back).
    pub fn take(folder: &Path) -> std::io::Result<Reserve> {
        let path = folder.join(RESERVE_FILE);
        let written = std::fs::write(&path, vec![0u8; RESERVE_BYTES]);
        if let Err(e) = written {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Ok(Reserve { path })
    }
}

impl Drop for Reserve {
    fn drop(&mut self) {
        // Left behind (the process killed), the next run overwrites it.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A byte count as people read it (`1.4 GB`, `820 MB`, `12 KB`).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: &[(&str, u64)] =
        &[("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000)];
    for &(unit, size) in UNITS {
        if bytes >= size {
            let value = bytes as f64 / size as f64;
            return if value < 10.0 {
                format!("{value:.1} {unit}")
            } else {
                format!("{value:.0} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, size: u64) -> EntryInfo {
        EntryInfo { name: name.into(), size, compressed_size: size }
    }

    #[test]
    fn attachments_count_only_when_copied_and_appends_need_more_than_a_bulk_run() {
        let entries = [
            entry("result.json", 100_000_000),
            entry("photos/a.JPG", 5_000_000_000),
            entry("x", 0),
        ];
        let bulk = estimate(&entries, true, false, 250_000_000);
        assert_eq!((bulk.input_bytes, bulk.media_bytes), (100_000_000, 5_000_000_000));
        assert_eq!(bulk.needed, 160_000_000 + MARGIN_BYTES);
        assert!(!bulk.short());
        let append = estimate(&entries, false, false, 250_000_000);
        assert_eq!(append.needed, 320_000_000 + MARGIN_BYTES);
        assert!(append.short());
        let copied = estimate(&entries, true, true, 250_000_000);
        assert_eq!(copied.needed, bulk.needed + 5_000_000_000);
    }

    #[test]
    fn byte_counts_read_as_people_write_them() {
        assert_eq!(human_bytes(999), "999 bytes");
        assert_eq!(human_bytes(1_400_000_000), "1.4 GB");
        assert_eq!(human_bytes(820_000_000), "820 MB");
    }

    #[test]
    fn the_free_space_of_a_real_folder_is_known() -> std::io::Result<()> {
        let dir = std::env::temp_dir();
        assert!(available(&dir)? > 0);
        Ok(())
    }
}
