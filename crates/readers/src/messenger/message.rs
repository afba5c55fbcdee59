//! One DYI message object and its translation into a record.
//!
//! Legacy and E2EE exports name the same things differently
//! (`sender_name`/`senderName`, `timestamp_ms`/`timestamp`,
//! `content`/`text`, `is_unsent`/`isUnsent`, typed media lists/`media`), so
//! the object is read as a JSON map and each field looked up under either
//! name. A message that uses keys this reader does not map keeps its whole
//! JSON in `raw`.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::json_scan::lite::{self, Lite, LiteMap};
use trove_model::{
    AccountRef, Attachment, ConversationRef, EventKind, Locator, Reaction, Record, RecordKind,
    Timestamp, UrlRef,
};

use crate::intern::Accounts;
use crate::json_scan::error_reason;

/// Repairs Meta's mojibake: DYI JSON writes every UTF-8 byte of a string as
/// its own `\u00XX` escape, so `é` arrives as the two characters `Ã©`.
///
/// When every character is at most U+00FF and those characters, taken as
/// Latin-1 bytes, are valid UTF-8, the decoded text is returned; otherwise
/// the string is returned unchanged (not every string is mojibake: a
/// `\u201c` or plain `é` in a proper UTF-8 string stays as it is).
pub fn repair_mojibake(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || text.chars().any(|c| u32::from(c) > 0xFF) {
        return Cow::Borrowed(text);
    }
    let bytes: Vec<u8> = text.chars().map(|c| u32::from(c) as u8).collect();
    match String::from_utf8(bytes) {
        Ok(repaired) => Cow::Owned(repaired),
        Err(_) => Cow::Borrowed(text),
    }
}

fn repaired(text: &str) -> String {
    repair_mojibake(text).into_owned()
}

/// A name as an account: DYI gives no ids, so the (repaired) display name
/// is the id as well.
pub(super) fn named(name: &str, accounts: &mut Accounts) -> AccountRef {
    accounts.get(name, Some(name), None)
}

/// What translating one message needs to know.
pub(super) struct Context<'a> {
    pub platform: &'static str,
    pub conversation: &'a ConversationRef,
    /// Container members by name, with their sizes.
    pub sizes: &'a HashMap<String, u64>,
    /// The folders an attachment `uri` may be relative to, longest first:
    /// every ancestor of the thread file, since the export root is not
    /// marked.
    pub roots: &'a [String],
    /// Senders named so far in this thread, shared across its records.
    pub accounts: Accounts,
}

/// Keys whose meaning is fully carried by the record; any other key keeps
/// the message's JSON in `raw`.
fn is_mapped(key: &str) -> bool {
    // A `match` on the text, not a scan of a list: called for every key.
    matches!(
        key,
        "sender_name"
            | "senderName"
            | "timestamp_ms"
            | "timestamp"
            | "content"
            | "text"
            | "type"
            | "photos"
            | "videos"
            | "audio_files"
            | "files"
            | "gifs"
            | "sticker"
            | "media"
            | "share"
            | "reactions"
            | "users"
            | "is_unsent"
            | "isUnsent"
    )
}

/// Flags that carry nothing while false; `true` keeps the raw JSON.
fn is_false_flag(key: &str) -> bool {
    matches!(key, "is_geoblocked_for_viewer" | "is_unsent_image_by_messenger_kid_parent")
}

/// What an optional field of an odd shape costs: the field, with a word in
/// `dropped` (the message keeps its JSON in `raw`).
fn lenient<T: Default>(result: Result<T, String>, dropped: &mut Vec<String>) -> T {
    result.unwrap_or_else(|why| {
        dropped.push(why);
        T::default()
    })
}

/// Translates the message object `raw`; the reasons for the optional fields
/// it dropped (odd shapes; the record then keeps its JSON in `raw`) go to
/// `dropped`. `Err` is the reason for a skip.
pub(super) fn parse(
    raw: &str,
    cx: &mut Context<'_>,
    locator: Locator,
    dropped: &mut Vec<String>,
) -> Result<Record, String> {
    let map = lite::map_from_str(raw)
        .map_err(|e| format!("not a message object: {}", error_reason(&e)))?;
    let mut keep_raw = map.keys().any(|k| {
        let mapped = is_mapped(k);
        let idle_flag = is_false_flag(k) && map.get(k) == Some(&Lite::Bool(false));
        !mapped && !idle_flag
    });

    dropped.clear();
    let sender =
        lenient(string(&map, &["sender_name", "senderName"]), dropped).map(repair_mojibake);
    let sent_at = timestamp(&map)?;
    let text =
        lenient(string(&map, &["content", "text"]), dropped).map(repaired).unwrap_or_default();
    let kind = lenient(string(&map, &["type"]), dropped);
    let deleted = lenient(flag(&map, &["is_unsent", "isUnsent"]), dropped);

    let mut attachments = Vec::new();
    for (key, kind) in [
        ("photos", Some("image")),
        ("videos", Some("video")),
        ("audio_files", Some("audio")),
        ("files", Some("file")),
        ("gifs", Some("gif")),
        ("media", None),
    ] {
        match map.get(key) {
            None | Some(Lite::Null) => {}
            Some(Lite::Array(items)) => {
                for item in items {
                    match item.get("uri").and_then(Lite::as_str) {
                        Some(uri) => attachments.push(attachment(uri, kind, cx)),
                        None => keep_raw = true,
                    }
                }
            }
            Some(_) => dropped.push(format!("`{key}` is not a list")),
        }
    }
    match map.get("sticker") {
        None | Some(Lite::Null) => {}
        Some(sticker) => match sticker.get("uri").and_then(Lite::as_str) {
            Some(uri) => attachments.push(attachment(uri, Some("sticker"), cx)),
            None => keep_raw = true,
        },
    }

    let mut urls = Vec::new();
    match map.get("share") {
        None | Some(Lite::Null) => {}
        Some(Lite::Object(share)) => {
            match share.get("link") {
                None | Some(Lite::Null) => {}
                Some(Lite::String(link)) => {
                    urls.push(UrlRef { url: repaired(link), expanded: None });
                }
                Some(other) => {
                    dropped.push(format!("`share.link` is not a string: {}", short(other)));
                }
            }
            // share_text, original_content_owner, ...: only in raw.
            if share.keys().any(|k| k != "link") {
                keep_raw = true;
            }
        }
        Some(_) => dropped.push("`share` is not an object".to_string()),
    }

    let mut reactions = Vec::new();
    match map.get("reactions") {
        None | Some(Lite::Null) => {}
        Some(Lite::Array(items)) => {
            for item in items {
                match reaction(item) {
                    Some(r) => reactions.push(r),
                    // An odd reaction does not cost the message.
                    None => keep_raw = true,
                }
            }
        }
        Some(_) => dropped.push("`reactions` is not a list".to_string()),
    }

    let users: Vec<AccountRef> = match map.get("users") {
        None | Some(Lite::Null) => Vec::new(),
        Some(Lite::Array(items)) => items
            .iter()
            .filter_map(|u| match u {
                Lite::String(name) => Some(name.as_ref()),
                other => other.get("name").and_then(Lite::as_str),
            })
            .map(|name| named(&repair_mojibake(name), &mut cx.accounts))
            .collect(),
        Some(_) => {
            dropped.push("`users` is not a list".to_string());
            Vec::new()
        }
    };

    let mut record = Record {
        kind: RecordKind::Message,
        platform: cx.platform,
        conversation: cx.conversation.clone(),
        native_id: None,
        sender: sender.map(|name| named(&name, &mut cx.accounts)),
        sent_at,
        text,
        reactions,
        urls,
        attachments,
        locator,
        deleted,
        ..Record::default()
    };
    match kind {
        // 2024 exports dropped `type`; a share is a message with a link.
        None | Some("Generic") | Some("Share") => {}
        Some("Subscribe") | Some("Unsubscribe") => {
            let join = kind == Some("Subscribe");
            record.kind = RecordKind::Event(if join { EventKind::Join } else { EventKind::Leave });
            if record.text.is_empty() {
                // Exports localise the sentence; this one is only a fallback.
                let whom: Vec<&str> = users.iter().map(|u| &*u.native_id).collect();
                let verb = if join { "added" } else { "removed" };
                record.text = match &record.sender {
                    Some(by) => format!("{} {verb} {}", by.native_id, whom.join(", ")),
                    None => format!("{} {}", whom.join(", "), if join { "joined" } else { "left" }),
                };
            }
            record.targets = users;
        }
        Some(other) => {
            // Calls and types this reader does not know: events, kept whole.
            let name = if other == "Call" { "call".to_string() } else { other.to_string() };
            if record.text.is_empty() {
                record.text = name.clone();
            }
            record.kind = RecordKind::Event(EventKind::Other(name));
            record.targets = users;
            keep_raw = true;
        }
    }
    if keep_raw || !dropped.is_empty() {
        record.raw = Some(raw.to_string());
    }
    Ok(record)
}

/// The first of `keys` present: a string, or `None` when absent or null.
fn string<'m>(map: &'m LiteMap<'_>, keys: &[&str]) -> Result<Option<&'m str>, String> {
    for key in keys {
        match map.get(key) {
            None | Some(Lite::Null) => continue,
            Some(Lite::String(s)) => return Ok(Some(s)),
            Some(other) => return Err(format!("`{key}` is not a string: {}", short(other))),
        }
    }
    Ok(None)
}

fn flag(map: &LiteMap<'_>, keys: &[&str]) -> Result<bool, String> {
    for key in keys {
        match map.get(key) {
            None | Some(Lite::Null) => continue,
            Some(Lite::Bool(b)) => return Ok(*b),
            Some(other) => return Err(format!("`{key}` is not true or false: {}", short(other))),
        }
    }
    Ok(false)
}

/// `timestamp_ms` (legacy) or `timestamp` (E2EE): Unix milliseconds, UTC.
fn timestamp(map: &LiteMap<'_>) -> Result<Timestamp, String> {
    let Some((key, value)) = ["timestamp_ms", "timestamp"]
        .iter()
        .find_map(|k| map.get(k).filter(|v| !v.is_null()).map(|v| (*k, v)))
    else {
        return Err("message has no timestamp_ms".to_string());
    };
    let (ms, original) = match value {
        Lite::Number(n) => (n.as_i64(), n.to_string()),
        // Some tools re-save ids and times as strings.
        Lite::String(s) => (s.trim().parse::<i64>().ok(), s.to_string()),
        other => (None, short(other)),
    };
    let ms =
        ms.ok_or_else(|| format!("`{key}` {} is not an integer of milliseconds", short(value)))?;
    if jiff::Timestamp::from_millisecond(ms).is_err() {
        return Err(format!("`{key}` {} is out of range", short(value)));
    }
    Ok(Timestamp::utc(ms, original))
}

fn reaction(item: &Lite<'_>) -> Option<Reaction> {
    let key = item.get("reaction").and_then(Lite::as_str)?;
    let actor = item.get("actor").and_then(Lite::as_str)?;
    // Newer exports may carry a time (UNVERIFIED unit: seconds or ms).
    let at = item.get("timestamp").and_then(Lite::as_i64).and_then(|t| {
        let ms = if t.abs() < 100_000_000_000 { t.checked_mul(1000)? } else { t };
        jiff::Timestamp::from_millisecond(ms).ok()?;
        Some(Timestamp::utc(ms, t.to_string()))
    });
    Some(Reaction { sender_id: repaired(actor), key: repaired(key), at, native_id: None })
}

fn attachment(uri: &str, kind: Option<&str>, cx: &Context<'_>) -> Attachment {
    let reference = repaired(uri);
    let path = reference.split(['?', '#']).next().unwrap_or(&reference);
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    let kind = kind.map(str::to_string).or_else(|| Some(kind_of(&name).to_string()));
    let (entry, size) = if is_url(uri) {
        (None, None)
    } else {
        // Exports name files as the (repaired) text says; try the bytes as
        // written too.
        let relative = |u: &str| u.trim_start_matches("./").trim_start_matches('/').to_string();
        let tries = [relative(&reference), relative(uri)];
        cx.roots
            .iter()
            .flat_map(|root| tries.iter().map(move |t| format!("{root}{t}")))
            .find_map(|candidate| {
                let size = cx.sizes.get(&candidate).copied()?;
                Some((Some(candidate), Some(size)))
            })
            .unwrap_or((None, None))
    };
    Attachment { name, reference, kind, size, sha256: None, entry }
}

fn is_url(uri: &str) -> bool {
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A kind for E2EE `media`, which does not say (by extension).
fn kind_of(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" | "png" | "webp" | "heic" | "bmp" => "image",
        "gif" => "gif",
        "mp4" | "mov" | "webm" | "m4v" | "3gp" => "video",
        "mp3" | "m4a" | "aac" | "ogg" | "opus" | "wav" | "amr" => "audio",
        _ => "file",
    }
}

/// A value for an error message, shortened.
fn short(value: &Lite<'_>) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_repaired_only_when_it_is_mojibake() {
        assert_eq!(repair_mojibake("Moi tt fa\u{00c3}\u{00a7}on"), "Moi tt façon");
        assert_eq!(repair_mojibake("\u{00f0}\u{009f}\u{0098}\u{00a0}"), "😠");
        assert_eq!(repair_mojibake("plain"), "plain");
        // Proper text stays: é alone is not valid UTF-8 as a byte.
        assert_eq!(repair_mojibake("café"), "café");
        assert_eq!(repair_mojibake("¿Qué?"), "¿Qué?");
        // A character above U+00FF means the string is not mojibake.
        let mixed = "\u{201c}fa\u{00c3}\u{00a7}on\u{201d}";
        assert_eq!(repair_mojibake(mixed), mixed);
        assert_eq!(repair_mojibake("Ã"), "Ã");
        assert!(matches!(repair_mojibake("abc"), Cow::Borrowed(_)));
    }

    #[test]
    fn kinds_by_extension() {
        assert_eq!(kind_of("a.JPG"), "image");
        assert_eq!(kind_of("clip.mp4"), "video");
        assert_eq!(kind_of("x.gif"), "gif");
        assert_eq!(kind_of("voice.m4a"), "audio");
        assert_eq!(kind_of("noext"), "file");
    }
}
