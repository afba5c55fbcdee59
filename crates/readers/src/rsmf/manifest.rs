//! `rsmf_manifest.json`: participants, conversations, events.
//!
//! The manifest is one JSON object; `events` may be long and is streamed
//! element by element with [`ObjectScanner`], after a first pass over the
//! other members (participants and conversations, which events refer to,
//! may come in any order).
//!
//! The manifest is checked by hand against the required fields and types of
//! Relativity's schema `rsmf_schema_2_0_0.json` (and the references between
//! its parts, as Relativity's validator does). A violation is reported as a
//! [`Skip`] whose reason starts with `RSMF schema:`; the reader still takes
//! what it can (an integer participant id is read as its digits), and only
//! an event without a `type` or with an unreadable time is left out.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use serde_json::value::RawValue;
use serde_json::{Map, Value};
use trove_model::{
    AccountRef, Attachment, ConversationRef, Edit, EventKind, Locator, Reaction, Record,
    RecordKind, TimeBasis, Timestamp,
};

use crate::json_scan::error_reason;
use crate::messenger::scan::{Captured, ObjectScanner};
use crate::{ReadError, ReadOptions, Sink, Skip};

/// Something that can hand out the manifest's bytes, once per pass.
pub(super) trait Open {
    fn open(
        &self,
        f: &mut dyn FnMut(&mut dyn Read) -> Result<(), ReadError>,
    ) -> Result<(), ReadError>;
}

/// Where a manifest sits and what surrounds it.
pub(super) struct Cx<'a> {
    /// The manifest as named in skips (`x.rsmf!rsmf.zip!rsmf_manifest.json`).
    pub display: String,
    /// The outer file as named in skips about the e-mail.
    pub outer_display: String,
    /// `Locator::entry` for its records.
    pub locator_entry: Option<std::sync::Arc<str>>,
    /// Prepended to JSON paths: the members passed through to reach the
    /// manifest (`rsmf.zip!rsmf_manifest.json!`), empty when the manifest
    /// is the entry itself.
    pub path_prefix: String,
    /// Files next to the manifest (in `rsmf.zip`), by name, with sizes;
    /// `None` when there is no container to look in.
    pub files: Option<&'a HashMap<String, u64>>,
    /// Where an attachment's file is, by its id: its entry in the input
    /// (bare manifest), or its SHA-256 when it sits inside `rsmf.zip`.
    pub attachment: &'a dyn Fn(&str) -> Option<AttachedFile>,
    /// Namespace for participant and conversation ids when the manifest
    /// has no `eventcollectionid` (see the module documentation of
    /// [`super`]).
    pub scope: String,
    /// `X-RSMF-EventCount` of the e-mail, if any.
    pub event_count: Option<String>,
    /// `X-RSMF-EventCollectionID` of the e-mail, if any.
    pub collection_header: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Participant {
    display: Option<String>,
    email: Option<String>,
    account_id: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Conversation {
    display: Option<String>,
    platform: Option<String>,
}

/// An attachment's file as found: its entry in the input, its SHA-256.
pub type AttachedFile = (Option<String>, Option<String>);

/// What the first pass found.
#[derive(Debug, Default)]
struct Declared {
    collection: Option<String>,
    participants: HashMap<String, Participant>,
    /// Participant ids in manifest order.
    order: Vec<String>,
    conversations: HashMap<String, Conversation>,
    /// Conversation ids in manifest order.
    conversation_order: Vec<String>,
    has_events: bool,
    /// Conversation members as `(offset, path, participant id)`, checked
    /// once every participant is known.
    members: Vec<(u64, String, String)>,
    problems: Vec<(u64, String)>,
}

/// Reads one manifest into `sink`.
pub(super) fn read(
    source: &dyn Open,
    cx: &Cx<'_>,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let limit = options.max_record_bytes;
    let mut declared = Declared::default();
    let mut broken = None;
    source.open(&mut |reader| {
        broken = declarations(reader, cx, limit, &mut declared).err();
        Ok(())
    })?;
    for (offset, reason) in std::mem::take(&mut declared.problems) {
        skip(sink, &cx.display, offset, reason);
    }
    match broken {
        // The events before the break are still evidence: pass two reads
        // them and then meets the same error.
        Some(_) if declared.has_events => {}
        Some(error) => return Err(error),
        None => {}
    }
    if !declared.has_events {
        return Err(ReadError::invalid(
            &cx.display,
            None,
            "RSMF schema: the manifest has no `events` list; nothing to read",
        ));
    }
    let scope = declared
        .collection
        .clone()
        .or_else(|| cx.collection_header.clone())
        .unwrap_or_else(|| cx.scope.clone());
    let (zone, zone_name) = options.zone();
    let mut events = Events {
        cx,
        options,
        declared: &declared,
        scope,
        previous_ms: None,
        reported_participants: HashSet::new(),
        reported_conversations: HashSet::new(),
        reported_no_conversation: false,
        count: 0,
        zone,
        zone_name,
        last_stamp: None,
        senders: HashMap::new(),
        conversations: HashMap::new(),
        no_conversation: None,
    };
    for id in &declared.order {
        if let Some(account) = events.account(id) {
            sink.account(account);
        }
    }
    source.open(&mut |reader| events.stream(reader, limit, &mut *sink))?;
    if let Some(stated) = &cx.event_count
        && stated.trim().parse::<u64>().ok() != Some(events.count)
    {
        skip(
            sink,
            &cx.outer_display,
            0,
            format!("X-RSMF-EventCount says {stated} events, the manifest holds {}", events.count),
        );
    }
    Ok(())
}

/// Pass one: everything but the events, into `d` (which keeps what was
/// read before an error).
fn declarations(
    reader: &mut dyn Read,
    cx: &Cx<'_>,
    limit: usize,
    d: &mut Declared,
) -> Result<(), ReadError> {
    let mut scanner = ObjectScanner::new(reader, cx.display.clone());
    let mut seen = HashSet::new();
    while let Some((key_offset, key)) = scanner.next_key()? {
        seen.insert(key.clone());
        match key.as_str() {
            "events" => {
                if scanner.enter_array()? {
                    d.has_events = true;
                } else {
                    d.problems.push((key_offset, "RSMF schema: `events` is not a list".into()));
                }
            }
            "version" | "eventcollectionid" | "participants" | "conversations" => {
                let (offset, captured) = scanner.value(limit)?;
                let bytes = match captured {
                    Captured::Bytes(bytes) => bytes,
                    Captured::TooLarge(length) => {
                        d.problems.push((
                            offset,
                            format!(
                                "`{key}` is {length} bytes, over the limit of {limit} bytes \
                                 (max_record_bytes); not read"
                            ),
                        ));
                        continue;
                    }
                };
                match key.as_str() {
                    "version" => match serde_json::from_slice::<Value>(&bytes) {
                        Ok(Value::String(v)) if v.chars().count() >= 5 => {}
                        Ok(other) => d.problems.push((
                            offset,
                            format!(
                                "RSMF schema: `version` must be a string of at least 5 \
                                 characters (like \"2.0.0\"), found {}",
                                short(&other)
                            ),
                        )),
                        Err(e) => d.problems.push((offset, unreadable("version", &e))),
                    },
                    "eventcollectionid" => match serde_json::from_slice::<Value>(&bytes) {
                        Ok(Value::String(v)) if !v.is_empty() => d.collection = Some(v),
                        Ok(_) => d.problems.push((
                            offset,
                            "RSMF schema: `eventcollectionid` is not a string".into(),
                        )),
                        Err(e) => d.problems.push((offset, unreadable("eventcollectionid", &e))),
                    },
                    list => elements(&bytes, offset, list, d, cx),
                }
            }
            _ => {}
        }
    }
    for required in ["version", "participants", "conversations", "events"] {
        if !seen.contains(required) {
            d.problems.push((0, format!("RSMF schema: the required `{required}` is missing")));
        }
    }
    // Participants may be declared after the conversations naming them.
    for (offset, path, pid) in std::mem::take(&mut d.members) {
        if !d.participants.contains_key(&pid) {
            d.problems.push((
                offset,
                format!("{path}: participant `{pid}` is not declared in `participants`"),
            ));
        }
    }
    Ok(())
}

fn unreadable(key: &str, e: &serde_json::Error) -> String {
    format!("unreadable `{key}`: {}", error_reason(e))
}

/// The elements of `participants` or `conversations` (captured at `offset`).
fn elements(bytes: &[u8], offset: u64, list: &str, d: &mut Declared, cx: &Cx<'_>) {
    let items: Vec<&RawValue> = match serde_json::from_slice(bytes) {
        Ok(items) => items,
        Err(e) => {
            d.problems.push((
                offset,
                format!("RSMF schema: `{list}` is not a list of objects: {}", error_reason(&e)),
            ));
            return;
        }
    };
    for (i, raw) in items.iter().enumerate() {
        let inner = (raw.get().as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
        let at = offset + if inner <= bytes.len() { inner as u64 } else { 0 };
        let path = format!("{list}[{i}]");
        let map: Map<String, Value> = match serde_json::from_str(raw.get()) {
            Ok(map) => map,
            Err(_) => {
                d.problems.push((at, format!("RSMF schema: {path} is not an object")));
                continue;
            }
        };
        let mut problems = Vec::new();
        let id = id_of(&map, "id", &path, &mut problems);
        let text = |key: &str, problems: &mut Vec<String>| match map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                problems
                    .push(format!("RSMF schema: {path}.{key} is not a string: {}", short(other)));
                None
            }
        };
        if list == "participants" {
            let participant = Participant {
                display: text("display", &mut problems),
                email: text("email", &mut problems),
                account_id: text("account_id", &mut problems),
            };
            if let (Some(avatar), Some(files)) = (text("avatar", &mut problems), cx.files)
                && !files.contains_key(&avatar)
            {
                problems.push(format!("{path}.avatar `{avatar}` is not in rsmf.zip"));
            }
            match id {
                Some(id) if d.participants.contains_key(&id) => {
                    problems.push(format!(
                        "RSMF schema: {path}.id `{id}` is declared twice; the first is kept"
                    ));
                }
                Some(id) => {
                    d.order.push(id.clone());
                    d.participants.insert(id, participant);
                }
                None => problems.push(format!(
                    "RSMF schema: {path} has no `id` (required); events cannot name it"
                )),
            }
        } else {
            let conversation = Conversation {
                display: text("display", &mut problems),
                platform: text("platform", &mut problems),
            };
            if conversation.platform.as_deref().is_none_or(str::is_empty) {
                problems.push(format!("RSMF schema: {path} has no `platform` (required)"));
            }
            if let Some(kind) = text("type", &mut problems)
                && kind != "direct"
                && kind != "channel"
            {
                problems.push(format!(
                    "RSMF schema: {path}.type `{kind}` is neither `direct` nor `channel`"
                ));
            }
            match map.get("participants") {
                Some(Value::Array(members)) => {
                    for (j, member) in members.iter().enumerate() {
                        match member {
                            Value::String(pid) if !pid.is_empty() => {
                                d.members.push((
                                    at,
                                    format!("{path}.participants[{j}]"),
                                    pid.clone(),
                                ));
                            }
                            other => problems.push(format!(
                                "RSMF schema: {path}.participants[{j}] is not a participant id \
                                 string: {}",
                                short(other)
                            )),
                        }
                    }
                }
                None => {
                    problems.push(format!("RSMF schema: {path} has no `participants` (required)"))
                }
                Some(other) => problems.push(format!(
                    "RSMF schema: {path}.participants is not a list: {}",
                    short(other)
                )),
            }
            match id {
                Some(id) if d.conversations.contains_key(&id) => {
                    problems.push(format!(
                        "RSMF schema: {path}.id `{id}` is declared twice; the first is kept"
                    ));
                }
                Some(id) => {
                    d.conversation_order.push(id.clone());
                    d.conversations.insert(id, conversation);
                }
                None => problems.push(format!("RSMF schema: {path} has no `id` (required)")),
            }
        }
        d.problems.extend(problems.into_iter().map(|p| (at, p)));
    }
}

/// A required-or-optional id field: a string, or (schema violation, still
/// read) an integer.
fn id_of(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::String(_)) => {
            problems.push(format!("RSMF schema: {path}.{key} is empty"));
            None
        }
        Some(Value::Number(n)) => {
            problems.push(format!(
                "RSMF schema: {path}.{key} is the number {n}, the schema requires a string; \
                 read as \"{n}\""
            ));
            Some(n.to_string())
        }
        Some(other) => {
            problems.push(format!("RSMF schema: {path}.{key} is not a string: {}", short(other)));
            None
        }
    }
}

/// Keys whose meaning the record carries fully; any other key (or
/// `importance: high`, edits, partial reactions) keeps the event's JSON in
/// `raw`.
const MAPPED: &[&str] = &[
    "id",
    "type",
    "parent",
    "body",
    "participant",
    "conversation",
    "timestamp",
    "deleted",
    "attachments",
    "reactions",
];

/// Pass two: the events.
struct Events<'a> {
    cx: &'a Cx<'a>,
    options: &'a ReadOptions,
    declared: &'a Declared,
    scope: String,
    /// The instant of the previous event, for events without a time.
    previous_ms: Option<i64>,
    /// Dangling participant references already reported.
    reported_participants: HashSet<String>,
    /// Dangling conversation references already reported.
    reported_conversations: HashSet<String>,
    /// An event without `conversation` (among several) was reported.
    reported_no_conversation: bool,
    count: u64,
    /// `options.zone()`, looked up once rather than per timestamp.
    zone: jiff::tz::TimeZone,
    zone_name: Arc<str>,
    /// The last timestamp text and what it gave: consecutive events often
    /// share a time (minute-resolution exports), and parsing is pure.
    last_stamp: Option<(String, Timestamp)>,
    /// Accounts and conversations already built, by id: every problem
    /// about an id is reported once (on first use), so a later use yields
    /// the same value with no problem, and cloning beats formatting ids.
    senders: HashMap<String, AccountRef>,
    conversations: HashMap<String, ConversationRef>,
    /// The conversation of events without `conversation`, once built.
    no_conversation: Option<ConversationRef>,
}

/// At most this many ids are remembered in each cache above.
const CACHE_CAP: usize = 4096;

/// The common event shape, deserialised straight from the bytes: only the
/// mapped scalar members with their schema types. Any other shape (other
/// members, numbers for ids, lists, duplicate keys…) fails here and is read
/// by the general path, which words every problem.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PlainEvent<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    parent: Option<Cow<'a, str>>,
    #[serde(borrow)]
    body: Option<Cow<'a, str>>,
    #[serde(borrow)]
    participant: Option<Cow<'a, str>>,
    #[serde(borrow)]
    conversation: Option<Cow<'a, str>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    deleted: Option<bool>,
}

/// What an event says once its members are read.
struct Parts<'a> {
    kind: Cow<'a, str>,
    text: String,
    native_id: Option<String>,
    parent: Option<String>,
    participant: Option<Cow<'a, str>>,
    conversation_id: Option<Cow<'a, str>>,
    sent_at: Timestamp,
    deleted: bool,
    attachments: Vec<Attachment>,
    reactions: Vec<Reaction>,
    edits: Vec<Edit>,
    edited_at: Option<Timestamp>,
    keep_raw: bool,
}

impl Events<'_> {
    fn stream(
        &mut self,
        reader: &mut dyn Read,
        limit: usize,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let mut scanner = ObjectScanner::new(reader, self.cx.display.clone());
        while let Some((_, key)) = scanner.next_key()? {
            if key != "events" || !scanner.enter_array()? {
                continue;
            }
            let mut index = 0usize;
            while let Some((offset, captured)) = scanner.next_element(limit)? {
                let mut json_path =
                    String::with_capacity(self.cx.path_prefix.len() + "$.events[]".len() + 20);
                json_path.push_str(&self.cx.path_prefix);
                json_path.push_str("$.events[");
                crate::json_scan::push_decimal(&mut json_path, index);
                json_path.push(']');
                let path = &json_path[self.cx.path_prefix.len()..];
                index += 1;
                self.count += 1;
                let bytes = match captured {
                    Captured::Bytes(bytes) => bytes,
                    Captured::TooLarge(length) => {
                        skip(
                            sink,
                            &self.cx.display,
                            offset,
                            format!(
                                "{path}: an event of {length} bytes, over the limit of {limit} \
                                 bytes (max_record_bytes)"
                            ),
                        );
                        continue;
                    }
                };
                let Ok(text) = std::str::from_utf8(&bytes) else {
                    skip(sink, &self.cx.display, offset, format!("{path}: not valid UTF-8"));
                    continue;
                };
                let path = path.to_string();
                let locator = Locator {
                    entry: self.cx.locator_entry.clone(),
                    offset,
                    length: bytes.len() as u64,
                    line: None,
                    json_path: Some(json_path),
                };
                let mut problems = Vec::new();
                let result = self.event(text, &path, locator, &mut problems);
                for problem in problems {
                    skip(sink, &self.cx.display, offset, problem);
                }
                match result {
                    Ok(record) => sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))?,
                    Err(reason) => {
                        skip(sink, &self.cx.display, offset, format!("{path}: {reason}"))
                    }
                }
            }
            sink.progress(scanner.bytes_read());
        }
        Ok(())
    }

    /// The account for participant `id`, with its declared labels.
    fn account(&self, id: &str) -> Option<AccountRef> {
        let declared = self.declared.participants.get(id);
        Some(AccountRef {
            native_id: Arc::from(format!("{}/{id}", self.scope)),
            display_name: declared.and_then(|p| p.display.as_deref()).map(Arc::from),
            handle: declared
                .and_then(|p| p.account_id.as_deref().or(p.email.as_deref()))
                .map(Arc::from),
        })
    }

    fn participant(&mut self, id: &str, path: &str, problems: &mut Vec<String>) -> AccountRef {
        if let Some(account) = self.senders.get(id) {
            return account.clone();
        }
        if !self.declared.participants.contains_key(id) && !self.reported_participants.contains(id)
        {
            self.reported_participants.insert(id.to_string());
            problems.push(format!(
                "{path}: participant `{id}` is not declared in `participants` (further \
                 references not reported)"
            ));
        }
        let account = self.account(id).unwrap_or_else(|| AccountRef::id(id));
        if self.senders.len() < CACHE_CAP {
            self.senders.insert(id.to_string(), account.clone());
        }
        account
    }

    fn conversation(
        &mut self,
        id: Option<&str>,
        path: &str,
        problems: &mut Vec<String>,
    ) -> ConversationRef {
        let cached = match id {
            Some(id) => self.conversations.get(id),
            None => self.no_conversation.as_ref(),
        };
        if let Some(conversation) = cached {
            return conversation.clone();
        }
        let conversation = self.new_conversation(id, path, problems);
        match id {
            Some(id) if self.conversations.len() < CACHE_CAP => {
                self.conversations.insert(id.to_string(), conversation.clone());
            }
            Some(_) => {}
            None => self.no_conversation = Some(conversation.clone()),
        }
        conversation
    }

    fn new_conversation(
        &mut self,
        id: Option<&str>,
        path: &str,
        problems: &mut Vec<String>,
    ) -> ConversationRef {
        let id = match id {
            Some(id) => id.to_string(),
            // `conversation` is optional: with one conversation there is no
            // doubt which.
            None if self.declared.conversation_order.len() == 1 => {
                self.declared.conversation_order.first().cloned().unwrap_or_default()
            }
            None => {
                if !self.reported_no_conversation {
                    self.reported_no_conversation = true;
                    problems.push(format!(
                        "{path}: event without `conversation` in a manifest with {} \
                         conversations; such events are filed under `{}/`",
                        self.declared.conversation_order.len(),
                        self.scope
                    ));
                }
                String::new()
            }
        };
        let declared = self.declared.conversations.get(&id);
        if declared.is_none() && !id.is_empty() && self.reported_conversations.insert(id.clone()) {
            problems.push(format!(
                "{path}: conversation `{id}` is not declared in `conversations` (further \
                 references not reported)"
            ));
        }
        let name = declared.and_then(|c| {
            let label = c.display.clone().unwrap_or_else(|| id.clone());
            match &c.platform {
                Some(platform) if !platform.is_empty() => Some(format!("{label} ({platform})")),
                _ => c.display.clone(),
            }
        });
        ConversationRef {
            native_id: Arc::from(format!("{}/{id}", self.scope)),
            name: name.map(Arc::from),
            scope: None,
        }
    }

    fn timestamp(&mut self, text: &str) -> Result<Timestamp, String> {
        if let Some((last, stamp)) = &self.last_stamp
            && last == text
        {
            return Ok(stamp.clone());
        }
        let stamp = self.parse_timestamp(text)?;
        self.last_stamp = Some((text.to_string(), stamp.clone()));
        Ok(stamp)
    }

    fn parse_timestamp(&self, text: &str) -> Result<Timestamp, String> {
        let mut stamp = crate::timefmt::parse_timestamp(text, &self.zone, &self.zone_name)
            .map_err(|e| format!("timestamp `{text}` is not a date-time: {e}"))?;
        if stamp.basis == TimeBasis::AssertedZone && self.options.tz.is_none() {
            // Zone-less, and nobody asserted a zone: the instant is computed
            // as if UTC, but the record says the zone is unknown.
            stamp.basis = TimeBasis::UnknownZone;
            stamp.zone = None;
        }
        Ok(stamp)
    }

    fn event(
        &mut self,
        raw: &str,
        path: &str,
        locator: Locator,
        problems: &mut Vec<String>,
    ) -> Result<Record, String> {
        let parts = match self.plain_parts(raw) {
            Some(parts) => parts?,
            None => self.general_parts(raw, path, problems)?,
        };
        self.build(parts, raw, path, locator, problems)
    }

    /// The parts of an event of the common shape ([`PlainEvent`] with
    /// non-empty ids and a `type`); `None` for any other, which the general
    /// path reads.
    fn plain_parts<'r>(&mut self, raw: &'r str) -> Option<Result<Parts<'r>, String>> {
        // serde would also take a JSON array for a struct.
        if raw.as_bytes().first() != Some(&b'{') {
            return None;
        }
        let event: PlainEvent<'_> = serde_json::from_str(raw).ok()?;
        let kind = event.kind.filter(|k| !k.is_empty())?;
        let ids = [&event.id, &event.parent, &event.participant, &event.conversation];
        if ids.iter().any(|id| id.as_deref() == Some("")) {
            return None;
        }
        let sent_at = match event.timestamp {
            Some(t) => match self.timestamp(&t) {
                Ok(stamp) => stamp,
                Err(reason) => return Some(Err(reason)),
            },
            None => Timestamp {
                utc_ms: self.previous_ms.unwrap_or(0),
                original: String::new(),
                basis: TimeBasis::UnknownZone,
                zone: None,
            },
        };
        self.previous_ms = Some(sent_at.utc_ms);
        Some(Ok(Parts {
            kind,
            text: event.body.map(Cow::into_owned).unwrap_or_default(),
            native_id: event.id.map(Cow::into_owned),
            parent: event.parent.map(Cow::into_owned),
            participant: event.participant,
            conversation_id: event.conversation,
            sent_at,
            deleted: event.deleted.unwrap_or(false),
            attachments: Vec::new(),
            reactions: Vec::new(),
            edits: Vec::new(),
            edited_at: None,
            keep_raw: false,
        }))
    }

    /// The parts of any event, every problem worded.
    fn general_parts(
        &mut self,
        raw: &str,
        path: &str,
        problems: &mut Vec<String>,
    ) -> Result<Parts<'static>, String> {
        let map: Map<String, Value> = serde_json::from_str(raw)
            .map_err(|e| format!("not an event object: {}", error_reason(&e)))?;
        let mut keep_raw = map.keys().any(|k| {
            let mapped = MAPPED.contains(&k.as_str());
            let default_importance =
                k == "importance" && map.get(k) == Some(&Value::String("normal".into()));
            !mapped && !default_importance
        });
        let kind = match map.get("type") {
            Some(Value::String(kind)) if !kind.is_empty() => kind.clone(),
            None | Some(Value::Null) => {
                return Err("RSMF schema: event has no `type` (required)".into());
            }
            Some(other) => {
                return Err(format!("RSMF schema: `type` is not a string: {}", short(other)));
            }
        };
        let text_of = |key: &str, problems: &mut Vec<String>| match map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                problems
                    .push(format!("RSMF schema: {path}.{key} is not a string: {}", short(other)));
                None
            }
        };
        let native_id = id_of(&map, "id", path, problems);
        let parent = id_of(&map, "parent", path, problems);
        let participant = id_of(&map, "participant", path, problems);
        let conversation_id = id_of(&map, "conversation", path, problems);
        let mut text = text_of("body", problems).unwrap_or_default();

        let sent_at = match map.get("timestamp") {
            Some(Value::String(t)) => self.timestamp(t)?,
            None | Some(Value::Null) => {
                // Optional in the schema. Placed at the previous event's
                // instant so it keeps its place; the empty original and the
                // unknown zone say that the source gave no time.
                Timestamp {
                    utc_ms: self.previous_ms.unwrap_or(0),
                    original: String::new(),
                    basis: TimeBasis::UnknownZone,
                    zone: None,
                }
            }
            Some(other) => {
                return Err(format!("RSMF schema: `timestamp` is not a string: {}", short(other)));
            }
        };
        self.previous_ms = Some(sent_at.utc_ms);

        let deleted = match map.get("deleted") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                problems.push(format!(
                    "RSMF schema: {path}.deleted is not true or false: {}",
                    short(other)
                ));
                keep_raw = true;
                false
            }
        };

        let mut attachments = Vec::new();
        match map.get("attachments") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let apath = format!("{path}.attachments[{i}]");
                    let Some(obj) = item.as_object() else {
                        problems.push(format!("RSMF schema: {apath} is not an object"));
                        keep_raw = true;
                        continue;
                    };
                    let Some(id) = id_of(obj, "id", &apath, problems) else {
                        problems.push(format!("RSMF schema: {apath} has no `id` (required)"));
                        keep_raw = true;
                        continue;
                    };
                    let display = obj.get("display").and_then(Value::as_str).map(str::to_string);
                    let listed = self.cx.files.map(|files| files.get(&id).copied());
                    if listed == Some(None) {
                        problems.push(format!("{apath}: attachment `{id}` is not in rsmf.zip"));
                    }
                    let declared_size = obj.get("size").and_then(Value::as_u64);
                    let (entry, sha256) = (self.cx.attachment)(&id).unwrap_or_default();
                    let name = display.unwrap_or_else(|| id.clone());
                    let lower = name.to_ascii_lowercase();
                    // The viewer shows these inline (schema description).
                    let image =
                        [".png", ".jpg", ".jpeg", ".gif"].iter().any(|e| lower.ends_with(e));
                    attachments.push(Attachment {
                        name,
                        reference: id,
                        kind: image.then(|| "image".to_string()),
                        size: listed.flatten().or(declared_size),
                        sha256,
                        entry,
                    });
                }
            }
            Some(other) => {
                problems.push(format!(
                    "RSMF schema: {path}.attachments is not a list: {}",
                    short(other)
                ));
                keep_raw = true;
            }
        }

        let mut reactions = Vec::new();
        match map.get("reactions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Some(value) = item.get("value").and_then(Value::as_str) else {
                        problems.push(format!("RSMF schema: {path}: a reaction without `value`"));
                        keep_raw = true;
                        continue;
                    };
                    let who: Vec<&str> = item
                        .get("participants")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let count = item.get("count").and_then(Value::as_u64);
                    // A count the names do not account for lives in `raw`.
                    if who.is_empty() || count.is_some_and(|c| c != who.len() as u64) {
                        keep_raw = true;
                    }
                    for pid in who {
                        let account = self.participant(pid, path, problems);
                        reactions.push(Reaction {
                            sender_id: account.native_id.to_string(),
                            key: value.to_string(),
                            at: None,
                            native_id: None,
                        });
                    }
                }
            }
            Some(other) => {
                problems
                    .push(format!("RSMF schema: {path}.reactions is not a list: {}", short(other)));
                keep_raw = true;
            }
        }

        let mut edits = Vec::new();
        let mut edited_at = None;
        if let Some(Value::Array(items)) = map.get("edits") {
            // Who edited stays in `raw` (MAPPED lacks `edits`).
            let mut last_new: Option<String> = None;
            for item in items {
                if item.get("participant").and_then(Value::as_str).is_none() {
                    problems.push(format!(
                        "RSMF schema: {path}: an edit without `participant` (required)"
                    ));
                }
                let at = match item.get("timestamp").and_then(Value::as_str) {
                    Some(t) => match self.timestamp(t) {
                        Ok(stamp) => Some(stamp),
                        Err(reason) => {
                            problems.push(format!("{path}: edit {reason}"));
                            None
                        }
                    },
                    None => None,
                };
                let previous = item
                    .get("previous")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| last_new.clone());
                if let Some(previous) = previous {
                    edits.push(Edit { at: at.clone(), text: previous });
                }
                if at.is_some() {
                    edited_at = at;
                }
                last_new = item.get("new").and_then(Value::as_str).map(str::to_string);
            }
            if text.is_empty()
                && let Some(latest) = last_new
            {
                text = latest;
            }
        }

        Ok(Parts {
            kind: Cow::Owned(kind),
            text,
            native_id,
            parent,
            participant: participant.map(Cow::Owned),
            conversation_id: conversation_id.map(Cow::Owned),
            sent_at,
            deleted,
            attachments,
            reactions,
            edits,
            edited_at,
            keep_raw,
        })
    }

    fn build(
        &mut self,
        parts: Parts<'_>,
        raw: &str,
        path: &str,
        locator: Locator,
        problems: &mut Vec<String>,
    ) -> Result<Record, String> {
        let Parts {
            kind,
            mut text,
            native_id,
            parent,
            participant,
            conversation_id,
            sent_at,
            deleted,
            attachments,
            reactions,
            edits,
            edited_at,
            mut keep_raw,
        } = parts;
        let sender = participant.as_deref().map(|p| self.participant(p, path, problems));
        let conversation = self.conversation(conversation_id.as_deref(), path, problems);
        let who = || {
            sender
                .as_ref()
                .map(|s| s.display_name.as_deref().unwrap_or(&s.native_id).to_string())
                .unwrap_or_else(|| "someone".to_string())
        };
        let (kind, targets) = match &*kind {
            "message" => (RecordKind::Message, Vec::new()),
            "join" | "leave" => {
                let join = kind == "join";
                if text.is_empty() {
                    text = format!("{} {}", who(), if join { "joined" } else { "left" });
                }
                let event = if join { EventKind::Join } else { EventKind::Leave };
                (RecordKind::Event(event), sender.iter().cloned().collect())
            }
            "disclaimer" | "history" | "unknown" => {
                if text.is_empty() {
                    text = kind.to_string();
                }
                (RecordKind::Event(EventKind::Other(kind.to_string())), Vec::new())
            }
            other => {
                problems.push(format!(
                    "RSMF schema: {path}.type `{other}` is not one of message, disclaimer, join, \
                     leave, history, unknown; kept as an event"
                ));
                keep_raw = true;
                if text.is_empty() {
                    text = other.to_string();
                }
                (RecordKind::Event(EventKind::Other(other.to_string())), Vec::new())
            }
        };
        Ok(Record {
            kind,
            platform: trove_model::platform::RSMF,
            conversation,
            native_id,
            sender,
            sent_at,
            text,
            reply_to: parent.clone(),
            targets,
            reactions,
            attachments,
            locator,
            raw: keep_raw.then(|| raw.to_string()),
            edited_at,
            edits,
            thread: parent,
            deleted,
            ..Record::default()
        })
    }
}

fn skip(sink: &mut dyn Sink, file: &str, offset: u64, reason: impl Into<String>) {
    sink.skip(Skip { file: file.to_string(), offset, reason: reason.into() });
}

/// A value for an error message, shortened.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
