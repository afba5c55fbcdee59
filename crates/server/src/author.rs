//! Who the workbench records as the author of a change: the name set in
//! this browser for its session (a cookie without an expiry, so it ends
//! with the browser), else the name `trove serve` was started with.

use axum::http::{HeaderMap, HeaderValue, header};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

const COOKIE: &str = "trove-author";
/// Longest name kept.
const MAX_CHARS: usize = 80;

/// The author for a request: the session's name when it set a valid one.
pub fn of(headers: &HeaderMap, default: &str) -> String {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .find_map(|value| valid(&percent_decode_str(value).decode_utf8().ok()?).ok())
        .unwrap_or_else(|| default.to_string())
}

/// The name as it will be recorded, or why it cannot be.
pub fn valid(name: &str) -> Result<String, String> {
    if name.chars().any(char::is_control) {
        return Err("a name cannot hold control characters".into());
    }
    let name = name.trim();
    if name.is_empty() {
        return Err("a name cannot be empty".into());
    }
    if name.chars().count() > MAX_CHARS {
        return Err(format!("a name has at most {MAX_CHARS} characters"));
    }
    Ok(name.to_string())
}

/// The `Set-Cookie` value that makes `name` this session's author. Not
/// readable by scripts, and never sent with a request another site starts.
pub fn cookie(name: &str) -> Option<HeaderValue> {
    let value = utf8_percent_encode(name, NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!("{COOKIE}={value}; Path=/; SameSite=Strict; HttpOnly")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sessions_name_round_trips_and_odd_values_fall_back() {
        let set = cookie("Zoë \"Desk\"; 2").expect("cookie");
        let pair = set.to_str().expect("ascii").split(';').next().expect("pair").to_string();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, format!("other=1; {pair}").parse().expect("header"));
        assert_eq!(of(&headers, "serve"), "Zoë \"Desk\"; 2");
        headers.insert(header::COOKIE, "trove-author=%0Aevil".parse().expect("header"));
        assert_eq!(of(&headers, "serve"), "serve", "control characters are refused");
        headers.insert(header::COOKIE, "trove-author=".parse().expect("header"));
        assert_eq!(of(&headers, "serve"), "serve");
        assert!(valid(&"x".repeat(81)).is_err());
        assert_eq!(of(&HeaderMap::new(), "serve"), "serve");
    }
}
