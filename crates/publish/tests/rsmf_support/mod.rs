//! Test support for the RSMF writer: a small JSON Schema (draft-07 subset)
//! validator, and just enough e-mail parsing to look inside an `.rsmf`.
//!
//! No JSON-schema crate is a dependency, and the point is to check the
//! written manifest against Relativity's own schema file rather than
//! against our reading of it, so the validator interprets the schema.
#![allow(clippy::unwrap_used, dead_code)]

use std::io::{Cursor, Read};

use serde_json::Value;

/// Violations of `schema` by `instance`, each as `<JSON path>: <what>`.
///
/// Interprets `type`, `enum`, `const`, `required`, `properties`,
/// `additionalProperties` (`false` or a schema), `items` (one schema or a
/// tuple), `minItems`/`maxItems`, `minLength`/`maxLength`,
/// `minimum`/`maximum` (numbers only, as draft-07 says), `format:
/// date-time` (loosely: ISO 8601 with or without zone, as RSMF producers
/// write it) and local `$ref`s (`#/definitions/...`, any `#/` pointer).
/// With `strict`, a property not named in `properties` is a violation even
/// without `additionalProperties: false`, as Relativity's validator warns
/// about undefined properties.
pub fn validate(schema: &Value, instance: &Value, strict: bool) -> Vec<String> {
    let mut errors = Vec::new();
    Validator { root: schema, strict }.check(schema, instance, "$", 0, &mut errors);
    errors
}

struct Validator<'a> {
    root: &'a Value,
    strict: bool,
}

impl Validator<'_> {
    fn check(
        &self,
        schema: &Value,
        value: &Value,
        path: &str,
        depth: usize,
        errors: &mut Vec<String>,
    ) {
        if depth > 64 {
            errors.push(format!("{path}: schema nesting over 64 levels ($ref loop?)"));
            return;
        }
        let schema = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => {
                errors.push(format!("{path}: not allowed here (schema `false`)"));
                return;
            }
            Value::Object(map) => map,
            _ => {
                errors.push(format!("{path}: the schema here is not an object"));
                return;
            }
        };
        if let Some(reference) = schema.get("$ref") {
            // Draft-07: `$ref` replaces its siblings.
            match reference.as_str().and_then(|r| self.resolve(r)) {
                Some(target) => self.check(target, value, path, depth + 1, errors),
                None => errors.push(format!("{path}: unresolvable $ref {reference}")),
            }
            return;
        }
        if let Some(types) = schema.get("type") {
            let allowed: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !allowed.iter().any(|t| is_type(value, t)) {
                errors.push(format!(
                    "{path}: expected {}, found {}",
                    allowed.join(" or "),
                    type_name(value)
                ));
                // Keywords for the expected type make no sense on this one.
                return;
            }
        }
        if let Some(Value::Array(options)) = schema.get("enum")
            && !options.contains(value)
        {
            errors.push(format!("{path}: {value} is not one of {}", Value::Array(options.clone())));
        }
        if let Some(expected) = schema.get("const")
            && expected != value
        {
            errors.push(format!("{path}: {value} is not the constant {expected}"));
        }
        match value {
            Value::String(text) => self.string(schema, text, path, errors),
            Value::Number(n) => {
                let n = n.as_f64().unwrap_or(f64::NAN);
                if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
                    && n < min
                {
                    errors.push(format!("{path}: {n} is below the minimum {min}"));
                }
                if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
                    && n > max
                {
                    errors.push(format!("{path}: {n} is above the maximum {max}"));
                }
            }
            Value::Array(items) => {
                let count = items.len() as u64;
                if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                    && count < min
                {
                    errors.push(format!("{path}: {count} items, at least {min} required"));
                }
                if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                    && count > max
                {
                    errors.push(format!("{path}: {count} items, at most {max} allowed"));
                }
                match schema.get("items") {
                    Some(Value::Array(tuple)) => {
                        for (i, (item, item_schema)) in items.iter().zip(tuple).enumerate() {
                            self.check(
                                item_schema,
                                item,
                                &format!("{path}[{i}]"),
                                depth + 1,
                                errors,
                            );
                        }
                    }
                    Some(item_schema) => {
                        for (i, item) in items.iter().enumerate() {
                            self.check(
                                item_schema,
                                item,
                                &format!("{path}[{i}]"),
                                depth + 1,
                                errors,
                            );
                        }
                    }
                    None => {}
                }
            }
            Value::Object(map) => {
                if let Some(Value::Array(required)) = schema.get("required") {
                    for key in required.iter().filter_map(Value::as_str) {
                        if !map.contains_key(key) {
                            errors.push(format!("{path}: missing required property `{key}`"));
                        }
                    }
                }
                let properties = schema.get("properties").and_then(Value::as_object);
                for (key, item) in map {
                    let item_path = member(path, key);
                    match properties.and_then(|p| p.get(key)) {
                        Some(item_schema) => {
                            self.check(item_schema, item, &item_path, depth + 1, errors)
                        }
                        None => match schema.get("additionalProperties") {
                            Some(Value::Bool(false)) => errors
                                .push(format!("{item_path}: property not allowed by the schema")),
                            Some(extra @ Value::Object(_)) => {
                                self.check(extra, item, &item_path, depth + 1, errors)
                            }
                            _ if self.strict => errors
                                .push(format!("{item_path}: property not defined by the schema")),
                            _ => {}
                        },
                    }
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    fn string(
        &self,
        schema: &serde_json::Map<String, Value>,
        text: &str,
        path: &str,
        errors: &mut Vec<String>,
    ) {
        let length = text.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && length < min
        {
            errors.push(format!("{path}: {length} characters, at least {min} required"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && length > max
        {
            errors.push(format!("{path}: {length} characters, at most {max} allowed"));
        }
        if schema.get("format").and_then(Value::as_str) == Some("date-time") && !is_date_time(text)
        {
            errors.push(format!("{path}: `{text}` is not an ISO 8601 date-time"));
        }
    }

    /// A local reference: `#` or a JSON pointer below it.
    fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        if pointer.is_empty() {
            return Some(self.root);
        }
        self.root.pointer(pointer)
    }
}

fn is_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `$.a` for identifier-like keys, `$["a b"]` otherwise.
fn member(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain { format!("{path}.{key}") } else { format!("{path}[{}]", Value::from(key)) }
}

/// `YYYY-MM-DD[T ]hh:mm[:ss[.fff]][Z|±hh[:]mm]` with fields in range.
fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0')))
    };
    let (Some(_), Some(month), Some(day)) = (digits(0, 4), digits(5, 2), digits(8, 2)) else {
        return false;
    };
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return false;
    }
    let (Some(hour), Some(minute)) = (digits(11, 2), digits(14, 2)) else { return false };
    if b.get(13) != Some(&b':') {
        return false;
    }
    let mut pos = 16;
    let mut second = 0;
    if b.get(pos) == Some(&b':') {
        let Some(s) = digits(pos + 1, 2) else { return false };
        second = s;
        pos += 3;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while b.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            if pos == start {
                return false;
            }
        }
    }
    let zone_ok = match &b[pos..] {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', rest @ ..] => {
            let rest: Vec<u8> = rest.iter().copied().filter(|&c| c != b':').collect();
            rest.len() == 4 && rest.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    };
    zone_ok
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second <= 60
}

/// The header fields of an e-mail, unfolded (RFC 5322 §2.2.3: a CRLF
/// followed by white space is removed), as `(name, raw value)`. Panics on
/// a line in the header block that is neither a field nor a continuation.
pub fn headers(mail: &str) -> Vec<(String, String)> {
    let end = mail.find("\r\n\r\n").expect("a blank line after the headers");
    let block = mail[..end].replace("\r\n ", " ").replace("\r\n\t", "\t");
    block
        .split("\r\n")
        .map(|line| {
            let (name, value) =
                line.split_once(':').unwrap_or_else(|| panic!("not a field: {line:?}"));
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()),
                "bad field name in {line:?}"
            );
            (name.to_string(), value.trim().to_string())
        })
        .collect()
}

/// The value of header `name` (case-insensitive), encoded-words decoded.
pub fn header(mail: &str, name: &str) -> Option<String> {
    headers(mail)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| decode_words(&v))
}

/// RFC 2047: `=?UTF-8?B?…?=` words decoded, white space between two
/// encoded-words dropped.
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut bytes = Vec::new();
    let mut previous_encoded = false;
    for word in value.split(' ') {
        let encoded = word.strip_prefix("=?").and_then(|w| w.strip_suffix("?=")).and_then(|w| {
            let mut parts = w.splitn(3, '?');
            let (charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
            (charset.eq_ignore_ascii_case("utf-8") && encoding.eq_ignore_ascii_case("b"))
                .then_some(text)
        });
        match encoded {
            Some(text) => {
                if !previous_encoded && !out.is_empty() {
                    out.push(' ');
                }
                bytes.extend(trove_testkit::base64::decode(text));
                previous_encoded = true;
            }
            None => {
                if previous_encoded {
                    out.push_str(&String::from_utf8(std::mem::take(&mut bytes)).unwrap());
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
                previous_encoded = false;
            }
        }
    }
    out.push_str(&String::from_utf8(bytes).unwrap());
    out
}

/// The MIME parts of a `multipart/*` e-mail written by the RSMF writer:
/// `(headers, body)` per part.
pub fn parts(mail: &str) -> Vec<(String, String)> {
    let content_type = header(mail, "Content-Type").unwrap();
    let boundary = content_type.split("boundary=\"").nth(1).unwrap().split('"').next().unwrap();
    let delimiter = format!("\r\n--{boundary}");
    let closing = format!("{delimiter}--\r\n");
    assert!(mail.ends_with(&closing), "the e-mail ends with the closing delimiter");
    let body = &mail[..mail.len() - closing.len()];
    body.split(&delimiter)
        .skip(1)
        .map(|part| {
            let part = part.strip_prefix("\r\n").unwrap();
            let (head, body) = part.split_once("\r\n\r\n").unwrap();
            (head.to_string(), body.to_string())
        })
        .collect()
}

/// The bytes of `rsmf.zip` in an `.rsmf` written by the RSMF writer.
pub fn rsmf_zip(mail: &str) -> Vec<u8> {
    let parts = parts(mail);
    let zips: Vec<&(String, String)> =
        parts.iter().filter(|(head, _)| head.contains("filename=\"rsmf.zip\"")).collect();
    assert_eq!(zips.len(), 1, "exactly one rsmf.zip part");
    trove_testkit::base64::decode(&zips[0].1)
}

/// A member of a zip.
pub fn zip_member(zip: &[u8], name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut bytes = Vec::new();
    archive.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

/// The names of a zip's members.
pub fn zip_names(zip: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    archive.file_names().map(|name| name.unwrap().into_owned()).collect()
}

/// Quoted-printable decoded (soft breaks removed), as UTF-8.
pub fn unquote_printable(text: &str) -> String {
    let bytes = text.replace("=\r\n", "").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
