//! Slack workspace exports: a zip (or its extracted folder) with
//! `users.json`, `channels.json` (and `groups.json`, `dms.json`,
//! `mpims.json` in "all conversations" exports) and one folder per
//! conversation holding `YYYY-MM-DD.json` day files, each a JSON array of
//! message objects. slackdump writes the same layout.
//!
//! Day files are small and split by day, so each is scanned as one array
//! with [`crate::json_scan`]; every message is parsed on its own with its
//! exact byte span. A broken day file is reported where it breaks and the
//! next one is read.
//!
//! Traps handled here:
//! - `ts` (`"1458208082.000002"`) is both the time (UTC epoch seconds) and
//!   the message id within its channel: it is the native id, kept as a
//!   string. The day file's name is in some local zone and is never used
//!   for time.
//! - Folders are named after the channel's *current* name (DMs after their
//!   id): the conversation id comes from `channels.json` & co; a folder they
//!   do not list is its own id.
//! - Text is Slack mrkdwn with `&amp; &lt; &gt;` escaped: decoded once. The
//!   angle-bracket tokens (`<@U123>`, `<#C1|name>`, `<https://x|label>`)
//!   stay in the text as written (they are evidence, and names are resolved
//!   at display time); link targets are also collected into `urls`.
//! - Bot and integration posts often have empty `text` and their content
//!   in `attachments[]` (link unfurls, GitHub notices): the record text is
//!   then built from the attachments' pretext/title/text, their links go to
//!   `urls`, and the raw JSON is kept.
//! - Threads: `thread_ts` is the thread; a reply (`ts != thread_ts`)
//!   replies to the parent. Replies sit in the day file of their own date.
//! - `edited` holds only the last edit time; Slack keeps no earlier text.
//! - Reactions list user ids (possibly fewer than `count`): one reaction per
//!   listed user.
//! - Files (`files[]`, or a single legacy `file`) are references: their
//!   `url_private` may carry the export token (`?t=xoxe-...`), a credential
//!   that is kept as evidence and never requested. When slackdump saved the
//!   file (`<channel>/attachments/<id>-<name>`, `__uploads/<id>/<name>`),
//!   the attachment points at that entry with its size.
//! - Joins, leaves, renames, topics and other system subtypes are events;
//!   unknown subtypes are kept as events with their raw JSON.

mod events;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;
use trove_model::{
    AccountRef, Attachment, ConversationRef, EventKind, Locator, Reaction, Record, RecordKind,
    Timestamp, UrlRef,
};

use crate::discord::stream::{Size, file_name, list, trim_head, zip_top};
use crate::entities::decode_entities;
use crate::intern::Accounts;
use crate::json_scan::{JsonScanner, ScanOptions, error_offset, error_reason};
use crate::shape::{self, Required};
use crate::timefmt::parse_timestamp;
use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip};

/// What a Slack message cannot do without: its `ts` is its time and id.
const REQUIRED: Required = Required { id: "ts", fields: &["ts"] };

/// Slack workspace exports.
pub struct Slack;

/// How many bytes of progress to batch before telling the sink.
const PROGRESS_STEP: u64 = 1 << 20;

/// The metadata files that list conversations.
const CONVERSATION_FILES: [&str; 4] = ["channels.json", "groups.json", "mpims.json", "dms.json"];
/// The metadata files that list people.
const USER_FILES: [&str; 2] = ["users.json", "org_users.json"];

/// Whether `file` is a day file name: `YYYY-MM-DD.json`.
fn is_day_file(file: &str) -> bool {
    let b = file.as_bytes();
    b.len() == 15
        && file.ends_with(".json")
        && b.iter()
            .take(10)
            .enumerate()
            .all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

/// How much of a file is read to tell whether it is an event log.
const LOG_HEAD: usize = 64 * 1024;

/// Whether entry `name` is a Slack event log (one JSON event per line).
fn is_log(input: &Input, name: &str) -> bool {
    !is_day_file(file_name(name))
        && input.head(name, LOG_HEAD).is_ok_and(|head| events::is_event_log(&head))
}

/// The event logs directly in folder `root` of the input (or the input
/// itself, when it is one file).
fn event_logs(input: &Input, root: &str) -> Vec<String> {
    input
        .entries()
        .iter()
        .filter(|e| {
            e.name.strip_prefix(root).is_some_and(|rest| !rest.contains('/'))
                && !CONVERSATION_FILES.contains(&file_name(&e.name))
                && !USER_FILES.contains(&file_name(&e.name))
        })
        .filter(|e| is_log(input, &e.name))
        .map(|e| e.name.clone())
        .collect()
}

/// Whether the export's metadata files sit in folder `top` ("" for the
/// input's top level): a user list and a conversation list.
fn has_metadata(input: &Input, top: &str) -> bool {
    let has = |meta: &&str| input.entry(&format!("{top}{meta}")).is_some();
    USER_FILES.iter().any(has) && CONVERSATION_FILES.iter().any(has)
}

/// The folder holding the export ("" at the top): where the metadata
/// files are, looking first at the top (or a zip's single top folder), then
/// anywhere (a read forced with `--format slack` on a parent folder).
fn root(input: &Input) -> String {
    let top = zip_top(input);
    if has_metadata(input, &top) {
        return top;
    }
    CONVERSATION_FILES
        .iter()
        .chain(USER_FILES.iter())
        .find_map(|meta| {
            let entry = input.find_suffix(meta)?;
            Some(entry.name.strip_suffix(meta).unwrap_or("").to_string())
        })
        .unwrap_or(top)
}

impl Format for Slack {
    fn name(&self) -> &'static str {
        "slack"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::SLACK
    }

    fn sniff(&self, input: &Input) -> Confidence {
        match input.kind() {
            InputKind::File => {
                let Some(entry) = input.entries().first() else { return Confidence::No };
                if is_log(input, &entry.name) {
                    return Confidence::Certain;
                }
                if !is_day_file(file_name(&entry.name)) {
                    return Confidence::No;
                }
                let Ok(head) = input.head(&entry.name, 4096) else { return Confidence::No };
                let head = trim_head(&head);
                let compact: Vec<u8> =
                    head.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
                let found = |needle: &[u8]| memchr::memmem::find(&compact, needle).is_some();
                if head.first() == Some(&b'[')
                    && found(b"\"type\":\"message\"")
                    && found(b"\"ts\":")
                {
                    Confidence::Maybe
                } else {
                    Confidence::No
                }
            }
            // Only an export at the top is claimed (a folder holding one
            // among other things is walked by ingest, which finds it).
            InputKind::Dir | InputKind::Zip => {
                let top = zip_top(input);
                if has_metadata(input, &top) {
                    return Confidence::Certain;
                }
                let has = |meta: &&str| input.entry(&format!("{top}{meta}")).is_some();
                // Event logs with a user or channel list beside them.
                let some_meta = CONVERSATION_FILES.iter().chain(USER_FILES.iter()).any(has);
                if some_meta && !event_logs(input, &top).is_empty() {
                    return Confidence::Certain;
                }
                // A user list alone is no sign: Rocket.Chat dumps have one.
                let has = |meta: &&str| input.entry(&format!("{top}{meta}")).is_some();
                let some_meta = CONVERSATION_FILES.iter().any(has);
                let has_days = input.entries().iter().any(|e| {
                    e.name.strip_prefix(top.as_str()).is_some_and(|rest| {
                        rest.split_once('/').is_some_and(|(_, file)| is_day_file(file))
                    })
                });
                if some_meta && has_days { Confidence::Maybe } else { Confidence::No }
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
            users: HashMap::new(),
            conversations: HashMap::new(),
            saved_files: HashMap::new(),
            accounts: RefCell::new(Accounts::default()),
            teams: HashMap::new(),
        };
        reader.run()
    }
}

#[derive(Deserialize)]
struct UserJson {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    profile: Option<ProfileJson>,
    /// The user's workspace (`T…`).
    #[serde(default)]
    team_id: Option<String>,
}

#[derive(Deserialize)]
struct ProfileJson {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct ConversationJson {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct MessageJson<'a> {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    subtype: Option<String>,
    #[serde(borrow, default)]
    ts: Option<&'a RawValue>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    bot_id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    bot_profile: Option<BotProfileJson>,
    #[serde(default)]
    user_profile: Option<ProfileJson>,
    #[serde(default)]
    text: Option<String>,
    #[serde(borrow, default)]
    thread_ts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    edited: Option<EditedJson<'a>>,
    #[serde(default, deserialize_with = "list")]
    reactions: Vec<ReactionJson>,
    #[serde(default, deserialize_with = "list")]
    files: Vec<FileJson>,
    #[serde(default)]
    file: Option<FileJson>,
    #[serde(default, deserialize_with = "list")]
    attachments: Vec<UnfurlJson>,
    #[serde(borrow, default)]
    blocks: Option<&'a RawValue>,
    #[serde(default)]
    inviter: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    comment: Option<CommentJson>,
}

#[derive(Deserialize)]
struct BotProfileJson {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct EditedJson<'a> {
    #[serde(borrow, default)]
    ts: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ReactionJson {
    #[serde(default)]
    name: String,
    #[serde(default, deserialize_with = "list")]
    users: Vec<String>,
}

#[derive(Deserialize)]
struct FileJson {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    mimetype: Option<String>,
    #[serde(default)]
    filetype: Option<String>,
    #[serde(default)]
    size: Size,
    #[serde(default)]
    url_private: Option<String>,
    #[serde(default)]
    url_private_download: Option<String>,
    #[serde(default)]
    permalink: Option<String>,
}

#[derive(Deserialize)]
struct UnfurlJson {
    #[serde(default)]
    from_url: Option<String>,
    #[serde(default)]
    original_url: Option<String>,
    #[serde(default)]
    title_link: Option<String>,
    #[serde(default)]
    pretext: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    fallback: Option<String>,
}

#[derive(Deserialize)]
struct CommentJson {
    #[serde(default)]
    user: Option<String>,
}

/// A person as `users.json` names them.
#[derive(Clone)]
struct Person {
    display_name: Option<String>,
    handle: Option<String>,
}

/// One read of one input.
struct Reader<'a> {
    input: &'a Input,
    options: &'a ReadOptions,
    sink: &'a mut dyn Sink,
    users: HashMap<String, Person>,
    /// Folder name (channel name or conversation id) → conversation.
    conversations: HashMap<String, ConversationRef>,
    /// File id → (entry name, size) for files saved into the export.
    saved_files: HashMap<String, (String, u64)>,
    /// Senders named so far, shared across records. In a cell because the
    /// lookups happen in `&self` helpers; every borrow ends within the
    /// helper that takes it.
    accounts: RefCell<Accounts>,
    /// How many users of `users.json` each workspace id has.
    teams: HashMap<String, usize>,
}

/// What a day file's records share.
struct Day<'a> {
    display: &'a str,
    entry: Option<Arc<str>>,
    conversation: &'a ConversationRef,
}

impl Reader<'_> {
    fn run(&mut self) -> Result<(), ReadError> {
        let input = self.input;
        let single = *input.kind() == InputKind::File;
        let root = if single { String::new() } else { root(input) };
        if !single {
            for meta in USER_FILES {
                if let Some(entry) = input.entry(&format!("{root}{meta}")) {
                    let name = entry.name.clone();
                    self.users_file(&name);
                }
            }
            for meta in CONVERSATION_FILES {
                if let Some(entry) = input.entry(&format!("{root}{meta}")) {
                    let name = entry.name.clone();
                    self.conversations_file(&name);
                }
            }
            self.index_saved_files(&root);
        }

        // (folder, entry) pairs; the folder names the conversation.
        let input_name =
            input.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let logs = event_logs(input, &root);
        let days: Vec<(String, String)> = if single {
            let folder = input
                .path()
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            input
                .entries()
                .iter()
                .filter(|e| !logs.contains(&e.name))
                .map(|e| (folder.clone(), e.name.clone()))
                .collect()
        } else {
            input
                .entries()
                .iter()
                .filter_map(|e| {
                    let rest = e.name.strip_prefix(root.as_str())?;
                    let (folder, file) = match rest.split_once('/') {
                        Some((folder, file)) => (folder.to_string(), file),
                        // A channel folder handed over on its own.
                        None => (input_name.clone(), rest),
                    };
                    (is_day_file(file) && !file.contains('/')).then(|| (folder, e.name.clone()))
                })
                .collect()
        };
        if days.is_empty() && logs.is_empty() {
            return Err(ReadError::invalid(
                input.path().display().to_string(),
                None,
                "no Slack day files (<channel>/YYYY-MM-DD.json) or event logs (one JSON event \
                 per line) found",
            ));
        }
        // Channel ids are unique within a workspace: the workspace most of
        // `users.json` belongs to, else the export's folder or zip name.
        let scope: Option<Arc<str>> = self
            .teams
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(team, _)| team.clone())
            .or_else(|| if single { None } else { input.export_name(&root) })
            .map(Arc::from);
        for (folder, name) in &days {
            let mut conversation = self.conversations.get(folder).cloned().unwrap_or_else(|| {
                let folder: Arc<str> = Arc::from(folder.as_str());
                ConversationRef { native_id: Arc::clone(&folder), name: Some(folder), scope: None }
            });
            conversation.scope = scope.clone();
            let result = self.day_file(name, &conversation, single);
            crate::member_failed(self.input, result, self.options, &mut *self.sink)?;
        }
        for name in &logs {
            let result = self.event_log(name, scope.as_ref());
            crate::member_failed(self.input, result, self.options, &mut *self.sink)?;
        }
        Ok(())
    }

    /// Reads `users.json`: labels for user ids, also told to the sink.
    fn users_file(&mut self, name: &str) {
        self.each_element(name, |reader, offset, bytes| {
            let user: UserJson = serde_json::from_slice(bytes).map_err(|e| {
                (
                    offset + error_offset(bytes, &e) as u64,
                    format!("unreadable user: {}", error_reason(&e)),
                )
            })?;
            reader.learn_user(user);
            Ok(())
        });
    }

    /// Names a user (from `users.json` or an event log's `user_change`),
    /// also told to the sink.
    fn learn_user(&mut self, user: UserJson) {
        let profile = user.profile.as_ref();
        let display_name = [
            profile.and_then(|p| p.display_name.as_deref()),
            profile.and_then(|p| p.real_name.as_deref()),
            user.real_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find(|n| !n.trim().is_empty())
        .map(str::to_string);
        let handle = user.name.filter(|n| !n.is_empty());
        self.sink.account(AccountRef {
            native_id: Arc::from(user.id.as_str()),
            display_name: display_name.as_deref().map(Arc::from),
            handle: handle.as_deref().map(Arc::from),
        });
        if let Some(team) = user.team_id.filter(|t| !t.is_empty()) {
            *self.teams.entry(team).or_insert(0) += 1;
        }
        self.users.insert(user.id, Person { display_name, handle });
    }

    /// Reads `channels.json` and its siblings: folder name → conversation.
    fn conversations_file(&mut self, name: &str) {
        self.each_element(name, |reader, offset, bytes| {
            let c: ConversationJson = serde_json::from_slice(bytes).map_err(|e| {
                (
                    offset + error_offset(bytes, &e) as u64,
                    format!("unreadable conversation: {}", error_reason(&e)),
                )
            })?;
            let name = c.name.filter(|n| !n.is_empty());
            let conversation = ConversationRef {
                native_id: Arc::from(c.id.as_str()),
                name: name.as_deref().map(Arc::from),
                scope: None,
            };
            // Channel folders carry the name, DM folders the id.
            if let Some(name) = name {
                reader.conversations.insert(name, conversation.clone());
            }
            reader.conversations.insert(c.id, conversation);
            Ok(())
        });
    }

    /// Calls `f` on each element of a metadata array; problems are skips.
    fn each_element(
        &mut self,
        name: &str,
        mut f: impl FnMut(&mut Self, u64, &[u8]) -> Result<(), (u64, String)>,
    ) {
        let input = self.input;
        let display = input.display_entry(name);
        let scan = ScanOptions {
            assignment_prefix: false,
            ..ScanOptions::js_array(self.options.max_record_bytes)
        };
        let result = input.with_entry(name, |reader| {
            let mut scanner = JsonScanner::new(reader, display.clone(), scan);
            while let Some((offset, bytes)) = scanner.next_element()? {
                if let Err((at, reason)) = f(self, offset, &bytes) {
                    self.skip(&display, at, reason);
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            let (offset, reason) = split_error(e);
            self.skip(&display, offset, reason);
        }
    }

    /// Files slackdump saved into the export, by Slack file id.
    fn index_saved_files(&mut self, root: &str) {
        for entry in self.input.entries() {
            let Some(rest) = entry.name.strip_prefix(root) else { continue };
            let parts: Vec<&str> = rest.split('/').collect();
            let id = match parts.as_slice() {
                ["__uploads", id, _] => Some(*id),
                [_, "attachments", file] => file.split_once('-').map(|(id, _)| id),
                _ => None,
            };
            if let Some(id) = id.filter(|id| !id.is_empty()) {
                self.saved_files.insert(id.to_string(), (entry.name.clone(), entry.size));
            }
        }
    }

    fn day_file(
        &mut self,
        name: &str,
        conversation: &ConversationRef,
        single: bool,
    ) -> Result<(), ReadError> {
        let input = self.input;
        let display = input.display_entry(name);
        let day =
            Day { display: &display, entry: input.source_of(name).1.map(Arc::from), conversation };
        let scan = ScanOptions {
            assignment_prefix: false,
            ..ScanOptions::js_array(self.options.max_record_bytes)
        };
        let mut read = 0usize;
        let result = input.with_entry(name, |reader| {
            let mut scanner = JsonScanner::new(reader, display.clone(), scan);
            let mut reported = 0u64;
            while let Some((offset, bytes)) = scanner.next_element()? {
                self.message(&day, read, offset, &bytes)?;
                read += 1;
                if scanner.bytes_read() - reported >= PROGRESS_STEP {
                    reported = scanner.bytes_read();
                    self.sink.progress(reported);
                }
            }
            self.sink.progress(scanner.bytes_read());
            Ok(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(ReadError::Stopped(why)) => Err(ReadError::Stopped(why)),
            // A lone day file that is not a JSON array is not a day file.
            Err(e) if single && read == 0 => Err(e),
            Err(e) => {
                let (offset, reason) = split_error(e);
                self.skip(
                    &display,
                    offset,
                    format!("{reason} ({read} messages read before it; the rest of the file is not read)"),
                );
                Ok(())
            }
        }
    }

    fn message(
        &mut self,
        day: &Day<'_>,
        index: usize,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), ReadError> {
        let json_path = format!("$[{index}]");
        let locator = Locator {
            entry: day.entry.clone(),
            offset,
            length: bytes.len() as u64,
            line: None,
            json_path: Some(json_path.clone()),
        };
        match self.message_record(day, locator, bytes, &json_path) {
            Some(record) => self.sink.record(record).map_err(|stop| ReadError::Stopped(stop.0)),
            None => Ok(()),
        }
    }

    /// Reads one message object (`bytes`, cited by `locator`, called
    /// `place` in skips and notices) into a record. An optional field of a shape this reader does not know
    /// goes, with a notice, and the message stays; a message that cannot
    /// be read is a skip (`None`).
    fn message_record(
        &mut self,
        day: &Day<'_>,
        locator: Locator,
        bytes: &[u8],
        place: &str,
    ) -> Option<Record> {
        let offset = locator.offset;
        let locator_length = locator.length;
        let repaired: String;
        let mut dropped = Vec::new();
        let m: MessageJson<'_> = match from_bytes(bytes) {
            Ok(m) => m,
            Err(e) => {
                let parses = |json: &str| {
                    from_bytes::<MessageJson<'_>>(json.as_bytes())
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                };
                let fixed = match shape::retry(bytes, &REQUIRED, parses, &e) {
                    Ok((json, fields)) => {
                        repaired = json;
                        dropped = fields;
                        from_bytes(repaired.as_bytes()).map_err(|e| error_reason(&e))
                    }
                    Err(reason) => Err(reason),
                };
                match fixed {
                    Ok(m) => m,
                    Err(reason) => {
                        // The place of the error within `bytes` is a place
                        // in the file only when `bytes` are the located
                        // bytes themselves: an event log hands over the
                        // event inside its line, decoded (a replaced byte
                        // grows to three), so it cites the line's start.
                        let inner = if bytes.len() as u64 == locator_length {
                            error_offset(bytes, &e) as u64
                        } else {
                            0
                        };
                        let at = offset + inner;
                        self.skip(
                            day.display,
                            at,
                            format!("{place}: not a readable message: {reason}"),
                        );
                        return None;
                    }
                }
            }
        };
        match self.build(m, bytes, day.conversation, locator) {
            Ok(record) => {
                for field in dropped {
                    let reason = format!("{place}: slack {} ({})", field.path, field.why);
                    crate::field_dropped(self.sink, day.display, offset, reason);
                }
                Some(record)
            }
            Err(reason) => {
                self.skip(day.display, offset, format!("{place}: {reason}"));
                None
            }
        }
    }

    fn account(&self, id: &str, profile: Option<&ProfileJson>) -> AccountRef {
        let person = self.users.get(id);
        let embedded = profile.and_then(|p| {
            [p.display_name.as_deref(), p.real_name.as_deref()]
                .into_iter()
                .flatten()
                .find(|n| !n.trim().is_empty())
        });
        let display_name = person.and_then(|p| p.display_name.as_deref()).or(embedded);
        let handle = person
            .and_then(|p| p.handle.as_deref())
            .or_else(|| profile.and_then(|p| p.name.as_deref()));
        self.accounts.borrow_mut().get(id, display_name, handle)
    }

    /// Translates one message object. `Err` is a reason for a skip.
    fn build(
        &self,
        m: MessageJson<'_>,
        raw: &[u8],
        conversation: &ConversationRef,
        locator: Locator,
    ) -> Result<Record, String> {
        let ts = m.ts.and_then(raw_text).ok_or("message has no readable `ts`")?;
        let sent_at = slack_time(&ts)?;
        let edited_at = m.edited.as_ref().and_then(|e| e.ts).and_then(raw_text).and_then(|t| {
            // An unreadable edit time does not lose the message.
            slack_time(&t).ok()
        });
        let thread = m.thread_ts.and_then(raw_text).filter(|t| !t.is_empty());
        let reply_to = thread.clone().filter(|t| *t != ts);

        let subtype = m.subtype.as_deref().unwrap_or("");
        let bot = m.bot_id.is_some() && (subtype == "bot_message" || m.user.is_none());
        let mut sender = match (&m.user, &m.bot_id) {
            (Some(user), _) if !bot => Some(self.account(user, m.user_profile.as_ref())),
            (_, Some(bot_id)) => Some(
                self.accounts.borrow_mut().get(
                    bot_id,
                    m.username
                        .as_deref()
                        .or_else(|| m.bot_profile.as_ref().and_then(|b| b.name.as_deref())),
                    None,
                ),
            ),
            (Some(user), None) => Some(self.account(user, m.user_profile.as_ref())),
            (None, None) => None,
        };
        if sender.is_none()
            && let Some(user) = m.comment.as_ref().and_then(|c| c.user.as_deref())
        {
            sender = Some(self.account(user, None));
        }

        let source_text = m.text.as_deref().unwrap_or("");
        let mut text = decode_entities(source_text).into_owned();
        let mut urls: Vec<UrlRef> = Vec::new();
        for url in link_targets(source_text) {
            push_url(&mut urls, url);
        }
        let mut keep_raw = m.blocks.is_some();
        if !m.attachments.is_empty() {
            keep_raw = true;
            for a in &m.attachments {
                for url in [&a.from_url, &a.original_url, &a.title_link].into_iter().flatten() {
                    push_url(&mut urls, decode_entities(url).into_owned());
                }
                for field in [&a.pretext, &a.text, &a.fallback] {
                    for url in link_targets(field.as_deref().unwrap_or("")) {
                        push_url(&mut urls, url);
                    }
                }
            }
            if text.trim().is_empty() {
                text = unfurl_text(&m.attachments);
            }
        }

        let files: Vec<&FileJson> = m.files.iter().chain(m.file.as_ref()).collect();
        let attachments = files.into_iter().map(|f| self.attachment(f)).collect();
        let reactions = m
            .reactions
            .iter()
            .flat_map(|r| {
                r.users.iter().map(|u| Reaction {
                    sender_id: u.clone(),
                    key: r.name.clone(),
                    at: None,
                    native_id: None,
                })
            })
            .collect();

        let mut conversation = conversation.clone();
        let user = m.user.as_deref().map(|u| self.account(u, m.user_profile.as_ref()));
        let message_type = m.kind.as_deref().unwrap_or("message");
        let (kind, targets, deleted) = if message_type != "message" {
            keep_raw = true;
            (RecordKind::Event(EventKind::Other(message_type.to_string())), Vec::new(), false)
        } else {
            match subtype {
                "" | "bot_message" | "me_message" | "file_share" | "file_comment"
                | "file_mention" | "thread_broadcast" | "reply_broadcast" | "slackbot_response" => {
                    (RecordKind::Message, Vec::new(), false)
                }
                "tombstone" => (RecordKind::Message, Vec::new(), true),
                "channel_join" | "group_join" => {
                    if let Some(inviter) = &m.inviter {
                        sender = Some(self.account(inviter, None));
                    }
                    (RecordKind::Event(EventKind::Join), user.into_iter().collect(), false)
                }
                "channel_leave" | "group_leave" => {
                    (RecordKind::Event(EventKind::Leave), user.into_iter().collect(), false)
                }
                "channel_name" | "group_name" => {
                    if let Some(name) = m.name.as_ref().filter(|n| !n.is_empty()) {
                        conversation.name = Some(Arc::from(name.as_str()));
                    } else {
                        keep_raw = true;
                    }
                    (RecordKind::Event(EventKind::Rename), Vec::new(), false)
                }
                other => {
                    keep_raw = true;
                    (RecordKind::Event(EventKind::Other(other.to_string())), Vec::new(), false)
                }
            }
        };

        Ok(Record {
            kind,
            platform: trove_model::platform::SLACK,
            conversation,
            native_id: Some(ts),
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

    fn attachment(&self, f: &FileJson) -> Attachment {
        let saved = f.id.as_ref().and_then(|id| self.saved_files.get(id));
        let name = [&f.name, &f.title, &f.id]
            .into_iter()
            .flatten()
            .find(|n| !n.is_empty())
            .cloned()
            .unwrap_or_default();
        let reference = match saved {
            Some((entry, _)) => entry.clone(),
            None => [&f.url_private, &f.url_private_download, &f.permalink, &f.id]
                .into_iter()
                .flatten()
                .find(|u| !u.is_empty())
                .cloned()
                .unwrap_or_default(),
        };
        Attachment {
            name,
            reference,
            kind: f.mimetype.clone().or_else(|| f.filetype.clone()).filter(|k| !k.is_empty()),
            size: saved.map(|(_, size)| *size).or(f.size.0),
            sha256: None,
            entry: saved.map(|(entry, _)| entry.clone()),
        }
    }

    fn skip(&mut self, file: &str, offset: u64, reason: impl Into<String>) {
        self.sink.skip(Skip { file: file.to_string(), offset, reason: reason.into() });
    }
}

/// A `ts`-like value as written: a JSON string's content, or a number's
/// digits (never through a float).
fn raw_text(raw: &RawValue) -> Option<String> {
    let text = raw.get();
    if text.starts_with('"') {
        serde_json::from_str::<String>(text).ok()
    } else if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !text.is_empty() {
        Some(text.to_string())
    } else {
        None
    }
}

/// A Slack `ts`: epoch seconds with a 6-digit sequence, a UTC instant.
fn slack_time(ts: &str) -> Result<Timestamp, String> {
    let t = parse_timestamp(ts, &jiff::tz::TimeZone::UTC, &crate::timefmt::utc_name())
        .map_err(|e| format!("unreadable ts `{ts}`: {e}"))?;
    if t.basis != trove_model::TimeBasis::Utc {
        return Err(format!("ts `{ts}` is not a Unix epoch"));
    }
    Ok(t)
}

fn push_url(urls: &mut Vec<UrlRef>, url: String) {
    if !url.is_empty() && !urls.iter().any(|u| u.url == url) {
        urls.push(UrlRef { url, expanded: None });
    }
}

/// The link targets of Slack's `<target|label>` and `<target>` tokens, with
/// entities decoded. Mentions (`<@U1>`, `<#C1|x>`, `<!here>`) are not links.
fn link_targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let tail = &rest[open + 1..];
        let Some(close) = tail.find('>') else { break };
        let token = &tail[..close];
        let target = token.split('|').next().unwrap_or("");
        let scheme = target.split_once(':').map(|(s, _)| s).unwrap_or("");
        let is_link = !target.starts_with(['@', '#', '!'])
            && !scheme.is_empty()
            && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if is_link {
            out.push(decode_entities(target).into_owned());
        }
        rest = &tail[close + 1..];
    }
    out
}

/// Text for a message without its own: what its attachments show.
fn unfurl_text(attachments: &[UnfurlJson]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for a in attachments {
        let mut own: Vec<&str> =
            [&a.pretext, &a.title, &a.text].into_iter().flatten().map(String::as_str).collect();
        own.retain(|p| !p.trim().is_empty());
        if own.is_empty()
            && let Some(fallback) = a.fallback.as_deref().filter(|f| !f.trim().is_empty())
        {
            own.push(fallback);
        }
        parts.extend(own.into_iter().map(|p| decode_entities(p).into_owned()));
    }
    parts.join("\n")
}

/// A scanner error as (offset, reason), without repeating the file name.
fn split_error(e: ReadError) -> (u64, String) {
    match e {
        ReadError::Invalid { offset, reason, .. } => (offset.unwrap_or(0), reason),
        other => (0, other.to_string()),
    }
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

    #[test]
    fn day_file_names() {
        assert!(is_day_file("2016-01-14.json"));
        for no in [
            "2016-1-14.json",
            "2016-01-14.js",
            "x2016-01-14.json",
            "channels.json",
            "2016_01_14.json",
        ] {
            assert!(!is_day_file(no), "{no}");
        }
    }

    #[test]
    fn links() {
        assert_eq!(
            link_targets(
                "<@U1> see <https://a.example/?x=1&amp;y=2|label> and <#C1|gen> <!here> <mailto:a@b.c|a> <http://b.example>"
            ),
            vec!["https://a.example/?x=1&y=2", "mailto:a@b.c", "http://b.example"]
        );
        assert_eq!(link_targets("a &lt;b&gt; <unclosed"), Vec::<String>::new());
    }

    #[test]
    fn times() {
        let t = slack_time("1458208082.000002").unwrap();
        assert_eq!(t.utc_ms, 1_458_208_082_000);
        assert_eq!(t.original, "1458208082.000002");
        assert!(slack_time("2016-03-17").is_err());
        assert!(slack_time("yesterday").is_err());
    }
}
