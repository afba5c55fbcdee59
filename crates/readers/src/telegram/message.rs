//! One Telegram message object to a [`Record`].

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use crate::intern::Accounts;
use crate::json_scan::lite::{self, Lite, LiteMap};
use jiff::tz::TimeZone;
use trove_model::{
    AccountRef, Attachment, ConversationRef, EventKind, Locator, Reaction, Record, RecordKind,
    Timestamp, UrlRef,
};

use crate::json_scan::{error_offset, error_reason};
use crate::media::Located;
use crate::timefmt;

/// What the record holds of a modelled key, by the shape it must have.
#[derive(Clone, Copy)]
enum Expect {
    /// A string, or an array of strings and entity objects.
    Text,
    /// An array.
    Entities,
    /// A number (or a numeric string, as re-saved exports write them).
    Size,
    /// A string or a number.
    Id,
    /// A string.
    Str,
}

/// Keys of a regular message that the record represents completely, and
/// the shape each must have; any other key (`None`) makes the reader keep
/// the message's JSON in `raw`. One `match` on the text, not a scan of a
/// list: called for every key.
fn expect(key: &str) -> Option<Expect> {
    Some(match key {
        "text" => Expect::Text,
        "text_entities" => Expect::Entities,
        "photo_file_size"
        | "width"
        | "height"
        | "file_size"
        | "thumbnail_file_size"
        | "duration_seconds" => Expect::Size,
        "id"
        | "reply_to_message_id"
        | "date_unixtime"
        | "edited_unixtime"
        | "from_id"
        | "forwarded_from_id" => Expect::Id,
        "type" | "date" | "edited" | "from" | "forwarded_from" | "photo" | "file" | "file_name"
        | "thumbnail" | "media_type" | "mime_type" => Expect::Str,
        _ => return None,
    })
}

/// Whether a modelled key's value has the shape the record holds whole; a
/// value of another shape is passed over by the record, so the message
/// keeps its JSON and the field is reported.
fn fits(expect: Expect, value: &Lite<'_>) -> bool {
    match (expect, value) {
        (_, Lite::Null) => true,
        (Expect::Text | Expect::Str, Lite::String(_)) => true,
        (Expect::Text, Lite::Array(parts)) => {
            parts.iter().all(|p| matches!(p, Lite::String(_) | Lite::Object(_)))
        }
        (Expect::Entities, Lite::Array(_)) => true,
        (Expect::Size | Expect::Id, Lite::Number(_)) => true,
        (Expect::Size, Lite::String(n)) => n.trim().parse::<f64>().is_ok(),
        (Expect::Id, Lite::String(_)) => true,
        _ => false,
    }
}

/// What every message of one chat shares.
pub(super) struct Chat<'a> {
    /// The conversation records belong to.
    pub conversation: ConversationRef,
    /// The chat's own numeric id, when the export states it (for
    /// recognising same-chat `reply_to_peer_id`).
    pub chat_id: Option<&'a str>,
    /// The size of the export's file at a path relative to `result.json`,
    /// when the input holds it.
    pub media: &'a dyn Fn(&str) -> Option<Located>,
    /// Zone asserted for zone-less times, and its name.
    pub zone: &'a TimeZone,
    /// Name of `zone`.
    pub zone_name: &'a Arc<str>,
    /// Senders named so far in this chat, shared across its records. In a
    /// cell because the chat is shared with every parse; each borrow ends
    /// within the call that takes it.
    pub accounts: RefCell<Accounts>,
}

/// Why a message could not be read: a byte offset within the message's
/// bytes and a reason.
pub(super) type Failure = (usize, String);

/// Parses one message element into a record; the modelled fields whose odd
/// shape the record could not hold go to `odd` (the record then keeps its
/// JSON). `locator` already points at `bytes`.
pub(super) fn parse(
    bytes: &[u8],
    chat: &Chat<'_>,
    locator: Locator,
    odd: &mut Vec<String>,
) -> Result<Record, Failure> {
    let map = parse_object(bytes)?;
    let id = map.get("id").and_then(id_text);
    // Named only in reasons: built when one is given, not per message.
    let label = || match &id {
        Some(id) => format!("message {id}"),
        None => "message without id".to_string(),
    };
    let kind = map.get("type").and_then(Lite::as_str).unwrap_or("message");
    if kind == "unsupported" {
        return Err((
            0,
            format!(
                "{} has type `unsupported`: the exporter wrote neither its date nor its content",
                label()
            ),
        ));
    }
    let sent_at = time(&map, "date_unixtime", "date", chat)
        .map_err(|e| (0, format!("{}: {e}", label())))?
        .ok_or_else(|| (0, format!("{} has neither `date_unixtime` nor `date`", label())))?;
    // An unreadable edit time is not worth losing the message over; the
    // JSON is kept instead.
    let edited = time(&map, "edited_unixtime", "edited", chat);
    let broken_edit = edited.is_err();
    let edited_at = edited.unwrap_or(None);
    let (text, urls) = text_and_urls(&map);
    let attachments = attachments(&map, chat);
    let (reactions, anonymous_reactions) = reactions(&map, chat);
    let raw_text = || crate::json_scan::lossy_string(bytes);

    let mut record = Record {
        kind: RecordKind::Message,
        platform: trove_model::platform::TELEGRAM,
        conversation: chat.conversation.clone(),
        native_id: id,
        sent_at,
        text,
        urls,
        attachments,
        reactions,
        locator,
        edited_at,
        ..Record::default()
    };

    if kind == "service" {
        service(&map, &mut record, chat);
        // The action's own fields (titles, member names, durations) stay
        // whole for the reader of the evidence.
        record.raw = Some(raw_text());
        return Ok(record);
    }

    record.sender = account(&map, "from_id", "from", chat);
    record.forwarded_from = name_or_id(&map, "forwarded_from", "forwarded_from_id")
        .or_else(|| non_empty_str(map.get("saved_from")));
    let cross_chat_reply = match map.get("reply_to_peer_id").and_then(id_text) {
        Some(peer) => !same_chat(&peer, chat.chat_id),
        None => false,
    };
    if !cross_chat_reply {
        record.reply_to = map.get("reply_to_message_id").and_then(id_text);
    }
    let mut unmodelled = false;
    for (key, value) in map.entries() {
        match expect(key) {
            None => unmodelled = true,
            Some(shape) if !fits(shape, value) => {
                odd.push(format!("`{key}` is {}", value.kind_name()));
            }
            Some(_) => {}
        }
    }
    let unknown_type = kind != "message";
    // `"forwarded_from": null`: forwarded from someone the export cannot name.
    let unnamed_forward =
        record.forwarded_from.is_none() && map.get("forwarded_from").is_some_and(Lite::is_null);
    if unmodelled
        || unknown_type
        || anonymous_reactions
        || cross_chat_reply
        || broken_edit
        || unnamed_forward
        || !odd.is_empty()
    {
        record.raw = Some(raw_text());
    }
    Ok(record)
}

/// Parses the bytes as a JSON object, repairing Telegram's invalid `\xNN`
/// escapes when strict parsing fails.
pub(super) fn parse_object(bytes: &[u8]) -> Result<LiteMap<'_>, Failure> {
    let parsed = match lite::from_slice(bytes) {
        Ok(value) => value,
        Err(first) => {
            let failure = (error_offset(bytes, &first), error_reason(&first));
            let Some(repaired) = repair_hex_escapes(bytes) else {
                return Err(failure);
            };
            lite::from_slice_owned(&repaired).map_err(|_| failure)?
        }
    };
    match parsed {
        Lite::Object(map) => Ok(map),
        other => Err((0, format!("expected a message object, found {}", other.kind_name()))),
    }
}

/// Rewrites `\xNN` escapes inside strings to `\u00NN`; `None` when there
/// are none. Tdesktop's `SerializeString` writes control bytes that way,
/// which no JSON parser accepts. An escaped backslash before `x` (`\\x`) is
/// text and stays as it is.
pub(super) fn repair_hex_escapes(bytes: &[u8]) -> Option<Vec<u8>> {
    memchr::memmem::find(bytes, b"\\x")?;
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut changed = false;
    let mut in_string = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if in_string && b == b'\\' {
            let next = bytes.get(i + 1).copied();
            if next == Some(b'x')
                && let (Some(&h), Some(&l)) = (bytes.get(i + 2), bytes.get(i + 3))
                && h.is_ascii_hexdigit()
                && l.is_ascii_hexdigit()
            {
                out.extend_from_slice(b"\\u00");
                out.push(h);
                out.push(l);
                changed = true;
                i += 4;
                continue;
            }
            out.push(b);
            if let Some(next) = next {
                out.push(next);
            }
            i += 2;
            continue;
        }
        if b == b'"' {
            in_string = !in_string;
        }
        out.push(b);
        i += 1;
    }
    changed.then_some(out)
}

/// An id as text: numbers as written (never through f64 for integers),
/// non-empty strings as they are.
pub(super) fn id_text(value: &Lite<'_>) -> Option<String> {
    match value {
        Lite::Number(n) => Some(n.to_string()),
        Lite::String(s) if !s.trim().is_empty() => Some(s.to_string()),
        _ => None,
    }
}

/// [`id_text`] of a [`serde_json::Value`].
pub(super) fn id_text_value(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn non_empty_str(value: Option<&Lite<'_>>) -> Option<String> {
    value.and_then(Lite::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The time of `unix_key` (epoch seconds, UTC) or else of `local_key` (the
/// exporting machine's wall clock without offset, read in the asserted
/// zone). `Ok(None)` when neither is present.
fn time(
    map: &LiteMap<'_>,
    unix_key: &str,
    local_key: &str,
    chat: &Chat<'_>,
) -> Result<Option<Timestamp>, String> {
    let unix = map.get(unix_key).and_then(|v| match v {
        Lite::String(s) => Some(s.to_string()),
        Lite::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let mut problem = None;
    if let Some(unix) = unix {
        match epoch_ms(&unix) {
            Some(ms) => return Ok(Some(Timestamp::utc(ms, unix))),
            None => problem = Some(format!("`{unix_key}` `{}` is not a Unix time", shorten(&unix))),
        }
    }
    match map.get(local_key).and_then(Lite::as_str) {
        // A broken epoch falls back to the local text the same message
        // states, whose zone the user asserted.
        Some(local) => local_time(local, chat).map(Some).map_err(|e| match problem {
            Some(p) => format!("{p}, and `{local_key}` {e}"),
            None => format!("`{local_key}` {e}"),
        }),
        None => match problem {
            Some(p) => Err(p),
            None => Ok(None),
        },
    }
}

/// A zone-less local time read in the asserted zone.
fn local_time(text: &str, chat: &Chat<'_>) -> Result<Timestamp, String> {
    timefmt::parse_timestamp(text, chat.zone, chat.zone_name)
        .map(|mut t| {
            t.original = text.to_string();
            t
        })
        .map_err(|e| format!("`{}` cannot be read: {e}", shorten(text)))
}

/// Epoch seconds as milliseconds.
fn epoch_ms(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok()?.checked_mul(1000)
}

/// Quotes at most 60 characters of untrusted text.
fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if out.len() < text.len() {
        out.push_str("...");
    }
    out.escape_debug().to_string()
}

/// The account in `id_key` (`user123`, or a bare number in exports before
/// April 2021) labelled with the name in `name_key` (`null` for deleted
/// accounts). Without an id the name is the id, as for every source that
/// names people only.
fn account(map: &LiteMap<'_>, id_key: &str, name_key: &str, chat: &Chat<'_>) -> Option<AccountRef> {
    let name = map.get(name_key).and_then(Lite::as_str).filter(|s| !s.is_empty());
    // The common case, a text id, is looked up without a copy.
    let id: Option<Cow<'_, str>> = match map.get(id_key) {
        Some(Lite::String(s)) if !s.trim().is_empty() => Some(Cow::Borrowed(s.as_ref())),
        Some(other) => id_text(other).map(Cow::Owned),
        None => None,
    };
    let mut accounts = chat.accounts.borrow_mut();
    match (id, name) {
        (Some(id), name) => Some(accounts.get(&id, name, None)),
        (None, Some(name)) => Some(accounts.get(name, Some(name), None)),
        (None, None) => None,
    }
}

fn named(name: &str, chat: &Chat<'_>) -> AccountRef {
    chat.accounts.borrow_mut().get(name, Some(name), None)
}

fn name_or_id(map: &LiteMap<'_>, name_key: &str, id_key: &str) -> Option<String> {
    non_empty_str(map.get(name_key)).or_else(|| map.get(id_key).and_then(id_text))
}

/// Whether `peer` (`channel123`, `chat123`, `user123` or a number) names the
/// chat whose bare id is `chat_id`.
fn same_chat(peer: &str, chat_id: Option<&str>) -> bool {
    let Some(chat_id) = chat_id else { return false };
    let bare = peer.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    bare == chat_id || bare.trim_start_matches("-100") == chat_id
}

/// The plain text (every run of `text`, or of `text_entities` when `text`
/// is absent, concatenated) and the link targets.
fn text_and_urls(map: &LiteMap<'_>) -> (String, Vec<UrlRef>) {
    let mut text = String::new();
    match map.get("text") {
        Some(Lite::String(s)) => text.push_str(s),
        Some(Lite::Array(parts)) => {
            for part in parts {
                match part {
                    Lite::String(s) => text.push_str(s),
                    Lite::Object(o) => {
                        if let Some(s) = o.get("text").and_then(Lite::as_str) {
                            text.push_str(s);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {
            if let Some(Lite::Array(parts)) = map.get("text_entities") {
                for part in parts {
                    if let Some(s) = part.get("text").and_then(Lite::as_str) {
                        text.push_str(s);
                    }
                }
            }
        }
    }
    // `text_entities` (2022+) always lists entities as objects; older files
    // have them only inside an array `text`.
    let entities = match (map.get("text_entities"), map.get("text")) {
        (Some(Lite::Array(parts)), _) => parts.as_slice(),
        (_, Some(Lite::Array(parts))) => parts.as_slice(),
        _ => &[],
    };
    let mut urls = Vec::new();
    for entity in entities {
        let kind = entity.get("type").and_then(Lite::as_str);
        let url = match kind {
            Some("link") => entity.get("text").and_then(Lite::as_str),
            Some("text_link") => entity.get("href").and_then(Lite::as_str),
            _ => None,
        };
        if let Some(url) = url.filter(|u| !u.is_empty()) {
            urls.push(UrlRef { url: url.to_string(), expanded: None });
        }
    }
    (text, urls)
}

/// Photos, documents and vCards, with sizes from the input's listing when
/// the file is in it, else from the export's own size fields.
fn attachments(map: &LiteMap<'_>, chat: &Chat<'_>) -> Vec<Attachment> {
    let mut out = Vec::new();
    let size_of = |key: &str| map.get(key).and_then(Lite::as_u64);
    if let Some(photo) = map.get("photo").and_then(Lite::as_str) {
        out.push(file_ref(photo, None, "photo".to_string(), size_of("photo_file_size"), chat));
    }
    if let Some(file) = map.get("file").and_then(Lite::as_str) {
        let kind = non_empty_str(map.get("media_type"))
            .or_else(|| non_empty_str(map.get("mime_type")))
            .unwrap_or_else(|| "file".to_string());
        let name = non_empty_str(map.get("file_name"));
        out.push(file_ref(file, name, kind, size_of("file_size"), chat));
    }
    if let Some(vcard) = map.get("contact_vcard").and_then(Lite::as_str) {
        out.push(file_ref(vcard, None, "contact_vcard".to_string(), None, chat));
    }
    out
}

fn file_ref(
    path: &str,
    name: Option<String>,
    kind: String,
    stated_size: Option<u64>,
    chat: &Chat<'_>,
) -> Attachment {
    // "(File not included. Change data exporting settings to download.)"
    // and its siblings stand where the path would be.
    let placeholder = path.starts_with('(');
    let relative = path.trim_start_matches("./");
    let name = name
        .or_else(|| {
            (!placeholder).then(|| relative.rsplit('/').next().unwrap_or(relative).to_string())
        })
        .unwrap_or_default();
    let (entry, listed) = Located::split(if placeholder { None } else { (chat.media)(relative) });
    Attachment {
        name,
        reference: path.to_string(),
        kind: Some(kind),
        size: listed.or(stated_size),
        sha256: None,
        entry,
    }
}

/// Reactions whose reactors the export names (`recent`), and whether some
/// counted reactions have no named reactor.
fn reactions(map: &LiteMap<'_>, chat: &Chat<'_>) -> (Vec<Reaction>, bool) {
    let Some(Lite::Array(list)) = map.get("reactions") else {
        return (Vec::new(), false);
    };
    let mut out = Vec::new();
    let mut anonymous = false;
    for reaction in list {
        let key = reaction
            .get("emoji")
            .and_then(Lite::as_str)
            .or_else(|| reaction.get("document_id").and_then(Lite::as_str))
            .or_else(|| reaction.get("type").and_then(Lite::as_str))
            .unwrap_or("reaction")
            .to_string();
        let recent: &[Lite<'_>] = match reaction.get("recent") {
            Some(Lite::Array(recent)) => recent,
            _ => &[],
        };
        let count = reaction.get("count").and_then(Lite::as_u64).unwrap_or(0);
        if count > recent.len() as u64 {
            anonymous = true;
        }
        for who in recent {
            let Lite::Object(who) = who else { continue };
            let Some(sender) = account(who, "from_id", "from", chat) else {
                anonymous = true;
                continue;
            };
            let at = who
                .get("date_unixtime")
                .and_then(Lite::as_str)
                .and_then(|u| epoch_ms(u).map(|ms| Timestamp::utc(ms, u)))
                .or_else(|| {
                    who.get("date").and_then(Lite::as_str).and_then(|d| local_time(d, chat).ok())
                });
            out.push(Reaction {
                sender_id: sender.native_id.to_string(),
                key: key.clone(),
                at,
                native_id: None,
            });
        }
    }
    (out, anonymous)
}

/// Fills in an event from a service message's `action`.
fn service(map: &LiteMap<'_>, record: &mut Record, chat: &Chat<'_>) {
    let actor = account(map, "actor_id", "actor", chat);
    let who = actor
        .as_ref()
        .map(|a| a.display_name.as_deref().unwrap_or(&a.native_id).to_string())
        .unwrap_or_else(|| "someone".to_string());
    let members: Vec<AccountRef> = match map.get("members") {
        Some(Lite::Array(list)) => list
            .iter()
            .filter_map(|m| m.as_str())
            .filter(|m| !m.is_empty())
            .map(|m| named(m, chat))
            .collect(),
        _ => Vec::new(),
    };
    let member_names = members.iter().map(|m| &*m.native_id).collect::<Vec<_>>().join(", ");
    let title = non_empty_str(map.get("title"));
    let action = map.get("action").and_then(Lite::as_str).map(str::to_string);
    let quoted = |t: &Option<String>| t.as_deref().map(|t| format!(" \"{t}\"")).unwrap_or_default();
    let (kind, text) = match action.as_deref() {
        Some("create_group") => {
            record.targets = members.clone();
            (EventKind::Join, format!("{who} created group{} with {member_names}", quoted(&title)))
        }
        Some("invite_members") => {
            record.targets = members.clone();
            (EventKind::Join, format!("{who} added {member_names}"))
        }
        Some("join_group_by_link") => {
            let inviter = non_empty_str(map.get("inviter"));
            record.targets = actor.iter().cloned().collect();
            let via = inviter.map(|i| format!(" created by {i}")).unwrap_or_default();
            (EventKind::Join, format!("{who} joined the group via an invite link{via}"))
        }
        Some("join_group_by_request") => {
            record.targets = actor.iter().cloned().collect();
            (EventKind::Join, format!("{who} joined the group after a request"))
        }
        Some("remove_members") => {
            // Members are names only; someone removing just themselves left,
            // and is then named by the actor's id.
            let actor_name = actor.as_ref().and_then(|a| a.display_name.as_deref());
            if matches!(members.as_slice(), [only] if Some(&*only.native_id) == actor_name) {
                record.targets = actor.iter().cloned().collect();
                (EventKind::Leave, format!("{who} left"))
            } else {
                record.targets = members.clone();
                (EventKind::Leave, format!("{who} removed {member_names}"))
            }
        }
        Some("edit_group_title") => {
            if title.is_some() {
                record.conversation.name = title.as_deref().map(Arc::from);
            }
            (EventKind::Rename, format!("{who} renamed the group to{}", quoted(&title)))
        }
        Some(other) => {
            let detail = match other {
                "pin_message" => {
                    map.get("message_id").and_then(id_text).map(|id| format!(" (message {id})"))
                }
                "migrate_from_group" | "create_channel" | "topic_created" => {
                    title.as_ref().map(|t| format!(" \"{t}\""))
                }
                "phone_call" | "group_call" => map
                    .get("duration_seconds")
                    .or_else(|| map.get("duration"))
                    .and_then(Lite::as_u64)
                    .map(|s| format!(" ({s} s)")),
                _ => None,
            };
            (
                EventKind::Other(other.to_string()),
                format!("{other} by {who}{}", detail.unwrap_or_default()),
            )
        }
        None => match non_empty_str(map.get("information_text")) {
            Some(info) => (EventKind::Other("information_text".to_string()), info),
            None => (EventKind::Other("service".to_string()), format!("service message by {who}")),
        },
    };
    record.kind = RecordKind::Event(kind);
    record.sender = actor;
    record.text = text;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hex_escapes_are_repaired_inside_strings_only() {
        let fixed = repair_hex_escapes(br#"{"t": "a\x0Bb \\x41 \"\x1f"}"#).unwrap();
        assert_eq!(fixed, br#"{"t": "a\u000Bb \\x41 \"\u001f"}"#.to_vec());
        let v: serde_json::Value = serde_json::from_slice(&fixed).unwrap();
        assert_eq!(v["t"], "a\u{b}b \\x41 \"\u{1f}");
        assert_eq!(repair_hex_escapes(br#"{"t": "\\x41"}"#), None);
        assert_eq!(repair_hex_escapes(br#"{"t": "plain"}"#), None);
        assert_eq!(repair_hex_escapes(br#"{"t": "\x4"}"#), None);
    }

    #[test]
    fn epochs() {
        assert_eq!(epoch_ms("1652135033"), Some(1_652_135_033_000));
        assert_eq!(epoch_ms("0"), Some(0));
        assert_eq!(epoch_ms(""), None);
        assert_eq!(epoch_ms("16521x"), None);
        assert_eq!(epoch_ms("99999999999999999999"), None);
    }

    #[test]
    fn peers() {
        assert!(same_chat("channel1234", Some("1234")));
        assert!(same_chat("1234", Some("1234")));
        assert!(!same_chat("channel12345", Some("1234")));
        assert!(!same_chat("channel1234", None));
    }
}
