//! The synthetic archive: generating it, and what the query mix needs to
//! know about it (word counts, adjacent word pairs, senders, time span).
//!
//! The JSONL archive is streamed to disk one line at a time; only the
//! statistics are kept in memory. The Twitter archive is built in memory by
//! `trove_testkit::twitter::Builder` (that is how the builder works) and its
//! messages are kept for the baseline load.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use trove_testkit::text::vocabulary;
use trove_testkit::twitter::{Builder, iso_ms};
use trove_testkit::{Lang, Rng, TextGen};

/// The seed every generator and query draw derives from.
pub const SEED: u64 = 0x7209_BE9C_2016;
/// Distinct senders in a JSONL archive.
const SENDERS: usize = 200;
/// Distinct conversations in a JSONL archive.
const CONVERSATIONS: usize = 50;
/// 2015-01-01T00:00:00Z: the first JSONL message.
const START_MS: i64 = 1_420_070_400_000;
/// Three years: the span of a JSONL archive, whatever its size.
const SPAN_MS: i64 = 1096 * 86_400_000;

/// The archive format to generate and ingest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ArchiveFormat {
    /// One JSON object per line (`id`, `ts`, `sender`, `conversation`,
    /// `text`), read by trove's `jsonl` transcript reader.
    Jsonl,
    /// A Twitter / X account archive (zip), read by trove's `twitter` reader.
    Twitter,
    /// A Telegram Desktop full-account export (`result.json` with
    /// `chats.list`), read by trove's `telegram` reader.
    Telegram,
}

impl ArchiveFormat {
    /// The reader name (`--format` of `trove ingest`).
    pub fn name(self) -> &'static str {
        match self {
            ArchiveFormat::Jsonl => "jsonl",
            ArchiveFormat::Twitter => "twitter",
            ArchiveFormat::Telegram => "telegram",
        }
    }
}

/// One message as the baseline loads it.
#[derive(Clone, Debug, Deserialize)]
pub struct Message {
    /// The text.
    pub text: String,
    /// The sender as `from:` names it (a name for JSONL, an account id for
    /// Twitter).
    pub sender: String,
    /// RFC 3339 UTC, as the archive writes it (sorts as text).
    pub ts: String,
}

/// A vocabulary word and how often it occurs in the archive.
#[derive(Clone, Debug)]
pub struct WordCount {
    /// Lowercased word.
    pub word: String,
    /// Occurrences in the generated messages (exact form, lowercased).
    pub count: u64,
}

/// A generated archive on disk plus what the query mix draws from.
pub struct Corpus {
    /// The format of the file at `path`.
    pub format: ArchiveFormat,
    /// The file to ingest.
    pub path: PathBuf,
    /// Number of messages (events excluded).
    pub messages: u64,
    /// Size of the file at `path`.
    pub bytes: u64,
    /// Words of the English, Russian and German vocabularies that occur,
    /// most frequent first.
    pub words: Vec<WordCount>,
    /// Adjacent word pairs seen in generated messages, lowercased.
    pub phrases: Vec<(String, String)>,
    /// Senders with their message counts, most active first.
    pub senders: Vec<(String, u64)>,
    /// Time of the earliest message (UTC ms).
    pub first_ms: i64,
    /// Time of the latest message (UTC ms).
    pub last_ms: i64,
    /// The messages, when the format keeps them in memory (Twitter).
    in_memory: Option<Vec<Message>>,
    /// A JSONL copy of the messages ([`Message`] per line) for the
    /// baseline, when the archive itself is not one.
    baseline: Option<PathBuf>,
}

impl Corpus {
    /// Whether the benchmark holds the messages in memory (for the FTS5
    /// load), which then count in the process's peak memory.
    pub fn held_in_memory(&self) -> bool {
        self.in_memory.is_some()
    }

    /// Generates `messages` messages as `format` into `dir`, observing
    /// enough to draw `per_kind` queries of each kind.
    pub fn generate(
        format: ArchiveFormat,
        messages: u64,
        dir: &Path,
        per_kind: usize,
    ) -> Result<Corpus> {
        match format {
            ArchiveFormat::Jsonl => generate_jsonl(messages, &dir.join("archive.jsonl"), per_kind),
            ArchiveFormat::Twitter => {
                generate_twitter(messages, &dir.join("archive-twitter.zip"), per_kind)
            }
            ArchiveFormat::Telegram => generate_telegram(messages, dir, per_kind),
        }
    }

    /// Calls `f` for every message, streaming from disk for JSONL.
    pub fn for_each_message(&self, mut f: impl FnMut(&Message) -> Result<()>) -> Result<()> {
        if let Some(messages) = &self.in_memory {
            for m in messages {
                f(m)?;
            }
            return Ok(());
        }
        let path = self.baseline.as_ref().unwrap_or(&self.path);
        let file = File::open(path).with_context(|| format!("reopening {}", path.display()))?;
        let reader = BufReader::with_capacity(1 << 20, file);
        for (n, line) in reader.lines().enumerate() {
            let line = line.with_context(|| format!("reading {}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let message: Message = serde_json::from_str(&line)
                .with_context(|| format!("{} line {}", path.display(), n + 1))?;
            f(&message)?;
        }
        Ok(())
    }
}

/// Cumulative Zipf (s = 1) weights over `n` ranks.
fn zipf_table(n: usize) -> Vec<f64> {
    let mut acc = 0.0;
    (0..n)
        .map(|k| {
            acc += 1.0 / (k as f64 + 1.0);
            acc
        })
        .collect()
}

/// A rank drawn from a table made by [`zipf_table`] or [`cumulative`].
pub fn draw(table: &[f64], rng: &mut Rng) -> usize {
    let total = table.last().copied().unwrap_or(0.0);
    let r = rng.f64() * total;
    table.partition_point(|&c| c <= r).min(table.len().saturating_sub(1))
}

/// Cumulative weights of `weights`.
pub fn cumulative(weights: impl Iterator<Item = u64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .map(|w| {
            acc += w as f64;
            acc
        })
        .collect()
}

const FIRST_NAMES: &[&str] = &[
    "anna", "boris", "chen", "dana", "emre", "fatima", "georg", "hana", "igor", "julia", "karim",
    "lena", "marek", "nadia", "oskar", "pavel", "quinn", "rosa", "sami", "tanja", "umar", "vera",
    "wei", "xenia", "yusuf", "zoe", "alex", "bea", "carl", "dmitri", "elif", "felix", "gita",
    "hugo", "ines", "jonas", "katya", "leon", "mira", "nico",
];

const TOPICS: &[&str] =
    &["ops", "legal", "press", "sources", "docs", "infra", "money", "travel", "desk", "random"];

fn sender_names() -> Vec<String> {
    (0..SENDERS)
        .map(|k| format!("{}{}", FIRST_NAMES[k % FIRST_NAMES.len()], k / FIRST_NAMES.len() + 1))
        .collect()
}

fn conversation_names() -> Vec<String> {
    (0..CONVERSATIONS).map(|k| format!("{}-{:02}", TOPICS[k % TOPICS.len()], k + 1)).collect()
}

fn generate_jsonl(messages: u64, path: &Path, per_kind: usize) -> Result<Corpus> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut text_gen = TextGen::new(SEED);
    let mut rng = Rng::new(SEED ^ 0x00C0_FFEE);
    let senders = sender_names();
    let conversations = conversation_names();
    let sender_table = zipf_table(senders.len());
    let conversation_table = zipf_table(conversations.len());
    let step = (SPAN_MS / messages.max(1) as i64).max(1);
    let mut observer = Observer::new(messages, per_kind);
    let mut text = String::new();
    let mut line: Vec<u8> = Vec::with_capacity(4096);
    for i in 0..messages {
        text.clear();
        text_gen.write_message(&mut text);
        // Strictly increasing: message i falls inside its own step.
        let ms = START_MS + i as i64 * step + rng.range_i64(0, step);
        let sender = &senders[draw(&sender_table, &mut rng)];
        let conversation = &conversations[draw(&conversation_table, &mut rng)];
        line.clear();
        write!(
            line,
            "{{\"id\":{},\"ts\":\"{}\",\"sender\":\"{sender}\",\"conversation\":\"{conversation}\",\"text\":",
            i + 1,
            iso_ms(ms)
        )?;
        serde_json::to_writer(&mut line, &text)?;
        line.extend_from_slice(b"}\n");
        out.write_all(&line).with_context(|| format!("writing {}", path.display()))?;
        observer.observe(&text, sender, ms);
    }
    out.flush().with_context(|| format!("writing {}", path.display()))?;
    drop(out);
    let bytes = std::fs::metadata(path)?.len();
    Ok(observer.finish(ArchiveFormat::Jsonl, path, messages, bytes, None))
}

fn generate_twitter(messages: u64, path: &Path, per_kind: usize) -> Result<Corpus> {
    let total = usize::try_from(messages).context("--messages does not fit in memory")?;
    let group = total * 4 / 5;
    let direct = total - group;
    let archive = Builder::new(SEED)
        .group_messages(group)
        .groups(group.clamp(1, 10))
        .direct_messages(direct)
        .one_to_one(direct.clamp(1, 40))
        .build();
    archive.write_zip(path).with_context(|| format!("writing {}", path.display()))?;
    let mut observer = Observer::new(messages, per_kind);
    let mut kept = Vec::with_capacity(total);
    for m in archive.messages() {
        let sender = m.sender_id.clone().unwrap_or_default();
        observer.observe(&m.text, &sender, m.created_at_ms);
        kept.push(Message { text: m.text.clone(), sender, ts: m.created_at.clone() });
    }
    drop(archive);
    let bytes = std::fs::metadata(path)?.len();
    let count = kept.len() as u64;
    Ok(observer.finish(ArchiveFormat::Twitter, path, count, bytes, Some(kept)))
}

/// A Telegram full-account export: `CONVERSATIONS` group chats, messages
/// spread over them as in the JSONL archive, each chat's messages in time
/// order. Every 25th message has a link entity (text as an array), every
/// 10th replies to the message before it in its chat, every 50th was
/// edited. Chats are written to one temporary file each and then joined,
/// so memory stays flat at any size.
fn generate_telegram(messages: u64, dir: &Path, per_kind: usize) -> Result<Corpus> {
    let path = dir.join("telegram-export").join("result.json");
    let parts_dir = dir.join("telegram-export").join("parts");
    std::fs::create_dir_all(&parts_dir)
        .with_context(|| format!("creating {}", parts_dir.display()))?;
    let baseline = dir.join("archive.jsonl");
    let mut baseline_out = BufWriter::with_capacity(
        1 << 20,
        File::create(&baseline).with_context(|| format!("creating {}", baseline.display()))?,
    );
    let mut parts = Vec::with_capacity(CONVERSATIONS);
    for c in 0..CONVERSATIONS {
        let part = parts_dir.join(format!("{c}.json"));
        let file = File::create(&part).with_context(|| format!("creating {}", part.display()))?;
        parts.push((part, BufWriter::with_capacity(64 * 1024, file), 0u64));
    }
    let mut text_gen = TextGen::new(SEED);
    let mut rng = Rng::new(SEED ^ 0x00C0_FFEE);
    let senders = sender_names();
    let sender_table = zipf_table(senders.len());
    let conversation_table = zipf_table(CONVERSATIONS);
    let step = (SPAN_MS / messages.max(1) as i64).max(1);
    let mut observer = Observer::new(messages, per_kind);
    let mut text = String::new();
    let mut line: Vec<u8> = Vec::with_capacity(4096);
    for i in 0..messages {
        text.clear();
        text_gen.write_message(&mut text);
        let ms = START_MS + i as i64 * step + rng.range_i64(0, step);
        let who = draw(&sender_table, &mut rng);
        let (part_path, out, written) = &mut parts[draw(&conversation_table, &mut rng)];
        let id = i + 1;
        let seconds = ms.div_euclid(1000);
        let local = iso_ms(seconds * 1000);
        let date = local.get(..19).unwrap_or(&local);
        line.clear();
        if *written > 0 {
            line.extend_from_slice(b",\n");
        }
        write!(
            line,
            "   {{\"id\": {id}, \"type\": \"message\", \"date\": \"{date}\", \"date_unixtime\": \"{seconds}\", \"from\": \"{}\", \"from_id\": \"user{who}\"",
            senders[who]
        )?;
        if *written > 0 && id % 10 == 0 {
            write!(line, ", \"reply_to_message_id\": {}", id - 1)?;
        }
        if id % 50 == 0 {
            write!(line, ", \"edited\": \"{date}\", \"edited_unixtime\": \"{}\"", seconds + 60)?;
        }
        let plain = serde_json::to_string(&text)?;
        let full_text = if id % 25 == 0 {
            let link = format!("https://example.org/{id}");
            write!(
                line,
                ", \"text\": [{plain}, {{\"type\": \"link\", \"text\": \"{link}\"}}], \"text_entities\": [{{\"type\": \"plain\", \"text\": {plain}}}, {{\"type\": \"link\", \"text\": \"{link}\"}}]}}"
            )?;
            format!("{text}{link}")
        } else {
            write!(
                line,
                ", \"text\": {plain}, \"text_entities\": [{{\"type\": \"plain\", \"text\": {plain}}}]}}"
            )?;
            text.clone()
        };
        out.write_all(&line).with_context(|| format!("writing {}", part_path.display()))?;
        *written += 1;
        let sender = format!("user{who}");
        serde_json::to_writer(
            &mut baseline_out,
            &serde_json::json!({"text": full_text, "sender": sender, "ts": iso_ms(seconds * 1000)}),
        )?;
        baseline_out.write_all(b"\n")?;
        observer.observe(&full_text, &sender, seconds * 1000);
    }
    baseline_out.flush().with_context(|| format!("writing {}", baseline.display()))?;

    let conversations = conversation_names();
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(
        b"{\n \"about\": \"Here is the data you requested.\",\n \"personal_information\": {\"user_id\": 1, \"first_name\": \"Owner\"},\n \"chats\": {\n  \"about\": \"This page lists all chats from this export.\",\n  \"list\": [\n",
    )?;
    for (c, (part_path, part_out, _)) in parts.into_iter().enumerate() {
        drop(part_out);
        if c > 0 {
            out.write_all(b",\n")?;
        }
        writeln!(
            out,
            "  {{\"name\": \"{}\", \"type\": \"private_group\", \"id\": {}, \"messages\": [",
            conversations[c],
            4_000_000_000u64 + c as u64
        )?;
        let mut part =
            File::open(&part_path).with_context(|| format!("reopening {}", part_path.display()))?;
        std::io::copy(&mut part, &mut out)
            .with_context(|| format!("writing {}", path.display()))?;
        out.write_all(b"\n  ]}")?;
        std::fs::remove_file(&part_path).ok();
    }
    out.write_all(b"\n  ]\n }\n}\n")?;
    out.flush().with_context(|| format!("writing {}", path.display()))?;
    drop(out);
    std::fs::remove_dir(&parts_dir).ok();
    let bytes = std::fs::metadata(&path)?.len();
    let mut corpus = observer.finish(ArchiveFormat::Telegram, &path, messages, bytes, None);
    corpus.baseline = Some(baseline);
    Ok(corpus)
}

/// True for letters of the scripts whose words the query mix uses (Latin,
/// with accents, and Cyrillic): both engines split these the same way,
/// unlike Chinese (one token per run in FTS5's `unicode61`, one per
/// character in trove).
fn spaced_letter(c: char) -> bool {
    c.is_alphabetic() && (c as u32) < 0x0530
}

/// Collects statistics while messages are generated.
struct Observer {
    index: HashMap<String, usize>,
    words: Vec<WordCount>,
    phrase_rng: Rng,
    phrase_stride: u64,
    max_phrases: usize,
    phrases: Vec<(String, String)>,
    senders: HashMap<String, u64>,
    seen: u64,
    first_ms: i64,
    last_ms: i64,
    token: String,
}

impl Observer {
    fn new(messages: u64, per_kind: usize) -> Observer {
        let mut index = HashMap::new();
        let mut words = Vec::new();
        for lang in [Lang::English, Lang::Russian, Lang::German] {
            for word in vocabulary(lang).words() {
                let lower = word.to_lowercase();
                if !lower.chars().all(spaced_letter) || index.contains_key(&lower) {
                    continue;
                }
                index.insert(lower.clone(), words.len());
                words.push(WordCount { word: lower, count: 0 });
            }
        }
        let max_phrases = per_kind.max(1) * 4;
        Observer {
            index,
            words,
            phrase_rng: Rng::new(SEED ^ 0x0000_0000_9A12),
            phrase_stride: (messages / max_phrases as u64).max(1),
            max_phrases,
            phrases: Vec::new(),
            senders: HashMap::new(),
            seen: 0,
            first_ms: i64::MAX,
            last_ms: i64::MIN,
            token: String::new(),
        }
    }

    fn observe(&mut self, text: &str, sender: &str, ms: i64) {
        for piece in text.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()) {
            let key = if piece.bytes().all(|b| b.is_ascii_lowercase()) {
                piece
            } else {
                self.token.clear();
                self.token.extend(piece.chars().flat_map(char::to_lowercase));
                self.token.as_str()
            };
            if let Some(&i) = self.index.get(key) {
                self.words[i].count += 1;
            }
        }
        if self.seen.is_multiple_of(self.phrase_stride) && self.phrases.len() < self.max_phrases {
            self.take_phrase(text);
        }
        match self.senders.get_mut(sender) {
            Some(n) => *n += 1,
            None => {
                self.senders.insert(sender.to_string(), 1);
            }
        }
        self.first_ms = self.first_ms.min(ms);
        self.last_ms = self.last_ms.max(ms);
        self.seen += 1;
    }

    /// Records one pair of adjacent plain words of `text`, if it has one.
    fn take_phrase(&mut self, text: &str) {
        let tokens: Vec<&str> = text.split(' ').collect();
        let plain = |t: &str| !t.is_empty() && t.chars().all(spaced_letter);
        let pairs: Vec<usize> =
            (1..tokens.len()).filter(|&j| plain(tokens[j - 1]) && plain(tokens[j])).collect();
        if pairs.is_empty() {
            return;
        }
        let j = pairs[self.phrase_rng.index(pairs.len())];
        self.phrases.push((tokens[j - 1].to_lowercase(), tokens[j].to_lowercase()));
    }

    fn finish(
        self,
        format: ArchiveFormat,
        path: &Path,
        messages: u64,
        bytes: u64,
        in_memory: Option<Vec<Message>>,
    ) -> Corpus {
        let mut words: Vec<WordCount> = self.words.into_iter().filter(|w| w.count > 0).collect();
        words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
        let mut senders: Vec<(String, u64)> = self.senders.into_iter().collect();
        senders.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Corpus {
            format,
            path: path.to_path_buf(),
            messages,
            bytes,
            words,
            phrases: self.phrases,
            senders,
            first_ms: if self.seen == 0 { START_MS } else { self.first_ms },
            last_ms: if self.seen == 0 { START_MS } else { self.last_ms },
            in_memory,
            baseline: None,
        }
    }
}
