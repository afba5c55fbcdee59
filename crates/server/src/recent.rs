//! What recent requests computed, kept while the case they were computed
//! from is unchanged. Paging through a search asks for the same facets on
//! every page, several people on one case ask for the same few queries and
//! people, and facets count over every hit (all of a frequent word's
//! hundreds of thousands): worth keeping. An entry is used only at the
//! [`Version`] it was computed at: an ingest (once searchable) or a change
//! to names and persons (which label facets and person pages) makes every
//! entry stale.

use std::collections::VecDeque;
use std::sync::Mutex;

use trove_app::{ActivityOptions, FacetsOutput, PersonOutput};

/// Entries kept.
const ENTRIES: usize = 128;

/// What an entry was computed from: the index generation searches load,
/// and the last change to the names and persons layer.
pub(crate) type Version = (u64, i64);

/// Facets: (query, zone, how they were counted).
pub(crate) type FacetKey = (String, String, ActivityOptions);

/// Person pages: (id, zone, how the activity was counted).
pub(crate) type PersonKey = (String, String, ActivityOptions);

/// Key → value, at one version.
pub(crate) struct Recent<K, V> {
    entries: Mutex<VecDeque<(Version, K, V)>>,
}

impl<K, V> Default for Recent<K, V> {
    fn default() -> Self {
        Recent { entries: Mutex::new(VecDeque::new()) }
    }
}

impl<K: PartialEq, V: Clone> Recent<K, V> {
    /// The value kept for `key` at `version`.
    pub(crate) fn get(&self, version: Version, key: &K) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|(v, k, _)| *v == version && k == key)
            .map(|(_, _, value)| value.clone())
    }

    /// Keeps `value`, dropping the oldest entry when full and every entry
    /// of another version.
    pub(crate) fn put(&self, version: Version, key: K, value: &V) {
        let Ok(mut entries) = self.entries.lock() else { return };
        entries.retain(|(v, k, _)| *v == version && *k != key);
        if entries.len() >= ENTRIES {
            entries.pop_front();
        }
        entries.push_back((version, key, value.clone()));
    }
}

/// The caches of the workbench.
#[derive(Default)]
pub(crate) struct Caches {
    pub(crate) facets: Recent<FacetKey, FacetsOutput>,
    pub(crate) persons: Recent<PersonKey, PersonOutput>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_serves_only_its_version() {
        let recent: Recent<String, u32> = Recent::default();
        recent.put((1, 0), "a".into(), &7);
        assert_eq!(recent.get((1, 0), &"a".into()), Some(7));
        assert_eq!(recent.get((2, 0), &"a".into()), None, "after an ingest");
        assert_eq!(recent.get((1, 1), &"a".into()), None, "after a rename");
        recent.put((1, 1), "b".into(), &8);
        assert_eq!(recent.get((1, 0), &"a".into()), None, "stale entries are dropped");
        for n in 0..200 {
            recent.put((1, 1), format!("k{n}"), &n);
        }
        assert_eq!(recent.get((1, 1), &"k199".into()), Some(199));
        assert_eq!(recent.get((1, 1), &"k0".into()), None, "the oldest go first");
    }
}
