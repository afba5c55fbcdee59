//! Which reader reads which input.
//!
//! A path is first offered whole to detection (a Twitter archive folder, a
//! Slack export zip). A folder that no reader claims as a whole is walked:
//! each child is planned the same way, so a folder of mixed exports ingests
//! each with its own reader, and files no reader recognises are reported as
//! skipped, never silently dropped. Ambiguity is always an error.

use std::path::Path;

use trove_readers::{Format, Input, InputKind, ReadError, Skip};

/// One input and its reader.
pub(crate) struct Planned {
    pub input: Input,
    pub format: &'static dyn Format,
    pub detected: bool,
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

/// Plans `path` with the named format, or by detection.
pub(crate) fn plan(
    path: &Path,
    format: Option<&str>,
    planned: &mut Vec<Planned>,
    skipped: &mut Vec<Skip>,
) -> Result<(), ReadError> {
    let input = Input::open(path)?;
    if let Some(name) = format {
        planned.push(Planned { input, format: named_format(name, path)?, detected: false });
        return Ok(());
    }
    walk(input, 0, planned, skipped)
}

fn walk(
    input: Input,
    depth: usize,
    planned: &mut Vec<Planned>,
    skipped: &mut Vec<Skip>,
) -> Result<(), ReadError> {
    match trove_readers::detect(&input) {
        Ok(format) => {
            planned.push(Planned { input, format, detected: true });
            Ok(())
        }
        // A folder nobody claims whole: try its children one by one.
        Err(ReadError::Detect { reason, .. })
            if *input.kind() == InputKind::Dir && !reason.starts_with("ambiguous") =>
        {
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
                // Never follow links out of the folder.
                let is_link = std::fs::symlink_metadata(&child).map(|m| m.file_type().is_symlink());
                if is_link.unwrap_or(true) {
                    continue;
                }
                let child_input = Input::open(&child)?;
                walk(child_input, depth + 1, planned, skipped)?;
            }
            Ok(())
        }
        Err(ReadError::Detect { file, reason })
            if depth > 0 && !reason.starts_with("ambiguous") =>
        {
            skipped.push(Skip { file, offset: 0, reason: "no reader recognises this file".into() });
            Ok(())
        }
        Err(other) => Err(other),
    }
}
