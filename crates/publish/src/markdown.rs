//! Editorial notes are Markdown; rendered here so nothing in them can run
//! or fetch: raw HTML is shown as text, images become their alt text, and
//! links keep only `http`, `https` and `mailto` targets — or, in the
//! workbench, which never links out of the case, become their text
//! followed by the address in parentheses.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// `text` (Markdown) as safe HTML; `links`: whether links stay links.
pub fn to_html(text: &str, links: bool) -> String {
    let mut targets: Vec<CowStr<'_>> = Vec::new();
    let events =
        Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).filter_map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            // An image's alt text stays, as text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
            Event::Start(Tag::Link { dest_url, .. }) if !links => {
                targets.push(dest_url);
                None
            }
            Event::End(TagEnd::Link) if !links => {
                targets.pop().map(|url| Event::Text(format!(" ({url})").into()))
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = if allowed_link(&dest_url) { dest_url } else { CowStr::from("") };
                Some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
            }
            other => Some(other),
        });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

fn allowed_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme))
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn links_become_text_where_nothing_may_link_out() {
        let html = to_html("see [the log](https://example.org/log?a=1&b=2)", false);
        assert_eq!(html, "<p>see the log (https://example.org/log?a=1&amp;b=2)</p>\n");
    }

    #[test]
    fn markup_renders_and_nothing_active_survives() {
        assert_eq!(
            to_html("**Note:** the *Orange* Revolution", true),
            "<p><strong>Note:</strong> the <em>Orange</em> Revolution</p>\n"
        );
        let hostile = to_html(
            "<script>alert(1)</script>\n\nsee <img src=x onerror=alert(1)> ![pic](http://tracker/x.png) \
             [click](javascript:alert(1)) [ok](https://example.org/a)",
            true,
        );
        assert!(!hostile.contains("<script"), "{hostile}");
        assert!(!hostile.contains("<img"), "{hostile}");
        assert!(hostile.contains("&lt;script&gt;"), "{hostile}");
        assert!(!hostile.contains("tracker"), "{hostile}");
        assert!(hostile.contains("pic"), "alt text stays: {hostile}");
        assert!(!hostile.contains("javascript:"), "{hostile}");
        assert!(hostile.contains("href=\"https://example.org/a\""), "{hostile}");
    }
}
