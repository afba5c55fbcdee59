//! Numbered schema migrations. A case records the number it is at
//! (`PRAGMA user_version`); opening it applies the ones it lacks, in order,
//! each in its own transaction. Never edit a released migration: add one.

/// Every migration, in order; index + 1 is the version it brings a case to.
pub const MIGRATIONS: &[&str] = &[
    // 1: the foundation.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE runs (
        id             INTEGER PRIMARY KEY,
        started_at     TEXT NOT NULL,
        finished_at    TEXT,
        command        TEXT NOT NULL,
        messages_added INTEGER NOT NULL DEFAULT 0,
        events_added   INTEGER NOT NULL DEFAULT 0,
        duplicates     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE sources (
        id             INTEGER PRIMARY KEY,
        path           TEXT NOT NULL,
        sha256         TEXT NOT NULL,
        size           INTEGER NOT NULL,
        format         TEXT NOT NULL,
        reader_version INTEGER NOT NULL,
        ingested_at    TEXT NOT NULL,
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        UNIQUE (path, sha256)
    );
    CREATE TABLE conversations (
        id        INTEGER PRIMARY KEY,
        platform  TEXT NOT NULL,
        native_id TEXT NOT NULL,
        name      TEXT,
        -- when a rename event set `name` (UTC ms); names from renames win
        -- over names merely stated on records, and the latest rename wins.
        named_at  INTEGER,
        UNIQUE (platform, native_id)
    );
    CREATE TABLE accounts (
        id           INTEGER PRIMARY KEY,
        platform     TEXT NOT NULL,
        native_id    TEXT NOT NULL,
        display_name TEXT,
        handle       TEXT,
        user_name    TEXT,
        UNIQUE (platform, native_id)
    );
    CREATE INDEX accounts_display_name ON accounts(display_name COLLATE NOCASE);
    CREATE INDEX accounts_handle ON accounts(handle COLLATE NOCASE);
    CREATE INDEX accounts_user_name ON accounts(user_name COLLATE NOCASE);
    CREATE TABLE messages (
        id              INTEGER PRIMARY KEY,
        key             INTEGER NOT NULL UNIQUE,
        kind            TEXT NOT NULL,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        native_id       TEXT,
        sender_id       INTEGER REFERENCES accounts(id),
        sent_at         INTEGER NOT NULL,
        ts_original     TEXT NOT NULL,
        ts_basis        TEXT NOT NULL,
        ts_zone         TEXT,
        text            TEXT NOT NULL,
        reply_to        TEXT,
        extra           TEXT,
        source_id       INTEGER NOT NULL REFERENCES sources(id),
        entry           TEXT,
        offset          INTEGER NOT NULL,
        length          INTEGER NOT NULL,
        line            INTEGER,
        json_path       TEXT
    );
    CREATE INDEX messages_conversation_time ON messages(conversation_id, sent_at, id);
    CREATE INDEX messages_sender ON messages(sender_id);
    "#,
    // 2: people across platforms. An account belongs to at most one
    // person; a merge records who decided it and why.
    r#"
    CREATE TABLE persons (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX persons_name ON persons(name COLLATE NOCASE);
    CREATE TABLE person_accounts (
        account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
        person_id  INTEGER NOT NULL REFERENCES persons(id),
        reason     TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX person_accounts_person ON person_accounts(person_id);
    "#,
    // 3: translations: a translated copy of a source attaches to the
    // original messages, as a layer, never as new messages.
    r#"
    CREATE TABLE translations (
        id         INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        lang       TEXT NOT NULL,
        text       TEXT NOT NULL,
        source_id  INTEGER NOT NULL REFERENCES sources(id),
        entry      TEXT,
        offset     INTEGER NOT NULL,
        length     INTEGER NOT NULL,
        line       INTEGER,
        json_path  TEXT,
        UNIQUE (message_id, lang, source_id)
    );
    CREATE INDEX translations_message ON translations(message_id);
    CREATE INDEX messages_sender_time ON messages(sender_id, sent_at);
    "#,
    // 4: the user's layers over the evidence: notes, tags, review status,
    // collections of excerpts, redaction rules. They point at messages by
    // their stable key (not the row), so they survive re-ingest and a
    // rebuilt index. Nothing is deleted silently: removals are logged, and a
    // deleted note keeps its row with who deleted it and when.
    r#"
    CREATE TABLE notes (
        id         INTEGER PRIMARY KEY,
        first_key  INTEGER NOT NULL,
        -- the last message of a range; equal to first_key for one message
        last_key   INTEGER NOT NULL,
        body       TEXT NOT NULL,
        author     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted_at TEXT,
        deleted_by TEXT
    );
    CREATE INDEX notes_first ON notes(first_key);
    CREATE TABLE tags (
        message_key INTEGER NOT NULL,
        tag         TEXT NOT NULL,
        author      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (message_key, tag)
    );
    CREATE INDEX tags_tag ON tags(tag);
    CREATE TABLE reviews (
        message_key INTEGER PRIMARY KEY,
        status      TEXT NOT NULL,
        author      TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX reviews_status ON reviews(status);
    CREATE TABLE annotation_log (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        author      TEXT NOT NULL,
        action      TEXT NOT NULL,
        message_key INTEGER,
        detail      TEXT NOT NULL
    );
    CREATE TABLE collections (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        author     TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE collection_items (
        id            INTEGER PRIMARY KEY,
        collection_id INTEGER NOT NULL REFERENCES collections(id),
        position      INTEGER NOT NULL,
        first_key     INTEGER NOT NULL,
        last_key      INTEGER NOT NULL,
        note          TEXT,
        author        TEXT NOT NULL,
        created_at    TEXT NOT NULL
    );
    CREATE INDEX collection_items_order ON collection_items(collection_id, position);
    CREATE TABLE redaction_rules (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,
        value      TEXT NOT NULL,
        pseudonym  TEXT,
        author     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (kind, value)
    );
    "#,
    // 5: `messages_sender` duplicated the leading column of
    // `messages_sender_time`, which serves every lookup by sender; building
    // it cost a large ingest a second or more at commit.
    r#"
    DROP INDEX IF EXISTS messages_sender;
    "#,
    // 6: `key` loses its column `UNIQUE` constraint for a named unique
    // index. A constraint's index cannot be dropped, so a bulk run had to
    // insert every key into it at random places; a named index can be
    // dropped like the others and built once, sorted, at commit (the run
    // de-duplicates in memory meanwhile). SQLite cannot alter a constraint:
    // the table is rebuilt, with foreign keys off (see `Store::migrate`).
    r#"
    CREATE TABLE messages_new (
        id              INTEGER PRIMARY KEY,
        key             INTEGER NOT NULL,
        kind            TEXT NOT NULL,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        native_id       TEXT,
        sender_id       INTEGER REFERENCES accounts(id),
        sent_at         INTEGER NOT NULL,
        ts_original     TEXT NOT NULL,
        ts_basis        TEXT NOT NULL,
        ts_zone         TEXT,
        text            TEXT NOT NULL,
        reply_to        TEXT,
        extra           TEXT,
        source_id       INTEGER NOT NULL REFERENCES sources(id),
        entry           TEXT,
        offset          INTEGER NOT NULL,
        length          INTEGER NOT NULL,
        line            INTEGER,
        json_path       TEXT
    );
    INSERT INTO messages_new SELECT id, key, kind, conversation_id, native_id, sender_id,
        sent_at, ts_original, ts_basis, ts_zone, text, reply_to, extra, source_id, entry,
        offset, length, line, json_path FROM messages;
    DROP TABLE messages;
    ALTER TABLE messages_new RENAME TO messages;
    CREATE UNIQUE INDEX messages_key ON messages(key);
    CREATE INDEX messages_conversation_time ON messages(conversation_id, sent_at, id);
    CREATE INDEX messages_sender_time ON messages(sender_id, sent_at);
    "#,
    // 7: a conversation is identified within its source scope (server,
    // workspace, homeserver, guild, archive account, IRC network): two
    // servers' `GENERAL` rooms are two conversations. Conversations made
    // before keep their rows (and so every message and annotation) with
    // the empty scope. The unique constraint changes: the table is rebuilt,
    // with foreign keys off (see `Store::migrate`).
    r#"
    CREATE TABLE conversations_new (
        id        INTEGER PRIMARY KEY,
        platform  TEXT NOT NULL,
        scope     TEXT NOT NULL DEFAULT '',
        native_id TEXT NOT NULL,
        name      TEXT,
        named_at  INTEGER,
        UNIQUE (platform, scope, native_id)
    );
    INSERT INTO conversations_new(id, platform, scope, native_id, name, named_at)
        SELECT id, platform, '', native_id, name, named_at FROM conversations;
    DROP TABLE conversations;
    ALTER TABLE conversations_new RENAME TO conversations;
    "#,
    // 8: every source carries the label of the input it came in with
    // (`--label`, by default the input's file or folder name), for the
    // `source:` filter and facet. Sources ingested before are labelled by
    // their own file name (the input they came in with is not recorded).
    r#"
    ALTER TABLE sources ADD COLUMN label TEXT NOT NULL DEFAULT '';
    UPDATE sources SET label = replace(path, rtrim(path, replace(path, '/', '')), '');
    CREATE INDEX sources_label ON sources(label COLLATE NOCASE);
    "#,
    // 9: every source records the reading options that decide what records
    // come out of it (reader, `--tz`, `--map`, ...; canonical JSON made by
    // the ingest crate), so that a re-ingest with other options is noticed
    // instead of adding every record a second time under new keys. Sources
    // ingested before keep `''`: options unknown, compared with nothing.
    // The same file may now be recorded once per reading (`--again`): the
    // unique constraint gains `options`, so the table is rebuilt, with
    // foreign keys off (see `Store::migrate`). Sources are looked up by
    // hash. A run that swapped a source's records for a new reading
    // (`--replace`) counts the records it removed.
    r#"
    CREATE TABLE sources_new (
        id             INTEGER PRIMARY KEY,
        path           TEXT NOT NULL,
        sha256         TEXT NOT NULL,
        size           INTEGER NOT NULL,
        format         TEXT NOT NULL,
        reader_version INTEGER NOT NULL,
        ingested_at    TEXT NOT NULL,
        run_id         INTEGER NOT NULL REFERENCES runs(id),
        label          TEXT NOT NULL DEFAULT '',
        options        TEXT NOT NULL DEFAULT '',
        -- the path's exact bytes when it is not UTF-8 (`path` then shows
        -- the odd bytes as \xNN); NULL otherwise.
        path_bytes     BLOB,
        UNIQUE (path, sha256, options)
    );
    INSERT INTO sources_new(id, path, sha256, size, format, reader_version, ingested_at, run_id,
                            label, options)
        SELECT id, path, sha256, size, format, reader_version, ingested_at, run_id, label, ''
        FROM sources;
    DROP TABLE sources;
    ALTER TABLE sources_new RENAME TO sources;
    CREATE INDEX sources_label ON sources(label COLLATE NOCASE);
    CREATE INDEX sources_sha256 ON sources(sha256);
    ALTER TABLE runs ADD COLUMN records_replaced INTEGER NOT NULL DEFAULT 0;
    "#,
];

/// The index that keeps message keys unique (one of [`MESSAGE_INDEXES`]).
pub const KEY_INDEX: (&str, &str) =
    ("messages_key", "CREATE UNIQUE INDEX messages_key ON messages(key)");

/// The secondary indexes on `messages` (as the migrations create them). A
/// bulk run into an empty case drops them and builds them once at commit,
/// which is much cheaper than maintaining them row by row. Without
/// `messages_key` the run cannot refuse a repeated key as it comes; its
/// commit removes repeats (see `RunWriter::commit`).
pub const MESSAGE_INDEXES: &[(&str, &str)] = &[
    KEY_INDEX,
    (
        "messages_conversation_time",
        "CREATE INDEX messages_conversation_time ON messages(conversation_id, sent_at, id)",
    ),
    ("messages_sender_time", "CREATE INDEX messages_sender_time ON messages(sender_id, sent_at)"),
];
