//! The command line, defined once: help, completions and the man page are
//! all derived from these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "trove turns a leaked chat archive into journalism: ingest any common chat export, \
search every message in milliseconds, read each hit in its conversation, and trace every message to \
the bytes it came from.";

const EXAMPLES: &str = "\
Examples:
  trove ingest twitter-archive.zip --case wltf.trove
  trove ingest transcript.csv --case wltf.trove --map text=text,sent_at=date,sender=user \\
        --tz America/New_York --event-sender system
  trove search --case wltf.trove 'clinton from:WikiLeaks after:2016-01-01'
  trove show --case wltf.trove 0c4h7m2x9q1ab --context 5
  trove verify --case wltf.trove --json
  trove note add --case wltf.trove 0c4h7m2x9q1ab..0c4h7p1z2k8cd 'Refers to the Orange Revolution'
  trove collection add --case wltf.trove Story 0c4h7m2x9q1ab --note 'From June 13, 2015: ...'
  trove redact add --case wltf.trove --person 'Emmy B' --as 'Participant 1'
  trove publish --case wltf.trove --collection Story --out story/
  trove demo

The case folder holds everything trove writes (database and index); nothing leaves it.";

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "trove", about = ABOUT, long_about = None, after_long_help = EXAMPLES,
          version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("TROVE_GIT_REVISION"), ")"))]
pub struct Cli {
    /// The case folder (created by the first ingest).
    #[arg(long, global = true, env = "TROVE_CASE", value_name = "DIR", allow_hyphen_values = true)]
    pub case: Option<PathBuf>,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub author: AuthorArg,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import files, folders or zips into the case.
    // Boxed: the ingest options are by far the largest.
    Ingest(Box<IngestArgs>),
    /// Search the case.
    #[command(after_long_help = QUERY_HELP)]
    Search(SearchArgs),
    /// One message with the messages around it in its conversation, and its source.
    Show(ShowArgs),
    /// Counts, date span, people, conversations and sources.
    Stats,
    /// Re-hash sources and run consistency checks, or check a publication's manifest; exits 1 on findings.
    Verify(VerifyArgs),
    /// List accounts and persons, name an account, or merge accounts into a person.
    People(PeopleArgs),
    /// Rebuild the search index from the case database.
    Reindex,
    /// After a failure (a full disk, a killed ingest): check the database, empty its
    /// write-ahead log, delete what failed runs left, and rebuild the search index if it
    /// trails the case.
    Repair(RepairArgs),
    /// Build a case from the bundled sample data and serve it in the workbench.
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Serve the workbench: search, read in context, people and activity, in a browser.
    Serve(ServeArgs),
    /// Notes (Markdown) on a message or a range of messages: add, list, edit, remove.
    Note(NoteArgs),
    /// Tags on messages: add, remove, list.
    Tag(TagArgs),
    /// Review status of messages (unread, relevant, not-relevant, to-verify).
    Status(StatusArgs),
    /// Collections of excerpts with editorial notes: add, list, move, remove.
    Collection(CollectionArgs),
    /// Redaction and pseudonymisation rules, applied to everything published or exported.
    Redact(RedactArgs),
    /// Write a collection as a static excerpt site (index.html + manifest.json), redactions applied.
    Publish(PublishArgs),
    /// Export a query's hits or a collection as CSV, JSONL or RSMF 2.0, redactions applied.
    Export(ExportArgs),
    /// The audit trail of notes, tags, statuses, collections and redaction rules.
    Audit {
        /// Lines to show, newest first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Show or set the case's analysis time zone (dates in queries, days, charts; default UTC).
    Zone {
        /// An IANA zone name (Europe/Berlin), UTC, or a fixed offset (+02:00, -05:00). Omit to show it.
        #[arg(allow_hyphen_values = true)]
        name: Option<String>,
    },
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

const QUERY_HELP: &str = "\
Query language:
  clinton                 a word (stemmed, case- and accent-insensitive)
  \"orange revolution\"     an exact phrase (\"пароль\" finds only that form)
  pass*  wikileaks~       prefix, fuzzy
  -excluded  a OR b  ( )  exclusion, alternatives, grouping
  from:NAME_OR_ID  in:CONVERSATION  platform:twitter
  after:2016-01-01  before:2016-11  on:2016-10-07   (dates in the case's zone)
  has:link  has:attachment  has:note  tag:TAG  status:relevant
Filter values with spaces are quoted: from:\"Emmy B\". Any term or filter can be negated: -from:WikiLeaks.
A query that starts with `-` goes after `--`: trove search --case c -- -from:WikiLeaks leak";

/// `trove ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files, folders or zip archives.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Reader to use (default: auto, which detects it).
    #[arg(long, value_name = "F", value_parser = format_values())]
    pub format: Option<String>,
    /// Column mapping for CSV/JSONL: text=COL,sent_at=COL,sender=COL,conversation=COL,id=COL.
    #[arg(long, value_name = "k=COL,...", allow_hyphen_values = true)]
    pub map: Option<String>,
    /// Zone of timestamps that have none (IANA name, UTC, or +02:00). Default: UTC, recorded as asserted.
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub tz: Option<String>,
    /// Rows from this sender are events (joins, leaves, renames), not messages. Repeatable.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub event_sender: Vec<String>,
    /// A CSV of `id,name` lines naming accounts after the ingest.
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    pub names: Option<PathBuf>,
    /// How to read ambiguous dates such as 05/06/2015 (default: decided from the whole file where possible).
    #[arg(long, value_enum, value_name = "ORDER")]
    pub date_order: Option<DateOrderArg>,
    /// Line template for `--format template`, e.g. '[{ts}] {sender}: {text}'; repeat it for files
    /// mixing layouts (each line takes the first that matches).
    #[arg(long, value_name = "TEMPLATE", allow_hyphen_values = true)]
    pub template: Vec<String>,
    /// Timestamp format for the template reader (strftime style, e.g. '%Y-%m-%d %H:%M:%S').
    #[arg(long, value_name = "FORMAT", allow_hyphen_values = true)]
    pub ts_format: Option<String>,
    /// A line that ends each message in the template reader (e.g. '--------------------').
    #[arg(long, value_name = "LINE", allow_hyphen_values = true)]
    pub separator: Option<String>,
    /// The inputs are a translated copy of this ingested source (its path or sha256); needs --lang.
    #[arg(long, value_name = "SOURCE", requires = "lang", allow_hyphen_values = true)]
    pub translation_of: Option<String>,
    /// Language of the translation (e.g. en).
    #[arg(long, value_name = "CODE", requires = "translation_of", allow_hyphen_values = true)]
    pub lang: Option<String>,
    /// Also copy the attached files found in the export into the case (stored by SHA-256 under
    /// CASE/media). Without it, only their names, sizes and hashes are recorded.
    #[arg(long)]
    pub copy_media: bool,
    /// The largest single record a reader accepts (a line, a JSON object, one message), in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = trove_readers::ReadOptions::default().max_record_bytes)]
    pub max_record_bytes: usize,
    /// The largest conversation held in memory at once where an export writes a whole
    /// conversation as one JSON value (Twitter's dmConversation), in bytes; never below
    /// --max-record-bytes.
    #[arg(long, value_name = "BYTES", default_value_t = trove_readers::ReadOptions::default().max_conversation_bytes)]
    pub max_conversation_bytes: usize,
    /// Show what each reader makes of each input (reader, counts, first records) and write
    /// nothing; no case is needed or created.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: read only the first N records of each input (default: all of it).
    #[arg(long, value_name = "N", requires = "dry_run")]
    pub sample: Option<u64>,
    /// Keep an input even when most of it is skips or records without a sender (without it
    /// such a run is refused and nothing is kept).
    #[arg(long)]
    pub accept_skips: bool,
    /// How many unreadable records the summary keeps in full, each with its place (default:
    /// 1000); every one is counted, by kind of reason.
    #[arg(long, value_name = "N")]
    pub keep_skips: Option<usize>,
    /// Start even when the case folder's disk looks too small for the run (the estimate is
    /// generous: about 1.6× the size of the message files into an empty case, 3.2× into one
    /// that holds messages).
    #[arg(long)]
    pub no_space_check: bool,
    /// Label this run's inputs for the `source:` filter and facet (default: each input's
    /// file or folder name, e.g. `serverA` for leak/serverA).
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// One unreadable file inside a folder or zip fails the whole run (default: it is skipped
    /// and named in the summary).
    #[arg(long)]
    pub strict: bool,
    /// Read a file the case already holds from a run with other reading options (--tz, --map,
    /// --format, ...) anyway, keeping both readings: records the new options give new ids are
    /// stored a second time. Without it (or --replace) such a run is refused, naming the
    /// difference.
    #[arg(long, conflicts_with = "replace")]
    pub again: bool,
    /// Swap the earlier reading of a file the case already holds for this one, in one
    /// transaction: its messages, events and translations are removed and the new reading
    /// stored. Notes, tags, statuses and collection items stay on messages whose ids survive;
    /// the summary counts those left without a message.
    #[arg(long)]
    pub replace: bool,
}

/// `--format` values: `auto` and every reader of the registry, so help,
/// completions, the man page and detection know the same formats.
fn format_values() -> clap::builder::PossibleValuesParser {
    let names = std::iter::once("auto").chain(trove_readers::formats().iter().map(|f| f.name()));
    clap::builder::PossibleValuesParser::new(names)
}

/// Order of day and month in ambiguous numeric dates.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DateOrderArg {
    /// 05/06/2015 is 5 June.
    DayFirst,
    /// 05/06/2015 is May 6.
    MonthFirst,
}

/// Result order.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Oldest first.
    Time,
    /// Newest first.
    Newest,
}

/// `trove search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (see below). Several words are joined with spaces; put a query starting with `-` after `--`.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Hits to show.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Hits to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Order.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
}

/// `trove show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A trove id (from search) or the platform's own id.
    pub id: String,
    /// Messages before and after.
    #[arg(long, default_value_t = 5)]
    pub context: usize,
}

/// `trove people`.
#[derive(Debug, Args)]
pub struct PeopleArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    pub action: Option<PeopleAction>,
}

/// `trove people` actions.
#[derive(Debug, Subcommand)]
pub enum PeopleAction {
    /// List accounts.
    List,
    /// Give an account a name (shown instead of its id everywhere).
    Name {
        /// The account: platform id, handle, name, or `#ROW` (its row in `trove people`).
        id: String,
        /// The name.
        name: String,
    },
    /// Link two accounts (on any platforms) as one person; `from:PERSON` then finds both.
    Merge {
        /// An account: platform id, handle or name.
        a: String,
        /// Another account.
        b: String,
        /// Why they are one person (recorded with the link).
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
        /// The person's name (default: the first account's name, or the existing person's).
        #[arg(long, allow_hyphen_values = true)]
        name: Option<String>,
    },
    /// Take an account out of the person it was merged into.
    Split {
        /// The account: platform id, handle, name, or `#ROW`.
        account: String,
        /// Why it is not that person (recorded in the audit trail).
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
    },
}

/// `trove demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Messages in the generated demo archive.
    #[arg(long, default_value_t = 12_000)]
    pub messages: usize,
    /// Build the demo case and stop, without serving it.
    #[arg(long)]
    pub no_serve: bool,
    /// Address to serve on (loopback only; port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
}

/// `trove serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to serve on. Only loopback addresses (127.0.0.1, ::1) are accepted until team
    /// mode with logins exists; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
}

/// Who is writing: recorded with every note, tag, status and excerpt.
#[derive(Debug, Args)]
pub struct AuthorArg {
    /// Your name, recorded with the change (default: $TROVE_AUTHOR, else $USER).
    #[arg(
        long,
        env = "TROVE_AUTHOR",
        value_name = "NAME",
        global = true,
        allow_hyphen_values = true
    )]
    pub author: Option<String>,
}

impl AuthorArg {
    /// The author's name.
    pub fn name(&self) -> String {
        self.author
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "unknown".to_string())
    }
}

/// `trove note`.
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: NoteAction,
}

/// `trove note` actions.
#[derive(Debug, Subcommand)]
pub enum NoteAction {
    /// Add a note on a message (ID) or on consecutive messages of one conversation (FIRST..LAST).
    Add {
        /// ID or FIRST..LAST.
        target: String,
        /// The note, Markdown. Several words are joined with spaces.
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// List notes (all, or those on one message).
    List {
        /// Only the notes covering this message.
        #[arg(long, value_name = "ID")]
        message: Option<String>,
        /// Include deleted notes (with who deleted them and when).
        #[arg(long)]
        deleted: bool,
    },
    /// Replace a note's text (the earlier text stays in the audit trail).
    Edit {
        /// The note's number.
        id: i64,
        /// The new text.
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Delete a note (recorded: the note is hidden, not erased).
    Remove {
        /// The note's number.
        id: i64,
    },
}

/// `trove tag`.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: TagAction,
}

/// `trove tag` actions.
#[derive(Debug, Subcommand)]
pub enum TagAction {
    /// Tag messages: `trove tag add ID [ID...] TAG`.
    Add {
        /// Message ids, then the tag.
        #[arg(required = true, num_args = 2.., value_name = "ID... TAG")]
        args: Vec<String>,
    },
    /// Remove a tag: `trove tag remove ID [ID...] TAG`.
    Remove {
        /// Message ids, then the tag.
        #[arg(required = true, num_args = 2.., value_name = "ID... TAG")]
        args: Vec<String>,
    },
    /// List tags with their messages.
    List,
}

/// `trove status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: StatusAction,
}

/// `trove status` actions.
#[derive(Debug, Subcommand)]
pub enum StatusAction {
    /// Set the status of messages: `trove status set ID [ID...] STATUS`.
    Set {
        /// Message ids, then unread, relevant, not-relevant or to-verify.
        #[arg(required = true, num_args = 2.., value_name = "ID... STATUS")]
        args: Vec<String>,
    },
    /// Show a message's notes, tags and status.
    Show {
        /// The message.
        id: String,
    },
}

/// `trove collection`.
#[derive(Debug, Args)]
pub struct CollectionArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: CollectionAction,
}

/// `trove collection` actions.
#[derive(Debug, Subcommand)]
pub enum CollectionAction {
    /// Append excerpts (ID or FIRST..LAST each) to a collection, creating it if needed.
    Add {
        /// The collection.
        name: String,
        /// Message ids or ranges.
        #[arg(required = true, value_name = "ID")]
        targets: Vec<String>,
        /// An editorial note for these excerpts (Markdown).
        #[arg(long, allow_hyphen_values = true)]
        note: Option<String>,
    },
    /// List collections, or the excerpts of one.
    List {
        /// The collection.
        name: Option<String>,
    },
    /// Move the excerpt at FROM to position TO.
    Move {
        /// The collection.
        name: String,
        /// Current position (1-based).
        from: i64,
        /// New position.
        to: i64,
    },
    /// Remove the excerpt at POSITION.
    Remove {
        /// The collection.
        name: String,
        /// Its position.
        position: i64,
    },
}

/// `trove verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Check a publication's manifest.json against the case instead: every quoted message
    /// present, same source hash, same place, same text hash.
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    pub manifest: Option<PathBuf>,
}

/// `trove redact`.
#[derive(Debug, Args)]
pub struct RedactArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: RedactAction,
}

/// `trove redact` actions.
#[derive(Debug, Subcommand)]
pub enum RedactAction {
    /// Add a rule: one of --person, --text, --regex, --detector.
    #[command(group(clap::ArgGroup::new("rule").required(true).args(["person", "text", "regex", "detector"])))]
    Add {
        /// A person (account id, handle, name, or a merged person): shown as a pseudonym in
        /// senders, ids, text, @mentions, URLs and attachment names.
        #[arg(long, value_name = "NAME_OR_ID", allow_hyphen_values = true)]
        person: Option<String>,
        /// The pseudonym (default: Participant N).
        #[arg(
            long = "as",
            value_name = "PSEUDONYM",
            requires = "person",
            allow_hyphen_values = true
        )]
        pseudonym: Option<String>,
        /// An exact string (case-insensitive), replaced with [redacted].
        #[arg(long, value_name = "S", allow_hyphen_values = true)]
        text: Option<String>,
        /// A regular expression, matches replaced with [redacted].
        #[arg(long, value_name = "RE", allow_hyphen_values = true)]
        regex: Option<String>,
        /// A built-in detector: email, phone, ip, token-url, wallet, onion.
        #[arg(long, value_name = "KIND", allow_hyphen_values = true)]
        detector: Option<String>,
    },
    /// List the rules.
    List,
    /// Remove a rule by its number.
    Remove {
        /// The rule's number (from `list`).
        id: i64,
    },
    /// Show where every rule hits and how the output will read; warns about rules that hit nothing.
    Preview {
        /// Examples per rule.
        #[arg(long, default_value_t = 5)]
        examples: usize,
    },
}

/// `trove publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The collection to publish.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub collection: String,
    /// The folder to write (created; must be new, empty, or an earlier publication).
    #[arg(long, value_name = "DIR", allow_hyphen_values = true)]
    pub out: PathBuf,
    /// A minijinja template for the page (the newsroom's own look); same data as the default.
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    pub template: Option<PathBuf>,
    /// Zone of the times on the page (default: the case's zone).
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true)]
    pub tz: Option<String>,
}

/// Export file formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormatArg {
    /// Spreadsheet-safe CSV.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// RSMF 2.0 (.rsmf) for e-discovery tools.
    Rsmf,
}

/// `trove export`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("selection").required(true).args(["query", "collection"])))]
pub struct ExportArgs {
    /// The file format.
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// The file to write.
    #[arg(long, value_name = "PATH", allow_hyphen_values = true)]
    pub out: PathBuf,
    /// Export every hit of this query (oldest first).
    #[arg(long, value_name = "Q", allow_hyphen_values = true)]
    pub query: Option<String>,
    /// Export this collection's messages.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub collection: Option<String>,
    /// Start a CSV with a byte-order mark (for Excel).
    #[arg(long)]
    pub bom: bool,
}

#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Rebuild the search index even when it is up to date.
    #[arg(long)]
    pub reindex: bool,
}
