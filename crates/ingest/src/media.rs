//! Attached files found in an export: hashed where they lie and, with
//! `--copy-media`, copied into the case by content (`media/ab/abcdef…`).
//!
//! A file that cannot be read is reported as a skip and the message keeps
//! its reference without a hash; the run goes on.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use trove_model::Attachment;
use trove_readers::media::sha256_hex;
use trove_readers::{Input, ReadError};

/// Hashes (and copies) the files of one run, each once.
pub(crate) struct MediaFiles {
    /// Where copies go, when the user asked for them.
    copy_to: Option<PathBuf>,
    /// SHA-256 and size by (input, entry).
    seen: HashMap<(PathBuf, String), (String, u64)>,
    /// Files copied in this run.
    pub copied: u64,
}

impl MediaFiles {
    pub fn new(copy_to: Option<PathBuf>) -> Self {
        MediaFiles { copy_to, seen: HashMap::new(), copied: 0 }
    }

    /// Fills in the SHA-256 and size of every attachment the reader found
    /// in `input`. Returns the problems, one per unreadable file.
    pub fn fingerprint(&mut self, input: &Input, attachments: &mut [Attachment]) -> Vec<String> {
        let mut problems = Vec::new();
        for attachment in attachments.iter_mut() {
            let Some(entry) = attachment.entry.as_deref() else { continue };
            if attachment.sha256.is_some() {
                continue;
            }
            let key = (input.path().to_path_buf(), entry.to_string());
            let found = match self.seen.get(&key) {
                Some(found) => found.clone(),
                None => match self.hash(input, entry) {
                    Ok(found) => {
                        self.seen.insert(key, found.clone());
                        found
                    }
                    Err(e) => {
                        problems.push(format!("attached file `{entry}`: {e}"));
                        continue;
                    }
                },
            };
            attachment.sha256 = Some(found.0);
            attachment.size = Some(found.1);
        }
        problems
    }

    /// Distinct files hashed so far.
    pub fn hashed(&self) -> u64 {
        self.seen.len() as u64
    }

    fn hash(&mut self, input: &Input, entry: &str) -> Result<(String, u64), ReadError> {
        let display = input.display_entry(entry);
        let Some(dir) = &self.copy_to else {
            return input.with_member(entry, |reader| {
                sha256_hex(reader).map_err(|e| ReadError::io(&display, e))
            });
        };
        std::fs::create_dir_all(dir).map_err(|e| ReadError::io(dir.display().to_string(), e))?;
        let partial = dir.join(format!(".partial-{}", std::process::id()));
        let (sha256, size) = input.with_member(entry, |reader| {
            let file = File::create(&partial)
                .map_err(|e| ReadError::io(partial.display().to_string(), e))?;
            let mut tee = Tee { reader, copy: io::BufWriter::new(file) };
            let found = sha256_hex(&mut tee).map_err(|e| ReadError::io(&display, e))?;
            tee.copy.flush().map_err(|e| ReadError::io(partial.display().to_string(), e))?;
            Ok(found)
        })?;
        let target = stored_path(dir, &sha256);
        if target.exists() {
            let _ = std::fs::remove_file(&partial);
        } else {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| ReadError::io(parent.display().to_string(), e))?;
            }
            std::fs::rename(&partial, &target)
                .map_err(|e| ReadError::io(target.display().to_string(), e))?;
            self.copied += 1;
        }
        Ok((sha256, size))
    }
}

/// Where the copy of a file with this SHA-256 lives under `dir`.
pub fn stored_path(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(sha256.get(..2).unwrap_or("__")).join(sha256)
}

/// Copies what it reads.
struct Tee<'a, W: Write> {
    reader: &'a mut dyn Read,
    copy: W,
}

impl<W: Write> Read for Tee<'_, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}
