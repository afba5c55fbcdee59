//! Relativity Short Message Format (RSMF) 1.0 / 2.0.
//!
//! An `.rsmf` file is an e-mail (RFC 5322 + MIME; processors recognise it by
//! its `X-RSMF-Version` header) whose single attachment `rsmf.zip` holds
//! `rsmf_manifest.json` and the files the manifest names (attachments,
//! avatars). The manifest lists `participants` (`id`, `display`, `email`,
//! `account_id`, …), `conversations` (`id`, `platform`, `participants`, …)
//! and `events` (`type`: message, join, leave, disclaimer, history, unknown;
//! `participant`, `conversation`, `timestamp`, `body`, `parent`,
//! `attachments`, `reactions`, `edits`, `deleted`, …). Accepted inputs: an
//! `.rsmf`/`.eml` file, a bare `rsmf_manifest.json`, an `rsmf.zip`, and
//! folders or zips holding any of these (a production of many `.rsmf`
//! files).
//!
//! Traps and decisions:
//! - **Time zones.** The samples and many producers write `timestamp`
//!   without a zone. Such a time is read as if UTC and marked
//!   [`TimeBasis::UnknownZone`](trove_model::TimeBasis) (not UTC); when
//!   the user passes `--tz`, it is read in that zone and marked
//!   `AssertedZone`. Times with `Z` or an offset are taken as they are.
//! - **Ids are local to one manifest.** Every production numbers its
//!   participants and conversations from `1`, so ids are namespaced: by the
//!   manifest's `eventcollectionid` (or the `X-RSMF-EventCollectionID`
//!   header) when present — it ties the slices of one conversation together
//!   — else by the RSMF's file name (`sample.rsmf`; for a bare
//!   `rsmf_manifest.json` or `rsmf.zip`, its folder and file name). A
//!   participant `1` of `sample.rsmf` is account `sample.rsmf/1`, with the
//!   `display` as display name and `account_id` (else `email`) as handle.
//! - **Platform.** Records are platform `rsmf`; the conversation's own
//!   `platform` (`slack`, `skype`, …) is kept in the conversation name:
//!   `C1 (skype)`.
//! - `parent` (the thread's parent event) sets both `thread` and
//!   `reply_to`: RSMF has only this one link.
//! - `edits[].previous` become the earlier versions (oldest first as
//!   listed); `body` is the latest text. Who edited, `importance: high`,
//!   `direction`, `read_receipts`, `custom` and unknown properties keep the
//!   event's JSON in `raw`.
//! - An event without `timestamp` (optional in the schema) keeps the
//!   previous event's instant, an empty original and an unknown zone.
//! - **Validation.** The manifest is checked against the required fields
//!   and types of `rsmf_schema_2_0_0.json` and its cross references; each
//!   violation is a [`Skip`] (reason `RSMF schema: …`) and reading goes on.
//!   An extra MIME attachment next to `rsmf.zip` (the spec allows exactly
//!   one) is reported and not read.
//! - **Locators.** Records point into the decoded `rsmf_manifest.json`: the
//!   locator's entry is the file the input holds (`None` for a lone
//!   `.rsmf`), its JSON path names the members passed through first —
//!   `rsmf.zip!rsmf_manifest.json!$.events[3]` — and offset/length are
//!   bytes of the manifest.
//! - The e-mail is read into memory (at most twice `max_record_bytes`) and
//!   `rsmf.zip` decoded into memory (at most `max_record_bytes`): RSMF files
//!   are modest. The inner zip gets the same entry-name, count, size and
//!   compression-ratio checks as [`Input`] gives outer zips.

mod manifest;
mod mime;

use std::collections::HashMap;
use std::io::{Cursor, Read};

use crate::input::SizeGuard;
use crate::media;
use crate::{Confidence, Format, Input, InputKind, Limits, ReadError, ReadOptions, Sink, Skip};
use manifest::{Cx, Open};

/// Relativity Short Message Format 1.0/2.0.
pub struct Rsmf;

impl Format for Rsmf {
    fn name(&self) -> &'static str {
        "rsmf"
    }

    fn platform(&self) -> &'static str {
        trove_model::platform::RSMF
    }

    fn sniff(&self, input: &Input) -> Confidence {
        match input.kind() {
            InputKind::File => {
                let Some(entry) = input.entries().first() else { return Confidence::No };
                let Ok(head) = input.head(&entry.name, HEAD) else { return Confidence::No };
                let lower = entry.name.to_ascii_lowercase();
                // JSON first: `{"version": ...` also parses as a header line.
                if starts_object(&head) {
                    if lower == MANIFEST {
                        Confidence::Certain
                    } else if lower.ends_with(".json")
                        && [&b"\"participants\""[..], b"\"conversations\"", b"\"events\""]
                            .iter()
                            .all(|k| memchr::memmem::find(&head, k).is_some())
                    {
                        Confidence::Maybe
                    } else {
                        Confidence::No
                    }
                } else if mime::looks_like_headers(&head) {
                    if has_rsmf_header(&head) {
                        Confidence::Certain
                    } else if lower.ends_with(".rsmf") {
                        Confidence::Maybe
                    } else {
                        Confidence::No
                    }
                } else {
                    Confidence::No
                }
            }
            InputKind::Dir | InputKind::Zip => {
                let mut best = Confidence::No;
                let mut heads = 0;
                for entry in input.entries() {
                    let file = file_name(&entry.name).to_ascii_lowercase();
                    if file == MANIFEST {
                        return Confidence::Certain;
                    }
                    let mail = file.ends_with(".rsmf") || file.ends_with(".eml");
                    if mail && heads < 4 {
                        heads += 1;
                        if input.head(&entry.name, HEAD).is_ok_and(|h| has_rsmf_header(&h)) {
                            return Confidence::Certain;
                        }
                    }
                    if file.ends_with(".rsmf") || file == "rsmf.zip" {
                        best = Confidence::Maybe;
                    }
                }
                best
            }
        }
    }

    fn read(
        &self,
        input: &Input,
        options: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let sources = plan(input)?;
        let single = *input.kind() == InputKind::File;
        let mut reader = Reader { input, options, sink };
        for source in sources {
            let name = source.name().to_string();
            let result = match source {
                Source::Mail(name) => reader.mail(&name),
                Source::Zip(name) => reader.nested_zip(&name),
                Source::Manifest(name) => reader.manifest_entry(&name),
            };
            match result {
                Ok(()) => {}
                Err(ReadError::Stopped(why)) => return Err(ReadError::Stopped(why)),
                // One broken RSMF of a production: report it, read the rest.
                Err(error) if !single => {
                    let (file, offset, reason) = match error {
                        ReadError::Invalid { file, offset, reason } => {
                            (file, offset.unwrap_or(0), reason)
                        }
                        other => (input.display_entry(&name), 0, other.to_string()),
                    };
                    reader.sink.skip(Skip {
                        file,
                        offset,
                        reason: format!("{reason}; this RSMF was not read past this point"),
                    });
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// The manifest's file name.
const MANIFEST: &str = "rsmf_manifest.json";
/// How much of a file sniffing reads.
const HEAD: usize = 4096;

fn file_name(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

fn starts_object(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Whether the header block at the start of `head` has `X-RSMF-Version`.
fn has_rsmf_header(head: &[u8]) -> bool {
    let (fields, _) = mime::header_block(head);
    mime::field(&fields, "X-RSMF-Version").is_some()
}

/// One RSMF found in the input.
enum Source {
    /// An `.rsmf` (or `.eml`) e-mail.
    Mail(String),
    /// An `rsmf.zip` file.
    Zip(String),
    /// A bare `rsmf_manifest.json`, its files beside it.
    Manifest(String),
}

impl Source {
    fn name(&self) -> &str {
        match self {
            Source::Mail(name) | Source::Zip(name) | Source::Manifest(name) => name,
        }
    }
}

fn plan(input: &Input) -> Result<Vec<Source>, ReadError> {
    if *input.kind() == InputKind::File {
        let Some(entry) = input.entries().first() else { return Ok(Vec::new()) };
        let head = input.head(&entry.name, HEAD)?;
        return Ok(vec![if starts_object(&head) {
            Source::Manifest(entry.name.clone())
        } else {
            Source::Mail(entry.name.clone())
        }]);
    }
    let mut sources = Vec::new();
    for entry in input.entries() {
        let file = file_name(&entry.name).to_ascii_lowercase();
        if file == MANIFEST {
            sources.push(Source::Manifest(entry.name.clone()));
        } else if file == "rsmf.zip" {
            sources.push(Source::Zip(entry.name.clone()));
        } else if file.ends_with(".rsmf")
            || (file.ends_with(".eml")
                && input.head(&entry.name, HEAD).is_ok_and(|h| has_rsmf_header(&h)))
        {
            sources.push(Source::Mail(entry.name.clone()));
        }
    }
    if sources.is_empty() {
        return Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "no RSMF found (.rsmf files, rsmf.zip, or rsmf_manifest.json)",
        ));
    }
    Ok(sources)
}

/// The namespace of an RSMF's ids without an event collection id: its file
/// name, with the folder for the generic names (`Sample2/rsmf.zip`). A
/// manifest inside an `rsmf.zip` is named by the zip, so that the same
/// `rsmf.zip` read as a file or as a folder member gets the same ids.
fn scope_of(input: &Input, name: &str) -> String {
    let full = match input.kind() {
        InputKind::File => input.path().to_string_lossy().replace('\\', "/"),
        InputKind::Zip => format!("{}/{name}", input.path().to_string_lossy().replace('\\', "/")),
        InputKind::Dir => name.to_string(),
    };
    let mut segments: Vec<&str> = full.split('/').filter(|s| !s.is_empty()).collect();
    let generic = |s: &&str| s.eq_ignore_ascii_case(MANIFEST) || s.eq_ignore_ascii_case("rsmf.zip");
    if let [.., zip, manifest] = segments.as_slice()
        && zip.eq_ignore_ascii_case("rsmf.zip")
        && manifest.eq_ignore_ascii_case(MANIFEST)
    {
        segments.pop();
    }
    match segments.as_slice() {
        [.., folder, file] if generic(file) => format!("{folder}/{file}"),
        [.., file] => (*file).to_string(),
        [] => full,
    }
}

struct Reader<'a> {
    input: &'a Input,
    options: &'a ReadOptions,
    sink: &'a mut dyn Sink,
}

/// The e-mail headers a manifest is checked against.
#[derive(Default)]
struct MailInfo {
    event_count: Option<String>,
    collection: Option<String>,
}

impl Reader<'_> {
    /// An `.rsmf` e-mail: find `rsmf.zip`, decode it, read its manifest.
    fn mail(&mut self, name: &str) -> Result<(), ReadError> {
        let display = self.input.display_entry(name);
        let limit = self.options.max_record_bytes;
        let cap = limit.saturating_mul(2);
        let data = self.input.with_entry(name, |reader| {
            let mut data = Vec::new();
            reader
                .take(cap as u64 + 1)
                .read_to_end(&mut data)
                .map_err(|e| ReadError::io(&display, e))?;
            if data.len() > cap {
                return Err(ReadError::invalid(
                    &display,
                    Some(cap as u64),
                    format!("an RSMF e-mail over {cap} bytes (twice max_record_bytes)"),
                ));
            }
            Ok(data)
        })?;
        let (fields, body) = mime::header_block(&data);
        if fields.is_empty() {
            return Err(ReadError::invalid(
                &display,
                Some(0),
                "not an RSMF file: no e-mail header block at its start",
            ));
        }
        if mime::field(&fields, "X-RSMF-Version").is_none() {
            skip(
                self.sink,
                &display,
                0,
                "no X-RSMF-Version header (RSMF requires it); read anyway",
            );
        }
        let info = MailInfo {
            event_count: mime::field(&fields, "X-RSMF-EventCount").map(str::to_string),
            collection: mime::field(&fields, "X-RSMF-EventCollectionID")
                .filter(|v| !v.is_empty())
                .map(str::to_string),
        };
        let parts = mime::leaf_parts(&data, fields, body).map_err(|(offset, reason)| {
            ReadError::invalid(&display, Some(offset as u64), reason)
        })?;
        let mut zip_part = None;
        for part in parts {
            let file = part.file_name();
            if file.as_deref().is_some_and(|f| f.eq_ignore_ascii_case("rsmf.zip")) {
                if zip_part.is_none() {
                    zip_part = Some(part);
                } else {
                    skip(
                        self.sink,
                        &display,
                        part.offset as u64,
                        "a second rsmf.zip attachment: RSMF allows one; only the first is read",
                    );
                }
            } else if part.is_attachment() {
                let what = file.map_or_else(
                    || "an unnamed attachment".to_string(),
                    |f| format!("attachment `{f}`"),
                );
                skip(
                    self.sink,
                    &display,
                    part.offset as u64,
                    format!("{what} next to rsmf.zip: RSMF allows only rsmf.zip; not read"),
                );
            }
        }
        let Some(part) = zip_part else {
            return Err(ReadError::invalid(
                &display,
                None,
                "no rsmf.zip attachment in this RSMF e-mail",
            ));
        };
        let (start, len) = part.body;
        let body = data.get(start..start + len).unwrap_or_default();
        let encoding = mime::field(&part.fields, "Content-Transfer-Encoding")
            .map(|e| e.trim().to_ascii_lowercase())
            .unwrap_or_else(|| "7bit".to_string());
        let zip = match encoding.as_str() {
            "base64" => mime::base64(body, limit).map_err(|(offset, reason)| {
                ReadError::invalid(
                    &display,
                    Some((start + offset) as u64),
                    format!("rsmf.zip: {reason}"),
                )
            })?,
            "7bit" | "8bit" | "binary" if body.len() <= limit => body.to_vec(),
            "7bit" | "8bit" | "binary" => {
                return Err(ReadError::invalid(
                    &display,
                    Some(start as u64),
                    format!("rsmf.zip is over the limit of {limit} bytes (max_record_bytes)"),
                ));
            }
            other => {
                return Err(ReadError::invalid(
                    &display,
                    Some(part.offset as u64),
                    format!("rsmf.zip in the unsupported transfer encoding `{other}`"),
                ));
            }
        };
        drop(data);
        let zip_display = format!("{display}!rsmf.zip");
        self.zip(name, zip, &zip_display, "rsmf.zip!", &info)
    }

    /// An `rsmf.zip` file inside a folder or zip.
    fn nested_zip(&mut self, name: &str) -> Result<(), ReadError> {
        let display = self.input.display_entry(name);
        let limit = self.options.max_record_bytes;
        let zip = self.input.with_entry(name, |reader| {
            let mut data = Vec::new();
            reader
                .take(limit as u64 + 1)
                .read_to_end(&mut data)
                .map_err(|e| ReadError::io(&display, e))?;
            if data.len() > limit {
                return Err(ReadError::invalid(
                    &display,
                    None,
                    format!("rsmf.zip is over the limit of {limit} bytes (max_record_bytes)"),
                ));
            }
            Ok(data)
        })?;
        self.zip(name, zip, &display, "", &MailInfo::default())
    }

    /// Reads the manifest of the in-memory `rsmf.zip` that entry `name`
    /// holds.
    fn zip(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        display: &str,
        prefix: &str,
        info: &MailInfo,
    ) -> Result<(), ReadError> {
        let zip = MemZip::open(bytes, display)?;
        let Some(manifest) = zip.manifest_name() else {
            return Err(ReadError::invalid(display, None, "rsmf.zip holds no rsmf_manifest.json"));
        };
        let folder = &manifest[..manifest.len() - file_name(&manifest).len()];
        let files: HashMap<String, u64> = zip
            .sizes
            .iter()
            .filter_map(|(n, (size, _))| n.strip_prefix(folder).map(|n| (n.to_string(), *size)))
            .collect();
        let digest = |id: &str| {
            let name = format!("{folder}{id}");
            let member = MemEntry { zip: &zip, name: &name, display };
            let mut hex = None;
            member
                .open(&mut |reader| {
                    hex = media::sha256_hex(reader).ok().map(|(hex, _)| hex);
                    Ok(())
                })
                .ok()?;
            Some((None, hex))
        };
        let cx = Cx {
            attachment: &digest,
            display: format!("{display}!{manifest}"),
            outer_display: self.input.display_entry(name),
            locator_entry: self.input.source_of(name).1.map(std::sync::Arc::from),
            path_prefix: format!("{prefix}{manifest}!"),
            files: Some(&files),
            scope: scope_of(self.input, name),
            event_count: info.event_count.clone(),
            collection_header: info.collection.clone(),
        };
        let source = MemEntry { zip: &zip, name: &manifest, display: &cx.display };
        manifest::read(&source, &cx, self.options, self.sink)
    }

    /// A bare `rsmf_manifest.json` entry of the input.
    fn manifest_entry(&mut self, name: &str) -> Result<(), ReadError> {
        let input = self.input;
        let folder = &name[..name.len() - file_name(name).len()];
        let files: Option<HashMap<String, u64>> = (*input.kind() != InputKind::File).then(|| {
            input
                .entries()
                .iter()
                .filter_map(|e| e.name.strip_prefix(folder).map(|n| (n.to_string(), e.size)))
                .collect()
        });
        let display = input.display_entry(name);
        let locate =
            |id: &str| media::locate(input, folder, id).map(|found| (Some(found.entry), None));
        let cx = Cx {
            attachment: &locate,
            display: display.clone(),
            outer_display: display,
            locator_entry: input.source_of(name).1.map(std::sync::Arc::from),
            path_prefix: String::new(),
            files: files.as_ref(),
            scope: scope_of(input, name),
            event_count: None,
            collection_header: None,
        };
        manifest::read(&InputEntry { input, name }, &cx, self.options, self.sink)
    }
}

/// An entry of the input, opened through [`Input::with_entry`].
struct InputEntry<'a> {
    input: &'a Input,
    name: &'a str,
}

impl Open for InputEntry<'_> {
    fn open(
        &self,
        f: &mut dyn FnMut(&mut dyn Read) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        self.input.with_entry(self.name, |reader| f(reader))
    }
}

/// A zip held in memory (the decoded `rsmf.zip`), listed with the checks
/// [`Input`] applies to zips on disk.
struct MemZip {
    bytes: Vec<u8>,
    /// File entries: name → (declared size, compressed size).
    sizes: HashMap<String, (u64, u64)>,
    display: String,
}

impl MemZip {
    fn open(bytes: Vec<u8>, display: &str) -> Result<MemZip, ReadError> {
        let limits = Limits::default();
        let invalid =
            |offset: Option<u64>, reason: String| ReadError::invalid(display, offset, reason);
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..]))
            .map_err(|e| invalid(None, format!("not a readable zip archive: {e}")))?;
        if archive.len() > limits.max_entries {
            return Err(invalid(
                None,
                format!(
                    "zip holds {} entries, over the limit of {}",
                    archive.len(),
                    limits.max_entries
                ),
            ));
        }
        let mut sizes = HashMap::new();
        for index in 0..archive.len() {
            let entry = archive
                .by_index_raw(index)
                .map_err(|e| invalid(None, format!("zip entry #{index}: {e}")))?;
            let raw_name = match entry.name() {
                Ok(name) => name.to_string(),
                Err(e) => {
                    return Err(invalid(
                        Some(entry.header_start()),
                        format!("zip entry #{index} has an unreadable name: {e}"),
                    ));
                }
            };
            if entry.enclosed_name().is_none() || raw_name.split(['/', '\\']).any(|p| p == "..") {
                return Err(invalid(
                    Some(entry.header_start()),
                    format!(
                        "zip entry name `{}` escapes the archive: refused",
                        raw_name.escape_debug()
                    ),
                ));
            }
            if !entry.is_dir() {
                sizes.insert(raw_name, (entry.size(), entry.compressed_size()));
            }
        }
        drop(archive);
        Ok(MemZip { bytes, sizes, display: display.to_string() })
    }

    /// `rsmf_manifest.json` at the root, else the first (by name) in a folder.
    fn manifest_name(&self) -> Option<String> {
        if self.sizes.contains_key(MANIFEST) {
            return Some(MANIFEST.to_string());
        }
        let mut found: Vec<&String> =
            self.sizes.keys().filter(|n| file_name(n).eq_ignore_ascii_case(MANIFEST)).collect();
        found.sort();
        found.first().map(|n| (*n).clone())
    }
}

/// A member of a [`MemZip`].
struct MemEntry<'a> {
    zip: &'a MemZip,
    name: &'a str,
    display: &'a str,
}

impl Open for MemEntry<'_> {
    fn open(
        &self,
        f: &mut dyn FnMut(&mut dyn Read) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let limits = Limits::default();
        let invalid = |reason: String| ReadError::invalid(self.display, None, reason);
        let Some(&(size, compressed)) = self.zip.sizes.get(self.name) else {
            return Err(invalid("no such entry".to_string()));
        };
        if size > limits.max_entry_bytes {
            return Err(invalid(format!(
                "entry is {size} bytes, over the limit of {}",
                limits.max_entry_bytes
            )));
        }
        if size > (1 << 20) && size / compressed.max(1) > limits.max_compression_ratio {
            return Err(invalid(format!(
                "entry inflates {compressed} bytes to {size} (ratio over {}:1): refused as a \
                 likely zip bomb",
                limits.max_compression_ratio
            )));
        }
        let mut archive = zip::ZipArchive::new(Cursor::new(&self.zip.bytes[..]))
            .map_err(|e| ReadError::invalid(&self.zip.display, None, e.to_string()))?;
        let entry = archive.by_name(self.name).map_err(|e| invalid(e.to_string()))?;
        let mut guarded = SizeGuard { inner: entry, left: size, name: self.display.to_string() };
        f(&mut guarded)
    }
}

fn skip(sink: &mut dyn Sink, file: &str, offset: u64, reason: impl Into<String>) {
    sink.skip(Skip { file: file.to_string(), offset, reason: reason.into() });
}
