//! `trove`: the command-line front end. Flag definitions and printing only;
//! the work happens in `trove_app`.

// Before the modules, so they print through `out` (see there). `print!`
// is unused today; it is here so that a future use cannot bypass `out`.
#[allow(unused_macros)]
macro_rules! print {
    ($($arg:tt)*) => { $crate::out::print(format_args!($($arg)*)) };
}
macro_rules! println {
    () => { $crate::out::write(b"\n") };
    ($($arg:tt)*) => { $crate::out::print(format_args!("{}\n", format_args!($($arg)*))) };
}

mod annotate;
mod cli;
#[cfg(feature = "demo")]
mod demo;
mod dry_run;
mod human;
mod out;
mod progress;
mod publishing;
mod terminal;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{CommandFactory, Parser};
use serde::Serialize;
use trove_app::{AppError, Case, SearchOptions, SortOrder};
use trove_ingest::IngestOptions;
use trove_readers::{ColumnMap, ReadOptions};

use crate::cli::{Cli, Command, PeopleAction, SortArg};
use crate::terminal::Style;

/// mimalloc rather than the system allocator: glibc kept the memory that
/// indexing and merging freed, and a 10M-message ingest peaked ~400 MB
/// higher with it (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code for a user interrupt (128 + SIGINT), as shells expect.
const EXIT_INTERRUPTED: u8 = 130;

/// A failure to report: the message, where, and a hint.
pub struct Failure {
    message: String,
    location: Option<String>,
    help: Option<String>,
    code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), location: None, help: None, code: 2 }
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        let code = if e.is_interrupted() {
            EXIT_INTERRUPTED
        } else if matches!(e, AppError::Usage(_) | AppError::Query { .. }) {
            2
        } else {
            1
        };
        let location = match &e {
            AppError::Ingest(trove_ingest::IngestError::Read(read)) => {
                read.file().map(str::to_string)
            }
            _ => None,
        };
        Failure { message: e.to_string(), location, help: e.help(), code }
    }
}

/// Serves `case` until Ctrl+C, printing where.
pub(crate) fn serve(
    case: trove_app::Case,
    addr: std::net::SocketAddr,
    author: &str,
) -> Result<u8, Failure> {
    trove_server::check_addr(&addr).map_err(|message| Failure {
        message,
        location: None,
        help: Some("use --addr 127.0.0.1:PORT".into()),
        code: 2,
    })?;
    let name = case.dir().display().to_string();
    trove_server::serve(case, addr, author, |bound| {
        println!(
            "serving \"{}\" at http://{bound}/ (Ctrl+C to stop)",
            terminal::sanitize(&name, false)
        );
    })
    .map_err(|e| Failure {
        message: format!("serving on {addr}: {e}"),
        location: None,
        help: (e.kind() == std::io::ErrorKind::AddrInUse)
            .then(|| "another program uses that port; try --addr 127.0.0.1:0".into()),
        code: 1,
    })?;
    Ok(0)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    // First Ctrl+C asks the work to stop cleanly (an ingest rolls back);
    // a second one exits at once.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
    match run(cli, &interrupted) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            let style = Style::for_stderr();
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "{}: {}",
                style.error("error"),
                terminal::sanitize(&failure.message, false)
            );
            if let Some(location) = &failure.location {
                let _ = writeln!(
                    stderr,
                    "  {} {}",
                    style.dim("-->"),
                    terminal::sanitize(location, false)
                );
            }
            if let Some(help) = &failure.help {
                let _ = writeln!(stderr, "{}: {help}", style.help("help"));
            }
            ExitCode::from(failure.code)
        }
    }
}

/// What a case folder was before an ingest began, so that a failed first
/// ingest can leave it as it was: a run that fails commits nothing, and an
/// empty case folder left behind would look like a case that holds nothing.
enum FreshCase<'a> {
    /// The folder did not exist: remove it whole.
    Absent(&'a Path),
    /// The folder existed and was empty: remove what was made inside it.
    Empty(&'a Path),
    /// Anything else is a case (or someone's files): never touched.
    Existing,
}

impl<'a> FreshCase<'a> {
    fn note(dir: &'a Path) -> FreshCase<'a> {
        match std::fs::read_dir(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FreshCase::Absent(dir),
            Ok(mut entries) => match entries.next() {
                None => FreshCase::Empty(dir),
                Some(_) => FreshCase::Existing,
            },
            Err(_) => FreshCase::Existing,
        }
    }

    /// Undoes the case's creation; a failure to do so is reported, not fatal.
    fn discard(self) {
        let (dir, result) = match self {
            FreshCase::Absent(dir) => (dir, std::fs::remove_dir_all(dir)),
            FreshCase::Empty(dir) => (dir, empty_folder(dir)),
            FreshCase::Existing => return,
        };
        if let Err(e) = result {
            eprintln!(
                "warning: could not remove the new case folder {}: {e}",
                terminal::sanitize(&dir.display().to_string(), false)
            );
        }
    }
}

/// Removes everything inside `dir`, keeping `dir`.
fn empty_folder(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        // file_type does not follow links: a link is removed, not its target.
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?
        } else {
            std::fs::remove_file(entry.path())?
        }
    }
    Ok(())
}

fn case_dir(cli_case: &Option<PathBuf>) -> Result<PathBuf, Failure> {
    cli_case.clone().ok_or_else(|| Failure {
        message: "no case given".into(),
        location: None,
        help: Some(
            "pass --case DIR (or set TROVE_CASE); `trove ingest ARCHIVE --case DIR` creates one"
                .into(),
        ),
        code: 2,
    })
}

fn open_case(dir: &Path) -> Result<Case, Failure> {
    let mut bar = progress::Bar::new();
    let case = Case::open(dir, &mut bar)?;
    bar.finish();
    say_notices(&case);
    Ok(case)
}

/// Says once, on stderr, how the case opened when it matters: read-only,
/// or searching an index behind the case.
fn say_notices(case: &Case) {
    let style = Style::for_stderr();
    for notice in case.notices() {
        eprintln!("{}: {}", style.warn("note"), terminal::sanitize(notice, false));
    }
}

/// What `trove repair` did, a line per step.
fn print_repair(repair: &trove_app::RepairOutput) {
    if repair.database_problems.is_empty() {
        println!("database: sound (quick_check)");
    } else {
        println!("database: {} problem(s) found by quick_check:", repair.database_problems.len());
        for problem in &repair.database_problems {
            println!("  {}", terminal::sanitize(problem, false));
        }
    }
    println!(
        "write-ahead log: {} before, {} after{}",
        trove_ingest::space::human_bytes(repair.log_bytes_before),
        trove_ingest::space::human_bytes(repair.log_bytes_after),
        if repair.log_emptied { "" } else { " (another process holds part of it)" }
    );
    for leftover in &repair.leftovers {
        println!("deleted {leftover}, left by a killed run");
    }
    println!("index: {} file(s) of failed runs deleted", repair.index_files_deleted);
    match repair.reindexed {
        Some(count) => println!(
            "index: rebuilt from the database ({count} messages; it reflected generation {}, \
             the case is at {})",
            repair.index_generation_before, repair.generation
        ),
        None => println!("index: up to date (generation {})", repair.generation),
    }
}

/// Prints `value` as pretty JSON on stdout.
fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure {
        message: format!("serialising output: {e}"),
        location: None,
        help: None,
        code: 1,
    })?;
    println!("{text}");
    Ok(())
}

fn run(cli: Cli, interrupted: &AtomicBool) -> Result<u8, Failure> {
    match cli.command {
        Command::Ingest(args) => {
            let map = match &args.map {
                Some(spec) => {
                    ColumnMap::parse(spec).map_err(|e| Failure::usage(format!("--map: {e}")))?
                }
                None => ColumnMap::default(),
            };
            let (tz, tz_name) = match &args.tz {
                Some(name) => {
                    let zone = trove_app::parse_zone(name)
                        .map_err(|e| Failure::usage(format!("--tz: {e}")))?;
                    (Some(zone), Some(name.clone()))
                }
                None => (None, None),
            };
            let mut options = IngestOptions {
                format: args.format.clone().filter(|f| f != "auto"),
                read: ReadOptions {
                    tz,
                    tz_name,
                    map,
                    event_senders: args.event_sender.clone(),
                    date_order: args.date_order.map(|order| match order {
                        cli::DateOrderArg::DayFirst => trove_readers::timefmt::DateOrder::DayFirst,
                        cli::DateOrderArg::MonthFirst => {
                            trove_readers::timefmt::DateOrder::MonthFirst
                        }
                    }),
                    templates: args.template.clone(),
                    ts_format: args.ts_format.clone(),
                    separator: args.separator.clone(),
                    max_record_bytes: args.max_record_bytes,
                    max_conversation_bytes: args.max_conversation_bytes,
                    strict: args.strict,
                },
                // args() panics on an argument that is not UTF-8 (a leak's
                // file names often are not); the record is for people.
                command: std::env::args_os()
                    .map(|arg| arg.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
                label: args.label.clone(),
                translation: match (&args.translation_of, &args.lang) {
                    (Some(source), Some(lang)) => Some(trove_ingest::TranslationOf {
                        source: source.clone(),
                        lang: lang.clone(),
                    }),
                    _ => None,
                },
                media_dir: None,
                accept_skips: args.accept_skips,
                skips_kept: args.keep_skips,
                skip_space_check: args.no_space_check,
                reingest: if args.replace {
                    trove_ingest::Reingest::Replace
                } else if args.again {
                    trove_ingest::Reingest::Again
                } else {
                    trove_ingest::Reingest::Refuse
                },
            };
            if args.dry_run {
                // No case is opened: a dry run must not create one.
                let run = trove_ingest::dry_run(&args.paths, &options, args.sample, interrupted)
                    .map_err(|e| Failure::from(AppError::from(e)))?;
                if cli.json {
                    print_json(&dry_run::DryRunOutput::from(&run))?;
                } else {
                    dry_run::print(&run);
                }
                return Ok(0);
            }
            let dir = case_dir(&cli.case)?;
            let fresh = FreshCase::note(&dir);
            let mut bar = progress::Bar::new();
            let mut case = match Case::open_or_create(&dir, &mut bar) {
                Ok(case) => case,
                Err(e) => {
                    bar.finish();
                    fresh.discard();
                    return Err(e.into());
                }
            };
            options.media_dir = args.copy_media.then(|| case.media_dir());
            let result = case.ingest(&args.paths, &options, &mut bar, interrupted);
            bar.finish();
            if let Err(AppError::Ingest(trove_ingest::IngestError::MostlyUnattributed(inputs))) =
                &result
            {
                let style = Style::for_stderr();
                for input in inputs {
                    eprintln!(
                        "{}: {} read as {}: {}: mostly skips or records without a sender",
                        style.warn("warning"),
                        terminal::sanitize(&input.path.display().to_string(), false),
                        input.format,
                        input.tally
                    );
                }
            }
            let output = match result {
                Ok(output) => output,
                // The run is in the case; only its search index must catch up.
                Err(e @ AppError::Ingest(trove_ingest::IngestError::IndexLags { .. })) => {
                    return Err(e.into());
                }
                Err(e) => {
                    drop(case);
                    let full = trove_app::disk_nearly_full(&dir);
                    fresh.discard();
                    let mut failure = Failure::from(e);
                    failure.message.push_str(&full);
                    if !failure.message.contains("nothing of this run was kept")
                        && !failure.message.contains("nothing was written")
                    {
                        failure.message.push_str("; nothing of this run was kept");
                    }
                    return Err(failure);
                }
            };
            if interrupted.load(Ordering::SeqCst) {
                // Ctrl+C came when the commit could no longer be stopped.
                eprintln!(
                    "{}: interrupted during the commit, which had begun: the run finished and \
                     was kept",
                    Style::for_stderr().warn("note")
                );
            }
            let mut naming_problems = Vec::new();
            if let Some(names) = &args.names {
                let text = std::fs::read_to_string(names)
                    .map_err(|e| Failure::usage(format!("--names {}: {e}", names.display())))?;
                let (_, problems) = case.name_people_from_csv(&text, &cli.author.name())?;
                naming_problems = problems;
            }
            if cli.json {
                print_json(&output)?;
            } else {
                human::ingest(&output, &dir);
            }
            let style = Style::for_stderr();
            for problem in naming_problems {
                eprintln!(
                    "{}: --names: {}",
                    style.warn("warning"),
                    terminal::sanitize(&problem, false)
                );
            }
            Ok(0)
        }
        Command::Search(args) => {
            let case = open_case(&case_dir(&cli.case)?)?;
            let query = args.query.join(" ");
            let options = SearchOptions {
                limit: args.limit,
                offset: args.offset,
                sort: match args.sort {
                    SortArg::Relevance => SortOrder::Relevance,
                    SortArg::Time => SortOrder::Oldest,
                    SortArg::Newest => SortOrder::Newest,
                },
                ..SearchOptions::default()
            };
            let output = case.search(&query, &options)?;
            if cli.json {
                print_json(&output)?
            } else {
                human::search(&output, &query, args.offset)
            }
            Ok(0)
        }
        Command::Show(args) => {
            let case = open_case(&case_dir(&cli.case)?)?;
            let output = case.show(&args.id, args.context)?;
            if cli.json {
                print_json(&output)?
            } else {
                human::show(&output)
            }
            Ok(0)
        }
        Command::Stats => {
            let case = open_case(&case_dir(&cli.case)?)?;
            let output = case.stats()?;
            if cli.json {
                print_json(&output)?
            } else {
                human::stats(&output)
            }
            Ok(0)
        }
        Command::Verify(args) => {
            let case = open_case(&case_dir(&cli.case)?)?;
            if let Some(manifest) = &args.manifest {
                return publishing::verify_manifest(&case, manifest, cli.json);
            }
            let output = case.verify()?;
            if cli.json {
                print_json(&output)?
            } else {
                human::verify(&output)
            }
            Ok(if Case::verify_is_clean(&output) { 0 } else { 1 })
        }
        Command::People(args) => {
            let mut case = open_case(&case_dir(&cli.case)?)?;
            match args.action {
                None | Some(PeopleAction::List) => {
                    let output = case.people()?;
                    if cli.json { print_json(&output)? } else { human::people(&output) }
                }
                Some(PeopleAction::Merge { a, b, reason, name }) => {
                    let person =
                        case.merge_people(&a, &b, &reason, name.as_deref(), &cli.author.name())?;
                    if cli.json {
                        print_json(
                            &serde_json::json!({"person": person, "accounts": [a, b], "reason": reason}),
                        )?;
                    } else {
                        println!(
                            "{} and {} are now one person, \"{}\"",
                            terminal::sanitize(&a, false),
                            terminal::sanitize(&b, false),
                            terminal::sanitize(&person, false)
                        );
                    }
                }
                Some(PeopleAction::Name { id, name }) => {
                    case.name_person(&id, &name, &cli.author.name())?;
                    if cli.json {
                        print_json(&serde_json::json!({"id": id, "name": name, "accounts": 1}))?;
                    } else {
                        println!(
                            "named the account {} \"{}\"",
                            terminal::sanitize(&id, false),
                            terminal::sanitize(&name, false)
                        );
                    }
                }
                Some(PeopleAction::Split { account, reason }) => {
                    let person = case.split_person(&account, &reason, &cli.author.name())?;
                    if cli.json {
                        print_json(
                            &serde_json::json!({"account": account, "person": person, "reason": reason}),
                        )?;
                    } else {
                        println!(
                            "{} is no longer linked to \"{}\"",
                            terminal::sanitize(&account, false),
                            terminal::sanitize(&person, false)
                        );
                    }
                }
            }
            Ok(0)
        }
        Command::Reindex => {
            let case = open_case(&case_dir(&cli.case)?)?;
            let mut bar = progress::Bar::new();
            let count = case.reindex(&mut bar)?;
            bar.finish();
            if cli.json {
                print_json(&serde_json::json!({"indexed": count}))?
            } else {
                println!("indexed {count} messages")
            }
            Ok(0)
        }
        Command::Repair(args) => {
            let case = Case::open_for_repair(&case_dir(&cli.case)?)?;
            let mut bar = progress::Bar::new();
            let repair = case.repair(args.reindex, &mut bar)?;
            bar.finish();
            if cli.json {
                print_json(&repair)?;
            } else {
                print_repair(&repair);
            }
            Ok(if repair.database_problems.is_empty() { 0 } else { 1 })
        }
        Command::Note(args) => {
            let mut case = open_case(&case_dir(&cli.case)?)?;
            annotate::note(&mut case, args.action, &cli.author.name(), cli.json)
        }
        Command::Tag(args) => {
            let mut case = open_case(&case_dir(&cli.case)?)?;
            annotate::tag(&mut case, args.action, &cli.author.name(), cli.json)
        }
        Command::Status(args) => {
            let mut case = open_case(&case_dir(&cli.case)?)?;
            annotate::status(&mut case, args.action, &cli.author.name(), cli.json)
        }
        Command::Collection(args) => {
            let mut case = open_case(&case_dir(&cli.case)?)?;
            annotate::collection(&mut case, args.action, &cli.author.name(), cli.json)
        }
        Command::Redact(args) => {
            let mut case = open_case(&case_dir(&cli.case)?)?;
            publishing::redact(&mut case, args.action, &cli.author.name(), cli.json)
        }
        Command::Publish(args) => {
            publishing::publish(&open_case(&case_dir(&cli.case)?)?, &args, cli.json)
        }
        Command::Export(args) => {
            publishing::export(&open_case(&case_dir(&cli.case)?)?, &args, cli.json)
        }
        Command::Audit { limit } => {
            annotate::audit(&open_case(&case_dir(&cli.case)?)?, limit, cli.json)
        }
        #[cfg(feature = "demo")]
        Command::Demo(args) => {
            demo::run(cli.case, cli.json, &args, &cli.author.name(), interrupted)
        }
        Command::Zone { name } => {
            let case = open_case(&case_dir(&cli.case)?)?;
            if let Some(name) = name {
                case.set_zone(&name)?;
            }
            let zone = case.zone_name()?;
            if cli.json {
                print_json(&serde_json::json!({"zone": zone}))?;
            } else {
                println!("{zone}");
            }
            Ok(0)
        }
        Command::Serve(args) => {
            let dir = case_dir(&cli.case)?;
            let case = open_case(&dir)?;
            serve(case, args.addr, &cli.author.name())
        }
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "trove", &mut script);
            out::write(&script);
            Ok(0)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page).map_err(|e| Failure {
                message: format!("writing the man page: {e}"),
                location: None,
                help: None,
                code: 1,
            })?;
            out::write(&page);
            Ok(0)
        }
    }
}
