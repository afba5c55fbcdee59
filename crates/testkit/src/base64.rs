//! Decoding base64, to look inside what trove writes (RSMF e-mails).

/// Decodes base64 as MIME writes it: every byte outside the alphabet (line
/// breaks, padding, other text) is skipped.
pub fn decode(text: impl AsRef<[u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for &b in text.as_ref() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn known_values_decode_and_line_breaks_are_skipped() {
        assert_eq!(decode("aGVsbG8gd29ybGQ="), b"hello world");
        assert_eq!(decode("YW\r\nJj"), b"abc");
    }
}
