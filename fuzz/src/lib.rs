//! Shared driver for the reader fuzz targets: write the bytes to a file in
//! a RAM-backed folder, read it with one format, and check invariants that
//! hold for every input, not just "no panic".

use std::path::PathBuf;

use trove_readers::{Format, Input, ReadOptions, VecSink};

fn scratch(name: &str) -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("trove-fuzz-{}-{name}", std::process::id()))
}

/// Reads `data` saved as `file_name` with `format` and checks that every
/// record's locator and every skip's offset lie inside the file.
pub fn read_as(format: &dyn Format, file_name: &str, data: &[u8]) {
    let path = scratch(file_name);
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(input) = Input::open(&path) {
        let mut sink = VecSink::default();
        let options = ReadOptions { max_record_bytes: 1 << 20, ..ReadOptions::default() };
        let _ = format.read(&input, &options, &mut sink);
        let len = data.len() as u64;
        if input.kind() == &trove_readers::InputKind::File {
            for record in &sink.records {
                // A record inside a member the file carries (an RSMF
                // e-mail's `rsmf.zip!rsmf_manifest.json!$.events[3]`) is
                // located in that member's bytes, which its JSON path names.
                let nested = record.locator.json_path.as_deref().is_some_and(|p| p.contains('!'));
                if nested {
                    continue;
                }
                let end = record.locator.offset.checked_add(record.locator.length);
                assert!(
                    end.is_some_and(|end| end <= len),
                    "locator outside the file: {:?}",
                    record.locator
                );
            }
            for skip in &sink.skips {
                // Named `file!member`: an offset in that member's bytes.
                if skip.file.contains('!') {
                    continue;
                }
                assert!(skip.offset <= len, "skip offset outside the file: {skip:?}");
            }
        }
    }
    let _ = std::fs::remove_file(&path);
}
