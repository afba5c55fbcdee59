//! Bytes from a file as text, whatever their encoding turns out to be.

use std::borrow::Cow;

/// `String::from_utf8_lossy`, with std's faster validation for the usual
/// valid text: `from_utf8` checks ASCII a word at a time, while the lossy
/// decoder walks even valid text chunk by chunk, so it only runs on the
/// rare invalid piece.
pub(crate) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// A path as text for people and for the case's records: verbatim when it
/// is UTF-8; else each byte that is not UTF-8 shown as `\xNN`, so that two
/// names differing only there stay apart (the lossy `�` would merge them).
/// The exact bytes are kept beside it where it matters (a source's path).
pub fn path_text(path: &std::path::Path) -> Cow<'_, str> {
    if let Some(text) = path.to_str() {
        return Cow::Borrowed(text);
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut text = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            text.push_str(chunk.valid());
            for byte in chunk.invalid() {
                text.push_str(&format!("\\x{byte:02x}"));
            }
        }
        Cow::Owned(text)
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_shows_its_odd_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(b"chat-\xff\xfe\xc3\xa9.json"));
        assert_eq!(path_text(path), "chat-\\xff\\xfe\u{e9}.json");
        assert_eq!(path_text(std::path::Path::new("plain/é.json")), "plain/é.json");
    }
}
