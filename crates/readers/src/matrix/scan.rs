//! Streams the events of an Element export out of its nested `messages`
//! array, with exact byte offsets.
//!
//! [`crate::json_scan`] yields the elements of a top-level array only; an
//! Element export is one object whose `messages` key holds the array. This
//! walker reads the top-level object key by key (keeping small header
//! values, passing over others without buffering them), descends into the
//! `messages` array when it meets it (at depth 1, wherever it sits among
//! the keys), and yields each element's bytes and offset. A top-level array
//! is taken as the events array itself.
//!
//! Failure modes: an element larger than the limit is passed over without
//! being buffered and reported; a file that ends inside the array (a cut
//! copy) reports where and stops with what was read; structural damage
//! (mismatched brackets, a missing `,`) is an error at its offset, since
//! nothing after it can be placed reliably.

use std::io::Read;

use crate::ReadError;
use crate::json_scan::Window;
use crate::json_value::{Bounds, Unbounded, show};
/// Largest header value kept (`room_name`, `topic`, ...).
const MAX_HEADER: usize = 64 * 1024;

/// What the walker hands out.
pub(super) trait Visitor {
    /// A top-level key and its value's bytes (values over 64 KiB are not
    /// kept, and `messages` is not passed here).
    fn header(&mut self, key: &str, value: &[u8]);
    /// Element `index` of the events array, at `offset`; `path` is its JSON
    /// path.
    fn event(
        &mut self,
        index: usize,
        offset: u64,
        bytes: &[u8],
        path: &str,
    ) -> Result<(), ReadError>;
    /// Something that could not be read, at `offset`.
    fn problem(&mut self, offset: u64, reason: String);
    /// Bytes consumed so far.
    fn progress(&mut self, _bytes: u64) {}
}

/// What a walk found.
#[derive(Debug, Default)]
pub(super) struct Walked {
    /// Whether an events array was found.
    pub events_array: bool,
}

/// A scanned JSON value.
enum Scanned {
    Value(Vec<u8>),
    /// Complete but larger than the limit: passed over, not kept.
    TooLarge,
    /// The stream ended inside the value.
    Truncated,
}

/// A byte stream with offsets.
pub(super) struct Stream<R> {
    w: Window<R>,
    file: String,
    stack: Vec<u8>,
}

impl<R: Read> Stream<R> {
    pub(super) fn new(reader: R, file: &str) -> Stream<R> {
        Stream { w: Window::new(reader), file: file.to_string(), stack: Vec::new() }
    }

    fn offset(&self) -> u64 {
        self.w.offset()
    }

    fn invalid(&self, offset: u64, reason: impl Into<String>) -> ReadError {
        ReadError::invalid(&self.file, Some(offset), reason)
    }

    /// Ensures unread bytes are buffered; false at end of stream.
    fn fill(&mut self) -> Result<bool, ReadError> {
        self.w.fill().map_err(|reason| self.invalid(self.offset(), reason))
    }

    fn peek(&mut self) -> Result<Option<u8>, ReadError> {
        Ok(if self.fill()? { self.w.buf.get(self.w.pos).copied() } else { None })
    }

    /// Skips whitespace; the next byte, not consumed.
    fn skip_ws(&mut self) -> Result<Option<u8>, ReadError> {
        self.w.skip_ws().map_err(|reason| self.invalid(self.offset(), reason))
    }

    /// Scans the value starting at the current byte, keeping at most `max`
    /// bytes of it.
    fn value(&mut self, max: usize) -> Result<Scanned, ReadError> {
        match self.w.bound_value(&mut self.stack, Bounds::keep(max)) {
            Ok(found) => Ok(found.bytes.map_or(Scanned::TooLarge, Scanned::Value)),
            Err(Unbounded::Truncated { .. }) => Ok(Scanned::Truncated),
            Err(e) => Err(self.invalid(e.offset(), e.reason(max, "max_record_bytes"))),
        }
    }

    /// Walks the whole stream, handing events and header values to
    /// `visitor`. `max` bounds one event.
    pub(super) fn walk(
        &mut self,
        max: usize,
        visitor: &mut dyn Visitor,
    ) -> Result<Walked, ReadError> {
        let mut walked = Walked::default();
        for expected in [0xEF, 0xBB, 0xBF] {
            if self.peek()? != Some(expected) {
                break;
            }
            self.w.pos += 1;
        }
        match self.skip_ws()? {
            Some(b'{') => self.w.pos += 1,
            Some(b'[') => {
                walked.events_array = true;
                self.array(max, "$", visitor)?;
                self.trailer(visitor)?;
                return Ok(walked);
            }
            Some(b) => {
                return Err(self.invalid(
                    self.offset(),
                    format!("expected a JSON object (an Element export), found {}", show(b)),
                ));
            }
            None => return Err(self.invalid(self.offset(), "the file is empty")),
        }
        loop {
            let key_at = self.offset();
            match self.skip_ws()? {
                Some(b'}') => {
                    self.w.pos += 1;
                    break;
                }
                Some(b'"') => {}
                Some(b) => {
                    return Err(self.invalid(
                        key_at,
                        format!("expected a key or `}}` in the export object, found {}", show(b)),
                    ));
                }
                None => {
                    visitor.problem(
                        key_at,
                        format!(
                            "the file ends at byte {key_at} inside the export object (truncated?)"
                        ),
                    );
                    return Ok(walked);
                }
            }
            let key_at = self.offset();
            let key = match self.value(4096)? {
                Scanned::Value(bytes) => serde_json::from_slice::<String>(&bytes)
                    .map_err(|e| self.invalid(key_at, format!("unreadable key: {e}")))?,
                Scanned::TooLarge => return Err(self.invalid(key_at, "a key longer than 4 KiB")),
                Scanned::Truncated => {
                    visitor.problem(key_at, "the file ends inside a key (truncated?)".to_string());
                    return Ok(walked);
                }
            };
            if self.skip_ws()? != Some(b':') {
                return Err(
                    self.invalid(self.offset(), format!("expected `:` after the key `{key}`"))
                );
            }
            self.w.pos += 1;
            let next = self.skip_ws()?;
            let value_at = self.offset();
            match next {
                Some(b'[') if key == "messages" => {
                    walked.events_array = true;
                    if !self.array(max, "$.messages", visitor)? {
                        return Ok(walked);
                    }
                }
                Some(_) => match self.value(if key == "messages" { 0 } else { MAX_HEADER })? {
                    Scanned::Value(bytes) => visitor.header(&key, &bytes),
                    Scanned::TooLarge => {
                        if key == "messages" {
                            visitor.problem(value_at, "`messages` is not an array".to_string());
                        }
                    }
                    Scanned::Truncated => {
                        visitor.problem(
                            value_at,
                            format!("the file ends inside the value of `{key}` (truncated?)"),
                        );
                        return Ok(walked);
                    }
                },
                None => {
                    visitor.problem(value_at, format!("the file ends before the value of `{key}`"));
                    return Ok(walked);
                }
            }
            match self.skip_ws()? {
                Some(b',') => self.w.pos += 1,
                Some(b'}') => {
                    self.w.pos += 1;
                    break;
                }
                Some(b) => {
                    return Err(self.invalid(
                        self.offset(),
                        format!(
                            "expected `,` or `}}` after the value of `{key}`, found {}",
                            show(b)
                        ),
                    ));
                }
                None => {
                    visitor.problem(
                        self.offset(),
                        "the file ends before the export object is closed (truncated?)".to_string(),
                    );
                    return Ok(walked);
                }
            }
        }
        self.trailer(visitor)?;
        Ok(walked)
    }

    /// Reports anything but whitespace after the top-level value.
    fn trailer(&mut self, visitor: &mut dyn Visitor) -> Result<(), ReadError> {
        if let Some(b) = self.skip_ws()? {
            visitor.problem(
                self.offset(),
                format!(
                    "{} after the end of the export; the rest of the file is not read",
                    show(b)
                ),
            );
        }
        Ok(())
    }

    /// The events array at the current `[`. `Ok(false)` when the file ends
    /// inside it (reported).
    fn array(
        &mut self,
        max: usize,
        path: &str,
        visitor: &mut dyn Visitor,
    ) -> Result<bool, ReadError> {
        self.w.pos += 1;
        let mut index = 0usize;
        loop {
            match self.skip_ws()? {
                Some(b']') => {
                    self.w.pos += 1;
                    return Ok(true);
                }
                Some(_) => {}
                None => {
                    visitor.problem(
                        self.offset(),
                        format!("the file ends inside {path} after {index} events (truncated?)"),
                    );
                    return Ok(false);
                }
            }
            let start = self.offset();
            let element = crate::json_scan::indexed(path, index);
            match self.value(max)? {
                Scanned::Value(bytes) => visitor.event(index, start, &bytes, &element)?,
                Scanned::TooLarge => visitor.problem(
                    start,
                    format!("{element} is larger than the limit of {max} bytes (max_record_bytes)"),
                ),
                Scanned::Truncated => {
                    visitor.problem(
                        start,
                        format!(
                            "{element}: the file ends at byte {} inside this event (truncated?)",
                            self.offset()
                        ),
                    );
                    return Ok(false);
                }
            }
            visitor.progress(self.offset());
            index += 1;
            match self.skip_ws()? {
                Some(b',') => self.w.pos += 1,
                Some(b']') => {}
                Some(b) => {
                    return Err(self.invalid(
                        self.offset(),
                        format!("expected `,` or `]` after {element}, found {}", show(b)),
                    ));
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        headers: Vec<(String, String)>,
        events: Vec<(u64, String, String)>,
        problems: Vec<(u64, String)>,
    }

    impl Visitor for Collect {
        fn header(&mut self, key: &str, value: &[u8]) {
            self.headers.push((key.to_string(), String::from_utf8_lossy(value).into_owned()));
        }
        fn event(
            &mut self,
            _: usize,
            offset: u64,
            bytes: &[u8],
            path: &str,
        ) -> Result<(), ReadError> {
            self.events.push((
                offset,
                String::from_utf8_lossy(bytes).into_owned(),
                path.to_string(),
            ));
            Ok(())
        }
        fn problem(&mut self, offset: u64, reason: String) {
            self.problems.push((offset, reason));
        }
    }

    use crate::json_value::Trickle;

    fn walk(data: &[u8], step: usize, max: usize) -> Result<Collect, ReadError> {
        let mut c = Collect::default();
        Stream::new(Trickle { data, step }, "e.json").walk(max, &mut c)?;
        for (offset, text, _) in &c.events {
            assert_eq!(&data[*offset as usize..*offset as usize + text.len()], text.as_bytes());
        }
        Ok(c)
    }

    #[test]
    fn nested_array_anywhere() {
        let data =
            br#"{"room_name": "R", "messages": [{"a": "]}"}, {"b": [1, 2]}], "topic": {"x": "y"}}"#;
        for step in [1, 3, 1000] {
            let c = walk(data, step, 100).unwrap();
            assert_eq!(
                c.headers,
                vec![
                    ("room_name".into(), "\"R\"".into()),
                    ("topic".into(), "{\"x\": \"y\"}".into())
                ]
            );
            assert_eq!(c.events.len(), 2);
            assert_eq!(c.events[0].0, 32);
            assert_eq!(c.events[1].2, "$.messages[1]");
            assert!(c.problems.is_empty());
        }
        let c = walk(b" [ {\"a\":1} ] ", 2, 100).unwrap();
        assert_eq!(c.events, vec![(3, "{\"a\":1}".into(), "$[0]".into())]);
    }

    #[test]
    fn limits_truncation_and_damage() {
        let c = walk(br#"{"messages": [{"a": "long long"}, {"b": 1}]}"#, 4, 10).unwrap();
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.problems[0].0, 14);
        assert!(c.problems[0].1.contains("limit of 10"));
        let c = walk(br#"{"messages": [{"a": 1}, {"b": "#, 4, 100).unwrap();
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.problems[0].0, 24);
        assert!(c.problems[0].1.contains("truncated"));
        let err = walk(br#"{"messages": [{"a": 1]]}"#, 4, 100).err().unwrap();
        assert!(err.to_string().contains("at byte 21: mismatched `]`"), "{err}");
        let err = walk(br#"{"messages": [{} {}]}"#, 4, 100).err().unwrap();
        assert!(err.to_string().contains("expected `,` or `]` after $.messages[0]"), "{err}");
        let err = walk(b"hello", 4, 100).err().unwrap();
        assert!(err.to_string().contains("at byte 0: expected a JSON object"), "{err}");
        let c = walk(br#"{"messages": []} trailing"#, 4, 100).unwrap();
        assert!(c.problems[0].1.contains("after the end"));
    }
}
