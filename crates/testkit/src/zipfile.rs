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
