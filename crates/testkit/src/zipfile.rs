//! Writing zip files, including ones a well-behaved tool would refuse to
//! make (entry names such as `../../x`), for reader tests.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Writes a deflate-compressed zip holding `entries` (name, content) in
/// order. Names are stored exactly as given.
pub fn write_zip<N: AsRef<str>, B: AsRef<[u8]>>(path: &Path, entries: &[(N, B)]) -> io::Result<()> {
    let file = BufWriter::new(File::create(path)?);
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in entries {
        zip.start_file(name.as_ref(), options).map_err(io::Error::other)?;
        zip.write_all(content.as_ref())?;
    }
    zip.finish().map_err(io::Error::other)?.flush()
}

/// Every entry of the zip in `bytes` (name, content), in order; for tests
/// that look inside what trove wrote.
pub fn read_zip(bytes: &[u8]) -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(io::Error::other)?;
    let mut out = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(io::Error::other)?;
        let mut content = Vec::new();
        io::Read::read_to_end(&mut entry, &mut content)?;
        let name = entry.name().map_err(io::Error::other)?.to_string();
        out.push((name, content));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_zip_reads_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.zip");
        write_zip(&path, &[("a.txt", b"one".as_slice()), ("b/c.txt", b"two")]).expect("write");
        let entries = read_zip(&std::fs::read(&path).expect("read")).expect("unzip");
        assert_eq!(
            entries,
            vec![("a.txt".into(), b"one".to_vec()), ("b/c.txt".into(), b"two".to_vec())]
        );
    }
}
