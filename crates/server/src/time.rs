//! Times shown in the chosen zone.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `2016-06-08 13:17:49 CEST` for an RFC 3339 instant, in `zone`; the
/// input unchanged when it is not an instant.
pub fn show(rfc3339: &str, zone: &TimeZone) -> String {
    match rfc3339.parse::<Timestamp>() {
        Ok(ts) => ts.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// `YYYY-MM-DD` of an RFC 3339 instant in `zone`.
pub fn day(rfc3339: &str, zone: &TimeZone) -> Option<String> {
    let ts = rfc3339.parse::<Timestamp>().ok()?;
    Some(ts.to_zoned_datetime(zone.clone()).date().to_string())
}

/// Zones offered in the zone picker (the current one is added when it is
/// not among them).
pub const COMMON_ZONES: &[&str] = &[
    "UTC",
    "America/Los_Angeles",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Kyiv",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_show_in_the_zone_with_its_abbreviation() {
        let berlin = TimeZone::get("Europe/Berlin").expect("zone");
        assert_eq!(show("2016-06-08T11:17:49.738Z", &berlin), "2016-06-08 13:17:49 CEST");
        assert_eq!(show("2016-01-08T11:17:49Z", &berlin), "2016-01-08 12:17:49 CET");
        assert_eq!(day("2016-06-08T23:30:00Z", &berlin).as_deref(), Some("2016-06-09"));
        assert_eq!(show("not a time", &berlin), "not a time");
    }
}
