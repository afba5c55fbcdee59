//! `trove note`, `tag`, `status`, `collection` and `audit`: printing only.

use trove_app::{Case, NoteOutput};

use crate::cli::{CollectionAction, NoteAction, StatusAction, TagAction};
use crate::terminal::sanitize;
use crate::{Failure, print_json};

/// Splits `ID... LAST` arguments into the ids and the last value.
fn ids_then(mut args: Vec<String>, what: &str) -> Result<(Vec<String>, String), Failure> {
    let last =
        args.pop().ok_or_else(|| Failure::usage(format!("give message ids, then the {what}")))?;
    if args.is_empty() {
        return Err(Failure::usage(format!("give at least one message id before the {what}")));
    }
    Ok((args, last))
}

fn print_note(note: &NoteOutput) {
    let range = if note.message_id == note.last_message_id {
        note.message_id.clone()
    } else {
        format!("{}..{}", note.message_id, note.last_message_id)
    };
    let deleted = match (&note.deleted_at, &note.deleted_by) {
        (Some(at), Some(by)) => format!("  [deleted {at} by {}]", sanitize(by, false)),
        _ => String::new(),
    };
    println!(
        "note {} on {range} by {} at {}{deleted}\n  {}",
        note.id,
        sanitize(&note.author, false),
        note.updated_at,
        sanitize(&note.body, false).replace('\n', "\n  ")
    );
}

pub(crate) fn note(
    case: &mut Case,
    action: NoteAction,
    author: &str,
    json: bool,
) -> Result<u8, Failure> {
    match action {
        NoteAction::Add { target, text } => {
            let note = case.add_note(&target, &text.join(" "), author)?;
            if json { print_json(&note)? } else { print_note(&note) }
        }
        NoteAction::List { message, deleted } => {
            let notes = case.notes(message.as_deref(), deleted)?;
            if json {
                print_json(&notes)?
            } else if notes.is_empty() {
                println!("no notes");
            } else {
                notes.iter().for_each(print_note);
            }
        }
        NoteAction::Edit { id, text } => {
            let note = case.edit_note(id, &text.join(" "), author)?;
            if json { print_json(&note)? } else { print_note(&note) }
        }
        NoteAction::Remove { id } => {
            let note = case.delete_note(id, author)?;
            if json { print_json(&note)? } else { print_note(&note) }
        }
    }
    Ok(0)
}

pub(crate) fn tag(
    case: &mut Case,
    action: TagAction,
    author: &str,
    json: bool,
) -> Result<u8, Failure> {
    match action {
        TagAction::Add { args } => {
            let (ids, tag) = ids_then(args, "tag")?;
            let added = case.add_tag(&ids, &tag, author)?;
            if json {
                print_json(&serde_json::json!({"tag": tag, "added": added, "messages": ids.len()}))?
            } else {
                println!("tagged {added} message(s) {}", sanitize(&tag, false));
            }
        }
        TagAction::Remove { args } => {
            let (ids, tag) = ids_then(args, "tag")?;
            let removed = case.remove_tag(&ids, &tag, author)?;
            if json {
                print_json(&serde_json::json!({"tag": tag, "removed": removed}))?
            } else {
                println!("removed {} from {removed} message(s)", sanitize(&tag, false));
            }
        }
        TagAction::List => {
            let tags = case.tags()?;
            if json {
                print_json(&tags)?
            } else if tags.is_empty() {
                println!("no tags");
            } else {
                for tag in tags {
                    println!(
                        "{:>6}  {}  {}",
                        tag.message_ids.len(),
                        sanitize(&tag.tag, false),
                        tag.message_ids.join(" ")
                    );
                }
            }
        }
    }
    Ok(0)
}

pub(crate) fn status(
    case: &mut Case,
    action: StatusAction,
    author: &str,
    json: bool,
) -> Result<u8, Failure> {
    match action {
        StatusAction::Set { args } => {
            let (ids, status) = ids_then(args, "status")?;
            let set = case.set_status(&ids, &status, author)?;
            let status = trove_app::review_status(&status).map_err(Failure::usage)?;
            if json {
                print_json(&serde_json::json!({"status": status, "messages": set}))?
            } else {
                println!("{set} message(s) now {status}");
            }
        }
        StatusAction::Show { id } => {
            let message = case.find_message(&id)?;
            let annotations = case.annotations(&message)?;
            if json {
                print_json(&annotations)?
            } else {
                println!("status: {}", annotations.status);
                if !annotations.tags.is_empty() {
                    println!("tags: {}", sanitize(&annotations.tags.join(", "), false));
                }
                annotations.notes.iter().for_each(print_note);
            }
        }
    }
    Ok(0)
}

pub(crate) fn collection(
    case: &mut Case,
    action: CollectionAction,
    author: &str,
    json: bool,
) -> Result<u8, Failure> {
    match action {
        CollectionAction::Add { name, targets, note } => {
            let positions = case.collection_add(&name, &targets, note.as_deref(), author)?;
            if json {
                print_json(&serde_json::json!({"collection": name, "positions": positions}))?
            } else {
                println!(
                    "added {} excerpt(s) to {} at #{}",
                    positions.len(),
                    sanitize(&name, false),
                    positions.iter().map(i64::to_string).collect::<Vec<_>>().join(", #")
                );
            }
        }
        CollectionAction::List { name: None } => {
            let all = case.collections()?;
            if json {
                print_json(&all)?
            } else if all.is_empty() {
                println!("no collections (create one with `trove collection add NAME ID`)");
            } else {
                for c in all {
                    println!("{:>5}  {}", c.excerpts, sanitize(&c.name, false));
                }
            }
        }
        CollectionAction::List { name: Some(name) } => {
            let collection = case.collection(&name)?;
            if json {
                print_json(&collection)?
            } else {
                for excerpt in &collection.excerpts {
                    println!("#{} {}", excerpt.position, excerpt.message_id);
                    if let Some(note) = &excerpt.note {
                        println!("  note: {}", sanitize(note, false));
                    }
                    for m in &excerpt.messages {
                        println!(
                            "  {}  {}: {}",
                            m.sent_at,
                            sanitize(m.sender.as_deref().unwrap_or("-"), false),
                            sanitize(&m.text, false)
                        );
                    }
                }
            }
        }
        CollectionAction::Move { name, from, to } => {
            case.collection_move(&name, from, to, author)?;
            if json {
                print_json(&serde_json::json!({"collection": name, "from": from, "to": to}))?
            } else {
                println!("moved #{from} to #{to}");
            }
        }
        CollectionAction::Remove { name, position } => {
            case.collection_remove(&name, position, author)?;
            if json {
                print_json(&serde_json::json!({"collection": name, "removed": position}))?
            } else {
                println!("removed #{position}");
            }
        }
    }
    Ok(0)
}

pub(crate) fn audit(case: &Case, limit: usize, json: bool) -> Result<u8, Failure> {
    let log = case.annotation_log(limit)?;
    if json {
        print_json(&log)?;
    } else {
        for line in log {
            println!(
                "{}  {:<18} {:<16} {} {}",
                line.at,
                sanitize(&line.author, false),
                line.action,
                line.message_id.as_deref().unwrap_or("-"),
                sanitize(&line.detail, false)
            );
        }
    }
    Ok(0)
}
