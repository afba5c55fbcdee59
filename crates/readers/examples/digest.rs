//! Prints one line per (reader, options, input) with a SHA-256 of
//! everything the reader produced (records, skips, accounts, the error), so
//! that a speed change can be held to byte-identical output by diffing two
//! runs' outputs.
//!
//! ```text
//! cargo run --release -p trove-readers --example digest -- FORMAT PATH...
//! ```
//!
//! FORMAT is `template`, `whatsapp` or `signal`. Each PATH is a file or
//! folder read as one input, or with `--each DIR` every file in DIR (a fuzz
//! corpus, read as the fuzz target does). Every input is read under several
//! option sets (date order, zone, and for templates the template, separator
//! and `--ts-format`); with `--plain` only under the benchmark's options.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use trove_model::{AccountRef, Record};
use trove_readers::timefmt::{DateOrder, parse_zone};
use trove_readers::{Input, ReadOptions, Sink, Skip, Stop, detect_named};

/// Hashes what a reader produces as it comes, so grown inputs need no
/// memory.
#[derive(Default)]
struct HashSink {
    hash: Sha256,
    records: u64,
    skips: u64,
}

impl Sink for HashSink {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        self.records += 1;
        self.hash.update(format!("R{record:?}\n"));
        Ok(())
    }
    fn skip(&mut self, skip: Skip) {
        self.skips += 1;
        self.hash.update(format!("S{skip:?}\n"));
    }
    fn account(&mut self, account: AccountRef) {
        self.hash.update(format!("A{account:?}\n"));
    }
}

fn option_sets(format: &str) -> Vec<(String, ReadOptions)> {
    let zones = ["UTC", "Europe/Berlin", "America/New_York"];
    let orders = [None, Some(DateOrder::DayFirst), Some(DateOrder::MonthFirst)];
    let mut sets = Vec::new();
    for zone in zones {
        for order in orders {
            let base = ReadOptions {
                tz: Some(parse_zone(zone).unwrap_or(jiff::tz::TimeZone::UTC)),
                tz_name: Some(zone.to_string()),
                date_order: order,
                max_record_bytes: 1 << 20,
                ..ReadOptions::default()
            };
            if format != "template" {
                sets.push((format!("{zone} {order:?}"), base));
                continue;
            }
            let plain = ReadOptions { templates: vec!["{ts} {sender}: {text}".into()], ..base };
            if zone != "UTC" || order.is_some() {
                sets.push((format!("{zone} {order:?} plain"), plain));
                continue;
            }
            let templates = [
                "[{ts}] {sender}: {text}",
                "{ts} {sender}: {text}",
                "{ts} <{sender}> {text}",
                "{ts} - {conversation} - {sender}: {text}",
            ];
            for template in templates {
                for ts_format in [None, Some("%Y-%m-%d %H:%M:%S"), Some("%d.%m.%Y %H:%M")] {
                    for separator in [None, Some("--------------------")] {
                        let options = ReadOptions {
                            templates: vec![template.to_string()],
                            ts_format: ts_format.map(str::to_string),
                            separator: separator.map(str::to_string),
                            ..plain.clone()
                        };
                        sets.push((
                            format!("{zone} {order:?} {template} {ts_format:?} {separator:?}"),
                            options,
                        ));
                    }
                }
            }
        }
    }
    sets
}

fn digest(format: &str, path: &Path, options: &ReadOptions) -> String {
    let Some(reader) = detect_named(format) else { return "no such reader".into() };
    let mut sink = HashSink::default();
    let outcome = Input::open(path).and_then(|input| reader.read(&input, options, &mut sink));
    let hash = sink.hash.finalize();
    let mut out = String::new();
    for byte in &hash[..12] {
        let _ = write!(out, "{byte:02x}");
    }
    let _ = write!(out, " {} records {} skips {:?}", sink.records, sink.skips, outcome.err());
    out
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let format = args.next().ok_or("usage: digest FORMAT [--plain] [--each DIR | PATH]...")?;
    let mut plain = false;
    // A fixed folder: its name shows in locators and conversation names.
    let scratch = std::env::temp_dir().join(format!("trove-digest-{format}"));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let mut inputs: Vec<(PathBuf, Option<(String, String)>)> = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--plain" {
            plain = true;
            continue;
        }
        if arg != "--each" {
            inputs.push((PathBuf::from(arg), None));
            continue;
        }
        let dir = args.next().ok_or("--each needs a folder")?;
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).map_err(|e| e.to_string())?;
            // As the fuzz targets read them: signal and whatsapp under a
            // chat name; templates as template line, separator line, body.
            let (name, body, extra) = match format.as_str() {
                "template" => {
                    let mut parts = data.splitn(3, |&b| b == b'\n');
                    let t = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
                    let s = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
                    ("transcript.txt", parts.next().unwrap_or_default().to_vec(), Some((t, s)))
                }
                "signal" => ("chat.md", data, None),
                _ => ("_chat.txt", data, None),
            };
            let stem = file.file_name().map(|n| n.to_string_lossy().into_owned());
            let target = scratch.join(stem.unwrap_or_default());
            std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
            let target = target.join(name);
            std::fs::write(&target, body).map_err(|e| e.to_string())?;
            inputs.push((target, extra));
        }
    }
    for (path, extra) in &inputs {
        let mut sets = option_sets(&format);
        if plain {
            // Only what the benchmark passes, for the big grown inputs.
            let templates: Vec<String> = (format == "template")
                .then(|| "{ts} {sender}: {text}".to_string())
                .into_iter()
                .collect();
            sets = vec![("bench".to_string(), ReadOptions { templates, ..ReadOptions::default() })];
        }
        if let Some((template, separator)) = extra {
            // The corpus's own template and separator, under each zone and
            // order.
            let own: Vec<_> = sets
                .iter()
                .filter(|(label, _)| label.ends_with("plain"))
                .map(|(label, o)| {
                    let options = ReadOptions {
                        templates: vec![template.clone()],
                        separator: Some(separator.clone()),
                        ..o.clone()
                    };
                    (format!("{label} own"), options)
                })
                .collect();
            sets.extend(own);
        }
        for (label, options) in sets {
            println!("{}\t{label}\t{}", path.display(), digest(&format, path, &options));
        }
        if extra.is_some() {
            std::fs::remove_file(path).ok();
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
    Ok(())
}
