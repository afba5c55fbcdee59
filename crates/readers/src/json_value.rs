//! Bounds one JSON value in a stream: the loop every streaming JSON walker
//! shares (the top-level [`crate::json_scan::JsonScanner`] and the Messenger,
//! Discord, Telegram and Matrix walkers).
//!
//! Only strings, escapes and bracket nesting are tracked; the caller's JSON
//! parser validates what is kept. Nesting sits on a heap stack, never the
//! call stack, capped by [`Bounds::max_depth`]. What differs between the
//! walkers is a parameter here: how many bytes to keep, whether a longer
//! value is an error or is walked over and measured, and the depth cap.

use std::io::Read;

use crate::json_scan::Window;

/// Nesting deeper than this is refused by the walkers, even in values they
/// skip: serde_json refuses far less (128) when a value is parsed, and the
/// stack of a skipped value is bounded by no record limit.
pub(crate) const MAX_DEPTH: usize = 4096;

/// What to do with a value longer than [`Bounds::max_bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OverLimit {
    /// Walk it to its end without keeping it, and report its length.
    Measure,
    /// Stop at once with [`Unbounded::TooLarge`], having buffered no more
    /// than the limit.
    Refuse,
}

/// How one value is bounded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    /// The most bytes kept; 0 keeps nothing (a skip).
    pub max_bytes: usize,
    pub over_limit: OverLimit,
    /// Deepest nesting accepted.
    pub max_depth: usize,
}

impl Bounds {
    /// Keep up to `max_bytes`; a longer value is measured and passed over.
    pub(crate) fn keep(max_bytes: usize) -> Bounds {
        Bounds { max_bytes, over_limit: OverLimit::Measure, max_depth: MAX_DEPTH }
    }
}

/// A bounded value.
#[derive(Debug)]
pub(crate) struct Bounded {
    /// Stream offset of its first byte.
    pub offset: u64,
    /// Its length in bytes.
    pub length: u64,
    /// Its exact bytes; `None` when longer than the limit or a skip.
    pub bytes: Option<Vec<u8>>,
}

/// Why a value could not be bounded. Offsets are stream offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unbounded {
    /// The byte at `offset` starts no JSON value.
    NotAValue { offset: u64, byte: u8 },
    /// The stream ends (at `end`) inside the value starting at `start`.
    Truncated { start: u64, end: u64 },
    /// A closing bracket at `offset` does not match its opener.
    Mismatched { start: u64, offset: u64, byte: u8 },
    /// The bracket at `offset` nests deeper than the cap.
    TooDeep { start: u64, offset: u64, max_depth: usize },
    /// Longer than the limit under [`OverLimit::Refuse`].
    TooLarge { start: u64 },
    /// The underlying reader failed at `offset`.
    Read { offset: u64, reason: String },
}

impl Unbounded {
    /// Where the problem is reported: the value's start for a truncated or
    /// too large value, the offending byte otherwise.
    pub(crate) fn offset(&self) -> u64 {
        match *self {
            Unbounded::NotAValue { offset, .. }
            | Unbounded::Mismatched { offset, .. }
            | Unbounded::TooDeep { offset, .. }
            | Unbounded::Read { offset, .. } => offset,
            Unbounded::Truncated { start, .. } | Unbounded::TooLarge { start } => start,
        }
    }

    /// What is wrong, for a person. `limit_name` names the option that sets
    /// the size limit, for [`Unbounded::TooLarge`].
    pub(crate) fn reason(&self, max_bytes: usize, limit_name: &str) -> String {
        match self {
            Unbounded::NotAValue { byte, .. } => {
                format!("expected a JSON value, found {}", show(*byte))
            }
            Unbounded::Truncated { end, .. } => format!(
                "input ends at byte {end} inside the JSON value that starts here (truncated file?)"
            ),
            Unbounded::Mismatched { start, byte, .. } => {
                format!("mismatched {} in the JSON value that starts at byte {start}", show(*byte))
            }
            Unbounded::TooDeep { start, max_depth, .. } => format!(
                "JSON nested deeper than {max_depth} levels in the value that starts at byte {start}"
            ),
            Unbounded::TooLarge { .. } => format!(
                "the JSON value that starts here is larger than the limit of {max_bytes} bytes \
                 ({limit_name})"
            ),
            Unbounded::Read { reason, .. } => reason.clone(),
        }
    }
}

/// Whether `b` can start a JSON value.
pub(crate) fn starts_value(b: u8) -> bool {
    matches!(b, b'{' | b'[' | b'"') || starts_literal(b)
}

/// Whether `b` can start a number, `true`, `false` or `null`.
fn starts_literal(b: u8) -> bool {
    b == b'-' || b.is_ascii_digit() || matches!(b, b't' | b'f' | b'n')
}

/// JSON's whitespace.
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A byte of a bare literal (number, `true`, `false`, `null`).
pub(crate) fn is_literal_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

/// A byte for an error message.
pub(crate) fn show(b: u8) -> String {
    if b.is_ascii_graphic() { format!("`{}`", b as char) } else { format!("byte 0x{b:02x}") }
}

/// The bytes kept of a value so far, and its length.
struct Kept {
    bounds: Bounds,
    out: Option<Vec<u8>>,
    length: u64,
}

impl Kept {
    fn new(bounds: Bounds) -> Kept {
        // Room for a typical record up front: growing from one byte reallocates.
        let out = (bounds.max_bytes > 0).then(|| Vec::with_capacity(bounds.max_bytes.min(1024)));
        Kept { bounds, out, length: 0 }
    }

    fn push(&mut self, piece: &[u8], start: u64) -> Result<(), Unbounded> {
        self.length += piece.len() as u64;
        if let Some(kept) = &mut self.out {
            if kept.len() + piece.len() > self.bounds.max_bytes {
                if self.bounds.over_limit == OverLimit::Refuse {
                    return Err(Unbounded::TooLarge { start });
                }
                self.out = None;
            } else {
                kept.extend_from_slice(piece);
            }
        } else if self.bounds.max_bytes == 0
            && self.bounds.over_limit == OverLimit::Refuse
            && !piece.is_empty()
        {
            return Err(Unbounded::TooLarge { start });
        }
        Ok(())
    }

    fn done(self, offset: u64) -> Bounded {
        Bounded { offset, length: self.length, bytes: self.out }
    }
}

impl<R: Read> Window<R> {
    /// Bounds the JSON value whose first byte is the next unread one,
    /// consuming it. `stack` is scratch space for the nesting, reused
    /// between calls.
    pub(crate) fn bound_value(
        &mut self,
        stack: &mut Vec<u8>,
        bounds: Bounds,
    ) -> Result<Bounded, Unbounded> {
        let start = self.offset();
        let first = match self.fill() {
            Ok(true) => self.buf[self.pos],
            Ok(false) => return Err(Unbounded::Truncated { start, end: start }),
            Err(reason) => return Err(Unbounded::Read { offset: start, reason }),
        };
        let mut kept = Kept::new(bounds);
        stack.clear();
        let mut in_string = false;
        match first {
            b'{' => stack.push(b'}'),
            b'[' => stack.push(b']'),
            b'"' => in_string = true,
            b if starts_literal(b) => return self.bound_literal(start, kept),
            byte => return Err(Unbounded::NotAValue { offset: start, byte }),
        }
        kept.push(&[first], start)?;
        self.pos += 1;
        let mut escape = false;
        loop {
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return Err(Unbounded::Truncated { start, end: self.offset() }),
                Err(reason) => return Err(Unbounded::Read { offset: self.offset(), reason }),
            }
            let chunk_start = self.pos;
            let end = self.len;
            let mut i = self.pos;
            let mut done = false;
            while i < end {
                if in_string {
                    if escape {
                        escape = false;
                        i += 1;
                        continue;
                    }
                    // Strings are most of the bytes: jump to the next quote
                    // or backslash.
                    match memchr::memchr2(b'"', b'\\', &self.buf[i..end]) {
                        None => i = end,
                        Some(k) => {
                            i += k;
                            if self.buf[i] == b'\\' {
                                escape = true;
                            } else {
                                in_string = false;
                                if stack.is_empty() {
                                    i += 1;
                                    done = true;
                                    break;
                                }
                            }
                            i += 1;
                        }
                    }
                    continue;
                }
                match self.buf[i] {
                    b'"' => in_string = true,
                    open @ (b'{' | b'[') => {
                        if stack.len() >= bounds.max_depth {
                            let offset = self.buf_offset + i as u64;
                            return Err(Unbounded::TooDeep {
                                start,
                                offset,
                                max_depth: bounds.max_depth,
                            });
                        }
                        stack.push(if open == b'{' { b'}' } else { b']' });
                    }
                    close @ (b'}' | b']') => {
                        if stack.pop() != Some(close) {
                            let offset = self.buf_offset + i as u64;
                            return Err(Unbounded::Mismatched { start, offset, byte: close });
                        }
                        if stack.is_empty() {
                            i += 1;
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            kept.push(&self.buf[chunk_start..i], start)?;
            self.pos = i;
            if done {
                return Ok(kept.done(start));
            }
        }
    }

    /// A number, `true`, `false` or `null`: runs until a delimiter or the
    /// end of the stream.
    fn bound_literal(&mut self, start: u64, mut kept: Kept) -> Result<Bounded, Unbounded> {
        loop {
            match self.fill() {
                Ok(true) => {}
                Ok(false) => break,
                Err(reason) => return Err(Unbounded::Read { offset: self.offset(), reason }),
            }
            let chunk_start = self.pos;
            let rest = &self.buf[chunk_start..self.len];
            let n = rest.iter().position(|&b| !is_literal_byte(b)).unwrap_or(rest.len());
            kept.push(&self.buf[chunk_start..chunk_start + n], start)?;
            self.pos += n;
            if self.pos < self.len {
                break;
            }
        }
        Ok(kept.done(start))
    }
}

/// A reader that hands out at most `step` bytes per read: tests of the
/// streaming walkers use it to cross every chunk edge.
#[cfg(test)]
pub(crate) struct Trickle<'a> {
    pub data: &'a [u8],
    pub step: usize,
}

#[cfg(test)]
impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bound(data: &[u8], step: usize, bounds: Bounds) -> Result<Bounded, Unbounded> {
        let mut w = Window::new(Trickle { data, step });
        w.bound_value(&mut Vec::new(), bounds)
    }

    #[test]
    fn a_value_is_kept_whole_with_its_length_and_the_rest_left_unread() {
        let data = br#"{"a": "x}\"]", "b": [1, {"c": null}]} , 2"#;
        for step in [1, 2, 3, 7, 64] {
            let got = bound(data, step, Bounds::keep(1000)).unwrap();
            let text = br#"{"a": "x}\"]", "b": [1, {"c": null}]}"#;
            assert_eq!(got.bytes.as_deref(), Some(&text[..]), "step {step}");
            assert_eq!(got.length, text.len() as u64);
            assert_eq!(got.offset, 0);
        }
    }

    #[test]
    fn strings_and_literals_are_values() {
        assert_eq!(
            bound(br#""a\"b" x"#, 2, Bounds::keep(10)).unwrap().bytes.unwrap(),
            br#""a\"b""#
        );
        assert_eq!(bound(b"-12.5e3,", 1, Bounds::keep(10)).unwrap().bytes.unwrap(), b"-12.5e3");
        assert_eq!(bound(b"true", 1, Bounds::keep(10)).unwrap().bytes.unwrap(), b"true");
    }

    #[test]
    fn a_longer_value_is_measured_or_refused() {
        let data = br#"["0123456789"]"#;
        let measured = bound(data, 3, Bounds::keep(5)).unwrap();
        assert_eq!((measured.bytes, measured.length), (None, 14));
        let skipped = bound(data, 3, Bounds::keep(0)).unwrap();
        assert_eq!((skipped.bytes, skipped.length), (None, 14));
        let refuse = Bounds { over_limit: OverLimit::Refuse, ..Bounds::keep(5) };
        assert_eq!(bound(data, 3, refuse).unwrap_err(), Unbounded::TooLarge { start: 0 });
        let refuse_all = Bounds { over_limit: OverLimit::Refuse, ..Bounds::keep(0) };
        assert_eq!(bound(b"1", 3, refuse_all).unwrap_err(), Unbounded::TooLarge { start: 0 });
    }

    #[test]
    fn damage_is_reported_where_it_is() {
        assert_eq!(
            bound(b"[1, 2}", 2, Bounds::keep(100)).unwrap_err(),
            Unbounded::Mismatched { start: 0, offset: 5, byte: b'}' }
        );
        assert_eq!(
            bound(b"{\"a\": [1", 2, Bounds::keep(100)).unwrap_err(),
            Unbounded::Truncated { start: 0, end: 8 }
        );
        assert_eq!(
            bound(b"?", 2, Bounds::keep(100)).unwrap_err(),
            Unbounded::NotAValue { offset: 0, byte: b'?' }
        );
        let shallow = Bounds { max_depth: 3, ..Bounds::keep(100) };
        let err = bound(b"[[[[]]]]", 1, shallow).unwrap_err();
        assert_eq!(err, Unbounded::TooDeep { start: 0, offset: 3, max_depth: 3 });
        assert_eq!(
            err.reason(100, "max_record_bytes"),
            "JSON nested deeper than 3 levels in the value that starts at byte 0"
        );
    }

    proptest! {
        #[test]
        fn any_bytes_in_any_chunks_give_one_answer(
            data in proptest::collection::vec(
                prop_oneof![Just(b'['), Just(b']'), Just(b'{'), Just(b'}'), Just(b'"'),
                            Just(b'\\'), Just(b','), Just(b'1'), Just(b' ')], 0..60),
            step in 1usize..9,
        ) {
            let whole = bound(&data, data.len().max(1), Bounds::keep(1 << 20));
            let trickled = bound(&data, step, Bounds::keep(1 << 20));
            prop_assert_eq!(format!("{whole:?}"), format!("{trickled:?}"));
            if let Ok(found) = whole {
                let bytes = found.bytes.unwrap();
                prop_assert_eq!(&data[..bytes.len()], &bytes[..]);
            }
        }
    }
}
