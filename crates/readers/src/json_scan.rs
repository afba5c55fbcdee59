//! Finds the byte spans of top-level JSON values in a stream without building
//! them.
//!
//! Chat exports put everything in one huge JSON array (Twitter's `.js` files
//! wrap it in a JavaScript assignment). [`JsonScanner`] walks such a stream
//! and hands out one top-level element at a time as its raw bytes plus the
//! byte offset where it starts, so a reader can parse each element on its own
//! and cite the exact bytes it came from.
//!
//! The scanner only tracks strings, escapes and bracket nesting; it does not
//! validate numbers or keys (the caller's JSON parser does). Nesting is kept
//! on a heap stack, never the call stack, and that stack cannot outgrow the
//! element it belongs to, which itself is capped by
//! [`ScanOptions::max_element_bytes`].

use std::hash::{DefaultHasher, Hasher};
use std::io::{self, Read};

use crate::ReadError;
use crate::json_value::{Bounded, Bounds, OverLimit, is_ws, show, starts_value};

/// How the top level of the stream is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Exactly one JSON array, whose elements are yielded. Anything else at
    /// the top level is an error.
    Array,
    /// A sequence of JSON values separated by whitespace and/or commas,
    /// optionally wrapped in a single `[ ... ]`. An empty stream yields
    /// nothing.
    Concatenated,
}

/// What the scanner accepts.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Top-level layout.
    pub mode: Mode,
    /// Accept (and skip) a JavaScript assignment such as
    /// `window.YTD.direct_messages_group.part0 = ` before the JSON. The
    /// prefix may hold only identifier characters, dots and whitespace, so
    /// binary garbage is reported at its first byte instead of being skipped.
    pub assignment_prefix: bool,
    /// The largest element accepted. A larger one is an error at its start,
    /// raised before more than this many bytes are buffered.
    pub max_element_bytes: usize,
    /// The reader option that sets `max_element_bytes`, named in the error.
    pub limit_name: &'static str,
}

impl ScanOptions {
    /// A JSON array, optionally behind a JavaScript assignment: the layout of
    /// Twitter's `data/*.js` files.
    pub fn js_array(max_element_bytes: usize) -> ScanOptions {
        ScanOptions {
            mode: Mode::Array,
            assignment_prefix: true,
            max_element_bytes,
            limit_name: "max_record_bytes",
        }
    }

    /// Concatenated values, optionally behind a JavaScript assignment (e.g.
    /// `window.__THAR_CONFIG = { ... }`, which yields one object).
    pub fn js_values(max_element_bytes: usize) -> ScanOptions {
        ScanOptions {
            mode: Mode::Concatenated,
            assignment_prefix: true,
            max_element_bytes,
            limit_name: "max_record_bytes",
        }
    }
}

/// Bytes read from the underlying reader at a time.
const CHUNK: usize = 64 * 1024;
/// A JavaScript assignment prefix longer than this is not one.
const MAX_PREFIX: u64 = 4096;

/// A read buffer over a stream that knows the stream offset of its bytes:
/// the common core of the streaming JSON scanners (this one, and the
/// Telegram, Messenger and Matrix walkers).
pub(crate) struct Window<R> {
    pub reader: R,
    pub buf: Vec<u8>,
    /// Next unread byte of `buf`.
    pub pos: usize,
    /// Bytes of `buf` holding data.
    pub len: usize,
    /// Stream offset of `buf[0]`.
    pub buf_offset: u64,
    pub eof: bool,
}

impl<R: Read> Window<R> {
    pub fn new(reader: R) -> Window<R> {
        Window { reader, buf: vec![0; CHUNK], pos: 0, len: 0, buf_offset: 0, eof: false }
    }

    /// Stream offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.buf_offset + self.pos as u64
    }

    /// Ensures unread bytes are buffered; false at end of stream. An I/O
    /// error comes back as `read failed: …` (zip members report corruption
    /// that way; the caller adds the offset: how far the entry was readable).
    pub fn fill(&mut self) -> Result<bool, String> {
        if self.pos < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.buf_offset += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len = n.min(self.buf.len());
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read failed: {e}")),
            }
        }
    }

    /// Skips a UTF-8 byte order mark at the next unread byte. A stream
    /// that starts like one but is not is refused: `(offset, reason)`.
    pub fn skip_bom(&mut self) -> Result<(), (u64, String)> {
        const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
        // Byte by byte: a reader may hand the BOM over in pieces.
        for (i, expected) in BOM.into_iter().enumerate() {
            let next = self.fill().map_err(|reason| (self.offset(), reason))?;
            match next.then(|| self.buf[self.pos]) {
                Some(b) if b == expected => self.pos += 1,
                _ if i == 0 => return Ok(()),
                Some(b) => {
                    return Err((
                        self.offset(),
                        format!("{} is not valid at the start of a JSON file", show(b)),
                    ));
                }
                None => return Err((self.offset(), "input ends inside a byte order mark".into())),
            }
        }
        Ok(())
    }

    /// Skips JSON whitespace; the next byte, not consumed (`None` at the
    /// end of the stream).
    pub fn skip_ws(&mut self) -> Result<Option<u8>, String> {
        while self.fill()? {
            let rest = &self.buf[self.pos..self.len];
            match rest.iter().position(|&b| !is_ws(b)) {
                Some(k) => {
                    self.pos += k;
                    return Ok(Some(self.buf[self.pos]));
                }
                None => self.pos = self.len,
            }
        }
        Ok(None)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing read yet.
    Start,
    /// Inside the top level, before the first element (or, in concatenated
    /// mode, between separators).
    First,
    /// Right after an element.
    AfterValue,
    /// After a `,` in an array: a value must follow.
    AfterComma,
    /// After the closing `]`: only whitespace and one `;` may follow.
    Trailer,
    /// After the trailing `;`: only whitespace may follow.
    AfterSemicolon,
    /// End of stream, or an error was reported.
    Done,
}

/// Streams the top-level elements of a JSON array (or of concatenated JSON
/// values) out of any [`Read`], each as `(byte offset in the stream, bytes)`.
///
/// Offsets count every byte of the stream, including a BOM and an
/// assignment prefix, so `stream[offset..offset + bytes.len()] == bytes`.
pub struct JsonScanner<R> {
    w: Window<R>,
    file: String,
    options: ScanOptions,
    state: State,
    /// Whether the values sit inside a `[ ]` that must be closed.
    wrapped: bool,
    /// Expected closing brackets of the element being scanned.
    stack: Vec<u8>,
}

impl<R: Read> JsonScanner<R> {
    /// A scanner over `reader`; `file` names it in errors.
    pub fn new(reader: R, file: impl Into<String>, options: ScanOptions) -> JsonScanner<R> {
        JsonScanner {
            w: Window::new(reader),
            file: file.into(),
            options,
            state: State::Start,
            wrapped: false,
            stack: Vec::new(),
        }
    }

    /// Bytes of the stream consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.offset()
    }

    /// The next top-level element, `None` at the (well-formed) end. After an
    /// error every further call returns `None`.
    pub fn next_element(&mut self) -> Result<Option<(u64, Vec<u8>)>, ReadError> {
        match self.advance() {
            Ok(found) => Ok(found),
            Err(e) => {
                self.state = State::Done;
                Err(e)
            }
        }
    }

    fn advance(&mut self) -> Result<Option<(u64, Vec<u8>)>, ReadError> {
        let concatenated = self.options.mode == Mode::Concatenated;
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Start => self.start()?,
                State::First => match self.skip_ws()? {
                    None if self.wrapped || !concatenated => {
                        return Err(self.truncated_top());
                    }
                    None => self.state = State::Done,
                    Some(b']') if self.wrapped => {
                        self.w.pos += 1;
                        self.state = State::Trailer;
                    }
                    Some(b',') if concatenated => self.w.pos += 1,
                    Some(b';') if concatenated && !self.wrapped => {
                        self.w.pos += 1;
                        self.state = State::AfterSemicolon;
                    }
                    Some(_) => return self.element().map(Some),
                },
                State::AfterValue => match self.skip_ws()? {
                    None if self.wrapped => return Err(self.truncated_top()),
                    None => self.state = State::Done,
                    Some(b',') => {
                        self.w.pos += 1;
                        self.state = if concatenated { State::First } else { State::AfterComma };
                    }
                    Some(b']') if self.wrapped => {
                        self.w.pos += 1;
                        self.state = State::Trailer;
                    }
                    Some(b';') if concatenated && !self.wrapped => {
                        self.w.pos += 1;
                        self.state = State::AfterSemicolon;
                    }
                    Some(b) if concatenated && starts_value(b) => {
                        return self.element().map(Some);
                    }
                    Some(b) => {
                        return Err(self.invalid(
                            self.offset(),
                            format!(
                                "expected `,` or `]` after an array element, found {}",
                                show(b)
                            ),
                        ));
                    }
                },
                State::AfterComma => match self.skip_ws()? {
                    None => return Err(self.truncated_top()),
                    Some(b']') => {
                        return Err(self.invalid(
                            self.offset(),
                            "expected a value after `,`, found `]` (trailing comma)",
                        ));
                    }
                    Some(_) => return self.element().map(Some),
                },
                State::Trailer => match self.skip_ws()? {
                    None => self.state = State::Done,
                    Some(b';') => {
                        self.w.pos += 1;
                        self.state = State::AfterSemicolon;
                    }
                    Some(b) => {
                        return Err(self.invalid(
                            self.offset(),
                            format!("unexpected {} after the end of the array", show(b)),
                        ));
                    }
                },
                State::AfterSemicolon => match self.skip_ws()? {
                    None => self.state = State::Done,
                    Some(b) => {
                        return Err(self.invalid(
                            self.offset(),
                            format!("unexpected {} after the closing `;`", show(b)),
                        ));
                    }
                },
            }
        }
    }

    /// Skips a BOM and an assignment prefix and opens the top level.
    fn start(&mut self) -> Result<(), ReadError> {
        self.skip_bom()?;
        let mut first = self.skip_ws()?;
        if self.options.assignment_prefix
            && first.is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
        {
            self.skip_assignment()?;
            first = self.skip_ws()?;
        }
        let concatenated = self.options.mode == Mode::Concatenated;
        match first {
            Some(b'[') => {
                self.w.pos += 1;
                self.wrapped = true;
                self.state = State::First;
            }
            None if concatenated => self.state = State::Done,
            None => {
                return Err(self.invalid(
                    self.offset(),
                    "input ends where a JSON array should start (empty file?)",
                ));
            }
            Some(b) if concatenated && starts_value(b) => self.state = State::First,
            Some(b) => {
                let what = if concatenated { "a JSON value" } else { "a JSON array (`[`)" };
                let assignment =
                    if self.options.assignment_prefix { " or a `name = ` assignment" } else { "" };
                return Err(self.invalid(
                    self.offset(),
                    format!("expected {what}{assignment}, found {}", show(b)),
                ));
            }
        }
        Ok(())
    }

    fn skip_bom(&mut self) -> Result<(), ReadError> {
        self.w.skip_bom().map_err(|(offset, reason)| self.invalid(offset, reason))
    }

    /// Consumes `identifier.path =`.
    fn skip_assignment(&mut self) -> Result<(), ReadError> {
        let start = self.offset();
        loop {
            let Some(b) = self.peek()? else {
                return Err(self
                    .invalid(start, "input ends inside the JavaScript assignment before its `=`"));
            };
            if self.offset() - start > MAX_PREFIX {
                return Err(self.invalid(
                    start,
                    format!("no `=` within {MAX_PREFIX} bytes: not a JavaScript assignment"),
                ));
            }
            match b {
                b'=' => {
                    self.w.pos += 1;
                    return Ok(());
                }
                b if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.') => {
                    self.w.pos += 1
                }
                b if is_ws(b) => self.w.pos += 1,
                b => {
                    return Err(self.invalid(
                        self.offset(),
                        format!(
                            "expected a JavaScript assignment (`name = `) or a JSON array, found {}",
                            show(b)
                        ),
                    ));
                }
            }
        }
    }

    /// Scans the element that starts at the current byte. Its stack is
    /// bounded by the element's size limit, so no depth cap applies: a
    /// record nested too deep for the parser is that record's skip, not the
    /// end of the file.
    fn element(&mut self) -> Result<(u64, Vec<u8>), ReadError> {
        let bounds = Bounds {
            max_bytes: self.options.max_element_bytes,
            over_limit: OverLimit::Refuse,
            max_depth: usize::MAX,
        };
        match self.w.bound_value(&mut self.stack, bounds) {
            Ok(Bounded { offset, bytes, .. }) => {
                self.state = State::AfterValue;
                Ok((offset, bytes.unwrap_or_default()))
            }
            Err(e) => Err(self.invalid(
                e.offset(),
                e.reason(self.options.max_element_bytes, self.options.limit_name),
            )),
        }
    }

    /// Ensures unread bytes are buffered; false at end of stream.
    fn fill(&mut self) -> Result<bool, ReadError> {
        self.w.fill().map_err(|reason| self.invalid(self.offset(), reason))
    }

    fn peek(&mut self) -> Result<Option<u8>, ReadError> {
        Ok(if self.fill()? { Some(self.w.buf[self.w.pos]) } else { None })
    }

    /// Skips JSON whitespace and returns the next byte without consuming it.
    fn skip_ws(&mut self) -> Result<Option<u8>, ReadError> {
        self.w.skip_ws().map_err(|reason| self.invalid(self.offset(), reason))
    }

    fn offset(&self) -> u64 {
        self.w.offset()
    }

    fn invalid(&self, offset: u64, reason: impl Into<String>) -> ReadError {
        ReadError::invalid(&self.file, Some(offset), reason)
    }

    fn truncated_top(&self) -> ReadError {
        self.invalid(
            self.offset(),
            "input ends before the top-level array is closed (truncated file?)",
        )
    }
}

impl<R: Read> Iterator for JsonScanner<R> {
    type Item = Result<(u64, Vec<u8>), ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_element().transpose()
    }
}

/// The byte offset within `bytes` that a `serde_json` error parsing them
/// points at (serde_json reports line and column; the column is the byte
/// after the offending one, so this is accurate to a byte or so).
pub fn error_offset(bytes: &[u8], error: &serde_json::Error) -> usize {
    let line = error.line();
    if line == 0 {
        return 0;
    }
    let mut line_start = 0;
    if line > 1 {
        match memchr::memchr_iter(b'\n', bytes).nth(line - 2) {
            Some(newline) => line_start = newline + 1,
            None => return bytes.len(),
        }
    }
    (line_start + error.column().saturating_sub(1)).min(bytes.len())
}

/// A `serde_json` error as a reason without its "at line L column C" tail,
/// which counts from the start of whatever fragment was parsed and so
/// would contradict the byte offset reported next to it.
pub fn error_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let tail = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&tail) {
        Some(reason) => reason.to_string(),
        None => text,
    }
}

/// A hash of JSON text that ignores whitespace outside strings, so the same
/// record pretty-printed at a different depth still matches.
pub(crate) fn fingerprint(json: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut in_string = false;
    let mut escape = false;
    // Bytes are hashed in runs between skipped whitespace: SipHash is a
    // stream, so runs hash as their bytes would one by one, much faster.
    let mut run = 0;
    let mut i = 0;
    while let Some(&b) = json.get(i) {
        if in_string {
            if escape {
                escape = false;
                i += 1;
                continue;
            }
            // Inside a string only a quote or a backslash matters.
            match json.get(i..).and_then(|rest| memchr::memchr2(b'"', b'\\', rest)) {
                Some(k) => {
                    i += k;
                    if json.get(i) == Some(&b'\\') {
                        escape = true;
                    } else {
                        in_string = false;
                    }
                }
                None => break,
            }
        } else if b == b'"' {
            in_string = true;
        } else if is_ws(b) {
            hasher.write(json.get(run..i).unwrap_or_default());
            run = i + 1;
        }
        i += 1;
    }
    hasher.write(json.get(run..).unwrap_or_default());
    hasher.finish()
}

/// Appends `n` in decimal: JSON paths are made per record, and `format!`
/// costs several times more.
pub(crate) fn push_decimal(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    while at > 0 {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits.get(at..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// `{path}[{index}]`, the JSON path of an array element, without `format!`
/// (made per record).
pub(crate) fn indexed(path: &str, index: usize) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(path);
    out.push('[');
    push_decimal(&mut out, index);
    out.push(']');
    out
}

/// `String::from_utf8_lossy(bytes).into_owned()`, faster for the usual
/// valid text (the lossy scan has no word-at-a-time ASCII path).
pub(crate) fn lossy_string(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A JSON value like [`serde_json::Value`], read by the same parser with
/// the same result, but cheaper to build per record: unescaped strings and
/// keys borrow from the input, and objects are member lists instead of
/// B-trees.
pub(crate) mod lite {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Number, Value};

    /// See the module documentation.
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) enum Lite<'a> {
        Null,
        Bool(bool),
        Number(Number),
        String(Cow<'a, str>),
        Array(Vec<Lite<'a>>),
        Object(LiteMap<'a>),
    }

    /// An object's members in input order. A repeated key counts once, with
    /// its last value (as in [`serde_json::Map`]).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub(crate) struct LiteMap<'a>(Vec<(Cow<'a, str>, Lite<'a>)>);

    impl<'a> LiteMap<'a> {
        pub(crate) fn get(&self, key: &str) -> Option<&Lite<'a>> {
            self.0.iter().rev().find(|(k, _)| same_key(k, key)).map(|(_, v)| v)
        }

        pub(crate) fn contains_key(&self, key: &str) -> bool {
            self.0.iter().any(|(k, _)| same_key(k, key))
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }

        /// Every key, a repeated one possibly more than once.
        pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
            self.0.iter().map(|(k, _)| k.as_ref())
        }

        /// Every member in input order, a repeated key possibly more than
        /// once.
        pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, &Lite<'a>)> {
            self.0.iter().map(|(k, v)| (k.as_ref(), v))
        }

        /// The same object as a [`serde_json::Map`] (sorted, repeated keys
        /// merged), for rare paths that print or keep it.
        pub(crate) fn to_map(&self) -> serde_json::Map<String, Value> {
            let mut map = serde_json::Map::new();
            for (k, v) in &self.0 {
                map.insert(k.to_string(), v.to_value());
            }
            map
        }
    }

    /// `a == b`, with the last bytes compared before the whole: lookups
    /// walk every member, and keys of one length (`type`, `date`, `from`,
    /// `text`) would each cost a `memcmp` call.
    fn same_key(a: &str, b: &str) -> bool {
        a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
    }

    /// A value's JSON type, as a reason says it: `an array`.
    pub(crate) fn value_kind_name(value: &Value) -> &'static str {
        match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    impl<'a> Lite<'a> {
        /// The value's JSON type, as a reason says it: `an array`.
        pub(crate) fn kind_name(&self) -> &'static str {
            match self {
                Lite::Null => "null",
                Lite::Bool(_) => "a boolean",
                Lite::Number(_) => "a number",
                Lite::String(_) => "a string",
                Lite::Array(_) => "an array",
                Lite::Object(_) => "an object",
            }
        }

        pub(crate) fn as_str(&self) -> Option<&str> {
            match self {
                Lite::String(s) => Some(s),
                _ => None,
            }
        }

        pub(crate) fn as_object(&self) -> Option<&LiteMap<'a>> {
            match self {
                Lite::Object(map) => Some(map),
                _ => None,
            }
        }

        pub(crate) fn as_bool(&self) -> Option<bool> {
            match self {
                Lite::Bool(b) => Some(*b),
                _ => None,
            }
        }

        pub(crate) fn as_u64(&self) -> Option<u64> {
            match self {
                Lite::Number(n) => n.as_u64(),
                _ => None,
            }
        }

        pub(crate) fn as_i64(&self) -> Option<i64> {
            match self {
                Lite::Number(n) => n.as_i64(),
                _ => None,
            }
        }

        pub(crate) fn is_null(&self) -> bool {
            matches!(self, Lite::Null)
        }

        /// A member of an object.
        pub(crate) fn get(&self, key: &str) -> Option<&Lite<'a>> {
            self.as_object().and_then(|m| m.get(key))
        }

        /// The same value as a [`serde_json::Value`].
        pub(crate) fn to_value(&self) -> Value {
            match self {
                Lite::Null => Value::Null,
                Lite::Bool(b) => Value::Bool(*b),
                Lite::Number(n) => Value::Number(n.clone()),
                Lite::String(s) => Value::String(s.to_string()),
                Lite::Array(items) => Value::Array(items.iter().map(Lite::to_value).collect()),
                Lite::Object(map) => Value::Object(map.to_map()),
            }
        }

        fn from_value(value: Value) -> Lite<'static> {
            match value {
                Value::Null => Lite::Null,
                Value::Bool(b) => Lite::Bool(b),
                Value::Number(n) => Lite::Number(n),
                Value::String(s) => Lite::String(Cow::Owned(s)),
                Value::Array(items) => {
                    Lite::Array(items.into_iter().map(Lite::from_value).collect())
                }
                Value::Object(map) => Lite::Object(LiteMap(
                    map.into_iter().map(|(k, v)| (Cow::Owned(k), Lite::from_value(v))).collect(),
                )),
            }
        }
    }

    impl fmt::Display for Lite<'_> {
        /// As [`serde_json::Value`] prints (keys sorted, compact).
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.to_value().fmt(f)
        }
    }

    /// `serde_json` reads this key into a `Value` specially (its raw-value
    /// marker); such input is left to `Value` itself.
    const RAW_TOKEN: &str = "$serde_json::private::RawValue";
    const RAW_TOKEN_ERROR: &str = "trove: raw value token";

    /// Parses `bytes` exactly as `serde_json::from_slice::<Value>` would,
    /// with the same errors. Valid UTF-8 (nearly always) is checked once
    /// for the whole value rather than string by string, which is what
    /// `from_slice` costs over `from_str`; the result is the same.
    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Lite<'_>, serde_json::Error> {
        let parsed = match std::str::from_utf8(bytes) {
            Ok(text) => serde_json::from_str::<Lite<'_>>(text),
            Err(_) => serde_json::from_slice::<Lite<'_>>(bytes),
        };
        match parsed {
            Err(e) if is_raw_marker(&e) => {
                serde_json::from_slice::<Value>(bytes).map(Lite::from_value)
            }
            other => other,
        }
    }

    /// Parses `bytes` exactly as `serde_json::from_slice::<Map<String,
    /// Value>>` would: an object, else an error.
    pub(crate) fn map_from_slice(bytes: &[u8]) -> Result<LiteMap<'_>, serde_json::Error> {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return map_from_str(text);
        }
        match serde_json::from_slice::<Lite<'_>>(bytes) {
            Ok(Lite::Object(map)) => Ok(map),
            Err(e) if !is_raw_marker(&e) => Err(e),
            // Other values (and the marker) get `Map`'s own answer.
            _ => serde_json::from_slice::<serde_json::Map<String, Value>>(bytes).map(owned_map),
        }
    }

    fn is_raw_marker(e: &serde_json::Error) -> bool {
        e.is_data() && e.to_string().starts_with(RAW_TOKEN_ERROR)
    }

    fn owned_map(map: serde_json::Map<String, Value>) -> LiteMap<'static> {
        LiteMap(map.into_iter().map(|(k, v)| (Cow::Owned(k), Lite::from_value(v))).collect())
    }

    /// [`map_from_slice`] for text (whose strings then need no second
    /// UTF-8 check).
    pub(crate) fn map_from_str(text: &str) -> Result<LiteMap<'_>, serde_json::Error> {
        match serde_json::from_str::<Lite<'_>>(text) {
            Ok(Lite::Object(map)) => Ok(map),
            Err(e) if !is_raw_marker(&e) => Err(e),
            _ => serde_json::from_str::<serde_json::Map<String, Value>>(text).map(owned_map),
        }
    }

    /// [`from_slice`] for bytes that do not outlive the call.
    pub(crate) fn from_slice_owned(bytes: &[u8]) -> Result<Lite<'static>, serde_json::Error> {
        serde_json::from_slice::<Value>(bytes).map(Lite::from_value)
    }

    /// [`from_slice`] for text (whose strings then need no second UTF-8
    /// check).
    pub(crate) fn from_str(text: &str) -> Result<Lite<'_>, serde_json::Error> {
        match serde_json::from_str::<Lite<'_>>(text) {
            Err(e) if is_raw_marker(&e) => {
                serde_json::from_str::<Value>(text).map(Lite::from_value)
            }
            other => other,
        }
    }

    impl<'de> Deserialize<'de> for Lite<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Lite<'de>, D::Error> {
            deserializer.deserialize_any(LiteVisitor)
        }
    }

    struct LiteVisitor;

    impl<'de> Visitor<'de> for LiteVisitor {
        type Value = Lite<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any valid JSON value")
        }

        fn visit_bool<E>(self, v: bool) -> Result<Lite<'de>, E> {
            Ok(Lite::Bool(v))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Lite<'de>, E> {
            Ok(Lite::Number(v.into()))
        }

        fn visit_u64<E>(self, v: u64) -> Result<Lite<'de>, E> {
            Ok(Lite::Number(v.into()))
        }

        fn visit_f64<E>(self, v: f64) -> Result<Lite<'de>, E> {
            Ok(Number::from_f64(v).map_or(Lite::Null, Lite::Number))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Lite<'de>, E> {
            Ok(Lite::String(Cow::Owned(v.to_string())))
        }

        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Lite<'de>, E> {
            Ok(Lite::String(Cow::Borrowed(v)))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Lite<'de>, E> {
            Ok(Lite::String(Cow::Owned(v)))
        }

        fn visit_none<E>(self) -> Result<Lite<'de>, E> {
            Ok(Lite::Null)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Lite<'de>, D::Error> {
            Deserialize::deserialize(d)
        }

        fn visit_unit<E>(self) -> Result<Lite<'de>, E> {
            Ok(Lite::Null)
        }

        fn visit_seq<V: SeqAccess<'de>>(self, mut seq: V) -> Result<Lite<'de>, V::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            Ok(Lite::Array(items))
        }

        fn visit_map<V: MapAccess<'de>>(self, mut access: V) -> Result<Lite<'de>, V::Error> {
            let mut members: Vec<(Cow<'de, str>, Lite<'de>)> = Vec::with_capacity(8);
            while let Some(Key(key)) = access.next_key()? {
                if key == RAW_TOKEN {
                    return Err(de::Error::custom(RAW_TOKEN_ERROR));
                }
                let value = access.next_value()?;
                members.push((key, value));
            }
            Ok(Lite::Object(LiteMap(members)))
        }
    }

    /// A member name, borrowed when it has no escapes.
    struct Key<'a>(Cow<'a, str>);

    impl<'de> Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key<'de>, D::Error> {
            struct KeyVisitor;
            impl<'de> Visitor<'de> for KeyVisitor {
                type Value = Key<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string key")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(v.to_string())))
                }
                fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Borrowed(v)))
                }
                fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(v)))
                }
            }
            deserializer.deserialize_str(KeyVisitor)
        }
    }

    #[cfg(test)]
    #[allow(clippy::unwrap_used)]
    mod tests {
        use super::*;

        #[test]
        fn same_as_value() {
            let cases: &[&str] = &[
                r#"{"b": [1, -2, 3.5, 1e400, "x\"y", null, true], "a": {"k": "v"}, "b": 7}"#,
                r#"{"\u0061": "\u00e9", "$serde_json::private::RawValue": "1"}"#,
                r#"[1, 2"#,
                r#"{"a": 1} x"#,
                "\"\\ud800\"",
                "18446744073709551616",
            ];
            for case in cases {
                let value = serde_json::from_str::<Value>(case);
                let lite = from_str(case);
                match (value, lite) {
                    (Ok(v), Ok(l)) => {
                        assert_eq!(v, l.to_value(), "{case}");
                        assert_eq!(v.to_string(), l.to_string(), "{case}");
                    }
                    (Err(v), Err(l)) => assert_eq!(v.to_string(), l.to_string(), "{case}"),
                    (v, l) => panic!("{case}: {v:?} vs {l:?}"),
                }
            }
            let lite = from_str(r#"{"b": 1, "a": 2, "b": 3}"#).unwrap();
            assert_eq!(lite.get("b").and_then(Lite::as_u64), Some(3));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn element_paths_write_their_index_in_decimal() {
        for n in [0, 7, 10, 12_345, usize::MAX] {
            assert_eq!(indexed("$.messages", n), format!("$.messages[{n}]"));
        }
    }

    #[test]
    fn fingerprints_ignore_layout_but_not_content() {
        let compact = br#"{"id":"1","content":"a b","reactions":[]}"#;
        let pretty = b"{\n  \"id\": \"1\",\n\t\"content\": \"a b\",\r\n  \"reactions\": [ ]\n}";
        assert_eq!(fingerprint(compact), fingerprint(pretty));
        let other = br#"{"id":"1","content":"a  b","reactions":[]}"#;
        assert_ne!(fingerprint(compact), fingerprint(other), "spaces inside strings count");
        let escaped = br#"{"id":"1","content":"a \" b"}"#;
        let escaped_pretty = br#"{ "id" : "1" , "content" : "a \" b" }"#;
        assert_eq!(fingerprint(escaped), fingerprint(escaped_pretty));
    }
    use proptest::prelude::*;
    use serde_json::Value;

    use crate::json_value::Trickle;

    fn scan_with(
        data: &[u8],
        options: ScanOptions,
        step: usize,
    ) -> Result<Vec<(u64, Vec<u8>)>, ReadError> {
        JsonScanner::new(Trickle { data, step }, "test.js", options).collect()
    }

    fn scan(data: &[u8]) -> Result<Vec<(u64, Vec<u8>)>, ReadError> {
        scan_with(data, ScanOptions::js_array(1 << 20), usize::MAX)
    }

    fn texts(elements: &[(u64, Vec<u8>)]) -> Vec<&str> {
        elements.iter().map(|(_, b)| std::str::from_utf8(b).unwrap_or("<utf8?>")).collect()
    }

    fn err_offset(e: &ReadError) -> Option<u64> {
        match e {
            ReadError::Invalid { offset, .. } => *offset,
            _ => None,
        }
    }

    #[test]
    fn plain_array() {
        let got = scan(br#"[1, "a,]\"b", {"x": [1, {"y": "}"}]}, [], null, -2.5e3]"#).unwrap();
        assert_eq!(
            texts(&got),
            vec!["1", r#""a,]\"b""#, r#"{"x": [1, {"y": "}"}]}"#, "[]", "null", "-2.5e3"]
        );
        assert_eq!(got[0].0, 1);
        assert_eq!(got[1].0, 4);
    }

    #[test]
    fn assignment_prefix_with_bom_and_semicolon() {
        let data =
            "\u{feff}window.YTD.direct_messages_group.part0 = [ {\"a\":1},\n{\"b\":\"=\"} ];\n";
        let got = scan(data.as_bytes()).unwrap();
        assert_eq!(texts(&got), vec![r#"{"a":1}"#, r#"{"b":"="}"#]);
        for (offset, bytes) in &got {
            let at = *offset as usize;
            assert_eq!(&data.as_bytes()[at..at + bytes.len()], bytes.as_slice());
        }
    }

    #[test]
    fn empty_arrays() {
        assert!(scan(b"window.YTD.direct_messages_group.part0 = [ ]").unwrap().is_empty());
        assert!(scan(b"[]").unwrap().is_empty());
        assert!(scan(b"  []  ;  ").unwrap().is_empty());
    }

    #[test]
    fn escapes_across_chunk_borders() {
        let data = br#"[ "a\\", "b\"c", {"k\\\"": "\\"} ]"#;
        for step in 1..5 {
            let got = scan_with(data, ScanOptions::js_array(1 << 20), step).unwrap();
            assert_eq!(texts(&got), vec![r#""a\\""#, r#""b\"c""#, r#"{"k\\\"": "\\"}"#]);
        }
    }

    #[test]
    fn errors_carry_offsets() {
        let cases: &[(&[u8], u64, &str)] = &[
            (b"", 0, "empty"),
            (b"{\"a\": 1}", 0, "JSON array"),
            (b"\x00\x01garbage", 0, "byte 0x00"),
            (b"window.x = {\"a\": 1}", 11, "JSON array"),
            (b"window.x = [ {\"a\": [1, 2}", 24, "mismatched"),
            (b"window.x = [ {\"a\": \"open", 13, "truncated"),
            (b"[1, 2", 5, "truncated"),
            (b"[1, 2,]", 6, "trailing comma"),
            (b"[1 2]", 3, "expected `,`"),
            (b"[1] x", 4, "after the end"),
            (b"[1]; x", 5, "after the closing"),
            (b"[1, }]", 4, "expected a JSON value"),
            (b"window.YTD;x = []", 10, "JavaScript assignment"),
        ];
        for (data, offset, needle) in cases {
            let err = scan(data).expect_err(&String::from_utf8_lossy(data));
            let shown = err.to_string();
            assert!(shown.contains("test.js"), "{shown}");
            assert!(shown.contains(needle), "{shown} lacks {needle}");
            assert_eq!(err_offset(&err), Some(*offset), "{shown}");
        }
    }

    #[test]
    fn element_size_limit() {
        let mut data = b"[1, \"".to_vec();
        data.extend(std::iter::repeat_n(b'a', 10_000));
        data.extend_from_slice(b"\"]");
        let err = scan_with(&data, ScanOptions::js_array(1000), usize::MAX).unwrap_err();
        assert_eq!(err_offset(&err), Some(4));
        assert!(err.to_string().contains("limit of 1000 bytes"));
        let err = scan_with(b"[123456]", ScanOptions::js_array(3), usize::MAX).unwrap_err();
        assert_eq!(err_offset(&err), Some(1));
        assert!(scan_with(b"[123]", ScanOptions::js_array(3), usize::MAX).is_ok());
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let depth = 100_000;
        let mut data = vec![b'['; depth + 1];
        data.extend(std::iter::repeat_n(b']', depth + 1));
        let got = scan(&data).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.len(), 2 * depth);
        let err = scan(&vec![b'['; depth]).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn stops_after_an_error() {
        let mut scanner = JsonScanner::new(&b"[1, x, 2]"[..], "t", ScanOptions::js_array(100));
        assert!(scanner.next_element().unwrap().is_some());
        assert!(scanner.next_element().is_err());
        assert!(scanner.next_element().unwrap().is_none());
    }

    #[test]
    fn concatenated_values() {
        let options = ScanOptions {
            mode: Mode::Concatenated,
            assignment_prefix: false,
            max_element_bytes: 100,
            limit_name: "max_record_bytes",
        };
        let got = scan_with(b" {\"a\":1}\n{\"b\":2} ,, [3] 4 \"s\"", options.clone(), 3).unwrap();
        assert_eq!(texts(&got), vec![r#"{"a":1}"#, r#"{"b":2}"#, "[3]", "4", r#""s""#]);
        let got = scan_with(b"[{\"a\":1} {\"b\":2}, {}]", options.clone(), 2).unwrap();
        assert_eq!(texts(&got), vec![r#"{"a":1}"#, r#"{"b":2}"#, "{}"]);
        assert!(scan_with(b"", options.clone(), 1).unwrap().is_empty());
        assert!(scan_with(b"[{}", options, 1).is_err());
        let got =
            scan_with(b"window.__THAR_CONFIG = {\"x\": 1};\n", ScanOptions::js_values(100), 1)
                .unwrap();
        assert_eq!(texts(&got), vec![r#"{"x": 1}"#]);
    }

    #[test]
    fn read_errors_name_the_offset() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "corrupt deflate stream",
                    ));
                }
                let n = self.0.min(buf.len());
                buf[..n].fill(b' ');
                buf[0] = b'[';
                self.0 -= n;
                Ok(n)
            }
        }
        let err = JsonScanner::new(Failing(10), "z.zip!data/x.js", ScanOptions::js_array(100))
            .next_element()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "z.zip!data/x.js: at byte 10: read failed: corrupt deflate stream"
        );
    }

    #[test]
    fn serde_error_offsets() {
        let text = b"{\n  \"a\": 1,\n  \"b\": x\n}";
        let err = serde_json::from_slice::<Value>(text).unwrap_err();
        let at = error_offset(text, &err);
        assert_eq!(text[at], b'x');
        assert_eq!(error_reason(&err), "expected value");
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            ".*".prop_map(Value::String),
            "[\"\\\\\\[\\]{},:]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\"\\\\{}\\[\\]]{0,4}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn yields_exactly_the_elements(
            values in prop::collection::vec(arb_value(), 0..8),
            pretty in any::<bool>(),
            prefix in any::<bool>(),
            step in 1usize..40,
        ) {
            let array = Value::Array(values.clone());
            let body = if pretty {
                serde_json::to_vec_pretty(&array).unwrap()
            } else {
                serde_json::to_vec(&array).unwrap()
            };
            let mut data = Vec::new();
            if prefix {
                data.extend_from_slice(b"window.YTD.direct_messages_group.part0 = ");
            }
            data.extend_from_slice(&body);
            if prefix {
                data.extend_from_slice(b";\n");
            }
            let got = scan_with(&data, ScanOptions::js_array(1 << 20), step).unwrap();
            prop_assert_eq!(got.len(), values.len());
            for ((offset, bytes), value) in got.iter().zip(&values) {
                let at = *offset as usize;
                prop_assert_eq!(&data[at..at + bytes.len()], bytes.as_slice());
                let compact = serde_json::to_vec(value).unwrap();
                if !pretty {
                    prop_assert_eq!(bytes, &compact);
                }
                let parsed: Value = serde_json::from_slice(bytes).unwrap();
                let expected: Value = serde_json::from_slice(&compact).unwrap();
                prop_assert_eq!(parsed, expected);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200), step in 1usize..8) {
            let _ = scan_with(&data, ScanOptions::js_array(64), step);
            let _ = scan_with(&data, ScanOptions::js_values(64), step);
        }
    }
}
