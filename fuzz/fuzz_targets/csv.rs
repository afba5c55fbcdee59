#![no_main]
//! Arbitrary bytes as a CSV transcript.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::transcript::Csv, "transcript.csv", data);
});
