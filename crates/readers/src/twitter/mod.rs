//! Twitter / X account archives: direct messages, 1:1 and group.
//!
//! An archive is a zip (or its extracted folder, possibly under a top
//! folder) whose `data/manifest.js` lists the data files. Each DM file is a
//! JavaScript assignment `window.YTD.direct_messages_group.part0 = [ ... ]`
//! of an array of `{"dmConversation": {"conversationId", "messages": [...]}}`,
//! and each message is an object with exactly one key naming its type
//! (`messageCreate`, `participantsJoin`, ...).
//!
//! Files can be hundreds of megabytes, so they are streamed one conversation
//! element at a time with [`crate::json_scan`]. Long conversations are split
//! into several elements whose ranges overlap; repeated messages are read
//! once (by id) and repeated events once (by content).

mod events;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;
use trove_model::{AccountRef, Locator};

use crate::json_scan::{JsonScanner, ScanOptions, error_offset, error_reason};
use crate::media::Located;
use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip};

pub use crate::entities::decode_entities;
use events::{Context, Element, Id, Parsed};

/// Twitter / X direct messages from an account archive.
pub struct Twitter;

/// 2010-11-04T01:42:54.657Z, the zero of Twitter snowflake ids.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

/// How many bytes of progress to batch before telling the sink.
const PROGRESS_STEP: u64 = 1 << 20;

/// The creation time (ms since the Unix epoch) encoded in a Twitter
/// snowflake id: `(id >> 22) + 1288834974657`. `None` for non-numeric ids
/// and for legacy ids below 2^32, which are sequence numbers, not times.
pub fn snowflake_ms(id: &str) -> Option<i64> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = id.parse().ok()?;
    if n < 1 << 32 {
        return None;
    }
    Some((n >> 22) as i64 + SNOWFLAKE_EPOCH_MS)
}

impl Format for Twitter {
    fn name(&self) -> &'static str {
        "twitter"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::TWITTER
    }

    fn sniff(&self, input: &Input) -> Confidence {
        // Claim a folder only when the archive starts at its root (`data/…`),
        // and a zip when it does or sits in one wrapper folder: a folder that
        // merely holds an archive among other exports is walked instead.
        let max_depth = match input.kind() {
            InputKind::File => 0,
            InputKind::Dir => 1,
            InputKind::Zip => 2,
        };
        let shallow = |name: &str| name.matches('/').count() <= max_depth;
        if let Some(manifest) = input.find_suffix("data/manifest.js")
            && shallow(&manifest.name)
            && input
                .head(&manifest.name, 4096)
                .is_ok_and(|head| memchr::memmem::find(&head, b"window.__THAR_CONFIG").is_some())
        {
            return Confidence::Certain;
        }
        // Only a few heads: detection must stay cheap on huge folders.
        let candidates = input.entries().iter().filter(|e| {
            let file = file_name(&e.name);
            shallow(&e.name) && file.starts_with("direct-messages") && file.ends_with(".js")
        });
        for entry in candidates.take(8) {
            if input.head(&entry.name, 256).is_ok_and(|head| starts_with_ytd(&head)) {
                return Confidence::Certain;
            }
        }
        Confidence::No
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        Reader::new(input, options, sink).run()
    }
}

/// The last `/`-separated segment of an entry name.
fn file_name(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

/// Whether `head` starts, after a BOM and whitespace, with `window.YTD.`.
fn starts_with_ytd(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    head[start..].starts_with(b"window.YTD.")
}

/// Orders DM data files found by name: `direct-messages.js`,
/// `direct-messages-partN.js`, `direct-messages-group.js`,
/// `direct-messages-group-partN.js`. `None` for every other name, notably the
/// text-less `direct-message(-group)-headers.js`.
fn dm_file_rank(file: &str) -> Option<(u8, u32)> {
    let stem = file.strip_suffix(".js")?;
    let (group, rest) = match stem.strip_prefix("direct-messages-group") {
        Some(rest) => (1, rest),
        None => (0, stem.strip_prefix("direct-messages")?),
    };
    let part = match rest.strip_prefix("-part") {
        _ if rest.is_empty() => 0,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse().ok()?
        }
        _ => return None,
    };
    Some((group, part))
}

/// A message id, compact when numeric (the usual case) to keep the
/// de-duplication table small on million-message archives.
#[derive(Hash, PartialEq, Eq)]
enum IdKey {
    Number(u64),
    Text(Box<str>),
}

impl IdKey {
    fn new(id: &str) -> IdKey {
        match id.parse::<u64>() {
            Ok(n) if n.to_string() == id => IdKey::Number(n),
            _ => IdKey::Text(id.into()),
        }
    }
}

/// Where a message id was first read, and a fingerprint of its JSON.
struct Seen {
    fingerprint: u64,
    file: usize,
    offset: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<'a> {
    #[serde(default)]
    user_info: Option<UserInfo>,
    #[serde(borrow, default)]
    data_types: Option<HashMap<String, &'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserInfo {
    #[serde(default)]
    account_id: Option<Id>,
    #[serde(default)]
    user_name: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Deserialize)]
struct DataType {
    #[serde(default)]
    files: Vec<ManifestFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestFile {
    file_name: String,
}

#[derive(Deserialize)]
struct AccountElement {
    #[serde(default)]
    account: Option<AccountJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountJson {
    #[serde(default)]
    account_id: Option<Id>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    account_display_name: Option<String>,
}

/// What `manifest.js` told us.
#[derive(Default)]
struct ManifestInfo {
    owner: Option<AccountRef>,
    /// DM file names relative to the archive root; `None` when the manifest
    /// does not list DM data types at all.
    dm_files: Option<Vec<String>>,
}

/// One read of one input.
struct Reader<'a> {
    input: &'a Input,
    options: &'a ReadOptions,
    sink: &'a mut dyn Sink,
    owner: Option<String>,
    media: HashMap<String, Located>,
    /// Keyed by a per-process random seed, so crafted ids cannot collide
    /// on purpose; foldhash rather than SipHash, which cost 2.4% of a 1M
    /// message ingest.
    seen_messages: HashMap<IdKey, Seen, foldhash::fast::RandomState>,
    seen_events: HashSet<String, foldhash::fast::RandomState>,
    /// Display names of the files read so far, indexed by `Seen::file`.
    files: Vec<String>,
}

impl<'a> Reader<'a> {
    fn new(input: &'a Input, options: &'a ReadOptions, sink: &'a mut dyn Sink) -> Reader<'a> {
        Reader {
            input,
            options,
            sink,
            owner: None,
            media: HashMap::new(),
            seen_messages: HashMap::default(),
            seen_events: HashSet::default(),
            files: Vec::new(),
        }
    }

    fn run(mut self) -> Result<(), ReadError> {
        let input = self.input;
        let manifest_entry = input.find_suffix("data/manifest.js").map(|e| e.name.clone());
        // Everything the manifest names is relative to the folder holding `data/`.
        let root = manifest_entry
            .as_deref()
            .and_then(|m| m.strip_suffix("data/manifest.js"))
            .unwrap_or("")
            .to_string();
        let manifest = match &manifest_entry {
            Some(name) => self.manifest(name),
            None => ManifestInfo::default(),
        };
        self.account(&root, manifest.owner);
        self.index_media();

        let files = if *input.kind() == InputKind::File {
            input.entries().iter().map(|e| e.name.clone()).collect()
        } else if let Some(listed) = manifest.dm_files {
            self.resolve_listed(&root, listed)
        } else {
            let mut found: Vec<(&str, (u8, u32), &str)> = input
                .entries()
                .iter()
                .filter_map(|e| {
                    let file = file_name(&e.name);
                    let dir = &e.name[..e.name.len() - file.len()];
                    dm_file_rank(file).map(|rank| (dir, rank, e.name.as_str()))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(ReadError::invalid(
                    input.path().display().to_string(),
                    None,
                    "no Twitter direct message files (data/direct-messages*.js) found",
                ));
            }
            found.into_iter().map(|(_, _, name)| name.to_string()).collect()
        };
        for name in files {
            self.dm_file(&name)?;
        }
        Ok(())
    }

    /// Reads `manifest.js`. A broken manifest is reported and the DM files
    /// are then found by name: it only points at the evidence.
    fn manifest(&mut self, name: &str) -> ManifestInfo {
        let display = self.input.display_entry(name);
        let result = self.small_json(name, ScanOptions::js_values(self.options.max_record_bytes));
        let (offset, bytes) = match result {
            Ok(Some(found)) => found,
            Ok(None) => {
                self.skip(
                    &display,
                    0,
                    "manifest.js holds no JSON value; DM files found by name instead",
                );
                return ManifestInfo::default();
            }
            Err(e) => {
                self.skip_error(&display, &e, "; DM files found by name instead");
                return ManifestInfo::default();
            }
        };
        let manifest: Manifest<'_> = match serde_json::from_slice(&bytes) {
            Ok(m) => m,
            Err(e) => {
                let at = offset + error_offset(&bytes, &e) as u64;
                self.skip(
                    &display,
                    at,
                    format!(
                        "unreadable manifest ({}); DM files found by name instead",
                        error_reason(&e)
                    ),
                );
                return ManifestInfo::default();
            }
        };
        let owner = manifest.user_info.and_then(|u| {
            Some(AccountRef {
                native_id: Arc::from(u.account_id?.0),
                handle: u.user_name.map(Arc::from),
                display_name: u.display_name.map(Arc::from),
            })
        });
        let mut dm_files = None;
        if let Some(types) = &manifest.data_types {
            for key in ["directMessages", "directMessagesGroup"] {
                let Some(raw) = types.get(key) else { continue };
                let listed = dm_files.get_or_insert_with(Vec::new);
                match serde_json::from_str::<DataType>(raw.get()) {
                    Ok(t) => listed.extend(t.files.into_iter().map(|f| f.file_name)),
                    Err(e) => {
                        let inner =
                            (raw.get().as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
                        self.skip(
                            &display,
                            offset + inner as u64,
                            format!("unreadable manifest entry `{key}`: {}", error_reason(&e)),
                        );
                    }
                }
            }
        }
        ManifestInfo { owner, dm_files }
    }

    /// Reads the archive owner from `account.js`, filling gaps from the
    /// manifest's `userInfo`, and tells the sink.
    fn account(&mut self, root: &str, from_manifest: Option<AccountRef>) {
        let input = self.input;
        let entry = input
            .entry(&format!("{root}data/account.js"))
            .or_else(|| input.find_suffix("data/account.js"))
            .map(|e| e.name.clone());
        let mut owner = None;
        if let Some(name) = entry {
            owner = self.account_js(&name);
        }
        let owner = match (owner, from_manifest) {
            (Some(mut a), Some(m)) => {
                if a.native_id == m.native_id {
                    a.handle = a.handle.or(m.handle);
                    a.display_name = a.display_name.or(m.display_name);
                }
                Some(a)
            }
            (a, m) => a.or(m),
        };
        if let Some(owner) = owner {
            self.owner = Some(owner.native_id.to_string());
            self.sink.account(owner);
        }
    }

    fn account_js(&mut self, name: &str) -> Option<AccountRef> {
        let display = self.input.display_entry(name);
        let (offset, bytes) =
            match self.small_json(name, ScanOptions::js_array(self.options.max_record_bytes)) {
                Ok(Some(found)) => found,
                Ok(None) => return None,
                Err(e) => {
                    self.skip_error(&display, &e, "");
                    return None;
                }
            };
        match serde_json::from_slice::<AccountElement>(&bytes) {
            Ok(AccountElement { account: Some(a) }) => Some(AccountRef {
                native_id: Arc::from(a.account_id?.0),
                handle: a.username.map(Arc::from),
                display_name: a.account_display_name.map(Arc::from),
            }),
            Ok(_) => None,
            Err(e) => {
                let at = offset + error_offset(&bytes, &e) as u64;
                self.skip(&display, at, format!("unreadable account: {}", error_reason(&e)));
                None
            }
        }
    }

    /// The first element of a small JSON file.
    fn small_json(
        &self,
        name: &str,
        scan: ScanOptions,
    ) -> Result<Option<(u64, Vec<u8>)>, ReadError> {
        let display = self.input.display_entry(name);
        self.input.with_entry(name, |reader| JsonScanner::new(reader, display, scan).next_element())
    }

    /// Lists local media copies by file name.
    fn index_media(&mut self) {
        for entry in self.input.entries() {
            let file = file_name(&entry.name);
            let dir = entry.name[..entry.name.len() - file.len()].trim_end_matches('/');
            if matches!(file_name(dir), "direct_messages_media" | "direct_messages_group_media") {
                let found = Located { entry: entry.name.clone(), size: entry.size };
                self.media.insert(file.to_string(), found);
            }
        }
    }

    /// Finds the entries the manifest names, under the archive root or, for
    /// a re-packed archive, anywhere with the same ending.
    fn resolve_listed(&mut self, root: &str, listed: Vec<String>) -> Vec<String> {
        let input = self.input;
        let mut files = Vec::new();
        for listed_name in listed {
            let relative = listed_name.trim_start_matches("./").trim_start_matches('/');
            let found = input
                .entry(&format!("{root}{relative}"))
                .or_else(|| input.find_suffix(relative))
                .map(|e| e.name.clone());
            match found {
                Some(name) if !files.contains(&name) => files.push(name),
                Some(_) => {}
                None => {
                    let display = input.display_entry(&format!("{root}{relative}"));
                    self.skip(&display, 0, "manifest.js lists this file but the archive lacks it");
                }
            }
        }
        files
    }

    /// Streams one DM file.
    fn dm_file(&mut self, name: &str) -> Result<(), ReadError> {
        let input = self.input;
        let display = input.display_entry(name);
        let locator_entry: Option<Arc<str>> = input.source_of(name).1.map(Arc::from);
        let file_index = self.files.len();
        self.files.push(display.clone());
        // A whole conversation is one element: it answers to the
        // conversation limit, each of its messages to the record limit.
        let mut scan = ScanOptions::js_array(
            self.options.max_conversation_bytes.max(self.options.max_record_bytes),
        );
        scan.limit_name = "max_conversation_bytes";
        input.with_entry(name, |reader| {
            let mut scanner = JsonScanner::new(reader, display.clone(), scan);
            let mut index = 0usize;
            let mut reported = 0u64;
            while let Some((offset, bytes)) = scanner.next_element()? {
                self.conversation(file_index, &locator_entry, index, offset, &bytes)?;
                index += 1;
                if scanner.bytes_read() - reported >= PROGRESS_STEP {
                    reported = scanner.bytes_read();
                    self.sink.progress(reported);
                }
            }
            self.sink.progress(scanner.bytes_read());
            Ok(())
        })
    }

    /// One `dmConversation` element at `offset` of file `file`.
    fn conversation(
        &mut self,
        file: usize,
        locator_entry: &Option<Arc<str>>,
        index: usize,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), ReadError> {
        let display = self.files.get(file).cloned().unwrap_or_default();
        let element: Element<'_> = match serde_json::from_slice(bytes) {
            Ok(element) => element,
            Err(e) => {
                let at = offset + error_offset(bytes, &e) as u64;
                self.skip(
                    &display,
                    at,
                    format!("$[{index}] is not a readable dmConversation: {}", error_reason(&e)),
                );
                return Ok(());
            }
        };
        let Some(conversation) = element.conversation else {
            self.skip(&display, offset, format!("$[{index}] has no dmConversation"));
            return Ok(());
        };
        // Field by field, not through `&mut self` methods: `cx` keeps
        // borrowing the owner and media while the sink and tables change.
        let cx = Context {
            conversation_id: Arc::from(conversation.id.0.as_str()),
            owner: self.owner.as_deref(),
            media: &self.media,
        };
        for (j, raw) in conversation.messages.iter().enumerate() {
            let text = raw.get();
            // The raw value borrows from `bytes`, so the pointer difference
            // is its position in the element.
            let inner = (text.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
            let inner = if inner <= bytes.len() { inner } else { 0 };
            let at = offset + inner as u64;
            let mut json_path = crate::json_scan::indexed("$", index);
            json_path.push_str(".dmConversation.messages[");
            crate::json_scan::push_decimal(&mut json_path, j);
            json_path.push(']');
            if text.len() > self.options.max_record_bytes {
                return Err(ReadError::invalid(
                    &display,
                    Some(at),
                    format!(
                        "{json_path}: the message that starts here ({} bytes) is larger than \
                         the limit of {} bytes (max_record_bytes)",
                        text.len(),
                        self.options.max_record_bytes
                    ),
                ));
            }
            let locator = Locator {
                entry: locator_entry.clone(),
                offset: at,
                length: text.len() as u64,
                line: None,
                json_path: Some(json_path.clone()),
            };
            match events::parse(text, &cx, locator) {
                Ok(Parsed::Message(id, record, dropped)) => {
                    let print = crate::json_scan::fingerprint(text.as_bytes());
                    match self.seen_messages.entry(IdKey::new(&id)) {
                        Entry::Occupied(first) => {
                            let first = first.get();
                            if first.fingerprint != print {
                                let first_file =
                                    self.files.get(first.file).cloned().unwrap_or_default();
                                let reason = format!(
                                    "{json_path}: message {id} repeats with different content than \
                                     its first copy at {first_file} byte {}; the first copy was kept",
                                    first.offset
                                );
                                skip(self.sink, &display, at, reason);
                            }
                            continue;
                        }
                        Entry::Vacant(slot) => {
                            slot.insert(Seen { fingerprint: print, file, offset: at });
                        }
                    }
                    emit(self.sink, record)?;
                    for why in dropped {
                        let reason = format!(
                            "{json_path}: twitter {why}, not read (the message keeps its JSON)"
                        );
                        crate::field_dropped(self.sink, &display, at, reason);
                    }
                }
                Ok(Parsed::Event(record)) => {
                    let key = format!("{}\n{}", conversation.id.0, text);
                    if self.seen_events.insert(key) {
                        emit(self.sink, record)?;
                    }
                }
                Err(reason) => skip(self.sink, &display, at, format!("{json_path}: {reason}")),
            }
        }
        Ok(())
    }

    fn skip(&mut self, file: &str, offset: u64, reason: impl Into<String>) {
        skip(self.sink, file, offset, reason);
    }

    /// Reports a side file (manifest, account) that could not be read.
    fn skip_error(&mut self, file: &str, error: &ReadError, suffix: &str) {
        let (offset, reason) = match error {
            ReadError::Invalid { offset, reason, .. } => (offset.unwrap_or(0), reason.clone()),
            other => (0, other.to_string()),
        };
        self.skip(file, offset, format!("{reason}{suffix}"));
    }
}

fn emit(sink: &mut dyn Sink, record: trove_model::Record) -> Result<(), ReadError> {
    sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))
}

fn skip(sink: &mut dyn Sink, file: &str, offset: u64, reason: impl Into<String>) {
    sink.skip(Skip { file: file.to_string(), offset, reason: reason.into() });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes() {
        assert_eq!(snowflake_ms("1357036852054798340"), Some(1_612_377_772_712));
        assert_eq!(snowflake_ms("740503092278366208"), Some(1_465_384_669_738));
        assert_eq!(snowflake_ms("163224993"), None);
        assert_eq!(snowflake_ms("2740962808"), None);
        assert_eq!(snowflake_ms("+1357036852054798340"), None);
        assert_eq!(snowflake_ms("99999999999999999999999"), None);
        assert_eq!(snowflake_ms(""), None);
        assert_eq!(snowflake_ms("abc"), None);
    }

    #[test]
    fn dm_file_names() {
        assert_eq!(dm_file_rank("direct-messages.js"), Some((0, 0)));
        assert_eq!(dm_file_rank("direct-messages-part3.js"), Some((0, 3)));
        assert_eq!(dm_file_rank("direct-messages-group.js"), Some((1, 0)));
        assert_eq!(dm_file_rank("direct-messages-group-part12.js"), Some((1, 12)));
        for no in [
            "direct-message-headers.js",
            "direct-message-group-headers.js",
            "direct-messages-part.js",
            "direct-messages-groupie.js",
            "direct-messages.json",
            "direct-messages-part1x.js",
        ] {
            assert_eq!(dm_file_rank(no), None, "{no}");
        }
    }

    #[test]
    fn ytd_heads() {
        assert!(starts_with_ytd(b"window.YTD.direct_messages.part0 = ["));
        assert!(starts_with_ytd(b"\xEF\xBB\xBF \n window.YTD.x"));
        assert!(!starts_with_ytd(b"[{\"dmConversation\""));
        assert!(!starts_with_ytd(b""));
    }

    #[test]
    fn fingerprints_ignore_layout_only() {
        assert_eq!(
            crate::json_scan::fingerprint("{ \"a\" : \"x y\" }".as_bytes()),
            crate::json_scan::fingerprint("{\"a\":\"x y\"}".as_bytes())
        );
        assert_ne!(
            crate::json_scan::fingerprint("{\"a\":\"x y\"}".as_bytes()),
            crate::json_scan::fingerprint("{\"a\":\"xy\"}".as_bytes())
        );
        assert_ne!(
            crate::json_scan::fingerprint(r#"{"a":"\" b"}"#.as_bytes()),
            crate::json_scan::fingerprint(r#"{"a":"\"b"}"#.as_bytes())
        );
    }
}
