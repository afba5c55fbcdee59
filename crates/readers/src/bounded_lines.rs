//! Lines of a stream with their offsets, never buffering more than a
//! limit of one line: what line-per-record JSON readers share.

use std::io::{self, BufRead};

use crate::ReadError;

/// Why a line could not be had.
pub(crate) enum LineError {
    Io(io::Error),
    /// A line starting at this offset is longer than the limit.
    TooLong(u64),
}

/// Splits a stream into lines without ever holding more than `limit`
/// bytes of one.
pub(crate) struct Lines<R> {
    pub(crate) inner: R,
    /// File offset of the next line.
    pub(crate) offset: u64,
    /// 1-based number of the last line returned.
    pub(crate) line: u64,
    pub(crate) limit: usize,
}

impl<R: BufRead> Lines<R> {
    /// The next line (without `\n`) in `buf`, with its offset and line
    /// number; `None` at the end.
    pub(crate) fn next(&mut self, buf: &mut Vec<u8>) -> Result<Option<(u64, u64)>, LineError> {
        buf.clear();
        let start = self.offset;
        let mut any = false;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(LineError::Io(e)),
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
            if buf.len() + take > self.limit {
                return Err(LineError::TooLong(start));
            }
            buf.extend_from_slice(&available[..take]);
            let consumed = take + usize::from(done);
            self.inner.consume(consumed);
            self.offset += consumed as u64;
            if done {
                break;
            }
        }
        self.line += 1;
        Ok(Some((start, self.line)))
    }
}

impl LineError {
    /// As a read error of file `display`, whose line limit is `limit`.
    pub(crate) fn into_read_error(self, display: &str, limit: usize) -> ReadError {
        match self {
            LineError::Io(e) => ReadError::io(display, e),
            LineError::TooLong(start) => ReadError::invalid(
                display,
                Some(start),
                format!(
                    "a line starting here is longer than the limit of {limit} bytes; refusing to \
                     buffer it"
                ),
            ),
        }
    }
}
