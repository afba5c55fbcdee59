//! The static excerpt site: one `index.html` that needs nothing but a
//! browser (no script, no font, no image, no request: it reads the same from
//! `file://` and on paper) and a `manifest.json` with which anyone holding
//! the archive can check every quote.
//!
//! The page comes from a minijinja template with HTML auto-escaping: the
//! default one compiled in, or the newsroom's own (`--template FILE`), which
//! sees the same context ([`Site`]). Editorial notes arrive as Markdown and
//! are rendered by [`crate::markdown`], so the template marks only that
//! rendering safe.

use std::io::Write;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Value, context};
use serde::Serialize;

use crate::OutMessage;
use crate::markdown;

const DEFAULT_TEMPLATE: &str = include_str!("site.html");

/// A collection ready to publish (everything already redacted).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Site {
    /// The page title (the collection's name).
    pub title: String,
    /// The zone every time on the page is shown in (IANA name), stated on
    /// the page.
    pub zone: String,
    /// The zones that zone-less source times were read in (`UTC`,
    /// `unknown`), for the page to say that those times are assumed.
    pub zones_assumed: Vec<String>,
    /// When it was published, RFC 3339.
    pub generated_at: String,
    /// The tool, e.g. `trove 0.1.0`.
    pub generator: String,
    /// The excerpts, in order.
    pub excerpts: Vec<SiteExcerpt>,
}

/// One excerpt: a message or a run of messages with an editorial note.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SiteExcerpt {
    /// Stable citation id (the first message's id, `…-LAST` for a range).
    pub citation: String,
    /// 1-based position.
    pub position: usize,
    /// The editorial note, Markdown.
    pub note: Option<String>,
    /// The messages.
    pub messages: Vec<SiteMessage>,
}

/// A message with its time as shown.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SiteMessage {
    /// The message.
    #[serde(flatten)]
    pub message: OutMessage,
    /// Local date, `2016-10-03`.
    pub date: String,
    /// Local time, `09:14`.
    pub time: String,
    /// A small number per sender, for the bubble's colour and side.
    pub voice: usize,
}

/// A publishing failure.
#[derive(Debug)]
pub enum SiteError {
    /// The template did not parse or render.
    Template(String),
    /// Writing failed.
    Io(PathBuf, std::io::Error),
    /// The output folder holds files trove did not write.
    NotEmpty(PathBuf),
}

impl std::fmt::Display for SiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SiteError::Template(e) => write!(f, "template: {e}"),
            SiteError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            SiteError::NotEmpty(path) => write!(
                f,
                "{} holds other files; publish into a new or empty folder",
                path.display()
            ),
        }
    }
}

impl std::error::Error for SiteError {}

/// The files of a publication.
pub const PAGE: &str = "index.html";
/// The verification manifest.
pub const MANIFEST: &str = "manifest.json";

/// Renders `site` with `template` (the default when `None`).
pub fn render(site: &Site, template: Option<&str>) -> Result<String, SiteError> {
    let mut env = Environment::new();
    // Every page is HTML whatever the template's name: escape everything.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("page", template.unwrap_or(DEFAULT_TEMPLATE))
        .map_err(|e| SiteError::Template(e.to_string()))?;
    let excerpts: Vec<Value> = site
        .excerpts
        .iter()
        .map(|excerpt| {
            // An excerpt without a note gets an empty (false) value, which a
            // template prints as nothing.
            let note = excerpt.note.as_deref().map_or_else(
                || Value::from(""),
                |n| Value::from_safe_string(markdown::to_html(n, true)),
            );
            context! {
                citation => excerpt.citation,
                position => excerpt.position,
                note => note,
                note_markdown => excerpt.note,
                messages => excerpt.messages,
            }
        })
        .collect();
    let page = env.get_template("page").map_err(|e| SiteError::Template(e.to_string()))?;
    page.render(context! {
        title => site.title,
        zone => site.zone,
        zones_assumed => site.zones_assumed,
        generated_at => site.generated_at,
        generator => site.generator,
        excerpts => excerpts,
    })
    .map_err(|e| SiteError::Template(format!("{e:#}")))
}

/// Writes `index.html` and `manifest.json` into `out` (created if needed;
/// refused when it holds anything else, so a publication never mixes with
/// other files).
pub fn write_site(site: &Site, template: Option<&str>, out: &Path) -> Result<(), SiteError> {
    let page = render(site, template)?;
    let manifest = crate::manifest::Manifest::of(site);
    let manifest = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| SiteError::Template(format!("manifest: {e}")))?;
    std::fs::create_dir_all(out).map_err(|e| SiteError::Io(out.to_path_buf(), e))?;
    let entries = std::fs::read_dir(out).map_err(|e| SiteError::Io(out.to_path_buf(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| SiteError::Io(out.to_path_buf(), e))?;
        if entry.file_name() != PAGE && entry.file_name() != MANIFEST {
            return Err(SiteError::NotEmpty(out.to_path_buf()));
        }
    }
    write_file(&out.join(PAGE), page.as_bytes())?;
    write_file(&out.join(MANIFEST), &manifest)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SiteError> {
    let io = |e| SiteError::Io(path.to_path_buf(), e);
    let mut file = std::fs::File::create(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}
