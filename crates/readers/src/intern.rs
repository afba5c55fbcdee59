//! Shared strings for the names that repeat across records.
//!
//! A reader names the same conversation, sender and zone on thousands of
//! records; handing each record a clone of one `Arc<str>` costs a reference
//! count where a fresh `String` cost an allocation and a free.

use std::collections::HashMap;
use std::sync::Arc;

use trove_model::AccountRef;

/// foldhash: several times cheaper than SipHash on short names, and seeded
/// per process, so crafted input cannot aim for collisions.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// More distinct senders than this in one read and the cache starts over,
/// so an input with a fresh name on every line cannot grow it without
/// bound; the records come out the same either way.
const MAX_ACCOUNTS: usize = 16 * 1024;

/// Accounts seen so far in one read, by platform id.
#[derive(Clone, Debug, Default)]
pub(crate) struct Accounts {
    by_id: Map<Arc<str>, AccountRef>,
    /// The account handed out last: consecutive records are often by one
    /// sender, and comparing names is cheaper than hashing them.
    last: Option<AccountRef>,
}

impl Accounts {
    /// The account with these labels, sharing the strings of an earlier
    /// record that named it the same way.
    pub(crate) fn get(
        &mut self,
        native_id: &str,
        display_name: Option<&str>,
        handle: Option<&str>,
    ) -> AccountRef {
        let same = |known: &AccountRef| {
            *known.native_id == *native_id
                && known.display_name.as_deref() == display_name
                && known.handle.as_deref() == handle
        };
        if let Some(last) = &self.last
            && same(last)
        {
            return last.clone();
        }
        if let Some(known) = self.by_id.get(native_id)
            && same(known)
        {
            self.last = Some(known.clone());
            return known.clone();
        }
        // A known id under new labels keeps its id string and takes the
        // new labels as the ones to share from now on.
        let id = match self.by_id.get_key_value(native_id) {
            Some((id, _)) => Arc::clone(id),
            None => Arc::from(native_id),
        };
        let account = AccountRef {
            native_id: Arc::clone(&id),
            display_name: display_name.map(Arc::from),
            handle: handle.map(Arc::from),
        };
        if self.by_id.len() >= MAX_ACCOUNTS && !self.by_id.contains_key(native_id) {
            self.by_id.clear();
        }
        self.by_id.insert(id, account.clone());
        self.last = Some(account.clone());
        account
    }

    /// An account known only by its id.
    pub(crate) fn id(&mut self, native_id: &str) -> AccountRef {
        self.get(native_id, None, None)
    }
}

/// One shared copy of each distinct string asked for; for names that
/// repeat but are not accounts (conversation names, entries).
#[derive(Clone, Debug, Default)]
pub(crate) struct Strings {
    known: Map<Arc<str>, ()>,
    /// The string handed out last, checked before hashing.
    last: Option<Arc<str>>,
}

impl Strings {
    /// The shared copy of `text`.
    pub(crate) fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(last) = &self.last
            && **last == *text
        {
            return Arc::clone(last);
        }
        let shared = match self.known.get_key_value(text) {
            Some((known, ())) => Arc::clone(known),
            None => {
                if self.known.len() >= MAX_ACCOUNTS {
                    self.known.clear();
                }
                let shared: Arc<str> = Arc::from(text);
                self.known.insert(Arc::clone(&shared), ());
                shared
            }
        };
        self.last = Some(Arc::clone(&shared));
        shared
    }
}

/// Both caches, for a reader that passes one thing down.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    /// Senders and targets.
    pub(crate) accounts: Accounts,
    /// Conversation names and the like.
    pub(crate) strings: Strings,
    /// A buffer for putting a name together before it is looked up.
    pub(crate) scratch: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_labels_share_one_allocation() {
        let mut accounts = Accounts::default();
        let a = accounts.get("u1", Some("Ann"), None);
        let b = accounts.get("u1", Some("Ann"), None);
        assert!(Arc::ptr_eq(&a.native_id, &b.native_id));
        assert_eq!(a, b);
    }

    #[test]
    fn new_labels_for_a_known_id_are_kept_apart() {
        let mut accounts = Accounts::default();
        let a = accounts.get("u1", Some("Ann"), None);
        let b = accounts.get("u1", Some("Anne"), Some("ann"));
        assert_eq!(a.display_name.as_deref(), Some("Ann"));
        assert_eq!(b.display_name.as_deref(), Some("Anne"));
        assert_eq!(b.handle.as_deref(), Some("ann"));
        assert!(Arc::ptr_eq(&a.native_id, &b.native_id));
    }

    #[test]
    fn strings_are_shared() {
        let mut strings = Strings::default();
        let a = strings.get("general");
        let b = strings.get("general");
        assert!(Arc::ptr_eq(&a, &b));
    }
}
