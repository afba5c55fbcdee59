//! The short names an account id implies: chat shows `boss` where the
//! account is `boss@example.onion` (Jabber, e-mail) or
//! `@boss:matrix.example.org` (Matrix), and a person rule that left them
//! out would leave the person named in every `<boss>` and `boss: hi`.

use crate::rules::{PersonRule, PersonValue, Reach};
use crate::view::fold;

/// Local parts at least this many characters long are redacted as whole
/// words anywhere; shorter ones (`jo`, `x`) would hit ordinary words, so
/// they are redacted only where chat marks them as a name (see
/// [`Reach::Marked`]).
pub const MIN_WORD_CHARS: usize = 3;

/// The name chat shows for the account `value`, when it is an address:
/// the localpart of a Matrix id (`@boss:server`), the nick of a Jabber
/// group-chat occupant (`room@conference.server/boss`), or the local part
/// of a JID or e-mail address (`boss@server`, `boss@server/laptop`: a
/// resource names a client, not a person). `None` for anything else,
/// values with spaces included (a name, not an address).
pub(crate) fn local_part(value: &str) -> Option<&str> {
    let value = value.trim();
    if value.is_empty() || value.contains(char::is_whitespace) {
        return None;
    }
    if let Some(matrix) = value.strip_prefix('@') {
        let (local, server) = matrix.split_once(':')?;
        return (!local.is_empty() && !server.is_empty()).then_some(local);
    }
    let (local, domain) = value.split_once('@')?;
    let (domain, resource) = domain.split_once('/').unwrap_or((domain, ""));
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    let room = domain.starts_with("conference.") || domain.starts_with("muc.");
    if room {
        // The local part names the room; the occupant is the resource.
        return (!resource.is_empty()).then_some(resource);
    }
    Some(local)
}

/// Every value of `person`: names, ids and handles as listed (leading `@`
/// of handles dropped), then the local parts they imply (see
/// [`PersonRule::values`]).
pub(crate) fn person_values(person: &PersonRule) -> Vec<PersonValue> {
    let listed = person.names.iter().chain(&person.ids);
    let mut out: Vec<PersonValue> = listed
        .map(|v| v.trim().to_string())
        .chain(person.handles.iter().map(|h| h.trim().trim_start_matches('@').to_string()))
        .filter(|v| !v.is_empty())
        .map(|value| PersonValue { value, reach: Reach::Word, from: None })
        .collect();
    let mut seen: Vec<String> = out.iter().map(|v| fold(&v.value).into_owned()).collect();
    let sources = person.names.iter().chain(&person.ids).chain(&person.handles);
    for source in sources {
        let Some(local) = local_part(source) else { continue };
        let folded = fold(local).into_owned();
        if seen.contains(&folded) {
            continue;
        }
        seen.push(folded);
        let reach =
            if local.chars().count() >= MIN_WORD_CHARS { Reach::Word } else { Reach::Marked };
        out.push(PersonValue {
            value: local.to_string(),
            reach,
            from: Some(source.trim().to_string()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_parts_of_every_address_shape() {
        assert_eq!(local_part("boss@x.onion"), Some("boss"));
        assert_eq!(local_part(" Boss@X.onion/Laptop "), Some("Boss"));
        assert_eq!(local_part("@boss:matrix.example.org"), Some("boss"));
        assert_eq!(local_part("ops@conference.x.onion/boss"), Some("boss"));
        assert_eq!(local_part("ops@conference.x.onion"), None);
        assert_eq!(local_part("jane.doe@example.org"), Some("jane.doe"));
        for other in ["boss", "@jdoe", "Jane Doe", "a @b", "@:x", "@b:", "@x.onion", "boss@"] {
            assert_eq!(local_part(other), None, "{other}");
        }
    }

    #[test]
    fn derived_values_follow_the_listed_ones_once_each() {
        let person = PersonRule {
            names: vec!["boss@x.onion".into(), "Big Boss".into()],
            ids: vec!["boss@x.onion".into(), "jo@y.onion".into()],
            handles: vec!["@boss:matrix.example.org".into()],
            ..PersonRule::default()
        };
        let derived: Vec<(String, Reach, Option<String>)> = person_values(&person)
            .into_iter()
            .filter(|v| v.from.is_some())
            .map(|v| (v.value, v.reach, v.from))
            .collect();
        assert_eq!(
            derived,
            [
                ("boss".into(), Reach::Word, Some("boss@x.onion".into())),
                ("jo".into(), Reach::Marked, Some("jo@y.onion".into())),
            ]
        );
    }
}
