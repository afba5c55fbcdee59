#![no_main]
//! Arbitrary bytes as a Messenger / Instagram DYI thread file.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::messenger::Messenger, "message_1.json", data);
});
