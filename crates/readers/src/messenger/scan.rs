//! Streams the members of one top-level JSON object, and the elements of
//! an array member, with exact byte offsets and bounded memory.
//!
//! [`crate::json_scan`] handles files whose top level is an array (or glued
//! values). Meta DYI threads and RSMF manifests are instead one object
//! whose `messages` / `events` member holds the records, next to small
//! header members that may come before or after it (`title` follows
//! `messages` in DYI files). [`ObjectScanner`] walks such an object member
//! by member: a member's value can be captured (up to a limit), skipped
//! without buffering, or entered when it is an array, to take its elements
//! one at a time. Readers that need header members first simply walk the
//! stream twice.
//!
//! Like `json_scan`, the scanner only tracks strings, escapes and bracket
//! nesting (on a heap stack with a fixed cap, never the call stack); the
//! caller's JSON parser validates what it captures.

use std::io::Read;

use crate::ReadError;
use crate::json_scan::Window;
use crate::json_value::{Bounds, show};
/// The longest member key accepted.
const MAX_KEY: usize = 64 * 1024;

/// A value the scanner was asked to capture.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Captured {
    /// The value's exact bytes.
    Bytes(Vec<u8>),
    /// The value was longer than the limit; it was skipped. Holds its length.
    TooLarge(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing read yet.
    Start,
    /// Between members of the top-level object.
    Members {
        /// No member read yet (no `,` expected).
        first: bool,
    },
    /// After a key and its `:`, before the value.
    Value,
    /// Inside an array member entered with [`ObjectScanner::enter_array`].
    Array {
        /// No element read yet.
        first: bool,
    },
    /// After the closing `}` (or an error).
    Done,
}

/// Walks the members of the top-level JSON object of a stream.
pub(crate) struct ObjectScanner<R> {
    w: Window<R>,
    file: String,
    state: State,
    stack: Vec<u8>,
}

impl<R: Read> ObjectScanner<R> {
    /// A scanner over `reader`; `file` names it in errors.
    pub(crate) fn new(reader: R, file: impl Into<String>) -> ObjectScanner<R> {
        ObjectScanner {
            w: Window::new(reader),
            file: file.into(),
            state: State::Start,
            stack: Vec::new(),
        }
    }

    /// Bytes of the stream consumed so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.offset()
    }

    /// The next member's key and the offset of its opening quote; `None`
    /// after the closing `}` (which must end the stream, whitespace aside).
    /// A value (or the rest of an array) left unread is skipped first.
    pub(crate) fn next_key(&mut self) -> Result<Option<(u64, String)>, ReadError> {
        let result = self.next_key_inner();
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }

    fn next_key_inner(&mut self) -> Result<Option<(u64, String)>, ReadError> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Start => self.open()?,
                State::Value => {
                    self.scan_value(None)?;
                    self.state = State::Members { first: false };
                }
                State::Array { .. } => while self.next_element(0)?.is_some() {},
                State::Members { first } => {
                    let Some(b) = self.skip_ws()? else {
                        return Err(self.invalid(
                            self.offset(),
                            "input ends before the top-level object is closed (truncated file?)",
                        ));
                    };
                    if b == b'}' {
                        self.w.pos += 1;
                        if let Some(b) = self.skip_ws()? {
                            return Err(self.invalid(
                                self.offset(),
                                format!("unexpected {} after the top-level object", show(b)),
                            ));
                        }
                        self.state = State::Done;
                        return Ok(None);
                    }
                    if !first {
                        if b != b',' {
                            return Err(self.invalid(
                                self.offset(),
                                format!("expected `,` or `}}` after a member, found {}", show(b)),
                            ));
                        }
                        self.w.pos += 1;
                    }
                    return self.key().map(Some);
                }
            }
        }
    }

    /// The current member's value, captured when at most `limit` bytes.
    /// Returns its offset.
    pub(crate) fn value(&mut self, limit: usize) -> Result<(u64, Captured), ReadError> {
        self.expect_value()?;
        let found = self.scan_value(Some(limit));
        self.state = if found.is_ok() { State::Members { first: false } } else { State::Done };
        found
    }

    /// Enters the current member's value if it is an array (true); any
    /// other value is skipped (false).
    pub(crate) fn enter_array(&mut self) -> Result<bool, ReadError> {
        self.expect_value()?;
        match self.skip_ws()? {
            Some(b'[') => {
                self.w.pos += 1;
                self.state = State::Array { first: true };
                Ok(true)
            }
            _ => {
                let skipped = self.scan_value(None);
                self.state =
                    if skipped.is_ok() { State::Members { first: false } } else { State::Done };
                skipped.map(|_| false)
            }
        }
    }

    /// The next element of the array entered with [`Self::enter_array`]
    /// and its offset, captured when at most `limit` bytes; `None` after the
    /// closing `]`.
    pub(crate) fn next_element(
        &mut self,
        limit: usize,
    ) -> Result<Option<(u64, Captured)>, ReadError> {
        let State::Array { first } = self.state else { return Ok(None) };
        let result = self.element_inner(first, limit);
        match &result {
            Ok(Some(_)) => self.state = State::Array { first: false },
            Ok(None) => self.state = State::Members { first: false },
            Err(_) => self.state = State::Done,
        }
        result
    }

    fn element_inner(
        &mut self,
        first: bool,
        limit: usize,
    ) -> Result<Option<(u64, Captured)>, ReadError> {
        let Some(mut b) = self.skip_ws()? else {
            return Err(self.invalid(self.offset(), "input ends inside an array (truncated file?)"));
        };
        if b == b']' {
            self.w.pos += 1;
            return Ok(None);
        }
        if !first {
            if b != b',' {
                return Err(self.invalid(
                    self.offset(),
                    format!("expected `,` or `]` after an array element, found {}", show(b)),
                ));
            }
            self.w.pos += 1;
            b = match self.skip_ws()? {
                Some(b']') => {
                    return Err(self.invalid(
                        self.offset(),
                        "expected a value after `,`, found `]` (trailing comma)",
                    ));
                }
                Some(b) => b,
                None => {
                    return Err(
                        self.invalid(self.offset(), "input ends inside an array (truncated file?)")
                    );
                }
            };
        }
        let _ = b;
        self.scan_value(Some(limit)).map(Some)
    }

    fn expect_value(&self) -> Result<(), ReadError> {
        if self.state == State::Value {
            Ok(())
        } else {
            Err(self.invalid(self.offset(), "internal: no member value to read here"))
        }
    }

    /// Skips a BOM and whitespace and consumes the `{`.
    fn open(&mut self) -> Result<(), ReadError> {
        if self.peek()? == Some(0xEF) {
            for expected in [0xEF, 0xBB, 0xBF] {
                match self.peek()? {
                    Some(b) if b == expected => self.w.pos += 1,
                    _ => {
                        return Err(
                            self.invalid(self.offset(), "a broken byte order mark starts the file")
                        );
                    }
                }
            }
        }
        match self.skip_ws()? {
            Some(b'{') => {
                self.w.pos += 1;
                self.state = State::Members { first: true };
                Ok(())
            }
            Some(b) => Err(self.invalid(
                self.offset(),
                format!("expected a JSON object (`{{`), found {}", show(b)),
            )),
            None => Err(self.invalid(
                self.offset(),
                "input ends where a JSON object should start (empty file?)",
            )),
        }
    }

    /// A member key (the scanner sits on whitespace before it) and its `:`.
    fn key(&mut self) -> Result<(u64, String), ReadError> {
        let start = match self.skip_ws()? {
            Some(b'"') => self.offset(),
            Some(b) => {
                return Err(self.invalid(
                    self.offset(),
                    format!("expected a member name (a string), found {}", show(b)),
                ));
            }
            None => {
                return Err(self.invalid(
                    self.offset(),
                    "input ends before the top-level object is closed (truncated file?)",
                ));
            }
        };
        let (_, captured) = self.scan_value(Some(MAX_KEY))?;
        let Captured::Bytes(bytes) = captured else {
            return Err(self.invalid(start, format!("a member name longer than {MAX_KEY} bytes")));
        };
        let key: String = serde_json::from_slice(&bytes).map_err(|e| {
            self.invalid(
                start,
                format!("unreadable member name: {}", crate::json_scan::error_reason(&e)),
            )
        })?;
        match self.skip_ws()? {
            Some(b':') => self.w.pos += 1,
            Some(b) => {
                return Err(self.invalid(
                    self.offset(),
                    format!("expected `:` after member name `{key}`, found {}", show(b)),
                ));
            }
            None => {
                return Err(self.invalid(self.offset(), "input ends after a member name"));
            }
        }
        self.state = State::Value;
        Ok((start, key))
    }

    /// Scans the value at the next non-whitespace byte, capturing it when
    /// `limit` is given and not exceeded.
    fn scan_value(&mut self, limit: Option<usize>) -> Result<(u64, Captured), ReadError> {
        if self.skip_ws()?.is_none() {
            return Err(self.invalid(self.offset(), "input ends where a value should start"));
        }
        let bounds = Bounds::keep(limit.unwrap_or(0));
        let found = self.w.bound_value(&mut self.stack, bounds).map_err(|e| {
            self.invalid(e.offset(), e.reason(bounds.max_bytes, "max_record_bytes"))
        })?;
        let captured = match (found.bytes, limit) {
            (Some(bytes), _) => Captured::Bytes(bytes),
            (None, Some(_)) => Captured::TooLarge(found.length),
            (None, None) => Captured::Bytes(Vec::new()),
        };
        Ok((found.offset, captured))
    }

    /// Ensures unread bytes are buffered; false at end of stream.
    fn fill(&mut self) -> Result<bool, ReadError> {
        self.w.fill().map_err(|reason| self.invalid(self.offset(), reason))
    }

    fn peek(&mut self) -> Result<Option<u8>, ReadError> {
        Ok(if self.fill()? { Some(self.w.buf[self.w.pos]) } else { None })
    }

    /// Skips JSON whitespace and returns the next byte without consuming it.
    fn skip_ws(&mut self) -> Result<Option<u8>, ReadError> {
        self.w.skip_ws().map_err(|reason| self.invalid(self.offset(), reason))
    }

    fn offset(&self) -> u64 {
        self.w.offset()
    }

    fn invalid(&self, offset: u64, reason: impl Into<String>) -> ReadError {
        ReadError::invalid(&self.file, Some(offset), reason)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::json_value::MAX_DEPTH;

    type Members = Vec<(String, Vec<(u64, Captured)>)>;

    /// Reads every member: arrays element by element, other values whole.
    fn walk(text: &[u8], limit: usize) -> Result<Members, ReadError> {
        let mut scanner = ObjectScanner::new(text, "t.json");
        let mut out = Vec::new();
        while let Some((_, key)) = scanner.next_key()? {
            let mut values = Vec::new();
            if key.starts_with('a') {
                if scanner.enter_array()? {
                    while let Some(found) = scanner.next_element(limit)? {
                        values.push(found);
                    }
                }
            } else {
                values.push(scanner.value(limit)?);
            }
            out.push((key, values));
        }
        Ok(out)
    }

    fn bytes(c: &Captured) -> &[u8] {
        match c {
            Captured::Bytes(b) => b,
            Captured::TooLarge(_) => b"<too large>",
        }
    }

    #[test]
    fn members_and_elements_with_offsets() {
        let text = b"\xEF\xBB\xBF {\"x\": {\"k\": \"}\\\"]\"}, \"a\\u0062\" : [1, \"two\", {\"t\": [3]}, true ] ,\n\"n\":-1.5e3}  \n";
        let found = walk(text, 1000).unwrap();
        let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["x", "ab", "n"]);
        for (_, values) in &found {
            for (offset, captured) in values {
                let b = bytes(captured);
                assert_eq!(&text[*offset as usize..*offset as usize + b.len()], b);
            }
        }
        let elements: Vec<&[u8]> = found[1].1.iter().map(|(_, c)| bytes(c)).collect();
        assert_eq!(elements, [&b"1"[..], b"\"two\"", b"{\"t\": [3]}", b"true"]);
        assert_eq!(bytes(&found[0].1[0].1), b"{\"k\": \"}\\\"]\"}");
        assert_eq!(bytes(&found[2].1[0].1), b"-1.5e3");
    }

    #[test]
    fn unread_values_and_arrays_are_skipped() {
        let text = b"{\"a\": [1, [2, 3], 4], \"b\": {\"c\": [5]}, \"d\": 6}";
        let mut scanner = ObjectScanner::new(&text[..], "t.json");
        assert_eq!(scanner.next_key().unwrap().unwrap().1, "a");
        assert!(scanner.enter_array().unwrap());
        assert_eq!(scanner.next_element(10).unwrap().unwrap(), (7, Captured::Bytes(b"1".to_vec())));
        // The rest of `a` and all of `b` are skipped.
        assert_eq!(scanner.next_key().unwrap().unwrap().1, "b");
        assert_eq!(scanner.next_key().unwrap().unwrap(), (39, "d".to_string()));
        assert!(!scanner.enter_array().unwrap());
        assert_eq!(scanner.next_key().unwrap(), None);
        assert_eq!(scanner.next_key().unwrap(), None);
    }

    #[test]
    fn large_values_are_measured_not_buffered() {
        let text = b"{\"a\": [\"0123456789\", 12345678901, 1], \"b\": \"xyz\"}";
        let found = walk(text, 5).unwrap();
        assert_eq!(
            found[0].1,
            vec![
                (7, Captured::TooLarge(12)),
                (21, Captured::TooLarge(11)),
                (34, Captured::Bytes(b"1".to_vec()))
            ]
        );
        assert_eq!(found[1].1, vec![(43, Captured::Bytes(b"\"xyz\"".to_vec()))]);
    }

    #[test]
    fn small_chunks_give_the_same_result() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text = br#"{"a": ["x\\\"y", {"b": [1, 2]}, null], "c": 12345, "d": "\"}"}"#;
        let mut scanner = ObjectScanner::new(Trickle(text), "t.json");
        let mut seen = Vec::new();
        while let Some((_, key)) = scanner.next_key().unwrap() {
            if key == "a" {
                assert!(scanner.enter_array().unwrap());
                while let Some((offset, c)) = scanner.next_element(100).unwrap() {
                    seen.push((offset, c));
                }
            } else {
                seen.push(scanner.value(100).unwrap());
            }
        }
        for (offset, c) in &seen {
            let b = bytes(c);
            assert_eq!(&text[*offset as usize..*offset as usize + b.len()], b);
        }
        assert_eq!(seen.len(), 5);
    }

    #[test]
    fn errors_name_the_offset() {
        let cases: &[(&[u8], u64, &str)] = &[
            (b"", 0, "empty file"),
            (b"[1]", 0, "expected a JSON object"),
            (b"{\"a\": [1, 2", 11, "truncated"),
            (b"{\"a\": [1,]}", 9, "trailing comma"),
            (b"{\"a\": [1 2]}", 9, "expected `,` or `]`"),
            (b"{\"a\": 1 \"b\": 2}", 8, "expected `,` or `}`"),
            (b"{\"a\" 1}", 5, "expected `:`"),
            (b"{\"a\": {]}", 7, "mismatched"),
            (b"{\"a\": 1} x", 9, "after the top-level object"),
            (b"{\"a\": \"abc", 6, "truncated"),
            (b"{1: 2}", 1, "member name"),
            (b"{\"a\": @}", 6, "expected a JSON value"),
        ];
        for (text, offset, reason) in cases {
            let err = walk(text, 100).unwrap_err();
            match err {
                ReadError::Invalid { offset: Some(at), reason: r, .. } => {
                    assert_eq!(at, *offset, "{}: {r}", String::from_utf8_lossy(text));
                    assert!(r.contains(reason), "{}: {r}", String::from_utf8_lossy(text));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let mut text = b"{\"a\": ".to_vec();
        text.extend(std::iter::repeat_n(b'[', MAX_DEPTH + 10));
        let err = walk(&text, 100).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }
}
