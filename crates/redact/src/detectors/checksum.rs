//! Address checksums, so that the wallet detector does not take any long
//! base58 word for a Bitcoin address.

use sha2::{Digest, Sha256};

/// Whether `s` is a Base58Check-encoded Bitcoin mainnet address (P2PKH
/// version 0 or P2SH version 5) with a valid checksum.
pub(crate) fn is_base58_bitcoin(s: &str) -> bool {
    let Some(bytes) = base58_decode(s) else { return false };
    let [version, ..] = bytes[..] else { return false };
    if bytes.len() != 25 || !(version == 0 || version == 5) {
        return false;
    }
    let (payload, check) = bytes.split_at(21);
    sha256(&sha256(payload))[..4] == *check
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Big-endian bytes of a base58 string, leading `1`s as zero bytes.
fn base58_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() > 128 {
        return None;
    }
    let mut number: Vec<u8> = Vec::new(); // little-endian base 256
    for c in s.bytes() {
        let mut carry = BASE58.iter().position(|&b| b == c)? as u32;
        for byte in &mut number {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            number.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&b| b == b'1').count();
    let mut out = vec![0; zeros];
    out.extend(number.iter().rev());
    Some(out)
}

/// Whether `s` is a valid segwit address for the human-readable part `hrp`:
/// one case throughout, bech32 or bech32m checksum.
pub(crate) fn is_bech32(s: &str, hrp: &str) -> bool {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if s.len() > 90
        || (s.bytes().any(|b| b.is_ascii_lowercase()) && s.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    let Some((head, data)) = lower.rsplit_once('1') else { return false };
    if head != hrp || data.len() < 6 {
        return false;
    }
    let mut values: Vec<u32> = head.bytes().map(|b| u32::from(b >> 5)).collect();
    values.push(0);
    values.extend(head.bytes().map(|b| u32::from(b & 31)));
    for c in data.bytes() {
        let Some(v) = CHARSET.iter().position(|&b| b == c) else { return false };
        values.push(v as u32);
    }
    let check = polymod(&values);
    check == 1 || check == 0x2bc8_30a3
}

fn polymod(values: &[u32]) -> u32 {
    const GEN: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ v;
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// SHA-256 of `data`.
fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 1000])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
    }

    #[test]
    fn base58_addresses_need_a_valid_checksum() {
        assert!(is_base58_bitcoin("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(is_base58_bitcoin("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(!is_base58_bitcoin("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
        assert!(is_base58_bitcoin("1111111111111111111114oLvT2"));
        assert!(!is_base58_bitcoin("1AbcdefghijkmnopqrstuvwxyzABCDEF"));
    }

    #[test]
    fn bech32_and_bech32m_checksums() {
        assert!(is_bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc"));
        assert!(is_bech32("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "bc"));
        assert!(is_bech32("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bc"));
        assert!(!is_bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", "bc"));
        assert!(!is_bech32("bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc"));
    }
}
