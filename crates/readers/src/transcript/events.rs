//! System lines of plain transcripts ("Emma added Harry") read as events.
//!
//! Published transcripts such as the WikiLeaks group DM put membership and
//! rename notices in the message stream under a pseudo-user. The patterns
//! are English, as those transcripts are; anything unmatched stays an
//! `Other("system")` event with its text intact, so nothing is lost.

use trove_model::EventKind;

/// What a system line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SystemEvent {
    /// Join, leave, rename or `Other("system")`.
    pub kind: EventKind,
    /// Who did it, when the line says.
    pub sender: Option<String>,
    /// Who joined, was added, left or was removed.
    pub targets: Vec<String>,
    /// The new conversation name, for renames.
    pub name: Option<String>,
}

impl SystemEvent {
    fn other() -> SystemEvent {
        SystemEvent {
            kind: EventKind::Other("system".to_string()),
            sender: None,
            targets: Vec::new(),
            name: None,
        }
    }
}

/// Rename phrasings, each followed by the new name.
const RENAMES: &[&str] = &[
    " changed the group name to ",
    " changed the conversation name to ",
    " changed the name of the group to ",
    " renamed the group to ",
    " renamed the conversation to ",
    " named the conversation ",
    " named the group ",
];

/// Tails that say where someone was added to or removed from; dropped from
/// the last target.
const PLACE_TAILS: &[&str] = &[
    " to the group",
    " to the conversation",
    " to this group",
    " to this conversation",
    " from the group",
    " from the conversation",
    " from this group",
    " from this conversation",
];

/// Reads one system line.
pub(crate) fn parse_event(text: &str) -> SystemEvent {
    let line = text.trim();
    let line = line.strip_suffix('.').unwrap_or(line).trim_end();

    // Renames first: a new group name may contain "added" or "left".
    for phrase in RENAMES {
        if let Some((who, name)) = line.split_once(phrase) {
            let name = unquote(name.trim());
            if !who.trim().is_empty() && !name.is_empty() {
                return SystemEvent {
                    kind: EventKind::Rename,
                    sender: Some(who.trim().to_string()),
                    targets: Vec::new(),
                    name: Some(name.to_string()),
                };
            }
        }
    }
    for (phrase, kind) in [(" added ", EventKind::Join), (" removed ", EventKind::Leave)] {
        if let Some((who, whom)) = line.split_once(phrase) {
            let targets = names(whom);
            if !who.trim().is_empty() && !targets.is_empty() {
                return SystemEvent {
                    kind,
                    sender: Some(who.trim().to_string()),
                    targets,
                    name: None,
                };
            }
        }
    }
    for tail in [" joined the group", " joined the conversation", " joined"] {
        if let Some(who) = line.strip_suffix(tail).map(str::trim).filter(|w| !w.is_empty()) {
            return SystemEvent {
                kind: EventKind::Join,
                sender: Some(who.to_string()),
                targets: vec![who.to_string()],
                name: None,
            };
        }
    }
    for tail in [" left the group", " left the conversation", " left"] {
        if let Some(who) = line.strip_suffix(tail).map(str::trim).filter(|w| !w.is_empty()) {
            return SystemEvent {
                kind: EventKind::Leave,
                sender: None,
                targets: vec![who.to_string()],
                name: None,
            };
        }
    }
    SystemEvent::other()
}

/// `Y`, `Y and Z`, `X, Y, and Z`, without a trailing "to the group".
fn names(list: &str) -> Vec<String> {
    let mut list = list.trim();
    for tail in PLACE_TAILS {
        if let Some(rest) = list.strip_suffix(tail) {
            list = rest;
            break;
        }
    }
    list.split(',')
        .flat_map(|part| part.split(" and "))
        .map(|name| name.trim())
        .map(|name| name.strip_prefix("and ").unwrap_or(name).trim())
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

/// Strips one pair of surrounding quotes, straight or curly.
fn unquote(name: &str) -> &str {
    for (open, close) in
        [('"', '"'), ('\u{201c}', '\u{201d}'), ('\'', '\''), ('\u{2018}', '\u{2019}')]
    {
        if let Some(inner) = name.strip_prefix(open).and_then(|n| n.strip_suffix(close)) {
            return inner;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        kind: EventKind,
        sender: Option<&str>,
        targets: &[&str],
        name: Option<&str>,
    ) -> SystemEvent {
        SystemEvent {
            kind,
            sender: sender.map(str::to_string),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            name: name.map(str::to_string),
        }
    }

    #[test]
    fn joins() {
        assert_eq!(
            parse_event("Emma added Harry"),
            event(EventKind::Join, Some("Emma"), &["Harry"], None)
        );
        assert_eq!(
            parse_event("Emma Best added Harry Potter and Ron Weasley."),
            event(EventKind::Join, Some("Emma Best"), &["Harry Potter", "Ron Weasley"], None)
        );
        assert_eq!(
            parse_event("Emma added Harry, Ron, and Hermione to the group"),
            event(EventKind::Join, Some("Emma"), &["Harry", "Ron", "Hermione"], None)
        );
        assert_eq!(
            parse_event("Harry joined"),
            event(EventKind::Join, Some("Harry"), &["Harry"], None)
        );
        assert_eq!(
            parse_event("Harry joined the group"),
            event(EventKind::Join, Some("Harry"), &["Harry"], None)
        );
    }

    #[test]
    fn leaves() {
        assert_eq!(parse_event("Harry left"), event(EventKind::Leave, None, &["Harry"], None));
        assert_eq!(
            parse_event("Harry left the conversation."),
            event(EventKind::Leave, None, &["Harry"], None)
        );
        assert_eq!(
            parse_event("Emma removed Harry"),
            event(EventKind::Leave, Some("Emma"), &["Harry"], None)
        );
    }

    #[test]
    fn renames() {
        assert_eq!(
            parse_event("Emma changed the group name to Task Force"),
            event(EventKind::Rename, Some("Emma"), &[], Some("Task Force"))
        );
        assert_eq!(
            parse_event("Emma renamed the group to \u{201c}Harry left\u{201d}"),
            event(EventKind::Rename, Some("Emma"), &[], Some("Harry left"))
        );
        assert_eq!(
            parse_event("Emma named the conversation \"Ops\""),
            event(EventKind::Rename, Some("Emma"), &[], Some("Ops"))
        );
    }

    #[test]
    fn anything_else_is_other() {
        for text in ["", "left", "added", "The call ended", " added Harry", "Emma added "] {
            assert_eq!(parse_event(text), SystemEvent::other(), "{text:?}");
        }
    }
}
