//! `rsmf_manifest.json` from [`OutMessage`]s, with the placeholder files
//! its attachments point to.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::RsmfError;
use super::time::Civil;
use crate::OutMessage;

/// The manifest (schema 2.0.0), in the schema's property names.
#[derive(Debug, Serialize)]
pub(super) struct Manifest {
    pub version: &'static str,
    pub participants: Vec<Participant>,
    pub conversations: Vec<Conversation>,
    pub events: Vec<Event>,
}

#[derive(Debug, Serialize)]
pub(super) struct Participant {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct Conversation {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    pub platform: String,
    pub participants: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct Event {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    pub conversation: String,
    pub timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom: Vec<Custom>,
}

#[derive(Debug, Serialize)]
pub(super) struct Attachment {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// A `custom` property: the schema wants `name` and `value`, both
/// non-empty strings.
#[derive(Debug, Serialize)]
pub(super) struct Custom {
    pub name: String,
    pub value: String,
}

/// A file to put into `rsmf.zip` next to the manifest.
#[derive(Debug)]
pub(super) struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A conversation as the summary lists it.
#[derive(Debug)]
pub(super) struct ConversationInfo {
    pub display: String,
    pub platform: String,
    pub events: usize,
}

/// Everything the e-mail needs besides the manifest itself.
#[derive(Debug)]
pub(super) struct Built {
    pub manifest: Manifest,
    pub files: Vec<File>,
    /// Earliest and latest event, UTC ms.
    pub range: Option<(i64, i64)>,
    pub attachments: usize,
    pub messages: usize,
    pub conversations: Vec<ConversationInfo>,
    /// Distinct platforms in order of appearance.
    pub platforms: Vec<String>,
}

/// Placeholder platform for messages without one: the schema requires a
/// non-empty `platform` on every conversation.
const NO_PLATFORM: &str = "unknown";

/// Builds the manifest of `messages`, events in input order.
pub(super) fn build(messages: &[OutMessage]) -> Result<Built, RsmfError> {
    let mut used_participants = HashSet::new();
    let mut participant_ids: HashMap<(Option<&str>, Option<&str>), String> = HashMap::new();
    let mut participants = Vec::new();
    let mut used_conversations = HashSet::new();
    let mut conversation_index: HashMap<&str, usize> = HashMap::new();
    let mut conversations: Vec<Conversation> = Vec::new();
    let mut infos: Vec<ConversationInfo> = Vec::new();
    let mut platforms: Vec<String> = Vec::new();

    // A parent must be an event of the same conversation (schema
    // description of `parent`); anything else would dangle.
    let present: HashSet<(&str, &str)> =
        messages.iter().map(|m| (m.conversation_id.as_str(), m.id.as_str())).collect();

    let mut events = Vec::with_capacity(messages.len());
    let mut files = Vec::new();
    let mut range: Option<(i64, i64)> = None;
    let mut messages_count = 0;

    for (index, m) in messages.iter().enumerate() {
        let civil = Civil::from_ms(m.sent_at_ms).ok_or_else(|| RsmfError::Time {
            what: format!("message `{}`", m.id),
            ms: m.sent_at_ms,
        })?;
        range = Some(match range {
            None => (m.sent_at_ms, m.sent_at_ms),
            Some((lo, hi)) => (lo.min(m.sent_at_ms), hi.max(m.sent_at_ms)),
        });

        let sender_id = non_empty(m.sender_id.as_deref());
        let sender = non_empty(m.sender.as_deref());
        let participant = match (sender_id, sender) {
            (None, None) => None,
            key => Some(
                participant_ids
                    .entry(key)
                    .or_insert_with(|| {
                        // Ids stay unique even when one sender id comes
                        // with two names (a rename within the export), so
                        // every message keeps the name it was sent under.
                        let base = sender_id.or(sender).unwrap_or_default();
                        let id = unique(base, &mut used_participants);
                        participants.push(Participant {
                            id: id.clone(),
                            display: sender.map(str::to_string),
                        });
                        id
                    })
                    .clone(),
            ),
        };

        let slot = *conversation_index.entry(m.conversation_id.as_str()).or_insert_with(|| {
            let base = non_empty(Some(&m.conversation_id)).unwrap_or("conversation");
            let platform = non_empty(Some(&m.platform)).unwrap_or(NO_PLATFORM).to_string();
            if !platforms.contains(&platform) {
                platforms.push(platform.clone());
            }
            conversations.push(Conversation {
                id: unique(base, &mut used_conversations),
                display: non_empty(Some(&m.conversation)).map(str::to_string),
                platform: platform.clone(),
                participants: Vec::new(),
            });
            infos.push(ConversationInfo {
                display: non_empty(Some(&m.conversation)).unwrap_or(&m.conversation_id).to_string(),
                platform,
                events: 0,
            });
            conversations.len() - 1
        });
        // `slot` indexes both lists: they grow together, above.
        let conversation = &mut conversations[slot];
        infos[slot].events += 1;
        if let Some(pid) = &participant
            && !conversation.participants.contains(pid)
        {
            conversation.participants.push(pid.clone());
        }

        let (kind, event_kind) = match (m.kind.as_str(), m.event.as_deref()) {
            ("message", _) => {
                messages_count += 1;
                ("message", None)
            }
            ("event", Some("join")) => ("join", Some("join")),
            ("event", Some("leave")) => ("leave", Some("leave")),
            ("event", other) => ("unknown", Some(other.unwrap_or("event"))),
            (other, _) => ("unknown", Some(other)),
        };

        let mut custom = Vec::new();
        let mut add = |name: &str, value: &str| {
            if !value.is_empty() {
                custom.push(Custom { name: name.to_string(), value: value.to_string() });
            }
        };
        add("event_kind", event_kind.unwrap_or_default());
        add("native_id", m.native_id.as_deref().unwrap_or_default());
        add("source_sha256", &m.provenance.source_sha256);
        add("locator", &m.provenance.locator);
        add("text_sha256", &m.provenance.text_sha256);
        add("zone_assumed", m.zone_assumed.as_deref().unwrap_or_default());

        let parent = match m.reply_to.as_deref() {
            Some(parent)
                if parent != m.id && present.contains(&(m.conversation_id.as_str(), parent)) =>
            {
                Some(parent.to_string())
            }
            Some(parent) => {
                // Kept for the reviewer, where it cannot break a
                // cross-reference.
                add("reply_to_not_exported", parent);
                None
            }
            None => None,
        };

        let mut attachments = Vec::new();
        for (n, a) in m.attachments.iter().enumerate() {
            let id = format!("attachment-{}-{}.txt", index + 1, n + 1);
            if let Some(sha) = &a.sha256 {
                add(&format!("attachment_{}_sha256", n + 1), sha);
            }
            files.push(File { name: id.clone(), bytes: placeholder(m, a).into_bytes() });
            attachments.push(Attachment {
                id,
                display: non_empty(Some(&a.name)).map(str::to_string),
                size: a.size,
            });
        }

        events.push(Event {
            id: non_empty(Some(&m.id)).map(str::to_string),
            kind,
            participant,
            conversation: conversation.id.clone(),
            timestamp: civil.rfc3339(),
            body: non_empty(Some(&m.text)).map(str::to_string),
            parent,
            attachments,
            custom,
        });
    }

    Ok(Built {
        manifest: Manifest { version: "2.0.0", participants, conversations, events },
        attachments: files.len(),
        files,
        range,
        messages: messages_count,
        conversations: infos,
        platforms,
    })
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// `base`, or `base~2`, `base~3`, … whichever is not yet in `used`.
fn unique(base: &str, used: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 1;
    while used.contains(&id) {
        n += 1;
        id = format!("{base}~{n}");
    }
    used.insert(id.clone());
    id
}

/// The text standing in for an attachment whose bytes trove does not
/// export: what it was and how to find the original.
fn placeholder(m: &OutMessage, a: &crate::OutAttachment) -> String {
    let mut text = String::from(
        "The content of this attachment was not exported: this RSMF carries the\n\
         messages only. The original is in the source archive named below.\n\n",
    );
    text.push_str(&format!("name: {}\n", a.name));
    if let Some(size) = a.size {
        text.push_str(&format!("size: {size} bytes\n"));
    }
    if let Some(sha) = &a.sha256 {
        text.push_str(&format!("sha256: {sha}\n"));
    }
    text.push_str(&format!("message: {}\n", m.id));
    if !m.provenance.source_sha256.is_empty() {
        text.push_str(&format!("source sha256: {}\n", m.provenance.source_sha256));
    }
    if !m.provenance.locator.is_empty() {
        text.push_str(&format!("locator: {}\n", m.provenance.locator));
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::OutAttachment;

    fn message(id: &str, conversation: &str, sender: Option<(&str, &str)>) -> OutMessage {
        OutMessage {
            id: id.to_string(),
            kind: "message".to_string(),
            platform: "telegram".to_string(),
            conversation_id: conversation.to_string(),
            conversation: format!("Chat {conversation}"),
            sender_id: sender.map(|s| s.0.to_string()),
            sender: sender.map(|s| s.1.to_string()),
            sent_at_ms: 1_700_000_000_000,
            text: format!("text of {id}"),
            ..OutMessage::default()
        }
    }

    #[test]
    fn one_sender_id_under_two_names_gets_two_participants() {
        let built = build(&[
            message("m1", "c", Some(("u1", "Ann"))),
            message("m2", "c", Some(("u1", "Ann B."))),
            message("m3", "c", Some(("u1", "Ann"))),
            message("m4", "c", None),
        ])
        .unwrap();
        let ids: Vec<&str> = built.manifest.participants.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["u1", "u1~2"]);
        let senders: Vec<Option<&str>> =
            built.manifest.events.iter().map(|e| e.participant.as_deref()).collect();
        assert_eq!(senders, [Some("u1"), Some("u1~2"), Some("u1"), None]);
        assert_eq!(built.manifest.conversations[0].participants, ["u1", "u1~2"]);
    }

    #[test]
    fn dangling_and_cross_conversation_parents_are_dropped() {
        let mut reply = message("m2", "c", None);
        reply.reply_to = Some("m1".into());
        let mut cross = message("m3", "d", None);
        cross.reply_to = Some("m1".into());
        let mut gone = message("m4", "c", None);
        gone.reply_to = Some("m0".into());
        let built = build(&[message("m1", "c", None), reply, cross, gone]).unwrap();
        let parents: Vec<Option<&str>> =
            built.manifest.events.iter().map(|e| e.parent.as_deref()).collect();
        assert_eq!(parents, [None, Some("m1"), None, None]);
        let kept = &built.manifest.events[3].custom;
        assert!(kept.iter().any(|c| c.name == "reply_to_not_exported" && c.value == "m0"));
    }

    #[test]
    fn an_assumed_zone_is_a_custom_property() {
        let mut assumed = message("m1", "c", None);
        assumed.zone_assumed = Some("Europe/Moscow".into());
        let built = build(&[assumed, message("m2", "c", None)]).unwrap();
        let zones: Vec<Option<&str>> = built
            .manifest
            .events
            .iter()
            .map(|e| e.custom.iter().find(|c| c.name == "zone_assumed").map(|c| c.value.as_str()))
            .collect();
        assert_eq!(zones, [Some("Europe/Moscow"), None]);
    }

    #[test]
    fn attachments_get_placeholders() {
        let mut m = message("m1", "c", None);
        m.attachments = vec![
            OutAttachment { name: "a.png".into(), size: Some(10), sha256: Some("ab".into()) },
            OutAttachment { name: String::new(), size: None, sha256: None },
        ];
        let built = build(&[m]).unwrap();
        let event = &built.manifest.events[0];
        assert_eq!(event.attachments[0].id, "attachment-1-1.txt");
        assert_eq!(event.attachments[0].display.as_deref(), Some("a.png"));
        assert_eq!(event.attachments[1].display, None);
        assert_eq!(built.files.len(), 2);
        let text = String::from_utf8(built.files[0].bytes.clone()).unwrap();
        assert!(text.contains("not exported") && text.contains("sha256: ab"));
        assert!(event.custom.iter().any(|c| c.name == "attachment_1_sha256"));
    }

    #[test]
    fn times_outside_four_digit_years_are_refused() {
        let mut m = message("m1", "c", None);
        m.sent_at_ms = i64::MAX;
        let error = build(&[m]).unwrap_err().to_string();
        assert!(error.contains("m1"), "{error}");
    }
}
