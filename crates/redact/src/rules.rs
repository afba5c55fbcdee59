//! The rules a case stores, and what the redactor reports back about them.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// What text and regular-expression rules are replaced with.
pub const REDACTED: &str = "[redacted]";

/// The kind of a rule. The order is the tie-break when two overlapping hits
/// are equally long: a person's pseudonym reads better than `[redacted]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKind {
    /// A [`PersonRule`].
    Person,
    /// An entry of [`Rules::texts`].
    Text,
    /// An entry of [`Rules::regexes`].
    Regex,
    /// An entry of [`Rules::detectors`].
    Detector,
}

/// One rule of a [`Rules`]: its kind and its index in the list of that kind
/// (for detectors, the index in [`Rules::detectors`], not in
/// [`Detector::ALL`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef {
    /// Which list the rule is in.
    pub kind: RuleKind,
    /// Its index in that list.
    pub index: usize,
}

/// A built-in detector of values that identify people or grant access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detector {
    /// E-mail addresses, also with a percent- or entity-encoded `@`.
    Email,
    /// Phone numbers in international and common national formats.
    Phone,
    /// IPv4 and IPv6 addresses.
    Ip,
    /// URLs carrying credentials or tokens, and bare API tokens.
    TokenUrl,
    /// Bitcoin, Ethereum and Monero addresses.
    Wallet,
    /// Tor `.onion` addresses (v2 and v3), with any scheme and path.
    Onion,
}

impl Detector {
    /// Every detector, in the order they are documented.
    pub const ALL: [Detector; 6] = [
        Detector::Email,
        Detector::Phone,
        Detector::Ip,
        Detector::TokenUrl,
        Detector::Wallet,
        Detector::Onion,
    ];

    /// The stable name stored in cases and accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Detector::Email => "email",
            Detector::Phone => "phone",
            Detector::Ip => "ip",
            Detector::TokenUrl => "token-url",
            Detector::Wallet => "wallet",
            Detector::Onion => "onion",
        }
    }

    /// What a detected value is replaced with: the name in brackets, so a
    /// reader still knows what kind of value was there.
    pub fn replacement(self) -> &'static str {
        match self {
            Detector::Email => "[email]",
            Detector::Phone => "[phone]",
            Detector::Ip => "[ip]",
            Detector::TokenUrl => "[token-url]",
            Detector::Wallet => "[wallet]",
            Detector::Onion => "[onion]",
        }
    }
}

impl fmt::Display for Detector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A detector name that is not one of [`Detector::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDetector(pub String);

impl fmt::Display for UnknownDetector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Detector::ALL.iter().map(|d| d.name()).collect();
        write!(f, "unknown detector {:?} (known: {})", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownDetector {}

impl FromStr for Detector {
    type Err = UnknownDetector;

    /// Case-insensitive, surrounding whitespace ignored, `_` accepted for `-`
    /// (`token_url`), since names are typed by hand on the command line.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Detector::ALL
            .into_iter()
            .find(|d| d.name() == wanted)
            .ok_or_else(|| UnknownDetector(s.to_string()))
    }
}

/// A person to pseudonymise: every name, account id and handle (without or
/// with leading `@`) it is known by.
///
/// Each listed value is matched on its own, case-insensitively and at word
/// boundaries; parts of a name (a first name alone) are not, since that
/// would hit unrelated people. List every spelling that should go. What
/// an address implies is added: see [`PersonRule::values`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonRule {
    /// What the person is shown as. When blank, `Participant N`, N being the
    /// rule's position in [`Rules::persons`] counted from 1.
    pub pseudonym: String,
    /// Display and real names (`Jane Doe`, `Jane M. Doe`).
    pub names: Vec<String>,
    /// Account ids as the platform stores them (`123456789`,
    /// `+15551234567`, `jdoe@example.com`).
    pub ids: Vec<String>,
    /// Handles, with or without the leading `@`.
    pub handles: Vec<String>,
}

impl PersonRule {
    /// Every value this rule redacts, with how far each reaches: the
    /// names, ids and handles as listed (a handle without its leading
    /// `@`), then the name chat shows for each that is an address (the
    /// local part of `boss@example.onion`, of a Matrix id
    /// `@boss:matrix.example.org`, the nick of a group-chat occupant
    /// `room@conference.example.onion/boss`), unless listed already. A
    /// local part shorter than [`MIN_WORD_CHARS`](crate::MIN_WORD_CHARS)
    /// characters only reaches [`Reach::Marked`] places. Blank values are
    /// left out.
    pub fn values(&self) -> Vec<PersonValue> {
        crate::identity::person_values(self)
    }
}

/// Where in a text a person's value is redacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reach {
    /// Anywhere as a whole word: no letter or digit on either side.
    Word,
    /// Only where chat marks it as a name, as a whole word there: after
    /// `@` or `<` (`@jo`, `<jo>`, also `<@jo>` and the other IRC mode
    /// prefixes `+ % & ~ !`), after a `*` opening a line (`* jo waves`),
    /// and opening a line before `:` or `,` (`jo: hi`). For short local
    /// parts, which as plain words would hit ordinary text.
    Marked,
}

/// One value of a [`PersonRule`], as [`PersonRule::values`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonValue {
    /// The value as listed, or the local part as it is written in `from`.
    pub value: String,
    /// Where it is redacted.
    pub reach: Reach,
    /// For a local part, the listed value it comes from.
    pub from: Option<String>,
}

/// Everything a case redacts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// People shown as pseudonyms.
    pub persons: Vec<PersonRule>,
    /// Exact strings, replaced with [`REDACTED`] wherever they occur.
    pub texts: Vec<String>,
    /// Regular expressions (`regex` crate syntax), matches replaced with
    /// [`REDACTED`].
    pub regexes: Vec<String>,
    /// Built-in detectors, each match replaced with
    /// [`Detector::replacement`].
    pub detectors: Vec<Detector>,
}

/// Why a [`Rules`] could not be compiled into a
/// [`Redactor`](crate::Redactor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedactError {
    /// A regular-expression rule does not parse.
    InvalidRegex {
        /// Its index in [`Rules::regexes`].
        index: usize,
        /// The rule as given.
        pattern: String,
        /// The `regex` crate's explanation.
        message: String,
    },
    /// A regular-expression rule can match the empty string, which would
    /// either insert `[redacted]` between every character or hide which
    /// text it was meant for.
    EmptyMatch {
        /// Its index in [`Rules::regexes`].
        index: usize,
        /// The rule as given.
        pattern: String,
    },
    /// A rule compiles to an automaton above the size limit (thousands of
    /// spellings in one rule).
    TooLarge {
        /// The rule.
        rule: RuleRef,
        /// The `regex` crate's explanation.
        message: String,
    },
}

impl fmt::Display for RedactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedactError::InvalidRegex { index, pattern, message } => {
                write!(f, "regex rule {index} ({pattern:?}) is invalid: {message}")
            }
            RedactError::EmptyMatch { index, pattern } => write!(
                f,
                "regex rule {index} ({pattern:?}) can match the empty string; \
                 make it require at least one character"
            ),
            RedactError::TooLarge { rule, message } => {
                write!(f, "{:?} rule {} is too large to compile: {message}", rule.kind, rule.index)
            }
        }
    }
}

impl std::error::Error for RedactError {}

/// One match of one rule, for previews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Byte range in the text given to
    /// [`Redactor::hits`](crate::Redactor::hits); always on char boundaries.
    pub range: Range<usize>,
    /// The rule that matched.
    pub rule: RuleRef,
    /// What the matched text is replaced with.
    pub replacement: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detector_names_round_trip() {
        for d in Detector::ALL {
            assert_eq!(d.to_string().parse::<Detector>(), Ok(d));
        }
        assert_eq!(" Token_URL ".parse::<Detector>(), Ok(Detector::TokenUrl));
        let err = "mail".parse::<Detector>().unwrap_err();
        assert!(err.to_string().contains("token-url"), "{err}");
    }
}
