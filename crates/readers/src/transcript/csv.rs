//! CSV/TSV transcripts.
//!
//! Fields are split by the `csv` crate; the exact bytes of each row (for
//! offsets, lines and lengths) come from [`Tap`], which sits under it,
//! because the crate's own positions point at the end of the previous
//! record (before blank lines and the `\n` of a CRLF) and its line numbers
//! drift past blank lines.

use std::borrow::Cow;
use std::io::{self, Read};

use super::{Context, Place, Row, has_extension, read_head, resolve, single_file};
use crate::{Confidence, Input, ReadError, ReadOptions, Sink};

/// File extensions read as CSV.
pub(super) const EXTENSIONS: &[&str] = &["csv", "tsv"];

/// Bytes the `csv` reader asks for at a time; also the most the tap holds
/// beyond the record being read.
const CHUNK: usize = 64 * 1024;

/// How much of the file sniffing and delimiter detection look at.
const HEAD: usize = 64 * 1024;

/// `Maybe` for a `.csv`/`.tsv` file whose header names a text column.
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
    let delimiter = delimiter(head, name.to_ascii_lowercase().ends_with(".tsv"));
    let header = header_line(head);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(header);
    let mut record = ::csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true)
            if super::has_text_candidate(
                record.iter().map(|f| std::str::from_utf8(f).unwrap_or("")),
            ) =>
        {
            Confidence::Maybe
        }
        _ => Confidence::No,
    }
}

/// The first line of `head` (without its terminator).
fn header_line(head: &[u8]) -> &[u8] {
    let end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = &head[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The delimiter of a header line: whichever of tab, comma and semicolon
/// occurs most outside quotes (tab wins ties in a `.tsv`, comma elsewhere;
/// comma when none occurs, i.e. a single column).
fn delimiter(head: &[u8], tsv: bool) -> u8 {
    let (mut tabs, mut commas, mut semicolons) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for &b in header_line(head) {
        match b {
            b'"' => quoted = !quoted,
            b'\t' if !quoted => tabs += 1,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if tsv && tabs > 0 && tabs >= commas && tabs >= semicolons {
        b'\t'
    } else if commas > 0 && commas >= tabs && commas >= semicolons {
        b','
    } else if tabs > 0 && tabs >= semicolons {
        b'\t'
    } else if semicolons > 0 {
        b';'
    } else if tsv {
        b'\t'
    } else {
        b','
    }
}

/// Reads one CSV entry into `sink`.
pub(super) fn read_entry(
    input: &Input,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let ctx = Context::new(input, name, options);
    let tsv = name.to_ascii_lowercase().ends_with(".tsv");
    input.with_entry(name, |reader| {
        let head = read_head(reader, HEAD, &ctx.display)?;
        let delimiter = delimiter(&head.bytes[head.bom..], tsv);
        let bom = head.bom;
        // The cursor starts after the BOM and the tap's offsets at `bom`, so
        // they stay file offsets.
        let mut first = io::Cursor::new(head.bytes);
        first.set_position(bom as u64);
        let tap = Tap::new(first.chain(reader), bom as u64, options.max_record_bytes as u64);
        let mut rows = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(CHUNK)
            .from_reader(tap);
        read_rows(&mut rows, &ctx, options, sink)
    })
}

/// Cells past the header's columns have no name to map: not read, but
/// said (the locator still cites the whole row). Rare, so kept out of the
/// row loop.
#[cold]
#[inline(never)]
fn report_extra_cells(
    record: &::csv::ByteRecord,
    width: usize,
    ctx: &Context<'_>,
    place: super::Place,
    sink: &mut dyn Sink,
) {
    let extra = record.iter().skip(width).filter(|f| !f.trim_ascii().is_empty()).count();
    if extra > 0 {
        let reason = format!(
            "{place}: {extra} cell{} beyond the header's {width} columns, not read",
            if extra == 1 { "" } else { "s" }
        );
        crate::field_dropped(sink, &ctx.display, place.offset, reason);
    }
}

fn read_rows<R: Read>(
    rows: &mut ::csv::Reader<Tap<R>>,
    ctx: &Context<'_>,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let mut record = ::csv::ByteRecord::new();
    let mut columns = None;
    // How many columns the header names.
    let mut width = 0;
    let mut next_progress = super::PROGRESS_STEP;
    loop {
        match rows.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(read_error(rows.get_ref(), e, ctx)),
        }
        let end = rows.get_ref().origin + rows.position().byte();
        let place = rows.get_mut().take(end);
        if end >= next_progress {
            sink.progress(end);
            next_progress = end + super::PROGRESS_STEP;
        }
        let Some(columns) = &columns else {
            let names: Vec<String> =
                record.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
            columns = Some(resolve(&names, &options.map, &ctx.display, place.offset, "column")?);
            width = names.len();
            continue;
        };
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        // Most rows hold no `\r` at all: one look for the whole row spares
        // a look per cell.
        let has_cr = memchr::memchr(b'\r', record.as_slice()).is_some();
        let mut row = Row::default();
        for field in super::FIELDS {
            if let Some(value) = columns[field.index()].and_then(|i| record.get(i)) {
                row.set(field, decode(value, has_cr));
            }
        }
        match ctx.record(row, place) {
            Ok(rec) => sink.record(rec).map_err(|stop| ReadError::Stopped(stop.0))?,
            Err(reason) => {
                ctx.skip(sink, place.offset, reason);
                continue;
            }
        }
        if record.len() > width {
            report_extra_cells(&record, width, ctx, place, sink);
        }
    }
    sink.progress(rows.get_ref().read_offset);
    ctx.report_decoded(sink);
    Ok(())
}

/// A field as text: lossy UTF-8, `\r\n` as `\n` (looked for only when
/// the row holds a `\r`).
fn decode(bytes: &[u8], row_has_cr: bool) -> Cow<'_, str> {
    let text = crate::utf8::lossy(bytes);
    if row_has_cr && text.contains("\r\n") { Cow::Owned(text.replace("\r\n", "\n")) } else { text }
}

/// Turns a failed read into an error naming the file and offset: the tap's
/// limit when it tripped, else the I/O error.
fn read_error<R>(tap: &Tap<R>, error: ::csv::Error, ctx: &Context<'_>) -> ReadError {
    match tap.overflow {
        Some(Overflow::Line(start)) => ReadError::invalid(
            &ctx.display,
            Some(start),
            format!(
                "a line starting here is longer than the limit of {} bytes; refusing to buffer it",
                tap.limit
            ),
        ),
        Some(Overflow::Record { start, line }) => ReadError::invalid(
            &ctx.display,
            Some(start),
            format!(
                "the CSV record starting here (line {line}) is longer than the limit of {} bytes; \
                 an unclosed quote (`\"`) would make the rest of the file one field",
                tap.limit
            ),
        ),
        None => match error.into_kind() {
            ::csv::ErrorKind::Io(e) => ReadError::io(&ctx.display, e),
            other => ReadError::invalid(&ctx.display, None, format!("{other:?}")),
        },
    }
}

/// Why the tap refused to read on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Overflow {
    /// A raw line starting at this offset exceeded the limit.
    Line(u64),
    /// A record (possibly many lines inside quotes) exceeded the limit.
    Record { start: u64, line: u64 },
}

/// Sits between the file and the `csv` reader: keeps the bytes of the
/// record being parsed, so each row's exact extent and line are known, and
/// enforces the line and record limits while reading, before anything
/// large is buffered.
struct Tap<R> {
    inner: R,
    /// File offset of the tap's first byte (after a BOM).
    origin: u64,
    /// Bytes read and not yet attributed to a row: `buf[head..]`.
    buf: Vec<u8>,
    head: usize,
    /// File offset and 1-based line of `buf[head]`.
    head_offset: u64,
    head_line: u64,
    /// File offset after the last byte read.
    read_offset: u64,
    /// File offset where the raw line being read started.
    line_start: u64,
    limit: u64,
    overflow: Option<Overflow>,
}

impl<R> Tap<R> {
    fn new(inner: R, origin: u64, limit: u64) -> Tap<R> {
        Tap {
            inner,
            origin,
            buf: Vec::with_capacity(2 * CHUNK),
            head: 0,
            head_offset: origin,
            head_line: 1,
            read_offset: origin,
            line_start: origin,
            limit,
            overflow: None,
        }
    }

    /// Attributes the bytes up to file offset `end` to the row just parsed
    /// and returns where the row itself lies: after blank lines and a
    /// leftover `\n`, without its terminator.
    fn take(&mut self, end: u64) -> Place {
        let len = usize::try_from(end.saturating_sub(self.head_offset))
            .unwrap_or(usize::MAX)
            .min(self.buf.len() - self.head);
        let span = &self.buf[self.head..self.head + len];
        let lead = span.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
        let lead_lines = count_newlines(&span[..lead]);
        let body = &span[lead..];
        let trimmed =
            body.len() - body.iter().rev().take_while(|&&b| b == b'\r' || b == b'\n').count();
        let place = Place {
            offset: self.head_offset + lead as u64,
            length: trimmed as u64,
            line: self.head_line + lead_lines,
            element: false,
        };
        self.head_line = place.line + count_newlines(body);
        self.head += len;
        self.head_offset += len as u64;
        place
    }

    /// The start and line of the row being read, for an overflow report.
    fn pending_row(&self) -> (u64, u64) {
        let pending = &self.buf[self.head..];
        let lead = pending.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
        (self.head_offset + lead as u64, self.head_line + count_newlines(&pending[..lead]))
    }

    /// Checks the raw line lengths in a chunk about to be handed out.
    fn check_lines(&mut self, chunk: &[u8]) -> Result<(), Overflow> {
        let Some(first) = chunk.iter().position(|&b| b == b'\n') else {
            if self.read_offset + chunk.len() as u64 - self.line_start > self.limit {
                return Err(Overflow::Line(self.line_start));
            }
            return Ok(());
        };
        if self.read_offset + first as u64 - self.line_start > self.limit {
            return Err(Overflow::Line(self.line_start));
        }
        self.line_start = self.read_offset + first as u64 + 1;
        // Lines wholly inside a chunk are shorter than the chunk; only a
        // limit below the chunk size needs them checked one by one.
        if (chunk.len() as u64) > self.limit {
            for (i, &b) in chunk.iter().enumerate().skip(first + 1) {
                if b == b'\n' {
                    if self.read_offset + i as u64 - self.line_start > self.limit {
                        return Err(Overflow::Line(self.line_start));
                    }
                    self.line_start = self.read_offset + i as u64 + 1;
                }
            }
        } else if let Some(last) = chunk.iter().rposition(|&b| b == b'\n') {
            self.line_start = self.read_offset + last as u64 + 1;
        }
        let tail = self.read_offset + chunk.len() as u64 - self.line_start;
        if tail > self.limit {
            return Err(Overflow::Line(self.line_start));
        }
        Ok(())
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.overflow.is_some() {
            return Err(io::Error::other("record limit exceeded"));
        }
        let n = self.inner.read(out)?;
        let chunk = &out[..n];
        let mut verdict = self.check_lines(chunk);
        let pending = self.read_offset + n as u64 - self.head_offset;
        if verdict.is_ok() && pending > self.limit.saturating_add(2 * CHUNK as u64) {
            let (start, line) = self.pending_row();
            verdict = Err(Overflow::Record { start, line });
        }
        if let Err(overflow) = verdict {
            self.overflow = Some(overflow);
            return Err(io::Error::other("record limit exceeded"));
        }
        // Drop attributed bytes once they are the larger part of the buffer,
        // so the move is amortised over many rows.
        if self.head > CHUNK && self.head * 2 > self.buf.len() {
            self.buf.drain(..self.head);
            self.head = 0;
        }
        self.buf.extend_from_slice(chunk);
        self.read_offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(delimiter(b"text,date,user\n", false), b',');
        assert_eq!(delimiter(b"text\tdate\tuser\r\n", false), b'\t');
        assert_eq!(delimiter(b"text;date;user", false), b';');
        assert_eq!(delimiter(b"\"a;b\",date\n", false), b',');
        assert_eq!(delimiter(b"text\n", false), b',');
        assert_eq!(delimiter(b"text\n", true), b'\t');
        assert_eq!(delimiter(b"a,b\tc\td", true), b'\t');
    }

    #[test]
    fn tap_places_rows_exactly() {
        let data = b"a,b\r\n1,\"x\r\ny\"\r\n\r\n2,3\r\n4";
        let mut rows = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Tap::new(&data[..], 0, 1000));
        let mut record = ::csv::ByteRecord::new();
        let mut places = Vec::new();
        while rows.read_byte_record(&mut record).unwrap_or(false) {
            let end = rows.position().byte();
            let place = rows.get_mut().take(end);
            places.push((place.offset, place.length, place.line));
        }
        assert_eq!(places, vec![(0, 3, 1), (5, 8, 2), (17, 3, 5), (22, 1, 6)]);
    }

    #[test]
    fn tap_refuses_long_lines() {
        let mut data = b"a\nbb\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100));
        let mut tap = Tap::new(&data[..], 0, 50);
        let mut sink = Vec::new();
        assert!(tap.read_to_end(&mut sink).is_err());
        assert_eq!(tap.overflow, Some(Overflow::Line(5)));
    }
}
