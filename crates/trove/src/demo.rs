//! `trove demo`: a case built from bundled, made-up data.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use trove_app::{Case, NewRule, SearchOptions, SortOrder};
use trove_ingest::IngestOptions;
use trove_readers::{ColumnMap, ReadOptions};

use crate::cli::DemoArgs;
use crate::{Failure, human, print_json, progress};

const TRANSCRIPT: &str = include_str!("../demo/transcript.csv");
const DEMO_MARK: &str = "demo";
const DEFAULT_DIR: &str = "trove-demo";

/// Example searches the demo runs, showing the query language.
pub const EXAMPLES: &[&str] =
    &["password", "\"пароль\"", "пароль", "drop* from:Emma", "release -leak after:2016-01-01"];

/// Names for the generated group's accounts, so the demo reads like a case
/// after a reporter attributed the ids.
const NAMES: &[&str] = &[
    "Ada Quill",
    "Bram Vos",
    "Chen Lu",
    "Dana Roth",
    "Eli Noor",
    "Fay Marsh",
    "Gus Ivers",
    "Hana Kilic",
    "Ivo Brandt",
    "Jun Park",
];

fn failure(message: String) -> Failure {
    Failure { message, location: None, help: None, code: 1 }
}

fn prepare_dir(dir: &Path) -> Result<(), Failure> {
    if !dir.exists() {
        return Ok(());
    }
    let is_demo = dir.join("case.db").is_file()
        && trove_store::Store::open(&dir.join("case.db"))
            .ok()
            .and_then(|s| s.meta(DEMO_MARK).ok().flatten())
            .is_some();
    let is_empty = std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
    if is_demo {
        std::fs::remove_dir_all(dir).map_err(|e| failure(format!("{}: {e}", dir.display())))?;
        Ok(())
    } else if is_empty {
        Ok(())
    } else {
        Err(Failure {
            message: format!("`{}` exists and is not a demo case; not touching it", dir.display()),
            location: None,
            help: Some("choose another folder with --case".into()),
            code: 1,
        })
    }
}

pub fn run(
    case: Option<PathBuf>,
    json: bool,
    args: &DemoArgs,
    author: &str,
    interrupted: &AtomicBool,
) -> Result<u8, Failure> {
    let dir = case.unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    prepare_dir(&dir)?;
    let data = dir.join("demo-data");
    std::fs::create_dir_all(&data).map_err(|e| failure(format!("{}: {e}", data.display())))?;

    // A synthetic Twitter archive: one big group DM plus a few 1:1 chats.
    let archive = trove_testkit::twitter::Builder::new(2015).group_messages(args.messages).build();
    let zip = data.join("twitter-archive.zip");
    archive.write_zip(&zip).map_err(|e| failure(format!("{}: {e}", zip.display())))?;
    let transcript = data.join("release-desk-transcript.csv");
    std::fs::write(&transcript, TRANSCRIPT)
        .map_err(|e| failure(format!("{}: {e}", transcript.display())))?;

    let mut bar = progress::Bar::new();
    let mut case = Case::open_or_create(&dir, &mut bar)?;
    case.store().set_meta(DEMO_MARK, "1").map_err(|e| failure(e.to_string()))?;
    let twitter = case.ingest(
        &[zip],
        &IngestOptions { command: "trove demo".into(), ..IngestOptions::default() },
        &mut bar,
        interrupted,
    )?;
    let zone = trove_app::parse_zone("Europe/Berlin").map_err(failure)?;
    let csv_options = IngestOptions {
        format: Some("csv".into()),
        read: ReadOptions {
            tz: Some(zone),
            tz_name: Some("Europe/Berlin".into()),
            map: ColumnMap::parse("text=text,sent_at=date,sender=user").map_err(failure)?,
            event_senders: vec!["system".into()],
            ..ReadOptions::default()
        },
        command: "trove demo".into(),
        ..IngestOptions::default()
    };
    let transcript_output = case.ingest(&[transcript], &csv_options, &mut bar, interrupted)?;
    bar.finish();

    // Attribute the generated accounts, as a reporter would.
    let people = case.people()?;
    for (person, name) in
        people.people.iter().filter(|p| p.platform == "twitter" && p.handle.is_none()).zip(NAMES)
    {
        case.name_person(&format!("#{}", person.row), name, author)?;
    }

    let published = annotate_and_publish(&mut case, &dir, author)?;

    let mut searches = Vec::new();
    for query in EXAMPLES {
        let output = case.search(query, &SearchOptions { limit: 3, ..SearchOptions::default() })?;
        searches.push((query, output));
    }
    if json {
        let searches: Vec<_> =
            searches.iter().map(|(q, o)| serde_json::json!({"query": q, "result": o})).collect();
        print_json(&serde_json::json!({
            "case": dir.display().to_string(),
            "ingest": [twitter, transcript_output],
            "searches": searches,
        }))?;
    } else {
        human::ingest(&twitter, &dir);
        human::ingest(&transcript_output, &dir);
        for (query, output) in &searches {
            println!("\n$ trove search --case {} '{query}'", dir.display());
            human::search(output, query, 0);
        }
        println!(
            "\nThe demo case is in {}; try `trove stats --case {}`.",
            dir.display(),
            dir.display()
        );
        println!(
            "A collection of excerpts with notes and pseudonyms is published at {}",
            published.join("index.html").display()
        );
    }
    if args.no_serve {
        return Ok(0);
    }
    crate::serve(case, args.addr, author)
}

/// What a reporter does next: notes, a tag, a status, a collection of
/// excerpts, redaction rules, and a publication (into `DIR/published`).
fn annotate_and_publish(case: &mut Case, dir: &Path, author: &str) -> Result<PathBuf, Failure> {
    let options = SearchOptions { limit: 50, sort: SortOrder::Oldest, ..SearchOptions::default() };
    let desk: Vec<String> =
        case.search("platform:transcript", &options)?.hits.into_iter().map(|h| h.id).collect();
    let [first, _, third, _, fifth, sixth, seventh, ..] = desk.as_slice() else {
        return Err(failure(format!(
            "the demo transcript has {} messages, expected 10",
            desk.len()
        )));
    };
    case.add_note(
        &format!("{first}..{third}"),
        "**Note:** \"the drop\" is the mail archive; the group settles it in three minutes.",
        author,
    )?;
    case.add_tag(&[sixth.clone(), seventh.clone()], "passwords", author)?;
    case.set_status(std::slice::from_ref(fifth), "to-verify", author)?;
    let story = "Release desk, October 2016";
    case.collection_add(
        story,
        &[format!("{first}..{third}")],
        Some("From October 3, 2016: the desk plans the release."),
        author,
    )?;
    case.collection_add(
        story,
        std::slice::from_ref(fifth),
        Some("Note: the log was never published; we could not verify it."),
        author,
    )?;
    case.collection_add(story, &[sixth.clone(), seventh.clone()], None, author)?;
    case.add_redaction(
        NewRule::Person { reference: "Lotte".into(), pseudonym: Some("Source L".into()) },
        author,
    )?;
    case.add_redaction(NewRule::Text("staging box".into()), author)?;
    let out = dir.join("published");
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| failure(format!("{}: {e}", out.display())))?;
    }
    case.publish(story, &out, None, Some("Europe/Berlin"))?;
    Ok(out)
}
