//! A generated Twitter archive through the whole stack: ingest, store,
//! index, show, search, verify.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use trove_app::{Case, SearchOptions, SortOrder};
use trove_ingest::IngestOptions;
use trove_testkit::twitter::{Builder, ExpectedKind};

fn ingest(case: &mut Case, path: &Path) -> trove_app::IngestOutput {
    case.ingest(&[path.to_path_buf()], &IngestOptions::default(), &mut (), &AtomicBool::new(false))
        .expect("ingest")
}

#[test]
fn every_message_and_event_of_a_10k_archive_is_stored_correctly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Builder::new(7).group_messages(10_500).build();
    let zip = dir.path().join("archive.zip");
    archive.write_zip(&zip).expect("zip");
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).expect("case");
    let output = ingest(&mut case, &zip);

    let messages = archive.messages().count() as u64;
    let events = archive.events().count() as u64;
    assert!(messages >= 10_000, "the archive has {messages} messages");
    assert_eq!(output.messages_added, messages);
    assert_eq!(output.events_added, events);
    assert_eq!(
        output.duplicates, 0,
        "split-chunk repeats are not counted as duplicates of the case"
    );
    assert_eq!(output.sources, 1);
    assert!(output.skipped.is_empty(), "{:?}", output.skipped);
    assert_eq!(output.inputs[0].format, "twitter");

    for expected in archive.messages() {
        let id = expected.id.as_deref().expect("messages have ids");
        let shown = case.show(id, 0).expect("show by native id").message;
        assert_eq!(shown.native_id.as_deref(), Some(id));
        assert_eq!(shown.sender_id, expected.sender_id, "sender of {id}");
        assert_eq!(shown.sent_at_original, expected.created_at, "createdAt of {id}");
        assert_eq!(shown.text, expected.text, "text of {id}");
        assert_eq!(shown.conversation_id, expected.conversation_id);
        assert_eq!(shown.reactions.len(), expected.reactions, "reactions of {id}");
        assert_eq!(shown.urls.len(), expected.urls.len(), "urls of {id}");
        assert_eq!(shown.attachments.len(), expected.media.len(), "media of {id}");
        let source = shown.source.expect("show carries the source");
        assert!(source.locator.contains(&expected.file), "{} in {}", source.locator, expected.file);
    }

    // Events are in the conversations, with their kinds and targets.
    let stats = case.stats().expect("stats");
    assert_eq!(stats.messages, messages);
    assert_eq!(stats.events, events);
    let renames = archive.events().filter(|e| e.kind == ExpectedKind::Rename).count();
    assert!(renames > 0 && archive.events().any(|e| matches!(e.kind, ExpectedKind::Other(_))));

    // Every message is searchable: an all-matching query counts them all.
    let all = case.search("", &SearchOptions::default()).expect("search");
    assert_eq!(all.total, messages);
}

#[test]
fn the_same_archive_twice_adds_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Builder::new(8).group_messages(2_000).build();
    let zip = dir.path().join("archive.zip");
    archive.write_zip(&zip).expect("zip");
    let folder = dir.path().join("extracted");
    archive.write_dir(&folder).expect("folder");
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).expect("case");
    let first = ingest(&mut case, &zip);
    let second = ingest(&mut case, &zip);
    assert_eq!((second.messages_added, second.events_added), (0, 0));
    assert_eq!(second.duplicates, first.messages_added + first.events_added);
    // The same export, extracted, overlaps completely too.
    let third = ingest(&mut case, &folder);
    assert_eq!((third.messages_added, third.events_added), (0, 0));
    assert_eq!(third.duplicates, first.messages_added + first.events_added);
    assert_eq!(case.stats().expect("stats").messages, first.messages_added);
    assert_eq!(
        case.search("", &SearchOptions::default()).expect("search").total,
        first.messages_added
    );
}

#[test]
fn an_index_behind_the_database_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Builder::new(9).group_messages(1_500).build();
    let zip = dir.path().join("archive.zip");
    archive.write_zip(&zip).expect("zip");
    let case_dir = dir.path().join("case");
    let messages = {
        let mut case = Case::open_or_create(&case_dir, &mut ()).expect("case");
        ingest(&mut case, &zip).messages_added
    };
    // Simulate a run killed after the database commit but before the index
    // commit: the index holds an older generation.
    {
        let index = trove_index::CaseIndex::open_or_create(&case_dir.join("index")).expect("index");
        let mut writer = index.writer(1, 50_000_000).expect("writer");
        writer.delete_all().expect("delete");
        writer.commit("0").expect("commit");
    }
    let case = Case::open(&case_dir, &mut ()).expect("reopen");
    assert_eq!(case.search("", &SearchOptions::default()).expect("search").total, messages);
}

#[test]
fn verify_flags_a_moved_timestamp_and_a_modified_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Builder::new(10).group_messages(1_200).tamper_created_at(true).build();
    let tampered = archive.tampered.clone().expect("the builder reports the tampered id");
    let zip = dir.path().join("archive.zip");
    archive.write_zip(&zip).expect("zip");
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).expect("case");
    ingest(&mut case, &zip);

    let report = case.verify().expect("verify");
    assert_eq!((report.sources_ok, report.sources_changed), (1, 0));
    let snowflake: Vec<_> =
        report.findings.iter().filter(|f| f.check == "snowflake_time").collect();
    assert_eq!(snowflake.len(), 1, "{:?}", report.findings);
    assert_eq!(snowflake[0].native_id.as_deref(), Some(tampered.as_str()));
    assert!(!Case::verify_is_clean(&report));

    let report = flip_last_byte_and_verify(&zip, &case);
    assert_eq!(report.source_findings[0].status, "changed");

    std::fs::remove_file(&zip).expect("remove");
    let report = case.verify().expect("verify");
    assert_eq!(report.source_findings[0].status, "missing");
}

/// Real snowflakes jitter around `createdAt` by about a second, so two
/// messages sent within a second of each other may carry ids in either
/// order: that is no finding. Messages a day apart on average would never
/// show it, so the archive is packed into one day.
#[test]
fn verify_accepts_ids_jittered_around_their_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Builder::new(12).group_messages(3_000).span_days(1).id_jitter_ms(1_000).build();
    // The archive really has ids out of time order, or this test proves nothing.
    let mut messages: Vec<_> = archive.messages().collect();
    messages.sort_by_key(|m| (m.conversation_id.clone(), m.created_at_ms));
    let inverted = messages
        .windows(2)
        .filter(|w| w[0].conversation_id == w[1].conversation_id)
        .filter(|w| w[1].created_at_ms > w[0].created_at_ms)
        .filter(|w| numeric_id(w[1]) < numeric_id(w[0]))
        .count();
    assert!(inverted >= 20, "only {inverted} inverted pairs");

    let zip = dir.path().join("archive.zip");
    archive.write_zip(&zip).expect("zip");
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).expect("case");
    ingest(&mut case, &zip);
    let report = case.verify().expect("verify");
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(Case::verify_is_clean(&report));
}

/// The jitter tolerance hides no tampering: a moved `createdAt`, an id
/// older than the messages before it, an id used twice and a changed
/// source are each still reported.
#[test]
fn verify_with_jittered_ids_still_catches_every_tampering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Builder::new(13)
        .group_messages(3_000)
        .span_days(1)
        .id_jitter_ms(1_000)
        .tamper_created_at(true)
        .tamper_id_order(true)
        .tamper_duplicate_id(true)
        .build();
    let moved = archive.tampered.clone().expect("a moved createdAt");
    let backwards = archive.backwards_id.clone().expect("a backwards id");
    let twice = archive.duplicated_id.clone().expect("an id used twice");
    let zip = dir.path().join("archive.zip");
    archive.write_zip(&zip).expect("zip");
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).expect("case");
    let output = ingest(&mut case, &zip);

    // The reader keeps the first copy of an id and names the other.
    let repeats: Vec<_> = output
        .skipped
        .iter()
        .filter(|s| s.reason.contains(&format!("message {twice} repeats with different content")))
        .collect();
    assert_eq!(repeats.len(), 1, "{:#?}", output.skipped);

    let report = case.verify().expect("verify");
    let found = |check: &str| -> Vec<String> {
        report
            .findings
            .iter()
            .filter(|f| f.check == check)
            .filter_map(|f| f.native_id.clone())
            .collect()
    };
    // The backwards id, and the moved message, which now sits three hours
    // after messages with larger ids. The reused id is a group message's,
    // older than its 1:1 neighbours: it (or the neighbour after it) is out
    // of order too. Nothing else is.
    let order = found("id_order");
    assert!(order.contains(&backwards) && order.contains(&moved), "{:#?}", report.findings);
    let reused_in: Vec<String> = archive
        .messages()
        .filter(|m| m.conversation_id.contains('-'))
        .filter(|m| {
            archive.messages().any(|o| {
                o.conversation_id == m.conversation_id && o.id.as_deref() == Some(twice.as_str())
            })
        })
        .filter_map(|m| m.id.clone())
        .collect();
    for id in &order {
        assert!(*id == backwards || *id == moved || reused_in.contains(id), "{id} flagged");
    }
    let order = report.findings.iter().find(|f| f.check == "id_order").expect("id_order");
    assert!(order.detail.contains("sent more than 2 s earlier"), "{}", order.detail);
    // The copy kept (the 1:1 message, read first) carries a group message's
    // id, so its time disagrees with its id as well.
    let mut snowflake = found("snowflake_time");
    snowflake.sort();
    let mut expected = vec![moved.clone(), backwards.clone(), twice.clone()];
    expected.sort();
    assert_eq!(snowflake, expected, "{:#?}", report.findings);

    flip_last_byte_and_verify(&zip, &case);
}

fn numeric_id(message: &trove_testkit::twitter::Expected) -> u64 {
    message.id.as_deref().and_then(|id| id.parse().ok()).expect("numeric id")
}

#[test]
fn search_orders_pages_and_filters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Builder::new(11).group_messages(3_000).build();
    let zip = dir.path().join("archive.zip");
    archive.write_zip(&zip).expect("zip");
    let mut case = Case::open_or_create(&dir.path().join("case"), &mut ()).expect("case");
    ingest(&mut case, &zip);

    let oldest = SearchOptions { sort: SortOrder::Oldest, limit: 50, ..SearchOptions::default() };
    let page = case.search("", &oldest).expect("search");
    let times: Vec<&str> = page.hits.iter().map(|h| h.sent_at.as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "oldest first");

    // Paging reaches every hit exactly once.
    let total = case.search("", &SearchOptions::default()).expect("search").total as usize;
    let mut seen = std::collections::HashSet::new();
    let mut offset = 0;
    while offset < total {
        let options = SearchOptions {
            sort: SortOrder::Newest,
            limit: 500,
            offset,
            ..SearchOptions::default()
        };
        for hit in case.search("", &options).expect("page").hits {
            assert!(seen.insert(hit.id), "a hit appeared twice");
        }
        offset += 500;
    }
    assert_eq!(seen.len(), total);

    // from: by platform id narrows to that sender, exactly.
    let sender = archive.messages().next().and_then(|m| m.sender_id.clone()).expect("sender");
    let expected =
        archive.messages().filter(|m| m.sender_id.as_deref() == Some(sender.as_str())).count();
    let by_sender =
        case.search(&format!("from:{sender}"), &SearchOptions::default()).expect("from");
    assert_eq!(by_sender.total as usize, expected);
    let not_sender =
        case.search(&format!("-from:{sender}"), &SearchOptions::default()).expect("-from");
    assert_eq!((by_sender.total + not_sender.total) as usize, total);

    // after:/before: split the case at a date, in the case's zone.
    let after = case.search("after:2016-06-01", &SearchOptions::default()).expect("after").total;
    let before = case.search("before:2016-06-01", &SearchOptions::default()).expect("before").total;
    assert_eq!((after + before) as usize, total);
    let expected_after =
        archive.messages().filter(|m| m.created_at.as_str() >= "2016-06-01").count();
    assert_eq!(after as usize, expected_after);

    // A bad date is the user's error, with its position.
    match case.search("clinton after:yesterday", &SearchOptions::default()) {
        Err(trove_app::AppError::Query { position, message }) => {
            assert_eq!(position, 8);
            assert!(message.contains("YYYY-MM-DD"), "{message}");
        }
        other => panic!("expected a query error, got {other:?}"),
    }
}

/// Flips the last byte of the archive and verifies: the one source must be
/// reported changed.
fn flip_last_byte_and_verify(zip: &std::path::Path, case: &Case) -> trove_app::VerifyOutput {
    let mut bytes = std::fs::read(zip).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(zip, bytes).expect("write");
    let report = case.verify().expect("verify");
    assert_eq!((report.sources_ok, report.sources_changed), (0, 1));
    report
}
