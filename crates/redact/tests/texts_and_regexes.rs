//! Text and regular-expression rules, their errors, and how hits merge.
#![allow(clippy::unwrap_used)]

use trove_redact::{Detector, PersonRule, RedactError, Redactor, RuleKind, RuleRef, Rules};

fn with(texts: &[&str], regexes: &[&str]) -> Result<Redactor, RedactError> {
    Redactor::new(&Rules {
        texts: texts.iter().map(|s| s.to_string()).collect(),
        regexes: regexes.iter().map(|s| s.to_string()).collect(),
        ..Rules::default()
    })
}

#[test]
fn texts_hit_anywhere_in_any_case() {
    let r = with(&["Hunter2", "Project Émeraude"], &[]).unwrap();
    assert_eq!(
        r.text("pw: hunter2, HUNTER2xyz, xHuNtEr2"),
        "pw: [redacted], [redacted]xyz, x[redacted]"
    );
    assert_eq!(r.text("the project  emeraude files"), "the [redacted] files");
    assert_eq!(r.text("PROJECT ÉMERAUDE"), "[redacted]");
    assert_eq!(r.text("Project+%C3%89meraude"), "[redacted]");
    assert_eq!(r.text("hunter3"), "hunter3");
}

#[test]
fn texts_use_unicode_case_folding() {
    let r = with(&["Straße", "ΣΟΦΊΑ"], &[]).unwrap();
    assert_eq!(r.text("STRASSE und strasse"), "[redacted] und [redacted]");
    assert_eq!(r.text("σοφία"), "[redacted]");
}

#[test]
fn regexes_redact_their_matches() {
    let r = with(&[], &[r"case-\d{4}", r"(?i)secret\s+\w+"]).unwrap();
    assert_eq!(r.text("see case-2041 and SECRET plans"), "see [redacted] and [redacted]");
    let hits = r.hits("case-1234");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule, RuleRef { kind: RuleKind::Regex, index: 0 });
    assert_eq!(hits[0].replacement, "[redacted]");
}

#[test]
fn regexes_match_the_nfc_form() {
    let r = with(&[], &["José"]).unwrap();
    assert_eq!(r.text("Jose\u{301} and José"), "[redacted] and [redacted]");
}

#[test]
fn invalid_regex_names_the_rule_and_the_error() {
    let err = with(&[], &["ok", "[a-"]).unwrap_err();
    assert!(matches!(err, RedactError::InvalidRegex { index: 1, .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("regex rule 1"), "{message}");
    assert!(message.contains("unclosed character class"), "{message}");
}

#[test]
fn empty_matching_regex_is_an_error() {
    for source in ["a*", r"\b", "(?m)^", "x|"] {
        let err = with(&[], &["fine", source]).unwrap_err();
        assert_eq!(err, RedactError::EmptyMatch { index: 1, pattern: source.to_string() });
        assert!(err.to_string().contains("empty string"), "{err}");
    }
}

#[test]
fn blank_texts_and_regexes_are_ignored() {
    let r = with(&["", "  "], &[""]).unwrap();
    assert!(r.is_empty());
    assert_eq!(r.text("untouched"), "untouched");
}

#[test]
fn nothing_hit_borrows_the_input() {
    let r = with(&["secret"], &[r"\d{5}"]).unwrap();
    assert!(matches!(r.text("nothing here"), std::borrow::Cow::Borrowed(_)));
}

#[test]
fn overlapping_hits_merge_into_one_replacement() {
    let r = Redactor::new(&Rules {
        persons: vec![PersonRule { ids: vec!["jdoe".into()], ..PersonRule::default() }],
        texts: vec!["doe@exam".into(), "ample.org is".into()],
        detectors: vec![Detector::Email],
        ..Rules::default()
    })
    .unwrap();
    assert_eq!(r.text("mail jdoe@example.org is here"), "mail [email] here");
    let hits = r.hits("mail jdoe@example.org is here");
    let kinds: Vec<RuleKind> = hits.iter().map(|h| h.rule.kind).collect();
    assert_eq!(kinds, [RuleKind::Detector, RuleKind::Person, RuleKind::Text, RuleKind::Text]);
}

#[test]
fn overlapping_matches_of_one_text_leave_no_fragment() {
    let r = with(&["aba"], &[]).unwrap();
    assert_eq!(r.text("xababay"), "x[redacted]y");
}

#[test]
fn hit_ranges_slice_the_input_on_char_boundaries() {
    let r = Redactor::new(&Rules {
        persons: vec![PersonRule { names: vec!["Zoë Ørsted".into()], ..PersonRule::default() }],
        texts: vec!["ß".into()],
        detectors: Detector::ALL.to_vec(),
        ..Rules::default()
    })
    .unwrap();
    let text = "Ｚｏｅ\u{308} Orsted 😀 Zoe\u{308}\u{323} ørsted, maß, mail zoë@exämple.de +44 20 7946 0958";
    let hits = r.hits(text);
    assert!(hits.len() >= 5, "{hits:?}");
    for hit in &hits {
        let slice = text.get(hit.range.clone());
        assert!(slice.is_some(), "{hit:?}");
    }
    assert_eq!(r.text(text), "Participant 1 😀 Participant 1, ma[redacted], mail [email] [phone]");
}

#[test]
fn a_value_exposed_by_another_redaction_goes_too() {
    let rules = Rules {
        persons: vec![PersonRule { handles: vec!["jdoe_leaks".into()], ..PersonRule::default() }],
        texts: vec!["project nightjar".into()],
        ..Rules::default()
    };
    let redactor = Redactor::new(&rules).expect("rules");
    assert_eq!(redactor.text("&%project nightjarjdoe_leaks:"), "&%[redacted]Participant 1:");
    assert_eq!(
        redactor.text("nightjarjdoe_leaks"),
        "nightjarjdoe_leaks",
        "not a word, no rule exposes it"
    );
}
