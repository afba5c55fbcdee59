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

/// A zip no tool would write: every name in `names` is a central-directory
/// entry pointing at the same local header and stored (uncompressed) data
/// `content`, as overlapping-entry zip bombs do with one huge deflate
/// stream. `claimed_size`, when given, replaces the compressed and
/// uncompressed sizes the central directory states (a lying header).
pub fn overlapping_zip_bytes(content: &[u8], names: &[&str], claimed_size: Option<u32>) -> Vec<u8> {
    let crc = crc32(content);
    let size = u32::try_from(content.len()).unwrap_or(u32::MAX);
    let stated = claimed_size.unwrap_or(size);
    let first = names.first().copied().unwrap_or("a");
    let mut out = Vec::new();
    // Local file header, then the data.
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // version, flags, stored, time, date
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&(first.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(first.as_bytes());
    out.extend_from_slice(content);
    let directory_start = out.len() as u32;
    for name in names {
        out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&stated.to_le_bytes());
        out.extend_from_slice(&stated.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        out.extend_from_slice(&0u32.to_le_bytes()); // every entry: the same local header
        out.extend_from_slice(name.as_bytes());
    }
    let directory_len = out.len() as u32 - directory_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// CRC-32 (IEEE), bit by bit: test archives are small.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_made_zip_with_one_entry_reads_back() {
        let bytes = overlapping_zip_bytes(b"hello", &["a.txt"], None);
        assert_eq!(read_zip(&bytes).expect("unzip"), vec![("a.txt".into(), b"hello".to_vec())]);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
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
