#![no_main]
//! Arbitrary bytes as a WhatsApp "Export chat" text.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::whatsapp::WhatsApp, "_chat.txt", data);
});
