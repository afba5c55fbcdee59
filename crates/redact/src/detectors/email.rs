//! E-mail addresses, found from their `@` outwards.

use std::ops::Range;

use regex::Regex;

/// The `@` of an e-mail address, also percent-encoded (URLs) or as an
/// entity (escaped HTML). Addresses are found from their `@` outwards: a
/// pattern for the whole address could start at any word and costs ten
/// times more.
pub(super) const EMAIL_AT: &str = r"@|%40|&#0*64;|(?i:&#x0*40;)";

/// The domain after the `@`: dot-separated labels and an alphabetic or
/// punycode top-level domain. Without the 63-character bounds of DNS
/// labels: a bounded repetition of a Unicode class multiplies the automaton
/// and makes the search several times slower.
pub(super) const EMAIL_DOMAIN: &str =
    r"^(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+(?:\p{L}\p{L}+|(?i:xn--[a-z0-9\-]+))";

/// The longest local part considered; RFC 5321 allows 64 octets, and the
/// bound keeps a text of many `@`s linear.
pub(super) const MAX_LOCAL: usize = 256;

/// Extends an `@` to the address around it: the local part is the run of
/// letters, digits and `._%+-` before it (leading dots dropped), the domain
/// must follow it directly.
pub(super) fn email(hay: &str, at: Range<usize>, domain: &Regex) -> Option<Range<usize>> {
    let is_local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let before_at = hay.get(..at.start)?;
    let mut start = at.start;
    for (i, c) in before_at.char_indices().rev().take(MAX_LOCAL) {
        if !is_local(c) {
            break;
        }
        start = i;
    }
    while hay.get(start..at.start)?.starts_with('.') {
        start += 1;
    }
    if start == at.start {
        return None;
    }
    let domain = domain.find(hay.get(at.end..)?)?;
    Some(start..at.end + domain.end())
}
