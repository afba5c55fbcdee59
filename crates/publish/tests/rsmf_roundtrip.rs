//! The RSMF writer: what it writes reads back through trove's own RSMF
//! reader with the same messages, its manifest passes Relativity's schema
//! (checked by the small validator in `rsmf_support`, which is shown to
//! catch violations too), and hostile data cannot reach the e-mail headers.
#![allow(clippy::unwrap_used)]

mod rsmf_support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use trove_model::{EventKind, RecordKind, TimeBasis};
use trove_publish::rsmf::{RsmfError, RsmfOptions, RsmfSummary, write_rsmf};
use trove_publish::{OutAttachment, OutMessage, Provenance};
use trove_readers::rsmf::Rsmf;
use trove_readers::{Format, Input, ReadOptions, VecSink};

use rsmf_support::{header, headers, parts, rsmf_zip, unquote_printable, validate, zip_member};

const HOSTILE_TITLE: &str = "Weekly report\r\nBcc: x@example.com\r\n\r\nInjected body";
/// 2024-03-01T09:00:00Z.
const T0: i64 = 1_709_283_600_000;

fn inputs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/inputs/rsmf/relativitydev-rsmf-validator-samples")
}

fn schema() -> Value {
    serde_json::from_slice(&std::fs::read(inputs().join("rsmf_schema_2_0_0.json")).unwrap())
        .unwrap()
}

fn options(title: &str) -> RsmfOptions {
    RsmfOptions {
        title: title.to_string(),
        generator: "trove 0.1.0".to_string(),
        created_at_ms: T0 + 86_400_000,
    }
}

const ALICE: (&str, &str) = ("u1", "Alice");
const BORIS: (&str, &str) = ("u2", "Борис");
const CHLOE: (&str, &str) = ("u3", "Chloé 😀");

fn message(
    id: &str,
    conversation: u8,
    sender: Option<(&str, &str)>,
    at: i64,
    text: &str,
) -> OutMessage {
    let (conversation_id, name, platform) = match conversation {
        1 => ("c1", "Project Ω", "telegram"),
        _ => ("c2", "Family \"chat\"", "whatsapp"),
    };
    OutMessage {
        id: id.to_string(),
        native_id: Some(format!("native-{id}")),
        kind: "message".to_string(),
        event: None,
        platform: platform.to_string(),
        conversation_id: conversation_id.to_string(),
        conversation: name.to_string(),
        sender_id: sender.map(|s| s.0.to_string()),
        sender: sender.map(|s| s.1.to_string()),
        sent_at_ms: at,
        // WhatsApp writes local times without a zone.
        zone_assumed: (platform == "whatsapp").then(|| "Europe/Berlin".to_string()),
        text: text.to_string(),
        reply_to: None,
        attachments: Vec::new(),
        provenance: Provenance {
            source_sha256: "ab".repeat(32),
            locator: format!("result.json@{}+120", at % 100_000),
            text_sha256: "cd".repeat(32),
        },
    }
}

fn event(
    id: &str,
    conversation: u8,
    sender: Option<(&str, &str)>,
    at: i64,
    kind: &str,
    text: &str,
) -> OutMessage {
    OutMessage {
        kind: "event".to_string(),
        event: Some(kind.to_string()),
        ..message(id, conversation, sender, at, text)
    }
}

/// About twenty messages in two conversations from three senders, with
/// every case the writer has to get right.
fn fixture() -> Vec<OutMessage> {
    let s = 1000;
    let mut reply = message("m04", 1, Some(ALICE), T0 + 240 * s + 1, "Replying to Борис 👍");
    reply.reply_to = Some("m02".into());
    let mut outside =
        message("m12", 2, Some(BORIS), T0 + 700 * s, "reply to something not exported");
    outside.reply_to = Some("m00-not-in-export".into());
    let mut cross = message("m13", 2, Some(ALICE), T0 + 710 * s, "reply across conversations");
    cross.reply_to = Some("m01".into());
    let mut photo = message("m05", 1, Some(BORIS), T0 + 300 * s, "");
    photo.attachments = vec![
        OutAttachment {
            name: "photo 1.jpg".into(),
            size: Some(123_456),
            sha256: Some("ef".repeat(32)),
        },
        OutAttachment { name: "отчёт.pdf".into(), size: None, sha256: None },
    ];
    let mut no_provenance =
        message("m14", 2, Some(CHLOE), T0 + 720 * s, "no provenance, no native id");
    no_provenance.provenance = Provenance::default();
    no_provenance.native_id = None;
    vec![
        message("m01", 1, Some(ALICE), T0, "Hello everyone"),
        message("m02", 1, Some(BORIS), T0 + 60 * s + 250, "Привет! Как дела?"),
        message(
            "m03",
            1,
            Some(CHLOE),
            T0 + 120 * s,
            "Quote \"this\" and a back\\slash\nsecond line\r\nthird\tline </script> & --=_",
        ),
        reply,
        photo,
        event("e06", 1, Some(CHLOE), T0 + 360 * s, "join", "Chloé 😀 joined the group"),
        message("m07", 2, Some(ALICE), T0 + 400 * s, "Family chat starts"),
        message("m08", 2, Some(CHLOE), T0 + 401 * s + 999, "😀😀😀 emoji only"),
        message("m09", 2, None, T0 + 402 * s, "a message without sender"),
        event("e10", 2, Some(BORIS), T0 + 500 * s, "rename", "Борис renamed the group to Семья"),
        message("m11", 2, Some(BORIS), T0 + 600 * s, "=?UTF-8?B?SGk=?= is not a header"),
        outside,
        cross,
        no_provenance,
        event("e15", 1, Some(ALICE), T0 + 800 * s, "leave", "Alice left"),
        message("m16", 1, Some(BORIS), T0 + 900 * s, "Alice ушла"),
        // Out of time order on purpose: events keep input order.
        message("m17", 1, Some(CHLOE), T0 - 3_600 * s, "an older message, listed late"),
        message("m18", 2, Some(ALICE), T0 + 1000 * s, "long line ".repeat(50).trim_end()),
        message("m19", 1, Some(ALICE), T0 + 1100 * s, "  leading and trailing spaces  "),
        message("m20", 2, Some(CHLOE), T0 + 1200 * s, "bye\n"),
    ]
}

fn write_to(
    dir: &tempfile::TempDir,
    name: &str,
    messages: &[OutMessage],
    options: &RsmfOptions,
) -> (PathBuf, RsmfSummary) {
    let path = dir.path().join(name);
    let mut file = std::fs::File::create(&path).unwrap();
    let summary = write_rsmf(messages, options, &mut file).unwrap();
    (path, summary)
}

fn read_back(path: &Path) -> VecSink {
    let input = Input::open(path).unwrap();
    assert_eq!(trove_readers::detect(&input).unwrap().name(), "rsmf");
    let mut sink = VecSink::default();
    Rsmf.read(&input, &ReadOptions::default(), &mut sink).unwrap();
    sink
}

fn manifest_of(path: &Path) -> Value {
    let mail = std::fs::read_to_string(path).unwrap();
    serde_json::from_slice(&zip_member(&rsmf_zip(&mail), "rsmf_manifest.json")).unwrap()
}

#[test]
fn round_trip_through_the_rsmf_reader() {
    let dir = tempfile::tempdir().unwrap();
    let messages = fixture();
    let (path, summary) = write_to(&dir, "export.rsmf", &messages, &options(HOSTILE_TITLE));
    assert_eq!(summary, RsmfSummary { participants: 3, conversations: 2, events: messages.len() });

    let sink = read_back(&path);
    let skips: Vec<&str> = sink.skips.iter().map(|s| s.reason.as_str()).collect();
    assert!(skips.is_empty(), "{skips:#?}");
    assert_eq!(sink.records.len(), messages.len());
    let mut names: Vec<Option<&str>> =
        sink.accounts.iter().map(|a| a.display_name.as_deref()).collect();
    names.sort();
    assert_eq!(names, [Some("Alice"), Some("Chloé 😀"), Some("Борис")]);

    let exported: HashSet<(&str, &str)> =
        messages.iter().map(|m| (m.conversation_id.as_str(), m.id.as_str())).collect();
    for (m, r) in messages.iter().zip(&sink.records) {
        let at = &m.id;
        assert_eq!(r.native_id.as_deref(), Some(m.id.as_str()), "{at}");
        assert_eq!(r.text, m.text, "{at}");
        assert_eq!(
            r.sender.as_ref().and_then(|s| s.display_name.as_deref()),
            m.sender.as_deref(),
            "{at}"
        );
        if let (Some(account), Some(id)) = (&r.sender, &m.sender_id) {
            assert_eq!(&*account.native_id, format!("export.rsmf/{id}"), "{at}");
        }
        assert_eq!(
            &*r.conversation.native_id,
            format!("export.rsmf/{}", m.conversation_id),
            "{at}"
        );
        assert_eq!(
            r.conversation.name.as_deref(),
            Some(format!("{} ({})", m.conversation, m.platform).as_str()),
            "{at}"
        );
        assert_eq!(r.sent_at.utc_ms, m.sent_at_ms, "{at}");
        assert_eq!(r.sent_at.basis, TimeBasis::Utc, "{at}");
        let kept_reply =
            m.reply_to.as_deref().filter(|p| exported.contains(&(m.conversation_id.as_str(), *p)));
        assert_eq!(r.reply_to.as_deref(), kept_reply, "{at}");
        let kind = match (m.kind.as_str(), m.event.as_deref()) {
            ("message", _) => RecordKind::Message,
            (_, Some("join")) => RecordKind::Event(EventKind::Join),
            (_, Some("leave")) => RecordKind::Event(EventKind::Leave),
            _ => RecordKind::Event(EventKind::Other("unknown".into())),
        };
        assert_eq!(r.kind, kind, "{at}");
        let names: Vec<&str> = r.attachments.iter().map(|a| a.name.as_str()).collect();
        let expected: Vec<&str> = m.attachments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, expected, "{at}");
        for a in &r.attachments {
            // The placeholder is in rsmf.zip: the reader hashed it.
            assert!(a.sha256.is_some(), "{at}: {a:?}");
        }

        // The provenance travels in `custom`, which the reader keeps in `raw`.
        let custom: Vec<(String, String)> = r
            .raw
            .as_deref()
            .map(|raw| serde_json::from_str::<Value>(raw).unwrap())
            .and_then(|v| v.get("custom").cloned())
            .map(|c| serde_json::from_value::<Vec<Value>>(c).unwrap())
            .unwrap_or_default()
            .iter()
            .map(|c| {
                (c["name"].as_str().unwrap().to_string(), c["value"].as_str().unwrap().to_string())
            })
            .collect();
        let value = |name: &str| custom.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let non_empty = |s: &str| (!s.is_empty()).then_some(s.to_string());
        assert_eq!(
            value("source_sha256").map(str::to_string),
            non_empty(&m.provenance.source_sha256),
            "{at}"
        );
        assert_eq!(value("locator").map(str::to_string), non_empty(&m.provenance.locator), "{at}");
        assert_eq!(
            value("text_sha256").map(str::to_string),
            non_empty(&m.provenance.text_sha256),
            "{at}"
        );
        assert_eq!(value("native_id"), m.native_id.as_deref(), "{at}");
        if m.kind == "event" {
            assert_eq!(value("event_kind"), m.event.as_deref(), "{at}");
        }
        if m.reply_to.is_some() && kept_reply.is_none() {
            assert_eq!(value("reply_to_not_exported"), m.reply_to.as_deref(), "{at}");
        }
    }
}

#[test]
fn manifest_passes_the_bundled_schema() {
    let dir = tempfile::tempdir().unwrap();
    let messages = fixture();
    let (path, _) = write_to(&dir, "export.rsmf", &messages, &options("Schema check"));
    let manifest = manifest_of(&path);
    let errors = validate(&schema(), &manifest, true);
    assert!(errors.is_empty(), "{errors:#?}");

    // Cross-references the schema describes but cannot express.
    let ids = |list: &str| -> HashSet<String> {
        manifest[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (participants, conversations) = (ids("participants"), ids("conversations"));
    for c in manifest["conversations"].as_array().unwrap() {
        for p in c["participants"].as_array().unwrap() {
            assert!(participants.contains(p.as_str().unwrap()), "{c}");
        }
    }
    let events = manifest["events"].as_array().unwrap();
    let mail = std::fs::read_to_string(&path).unwrap();
    let zip = rsmf_zip(&mail);
    let files: HashSet<String> = rsmf_support::zip_names(&zip).into_iter().collect();
    for e in events {
        assert!(conversations.contains(e["conversation"].as_str().unwrap()), "{e}");
        if let Some(p) = e["participant"].as_str() {
            assert!(participants.contains(p), "{e}");
        }
        if let Some(parent) = e["parent"].as_str() {
            assert!(
                events.iter().any(|o| o["id"] == parent && o["conversation"] == e["conversation"]),
                "{e}"
            );
        }
        for a in e["attachments"].as_array().into_iter().flatten() {
            let id = a["id"].as_str().unwrap();
            assert!(files.contains(id), "{id}");
            let text = String::from_utf8(zip_member(&zip, id)).unwrap();
            assert!(
                text.contains("was not exported") && text.contains(a["display"].as_str().unwrap()),
                "{text}"
            );
        }
        assert!(e["timestamp"].as_str().unwrap().ends_with('Z'), "{e}");
    }
    assert_eq!(events[1]["timestamp"], "2024-03-01T09:01:00.250Z");
    assert_eq!(events[0]["timestamp"], "2024-03-01T09:00:00Z");
    assert_eq!(events[9]["type"], "unknown");
    let attachment = &events[4]["attachments"][0];
    assert_eq!(attachment["display"], "photo 1.jpg");
    assert_eq!(attachment["size"], 123_456);

    // The headers agree with the manifest.
    assert_eq!(header(&mail, "X-RSMF-Version").as_deref(), Some("2.0.0"));
    assert_eq!(header(&mail, "X-RSMF-EventCount"), Some(messages.len().to_string()));
    assert_eq!(header(&mail, "X-RSMF-BeginDate").as_deref(), Some("2024-03-01T08:00:00Z"));
    assert_eq!(header(&mail, "X-RSMF-EndDate").as_deref(), Some("2024-03-01T09:20:00Z"));
    assert_eq!(header(&mail, "X-RSMF-AttachmentCount").as_deref(), Some("2"));
    assert_eq!(header(&mail, "X-RSMF-Generator").as_deref(), Some("trove 0.1.0"));
    assert_eq!(header(&mail, "X-RSMF-Application").as_deref(), Some("telegram, whatsapp"));
    assert_eq!(header(&mail, "X-RSMF-Participants").as_deref(), Some("Alice, Борис, Chloé 😀"));
    assert_eq!(header(&mail, "Date").as_deref(), Some("Sat, 02 Mar 2024 09:00:00 +0000"));
}

#[test]
fn validator_reports_every_violation_with_its_path() {
    let broken = json!({
        "version": "2.0.0",
        "participants": [{ "display": "no id" }],
        "conversations": [{ "id": "c1", "platform": "x", "participants": ["p1"] }],
        "events": [{ "type": "message", "timestamp": 1709283600, "conversation": "c1" }]
    });
    let errors = validate(&schema(), &broken, false);
    assert!(
        errors.contains(&"$.participants[0]: missing required property `id`".to_string()),
        "{errors:#?}"
    );
    assert!(
        errors.contains(&"$.events[0].timestamp: expected string, found number".to_string()),
        "{errors:#?}"
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");

    // More of the bundled schema: enum, minLength, format, nested items.
    let broken = json!({
        "version": "2.0",
        "participants": [{ "id": "" }],
        "conversations": [{ "id": "c1", "platform": "x", "participants": [], "type": "group" }],
        "events": [{
            "type": "chat",
            "timestamp": "yesterday",
            "custom": [{ "name": "a" }],
            "attachments": [{ "id": "f", "size": 1.5 }]
        }]
    });
    let mut errors = validate(&schema(), &broken, false);
    errors.sort();
    assert_eq!(
        errors,
        [
            "$.conversations[0].type: \"group\" is not one of [\"direct\",\"channel\"]",
            "$.events[0].attachments[0].size: expected integer, found number",
            "$.events[0].custom[0]: missing required property `value`",
            "$.events[0].timestamp: `yesterday` is not an ISO 8601 date-time",
            "$.events[0].type: \"chat\" is not one of [\"message\",\"disclaimer\",\"join\",\"leave\",\"history\",\"unknown\"]",
            "$.participants[0].id: 0 characters, at least 1 required",
            "$.version: 3 characters, at least 5 required",
        ],
    );
}

/// Relativity's own failing samples fail here too, for the reasons its
/// validator gives.
#[test]
fn validator_catches_the_relativity_samples() {
    let sample = |n: u8| -> Value {
        serde_json::from_slice(
            &std::fs::read(inputs().join(format!("Sample{n}/rsmf_manifest.json"))).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        validate(&schema(), &sample(1), false),
        ["$.participants[0]: missing required property `id`"]
    );
    assert_eq!(
        validate(&schema(), &sample(4), false),
        ["$.participants[0].id: expected string, found number"]
    );
    assert_eq!(
        validate(&schema(), &sample(4), true),
        // Members are visited in key order.
        [
            "$.events[0].attachment: property not defined by the schema",
            "$.participants[0].id: expected string, found number",
        ]
    );
}

/// The keywords the bundled schema does not use but the validator claims.
#[test]
fn validator_follows_refs_and_closed_objects() {
    let schema = json!({
        "definitions": {
            "stamp": { "type": "string", "format": "date-time" },
            "point": {
                "type": "object",
                "required": ["at"],
                "properties": { "at": { "$ref": "#/definitions/stamp" }, "n": { "type": ["integer", "null"] } },
                "additionalProperties": false
            }
        },
        "type": "object",
        "properties": { "points": { "type": "array", "minItems": 2, "items": { "$ref": "#/definitions/point" } } },
        "additionalProperties": { "type": "boolean" }
    });
    let good = json!({ "points": [{ "at": "2024-03-01T09:00:00Z", "n": 1 }, { "at": "2024-03-01 09:00:00.5+01:00", "n": null }], "flag": true });
    assert_eq!(validate(&schema, &good, false), Vec::<String>::new());
    let bad = json!({ "points": [{ "at": "2024-13-01T09:00:00", "extra": 1, "n": "1" }], "flag": "yes", "x y": false });
    let mut errors = validate(&schema, &bad, false);
    errors.sort();
    assert_eq!(
        errors,
        [
            "$.flag: expected boolean, found string",
            "$.points: 1 items, at least 2 required",
            "$.points[0].at: `2024-13-01T09:00:00` is not an ISO 8601 date-time",
            "$.points[0].extra: property not allowed by the schema",
            "$.points[0].n: expected integer or null, found string",
        ]
    );
    let dangling = json!({ "$ref": "#/definitions/missing" });
    assert_eq!(
        validate(&dangling, &json!(1), false),
        ["$: unresolvable $ref \"#/definitions/missing\""]
    );
}

#[test]
fn hostile_title_injects_no_header() {
    let dir = tempfile::tempdir().unwrap();
    for title in [HOSTILE_TITLE, "Отчёт\r\nBcc: x@example.com", "Report\nBcc: x\rCc: y\u{85}To: z"]
    {
        let (path, _) = write_to(&dir, "hostile.rsmf", &fixture(), &options(title));
        let mail = std::fs::read_to_string(&path).unwrap();
        let fields = headers(&mail);
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        for forbidden in ["bcc", "cc"] {
            assert!(
                !names.iter().any(|n| n.eq_ignore_ascii_case(forbidden)),
                "{title:?}: {names:?}"
            );
        }
        assert_eq!(names.iter().filter(|n| n.eq_ignore_ascii_case("to")).count(), 1, "{title:?}");
        assert_eq!(
            names.iter().filter(|n| n.eq_ignore_ascii_case("subject")).count(),
            1,
            "{title:?}"
        );
        // The title survives, line breaks turned into spaces.
        let flat: String = title
            .split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(header(&mail, "Subject"), Some(flat), "{title:?}");
        // Header lines are ASCII and short.
        let head = &mail[..mail.find("\r\n\r\n").unwrap()];
        assert!(head.is_ascii(), "{head}");
        assert!(head.split("\r\n").all(|l| l.len() <= 78), "{head}");
        // Bare CR or LF nowhere in the file: every line ends in CRLF.
        assert!(!mail.replace("\r\n", "").contains(['\r', '\n']), "{title:?}");
        // And the reader still finds exactly what was written.
        let sink = read_back(&path);
        assert!(sink.skips.is_empty(), "{:#?}", sink.skips);
    }
}

#[test]
fn non_ascii_title_is_an_encoded_word() {
    let dir = tempfile::tempdir().unwrap();
    let title = "Переписка «Проект Ω» 😀 — долгий заголовок, который не помещается в одну строку";
    let (path, _) = write_to(&dir, "cyrillic.rsmf", &fixture(), &options(title));
    let mail = std::fs::read_to_string(&path).unwrap();
    let raw = headers(&mail).into_iter().find(|(n, _)| n == "Subject").unwrap().1;
    assert!(raw.starts_with("=?UTF-8?B?"), "{raw}");
    assert_eq!(header(&mail, "Subject").as_deref(), Some(title));
}

#[test]
fn body_summarises_and_the_boundary_is_unambiguous() {
    let dir = tempfile::tempdir().unwrap();
    let messages = fixture();
    let (path, _) = write_to(&dir, "export.rsmf", &messages, &options(HOSTILE_TITLE));
    let mail = std::fs::read_to_string(&path).unwrap();
    let content_type = header(&mail, "Content-Type").unwrap();
    let boundary = content_type.split("boundary=\"").nth(1).unwrap().trim_end_matches('"');
    assert!(boundary.starts_with("=_"), "{boundary}");
    // The delimiter occurs only as the three delimiter lines.
    assert_eq!(mail.matches(&format!("--{boundary}")).count(), 3);

    let parts = parts(&mail);
    assert_eq!(parts.len(), 2);
    assert!(parts[0].0.contains("text/plain; charset=utf-8"));
    let text = unquote_printable(&parts[0].1).replace("\r\n", "\n");
    // One line, as in the Subject: the title cannot fake summary lines.
    assert!(text.starts_with("Weekly report Bcc: x@example.com Injected body\n\n"), "{text}");
    assert!(
        text.contains("20 events (17 messages) in 2 conversations with 3 participants"),
        "{text}"
    );
    assert!(text.contains("- Project Ω (telegram): 10 events"), "{text}");
    assert!(text.contains("- Борис"), "{text}");
    assert!(text.contains("2 attachments"), "{text}");
    assert!(parts[1].0.contains("Content-Transfer-Encoding: base64"));
}

#[test]
fn same_input_same_bytes() {
    let messages = fixture();
    let mut first = Vec::new();
    let mut second = Vec::new();
    write_rsmf(&messages, &options("x"), &mut first).unwrap();
    write_rsmf(&messages, &options("x"), &mut second).unwrap();
    assert_eq!(first, second);
}

#[test]
fn empty_export_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let (path, summary) = write_to(&dir, "empty.rsmf", &[], &options("Nothing"));
    assert_eq!(summary, RsmfSummary::default());
    let errors = validate(&schema(), &manifest_of(&path), true);
    assert!(errors.is_empty(), "{errors:#?}");
    let mail = std::fs::read_to_string(&path).unwrap();
    assert_eq!(header(&mail, "X-RSMF-EventCount").as_deref(), Some("0"));
    assert_eq!(header(&mail, "X-RSMF-BeginDate"), None);
    let sink = read_back(&path);
    assert!(sink.records.is_empty() && sink.skips.is_empty(), "{:#?}", sink.skips);
}

#[test]
fn unrepresentable_times_are_errors() {
    let mut messages = fixture();
    messages[3].sent_at_ms = i64::MAX;
    let error = write_rsmf(&messages, &options("x"), &mut Vec::new()).unwrap_err();
    assert!(matches!(error, RsmfError::Time { .. }), "{error:?}");
    assert!(error.to_string().contains("message `m04`"), "{error}");
    let options = RsmfOptions { created_at_ms: i64::MIN, ..options("x") };
    let error = write_rsmf(&fixture(), &options, &mut Vec::new()).unwrap_err();
    assert!(error.to_string().contains("created_at_ms"), "{error}");
}

#[test]
fn write_errors_carry_context() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let error = write_rsmf(&fixture(), &options("x"), &mut Full).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("writing the RSMF headers") && text.contains("disk full"), "{text}");
    assert!(std::error::Error::source(&error).is_some());
}
