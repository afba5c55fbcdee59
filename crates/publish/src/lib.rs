//! What leaves a case: the static excerpt site with its `manifest.json`, and
//! CSV, JSONL and RSMF exports.
//!
//! Everything here works on [`OutMessage`]s: messages as they will be
//! written, already passed through the case's redaction rules by the caller
//! (the app facade), plus the provenance that lets anyone holding the
//! archive check what was quoted. This crate does no redaction and reads no
//! case; it only writes.

pub mod manifest;
pub mod markdown;
pub mod rsmf;
pub mod site;
pub mod tabular;

use serde::Serialize;

/// A message (or event) as it will be written out, redactions applied.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutMessage {
    /// trove's stable message id (the citation id).
    pub id: String,
    /// The platform's own id, where the format has one.
    pub native_id: Option<String>,
    /// `message` or `event`.
    pub kind: String,
    /// For events: `join`, `leave`, `rename`, ... (the store's event kind).
    pub event: Option<String>,
    /// Platform name (`twitter`, `telegram`, ...).
    pub platform: String,
    /// The conversation's id as output (stable within one export).
    pub conversation_id: String,
    /// The conversation's display name (redacted).
    pub conversation: String,
    /// The sender's id as output (a pseudonym's id when pseudonymised).
    pub sender_id: Option<String>,
    /// The sender as shown (name, or pseudonym).
    pub sender: Option<String>,
    /// UTC milliseconds since the epoch.
    pub sent_at_ms: i64,
    /// When the source's time carried no zone: the zone it was read in
    /// (`UTC`, `Europe/Moscow`) or `unknown`. Every output says so.
    pub zone_assumed: Option<String>,
    /// The text (redacted).
    pub text: String,
    /// The id of the message this one replies to, if any (trove id).
    pub reply_to: Option<String>,
    /// Attachments (names redacted).
    pub attachments: Vec<OutAttachment>,
    /// Where the original came from.
    pub provenance: Provenance,
}

/// An attachment as output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutAttachment {
    /// File name (redacted).
    pub name: String,
    /// Size in bytes, when known.
    pub size: Option<u64>,
    /// SHA-256 of the file, when the export held it.
    pub sha256: Option<String>,
}

/// Where a message came from, for verification. Deliberately without the
/// source's path, which can name private places or people.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// SHA-256 of the source file.
    pub source_sha256: String,
    /// The record's locator in the source (`entry@offset+length…`).
    pub locator: String,
    /// SHA-256 of the message's original (unredacted) text, so a holder of
    /// the archive can check the quote without the text being published.
    pub text_sha256: String,
}
