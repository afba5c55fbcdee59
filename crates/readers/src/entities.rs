//! HTML entity decoding, for text that a platform or a re-serialising
//! tool stored HTML-escaped.
//!
//! Twitter stores DM text HTML-escaped (`&amp;`, `&lt;`, `&gt;`). Decoding
//! must happen exactly once: a user who typed `&lt;` is stored as `&amp;lt;`
//! and must read back as `&lt;`, not `<`. A single left-to-right pass that
//! never looks at its own output guarantees that.

use std::borrow::Cow;

/// The notice for an entry in which `count` messages had character
/// references decoded, the first at byte `first`.
pub(crate) fn decoded_notice(file: String, first: u64, count: u64) -> crate::Notice {
    crate::Notice {
        file,
        offset: first,
        kind: crate::NoticeKind::EntitiesDecoded,
        count,
        reason: format!(
            "HTML character references (&#39; &amp; …) decoded in the text of {count} message{} \
             (the first at byte {first}); the source keeps them as written",
            if count == 1 { "" } else { "s" }
        ),
    }
}

/// The longest entity body we look for (`&` + name + `;`), in bytes. Longer
/// runs are left alone rather than scanned to the end of the text.
const MAX_ENTITY: usize = 12;

/// Decodes HTML character references in `text` once: the named ones Twitter
/// and common HTML use, and numeric ones (`&#39;`, `&#x1F600;`). Unknown or
/// malformed references, and ones without a closing `;`, stay as written.
pub fn decode_entities(text: &str) -> Cow<'_, str> {
    if !has_ampersand(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        match reference(tail) {
            Some((decoded, len)) => {
                match decoded {
                    Decoded::Char(c) => out.push(c),
                    Decoded::Str(s) => out.push_str(s),
                }
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Whether `bytes` holds a `&`. Nearly every message is asked and has
/// none; most are short, where eight bytes at a time beat `memchr`'s setup.
fn has_ampersand(bytes: &[u8]) -> bool {
    if bytes.len() >= 64 {
        return memchr::memchr(b'&', bytes).is_some();
    }
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const AMPERSANDS: u64 = u64::from_ne_bytes([b'&'; 8]);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        // Zero bytes where `&` was; the classic test for a zero byte.
        let x = u64::from_ne_bytes(eight) ^ AMPERSANDS;
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            return true;
        }
    }
    words.remainder().contains(&b'&')
}

enum Decoded {
    Char(char),
    Str(&'static str),
}

/// The reference at the start of `tail` (which starts with `&`) and its
/// length in bytes.
fn reference(tail: &str) -> Option<(Decoded, usize)> {
    let semi = tail.bytes().take(MAX_ENTITY).position(|b| b == b';')?;
    // Both ends are ASCII bytes, so these are char boundaries.
    let body = tail.get(1..semi)?;
    if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()?
            }
            None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                number.parse::<u32>().ok()?
            }
            _ => return None,
        };
        // NUL and surrogates are not characters; keep such text as written.
        let c = char::from_u32(code).filter(|&c| c != '\0')?;
        return Some((Decoded::Char(c), semi + 1));
    }
    named(body).map(|s| (Decoded::Str(s), semi + 1))
}

fn named(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "lsquo" => "‘",
        "rsquo" => "’",
        "sbquo" => "‚",
        "ldquo" => "“",
        "rdquo" => "”",
        "bdquo" => "„",
        "laquo" => "«",
        "raquo" => "»",
        "bull" => "•",
        "middot" => "·",
        "deg" => "°",
        "euro" => "€",
        "pound" => "£",
        "yen" => "¥",
        "cent" => "¢",
        "sect" => "§",
        "para" => "¶",
        "times" => "×",
        "divide" => "÷",
        "plusmn" => "±",
        "frac12" => "½",
        "frac14" => "¼",
        "frac34" => "¾",
        "iexcl" => "¡",
        "iquest" => "¿",
        "shy" => "\u{ad}",
        "zwj" => "\u{200d}",
        "zwnj" => "\u{200c}",
        "lrm" => "\u{200e}",
        "rlm" => "\u{200f}",
        _ => return None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{decode_entities, has_ampersand};
    use proptest::prelude::*;

    proptest! {
        /// Any length, the `&` anywhere (or high bytes that a careless
        /// zero-byte test reads as a match).
        #[test]
        fn the_word_at_a_time_scan_finds_every_ampersand(
            bytes in prop::collection::vec(prop::sample::select(vec![b'a', b'&', b'%', b'\'', 0x80, 0xA6, 0xFF, 0]), 0..100),
        ) {
            prop_assert_eq!(has_ampersand(&bytes), bytes.contains(&b'&'));
        }
    }

    #[test]
    fn decodes_once() {
        assert_eq!(decode_entities("8 - &gt; I"), "8 - > I");
        assert_eq!(decode_entities("&amp;lt;"), "&lt;");
        assert_eq!(decode_entities("&amp;amp;amp;"), "&amp;amp;");
        assert_eq!(decode_entities("a &lt;b&gt; &amp; c"), "a <b> & c");
        assert_eq!(decode_entities("&quot;hi&quot; &apos;x&#39;"), "\"hi\" 'x'");
    }

    #[test]
    fn numeric_references() {
        assert_eq!(decode_entities("&#65;&#x42;&#X43;&#x1F600;"), "ABC😀");
        assert_eq!(
            decode_entities("&#0; &#xD800; &#99999999999; &#; &#x;"),
            "&#0; &#xD800; &#99999999999; &#; &#x;"
        );
    }

    #[test]
    fn leaves_unknown_and_unterminated_alone() {
        assert_eq!(decode_entities("R&D & co"), "R&D & co");
        assert_eq!(decode_entities("&bogus; &lt"), "&bogus; &lt");
        assert_eq!(decode_entities("&"), "&");
        assert_eq!(decode_entities("&&lt;;"), "&<;");
        assert_eq!(decode_entities("ü&ü;&lt;ü"), "ü&ü;<ü");
        assert_eq!(
            decode_entities("&verylongname_no_semicolon_here;"),
            "&verylongname_no_semicolon_here;"
        );
    }

    #[test]
    fn borrows_without_ampersand() {
        assert!(matches!(decode_entities("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
