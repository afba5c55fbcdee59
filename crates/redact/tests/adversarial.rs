//! Inputs built to make a careless scanner quadratic or panic: each must be
//! handled in about linear time.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use trove_redact::{Detector, PersonRule, Redactor, Rules};

fn redactor() -> Redactor {
    Redactor::new(&Rules {
        persons: vec![PersonRule {
            names: vec!["Jane Doe".into(), "a".into()],
            ids: vec!["+1 555 123 4567".into()],
            ..PersonRule::default()
        }],
        texts: vec!["eyJ".into()],
        regexes: vec![r"x+y".into()],
        detectors: Detector::ALL.to_vec(),
    })
    .unwrap()
}

#[test]
fn long_pathological_texts_are_linear() {
    let r = redactor();
    let n = 100_000;
    let inputs = [
        format!("https://{}", "a.bc/".repeat(n / 5)),
        format!("x{}", "3g2upl4pq6kufc4m.onion/".repeat(n / 23)),
        "xeyJ".repeat(n / 4) + ".eyJaaaaaaaa",
        "a@".repeat(n / 2),
        format!("{}@{}", "a".repeat(n / 2), "a.".repeat(n / 4)),
        "1.".repeat(n / 2),
        "1:".repeat(n / 2),
        "+1 ".repeat(n / 3),
        "jane ".to_string() + &" ".repeat(n) + "doe",
        "Jane\u{301}".repeat(n / 6),
        "a\u{301}".repeat(n / 3),
        "\u{301}".repeat(n / 2),
        "x".repeat(n),
    ];
    for input in &inputs {
        let start = Instant::now();
        let out = r.text(input);
        let hits = r.hits(input);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(20), "{took:?} on {:?}…", &input[..20]);
        for hit in hits {
            assert!(input.get(hit.range).is_some());
        }
        assert!(out.len() <= input.len() * 16);
    }
}
