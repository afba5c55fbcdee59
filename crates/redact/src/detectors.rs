//! The built-in detectors: a candidate regular expression each, and a check
//! in code for what a regular expression cannot say (valid octets, digit
//! counts, checksums, the boundaries that the `regex` crate has no
//! look-around for).
//!
//! All run on the NFKC view (see [`crate::view`]), where full-width digits
//! and non-breaking spaces are already plain ASCII.

use std::net::Ipv6Addr;
use std::ops::Range;

use regex::Regex;

use crate::checksum::{is_base58_bitcoin, is_bech32};
use crate::rules::Detector;

/// A detector, compiled.
pub(crate) struct DetectorMatcher {
    detector: Detector,
    scanners: Vec<Scanner>,
    /// [`TOKEN`] and [`TOKEN_PATH`], for the URL check.
    token: Option<Regex>,
    /// [`EMAIL_DOMAIN`], for the e-mail check.
    domain: Option<Regex>,
}

/// One candidate pattern of a detector.
struct Scanner {
    candidate: Regex,
    check: Check,
    /// Strings of which a candidate always holds one (ASCII case aside):
    /// a text without any is skipped without running the pattern, which
    /// for e-mail (whose local part can start anywhere) is most of the
    /// cost.
    needles: &'static [&'static str],
}

/// What accepts (possibly trimming) or rejects each candidate of a scanner.
#[derive(Clone, Copy)]
enum Check {
    Email,
    Word,
    Phone,
    Ipv4,
    Ipv6,
    TokenUrl,
    Token,
    Base58Bitcoin,
    Bech32Bitcoin,
    Onion,
}

impl DetectorMatcher {
    /// Compiles `detector`. The patterns are fixed, so an error here is a
    /// bug in this module, reported rather than panicked on.
    pub(crate) fn new(detector: Detector) -> Result<Self, regex::Error> {
        let specs: &[(&str, Check, &'static [&'static str])] = match detector {
            Detector::Email => &[(EMAIL_AT, Check::Email, &["@", "%40", "&#"])],
            Detector::Phone => &[(PHONE, Check::Phone, &[])],
            Detector::Ip => &[(IPV4, Check::Ipv4, &["."]), (IPV6, Check::Ipv6, &[":"])],
            Detector::TokenUrl => &[(URL, Check::TokenUrl, &["/"]), (TOKEN, Check::Token, &[])],
            Detector::Wallet => &[
                (BASE58_BITCOIN, Check::Base58Bitcoin, &[]),
                (BECH32_BITCOIN, Check::Bech32Bitcoin, &["bc1"]),
                (ETHEREUM, Check::Word, &["0x"]),
                (MONERO, Check::Word, &[]),
            ],
            Detector::Onion => &[(ONION, Check::Onion, &[".onion"])],
        };
        let scanners = specs
            .iter()
            .map(|&(pattern, check, needles)| {
                Ok(Scanner { candidate: Regex::new(pattern)?, check, needles })
            })
            .collect::<Result<_, regex::Error>>()?;
        let token = if detector == Detector::TokenUrl {
            Some(Regex::new(&format!("{TOKEN}|{TOKEN_PATH}"))?)
        } else {
            None
        };
        let domain =
            if detector == Detector::Email { Some(Regex::new(EMAIL_DOMAIN)?) } else { None };
        Ok(DetectorMatcher { detector, scanners, token, domain })
    }

    /// The detector this matches.
    pub(crate) fn detector(&self) -> Detector {
        self.detector
    }

    /// Calls `found` with the byte range of each detected value in `hay`.
    pub(crate) fn find(&self, hay: &str, found: &mut impl FnMut(Range<usize>)) {
        for scanner in &self.scanners {
            if !scanner.needles.is_empty()
                && !scanner.needles.iter().any(|needle| contains_ignoring_case(hay, needle))
            {
                continue;
            }
            let mut at = 0;
            while let Some(m) = scanner.candidate.find_at(hay, at) {
                // A rejected candidate may hide a valid one starting inside
                // it, so the search resumes one character later; except
                // after a URL without a secret, whose suffixes have none
                // either, and which can be as long as the text.
                let mut next = m.start() + char_len(hay, m.start());
                if matches!(scanner.check, Check::TokenUrl) {
                    next = next.max(m.end());
                }
                if let Some(range) = self.check(scanner.check, hay, m.range()) {
                    next = next.max(range.end);
                    found(range);
                }
                if next > hay.len() {
                    break;
                }
                at = next;
            }
        }
    }

    fn check(&self, check: Check, hay: &str, range: Range<usize>) -> Option<Range<usize>> {
        match check {
            Check::Email => email(hay, range, self.domain.as_ref()?),
            Check::Word => word(hay, range),
            Check::Phone => phone(hay, range),
            Check::Ipv4 => ipv4(hay, range),
            Check::Ipv6 => ipv6(hay, range),
            Check::TokenUrl => token_url(hay, range, self.token.as_ref()?),
            Check::Token => token(hay, range),
            Check::Base58Bitcoin => base58_bitcoin(hay, range),
            Check::Bech32Bitcoin => bech32_bitcoin(hay, range),
            Check::Onion => onion(hay, range),
        }
    }
}

/// Whether `hay` contains `needle`, ASCII letters matched in any case.
fn contains_ignoring_case(hay: &str, needle: &str) -> bool {
    if !needle.bytes().any(|b| b.is_ascii_alphabetic()) {
        return hay.contains(needle);
    }
    hay.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn char_len(hay: &str, at: usize) -> usize {
    hay.get(at..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8)
}

fn before(hay: &str, at: usize) -> Option<char> {
    hay.get(..at).and_then(|s| s.chars().next_back())
}

fn after(hay: &str, at: usize) -> Option<char> {
    hay.get(at..).and_then(|s| s.chars().next())
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// The candidate is a whole word: no letter or digit touches either end.
fn word(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    (!is_word(before(hay, range.start)) && !is_word(after(hay, range.end))).then_some(range)
}

/// The `@` of an e-mail address, also percent-encoded (URLs) or as an
/// entity (escaped HTML). Addresses are found from their `@` outwards: a
/// pattern for the whole address could start at any word and costs ten
/// times more.
const EMAIL_AT: &str = r"@|%40|&#0*64;|(?i:&#x0*40;)";

/// The domain after the `@`: dot-separated labels and an alphabetic or
/// punycode top-level domain. Without the 63-character bounds of DNS
/// labels: a bounded repetition of a Unicode class multiplies the automaton
/// and makes the search several times slower.
const EMAIL_DOMAIN: &str =
    r"^(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+(?:\p{L}\p{L}+|(?i:xn--[a-z0-9\-]+))";

/// The longest local part considered; RFC 5321 allows 64 octets, and the
/// bound keeps a text of many `@`s linear.
const MAX_LOCAL: usize = 256;

/// Extends an `@` to the address around it: the local part is the run of
/// letters, digits and `._%+-` before it (leading dots dropped), the domain
/// must follow it directly.
fn email(hay: &str, at: Range<usize>, domain: &Regex) -> Option<Range<usize>> {
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

/// Phone numbers. International: `+`, country code, then digit groups with
/// optional single separators (space, dot, dash) and parentheses. National,
/// only in shapes that ordinary numbers rarely take: a parenthesised area
/// code (`(555) 123-4567`), the North American 3-3-4 grouping with
/// separators (`555-123-4567`, optionally after `1-`), or a trunk `0` then
/// separated groups (`06 12 34 56 78`, `020 7946 0958`). See [`phone`] for
/// the digit counts and the date exclusion.
const PHONE: &str = r"\+\d{1,3}(?:[ .\-]?\(?\d{1,6}\)?){1,8}|\(\d{2,5}\)[ .\-]?\d{2,5}(?:[ .\-]\d{2,5}){0,3}|(?:1[ .\-])?[2-9]\d{2}[ .\-]\d{3}[ .\-]\d{4}|0\d{1,4}(?:[ .\-]\d{2,8}){1,5}";

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
fn phone(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let start = range.start;
    let international = hay.get(start..)?.starts_with('+');
    let prev = before(hay, start);
    if is_word(prev) || (!international && matches!(prev, Some('.' | '-' | '/' | '+'))) {
        return None;
    }
    let is_sep = |c: char| matches!(c, ' ' | '.' | '-' | '(' | ')');
    let digits = |r: &str| r.bytes().filter(u8::is_ascii_digit).count();
    let mut end = range.end;
    let mut trimmed = false;
    let maximum = if hay.get(start..)?.starts_with("+1") { 11 } else { 15 };
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
fn looks_like_date(text: &str) -> bool {
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

const IPV4: &str = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}";

/// Four octets of at most 255, not part of a longer dotted number (a
/// version `1.2.3.4.5`); a four-part version number is indistinguishable
/// and redacted too.
fn ipv4(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let text = hay.get(range.clone())?;
    if !text.split('.').all(|octet| octet.parse::<u8>().is_ok()) {
        return None;
    }
    let prev = before(hay, range.start);
    let next = after(hay, range.end);
    let dotted_on = matches!(next, Some('.')) && is_word(after(hay, range.end + 1));
    (!is_word(prev) && prev != Some('.') && !is_word(next) && !dotted_on).then_some(range)
}

const IPV6: &str = r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}";

/// What the standard library parses as an IPv6 address, with at least two
/// non-empty groups (`::1` and `::` identify no one, and `::` is common in
/// code), not touching letters, digits or further colons.
fn ipv6(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
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

/// A URL: with a scheme, or a bare host with a path (`example.com/reset?..`).
const URL: &str = r#"(?i)(?:https?|wss?|ftps?)://[^\s<>"`]+|(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,24}(?::\d{1,5})?/[^\s<>"`]*"#;

/// Well-known credential formats, case-sensitive, by their prefix and
/// shortest length: Slack, GitHub, GitLab, AWS access key ids, Google API
/// keys, Stripe keys, JWTs, Telegram bot tokens. [`token`] takes the rest.
const TOKEN: &str = r"xox[abpre]-[0-9A-Za-z\-]{10}|gh[pousr]_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{22}|glpat-[0-9A-Za-z_\-]{20}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{35}|[sr]k_(?:live|test)_[0-9A-Za-z]{16}|eyJ[0-9A-Za-z_\-]{8,}\.eyJ[0-9A-Za-z_\-]{8}|\d{8,10}:AA[0-9A-Za-z_\-]{33}";

/// URL paths that are credentials themselves: Slack and Discord webhooks,
/// the Telegram bot API.
const TOKEN_PATH: &str = r"(?i:hooks\.slack\.com/(?:services|workflows)/|discord(?:app)?\.com/api/webhooks/\d|api\.telegram\.org/(?:file/)?bot\d)";

/// A token candidate extended over the rest of the token (letters, digits,
/// `_`, `-`, and for a JWT the dots between its parts). Accepted even when
/// glued to a word: a key pasted without a space is still a key.
fn token(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let jwt = hay.get(range.clone())?.starts_with("eyJ");
    let rest = hay.get(range.end..)?;
    let is_token = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || (jwt && c == '.');
    let more = rest.find(|c: char| !is_token(c)).unwrap_or(rest.len());
    let whole = hay.get(range.start..range.end + more)?.trim_end_matches('.');
    Some(range.start..range.start + whole.len())
}

/// Accepts a URL (trailing punctuation trimmed) that carries a secret:
/// a password in its user info, a query or fragment parameter named like a
/// credential (see [`is_secret_param`]), or a value of a well-known token
/// format anywhere in it.
fn token_url(hay: &str, range: Range<usize>, token: &Regex) -> Option<Range<usize>> {
    let url = trim_url(hay.get(range.clone())?);
    let carries = has_password(url)
        || params(url).any(|(name, value)| is_secret_param(name, value))
        || token.is_match(url);
    carries.then_some(range.start..range.start + url.len())
}

/// `url` without the punctuation that ends the sentence around it, and
/// without closing brackets it did not open.
fn trim_url(mut url: &str) -> &str {
    loop {
        let Some(last) = url.chars().next_back() else { return url };
        let unbalanced = |open: char, close: char| {
            last == close && url.matches(open).count() < url.matches(close).count()
        };
        let trim = matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*')
            || unbalanced('(', ')')
            || unbalanced('[', ']')
            || unbalanced('{', '}');
        if !trim {
            return url;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
}

fn has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .and_then(|(info, _)| info.split_once(':'))
        .is_some_and(|(_, password)| !password.is_empty())
}

/// `(name, value)` of each query and fragment parameter, `&amp;`
/// separators (from HTML) understood.
fn params(url: &str) -> impl Iterator<Item = (&str, &str)> {
    let tail = url.find(['?', '#']).map_or("", |i| &url[i + 1..]);
    tail.split(['&', ';', '#', '?']).filter_map(|pair| {
        let pair = pair.strip_prefix("amp;").unwrap_or(pair);
        let (name, value) = pair.split_once('=')?;
        Some((name, value))
    })
}

/// A parameter name that carries a credential: one of the usual names, or
/// containing `token`, `secret`, `passw`, `signature`, `apikey`, `api_key`
/// or `session`; with a non-empty value. `t` is also YouTube's start time,
/// so `t=90`, `t=1m30s` are not secrets.
fn is_secret_param(name: &str, value: &str) -> bool {
    const NAMES: &[&str] = &[
        "t",
        "key",
        "auth",
        "code",
        "pwd",
        "pass",
        "sig",
        "sid",
        "jwt",
        "otp",
        "ticket",
        "x-amz-credential",
        "x-goog-credential",
    ];
    const PARTS: &[&str] =
        &["token", "secret", "passw", "signature", "apikey", "api_key", "api-key", "session"];
    if value.is_empty() {
        return false;
    }
    let name = name.to_ascii_lowercase();
    if name == "t"
        && value.starts_with(|c: char| c.is_ascii_digit())
        && value.chars().all(|c| c.is_ascii_digit() || "hms".contains(c))
    {
        return false;
    }
    NAMES.contains(&name.as_str()) || PARTS.iter().any(|part| name.contains(part))
}

const BASE58_BITCOIN: &str = r"[13][1-9A-HJ-NP-Za-km-z]{25,34}";

fn base58_bitcoin(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let range = word(hay, range)?;
    is_base58_bitcoin(hay.get(range.clone())?).then_some(range)
}

const BECH32_BITCOIN: &str = r"(?i)bc1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,87}";

fn bech32_bitcoin(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let range = word(hay, range)?;
    is_bech32(hay.get(range.clone())?, "bc").then_some(range)
}

/// An Ethereum address: `0x` and 40 hex digits, as a whole word.
const ETHEREUM: &str = r"0x[0-9a-fA-F]{40}";

/// A Monero address: `4` or `8` and 94 more base58 characters (standard
/// and subaddresses), or 105 more (integrated), as a whole word. Without a
/// Keccak checksum check: nothing else is that long and that base58.
const MONERO: &str = r"[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?";

/// An onion host (v2: 16, v3: 56 base32 characters, with any subdomains),
/// with an optional scheme, port and path.
const ONION: &str = r"(?i)(?:(?:https?|wss?)://)?(?:[a-z0-9\-]+\.)*(?:[a-z2-7]{56}|[a-z2-7]{16})\.onion(?::\d{1,5})?";

fn onion(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let prev = before(hay, range.start);
    let next = after(hay, range.end);
    if is_word(prev) || matches!(prev, Some('.' | '-')) || is_word(next) || next == Some('-') {
        return None;
    }
    // The path is taken here rather than in the pattern, so that rejected
    // candidates do not each run to the end of a long text.
    if next != Some('/') {
        return Some(range);
    }
    let rest = hay.get(range.end..)?;
    let path_len =
        rest.find(|c: char| c.is_whitespace() || "<>\"`".contains(c)).unwrap_or(rest.len());
    let with_path = trim_url(hay.get(range.start..range.end + path_len)?);
    Some(range.start..range.start + with_path.len())
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

    #[test]
    fn url_trimming_keeps_balanced_brackets() {
        assert_eq!(trim_url("https://x.org/a_(b)."), "https://x.org/a_(b)");
        assert_eq!(trim_url("https://x.org/a)"), "https://x.org/a");
        assert_eq!(trim_url("https://x.org/?q=1',"), "https://x.org/?q=1");
    }

    #[test]
    fn secret_params() {
        assert!(is_secret_param("access_token", "abc"));
        assert!(is_secret_param("X-Amz-Signature", "abc"));
        assert!(is_secret_param("t", "a1b2c3"));
        assert!(!is_secret_param("t", "1m30s"));
        assert!(!is_secret_param("token", ""));
        assert!(!is_secret_param("lang", "en"));
    }
}
