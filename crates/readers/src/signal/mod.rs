//! Signal Desktop exports made by third-party tools (Signal has no export
//! of its own): **signal-export** (carderne/signal-export) and **sigtop**'s
//! text format (tbvdm/sigtop).
//!
//! signal-export writes one folder per conversation, named after the
//! contact or group (de-duplicated as `Alice`, `Alice2`):
//!
//! * `data.json`: JSON Lines despite the name, the richest form (explicit
//!   `deleted`, `call`, `edits`, attachments with `missing_kind`);
//! * `chat.md` (`index.md` in old versions): a Markdown transcript,
//!   `[2019-05-29 15:04:00] Aya: text` (older `[2019-05-29, 15:04]`, the form
//!   of the bundled chat-miner fixture), decorations described in
//!   `markdown.rs`;
//! * `index.html` and `media/`.
//!
//! A folder with `data.json` is read from it and its `chat.md` is left
//! alone (the same messages); without `data.json`, `chat.md` is read. A
//! single file is read whatever its name: JSON Lines if it starts with `{`,
//! sigtop text if it starts with `Conversation: `, Markdown otherwise.
//!
//! Traps and decisions:
//!
//! * **Time**: signal-export writes the exporting machine's local time
//!   without offset, so dates are read in the asserted zone
//!   ([`ReadOptions::zone`], `AssertedZone`). sigtop writes an explicit
//!   offset (`LocalWithOffset`).
//! * **No ids**: neither tool exports message ids, so records have no
//!   `native_id` and replies cannot be linked; a quoted message is kept in
//!   `raw` (`{"quote": ...}`) and left out of `text`.
//! * **People are names** in signal-export (`Me` for the owner; the tool's
//!   `No-Sender` placeholder gives no sender); sigtop names them
//!   `Name (phone/username/ACI)`, and the part in parentheses is the id
//!   (`You` for the owner). Reactions name reactors the same way.
//! * signal-export appends two spaces to every body (Markdown line breaks)
//!   and strips backticks; the two spaces are removed, backticks cannot be
//!   restored. `(This message was deleted)` and `"deleted": true` mark a
//!   deleted message (`deleted`, empty text).
//! * Calls (`"call": true`) and sigtop's non-message types
//!   (`group-v2-change`, `keychange`, ...) become `Other` events.
//! * Edits: `data.json` `edits` and sigtop's `| Version:` history are kept
//!   oldest first, `text` being the latest; sigtop also gives the time of
//!   the latest edit (`edited_at`).
//! * Attachment sizes come from the input's listing (paths are relative to
//!   the conversation folder; `%20` stands for a space), or for a single
//!   file from the file beside it on disk; sigtop states sizes itself.
//! * A Markdown message runs until the next header line, so a body line
//!   that itself looks like `[2019-05-29 15:04:00] Name: ...` starts a new
//!   record; `data.json` has no such ambiguity.

mod jsonl;
mod lines;
mod markdown;
mod sigtop;

use std::cell::RefCell;
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde_json::Value;
use trove_model::{AccountRef, ConversationRef, Locator, Record, Timestamp};

use crate::intern::Accounts;
use crate::media::{self, Located};
use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip, timefmt};

/// signal-export output (`chat.md` / `data.json`) and sigtop text exports.
pub struct Signal;

/// How often progress is reported.
const PROGRESS_STEP: u64 = 1 << 20;
/// How much of a file sniffing and kind detection look at.
const HEAD: usize = 4096;

/// The three layouts this reader knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Markdown,
    Jsonl,
    Sigtop,
}

impl Format for Signal {
    fn name(&self) -> &'static str {
        "signal"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::SIGNAL
    }

    fn sniff(&self, input: &Input) -> Confidence {
        match input.kind() {
            InputKind::File => {
                let Some(entry) = input.entries().first() else { return Confidence::No };
                let Ok(head) = input.head(&entry.name, HEAD) else { return Confidence::No };
                sniff_file(file_name(&entry.name), &head)
            }
            InputKind::Dir | InputKind::Zip => {
                let exports = input
                    .entries()
                    .iter()
                    .filter(|e| matches!(file_name(&e.name), "chat.md" | "index.md" | "data.json"))
                    .take(4);
                for entry in exports {
                    if let Ok(head) = input.head(&entry.name, HEAD)
                        && sniff_file(file_name(&entry.name), &head) == Confidence::Certain
                    {
                        return Confidence::Certain;
                    }
                }
                let texts = input.entries().iter().filter(|e| is_txt(&e.name)).take(8);
                for entry in texts {
                    if input.head(&entry.name, HEAD).is_ok_and(|h| sigtop::looks_like(&h)) {
                        return Confidence::Certain;
                    }
                }
                Confidence::No
            }
        }
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let (zone, zone_name) = options.zone();
        for (name, kind) in plan(input)? {
            check_text(input, &name)?;
            let folder = match name.rfind('/') {
                Some(slash) => name.get(..=slash).unwrap_or("").to_string(),
                None => String::new(),
            };
            let ctx = Ctx {
                display: input.display_entry(&name),
                entry: input.source_of(&name).1.map(Arc::from),
                conversation: conversation_of(input, &name),
                folder,
                input,
                zone: zone.clone(),
                zone_name: Arc::clone(&zone_name),
                max: options.max_record_bytes,
                accounts: RefCell::new(Accounts::default()),
                found: RefCell::new(media::Found::default()),
            };
            match kind {
                Kind::Markdown => markdown::read(input, &name, &ctx, sink)?,
                Kind::Jsonl => jsonl::read(input, &name, &ctx, sink)?,
                Kind::Sigtop => sigtop::read(input, &name, &ctx, sink)?,
            }
        }
        Ok(())
    }
}

/// `Certain` for a `chat.md`/`index.md` whose first line is a message
/// header, a `data.json` whose first line is a signal-export message, or
/// sigtop text; `Maybe` for other `.md`/`.txt`/`.json`/`.jsonl` files with
/// those first lines.
/// `[YYYY-MM-DD, HH:MM] ` exactly.
fn old_signal_export_header(line: &str) -> bool {
    let b = line.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    b.len() > 20
        && b[0] == b'['
        && digits(1..5)
        && b[5] == b'-'
        && digits(6..8)
        && b[8] == b'-'
        && digits(9..11)
        && &b[11..13] == b", "
        && digits(13..15)
        && b[15] == b':'
        && digits(16..18)
        && &b[18..20] == b"] "
}

fn sniff_file(name: &str, head: &[u8]) -> Confidence {
    if sigtop::looks_like(head) {
        return Confidence::Certain;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.split(|&b| b == b'\n').find(|l| !l.trim_ascii().is_empty()).unwrap_or(&[]);
    let first = String::from_utf8_lossy(first);
    let first = first.trim_end_matches('\r');
    let lower = name.to_ascii_lowercase();
    if markdown::header(first).is_some() {
        return match lower.as_str() {
            "chat.md" | "index.md" => Confidence::Certain,
            // `[2019-12-24, 12:23] ` (ISO date, comma, minutes, brackets) is
            // signal-export's old header; WhatsApp's bracketed (iOS)
            // headers always carry seconds and never this date layout.
            _ if (lower.ends_with(".txt") || lower.ends_with(".md"))
                && old_signal_export_header(first) =>
            {
                Confidence::Certain
            }
            _ if lower.ends_with(".md") || lower.ends_with(".txt") => Confidence::Maybe,
            _ => Confidence::No,
        };
    }
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(first)
        && ["date", "sender", "body"].iter().all(|k| map.contains_key(*k))
        && ["quote", "reactions", "attachments", "sticker"].iter().any(|k| map.contains_key(*k))
    {
        return match lower.as_str() {
            "data.json" => Confidence::Certain,
            _ if lower.ends_with(".json") || lower.ends_with(".jsonl") => Confidence::Maybe,
            _ => Confidence::No,
        };
    }
    Confidence::No
}

/// What to read: a single file by its content; in a folder or zip every
/// `data.json`, every `chat.md`/`index.md` in a folder without one, and
/// every `.txt` that is sigtop output.
fn plan(input: &Input) -> Result<Vec<(String, Kind)>, ReadError> {
    if *input.kind() == InputKind::File {
        let mut out = Vec::new();
        for entry in input.entries() {
            let head = input.head(&entry.name, HEAD)?;
            let trimmed = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
            let kind = if sigtop::looks_like(&head) {
                Kind::Sigtop
            } else if trimmed.trim_ascii_start().starts_with(b"{") {
                Kind::Jsonl
            } else {
                Kind::Markdown
            };
            out.push((entry.name.clone(), kind));
        }
        return Ok(out);
    }
    let folders_with_json: Vec<&str> = input
        .entries()
        .iter()
        .filter(|e| file_name(&e.name) == "data.json")
        .map(|e| folder_of(&e.name))
        .collect();
    let mut out = Vec::new();
    for entry in input.entries() {
        let name = entry.name.as_str();
        match file_name(name) {
            "data.json" => out.push((name.to_string(), Kind::Jsonl)),
            "chat.md" | "index.md" if !folders_with_json.contains(&folder_of(name)) => {
                out.push((name.to_string(), Kind::Markdown));
            }
            _ if is_txt(name)
                && input.head(name, HEAD).is_ok_and(|head| sigtop::looks_like(&head)) =>
            {
                out.push((name.to_string(), Kind::Sigtop));
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "no signal-export conversation (data.json or chat.md) and no sigtop text file found",
        ));
    }
    Ok(out)
}

/// Refuses UTF-16 and binary data before reading lines of it.
fn check_text(input: &Input, name: &str) -> Result<(), ReadError> {
    let head = input.head(name, 8192)?;
    let display = || input.display_entry(name);
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(ReadError::invalid(
            display(),
            Some(0),
            "UTF-16 text is not supported; convert the file to UTF-8",
        ));
    }
    if let Some(at) = memchr::memchr(0, &head) {
        return Err(ReadError::invalid(
            display(),
            Some(at as u64),
            "binary data, not a Signal export (NUL byte in the first 8 KiB)",
        ));
    }
    Ok(())
}

/// The last `/`-separated segment of an entry name.
fn file_name(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

/// The folder part of an entry name (`a/b/` of `a/b/chat.md`).
fn folder_of(entry: &str) -> &str {
    &entry[..entry.len() - file_name(entry).len()]
}

fn is_txt(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".txt")
}

/// The conversation of an entry: the folder signal-export named after the
/// chat for `chat.md`/`index.md`/`data.json`, else the file's stem
/// (sigtop files name theirs in their first line).
fn conversation_of(input: &Input, name: &str) -> ConversationRef {
    let file = file_name(name);
    let inner = file_name(folder_of(name).trim_end_matches('/'));
    let folder = match input.kind() {
        InputKind::Dir | InputKind::Zip if !inner.is_empty() => Some(inner.to_string()),
        // The input is the conversation folder itself (or a zip of it), or
        // a single file in one.
        _ => {
            let path = input.path();
            let name = match input.kind() {
                InputKind::Dir => path.file_name(),
                InputKind::Zip => path.file_stem(),
                InputKind::File => path.parent().and_then(|p| p.file_name()),
            };
            name.map(|n| n.to_string_lossy().into_owned())
        }
    };
    let chat = match folder {
        Some(folder)
            if !folder.is_empty() && matches!(file, "chat.md" | "index.md" | "data.json") =>
        {
            folder
        }
        _ => {
            let file = match input.kind() {
                InputKind::File => input
                    .path()
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| file.to_string()),
                _ => file.to_string(),
            };
            match file.rfind('.') {
                Some(dot) if dot > 0 => file.get(..dot).unwrap_or(&file).to_string(),
                _ => file,
            }
        }
    };
    let chat: Arc<str> = Arc::from(chat);
    ConversationRef { native_id: Arc::clone(&chat), name: Some(chat), scope: None }
}

/// What every record of one entry shares.
#[derive(Clone)]
pub(super) struct Ctx<'m> {
    /// The entry as named in errors and skips.
    display: String,
    /// The locator's entry.
    entry: Option<Arc<str>>,
    conversation: ConversationRef,
    /// Folder of the entry inside the input, with a trailing `/` (or "").
    folder: String,
    input: &'m Input,
    zone: TimeZone,
    zone_name: Arc<str>,
    max: usize,
    /// Senders named so far in this entry, shared across its records. In
    /// a cell because the readers hold the context shared; each borrow
    /// ends within the call that takes it.
    accounts: RefCell<Accounts>,
    /// Attachment files looked up so far in this entry (same cell rule).
    found: RefCell<media::Found>,
}

impl Ctx<'_> {
    fn skip(&self, sink: &mut dyn Sink, offset: u64, reason: String) {
        sink.skip(Skip { file: self.display.clone(), offset, reason });
    }

    fn locator(&self, offset: u64, length: u64, line: Option<u64>) -> Locator {
        Locator { entry: self.entry.clone(), offset, length, line, json_path: None }
    }

    /// A zone-less local time (`text`, normalised for parsing) in the
    /// asserted zone, keeping `original`.
    fn local_time(&self, text: &str, original: &str) -> Result<Timestamp, String> {
        timefmt::parse_timestamp(text, &self.zone, &self.zone_name)
            .map(|mut t| {
                if t.original != original {
                    t.original = original.to_string();
                }
                t
            })
            .map_err(|e| format!("cannot read date `{}`: {e}", original.escape_debug()))
    }

    /// [`Ctx::local_time`] for a date and time already read into fields:
    /// the same timestamp and the same error.
    fn local_civil(&self, civil: timefmt::Civil, original: &str) -> Result<Timestamp, String> {
        timefmt::naive_in_zone(civil, original, &self.zone, &self.zone_name)
            .map(|(t, _)| t)
            .map_err(|e| format!("cannot read date `{}`: {e}", original.escape_debug()))
    }

    /// A sender or reactor as signal-export names them; its `No-Sender`
    /// placeholder is nobody.
    fn account(&self, name: &str) -> Option<AccountRef> {
        let name = name.trim();
        if name.is_empty() || name == "No-Sender" {
            return None;
        }
        Some(self.accounts.borrow_mut().get(name, Some(name), None))
    }

    /// The file at `path` (relative to the entry's folder, as
    /// signal-export writes it: `./media/x.jpg`, `../exported_stickers/...`,
    /// spaces as `%20`), when the input holds it.
    fn locate(&self, path: &str) -> Option<Located> {
        self.found.borrow_mut().locate(self.input, &self.folder, path)
    }
}

/// `image`, `audio` or `video` by extension, as signal-export itself
/// classifies files.
fn kind_of_file(path: &str) -> Option<String> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    let kind = match ext.as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "tif" | "tiff" | "webp" | "apng" | "svg" => "image",
        "m4a" | "aac" | "mp3" | "ogg" | "opus" | "wav" | "flac" => "audio",
        "mp4" | "mov" | "mkv" | "mpeg" | "webm" | "qt" => "video",
        _ => return None,
    };
    Some(kind.to_string())
}

fn emit(sink: &mut dyn Sink, record: Record) -> Result<(), ReadError> {
    sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        let md = b"[2019-12-24, 12:23] Jane Doe: Hello John!\n";
        assert_eq!(sniff_file("chat.md", md), Confidence::Certain);
        // The old `[YYYY-MM-DD, HH:MM]` header is signal-export's alone.
        assert_eq!(sniff_file("test_export.txt", md), Confidence::Certain);
        let current = b"[2019-12-24 12:23:05] Jane Doe: Hello John!\n";
        assert_eq!(sniff_file("notes.txt", current), Confidence::Maybe);
        assert_eq!(sniff_file("notes.csv", md), Confidence::No);
        let json = br#"{"date": "2019-05-29T15:04:00", "sender": "Aya", "body": "x  ", "quote": "", "sticker": null, "reactions": [], "attachments": []}"#;
        assert_eq!(sniff_file("data.json", json), Confidence::Certain);
        assert_eq!(sniff_file("x.jsonl", json), Confidence::Maybe);
        assert_eq!(sniff_file("data.json", br#"{"text": "x"}"#), Confidence::No);
        assert_eq!(
            sniff_file("x.txt", b"Conversation: Bob (+1)\n\nFrom: Bob (+1)\nType: incoming\n"),
            Confidence::Certain
        );
        assert_eq!(sniff_file("chat.md", b"# hello\n"), Confidence::No);
    }
}
