//! Errors the front ends show.

use std::path::PathBuf;

/// What went wrong, in terms a user can act on.
#[derive(Debug)]
pub enum AppError {
    /// The folder holds no case.
    NotACase(PathBuf),
    /// An id that names no message.
    NotFound(String),
    /// A query the user must fix.
    Query {
        /// Byte position in the query.
        position: usize,
        /// What is wrong.
        message: String,
    },
    /// A bad argument.
    Usage(String),
    /// Reading an input failed.
    Ingest(trove_ingest::IngestError),
    /// The database failed.
    Store(trove_store::StoreError),
    /// The index failed.
    Index(trove_index::IndexError),
    /// File system trouble.
    Io(PathBuf, std::io::Error),
    /// A change asked of a case that cannot be written (read-only media or
    /// permissions); what was being changed.
    ReadOnly(String),
}

impl AppError {
    /// True when the user interrupted the work.
    pub fn is_interrupted(&self) -> bool {
        matches!(self, AppError::Ingest(trove_ingest::IngestError::Interrupted))
    }

    /// A hint for the user, when there is a useful one.
    pub fn help(&self) -> Option<String> {
        match self {
            AppError::NotACase(dir) => {
                Some(format!("create a case with `trove ingest ARCHIVE --case {}`", dir.display()))
            }
            AppError::NotFound(_) => {
                Some("ids are shown by `trove search`; a platform's own id works too".into())
            }
            AppError::Query { .. } => {
                Some("see `trove search --help` for the query language".into())
            }
            AppError::ReadOnly(_) => Some(
                "copy the case folder to writable storage and work on the copy; the original \
                 stays as it was handed over"
                    .into(),
            ),
            AppError::Ingest(e) => {
                // Readers name the limit a record broke; both are ingest options.
                let shown = e.to_string();
                if let trove_ingest::IngestError::NoSpace { .. } = e {
                    return Some(
                        "free some space, or ingest into a case on a larger disk (--case DIR); \
                         --no-space-check starts anyway, and a run that fills the disk keeps \
                         nothing"
                            .into(),
                    );
                }
                if let trove_ingest::IngestError::IndexLags { .. } = e {
                    return Some(
                        "free some space if the disk is full, then run `trove repair`".into(),
                    );
                }
                if matches!(e, trove_ingest::IngestError::ReadBefore(_)) {
                    return Some(
                        "to keep both readings, add --again (records the new reading gives new \
                         ids are stored a second time); to swap the earlier reading for this one, \
                         add --replace (notes, tags and statuses stay on messages whose ids \
                         survive, and those left without a message are counted)"
                            .into(),
                    );
                }
                if matches!(e, trove_ingest::IngestError::MostlyUnattributed(_)) {
                    return Some(
                        "see what the reader makes of it with `trove ingest --dry-run`, name \
                         another reader with `--format`, or keep it anyway with --accept-skips"
                            .into(),
                    );
                }
                if shown.contains(trove_readers::UNPROVEN) {
                    return Some(
                        "name the reader with `--format NAME`, or describe the lines with \
                         `--format template --template '[{ts}] {sender}: {text}'`; \
                         `trove ingest --dry-run --format NAME PATH` shows what a reader makes of it"
                            .into(),
                    );
                }
                ["max_record_bytes", "max_conversation_bytes"]
                    .into_iter()
                    .find(|limit| shown.contains(limit))
                    .map(|limit| {
                        format!(
                            "if the input is genuine, raise the limit: `trove ingest --{} BYTES …`",
                            limit.replace('_', "-")
                        )
                    })
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::NotACase(dir) => {
                write!(f, "`{}` is not a trove case (no case.db)", dir.display())
            }
            AppError::NotFound(id) => write!(f, "no message has the id `{id}`"),
            AppError::Query { position, message } => {
                write!(f, "query, at character {}: {message}", position + 1)
            }
            AppError::Usage(message) => write!(f, "{message}"),
            AppError::Ingest(e) => write!(f, "{e}"),
            AppError::Store(e) => write!(f, "{e}"),
            AppError::Index(e) => write!(f, "{e}"),
            AppError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            AppError::ReadOnly(what) => write!(
                f,
                "{what}: this case is read-only (read-only media or permissions); reading works, \
                 changes do not"
            ),
        }
    }
}

impl std::error::Error for AppError {}

impl From<trove_store::StoreError> for AppError {
    fn from(e: trove_store::StoreError) -> Self {
        if trove_store::is_write_refused(&e) {
            return AppError::ReadOnly(e.context);
        }
        AppError::Store(e)
    }
}

impl From<trove_index::IndexError> for AppError {
    fn from(e: trove_index::IndexError) -> Self {
        match e {
            trove_index::IndexError::Query { position, message } => {
                AppError::Query { position, message }
            }
            other => AppError::Index(other),
        }
    }
}

impl From<trove_ingest::IngestError> for AppError {
    fn from(e: trove_ingest::IngestError) -> Self {
        match e {
            trove_ingest::IngestError::Store(e) => AppError::from(e),
            trove_ingest::IngestError::Index(e) => AppError::Index(e),
            other => AppError::Ingest(other),
        }
    }
}
