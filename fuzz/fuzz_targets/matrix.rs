#![no_main]
//! Arbitrary bytes as an Element export, bare and behind a real header.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trove_fuzz::read_as(&trove_readers::matrix::Matrix, "export.json", data);
    let mut wrapped = b"{\"room_name\": \"r\", \"messages\": [".to_vec();
    wrapped.extend_from_slice(data);
    trove_fuzz::read_as(&trove_readers::matrix::Matrix, "export.json", &wrapped);
});
