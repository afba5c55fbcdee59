//! The error of a reader that cannot go on.

use std::fmt;

/// An input that cannot be read at all (as opposed to a [`crate::Skip`]).
/// Always names the file, and the byte offset where one is known.
#[derive(Debug)]
pub enum ReadError {
    /// An I/O error reading `file`.
    Io {
        /// The file or `container!entry`.
        file: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The content is not what the format expects.
    Invalid {
        /// The file or `container!entry`.
        file: String,
        /// Byte offset of the problem, when known.
        offset: Option<u64>,
        /// What is wrong, for a person.
        reason: String,
    },
    /// No reader recognised the input, or several did equally.
    Detect {
        /// The input.
        file: String,
        /// What was found.
        reason: String,
    },
    /// The sink asked to stop.
    Stopped(String),
}

impl ReadError {
    /// An [`ReadError::Invalid`] error.
    pub fn invalid(
        file: impl Into<String>,
        offset: Option<u64>,
        reason: impl Into<String>,
    ) -> Self {
        ReadError::Invalid { file: file.into(), offset, reason: reason.into() }
    }

    /// An [`ReadError::Io`] error.
    pub fn io(file: impl Into<String>, source: std::io::Error) -> Self {
        ReadError::Io { file: file.into(), source }
    }

    /// The file the error is about.
    pub fn file(&self) -> Option<&str> {
        match self {
            ReadError::Io { file, .. }
            | ReadError::Invalid { file, .. }
            | ReadError::Detect { file, .. } => Some(file),
            ReadError::Stopped(_) => None,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io { file, source } => write!(f, "{file}: {source}"),
            ReadError::Invalid { file, offset: Some(offset), reason } => {
                write!(f, "{file}: at byte {offset}: {reason}")
            }
            ReadError::Invalid { file, offset: None, reason } => write!(f, "{file}: {reason}"),
            ReadError::Detect { file, reason } => write!(f, "{file}: {reason}"),
            ReadError::Stopped(why) => write!(f, "stopped: {why}"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
