//! Facebook Messenger and Instagram "Download Your Information" JSON.
//!
//! **Legacy export.** One thread is a folder `…/messages/inbox/<slug>_<id>/`
//! (also `archived_threads/`, `filtered_threads/`, `message_requests/`)
//! holding `message_1.json`, `message_2.json`, …: each an object with
//! `participants` (`[{name}]`), `messages`, `title`, `thread_path`
//! (`inbox/<slug>_<id>`, the thread's stable key), `thread_type`, …
//! `message_1.json` holds the newest messages and every file lists them
//! newest first. A message has `sender_name`, `timestamp_ms` (Unix ms, UTC),
//! `content`, `type` (`Generic`, `Share`, `Call`, `Subscribe`,
//! `Unsubscribe`; missing since 2024), media lists (`photos`, `videos`,
//! `audio_files`, `files`, `gifs` of `{uri}`, and `sticker {uri}`), `share
//! {link}`, `reactions [{reaction, actor}]`, `users [{name}]` (who joined or
//! left) and `is_unsent`. Instagram writes the same shape.
//!
//! **E2EE export** (messenger.com secure storage, 2024+; key set
//! UNVERIFIED): one JSON per conversation with `threadName`,
//! `participants`, `messages[]` of `senderName`, `timestamp` (ms), `text`,
//! `media [{uri}]`, `reactions`, `isUnsent`. The same reader takes both:
//! every field is looked up under either name.
//!
//! Traps:
//! - **Mojibake.** Legacy files write each UTF-8 byte as a `\u00XX` escape;
//!   [`repair_mojibake`] undoes it per string, and only where the string is
//!   provably mojibake. Applied to every string the reader takes (also in
//!   E2EE files, where it leaves proper UTF-8 unchanged).
//! - **No ids.** Accounts are display names (the repaired `sender_name` is
//!   the account id); conversations are keyed by `thread_path` (or, when a
//!   file lacks it, by its folder under `messages/`, or its file name).
//!   Messages have no id at all.
//! - **Header after data.** `title` and `thread_path` follow the
//!   `messages` array, so each file is streamed twice: once for the header
//!   members (the messages skipped without buffering), once for the
//!   messages. Each message is bounded by `max_record_bytes`; a file is never
//!   held whole.
//! - **Order.** Records come in file order (parts by number, messages newest
//!   first as exported); they carry their time, and the store orders them.
//! - Media `uri`s are relative to the export root, which is not marked: each
//!   ancestor of the thread file is tried, and the size comes from the
//!   container listing when the file is present.
//! - Generated sentences (calls, renames, joins) are localised; renames are
//!   only recognisable by their wording and stay ordinary messages.
//!
//! **Messenger or Instagram?** The files are identical, so sniffing looks
//! for where the export came from: `your_instagram_activity/` or
//! `followers_and_following/` entries (or such `uri`s) mean Instagram;
//! `your_facebook_activity/`, `your_activity_across_facebook/` and the
//! Messenger-only `messages/` siblings (`e2ee_cutover`, `archived_threads`,
//! `filtered_threads`, `stickers_used`, `encrypted`) mean Messenger; failing
//! those, `instagram` / `facebook` / `messenger` in the input's path. With a
//! signal the matching reader is `Certain` and the other `Maybe`; without one
//! (e.g. a lone `message_1.json`) both are `Maybe` and the user chooses with
//! `--format`.

mod message;
pub(crate) mod scan;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use serde_json::Value;
use trove_model::{AccountRef, ConversationRef, Locator};

use crate::intern::Accounts;

use crate::json_scan::error_reason;
use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip};
use message::Context;
use scan::{Captured, ObjectScanner};

pub use message::repair_mojibake;

/// Facebook Messenger DYI JSON (`message_N.json`, legacy and E2EE).
pub struct Messenger;

/// Instagram DYI JSON (`message_N.json`).
pub struct Instagram;

impl Format for Messenger {
    fn name(&self) -> &'static str {
        "messenger"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::MESSENGER
    }
    fn sniff(&self, input: &Input) -> Confidence {
        Signals::of(input).messenger()
    }
    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        Reader::new(input, options, sink, self.platform()).run()
    }
}

impl Format for Instagram {
    fn name(&self) -> &'static str {
        "instagram"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::INSTAGRAM
    }
    fn sniff(&self, input: &Input) -> Confidence {
        Signals::of(input).instagram()
    }
    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        Reader::new(input, options, sink, self.platform()).run()
    }
}

/// How much of a file sniffing reads.
const HEAD: usize = 4096;
/// How many thread files sniffing looks into.
const SNIFF_FILES: usize = 4;
/// How many bytes of progress to batch before telling the sink.
const PROGRESS_STEP: u64 = 1 << 20;

/// What an input shows of a DYI export.
#[derive(Debug, Default)]
struct Signals {
    /// A legacy thread file (`thread_path`, `sender_name` + `timestamp_ms`).
    legacy: bool,
    /// An E2EE conversation file (`senderName`, `threadName`).
    e2ee: bool,
    facebook: bool,
    instagram: bool,
}

impl Signals {
    fn of(input: &Input) -> Signals {
        let mut s = Signals::default();
        let mut heads: Vec<&str> = Vec::new();
        match input.kind() {
            InputKind::File => {
                heads.extend(input.entries().iter().map(|e| e.name.as_str()));
            }
            InputKind::Dir | InputKind::Zip => {
                let mut other_json = Vec::new();
                for entry in input.entries() {
                    s.note_entry_name(&entry.name);
                    if message_part(&entry.name).is_some() {
                        if heads.len() < SNIFF_FILES {
                            heads.push(&entry.name);
                        }
                    } else if other_json.len() < SNIFF_FILES && has_json_ext(&entry.name) {
                        other_json.push(entry.name.as_str());
                    }
                }
                // A secure-storage (E2EE) download has no message_N.json.
                if heads.is_empty() {
                    heads = other_json;
                }
            }
        }
        for name in heads {
            let Ok(head) = input.head(name, HEAD) else { continue };
            match shape(&head) {
                Some(Shape::Legacy) => s.legacy = true,
                Some(Shape::E2ee) => s.e2ee = true,
                None => continue,
            }
            if contains(&head, b"your_instagram_activity/") {
                s.instagram = true;
            }
            if contains(&head, b"your_facebook_activity/")
                || contains(&head, b"your_activity_across_facebook/")
            {
                s.facebook = true;
            }
        }
        if !s.facebook && !s.instagram {
            // Downloads are named `instagram-<user>-<date>…` / `facebook-…`.
            let path = input.path().to_string_lossy().to_ascii_lowercase();
            let instagram = path.contains("instagram");
            let facebook = path.contains("facebook") || path.contains("messenger");
            if instagram != facebook {
                s.instagram = instagram;
                s.facebook = facebook;
            }
        }
        s
    }

    /// Platform hints in one entry name.
    fn note_entry_name(&mut self, name: &str) {
        let mut previous = "";
        for segment in name.split('/') {
            let seg = |s: &str| segment.eq_ignore_ascii_case(s);
            if seg("your_instagram_activity") || seg("followers_and_following") {
                self.instagram = true;
            }
            if seg("your_facebook_activity") || seg("your_activity_across_facebook") {
                self.facebook = true;
            }
            if previous.eq_ignore_ascii_case("messages")
                && [
                    "e2ee_cutover",
                    "archived_threads",
                    "filtered_threads",
                    "stickers_used",
                    "encrypted",
                ]
                .iter()
                .any(|s| seg(s))
            {
                self.facebook = true;
            }
            previous = segment;
        }
    }

    fn messenger(&self) -> Confidence {
        if !self.legacy && !self.e2ee {
            Confidence::No
        } else if self.legacy && self.facebook && !self.instagram {
            Confidence::Certain
        } else {
            Confidence::Maybe
        }
    }

    fn instagram(&self) -> Confidence {
        let readable = self.legacy || (self.e2ee && self.instagram);
        if !readable {
            Confidence::No
        } else if self.legacy && self.instagram && !self.facebook {
            Confidence::Certain
        } else {
            Confidence::Maybe
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Legacy,
    E2ee,
}

/// Which kind of thread file `head` (the first bytes) starts, if any.
fn shape(head: &[u8]) -> Option<Shape> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    if head.get(start) != Some(&b'{') {
        return None;
    }
    if contains(head, b"\"senderName\"") || contains(head, b"\"threadName\"") {
        Some(Shape::E2ee)
    } else if contains(head, b"\"thread_path\"")
        || (contains(head, b"\"sender_name\"") && contains(head, b"\"timestamp_ms\""))
    {
        Some(Shape::Legacy)
    } else {
        None
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

fn has_json_ext(name: &str) -> bool {
    name.len() > 5 && name.get(name.len() - 5..).is_some_and(|e| e.eq_ignore_ascii_case(".json"))
}

/// The last `/`-separated segment of an entry name.
fn file_name(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

/// For `…/message_<N>.json`: the folder (with its trailing `/`) and `N`.
fn message_part(entry: &str) -> Option<(&str, u32)> {
    let file = file_name(entry);
    let digits = file.strip_prefix("message_")?.strip_suffix(".json")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((&entry[..entry.len() - file.len()], digits.parse().ok()?))
}

/// The files to read, in order: legacy thread parts by folder and number,
/// then E2EE conversation files.
fn plan(input: &Input) -> Result<Vec<String>, ReadError> {
    if *input.kind() == InputKind::File {
        return Ok(input.entries().iter().map(|e| e.name.clone()).collect());
    }
    let mut legacy: Vec<(&str, u32, &str)> = input
        .entries()
        .iter()
        .filter_map(|e| message_part(&e.name).map(|(dir, n)| (dir, n, e.name.as_str())))
        .collect();
    legacy.sort();
    let mut files: Vec<String> = legacy.into_iter().map(|(_, _, name)| name.to_string()).collect();
    let legacy_found = !files.is_empty();
    for entry in input.entries() {
        if !has_json_ext(&entry.name) || message_part(&entry.name).is_some() {
            continue;
        }
        let encrypted = entry.name.split('/').collect::<Vec<_>>().windows(2).any(|w| {
            w.first().is_some_and(|s| s.eq_ignore_ascii_case("messages"))
                && w.get(1).is_some_and(|s| s.eq_ignore_ascii_case("encrypted"))
        });
        // Without legacy files, the input may be a secure-storage download
        // whose layout is not known: look at every JSON file.
        if encrypted
            || (!legacy_found && input.head(&entry.name, HEAD).is_ok_and(|h| shape(&h).is_some()))
        {
            files.push(entry.name.clone());
        }
    }
    if files.is_empty() {
        return Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "no Messenger/Instagram thread files (messages/inbox/*/message_N.json, or E2EE \
             conversation JSON) found",
        ));
    }
    Ok(files)
}

/// The thread key for a file without `thread_path`: its folder below
/// `messages/` (`inbox/alice_123`, the form `thread_path` takes), else its
/// folder name, else its file name without `.json`. E2EE files, one per
/// conversation, add their file name.
fn fallback_thread_id(input: &Input, name: &str) -> String {
    let full = match input.kind() {
        InputKind::File => input.path().to_string_lossy().replace('\\', "/"),
        _ => name.to_string(),
    };
    let file = file_name(&full);
    let dir = full[..full.len() - file.len()].trim_end_matches('/');
    let stem =
        file.get(..file.len().saturating_sub(5)).filter(|_| has_json_ext(file)).unwrap_or(file);
    let per_folder = message_part(file).is_some();
    let segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let below_messages =
        segments.iter().rposition(|s| s.eq_ignore_ascii_case("messages")).and_then(|i| {
            let rest = segments.get(i + 1..)?;
            (!rest.is_empty()).then(|| rest.join("/"))
        });
    match (per_folder, below_messages) {
        (true, Some(rest)) => rest,
        (false, Some(rest)) => format!("{rest}/{stem}"),
        (true, None) => segments.last().map_or_else(|| stem.to_string(), |s| s.to_string()),
        (false, None) => stem.to_string(),
    }
}

/// What the non-message members of a thread file say.
#[derive(Debug, Default)]
struct Header {
    participants: Vec<String>,
    title: Option<String>,
    thread_path: Option<String>,
    /// Whether a `messages` array was found.
    has_messages: bool,
    /// Members that could not be read: offset and reason.
    problems: Vec<(u64, String)>,
}

/// Pass one: the header members; messages are skipped unbuffered. A
/// broken file gives what was read before the break, and the error.
fn read_header(reader: &mut dyn Read, display: &str, limit: usize) -> (Header, Option<ReadError>) {
    let mut header = Header::default();
    let error = header_members(reader, display, limit, &mut header).err();
    (header, error)
}

fn header_members(
    reader: &mut dyn Read,
    display: &str,
    limit: usize,
    header: &mut Header,
) -> Result<(), ReadError> {
    let mut scanner = ObjectScanner::new(reader, display);
    while let Some((key_offset, key)) = scanner.next_key()? {
        match key.as_str() {
            "messages" => {
                if scanner.enter_array()? {
                    header.has_messages = true;
                } else {
                    header.problems.push((key_offset, "`messages` is not a list".to_string()));
                }
            }
            "participants" | "title" | "threadName" | "thread_path" => {
                let (offset, captured) = scanner.value(limit)?;
                let bytes = match captured {
                    Captured::Bytes(bytes) => bytes,
                    Captured::TooLarge(length) => {
                        header.problems.push((
                            offset,
                            format!(
                                "`{key}` is {length} bytes, over the limit of {limit} bytes \
                                 (max_record_bytes); not read"
                            ),
                        ));
                        continue;
                    }
                };
                let value: Value = match serde_json::from_slice(&bytes) {
                    Ok(value) => value,
                    Err(e) => {
                        header
                            .problems
                            .push((offset, format!("unreadable `{key}`: {}", error_reason(&e))));
                        continue;
                    }
                };
                let text = |v: &Value| v.as_str().map(|s| repair_mojibake(s).into_owned());
                match (key.as_str(), &value) {
                    (_, Value::Null) => {}
                    ("participants", Value::Array(items)) => {
                        header.participants.extend(
                            items
                                .iter()
                                .filter_map(|p| text(p).or_else(|| p.get("name").and_then(&text))),
                        );
                    }
                    ("title", v) | ("threadName", v) if v.is_string() => {
                        if header.title.is_none() || key == "title" {
                            header.title = text(v);
                        }
                    }
                    ("thread_path", v) if v.is_string() => header.thread_path = text(v),
                    _ => header.problems.push((offset, format!("`{key}` has an unexpected type"))),
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// One read of one input.
struct Reader<'a> {
    input: &'a Input,
    options: &'a ReadOptions,
    sink: &'a mut dyn Sink,
    platform: &'static str,
    /// Container members by name, with their sizes (for attachments).
    sizes: HashMap<String, u64>,
    /// Participants already told to the sink.
    accounts: HashSet<String>,
}

impl<'a> Reader<'a> {
    fn new(
        input: &'a Input,
        options: &'a ReadOptions,
        sink: &'a mut dyn Sink,
        platform: &'static str,
    ) -> Reader<'a> {
        Reader { input, options, sink, platform, sizes: HashMap::new(), accounts: HashSet::new() }
    }

    fn run(mut self) -> Result<(), ReadError> {
        let files = plan(self.input)?;
        let single = *self.input.kind() == InputKind::File;
        if !single {
            self.sizes = self.input.entries().iter().map(|e| (e.name.clone(), e.size)).collect();
        }
        for name in files {
            match self.file(&name) {
                Ok(()) => {}
                Err(ReadError::Stopped(why)) => return Err(ReadError::Stopped(why)),
                // One broken thread file of thousands: report it, read the rest.
                Err(error) if !single => {
                    let display = self.input.display_entry(&name);
                    let (offset, reason) = match error {
                        ReadError::Invalid { offset, reason, .. } => (offset.unwrap_or(0), reason),
                        other => (0, other.to_string()),
                    };
                    self.sink.skip(Skip {
                        file: display,
                        offset,
                        reason: format!("{reason}; the file was not read past this point"),
                    });
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Reads one thread file, in two passes.
    fn file(&mut self, name: &str) -> Result<(), ReadError> {
        let input = self.input;
        let display = input.display_entry(name);
        let limit = self.options.max_record_bytes;
        let (header, error) =
            input.with_entry(name, |reader| Ok(read_header(reader, &display, limit)))?;
        for (offset, reason) in &header.problems {
            skip(self.sink, &display, *offset, reason.clone());
        }
        match error {
            // The messages before the break are still evidence: pass two
            // reads them and then meets the same error.
            Some(_) if header.has_messages => {}
            Some(error) => return Err(error),
            None => {}
        }
        if !header.has_messages {
            skip(
                self.sink,
                &display,
                0,
                "no `messages` list: not a Messenger/Instagram thread file",
            );
            return Ok(());
        }
        for participant in header.participants {
            if self.accounts.insert(participant.clone()) {
                self.sink.account(AccountRef {
                    native_id: Arc::from(participant.as_str()),
                    display_name: Some(Arc::from(participant)),
                    handle: None,
                });
            }
        }
        let conversation = ConversationRef {
            native_id: Arc::from(
                header.thread_path.unwrap_or_else(|| fallback_thread_id(input, name)),
            ),
            name: header.title.map(Arc::from),
            scope: None,
        };
        let roots = if *input.kind() == InputKind::File { Vec::new() } else { roots(name) };
        let mut cx = Context {
            platform: self.platform,
            conversation: &conversation,
            sizes: &self.sizes,
            roots: &roots,
            accounts: Accounts::default(),
        };
        let locator_entry: Option<Arc<str>> = input.source_of(name).1.map(Arc::from);
        let sink = &mut *self.sink;
        input.with_entry(name, |reader| {
            let mut scanner = ObjectScanner::new(reader, display.clone());
            let mut index = 0usize;
            let mut reported = 0u64;
            // Fields of an odd shape in the message being read (reused).
            let mut dropped: Vec<String> = Vec::new();
            while let Some((_, key)) = scanner.next_key()? {
                if key != "messages" || !scanner.enter_array()? {
                    continue;
                }
                while let Some((offset, captured)) = scanner.next_element(limit)? {
                    let mut json_path = String::with_capacity(32);
                    json_path.push_str("$.messages[");
                    crate::json_scan::push_decimal(&mut json_path, index);
                    json_path.push(']');
                    index += 1;
                    let bytes = match captured {
                        Captured::Bytes(bytes) => bytes,
                        Captured::TooLarge(length) => {
                            let reason = format!(
                                "{json_path}: a message of {length} bytes, over the limit of \
                                 {limit} bytes (max_record_bytes)"
                            );
                            skip(sink, &display, offset, reason);
                            continue;
                        }
                    };
                    let Ok(text) = std::str::from_utf8(&bytes) else {
                        skip(sink, &display, offset, format!("{json_path}: not valid UTF-8"));
                        continue;
                    };
                    let locator = Locator {
                        entry: locator_entry.clone(),
                        offset,
                        length: bytes.len() as u64,
                        line: None,
                        json_path: Some(json_path),
                    };
                    match message::parse(text, &mut cx, locator, &mut dropped) {
                        Ok(record) => {
                            sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))?;
                            for why in dropped.drain(..) {
                                let reason = format!(
                                    "$.messages[{}]: messenger {why} (the message keeps its JSON)",
                                    index - 1
                                );
                                crate::field_dropped(sink, &display, offset, reason);
                            }
                        }
                        Err(reason) => {
                            // The path went into the locator; rebuilt for the rare skip.
                            let json_path = format!("$.messages[{}]", index - 1);
                            skip(sink, &display, offset, format!("{json_path}: {reason}"))
                        }
                    }
                    if scanner.bytes_read() - reported >= PROGRESS_STEP {
                        reported = scanner.bytes_read();
                        sink.progress(reported);
                    }
                }
            }
            sink.progress(scanner.bytes_read());
            Ok(())
        })
    }
}

/// Every folder above entry `name`, outermost (the container root) first,
/// each with its trailing `/`.
fn roots(name: &str) -> Vec<String> {
    let mut roots = vec![String::new()];
    let dir = &name[..name.len() - file_name(name).len()];
    for (i, b) in dir.bytes().enumerate() {
        if b == b'/' {
            roots.push(dir[..=i].to_string());
        }
    }
    roots
}

fn skip(sink: &mut dyn Sink, file: &str, offset: u64, reason: impl Into<String>) {
    sink.skip(Skip { file: file.to_string(), offset, reason: reason.into() });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn message_parts() {
        assert_eq!(
            message_part("messages/inbox/a_1/message_12.json"),
            Some(("messages/inbox/a_1/", 12))
        );
        assert_eq!(message_part("message_1.json"), Some(("", 1)));
        for no in [
            "message_.json",
            "message_1.js",
            "messages_1.json",
            "message_1x.json",
            "a/message_-1.json",
        ] {
            assert_eq!(message_part(no), None, "{no}");
        }
    }

    #[test]
    fn roots_are_every_ancestor() {
        assert_eq!(roots("a/b/c.json"), ["", "a/", "a/b/"]);
        assert_eq!(roots("c.json"), [""]);
    }

    #[test]
    fn shapes() {
        assert_eq!(
            shape(b" {\"participants\": [], \"thread_path\": \"inbox/x\"}"),
            Some(Shape::Legacy)
        );
        assert_eq!(
            shape(b"{\"messages\": [{\"sender_name\": \"a\", \"timestamp_ms\": 1"),
            Some(Shape::Legacy)
        );
        assert_eq!(shape(b"{\"threadName\": \"x\""), Some(Shape::E2ee));
        assert_eq!(shape(b"[{\"thread_path\": 1}]"), None);
        assert_eq!(shape(b"{\"sender_name\": 1}"), None);
        assert_eq!(shape(b""), None);
    }

    #[test]
    fn entry_names_give_the_platform() {
        let mut s = Signals::default();
        s.note_entry_name("your_instagram_activity/messages/inbox/a_1/message_1.json");
        assert!(s.instagram && !s.facebook);
        let mut s = Signals::default();
        s.note_entry_name("x/messages/stickers_used/a.png");
        assert!(s.facebook && !s.instagram);
        let mut s = Signals::default();
        s.note_entry_name("stickers_used/messages/inbox/a.png");
        assert!(!s.facebook && !s.instagram);
    }
}
