//! IRC logs as irssi, weechat and ZNC (and the irclogs.ubuntu.com bot)
//! write them.
//!
//! One line per message or event, each behind a time of day:
//!
//! ```text
//! --- Log opened Tue May 03 09:00:00 2016
//! 09:57 <@alice> text                          irssi (mode prefixes @ + % & ~ stripped)
//! 09:58  * alice does something                irssi action
//! 09:59 -!- bob [~bob@host] has joined #chan   irssi event
//! --- Day changed Wed May 04 2016
//! [09:57:12] <alice> text                      ZNC; also `[09:57] <alice> text`
//! [09:57:12] *** Joins: bob (~bob@host)        ZNC event
//! === carol is now known as caz                irclogs.ubuntu.com event
//! 2016-05-03 09:57:12\talice\ttext             weechat (tab-separated, full date)
//! 2016-05-03 09:57:12\t-->\tbob (~b@h) has joined #chan
//! ```
//!
//! **The date** usually lives only in the file name (`#ubuntu.2016-05-03.log`,
//! `2016-05-03.log`, ZNC `#chan_20160503.log`) or in `--- Log opened ...` /
//! `--- Day changed ...` lines (also xchat `**** BEGIN LOGGING AT ...` and
//! `Session Start: ...`); weechat writes it on every line. A header line
//! overrides the file name's date from there on. When a time of day goes
//! back by more than an hour without a date line in between, the log is
//! taken to have crossed midnight and the date moves on by a day (a smaller
//! step back may be a DST change and is left alone). A file with no date
//! evidence before its first timed line cannot be dated: that is an error
//! that says how to fix it (rename the file to carry its date); in a folder
//! or zip the member is reported as a skip instead. Times are zone-less
//! local times, read in `--tz` (`AssertedZone`); `Timestamp.original` is the
//! time exactly as the line writes it (`09:57`), the date having come from
//! the file name or a header.
//!
//! **The conversation** is the channel from the file name (the name without
//! extension and date: `#ubuntu`, `#chan`, `irc.libera.#rust`), else the
//! folder holding the file (ZNC's `#chan/2016-05-03.log`), else the stem.
//!
//! **Records.** `<nick> text` and notices (`-nick- text`) are messages from
//! the nick (the only identity IRC logs have: accounts are nicks as written,
//! mode prefixes removed). Actions are messages whose text is
//! `* nick does something`, as IRC clients show them. Joins, parts, quits
//! and kicks are `Join`/`Leave` events (a kick's sender is the kicker, its
//! target the kicked nick); `old is now known as new` is an
//! `Other("nick")` event from `old` with target `new` — identity evidence
//! linking the two nicks; topic changes are `Other("topic")` (the topic is
//! not the channel's name), mode changes `Other("mode")`, and any other
//! server line `Other("server")`. Event texts are the log's own wording
//! after its marker (`bob [~bob@host] has joined #chan`), host masks
//! included.
//!
//! Lines that are neither dated headers nor timed lines are reported as
//! skips (one per line, with its number); blank lines are ignored. Lines
//! longer than `max_record_bytes` are skipped without being buffered.
//! Invalid UTF-8 (old logs are often Latin-1) is decoded lossily; LF and
//! CRLF files read the same. Locators give each line's offset, length
//! (without terminator) and 1-based number.

use std::io::{BufReader, Read};
use std::sync::Arc;

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;
use trove_model::{ConversationRef, EventKind, Locator, Record, RecordKind, TimeBasis, Timestamp};

use crate::intern::Accounts;
use crate::template::lines::Lines;
use crate::template::{file_stem, has_extension, sniff_members};
use crate::transcript::shorten;
use crate::{Confidence, Format, Input, InputKind, ReadError, ReadOptions, Sink, Skip};

/// IRC logs (irssi, weechat, ZNC).
pub struct Irc;

/// Extensions of IRC log files.
const EXTENSIONS: &[&str] = &["log", "txt", "weechatlog"];
/// How much of a file sniffing looks at.
const HEAD: usize = 4096;
/// How often progress is reported.
const PROGRESS_STEP: u64 = 1 << 20;
/// A step back in time of day larger than this means midnight passed.
const ROLLOVER_SECONDS: i32 = 3600;

impl Format for Irc {
    fn name(&self) -> &'static str {
        "irc"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::IRC
    }

    fn sniff(&self, input: &Input) -> Confidence {
        match input.kind() {
            InputKind::File => input
                .entries()
                .first()
                .filter(|e| has_extension(&e.name, EXTENSIONS))
                .map_or(Confidence::No, |e| sniff_entry(input, &e.name)),
            // Ingest walks folders file by file, which is exact; claiming a
            // whole folder would only make mixed folders ambiguous.
            InputKind::Dir => Confidence::No,
            InputKind::Zip => sniff_members(input, EXTENSIONS, sniff_entry),
        }
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let path = input.path().display().to_string();
        if *input.kind() == InputKind::File {
            let Some(entry) = input.entries().first() else {
                return Err(ReadError::invalid(path, None, "no file to read"));
            };
            return read_entry(input, &entry.name, options, sink);
        }
        let names: Vec<String> = input
            .entries()
            .iter()
            .filter(|e| has_extension(&e.name, EXTENSIONS))
            .map(|e| e.name.clone())
            .collect();
        if names.is_empty() {
            return Err(ReadError::invalid(
                path,
                None,
                format!("no member ends in .{}", EXTENSIONS.join(" or .")),
            ));
        }
        for name in names {
            if sniff_entry(input, &name) == Confidence::No {
                sink.skip(Skip {
                    file: input.display_entry(&name),
                    offset: 0,
                    reason: "its first lines do not look like an IRC log; passed over".to_string(),
                });
                continue;
            }
            crate::member_failed(input, read_entry(input, &name, options, sink), options, sink)?;
        }
        Ok(())
    }
}

/// How sure the first lines of an entry make us.
fn sniff_entry(input: &Input, name: &str) -> Confidence {
    let Ok(head) = input.head(name, HEAD) else { return Confidence::No };
    if head.contains(&0) {
        return Confidence::No;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let text = String::from_utf8_lossy(head);
    let mut lines: Vec<&str> = text.lines().collect();
    if head.len() == HEAD && lines.len() > 1 {
        // The last line is probably cut.
        lines.pop();
    }
    let (mut nonblank, mut irc, mut headers) = (0usize, 0usize, 0usize);
    for line in lines.iter().take(40) {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        nonblank += 1;
        if header_date(line).is_some() {
            headers += 1;
            irc += 1;
        } else if let Some((_, body)) = timed(line)
            && !matches!(body, Body::Other(_))
        {
            irc += 1;
        }
    }
    let channel_name = file_name(name).starts_with('#');
    if irc >= 1 && (headers >= 1 || channel_name) && irc > headers
        || irc >= 3 && irc * 5 >= nonblank * 4
    {
        Confidence::Certain
    } else if irc >= 1 && irc * 2 >= nonblank {
        Confidence::Maybe
    } else {
        Confidence::No
    }
}

fn file_name(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

/// A date written in a file name: `YYYY-MM-DD` or a run of exactly eight
/// digits `YYYYMMDD`.
fn name_date(name: &str) -> Option<(Date, std::ops::Range<usize>)> {
    let bytes = name.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let number =
        |range: std::ops::Range<usize>| -> Option<i32> { name.get(range)?.parse::<i32>().ok() };
    for start in 0..bytes.len() {
        if !digit(start) || (start > 0 && digit(start - 1)) {
            continue;
        }
        let dashed = (0..10).all(|k| {
            if k == 4 || k == 7 { bytes.get(start + k) == Some(&b'-') } else { digit(start + k) }
        }) && !digit(start + 10);
        let compact = (0..8).all(|k| digit(start + k)) && !digit(start + 8);
        let (y, m, d, len) = if dashed {
            (start..start + 4, start + 5..start + 7, start + 8..start + 10, 10)
        } else if compact {
            (start..start + 4, start + 4..start + 6, start + 6..start + 8, 8)
        } else {
            continue;
        };
        let (Some(y), Some(m), Some(d)) = (number(y), number(m), number(d)) else { continue };
        if let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(y), i8::try_from(m), i8::try_from(d))
            && (1970..=2100).contains(&y)
            && let Ok(date) = Date::new(y, m, d)
        {
            return Some((date, start..start + len));
        }
    }
    None
}

/// The conversation a file's name gives: the name without extensions and
/// date, else its folder (from the entry name, else `folder`: the folder
/// holding a single-file input), else its stem.
fn conversation_of(name: &str, folder: Option<&str>) -> String {
    let base = file_name(name);
    let mut stem = base;
    loop {
        let next = file_stem(stem);
        if next.len() == stem.len() || !has_extension(stem, EXTENSIONS) {
            break;
        }
        stem = next;
    }
    let mut channel = stem.to_string();
    if let Some((_, range)) = name_date(stem) {
        channel.replace_range(range, "");
    }
    let channel = channel.trim_matches(|c: char| matches!(c, '.' | '_' | '-' | ' '));
    if !channel.is_empty() {
        return channel.to_string();
    }
    match name.rsplit('/').nth(1).or(folder) {
        Some(folder) if !folder.is_empty() => folder.to_string(),
        _ => stem.to_string(),
    }
}

/// The network a log belongs to, its conversation's scope: weechat's
/// `irc.<network>.<#chan>` file name, else the folder above ZNC's channel
/// folder (`<network>/<#chan>/<date>.log`), else the folder holding the
/// log (irssi's `<network>/<#chan>.log`). The input's own path counts for
/// a file walked out of a folder.
fn network_of(input: &Input, name: &str, channel: &str) -> Option<String> {
    if let Some(rest) = channel.strip_prefix("irc.")
        && let Some((network, _)) = rest.split_once('.')
        && !network.is_empty()
    {
        return Some(network.to_string());
    }
    let mut folders: Vec<String> = match input.kind() {
        InputKind::File => input
            .path()
            .parent()
            .map(|p| p.iter().map(|c| c.to_string_lossy().into_owned()).collect())
            .unwrap_or_default(),
        InputKind::Dir | InputKind::Zip => {
            let mut folders: Vec<String> = input.export_name("").into_iter().collect();
            folders.extend(name.split('/').map(str::to_string));
            folders.pop();
            folders
        }
    };
    let holding = folders.pop()?;
    let network = if holding == channel { folders.pop()? } else { holding };
    (!network.is_empty() && network != "/").then_some(network)
}

/// The date a `--- Log opened` / `--- Day changed` style line states.
fn header_date(line: &str) -> Option<Date> {
    const PREFIXES: &[&str] = &[
        "--- Log opened ",
        "--- Log closed ",
        "--- Day changed ",
        "**** BEGIN LOGGING AT ",
        "**** ENDING LOGGING AT ",
        "Session Start: ",
        "Session Close: ",
    ];
    let line = line.trim();
    // Nearly every line is a message: its first byte rules out all the
    // prefixes at once.
    if !matches!(line.as_bytes().first(), Some(b'-' | b'*' | b'S')) {
        return None;
    }
    let rest = PREFIXES.iter().find_map(|p| line.strip_prefix(p))?;
    // Collapse the space padding of `%e` days (`May  3`).
    let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    const FORMATS: &[&str] = &[
        "%a %b %d %H:%M:%S %Y",
        "%a %b %d %Y",
        "%a, %d %b %Y",
        "%A, %B %d %Y",
        "%a %d %b %Y",
        "%d %b %Y",
        "%Y-%m-%d",
        "%a %b %d %H:%M:%S %Y %z",
    ];
    for format in FORMATS {
        if let Ok(tm) = BrokenDownTime::parse(format, &rest)
            && let Ok(date) = tm.to_date()
        {
            return Some(date);
        }
    }
    let ts =
        crate::timefmt::parse_timestamp(&rest, &TimeZone::UTC, &crate::timefmt::utc_name()).ok()?;
    let instant = jiff::Timestamp::from_millisecond(ts.utc_ms).ok()?;
    Some(instant.to_zoned_datetime(TimeZone::UTC).date())
}

/// The time stamp at the start of a line.
#[derive(Debug, PartialEq, Eq)]
struct Stamp<'l> {
    /// As written, without brackets.
    text: &'l str,
    date: Option<Date>,
    seconds: i32,
}

/// What follows the time stamp.
#[derive(Debug, PartialEq, Eq)]
enum Body<'l> {
    Message {
        nick: &'l str,
        text: &'l str,
    },
    /// `* nick does something`: the text is everything after the `*`.
    Action {
        nick: &'l str,
        rest: &'l str,
    },
    Notice {
        nick: &'l str,
        text: &'l str,
    },
    /// A server line after its marker (`-!-`, `***`, `-->`...).
    Event(&'l str),
    /// Something else after a time stamp.
    Other(&'l str),
}

/// Splits a line into its time stamp and body.
fn timed(line: &str) -> Option<(Stamp<'_>, Body<'_>)> {
    let bytes = line.as_bytes();
    let bracket = bytes.first() == Some(&b'[');
    let start = usize::from(bracket);
    let mut i = start;
    let two = |at: usize| -> Option<i32> {
        match (bytes.get(at), bytes.get(at + 1)) {
            (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => {
                Some(i32::from(a - b'0') * 10 + i32::from(b - b'0'))
            }
            _ => None,
        }
    };
    let mut date = None;
    if bytes.get(i + 4) == Some(&b'-') && bytes.get(i + 7) == Some(&b'-') {
        let year = two(i)? * 100 + two(i + 2)?;
        let parsed =
            Date::new(i16::try_from(year).ok()?, two(i + 5)? as i8, two(i + 8)? as i8).ok()?;
        if !matches!(bytes.get(i + 10), Some(b' ' | b'T')) {
            return None;
        }
        date = Some(parsed);
        i += 11;
    }
    let hour = two(i)?;
    if bytes.get(i + 2) != Some(&b':') {
        return None;
    }
    let minute = two(i + 3)?;
    i += 5;
    let mut second = 0;
    if bytes.get(i) == Some(&b':') {
        second = two(i + 1)?;
        i += 3;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let text = line.get(start..i)?;
    if bracket {
        if bytes.get(i) != Some(&b']') {
            return None;
        }
        i += 1;
    }
    let tab = match bytes.get(i) {
        Some(b'\t') => true,
        Some(b' ') => false,
        _ => return None,
    };
    let rest = line.get(i + 1..)?;
    let stamp = Stamp { text, date, seconds: hour * 3600 + minute * 60 + second.min(59) };
    let body = if tab && let Some((prefix, message)) = rest.split_once('\t') {
        weechat_body(prefix, message)
    } else {
        plain_body(rest)
    };
    Some((stamp, body))
}

/// A weechat line's prefix column and message.
fn weechat_body<'l>(prefix: &'l str, message: &'l str) -> Body<'l> {
    match prefix.trim() {
        "-->" | "<--" | "--" | "=!=" => Body::Event(message),
        "*" => match message.split_once(' ') {
            Some((nick, _)) if !nick.is_empty() => Body::Action { nick, rest: message },
            _ => Body::Other(message),
        },
        "" => Body::Other(message),
        nick => match strip_mode(nick) {
            Some(nick) => Body::Message { nick, text: message },
            None => Body::Other(message),
        },
    }
}

/// The body of an irssi/ZNC/ubuntu line.
fn plain_body(rest: &str) -> Body<'_> {
    let trimmed = rest.trim_start_matches(' ');
    for marker in ["-!-", "***", "===", "-->", "<--", "--"] {
        if let Some(after) = trimmed.strip_prefix(marker)
            && let Some(event) = after.strip_prefix(' ')
        {
            return Body::Event(event.trim_start());
        }
    }
    if let Some(after) = trimmed.strip_prefix('<')
        && let Some(close) = after.find('>')
        && let Some(nick) = strip_mode(after[..close].trim())
    {
        let text = &after[close + 1..];
        return Body::Message { nick, text: text.strip_prefix(' ').unwrap_or(text) };
    }
    if let Some(after) = trimmed.strip_prefix("* ") {
        let after = after.trim_start();
        let nick = after.split(' ').next().unwrap_or("");
        if is_nick(nick) {
            return Body::Action { nick, rest: after };
        }
    }
    if let Some(after) = trimmed.strip_prefix('-') {
        // `-nick- text` or `-nick(~user@host)- text`
        let end = after.find(['-', '(']).unwrap_or(0);
        let nick = &after[..end];
        let tail = &after[end..];
        let tail = if tail.starts_with('(') {
            tail.find(")-").map(|k| &tail[k + 1..]).unwrap_or("")
        } else {
            tail
        };
        if is_nick(nick)
            && let Some(text) = tail.strip_prefix("- ")
        {
            return Body::Notice { nick, text };
        }
    }
    Body::Other(trimmed)
}

/// Characters IRC allows in nicks (RFC 2812 plus the common `` ` `` and
/// `|`), so that prose in brackets is not taken for a nick.
fn is_nick(nick: &str) -> bool {
    !nick.is_empty()
        && nick.len() <= 64
        && nick.chars().all(|c| c.is_alphanumeric() || "[]\\`_^{|}-.".contains(c))
}

/// A nick without its channel mode prefix (`@` op, `+` voice, `%` half-op,
/// `&` admin, `~` owner, `!`), if it is a nick at all.
fn strip_mode(nick: &str) -> Option<&str> {
    let bare = nick.strip_prefix(['@', '+', '%', '&', '~', '!']).unwrap_or(nick).trim_start();
    is_nick(bare).then_some(bare)
}

/// What a server line says happened.
#[derive(Debug, PartialEq, Eq)]
struct Happening {
    kind: EventKind,
    sender: Option<String>,
    targets: Vec<String>,
}

/// Reads a server line (after its marker) as an event.
fn classify(text: &str) -> Happening {
    // The first six words are all the patterns look at by position; kept
    // on the stack, as most event lines are joins and quits.
    let mut words = [""; 6];
    for (slot, w) in words.iter_mut().zip(text.split_whitespace()) {
        *slot = w;
    }
    let word = |i: usize| words.get(i).copied().unwrap_or("");
    let happening = |kind, sender: &str, targets: &[&str]| Happening {
        kind,
        sender: (!sender.is_empty()).then(|| sender.to_string()),
        targets: targets.iter().filter(|t| !t.is_empty()).map(|t| t.to_string()).collect(),
    };
    let first = word(0);
    // ZNC: `Joins: nick (~u@h)`, `Parts: ...`, `Quits: ...`.
    match first {
        "Joins:" => return happening(EventKind::Join, word(1), &[word(1)]),
        "Parts:" | "Quits:" => return happening(EventKind::Leave, word(1), &[word(1)]),
        _ => {}
    }
    let has = |phrase: &str| text.contains(phrase);
    if has(" has joined") {
        return happening(EventKind::Join, first, &[first]);
    }
    if has(" has left") || has(" has quit") || has(" has parted") {
        return happening(EventKind::Leave, first, &[first]);
    }
    if word(1) == "is" && word(2) == "now" && word(3) == "known" && word(4) == "as" {
        return happening(EventKind::Other("nick".to_string()), first, &[word(5)]);
    }
    // irssi `x was kicked from #c by op [why]`, ZNC `x was kicked by op (why)`.
    if word(1) == "was" && word(2) == "kicked" {
        let mut all = text.split_whitespace();
        let by = match all.position(|w| w == "by") {
            Some(_) => all.next().unwrap_or(""),
            None => "",
        };
        return happening(EventKind::Leave, by, &[first]);
    }
    // weechat `op has kicked x (why)`.
    if word(1) == "has" && word(2) == "kicked" {
        return happening(EventKind::Leave, first, &[word(3)]);
    }
    if has(" changed the topic of ")
        || has(" changes topic to ")
        || has(" has changed topic for ")
        || has(" has unset topic for ")
    {
        return happening(EventKind::Other("topic".to_string()), first, &[]);
    }
    if first == "Topic" {
        return happening(EventKind::Other("topic".to_string()), "", &[]);
    }
    // irssi `mode/#c [+o x] by op`, weechat `Mode #c [+o x] by op`.
    if first.starts_with("mode/") || first == "Mode" || first == "ServerMode/" {
        // The word after the last `by` ("" when `by` ends the line).
        let mut by = "";
        let mut after_by = false;
        for w in text.split_whitespace() {
            if after_by {
                by = w;
            }
            after_by = w == "by";
            if after_by {
                by = "";
            }
        }
        return happening(EventKind::Other("mode".to_string()), by, &[]);
    }
    // ZNC `op sets mode: +o x`.
    if word(1) == "sets" && word(2) == "mode:" {
        return happening(EventKind::Other("mode".to_string()), first, &[]);
    }
    happening(EventKind::Other("server".to_string()), "", &[])
}

/// Dating state of one entry.
struct Calendar {
    date: Option<Date>,
    /// Time of day of the last line dated from `date`.
    last: Option<i32>,
}

impl Calendar {
    /// The civil date and time of a stamp, `None` when no date is known.
    fn place(&mut self, stamp: &Stamp<'_>) -> Option<DateTime> {
        let date = match stamp.date {
            Some(date) => {
                self.date = Some(date);
                self.last = None;
                date
            }
            None => {
                let mut date = self.date?;
                if let Some(last) = self.last
                    && stamp.seconds + ROLLOVER_SECONDS < last
                    && let Ok(next) = date.tomorrow()
                {
                    date = next;
                    self.date = Some(next);
                }
                self.last = Some(stamp.seconds);
                date
            }
        };
        let (h, m, s) = (stamp.seconds / 3600, stamp.seconds / 60 % 60, stamp.seconds % 60);
        Some(date.to_datetime(jiff::civil::Time::new(h as i8, m as i8, s as i8, 0).ok()?))
    }
}

/// Reads one log file.
fn read_entry(
    input: &Input,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let display = input.display_entry(name);
    let entry: Option<Arc<str>> = input.source_of(name).1.map(Arc::from);
    let parent = match input.kind() {
        InputKind::File => {
            input.path().parent().and_then(|p| p.file_name()).map(|f| f.to_string_lossy())
        }
        InputKind::Dir | InputKind::Zip => None,
    };
    let channel: Arc<str> = Arc::from(conversation_of(name, parent.as_deref()));
    let network: Option<Arc<str>> = network_of(input, name, &channel).map(Arc::from);
    let (zone, zone_name) = options.zone();
    let mut accounts = Accounts::default();
    let mut calendar = Calendar { date: name_date(file_name(name)).map(|(d, _)| d), last: None };
    input.with_entry(name, |reader| {
        let mut lines =
            Lines::new(BufReader::new(reader as &mut dyn Read), &display, options.max_record_bytes);
        let mut next_progress = PROGRESS_STEP;
        while let Some(line) = lines.next_line()? {
            if line.offset >= next_progress {
                sink.progress(line.offset);
                next_progress = line.offset + PROGRESS_STEP;
            }
            let skip = |sink: &mut dyn Sink, reason: String| {
                sink.skip(Skip { file: display.clone(), offset: line.offset, reason });
            };
            if line.too_long {
                skip(
                    sink,
                    format!(
                        "line {} is {} bytes, over the limit of {} (max_record_bytes)",
                        line.number, line.length, options.max_record_bytes
                    ),
                );
                continue;
            }
            let text = crate::utf8::lossy(line.bytes);
            if text.trim().is_empty() {
                continue;
            }
            if let Some(date) = header_date(&text) {
                calendar.date = Some(date);
                calendar.last = None;
                continue;
            }
            let Some((stamp, body)) = timed(&text) else {
                if text.trim_start().starts_with("---") {
                    // irssi's other `---` lines (e.g. a `Log opened` with an
                    // unreadable date) say nothing about messages.
                    skip(
                        sink,
                        format!("line {}: unreadable log header `{}`", line.number, shorten(&text)),
                    );
                } else {
                    skip(
                        sink,
                        format!(
                            "line {}: not an IRC log line (no time stamp): `{}`",
                            line.number,
                            shorten(&text)
                        ),
                    );
                }
                continue;
            };
            let Some(civil) = calendar.place(&stamp) else {
                return Err(ReadError::invalid(
                    &display,
                    Some(line.offset),
                    format!(
                        "line {}: the log's date is unknown: the file name has no date (like \
                         `#chan.2016-05-03.log`, `2016-05-03.log` or `#chan_20160503.log`) and no \
                         `--- Log opened ...` or `--- Day changed ...` line comes before this \
                         line; rename the file to carry the date of its first line",
                        line.number
                    ),
                ));
            };
            let sent_at = match zone.to_ambiguous_timestamp(civil).compatible() {
                Ok(instant) => Timestamp {
                    utc_ms: instant.as_millisecond(),
                    original: stamp.text.to_string(),
                    basis: TimeBasis::AssertedZone,
                    zone: Some(zone_name.clone()),
                },
                Err(e) => {
                    skip(sink, format!("line {}: time out of range: {e}", line.number));
                    continue;
                }
            };
            let (kind, sender, targets, body_text) = match body {
                Body::Message { nick: n, text } | Body::Notice { nick: n, text } => {
                    (RecordKind::Message, Some(accounts.id(n)), Vec::new(), text.to_string())
                }
                Body::Action { nick: n, rest } => {
                    (RecordKind::Message, Some(accounts.id(n)), Vec::new(), format!("* {rest}"))
                }
                Body::Event(event) => {
                    let happening = classify(event);
                    (
                        RecordKind::Event(happening.kind),
                        happening.sender.map(|n| accounts.id(&n)),
                        happening.targets.iter().map(|n| accounts.id(n)).collect(),
                        event.to_string(),
                    )
                }
                Body::Other(other) => (
                    RecordKind::Event(EventKind::Other("server".to_string())),
                    None,
                    Vec::new(),
                    other.to_string(),
                ),
            };
            let record = Record {
                kind,
                platform: trove_model::platform::IRC,
                conversation: ConversationRef {
                    native_id: channel.clone(),
                    name: Some(channel.clone()),
                    scope: network.clone(),
                },
                sender,
                sent_at,
                text: body_text,
                targets,
                locator: Locator {
                    entry: entry.clone(),
                    offset: line.offset,
                    length: line.length,
                    line: Some(line.number),
                    json_path: None,
                },
                ..Record::default()
            };
            sink.record(record).map_err(|stop| ReadError::Stopped(stop.0))?;
        }
        sink.progress(lines.bytes_read());
        Ok(())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn date(y: i16, m: i8, d: i8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn dates_in_names() {
        assert_eq!(name_date("#ubuntu.2016-05-03.log").map(|d| d.0), Some(date(2016, 5, 3)));
        assert_eq!(name_date("#chan_20160503.log").map(|d| d.0), Some(date(2016, 5, 3)));
        assert_eq!(name_date("2016-05-03.log").map(|d| d.0), Some(date(2016, 5, 3)));
        assert_eq!(name_date("#chan_201605031.log"), None);
        assert_eq!(name_date("#chan_2016-13-03.log"), None);
        assert_eq!(name_date("#chan.log"), None);
        assert_eq!(name_date("x2016-05-03"), Some((date(2016, 5, 3), 1..11)));
    }

    /// The network scopes a channel: from weechat's file name, the folder
    /// above ZNC's channel folder, else the folder holding the log.
    #[test]
    fn networks_from_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("logs");
        for name in [
            "znc/libera/#rust/2016-05-03.log",
            "irssi/oftc/#debian.log",
            "irc.efnet.#chan.weechatlog",
        ] {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "[09:57] <alice> hi\n").unwrap();
        }
        let folder = Input::open(&root).unwrap();
        let network = |name: &str| {
            let channel = conversation_of(name, None);
            network_of(&folder, name, &channel)
        };
        assert_eq!(network("znc/libera/#rust/2016-05-03.log").as_deref(), Some("libera"));
        assert_eq!(network("irssi/oftc/#debian.log").as_deref(), Some("oftc"));
        assert_eq!(network("irc.efnet.#chan.weechatlog").as_deref(), Some("efnet"));
        // A file walked out of a folder on its own: its path tells.
        let file = root.join("znc/libera/#rust/2016-05-03.log");
        let single = Input::open(&file).unwrap();
        let channel = conversation_of("2016-05-03.log", Some("#rust"));
        assert_eq!(network_of(&single, "2016-05-03.log", &channel).as_deref(), Some("libera"));
    }

    #[test]
    fn conversations_from_names() {
        assert_eq!(conversation_of("#ubuntu.2016-05-03.log", None), "#ubuntu");
        assert_eq!(conversation_of("logs/#chan_20160503.log", None), "#chan");
        assert_eq!(conversation_of("znc/libera/#rust/2016-05-03.log", None), "#rust");
        assert_eq!(conversation_of("2016-05-03.log", Some("#ops")), "#ops");
        assert_eq!(conversation_of("2016-05-03.log", None), "2016-05-03");
        assert_eq!(conversation_of("irc.libera.#rust.weechatlog", None), "irc.libera.#rust");
        assert_eq!(conversation_of("#a.log.txt", Some("x")), "#a");
    }

    #[test]
    fn header_dates() {
        assert_eq!(header_date("--- Log opened Tue May 03 09:00:00 2016"), Some(date(2016, 5, 3)));
        assert_eq!(header_date("--- Day changed Wed May 04 2016"), Some(date(2016, 5, 4)));
        assert_eq!(
            header_date("**** BEGIN LOGGING AT Tue May  3 09:00:00 2016"),
            Some(date(2016, 5, 3))
        );
        assert_eq!(header_date("Session Start: Tue May 03 09:00:00 2016"), Some(date(2016, 5, 3)));
        assert_eq!(header_date("--- Day changed May 4, 2016"), Some(date(2016, 5, 4)));
        assert_eq!(header_date("--- Day changed someday"), None);
        assert_eq!(header_date("09:00 <a> --- Log opened Tue May 03 09:00:00 2016"), None);
    }

    #[test]
    fn line_shapes() {
        let (stamp, body) = timed("09:57 <@alice> hi <there>").unwrap();
        assert_eq!(stamp, Stamp { text: "09:57", date: None, seconds: 9 * 3600 + 57 * 60 });
        assert_eq!(body, Body::Message { nick: "alice", text: "hi <there>" });
        assert_eq!(
            timed("[09:57:12] < bob> x").unwrap().1,
            Body::Message { nick: "bob", text: "x" }
        );
        assert_eq!(
            timed("09:58  * alice waves").unwrap().1,
            Body::Action { nick: "alice", rest: "alice waves" }
        );
        assert_eq!(
            timed("[09:58] *** Joins: bob (~b@h)").unwrap().1,
            Body::Event("Joins: bob (~b@h)")
        );
        assert_eq!(
            timed("[09:58] -bot- notice").unwrap().1,
            Body::Notice { nick: "bot", text: "notice" }
        );
        assert_eq!(
            timed("[09:58] -NickServ(NickServ@services.)- hello").unwrap().1,
            Body::Notice { nick: "NickServ", text: "hello" }
        );
        let (stamp, body) = timed("2016-05-03 09:57:12\t@alice\thello\tworld").unwrap();
        assert_eq!(stamp.date, Some(date(2016, 5, 3)));
        assert_eq!(stamp.text, "2016-05-03 09:57:12");
        assert_eq!(body, Body::Message { nick: "alice", text: "hello\tworld" });
        assert_eq!(
            timed("2016-05-03 09:57:12\t-->\tbob joined").unwrap().1,
            Body::Event("bob joined")
        );
        assert_eq!(
            timed("2016-05-03 09:57:12\t *\tbob waves").unwrap().1,
            Body::Action { nick: "bob", rest: "bob waves" }
        );
        assert_eq!(
            timed("[2023-09-18 17:43:18] @alias:x.org: hi").unwrap().1,
            Body::Other("@alias:x.org: hi")
        );
        for no in ["9:57 <a> x", "25:00 <a> x", "[09:57 <a> x", "09:57<a> x", "hello", "", "[]"] {
            assert!(timed(no).is_none(), "{no}");
        }
    }

    #[test]
    fn events() {
        let c = |t: &str| classify(t);
        assert_eq!(c("bob [~bob@host] has joined #chan").kind, EventKind::Join);
        assert_eq!(c("bob (~bob@host) has quit (Ping timeout)").kind, EventKind::Leave);
        assert_eq!(c("Parts: bob (~b@h) (bye)").targets, vec!["bob"]);
        let nick = c("carol is now known as caz");
        assert_eq!(nick.kind, EventKind::Other("nick".to_string()));
        assert_eq!(
            (nick.sender.as_deref(), nick.targets),
            (Some("carol"), vec!["caz".to_string()])
        );
        let kick = c("bob was kicked from #chan by alice [spam]");
        assert_eq!(
            (kick.kind, kick.sender.as_deref(), kick.targets),
            (EventKind::Leave, Some("alice"), vec!["bob".to_string()])
        );
        assert_eq!(c("alice has kicked bob (spam)").sender.as_deref(), Some("alice"));
        assert_eq!(
            c("alice changed the topic of #chan to: new").kind,
            EventKind::Other("topic".to_string())
        );
        assert_eq!(c("mode/#chan [+o bob] by alice").sender.as_deref(), Some("alice"));
        assert_eq!(
            c("Irssi: Join to #chan was synced").kind,
            EventKind::Other("server".to_string())
        );
    }

    #[test]
    fn rollover() {
        let mut cal = Calendar { date: Some(date(2016, 5, 3)), last: None };
        let at = |s: i32| Stamp { text: "", date: None, seconds: s };
        assert_eq!(cal.place(&at(23 * 3600)).unwrap().date(), date(2016, 5, 3));
        // One hour back: a DST change, not midnight.
        assert_eq!(cal.place(&at(22 * 3600)).unwrap().date(), date(2016, 5, 3));
        assert_eq!(cal.place(&at(60)).unwrap().date(), date(2016, 5, 4));
        let mut none = Calendar { date: None, last: None };
        assert!(none.place(&at(60)).is_none());
    }
}
