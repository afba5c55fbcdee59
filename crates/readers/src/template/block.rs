//! The header lines of a multi-line record template, held until the
//! template's last header line says whether they are one.
//!
//! A template such as `Date: {ts}\nFrom: {sender}\nMessage: {text}` is only
//! recognised when every header line fits in order; until then the lines
//! cannot be placed, so they are kept (owned: the line reader reuses its
//! buffer). When a line does not fit, the held lines are ordinary lines
//! after all: body text of the message before, or lines outside any message.

use super::lines::Line;

/// One held line.
pub(super) struct Held {
    pub offset: u64,
    pub number: u64,
    pub length: u64,
    pub text: String,
}

impl Held {
    /// The line as the line reader gave it.
    pub(super) fn line(&self) -> Line<'_> {
        Line {
            offset: self.offset,
            number: self.number,
            bytes: self.text.as_bytes(),
            length: self.length,
            too_long: false,
        }
    }
}

/// Lines that may be the header of a record under `template`.
pub(super) struct Block {
    /// Index of the template in the user's order.
    pub template: usize,
    pub lines: Vec<Held>,
}

impl Block {
    pub(super) fn new(template: usize) -> Block {
        Block { template, lines: Vec::new() }
    }

    pub(super) fn hold(&mut self, line: &Line<'_>, text: &str) {
        self.lines.push(Held {
            offset: line.offset,
            number: line.number,
            length: line.length,
            text: text.to_string(),
        });
    }

    /// Where the header starts and ends: `(offset, line number, end)`.
    pub(super) fn span(&self) -> Option<(u64, u64, u64)> {
        let first = self.lines.first()?;
        let last = self.lines.last()?;
        Some((first.offset, first.number, last.offset + last.length))
    }

    /// The held texts, in order.
    pub(super) fn texts(&self) -> Vec<&str> {
        self.lines.iter().map(|held| held.text.as_str()).collect()
    }
}
