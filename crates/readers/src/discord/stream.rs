//! A small streaming JSON walker for documents whose records sit in an array
//! *inside* a top-level object (`{"guild": ..., "messages": [ ... ]}`,
//! `{"messages": [ ... ]}`), plus the JSON helpers the Discord, Rocket.Chat
//! and Slack readers share.
//!
//! [`crate::json_scan`] yields the elements of a top-level array only. Here
//! [`Stream`] walks the top-level object key by key, skips the values it is
//! not interested in without buffering them, and hands out the elements of
//! the wanted array one at a time with their exact byte offsets. An element
//! larger than the caller's limit is measured and passed over without being
//! buffered ([`Value::TooLarge`]), so one oversized record costs a skip, not
//! the rest of the file.
//!
//! Like `json_scan`, the walker tracks only strings, escapes and bracket
//! nesting (on a heap stack, capped at [`crate::json_value::MAX_DEPTH`]); each element is then
//! validated by `serde_json`.

use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};

use crate::json_scan::Window;
pub(crate) use crate::json_value::show;
use crate::json_value::{Bounds, is_ws};
use crate::{Input, ReadError};
/// The longest object key accepted.
const MAX_KEY: usize = 64 * 1024;

/// Where and why a document stops being readable. The caller decides
/// whether that is a skip (records were read before it) or an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Broken {
    /// Byte offset of the problem in the entry.
    pub offset: u64,
    /// What is wrong, for a person.
    pub reason: String,
}

/// One JSON value found in the stream.
#[derive(Debug)]
pub(crate) enum Value {
    /// The value's bytes, starting at `offset`.
    Bytes { offset: u64, bytes: Vec<u8> },
    /// A value larger than the limit: where it starts and how long it is.
    TooLarge { offset: u64, length: u64 },
}

/// Streams JSON from any [`Read`], keeping exact byte offsets.
pub(crate) struct Stream<R> {
    w: Window<R>,
    stack: Vec<u8>,
}

impl<R: Read> Stream<R> {
    /// A walker over `reader`, whose first byte is at offset 0.
    pub fn new(reader: R) -> Stream<R> {
        Stream::at(reader, 0)
    }

    /// A walker over `reader`, whose first byte is at offset `base` of the
    /// entry (for a second pass that skipped ahead).
    pub fn at(reader: R, base: u64) -> Stream<R> {
        let mut w = Window::new(reader);
        w.buf_offset = base;
        Stream { w, stack: Vec::new() }
    }

    /// The offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.w.offset()
    }

    fn broken(&self, offset: u64, reason: impl Into<String>) -> Broken {
        Broken { offset, reason: reason.into() }
    }

    /// Skips a UTF-8 byte order mark at the current position.
    pub fn skip_bom(&mut self) -> Result<(), Broken> {
        self.w.skip_bom().map_err(|(offset, reason)| self.broken(offset, reason))
    }

    /// Skips whitespace and returns the next byte without consuming it.
    pub fn peek(&mut self) -> Result<Option<u8>, Broken> {
        self.w.skip_ws().map_err(|reason| self.broken(self.offset(), reason))
    }

    /// Consumes the byte [`Stream::peek`] returned.
    pub fn bump(&mut self) {
        if self.w.pos < self.w.len {
            self.w.pos += 1;
        }
    }

    /// The value at the next non-whitespace byte. Values longer than `max`
    /// bytes are scanned to their end without being kept; `max == 0` skips
    /// any value without buffering it.
    pub fn value(&mut self, max: usize) -> Result<Value, Broken> {
        if self.peek()?.is_none() {
            return Err(self.broken(self.offset(), "input ends where a JSON value should start"));
        }
        let found = self
            .w
            .bound_value(&mut self.stack, Bounds::keep(max))
            .map_err(|e| self.broken(e.offset(), e.reason(max, "max_record_bytes")))?;
        Ok(match found.bytes {
            Some(bytes) => Value::Bytes { offset: found.offset, bytes },
            None => Value::TooLarge { offset: found.offset, length: found.length },
        })
    }

    /// Expects `open` (`{` or `[`) at the next non-whitespace byte and
    /// consumes it; `what` names the expected thing in the error.
    pub fn open(&mut self, open: u8, what: &str) -> Result<(), Broken> {
        match self.peek()? {
            Some(b) if b == open => {
                self.bump();
                Ok(())
            }
            Some(b) => {
                Err(self.broken(self.offset(), format!("expected {what}, found {}", show(b))))
            }
            None => Err(self.broken(
                self.offset(),
                format!("input ends where {what} should start (empty file?)"),
            )),
        }
    }

    /// The next key of an object whose `{` was consumed, with the offset
    /// of the key; the `:` is consumed too. `None` after the closing `}`.
    /// `first` is true before the first member and updated here.
    pub fn object_next(&mut self, first: &mut bool) -> Result<Option<(u64, String)>, Broken> {
        let mut b = self.peek()?;
        if !*first && b == Some(b',') {
            self.bump();
            b = self.peek()?;
        } else if !*first && b.is_some_and(|b| b != b'}') {
            let found = b.map(show).unwrap_or_default();
            return Err(self.broken(
                self.offset(),
                format!("expected `,` or `}}` in an object, found {found}"),
            ));
        }
        match b {
            None => Err(self
                .broken(self.offset(), "input ends before the object is closed (truncated file?)")),
            // A `}` right after a `,` is a trailing comma: tolerated.
            Some(b'}') => {
                self.bump();
                Ok(None)
            }
            Some(b'"') => {
                let offset = self.offset();
                let key = match self.value(MAX_KEY)? {
                    Value::Bytes { bytes, .. } => serde_json::from_slice::<String>(&bytes)
                        .map_err(|_| self.broken(offset, "unreadable object key"))?,
                    Value::TooLarge { .. } => {
                        return Err(self.broken(offset, "object key longer than 64 KiB"));
                    }
                };
                match self.peek()? {
                    Some(b':') => self.bump(),
                    Some(b) => {
                        return Err(self.broken(
                            self.offset(),
                            format!("expected `:` after key `{key}`, found {}", show(b)),
                        ));
                    }
                    None => {
                        return Err(self.broken(
                            self.offset(),
                            "input ends before the object is closed (truncated file?)",
                        ));
                    }
                }
                *first = false;
                Ok(Some((offset, key)))
            }
            Some(b) => {
                Err(self
                    .broken(self.offset(), format!("expected an object key, found {}", show(b))))
            }
        }
    }

    /// The next element of an array whose `[` was consumed; `None` after
    /// the closing `]`. `first` is true before the first element.
    pub fn array_next(&mut self, first: &mut bool, max: usize) -> Result<Option<Value>, Broken> {
        let b = self.peek()?;
        match b {
            None => {
                return Err(self.broken(
                    self.offset(),
                    "input ends before the array is closed (truncated file?)",
                ));
            }
            Some(b']') => {
                self.bump();
                return Ok(None);
            }
            Some(b',') if !*first => {
                self.bump();
                if self.peek()? == Some(b']') {
                    return Err(self.broken(
                        self.offset(),
                        "expected a value after `,`, found `]` (trailing comma)",
                    ));
                }
            }
            Some(b) if !*first => {
                return Err(self.broken(
                    self.offset(),
                    format!("expected `,` or `]` after an array element, found {}", show(b)),
                ));
            }
            Some(_) => {}
        }
        *first = false;
        self.value(max).map(Some)
    }
}

/// The result of [`walk_docs`].
#[derive(Debug, Default)]
pub(crate) struct Walk {
    /// A layout was recognised (an array of documents, an object holding
    /// one, or a stream of documents).
    pub recognised: bool,
    /// Documents handed to the handler.
    pub docs: usize,
    /// Where the file stopped being readable, if it did.
    pub broken: Option<Broken>,
}

/// Walks a file of JSON documents (messages, rooms, users) in any of the
/// layouts dumps use, calling `handler` with each document and its JSON path:
///
/// - a top-level array of documents (`[{...}, {...}]`);
/// - an object holding the documents in an array under one of `keys`
///   (`{"messages": [...], "success": true}`), possibly several such objects
///   glued together;
/// - a stream of documents, one per line (mongoexport) or glued, recognised
///   by an `_id` key in the first object (no JSON path: offsets tell them
///   apart).
///
/// A structural break is returned in [`Walk::broken`]; `Err` comes only from
/// the handler (the sink asked to stop) or from opening the entry.
pub(crate) fn walk_docs(
    input: &Input,
    name: &str,
    max: usize,
    keys: &[&str],
    handler: &mut dyn FnMut(Value, Option<String>) -> Result<(), ReadError>,
) -> Result<Walk, ReadError> {
    let mut walk = Walk::default();
    let restart = input.with_entry(name, |reader| {
        let mut stream = Stream::new(reader);
        match containers(&mut stream, max, keys, handler, &mut walk) {
            Ok(restart) => Ok(restart),
            Err(Fail::Stop(e)) => Err(e),
            Err(Fail::Broken(b)) => {
                walk.broken = Some(b);
                Ok(false)
            }
        }
    })?;
    if restart {
        input.with_entry(name, |reader| {
            let mut stream = Stream::new(reader);
            match documents(&mut stream, max, handler, &mut walk) {
                Ok(()) => Ok(()),
                Err(Fail::Stop(e)) => Err(e),
                Err(Fail::Broken(b)) => {
                    walk.broken = Some(b);
                    Ok(())
                }
            }
        })?;
    }
    Ok(walk)
}

/// A stop of a walk: a structural break, or an error to pass on.
pub(crate) enum Fail {
    Broken(Broken),
    Stop(ReadError),
}

impl From<Broken> for Fail {
    fn from(b: Broken) -> Fail {
        Fail::Broken(b)
    }
}

/// The first pass: arrays and objects holding arrays. `Ok(true)` asks for a
/// second pass that reads the file as a stream of documents.
fn containers<R: Read>(
    stream: &mut Stream<R>,
    max: usize,
    keys: &[&str],
    handler: &mut dyn FnMut(Value, Option<String>) -> Result<(), ReadError>,
    walk: &mut Walk,
) -> Result<bool, Fail> {
    stream.skip_bom()?;
    let mut top = 0usize;
    loop {
        match stream.peek()? {
            None if top == 0 => {
                return Err(Broken { offset: stream.offset(), reason: "empty file".into() }.into());
            }
            None => return Ok(false),
            // Glued day files are sometimes joined with commas.
            Some(b',') if top > 0 => stream.bump(),
            Some(b'[') => {
                walk.recognised = true;
                stream.bump();
                array(stream, max, "$", handler, walk)?;
                top += 1;
            }
            Some(b'{') => {
                let start = stream.offset();
                stream.bump();
                let mut first = true;
                let mut found = false;
                let mut document = false;
                while let Some((_, key)) = stream.object_next(&mut first)? {
                    if keys.contains(&key.as_str()) && stream.peek()? == Some(b'[') {
                        found = true;
                        walk.recognised = true;
                        stream.bump();
                        array(stream, max, &format!("$.{key}"), handler, walk)?;
                    } else {
                        document |= key == "_id";
                        stream.value(0)?;
                    }
                }
                if !found && top == 0 {
                    if document {
                        walk.recognised = true;
                        return Ok(true);
                    }
                    let wanted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                    return Err(Broken {
                        offset: start,
                        reason: format!(
                            "the top-level object has no {} array and is not a document \
                             (no `_id`)",
                            wanted.join(" or ")
                        ),
                    }
                    .into());
                }
                top += 1;
            }
            Some(b) => {
                return Err(Broken {
                    offset: stream.offset(),
                    reason: format!("expected a JSON object or array, found {}", show(b)),
                }
                .into());
            }
        }
    }
}

fn array<R: Read>(
    stream: &mut Stream<R>,
    max: usize,
    path: &str,
    handler: &mut dyn FnMut(Value, Option<String>) -> Result<(), ReadError>,
    walk: &mut Walk,
) -> Result<(), Fail> {
    let mut first = true;
    let mut index = 0usize;
    while let Some(value) = stream.array_next(&mut first, max)? {
        handler(value, Some(crate::json_scan::indexed(path, index))).map_err(Fail::Stop)?;
        walk.docs += 1;
        index += 1;
    }
    Ok(())
}

/// The second pass: every top-level value is one document.
fn documents<R: Read>(
    stream: &mut Stream<R>,
    max: usize,
    handler: &mut dyn FnMut(Value, Option<String>) -> Result<(), ReadError>,
    walk: &mut Walk,
) -> Result<(), Fail> {
    stream.skip_bom()?;
    loop {
        match stream.peek()? {
            None => return Ok(()),
            Some(b',') => stream.bump(),
            Some(_) => {
                let value = stream.value(max)?;
                handler(value, None).map_err(Fail::Stop)?;
                walk.docs += 1;
            }
        }
    }
}

/// A platform id: a JSON string, or an integer in hand-made or re-serialised
/// files. Never a float: snowflakes exceed 2^53.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (a string or an integer)")
            }
            fn visit_str<E>(self, v: &str) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Id, E> {
                Ok(Id(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// A byte count: a non-negative integer, an integral float, or a string of
/// digits. Anything else reads as unknown rather than failing the record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Size(pub Option<u64>);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Size, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(Size(match value {
            serde_json::Value::Number(n) => n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 9.0e15)
                    .map(|f| f as u64)
            }),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }))
    }
}

/// `null` and a missing list both mean empty.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// The `http(s)://` links in plain text, in order, without duplicates.
/// A link ends at whitespace, `<`, `>` or `"`; trailing punctuation is not
/// part of it, nor is a closing parenthesis the link did not open.
pub(crate) fn find_urls(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = find_scheme(rest) {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(tail.len());
        let mut url = &tail[..end];
        loop {
            let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*', '_', '~']);
            let unbalanced = |open: char, close: char| {
                trimmed.ends_with(close)
                    && trimmed.matches(close).count() > trimmed.matches(open).count()
            };
            let trimmed = if unbalanced('(', ')') || unbalanced('[', ']') {
                &trimmed[..trimmed.len() - 1]
            } else {
                trimmed
            };
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        let scheme_len = if url.starts_with("https://") { 8 } else { 7 };
        if url.len() > scheme_len && !found.iter().any(|u| u == url) {
            found.push(url.to_string());
        }
        rest = &tail[end.max(1)..];
    }
    found
}

fn find_scheme(text: &str) -> Option<usize> {
    let http = text.find("http://");
    let https = text.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The last `/`-separated segment of an entry name.
pub(crate) fn file_name(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

/// The folder every entry of a zip sits in (`export/`), or "" when they do
/// not share one or the input is not a zip: a zipped folder is read as if
/// the folder itself were the input. Folders are not looked into: the
/// ingest walker offers their subfolders on their own.
pub(crate) fn zip_top(input: &Input) -> String {
    if *input.kind() != crate::InputKind::Zip {
        return String::new();
    }
    let mut entries = input.entries().iter();
    let Some(first) = entries.next() else { return String::new() };
    let Some((top, _)) = first.name.split_once('/') else { return String::new() };
    let prefix = format!("{top}/");
    if entries.all(|e| e.name.starts_with(&prefix)) { prefix } else { String::new() }
}

/// `head` after a BOM and whitespace.
pub(crate) fn trim_head(head: &[u8]) -> &[u8] {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !is_ws(*b)).unwrap_or(head.len());
    head.get(start..).unwrap_or_default()
}

/// Whether `haystack` holds the JSON key `key` (`"key"` followed by
/// optional whitespace and a `:`).
pub(crate) fn has_key(haystack: &[u8], key: &str) -> bool {
    let quoted = format!("\"{key}\"");
    memchr::memmem::find_iter(haystack, quoted.as_bytes()).any(|at| {
        let after = haystack.get(at + quoted.len()..).unwrap_or_default();
        after.iter().find(|b| !is_ws(**b)) == Some(&b':')
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    use crate::json_value::Trickle;

    /// The elements of the `messages` array of a top-level object.
    fn messages(data: &[u8], step: usize, max: usize) -> Result<Vec<(u64, String)>, Broken> {
        let mut s = Stream::new(Trickle { data, step });
        s.skip_bom()?;
        s.open(b'{', "an object")?;
        let mut first = true;
        let mut out = Vec::new();
        while let Some((_, key)) = s.object_next(&mut first)? {
            if key == "messages" {
                s.open(b'[', "an array")?;
                let mut first = true;
                while let Some(v) = s.array_next(&mut first, max)? {
                    out.push(match v {
                        Value::Bytes { offset, bytes } => {
                            (offset, String::from_utf8(bytes).unwrap())
                        }
                        Value::TooLarge { offset, length } => (offset, format!("<{length}>")),
                    });
                }
            } else {
                s.value(0)?;
            }
        }
        Ok(out)
    }

    #[test]
    fn nested_array_with_offsets() {
        let data = "\u{feff}{\"guild\": {\"id\": \"1\", \"n\": \"}]\\\"\"}, \"messages\": [ {\"a\": [1, {}]}, \n\"x\", 12.5e3, null ], \"messageCount\": 4}";
        for step in [1, 2, 3, 7, 1000] {
            let got = messages(data.as_bytes(), step, 1000).unwrap();
            let texts: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
            assert_eq!(texts, vec!["{\"a\": [1, {}]}", "\"x\"", "12.5e3", "null"]);
            for (offset, text) in &got {
                let at = *offset as usize;
                assert_eq!(&data.as_bytes()[at..at + text.len()], text.as_bytes());
            }
        }
    }

    #[test]
    fn oversized_elements_are_measured_not_kept() {
        let data = br#"{"messages": [{"a": "0123456789"}, {"b": 1}, 1234567890123]}"#;
        let got = messages(data, 4, 10).unwrap();
        assert_eq!(got[0], (14, "<19>".to_string()));
        assert_eq!(got[1], (35, "{\"b\": 1}".to_string()));
        assert_eq!(got[2], (45, "<13>".to_string()));
    }

    #[test]
    fn breaks_carry_offsets() {
        let cases: &[(&[u8], u64, &str)] = &[
            (b"", 0, "empty file"),
            (b"[1]", 0, "expected an object"),
            (b"{\"messages\": [1, 2", 18, "truncated"),
            (b"{\"messages\": [1, 2,]}", 19, "trailing comma"),
            (b"{\"messages\": [1 2]}", 16, "expected `,`"),
            (b"{\"messages\": [{\"a\": [}]}", 21, "mismatched"),
            (b"{\"messages\": [{\"a\": \"open", 14, "truncated"),
            (b"{\"a\" 1}", 5, "expected `:`"),
            (b"{\"a\": 1 \"b\": 2}", 8, "expected `,`"),
            (b"{1: 2}", 1, "expected an object key"),
            (b"{\"messages\": [}]}", 14, "expected a JSON value"),
        ];
        for (data, offset, needle) in cases {
            let err = messages(data, 3, 100).unwrap_err();
            assert!(
                err.reason.contains(needle),
                "{:?}: {}",
                String::from_utf8_lossy(data),
                err.reason
            );
            assert_eq!(err.offset, *offset, "{:?}: {}", String::from_utf8_lossy(data), err.reason);
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let mut data = b"{\"messages\": [".to_vec();
        data.extend(std::iter::repeat_n(b'[', 100_000));
        let err = messages(&data, 1000, 1 << 20).unwrap_err();
        assert!(err.reason.contains("nested deeper"), "{}", err.reason);
    }

    #[test]
    fn urls_in_text() {
        assert_eq!(
            find_urls(
                "see https://a.example/x?y=1, and (http://b.example/p_(q)) or <https://c.example>."
            ),
            vec!["https://a.example/x?y=1", "http://b.example/p_(q)", "https://c.example"]
        );
        assert_eq!(find_urls("https:// nothing http://"), Vec::<String>::new());
        assert_eq!(find_urls("dup https://a.b https://a.b"), vec!["https://a.b"]);
        assert_eq!(find_urls("ünï https://ä.example/ö…"), vec!["https://ä.example/ö…"]);
    }

    #[test]
    fn keys_in_heads() {
        assert!(has_key(b"{\"guild\" : {}}", "guild"));
        assert!(!has_key(b"{\"text\": \"guild\"}", "guild"));
        assert_eq!(trim_head(b"\xEF\xBB\xBF \n{"), b"{");
    }

    #[test]
    fn sizes_and_ids() {
        let size: Size = serde_json::from_str("12").unwrap();
        assert_eq!(size, Size(Some(12)));
        let size: Size = serde_json::from_str("\"34\"").unwrap();
        assert_eq!(size, Size(Some(34)));
        let size: Size = serde_json::from_str("-1").unwrap();
        assert_eq!(size, Size(None));
        let id: Id = serde_json::from_str("1357036852054798340").unwrap();
        assert_eq!(id.0, "1357036852054798340");
        assert!(serde_json::from_str::<Id>("1.5").is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..300), step in 1usize..9) {
            let _ = messages(&data, step, 64);
        }

        #[test]
        fn structured_bytes_never_panic(data in "[\\[\\]{}\",:a-z0-9 \\\\]{0,200}", step in 1usize..9) {
            let mut text = b"{\"messages\": [".to_vec();
            text.extend_from_slice(data.as_bytes());
            let _ = messages(&text, step, 64);
        }
    }
}
