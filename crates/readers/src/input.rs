//! Safe access to what the user handed us: a single file, a folder, or a zip.
//!
//! Entry names are checked (no `..`, no absolute paths), declared sizes are
//! enforced while reading, and an entry that inflates far beyond its
//! compressed size is refused as a likely zip bomb.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::ReadError;

/// Limits on what an input may contain.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest decompressed entry accepted.
    pub max_entry_bytes: u64,
    /// Largest ratio of decompressed to compressed size for zip entries
    /// larger than 1 MiB.
    pub max_compression_ratio: u64,
    /// Most entries walked in a folder or zip.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entry_bytes: 64 << 30, max_compression_ratio: 1000, max_entries: 1_000_000 }
    }
}

/// What kind of container an [`Input`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// One file; its single entry is the file itself.
    File,
    /// A folder walked recursively.
    Dir,
    /// A zip archive.
    Zip,
}

/// One member of an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryInfo {
    /// `/`-separated path relative to the input root (for a single file, its
    /// file name).
    pub name: String,
    /// Size in bytes (decompressed size as the zip declares it).
    pub size: u64,
    /// Size of the entry inside the zip (equal to `size` elsewhere).
    pub compressed_size: u64,
}

/// A file, folder or zip opened for reading.
#[derive(Debug)]
pub struct Input {
    path: PathBuf,
    kind: InputKind,
    entries: Vec<EntryInfo>,
    limits: Limits,
    /// The zip's parsed central directories, kept so that reading many
    /// entries does not re-parse one each time (which made a Slack export
    /// of N day files cost O(N²)). A pool, not one: a reader opens entries
    /// while it reads another (a Twitter archive's media files during its
    /// message file), and each nesting level needs an archive of its own.
    zips: Mutex<Vec<ZipArchive>>,
}

type ZipArchive = zip::ZipArchive<BufReader<File>>;

impl Input {
    /// Opens `path` with default limits.
    pub fn open(path: &Path) -> Result<Input, ReadError> {
        Input::open_with(path, Limits::default())
    }

    /// Opens `path`, listing its entries.
    pub fn open_with(path: &Path, limits: Limits) -> Result<Input, ReadError> {
        let display = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| ReadError::io(&display, e))?;
        let (kind, entries) = if meta.is_dir() {
            (InputKind::Dir, list_dir(path, &limits)?)
        } else if is_zip(path).map_err(|e| ReadError::io(&display, e))? {
            (InputKind::Zip, list_zip(path, &limits)?)
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| display.clone());
            let size = meta.len();
            (InputKind::File, vec![EntryInfo { name, size, compressed_size: size }])
        };
        Ok(Input { path: path.to_path_buf(), kind, entries, limits, zips: Mutex::new(Vec::new()) })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// File, folder or zip.
    pub fn kind(&self) -> &InputKind {
        &self.kind
    }

    /// Every entry, sorted by name.
    pub fn entries(&self) -> &[EntryInfo] {
        &self.entries
    }

    /// The entry called `name`, if any.
    pub fn entry(&self, name: &str) -> Option<&EntryInfo> {
        let at = self.entries.binary_search_by(|e| e.name.as_str().cmp(name)).ok()?;
        self.entries.get(at)
    }

    /// The name of an export held in this input at `prefix` (a folder path
    /// inside it such as `serverA/`, or `""` for the input itself): the
    /// prefix's last folder, else the input's own file or folder name
    /// (without `.zip`). Never an absolute path, so ingesting `leak/`
    /// (holding `serverA/`) and ingesting `leak/serverA` itself name the
    /// export the same way. Readers use it as a conversation scope where
    /// the data names no server or workspace.
    pub fn export_name(&self, prefix: &str) -> Option<String> {
        let folder = prefix.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if !folder.is_empty() {
            return Some(folder.to_string());
        }
        let own = self.path.file_name()?.to_string_lossy();
        let stem = own
            .len()
            .checked_sub(4)
            .filter(|&cut| own.get(cut..).is_some_and(|ext| ext.eq_ignore_ascii_case(".zip")))
            .and_then(|cut| own.get(..cut))
            .unwrap_or(&own);
        (!stem.is_empty()).then(|| stem.to_string())
    }

    /// The first entry whose name ends with `suffix` (after a `/` or at the
    /// start), e.g. `data/manifest.js` inside `twitter-2023/data/manifest.js`.
    pub fn find_suffix(&self, suffix: &str) -> Option<&EntryInfo> {
        self.entries.iter().find(|e| {
            e.name == suffix
                || (e.name.ends_with(suffix)
                    && e.name.as_bytes().get(e.name.len() - suffix.len() - 1) == Some(&b'/'))
        })
    }

    /// How an entry is named in messages and locators: `path!entry` for zip
    /// and folder members, the path itself for a single file.
    pub fn display_entry(&self, name: &str) -> String {
        match self.kind {
            InputKind::File => self.path.display().to_string(),
            InputKind::Dir => self.path.join(name).display().to_string(),
            InputKind::Zip => format!("{}!{}", self.path.display(), name),
        }
    }

    /// The file on disk that holds `name` and the entry name to record in a
    /// locator: for a zip the zip itself and `Some(name)`; for a folder the
    /// member file and `Some(name)` (ingest turns the member into a source
    /// of its own); for a single file the file and `None`.
    pub fn source_of(&self, name: &str) -> (PathBuf, Option<String>) {
        match self.kind {
            InputKind::File => (self.path.clone(), None),
            InputKind::Dir => (self.path.join(name), Some(name.to_string())),
            InputKind::Zip => (self.path.clone(), Some(name.to_string())),
        }
    }

    /// Reads entry `name` through `f`. The reader yields at most the entry's
    /// declared size; reading more is an error, as is a zip entry whose
    /// compression ratio marks it as a bomb.
    pub fn with_entry<T>(
        &self,
        name: &str,
        f: impl FnOnce(&mut dyn Read) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        let display = self.display_entry(name);
        let info =
            self.entry(name).ok_or_else(|| ReadError::invalid(&display, None, "no such entry"))?;
        check_size(info, &self.limits, &display)?;
        match self.kind {
            InputKind::File | InputKind::Dir => {
                let (path, _) = self.source_of(name);
                let file = File::open(&path).map_err(|e| ReadError::io(&display, e))?;
                let mut reader = BufReader::with_capacity(256 * 1024, file);
                f(&mut reader)
            }
            InputKind::Zip => {
                let pooled = self.zips.lock().ok().and_then(|mut pool| pool.pop());
                let mut archive = match pooled {
                    Some(archive) => archive,
                    None => {
                        let file =
                            File::open(&self.path).map_err(|e| ReadError::io(&display, e))?;
                        zip::ZipArchive::new(BufReader::new(file))
                            .map_err(|e| ReadError::invalid(&display, None, e.to_string()))?
                    }
                };
                let result = read_zip_entry(&mut archive, name, info.size, &display, f);
                if let Ok(mut pool) = self.zips.lock() {
                    pool.push(archive);
                }
                result
            }
        }
    }

    /// Reads a file of the export through `f`, as [`Input::with_entry`]
    /// does; for a single-file input, `name` may also be a file beside it
    /// (see [`crate::media::locate`]), never a link or a path out of its
    /// folder.
    pub fn with_member<T>(
        &self,
        name: &str,
        f: impl FnOnce(&mut dyn Read) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        let own = self.entries.first().is_some_and(|e| e.name == name);
        if self.kind != InputKind::File || own {
            return self.with_entry(name, f);
        }
        let folder = self.path.parent().unwrap_or(Path::new(""));
        let display = folder.join(name).display().to_string();
        let size = crate::media::beside(&self.path, name)
            .ok_or_else(|| ReadError::invalid(&display, None, "no such file beside the input"))?;
        let info = EntryInfo { name: name.to_string(), size, compressed_size: size };
        check_size(&info, &self.limits, &display)?;
        let file = File::open(folder.join(name)).map_err(|e| ReadError::io(&display, e))?;
        let mut limited = SizeGuard { inner: file, left: size, name: display };
        let mut reader = BufReader::with_capacity(256 * 1024, &mut limited);
        f(&mut reader)
    }

    /// The first `n` bytes of entry `name` (fewer if it is shorter). Used by
    /// detection.
    pub fn head(&self, name: &str, n: usize) -> Result<Vec<u8>, ReadError> {
        let display = self.display_entry(name);
        self.with_entry(name, |reader| {
            let mut buf = Vec::with_capacity(n);
            reader.take(n as u64).read_to_end(&mut buf).map_err(|e| ReadError::io(&display, e))?;
            Ok(buf)
        })
    }
}

/// Reads entry `name` of an open archive through `f`, yielding at most
/// `size` bytes (the size the zip declared).
fn read_zip_entry<T>(
    archive: &mut ZipArchive,
    name: &str,
    size: u64,
    display: &str,
    f: impl FnOnce(&mut dyn Read) -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    let entry =
        archive.by_name(name).map_err(|e| ReadError::invalid(display, None, e.to_string()))?;
    let mut limited = SizeGuard { inner: entry, left: size, name: display.to_string() };
    let mut reader = BufReader::with_capacity(256 * 1024, &mut limited);
    f(&mut reader)
}

fn check_size(info: &EntryInfo, limits: &Limits, display: &str) -> Result<(), ReadError> {
    if info.size > limits.max_entry_bytes {
        return Err(ReadError::invalid(
            display,
            None,
            format!("entry is {} bytes, over the limit of {}", info.size, limits.max_entry_bytes),
        ));
    }
    if info.size > (1 << 20)
        && info.size / info.compressed_size.max(1) > limits.max_compression_ratio
    {
        return Err(ReadError::invalid(
            display,
            None,
            format!(
                "entry inflates {} bytes to {} (ratio over {}:1): refused as a likely zip bomb",
                info.compressed_size, info.size, limits.max_compression_ratio
            ),
        ));
    }
    Ok(())
}

/// Refuses to yield more bytes than the zip declared for the entry.
pub(crate) struct SizeGuard<R> {
    pub inner: R,
    pub left: u64,
    pub name: String,
}

impl<R: Read> Read for SizeGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: entry is larger than its declared size", self.name),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn is_zip(path: &Path) -> io::Result<bool> {
    let mut magic = [0u8; 4];
    let mut file = File::open(path)?;
    let mut read = 0;
    while read < 4 {
        let n = file.read(&mut magic[read..])?;
        if n == 0 {
            break;
        }
        read += n;
    }
    Ok(read == 4 && (&magic == b"PK\x03\x04" || &magic == b"PK\x05\x06"))
}

fn list_zip(path: &Path, limits: &Limits) -> Result<Vec<EntryInfo>, ReadError> {
    let display = path.display().to_string();
    let file = File::open(path).map_err(|e| ReadError::io(&display, e))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
        ReadError::invalid(&display, None, format!("not a readable zip archive: {e}"))
    })?;
    if archive.len() > limits.max_entries {
        return Err(ReadError::invalid(
            &display,
            None,
            format!(
                "zip holds {} entries, over the limit of {}",
                archive.len(),
                limits.max_entries
            ),
        ));
    }
    let mut entries = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| ReadError::invalid(&display, None, format!("zip entry #{index}: {e}")))?;
        let raw_name = match entry.name() {
            Ok(name) => name.to_string(),
            Err(e) => {
                return Err(ReadError::invalid(
                    &display,
                    Some(entry.header_start()),
                    format!("zip entry #{index} has an unreadable name: {e}"),
                ));
            }
        };
        if entry.enclosed_name().is_none() || raw_name.split(['/', '\\']).any(|p| p == "..") {
            return Err(ReadError::invalid(
                &display,
                Some(entry.header_start()),
                format!(
                    "zip entry name `{}` escapes the archive: refused",
                    raw_name.escape_debug()
                ),
            ));
        }
        if entry.is_dir() {
            continue;
        }
        entries.push(EntryInfo {
            name: raw_name,
            size: entry.size(),
            compressed_size: entry.compressed_size(),
        });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

fn list_dir(root: &Path, limits: &Limits) -> Result<Vec<EntryInfo>, ReadError> {
    let mut entries = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let read =
            std::fs::read_dir(&dir).map_err(|e| ReadError::io(dir.display().to_string(), e))?;
        for item in read {
            let item = item.map_err(|e| ReadError::io(dir.display().to_string(), e))?;
            let path = item.path();
            // symlink_metadata: never follow links out of the folder.
            let meta = std::fs::symlink_metadata(&path)
                .map_err(|e| ReadError::io(path.display().to_string(), e))?;
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let Ok(relative) = path.strip_prefix(root) else { continue };
                let name = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                entries.push(EntryInfo { name, size: meta.len(), compressed_size: meta.len() });
                if entries.len() > limits.max_entries {
                    return Err(ReadError::invalid(
                        root.display().to_string(),
                        None,
                        format!("folder holds over {} files", limits.max_entries),
                    ));
                }
            }
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &Input, name: &str) -> Result<String, ReadError> {
        input.with_entry(name, |r| {
            let mut text = String::new();
            r.read_to_string(&mut text).map_err(|e| ReadError::io(name, e))?;
            Ok(text)
        })
    }

    fn pooled(input: &Input) -> usize {
        input.zips.lock().map(|pool| pool.len()).unwrap_or(usize::MAX)
    }

    #[test]
    fn a_zip_directory_is_parsed_once_per_nesting_level_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("export.zip");
        let entries = [("a.txt", "one"), ("b/c.txt", "two"), ("d.txt", "three")];
        trove_testkit::zipfile::write_zip(&path, &entries).expect("write zip");
        let input = Input::open(&path).expect("open");

        // Reading an entry while reading another, two levels deep.
        let nested = input
            .with_entry("a.txt", |outer| {
                let mut first = String::new();
                outer.read_to_string(&mut first).map_err(|e| ReadError::io("a.txt", e))?;
                let inner = input.with_entry("b/c.txt", |middle| {
                    let mut second = String::new();
                    middle.read_to_string(&mut second).map_err(|e| ReadError::io("b/c.txt", e))?;
                    Ok(format!("{second}+{}", read_all(&input, "d.txt")?))
                })?;
                Ok(format!("{first}+{inner}"))
            })
            .expect("nested reads");
        assert_eq!(nested, "one+two+three");
        assert_eq!(pooled(&input), 3, "one archive per nesting level, all returned");

        for _ in 0..100 {
            assert_eq!(read_all(&input, "b/c.txt").expect("read"), "two");
        }
        assert_eq!(pooled(&input), 3, "sequential reads reuse a pooled archive");

        let failed: Result<(), ReadError> =
            input.with_entry("a.txt", |_| Err(ReadError::invalid("a.txt", None, "refused")));
        assert!(failed.is_err());
        assert_eq!(pooled(&input), 3, "a failed read gives its archive back");
        assert_eq!(read_all(&input, "a.txt").expect("read after a failure"), "one");
    }
}
