//! Exact ASTs and problem positions, one table per construct.

use trove_query::{Field, Query, parse};

use super::{and, f, fz, not, or, ph, positions, pre, w};

/// Parses each input and compares the query and the problem positions,
/// reporting every mismatch in the table at once.
fn check(cases: Vec<(&str, Query, &[usize])>) {
    let mut failures = Vec::new();
    for (input, expected, expected_problems) in &cases {
        let (query, problems) = parse(input);
        if query != *expected || positions(&problems) != *expected_problems {
            failures.push(format!(
                "input {input:?}\n  expected {expected:?} with problems at {expected_problems:?}\n  got      {query:?} with {problems:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn empty() {
    check(vec![
        ("", Query::All, &[]),
        ("   ", Query::All, &[]),
        (" \t\n\r ", Query::All, &[]),
        ("\u{a0}\u{3000}", Query::All, &[]),
        ("...", Query::All, &[]),
        ("— ,", Query::All, &[]),
    ]);
}

#[test]
fn words() {
    check(vec![
        ("clinton", w("clinton"), &[]),
        ("Clinton", w("Clinton"), &[]),
        ("  clinton  ", w("clinton"), &[]),
        ("clinton emails", and(vec![w("clinton"), w("emails")]), &[]),
        ("clinton, emails.", and(vec![w("clinton"), w("emails")]), &[]),
        ("really?!", w("really"), &[]),
        ("'quoted'", w("quoted"), &[]),
        ("[bracketed]", w("bracketed"), &[]),
        ("e-mail", w("e-mail"), &[]),
        ("12:30", w("12:30"), &[]),
        ("example.com", w("example.com"), &[]),
        ("example.com.", w("example.com"), &[]),
        ("http://x.org", w("http://x.org"), &[]),
        ("don't", w("don't"), &[]),
        ("#general", w("#general"), &[]),
        ("@emmy", w("@emmy"), &[]),
        ("C++", w("C++"), &[]),
        ("$100", w("$100"), &[]),
        ("a*b", w("a*b"), &[]),
        ("a~b", w("a~b"), &[]),
        ("foo-", w("foo"), &[]),
        ("a\u{a0}b", and(vec![w("a"), w("b")]), &[]),
        ("clinton - emails", and(vec![w("clinton"), w("emails")]), &[]),
        ("clinton — emails", and(vec![w("clinton"), w("emails")]), &[]),
    ]);
}

#[test]
fn unicode_words() {
    check(vec![
        ("пароль", w("пароль"), &[]),
        ("Пароль?", w("Пароль"), &[]),
        ("«пароль»", w("пароль"), &[]),
        ("пароль логин", and(vec![w("пароль"), w("логин")]), &[]),
        ("كلمة", w("كلمة"), &[]),
        ("كلمة؟", w("كلمة"), &[]),
        ("كلمة، سر", and(vec![w("كلمة"), w("سر")]), &[]),
        ("密码", w("密码"), &[]),
        ("密码。", w("密码"), &[]),
        ("「密码」", w("密码"), &[]),
        ("パスワード", w("パスワード"), &[]),
        ("naïve café", and(vec![w("naïve"), w("café")]), &[]),
        ("💣", w("💣"), &[]),
        ("\u{200b}", w("\u{200b}"), &[]),
    ]);
}

#[test]
fn phrases() {
    check(vec![
        ("\"exact phrase\"", ph("exact phrase"), &[]),
        ("\"пароль\"", ph("пароль"), &[]),
        ("\"كلمة سر\"", ph("كلمة سر"), &[]),
        ("\"密码 泄露\"", ph("密码 泄露"), &[]),
        ("\"clinton\"", ph("clinton"), &[]),
        ("\"  spaced   out \"", ph("spaced out"), &[]),
        ("\"a (b) OR c*\"", ph("a (b) OR c*"), &[]),
        ("\"from:x\"", ph("from:x"), &[]),
        ("\"a\"\"b\"", and(vec![ph("a"), ph("b")]), &[]),
        ("x\"y z\"", and(vec![w("x"), ph("y z")]), &[]),
        ("\"y z\"x", and(vec![ph("y z"), w("x")]), &[]),
        ("a \"b c\" d", and(vec![w("a"), ph("b c"), w("d")]), &[]),
        // Problems.
        ("\"unterminated phrase", ph("unterminated phrase"), &[0]),
        ("a \"b", and(vec![w("a"), ph("b")]), &[2]),
        ("пароль \"b", and(vec![w("пароль"), ph("b")]), &[13]),
        ("\"\"", Query::All, &[0]),
        ("\"", Query::All, &[0]),
        ("\"   \"", Query::All, &[0]),
        ("a \"\" b", and(vec![w("a"), w("b")]), &[2]),
        ("a \"", w("a"), &[2]),
        ("\"a\"*", ph("a"), &[3]),
    ]);
}

#[test]
fn prefix_and_fuzzy() {
    check(vec![
        ("pass*", pre("pass"), &[]),
        ("pass*,", pre("pass"), &[]),
        ("pass**", pre("pass"), &[]),
        ("end.*", pre("end"), &[]),
        ("пар*", pre("пар"), &[]),
        ("OR*", pre("OR"), &[]),
        ("wikileaks~", fz("wikileaks"), &[]),
        ("wikileaks~.", fz("wikileaks"), &[]),
        ("пароль~", fz("пароль"), &[]),
        ("a pass* b~", and(vec![w("a"), pre("pass"), fz("b")]), &[]),
        // Problems.
        ("*", Query::All, &[0]),
        ("~", Query::All, &[0]),
        ("**", Query::All, &[0]),
        ("a * b", and(vec![w("a"), w("b")]), &[2]),
        ("a ~ b", and(vec![w("a"), w("b")]), &[2]),
        ("*pass", w("pass"), &[0]),
        ("~pass", w("pass"), &[0]),
        ("-*", Query::All, &[1]),
    ]);
}

#[test]
fn negation() {
    let all_but = |items: Vec<Query>| and([vec![Query::All], items].concat());
    check(vec![
        ("-foo", all_but(vec![not(w("foo"))]), &[]),
        ("clinton -foo", and(vec![w("clinton"), not(w("foo"))]), &[]),
        ("-foo clinton", and(vec![not(w("foo")), w("clinton")]), &[]),
        ("--foo", all_but(vec![not(w("foo"))]), &[]),
        ("-foo,", all_but(vec![not(w("foo"))]), &[]),
        ("-пароль", all_but(vec![not(w("пароль"))]), &[]),
        ("-\"orange revolution\"", all_but(vec![not(ph("orange revolution"))]), &[]),
        ("-pass*", all_but(vec![not(pre("pass"))]), &[]),
        ("-wikileaks~", all_but(vec![not(fz("wikileaks"))]), &[]),
        ("-from:WikiLeaks", all_but(vec![not(f(Field::From, "WikiLeaks", 1))]), &[]),
        ("-foo -from:bar", all_but(vec![not(w("foo")), not(f(Field::From, "bar", 6))]), &[]),
        ("-(a b)", all_but(vec![not(and(vec![w("a"), w("b")]))]), &[]),
        ("a -(b OR c)", and(vec![w("a"), not(or(vec![w("b"), w("c")]))]), &[]),
        ("-(-a)", all_but(vec![not(all_but(vec![not(w("a"))]))]), &[]),
        ("(-a) b", and(vec![not(w("a")), w("b")]), &[]),
        ("(-a)", all_but(vec![not(w("a"))]), &[]),
        ("(-a -b) -c", all_but(vec![not(w("a")), not(w("b")), not(w("c"))]), &[]),
        // `-OR` is not the operator, so it can only mean the word.
        ("-OR", all_but(vec![not(w("OR"))]), &[]),
        // A lone dash is prose, not an error.
        ("-", Query::All, &[]),
        ("---", Query::All, &[]),
        ("a - b", and(vec![w("a"), w("b")]), &[]),
        ("a -", w("a"), &[]),
        ("(a -)", w("a"), &[]),
        // Problems.
        ("-\"\"", Query::All, &[1]),
        ("-\"open", all_but(vec![not(ph("open"))]), &[1]),
        ("-()", Query::All, &[1]),
    ]);
}

#[test]
fn or_operator() {
    check(vec![
        ("a OR b", or(vec![w("a"), w("b")]), &[]),
        ("a OR b OR c", or(vec![w("a"), w("b"), w("c")]), &[]),
        ("a b OR c", and(vec![w("a"), or(vec![w("b"), w("c")])]), &[]),
        ("a OR b c", and(vec![or(vec![w("a"), w("b")]), w("c")]), &[]),
        ("a OR b c OR d", and(vec![or(vec![w("a"), w("b")]), or(vec![w("c"), w("d")])]), &[]),
        ("(a OR b) OR c", or(vec![w("a"), w("b"), w("c")]), &[]),
        ("a OR (b OR c)", or(vec![w("a"), w("b"), w("c")]), &[]),
        ("a OR (b c)", or(vec![w("a"), and(vec![w("b"), w("c")])]), &[]),
        ("a OR -b", or(vec![w("a"), not(w("b"))]), &[]),
        ("a OR \"b c\"", or(vec![w("a"), ph("b c")]), &[]),
        ("a OR, b", or(vec![w("a"), w("b")]), &[]),
        ("a OR(b)", or(vec![w("a"), w("b")]), &[]),
        ("from:x OR from:y", or(vec![f(Field::From, "x", 0), f(Field::From, "y", 10)]), &[]),
        ("пароль OR 密码", or(vec![w("пароль"), w("密码")]), &[]),
        // Only uppercase `OR` is the operator.
        ("a or b", and(vec![w("a"), w("or"), w("b")]), &[]),
        ("a Or b", and(vec![w("a"), w("Or"), w("b")]), &[]),
        ("or", w("or"), &[]),
        // Problems.
        ("OR", Query::All, &[0]),
        ("OR a", w("a"), &[0]),
        ("a OR", w("a"), &[2]),
        ("пароль OR", w("пароль"), &[13]),
        ("a OR OR b", or(vec![w("a"), w("b")]), &[5]),
        ("(OR a) b", and(vec![w("a"), w("b")]), &[1]),
        ("(a OR) b", and(vec![w("a"), w("b")]), &[3]),
        ("a OR ()", w("a"), &[2, 5]),
        ("a OR - b", or(vec![w("a"), w("b")]), &[]),
    ]);
}

#[test]
fn parentheses() {
    check(vec![
        (
            "(russia OR ukraine) -\"orange revolution\"",
            and(vec![or(vec![w("russia"), w("ukraine")]), not(ph("orange revolution"))]),
            &[],
        ),
        ("(a)", w("a"), &[]),
        ("((a))", w("a"), &[]),
        ("( a )", w("a"), &[]),
        ("(a b) c", and(vec![w("a"), w("b"), w("c")]), &[]),
        ("a (b c)", and(vec![w("a"), w("b"), w("c")]), &[]),
        ("(a OR b) (c OR d)", and(vec![or(vec![w("a"), w("b")]), or(vec![w("c"), w("d")])]), &[]),
        ("f(x)", and(vec![w("f"), w("x")]), &[]),
        ("a(b)c", and(vec![w("a"), w("b"), w("c")]), &[]),
        // Problems.
        ("(a b", and(vec![w("a"), w("b")]), &[0]),
        ("a (b OR c", and(vec![w("a"), or(vec![w("b"), w("c")])]), &[2]),
        ("((a OR b) c", and(vec![or(vec![w("a"), w("b")]), w("c")]), &[0]),
        ("a b)", and(vec![w("a"), w("b")]), &[3]),
        ("a) OR b", or(vec![w("a"), w("b")]), &[1]),
        ("()", Query::All, &[0]),
        ("(", Query::All, &[0]),
        (")", Query::All, &[0]),
        (")(", Query::All, &[0, 1]),
        ("a () b", and(vec![w("a"), w("b")]), &[2]),
        ("(())", Query::All, &[0, 1]),
    ]);
}

#[test]
fn filters() {
    check(vec![
        (
            "clinton from:WikiLeaks after:2016-01-01",
            and(vec![
                w("clinton"),
                f(Field::From, "WikiLeaks", 8),
                f(Field::After, "2016-01-01", 23),
            ]),
            &[],
        ),
        (
            "from:\"Emmy B\" -in:general",
            and(vec![f(Field::From, "Emmy B", 0), not(f(Field::In, "general", 15))]),
            &[],
        ),
        ("from:x", f(Field::From, "x", 0), &[]),
        ("FROM:x", f(Field::From, "x", 0), &[]),
        ("From:x", f(Field::From, "x", 0), &[]),
        ("in:general", f(Field::In, "general", 0), &[]),
        ("in:#general", f(Field::In, "#general", 0), &[]),
        ("after:2016", f(Field::After, "2016", 0), &[]),
        ("before:2016-02", f(Field::Before, "2016-02", 0), &[]),
        ("on:2016-01-01", f(Field::On, "2016-01-01", 0), &[]),
        ("has:link", f(Field::Has, "link", 0), &[]),
        ("has:attachment", f(Field::Has, "attachment", 0), &[]),
        ("has:note", f(Field::Has, "note", 0), &[]),
        ("has:LINK", f(Field::Has, "LINK", 0), &[]),
        ("tag:hot", f(Field::Tag, "hot", 0), &[]),
        ("status:reviewed", f(Field::Status, "reviewed", 0), &[]),
        ("lang:ru", f(Field::Lang, "ru", 0), &[]),
        ("platform:telegram", f(Field::Platform, "telegram", 0), &[]),
        ("source:serverA", f(Field::Source, "serverA", 0), &[]),
        ("from:пётр", f(Field::From, "пётр", 0), &[]),
        ("from:\"Пётр Иванов\"", f(Field::From, "Пётр Иванов", 0), &[]),
        ("from:\"  Emmy   B \"", f(Field::From, "Emmy B", 0), &[]),
        ("from:\"Emmy\"", f(Field::From, "Emmy", 0), &[]),
        ("from:a:b", f(Field::From, "a:b", 0), &[]),
        ("from:bob,", f(Field::From, "bob,", 0), &[]),
        ("from:x*", f(Field::From, "x*", 0), &[]),
        ("from:-x", f(Field::From, "-x", 0), &[]),
        ("пароль from:x", and(vec![w("пароль"), f(Field::From, "x", 13)]), &[]),
        (",from:x", f(Field::From, "x", 1), &[]),
        ("--from:x", and(vec![Query::All, not(f(Field::From, "x", 2))]), &[]),
        ("from:\"Emmy B\"x", and(vec![f(Field::From, "Emmy B", 0), w("x")]), &[]),
        ("from:x\"y\"", and(vec![f(Field::From, "x", 0), ph("y")]), &[]),
        (
            "(from:x OR from:y) -tag:spam",
            and(vec![
                or(vec![f(Field::From, "x", 1), f(Field::From, "y", 11)]),
                not(f(Field::Tag, "spam", 20)),
            ]),
            &[],
        ),
        // Not field names: plain words, no problem.
        ("re:x", w("re:x"), &[]),
        ("re:", w("re"), &[]),
        ("re: meeting", and(vec![w("re"), w("meeting")]), &[]),
        (":from", w("from"), &[]),
        ("https://from.example", w("https://from.example"), &[]),
        // Unknown field names: still words, with a problem (see below).
        ("subject:hello", w("subject:hello"), &[0]),
        ("to:x", w("to:x"), &[0]),
        // Problems.
        ("has:pdf", f(Field::Has, "pdf", 0), &[0]),
        ("-has:pdf", and(vec![Query::All, not(f(Field::Has, "pdf", 1))]), &[1]),
        ("from:", Query::All, &[0]),
        ("from: emmy", w("emmy"), &[0]),
        ("a -from:", w("a"), &[3]),
        ("from:\"\"", Query::All, &[0]),
        ("from:\"Emmy", f(Field::From, "Emmy", 0), &[5]),
        ("from:x)", f(Field::From, "x", 0), &[6]),
        ("from:(a b)", and(vec![w("a"), w("b")]), &[0]),
    ]);
}

#[test]
fn deep_nesting_is_capped_not_recursed() {
    let n = 10_000;
    let balanced = format!("{}a{}", "(".repeat(n), ")".repeat(n));
    let (query, problems) = parse(&balanced);
    assert_eq!(query, w("a"));
    assert_eq!(positions(&problems), vec![64]);

    let (query, problems) = parse(&"(".repeat(n));
    assert_eq!(query, Query::All);
    // One report for the depth, one per group actually opened.
    assert_eq!(problems.len(), 65);

    let (query, problems) = parse(&")".repeat(n));
    assert_eq!(query, Query::All);
    assert_eq!(problems.len(), n);

    // Negated groups nest a `Not` per level; the cap keeps that shallow
    // enough to render, compare and drop.
    let negated = format!("{}a{}", "-(".repeat(n), ")".repeat(n));
    let (query, _) = parse(&negated);
    let rendered = trove_query::render(&query);
    assert_eq!(parse(&rendered).0, query);

    let mixed = "(a OR -(b ".repeat(n);
    let (query, _) = parse(&mixed);
    assert_eq!(parse(&trove_query::render(&query)).0, query);
}

#[test]
fn problems_are_in_reading_order() {
    // The unclosed `(` is found at the end but reported first.
    let (_, problems) = parse("(a OR * has:pdf");
    assert_eq!(positions(&problems), vec![0, 6, 8]);
    for problem in &problems {
        assert!(!problem.message.is_empty());
    }
}

#[test]
fn problem_messages_name_the_trouble() {
    let message =
        |input: &str| parse(input).1.into_iter().map(|p| p.message).collect::<Vec<_>>().join("; ");
    assert!(message("has:pdf").contains("has:pdf"));
    assert!(message("from:").contains("from:"));
    assert!(message("a OR").contains("OR"));
    assert!(message("*").contains('*'));
    assert!(message("\"open").contains("quote"));
    assert!(message(")").contains(')'));
}

#[test]
fn and_operator() {
    check(vec![
        ("clinton AND trump", and(vec![w("clinton"), w("trump")]), &[]),
        ("a AND b AND c", and(vec![w("a"), w("b"), w("c")]), &[]),
        ("a AND -b", and(vec![w("a"), not(w("b"))]), &[]),
        ("a AND (b OR c)", and(vec![w("a"), or(vec![w("b"), w("c")])]), &[]),
        ("(a OR b) AND c", and(vec![or(vec![w("a"), w("b")]), w("c")]), &[]),
        ("(a AND b) OR c", or(vec![and(vec![w("a"), w("b")]), w("c")]), &[]),
        ("a AND from:x", and(vec![w("a"), f(Field::From, "x", 6)]), &[]),
        ("a AND \"b c\"", and(vec![w("a"), ph("b c")]), &[]),
        ("a AND, b", and(vec![w("a"), w("b")]), &[]),
        ("пароль AND 密码", and(vec![w("пароль"), w("密码")]), &[]),
        // Only uppercase `AND`, standing alone, is the operator.
        ("rock and roll", and(vec![w("rock"), w("and"), w("roll")]), &[]),
        ("a And b", and(vec![w("a"), w("And"), w("b")]), &[]),
        ("-AND", and(vec![Query::All, not(w("AND"))]), &[]),
        ("AND*", pre("AND"), &[]),
        ("ANDROID", w("ANDROID"), &[]),
        // Problems.
        ("AND", Query::All, &[0]),
        ("AND a", w("a"), &[0]),
        ("a AND", w("a"), &[2]),
        ("a AND AND b", and(vec![w("a"), w("b")]), &[6]),
        ("a OR AND b", or(vec![w("a"), w("b")]), &[5]),
        ("a AND OR b", and(vec![w("a"), w("b")]), &[6]),
        ("(a AND) b", and(vec![w("a"), w("b")]), &[3]),
        ("a AND ()", w("a"), &[2, 6]),
        // `OR` binds tighter, which is said once per group.
        ("a AND b OR c", and(vec![w("a"), or(vec![w("b"), w("c")])]), &[2]),
        ("a OR b AND c OR d", and(vec![or(vec![w("a"), w("b")]), or(vec![w("c"), w("d")])]), &[7]),
        ("x (a AND b OR c)", and(vec![w("x"), w("a"), or(vec![w("b"), w("c")])]), &[5]),
    ]);
}

#[test]
fn not_in_capitals_stays_a_word_and_says_so() {
    check(vec![
        ("clinton NOT trump", and(vec![w("clinton"), w("NOT"), w("trump")]), &[8]),
        ("clinton not trump", and(vec![w("clinton"), w("not"), w("trump")]), &[]),
        ("-NOT", and(vec![Query::All, not(w("NOT"))]), &[]),
    ]);
    let (_, problems) = parse("clinton NOT trump");
    assert_eq!(
        problems[0].message,
        "`NOT` is searched as a word: to exclude a term, put `-` before it (`-word`)"
    );
}

#[test]
fn unknown_filters_are_text_with_a_suggestion() {
    check(vec![
        ("form:WikiLeaks", w("form:WikiLeaks"), &[0]),
        ("clinton form:WikiLeaks", and(vec![w("clinton"), w("form:WikiLeaks")]), &[8]),
        ("-sendr:x", and(vec![Query::All, not(w("sendr:x"))]), &[1]),
        ("befor:2016", w("befor:2016"), &[0]),
        ("form:\"Emmy B\"", and(vec![w("form"), ph("Emmy B")]), &[0]),
        ("пароль отправитель:x", and(vec![w("пароль"), w("отправитель:x")]), &[13]),
        // Not attempts at a filter: no problem.
        ("http://x", w("http://x"), &[]),
        ("https://example.org/a:b", w("https://example.org/a:b"), &[]),
        ("mailto:emmy@example.org", w("mailto:emmy@example.org"), &[]),
        ("12:30", w("12:30"), &[]),
        ("10:30am", w("10:30am"), &[]),
        ("C:\\Users", w("C:\\Users"), &[]),
        ("std::io", w("std::io"), &[]),
        ("Note:", w("Note"), &[]),
        ("Note: hello", and(vec![w("Note"), w("hello")]), &[]),
        ("a2:b", w("a2:b"), &[]),
        (":smile:", w("smile"), &[]),
        ("\"form:WikiLeaks\"", ph("form:WikiLeaks"), &[]),
    ]);
    let message =
        |input: &str| parse(input).1.into_iter().map(|p| p.message).collect::<Vec<_>>().join("; ");
    assert_eq!(
        message("form:WikiLeaks"),
        "`form:` is not a filter, so it is searched as text; did you mean `from:`?"
    );
    assert_eq!(
        message("sendr:x"),
        "`sendr:` is not a filter, so it is searched as text; did you mean `from:`?"
    );
    assert_eq!(
        message("befor:2016"),
        "`befor:` is not a filter, so it is searched as text; did you mean `before:`?"
    );
    assert_eq!(
        message("Platfrom:telegram"),
        "`Platfrom:` is not a filter, so it is searched as text; did you mean `platform:`?"
    );
    assert_eq!(
        message("subject:hello"),
        "`subject:` is not a filter, so it is searched as text (the filters are from: in: \
         after: before: on: has: tag: status: lang: platform: source:)"
    );
}
