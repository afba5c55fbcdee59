//! The plain data of a trove case.
//!
//! Readers produce these records, the store keeps them, the index and the
//! front ends read them. Nothing here does I/O.
//!
//! The shape follows one principle: **evidence is immutable**. A [`Record`] is
//! what a source file said, with its original timestamp text and a
//! [`Locator`] pointing at the exact bytes it came from. Names, merges and
//! notes are separate layers that point at records; they never edit them.

mod record;
mod time;

pub use record::{
    AccountRef, Attachment, ConversationRef, Edit, EventKind, Locator, Reaction, Record,
    RecordKind, UrlRef,
};
pub use time::{TimeBasis, Timestamp};

/// The platform names used in records, search filters (`platform:`) and
/// `--format`. Stable: they are stored in cases.
pub mod platform {
    /// Twitter / X direct messages.
    pub const TWITTER: &str = "twitter";
    /// A generic CSV or JSONL transcript.
    pub const TRANSCRIPT: &str = "transcript";
    /// Telegram Desktop JSON exports (`result.json`).
    pub const TELEGRAM: &str = "telegram";
    /// WhatsApp "Export chat" text, bare or zipped.
    pub const WHATSAPP: &str = "whatsapp";
    /// Slack workspace export zips.
    pub const SLACK: &str = "slack";
    /// DiscordChatExporter JSON.
    pub const DISCORD: &str = "discord";
    /// Facebook Messenger DYI JSON (`message_N.json`).
    pub const MESSENGER: &str = "messenger";
    /// Instagram DYI JSON (`message_N.json`).
    pub const INSTAGRAM: &str = "instagram";
    /// signal-export output (`chat.md` / `data.json`).
    pub const SIGNAL: &str = "signal";
    /// Relativity Short Message Format 1.0/2.0.
    pub const RSMF: &str = "rsmf";
    /// Matrix / Element "Export chat" JSON.
    pub const MATRIX: &str = "matrix";
    /// Jabber/XMPP logs as concatenated JSON objects.
    pub const JABBER: &str = "jabber";
    /// Rocket.Chat dumps.
    pub const ROCKETCHAT: &str = "rocketchat";
    /// IRC logs (irssi, weechat, ZNC).
    pub const IRC: &str = "irc";

    /// Every platform name above.
    pub const ALL: &[&str] = &[
        TWITTER, TRANSCRIPT, TELEGRAM, WHATSAPP, SLACK, DISCORD, MESSENGER, INSTAGRAM, SIGNAL,
        RSMF, MATRIX, JABBER, ROCKETCHAT, IRC,
    ];

    /// The constant for a stored platform name, so that records read back
    /// from a case carry the same `&'static str` a reader gives them.
    pub fn from_name(name: &str) -> Option<&'static str> {
        ALL.iter().copied().find(|p| *p == name)
    }

    /// Deserializes a platform name as its constant; an unknown name is an
    /// error rather than a leaked string.
    pub(crate) fn deserialize<'de, D>(deserializer: D) -> Result<&'static str, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown platform `{name}`")))
    }
}
