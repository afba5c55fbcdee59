//! CSV and JSONL exports of messages, one row or line per message.
//!
//! CSV is for spreadsheets: every cell that a spreadsheet would read as a
//! formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets
//! a leading `'`, and `--bom` writes the UTF-8 byte-order mark Excel wants.
//! Nothing is truncated. JSONL is the [`OutMessage`] itself, one per line.
//! A time whose source stated no zone names the zone it was read in in the
//! last column, `zone_assumed` (empty when the source stated it).

use std::io::Write;

use crate::OutMessage;

/// The CSV columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "native_id",
    "sent_at",
    "sent_at_local",
    "kind",
    "platform",
    "conversation_id",
    "conversation",
    "sender_id",
    "sender",
    "text",
    "reply_to",
    "attachments",
    "source_sha256",
    "locator",
    "text_sha256",
    "zone_assumed",
];

/// A message with its time in the export's zone, for CSV.
pub struct CsvRow<'a> {
    /// The message.
    pub message: &'a OutMessage,
    /// RFC 3339 UTC.
    pub sent_at: String,
    /// Local time with its offset and zone, as the case shows it.
    pub sent_at_local: String,
}

/// A CSV file being written, one row at a time.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Starts the file: a BOM when `bom`, then the header.
    pub fn new(mut out: W, bom: bool) -> std::io::Result<CsvWriter<W>> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut inner = csv::Writer::from_writer(out);
        inner.write_record(CSV_COLUMNS)?;
        Ok(CsvWriter { inner })
    }

    /// Writes one message.
    pub fn write(&mut self, row: &CsvRow<'_>) -> std::io::Result<()> {
        let m = row.message;
        let attachments: Vec<&str> = m.attachments.iter().map(|a| a.name.as_str()).collect();
        let kind = m.event.as_deref().unwrap_or(&m.kind);
        let cells = [
            m.id.as_str(),
            m.native_id.as_deref().unwrap_or(""),
            &row.sent_at,
            &row.sent_at_local,
            kind,
            &m.platform,
            &m.conversation_id,
            &m.conversation,
            m.sender_id.as_deref().unwrap_or(""),
            m.sender.as_deref().unwrap_or(""),
            &m.text,
            m.reply_to.as_deref().unwrap_or(""),
            &attachments.join("; "),
            &m.provenance.source_sha256,
            &m.provenance.locator,
            &m.provenance.text_sha256,
            m.zone_assumed.as_deref().unwrap_or(""),
        ];
        self.inner.write_record(cells.iter().map(|cell| defuse(cell).into_owned()))?;
        Ok(())
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `cell` made inert for spreadsheets.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes `messages` as JSON lines.
pub fn write_jsonl<'a>(
    messages: impl IntoIterator<Item = &'a OutMessage>,
    out: &mut dyn Write,
) -> std::io::Result<usize> {
    let mut count = 0;
    for message in messages {
        serde_json::to_writer(&mut *out, message)?;
        out.write_all(b"\n")?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_quotes_and_newlines_survive() {
        let message = OutMessage {
            id: "abc".into(),
            text: "=HYPERLINK(\"http://x\",\"y\")\nline two, \"quoted\"".into(),
            sender: Some("@someone".into()),
            ..OutMessage::default()
        };
        let mut out = Vec::new();
        let row = CsvRow { message: &message, sent_at: "-1".into(), sent_at_local: "x".into() };
        let mut writer = CsvWriter::new(&mut out, true).expect("start");
        writer.write(&row).expect("row");
        writer.finish().expect("finish");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with('\u{feff}'));
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let record = reader.records().next().expect("row").expect("parses");
        assert_eq!(&record[10], "'=HYPERLINK(\"http://x\",\"y\")\nline two, \"quoted\"");
        assert_eq!(&record[9], "'@someone");
        assert_eq!(&record[2], "'-1");
        assert_eq!(&record[0], "abc");
    }
}
