//! The JSON contract: what `--json` prints and the server's `.json` pages
//! return. Fields may be added; the ones here must not change meaning.

use std::collections::BTreeMap;

use serde::Serialize;
use trove_model::TimeBasis;
use trove_store::StoredMessage;

use crate::dates::format_instant;

/// `trove ingest --json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IngestOutput {
    /// Source files recorded by the run.
    pub sources: u64,
    /// New messages.
    pub messages_added: u64,
    /// New events.
    pub events_added: u64,
    /// Records not added because a copy was already in the case or read
    /// earlier in the run (the sum of `duplicate_reasons`).
    pub duplicates: u64,
    /// `duplicates` by reason: `already in the case`, `same id within this
    /// run`, `identical repeat in the same file`.
    pub duplicate_reasons: BTreeMap<String, u64>,
    /// Records kept with something dropped, folded or assumed, counted by
    /// kind: `field_dropped` (fields), `lines_folded` (continuation lines).
    pub notice_counts: BTreeMap<String, u64>,
    /// The first 1000 of those notices, each with its place.
    pub notices: Vec<NoticeOutput>,
    /// Translations attached to original messages (`--translation-of`).
    pub translations_added: u64,
    /// How the translated records paired with originals
    /// (`--translation-of` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation_pairing: Option<PairingOutput>,
    /// Attached files found in the inputs and hashed.
    pub media_files: u64,
    /// Of those, files copied into the case (`--copy-media`; a file the
    /// case already holds is not copied again).
    pub media_copied: u64,
    /// Records that could not be read: the first 1000 (`--keep-skips`),
    /// each with its place.
    pub skipped: Vec<SkippedOutput>,
    /// How many could not be read, all of them.
    pub skipped_total: u64,
    /// `skipped_total` by kind of reason: the reason with numbers as `#` and
    /// quoted text as `…`.
    pub skip_reasons: BTreeMap<String, u64>,
    /// Inputs and the readers chosen.
    pub inputs: Vec<InputOutput>,
    /// Earlier readings of the inputs removed by `--replace` (all zero
    /// without it); `messages_added` and `events_added` count the new
    /// reading.
    pub replaced: ReplacedOutput,
    /// Annotations left pointing at no message by `--replace`: they pointed
    /// at a removed message whose id the new reading did not give again.
    /// They are kept, and find their message again if a later reading
    /// gives its id back.
    pub annotations_without_message: OrphanedOutput,
}

/// What `--replace` removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReplacedOutput {
    /// Source records of earlier readings removed.
    pub sources: u64,
    /// Their messages.
    pub messages: u64,
    /// Their events.
    pub events: u64,
    /// Translations read from them or attached to their messages.
    pub translations: u64,
}

/// Annotations that point at no message after `--replace`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OrphanedOutput {
    /// Live notes (on a message, or a range with an end gone).
    pub notes: u64,
    /// Tags.
    pub tags: u64,
    /// Review statuses.
    pub statuses: u64,
    /// Collection items.
    pub collection_items: u64,
}

impl OrphanedOutput {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.notes + self.tags + self.statuses + self.collection_items
    }
}

/// How a translated copy paired with its originals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairingOutput {
    /// Translated records read.
    pub records: u64,
    /// Paired with an original of the same time (and sender, where kept).
    pub paired_by_time: u64,
    /// Paired with the same sender's next original where the time differs
    /// (the translation rewrote it): worth a look.
    pub paired_by_order: u64,
    /// Records no original fits; each is also in `skipped` with its reason.
    pub unpaired: u64,
    /// Paired records over records read, in percent (`null` with none).
    pub rate_percent: Option<f64>,
    /// Originals of the paired sources that no record paired with.
    pub originals_untranslated: u64,
    /// Translated files with no original of the same relative path.
    pub files_without_original: Vec<String>,
}

/// A record that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedOutput {
    /// File (or `zip!entry`).
    pub file: String,
    /// Byte offset.
    pub offset: u64,
    /// Why.
    pub reason: String,
}

/// A record kept with something dropped, folded or assumed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoticeOutput {
    /// File (or `zip!entry`).
    pub file: String,
    /// Byte offset of the record.
    pub offset: u64,
    /// `field_dropped`, `lines_folded`.
    pub kind: String,
    /// How many things it stands for (folded lines; else 1).
    pub count: u64,
    /// What, for a person.
    pub reason: String,
}

/// An input and its reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputOutput {
    /// Path as given.
    pub path: String,
    /// Reader.
    pub format: String,
    /// Detected rather than named.
    pub detected: bool,
    /// Messages with a sender read from it.
    pub messages: u64,
    /// Records without a sender (messages and events) read from it.
    pub without_sender: u64,
    /// Records of it that could not be read.
    pub skips: u64,
    /// More than half skips or sender-less records (kept only with
    /// `--accept-skips`).
    pub mostly_unattributed: bool,
}

impl From<trove_ingest::IngestReport> for IngestOutput {
    fn from(report: trove_ingest::IngestReport) -> Self {
        IngestOutput {
            sources: report.sources,
            messages_added: report.summary.messages_added,
            events_added: report.summary.events_added,
            duplicates: report.summary.duplicates,
            duplicate_reasons: report.summary.duplicate_reasons,
            notice_counts: report.summary.notices,
            notices: report
                .notices
                .into_iter()
                .map(|n| NoticeOutput {
                    file: n.file,
                    offset: n.offset,
                    kind: n.kind.as_str().to_string(),
                    count: n.count,
                    reason: n.reason,
                })
                .collect(),
            translations_added: report.translations_added,
            translation_pairing: report.pairing.map(|p| PairingOutput {
                rate_percent: p.rate().map(|r| (r * 10.0).round() / 10.0),
                records: p.records,
                paired_by_time: p.paired_by_time,
                paired_by_order: p.paired_by_order,
                unpaired: p.unpaired,
                originals_untranslated: p.originals_untranslated,
                files_without_original: p.files_without_original,
            }),
            media_files: report.media_files,
            media_copied: report.media_copied,
            skipped_total: report.skipped.total,
            skip_reasons: report.skipped.by_reason,
            skipped: report
                .skipped
                .kept
                .into_iter()
                .map(|s| SkippedOutput { file: s.file, offset: s.offset, reason: s.reason })
                .collect(),
            inputs: report
                .inputs
                .into_iter()
                .map(|i| InputOutput {
                    mostly_unattributed: i.mostly_unattributed(),
                    messages: i.tally.messages,
                    without_sender: i.tally.messages_without_sender + i.tally.events_without_sender,
                    skips: i.tally.skips,
                    path: i.path.display().to_string(),
                    format: i.format,
                    detected: i.detected,
                })
                .collect(),
            replaced: ReplacedOutput {
                sources: report.replaced.sources,
                messages: report.replaced.messages,
                events: report.replaced.events,
                translations: report.replaced.translations,
            },
            annotations_without_message: OrphanedOutput {
                notes: report.orphaned.notes,
                tags: report.orphaned.tags,
                statuses: report.orphaned.statuses,
                collection_items: report.orphaned.collection_items,
            },
        }
    }
}

/// `trove search --json`.
#[derive(Clone, Debug, Serialize)]
pub struct SearchOutput {
    /// Exact number of matching messages.
    pub total: u64,
    /// Server time for the search, in milliseconds.
    pub took_ms: f64,
    /// The requested page.
    pub hits: Vec<MessageOutput>,
    /// How the query was read, when something was worked around.
    pub warnings: Vec<String>,
}

/// A message as search hits, `show` and its context present it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MessageOutput {
    /// trove's stable id.
    pub id: String,
    /// The platform's own id.
    pub native_id: Option<String>,
    /// `message`, or the event kind (`join`, `leave`, `rename`, ...).
    pub kind: String,
    /// RFC 3339 UTC.
    pub sent_at: String,
    /// The timestamp as the source wrote it.
    pub sent_at_original: String,
    /// How the zone of `sent_at` was known.
    pub time_basis: String,
    /// When the source's time carried no zone: the zone it was read in
    /// (`UTC`, `Europe/Moscow`) or `unknown`; `null` when the source stated
    /// it. Every view flags such a time as `zone assumed`.
    pub zone_assumed: Option<String>,
    /// Best name of the sender (user-given, source's, handle, or id).
    pub sender: Option<String>,
    /// Sender's platform id.
    pub sender_id: Option<String>,
    /// Conversation name, or its id when unnamed, followed by its scope
    /// when it has one (`general · serverA`).
    pub conversation: String,
    /// Conversation platform id.
    pub conversation_id: String,
    /// What the platform id is unique within (server, workspace, network),
    /// when the source says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_scope: Option<String>,
    /// What names this conversation alone (for `in:` and the workbench's
    /// conversation page): the platform id, or the conversation's row
    /// (`#12`) when the id is only unique within a scope.
    pub conversation_ref: String,
    /// Platform.
    pub platform: String,
    /// The label of the ingested input it came from (`--label`, by
    /// default the input's file or folder name): the `source:` filter.
    pub source_label: String,
    /// Text.
    pub text: String,
    /// HTML-escaped fragment with `<mark>` around matches (search only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// Replied-to platform id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Accounts an event is about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Reactions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionOutput>,
    /// Links (never fetched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<UrlOutput>,
    /// Attachments by reference.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentOutput>,
    /// When it was last edited, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    /// Earlier versions, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<EditOutput>,
    /// Thread id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// Forwarded from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
    /// Marked deleted by the source.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Translations, shown beside the original.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<TranslationOutput>,
    /// Where the message came from (`show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    /// Notes, tags and review status (search hits and `show`, when any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<crate::AnnotationsOutput>,
}

/// A translation of a message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TranslationOutput {
    /// Language code.
    pub lang: String,
    /// Translated text.
    pub text: String,
    /// The translated copy it came from.
    pub source: String,
}

/// An earlier version of an edited message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EditOutput {
    /// When, RFC 3339 UTC, when known.
    pub at: Option<String>,
    /// The text of that version.
    pub text: String,
}

/// A reaction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReactionOutput {
    /// Who reacted (platform id).
    pub sender_id: String,
    /// The reaction.
    pub reaction: String,
    /// When, RFC 3339 UTC.
    pub at: Option<String>,
}

/// A link.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UrlOutput {
    /// As in the text.
    pub url: String,
    /// Expanded target, when the source gives one.
    pub expanded: Option<String>,
}

/// An attachment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttachmentOutput {
    /// File name.
    pub name: String,
    /// Reference in the source.
    pub reference: String,
    /// Kind.
    pub kind: Option<String>,
    /// Size.
    pub size: Option<u64>,
    /// SHA-256 of the file, when the export holds it.
    pub sha256: Option<String>,
    /// Where the export keeps the file (member of the input).
    pub entry: Option<String>,
}

/// Provenance of a message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceRef {
    /// SHA-256 of the source file at ingest.
    pub sha256: String,
    /// Path of the source file.
    pub path: String,
    /// Where in it: `entry@offset+length`, `:Lline`, `#json.path`.
    pub locator: String,
    /// The citation form: `sha256:HASH@LOCATOR`.
    pub citation: String,
}

/// A conversation as shown: its name (else its platform id), followed by
/// its scope when it has one, so two servers' `general` rooms are told
/// apart (`general · serverA`). Printers escape it like any source string.
pub fn conversation_label(name: Option<&str>, native_id: &str, scope: &str) -> String {
    let name = name.unwrap_or(native_id);
    if scope.is_empty() { name.to_string() } else { format!("{name} · {scope}") }
}

impl MessageOutput {
    /// The output form of a stored message.
    pub fn from_stored(m: &StoredMessage, with_source: bool) -> MessageOutput {
        let source = with_source.then(|| {
            let locator = m.locator().render();
            SourceRef {
                citation: format!("sha256:{}@{}", m.source_sha256, locator),
                sha256: m.source_sha256.clone(),
                path: m.source_path.clone(),
                locator,
            }
        });
        MessageOutput {
            id: crate::render_id(m.key),
            native_id: m.native_id.clone(),
            kind: m.kind.clone(),
            sent_at: format_instant(m.sent_at_ms),
            sent_at_original: m.ts_original.clone(),
            time_basis: match &m.ts_zone {
                Some(zone) => format!("{} ({zone})", m.ts_basis),
                None => m.ts_basis.clone(),
            },
            zone_assumed: TimeBasis::zone_assumed_by_name(&m.ts_basis, m.ts_zone.as_deref()),
            sender: m.sender_name.clone(),
            sender_id: m.sender_native_id.clone(),
            conversation: conversation_label(
                m.conversation_name.as_deref(),
                &m.conversation_native_id,
                &m.conversation_scope,
            ),
            conversation_id: m.conversation_native_id.clone(),
            conversation_scope: (!m.conversation_scope.is_empty())
                .then(|| m.conversation_scope.clone()),
            conversation_ref: if m.conversation_scope.is_empty() {
                m.conversation_native_id.clone()
            } else {
                format!("#{}", m.conversation_row)
            },
            platform: m.platform.clone(),
            source_label: m.source_label.clone(),
            text: m.text.clone(),
            snippet: None,
            reply_to: m.reply_to.clone(),
            targets: m.extra.targets.iter().map(|t| t.native_id.to_string()).collect(),
            reactions: m
                .extra
                .reactions
                .iter()
                .map(|r| ReactionOutput {
                    sender_id: r.sender_id.clone(),
                    reaction: r.key.clone(),
                    at: r.at.as_ref().map(|t| format_instant(t.utc_ms)),
                })
                .collect(),
            urls: m
                .extra
                .urls
                .iter()
                .map(|u| UrlOutput { url: u.url.clone(), expanded: u.expanded.clone() })
                .collect(),
            attachments: m
                .extra
                .attachments
                .iter()
                .map(|a| AttachmentOutput {
                    name: a.name.clone(),
                    reference: a.reference.clone(),
                    kind: a.kind.clone(),
                    size: a.size,
                    sha256: a.sha256.clone(),
                    entry: a.entry.clone(),
                })
                .collect(),
            edited_at: m.extra.edited_at.as_ref().map(|t| format_instant(t.utc_ms)),
            edits: m
                .extra
                .edits
                .iter()
                .map(|e| EditOutput {
                    at: e.at.as_ref().map(|t| format_instant(t.utc_ms)),
                    text: e.text.clone(),
                })
                .collect(),
            thread: m.extra.thread.clone(),
            forwarded_from: m.extra.forwarded_from.clone(),
            deleted: m.extra.deleted,
            translations: Vec::new(),
            source,
            annotations: None,
        }
    }
}

/// `trove show --json`.
#[derive(Clone, Debug, Serialize)]
pub struct ShowOutput {
    /// The message, with its source.
    pub message: MessageOutput,
    /// Earlier records of its conversation, oldest first.
    pub before: Vec<MessageOutput>,
    /// Later records, oldest first.
    pub after: Vec<MessageOutput>,
    /// The message's notes, tags and review status.
    pub annotations: crate::AnnotationsOutput,
}

/// `trove stats --json`.
#[derive(Clone, Debug, Serialize)]
pub struct StatsOutput {
    /// Messages.
    pub messages: u64,
    /// Events.
    pub events: u64,
    /// Conversations.
    pub conversations: u64,
    /// Earliest record, RFC 3339 UTC.
    pub first: Option<String>,
    /// Latest record.
    pub last: Option<String>,
    /// Accounts, most active first.
    pub participants: Vec<ParticipantOutput>,
    /// Source files.
    pub sources: Vec<SourceOutput>,
    /// The analysis zone.
    pub zone: String,
}

/// An account in `stats` and `people`.
#[derive(Clone, Debug, Serialize)]
pub struct ParticipantOutput {
    /// The account's row in this case: `#ROW` names exactly this account
    /// wherever an account is named (platform ids can repeat across
    /// platforms, and are often numbers).
    pub row: i64,
    /// Platform id.
    pub id: String,
    /// Best name.
    pub name: String,
    /// Messages sent.
    pub messages: u64,
    /// Platform.
    pub platform: String,
    /// Handle, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Display name from the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Name given in trove.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// First message.
    pub first: Option<String>,
    /// Last message.
    pub last: Option<String>,
}

/// A source in `stats`.
#[derive(Clone, Debug, Serialize)]
pub struct SourceOutput {
    /// Path.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Reader.
    pub format: String,
    /// Size in bytes.
    pub size: u64,
    /// When ingested.
    pub ingested_at: String,
    /// The label of the input it came in with (`source:`).
    pub label: String,
    /// The reading options it was read with, as flags (`--format csv --tz
    /// UTC`); empty when it was ingested before options were recorded.
    pub options: String,
}

/// `trove verify --json`.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyOutput {
    /// Sources whose bytes are unchanged.
    pub sources_ok: u64,
    /// Sources changed or missing.
    pub sources_changed: u64,
    /// Per-source results that are not ok.
    pub source_findings: Vec<SourceFinding>,
    /// Consistency findings on messages.
    pub findings: Vec<Finding>,
}

/// A source that no longer matches.
#[derive(Clone, Debug, Serialize)]
pub struct SourceFinding {
    /// Path.
    pub path: String,
    /// `changed`, `missing`, or `not_a_file` (now a FIFO, device or folder,
    /// or a link to one: not read, as it could never end).
    pub status: String,
    /// Hash at ingest.
    pub expected_sha256: String,
    /// Hash now, when readable.
    pub actual_sha256: Option<String>,
}

/// A consistency finding: evidence, never a fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// trove id.
    pub message_id: String,
    /// Platform id.
    pub native_id: Option<String>,
    /// Which check (`snowflake_time`, `duplicate_id`, `id_order`).
    pub check: String,
    /// What was found.
    pub detail: String,
}

/// `trove people --json`.
#[derive(Clone, Debug, Serialize)]
pub struct PeopleOutput {
    /// Accounts, most active first.
    pub people: Vec<ParticipantOutput>,
    /// Persons: accounts a user linked, across platforms.
    pub persons: Vec<PersonOutput>,
}

/// A person.
#[derive(Clone, Debug, Serialize)]
pub struct PersonOutput {
    /// Name (searchable with `from:`).
    pub name: String,
    /// Messages of all their accounts.
    pub messages: u64,
    /// The linked accounts.
    pub accounts: Vec<ParticipantOutput>,
    /// Why each account was linked, in the same order.
    pub reasons: Vec<String>,
}

/// What `trove repair` found and did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RepairOutput {
    /// SQLite's structural check of the database (`PRAGMA quick_check`):
    /// empty when sound.
    pub database_problems: Vec<String>,
    /// Size of the write-ahead log before and after it was emptied.
    pub log_bytes_before: u64,
    /// Size of the write-ahead log after.
    pub log_bytes_after: u64,
    /// False when another process (a running workbench) held part of the
    /// log, so it could not be emptied entirely.
    pub log_emptied: bool,
    /// Files a killed run left in the case folder, deleted.
    pub leftovers: Vec<String>,
    /// Index files no commit names (segments of a failed run), deleted.
    pub index_files_deleted: usize,
    /// The case's generation.
    pub generation: u64,
    /// The generation the search index reflected before the repair.
    pub index_generation_before: u64,
    /// Messages indexed, when the index was rebuilt.
    pub reindexed: Option<u64>,
}
