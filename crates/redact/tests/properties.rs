//! Properties over arbitrary input: no panics, no surviving secret.
#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use proptest::prelude::*;
use trove_redact::{Detector, PersonRule, Redactor, Rules, variants};

const SECRET: &str = "zqx7k";

/// Built once: compiling every detector takes a while in debug builds.
static REDACTOR: LazyLock<Redactor> = LazyLock::new(|| {
    Redactor::new(&Rules {
        persons: vec![PersonRule {
            names: vec!["Jane Doe".into()],
            handles: vec!["jdoe".into()],
            ..PersonRule::default()
        }],
        texts: vec![SECRET.into(), "José O'Brien".into()],
        regexes: vec![r"case-\d+".into()],
        detectors: Detector::ALL.to_vec(),
    })
    .unwrap()
});

fn redactor() -> &'static Redactor {
    &REDACTOR
}

/// `s` with each ASCII letter upper-cased where `mask` says so.
fn recase(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| if mask >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c })
        .collect()
}

fn insert(text: &str, at: usize, value: &str) -> String {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    format!("{}{value}{}", &text[..at], &text[at..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn inserted_secret_never_survives(text in any::<String>(), at in any::<usize>(), mask in any::<u64>()) {
        let r = redactor();
        let input = insert(&text, at, &recase(SECRET, mask));
        let out = r.text(&input).to_lowercase();
        prop_assert!(!out.contains(SECRET), "{input:?} -> {out:?}");
    }

    #[test]
    fn inserted_name_never_survives(text in any::<String>(), at in any::<usize>(), mask in any::<u64>(), gap in "[ \t\n]{1,3}") {
        let r = redactor();
        let name = recase(&format!("Jane{gap}Doe"), mask);
        let input = insert(&text, at, &format!(" {name} "));
        let out = r.text(&input).to_lowercase();
        prop_assert!(!out.contains(&name.to_lowercase()), "{input:?} -> {out:?}");
    }

    #[test]
    fn inserted_variant_never_survives(text in "\\PC{0,40}", at in any::<usize>(), pick in any::<prop::sample::Index>()) {
        let r = redactor();
        let spellings = variants("José O'Brien");
        let spelling = pick.get(&spellings);
        let input = insert(&text, at, spelling);
        let out = r.text(&input);
        prop_assert!(!out.contains(spelling.as_str()), "{input:?} -> {out:?}");
    }

    #[test]
    fn arbitrary_input_never_panics_and_hits_are_char_ranges(text in any::<String>()) {
        let r = redactor();
        let out = r.text(&text);
        if r.hits(&text).is_empty() {
            prop_assert_eq!(out.as_ref(), text.as_str());
        }
        for hit in r.hits(&text) {
            prop_assert!(text.get(hit.range.clone()).is_some(), "{:?} in {:?}", hit, text);
            prop_assert!(!hit.range.is_empty());
        }
    }

    #[test]
    fn mixed_scripts_and_marks_never_panic(text in "[a-zA-Z0-9 @._:/%&#;+\\-\u{300}-\u{36f}\u{ff10}-\u{ff5a}éøßİ한글😀\u{0b47}\u{0b3e}\u{1100}\u{1161}]{0,80}") {
        let r = redactor();
        let out = r.text(&text);
        for hit in r.hits(&text) {
            prop_assert!(text.get(hit.range.clone()).is_some());
        }
        prop_assert!(out.len() <= text.len() * 16 + 64);
    }
}

#[test]
fn huge_input_is_handled() {
    let r = redactor();
    let mut text = "lorem ipsum é\u{301} 😀 ".repeat(20_000);
    text.push_str("Jane Doe");
    text.push_str(&"\u{301}".repeat(10_000));
    let out = r.text(&text);
    assert!(out.contains("Participant 1"));
    assert!(!out.contains("Jane Doe"));
}
