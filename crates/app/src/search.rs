//! `search`.

use std::time::Instant;

use jiff::tz::TimeZone;
use trove_index::{Annotated, Highlighter, Resolve, Sort};
use trove_query::{Field, Problem};

use crate::contract::SearchOutput;
use crate::{AppError, Case, dates};

/// Result order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// Paging, order and zone.
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// Hits per page.
    pub limit: usize,
    /// Hits skipped.
    pub offset: usize,
    /// Order.
    pub sort: SortOrder,
    /// Snippet length in characters.
    pub snippet_chars: usize,
    /// Zone for date filters (IANA name); the case's zone when `None`.
    pub zone: Option<String>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 20,
            offset: 0,
            sort: SortOrder::Relevance,
            snippet_chars: 160,
            zone: None,
        }
    }
}

pub(crate) struct CaseResolver<'a> {
    pub case: &'a Case,
    pub zone: TimeZone,
}

impl Resolve for CaseResolver<'_> {
    fn senders(&self, value: &str) -> Vec<u64> {
        self.case
            .store
            .find_accounts(value)
            .unwrap_or_default()
            .into_iter()
            .map(|id| id as u64)
            .collect()
    }

    fn sender_candidates(&self, value: &str) -> Vec<String> {
        let name = value.strip_prefix('@').unwrap_or(value);
        let found = self.case.store.accounts_by_local_part(name).unwrap_or_default();
        if found.len() < 2 {
            return Vec::new();
        }
        found.into_iter().map(|(_, address)| address).collect()
    }

    fn sources(&self, value: &str) -> Vec<u64> {
        self.case
            .store
            .find_sources(value)
            .unwrap_or_default()
            .into_iter()
            .map(|id| id as u64)
            .collect()
    }

    fn conversations(&self, value: &str) -> Vec<u64> {
        self.case
            .store
            .find_conversations(value)
            .unwrap_or_default()
            .into_iter()
            .map(|id| id as u64)
            .collect()
    }

    fn date_span(&self, value: &str) -> Result<(i64, i64), String> {
        dates::date_span(value, &self.zone)
    }

    fn annotated(&self, field: Field, value: &str) -> Result<Annotated, String> {
        let store = &self.case.store;
        let rows = match field {
            Field::Has => store.noted_rows(),
            Field::Tag => store.tagged_rows(value),
            Field::Status => match crate::review_status(value)? {
                "unread" => {
                    // Every message never given another status.
                    let mut set = Vec::new();
                    for status in crate::REVIEW_STATUSES.iter().filter(|s| **s != "unread") {
                        set.extend(store.status_rows(status).map_err(|e| e.to_string())?);
                    }
                    return Ok(Annotated::AllBut(set.into_iter().map(|r| r as u64).collect()));
                }
                status => store.status_rows(status),
            },
            other => return Err(format!("{}: is not an annotation filter", other.name())),
        };
        let rows = rows.map_err(|e| e.to_string())?;
        Ok(Annotated::Rows(rows.into_iter().map(|r| r as u64).collect()))
    }
}

impl Case {
    /// The zone named `name` (an error if it is not one), or the case's.
    pub fn zone(&self, name: Option<&str>) -> Result<TimeZone, AppError> {
        match name {
            Some(name) => dates::parse_zone(name).map_err(AppError::Usage),
            None => Ok(dates::parse_zone(&self.zone_name()?).unwrap_or(TimeZone::UTC)),
        }
    }

    /// Runs a query in the language of `trove_query`.
    pub fn search(&self, text: &str, options: &SearchOptions) -> Result<SearchOutput, AppError> {
        let started = Instant::now();
        let (query, problems) = trove_query::parse(text);
        let zone = self.zone(options.zone.as_deref())?;
        let resolver = CaseResolver { case: self, zone };
        let sort = match options.sort {
            SortOrder::Relevance => Sort::Relevance,
            SortOrder::Newest => Sort::Newest,
            SortOrder::Oldest => Sort::Oldest,
        };
        let (hits, mut warnings) =
            self.index().search_query(&query, &resolver, sort, options.offset, options.limit)?;
        let highlighter = Highlighter::new(&query);
        let mut out = Vec::with_capacity(hits.hits.len());
        let translated = self.store.has_translations()?;
        for hit in &hits.hits {
            if let Some(stored) = self.store.message(hit.row as i64)? {
                let mut message = self.output_with(&stored, false, translated)?;
                // Show the matching words: in the original when it has them,
                // else in the translation that matched.
                let matched_text = std::iter::once(stored.text.as_str())
                    .chain(message.translations.iter().map(|t| t.text.as_str()))
                    .find(|text| !highlighter.ranges(text).is_empty())
                    .unwrap_or(&stored.text);
                message.snippet = Some(highlighter.snippet(matched_text, options.snippet_chars));
                out.push(message);
            }
        }
        self.attach_annotations(&mut out)?;
        warnings.splice(0..0, problem_warnings(text, problems));
        // The total is exact for what the index holds; when it trails the
        // case, the results say so rather than pass for complete.
        if let Some(lag) = self.index_lag()? {
            warnings.push(format!("{lag}; `trove repair` rebuilds it"));
        }
        Ok(SearchOutput {
            total: hits.total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits: out,
            warnings,
        })
    }
}

/// The parser's problems as warnings, `at character N: …`, N counted in
/// characters of the query as typed (the parser's positions are bytes).
pub(crate) fn problem_warnings(text: &str, problems: Vec<Problem>) -> Vec<String> {
    problems
        .into_iter()
        .map(|p| {
            let before = text.get(..p.position).unwrap_or(text);
            format!("at character {}: {}", before.chars().count() + 1, p.message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_positions_are_counted_in_characters() {
        let text = "пароль form:WikiLeaks";
        let (_, problems) = trove_query::parse(text);
        assert_eq!(
            problem_warnings(text, problems),
            vec![
                "at character 8: `form:` is not a filter, so it is searched as text; \
                 did you mean `from:`?"
            ]
        );
    }
}
