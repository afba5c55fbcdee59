//! Redaction and pseudonymisation, applied only on output.
//!
//! Evidence never changes: a case stores *rules*, and everything that leaves
//! trove (published pages, exports) passes through a [`Redactor`] built from
//! them. A rule is one of
//!
//! - a **person** (names, account ids and handles) shown as a pseudonym
//!   ("Participant 3" by default) wherever it appears: as a sender, in
//!   text, in @mentions, in URLs holding the handle, in attachment names;
//! - an exact **string** (matched case-insensitively, anywhere, inside
//!   words too);
//! - a **regular expression**;
//! - a built-in **detector** (e-mail, phone, IP address, token-bearing URL,
//!   crypto wallet, onion address), each match replaced with `[email]`, or
//!   through [`Redactor::text_numbered`] with a placeholder numbered per
//!   distinct value (`[email 1]`, `[email 2]`) that stays the same across
//!   one publication.
//!
//! [`variants()`] lists the spellings under which a redacted value could still
//! leak (case, URL-encoding, HTML entities, Unicode normalisation forms), for
//! the leak-scan tests of every output.
//!
//! Matching errs on the side of hiding: person values and strings are
//! matched in all those spellings too, in any case, accents folded;
//! overlapping matches merge; strings hit inside words. Person values hit
//! only as whole words (no letter or digit on either side, `_` being no
//! letter), so a leak scan for a person should apply the same boundaries,
//! or a name like `Al` will "leak" in `Also`; [`Redactor::hits`] run over
//! an output is such a scan.
//!
//! ```
//! use trove_redact::{Detector, PersonRule, Redactor, Rules};
//!
//! let rules = Rules {
//!     persons: vec![PersonRule {
//!         names: vec!["Jane Doe".into()],
//!         handles: vec!["@jdoe".into()],
//!         ..PersonRule::default()
//!     }],
//!     detectors: vec![Detector::Email],
//!     ..Rules::default()
//! };
//! let redactor = Redactor::new(&rules)?;
//! assert_eq!(
//!     redactor.text("JANE  doe (@jdoe) wrote to x@example.org"),
//!     "Participant 1 (@Participant 1) wrote to [email]"
//! );
//! # Ok::<(), trove_redact::RedactError>(())
//! ```

mod detectors;
mod identity;
mod literals;
mod placeholders;
mod redactor;
mod rules;
mod variants;
mod view;

pub use identity::MIN_WORD_CHARS;
pub use placeholders::Placeholders;
pub use redactor::Redactor;
pub use rules::{
    Detector, Hit, PersonRule, PersonValue, REDACTED, Reach, RedactError, RuleKind, RuleRef, Rules,
    UnknownDetector,
};
pub use variants::variants;
