//! `GET /media/{sha256}`: an attached file the case holds a copy of
//! (`trove ingest --copy-media`), opened from the message that lists it.
//!
//! The file is the source's, so hostile: its type is read from its first
//! bytes, never from its name or the source's claim. Only raster images a
//! browser decodes without running anything (PNG, JPEG, GIF, WebP, BMP;
//! not SVG, which can hold script) and plain UTF-8 text are shown in the
//! browser; everything else is a download. Every answer carries its own
//! `Content-Security-Policy: default-src 'none'; sandbox`, so even a file
//! a browser did render as a document could run nothing and reach
//! nothing, and the security layer's `X-Content-Type-Options: nosniff`
//! keeps the browser to the type given.

use std::io::{self, Read, Seek, SeekFrom};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, ReadBuf};
use trove_app::{AppError, Case, MediaListing};

use crate::AppState;
use crate::pages::Failure;

/// The policy of every media answer: nothing loads, nothing runs.
pub(crate) const MEDIA_CSP: &str = "default-src 'none'; sandbox";

/// Text larger than this is not checked whole, so is a download.
const TEXT_INLINE_MAX: u64 = 1 << 20;

/// Bytes read per chunk of a streamed file.
pub(crate) const CHUNK: usize = 64 * 1024;

/// Bytes the type table looks at.
const HEAD: usize = 32;

/// The listing of attached files the case's messages name, kept for the
/// generation it was read at (see [`trove_app::MediaListing`]).
pub(crate) type ListingCache = Arc<Mutex<Option<Arc<MediaListing>>>>;

/// How a file is answered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Served {
    pub(crate) content_type: &'static str,
    /// Shown in the browser (`inline`) rather than downloaded.
    pub(crate) inline: bool,
}

/// The type of a file by its first bytes, when the table knows it.
/// `inline` only for raster images.
pub(crate) fn sniff(head: &[u8]) -> Option<Served> {
    let image = |content_type| Some(Served { content_type, inline: true });
    let download = |content_type| Some(Served { content_type, inline: false });
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return image("image/png");
    }
    if at(0, b"\xff\xd8\xff") {
        return image("image/jpeg");
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return image("image/gif");
    }
    if at(0, b"RIFF") {
        if at(8, b"WEBP") {
            return image("image/webp");
        }
        if at(8, b"WAVE") {
            return download("audio/wav");
        }
        if at(8, b"AVI ") {
            return download("video/x-msvideo");
        }
    }
    if is_bmp(head) {
        return image("image/bmp");
    }
    if at(0, b"%PDF-") {
        return download("application/pdf");
    }
    if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") || at(0, b"PK\x07\x08") {
        return download("application/zip");
    }
    if at(4, b"ftyp") {
        // The brand says which ISO media file it is.
        return match head.get(8..12) {
            Some(b"qt  ") => download("video/quicktime"),
            Some(b"M4A " | b"M4B ") => download("audio/mp4"),
            Some(b"heic" | b"heix" | b"mif1" | b"msf1") => download("image/heic"),
            Some(b"3gp4" | b"3gp5" | b"3gp6" | b"3g2a") => download("video/3gpp"),
            _ => download("video/mp4"),
        };
    }
    if at(0, b"\x1a\x45\xdf\xa3") {
        return download("video/webm");
    }
    if at(0, b"OggS") {
        return download("audio/ogg");
    }
    if at(0, b"fLaC") {
        return download("audio/flac");
    }
    if at(0, b"#!AMR") {
        return download("audio/amr");
    }
    if at(0, b"ID3") {
        return download("audio/mpeg");
    }
    if let [0xff, second, ..] = head {
        // An MPEG audio frame's sync bits; layer bits 00 are AAC (ADTS).
        if second & 0xe0 == 0xe0 {
            return if second & 0x06 == 0 { download("audio/aac") } else { download("audio/mpeg") };
        }
    }
    if at(0, b"\x1f\x8b") {
        return download("application/gzip");
    }
    if at(0, b"7z\xbc\xaf\x27\x1c") {
        return download("application/x-7z-compressed");
    }
    if at(0, b"Rar!\x1a\x07") {
        return download("application/vnd.rar");
    }
    None
}

/// `BM`, then a header whose reserved bytes are zero and whose DIB header
/// has one of the sizes the format defines: two letters alone start too
/// many text files.
fn is_bmp(head: &[u8]) -> bool {
    let Some(header) = head.get(..18) else { return false };
    let dib = u32::from_le_bytes([header[14], header[15], header[16], header[17]]);
    header.starts_with(b"BM")
        && header[6..10] == [0, 0, 0, 0]
        && matches!(dib, 12 | 40 | 52 | 56 | 64 | 108 | 124)
}

/// Plain text, to show as `text/plain`: valid UTF-8, no NUL, and not
/// markup (a first non-blank `<`: HTML, XML, SVG). With `nosniff` a
/// browser shows even markup as text, but markup is what an old client
/// or a careless download would run, so it goes as a download.
pub(crate) fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    !text.contains('\0') && !text.trim_start_matches('\u{feff}').trim_start().starts_with('<')
}

/// How `file` (`size` bytes) is answered, from what it holds; leaves it
/// at its start.
fn classify(file: &mut std::fs::File, size: u64) -> io::Result<Served> {
    let mut head = Vec::with_capacity(HEAD);
    file.by_ref().take(HEAD as u64).read_to_end(&mut head)?;
    let served = match sniff(&head) {
        Some(served) => served,
        None if size <= TEXT_INLINE_MAX => {
            // Checked whole: a prefix could end inside a character.
            let mut all = head;
            file.by_ref().take(TEXT_INLINE_MAX + 1 - all.len() as u64).read_to_end(&mut all)?;
            if all.len() as u64 <= TEXT_INLINE_MAX && is_plain_text(&all) {
                Served { content_type: "text/plain; charset=utf-8", inline: true }
            } else {
                Served { content_type: "application/octet-stream", inline: false }
            }
        }
        None => Served { content_type: "application/octet-stream", inline: false },
    };
    file.seek(SeekFrom::Start(0))?;
    Ok(served)
}

/// Characters RFC 5987 lets stand in `filename*` (`attr-char`).
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Longest file name offered, in characters.
const NAME_MAX: usize = 120;

/// The `Content-Disposition` of a file the source calls `name`:
/// `filename="…"` in safe ASCII (letters, digits, ` ._-()+,`; anything
/// else `_`) for old clients, and RFC 5987 `filename*=UTF-8''…` with the
/// name itself. Either way only the last part of a path, no control or
/// bidirectional-override characters (which make `exe.txt` read as
/// `txt.exe`), no leading dots (hidden files), at most [`NAME_MAX`]
/// characters; an empty result is `attachment-HASH12`.
pub(crate) fn disposition(inline: bool, name: &str, sha256: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !is_bidi_control(*c)).take(NAME_MAX).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let fallback = format!("attachment-{}", sha256.get(..12).unwrap_or(sha256));
    let unicode = if cleaned.is_empty() { fallback.as_str() } else { cleaned };
    let ascii: String = unicode
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || " ._-()+,".contains(c) { c } else { '_' })
        .collect();
    let ascii = if ascii.chars().all(|c| c == '_' || c == '.' || c == ' ') {
        // Nothing of the name survived: say at least which file it is.
        let extension = ascii.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
        if extension.chars().all(|c| c.is_ascii_alphanumeric()) && !extension.is_empty() {
            format!("{fallback}.{extension}")
        } else {
            fallback.clone()
        }
    } else {
        ascii
    };
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        percent_encoding::utf8_percent_encode(unicode, ATTR_CHAR)
    )
}

/// Characters that reorder how a name reads.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// An attachment as a message shows it: a thumbnail or a link to
/// `/media/HASH` when the source gave the file's hash, else its name.
///
/// Whether the case holds a copy is not asked here (a file system call per
/// attachment, on a conversation day of 2,000 messages): the link is
/// offered whenever there is a hash, and a file the case does not hold
/// answers 404 saying to ingest with `--copy-media`.
pub struct AttachmentView {
    /// `name (123 bytes) sha256:0123456789ab`.
    pub label: String,
    /// The file name the source gives (an `<img>`'s `alt`).
    pub name: String,
    /// The full SHA-256, when known.
    pub sha256: String,
    /// `/media/HASH`, when the source gave a well-formed hash.
    pub href: Option<String>,
    /// Shown as a thumbnail: the source calls it an image. Only a choice of
    /// presentation; what is served as an image is decided by its bytes.
    pub image: bool,
}

impl AttachmentView {
    pub fn new(a: &trove_app::AttachmentOutput) -> AttachmentView {
        let mut label = a.name.clone();
        if let Some(size) = a.size {
            label.push_str(&format!(" ({size} bytes)"));
        }
        if let Some(sha) = &a.sha256 {
            label.push_str(&format!(" sha256:{}", sha.get(..12).unwrap_or(sha)));
        }
        let sha256 = a.sha256.clone().unwrap_or_default();
        let href = trove_app::parse_sha256(&sha256).map(|_| format!("/media/{sha256}"));
        AttachmentView {
            label,
            name: a.name.clone(),
            image: href.is_some() && claims_image(a.kind.as_deref(), &a.name),
            sha256,
            href,
        }
    }
}

/// Whether the source says a file is a raster image: its kind (WhatsApp's
/// `image`, `sticker`, `gif`; a MIME type other than SVG), else its name's
/// extension.
fn claims_image(kind: Option<&str>, name: &str) -> bool {
    match kind.map(str::to_ascii_lowercase) {
        Some(kind) if kind.starts_with("image/") => !kind.contains("svg"),
        Some(kind) if ["image", "photo", "sticker", "gif", "animated_gif"].contains(&&*kind) => {
            true
        }
        _ => {
            let lower = name.to_ascii_lowercase();
            let extension = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
            ["png", "jpg", "jpeg", "gif", "webp", "bmp"].contains(&extension)
        }
    }
}

/// The listing for `generation`: the kept one, else read again (under
/// the lock, so simultaneous thumbnails wait for one pass instead of each
/// making its own).
fn listing_for(
    cache: &ListingCache,
    case: &Case,
    generation: u64,
) -> Result<Arc<MediaListing>, AppError> {
    let mut kept = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(listing) = kept.as_ref().filter(|l| l.generation() == generation) {
        return Ok(Arc::clone(listing));
    }
    let listing = Arc::new(case.media_listing()?);
    *kept = Some(Arc::clone(&listing));
    Ok(listing)
}

/// An app error as this route answers it: the app's own sentence for a
/// missing file (not the generic "no message has the id").
fn failure(e: AppError) -> Failure {
    match e {
        AppError::NotFound(message) => Failure { status: StatusCode::NOT_FOUND, message },
        other => Failure::from(other),
    }
}

/// `/media/{sha256}`.
pub async fn media(State(state): State<AppState>, Path(sha256): Path<String>) -> Response {
    // Refused before any work: only a hash can name a file.
    if trove_app::parse_sha256(&sha256).is_none() {
        return refuse(
            &state,
            Failure {
                status: StatusCode::BAD_REQUEST,
                message: format!(
                    "`{}` is not a SHA-256: an attached file is named by 64 lowercase hex \
                     characters",
                    sha256.escape_debug()
                ),
            },
        );
    }
    let cache = Arc::clone(&state.media);
    let outcome = crate::pages::with_case(&state, move |case| {
        let generation = case.store().generation().map_err(|e| failure(AppError::from(e)))?;
        let listing = listing_for(&cache, case, generation).map_err(failure)?;
        let mut found = case.media_file(&sha256, &listing).map_err(failure)?;
        let served = classify(&mut found.file, found.size)
            .map_err(|e| failure(AppError::Io(found.path.clone(), e)))?;
        Ok((found, served))
    })
    .await;
    let (found, served) = match outcome {
        Ok(found) => found,
        Err(f) => {
            let busy = f.status == StatusCode::SERVICE_UNAVAILABLE;
            let mut response = refuse(&state, f);
            if busy {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            return response;
        }
    };
    let disposition = disposition(served.inline, &found.name, &found.sha256);
    let body = Body::from_stream(FileStream {
        file: tokio::fs::File::from_std(found.file),
        left: found.size,
        buf: vec![0; CHUNK],
    });
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(served.content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(found.size));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(MEDIA_CSP));
    // Only visible ASCII is ever built into it; the bare word if not.
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or_else(|_| {
            HeaderValue::from_static(if served.inline { "inline" } else { "attachment" })
        }),
    );
    // The browser may keep it for this session's pages, nobody else may.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    response
}

/// An error page under the media policy.
fn refuse(state: &AppState, f: Failure) -> Response {
    crate::pages::error_page(f.status, f.message, &state.name)
}

/// A file sent in chunks as the client takes them, `left` bytes at most
/// (what was checked: the `Content-Length` sent), never read whole.
pub(crate) struct FileStream {
    pub(crate) file: tokio::fs::File,
    pub(crate) left: u64,
    pub(crate) buf: Vec<u8>,
}

impl futures_core::Stream for FileStream {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.left == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(this.left).unwrap_or(CHUNK).min(CHUNK).min(this.buf.len());
        let mut buf = ReadBuf::new(&mut this.buf[..want]);
        match Pin::new(&mut this.file).poll_read(cx, &mut buf) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) if buf.filled().is_empty() => {
                this.left = 0;
                Poll::Ready(Some(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the stored file shrank while it was sent",
                ))))
            }
            Poll::Ready(Ok(())) => {
                let filled = buf.filled();
                this.left -= filled.len() as u64;
                Poll::Ready(Some(Ok(Bytes::copy_from_slice(filled))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn types_come_from_the_bytes() {
        let ty = |bytes: &[u8]| sniff(bytes).map(|s| (s.content_type, s.inline));
        assert_eq!(ty(PNG), Some(("image/png", true)));
        assert_eq!(ty(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some(("image/jpeg", true)));
        assert_eq!(ty(b"GIF89a\x01\0\x01\0"), Some(("image/gif", true)));
        assert_eq!(ty(b"RIFF\x24\0\0\0WEBPVP8 "), Some(("image/webp", true)));
        let mut bmp = b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec();
        bmp.extend([0; 8]);
        assert_eq!(ty(&bmp), Some(("image/bmp", true)));
        assert_eq!(ty(b"BMW service notes, 2019"), None, "two letters are no bitmap");
        assert_eq!(ty(b"%PDF-1.7\n"), Some(("application/pdf", false)));
        assert_eq!(ty(b"PK\x03\x04\x14\0"), Some(("application/zip", false)));
        assert_eq!(ty(b"\0\0\0\x20ftypisom\0\0\x02\0"), Some(("video/mp4", false)));
        assert_eq!(ty(b"\0\0\0\x14ftypqt  \0\0\0\0"), Some(("video/quicktime", false)));
        assert_eq!(ty(b"OggS\0\x02"), Some(("audio/ogg", false)));
        assert_eq!(ty(b"ID3\x04\0"), Some(("audio/mpeg", false)));
        assert_eq!(ty(b"\xff\xfb\x90\x64"), Some(("audio/mpeg", false)));
        assert_eq!(ty(b"\xff\xf1\x50\x80"), Some(("audio/aac", false)));
        assert_eq!(ty(b"\x1a\x45\xdf\xa3\x9f"), Some(("video/webm", false)));
        // Markup never has a type of its own here, whatever it claims.
        for markup in [
            &b"<!DOCTYPE html><script>alert(1)</script>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            b"<?xml version=\"1.0\"?><svg/>",
        ] {
            assert_eq!(ty(markup), None);
            assert!(!is_plain_text(markup), "{}", String::from_utf8_lossy(markup));
        }
        // Short or empty files are no trouble.
        assert_eq!(ty(b""), None);
        assert_eq!(ty(b"\xff"), None);
        assert_eq!(ty(b"\x89PNG"), None);
    }

    #[test]
    fn text_is_utf8_without_nul_and_without_markup() {
        assert!(is_plain_text("meeting at 9, Zoë brings the keys\n".as_bytes()));
        assert!(is_plain_text(b""));
        assert!(is_plain_text("\u{feff}a byte-order mark first".as_bytes()));
        assert!(!is_plain_text(b"binary\0data"));
        assert!(!is_plain_text(b"latin-1 \xe9t\xe9"));
        assert!(!is_plain_text(b"  \n<html><body>hi</body></html>"));
        assert!(!is_plain_text("\u{feff}<svg/>".as_bytes()));
        assert!(is_plain_text(b"1 < 2, says the note"), "a `<` later is text");
    }

    #[test]
    fn a_stored_file_is_classified_and_rewound() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases: &[(&[u8], &str, bool)] = &[
            (PNG, "image/png", true),
            (b"plain words\n", "text/plain; charset=utf-8", true),
            (b"<html><script>alert(1)</script></html>", "application/octet-stream", false),
            (b"\x00\x01\x02 nothing known", "application/octet-stream", false),
        ];
        for (i, (bytes, content_type, inline)) in cases.iter().enumerate() {
            let path = dir.path().join(i.to_string());
            std::fs::write(&path, bytes).expect("write");
            let mut file = std::fs::File::open(&path).expect("open");
            let served = classify(&mut file, bytes.len() as u64).expect("classify");
            assert_eq!((served.content_type, served.inline), (*content_type, *inline));
            let mut again = Vec::new();
            file.read_to_end(&mut again).expect("read");
            assert_eq!(&again, bytes, "read again from its start");
        }
        // Text past the bound is not read whole: a download.
        let path = dir.path().join("big.txt");
        std::fs::write(&path, "a".repeat(TEXT_INLINE_MAX as usize + 1)).expect("write");
        let mut file = std::fs::File::open(&path).expect("open");
        let served = classify(&mut file, TEXT_INLINE_MAX + 1).expect("classify");
        assert_eq!(served.content_type, "application/octet-stream");
    }

    #[test]
    fn file_names_are_safe_ascii_and_rfc_5987() {
        let sha = "0123456789ab".repeat(5) + "cdef";
        assert_eq!(
            disposition(false, "report 2020.pdf", &sha),
            "attachment; filename=\"report 2020.pdf\"; filename*=UTF-8''report%202020.pdf"
        );
        assert_eq!(
            disposition(true, "photo.png", &sha),
            "inline; filename=\"photo.png\"; filename*=UTF-8''photo.png"
        );
        // Quotes, separators and header breaks never survive.
        let hostile = disposition(false, "a\"; filename=evil.exe\r\nSet-Cookie: x=1.pdf", &sha);
        assert!(!hostile.contains('\r') && !hostile.contains('\n'), "{hostile}");
        assert!(hostile.starts_with("attachment; filename=\"a__ filename_evil.exe"), "{hostile}");
        assert_eq!(hostile.matches('"').count(), 2, "{hostile}");
        // Only the last part of a path, no hidden file.
        assert!(disposition(false, "../../etc/passwd", &sha).contains("filename=\"passwd\""));
        assert!(disposition(false, "C:\\Users\\x\\.bashrc", &sha).contains("filename=\"bashrc\""));
        // Non-ASCII names: `_` in the fallback, whole in `filename*`.
        assert_eq!(
            disposition(false, "Zoë.pdf", &sha),
            "attachment; filename=\"Zo_.pdf\"; filename*=UTF-8''Zo%C3%AB.pdf"
        );
        // A name of no ASCII at all still names the file.
        assert_eq!(
            disposition(false, "фото.jpg", &sha),
            "attachment; filename=\"____.jpg\"; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg"
        );
        assert_eq!(
            disposition(false, "ファイル", &sha),
            "attachment; filename=\"attachment-0123456789ab\"; \
             filename*=UTF-8''%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB"
        );
        // Reordering characters are dropped: `exe.txt` does not pass for text.
        assert!(
            disposition(false, "report\u{202e}txt.exe", &sha)
                .ends_with("filename*=UTF-8''reporttxt.exe")
        );
        assert!(disposition(false, "", &sha).contains("filename=\"attachment-0123456789ab\""));
        assert!(disposition(false, "...", &sha).contains("filename=\"attachment-0123456789ab\""));
        let long = disposition(false, &"a".repeat(1000), &sha);
        assert!(long.len() < 2 * NAME_MAX + 80, "{}", long.len());
    }
}
