#![no_main]
//! Arbitrary bytes as a Slack event log (one JSON event per line, read in
//! two passes); bytes that are no log fall through to the day-file path.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::slack::Slack, "events.jsonl", data);
});
