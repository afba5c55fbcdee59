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
