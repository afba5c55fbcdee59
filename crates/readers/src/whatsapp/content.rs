//! What a message body says: who wrote it or which system notice it is,
//! and the markers inside the text (attachments, deletions, edits, polls,
//! links). All patterns are the English UI's; other languages fall back to
//! plain messages and `Other("system")` events with their text intact.

use std::borrow::Cow;

use serde_json::{Value, json};
use trove_model::EventKind;

use super::header::{is_mark, is_space};

/// A name or phone number as an id: invisible marks removed, odd spaces
/// (U+00A0, U+202F) made plain, trimmed. `you` (the exporter, as system
/// lines write it) becomes `You`, as the exporter's own messages are signed.
pub(crate) fn person(name: &str) -> String {
    person_ref(name).into_owned()
}

/// [`person`], borrowing `name` when it needs no change: the first pass
/// counts every header's author and mostly finds one it already has.
pub(crate) fn person_ref(name: &str) -> Cow<'_, str> {
    if name.trim().eq_ignore_ascii_case("you") {
        // `plain` keeps ASCII as it is; marks and odd spaces around `you`
        // go the long way below.
        return Cow::Borrowed("You");
    }
    match plain(name) {
        Cow::Borrowed(clean) => Cow::Borrowed(clean.trim()),
        Cow::Owned(clean) => {
            let clean = clean.trim();
            Cow::Owned(if clean.eq_ignore_ascii_case("you") {
                "You".to_string()
            } else {
                clean.to_string()
            })
        }
    }
}

/// `text` without leading and trailing invisible marks and whitespace.
pub(crate) fn trim_marks(text: &str) -> &str {
    text.trim_matches(|c: char| is_mark(c) || c.is_whitespace())
}

/// `text` with invisible marks removed and odd spaces made plain; borrowed
/// when there is nothing to change (ASCII without tabs, nearly every name
/// and line), which saves an allocation per message.
fn plain(text: &str) -> Cow<'_, str> {
    if text.bytes().all(|b| b.is_ascii() && b != b'\t') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars().filter(|&c| !is_mark(c)).map(|c| if is_space(c) { ' ' } else { c }).collect(),
    )
}

/// A line made comparable with patterns: marks removed, spaces plain, one
/// trailing `.` dropped.
fn comparable(line: &str) -> String {
    let clean = plain(line);
    let trimmed = clean.trim();
    trimmed.strip_suffix('.').unwrap_or(trimmed).trim_end().to_string()
}

/// What a system line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SystemEvent {
    /// Join, leave, rename or `Other(code)`.
    pub kind: EventKind,
    /// Who did it, when the line says.
    pub actor: Option<String>,
    /// Whom it concerns (added, removed, left, a changed security code).
    pub targets: Vec<String>,
    /// The conversation's (new) name, for group creation and renames.
    pub name: Option<String>,
    /// The name before a rename, when the line says.
    pub old_name: Option<String>,
    /// False for the `Other("system")` fallback.
    pub known: bool,
}

impl SystemEvent {
    fn other(code: &str) -> SystemEvent {
        SystemEvent {
            kind: EventKind::Other(code.to_string()),
            actor: None,
            targets: Vec::new(),
            name: None,
            old_name: None,
            known: code != "system",
        }
    }

    fn by(mut self, actor: &str) -> SystemEvent {
        self.actor = Some(person(actor));
        self
    }

    fn about(mut self, targets: Vec<String>) -> SystemEvent {
        self.targets = targets;
        self
    }
}

/// Splits `line` at the first `phrase`; the actor before it must be a
/// plausible name (non-empty, without `": "`, which only a message has).
fn actor<'a>(line: &'a str, phrase: &str) -> Option<(&'a str, &'a str)> {
    // memmem rather than `split_once`: building a `str` searcher for each
    // of the thirty phrases cost more than reading the line.
    let at = memchr::memmem::find(line.as_bytes(), phrase.as_bytes())?;
    let (who, rest) = (line.get(..at)?, line.get(at + phrase.len()..)?);
    let who = who.trim();
    (!who.is_empty() && !who.contains(": ")).then_some((who, rest))
}

/// `line` ends with `tail`; the actor before it is a plausible name.
fn actor_suffix<'a>(line: &'a str, tail: &str) -> Option<&'a str> {
    let who = line.strip_suffix(tail)?.trim();
    (!who.is_empty() && !who.contains(": ")).then_some(who)
}

/// Reads one system line (the first line of a body without an author).
pub(crate) fn system_event(line: &str) -> SystemEvent {
    let line = comparable(line);
    let line = line.as_str();
    let colon_free = !line.contains(": ");

    if colon_free {
        if line.starts_with("Messages") && line.contains("end-to-end encrypt") {
            return SystemEvent::other("encryption_notice");
        }
        match line {
            "You were added" => return join_or_leave(EventKind::Join, None, vec!["You".into()]),
            "You were removed" => {
                return join_or_leave(EventKind::Leave, None, vec!["You".into()]);
            }
            "You blocked this contact" => return SystemEvent::other("blocked").by("You"),
            "You unblocked this contact" => return SystemEvent::other("unblocked").by("You"),
            _ => {}
        }
        if line.starts_with("Missed ") && (line.ends_with(" call") || line.ends_with(" calls")) {
            return SystemEvent::other("missed_call");
        }
        if line.starts_with("Disappearing messages ") {
            return SystemEvent::other("disappearing_messages");
        }
        if line.starts_with("This chat is with a business account")
            || line.starts_with("This business ")
        {
            return SystemEvent::other("business_notice");
        }
        if let Some(rest) = line.strip_prefix("Your security code with ") {
            let who = rest.split(" changed").next().unwrap_or(rest);
            return SystemEvent::other("security_code_changed").about(vec![person(who)]);
        }
    }

    // Names first: a group name may contain "added" or "left".
    if let Some((who, rest)) = actor(line, " created group ") {
        let mut event = SystemEvent::other("group_created").by(who);
        event.name = Some(unquote(rest.trim()).to_string());
        return event;
    }
    if let Some(who) = actor_suffix(line, " created this group") {
        return SystemEvent::other("group_created").by(who);
    }
    for phrase in [" changed the subject from ", " changed the group name from "] {
        if let Some((who, rest)) = actor(line, phrase)
            && let Some((old, new)) = from_to(rest)
        {
            return rename(who, Some(old), new);
        }
    }
    for phrase in [" changed the subject to ", " changed the group name to "] {
        if let Some((who, rest)) = actor(line, phrase) {
            return rename(who, None, unquote(rest.trim()));
        }
    }
    for (phrase, code) in [
        (" changed this group's icon", "group_icon_changed"),
        (" changed the group icon", "group_icon_changed"),
        (" changed the group photo", "group_icon_changed"),
        (" deleted this group's icon", "group_icon_deleted"),
        (" removed this group's icon", "group_icon_deleted"),
        (" changed the group description", "group_description_changed"),
        (" changed this group's description", "group_description_changed"),
        (" deleted the group description", "group_description_changed"),
        (" changed this group's settings", "group_settings_changed"),
        (" changed the group settings", "group_settings_changed"),
        (" changed the settings", "group_settings_changed"),
        (" turned on disappearing messages", "disappearing_messages"),
        (" turned off disappearing messages", "disappearing_messages"),
        (" changed the disappearing message", "disappearing_messages"),
        (" pinned a message", "pinned_message"),
        (" changed their phone number", "number_changed"),
    ] {
        if let Some((who, _)) = actor(line, phrase) {
            return SystemEvent::other(code).by(who);
        }
    }
    if let Some((who, _)) = actor(line, "'s security code changed") {
        return SystemEvent::other("security_code_changed").about(vec![person(who)]);
    }
    if let Some((who, new)) = actor(line, " changed to ")
        && new.trim().starts_with(|c: char| c == '+' || c.is_ascii_digit())
    {
        return SystemEvent::other("number_changed").by(who).about(vec![person(new)]);
    }
    for tail in [
        " joined using this group's invite link",
        " joined using your invite link",
        " joined using an invite link",
        " joined from the community",
        " joined",
    ] {
        if let Some(who) = actor_suffix(line, tail) {
            return join_or_leave(EventKind::Join, Some(who), vec![person(who)]);
        }
    }
    if let Some(who) = actor_suffix(line, " left") {
        return join_or_leave(EventKind::Leave, Some(who), vec![person(who)]);
    }
    for (phrase, kind) in [(" removed ", EventKind::Leave), (" added ", EventKind::Join)] {
        if let Some((who, whom)) = actor(line, phrase) {
            let targets = names(whom);
            if !targets.is_empty() && targets.iter().all(|t| !t.contains(": ")) {
                return join_or_leave(kind, Some(who), targets);
            }
        }
    }
    SystemEvent::other("system")
}

fn join_or_leave(kind: EventKind, who: Option<&str>, targets: Vec<String>) -> SystemEvent {
    SystemEvent { kind, actor: who.map(person), targets, name: None, old_name: None, known: true }
}

fn rename(who: &str, old: Option<&str>, new: &str) -> SystemEvent {
    SystemEvent {
        kind: EventKind::Rename,
        actor: Some(person(who)),
        targets: Vec::new(),
        name: Some(new.to_string()),
        old_name: old.map(str::to_string),
        known: true,
    }
}

/// `"Old" to "New"` (quotes straight or curly, or none).
fn from_to(rest: &str) -> Option<(&str, &str)> {
    let rest = rest.trim();
    if let Some((old, after)) = quoted(rest)
        && let Some(new) = after.trim_start().strip_prefix("to ")
    {
        return Some((old, unquote(new.trim())));
    }
    let (old, new) = rest.rsplit_once(" to ")?;
    Some((unquote(old.trim()), unquote(new.trim())))
}

/// A leading quoted string and what follows it.
fn quoted(text: &str) -> Option<(&str, &str)> {
    for (open, close) in [('"', '"'), ('\u{201c}', '\u{201d}'), ('\u{201e}', '\u{201c}')] {
        if let Some(inner) = text.strip_prefix(open)
            && let Some(end) = inner.find(close)
        {
            return Some((&inner[..end], &inner[end + close.len_utf8()..]));
        }
    }
    None
}

/// Strips one pair of surrounding quotes, straight or curly.
fn unquote(name: &str) -> &str {
    for (open, close) in [('"', '"'), ('\u{201c}', '\u{201d}'), ('\u{201e}', '\u{201c}')] {
        if let Some(inner) = name.strip_prefix(open).and_then(|n| n.strip_suffix(close)) {
            return inner;
        }
    }
    name
}

/// `Y`, `Y and Z`, `X, Y and Z`, without a trailing "to the group".
fn names(list: &str) -> Vec<String> {
    let mut list = list.trim();
    for tail in [" to the group", " to this group", " from the group", " from this group"] {
        if let Some(rest) = list.strip_suffix(tail) {
            list = rest;
            break;
        }
    }
    list.split(',')
        .flat_map(|part| part.split(" and "))
        .map(|name| name.trim())
        .map(|name| name.strip_prefix("and ").unwrap_or(name).trim())
        .filter(|name| !name.is_empty())
        .map(person)
        .collect()
}

/// A word of every notice with an actor (see [`system_event`]); a notice
/// whose first `": "` comes before all of them cannot match.
const NOTICE_VERBS: &[&str] = &[
    "created", "changed", "deleted", "removed", "turned", "pinned", "security", "joined", "left",
    "added",
];

/// What a body is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Body<'a> {
    /// `Author: text`.
    Message {
        /// The author as written.
        author: &'a str,
        /// Everything after `Author: `.
        text: &'a str,
    },
    /// A system line. iOS writes some under the chat's name
    /// (`Group: \u{200e}X added Y`); `author` keeps that name.
    System {
        /// The name written before the system text, if any.
        author: Option<&'a str>,
        /// The system text.
        text: &'a str,
        /// What it says.
        event: SystemEvent,
    },
}

/// Decides whether `body` (everything after the header, lines joined with
/// `\n`) is a message or a system line. `known_author` says whether a name
/// signed other messages (`Author: text`) in the same file; it decides a
/// body like `John Doe:.` whose `:` is not followed by a space.
pub(crate) fn classify<'a>(body: &'a str, known_author: &dyn Fn(&str) -> bool) -> Body<'a> {
    let first = body.split('\n').next().unwrap_or(body);
    // Byte search for `:` then the space: `str::find` with a `&str` builds
    // a two-way searcher for every message, which cost more than the search.
    let colon = memchr::memchr_iter(b':', first.as_bytes())
        .find(|&at| first.as_bytes().get(at + 1) == Some(&b' '));
    // A system line whose subject has no `": "` wins over the split at
    // `": "`: `You created group "A: B"` is not a message by `You created
    // group "A`. With a `": "` in the line, only a notice whose verb comes
    // before it can match, so the common message skips the patterns.
    let event = match colon {
        // Only `known` matters here, and the split at `": "` below then
        // decides: no need to build the unknown event.
        Some(at) if !contains_verb(&first.as_bytes()[..at]) => None,
        _ => Some(system_event(first)),
    };
    let event = match event {
        Some(event) if event.known => return Body::System { author: None, text: body, event },
        other => other,
    };
    if let Some(at) = colon {
        let (author, text) = (&body[..at], &body[at + 2..]);
        if text.trim_start_matches(is_space).starts_with(is_mark) {
            let text_first = text.split('\n').next().unwrap_or(text);
            let inner = system_event(text_first);
            if inner.known {
                return Body::System { author: Some(author), text, event: inner };
            }
        }
        return Body::Message { author, text };
    }
    if let Some(at) = first.find(':')
        && !first[at + 1..].starts_with(is_space)
        && known_author(&person(&first[..at]))
    {
        return Body::Message { author: &body[..at], text: &body[at + 1..] };
    }
    let event = event.unwrap_or_else(|| SystemEvent::other("system"));
    Body::System { author: None, text: body, event }
}

/// Whether `text` contains one of [`NOTICE_VERBS`]: byte by byte, as the
/// text is an author name of a few bytes, too short to pay for building
/// ten substring searchers.
fn contains_verb(text: &[u8]) -> bool {
    (0..text.len()).any(|i| {
        matches!(text[i], b'a' | b'c' | b'd' | b'j' | b'l' | b'p' | b'r' | b's' | b't')
            && NOTICE_VERBS.iter().any(|verb| text[i..].starts_with(verb.as_bytes()))
    })
}

/// The first `needle` in `hay`, found by its first byte: message texts are
/// short, and `memmem::find` builds a searcher on every call, which cost
/// more than the search.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    memchr::memchr_iter(first, hay).find(|&at| hay.get(at..).is_some_and(|h| h.starts_with(needle)))
}

/// Placeholders of deleted messages (iOS adds a final `.`, dropped before
/// comparing).
pub(crate) fn is_deleted(text: &str) -> bool {
    if text.len() > 200 || find(text.as_bytes(), b"delete").is_none() {
        return false;
    }
    let line = comparable(text);
    matches!(line.as_str(), "This message was deleted" | "You deleted this message")
        || line.starts_with("This message was deleted by ")
}

/// The edit marker WhatsApp appends (2023+).
pub(crate) const EDITED: &str = "<This message was edited>";

/// `text` without a trailing [`EDITED`] marker, when it has one.
pub(crate) fn strip_edited(text: &str) -> Option<&str> {
    let trimmed = text.trim_end_matches(|c: char| is_mark(c) || c.is_whitespace());
    let before = trimmed.strip_suffix(EDITED)?;
    Some(before.trim_end_matches(|c: char| is_mark(c) || c.is_whitespace()))
}

/// A file a message refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileRef {
    /// The file name as written, or the omission marker.
    pub name: String,
    /// `image`, `video`, `audio`, `sticker`, `gif`, `contact`, `document`.
    pub kind: Option<&'static str>,
    /// True when `name` is a file name to look up in the container; false
    /// for omission markers (`<Media omitted>`, `image omitted`).
    pub file: bool,
}

/// iOS exports without media: `image omitted` and friends (exact set
/// **UNVERIFIED**).
const OMITTED: &[(&str, &str)] = &[
    ("image omitted", "image"),
    ("video omitted", "video"),
    ("audio omitted", "audio"),
    ("sticker omitted", "sticker"),
    ("GIF omitted", "gif"),
    ("document omitted", "document"),
    ("Contact card omitted", "contact"),
];

/// `(file attached)` in the English and German UI.
const FILE_ATTACHED: &[&str] = &[" (file attached)", " (Datei angehängt)"];

/// The attachments a message text refers to, in order.
pub(crate) fn attachments(text: &str) -> Vec<FileRef> {
    let mut found = Vec::new();
    for raw_line in text.split('\n') {
        // Most lines end in a visible ASCII byte other than the `d` of
        // `omitted` or a `)`, and have no `<`: passed over untrimmed (an
        // ASCII byte is never a mark, so trimming would keep it last).
        let last =
            raw_line.bytes().rev().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c));
        if last.is_some_and(|b| b < 0x80 && b != b'd' && b != b')')
            && memchr::memchr(b'<', raw_line.as_bytes()).is_none()
        {
            continue;
        }
        let line = trim_marks(raw_line);
        // Every form below has a `<`, ends in `omitted` or ends in `)`; the
        // plain line (nearly all of them) is passed over without trying each.
        if memchr::memchr(b'<', line.as_bytes()).is_none()
            && !line.ends_with("omitted")
            && !line.ends_with(')')
        {
            continue;
        }
        if line == "<Media omitted>" {
            found.push(FileRef { name: line.to_string(), kind: None, file: false });
            continue;
        }
        if let Some((marker, kind)) = OMITTED.iter().find(|(m, _)| line == *m) {
            found.push(FileRef { name: marker.to_string(), kind: Some(kind), file: false });
            continue;
        }
        // `<attached: NAME>`, possibly after a document title, possibly
        // with spaces inside the brackets.
        let mut rest = line;
        let mut any = false;
        while let Some(start) = rest.find('<') {
            let after = rest[start + 1..].trim_start();
            let Some(inner) = after.strip_prefix("attached:") else {
                rest = &rest[start + 1..];
                continue;
            };
            let Some(end) = inner.find('>') else { break };
            let name = trim_marks(&inner[..end]);
            if !name.is_empty() {
                found.push(file(name));
                any = true;
            }
            rest = &inner[end + 1..];
        }
        if any {
            continue;
        }
        // Old iOS: `NAME <attached>`; Android: `NAME (file attached)`.
        let tails = std::iter::once(" <attached>").chain(FILE_ATTACHED.iter().copied());
        for tail in tails {
            if let Some(name) = line.strip_suffix(tail).map(trim_marks)
                && !name.is_empty()
            {
                found.push(file(name));
                break;
            }
        }
    }
    found
}

fn file(name: &str) -> FileRef {
    FileRef { name: name.to_string(), kind: Some(kind_of(name)), file: true }
}

/// The kind of a media file from its name: WhatsApp's own prefixes first
/// (`00000001-PHOTO-…`, `IMG-…-WA0001`, `PTT-…`), then the extension.
/// Anything else is a document, as WhatsApp sends it.
pub(crate) fn kind_of(name: &str) -> &'static str {
    let upper = name.to_ascii_uppercase();
    let base = upper.rsplit('/').next().unwrap_or(&upper);
    for (tag, kind) in [
        ("-PHOTO-", "image"),
        ("-VIDEO-", "video"),
        ("-AUDIO-", "audio"),
        ("-STICKER-", "sticker"),
        ("-GIF-", "gif"),
    ] {
        if base.get(8..8 + tag.len()) == Some(tag) && base[..8].bytes().all(|b| b.is_ascii_digit())
        {
            return kind;
        }
    }
    for (prefix, kind) in [
        ("IMG-", "image"),
        ("VID-", "video"),
        ("PTT-", "audio"),
        ("AUD-", "audio"),
        ("STK-", "sticker"),
        ("DOC-", "document"),
    ] {
        if base.starts_with(prefix) && base.contains("-WA") {
            return kind;
        }
    }
    let ext = base.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "JPG" | "JPEG" | "PNG" | "HEIC" | "HEIF" | "WEBP" | "BMP" | "TIF" | "TIFF" => "image",
        "GIF" => "gif",
        "MP4" | "MOV" | "3GP" | "MKV" | "WEBM" | "AVI" | "M4V" => "video",
        "OPUS" | "OGG" | "MP3" | "M4A" | "AAC" | "AMR" | "WAV" | "FLAC" => "audio",
        "VCF" => "contact",
        _ => "document",
    }
}

/// A poll as exported (`POLL:`, the question, `OPTION: text (N votes)`
/// lines) as JSON, or `None` when the text is not one.
pub(crate) fn poll(text: &str) -> Option<Value> {
    // Most texts are not polls: a first line of `POLL:` means the text
    // starts with it after marks and whitespace.
    if !text.trim_start_matches(|c: char| is_mark(c) || c.is_whitespace()).starts_with("POLL:") {
        return None;
    }
    let mut lines = text.split('\n').map(trim_marks);
    if lines.next()? != "POLL:" {
        return None;
    }
    let question = lines.next()?;
    let mut options = Vec::new();
    for line in lines {
        let Some(option) = line.strip_prefix("OPTION:") else { continue };
        let option = option.trim();
        let parsed = option.rsplit_once(" (").and_then(|(label, count)| {
            let digits: String = count.chars().take_while(char::is_ascii_digit).collect();
            let votes: u64 = digits.parse().ok()?;
            let rest = &count[digits.len()..];
            (rest.starts_with(" vote") && rest.ends_with(')')).then_some((label, votes))
        });
        options.push(match parsed {
            Some((label, votes)) => json!({ "text": label, "votes": votes }),
            None => json!({ "text": option }),
        });
    }
    if options.is_empty() {
        return None;
    }
    Some(json!({ "question": question, "options": options }))
}

/// The `http://` and `https://` links in `text`, without trailing
/// punctuation. Never fetched.
pub(crate) fn urls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = find(rest.as_bytes(), b"http") {
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| c.is_whitespace() || is_mark(c) || c == '<' || c == '>' || c == '"')
            .unwrap_or(candidate.len());
        let url = candidate[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'']);
        let at_word_start = rest[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        if at_word_start
            && (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() > "https://".len()
        {
            found.push(url.to_string());
        }
        rest = &candidate[end.max(4)..];
    }
    found
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    type Parts = (EventKind, Option<String>, Vec<String>);

    fn ev(kind: EventKind, actor: Option<&str>, targets: &[&str]) -> Parts {
        (kind, actor.map(str::to_string), targets.iter().map(|t| t.to_string()).collect())
    }

    fn parts(e: &SystemEvent) -> Parts {
        (e.kind.clone(), e.actor.clone(), e.targets.clone())
    }

    fn other(code: &str) -> EventKind {
        EventKind::Other(code.to_string())
    }

    #[test]
    fn system_lines() {
        let cases: &[(&str, Parts)] = &[
            (
                "Messages to this group are now secured with end-to-end encryption.",
                ev(other("encryption_notice"), None, &[]),
            ),
            (
                "\u{200e}Messages and calls are end-to-end encrypted. No one outside of this chat, \
                 not even WhatsApp, can read or listen to them. Tap to learn more.",
                ev(other("encryption_notice"), None, &[]),
            ),
            ("Loris added Emily", ev(EventKind::Join, Some("Loris"), &["Emily"])),
            ("Loris added you", ev(EventKind::Join, Some("Loris"), &["You"])),
            (
                "You added Ann, Bob and +44\u{a0}7700\u{a0}900123",
                ev(EventKind::Join, Some("You"), &["Ann", "Bob", "+44 7700 900123"]),
            ),
            ("You were added", ev(EventKind::Join, None, &["You"])),
            ("Bob left", ev(EventKind::Leave, Some("Bob"), &["Bob"])),
            ("Ann removed Bob", ev(EventKind::Leave, Some("Ann"), &["Bob"])),
            ("Ann removed you", ev(EventKind::Leave, Some("Ann"), &["You"])),
            (
                "Bob joined using this group's invite link",
                ev(EventKind::Join, Some("Bob"), &["Bob"]),
            ),
            ("Ann changed this group's icon", ev(other("group_icon_changed"), Some("Ann"), &[])),
            ("Ann deleted this group's icon", ev(other("group_icon_deleted"), Some("Ann"), &[])),
            (
                "Ann changed the group description",
                ev(other("group_description_changed"), Some("Ann"), &[]),
            ),
            (
                "Your security code with Bob changed. Tap to learn more.",
                ev(other("security_code_changed"), None, &["Bob"]),
            ),
            (
                "\u{200e}Bob's security code changed. Tap for more info.",
                ev(other("security_code_changed"), None, &["Bob"]),
            ),
            (
                "Bob changed their phone number to a new number. Tap to message or add the new \
                 number.",
                ev(other("number_changed"), Some("Bob"), &[]),
            ),
            (
                "+1 555 0100 changed to +1 555 0199",
                ev(other("number_changed"), Some("+1 555 0100"), &["+1 555 0199"]),
            ),
            ("Missed voice call", ev(other("missed_call"), None, &[])),
            (
                "Ann turned on disappearing messages. New messages will disappear from this chat 7 days after they're sent.",
                ev(other("disappearing_messages"), Some("Ann"), &[]),
            ),
            ("You blocked this contact.", ev(other("blocked"), Some("You"), &[])),
            ("Something WhatsApp says in Finnish", ev(other("system"), None, &[])),
        ];
        for (line, want) in cases {
            assert_eq!(&parts(&system_event(line)), want, "{line}");
        }
    }

    #[test]
    fn names_and_renames() {
        let e = system_event("Loris created group \u{201c}WhatsApp Chat Parser Example\u{201d}");
        assert_eq!(e.kind, other("group_created"));
        assert_eq!(e.actor.as_deref(), Some("Loris"));
        assert_eq!(e.name.as_deref(), Some("WhatsApp Chat Parser Example"));
        let e = system_event("+12 345 578 created group \"Groupname\"");
        assert_eq!(e.actor.as_deref(), Some("+12 345 578"));
        assert_eq!(e.name.as_deref(), Some("Groupname"));
        let e = system_event("Ann changed the subject from \"Old: one\" to \"Bob left\"");
        assert_eq!(e.kind, EventKind::Rename);
        assert_eq!(e.old_name.as_deref(), Some("Old: one"));
        assert_eq!(e.name.as_deref(), Some("Bob left"));
        let e = system_event("Ann changed the subject to \u{201c}Trip\u{201d}");
        assert_eq!(
            (e.kind, e.name.as_deref(), e.old_name),
            (EventKind::Rename, Some("Trip"), None)
        );
        // A group name with "added" in it is still a rename.
        let e = system_event("Ann changed the subject to \"Bob added Carl\"");
        assert_eq!(e.kind, EventKind::Rename);
    }

    #[test]
    fn messages_that_look_like_system_lines() {
        for line in [
            "Bob: Alice added Carol",
            "Bob: I left",
            "Bob: Messages and calls are end-to-end encrypted, right?",
            "Bob: Missed voice call",
        ] {
            assert!(!system_event(line).known, "{line}");
        }
    }

    #[test]
    fn classify_bodies() {
        let known = |name: &str| name == "John Doe";
        assert_eq!(
            classify("John: Hey: you", &known),
            Body::Message { author: "John", text: "Hey: you" }
        );
        assert_eq!(classify("John Doe:.", &known), Body::Message { author: "John Doe", text: "." });
        assert!(matches!(classify("Jane:.", &known), Body::System { author: None, .. }));
        assert_eq!(classify("Luke: ", &known), Body::Message { author: "Luke", text: "" });
        let Body::System { author, text, event } = classify("You created group \"A: B\"", &known)
        else {
            panic!("system");
        };
        assert_eq!((author, text), (None, "You created group \"A: B\""));
        assert_eq!(event.name.as_deref(), Some("A: B"));
        let Body::System { author, event, .. } =
            classify("Trip 2024: \u{200e}Loris added John", &known)
        else {
            panic!("system");
        };
        assert_eq!(author, Some("Trip 2024"));
        assert_eq!(event.targets, vec!["John".to_string()]);
        // An attachment after an LRM is a message.
        assert!(matches!(
            classify("Loris: \u{200e}<attached: 00000001-PHOTO-2019-06-20-16-00-15.jpg>", &known),
            Body::Message { .. }
        ));
        // Without the LRM, text that reads like a notice is the author's.
        assert!(matches!(classify("Bob: Ann added Carl", &known), Body::Message { .. }));
    }

    #[test]
    fn markers() {
        assert!(is_deleted("This message was deleted"));
        assert!(is_deleted("\u{200e}You deleted this message."));
        assert!(!is_deleted("This message was deleted, sorry"));
        assert_eq!(strip_edited("Hello \u{200e}<This message was edited>"), Some("Hello"));
        assert_eq!(strip_edited("Hello"), None);
    }

    #[test]
    fn files() {
        let f = |text: &str| {
            attachments(text).into_iter().map(|a| (a.name, a.kind, a.file)).collect::<Vec<_>>()
        };
        let s = |x: &str| x.to_string();
        assert_eq!(
            f("\u{200e}<attached: 00000001-PHOTO-2019-06-20-16-00-15.jpg>"),
            vec![(s("00000001-PHOTO-2019-06-20-16-00-15.jpg"), Some("image"), true)]
        );
        assert_eq!(
            f("< attached: 00000042-PHOTO-2020-06-07-15-13-20.jpg >"),
            vec![(s("00000042-PHOTO-2020-06-07-15-13-20.jpg"), Some("image"), true)]
        );
        assert_eq!(
            f("V--- SEGA RS.pdf \u{2022} 14 pages <attached: 00000002-RS.pdf>"),
            vec![(s("00000002-RS.pdf"), Some("document"), true)]
        );
        assert_eq!(
            f("2015-08-04-PHOTO-00004762.jpg <attached>"),
            vec![(s("2015-08-04-PHOTO-00004762.jpg"), Some("image"), true)]
        );
        assert_eq!(
            f("IMG-20210428-WA0001.jpg (file attached)\nnice view"),
            vec![(s("IMG-20210428-WA0001.jpg"), Some("image"), true)]
        );
        assert_eq!(f("<Media omitted>"), vec![(s("<Media omitted>"), None, false)]);
        assert_eq!(f("\u{200e}audio omitted"), vec![(s("audio omitted"), Some("audio"), false)]);
        assert_eq!(f("I <3 you > all"), vec![]);
        assert_eq!(kind_of("00000003-AUDIO-2019-06-20-16-03-55.mp3"), "audio");
        assert_eq!(kind_of("00000004-whatsapp-chat-parser-example.zip"), "document");
        assert_eq!(kind_of("00000004-Peter.vcf"), "contact");
        assert_eq!(kind_of("PTT-20210428-WA0003.opus"), "audio");
        assert_eq!(kind_of("STK-20210428-WA0004.webp"), "sticker");
        assert_eq!(kind_of("VID-20210428-WA0002.mp4"), "video");
    }

    #[test]
    fn polls_and_links() {
        let p =
            poll("POLL:\nWhen?\nOPTION: Thursday 15 evening (2 votes)\nOPTION: Friday (1 vote)")
                .unwrap();
        assert_eq!(
            p,
            json!({"question": "When?", "options": [
                {"text": "Thursday 15 evening", "votes": 2},
                {"text": "Friday", "votes": 1},
            ]})
        );
        assert_eq!(poll("POLL: maybe"), None);
        assert_eq!(
            urls("see https://example.org/a?b=1. and (http://x.io/y) or xhttps://no"),
            vec!["https://example.org/a?b=1".to_string(), "http://x.io/y".to_string()]
        );
        assert!(urls("http https:// httpx").is_empty());
    }
}
