//! Human output. Every string from the evidence passes through
//! `terminal::sanitize` before it reaches the terminal.

use std::path::Path;

use trove_app::{
    IngestOutput, MessageOutput, PairingOutput, PeopleOutput, SearchOutput, ShowOutput,
    StatsOutput, VerifyOutput,
};

use crate::terminal::{Style, sanitize, snippet_for_terminal};

/// `2016-06-13T14:30:05.000Z` → `2016-06-13 14:30:05 UTC`.
fn when(rfc3339: &str) -> String {
    let trimmed = rfc3339.trim_end_matches('Z');
    let trimmed = trimmed.split('.').next().unwrap_or(trimmed);
    format!("{} UTC", trimmed.replacen('T', " ", 1))
}

/// [`when`], flagged when the source stated no zone and one was assumed.
fn when_flagged(m: &MessageOutput, style: Style) -> String {
    match m.zone_assumed {
        Some(_) => format!("{}{}", when(&m.sent_at), style.dim(" · zone assumed")),
        None => when(&m.sent_at),
    }
}

fn who(m: &MessageOutput) -> String {
    sanitize(m.sender.as_deref().or(m.sender_id.as_deref()).unwrap_or("(nobody)"), false)
}

pub fn ingest(output: &IngestOutput, case: &Path) {
    let style = Style::for_stdout();
    for input in &output.inputs {
        let how = if input.detected { "detected" } else { "as requested" };
        println!("{} read as {} ({how})", sanitize(&input.path, false), style.bold(&input.format));
        if input.mostly_unattributed {
            eprintln!(
                "{}: {} read as {}: {} messages, {} records without a sender, {} skips: mostly \
                 skips or records without a sender, kept as --accept-skips asks",
                Style::for_stderr().warn("warning"),
                sanitize(&input.path, false),
                input.format,
                input.messages,
                input.without_sender,
                input.skips
            );
        }
    }
    println!(
        "{} messages and {} events added, {} duplicates{}, {} source file(s) into {}",
        style.bold(&output.messages_added.to_string()),
        output.events_added,
        output.duplicates,
        duplicate_breakdown(output),
        output.sources,
        sanitize(&case.display().to_string(), false)
    );
    for line in notice_lines(output) {
        println!("{line}");
    }
    if let Some(line) = replaced_line(output) {
        println!("{line}");
    }
    if let Some(line) = orphaned_line(output) {
        eprintln!("{}: {line}", Style::for_stderr().warn("warning"));
    }
    if output.translations_added > 0 {
        println!("{} translations attached to their original messages", output.translations_added);
    }
    if let Some(pairing) = &output.translation_pairing {
        for line in pairing_lines(pairing) {
            println!("{line}");
        }
    }
    if output.media_files > 0 {
        let copied = if output.media_copied > 0 {
            format!(", {} copied into the case", output.media_copied)
        } else {
            String::new()
        };
        println!("{} attached file(s) found in the export and hashed{copied}", output.media_files);
    }
    if output.skipped_total > 0 {
        let warn = Style::for_stderr();
        eprintln!(
            "{}: {} record(s) could not be read:",
            warn.warn("warning"),
            output.skipped_total
        );
        for skip in output.skipped.iter().take(20) {
            eprintln!(
                "  {} at byte {}: {}",
                sanitize(&skip.file, false),
                skip.offset,
                sanitize(&skip.reason, false)
            );
        }
        let shown = output.skipped.len().min(20) as u64;
        if output.skipped_total > shown {
            let kept = output.skipped.len() as u64;
            let where_ = if output.skipped_total > kept {
                format!("--json lists the first {kept}")
            } else {
                "see --json".to_string()
            };
            eprintln!(
                "  … and {} more ({where_}); by kind of reason:",
                output.skipped_total - shown
            );
            let mut kinds: Vec<(&String, &u64)> = output.skip_reasons.iter().collect();
            kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (kind, count) in kinds.iter().take(8) {
                eprintln!("  {count:>10}  {}", sanitize(kind, false));
            }
            if kinds.len() > 8 {
                eprintln!("  … and {} other kinds of reason (see --json)", kinds.len() - 8);
            }
        }
    }
}

/// ` (3 same id within this run, 2 already in the case)`, or nothing.
fn duplicate_breakdown(output: &IngestOutput) -> String {
    if output.duplicate_reasons.is_empty() {
        return String::new();
    }
    let parts: Vec<String> =
        output.duplicate_reasons.iter().map(|(reason, n)| format!("{n} {reason}")).collect();
    format!(" ({})", parts.join(", "))
}

/// What `--replace` removed, or nothing: `replaced the earlier reading of
/// 1 source: 10 messages and 3 events removed (the counts above are the new
/// reading)`.
fn replaced_line(output: &IngestOutput) -> Option<String> {
    let r = &output.replaced;
    if r.sources == 0 {
        return None;
    }
    let translations = if r.translations > 0 {
        format!(", and {} translation(s)", r.translations)
    } else {
        String::new()
    };
    Some(format!(
        "replaced the earlier reading of {} source(s): {} messages and {} events removed{translations} \
         (the counts above are the new reading)",
        r.sources, r.messages, r.events
    ))
}

/// Annotations `--replace` left without a message, or nothing: `3 notes and
/// 1 tag now point at no message ...`.
fn orphaned_line(output: &IngestOutput) -> Option<String> {
    let o = &output.annotations_without_message;
    if o.total() == 0 {
        return None;
    }
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let parts: Vec<String> = [
        (o.notes, "note", "notes"),
        (o.tags, "tag", "tags"),
        (o.statuses, "review status", "review statuses"),
        (o.collection_items, "collection item", "collection items"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(n, one, many))
    .collect();
    let verb = if o.total() == 1 { "points" } else { "point" };
    Some(format!(
        "{} now {verb} at no message: the new reading gave their messages other ids (they are \
         kept, and find their message again if a later reading gives its id back)",
        parts.join(", ")
    ))
}

/// What pairing a translated copy came to: the rate, how, and what is
/// left over on each side.
pub(crate) fn pairing_lines(pairing: &PairingOutput) -> Vec<String> {
    let paired = pairing.paired_by_time + pairing.paired_by_order;
    let rate = pairing.rate_percent.map(|r| format!(" ({r:.1}%)")).unwrap_or_default();
    let mut lines = vec![format!(
        "translation pairing: {paired} of {} translated records paired{rate}: {} by time, {} by \
         sender and order where the time was rewritten",
        pairing.records, pairing.paired_by_time, pairing.paired_by_order
    )];
    if pairing.unpaired > 0 {
        lines.push(format!(
            "  {} translated records unpaired (listed with the skips)",
            pairing.unpaired
        ));
    }
    if pairing.originals_untranslated > 0 {
        lines.push(format!(
            "  {} original messages have no translation from this copy",
            pairing.originals_untranslated
        ));
    }
    for file in &pairing.files_without_original {
        lines.push(format!("  no original file for {}", sanitize(file, false)));
    }
    lines
}

/// How many notices of one kind are shown one by one.
const NOTICES_SHOWN: usize = 5;

/// The notice counts, one line per kind, each followed by its first few
/// notices: `12 continuation lines folded into messages`, `1 field dropped:
/// rocketchat reactions (expected an object, found an array) at file@offset`.
pub(crate) fn notice_lines(output: &IngestOutput) -> Vec<String> {
    let mut lines = Vec::new();
    for (kind, &count) in &output.notice_counts {
        let of_kind: Vec<_> = output.notices.iter().filter(|n| &n.kind == kind).collect();
        let plural = if count == 1 { "" } else { "s" };
        let head = match kind.as_str() {
            "lines_folded" => {
                lines.push(format!("{count} continuation line{plural} folded into messages"));
                continue;
            }
            "field_dropped" => format!("{count} field{plural} dropped"),
            "events_not_kept" => format!("{count} event{plural} without a message not kept"),
            other => format!("{count} notice{plural} ({other})"),
        };
        match of_kind.as_slice() {
            [only] if count == 1 => lines.push(format!(
                "{head}: {} at {}@{}",
                sanitize(&only.reason, false),
                sanitize(&only.file, false),
                only.offset
            )),
            shown => {
                lines.push(format!("{head}:"));
                for n in shown.iter().take(NOTICES_SHOWN) {
                    lines.push(format!(
                        "  {} at {}@{}",
                        sanitize(&n.reason, false),
                        sanitize(&n.file, false),
                        n.offset
                    ));
                }
                if count > NOTICES_SHOWN as u64 {
                    lines.push("  … (see --json)".to_string());
                }
            }
        }
    }
    lines
}

pub fn search(output: &SearchOutput, query: &str, offset: usize) {
    let style = Style::for_stdout();
    for warning in &output.warnings {
        eprintln!("{}: {}", Style::for_stderr().warn("warning"), sanitize(warning, false));
    }
    println!(
        "{} match{} for {} ({:.1} ms)",
        style.bold(&output.total.to_string()),
        if output.total == 1 { "" } else { "es" },
        sanitize(query, false),
        output.took_ms
    );
    for (i, hit) in output.hits.iter().enumerate() {
        println!(
            "\n{:>4}. {}  {}  in {}  {}",
            offset + i + 1,
            when_flagged(hit, style),
            style.bold(&who(hit)),
            sanitize(&hit.conversation, false),
            style.dim(&hit.id)
        );
        let snippet = hit.snippet.as_deref().unwrap_or("");
        println!("      {}", snippet_for_terminal(snippet, style));
    }
    if (offset + output.hits.len()) < output.total as usize {
        println!("\n{}", style.dim(&format!("more with --offset {}", offset + output.hits.len())));
    }
}

fn print_line(m: &MessageOutput, style: Style, focus: bool) {
    let marker = if focus { ">" } else { " " };
    let body = if m.kind == "message" {
        sanitize(&m.text, true).replace('\n', "\n                              ")
    } else {
        style.dim(&format!("[{}] {}", m.kind, sanitize(&m.text, false)))
    };
    let name = who(m);
    let name = if focus { style.bold(&name) } else { name };
    println!("{marker} {}  {name}: {body}", when_flagged(m, style));
}

pub fn show(output: &ShowOutput) {
    let style = Style::for_stdout();
    let m = &output.message;
    println!(
        "{} in {} ({})",
        style.bold(&m.id),
        sanitize(&m.conversation, false),
        sanitize(&m.platform, false)
    );
    println!();
    for before in &output.before {
        print_line(before, style, false);
    }
    print_line(m, style, true);
    for after in &output.after {
        print_line(after, style, false);
    }
    println!();
    if let Some(native) = &m.native_id {
        println!("platform id   {}", sanitize(native, false));
    }
    println!(
        "sent          {} (source wrote {:?}, {})",
        when(&m.sent_at),
        sanitize(&m.sent_at_original, false),
        m.time_basis
    );
    if let Some(zone) = &m.zone_assumed {
        println!("zone          assumed: {} (the source states none)", sanitize(zone, false));
    }
    if let Some(sender_id) = &m.sender_id {
        println!("sender id     {}", sanitize(sender_id, false));
    }
    for translation in &m.translations {
        println!(
            "translation   [{}] {}",
            sanitize(&translation.lang, false),
            sanitize(&translation.text, true)
        );
    }
    if let Some(edited) = &m.edited_at {
        println!("edited        {}", when(edited));
    }
    for edit in &m.edits {
        println!("earlier text  {}", sanitize(&edit.text, true));
    }
    if let Some(thread) = &m.thread {
        println!("thread        {}", sanitize(thread, false));
    }
    if let Some(reply_to) = &m.reply_to {
        println!("reply to      {}", sanitize(reply_to, false));
    }
    if let Some(forwarded) = &m.forwarded_from {
        println!("forwarded     from {}", sanitize(forwarded, false));
    }
    if m.deleted {
        println!("deleted       (the source marks it deleted)");
    }
    let annotations = &output.annotations;
    if annotations.status != "unread" {
        println!("status        {}", annotations.status);
    }
    if !annotations.tags.is_empty() {
        println!("tags          {}", sanitize(&annotations.tags.join(", "), false));
    }
    for note in &annotations.notes {
        println!(
            "note {:<8} {} ({})",
            note.id,
            sanitize(&note.body, true),
            sanitize(&note.author, false)
        );
    }
    for reaction in &m.reactions {
        println!(
            "reaction      {} by {}",
            sanitize(&reaction.reaction, false),
            sanitize(&reaction.sender_id, false)
        );
    }
    for url in &m.urls {
        println!(
            "link          {}{}",
            sanitize(&url.url, false),
            url.expanded
                .as_deref()
                .map(|e| format!(" → {}", sanitize(e, false)))
                .unwrap_or_default()
        );
    }
    for attachment in &m.attachments {
        println!(
            "attachment    {} ({})",
            sanitize(&attachment.name, false),
            sanitize(&attachment.reference, false)
        );
        if let (Some(sha256), Some(size)) = (&attachment.sha256, attachment.size) {
            let at = attachment.entry.as_deref().unwrap_or("");
            println!("              {size} bytes, sha256 {sha256} {}", sanitize(at, false));
        }
    }
    if let Some(source) = &m.source {
        println!("source        {}", sanitize(&source.path, false));
        println!("cite as       {}", sanitize(&source.citation, false));
    }
}

pub fn stats(output: &StatsOutput) {
    let style = Style::for_stdout();
    println!(
        "{} messages, {} events, {} conversations",
        style.bold(&output.messages.to_string()),
        output.events,
        output.conversations
    );
    if let (Some(first), Some(last)) = (&output.first, &output.last) {
        println!("from {} to {}", when(first), when(last));
    }
    println!("\n{}", style.bold("participants"));
    for p in output.participants.iter().take(30) {
        println!(
            "  {:>8}  {}  {}",
            p.messages,
            sanitize(&p.name, false),
            style.dim(&format!("{} {}", p.platform, sanitize(&p.id, false)))
        );
    }
    if output.participants.len() > 30 {
        println!("  … and {} more (trove people)", output.participants.len() - 30);
    }
    println!("\n{}", style.bold("sources"));
    for s in &output.sources {
        println!(
            "  {}  {}  {}  {}",
            style.dim(&s.sha256[..s.sha256.len().min(16)]),
            s.format,
            sanitize(&s.label, false),
            sanitize(&s.path, false)
        );
        if !s.options.is_empty() {
            println!("      {}", style.dim(&sanitize(&s.options, false)));
        }
    }
}

pub fn verify(output: &VerifyOutput) {
    let style = Style::for_stdout();
    println!(
        "{} source(s) unchanged, {} changed or missing",
        output.sources_ok, output.sources_changed
    );
    for s in &output.source_findings {
        println!("  {} {}", style.error(&s.status), sanitize(&s.path, false));
    }
    if output.findings.is_empty() {
        println!("no consistency findings");
    } else {
        println!("{} finding(s):", style.bold(&output.findings.len().to_string()));
        for f in &output.findings {
            println!(
                "  {}  {}  {}: {}",
                f.message_id,
                sanitize(f.native_id.as_deref().unwrap_or("-"), false),
                style.warn(&f.check),
                sanitize(&f.detail, false)
            );
        }
    }
}

pub fn people(output: &PeopleOutput) {
    let style = Style::for_stdout();
    for person in &output.persons {
        println!("{:>8}  {}", person.messages, style.bold(&sanitize(&person.name, false)));
        for (account, reason) in person.accounts.iter().zip(&person.reasons) {
            println!(
                "          #{} {} {} ({} messages) {}",
                account.row,
                account.platform,
                sanitize(&account.id, false),
                account.messages,
                style.dim(&format!("— {}", sanitize(reason, false)))
            );
        }
    }
    if !output.persons.is_empty() {
        println!();
    }
    for p in &output.people {
        let range = match (&p.first, &p.last) {
            (Some(first), Some(last)) => {
                format!("{} – {}", &first[..10.min(first.len())], &last[..10.min(last.len())])
            }
            _ => String::new(),
        };
        // The row first: `#ROW` names exactly this account in every command.
        println!(
            "{:>6}  {:>8}  {:<30}  {}  {}",
            format!("#{}", p.row),
            p.messages,
            sanitize(&p.name, false),
            style.dim(&format!("{} {}", p.platform, sanitize(&p.id, false))),
            style.dim(&range)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trove_app::NoticeOutput;

    #[test]
    fn notices_and_duplicates_read_as_sentences() {
        let notice = |kind: &str, count: u64, reason: &str| NoticeOutput {
            file: "dump/GENERAL/2021-11-23.json".to_string(),
            offset: 14,
            kind: kind.to_string(),
            count,
            reason: reason.to_string(),
        };
        let output = IngestOutput {
            sources: 1,
            messages_added: 3,
            events_added: 0,
            duplicates: 3,
            duplicate_reasons: [
                ("already in the case".to_string(), 2),
                ("same id within this run".to_string(), 1),
            ]
            .into_iter()
            .collect(),
            notice_counts: [("field_dropped".to_string(), 1), ("lines_folded".to_string(), 12)]
                .into_iter()
                .collect(),
            notices: vec![
                notice("lines_folded", 12, "12 continuation lines folded into 4 messages"),
                notice(
                    "field_dropped",
                    1,
                    "rocketchat reactions (expected an object, found an array)",
                ),
            ],
            translations_added: 0,
            translation_pairing: None,
            media_files: 0,
            media_copied: 0,
            skipped: Vec::new(),
            skipped_total: 0,
            skip_reasons: Default::default(),
            inputs: Vec::new(),
            replaced: Default::default(),
            annotations_without_message: Default::default(),
        };
        assert_eq!(
            duplicate_breakdown(&output),
            " (2 already in the case, 1 same id within this run)"
        );
        assert_eq!(
            notice_lines(&output),
            vec![
                "1 field dropped: rocketchat reactions (expected an object, found an array) at \
                 dump/GENERAL/2021-11-23.json@14"
                    .to_string(),
                "12 continuation lines folded into messages".to_string(),
            ]
        );
    }
}
