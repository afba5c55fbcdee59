//! Telegram Desktop "machine-readable JSON" exports (`result.json`).
//!
//! Two shapes share one file name:
//!
//! * **single chat** (`ChatExport_*/result.json`): the chat object itself,
//!   `{"name", "type", "id", "messages": [...]}`;
//! * **full account** (`DataExport_*/result.json`): a wrapper whose chats sit
//!   in `chats.list[]` and `left_chats.list[]`, next to `personal_information`
//!   (the owner, reported through [`Sink::account`]), contacts, sessions and
//!   other data that are not messages and are walked over.
//!
//! A full-account file can be gigabytes, so it is never parsed whole: a
//! small streaming walker (`walk.rs`) descends key by key to each
//! `messages[j]` and parses one message at a time, citing its exact bytes
//! (offset, length and a JSON path such as `$.chats.list[3].messages[12]`).
//!
//! Traps handled (see `telegram-desktop-json.md`):
//!
//! * `text` is a string or an array mixing strings and entity objects; the
//!   plain text is every run concatenated. `link` entities and the `href` of
//!   `text_link` become [`trove_model::UrlRef`]s (from `text_entities` when present).
//! * `date_unixtime` (UTC seconds, since mid-2022) is preferred; an export
//!   with only `date` (the exporter's wall clock, no offset) is read in the
//!   asserted zone ([`ReadOptions::zone`]) and marked `AssertedZone`. The
//!   same goes for `edited`/`edited_unixtime` (only the last edit is
//!   exported, so `edits` stays empty) and reaction times.
//! * `from_id` is `user123`/`channel123`/`chat123`, or a bare number before
//!   2021; it is the account id, `from` (possibly `null`) its display name.
//!   Without `from_id` the name stands as the id.
//! * Service messages become events: `create_group`, `invite_members`,
//!   `join_group_by_link`/`_by_request` are joins, `remove_members` a leave,
//!   `edit_group_title` a rename (the record's conversation name is the new
//!   title), everything else (`pin_message`, `migrate_*`, calls, ...) an
//!   `Other(action)` event; free-text `information_text` notes are
//!   `Other("information_text")`. Member lists are names, not ids, so
//!   targets carry names. Service records keep their JSON in `raw`.
//! * Message ids are per chat and can be negative (history pulled in from a
//!   basic group migrated to a supergroup is shifted by -1,000,000,000);
//!   they are kept as written. The conversation id is the chat `id`.
//! * Media paths are relative to the folder of `result.json`; placeholders
//!   such as `(File not included. ...)` are kept as the reference but never
//!   looked up. Sizes come from the input's listing when the file is there
//!   (for a bare `result.json`, from the file beside it on disk), else from
//!   `file_size`/`photo_file_size`.
//! * Tdesktop escapes control bytes as `\xNN`, which is not JSON; a message
//!   that fails to parse is retried with those rewritten to `\u00NN`.
//! * `type: "unsupported"` messages carry only `id` and `type` (no date), so
//!   they are reported as skips rather than given an invented time.
//! * Reactions name their reactors only in `recent[]`; a count beyond those
//!   keeps the message's JSON in `raw`. So do unmodelled keys (polls,
//!   locations, contacts, `via_bot`, ...) and cross-chat replies
//!   (`reply_to_peer_id`), whose `reply_to` is left empty because the id
//!   belongs to another chat.
//!
//! Tolerance: messages without `id`, `from_id` or `text_entities` (e.g.
//! hand-made fixtures) still read; a chat without `id` is named by its
//! `name`, else by the export folder (single chat) or its position
//! (`chats.list[3]`). The exporter writes a chat's `name`, `type` and `id`
//! before its `messages`; when a file does not, that chat's messages are
//! read in a second pass once its header is known.

mod message;
mod walk;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde_json::Value;

use crate::intern::Accounts;
use crate::json_scan::lite::Lite;
use crate::json_scan::push_decimal;
use trove_model::{AccountRef, ConversationRef, Locator};

use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip, media};
use walk::{Captured, Walker};

/// Telegram Desktop JSON exports (`result.json`).
pub struct Telegram;

/// How many bytes of progress to batch before telling the sink.
const PROGRESS_STEP: u64 = 1 << 20;
/// The largest chat `name`/`type`/`id` value kept.
const MAX_META: usize = 64 * 1024;
/// How much of a file sniffing looks at.
const SNIFF_BYTES: usize = 4096;

impl Format for Telegram {
    fn name(&self) -> &'static str {
        "telegram"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::TELEGRAM
    }

    fn sniff(&self, input: &Input) -> Confidence {
        let candidates: Vec<&str> = match input.kind() {
            InputKind::File => input.entries().iter().map(|e| e.name.as_str()).collect(),
            InputKind::Dir | InputKind::Zip => input
                .entries()
                .iter()
                .filter(|e| file_name(&e.name) == "result.json")
                .map(|e| e.name.as_str())
                .take(4)
                .collect(),
        };
        let mut best = Confidence::No;
        for name in candidates {
            let Ok(head) = input.head(name, SNIFF_BYTES) else { continue };
            let confidence = sniff_head(&head, file_name(name) == "result.json");
            best = best.max(confidence);
        }
        best
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let documents = documents(input)?;
        let (zone, zone_name) = options.zone();
        let mut reader = Reader { input, options, sink, zone, zone_name };
        for name in documents {
            reader.document(&name)?;
        }
        Ok(())
    }
}

/// Whether the first bytes of a file look like a Telegram export:
/// `Certain` for a JSON object with a Telegram-only key or chat type,
/// `Maybe` for a `result.json` object with `messages` or `chats`.
fn sniff_head(head: &[u8], named_result: bool) -> Confidence {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    if head.get(start) != Some(&b'{') {
        return Confidence::No;
    }
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    const STRONG: &[&[u8]] = &[
        b"\"date_unixtime\"",
        b"\"text_entities\"",
        b"\"personal_information\"",
        b"\"personal_chat\"",
        b"\"bot_chat\"",
        b"\"private_group\"",
        b"\"private_supergroup\"",
        b"\"public_supergroup\"",
        b"\"private_channel\"",
        b"\"public_channel\"",
        b"\"saved_messages\"",
        b"\"from_id\": \"user",
        b"\"from_id\":\"user",
    ];
    let structural = has(b"\"messages\"") || has(b"\"chats\"") || has(b"\"about\"");
    if structural && STRONG.iter().any(|s| has(s)) {
        Confidence::Certain
    } else if named_result && structural {
        Confidence::Maybe
    } else {
        Confidence::No
    }
}

/// The entries to read: a single file whatever its name; in a folder or
/// zip every `result.json`, or else every `.json` whose head looks like a
/// Telegram export.
fn documents(input: &Input) -> Result<Vec<String>, ReadError> {
    if *input.kind() == InputKind::File {
        return Ok(input.entries().iter().map(|e| e.name.clone()).collect());
    }
    let named: Vec<String> = input
        .entries()
        .iter()
        .filter(|e| file_name(&e.name) == "result.json")
        .map(|e| e.name.clone())
        .collect();
    if !named.is_empty() {
        return Ok(named);
    }
    let sniffed: Vec<String> = input
        .entries()
        .iter()
        .filter(|e| file_name(&e.name).to_ascii_lowercase().ends_with(".json"))
        .filter(|e| {
            input
                .head(&e.name, SNIFF_BYTES)
                .is_ok_and(|head| sniff_head(&head, false) == Confidence::Certain)
        })
        .map(|e| e.name.clone())
        .collect();
    if sniffed.is_empty() {
        return Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "no Telegram export found (no result.json, and no .json file that looks like one)",
        ));
    }
    Ok(sniffed)
}

/// The last `/`-separated segment of an entry name.
fn file_name(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

/// Which chat object of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ChatKey {
    /// The document itself (single-chat export).
    Top,
    /// `chats.list[i]`.
    Chats(usize),
    /// `left_chats.list[i]`.
    LeftChats(usize),
}

impl ChatKey {
    /// The JSON path of the chat object.
    fn path(self) -> String {
        match self {
            ChatKey::Top => "$".to_string(),
            ChatKey::Chats(i) => format!("$.chats.list[{i}]"),
            ChatKey::LeftChats(i) => format!("$.left_chats.list[{i}]"),
        }
    }
}

/// What a chat object states about itself.
#[derive(Clone, Debug, Default)]
struct ChatMeta {
    id: Option<String>,
    name: Option<String>,
    seen_id: bool,
    seen_name: bool,
    seen_type: bool,
}

impl ChatMeta {
    /// Whether the header is not complete when `messages` starts (the
    /// exporter always writes `type` and `id` first).
    fn incomplete(&self) -> bool {
        !self.seen_id || (!self.seen_name && !self.seen_type)
    }

    fn conversation(&self, fallback: impl FnOnce() -> String) -> ConversationRef {
        ConversationRef {
            native_id: Arc::from(
                self.id.clone().or_else(|| self.name.clone()).unwrap_or_else(fallback),
            ),
            name: self.name.as_deref().map(Arc::from),
            scope: None,
        }
    }
}

/// One pass over one document.
struct Doc<'d> {
    /// The entry, as named in errors and skips.
    display: String,
    /// The locator's entry.
    entry: Option<Arc<str>>,
    /// Folder of the entry inside the input, with a trailing `/` (or "").
    base: String,
    /// Conversation id of a top-level chat without `id` or `name`.
    fallback: String,
    /// Second pass: only these chats' messages are read, with these
    /// headers.
    only: Option<&'d HashMap<ChatKey, ChatMeta>>,
    /// First pass: chats whose messages came before their header.
    deferred: HashMap<ChatKey, ChatMeta>,
    next_progress: u64,
}

impl Doc<'_> {
    fn first_pass(&self) -> bool {
        self.only.is_none()
    }
}

struct Reader<'a> {
    input: &'a Input,
    options: &'a ReadOptions,
    sink: &'a mut dyn Sink,
    zone: TimeZone,
    zone_name: Arc<str>,
}

type W<'r> = Walker<&'r mut dyn Read>;

impl Reader<'_> {
    /// Reads one `result.json`, in a second pass for chats whose header
    /// came after their messages.
    fn document(&mut self, name: &str) -> Result<(), ReadError> {
        let deferred = self.pass(name, None)?;
        if !deferred.is_empty() {
            self.pass(name, Some(&deferred))?;
        }
        Ok(())
    }

    fn pass(
        &mut self,
        name: &str,
        only: Option<&HashMap<ChatKey, ChatMeta>>,
    ) -> Result<HashMap<ChatKey, ChatMeta>, ReadError> {
        let input = self.input;
        let display = input.display_entry(name);
        let base = match name.rfind('/') {
            Some(slash) => name[..=slash].to_string(),
            None => String::new(),
        };
        let mut doc = Doc {
            display: display.clone(),
            entry: input.source_of(name).1.map(Arc::from),
            fallback: fallback_id(input, name),
            base,
            only,
            deferred: HashMap::new(),
            next_progress: PROGRESS_STEP,
        };
        input.with_entry(name, |reader| {
            let mut w = Walker::new(reader, display);
            w.skip_bom()?;
            w.open(b'{', "a JSON object (a Telegram export starts with `{`)")?;
            let mut top = ChatMeta::default();
            let mut top_deferred = false;
            let mut first = true;
            while let Some((_, key)) = w.next_key(&mut first)? {
                match key.as_str() {
                    "id" | "name" | "type" => self.meta_field(&mut w, &doc, &mut top, &key)?,
                    "messages" => {
                        top_deferred |= self.messages(&mut w, &mut doc, ChatKey::Top, &top)?;
                    }
                    "chats" | "left_chats" => self.chat_list(&mut w, &mut doc, &key)?,
                    "personal_information" if doc.first_pass() => self.owner(&mut w, &doc)?,
                    _ => {
                        w.skip_value()?;
                    }
                }
            }
            w.end()?;
            if top_deferred {
                doc.deferred.insert(ChatKey::Top, top);
            }
            if doc.first_pass() {
                self.sink.progress(w.offset());
            }
            Ok(())
        })?;
        Ok(doc.deferred)
    }

    /// `chats` or `left_chats`: `{"about": ..., "list": [chat, ...]}`.
    fn chat_list(
        &mut self,
        w: &mut W<'_>,
        doc: &mut Doc<'_>,
        section: &str,
    ) -> Result<(), ReadError> {
        if w.peek()? != Some(b'{') {
            let at = w.skip_value()?;
            self.structure_skip(doc, at, format!("$.{section} is not an object; passed over"));
            return Ok(());
        }
        w.open(b'{', "an object")?;
        let mut first = true;
        while let Some((_, key)) = w.next_key(&mut first)? {
            if key != "list" {
                w.skip_value()?;
                continue;
            }
            if w.peek()? != Some(b'[') {
                let at = w.skip_value()?;
                self.structure_skip(
                    doc,
                    at,
                    format!("$.{section}.list is not an array; passed over"),
                );
                continue;
            }
            w.open(b'[', "an array")?;
            let mut first_item = true;
            let mut index = 0usize;
            while w.next_item(&mut first_item)? {
                let key = if section == "chats" {
                    ChatKey::Chats(index)
                } else {
                    ChatKey::LeftChats(index)
                };
                self.chat(w, doc, key)?;
                index += 1;
            }
        }
        Ok(())
    }

    /// One chat object of a list.
    fn chat(&mut self, w: &mut W<'_>, doc: &mut Doc<'_>, key: ChatKey) -> Result<(), ReadError> {
        if w.peek()? != Some(b'{') {
            let at = w.skip_value()?;
            self.structure_skip(
                doc,
                at,
                format!("{} is not a chat object; passed over", key.path()),
            );
            return Ok(());
        }
        w.open(b'{', "a chat object")?;
        let mut meta = ChatMeta::default();
        let mut deferred = false;
        let mut first = true;
        while let Some((_, name)) = w.next_key(&mut first)? {
            match name.as_str() {
                "id" | "name" | "type" => self.meta_field(w, doc, &mut meta, &name)?,
                "messages" => deferred |= self.messages(w, doc, key, &meta)?,
                _ => {
                    w.skip_value()?;
                }
            }
        }
        if deferred {
            doc.deferred.insert(key, meta);
        }
        Ok(())
    }

    /// A chat's `id`, `name` or `type`.
    fn meta_field(
        &mut self,
        w: &mut W<'_>,
        doc: &Doc<'_>,
        meta: &mut ChatMeta,
        key: &str,
    ) -> Result<(), ReadError> {
        let (at, bytes) = match w.capture(MAX_META)? {
            Captured::Value(at, bytes) => (at, bytes),
            Captured::TooLarge(at, len) => {
                self.structure_skip(doc, at, format!("chat `{key}` of {len} bytes passed over"));
                return Ok(());
            }
        };
        let value = match parse_value(&bytes) {
            Ok(value) => value,
            Err((inner, reason)) => {
                let reason = format!("chat `{key}` is not readable JSON: {reason}");
                self.structure_skip(doc, at + inner as u64, reason);
                return Ok(());
            }
        };
        match key {
            "id" => {
                meta.seen_id = true;
                meta.id = message::id_text_value(&value);
            }
            "name" => {
                meta.seen_name = true;
                meta.name = value.as_str().filter(|s| !s.is_empty()).map(str::to_string);
            }
            _ => meta.seen_type = true,
        }
        Ok(())
    }

    /// A chat's `messages`; true when they were passed over because the
    /// chat's header is not known yet (first pass).
    fn messages(
        &mut self,
        w: &mut W<'_>,
        doc: &mut Doc<'_>,
        key: ChatKey,
        meta: &ChatMeta,
    ) -> Result<bool, ReadError> {
        let (meta, deferred) = match doc.only {
            Some(only) => match only.get(&key) {
                Some(known) => (known.clone(), false),
                None => {
                    w.skip_value()?;
                    return Ok(false);
                }
            },
            None if meta.incomplete() => {
                w.skip_value()?;
                return Ok(true);
            }
            None => (meta.clone(), false),
        };
        let chat_path = key.path();
        let prefix = format!("{chat_path}.messages");
        if w.peek()? != Some(b'[') {
            let at = w.skip_value()?;
            self.skip(doc, at, format!("{prefix} is not an array; passed over"));
            return Ok(deferred);
        }
        w.open(b'[', "an array")?;
        let conversation = meta.conversation(|| match key {
            ChatKey::Top => doc.fallback.clone(),
            _ => chat_path.trim_start_matches("$.").to_string(),
        });
        let input = self.input;
        let base = doc.base.as_str();
        let files = move |relative: &str| media::locate(input, base, relative);
        let chat = message::Chat {
            conversation,
            chat_id: meta.id.as_deref(),
            media: &files,
            zone: &self.zone,
            zone_name: &self.zone_name,
            accounts: RefCell::new(Accounts::default()),
        };
        let max = self.options.max_record_bytes;
        let mut first = true;
        let mut j = 0usize;
        // Fields of an odd shape in the message being read (reused).
        let mut odd: Vec<String> = Vec::new();
        while w.next_item(&mut first)? {
            match w.capture(max)? {
                Captured::Value(offset, bytes) => {
                    let mut json_path = String::with_capacity(prefix.len() + 12);
                    json_path.push_str(&prefix);
                    json_path.push('[');
                    push_decimal(&mut json_path, j);
                    json_path.push(']');
                    let locator = Locator {
                        entry: doc.entry.clone(),
                        offset,
                        length: bytes.len() as u64,
                        line: None,
                        json_path: Some(json_path),
                    };
                    match message::parse(&bytes, &chat, locator, &mut odd) {
                        Ok(record) => {
                            self.sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))?;
                            for why in odd.drain(..) {
                                let reason = format!(
                                    "{prefix}[{j}]: telegram {why}, not read (the message keeps \
                                     its JSON)"
                                );
                                crate::field_dropped(self.sink, &doc.display, offset, reason);
                            }
                        }
                        Err((inner, reason)) => {
                            odd.clear();
                            let at = offset + inner as u64;
                            // The path went into the locator; rebuilt for the rare skip.
                            let path = format!("{prefix}[{j}]");
                            skip_to(self.sink, &doc.display, at, format!("{path}: {reason}"));
                        }
                    }
                }
                Captured::TooLarge(offset, len) => {
                    let path = format!("{prefix}[{j}]");
                    let reason = format!(
                        "{path} is {len} bytes, over the limit of {max} bytes (max_record_bytes); \
                         passed over"
                    );
                    skip_to(self.sink, &doc.display, offset, reason);
                }
            }
            j += 1;
            // A second pass re-reads bytes already counted.
            if doc.first_pass() && w.offset() >= doc.next_progress {
                self.sink.progress(w.offset());
                doc.next_progress = w.offset() + PROGRESS_STEP;
            }
        }
        Ok(deferred)
    }

    /// `personal_information`: the account that made the export.
    fn owner(&mut self, w: &mut W<'_>, doc: &Doc<'_>) -> Result<(), ReadError> {
        let (at, bytes) = match w.capture(self.options.max_record_bytes)? {
            Captured::Value(at, bytes) => (at, bytes),
            Captured::TooLarge(at, _) => {
                self.skip(doc, at, "personal_information is too large; passed over");
                return Ok(());
            }
        };
        let map = match message::parse_object(&bytes) {
            Ok(map) => map,
            Err((inner, reason)) => {
                let reason = format!("personal_information is not readable: {reason}");
                self.skip(doc, at + inner as u64, reason);
                return Ok(());
            }
        };
        let Some(id) = map.get("user_id").and_then(message::id_text) else {
            return Ok(());
        };
        let text = |key: &str| map.get(key).and_then(Lite::as_str).map(str::trim).unwrap_or("");
        let full = format!("{} {}", text("first_name"), text("last_name")).trim().to_string();
        let handle = text("username").trim_start_matches('@');
        self.sink.account(AccountRef {
            // The form `from_id` uses for users, so the owner matches their
            // own messages.
            native_id: Arc::from(if id.bytes().all(|b| b.is_ascii_digit()) {
                format!("user{id}")
            } else {
                id
            }),
            display_name: (!full.is_empty()).then(|| Arc::from(full)),
            handle: (!handle.is_empty()).then(|| Arc::from(handle)),
        });
        Ok(())
    }

    fn skip(&mut self, doc: &Doc<'_>, offset: u64, reason: impl Into<String>) {
        skip_to(self.sink, &doc.display, offset, reason);
    }

    /// A skip about the document's structure, reported in the first pass
    /// only (the second pass walks the same bytes again).
    fn structure_skip(&mut self, doc: &Doc<'_>, offset: u64, reason: impl Into<String>) {
        if doc.first_pass() {
            self.skip(doc, offset, reason);
        }
    }
}

fn skip_to(sink: &mut dyn Sink, file: &str, offset: u64, reason: impl Into<String>) {
    sink.skip(Skip { file: file.to_string(), offset, reason: reason.into() });
}

/// A small JSON value, with Telegram's `\xNN` escapes repaired if needed.
fn parse_value(bytes: &[u8]) -> Result<Value, message::Failure> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => Ok(value),
        Err(e) => {
            let failure =
                (crate::json_scan::error_offset(bytes, &e), crate::json_scan::error_reason(&e));
            let repaired = message::repair_hex_escapes(bytes).ok_or_else(|| failure.clone())?;
            serde_json::from_slice(&repaired).map_err(|_| failure)
        }
    }
}

/// The conversation id of a single-chat export that states neither `id` nor
/// `name`: the export folder (`ChatExport_2024-01-01`) for a `result.json`,
/// else the file's stem.
fn fallback_id(input: &Input, name: &str) -> String {
    let file = file_name(name);
    if file == "result.json" {
        let inner = name.strip_suffix(file).map(|d| file_name(d.trim_end_matches('/')));
        let folder = match (input.kind(), inner) {
            (InputKind::Dir | InputKind::Zip, Some(inner)) if !inner.is_empty() => {
                Some(inner.to_string())
            }
            _ => container_name(input),
        };
        if let Some(folder) = folder.filter(|f| !f.is_empty()) {
            return folder;
        }
    }
    let file = match input.kind() {
        InputKind::File => input
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.to_string()),
        _ => file.to_string(),
    };
    match file.rfind('.') {
        Some(dot) if dot > 0 => file[..dot].to_string(),
        _ => file,
    }
}

/// The name of the folder an input is or sits in: a folder's own name, a
/// zip's stem, a single file's parent folder.
fn container_name(input: &Input) -> Option<String> {
    let path = input.path();
    let name = match input.kind() {
        InputKind::Dir => path.file_name(),
        InputKind::Zip => path.file_stem(),
        InputKind::File => path.parent().and_then(|p| p.file_name()),
    };
    name.map(|n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_heads() {
        let single = br#"{ "name": "A", "type": "personal_chat", "id": 1, "messages": []}"#;
        assert_eq!(sniff_head(single, false), Confidence::Certain);
        let full = br#"{"about": "Here is the data", "personal_information": {"user_id": 1}}"#;
        assert_eq!(sniff_head(full, true), Confidence::Certain);
        let minimal = br#"{"messages": [{"type": "message", "date_unixtime": "1"}]}"#;
        assert_eq!(sniff_head(minimal, false), Confidence::Certain);
        let vague = br#"{"messages": [{"x": 1}]}"#;
        assert_eq!(sniff_head(vague, true), Confidence::Maybe);
        assert_eq!(sniff_head(vague, false), Confidence::No);
        assert_eq!(sniff_head(b"[{\"date_unixtime\": 1}]", true), Confidence::No);
        assert_eq!(sniff_head(b"", true), Confidence::No);
    }
}
