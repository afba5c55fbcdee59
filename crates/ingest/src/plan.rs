//! Which reader reads which input.
//!
//! A path is first offered whole to detection (a Twitter archive folder, a
//! Slack export zip). A folder that no reader claims as a whole is walked:
//! each child is planned the same way, so a folder of mixed exports ingests
//! each with its own reader, and files no reader recognises are reported as
//! skipped, never silently dropped. Ambiguity is always an error, and so is
//! a detected reader whose sample does not bear it out (most of the first
//! records without a sender, or skipped): see `trove_readers::detect_proven`.

use std::path::{Path, PathBuf};

use crate::IngestOptions;
use trove_readers::{Detected, Format, Input, InputKind, ReadError, ReadOptions, Skip};

/// One input and its reader.
pub(crate) struct Planned {
    pub input: Input,
    pub format: &'static dyn Format,
    pub detected: bool,
    /// Found by walking a folder: one file among others, so an error
    /// reading it is a skip unless `--strict`.
    pub walked: bool,
    /// The label of the input named on the command line that this one is
    /// (or is inside): `--label`, or that input's file or folder name.
    pub label: String,
}

/// The label of an input by default: its file or folder name as given
/// (`serverA` for `leak/serverA`; the folder's own name for `.`).
pub fn default_label(path: &Path) -> String {
    let named =
        |p: &Path| p.file_name().map(|n| trove_readers::utf8::path_text(Path::new(n)).into_owned());
    named(path)
        .or_else(|| path.canonicalize().ok().and_then(|p| named(&p)))
        .unwrap_or_else(|| path.display().to_string())
}

/// How deep a folder is walked looking for exports.
const MAX_DEPTH: usize = 8;

fn named_format(name: &str, path: &Path) -> Result<&'static dyn Format, ReadError> {
    trove_readers::detect_named(name).ok_or_else(|| ReadError::Detect {
        file: path.display().to_string(),
        reason: format!(
            "unknown format `{name}` (known: {})",
            trove_readers::formats().iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
        ),
    })
}

/// Plans every path of a run; an error if nothing at all is readable.
pub(crate) fn plan_all(
    paths: &[PathBuf],
    options: &IngestOptions,
    planned: &mut Vec<Planned>,
    skipped: &mut Vec<Skip>,
) -> Result<(), ReadError> {
    for path in paths {
        let first = planned.len();
        plan(path, options.format.as_deref(), &options.read, planned, skipped)?;
        let label = options.label.clone().unwrap_or_else(|| default_label(path));
        for found in &mut planned[first..] {
            found.label.clone_from(&label);
        }
    }
    if planned.is_empty() {
        return Err(ReadError::Detect {
            file: paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
            reason: format!(
                "no reader recognises anything here ({} file(s) looked at); name one with --format",
                skipped.len()
            ),
        });
    }
    Ok(())
}

/// Plans `path` with the named format, or by detection.
pub(crate) fn plan(
    path: &Path,
    format: Option<&str>,
    options: &ReadOptions,
    planned: &mut Vec<Planned>,
    skipped: &mut Vec<Skip>,
) -> Result<(), ReadError> {
    let input = Input::open(path)?;
    // The folder's listing covers every level below it: its links are
    // reported here once, not again as the walk opens each child.
    for link in input.links() {
        skipped.push(Skip {
            file: input.display_entry(&link.name),
            offset: 0,
            reason: format!(
                "symbolic link to `{}`: not followed (it could point anywhere on this machine)",
                link.target
            ),
        });
    }
    if let Some(name) = format {
        let format = named_format(name, path)?;
        planned.push(Planned {
            input,
            format,
            detected: false,
            walked: false,
            label: String::new(),
        });
        return Ok(());
    }
    walk(input, 0, options, planned, skipped)
}

fn walk(
    input: Input,
    depth: usize,
    options: &ReadOptions,
    planned: &mut Vec<Planned>,
    skipped: &mut Vec<Skip>,
) -> Result<(), ReadError> {
    match trove_readers::detect_proven(&input, options)? {
        Detected::Format(format, _) => {
            planned.push(Planned {
                input,
                format,
                detected: true,
                walked: depth > 0,
                label: String::new(),
            });
            Ok(())
        }
        // A folder nobody claims whole: try its children one by one.
        Detected::Nothing if *input.kind() == InputKind::Dir => {
            if depth >= MAX_DEPTH {
                skipped.push(Skip {
                    file: input.path().display().to_string(),
                    offset: 0,
                    reason: format!("folder nested deeper than {MAX_DEPTH} levels: not walked"),
                });
                return Ok(());
            }
            let mut children: Vec<_> = std::fs::read_dir(input.path())
                .map_err(|e| ReadError::io(input.path().display().to_string(), e))?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .collect();
            children.sort();
            for child in children {
                // Never follow links out of the folder (listed as skips
                // when the folder was opened).
                let is_link = std::fs::symlink_metadata(&child).map(|m| m.file_type().is_symlink());
                if is_link.unwrap_or(true) {
                    continue;
                }
                let child_input = Input::open(&child)?;
                walk(child_input, depth + 1, options, planned, skipped)?;
            }
            Ok(())
        }
        // One file of a folder that its reader cannot read at all (an IRC
        // log with no date anywhere): a skip naming it, like a file nobody
        // recognises, unless --strict.
        Detected::Unproven(trials)
            if depth > 0 && !options.strict && trials.iter().all(|t| t.outcome.is_err()) =>
        {
            let reasons: Vec<String> = trials
                .iter()
                .filter_map(|t| {
                    t.outcome.as_ref().err().map(|e| format!("{}: {e}", t.format.name()))
                })
                .collect();
            skipped.push(Skip {
                file: input.path().display().to_string(),
                offset: 0,
                reason: format!("file not read: {}", reasons.join("; ")),
            });
            Ok(())
        }
        // One file of a folder that the reader certain of its format cannot
        // read at all (an IRC log with no date anywhere): a skip naming it,
        // unless --strict. An input named on the command line fails whole.
        Detected::Unreadable(format, error) if depth > 0 && !options.strict => {
            skipped.push(Skip {
                file: input.path().display().to_string(),
                offset: 0,
                reason: format!("file not read: {}: {error}", format.name()),
            });
            Ok(())
        }
        Detected::Unreadable(_, error) => Err(error),
        Detected::Unproven(trials) => {
            Err(trove_readers::unproven_error(&input.path().display().to_string(), &trials))
        }
        Detected::Nothing if depth > 0 => {
            skipped.push(Skip {
                file: input.path().display().to_string(),
                offset: 0,
                reason: "no reader recognises this file".into(),
            });
            Ok(())
        }
        Detected::Nothing => Err(ReadError::Detect {
            file: input.path().display().to_string(),
            reason: format!(
                "no reader recognises this input (known formats: {}); name one with --format",
                trove_readers::formats().iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}
