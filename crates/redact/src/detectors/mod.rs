//! The built-in detectors: a candidate regular expression each, and a check
//! in code for what a regular expression cannot say (valid octets, digit
//! counts, checksums, the boundaries that the `regex` crate has no
//! look-around for).
//!
//! All run on the NFKC view (see [`crate::view`]), where full-width digits
//! and non-breaking spaces are already plain ASCII.

mod checksum;
mod email;
mod ip;
mod phone;
mod urls;
mod wallets;

use std::ops::Range;

use regex::Regex;

use crate::rules::Detector;
use email::{EMAIL_AT, EMAIL_DOMAIN, email};
use ip::{IPV4, IPV6, ipv4, ipv6};
use phone::{PHONE, phone};
use urls::{ONION, TOKEN, TOKEN_PATH, URL, onion, token, token_url};
use wallets::{BASE58_BITCOIN, BECH32_BITCOIN, ETHEREUM, MONERO, base58_bitcoin, bech32_bitcoin};

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

pub(super) fn char_len(hay: &str, at: usize) -> usize {
    hay.get(at..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8)
}

pub(super) fn before(hay: &str, at: usize) -> Option<char> {
    hay.get(..at).and_then(|s| s.chars().next_back())
}

pub(super) fn after(hay: &str, at: usize) -> Option<char> {
    hay.get(at..).and_then(|s| s.chars().next())
}

pub(super) fn is_word(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// The candidate is a whole word: no letter or digit touches either end.
pub(super) fn word(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    (!is_word(before(hay, range.start)) && !is_word(after(hay, range.end))).then_some(range)
}
