//! Making hostile strings safe for a terminal, and a little styling.

use std::io::IsTerminal;

/// Replaces characters that could rewrite what a terminal shows (control
/// characters, bidi overrides, zero-width characters) with visible escapes.
/// Newlines and tabs are kept when `keep_newlines` is set.
pub fn sanitize(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hostile = match c {
            '\n' | '\t' => !keep_newlines,
            c if c.is_control() => true,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}' => true,
            '\u{061C}' | '\u{180E}' => true,
            _ => false,
        };
        if hostile {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Styling for human output: only on a terminal, and never with `NO_COLOR`.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Decides from stdout.
    pub fn for_stdout() -> Style {
        Style { color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
    }

    /// Decides from stderr.
    pub fn for_stderr() -> Style {
        Style { color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    /// Bold.
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Red, bold.
    pub fn error(&self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// Yellow, bold.
    pub fn warn(&self, text: &str) -> String {
        self.paint("1;33", text)
    }

    /// Cyan, bold.
    pub fn help(&self, text: &str) -> String {
        self.paint("1;36", text)
    }

    /// A highlighted match.
    pub fn mark(&self, text: &str) -> String {
        if self.color { self.paint("1;33", text) } else { format!("[{text}]") }
    }
}

/// Turns a search snippet (HTML-escaped, `<mark>` around matches) into
/// terminal text.
pub fn snippet_for_terminal(snippet: &str, style: Style) -> String {
    let mut out = String::new();
    let mut rest = snippet;
    while let Some(start) = rest.find("<mark>") {
        out.push_str(&unescape(&rest[..start]));
        let after = &rest[start + "<mark>".len()..];
        let end = after.find("</mark>").unwrap_or(after.len());
        out.push_str(&style.mark(&sanitize(&unescape(&after[..end]), false)));
        rest = after.get(end + "</mark>".len()..).unwrap_or("");
    }
    out.push_str(&unescape(rest));
    out
}

fn unescape(html: &str) -> String {
    let text = html
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    sanitize(&text, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_and_control_characters_are_made_visible() {
        assert_eq!(sanitize("a\u{202E}b\x1b[31mc", true), "a\\u{202e}b\\u{1b}[31mc");
        assert_eq!(sanitize("line\nnext", true), "line\nnext");
        assert_eq!(sanitize("line\nnext", false), "line\\u{a}next");
    }

    #[test]
    fn snippets_lose_markup_but_keep_marks() {
        let style = Style { color: false };
        assert_eq!(
            snippet_for_terminal("a &lt;b&gt; <mark>c&amp;d</mark> e", style),
            "a <b> [c&d] e"
        );
    }
}
