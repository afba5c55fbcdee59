//! Templates and the view models they render. Every value reaches HTML
//! through askama's escaping; the one exception is a snippet, which
//! `trove_index` builds escaped with only `<mark>` added.

use askama::Template;
use jiff::tz::TimeZone;
use trove_app::{FacetValue, MessageOutput, StatsOutput};

use crate::chart::{Chart, Heatmap};
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
    /// The token every form that writes carries.
    pub csrf: String,
    /// Where a form posts back to (this page).
    pub back: String,
    /// The store generation the page answered from.
    pub generation: u64,
    /// The search index's generation: lower while another process's ingest
    /// is between its two commits (its messages are not searchable yet).
    pub searched: u64,
    /// The case is read-only: forms that write are refused.
    pub read_only: bool,
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
            csrf: String::new(),
            back: "/".into(),
            generation: 0,
            searched: 0,
            read_only: false,
        }
    }

    /// Says which generation of the case the page shows.
    pub fn answered_from(mut self, fresh: trove_app::Freshness) -> Chrome {
        self.generation = fresh.generation;
        self.searched = fresh.searched;
        self.read_only = fresh.read_only;
        self
    }

    /// Lets the page's forms write: the token, and the page to come back to.
    pub fn writable(mut self, csrf: &str, back: String) -> Chrome {
        self.csrf = csrf.to_string();
        self.back = back;
        self
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
    /// The zone the source's zone-less time was read in (`UTC`), or
    /// `unknown`: the time is flagged `zone assumed`.
    pub zone_assumed: Option<String>,
    /// The timestamp as the source wrote it.
    pub time_original: String,
    pub sender: String,
    pub sender_id: String,
    pub conversation: String,
    pub conversation_id: String,
    pub platform: String,
    /// The label of the input it came from, and the query that finds
    /// what came with it (`source:"my leak"`).
    pub source_label: String,
    pub source_filter: String,
    pub text: String,
    /// Escaped HTML with `<mark>`s (search hits only).
    pub snippet: Option<String>,
    pub reply_to: Option<String>,
    pub thread: Option<String>,
    pub targets: Vec<String>,
    pub reactions: Vec<String>,
    pub urls: Vec<String>,
    /// With a link to the case's copy when the source gave a hash.
    pub attachments: Vec<crate::media::AttachmentView>,
    pub edits: Vec<(String, String)>,
    pub edited: bool,
    pub deleted: bool,
    pub forwarded_from: Option<String>,
    pub translations: Vec<(String, String)>,
    pub source: Option<(String, String, String, String)>,
    pub target: bool,
    /// Live notes: id, safe HTML of the Markdown, author, when, range.
    pub notes: Vec<NoteView>,
    pub tags: Vec<String>,
    /// Review status, empty when unread.
    pub status: String,
    /// Offer a checkbox for bulk actions.
    pub selectable: bool,
    /// `YYYY-MM-DD` in the page's zone.
    pub day: String,
    /// A day separator before this message (conversation views), when the
    /// day changes.
    pub day_break: bool,
    /// Shown inside one conversation, whose name and platform the page
    /// states once: not repeated per message.
    pub in_thread: bool,
    /// `&q=…` carried by the permalink, so the message in context shows
    /// what the search matched.
    pub query_param: String,
    /// The sender as shown: a long id (a JID, a 64-char key) shortened
    /// from the middle; `sender` stays the full form, for the title.
    pub sender_short: String,
}

/// Marks where the day changes in a run of messages of one conversation,
/// and that they are shown as one: separators, and no conversation name on
/// each.
pub fn as_thread(records: &mut [MessageView]) {
    let mut previous: Option<String> = None;
    for m in records {
        m.in_thread = true;
        m.day_break = previous.as_deref() != Some(m.day.as_str());
        previous = Some(m.day.clone());
    }
}

/// A note as shown on a message.
pub struct NoteView {
    pub id: i64,
    /// Rendered Markdown: escaped, no images, no active links.
    pub html: String,
    pub author: String,
    pub at: String,
    /// `first..last` for a note on a range, empty for one message.
    pub range: String,
    /// A range note on a message after the range's first: shown as a
    /// reference, the text once, on the first.
    pub continued: bool,
}

impl MessageView {
    pub fn new(m: &MessageOutput, zone: &TimeZone) -> MessageView {
        MessageView {
            id: m.id.clone(),
            kind: m.kind.clone(),
            is_event: m.kind != "message",
            time: time::show(&m.sent_at, zone),
            zone_assumed: m.zone_assumed.clone(),
            time_original: m.sent_at_original.clone(),
            sender: m.sender.clone().unwrap_or_default(),
            sender_id: m.sender_id.clone().unwrap_or_default(),
            conversation: m.conversation.clone(),
            conversation_id: m.conversation_ref.clone(),
            platform: m.platform.clone(),
            source_label: m.source_label.clone(),
            source_filter: format!("source:{}", trove_app::filter_value(&m.source_label)),
            text: m.text.clone(),
            snippet: m.snippet.clone(),
            reply_to: m.reply_to.clone(),
            thread: m.thread.clone(),
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
            attachments: m.attachments.iter().map(crate::media::AttachmentView::new).collect(),
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
            notes: m
                .annotations
                .iter()
                .flat_map(|a| &a.notes)
                .map(|n| NoteView {
                    id: n.id,
                    html: trove_app::note_html(&n.body),
                    author: n.author.clone(),
                    at: time::show(&n.updated_at, zone),
                    range: if n.message_id == n.last_message_id {
                        String::new()
                    } else {
                        format!("{}..{}", n.message_id, n.last_message_id)
                    },
                    continued: n.message_id != m.id,
                })
                .collect(),
            tags: m.annotations.iter().flat_map(|a| a.tags.clone()).collect(),
            status: m
                .annotations
                .as_ref()
                .map(|a| a.status.clone())
                .filter(|s| s != "unread")
                .unwrap_or_default(),
            selectable: false,
            day: time::day(&m.sent_at, zone).unwrap_or_default(),
            day_break: false,
            in_thread: false,
            query_param: String::new(),
            sender_short: short_id(m.sender.as_deref().unwrap_or_default()),
        }
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

/// Bytes a query-string value keeps as they are: RFC 3986's unreserved.
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes a query-string value.
/// An account of a person page: where it links, and the person it was
/// merged into (name, link, reason).
pub struct AliasView {
    pub link: String,
    pub platform: String,
    pub id: String,
    pub id_short: String,
    pub names: String,
    pub person: Option<(String, String, String)>,
}

/// A long id (a JID, a 64-char key) shortened from the middle, so both
/// ends stay readable; pages put the full form in a `title`.
pub fn short_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 24 {
        return id.to_string();
    }
    let head: String = chars[..12].iter().collect();
    let tail: String = chars[chars.len() - 9..].iter().collect();
    format!("{head}…{tail}")
}

pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
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
    pub size: usize,
    /// Page sizes offered: size, link, current.
    pub sizes: Vec<(usize, String, bool)>,
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
    pub statuses: &'static [&'static str],
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
    /// Records the day holds.
    pub day_total: u64,
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub chrome: Chrome,
    pub name: String,
    pub accounts: Vec<AliasView>,
    pub messages: u64,
    pub first: String,
    pub last: String,
    pub chart: Chart,
    pub heatmap: Option<Heatmap>,
    pub split: String,
    pub compare: Option<(String, Heatmap, String, Heatmap)>,
    pub search_link: String,
    pub words: Vec<(String, u64, String)>,
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
        assert_eq!(encode("from:\"Emmy B\" a&b=c/ü"), "from%3A%22Emmy%20B%22%20a%26b%3Dc%2F%C3%BC");
    }
}

/// The review statuses offered in forms.
pub const STATUSES: &[&str] = trove_app::REVIEW_STATUSES;

#[derive(Template)]
#[template(path = "collections.html")]
pub struct CollectionsPage {
    pub chrome: Chrome,
    pub collections: Vec<trove_app::CollectionSummary>,
}

/// An excerpt of a collection as shown.
pub struct ExcerptView {
    pub position: i64,
    pub note_html: String,
    pub messages: Vec<MessageView>,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "collection.html")]
pub struct CollectionPage {
    pub chrome: Chrome,
    pub name: String,
    pub excerpts: Vec<ExcerptView>,
    /// The folder (in the case's `published/`) a publication was just
    /// written to, when it exists.
    pub published: Option<String>,
}

#[derive(Template)]
#[template(path = "redactions.html")]
pub struct RedactionsPage {
    pub chrome: Chrome,
    pub preview: trove_app::PreviewOutput,
    pub detectors: Vec<&'static str>,
}
