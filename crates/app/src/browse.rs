//! What the workbench shows besides hits: facets and activity of a query
//! (or of the whole case), a conversation day by day, a person.
//!
//! Counts come from the index (one pass over fast fields), so they cost
//! milliseconds at a million messages; times are bucketed by the hour in
//! the chosen zone and folded into months and an hour × weekday heatmap.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::contract::MessageOutput;
use crate::search::CaseResolver;
use crate::{AppError, Case, dates};

/// Hour buckets at most; a case spanning more is bucketed by day (and
/// gets no heatmap).
const MAX_HOURS: i64 = 24 * 366 * 30;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Facet values listed per facet.
const FACET_VALUES: usize = 15;

/// One value of a facet: what it is called, the query filter that selects
/// it, and how many matching messages have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FacetValue {
    /// Shown name.
    pub label: String,
    /// A query filter selecting it (`from:…`, `in:…`, `platform:…`, `on:…`).
    pub filter: String,
    /// Matching messages.
    pub count: u64,
}

/// Messages in one month (in the zone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    /// Messages.
    pub count: u64,
}

/// How a time chart groups messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// Days.
    Day,
    /// Weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    #[default]
    Month,
}

impl Granularity {
    /// The resolution that shows a span of `days` (first to last match) in
    /// a readable number of bars: a month's worth of days, a couple of
    /// years of weeks, months beyond.
    pub fn for_span(days: i64) -> Granularity {
        if days <= 62 {
            Granularity::Day
        } else if days <= 2 * 366 {
            Granularity::Week
        } else {
            Granularity::Month
        }
    }
}

/// What a stacked chart's series are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeriesBy {
    /// The most active senders.
    #[default]
    Person,
    /// The busiest conversations.
    Conversation,
}

/// How [`Case::activity`] counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActivityOptions {
    /// The periods' length; `None` lets the span of the matches choose
    /// ([`Granularity::for_span`]).
    pub granularity: Option<Granularity>,
    /// How many series, most active first (none for 0).
    pub series: usize,
    /// What the series are.
    pub by: SeriesBy,
}

/// Messages in one period of a time chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeriodCount {
    /// `YYYY-MM` for months, the first day (`YYYY-MM-DD`) otherwise.
    pub period: String,
    /// A query filter selecting the period.
    pub filter: String,
    /// Its first day, `YYYY-MM-DD`.
    pub start: String,
    /// The first day after it.
    pub end: String,
    /// Messages.
    pub count: u64,
}

/// One sender's (or conversation's) messages per period, aligned with
/// `FacetsOutput::periods`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Series {
    /// The sender or conversation.
    pub label: String,
    /// A query filter selecting the sender.
    pub filter: String,
    /// Messages per period.
    pub counts: Vec<u64>,
}

/// Facets and activity of a query.
#[derive(Clone, Debug, Serialize)]
pub struct FacetsOutput {
    /// Matching messages.
    pub total: u64,
    /// The zone months and hours are counted in.
    pub zone: String,
    /// Top senders.
    pub senders: Vec<FacetValue>,
    /// Top conversations.
    pub conversations: Vec<FacetValue>,
    /// Platforms.
    pub platforms: Vec<FacetValue>,
    /// Ingested inputs, by label (`source:`).
    pub sources: Vec<FacetValue>,
    /// Every month from the first to the last match (empty months included).
    pub months: Vec<MonthCount>,
    /// How `periods` groups messages.
    pub granularity: Granularity,
    /// Every period from the first to the last match (empty ones included).
    pub periods: Vec<PeriodCount>,
    /// The most active senders' (or conversations') messages per period
    /// (for a stacked chart).
    pub series: Vec<Series>,
    /// What `series` are.
    pub series_by: SeriesBy,
    /// Messages by weekday (Monday first) and hour, in the zone; absent
    /// when the case spans too long to count by the hour.
    pub heatmap: Option<Vec<Vec<u64>>>,
    /// Warnings about the query.
    pub warnings: Vec<String>,
}

/// A conversation over one day.
#[derive(Clone, Debug, Serialize)]
pub struct ConversationDayOutput {
    /// Platform id.
    pub id: String,
    /// Name, when known.
    pub name: Option<String>,
    /// Platform.
    pub platform: String,
    /// The day shown, `YYYY-MM-DD` in `zone`.
    pub day: String,
    /// The zone.
    pub zone: String,
    /// The closest earlier day with messages.
    pub previous_day: Option<String>,
    /// The closest later day with messages.
    pub next_day: Option<String>,
    /// The day's records in time order (at most `limit`).
    pub messages: Vec<MessageOutput>,
    /// Whether the day holds more than were returned.
    pub truncated: bool,
    /// Records the day holds (exact; more than `messages` when truncated).
    pub day_total: u64,
}

/// An account (with the person it belongs to, if any) and its activity.
#[derive(Clone, Debug, Serialize)]
pub struct PersonOutput {
    /// What was asked for (an account id, handle or person name).
    pub query: String,
    /// Best name.
    pub name: String,
    /// The accounts it covers.
    pub accounts: Vec<PersonAccountOutput>,
    /// Messages sent.
    pub messages: u64,
    /// First message, RFC 3339 UTC.
    pub first: Option<String>,
    /// Last message, RFC 3339 UTC.
    pub last: Option<String>,
    /// Activity (facets of `from:` this person).
    pub activity: FacetsOutput,
    /// Their most used words (in their latest messages; common function
    /// words left out), most used first.
    pub top_words: Vec<WordCount>,
}

/// A word and how often it was used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WordCount {
    /// The word (lowercased, accents folded).
    pub word: String,
    /// Uses.
    pub count: u64,
}

/// Messages whose words are counted for a person page.
const WORD_SAMPLE: usize = 2_000;
/// Words listed on a person page.
const TOP_WORDS: usize = 30;

/// Function words of the languages leaks come in most, left out of word
/// counts (after folding: no accents).
const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "that",
    "this",
    "with",
    "you",
    "are",
    "was",
    "but",
    "not",
    "have",
    "has",
    "had",
    "they",
    "will",
    "would",
    "can",
    "could",
    "what",
    "there",
    "their",
    "from",
    "its",
    // What contractions leave once the analyzer splits them at the
    // apostrophe (`don't` is `don` and `t`).
    "don",
    "didn",
    "doesn",
    "isn",
    "wasn",
    "aren",
    "won",
    "couldn",
    "wouldn",
    "haven",
    "all",
    "just",
    "about",
    "our",
    "your",
    "out",
    "who",
    "which",
    "when",
    "them",
    "then",
    "than",
    "were",
    "been",
    "also",
    "some",
    "any",
    "into",
    "because",
    "did",
    "does",
    "how",
    "him",
    "her",
    "his",
    "she",
    "one",
    "more",
    "get",
    "got",
    "don't",
    "i'm",
    "that's",
    "yes",
    "now",
    "here",
    "der",
    "die",
    "das",
    "und",
    "ist",
    "nicht",
    "ein",
    "eine",
    "ich",
    "mit",
    "sie",
    "den",
    "auf",
    "fur",
    "von",
    "sich",
    "dem",
    "auch",
    "wir",
    "aber",
    "wie",
    "noch",
    "les",
    "des",
    "une",
    "est",
    "pas",
    "que",
    "qui",
    "pour",
    "dans",
    "sur",
    "avec",
    "los",
    "las",
    "por",
    "con",
    "una",
    "para",
    "это",
    "что",
    "как",
    "так",
    "все",
    "они",
    "его",
    "она",
    "мне",
    "нас",
    "вот",
    "для",
    "уже",
    "или",
    "был",
    "нет",
    "там",
    "тут",
    "еще",
    "если",
    "только",
    "меня",
    "тебя",
    "надо",
];

/// The most used words of `texts`.
fn top_words(texts: &[String]) -> Vec<WordCount> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for text in texts {
        for word in trove_index::analyzer::words(text) {
            let w = word.exact;
            if w.chars().count() < 3
                || w.chars().all(|c| c.is_ascii_digit())
                || STOPWORDS.contains(&w.as_str())
            {
                continue;
            }
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    let mut words: Vec<WordCount> =
        counts.into_iter().map(|(word, count)| WordCount { word, count }).collect();
    words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
    words.truncate(TOP_WORDS);
    words
}

/// One account of a person page.
#[derive(Clone, Debug, Serialize)]
pub struct PersonAccountOutput {
    /// The account's row (`#ROW` names exactly it).
    pub row: i64,
    /// Platform id.
    pub id: String,
    /// Platform.
    pub platform: String,
    /// Best name.
    pub name: String,
    /// Handle, when known.
    pub handle: Option<String>,
    /// Display name from the source, when known.
    pub display_name: Option<String>,
    /// The person it was merged into, and why, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<(String, String)>,
}

/// Quotes a filter value when it needs it.
pub fn filter_value(value: &str) -> String {
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || "\"():".contains(c)) {
        format!("\"{}\"", value.replace('"', ""))
    } else {
        value.to_string()
    }
}

impl Case {
    /// Facets and activity of the messages matching `query` (all messages
    /// for an empty query), in `zone` (the case's when `None`), by month.
    pub fn facets(&self, query: &str, zone: Option<&str>) -> Result<FacetsOutput, AppError> {
        let by_month =
            ActivityOptions { granularity: Some(Granularity::Month), ..Default::default() };
        self.activity(query, zone, &by_month)
    }

    /// [`Case::facets`] with periods as `options` say and, for the most
    /// active senders or conversations, their own counts per period.
    pub fn activity(
        &self,
        query: &str,
        zone: Option<&str>,
        options: &ActivityOptions,
    ) -> Result<FacetsOutput, AppError> {
        let zone_name = match zone {
            Some(name) => name.to_string(),
            None => self.zone_name()?,
        };
        let tz = self.zone(Some(&zone_name))?;
        let (first, last) = self.index().time_span()?.unwrap_or((0, 0));
        let start = local_floor(first, &tz, HOUR_MS)?;
        let hourly = (last - start) / HOUR_MS < MAX_HOURS;
        let step = if hourly { HOUR_MS } else { DAY_MS };
        let start = if hourly { start } else { local_floor(first, &tz, DAY_MS)? };
        let count = ((last - start) / step + 2).max(2);
        let boundaries: Vec<i64> = (0..count).map(|k| start + k * step).collect();
        let buckets = trove_index::Buckets { start, step, count: count as usize - 1 };

        let (parsed, problems) = trove_query::parse(query);
        let resolver = CaseResolver { case: self, zone: tz.clone() };
        let (facets, mut warnings) = self.index().facets(&parsed, &resolver, buckets)?;
        warnings.splice(0..0, crate::search::problem_warnings(query, problems));

        let mut senders: Vec<(u64, u64)> = facets.senders.iter().map(|(k, v)| (*k, *v)).collect();
        senders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        senders.truncate(FACET_VALUES);
        let rows: Vec<i64> = senders.iter().map(|(row, _)| *row as i64).collect();
        let accounts: HashMap<i64, _> =
            self.store.account_rows(&rows)?.into_iter().map(|a| (a.row, a)).collect();
        let senders: Vec<FacetValue> = senders
            .iter()
            .filter_map(|(row, count)| {
                let account = accounts.get(&(*row as i64))?;
                Some(FacetValue {
                    label: account.name.clone(),
                    filter: format!("from:{}", filter_value(&account.native_id)),
                    count: *count,
                })
            })
            .collect();

        let mut conversations: Vec<(u64, u64)> =
            facets.conversations.iter().map(|(k, v)| (*k, *v)).collect();
        conversations.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut platforms: HashMap<String, u64> = HashMap::new();
        let mut conversation_values = Vec::new();
        for (row, count) in conversations {
            let Some(c) = self.store.conversation_row(row as i64)? else { continue };
            *platforms.entry(c.platform.clone()).or_insert(0) += count;
            if conversation_values.len() < FACET_VALUES {
                conversation_values.push(FacetValue {
                    label: crate::conversation_label(c.name.as_deref(), &c.native_id, &c.scope),
                    filter: if c.scope.is_empty() {
                        format!("in:{}", filter_value(&c.native_id))
                    } else {
                        format!("in:{}", c.row)
                    },
                    count,
                });
            }
        }
        let mut platforms: Vec<FacetValue> = platforms
            .into_iter()
            .map(|(name, count)| FacetValue {
                filter: format!("platform:{}", filter_value(&name)),
                label: name,
                count,
            })
            .collect();
        platforms.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        let source_rows: Vec<i64> = facets.sources.keys().map(|&row| row as i64).collect();
        let mut by_label: HashMap<String, u64> = HashMap::new();
        for (row, label) in self.store.source_labels(&source_rows)? {
            *by_label.entry(label).or_insert(0) +=
                facets.sources.get(&(row as u64)).copied().unwrap_or(0);
        }
        let mut sources: Vec<FacetValue> = by_label
            .into_iter()
            .map(|(label, count)| FacetValue {
                filter: format!("source:{}", filter_value(&label)),
                label,
                count,
            })
            .collect();
        sources.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));

        // The local date, weekday and hour of every bucket holding matches
        // (narrower queries below hold a subset of them).
        let mut civil: Vec<Option<Civil>> = vec![None; facets.buckets.len()];
        for (k, &n) in facets.buckets.iter().enumerate() {
            if n > 0 {
                let at = zoned(boundaries[k], &tz)?;
                civil[k] = Some(Civil {
                    date: at.date(),
                    weekday: at.weekday().to_monday_zero_offset() as usize,
                    hour: at.hour() as usize,
                });
            }
        }
        let mut heatmap = vec![vec![0u64; 24]; 7];
        if hourly {
            for (k, &n) in facets.buckets.iter().enumerate() {
                if let (true, Some(c)) = (n > 0, civil[k]) {
                    heatmap[c.weekday][c.hour.min(23)] += n;
                }
            }
        }
        let months =
            periods(&fold(&facets.buckets, &civil, Granularity::Month), Granularity::Month);
        let granularity = options.granularity.unwrap_or_else(|| {
            let mut dates = civil.iter().flatten().map(|c| c.date);
            match (dates.next(), dates.next_back()) {
                (Some(first), Some(last)) => Granularity::for_span(
                    first.until(last).map_or(0, |span| span.get_days().into()),
                ),
                // One busy hour or none at all: days show it best.
                _ => Granularity::Day,
            }
        });
        let by_period = fold(&facets.buckets, &civil, granularity);
        let period_list = periods(&by_period, granularity);
        let mut series_list = Vec::new();
        let candidates = match options.by {
            SeriesBy::Person => &senders,
            SeriesBy::Conversation => &conversation_values,
        };
        // One sender's (or conversation's) series would only repeat the total.
        let series = if candidates.len() > 1 { options.series } else { 0 };
        for candidate in candidates.iter().take(series) {
            let narrowed = if query.trim().is_empty() {
                candidate.filter.clone()
            } else {
                format!("({query}) {}", candidate.filter)
            };
            let (parsed, _) = trove_query::parse(&narrowed);
            let (own, _) = self.index().facets(&parsed, &resolver, buckets)?;
            let own = fold(&own.buckets, &civil, granularity);
            series_list.push(Series {
                label: candidate.label.clone(),
                filter: candidate.filter.clone(),
                counts: period_list
                    .iter()
                    .map(|p| own.get(&p.period).copied().unwrap_or(0))
                    .collect(),
            });
        }
        Ok(FacetsOutput {
            total: facets.total,
            zone: zone_name,
            senders,
            conversations: conversation_values,
            platforms,
            sources,
            months: months
                .into_iter()
                .map(|p| MonthCount { month: p.period, count: p.count })
                .collect(),
            granularity,
            periods: period_list,
            series: series_list,
            series_by: options.by,
            heatmap: hourly.then_some(heatmap),
            warnings,
        })
    }

    /// Conversation `id` (platform id or name) on `day` (`YYYY-MM-DD` in
    /// the zone; its first day with messages when `None`).
    pub fn conversation_day(
        &self,
        id: &str,
        day: Option<&str>,
        zone: Option<&str>,
        limit: usize,
    ) -> Result<ConversationDayOutput, AppError> {
        let zone_name = match zone {
            Some(name) => name.to_string(),
            None => self.zone_name()?,
        };
        let tz = self.zone(Some(&zone_name))?;
        let rows = self.store.find_conversations(id)?;
        let row = match rows.as_slice() {
            [row] => *row,
            [] => return Err(AppError::NotFound(format!("conversation {id}"))),
            _ => {
                return Err(AppError::Usage(format!(
                    "`{id}` names {} conversations; use the platform id",
                    rows.len()
                )));
            }
        };
        let conversation = self
            .store
            .conversation_row(row)?
            .ok_or_else(|| AppError::NotFound(format!("conversation {id}")))?;
        let day = match day {
            Some(day) => day.to_string(),
            None => match self.store.conversation_neighbours(row, i64::MIN, i64::MIN)?.1 {
                Some(first) => local_day(first, &tz)?,
                None => local_day(0, &tz)?,
            },
        };
        let (start, end) = dates::date_span(&day, &tz).map_err(AppError::Usage)?;
        if day.len() != 10 {
            return Err(AppError::Usage(format!("`{day}` is not a day (use YYYY-MM-DD)")));
        }
        let stored = self.store.conversation_span(row, start, end, limit + 1)?;
        let truncated = stored.len() > limit;
        let day_total = if truncated {
            self.store.conversation_span_count(row, start, end)?
        } else {
            stored.len() as u64
        };
        let mut messages = self.outputs(&stored[..stored.len().min(limit)], false)?;
        self.attach_annotations(&mut messages)?;
        let (previous, next) = self.store.conversation_neighbours(row, start, end)?;
        Ok(ConversationDayOutput {
            name: if conversation.scope.is_empty() {
                conversation.name
            } else {
                Some(crate::conversation_label(
                    conversation.name.as_deref(),
                    &conversation.native_id,
                    &conversation.scope,
                ))
            },
            id: conversation.native_id,
            platform: conversation.platform,
            day,
            zone: zone_name,
            previous_day: previous.map(|ms| local_day(ms, &tz)).transpose()?,
            next_day: next.map(|ms| local_day(ms, &tz)).transpose()?,
            messages,
            truncated,
            day_total,
        })
    }

    /// The accounts `id` names (an account id, handle, name or a person's
    /// name) and their activity.
    pub fn person(
        &self,
        id: &str,
        zone: Option<&str>,
        options: &ActivityOptions,
    ) -> Result<PersonOutput, AppError> {
        let rows = self.store.find_accounts(id)?;
        if rows.is_empty() {
            return Err(AppError::NotFound(format!("person or account {id}")));
        }
        let accounts = self.store.account_rows(&rows)?;
        let activity = self.activity(&format!("from:{}", filter_value(id)), zone, options)?;
        let all = self.store.accounts()?;
        let (mut messages, mut first, mut last) = (0, None::<i64>, None::<i64>);
        for a in all.iter().filter(|a| rows.contains(&a.row)) {
            messages += a.messages;
            first = match (first, a.first_ms) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            last = match (last, a.last_ms) {
                (Some(x), Some(y)) => Some(x.max(y)),
                (x, y) => x.or(y),
            };
        }
        let persons = self.store.persons()?;
        let person_name =
            persons.iter().find(|p| p.name.eq_ignore_ascii_case(id)).map(|p| p.name.clone());
        let person_of = |row: i64| {
            persons.iter().find_map(|p| {
                let (_, reason) = p.accounts.iter().find(|(r, _)| *r == row)?;
                Some((p.name.clone(), reason.clone()))
            })
        };
        let name = person_name
            .or_else(|| accounts.first().map(|a| a.name.clone()))
            .unwrap_or_else(|| id.to_string());
        Ok(PersonOutput {
            query: id.to_string(),
            name,
            accounts: accounts
                .into_iter()
                .map(|a| PersonAccountOutput {
                    person: person_of(a.row),
                    row: a.row,
                    id: a.native_id,
                    platform: a.platform,
                    name: a.name,
                    handle: a.handle,
                    display_name: a.display_name,
                })
                .collect(),
            messages,
            first: first.map(dates::format_instant),
            last: last.map(dates::format_instant),
            activity,
            top_words: top_words(&self.store.recent_texts(&rows, WORD_SAMPLE)?),
        })
    }
}

/// The periods of `facets` as CSV, one row per period: `period`, `after`
/// (its first day), `before` (the first day after it), `total`, then one
/// column per series, named after it. A name a spreadsheet would read as a
/// formula is made inert (sender names are whatever the source said).
pub fn activity_csv(facets: &FacetsOutput) -> String {
    let mut out = String::new();
    let mut row = |cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells.map(|c| csv_cell(&c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    let header = ["period", "after", "before", "total"].map(String::from);
    row(&mut header.into_iter().chain(
        facets.series.iter().map(|s| trove_publish::tabular::defuse(&s.label).into_owned()),
    ));
    for (i, p) in facets.periods.iter().enumerate() {
        let own = facets.series.iter().map(|s| s.counts.get(i).copied().unwrap_or(0).to_string());
        row(&mut [p.period.clone(), p.start.clone(), p.end.clone(), p.count.to_string()]
            .into_iter()
            .chain(own));
    }
    out
}

/// A CSV cell, quoted when it holds a separator, a quote or a line break.
fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// The start of the local hour (or day) holding `ms`, in UTC ms.
fn local_floor(ms: i64, tz: &TimeZone, unit: i64) -> Result<i64, AppError> {
    let at = Timestamp::from_millisecond(ms)
        .map_err(|e| AppError::Usage(format!("time out of range: {e}")))?
        .to_zoned_datetime(tz.clone());
    let floored = if unit == DAY_MS {
        at.start_of_day()
    } else {
        at.with().minute(0).second(0).subsec_nanosecond(0).build()
    }
    .map_err(|e| AppError::Usage(format!("time out of range: {e}")))?;
    Ok(floored.timestamp().as_millisecond())
}

/// `YYYY-MM-DD` of `ms` in `tz`.
fn local_day(ms: i64, tz: &TimeZone) -> Result<String, AppError> {
    let at = Timestamp::from_millisecond(ms)
        .map_err(|e| AppError::Usage(format!("time out of range: {e}")))?
        .to_zoned_datetime(tz.clone());
    Ok(at.date().to_string())
}

pub(crate) fn zoned(ms: i64, tz: &TimeZone) -> Result<jiff::ZonedDateTime, AppError> {
    Ok(Timestamp::from_millisecond(ms)
        .map_err(|e| AppError::Usage(format!("time out of range: {e}")))?
        .to_zoned_datetime(tz.clone()))
}

/// The first day of the period holding `date`.
fn period_start(date: Date, granularity: Granularity) -> Date {
    match granularity {
        Granularity::Day => date,
        Granularity::Week => date
            .checked_sub(jiff::Span::new().days(i64::from(date.weekday().to_monday_zero_offset())))
            .unwrap_or(date),
        Granularity::Month => date.first_of_month(),
    }
}

/// How a period is named: `YYYY-MM` for a month, its first day otherwise.
fn period_name(start: Date, granularity: Granularity) -> String {
    match granularity {
        Granularity::Month => format!("{:04}-{:02}", start.year(), start.month()),
        _ => start.to_string(),
    }
}

/// Counts per bucket folded into periods, keyed by the period's name
/// (names sort in time order).
fn fold(
    buckets: &[u64],
    civil: &[Option<Civil>],
    granularity: Granularity,
) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut last: Option<(Date, String)> = None;
    for (k, &n) in buckets.iter().enumerate() {
        let (true, Some(Some(at))) = (n > 0, civil.get(k)) else { continue };
        let start = period_start(at.date, granularity);
        let name = match &last {
            Some((date, name)) if *date == start => name.clone(),
            _ => period_name(start, granularity),
        };
        last = Some((start, name.clone()));
        *out.entry(name).or_insert(0) += n;
    }
    out
}

/// Where a bucket starts, in the zone.
#[derive(Clone, Copy, Debug)]
struct Civil {
    date: Date,
    weekday: usize,
    hour: usize,
}

/// Every period from the first to the last of `counts`, empty ones
/// included, with the filter that selects each.
fn periods(counts: &BTreeMap<String, u64>, granularity: Granularity) -> Vec<PeriodCount> {
    let parse = |name: &str| -> Option<Date> {
        match granularity {
            Granularity::Month => format!("{name}-01").parse().ok(),
            _ => name.parse().ok(),
        }
    };
    let (Some(first), Some(last)) = (
        counts.keys().next().and_then(|k| parse(k)),
        counts.keys().next_back().and_then(|k| parse(k)),
    ) else {
        return Vec::new();
    };
    let step = match granularity {
        Granularity::Day => jiff::Span::new().days(1),
        Granularity::Week => jiff::Span::new().weeks(1),
        Granularity::Month => jiff::Span::new().months(1),
    };
    let mut out = Vec::new();
    let mut at = first;
    // Bounded: a case spans at most a few decades of days.
    while at <= last && out.len() < 200_000 {
        let name = period_name(at, granularity);
        let end = at.checked_add(step).unwrap_or(at);
        let filter = match granularity {
            Granularity::Week => format!("after:{at} before:{end}"),
            _ => format!("on:{name}"),
        };
        out.push(PeriodCount {
            count: counts.get(&name).copied().unwrap_or(0),
            period: name,
            filter,
            start: at.to_string(),
            end: end.to_string(),
        });
        match at.checked_add(step) {
            Ok(next) => at = next,
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_periods_are_filled_in_with_their_filters() {
        let counts = BTreeMap::from([("2015-11".to_string(), 2), ("2016-02".to_string(), 1)]);
        let months = periods(&counts, Granularity::Month);
        let labels: Vec<(&str, u64, &str)> =
            months.iter().map(|m| (m.period.as_str(), m.count, m.filter.as_str())).collect();
        assert_eq!(
            labels,
            vec![
                ("2015-11", 2, "on:2015-11"),
                ("2015-12", 0, "on:2015-12"),
                ("2016-01", 0, "on:2016-01"),
                ("2016-02", 1, "on:2016-02"),
            ]
        );
        let counts = BTreeMap::from([("2016-02-29".to_string(), 1), ("2016-03-14".to_string(), 4)]);
        let weeks = periods(&counts, Granularity::Week);
        assert_eq!(weeks.len(), 3);
        assert_eq!(weeks[1].period, "2016-03-07");
        assert_eq!(weeks[1].filter, "after:2016-03-07 before:2016-03-14");
    }

    #[test]
    fn weeks_start_on_monday() {
        let sunday: Date = "2016-03-06".parse().unwrap();
        assert_eq!(period_start(sunday, Granularity::Week).to_string(), "2016-02-29");
        assert_eq!(period_start(sunday, Granularity::Month).to_string(), "2016-03-01");
    }

    #[test]
    fn top_words_leave_out_function_words_and_count_forms_apart() {
        let texts = vec![
            "The password is on the wiki".to_string(),
            "password, PASSWORD, passwords! пароль".to_string(),
        ];
        let words = top_words(&texts);
        let pairs: Vec<(&str, u64)> = words.iter().map(|w| (w.word.as_str(), w.count)).collect();
        assert_eq!(pairs, vec![("password", 3), ("passwords", 1), ("wiki", 1), ("пароль", 1)]);
    }

    #[test]
    fn spans_choose_days_weeks_or_months() {
        assert_eq!(Granularity::for_span(0), Granularity::Day);
        assert_eq!(Granularity::for_span(30), Granularity::Day, "a one-month query shows days");
        assert_eq!(Granularity::for_span(62), Granularity::Day);
        assert_eq!(Granularity::for_span(63), Granularity::Week);
        assert_eq!(Granularity::for_span(700), Granularity::Week);
        assert_eq!(Granularity::for_span(800), Granularity::Month);
    }

    #[test]
    fn activity_csv_has_a_row_per_period_and_inert_names() {
        let counts = BTreeMap::from([("2020-03".to_string(), 3), ("2020-05".to_string(), 2)]);
        let facets = FacetsOutput {
            total: 5,
            zone: "UTC".into(),
            senders: Vec::new(),
            conversations: Vec::new(),
            platforms: Vec::new(),
            sources: Vec::new(),
            months: Vec::new(),
            granularity: Granularity::Month,
            periods: periods(&counts, Granularity::Month),
            series: vec![
                Series {
                    label: "=HYPERLINK(\"x\")".into(),
                    filter: "from:a".into(),
                    counts: vec![2, 0, 1],
                },
                Series { label: "Bob, Jr.".into(), filter: "from:b".into(), counts: vec![1, 0, 1] },
            ],
            series_by: SeriesBy::Person,
            heatmap: None,
            warnings: Vec::new(),
        };
        let csv = activity_csv(&facets);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines,
            vec![
                "period,after,before,total,\"'=HYPERLINK(\"\"x\"\")\",\"Bob, Jr.\"",
                "2020-03,2020-03-01,2020-04-01,3,2,1",
                "2020-04,2020-04-01,2020-05-01,0,0,0",
                "2020-05,2020-05-01,2020-06-01,2,1,1",
            ]
        );
    }

    #[test]
    fn filter_values_are_quoted_when_needed() {
        assert_eq!(filter_value("alice"), "alice");
        assert_eq!(filter_value("Emmy B"), "\"Emmy B\"");
        assert_eq!(filter_value("a\"b c"), "\"ab c\"");
    }
}
