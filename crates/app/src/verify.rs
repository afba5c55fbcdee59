//! `verify`: sources unchanged, and platform ids consistent with times.

use crate::contract::{Finding, SourceFinding, VerifyOutput};
use crate::{AppError, Case, render_id};

/// Largest accepted gap between a Twitter message's `createdAt` and the
/// time encoded in its snowflake id. Real archives stay within about 1.1 s.
const SNOWFLAKE_TOLERANCE_MS: i64 = 2_000;

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
            match trove_ingest::sha256_file(std::path::Path::new(&source.path))
                .map(|(hash, _)| hash)
            {
                Ok(actual) if actual == source.sha256 => out.sources_ok += 1,
                Ok(actual) => {
                    out.sources_changed += 1;
                    out.source_findings.push(SourceFinding {
                        path: source.path,
                        status: "changed".into(),
                        expected_sha256: source.sha256,
                        actual_sha256: Some(actual),
                    });
                }
                Err(_) => {
                    out.sources_changed += 1;
                    out.source_findings.push(SourceFinding {
                        path: source.path,
                        status: "missing".into(),
                        expected_sha256: source.sha256,
                        actual_sha256: None,
                    });
                }
            }
        }

        // Snowflake time and id order, conversation by conversation.
        let mut previous: Option<(i64, u64, i64, String)> = None; // conversation, id, sent_at, native
        let findings = &mut out.findings;
        self.store.for_each_in_conversation_order(|key, platform, conversation, native_id, sent_at| {
            let Some(native_id) = native_id else { return };
            if platform == trove_model::platform::TWITTER
                && let Some(encoded) = trove_readers::twitter::snowflake_ms(native_id) {
                    let delta = sent_at - encoded;
                    if delta.abs() > SNOWFLAKE_TOLERANCE_MS {
                        findings.push(Finding {
                            message_id: render_id(key),
                            native_id: Some(native_id.to_string()),
                            check: "snowflake_time".into(),
                            detail: format!(
                                "createdAt {} differs from the time in the id ({}) by {:.3} s (tolerance {} s)",
                                crate::format_instant(sent_at),
                                crate::format_instant(encoded),
                                delta as f64 / 1000.0,
                                SNOWFLAKE_TOLERANCE_MS / 1000
                            ),
                        });
                    }
                }
            let Ok(numeric) = native_id.parse::<u64>() else {
                previous = None;
                return;
            };
            if let Some((previous_conversation, previous_id, previous_at, previous_native)) = &previous
                && *previous_conversation == conversation && sent_at > *previous_at && numeric < *previous_id {
                    findings.push(Finding {
                        message_id: render_id(key),
                        native_id: Some(native_id.to_string()),
                        check: "id_order".into(),
                        detail: format!(
                            "id {native_id} is smaller than {previous_native}, which was sent earlier ({})",
                            crate::format_instant(*previous_at)
                        ),
                    });
                }
            previous = Some((conversation, numeric, sent_at, native_id.to_string()));
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
