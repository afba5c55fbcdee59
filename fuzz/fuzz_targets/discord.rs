#![no_main]
//! Arbitrary bytes as a DiscordChatExporter JSON document.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(
        &trove_readers::discord::Discord,
        "Acme - Text Channels - general [700000000000000001].json",
        data,
    );
});
