//! UTC milliseconds as the two date forms an `.rsmf` needs: RFC 3339 for
//! the manifest and the `X-RSMF-*Date` headers, RFC 5322 for `Date:`.
//!
//! The calendar arithmetic is jiff's; the formatting is spelled out here
//! so that the bytes are exactly what RSMF readers expect.

/// A UTC instant split into calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub milli: u32,
    /// 0 = Sunday.
    pub weekday: u32,
}

impl Civil {
    /// The calendar fields of `ms` UTC milliseconds since the epoch, or
    /// `None` outside the years 0000–9999 that four-digit ISO 8601 years
    /// (and therefore RSMF readers) can express, and beyond jiff's range
    /// (which ends on 9999-12-30).
    pub fn from_ms(ms: i64) -> Option<Civil> {
        let at =
            jiff::Timestamp::from_millisecond(ms).ok()?.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let year = i64::from(at.year());
        if !(0..=9999).contains(&year) {
            return None;
        }
        let field = |v: i8| u32::try_from(v).unwrap_or(0);
        Some(Civil {
            year,
            month: field(at.month()),
            day: field(at.day()),
            hour: field(at.hour()),
            minute: field(at.minute()),
            second: field(at.second()),
            milli: u32::try_from(at.millisecond()).unwrap_or(0),
            weekday: u32::from(at.weekday().to_sunday_zero_offset().unsigned_abs()),
        })
    }

    /// `2024-03-01T09:00:00Z`, with `.123` milliseconds only when non-zero
    /// so that whole-second times look like every other producer's.
    pub fn rfc3339(&self) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.milli != 0 {
            out.push_str(&format!(".{:03}", self.milli));
        }
        out.push('Z');
        out
    }

    /// `Fri, 01 Mar 2024 09:00:00 +0000` (RFC 5322 §3.3).
    pub fn rfc5322(&self) -> String {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
            DAYS[self.weekday as usize % 7],
            self.day,
            MONTHS[(self.month as usize + 11) % 12],
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rfc3339(ms: i64) -> String {
        Civil::from_ms(ms).unwrap().rfc3339()
    }

    #[test]
    fn rfc3339_forms() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_283_600_000), "2024-03-01T09:00:00Z");
        assert_eq!(rfc3339(1_709_283_600_007), "2024-03-01T09:00:00.007Z");
        // Leap day and the millisecond before midnight.
        assert_eq!(rfc3339(951_868_799_999), "2000-02-29T23:59:59.999Z");
        // Before the epoch: floor division, not truncation.
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(rfc3339(-62_167_219_200_000), "0000-01-01T00:00:00Z");
        // jiff's instants end a day or so before 10000-01-01 (room for any
        // offset); the last full day it holds is written as usual.
        assert_eq!(rfc3339(253_402_128_000_000), "9999-12-30T00:00:00Z");
        assert!(Civil::from_ms(253_402_300_800_000).is_none());
        assert!(Civil::from_ms(-62_167_219_200_001).is_none());
        assert!(Civil::from_ms(i64::MIN).is_none());
        assert!(Civil::from_ms(i64::MAX).is_none());
    }

    #[test]
    fn rfc5322_form() {
        assert_eq!(Civil::from_ms(0).unwrap().rfc5322(), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(
            Civil::from_ms(1_709_283_600_000).unwrap().rfc5322(),
            "Fri, 01 Mar 2024 09:00:00 +0000"
        );
        assert_eq!(Civil::from_ms(-1).unwrap().rfc5322(), "Wed, 31 Dec 1969 23:59:59 +0000");
    }
}
