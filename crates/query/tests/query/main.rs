//! Tests for the query language: exact ASTs for each construct, the
//! renderer, and properties over random input. One binary, so one link.

mod parse;
mod properties;
mod render;

use trove_query::{Field, Filter, Problem, Query, Text};

fn w(s: &str) -> Query {
    Query::Text(Text::Word(s.into()))
}

fn ph(s: &str) -> Query {
    Query::Text(Text::Phrase(s.into()))
}

fn pre(s: &str) -> Query {
    Query::Text(Text::Prefix(s.into()))
}

fn fz(s: &str) -> Query {
    Query::Text(Text::Fuzzy(s.into()))
}

fn f(field: Field, value: &str, position: usize) -> Query {
    Query::Filter(Filter { field, value: value.into(), position })
}

fn not(q: Query) -> Query {
    Query::Not(Box::new(q))
}

fn and(items: Vec<Query>) -> Query {
    Query::And(items)
}

fn or(items: Vec<Query>) -> Query {
    Query::Or(items)
}

/// `q` with every filter position set to 0, for comparing a query with its
/// re-parsed rendering (positions refer to the text they came from).
fn zero_positions(q: &Query) -> Query {
    match q {
        Query::Filter(filter) => Query::Filter(Filter { position: 0, ..filter.clone() }),
        Query::Not(inner) => Query::Not(Box::new(zero_positions(inner))),
        Query::And(items) => Query::And(items.iter().map(zero_positions).collect()),
        Query::Or(items) => Query::Or(items.iter().map(zero_positions).collect()),
        other => other.clone(),
    }
}

fn positions(problems: &[Problem]) -> Vec<usize> {
    problems.iter().map(|p| p.position).collect()
}
