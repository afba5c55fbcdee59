use trove_model::{AccountRef, ConversationRef, Locator};

use super::*;

static LOCATOR: Locator =
    Locator { entry: None, offset: 0, length: 5, line: Some(1), json_path: None };

fn new_message<'a>(
    key: i64,
    conversation: i64,
    sender: i64,
    source: i64,
    extra: &'a Extra,
) -> NewMessage<'a> {
    NewMessage {
        key,
        kind: "message",
        conversation,
        native_id: Some("42"),
        sender: Some(sender),
        sent_at_ms: 1_000 + key,
        ts_original: "t",
        ts_basis: "utc",
        ts_zone: None,
        text: "hello",
        reply_to: None,
        extra,
        source,
        locator: &LOCATOR,
    }
}

/// A run with one source, conversation and account: the run and their rows.
fn begin_with_rows(store: &mut Store) -> (RunWriter<'_>, i64, i64, i64) {
    let mut run = store.begin_run("test", "2026-01-01T00:00:00Z").expect("run");
    let (source, conversation, sender) = rows_in(&mut run, "");
    (run, source, conversation, sender)
}

/// Source `a.csv` (read with `options`), conversation `c` and account
/// `alice` in `run`: their rows.
fn rows_in(run: &mut RunWriter<'_>, options: &str) -> (i64, i64, i64) {
    let source = run
        .source(
            &NewSource {
                path: "a.csv",
                sha256: "ab",
                size: 1,
                format: "csv",
                reader_version: 1,
                label: "a.csv",
                options,
                path_bytes: None,
            },
            "now",
        )
        .expect("source");
    let conversation = run
        .conversation(
            "transcript",
            &ConversationRef { native_id: "c".into(), name: None, scope: None },
            None,
        )
        .expect("conv");
    let sender = run.account("transcript", &AccountRef::id("alice")).expect("account");
    (source, conversation, sender)
}

fn ingest_one(store: &mut Store, keys: &[i64]) -> RunSummary {
    let extra = Extra::default();
    let (mut run, source, conversation, sender) = begin_with_rows(store);
    let mut summary = RunSummary::default();
    for &key in keys {
        match run.message(&new_message(key, conversation, sender, source, &extra)).expect("insert")
        {
            Some(_) => summary.messages_added += 1,
            None => summary.duplicates += 1,
        }
    }
    run.commit(&mut summary, "now").expect("commit");
    summary
}

#[test]
fn a_new_case_is_at_the_current_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("case.db")).expect("open");
    assert_eq!(store.version().expect("version"), schema_version());
    assert_eq!(store.generation().expect("generation"), 0);
}

#[test]
fn duplicates_are_counted_not_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let first = ingest_one(&mut store, &[1, 2, 3]);
    assert_eq!((first.messages_added, first.duplicates), (3, 0));
    let second = ingest_one(&mut store, &[2, 3, 4]);
    assert_eq!((second.messages_added, second.duplicates), (1, 2));
    assert_eq!(store.stats().expect("stats").messages, 4);
    assert_eq!(store.generation().expect("generation"), 2);
    assert_eq!(store.sources().expect("sources").len(), 1, "same path and hash is one source");
}

#[test]
fn a_dropped_run_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    {
        let extra = Extra::default();
        let (mut run, source, c, a) = begin_with_rows(&mut store);
        run.message(&new_message(7, c, a, source, &extra)).expect("insert");
    }
    let stats = store.stats().expect("stats");
    assert_eq!((stats.messages, stats.conversations), (0, 0));
    assert!(store.sources().expect("sources").is_empty());
    assert_eq!(store.generation().expect("generation"), 0);
}

#[test]
fn context_walks_the_conversation_in_time_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    ingest_one(&mut store, &[5, 1, 4, 2, 3]);
    let middle = store.message_by_key(3).expect("read").expect("present");
    let (before, after) = store.context(&middle, 1).expect("context");
    assert_eq!(before.iter().map(|m| m.key).collect::<Vec<_>>(), vec![2]);
    assert_eq!(after.iter().map(|m| m.key).collect::<Vec<_>>(), vec![4]);
}

#[test]
fn accounts_are_found_by_id_handle_and_given_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    ingest_one(&mut store, &[1]);
    assert_eq!(store.find_accounts("alice").expect("find").len(), 1);
    assert!(store.find_accounts("Alice Liddell").expect("find").is_empty());
    let [row] = store.find_accounts("alice").expect("find")[..] else { panic!("one alice") };
    store.name_account(row, "Alice Liddell", Actor { author: "ed", now: "now" }).expect("name");
    assert_eq!(store.find_accounts("alice liddell").expect("find"), vec![row]);
    assert_eq!(store.find_accounts(&format!("#{row}")).expect("find"), vec![row]);
    assert!(
        store.find_accounts(&row.to_string()).expect("find").is_empty(),
        "a bare number is a platform id, never a row"
    );
    store.name_account(row, "A. Liddell", Actor { author: "ed", now: "later" }).expect("name");
    let log = store.annotation_log(1).expect("log");
    assert_eq!(log[0].action, "account.name");
    assert!(log[0].detail.ends_with(": Alice Liddell -> A. Liddell"), "{}", log[0].detail);
    let message = store.message_by_key(1).expect("read").expect("present");
    assert_eq!(message.sender_name.as_deref(), Some("A. Liddell"));
}

#[test]
fn a_conversation_is_identified_within_its_scope() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let mut run = store.begin_run("test", "now").expect("run");
    let general = |scope: Option<&str>| ConversationRef {
        native_id: "GENERAL".into(),
        name: Some("general".into()),
        scope: scope.map(Into::into),
    };
    let a = run.conversation("rocketchat", &general(Some("serverA")), None).expect("a");
    let b = run.conversation("rocketchat", &general(Some("serverB")), None).expect("b");
    let none = run.conversation("rocketchat", &general(None), None).expect("none");
    assert_eq!(run.conversation("rocketchat", &general(Some("serverA")), None).expect("a"), a);
    assert!(a != b && b != none && a != none);
    assert!(run.has_pre_scope_twin("rocketchat", &general(Some("serverA"))).is_ok());
    run.commit(&mut RunSummary::default(), "now").expect("commit");
    let scopes: Vec<String> =
        store.conversations().expect("list").into_iter().map(|c| c.scope).collect();
    assert_eq!(scopes, ["serverA", "serverB", ""]);

    // The unscoped row is a twin of the scoped ones for the next run.
    let mut run = store.begin_run("test", "now").expect("run");
    assert!(run.has_pre_scope_twin("rocketchat", &general(Some("serverC"))).expect("twin"));
    assert!(!run.has_pre_scope_twin("rocketchat", &general(None)).expect("unscoped"));
}

#[test]
fn the_latest_rename_names_a_conversation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let mut run = store.begin_run("test", "now").expect("run");
    let named = |name: &str| ConversationRef {
        native_id: "c".into(),
        name: Some(name.into()),
        scope: None,
    };
    run.conversation("p", &named("stated"), None).expect("c");
    run.conversation("p", &named("later rename"), Some(200)).expect("c");
    run.conversation("p", &named("earlier rename"), Some(100)).expect("c");
    run.conversation("p", &named("stated again"), None).expect("c");
    run.commit(&mut RunSummary::default(), "now").expect("commit");
    let conversations = store.conversations().expect("list");
    assert_eq!(conversations[0].name.as_deref(), Some("later rename"));
}

#[test]
fn merged_accounts_answer_to_the_person_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let (a, b, c) = {
        let mut run = store.begin_run("test", "now").expect("run");
        let a = run.account("twitter", &AccountRef::id("38512725")).expect("a");
        let b = run.account("telegram", &AccountRef::id("user42")).expect("b");
        let c = run.account("slack", &AccountRef::id("U1")).expect("c");
        run.commit(&mut RunSummary::default(), "now").expect("commit");
        (a, b, c)
    };
    let actor = Actor { author: "ed", now: "now" };
    let person = store.merge_accounts(a, b, "Julian", "same phone number", actor).expect("merge");
    assert_eq!(store.find_accounts("julian").expect("find"), vec![a, b]);
    assert_eq!(
        store.merge_accounts(c, a, "ignored", "same writing style", actor).expect("merge"),
        person
    );
    assert_eq!(store.find_accounts("Julian").expect("find"), vec![a, b, c]);
    let persons = store.persons().expect("persons");
    assert_eq!(persons.len(), 1);
    assert_eq!(
        persons[0].accounts.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>(),
        vec!["same phone number", "same phone number", "same writing style"],
        "an account keeps the reason it was first linked for"
    );
    let log = store.annotation_log(10).expect("log");
    assert_eq!(log[0].action, "person.merge");
    assert_eq!(
        log[0].detail,
        format!("#{c} slack:U1 + #{a} twitter:38512725 as ignored: same writing style")
    );
    assert_eq!(log[0].author, "ed");

    assert_eq!(
        store.split_account(b, "a different user42", actor).expect("split").as_deref(),
        Some("Julian")
    );
    assert_eq!(store.find_accounts("Julian").expect("find"), vec![a, c]);
    assert_eq!(
        store.annotation_log(1).expect("log")[0].detail,
        format!("#{b} telegram:user42 out of Julian: a different user42")
    );
    assert_eq!(store.split_account(b, "again", actor).expect("split"), None, "not in a person");
    store.split_account(a, "no link after all", actor).expect("split");
    assert!(store.persons().expect("persons").is_empty(), "one account left is no person");
    assert!(store.find_accounts("Julian").expect("find").is_empty());
}

#[test]
fn a_case_at_schema_1_is_migrated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(schema::MIGRATIONS[0]).expect("v1");
        conn.pragma_update(None, "user_version", 1).expect("version");
        conn.execute("INSERT INTO meta(key, value) VALUES ('generation', '3')", []).expect("meta");
    }
    let store = Store::open(&path).expect("migrate");
    assert_eq!(store.version().expect("version"), schema_version());
    assert_eq!(store.generation().expect("generation"), 3, "data survives");
    assert!(store.persons().expect("persons").is_empty());
}

/// A case folder's database at schema `version`, holding the rows `seed`
/// inserts (for migration tests).
fn case_at_schema(path: &std::path::Path, version: usize, seed: &str) {
    let conn = rusqlite::Connection::open(path).expect("open");
    for sql in &schema::MIGRATIONS[..version] {
        conn.execute_batch(sql).expect("old schema");
    }
    conn.pragma_update(None, "user_version", version as i64).expect("version");
    conn.execute_batch(seed).expect("old rows");
}

#[test]
fn a_case_at_schema_5_keeps_its_messages_and_references_through_the_table_rebuild() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.db");
    case_at_schema(&path, 5,
            "INSERT INTO runs(id, started_at, command) VALUES (1, 't', 'ingest');
             INSERT INTO sources(id, path, sha256, size, format, reader_version, ingested_at, run_id)
                 VALUES (1, 'a.csv', 'ab', 1, 'csv', 1, 't', 1);
             INSERT INTO conversations(id, platform, native_id) VALUES (1, 'transcript', 'c');
             INSERT INTO accounts(id, platform, native_id) VALUES (1, 'transcript', 'alice');
             INSERT INTO messages(id, key, kind, conversation_id, sender_id, sent_at, ts_original,
                     ts_basis, text, source_id, offset, length)
                 VALUES (7, 70, 'message', 1, 1, 1000, 't', 'utc', 'hello', 1, 0, 5),
                        (8, 80, 'message', 1, 1, 2000, 't', 'utc', 'again', 1, 5, 5);
             INSERT INTO translations(message_id, lang, text, source_id, offset, length)
                 VALUES (8, 'en', 'once more', 1, 0, 9);",
    );
    let store = Store::open(&path).expect("migrate");
    assert_eq!(store.version().expect("version"), schema_version());
    let again = store.message_by_key(80).expect("read").expect("kept");
    assert_eq!((again.row, again.text.as_str()), (8, "again"), "rows keep their ids");
    let translated = store.translated_texts().expect("translations");
    assert_eq!(translated.get(&8).map(String::as_str), Some("once more"));
    let foreign_keys: i64 =
        store.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("pragma");
    assert_eq!(foreign_keys, 1, "foreign keys are checked again after migrating");
    let duplicate = store.conn().execute(
        "INSERT INTO messages(key, kind, conversation_id, sent_at, ts_original, ts_basis, text,
             source_id, offset, length) VALUES (80, 'message', 1, 0, 't', 'utc', 'x', 1, 0, 1)",
        [],
    );
    assert!(duplicate.is_err(), "keys stay unique");
}

#[test]
fn a_bulk_run_removes_repeated_keys_at_commit_keeping_the_first_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let extra = Extra::default();
    let (mut run, source, conversation, sender) = begin_with_rows(&mut store);
    let mut rows = Vec::new();
    let mut summary = RunSummary::default();
    for (key, kind) in [(1, "message"), (2, "join"), (1, "message"), (2, "join"), (1, "message")] {
        let mut message = new_message(key, conversation, sender, source, &extra);
        message.kind = kind;
        let row = run.message(&message).expect("insert").expect("a bulk run defers the check");
        rows.push(row);
        if kind == "message" {
            summary.messages_added += 1;
        } else {
            summary.events_added += 1;
        }
    }
    let committed = run.commit(&mut summary, "now").expect("commit");
    assert_eq!(committed.dropped, vec![rows[2], rows[3], rows[4]], "the later copies go");
    assert_eq!((summary.messages_added, summary.events_added, summary.duplicates), (1, 1, 3));
    assert_eq!(store.stats().expect("stats").messages, 1);
    assert_eq!(store.message_by_key(1).expect("read").expect("kept").row, rows[0]);
    let duplicate = store.conn().execute(
        "INSERT INTO messages(key, kind, conversation_id, sent_at, ts_original, ts_basis, text,
             source_id, offset, length) VALUES (1, 'message', ?1, 0, 't', 'utc', 'x', ?2, 0, 1)",
        [conversation, source],
    );
    assert!(duplicate.is_err(), "the rebuilt messages_key holds keys unique");
}

#[test]
fn a_bulk_run_refuses_a_key_it_already_wrote() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let summary = ingest_one(&mut store, &[1, 2, 1, 3, 2]);
    assert_eq!((summary.messages_added, summary.duplicates), (3, 2));
    assert_eq!(store.stats().expect("stats").messages, 3);
}

fn message_indexes(store: &Store) -> Vec<String> {
    let mut statement = store
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL ORDER BY name")
        .expect("prepare");
    statement
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<Vec<String>, _>>()
        .expect("rows")
}

#[test]
fn a_bulk_run_builds_its_deferred_indexes_and_a_dropped_one_keeps_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let all = vec!["messages_conversation_time", "messages_key", "messages_sender_time"];
    assert_eq!(message_indexes(&store), all);
    // cache_size, temp_store (2 = memory), threads, journal_mode, synchronous (1 = normal)
    let settings = |store: &Store| -> (i64, i64, i64, String, i64) {
        let pragma = |name: &str| -> i64 {
            store.conn().query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).expect("pragma")
        };
        let journal: String =
            store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("pragma");
        (
            pragma("cache_size"),
            pragma("temp_store"),
            pragma("threads"),
            journal,
            pragma("synchronous"),
        )
    };
    let usual = (-CACHE_KIB, 2, 0, "wal".to_string(), 1);
    assert_eq!(settings(&store), usual);
    drop(store.begin_run("abandoned", "now").expect("run"));
    assert_eq!(message_indexes(&store), all, "a rolled-back bulk run restores the indexes");
    assert_eq!(settings(&store), usual, "and the usual cache, in-memory temporary storage");
    ingest_one(&mut store, &[1, 2, 3]);
    assert_eq!(message_indexes(&store), all, "a committed bulk run rebuilds them");
    assert_eq!(settings(&store), usual, "the bulk run's cache and sort settings are undone");
    let middle = store.message_by_key(2).expect("read").expect("present");
    assert_eq!(store.context(&middle, 1).expect("context").0.len(), 1);
}

const ACTOR: Actor<'static> = Actor { author: "ana", now: "2026-12-03T07:00:00Z" };

fn rows_of_keys(store: &Store, keys: &[i64]) -> Vec<i64> {
    keys.iter().map(|&k| store.message_by_key(k).expect("read").expect("message").row).collect()
}

#[test]
fn a_range_note_covers_every_message_between_its_ends_and_deletion_is_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    ingest_one(&mut store, &[1, 2, 3, 4, 5]);
    let range = store.add_note(2, 4, "a *range*", ACTOR).expect("note");
    let single = store.add_note(5, 5, "one", ACTOR).expect("note");
    let mut noted = store.noted_rows().expect("noted");
    noted.sort();
    assert_eq!(noted, rows_of_keys(&store, &[2, 3, 4, 5]));
    let on_three = store.notes_on(rows_of_keys(&store, &[3])[0]).expect("notes on");
    assert_eq!(on_three.iter().map(|n| n.id).collect::<Vec<_>>(), vec![range]);

    store.edit_note(single, "one, edited", ACTOR).expect("edit");
    assert!(store.delete_note(single, ACTOR).expect("delete"));
    assert!(!store.delete_note(single, ACTOR).expect("delete twice"), "already deleted");
    assert_eq!(store.notes(false).expect("live").len(), 1);
    let all = store.notes(true).expect("all");
    let deleted = all.iter().find(|n| n.id == single).expect("kept");
    assert_eq!(deleted.body, "one, edited");
    assert_eq!(deleted.deleted, Some((ACTOR.now.to_string(), "ana".to_string())));
    let log = store.annotation_log(10).expect("log");
    let actions: Vec<&str> = log.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["note.delete", "note.edit", "note.add", "note.add"]);
    assert_eq!(log[0].detail, format!("note {single} was: one, edited"));
    assert_eq!(log[1].detail, format!("note {single} was: one"));
}

#[test]
fn tags_and_statuses_survive_a_rebuilt_case_because_they_point_at_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    assert!(store.add_tag(3, " Payments ", ACTOR).expect("tag"));
    assert!(!store.add_tag(3, "payments", ACTOR).expect("tag again"));
    store.set_status(3, "relevant", ACTOR).expect("status");
    // Annotated before the message is in the case: nothing matches yet.
    assert!(store.tagged_rows("payments").expect("tagged").is_empty());
    ingest_one(&mut store, &[1, 2, 3]);
    assert_eq!(store.tagged_rows("PAYMENTS").expect("tagged"), rows_of_keys(&store, &[3]));
    assert_eq!(store.status_rows("relevant").expect("status"), rows_of_keys(&store, &[3]));
    ingest_one(&mut store, &[1, 2, 3]);
    assert_eq!(store.tagged_rows("payments").expect("tagged").len(), 1);
    store.set_status(3, "to-verify", ACTOR).expect("status");
    assert_eq!(store.status(3).expect("status").expect("set").status, "to-verify");
    assert_eq!(store.annotation_log(1).expect("log")[0].detail, "relevant -> to-verify");
    assert!(store.remove_tag(3, "payments", ACTOR).expect("untag"));
    assert!(store.tags(None).expect("tags").is_empty());
}

#[test]
fn collections_keep_order_through_moves_and_removals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let items = [(1, 1, Some("first".to_string())), (2, 3, None), (4, 4, Some("last".into()))];
    assert_eq!(store.add_to_collection("story", &items, ACTOR).expect("add"), vec![1, 2, 3]);
    assert!(store.move_in_collection("story", 3, 1, ACTOR).expect("move"));
    let order = |store: &Store| -> Vec<(i64, i64)> {
        let items = store.collection("story").expect("read").expect("exists");
        items.iter().map(|i| (i.position, i.first_key)).collect()
    };
    assert_eq!(order(&store), vec![(1, 4), (2, 1), (3, 2)]);
    assert!(store.remove_from_collection("story", 2, ACTOR).expect("remove"));
    assert_eq!(order(&store), vec![(1, 4), (2, 2)]);
    assert!(!store.move_in_collection("story", 9, 1, ACTOR).expect("move"));
    assert_eq!(store.collection("nothing").expect("read"), None);
    let listed = store.collections().expect("list");
    assert_eq!((listed[0].name.as_str(), listed[0].items), ("story", 2));
}

#[test]
fn redaction_rules_are_listed_in_order_and_a_removal_does_not_log_the_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    let a = store.add_rule("person", "alice", Some("Source A"), ACTOR).expect("rule");
    let b = store.add_rule("text", "secret-code", None, ACTOR).expect("rule");
    assert_eq!(store.add_rule("person", "alice", Some("Source B"), ACTOR).expect("again"), a);
    let rules = store.rules().expect("rules");
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].pseudonym.as_deref(), Some("Source B"));
    assert!(store.remove_rule(b, ACTOR).expect("remove"));
    let log = store.annotation_log(10).expect("log");
    assert!(log.iter().all(|l| !l.detail.contains("secret-code")), "{log:?}");
}

fn journal_mode(conn: &rusqlite::Connection) -> String {
    conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("pragma")
}

#[test]
fn a_bulk_run_writes_through_a_rollback_journal_unless_the_case_is_open_elsewhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.db");
    let mut store = Store::open(&path).expect("open");
    {
        let run = store.begin_run("bulk", "now").expect("run");
        assert_eq!(journal_mode(run.conn()), "delete");
        let synchronous: i64 =
            run.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).expect("pragma");
        assert_eq!(synchronous, 2, "a rollback journal is synced fully");
    }
    assert_eq!(journal_mode(store.conn()), "wal", "a rolled-back run returns to the WAL");

    // A reader (the workbench) holds the case: the run cannot take it off
    // the WAL, and writes through it as any run does.
    let reader = Store::open_read_only(&path).expect("reader");
    assert_eq!(reader.stats().expect("stats").messages, 0);
    {
        let run = store.begin_run("bulk", "now").expect("run");
        assert_eq!(journal_mode(run.conn()), "wal");
    }
    ingest_one(&mut store, &[1, 2, 3]);
    assert_eq!(reader.stats().expect("stats").messages, 3, "the reader sees the commit");
    drop(reader);

    // Alone again, a bulk run into an empty case commits through the journal.
    let path = dir.path().join("second.db");
    let mut store = Store::open(&path).expect("open");
    ingest_one(&mut store, &[4, 5]);
    assert_eq!(journal_mode(store.conn()), "wal");
    drop(store);
    let store = Store::open(&path).expect("reopen");
    assert_eq!(store.stats().expect("stats").messages, 2);
    assert!(!dir.path().join("second.db-journal").exists(), "no journal is left behind");
}

#[test]
fn a_case_at_schema_8_gets_source_options_unknown_and_keeps_every_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.db");
    case_at_schema(
        &path,
        8,
        "INSERT INTO runs(id, started_at, command) VALUES (1, 't', 'ingest');
             INSERT INTO sources(id, path, sha256, size, format, reader_version, ingested_at,
                     run_id, label)
                 VALUES (4, 'dir/a.csv', 'ab', 1, 'csv', 1, '2026-01-01T00:00:00Z', 1, 'dir'),
                        (5, 'dir/a-en.csv', 'cd', 1, 'csv', 1, '2026-01-01T00:00:00Z', 1, 'dir');
             INSERT INTO conversations(id, platform, native_id) VALUES (1, 'transcript', 'c');
             INSERT INTO accounts(id, platform, native_id) VALUES (1, 'transcript', 'alice');
             INSERT INTO messages(id, key, kind, conversation_id, sender_id, sent_at, ts_original,
                     ts_basis, text, source_id, offset, length)
                 VALUES (7, 70, 'message', 1, 1, 1000, 't', 'utc', 'hello', 4, 0, 5);
             INSERT INTO translations(message_id, lang, text, source_id, offset, length)
                 VALUES (7, 'en', 'hi', 5, 0, 2);",
    );
    let mut store = Store::open(&path).expect("migrate");
    assert_eq!(store.version().expect("version"), 9);
    let sources = store.sources().expect("sources");
    assert_eq!(
        sources.iter().map(|s| (s.row, s.label.as_str(), s.options.as_str())).collect::<Vec<_>>(),
        vec![(4, "dir", ""), (5, "dir", "")],
        "rows keep their ids and labels; their options are unknown"
    );
    assert_eq!(store.message_by_key(70).expect("read").expect("kept").source_path, "dir/a.csv");
    assert_eq!(
        store.translated_texts().expect("translations").get(&7).map(String::as_str),
        Some("hi")
    );
    let foreign_keys: i64 =
        store.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("pragma");
    assert_eq!(foreign_keys, 1);
    let replaced: i64 = store
        .conn()
        .query_row("SELECT records_replaced FROM runs WHERE id = 1", [], |r| r.get(0))
        .expect("the runs table counts replaced records");
    assert_eq!(replaced, 0);

    // A source of unknown options is found again by path and hash, by a
    // run reading it with any options; the same file read with options
    // recorded may be a second row beside a first of the same options.
    let mut run = store.begin_run("again", "now").expect("run");
    let source = |options: &'static str| NewSource {
        path: "dir/a.csv",
        sha256: "ab",
        size: 1,
        format: "csv",
        reader_version: 1,
        label: "dir",
        options,
        path_bytes: None,
    };
    assert_eq!(run.source(&source(r#"{"tz":"UTC"}"#), "now").expect("source"), 4);
    let earlier = run.earlier_readings("ab").expect("earlier");
    assert_eq!(
        earlier,
        vec![EarlierReading {
            row: 4,
            path: "dir/a.csv".into(),
            ingested_at: "2026-01-01T00:00:00Z".into(),
            options: String::new(),
        }]
    );
    run.conn()
        .execute(
            "INSERT INTO sources(path, sha256, size, format, reader_version, ingested_at, run_id,
                 options) VALUES ('dir/a.csv', 'ab', 1, 'csv', 1, 'now', ?1, '{\"tz\":\"UTC\"}')",
            [run.run_id()],
        )
        .expect("the same file under other options is another row");
    assert!(
        run.earlier_readings("ab").expect("earlier").len() == 1,
        "this run's rows are not earlier"
    );
    assert_ne!(
        run.source(&source(r#"{"tz":"UTC"}"#), "now").expect("source"),
        4,
        "exact options first"
    );
}

#[test]
fn replacing_a_source_removes_its_records_and_counts_annotations_left_without_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    ingest_one(&mut store, &[1, 2, 3, 4]);
    let kept_row = store.message_by_key(1).expect("read").expect("present").row;
    // A translated copy attached to key 1, from another source.
    {
        let mut run = store.begin_run("translate", "now").expect("run");
        let copy = run
            .source(
                &NewSource {
                    path: "a-en.csv",
                    sha256: "cd",
                    size: 1,
                    format: "csv",
                    reader_version: 1,
                    label: "a-en.csv",
                    options: "{}",
                    path_bytes: None,
                },
                "now",
            )
            .expect("source");
        let translation =
            NewTranslation { lang: "en", text: "hi", source: copy, locator: &LOCATOR };
        assert!(run.attach_translation(kept_row, &translation).expect("attach"));
        run.commit(&mut RunSummary::default(), "now").expect("commit");
    }
    store.add_note(2, 2, "on two", ACTOR).expect("note");
    store.add_note(1, 3, "one to three", ACTOR).expect("note");
    let gone = store.add_note(1, 1, "deleted", ACTOR).expect("note");
    store.delete_note(gone, ACTOR).expect("delete");
    store.add_note(4, 4, "on four, which comes back", ACTOR).expect("note");
    store.add_tag(3, "lost", ACTOR).expect("tag");
    store.add_tag(1, "kept", ACTOR).expect("tag");
    store.set_status(2, "relevant", ACTOR).expect("status");
    store.add_to_collection("story", &[(2, 2, None), (4, 4, None)], ACTOR).expect("collection");
    // Annotated before its message ever was: not the replace's doing.
    store.add_tag(99, "early", ACTOR).expect("tag");

    let extra = Extra::default();
    let mut run = store.begin_run("replace", "now").expect("run");
    let earlier = run.earlier_readings("ab").expect("earlier");
    assert_eq!(earlier.len(), 1);
    let holds = run.source_holds(earlier[0].row).expect("holds");
    assert_eq!((holds.messages, holds.events, holds.translations), (4, 0, 0));
    let replaced = run.replace_source(earlier[0].row).expect("replace");
    assert_eq!(replaced.counts, Replaced { sources: 1, messages: 4, events: 0, translations: 1 });
    assert_eq!(replaced.rows.len(), 4);
    assert!(replaced.untranslated.is_empty(), "the translated message itself is gone");
    // The new reading keeps keys 1 and 4, and gives 2 and 3 new ones.
    let (source, conversation, sender) = rows_in(&mut run, r#"{"tz":"UTC"}"#);
    for key in [1, 4, 20, 30] {
        run.message(&new_message(key, conversation, sender, source, &extra))
            .expect("insert")
            .expect("new");
    }
    let mut summary = RunSummary { replaced: replaced.counts, ..RunSummary::default() };
    run.commit(&mut summary, "now").expect("commit");
    assert_eq!(
        summary.orphaned,
        Orphaned { notes: 2, tags: 1, statuses: 1, collection_items: 1 },
        "the notes on 2 and on 1..3, the tag on 3, the status on 2, the item on 2"
    );
    assert_eq!(store.stats().expect("stats").messages, 4);
    let sources = store.sources().expect("sources");
    assert_eq!(
        sources.iter().map(|s| (s.path.as_str(), s.options.as_str())).collect::<Vec<_>>(),
        vec![("a-en.csv", "{}"), ("a.csv", r#"{"tz":"UTC"}"#)],
        "the earlier reading's row is gone"
    );
    assert!(store.translated_texts().expect("translations").is_empty());
    assert_eq!(store.notes(false).expect("notes").len(), 3, "annotations are never deleted");
    assert_eq!(store.tagged_rows("kept").expect("tagged"), rows_of_keys(&store, &[1]));
    let replaced: i64 = store
        .conn()
        .query_row("SELECT records_replaced FROM runs ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .expect("runs");
    assert_eq!(replaced, 4);
    let temp: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM temp.sqlite_master", [], |r| r.get(0))
        .expect("temp schema");
    assert_eq!(temp, 0, "the run's working tables are gone");
}

#[test]
fn replacing_a_translated_copy_lists_the_messages_that_lost_a_translation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    ingest_one(&mut store, &[1, 2]);
    let row = store.message_by_key(2).expect("read").expect("present").row;
    let copy = NewSource {
        path: "a-en.csv",
        sha256: "cd",
        size: 1,
        format: "csv",
        reader_version: 1,
        label: "a-en.csv",
        options: r#"{"lang":"en"}"#,
        path_bytes: None,
    };
    {
        let mut run = store.begin_run("translate", "now").expect("run");
        let source = run.source(&copy, "now").expect("source");
        let translation = NewTranslation { lang: "en", text: "hi", source, locator: &LOCATOR };
        assert!(run.attach_translation(row, &translation).expect("attach"));
        run.commit(&mut RunSummary::default(), "now").expect("commit");
    }
    let mut run = store.begin_run("replace", "now").expect("run");
    let earlier = run.earlier_readings("cd").expect("earlier");
    let holds = run.source_holds(earlier[0].row).expect("holds");
    assert_eq!((holds.messages, holds.translations), (0, 1));
    let replaced = run.replace_source(earlier[0].row).expect("replace");
    assert_eq!(replaced.counts, Replaced { sources: 1, messages: 0, events: 0, translations: 1 });
    assert_eq!(replaced.untranslated, vec![row]);
    assert!(replaced.rows.is_empty());
    drop(run);
    assert_eq!(store.translated_texts().expect("kept").len(), 1, "a dropped run replaced nothing");
    assert_eq!(store.sources().expect("sources").len(), 2);
}

#[test]
fn a_running_statement_is_interrupted_from_another_thread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("case.db")).expect("open");
    let interrupter = store.interrupter();
    let started = std::time::Instant::now();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        interrupter.interrupt();
    });
    // Counts to a billion: minutes, unless stopped.
    let counted: Result<i64, _> = store.conn().query_row(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000)
         SELECT COUNT(*) FROM n",
        [],
        |r| r.get(0),
    );
    stopper.join().expect("stopper");
    let error = counted.expect_err("interrupted");
    assert!(error.to_string().contains("interrupt"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(store.generation().is_ok(), "the connection works after an interrupt");
}

#[test]
fn a_read_snapshot_sees_one_state_while_another_connection_commits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.db");
    let mut writer = Store::open(&path).expect("open");
    let reader = Store::open(&path).expect("second connection");
    let before = reader.generation().expect("generation");
    {
        let _snapshot = reader.read_snapshot();
        assert_eq!(reader.generation().expect("generation"), before);
        ingest_one(&mut writer, &[1]);
        assert_eq!(
            reader.generation().expect("generation"),
            before,
            "inside the snapshot, the other connection's commit is not seen"
        );
    }
    assert!(reader.generation().expect("generation") > before, "seen once it ends");
}

#[test]
fn a_page_of_keys_learns_which_carry_annotations_in_one_query() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("case.db")).expect("open");
    ingest_one(&mut store, &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(!store.has_annotations().expect("check"));
    store.add_tag(1, "lead", ACTOR).expect("tag");
    store.set_status(2, "relevant", ACTOR).expect("status");
    store.add_note(4, 6, "a range", ACTOR).expect("note");
    let gone = store.add_note(8, 8, "withdrawn", ACTOR).expect("note");
    store.delete_note(gone, ACTOR).expect("delete");
    assert!(store.has_annotations().expect("check"));
    let mut found: Vec<i64> =
        store.annotated_keys(&[1, 2, 3, 4, 5, 6, 7, 8]).expect("keys").into_iter().collect();
    found.sort_unstable();
    assert_eq!(found, [1, 2, 4, 5, 6], "a range note covers its middle; a deleted note nothing");
    assert!(store.annotated_keys(&[]).expect("keys").is_empty());
    let many: Vec<i64> = (1..=130).rev().collect();
    let mut found: Vec<i64> = store.annotated_keys(&many).expect("keys").into_iter().collect();
    found.sort_unstable();
    assert_eq!(found, [1, 2, 4, 5, 6], "over several batches of keys");
}
