//! Just enough RFC 5322 / MIME to find the `rsmf.zip` attachment of an
//! `.rsmf` file: header blocks with folded lines, `multipart/*` bodies split
//! on their boundary (nested multiparts a few levels deep), parameters
//! (quoted, and RFC 2231 `name*=charset''value`), and base64.
//!
//! Everything works on a byte slice and reports byte offsets into it. No
//! declared length is trusted: parts end where the next boundary line
//! starts, and base64 output is bounded by its input.

/// How deep multiparts may nest.
const MAX_DEPTH: usize = 4;
/// The most parts one message may have.
const MAX_PARTS: usize = 10_000;

/// One header field, unfolded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Field {
    /// The name as written.
    pub name: String,
    /// The value with folding removed and surrounding whitespace trimmed.
    pub value: String,
}

/// The header fields of `data` and the offset where the body starts (after
/// the blank line; `data.len()` when there is none).
pub(super) fn header_block(data: &[u8]) -> (Vec<Field>, usize) {
    let mut fields: Vec<Field> = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let start = pos;
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i + 1);
        let line = trim_eol(&data[pos..end]);
        pos = end;
        let Some(&first) = line.first() else {
            return (fields, pos);
        };
        let text = String::from_utf8_lossy(line);
        if first == b' ' || first == b'\t' {
            if let Some(last) = fields.last_mut() {
                last.value.push(' ');
                last.value.push_str(text.trim());
            }
            continue;
        }
        match text.split_once(':') {
            Some((name, value)) if is_field_name(name) => {
                fields.push(Field { name: name.to_string(), value: value.trim().to_string() })
            }
            // Not a header line: the header block is over (a malformed
            // message); the rest is body.
            _ => return (fields, start),
        }
    }
    (fields, data.len())
}

fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The value of the first field called `name` (case-insensitive).
pub(super) fn field<'a>(fields: &'a [Field], name: &str) -> Option<&'a str> {
    fields.iter().find(|f| f.name.eq_ignore_ascii_case(name)).map(|f| f.value.as_str())
}

/// Whether `head` starts with something that looks like a header block.
pub(super) fn looks_like_headers(head: &[u8]) -> bool {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let text = String::from_utf8_lossy(first);
    text.split_once(':').is_some_and(|(name, _)| is_field_name(name))
}

/// The `type/subtype` of a Content-Type value, lowercased.
pub(super) fn media_type(value: &str) -> String {
    value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Parameter `name` of a structured field value (`type; a=b; c="d"`),
/// including the RFC 2231 form `name*=utf-8''rsmf%2Ezip`.
pub(super) fn param(value: &str, name: &str) -> Option<String> {
    let mut rest = value;
    // Skip the leading token (type or disposition).
    let first_semicolon = find_unquoted(rest, ';')?;
    rest = &rest[first_semicolon + 1..];
    loop {
        let end = find_unquoted(rest, ';').unwrap_or(rest.len());
        let item = rest[..end].trim();
        if let Some((key, raw)) = item.split_once('=') {
            let key = key.trim();
            let raw = raw.trim();
            if key.eq_ignore_ascii_case(name) {
                return Some(unquote(raw));
            }
            if key.len() == name.len() + 1
                && key.ends_with('*')
                && key.get(..name.len()).is_some_and(|k| k.eq_ignore_ascii_case(name))
            {
                let encoded = unquote(raw);
                let text = encoded.splitn(3, '\'').nth(2).unwrap_or(&encoded);
                return Some(
                    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned(),
                );
            }
        }
        if end >= rest.len() {
            return None;
        }
        rest = &rest[end + 1..];
    }
}

fn find_unquoted(text: &str, wanted: char) -> Option<usize> {
    let mut quoted = false;
    let mut escape = false;
    for (i, c) in text.char_indices() {
        if escape {
            escape = false;
        } else if quoted && c == '\\' {
            escape = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == wanted && !quoted {
            return Some(i);
        }
    }
    None
}

fn unquote(raw: &str) -> String {
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut escape = false;
            for c in inner.chars() {
                if escape || c != '\\' {
                    out.push(c);
                    escape = false;
                } else {
                    escape = true;
                }
            }
            out
        }
        None => raw.to_string(),
    }
}

/// A leaf part of a MIME message.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Part {
    /// Offset of the part's first header byte in the message.
    pub offset: usize,
    /// Its header fields.
    pub fields: Vec<Field>,
    /// Offset and length of its body in the message.
    pub body: (usize, usize),
}

impl Part {
    /// The file name: Content-Disposition `filename`, else Content-Type
    /// `name`.
    pub fn file_name(&self) -> Option<String> {
        field(&self.fields, "Content-Disposition")
            .and_then(|v| param(v, "filename"))
            .or_else(|| field(&self.fields, "Content-Type").and_then(|v| param(v, "name")))
    }

    /// Whether the part is an attachment (by disposition or by having a
    /// file name).
    pub fn is_attachment(&self) -> bool {
        field(&self.fields, "Content-Disposition").is_some_and(|v| media_type(v) == "attachment")
            || self.file_name().is_some()
    }
}

/// The leaf parts of the message `data` whose top-level header fields are
/// `fields` and whose body starts at `body_start`. A message that is not
/// multipart is one part. `Err` is an offset and a reason.
pub(super) fn leaf_parts(
    data: &[u8],
    fields: Vec<Field>,
    body_start: usize,
) -> Result<Vec<Part>, (usize, String)> {
    let mut out = Vec::new();
    collect(
        data,
        Part { offset: 0, fields, body: (body_start, data.len() - body_start.min(data.len())) },
        0,
        &mut out,
    )?;
    Ok(out)
}

fn collect(
    data: &[u8],
    part: Part,
    depth: usize,
    out: &mut Vec<Part>,
) -> Result<(), (usize, String)> {
    let content_type = field(&part.fields, "Content-Type").unwrap_or("text/plain").to_string();
    if !media_type(&content_type).starts_with("multipart/") {
        if out.len() >= MAX_PARTS {
            return Err((part.offset, format!("more than {MAX_PARTS} MIME parts")));
        }
        out.push(part);
        return Ok(());
    }
    if depth >= MAX_DEPTH {
        return Err((part.offset, format!("multipart nested deeper than {MAX_DEPTH} levels")));
    }
    let Some(boundary) = param(&content_type, "boundary").filter(|b| !b.is_empty()) else {
        return Err((part.offset, "a multipart Content-Type without a boundary".to_string()));
    };
    let (start, len) = part.body;
    let body_end = start + len;
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    // Offsets where each part starts (after its delimiter line) and where the
    // previous part ends (before the line break preceding the delimiter).
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut open: Option<usize> = None;
    let mut closed = false;
    let mut pos = start;
    while pos < body_end {
        let end = memchr::memchr(b'\n', &data[pos..body_end]).map_or(body_end, |i| pos + i + 1);
        let line = trim_eol(&data[pos..end]);
        if let Some(after) = line.strip_prefix(delimiter) {
            let after = trim_trailing_ws(after);
            if after.is_empty() || after == b"--" {
                if let Some(from) = open.take() {
                    // The line break before the delimiter belongs to it.
                    let mut until = pos;
                    if until > from && data[until - 1] == b'\n' {
                        until -= 1;
                        if until > from && data[until - 1] == b'\r' {
                            until -= 1;
                        }
                    }
                    pieces.push((from, until.max(from)));
                }
                if after == b"--" {
                    closed = true;
                    break;
                }
                open = Some(end);
            }
        }
        pos = end;
    }
    if let Some(from) = open {
        // No closing delimiter: the last part runs to the end (truncated).
        pieces.push((from, body_end));
    }
    let _ = closed;
    if pieces.is_empty() {
        return Err((start, format!("no part delimited by `--{boundary}` in the multipart body")));
    }
    for (from, until) in pieces {
        let (fields, body) = header_block(&data[from..until]);
        let child =
            Part { offset: from, fields, body: (from + body, until - (from + body).min(until)) };
        collect(data, child, depth + 1, out)?;
    }
    Ok(())
}

fn trim_trailing_ws(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|b| !matches!(b, b' ' | b'\t')).map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Decodes base64 (whitespace ignored, padding optional), refusing output
/// over `max` bytes. `Err` is an offset into `text` and a reason.
pub(super) fn base64(text: &[u8], max: usize) -> Result<Vec<u8>, (usize, String)> {
    use ::base64::DecodeError;
    use ::base64::Engine as _;
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    // MIME wraps base64 in lines; the decoder wants the symbols alone.
    let symbols: Vec<u8> = text.iter().copied().filter(|b| !space(b)).collect();
    // The offset in `text` of the k-th symbol.
    let at = |k: usize| {
        text.iter().enumerate().filter(|(_, b)| !space(b)).nth(k).map_or(text.len(), |(i, _)| i)
    };
    let unpadded = symbols.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    if unpadded / 4 * 3 + (unpadded % 4).saturating_sub(1) > max {
        return Err((at(max / 3 * 4), format!("decodes to more than the limit of {max} bytes")));
    }
    let engine = ::base64::engine::GeneralPurpose::new(
        &::base64::alphabet::STANDARD,
        ::base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(::base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(&symbols).map_err(|e| match e {
        DecodeError::InvalidByte(k, b'=') => (at(k), "base64 data after `=` padding".to_string()),
        DecodeError::InvalidByte(k, other) => (at(k), format!("byte 0x{other:02X} is not base64")),
        DecodeError::InvalidLength(k) => {
            (at(k.saturating_sub(1)), "base64 ends with a symbol that holds no whole byte".into())
        }
        DecodeError::InvalidLastSymbol { offset, .. } => {
            (at(offset), "base64 ends in a bad symbol".into())
        }
        DecodeError::InvalidPadding => (at(unpadded), "bad `=` padding in base64".into()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn headers_unfold_and_end_at_the_blank_line() {
        let data = b"From: A <a@b>\r\nContent-Type: multipart/mixed;\r\n boundary=\"X Y\"\r\nX-RSMF-Version: 2.0.0\r\n\r\nbody";
        let (fields, body) = header_block(data);
        assert_eq!(field(&fields, "content-type"), Some("multipart/mixed; boundary=\"X Y\""));
        assert_eq!(field(&fields, "X-RSMF-VERSION"), Some("2.0.0"));
        assert_eq!(&data[body..], b"body");
        let (fields, body) = header_block(b"A: 1\nB: 2\n");
        assert_eq!(fields.len(), 2);
        assert_eq!(body, 10);
    }

    #[test]
    fn params() {
        assert_eq!(
            param("multipart/mixed; boundary=\"RSMFEML\"", "boundary").as_deref(),
            Some("RSMFEML")
        );
        assert_eq!(
            param("application/octet-stream; name=rsmf.zip", "name").as_deref(),
            Some("rsmf.zip")
        );
        assert_eq!(
            param("attachment; filename*=utf-8''rsmf%2Ezip", "filename").as_deref(),
            Some("rsmf.zip")
        );
        assert_eq!(param("a; x=\"semi;colon\"; y=2", "y").as_deref(), Some("2"));
        assert_eq!(param("a; x=\"q\\\"uote\"", "x").as_deref(), Some("q\"uote"));
        assert_eq!(param("text/plain", "name"), None);
        assert_eq!(param("a; filename=x", "name"), None);
    }

    #[test]
    fn multipart_parts_and_offsets() {
        let data = b"Content-Type: multipart/mixed; boundary=b1\n\npreamble\n--b1\nContent-Type: text/plain\n\nhello\n--b1\nContent-Type: multipart/alternative; boundary=b2\n\n--b2\n\ninner\n--b2--\n--b1  \nContent-Disposition: attachment; filename=rsmf.zip\n\nQUJD\n--b1--\nepilogue";
        let (fields, body) = header_block(data);
        let parts = leaf_parts(data, fields, body).unwrap();
        let bodies: Vec<&[u8]> =
            parts.iter().map(|p| &data[p.body.0..p.body.0 + p.body.1]).collect();
        assert_eq!(bodies, [&b"hello"[..], b"inner", b"QUJD"]);
        assert_eq!(parts[2].file_name().as_deref(), Some("rsmf.zip"));
        assert!(parts[2].is_attachment() && !parts[0].is_attachment());
        assert!(data[parts[0].offset..].starts_with(b"Content-Type: text/plain"));
    }

    #[test]
    fn broken_multiparts() {
        let no_boundary = b"Content-Type: multipart/mixed\n\n--x\n\nbody\n";
        let (f, b) = header_block(no_boundary);
        assert!(leaf_parts(no_boundary, f, b).unwrap_err().1.contains("without a boundary"));
        let none = b"Content-Type: multipart/mixed; boundary=zz\n\njust text\n";
        let (f, b) = header_block(none);
        assert!(leaf_parts(none, f, b).unwrap_err().1.contains("no part delimited"));
        let truncated = b"Content-Type: multipart/mixed; boundary=zz\n\n--zz\n\nQUJ";
        let (f, b) = header_block(truncated);
        let parts = leaf_parts(truncated, f, b).unwrap();
        assert_eq!(&truncated[parts[0].body.0..parts[0].body.0 + parts[0].body.1], b"QUJ");
    }

    #[test]
    fn base64_decoding() {
        assert_eq!(base64(b"QUJD\r\nREVG", 100).unwrap(), b"ABCDEF");
        assert_eq!(base64(b"QUI=", 100).unwrap(), b"AB");
        assert_eq!(base64(b"QUI", 100).unwrap(), b"AB");
        assert_eq!(base64(b"", 100).unwrap(), b"");
        assert_eq!(base64(b"QU*I", 100).unwrap_err().0, 2);
        assert!(base64(b"QQ==QQ==", 100).unwrap_err().1.contains("after"));
        assert!(base64(b"QUJDREVG", 4).is_err());
    }
}
