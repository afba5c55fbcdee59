//! Publishing a collection and exporting messages: every message passes
//! through the case's redaction rules on its way out; the evidence stays as
//! it is.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use serde::Serialize;
use trove_model::TimeBasis;
use trove_publish::manifest::Manifest;
use trove_publish::site::{Site, SiteExcerpt, SiteMessage};
use trove_publish::{OutAttachment, OutMessage, Provenance};
use trove_store::StoredMessage;

use crate::redaction::CaseRedactor;
use crate::{AppError, Case, render_id};

/// Messages read from the store at a time by a CSV or JSONL export.
const EXPORT_CHUNK: usize = 1000;

/// What the exports and the site name as their maker.
const GENERATOR: &str = concat!("trove ", env!("CARGO_PKG_VERSION"));

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV (spreadsheet-safe), with a BOM when asked.
    Csv {
        /// Start with a UTF-8 byte-order mark (for Excel).
        bom: bool,
    },
    /// One JSON object per line.
    Jsonl,
    /// RSMF 2.0 (`.rsmf`: an e-mail carrying `rsmf.zip`).
    Rsmf,
}

/// Which messages to export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Every hit of a query, oldest first.
    Query(String),
    /// A collection's messages in its order.
    Collection(String),
}

/// `trove export --json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportOutput {
    /// The file written.
    pub out: PathBuf,
    /// `csv`, `jsonl` or `rsmf`.
    pub format: String,
    /// Messages written.
    pub messages: usize,
    /// Redaction rules applied.
    pub rules: usize,
    /// How the query was read, when something was worked around (a
    /// mistyped filter, a name matching nobody): the export holds what
    /// the query as read selects.
    pub warnings: Vec<String>,
}

/// `trove publish --json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublishOutput {
    /// The folder written.
    pub out: PathBuf,
    /// Files written.
    pub files: Vec<String>,
    /// Excerpts.
    pub excerpts: usize,
    /// Messages.
    pub messages: usize,
    /// Redaction rules applied.
    pub rules: usize,
    /// The zone the page states.
    pub zone: String,
}

/// `trove verify --manifest --json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ManifestCheck {
    /// Quoted messages checked.
    pub messages: usize,
    /// Those that match the case.
    pub matching: usize,
    /// What does not match.
    pub findings: Vec<crate::Finding>,
}

impl Case {
    /// Messages as they leave the case: redacted, with provenance. A reply
    /// points at the trove id of the replied-to message when that message
    /// is among `selected` (rows) too; otherwise the link is dropped, so no
    /// platform id of an unexported message leaves the case.
    pub(crate) fn out_messages(
        &self,
        messages: &[StoredMessage],
        selected: &HashSet<i64>,
        redactor: &CaseRedactor,
    ) -> Result<Vec<OutMessage>, AppError> {
        messages.iter().map(|m| Ok(out_message(m, self.reply_in(m, selected)?, redactor))).collect()
    }

    fn reply_in(
        &self,
        m: &StoredMessage,
        selected: &HashSet<i64>,
    ) -> Result<Option<String>, AppError> {
        let Some(reply) = m.reply_to.as_deref() else { return Ok(None) };
        Ok(self
            .store
            .messages_by_native_id(reply)?
            .into_iter()
            .find(|r| r.conversation_row == m.conversation_row && selected.contains(&r.row))
            .map(|r| render_id(r.key)))
    }

    /// Writes the static site of collection `name` into `out`.
    pub fn publish(
        &self,
        name: &str,
        out: &Path,
        template: Option<&str>,
        zone: Option<&str>,
    ) -> Result<PublishOutput, AppError> {
        let site = self.site(name, zone)?;
        trove_publish::site::write_site(&site, template, out)
            .map_err(|e| AppError::Usage(format!("publishing into {}: {e}", out.display())))?;
        Ok(PublishOutput {
            out: out.to_path_buf(),
            files: vec![trove_publish::site::PAGE.into(), trove_publish::site::MANIFEST.into()],
            excerpts: site.excerpts.len(),
            messages: site.excerpts.iter().map(|e| e.messages.len()).sum(),
            rules: self.store.rules()?.len(),
            zone: site.zone,
        })
    }

    /// The page `publish` would write for collection `name`, for a preview.
    pub fn publication_html(&self, name: &str, zone: Option<&str>) -> Result<String, AppError> {
        let site = self.site(name, zone)?;
        trove_publish::site::render(&site, None).map_err(|e| AppError::Usage(e.to_string()))
    }

    /// Collection `name` as a publication, redactions applied.
    fn site(&self, name: &str, zone: Option<&str>) -> Result<Site, AppError> {
        let items = self.collection_items(name)?;
        let redactor = self.redactor()?;
        let zone_name = match zone {
            Some(zone) => zone.to_string(),
            None => self.zone_name()?,
        };
        let tz = self.zone(Some(&zone_name))?;
        let mut voices: HashMap<String, usize> = HashMap::new();
        let ranges = items
            .iter()
            .map(|item| self.range_messages(item.first_key, item.last_key))
            .collect::<Result<Vec<_>, _>>()?;
        let selected: HashSet<i64> = ranges.iter().flatten().map(|m| m.row).collect();
        let mut excerpts = Vec::with_capacity(items.len());
        // Every message is redacted before any note or the title, so that
        // detected values are numbered as in an export of the collection.
        for ((index, item), stored) in items.iter().enumerate().zip(ranges) {
            let citation = if item.first_key == item.last_key {
                render_id(item.first_key)
            } else {
                format!("{}-{}", render_id(item.first_key), render_id(item.last_key))
            };
            let messages = self
                .out_messages(&stored, &selected, &redactor)?
                .into_iter()
                .map(|message| {
                    let next = voices.len();
                    let voice = *voices
                        .entry(message.sender_id.clone().unwrap_or_default())
                        .or_insert(next);
                    let (date, time) = local(message.sent_at_ms, &tz);
                    SiteMessage { message, date, time, voice }
                })
                .collect();
            excerpts.push(SiteExcerpt { citation, position: index + 1, note: None, messages });
        }
        for (excerpt, item) in excerpts.iter_mut().zip(&items) {
            excerpt.note = item.note.as_deref().map(|n| redactor.text(n));
        }
        let zones_assumed: std::collections::BTreeSet<String> = excerpts
            .iter()
            .flat_map(|e| &e.messages)
            .filter_map(|m| m.message.zone_assumed.clone())
            .collect();
        Ok(Site {
            title: redactor.text(name),
            zone: zone_name,
            zones_assumed: zones_assumed.into_iter().collect(),
            generated_at: crate::annotate::now(),
            generator: GENERATOR.to_string(),
            excerpts,
        })
    }

    /// Exports the selected messages to `out`: written to `out.partial`
    /// and renamed when complete, so a failed export leaves no file that
    /// looks whole. CSV and JSONL stream in chunks; RSMF, a single manifest,
    /// is built in memory.
    pub fn export(
        &self,
        selection: &Selection,
        format: ExportFormat,
        out: &Path,
    ) -> Result<ExportOutput, AppError> {
        let partial = PathBuf::from(format!("{}.partial", out.display()));
        let io = |e: std::io::Error| AppError::Io(partial.clone(), e);
        let file = std::fs::File::create(&partial).map_err(io)?;
        let mut writer = std::io::BufWriter::new(file);
        let finished = self.export_to(selection, format, &mut writer, out).and_then(|written| {
            writer.flush().map_err(io)?;
            drop(writer);
            std::fs::rename(&partial, out).map_err(|e| AppError::Io(out.to_path_buf(), e))?;
            Ok(written)
        });
        if finished.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        finished
    }

    /// Writes the export of `selection` to `writer` (the workbench's
    /// downloads); `out` is only the name errors and the output give it.
    pub fn export_to(
        &self,
        selection: &Selection,
        format: ExportFormat,
        writer: &mut dyn Write,
        out: &Path,
    ) -> Result<ExportOutput, AppError> {
        let mut warnings = Vec::new();
        let rows: Vec<i64> = match selection {
            Selection::Query(query) => {
                let (rows, said) = self.query_rows(query)?;
                warnings = said;
                rows
            }
            Selection::Collection(name) => {
                let mut rows = Vec::new();
                for item in self.collection_items(name)? {
                    rows.extend(
                        self.range_messages(item.first_key, item.last_key)?.iter().map(|m| m.row),
                    );
                }
                rows
            }
        };
        let selected: HashSet<i64> = rows.iter().copied().collect();
        let redactor = self.redactor()?;
        let tz = self.zone(None)?;
        let io = |e: std::io::Error| AppError::Io(out.to_path_buf(), e);
        let name = match format {
            ExportFormat::Csv { bom } => {
                let mut csv = trove_publish::tabular::CsvWriter::new(writer, bom).map_err(io)?;
                for chunk in rows.chunks(EXPORT_CHUNK) {
                    let stored = self.store.messages(chunk)?;
                    for m in self.out_messages(&stored, &selected, &redactor)? {
                        let row = trove_publish::tabular::CsvRow {
                            message: &m,
                            sent_at: crate::format_instant(m.sent_at_ms),
                            sent_at_local: zoned(m.sent_at_ms, &tz),
                        };
                        csv.write(&row).map_err(io)?;
                    }
                }
                csv.finish().map_err(io)?;
                "csv"
            }
            ExportFormat::Jsonl => {
                for chunk in rows.chunks(EXPORT_CHUNK) {
                    let stored = self.store.messages(chunk)?;
                    let messages = self.out_messages(&stored, &selected, &redactor)?;
                    trove_publish::tabular::write_jsonl(&messages, &mut *writer).map_err(io)?;
                }
                "jsonl"
            }
            ExportFormat::Rsmf => {
                let stored = self.store.messages(&rows)?;
                let messages = self.out_messages(&stored, &selected, &redactor)?;
                let title = match selection {
                    Selection::Query(q) => format!("trove export: {}", redactor.text(q)),
                    Selection::Collection(c) => format!("trove export: {}", redactor.text(c)),
                };
                let options = trove_publish::rsmf::RsmfOptions {
                    title,
                    generator: GENERATOR.to_string(),
                    created_at_ms: jiff::Timestamp::now().as_millisecond(),
                };
                trove_publish::rsmf::write_rsmf(&messages, &options, &mut *writer)
                    .map_err(|e| AppError::Usage(format!("writing {}: {e}", out.display())))?;
                "rsmf"
            }
        };
        Ok(ExportOutput {
            out: out.to_path_buf(),
            format: name.to_string(),
            messages: rows.len(),
            rules: self.store.rules()?.len(),
            warnings,
        })
    }

    /// Checks a publication's `manifest.json` against the case: each quoted
    /// message exists, comes from a source with the same SHA-256 at the same
    /// place, and its text hashes the same.
    pub fn verify_manifest(&self, path: &Path) -> Result<ManifestCheck, AppError> {
        let bytes = std::fs::read(path).map_err(|e| AppError::Io(path.to_path_buf(), e))?;
        let manifest = Manifest::parse(&bytes)
            .map_err(|e| AppError::Usage(format!("{}: {e}", path.display())))?;
        let redactor = self.redactor()?;
        let mut check = ManifestCheck { messages: 0, matching: 0, findings: Vec::new() };
        for excerpt in &manifest.excerpts {
            for quoted in &excerpt.messages {
                check.messages += 1;
                let finding = |check: &str, detail: String| crate::Finding {
                    message_id: quoted.id.clone(),
                    native_id: None,
                    check: check.to_string(),
                    detail,
                };
                let Some(stored) = crate::parse_id(&quoted.id)
                    .map(|k| self.store.message_by_key(k))
                    .transpose()?
                    .flatten()
                else {
                    check.findings.push(finding(
                        "manifest_missing",
                        format!(
                            "excerpt {} quotes a message this case does not hold",
                            excerpt.citation
                        ),
                    ));
                    continue;
                };
                // The whole message is redacted, as publishing did, so that a
                // locator's detected values get the numbers they got there.
                let actual = out_message(&stored, None, &redactor).provenance;
                let before = check.findings.len();
                if actual.source_sha256 != quoted.source_sha256 {
                    check.findings.push(finding(
                        "manifest_source",
                        format!(
                            "the source is sha256:{} here, the manifest says {}",
                            actual.source_sha256, quoted.source_sha256
                        ),
                    ));
                }
                if actual.text_sha256 != quoted.text_sha256 {
                    check.findings.push(finding(
                        "manifest_text",
                        "the message's text hashes differently".into(),
                    ));
                }
                if actual.locator != quoted.locator {
                    check.findings.push(finding(
                        "manifest_locator",
                        format!("the message is at {} here, the manifest says {} (were redaction rules changed?)", actual.locator, quoted.locator),
                    ));
                }
                if stored.sent_at_ms != quoted.sent_at_ms {
                    check.findings.push(finding(
                        "manifest_time",
                        format!(
                            "sent at {} ms here, {} in the manifest",
                            stored.sent_at_ms, quoted.sent_at_ms
                        ),
                    ));
                }
                if check.findings.len() == before {
                    check.matching += 1;
                }
            }
        }
        Ok(check)
    }

    /// Rows of every hit of `query`, oldest first.
    /// Every row `query` selects, oldest first, and the warnings about how
    /// it was read.
    fn query_rows(&self, query: &str) -> Result<(Vec<i64>, Vec<String>), AppError> {
        let (parsed, problems) = trove_query::parse(query);
        let resolver = crate::search::CaseResolver { case: self, zone: self.zone(None)? };
        let sort = trove_index::Sort::Oldest;
        let (first, lowered) = self.index().search_query(&parsed, &resolver, sort, 0, 1)?;
        let total = usize::try_from(first.total).unwrap_or(usize::MAX);
        let (all, _) = self.index().search_query(&parsed, &resolver, sort, 0, total.max(1))?;
        let mut warnings = crate::search::problem_warnings(query, problems);
        warnings.extend(lowered);
        Ok((all.hits.iter().map(|h| h.row as i64).collect(), warnings))
    }
}

/// One message as it leaves the case.
fn out_message(m: &StoredMessage, reply_to: Option<String>, redactor: &CaseRedactor) -> OutMessage {
    let is_event = m.kind != "message";
    OutMessage {
        id: render_id(m.key),
        native_id: m.native_id.as_deref().map(|n| redactor.text(n)),
        kind: if is_event { "event".into() } else { "message".into() },
        event: is_event.then(|| m.kind.clone()),
        platform: m.platform.clone(),
        conversation_id: redactor.text(&m.conversation_native_id),
        conversation: redactor
            .text(m.conversation_name.as_deref().unwrap_or(&m.conversation_native_id)),
        sender_id: redactor.sender_id(m.sender_native_id.as_deref(), m.sender_name.as_deref()),
        sender: redactor.sender(m.sender_native_id.as_deref(), m.sender_name.as_deref()),
        sent_at_ms: m.sent_at_ms,
        zone_assumed: TimeBasis::zone_assumed_by_name(&m.ts_basis, m.ts_zone.as_deref()),
        text: redactor.text(&m.text),
        reply_to,
        attachments: m
            .extra
            .attachments
            .iter()
            .map(|a| OutAttachment {
                name: redactor.text(&a.name),
                size: a.size,
                sha256: a.sha256.clone(),
            })
            .collect(),
        provenance: provenance(m, redactor),
    }
}

/// Where `m` came from, as published (the locator redacted).
fn provenance(m: &StoredMessage, redactor: &CaseRedactor) -> Provenance {
    Provenance {
        source_sha256: m.source_sha256.clone(),
        locator: redactor.text(&m.locator().render()),
        text_sha256: trove_readers::media::sha256_of(m.text.as_bytes()),
    }
}

/// `2016-10-03T11:14:00+02:00[Europe/Berlin]`.
fn zoned(ms: i64, zone: &TimeZone) -> String {
    crate::browse::zoned(ms, zone)
        .map(|at| at.strftime("%Y-%m-%dT%H:%M:%S%:z[%Q]").to_string())
        .unwrap_or_default()
}

/// `2016-10-03` and `09:14` in `zone`.
fn local(ms: i64, zone: &TimeZone) -> (String, String) {
    crate::browse::zoned(ms, zone)
        .map(|at| (at.strftime("%Y-%m-%d").to_string(), at.strftime("%H:%M").to_string()))
        .unwrap_or_default()
}
