//! From the query language's AST to a tantivy query.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query as TantivyQuery, RangeQuery, RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::IndexRecordOption;
use trove_query::{Field, Filter, Query, Text};

use crate::analyzer::{EXACT_MARK, stem_terms, words};
use crate::{Fields, IndexError};

/// What the index needs from the case to lower filters: names to ids and
/// dates to instants (in the case's analysis zone).
pub trait Resolve {
    /// Account row ids matching a person, account id, handle or name, or
    /// else the one account whose address has `value` before its `@`.
    fn senders(&self, value: &str) -> Vec<u64>;
    /// The addresses `value` is the local part of, when it names no
    /// account on its own and more than one address has it: named in the
    /// warning, so that the user can pick one.
    fn sender_candidates(&self, _value: &str) -> Vec<String> {
        Vec::new()
    }
    /// Conversation row ids matching an id or name.
    fn conversations(&self, value: &str) -> Vec<u64>;
    /// Source row ids (ingested files) whose input carries the label
    /// `value`.
    fn sources(&self, value: &str) -> Vec<u64>;
    /// The span `[start, end)` in UTC ms of a date `YYYY[-MM[-DD]]`.
    fn date_span(&self, value: &str) -> Result<(i64, i64), String>;
    /// Message row ids carrying an annotation: `has:note`, `tag:X`,
    /// `status:X`. An error is a value the user must fix (an unknown status).
    fn annotated(&self, field: Field, value: &str) -> Result<Annotated, String>;
}

/// The messages an annotation filter selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Annotated {
    /// These rows.
    Rows(Vec<u64>),
    /// Every message except these rows (`status:unread`: all that were
    /// never given another status).
    AllBut(Vec<u64>),
}

/// A lowered query and notes for the user (e.g. a name that matched nobody).
pub struct Lowered {
    /// The tantivy query.
    pub query: Box<dyn TantivyQuery>,
    /// Things the user should know about how the query was read.
    pub warnings: Vec<String>,
}

/// Lowers `query`. Errors are problems the user must fix (a bad date, a
/// filter that is not available yet).
pub(crate) fn lower(
    query: &Query,
    fields: &Fields,
    resolver: &dyn Resolve,
) -> Result<Lowered, IndexError> {
    let mut lowering = Lowering { fields, resolver, warnings: Vec::new() };
    let query = lowering.node(query)?.unwrap_or_else(|| Box::new(AllQuery));
    Ok(Lowered { query, warnings: lowering.warnings })
}

struct Lowering<'a> {
    fields: &'a Fields,
    resolver: &'a dyn Resolve,
    warnings: Vec<String>,
}

type Lowered1 = Result<Option<Box<dyn TantivyQuery>>, IndexError>;

impl Lowering<'_> {
    fn node(&mut self, query: &Query) -> Lowered1 {
        match query {
            Query::All => Ok(Some(Box::new(AllQuery))),
            Query::Text(text) => Ok(self.text(text)),
            Query::Filter(filter) => self.filter(filter).map(Some),
            Query::Not(inner) => Ok(self.node(inner)?.map(|inner| {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn TantivyQuery>),
                    (Occur::MustNot, inner),
                ])) as Box<dyn TantivyQuery>
            })),
            Query::And(items) => {
                let mut clauses = Vec::new();
                let mut positive = false;
                for item in items {
                    let (occur, node) = match item {
                        Query::Not(inner) => (Occur::MustNot, inner.as_ref()),
                        other => (Occur::Must, other),
                    };
                    if let Some(lowered) = self.node(node)? {
                        positive |= occur == Occur::Must;
                        clauses.push((occur, lowered));
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                if !positive {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Ok(Some(Box::new(BooleanQuery::new(clauses))))
            }
            Query::Or(items) => {
                let mut clauses = Vec::new();
                for item in items {
                    if let Some(lowered) = self.node(item)? {
                        clauses.push((Occur::Should, lowered));
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                Ok(Some(Box::new(BooleanQuery::new(clauses))))
            }
        }
    }

    fn text(&mut self, text: &Text) -> Option<Box<dyn TantivyQuery>> {
        let field = self.fields.text;
        let exact_term = |w: &crate::analyzer::Word| {
            Term::from_field_text(field, &format!("{EXACT_MARK}{}", w.exact))
        };
        let term_or_phrase = |terms: Vec<Term>| -> Option<Box<dyn TantivyQuery>> {
            match terms.len() {
                0 => None,
                1 => terms.into_iter().next().map(|t| {
                    Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
                        as Box<dyn TantivyQuery>
                }),
                _ => Some(Box::new(PhraseQuery::new(terms))),
            }
        };
        match text {
            Text::Word(word) => match words(word).as_slice() {
                [single] => {
                    let either = stem_terms(&single.stem).map(|text| {
                        let term = Term::from_field_text(field, &text);
                        let query: Box<dyn TantivyQuery> =
                            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                        (Occur::Should, query)
                    });
                    Some(Box::new(BooleanQuery::new(either.into())))
                }
                // A word the analyser splits (`example.org`, `v3.14`) is
                // matched as the phrase of its exact parts: a stem may stand
                // as either of two terms, which a phrase cannot express.
                many => term_or_phrase(many.iter().map(exact_term).collect()),
            },
            Text::Phrase(phrase) => term_or_phrase(words(phrase).iter().map(exact_term).collect()),
            Text::Prefix(prefix) => {
                let found = words(prefix);
                match found.as_slice() {
                    [] => None,
                    [single] => {
                        let pattern = format!("{EXACT_MARK}{}.*", regex_escape(&single.exact));
                        RegexQuery::from_pattern(&pattern, field)
                            .ok()
                            .map(|q| Box::new(q) as Box<dyn TantivyQuery>)
                    }
                    many => Some(Box::new(PhrasePrefixQuery::new(
                        many.iter().map(exact_term).collect(),
                    ))),
                }
            }
            Text::Fuzzy(word) => {
                let found = words(word);
                let first = found.first()?;
                let distance = if first.exact.chars().count() <= 4 { 1 } else { 2 };
                Some(Box::new(FuzzyTermQuery::new(exact_term(first), distance, true)))
            }
        }
    }

    fn filter(&mut self, filter: &Filter) -> Result<Box<dyn TantivyQuery>, IndexError> {
        let fields = self.fields;
        let error = |message: String| IndexError::Query { position: filter.position, message };
        let value = filter.value.as_str();
        Ok(match filter.field {
            Field::From => {
                let ids = self.resolver.senders(value);
                let candidates = if ids.is_empty() {
                    self.resolver.sender_candidates(value)
                } else {
                    Vec::new()
                };
                self.id_set(fields.sender, ids, || match candidates.as_slice() {
                    [] => format!("no account or person matches from:{value:?}"),
                    many => format!(
                        "from:{value:?} names no account; {} addresses have it before the @ \
                         ({}): write the one you mean in full",
                        many.len(),
                        many.join(", ")
                    ),
                })
            }
            Field::Source => {
                let ids = self.resolver.sources(value);
                self.id_set(fields.source, ids, || {
                    format!("no ingested input is labelled {value:?}")
                })
            }
            Field::In => {
                let ids = self.resolver.conversations(value);
                self.id_set(fields.conversation, ids, || {
                    format!("no conversation matches in:{value:?}")
                })
            }
            Field::After | Field::Before | Field::On => {
                let (start, end) = self.resolver.date_span(value).map_err(error)?;
                let term = |ms: i64| Term::from_field_i64(fields.sent_at, ms);
                let (lower, upper) = match filter.field {
                    Field::After => (Bound::Included(term(start)), Bound::Unbounded),
                    Field::Before => (Bound::Unbounded, Bound::Excluded(term(start))),
                    _ => (Bound::Included(term(start)), Bound::Excluded(term(end))),
                };
                Box::new(RangeQuery::new(lower, upper))
            }
            Field::Has => match value.to_ascii_lowercase().as_str() {
                flag @ ("link" | "attachment") => Box::new(TermQuery::new(
                    Term::from_field_text(fields.has, flag),
                    IndexRecordOption::Basic,
                )),
                "note" => self.annotated(filter)?,
                other => {
                    return Err(error(format!(
                        "has:{other} is not known (use has:link, has:attachment or has:note)"
                    )));
                }
            },
            Field::Tag | Field::Status => self.annotated(filter)?,
            Field::Lang => {
                return Err(error(
                    "lang: needs language identification, which this version does not do yet"
                        .into(),
                ));
            }
            Field::Platform => Box::new(TermQuery::new(
                Term::from_field_text(fields.platform, &value.to_lowercase()),
                IndexRecordOption::Basic,
            )),
        })
    }

    fn annotated(&mut self, filter: &Filter) -> Result<Box<dyn TantivyQuery>, IndexError> {
        let found = self
            .resolver
            .annotated(filter.field, &filter.value)
            .map_err(|message| IndexError::Query { position: filter.position, message })?;
        let set = |rows: Vec<u64>| -> Box<dyn TantivyQuery> {
            Box::new(crate::rows::RowSetQuery::new(rows))
        };
        Ok(match found {
            Annotated::Rows(rows) if rows.is_empty() => {
                self.warnings.push(format!(
                    "no message has {}:{}",
                    filter.field.name(),
                    filter.value
                ));
                Box::new(EmptyQuery)
            }
            Annotated::Rows(rows) => set(rows),
            Annotated::AllBut(rows) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn TantivyQuery>),
                (Occur::MustNot, set(rows)),
            ])),
        })
    }

    fn id_set(
        &mut self,
        field: tantivy::schema::Field,
        ids: Vec<u64>,
        warning: impl FnOnce() -> String,
    ) -> Box<dyn TantivyQuery> {
        if ids.is_empty() {
            self.warnings.push(warning());
            return Box::new(EmptyQuery);
        }
        Box::new(TermSetQuery::new(ids.into_iter().map(|id| Term::from_field_u64(field, id))))
    }
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}
