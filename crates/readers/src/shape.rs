//! Messages whose optional fields have shapes the reader does not know
//! (`"reactions": []` where an object is usual, `"u": {"name": 7}`,
//! `"attachments": {}`): the field goes, with a word, and the message stays.
//! Shared by the readers of JSON message objects (Rocket.Chat, Slack); each
//! names the fields it cannot do without.
//!
//! Only a message the strict parse refused comes here, so ordinary dumps
//! pay nothing. The strict parse itself is the judge of each field: a field
//! is kept when a message holding only it (and the id) parses, so the rules
//! cannot drift from the message type.

use serde_json::{Map, Value};

/// What a format's message object cannot do without.
pub(crate) struct Required {
    /// The field that identifies a message: kept beside each field judged
    /// alone (with the required fields), and an object without it is no
    /// message.
    pub id: &'static str,
    /// Fields whose bad shape makes the message unreadable (a skip).
    pub fields: &'static [&'static str],
}

/// A field dropped from a message, for the notice.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Dropped {
    /// `reactions`, `u.name`, `attachments[1]`.
    pub path: String,
    /// `expected an object, found an array`.
    pub why: String,
}

/// What [`repair`] made of a message the strict parse refused.
pub(crate) enum Repaired {
    /// Not a JSON object, or one without an id: the strict parse's error
    /// says best why.
    NotAnObject,
    /// The message as JSON again, without the fields listed.
    Fixed { json: String, dropped: Vec<Dropped> },
    /// A required field is unreadable: the reason.
    Unreadable(String),
}

/// Drops from `bytes` (one message document) each field, sub-field or list
/// element that `parses` refuses on its own.
pub(crate) fn repair(
    bytes: &[u8],
    required: &Required,
    parses: impl Fn(&str) -> Result<(), String>,
) -> Repaired {
    let Ok(mut doc) = serde_json::from_slice::<Map<String, Value>>(bytes) else {
        return Repaired::NotAnObject;
    };
    if !doc.contains_key(required.id) {
        return Repaired::NotAnObject;
    }
    let id = doc.get(required.id).cloned().unwrap_or(Value::Null);
    // Judges one field alone, beside the id: which required field is bad.
    let beside_id = |key: &str, value: &Value| -> Result<(), String> {
        let mut one = Map::new();
        if key != required.id {
            one.insert(required.id.to_string(), id.clone());
        }
        one.insert(key.to_string(), value.clone());
        parses(&Value::Object(one).to_string())
    };
    // The required fields the message has: every field is judged beside
    // them, since a message type may not parse without them.
    let base: Map<String, Value> = std::iter::once(required.id)
        .chain(required.fields.iter().copied())
        .filter_map(|k| doc.get(k).map(|v| (k.to_string(), v.clone())))
        .collect();
    if let Err(why) = parses(&Value::Object(base.clone()).to_string()) {
        for key in required.fields {
            if let Some(value) = doc.get(*key)
                && let Err(why) = beside_id(key, value)
            {
                return Repaired::Unreadable(format!(
                    "`{key}` is unreadable: {}",
                    shape_reason(&why)
                ));
            }
        }
        return Repaired::Unreadable(shape_reason(&why));
    }
    let alone = |key: &str, value: &Value| -> Result<(), String> {
        let mut one = base.clone();
        one.insert(key.to_string(), value.clone());
        parses(&Value::Object(one).to_string())
    };
    let mut dropped = Vec::new();
    let keys: Vec<String> = doc.keys().cloned().collect();
    for key in keys {
        let Some(value) = doc.get_mut(&key) else { continue };
        let Err(why) = alone(&key, value) else { continue };
        if required.fields.contains(&key.as_str()) {
            return Repaired::Unreadable(format!("`{key}` is unreadable: {}", shape_reason(&why)));
        }
        // A container of the right kind loses only its bad parts.
        let empty = match value {
            Value::Object(_) => Value::Object(Map::new()),
            Value::Array(_) => Value::Array(Vec::new()),
            _ => Value::Null,
        };
        if !empty.is_null() && alone(&key, &empty).is_ok() {
            prune(&key, value, &alone, &mut dropped);
            if alone(&key, value).is_ok() {
                continue;
            }
        }
        let why = alone(&key, value).err().unwrap_or(why);
        dropped.push(Dropped { path: key.clone(), why: shape_reason(&why) });
        doc.remove(&key);
    }
    Repaired::Fixed { json: Value::Object(doc).to_string(), dropped }
}

/// For a message the strict parse refused with `strict`: the JSON to parse
/// instead and the fields it lost, or why the message is unreadable.
pub(crate) fn retry(
    bytes: &[u8],
    required: &Required,
    parses: impl Fn(&str) -> Result<(), String>,
    strict: &serde_json::Error,
) -> Result<(String, Vec<Dropped>), String> {
    let strict_error = crate::json_scan::error_reason(strict);
    // Dropping fields mends neither broken JSON nor a value that is not an
    // object, and `repair` would parse the whole message to learn so.
    if strict.is_syntax() || strict.is_eof() || bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(strict_error);
    }
    match repair(bytes, required, parses) {
        Repaired::Fixed { json, dropped } if !dropped.is_empty() => Ok((json, dropped)),
        Repaired::Unreadable(reason) => Err(reason),
        Repaired::Fixed { .. } | Repaired::NotAnObject => Err(strict_error),
    }
}

/// Removes the parts of `value` (an object or array judged acceptable when
/// empty) that make field `key` unreadable, one level down and, for lists
/// of objects, one more.
fn prune(
    key: &str,
    value: &mut Value,
    alone: &dyn Fn(&str, &Value) -> Result<(), String>,
    dropped: &mut Vec<Dropped>,
) {
    match value {
        Value::Object(map) => {
            let subkeys: Vec<String> = map.keys().cloned().collect();
            for sub in subkeys {
                let Some(inner) = map.get(&sub) else { continue };
                let mut one = Map::new();
                one.insert(sub.clone(), inner.clone());
                if let Err(why) = alone(key, &Value::Object(one)) {
                    dropped.push(Dropped { path: format!("{key}.{sub}"), why: shape_reason(&why) });
                    map.remove(&sub);
                }
            }
        }
        Value::Array(items) => {
            let mut kept = Vec::with_capacity(items.len());
            for (index, mut item) in std::mem::take(items).into_iter().enumerate() {
                let path = format!("{key}[{index}]");
                let check = |item: &Value| alone(key, &Value::Array(vec![item.clone()]));
                let Err(why) = check(&item) else {
                    kept.push(item);
                    continue;
                };
                if let Value::Object(map) = &mut item
                    && check(&Value::Object(Map::new())).is_ok()
                {
                    let subkeys: Vec<String> = map.keys().cloned().collect();
                    for sub in subkeys {
                        let Some(inner) = map.get(&sub) else { continue };
                        let mut one = Map::new();
                        one.insert(sub.clone(), inner.clone());
                        if let Err(why) = check(&Value::Object(one)) {
                            dropped.push(Dropped {
                                path: format!("{path}.{sub}"),
                                why: shape_reason(&why),
                            });
                            map.remove(&sub);
                        }
                    }
                    if check(&item).is_ok() {
                        kept.push(item);
                        continue;
                    }
                }
                dropped.push(Dropped { path, why: shape_reason(&why) });
            }
            *items = kept;
        }
        _ => {}
    }
}

/// serde's `invalid type: sequence, expected a map at line 1 column 9` as
/// `expected an object, found an array`, in JSON's words.
pub(crate) fn shape_reason(error: &str) -> String {
    let error = match error.rfind(" at line ") {
        Some(at) => &error[..at],
        None => error,
    };
    let Some(rest) = error.strip_prefix("invalid type: ") else { return error.to_string() };
    let Some((found, expected)) = rest.split_once(", expected ") else { return error.to_string() };
    format!("expected {}, found {}", json_words(expected), json_words(found))
}

fn json_words(serde: &str) -> String {
    match serde {
        "sequence" | "a sequence" => "an array".to_string(),
        "map" | "a map" => "an object".to_string(),
        "unit value" => "null".to_string(),
        "a string" | "a boolean" | "a borrowed string" => serde.replace("borrowed ", ""),
        other if other.starts_with("struct ") => "an object".to_string(),
        other if other.starts_with("string ") => format!("the {other}"),
        other => other.replace("integer ", "the number ").replace("floating point ", "the number "),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reasons_in_json_words() {
        assert_eq!(
            shape_reason("invalid type: sequence, expected a map at line 1 column 30"),
            "expected an object, found an array"
        );
        assert_eq!(
            shape_reason("invalid type: integer `7`, expected a string at line 1 column 3"),
            "expected a string, found the number `7`"
        );
        assert_eq!(
            shape_reason("invalid type: map, expected a sequence"),
            "expected an array, found an object"
        );
        assert_eq!(
            shape_reason("invalid type: sequence, expected struct UserRefJson"),
            "expected an object, found an array"
        );
        assert_eq!(
            shape_reason("invalid type: string \"x\", expected struct ProfileJson"),
            "expected an object, found the string \"x\""
        );
        assert_eq!(shape_reason("missing field `x`"), "missing field `x`");
    }
}
