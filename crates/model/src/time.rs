//! Time as a source stated it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How the zone of a timestamp was known. Stored with every message so that a
/// reader of the evidence can tell a platform's UTC instant from a local
/// clock reading interpreted under a zone somebody asserted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// The source gave a UTC instant (`...Z`, an epoch).
    #[default]
    Utc,
    /// The source gave a local time with an explicit offset.
    LocalWithOffset,
    /// The source gave a zone-less local time; the user asserted the zone
    /// (`--tz`, UTC when not given) and the instant was computed under it.
    AssertedZone,
    /// The source gave a zone-less local time and nobody asserted a zone.
    UnknownZone,
}

impl TimeBasis {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeBasis::Utc => "utc",
            TimeBasis::LocalWithOffset => "local_with_offset",
            TimeBasis::AssertedZone => "asserted_zone",
            TimeBasis::UnknownZone => "unknown_zone",
        }
    }

    /// When the source stated no zone: the zone its time was read in
    /// (`zone`, the one asserted at ingest) or `unknown`. `None` when the
    /// source stated the instant or its offset. Every view flags such a
    /// time as assumed.
    pub fn zone_assumed(self, zone: Option<&str>) -> Option<String> {
        match self {
            TimeBasis::AssertedZone => Some(zone.unwrap_or("UTC").to_string()),
            TimeBasis::UnknownZone => Some("unknown".to_string()),
            TimeBasis::Utc | TimeBasis::LocalWithOffset => None,
        }
    }

    /// [`TimeBasis::zone_assumed`] of a stored basis name.
    pub fn zone_assumed_by_name(name: &str, zone: Option<&str>) -> Option<String> {
        TimeBasis::from_name(name).and_then(|basis| basis.zone_assumed(zone))
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<TimeBasis> {
        Some(match name {
            "utc" => TimeBasis::Utc,
            "local_with_offset" => TimeBasis::LocalWithOffset,
            "asserted_zone" => TimeBasis::AssertedZone,
            "unknown_zone" => TimeBasis::UnknownZone,
            _ => return None,
        })
    }
}

/// A point in time as a source stated it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Timestamp {
    /// The instant in milliseconds since the Unix epoch, UTC.
    pub utc_ms: i64,
    /// The text exactly as the source wrote it.
    pub original: String,
    /// How the zone was known.
    pub basis: TimeBasis,
    /// The IANA zone asserted for a zone-less time, when one was. Shared:
    /// a reader names the same zone on every timestamp it reads.
    pub zone: Option<Arc<str>>,
}

impl Timestamp {
    /// A UTC instant stated by the source.
    pub fn utc(utc_ms: i64, original: impl Into<String>) -> Timestamp {
        Timestamp { utc_ms, original: original.into(), basis: TimeBasis::Utc, zone: None }
    }
}
