#![no_main]
//! Arbitrary bytes as a zip archive handed to the Twitter reader.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::twitter::Twitter, "archive.zip", data);
});
