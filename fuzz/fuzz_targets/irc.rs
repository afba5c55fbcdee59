#![no_main]
//! Arbitrary bytes as an IRC log whose file name dates it.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::irc::Irc, "#chan.2016-05-03.log", data);
});
