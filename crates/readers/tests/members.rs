//! One unreadable member of a folder or zip is a skip naming it, and the
//! rest is read; `strict` makes it the input's error again (issue 14).

use std::path::Path;

use trove_readers::{Format, Input, ReadOptions, VecSink};

fn read(format: &dyn Format, dir: &Path, strict: bool) -> Result<VecSink, String> {
    let input = Input::open(dir).map_err(|e| e.to_string())?;
    let mut sink = VecSink::default();
    let options = ReadOptions { strict, ..ReadOptions::default() };
    format.read(&input, &options, &mut sink).map_err(|e| e.to_string())?;
    Ok(sink)
}

#[test]
fn a_csv_folder_with_one_file_without_a_text_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("a.csv"),
        "sent_at,sender,text\n2021-11-23 09:00:00,alice,one\n2021-11-23 09:01:00,bob,two\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("b.csv"), "when,who,what\nx,y,z\n").expect("write");
    let sink = read(&trove_readers::transcript::Csv, dir.path(), false).expect("read");
    assert_eq!(sink.records.len(), 2);
    assert_eq!(sink.skips.len(), 1, "{:?}", sink.skips);
    assert_eq!(sink.skips[0].file, dir.path().join("b.csv").display().to_string());
    assert!(sink.skips[0].reason.starts_with("file not read from this offset on: "));
    let err = read(&trove_readers::transcript::Csv, dir.path(), true).err().unwrap_or_default();
    assert!(err.contains("b.csv"), "{err}");
}

#[test]
fn an_irc_folder_read_as_irc_with_one_undated_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("#a.2021-11-23.log"), "[09:00:00] <alice> dated\n")
        .expect("write");
    std::fs::write(dir.path().join("#b.log"), "[09:00:00] <bob> undated\n").expect("write");
    let sink = read(&trove_readers::irc::Irc, dir.path(), false).expect("read");
    assert_eq!(sink.records.len(), 1);
    assert_eq!(sink.skips.len(), 1, "{:?}", sink.skips);
    assert_eq!(sink.skips[0].file, dir.path().join("#b.log").display().to_string());
    assert!(sink.skips[0].reason.contains("the log's date is unknown"), "{:?}", sink.skips);
    let err = read(&trove_readers::irc::Irc, dir.path(), true).err().unwrap_or_default();
    assert!(err.contains("#b.log") && err.contains("date is unknown"), "{err}");
}
