//! A minimal JSON writer that can imitate Twitter's layout (`"key" : value`,
//! empty arrays as `[ ]`), which serde_json's pretty printer cannot.

/// A JSON value to be written. Object keys keep their order.
#[derive(Clone, Debug)]
pub enum J {
    /// A string.
    Str(String),
    /// Literal JSON text (`true`, `3`, `null`).
    Lit(&'static str),
    /// An array.
    Arr(Vec<J>),
    /// An object.
    Obj(Vec<(&'static str, J)>),
}

impl J {
    /// A string value.
    pub fn s(text: impl Into<String>) -> J {
        J::Str(text.into())
    }

    /// An array of strings.
    pub fn strs<S: AsRef<str>>(items: &[S]) -> J {
        J::Arr(items.iter().map(|s| J::s(s.as_ref())).collect())
    }
}

/// Appends `value` to `out`. Pretty output indents nested lines relative to
/// `indent`, the indentation of the line `value` starts on.
pub fn write(value: &J, pretty: bool, indent: usize, out: &mut String) {
    match value {
        J::Str(s) => push_string(out, s),
        J::Lit(l) => out.push_str(l),
        J::Arr(items) if items.is_empty() => out.push_str(if pretty { "[ ]" } else { "[]" }),
        J::Obj(fields) if fields.is_empty() => out.push_str(if pretty { "{ }" } else { "{}" }),
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if pretty {
                    newline(out, indent + 2);
                }
                write(item, pretty, indent + 2, out);
            }
            if pretty {
                newline(out, indent);
            }
            out.push(']');
        }
        J::Obj(fields) => {
            out.push('{');
            for (i, (key, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if pretty {
                    newline(out, indent + 2);
                }
                push_string(out, key);
                out.push_str(if pretty { " : " } else { ":" });
                write(item, pretty, indent + 2, out);
            }
            if pretty {
                newline(out, indent);
            }
            out.push('}');
        }
    }
}

/// A line break followed by `indent` spaces.
pub fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Appends `text` as a quoted, escaped JSON string.
pub fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn twitter_layout() {
        let v = J::Obj(vec![
            ("a", J::Arr(vec![])),
            ("b", J::Arr(vec![J::s("x\"\n\u{1}")])),
            ("c", J::Lit("true")),
        ]);
        let mut out = String::new();
        write(&v, true, 0, &mut out);
        assert_eq!(
            out,
            "{\n  \"a\" : [ ],\n  \"b\" : [\n    \"x\\\"\\n\\u0001\"\n  ],\n  \"c\" : true\n}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["b"][0], "x\"\n\u{1}");
        let mut compact = String::new();
        write(&v, false, 0, &mut compact);
        assert_eq!(compact, r#"{"a":[],"b":["x\"\n\u0001"],"c":true}"#);
    }
}
