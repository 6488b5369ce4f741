//! The wall-clock time the API expects in requests: Europe/Amsterdam.
//!
//! Request date-times (`paidAt`) are `YYYY-mm-dd HH:mm:ss` without a zone, and the
//! server is a Dutch Laravel application that writes its own timestamps in Dutch time
//! (`+01:00`, `+02:00`): an instant is sent as the Dutch wall-clock time it was. The EU
//! rule (summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
//! Sunday of October) is a few lines; a time-zone database would be a heavy dependency
//! for one zone. The mock server computes Dutch time on its own, so that a mistake here
//! cannot hide behind the same mistake there.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use mijnklantportaal_api::LocalDateTime;

/// The last Sunday of `month` (March or October) in `year`, at 01:00 UTC.
fn switch(year: i32, month: u32) -> Option<NaiveDateTime> {
    let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1)?;
    let last = first_of_next.pred_opt()?;
    let sunday =
        last.checked_sub_days(Days::new(u64::from(last.weekday().num_days_from_sunday())))?;
    sunday.and_hms_opt(1, 0, 0)
}

/// `instant` as Dutch wall-clock time.
pub(crate) fn local_time<Tz: TimeZone>(instant: &DateTime<Tz>) -> LocalDateTime {
    let utc = instant.with_timezone(&Utc).naive_utc();
    let summer = match (switch(utc.year(), 3), switch(utc.year(), 10)) {
        (Some(start), Some(end)) => utc >= start && utc < end,
        _ => false,
    };
    let offset = chrono::TimeDelta::hours(if summer { 2 } else { 1 });
    LocalDateTime(utc + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> String {
        let instant = DateTime::parse_from_rfc3339(rfc3339).expect("a valid time");
        local_time(&instant).to_string()
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
            // Any zone in, Dutch time out.
            ("2024-05-11T12:59:00+02:00", "2024-05-11 12:59:00"),
            ("2024-05-11T06:59:00-04:00", "2024-05-11 12:59:00"),
        ] {
            assert_eq!(at(instant), dutch, "{instant}");
        }
    }
}
