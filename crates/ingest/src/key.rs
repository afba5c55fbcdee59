//! Stable message ids.
//!
//! A record's id is derived from what identifies it: the platform's own id
//! where the format has one, otherwise its content. The same message ingested
//! from two overlapping exports (or twice) gets the same id, which is how
//! duplicates are recognised, and a case rebuilt from the same sources gets
//! the same ids, so citations stay valid.

use sha2::{Digest, Sha256};
use trove_model::{Record, RecordKind};

const SEPARATOR: &[u8] = b"\x1f";

/// The 63-bit key of a record. `occurrence` tells apart records identical in
/// every field within one source (two "ok" in the same minute of a
/// transcript); it is 0 for the first. The conversation's scope is part of
/// it when the record has one, so the same line on two IRC networks is two
/// messages; records without a scope keep the keys they had before scopes.
pub fn record_key(record: &Record, occurrence: u32) -> i64 {
    let scope = record.conversation.scope.as_deref().filter(|s| !s.is_empty());
    key_in_scope(record, scope, occurrence)
}

/// The key `record` had before source scopes: a case made then stores its
/// scoped records under it.
pub fn pre_scope_key(record: &Record, occurrence: u32) -> i64 {
    key_in_scope(record, None, occurrence)
}

fn key_in_scope(record: &Record, scope: Option<&str>, occurrence: u32) -> i64 {
    let mut hash = Sha256::new();
    let kind = match &record.kind {
        RecordKind::Message => "message",
        RecordKind::Event(kind) => kind.as_str(),
    };
    hash.update(record.platform.as_bytes());
    hash.update(SEPARATOR);
    hash.update(record.conversation.native_id.as_bytes());
    hash.update(SEPARATOR);
    if let Some(scope) = scope {
        hash.update(b"scope");
        hash.update(SEPARATOR);
        hash.update(scope.as_bytes());
        hash.update(SEPARATOR);
    }
    hash.update(kind.as_bytes());
    hash.update(SEPARATOR);
    match &record.native_id {
        Some(native_id) => {
            hash.update(b"id");
            hash.update(SEPARATOR);
            hash.update(native_id.as_bytes());
        }
        None => {
            hash.update(b"content");
            hash.update(SEPARATOR);
            hash.update(record.sent_at.utc_ms.to_le_bytes());
            hash.update(SEPARATOR);
            if let Some(sender) = &record.sender {
                hash.update(sender.native_id.as_bytes());
            }
            hash.update(SEPARATOR);
            hash.update(record.text.as_bytes());
            for target in &record.targets {
                hash.update(SEPARATOR);
                hash.update(target.native_id.as_bytes());
            }
            hash.update(SEPARATOR);
            hash.update(occurrence.to_le_bytes());
        }
    }
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) >> 1) as i64
}

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// The public form of a key: 13 characters of Crockford base32.
pub fn render_id(key: i64) -> String {
    let mut value = key as u64;
    let mut out = [b'0'; 13];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    out.iter().map(|&b| b as char).collect()
}

/// Parses a public id (case-insensitive; `i`/`l` read as 1, `o` as 0).
pub fn parse_id(id: &str) -> Option<i64> {
    if id.len() != 13 {
        return None;
    }
    let mut value: u64 = 0;
    for c in id.bytes() {
        let c = match c.to_ascii_lowercase() {
            b'i' | b'l' => b'1',
            b'o' => b'0',
            other => other,
        };
        let digit = ALPHABET.iter().position(|&a| a == c)? as u64;
        value = value.checked_mul(32)?.checked_add(digit)?;
    }
    i64::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for key in [0, 1, 42, i64::MAX, 0x1234_5678_9abc_def0] {
            assert_eq!(parse_id(&render_id(key)), Some(key));
        }
        assert_eq!(render_id(0), "0000000000000");
        assert_eq!(parse_id("not-an-id"), None);
        assert_eq!(parse_id("zzzzzzzzzzzzz"), None, "over 63 bits");
    }

    /// The key of `irc_line(None)` as trove computed it before scopes.
    const PINNED: &str = "37wmkmcwds1rc";

    fn irc_line(scope: Option<&str>) -> Record {
        Record {
            platform: trove_model::platform::IRC,
            conversation: trove_model::ConversationRef {
                native_id: "#chan".into(),
                name: None,
                scope: scope.map(Into::into),
            },
            sender: Some(trove_model::AccountRef::id("dave")),
            sent_at: trove_model::Timestamp::utc(1_614_590_000_000, "09:30:00"),
            text: "the same line everywhere".into(),
            ..Record::default()
        }
    }

    /// Keys of unscoped records are what they were before scopes existed:
    /// citations of every case made then stay valid.
    #[test]
    fn unscoped_keys_are_unchanged() {
        let unscoped = irc_line(None);
        assert_eq!(render_id(record_key(&unscoped, 0)), PINNED);
        assert_eq!(record_key(&irc_line(Some("")), 0), record_key(&unscoped, 0));
        assert_eq!(pre_scope_key(&irc_line(Some("libera")), 0), record_key(&unscoped, 0));
    }

    #[test]
    fn the_scope_tells_identical_records_apart() {
        let a = record_key(&irc_line(Some("libera")), 0);
        let b = record_key(&irc_line(Some("oftc")), 0);
        assert_ne!(a, b);
        assert_ne!(a, record_key(&irc_line(None), 0));
    }
}
