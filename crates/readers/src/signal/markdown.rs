//! signal-export's `chat.md` (older exports: `index.md`).
//!
//! Each message starts with a header line `[2019-05-29 15:04:00] Aya: `
//! (older versions: `[2019-05-29, 15:04]`) and runs until the next header;
//! signal-export writes a blank line after every message. The body is
//! `quote + text + "  "` followed by decorations, in this order:
//! reactions `\n(- Name: 👍, Name2: ❤️ -)`, a sticker `\n(( label ))` or
//! `[label](../exported_stickers/...)  `, and attachments
//! `![name](./media/...)  ` (images), `[name](./media/...)  ` or
//! `(media not exported)  `. A quote is `\n\n> line\n> line\n\n` right after
//! the header. These are taken apart from the end; a body that merely ends
//! in a Markdown link to anything but `./` or `../` stays text.

use std::borrow::Cow;
use std::io::BufReader;

use trove_model::{Attachment, Reaction, Record, RecordKind};

use super::lines::{LineRef, Lines};
use super::{Ctx, emit, kind_of_file};
use crate::media::Located;
use crate::timefmt::{Civil, two};
use crate::{Notice, NoticeKind, ReadError, Sink};

/// A message header: the date text, the sender, and the rest of the line.
pub(super) struct Header<'a> {
    pub date: &'a str,
    pub sender: &'a str,
    pub rest: &'a str,
}

/// Parses `[YYYY-MM-DD[,] HH:MM[:SS]] Sender: rest` the way signal-export's
/// own merge code does (the sender ends at the first `:`).
pub(super) fn header(line: &str) -> Option<Header<'_>> {
    let (date, after) = dated(line)?;
    let colon = after.find(':')?;
    let sender = after.get(..colon)?;
    let rest = after.get(colon + 1..)?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    Some(Header { date, sender, rest })
}

/// A line that starts `[date] `: the date text and the rest.
fn dated(line: &str) -> Option<(&str, &str)> {
    let inner = line.strip_prefix('[')?;
    // Every line comes through here; `str::find` with a `&str` builds a
    // two-way searcher each time, which cost more than the search.
    let close = memchr::memchr_iter(b']', inner.as_bytes())
        .find(|&at| inner.as_bytes().get(at + 1) == Some(&b' '))?;
    let date = inner.get(..close)?;
    if !is_header_date(date.as_bytes()) {
        return None;
    }
    Some((date, inner.get(close + 2..)?))
}

/// `YYYY-MM-DD HH:MM`, with an optional `,` after the date and optional
/// `:SS`.
fn is_header_date(b: &[u8]) -> bool {
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let (date, time) = match b {
        [d @ .., b',', b' ', t0, t1, b':', t2, t3] | [d @ .., b' ', t0, t1, b':', t2, t3] => {
            (d, digits(&[*t0, *t1, *t2, *t3]))
        }
        [d @ .., b',', b' ', t0, t1, b':', t2, t3, b':', t4, t5]
        | [d @ .., b' ', t0, t1, b':', t2, t3, b':', t4, t5] => {
            (d, digits(&[*t0, *t1, *t2, *t3, *t4, *t5]))
        }
        _ => return false,
    };
    let date = date.strip_suffix(b",").unwrap_or(date);
    matches!(date, [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1]
        if digits(&[*y0, *y1, *y2, *y3, *m0, *m1, *d0, *d1]))
        && time
}

/// The civil date and time of a header's date text, which [`header`] has
/// checked to be `YYYY-MM-DD[,] HH:MM[:SS]`: read in place rather than
/// through [`crate::timefmt::parse_timestamp`], which re-detects the form
/// for every message. `None` for any other text.
pub(super) fn header_civil(date: &str) -> Option<Civil> {
    let b = date.as_bytes();
    if !is_header_date(b) {
        return None;
    }
    // The time starts after `, ` or ` `.
    let t = if b.get(10) == Some(&b',') { 12 } else { 11 };
    Some(Civil {
        year: i32::try_from(two(b, 0)? * 100 + two(b, 2)?).ok()?,
        month: two(b, 5)?,
        day: two(b, 8)?,
        hour: two(b, t)?,
        minute: two(b, t + 3)?,
        second: if b.len() > t + 5 { two(b, t + 6)? } else { 0 },
        nanos: 0,
    })
}

/// A message being collected.
struct Pending {
    date: String,
    sender: String,
    /// The header line's rest, then each following line after a `\n`
    /// (one buffer rather than a `String` per line joined at the end).
    text: String,
    /// Length of `text` up to the end of the last line with text after the
    /// header line: trailing blank lines are not part of the message.
    keep: usize,
    offset: u64,
    line: u64,
    /// End offset of the last line with text.
    end: u64,
    bytes: usize,
    too_large: bool,
}

/// Reads one Markdown entry.
pub(super) fn read(
    input: &crate::Input,
    name: &str,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    input.with_entry(name, |reader| {
        let mut lines = Lines::new(BufReader::with_capacity(256 * 1024, reader), ctx.max);
        let mut pending: Option<Pending> = None;
        // The last message's buffers, reused: growing a fresh text line by
        // line cost a reallocation or two per message, and the date and
        // sender an allocation each.
        let mut spare = Spare::default();
        let mut stray_reported = false;
        let mut next_progress = super::PROGRESS_STEP;
        while let Some(line) = lines.next_ref().map_err(|e| ReadError::io(&ctx.display, e))? {
            if line.consumed >= next_progress {
                sink.progress(line.consumed);
                next_progress = line.consumed + super::PROGRESS_STEP;
            }
            if line.too_long {
                // Its first bytes still tell whether it starts a message.
                if let Some(h) = header(&line.text) {
                    if let Some(p) = pending.take() {
                        spare = finish(p, ctx, sink)?;
                    }
                    pending = Some(Pending {
                        date: h.date.to_string(),
                        sender: h.sender.to_string(),
                        text: String::new(),
                        keep: 0,
                        offset: line.offset,
                        line: line.number,
                        end: line.offset + line.length,
                        bytes: 0,
                        too_large: true,
                    });
                    stray_reported = false;
                    continue;
                }
                match &mut pending {
                    Some(p) => p.too_large = true,
                    None if !stray_reported => {
                        stray_reported = true;
                        ctx.skip(
                            sink,
                            line.offset,
                            format!(
                                "line {} is longer than the limit of {} bytes \
                                 (max_record_bytes) and starts no message; passed over",
                                line.number, ctx.max
                            ),
                        );
                    }
                    None => {}
                }
                continue;
            }
            if let Some(h) = header(&line.text) {
                if let Some(p) = pending.take() {
                    spare = finish(p, ctx, sink)?;
                }
                let Spare { text, date, sender } = std::mem::take(&mut spare);
                pending = Some(Pending {
                    date: refill(date, h.date),
                    sender: refill(sender, h.sender),
                    bytes: h.rest.len(),
                    text: refill(text, h.rest),
                    keep: h.rest.len(),
                    offset: line.offset,
                    line: line.number,
                    end: line.offset + line.length,
                    too_large: false,
                });
                stray_reported = false;
                continue;
            }
            match &mut pending {
                Some(p) => {
                    // A dated line naming no sender (a group change, say)
                    // is not the message's own text: folded, but said.
                    if dated(&line.text).is_some() {
                        sink.notice(Notice {
                            file: ctx.display.to_string(),
                            offset: line.offset,
                            kind: NoticeKind::LinesFolded,
                            count: 1,
                            reason: format!(
                                "line {}: starts with a date but names no `sender:`; folded into \
                                 the message before (line {})",
                                line.number, p.line
                            ),
                        });
                    }
                    push(p, line, ctx.max)
                }
                None if line.text.trim().is_empty() => {}
                None => {
                    if !stray_reported {
                        stray_reported = true;
                        ctx.skip(
                            sink,
                            line.offset,
                            format!(
                                "line {}: text before the first `[date] sender:` header; \
                                 passed over up to the next header",
                                line.number
                            ),
                        );
                    }
                }
            }
        }
        if let Some(p) = pending.take() {
            finish(p, ctx, sink)?;
        }
        sink.progress(lines.offset());
        Ok(())
    })
}

fn push(p: &mut Pending, line: LineRef<'_>, max: usize) {
    if p.too_large {
        return;
    }
    p.bytes += line.text.len() + 1;
    if p.bytes > max {
        p.too_large = true;
        p.text = String::new();
        return;
    }
    p.text.push('\n');
    p.text.push_str(&line.text);
    if !line.text.trim().is_empty() {
        p.end = line.offset + line.length;
        p.keep = p.text.len();
    }
}

/// A finished message's strings, kept for the next one.
#[derive(Default)]
struct Spare {
    text: String,
    date: String,
    sender: String,
}

impl Spare {
    fn of(p: Pending) -> Spare {
        Spare { text: p.text, date: p.date, sender: p.sender }
    }
}

/// `buffer` holding just `text`.
fn refill(mut buffer: String, text: &str) -> String {
    buffer.clear();
    buffer.push_str(text);
    buffer
}

/// Turns a collected message into a record (or a skip); hands back the
/// buffers for the next message.
fn finish(mut p: Pending, ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<Spare, ReadError> {
    if p.too_large {
        ctx.skip(
            sink,
            p.offset,
            format!(
                "line {}: message longer than the limit of {} bytes (max_record_bytes); passed \
                 over",
                p.line, ctx.max
            ),
        );
        return Ok(Spare::of(p));
    }
    // The export writes a blank line after each message.
    p.text.truncate(p.keep);
    let parsed = match header_civil(&p.date) {
        Some(civil) => ctx.local_civil(civil, &p.date),
        None => {
            let date = if p.date.contains(", ") {
                Cow::Owned(p.date.replacen(", ", " ", 1))
            } else {
                Cow::Borrowed(p.date.as_str())
            };
            ctx.local_time(&date, &p.date)
        }
    };
    let sent_at = match parsed {
        Ok(t) => t,
        Err(e) => {
            ctx.skip(sink, p.offset, format!("line {}: {e}", p.line));
            return Ok(Spare::of(p));
        }
    };
    let body = decode(&p.text);
    // Serialized straight from a struct: building a `Value` and formatting
    // it through `Display` cost more than the rest of the record. Same
    // bytes: the fields are in the order the `Value`'s sorted keys were.
    #[derive(serde::Serialize)]
    struct Raw<'a> {
        quote: Option<&'a str>,
        sticker: Option<&'a str>,
    }
    let raw = (body.quote.is_some() || body.sticker.is_some())
        .then(|| {
            serde_json::to_string(&Raw {
                quote: body.quote.as_deref(),
                sticker: body.sticker.as_ref().map(|(label, _)| label.as_str()),
            })
            .ok()
        })
        .flatten();
    // The decoded parts move into the record (no copies).
    let mut attachments = Vec::new();
    for a in body.attachments {
        attachments.push(match a {
            Decoration::File { name, path, image } => {
                let (entry, size) = Located::split(ctx.locate(&path));
                Attachment {
                    name,
                    kind: kind_of_file(&path).or_else(|| image.then(|| "image".to_string())),
                    reference: path,
                    size,
                    sha256: None,
                    entry,
                }
            }
            Decoration::Missing(kind) => Attachment {
                name: String::new(),
                reference: String::new(),
                kind: Some(kind),
                size: None,
                sha256: None,
                entry: None,
            },
        });
    }
    if let Some((label, path)) = body.sticker {
        let (entry, size) = Located::split(path.as_deref().and_then(|p| ctx.locate(p)));
        attachments.push(Attachment {
            name: label,
            reference: path.unwrap_or_default(),
            kind: Some("sticker".to_string()),
            size,
            sha256: None,
            entry,
        });
    }
    let reactions = body
        .reactions
        .into_iter()
        .map(|(sender_id, key)| Reaction { sender_id, key, at: None, native_id: None })
        .collect();
    let record = Record {
        kind: RecordKind::Message,
        platform: trove_model::platform::SIGNAL,
        conversation: ctx.conversation.clone(),
        sender: ctx.account(&p.sender),
        sent_at,
        deleted: body.deleted,
        text: body.text,
        reactions,
        attachments,
        locator: ctx.locator(p.offset, p.end - p.offset, Some(p.line)),
        raw,
        ..Record::default()
    };
    emit(sink, record)?;
    Ok(Spare::of(p))
}

/// An attachment line item.
#[derive(Debug, PartialEq)]
enum Decoration {
    /// `[name](path)` or `![name](path)`.
    File { name: String, path: String, image: bool },
    /// `(<kind> not exported)`.
    Missing(String),
}

/// A message body taken apart.
#[derive(Debug, Default, PartialEq)]
struct Body {
    text: String,
    quote: Option<String>,
    reactions: Vec<(String, String)>,
    sticker: Option<(String, Option<String>)>,
    attachments: Vec<Decoration>,
    deleted: bool,
}

/// Takes a message body (everything after `Sender: `) apart.
fn decode(full: &str) -> Body {
    let mut body = Body::default();
    let mut rest = full;
    if let Some(after) = rest.strip_prefix("\n\n") {
        let mut quote = Vec::new();
        let mut consumed = 2;
        let mut closed = false;
        for line in after.split('\n') {
            if let Some(q) = line.strip_prefix('>') {
                quote.push(q.strip_prefix(' ').unwrap_or(q));
                consumed += line.len() + 1;
            } else if line.is_empty() && !quote.is_empty() {
                consumed += 1;
                closed = true;
                break;
            } else {
                break;
            }
        }
        if closed {
            body.quote = Some(quote.join("\n"));
            rest = full.get(consumed..).unwrap_or("");
        }
    }
    // Attachments (and a linked sticker), each followed by two spaces.
    let mut found = Vec::new();
    while let Some(t) = rest.strip_suffix("  ") {
        if let Some((before, decoration)) = trailing_link(t).or_else(|| trailing_missing(t)) {
            found.push(decoration);
            rest = before;
        } else {
            break;
        }
    }
    found.reverse();
    for decoration in found {
        match decoration {
            Decoration::File { name, path, .. } if path.starts_with("../exported_stickers/") => {
                body.sticker = Some((name, Some(path)));
            }
            other => body.attachments.push(other),
        }
    }
    if body.sticker.is_none()
        && let Some(t) = rest.strip_suffix(" ))")
        && let Some(start) = rfind(t, "\n(( ")
    {
        body.sticker = Some((t.get(start + 4..).unwrap_or("").to_string(), None));
        rest = t.get(..start).unwrap_or("");
    }
    if let Some(t) = rest.strip_suffix(" -)")
        && let Some(start) = rfind(t, "\n(- ")
    {
        let list = t.get(start + 4..).unwrap_or("");
        body.reactions = list
            .split(", ")
            .filter_map(|r| r.rsplit_once(": "))
            .map(|(who, emoji)| (who.to_string(), emoji.to_string()))
            .collect();
        rest = t.get(..start).unwrap_or("");
    }
    let text = rest.strip_suffix("  ").unwrap_or(rest);
    if text == "(This message was deleted)"
        && body.quote.is_none()
        && body.reactions.is_empty()
        && body.attachments.is_empty()
        && body.sticker.is_none()
    {
        body.deleted = true;
    } else {
        body.text = text.to_string();
    }
    body
}

/// `hay.rfind(needle)`, by the needle's first byte: `str::rfind` builds a
/// two-way searcher on every call, which cost more than these short
/// searches from the end.
fn rfind(hay: &str, needle: &str) -> Option<usize> {
    let first = *needle.as_bytes().first()?;
    memchr::memrchr_iter(first, hay.as_bytes())
        .find(|&at| hay.as_bytes().get(at..).is_some_and(|h| h.starts_with(needle.as_bytes())))
}

/// `... [name](./path)` or `... ![name](./path)` at the end of `t`.
fn trailing_link(t: &str) -> Option<(&str, Decoration)> {
    let inner = t.strip_suffix(')')?;
    let split = rfind(inner, "](")?;
    let path = inner.get(split + 2..)?;
    if !(path.starts_with("./") || path.starts_with("../")) || path.contains(char::is_whitespace) {
        return None;
    }
    let head = inner.get(..split)?;
    let open = head.rfind('[')?;
    let name = head.get(open + 1..)?.to_string();
    let before = head.get(..open)?;
    let (before, image) = match before.strip_suffix('!') {
        Some(b) => (b, true),
        None => (before, false),
    };
    Some((before, Decoration::File { name, path: path.to_string(), image }))
}

/// `... (media not exported)` at the end of `t`.
fn trailing_missing(t: &str) -> Option<(&str, Decoration)> {
    let inner = t.strip_suffix(" not exported)")?;
    let open = inner.rfind('(')?;
    let kind = inner.get(open + 1..)?;
    if kind.is_empty() || kind.contains(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        return None;
    }
    Some((inner.get(..open)?, Decoration::Missing(kind.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The in-place header time is what the general parser reads from
        /// the same text, ", " made " " as the old path did, error or not.
        #[test]
        fn header_civil_agrees_with_parse_timestamp(
            digits in proptest::collection::vec(0u32..100, 7),
            comma in any::<bool>(),
            seconds in any::<bool>(),
            zone in prop::sample::select(vec!["UTC", "Europe/Berlin", "America/New_York"]),
        ) {
            let date = format!(
                "{:02}{:02}-{:02}-{:02}{}{:02}:{:02}{}",
                digits[0], digits[1], digits[2], digits[3],
                if comma { ", " } else { " " },
                digits[4], digits[5],
                if seconds { format!(":{:02}", digits[6]) } else { String::new() },
            );
            let tz = crate::timefmt::parse_zone(zone).map_err(TestCaseError::fail)?;
            let name: std::sync::Arc<str> = std::sync::Arc::from(zone);
            let civil = header_civil(&date);
            prop_assert!(civil.is_some(), "{date}");
            let fast = civil.map(|c| {
                crate::timefmt::naive_in_zone(c, &date, &tz, &name).map(|(t, _)| t)
            });
            let slow = crate::timefmt::parse_timestamp(&date.replacen(", ", " ", 1), &tz, &name)
                .map(|mut t| {
                    t.original = date.clone();
                    t
                });
            prop_assert_eq!(fast, Some(slow));
        }
    }

    #[test]
    fn headers() {
        let h =
            header("[2019-05-29 15:04:00] Aya: We're great!").map(|h| (h.date, h.sender, h.rest));
        assert_eq!(h, Some(("2019-05-29 15:04:00", "Aya", "We're great!")));
        let h =
            header("[2019-12-24, 12:23] Jane Doe: Hello: you").map(|h| (h.date, h.sender, h.rest));
        assert_eq!(h, Some(("2019-12-24, 12:23", "Jane Doe", "Hello: you")));
        let h = header("[2019-05-29 15:04:00] Aya: ").map(|h| h.rest);
        assert_eq!(h, Some(""));
        assert!(header("[2019-05-29 15:04:00] no colon").is_none());
        assert!(header("[29.05.19, 15:04:00] Aya: x").is_none());
        assert!(header("[2019-05-29T15:04:00] Aya: x").is_none());
        assert!(header("2019-05-29 15:04:00 Aya: x").is_none());
    }

    proptest! {
        #[test]
        fn rfind_agrees_with_str_rfind(hay in "[a\\](\n( -]{0,30}", needle in prop::sample::select(vec!["](", "\n(( ", "\n(- ", "a"])) {
            prop_assert_eq!(rfind(&hay, needle), hay.rfind(needle));
        }
    }

    #[test]
    fn bodies() {
        assert_eq!(decode("hi  "), Body { text: "hi".into(), ..Body::default() });
        assert_eq!(decode("old style"), Body { text: "old style".into(), ..Body::default() });
        let b = decode(
            "\n\n> first\n> \n> third\n\nreply  \n(- Bo: 👍, Me: ❤️ -)![p.jpg](./media/p.jpg)  (media not exported)  ",
        );
        assert_eq!(b.text, "reply");
        assert_eq!(b.quote.as_deref(), Some("first\n\nthird"));
        assert_eq!(b.reactions, vec![("Bo".into(), "👍".into()), ("Me".into(), "❤️".into())]);
        assert_eq!(
            b.attachments,
            vec![
                Decoration::File {
                    name: "p.jpg".into(),
                    path: "./media/p.jpg".into(),
                    image: true
                },
                Decoration::Missing("media".into()),
            ]
        );
        let b = decode("  \n(( 😀 ))");
        assert_eq!((b.text.as_str(), b.sticker), ("", Some(("😀".into(), None))));
        let b = decode("  [😀](../exported_stickers/p1/3.webp)  ");
        assert_eq!(b.sticker, Some(("😀".into(), Some("../exported_stickers/p1/3.webp".into()))));
        // A body ending in an ordinary link keeps it as text.
        let b = decode("see [x](https://example.org)  ");
        assert_eq!(b.text, "see [x](https://example.org)");
        assert!(b.attachments.is_empty());
        assert!(decode("(This message was deleted)").deleted);
        assert!(!decode("(This message was deleted) not").deleted);
    }
}
