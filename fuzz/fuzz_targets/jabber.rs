#![no_main]
//! Arbitrary bytes as a Jabber log of concatenated JSON objects.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::jabber::Jabber, "2021-01-29.json", data);
});
