//! Safe access to what the user handed us: a single file, a folder, or a zip.
//!
//! Entry names are checked (no `..`, no absolute paths), declared sizes are
//! enforced while reading, and an entry that inflates far beyond its
//! compressed size is refused as a likely zip bomb. Zip headers are not
//! trusted: entries whose bytes overlap, or that claim bytes past the end
//! of the archive, refuse the whole zip before anything is inflated, and
//! what the entries actually inflate to is counted against a budget for
//! the whole input.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// Most bytes a zip's entries may inflate to in all, every read counted
    /// (readers read some entries twice), as a multiple of the zip's own
    /// size; never less than `min_total_inflated`.
    pub max_total_ratio: u64,
    /// The least a zip may inflate to in all, however small it is.
    pub min_total_inflated: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 64 << 30,
            max_compression_ratio: 1000,
            max_entries: 1_000_000,
            max_total_ratio: 1000,
            min_total_inflated: 1 << 30,
        }
    }
}

/// What a zip's entries have inflated to so far, against what they may.
#[derive(Debug)]
struct InflateBudget {
    used: AtomicU64,
    limit: u64,
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

/// A symbolic link found in a folder input: never followed (it could point
/// anywhere on the machine), listed so that the user sees what was left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// `/`-separated path of the link relative to the input root.
    pub name: String,
    /// Where it points, as the link states it.
    pub target: String,
}

/// A file, folder or zip opened for reading.
#[derive(Debug)]
pub struct Input {
    path: PathBuf,
    kind: InputKind,
    entries: Vec<EntryInfo>,
    links: Vec<Link>,
    /// Folder members whose path is not UTF-8: their entry name (with
    /// `\xNN` for the odd bytes, see `utf8::path_text`) to the exact path
    /// below the folder, which is what is opened.
    os_names: std::collections::HashMap<String, PathBuf>,
    limits: Limits,
    /// The zip's parsed central directories, kept so that reading many
    /// entries does not re-parse one each time (which made a Slack export
    /// of N day files cost O(N²)). A pool, not one: a reader opens entries
    /// while it reads another (a Twitter archive's media files during its
    /// message file), and each nesting level needs an archive of its own.
    zips: Mutex<Vec<ZipArchive>>,
    /// Counted for zips; unlimited elsewhere (files are read as they are).
    inflated: InflateBudget,
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
        let mut budget = u64::MAX;
        let mut links = Vec::new();
        let mut os_names = std::collections::HashMap::new();
        let (kind, entries) = if meta.is_dir() {
            (InputKind::Dir, list_dir(path, &limits, &mut links, &mut os_names)?)
        } else if is_zip(path).map_err(|e| ReadError::io(&display, e))? {
            budget =
                meta.len().saturating_mul(limits.max_total_ratio).max(limits.min_total_inflated);
            (InputKind::Zip, list_zip(path, meta.len(), &limits)?)
        } else {
            let name = path
                .file_name()
                .map(|n| crate::utf8::path_text(Path::new(n)).into_owned())
                .unwrap_or_else(|| display.clone());
            let size = meta.len();
            (InputKind::File, vec![EntryInfo { name, size, compressed_size: size }])
        };
        Ok(Input {
            path: path.to_path_buf(),
            kind,
            entries,
            links,
            os_names,
            limits,
            zips: Mutex::new(Vec::new()),
            inflated: InflateBudget { used: AtomicU64::new(0), limit: budget },
        })
    }

    /// The symbolic links of a folder input, none of them followed.
    pub fn links(&self) -> &[Link] {
        &self.links
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
            InputKind::Dir => {
                let below = self.os_names.get(name).map_or(Path::new(name), PathBuf::as_path);
                (self.path.join(below), Some(name.to_string()))
            }
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
                let result =
                    read_zip_entry(&mut archive, name, info.size, &display, &self.inflated, f);
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
        let (path, size) = crate::media::file_beside(&self.path, name).ok_or_else(|| {
            ReadError::invalid(&display, None, "no such file beside the input (links not followed)")
        })?;
        let info = EntryInfo { name: name.to_string(), size, compressed_size: size };
        check_size(&info, &self.limits, &display)?;
        let file = File::open(path).map_err(|e| ReadError::io(&display, e))?;
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
    budget: &InflateBudget,
    f: impl FnOnce(&mut dyn Read) -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    if budget.used.load(Ordering::Relaxed) > budget.limit {
        return Err(ReadError::invalid(display, None, over_budget(budget.limit)));
    }
    let entry =
        archive.by_name(name).map_err(|e| ReadError::invalid(display, None, e.to_string()))?;
    let limited = SizeGuard { inner: entry, left: size, name: display.to_string() };
    let mut metered = Metered { inner: limited, budget, name: display };
    let mut reader = BufReader::with_capacity(256 * 1024, &mut metered);
    f(&mut reader)
}

fn over_budget(limit: u64) -> String {
    format!(
        "the zip's entries have inflated to over {limit} bytes in all: refused as a likely zip \
         bomb (the limit grows with the zip's size)"
    )
}

/// Counts the bytes a zip entry actually inflates to against the input's
/// budget, whatever its header says.
struct Metered<'a, R> {
    inner: R,
    budget: &'a InflateBudget,
    name: &'a str,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let used = self.budget.used.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if used > self.budget.limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {}", self.name, over_budget(self.budget.limit)),
            ));
        }
        Ok(n)
    }
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

fn list_zip(path: &Path, file_len: u64, limits: &Limits) -> Result<Vec<EntryInfo>, ReadError> {
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
    let mut spans = Vec::with_capacity(archive.len());
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
        if entry.enclosed_name().is_none()
            || raw_name.split(['/', '\\']).any(|p| p == "..")
            || is_absolute(&raw_name)
        {
            return Err(ReadError::invalid(
                &display,
                Some(entry.header_start()),
                format!(
                    "zip entry name `{}` escapes the archive: refused",
                    raw_name.escape_debug()
                ),
            ));
        }
        let span = span_of(&entry, index, file_len)
            .map_err(|reason| ReadError::invalid(&display, Some(entry.header_start()), reason))?;
        spans.push(span);
        if entry.is_dir() {
            continue;
        }
        entries.push(EntryInfo {
            name: raw_name,
            size: entry.size(),
            compressed_size: entry.compressed_size(),
        });
    }
    refuse_overlaps(&mut spans)
        .map_err(|(offset, reason)| ReadError::invalid(&display, Some(offset), reason))?;
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// Whether an entry name is rooted: `/x`, `\\x`, or a drive letter (`C:x`,
/// `C:\\x`), which must no more become a citation than `../x`.
fn is_absolute(name: &str) -> bool {
    let bytes = name.as_bytes();
    matches!(bytes.first(), Some(b'/' | b'\\'))
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

/// The bytes a zip entry occupies, `[local header, end of its data)`, and
/// its index; an error when they run past the end of the archive (a
/// compressed size no real entry could have).
fn span_of(
    entry: &zip::read::ZipFile<'_, BufReader<File>>,
    index: usize,
    file_len: u64,
) -> Result<(u64, u64, usize), String> {
    let start = entry.header_start();
    // The local header is at least 30 bytes; `data_start` is known once
    // the header was read, which listing an entry does.
    let data = entry.data_start().unwrap_or(start.saturating_add(30));
    let end = data.checked_add(entry.compressed_size()).filter(|&end| end <= file_len);
    match end {
        Some(end) => Ok((start, end, index)),
        None => Err(format!(
            "zip entry #{index} claims {} compressed bytes from offset {data}, past the end of the \
             {file_len}-byte archive: refused (its sizes cannot be trusted)",
            entry.compressed_size()
        )),
    }
}

/// Refuses entries that share bytes: real archives never do, and a bomb
/// lists one huge stream under many names to inflate it many times.
fn refuse_overlaps(spans: &mut [(u64, u64, usize)]) -> Result<(), (u64, String)> {
    spans.sort_unstable();
    for pair in spans.windows(2) {
        let [(_, end, first), (start, _, second)] = pair else { continue };
        if start < end {
            return Err((
                *start,
                format!(
                    "zip entries #{first} and #{second} share bytes {start}..{end}: refused as a \
                     likely zip bomb (overlapping entries)"
                ),
            ));
        }
    }
    Ok(())
}

fn list_dir(
    root: &Path,
    limits: &Limits,
    links: &mut Vec<Link>,
    os_names: &mut std::collections::HashMap<String, PathBuf>,
) -> Result<Vec<EntryInfo>, ReadError> {
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
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_else(|e| format!("(unreadable: {e})"));
                links.push(Link { name: relative_name(root, &path), target });
            } else if meta.is_file() {
                let name = relative_name(root, &path);
                let below = path.strip_prefix(root).unwrap_or(&path);
                if below.to_str().is_none() {
                    os_names.insert(name.clone(), below.to_path_buf());
                }
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
    links.sort_by(|a, b| a.name.cmp(&b.name));
    number_names_shown_alike(&mut entries, os_names);
    Ok(entries)
}

/// Two folder members show alike only when one's name is not UTF-8 and the
/// other spells its `\xNN` out. The one that is not UTF-8 gets a number
/// (`room (2).json`) and is still read from its exact path; `entries` is
/// sorted.
fn number_names_shown_alike(
    entries: &mut [EntryInfo],
    os_names: &mut std::collections::HashMap<String, PathBuf>,
) {
    if os_names.is_empty() || entries.windows(2).all(|w| w[0].name != w[1].name) {
        return;
    }
    let mut taken: std::collections::HashSet<String> =
        entries.iter().map(|e| e.name.clone()).collect();
    for i in 1..entries.len() {
        if entries[i].name != entries[i - 1].name {
            continue;
        }
        // Of the two, the one mapped to an exact path (a later duplicate
        // overwrote the map's entry: both are the same name there).
        let Some(below) = os_names.remove(&entries[i].name) else { continue };
        // The number goes before the extension, which readers select by.
        let shown = entries[i].name.clone();
        let (stem, extension) = match shown.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() && !extension.contains('/') => {
                (stem.to_string(), format!(".{extension}"))
            }
            _ => (shown.clone(), String::new()),
        };
        let mut n = 2;
        let mut name = format!("{stem} ({n}){extension}");
        while taken.contains(&name) {
            n += 1;
            name = format!("{stem} ({n}){extension}");
        }
        taken.insert(name.clone());
        os_names.insert(name.clone(), below);
        entries[i].name = name;
    }
    // Entries are looked up by binary search.
    entries.sort_by(|a, b| a.name.cmp(&b.name));
}

/// `path` below `root` as a `/`-separated entry name.
fn relative_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| crate::utf8::path_text(Path::new(c.as_os_str())).into_owned())
        .collect::<Vec<_>>()
        .join("/")
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

    fn refusal(path: &Path, limits: Limits) -> String {
        match Input::open_with(path, limits) {
            Ok(_) => "opened".to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn entries_that_share_bytes_refuse_the_zip_before_anything_inflates() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bomb.zip");
        let names: Vec<String> = (0..50).map(|i| format!("copy{i}.json")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let bytes = trove_testkit::zipfile::overlapping_zip_bytes(&[b'x'; 4096], &names, None);
        std::fs::write(&path, bytes).expect("write");
        let shown = refusal(&path, Limits::default());
        assert!(shown.contains("share bytes") && shown.contains("overlapping entries"), "{shown}");
        assert!(shown.contains("bomb.zip"), "{shown}");

        // The same bytes under one name are an ordinary archive.
        let single = dir.path().join("single.zip");
        let bytes = trove_testkit::zipfile::overlapping_zip_bytes(&[b'x'; 4096], &["a.json"], None);
        std::fs::write(&single, bytes).expect("write");
        let input = Input::open(&single).expect("one entry opens");
        assert_eq!(read_all(&input, "a.json").expect("read").len(), 4096);
    }

    #[test]
    fn rooted_and_drive_letter_entry_names_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (n, name) in ["/etc/passwd", "\\server\\x", "C:/Windows/x", "c:x"].iter().enumerate() {
            let path = dir.path().join(format!("rooted{n}.zip"));
            let bytes = trove_testkit::zipfile::overlapping_zip_bytes(b"x", &[name], None);
            std::fs::write(&path, bytes).expect("write");
            let shown = refusal(&path, Limits::default());
            assert!(shown.contains("escapes the archive: refused"), "{name}: {shown}");
        }
    }

    #[test]
    fn a_compressed_size_past_the_archive_end_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("liar.zip");
        let bytes =
            trove_testkit::zipfile::overlapping_zip_bytes(b"small", &["a.json"], Some(20 << 20));
        std::fs::write(&path, bytes).expect("write");
        let shown = refusal(&path, Limits::default());
        assert!(shown.contains("past the end") && shown.contains("cannot be trusted"), "{shown}");
    }

    #[test]
    fn what_entries_inflate_to_is_counted_across_the_input() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("export.zip");
        let big = "a".repeat(64 * 1024);
        let entries = [("one.txt", big.as_str()), ("two.txt", big.as_str())];
        trove_testkit::zipfile::write_zip(&path, &entries).expect("write zip");
        let limits =
            Limits { max_total_ratio: 1, min_total_inflated: 100 * 1024, ..Limits::default() };
        let input = Input::open_with(&path, limits).expect("open");
        assert_eq!(read_all(&input, "one.txt").expect("first entry fits").len(), big.len());
        let second = read_all(&input, "two.txt").expect_err("the second passes the budget");
        assert!(second.to_string().contains("inflated to over 102400 bytes in all"), "{second}");
        let third = read_all(&input, "one.txt").expect_err("nothing more is inflated");
        assert!(third.to_string().contains("likely zip bomb"), "{third}");
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_lists_its_links_with_their_targets_and_never_their_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("export");
        std::fs::create_dir_all(root.join("chat")).expect("mkdir");
        std::fs::write(root.join("chat/a.txt"), "one").expect("write");
        std::fs::write(dir.path().join("secret"), "no").expect("write");
        std::os::unix::fs::symlink("/etc", root.join("chat/photos")).expect("link");
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("b.txt")).expect("link");
        let input = Input::open(&root).expect("open");
        let names: Vec<&str> = input.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["chat/a.txt"]);
        let links: Vec<(&str, &str)> =
            input.links().iter().map(|l| (l.name.as_str(), l.target.as_str())).collect();
        let secret = dir.path().join("secret").display().to_string();
        assert_eq!(links, [("b.txt", secret.as_str()), ("chat/photos", "/etc")]);
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

#[cfg(all(test, unix))]
mod odd_names {
    use super::*;

    #[test]
    fn names_shown_alike_are_numbered_and_open_their_own_files() -> Result<(), ReadError> {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().map_err(|e| ReadError::io("tempdir", e))?;
        let raw = dir.path().join(std::ffi::OsStr::from_bytes(b"room-\xfe.jsonl"));
        std::fs::write(&raw, "raw").map_err(|e| ReadError::io("write", e))?;
        std::fs::write(dir.path().join("room-\\xfe.jsonl"), "literal")
            .map_err(|e| ReadError::io("write", e))?;
        let input = Input::open(dir.path())?;
        let names: Vec<&str> = input.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["room-\\xfe (2).jsonl", "room-\\xfe.jsonl"]);
        let mut read = Vec::new();
        for name in names {
            read.push(input.with_entry(name, |r| {
                let mut text = String::new();
                r.read_to_string(&mut text).map_err(|e| ReadError::io(name, e))?;
                Ok(text)
            })?);
        }
        read.sort();
        assert_eq!(read, ["literal", "raw"]);
        Ok(())
    }
}
