//! Deterministic test data for trove.
//!
//! - [`rng`]: a tiny seeded PRNG, so every machine generates the same data.
//! - [`text`]: multilingual message text with a Zipf vocabulary, fast enough
//!   to drive million-message benchmarks.
//! - [`twitter`]: synthetic Twitter / X archives (zip or folder) with the
//!   ground truth a reader must reproduce.
//! - [`zipfile`]: zips with arbitrary (including hostile) entry names, and
//!   reading zips back; [`base64`]: decoding what MIME wrote.
//!
//! ```
//! let archive = trove_testkit::twitter::Builder::new(1).group_messages(50).build();
//! assert_eq!(archive.messages().count(), 50 + 100);
//! ```

pub mod base64;
pub mod json;
pub mod rng;
pub mod text;
pub mod twitter;
mod vocab;
pub mod zipfile;

pub use rng::Rng;
pub use text::{Lang, TextGen, TextOptions};
