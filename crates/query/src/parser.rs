//! Text to [`Query`]. (Stub: the real parser is being written.)

use crate::{Problem, Query, Text};

/// Parses `input`. Never fails: problems are worked around and returned.
pub fn parse(input: &str) -> (Query, Vec<Problem>) {
    let words: Vec<Query> =
        input.split_whitespace().map(|w| Query::Text(Text::Word(w.to_string()))).collect();
    match words.len() {
        0 => (Query::All, Vec::new()),
        1 => (words.into_iter().next().unwrap_or(Query::All), Vec::new()),
        _ => (Query::And(words), Vec::new()),
    }
}
