//! signal-export's `data.json`: JSON Lines despite the name, one message
//! object per line:
//! `{"date", "sender", "body", "quote", "sticker", "reactions",
//! "attachments", "deleted", "call", "missed", "edits"}` (the last four in
//! newer versions).

use std::io::BufReader;

use serde_json::{Map, Value};
use trove_model::{Attachment, Edit, EventKind, Reaction, Record, RecordKind};

use super::lines::Lines;
use super::{Ctx, emit, kind_of_file};
use crate::media::Located;
use crate::{ReadError, Sink};

/// Keys the record represents completely.
const MODELLED: &[&str] =
    &["date", "sender", "body", "quote", "reactions", "attachments", "deleted", "edits"];

/// Reads one `data.json` entry.
pub(super) fn read(
    input: &crate::Input,
    name: &str,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    input.with_entry(name, |reader| {
        let mut lines = Lines::new(BufReader::with_capacity(256 * 1024, reader), ctx.max);
        let mut next_progress = super::PROGRESS_STEP;
        while let Some(line) = lines.next_line().map_err(|e| ReadError::io(&ctx.display, e))? {
            if lines.offset() >= next_progress {
                sink.progress(lines.offset());
                next_progress = lines.offset() + super::PROGRESS_STEP;
            }
            let n = line.number;
            if line.too_long {
                ctx.skip(
                    sink,
                    line.offset,
                    format!(
                        "line {n} is longer than the limit of {} bytes (max_record_bytes); \
                         passed over",
                        ctx.max
                    ),
                );
                continue;
            }
            if line.text.trim().is_empty() {
                continue;
            }
            let map = match serde_json::from_str::<Value>(&line.text) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    ctx.skip(sink, line.offset, format!("line {n}: not a JSON object"));
                    continue;
                }
                Err(e) => {
                    // Offsets count in the decoded text, which is longer than
                    // the line where invalid UTF-8 was replaced.
                    let inner = crate::json_scan::error_offset(line.text.as_bytes(), &e) as u64;
                    let at = line.offset + inner.min(line.length);
                    let reason = crate::json_scan::error_reason(&e);
                    ctx.skip(sink, at, format!("line {n}: not valid JSON: {reason}"));
                    continue;
                }
            };
            let locator = ctx.locator(line.offset, line.length, Some(n));
            match record(&map, &line.text, ctx, locator) {
                Ok(record) => emit(sink, record)?,
                Err(reason) => ctx.skip(sink, line.offset, format!("line {n}: {reason}")),
            }
        }
        sink.progress(lines.offset());
        Ok(())
    })
}

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(Value::as_str).map(str::to_string)
}

fn flag(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn record(
    map: &Map<String, Value>,
    line: &str,
    ctx: &Ctx<'_>,
    locator: trove_model::Locator,
) -> Result<Record, String> {
    let date = text(map, "date").ok_or("no `date`")?;
    let sent_at = ctx.local_time(&date, &date)?;
    let call = flag(map, "call");
    // signal-export appends two spaces to every body (Markdown line breaks).
    let body = text(map, "body").unwrap_or_default();
    let body = body.strip_suffix("  ").unwrap_or(&body).to_string();
    let deleted = flag(map, "deleted");
    let quote = text(map, "quote").filter(|q| !q.trim().is_empty());
    let sticker = map.get("sticker").filter(|s| !s.is_null() && s.as_str() != Some(""));

    let reactions = match map.get("reactions") {
        Some(Value::Array(list)) => list.iter().filter_map(reaction).collect(),
        _ => Vec::new(),
    };
    let mut attachments: Vec<Attachment> = match map.get("attachments") {
        Some(Value::Array(list)) => list.iter().filter_map(|a| attachment(a, ctx)).collect(),
        _ => Vec::new(),
    };
    if let Some(sticker) = sticker {
        attachments.push(sticker_attachment(sticker, ctx));
    }
    let edits = match map.get("edits") {
        Some(Value::Array(list)) => list
            .iter()
            .map(|e| Edit {
                at: e.get("date").and_then(Value::as_str).and_then(|d| ctx.local_time(d, d).ok()),
                text: e.get("body").and_then(Value::as_str).unwrap_or("").to_string(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let keep_raw = quote.is_some() || sticker.is_some() || has_extra(map);
    let kind = if call {
        RecordKind::Event(EventKind::Other("call".to_string()))
    } else {
        RecordKind::Message
    };
    Ok(Record {
        kind,
        platform: trove_model::platform::SIGNAL,
        conversation: ctx.conversation.clone(),
        sender: text(map, "sender").and_then(|s| ctx.account(&s)),
        sent_at,
        text: if deleted && body.is_empty() { String::new() } else { body },
        reactions,
        attachments,
        edits,
        deleted,
        locator,
        raw: keep_raw.then(|| line.to_string()),
        ..Record::default()
    })
}

/// Whether keys beyond the modelled ones carry anything (`"call": false`,
/// `"missed": false` and `"sticker": null` do not).
fn has_extra(map: &Map<String, Value>) -> bool {
    map.iter().any(|(k, v)| {
        !MODELLED.contains(&k.as_str())
            && !matches!(v, Value::Null | Value::Bool(false))
            && v.as_str() != Some("")
    })
}

/// `["Name", "👍"]` (a Python namedtuple) or `{"name", "emoji"}`.
fn reaction(value: &Value) -> Option<Reaction> {
    let (who, emoji) = match value {
        Value::Array(pair) => (pair.first()?.as_str()?, pair.get(1)?.as_str()?),
        Value::Object(o) => (o.get("name")?.as_str()?, o.get("emoji")?.as_str()?),
        _ => return None,
    };
    Some(Reaction { sender_id: who.to_string(), key: emoji.to_string(), at: None, native_id: None })
}

/// `{"name", "path", "missing_kind"}`; a missing file keeps its kind.
fn attachment(value: &Value, ctx: &Ctx<'_>) -> Option<Attachment> {
    let o = value.as_object()?;
    let name = o.get("name").and_then(Value::as_str).unwrap_or("").to_string();
    let path = o.get("path").and_then(Value::as_str).unwrap_or("").to_string();
    let missing = o.get("missing_kind").and_then(Value::as_str).filter(|k| !k.is_empty());
    Some(match missing {
        Some(kind) => Attachment {
            name,
            reference: path,
            kind: Some(kind.to_string()),
            size: None,
            sha256: None,
            entry: None,
        },
        None => {
            let (entry, size) = Located::split(ctx.locate(&path));
            Attachment {
                kind: kind_of_file(&path),
                size,
                name,
                reference: path,
                sha256: None,
                entry,
            }
        }
    })
}

/// `{"id", "packId", "packKey", "emoji", "extension"}` (older versions: the
/// emoji as a string).
fn sticker_attachment(value: &Value, ctx: &Ctx<'_>) -> Attachment {
    let field = |k: &str| value.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let label = value.as_str().or_else(|| field("emoji")).unwrap_or("sticker").to_string();
    let id = value.get("id").and_then(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let reference = match (field("packId"), id, field("extension")) {
        (Some(pack), Some(id), Some(ext)) => format!("../exported_stickers/{pack}/{id}.{ext}"),
        _ => String::new(),
    };
    let (entry, size) =
        Located::split(if reference.is_empty() { None } else { ctx.locate(&reference) });
    Attachment {
        size,
        name: label,
        reference,
        kind: Some("sticker".to_string()),
        sha256: None,
        entry,
    }
}
