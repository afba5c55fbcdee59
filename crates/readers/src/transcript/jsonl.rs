//! JSON Lines transcripts: one JSON object per line, or one JSON array of
//! message objects (a file whose first byte after whitespace is `[`),
//! streamed element by element.
//!
//! Keys are found from the objects in the first MiB of the file (mapped
//! keys may be dotted paths into nested objects, `u.username`); a file whose
//! first MiB holds no complete object resolves them from its first object.
//! An array element is located by its byte offset and `$[index]`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{self, BufReader, Read};

use serde_json::{Map, Value};

use crate::bounded_lines::Lines;
use crate::json_scan::lite::{self, Lite, LiteMap};
use crate::json_scan::{JsonScanner, ScanOptions};

use super::{Columns, Context, FIELDS, Place, Row, has_extension, read_head, resolve, single_file};
use crate::{Confidence, Input, ReadError, ReadOptions, Sink};

/// File extensions sniffed as JSONL.
const EXTENSIONS: &[&str] = &["jsonl", "ndjson", "json"];
/// Members read from a folder or zip with `--format jsonl` (not `.json`,
/// which in a container is usually something else).
pub(super) const CONTAINER_EXTENSIONS: &[&str] = &["jsonl", "ndjson"];

/// How much of the file sniffing and key discovery look at.
const HEAD: usize = 1 << 20;

/// How deep dotted paths are offered in key listings.
const MAX_DEPTH: usize = 4;
/// How many distinct keys are collected for resolution.
const MAX_KEYS: usize = 1000;

/// `Maybe` for a `.jsonl`/`.ndjson`/`.json` file whose first line is a JSON
/// object with a text key.
pub(super) fn sniff(input: &Input) -> Confidence {
    let Some(name) = single_file(input) else {
        return Confidence::No;
    };
    if !has_extension(name, EXTENSIONS) {
        return Confidence::No;
    }
    let Ok(head) = input.head(name, HEAD) else {
        return Confidence::No;
    };
    if super::check_text(&head).is_err() {
        return Confidence::No;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Confidence::No;
    };
    if head[start] != b'{' {
        return Confidence::No;
    }
    let rest = &head[start..];
    let line = match rest.iter().position(|&b| b == b'\n') {
        Some(end) => &rest[..end],
        None if head.len() < HEAD => rest,
        // The first line does not end within the head: not line-shaped.
        None => return Confidence::No,
    };
    match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(object))
            if super::has_text_candidate(object.keys().map(String::as_str)) =>
        {
            Confidence::Maybe
        }
        _ => Confidence::No,
    }
}

/// A key the file has, as listed to the user (`u.username`) and as the
/// path of object keys that reaches it.
struct Key {
    name: String,
    path: Vec<String>,
}

/// Keys seen so far, in first-seen order.
#[derive(Default)]
struct Keys {
    keys: Vec<Key>,
    seen: HashSet<String>,
}

impl Keys {
    fn add_object(&mut self, object: &Map<String, Value>) {
        self.walk(object, &mut String::new(), &mut Vec::new(), 0);
    }

    /// `name` and `path` hold the key that leads to `object`; both are
    /// grown and cut back in place, and copied only for a key not yet seen
    /// (after the first object of a file, nearly none are new).
    fn walk<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        name: &mut String,
        path: &mut Vec<&'v str>,
        depth: usize,
    ) {
        for (key, value) in object {
            if self.keys.len() >= MAX_KEYS {
                return;
            }
            let prefix_len = name.len();
            if prefix_len > 0 {
                name.push('.');
            }
            name.push_str(key);
            path.push(key);
            if let Value::Object(inner) = value
                && depth + 1 < MAX_DEPTH
            {
                self.walk(inner, name, path, depth + 1);
            }
            if !self.seen.contains(name.as_str()) {
                self.seen.insert(name.clone());
                let path = path.iter().map(|k| (*k).to_string()).collect();
                self.keys.push(Key { name: name.clone(), path });
            }
            path.pop();
            name.truncate(prefix_len);
        }
    }

    fn names(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.name.clone()).collect()
    }
}

/// Reads one JSONL entry into `sink`.
pub(super) fn read_entry(
    input: &Input,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let ctx = Context::new(input, name, options);
    input.with_entry(name, |reader| {
        let head = read_head(reader, HEAD, &ctx.display)?;
        let bom = head.bom;
        if head.bytes[bom..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return read_array(&ctx, head.bytes, reader, options, sink);
        }
        let mut keys = Keys::default();
        sample_keys(&head.bytes[bom..], head.bytes.len() < HEAD, &mut keys);
        let mut resolved = if keys.keys.is_empty() {
            None
        } else {
            Some((resolve(&keys.names(), &options.map, &ctx.display, bom as u64, "key")?, keys))
        };
        // The cursor starts after the BOM; `Lines` counts offsets from it.
        let mut first = io::Cursor::new(head.bytes);
        first.set_position(bom as u64);
        let stream = BufReader::with_capacity(256 * 1024, first.chain(reader));
        let mut lines =
            Lines { inner: stream, offset: bom as u64, line: 0, limit: options.max_record_bytes };
        let mut buf = Vec::new();
        let mut next_progress = super::PROGRESS_STEP;
        while let Some((offset, line)) = lines
            .next(&mut buf)
            .map_err(|e| e.into_read_error(&ctx.display, options.max_record_bytes))?
        {
            if lines.offset >= next_progress {
                sink.progress(lines.offset);
                next_progress = lines.offset + super::PROGRESS_STEP;
            }
            let bytes = buf.strip_suffix(b"\r").unwrap_or(&buf);
            if bytes.trim_ascii().is_empty() {
                continue;
            }
            let place = Place { offset, length: bytes.len() as u64, line, element: false };
            read_object(&ctx, &crate::utf8::lossy(bytes), place, &mut resolved, options, sink)?;
        }
        sink.progress(lines.offset);
        ctx.report_decoded(sink);
        Ok(())
    })
}

/// Reads a file holding one JSON array of message objects, element by
/// element; `head` is its first bytes, already read from `reader`.
fn read_array(
    ctx: &Context<'_>,
    head: Vec<u8>,
    reader: &mut dyn Read,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let mut keys = Keys::default();
    // Keys from the elements complete within the head.
    let mut sample = JsonScanner::new(
        head.as_slice(),
        ctx.display.clone(),
        ScanOptions { assignment_prefix: false, ..ScanOptions::js_array(options.max_record_bytes) },
    );
    while let Ok(Some((_, bytes))) = sample.next_element() {
        if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(&bytes) {
            keys.add_object(&object);
        }
    }
    let mut resolved = if keys.keys.is_empty() {
        None
    } else {
        Some((resolve(&keys.names(), &options.map, &ctx.display, 0, "key")?, keys))
    };
    let stream = io::Cursor::new(head).chain(reader);
    let mut scanner = JsonScanner::new(
        stream,
        ctx.display.clone(),
        ScanOptions { assignment_prefix: false, ..ScanOptions::js_array(options.max_record_bytes) },
    );
    let mut next_progress = super::PROGRESS_STEP;
    let mut index = 0u64;
    while let Some((offset, bytes)) = scanner.next_element()? {
        if scanner.bytes_read() >= next_progress {
            sink.progress(scanner.bytes_read());
            next_progress = scanner.bytes_read() + super::PROGRESS_STEP;
        }
        let place = Place { offset, length: bytes.len() as u64, line: index, element: true };
        index += 1;
        read_object(ctx, &crate::utf8::lossy(&bytes), place, &mut resolved, options, sink)?;
    }
    sink.progress(scanner.bytes_read());
    ctx.report_decoded(sink);
    Ok(())
}

/// Reads one object (a line's or an array element's text) into `sink`,
/// resolving the mapped keys from it when the head gave none.
fn read_object(
    ctx: &Context<'_>,
    text: &str,
    place: Place,
    resolved: &mut Option<(Columns, Keys)>,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let offset = place.offset;
    // Read borrowed: a full `Value` per object costs an allocation per key
    // and string, and most of them are never looked at.
    let object = match lite::from_str(text) {
        Ok(Lite::Object(object)) => object,
        Ok(_) => {
            ctx.skip(sink, offset, format!("{place}: not a JSON object"));
            return Ok(());
        }
        Err(e) => {
            ctx.skip(sink, offset, format!("{place}: not valid JSON: {e}"));
            return Ok(());
        }
    };
    if resolved.is_none() {
        let mut keys = Keys::default();
        // The same sorted, merged map a `Value` would have been.
        keys.add_object(&object.to_map());
        let columns = resolve(&keys.names(), &options.map, &ctx.display, offset, "key")?;
        *resolved = Some((columns, keys));
    }
    let Some((columns, keys)) = resolved.as_ref() else { return Ok(()) };
    let row = row_of(&object, columns, keys);
    match ctx.record(row, place) {
        Ok(record) => sink.record(record).map_err(|stop| ReadError::Stopped(stop.0)),
        Err(reason) => {
            ctx.skip(sink, offset, reason);
            Ok(())
        }
    }
}

/// Collects the keys of the objects on the complete lines of `head`
/// (`complete`: the head is the whole file, so its last line counts too).
fn sample_keys(head: &[u8], complete: bool, keys: &mut Keys) {
    let mut pieces: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    if !complete {
        pieces.pop();
    }
    for piece in pieces {
        if piece.trim_ascii().is_empty() {
            continue;
        }
        if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(&crate::utf8::lossy(piece))
        {
            keys.add_object(&object);
        }
    }
}

/// The fields of one object, by the resolved keys.
fn row_of<'v>(object: &'v LiteMap<'_>, columns: &Columns, keys: &Keys) -> Row<'v> {
    let mut row = Row::default();
    for field in FIELDS {
        let Some(key) = columns[field.index()].and_then(|i| keys.keys.get(i)) else {
            continue;
        };
        if let Some(value) = lookup(object, &key.path).and_then(as_text) {
            row.set(field, value);
        }
    }
    row
}

fn lookup<'v, 'a>(object: &'v LiteMap<'a>, path: &[String]) -> Option<&'v Lite<'a>> {
    let (first, rest) = path.split_first()?;
    let value = object.get(first)?;
    if rest.is_empty() {
        return Some(value);
    }
    match value {
        Lite::Object(inner) => lookup(inner, rest),
        _ => None,
    }
}

/// A JSON value as field text: strings as they are, numbers and booleans
/// as written, `null` as absent, arrays and objects as compact JSON (as a
/// `Value` prints them: `Lite`'s `Display` goes through one).
fn as_text<'v>(value: &'v Lite<'_>) -> Option<Cow<'v, str>> {
    match value {
        Lite::Null => None,
        Lite::String(s) => Some(Cow::Borrowed(s)),
        Lite::Number(n) => Some(Cow::Owned(n.to_string())),
        Lite::Bool(b) => Some(Cow::Owned(b.to_string())),
        other => Some(Cow::Owned(other.to_string())),
    }
}
