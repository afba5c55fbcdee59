//! The reading options recorded with each source, and what a re-ingest
//! with other options is told.
//!
//! A record's key derives from its content, time included, so the same
//! file read with another `--tz` or `--map` gives other keys: its records
//! would all be stored a second time. Each source therefore records the
//! options that decide what records come out of it, as a canonical string
//! (JSON, keys sorted, options at their default left out), and a run that
//! meets the same bytes recorded under other options stops unless told
//! `--again` or `--replace` ([`Reingest`]).
//!
//! Recorded: the reader, `--tz` (its IANA name where it has one; `UTC`
//! when none was given, which is what readers assume), `--map` (as parsed,
//! so aliases compare equal), `--date-order`, `--event-sender` (a set),
//! `--template` (in order: the first that matches wins), `--ts-format`,
//! `--separator`, `--translation-of` (as given) and `--lang`. Not recorded:
//! limits (`--max-record-bytes`, `--max-conversation-bytes`), `--strict`,
//! `--label`, `--copy-media` and `--accept-skips`, which decide whether a
//! record is kept or where, not what it says. trove does not know which
//! options a reader reads; any difference counts.

use std::collections::BTreeMap;

use serde_json::Value;
use trove_readers::timefmt::DateOrder;
use trove_store::EarlierReading;

use crate::IngestOptions;

/// What to do with a source the case holds from an earlier run, read then
/// with other options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reingest {
    /// Stop the run, naming the difference (the default). Sources whose
    /// options are unknown (ingested before they were recorded) compare
    /// with nothing and are read as before.
    #[default]
    Refuse,
    /// Read it anyway: its records are stored again wherever the new
    /// reading gives them new keys, and the source is recorded again with
    /// the new options (`--again`).
    Again,
    /// Remove every earlier reading of these bytes, whatever its options,
    /// and store the new one, in the same transaction (`--replace`).
    Replace,
}

impl IngestOptions {
    /// The canonical string of the options that decide what records come
    /// out of an input read by `format` (see the module documentation):
    /// equal options give equal strings.
    pub fn reading_options(&self, format: &str) -> String {
        let read = &self.read;
        let mut options: BTreeMap<&str, Value> = BTreeMap::new();
        options.insert("format", format.into());
        let tz = read.tz.as_ref().and_then(|tz| tz.iana_name()).or(read.tz_name.as_deref());
        options.insert("tz", tz.unwrap_or("UTC").into());
        let map = [
            ("text", &read.map.text),
            ("sent_at", &read.map.sent_at),
            ("sender", &read.map.sender),
            ("sender_id", &read.map.sender_id),
            ("conversation", &read.map.conversation),
            ("id", &read.map.id),
            ("reply_to", &read.map.reply_to),
        ]
        .iter()
        .filter_map(|(field, column)| column.as_ref().map(|c| format!("{field}={c}")))
        .collect::<Vec<_>>()
        .join(",");
        if !map.is_empty() {
            options.insert("map", map.into());
        }
        if let Some(order) = read.date_order {
            let order = match order {
                DateOrder::DayFirst => "day-first",
                DateOrder::MonthFirst => "month-first",
            };
            options.insert("date-order", order.into());
        }
        if !read.event_senders.is_empty() {
            let mut senders = read.event_senders.clone();
            senders.sort();
            senders.dedup();
            options.insert("event-sender", senders.into());
        }
        if !read.templates.is_empty() {
            options.insert("template", read.templates.clone().into());
        }
        if let Some(format) = &read.ts_format {
            options.insert("ts-format", format.as_str().into());
        }
        if let Some(separator) = &read.separator {
            options.insert("separator", separator.as_str().into());
        }
        if let Some(of) = &self.translation {
            options.insert("translation-of", of.source.as_str().into());
            options.insert("lang", of.lang.as_str().into());
        }
        // A map of strings and arrays of strings always serialises.
        serde_json::to_string(&options).unwrap_or_default()
    }
}

/// The earlier readings of a file that stop a run reading it with
/// `options` (unless `--again` or `--replace`): every one whose options are
/// known, when none of them is this very reading. Empty when the run goes
/// on: nothing read before, only readings of unknown options (`''`, from
/// before options were recorded: they compare with nothing, and the file
/// is read as it always was), or one with these options (this reading is
/// in the case already; its records come out as duplicates).
pub fn conflicting<'a>(earlier: &'a [EarlierReading], options: &str) -> Vec<&'a EarlierReading> {
    let known: Vec<&EarlierReading> = earlier.iter().filter(|e| !e.options.is_empty()).collect();
    if known.iter().any(|e| e.options == options) {
        return Vec::new();
    }
    known
}

/// The options of a canonical string, by flag; `None` when the string is
/// not one (unknown options, `''`, or damaged).
fn parse(options: &str) -> Option<BTreeMap<String, Value>> {
    serde_json::from_str(options).ok()
}

/// A value as typed on the command line, quoted when a shell would need it.
fn shell_word(value: &str) -> String {
    let plain =
        !value.is_empty() && value.chars().all(|c| c.is_alphanumeric() || "-_=,./:+@%".contains(c));
    if plain { value.to_string() } else { format!("'{}'", value.replace('\'', r"'\''")) }
}

/// `--flag value` (once per value of a repeated flag), or `no --flag`.
fn flag(name: &str, value: Option<&Value>) -> String {
    let values: Vec<&str> = match value {
        None => return format!("no --{name}"),
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_str).collect(),
        Some(value) => value.as_str().into_iter().collect(),
    };
    values.iter().map(|v| format!("--{name} {}", shell_word(v))).collect::<Vec<_>>().join(" ")
}

/// The whole of a canonical string as flags (`--format csv --tz UTC`).
pub fn as_flags(options: &str) -> String {
    match parse(options) {
        Some(map) => {
            map.iter().map(|(name, value)| flag(name, Some(value))).collect::<Vec<_>>().join(" ")
        }
        None if options.is_empty() => "(options unknown)".to_string(),
        None => options.to_string(),
    }
}

/// Where two readings differ, as flags on each side: (`--tz
/// Europe/Berlin`, `--tz UTC`). Options both share are left out.
pub fn differences(earlier: &str, now: &str) -> (String, String) {
    let (Some(earlier_map), Some(now_map)) = (parse(earlier), parse(now)) else {
        return (as_flags(earlier), as_flags(now));
    };
    let mut names: Vec<&String> = earlier_map.keys().chain(now_map.keys()).collect();
    names.sort();
    names.dedup();
    let (mut then, mut again) = (Vec::new(), Vec::new());
    for name in names {
        let (a, b) = (earlier_map.get(name), now_map.get(name));
        if a != b {
            then.push(flag(name, a));
            again.push(flag(name, b));
        }
    }
    (then.join(" "), again.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TranslationOf;
    use trove_readers::{ColumnMap, ReadOptions};

    fn options(tz: Option<&str>, map: &str) -> IngestOptions {
        IngestOptions {
            read: ReadOptions {
                tz: tz.map(|name| jiff::tz::TimeZone::get(name).expect("zone")),
                tz_name: tz.map(str::to_string),
                map: ColumnMap::parse(map).expect("map"),
                ..ReadOptions::default()
            },
            ..IngestOptions::default()
        }
    }

    #[test]
    fn equal_readings_give_equal_strings_whatever_the_spelling() {
        let plain = options(None, "text=body,sent_at=ts");
        assert_eq!(
            plain.reading_options("csv"),
            r#"{"format":"csv","map":"text=body,sent_at=ts","tz":"UTC"}"#
        );
        assert_eq!(
            options(Some("UTC"), "ts=ts, body=body").reading_options("csv"),
            plain.reading_options("csv"),
            "UTC asserted is what no zone means; aliases and order of --map do not matter"
        );
        let mut senders = options(None, "");
        senders.read.event_senders = vec!["system".into(), "bot".into(), "system".into()];
        let mut reordered = options(None, "");
        reordered.read.event_senders = vec!["bot".into(), "system".into()];
        assert_eq!(senders.reading_options("csv"), reordered.reading_options("csv"));
        assert_ne!(plain.reading_options("csv"), plain.reading_options("jsonl"));
    }

    #[test]
    fn every_option_that_changes_the_records_is_in_the_string() {
        let mut all = options(Some("Europe/Berlin"), "text=t");
        all.read.date_order = Some(DateOrder::DayFirst);
        all.read.templates = vec!["[{ts}] {sender}: {text}".into()];
        all.read.ts_format = Some("%d.%m.%Y %H:%M".into());
        all.read.separator = Some("----".into());
        all.translation = Some(TranslationOf { source: "ru.csv".into(), lang: "en".into() });
        let string = all.reading_options("template");
        for flag in ["date-order", "template", "ts-format", "separator", "translation-of", "lang"] {
            assert!(string.contains(&format!("\"{flag}\"")), "{flag} missing from {string}");
        }
        assert_eq!(
            as_flags(&string),
            "--date-order day-first --format template --lang en --map text=t \
             --separator ---- --template '[{ts}] {sender}: {text}' --translation-of ru.csv \
             --ts-format '%d.%m.%Y %H:%M' --tz Europe/Berlin"
        );
        // Limits and where records go are not part of the reading.
        let mut limits = options(Some("Europe/Berlin"), "text=t");
        limits.read.max_record_bytes = 10;
        limits.read.strict = true;
        limits.label = Some("x".into());
        limits.accept_skips = true;
        assert_eq!(
            limits.reading_options("csv"),
            options(Some("Europe/Berlin"), "text=t").reading_options("csv")
        );
    }

    #[test]
    fn only_known_options_that_all_differ_stop_a_run() {
        let reading = |row: i64, options: &str| EarlierReading {
            row,
            path: "a.csv".into(),
            ingested_at: "2026-01-01T00:00:00Z".into(),
            options: options.into(),
        };
        let berlin = options(Some("Europe/Berlin"), "").reading_options("csv");
        let utc = options(None, "").reading_options("csv");
        assert!(conflicting(&[], &utc).is_empty(), "never read");
        assert!(conflicting(&[reading(1, "")], &utc).is_empty(), "unknown compares with nothing");
        assert!(conflicting(&[reading(1, &utc)], &utc).is_empty(), "the same reading");
        let earlier = [reading(1, ""), reading(2, &berlin), reading(3, &utc)];
        assert!(conflicting(&earlier, &utc).is_empty(), "read with these options among others");
        let tokyo = options(Some("Asia/Tokyo"), "").reading_options("csv");
        let rows: Vec<i64> = conflicting(&earlier, &tokyo).iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![2, 3], "every known reading is named");
    }

    #[test]
    fn differences_name_only_the_options_that_differ() {
        let berlin = options(Some("Europe/Berlin"), "text=text").reading_options("csv");
        let utc = options(None, "text=text").reading_options("csv");
        assert_eq!(differences(&berlin, &utc), ("--tz Europe/Berlin".into(), "--tz UTC".into()));
        let mut with_senders = options(None, "text=text");
        with_senders.read.event_senders = vec!["system".into()];
        assert_eq!(
            differences(&utc, &with_senders.reading_options("csv")),
            ("no --event-sender".into(), "--event-sender system".into())
        );
        assert_eq!(differences("", &utc), ("(options unknown)".into(), as_flags(&utc)));
    }
}
