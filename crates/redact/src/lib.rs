//! Redaction and pseudonymisation, applied only on output.
//!
//! Evidence never changes: a case stores *rules*, and everything that leaves
//! trove (published pages, exports) passes through a [`Redactor`] built from
//! them. A rule is one of
//!
//! - a **person** (names, account ids and handles) shown as a pseudonym
//!   ("Participant 3" by default) wherever it appears: as a sender, in
//!   text, in @mentions, in URLs holding the handle, in attachment names;
//! - an exact **string** (matched case-insensitively, whole);
//! - a **regular expression**;
//! - a built-in **detector** (e-mail, phone, IP address, token-bearing URL,
//!   crypto wallet, onion address).
//!
//! [`variants`] lists the spellings under which a redacted value could still
//! leak (case, URL-encoding, HTML entities, Unicode normalisation forms), for
//! the leak-scan tests of every output.

// The implementation lands in the modules below.
