//! The canonical text form.

use trove_query::{Field, Query, parse, render};

use super::{and, f, not, or, ph, pre, w, zero_positions};

#[test]
fn renders_parsed_queries_canonically() {
    let cases = [
        ("", ""),
        ("   ", ""),
        ("clinton", "clinton"),
        (
            "  clinton   FROM:WikiLeaks  after:2016-01-01 ",
            "clinton from:WikiLeaks after:2016-01-01",
        ),
        ("from:\"Emmy B\" -in:general", "from:\"Emmy B\" -in:general"),
        ("from:\"Emmy\"", "from:Emmy"),
        ("from:\"a)\"", "from:\"a)\""),
        ("(russia OR ukraine) -\"orange revolution\"", "russia OR ukraine -\"orange revolution\""),
        ("a b OR c", "a b OR c"),
        ("(a b) OR c", "(a b) OR c"),
        ("(a OR b) (c OR d)", "a OR b c OR d"),
        ("a OR (b OR c)", "a OR b OR c"),
        ("-foo -from:bar", "-foo -from:bar"),
        ("-(a OR b)", "-(a OR b)"),
        ("-(a b) c", "-(a b) c"),
        ("-(-a)", "-(-a)"),
        ("a OR (-b)", "a OR (-b)"),
        ("\"exact  phrase\"", "\"exact phrase\""),
        ("pass*,", "pass*"),
        ("wikileaks~", "wikileaks~"),
        ("-OR", "-OR"),
        ("OR*", "OR*"),
        ("пароль «пароль» \"пароль\"", "пароль пароль \"пароль\""),
        ("(a OR", "a"),
        ("has:pdf", "has:pdf"),
        ("a AND b", "a b"),
        ("a AND (b OR c)", "a b OR c"),
        ("(a AND b) OR c", "(a b) OR c"),
        ("-AND", "-AND"),
        ("form:x", "form:x"),
    ];
    let mut failures = Vec::new();
    for (input, expected) in cases {
        let rendered = render(&parse(input).0);
        if rendered != expected {
            failures.push(format!("{input:?}: expected {expected:?}, got {rendered:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hand_built_queries_render_as_closely_as_the_language_allows() {
    let cases = [
        (w("OR"), "\"OR\""),
        (w("AND"), "\"AND\""),
        (w("a b"), "\"a b\""),
        (w("-a"), "\"-a\""),
        (w("from:x"), "\"from:x\""),
        (pre("a b"), "\"a b\""),
        (ph("say \"hi\""), "\"say  hi \""),
        (f(Field::From, "Emmy B", 99), "from:\"Emmy B\""),
        (f(Field::Tag, "a(b", 0), "tag:\"a(b\""),
        (not(not(w("a"))), "-(-a)"),
        (and(vec![w("a"), and(vec![w("b"), w("c")])]), "a b c"),
        (or(vec![w("a"), or(vec![w("b"), w("c")])]), "a OR b OR c"),
        (and(vec![Query::All, w("a")]), "a"),
        (Query::All, ""),
    ];
    let mut failures = Vec::new();
    for (query, expected) in cases {
        let rendered = render(&query);
        if rendered != expected {
            failures.push(format!("{query:?}: expected {expected:?}, got {rendered:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nested_rendering_reparses() {
    let query = and(vec![
        w("a"),
        or(vec![and(vec![w("b"), not(f(Field::In, "x y", 0))]), not(or(vec![w("c"), ph("d e")]))]),
    ]);
    let rendered = render(&query);
    assert_eq!(rendered, "a (b -in:\"x y\") OR -(c OR \"d e\")");
    assert_eq!(zero_positions(&parse(&rendered).0), query);
}
