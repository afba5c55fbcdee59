//! Rocket.Chat dumps as they come out of leaks (Conti's internal server):
//! per room per day `{"messages": [ ... ]}` files of Rocket.Chat REST
//! message objects, with side files `rooms.json` (room ids, names, types)
//! and `users.json`. Mongo exports of the `rocketchat_message` collection
//! (one document per line, dates as `{"$date": ...}`) read the same way.
//!
//! Every `.json` entry that is not a side file is read as a message file,
//! streamed with [`crate::discord::stream::walk_docs`]: a top-level
//! `{"messages": [...]}` object (several glued together are fine), a bare
//! array of messages, or a stream of message documents.
//!
//! Traps handled here:
//! - One message appears in several day files (threads, edits, overlapping
//!   dumps): de-duplicated by `_id` within a read, the first copy kept; a
//!   repeat that differs from it is reported, an identical one is silent.
//! - `ts` is an ISO instant (`...Z`) from the REST API, `{"$date": ms}` or
//!   `{"$date": "ISO"}` / `{"$date": {"$numberLong": "ms"}}` from mongo.
//! - `t` marks system messages: `uj`/`ujt`/`ut` joins, `au`/`added-user-to-team`
//!   additions (target username in `msg`), `ul`/`ult` leaves, `ru`/
//!   `removed-user-from-team` removals, `r` renames (new name in `msg`);
//!   `rm` is a deleted message (kept, marked deleted); any other type is an
//!   event with its raw JSON (`room_changed_topic`, `wm`, ...).
//! - `tmid` is the thread (and what the message replies to); a thread
//!   parent (`tcount`) is its own thread. A quote of another message
//!   (`attachments[].message_link` with `?msg=<id>`) is a reply to it.
//! - Edits keep only `editedAt` and the latest `msg`. With message history
//!   on, mongo dumps also hold earlier versions as hidden documents
//!   (`_hidden: true`, `parent: <id>`); they come in any order relative to
//!   the message, so each is kept as an event `history` that points at its
//!   message through `reply_to`, with its text and raw JSON.
//! - Reactions name usernames, not ids: mapped to ids through `users.json`
//!   when it lists them, else kept as the username. The same holds for the
//!   targets of `au`/`ru`.
//! - A message without `msg` reads as its attachments: an upload's
//!   description (its caption), an integration card's title and text.
//! - Uploads (`file`, `files[]`, file `attachments[]`) are references
//!   (`/file-upload/<id>/<name>`); when the dump holds the file (an entry
//!   named after the file id), its path and size are used instead.

use crate::json_scan::fingerprint;
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::tz::TimeZone;

use serde::Deserialize;
use serde_json::value::RawValue;
use trove_model::{
    AccountRef, Attachment, ConversationRef, EventKind, Locator, Reaction, Record, RecordKind,
    Timestamp, UrlRef,
};

use crate::discord::stream::{
    Id, Size, Value, Walk, file_name, has_key, list, trim_head, walk_docs, zip_top,
};
use crate::intern::Names;
use crate::json_scan::{error_offset, error_reason};
use crate::shape::{self, Dropped, Required};
use crate::timefmt::parse_timestamp;
use crate::{
    Confidence, Format, Input, InputKind, Notice, NoticeKind, ReadError, ReadOptions, Sink, Skip,
};

/// What a Rocket.Chat message cannot do without.
const REQUIRED: Required = Required { id: "_id", fields: &["_id", "rid"] };

/// Rocket.Chat dumps.
pub struct RocketChat;

/// File names of the room list.
const ROOM_FILES: [&str; 2] = ["rooms.json", "rocketchat_room.json"];
/// File names of the user list.
const USER_FILES: [&str; 2] = ["users.json", "rocketchat_users.json"];

/// How many bytes of a file sniffing reads.
const HEAD: usize = 4096;

/// How many bytes of progress to batch before telling the sink.
const PROGRESS_STEP: u64 = 1 << 20;

fn is_side_file(name: &str) -> bool {
    let file = file_name(name);
    ROOM_FILES.contains(&file) || USER_FILES.contains(&file)
}

/// The message files of a folder or zip.
fn message_entries(input: &Input) -> impl Iterator<Item = &str> {
    input.entries().iter().map(|e| e.name.as_str()).filter(|name| {
        let lower = name.to_ascii_lowercase();
        (lower.ends_with(".json") || lower.ends_with(".jsonl")) && !is_side_file(name)
    })
}

/// A day file: `{"messages": [` with a `rid` in its first bytes.
fn looks_like_day_file(head: &[u8]) -> bool {
    trim_head(head).first() == Some(&b'{') && has_key(head, "messages") && has_key(head, "rid")
}

/// A stream or array of message documents (mongo export).
fn looks_like_documents(head: &[u8]) -> bool {
    matches!(trim_head(head).first(), Some(b'{' | b'['))
        && has_key(head, "_id")
        && has_key(head, "rid")
        && has_key(head, "msg")
        && has_key(head, "u")
}

impl Format for RocketChat {
    fn name(&self) -> &'static str {
        "rocketchat"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::ROCKETCHAT
    }

    fn sniff(&self, input: &Input) -> Confidence {
        match input.kind() {
            InputKind::File => {
                let Some(entry) = input.entries().first() else { return Confidence::No };
                match input.head(&entry.name, HEAD) {
                    Ok(head) if looks_like_day_file(&head) || looks_like_documents(&head) => {
                        Confidence::Maybe
                    }
                    _ => Confidence::No,
                }
            }
            InputKind::Dir | InputKind::Zip => {
                let top = zip_top(input);
                let rooms = ROOM_FILES.iter().any(|f| input.entry(&format!("{top}{f}")).is_some());
                // Only a few heads: detection must stay cheap on huge folders.
                let heads: Vec<bool> = message_entries(input)
                    .take(8)
                    .map(|name| input.head(name, HEAD).is_ok_and(|h| looks_like_day_file(&h)))
                    .collect();
                let some = heads.iter().any(|h| *h);
                // Without the room list, only a folder of nothing but day
                // files is claimed; a mixed one is left to the ingest walker.
                let only = some && heads.iter().all(|h| *h);
                if rooms && some {
                    Confidence::Certain
                } else if only {
                    Confidence::Maybe
                } else {
                    Confidence::No
                }
            }
        }
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let mut reader = Reader {
            input,
            options,
            sink,
            rooms: HashMap::new(),
            users: HashMap::new(),
            ids_by_username: HashMap::new(),
            uploads: HashMap::new(),
            seen: HashMap::new(),
            files: Vec::new(),
            zone: options.zone(),
            names: RefCell::new(Names::default()),
        };
        reader.run()
    }
}

#[derive(Deserialize)]
struct RoomJson {
    #[serde(rename = "_id", alias = "id")]
    id: Id,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    fname: Option<String>,
    #[serde(default, deserialize_with = "list")]
    usernames: Vec<String>,
}

#[derive(Deserialize)]
struct UserJson {
    #[serde(rename = "_id", alias = "id")]
    id: Id,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct MessageJson<'a> {
    #[serde(rename = "_id")]
    id: Id,
    #[serde(default)]
    rid: Option<Id>,
    #[serde(default)]
    msg: Option<String>,
    #[serde(borrow, default)]
    ts: Option<&'a RawValue>,
    #[serde(default)]
    u: Option<UserRefJson>,
    #[serde(default)]
    alias: Option<String>,
    #[serde(default)]
    t: Option<String>,
    #[serde(default)]
    tmid: Option<Id>,
    #[serde(borrow, default)]
    tcount: Option<&'a RawValue>,
    #[serde(rename = "editedAt", borrow, default)]
    edited_at: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "list")]
    attachments: Vec<AttachmentJson>,
    #[serde(default)]
    file: Option<FileJson>,
    #[serde(default, deserialize_with = "list")]
    files: Vec<FileJson>,
    #[serde(default)]
    reactions: Option<BTreeMap<String, ReactionJson>>,
    #[serde(default, deserialize_with = "list")]
    urls: Vec<UrlJson>,
    #[serde(rename = "_hidden", default)]
    hidden: Option<bool>,
    #[serde(default)]
    parent: Option<Id>,
}

#[derive(Deserialize)]
struct UserRefJson {
    #[serde(rename = "_id", default)]
    id: Option<Id>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct AttachmentJson {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    title_link: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    message_link: Option<String>,
    #[serde(default)]
    image_url: Option<String>,
    #[serde(default)]
    image_type: Option<String>,
    #[serde(default)]
    image_size: Size,
    #[serde(default)]
    video_url: Option<String>,
    #[serde(default)]
    video_type: Option<String>,
    #[serde(default)]
    video_size: Size,
    #[serde(default)]
    audio_url: Option<String>,
    #[serde(default)]
    audio_type: Option<String>,
    #[serde(default)]
    audio_size: Size,
}

#[derive(Deserialize)]
struct FileJson {
    #[serde(rename = "_id", default)]
    id: Option<Id>,
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    size: Size,
}

#[derive(Deserialize)]
struct ReactionJson {
    #[serde(default, deserialize_with = "list")]
    usernames: Vec<String>,
}

#[derive(Deserialize)]
struct UrlJson {
    #[serde(default)]
    url: Option<String>,
}

/// Where a message id was first read, and a fingerprint of its JSON.
struct Seen {
    fingerprint: u64,
    file: usize,
    offset: u64,
}

/// One read of one input.
struct Reader<'a> {
    input: &'a Input,
    options: &'a ReadOptions,
    sink: &'a mut dyn Sink,
    /// Export root (the folder prefix holding its side files) → room id →
    /// name: each server's export names its own rooms.
    rooms: HashMap<String, HashMap<String, Arc<str>>>,
    /// User id → (display name, username).
    users: HashMap<String, (Option<String>, Option<String>)>,
    ids_by_username: HashMap<String, String>,
    /// Upload id → (entry name, size) for files present in the dump.
    uploads: HashMap<String, (String, u64)>,
    seen: HashMap<String, Seen>,
    /// Display names of the files read so far, indexed by `Seen::file`.
    files: Vec<String>,
    /// `options.zone()`, looked up once rather than per timestamp.
    zone: (TimeZone, Arc<str>),
    /// Rooms and senders named so far, shared across records. In a cell
    /// because the lookups happen in `&self` helpers; every borrow ends
    /// within the helper that takes it.
    names: RefCell<Names>,
}

/// What a message file's records share.
struct FileCx {
    display: String,
    entry: Option<Arc<str>>,
    index: usize,
    /// The export root the file belongs to (see [`export_root`]).
    root: String,
    /// The conversation scope: the export root's name (Rocket.Chat data
    /// names no server), or none for a single file.
    scope: Option<Arc<str>>,
}

/// The folder prefix of the server export holding message file `name`:
/// the deepest folder with a side file above it, else the folder above the
/// room folder (`serverA/` in `serverA/GENERAL/2021-03-01.json`), else the
/// input itself (`""`). Several servers' exports in one folder each get
/// their own, and an export handed over on its own gets its own name.
fn export_root<'a>(name: &'a str, side_folders: &[&str]) -> &'a str {
    if let Some(folder) = side_folders
        .iter()
        .filter(|folder| name.starts_with(**folder))
        .max_by_key(|folder| folder.len())
    {
        return &name[..folder.len()];
    }
    let mut slashes = name.match_indices('/').map(|(at, _)| at);
    match (slashes.next(), slashes.next()) {
        (Some(first), Some(_)) => &name[..=first],
        _ => "",
    }
}

/// The folder prefix of an entry (`serverA/` of `serverA/rooms.json`).
fn folder_of(name: &str) -> &str {
    &name[..name.len() - file_name(name).len()]
}

impl Reader<'_> {
    fn run(&mut self) -> Result<(), ReadError> {
        let input = self.input;
        let single = *input.kind() == InputKind::File;
        let files: Vec<String> = if single {
            input.entries().iter().map(|e| e.name.clone()).collect()
        } else {
            let names: Vec<String> = input.entries().iter().map(|e| e.name.clone()).collect();
            for name in names.iter().filter(|n| ROOM_FILES.contains(&file_name(n))) {
                self.rooms_file(name)?;
            }
            for name in names.iter().filter(|n| USER_FILES.contains(&file_name(n))) {
                self.users_file(name)?;
            }
            self.index_uploads();
            message_entries(input).map(str::to_string).collect()
        };
        if files.is_empty() {
            return Err(ReadError::invalid(
                input.path().display().to_string(),
                None,
                "no Rocket.Chat message files (*.json besides rooms.json and users.json) found",
            ));
        }
        let side_folders: Vec<&str> = input
            .entries()
            .iter()
            .map(|e| e.name.as_str())
            .filter(|name| is_side_file(name))
            .map(folder_of)
            .collect();
        let mut scopes: HashMap<String, Option<Arc<str>>> = HashMap::new();
        for name in &files {
            let (root, scope) = if single {
                (String::new(), None)
            } else {
                let root = export_root(name, &side_folders);
                let scope = scopes
                    .entry(root.to_string())
                    .or_insert_with(|| input.export_name(root).map(Arc::from))
                    .clone();
                (root.to_string(), scope)
            };
            let result = self.message_file(name, single, root, scope);
            crate::member_failed(self.input, result, self.options, &mut *self.sink)?;
        }
        Ok(())
    }

    /// Walks a side file, parsing each document as `T`; problems are skips.
    fn side_file<T: for<'de> Deserialize<'de>>(
        &mut self,
        name: &str,
        keys: &[&str],
        mut f: impl FnMut(&mut Self, T),
    ) -> Result<(), ReadError> {
        let input = self.input;
        let display = input.display_entry(name);
        let max = self.options.max_record_bytes;
        let walk = walk_docs(input, name, max, keys, &mut |value, path| {
            let at = path.map(|p| format!("{p}: ")).unwrap_or_default();
            match value {
                Value::Bytes { offset, bytes } => match serde_json::from_slice::<T>(&bytes) {
                    Ok(doc) => f(self, doc),
                    Err(e) => self.skip(
                        &display,
                        offset + error_offset(&bytes, &e) as u64,
                        format!("{at}unreadable entry: {}", error_reason(&e)),
                    ),
                },
                Value::TooLarge { offset, length } => self.skip(
                    &display,
                    offset,
                    format!("{at}{length} bytes, over the max_record_bytes limit"),
                ),
            }
            Ok(())
        });
        let walk = match walk {
            Ok(walk) => walk,
            Err(ReadError::Stopped(why)) => return Err(ReadError::Stopped(why)),
            Err(e) => {
                self.skip(&display, 0, e.to_string());
                return Ok(());
            }
        };
        if let Some(b) = walk.broken {
            self.skip(&display, b.offset, b.reason);
        }
        Ok(())
    }

    fn rooms_file(&mut self, name: &str) -> Result<(), ReadError> {
        let name_of_file = name;
        let keys = ["rooms", "update", "channels", "groups", "ims", "result"];
        self.side_file(name, &keys, |reader, room: RoomJson| {
            let name = [room.fname, room.name]
                .into_iter()
                .flatten()
                .find(|n| !n.is_empty())
                .or_else(|| (!room.usernames.is_empty()).then(|| room.usernames.join(", ")));
            if let Some(name) = name {
                let folder = folder_of(name_of_file).to_string();
                reader.rooms.entry(folder).or_default().insert(room.id.0, Arc::from(name));
            }
        })
    }

    fn users_file(&mut self, name: &str) -> Result<(), ReadError> {
        self.side_file(name, &["users", "result"], |reader, user: UserJson| {
            let display_name = user.name.filter(|n| !n.is_empty());
            let username = user.username.filter(|n| !n.is_empty());
            if let Some(username) = &username {
                reader.ids_by_username.insert(username.clone(), user.id.0.clone());
            }
            reader.sink.account(AccountRef {
                native_id: Arc::from(user.id.0.as_str()),
                display_name: display_name.as_deref().map(Arc::from),
                handle: username.as_deref().map(Arc::from),
            });
            reader.users.insert(user.id.0, (display_name, username));
        })
    }

    /// Non-JSON entries named after an upload id (`<id>`, `<id>-<name>`,
    /// `<id>/<name>`), by that id.
    fn index_uploads(&mut self) {
        for entry in self.input.entries() {
            let lower = entry.name.to_ascii_lowercase();
            if lower.ends_with(".json") || lower.ends_with(".jsonl") {
                continue;
            }
            let file = file_name(&entry.name);
            let dir = entry.name[..entry.name.len() - file.len()].trim_end_matches('/');
            let by_name = file.split(['-', '_', '.']).next().unwrap_or(file);
            for id in [file, by_name, file_name(dir)] {
                if id.len() >= 10 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    self.uploads.insert(id.to_string(), (entry.name.clone(), entry.size));
                }
            }
        }
    }

    fn message_file(
        &mut self,
        name: &str,
        single: bool,
        root: String,
        scope: Option<Arc<str>>,
    ) -> Result<(), ReadError> {
        let input = self.input;
        let display = input.display_entry(name);
        let cx = FileCx {
            display: display.clone(),
            entry: input.source_of(name).1.map(Arc::from),
            index: self.files.len(),
            root,
            scope,
        };
        self.files.push(display.clone());
        let max = self.options.max_record_bytes;
        let mut reported = 0u64;
        let walk = walk_docs(input, name, max, &["messages"], &mut |value, path| match value {
            Value::Bytes { offset, bytes } => {
                if offset.saturating_sub(reported) >= PROGRESS_STEP {
                    reported = offset;
                    self.sink.progress(offset);
                }
                self.message(&cx, path, offset, &bytes)
            }
            Value::TooLarge { offset, length } => {
                let at = path.map(|p| format!("{p}: ")).unwrap_or_default();
                self.skip(
                    &display,
                    offset,
                    format!(
                        "{at}message of {length} bytes, over the limit of {max} bytes \
                             (max_record_bytes)"
                    ),
                );
                Ok(())
            }
        });
        let walk: Walk = match walk {
            Ok(walk) => walk,
            Err(ReadError::Stopped(why)) => return Err(ReadError::Stopped(why)),
            Err(e) if single => return Err(e),
            Err(e) => {
                self.skip(&display, 0, format!("unreadable: {e}"));
                return Ok(());
            }
        };
        if let Some(b) = walk.broken {
            if !walk.recognised && single {
                return Err(ReadError::invalid(display, Some(b.offset), b.reason));
            }
            let reason = if walk.recognised {
                format!(
                    "{} ({} messages read before it; the rest of the file is not read)",
                    b.reason, walk.docs
                )
            } else {
                format!("not a Rocket.Chat message file: {}", b.reason)
            };
            self.skip(&display, b.offset, reason);
        }
        Ok(())
    }

    fn message(
        &mut self,
        cx: &FileCx,
        path: Option<String>,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), ReadError> {
        let at = path.as_deref().map(|p| format!("{p}: ")).unwrap_or_default();
        let repaired: String;
        let mut dropped = Vec::new();
        let m: MessageJson<'_> = match from_bytes(bytes) {
            Ok(m) => m,
            Err(e) => {
                let parses = |json: &str| {
                    serde_json::from_str::<MessageJson<'_>>(json)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                };
                let unreadable = match shape::retry(bytes, &REQUIRED, parses, &e) {
                    Ok((json, fields)) => {
                        repaired = json;
                        dropped = fields;
                        from_bytes(repaired.as_bytes()).map_err(|e| error_reason(&e))
                    }
                    Err(reason) => Err(reason),
                };
                match unreadable {
                    Ok(m) => m,
                    Err(reason) => {
                        let pos = offset + error_offset(bytes, &e) as u64;
                        self.skip(
                            &cx.display,
                            pos,
                            format!("{at}not a readable message: {reason}"),
                        );
                        return Ok(());
                    }
                }
            }
        };
        let locator = Locator {
            entry: cx.entry.clone(),
            offset,
            length: bytes.len() as u64,
            line: None,
            json_path: path.clone(),
        };
        let record = match self.build(m, bytes, locator, cx, &mut dropped) {
            Ok(record) => record,
            Err(reason) => {
                self.skip(&cx.display, offset, format!("{at}{reason}"));
                return Ok(());
            }
        };
        let id = record.native_id.clone().unwrap_or_default();
        let print = fingerprint(bytes);
        match self.seen.entry(id.clone()) {
            Entry::Occupied(first) => {
                let first = first.get();
                let first_file = self.files.get(first.file).cloned().unwrap_or_default();
                if first.fingerprint != print {
                    let reason = format!(
                        "{at}message {id} repeats with different content than its first copy at \
                         {first_file} byte {}; the first copy was kept",
                        first.offset
                    );
                    self.skip(&cx.display, offset, reason);
                } else {
                    let kind = if first.file == cx.index {
                        NoticeKind::IdenticalRepeat
                    } else {
                        NoticeKind::SameId
                    };
                    let reason = format!(
                        "{at}message {id} repeats its copy at {first_file} byte {}; collapsed into it",
                        first.offset
                    );
                    self.notice(&cx.display, offset, kind, reason);
                }
                return Ok(());
            }
            Entry::Vacant(slot) => {
                slot.insert(Seen { fingerprint: print, file: cx.index, offset });
            }
        }
        for field in dropped {
            let reason = format!("rocketchat {} ({})", field.path, field.why);
            self.notice(&cx.display, offset, NoticeKind::FieldDropped, reason);
        }
        self.sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))
    }

    /// An account named by username only (`au`/`ru` targets, reactions).
    fn by_username(&self, username: &str) -> AccountRef {
        let mut names = self.names.borrow_mut();
        match self.ids_by_username.get(username) {
            Some(id) => names.accounts.get(
                id,
                self.users.get(id).and_then(|u| u.0.as_deref()),
                Some(username),
            ),
            None => names.accounts.get(username, None, Some(username)),
        }
    }

    /// The platform id `by_username` gives.
    fn id_of_username(&self, username: &str) -> String {
        self.ids_by_username.get(username).cloned().unwrap_or_else(|| username.to_string())
    }

    fn sender(&self, u: UserRefJson, alias: Option<String>) -> Option<AccountRef> {
        let known = u.id.as_ref().and_then(|id| self.users.get(&id.0));
        let native_id = u.id.map(|id| id.0).or_else(|| {
            let username = u.username.as_deref()?;
            Some(self.id_of_username(username))
        })?;
        let display_name = alias
            .filter(|a| !a.is_empty())
            .or(u.name.filter(|n| !n.is_empty()))
            .or_else(|| known.and_then(|k| k.0.clone()));
        let handle =
            u.username.filter(|n| !n.is_empty()).or_else(|| known.and_then(|k| k.1.clone()));
        Some(self.names.borrow_mut().accounts.get(
            &native_id,
            display_name.as_deref(),
            handle.as_deref(),
        ))
    }

    /// Translates one message document. `Err` is a reason for a skip;
    /// fields dropped for their shape are added to `dropped`.
    fn build(
        &self,
        m: MessageJson<'_>,
        raw: &[u8],
        locator: Locator,
        cx: &FileCx,
        dropped: &mut Vec<Dropped>,
    ) -> Result<Record, String> {
        let id = m.id.0;
        let rid = m.rid.map(|r| r.0).ok_or("message has no `rid` (room id)")?;
        let ts = m.ts.ok_or("message has no `ts`")?;
        let sent_at = rocket_time(ts, &self.zone)?;
        // An unreadable edit time does not lose the message.
        let edited_at = m.edited_at.and_then(|t| match rocket_time(t, &self.zone) {
            Ok(at) => Some(at),
            Err(why) => {
                dropped.push(Dropped { path: "editedAt".to_string(), why });
                None
            }
        });
        let conversation = ConversationRef {
            native_id: self.names.borrow_mut().strings.get(&rid),
            name: self.rooms.get(&cx.root).and_then(|rooms| rooms.get(&rid)).cloned(),
            scope: cx.scope.clone(),
        };
        let sender = m.u.and_then(|u| self.sender(u, m.alias));
        let mut text = m.msg.unwrap_or_default();
        let mut keep_raw = false;
        if text.trim().is_empty() {
            // An upload's caption (its title is the file name, not words),
            // or an integration's card.
            let upload = m.file.is_some() || !m.files.is_empty();
            let parts: Vec<&str> = m
                .attachments
                .iter()
                .filter(|a| a.message_link.is_none())
                .flat_map(|a| {
                    if upload {
                        [None, None, a.description.as_ref()]
                    } else {
                        [a.title.as_ref(), a.text.as_ref(), a.description.as_ref()]
                    }
                })
                .flatten()
                .map(String::as_str)
                .filter(|p| !p.trim().is_empty())
                .collect();
            text = parts.join("\n");
        }

        let thread = m.tmid.as_ref().map(|t| t.0.clone()).or_else(|| {
            m.tcount.filter(|c| c.get() != "null" && c.get() != "0").map(|_| id.clone())
        });
        let mut reply_to = m.tmid.map(|t| t.0);

        let mut urls: Vec<UrlRef> = Vec::new();
        for url in m.urls.into_iter().filter_map(|u| u.url) {
            if !url.is_empty() && !urls.iter().any(|x| x.url == url) {
                urls.push(UrlRef { url, expanded: None });
            }
        }

        let mut attachments: Vec<Attachment> = Vec::new();
        let files: Vec<FileJson> =
            if m.files.is_empty() { m.file.into_iter().collect() } else { m.files };
        let mut used = vec![false; m.attachments.len()];
        for f in &files {
            let file_id = f.id.as_ref().map(|i| i.0.clone()).unwrap_or_default();
            // The upload's own attachment holds its link and media size.
            let described = m.attachments.iter().position(|a| {
                !file_id.is_empty()
                    && [&a.title_link, &a.image_url, &a.video_url, &a.audio_url]
                        .into_iter()
                        .flatten()
                        .any(|link| link.contains(&file_id))
            });
            if let Some(i) = described
                && let Some(slot) = used.get_mut(i)
            {
                *slot = true;
            }
            let a = described.and_then(|i| m.attachments.get(i));
            let name =
                f.name.clone().or_else(|| a.and_then(|a| a.title.clone())).unwrap_or_default();
            let link = a
                .and_then(|a| a.title_link.clone())
                .unwrap_or_else(|| format!("/file-upload/{file_id}/{name}"));
            attachments.push(self.upload(
                &file_id,
                name,
                link,
                f.kind.clone().or_else(|| a.and_then(media_type)),
                f.size.0.or_else(|| a.and_then(media_size)),
            ));
        }
        for (a, used) in m.attachments.iter().zip(&used) {
            if *used {
                continue;
            }
            if let Some(link) = &a.message_link {
                // A quote of another message.
                keep_raw = true;
                if reply_to.is_none() {
                    reply_to = quoted_id(link);
                }
                continue;
            }
            let media = [&a.title_link, &a.image_url, &a.video_url, &a.audio_url]
                .into_iter()
                .flatten()
                .find(|l| !l.is_empty());
            match media {
                Some(link) if a.kind.as_deref() == Some("file") || media_type(a).is_some() => {
                    let file_id = upload_id(link).unwrap_or_default();
                    let name = a.title.clone().unwrap_or_else(|| file_name(link).to_string());
                    attachments.push(self.upload(
                        &file_id,
                        name,
                        link.clone(),
                        media_type(a),
                        media_size(a),
                    ));
                }
                Some(link) => {
                    keep_raw = true;
                    if !urls.iter().any(|u| &u.url == link) {
                        urls.push(UrlRef { url: link.clone(), expanded: None });
                    }
                }
                None => keep_raw = true,
            }
        }

        let mut reactions = Vec::new();
        for (emoji, r) in m.reactions.unwrap_or_default() {
            for username in r.usernames {
                reactions.push(Reaction {
                    sender_id: self.id_of_username(&username),
                    key: emoji.clone(),
                    at: None,
                    native_id: None,
                });
            }
        }

        let mut conversation = conversation;
        let mut deleted = false;
        let self_target: Vec<AccountRef> = sender.iter().cloned().collect();
        let msg_target = || -> Vec<AccountRef> {
            let name = text.trim();
            if name.is_empty() { Vec::new() } else { vec![self.by_username(name)] }
        };
        let kind_name = m.t.as_deref().unwrap_or("");
        let (kind, targets) = if m.hidden == Some(true) {
            keep_raw = true;
            if let Some(parent) = m.parent {
                reply_to = Some(parent.0);
            }
            (RecordKind::Event(EventKind::Other("history".to_string())), Vec::new())
        } else {
            match kind_name {
                "" => (RecordKind::Message, Vec::new()),
                "rm" => {
                    deleted = true;
                    (RecordKind::Message, Vec::new())
                }
                "uj" | "ujt" | "ut" => (RecordKind::Event(EventKind::Join), self_target),
                "au" | "added-user-to-team" => (RecordKind::Event(EventKind::Join), msg_target()),
                "ul" | "ult" => (RecordKind::Event(EventKind::Leave), self_target),
                "ru" | "removed-user-from-team" => {
                    (RecordKind::Event(EventKind::Leave), msg_target())
                }
                "r" => {
                    if text.trim().is_empty() {
                        keep_raw = true;
                    } else {
                        conversation.name = Some(Arc::from(text.trim()));
                    }
                    (RecordKind::Event(EventKind::Rename), Vec::new())
                }
                other => {
                    keep_raw = true;
                    (RecordKind::Event(EventKind::Other(other.to_string())), Vec::new())
                }
            }
        };

        Ok(Record {
            kind,
            platform: trove_model::platform::ROCKETCHAT,
            conversation,
            native_id: Some(id),
            sender,
            sent_at,
            text,
            reply_to,
            targets,
            reactions,
            urls,
            attachments,
            locator,
            raw: keep_raw.then(|| std::str::from_utf8(raw).unwrap_or_default().to_string()),
            edited_at,
            thread,
            deleted,
            ..Record::default()
        })
    }

    /// An upload, pointing at the dump's own copy when it holds one.
    fn upload(
        &self,
        file_id: &str,
        name: String,
        link: String,
        kind: Option<String>,
        size: Option<u64>,
    ) -> Attachment {
        match self.uploads.get(file_id) {
            Some((entry, local_size)) => Attachment {
                name,
                reference: entry.clone(),
                kind,
                size: Some(*local_size),
                sha256: None,
                entry: Some(entry.clone()),
            },
            None => Attachment { name, reference: link, kind, size, sha256: None, entry: None },
        }
    }

    fn notice(&mut self, file: &str, offset: u64, kind: NoticeKind, reason: String) {
        self.sink.notice(Notice { file: file.to_string(), offset, kind, count: 1, reason });
    }

    fn skip(&mut self, file: &str, offset: u64, reason: impl Into<String>) {
        self.sink.skip(Skip { file: file.to_string(), offset, reason: reason.into() });
    }
}

fn media_type(a: &AttachmentJson) -> Option<String> {
    a.image_type.clone().or_else(|| a.video_type.clone()).or_else(|| a.audio_type.clone())
}

fn media_size(a: &AttachmentJson) -> Option<u64> {
    a.image_size.0.or(a.video_size.0).or(a.audio_size.0)
}

/// The upload id in `/file-upload/<id>/<name>`.
fn upload_id(link: &str) -> Option<String> {
    let rest = link.split("/file-upload/").nth(1)?;
    let id = rest.split('/').next()?;
    (!id.is_empty()).then(|| id.to_string())
}

/// The message id in a permalink `.../room?msg=<id>`.
fn quoted_id(link: &str) -> Option<String> {
    let query = link.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let id = pair.strip_prefix("msg=")?;
        let id = id.split('#').next()?;
        (!id.is_empty()).then(|| id.to_string())
    })
}

/// A Rocket.Chat time: an ISO string, or mongo's `{"$date": ...}` holding
/// epoch milliseconds (a number or `{"$numberLong": "..."}`) or an ISO
/// string. The original is the inner value as written.
fn rocket_time(raw: &RawValue, zone: &(TimeZone, Arc<str>)) -> Result<Timestamp, String> {
    let text = raw.get().trim();
    if text.starts_with('"') {
        let s: String = serde_json::from_str(text)
            .map_err(|e| format!("unreadable time: {}", error_reason(&e)))?;
        return parse_timestamp(&s, &zone.0, &zone.1)
            .map_err(|e| format!("unreadable time `{s}`: {e}"));
    }
    if text.starts_with('{') {
        #[derive(Deserialize)]
        struct Date<'a> {
            #[serde(rename = "$date", alias = "$numberLong", borrow)]
            date: &'a RawValue,
        }
        let inner: Date<'_> = serde_json::from_str(text)
            .map_err(|_| format!("unreadable time {text}: expected {{\"$date\": ...}}"))?;
        return rocket_time(inner.date, zone);
    }
    let ms: i64 = text.parse().map_err(|_| format!("unreadable time {text}"))?;
    // jiff's range: years -9999..=9999.
    if ms.unsigned_abs() > 253_402_300_799_999 {
        return Err(format!("time {text} is out of range"));
    }
    Ok(Timestamp::utc(ms, text))
}

/// `serde_json::from_slice`, with UTF-8 checked once for the whole message
/// instead of per string (same result and errors).
fn from_bytes<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn times() {
        let o = ReadOptions::default().zone();
        let t = rocket_time(&raw("\"2020-09-24T20:20:04.571Z\""), &o).unwrap();
        assert_eq!(
            (t.utc_ms, t.original.as_str()),
            (1_600_978_804_571, "2020-09-24T20:20:04.571Z")
        );
        let t = rocket_time(&raw("{\"$date\": 1600978804571}"), &o).unwrap();
        assert_eq!((t.utc_ms, t.original.as_str()), (1_600_978_804_571, "1600978804571"));
        let t = rocket_time(&raw("{\"$date\": {\"$numberLong\": \"1600978804571\"}}"), &o);
        assert_eq!(t.unwrap().utc_ms, 1_600_978_804_571);
        let t = rocket_time(&raw("{\"$date\": \"2020-09-24T20:20:04.571Z\"}"), &o).unwrap();
        assert_eq!(t.utc_ms, 1_600_978_804_571);
        assert!(rocket_time(&raw("true"), &o).is_err());
        assert!(rocket_time(&raw("{\"when\": 1}"), &o).is_err());
        assert!(rocket_time(&raw("99999999999999999"), &o).is_err());
    }

    #[test]
    fn links() {
        assert_eq!(upload_id("/file-upload/abcDEF123/report.pdf").as_deref(), Some("abcDEF123"));
        assert_eq!(upload_id("https://x/y"), None);
        assert_eq!(
            quoted_id("https://chat.example/group/ops?msg=Xy12&x=1").as_deref(),
            Some("Xy12")
        );
        assert_eq!(quoted_id("https://chat.example/group/ops"), None);
    }

    #[test]
    fn export_roots() {
        let sides = ["serverA/", "serverB/"];
        assert_eq!(export_root("serverA/GENERAL/2021-03-01.json", &sides), "serverA/");
        assert_eq!(export_root("serverC/GENERAL/2021-03-01.json", &sides), "serverC/");
        assert_eq!(export_root("GENERAL/2021-03-01.json", &[]), "");
        assert_eq!(export_root("GENERAL/2021-03-01.json", &[""]), "");
        assert_eq!(folder_of("serverA/rooms.json"), "serverA/");
    }

    #[test]
    fn heads() {
        assert!(looks_like_day_file(b"{\"messages\": [{\"_id\": \"a\", \"rid\": \"GENERAL\""));
        assert!(!looks_like_day_file(b"{\"messages\": [{\"id\": \"a\"}]}"));
        assert!(looks_like_documents(b"{\"_id\":\"a\",\"rid\":\"r\",\"msg\":\"x\",\"u\":{}}\n"));
    }
}
