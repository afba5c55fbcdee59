//! Attached files the case holds a copy of: `trove ingest --copy-media`
//! copies each file an export holds into the case's media store
//! (`media/ab/abcdef…`, named by its SHA-256), and the workbench opens
//! them from the message that lists them.
//!
//! Nothing outside the media store is ever handed out: a file is found by
//! a strictly checked SHA-256 only, only when some message of the case
//! lists an attachment with that SHA-256, and only when it is a regular
//! file inside the store (no symbolic link at any step).

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::{AppError, Case};

/// What a request for a file the case does not hold hears.
pub const NO_COPY: &str =
    "this case holds no copy of that attachment; ingest with --copy-media to keep attached files";

/// What a request for a SHA-256 no message lists hears.
pub const NOT_LISTED: &str = "no message in this case lists an attached file with that SHA-256";

/// The attached files a case's messages list, by SHA-256, with the row of
/// the first message listing each, as of one generation of the case.
///
/// The attachments live inside each message's JSON extras, which no index
/// covers: finding one costs a pass over the messages, so a front end
/// builds this once per generation and asks it many times (a page of
/// thumbnails is one request per image).
#[derive(Debug, Default)]
pub struct MediaListing {
    generation: u64,
    rows: HashMap<[u8; 32], i64>,
}

impl MediaListing {
    /// The case generation it was read at: a listing of an older
    /// generation may name files a `--replace` run has since dropped, or
    /// miss those of a newer run.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Distinct files listed.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no message lists a hashed attachment.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A copy the case holds, opened.
#[derive(Debug)]
pub struct MediaFile {
    /// The open file: the one that was checked, not whatever the path
    /// names a moment later.
    pub file: File,
    /// Where it lies in the media store.
    pub path: PathBuf,
    /// Its size in bytes, when checked.
    pub size: u64,
    /// The SHA-256 it is stored under.
    pub sha256: String,
    /// The name the (first) message listing it gives it: the source's
    /// claim, to be escaped and sanitised like any source string.
    pub name: String,
    /// The kind the source claims (`image`, a MIME type), if any. Never a
    /// reason to believe what the bytes are.
    pub kind: Option<String>,
}

/// The 32 bytes of a SHA-256 written as exactly 64 lowercase hex
/// characters; anything else (upper case, another length, a path) is
/// `None`. The media store names files in lowercase, and one spelling per
/// file keeps a request from naming anything but a hash.
pub fn parse_sha256(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

impl Case {
    /// Every attached file the case's messages list by SHA-256 (one pass
    /// over the messages that carry attachment hashes).
    pub fn media_listing(&self) -> Result<MediaListing, AppError> {
        // Read before the walk: a run committing meanwhile leaves the
        // listing labelled older than what it read, so it is read again
        // next time, never trusted past what it holds.
        let generation = self.store.generation()?;
        let mut rows = HashMap::new();
        self.store.for_each_attachment_hash(|sha256, row| {
            // Readers and ingest write lowercase hex; any other spelling
            // could not name a stored file anyway.
            if let Some(hash) = parse_sha256(sha256) {
                rows.entry(hash).or_insert(row);
            }
        })?;
        Ok(MediaListing { generation, rows })
    }

    /// The case's copy of the attached file whose SHA-256 is `sha256`, open,
    /// with the name and kind the message listing it gives. `listing` is a
    /// [`Case::media_listing`] of this case (of the current generation, or
    /// files a newer run lists are refused and dropped ones served).
    ///
    /// The file is not hashed again per request: the media store is the
    /// case's own, written only by ingest, which names each copy by the
    /// SHA-256 of the bytes it copied (hashed while copying, renamed into
    /// place after). What is checked is that the request names a hash a
    /// message lists and a regular file in the store; re-hashing a 2 GB
    /// video on every view would prove nothing `trove verify` does not.
    pub fn media_file(&self, sha256: &str, listing: &MediaListing) -> Result<MediaFile, AppError> {
        let Some(hash) = parse_sha256(sha256) else {
            return Err(AppError::Usage(format!(
                "`{}` is not a SHA-256: an attached file is named by 64 lowercase hex characters",
                sha256.escape_debug()
            )));
        };
        let Some(&row) = listing.rows.get(&hash) else {
            return Err(AppError::NotFound(NOT_LISTED.into()));
        };
        let (name, kind) = self
            .store
            .message(row)?
            .and_then(|m| {
                m.extra
                    .attachments
                    .into_iter()
                    .find(|a| a.sha256.as_deref() == Some(sha256))
                    .map(|a| (a.name, a.kind))
            })
            // A listing of another generation, the message since replaced:
            // the file is not known to be listed any more.
            .ok_or_else(|| AppError::NotFound(NOT_LISTED.into()))?;
        let dir = self.media_dir();
        let path = trove_ingest::stored_path(&dir, sha256);
        let (file, size) = match open_stored(&dir, &path) {
            Ok(Some(found)) => found,
            Ok(None) => return Err(AppError::NotFound(NO_COPY.into())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(AppError::NotFound(NO_COPY.into()));
            }
            Err(e) => return Err(AppError::Io(path, e)),
        };
        Ok(MediaFile { file, path, size, sha256: sha256.to_string(), name, kind })
    }
}

/// Opens `path`, a file of the media store `dir`, when it and every folder
/// between it and `dir` (and `dir` itself) are what they seem: folders and
/// a regular file, no symbolic link followed. `None` when one is not.
fn open_stored(dir: &Path, path: &Path) -> io::Result<Option<(File, u64)>> {
    let Some(shard) = path.parent() else { return Ok(None) };
    for folder in [dir, shard] {
        // `symlink_metadata` describes a link itself: a link is no folder.
        if !std::fs::symlink_metadata(folder)?.file_type().is_dir() {
            return Ok(None);
        }
    }
    let checked = std::fs::symlink_metadata(path)?;
    if !checked.file_type().is_file() {
        return Ok(None);
    }
    let file = File::open(path)?;
    let opened = file.metadata()?;
    if !opened.is_file() || !same_file(&checked, &opened) {
        // Swapped between the check and the open.
        return Ok(None);
    }
    Ok(Some((file, opened.len())))
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_64_lowercase_hex_characters_name_a_file() {
        let good = "ab".repeat(32);
        assert_eq!(parse_sha256(&good), Some([0xab; 32]));
        assert_eq!(parse_sha256(&"0f".repeat(32)), Some([0x0f; 32]));
        for bad in [
            "AB".repeat(32),
            "ab".repeat(31) + "a",
            "ab".repeat(33),
            "../../etc/passwd".to_string(),
            format!("{}/..", "ab".repeat(31)),
            "ag".repeat(32),
            String::new(),
            // 64 bytes, not 64 hex digits.
            "é".repeat(32),
        ] {
            assert_eq!(parse_sha256(&bad), None, "{bad}");
        }
    }
}
