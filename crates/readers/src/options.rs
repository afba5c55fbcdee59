//! What the user told the readers.

use std::sync::Arc;

use jiff::tz::TimeZone;

/// Reader options from the command line. Every reader ignores what it does
/// not use.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The zone asserted for zone-less timestamps (`--tz`). `None` means the
    /// user asserted nothing: readers then interpret naive times as UTC and
    /// record [`trove_model::TimeBasis::AssertedZone`] with zone `UTC`.
    pub tz: Option<TimeZone>,
    /// The IANA name of `tz`, stored with each timestamp.
    pub tz_name: Option<String>,
    /// Column mapping for CSV/JSONL transcripts (`--map text=COL,...`).
    pub map: ColumnMap,
    /// Senders whose rows are events, not messages (`--event-sender`).
    pub event_senders: Vec<String>,
    /// The largest single record (a line, a JSON element) a reader accepts
    /// before it reports a skip or an error instead of buffering more.
    pub max_record_bytes: usize,
    /// The largest conversation held at once where a format writes all of
    /// a conversation's messages inside one JSON value (a Twitter
    /// `dmConversation`); each message still answers to `max_record_bytes`.
    /// A group DM of 150,000 messages is about 70 MB.
    pub max_conversation_bytes: usize,
    /// How to read ambiguous numeric dates (`--date-order`); `None` lets a
    /// reader decide from the whole file where it can (WhatsApp).
    pub date_order: Option<crate::timefmt::DateOrder>,
    /// The line templates of the template reader (`--template`, repeated):
    /// each entry takes the first that matches its first header, and each
    /// line the first that matches, trying that one first.
    pub templates: Vec<String>,
    /// The strftime-style timestamp format of the template reader
    /// (`--ts-format`); common formats are detected without it.
    pub ts_format: Option<String>,
    /// A line that ends a message in the template reader (`--separator`).
    pub separator: Option<String>,
    /// One unreadable member fails its whole input (`--strict`) instead of
    /// becoming a skip naming it.
    pub strict: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            tz: None,
            tz_name: None,
            map: ColumnMap::default(),
            event_senders: Vec::new(),
            max_record_bytes: 64 * 1024 * 1024,
            max_conversation_bytes: 1024 * 1024 * 1024,
            date_order: None,
            templates: Vec::new(),
            ts_format: None,
            separator: None,
            strict: false,
        }
    }
}

impl ReadOptions {
    /// The zone for naive timestamps and its name (UTC when none asserted).
    /// A reader calls this once per read and hands the name to every
    /// timestamp it makes, so each costs a reference count, not a copy.
    pub fn zone(&self) -> (TimeZone, Arc<str>) {
        match (&self.tz, &self.tz_name) {
            (Some(tz), Some(name)) => (tz.clone(), Arc::from(name.as_str())),
            _ => (TimeZone::UTC, crate::timefmt::utc_name()),
        }
    }
}

/// Which column holds which field, for transcripts. `None` fields are
/// auto-detected from common column names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
    /// Message text.
    pub text: Option<String>,
    /// Timestamp.
    pub sent_at: Option<String>,
    /// Sender name or id.
    pub sender: Option<String>,
    /// Sender id, when separate from the name.
    pub sender_id: Option<String>,
    /// Conversation name or id.
    pub conversation: Option<String>,
    /// The message's own id.
    pub id: Option<String>,
    /// The id of the message replied to.
    pub reply_to: Option<String>,
}

impl ColumnMap {
    /// Parses `text=COL,sent_at=COL,...`. Unknown keys are an error naming
    /// the key.
    pub fn parse(spec: &str) -> Result<ColumnMap, String> {
        let mut map = ColumnMap::default();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, column)) = pair.split_once('=') else {
                return Err(format!("`{pair}` is not KEY=COLUMN"));
            };
            let column = Some(column.trim().to_string());
            match key.trim() {
                "text" | "body" => map.text = column,
                "sent_at" | "ts" | "date" | "time" => map.sent_at = column,
                "sender" | "from" | "user" => map.sender = column,
                "sender_id" => map.sender_id = column,
                "conversation" | "in" | "chat" => map.conversation = column,
                "id" => map.id = column,
                "reply_to" => map.reply_to = column,
                other => {
                    return Err(format!(
                        "unknown field `{other}` (known: text, sent_at, sender, sender_id, \
                         conversation, id, reply_to)"
                    ));
                }
            }
        }
        Ok(map)
    }
}
