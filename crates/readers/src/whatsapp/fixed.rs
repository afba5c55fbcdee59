//! A fast path for the two header layouts nearly every export uses:
//! iOS `[DD.MM.YY, HH:MM:SS] ` and Android `DD/MM/YYYY, HH:MM - ` (any of
//! `/ . -` between the date's groups, two or four year digits, with or
//! without seconds), all fields at fixed widths.
//!
//! Every line of a chat goes through the header matcher twice (the layout
//! pass and the reading pass), and the general matcher's cursor costs
//! hundreds of instructions per header. This path reads those layouts at
//! fixed offsets and answers only when it is sure to agree with
//! [`super::header::match_header_slow`]; anything else (one-digit fields, AM/PM,
//! marks, non-ASCII spaces, values out of range) is `Unsure` and goes to
//! the general matcher.

use super::header::{BodySep, Header, Shape};
use crate::timefmt::two;

/// What the fast path made of a line.
pub(super) enum Quick {
    /// A header, exactly as the general matcher reads it.
    Header(Header),
    /// Not a header: the general matcher would refuse it too.
    Not,
    /// Not one of the fixed layouts: ask the general matcher.
    Unsure,
}

#[inline]
fn digit_at(line: &[u8], at: usize) -> bool {
    line.get(at).is_some_and(u8::is_ascii_digit)
}

/// See the module documentation.
pub(super) fn quick(line: &[u8]) -> Quick {
    match line.first() {
        // The general matcher needs a digit after optional marks (never
        // ASCII) and an optional `[`.
        None => return Quick::Not,
        Some(&b) if b < 0x80 && b != b'[' && !b.is_ascii_digit() => return Quick::Not,
        Some(_) => {}
    }
    fixed(line).map_or(Quick::Unsure, Quick::Header)
}

fn fixed(line: &[u8]) -> Option<Header> {
    let bracket = line.first() == Some(&b'[');
    let start = usize::from(bracket);
    // Date: `DD?MM?YY` or `DD?MM?YYYY`, `?` one of `/ . -`, then `, `.
    let a = two(line, start)?;
    let date_sep = *line.get(start + 2).filter(|b| matches!(b, b'/' | b'.' | b'-'))?;
    let b = two(line, start + 3)?;
    if line.get(start + 5) != Some(&date_sep) {
        return None;
    }
    let mut year = two(line, start + 6)?;
    let mut at = start + 8;
    let year_digits = if digit_at(line, at) {
        year = year * 100 + two(line, at)?;
        at += 2;
        4
    } else {
        2
    };
    if !(1..=31).contains(&a) || !(1..=31).contains(&b) {
        return None;
    }
    if line.get(at..at + 2) != Some(b", ") {
        return None;
    }
    // Time: `HH:MM` or `HH:MM:SS`, then no further digit.
    let t = at + 2;
    let hour = two(line, t)?;
    let minute = two(line, t + 3)?;
    if line.get(t + 2) != Some(&b':') || hour > 24 || minute > 59 {
        return None;
    }
    let mut end = t + 5;
    let mut second = 0;
    let seconds = line.get(end) == Some(&b':') && digit_at(line, end + 1);
    if seconds {
        second = two(line, end + 1)?;
        if second > 60 {
            return None;
        }
        end += 3;
    }
    if digit_at(line, end) {
        return None;
    }
    // What ends the header (`]` or ` -`), and one space after it, which
    // is optional after `]` and, after ` -`, needed unless the line ends.
    let (body_sep, after) = if bracket {
        (BodySep::Bracket, (line.get(end) == Some(&b']')).then_some(end + 1)?)
    } else {
        (BodySep::Dash, (line.get(end..end + 2) == Some(b" -")).then_some(end + 2)?)
    };
    let body = match line.get(after) {
        Some(b' ' | b'\t') => after + 1,
        // A non-ASCII space (U+00A0, ...) would be taken too: unsure.
        Some(&b) if b >= 0x80 => return None,
        // After ` -` the general matcher wants a space or the end.
        Some(_) if !bracket => return None,
        _ => after,
    };
    Some(Header {
        fields: [a, b, year],
        year_digits,
        hour,
        minute,
        second,
        pm: None,
        shape: Shape { bracket, date_sep, year_first: false, seconds, meridiem: false, body_sep },
        stamp: (start, end),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whatsapp::header::match_header_slow;
    use proptest::prelude::*;

    /// Header-like lines: the fixed layouts, near misses of them (other
    /// widths, separators, AM/PM, marks, odd spaces) and plain text.
    fn line() -> impl Strategy<Value = String> {
        let part = prop::sample::select(vec![
            "[", "]", "0", "1", "2", "3", "9", "12", "13", "31", "32", "19", "2019", "24", "25",
            "59", "60", "61", "/", ".", "-", ",", ", ", " ", " - ", ": ", ":", "\t", "\u{a0}",
            "\u{202f}", "\u{200e}", "am", " PM", "klo ", "a", "Bob: hi", "é",
        ]);
        prop::collection::vec(part, 0..24).prop_map(|parts| parts.concat())
    }

    /// The fast path's answer, where it gives one, is the general matcher's.
    fn agrees(line: &str) -> Result<(), TestCaseError> {
        let slow = match_header_slow(line.as_bytes());
        match quick(line.as_bytes()) {
            Quick::Header(h) => prop_assert_eq!(Some(h), slow, "{:?}", line),
            Quick::Not => prop_assert_eq!(None, slow, "{:?}", line),
            Quick::Unsure => {}
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn quick_agrees_with_the_general_matcher(line in line()) {
            agrees(&line)?;
        }

        #[test]
        fn quick_agrees_on_the_fixed_layouts(
            f in prop::collection::vec(0u32..100, 6),
            sep in prop::sample::select(vec!['/', '.', '-']),
            long_year in any::<bool>(),
            seconds in any::<bool>(),
            bracket in any::<bool>(),
            tail in prop::sample::select(vec!["", " ", "  ", "\t", "x", " Bob: hi", "\u{a0}x"]),
        ) {
            let year = if long_year { format!("20{:02}", f[2]) } else { format!("{:02}", f[2]) };
            let secs = if seconds { format!(":{:02}", f[5]) } else { String::new() };
            let stamp =
                format!("{:02}{sep}{:02}{sep}{year}, {:02}:{:02}{secs}", f[0], f[1], f[3], f[4]);
            let line =
                if bracket { format!("[{stamp}]{tail}") } else { format!("{stamp} -{tail}") };
            agrees(&line)?;
        }
    }

    #[test]
    fn the_usual_headers_take_the_fast_path() {
        for line in ["[20.06.19, 15:58:47] Loris: hi", "20/06/2019, 15:58 - Loris: hi"] {
            assert!(matches!(quick(line.as_bytes()), Quick::Header(_)), "{line}");
        }
    }
}
