//! The trove query language, parsed into an [`Query`] that knows nothing of
//! the index.
//!
//! Words (stemmed by the index), `"exact phrase"`, `prefix*`, `word~`
//! (fuzzy), `-excluded`, `OR`, `AND` (the same as a space), parentheses,
//! and filters `from:NAME_OR_ID`, `in:CONVERSATION`, `after:DATE`,
//! `before:DATE`, `on:DATE`, `has:link`, `has:attachment`, `has:note`,
//! `tag:TAG`, `status:S`, `lang:CODE`, `platform:NAME`. Filter values with spaces are quoted (`from:"Emmy B"`);
//! any term or filter can be negated with `-`. A `name:value` whose name is
//! no filter stays text, with a problem naming the nearest filter.
//!
//! Parsing is lenient: [`parse`] always returns a query, plus the problems
//! it worked around, each with its byte position in the input. [`render`]
//! turns a query back into canonical text that parses to the same query.

mod ast;
mod parser;
mod render;
mod suggest;

pub use ast::{Field, Filter, Problem, Query, Text};
pub use parser::parse;
pub use render::render;
pub use suggest::edit_distance;
