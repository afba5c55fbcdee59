//! Matrix / Element "Export chat" JSON.
//!
//! Element writes one JSON object per room:
//! `{"room_name", "room_creator", "topic", "export_date", "exported_by",
//! "messages": [event, ...]}` where each event is a Matrix client event:
//! `type`, `sender` (`@user:server`, the account id: the server part
//! matters), `origin_server_ts` (ms, UTC), `event_id`, `room_id`, `content`.
//! A bare array of events (`[event, ...]`) is read the same way.
//!
//! The events array can be huge, so it is streamed ([`scan`]) and each event
//! is parsed on its own, with its exact byte offset, length and JSON path
//! (`$.messages[N]`) in the locator.
//!
//! **Relations are folded into their targets, in two passes.** Reactions,
//! edits and redactions are events of their own that point at an earlier
//! event. A first pass over the file collects only those (memory grows with
//! the number of reactions and edits, not with the file); the second pass
//! emits every event, and a message carries
//!
//! * `reactions`: every `m.reaction` (`rel_type: m.annotation`) on it;
//! * `edits`: for `rel_type: m.replace` edits by the original sender (Matrix
//!   ignores edits by anyone else), `text` is the latest version
//!   (`m.new_content.body`), `edits` the earlier ones oldest first starting
//!   with the original, `edited_at` the time of the latest edit;
//! * `deleted`: when an `m.room.redaction` in the file names it, or the
//!   export shows it redacted (`unsigned.redacted_because`, content gone).
//!
//! The relation events are ALSO emitted as records of their own, so every
//! version and reaction can be cited to its bytes: `Other("edit")` (text:
//! the new version), `Other("reaction")` (text: the key), and
//! `Other("redaction")` (text: `deleted <id>`), each with `reply_to` naming
//! the target event. Views that show a message with its edits and reactions
//! can hide these events; an edit or reaction whose target is not in the
//! export survives as its event.
//!
//! Other mappings: `m.room.message` (`m.text`, `m.notice`, `m.emote`, ...)
//! and `m.sticker` are messages; `m.image`/`m.file`/`m.video`/`m.audio` and
//! stickers carry an [`trove_model::Attachment`] by reference (the `mxc://`
//! URL, or `file.url` when encrypted; name from `filename` else `body`; kind
//! from `info.mimetype`; size from `info.size`), never fetched (files that an
//! export zip may hold are not matched to events: Element names them by
//! type and date, UNVERIFIED); replies (`m.in_reply_to`) set `reply_to` and
//! lose the quoted fallback (`> <@a:x> ...`) older clients put in the body,
//! as Element shows them; threads (`rel_type: m.thread`) set `thread` to the
//! root (a thread's fallback `m.in_reply_to` with `is_falling_back` is not a
//! reply). `m.room.member` is `Join` (join), `Leave` (leave, kick,
//! rejected invite), `Other("invite"|"ban"|"unban"|"knock"|"profile")`, with
//! the member as the single target (labelled with its `displayname`);
//! `m.room.name` is `Rename` (the record's conversation name is the new
//! name); `m.room.topic` is `Other("topic")`; any other type (encrypted
//! events the export could not decrypt, room creation, polls) is
//! `Other(<type>)` with the event kept whole in `raw`, as are messages whose
//! meaning the fields do not hold (`m.emote`, `m.location`, unknown
//! msgtypes).
//!
//! **Conversation**: the event's `room_id`; else the file's: a top-level
//! `room_id`, the first `room_id` of any event, the `room_name`, the file
//! stem. Its name is the header's `room_name`. `exported_by` and
//! `room_creator` are reported as accounts.
//!
//! **Damage**: an event that is not readable JSON, or lacks
//! `origin_server_ts`, is a skip at its offset; one larger than
//! `max_record_bytes` is passed over unbuffered and reported; a file cut
//! short inside the events is reported where it ends, keeping what came
//! before; structural damage (mismatched brackets) is an error at its
//! offset.

mod events;
mod scan;

use std::sync::{Arc, LazyLock};

use memchr::memmem::Finder;
use trove_model::{AccountRef, Locator};

use crate::intern::Names;
use crate::json_scan::lite::{self, Lite};
use crate::json_scan::{error_offset, error_reason};
use crate::template::{file_stem, has_extension, sniff_members};
use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip};
use events::{Context, Relations};
use scan::{Stream, Visitor};

/// Matrix / Element "Export chat" JSON.
pub struct Matrix;

/// How much of a file sniffing looks at.
const HEAD: usize = 8192;
/// How often progress is reported.
const PROGRESS_STEP: u64 = 1 << 20;

impl Format for Matrix {
    fn name(&self) -> &'static str {
        "matrix"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::MATRIX
    }

    fn sniff(&self, input: &Input) -> Confidence {
        match input.kind() {
            InputKind::File => input
                .entries()
                .first()
                .filter(|e| has_extension(&e.name, &["json"]))
                .map_or(Confidence::No, |e| sniff_entry(input, &e.name)),
            // Ingest walks folders file by file, which is exact; claiming a
            // whole folder would only make mixed folders ambiguous.
            InputKind::Dir => Confidence::No,
            InputKind::Zip => sniff_members(input, &["json"], sniff_entry),
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
            .filter(|e| has_extension(&e.name, &["json"]))
            .map(|e| e.name.clone())
            .collect();
        if names.is_empty() {
            return Err(ReadError::invalid(
                input.path().display().to_string(),
                None,
                "no .json member: not an Element export",
            ));
        }
        for name in names {
            if sniff_entry(input, &name) == Confidence::No {
                sink.skip(Skip {
                    file: input.display_entry(&name),
                    offset: 0,
                    reason: "not an Element export (no `room_name`/`messages` or Matrix events \
                             near its start); passed over"
                        .to_string(),
                });
                continue;
            }
            read_entry(input, &name, options, sink)?;
        }
        Ok(())
    }
}

/// Certain for an object whose head has `"room_name"` and `"messages"` (or
/// Element's other header keys); Maybe for JSON that holds Matrix events.
fn sniff_entry(input: &Input, name: &str) -> Confidence {
    let Ok(head) = input.head(name, HEAD) else { return Confidence::No };
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    let has = |needle: &str| memchr::memmem::find(head, needle.as_bytes()).is_some();
    let events = has("\"origin_server_ts\"") && has("\"event_id\"");
    match first {
        Some(b'{')
            if has("\"room_name\"")
                && (has("\"messages\"") || has("\"room_creator\"") || has("\"export_date\"")) =>
        {
            Confidence::Certain
        }
        Some(b'{' | b'[') if events => Confidence::Maybe,
        _ => Confidence::No,
    }
}

/// The export header.
#[derive(Default)]
struct Header {
    room_name: Option<String>,
    room_id: Option<String>,
    accounts: Vec<String>,
}

impl Header {
    fn learn(&mut self, key: &str, value: &[u8]) {
        let text = || serde_json::from_slice::<String>(value).ok().filter(|s| !s.is_empty());
        match key {
            "room_name" => self.room_name = text(),
            "room_id" => self.room_id = text(),
            // Element writes the display name here when it knows one, so
            // only Matrix ids are accounts.
            "exported_by" | "room_creator" => {
                if let Some(account) = text().filter(|a| a.starts_with('@') && a.contains(':'))
                    && !self.accounts.contains(&account)
                {
                    self.accounts.push(account);
                }
            }
            _ => {}
        }
    }
}

/// Whether an event's bytes may hold a relation worth parsing in the first
/// pass.
fn may_relate(bytes: &[u8]) -> bool {
    RELATES.find(bytes).is_some() || REDACT.find(bytes).is_some()
}

// Built once: building a searcher costs more than searching one event.
static RELATES: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"m.relates_to"));
static REDACT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"redact"));
static ROOM_ID: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"room_id\""));

/// The first pass: header and relations.
struct Learn {
    header: Header,
    relations: Relations,
}

impl Visitor for Learn {
    fn header(&mut self, key: &str, value: &[u8]) {
        self.header.learn(key, value);
    }

    fn event(&mut self, _: usize, _: u64, bytes: &[u8], _: &str) -> Result<(), ReadError> {
        let room_unknown = self.relations.first_room.is_none() && ROOM_ID.find(bytes).is_some();
        if (room_unknown || may_relate(bytes))
            && let Ok(event) = lite::map_from_slice(bytes)
        {
            self.relations.learn(&event);
        }
        Ok(())
    }

    fn problem(&mut self, _: u64, _: String) {
        // Reported by the second pass.
    }
}

/// The second pass: records.
struct Emit<'a> {
    sink: &'a mut dyn Sink,
    display: String,
    entry: Option<Arc<str>>,
    cx: Context<'a>,
    next_progress: u64,
    /// Fields of an odd shape in the event being read (reused).
    odd: Vec<String>,
}

impl Visitor for Emit<'_> {
    fn header(&mut self, _: &str, _: &[u8]) {}

    fn event(&mut self, _: usize, offset: u64, bytes: &[u8], path: &str) -> Result<(), ReadError> {
        let event = match lite::from_slice(bytes) {
            Ok(Lite::Object(event)) => event,
            Ok(_) => {
                self.problem(offset, format!("{path} is not an event object"));
                return Ok(());
            }
            Err(e) => {
                let at = offset + error_offset(bytes, &e) as u64;
                self.problem(at, format!("{path} is not readable JSON: {}", error_reason(&e)));
                return Ok(());
            }
        };
        let locator = Locator {
            entry: self.entry.clone(),
            offset,
            length: bytes.len() as u64,
            line: None,
            json_path: Some(path.to_string()),
        };
        let mut odd = std::mem::take(&mut self.odd);
        let result = events::record(&event, bytes, locator, &mut self.cx, &mut odd);
        match result {
            Ok(record) => {
                let handed = self.sink.record(record).map_err(|stop| ReadError::Stopped(stop.0));
                for why in odd.drain(..) {
                    let reason =
                        format!("{path}: matrix {why}, not read (the event keeps its JSON)");
                    crate::field_dropped(self.sink, &self.display, offset, reason);
                }
                self.odd = odd;
                handed
            }
            Err(reason) => {
                odd.clear();
                self.odd = odd;
                self.problem(offset, format!("{path}: {reason}"));
                Ok(())
            }
        }
    }

    fn problem(&mut self, offset: u64, reason: String) {
        self.sink.skip(Skip { file: self.display.clone(), offset, reason });
    }

    fn progress(&mut self, bytes: u64) {
        if bytes >= self.next_progress {
            self.sink.progress(bytes);
            self.next_progress = bytes + PROGRESS_STEP;
        }
    }
}

/// Reads one export file in two passes.
fn read_entry(
    input: &Input,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let display = input.display_entry(name);
    let max = options.max_record_bytes;
    let mut learn = Learn { header: Header::default(), relations: Relations::default() };
    let walked =
        input.with_entry(name, |reader| Stream::new(reader, &display).walk(max, &mut learn))?;
    if !walked.events_array {
        return Err(ReadError::invalid(
            &display,
            None,
            "no `messages` array: not an Element export (expected {\"room_name\": ..., \
             \"messages\": [...]})",
        ));
    }
    let Learn { header, relations } = learn;
    for account in &header.accounts {
        sink.account(AccountRef::id(account.as_str()));
    }
    let conversation = header
        .room_id
        .clone()
        .or_else(|| relations.first_room.clone())
        .or_else(|| header.room_name.clone())
        .unwrap_or_else(|| file_stem(name).to_string());
    let homeserver = std::iter::once(conversation.as_str())
        .chain(header.accounts.iter().map(String::as_str))
        .find_map(events::homeserver)
        .map(Arc::from);
    let mut emit = Emit {
        sink,
        display: display.clone(),
        entry: input.source_of(name).1.map(Arc::from),
        cx: Context {
            conversation: Arc::from(conversation),
            room_name: header.room_name.as_deref().map(Arc::from),
            homeserver,
            relations: &relations,
            names: Names::default(),
            last_scope: None,
        },
        next_progress: PROGRESS_STEP,
        odd: Vec::new(),
    };
    input.with_entry(name, |reader| {
        let mut stream = Stream::new(reader, &display);
        stream.walk(max, &mut emit)?;
        Ok(())
    })?;
    if let Some(size) = input.entry(name).map(|e| e.size) {
        emit.sink.progress(size);
    }
    Ok(())
}
