//! Dates in the analysis zone.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Parses a `--tz` style zone: an IANA name (`Europe/Berlin`), `UTC`, or a
/// fixed offset (`+02:00`). The readers own the rules; this re-exports them
/// so the whole product accepts the same names.
pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    trove_readers::timefmt::parse_zone(name)
}

/// The span `[start, end)` in UTC ms of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`
/// in `zone`. Day boundaries follow the zone's rules (DST included).
pub fn date_span(value: &str, zone: &TimeZone) -> Result<(i64, i64), String> {
    let bad = || format!("`{value}` is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)");
    let parts: Vec<&str> = value.split('-').collect();
    let number = |s: &str, digits: usize| -> Result<i16, String> {
        if s.len() != digits || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<i16>().map_err(|_| bad())
    };
    let (start, step) = match parts.as_slice() {
        [y] => (Date::new(number(y, 4)?, 1, 1), 1.year()),
        [y, m] => (Date::new(number(y, 4)?, number(m, 2)? as i8, 1), 1.month()),
        [y, m, d] => (Date::new(number(y, 4)?, number(m, 2)? as i8, number(d, 2)? as i8), 1.day()),
        _ => return Err(bad()),
    };
    let start = start.map_err(|e| format!("`{value}` is not a valid date: {e}"))?;
    let end = start.checked_add(step).map_err(|e| format!("`{value}`: {e}"))?;
    let instant = |date: Date| -> Result<i64, String> {
        let start_of_day = date.to_datetime(jiff::civil::Time::midnight());
        let instant = zone.to_timestamp(start_of_day).map_err(|e| format!("`{value}`: {e}"))?;
        Ok(instant.as_millisecond())
    };
    Ok((instant(start)?, instant(end)?))
}

/// RFC 3339 in UTC with milliseconds (`2016-06-08T11:17:49.738Z`).
pub fn format_instant(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => format!("invalid instant ({ms} ms)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_follow_the_zone() {
        let utc = TimeZone::UTC;
        let (start, end) = date_span("2016-01-01", &utc).expect("date");
        assert_eq!(format_instant(start), "2016-01-01T00:00:00.000Z");
        assert_eq!(format_instant(end), "2016-01-02T00:00:00.000Z");
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        let (start, end) = date_span("2016-03-27", &berlin).expect("date");
        assert_eq!(format_instant(start), "2016-03-26T23:00:00.000Z");
        assert_eq!(end - start, 23 * 3600 * 1000, "DST day is 23 hours");
        let (start, end) = date_span("2016", &utc).expect("year");
        assert_eq!(
            (format_instant(start), format_instant(end)),
            ("2016-01-01T00:00:00.000Z".into(), "2017-01-01T00:00:00.000Z".into())
        );
    }

    #[test]
    fn bad_dates_are_explained() {
        assert!(date_span("2016-13", &TimeZone::UTC).unwrap_err().contains("not a valid date"));
        assert!(date_span("yesterday", &TimeZone::UTC).unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_zone("Mars/Olympus").unwrap_err().contains("IANA"));
        assert!(parse_zone("+02:00").is_ok());
    }
}
