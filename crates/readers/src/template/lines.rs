//! Bounded line reading for the line-oriented leak formats (IRC logs and
//! line-template transcripts).
//!
//! Lines are handed out as raw bytes with their exact position: the offset
//! of their first byte (after a UTF-8 BOM on line 1), their length without
//! the `\n` or `\r\n` terminator, and their 1-based number. A line longer
//! than the limit is not buffered: it is reported as [`Line::too_long`] with
//! its offset and whole length, and the caller reports a skip.

use std::io::BufRead;

use crate::ReadError;

/// How many leading bytes are checked for NULs (binary data).
const BINARY_PROBE: u64 = 8 * 1024;

/// One line of an entry.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    /// Byte offset of the line's first byte in the entry.
    pub offset: u64,
    /// 1-based line number.
    pub number: u64,
    /// The line without its terminator (empty when `too_long`).
    pub bytes: &'a [u8],
    /// Length in bytes without the terminator (also when `too_long`).
    pub length: u64,
    /// The line was longer than the limit and was not kept.
    pub too_long: bool,
}

/// Reads lines from a [`BufRead`], never buffering more than `max` bytes of
/// one line.
pub(crate) struct Lines<R> {
    reader: R,
    display: String,
    max: usize,
    /// Offset of the next unread byte.
    offset: u64,
    number: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`; `display` names the entry in errors.
    pub(crate) fn new(reader: R, display: &str, max: usize) -> Lines<R> {
        Lines { reader, display: display.to_string(), max, offset: 0, number: 0, buf: Vec::new() }
    }

    /// Bytes consumed so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.offset
    }

    /// The next line, `None` at the end. Refuses UTF-16 and binary input
    /// (NUL bytes in the first 8 KiB) with an error at the offending offset.
    pub(crate) fn next_line(&mut self) -> Result<Option<Line<'_>>, ReadError> {
        self.buf.clear();
        let start = self.offset;
        let mut total: u64 = 0;
        let mut too_long = false;
        let mut ended = false;
        // The last byte before the `\n`, wherever the chunks split.
        let mut last: Option<u8> = None;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(ReadError::invalid(
                        &self.display,
                        Some(self.offset),
                        format!("read failed: {e}"),
                    ));
                }
            };
            if chunk.is_empty() {
                break;
            }
            if self.offset == 0
                && (chunk.starts_with(b"\xFF\xFE") || chunk.starts_with(b"\xFE\xFF"))
            {
                return Err(ReadError::invalid(
                    &self.display,
                    Some(0),
                    "UTF-16 text is not supported; convert the file to UTF-8",
                ));
            }
            let (content, found) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let take = if found { content + 1 } else { content };
            if self.offset < BINARY_PROBE {
                let probe = (BINARY_PROBE - self.offset).min(take as u64) as usize;
                if let Some(nul) = memchr::memchr(0, &chunk[..probe]) {
                    return Err(ReadError::invalid(
                        &self.display,
                        Some(self.offset + nul as u64),
                        "binary data, not a text log (NUL bytes in the first 8 KiB)",
                    ));
                }
            }
            let piece = &chunk[..content];
            if let Some(&b) = piece.last() {
                last = Some(b);
            }
            if !too_long {
                // One byte of slack for a `\r` that the terminator removes.
                if self.buf.len() + piece.len() > self.max.saturating_add(1) {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(piece);
                }
            }
            total += take as u64;
            self.offset += take as u64;
            self.reader.consume(take);
            if found {
                ended = true;
                break;
            }
        }
        if total == 0 {
            return Ok(None);
        }
        self.number += 1;
        let mut length = total;
        if ended {
            length -= 1;
            // `\r\n`; a lone `\r` at the very end of the file stays.
            if last == Some(b'\r') {
                length -= 1;
                if !too_long {
                    self.buf.pop();
                }
            }
        }
        let mut offset = start;
        if start == 0 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            offset += 3;
            length -= 3;
            self.buf.drain(..3);
        }
        too_long |= length > self.max as u64;
        let bytes: &[u8] = if too_long { &[] } else { &self.buf };
        Ok(Some(Line { offset, number: self.number, bytes, length, too_long }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn all(data: &[u8], max: usize) -> Vec<(u64, u64, String, u64, bool)> {
        let mut lines = Lines::new(std::io::BufReader::with_capacity(3, data), "t", max);
        let mut out = Vec::new();
        while let Some(l) = lines.next_line().unwrap() {
            out.push((
                l.offset,
                l.number,
                String::from_utf8_lossy(l.bytes).into_owned(),
                l.length,
                l.too_long,
            ));
        }
        out
    }

    #[test]
    fn offsets_lengths_and_terminators() {
        let got = all(b"\xEF\xBB\xBFab\r\n\ncd\r\nlast", 100);
        assert_eq!(
            got,
            vec![
                (3, 1, "ab".to_string(), 2, false),
                (7, 2, String::new(), 0, false),
                (8, 3, "cd".to_string(), 2, false),
                (12, 4, "last".to_string(), 4, false),
            ]
        );
        assert_eq!(all(b"x\r", 10), vec![(0, 1, "x\r".to_string(), 2, false)]);
        assert!(all(b"", 10).is_empty());
    }

    #[test]
    fn long_lines_are_not_kept() {
        let got = all(b"0123456789\nab\n", 4);
        assert_eq!(got[0], (0, 1, String::new(), 10, true));
        assert_eq!(got[1], (11, 2, "ab".to_string(), 2, false));
        // Exactly at the limit, with CRLF.
        assert_eq!(all(b"abcd\r\n", 4), vec![(0, 1, "abcd".to_string(), 4, false)]);
    }

    #[test]
    fn binary_and_utf16_are_refused() {
        let mut lines = Lines::new(&b"ab\ncd\0"[..], "f.log", 100);
        assert!(lines.next_line().unwrap().is_some());
        let err = lines.next_line().unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.log: at byte 5: binary data, not a text log (NUL bytes in the first 8 KiB)"
        );
        let mut lines = Lines::new(&b"\xFF\xFEa\0"[..], "f.log", 100);
        assert!(lines.next_line().unwrap_err().to_string().contains("UTF-16"));
    }
}
