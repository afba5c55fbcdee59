#![no_main]
//! Arbitrary bytes as a Telegram Desktop `result.json`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::telegram::Telegram, "result.json", data);
});
