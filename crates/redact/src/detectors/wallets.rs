//! Cryptocurrency addresses.

use std::ops::Range;

use super::checksum::{is_base58_bitcoin, is_bech32};
use super::word;

/// A legacy (P2PKH `1…`) or script (P2SH `3…`) Bitcoin address; accepted
/// as a whole word with a valid Base58Check checksum.
pub(super) const BASE58_BITCOIN: &str = r"[13][1-9A-HJ-NP-Za-km-z]{25,34}";

pub(super) fn base58_bitcoin(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let range = word(hay, range)?;
    is_base58_bitcoin(hay.get(range.clone())?).then_some(range)
}

/// A segwit Bitcoin address (`bc1…`); accepted as a whole word with a
/// valid bech32 or bech32m checksum.
pub(super) const BECH32_BITCOIN: &str = r"(?i)bc1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,87}";

pub(super) fn bech32_bitcoin(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let range = word(hay, range)?;
    is_bech32(hay.get(range.clone())?, "bc").then_some(range)
}

/// An Ethereum address: `0x` and 40 hex digits, as a whole word.
pub(super) const ETHEREUM: &str = r"0x[0-9a-fA-F]{40}";

/// A Monero address: `4` or `8` and 94 more base58 characters (standard
/// and subaddresses), or 105 more (integrated), as a whole word. Without a
/// Keccak checksum check: nothing else is that long and that base58.
pub(super) const MONERO: &str = r"[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?";
