//! `manifest.json`: what a publication quotes, so that anyone holding the
//! archive can check it (`trove verify --manifest`): per message, the
//! SHA-256 of its source file, its locator there, and the SHA-256 of its
//! original text (never the text itself: the page shows what may be shown).

use serde::{Deserialize, Serialize};

use crate::site::Site;

/// The manifest's `format` value.
pub const FORMAT: &str = "trove-publication";

/// A publication's manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Layout version of this file.
    pub version: u32,
    /// The page title.
    pub title: String,
    /// When it was published, RFC 3339.
    pub generated_at: String,
    /// The tool.
    pub generator: String,
    /// The zone of the times on the page.
    pub zone: String,
    /// The excerpts in order.
    pub excerpts: Vec<ManifestExcerpt>,
}

/// One excerpt of the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestExcerpt {
    /// The citation id shown on the page.
    pub citation: String,
    /// 1-based position.
    pub position: usize,
    /// The messages quoted.
    pub messages: Vec<ManifestMessage>,
}

/// One quoted message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestMessage {
    /// trove's message id.
    pub id: String,
    /// When, UTC milliseconds.
    pub sent_at_ms: i64,
    /// When the source stated no zone: the zone its time was read in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_assumed: Option<String>,
    /// SHA-256 of the source file.
    pub source_sha256: String,
    /// Where in the source (as published: redactions applied).
    pub locator: String,
    /// SHA-256 of the original, unredacted text.
    pub text_sha256: String,
}

impl Manifest {
    /// The manifest of `site`.
    pub fn of(site: &Site) -> Manifest {
        Manifest {
            format: FORMAT.to_string(),
            version: 1,
            title: site.title.clone(),
            generated_at: site.generated_at.clone(),
            generator: site.generator.clone(),
            zone: site.zone.clone(),
            excerpts: site
                .excerpts
                .iter()
                .map(|excerpt| ManifestExcerpt {
                    citation: excerpt.citation.clone(),
                    position: excerpt.position,
                    messages: excerpt
                        .messages
                        .iter()
                        .map(|m| ManifestMessage {
                            id: m.message.id.clone(),
                            sent_at_ms: m.message.sent_at_ms,
                            zone_assumed: m.message.zone_assumed.clone(),
                            source_sha256: m.message.provenance.source_sha256.clone(),
                            locator: m.message.provenance.locator.clone(),
                            text_sha256: m.message.provenance.text_sha256.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Reads a manifest, checking it is one.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| format!("not a trove manifest: {e}"))?;
        if manifest.format != FORMAT {
            return Err(format!("`format` is {:?}, not {FORMAT:?}", manifest.format));
        }
        Ok(manifest)
    }
}
