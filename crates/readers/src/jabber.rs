//! Jabber/XMPP logs as JSON objects glued together (the Conti leak).
//!
//! One file per day or per pair of people; each message an object
//!
//! ```text
//! {
//!   "ts": "2021-01-29T10:12:03.104112",
//!   "from": "alpha@example.onion",
//!   "to": "beta@example.onion",
//!   "body": "привет, ты тут?"
//! }
//! {
//!   "ts": ...
//! ```
//!
//! and the file is not JSON as a whole: objects are glued together, or
//! separated by commas, or wrapped in `[ ... ]`. Any run of whitespace,
//! commas and brackets between objects is accepted.
//!
//! **Broken chunks.** Machine-translated copies of these logs are broken in
//! thousands of places (unescaped quotes, lost braces, cut objects). The
//! shared [`crate::json_scan`] scanner stops at the first structural error,
//! so this module has its own scanner that resynchronises: a chunk that is
//! not a readable object is reported as one [`Skip`] with the file and the
//! byte offset where it starts (and where reading resumed), and reading
//! carries on at the next object start: a `{` at the start of a line (after
//! indentation) or right after a `}`. A chunk is broken when a string runs
//! into a raw line break (JSON strings cannot hold one), a bracket does not
//! match, a `{` appears inside an object where no value may start (a new
//! object began before the last one closed), it is larger than
//! `max_record_bytes`, the file ends inside it, or it is balanced but not
//! valid JSON. Nothing is dropped silently: every skipped byte is inside
//! some reported chunk (whitespace, commas and brackets between objects
//! aside).
//!
//! **Fields.** `ts` has microseconds and no zone (the server's local time,
//! unknown): it is read in `--tz` (default UTC) with basis `AssertedZone`,
//! and `Timestamp.original` keeps it verbatim. An object without a readable
//! `ts` is a skip (translation corrupts dates). `from`/`to` are JIDs
//! (`user@server`, the server part matters); the account id is the bare JID
//! as written (a `/resource` is dropped from the id: it names a client, not
//! a person; the record then keeps the object as `raw`). `body` is the
//! text; an object without one becomes an `Other("no_body")` event with the
//! object as `raw`; keys besides `ts`/`from`/`to`/`body` are kept the same
//! way.
//!
//! **Conversations.** A one-to-one chat is the pair of bare JIDs in sorted
//! order, `a@x <-> b@y`, whichever way a message goes. A `to` on a
//! `conference.`/`muc.` server is a group chat (UNVERIFIED: the Conti dumps
//! seen are one-to-one): the conversation is that room's JID and, for a
//! `from` inside it (`room@conference.x/nick`), the sender is the full
//! occupant JID. Without `from` and `to` the conversation is the file stem.
//!
//! **Translations** are paired with their original elsewhere, by
//! (`ts`, `from`, `to`): records keep `ts` verbatim in
//! `sent_at.original`, `from` as the sender and `to` as the other side of
//! the conversation id (the recipient is also the single `targets` entry),
//! so the key is there exactly.
//!
//! Locators give each object's byte offset and length and a JSON path
//! `$[N]` (N counts objects and broken chunks alike, from 0).

use std::io::Read;
use std::sync::Arc;

use serde_json::{Map, Value};
use trove_model::{ConversationRef, EventKind, Locator, Record, RecordKind};

use crate::intern::Names;
use crate::json_scan::{Window, error_offset, error_reason};
use crate::json_value::show;
use crate::template::{file_stem, has_extension, sniff_members};
use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip, timefmt};

/// Jabber/XMPP logs as concatenated JSON objects.
pub struct Jabber;

/// Extensions of Jabber log files.
const EXTENSIONS: &[&str] = &["json", "log", "txt", "jsonl"];
/// How much of a file sniffing looks at.
const HEAD: usize = 4096;
/// How often progress is reported.
const PROGRESS_STEP: u64 = 1 << 20;
/// The keys of a message object.
const KEYS: [&str; 4] = ["ts", "from", "to", "body"];

impl Format for Jabber {
    fn name(&self) -> &'static str {
        "jabber"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::JABBER
    }

    fn sniff(&self, input: &Input) -> Confidence {
        match input.kind() {
            InputKind::File => input.entries().first().map_or(Confidence::No, |e| {
                let extension_ok = has_extension(&e.name, EXTENSIONS) || !e.name.contains('.');
                let confidence =
                    if extension_ok { sniff_entry(input, &e.name) } else { Confidence::No };
                // A `.jsonl` file is the generic JSON Lines reader's unless
                // it is unmistakably a Jabber log: two of the four keys
                // (`ts`, `from`) are common to every chat transcript.
                if has_extension(&e.name, &["jsonl", "ndjson"]) && confidence != Confidence::Certain
                {
                    Confidence::No
                } else {
                    confidence
                }
            }),
            // Ingest walks folders file by file, which is exact; claiming a
            // whole folder would only make mixed folders ambiguous.
            InputKind::Dir => Confidence::No,
            InputKind::Zip => sniff_members(input, EXTENSIONS, sniff_entry),
        }
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        if *input.kind() == InputKind::File {
            for entry in input.entries() {
                read_entry(input, &entry.name, options, sink)?;
            }
            return Ok(());
        }
        let names: Vec<String> = input
            .entries()
            .iter()
            .filter(|e| has_extension(&e.name, EXTENSIONS))
            .map(|e| e.name.clone())
            .collect();
        if names.is_empty() {
            return Err(ReadError::invalid(
                input.path().display().to_string(),
                None,
                format!("no member ends in .{}", EXTENSIONS.join(" or .")),
            ));
        }
        for name in names {
            if sniff_entry(input, &name) == Confidence::No {
                sink.skip(Skip {
                    file: input.display_entry(&name),
                    offset: 0,
                    reason: "does not start like a Jabber log ({\"ts\": ..., \"from\": ...}); \
                             passed over"
                        .to_string(),
                });
                continue;
            }
            crate::member_failed(input, read_entry(input, &name, options, sink), options, sink)?;
        }
        Ok(())
    }
}

/// Certain when the head's first object has `ts` and `from` and one of
/// `to`/`body`; Maybe when it has two of the four keys.
fn sniff_entry(input: &Input, name: &str) -> Confidence {
    let Ok(head) = input.head(name, HEAD) else { return Confidence::No };
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let Some(start) = head.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'['))
    else {
        return Confidence::No;
    };
    if head.get(start) != Some(&b'{') {
        return Confidence::No;
    }
    // The first object's keys: the first object ends at the first `}` in
    // these flat logs (or the head ends first).
    let rest = &head[start..];
    let first = &rest[..memchr::memchr(b'}', rest).unwrap_or(rest.len())];
    let has = |key: &str| memchr::memmem::find(first, format!("\"{key}\"").as_bytes()).is_some();
    let found = KEYS.iter().filter(|k| has(k)).count();
    if has("ts") && has("from") && (has("to") || has("body")) {
        Confidence::Certain
    } else if found >= 2 {
        Confidence::Maybe
    } else {
        Confidence::No
    }
}

/// What the scanner found next.
#[derive(Debug, PartialEq, Eq)]
enum Chunk {
    /// A structurally complete top-level object.
    Object { offset: u64, bytes: Vec<u8> },
    /// Bytes `offset..end` that are not an object; reading resumed at `end`.
    Broken { offset: u64, end: u64, reason: String },
}

/// A structural failure inside an object.
struct Failure {
    reason: String,
    /// Where the failure was seen.
    at: u64,
    /// Whether to search for the next object start (else resume right here,
    /// at a `{` that starts the next object).
    resync: bool,
}

/// Streams top-level objects out of concatenated JSON, resynchronising
/// after broken chunks. Offsets count every byte of the stream.
struct Scanner<R> {
    w: Window<R>,
    file: String,
    max: usize,
    /// Only whitespace since the last line break (or the start).
    line_start: bool,
    /// The last significant byte outside objects was a `}`.
    after_close: bool,
    stack: Vec<u8>,
}

impl<R: Read> Scanner<R> {
    fn new(reader: R, file: &str, max: usize) -> Scanner<R> {
        Scanner {
            w: Window::new(reader),
            file: file.to_string(),
            max,
            line_start: true,
            after_close: false,
            stack: Vec::new(),
        }
    }

    fn offset(&self) -> u64 {
        self.w.offset()
    }

    fn fill(&mut self) -> Result<bool, ReadError> {
        self.w.fill().map_err(|reason| ReadError::invalid(&self.file, Some(self.offset()), reason))
    }

    fn peek(&mut self) -> Result<Option<u8>, ReadError> {
        Ok(if self.fill()? { self.w.buf.get(self.w.pos).copied() } else { None })
    }

    /// The next object or broken chunk; `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError> {
        if self.offset() == 0 {
            self.skip_bom()?;
        }
        loop {
            let Some(b) = self.peek()? else { return Ok(None) };
            match b {
                b'\n' => {
                    self.w.pos += 1;
                    self.line_start = true;
                }
                b' ' | b'\t' | b'\r' => self.w.pos += 1,
                b',' | b'[' | b']' => {
                    self.w.pos += 1;
                    self.line_start = false;
                }
                b'{' => {
                    let start = self.offset();
                    return match self.object()? {
                        Ok(bytes) => {
                            self.after_close = true;
                            self.line_start = false;
                            Ok(Some(Chunk::Object { offset: start, bytes }))
                        }
                        Err(failure) => {
                            let end = if failure.resync { self.resync()? } else { self.offset() };
                            Ok(Some(Chunk::Broken {
                                offset: start,
                                end,
                                reason: format!("{} (at byte {})", failure.reason, failure.at),
                            }))
                        }
                    };
                }
                other => {
                    let start = self.offset();
                    self.w.pos += 1;
                    self.line_start = false;
                    self.after_close = false;
                    let end = self.resync()?;
                    return Ok(Some(Chunk::Broken {
                        offset: start,
                        end,
                        reason: format!("{} where an object should start", show(other)),
                    }));
                }
            }
        }
    }

    fn skip_bom(&mut self) -> Result<(), ReadError> {
        for expected in [0xEF, 0xBB, 0xBF] {
            if self.peek()? != Some(expected) {
                return Ok(());
            }
            self.w.pos += 1;
        }
        Ok(())
    }

    /// Passes over bytes up to the next likely object start (a `{` at the
    /// start of a line or right after a `}`), returning its offset (the end
    /// of the stream when there is none).
    fn resync(&mut self) -> Result<u64, ReadError> {
        while self.fill()? {
            while self.w.pos < self.w.len {
                let b = self.w.buf[self.w.pos];
                match b {
                    b'{' if self.line_start || self.after_close => {
                        return Ok(self.offset());
                    }
                    b'\n' => {
                        self.line_start = true;
                        self.after_close = false;
                    }
                    b' ' | b'\t' | b'\r' => {}
                    // `},{` and `}, {` glue objects too.
                    b',' if self.after_close => {}
                    b'}' => {
                        self.after_close = true;
                        self.line_start = false;
                    }
                    _ => {
                        self.line_start = false;
                        self.after_close = false;
                    }
                }
                self.w.pos += 1;
            }
        }
        Ok(self.offset())
    }

    /// Scans the object that starts at the current `{`. The outer `Err` is
    /// an I/O failure; the inner one a broken chunk.
    fn object(&mut self) -> Result<Result<Vec<u8>, Failure>, ReadError> {
        let start = self.offset();
        let mut out = Vec::new();
        let mut keep = true;
        self.stack.clear();
        self.stack.push(b'}');
        out.push(b'{');
        self.w.pos += 1;
        let mut in_string = false;
        let mut escape = false;
        // The last significant byte outside strings (a closing `"` counts).
        let mut prev = b'{';
        loop {
            if !self.fill()? {
                return Ok(Err(Failure {
                    reason: format!(
                        "the file ends inside the object that starts at byte {start} (truncated?)"
                    ),
                    at: self.offset(),
                    resync: false,
                }));
            }
            let chunk_start = self.w.pos;
            let mut i = self.w.pos;
            let mut failure = None;
            let mut done = false;
            while i < self.w.len {
                let b = self.w.buf[i];
                if in_string {
                    if escape {
                        escape = false;
                        i += 1;
                        continue;
                    }
                    // String contents are most of the bytes: jump to the next
                    // byte that matters with memchr, then make sure no line
                    // break came before it.
                    let rest = &self.w.buf[i..self.w.len];
                    let stop = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                    if let Some(k) = memchr::memchr2(b'\n', b'\r', &rest[..stop]) {
                        i += k;
                        failure = Some(Failure {
                            reason: "a string runs into a line break (an unescaped `\"`?)"
                                .to_string(),
                            at: self.w.buf_offset + i as u64,
                            resync: true,
                        });
                        break;
                    }
                    i += stop;
                    match self.w.buf.get(i) {
                        Some(b'\\') if i < self.w.len => escape = true,
                        Some(b'"') if i < self.w.len => {
                            in_string = false;
                            prev = b'"';
                        }
                        // The window ends inside the string.
                        _ => continue,
                    }
                    i += 1;
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => {
                        let in_object = self.stack.last() == Some(&b'}');
                        let allowed =
                            if in_object { prev == b':' } else { matches!(prev, b'[' | b',') };
                        if !allowed {
                            failure = Some(Failure {
                                reason: format!(
                                    "`{}` where no value may start (the object was not closed)",
                                    b as char
                                ),
                                at: self.w.buf_offset + i as u64,
                                resync: b != b'{',
                            });
                            break;
                        }
                        self.stack.push(if b == b'{' { b'}' } else { b']' });
                        if self.stack.len() > 256 {
                            failure = Some(Failure {
                                reason: "nested more than 256 deep".to_string(),
                                at: self.w.buf_offset + i as u64,
                                resync: true,
                            });
                            break;
                        }
                        prev = b;
                    }
                    b'}' | b']' => {
                        if self.stack.pop() != Some(b) {
                            i += 1;
                            failure = Some(Failure {
                                reason: format!("mismatched `{}`", b as char),
                                at: self.w.buf_offset + i as u64 - 1,
                                resync: true,
                            });
                            break;
                        }
                        prev = b;
                        if self.stack.is_empty() {
                            i += 1;
                            done = true;
                            break;
                        }
                    }
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    _ => prev = b,
                }
                i += 1;
            }
            if keep {
                if out.len() + (i - chunk_start) > self.max {
                    keep = false;
                    out = Vec::new();
                } else {
                    out.extend_from_slice(&self.w.buf[chunk_start..i]);
                }
            }
            self.w.pos = i;
            if let Some(failure) = failure {
                self.line_start = false;
                self.after_close = false;
                return Ok(Err(failure));
            }
            if done {
                if !keep {
                    return Ok(Err(Failure {
                        reason: format!(
                            "the object is larger than the limit of {} bytes (max_record_bytes)",
                            self.max
                        ),
                        at: start,
                        resync: false,
                    }));
                }
                return Ok(Ok(out));
            }
        }
    }
}

/// A JID without its `/resource`.
fn bare(jid: &str) -> &str {
    jid.split('/').next().unwrap_or(jid)
}

/// Whether a JID's server hosts group chats (UNVERIFIED heuristic).
fn is_room(jid: &str) -> bool {
    bare(jid)
        .split_once('@')
        .is_some_and(|(_, server)| server.starts_with("conference.") || server.starts_with("muc."))
}

/// Reads one log file.
fn read_entry(
    input: &Input,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let display = input.display_entry(name);
    let entry: Option<Arc<str>> = input.source_of(name).1.map(Arc::from);
    let stem = file_stem(name).to_string();
    let (zone, zone_name) = options.zone();
    let mut names = Names::default();
    let mut odd_fields: Vec<String> = Vec::new();
    input.with_entry(name, |reader| {
        let mut scanner = Scanner::new(reader, &display, options.max_record_bytes);
        let mut index = 0usize;
        let mut next_progress = PROGRESS_STEP;
        while let Some(chunk) = scanner.next_chunk()? {
            let here = scanner.offset();
            if here >= next_progress {
                sink.progress(here);
                next_progress = here + PROGRESS_STEP;
            }
            let path = crate::json_scan::indexed("$", index);
            index += 1;
            let (offset, bytes) = match chunk {
                Chunk::Object { offset, bytes } => (offset, bytes),
                Chunk::Broken { offset, end, reason } => {
                    sink.skip(Skip {
                        file: display.clone(),
                        offset,
                        reason: format!(
                            "{path}: broken chunk of {} bytes skipped: {reason}; resumed at byte {end}",
                            end - offset
                        ),
                    });
                    continue;
                }
            };
            let object: Map<String, Value> = match serde_json::from_slice(&bytes) {
                Ok(object) => object,
                Err(e) => {
                    sink.skip(Skip {
                        file: display.clone(),
                        offset: offset + error_offset(&bytes, &e) as u64,
                        reason: format!(
                            "{path}: broken chunk of {} bytes skipped (object at byte {offset}): {}",
                            bytes.len(),
                            error_reason(&e)
                        ),
                    });
                    continue;
                }
            };
            let locator = Locator {
                entry: entry.clone(),
                offset,
                length: bytes.len() as u64,
                line: None,
                json_path: Some(path),
            };
            let odd = &mut odd_fields;
            match record(object, &bytes, locator, &stem, (&zone, &zone_name), &mut names, odd) {
                Ok(record) => {
                    sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))?;
                    for why in odd.drain(..) {
                        let reason = format!(
                            "$[{}]: jabber {why}, not read (the record keeps its JSON)",
                            index - 1
                        );
                        crate::field_dropped(sink, &display, offset, reason);
                    }
                }
                Err(reason) => sink.skip(Skip {
                    file: display.clone(),
                    offset,
                    // `path` went into the locator; `index` is one past it.
                    reason: format!("$[{}]: {reason}", index - 1),
                }),
            }
        }
        sink.progress(scanner.offset());
        Ok(())
    })
}

/// A text field; numbers are taken as written.
fn text_field<'v>(object: &'v Map<String, Value>, key: &str) -> Option<std::borrow::Cow<'v, str>> {
    match object.get(key)? {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        _ => None,
    }
}

fn record(
    mut object: Map<String, Value>,
    bytes: &[u8],
    locator: Locator,
    stem: &str,
    (zone, zone_name): (&jiff::tz::TimeZone, &Arc<str>),
    names: &mut Names,
    odd: &mut Vec<String>,
) -> Result<Record, String> {
    let ts = text_field(&object, "ts").ok_or("no `ts` (or it is not text)")?;
    let sent_at = timefmt::parse_timestamp(&ts, zone, zone_name)
        .map_err(|e| format!("cannot read ts `{}`: {e}", crate::transcript::shorten(&ts)))?;
    drop(ts);
    let extra = object.keys().any(|k| !KEYS.contains(&k.as_str()));
    // Taken out of the parsed object (which is dropped after) rather than
    // copied.
    // `from`, `to` and `body` are text; another shape is passed over, so
    // the record keeps its JSON and the field is reported in `odd`.
    let body = match object.remove("body") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Null) | None => None,
        Some(other) => {
            odd.push(odd_field("body", &other));
            None
        }
    };
    let from_field = text_or_odd(&object, "from", odd);
    let to_field = text_or_odd(&object, "to", odd);
    let from = from_field.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let to = to_field.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let room = to.filter(|t| is_room(t)).map(bare);
    let from_room = from.is_some_and(is_room);
    let sender_id = from.map(|f| if from_room { f } else { bare(f) });
    let recipient = to.map(bare);
    // Looked up by text, so a conversation seen before costs no copy; a
    // pair's name is put together in a reused buffer.
    let conversation = if let Some(room) = room {
        names.strings.get(room)
    } else if from_room {
        names.strings.get(from.map(bare).unwrap_or_default())
    } else {
        match (sender_id, recipient) {
            (Some(a), Some(b)) => {
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                let mut pair = std::mem::take(&mut names.scratch);
                pair.clear();
                pair.push_str(a);
                pair.push_str(" <-> ");
                pair.push_str(b);
                let shared = names.strings.get(&pair);
                names.scratch = pair;
                shared
            }
            (Some(one), None) | (None, Some(one)) => names.strings.get(one),
            (None, None) => names.strings.get(stem),
        }
    };
    let resource = |jid: Option<&str>| jid.is_some_and(|j| j.contains('/'));
    let keep_raw = extra
        || body.is_none()
        || (resource(from) && !from_room)
        || resource(to)
        || !odd.is_empty();
    let kind = if body.is_some() {
        RecordKind::Message
    } else {
        RecordKind::Event(EventKind::Other("no_body".to_string()))
    };
    Ok(Record {
        kind,
        platform: trove_model::platform::JABBER,
        conversation: ConversationRef {
            native_id: Arc::clone(&conversation),
            name: Some(conversation),
            scope: None,
        },
        sender: sender_id.map(|id| names.accounts.id(id)),
        sent_at,
        text: body.unwrap_or_default(),
        targets: recipient.map(|id| names.accounts.id(id)).into_iter().collect(),
        raw: keep_raw.then(|| crate::utf8::lossy(bytes).into_owned()),
        locator,
        ..Record::default()
    })
}

/// `field` is `value`, a shape the record cannot hold.
fn odd_field(field: &str, value: &Value) -> String {
    format!("`{field}` is {}", crate::json_scan::lite::value_kind_name(value))
}

/// A text field, with a note in `odd` when it is there in another shape.
fn text_or_odd<'v>(
    object: &'v Map<String, Value>,
    key: &str,
    odd: &mut Vec<String>,
) -> Option<std::borrow::Cow<'v, str>> {
    match object.get(key)? {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Value::Null => None,
        other => {
            odd.push(odd_field(key, other));
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    use crate::json_value::Trickle;

    fn chunks(data: &[u8], step: usize, max: usize) -> Vec<String> {
        let mut scanner = Scanner::new(Trickle { data, step }, "t", max);
        let mut out = Vec::new();
        while let Some(chunk) = scanner.next_chunk().unwrap() {
            out.push(match chunk {
                Chunk::Object { offset, bytes } => {
                    assert_eq!(&data[offset as usize..offset as usize + bytes.len()], &bytes[..]);
                    format!("{offset}:{}", String::from_utf8_lossy(&bytes))
                }
                Chunk::Broken { offset, end, .. } => format!("broken {offset}..{end}"),
            });
        }
        out
    }

    #[test]
    fn separators() {
        for step in [1, 2, 7, 1000] {
            assert_eq!(
                chunks(b"{\"a\":1}{\"b\":2}", step, 100),
                vec!["0:{\"a\":1}", "7:{\"b\":2}"]
            );
            assert_eq!(
                chunks(b"[ {\"a\":1},\n{\"b\":[1,{}]} ]\n", step, 100),
                vec!["2:{\"a\":1}", "11:{\"b\":[1,{}]}"]
            );
            assert_eq!(chunks(b"\xEF\xBB\xBF{}", step, 100), vec!["3:{}"]);
        }
    }

    #[test]
    fn resynchronises() {
        // Unterminated string: resumes at the next line-start `{`.
        let data = b"{\"a\": \"x\n}\n{\"b\":1}";
        assert_eq!(chunks(data, 3, 100), vec!["broken 0..11", "11:{\"b\":1}"]);
        // An object cut short by the next one.
        let data = b"{\"a\": 1,\n{\"b\":1}";
        assert_eq!(chunks(data, 3, 100), vec!["broken 0..9", "9:{\"b\":1}"]);
        // Garbage between objects; a `{` inside prose is not a start.
        let data = b"{}\nnoise {x} more\n  {\"c\":3}";
        assert_eq!(chunks(data, 2, 100), vec!["0:{}", "broken 3..20", "20:{\"c\":3}"]);
        // Mismatched bracket, then glued `}{`.
        let data = b"{\"a\": [1}}{\"b\":2}";
        assert_eq!(chunks(data, 4, 100), vec!["broken 0..10", "10:{\"b\":2}"]);
        // Truncated at the end.
        assert_eq!(chunks(b"{}\n{\"a\": 1", 3, 100), vec!["0:{}", "broken 3..10"]);
        // Too large: passed over without buffering, then the next object.
        let data = b"{\"a\": \"0123456789\"}\n{\"b\":1}";
        assert_eq!(chunks(data, 3, 10), vec!["broken 0..19", "20:{\"b\":1}"]);
    }

    #[test]
    fn jids() {
        assert_eq!(bare("a@x/Psi+"), "a@x");
        assert!(is_room("ops@conference.x.onion/bob"));
        assert!(!is_room("ops@x.onion"));
    }
}
