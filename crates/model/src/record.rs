//! One message or event as a reader found it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// Where in its source a record sits: enough to find the exact bytes again.
///
/// The source file itself (and its SHA-256) is known to the ingest run; a
/// locator is relative to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Locator {
    /// The member of a zip or folder the record was read from, when the
    /// source is a container (e.g. `data/direct-messages-group.js`).
    /// Shared: every record of an entry names the same one.
    pub entry: Option<Arc<str>>,
    /// Byte offset of the record within the (decompressed) entry or file.
    pub offset: u64,
    /// Length in bytes of the record's text in the source.
    pub length: u64,
    /// 1-based line of the record's start, for line-oriented formats.
    pub line: Option<u64>,
    /// A JSON path to the record within its entry, for JSON formats.
    pub json_path: Option<String>,
}

impl Locator {
    /// The compact textual form used in citations and the CLI:
    /// `entry@offset+length`, followed by `:line` or `#json_path` when known.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(entry) = &self.entry {
            out.push_str(entry);
        }
        out.push('@');
        out.push_str(&self.offset.to_string());
        out.push('+');
        out.push_str(&self.length.to_string());
        if let Some(line) = self.line {
            out.push_str(":L");
            out.push_str(&line.to_string());
        }
        if let Some(path) = &self.json_path {
            out.push('#');
            out.push_str(path);
        }
        out
    }
}

/// A conversation as a record names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConversationRef {
    /// The platform's own id for the conversation (for transcripts without
    /// one: the name, or the file name).
    pub native_id: Arc<str>,
    /// The conversation's name when the source states one.
    pub name: Option<Arc<str>>,
    /// What `native_id` is unique within, where the platform's ids are
    /// only unique inside a server, workspace, homeserver, guild, archive
    /// account or IRC network: two exports' `GENERAL` rooms are two
    /// conversations. `None` where ids are global or nothing names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Arc<str>>,
}

/// An account as a record names it: a platform id and whatever labels the
/// source gave for it at that point.
///
/// The fields are shared strings so that a reader can name the same sender
/// on many records for a reference count each, not an allocation each.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountRef {
    /// The platform's id for the account (a Twitter user id; for sources
    /// without ids, the name as written).
    pub native_id: Arc<str>,
    /// A display name, if the source states one.
    pub display_name: Option<Arc<str>>,
    /// A handle (@name), if the source states one.
    pub handle: Option<Arc<str>>,
}

impl AccountRef {
    /// An account known only by its id.
    pub fn id(native_id: impl Into<Arc<str>>) -> AccountRef {
        AccountRef { native_id: native_id.into(), display_name: None, handle: None }
    }
}

/// A reaction on a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reaction {
    /// Who reacted (platform id).
    pub sender_id: String,
    /// The reaction as the platform names it (`like`, `agree`, an emoji).
    pub key: String,
    /// When, as the source stated it.
    pub at: Option<Timestamp>,
    /// The platform's id for the reaction event.
    pub native_id: Option<String>,
}

/// A link in a message. Never fetched.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UrlRef {
    /// The link as it appears in the text (e.g. a t.co short link).
    pub url: String,
    /// The expanded target, when the source gives one.
    pub expanded: Option<String>,
}

/// A file attached to a message, by reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name as the source gives it.
    pub name: String,
    /// The reference the source holds (a URL, a path in the export).
    pub reference: String,
    /// MIME type or kind when known (`image`, `video`).
    pub kind: Option<String>,
    /// Size in bytes when known.
    pub size: Option<u64>,
    /// SHA-256 of the file when it is present in the export.
    pub sha256: Option<String>,
    /// Where the export keeps the file, when the reader found it: the
    /// member's path inside the input folder or zip (for a single-file
    /// input, relative to the folder holding that file). Ingest hashes it
    /// from there and, when asked, copies it into the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

/// What happened in a conversation besides a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Accounts joined or were added (`targets`), by `sender` when known.
    Join,
    /// Accounts left or were removed (`targets`).
    Leave,
    /// The conversation was renamed to `name`.
    Rename,
    /// An event type the reader does not know; `raw` keeps it whole.
    Other(String),
}

impl EventKind {
    /// The stored name (`join`, `leave`, `rename`, or the raw type).
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::Join => "join",
            EventKind::Leave => "leave",
            EventKind::Rename => "rename",
            EventKind::Other(name) => name,
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> EventKind {
        match name {
            "join" => EventKind::Join,
            "leave" => EventKind::Leave,
            "rename" => EventKind::Rename,
            other => EventKind::Other(other.to_string()),
        }
    }
}

/// Message or event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordKind {
    /// Something a person wrote.
    #[default]
    Message,
    /// Something that happened (join, leave, rename, ...).
    Event(EventKind),
}

/// An earlier version of an edited message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    /// When this version was replaced, or written, as the source states it.
    pub at: Option<Timestamp>,
    /// The text of this version.
    pub text: String,
}

/// `&'static str` under another name: serde's derive treats a field
/// written as `&str` as borrowed from the input and would then only read
/// records from `'static` data; the platform is looked up, not borrowed.
type PlatformName = &'static str;

/// One message or event, exactly as a reader found it.
///
/// Build one with struct update syntax over `Record::default()` so that
/// fields added later do not break readers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Record {
    /// Message or event.
    pub kind: RecordKind,
    /// Platform name: one of the [`crate::platform`] constants.
    #[serde(deserialize_with = "crate::platform::deserialize")]
    pub platform: PlatformName,
    /// The conversation it belongs to.
    pub conversation: ConversationRef,
    /// The platform's id for it, when the format has one.
    pub native_id: Option<String>,
    /// Who wrote it, or who initiated the event. `None` for events without
    /// an initiator (e.g. Twitter `participantsLeave`).
    pub sender: Option<AccountRef>,
    /// When.
    pub sent_at: Timestamp,
    /// The text with source-level escaping decoded (HTML entities for
    /// Twitter, decoded exactly once). For events, a human description.
    pub text: String,
    /// The platform id of the message this one replies to.
    pub reply_to: Option<String>,
    /// Accounts an event is about (joined, left).
    pub targets: Vec<AccountRef>,
    /// Reactions on the message.
    pub reactions: Vec<Reaction>,
    /// Links in the message.
    pub urls: Vec<UrlRef>,
    /// Files attached to the message.
    pub attachments: Vec<Attachment>,
    /// Where it came from.
    pub locator: Locator,
    /// The record's own JSON when the reader kept it whole (unknown event
    /// types, for instance).
    pub raw: Option<String>,
    /// When the message was last edited, if the source says.
    pub edited_at: Option<Timestamp>,
    /// Earlier versions of an edited message, oldest first; `text` is the
    /// latest.
    pub edits: Vec<Edit>,
    /// The platform id of the thread the message belongs to (Slack
    /// `thread_ts`, Rocket.Chat `tmid`, Matrix `m.thread`).
    pub thread: Option<String>,
    /// Who the message was forwarded from, as the source names them.
    pub forwarded_from: Option<String>,
    /// The source marks the message deleted (its text may be empty).
    pub deleted: bool,
}

impl Record {
    /// True for a message, false for an event.
    pub fn is_message(&self) -> bool {
        matches!(self.kind, RecordKind::Message)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shared_strings_keep_the_json_shape_and_read_back() {
        let record = Record {
            platform: crate::platform::SLACK,
            conversation: ConversationRef {
                native_id: "C1".into(),
                name: Some("general".into()),
                scope: None,
            },
            sender: Some(AccountRef {
                native_id: "U1".into(),
                display_name: Some("Ann".into()),
                handle: None,
            }),
            locator: Locator {
                entry: Some("general/2020-01-01.json".into()),
                ..Locator::default()
            },
            ..Record::default()
        };
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["platform"], "slack");
        assert_eq!(json["conversation"]["native_id"], "C1");
        assert_eq!(json["conversation"]["name"], "general");
        assert_eq!(json["sender"]["display_name"], "Ann");
        assert_eq!(json["locator"]["entry"], "general/2020-01-01.json");
        let back: Record = serde_json::from_value(json).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn an_unknown_platform_does_not_read_back() {
        let mut json = serde_json::to_value(Record::default()).unwrap();
        json["platform"] = "myspace".into();
        let err = serde_json::from_value::<Record>(json).unwrap_err();
        assert!(err.to_string().contains("unknown platform `myspace`"), "{err}");
        assert_eq!(crate::platform::from_name("irc"), Some(crate::platform::IRC));
    }
}
