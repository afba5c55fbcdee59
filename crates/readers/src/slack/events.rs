//! Slack event logs: what a bot or logger saved from the RTM API or the
//! Events API, one JSON event per line. A line is an RTM event
//! (`{"type":"message","channel":"C1","user":"U1","text":"hi","ts":"…"}`),
//! an Events API callback wrapping one (`{"type":"event_callback",
//! "team_id":"T1","event":{…}}`), or a Socket Mode envelope wrapping that
//! (`{"type":"events_api","payload":{…}}`).
//!
//! Edits and deletions are events of their own that point at an earlier
//! message, so a log is read in two passes, as Matrix exports are. The
//! first collects only `message_changed` versions and `message_deleted`
//! targets (memory grows with the number of edits, not with the log) and
//! account names from `user_change` / `team_join`; the second emits every
//! record, and a message carries
//!
//! * `edits`: its earlier texts, oldest first, starting with the text it
//!   was sent with; `text` is the latest version, `edited_at` its time
//!   (`message_changed` events that leave the text as it was, such as link
//!   unfurls, add no version);
//! * `deleted`: when a `message_deleted` event names it (its text, as the
//!   log saw it before the deletion, is kept).
//!
//! The edit and deletion events are ALSO records of their own, so every
//! version can be cited to its line: `Other("edit")` (text: the new
//! version, sender: the editor) and `Other("deletion")` (text: `deleted
//! <ts>`), each with `reply_to` naming the target. An edit of a message
//! the log never saw survives as its event.
//!
//! Thread replies (`thread_ts`) and joins (`channel_join`,
//! `member_joined_channel`) read as in exports. Events with no
//! conversation (`hello`, `user_typing`, `presence_change`, …) and the
//! `message_replied` notices that restate a thread's parent are not
//! records: they are counted, by type, in an `events_not_kept` notice.
//! Names come from a `users.json` beside the log (a folder or zip holding
//! both), from `user_change` events, and from a message's `user_profile`.
//!
//! Scope: the workspace id the log's own events name most often (`team_id`
//! of callbacks, `team` of events), else that of `users.json`, else the
//! export's folder or zip name; a channel of the log and the same channel
//! of a workspace export are then one conversation.

use std::collections::{HashMap, HashSet};
use std::io::BufReader;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;
use trove_model::{ConversationRef, Edit, EventKind, Locator, Record, RecordKind};
use trove_model::{Timestamp, platform::SLACK};

use super::{Day, Reader, UserJson, raw_text, slack_time};
use crate::bounded_lines::Lines;
use crate::entities::decode_entities;
use crate::{Notice, NoticeKind, ReadError};

/// The fields of an event line that say what it is and where it belongs.
/// Each is kept raw, so that a field of an odd shape never costs the line.
#[derive(Deserialize, Default)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    subtype: Option<&'a RawValue>,
    #[serde(borrow, default)]
    channel: Option<&'a RawValue>,
    #[serde(borrow, default)]
    team: Option<&'a RawValue>,
    #[serde(borrow, default)]
    team_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
    #[serde(borrow, default)]
    previous_message: Option<&'a RawValue>,
    #[serde(borrow, default)]
    deleted_ts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    ts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    event_ts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    user: Option<&'a RawValue>,
    #[serde(borrow, default)]
    inviter: Option<&'a RawValue>,
    #[serde(borrow, default)]
    item: Option<&'a RawValue>,
    #[serde(borrow, default)]
    edited: Option<&'a RawValue>,
    #[serde(borrow, default)]
    text: Option<&'a RawValue>,
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

/// One event, out of whatever envelopes wrapped it.
struct Event<'a> {
    fields: Envelope<'a>,
    /// The event object's own JSON.
    json: &'a str,
    /// Where it sits in its line: `$`, `$.event`, `$.payload.event`.
    path: &'static str,
    /// The workspace the envelope names.
    team: Option<String>,
}

impl<'a> Event<'a> {
    /// The event of one line. `Err` says why the line is not one.
    fn of_line(line: &'a str) -> Result<Event<'a>, String> {
        let mut event = Event { fields: parse(line)?, json: line, path: "$", team: None };
        let mut path = "$";
        for _ in 0..2 {
            let inner = match (text(event.fields.kind).as_deref(), event.fields.payload) {
                (Some("events_api"), Some(payload)) => payload,
                _ => match event.fields.event {
                    Some(inner) if is_object(inner) => inner,
                    _ => break,
                },
            };
            let team = text(event.fields.team_id).or_else(|| text(event.fields.team));
            path = match path {
                "$" if event.fields.event.is_some() => "$.event",
                "$" => "$.payload",
                _ => "$.payload.event",
            };
            event = Event {
                fields: parse(inner.get())?,
                json: inner.get(),
                path,
                team: team.or(event.team),
            };
        }
        if event.team.is_none() {
            event.team = text(event.fields.team);
        }
        Ok(event)
    }

    fn kind(&self) -> String {
        text(self.fields.kind).unwrap_or_default()
    }

    fn subtype(&self) -> String {
        text(self.fields.subtype).unwrap_or_default()
    }

    /// The conversation: `channel` as an id or as an object with one, else
    /// the `item`'s (reactions, pins).
    fn channel(&self) -> Option<String> {
        id_of(self.fields.channel).or_else(|| {
            let item = parse(self.fields.item?.get()).ok()?;
            id_of(item.channel)
        })
    }

    /// When: `ts`, else `event_ts`.
    fn time(&self) -> Option<Timestamp> {
        [self.fields.ts, self.fields.event_ts]
            .into_iter()
            .filter_map(text)
            .find_map(|ts| slack_time(&ts).ok())
    }
}

fn parse(json: &str) -> Result<Envelope<'_>, String> {
    serde_json::from_str(json).map_err(|e| super::error_reason(&e))
}

fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

/// A string's content or a number's digits.
fn text(raw: Option<&RawValue>) -> Option<String> {
    raw.and_then(raw_text).filter(|t| !t.is_empty())
}

/// An id written as a string, or as an object's `id`.
fn id_of(raw: Option<&RawValue>) -> Option<String> {
    let raw = raw?;
    if is_object(raw) { parse(raw.get()).ok().and_then(|o| text(o.id)) } else { text(Some(raw)) }
}

/// A message object inside an event (`message`, `previous_message`).
struct Inner {
    ts: Option<String>,
    text: String,
    user: Option<String>,
    edited_at: Option<Timestamp>,
    editor: Option<String>,
}

fn inner_message(raw: Option<&RawValue>) -> Option<Inner> {
    let fields = parse(raw?.get()).ok()?;
    let edited = fields.edited.and_then(|e| parse(e.get()).ok());
    Some(Inner {
        ts: text(fields.ts),
        text: text(fields.text).map(|t| decode_entities(&t).into_owned()).unwrap_or_default(),
        user: text(fields.user),
        edited_at: edited.as_ref().and_then(|e| text(e.ts)).and_then(|ts| slack_time(&ts).ok()),
        editor: edited.and_then(|e| text(e.user)),
    })
}

/// A later text of a message.
struct Version {
    at: Timestamp,
    text: String,
    /// Line order, for versions with equal times.
    seq: usize,
}

/// What the first pass learns of messages from the events that point at
/// them, by channel then `ts`.
#[derive(Default)]
struct Relations {
    versions: HashMap<String, HashMap<String, Vec<Version>>>,
    deleted: HashMap<String, HashSet<String>>,
    /// How often each workspace id is named.
    teams: HashMap<String, usize>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Lines the first pass parses: the rest only matter in the second.
const RELATION_WORDS: [&[u8]; 4] =
    [b"message_changed", b"message_deleted", b"user_change", b"team_join"];
/// Lines whose workspace ids are counted for the scope.
const TEAM_SAMPLE: usize = 1000;

/// Event types without a conversation or content: counted, not kept.
fn not_kept_reason(kind: &str) -> &'static str {
    match kind {
        "user_change" | "team_join" => "read for account names",
        "message_replied" => "they restate a thread's parent; its replies are read on their own",
        _ => "no message or time in them (typing, presence, connection and other notices)",
    }
}

impl Reader<'_> {
    /// Reads one event log entry in two passes.
    pub(super) fn event_log(
        &mut self,
        name: &str,
        scope: Option<&Arc<str>>,
    ) -> Result<(), ReadError> {
        let relations = self.relations(name)?;
        let log_team = relations
            .teams
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(team, _)| Arc::from(team.as_str()));
        let scope = log_team.or_else(|| scope.cloned());
        let input = self.input;
        let display = input.display_entry(name);
        let entry: Option<Arc<str>> = input.source_of(name).1.map(Arc::from);
        let limit = self.options.max_record_bytes;
        let mut not_kept: HashMap<String, (u64, u64)> = HashMap::new();
        input.with_entry(name, |reader| {
            let mut lines = Lines {
                inner: BufReader::with_capacity(256 * 1024, reader),
                offset: 0,
                line: 0,
                limit,
            };
            let mut buf = Vec::new();
            let mut reported = 0;
            while let Some((offset, number)) =
                lines.next(&mut buf).map_err(|e| e.into_read_error(&display, limit))?
            {
                if lines.offset - reported >= super::PROGRESS_STEP {
                    reported = lines.offset;
                    self.sink.progress(reported);
                }
                let bytes = buf.strip_suffix(b"\r").unwrap_or(&buf);
                let bom = if offset == 0 && bytes.starts_with(BOM) { BOM.len() } else { 0 };
                let bytes = &bytes[bom..];
                if bytes.trim_ascii().is_empty() {
                    continue;
                }
                let start = offset + bom as u64;
                let line = crate::utf8::lossy(bytes);
                let event = match Event::of_line(&line) {
                    Ok(event) => event,
                    Err(reason) => {
                        self.skip(
                            &display,
                            start,
                            format!("line {number}: not a Slack event: {reason}"),
                        );
                        continue;
                    }
                };
                let locator = Locator {
                    entry: entry.clone(),
                    offset: start,
                    length: bytes.len() as u64,
                    line: Some(number),
                    json_path: (event.path != "$").then(|| event.path.to_string()),
                };
                let at = LogLine { display: &display, number, locator, scope: scope.as_ref() };
                match self.event(&event, at, &relations)? {
                    Kept::Yes => {}
                    Kept::No(kind) => {
                        not_kept.entry(kind).or_insert((0, start)).0 += 1;
                    }
                }
            }
            self.sink.progress(lines.offset);
            Ok(())
        })?;
        let mut not_kept: Vec<(String, (u64, u64))> = not_kept.into_iter().collect();
        not_kept.sort();
        for (kind, (count, first)) in not_kept {
            self.sink.notice(Notice {
                file: display.clone(),
                offset: first,
                kind: NoticeKind::EventsNotKept,
                count,
                reason: format!("slack `{kind}` events: {}", not_kept_reason(&kind)),
            });
        }
        Ok(())
    }

    /// The first pass: edits, deletions, names and the workspace.
    fn relations(&mut self, name: &str) -> Result<Relations, ReadError> {
        let input = self.input;
        let display = input.display_entry(name);
        let limit = self.options.max_record_bytes;
        let mut relations = Relations::default();
        let finders: Vec<memchr::memmem::Finder<'_>> =
            RELATION_WORDS.iter().map(memchr::memmem::Finder::new).collect();
        input.with_entry(name, |reader| {
            let mut lines = Lines {
                inner: BufReader::with_capacity(256 * 1024, reader),
                offset: 0,
                line: 0,
                limit,
            };
            let mut buf = Vec::new();
            let mut seq = 0usize;
            while lines.next(&mut buf).map_err(|e| e.into_read_error(&display, limit))?.is_some() {
                let sampling = (lines.line as usize) <= TEAM_SAMPLE;
                if !sampling && !finders.iter().any(|f| f.find(&buf).is_some()) {
                    continue;
                }
                let line = crate::utf8::lossy(&buf);
                let Ok(event) = Event::of_line(line.trim_start_matches('\u{feff}')) else {
                    continue;
                };
                if sampling && let Some(team) = event.team.clone() {
                    *relations.teams.entry(team).or_insert(0) += 1;
                }
                seq += 1;
                self.learn(&event, &mut relations, seq);
            }
            Ok(())
        })?;
        Ok(relations)
    }

    fn learn(&mut self, event: &Event<'_>, relations: &mut Relations, seq: usize) {
        let kind = event.kind();
        if kind == "user_change" || kind == "team_join" {
            let user =
                event.fields.user.and_then(|u| serde_json::from_str::<UserJson>(u.get()).ok());
            if let Some(user) = user {
                self.learn_user(user);
            }
            return;
        }
        if kind != "message" {
            return;
        }
        let Some(channel) = event.channel() else { return };
        match event.subtype().as_str() {
            "message_changed" => {
                let Some(new) = inner_message(event.fields.message) else { return };
                let Some(ts) = new.ts else { return };
                let Some(at) = new.edited_at.or_else(|| event.time()) else { return };
                relations
                    .versions
                    .entry(channel)
                    .or_default()
                    .entry(ts)
                    .or_default()
                    .push(Version { at, text: new.text, seq });
            }
            "message_deleted" => {
                let target = text(event.fields.deleted_ts)
                    .or_else(|| inner_message(event.fields.previous_message).and_then(|m| m.ts));
                if let Some(ts) = target {
                    relations.deleted.entry(channel).or_default().insert(ts);
                }
            }
            _ => {}
        }
    }

    /// The second pass, for one event.
    fn event(
        &mut self,
        event: &Event<'_>,
        at: LogLine<'_>,
        relations: &Relations,
    ) -> Result<Kept, ReadError> {
        let kind = event.kind();
        let subtype = event.subtype();
        let keep_as_event = match (kind.as_str(), subtype.as_str()) {
            ("message", "message_replied") | ("user_change" | "team_join", _) => {
                return Ok(Kept::No(if kind == "message" { subtype } else { kind }));
            }
            ("message", "message_changed" | "message_deleted") => false,
            ("message", _) => {
                let Some(channel) = event.channel() else {
                    self.skip(
                        at.display,
                        at.locator.offset,
                        format!("line {}: a message event without a channel", at.number),
                    );
                    return Ok(Kept::Yes);
                };
                let conversation = self.channel(&channel, at.scope);
                let day = Day {
                    display: at.display,
                    entry: at.locator.entry.clone(),
                    conversation: &conversation,
                };
                let place = format!("line {}", at.number);
                let Some(mut record) =
                    self.message_record(&day, at.locator, event.json.as_bytes(), &place)
                else {
                    return Ok(Kept::Yes);
                };
                if record.is_message() {
                    apply(&mut record, &channel, relations);
                }
                self.sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))?;
                return Ok(Kept::Yes);
            }
            _ => true,
        };
        let Some(channel) = event.channel() else {
            return Ok(Kept::No(if kind.is_empty() { "(no type)".to_string() } else { kind }));
        };
        let Some(sent_at) = event.time() else {
            return Ok(Kept::No(kind));
        };
        let conversation = self.channel(&channel, at.scope);
        let mut record = Record {
            kind: RecordKind::Event(EventKind::Other(kind.clone())),
            platform: SLACK,
            conversation,
            sent_at,
            locator: at.locator,
            ..Record::default()
        };
        if keep_as_event {
            let user = text(event.fields.user).map(|u| self.account(&u, None));
            match kind.as_str() {
                "member_joined_channel" | "member_left_channel" => {
                    record.kind = RecordKind::Event(if kind == "member_joined_channel" {
                        EventKind::Join
                    } else {
                        EventKind::Leave
                    });
                    record.sender = text(event.fields.inviter)
                        .map(|i| self.account(&i, None))
                        .or_else(|| user.clone());
                    record.targets = user.into_iter().collect();
                }
                _ => {
                    record.sender = user;
                    record.text = text(event.fields.name).unwrap_or_default();
                    record.raw = Some(event.json.to_string());
                }
            }
        } else if subtype == "message_changed" {
            let Some(new) = inner_message(event.fields.message) else {
                self.skip(
                    at.display,
                    record.locator.offset,
                    format!(
                        "line {}: a `message_changed` event without a readable `message`",
                        at.number
                    ),
                );
                return Ok(Kept::Yes);
            };
            record.kind = RecordKind::Event(EventKind::Other("edit".to_string()));
            if let Some(edited_at) = new.edited_at {
                record.sent_at = edited_at;
            }
            record.sender = new.editor.or(new.user).map(|u| self.account(&u, None));
            record.text = new.text;
            record.reply_to = new.ts;
        } else {
            let target = text(event.fields.deleted_ts)
                .or_else(|| inner_message(event.fields.previous_message).and_then(|m| m.ts));
            record.kind = RecordKind::Event(EventKind::Other("deletion".to_string()));
            record.text = format!("deleted {}", target.as_deref().unwrap_or("a message"));
            record.reply_to = target;
        }
        self.sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))?;
        Ok(Kept::Yes)
    }

    /// A channel id as a conversation of this read: named where
    /// `channels.json` & co name it.
    fn channel(&self, id: &str, scope: Option<&Arc<str>>) -> ConversationRef {
        let mut conversation = self.conversations.get(id).cloned().unwrap_or_else(|| {
            ConversationRef { native_id: Arc::from(id), name: None, scope: None }
        });
        conversation.scope = scope.cloned();
        conversation
    }
}

/// Where a line is, for its records and skips.
struct LogLine<'a> {
    display: &'a str,
    number: u64,
    locator: Locator,
    scope: Option<&'a Arc<str>>,
}

/// Whether an event became a record (or a skip), or is counted as not kept
/// under its type.
enum Kept {
    Yes,
    No(String),
}

/// Folds the first pass's versions and deletion into a message.
fn apply(record: &mut Record, channel: &str, relations: &Relations) {
    let Some(ts) = record.native_id.as_deref() else { return };
    if relations.deleted.get(channel).is_some_and(|d| d.contains(ts)) {
        record.deleted = true;
    }
    let Some(versions) = relations.versions.get(channel).and_then(|v| v.get(ts)) else { return };
    let mut versions: Vec<&Version> = versions.iter().collect();
    versions.sort_by_key(|v| (v.at.utc_ms, v.seq));
    let mut history = vec![Edit { at: Some(record.sent_at.clone()), text: record.text.clone() }];
    let mut latest_at = None;
    for version in versions {
        if history.last().is_some_and(|last| last.text == version.text) {
            continue;
        }
        history.push(Edit { at: Some(version.at.clone()), text: version.text.clone() });
        latest_at = Some(version.at.clone());
    }
    if let Some(latest) = history.pop().filter(|_| !history.is_empty()) {
        record.text = latest.text;
        record.edited_at = latest_at;
        record.edits = history;
    }
}

/// Whether the first lines of `head` are Slack events: at least one
/// message in a channel (or an Events API callback), and no more lines
/// that are not JSON objects with a `type` than such messages.
pub(super) fn is_event_log(head: &[u8]) -> bool {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    if head.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return false;
    }
    let complete = match memchr::memrchr(b'\n', head) {
        Some(end) => &head[..end],
        None => head,
    };
    let (mut slack, mut other) = (0, 0);
    for line in complete.split(|b| *b == b'\n').take(50) {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let event = std::str::from_utf8(line).ok().and_then(|line| Event::of_line(line).ok());
        let Some(event) = event.filter(|e| !e.kind().is_empty()) else {
            // A cut or garbled line is no proof against a log.
            other += 1;
            continue;
        };
        let kind = event.kind();
        let callback = event.path != "$";
        if callback || (kind == "message" && event.channel().is_some() && event.time().is_some()) {
            slack += 1;
        }
    }
    slack > 0 && slack >= other
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_opened() {
        let rtm = r#"{"type":"message","channel":"C1","user":"U1","text":"hi","ts":"1.000001","team":"T9"}"#;
        let event = Event::of_line(rtm).unwrap();
        assert_eq!((event.path, event.team.as_deref()), ("$", Some("T9")));
        let callback = r#"{"type":"event_callback","team_id":"T1","event":{"type":"message","channel":"C1","ts":"1.2"}}"#;
        let event = Event::of_line(callback).unwrap();
        assert_eq!((event.path, event.team.as_deref()), ("$.event", Some("T1")));
        assert_eq!(event.channel().as_deref(), Some("C1"));
        let socket = format!(r#"{{"envelope_id":"x","type":"events_api","payload":{callback}}}"#);
        let event = Event::of_line(&socket).unwrap();
        assert_eq!((event.path, event.team.as_deref()), ("$.payload.event", Some("T1")));
        assert_eq!(event.kind(), "message");
    }

    #[test]
    fn channels_as_ids_objects_or_items() {
        let object =
            Event::of_line(r#"{"type":"channel_rename","channel":{"id":"C2","name":"x"}}"#)
                .unwrap();
        assert_eq!(object.channel().as_deref(), Some("C2"));
        let item = Event::of_line(r#"{"type":"reaction_added","item":{"type":"message","channel":"C3","ts":"1458208082.000002"},"event_ts":"1458208090.000100"}"#).unwrap();
        assert_eq!(item.channel().as_deref(), Some("C3"));
        assert_eq!(item.time().unwrap().utc_ms, 1_458_208_090_000);
    }

    #[test]
    fn logs_are_told_from_other_json_lines() {
        assert!(is_event_log(b"{\"type\":\"hello\"}\n{\"type\":\"message\",\"channel\":\"C1\",\"ts\":\"1458208082.000002\",\"text\":\"x\"}\n"));
        assert!(!is_event_log(b"{\"from\":\"a\",\"text\":\"x\",\"date\":\"2020-01-01\"}\n"));
        assert!(!is_event_log(b"{\"type\":\"hello\"}\n"));
        assert!(!is_event_log(b"[{\"type\":\"message\",\"ts\":\"1458208082.000002\"}]"));
    }
}
