//! `verify`: sources unchanged, and platform ids consistent with times.

use crate::contract::{Finding, SourceFinding, VerifyOutput};
use crate::{AppError, Case, render_id};

/// Largest accepted disagreement between a message's time and its id:
/// between a Twitter `createdAt` and the time in its snowflake, and between
/// the order of times and the order of ids. Real snowflakes jitter around
/// `createdAt` by about a second (seen up to 1.1 s), so two messages sent
/// within this window may carry ids in either order.
const TIME_TOLERANCE_MS: i64 = 2_000;

/// The path a source's exact bytes name (a file name that is not UTF-8).
fn exact_path(bytes: Option<&[u8]>) -> Option<std::path::PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        bytes.map(|b| std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b)))
    }
    #[cfg(not(unix))]
    {
        let _ = bytes;
        None
    }
}

impl Case {
    /// Re-hashes every source and runs the consistency checks. Findings
    /// are evidence for a person to weigh; nothing is changed.
    pub fn verify(&self) -> Result<VerifyOutput, AppError> {
        let mut out = VerifyOutput {
            sources_ok: 0,
            sources_changed: 0,
            source_findings: Vec::new(),
            findings: Vec::new(),
        };
        for source in self.store.sources()? {
            let exact = exact_path(source.path_bytes.as_deref());
            let path = exact.as_deref().unwrap_or(std::path::Path::new(&source.path));
            // Only a regular file is read: a FIFO or a link to /dev/zero in
            // a source's place would never end (or never start).
            let (status, actual) = if std::fs::metadata(path).is_ok_and(|meta| !meta.is_file()) {
                ("not_a_file", None)
            } else {
                match trove_ingest::sha256_file(path).map(|(hash, _)| hash) {
                    Ok(actual) if actual == source.sha256 => {
                        out.sources_ok += 1;
                        continue;
                    }
                    Ok(actual) => ("changed", Some(actual)),
                    Err(_) => ("missing", None),
                }
            };
            out.sources_changed += 1;
            out.source_findings.push(SourceFinding {
                path: source.path,
                status: status.into(),
                expected_sha256: source.sha256,
                actual_sha256: actual,
            });
        }

        // Snowflake time and id order, conversation by conversation.
        let mut order = IdOrder::default();
        let findings = &mut out.findings;
        self.store.for_each_in_conversation_order(|key, platform, conversation, native_id, sent_at| {
            let Some(native_id) = native_id else { return };
            if platform == trove_model::platform::TWITTER
                && let Some(encoded) = trove_readers::twitter::snowflake_ms(native_id) {
                    let delta = sent_at - encoded;
                    if delta.abs() > TIME_TOLERANCE_MS {
                        findings.push(Finding {
                            message_id: render_id(key),
                            native_id: Some(native_id.to_string()),
                            check: "snowflake_time".into(),
                            detail: format!(
                                "createdAt {} differs from the time in the id ({}) by {:.3} s (tolerance {} s)",
                                crate::format_instant(sent_at),
                                crate::format_instant(encoded),
                                delta as f64 / 1000.0,
                                TIME_TOLERANCE_MS / 1000
                            ),
                        });
                    }
                }
            let Ok(numeric) = native_id.parse::<u64>() else {
                order.reset();
                return;
            };
            if let Some(earlier) = order.next(conversation, numeric, sent_at, native_id) {
                findings.push(Finding {
                    message_id: render_id(key),
                    native_id: Some(native_id.to_string()),
                    check: "id_order".into(),
                    detail: format!(
                        "id {native_id} is smaller than {}, which was sent more than {} s earlier ({})",
                        earlier.native,
                        TIME_TOLERANCE_MS / 1000,
                        crate::format_instant(earlier.sent_at)
                    ),
                });
            }
        })?;

        for (platform, native_id, keys) in self.store.duplicate_native_ids()? {
            for key in &keys {
                out.findings.push(Finding {
                    message_id: render_id(*key),
                    native_id: Some(native_id.clone()),
                    check: "duplicate_id".into(),
                    detail: format!("{} messages on {platform} share this id", keys.len()),
                });
            }
        }
        Ok(out)
    }

    /// True when verify found nothing.
    pub fn verify_is_clean(output: &VerifyOutput) -> bool {
        output.sources_changed == 0 && output.findings.is_empty()
    }
}

/// One earlier message of the conversation being walked.
struct Seen {
    id: u64,
    sent_at: i64,
    native: String,
}

/// The `id_order` check over one conversation in time order: a message's
/// id must not be smaller than that of the last message sent more than
/// [`TIME_TOLERANCE_MS`] before it. Messages inside the window are held
/// until they fall out of it; comparing with only the previous message
/// would let jitter hide a real inversion one message later.
#[derive(Default)]
struct IdOrder {
    conversation: Option<i64>,
    window: std::collections::VecDeque<Seen>,
    reference: Option<Seen>,
}

impl IdOrder {
    /// Forgets everything: ids of another form broke the sequence.
    fn reset(&mut self) {
        self.conversation = None;
        self.window.clear();
        self.reference = None;
    }

    /// Takes the next message; returns the earlier message whose larger id
    /// it contradicts, if any.
    fn next(&mut self, conversation: i64, id: u64, sent_at: i64, native: &str) -> Option<&Seen> {
        if self.conversation != Some(conversation) {
            self.reset();
            self.conversation = Some(conversation);
        }
        while self.window.front().is_some_and(|seen| sent_at - seen.sent_at > TIME_TOLERANCE_MS) {
            self.reference = self.window.pop_front();
        }
        self.window.push_back(Seen { id, sent_at, native: native.to_string() });
        self.reference.as_ref().filter(|earlier| id < earlier.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds (id, sent_at in ms) of one conversation; returns the ids flagged.
    fn flagged(messages: &[(u64, i64)]) -> Vec<u64> {
        let mut order = IdOrder::default();
        messages
            .iter()
            .filter(|(id, at)| order.next(1, *id, *at, &id.to_string()).is_some())
            .map(|(id, _)| *id)
            .collect()
    }

    #[test]
    fn ids_out_of_order_within_the_tolerance_are_no_finding() {
        assert_eq!(flagged(&[(10, 0), (9, 1_500), (11, 1_900), (12, 5_000)]), Vec::<u64>::new());
        // Exactly the tolerance apart is still inside it.
        assert_eq!(flagged(&[(10, 0), (9, TIME_TOLERANCE_MS)]), Vec::<u64>::new());
    }

    #[test]
    fn ids_running_backwards_beyond_the_tolerance_are_flagged() {
        assert_eq!(flagged(&[(10, 0), (9, TIME_TOLERANCE_MS + 1)]), vec![9]);
        // A jittered neighbour does not hide an inversion against an older message.
        assert_eq!(flagged(&[(10, 0), (8, 1_000), (9, 3_000)]), vec![9]);
        // A new conversation starts afresh.
        let mut order = IdOrder::default();
        assert!(order.next(1, 10, 0, "10").is_none());
        assert!(order.next(2, 5, 60_000, "5").is_none());
    }
}
