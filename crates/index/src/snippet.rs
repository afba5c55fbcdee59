//! Highlighted snippets, computed from the same analysis as the index.

use trove_query::{Query, Text};

use crate::analyzer::{Word, words};

/// Marks, in a message text, the words a query matched.
#[derive(Clone, Debug, Default)]
pub struct Highlighter {
    stems: Vec<String>,
    exacts: Vec<String>,
    prefixes: Vec<String>,
    fuzzy: Vec<(String, usize)>,
}

impl Highlighter {
    /// Collects the positive text terms of `query`.
    pub fn new(query: &Query) -> Highlighter {
        let mut highlighter = Highlighter::default();
        highlighter.collect(query);
        highlighter
    }

    fn collect(&mut self, query: &Query) {
        match query {
            Query::Text(Text::Word(w)) => self.stems.extend(words(w).into_iter().map(|w| w.stem)),
            Query::Text(Text::Phrase(p)) => {
                self.exacts.extend(words(p).into_iter().map(|w| w.exact))
            }
            Query::Text(Text::Prefix(p)) => {
                if let Some(last) = words(p).pop() {
                    self.prefixes.push(last.exact);
                }
            }
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
            || self.exacts.contains(&word.exact)
            || self.prefixes.iter().any(|p| word.exact.starts_with(p.as_str()))
            || self.fuzzy.iter().any(|(f, d)| edit_distance(f, &word.exact) <= *d)
    }

    /// The byte ranges of matched words in `text`.
    pub fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        words(text).iter().filter(|w| self.matches(w)).map(|w| (w.start, w.end)).collect()
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

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
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
    fn prefix_and_fuzzy_highlight() {
        let (query, _) = parse("wiki* clintn~");
        let snippet = Highlighter::new(&query).snippet("WikiLeaks on Clinton", 100);
        assert_eq!(snippet, "<mark>WikiLeaks</mark> on <mark>Clinton</mark>");
    }
}
