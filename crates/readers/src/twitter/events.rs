//! The JSON shapes of Twitter DM files and their translation into records.
//!
//! Every field the format leaves out in some archive generation is optional
//! here (older exports lack `urls` and `reactions`); ids are accepted as
//! strings or integers because they exceed 2^53 and must never pass through
//! a float.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};
use serde_json::value::RawValue;
use trove_model::{
    AccountRef, Attachment, ConversationRef, EventKind, Locator, Reaction, Record, RecordKind,
    TimeBasis, Timestamp, UrlRef,
};

use crate::entities::decode_entities;
use crate::json_scan::error_reason;
use crate::media::Located;
use crate::shape::{self, Required};

/// One top-level element of a DM file.
#[derive(Deserialize)]
pub(super) struct Element<'a> {
    #[serde(rename = "dmConversation", borrow, default)]
    pub conversation: Option<Conversation<'a>>,
}

/// `dmConversation`: the events are kept raw so each one's exact bytes can
/// be located and a bad one skipped without losing its neighbours.
#[derive(Deserialize)]
pub(super) struct Conversation<'a> {
    #[serde(rename = "conversationId")]
    pub id: Id,
    #[serde(borrow, default)]
    pub messages: Vec<&'a RawValue>,
}

/// A platform id: a JSON string, or an integer in hand-made files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (a string or an integer)")
            }
            fn visit_str<E>(self, v: &str) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Id, E> {
                Ok(Id(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// `null` and a missing list both mean empty.
fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageCreate {
    id: Id,
    sender_id: Id,
    #[serde(default)]
    text: Option<String>,
    created_at: String,
    #[serde(default, deserialize_with = "list")]
    media_urls: Vec<String>,
    #[serde(default, deserialize_with = "list")]
    urls: Vec<UrlJson>,
    #[serde(default, deserialize_with = "list")]
    reactions: Vec<ReactionJson>,
}

#[derive(Deserialize)]
struct UrlJson {
    url: String,
    #[serde(default)]
    expanded: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReactionJson {
    sender_id: Id,
    reaction_key: String,
    #[serde(default)]
    event_id: Option<Id>,
    #[serde(default)]
    created_at: Option<String>,
}

/// The fields shared by group events; which are required depends on the type.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupEvent {
    #[serde(default)]
    initiating_user_id: Option<Id>,
    #[serde(default, deserialize_with = "list")]
    user_ids: Vec<Id>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    id: Option<Id>,
}

/// What the reader knows while translating one conversation's events.
pub(super) struct Context<'a> {
    pub conversation_id: Arc<str>,
    /// The archive owner's id, the target of `joinConversation`.
    pub owner: Option<&'a str>,
    /// Local media copies by file name (`<messageId>-<name>`).
    pub media: &'a HashMap<String, Located>,
}

/// One translated event: a message (identified by its id, for
/// de-duplication) or another event.
pub(super) enum Parsed {
    /// A message, its id, and the optional fields of an odd shape it
    /// passed over (the record then keeps the event's JSON).
    Message(String, Record, Vec<String>),
    Event(Record),
}

/// Translates one event object (`{"messageCreate": {...}}`, ...). `Err` is a
/// reason for a skip.
pub(super) fn parse(raw: &str, cx: &Context<'_>, locator: Locator) -> Result<Parsed, String> {
    let object: BTreeMap<String, &RawValue> = serde_json::from_str(raw)
        .map_err(|e| format!("not an event object: {}", error_reason(&e)))?;
    let mut keys = object.iter();
    let (key, body) = match (keys.next(), keys.next()) {
        (Some(entry), None) => entry,
        (None, _) => return Err("empty event object".to_string()),
        (Some(_), Some(_)) => {
            let names: Vec<&str> = object.keys().map(String::as_str).collect();
            return Err(format!(
                "event object has {} keys ({}), expected one",
                names.len(),
                names.join(", ")
            ));
        }
    };
    let body = body.get();
    match key.as_str() {
        "messageCreate" => message(body, cx, locator),
        "participantsJoin"
        | "joinConversation"
        | "participantsLeave"
        | "conversationNameUpdate" => group_event(key, body, raw, cx, locator).map(Parsed::Event),
        other => unknown_event(other, body, raw, cx, locator).map(Parsed::Event),
    }
}

/// What a message cannot do without: its id, its sender and its time.
const REQUIRED: Required = Required { id: "id", fields: &["id", "senderId", "createdAt"] };

fn message(body: &str, cx: &Context<'_>, locator: Locator) -> Result<Parsed, String> {
    let mut dropped = Vec::new();
    let m: MessageCreate = match serde_json::from_str(body) {
        Ok(m) => m,
        Err(e) => {
            // An optional field of a shape this reader does not know goes,
            // with a notice; the message stays.
            let parses = |json: &str| {
                serde_json::from_str::<MessageCreate>(json).map(|_| ()).map_err(|e| e.to_string())
            };
            let (json, fields) = shape::retry(body.as_bytes(), &REQUIRED, parses, &e)
                .map_err(|reason| format!("unreadable messageCreate: {reason}"))?;
            dropped = fields.into_iter().map(|f| format!("`{}` ({})", f.path, f.why)).collect();
            serde_json::from_str(&json)
                .map_err(|e| format!("unreadable messageCreate: {}", error_reason(&e)))?
        }
    };
    let sent_at = timestamp(&m.created_at)?;
    let text = m.text.as_deref().map(decode_entities).unwrap_or_default().into_owned();
    let urls = m.urls.into_iter().map(|u| UrlRef { url: u.url, expanded: u.expanded }).collect();
    let attachments = m.media_urls.iter().map(|url| attachment(url, &m.id.0, cx.media)).collect();
    let mut reactions = Vec::with_capacity(m.reactions.len());
    for (i, r) in m.reactions.into_iter().enumerate() {
        // A reaction with an unreadable time is still a reaction.
        let at = r.created_at.as_deref().and_then(|t| match timestamp(t) {
            Ok(at) => Some(at),
            Err(_) => {
                dropped.push(format!("`reactions[{i}].createdAt` (`{t}` is not a time)"));
                None
            }
        });
        reactions.push(Reaction {
            sender_id: r.sender_id.0,
            key: r.reaction_key,
            at,
            native_id: r.event_id.map(|id| id.0),
        });
    }
    let record = Record {
        kind: RecordKind::Message,
        platform: trove_model::platform::TWITTER,
        conversation: ConversationRef {
            native_id: Arc::clone(&cx.conversation_id),
            name: None,
            scope: None,
        },
        native_id: Some(m.id.0.clone()),
        sender: Some(AccountRef::id(m.sender_id.0.as_str())),
        sent_at,
        text,
        reply_to: None,
        targets: Vec::new(),
        reactions,
        urls,
        attachments,
        locator,
        raw: (!dropped.is_empty()).then(|| body.to_string()),
        ..Record::default()
    };
    Ok(Parsed::Message(m.id.0, record, dropped))
}

fn group_event(
    key: &str,
    body: &str,
    raw: &str,
    cx: &Context<'_>,
    locator: Locator,
) -> Result<Record, String> {
    let e: GroupEvent = serde_json::from_str(body)
        .map_err(|err| format!("unreadable {key}: {}", error_reason(&err)))?;
    let created_at = e.created_at.as_deref().ok_or_else(|| format!("{key} has no createdAt"))?;
    let sent_at = timestamp(created_at)?;
    let initiator = e.initiating_user_id.map(|id| id.0);
    let users: Vec<String> = e.user_ids.into_iter().map(|id| id.0).collect();
    let mut conversation =
        ConversationRef { native_id: Arc::clone(&cx.conversation_id), name: None, scope: None };
    let mut keep_raw = false;
    let (kind, sender, targets, text) = match key {
        "participantsJoin" => {
            let text = match &initiator {
                Some(by) => format!("{by} added {}", users.join(", ")),
                None => format!("{} joined", users.join(", ")),
            };
            (EventKind::Join, initiator, users, text)
        }
        "joinConversation" => {
            // The snapshot of members lives only in the raw JSON.
            keep_raw = true;
            let owner = cx.owner.map(str::to_string);
            let whom = owner.as_deref().unwrap_or("the archive owner");
            let text = match &initiator {
                Some(by) => format!("{by} added {whom}"),
                None => format!("{whom} joined"),
            };
            (EventKind::Join, initiator, owner.into_iter().collect(), text)
        }
        "participantsLeave" => {
            let text = format!("{} left", users.join(", "));
            (EventKind::Leave, None, users, text)
        }
        _ => {
            let name = e.name.ok_or_else(|| format!("{key} has no name"))?;
            let text = match &initiator {
                Some(by) => format!("{by} renamed the conversation to \"{name}\""),
                None => format!("the conversation was renamed to \"{name}\""),
            };
            conversation.name = Some(Arc::from(name));
            (EventKind::Rename, initiator, Vec::new(), text)
        }
    };
    Ok(Record {
        kind: RecordKind::Event(kind),
        platform: trove_model::platform::TWITTER,
        conversation,
        native_id: e.id.map(|id| id.0),
        sender: sender.map(AccountRef::id),
        sent_at,
        text,
        reply_to: None,
        targets: targets.into_iter().map(AccountRef::id).collect(),
        reactions: Vec::new(),
        urls: Vec::new(),
        attachments: Vec::new(),
        locator,
        raw: keep_raw.then(|| raw.to_string()),
        ..Record::default()
    })
}

fn unknown_event(
    key: &str,
    body: &str,
    raw: &str,
    cx: &Context<'_>,
    locator: Locator,
) -> Result<Record, String> {
    // Only the time is needed to place it; everything else stays in `raw`.
    let e: GroupEvent = serde_json::from_str(body).map_err(|err| {
        format!("unknown event type `{key}` is unreadable: {}", error_reason(&err))
    })?;
    let created_at = e
        .created_at
        .as_deref()
        .ok_or_else(|| format!("unknown event type `{key}` has no createdAt"))?;
    let sent_at = timestamp(created_at)?;
    let text = match &e.initiating_user_id {
        Some(by) => format!("{key} by {}", by.0),
        None => key.to_string(),
    };
    Ok(Record {
        kind: RecordKind::Event(EventKind::Other(key.to_string())),
        platform: trove_model::platform::TWITTER,
        conversation: ConversationRef {
            native_id: Arc::clone(&cx.conversation_id),
            name: None,
            scope: None,
        },
        native_id: e.id.map(|id| id.0),
        sender: e.initiating_user_id.map(|id| AccountRef::id(id.0.as_str())),
        sent_at,
        text,
        reply_to: None,
        targets: e.user_ids.into_iter().map(|id| AccountRef::id(id.0)).collect(),
        reactions: Vec::new(),
        urls: Vec::new(),
        attachments: Vec::new(),
        locator,
        raw: Some(raw.to_string()),
        ..Record::default()
    })
}

/// `createdAt` as an instant. Twitter writes UTC with `Z`; an explicit
/// offset is accepted and recorded as such.
fn timestamp(text: &str) -> Result<Timestamp, String> {
    let instant: jiff::Timestamp =
        text.parse().map_err(|e| format!("createdAt `{text}` is not a timestamp: {e}"))?;
    let mut stamp = Timestamp::utc(instant.as_millisecond(), text);
    if !text.ends_with(['Z', 'z']) {
        stamp.basis = TimeBasis::LocalWithOffset;
    }
    Ok(stamp)
}

/// A `mediaUrls` entry. The local copy, when the export has one, is
/// `<messageId>-<last path segment without query>`.
fn attachment(url: &str, message_id: &str, media: &HashMap<String, Located>) -> Attachment {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    let kind = if path.contains("/dm_video/") {
        "video"
    } else if path.contains("/dm_gif/") {
        "gif"
    } else {
        "image"
    };
    let (entry, size) = Located::split(media.get(&format!("{message_id}-{name}")).cloned());
    Attachment {
        name,
        reference: url.to_string(),
        kind: Some(kind.to_string()),
        size,
        sha256: None,
        entry,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cx(media: &HashMap<String, Located>) -> Context<'_> {
        Context { conversation_id: Arc::from("740503092278366208"), owner: Some("42"), media }
    }

    fn parse_ok(raw: &str) -> Parsed {
        let found = Located { entry: "data/direct_messages_media/9-a.jpg".into(), size: 77 };
        let media = HashMap::from([("9-a.jpg".to_string(), found)]);
        match parse(raw, &cx(&media), Locator::default()) {
            Ok(p) => p,
            Err(e) => panic!("{raw}: {e}"),
        }
    }

    fn event(raw: &str) -> Record {
        match parse_ok(raw) {
            Parsed::Event(r) => r,
            Parsed::Message(..) => panic!("message"),
        }
    }

    #[test]
    fn message_fields() {
        let raw = r#"{"messageCreate": {"reactions": [{"senderId": "7", "reactionKey": "agree",
            "eventId": "11", "createdAt": "2021-02-03T18:43:17.595Z"}],
            "urls": [{"url": "https://t.co/x", "expanded": "https://e.org/?a=1&b=2", "display": "e.org"}],
            "text": "a &amp;lt; b", "mediaUrls": ["https://ton.twitter.com/dm/9/8/a.jpg",
            "https://video.twimg.com/dm_video/8/vid/1280x720/v.mp4?tag=1",
            "https://video.twimg.com/dm_gif/8/g.mp4"],
            "senderId": "5", "id": 9, "createdAt": "2021-02-03T18:42:53.007Z"}}"#;
        let Parsed::Message(id, r, _) = parse_ok(raw) else { panic!("not a message") };
        assert_eq!(id, "9");
        assert_eq!(r.text, "a &lt; b");
        assert_eq!(r.sent_at.utc_ms, 1_612_377_773_007);
        assert_eq!(r.sent_at.original, "2021-02-03T18:42:53.007Z");
        assert_eq!(r.sender, Some(AccountRef::id("5")));
        assert_eq!(r.reactions[0].native_id.as_deref(), Some("11"));
        assert_eq!(r.urls[0].expanded.as_deref(), Some("https://e.org/?a=1&b=2"));
        let kinds: Vec<_> =
            r.attachments.iter().map(|a| (a.name.as_str(), a.kind.as_deref(), a.size)).collect();
        assert_eq!(
            kinds,
            vec![
                ("a.jpg", Some("image"), Some(77)),
                ("v.mp4", Some("video"), None),
                ("g.mp4", Some("gif"), None)
            ]
        );
    }

    #[test]
    fn old_layout_without_urls_or_reactions() {
        let raw = r#"{"messageCreate": {"text": "hi", "mediaUrls": [], "senderId": "5",
            "recipientId": "6", "id": "163224993", "createdAt": "2009-06-01T10:00:00.000Z"}}"#;
        assert!(matches!(parse_ok(raw), Parsed::Message(..)));
    }

    #[test]
    fn group_events() {
        let r = event(
            r#"{"participantsJoin": {"initiatingUserId": "1", "userIds": ["2", "3"], "createdAt": "2016-06-08T11:17:49.738Z"}}"#,
        );
        assert_eq!(r.kind, RecordKind::Event(EventKind::Join));
        assert_eq!(r.text, "1 added 2, 3");
        assert_eq!(r.targets.len(), 2);

        let r = event(
            r#"{"joinConversation": {"initiatingUserId": "1", "participantsSnapshot": ["1", "2"], "createdAt": "2016-06-08T11:17:49.738Z"}}"#,
        );
        assert_eq!(r.targets, vec![AccountRef::id("42")]);
        assert!(r.raw.as_deref().is_some_and(|raw| raw.contains("participantsSnapshot")));

        let r = event(
            r#"{"participantsLeave": {"userIds": ["2"], "createdAt": "2016-06-08T11:17:49.738Z"}}"#,
        );
        assert_eq!(
            (r.kind, r.sender, r.text.as_str()),
            (RecordKind::Event(EventKind::Leave), None, "2 left")
        );

        let r = event(
            r#"{"conversationNameUpdate": {"initiatingUserId": "1", "name": "Team", "createdAt": "2016-06-08T11:17:49.738Z"}}"#,
        );
        assert_eq!(r.conversation.name.as_deref(), Some("Team"));
        assert_eq!(r.text, "1 renamed the conversation to \"Team\"");

        let raw = r#"{"conversationAvatarUpdate": {"initiatingUserId": "1", "createdAt": "2016-06-08T11:17:49.738Z"}}"#;
        let r = event(raw);
        assert_eq!(r.kind, RecordKind::Event(EventKind::Other("conversationAvatarUpdate".into())));
        assert_eq!(r.raw.as_deref(), Some(raw));
    }

    #[test]
    fn bad_events_are_reasons() {
        let media = HashMap::new();
        let bad = [
            "{}",
            "[1]",
            r#"{"messageCreate": {}, "participantsLeave": {}}"#,
            r#"{"messageCreate": {"id": "1", "senderId": "2", "createdAt": "yesterday"}}"#,
            r#"{"messageCreate": {"id": 1.5, "senderId": "2", "createdAt": "2021-02-03T18:42:53.007Z"}}"#,
            r#"{"participantsLeave": {"userIds": ["2"]}}"#,
            r#"{"somethingNew": 5}"#,
        ];
        for raw in bad {
            assert!(parse(raw, &cx(&media), Locator::default()).is_err(), "{raw}");
        }
    }
}
