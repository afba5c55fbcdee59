//! Synthetic Twitter / X account archives with their ground truth.
//!
//! [`Builder`] makes an archive laid out like a real one (see the format
//! notes: `data/manifest.js`, `data/account.js`, the DM files and their
//! text-less `*-headers.js` twins, media folders), with the traps real
//! archives hold: conversations split into overlapping ~1000-event chunks,
//! newest first; HTML-escaped text including double-escaped `&amp;lt;`;
//! group joins, leaves, renames, an invitation of the owner and one event
//! type no reader knows; reactions; t.co links; media with and without a
//! local copy; snowflake ids consistent with `createdAt`.
//!
//! [`Archive::truth`] lists every message and event once, with the values a
//! correct reader must report.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use crate::json::{self, J};
use crate::rng::{ALNUM, Rng};
use crate::text::{TextGen, TextOptions};

/// 2010-11-04T01:42:54.657Z, the zero of Twitter snowflake ids.
pub const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

/// A snowflake id for the instant `ms` with `low_bits` (worker and sequence,
/// 22 bits) below it.
pub fn snowflake(ms: i64, low_bits: u64) -> u64 {
    (((ms - SNOWFLAKE_EPOCH_MS).max(0) as u64) << 22) | (low_bits & 0x3F_FFFF)
}

/// `ms` since the Unix epoch as Twitter writes it: `2021-02-03T18:42:53.007Z`.
pub fn iso_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u32, d as u32)
}

/// Escapes text the way Twitter stores DM text: `&`, `<` and `>` only.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// What kind of record a reader should produce.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExpectedKind {
    /// `messageCreate`.
    Message,
    /// `participantsJoin` or `joinConversation`.
    Join,
    /// `participantsLeave`.
    Leave,
    /// `conversationNameUpdate`.
    Rename,
    /// An event type readers do not know, by its key.
    Other(String),
}

/// A media item of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedMedia {
    /// The `mediaUrls` entry.
    pub url: String,
    /// Last path segment without query.
    pub name: String,
    /// `image`, `video` or `gif`.
    pub kind: &'static str,
    /// Size of the local copy in the media folder, when the archive has one.
    pub local_size: Option<u64>,
}

/// One message or event exactly as a correct reader reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Message or event type.
    pub kind: ExpectedKind,
    /// The message id; `None` for events (they have none).
    pub id: Option<String>,
    /// `conversationId`.
    pub conversation_id: String,
    /// `senderId`, or `initiatingUserId` for events (`None` for leaves).
    pub sender_id: Option<String>,
    /// `createdAt` as written.
    pub created_at: String,
    /// `createdAt` in ms since the Unix epoch.
    pub created_at_ms: i64,
    /// The message text with HTML entities decoded once; empty for events.
    pub text: String,
    /// The new name, for renames.
    pub name: Option<String>,
    /// Accounts joined or left (for `joinConversation`: the owner).
    pub targets: Vec<String>,
    /// Number of reactions.
    pub reactions: usize,
    /// `(t.co url, expanded)` pairs.
    pub urls: Vec<(String, String)>,
    /// Media items.
    pub media: Vec<ExpectedMedia>,
    /// The archive entry holding the record's first copy.
    pub file: String,
}

impl Expected {
    /// True for messages.
    pub fn is_message(&self) -> bool {
        self.kind == ExpectedKind::Message
    }
}

/// The archive owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    /// `accountId`.
    pub id: String,
    /// `username`, without `@`.
    pub handle: String,
    /// `accountDisplayName`.
    pub display_name: String,
}

/// A generated archive: its files, in memory, and the truth about them.
#[derive(Clone, Debug)]
pub struct Archive {
    /// The top folder inside the zip (`""` or `name/`).
    pub root: String,
    /// Every file: name relative to the zip root (with `root`), content.
    pub files: Vec<(String, Vec<u8>)>,
    /// Every message and event, once, in generation order (oldest first per
    /// conversation).
    pub truth: Vec<Expected>,
    /// The archive owner.
    pub owner: Owner,
    /// The id of the message whose `createdAt` was moved away from its
    /// snowflake, when [`Builder::tamper_created_at`] asked for one.
    pub tampered: Option<String>,
    /// The id of the message given an id an hour older than its time (so
    /// smaller than the ids before it), when [`Builder::tamper_id_order`]
    /// asked for one.
    pub backwards_id: Option<String>,
    /// The id a 1:1 message reuses from a group message, when
    /// [`Builder::tamper_duplicate_id`] asked for one.
    pub duplicated_id: Option<String>,
    /// Ids of messages whose stored text holds `&amp;lt;` (a literal `&lt;`
    /// the user typed).
    pub double_escaped: Vec<String>,
    /// The DM files (with `root`), in the order the manifest lists them.
    pub dm_files: Vec<String>,
}

impl Archive {
    /// The content of file `name`.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, b)| b.as_slice())
    }

    /// Replaces (or adds) file `name`.
    pub fn set_file(&mut self, name: &str, content: Vec<u8>) {
        match self.files.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = content,
            None => self.files.push((name.to_string(), content)),
        }
    }

    /// Removes file `name`, if present.
    pub fn remove_file(&mut self, name: &str) {
        self.files.retain(|(n, _)| n != name);
    }

    /// The expected messages.
    pub fn messages(&self) -> impl Iterator<Item = &Expected> {
        self.truth.iter().filter(|e| e.is_message())
    }

    /// The expected events.
    pub fn events(&self) -> impl Iterator<Item = &Expected> {
        self.truth.iter().filter(|e| !e.is_message())
    }

    /// Writes the archive as a zip.
    pub fn write_zip(&self, path: &Path) -> io::Result<()> {
        crate::zipfile::write_zip(path, &self.files)
    }

    /// Writes the archive extracted into folder `dir` (created if needed).
    pub fn write_dir(&self, dir: &Path) -> io::Result<()> {
        for (name, content) in &self.files {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, content)?;
        }
        Ok(())
    }
}

/// Configures and generates an [`Archive`]. Every setting has a default;
/// the same settings and seed give byte-identical archives.
#[derive(Clone, Debug)]
pub struct Builder {
    seed: u64,
    group_messages: usize,
    groups: usize,
    direct_messages: usize,
    one_to_one: usize,
    chunk_size: usize,
    chunk_overlap: usize,
    group_parts: usize,
    top_folder: Option<String>,
    manifest: bool,
    pretty: bool,
    same_line_start: bool,
    trailing_semicolon: bool,
    unknown_event: bool,
    tamper: bool,
    tamper_id_order: bool,
    tamper_duplicate_id: bool,
    id_jitter_ms: i64,
    media: bool,
    headers: bool,
    start_ms: i64,
    span_days: i64,
}

impl Builder {
    /// Defaults: one group with 1,000 messages, two 1:1 conversations with
    /// 100 messages, chunks of 1,000 overlapping by 25, pretty-printed, with
    /// manifest, headers files, media and one unknown event type.
    pub fn new(seed: u64) -> Builder {
        Builder {
            seed,
            group_messages: 1000,
            groups: 1,
            direct_messages: 100,
            one_to_one: 2,
            chunk_size: 1000,
            chunk_overlap: 25,
            group_parts: 1,
            top_folder: None,
            manifest: true,
            pretty: true,
            same_line_start: false,
            trailing_semicolon: false,
            unknown_event: true,
            tamper: false,
            tamper_id_order: false,
            tamper_duplicate_id: false,
            id_jitter_ms: 0,
            media: true,
            headers: true,
            // 2015-05-01T00:00:00Z
            start_ms: 1_430_438_400_000,
            span_days: 900,
        }
    }

    /// Messages in group conversations, spread over [`Builder::groups`].
    pub fn group_messages(mut self, n: usize) -> Builder {
        self.group_messages = n;
        self
    }

    /// Number of group conversations. Odd-numbered groups have the owner
    /// invited (`joinConversation`); even ones were created by the owner.
    pub fn groups(mut self, n: usize) -> Builder {
        self.groups = n;
        self
    }

    /// Messages in 1:1 conversations, spread over [`Builder::one_to_one`].
    pub fn direct_messages(mut self, n: usize) -> Builder {
        self.direct_messages = n;
        self
    }

    /// Number of 1:1 conversations.
    pub fn one_to_one(mut self, n: usize) -> Builder {
        self.one_to_one = n;
        self
    }

    /// Events per `dmConversation` element (Twitter uses ~1000).
    pub fn chunk_size(mut self, n: usize) -> Builder {
        self.chunk_size = n.max(1);
        self
    }

    /// Events repeated between consecutive chunks of one conversation.
    pub fn chunk_overlap(mut self, n: usize) -> Builder {
        self.chunk_overlap = n;
        self
    }

    /// Split the group file into `n` parts (`direct-messages-group.js`,
    /// `direct-messages-group-part1.js`, ...), all listed in the manifest.
    pub fn group_parts(mut self, n: usize) -> Builder {
        self.group_parts = n.max(1);
        self
    }

    /// Put everything under a top folder, as some re-packed zips do.
    pub fn top_folder(mut self, name: impl Into<String>) -> Builder {
        self.top_folder = Some(name.into());
        self
    }

    /// Whether to write `data/manifest.js` (default true).
    pub fn manifest(mut self, yes: bool) -> Builder {
        self.manifest = yes;
        self
    }

    /// Pretty-printed like real archives (default) or one compact line.
    pub fn pretty(mut self, yes: bool) -> Builder {
        self.pretty = yes;
        self
    }

    /// Start the first element on the assignment line (`= [ {`), as older
    /// archives do.
    pub fn first_element_on_assignment_line(mut self, yes: bool) -> Builder {
        self.same_line_start = yes;
        self
    }

    /// End every `.js` file with `;`.
    pub fn trailing_semicolon(mut self, yes: bool) -> Builder {
        self.trailing_semicolon = yes;
        self
    }

    /// Include one `conversationAvatarUpdate` event (default true).
    pub fn unknown_event(mut self, yes: bool) -> Builder {
        self.unknown_event = yes;
        self
    }

    /// Move one message's `createdAt` three hours away from its snowflake;
    /// [`Archive::tampered`] names it.
    pub fn tamper_created_at(mut self, yes: bool) -> Builder {
        self.tamper = yes;
        self
    }

    /// Give one group message, two thirds in, an id from an hour before its
    /// `createdAt`: smaller than the ids of the messages before it.
    /// [`Archive::backwards_id`] names it.
    pub fn tamper_id_order(mut self, yes: bool) -> Builder {
        self.tamper_id_order = yes;
        self
    }

    /// Give the second message of the first 1:1 conversation the id of a
    /// group message (needs a group). [`Archive::duplicated_id`] names it.
    pub fn tamper_duplicate_id(mut self, yes: bool) -> Builder {
        self.tamper_duplicate_id = yes;
        self
    }

    /// Scatter each message's snowflake time uniformly within `ms` of its
    /// `createdAt`, either side, as real ids do (about a second). The
    /// default, 0, puts the id 20–114 ms before `createdAt`.
    pub fn id_jitter_ms(mut self, ms: i64) -> Builder {
        self.id_jitter_ms = ms.max(0);
        self
    }

    /// Include media messages and local media files (default true).
    pub fn media(mut self, yes: bool) -> Builder {
        self.media = yes;
        self
    }

    /// Include the text-less `direct-message(-group)-headers.js` files,
    /// which readers must ignore (default true).
    pub fn headers(mut self, yes: bool) -> Builder {
        self.headers = yes;
        self
    }

    /// The time span conversations cover, in days (default 900).
    pub fn span_days(mut self, days: i64) -> Builder {
        self.span_days = days.max(1);
        self
    }

    /// Generates the archive.
    pub fn build(&self) -> Archive {
        Gen::new(self).run()
    }
}

/// One event of a conversation: its JSON and its truth index.
struct Item {
    json: J,
    truth: usize,
}

struct Conversation {
    id: String,
    /// Oldest first.
    items: Vec<Item>,
}

struct Gen<'a> {
    b: &'a Builder,
    rng: Rng,
    text: TextGen,
    root: String,
    owner: Owner,
    truth: Vec<Expected>,
    media_files: Vec<(String, Vec<u8>)>,
    double_escaped: Vec<String>,
    tampered: Option<String>,
    backwards_id: Option<String>,
    duplicated_id: Option<String>,
    /// The id the next message takes instead of a fresh one.
    forced_id: Option<String>,
    used_users: HashSet<String>,
    used_ids: HashSet<u64>,
}

const REACTIONS: &[&str] = &["like", "agree", "funny", "heart", "laugh", "wow", "cry", "fire"];
const GROUP_NAMES: &[&str] =
    &["Task Force", "Berlin crew", "Проект Ы", "小组", "Legal & press", "Sources", "Ops"];
const DOUBLE_ESCAPED_TEXT: &str = "she typed &lt;3 and &amp;amp; literally, not <3 & co";

impl<'a> Gen<'a> {
    fn new(b: &'a Builder) -> Gen<'a> {
        let mut rng = Rng::new(b.seed);
        let text_options = TextOptions { url_rate: 0.0, ..TextOptions::default() };
        let text = TextGen::with_options(rng.next_u64(), text_options);
        let root = b
            .top_folder
            .as_ref()
            .map(|t| format!("{}/", t.trim_end_matches('/')))
            .unwrap_or_default();
        let owner = Owner {
            id: rng.range(10_000_000, 3_000_000_000).to_string(),
            handle: format!("archive_owner{}", rng.range(1, 1000)),
            display_name: "Jörg Ünsal 🕊️ & Co".to_string(),
        };
        let mut used_users = HashSet::new();
        used_users.insert(owner.id.clone());
        Gen {
            b,
            rng,
            text,
            root,
            owner,
            truth: Vec::new(),
            media_files: Vec::new(),
            double_escaped: Vec::new(),
            tampered: None,
            backwards_id: None,
            duplicated_id: None,
            forced_id: None,
            used_users,
            used_ids: HashSet::new(),
        }
    }

    fn run(mut self) -> Archive {
        let b = self.b;
        let mut groups = Vec::new();
        for g in 0..b.groups {
            let n = share(b.group_messages, b.groups, g);
            groups.push(self.group(g, n));
        }
        let mut directs = Vec::new();
        for c in 0..b.one_to_one {
            let n = share(b.direct_messages, b.one_to_one, c);
            directs.push(self.direct(c, n));
        }

        let data = format!("{}data/", self.root);
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut manifest_dm: Vec<(String, String, usize)> = Vec::new();
        let mut manifest_group: Vec<(String, String, usize)> = Vec::new();

        let direct_elements = self.elements(&directs);
        let name = format!("{data}direct-messages.js");
        let global = "YTD.direct_messages.part0".to_string();
        self.note_files(&direct_elements, &name);
        files.push((name.clone(), self.js_file(&global, &direct_elements).into_bytes()));
        manifest_dm.push((name, global, directs.len()));

        let group_elements = self.elements(&groups);
        let parts = b.group_parts;
        let per_part = group_elements.len().div_ceil(parts).max(1);
        for p in 0..parts {
            let slice: Vec<(Vec<usize>, String)> =
                group_elements.iter().skip(p * per_part).take(per_part).cloned().collect();
            let name = if p == 0 {
                format!("{data}direct-messages-group.js")
            } else {
                format!("{data}direct-messages-group-part{p}.js")
            };
            let global = format!("YTD.direct_messages_group.part{p}");
            self.note_files(&slice, &name);
            files.push((name.clone(), self.js_file(&global, &slice).into_bytes()));
            manifest_group.push((name, global, slice.len()));
        }

        if b.headers {
            let name = format!("{data}direct-message-headers.js");
            files.push((
                name,
                self.headers_file("YTD.direct_message_headers.part0", &directs).into_bytes(),
            ));
            let name = format!("{data}direct-message-group-headers.js");
            let text = self.headers_file("YTD.direct_message_group_headers.part0", &groups);
            files.push((name, text.into_bytes()));
        }

        files.push((format!("{data}account.js"), self.account_js().into_bytes()));
        if b.manifest {
            let manifest = self.manifest_js(&manifest_dm, &manifest_group);
            files.push((format!("{data}manifest.js"), manifest.into_bytes()));
        }
        files.push((
            format!("{data}README.txt"),
            b"Synthetic archive made by trove-testkit.\n".to_vec(),
        ));
        files.push((
            format!("{}Your archive.html", self.root),
            b"<!doctype html><title>archive</title>".to_vec(),
        ));
        files.append(&mut self.media_files);

        let dm_files =
            manifest_dm.iter().chain(&manifest_group).map(|(n, _, _)| n.clone()).collect();
        Archive {
            root: self.root,
            files,
            truth: self.truth,
            owner: self.owner,
            tampered: self.tampered,
            backwards_id: self.backwards_id,
            duplicated_id: self.duplicated_id,
            double_escaped: self.double_escaped,
            dm_files,
        }
    }

    fn new_user(&mut self) -> String {
        loop {
            let id = if self.rng.chance(0.6) {
                self.rng.range(100_000, 4_000_000_000)
            } else {
                // A modern account: a snowflake from 2012–2015.
                let ms = self.rng.range_i64(1_330_000_000_000, 1_430_000_000_000);
                snowflake(ms, self.rng.next_u64())
            };
            let id = id.to_string();
            if self.used_users.insert(id.clone()) {
                return id;
            }
        }
    }

    /// A unique snowflake for the instant `ms`.
    fn id_at(&mut self, ms: i64) -> String {
        loop {
            let id = snowflake(ms, self.rng.next_u64());
            if self.used_ids.insert(id) {
                return id.to_string();
            }
        }
    }

    /// Time to the next event: exponential around the mean that makes `n`
    /// events fill the span.
    fn gap(&mut self, n: usize) -> i64 {
        let mean = (self.b.span_days * 86_400_000) as f64 / n.max(1) as f64;
        let u = self.rng.f64().max(1e-12);
        ((-u.ln() * mean) as i64).clamp(1, 30 * 86_400_000)
    }

    fn group(&mut self, index: usize, n: usize) -> Conversation {
        let mut t = self.b.start_ms + self.rng.range_i64(0, 86_400_000);
        let id = self.id_at(t);
        let owner = self.owner.id.clone();
        let size = self.rng.range(3, 9) as usize;
        let mut members: Vec<String> = (0..size).map(|_| self.new_user()).collect();
        let pool_size = self.rng.range(3, 8) as usize;
        let mut pool: Vec<String> = (0..pool_size).map(|_| self.new_user()).collect();
        let mut items = Vec::new();
        if index % 2 == 1 {
            // The owner is invited: the archive starts with joinConversation.
            t += self.gap(n) / 4 + 1;
            let by = members[0].clone();
            let mut snapshot = members.clone();
            snapshot.push(owner.clone());
            let json = event_json(
                "joinConversation",
                vec![("initiatingUserId", J::s(&by)), ("participantsSnapshot", J::strs(&snapshot))],
                t,
            );
            items.push(self.event(
                json,
                ExpectedKind::Join,
                &id,
                Some(by),
                vec![owner.clone()],
                t,
                None,
            ));
            members.push(owner.clone());
        } else {
            members.insert(0, owner.clone());
        }
        let first_kind_at = [n / 5, 2 * n / 5, 3 * n / 5];
        let unknown_at = if self.b.unknown_event && index == 0 { n / 2 } else { usize::MAX };
        let tamper_at = if self.b.tamper && index == 0 { n / 3 } else { usize::MAX };
        let backwards_at =
            if self.b.tamper_id_order && index == 0 { 2 * n / 3 } else { usize::MAX };
        let lent_at = if self.b.tamper_duplicate_id && index == 0 { n / 4 } else { usize::MAX };
        for k in 0..n {
            t += self.gap(n);
            if k == unknown_at {
                let by = self.rng.pick(&members).clone();
                let json = event_json(
                    "conversationAvatarUpdate",
                    vec![("initiatingUserId", J::s(&by))],
                    t,
                );
                let kind = ExpectedKind::Other("conversationAvatarUpdate".to_string());
                items.push(self.event(json, kind, &id, Some(by), Vec::new(), t, None));
                t += 1 + self.gap(n) / 8;
            }
            let forced = first_kind_at.iter().position(|&at| at == k && n >= 10);
            let random = self.rng.chance(0.01).then(|| self.rng.index(3));
            if let Some(which) = forced.or(random)
                && let Some(item) = self.group_event(which, &id, t, &mut members, &mut pool)
            {
                items.push(item);
                t += 1 + self.gap(n) / 8;
            }
            // Lower indexes talk more.
            let a = self.rng.index(members.len());
            let c = self.rng.index(members.len());
            let sender = members[a.min(c)].clone();
            let others: Vec<String> = members.iter().filter(|m| **m != sender).cloned().collect();
            let forced_text =
                (index == 0 && k == 3.min(n.saturating_sub(1))).then_some(DOUBLE_ESCAPED_TEXT);
            if k == backwards_at {
                let id = self.id_at(t - 3_600_000);
                self.backwards_id = Some(id.clone());
                self.forced_id = Some(id);
            }
            let item =
                self.message(&id, true, t, &sender, None, &others, forced_text, k == tamper_at);
            if k == lent_at {
                self.duplicated_id = self.truth[item.truth].id.clone();
            }
            items.push(item);
        }
        Conversation { id, items }
    }

    fn group_event(
        &mut self,
        which: usize,
        conversation: &str,
        t: i64,
        members: &mut Vec<String>,
        pool: &mut Vec<String>,
    ) -> Option<Item> {
        let by = self.rng.pick(members).clone();
        match which {
            0 => {
                if pool.is_empty() {
                    return None;
                }
                let count = self.rng.range(1, 3).min(pool.len() as u64) as usize;
                let joined: Vec<String> =
                    (0..count).map(|_| pool.swap_remove(self.rng.index(pool.len()))).collect();
                members.extend(joined.iter().cloned());
                let json = event_json(
                    "participantsJoin",
                    vec![("initiatingUserId", J::s(&by)), ("userIds", J::strs(&joined))],
                    t,
                );
                Some(self.event(json, ExpectedKind::Join, conversation, Some(by), joined, t, None))
            }
            1 => {
                let candidates: Vec<usize> =
                    (0..members.len()).filter(|&i| members[i] != self.owner.id).collect();
                if members.len() <= 3 || candidates.is_empty() {
                    return None;
                }
                let gone = members.remove(*self.rng.pick(&candidates));
                pool.push(gone.clone());
                let json = event_json("participantsLeave", vec![("userIds", J::strs(&[&gone]))], t);
                Some(self.event(json, ExpectedKind::Leave, conversation, None, vec![gone], t, None))
            }
            _ => {
                let name = format!("{} {}", self.rng.pick(GROUP_NAMES), self.rng.range(1, 100));
                let json = event_json(
                    "conversationNameUpdate",
                    vec![("initiatingUserId", J::s(&by)), ("name", J::s(&name))],
                    t,
                );
                Some(self.event(
                    json,
                    ExpectedKind::Rename,
                    conversation,
                    Some(by),
                    Vec::new(),
                    t,
                    Some(name),
                ))
            }
        }
    }

    fn direct(&mut self, index: usize, n: usize) -> Conversation {
        let partner = self.new_user();
        let owner = self.owner.id.clone();
        let (lo, hi) = if numeric(&owner) < numeric(&partner) {
            (&owner, &partner)
        } else {
            (&partner, &owner)
        };
        let id = format!("{lo}-{hi}");
        let mut t = self.b.start_ms + self.rng.range_i64(0, 30 * 86_400_000);
        let mut items = Vec::new();
        let tamper_at =
            if self.b.tamper && self.b.groups == 0 && index == 0 { n / 3 } else { usize::MAX };
        for k in 0..n {
            t += self.gap(n);
            let (sender, recipient) = if self.rng.chance(0.5) {
                (owner.clone(), partner.clone())
            } else {
                (partner.clone(), owner.clone())
            };
            let others = [recipient.clone()];
            let forced_text = (self.b.groups == 0 && index == 0 && k == 3.min(n.saturating_sub(1)))
                .then_some(DOUBLE_ESCAPED_TEXT);
            if index == 0 && k == 1 {
                self.forced_id = self.duplicated_id.clone();
            }
            items.push(self.message(
                &id,
                false,
                t,
                &sender,
                Some(&recipient),
                &others,
                forced_text,
                k == tamper_at,
            ));
        }
        Conversation { id, items }
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        json: J,
        kind: ExpectedKind,
        conversation: &str,
        sender: Option<String>,
        targets: Vec<String>,
        t: i64,
        name: Option<String>,
    ) -> Item {
        self.truth.push(Expected {
            kind,
            id: None,
            conversation_id: conversation.to_string(),
            sender_id: sender,
            created_at: iso_ms(t),
            created_at_ms: t,
            text: String::new(),
            name,
            targets,
            reactions: 0,
            urls: Vec::new(),
            media: Vec::new(),
            file: String::new(),
        });
        Item { json, truth: self.truth.len() - 1 }
    }

    #[allow(clippy::too_many_arguments)]
    fn message(
        &mut self,
        conversation: &str,
        group: bool,
        t: i64,
        sender: &str,
        recipient: Option<&str>,
        others: &[String],
        forced_text: Option<&str>,
        tamper: bool,
    ) -> Item {
        let (id, mut created) = if let Some(id) = self.forced_id.take() {
            (id, t)
        } else if self.b.id_jitter_ms > 0 {
            let jitter = self.rng.range_i64(-self.b.id_jitter_ms, self.b.id_jitter_ms + 1);
            (self.id_at(t + jitter), t)
        } else {
            (self.id_at(t), t + self.rng.range_i64(20, 114))
        };
        if tamper {
            created += 3 * 3_600_000 + self.rng.range_i64(0, 1000);
            self.tampered = Some(id.clone());
        }
        let mut text = match forced_text {
            Some(forced) => {
                self.double_escaped.push(id.clone());
                forced.to_string()
            }
            None => {
                let mut text = self.text.message();
                if self.rng.chance(0.05) {
                    text.push('\n');
                    self.text.write_message(&mut text);
                }
                text
            }
        };
        let mut urls = Vec::new();
        if self.rng.chance(0.04) {
            let tco = format!("https://t.co/{}", self.rng.token(ALNUM, 10));
            let expanded =
                format!("https://example.org/{}?ref=dm&lang=de", self.rng.token(ALNUM, 8));
            text.push(' ');
            text.push_str(&tco);
            urls.push((tco, expanded));
        }
        let mut media = Vec::new();
        if self.b.media && self.rng.chance(0.02) {
            let media_id = snowflake(t - self.rng.range_i64(1000, 60_000), self.rng.next_u64());
            let stem = self.rng.token(ALNUM, 12);
            let (url, name, kind) = match self.rng.index(3) {
                0 => {
                    let name = format!("{stem}.jpg");
                    (format!("https://ton.twitter.com/dm/{id}/{media_id}/{name}"), name, "image")
                }
                1 => {
                    let name = format!("{stem}.mp4");
                    (
                        format!(
                            "https://video.twimg.com/dm_video/{media_id}/vid/1280x720/{name}?tag=1"
                        ),
                        name,
                        "video",
                    )
                }
                _ => {
                    let name = format!("{stem}.mp4");
                    (format!("https://video.twimg.com/dm_gif/{media_id}/{name}"), name, "gif")
                }
            };
            let tco = format!("https://t.co/{}", self.rng.token(ALNUM, 10));
            if self.rng.chance(0.5) {
                text.clear();
            }
            text.push(' ');
            text.push_str(&tco);
            urls.push((tco, format!("https://twitter.com/messages/media/{id}")));
            let local_size = if self.rng.chance(0.75) {
                let len = self.rng.range(64, 4096) as usize;
                let content: Vec<u8> = (0..len).map(|_| self.rng.next_u32() as u8).collect();
                let folder =
                    if group { "direct_messages_group_media" } else { "direct_messages_media" };
                self.media_files.push((format!("{}data/{folder}/{id}-{name}", self.root), content));
                Some(len as u64)
            } else {
                None
            };
            media.push(ExpectedMedia { url, name, kind, local_size });
        }
        let mut reactions = Vec::new();
        if !others.is_empty() && self.rng.chance(0.05) {
            let mut reactors: Vec<&String> = others.iter().collect();
            let count = self.rng.range(1, 4).min(reactors.len() as u64);
            for _ in 0..count {
                let who = reactors.swap_remove(self.rng.index(reactors.len())).clone();
                let at = created + self.rng.range_i64(1000, 3_600_000);
                let event_id = snowflake(at - self.rng.range_i64(7, 25), self.rng.next_u64());
                reactions.push(J::Obj(vec![
                    ("senderId", J::s(who)),
                    ("reactionKey", J::s(*self.rng.pick(REACTIONS))),
                    ("eventId", J::s(event_id.to_string())),
                    ("createdAt", J::s(iso_ms(at))),
                ]));
            }
        }

        let mut fields = Vec::new();
        if let Some(recipient) = recipient {
            fields.push(("recipientId", J::s(recipient)));
        }
        fields.push(("reactions", J::Arr(reactions.clone())));
        let urls_json = urls
            .iter()
            .map(|(url, expanded)| {
                let display: String =
                    expanded.trim_start_matches("https://").chars().take(26).collect();
                J::Obj(vec![
                    ("url", J::s(url)),
                    ("expanded", J::s(expanded)),
                    ("display", J::s(format!("{display}…"))),
                ])
            })
            .collect();
        fields.push(("urls", J::Arr(urls_json)));
        fields.push(("text", J::s(escape_html(&text))));
        fields.push(("mediaUrls", J::Arr(media.iter().map(|m| J::s(&m.url)).collect())));
        fields.push(("senderId", J::s(sender)));
        fields.push(("id", J::s(&id)));
        fields.push(("createdAt", J::s(iso_ms(created))));
        let json = J::Obj(vec![("messageCreate", J::Obj(fields))]);

        self.truth.push(Expected {
            kind: ExpectedKind::Message,
            id: Some(id),
            conversation_id: conversation.to_string(),
            sender_id: Some(sender.to_string()),
            created_at: iso_ms(created),
            created_at_ms: created,
            text,
            name: None,
            targets: Vec::new(),
            reactions: reactions.len(),
            urls,
            media,
            file: String::new(),
        });
        Item { json, truth: self.truth.len() - 1 }
    }

    /// The `dmConversation` elements of `conversations`: overlapping chunks,
    /// newest first. Each is (truth indexes, JSON text at element indent).
    fn elements(&self, conversations: &[Conversation]) -> Vec<(Vec<usize>, String)> {
        let pretty = self.b.pretty;
        let mut out = Vec::new();
        for conversation in conversations {
            let texts: Vec<(usize, String)> = conversation
                .items
                .iter()
                .rev()
                .map(|item| {
                    let mut text = String::new();
                    json::write(&item.json, pretty, 8, &mut text);
                    (item.truth, text)
                })
                .collect();
            for range in chunk_ranges(texts.len(), self.b.chunk_size, self.b.chunk_overlap) {
                let chunk = &texts[range];
                let mut text = String::new();
                if pretty {
                    text.push_str("  {\n    \"dmConversation\" : {\n      \"conversationId\" : ");
                    json::push_string(&mut text, &conversation.id);
                    if chunk.is_empty() {
                        text.push_str(",\n      \"messages\" : [ ]");
                    } else {
                        text.push_str(",\n      \"messages\" : [");
                        for (i, (_, item)) in chunk.iter().enumerate() {
                            text.push_str(if i == 0 { "\n        " } else { ",\n        " });
                            text.push_str(item);
                        }
                        text.push_str("\n      ]");
                    }
                    text.push_str("\n    }\n  }");
                } else {
                    text.push_str("{\"dmConversation\":{\"conversationId\":");
                    json::push_string(&mut text, &conversation.id);
                    text.push_str(",\"messages\":[");
                    for (i, (_, item)) in chunk.iter().enumerate() {
                        if i > 0 {
                            text.push(',');
                        }
                        text.push_str(item);
                    }
                    text.push_str("]}}");
                }
                out.push((chunk.iter().map(|(t, _)| *t).collect(), text));
            }
        }
        out
    }

    /// Records which file holds each record's first copy.
    fn note_files(&mut self, elements: &[(Vec<usize>, String)], file: &str) {
        for (indexes, _) in elements {
            for &i in indexes {
                if let Some(expected) = self.truth.get_mut(i)
                    && expected.file.is_empty()
                {
                    expected.file = file.to_string();
                }
            }
        }
    }

    /// A `window.YTD.<global> = [ ... ]` file.
    fn js_file(&self, global: &str, elements: &[(Vec<usize>, String)]) -> String {
        let mut out = format!("window.{global} = [");
        if elements.is_empty() {
            out.push_str(if self.b.pretty { " ]" } else { "]" });
        } else if self.b.pretty {
            for (i, (_, element)) in elements.iter().enumerate() {
                if i == 0 && self.b.same_line_start {
                    out.push(' ');
                    out.push_str(element.trim_start());
                } else {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(element);
                }
            }
            out.push_str("\n]");
        } else {
            if self.b.same_line_start {
                out.push(' ');
            }
            for (i, (_, element)) in elements.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(element);
            }
            out.push(']');
        }
        if self.b.trailing_semicolon {
            out.push(';');
        }
        out
    }

    /// A headers file: the same conversations, one element each, messages
    /// without text (what readers must not mistake for the real thing).
    fn headers_file(&self, global: &str, conversations: &[Conversation]) -> String {
        let elements: Vec<J> = conversations
            .iter()
            .map(|c| {
                let messages = c
                    .items
                    .iter()
                    .rev()
                    .map(|item| match &item.json {
                        J::Obj(fields) => match fields.first() {
                            Some((key, J::Obj(inner))) if *key == "messageCreate" => {
                                let kept = inner
                                    .iter()
                                    .filter(|(k, _)| {
                                        matches!(
                                            *k,
                                            "id" | "senderId" | "recipientId" | "createdAt"
                                        )
                                    })
                                    .cloned()
                                    .collect();
                                J::Obj(vec![("messageCreate", J::Obj(kept))])
                            }
                            _ => item.json.clone(),
                        },
                        other => other.clone(),
                    })
                    .collect();
                J::Obj(vec![(
                    "dmConversation",
                    J::Obj(vec![("conversationId", J::s(&c.id)), ("messages", J::Arr(messages))]),
                )])
            })
            .collect();
        let mut out = format!("window.{global} = ");
        json::write(&J::Arr(elements), self.b.pretty, 0, &mut out);
        out
    }

    fn account_js(&self) -> String {
        let account = J::Arr(vec![J::Obj(vec![(
            "account",
            J::Obj(vec![
                ("email", J::s("owner@example.org")),
                ("createdVia", J::s("web")),
                ("username", J::s(&self.owner.handle)),
                ("accountId", J::s(&self.owner.id)),
                ("createdAt", J::s("2009-03-01T12:00:00.000Z")),
                ("accountDisplayName", J::s(&self.owner.display_name)),
            ]),
        )])]);
        let mut out = "window.YTD.account.part0 = ".to_string();
        json::write(&account, self.b.pretty, 0, &mut out);
        out
    }

    fn manifest_js(
        &self,
        dm: &[(String, String, usize)],
        group: &[(String, String, usize)],
    ) -> String {
        let root = &self.root;
        let listed = |files: &[(String, String, usize)]| {
            J::Arr(
                files
                    .iter()
                    .map(|(name, global, count)| {
                        J::Obj(vec![
                            ("fileName", J::s(name.strip_prefix(root.as_str()).unwrap_or(name))),
                            ("globalName", J::s(global)),
                            ("count", J::s(count.to_string())),
                        ])
                    })
                    .collect(),
            )
        };
        let single = |file: &str, global: &str| {
            J::Obj(vec![(
                "files",
                J::Arr(vec![J::Obj(vec![
                    ("fileName", J::s(file)),
                    ("globalName", J::s(global)),
                    ("count", J::s("1")),
                ])]),
            )])
        };
        let manifest = J::Obj(vec![
            (
                "userInfo",
                J::Obj(vec![
                    ("accountId", J::s(&self.owner.id)),
                    ("userName", J::s(&self.owner.handle)),
                    ("displayName", J::s(&self.owner.display_name)),
                ]),
            ),
            (
                "archiveInfo",
                J::Obj(vec![
                    ("sizeBytes", J::s("123456789")),
                    ("generationDate", J::s("2023-09-06T16:23:52.257Z")),
                    ("isPartialArchive", J::Lit("false")),
                    ("maxPartSizeBytes", J::s("53687091200")),
                ]),
            ),
            (
                "readmeInfo",
                J::Obj(vec![
                    ("fileName", J::s("data/README.txt")),
                    ("directory", J::s("data/")),
                    ("name", J::s("README.txt")),
                ]),
            ),
            (
                "dataTypes",
                J::Obj(vec![
                    ("account", single("data/account.js", "YTD.account.part0")),
                    (
                        "directMessageGroupHeaders",
                        single(
                            "data/direct-message-group-headers.js",
                            "YTD.direct_message_group_headers.part0",
                        ),
                    ),
                    (
                        "directMessageHeaders",
                        single(
                            "data/direct-message-headers.js",
                            "YTD.direct_message_headers.part0",
                        ),
                    ),
                    (
                        "directMessages",
                        J::Obj(vec![
                            ("mediaDirectory", J::s("data/direct_messages_media")),
                            ("files", listed(dm)),
                        ]),
                    ),
                    (
                        "directMessagesGroup",
                        J::Obj(vec![
                            ("mediaDirectory", J::s("data/direct_messages_group_media")),
                            ("files", listed(group)),
                        ]),
                    ),
                    (
                        "directMessagesMedia",
                        J::Obj(vec![("mediaDirectory", J::s("data/direct_messages_media"))]),
                    ),
                    (
                        "tweets",
                        J::Obj(vec![
                            ("mediaDirectory", J::s("data/tweets_media")),
                            ("files", J::Arr(vec![])),
                        ]),
                    ),
                ]),
            ),
        ]);
        let mut out = "window.__THAR_CONFIG = ".to_string();
        json::write(&manifest, self.b.pretty, 0, &mut out);
        out
    }
}

/// `{"<key>": {fields..., "createdAt": ...}}`.
fn event_json(key: &'static str, mut fields: Vec<(&'static str, J)>, t: i64) -> J {
    fields.push(("createdAt", J::s(iso_ms(t))));
    J::Obj(vec![(key, J::Obj(fields))])
}

/// Item `i`'s share when `total` is spread over `parts`.
fn share(total: usize, parts: usize, i: usize) -> usize {
    total / parts.max(1) + usize::from(i < total % parts.max(1))
}

fn numeric(id: &str) -> u64 {
    id.parse().unwrap_or(u64::MAX)
}

/// Ranges of `n` items in chunks of `size`, each starting `overlap` items
/// before the previous one ended.
fn chunk_ranges(n: usize, size: usize, overlap: usize) -> Vec<std::ops::Range<usize>> {
    let size = size.max(1);
    let step = size.saturating_sub(overlap).max(1);
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + size).min(n);
        out.push(start..end);
        if end >= n {
            return out;
        }
        start += step;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_ms(1_612_377_773_007), "2021-02-03T18:42:53.007Z");
        assert_eq!(iso_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_ms(SNOWFLAKE_EPOCH_MS), "2010-11-04T01:42:54.657Z");
    }

    #[test]
    fn snowflakes_round_trip() {
        let id = snowflake(1_465_384_669_738, 12345);
        assert_eq!((id >> 22) as i64 + SNOWFLAKE_EPOCH_MS, 1_465_384_669_738);
    }

    #[test]
    fn chunks_overlap() {
        assert_eq!(chunk_ranges(0, 10, 2), vec![0..0]);
        assert_eq!(chunk_ranges(10, 10, 2), vec![0..10]);
        assert_eq!(chunk_ranges(25, 10, 2), vec![0..10, 8..18, 16..25]);
        assert_eq!(chunk_ranges(5, 3, 5), vec![0..3, 1..4, 2..5]);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_html("&lt; <3 & >"), "&amp;lt; &lt;3 &amp; &gt;");
    }
}
