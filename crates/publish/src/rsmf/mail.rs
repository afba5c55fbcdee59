//! The e-mail side of an `.rsmf`: header fields that data cannot break out
//! of, quoted-printable for the summary, base64 for `rsmf.zip`.
//!
//! Lines end in CRLF (RFC 5322 §2.1). The multipart boundary starts with
//! `=_`, which can occur in neither part: base64 has no `_`, and
//! quoted-printable writes every literal `=` as `=3D`.

/// Most characters on a header line before it is folded (RFC 5322 §2.1.1
/// recommends 78; RFC 2047 §2 caps lines with encoded-words at 76).
const FOLD_AT: usize = 76;
/// The hard limit of a line (RFC 5322 §2.1.1), CRLF excluded.
const MAX_LINE: usize = 998;

/// One header field, `Name: value` plus CRLF, for a value taken from data.
///
/// Control characters (CR and LF above all: a hostile title must not start
/// a header of its own) become spaces and runs of white space one space.
/// A value that is plain ASCII is folded at spaces; anything else (non-ASCII,
/// text that would read as an encoded-word, a word too long to fold) is
/// written as RFC 2047 `=?UTF-8?B?…?=` encoded-words, one per folded line.
pub(super) fn field(name: &str, value: &str) -> String {
    let clean = clean(value);
    let plain = clean.is_ascii() && !clean.contains("=?");
    if plain && let Some(folded) = fold(name, &clean) {
        return folded;
    }
    encoded(name, &clean)
}

/// `value` with control characters as spaces, white space collapsed and
/// trimmed.
pub(super) fn clean(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `name: value` folded at spaces, or `None` if a single word would make a
/// line longer than RFC 5322 allows.
fn fold(name: &str, value: &str) -> Option<String> {
    let mut out = format!("{name}:");
    let mut line = out.len();
    for word in value.split(' ') {
        if line + 1 + word.len() > FOLD_AT && line > name.len() + 1 {
            out.push_str("\r\n");
            line = 0;
        }
        if line + 1 + word.len() > MAX_LINE {
            return None;
        }
        out.push(' ');
        out.push_str(word);
        line += 1 + word.len();
    }
    out.push_str("\r\n");
    Some(out)
}

/// `name: =?UTF-8?B?…?=` with as many encoded-words as the value needs,
/// each complete characters (RFC 2047 §5) and each on its own line.
fn encoded(name: &str, value: &str) -> String {
    const OPEN: &str = "=?UTF-8?B?";
    const CLOSE: &str = "?=";
    let mut out = format!("{name}:");
    if value.is_empty() {
        out.push_str("\r\n");
        return out;
    }
    // The first line also holds `name: `; the others a leading space.
    let mut room = FOLD_AT.saturating_sub(name.len() + 2).max(OPEN.len() + CLOSE.len() + 8);
    let mut chunk = String::new();
    let flush = |chunk: &mut String, out: &mut String| {
        out.push(' ');
        out.push_str(OPEN);
        out.push_str(&base64(chunk.as_bytes()));
        out.push_str(CLOSE);
        out.push_str("\r\n");
        chunk.clear();
    };
    for c in value.chars() {
        let bytes = (room - OPEN.len() - CLOSE.len()) / 4 * 3;
        if !chunk.is_empty() && chunk.len() + c.len_utf8() > bytes {
            flush(&mut chunk, &mut out);
            room = FOLD_AT - 1;
        }
        chunk.push(c);
    }
    flush(&mut chunk, &mut out);
    out
}

/// Standard base64 with padding, no line breaks.
pub(super) fn base64(bytes: &[u8]) -> String {
    use ::base64::Engine as _;
    ::base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Base64 in lines of 76 characters, each ending in CRLF (RFC 2045 §6.8).
pub(super) fn base64_lines(
    bytes: &[u8],
    out: &mut dyn FnMut(&str) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // 57 input bytes are exactly 76 output characters.
    let mut buffer = String::with_capacity(64 * 1024);
    for line in bytes.chunks(57) {
        buffer.push_str(&base64(line));
        buffer.push_str("\r\n");
        if buffer.len() >= 63 * 1024 {
            out(&buffer)?;
            buffer.clear();
        }
    }
    out(&buffer)
}

/// `text` as quoted-printable (RFC 2045 §6.7) with CRLF line breaks:
/// printable ASCII other than `=` as is, everything else as `=XX`, lines
/// soft-broken before 76 characters.
pub(super) fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    for (i, line) in normalized.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let bytes = line.as_bytes();
        let mut width = 0;
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            // Trailing white space would be stripped in transit.
            let literal = (b'!'..=b'~').contains(&b) && b != b'=' || (b == b' ' && !last);
            let piece = if literal { 1 } else { 3 };
            // Room for the soft break's `=` unless this is the line's end.
            let limit = if last { 76 } else { 75 };
            if width + piece > limit {
                out.push_str("=\r\n");
                width = 0;
            }
            if literal {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("={b:02X}"));
            }
            width += piece;
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hostile_values_stay_in_their_field() {
        let f = field("Subject", "Report\r\nBcc: victim@example.com\n\nbody");
        assert_eq!(f, "Subject: Report Bcc: victim@example.com body\r\n");
        let f = field("Subject", "a\u{85}b\u{2028}c\td");
        assert_eq!(f.matches("\r\n").count(), 1);
        assert!(!f.contains('\u{85}') && !f.contains('\u{2028}'));
    }

    #[test]
    fn long_ascii_folds_at_spaces() {
        let value = "word ".repeat(40);
        let f = field("Subject", &value);
        assert!(f.lines().all(|l| l.len() <= FOLD_AT));
        let unfolded = f.replace("\r\n ", " ");
        assert_eq!(unfolded, format!("Subject: {}\r\n", value.trim()));
        // One unbreakable word over the hard limit: encoded instead.
        let f = field("Subject", &"x".repeat(1200));
        assert!(f.starts_with("Subject: =?UTF-8?B?"));
        assert!(f.lines().all(|l| l.len() <= FOLD_AT));
    }

    #[test]
    fn non_ascii_becomes_encoded_words() {
        let f = field("Subject", "Отчёт 😀 «ok»");
        assert!(f.starts_with("Subject: =?UTF-8?B?"));
        assert!(f.is_ascii());
        let long = "Привет мир ".repeat(20);
        let f = field("X-RSMF-Participants", &long);
        assert!(f.lines().all(|l| l.len() <= FOLD_AT), "{f}");
        // Each encoded-word decodes on its own to whole characters.
        let mut decoded = String::new();
        for word in f.split_whitespace().filter(|w| w.starts_with("=?")) {
            let b64 = word.trim_start_matches("=?UTF-8?B?").trim_end_matches("?=");
            decoded.push_str(std::str::from_utf8(&trove_testkit::base64::decode(b64)).unwrap());
        }
        assert_eq!(decoded, long.trim());
        // Text that looks like an encoded-word is encoded too.
        assert!(field("Subject", "=?x?Q?y?=").starts_with("Subject: =?UTF-8?B?"));
    }

    #[test]
    fn base64_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(trove_testkit::base64::decode(base64(&bytes)), bytes);
        let mut text = String::new();
        base64_lines(&bytes, &mut |s| {
            text.push_str(s);
            Ok(())
        })
        .unwrap();
        assert!(text.split("\r\n").all(|l| l.len() <= 76));
        assert_eq!(trove_testkit::base64::decode(&text), bytes);
    }

    #[test]
    fn quoted_printable_escapes() {
        assert_eq!(quoted_printable("a=b"), "a=3Db");
        assert_eq!(quoted_printable("end \nnext"), "end=20\r\nnext");
        assert_eq!(quoted_printable("é"), "=C3=A9");
        let long = quoted_printable(&"é".repeat(100));
        assert!(long.split("\r\n").all(|l| l.len() <= 76));
        // `=` only ever starts an escape or a soft break, so `--=_` (the
        // boundary's start) cannot appear.
        assert!(!quoted_printable("--=_trove").contains("=_"));
    }
}
