#![no_main]
//! Arbitrary bytes as an RSMF e-mail (`.rsmf`), or as a bare manifest when
//! they start like JSON.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::rsmf::Rsmf, "sample.rsmf", data);
});
