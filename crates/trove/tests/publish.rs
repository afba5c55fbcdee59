//! Redaction, publishing and exports end to end: the leak scan over every
//! byte trove writes, manifest verification, and the RSMF round trip.

mod common;

use common::{json, s, trove};

use std::path::{Path, PathBuf};

use serde_json::Value;
use trove_testkit::base64;
use trove_testkit::zipfile::{read_zip, write_zip};

/// A WhatsApp export whose chat is named after a person, with her handle
/// in an attached file's name.
fn whatsapp_zip(dir: &Path) -> PathBuf {
    let chat = "\
13/06/2016, 09:00 - Jane Doe: Meet me at noon, call +44 7700 900123
13/06/2016, 09:01 - Bob Stone: ok Jane Doe, sending it now
13/06/2016, 09:02 - Jane Doe: jdoe_leaks_passport.jpg (file attached)
13/06/2016, 09:03 - Jane Doe: my mail is jane.doe@example.org
13/06/2016, 09:04 - Bob Stone: Karl Mustermann left the keys at 192.168.13.37
";
    let path = dir.join("WhatsApp Chat with Jane Doe.zip");
    write_zip(
        &path,
        &[
            ("WhatsApp Chat with Jane Doe.txt", chat.as_bytes()),
            ("jdoe_leaks_passport.jpg", b"\xff\xd8 not a photo".as_slice()),
        ],
    )
    .expect("zip");
    path
}

/// A transcript where the same woman writes as `jdoe_leaks`, one name is
/// written decomposed (NFD), and secrets of every detector's kind appear.
fn transcript(dir: &Path) -> PathBuf {
    let nfd = "Jose\u{301} Nu\u{301}n\u{303}ez";
    let csv = format!(
        "text,date,user
\"Hi @jdoe_leaks, see https://twitter.com/jdoe_leaks/status/123 and ask {nfd}\",2016-06-13 10:00,Bob Stone
\"Karl Mustermann has them; mail karl@example.net, box 10.20.30.40\",2016-06-13 10:05,jdoe_leaks
\"Pay 1BoatSLRHtKNngkdXEeobR76b53LETtpyT or 0x52908400098527886E0F7030069857D2E4169EE7 via http://expyuzz4wqqyqhjn.onion/drop\",2016-06-13 10:07,Bob Stone
\"Project Nightjar: ticket ACME-1234, hook https://hooks.example.com/in?token=s3cr3tT0k3n\",2016-06-13 10:09,jdoe_leaks
\"=cmd|' /C calc'!A0 says José Núñez\",2016-06-13 10:11,José Núñez
"
    );
    let path = dir.join("desk.csv");
    std::fs::write(&path, csv).expect("write");
    path
}

/// Everything that must not leave the case.
const SECRETS: &[&str] = &[
    "Jane Doe",
    "jdoe_leaks",
    "Bob Stone",
    "Karl Mustermann",
    "José Núñez",
    "+44 7700 900123",
    "7700 900123",
    "jane.doe@example.org",
    "karl@example.net",
    "10.20.30.40",
    "192.168.13.37",
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "expyuzz4wqqyqhjn",
    "s3cr3tT0k3n",
    "Project Nightjar",
    "ACME-1234",
];

struct Case {
    dir: tempfile::TempDir,
    case: PathBuf,
}

impl Case {
    fn run(&self, args: &[&str]) -> Value {
        let mut all = vec!["--case", s(&self.case), "--json", "--author", "desk"];
        all.extend_from_slice(args);
        json(&trove(&all))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn ids(&self, query: &str) -> Vec<String> {
        let found = self.run(&["search", "--sort", "time", "--limit", "100", "--", query]);
        found["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["id"].as_str().expect("id").into())
            .collect()
    }
}

/// A case with both sources, persons merged, every kind of rule, and a
/// collection with notes that name the people.
fn redacted_case() -> Case {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = Case { case: dir.path().join("case"), dir };
    let zip = whatsapp_zip(case.dir.path());
    let csv = transcript(case.dir.path());
    json(&trove(&["ingest", s(&zip), "--case", s(&case.case), "--json", "--tz", "Europe/London"]));
    json(&trove(&[
        "ingest",
        s(&csv),
        "--case",
        s(&case.case),
        "--json",
        "--map",
        "text=text,sent_at=date,sender=user",
        "--tz",
        "Europe/London",
    ]));
    case.run(&[
        "people",
        "merge",
        "Jane Doe",
        "jdoe_leaks",
        "--reason",
        "same phone",
        "--name",
        "Jane Doe",
    ]);
    case.run(&["redact", "add", "--person", "Jane Doe", "--as", "Source A"]);
    case.run(&["redact", "add", "--person", "Bob Stone"]);
    case.run(&["redact", "add", "--person", "Karl Mustermann"]);
    case.run(&["redact", "add", "--person", "José Núñez", "--as", "Source C"]);
    case.run(&["redact", "add", "--text", "Project Nightjar"]);
    case.run(&["redact", "add", "--regex", r"ACME-\d{4}"]);
    for detector in ["email", "phone", "ip", "token-url", "wallet", "onion"] {
        case.run(&["redact", "add", "--detector", detector]);
    }
    let ids = case.ids("");
    assert_eq!(ids.len(), 10, "every message of both sources: {ids:?}");
    let whatsapp = format!("{}..{}", ids[0], ids[4]);
    case.run(&[
        "collection", "add", "Jane Doe and Karl Mustermann", &whatsapp, "--note",
        "**Note:** Jane Doe (jane.doe@example.org) refers to <b>Karl Mustermann</b>; see [source](https://twitter.com/jdoe_leaks)",
    ]);
    for id in &ids[5..] {
        case.run(&["collection", "add", "Jane Doe and Karl Mustermann", id]);
    }
    case
}

/// Every (name, bytes) trove wrote into `root`, recursively, with RSMF
/// e-mails also opened: headers, the decoded `rsmf.zip`, and its members
/// (names and contents).
fn written_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().expect("name").to_string_lossy().to_string();
            let bytes = std::fs::read(&path).expect("read");
            if name.ends_with(".rsmf") {
                let text = String::from_utf8(bytes.clone()).expect("an e-mail is ASCII");
                let attachment = text
                    .split("\r\n\r\n")
                    .map(|part| base64::decode(part.split("\r\n--").next().unwrap_or(part)))
                    .find(|decoded| decoded.starts_with(b"PK"))
                    .expect("rsmf.zip in the e-mail");
                for (member, content) in read_zip(&attachment).expect("rsmf.zip opens") {
                    out.push((format!("{name}!{member} (name)"), member.clone().into_bytes()));
                    out.push((format!("{name}!{member}"), content));
                }
            }
            out.push((name.clone(), name.clone().into_bytes()));
            out.push((name, bytes));
        }
    }
    out
}

#[test]
fn nothing_redacted_leaks_into_any_published_or_exported_byte() {
    let case = redacted_case();
    let out = case.path("out");
    std::fs::create_dir_all(&out).expect("out");
    let name = "Jane Doe and Karl Mustermann";
    let published = case.run(&["publish", "--collection", name, "--out", s(&out.join("site"))]);
    assert_eq!(
        (published["excerpts"].as_u64(), published["messages"].as_u64()),
        (Some(6), Some(10))
    );
    for (format, file) in [("csv", "all.csv"), ("jsonl", "all.jsonl"), ("rsmf", "all.rsmf")] {
        let written = case.run(&[
            "export",
            "--format",
            format,
            "--out",
            s(&out.join(file)),
            "--query",
            "",
            "--bom",
        ]);
        assert_eq!(written["messages"], 10, "{format}");
    }
    for (format, file) in [("csv", "story.csv"), ("jsonl", "story.jsonl"), ("rsmf", "story.rsmf")] {
        let written = case.run(&[
            "export",
            "--format",
            format,
            "--out",
            s(&out.join(file)),
            "--collection",
            name,
        ]);
        assert_eq!(written["messages"], 10, "{format}");
    }

    let files = written_files(&out);
    assert!(files.len() > 16, "site, six exports and the RSMF members: {}", files.len());
    let leaks = leaks_in(&files);
    assert!(leaks.is_empty(), "leaked:\n{}", leaks.join("\n"));

    // The redacted outputs still say something: pseudonyms and markers.
    let page = std::fs::read_to_string(out.join("site/index.html")).expect("page");
    for shown in [
        "Source A",
        "Participant 2",
        "Participant 3",
        "Source C",
        "[email 1]",
        "[phone 1]",
        "[ip 1]",
        "[wallet 1]",
        "[onion 1]",
        "[token-url 1]",
        "[redacted]",
        "<strong>Note:</strong>",
    ] {
        assert!(page.contains(shown), "{shown} on the page");
    }
    assert!(page.contains("&lt;b&gt;Participant 3&lt;/b&gt;"), "note HTML shown as text: {page}");
    let csv = std::fs::read_to_string(out.join("all.csv")).expect("csv");
    assert!(csv.contains("'=cmd|"), "a formula cell is defused: {csv}");
}

/// Each secret, in any of its variants, found in `files`.
fn leaks_in(files: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut leaks = Vec::new();
    for secret in SECRETS {
        for variant in trove_redact::variants(secret) {
            let needle = variant.to_lowercase();
            for (file, bytes) in files {
                if String::from_utf8_lossy(bytes).to_lowercase().contains(&needle) {
                    leaks.push(format!("{secret:?} as {variant:?} in {file}"));
                }
            }
        }
    }
    leaks
}

#[test]
fn the_leak_scan_finds_secrets_in_the_unredacted_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = transcript(dir.path());
    let input = vec![("desk.csv".to_string(), std::fs::read(&csv).expect("read"))];
    let leaks = leaks_in(&input);
    for secret in
        ["Project Nightjar", "s3cr3tT0k3n", "José Núñez", "ACME-1234", "jdoe_leaks", "10.20.30.40"]
    {
        assert!(
            leaks.iter().any(|l| l.starts_with(&format!("{secret:?}"))),
            "{secret} found: {leaks:?}"
        );
    }
    // The decomposed spelling in the file is found through its variants.
    assert!(leaks.iter().any(|l| l.starts_with("\"José Núñez\" as \"Jose\\u{301}")), "{leaks:?}");
}

#[test]
fn a_published_manifest_verifies_and_a_tampered_one_does_not() {
    let case = redacted_case();
    let site = case.path("site");
    case.run(&["publish", "--collection", "Jane Doe and Karl Mustermann", "--out", s(&site)]);
    let manifest = site.join("manifest.json");
    let check = case.run(&["verify", "--manifest", s(&manifest)]);
    assert_eq!((check["messages"].as_u64(), check["matching"].as_u64()), (Some(10), Some(10)));
    assert_eq!(check["findings"], serde_json::json!([]));

    let mut parsed: Value =
        serde_json::from_slice(&std::fs::read(&manifest).expect("read")).expect("json");
    parsed["excerpts"][1]["messages"][0]["text_sha256"] = "00".repeat(32).into();
    parsed["excerpts"][2]["messages"][0]["source_sha256"] = "ff".repeat(32).into();
    std::fs::write(&manifest, serde_json::to_vec(&parsed).expect("json")).expect("write");
    let out = trove(&["verify", "--case", s(&case.case), "--json", "--manifest", s(&manifest)]);
    assert_eq!(out.status.code(), Some(1), "findings exit 1");
    let check: Value = serde_json::from_slice(&out.stdout).expect("json");
    let checks: Vec<&str> = check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["check"].as_str().expect("check"))
        .collect();
    assert_eq!(checks, ["manifest_text", "manifest_source"]);
    assert_eq!(check["matching"], 8);
}

#[test]
fn an_rsmf_export_reads_back_as_the_same_messages() {
    let case = redacted_case();
    let rsmf = case.path("all.rsmf");
    case.run(&["export", "--format", "rsmf", "--out", s(&rsmf), "--query", ""]);
    let jsonl = case.path("all.jsonl");
    case.run(&["export", "--format", "jsonl", "--out", s(&jsonl), "--query", ""]);
    let exported: Vec<Value> = std::fs::read_to_string(&jsonl)
        .expect("jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();

    let again = case.path("again");
    let ingested = json(&trove(&["ingest", s(&rsmf), "--case", s(&again), "--json"]));
    assert_eq!(ingested["messages_added"], 10);
    assert_eq!(ingested["skipped"], serde_json::json!([]), "no schema complaint");
    let hits = json(&trove(&[
        "search",
        "--case",
        s(&again),
        "--json",
        "--sort",
        "time",
        "--limit",
        "100",
        "",
    ]));
    let read: Vec<(String, String, String)> = hits["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["sent_at"].as_str().expect("time").to_string(),
                h["sender"].as_str().unwrap_or("").to_string(),
                h["text"].as_str().expect("text").to_string(),
            )
        })
        .collect();
    // The export is in time order, as the original case's search.
    let original = case.run(&["search", "--sort", "time", "--limit", "100", ""]);
    let times = original["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["sent_at"].as_str().expect("time").to_string());
    let written: Vec<(String, String, String)> = exported
        .iter()
        .zip(times)
        .map(|(m, at)| {
            (
                at,
                m["sender"].as_str().unwrap_or("").to_string(),
                m["text"].as_str().expect("text").to_string(),
            )
        })
        .collect();
    assert_eq!(written.len(), 10);
    assert_eq!(read, written);
}

#[test]
fn a_newsroom_template_gets_the_same_data_escaped() {
    let case = redacted_case();
    let template = case.path("house.html");
    std::fs::write(
        &template,
        "<html><body><h1>{{ title }}</h1>{% for x in excerpts %}<section data-cite=\"{{ x.citation }}\">\
         {{ x.note }}{% for m in x.messages %}<p>{{ m.sender }} at {{ m.time }}: {{ m.text }}</p>{% endfor %}\
         </section>{% endfor %}<footer>{{ zone }}</footer></body></html>",
    )
    .expect("template");
    let site = case.path("house");
    let name = "Jane Doe and Karl Mustermann";
    case.run(&[
        "publish",
        "--collection",
        name,
        "--out",
        s(&site),
        "--template",
        s(&template),
        "--tz",
        "Europe/London",
    ]);
    let page = std::fs::read_to_string(site.join("index.html")).expect("page");
    assert!(page.starts_with("<html><body><h1>Source A and Participant 3</h1>"), "{page}");
    assert_eq!(page.matches("<section data-cite=").count(), 6);
    assert!(page.contains("<p>Source A at 09:00: Meet me at noon, call [phone 1]</p>"), "{page}");
    assert!(
        page.contains("&lt;b&gt;Participant 3&lt;&#x2f;b&gt;")
            || page.contains("&lt;b&gt;Participant 3&lt;/b&gt;"),
        "{page}"
    );
    assert!(page.contains("<footer>Europe&#x2f;London</footer>"), "{page}");

    let broken = case.path("broken.html");
    std::fs::write(&broken, "{% for x in excerpts %}").expect("template");
    let out = trove(&[
        "--case",
        s(&case.case),
        "publish",
        "--collection",
        name,
        "--out",
        s(&case.path("x")),
        "--template",
        s(&broken),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("template:"), "{stderr}");
    assert!(!case.path("x").join("index.html").exists(), "nothing half-written");
}

#[test]
fn the_preview_shows_each_rule_at_work_and_warns_about_idle_ones() {
    let case = redacted_case();
    case.run(&["redact", "add", "--text", "words nobody wrote"]);
    let out = trove(&["--case", s(&case.case), "--json", "redact", "preview", "--examples", "2"]);
    let preview: Value = serde_json::from_slice(&out.stdout).expect("json");
    let rules = preview["rules"].as_array().expect("rules");
    let jane = &rules[0];
    assert_eq!(jane["rule"]["pseudonym"], "Source A");
    assert_eq!(
        jane["rule"]["accounts"].as_array().map(Vec::len),
        Some(2),
        "both platforms: {jane}"
    );
    assert!(jane["hits"].as_u64().unwrap_or(0) >= 8, "{jane}");
    let example = &jane["examples"][0];
    assert!(example["after"].as_str().expect("after").contains("Source A"), "{example}");
    let idle = rules.iter().find(|r| r["rule"]["value"] == "words nobody wrote").expect("listed");
    assert_eq!(idle["hits"], 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: rule") && stderr.contains("hits nothing"), "{stderr}");

    let bad = trove(&["--case", s(&case.case), "redact", "add", "--regex", "(unclosed"]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("is invalid") && stderr.contains("unclosed group"), "{stderr}");
    assert!(!stderr.contains("\\u{a}"), "one line: {stderr}");
    let empty = trove(&["--case", s(&case.case), "redact", "add", "--regex", "a*"]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty string"));
    let unknown = trove(&["--case", s(&case.case), "redact", "add", "--detector", "url"]);
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("use one of: email, phone, ip, token-url, wallet, onion")
    );
}

/// One chat identity as a platform writes it: the input that holds it,
/// the reference a person rule names it by, and every identifier that must
/// not leave the case.
struct Identity {
    file: &'static str,
    content: &'static str,
    rule: &'static str,
    identifiers: &'static [&'static str],
}

/// A Jabber account (the JID's local part used bare in text, in any case),
/// a Matrix account (localpart and display name), an IRC nick (in `<nick>`,
/// action and address forms); every one beside the word `bossa`.
const IDENTITIES: &[Identity] = &[
    Identity {
        file: "conti.json",
        content: r#"{"ts": "2021-01-29T10:12:03.104112", "from": "boss@x.onion", "to": "alpha@x.onion", "body": "привет, mail alpha@example.org"}
{"ts": "2021-01-29T10:13:00.000000", "from": "alpha@x.onion", "to": "boss@x.onion", "body": "boss кто? <Boss> played bossa nova; cc ops@example.org and ALPHA@example.org"}
{"ts": "2021-01-29T10:14:00.000000", "from": "alpha@x.onion", "to": "boss@x.onion", "body": "BOSS: ок, Boss@X.onion знает"}
"#,
        rule: "boss@x.onion",
        identifiers: &["boss@x.onion", "boss"],
    },
    Identity {
        file: "ops-room.json",
        content: r#"{"room_name": "Ops", "messages": [
{"type": "m.room.member", "sender": "@boss:matrix.example.org", "state_key": "@boss:matrix.example.org", "content": {"membership": "join", "displayname": "Big Chief"}, "origin_server_ts": 1600000000000, "event_id": "$e1", "room_id": "!r:matrix.example.org"},
{"type": "m.room.message", "sender": "@boss:matrix.example.org", "content": {"msgtype": "m.text", "body": "hi all, bossa nova tonight"}, "origin_server_ts": 1600000001000, "event_id": "$e2", "room_id": "!r:matrix.example.org"},
{"type": "m.room.message", "sender": "@alpha:matrix.example.org", "content": {"msgtype": "m.text", "body": "Big Chief? boss: where, @boss:matrix.example.org? ask <Boss>"}, "origin_server_ts": 1600000002000, "event_id": "$e3", "room_id": "!r:matrix.example.org"}
]}"#,
        rule: "@boss:matrix.example.org",
        identifiers: &["@boss:matrix.example.org", "boss", "Big Chief"],
    },
    Identity {
        file: "#ops.2016-05-03.log",
        content: "--- Log opened Tue May 03 09:00:00 2016
09:57 <boss> hi there
09:58 <alpha> boss: hi, bossa nova tonight?
09:59  * boss waves
10:00 <alpha> <Boss> said so, and @BOSS agreed
",
        rule: "boss",
        identifiers: &["boss"],
    },
];

/// Each identifier, in any of its variants, found as a whole word (no
/// letter or digit on either side, as the redactor matches persons) in
/// `files`, so that `bossa` is no leak of `boss`.
fn word_leaks_in(identifiers: &[&str], files: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut leaks = Vec::new();
    for identifier in identifiers {
        for variant in trove_redact::variants(identifier) {
            let needle = variant.to_lowercase();
            for (file, bytes) in files {
                let hay = String::from_utf8_lossy(bytes).to_lowercase();
                let whole = hay.match_indices(&needle).any(|(at, _)| {
                    let before = hay[..at].chars().next_back();
                    let after = hay[at + needle.len()..].chars().next();
                    !before.is_some_and(char::is_alphanumeric)
                        && !after.is_some_and(char::is_alphanumeric)
                });
                if whole {
                    leaks.push(format!("{identifier:?} as {variant:?} in {file}"));
                }
            }
        }
    }
    leaks
}

#[test]
fn no_identifier_of_a_jabber_matrix_or_irc_person_leaks_in_any_form() {
    for identity in IDENTITIES {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = Case { case: dir.path().join("case"), dir };
        let input = case.path(identity.file);
        std::fs::write(&input, identity.content).expect("write");
        json(&trove(&["ingest", s(&input), "--case", s(&case.case), "--json"]));
        // Unredacted, the identifiers are there to be found.
        let raw = vec![(identity.file.to_string(), identity.content.as_bytes().to_vec())];
        assert!(!word_leaks_in(&["boss"], &raw).is_empty(), "{}", identity.file);

        case.run(&["redact", "add", "--person", identity.rule]);
        case.run(&["redact", "add", "--detector", "email"]);
        let ids = case.ids("");
        let (first, last) = (ids.first().expect("a hit"), ids.last().expect("a hit"));
        case.run(&["collection", "add", "boss", &format!("{first}..{last}")]);
        let out = case.path("out");
        case.run(&["publish", "--collection", "boss", "--out", s(&out.join("site"))]);
        for (format, file) in [("csv", "all.csv"), ("jsonl", "all.jsonl"), ("rsmf", "all.rsmf")] {
            case.run(&["export", "--format", format, "--out", s(&out.join(file)), "--query", ""]);
        }

        let files = written_files(&out);
        let leaks = word_leaks_in(identity.identifiers, &files);
        assert!(leaks.is_empty(), "{}: leaked:\n{}", identity.file, leaks.join("\n"));
        for file in ["site/index.html", "all.csv", "all.jsonl"] {
            let text = std::fs::read_to_string(out.join(file)).expect("written");
            assert!(
                text.contains("bossa nova"),
                "{}: an unrelated word survives in {file}",
                identity.file
            );
            assert!(text.contains("Participant 1"), "{}: the pseudonym in {file}", identity.file);
        }
    }
}

#[test]
fn each_distinct_address_keeps_its_own_placeholder_across_the_page_and_every_export() {
    let identity = &IDENTITIES[0];
    let dir = tempfile::tempdir().expect("tempdir");
    let case = Case { case: dir.path().join("case"), dir };
    let input = case.path(identity.file);
    std::fs::write(&input, identity.content).expect("write");
    json(&trove(&["ingest", s(&input), "--case", s(&case.case), "--json"]));
    case.run(&["redact", "add", "--detector", "email"]);
    let ids = case.ids("");
    case.run(&["collection", "add", "story", &format!("{}..{}", ids[0], ids[2])]);
    let out = case.path("out");
    case.run(&["publish", "--collection", "story", "--out", s(&out.join("site"))]);
    case.run(&["export", "--format", "jsonl", "--out", s(&out.join("all.jsonl")), "--query", ""]);
    case.run(&[
        "export",
        "--format",
        "csv",
        "--out",
        s(&out.join("story.csv")),
        "--collection",
        "story",
    ]);

    let texts: Vec<String> = std::fs::read_to_string(out.join("all.jsonl"))
        .expect("jsonl")
        .lines()
        .map(|l| {
            let m: Value = serde_json::from_str(l).expect("a JSON line");
            m["text"].as_str().expect("text").to_string()
        })
        .collect();
    // The JIDs in conversation and sender fields come first: alpha@x.onion
    // and boss@x.onion are [email 1] and [email 2] before any text is read.
    assert_eq!(
        texts,
        [
            "привет, mail [email 3]",
            "boss кто? <Boss> played bossa nova; cc [email 4] and [email 3]",
            "BOSS: ок, [email 2] знает",
        ]
    );
    let jsonl = std::fs::read_to_string(out.join("all.jsonl")).expect("jsonl");
    assert!(jsonl.contains(r#""sender_id":"[email 2]""#), "{jsonl}");
    let page = std::fs::read_to_string(out.join("site/index.html")).expect("page");
    let csv = std::fs::read_to_string(out.join("story.csv")).expect("csv");
    for (name, written) in [("page", &page), ("csv", &csv)] {
        for text in ["mail [email 3]", "cc [email 4] and [email 3]", "ок, [email 2]"] {
            assert!(written.contains(text), "{text:?} in the {name}: {written}");
        }
    }
}
