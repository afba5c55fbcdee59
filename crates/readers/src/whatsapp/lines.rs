//! Lines with exact byte offsets and a cap on what is buffered.

use std::io::{self, BufRead};

/// Where a line sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    /// Byte offset of its first byte.
    pub offset: u64,
    /// 1-based line number.
    pub number: u64,
    /// Length without `\n` or `\r\n`.
    pub len: u64,
    /// The buffer holds only the first `cap` bytes.
    pub truncated: bool,
}

/// Splits a reader into lines at `\n`, dropping a `\r` before it.
pub(crate) struct Lines<R> {
    inner: R,
    offset: u64,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `inner`, whose first byte sits at `offset` in the entry.
    pub fn new(inner: R, offset: u64) -> Lines<R> {
        Lines { inner, offset, number: 0 }
    }

    /// Bytes consumed so far, as an offset into the entry.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads the next line into `buf` (cleared first), keeping at most
    /// `cap` bytes of it; the rest is read and dropped, so memory stays
    /// bounded whatever the line's length. `None` at the end.
    pub fn next(&mut self, buf: &mut Vec<u8>, cap: usize) -> io::Result<Option<Line>> {
        buf.clear();
        let start = self.offset;
        let mut total = 0u64;
        let mut last = None;
        let mut newline = false;
        let mut any = false;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(avail) => avail,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                break;
            }
            any = true;
            let (chunk, done) = match memchr::memchr(b'\n', avail) {
                Some(at) => (&avail[..at], true),
                None => (avail, false),
            };
            let room = cap.saturating_sub(buf.len());
            buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if let Some(&b) = chunk.last() {
                last = Some(b);
            }
            total += chunk.len() as u64;
            let used = chunk.len() + usize::from(done);
            self.inner.consume(used);
            if done {
                newline = true;
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.offset = start + total + u64::from(newline);
        self.number += 1;
        let mut len = total;
        if last == Some(b'\r') {
            len -= 1;
            if buf.len() as u64 > len {
                buf.pop();
            }
        }
        Ok(Some(Line {
            offset: start,
            number: self.number,
            len,
            truncated: (buf.len() as u64) < len,
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn all(bytes: &[u8], cap: usize) -> Vec<(Line, Vec<u8>)> {
        // A tiny buffer makes lines cross fill_buf boundaries.
        let mut lines = Lines::new(io::BufReader::with_capacity(3, bytes), 0);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = lines.next(&mut buf, cap).unwrap() {
            out.push((line, buf.clone()));
        }
        out
    }

    #[test]
    fn offsets_and_terminators() {
        let got = all(b"ab\r\ncde\n\nf", 100);
        let lines: Vec<(u64, u64, u64, &[u8])> =
            got.iter().map(|(l, b)| (l.offset, l.number, l.len, b.as_slice())).collect();
        assert_eq!(
            lines,
            vec![(0, 1, 2, &b"ab"[..]), (4, 2, 3, b"cde"), (8, 3, 0, b""), (9, 4, 1, b"f")]
        );
        assert!(all(b"", 10).is_empty());
        assert_eq!(all(b"x\n", 10).len(), 1);
        // A lone CR inside a line stays.
        assert_eq!(all(b"a\rb\n", 10)[0].1, b"a\rb");
    }

    #[test]
    fn long_lines_are_capped() {
        let got = all(b"abcdefgh\r\nxy", 4);
        assert_eq!(got[0].1, b"abcd");
        assert_eq!((got[0].0.len, got[0].0.truncated), (8, true));
        assert_eq!((got[1].0.offset, got[1].1.as_slice()), (10, &b"xy"[..]));
        // Exactly at the cap is not truncated; the CR is dropped.
        let got = all(b"abcd\r\n", 4);
        assert_eq!((got[0].1.as_slice(), got[0].0.truncated), (&b"abcd"[..], false));
        let got = all(b"abcd\r\n", 5);
        assert_eq!((got[0].1.as_slice(), got[0].0.truncated), (&b"abcd"[..], false));
    }
}
