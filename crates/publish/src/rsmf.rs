//! RSMF 2.0 export: an EML file carrying `rsmf.zip` (the manifest and the
//! attachments' stand-ins), as Relativity's Short Message Format defines.
//!
//! The file is an RFC 5322 e-mail (CRLF lines) with `X-RSMF-Version:
//! 2.0.0`, `X-RSMF-Generator`, `X-RSMF-BeginDate`/`X-RSMF-EndDate`,
//! `X-RSMF-EventCount`, `X-RSMF-AttachmentCount`, `X-RSMF-Application` and
//! `X-RSMF-Participants`; a quoted-printable `text/plain` summary; and
//! exactly one attachment, `rsmf.zip` in base64, holding
//! `rsmf_manifest.json` and one placeholder file per attachment.
//!
//! Decisions:
//! - **One event per [`OutMessage`], in input order.** `type` is `message`,
//!   `join` or `leave`; every other event kind is `unknown`, the kind kept
//!   in `custom` as `event_kind`. `id` is trove's citation id; `body` the
//!   (redacted) text, left out when empty.
//! - **Times** are RFC 3339 UTC with `Z` (RSMF producers often omit the
//!   zone, which leaves readers guessing), with milliseconds only when not
//!   zero. An instant outside the years 0000–9999 is an error rather than a
//!   silently wrong date.
//! - **Participants** are the distinct (sender id, sender name) pairs; the
//!   id is the sender id (the name when there is none). A sender id seen
//!   under two names yields two participants, the second `id~2`, so that
//!   every event keeps the name it was sent under. A message without sender
//!   has no `participant`.
//! - **Conversations** by conversation id, with the first message's name
//!   and platform (`unknown` when empty: the schema requires one), and the
//!   participants seen in each.
//! - **Replies:** `parent` is set only when the replied-to message is in the
//!   same conversation of this export (the schema's cross-reference rule);
//!   otherwise the id is kept in `custom` as `reply_to_not_exported`.
//! - **Attachments:** trove exports no attachment bytes, but the schema
//!   says an attachment's `id` names a file in `rsmf.zip` and readers
//!   (trove's own included) report a missing one. Each attachment is
//!   therefore a small text file `attachment-<event>-<n>.txt` saying that
//!   the content was not exported and naming the original (name, size,
//!   SHA-256, message, source). The manifest's `display` is the original
//!   name and `size` the original size, as the viewer shows them; the
//!   SHA-256 is also in the event's `custom` as `attachment_<n>_sha256`.
//!   A display ending in `.png`/`.jpg` makes viewers try to show the
//!   placeholder inline: a broken image that says what it stands for.
//! - **Provenance** in every event's `custom`: `native_id`,
//!   `source_sha256`, `locator`, `text_sha256` (empty values left out: the
//!   schema wants non-empty strings), so a reviewer can trace each quote.
//! - **Headers** never carry raw data: control characters (CR, LF) become
//!   spaces, non-ASCII is written as RFC 2047 encoded-words, long values
//!   are folded. The boundary starts with `=_`, which neither base64 nor
//!   quoted-printable can produce, and ends with part of the SHA-256 of
//!   `rsmf.zip`; with the zip's times taken from
//!   [`RsmfOptions::created_at_ms`], the same input gives the same bytes.
//! - trove's reader accepts an `rsmf.zip` of up to `max_record_bytes`
//!   (64 MiB by default); a larger export should be split by the caller.

mod mail;
mod manifest;
mod time;

use std::fmt;
use std::io::{Cursor, Write};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use crate::OutMessage;
use time::Civil;

/// Options of one RSMF export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RsmfOptions {
    /// What the export is; becomes the e-mail's `Subject` and heads the
    /// summary.
    pub title: String,
    /// The tool that wrote it, e.g. `trove 0.1.0` (`X-RSMF-Generator`).
    pub generator: String,
    /// When the export was made, UTC milliseconds since the epoch (the
    /// `Date` header and the zip's file times).
    pub created_at_ms: i64,
}

/// What [`write_rsmf`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RsmfSummary {
    /// Entries in the manifest's `participants`.
    pub participants: usize,
    /// Entries in the manifest's `conversations`.
    pub conversations: usize,
    /// Entries in the manifest's `events` (one per message).
    pub events: usize,
}

/// Why an RSMF export failed.
#[derive(Debug)]
pub enum RsmfError {
    /// An instant that RFC 3339 with a four-digit year cannot express.
    Time {
        /// Whose time it is (`message `…``, `created_at_ms`).
        what: String,
        /// The instant, UTC milliseconds since the epoch.
        ms: i64,
    },
    /// The manifest could not be serialised.
    Json(serde_json::Error),
    /// `rsmf.zip` could not be built.
    Zip {
        /// The step that failed.
        context: String,
        /// The zip library's error.
        source: zip::result::ZipError,
    },
    /// Writing to the output failed.
    Io {
        /// The step that failed.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl fmt::Display for RsmfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RsmfError::Time { what, ms } => write!(
                f,
                "{what}: {ms} ms since 1970 is outside the years 0000-9999 that RSMF times can \
                 express"
            ),
            RsmfError::Json(e) => write!(f, "serialising rsmf_manifest.json: {e}"),
            RsmfError::Zip { context, source } => {
                write!(f, "building rsmf.zip: {context}: {source}")
            }
            RsmfError::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for RsmfError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RsmfError::Time { .. } => None,
            RsmfError::Json(e) => Some(e),
            RsmfError::Zip { source, .. } => Some(source),
            RsmfError::Io { source, .. } => Some(source),
        }
    }
}

/// The most names the summary lists per kind before cutting the list short.
const SUMMARY_LIST: usize = 50;

/// Writes one RSMF 2.0 file (an RFC 5322 e-mail with `X-RSMF-Version:
/// 2.0.0` and the other RSMF headers, a `text/plain` body summarising the
/// export, and exactly one attachment `rsmf.zip`, base64-encoded, holding
/// `rsmf_manifest.json`) to `out`. See the [module documentation](self)
/// for how messages map to the manifest.
pub fn write_rsmf(
    messages: &[OutMessage],
    options: &RsmfOptions,
    out: &mut dyn Write,
) -> Result<RsmfSummary, RsmfError> {
    let created = Civil::from_ms(options.created_at_ms).ok_or_else(|| RsmfError::Time {
        what: "created_at_ms".into(),
        ms: options.created_at_ms,
    })?;
    let built = manifest::build(messages)?;
    let json = serde_json::to_vec_pretty(&built.manifest).map_err(RsmfError::Json)?;
    let zip = zip_bytes(&json, &built.files, &created)?;
    let digest = hex(&Sha256::digest(&zip));
    let boundary = format!("=_trove_rsmf_{}", &digest[..32]);

    let summary = RsmfSummary {
        participants: built.manifest.participants.len(),
        conversations: built.manifest.conversations.len(),
        events: built.manifest.events.len(),
    };

    // X-RSMF-Version first: readers sniff it within the first kilobytes.
    let mut head = String::new();
    head.push_str("From: trove <rsmf-export@trove.invalid>\r\n");
    head.push_str("X-RSMF-Version: 2.0.0\r\n");
    head.push_str(&format!("X-RSMF-EventCount: {}\r\n", summary.events));
    if let Some((begin, end)) = built.range {
        for (name, ms) in [("X-RSMF-BeginDate", begin), ("X-RSMF-EndDate", end)] {
            // Checked when the events were built.
            if let Some(civil) = Civil::from_ms(ms) {
                head.push_str(&format!("{name}: {}\r\n", civil.rfc3339()));
            }
        }
    }
    head.push_str(&format!("X-RSMF-AttachmentCount: {}\r\n", built.attachments));
    if !built.platforms.is_empty() {
        head.push_str(&mail::field("X-RSMF-Application", &built.platforms.join(", ")));
    }
    head.push_str(&mail::field("X-RSMF-Generator", &options.generator));
    let names: Vec<&str> =
        built.manifest.participants.iter().map(|p| p.display.as_deref().unwrap_or(&p.id)).collect();
    if !names.is_empty() {
        head.push_str(&mail::field("X-RSMF-Participants", &names.join(", ")));
    }
    head.push_str("To: undisclosed-recipients:;\r\n");
    head.push_str(&mail::field("Subject", &options.title));
    head.push_str(&format!("Date: {}\r\n", created.rfc5322()));
    head.push_str(&format!("Message-ID: <{}@trove.invalid>\r\n", &digest[..40]));
    head.push_str("MIME-Version: 1.0\r\n");
    head.push_str(&format!("Content-Type: multipart/mixed;\r\n boundary=\"{boundary}\"\r\n"));
    head.push_str("\r\nThis is a multi-part message in MIME format.\r\n");
    head.push_str(&format!("\r\n--{boundary}\r\n"));
    head.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    head.push_str("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    head.push_str(&mail::quoted_printable(&summary_text(&built, &names, options, &created)));
    head.push_str(&format!("\r\n--{boundary}\r\n"));
    head.push_str("Content-Type: application/zip; name=\"rsmf.zip\"\r\n");
    head.push_str("Content-Transfer-Encoding: base64\r\n");
    head.push_str("Content-Disposition: attachment; filename=\"rsmf.zip\"\r\n\r\n");

    let io = |context: &str| {
        let context = context.to_string();
        move |source| RsmfError::Io { context, source }
    };
    out.write_all(head.as_bytes()).map_err(io("writing the RSMF headers and summary"))?;
    mail::base64_lines(&zip, &mut |chunk| out.write_all(chunk.as_bytes()))
        .map_err(io("writing rsmf.zip into the RSMF e-mail"))?;
    out.write_all(format!("--{boundary}--\r\n").as_bytes())
        .map_err(io("writing the end of the RSMF e-mail"))?;
    out.flush().map_err(io("flushing the RSMF e-mail"))?;
    Ok(summary)
}

/// `rsmf.zip`: the manifest and the attachment placeholders, deflated,
/// dated `created` (the zip crate would otherwise stamp 1980 or now).
fn zip_bytes(
    manifest: &[u8],
    files: &[manifest::File],
    created: &Civil,
) -> Result<Vec<u8>, RsmfError> {
    let stamp = zip_time(created);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let entries = std::iter::once(("rsmf_manifest.json", manifest))
        .chain(files.iter().map(|f| (f.name.as_str(), &f.bytes[..])));
    for (name, bytes) in entries {
        writer
            .start_file(name, options)
            .map_err(|source| RsmfError::Zip { context: format!("adding {name}"), source })?;
        writer.write_all(bytes).map_err(|source| RsmfError::Io {
            context: format!("building rsmf.zip: writing {name}"),
            source,
        })?;
    }
    let cursor = writer
        .finish()
        .map_err(|source| RsmfError::Zip { context: "finishing the archive".into(), source })?;
    Ok(cursor.into_inner())
}

/// `created` as a zip time, or the zip epoch (1980) when outside the
/// range DOS times can hold.
fn zip_time(created: &Civil) -> zip::DateTime {
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    u16::try_from(created.year)
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                narrow(created.month),
                narrow(created.day),
                narrow(created.hour),
                narrow(created.minute),
                narrow(created.second),
            )
            .ok()
        })
        .unwrap_or_default()
}

/// The human-readable body: what the export holds and how to read it.
fn summary_text(
    built: &manifest::Built,
    names: &[&str],
    options: &RsmfOptions,
    created: &Civil,
) -> String {
    let m = &built.manifest;
    let mut text = String::new();
    // Flattened as in the Subject, so that a title cannot fake lines of
    // the summary.
    let title = mail::clean(&options.title);
    if !title.is_empty() {
        text.push_str(&format!("{title}\n\n"));
    }
    text.push_str(&format!(
        "RSMF 2.0 export: {} events ({} messages) in {} conversations with {} participants",
        m.events.len(),
        built.messages,
        m.conversations.len(),
        m.participants.len()
    ));
    match built.range.and_then(|(b, e)| Some((Civil::from_ms(b)?, Civil::from_ms(e)?))) {
        Some((begin, end)) => {
            text.push_str(&format!(", {} to {}.\n", begin.rfc3339(), end.rfc3339()))
        }
        None => text.push_str(".\n"),
    }
    let by = if options.generator.is_empty() { "trove" } else { options.generator.as_str() };
    text.push_str(&format!("Written by {by} on {}.\n", created.rfc3339()));

    if !built.conversations.is_empty() {
        text.push_str("\nConversations:\n");
        for c in built.conversations.iter().take(SUMMARY_LIST) {
            text.push_str(&format!("- {} ({}): {} events\n", c.display, c.platform, c.events));
        }
        more(&mut text, built.conversations.len());
    }
    if !names.is_empty() {
        text.push_str("\nParticipants:\n");
        for name in names.iter().take(SUMMARY_LIST) {
            text.push_str(&format!("- {name}\n"));
        }
        more(&mut text, names.len());
    }
    text.push_str(
        "\nThe conversations are in the attached rsmf.zip (rsmf_manifest.json), for an RSMF \
         viewer.\nEach event's custom properties carry its provenance: the SHA-256 of the \
         source file, the locator in it and the SHA-256 of the original text.\n",
    );
    if built.attachments > 0 {
        text.push_str(&format!(
            "Attachment contents are not included: each of the {} attachments is a text \
             placeholder naming the original.\n",
            built.attachments
        ));
    }
    text
}

fn more(text: &mut String, total: usize) {
    if total > SUMMARY_LIST {
        text.push_str(&format!("- ... and {} more\n", total - SUMMARY_LIST));
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
