//! Highlighted snippets, computed from the same analysis as the index.

use trove_query::{Query, Text, edit_distance};

use crate::analyzer::{Word, words};

/// Marks, in a message text, the words a query matched.
#[derive(Clone, Debug, Default)]
pub struct Highlighter {
    stems: Vec<String>,
    /// Phrases, and words the analyzer splits (`Clinton's`, `l’homme`),
    /// which the index matches as phrases: only the whole run is marked, not
    /// every `s` or `l` of the text.
    sequences: Vec<Sequence>,
    prefixes: Vec<String>,
    fuzzy: Vec<(String, usize)>,
}

/// Exact forms that match as consecutive words.
#[derive(Clone, Debug)]
struct Sequence {
    exacts: Vec<String>,
    /// The last form is a prefix (`l’hom*`).
    prefix_last: bool,
}

impl Sequence {
    /// Whether the sequence matches the words starting at `text[0]`.
    fn matches(&self, text: &[Word]) -> bool {
        let last = self.exacts.len().saturating_sub(1);
        self.exacts.len() <= text.len()
            && self.exacts.iter().zip(text).enumerate().all(|(i, (exact, word))| {
                if self.prefix_last && i == last {
                    word.exact.starts_with(exact.as_str())
                } else {
                    word.exact == *exact
                }
            })
    }
}

impl Highlighter {
    /// Collects the positive text terms of `query`.
    pub fn new(query: &Query) -> Highlighter {
        let mut highlighter = Highlighter::default();
        highlighter.collect(query);
        highlighter
    }

    /// Collects like `lower` lowers: one word by its stem, several as a
    /// phrase of exact forms.
    fn collect(&mut self, query: &Query) {
        let exacts =
            |found: Vec<Word>| -> Vec<String> { found.into_iter().map(|w| w.exact).collect() };
        match query {
            Query::Text(Text::Word(w)) => match words(w) {
                found if found.len() > 1 => {
                    self.sequences.push(Sequence { exacts: exacts(found), prefix_last: false })
                }
                found => self.stems.extend(found.into_iter().map(|w| w.stem)),
            },
            Query::Text(Text::Phrase(p)) => {
                let found = words(p);
                if !found.is_empty() {
                    self.sequences.push(Sequence { exacts: exacts(found), prefix_last: false });
                }
            }
            Query::Text(Text::Prefix(p)) => match words(p) {
                found if found.len() > 1 => {
                    self.sequences.push(Sequence { exacts: exacts(found), prefix_last: true })
                }
                found => self.prefixes.extend(found.into_iter().map(|w| w.exact)),
            },
            Query::Text(Text::Fuzzy(f)) => {
                if let Some(first) = words(f).into_iter().next() {
                    let distance = if first.exact.chars().count() <= 4 { 1 } else { 2 };
                    self.fuzzy.push((first.exact, distance));
                }
            }
            Query::And(items) | Query::Or(items) => items.iter().for_each(|q| self.collect(q)),
            Query::Not(_) | Query::Filter(_) | Query::All => {}
        }
    }

    fn matches(&self, word: &Word) -> bool {
        self.stems.contains(&word.stem)
            || self.prefixes.iter().any(|p| word.exact.starts_with(p.as_str()))
            // A character is at most four bytes: a cheap bound first.
            || self.fuzzy.iter().any(|(f, d)| {
                f.len().abs_diff(word.exact.len()) <= 4 * d && edit_distance(f, &word.exact) <= *d
            })
    }

    /// The byte ranges of matched words in `text`; a matched sequence is one
    /// range, apostrophes and full stops inside it included.
    pub fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        let found = words(text);
        let mut ranges = Vec::new();
        let mut i = 0;
        while let Some(word) = found.get(i) {
            let single = self.matches(word).then_some(1);
            let longest = self
                .sequences
                .iter()
                .filter(|s| s.matches(&found[i..]))
                .map(|s| s.exacts.len())
                .chain(single)
                .max();
            match longest.and_then(|n| found.get(i + n - 1)) {
                Some(last) => {
                    ranges.push((word.start, last.end));
                    i += longest.unwrap_or(1);
                }
                None => i += 1,
            }
        }
        ranges
    }

    /// A fragment of at most about `max_chars` characters around the first
    /// match, HTML-escaped, with matches wrapped in `<mark>`…`</mark>`.
    /// Ellipses mark cut ends.
    pub fn snippet(&self, text: &str, max_chars: usize) -> String {
        let ranges = self.ranges(text);
        let anchor = ranges.first().map(|r| r.0).unwrap_or(0);
        // Start a little before the first match, on a char boundary.
        let lead = max_chars / 4;
        let mut start = anchor;
        let mut taken = 0;
        for (i, _) in text[..anchor].char_indices().rev() {
            if taken == lead {
                break;
            }
            start = i;
            taken += 1;
        }
        if taken < lead {
            start = 0;
        }
        let end = text[start..]
            .char_indices()
            .nth(max_chars)
            .map(|(i, _)| start + i)
            .unwrap_or(text.len());
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        let mut cursor = start;
        for &(from, to) in ranges.iter().filter(|r| r.0 >= start && r.1 <= end) {
            escape_into(&text[cursor..from], &mut out);
            out.push_str("<mark>");
            escape_into(&text[from..to], &mut out);
            out.push_str("</mark>");
            cursor = to;
        }
        escape_into(&text[cursor..end], &mut out);
        if end < text.len() {
            out.push('…');
        }
        out
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trove_query::parse;

    #[test]
    fn marks_stemmed_matches_and_escapes_markup() {
        let (query, _) = parse("password");
        let snippet = Highlighter::new(&query).snippet("<b>Passwords</b> & keys", 100);
        assert_eq!(snippet, "&lt;b&gt;<mark>Passwords</mark>&lt;/b&gt; &amp; keys");
    }

    #[test]
    fn cuts_around_the_first_match() {
        let text = format!("{} needle {}", "hay ".repeat(100), "hay ".repeat(100));
        let (query, _) = parse("needle");
        let snippet = Highlighter::new(&query).snippet(&text, 40);
        assert!(snippet.starts_with('…') && snippet.ends_with('…'), "{snippet}");
        assert!(snippet.contains("<mark>needle</mark>"), "{snippet}");
    }

    #[test]
    fn split_words_are_marked_whole_and_only_where_they_match() {
        let mark = |q: &str, text: &str| Highlighter::new(&parse(q).0).snippet(text, 200);
        let text = "it's Clinton’s day, l’homme est là";
        assert_eq!(mark("clinton", text), "it&#39;s <mark>Clinton</mark>’s day, l’homme est là");
        assert_eq!(mark("clinton's", text), "it&#39;s <mark>Clinton’s</mark> day, l’homme est là");
        assert_eq!(mark("\"Clinton’s\"", text), mark("clinton's", text));
        assert_eq!(mark("l'homme", text), "it&#39;s Clinton’s day, <mark>l’homme</mark> est là");
        assert_eq!(mark("l’hom*", text), mark("l'homme", text));
        assert_eq!(mark("homme", text), "it&#39;s Clinton’s day, l’<mark>homme</mark> est là");
    }

    #[test]
    fn fuzzy_counts_a_transposition_as_one_edit_like_the_index() {
        let (query, _) = parse("form~");
        let snippet = Highlighter::new(&query).snippet("sent from here", 100);
        assert_eq!(snippet, "sent <mark>from</mark> here");
    }

    #[test]
    fn prefix_and_fuzzy_highlight() {
        let (query, _) = parse("wiki* clintn~");
        let snippet = Highlighter::new(&query).snippet("WikiLeaks on Clinton", 100);
        assert_eq!(snippet, "<mark>WikiLeaks</mark> on <mark>Clinton</mark>");
    }
}
