//! Line-template transcripts: text dumps such as
//!
//! ```text
//! [2023-09-18 17:43:18] @alias:matrix.example.org: message text
//! that can span lines, contain ``` code blocks ``` and pasted logs
//! --------------------
//! ```
//!
//! Leaked chats are often re-serialised by third parties into ad-hoc text
//! (the Black Basta Matrix dump, TrickBot and Signal-style transcripts).
//! The user describes one message header line with `--template`, e.g.
//! `'[{ts}] {sender}: {text}'`, and optionally the timestamp format
//! (`--ts-format '%Y-%m-%d %H:%M:%S'`, strftime through jiff) and a line that
//! ends every message (`--separator '--------------------'`).
//!
//! **The template.** Placeholders are `{ts}` and `{text}` (both required),
//! `{sender}`, `{recipient}` and `{conversation}` (optional; a recipient
//! is stored as the message's one target, as Jabber's `to` is); everything
//! else is literal
//! text that must appear exactly (`{{` and `}}` stand for braces). `{text}`
//! must end the template: it takes the rest of the line. `{sender}`,
//! `{recipient}` and `{conversation}` match as little as possible up to the literal text that
//! follows them (so `bob: note: x` under `{sender}: {text}` is sender `bob`,
//! text `note: x`); `{ts}` matches the longest text up to its literal that
//! reads as a timestamp (so `{ts} {sender}: {text}` reads
//! `2023-09-18 17:43:18 bob: hi` right), or, with `--ts-format`, exactly
//! what the format parses. Two placeholders may only touch when the first
//! is `{ts}` with a `--ts-format`.
//!
//! **Multi-line headers.** A template with newlines (or the two characters
//! `\n`), e.g. `Date: {ts}\nFrom: {sender}\nMessage: {text}`, describes a
//! record whose header spans lines: a message starts only where every
//! header line fits, in order, and `{text}` ends the last one (the lines
//! after it are the body). Lines that fit the first header lines but not
//! the rest are ordinary lines (body text or lines outside a message). One-
//! line templates given in the same run are tried first on each line.
//!
//! **Message boundaries: the pasted-log trap.** Without `--separator`, a
//! line that matches the template starts a new message and every other line
//! continues the current one (multi-line bodies, code blocks). Pasted logs
//! inside a message contain lines that look like headers, and those then
//! start bogus messages: a dump with a separator line should be read with
//! `--separator`, and then ONLY the separator ends a message; header-looking
//! lines inside a body stay body text. After a separator the next header
//! starts the next message.
//!
//! Decisions worth knowing:
//!
//! * Timestamps: with `--ts-format` exactly that format (zone-less results
//!   are read in `--tz`, recorded as `AssertedZone`; `%z`/`%s` give stated
//!   instants); without it [`crate::timefmt`] detects common forms,
//!   ambiguous numeric dates per `--date-order`. `Timestamp.original` is the
//!   `{ts}` text.
//! * Blank lines at the end of a message are not part of it (neither its
//!   text nor its locator); blank lines inside it are.
//! * Lines before the first header (or, with a separator, between a
//!   separator and the next header) are reported as one skip per run.
//! * A file in which no line matches is an error that quotes the first line
//!   and says why it does not match (often: the `{ts}` text needs
//!   `--ts-format`); in a folder or zip such a member is a skip.
//! * A message larger than `max_record_bytes` is a skip at its header.
//! * A line with the template's literal frame around a `{ts}` that looks
//!   like a time (four digits or more, no more letters than digits) but
//!   does not parse is a header gone wrong (machine translation rewrites
//!   `[23.11.21 09:08:16]` as `[11/23/221 09:08:16]`): its message, with
//!   its continuation lines, is one skip at that line saying why; folding
//!   it into the message before would put its words under another time.
//! * Continuation lines folded into messages are counted: one notice per
//!   entry (`lines_folded`).
//! * Locators: offset of the header line, length up to the end of the last
//!   non-blank line of the message, 1-based line of the header.
//! * Senders are accounts named by the text as written; the conversation is
//!   `{conversation}` or else the file name without its extension.
//! * Invalid UTF-8 is decoded lossily; CRLF and LF files read the same.
//! * Sniffing always says No: the template format is only used when named.

mod block;
pub(crate) mod lines;

use std::io::{BufReader, Read};
use std::sync::Arc;

use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;
use trove_model::{AccountRef, ConversationRef, Locator, Record, RecordKind, TimeBasis, Timestamp};

use crate::intern::Names;
use crate::timefmt::{self, DateOrder, IsoHead};
use crate::transcript::shorten;
use crate::utf8::lossy;
use crate::{
    Confidence, Format, Input, InputKind, Notice, NoticeKind, ReadError, ReadOptions, Sink, Skip,
};
use block::Block;
use lines::Lines;

/// Line-template transcripts (`[{ts}] {sender}: {text}`).
pub struct Template;

/// Members read from a folder or zip.
const EXTENSIONS: &[&str] = &["txt", "log", "md"];

/// How far past its start `{sender}`/`{conversation}` may reach.
const NAME_WINDOW: usize = 256;
/// How long a `{ts}` text may be (without `--ts-format`).
const TS_WINDOW: usize = 64;
/// Most match attempts for one line: bounds backtracking on hostile lines.
const MATCH_BUDGET: u32 = 512;
/// Fewest digits a `{ts}` text has to look like a time (a year and a day).
const MIN_TS_DIGITS: usize = 4;
/// How often progress is reported.
const PROGRESS_STEP: u64 = 1 << 20;

impl Format for Template {
    fn name(&self) -> &'static str {
        "template"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::TRANSCRIPT
    }

    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let path = input.path().display().to_string();
        if options.templates.is_empty() {
            return Err(ReadError::invalid(
                path,
                None,
                "the template format needs --template, e.g. --template '[{ts}] {sender}: {text}' \
                 (add --ts-format '%Y-%m-%d %H:%M:%S' for unusual timestamps and --separator \
                 '-----' when a line ends every message)",
            ));
        }
        let compiled = options
            .templates
            .iter()
            .map(|template| {
                Compiled::new(template, options.ts_format.is_some()).map_err(|reason| {
                    let which = if options.templates.len() > 1 {
                        format!(" `{}`", template.escape_debug())
                    } else {
                        String::new()
                    };
                    ReadError::invalid(&path, None, format!("--template{which}: {reason}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let described = options
            .templates
            .iter()
            .map(|t| format!("`{}`", t.escape_debug()))
            .collect::<Vec<_>>()
            .join(" or ");
        let (zone, zone_name) = options.zone();
        let clock =
            Clock { format: options.ts_format.clone(), zone, zone_name, order: options.date_order };
        let names: Vec<String> = match input.kind() {
            InputKind::File => input.entries().iter().map(|e| e.name.clone()).collect(),
            InputKind::Dir | InputKind::Zip => input
                .entries()
                .iter()
                .filter(|e| has_extension(&e.name, EXTENSIONS))
                .map(|e| e.name.clone())
                .collect(),
        };
        if names.is_empty() {
            return Err(ReadError::invalid(
                path,
                None,
                format!("no member ends in .{}", EXTENSIONS.join(" or .")),
            ));
        }
        for name in names {
            let reader = EntryReader {
                input,
                name: &name,
                templates: &compiled,
                described: &described,
                blocks: compiled.iter().any(|t| t.height() > 1),
                ts_reach: compiled.iter().map(Compiled::ts_reach).max().unwrap_or(0),
                frame_byte: match compiled.as_slice() {
                    [only] => only.frame_byte(),
                    _ => None,
                },
                clock: &clock,
                separator: options.separator.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                max: options.max_record_bytes,
            };
            crate::member_failed(input, reader.read(sink), options, sink)?;
        }
        Ok(())
    }
}

/// Case-insensitive extension check.
pub(crate) fn has_extension(name: &str, extensions: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    extensions.iter().any(|ext| {
        lower.len() > ext.len() + 1
            && lower.ends_with(ext)
            && lower.as_bytes().get(lower.len() - ext.len() - 1) == Some(&b'.')
    })
}

/// A zip is claimed only when every sampled member with one of `extensions`
/// fits (`Maybe` or better) and at least one is `Certain`: a zip mixing
/// formats is left to `--format`.
pub(crate) fn sniff_members(
    input: &Input,
    extensions: &[&str],
    sniff: fn(&Input, &str) -> Confidence,
) -> Confidence {
    let mut best = Confidence::No;
    for entry in input.entries().iter().filter(|e| has_extension(&e.name, extensions)).take(8) {
        match sniff(input, &entry.name) {
            Confidence::No => return Confidence::No,
            found => best = best.max(found),
        }
    }
    if best == Confidence::Certain { Confidence::Certain } else { Confidence::No }
}

/// The file name of an entry without its directory and last extension.
pub(crate) fn file_stem(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    }
}

/// A placeholder of the template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Ts,
    Sender,
    Text,
    Conversation,
    Recipient,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Ts => "{ts}",
            Field::Sender => "{sender}",
            Field::Text => "{text}",
            Field::Conversation => "{conversation}",
            Field::Recipient => "{recipient}",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Lit(String),
    Field(Field),
}

/// A `--template` compiled: one matcher per line of a record's header
/// (one for the usual one-line template).
#[derive(Debug)]
pub(crate) struct Compiled {
    lines: Vec<LineMatcher>,
}

/// One line of a template.
#[derive(Debug)]
struct LineMatcher {
    segments: Vec<Seg>,
    /// A searcher for each literal segment (same index), built once rather
    /// than per line.
    finders: Vec<Option<memchr::memmem::Finder<'static>>>,
}

/// What a header line says.
#[derive(Debug, Default)]
struct Captures<'l> {
    ts: &'l str,
    sent_at: Option<Timestamp>,
    sender: Option<&'l str>,
    conversation: Option<&'l str>,
    recipient: Option<&'l str>,
    text: &'l str,
}

/// Reads `{ts}` texts.
struct Clock {
    format: Option<String>,
    zone: TimeZone,
    zone_name: Arc<str>,
    order: Option<DateOrder>,
}

impl Clock {
    /// A whole `{ts}` text as a timestamp.
    fn parse(&self, text: &str) -> Result<Timestamp, String> {
        match &self.format {
            Some(format) => {
                let tm = BrokenDownTime::parse(format, text)
                    .map_err(|e| format!("does not fit --ts-format `{format}`: {e}"))?;
                self.finish(&tm, text)
            }
            None => match self.order {
                Some(order) => {
                    timefmt::parse_timestamp_with(text, &self.zone, &self.zone_name, order)
                }
                None => timefmt::parse_timestamp(text, &self.zone, &self.zone_name),
            },
        }
    }

    /// [`Clock::parse`] without the reason: most candidate `{ts}` texts
    /// are not times, and refusing them should cost no allocation.
    fn try_parse(&self, text: &str) -> Option<Timestamp> {
        match &self.format {
            Some(_) => self.parse(text).ok(),
            None => timefmt::try_parse(text, &self.zone, &self.zone_name, self.order),
        }
    }

    /// [`Clock::try_parse`] of a text that starts with `head` (without
    /// `--ts-format`); `None` when the head does not apply to it.
    fn try_parse_after(&self, head: &IsoHead<'_>, text: &str) -> Option<Option<Timestamp>> {
        head.try_parse(text, &self.zone, &self.zone_name, self.order)
    }

    /// A timestamp in `--ts-format` at the start of `text`, and its length.
    fn parse_prefix(&self, format: &str, text: &str) -> Option<(Timestamp, usize)> {
        let (tm, used) = BrokenDownTime::parse_prefix(format, text).ok()?;
        let original = text.get(..used)?;
        Some((self.finish(&tm, original).ok()?, used))
    }

    fn finish(&self, tm: &BrokenDownTime, original: &str) -> Result<Timestamp, String> {
        let (instant, basis, zone) = if let Some(instant) = tm.timestamp() {
            (instant, TimeBasis::Utc, None)
        } else if let Some(offset) = tm.offset() {
            let dt = tm.to_datetime().map_err(|e| format!("not a full date and time: {e}"))?;
            let instant = offset.to_timestamp(dt).map_err(|e| format!("out of range: {e}"))?;
            (instant, TimeBasis::LocalWithOffset, None)
        } else if let Some(name) = tm.iana_time_zone() {
            let tz = TimeZone::get(name).map_err(|e| format!("unknown zone `{name}`: {e}"))?;
            let dt = tm.to_datetime().map_err(|e| format!("not a full date and time: {e}"))?;
            let instant = tz
                .to_ambiguous_timestamp(dt)
                .compatible()
                .map_err(|e| format!("out of range: {e}"))?;
            (instant, TimeBasis::LocalWithOffset, None)
        } else {
            let dt = tm.to_datetime().map_err(|e| {
                format!("not a full date and time (--ts-format needs a year, month and day): {e}")
            })?;
            let instant = self
                .zone
                .to_ambiguous_timestamp(dt)
                .compatible()
                .map_err(|e| format!("out of range: {e}"))?;
            (instant, TimeBasis::AssertedZone, Some(self.zone_name.clone()))
        };
        Ok(Timestamp {
            utc_ms: instant.as_millisecond(),
            original: original.to_string(),
            basis,
            zone,
        })
    }
}

impl Compiled {
    /// Compiles `template`; the error says what is wrong with it. A
    /// newline (or the two characters `\n`) splits it into the lines of a
    /// multi-line header, whose last line ends with `{text}`.
    pub(crate) fn new(template: &str, ts_format: bool) -> Result<Compiled, String> {
        let template = template.replace("\\n", "\n").replace('\r', "");
        let mut seen: Vec<Field> = Vec::new();
        let lines = template
            .split('\n')
            .map(|line| LineMatcher::new(line, &template, ts_format, &mut seen))
            .collect::<Result<Vec<_>, _>>()?;
        if !seen.contains(&Field::Ts) {
            return Err("the template needs {ts}: every message needs a time".to_string());
        }
        let ends_in_text =
            lines.last().is_some_and(|last| last.segments.last() == Some(&Seg::Field(Field::Text)));
        let text_elsewhere = lines.iter().rev().skip(1).any(|line| line.has(Field::Text));
        if !ends_in_text || text_elsewhere {
            return Err(if lines.len() > 1 {
                "{text} must end the template's last line: it takes the rest of that line and \
                 the lines after it"
                    .to_string()
            } else {
                "{text} must end the template: it takes the rest of the line".to_string()
            });
        }
        Ok(Compiled { lines })
    }

    /// Whether `line` may start a header: it begins with the template's
    /// leading literal, when the template has one.
    fn may_start(&self, line: &str) -> bool {
        match self.lines.first().and_then(|first| first.segments.first()) {
            Some(Seg::Lit(literal)) => line.starts_with(literal.as_str()),
            _ => true,
        }
    }

    /// Whether `line` holds the literal text of a one-line template in
    /// order: found by `memchr`, it refuses most body lines before any
    /// matching.
    fn has_literals(&self, line: &str) -> bool {
        let [only] = self.lines.as_slice() else { return false };
        let mut rest = line.as_bytes();
        for finder in only.finders.iter().flatten() {
            match finder.find(rest) {
                Some(at) => rest = &rest[at + finder.needle().len()..],
                None => return false,
            }
        }
        true
    }

    /// How far into a one-line header its `{ts}` can end: just past the
    /// window after the leading literal when `{ts}` comes first, further
    /// when names come before it.
    fn ts_reach(&self) -> usize {
        let Some(first) = self.lines.first() else { return 0 };
        let mut reach = 0;
        for segment in &first.segments {
            match segment {
                Seg::Lit(literal) => reach += literal.len(),
                Seg::Field(Field::Ts) => return reach + TS_WINDOW,
                Seg::Field(_) => reach += NAME_WINDOW,
            }
        }
        reach
    }

    /// A byte other than a space that every header under this one-line
    /// template holds in its literal text (the `:` of `{sender}: `), if any.
    fn frame_byte(&self) -> Option<u8> {
        let [only] = self.lines.as_slice() else { return None };
        only.segments.iter().find_map(|segment| match segment {
            Seg::Lit(literal) => literal.bytes().find(|b| !b.is_ascii_whitespace()),
            Seg::Field(_) => None,
        })
    }

    /// How many lines a header under this template has.
    fn height(&self) -> usize {
        self.lines.len()
    }

    /// Whether `line` is a header under a one-line template; its fields
    /// go to `caps`. (Filled in place: the captures are larger than a
    /// register-sized copy, and returning them copies them per call.)
    fn matches<'l>(&self, line: &'l str, clock: &Clock, caps: &mut Captures<'l>) -> bool {
        match self.lines.as_slice() {
            [only] => only.matches(line, clock, caps),
            _ => false,
        }
    }

    /// The `{ts}` text of `line` when it has the shape of a one-line
    /// template whatever its `{ts}` says: for explaining a mismatch.
    fn shape<'l>(&self, line: &'l str, clock: &Clock) -> Option<&'l str> {
        match self.lines.as_slice() {
            [only] => only.shape(line, clock),
            _ => None,
        }
    }

    /// Whether `line` has the shape of the header's line `k`.
    fn line_fits(&self, k: usize, line: &str, clock: &Clock) -> bool {
        let mut caps = Captures::default();
        let mut budget = MATCH_BUDGET;
        self.lines.get(k).is_some_and(|matcher| {
            matcher.match_from(0, line, 0, clock, false, &mut caps, &mut budget)
        })
    }

    /// The fields of a whole multi-line header, or, when every line has
    /// its shape but its `{ts}` does not read as a time, that `{ts}` text.
    fn matches_block<'l>(
        &self,
        lines: &[&'l str],
        clock: &Clock,
    ) -> Result<Captures<'l>, Option<&'l str>> {
        let mut caps = Captures::default();
        let read = |caps: &mut Captures<'l>, check_ts: bool| {
            self.lines.iter().zip(lines).all(|(matcher, line)| {
                let mut budget = MATCH_BUDGET;
                matcher.match_from(0, line, 0, clock, check_ts, caps, &mut budget)
            })
        };
        if lines.len() == self.lines.len() && read(&mut caps, true) && caps.sent_at.is_some() {
            return Ok(caps);
        }
        let mut shape = Captures::default();
        Err(read(&mut shape, false).then_some(shape.ts))
    }
}

impl LineMatcher {
    /// Compiles one line of `template`; `seen` gathers the placeholders of
    /// the lines before, so that none repeats across lines.
    fn new(
        line: &str,
        template: &str,
        ts_format: bool,
        seen: &mut Vec<Field>,
    ) -> Result<LineMatcher, String> {
        let mut segments: Vec<Seg> = Vec::new();
        let mut literal = String::new();
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("{{") {
                literal.push('{');
                rest = after;
            } else if let Some(after) = rest.strip_prefix("}}") {
                literal.push('}');
                rest = after;
            } else if c == '{' {
                let Some(close) = rest.find('}') else {
                    return Err(format!(
                        "unclosed `{{` in `{}` (write `{{{{` for a literal brace)",
                        template.escape_debug()
                    ));
                };
                let field = match &rest[1..close] {
                    "ts" => Field::Ts,
                    "sender" => Field::Sender,
                    "text" => Field::Text,
                    "conversation" => Field::Conversation,
                    "recipient" => Field::Recipient,
                    other => {
                        return Err(format!(
                            "unknown placeholder `{{{}}}` (known: {{ts}}, {{sender}}, {{text}}, \
                             {{conversation}}, {{recipient}})",
                            other.escape_debug()
                        ));
                    }
                };
                if seen.contains(&field) {
                    return Err(format!("{} appears twice", field.name()));
                }
                seen.push(field);
                if !literal.is_empty() {
                    segments.push(Seg::Lit(std::mem::take(&mut literal)));
                }
                if let Some(Seg::Field(previous)) = segments.last()
                    && !(*previous == Field::Ts && ts_format)
                {
                    return Err(format!(
                        "{} and {} touch: put literal text between them (or give --ts-format \
                         when the first is {{ts}})",
                        previous.name(),
                        field.name()
                    ));
                }
                segments.push(Seg::Field(field));
                rest = &rest[close + 1..];
            } else {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !literal.is_empty() {
            segments.push(Seg::Lit(literal));
        }
        let finders = segments
            .iter()
            .map(|segment| match segment {
                Seg::Lit(literal) => {
                    Some(memchr::memmem::Finder::new(literal.as_bytes()).into_owned())
                }
                Seg::Field(_) => None,
            })
            .collect();
        Ok(LineMatcher { segments, finders })
    }

    fn has(&self, field: Field) -> bool {
        self.segments.contains(&Seg::Field(field))
    }

    /// Whether `line` is a message header; its fields go to `caps`, which
    /// the caller hands over empty.
    fn matches<'l>(&self, line: &'l str, clock: &Clock, caps: &mut Captures<'l>) -> bool {
        let mut budget = MATCH_BUDGET;
        self.match_from(0, line, 0, clock, true, caps, &mut budget)
    }

    /// Whether `line` has the template's literal shape whatever its `{ts}`
    /// says, and that `{ts}` text: for explaining a mismatch.
    fn shape<'l>(&self, line: &'l str, clock: &Clock) -> Option<&'l str> {
        let mut caps = Captures::default();
        let mut budget = MATCH_BUDGET;
        self.match_from(0, line, 0, clock, false, &mut caps, &mut budget).then_some(caps.ts)
    }

    #[allow(clippy::too_many_arguments)]
    fn match_from<'l>(
        &self,
        index: usize,
        line: &'l str,
        pos: usize,
        clock: &Clock,
        check_ts: bool,
        caps: &mut Captures<'l>,
        budget: &mut u32,
    ) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let Some(rest) = line.get(pos..) else { return false };
        let Some(segment) = self.segments.get(index) else {
            return rest.is_empty();
        };
        let field = match segment {
            Seg::Lit(literal) => {
                return rest.starts_with(literal.as_str())
                    && self.match_from(
                        index + 1,
                        line,
                        pos + literal.len(),
                        clock,
                        check_ts,
                        caps,
                        budget,
                    );
            }
            Seg::Field(Field::Text) => {
                caps.text = rest;
                return true;
            }
            Seg::Field(field) => *field,
        };
        if field == Field::Ts
            && check_ts
            && let Some(format) = &clock.format
        {
            let Some((stamp, used)) = clock.parse_prefix(format, rest) else { return false };
            caps.ts = &rest[..used];
            caps.sent_at = Some(stamp);
            return self.match_from(index + 1, line, pos + used, clock, check_ts, caps, budget);
        }
        let window = if field == Field::Ts { TS_WINDOW } else { NAME_WINDOW };
        // Every candidate `{ts}` lies within the window and every time has a
        // digit: most body lines have none there and are refused at once,
        // not end by end.
        if field == Field::Ts && check_ts && !rest.bytes().take(window).any(|b| b.is_ascii_digit())
        {
            return false;
        }
        // The candidates all start where `rest` does: a date and time of
        // the usual ISO form there is read once, not once per candidate.
        let head = (field == Field::Ts && check_ts && clock.format.is_none())
            .then(|| IsoHead::read(rest.trim_start()))
            .flatten();
        // Tries one end of the field's text: `Some(answer)` ends the search.
        let attempt = |end: usize, caps: &mut Captures<'l>, budget: &mut u32| {
            let trimmed = trim(rest.get(..end)?);
            if trimmed.is_empty() {
                return None;
            }
            match field {
                Field::Ts => {
                    if check_ts {
                        let known =
                            head.as_ref().and_then(|head| clock.try_parse_after(head, trimmed));
                        let parsed = match known {
                            Some(parsed) => parsed,
                            // Every time has a digit; most text lines' words
                            // have none, and need no parse to be refused.
                            None if !trimmed.bytes().any(|b| b.is_ascii_digit()) => None,
                            None => clock.try_parse(trimmed),
                        };
                        caps.sent_at = Some(parsed?);
                    }
                    caps.ts = trimmed;
                }
                Field::Sender => caps.sender = Some(trimmed),
                Field::Conversation => caps.conversation = Some(trimmed),
                Field::Recipient => caps.recipient = Some(trimmed),
                Field::Text => {}
            }
            if self.match_from(index + 1, line, pos + end, clock, check_ts, caps, budget) {
                return Some(true);
            }
            (*budget == 0).then_some(false)
        };
        let literal = match (self.segments.get(index + 1), self.finders.get(index + 1)) {
            (Some(Seg::Lit(literal)), Some(Some(finder))) => Some((literal.len(), finder)),
            _ => None,
        };
        if field == Field::Ts {
            // The longest text that reads as a time comes first:
            // `2023-09-18 17:43:18` rather than `2023-09-18`. The ends are
            // gathered on the stack (a `{ts}` window fits in bytes) because
            // this runs for nearly every line.
            let mut ends = [0u8; TS_WINDOW + 1];
            let mut count = 0;
            let mut keep = |k: usize| {
                if let (Some(slot), Ok(k)) = (ends.get_mut(count), u8::try_from(k)) {
                    *slot = k;
                    count += 1;
                }
            };
            match literal {
                Some((len, finder)) => {
                    let limit = rest.len().min(window + len);
                    each_start(finder, &rest.as_bytes()[..limit], |k| {
                        if k > window {
                            return Some(());
                        }
                        keep(k);
                        None
                    });
                }
                None => {
                    (1..=rest.len().min(window))
                        .filter(|&k| rest.is_char_boundary(k))
                        .for_each(&mut keep);
                }
            }
            for &end in ends[..count].iter().rev() {
                if let Some(answer) = attempt(usize::from(end), caps, budget) {
                    return answer;
                }
            }
            return false;
        }
        match literal {
            Some((len, finder)) => {
                let limit = rest.len().min(window + len);
                let found = each_start(finder, &rest.as_bytes()[..limit], |end| {
                    if end > window {
                        return Some(false);
                    }
                    attempt(end, caps, budget)
                });
                if let Some(answer) = found {
                    return answer;
                }
            }
            // Touching placeholders are only allowed after a formatted
            // {ts}, which the branch above handles; without `check_ts` any
            // split will do to explain a mismatch.
            None => {
                for end in (1..=rest.len().min(window)).filter(|&k| rest.is_char_boundary(k)) {
                    if let Some(answer) = attempt(end, caps, budget) {
                        return answer;
                    }
                }
            }
        }
        false
    }
}

/// Whether a `{ts}` text that does not parse still looks like a time (a
/// garbled one): enough digits, and no more letters than digits, so that
/// `at 5pm` in a body line is not taken for one.
fn looks_like_time(ts: &str) -> bool {
    let digits = ts.chars().filter(char::is_ascii_digit).count();
    let letters = ts.chars().filter(|c| c.is_alphabetic()).count();
    digits >= MIN_TS_DIGITS && letters <= digits
}

/// `text.trim()`, without its per-character walk when both ends are
/// visible ASCII (the usual candidate), which no trim changes.
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Calls `f` with each start of the literal in `hay`, as
/// [`memchr::memmem::Finder::find_iter`] finds them (left to right, not
/// overlapping), until it answers. A literal of up to four bytes (the
/// usual space, colon or `: `) is found by a plain scan: the windows are a
/// few dozen bytes, too short for a vectorised search's setup to pay for
/// itself.
fn each_start<T>(
    finder: &memchr::memmem::Finder<'_>,
    hay: &[u8],
    mut f: impl FnMut(usize) -> Option<T>,
) -> Option<T> {
    let needle = finder.needle();
    match needle {
        &[byte] => hay.iter().enumerate().filter(|&(_, &b)| b == byte).find_map(|(k, _)| f(k)),
        [first, ..] if needle.len() <= 4 => {
            let mut k = 0;
            while let Some(at) = hay.get(k..) {
                match at.iter().position(|b| b == first) {
                    Some(skip) if at.get(skip..).is_some_and(|s| s.starts_with(needle)) => {
                        if let Some(answer) = f(k + skip) {
                            return Some(answer);
                        }
                        // Not overlapping: go on after this occurrence.
                        k += skip + needle.len();
                    }
                    Some(skip) => k += skip + 1,
                    None => return None,
                }
            }
            None
        }
        _ => finder.find_iter(hay).find_map(f),
    }
}

/// A message being collected.
struct Pending {
    offset: u64,
    line: u64,
    /// End offset of the last non-blank line so far.
    end: u64,
    sent_at: Timestamp,
    /// Looked up when the header is read, while its text is at hand: no
    /// copy of the name per message.
    sender: Option<AccountRef>,
    /// `{recipient}`, stored as the record's one target (as Jabber's `to`).
    recipient: Option<AccountRef>,
    conversation: Arc<str>,
    /// The text so far, in the entry's reused buffer (see `State::spare`).
    text: String,
    /// Blank lines after the last non-blank one, kept in case more text
    /// follows.
    blank_tail: String,
    /// Why the message cannot be kept (too large, its time unreadable).
    broken: Option<String>,
    /// Non-blank lines after the header (its continuation lines).
    folded: u64,
    /// The header itself was unreadable: the skip says how many lines went
    /// with it.
    bad_header: bool,
}

/// Where a message's header is: `(offset, 1-based line, end offset)`.
type Span = (u64, u64, u64);

/// The span of a one-line header.
fn span_of(line: &lines::Line<'_>) -> Span {
    (line.offset, line.number, line.offset + line.length)
}

/// A run of lines that belong to no message.
struct Orphans {
    offset: u64,
    first: u64,
    last: u64,
}

/// One entry being read.
struct EntryReader<'a> {
    input: &'a Input,
    name: &'a str,
    /// In the user's order; never empty.
    templates: &'a [Compiled],
    /// The templates as quoted in messages: `` `A` or `B` ``.
    described: &'a str,
    /// Whether any template spans several lines.
    blocks: bool,
    /// How far into a line any one-line template's `{ts}` can end.
    ts_reach: usize,
    /// A byte every near-miss header holds, when one template names one.
    frame_byte: Option<u8>,
    clock: &'a Clock,
    separator: Option<&'a str>,
    max: usize,
}

/// Mutable state of one entry.
struct State<'a> {
    display: String,
    entry: Option<Arc<str>>,
    stem: String,
    max: usize,
    /// Conversations and senders named so far, shared across records.
    names: Names,
    template: &'a str,
    pending: Option<Pending>,
    orphans: Option<Orphans>,
    emitted: u64,
    /// The last message's text buffer, reused for the next one.
    spare: String,
    /// Continuation lines folded into kept messages, how many messages
    /// have some, and the first such message's offset.
    folded_lines: u64,
    folded_messages: u64,
    folded_first: Option<u64>,
    /// Messages whose HTML character references were decoded, and the
    /// first one's offset.
    decoded: u64,
    decoded_first: Option<u64>,
}

/// Whether the first `reach` bytes of `line` hold the digits of a time
/// ([`MIN_TS_DIGITS`]); stops as soon as they do.
fn has_digits(line: &str, reach: usize) -> bool {
    let mut digits = 0;
    for &b in &line.as_bytes()[..line.len().min(reach)] {
        digits += usize::from(b.wrapping_sub(b'0') < 10);
        if digits >= MIN_TS_DIGITS {
            return true;
        }
    }
    false
}

impl EntryReader<'_> {
    fn read(&self, sink: &mut dyn Sink) -> Result<(), ReadError> {
        let display = self.input.display_entry(self.name);
        self.input.with_entry(self.name, |reader| {
            let mut state = State {
                display: display.clone(),
                entry: self.input.source_of(self.name).1.map(Arc::from),
                stem: file_stem(self.name).to_string(),
                max: self.max,
                names: Names::default(),
                template: self.described,
                pending: None,
                orphans: None,
                emitted: 0,
                spare: String::new(),
                folded_lines: 0,
                folded_messages: 0,
                folded_first: None,
                decoded: 0,
                decoded_first: None,
            };
            let mut lines = Lines::new(BufReader::new(reader as &mut dyn Read), &display, self.max);
            let mut first_line: Option<(u64, String)> = None;
            // The template this entry's first header matched: tried first.
            let mut preferred: Option<usize> = None;
            let mut next_progress = PROGRESS_STEP;
            // Lines that may be the header of a multi-line record.
            let mut block: Option<Block> = None;
            while let Some(line) = lines.next_line()? {
                if line.offset >= next_progress {
                    sink.progress(line.offset);
                    next_progress = line.offset + PROGRESS_STEP;
                }
                if line.too_long {
                    self.release(block.take(), &mut state);
                    state.too_long(&line, sink);
                    continue;
                }
                let text = lossy(line.bytes);
                let text = text.as_ref();
                let blank = text.trim().is_empty();
                if first_line.is_none() && !blank {
                    first_line = Some((line.offset, text.to_string()));
                }
                if let Some(held) = &mut block {
                    let template = &self.templates[held.template];
                    if template.line_fits(held.lines.len(), text, self.clock) {
                        held.hold(&line, text);
                        if held.lines.len() == template.height() {
                            self.start_block(block.take(), &mut state, sink)?;
                        }
                        continue;
                    }
                    self.release(block.take(), &mut state);
                }
                if let Some(separator) = self.separator
                    && text.trim() == separator
                {
                    state.finish(sink)?;
                    state.flush_orphans(sink);
                    continue;
                }
                let in_body = self.separator.is_some() && state.pending.is_some();
                let mut caps = Captures::default();
                if !in_body && self.matches(text, &mut preferred, &mut caps) {
                    state.finish(sink)?;
                    state.flush_orphans(sink);
                    state.start(span_of(&line), &mut caps);
                    continue;
                }
                if !in_body
                    && !blank
                    && let Some(k) = self.block_start(text)
                {
                    let mut held = Block::new(k);
                    held.hold(&line, text);
                    block = Some(held);
                    continue;
                }
                // A header whose time no longer parses (machine translation
                // rewrites `[23.11.21 09:08:16]` as `[11/23/221 09:08:16]`)
                // starts a message that cannot be kept: folding it into the
                // one before would put its words under another time.
                if !in_body
                    && !blank
                    && let Some(why) = self.near_miss(text)
                {
                    state.finish(sink)?;
                    state.flush_orphans(sink);
                    state.start_broken(span_of(&line), why);
                    continue;
                }
                state.ordinary(&line, text, blank);
            }
            self.release(block.take(), &mut state);
            state.finish(sink)?;
            state.flush_orphans(sink);
            state.report_folded(sink);
            state.report_decoded(sink);
            sink.progress(lines.bytes_read());
            if state.emitted == 0
                && let Some((offset, line)) = first_line
            {
                return Err(ReadError::invalid(
                    &display,
                    Some(offset),
                    format!(
                        "no line matches the template {}; the first line `{}` {}",
                        self.described,
                        shorten(&line),
                        self.explain(&line)
                    ),
                ));
            }
            Ok(())
        })
    }

    /// The header fields of `line` under the first template that matches
    /// it, the entry's `preferred` one first; the first match of an entry
    /// makes its template the preferred one.
    fn matches<'l>(
        &self,
        line: &'l str,
        preferred: &mut Option<usize>,
        caps: &mut Captures<'l>,
    ) -> bool {
        if let [only] = self.templates {
            return only.matches(line, self.clock, caps);
        }
        let first = preferred.and_then(|k| Some((k, self.templates.get(k)?)));
        if let Some((_, template)) = first
            && template.matches(line, self.clock, caps)
        {
            return true;
        }
        for (k, template) in self.templates.iter().enumerate() {
            if Some(k) == first.map(|(k, _)| k) {
                continue;
            }
            // What a template that did not match left behind is not this
            // one's.
            *caps = Captures::default();
            if template.matches(line, self.clock, caps) {
                preferred.get_or_insert(k);
                return true;
            }
        }
        false
    }

    /// The first multi-line template whose first header line `line` fits.
    fn block_start(&self, line: &str) -> Option<usize> {
        if !self.blocks {
            return None;
        }
        self.templates.iter().position(|t| t.height() > 1 && t.line_fits(0, line, self.clock))
    }

    /// A whole multi-line header: it starts a message, or, when its time
    /// does not read, a message that is one skip.
    fn start_block(
        &self,
        block: Option<Block>,
        state: &mut State<'_>,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let Some(block) = block else { return Ok(()) };
        let (Some(template), Some(span)) = (self.templates.get(block.template), block.span())
        else {
            return Ok(());
        };
        state.finish(sink)?;
        state.flush_orphans(sink);
        match template.matches_block(&block.texts(), self.clock) {
            Ok(mut caps) => state.start(span, &mut caps),
            Err(ts) => {
                let why = ts.and_then(|ts| self.ts_failure(ts.trim())).unwrap_or_else(|| {
                    format!(
                        "lines {}-{} have the shape of the template's header but do not match it",
                        span.1,
                        span.1 + block.lines.len() as u64 - 1
                    )
                });
                state.start_broken(span, why);
            }
        }
        Ok(())
    }

    /// Held lines that turned out not to be a header: ordinary lines.
    fn release(&self, block: Option<Block>, state: &mut State<'_>) {
        for held in block.into_iter().flat_map(|block| block.lines) {
            state.ordinary(&held.line(), &held.text, held.text.trim().is_empty());
        }
    }

    /// Why a line that has the template's literal frame around a
    /// time-like `{ts}` is not a header: its time does not parse. `None`
    /// for every other line (body text).
    fn near_miss(&self, line: &str) -> Option<String> {
        // Cheap refusals first, since this runs for every line that
        // continues a message: a header holds its template's literal text
        // in order (found with `memchr`), and digits where its `{ts}` is.
        // A byte of the template's literal frame (one `memchr`), then
        // digits: body text rarely has both, and each is cheaper than
        // looking for the literals in order.
        if let Some(byte) = self.frame_byte
            && memchr::memchr(byte, line.as_bytes()).is_none()
        {
            return None;
        }
        if !has_digits(line, self.ts_reach) {
            return None;
        }
        let mut fitting =
            self.templates.iter().filter(|t| t.may_start(line) && t.has_literals(line));
        let template = fitting.next()?;
        if !has_digits(line, template.ts_reach()) {
            return None;
        }
        let ts = std::iter::once(template)
            .chain(fitting)
            .find_map(|t| t.shape(line, self.clock))?
            .trim();
        if !looks_like_time(ts) {
            return None;
        }
        self.ts_failure(ts)
    }

    /// Why a `{ts}` text does not read as a time; `None` when it does.
    fn ts_failure(&self, ts: &str) -> Option<String> {
        let why = self.clock.parse(ts).err()?;
        let (as_what, why) = match &self.clock.format {
            Some(format) => {
                let as_what = format!("--ts-format `{format}`");
                // `Clock::parse` names the format too; once is enough.
                let why = why.strip_prefix(&format!("does not fit {as_what}: ")).unwrap_or(&why);
                (as_what, why.to_string())
            }
            None => ("a date and time".to_string(), why),
        };
        Some(format!("timestamp \"{}\" does not parse as {as_what}: {why}", shorten(ts)))
    }

    /// Why a line is not a header, for a person.
    fn explain(&self, line: &str) -> String {
        match self.templates.iter().find_map(|t| t.shape(line, self.clock)) {
            Some(ts) => {
                let why = self.clock.parse(ts.trim()).err().unwrap_or_default();
                let hint = if self.clock.format.is_some() {
                    "check --ts-format"
                } else {
                    "give its format with --ts-format, e.g. --ts-format '%d.%m.%Y %H:%M'"
                };
                format!(
                    "has the template's shape but its {{ts}} `{}` is not a time ({why}); {hint}",
                    shorten(ts)
                )
            }
            None => "does not have the template's literal text in that order".to_string(),
        }
    }
}

impl Pending {
    /// Adds a body line; `blank`: it is only whitespace (the caller knows).
    fn push(&mut self, text: &str, blank: bool, line: &lines::Line<'_>, max: usize) {
        if !blank {
            self.folded += 1;
        }
        if self.broken.is_some() {
            return;
        }
        if blank {
            self.blank_tail.push('\n');
            self.blank_tail.push_str(text);
        } else {
            self.text.push_str(&self.blank_tail);
            self.blank_tail.clear();
            self.text.push('\n');
            self.text.push_str(text);
            self.end = line.offset + line.length;
        }
        if self.text.len() + self.blank_tail.len() > max {
            self.broken = Some(format!(
                "line {}: the message starting here is larger than the limit of {max} bytes \
                 (max_record_bytes); a missing separator makes the rest of the file one message",
                self.line
            ));
            self.text = String::new();
            self.blank_tail = String::new();
        }
    }
}

impl State<'_> {
    fn start(&mut self, (offset, line, end): Span, caps: &mut Captures<'_>) {
        let Some(sent_at) = caps.sent_at.take() else { return };
        self.pending = Some(Pending {
            offset,
            line,
            end,
            sent_at,
            sender: caps.sender.map(|name| self.names.accounts.get(name, Some(name), None)),
            recipient: caps.recipient.map(|name| self.names.accounts.get(name, Some(name), None)),
            conversation: self.names.strings.get(caps.conversation.unwrap_or(&self.stem)),
            text: {
                let mut text = std::mem::take(&mut self.spare);
                text.clear();
                text.push_str(caps.text);
                text
            },
            blank_tail: String::new(),
            broken: None,
            folded: 0,
            bad_header: false,
        });
    }

    /// A header that cannot be read: its message (header and body) becomes
    /// one skip, at the header.
    fn start_broken(&mut self, (offset, line, end): Span, why: String) {
        self.pending = Some(Pending {
            offset,
            line,
            end,
            sent_at: Timestamp::default(),
            sender: None,
            recipient: None,
            conversation: Arc::from(""),
            text: String::new(),
            blank_tail: String::new(),
            broken: Some(format!("line {line}: {why}")),
            folded: 0,
            bad_header: true,
        });
    }

    /// One notice for the entry: how many continuation lines were folded
    /// into the messages before them.
    fn report_folded(&mut self, sink: &mut dyn Sink) {
        let Some(first) = self.folded_first else { return };
        let (lines, messages) = (self.folded_lines, self.folded_messages);
        sink.notice(Notice {
            file: self.display.clone(),
            offset: first,
            kind: NoticeKind::LinesFolded,
            count: lines,
            reason: format!(
                "{lines} continuation line{} folded into {messages} message{} (the first at \
                 byte {first})",
                if lines == 1 { "" } else { "s" },
                if messages == 1 { "" } else { "s" },
            ),
        });
    }

    /// One notice for the entry: how many messages had HTML character
    /// references decoded (the source keeps them as written).
    fn report_decoded(&mut self, sink: &mut dyn Sink) {
        let Some(first) = self.decoded_first else { return };
        sink.notice(crate::entities::decoded_notice(self.display.clone(), first, self.decoded));
    }

    fn too_long(&mut self, line: &lines::Line<'_>, sink: &mut dyn Sink) {
        let reason = format!(
            "line {} is {} bytes, over the limit of {} (max_record_bytes)",
            line.number, line.length, self.max
        );
        match &mut self.pending {
            Some(pending) if pending.broken.is_none() => {
                pending.broken = Some(format!("{reason}; its message is passed over"));
                pending.text = String::new();
            }
            Some(_) => {}
            None => {
                self.flush_orphans(sink);
                sink.skip(Skip { file: self.display.clone(), offset: line.offset, reason });
            }
        }
    }

    /// A line that starts no message: body text of the message being
    /// collected, or a line outside any message.
    #[inline]
    fn ordinary(&mut self, line: &lines::Line<'_>, text: &str, blank: bool) {
        match &mut self.pending {
            Some(pending) => pending.push(text, blank, line, self.max),
            None if blank => {}
            None => self.orphan(line),
        }
    }

    fn orphan(&mut self, line: &lines::Line<'_>) {
        match &mut self.orphans {
            Some(run) => run.last = line.number,
            None => {
                self.orphans =
                    Some(Orphans { offset: line.offset, first: line.number, last: line.number })
            }
        }
    }

    fn flush_orphans(&mut self, sink: &mut dyn Sink) {
        let Some(run) = self.orphans.take() else { return };
        let lines = if run.first == run.last {
            format!("line {}", run.first)
        } else {
            format!("lines {}-{}", run.first, run.last)
        };
        sink.skip(Skip {
            file: self.display.clone(),
            offset: run.offset,
            reason: format!(
                "{lines}: not a message header (template {}) and not inside a message; \
                 passed over",
                self.template
            ),
        });
    }

    #[expect(
        clippy::field_reassign_with_default,
        reason = "the record is filled in place; a literal was built beside the call and copied"
    )]
    fn finish(&mut self, sink: &mut dyn Sink) -> Result<(), ReadError> {
        let Some(pending) = self.pending.take() else { return Ok(()) };
        if let Some(mut reason) = pending.broken {
            if pending.bad_header {
                match pending.folded {
                    0 => reason.push_str("; the message is passed over"),
                    n => reason.push_str(&format!(
                        "; the message and its {n} continuation line{} are passed over, not \
                         folded into the message before",
                        if n == 1 { "" } else { "s" }
                    )),
                }
            }
            sink.skip(Skip { file: self.display.clone(), offset: pending.offset, reason });
            return Ok(());
        }
        if pending.folded > 0 {
            self.folded_first.get_or_insert(pending.offset);
            self.folded_lines += pending.folded;
            self.folded_messages += 1;
        }
        let conversation = pending.conversation;
        let mut record = Record::default();
        record.kind = RecordKind::Message;
        record.platform = trove_model::platform::TRANSCRIPT;
        record.conversation = ConversationRef {
            native_id: Arc::clone(&conversation),
            name: Some(conversation),
            scope: None,
        };
        record.sender = pending.sender;
        if let Some(recipient) = pending.recipient {
            record.targets = vec![recipient];
        }
        record.sent_at = pending.sent_at;
        // An exact copy; the buffer, grown line by line, is kept for the
        // next message rather than reallocated for each.
        record.text = match crate::entities::decode_entities(&pending.text) {
            std::borrow::Cow::Owned(decoded) if decoded != pending.text => {
                self.decoded += 1;
                self.decoded_first.get_or_insert(pending.offset);
                decoded
            }
            _ => pending.text.as_str().to_owned(),
        };
        record.locator = Locator {
            entry: self.entry.clone(),
            offset: pending.offset,
            length: pending.end - pending.offset,
            line: Some(pending.line),
            json_path: None,
        };
        self.spare = pending.text;
        self.emitted += 1;
        sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn clock(format: Option<&str>) -> Clock {
        Clock {
            format: format.map(str::to_string),
            zone: TimeZone::UTC,
            zone_name: Arc::from("UTC"),
            order: None,
        }
    }

    fn fields(
        template: &str,
        format: Option<&str>,
        line: &str,
    ) -> Option<(String, String, String)> {
        let compiled = Compiled::new(template, format.is_some()).unwrap();
        let mut c = Captures::default();
        compiled
            .matches(line, &clock(format), &mut c)
            .then(|| (c.ts.to_string(), c.sender.unwrap_or("").to_string(), c.text.to_string()))
    }

    fn triple(ts: &str, sender: &str, text: &str) -> Option<(String, String, String)> {
        Some((ts.to_string(), sender.to_string(), text.to_string()))
    }

    #[test]
    fn compile_errors() {
        for (template, needle) in [
            ("{ts} {who}: {text}", "unknown placeholder `{who}`"),
            ("{ts} {sender: {text}", "unknown placeholder"),
            ("{ts} {sender}: {text} {", "unclosed"),
            ("{ts} {ts} {text}", "twice"),
            ("{sender}: {text}", "needs {ts}"),
            ("{ts} {text} <{sender}>", "must end"),
            ("{ts}{sender} {text}", "touch"),
            ("{ts} {sender}{text}", "touch"),
        ] {
            let err = Compiled::new(template, false).unwrap_err();
            assert!(err.contains(needle), "{template}: {err}");
        }
        assert!(Compiled::new("{ts}{sender} {text}", true).is_ok());
        let braces = Compiled::new("{{{ts}}} {text}", false).unwrap();
        assert_eq!(braces.lines[0].segments[0], Seg::Lit("{".to_string()));
        assert_eq!(braces.lines[0].segments[2], Seg::Lit("} ".to_string()));
    }

    #[test]
    fn matching() {
        let t = "[{ts}] {sender}: {text}";
        assert_eq!(
            fields(t, None, "[2023-09-18 17:43:18] @alias:matrix.example.org: hi: there"),
            triple("2023-09-18 17:43:18", "@alias:matrix.example.org", "hi: there")
        );
        assert_eq!(fields(t, None, "[yesterday] bob: hi"), None);
        assert_eq!(fields(t, None, "plain text"), None);
        assert_eq!(
            fields("{ts} {sender}: {text}", None, "2023-09-18 17:43:18 bob: a b: c"),
            triple("2023-09-18 17:43:18", "bob", "a b: c")
        );
        assert_eq!(
            fields("{ts}{sender}: {text}", Some("%Y-%m-%d %H:%M:%S"), "2023-09-18 17:43:18bob: x"),
            triple("2023-09-18 17:43:18", "bob", "x")
        );
        assert_eq!(
            fields("{ts} <{sender}> {text}", Some("%d.%m.%Y %H:%M"), "18.09.2023 17:43 <bob> "),
            triple("18.09.2023 17:43", "bob", "")
        );
        // Pathological lines stay within the budget.
        let long = format!("[{}", ": ".repeat(5000));
        assert_eq!(fields(t, None, &long), None);
    }

    #[test]
    fn ts_format_results() {
        let c = clock(Some("%Y-%m-%d %H:%M:%S %z"));
        let ts = c.parse("2023-09-18 17:43:18 +0200").unwrap();
        assert_eq!(ts.basis, TimeBasis::LocalWithOffset);
        assert_eq!(ts.utc_ms, 1_695_051_798_000);
        let c = clock(Some("%s"));
        assert_eq!(c.parse("1695051798").unwrap().basis, TimeBasis::Utc);
        let c = clock(Some("%H:%M"));
        assert!(c.parse("17:43").unwrap_err().contains("year, month and day"));
    }

    proptest::proptest! {
        /// The plain scan finds what `find_iter` finds, in order.
        #[test]
        fn each_start_agrees_with_find_iter(hay in "[a: ]{0,40}", needle in "[a: ]{1,6}") {
            let finder = memchr::memmem::Finder::new(needle.as_bytes());
            let mut seen = Vec::new();
            each_start::<()>(&finder, hay.as_bytes(), |k| {
                seen.push(k);
                None
            });
            let want: Vec<usize> = finder.find_iter(hay.as_bytes()).collect();
            proptest::prop_assert_eq!(seen, want);
        }
    }

    #[test]
    fn names() {
        assert_eq!(file_stem("a/b/chat.log.txt"), "chat.log");
        assert_eq!(file_stem(".hidden"), ".hidden");
        assert!(has_extension("X.TXT", EXTENSIONS));
        assert!(!has_extension("txt", EXTENSIONS));
    }
}
