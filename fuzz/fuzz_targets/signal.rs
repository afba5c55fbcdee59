#![no_main]
//! Arbitrary bytes as a signal-export `chat.md` (a single file is read as
//! JSON Lines, sigtop text or Markdown by its first bytes, so all three
//! readers are reached).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::signal::Signal, "chat.md", data);
});
