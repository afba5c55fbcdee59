//! Person rules: pseudonyms for senders, names, ids and handles in text.
#![allow(clippy::unwrap_used)]

use trove_redact::{PersonRule, Redactor, RuleKind, Rules};

fn jane() -> PersonRule {
    PersonRule {
        pseudonym: String::new(),
        names: vec!["Jane Doe".into(), "José Álvarez".into(), "Al".into()],
        ids: vec!["123".into(), "+1 555 123 4567".into()],
        handles: vec!["@jdoe".into()],
    }
}

fn redactor(persons: Vec<PersonRule>) -> Redactor {
    Redactor::new(&Rules { persons, ..Rules::default() }).unwrap()
}

#[test]
fn sender_is_found_by_id_or_name() {
    let r = redactor(vec![jane()]);
    assert_eq!(r.sender("123", None), Some("Participant 1"));
    assert_eq!(r.sender("999", Some("jane   DOE")), Some("Participant 1"));
    assert_eq!(r.sender("999", Some("Jose Alvarez")), Some("Participant 1"));
    assert_eq!(r.sender("JDoe", None), Some("Participant 1"));
    assert_eq!(r.sender("+1 (555) 123-4567", None), Some("Participant 1"));
    assert_eq!(r.sender("999", Some("Jane")), None);
    assert_eq!(r.sender("1234", None), None);
    assert_eq!(r.person_of("@jdoe"), Some(0));
    assert_eq!(r.person_of("someone"), None);
}

#[test]
fn names_hit_case_insensitively_across_whitespace_runs() {
    let r = redactor(vec![jane()]);
    assert_eq!(r.text("JANE DOE said"), "Participant 1 said");
    assert_eq!(r.text("jane \n\t doe said"), "Participant 1 said");
    assert_eq!(r.text("see jane_doe.pdf"), "see Participant 1.pdf");
    assert_eq!(r.text("q=Jane+Doe&x=1"), "q=Participant 1&x=1");
}

#[test]
fn nfd_and_unaccented_input_is_redacted() {
    let r = redactor(vec![jane()]);
    let nfd = "hi Jose\u{301} A\u{301}lvarez!";
    assert_eq!(r.text(nfd), "hi Participant 1!");
    assert_eq!(r.text("hi JOSE ALVAREZ!"), "hi Participant 1!");
    assert_eq!(r.text("hi José Álvarez!"), "hi Participant 1!");
    assert_eq!(r.text("hi Ｊｏｓé Álvarez!"), "hi Participant 1!");
}

#[test]
fn name_parts_may_be_joined_differently_and_apostrophes_vary() {
    let r = redactor(vec![PersonRule {
        names: vec!["Jean-Pierre O'Brien".into()],
        ..PersonRule::default()
    }]);
    for text in [
        "Jean-Pierre O'Brien",
        "jean pierre o'brien",
        "JEAN_PIERRE.O'BRIEN",
        "Jean–Pierre O’Brien",
        "Jean+Pierre+O%27Brien",
    ] {
        assert_eq!(r.text(text), "Participant 1", "{text}");
    }
    assert_eq!(r.text("Jean-Pierre OBrien"), "Jean-Pierre OBrien");
}

#[test]
fn mentions_keep_their_at_sign() {
    let r = redactor(vec![jane()]);
    assert_eq!(r.text("thanks @jdoe and @JDoe."), "thanks @Participant 1 and @Participant 1.");
}

#[test]
fn handle_is_replaced_inside_urls() {
    let r = redactor(vec![jane()]);
    assert_eq!(
        r.text("https://twitter.com/jdoe/status/1"),
        "https://twitter.com/Participant 1/status/1"
    );
    assert_eq!(r.text("https://t.co/?u=jdoe"), "https://t.co/?u=Participant 1");
}

#[test]
fn handle_is_replaced_in_attachment_names() {
    let r = redactor(vec![jane()]);
    assert_eq!(r.text("jdoe_passport.jpg"), "Participant 1_passport.jpg");
    assert_eq!(r.text("scan-JDOE-2.png"), "scan-Participant 1-2.png");
}

#[test]
fn values_do_not_hit_inside_other_words() {
    let r = redactor(vec![jane()]);
    for text in ["Also", "Alice", "41234", "1234", "jdoes", "xjdoe", "Janet Doe", "Jane Doel"] {
        assert_eq!(r.text(text), text);
    }
    assert_eq!(r.text("Al."), "Participant 1.");
    assert_eq!(r.text("id 123"), "id Participant 1");
}

#[test]
fn phone_ids_hit_however_written() {
    let r = redactor(vec![jane()]);
    assert_eq!(r.text("call +1-555-123-4567 now"), "call Participant 1 now");
    assert_eq!(r.text("call 1 (555) 123 4567 now"), "call Participant 1 now");
}

#[test]
fn encoded_spellings_are_redacted() {
    let r = redactor(vec![jane()]);
    for text in [
        "Jos%C3%A9%20%C3%81lvarez",
        "Jos&#233; &#193;lvarez",
        "Jos&#xe9; &#xC1;lvarez",
        "Jos\\u00e9 \\u00c1lvarez",
    ] {
        assert_eq!(r.text(text), "Participant 1", "{text}");
    }
}

#[test]
fn two_persons_get_numbered_pseudonyms() {
    let bob = PersonRule { names: vec!["Bob Roe".into()], ..PersonRule::default() };
    let carol = PersonRule {
        pseudonym: "Witness C".into(),
        handles: vec!["carol".into()],
        ..PersonRule::default()
    };
    let r = redactor(vec![jane(), bob, carol]);
    assert_eq!(
        r.text("Jane Doe met Bob Roe and @carol"),
        "Participant 1 met Participant 2 and @Witness C"
    );
    assert_eq!(r.sender("x", Some("bob roe")), Some("Participant 2"));
    assert_eq!(r.pseudonym(2), Some("Witness C"));
    let hits = r.hits("Bob Roe");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule.kind, RuleKind::Person);
    assert_eq!(hits[0].rule.index, 1);
    assert_eq!(hits[0].replacement, "Participant 2");
}

#[test]
fn empty_values_are_ignored() {
    let r = redactor(vec![PersonRule {
        names: vec![String::new(), "  ".into()],
        handles: vec!["@".into()],
        ..PersonRule::default()
    }]);
    assert!(r.is_empty());
    assert_eq!(r.text("anything at all"), "anything at all");
    assert_eq!(r.sender("", Some("")), None);
}

#[test]
fn longest_name_wins_and_overlaps_leave_nothing() {
    let r = redactor(vec![
        PersonRule { names: vec!["Al".into(), "Al Smith".into()], ..PersonRule::default() },
        PersonRule { names: vec!["Smith Jones".into()], ..PersonRule::default() },
    ]);
    assert_eq!(r.text("Al Smith came"), "Participant 1 came");
    // Overlapping hits of two persons merge into the longer one's pseudonym.
    assert_eq!(r.text("Al Smith Jones came"), "Participant 2 came");
}

fn boss() -> Redactor {
    redactor(vec![
        PersonRule { ids: vec!["boss@x.onion".into()], ..PersonRule::default() },
        PersonRule {
            ids: vec!["@chief:matrix.example.org".into()],
            names: vec!["Big Chief".into()],
            ..PersonRule::default()
        },
        PersonRule { ids: vec!["jo@y.onion".into()], ..PersonRule::default() },
    ])
}

#[test]
fn an_address_names_its_local_part_in_every_chat_form_and_case() {
    let r = boss();
    for (text, redacted) in [
        ("boss кто?", "Participant 1 кто?"),
        ("<Boss> ты где", "<Participant 1> ты где"),
        ("<@BOSS> ok", "<@Participant 1> ok"),
        ("* boss waves", "* Participant 1 waves"),
        ("boss: hi", "Participant 1: hi"),
        ("ask @Boss, he knows", "ask @Participant 1, he knows"),
        ("write to boss@x.onion now", "write to Participant 1 now"),
        ("Boss@X.Onion", "Participant 1"),
        ("chief: ping @chief:matrix.example.org", "Participant 2: ping Participant 2"),
        ("Big Chief and CHIEF", "Participant 2 and Participant 2"),
    ] {
        assert_eq!(r.text(text), redacted, "{text}");
    }
    for untouched in ["bossa nova", "bossy", "the bosses", "mischief", "chiefly"] {
        assert_eq!(r.text(untouched), untouched);
    }
    assert_eq!(r.sender("boss", None), Some("Participant 1"), "a bare nick as sender");
    assert_eq!(r.sender("@chief:matrix.example.org", None), Some("Participant 2"));
}

#[test]
fn a_short_local_part_is_redacted_only_where_chat_marks_a_name() {
    let r = boss();
    for (text, redacted) in [
        ("<jo> hi", "<Participant 3> hi"),
        ("<+Jo> hi", "<+Participant 3> hi"),
        ("thanks @jo!", "thanks @Participant 3!"),
        ("* jo waves", "* Participant 3 waves"),
        ("  * JO waves", "  * Participant 3 waves"),
        ("jo: hi", "Participant 3: hi"),
        ("ok\njo, look", "ok\nParticipant 3, look"),
        ("jo@y.onion", "Participant 3"),
    ] {
        assert_eq!(r.text(text), redacted, "{text}");
    }
    for untouched in ["jo jo jo", "say jo: no", "major", "<joke>", "*jo* said", "x*jo waves"] {
        assert_eq!(r.text(untouched), untouched);
    }
}

#[test]
fn a_listed_value_beats_another_persons_local_part() {
    let r = redactor(vec![
        PersonRule { ids: vec!["boss@x.onion".into()], ..PersonRule::default() },
        PersonRule { names: vec!["boss".into()], ..PersonRule::default() },
    ]);
    assert_eq!(r.person_of("boss"), Some(1));
    assert_eq!(r.person_of("boss@x.onion"), Some(0));
}
