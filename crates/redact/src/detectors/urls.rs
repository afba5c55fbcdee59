//! URLs that carry secrets, bare API tokens, and onion addresses.

use std::ops::Range;

use regex::Regex;

use super::{after, before, is_word};

/// A URL: with a scheme, or a bare host with a path (`example.com/reset?..`).
pub(super) const URL: &str = r#"(?i)(?:https?|wss?|ftps?)://[^\s<>"`]+|(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,24}(?::\d{1,5})?/[^\s<>"`]*"#;

/// Well-known credential formats, case-sensitive, by their prefix and
/// shortest length: Slack, GitHub, GitLab, AWS access key ids, Google API
/// keys, Stripe keys, JWTs, Telegram bot tokens. [`token`] takes the rest.
pub(super) const TOKEN: &str = r"xox[abpre]-[0-9A-Za-z\-]{10}|gh[pousr]_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{22}|glpat-[0-9A-Za-z_\-]{20}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{35}|[sr]k_(?:live|test)_[0-9A-Za-z]{16}|eyJ[0-9A-Za-z_\-]{8,}\.eyJ[0-9A-Za-z_\-]{8}|\d{8,10}:AA[0-9A-Za-z_\-]{33}";

/// URL paths that are credentials themselves: Slack and Discord webhooks,
/// the Telegram bot API, and invitations into private Telegram and WhatsApp
/// groups.
pub(super) const TOKEN_PATH: &str = r"(?i:hooks\.slack\.com/(?:services|workflows)/|discord(?:app)?\.com/api/webhooks/\d|api\.telegram\.org/(?:file/)?bot\d|t\.me/(?:joinchat/|\+)[a-z0-9_\-]{6}|chat\.whatsapp\.com/[a-z0-9]{10})";

/// A token candidate extended over the rest of the token (letters, digits,
/// `_`, `-`, and for a JWT the dots between its parts). Accepted even when
/// glued to a word: a key pasted without a space is still a key.
pub(super) fn token(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let jwt = hay.get(range.clone())?.starts_with("eyJ");
    let rest = hay.get(range.end..)?;
    let is_token = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || (jwt && c == '.');
    let more = rest.find(|c: char| !is_token(c)).unwrap_or(rest.len());
    let whole = hay.get(range.start..range.end + more)?.trim_end_matches('.');
    Some(range.start..range.start + whole.len())
}

/// Accepts a URL (trailing punctuation trimmed) that carries a secret:
/// a password in its user info, a query, fragment or `;` path parameter
/// named like a credential (see [`is_secret_param`]), a one-time link's
/// token in its path (see [`has_secret_path`]), or a value of a well-known
/// token format anywhere in it.
pub(super) fn token_url(hay: &str, range: Range<usize>, token: &Regex) -> Option<Range<usize>> {
    let url = trim_url(hay.get(range.clone())?);
    let carries = has_password(url)
        || params(url).any(|(name, value)| is_secret_param(name, value))
        || has_secret_path(url)
        || token.is_match(url);
    carries.then_some(range.start..range.start + url.len())
}

/// `url` without the punctuation that ends the sentence around it, and
/// without closing brackets it did not open.
pub(super) fn trim_url(mut url: &str) -> &str {
    loop {
        let Some(last) = url.chars().next_back() else { return url };
        let unbalanced = |open: char, close: char| {
            last == close && url.matches(open).count() < url.matches(close).count()
        };
        let trim = matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*')
            || unbalanced('(', ')')
            || unbalanced('[', ']')
            || unbalanced('{', '}');
        if !trim {
            return url;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
}

/// Whether the path of `url` holds a one-time link's token: a segment
/// naming such a link (`reset`, `verify`, `confirm`, `activate`, `invite`,
/// `magic`, `login`, `unsubscribe`, ...) followed by a segment of at least
/// 16 letters, digits, `_` or `-` holding both letters and digits.
fn has_secret_path(url: &str) -> bool {
    const LINKS: &[&str] = &[
        "reset",
        "password",
        "verify",
        "verification",
        "confirm",
        "confirmation",
        "activate",
        "activation",
        "invite",
        "invitation",
        "magic",
        "login",
        "signin",
        "auth",
        "token",
        "unsubscribe",
        "onboarding",
        "share",
    ];
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut after_link = false;
    for segment in path.split('/').skip(1) {
        let lower = segment.to_ascii_lowercase();
        let is_token = segment.len() >= 16
            && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && segment.chars().any(|c| c.is_ascii_digit())
            && segment.chars().any(|c| c.is_ascii_alphabetic());
        if after_link && is_token {
            return true;
        }
        after_link |= LINKS.iter().any(|link| lower.split(['-', '_']).any(|part| part == *link));
    }
    false
}

/// Whether the user info of `url` holds a password (`user:pw@host`).
pub(super) fn has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .and_then(|(info, _)| info.split_once(':'))
        .is_some_and(|(_, password)| !password.is_empty())
}

/// `(name, value)` of each query, fragment and `;` path parameter
/// (`;jsessionid=`), `&amp;` separators (from HTML) understood.
pub(super) fn params(url: &str) -> impl Iterator<Item = (&str, &str)> {
    let tail = url.find(['?', '#', ';']).map_or("", |i| &url[i + 1..]);
    tail.split(['&', ';', '#', '?']).filter_map(|pair| {
        let pair = pair.strip_prefix("amp;").unwrap_or(pair);
        let (name, value) = pair.split_once('=')?;
        Some((name, value))
    })
}

/// A parameter name that carries a credential: one of the usual names, or
/// containing `token`, `secret`, `passw`, `signature`, `apikey`, `api_key`,
/// `session`, `credential`, `authorization` or `bearer`; with a non-empty
/// value. `t` is also YouTube's start time,
/// so `t=90`, `t=1m30s` are not secrets.
pub(super) fn is_secret_param(name: &str, value: &str) -> bool {
    const NAMES: &[&str] = &[
        "t",
        "key",
        "auth",
        "code",
        "pwd",
        "pass",
        "sig",
        "sid",
        "jwt",
        "otp",
        "ticket",
        "x-amz-credential",
        "x-goog-credential",
    ];
    const PARTS: &[&str] = &[
        "token",
        "secret",
        "passw",
        "signature",
        "apikey",
        "api_key",
        "api-key",
        "session",
        "credential",
        "authorization",
        "bearer",
    ];
    if value.is_empty() {
        return false;
    }
    let name = name.to_ascii_lowercase();
    if name == "t"
        && value.starts_with(|c: char| c.is_ascii_digit())
        && value.chars().all(|c| c.is_ascii_digit() || "hms".contains(c))
    {
        return false;
    }
    NAMES.contains(&name.as_str()) || PARTS.iter().any(|part| name.contains(part))
}

/// An onion host (v2: 16, v3: 56 base32 characters, with any subdomains),
/// with an optional scheme, port and path.
pub(super) const ONION: &str = r"(?i)(?:(?:https?|wss?)://)?(?:[a-z0-9\-]+\.)*(?:[a-z2-7]{56}|[a-z2-7]{16})\.onion(?::\d{1,5})?";

pub(super) fn onion(hay: &str, range: Range<usize>) -> Option<Range<usize>> {
    let prev = before(hay, range.start);
    let next = after(hay, range.end);
    if is_word(prev) || matches!(prev, Some('.' | '-')) || is_word(next) || next == Some('-') {
        return None;
    }
    // The path is taken here rather than in the pattern, so that rejected
    // candidates do not each run to the end of a long text.
    if next != Some('/') {
        return Some(range);
    }
    let rest = hay.get(range.end..)?;
    let path_len =
        rest.find(|c: char| c.is_whitespace() || "<>\"`".contains(c)).unwrap_or(rest.len());
    let with_path = trim_url(hay.get(range.start..range.end + path_len)?);
    Some(range.start..range.start + with_path.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_trimming_keeps_balanced_brackets() {
        assert_eq!(trim_url("https://x.org/a_(b)."), "https://x.org/a_(b)");
        assert_eq!(trim_url("https://x.org/a)"), "https://x.org/a");
        assert_eq!(trim_url("https://x.org/?q=1',"), "https://x.org/?q=1");
    }

    #[test]
    fn secret_params() {
        assert!(is_secret_param("access_token", "abc"));
        assert!(is_secret_param("X-Amz-Signature", "abc"));
        assert!(is_secret_param("t", "a1b2c3"));
        assert!(!is_secret_param("t", "1m30s"));
        assert!(!is_secret_param("token", ""));
        assert!(!is_secret_param("lang", "en"));
    }
}
