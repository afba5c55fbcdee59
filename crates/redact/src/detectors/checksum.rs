//! Address checksums, so that the wallet detector does not take any long
//! base58 word for a Bitcoin address. SHA-256 is written out here because
//! the crate takes no hashing dependency for two dozen lines.

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

/// SHA-256 (FIPS 180-4).
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (state, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *state = state.wrapping_add(v);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
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
