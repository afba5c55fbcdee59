//! Matrix events as records, and the relations (reactions, edits,
//! redactions) that are folded into their targets.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::intern::{Accounts, Names};
use crate::json_scan::lite::{Lite, LiteMap};
use trove_model::{
    Attachment, ConversationRef, Edit, EventKind, Locator, Reaction, Record, RecordKind, Timestamp,
};

/// An edit of an earlier event (`rel_type: m.replace`).
#[derive(Debug, Clone)]
struct Version {
    sender: Option<String>,
    at: Timestamp,
    text: String,
    native_id: Option<String>,
    /// Position in the file, to order edits with equal times.
    seq: usize,
}

/// What the first pass learns about events from the events that point at
/// them.
#[derive(Debug, Default)]
pub(super) struct Relations {
    reactions: HashMap<String, Vec<Reaction>>,
    edits: HashMap<String, Vec<Version>>,
    redacted: HashSet<String>,
    /// The first `room_id` seen on any event.
    pub first_room: Option<String>,
    seq: usize,
}

fn str_at<'v>(map: &'v LiteMap<'_>, key: &str) -> Option<&'v str> {
    map.get(key).and_then(Lite::as_str)
}

fn obj_at<'v, 'a>(map: &'v LiteMap<'a>, key: &str) -> Option<&'v LiteMap<'a>> {
    map.get(key).and_then(Lite::as_object)
}

/// An id field as a string (numbers as written, never through f64).
fn id_at(map: &LiteMap<'_>, key: &str) -> Option<String> {
    match map.get(key)? {
        Lite::String(s) if !s.is_empty() => Some(s.to_string()),
        Lite::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `origin_server_ts` (ms since the epoch, UTC): an integer, or a numeric
/// string in re-serialised dumps.
fn timestamp(event: &LiteMap<'_>) -> Result<Timestamp, String> {
    let raw = event.get("origin_server_ts").ok_or("no origin_server_ts")?;
    let (ms, original) = match raw {
        Lite::Number(n) => {
            let ms = n.as_i64().or_else(|| {
                n.as_f64().filter(|f| f.is_finite() && f.abs() < 9.0e15).map(|f| f as i64)
            });
            (ms, n.to_string())
        }
        Lite::String(s) => (s.trim().parse::<i64>().ok(), s.to_string()),
        _ => (None, raw.to_string()),
    };
    let ms =
        ms.ok_or_else(|| format!("origin_server_ts `{original}` is not a number of milliseconds"))?;
    // Beyond what jiff (and any chat) can represent: year 10000.
    if !(-377_705_116_800_000..=253_402_300_799_999).contains(&ms) {
        return Err(format!("origin_server_ts `{original}` is out of range"));
    }
    Ok(Timestamp::utc(ms, original))
}

/// The relation of an event's content.
struct Relation<'v> {
    rel_type: Option<&'v str>,
    target: Option<&'v str>,
    key: Option<&'v str>,
    reply_to: Option<&'v str>,
    falling_back: bool,
}

fn relation<'v>(content: &'v LiteMap<'_>) -> Relation<'v> {
    let relates = obj_at(content, "m.relates_to");
    let get = |key: &str| relates.and_then(|r| str_at(r, key));
    Relation {
        rel_type: get("rel_type"),
        target: get("event_id"),
        key: get("key"),
        reply_to: relates
            .and_then(|r| obj_at(r, "m.in_reply_to"))
            .and_then(|r| str_at(r, "event_id")),
        falling_back: relates
            .and_then(|r| r.get("is_falling_back"))
            .and_then(Lite::as_bool)
            .unwrap_or(false),
    }
}

/// The text of an edit: `m.new_content.body`, else the fallback body
/// without its `* ` marker.
fn edit_text(content: &LiteMap<'_>) -> String {
    if let Some(body) = obj_at(content, "m.new_content").and_then(|n| str_at(n, "body")) {
        return body.to_string();
    }
    let body = str_at(content, "body").unwrap_or("");
    body.strip_prefix("* ").unwrap_or(body).to_string()
}

/// The target of a redaction: `content.redacts` (room v11) or the
/// top-level `redacts` (earlier rooms).
fn redaction_target(event: &LiteMap<'_>, content: &LiteMap<'_>) -> Option<String> {
    id_at(content, "redacts").or_else(|| id_at(event, "redacts"))
}

fn is_edit(kind: &str, relation: &Relation<'_>) -> bool {
    matches!(kind, "m.room.message" | "m.sticker") && relation.rel_type == Some("m.replace")
}

impl Relations {
    /// First pass: learns from one event.
    pub(super) fn learn(&mut self, event: &LiteMap<'_>) {
        self.seq += 1;
        if self.first_room.is_none() {
            self.first_room = id_at(event, "room_id");
        }
        let kind = str_at(event, "type").unwrap_or("");
        let empty = LiteMap::default();
        let content = obj_at(event, "content").unwrap_or(&empty);
        let relation = relation(content);
        let sender = str_at(event, "sender").map(str::to_string);
        let native_id = id_at(event, "event_id");
        match kind {
            "m.reaction" if relation.rel_type == Some("m.annotation") => {
                let (Some(target), Some(key)) = (relation.target, relation.key) else { return };
                self.reactions.entry(target.to_string()).or_default().push(Reaction {
                    sender_id: sender.unwrap_or_default(),
                    key: key.to_string(),
                    at: timestamp(event).ok(),
                    native_id,
                });
            }
            "m.room.redaction" => {
                if let Some(target) = redaction_target(event, content) {
                    self.redacted.insert(target);
                }
            }
            _ if is_edit(kind, &relation) => {
                let (Some(target), Ok(at)) = (relation.target, timestamp(event)) else { return };
                let version =
                    Version { sender, at, text: edit_text(content), native_id, seq: self.seq };
                self.edits.entry(target.to_string()).or_default().push(version);
            }
            _ => {}
        }
    }

    fn is_redacted(&self, id: &Option<String>) -> bool {
        id.as_ref().is_some_and(|id| self.redacted.contains(id))
    }
}

/// The server part of a Matrix id (`!room:server`, `@user:server`): a room
/// id is unique only with it, the scope of its conversation.
pub(super) fn homeserver(id: &str) -> Option<&str> {
    if !id.starts_with(['!', '@', '#']) {
        return None;
    }
    id.split_once(':').map(|(_, server)| server).filter(|server| !server.is_empty())
}

/// What every record of one file shares.
pub(super) struct Context<'a> {
    /// The conversation when an event names no `room_id`.
    pub conversation: Arc<str>,
    /// The room's name from the export header.
    pub room_name: Option<Arc<str>>,
    /// The homeserver of an event without a `room_id:server` of its own:
    /// the file's room id's, else the room creator's or exporter's.
    pub homeserver: Option<Arc<str>>,
    pub relations: &'a Relations,
    /// Rooms and senders named so far, shared across records.
    pub names: Names,
    /// The last room seen and its scope: events come room by room.
    pub last_scope: Option<(Arc<str>, Option<Arc<str>>)>,
}

/// The scope of room `room` (interned): its own homeserver, else the file's.
fn scope_of(room: &Arc<str>, cx: &mut Context<'_>) -> Option<Arc<str>> {
    if let Some((last, scope)) = &cx.last_scope
        && Arc::ptr_eq(last, room)
    {
        return scope.clone();
    }
    let scope = match homeserver(room) {
        Some(server) => Some(cx.names.strings.get(server)),
        None => cx.homeserver.clone(),
    };
    cx.last_scope = Some((Arc::clone(room), scope.clone()));
    scope
}

/// What a field a record is built from must be.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Object,
    String,
    Number,
}

/// The objects of an event whose fields a record reads.
#[derive(Clone, Copy)]
enum At {
    Event,
    Content,
    Info,
    RelatesTo,
    InReplyTo,
}

impl At {
    fn path(self) -> &'static str {
        match self {
            At::Event => "",
            At::Content => "content",
            At::Info => "content.info",
            At::RelatesTo => "content.m.relates_to",
            At::InReplyTo => "content.m.relates_to.m.in_reply_to",
        }
    }
}

/// The shape of field `key` of the object at `at`, where the record reads
/// it, and for an object whose fields it reads too, where that is.
fn expected(at: At, key: &str) -> Option<(Shape, Option<At>)> {
    Some(match (at, key) {
        (At::Event, "content") => (Shape::Object, Some(At::Content)),
        (At::Event, "unsigned") | (At::Content, "file" | "m.new_content") => (Shape::Object, None),
        (At::Content, "info") => (Shape::Object, Some(At::Info)),
        (At::Content, "m.relates_to") => (Shape::Object, Some(At::RelatesTo)),
        (At::RelatesTo, "m.in_reply_to") => (Shape::Object, Some(At::InReplyTo)),
        (At::Content, "body" | "msgtype" | "url" | "filename" | "format" | "formatted_body")
        | (At::Info, "mimetype")
        | (At::RelatesTo, "rel_type" | "event_id" | "key")
        | (At::InReplyTo, "event_id") => (Shape::String, None),
        (At::Info, "size") => (Shape::Number, None),
        _ => return None,
    })
}

/// The fields of `object` (at `at`) and of the objects it holds whose JSON
/// type the record cannot hold (`content.body` is a number): each is
/// passed over, so the event keeps its JSON.
fn odd_fields(at: At, object: &LiteMap<'_>, odd: &mut Vec<String>) {
    for (key, value) in object.entries() {
        let Some((shape, inner_at)) = expected(at, key) else { continue };
        let fits = matches!(
            (shape, value),
            (_, Lite::Null)
                | (Shape::Object, Lite::Object(_))
                | (Shape::String, Lite::String(_))
                | (Shape::Number, Lite::Number(_))
        );
        if !fits {
            let path = match at {
                At::Event => key.to_string(),
                _ => format!("{}.{key}", at.path()),
            };
            odd.push(format!("`{path}` is {}", value.kind_name()));
        } else if let (Lite::Object(inner), Some(inner_at)) = (value, inner_at) {
            odd_fields(inner_at, inner, odd);
        }
    }
}

/// Builds the record for one event, or says why it cannot be read. The
/// fields of an odd shape it passed over go to `odd` (the record then
/// keeps the event's JSON).
pub(super) fn record(
    event: &LiteMap<'_>,
    json: &[u8],
    locator: Locator,
    cx: &mut Context<'_>,
    odd: &mut Vec<String>,
) -> Result<Record, String> {
    let sent_at = timestamp(event)?;
    let kind = str_at(event, "type").unwrap_or("");
    let native_id = id_at(event, "event_id");
    let sender_id = str_at(event, "sender").filter(|s| !s.is_empty());
    let empty = LiteMap::default();
    let content = obj_at(event, "content").unwrap_or(&empty);
    let relation = relation(content);
    let room = match event.get("room_id") {
        Some(Lite::String(s)) if !s.is_empty() => cx.names.strings.get(s),
        Some(Lite::Number(n)) => cx.names.strings.get(&n.to_string()),
        _ => Arc::clone(&cx.conversation),
    };
    let redacted = obj_at(event, "unsigned").is_some_and(|u| u.contains_key("redacted_because"))
        || cx.relations.is_redacted(&native_id);
    let mut record = Record {
        kind: RecordKind::Message,
        platform: trove_model::platform::MATRIX,
        conversation: ConversationRef {
            scope: scope_of(&room, cx),
            native_id: room,
            name: cx.room_name.clone(),
        },
        native_id: native_id.clone(),
        sender: sender_id.map(|id| cx.names.accounts.id(id)),
        sent_at,
        locator,
        deleted: redacted,
        ..Record::default()
    };
    let event_kind = |name: &str| RecordKind::Event(EventKind::Other(name.to_string()));
    match kind {
        _ if is_edit(kind, &relation) => {
            record.kind = event_kind("edit");
            record.reply_to = relation.target.map(str::to_string);
            record.text = edit_text(content);
        }
        "m.room.message" | "m.sticker" => message(&mut record, kind, content, &relation, json, cx),
        "m.reaction" => {
            record.kind = event_kind("reaction");
            record.reply_to = relation.target.map(str::to_string);
            record.text = relation.key.unwrap_or("").to_string();
        }
        "m.room.redaction" => {
            record.kind = event_kind("redaction");
            let target = redaction_target(event, content);
            let reason = str_at(content, "reason").map(|r| format!(": {r}")).unwrap_or_default();
            record.text = format!("deleted {}{reason}", target.as_deref().unwrap_or("an event"));
            record.reply_to = target;
        }
        "m.room.member" => {
            member(&mut record, event, content, sender_id, &mut cx.names.accounts);
        }
        "m.room.name" => {
            record.kind = RecordKind::Event(EventKind::Rename);
            let name = str_at(content, "name").unwrap_or("").to_string();
            record.conversation.name = Some(Arc::from(name.as_str()));
            record.text = name;
        }
        "m.room.topic" => {
            record.kind = event_kind("topic");
            record.text = str_at(content, "topic").unwrap_or("").to_string();
        }
        other => {
            record.kind = event_kind(if other.is_empty() { "unknown" } else { other });
            record.text = str_at(content, "body").unwrap_or("").to_string();
            record.raw = Some(crate::json_scan::lossy_string(json));
        }
    }
    odd_fields(At::Event, event, odd);
    if !odd.is_empty() {
        record.raw = Some(crate::json_scan::lossy_string(json));
    }
    Ok(record)
}

/// Message types whose meaning the record's fields hold entirely.
const PLAIN: &[&str] = &["m.text", "m.notice", "m.image", "m.file", "m.video", "m.audio"];

fn message(
    record: &mut Record,
    kind: &str,
    content: &LiteMap<'_>,
    relation: &Relation<'_>,
    json: &[u8],
    cx: &Context<'_>,
) {
    let msgtype = str_at(content, "msgtype");
    let body = str_at(content, "body").unwrap_or("");
    record.text = match relation.reply_to {
        Some(_) if !relation.falling_back => strip_reply_fallback(body).to_string(),
        _ => body.to_string(),
    };
    if !relation.falling_back {
        record.reply_to = relation.reply_to.map(str::to_string);
    }
    if relation.rel_type == Some("m.thread") {
        record.thread = relation.target.map(str::to_string);
    }
    let media = kind == "m.sticker"
        || matches!(msgtype, Some("m.image" | "m.file" | "m.video" | "m.audio"));
    if media {
        let info = obj_at(content, "info");
        let reference = str_at(content, "url")
            .or_else(|| obj_at(content, "file").and_then(|f| str_at(f, "url")))
            .unwrap_or("");
        let kind_name =
            info.and_then(|i| str_at(i, "mimetype")).map(str::to_string).or_else(|| {
                Some(match kind {
                    "m.sticker" => "sticker".to_string(),
                    _ => msgtype.unwrap_or("m.file").trim_start_matches("m.").to_string(),
                })
            });
        record.attachments.push(Attachment {
            name: str_at(content, "filename").unwrap_or(body).to_string(),
            reference: reference.to_string(),
            kind: kind_name,
            size: info.and_then(|i| i.get("size")).and_then(Lite::as_u64),
            sha256: None,
            entry: None,
        });
    }
    let known = kind == "m.sticker" || msgtype.is_some_and(|t| PLAIN.contains(&t));
    // Emotes, locations, polls and unknown types: the record's fields do
    // not say everything, so the event is kept whole.
    if !known && !content.is_empty() {
        record.raw = Some(crate::json_scan::lossy_string(json));
    }
    let Some(id) = record.native_id.clone() else { return };
    let relations = cx.relations;
    if let Some(reactions) = relations.reactions.get(&id) {
        record.reactions =
            reactions.iter().filter(|r| !relations.is_redacted(&r.native_id)).cloned().collect();
    }
    if let Some(versions) = relations.edits.get(&id) {
        // Only the original sender may edit (Matrix ignores other edits).
        let original_sender = record.sender.as_ref().map(|s| &*s.native_id);
        let mut versions: Vec<&Version> = versions
            .iter()
            .filter(|v| v.sender.as_deref() == original_sender)
            .filter(|v| !relations.is_redacted(&v.native_id))
            .collect();
        versions.sort_by_key(|v| (v.at.utc_ms, v.seq));
        if let Some((latest, earlier)) = versions.split_last() {
            let mut edits =
                vec![Edit { at: Some(record.sent_at.clone()), text: record.text.clone() }];
            edits.extend(
                earlier.iter().map(|v| Edit { at: Some(v.at.clone()), text: v.text.clone() }),
            );
            record.edits = edits;
            record.text = latest.text.clone();
            record.edited_at = Some(latest.at.clone());
        }
    }
}

/// A reply's body without the quote of the replied-to message that older
/// clients put in front (`> <@alice:x> original\n> more\n\nreply`), as
/// Element shows it.
fn strip_reply_fallback(body: &str) -> &str {
    if !body.starts_with("> <") {
        return body;
    }
    let mut rest = body;
    while let Some(line_end) = rest.find('\n') {
        if !rest.starts_with('>') {
            break;
        }
        rest = &rest[line_end + 1..];
    }
    if rest.starts_with('>') {
        // Only quote lines: nothing of the reply's own.
        return body;
    }
    rest.strip_prefix('\n').unwrap_or(rest)
}

fn member(
    record: &mut Record,
    event: &LiteMap<'_>,
    content: &LiteMap<'_>,
    sender: Option<&str>,
    accounts: &mut Accounts,
) {
    let membership = str_at(content, "membership").unwrap_or("");
    let previous = obj_at(event, "unsigned")
        .and_then(|u| obj_at(u, "prev_content"))
        .or_else(|| obj_at(event, "prev_content"))
        .and_then(|p| str_at(p, "membership"));
    let target_id = str_at(event, "state_key").filter(|s| !s.is_empty()).or(sender).unwrap_or("");
    let display_name = str_at(content, "displayname").map(str::to_string);
    let who = display_name
        .as_deref()
        .map(|name| format!("{name} ({target_id})"))
        .unwrap_or_else(|| target_id.to_string());
    let by = sender.unwrap_or("someone");
    let own = sender == Some(target_id);
    let reason = str_at(content, "reason").map(|r| format!(": {r}")).unwrap_or_default();
    let other = |name: &str| RecordKind::Event(EventKind::Other(name.to_string()));
    let (kind, text) = match membership {
        "join" if previous == Some("join") => {
            (other("profile"), format!("{who} changed their profile"))
        }
        "join" => (RecordKind::Event(EventKind::Join), format!("{who} joined")),
        "leave" if own && previous == Some("invite") => {
            (RecordKind::Event(EventKind::Leave), format!("{who} rejected the invitation{reason}"))
        }
        "leave" if own => (RecordKind::Event(EventKind::Leave), format!("{who} left{reason}")),
        "leave" if previous == Some("ban") => (other("unban"), format!("{by} unbanned {who}")),
        "leave" => (RecordKind::Event(EventKind::Leave), format!("{by} removed {who}{reason}")),
        "ban" => (other("ban"), format!("{by} banned {who}{reason}")),
        "invite" => (other("invite"), format!("{by} invited {who}")),
        "knock" => (other("knock"), format!("{who} asked to join{reason}")),
        _ => (other("member"), format!("{who}: membership `{membership}`")),
    };
    record.kind = kind;
    record.text = text;
    record.targets = vec![accounts.get(target_id, display_name.as_deref(), None)];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_fallbacks() {
        assert_eq!(strip_reply_fallback("> <@a:x> hi\n> there\n\nreply"), "reply");
        assert_eq!(strip_reply_fallback("> <@a:x> hi\nreply"), "reply");
        assert_eq!(strip_reply_fallback("> <@a:x> only quote"), "> <@a:x> only quote");
        assert_eq!(strip_reply_fallback("plain > <x>"), "plain > <x>");
    }

    #[test]
    fn homeservers_scope_rooms() {
        assert_eq!(homeserver("!abc:matrix.org"), Some("matrix.org"));
        assert_eq!(homeserver("@alice:example.com:8448"), Some("example.com:8448"));
        assert_eq!(homeserver("Meeting: plans"), None, "a room name is no id");
        assert_eq!(homeserver("!abc"), None);
    }
}
