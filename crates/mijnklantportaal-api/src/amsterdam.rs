//! The wall-clock time the API expects in requests: Europe/Amsterdam.
//!
//! Request date-times (`paidAt`) are `YYYY-mm-dd HH:mm:ss` without a zone, and the
//! server is a Dutch Laravel application that writes its own timestamps in Dutch time
//! (`+01:00`, `+02:00`): an instant is sent as the Dutch wall-clock time it was. The
//! zone's rules come from the time-zone database (`chrono-tz`, compiled in: no
//! zoneinfo files needed at run time), not from a hand-written EU rule: the rule has
//! changed before (summer time ended in September until 1995, and there was none from
//! 1946 to 1976) and the EU may change it again, which a database update follows.
//! Its cost: about 11 s of one core in a cold build (chrono-tz and phf; chrono is
//! built anyway), measured with `cargo build --timings`. It lives here, with
//! [`LocalDateTime`], so that every request field of that type takes an instant in any
//! zone (`.paid_at(Utc::now())`). The mock server computes
//! Dutch time on its own, so that a mistake here cannot hide behind the same mistake
//! there.

use chrono::{DateTime, TimeZone};
use chrono_tz::Europe::Amsterdam;

use crate::LocalDateTime;

/// An instant in any zone, as the Dutch wall-clock time the API wants.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use mijnklantportaal_api::LocalDateTime;
///
/// let summer = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
/// assert_eq!(LocalDateTime::from(summer).to_string(), "2025-06-01 14:00:00");
/// ```
impl<Tz: TimeZone> From<DateTime<Tz>> for LocalDateTime {
    fn from(instant: DateTime<Tz>) -> Self {
        LocalDateTime(instant.with_timezone(&Amsterdam).naive_local())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> String {
        let instant = DateTime::parse_from_rfc3339(rfc3339).expect("a valid time");
        LocalDateTime::from(instant).to_string()
    }

    #[test]
    fn winter_and_summer_time_switch_at_one_utc() {
        for (instant, dutch) in [
            ("2024-03-31T00:59:59Z", "2024-03-31 01:59:59"),
            ("2024-03-31T01:00:00Z", "2024-03-31 03:00:00"),
            ("2024-10-27T00:59:59Z", "2024-10-27 02:59:59"),
            ("2024-10-27T01:00:00Z", "2024-10-27 02:00:00"),
            ("2025-06-01T12:00:00Z", "2025-06-01 14:00:00"),
            ("2025-12-31T23:30:00Z", "2026-01-01 00:30:00"),
            // Before 1996 summer time ended on the last Sunday of September...
            ("1995-10-15T12:00:00Z", "1995-10-15 13:00:00"),
            // ...and from 1946 to 1976 there was none.
            ("1970-07-01T12:00:00Z", "1970-07-01 13:00:00"),
            // Any zone in, Dutch time out.
            ("2024-05-11T12:59:00+02:00", "2024-05-11 12:59:00"),
            ("2024-05-11T06:59:00-04:00", "2024-05-11 12:59:00"),
        ] {
            assert_eq!(at(instant), dutch, "{instant}");
        }
    }
}
