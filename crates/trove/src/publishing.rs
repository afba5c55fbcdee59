//! `trove redact`, `publish`, `export` and `verify --manifest`: printing only.

use std::path::Path;

use trove_app::{Case, ExportFormat, NewRule, RuleOutput, Selection};

use crate::cli::{ExportArgs, ExportFormatArg, PublishArgs, RedactAction};
use crate::terminal::{Style, sanitize};
use crate::{Failure, print_json};

fn print_rule(rule: &RuleOutput) {
    let shown = match &rule.pseudonym {
        Some(p) => format!(" as \"{}\"", sanitize(p, false)),
        None => String::new(),
    };
    println!("{:>4}  {:<8} {}{shown}", rule.id, rule.kind, sanitize(&rule.value, false));
    if !rule.accounts.is_empty() {
        println!("        accounts: {}", sanitize(&rule.accounts.join(", "), false));
    } else if rule.kind == "person" {
        println!("        no account matches; redacted as a name in text");
    }
    let implied: Vec<String> = rule
        .covers
        .iter()
        .filter_map(|c| {
            let only = if c.reach == "marked" { ", only as <x> @x * x x:" } else { "" };
            c.from.as_ref().map(|from| format!("{} (of {from}{only})", c.value))
        })
        .collect();
    if !implied.is_empty() {
        println!("        also: {}", sanitize(&implied.join(", "), false));
    }
}

pub(crate) fn redact(
    case: &mut Case,
    action: RedactAction,
    author: &str,
    json: bool,
) -> Result<u8, Failure> {
    match action {
        RedactAction::Add { person, pseudonym, text, regex, detector } => {
            let rule = match (person, text, regex, detector) {
                (Some(reference), ..) => NewRule::Person { reference, pseudonym },
                (_, Some(text), ..) => NewRule::Text(text),
                (_, _, Some(regex), _) => NewRule::Regex(regex),
                (_, _, _, Some(detector)) => NewRule::Detector(detector),
                _ => {
                    return Err(Failure::usage(
                        "give one of --person, --text, --regex, --detector",
                    ));
                }
            };
            let rule = case.add_redaction(rule, author)?;
            if json { print_json(&rule)? } else { print_rule(&rule) }
        }
        RedactAction::List => {
            let rules = case.redactions()?;
            if json {
                print_json(&rules)?
            } else if rules.is_empty() {
                println!("no redaction rules");
            } else {
                rules.iter().for_each(print_rule);
            }
        }
        RedactAction::Remove { id } => {
            case.remove_redaction(id, author)?;
            if json {
                print_json(&serde_json::json!({"removed": id}))?
            } else {
                println!("removed rule {id}")
            }
        }
        RedactAction::Preview { examples } => {
            let preview = case.redaction_preview(examples)?;
            if json {
                print_json(&preview)?;
            } else {
                println!("{} messages looked at", preview.messages);
                for rule in &preview.rules {
                    println!();
                    print_rule(&rule.rule);
                    println!("      {} hit(s) in {} message(s)", rule.hits, rule.messages);
                    for example in &rule.examples {
                        println!(
                            "      {} {:<12} {}\n      {:<26} -> {}",
                            example.message_id,
                            example.field,
                            sanitize(&example.before, false),
                            "",
                            sanitize(&example.after, false)
                        );
                    }
                }
            }
            let style = Style::for_stderr();
            for warning in &preview.warnings {
                eprintln!("{}: {}", style.warn("warning"), sanitize(warning, false));
            }
        }
    }
    Ok(0)
}

pub(crate) fn publish(case: &Case, args: &PublishArgs, json: bool) -> Result<u8, Failure> {
    let template = match &args.template {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("--template {}: {e}", path.display())))?,
        ),
        None => None,
    };
    let output =
        case.publish(&args.collection, &args.out, template.as_deref(), args.tz.as_deref())?;
    if json {
        print_json(&output)?;
    } else {
        println!(
            "published {} excerpt(s), {} message(s), {} redaction rule(s) applied, times in {}",
            output.excerpts, output.messages, output.rules, output.zone
        );
        println!("  {}", sanitize(&output.out.join("index.html").display().to_string(), false));
        println!("  {}", sanitize(&output.out.join("manifest.json").display().to_string(), false));
    }
    Ok(0)
}

pub(crate) fn export(case: &Case, args: &ExportArgs, json: bool) -> Result<u8, Failure> {
    let selection = match (&args.query, &args.collection) {
        (Some(query), _) => Selection::Query(query.clone()),
        (_, Some(name)) => Selection::Collection(name.clone()),
        _ => return Err(Failure::usage("give --query Q or --collection NAME")),
    };
    let format = match args.format {
        ExportFormatArg::Csv => ExportFormat::Csv { bom: args.bom },
        ExportFormatArg::Jsonl => ExportFormat::Jsonl,
        ExportFormatArg::Rsmf => ExportFormat::Rsmf,
    };
    let output = case.export(&selection, format, &args.out)?;
    for warning in &output.warnings {
        eprintln!("{}: {}", Style::for_stderr().warn("warning"), sanitize(warning, false));
    }
    if json {
        print_json(&output)?;
    } else {
        println!(
            "exported {} message(s) as {} to {} ({} redaction rule(s) applied)",
            output.messages,
            output.format,
            sanitize(&output.out.display().to_string(), false),
            output.rules
        );
    }
    Ok(0)
}

pub(crate) fn verify_manifest(case: &Case, manifest: &Path, json: bool) -> Result<u8, Failure> {
    let check = case.verify_manifest(manifest)?;
    if json {
        print_json(&check)?;
    } else {
        println!("{} of {} quoted message(s) match the case", check.matching, check.messages);
        for finding in &check.findings {
            println!(
                "  {} {}: {}",
                finding.message_id,
                finding.check,
                sanitize(&finding.detail, false)
            );
        }
    }
    Ok(if check.findings.is_empty() { 0 } else { 1 })
}
