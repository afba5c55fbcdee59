//! Reader throughput (`--readers`): each format's reader alone, on one
//! core, over an input of that format grown to about `--reader-mb`
//! megabytes.
//!
//! Inputs are the bundled fixtures of each reader (the real samples where
//! there are some, hand-made ones elsewhere), copied with their folder
//! layout, and one file of each grown by repetition: line formats repeat
//! their body; JSON formats repeat the elements of their message array with
//! ids made unique (a digit id is shifted, any other gets a suffix) so the
//! readers' de-duplication does not drop them. Twitter uses the archive
//! generator instead (its archive spans several files). The figure is bytes
//! of input per second of `Format::read` into a sink that only counts.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;
use trove_readers::{CountingSink, Input, ReadOptions, detect_named};

/// How the grown file is made from the fixture file.
#[derive(Clone, Copy, Debug)]
enum Grow {
    /// Repeat everything after the first `header` lines.
    Lines { header: usize },
    /// Repeat the elements of the array at this JSON pointer ("" for a
    /// top-level array).
    Array(&'static str),
}

/// One reader's input: the fixture folder (relative to the readers'
/// `tests/inputs`), the file in it to grow, and how.
struct Spec {
    format: &'static str,
    root: &'static str,
    file: &'static str,
    grow: Grow,
    /// Read the grown file alone rather than the whole folder (folders of
    /// unrelated or deliberately broken fixtures).
    single: bool,
    options: fn() -> ReadOptions,
}

fn defaults() -> ReadOptions {
    ReadOptions::default()
}

fn nested_jsonl_options() -> ReadOptions {
    ReadOptions {
        map: trove_readers::ColumnMap::parse(
            "text=body,sent_at=ts,sender=u.username,sender_id=u.id,reply_to=reply",
        )
        .unwrap_or_default(),
        ..ReadOptions::default()
    }
}

fn template_options() -> ReadOptions {
    ReadOptions { templates: vec!["{ts} {sender}: {text}".into()], ..ReadOptions::default() }
}

const SPECS: &[Spec] = &[
    Spec {
        format: "telegram",
        root: "telegram/full/DataExport_2023-11-15",
        file: "result.json",
        grow: Grow::Array("/chats/list/0/messages"),
        single: false,
        options: defaults,
    },
    Spec {
        format: "whatsapp",
        root: "whatsapp/pustur-whatsapp-chat-parser-website",
        file: "_chat.txt",
        grow: Grow::Lines { header: 0 },
        single: true,
        options: defaults,
    },
    Spec {
        format: "slack",
        root: "slack/handmade",
        file: "general/2019-03-01.json",
        grow: Grow::Array(""),
        single: false,
        options: defaults,
    },
    Spec {
        format: "discord",
        root: "discord/export",
        file: "Acme Corp - Text Channels - general [700000000000000001].json",
        grow: Grow::Array("/messages"),
        single: false,
        options: defaults,
    },
    Spec {
        format: "messenger",
        root: "messenger/dyi",
        file: "your_facebook_activity/messages/inbox/thegang_9876543210/message_1.json",
        grow: Grow::Array("/messages"),
        single: false,
        options: defaults,
    },
    Spec {
        format: "instagram",
        root: "instagram/dyi",
        file: "your_instagram_activity/messages/inbox/john_17841400000000000/message_1.json",
        grow: Grow::Array("/messages"),
        single: false,
        options: defaults,
    },
    Spec {
        format: "signal",
        root: "signal/signal-export",
        file: "Aya/chat.md",
        grow: Grow::Lines { header: 0 },
        single: true,
        options: defaults,
    },
    Spec {
        format: "rsmf",
        root: "rsmf/relativitydev-rsmf-validator-samples/Sample1",
        file: "rsmf_manifest.json",
        grow: Grow::Array("/events"),
        single: false,
        options: defaults,
    },
    Spec {
        format: "matrix",
        root: "matrix",
        file: "element_export.json",
        grow: Grow::Array("/messages"),
        single: true,
        options: defaults,
    },
    Spec {
        format: "jabber",
        root: "jabber",
        file: "2021-01-29.json",
        grow: Grow::Lines { header: 0 },
        single: true,
        options: defaults,
    },
    Spec {
        format: "rocketchat",
        root: "rocketchat/dump",
        file: "GENERAL/2020-09-24.json",
        grow: Grow::Array("/messages"),
        single: false,
        options: defaults,
    },
    Spec {
        format: "irc",
        root: "irc",
        file: "#ubuntu.2016-05-03.log",
        grow: Grow::Lines { header: 1 },
        single: true,
        options: defaults,
    },
    Spec {
        format: "csv",
        root: "transcript",
        file: "wikileaks_dm.csv",
        grow: Grow::Lines { header: 1 },
        single: true,
        options: defaults,
    },
    Spec {
        format: "jsonl",
        root: "transcript",
        file: "nested.jsonl",
        grow: Grow::Lines { header: 0 },
        single: true,
        options: nested_jsonl_options,
    },
    Spec {
        format: "template",
        root: "template",
        file: "trickbot.log",
        grow: Grow::Lines { header: 0 },
        single: true,
        options: template_options,
    },
];

/// One reader's figures.
#[derive(Clone, Debug)]
pub struct ReaderFigure {
    /// Reader name.
    pub format: String,
    /// Bytes of input read (all files of the input).
    pub bytes: u64,
    /// Records the reader produced.
    pub records: u64,
    /// Records it reported as skipped.
    pub skips: u64,
    /// Wall time of `Format::read`.
    pub seconds: f64,
}

impl ReaderFigure {
    /// Throughput in MB/s (10^6 bytes).
    pub fn mb_per_second(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds.max(1e-9)
    }
}

/// One sample of every reader's format, for a mixed case
/// (`--with-samples`): the real samples and hand-made exports bundled with
/// the readers' tests, each read with detection.
pub const SAMPLES: &[&str] = &[
    "telegram/full/DataExport_2023-11-15",
    "telegram/single/ChatExport_2021-03-02",
    "whatsapp/pustur-whatsapp-chat-parser-website/whatsapp-chat-parser-example.zip",
    "whatsapp/joweich-chat-miner/test_ddmmyy_24hrs.txt",
    "slack/hfaran-slack-export-viewer/testarchive.zip",
    "slack/handmade",
    "discord/export",
    "messenger/dyi",
    "instagram/dyi",
    "signal/signal-export",
    "rsmf/relativitydev-rsmf-validator-samples/Sample3/sample.rsmf",
    "rsmf/handmade/slack-general.rsmf",
    "matrix/element_export.json",
    "jabber/2021-01-29.json",
    "rocketchat/dump",
    "irc/#ubuntu.2016-05-03.log",
    "irc/irc.libera.#rust.weechatlog",
    "transcript/wikileaks_dm.csv",
];

/// [`SAMPLES`] as paths.
pub fn sample_paths() -> Vec<PathBuf> {
    SAMPLES.iter().map(|s| fixtures().join(s)).collect()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../readers/tests/inputs")
}

/// Times every reader over inputs of about `megabytes` MB made in `dir`,
/// plus Twitter over a generated archive of `twitter_messages` messages.
pub fn run(
    dir: &Path,
    megabytes: u64,
    twitter_messages: usize,
    only: Option<&str>,
    keep_inputs: bool,
) -> Result<Vec<ReaderFigure>> {
    let mut figures = Vec::new();
    for spec in SPECS.iter().filter(|s| only.is_none_or(|o| o == s.format)) {
        let root = dir.join(spec.format);
        if root.exists() {
            std::fs::remove_dir_all(&root)
                .with_context(|| format!("clearing {}", root.display()))?;
        }
        copy_dir(&fixtures().join(spec.root), &root)?;
        let file = root.join(spec.file);
        grow(&file, spec.grow, megabytes * 1_000_000)
            .with_context(|| format!("growing {}", file.display()))?;
        eprintln!("[trove-bench] reading {} ({})", spec.format, file.display());
        let input = if spec.single { file } else { root.clone() };
        figures.push(time_reader(spec.format, &input, &(spec.options)())?);
        if !keep_inputs {
            std::fs::remove_dir_all(&root).ok();
        }
    }
    if only.is_some_and(|o| o != "twitter") {
        return Ok(figures);
    }
    let zip = dir.join("twitter-readers.zip");
    trove_testkit::twitter::Builder::new(crate::corpus::SEED)
        .group_messages(twitter_messages * 4 / 5)
        .groups(10)
        .direct_messages(twitter_messages / 5)
        .one_to_one(40)
        .build()
        .write_zip(&zip)
        .with_context(|| format!("writing {}", zip.display()))?;
    eprintln!("[trove-bench] reading twitter ({})", zip.display());
    figures.push(time_reader("twitter", &zip, &ReadOptions::default())?);
    if !keep_inputs {
        std::fs::remove_file(&zip).ok();
    }
    Ok(figures)
}

fn time_reader(format: &str, path: &Path, options: &ReadOptions) -> Result<ReaderFigure> {
    let input = Input::open(path).map_err(|e| anyhow!("{e}"))?;
    let reader = detect_named(format).ok_or_else(|| anyhow!("no reader called {format}"))?;
    // Bytes of the format itself: a zip counts its members uncompressed.
    let bytes: u64 = input.entries().iter().map(|e| e.size).sum();
    let mut sink = CountingSink::default();
    let started = Instant::now();
    reader.read(&input, options, &mut sink).map_err(|e| anyhow!("{format}: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if sink.records == 0 {
        bail!("{format}: the reader produced no records ({:?})", sink.first_skip);
    }
    Ok(ReaderFigure {
        format: format.to_string(),
        bytes,
        records: sink.records,
        skips: sink.skips,
        seconds,
    })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("listing {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn grow(file: &Path, how: Grow, target: u64) -> Result<()> {
    let original = std::fs::read(file)?;
    let grown = match how {
        Grow::Lines { header } => grow_lines(&original, header, target),
        Grow::Array(pointer) => grow_array(&original, pointer, target)?,
    };
    std::fs::write(file, grown)?;
    Ok(())
}

fn grow_lines(original: &[u8], header: usize, target: u64) -> Vec<u8> {
    let mut split = 0;
    for _ in 0..header {
        match original[split..].iter().position(|&b| b == b'\n') {
            Some(at) => split += at + 1,
            None => break,
        }
    }
    let (head, body) = original.split_at(split);
    let mut out = head.to_vec();
    while (out.len() as u64) < target && !body.is_empty() {
        out.extend_from_slice(body);
        if !body.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}

fn grow_array(original: &[u8], pointer: &str, target: u64) -> Result<Vec<u8>> {
    let mut doc: Value = serde_json::from_slice(original)?;
    let array = doc
        .pointer_mut(pointer)
        .and_then(Value::as_array_mut)
        .ok_or_else(|| anyhow!("no array at `{pointer}`"))?;
    let elements = std::mem::take(array);
    let one: u64 = elements.iter().map(|e| e.to_string().len() as u64 + 2).sum();
    let copies = (target / one.max(1)).max(1);
    let mut grown = Vec::with_capacity(elements.len() * copies as usize);
    for copy in 0..copies {
        for element in &elements {
            let mut element = element.clone();
            if copy > 0 {
                distinct_ids(&mut element, copy);
            }
            grown.push(element);
        }
    }
    *array = grown;
    Ok(serde_json::to_vec(&doc)?)
}

/// Makes the id fields of one element unique for copy `copy`.
fn distinct_ids(element: &mut Value, copy: u64) {
    let Some(object) = element.as_object_mut() else { return };
    for key in ["id", "_id", "event_id", "timestamp_ms"] {
        let Some(value) = object.get_mut(key) else { continue };
        match value {
            Value::String(s) => match s.parse::<u64>() {
                Ok(n) => *s = n.wrapping_add(copy * 1_000).to_string(),
                Err(_) => s.push_str(&format!("-{copy}")),
            },
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    *value = Value::from(i.wrapping_add(copy as i64 * 1_000));
                }
            }
            _ => {}
        }
    }
}
