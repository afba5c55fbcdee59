//! sigtop's `text` format (`sigtop export-messages -f text`).
//!
//! A file holds one conversation: `Conversation: Name (detail)`, a blank
//! line, then per message a block of header fields
//!
//! ```text
//! From: Bob (+15550101)          absent when the source is unknown
//! Type: incoming                 outgoing messages say `From: You`
//! Sent: Mon, 2 Jan 2006 15:04:05 -0700
//! Received: Mon, 2 Jan 2006 15:04:06 -0700
//! Attachment: a.jpg (image/jpeg, 1234 bytes)
//! Reaction: 👍 from Alice (+15550100)
//! Edited: 2 versions
//! ```
//!
//! then an optional quote (a blank line and `> From:`, `> Sent:`, `>`,
//! `> text` lines), the body (a blank line and the text as is), and a blank
//! line. An edited message has, instead of quote and body, its versions
//! newest first, each line prefixed with `|` (`| Version: 2`,
//! `| Sent: ...`, `|`, `| text`). Times carry an explicit offset. A
//! recipient is `Name (phone, username, ACI or group id)`.
//!
//! A message starts at a `From:` line followed by `Type:`, or at a `Type:`
//! line followed by `Sent:`/`Received:`, after a blank line. Body text that
//! happens to contain such lines after a blank line would be split there;
//! the format offers no other boundary.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::sync::Arc;

use serde_json::json;
use trove_model::{
    AccountRef, Attachment, ConversationRef, Edit, EventKind, Reaction, Record, RecordKind,
    Timestamp,
};

use super::lines::{Line, Lines};
use super::{Ctx, emit};
use crate::{ReadError, Sink, timefmt};

/// Header fields of a message block.
const FIELDS: &[&str] = &["From", "Type", "Sent", "Received", "Attachment", "Reaction", "Edited"];

/// Whether `head` (the first bytes of a file) is sigtop text output.
pub(super) fn looks_like(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let after_first = match memchr::memchr(b'\n', head) {
        Some(end) => head.get(end..).unwrap_or(&[]),
        None => &[],
    };
    head.starts_with(b"Conversation: ")
        && (memchr::memmem::find(after_first, b"\nType: ").is_some()
            || memchr::memmem::find(after_first, b"\nFrom: ").is_some()
            || after_first.trim_ascii().is_empty())
}

/// Lines with a lookahead of several.
struct Ahead<R> {
    lines: Lines<R>,
    queue: VecDeque<Line>,
    display: String,
}

impl<R: BufRead> Ahead<R> {
    fn get(&mut self, i: usize) -> Result<Option<&Line>, ReadError> {
        while self.queue.len() <= i {
            match self.lines.next_line().map_err(|e| ReadError::io(&self.display, e))? {
                Some(line) => self.queue.push_back(line),
                None => return Ok(None),
            }
        }
        Ok(self.queue.get(i))
    }

    fn text(&mut self, i: usize) -> Result<Option<&str>, ReadError> {
        Ok(self.get(i)?.map(|l| l.text.as_str()))
    }

    fn pop(&mut self) -> Result<Option<Line>, ReadError> {
        self.get(0)?;
        Ok(self.queue.pop_front())
    }

    /// Whether a message block starts at line `i`.
    fn starts_message(&mut self, i: usize) -> Result<bool, ReadError> {
        let Some(first) = self.text(i)? else { return Ok(false) };
        if first.starts_with("From: ") {
            return Ok(self.text(i + 1)?.is_some_and(|t| t.starts_with("Type: ")));
        }
        if first.starts_with("Type: ") {
            return Ok(self
                .text(i + 1)?
                .is_some_and(|t| t.starts_with("Sent: ") || t.starts_with("Received: ")));
        }
        Ok(false)
    }
}

/// `Name (detail)` as an account: the detail (phone, username, ACI, group
/// id) is the id, the name its label.
fn recipient(text: &str) -> (String, Option<String>) {
    if let Some(inner) = text.strip_suffix(')')
        && let Some((name, detail)) = inner.rsplit_once(" (")
        && !detail.is_empty()
        && !detail.contains(['(', ')'])
    {
        return (name.to_string(), Some(detail.to_string()));
    }
    (text.to_string(), None)
}

fn account(text: &str, ctx: &Ctx<'_>) -> AccountRef {
    let (name, detail) = recipient(text);
    let id = detail.as_deref().unwrap_or(&name);
    ctx.accounts.borrow_mut().get(id, Some(&name), None)
}

/// Reads one sigtop text file.
pub(super) fn read(
    input: &crate::Input,
    name: &str,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    input.with_entry(name, |reader| {
        let lines = Lines::new(BufReader::with_capacity(256 * 1024, reader), ctx.max);
        let mut ahead = Ahead { lines, queue: VecDeque::new(), display: ctx.display.clone() };
        let mut ctx = ctx.clone();
        // The header names the conversation.
        while ahead.text(0)?.is_some_and(|t| t.trim().is_empty()) {
            ahead.pop()?;
        }
        match ahead.pop()? {
            Some(line) if line.text.starts_with("Conversation: ") => {
                let text = line.text.get("Conversation: ".len()..).unwrap_or("");
                let (name, detail) = recipient(text);
                ctx.conversation = ConversationRef {
                    native_id: Arc::from(detail.unwrap_or_else(|| name.clone())),
                    name: Some(Arc::from(name)),
                    scope: None,
                };
            }
            Some(line) => {
                return Err(ReadError::invalid(
                    &ctx.display,
                    Some(line.offset),
                    "expected sigtop's `Conversation: ` header on the first line",
                ));
            }
            None => return Ok(()),
        }
        let mut stray_reported = false;
        let mut next_progress = super::PROGRESS_STEP;
        loop {
            while ahead.text(0)?.is_some_and(|t| t.trim().is_empty()) {
                ahead.pop()?;
            }
            if ahead.get(0)?.is_none() {
                break;
            }
            if ahead.lines.offset() >= next_progress {
                sink.progress(ahead.lines.offset());
                next_progress = ahead.lines.offset() + super::PROGRESS_STEP;
            }
            if !ahead.starts_message(0)? {
                if let Some(line) = ahead.pop()?
                    && !stray_reported
                {
                    stray_reported = true;
                    ctx.skip(
                        sink,
                        line.offset,
                        format!(
                            "line {}: expected a message block (`From:`/`Type:` lines); passed \
                             over up to the next one",
                            line.number
                        ),
                    );
                }
                continue;
            }
            stray_reported = false;
            block(&mut ahead, &ctx, sink)?;
        }
        sink.progress(ahead.lines.offset());
        Ok(())
    })
}

/// One message block, from its first header line to the blank line before
/// the next block.
fn block<R: BufRead>(
    ahead: &mut Ahead<R>,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let Some(first) = ahead.pop()? else { return Ok(()) };
    let (offset, number) = (first.offset, first.number);
    let mut end = first.offset + first.length;
    let mut too_long = first.too_long;
    let mut size = first.text.len();
    let mut fields: Vec<(String, String)> = Vec::new();
    let push_field = |line: &str, fields: &mut Vec<(String, String)>| {
        let (key, value) = line.split_once(": ").unwrap_or((line, ""));
        fields.push((key.to_string(), value.to_string()));
    };
    push_field(&first.text, &mut fields);
    while let Some(text) = ahead.text(0)?
        && let Some((key, _)) = text.split_once(": ")
        && FIELDS.contains(&key)
    {
        if let Some(line) = ahead.pop()? {
            end = line.offset + line.length;
            size += line.text.len() + 1;
            too_long |= line.too_long;
            push_field(&line.text, &mut fields);
        }
    }
    let mut rest: Vec<String> = Vec::new();
    while let Some(line) = ahead.get(0)? {
        if line.text.trim().is_empty() && ahead.starts_message(1)? {
            break;
        }
        if let Some(line) = ahead.pop()? {
            too_long |= line.too_long;
            size += line.text.len() + 1;
            if !line.text.trim().is_empty() {
                end = line.offset + line.length;
            }
            if size <= ctx.max {
                rest.push(line.text);
            }
        }
    }
    if too_long || size > ctx.max {
        ctx.skip(
            sink,
            offset,
            format!(
                "line {number}: message longer than the limit of {} bytes (max_record_bytes); \
                 passed over",
                ctx.max
            ),
        );
        return Ok(());
    }
    match message(&fields, rest, ctx, ctx.locator(offset, end - offset, Some(number))) {
        Ok(record) => emit(sink, record),
        Err(reason) => {
            ctx.skip(sink, offset, format!("line {number}: {reason}"));
            Ok(())
        }
    }
}

fn time(text: &str) -> Result<Timestamp, String> {
    // Times carry their offset, so the asserted zone never applies.
    timefmt::parse_timestamp(text, &jiff::tz::TimeZone::UTC, &timefmt::utc_name())
        .map(|mut t| {
            t.original = text.to_string();
            t
        })
        .map_err(|e| format!("cannot read time `{}`: {e}", text.escape_debug()))
}

/// Quote and body of lines after the header fields (with any `| ` prefix
/// removed): `["", "> From: ..", .., "", "body", ..]`.
fn quote_and_body(lines: &[String]) -> (Option<serde_json::Value>, String) {
    let mut rest = lines;
    while rest.first().is_some_and(|l| l.is_empty()) {
        rest = rest.get(1..).unwrap_or(&[]);
    }
    let mut quote = None;
    if rest.first().is_some_and(|l| l.starts_with("> From: ")) {
        let n = rest.iter().take_while(|l| l.starts_with('>')).count();
        let quoted: Vec<&str> = rest
            .iter()
            .take(n)
            .map(|l| l.strip_prefix("> ").or_else(|| l.strip_prefix('>')).unwrap_or(l))
            .collect();
        let field = |key: &str| quoted.iter().find_map(|l| l.strip_prefix(key)).map(str::to_string);
        let text_start = quoted.iter().position(|l| l.is_empty()).map(|p| p + 1);
        let text = text_start.map(|s| quoted.get(s..).unwrap_or(&[]).join("\n"));
        let attachments: Vec<&str> =
            quoted.iter().filter_map(|l| l.strip_prefix("Attachment: ")).collect();
        quote = Some(json!({
            "from": field("From: "),
            "sent": field("Sent: "),
            "attachments": attachments,
            "text": text,
        }));
        rest = rest.get(n..).unwrap_or(&[]);
        while rest.first().is_some_and(|l| l.is_empty()) {
            rest = rest.get(1..).unwrap_or(&[]);
        }
    }
    let mut body = rest;
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body = body.get(..body.len() - 1).unwrap_or(&[]);
    }
    (quote, body.join("\n"))
}

/// `name (mime, N bytes)`.
fn attachment(text: &str) -> Attachment {
    let parsed = text.strip_suffix(" bytes)").and_then(|t| {
        let (left, size) = t.rsplit_once(", ")?;
        let (name, mime) = left.rsplit_once(" (")?;
        Some((name, mime, size.parse::<u64>().ok()))
    });
    let (name, mime, size) = match parsed {
        Some((name, mime, size)) => (name, Some(mime.to_string()).filter(|m| !m.is_empty()), size),
        None => (text, None, None),
    };
    let name = if name == "no filename" { "" } else { name };
    Attachment {
        name: name.to_string(),
        reference: name.to_string(),
        kind: mime,
        size,
        sha256: None,
        entry: None,
    }
}

fn message(
    fields: &[(String, String)],
    rest: Vec<String>,
    ctx: &Ctx<'_>,
    locator: trove_model::Locator,
) -> Result<Record, String> {
    let get = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let kind_name = get("Type").unwrap_or("unknown");
    let sent = get("Sent").filter(|s| *s != "unknown");
    let received = get("Received").filter(|s| *s != "unknown");
    let sent_at = match (sent, received) {
        (Some(s), _) => time(s)?,
        (None, Some(r)) => time(r)?,
        (None, None) => return Err("no `Sent:` or `Received:` time".to_string()),
    };
    let sender = get("From").map(|who| account(who, ctx));
    let attachments =
        fields.iter().filter(|(k, _)| k == "Attachment").map(|(_, v)| attachment(v)).collect();
    let reactions = fields
        .iter()
        .filter(|(k, _)| k == "Reaction")
        .filter_map(|(_, v)| v.split_once(" from "))
        .map(|(emoji, who)| Reaction {
            sender_id: recipient(who).1.unwrap_or_else(|| who.to_string()),
            key: emoji.to_string(),
            at: None,
            native_id: None,
        })
        .collect();
    let mut record = Record {
        kind: match kind_name {
            "incoming" | "outgoing" => RecordKind::Message,
            other => RecordKind::Event(EventKind::Other(other.to_string())),
        },
        platform: trove_model::platform::SIGNAL,
        conversation: ctx.conversation.clone(),
        sender,
        sent_at,
        attachments,
        reactions,
        locator,
        ..Record::default()
    };
    if get("Edited").is_some() {
        let versions = versions(&rest);
        let mut quotes = Vec::new();
        let mut iter = versions.into_iter();
        if let Some(newest) = iter.next() {
            record.text = newest.body;
            record.edited_at = newest.sent;
            quotes.extend(newest.quote);
        }
        let mut older: Vec<Edit> = Vec::new();
        for v in iter {
            older.push(Edit { at: v.sent, text: v.body });
            quotes.extend(v.quote);
        }
        older.reverse();
        record.edits = older;
        if !quotes.is_empty() {
            record.raw = Some(json!({ "quote": quotes.first() }).to_string());
        }
    } else {
        let (quote, body) = quote_and_body(&rest);
        record.text = body;
        record.raw = quote.map(|q| json!({ "quote": q }).to_string());
    }
    if !record.is_message() && record.text.is_empty() {
        record.text = kind_name.to_string();
    }
    Ok(record)
}

/// One version of an edited message.
struct Version {
    sent: Option<Timestamp>,
    quote: Option<serde_json::Value>,
    body: String,
}

/// The `| `-prefixed edit history, newest first as sigtop writes it.
fn versions(rest: &[String]) -> Vec<Version> {
    let lines: Vec<String> = rest
        .iter()
        .filter(|l| l.starts_with('|'))
        .map(|l| l.strip_prefix("| ").or_else(|| l.strip_prefix('|')).unwrap_or(l).to_string())
        .collect();
    let mut out = Vec::new();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            l.starts_with("Version: ")
                && (*i == 0 || lines.get(i - 1).is_some_and(|p| p.is_empty()))
        })
        .map(|(i, _)| i)
        .collect();
    for (k, &start) in starts.iter().enumerate() {
        let stop = starts.get(k + 1).copied().unwrap_or(lines.len());
        let chunk = lines.get(start..stop).unwrap_or(&[]);
        let header_len = chunk
            .iter()
            .take_while(|l| {
                l.split_once(": ")
                    .is_some_and(|(key, _)| matches!(key, "Version" | "Sent" | "Attachment"))
            })
            .count();
        let sent = chunk
            .iter()
            .take(header_len)
            .find_map(|l| l.strip_prefix("Sent: "))
            .and_then(|s| time(s).ok());
        let (quote, body) = quote_and_body(chunk.get(header_len..).unwrap_or(&[]));
        out.push(Version { sent, quote, body });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_and_attachments() {
        assert_eq!(
            recipient("Bob (+15550101)"),
            ("Bob".to_string(), Some("+15550101".to_string()))
        );
        assert_eq!(recipient("Bob"), ("Bob".to_string(), None));
        assert_eq!(
            recipient("Bob (work) (+1)"),
            ("Bob (work)".to_string(), Some("+1".to_string()))
        );
        let a = attachment("a b.jpg (image/jpeg, 1234 bytes)");
        assert_eq!(
            (a.name.as_str(), a.kind.as_deref(), a.size),
            ("a b.jpg", Some("image/jpeg"), Some(1234))
        );
        let a = attachment("no filename (, 0 bytes)");
        assert_eq!((a.name.as_str(), a.kind, a.size), ("", None, Some(0)));
        assert!(looks_like(b"Conversation: Bob (+1)\n\nFrom: Bob (+1)\nType: incoming\n"));
        assert!(!looks_like(b"Conversation is good\n"));
    }
}
