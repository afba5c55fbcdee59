#![no_main]
//! Arbitrary bytes as a Twitter DM file, with and without the JS wrapper.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::twitter::Twitter, "direct-messages-group.js", data);
    let mut wrapped = b"window.YTD.direct_messages_group.part0 = ".to_vec();
    wrapped.extend_from_slice(data);
    trove_fuzz::read_as(&trove_readers::twitter::Twitter, "direct-messages.js", &wrapped);
});
