//! Templates and the view models they render. Every value reaches HTML
//! through askama's escaping; the one exception is a snippet, which
//! `trove_index` builds escaped with only `<mark>` added.

use askama::Template;
use jiff::tz::TimeZone;
use trove_app::{FacetValue, FacetsOutput, MessageOutput, StatsOutput};

use crate::time;

/// What the layout needs on every page.
pub struct Chrome {
    /// Case folder name.
    pub case: String,
    /// The zone in use.
    pub zone: String,
    /// Zones offered.
    pub zones: Vec<String>,
    /// The search box's content.
    pub q: String,
    /// Hidden fields that keep the page's state when the zone changes.
    pub keep: Vec<(String, String)>,
}

impl Chrome {
    pub fn new(case: &str, zone: &str, q: &str) -> Chrome {
        let mut zones: Vec<String> = time::COMMON_ZONES.iter().map(|z| z.to_string()).collect();
        if !zones.iter().any(|z| z == zone) {
            zones.insert(0, zone.to_string());
        }
        Chrome {
            case: case.to_string(),
            zone: zone.to_string(),
            zones,
            q: q.to_string(),
            keep: Vec::new(),
        }
    }

    /// `?tz=…` when the zone is not the case's (links keep it).
    pub fn tz_param(&self) -> String {
        format!("tz={}", encode(&self.zone))
    }
}

/// A message as a page shows it.
pub struct MessageView {
    pub id: String,
    pub kind: String,
    pub is_event: bool,
    pub time: String,
    pub sender: String,
    pub sender_id: String,
    pub conversation: String,
    pub conversation_id: String,
    pub platform: String,
    pub text: String,
    /// Escaped HTML with `<mark>`s (search hits only).
    pub snippet: Option<String>,
    pub reply_to: Option<String>,
    pub targets: Vec<String>,
    pub reactions: Vec<String>,
    pub urls: Vec<String>,
    pub attachments: Vec<String>,
    pub edits: Vec<(String, String)>,
    pub edited: bool,
    pub deleted: bool,
    pub forwarded_from: Option<String>,
    pub translations: Vec<(String, String)>,
    pub source: Option<(String, String, String, String)>,
    pub target: bool,
}

impl MessageView {
    pub fn new(m: &MessageOutput, zone: &TimeZone) -> MessageView {
        MessageView {
            id: m.id.clone(),
            kind: m.kind.clone(),
            is_event: m.kind != "message",
            time: time::show(&m.sent_at, zone),
            sender: m.sender.clone().unwrap_or_default(),
            sender_id: m.sender_id.clone().unwrap_or_default(),
            conversation: m.conversation.clone(),
            conversation_id: m.conversation_id.clone(),
            platform: m.platform.clone(),
            text: m.text.clone(),
            snippet: m.snippet.clone(),
            reply_to: m.reply_to.clone(),
            targets: m.targets.clone(),
            reactions: m
                .reactions
                .iter()
                .map(|r| format!("{} {}", r.reaction, r.sender_id))
                .collect(),
            urls: m
                .urls
                .iter()
                .map(|u| u.expanded.clone().unwrap_or_else(|| u.url.clone()))
                .collect(),
            attachments: m
                .attachments
                .iter()
                .map(|a| {
                    let mut s = a.name.clone();
                    if let Some(size) = a.size {
                        s.push_str(&format!(" ({size} bytes)"));
                    }
                    if let Some(sha) = &a.sha256 {
                        s.push_str(&format!(" sha256:{}", sha.get(..12).unwrap_or(sha)));
                    }
                    s
                })
                .collect(),
            edits: m
                .edits
                .iter()
                .map(|e| {
                    (
                        e.at.as_deref().map(|t| time::show(t, zone)).unwrap_or_default(),
                        e.text.clone(),
                    )
                })
                .collect(),
            edited: m.edited_at.is_some() || !m.edits.is_empty(),
            deleted: m.deleted,
            forwarded_from: m.forwarded_from.clone(),
            translations: m.translations.iter().map(|t| (t.lang.clone(), t.text.clone())).collect(),
            source: m
                .source
                .as_ref()
                .map(|s| (s.path.clone(), s.sha256.clone(), s.locator.clone(), s.citation.clone())),
            target: false,
        }
    }
}

/// A bar of the activity chart.
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub month: String,
    pub count: u64,
    pub href: String,
}

/// The messages-per-month chart, as SVG geometry.
pub struct Chart {
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Bar>,
    pub first: String,
    pub last: String,
    pub max: u64,
}

impl Chart {
    /// Bars for `facets.months`, each linking to `base_query` narrowed to
    /// its month.
    pub fn months(facets: &FacetsOutput, base_query: &str, tz_param: &str) -> Chart {
        let height = 120;
        let n = facets.months.len().max(1) as u32;
        let width = (n * 12).clamp(240, 960);
        let slot = width / n;
        let max = facets.months.iter().map(|m| m.count).max().unwrap_or(0).max(1);
        let bars = facets
            .months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let h = ((m.count as f64 / max as f64) * (height - 4) as f64).round() as u32;
                let h = if m.count > 0 { h.max(1) } else { 0 };
                let q = join_query(base_query, &format!("on:{}", m.month));
                Bar {
                    x: i as u32 * slot,
                    y: height - h,
                    width: slot.saturating_sub(1).max(1),
                    height: h,
                    month: m.month.clone(),
                    count: m.count,
                    href: format!("/search?q={}&{tz_param}", encode(&q)),
                }
            })
            .collect();
        Chart {
            width,
            height,
            bars,
            first: facets.months.first().map(|m| m.month.clone()).unwrap_or_default(),
            last: facets.months.last().map(|m| m.month.clone()).unwrap_or_default(),
            max,
        }
    }
}

/// The hour × weekday heatmap: a shade class per cell.
pub struct Heatmap {
    pub rows: Vec<(&'static str, Vec<(u64, u8)>)>,
}

impl Heatmap {
    pub fn new(cells: &[Vec<u64>]) -> Heatmap {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let max = cells.iter().flatten().copied().max().unwrap_or(0).max(1);
        let rows = cells
            .iter()
            .zip(DAYS)
            .map(|(row, day)| {
                let shades = row
                    .iter()
                    .map(|&n| {
                        let shade = if n == 0 {
                            0
                        } else {
                            1 + ((n as f64 / max as f64) * 7.0).floor().min(7.0) as u8
                        };
                        (n, shade)
                    })
                    .collect();
                (day, shades)
            })
            .collect();
        Heatmap { rows }
    }
}

/// A facet with links that add its filter to the query.
pub struct FacetView {
    pub title: &'static str,
    pub values: Vec<(String, u64, String, bool)>,
}

impl FacetView {
    pub fn new(title: &'static str, values: &[FacetValue], q: &str, tz_param: &str) -> FacetView {
        FacetView {
            title,
            values: values
                .iter()
                .map(|v| {
                    let active = q.split_whitespace().any(|t| t == v.filter);
                    let q = if active { q.to_string() } else { join_query(q, &v.filter) };
                    (
                        v.label.clone(),
                        v.count,
                        format!("/search?q={}&{tz_param}", encode(&q)),
                        active,
                    )
                })
                .collect(),
        }
    }
}

/// `query` with `term` added.
pub fn join_query(query: &str, term: &str) -> String {
    let query = query.trim();
    if query.is_empty() { term.to_string() } else { format!("{query} {term}") }
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub chrome: Chrome,
    pub stats: StatsOutput,
    pub chart: Chart,
    pub heatmap: Option<Heatmap>,
    pub conversations: Vec<(String, u64, String)>,
    pub people: Vec<(String, u64, String)>,
    pub first: String,
    pub last: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub chrome: Chrome,
    pub total: u64,
    pub took_ms: String,
    pub hits: Vec<MessageView>,
    pub warnings: Vec<String>,
    pub facets: Vec<FacetView>,
    pub chart: Chart,
    pub sort: String,
    pub page: usize,
    pub pages: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub sorts: Vec<(&'static str, &'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    pub message: MessageView,
    pub records: Vec<MessageView>,
    pub earlier: Option<String>,
    pub later: Option<String>,
    pub day_link: String,
}

#[derive(Template)]
#[template(path = "conversation.html")]
pub struct ConversationPage {
    pub chrome: Chrome,
    pub name: String,
    pub id: String,
    pub platform: String,
    pub day: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub records: Vec<MessageView>,
    pub truncated: bool,
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub chrome: Chrome,
    pub name: String,
    pub accounts: Vec<(String, String, String)>,
    pub messages: u64,
    pub first: String,
    pub last: String,
    pub chart: Chart,
    pub heatmap: Option<Heatmap>,
    pub split: String,
    pub compare: Option<(String, Heatmap, String, Heatmap)>,
    pub search_link: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_percent_encoded() {
        assert_eq!(encode("from:\"Emmy B\" a&b=c/ü"), "from%3A%22Emmy+B%22+a%26b%3Dc%2F%C3%BC");
    }

    #[test]
    fn heatmap_shades_scale_to_the_busiest_cell() {
        let mut cells = vec![vec![0u64; 24]; 7];
        cells[0][9] = 10;
        cells[6][23] = 1;
        let map = Heatmap::new(&cells);
        assert_eq!(map.rows[0].1[9], (10, 8));
        assert_eq!(map.rows[6].1[23], (1, 1));
        assert_eq!(map.rows[3].1[3], (0, 0));
    }
}
