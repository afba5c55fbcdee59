//! DiscordChatExporter (DCE) JSON: one file per exported channel, thread or
//! DM, `{"guild", "channel", "dateRange", "exportedAt", "messages": [...],
//! "messageCount"}`. A folder or zip of such files is read file by file.
//!
//! Files of big servers reach hundreds of megabytes, so the `messages`
//! array is streamed with [`stream::Stream`]: the top-level object is walked
//! key by key, `guild` and `channel` are parsed when met, and each message
//! is parsed on its own with its exact byte span. DCE writes `guild` and
//! `channel` before `messages`; a file that puts them after is read in a
//! second pass that skips straight to the array.
//!
//! Traps handled here:
//! - `timestamp` carries the exporter's local offset (`LocalWithOffset`)
//!   unless DCE ran with `--utc`, which writes `+00:00`: that (and `Z`) is
//!   recorded as a UTC instant.
//! - Ids are snowflakes beyond 2^53: read as strings (integers accepted).
//! - System messages (`RecipientAdd`, `GuildMemberJoin`, `ChannelNameChange`,
//!   ...) carry a text DCE generated ("Added X to the group."); they become
//!   events whose targets come from `mentions`. Discord kinds DCE does not
//!   know are written as numbers (`"20"`): kept as messages with their raw
//!   JSON when they carry content, as events otherwise.
//! - `reference.messageId` is a reply target for `Reply` messages and the
//!   pinned message for `ChannelPinnedMessage`; a `Forward` reference with
//!   `forwardedMessage` names where the message was forwarded from.
//! - Reactions list their users only when DCE fetched them: one reaction per
//!   listed user; a count beyond the listed users keeps the raw JSON.
//! - Bot messages often have empty `content` and their text in `embeds`: the
//!   record text is then built from the embed titles, descriptions and
//!   fields, and the raw JSON is kept.
//! - Attachment URLs are CDN links that expire, or relative paths with
//!   `--media`; they are kept as references and never fetched. A saved file
//!   present next to the JSON gives the attachment its listed size.
//! - Partitioned or repeated exports of one channel overlap: a message id
//!   read before is not read again (a repeat that differs is reported).

pub(crate) mod stream;

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Read;
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde::Deserialize;
use serde::de::IgnoredAny;
use trove_model::{
    AccountRef, Attachment, ConversationRef, EventKind, Locator, Reaction, Record, RecordKind,
    TimeBasis, Timestamp, UrlRef,
};

use crate::intern::Accounts;
use crate::json_scan::fingerprint;
use crate::json_scan::{error_offset, error_reason};
use crate::media;
use crate::shape::{self, Required};
use crate::timefmt::parse_timestamp;
use crate::{
    Confidence, Format, Input, InputKind, Notice, NoticeKind, ReadError, ReadOptions, Sink, Skip,
};
use stream::{Broken, Id, Size, Stream, Value, has_key, list, trim_head};

/// DiscordChatExporter JSON.
pub struct Discord;

/// 2015-01-01T00:00:00Z, the zero of Discord snowflake ids.
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// How many bytes of a file sniffing reads.
const HEAD: usize = 8 * 1024;

/// How many bytes of progress to batch before telling the sink.
const PROGRESS_STEP: u64 = 1 << 20;

/// The creation time (ms since the Unix epoch) encoded in a Discord
/// snowflake: `(id >> 22) + 1420070400000`. `None` for anything that is not
/// a decimal `u64`.
pub fn snowflake_ms(id: &str) -> Option<i64> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = id.parse().ok()?;
    Some((n >> 22) as i64 + DISCORD_EPOCH_MS)
}

/// Whether the first bytes of a file look like a DCE document.
fn looks_like_dce(head: &[u8]) -> bool {
    trim_head(head).first() == Some(&b'{')
        && has_key(head, "guild")
        && has_key(head, "channel")
        && has_key(head, "messages")
}

/// Whether a file of a folder read as DCE is worth reading: a damaged
/// document may lack `guild` or `channel`, not both.
fn may_be_dce(head: &[u8]) -> bool {
    trim_head(head).first() == Some(&b'{')
        && (has_key(head, "guild") || has_key(head, "channel"))
        && has_key(head, "messages")
}

/// How many documents a folder or zip may hold for sniffing to look at
/// them all; a bigger one is left to the ingest walker.
const SNIFF_FILES: usize = 64;

fn is_json(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".json")
}

/// Whether an entry sits in a DCE media folder (`<export>_Files/`).
fn in_media_folder(name: &str) -> bool {
    name.split('/').rev().skip(1).any(|dir| dir.ends_with("_Files"))
}

/// The `.json` entries of a folder or zip, minus downloaded media.
fn json_entries(input: &Input) -> impl Iterator<Item = &str> {
    input
        .entries()
        .iter()
        .map(|e| e.name.as_str())
        .filter(|name| is_json(name) && !in_media_folder(name))
}

impl Format for Discord {
    fn name(&self) -> &'static str {
        "discord"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::DISCORD
    }

    fn sniff(&self, input: &Input) -> Confidence {
        if *input.kind() == InputKind::File {
            let found = input.entries().first().is_some_and(|entry| {
                input.head(&entry.name, HEAD).is_ok_and(|head| looks_like_dce(&head))
            });
            return if found { Confidence::Certain } else { Confidence::No };
        }
        // A folder or zip is claimed whole only when it holds nothing but
        // DCE documents and their media (`*_Files/`): a mixed folder is
        // left to the ingest walker, which offers each file on its own.
        // At most SNIFF_FILES heads are read, to stay cheap.
        let mut documents = 0usize;
        for entry in input.entries() {
            let name = entry.name.as_str();
            if in_media_folder(name) {
                continue;
            }
            documents += 1;
            if !is_json(name)
                || documents > SNIFF_FILES
                || !input.head(name, HEAD).is_ok_and(|head| looks_like_dce(&head))
            {
                return Confidence::No;
            }
        }
        if documents > 0 { Confidence::Certain } else { Confidence::No }
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let single = *input.kind() == InputKind::File;
        let files: Vec<String> = if single {
            input.entries().iter().map(|e| e.name.clone()).collect()
        } else {
            json_entries(input).map(str::to_string).collect()
        };
        if files.is_empty() {
            return Err(ReadError::invalid(
                input.path().display().to_string(),
                None,
                "no DiscordChatExporter JSON files (*.json) found",
            ));
        }
        let shared = Shared { zone: options.zone(), accounts: Accounts::default() };
        let mut reader =
            Reader { input, options, sink, seen: HashMap::new(), files: Vec::new(), shared };
        for name in &files {
            if !single {
                let head = input.head(name, HEAD).unwrap_or_default();
                if !may_be_dce(&head) {
                    reader.skip(
                        &input.display_entry(name),
                        0,
                        "not a DiscordChatExporter export (no `guild`, `channel` and `messages` \
                         near the start): not read",
                    );
                    continue;
                }
            }
            let result = reader.file(name, single);
            crate::member_failed(input, result, options, &mut *reader.sink)?;
        }
        Ok(())
    }
}

#[derive(Deserialize, Default)]
struct GuildJson {
    /// The server's id; DiscordChatExporter writes `0` for direct messages.
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    name: Option<String>,
}

/// A channel's scope: its server (guild) id, as DiscordChatExporter writes
/// it (`0` for direct messages).
fn guild_scope(guild: Option<&GuildJson>) -> Option<Arc<str>> {
    guild.and_then(|g| g.id.as_ref()).map(|id| Arc::from(id.0.as_str()))
}

#[derive(Deserialize)]
struct ChannelJson {
    id: Id,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// What a Discord message cannot do without: its id and its time.
const REQUIRED: Required = Required { id: "id", fields: &["id", "timestamp"] };

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageJson {
    id: Id,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    timestamp: String,
    #[serde(default)]
    timestamp_edited: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    author: Option<UserJson>,
    #[serde(default, deserialize_with = "list")]
    attachments: Vec<AttachmentJson>,
    #[serde(default, deserialize_with = "list")]
    embeds: Vec<EmbedJson>,
    #[serde(default, deserialize_with = "list")]
    stickers: Vec<StickerJson>,
    #[serde(default, deserialize_with = "list")]
    reactions: Vec<ReactionJson>,
    #[serde(default, deserialize_with = "list")]
    mentions: Vec<UserJson>,
    #[serde(default)]
    reference: Option<ReferenceJson>,
    #[serde(default)]
    forwarded_message: Option<ForwardJson>,
    #[serde(default)]
    interaction: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserJson {
    id: Id,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    discriminator: Option<String>,
    #[serde(default)]
    nickname: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttachmentJson {
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    file_size_bytes: Size,
}

#[derive(Deserialize)]
struct EmbedJson {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "list")]
    fields: Vec<EmbedField>,
}

#[derive(Deserialize)]
struct EmbedField {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StickerJson {
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    source_url: Option<String>,
}

#[derive(Deserialize)]
struct ReactionJson {
    #[serde(default)]
    emoji: EmojiJson,
    #[serde(default)]
    count: Size,
    #[serde(default, deserialize_with = "list")]
    users: Vec<UserJson>,
}

#[derive(Deserialize, Default)]
struct EmojiJson {
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReferenceJson {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    message_id: Option<Id>,
    #[serde(default)]
    channel_id: Option<Id>,
    #[serde(default)]
    guild_id: Option<Id>,
}

#[derive(Deserialize)]
struct ForwardJson {
    #[serde(default)]
    content: Option<String>,
    #[serde(default, deserialize_with = "list")]
    attachments: Vec<AttachmentJson>,
}

/// What a file says about the conversation its messages belong to.
struct Channel {
    conversation: ConversationRef,
    guild_name: Option<String>,
    /// Set for thread channels: the thread is the channel itself.
    thread: Option<String>,
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
    seen: HashMap<String, Seen>,
    /// Display names of the files read so far, indexed by `Seen::file`.
    files: Vec<String>,
    /// What every message of the read shares: zone and senders.
    shared: Shared,
}

/// What the records of one read share rather than copy.
struct Shared {
    /// `options.zone()`, looked up once rather than per timestamp.
    zone: (TimeZone, Arc<str>),
    accounts: Accounts,
}

/// Per-file state while walking one document.
struct FileState {
    display: String,
    entry: Option<Arc<str>>,
    file_index: usize,
    guild: Option<GuildJson>,
    channel: Option<Channel>,
    /// Offset of the `messages` array when it came before `channel`.
    deferred: Option<u64>,
    saw_messages: bool,
    /// Messages reached: from here on a break is a skip, not an error.
    in_messages: bool,
    read: usize,
    reported: u64,
}

/// Why walking a file stopped early.
enum Halt {
    Broken(Broken),
    Error(ReadError),
}

impl From<Broken> for Halt {
    fn from(b: Broken) -> Halt {
        Halt::Broken(b)
    }
}

impl From<ReadError> for Halt {
    fn from(e: ReadError) -> Halt {
        Halt::Error(e)
    }
}

impl Reader<'_> {
    /// Reads one DCE file. `single`: the input is this one file, so a file
    /// that is not a DCE document at all is an error rather than a skip.
    fn file(&mut self, name: &str, single: bool) -> Result<(), ReadError> {
        let display = self.input.display_entry(name);
        let file_index = self.files.len();
        self.files.push(display.clone());
        let mut state = FileState {
            display: display.clone(),
            entry: self.input.source_of(name).1.map(Arc::from),
            file_index,
            guild: None,
            channel: None,
            deferred: None,
            saw_messages: false,
            in_messages: false,
            read: 0,
            reported: 0,
        };
        let input = self.input;
        let first = input.with_entry(name, |reader| Ok(self.document(reader, &mut state)));
        let mut outcome = match first {
            Ok(outcome) => outcome,
            Err(e) if single => return Err(e),
            Err(e) => {
                self.skip(&display, 0, format!("unreadable: {e}"));
                return Ok(());
            }
        };
        if outcome.is_ok()
            && let Some(offset) = state.deferred
        {
            if state.channel.is_none() {
                state.channel = Some(self.channel_from_name(name, &state));
            }
            let second = input
                .with_entry(name, |reader| Ok(self.deferred_messages(reader, offset, &mut state)));
            outcome = match second {
                Ok(outcome) => outcome,
                Err(e) => Err(Halt::Error(e)),
            };
        }
        match outcome {
            Ok(()) => {}
            Err(Halt::Error(ReadError::Stopped(why))) => return Err(ReadError::Stopped(why)),
            Err(Halt::Error(e)) if single && !state.in_messages => return Err(e),
            Err(Halt::Error(e)) => self.skip(&display, 0, e.to_string()),
            Err(Halt::Broken(b)) if single && !state.in_messages => {
                return Err(ReadError::invalid(display, Some(b.offset), b.reason));
            }
            Err(Halt::Broken(b)) => {
                let reason = if state.in_messages {
                    format!(
                        "{} ({} messages read before it; the rest of the file is not read)",
                        b.reason, state.read
                    )
                } else {
                    format!("not a readable DiscordChatExporter document: {}", b.reason)
                };
                self.skip(&display, b.offset, reason);
            }
        }
        Ok(())
    }

    /// The first pass over a file.
    fn document(&mut self, reader: &mut dyn Read, state: &mut FileState) -> Result<(), Halt> {
        let mut s = Stream::new(reader);
        s.skip_bom()?;
        s.open(b'{', "a JSON object (a DiscordChatExporter document)")?;
        let mut first = true;
        while let Some((_, key)) = s.object_next(&mut first)? {
            match key.as_str() {
                "guild" => state.guild = self.meta(&mut s, state, "guild")?,
                "channel" => {
                    if let Some(channel) = self.meta::<ChannelJson, _>(&mut s, state, "channel")? {
                        state.channel = Some(self.channel(channel, state.guild.as_ref()));
                    }
                }
                "messages" if !state.saw_messages => {
                    if s.peek()? != Some(b'[') {
                        return Err(Broken {
                            offset: s.offset(),
                            reason: "`messages` is not an array".into(),
                        }
                        .into());
                    }
                    state.saw_messages = true;
                    if state.channel.is_none() {
                        // `channel` may still come: find it, then come back.
                        state.deferred = Some(s.offset());
                        s.value(0)?;
                    } else {
                        s.bump();
                        state.in_messages = true;
                        self.messages(&mut s, state)?;
                    }
                }
                _ => {
                    s.value(0)?;
                }
            }
        }
        if !state.saw_messages {
            return Err(Broken {
                offset: 0,
                reason: "the document has no `messages` array".into(),
            }
            .into());
        }
        if let Some(b) = s.peek()? {
            let offset = s.offset();
            self.skip(
                &state.display,
                offset,
                format!("unexpected {} after the end of the document: ignored", stream::show(b)),
            );
        }
        Ok(())
    }

    /// The second pass, for a `messages` array met before `channel`.
    fn deferred_messages(
        &mut self,
        reader: &mut dyn Read,
        offset: u64,
        state: &mut FileState,
    ) -> Result<(), Halt> {
        let mut skipped = reader.take(offset);
        let copied = std::io::copy(&mut skipped, &mut std::io::sink()).map_err(|e| Broken {
            offset,
            reason: format!("read failed before the messages array: {e}"),
        })?;
        if copied != offset {
            return Err(
                Broken { offset: copied, reason: "file shrank while being read".into() }.into()
            );
        }
        let mut s = Stream::at(reader, offset);
        s.open(b'[', "the messages array")?;
        state.in_messages = true;
        self.messages(&mut s, state)
    }

    /// Parses a small metadata value (`guild`, `channel`); an unreadable one
    /// is reported and treated as absent.
    fn meta<T: for<'de> Deserialize<'de>, R: Read>(
        &mut self,
        s: &mut Stream<R>,
        state: &FileState,
        key: &str,
    ) -> Result<Option<T>, Broken> {
        Ok(match s.value(self.options.max_record_bytes)? {
            Value::Bytes { offset, bytes } => match serde_json::from_slice::<T>(&bytes) {
                Ok(parsed) => Some(parsed),
                Err(e) => {
                    let at = offset + error_offset(&bytes, &e) as u64;
                    self.skip(
                        &state.display,
                        at,
                        format!("unreadable `{key}`: {}", error_reason(&e)),
                    );
                    None
                }
            },
            Value::TooLarge { offset, length } => {
                self.skip(
                    &state.display,
                    offset,
                    format!("`{key}` is {length} bytes, over the max_record_bytes limit"),
                );
                None
            }
        })
    }

    fn channel(&self, channel: ChannelJson, guild: Option<&GuildJson>) -> Channel {
        let guild_name = guild.and_then(|g| g.name.clone());
        let name = match (&guild_name, &channel.name) {
            (Some(g), Some(c)) => Some(format!("{g} / {c}")),
            (None, Some(c)) => Some(c.clone()),
            (Some(g), None) => Some(g.clone()),
            (None, None) => None,
        };
        let thread = channel
            .kind
            .as_deref()
            .is_some_and(|k| k.ends_with("Thread"))
            .then(|| channel.id.0.clone());
        Channel {
            conversation: ConversationRef {
                native_id: Arc::from(channel.id.0),
                name: name.map(Arc::from),
                scope: guild_scope(guild),
            },
            guild_name,
            thread,
        }
    }

    /// A conversation for a file without a readable `channel`: the channel id
    /// DCE puts in its default file name (`... [123].json`), else the name.
    fn channel_from_name(&mut self, name: &str, state: &FileState) -> Channel {
        let file = stream::file_name(name);
        let id = file
            .rfind('[')
            .and_then(|open| {
                let rest = file.get(open + 1..)?;
                let close = rest.find(']')?;
                let digits = rest.get(..close)?;
                (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| digits.to_string())
            })
            .unwrap_or_else(|| file.strip_suffix(".json").unwrap_or(file).to_string());
        self.skip(
            &state.display,
            0,
            format!("no readable `channel`: messages filed under conversation `{id}`"),
        );
        Channel {
            conversation: ConversationRef {
                native_id: Arc::from(id),
                name: None,
                scope: guild_scope(state.guild.as_ref()),
            },
            guild_name: state.guild.as_ref().and_then(|g| g.name.clone()),
            thread: None,
        }
    }

    /// Streams the elements of the `messages` array (its `[` consumed).
    fn messages<R: Read>(&mut self, s: &mut Stream<R>, state: &mut FileState) -> Result<(), Halt> {
        let max = self.options.max_record_bytes;
        let mut first = true;
        let mut index = 0usize;
        while let Some(value) = s.array_next(&mut first, max)? {
            match value {
                Value::Bytes { offset, bytes } => self.message(&bytes, offset, index, state)?,
                Value::TooLarge { offset, length } => self.skip(
                    &state.display,
                    offset,
                    format!(
                        "messages[{index}] is {length} bytes, over the limit of {max} bytes \
                         (max_record_bytes)"
                    ),
                ),
            }
            index += 1;
            state.read = index;
            if s.offset() - state.reported >= PROGRESS_STEP {
                state.reported = s.offset();
                self.sink.progress(state.reported);
            }
        }
        self.sink.progress(s.offset());
        Ok(())
    }

    fn message(
        &mut self,
        bytes: &[u8],
        offset: u64,
        index: usize,
        state: &FileState,
    ) -> Result<(), ReadError> {
        let json_path = crate::json_scan::indexed("$.messages", index);
        let mut dropped = Vec::new();
        let m: MessageJson = match serde_json::from_slice(bytes) {
            Ok(m) => m,
            Err(e) => {
                // An optional field of a shape this reader does not know
                // goes, with a notice; the message stays.
                let parses = |json: &str| {
                    serde_json::from_str::<MessageJson>(json).map(|_| ()).map_err(|e| e.to_string())
                };
                let fixed =
                    shape::retry(bytes, &REQUIRED, parses, &e).and_then(|(json, fields)| {
                        dropped = fields;
                        serde_json::from_str::<MessageJson>(&json).map_err(|e| error_reason(&e))
                    });
                match fixed {
                    Ok(m) => m,
                    Err(reason) => {
                        let at = offset + error_offset(bytes, &e) as u64;
                        self.skip(
                            &state.display,
                            at,
                            format!("{json_path}: not a readable message: {reason}"),
                        );
                        return Ok(());
                    }
                }
            }
        };
        let Some(channel) = &state.channel else { return Ok(()) };
        let locator = Locator {
            entry: state.entry.clone(),
            offset,
            length: bytes.len() as u64,
            line: None,
            json_path: Some(json_path.clone()),
        };
        let raw = std::str::from_utf8(bytes).unwrap_or_default();
        let record = match build(m, raw, channel, &mut self.shared, locator) {
            Ok(record) => record,
            Err(reason) => {
                self.skip(&state.display, offset, format!("{json_path}: {reason}"));
                return Ok(());
            }
        };
        let mut record = record;
        for attachment in &mut record.attachments {
            self.local_media(attachment, state);
        }
        for field in dropped {
            let reason = format!("{json_path}: discord {} ({})", field.path, field.why);
            crate::field_dropped(self.sink, &state.display, offset, reason);
        }
        let id = record.native_id.clone().unwrap_or_default();
        let print = fingerprint(bytes);
        match self.seen.entry(id.clone()) {
            Entry::Occupied(first) => {
                let first = first.get();
                let first_file = self.files.get(first.file).cloned().unwrap_or_default();
                if first.fingerprint != print {
                    let reason = format!(
                        "{json_path}: message {id} repeats with different content than its first \
                         copy at {first_file} byte {}; the first copy was kept",
                        first.offset
                    );
                    self.skip(&state.display, offset, reason);
                } else {
                    // Overlapping exports: the copy is counted as a duplicate.
                    let kind = if first.file == state.file_index {
                        NoticeKind::IdenticalRepeat
                    } else {
                        NoticeKind::SameId
                    };
                    self.sink.notice(Notice {
                        file: state.display.clone(),
                        offset,
                        kind,
                        count: 1,
                        reason: format!(
                            "{json_path}: message {id} repeats its copy at {first_file} byte {}; \
                             collapsed into it",
                            first.offset
                        ),
                    });
                }
                return Ok(());
            }
            Entry::Vacant(slot) => {
                slot.insert(Seen { fingerprint: print, file: state.file_index, offset });
            }
        }
        self.sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))
    }

    /// Points an attachment saved with `--media` (a relative path next to
    /// the JSON) at the saved file, with its size from the listing.
    fn local_media(&self, attachment: &mut Attachment, state: &FileState) {
        let path = attachment.reference.replace('\\', "/");
        let json = state.entry.as_deref().unwrap_or_default();
        if let Some(found) = media::locate(self.input, media::folder_of(json), &path) {
            attachment.size = Some(found.size);
            attachment.entry = Some(found.entry);
        }
    }

    fn skip(&mut self, file: &str, offset: u64, reason: impl Into<String>) {
        self.sink.skip(Skip { file: file.to_string(), offset, reason: reason.into() });
    }
}

/// A DCE timestamp: `Z` and `+00:00` (DCE's `--utc`) are UTC instants, other
/// offsets local times with their offset.
fn timestamp(text: &str, (zone, zone_name): &(TimeZone, Arc<str>)) -> Result<Timestamp, String> {
    let mut t = parse_timestamp(text, zone, zone_name)
        .map_err(|e| format!("unreadable timestamp `{text}`: {e}"))?;
    let trimmed = text.trim_end();
    if t.basis == TimeBasis::LocalWithOffset
        && (trimmed.ends_with("+00:00") || trimmed.ends_with("+0000"))
    {
        t.basis = TimeBasis::Utc;
    }
    Ok(t)
}

fn account(user: &UserJson, accounts: &mut Accounts) -> AccountRef {
    let handle = user.name.as_deref().map(|name| match user.discriminator.as_deref() {
        Some(d) if !d.is_empty() && d.bytes().any(|b| b != b'0') => {
            Cow::Owned(format!("{name}#{d}"))
        }
        _ => Cow::Borrowed(name),
    });
    let display_name = user.nickname.as_deref().filter(|n| !n.is_empty()).or(user.name.as_deref());
    accounts.get(&user.id.0, display_name, handle.as_deref())
}

fn attachment(a: AttachmentJson) -> Attachment {
    let reference = a.url.clone().unwrap_or_default();
    let name = a
        .file_name
        .filter(|n| !n.is_empty())
        .or_else(|| {
            let url = a.url.as_deref()?;
            let path = url.split(['?', '#']).next()?;
            Some(stream::file_name(path).to_string()).filter(|n| !n.is_empty())
        })
        .or(a.id.map(|id| id.0))
        .unwrap_or_default();
    Attachment { name, reference, kind: None, size: a.file_size_bytes.0, sha256: None, entry: None }
}

/// Text for a message without content: its embeds, as a reader would see
/// them.
fn embed_text(embeds: &[EmbedJson]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for e in embeds {
        parts.extend(e.title.as_deref());
        parts.extend(e.description.as_deref());
        for f in &e.fields {
            parts.extend(f.name.as_deref());
            parts.extend(f.value.as_deref());
        }
    }
    parts.retain(|p| !p.trim().is_empty());
    parts.join("\n")
}

/// Translates one message. `Err` is a reason for a skip.
fn build(
    m: MessageJson,
    raw: &str,
    channel: &Channel,
    shared: &mut Shared,
    locator: Locator,
) -> Result<Record, String> {
    let kind_name = m.kind.clone().unwrap_or_else(|| "Default".to_string());
    let sent_at = timestamp(&m.timestamp, &shared.zone)?;
    // A message with an unreadable edit time is still a message.
    let edited_at = m.timestamp_edited.as_deref().and_then(|t| timestamp(t, &shared.zone).ok());
    let sender = m.author.as_ref().map(|user| account(user, &mut shared.accounts));
    let mut text = m.content.unwrap_or_default();
    let mut keep_raw = false;
    let mut conversation = channel.conversation.clone();

    let mut urls: Vec<UrlRef> = Vec::new();
    let mut push_url = |url: &str| {
        if !urls.iter().any(|u| u.url == url) {
            urls.push(UrlRef { url: url.to_string(), expanded: None });
        }
    };
    for url in stream::find_urls(&text) {
        push_url(&url);
    }
    for e in &m.embeds {
        if let Some(url) = e.url.as_deref().filter(|u| !u.is_empty()) {
            push_url(url);
        }
    }
    if !m.embeds.is_empty() {
        keep_raw = true;
        if text.trim().is_empty() {
            text = embed_text(&m.embeds);
        }
    }

    let mut attachments: Vec<Attachment> = m.attachments.into_iter().map(attachment).collect();
    for sticker in m.stickers {
        keep_raw = true;
        attachments.push(Attachment {
            name: sticker.name.or(sticker.id.map(|id| id.0)).unwrap_or_default(),
            reference: sticker.source_url.unwrap_or_default(),
            kind: Some("sticker".to_string()),
            size: None,
            sha256: None,
            entry: None,
        });
    }

    let mut reactions = Vec::new();
    for r in m.reactions {
        let key = r
            .emoji
            .name
            .filter(|n| !n.is_empty())
            .or(r.emoji.code)
            .or(r.emoji.id.map(|id| id.0))
            .unwrap_or_default();
        if r.count.0.is_some_and(|count| count > r.users.len() as u64) {
            // Who else reacted is only in the count.
            keep_raw = true;
        }
        for user in r.users {
            reactions.push(Reaction {
                sender_id: user.id.0,
                key: key.clone(),
                at: None,
                native_id: None,
            });
        }
    }

    let mut reply_to = None;
    let mut forwarded_from = None;
    if let Some(reference) = &m.reference {
        let target = reference.message_id.as_ref().map(|id| id.0.clone());
        let forward = reference.kind.as_deref() == Some("Forward") || m.forwarded_message.is_some();
        if forward {
            let place = [&reference.guild_id, &reference.channel_id, &reference.message_id]
                .iter()
                .map(|id| id.as_ref().map(|id| id.0.as_str()).unwrap_or("?"))
                .collect::<Vec<_>>()
                .join("/");
            forwarded_from = Some(format!("discord message {place}"));
        } else if matches!(kind_name.as_str(), "Reply" | "19" | "ChannelPinnedMessage") {
            reply_to = target;
        } else {
            // A crosspost or another reference without a field of its own.
            keep_raw = true;
        }
    }
    if let Some(forward) = m.forwarded_message {
        keep_raw = true;
        if text.trim().is_empty() {
            text = forward.content.unwrap_or_default();
        }
        attachments.extend(forward.attachments.into_iter().map(attachment));
    }
    if m.interaction.is_some() {
        keep_raw = true;
    }

    let mentions: Vec<AccountRef> =
        m.mentions.iter().map(|user| account(user, &mut shared.accounts)).collect();
    let has_content = !text.trim().is_empty() || !attachments.is_empty();
    let (kind, targets) = match kind_name.as_str() {
        "Default" | "Reply" | "19" | "0" => (RecordKind::Message, Vec::new()),
        "RecipientAdd" | "1" => (RecordKind::Event(EventKind::Join), mentions),
        "RecipientRemove" | "2" => {
            let targets =
                if mentions.is_empty() { sender.iter().cloned().collect() } else { mentions };
            (RecordKind::Event(EventKind::Leave), targets)
        }
        "GuildMemberJoin" | "7" => {
            (RecordKind::Event(EventKind::Join), sender.iter().cloned().collect())
        }
        "ChannelNameChange" | "4" => {
            // DCE writes "Changed the channel name: <new name>".
            let new_name = text
                .strip_prefix("Changed the channel name:")
                .map(str::trim)
                .filter(|n| !n.is_empty());
            if let Some(new_name) = new_name {
                conversation.name = Some(match &channel.guild_name {
                    Some(g) => Arc::from(format!("{g} / {new_name}")),
                    None => Arc::from(new_name),
                });
            } else {
                keep_raw = true;
            }
            (RecordKind::Event(EventKind::Rename), Vec::new())
        }
        known @ ("Call" | "ChannelIconChange" | "ChannelPinnedMessage" | "ThreadCreated") => {
            keep_raw = true;
            (RecordKind::Event(EventKind::Other(known.to_string())), Vec::new())
        }
        _ if has_content => {
            keep_raw = true;
            (RecordKind::Message, Vec::new())
        }
        other => {
            keep_raw = true;
            (RecordKind::Event(EventKind::Other(other.to_string())), Vec::new())
        }
    };

    Ok(Record {
        kind,
        platform: trove_model::platform::DISCORD,
        conversation,
        native_id: Some(m.id.0),
        sender,
        sent_at,
        text,
        reply_to,
        targets,
        reactions,
        urls,
        attachments,
        locator,
        raw: keep_raw.then(|| raw.to_string()),
        edited_at,
        thread: channel.thread.clone(),
        forwarded_from,
        ..Record::default()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes() {
        // 2020-09-24T20:01:28.648Z
        assert_eq!(snowflake_ms("758780164406165504"), Some(1_600_977_688_648));
        assert_eq!(snowflake_ms("0"), Some(DISCORD_EPOCH_MS));
        assert_eq!(snowflake_ms("-1"), None);
        assert_eq!(snowflake_ms("99999999999999999999999"), None);
    }

    #[test]
    fn dce_heads() {
        assert!(looks_like_dce(
            b"\xEF\xBB\xBF{\n  \"guild\": {}, \"channel\": {}, \"messages\": ["
        ));
        assert!(!looks_like_dce(b"[{\"guild\": 1, \"channel\": 2, \"messages\": 3}]"));
        assert!(!looks_like_dce(b"{\"messages\": [], \"name\": \"guild channel\"}"));
    }

    #[test]
    fn utc_offsets() {
        let o = ReadOptions::default().zone();
        assert_eq!(timestamp("2024-05-01T12:00:00.000+00:00", &o).unwrap().basis, TimeBasis::Utc);
        assert_eq!(timestamp("2024-05-01T12:00:00Z", &o).unwrap().basis, TimeBasis::Utc);
        let t = timestamp("2024-05-01T14:00:00.123+02:00", &o).unwrap();
        assert_eq!(t.basis, TimeBasis::LocalWithOffset);
        assert_eq!(t.utc_ms, 1_714_564_800_123);
        assert_eq!(t.original, "2024-05-01T14:00:00.123+02:00");
    }
}
