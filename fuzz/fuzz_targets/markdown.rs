#![no_main]
//! Editorial notes: whatever the Markdown, the HTML's tags are plain
//! formatting: no script, image, frame or style, no event handler, no
//! javascript: link (text keeps `<` escaped, so every `<` opens a tag).
use libfuzzer_sys::fuzz_target;

const ALLOWED: &[&str] = &[
    "p", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "br", "a", "sup", "div", "table", "thead", "tbody", "tr", "th", "td",
    "input", "span",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for links in [true, false] {
        let html = trove_publish::markdown::to_html(text, links);
        for tag in html.split('<').skip(1) {
            let inside = tag.split('>').next().unwrap_or("").to_lowercase();
            let name: String =
                inside.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            assert!(ALLOWED.contains(&name.as_str()), "<{inside}> in {html:?}");
            // Attribute names only: quoted values (a link's title) may say anything.
            let names: String = inside.split('"').step_by(2).collect();
            assert!(!names.contains(" on"), "an event handler: <{inside}>");
            // A code block's language is a class name, not a link.
            for attribute in ["href=\"", "src=\""] {
                let value = inside.split(attribute).nth(1).unwrap_or("");
                assert!(!value.trim_start().starts_with("javascript:"), "<{inside}>");
            }
            assert!(links || name != "a", "a link where none may be: {html:?}");
            if name == "a" {
                let href = inside.split("href=\"").nth(1).unwrap_or("");
                assert!(
                    href.is_empty()
                        || href.starts_with('"')
                        || ["http://", "https://", "mailto:"].iter().any(|s| href.starts_with(s)),
                    "<{inside}>"
                );
            }
        }
    }
});
