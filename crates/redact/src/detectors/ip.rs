//! IPv4 and IPv6 addresses.

use std::net::Ipv6Addr;
use std::ops::Range;

use super::{after, before, is_word};

/// Four dot-separated numbers; [`ipv4`] checks them.
pub(super) const IPV4: &str = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}";

/// Four octets of at most 255, not part of a longer dotted number (a
/// version `1.2.3.4.5`); a four-part version number is indistinguishable
/// and redacted too.
pub(super) fn ipv4(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let text = hay.get(range.clone())?;
    if !text.split('.').all(|octet| octet.parse::<u8>().is_ok()) {
        return None;
    }
    let prev = before(hay, range.start);
    let next = after(hay, range.end);
    let dotted_on = matches!(next, Some('.')) && is_word(after(hay, range.end + 1));
    (!is_word(prev) && prev != Some('.') && !is_word(next) && !dotted_on).then_some(range)
}

/// Hex groups and at least two colons, an IPv4 tail allowed; [`ipv6`]
/// checks them.
pub(super) const IPV6: &str = r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}";

/// What the standard library parses as an IPv6 address, with at least two
/// non-empty groups (`::1` and `::` identify no one, and `::` is common in
/// code), not touching letters, digits or further colons.
pub(super) fn ipv6(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let prev = before(hay, range.start);
    if is_word(prev) || matches!(prev, Some(':' | '.')) {
        return None;
    }
    let mut text = hay.get(range.clone())?;
    if text.parse::<Ipv6Addr>().is_err() {
        text = text.strip_suffix(':').or_else(|| text.strip_suffix('.'))?;
        text.parse::<Ipv6Addr>().ok()?;
    }
    let end = range.start + text.len();
    let next = after(hay, end);
    let colon_on = next == Some(':') && after(hay, end + 1).is_some_and(|c| c.is_ascii_hexdigit());
    let groups = text.split([':', '.']).filter(|g| !g.is_empty()).count();
    (groups >= 2 && !is_word(next) && !colon_on).then_some(range.start..end)
}
