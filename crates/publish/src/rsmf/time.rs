//! UTC milliseconds as the two date forms an `.rsmf` needs: RFC 3339 for
//! the manifest and the `X-RSMF-*Date` headers, RFC 5322 for `Date:`.
//!
//! Written by hand because the crate has no date dependency and only
//! proleptic Gregorian UTC is needed.

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

const MS_PER_DAY: i64 = 86_400_000;

impl Civil {
    /// The calendar fields of `ms` UTC milliseconds since the epoch, or
    /// `None` outside the years 0000–9999 that four-digit ISO 8601 years
    /// (and therefore RSMF readers) can express.
    pub fn from_ms(ms: i64) -> Option<Civil> {
        let days = ms.div_euclid(MS_PER_DAY);
        let in_day = ms.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        if !(0..=9999).contains(&year) {
            return None;
        }
        let secs = in_day / 1000;
        Some(Civil {
            year,
            month,
            day,
            hour: (secs / 3600) as u32,
            minute: (secs / 60 % 60) as u32,
            second: (secs % 60) as u32,
            milli: (in_day % 1000) as u32,
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as u32,
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

/// Year, month (1–12) and day (1–31) of `days` since 1970-01-01, by Howard
/// Hinnant's `civil_from_days` (exact for the whole proleptic Gregorian
/// calendar, negative days included).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
        assert_eq!(rfc3339(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
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
