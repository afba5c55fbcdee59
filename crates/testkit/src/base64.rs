//! Decoding base64, to look inside what trove writes (RSMF e-mails).

/// Decodes base64 as MIME writes it: every byte outside the alphabet (line
/// breaks, padding, other text) is skipped, and a dangling last character
/// (which holds no whole byte) is dropped.
pub fn decode(text: impl AsRef<[u8]>) -> Vec<u8> {
    use base64::Engine as _;
    let mut symbols: Vec<u8> = text
        .as_ref()
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .collect();
    if symbols.len() % 4 == 1 {
        symbols.pop();
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    // Only alphabet symbols, in a length that holds whole bytes: cannot fail.
    engine.decode(&symbols).unwrap_or_default()
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
