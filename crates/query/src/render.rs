//! [`Query`] back to text, in a canonical form.
//!
//! Used to show the user how a query was read (after the lenient parser
//! worked around problems) and to put a normalised query in a URL.

use crate::parser::single_term;
use crate::{Query, Text};

/// Renders `query` as query-language text.
///
/// The form is canonical: single spaces, lowercase field names, no
/// parentheses that precedence makes unnecessary (`OR` binds tighter than
/// the implicit AND, so `And[a, Or[b, c]]` is `a b OR c`), quotes only where
/// needed, and the leading [`Query::All`] of an all-negative `And` left out.
///
/// For every query that [`parse`](crate::parse) returns, parsing the
/// rendered text gives the same query back, except for
/// [`Filter::position`](crate::Filter::position), which refers to the
/// original text. Hand-built queries the language cannot spell are
/// rendered as closely as it allows: a `"` inside a phrase or filter value
/// becomes a space, a word that would not read back as that word (such as
/// `OR`, or one containing a space) is written as a phrase, and a negated
/// or `OR`ed [`Query::All`] is written as `()`, which reads back as nothing.
pub fn render(query: &Query) -> String {
    in_and(query)
}

/// `query` as an item of an implicit AND, where an `Or` needs no
/// parentheses.
fn in_and(query: &Query) -> String {
    match query {
        Query::All => String::new(),
        Query::And(items) => join(items.iter().map(in_and), " "),
        Query::Or(items) => join(items.iter().map(in_or), " OR "),
        other => unit(other),
    }
}

/// `query` as an operand of `OR`, where an `And` needs parentheses.
fn in_or(query: &Query) -> String {
    match query {
        Query::Or(items) => join(items.iter().map(in_or), " OR "),
        Query::And(_) | Query::All => format!("({})", in_and(query)),
        other => unit(other),
    }
}

fn join(parts: impl Iterator<Item = String>, separator: &str) -> String {
    parts.filter(|p| !p.is_empty()).collect::<Vec<_>>().join(separator)
}

/// A term, a filter or a negation.
fn unit(query: &Query) -> String {
    match query {
        Query::Not(inner) => match inner.as_ref() {
            Query::Text(_) | Query::Filter(_) => atom(inner, true),
            group => format!("-({})", in_and(group)),
        },
        Query::Text(_) | Query::Filter(_) => atom(query, false),
        group => format!("({})", in_and(group)),
    }
}

/// A term or filter, negated if `negated`. The bare spelling is used only
/// if the lexer reads it back as the same thing; quoting is the fallback.
fn atom(query: &Query, negated: bool) -> String {
    let dash = if negated { "-" } else { "" };
    let (bare, quoted) = match query {
        Query::Text(Text::Word(w)) => (Some(format!("{dash}{w}")), format!("{dash}{}", quote(w))),
        Query::Text(Text::Prefix(p)) => {
            (Some(format!("{dash}{p}*")), format!("{dash}{}", quote(p)))
        }
        Query::Text(Text::Fuzzy(p)) => (Some(format!("{dash}{p}~")), format!("{dash}{}", quote(p))),
        Query::Text(Text::Phrase(p)) => (None, format!("{dash}{}", quote(p))),
        Query::Filter(f) => {
            let name = f.field.name();
            (Some(format!("{dash}{name}:{}", f.value)), format!("{dash}{name}:{}", quote(&f.value)))
        }
        other => (None, format!("{dash}({})", in_and(other))),
    };
    match bare {
        Some(bare) if reads_back(&bare, query, negated) => bare,
        _ => quoted,
    }
}

fn quote(text: &str) -> String {
    // There is no escape for `"` inside quotes; a space is what the index
    // would make of it anyway.
    format!("\"{}\"", text.replace('"', " "))
}

/// Whether `text` lexes as exactly `query` (negated if `negated`), filter
/// positions aside.
fn reads_back(text: &str, query: &Query, negated: bool) -> bool {
    match (single_term(text), negated) {
        (Some(Query::Not(read)), true) => same_atom(&read, query),
        (Some(read), false) => same_atom(&read, query),
        _ => false,
    }
}

fn same_atom(a: &Query, b: &Query) -> bool {
    match (a, b) {
        (Query::Filter(x), Query::Filter(y)) => x.field == y.field && x.value == y.value,
        _ => a == b,
    }
}
