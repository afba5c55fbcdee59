#![no_main]
//! Arbitrary bytes as a line-template transcript. The template reader needs
//! `--template`, which `trove_fuzz::read_as` does not pass, so this target
//! drives it itself: the first line of the input is the template (so the
//! template compiler is fuzzed too), the second an optional separator, the
//! rest the transcript; it checks the same invariants as `read_as`.
use libfuzzer_sys::fuzz_target;
use trove_readers::{Format, Input, ReadOptions, VecSink};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == b'\n');
    let template = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let separator = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let body = parts.next().unwrap_or_default();
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let path = base.join(format!("trove-fuzz-{}-transcript.txt", std::process::id()));
    if std::fs::write(&path, body).is_err() {
        return;
    }
    for (template, separator) in [
        (template.clone(), None),
        ("[{ts}] {sender}: {text}".to_string(), Some(separator.clone())),
        ("{ts} {sender}: {text}".to_string(), None),
    ] {
        let Ok(input) = Input::open(&path) else { break };
        let options = ReadOptions {
            max_record_bytes: 1 << 20,
            templates: vec![template],
            separator,
            ..ReadOptions::default()
        };
        let mut sink = VecSink::default();
        let _ = trove_readers::template::Template.read(&input, &options, &mut sink);
        let len = body.len() as u64;
        for record in &sink.records {
            let end = record.locator.offset.checked_add(record.locator.length);
            assert!(
                end.is_some_and(|end| end <= len),
                "locator outside the file: {:?}",
                record.locator
            );
        }
        for skip in &sink.skips {
            assert!(skip.offset <= len, "skip offset outside the file: {skip:?}");
        }
    }
    let _ = std::fs::remove_file(&path);
});
