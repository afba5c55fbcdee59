//! WhatsApp "Export chat" text, bare or zipped.
//!
//! One export is one chat: a UTF-8 text file (`WhatsApp Chat with X.txt`
//! on Android, `_chat.txt` inside `WhatsApp Chat - X.zip` on iOS) with the
//! media files beside it when exported "with media". Every message starts
//! with a timestamp header (`20/06/2019, 15:58 - Loris: text` on Android,
//! `[20.06.19, 15:58:47] Loris: text` on iOS, and many locale variants; see
//! `header.rs`); the lines up to the next header continue it. A header
//! without `Author: ` is a system line (group created, added, left, ...).
//! There are no message ids, no reply links, no reactions and no time zone.
//!
//! Traps and what this reader does about them:
//!
//! * **Invisible characters.** U+200E/U+200F marks before the header or the
//!   body, U+202F or U+00A0 before AM/PM, a BOM: the header matcher skips
//!   marks and takes those spaces as spaces; names lose them before they
//!   become ids. Offsets always count the original bytes.
//! * **One layout per file.** The first pass tallies header layouts
//!   (`header::Shape`: brackets, date separator, seconds, 12-hour marker,
//!   body separator); only lines of the most frequent layout start
//!   messages. A header-looking line of another layout (a pasted log) is
//!   text of the message it sits in.
//! * **Day/month order** is never stated. The first pass scans every header
//!   (bounded memory): a first number over 12 proves day-first, a second
//!   number over 12 proves month-first. Both at once is a [`ReadError`]
//!   asking for `--date-order`; with it, the dates impossible under the
//!   chosen order are skipped. Without proof, [`ReadOptions::date_order`]
//!   decides; without it, the number that decreases between consecutive
//!   headers within a year is the day (Pustur's heuristic); without that,
//!   **day-first**, whatever the separator (dotted dates are day-first
//!   everywhere, and WhatsApp's largest markets write day-first). Records
//!   whose date was ambiguous and read without proof say so in `raw`
//!   (`date_order`, `date_order_basis`: `option`, `inferred` or `default`).
//!   Year-first dates (`2019/01/01`) are unambiguous. Two-digit years are
//!   20YY.
//! * **Time zone.** Headers are the exporting phone's wall clock: read in
//!   [`ReadOptions::zone`] with basis `AssertedZone`; the header text is
//!   kept verbatim in `Timestamp::original`. A record earlier than the one
//!   before it gets `raw.time_backwards`. A wall-clock time that the zone
//!   skipped (DST gap: moved forward by the gap) or repeated (DST fold:
//!   read as the earlier instant) gets `raw.dst` = `gap` or `fold`.
//! * **Author vs system line.** The author is split off at the first
//!   `": "`. Known system notices (English) are recognised first, as long
//!   as their subject has no `": "`, so `You created group "A: B"` is an
//!   event. `Name:text` without the space is a message only when `Name`
//!   signed other messages. iOS writes some notices under the chat's name
//!   with a U+200E before the text (`Group: \u{200e}X added Y`): those are
//!   events too, with `raw.author_field`.
//! * **Events.** Join (added, joined, `You were added`), Leave (left,
//!   removed), Rename (subject changed; `conversation.name` is the new
//!   name) and `Other(code)`: `encryption_notice`, `group_created` (with the
//!   name), `group_icon_changed`, `group_icon_deleted`,
//!   `group_description_changed`, `group_settings_changed`,
//!   `security_code_changed`, `number_changed`, `missed_call`,
//!   `disappearing_messages`, `pinned_message`, `blocked`, `unblocked`,
//!   `business_notice`, and `system` for anything else (text intact).
//!   `you` in a notice is the exporter, `You` as in their messages.
//! * **Markers in messages** stay in the text (it is what the export says)
//!   and are also read: `<attached: NAME>`, `NAME <attached>`,
//!   `NAME (file attached)` become attachments with the kind from the name
//!   and the size (and the entry path as reference) when the file sits
//!   beside the chat in the zip or folder; `<Media omitted>` and
//!   `image omitted` & co. become attachments without a file. `This message
//!   was deleted` / `You deleted this message` set `deleted` (the
//!   placeholder stays as text). A trailing `<This message was edited>`
//!   sets no `edited_at` (the export has no time for it) and no `edits`
//!   (nor the earlier text): it is removed from the text and kept as
//!   `raw.edited_marker`. Polls (`POLL:` / question / `OPTION: x (N votes)`)
//!   are kept whole as text and as `raw.poll`. `http(s)://` links become
//!   `urls`.
//! * **Containers.** In a zip or folder the members named `_chat.txt` or
//!   `WhatsApp Chat….txt` are read (else every `.txt` that starts with a
//!   header); `__MACOSX/` and `._` files are ignored. A zip inside the
//!   export (an attached file) is an attachment, never opened.
//! * **Conversation** id and name: the chat name from `WhatsApp Chat with
//!   X.txt`, `WhatsApp Chat - X.zip` or a folder so named; else the file
//!   stem; for `_chat.txt`, the folder or zip it sits in.
//! * **Limits and bad input.** A message longer than
//!   [`ReadOptions::max_record_bytes`] is skipped (reported with its
//!   offset) after buffering at most that much; text before the first
//!   header is reported as one skip; a header with an impossible date is a
//!   skip. A file without any header, with NUL bytes in its first 8 KiB or
//!   in UTF-16 is a [`ReadError`]. Invalid UTF-8 is decoded lossily.
//! * **Locators** give the header line's offset (after a BOM), the length
//!   through the message's last non-blank line without its terminator, and
//!   the 1-based line. Exports are capped by WhatsApp (about 40,000
//!   messages, 10,000 with media) and silently lose their oldest part.

mod content;
mod fixed;
pub(crate) mod header;
mod lines;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, BufReader, Read};
use std::sync::Arc;

use serde_json::{Map, Value, json};
use trove_model::{
    AccountRef, Attachment, ConversationRef, EventKind, Locator, Record, RecordKind, Timestamp,
    UrlRef,
};

use crate::intern::Accounts;
use crate::media::{self, Located};
use crate::timefmt::{self, DateOrder};
use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip};
use content::Body;
use header::{Header, Shape, match_header};
use lines::Lines;

/// WhatsApp "Export chat" text, bare or zipped.
pub struct WhatsApp;

impl Format for WhatsApp {
    fn name(&self) -> &'static str {
        "whatsapp"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::WHATSAPP
    }
    /// `Certain` for a `.txt` file or container member named `_chat.txt` or
    /// `WhatsApp Chat….txt` whose first non-empty line is a header; `Maybe`
    /// for any other `.txt` file whose first non-empty line is one.
    fn sniff(&self, input: &Input) -> Confidence {
        match input.kind() {
            InputKind::File => {
                let Some(entry) = input.entries().first() else { return Confidence::No };
                if !is_txt(&entry.name) || !starts_with_header(input, &entry.name) {
                    Confidence::No
                } else if is_chat_name(&entry.name) {
                    Confidence::Certain
                } else {
                    Confidence::Maybe
                }
            }
            InputKind::Dir | InputKind::Zip => {
                let found = input
                    .entries()
                    .iter()
                    .filter(|e| is_chat_name(&e.name))
                    .take(8)
                    .any(|e| starts_with_header(input, &e.name));
                if found { Confidence::Certain } else { Confidence::No }
            }
        }
    }
    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        for name in chats(input)? {
            let result = read_chat(input, &name, options, sink);
            crate::member_failed(input, result, options, sink)?;
        }
        Ok(())
    }
}

/// How much of a file sniffing reads.
const SNIFF_BYTES: usize = 4096;
/// How many leading bytes are checked for NULs.
const BINARY_PROBE: usize = 8 * 1024;
/// What the first pass keeps of each line: enough for a header and an
/// author name.
const SCAN_CAP: usize = 1024;
/// Longest author name remembered by the first pass.
const MAX_AUTHOR: usize = 256;
/// Most distinct author names remembered (a group has at most 1024).
const MAX_AUTHORS: usize = 10_000;
/// Most distinct header layouts tallied.
const MAX_SHAPES: usize = 32;
/// How often progress is reported.
const PROGRESS_STEP: u64 = 1 << 20;

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn is_txt(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".txt") && lower.len() > 4
}

/// Mac resource forks and their folder, which zips made on a Mac carry.
fn is_junk(name: &str) -> bool {
    name.starts_with("__MACOSX/")
        || name.contains("/__MACOSX/")
        || base_name(name).starts_with("._")
}

/// `_chat.txt` or `WhatsApp Chat….txt`, outside `__MACOSX/`.
fn is_chat_name(name: &str) -> bool {
    if is_junk(name) || !is_txt(name) {
        return false;
    }
    let base = base_name(name);
    base.eq_ignore_ascii_case("_chat.txt")
        || base.get(..13).is_some_and(|p| p.eq_ignore_ascii_case("WhatsApp Chat"))
}

/// The first non-empty line of `name` is a header.
fn starts_with_header(input: &Input, name: &str) -> bool {
    let Ok(head) = input.head(name, SNIFF_BYTES) else { return false };
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    head.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .find(|line| !line.trim_ascii().is_empty())
        .is_some_and(|line| match_header(line).is_some())
}

/// The members to read: a single file whatever its name; in a container
/// the chat-named `.txt` members, else every `.txt` that starts with a
/// header.
fn chats(input: &Input) -> Result<Vec<String>, ReadError> {
    if *input.kind() == InputKind::File {
        return Ok(input.entries().iter().map(|e| e.name.clone()).collect());
    }
    let named: Vec<String> =
        input.entries().iter().filter(|e| is_chat_name(&e.name)).map(|e| e.name.clone()).collect();
    if !named.is_empty() {
        return Ok(named);
    }
    let texts: Vec<String> = input
        .entries()
        .iter()
        .filter(|e| is_txt(&e.name) && !is_junk(&e.name) && starts_with_header(input, &e.name))
        .map(|e| e.name.clone())
        .collect();
    if texts.is_empty() {
        return Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "no `_chat.txt` or `WhatsApp Chat with ….txt` member, and no .txt member starts with \
             a WhatsApp message header",
        ));
    }
    Ok(texts)
}

/// File-name prefixes of exports. English as observed; the German,
/// Spanish and Portuguese ones are **UNVERIFIED**.
const NAME_PREFIXES: &[&str] = &[
    "WhatsApp Chat with ",
    "WhatsApp Chat - ",
    "WhatsApp Chat \u{2013} ",
    "WhatsApp-Chat mit ",
    "Chat de WhatsApp con ",
    "Conversa do WhatsApp com ",
];

fn strip_name_prefix(name: &str) -> Option<&str> {
    NAME_PREFIXES.iter().find_map(|prefix| {
        let head = name.get(..prefix.len())?;
        let rest = name[prefix.len()..].trim();
        (head.eq_ignore_ascii_case(prefix) && !rest.is_empty()).then_some(rest)
    })
}

fn strip_extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// The chat's name: from the first of the file, its folders and its
/// container whose name carries an export prefix; else the file stem, or
/// for `_chat.txt` the folder or zip around it.
fn conversation_id(input: &Input, name: &str) -> String {
    let stem = strip_extension(base_name(name));
    let mut around: Vec<String> = name.rsplit('/').skip(1).map(str::to_string).collect();
    let container = match input.kind() {
        InputKind::Zip | InputKind::Dir => input.path().file_name(),
        InputKind::File => input.path().parent().and_then(|p| p.file_name()),
    };
    if let Some(container) = container {
        let container = container.to_string_lossy();
        let container = if *input.kind() == InputKind::Zip {
            strip_extension(&container).to_string()
        } else {
            container.into_owned()
        };
        around.push(container);
    }
    if let Some(found) = std::iter::once(stem)
        .chain(around.iter().map(String::as_str))
        .find_map(|n| strip_name_prefix(n))
    {
        return found.to_string();
    }
    if !stem.eq_ignore_ascii_case("_chat") {
        return stem.to_string();
    }
    around.into_iter().find(|n| !n.trim().is_empty()).unwrap_or_else(|| stem.to_string())
}

/// Evidence about one header layout, from the first pass.
struct ShapeStats {
    shape: Shape,
    count: u64,
    /// First header with a first number over 12: (line, offset, stamp).
    day_first: Option<(u64, u64, String)>,
    /// First header with a second number over 12.
    month_first: Option<(u64, u64, String)>,
    /// The previous header's (first, second, year).
    prev: Option<(u32, u32, i32)>,
    first_decreases: u64,
    second_decreases: u64,
}

/// Author names and how often each signed a header. Only looked up, never
/// listed; foldhash because every header line is hashed in the first pass.
type Authors = HashMap<String, u64, foldhash::fast::RandomState>;

/// What the first pass learns.
#[derive(Default)]
struct Scan {
    shapes: Vec<ShapeStats>,
    /// Names seen before `": "` in header lines.
    authors: Authors,
    /// Some non-blank byte was seen.
    nonblank: bool,
}

impl Scan {
    fn add(&mut self, header: &Header, line_bytes: &[u8], line: &lines::Line) {
        let index = match self.shapes.iter().position(|s| s.shape == header.shape) {
            Some(index) => index,
            None if self.shapes.len() < MAX_SHAPES => {
                self.shapes.push(ShapeStats {
                    shape: header.shape,
                    count: 0,
                    day_first: None,
                    month_first: None,
                    prev: None,
                    first_decreases: 0,
                    second_decreases: 0,
                });
                self.shapes.len() - 1
            }
            None => return,
        };
        let Some(stats) = self.shapes.get_mut(index) else { return };
        stats.count += 1;
        if let Some((a, b)) = header.day_month() {
            let stamp = || {
                crate::utf8::lossy(line_bytes.get(header.stamp.0..header.stamp.1).unwrap_or(&[]))
                    .into_owned()
            };
            if stats.day_first.is_none() && (13..=31).contains(&a) && b <= 12 {
                stats.day_first = Some((line.number, line.offset, stamp()));
            }
            if stats.month_first.is_none() && (13..=31).contains(&b) && a <= 12 {
                stats.month_first = Some((line.number, line.offset, stamp()));
            }
            let year = header.year();
            if let Some((pa, pb, py)) = stats.prev
                && py == year
            {
                stats.first_decreases += u64::from(a < pa);
                stats.second_decreases += u64::from(b < pb);
            }
            stats.prev = Some((a, b, year));
        }
        let body = line_bytes.get(header.body..).unwrap_or(&[]);
        if let Some(at) = content::find(body, b": ")
            && at <= MAX_AUTHOR
        {
            let name = crate::utf8::lossy(&body[..at]);
            let author = content::person_ref(&name);
            let known =
                self.authors.len() < MAX_AUTHORS || self.authors.contains_key(author.as_ref());
            if known && !author.is_empty() {
                // Look up by reference: a new String only for a new author.
                match self.authors.get_mut(author.as_ref()) {
                    Some(count) => *count += 1,
                    None => {
                        self.authors.insert(author.into_owned(), 1);
                    }
                }
            }
        }
    }

    /// The most frequent layout (the earliest on a tie).
    fn dominant(&self) -> Option<&ShapeStats> {
        let mut best: Option<&ShapeStats> = None;
        for stats in &self.shapes {
            if best.is_none_or(|b| stats.count > b.count) {
                best = Some(stats);
            }
        }
        best
    }
}

/// How the day/month order was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Basis {
    /// The file proves it (or its dates are year-first).
    Evidence,
    /// `--date-order`.
    Option,
    /// Which number decreases between consecutive headers.
    Inferred,
    /// Nothing said: day-first.
    Default,
}

impl Basis {
    fn as_str(self) -> &'static str {
        match self {
            Basis::Evidence => "evidence",
            Basis::Option => "option",
            Basis::Inferred => "inferred",
            Basis::Default => "default",
        }
    }
}

fn resolve_order(
    stats: &ShapeStats,
    options: &ReadOptions,
    display: &str,
) -> Result<(DateOrder, Basis), ReadError> {
    if stats.shape.year_first {
        return Ok((DateOrder::DayFirst, Basis::Evidence));
    }
    match (&stats.day_first, &stats.month_first, options.date_order) {
        (Some(_), None, _) => Ok((DateOrder::DayFirst, Basis::Evidence)),
        (None, Some(_), _) => Ok((DateOrder::MonthFirst, Basis::Evidence)),
        (_, _, Some(order)) => Ok((order, Basis::Option)),
        (Some(day), Some(month), None) => {
            let (later, earlier) = if day.1 > month.1 { (day, month) } else { (month, day) };
            Err(ReadError::invalid(
                display,
                Some(later.1),
                format!(
                    "dates are written both ways: `{}` (line {}) has {} but `{}` (line {}) has {}; \
                     pass --date-order day-first or --date-order month-first",
                    earlier.2.escape_debug(),
                    earlier.0,
                    if std::ptr::eq(earlier, day) {
                        "a first number over 12 (day first)"
                    } else {
                        "a second number over 12 (month first)"
                    },
                    later.2.escape_debug(),
                    later.0,
                    if std::ptr::eq(later, day) {
                        "a first number over 12 (day first)"
                    } else {
                        "a second number over 12 (month first)"
                    },
                ),
            ))
        }
        (None, None, None) => Ok(match (stats.first_decreases, stats.second_decreases) {
            (f, 0) if f > 0 => (DateOrder::DayFirst, Basis::Inferred),
            (0, s) if s > 0 => (DateOrder::MonthFirst, Basis::Inferred),
            _ => (DateOrder::DayFirst, Basis::Default),
        }),
    }
}

/// Reads the first bytes of an entry, refuses binary and UTF-16 text, and
/// gives back a reader over the whole entry positioned after any BOM, with
/// the BOM's length.
fn open_text<'r>(
    reader: &'r mut dyn Read,
    display: &str,
) -> Result<(impl io::BufRead + 'r, u64), ReadError> {
    let mut head = Vec::with_capacity(BINARY_PROBE);
    reader
        .take(BINARY_PROBE as u64)
        .read_to_end(&mut head)
        .map_err(|e| ReadError::io(display, e))?;
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(ReadError::invalid(
            display,
            Some(0),
            "UTF-16 text is not supported; convert the file to UTF-8",
        ));
    }
    if let Some(at) = memchr::memchr(0, &head) {
        return Err(ReadError::invalid(
            display,
            Some(at as u64),
            "binary data, not a WhatsApp chat export (a NUL byte in the first 8 KiB)",
        ));
    }
    let bom = if head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let mut first = io::Cursor::new(head);
    first.set_position(bom);
    Ok((BufReader::with_capacity(256 * 1024, first.chain(reader)), bom))
}

/// The first pass: header layouts, date evidence and author names.
fn scan(reader: &mut dyn Read, display: &str) -> Result<Scan, ReadError> {
    let (stream, bom) = open_text(reader, display)?;
    let mut lines = Lines::new(stream, bom);
    let mut buf = Vec::new();
    let mut scan = Scan::default();
    while let Some(line) = lines.next(&mut buf, SCAN_CAP).map_err(|e| ReadError::io(display, e))? {
        if !scan.nonblank && !buf.trim_ascii().is_empty() {
            scan.nonblank = true;
        }
        if let Some(header) = match_header(&buf) {
            scan.add(&header, &buf, &line);
        }
    }
    Ok(scan)
}

/// Everything the second pass needs besides the lines.
struct Chat<'a> {
    display: String,
    entry: Option<Arc<str>>,
    conversation: Arc<str>,
    shape: Shape,
    order: DateOrder,
    basis: Basis,
    authors: &'a Authors,
    /// Where files attached to messages are looked for.
    input: &'a Input,
    folder: &'a str,
    zone: jiff::tz::TimeZone,
    zone_name: Arc<str>,
    max: usize,
    /// Authors named so far, shared across records. In a cell because the
    /// chat is shared with every record's builder; each borrow ends within
    /// `named`.
    accounts: RefCell<Accounts>,
    /// Attached files looked up so far (same cell rule).
    found: RefCell<media::Found>,
}

/// A message being collected: its header line and continuation lines.
struct Pending {
    header: Header,
    offset: u64,
    line: u64,
    /// The lines joined with `\n`, without terminators.
    bytes: Vec<u8>,
    /// `bytes` up to the end of the last non-blank line.
    keep: usize,
    /// Entry offset just after the last non-blank line's content.
    end: u64,
    /// Longer than the limit: skipped, nothing more is buffered.
    overflow: bool,
}

impl Pending {
    fn push(&mut self, line: &lines::Line, buf: &[u8], max: usize) {
        if self.overflow {
            return;
        }
        if line.truncated || self.bytes.len() + 1 + buf.len() > max {
            self.overflow = true;
            self.bytes = Vec::new();
            return;
        }
        self.bytes.push(b'\n');
        self.bytes.extend_from_slice(buf);
        if !is_blank(buf) {
            self.keep = self.bytes.len();
            self.end = line.offset + line.len;
        }
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.trim_ascii().is_empty()
}

fn read_chat(
    input: &Input,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let display = input.display_entry(name);
    let scan = input.with_entry(name, |reader| scan(reader, &display))?;
    let Some(stats) = scan.dominant() else {
        if scan.nonblank {
            return Err(ReadError::invalid(
                &display,
                Some(0),
                "no WhatsApp message header found (expected lines like `20/06/2019, 15:58 - Name: \
                 text` or `[20.06.19, 15:58:47] Name: text`)",
            ));
        }
        return Ok(());
    };
    let (order, basis) = resolve_order(stats, options, &display)?;
    let (zone, zone_name) = options.zone();
    let chat = Chat {
        entry: input.source_of(name).1.map(Arc::from),
        conversation: Arc::from(conversation_id(input, name)),
        shape: stats.shape,
        order,
        basis,
        authors: &scan.authors,
        input,
        folder: media::folder_of(name),
        zone,
        zone_name,
        max: options.max_record_bytes,
        display,
        accounts: RefCell::new(Accounts::default()),
        found: RefCell::new(media::Found::default()),
    };
    input.with_entry(name, |reader| emit(reader, &chat, sink))
}

/// The second pass: messages into records.
fn emit(reader: &mut dyn Read, chat: &Chat<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let (stream, bom) = open_text(reader, &chat.display)?;
    let mut lines = Lines::new(stream, bom);
    // One more byte than the limit tells a line at the limit from a longer
    // one.
    let cap = chat.max.saturating_add(1);
    let mut buf = Vec::new();
    let mut pending: Option<Pending> = None;
    // The last message's byte buffer, reused: a fresh copy of each header
    // line, grown by its continuation lines, cost an allocation or more
    // per message.
    let mut spare: Vec<u8> = Vec::new();
    let mut orphans: Option<(u64, u64, u64)> = None;
    let mut last_ms: Option<i64> = None;
    let mut next_progress = PROGRESS_STEP;
    while let Some(line) = lines.next(&mut buf, cap).map_err(|e| ReadError::io(&chat.display, e))? {
        if lines.offset() >= next_progress {
            sink.progress(lines.offset());
            next_progress = lines.offset() + PROGRESS_STEP;
        }
        match match_header(&buf).filter(|h| h.shape == chat.shape) {
            Some(header) => {
                if let Some(done) = pending.take() {
                    flush(&done, chat, sink, &mut last_ms)?;
                    spare = done.bytes;
                }
                let overflow = line.truncated || buf.len() > chat.max;
                pending = Some(Pending {
                    header,
                    offset: line.offset,
                    line: line.number,
                    bytes: if overflow {
                        Vec::new()
                    } else {
                        let mut bytes = std::mem::take(&mut spare);
                        bytes.clear();
                        bytes.extend_from_slice(&buf);
                        bytes
                    },
                    keep: buf.len(),
                    end: line.offset + line.len,
                    overflow,
                });
            }
            None => match pending.as_mut() {
                Some(p) => p.push(&line, &buf, chat.max),
                None if !is_blank(&buf) => {
                    let run = orphans.get_or_insert((line.offset, line.number, 0));
                    run.2 += 1;
                }
                None => {}
            },
        }
    }
    if let Some(done) = pending.take() {
        flush(&done, chat, sink, &mut last_ms)?;
    }
    if let Some((offset, number, count)) = orphans {
        sink.skip(Skip {
            file: chat.display.clone(),
            offset,
            reason: format!(
                "line {number}: {count} non-empty line{} before the first message header belong \
                 to no message",
                if count == 1 { "" } else { "s" }
            ),
        });
    }
    sink.progress(lines.offset());
    Ok(())
}

fn flush(
    p: &Pending,
    chat: &Chat<'_>,
    sink: &mut dyn Sink,
    last_ms: &mut Option<i64>,
) -> Result<(), ReadError> {
    let skip = |sink: &mut dyn Sink, reason: String| {
        sink.skip(Skip { file: chat.display.clone(), offset: p.offset, reason });
    };
    if p.overflow {
        skip(
            sink,
            format!(
                "line {}: message longer than the limit of {} bytes; skipped",
                p.line, chat.max
            ),
        );
        return Ok(());
    }
    let bytes = p.bytes.get(..p.keep).unwrap_or(&p.bytes);
    let stamp_bytes = bytes.get(p.header.stamp.0..p.header.stamp.1).unwrap_or(&[]);
    let stamp = crate::utf8::lossy(stamp_bytes);
    let (sent_at, dst) = match timestamp(&p.header, &stamp, chat) {
        Ok(found) => found,
        Err(e) => {
            skip(
                sink,
                format!("line {}: cannot read the time `{}`: {e}", p.line, stamp.escape_debug()),
            );
            return Ok(());
        }
    };
    let body = crate::utf8::lossy(bytes.get(p.header.body..).unwrap_or(&[]));
    let locator = Locator {
        entry: chat.entry.clone(),
        offset: p.offset,
        length: p.end - p.offset,
        line: Some(p.line),
        json_path: None,
    };
    let mut raw = Map::new();
    if let Some((a, b)) = p.header.day_month()
        && a <= 12
        && b <= 12
        && a != b
        && chat.basis != Basis::Evidence
    {
        let order = match chat.order {
            DateOrder::DayFirst => "day_first",
            DateOrder::MonthFirst => "month_first",
        };
        raw.insert("date_order".into(), json!(order));
        raw.insert("date_order_basis".into(), json!(chat.basis.as_str()));
    }
    if let Some(dst) = dst {
        raw.insert("dst".into(), json!(dst));
    }
    if last_ms.is_some_and(|last| sent_at.utc_ms < last) {
        raw.insert("time_backwards".into(), json!(true));
    }
    *last_ms = Some(sent_at.utc_ms);

    let known = |name: &str| chat.authors.contains_key(name);
    let mut record = match content::classify(&body, &known) {
        Body::Message { author, text } => message(Some(author), text, chat, &mut raw),
        Body::System { author: None, text, event } if !event.known && content::is_deleted(text) => {
            // `You deleted this message` without an author: the exporter's.
            let who = content::trim_marks(text).starts_with("You ").then_some("You");
            message(who, text, chat, &mut raw)
        }
        Body::System { author, text, event } => {
            if let Some(author) = author {
                raw.insert("author_field".into(), json!(content::person(author)));
            }
            if let Some(old) = &event.old_name {
                raw.insert("old_name".into(), json!(old));
            }
            let sender = event.actor.clone().or_else(|| {
                let author = content::person(author?);
                let notice = event.kind == EventKind::Other("encryption_notice".into());
                (!notice && *author != *chat.conversation).then_some(author)
            });
            Record {
                kind: RecordKind::Event(event.kind),
                sender: sender.map(|name| named(&name, chat)),
                text: content::trim_marks(text).to_string(),
                targets: event.targets.iter().map(|name| named(name, chat)).collect(),
                conversation: ConversationRef {
                    native_id: Arc::clone(&chat.conversation),
                    name: Some(match event.name {
                        Some(name) => Arc::from(name),
                        None => Arc::clone(&chat.conversation),
                    }),
                    scope: None,
                },
                ..Record::default()
            }
        }
    };
    record.platform = trove_model::platform::WHATSAPP;
    record.sent_at = sent_at;
    record.locator = locator;
    if !raw.is_empty() {
        // The map serialized directly: the same bytes as `Value`'s
        // `Display`, without going through a `fmt::Formatter`.
        record.raw = serde_json::to_string(&raw).ok();
    }
    sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))
}

/// A message record (without platform, time and locator).
fn message(
    author: Option<&str>,
    text: &str,
    chat: &Chat<'_>,
    raw: &mut Map<String, Value>,
) -> Record {
    let mut text = text.trim_start_matches(header::is_mark).trim_end();
    if let Some(stripped) = content::strip_edited(text) {
        raw.insert("edited_marker".into(), json!(content::EDITED));
        text = stripped;
    }
    if let Some(poll) = content::poll(text) {
        raw.insert("poll".into(), poll);
    }
    let attachments = content::attachments(text)
        .into_iter()
        .map(|found| {
            let listed = if found.file {
                chat.found.borrow_mut().locate(chat.input, chat.folder, &found.name)
            } else {
                None
            };
            let (entry, size) = Located::split(listed);
            Attachment {
                reference: entry.clone().unwrap_or_else(|| found.name.clone()),
                size,
                name: found.name,
                kind: found.kind.map(str::to_string),
                sha256: None,
                entry,
            }
        })
        .collect();
    Record {
        kind: RecordKind::Message,
        conversation: ConversationRef {
            native_id: Arc::clone(&chat.conversation),
            name: Some(Arc::clone(&chat.conversation)),
            scope: None,
        },
        sender: author.map(|a| named(&content::person_ref(a), chat)),
        deleted: content::is_deleted(text),
        urls: content::urls(text).into_iter().map(|url| UrlRef { url, expanded: None }).collect(),
        attachments,
        text: text.to_string(),
        ..Record::default()
    }
}

/// An account known only by the name (or phone number) the export writes.
fn named(name: &str, chat: &Chat<'_>) -> AccountRef {
    chat.accounts.borrow_mut().get(name, Some(name), None)
}

/// The header's wall-clock time in the asserted zone, with the header text
/// verbatim as the original, and `gap` or `fold` when that wall-clock time
/// did not exist or happened twice in the zone (DST changes).
fn timestamp(
    header: &Header,
    stamp: &str,
    chat: &Chat<'_>,
) -> Result<(Timestamp, Option<&'static str>), String> {
    let [a, b, c] = header.fields;
    let (month, day) = if header.shape.year_first {
        (b, c)
    } else {
        match chat.order {
            DateOrder::DayFirst => (b, a),
            DateOrder::MonthFirst => (a, b),
        }
    };
    let civil = timefmt::Civil {
        year: header.year(),
        month,
        day,
        hour: header.hour24(),
        minute: header.minute,
        second: header.second,
        nanos: 0,
    };
    let (ts, dst) = timefmt::naive_in_zone(civil, stamp, &chat.zone, &chat.zone_name)?;
    let dst = dst.map(|d| match d {
        timefmt::Dst::Gap => "gap",
        timefmt::Dst::Fold => "fold",
    });
    Ok((ts, dst))
}
