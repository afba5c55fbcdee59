//! Which reader fits an input.

use crate::{Format, Input, ReadError};

/// How sure a reader is that an input is its format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Not this format.
    No,
    /// Could be (a generic format that fits, e.g. a `.csv`).
    Maybe,
    /// Unmistakably this format (a signature in names or first bytes).
    Certain,
}

static FORMATS: &[&dyn Format] = &[
    &crate::twitter::Twitter,
    &crate::telegram::Telegram,
    &crate::whatsapp::WhatsApp,
    &crate::slack::Slack,
    &crate::discord::Discord,
    &crate::messenger::Messenger,
    &crate::messenger::Instagram,
    &crate::signal::Signal,
    &crate::rsmf::Rsmf,
    &crate::matrix::Matrix,
    &crate::jabber::Jabber,
    &crate::rocketchat::RocketChat,
    &crate::irc::Irc,
    &crate::template::Template,
    &crate::transcript::Csv,
    &crate::transcript::Jsonl,
];

/// Every known format, in detection order.
pub fn formats() -> &'static [&'static dyn Format] {
    FORMATS
}

/// The format called `name` (`--format`).
pub fn detect_named(name: &str) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.name() == name)
}

/// Picks the reader for `input`: the single most confident one. Ties and
/// no match are errors that name the candidates.
pub fn detect(input: &Input) -> Result<&'static dyn Format, ReadError> {
    let file = input.path().display().to_string();
    let mut scored: Vec<(Confidence, &'static dyn Format)> =
        FORMATS.iter().map(|f| (f.sniff(input), *f)).filter(|(c, _)| *c > Confidence::No).collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    match scored.as_slice() {
        [] => Err(ReadError::Detect {
            file,
            reason: format!(
                "no reader recognises this input (known formats: {}); name one with --format",
                FORMATS.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            ),
        }),
        [(best, format), rest @ ..] => {
            let tied: Vec<&str> =
                rest.iter().filter(|(c, _)| c == best).map(|(_, f)| f.name()).collect();
            if tied.is_empty() {
                Ok(*format)
            } else {
                Err(ReadError::Detect {
                    file,
                    reason: format!(
                        "ambiguous input: it could be {} or {}; choose with --format",
                        format.name(),
                        tied.join(" or ")
                    ),
                })
            }
        }
    }
}
