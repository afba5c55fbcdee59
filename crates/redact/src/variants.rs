//! The spellings under which a value could leak through an output.
//!
//! Outputs are HTML pages, CSV, JSON and URLs, each with its own escaping,
//! and texts quote values in other cases and normalisation forms. The leak
//! scan looks for every spelling listed here, and the [`Redactor`] matches
//! them too, so that a value already escaped in the evidence (a
//! percent-encoded name in a URL) is redacted as well.
//!
//! [`Redactor`]: crate::Redactor

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// The spellings under which `value` could leak, de-duplicated, `value`
/// itself first. Empty for an empty `value`.
///
/// The value in its own, lower, upper and title case, each in its own form
/// and in NFC, NFD, NFKC and NFKD; and each of those, and those in lower and
/// upper case,
///
/// - percent-encoded: all but the unreserved characters, form-style (all
///   but `*-._`), everything but ASCII letters and digits, and only what a
///   browser must encode (space, non-ASCII, `"<>#?{}`); spaces as `%20` and
///   as `+`; hex in upper and lower case;
/// - HTML-escaped: `&amp; &lt; &gt; &quot;` with `'` as `&#39;` or
///   `&#x27;`; as minijinja does (`&#x27;`, `&#x2f;`); with non-ASCII also
///   as decimal and hex entities; and every character other than an ASCII
///   letter or digit as a decimal or hex entity;
/// - JSON-escaped: quotes, backslashes and controls; also non-ASCII as
///   `\uXXXX` (surrogate pairs beyond the BMP, hex in either case); also `/`
///   as `\/`; also `<>&'` as `\u003c`-style escapes.
pub fn variants(value: &str) -> Vec<String> {
    let mut out = Unique::default();
    for spelling in encoded(value) {
        out.push(spelling.to_lowercase());
        out.push(spelling.to_uppercase());
        out.push(spelling);
    }
    let (first, rest): (Vec<String>, Vec<String>) = out.list.into_iter().partition(|s| s == value);
    first.into_iter().chain(rest).collect()
}

/// [`variants`] but for the case of whole encoded forms (`JOS%C3%A9`),
/// which matching that ignores case does not need.
pub(crate) fn encoded(value: &str) -> Vec<String> {
    let mut out = Unique::default();
    if value.is_empty() {
        return out.list;
    }
    let mut bases = Unique::default();
    for cased in [value.to_string(), value.to_lowercase(), value.to_uppercase(), title_case(value)]
    {
        bases.push(cased.nfc().collect());
        bases.push(cased.nfd().collect());
        bases.push(cased.nfkc().collect());
        bases.push(cased.nfkd().collect());
        bases.push(cased);
    }
    out.push(value.to_string());
    for base in &bases.list {
        out.push(base.clone());
        for keep in [Keep::Unreserved, Keep::Form, Keep::Alphanumeric, Keep::Browser] {
            for plus in [false, true] {
                for upper in [true, false] {
                    out.push(percent(base, keep, plus, upper));
                }
            }
        }
        for html in HTML {
            out.push(html_escape(base, html));
        }
        for json in JSON {
            out.push(json_escape(base, json));
        }
    }
    out.list
}

/// An insertion-ordered set.
#[derive(Default)]
struct Unique {
    list: Vec<String>,
    seen: HashSet<String>,
}

impl Unique {
    fn push(&mut self, s: String) {
        if self.seen.insert(s.clone()) {
            self.list.push(s);
        }
    }
}

/// Each whitespace-separated word with its first letter upper-cased and the
/// rest lower-cased.
fn title_case(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut at_start = true;
    for c in value.chars() {
        if at_start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        at_start = c.is_whitespace();
    }
    out
}

/// Which characters percent-encoding leaves alone.
#[derive(Clone, Copy)]
enum Keep {
    /// RFC 3986 unreserved: letters, digits, `-._~`.
    Unreserved,
    /// `application/x-www-form-urlencoded`: letters, digits, `*-._`.
    Form,
    /// Only ASCII letters and digits.
    Alphanumeric,
    /// All printable ASCII but the characters a browser encodes in a path
    /// or query (space, `"<>#?{}`) and `%` itself.
    Browser,
}

impl Keep {
    fn keeps(self, c: char) -> bool {
        match self {
            Keep::Unreserved => c.is_ascii_alphanumeric() || "-._~".contains(c),
            Keep::Form => c.is_ascii_alphanumeric() || "*-._".contains(c),
            Keep::Alphanumeric => c.is_ascii_alphanumeric(),
            Keep::Browser => c.is_ascii_graphic() && !"\"<>#?{}%`".contains(c),
        }
    }
}

fn percent(s: &str, keep: Keep, plus_for_space: bool, upper: bool) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for c in s.chars() {
        if keep.keeps(c) {
            out.push(c);
        } else if c == ' ' && plus_for_space {
            out.push('+');
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&if upper { format!("%{b:02X}") } else { format!("%{b:02x}") });
            }
        }
    }
    out
}

/// How a character is written as a numeric HTML entity.
#[derive(Clone, Copy)]
enum Numeric {
    Decimal,
    HexLower,
    HexUpper,
}

/// One way of HTML-escaping.
#[derive(Clone, Copy)]
struct Html {
    /// What `'` becomes when `numeric_for` does not take it.
    apostrophe: &'static str,
    /// Whether `/` is escaped (as `&#x2f;`).
    slash: bool,
    /// Which other characters become numeric entities, and how.
    numeric_for: Option<(Chars, Numeric)>,
}

/// A set of characters written as numeric entities.
#[derive(Clone, Copy)]
enum Chars {
    NonAscii,
    NotAsciiAlphanumeric,
}

impl Chars {
    fn contains(self, c: char) -> bool {
        match self {
            Chars::NonAscii => !c.is_ascii(),
            Chars::NotAsciiAlphanumeric => !c.is_ascii_alphanumeric(),
        }
    }
}

const HTML: [Html; 9] = [
    Html { apostrophe: "&#39;", slash: false, numeric_for: None },
    Html { apostrophe: "&#x27;", slash: false, numeric_for: None },
    Html { apostrophe: "&#x27;", slash: true, numeric_for: None },
    Html {
        apostrophe: "&#39;",
        slash: false,
        numeric_for: Some((Chars::NonAscii, Numeric::Decimal)),
    },
    Html {
        apostrophe: "&#x27;",
        slash: false,
        numeric_for: Some((Chars::NonAscii, Numeric::HexLower)),
    },
    Html {
        apostrophe: "&#x27;",
        slash: false,
        numeric_for: Some((Chars::NonAscii, Numeric::HexUpper)),
    },
    Html {
        apostrophe: "",
        slash: false,
        numeric_for: Some((Chars::NotAsciiAlphanumeric, Numeric::Decimal)),
    },
    Html {
        apostrophe: "",
        slash: false,
        numeric_for: Some((Chars::NotAsciiAlphanumeric, Numeric::HexLower)),
    },
    Html {
        apostrophe: "",
        slash: false,
        numeric_for: Some((Chars::NotAsciiAlphanumeric, Numeric::HexUpper)),
    },
];

fn html_escape(s: &str, how: Html) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if let Some((chars, numeric)) = how.numeric_for
            && chars.contains(c)
        {
            out.push_str(&match numeric {
                Numeric::Decimal => format!("&#{};", u32::from(c)),
                Numeric::HexLower => format!("&#x{:x};", u32::from(c)),
                Numeric::HexUpper => format!("&#x{:X};", u32::from(c)),
            });
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(how.apostrophe),
            '/' if how.slash => out.push_str("&#x2f;"),
            _ => out.push(c),
        }
    }
    out
}

/// One way of JSON-escaping.
#[derive(Clone, Copy)]
struct Json {
    /// `\u` escapes for non-ASCII: `None`, or `Some(upper_hex)`.
    non_ascii: Option<bool>,
    /// `/` as `\/`.
    slash: bool,
    /// `<>&'` as `\u003c`-style escapes, as JSON embedded in HTML has them.
    html_safe: bool,
}

const JSON: [Json; 8] = [
    Json { non_ascii: None, slash: false, html_safe: false },
    Json { non_ascii: None, slash: true, html_safe: false },
    Json { non_ascii: Some(false), slash: false, html_safe: false },
    Json { non_ascii: Some(false), slash: true, html_safe: false },
    Json { non_ascii: Some(true), slash: false, html_safe: false },
    Json { non_ascii: Some(true), slash: true, html_safe: false },
    Json { non_ascii: Some(false), slash: false, html_safe: true },
    Json { non_ascii: None, slash: false, html_safe: true },
];

fn json_escape(s: &str, how: Json) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    let unit = |out: &mut String, u: u16, upper: bool| {
        out.push_str(&if upper { format!("\\u{u:04X}") } else { format!("\\u{u:04x}") });
    };
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if how.slash => out.push_str("\\/"),
            '<' | '>' | '&' | '\'' if how.html_safe => unit(&mut out, c as u16, false),
            c if c.is_control() && c.is_ascii() => unit(&mut out, c as u16, false),
            c if !c.is_ascii() && how.non_ascii.is_some() => {
                let upper = how.non_ascii.unwrap_or(false);
                let mut buf = [0; 2];
                for u in c.encode_utf16(&mut buf) {
                    unit(&mut out, *u, upper);
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_capitalises_each_word() {
        assert_eq!(title_case("josé o'BRIEN  & co"), "José O'brien  & Co");
    }

    #[test]
    fn percent_encodes_utf8_bytes() {
        assert_eq!(percent("é a", Keep::Unreserved, false, true), "%C3%A9%20a");
        assert_eq!(percent("é a", Keep::Unreserved, true, false), "%c3%a9+a");
        assert_eq!(percent("a-b", Keep::Alphanumeric, false, true), "a%2Db");
    }

    #[test]
    fn json_escapes_astral_as_surrogates() {
        let how = Json { non_ascii: Some(false), slash: false, html_safe: false };
        assert_eq!(json_escape("😀\"", how), "\\ud83d\\ude00\\\"");
    }
}
