#![no_main]
//! Arbitrary bytes as a Slack day file (a lone day file reads as its
//! folder's channel).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::slack::Slack, "2019-03-01.json", data);
});
