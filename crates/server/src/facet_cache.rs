//! Facets of recent queries, kept per case generation. Paging through a
//! search asks for the same facets again on every page, and several people
//! on one case ask for the same few queries; facets count over every hit
//! (all of a frequent word's hundreds of thousands), so they are worth
//! keeping. An entry is only used at the index generation it was counted
//! at: an ingest, once searchable, makes every entry stale.

use std::collections::VecDeque;
use std::sync::Mutex;

use trove_app::{ActivityOptions, FacetsOutput};

/// Queries kept.
const ENTRIES: usize = 128;

/// What an entry was counted for: the generation, query, zone and how.
type Key = (u64, String, String, ActivityOptions);

/// (query, zone, options) → facets, at one generation.
#[derive(Default)]
pub(crate) struct FacetCache {
    entries: Mutex<VecDeque<(Key, FacetsOutput)>>,
}

impl FacetCache {
    /// The facets of `query` in `zone` counted as `options` say at
    /// `generation`, if kept.
    pub(crate) fn get(
        &self,
        generation: u64,
        query: &str,
        zone: &str,
        options: &ActivityOptions,
    ) -> Option<FacetsOutput> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|((g, q, z, o), _)| *g == generation && q == query && z == zone && o == options)
            .map(|(_, facets)| facets.clone())
    }

    /// Keeps `facets`, dropping the oldest entry when full and every entry
    /// of another generation.
    pub(crate) fn put(
        &self,
        generation: u64,
        query: &str,
        zone: &str,
        options: &ActivityOptions,
        facets: &FacetsOutput,
    ) {
        let Ok(mut entries) = self.entries.lock() else { return };
        entries.retain(|((g, q, z, o), _)| {
            *g == generation && !(q == query && z == zone && o == options)
        });
        if entries.len() >= ENTRIES {
            entries.pop_front();
        }
        let key = (generation, query.to_string(), zone.to_string(), *options);
        entries.push_back((key, facets.clone()));
    }
}
