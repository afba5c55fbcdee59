//! Parsing the timestamp formats transcripts use.
//!
//! Transcripts carry times in whatever form the tool that wrote them chose:
//! RFC 3339 instants, naive ISO local times, Unix epochs, or the "human"
//! forms spreadsheets and chat apps print. [`parse_timestamp`] reads them all
//! into a [`Timestamp`] that keeps the original text and says how the zone
//! was known ([`TimeBasis`]).
//!
//! Accepted forms (surrounding whitespace is ignored):
//!
//! | form | example | basis |
//! |---|---|---|
//! | ISO / RFC 3339 with `Z` (or a trailing `UTC`/`GMT`) | `2016-10-07T14:30:05Z` | `Utc` |
//! | ISO with an offset | `2016-10-07T14:30:05+02:00`, `... -0500` | `LocalWithOffset` |
//! | naive ISO | `2016-10-07 14:30`, `2016-10-07T14:30:05.123456` | `AssertedZone` |
//! | date only (midnight) | `2015-06-13`, `2015/06/13` | `AssertedZone` |
//! | Unix seconds (10 digits, optional fraction) | `1465828200`, `1465828200.5` | `Utc` |
//! | Unix milliseconds (13 digits) | `1465828200123` | `Utc` |
//! | numeric day/month dates | `06/13/2015 14:30`, `13/06/2015 2:30 PM`, `13.06.2015 14:30` | `AssertedZone` |
//! | month names | `Jun 13, 2015 2:30 PM`, `June 13, 2015 at 2:30:05 PM`, `13 Jun 2015 14:30` | `AssertedZone` |
//! | RFC 2822-like | `Sat, 13 Jun 2015 14:30:00 +0000` | `LocalWithOffset` |
//!
//! Any of the non-epoch forms may end in `Z`, `UTC`, `GMT` or an offset,
//! which then sets the basis as in the first two rows.
//!
//! **Numeric day/month order.** `a/b/yyyy` (also with `-` or `.`) is read
//! day-first when `a > 12`, month-first when `b > 12`, and otherwise by the
//! [`DateOrder`] given to [`parse_timestamp_with`]; [`parse_timestamp`] uses
//! [`DateOrder::MonthFirst`] for `/` and `-` (the US spreadsheet default) and
//! [`DateOrder::DayFirst`] for `.` (dotted dates are day-first wherever they
//! are used). Two-digit years follow POSIX `%y`: `69`-`99` are 1969-1999,
//! `00`-`68` are 2000-2068.
//!
//! Naive local times are interpreted in the asserted zone with jiff's
//! "compatible" disambiguation: a time in a DST gap is moved forward by the
//! gap's length, a time in a fold takes the earlier (pre-transition) offset.
//! A leap second (`:60`) is read as `:59`; the original text keeps the `60`.

use std::sync::{Arc, LazyLock};

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use trove_model::{TimeBasis, Timestamp};

/// The name `UTC`, shared: parsing under UTC names it on every timestamp.
pub(crate) fn utc_name() -> Arc<str> {
    static UTC: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("UTC"));
    Arc::clone(&UTC)
}

/// How to read an ambiguous numeric date such as `05/06/2015`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateOrder {
    /// `05/06/2015` is May 6 (US).
    #[default]
    MonthFirst,
    /// `05/06/2015` is 5 June (most of the world).
    DayFirst,
}

/// Parses `text` as a timestamp, reading zone-less local times in `zone`
/// (whose IANA name, `zone_name`, is recorded with them). Ambiguous numeric
/// dates are month-first for `/` and `-`, day-first for `.` (see the module
/// documentation for every accepted form).
///
/// The error is a short reason for a person, without the input text (the
/// caller quotes it).
pub fn parse_timestamp(
    text: &str,
    zone: &TimeZone,
    zone_name: &Arc<str>,
) -> Result<Timestamp, String> {
    parse_inner(text, zone, zone_name, None)
}

/// Like [`parse_timestamp`], with an explicit order for ambiguous numeric
/// dates (whatever their separator).
pub fn parse_timestamp_with(
    text: &str,
    zone: &TimeZone,
    zone_name: &Arc<str>,
    order: DateOrder,
) -> Result<Timestamp, String> {
    parse_inner(text, zone, zone_name, Some(order))
}

/// Parses a `--tz` value: an IANA name from jiff's bundled database
/// (`America/New_York`), `UTC`/`GMT`/`Z`, or a fixed offset (`+02:00`,
/// `-0530`, `+2`, also written `UTC+02:00`).
pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    let trimmed = name.trim();
    let upper = trimmed.to_ascii_uppercase();
    if matches!(upper.as_str(), "UTC" | "GMT" | "Z" | "ETC/UTC") {
        return Ok(TimeZone::UTC);
    }
    let offset_text =
        upper.strip_prefix("UTC").or_else(|| upper.strip_prefix("GMT")).unwrap_or(&upper);
    if offset_text.starts_with(['+', '-']) {
        let mut cur = Cursor::new(offset_text);
        if let Some(seconds) = cur.offset()
            && cur.at_end()
        {
            return Offset::from_seconds(seconds)
                .map(TimeZone::fixed)
                .map_err(|e| format!("bad offset `{trimmed}`: {e}"));
        }
        return Err(format!(
            "bad offset `{trimmed}`: expected a form like `+02:00`, `-0530` or `+2`"
        ));
    }
    TimeZone::get(trimmed).map_err(|_| {
        format!(
            "unknown time zone `{trimmed}`: expected an IANA name like `America/New_York` or \
             `Europe/Berlin`, `UTC`, or a fixed offset like `+02:00`"
        )
    })
}

/// The zone a text stated, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stated {
    Naive,
    Utc,
    Offset(i32),
}

/// A civil date and time read from text, before any zone is applied.
#[derive(Clone, Copy, Debug, Default)]
pub struct Civil {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second (60, a leap second, reads as 59).
    pub second: u32,
    /// Nanoseconds.
    pub nanos: u32,
}

/// How a wall-clock time maps into a zone around a DST change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dst {
    /// The time did not exist (clocks jumped over it); read as the zone's
    /// rules say (`compatible`: after the jump).
    Gap,
    /// The time happened twice (clocks went back); read as the first.
    Fold,
}

/// `civil` read in the asserted `zone` (for formats whose times have none),
/// with `original` kept as the source wrote it, and whether the time fell
/// in a DST gap or fold. Readers that parse their own headers call this
/// instead of formatting a string for [`parse_timestamp`].
pub fn naive_in_zone(
    civil: Civil,
    original: &str,
    zone: &TimeZone,
    zone_name: &Arc<str>,
) -> Result<(Timestamp, Option<Dst>), String> {
    if let Some(offset) = fixed_offset(zone)
        && let Some(utc_ms) = utc_ms_by_arithmetic(&civil, offset)
    {
        let timestamp = Timestamp {
            utc_ms,
            original: original.to_string(),
            basis: TimeBasis::AssertedZone,
            zone: Some(Arc::clone(zone_name)),
        };
        return Ok((timestamp, None));
    }
    let dt = civil_datetime(&civil)?;
    let ambiguous = zone.to_ambiguous_timestamp(dt);
    let dst = match ambiguous.offset() {
        jiff::tz::AmbiguousOffset::Unambiguous { .. } => None,
        jiff::tz::AmbiguousOffset::Gap { .. } => Some(Dst::Gap),
        jiff::tz::AmbiguousOffset::Fold { .. } => Some(Dst::Fold),
    };
    let instant = ambiguous.compatible().map_err(|e| format!("time out of range: {e}"))?;
    let timestamp = Timestamp {
        utc_ms: instant.as_millisecond(),
        original: original.to_string(),
        basis: TimeBasis::AssertedZone,
        zone: Some(Arc::clone(zone_name)),
    };
    Ok((timestamp, dst))
}

/// The zone's offset when it has one offset at all times (UTC, a fixed
/// offset), without asking jiff of a database zone (whose refusal would
/// build an error on every call).
fn fixed_offset(zone: &TimeZone) -> Option<i32> {
    match zone.iana_name() {
        None | Some("UTC") => zone.to_fixed_offset().ok().map(|o| o.seconds()),
        Some(_) => None,
    }
}

/// Milliseconds since the Unix epoch of `civil` read `offset` seconds east
/// of UTC, by arithmetic: what jiff computes (seconds past 59 read as `:59`,
/// sub-milliseconds dropped), without building its `DateTime` and
/// `Timestamp` for every record. `None` (the caller then asks jiff, which
/// also words any refusal) for a field out of range, a year at jiff's
/// limits, an offset beyond ±25 hours, or an instant before 1970 (where
/// jiff truncates toward zero).
fn utc_ms_by_arithmetic(civil: &Civil, offset: i32) -> Option<i64> {
    let Civil { year, month, day, hour, minute, second, nanos } = *civil;
    let valid = (-9998..=9998).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        && nanos < 1_000_000_000
        && offset.unsigned_abs() <= 25 * 3600;
    if !valid {
        return None;
    }
    let clock = i64::from(hour * 3600 + minute * 60 + second.min(59));
    let seconds = days_from_civil(year, month, day) * 86_400 + clock - i64::from(offset);
    (seconds >= 0).then(|| seconds * 1000 + i64::from(nanos / 1_000_000))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_datetime(civil: &Civil) -> Result<DateTime, String> {
    let year =
        i16::try_from(civil.year).map_err(|_| format!("year {} out of range", civil.year))?;
    let narrow = |v: u32| i8::try_from(v).map_err(|_| format!("invalid date/time field {v}"));
    DateTime::new(
        year,
        narrow(civil.month)?,
        narrow(civil.day)?,
        narrow(civil.hour)?,
        narrow(civil.minute)?,
        narrow(civil.second.min(59))?,
        i32::try_from(civil.nanos).map_err(|_| "invalid nanoseconds".to_string())?,
    )
    .map_err(|e| format!("invalid date/time: {e}"))
}

const UNRECOGNISED: &str = "not a recognised date/time (expected e.g. `2016-10-07 14:30`, \
                            `2016-10-07T14:30:05Z`, `06/13/2015 2:30 PM`, `Jun 13, 2015 2:30 PM` \
                            or a Unix epoch)";

fn parse_inner(
    text: &str,
    zone: &TimeZone,
    zone_name: &Arc<str>,
    order: Option<DateOrder>,
) -> Result<Timestamp, String> {
    parse_core(text, zone, zone_name, order).map_err(|failure| match failure {
        Failure::Empty => "empty timestamp".to_string(),
        Failure::Unrecognised => UNRECOGNISED.to_string(),
        Failure::Other(reason) => reason,
    })
}

/// Like [`parse_timestamp_with`] (or [`parse_timestamp`] when `order` is
/// `None`) without the reason: for callers that try many candidate texts
/// and only want the one that parses, so that a refusal allocates nothing.
pub(crate) fn try_parse(
    text: &str,
    zone: &TimeZone,
    zone_name: &Arc<str>,
    order: Option<DateOrder>,
) -> Option<Timestamp> {
    parse_core(text, zone, zone_name, order).ok()
}

/// Why a text is not a timestamp, with the common refusals kept cheap.
enum Failure {
    Empty,
    Unrecognised,
    Other(String),
}

fn parse_core(
    text: &str,
    zone: &TimeZone,
    zone_name: &Arc<str>,
    order: Option<DateOrder>,
) -> Result<Timestamp, Failure> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Failure::Empty);
    }
    let bytes = trimmed.as_bytes();
    if bytes[0].is_ascii_digit()
        && let Some(ms) = epoch(bytes)
    {
        return Ok(Timestamp::utc(ms.map_err(Failure::Other)?, trimmed));
    }
    let (civil, stated) = match iso_fast(bytes) {
        Iso::Parsed(civil, stated) => (civil, stated),
        Iso::Refused => return Err(Failure::Unrecognised),
        Iso::Other => general(trimmed, order).ok_or(Failure::Unrecognised)?,
    };
    finish(civil, stated, trimmed, zone, zone_name).map_err(Failure::Other)
}

/// Applies the stated or asserted zone to a civil time.
fn finish(
    civil: Civil,
    stated: Stated,
    original: &str,
    zone: &TimeZone,
    zone_name: &Arc<str>,
) -> Result<Timestamp, String> {
    let by_arithmetic = match stated {
        Stated::Utc => Some((0, TimeBasis::Utc, None)),
        Stated::Offset(seconds) => Some((seconds, TimeBasis::LocalWithOffset, None)),
        Stated::Naive => fixed_offset(zone)
            .map(|offset| (offset, TimeBasis::AssertedZone, Some(Arc::clone(zone_name)))),
    };
    if let Some((offset, basis, zone_out)) = by_arithmetic
        && let Some(utc_ms) = utc_ms_by_arithmetic(&civil, offset)
    {
        return Ok(Timestamp { utc_ms, original: original.to_string(), basis, zone: zone_out });
    }
    let dt = civil_datetime(&civil)?;
    let (instant, basis, zone_out) = match stated {
        Stated::Utc => (Offset::UTC.to_timestamp(dt), TimeBasis::Utc, None),
        Stated::Offset(seconds) => {
            let offset =
                Offset::from_seconds(seconds).map_err(|e| format!("invalid offset: {e}"))?;
            (offset.to_timestamp(dt), TimeBasis::LocalWithOffset, None)
        }
        Stated::Naive => (
            zone.to_ambiguous_timestamp(dt).compatible(),
            TimeBasis::AssertedZone,
            Some(Arc::clone(zone_name)),
        ),
    };
    let instant = instant.map_err(|e| format!("time out of range: {e}"))?;
    Ok(Timestamp {
        utc_ms: instant.as_millisecond(),
        original: original.to_string(),
        basis,
        zone: zone_out,
    })
}

/// Unix seconds (exactly 10 digits) or milliseconds (exactly 13), each with
/// an optional fraction. `None` when the text is not an epoch at all.
fn epoch(bytes: &[u8]) -> Option<Result<i64, String>> {
    let int_len = bytes.iter().position(|b| !b.is_ascii_digit()).unwrap_or(bytes.len());
    let frac = &bytes[int_len..];
    let frac_digits = match frac.split_first() {
        None => &[][..],
        Some((b'.', rest)) if !rest.is_empty() && rest.iter().all(u8::is_ascii_digit) => rest,
        Some(_) => return None,
    };
    let int = digits_value(&bytes[..int_len])?;
    match int_len {
        10 => {
            // Milliseconds from the first three fraction digits, truncated.
            let mut ms = 0i64;
            for i in 0..3 {
                ms = ms * 10 + frac_digits.get(i).map_or(0, |d| i64::from(d - b'0'));
            }
            Some(Ok(int * 1000 + ms))
        }
        13 => Some(Ok(int)),
        _ if frac_digits.is_empty() => Some(Err(format!(
            "a {int_len}-digit number is not a Unix epoch (expected 10 digits of seconds or 13 \
             of milliseconds)"
        ))),
        _ => None,
    }
}

fn digits_value(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > 18 {
        return None;
    }
    let mut value = 0i64;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(value)
}

/// Two ASCII digits at `at`.
#[inline]
pub(crate) fn two(bytes: &[u8], at: usize) -> Option<u32> {
    match (bytes.get(at), bytes.get(at + 1)) {
        (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    }
}

/// What the ISO fast path made of a text.
enum Iso {
    Parsed(Civil, Stated),
    /// Not this form: the general parser decides.
    Other,
    /// The general parser would refuse it too (see [`iso_fast`]).
    Refused,
}

/// The hand-written path for the forms that make up nearly every real
/// transcript: `YYYY-MM-DD`, optionally followed by `T`/space,
/// `HH:MM[:SS[.fff]]` and a zone. `Iso::Other` hands the text to the
/// general parser.
fn iso_fast(bytes: &[u8]) -> Iso {
    match iso_fast_inner(bytes) {
        Some(Ok((civil, stated))) => Iso::Parsed(civil, stated),
        Some(Err(())) => Iso::Refused,
        None => Iso::Other,
    }
}

/// `Some(Err(()))` when the date and time read fully but what follows is
/// neither a zone nor AM/PM (`2020-03-02 10:13:40 bob: hi`, the longer
/// candidates a line template tries first). [`general`] reads the same
/// digits to the same position, looks for AM/PM there, and otherwise calls
/// the same `zone_suffix` on the same rest, so it would refuse the text as
/// well; asking it costs several times the fast path.
fn iso_fast_inner(bytes: &[u8]) -> Option<Result<(Civil, Stated), ()>> {
    if bytes.len() == 10 {
        return Some(Ok((iso_date(bytes)?, Stated::Naive)));
    }
    let (civil, pos) = iso_date_time(bytes)?;
    iso_tail(civil, &bytes[pos..])
}

/// The `YYYY-MM-DD` of the fast path.
fn iso_date(bytes: &[u8]) -> Option<Civil> {
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = two(bytes, 0)? * 100 + two(bytes, 2)?;
    Some(Civil {
        year: i32::try_from(year).ok()?,
        month: two(bytes, 5)?,
        day: two(bytes, 8)?,
        ..Civil::default()
    })
}

/// The fast path's date and time, `YYYY-MM-DD[Tt ]HH:MM[:SS[.fff]]`, and
/// where they end. Only the bytes before that end are looked at, and the
/// one after it: see [`IsoHead`].
fn iso_date_time(bytes: &[u8]) -> Option<(Civil, usize)> {
    let mut civil = iso_date(bytes)?;
    if !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) || bytes.get(13) != Some(&b':') {
        return None;
    }
    civil.hour = two(bytes, 11)?;
    civil.minute = two(bytes, 14)?;
    let mut pos = 16;
    if bytes.get(pos) == Some(&b':') {
        civil.second = two(bytes, pos + 1)?;
        pos += 3;
        if matches!(bytes.get(pos), Some(b'.' | b',')) {
            let (nanos, used) = fraction(&bytes[pos + 1..])?;
            civil.nanos = nanos;
            pos += 1 + used;
        }
    }
    Some((civil, pos))
}

/// What follows the fast path's date and time: a zone, or the refusal
/// described at [`iso_fast_inner`], or `None` for the general parser.
fn iso_tail(civil: Civil, tail: &[u8]) -> Option<Result<(Civil, Stated), ()>> {
    if first_word_refuses(tail).is_some() {
        return Some(Err(()));
    }
    let mut cur = Cursor { s: tail, i: 0 };
    match cur.zone_suffix() {
        Some(stated) => cur.at_end().then_some(Ok((civil, stated))),
        None => {
            let mut probe = Cursor { s: tail, i: 0 };
            probe.spaces();
            meridiem(probe.word()).is_none().then_some(Err(()))
        }
    }
}

/// After ASCII spaces and then an ASCII byte other than `+`/`-`, both tries
/// of [`iso_tail`] read the same word (maybe empty) and decide on it alone:
/// refused unless it is a zone word or AM/PM. Nearly every candidate `{ts}`
/// too long to be a time ends here, after one look at its word. `Some`
/// with where the word ends (at least one byte past `at`) when the tail
/// is refused so.
fn first_word_refuses(tail: &[u8]) -> Option<usize> {
    let at = tail.iter().position(|b| !b.is_ascii_whitespace())?;
    if tail[at] >= 0x80 || matches!(tail[at], b'+' | b'-') {
        return None;
    }
    let word = Cursor { s: tail, i: at }.word();
    let zone = [&b"z"[..], b"utc", b"gmt"].iter().any(|z| word.eq_ignore_ascii_case(z));
    // A candidate must hold the byte at `at` too: without it the tail is
    // only spaces.
    (!zone && meridiem(word).is_none()).then_some(at + word.len().max(1))
}

/// The date and time at the start of a text, read once for a caller that
/// tries many texts starting there (a line template tries each candidate
/// end of `{ts}`, longest first, and most share `2020-03-02 10:13:40`).
pub(crate) struct IsoHead<'a> {
    /// The text the head was read from.
    text: &'a str,
    civil: Civil,
    /// Length of the date and time.
    len: usize,
    /// Where the word after them ends in `text`, when that word refuses
    /// the tail ([`first_word_refuses`]): every candidate that holds the
    /// whole word reads the same word and is refused the same.
    refused_from: Option<usize>,
}

impl<'a> IsoHead<'a> {
    /// The head of `text` (which should start where the candidates do),
    /// when it has the fast path's form.
    #[inline]
    pub(crate) fn read(text: &'a str) -> Option<IsoHead<'a>> {
        let (civil, len) = iso_date_time(text.as_bytes())?;
        let refused_from = first_word_refuses(text.as_bytes().get(len..)?).map(|end| len + end);
        Some(IsoHead { text, civil, len, refused_from })
    }

    /// [`try_parse`] of `trimmed` (already trimmed), when it starts at the
    /// same byte as the head's text and runs to the head's end or past it;
    /// `None` when the head does not apply and `try_parse` must decide.
    ///
    /// Same answer: such a text starts with four digits and a `-`, so it
    /// is no epoch, and the fast path reads the same date and time from
    /// the same bytes (the head's end was found with the byte after it in
    /// view, which this text also holds), leaving the same tail.
    #[inline]
    pub(crate) fn try_parse(
        &self,
        trimmed: &str,
        zone: &TimeZone,
        zone_name: &Arc<str>,
        order: Option<DateOrder>,
    ) -> Option<Option<Timestamp>> {
        if !std::ptr::eq(trimmed.as_ptr(), self.text.as_ptr()) || trimmed.len() < self.len {
            return None;
        }
        if self.refused_from.is_some_and(|end| trimmed.len() >= end) {
            return Some(None);
        }
        let (civil, stated) = match iso_tail(self.civil, trimmed.as_bytes().get(self.len..)?) {
            Some(Ok(parsed)) => parsed,
            Some(Err(())) => return Some(None),
            None => match general(trimmed, order) {
                Some(parsed) => parsed,
                None => return Some(None),
            },
        };
        Some(finish(civil, stated, trimmed, zone, zone_name).ok())
    }
}

/// Up to nine fraction digits as nanoseconds (further digits are read and
/// dropped); `None` when there is no digit.
fn fraction(bytes: &[u8]) -> Option<(u32, usize)> {
    let len = bytes.iter().position(|b| !b.is_ascii_digit()).unwrap_or(bytes.len());
    if len == 0 {
        return None;
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        nanos = nanos * 10 + bytes.get(i).filter(|_| i < len).map_or(0, |d| u32::from(d - b'0'));
    }
    Some((nanos, len))
}

/// A byte cursor for the general parser.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Cursor<'a> {
        Cursor { s: s.as_bytes(), i: 0 }
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Skips ASCII whitespace and the no-break spaces (U+00A0, U+202F) that
    /// macOS and ICU put before AM/PM.
    fn spaces(&mut self) -> bool {
        let start = self.i;
        loop {
            let rest = &self.s[self.i..];
            if rest.first().is_some_and(u8::is_ascii_whitespace) {
                self.i += 1;
            } else if rest.starts_with("\u{a0}".as_bytes()) {
                self.i += 2;
            } else if rest.starts_with("\u{202f}".as_bytes()) {
                self.i += 3;
            } else {
                return self.i > start;
            }
        }
    }

    /// One to `max` digits.
    fn number(&mut self, max: usize) -> Option<(u32, usize)> {
        let start = self.i;
        let mut value = 0u32;
        while self.i - start < max {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(d - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        let len = self.i - start;
        // A longer digit run than allowed is not this field.
        if len == 0 || self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i = start;
            return None;
        }
        Some((value, len))
    }

    /// A run of ASCII letters (and dots inside abbreviations like `a.m.`).
    fn word(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic() || (b == b'.' && self.i > start))
        {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    /// `+HH`, `+HHMM` or `+HH:MM` (also `-`) as seconds east of UTC.
    fn offset(&mut self) -> Option<i32> {
        let start = self.i;
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        self.i += 1;
        let (hours, minutes) = match self.number(4) {
            Some((v, 4)) => (v / 100, v % 100),
            Some((v, 1 | 2)) => {
                let minutes = if self.eat(b':') {
                    match self.number(2) {
                        Some((m, 2)) => m,
                        _ => {
                            self.i = start;
                            return None;
                        }
                    }
                } else {
                    0
                };
                (v, minutes)
            }
            _ => {
                self.i = start;
                return None;
            }
        };
        if hours > 25 || minutes > 59 {
            self.i = start;
            return None;
        }
        Some(sign * (hours as i32 * 3600 + minutes as i32 * 60))
    }

    /// An optional zone at the end: `Z`, `UTC`, `GMT` (optionally followed
    /// by an offset) or an offset, after optional whitespace. `None` when
    /// something else follows.
    fn zone_suffix(&mut self) -> Option<Stated> {
        self.spaces();
        if self.at_end() {
            return Some(Stated::Naive);
        }
        if self.peek() == Some(b'+') || self.peek() == Some(b'-') {
            return self.offset().map(Stated::Offset);
        }
        let word = self.word();
        if word.eq_ignore_ascii_case(b"z") {
            return Some(Stated::Utc);
        }
        if word.eq_ignore_ascii_case(b"utc") || word.eq_ignore_ascii_case(b"gmt") {
            if matches!(self.peek(), Some(b'+' | b'-')) {
                return self.offset().map(Stated::Offset);
            }
            return Some(Stated::Utc);
        }
        None
    }

    /// `H:MM[:SS[.fff]] [AM|PM]`.
    fn time(&mut self, civil: &mut Civil) -> Option<()> {
        let (hour, _) = self.number(2)?;
        if !self.eat(b':') {
            return None;
        }
        civil.minute = match self.number(2)? {
            (m, 2) => m,
            _ => return None,
        };
        if self.eat(b':') {
            civil.second = match self.number(2)? {
                (s, 2) => s,
                _ => return None,
            };
            if self.peek() == Some(b'.') || self.peek() == Some(b',') {
                let (nanos, used) = fraction(&self.s[self.i + 1..])?;
                civil.nanos = nanos;
                self.i += 1 + used;
            }
        }
        let before_meridiem = self.i;
        self.spaces();
        civil.hour = match meridiem(self.word()) {
            Some(false) if (1..=12).contains(&hour) => hour % 12,
            Some(true) if (1..=12).contains(&hour) => hour % 12 + 12,
            Some(_) => return None,
            None => {
                self.i = before_meridiem;
                hour
            }
        };
        Some(())
    }
}

/// `Some(true)` for PM, `Some(false)` for AM (any case, dots ignored as in
/// `p.m.`). Checked in place: this runs for every candidate time text, most
/// of which are not times at all.
fn meridiem(word: &[u8]) -> Option<bool> {
    let mut letters = [0u8; 2];
    let mut count = 0;
    for &b in word.iter().filter(|&&b| b != b'.') {
        *letters.get_mut(count)? = b.to_ascii_lowercase();
        count += 1;
    }
    match (count, letters) {
        (2, [b'a', b'm']) => Some(false),
        (2, [b'p', b'm']) => Some(true),
        _ => None,
    }
}

fn month_from_name(word: &[u8]) -> Option<u32> {
    let word = word.strip_suffix(b".").unwrap_or(word);
    // No month name is longer than nine letters; the bound lets the
    // lowercase copy live on the stack.
    if word.len() < 3 || word.len() > 9 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let mut buf = [0u8; 9];
    let lower = &mut buf[..word.len()];
    lower.copy_from_slice(word);
    lower.make_ascii_lowercase();
    let lower = &*lower;
    if lower == b"sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| {
            let m = m.as_bytes();
            lower.len() <= m.len()
                && (lower.len() == 3 || lower.len() == m.len())
                && m.starts_with(lower)
        })
        .map(|i| i as u32 + 1)
}

fn is_weekday(word: &[u8]) -> bool {
    const DAYS: [&str; 18] = [
        "mon",
        "monday",
        "tue",
        "tues",
        "tuesday",
        "wed",
        "wednesday",
        "thu",
        "thur",
        "thurs",
        "thursday",
        "fri",
        "friday",
        "sat",
        "saturday",
        "sun",
        "sunday",
        "weds",
    ];
    let word = word.strip_suffix(b".").unwrap_or(word);
    DAYS.iter().any(|d| d.as_bytes().eq_ignore_ascii_case(word))
}

fn full_year(value: u32, len: usize) -> Option<i32> {
    match len {
        4 => i32::try_from(value).ok(),
        2 if value >= 69 => Some(1900 + value as i32),
        2 => Some(2000 + value as i32),
        _ => None,
    }
}

/// Everything the fast path does not take: slash/dot dates, month names,
/// weekday prefixes, 12-hour clocks, `at`, zone words.
fn general(text: &str, order: Option<DateOrder>) -> Option<(Civil, Stated)> {
    let mut cur = Cursor::new(text);
    let mut civil = Civil::default();

    // An optional weekday: `Sat, 13 Jun 2015`, `Saturday June 13, 2015`.
    let save = cur.i;
    if is_weekday(cur.word()) {
        cur.eat(b',');
        cur.spaces();
    } else {
        cur.i = save;
    }

    if cur.peek()?.is_ascii_digit() {
        let (first, first_len) = cur.number(4)?;
        let sep = cur.peek()?;
        if first_len == 4 && matches!(sep, b'-' | b'/' | b'.') {
            // Year first: 2015/06/13, 2015.06.13, 2015-06-13 2:30 PM.
            cur.i += 1;
            civil.year = i32::try_from(first).ok()?;
            civil.month = cur.number(2)?.0;
            if !cur.eat(sep) {
                return None;
            }
            civil.day = cur.number(2)?.0;
        } else if first_len <= 2
            && matches!(sep, b'/' | b'-' | b'.')
            && cur.s.get(cur.i + 1).is_some_and(u8::is_ascii_digit)
        {
            cur.i += 1;
            let (second, _) = cur.number(2)?;
            if !cur.eat(sep) {
                return None;
            }
            let (year, year_len) = cur.number(4)?;
            civil.year = full_year(year, year_len)?;
            let default = if sep == b'.' { DateOrder::DayFirst } else { DateOrder::MonthFirst };
            let day_first = if first > 12 {
                true
            } else if second > 12 {
                false
            } else {
                order.unwrap_or(default) == DateOrder::DayFirst
            };
            (civil.day, civil.month) = if day_first { (first, second) } else { (second, first) };
        } else if first_len <= 2 {
            // Day before a month name: 13 Jun 2015, 13-Jun-2015, 13. Juni is
            // not English and not accepted.
            civil.day = first;
            if !cur.eat(b'-') {
                cur.spaces();
            }
            civil.month = month_from_name(cur.word())?;
            if !cur.eat(b'-') {
                cur.eat(b',');
                cur.spaces();
            }
            let (year, year_len) = cur.number(4)?;
            civil.year = full_year(year, year_len)?;
        } else {
            return None;
        }
    } else {
        // Month name first: Jun 13, 2015 / June 13th 2015.
        civil.month = month_from_name(cur.word())?;
        cur.spaces();
        civil.day = cur.number(2)?.0;
        let save = cur.i;
        let suffix = cur.word();
        if ![b"st", b"nd", b"rd", b"th"].iter().any(|s| suffix.eq_ignore_ascii_case(*s)) {
            cur.i = save;
        }
        cur.eat(b',');
        cur.spaces();
        civil.year = i32::try_from(cur.number(4).filter(|&(_, len)| len == 4)?.0).ok()?;
    }

    // Between date and time: `,`, `at`, `T`, `-` or plain spaces.
    let save = cur.i;
    let spaced = cur.spaces();
    let mut joined = cur.eat(b',') || (!spaced && (cur.eat(b'T') || cur.eat(b't')));
    cur.spaces();
    let save_word = cur.i;
    if cur.word().eq_ignore_ascii_case(b"at") && cur.spaces() {
        joined = true;
    } else {
        cur.i = save_word;
    }
    if cur.peek().is_some_and(|b| b.is_ascii_digit()) && (spaced || joined) {
        cur.time(&mut civil)?;
    } else {
        cur.i = save;
    }

    let stated = cur.zone_suffix()?;
    cur.spaces();
    cur.at_end().then_some((civil, stated))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Texts that start like an ISO date and time and go on with what a
    /// line template's `{ts}` candidates go on with.
    fn iso_like() -> impl Strategy<Value = String> {
        let part = prop::sample::select(vec![
            "2020", "0000", "9999", "-", "03", "13", "00", "29", "31", " ", "T", "t", ":", "40",
            "60", "59", ".", ",", "5", "123", " Z", "z", " UTC", "gmt", "+02:00", "-0530", "+2",
            " PM", "am", "p.m.", " bob:", "x", "\u{a0}", "\u{202f}", "\t", "é", "utc+99",
        ]);
        prop::collection::vec(part, 0..16).prop_map(|parts| {
            let tail: String = parts.concat();
            format!("2020-03-02 10:13{tail}")
        })
    }

    proptest! {
        /// Every trimmed prefix of a text that [`IsoHead`] answers for gets
        /// [`try_parse`]'s answer.
        #[test]
        fn iso_head_agrees_with_try_parse(
            text in iso_like(),
            order in prop::sample::select(vec![None, Some(DateOrder::DayFirst)]),
            zone in prop::sample::select(vec!["UTC", "Europe/Berlin"]),
        ) {
            let tz = parse_zone(zone).map_err(TestCaseError::fail)?;
            let name: Arc<str> = Arc::from(zone);
            let start = text.trim_start();
            let Some(head) = IsoHead::read(start) else { return Ok(()) };
            for end in (1..=start.len()).filter(|&k| start.is_char_boundary(k)) {
                let trimmed = start[..end].trim();
                if let Some(fast) = head.try_parse(trimmed, &tz, &name, order) {
                    prop_assert_eq!(fast, try_parse(trimmed, &tz, &name, order), "{:?}", trimmed);
                }
            }
        }
    }

    proptest! {
        /// The arithmetic gives jiff's instant whenever it answers, and
        /// answers for every valid time from 1970 on.
        #[test]
        fn arithmetic_agrees_with_jiff(
            year in -10_000i32..10_000,
            month in 0u32..14,
            day in 0u32..33,
            hour in 0u32..25,
            minute in 0u32..61,
            second in 0u32..62,
            nanos in prop::sample::select(vec![0u32, 1, 999_999, 1_000_000, 500_000_000, 999_999_999, 1_000_000_000]),
            offset in -95_000i32..95_000,
        ) {
            let civil = Civil { year, month, day, hour, minute, second, nanos };
            let by_jiff = civil_datetime(&civil).ok().and_then(|dt| {
                let offset = Offset::from_seconds(offset).ok()?;
                offset.to_timestamp(dt).ok().map(|t| t.as_millisecond())
            });
            match utc_ms_by_arithmetic(&civil, offset) {
                Some(ms) => prop_assert_eq!(Some(ms), by_jiff, "{:?} at {}", civil, offset),
                None => prop_assert!(
                    by_jiff.is_none_or(|ms| ms < 1000 || year.abs() >= 9999 || offset.abs() > 25 * 3600),
                    "{:?} at {}: jiff reads {:?}", civil, offset, by_jiff
                ),
            }
        }
    }

    #[test]
    fn arithmetic_covers_the_years_transcripts_use() {
        for (text, expect) in [
            ("1970-01-01T00:00:00Z", 0),
            ("2000-02-29T12:00:00Z", 951_825_600_000),
            ("2016-12-31T23:59:60.999Z", 1_483_228_799_999),
            ("2024-03-01T00:00:00+01:00", 1_709_247_600_000),
        ] {
            let (civil, stated) = match iso_fast(text.as_bytes()) {
                Iso::Parsed(civil, stated) => (civil, stated),
                _ => panic!("{text} is ISO"),
            };
            let offset = match stated {
                Stated::Offset(seconds) => seconds,
                _ => 0,
            };
            assert_eq!(utc_ms_by_arithmetic(&civil, offset), Some(expect), "{text}");
            assert_eq!(utc_ms(text), expect, "{text}");
        }
    }

    #[test]
    fn iso_refusals_are_refused_by_the_general_parser_too() {
        let mut refused = 0;
        for text in [
            "2020-03-02 10:13:40 professor:",
            "2020-03-02 10:13:40 professor: hello. note:",
            "2020-03-02T10:13 bob",
            "2020-03-02 10:13:40.5 x",
            "2020-03-02 10:13:401",
            "2020-03-02 10:133",
            "2020-03-02 10:13:40 UTC+99",
            "2020-03-02 10:13:40 (x)",
            "2020-03-02 10:13:40 z x",
            "2020-03-02 10:13:40 PM",
            "2020-03-02 10:13:40 p.m.",
            "2020-03-02 1:13:40 x",
            "2020-03-02 10:13:4 x",
            "2020-03-02 10:13:40\u{a0}am",
        ] {
            if let Iso::Refused = iso_fast(text.as_bytes()) {
                refused += 1;
                assert!(general(text, None).is_none(), "{text}");
                assert!(general(text, Some(DateOrder::DayFirst)).is_none(), "{text}");
            }
        }
        assert!(refused >= 6);
    }

    /// The expected instant, written as RFC 3339 for readability.
    fn utc_ms(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().map(|t| t.as_millisecond()).unwrap_or(i64::MIN)
    }

    fn ny() -> TimeZone {
        parse_zone("America/New_York").unwrap_or(TimeZone::UTC)
    }

    fn parse(text: &str) -> Timestamp {
        match parse_timestamp(text, &ny(), &"America/New_York".into()) {
            Ok(ts) => ts,
            Err(e) => panic!("`{text}` should parse: {e}"),
        }
    }

    fn naive(text: &str, expect_utc: &str) {
        let ts = parse(text);
        assert_eq!(ts.utc_ms, utc_ms(expect_utc), "{text}");
        assert_eq!(ts.basis, TimeBasis::AssertedZone, "{text}");
        assert_eq!(ts.zone.as_deref(), Some("America/New_York"), "{text}");
        assert_eq!(ts.original, text.trim(), "{text}");
    }

    #[test]
    fn iso_with_z_is_utc() {
        let ts = parse("2016-10-07T14:30:05Z");
        assert_eq!(ts.utc_ms, utc_ms("2016-10-07T14:30:05Z"));
        assert_eq!(ts.basis, TimeBasis::Utc);
        assert_eq!(ts.zone, None);
        assert_eq!(parse("2016-10-07T14:30:05.123Z").utc_ms, utc_ms("2016-10-07T14:30:05.123Z"));
        assert_eq!(parse("2016-10-07 14:30:05 UTC").basis, TimeBasis::Utc);
        assert_eq!(parse("2016-10-07t14:30:05z").basis, TimeBasis::Utc);
    }

    #[test]
    fn iso_with_offset_is_local_with_offset() {
        for text in [
            "2016-10-07T16:30:05+02:00",
            "2016-10-07T16:30:05+0200",
            "2016-10-07T16:30:05+02",
            "2016-10-07 16:30:05 +02:00",
            "2016-10-07T09:30:05-05:00",
        ] {
            let ts = parse(text);
            assert_eq!(ts.utc_ms, utc_ms("2016-10-07T14:30:05Z"), "{text}");
            assert_eq!(ts.basis, TimeBasis::LocalWithOffset, "{text}");
            assert_eq!(ts.zone, None);
        }
        assert_eq!(parse("2016-10-07T14:30:05+00:00").basis, TimeBasis::LocalWithOffset);
    }

    #[test]
    fn naive_iso_uses_the_asserted_zone() {
        // October: EDT, UTC-4.
        naive("2016-10-07 14:30", "2016-10-07T18:30:00Z");
        naive("2016-10-07T14:30:05.123456", "2016-10-07T18:30:05.123Z");
        naive("2016-10-07 14:30:05", "2016-10-07T18:30:05Z");
        naive("  2016-10-07 14:30:05\t", "2016-10-07T18:30:05Z");
        naive("2016-10-07 14:30:05,5", "2016-10-07T18:30:05.5Z");
        // January: EST, UTC-5.
        naive("2017-01-07 14:30:05", "2017-01-07T19:30:05Z");
        naive("2015-06-13", "2015-06-13T04:00:00Z");
        naive("2015/06/13", "2015-06-13T04:00:00Z");
        naive("2015/06/13 14:30", "2015-06-13T18:30:00Z");
    }

    #[test]
    fn naive_in_utc_zone_records_the_zone_name() {
        let ts = parse_timestamp("2016-10-07 14:30", &TimeZone::UTC, &"UTC".into())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ts.utc_ms, utc_ms("2016-10-07T14:30:00Z"));
        assert_eq!(ts.basis, TimeBasis::AssertedZone);
        assert_eq!(ts.zone.as_deref(), Some("UTC"));
    }

    #[test]
    fn dst_gap_moves_forward_and_fold_takes_the_earlier_offset() {
        // 2016-03-13 02:30 does not exist in New York: compatible → 03:30 EDT.
        naive("2016-03-13 02:30", "2016-03-13T07:30:00Z");
        // Either side of the gap.
        naive("2016-03-13 01:59:59", "2016-03-13T06:59:59Z");
        naive("2016-03-13 03:00", "2016-03-13T07:00:00Z");
        // 2016-11-06 01:30 happens twice: compatible → the first (EDT).
        naive("2016-11-06 01:30", "2016-11-06T05:30:00Z");
        naive("2016-11-06 02:00", "2016-11-06T07:00:00Z");
        naive("2016-11-06 00:59", "2016-11-06T04:59:00Z");
    }

    #[test]
    fn epochs_are_utc() {
        let ts = parse("1465828200");
        assert_eq!(ts.utc_ms, 1_465_828_200_000);
        assert_eq!(ts.basis, TimeBasis::Utc);
        assert_eq!(parse("1465828200.5").utc_ms, 1_465_828_200_500);
        assert_eq!(parse("1458208082.000002").utc_ms, 1_458_208_082_000);
        assert_eq!(parse("1465828200123").utc_ms, 1_465_828_200_123);
        assert_eq!(parse(" 1465828200123 ").original, "1465828200123");
        assert!(parse_timestamp("12345", &TimeZone::UTC, &"UTC".into()).is_err());
        assert!(parse_timestamp("14658282001", &TimeZone::UTC, &"UTC".into()).is_err());
    }

    #[test]
    fn slash_dates_pick_the_order() {
        // June: EDT.
        naive("06/13/2015 14:30", "2015-06-13T18:30:00Z");
        naive("13/06/2015 14:30", "2015-06-13T18:30:00Z");
        // Ambiguous: month first by default.
        naive("05/06/2015 14:30", "2015-05-06T18:30:00Z");
        naive("5/6/2015", "2015-05-06T04:00:00Z");
        naive("6/13/15 2:30 PM", "2015-06-13T18:30:00Z");
        naive("05-06-2015 14:30", "2015-05-06T18:30:00Z");
        // Dotted dates are day first.
        naive("05.06.2015 14:30", "2015-06-05T18:30:00Z");
        naive("13.06.2015, 14:30:05", "2015-06-13T18:30:05Z");
        // An explicit order decides ambiguous dates only.
        let ny = ny();
        let day_first = |t: &str| {
            parse_timestamp_with(t, &ny, &"America/New_York".into(), DateOrder::DayFirst)
                .map(|ts| ts.utc_ms)
                .unwrap_or(i64::MIN)
        };
        assert_eq!(day_first("05/06/2015 14:30"), utc_ms("2015-06-05T18:30:00Z"));
        assert_eq!(day_first("06/13/2015 14:30"), utc_ms("2015-06-13T18:30:00Z"));
    }

    #[test]
    fn human_forms() {
        naive("Jun 13, 2015 2:30 PM", "2015-06-13T18:30:00Z");
        naive("June 13, 2015 at 2:30:05 PM", "2015-06-13T18:30:05Z");
        naive("13 Jun 2015 14:30", "2015-06-13T18:30:00Z");
        naive("13-Jun-2015 14:30", "2015-06-13T18:30:00Z");
        naive("Saturday, June 13, 2015 2:30 pm", "2015-06-13T18:30:00Z");
        naive("Jun 13th, 2015, 2:30 a.m.", "2015-06-13T06:30:00Z");
        naive("Sept 13, 2015 12:00 AM", "2015-09-13T04:00:00Z");
        naive("Jun 13, 2015 12:15 PM", "2015-06-13T16:15:00Z");
        // imessage-exporter's double space and macOS's narrow no-break space.
        naive("May 17, 2022  5:29:42 PM", "2022-05-17T21:29:42Z");
        naive("May 17, 2022 5:29:42\u{202f}PM", "2022-05-17T21:29:42Z");
        naive("Jun 13, 2015", "2015-06-13T04:00:00Z");
        let rfc2822 = parse("Sat, 13 Jun 2015 14:30:00 +0000");
        assert_eq!(rfc2822.utc_ms, utc_ms("2015-06-13T14:30:00Z"));
        assert_eq!(rfc2822.basis, TimeBasis::LocalWithOffset);
        assert_eq!(parse("Jun 13, 2015 2:30 PM GMT").basis, TimeBasis::Utc);
        assert_eq!(parse("13/06/2015 14:30 UTC+02:00").utc_ms, utc_ms("2015-06-13T12:30:00Z"));
    }

    #[test]
    fn leap_second_is_clamped_and_original_kept() {
        let ts = parse("2016-12-31T23:59:60Z");
        assert_eq!(ts.utc_ms, utc_ms("2016-12-31T23:59:59Z"));
        assert_eq!(ts.original, "2016-12-31T23:59:60Z");
    }

    #[test]
    fn rejects_garbage_and_impossible_dates() {
        let zone = TimeZone::UTC;
        for text in [
            "",
            "   ",
            "yesterday",
            "2016-13-07 14:30",
            "2016-02-30",
            "2016-10-07 25:00",
            "2016-10-07 14:30 EST",
            "2016-10-07 14:30 trailing",
            "13/13/2015",
            "Jun 13 2015 13:30 PM",
            "Foo 13, 2015",
            "2016-10-07T14",
            "1:30",
            "2016-10-07 14:30+99:00",
            "\u{fffd}\u{fffd}",
        ] {
            assert!(
                parse_timestamp(text, &zone, &"UTC".into()).is_err(),
                "`{text}` should not parse"
            );
        }
        let err = parse_timestamp("yesterday", &zone, &"UTC".into()).err().unwrap_or_default();
        assert!(err.contains("2016-10-07"), "{err}");
    }

    #[test]
    fn zones() {
        assert!(parse_zone("America/New_York").is_ok());
        assert!(parse_zone("Europe/Berlin").is_ok());
        assert_eq!(parse_zone("UTC").ok(), Some(TimeZone::UTC));
        assert_eq!(parse_zone("utc").ok(), Some(TimeZone::UTC));
        let plus2 = parse_zone("+02:00").unwrap_or(TimeZone::UTC);
        let ts = parse_timestamp("2016-10-07 14:30", &plus2, &"+02:00".into())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ts.utc_ms, utc_ms("2016-10-07T12:30:00Z"));
        assert!(parse_zone("-0530").is_ok());
        assert!(parse_zone("UTC+5").is_ok());
        let err = parse_zone("Mars/Olympus").err().unwrap_or_default();
        assert!(err.contains("America/New_York") && err.contains("+02:00"), "{err}");
        assert!(parse_zone("+2:3").is_err());
    }
}
