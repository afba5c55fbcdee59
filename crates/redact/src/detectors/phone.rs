//! Phone numbers: a permissive pattern and strict checks in code.

use std::ops::Range;

use super::{after, before, is_word};

/// Phone numbers. International: `+`, country code (maybe in parentheses:
/// `(+44)`), then digit groups with
/// optional single separators (space, dot, dash) and parentheses. National,
/// only in shapes that ordinary numbers rarely take: a parenthesised area
/// code (`(555) 123-4567`), the North American 3-3-4 grouping with
/// separators (`555-123-4567`, optionally after `1-`), or a trunk `0` then
/// separated groups (`06 12 34 56 78`, `020 7946 0958`). See [`phone`] for
/// the digit counts and the date exclusion.
pub(super) const PHONE: &str = r"\(?\+\d{1,3}\)?(?:[ .\-]?\(?\d{1,6}\)?){1,8}|\(\d{2,5}\)[ .\-]?\d{2,5}(?:[ .\-]\d{2,5}){0,3}|(?:1[ .\-])?[2-9]\d{2}[ .\-]\d{3}[ .\-]\d{4}|0\d{1,4}(?:[ .\-]\d{2,8}){1,5}";

/// Accepts a phone candidate when
///
/// - it stands alone: no letter or digit on either side, and no `.`, `-`,
///   `/` or `+` before a national number (which would make it the tail of
///   a longer dotted or dashed number);
/// - it has 7 to 15 digits (E.164's maximum; 11 after `+1`, the North
///   American plan), at least 9 after a trunk `0`;
///   a greedy candidate with more is cut back at its last separator (the
///   year after a number), and one without separators is dropped, which
///   keeps 19-digit snowflake ids out;
/// - a national one does not read as a date (`01.06.2016`, `2016-06-13`).
///
/// Times (`12:30:45`) never match: `:` is not a separator.
pub(super) fn phone(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let mut start = range.start;
    let candidate = hay.get(range.clone())?;
    // `(+44) 20 …` keeps its parenthesis; `(+44 20 …)` is a number in
    // brackets, which stay outside it.
    let code_len =
        candidate.get(2..).map_or(0, |c| c.bytes().take_while(u8::is_ascii_digit).count());
    let code_in_brackets = candidate.get(2 + code_len..).is_some_and(|c| c.starts_with(')'));
    if candidate.starts_with("(+") && !(code_len <= 3 && code_in_brackets) {
        start += 1;
    }
    let international = hay.get(start..)?.trim_start_matches('(').starts_with('+');
    let prev = before(hay, start);
    if is_word(prev) || (!international && matches!(prev, Some('.' | '-' | '/' | '+'))) {
        return None;
    }
    let is_sep = |c: char| matches!(c, ' ' | '.' | '-' | '(' | ')');
    let digits = |r: &str| r.bytes().filter(u8::is_ascii_digit).count();
    let mut end = range.end;
    let mut trimmed = false;
    let maximum = if hay.get(start..)?.trim_start_matches('(').starts_with("+1") { 11 } else { 15 };
    while digits(hay.get(start..end)?) > maximum {
        let cut = hay.get(start..end)?.rfind(|c: char| is_sep(c) && c != ')')?;
        end = start + cut;
        trimmed = true;
    }
    let mut text = hay.get(start..end)?;
    while let Some(last) = text.chars().next_back() {
        let unbalanced = last == ')' && text.matches('(').count() < text.matches(')').count();
        if !(unbalanced || (is_sep(last) && last != ')')) {
            break;
        }
        text = &text[..text.len() - 1];
    }
    end = start + text.len();
    let count = digits(text);
    let minimum = if text.starts_with('0') { 9 } else { 7 };
    if count < minimum || text.is_empty() {
        return None;
    }
    let next = after(hay, end);
    if is_word(next) {
        return None;
    }
    if !trimmed && matches!(next, Some('.' | '-' | '/')) && is_word(after(hay, end + 1)) {
        return None;
    }
    if !international && looks_like_date(text) {
        return None;
    }
    Some(start..end)
}

/// `d.m.yyyy`, `dd/mm/yy`, `yyyy-mm-dd` and the like at the start of
/// `text`: two equal separators among `.-/` around day and month.
pub(super) fn looks_like_date(text: &str) -> bool {
    let mut groups = Vec::new();
    let mut seps = Vec::new();
    let mut len = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            len += 1;
        } else {
            groups.push(len);
            seps.push(c);
            len = 0;
            if groups.len() == 2 {
                break;
            }
        }
    }
    let third: usize = text.split(|c: char| !c.is_ascii_digit()).nth(2).map_or(0, str::len);
    let [a, b] = groups[..] else { return false };
    let [s1, s2] = seps[..] else { return false };
    s1 == s2
        && matches!(s1, '.' | '-' | '/')
        && ((a == 4 && (1..=2).contains(&b) && (1..=2).contains(&third))
            || ((1..=2).contains(&a) && (1..=2).contains(&b) && (third == 2 || third == 4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_recognised() {
        for date in ["01.06.2016", "2016-06-13", "1/6/16", "13.06.2016 12"] {
            assert!(looks_like_date(date), "{date}");
        }
        for number in ["06 12 34 56 78", "020 7946 0958", "555-123-4567", "0171 1234567"] {
            assert!(!looks_like_date(number), "{number}");
        }
    }
}
