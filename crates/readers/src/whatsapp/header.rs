//! The timestamp header that starts every WhatsApp message line.
//!
//! In words: optional invisible marks (U+200E, U+200F, BOM, ...); an
//! optional `[`; a date of three digit groups separated by the same `/`,
//! `.` or `-` (each optionally followed by one space), year first only when
//! the first group has four digits; an optional `,` or `.`; at least one
//! space (ASCII, U+00A0 or U+202F) and at most a short word such as the
//! Finnish `klo`; a time `H:MM[:SS]` (or with `.`); an optional 12-hour
//! marker; `]` when the line opened with `[`; then ` - `, `: ` or (after a
//! date ending in `.`) a single space. What follows is the body:
//! `Author: text` or a system text.
//!
//! The common fixed-width layouts take a fast path (`fixed.rs`) first.
//! The matcher works on the original bytes so that every index it returns
//! is an index into the line as written.

use super::fixed::Quick;

/// How a header separates itself from the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum BodySep {
    /// `] ` after a bracketed date and time (iOS).
    Bracket,
    /// ` - ` (Android).
    Dash,
    /// `: ` directly after the time (`13.06.18 21.25.15: a: m`).
    Colon,
    /// A single space, only after a date ending in `.`
    /// (`13. 6. 2018. 21:25:15 a: m`).
    Space,
}

/// The layout of a header, without its numbers. One export uses one
/// layout; lines of another layout inside it are message text (a pasted
/// log), not headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Shape {
    /// `[...]` around the date and time.
    pub bracket: bool,
    /// `/`, `.` or `-` between the date's groups.
    pub date_sep: u8,
    /// `YYYY/MM/DD` rather than day and month first.
    pub year_first: bool,
    /// The time has seconds (iOS).
    pub seconds: bool,
    /// The time has a 12-hour marker.
    pub meridiem: bool,
    /// What ends the header.
    pub body_sep: BodySep,
}

/// One matched header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// The three date groups in written order.
    pub fields: [u32; 3],
    /// The number of digits of the year group (2 or 4).
    pub year_digits: usize,
    /// Hour as written (12-hour when `pm` is set).
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second (0 when the header has none).
    pub second: u32,
    /// `Some(true)` for PM, `Some(false)` for AM, `None` on a 24-hour clock.
    pub pm: Option<bool>,
    /// The layout.
    pub shape: Shape,
    /// Byte range of the date and time text (without brackets).
    pub stamp: (usize, usize),
    /// Byte index where the body starts (may equal the line length).
    pub body: usize,
}

impl Header {
    /// The first two date groups when they are day and month in some order
    /// (`None` for year-first dates, which are never ambiguous).
    pub fn day_month(&self) -> Option<(u32, u32)> {
        (!self.shape.year_first).then_some((self.fields[0], self.fields[1]))
    }

    /// The full year.
    pub fn year(&self) -> i32 {
        let raw = if self.shape.year_first { self.fields[0] } else { self.fields[2] };
        // WhatsApp dates from 2009 on: a two-digit year is 20YY.
        let year = if self.year_digits == 2 { 2000 + raw } else { raw };
        i32::try_from(year).unwrap_or(0)
    }

    /// The hour on a 24-hour clock.
    pub fn hour24(&self) -> u32 {
        match self.pm {
            None => self.hour,
            Some(false) => self.hour % 12,
            Some(true) => self.hour % 12 + 12,
        }
    }
}

/// 12-hour markers, longest first. A space in a marker matches any one
/// space character (U+00A0 and U+202F included); ASCII letters match
/// case-insensitively. Besides the English and Spanish forms seen in
/// parser test suites, the German and Greek ones are **UNVERIFIED**.
const MERIDIEMS: &[(&str, bool)] = &[
    ("a. m.", false),
    ("p. m.", true),
    ("a.m.", false),
    ("p.m.", true),
    ("a. m", false),
    ("p. m", true),
    ("a.m", false),
    ("p.m", true),
    ("am", false),
    ("pm", true),
    ("vorm.", false),
    ("nachm.", true),
    ("π.μ.", false),
    ("μ.μ.", true),
];

/// Invisible marks WhatsApp (or a text editor) puts around headers and
/// names: LRM, RLM, ALM, BOM, the bidi embeddings and isolates.
pub(crate) fn is_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{feff}' | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Spaces that separate header parts: ASCII space and tab, NO-BREAK SPACE,
/// NARROW NO-BREAK SPACE (before AM/PM since 2023) and THIN SPACE.
pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// The character at the cursor, decoded (`None` at the end or on
    /// invalid UTF-8).
    fn char(&self) -> Option<(char, usize)> {
        let rest = self.s.get(self.i..)?;
        let len = match *rest.first()? {
            b if b < 0x80 => return Some((b as char, 1)),
            b if b >= 0xF0 => 4,
            b if b >= 0xE0 => 3,
            b if b >= 0xC0 => 2,
            _ => return None,
        };
        let c = std::str::from_utf8(rest.get(..len)?).ok()?.chars().next()?;
        Some((c, len))
    }

    fn marks(&mut self) {
        // Every line starts here and nearly all start with ASCII, which is
        // never a mark: no decoding for them.
        while self.peek().is_some_and(|b| b >= 0x80)
            && let Some((c, len)) = self.char()
        {
            if !is_mark(c) {
                break;
            }
            self.i += len;
        }
    }

    fn space(&mut self) -> bool {
        // ASCII first, without decoding: `is_space` allows only ' ' and
        // '\t' from it.
        match self.peek() {
            Some(b' ' | b'\t') => {
                self.i += 1;
                return true;
            }
            Some(b) if b < 0x80 => return false,
            None => return false,
            Some(_) => {}
        }
        match self.char() {
            Some((c, len)) if is_space(c) => {
                self.i += len;
                true
            }
            _ => false,
        }
    }

    fn spaces(&mut self) -> usize {
        let mut n = 0;
        while self.space() {
            n += 1;
        }
        n
    }

    /// One to `max` ASCII digits, not followed by another digit.
    fn digits(&mut self, max: usize) -> Option<(u32, usize)> {
        let start = self.i;
        let mut value = 0u32;
        while self.i - start < max {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(d - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        let len = self.i - start;
        if len == 0 || self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i = start;
            return None;
        }
        Some((value, len))
    }

    /// A marker from [`MERIDIEMS`] ending at a non-letter.
    fn meridiem(&mut self) -> Option<bool> {
        // Most headers have none: rule them out on the first character.
        let (first, _) = self.char()?;
        if !matches!(first.to_ascii_lowercase(), 'a' | 'p' | 'v' | 'n' | 'π' | 'μ') {
            return None;
        }
        let start = self.i;
        'tokens: for (token, pm) in MERIDIEMS {
            self.i = start;
            for want in token.chars() {
                let Some((got, len)) = self.char() else { continue 'tokens };
                let same = if want == ' ' {
                    is_space(got)
                } else {
                    got == want || got.to_ascii_lowercase() == want
                };
                if !same {
                    continue 'tokens;
                }
                self.i += len;
            }
            if self.char().is_some_and(|(c, _)| c.is_alphabetic()) {
                continue;
            }
            return Some(*pm);
        }
        self.i = start;
        None
    }
}

/// Matches a header at the start of `line` (without its line terminator).
pub(crate) fn match_header(line: &[u8]) -> Option<Header> {
    match super::fixed::quick(line) {
        Quick::Header(header) => Some(header),
        Quick::Not => None,
        Quick::Unsure => match_header_slow(line),
    }
}

/// [`match_header`] for every layout, with a cursor.
pub(super) fn match_header_slow(line: &[u8]) -> Option<Header> {
    let mut c = Cur { s: line, i: 0 };
    c.marks();
    let bracket = c.eat(b'[');
    c.marks();
    let stamp_start = c.i;

    let (a, a_len) = c.digits(4)?;
    let date_sep = c.peek().filter(|b| matches!(b, b'/' | b'.' | b'-'))?;
    c.i += 1;
    c.eat(b' ');
    let (b, _) = c.digits(2)?;
    if !c.eat(date_sep) {
        return None;
    }
    c.eat(b' ');
    let (y, y_len) = c.digits(4)?;
    let year_first = a_len == 4;
    let year_digits = if year_first {
        if y_len > 2 || !(1..=12).contains(&b) || !(1..=31).contains(&y) {
            return None;
        }
        4
    } else {
        if a_len > 2 || !matches!(y_len, 2 | 4) || !(1..=31).contains(&a) || !(1..=31).contains(&b)
        {
            return None;
        }
        y_len
    };

    // `,` or `.` after the date, then at least one space and at most a
    // short word (`klo`) before the time.
    let year_dot = !c.eat(b',') && c.eat(b'.');
    if c.spaces() == 0 {
        return None;
    }
    let gap_start = c.i;
    loop {
        if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            c.i += 1;
        } else if !c.space() {
            break;
        }
        if c.i - gap_start > 12 {
            return None;
        }
    }

    let (hour, _) = c.digits(2)?;
    let time_sep = c.peek().filter(|b| matches!(b, b':' | b'.'))?;
    c.i += 1;
    let minute = match c.digits(2)? {
        (m, 2) if m <= 59 => m,
        _ => return None,
    };
    let mut second = 0;
    let mut seconds = false;
    if c.peek() == Some(time_sep) && c.s.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
        c.i += 1;
        second = match c.digits(2)? {
            (s, 2) if s <= 60 => s,
            _ => return None,
        };
        seconds = true;
    }
    if hour > 24 {
        return None;
    }
    let mut stamp_end = c.i;
    let before = c.i;
    c.spaces();
    let pm = match c.meridiem() {
        Some(pm) if hour <= 12 => {
            stamp_end = c.i;
            Some(pm)
        }
        _ => {
            c.i = before;
            None
        }
    };
    c.marks();

    let body_sep = if bracket {
        if !c.eat(b']') {
            return None;
        }
        c.space();
        BodySep::Bracket
    } else {
        let save = c.i;
        if c.spaces() > 0 && c.eat(b'-') && (c.space() || c.at_end()) {
            BodySep::Dash
        } else {
            c.i = save;
            if c.eat(b':') && (c.space() || c.at_end()) {
                BodySep::Colon
            } else {
                c.i = save;
                // Only seen as `13. 6. 2018. 21:25:15 a: m`; demanding the
                // `.` after the year keeps log lines such as
                // `2016-04-29 10:30:00 started` from reading as headers.
                if !year_dot || !c.space() {
                    return None;
                }
                BodySep::Space
            }
        }
    };

    Some(Header {
        fields: [a, b, y],
        year_digits,
        hour,
        minute,
        second,
        pm,
        shape: Shape { bracket, date_sep, year_first, seconds, meridiem: pm.is_some(), body_sep },
        stamp: (stamp_start, stamp_end),
        body: c.i,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn m(line: &str) -> Header {
        match_header(line.as_bytes()).unwrap_or_else(|| panic!("{line:?} should match"))
    }

    fn stamp<'a>(line: &'a str, h: &Header) -> &'a str {
        &line[h.stamp.0..h.stamp.1]
    }

    fn body<'a>(line: &'a str, h: &Header) -> &'a str {
        &line[h.body..]
    }

    #[test]
    fn android_and_ios() {
        let line = "12/07/2025, 10:45 am - Priya: Hi";
        let h = m(line);
        assert_eq!(h.fields, [12, 7, 2025]);
        assert_eq!((h.hour24(), h.minute, h.second), (10, 45, 0));
        assert_eq!(h.shape.body_sep, BodySep::Dash);
        assert_eq!(stamp(line, &h), "12/07/2025, 10:45 am");
        assert_eq!(body(line, &h), "Priya: Hi");

        let line = "[20.06.19, 15:58:53] John: Hey";
        let h = m(line);
        assert_eq!(h.fields, [20, 6, 19]);
        assert_eq!(h.year(), 2019);
        assert!(h.shape.bracket && h.shape.seconds);
        assert_eq!(stamp(line, &h), "20.06.19, 15:58:53");
        assert_eq!(body(line, &h), "John: Hey");

        let line = "[31/12/2022 11:40:26] John Doe: Hi";
        assert_eq!(body(line, &m(line)), "John Doe: Hi");
        let line = "3/6/18, 1:55 PM - a: m";
        let h = m(line);
        assert_eq!((h.hour24(), h.pm), (13, Some(true)));
    }

    #[test]
    fn every_variant_of_the_parser_suites() {
        for (line, fields, hms, body_text) in [
            ("3/6/18, 1:55 p.m. - a: m", [3, 6, 18], (13, 55, 0), "a: m"),
            ("03-06-2018, 01.55 PM - a: m", [3, 6, 2018], (13, 55, 0), "a: m"),
            ("13.06.18 21.25.15: a: m", [13, 6, 18], (21, 25, 15), "a: m"),
            ("[06.13.18 21:25:15] a: m", [6, 13, 18], (21, 25, 15), "a: m"),
            ("13.6.2018 klo 21.25.15 - a: m", [13, 6, 2018], (21, 25, 15), "a: m"),
            ("13. 6. 2018. 21:25:15 a: m", [13, 6, 2018], (21, 25, 15), "a: m"),
            ("[3/6/18 1:55:00 p. m.] a: m", [3, 6, 18], (13, 55, 0), "a: m"),
            ("\u{200e}[3/6/18 1:55:00 p. m.] a: m", [3, 6, 18], (13, 55, 0), "a: m"),
            ("[2018/06/13, 21:25:15] a: m", [2018, 6, 13], (21, 25, 15), "a: m"),
            ("1/4/23, 7:02\u{202f}PM - a: m", [1, 4, 23], (19, 2, 0), "a: m"),
            ("09/10/2023, 11:11\u{202f}am - a: m", [9, 10, 2023], (11, 11, 0), "a: m"),
            ("[14/10/2021, 3:34:09\u{202f}PM] a: m", [14, 10, 2021], (15, 34, 9), "a: m"),
            ("1/4/23, 8:28\u{a0}p.\u{a0}m. - a: m", [1, 4, 23], (20, 28, 0), "a: m"),
            ("01/01/2019, 12:25 a. m. - a: m", [1, 1, 2019], (0, 25, 0), "a: m"),
            ("01/01/2019, 12:25 p. m. - a: m", [1, 1, 2019], (12, 25, 0), "a: m"),
            ("06/20/2020, 00:08 a. m. - sys", [6, 20, 2020], (0, 8, 0), "sys"),
            ("2019/01/01, 11:25 - John Doe: x", [2019, 1, 1], (11, 25, 0), "John Doe: x"),
            ("[01/01/19 11:25] John Doe: x", [1, 1, 19], (11, 25, 0), "John Doe: x"),
            (
                "06/03/2017, 00:45 - You created group \"Test\"",
                [6, 3, 2017],
                (0, 45, 0),
                "You created group \"Test\"",
            ),
            ("03/02/17, 18:42 - Luke: ", [3, 2, 17], (18, 42, 0), "Luke: "),
            (
                "[20.06.19, 15:58:47] \u{200e}Messages",
                [20, 6, 19],
                (15, 58, 47),
                "\u{200e}Messages",
            ),
            ("12.05.2019, 9:05 vorm. - x: y", [12, 5, 2019], (9, 5, 0), "x: y"),
        ] {
            let h = m(line);
            assert_eq!(h.fields, fields, "{line}");
            assert_eq!((h.hour24(), h.minute, h.second), hms, "{line}");
            assert_eq!(body(line, &h), body_text, "{line}");
        }
    }

    #[test]
    fn shapes_tell_layouts_apart() {
        let a = m("01/01/19, 11:25 - a: b").shape;
        let b = m("[01/01/19 11:25] a: b").shape;
        let c = m("01/01/19, 11:25:00 - a: b").shape;
        let d = m("01/01/19, 11:25 PM - a: b").shape;
        let e = m("01.01.19, 11:25 - a: b").shape;
        assert!(a != b && a != c && a != d && a != e);
        assert_eq!(a, m("31/12/2021, 23:59 - x").shape);
    }

    #[test]
    fn not_headers() {
        for line in [
            "",
            "consectetur adipiscing elit.",
            "2016-04-29 10:30:00",
            "01/01/19 - a: b",
            "01/01/19, 11:25",
            "01/01/19, 11:25-a: b",
            "01/01/19,11:25 - a: b",
            "01/01/19, 1125 - a: b",
            "01/01/19, 11:5 - a: b",
            "01/01/19, 11:75 - a: b",
            "01/01/19, 31:15 - a: b",
            "01/01/123, 11:25 - a: b",
            "32/01/19, 11:25 - a: b",
            "01/00/19, 11:25 - a: b",
            "01/01-19, 11:25 - a: b",
            "[01/01/19 11:25 a: b",
            "101/01/19, 11:25 - a: b",
            "01/01/19, something long before 11:25 - a: b",
            "\u{fffd}\u{fffd}",
        ] {
            assert_eq!(match_header(line.as_bytes()), None, "{line:?}");
        }
        // Invalid UTF-8 after a header is still a header; inside it is not.
        assert!(match_header(b"01/01/19, 11:25 - \xff\xfe").is_some());
        assert!(match_header(b"01/01/19,\xa0 11:25 - a").is_none());
    }

    #[test]
    fn a_word_after_the_time_is_no_marker() {
        // `PMx` is not a marker: with a dotted year this is the single-space
        // layout with the body `PMx - a: b`; without, no header.
        let h = m("01.01.19. 11:25 PMx - a: b");
        assert_eq!((h.pm, h.shape.body_sep), (None, BodySep::Space));
        assert_eq!(match_header(b"01/01/19, 11:25 PMx - a: b"), None);
        assert_eq!(match_header(b"2016-04-29 10:30:00 a log line"), None);
        assert!(match_header(b"2016-04-29 10:30:00 - a: log").is_some());
    }

    #[test]
    fn meridiem_needs_a_twelve_hour_clock() {
        // `am` after 13:00 is no marker: the header is a 24-hour one and
        // `am: x` is the body of a space-separated layout.
        let h = m("13. 6. 2018. 21:25:15 am: x");
        assert_eq!(h.pm, None);
        assert_eq!(h.hour24(), 21);
    }
}
