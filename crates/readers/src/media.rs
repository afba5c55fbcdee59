//! Files an export keeps beside its messages: photos, voice notes,
//! documents. Readers find them here by the path the message gives; ingest
//! later hashes (and, when asked, copies) what was found, through
//! [`Input::with_member`].
//!
//! Only plain relative paths inside the input are looked up: never an
//! absolute path, a URL, or a path that climbs out of the export.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Input, InputKind};

/// A file found in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// Its path inside the input (see [`trove_model::Attachment::entry`]).
    pub entry: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Located {
    /// The entry and the size of a file that may not have been found.
    pub fn split(found: Option<Located>) -> (Option<String>, Option<u64>) {
        match found {
            Some(Located { entry, size }) => (Some(entry), Some(size)),
            None => (None, None),
        }
    }
}

/// SHA-256 (lower-case hex) and length of everything `reader` yields.
pub fn sha256_hex(reader: &mut dyn Read) -> io::Result<(String, u64)> {
    let mut hash = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        size += n as u64;
        hash.update(&buffer[..n]);
    }
    Ok((hex(&hash.finalize()), size))
}

/// SHA-256 (lower-case hex) of `bytes` in memory.
pub fn sha256_of(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(digest.len() * 2);
    for &b in digest {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// `folder` + a relative `path` with `.` and `..` applied; `None` when the
/// path is absolute, a URL, empty, or climbs above the input's root.
pub fn resolve(folder: &str, path: &str) -> Option<String> {
    if path.is_empty() || path.starts_with('/') || path.contains(['\\', ':']) {
        return None;
    }
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The folder part of an entry name, with its trailing `/` (or "").
pub fn folder_of(entry: &str) -> &str {
    match entry.rfind('/') {
        Some(slash) => &entry[..=slash],
        None => "",
    }
}

/// The file at `path` (relative to the entry folder `folder`), if the input
/// holds it. A `%20` in the path also matches a space, as exporters that
/// write paths as URLs encode them.
pub fn locate(input: &Input, folder: &str, path: &str) -> Option<Located> {
    let resolved = resolve(folder, path)?;
    let spaced = resolved.contains("%20").then(|| resolved.replace("%20", " "));
    std::iter::once(resolved).chain(spaced).find_map(|candidate| match input.kind() {
        InputKind::Zip | InputKind::Dir => input
            .entry(&candidate)
            .map(|info| Located { entry: candidate.clone(), size: info.size }),
        InputKind::File => {
            let size = beside(input.path(), &candidate)?;
            Some(Located { entry: candidate, size })
        }
    })
}

/// Most paths a [`Found`] remembers; past this it stops adding, so an
/// export naming a fresh file on every message costs no more memory.
const FOUND_MAX: usize = 4096;

/// [`locate`]'s answers for one folder of one input, for readers that name
/// the same file on many messages (stickers, a re-sent photo): asking
/// again costs a search of the listing or, beside a single file, a `stat`.
/// The input does not change while it is read, so a remembered answer is
/// the answer.
#[derive(Clone, Debug, Default)]
pub(crate) struct Found {
    by_path: HashMap<String, Option<Located>, foldhash::fast::RandomState>,
}

impl Found {
    /// [`locate`]`(input, folder, path)`; `input` and `folder` must be the
    /// same on every call.
    pub(crate) fn locate(&mut self, input: &Input, folder: &str, path: &str) -> Option<Located> {
        if let Some(known) = self.by_path.get(path) {
            return known.clone();
        }
        let found = locate(input, folder, path);
        if self.by_path.len() < FOUND_MAX {
            self.by_path.insert(path.to_string(), found.clone());
        }
        found
    }
}

/// The size of the regular file at `relative` in the folder holding
/// `file`. Links are not followed: a hostile export must not make us read
/// outside it.
pub(crate) fn beside(file: &Path, relative: &str) -> Option<u64> {
    file_beside(file, relative).map(|(_, size)| size)
}

/// The path and size of the regular file `relative` to `file`'s folder,
/// when no part of the way is a symbolic link: a `photos -> /etc` folder
/// link must not make `photos/passwd` a file of the export.
pub(crate) fn file_beside(file: &Path, relative: &str) -> Option<(PathBuf, u64)> {
    if resolve("", relative).as_deref() != Some(relative) {
        return None;
    }
    let mut path = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut meta = None;
    for part in relative.split('/') {
        path.push(part);
        let here = std::fs::symlink_metadata(&path).ok()?;
        if here.file_type().is_symlink() {
            return None;
        }
        meta = Some(here);
    }
    let meta = meta?;
    meta.is_file().then_some((path, meta.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_applies_dots_and_refuses_escapes() {
        assert_eq!(resolve("chat/", "./media/a.jpg").as_deref(), Some("chat/media/a.jpg"));
        assert_eq!(resolve("a/b/", "../s/1.webp").as_deref(), Some("a/s/1.webp"));
        assert_eq!(resolve("", "../x"), None);
        assert_eq!(resolve("", "/etc/passwd"), None);
        assert_eq!(resolve("", "https://x/y.jpg"), None);
        assert_eq!(resolve("", "C:\\x"), None);
        assert_eq!(resolve("", ""), None);
    }

    #[test]
    fn locate_finds_members_of_a_folder_and_files_beside_a_single_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("chat/photos")).unwrap();
        std::fs::write(dir.path().join("chat/result.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("chat/photos/p 1.jpg"), b"12345").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"no").unwrap();

        let folder = Input::open(dir.path()).unwrap();
        assert_eq!(
            locate(&folder, "chat/", "photos/p%201.jpg"),
            Some(Located { entry: "chat/photos/p 1.jpg".into(), size: 5 })
        );
        assert_eq!(locate(&folder, "chat/", "photos/missing.jpg"), None);

        let single = Input::open(&dir.path().join("chat/result.json")).unwrap();
        assert_eq!(
            locate(&single, "", "./photos/p 1.jpg"),
            Some(Located { entry: "photos/p 1.jpg".into(), size: 5 })
        );
        assert_eq!(locate(&single, "", "../secret.txt"), None);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_export_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("result.json"), b"{}").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("leak.jpg")).unwrap();
        let single = Input::open(&dir.path().join("result.json")).unwrap();
        assert_eq!(locate(&single, "", "leak.jpg"), None);
    }
}
