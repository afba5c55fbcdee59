//! What the workbench shows besides hits: facets and activity of a query
//! (or of the whole case), a conversation day by day, a person.
//!
//! Counts come from the index (one pass over fast fields), so they cost
//! milliseconds at a million messages; times are bucketed by the hour in
//! the chosen zone and folded into months and an hour × weekday heatmap.

use std::collections::HashMap;

use jiff::Timestamp;
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
    /// Every month from the first to the last match (empty months included).
    pub months: Vec<MonthCount>,
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
}

/// One account of a person page.
#[derive(Clone, Debug, Serialize)]
pub struct PersonAccountOutput {
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
}

/// Quotes a filter value when it needs it.
fn filter_value(value: &str) -> String {
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || "\"():".contains(c)) {
        format!("\"{}\"", value.replace('"', ""))
    } else {
        value.to_string()
    }
}

impl Case {
    /// Facets and activity of the messages matching `query` (all messages
    /// for an empty query), in `zone` (the case's when `None`).
    pub fn facets(&self, query: &str, zone: Option<&str>) -> Result<FacetsOutput, AppError> {
        let zone_name = match zone {
            Some(name) => name.to_string(),
            None => self.zone_name()?,
        };
        let tz = self.zone(Some(&zone_name))?;
        let stats = self.store.stats()?;
        let (first, last) = match (stats.first_ms, stats.last_ms) {
            (Some(first), Some(last)) => (first, last),
            _ => (0, 0),
        };
        let start = local_floor(first, &tz, HOUR_MS)?;
        let hourly = (last - start) / HOUR_MS < MAX_HOURS;
        let step = if hourly { HOUR_MS } else { DAY_MS };
        let start = if hourly { start } else { local_floor(first, &tz, DAY_MS)? };
        let count = ((last - start) / step + 2).max(2);
        let boundaries: Vec<i64> = (0..count).map(|k| start + k * step).collect();

        let (parsed, problems) = trove_query::parse(query);
        let resolver = CaseResolver { case: self, zone: tz.clone() };
        let (facets, mut warnings) = self.index().facets(&parsed, &resolver, &boundaries)?;
        warnings.splice(
            0..0,
            problems.into_iter().map(|p| format!("at character {}: {}", p.position + 1, p.message)),
        );

        let mut senders: Vec<(u64, u64)> = facets.senders.into_iter().collect();
        senders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        senders.truncate(FACET_VALUES);
        let rows: Vec<i64> = senders.iter().map(|(row, _)| *row as i64).collect();
        let accounts: HashMap<i64, _> =
            self.store.account_rows(&rows)?.into_iter().map(|a| (a.row, a)).collect();
        let senders = senders
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

        let mut conversations: Vec<(u64, u64)> = facets.conversations.into_iter().collect();
        conversations.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut platforms: HashMap<String, u64> = HashMap::new();
        let mut conversation_values = Vec::new();
        for (row, count) in conversations {
            let Some(c) = self.store.conversation_row(row as i64)? else { continue };
            *platforms.entry(c.platform.clone()).or_insert(0) += count;
            if conversation_values.len() < FACET_VALUES {
                conversation_values.push(FacetValue {
                    label: c.name.clone().unwrap_or_else(|| c.native_id.clone()),
                    filter: format!("in:{}", filter_value(&c.native_id)),
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

        let mut by_month: Vec<MonthCount> = Vec::new();
        let mut heatmap = vec![vec![0u64; 24]; 7];
        for (k, &n) in facets.buckets.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let at = Timestamp::from_millisecond(boundaries[k])
                .map_err(|e| AppError::Usage(format!("time out of range: {e}")))?
                .to_zoned_datetime(tz.clone());
            let month = format!("{:04}-{:02}", at.year(), at.month());
            match by_month.last_mut() {
                Some(last) if last.month == month => last.count += n,
                _ => by_month.push(MonthCount { month, count: n }),
            }
            if hourly {
                let weekday = at.weekday().to_monday_zero_offset() as usize;
                heatmap[weekday][at.hour() as usize] += n;
            }
        }
        Ok(FacetsOutput {
            total: facets.total,
            zone: zone_name,
            senders,
            conversations: conversation_values,
            platforms,
            months: fill_months(by_month),
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
        let messages = stored
            .iter()
            .take(limit)
            .map(|m| self.output(m, false))
            .collect::<Result<Vec<_>, _>>()?;
        let (previous, next) = self.store.conversation_neighbours(row, start, end)?;
        Ok(ConversationDayOutput {
            id: conversation.native_id,
            name: conversation.name,
            platform: conversation.platform,
            day,
            zone: zone_name,
            previous_day: previous.map(|ms| local_day(ms, &tz)).transpose()?,
            next_day: next.map(|ms| local_day(ms, &tz)).transpose()?,
            messages,
            truncated,
        })
    }

    /// The accounts `id` names (an account id, handle, name or a person's
    /// name) and their activity.
    pub fn person(&self, id: &str, zone: Option<&str>) -> Result<PersonOutput, AppError> {
        let rows = self.store.find_accounts(id)?;
        if rows.is_empty() {
            return Err(AppError::NotFound(format!("person or account {id}")));
        }
        let accounts = self.store.account_rows(&rows)?;
        let activity = self.facets(&format!("from:{}", filter_value(id)), zone)?;
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
        let person_name = self
            .store
            .persons()?
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(id))
            .map(|p| p.name);
        let name = person_name
            .or_else(|| accounts.first().map(|a| a.name.clone()))
            .unwrap_or_else(|| id.to_string());
        Ok(PersonOutput {
            query: id.to_string(),
            name,
            accounts: accounts
                .into_iter()
                .map(|a| PersonAccountOutput {
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
        })
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

/// `months` with the empty months between them added.
fn fill_months(months: Vec<MonthCount>) -> Vec<MonthCount> {
    let parse = |m: &str| -> Option<(i32, i32)> {
        let (y, mo) = m.split_once('-')?;
        Some((y.parse().ok()?, mo.parse().ok()?))
    };
    let mut out: Vec<MonthCount> = Vec::with_capacity(months.len());
    for m in months {
        if let (Some(prev), Some((y, mo))) =
            (out.last().and_then(|l| parse(&l.month)), parse(&m.month))
        {
            let (mut py, mut pm) = prev;
            let mut guard = 0;
            loop {
                pm += 1;
                if pm > 12 {
                    pm = 1;
                    py += 1;
                }
                if (py, pm) >= (y, mo) || guard > 1200 {
                    break;
                }
                out.push(MonthCount { month: format!("{py:04}-{pm:02}"), count: 0 });
                guard += 1;
            }
        }
        out.push(m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_months_are_filled_in() {
        let months = fill_months(vec![
            MonthCount { month: "2015-11".into(), count: 2 },
            MonthCount { month: "2016-02".into(), count: 1 },
        ]);
        let labels: Vec<&str> = months.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(labels, vec!["2015-11", "2015-12", "2016-01", "2016-02"]);
    }

    #[test]
    fn filter_values_are_quoted_when_needed() {
        assert_eq!(filter_value("alice"), "alice");
        assert_eq!(filter_value("Emmy B"), "\"Emmy B\"");
        assert_eq!(filter_value("a\"b c"), "\"ab c\"");
    }
}
