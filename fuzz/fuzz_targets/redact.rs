#![no_main]
//! The redactor over arbitrary text: never panics, hits slice the input at
//! character boundaries, a text rule's value survives nowhere, and a
//! person's value survives nowhere as a whole word (persons match whole
//! words by design: the name `Al` must not hit `Also`).
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trove_redact::{Detector, PersonRule, Redactor, Rules};

fn redactor() -> &'static Redactor {
    static REDACTOR: OnceLock<Redactor> = OnceLock::new();
    REDACTOR.get_or_init(|| {
        let rules = Rules {
            persons: vec![
                PersonRule {
                    names: vec!["Jane Doe".into(), "José Núñez".into()],
                    ids: vec!["9988776655".into()],
                    handles: vec!["@jdoe_leaks".into()],
                    ..PersonRule::default()
                },
                PersonRule { names: vec!["Bob".into()], pseudonym: "Source B".into(), ..PersonRule::default() },
            ],
            texts: vec!["Project Nightjar".into()],
            regexes: vec![r"ACME-\d{4}".into()],
            detectors: Detector::ALL.to_vec(),
        };
        Redactor::new(&rules).expect("the fixed rules compile")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let redactor = redactor();
    for hit in redactor.hits(text) {
        assert!(hit.range.start <= hit.range.end && hit.range.end <= text.len());
        assert!(text.is_char_boundary(hit.range.start) && text.is_char_boundary(hit.range.end));
    }
    let out = redactor.text(text).to_lowercase();
    assert!(!out.contains("project nightjar"), "a text rule's value survived in {out:?}");
    for (at, _) in out.match_indices("jdoe_leaks") {
        let before = out[..at].chars().next_back();
        let after = out[at + "jdoe_leaks".len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        assert!(word(before) || word(after), "a handle survived as a word in {out:?}");
    }
});
