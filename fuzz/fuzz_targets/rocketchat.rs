#![no_main]
//! Arbitrary bytes as a Rocket.Chat day file (or a mongoexport stream).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::rocketchat::RocketChat, "2020-09-24.json", data);
});
