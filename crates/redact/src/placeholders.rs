//! Numbered placeholders for detected values, so that a redacted
//! conversation still tells one address from another: `[email 1]` wrote to
//! `[email 2]`, and `[email 1]` again later.

use std::collections::HashMap;
use std::net::IpAddr;

use unicode_normalization::UnicodeNormalization;

use crate::rules::Detector;

/// The numbers given to detected values within one publication or export:
/// each distinct value gets the next number of its detector, in the order
/// values are first redacted, and keeps it. Values are the same when they
/// are the same address however written (see [`Placeholders::identity`]).
///
/// One `Placeholders` per output run, passed to every
/// [`Redactor::text_numbered`](crate::Redactor::text_numbered) call of that
/// run in output order, makes the numbering the same wherever the run
/// writes a value and the same in every run over the same messages.
#[derive(Clone, Debug, Default)]
pub struct Placeholders {
    numbers: HashMap<(Detector, String), usize>,
    counts: HashMap<Detector, usize>,
}

impl Placeholders {
    /// No value numbered yet.
    pub fn new() -> Self {
        Placeholders::default()
    }

    /// The placeholder of `value` found by `detector`: `[email 1]` for the
    /// first e-mail address, `[email 2]` for the second, `[email 1]` again
    /// for the first in another spelling.
    pub fn of(&mut self, detector: Detector, value: &str) -> String {
        let key = (detector, Placeholders::identity(detector, value));
        let next = self.counts.get(&detector).copied().unwrap_or(0) + 1;
        let number = *self.numbers.entry(key).or_insert_with(|| {
            self.counts.insert(detector, next);
            next
        });
        format!("[{} {number}]", detector.name())
    }

    /// How many distinct values of `detector` have been numbered.
    pub fn count(&self, detector: Detector) -> usize {
        self.counts.get(&detector).copied().unwrap_or(0)
    }

    /// What makes two detected values the same, in NFKC (full-width digits
    /// are digits): an e-mail address in lower case with an encoded `@`
    /// decoded; a phone number's digits; an IP address as the standard
    /// library prints it (`0:0::1` is `::1`); an onion address's service
    /// label in lower case (the same hidden service under any scheme, port
    /// or path); an Ethereum or segwit address in lower case (their
    /// letters' case is not part of the address). Token URLs and base58
    /// addresses are compared as written: their case matters.
    pub fn identity(detector: Detector, value: &str) -> String {
        let value: String = value.nfkc().collect();
        match detector {
            Detector::Email => decode_at(&value.to_lowercase()),
            Detector::Phone => value.chars().filter(char::is_ascii_digit).collect(),
            Detector::Ip => match value.parse::<IpAddr>() {
                Ok(ip) => ip.to_string(),
                Err(_) => value.to_lowercase(),
            },
            Detector::Onion => onion_label(&value.to_lowercase()),
            Detector::Wallet => {
                let lower = value.to_lowercase();
                if lower.starts_with("0x") || lower.starts_with("bc1") { lower } else { value }
            }
            Detector::TokenUrl => value,
        }
    }
}

/// `lower` with `%40` and `&#64;` / `&#x40;` (any zero padding) as `@`.
fn decode_at(lower: &str) -> String {
    let mut out = String::with_capacity(lower.len());
    let mut rest = lower;
    while let Some(at) = rest.find(['%', '&']) {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let entity = tail.strip_prefix("&#").and_then(|t| {
            let (body, after) = t.split_once(';')?;
            let number = match body.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => body.parse::<u32>().ok()?,
            };
            (number == 0x40).then_some(after)
        });
        match tail.strip_prefix("%40").or(entity) {
            Some(after) => {
                out.push('@');
                rest = after;
            }
            None => {
                out.push_str(tail.get(..1).unwrap_or_default());
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// The label before `.onion` in an onion address or URL.
fn onion_label(lower: &str) -> String {
    let Some(end) = lower.rfind(".onion") else { return lower.to_string() };
    let host = lower.get(..end).unwrap_or_default();
    let label = host.rsplit(['.', '/']).next().unwrap_or(host);
    label.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_value_however_written_gets_one_number() {
        let mut numbers = Placeholders::new();
        assert_eq!(numbers.of(Detector::Email, "Jane.Doe@Example.org"), "[email 1]");
        assert_eq!(numbers.of(Detector::Email, "karl@example.net"), "[email 2]");
        assert_eq!(numbers.of(Detector::Email, "jane.doe%40example.org"), "[email 1]");
        assert_eq!(numbers.of(Detector::Email, "JANE.DOE&#x40;EXAMPLE.ORG"), "[email 1]");
        assert_eq!(numbers.of(Detector::Email, "jane.doe&#064;example.org"), "[email 1]");
        assert_eq!(numbers.of(Detector::Phone, "+44 7700 900123"), "[phone 1]");
        assert_eq!(numbers.of(Detector::Phone, "+44-7700-900-123"), "[phone 1]");
        assert_eq!(numbers.of(Detector::Phone, "＋４４ ７７００ ９００１２３"), "[phone 1]");
        assert_eq!(numbers.of(Detector::Ip, "2001:DB8:0:0::1"), "[ip 1]");
        assert_eq!(numbers.of(Detector::Ip, "2001:db8::1"), "[ip 1]");
        assert_eq!(numbers.of(Detector::Ip, "10.0.0.1"), "[ip 2]");
        let onion = "expyuzz4wqqyqhjn";
        assert_eq!(numbers.of(Detector::Onion, &format!("http://{onion}.onion/drop")), "[onion 1]");
        assert_eq!(
            numbers.of(Detector::Onion, &format!("{}.ONION", onion.to_uppercase())),
            "[onion 1]"
        );
        assert_eq!(numbers.of(Detector::TokenUrl, "https://x.org/?token=Ab"), "[token-url 1]");
        assert_eq!(numbers.of(Detector::TokenUrl, "https://x.org/?token=aB"), "[token-url 2]");
        let eth = "0x52908400098527886E0F7030069857D2E4169EE7";
        assert_eq!(numbers.of(Detector::Wallet, eth), "[wallet 1]");
        assert_eq!(numbers.of(Detector::Wallet, &eth.to_lowercase()), "[wallet 1]");
        assert_eq!(
            numbers.of(Detector::Wallet, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
            "[wallet 2]"
        );
        assert_eq!(
            (
                numbers.count(Detector::Email),
                numbers.count(Detector::Ip),
                numbers.count(Detector::Onion)
            ),
            (2, 2, 1)
        );
    }

    #[test]
    fn stray_percent_and_ampersand_signs_stay() {
        assert_eq!(decode_at("a%4&#6;%40&#x40b"), "a%4&#6;@&#x40b");
    }
}
