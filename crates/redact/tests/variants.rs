//! The spellings the leak scan looks for.
#![allow(clippy::unwrap_used)]

use trove_redact::variants;

#[test]
fn variants_of_a_name_with_accent_apostrophe_and_ampersand() {
    let value = "José O'Brien & Co";
    let all = variants(value);
    let expected = [
        value,
        "josé o'brien & co",
        "JOSÉ O'BRIEN & CO",
        "José O'brien & Co",
        "Jose\u{301} O'Brien & Co",
        "JOSE\u{301} O'BRIEN & CO",
        // Percent-encoding.
        "Jos%C3%A9%20O%27Brien%20%26%20Co",
        "Jos%c3%a9%20O%27Brien%20%26%20Co",
        "Jos%C3%A9+O%27Brien+%26+Co",
        "jos%c3%a9+o%27brien+%26+co",
        "Jose%CC%81%20O%27Brien%20%26%20Co",
        "Jos%C3%A9%20O'Brien%20&%20Co",
        "JOS%C3%89+O%27BRIEN+%26+CO",
        "JOS%C3%A9%20O%27BRIEN%20%26%20CO",
        // HTML.
        "José O&#39;Brien &amp; Co",
        "José O&#x27;Brien &amp; Co",
        "Jos&#233; O&#39;Brien &amp; Co",
        "Jos&#xe9; O&#x27;Brien &amp; Co",
        "Jos&#233;&#32;O&#39;Brien&#32;&#38;&#32;Co",
        "Jos&#xe9;&#x20;O&#x27;Brien&#x20;&#x26;&#x20;Co",
        "JOS&#201; O&#39;BRIEN &amp; CO",
        // JSON.
        "Jos\\u00e9 O'Brien & Co",
        "Jos\\u00E9 O'Brien & Co",
        "Jos\\u00e9 O\\u0027Brien \\u0026 Co",
        "jos\\u00e9 o'brien & co",
        "JOS\\U00E9 O'BRIEN & CO",
    ];
    for spelling in expected {
        assert!(all.iter().any(|v| v == spelling), "missing {spelling:?}");
    }
    let unique: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "duplicates");
    assert_eq!(all[0], value);
}

#[test]
fn variants_cover_slashes_and_compatibility_forms() {
    let all = variants("ﬁle/a\"b");
    for spelling in [
        "ﬁle/a\"b",
        "file/a\"b",
        "FILE/A\"B",
        "ﬁle\\/a\\\"b",
        "file/a&quot;b",
        "file&#x2f;a&quot;b",
        "%EF%AC%81le%2Fa%22b",
        "file%2Fa%22b",
    ] {
        assert!(all.iter().any(|v| v == spelling), "missing {spelling:?}");
    }
}

#[test]
fn empty_value_has_no_variants() {
    assert!(variants("").is_empty());
}
