#![no_main]
//! Arbitrary bytes as a JSON Lines transcript.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::transcript::Jsonl, "transcript.jsonl", data);
});
