//! Properties over random input: the parser never panics, its problems
//! point into the input, its output is normalised, and rendering it
//! round-trips.

use proptest::prelude::*;
use trove_query::{Query, Text, parse, render};

use super::zero_positions;

/// Text made of the language's special characters, operators, field names
/// and a few words, which random Unicode would almost never hit.
fn query_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("(".to_string()),
        Just(")".to_string()),
        Just("\"".to_string()),
        Just("-".to_string()),
        Just("*".to_string()),
        Just("~".to_string()),
        Just(":".to_string()),
        Just(" ".to_string()),
        Just(" ".to_string()),
        Just("OR".to_string()),
        Just("or".to_string()),
        Just("AND".to_string()),
        Just("NOT".to_string()),
        Just("form:".to_string()),
        Just("http://".to_string()),
        Just("from:".to_string()),
        Just("has:".to_string()),
        Just("In:".to_string()),
        Just("link".to_string()),
        Just("пароль".to_string()),
        Just("密码".to_string()),
        Just("كلمة".to_string()),
        Just(",".to_string()),
        Just(".".to_string()),
        Just("'".to_string()),
        Just("«".to_string()),
        Just("\u{a0}".to_string()),
        "[a-cé]{1,3}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn check_problems(input: &str) -> Result<(), TestCaseError> {
    let (_, problems) = parse(input);
    for problem in &problems {
        prop_assert!(problem.position <= input.len(), "{problem:?} past the end of {input:?}");
        prop_assert!(
            input.is_char_boundary(problem.position),
            "{problem:?} inside a char of {input:?}"
        );
        prop_assert!(!problem.message.is_empty());
    }
    prop_assert!(problems.windows(2).all(|p| p[0].position <= p[1].position));
    Ok(())
}

/// The normal form `parse` promises: no `And` in an `And`, no `Or` in an
/// `Or`, no one-item lists, `All` only on its own or first in an `And` of
/// negations, and no empty text.
fn check_normal(query: &Query, top: bool) -> Result<(), TestCaseError> {
    match query {
        Query::All => prop_assert!(top, "All inside a query"),
        Query::Text(Text::Word(s) | Text::Phrase(s) | Text::Prefix(s) | Text::Fuzzy(s)) => {
            prop_assert!(!s.is_empty());
            prop_assert!(!s.contains('"'));
        }
        Query::Filter(filter) => prop_assert!(!filter.value.is_empty()),
        Query::Not(inner) => {
            prop_assert!(!matches!(**inner, Query::All));
            check_normal(inner, false)?;
        }
        Query::And(items) => {
            prop_assert!(items.len() >= 2, "short And: {query:?}");
            let rest = match items.split_first() {
                Some((Query::All, rest)) => {
                    prop_assert!(
                        rest.iter().all(|q| matches!(q, Query::Not(_))),
                        "needless All: {query:?}"
                    );
                    rest
                }
                _ => {
                    prop_assert!(
                        !items.iter().all(|q| matches!(q, Query::Not(_))),
                        "missing All: {query:?}"
                    );
                    &items[..]
                }
            };
            for item in rest {
                prop_assert!(!matches!(item, Query::And(_) | Query::All), "unflattened: {query:?}");
                check_normal(item, false)?;
            }
        }
        Query::Or(items) => {
            prop_assert!(items.len() >= 2, "short Or: {query:?}");
            for item in items {
                prop_assert!(!matches!(item, Query::Or(_) | Query::All), "unflattened: {query:?}");
                check_normal(item, false)?;
            }
        }
    }
    Ok(())
}

/// Parses `input`, then checks that the result is normal and that its
/// rendering parses back to it, without problems unless the original had
/// some (`has:pdf` is reported every time).
fn check_round_trip(input: &str) -> Result<(), TestCaseError> {
    let (query, problems) = parse(input);
    check_normal(&query, true)?;
    let rendered = render(&query);
    let (reparsed, reproblems) = parse(&rendered);
    prop_assert_eq!(
        zero_positions(&reparsed),
        zero_positions(&query),
        "input {:?} rendered as {:?}",
        input,
        rendered
    );
    if problems.is_empty() {
        prop_assert!(reproblems.is_empty(), "{rendered:?} has problems {reproblems:?}");
    }
    prop_assert_eq!(render(&reparsed), rendered, "rendering is not idempotent");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_string_parses(input in any::<String>()) {
        check_problems(&input)?;
    }

    #[test]
    fn printable_unicode_parses(input in "\\PC{0,80}") {
        check_problems(&input)?;
    }

    #[test]
    fn special_characters_parse(input in "[()\"\\-*~: ORa-zé\u{a0}]{0,80}") {
        check_problems(&input)?;
        check_round_trip(&input)?;
    }

    #[test]
    fn query_soup_parses(input in query_soup()) {
        check_problems(&input)?;
        check_round_trip(&input)?;
    }

    #[test]
    fn any_string_round_trips(input in any::<String>()) {
        check_round_trip(&input)?;
    }

    #[test]
    fn unicode_round_trips(input in "\\PC{0,80}") {
        check_round_trip(&input)?;
    }
}
