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

/// Decodes standard base64, skipping line breaks and other whitespace;
/// `None` on any other character outside the alphabet.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b if b.is_ascii_whitespace() => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_known_values_and_refuses_garbage() {
        assert_eq!(decode_base64("aGVsbG8gd29ybGQ=").as_deref(), Some(&b"hello world"[..]));
        assert_eq!(decode_base64("YW\r\nJj").as_deref(), Some(&b"abc"[..]));
        assert_eq!(decode_base64("a*b"), None);
    }

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
