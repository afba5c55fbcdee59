//! A streaming walker over one JSON document, for exports that nest their
//! big arrays inside objects (`chats.list[i].messages[j]`).
//!
//! [`crate::json_scan`] hands out the elements of one top-level array. A
//! full-account Telegram export is one object whose message arrays sit two
//! levels down, so this walker lets the reader descend key by key: it reads
//! object keys, array separators and whole values, either skipping a value
//! without keeping it or capturing its exact bytes with the offset where it
//! starts. Only strings, escapes and bracket nesting are tracked; captured
//! values are parsed by the caller. Nesting is counted on a heap stack with a
//! fixed cap, never on the call stack.

use std::io::Read;

use crate::ReadError;
use crate::json_scan::Window;
use crate::json_value::{Bounds, show};
/// The longest object key accepted.
const MAX_KEY: usize = 64 * 1024;

/// A value read by [`Walker::capture`].
pub(super) enum Captured {
    /// The value's bytes and the offset of its first byte.
    Value(u64, Vec<u8>),
    /// The value starting at this offset was longer than the limit (its
    /// length in bytes is the second field); it was walked over without
    /// keeping it.
    TooLarge(u64, u64),
}

/// A pull walker over the JSON text of one entry.
pub(super) struct Walker<R> {
    w: Window<R>,
    file: String,
    stack: Vec<u8>,
}

impl<R: Read> Walker<R> {
    /// A walker over `reader`; `file` names it in errors.
    pub(super) fn new(reader: R, file: impl Into<String>) -> Walker<R> {
        Walker { w: Window::new(reader), file: file.into(), stack: Vec::new() }
    }

    /// Offset of the next unread byte.
    pub(super) fn offset(&self) -> u64 {
        self.w.offset()
    }

    /// An [`ReadError::Invalid`] for this entry.
    pub(super) fn invalid(&self, offset: u64, reason: impl Into<String>) -> ReadError {
        ReadError::invalid(&self.file, Some(offset), reason)
    }

    fn truncated(&self, inside: &str) -> ReadError {
        self.invalid(self.offset(), format!("input ends inside {inside} (truncated file?)"))
    }

    /// Skips a UTF-8 byte order mark.
    pub(super) fn skip_bom(&mut self) -> Result<(), ReadError> {
        self.w.skip_bom().map_err(|(offset, reason)| self.invalid(offset, reason))
    }

    /// The next byte after whitespace, without consuming it.
    pub(super) fn peek(&mut self) -> Result<Option<u8>, ReadError> {
        self.w.skip_ws().map_err(|reason| self.invalid(self.offset(), reason))
    }

    /// Consumes `{` (after whitespace); `what` names the value in errors.
    pub(super) fn open(&mut self, bracket: u8, what: &str) -> Result<(), ReadError> {
        match self.peek()? {
            Some(b) if b == bracket => {
                self.w.pos += 1;
                Ok(())
            }
            Some(b) => Err(self.invalid(
                self.offset(),
                format!("expected {what} (`{}`), found {}", bracket as char, show(b)),
            )),
            None => Err(self.invalid(
                self.offset(),
                format!("input ends where {what} should start (empty or truncated file?)"),
            )),
        }
    }

    /// Only whitespace may follow the document.
    pub(super) fn end(&mut self) -> Result<(), ReadError> {
        match self.peek()? {
            None => Ok(()),
            Some(b) => Err(self.invalid(
                self.offset(),
                format!("unexpected {} after the end of the JSON document", show(b)),
            )),
        }
    }

    /// The next key of the object being walked (whose `{` is consumed), with
    /// the offset of its opening quote; `None` once its `}` is consumed.
    /// `first` tracks whether a key was read yet.
    pub(super) fn next_key(
        &mut self,
        first: &mut bool,
    ) -> Result<Option<(u64, String)>, ReadError> {
        match self.peek()? {
            None => return Err(self.truncated("an object")),
            Some(b'}') => {
                self.w.pos += 1;
                return Ok(None);
            }
            Some(b',') if !*first => {
                self.w.pos += 1;
            }
            Some(b'"') if *first => {}
            Some(b) => {
                let expected = if *first { "a key or `}`" } else { "`,` or `}`" };
                return Err(self.invalid(
                    self.offset(),
                    format!("expected {expected} in an object, found {}", show(b)),
                ));
            }
        }
        *first = false;
        match self.peek()? {
            Some(b'"') => {}
            Some(b) => {
                return Err(self.invalid(
                    self.offset(),
                    format!("expected an object key (a string), found {}", show(b)),
                ));
            }
            None => return Err(self.truncated("an object")),
        }
        let (start, _, bytes) = self.value(true, MAX_KEY)?;
        let Some(bytes) = bytes else {
            return Err(self.invalid(start, format!("object key longer than {MAX_KEY} bytes")));
        };
        let key = match serde_json::from_slice::<String>(&bytes) {
            Ok(key) => key,
            // Keys are ASCII in every export seen; a broken one is kept
            // lossily rather than stopping the read.
            Err(_) => {
                String::from_utf8_lossy(bytes.get(1..bytes.len().saturating_sub(1)).unwrap_or(&[]))
                    .into_owned()
            }
        };
        match self.peek()? {
            Some(b':') => {
                self.w.pos += 1;
                Ok(Some((start, key)))
            }
            Some(b) => Err(self.invalid(
                self.offset(),
                format!("expected `:` after an object key, found {}", show(b)),
            )),
            None => Err(self.truncated("an object")),
        }
    }

    /// Whether another element starts in the array being walked (whose `[`
    /// is consumed); false once its `]` is consumed.
    pub(super) fn next_item(&mut self, first: &mut bool) -> Result<bool, ReadError> {
        match self.peek()? {
            None => Err(self.truncated("an array")),
            Some(b']') => {
                self.w.pos += 1;
                Ok(false)
            }
            Some(b',') if !*first => {
                self.w.pos += 1;
                match self.peek()? {
                    None => Err(self.truncated("an array")),
                    Some(b']') => Err(self.invalid(
                        self.offset(),
                        "expected a value after `,`, found `]` (trailing comma)",
                    )),
                    Some(_) => Ok(true),
                }
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            Some(b) => Err(self.invalid(
                self.offset(),
                format!("expected `,` or `]` in an array, found {}", show(b)),
            )),
        }
    }

    /// Walks over the next value without keeping it; returns its offset.
    pub(super) fn skip_value(&mut self) -> Result<u64, ReadError> {
        self.value(false, 0).map(|(start, _, _)| start)
    }

    /// Reads the next value, keeping at most `max` bytes of it.
    pub(super) fn capture(&mut self, max: usize) -> Result<Captured, ReadError> {
        let (start, len, bytes) = self.value(true, max)?;
        Ok(match bytes {
            Some(bytes) => Captured::Value(start, bytes),
            None => Captured::TooLarge(start, len),
        })
    }

    /// Walks one value: `(offset, length, bytes)`; bytes are `None` when not
    /// asked for or longer than `max`.
    fn value(&mut self, keep: bool, max: usize) -> Result<(u64, u64, Option<Vec<u8>>), ReadError> {
        if self.peek()?.is_none() {
            return Err(self.invalid(
                self.offset(),
                "input ends where a JSON value should start (truncated file?)",
            ));
        }
        let bounds = Bounds::keep(if keep { max } else { 0 });
        let found = self
            .w
            .bound_value(&mut self.stack, bounds)
            .map_err(|e| self.invalid(e.offset(), e.reason(max, "max_record_bytes")))?;
        Ok((found.offset, found.length, found.bytes))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::json_value::MAX_DEPTH;

    use crate::json_value::Trickle;

    /// Walks `{"a": [..], "b": {"c": [..]}}`-shaped documents, capturing
    /// every element of every array and checking offsets.
    fn walk_all(data: &[u8], step: usize, max: usize) -> Result<Vec<(u64, Vec<u8>)>, ReadError> {
        let mut w = Walker::new(Trickle { data, step }, "t.json");
        w.skip_bom()?;
        w.open(b'{', "an object")?;
        let mut first = true;
        let mut got = Vec::new();
        while let Some((_, key)) = w.next_key(&mut first)? {
            if key == "skip" {
                w.skip_value()?;
                continue;
            }
            w.open(b'[', "an array")?;
            let mut f = true;
            while w.next_item(&mut f)? {
                match w.capture(max)? {
                    Captured::Value(at, bytes) => got.push((at, bytes)),
                    Captured::TooLarge(at, len) => got.push((at, format!("<{len}>").into_bytes())),
                }
            }
        }
        w.end()?;
        Ok(got)
    }

    #[test]
    fn captures_exact_bytes_across_chunks() {
        let data = "\u{feff}{\"skip\": {\"x\": [1, \"]}\\\"\"]}, \"m\": [ {\"a\": \"b\\\\\"}, 12, \
                    \"s\" , null, [[]] ], \"n\": []}\n";
        for step in 1..7 {
            let got = walk_all(data.as_bytes(), step, 100).unwrap();
            let texts: Vec<&str> =
                got.iter().map(|(_, b)| std::str::from_utf8(b).unwrap()).collect();
            assert_eq!(texts, vec![r#"{"a": "b\\"}"#, "12", r#""s""#, "null", "[[]]"]);
            for (at, bytes) in &got {
                let at = *at as usize;
                assert_eq!(&data.as_bytes()[at..at + bytes.len()], bytes.as_slice());
            }
        }
    }

    #[test]
    fn too_large_values_are_walked_over() {
        let data = br#"{"m": ["aaaaaaaaaa", "b", 1234567]}"#;
        let got = walk_all(data, 3, 5).unwrap();
        let texts: Vec<String> =
            got.iter().map(|(_, b)| String::from_utf8(b.clone()).unwrap()).collect();
        assert_eq!(texts, vec!["<12>", "\"b\"", "<7>"]);
        assert_eq!(got[0].0, 7);
    }

    #[test]
    fn errors_carry_offsets() {
        let cases: &[(&[u8], u64, &str)] = &[
            (b"", 0, "empty"),
            (b"[1]", 0, "expected an object"),
            (b"{\"m\": [1, 2", 11, "truncated"),
            (b"{\"m\": [1, 2,]}", 12, "trailing comma"),
            (b"{\"m\": [1 2]}", 9, "expected `,`"),
            (b"{\"m\": [{\"a\": [}]}", 14, "mismatched"),
            (b"{\"m\": []} x", 10, "after the end"),
            (b"{\"m\" [1]}", 5, "expected `:`"),
            (b"{\"m\": [] \"n\": []}", 9, "expected `,` or `}`"),
            (b"{, }", 1, "expected a key"),
            (b"{\"m\": [\"open", 7, "truncated"),
        ];
        for (data, offset, needle) in cases {
            let err = walk_all(data, 2, 100).expect_err(&String::from_utf8_lossy(data));
            let shown = err.to_string();
            assert!(shown.contains("t.json"), "{shown}");
            assert!(shown.contains(needle), "{shown} lacks {needle}");
            match err {
                ReadError::Invalid { offset: Some(at), .. } => assert_eq!(at, *offset, "{shown}"),
                other => panic!("{other}"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let mut data = b"{\"skip\": ".to_vec();
        data.extend(std::iter::repeat_n(b'[', MAX_DEPTH + 5));
        let err = walk_all(&data, 4096, 100).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }
}
