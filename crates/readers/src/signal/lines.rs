//! Lines of a text entry with their offsets, for the line formats.

use std::borrow::Cow;
use std::io::{self, BufRead};

/// One line, without its `\n` and without a `\r` before it.
pub(super) struct Line {
    /// Byte offset of the line's first byte in the entry.
    pub offset: u64,
    /// 1-based line number.
    pub number: u64,
    /// The line decoded as UTF-8 (invalid bytes replaced); when
    /// `too_long`, only its first [`KEPT`] bytes.
    pub text: String,
    /// Length in bytes of the line in the entry, without `\r\n`/`\n`.
    pub length: u64,
    /// The line was longer than the limit; it was walked over unread.
    pub too_long: bool,
}

/// [`Line`] borrowing its text from the reader's buffer, for a caller
/// that copies what it keeps anyway: no `String` per line.
pub(super) struct LineRef<'a> {
    /// Byte offset of the line's first byte in the entry.
    pub offset: u64,
    /// 1-based line number.
    pub number: u64,
    /// As [`Line::text`].
    pub text: Cow<'a, str>,
    /// Length in bytes of the line in the entry, without `\r\n`/`\n`.
    pub length: u64,
    /// The line was longer than the limit; it was walked over unread.
    pub too_long: bool,
    /// Bytes consumed once this line is read (the reader's offset then).
    pub consumed: u64,
}

/// How much of a line over the limit is kept (enough to tell a header).
pub(super) const KEPT: usize = 256;

/// Splits a stream into lines without holding more than `limit` bytes of
/// one. A UTF-8 BOM before the first line is passed over (offsets still
/// count it).
pub(super) struct Lines<R> {
    inner: R,
    offset: u64,
    number: u64,
    limit: usize,
    started: bool,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn new(inner: R, limit: usize) -> Lines<R> {
        Lines { inner, offset: 0, number: 0, limit, started: false, buf: Vec::new() }
    }

    /// Bytes consumed so far.
    pub(super) fn offset(&self) -> u64 {
        self.offset
    }

    /// The next line.
    pub(super) fn next_line(&mut self) -> io::Result<Option<Line>> {
        Ok(self.next_ref()?.map(|l| Line {
            offset: l.offset,
            number: l.number,
            text: l.text.into_owned(),
            length: l.length,
            too_long: l.too_long,
        }))
    }

    /// The next line, its text borrowed from the reader when it is valid
    /// UTF-8 (nearly always).
    pub(super) fn next_ref(&mut self) -> io::Result<Option<LineRef<'_>>> {
        if !self.started {
            self.started = true;
            let head = loop {
                match self.inner.fill_buf() {
                    Ok(head) => break head,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if head.starts_with(b"\xEF\xBB\xBF") {
                self.inner.consume(3);
                self.offset = 3;
            }
        }
        self.buf.clear();
        let start = self.offset;
        let mut any = false;
        let mut length = 0u64;
        let mut too_long = false;
        let mut last = None;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                if !any {
                    return Ok(None);
                }
                break;
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (i, true),
                None => (available.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > self.limit {
                    too_long = true;
                    let keep = KEPT.saturating_sub(self.buf.len()).min(take);
                    self.buf.extend_from_slice(&available[..keep]);
                    self.buf.truncate(KEPT);
                } else {
                    self.buf.extend_from_slice(&available[..take]);
                }
            }
            if take > 0 {
                last = available.get(take - 1).copied();
            }
            length += take as u64;
            let consumed = take + usize::from(done);
            self.inner.consume(consumed);
            self.offset += consumed as u64;
            if done {
                break;
            }
        }
        self.number += 1;
        let mut bytes: &[u8] = &self.buf;
        if last == Some(b'\r') {
            length -= 1;
            if !too_long {
                bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            }
        }
        let text = crate::utf8::lossy(bytes);
        Ok(Some(LineRef {
            offset: start,
            number: self.number,
            text,
            length,
            too_long,
            consumed: self.offset,
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn all(data: &[u8], limit: usize) -> Vec<(u64, u64, String, u64, bool)> {
        let mut lines = Lines::new(std::io::BufReader::with_capacity(3, data), limit);
        let mut out = Vec::new();
        while let Some(l) = lines.next_line().unwrap() {
            out.push((l.offset, l.number, l.text, l.length, l.too_long));
        }
        out
    }

    #[test]
    fn offsets_bom_crlf_and_limits() {
        let got = all(b"\xEF\xBB\xBFab\r\n\ncdefgh\nxy", 4);
        assert_eq!(
            got,
            vec![
                (3, 1, "ab".to_string(), 2, false),
                (7, 2, String::new(), 0, false),
                (8, 3, "cdefgh".to_string(), 6, true),
                (15, 4, "xy".to_string(), 2, false),
            ]
        );
        assert!(all(b"", 4).is_empty());
    }
}
