//! Which reader fits an input.

use std::fmt;

use trove_model::{Record, RecordKind};

use crate::{Format, Input, ReadError, ReadOptions, Sink, Skip, Stop};

/// How sure a reader is that an input is its format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Not this format.
    No,
    /// Could be (a generic format that fits, e.g. a `.csv`).
    Maybe,
    /// Unmistakably this format (a signature in names or first bytes).
    Certain,
}

static FORMATS: &[&dyn Format] = &[
    &crate::twitter::Twitter,
    &crate::telegram::Telegram,
    &crate::whatsapp::WhatsApp,
    &crate::slack::Slack,
    &crate::discord::Discord,
    &crate::messenger::Messenger,
    &crate::messenger::Instagram,
    &crate::signal::Signal,
    &crate::rsmf::Rsmf,
    &crate::matrix::Matrix,
    &crate::jabber::Jabber,
    &crate::rocketchat::RocketChat,
    &crate::irc::Irc,
    &crate::template::Template,
    &crate::transcript::Csv,
    &crate::transcript::Jsonl,
];

/// Every known format, in detection order.
pub fn formats() -> &'static [&'static dyn Format] {
    FORMATS
}

/// The format called `name` (`--format`).
pub fn detect_named(name: &str) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.name() == name)
}

/// Picks the reader for `input`: the single most confident one. Ties and
/// no match are errors that name the candidates.
pub fn detect(input: &Input) -> Result<&'static dyn Format, ReadError> {
    let file = input.path().display().to_string();
    let mut scored: Vec<(Confidence, &'static dyn Format)> =
        FORMATS.iter().map(|f| (f.sniff(input), *f)).filter(|(c, _)| *c > Confidence::No).collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    match scored.as_slice() {
        [] => Err(ReadError::Detect {
            file,
            reason: format!(
                "no reader recognises this input (known formats: {}); name one with --format",
                FORMATS.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            ),
        }),
        [(best, format), rest @ ..] => {
            let tied: Vec<&str> =
                rest.iter().filter(|(c, _)| c == best).map(|(_, f)| f.name()).collect();
            if tied.is_empty() {
                Ok(*format)
            } else {
                Err(ReadError::Detect {
                    file,
                    reason: format!(
                        "ambiguous input: it could be {} or {}; choose with --format",
                        format.name(),
                        tied.join(" or ")
                    ),
                })
            }
        }
    }
}

/// What a reader made of (part of) an input, by how well each record is
/// attributed. A record with a sender can be found by `from:` and read as
/// someone's words; a skip or a sender-less record is text nobody said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Messages with a sender.
    pub messages: u64,
    /// Messages without a sender.
    pub messages_without_sender: u64,
    /// Events with an initiator (joins, renames).
    pub events: u64,
    /// Events without an initiator ("system" lines).
    pub events_without_sender: u64,
    /// Records the reader could not read.
    pub skips: u64,
}

impl Tally {
    /// Counts one record.
    pub fn record(&mut self, record: &Record) {
        let counter = match (&record.kind, record.sender.is_some()) {
            (RecordKind::Message, true) => &mut self.messages,
            (RecordKind::Message, false) => &mut self.messages_without_sender,
            (RecordKind::Event(_), true) => &mut self.events,
            (RecordKind::Event(_), false) => &mut self.events_without_sender,
        };
        *counter += 1;
    }

    /// Records and skips.
    pub fn read(&self) -> u64 {
        self.records() + self.skips
    }

    /// Records.
    pub fn records(&self) -> u64 {
        self.messages + self.messages_without_sender + self.events + self.events_without_sender
    }

    /// Skips and records without a sender: what no one is shown to have said.
    pub fn unattributed(&self) -> u64 {
        self.skips + self.messages_without_sender + self.events_without_sender
    }

    /// More than half of what was read is skips or sender-less records: a
    /// reader misreading its input looks like this (events with an
    /// initiator count as read, since busy IRC or Slack channels are mostly
    /// joins and leaves).
    pub fn mostly_unattributed(&self) -> bool {
        self.unattributed() * 2 > self.read()
    }

    /// Records without a sender.
    pub fn without_sender(&self) -> u64 {
        self.messages_without_sender + self.events_without_sender
    }

    /// Whether a sample supports a detected reader: at least one message
    /// with a sender, and no more than half of its records without one.
    /// Skips do not count here: genuine samples of some formats are mostly
    /// skips (the RSMF validator's, where attachments are absent), and a
    /// skip is reported with its reason anyway, while a reader misreading
    /// its input turns lines into sender-less records nobody is told about.
    /// The ingest check ([`Tally::mostly_unattributed`]) counts both.
    pub fn proves(&self) -> bool {
        self.messages >= 1 && self.without_sender() * 2 <= self.records()
    }
}

impl fmt::Display for Tally {
    /// `3 messages, 197 events without a sender, 0 skips`: messages and
    /// skips always, the other counts where not zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} messages", self.messages)?;
        for (count, what) in [
            (self.messages_without_sender, "messages without a sender"),
            (self.events, "events"),
            (self.events_without_sender, "events without a sender"),
        ] {
            if count > 0 {
                write!(f, ", {count} {what}")?;
            }
        }
        write!(f, ", {} skips", self.skips)
    }
}

/// How many records detection reads with each candidate reader.
pub const SAMPLE_RECORDS: u64 = 200;
/// How far into an entry detection reads at most (a reader that produces
/// nothing for megabytes is not reading its format).
const SAMPLE_BYTES: u64 = 4 << 20;

/// Counts records until the sample is full, then stops the reader.
struct SampleSink {
    tally: Tally,
    full: bool,
}

impl Sink for SampleSink {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        self.tally.record(&record);
        if self.full || self.tally.read() >= SAMPLE_RECORDS {
            return Err(Stop("detection sample taken".into()));
        }
        Ok(())
    }
    fn skip(&mut self, _skip: Skip) {
        self.tally.skips += 1;
        self.full |= self.tally.read() >= SAMPLE_RECORDS;
    }
    fn progress(&mut self, bytes_read: u64) {
        self.full |= bytes_read >= SAMPLE_BYTES;
    }
}

/// What `format` makes of the start of `input`, or why it could not read it.
pub fn sample(
    format: &dyn Format,
    input: &Input,
    options: &ReadOptions,
) -> Result<Tally, ReadError> {
    let mut sink = SampleSink { tally: Tally::default(), full: false };
    match format.read(input, options, &mut sink) {
        Ok(()) | Err(ReadError::Stopped(_)) => Ok(sink.tally),
        Err(other) => Err(other),
    }
}

/// The outcome of [`detect_proven`] when it is not an error.
pub enum Detected {
    /// The reader whose sample proved it, and its sample.
    Format(&'static dyn Format, Tally),
    /// No reader recognises the input at all.
    Nothing,
    /// Readers recognise it, but none reads it convincingly: each
    /// candidate with what it made of the sample (or why it could not read
    /// it). [`unproven_error`] words it.
    Unproven(Vec<Trial>),
    /// A reader certain of the format could not read the sample at all
    /// (a record over a limit, a corrupt member, an IRC log with no date):
    /// its own error tells the real story.
    Unreadable(&'static dyn Format, ReadError),
}

/// One candidate reader tried on a sample.
pub struct Trial {
    /// The reader.
    pub format: &'static dyn Format,
    /// What it made of the sample, or why it could not read it.
    pub outcome: Result<Tally, String>,
}

/// The error for an input no candidate reads convincingly, listing what
/// each made of the sample.
pub fn unproven_error(file: &str, trials: &[Trial]) -> ReadError {
    let tried: Vec<String> = trials
        .iter()
        .map(|t| match &t.outcome {
            Ok(tally) => format!("{}: {tally}", t.format.name()),
            Err(error) => format!("{}: cannot read it: {error}", t.format.name()),
        })
        .collect();
    ReadError::Detect {
        file: file.to_string(),
        reason: format!(
            "{UNPROVEN}: in a sample of up to {SAMPLE_RECORDS} records, each reader that \
             recognises it found no message with a sender, or left most records without one \
             ({})",
            tried.join("; ")
        ),
    }
}

/// Picks the reader for `input` and proves the choice: the readers that
/// recognise the input are tried on a sample (the first
/// [`SAMPLE_RECORDS`] records), most confident first, and the first
/// confidence level with a reader whose sample [`Tally::proves`] decides.
/// An empty sample proves a reader only when it is certain (an export with
/// nothing in it). Two proven readers at one level are ambiguous (an
/// error); no proven reader is [`Detected::Unproven`].
pub fn detect_proven(input: &Input, options: &ReadOptions) -> Result<Detected, ReadError> {
    let file = input.path().display().to_string();
    let mut scored: Vec<(Confidence, &'static dyn Format)> =
        FORMATS.iter().map(|f| (f.sniff(input), *f)).filter(|(c, _)| *c > Confidence::No).collect();
    if scored.is_empty() {
        return Ok(Detected::Nothing);
    }
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut tried: Vec<Trial> = Vec::new();
    // A reader certain of the format whose sample fails to read tells the
    // real story (a record over a limit, a corrupt member): that error is
    // returned as it is, not buried in a list of unconvincing candidates.
    let mut certain_error: Option<(&'static dyn Format, ReadError)> = None;
    let mut level = 0;
    while let Some((confidence, _)) = scored.get(level) {
        let confidence = *confidence;
        let mut proven: Vec<(&'static dyn Format, Tally)> = Vec::new();
        for (_, format) in scored.iter().skip(level).take_while(|(c, _)| *c == confidence) {
            level += 1;
            match sample(*format, input, options) {
                Ok(tally)
                    if tally.proves()
                        || (tally.read() == 0 && confidence == Confidence::Certain) =>
                {
                    proven.push((*format, tally));
                }
                Ok(tally) => tried.push(Trial { format: *format, outcome: Ok(tally) }),
                Err(error) => {
                    tried.push(Trial { format: *format, outcome: Err(error.to_string()) });
                    if confidence == Confidence::Certain && certain_error.is_none() {
                        certain_error = Some((*format, error));
                    }
                }
            }
        }
        match proven.as_slice() {
            [] => continue,
            [(format, tally)] => return Ok(Detected::Format(*format, *tally)),
            [(first, _), rest @ ..] => {
                return Err(ReadError::Detect {
                    file,
                    reason: format!(
                        "ambiguous input: it could be {} or {}; choose with --format",
                        first.name(),
                        rest.iter().map(|(f, _)| f.name()).collect::<Vec<_>>().join(" or ")
                    ),
                });
            }
        }
    }
    match certain_error {
        Some((format, error)) => Ok(Detected::Unreadable(format, error)),
        None => Ok(Detected::Unproven(tried)),
    }
}

/// How an unproven detection's reason starts.
pub const UNPROVEN: &str = "no reader reads this input convincingly";
