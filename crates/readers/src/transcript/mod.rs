//! Generic CSV and JSONL transcripts: one message per row.
//!
//! This is the reader for chats that circulate as spreadsheets or line
//! dumps rather than platform exports, such as the WikiLeaks group DM
//! (`text,date,user`). Columns are found by `--map` or by common names;
//! zone-less times are read in `--tz`; rows by an `--event-sender`
//! pseudo-user become join/leave/rename events.
//!
//! Column names recognised without a map (case-insensitive, first match
//! wins; a column already mapped to another field is not reused):
//!
//! | field | names |
//! |---|---|
//! | text (required) | `text`, `body`, `message`, `msg`, `content` |
//! | sent_at (required) | `sent_at`, `timestamp`, `ts`, `date`, `time`, `datetime`, `created_at`, `createdAt` |
//! | sender | `sender`, `from`, `user`, `author`, `username`, `name` |
//! | sender_id | `sender_id`, `from_id`, `user_id`, `author_id` |
//! | conversation | `conversation`, `chat`, `channel`, `room`, `thread`, `group` |
//! | id | `id`, `_id`, `message_id`, `msg_id` |
//! | reply_to | `reply_to`, `reply_to_id`, `in_reply_to` |
//!
//! Mapped names (`--map sender=u.username`) match a CSV header exactly or
//! else case-insensitively; for JSONL they are keys, dotted for nested
//! objects, and must occur in the objects of the first MiB.
//!
//! Each row becomes a message: the conversation is the conversation column
//! or else the file stem; the sender's id is the sender-id column or else
//! the sender name. Event rows name accounts by the names the text uses.
//!
//! Decisions worth knowing:
//!
//! * **Bad rows are skips, not errors.** A row without text, without a
//!   timestamp or with one that cannot be read, and a JSONL line that is not
//!   a JSON object, are reported to [`Sink::skip`] with the file, the row's
//!   byte offset and `line N: ...`, and reading carries on. Rows whose
//!   fields are all blank (`,,,`) are passed over silently.
//! * **Invalid UTF-8 is decoded lossily** (U+FFFD) per field and the row is
//!   kept: leaked files are often mis-encoded, a replaced character is
//!   visible in the text, and the locator still points at the exact bytes.
//! * **Line endings inside quoted CSV fields are normalised** from `\r\n` to
//!   `\n`, so a CRLF copy and an LF copy of a file read the same (lone `\r`
//!   is kept). The locator keeps the exact bytes.
//! * **Ragged CSV rows are read flexibly**: missing fields are empty, extra
//!   fields ignored.
//! * **Limits**: a raw line (or a CSV record, which may span lines inside
//!   quotes) longer than [`ReadOptions::max_record_bytes`] stops the read
//!   with [`ReadError::Invalid`] at the offset where it started, after
//!   buffering at most about that many bytes. NUL bytes in the first 8 KiB
//!   mean binary data to detection, which passes such a file by; read with
//!   the reader named, only a NUL in the first line (the header) refuses
//!   it, and a NUL in a cell is read. A UTF-8 BOM is skipped; offsets still
//!   count from the real start of the file.
//! * **Locators** give the row's first byte (after any blank lines), its
//!   length without the line terminator, and its 1-based line.
//! * **A timestamp column is required**: without one, records would need an
//!   invented time, so a file without one is refused like one without text.
//!   Ambiguous numeric dates (`05/06/2015`) are month-first per
//!   [`crate::timefmt`].
//! * Folders and zips are not sniffed; with `--format csv`/`jsonl` every
//!   member with a matching extension is read.

mod csv;
mod events;
mod jsonl;

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::io::Read;
use std::sync::Arc;

use jiff::tz::TimeZone;
use trove_model::{AccountRef, ConversationRef, Locator, Record, RecordKind};

use crate::intern::{Accounts, Names};

use crate::{
    ColumnMap, Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip, timefmt,
};

/// CSV (and TSV, semicolon-separated) transcripts with a header row.
pub struct Csv;
/// JSON Lines transcripts: one JSON object per line.
pub struct Jsonl;

impl Format for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::TRANSCRIPT
    }
    fn sniff(&self, input: &Input) -> Confidence {
        csv::sniff(input)
    }
    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        for name in entries_to_read(input, csv::EXTENSIONS)? {
            let result = csv::read_entry(input, &name, options, sink);
            crate::member_failed(input, result, options, sink)?;
        }
        Ok(())
    }
}

impl Format for Jsonl {
    fn name(&self) -> &'static str {
        "jsonl"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::TRANSCRIPT
    }
    fn sniff(&self, input: &Input) -> Confidence {
        jsonl::sniff(input)
    }
    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        for name in entries_to_read(input, jsonl::CONTAINER_EXTENSIONS)? {
            let result = jsonl::read_entry(input, &name, options, sink);
            crate::member_failed(input, result, options, sink)?;
        }
        Ok(())
    }
}

/// A single file is read whatever its name (the user chose the format);
/// in a folder or zip, the members with one of `extensions`.
fn entries_to_read(input: &Input, extensions: &[&str]) -> Result<Vec<String>, ReadError> {
    let names: Vec<String> = match input.kind() {
        InputKind::File => input.entries().iter().map(|e| e.name.clone()).collect(),
        InputKind::Dir | InputKind::Zip => input
            .entries()
            .iter()
            .filter(|e| has_extension(&e.name, extensions))
            .map(|e| e.name.clone())
            .collect(),
    };
    if names.is_empty() && *input.kind() != InputKind::File {
        return Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            format!("no member ends in .{}", extensions.join(" or .")),
        ));
    }
    Ok(names)
}

/// Case-insensitive extension check.
fn has_extension(name: &str, extensions: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    extensions.iter().any(|ext| {
        lower.len() > ext.len() + 1
            && lower.ends_with(ext)
            && lower.as_bytes()[lower.len() - ext.len() - 1] == b'.'
    })
}

/// The single entry of a plain-file input, which is all sniffing looks at.
fn single_file(input: &Input) -> Option<&str> {
    match (input.kind(), input.entries()) {
        (InputKind::File, [entry]) => Some(&entry.name),
        _ => None,
    }
}

/// A record field a column can feed. Each has the column names that are
/// recognised for it when `--map` does not name one (case-insensitive, in
/// order of preference).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    /// `text|body|message|msg|content`
    Text,
    /// `sent_at|timestamp|ts|date|time|datetime|created_at|createdAt`
    SentAt,
    /// `sender|from|user|author|username|name`
    Sender,
    /// `sender_id|from_id|user_id|author_id`
    SenderId,
    /// `conversation|chat|channel|room|thread|group`
    Conversation,
    /// `id|_id|message_id|msg_id`
    Id,
    /// `reply_to|reply_to_id|in_reply_to`
    ReplyTo,
}

const FIELDS: [Field; 7] = [
    Field::Text,
    Field::SentAt,
    Field::Sender,
    Field::SenderId,
    Field::Conversation,
    Field::Id,
    Field::ReplyTo,
];

impl Field {
    /// The `--map` key.
    fn key(self) -> &'static str {
        match self {
            Field::Text => "text",
            Field::SentAt => "sent_at",
            Field::Sender => "sender",
            Field::SenderId => "sender_id",
            Field::Conversation => "conversation",
            Field::Id => "id",
            Field::ReplyTo => "reply_to",
        }
    }

    fn candidates(self) -> &'static [&'static str] {
        match self {
            Field::Text => &["text", "body", "message", "msg", "content"],
            Field::SentAt => &[
                "sent_at",
                "timestamp",
                "ts",
                "date",
                "time",
                "datetime",
                "created_at",
                "createdat",
            ],
            Field::Sender => &["sender", "from", "user", "author", "username", "name"],
            Field::SenderId => &["sender_id", "from_id", "user_id", "author_id"],
            Field::Conversation => &["conversation", "chat", "channel", "room", "thread", "group"],
            Field::Id => &["id", "_id", "message_id", "msg_id"],
            Field::ReplyTo => &["reply_to", "reply_to_id", "in_reply_to"],
        }
    }

    fn mapped(self, map: &ColumnMap) -> Option<&str> {
        match self {
            Field::Text => map.text.as_deref(),
            Field::SentAt => map.sent_at.as_deref(),
            Field::Sender => map.sender.as_deref(),
            Field::SenderId => map.sender_id.as_deref(),
            Field::Conversation => map.conversation.as_deref(),
            Field::Id => map.id.as_deref(),
            Field::ReplyTo => map.reply_to.as_deref(),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Whether a header line or first object has a column we would read as
/// text without a map.
fn has_text_candidate<'a>(mut columns: impl Iterator<Item = &'a str>) -> bool {
    columns.any(|c| Field::Text.candidates().iter().any(|k| c.trim().eq_ignore_ascii_case(k)))
}

/// Which column (by index into the column list) feeds each field.
pub(crate) type Columns = [Option<usize>; 7];

/// Finds the column for every field: mapped names must exist (exact match
/// first, then case-insensitive); unmapped fields take the first common
/// name present that no mapped field already uses. Text and a timestamp
/// are required.
fn resolve(
    columns: &[String],
    map: &ColumnMap,
    file: &str,
    offset: u64,
    what: &str,
) -> Result<Columns, ReadError> {
    let listing = || {
        let shown: Vec<String> =
            columns.iter().take(60).map(|c| format!("`{}`", c.escape_debug())).collect();
        let more = if columns.len() > 60 { ", ..." } else { "" };
        if shown.is_empty() {
            format!("the file has no {what}s")
        } else {
            format!("the file has {what}s {}{more}", shown.join(", "))
        }
    };
    let find = |name: &str| {
        let name = name.trim();
        columns
            .iter()
            .position(|c| c.trim() == name)
            .or_else(|| columns.iter().position(|c| c.trim().eq_ignore_ascii_case(name)))
    };
    let mut found: Columns = [None; 7];
    for field in FIELDS {
        if let Some(name) = field.mapped(map) {
            let index = find(name).ok_or_else(|| {
                ReadError::invalid(
                    file,
                    Some(offset),
                    format!(
                        "{what} `{}` (mapped to {}) does not exist; {}",
                        name.escape_debug(),
                        field.key(),
                        listing()
                    ),
                )
            })?;
            found[field.index()] = Some(index);
        }
    }
    for field in FIELDS {
        if found[field.index()].is_some() || field.mapped(map).is_some() {
            continue;
        }
        found[field.index()] = field.candidates().iter().find_map(|candidate| {
            columns
                .iter()
                .enumerate()
                .find(|(i, c)| {
                    c.trim().eq_ignore_ascii_case(candidate) && !found.contains(&Some(*i))
                })
                .map(|(i, _)| i)
        });
    }
    for (field, hint) in [(Field::Text, "text=COLUMN"), (Field::SentAt, "sent_at=COLUMN")] {
        if found[field.index()].is_none() {
            return Err(ReadError::invalid(
                file,
                Some(offset),
                format!(
                    "no {} {what} found (looked for {}); {}; name it with --map {hint}",
                    if field == Field::Text { "text" } else { "timestamp" },
                    field.candidates().join(", "),
                    listing()
                ),
            ));
        }
    }
    Ok(found)
}

/// The values of one row, by [`Field`]; borrowed from the parsed row where
/// possible.
#[derive(Default)]
pub(crate) struct Row<'r> {
    values: [Option<Cow<'r, str>>; 7],
}

impl<'r> Row<'r> {
    fn set(&mut self, field: Field, value: Cow<'r, str>) {
        self.values[field.index()] = Some(value);
    }

    fn take(&mut self, field: Field) -> Option<Cow<'r, str>> {
        self.values[field.index()].take()
    }

    /// A trimmed, non-empty value as an owned string.
    fn take_trimmed(&mut self, field: Field) -> Option<String> {
        self.take_trimmed_cow(field).map(Cow::into_owned)
    }

    /// A trimmed, non-empty value, still borrowed when it was: names are
    /// interned, so copying them first would be an allocation per row.
    fn take_trimmed_cow(&mut self, field: Field) -> Option<Cow<'r, str>> {
        match self.take(field)? {
            Cow::Borrowed(value) => {
                let trimmed = value.trim();
                (!trimmed.is_empty()).then_some(Cow::Borrowed(trimmed))
            }
            Cow::Owned(value) => {
                let trimmed = value.trim();
                if trimmed.is_empty() {
                    None
                } else if trimmed.len() == value.len() {
                    Some(Cow::Owned(value))
                } else {
                    Some(Cow::Owned(trimmed.to_string()))
                }
            }
        }
    }
}

/// Where a row sits in its entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    /// Byte offset of the row's first byte.
    pub offset: u64,
    /// Length in bytes, without the line terminator.
    pub length: u64,
    /// 1-based line of the row's first byte (for a JSON array, the
    /// element's 0-based index: see `element`).
    pub line: u64,
    /// The row is element `line` of a JSON array, not a line.
    pub element: bool,
}

/// `line 3` or `element [2]`, for reasons (written into the reason, not
/// built apart: a reason per skipped row is common).
impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.element {
            write!(f, "element [{}]", self.line)
        } else {
            write!(f, "line {}", self.line)
        }
    }
}

/// Everything about one entry that every row needs.
pub(crate) struct Context<'o> {
    /// The entry as named in messages and skips.
    pub display: String,
    /// The locator's entry (zip member), if any.
    pub entry: Option<Arc<str>>,
    /// The conversation when no column names one: the file stem.
    pub stem: String,
    zone: TimeZone,
    zone_name: Arc<str>,
    event_senders: &'o [String],
    /// Conversations and senders named so far, shared across rows. In a
    /// cell because rows are built through `&self`; each borrow ends within
    /// `record`.
    names: RefCell<Names>,
    /// Messages whose text had HTML character references decoded, and the
    /// first one's offset: one notice per entry.
    decoded: Cell<u64>,
    decoded_first: Cell<Option<u64>>,
}

impl<'o> Context<'o> {
    pub(crate) fn new(input: &Input, name: &str, options: &'o ReadOptions) -> Context<'o> {
        let (zone, zone_name) = options.zone();
        let base = name.rsplit('/').next().unwrap_or(name);
        let stem = match base.rfind('.') {
            Some(dot) if dot > 0 => &base[..dot],
            _ => base,
        };
        Context {
            display: input.display_entry(name),
            entry: input.source_of(name).1.map(Arc::from),
            stem: stem.to_string(),
            zone,
            zone_name,
            event_senders: &options.event_senders,
            names: RefCell::new(Names::default()),
            decoded: Cell::new(0),
            decoded_first: Cell::new(None),
        }
    }

    /// One notice for the entry: how many messages had HTML character
    /// references (`&#39;`, `&amp;`) decoded. Transcripts re-serialised
    /// from web pages keep them; search and display want the characters,
    /// and the source bytes keep what was written.
    pub(crate) fn report_decoded(&self, sink: &mut dyn Sink) {
        let (count, Some(first)) = (self.decoded.get(), self.decoded_first.get()) else {
            return;
        };
        sink.notice(crate::entities::decoded_notice(self.display.clone(), first, count));
    }

    /// Reports a row as skipped.
    pub(crate) fn skip(&self, sink: &mut dyn Sink, offset: u64, reason: String) {
        sink.skip(Skip { file: self.display.clone(), offset, reason });
    }

    /// Builds the record for a row, or the reason it cannot be read
    /// (already prefixed with `line N:`).
    pub(crate) fn record(&self, mut row: Row<'_>, place: Place) -> Result<Record, String> {
        // Named only in reasons: built when one is given, not per row.
        let text = match row.take(Field::Text) {
            Some(text) if !text.trim().is_empty() => {
                match crate::entities::decode_entities(&text) {
                    Cow::Owned(decoded) if decoded != text => {
                        self.decoded.set(self.decoded.get() + 1);
                        if self.decoded_first.get().is_none() {
                            self.decoded_first.set(Some(place.offset));
                        }
                        decoded
                    }
                    _ => text.into_owned(),
                }
            }
            _ => return Err(format!("{place}: no text")),
        };
        let sent_at = match row.take(Field::SentAt) {
            Some(raw) if !raw.trim().is_empty() => {
                timefmt::parse_timestamp(&raw, &self.zone, &self.zone_name).map_err(|e| {
                    format!("{place}: cannot read timestamp `{}`: {e}", shorten(raw.trim()))
                })?
            }
            _ => return Err(format!("{place}: no timestamp")),
        };
        let sender_name = row.take_trimmed_cow(Field::Sender);
        let sender_id = row.take_trimmed_cow(Field::SenderId);
        let mut names = self.names.borrow_mut();
        let conversation = names
            .strings
            .get(row.take_trimmed_cow(Field::Conversation).as_deref().unwrap_or(&self.stem));
        let locator = Locator {
            entry: self.entry.clone(),
            offset: place.offset,
            length: place.length,
            line: (!place.element).then_some(place.line),
            json_path: place.element.then(|| format!("$[{}]", place.line)),
        };
        let is_event = self.event_senders.iter().any(|pseudo| {
            let pseudo = pseudo.trim();
            sender_name.as_deref() == Some(pseudo) || sender_id.as_deref() == Some(pseudo)
        });
        let mut record = Record {
            kind: RecordKind::Message,
            platform: trove_model::platform::TRANSCRIPT,
            conversation: ConversationRef {
                native_id: Arc::clone(&conversation),
                name: Some(conversation),
                scope: None,
            },
            native_id: row.take_trimmed(Field::Id),
            sender: None,
            sent_at,
            text,
            reply_to: row.take_trimmed(Field::ReplyTo),
            targets: Vec::new(),
            reactions: Vec::new(),
            urls: Vec::new(),
            attachments: Vec::new(),
            locator,
            raw: None,
            ..Record::default()
        };
        if is_event {
            let event = events::parse_event(&record.text);
            record.kind = RecordKind::Event(event.kind);
            record.sender = event.sender.map(|name| named(&name, &mut names.accounts));
            record.targets =
                event.targets.iter().map(|name| named(name, &mut names.accounts)).collect();
            if let Some(name) = event.name {
                record.conversation.name = Some(Arc::from(name));
            }
        } else {
            record.sender = match (sender_id, sender_name) {
                (Some(id), name) => Some(names.accounts.get(&id, name.as_deref(), None)),
                (None, Some(name)) => Some(named(&name, &mut names.accounts)),
                (None, None) => None,
            };
        }
        Ok(record)
    }
}

/// An account known only by the name a transcript writes.
fn named(name: &str, accounts: &mut Accounts) -> AccountRef {
    accounts.get(name, Some(name), None)
}

/// Quotes at most 80 characters of untrusted text in a message.
pub(crate) fn shorten(text: &str) -> String {
    // Skips are quoted on every bad row: printable ASCII without quotes or
    // backslashes (nearly all of them) comes out as it is, without the
    // char-by-char collect and escape below.
    let head = text.as_bytes().get(..80).unwrap_or(text.as_bytes());
    if head.iter().all(|&b| matches!(b, b' '..=b'~') && !matches!(b, b'\\' | b'\'' | b'"')) {
        let mut out = String::with_capacity(head.len() + 3);
        out.push_str(text.get(..head.len()).unwrap_or(text));
        if head.len() < text.len() {
            out.push_str("...");
        }
        return out;
    }
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push_str("...");
    }
    out.escape_debug().to_string()
}

/// What the first bytes of an entry say before parsing.
pub(crate) struct Head {
    /// The first bytes (up to the size asked for).
    pub bytes: Vec<u8>,
    /// 3 when the entry starts with a UTF-8 BOM, else 0.
    pub bom: usize,
}

/// How many leading bytes are checked for NULs.
const BINARY_PROBE: usize = 8 * 1024;

/// Reads up to `n` bytes from the start of an entry and refuses UTF-16 and
/// binary data. Binary means a NUL in the first line (a CSV header, the
/// first JSON line): detection (`check_text` in the sniffs) passes by any
/// NUL in the first 8 KiB, but a file the user names the reader for
/// (`--format csv`) whose header is text and one cell holds a NUL is an odd
/// row, not a binary file, and its rows are read.
pub(crate) fn read_head(reader: &mut dyn Read, n: usize, display: &str) -> Result<Head, ReadError> {
    let mut bytes = Vec::with_capacity(n.min(1 << 20));
    reader.take(n as u64).read_to_end(&mut bytes).map_err(|e| ReadError::io(display, e))?;
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    let first_line = probe.split(|&b| b == b'\n').next().unwrap_or_default();
    let refused =
        if first_line.contains(&0) { check_text(probe).err() } else { check_utf16(probe) };
    if let Some(reason) = refused {
        return Err(ReadError::invalid(display, Some(0), reason));
    }
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    Ok(Head { bytes, bom })
}

/// The reason UTF-16 text is refused, when `head` starts as UTF-16 does.
fn check_utf16(head: &[u8]) -> Option<String> {
    (head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF"))
        .then(|| "UTF-16 text is not supported; convert the file to UTF-8".to_string())
}

/// `Err` with a reason when the first bytes are not text we read.
fn check_text(head: &[u8]) -> Result<(), String> {
    if let Some(reason) = check_utf16(head) {
        return Err(reason);
    }
    if head[..head.len().min(BINARY_PROBE)].contains(&0) {
        return Err("binary data, not a text transcript (NUL bytes in the first 8 KiB)".to_string());
    }
    Ok(())
}

/// How often progress is reported.
pub(crate) const PROGRESS_STEP: u64 = 1 << 20;

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn shorten_quotes_as_the_escaping_path_would() {
        let slow = |text: &str| {
            let mut out: String = text.chars().take(80).collect();
            if out.len() < text.len() {
                out.push_str("...");
            }
            out.escape_debug().to_string()
        };
        let long = "y".repeat(200);
        let mixed = format!("{}\u{e9}", "x".repeat(79));
        for text in [
            "",
            "yesterday",
            "it's",
            "a\"b",
            "tab\there",
            "back\\slash",
            "caf\u{e9}",
            &long,
            &mixed,
        ] {
            assert_eq!(shorten(text), slow(text), "{text:?}");
        }
    }
}
