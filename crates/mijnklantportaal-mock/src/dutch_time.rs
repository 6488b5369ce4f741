//! Dutch local time, as the real server writes it into ATOM timestamps: `+01:00` in
//! winter, `+02:00` in summer (EU rule: from 01:00 UTC on the last Sunday of March to
//! 01:00 UTC on the last Sunday of October). One zone needs no time-zone database.
//! Records serialize their times through chrono, whose RFC 3339 of whole seconds at
//! these offsets is PHP's `DATE_ATOM`.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveDateTime};

const WINTER: i32 = 3600;
/// PHP's `DATE_ATOM` as a chrono format.
const ATOM: &str = "%Y-%m-%dT%H:%M:%S%:z";

/// The last Sunday of `month` (March or October) in `year`.
fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let last_day = NaiveDate::from_ymd_opt(year, month + 1, 1)?.pred_opt()?;
    last_day.checked_sub_days(Days::new(last_day.weekday().num_days_from_sunday().into()))
}

/// The Dutch UTC offset, in seconds, at the UTC instant `utc`.
pub(crate) fn offset_seconds(utc: NaiveDateTime) -> i32 {
    let switch = |month| last_sunday(utc.year(), month).and_then(|d| d.and_hms_opt(1, 0, 0));
    match (switch(3), switch(10)) {
        (Some(start), Some(end)) if utc >= start && utc < end => 2 * WINTER,
        _ => WINTER,
    }
}

/// The UNIX time `unix_seconds` as Dutch local time, if chrono can represent it.
pub(crate) fn at(unix_seconds: i64) -> Option<DateTime<FixedOffset>> {
    let utc = DateTime::from_timestamp(unix_seconds, 0)?.naive_utc();
    let offset = FixedOffset::east_opt(offset_seconds(utc))?;
    Some(DateTime::from_naive_utc_and_offset(utc, offset))
}

/// The UNIX time of local midnight on January 1st of `year` (always winter time).
pub(crate) fn new_year_unix(year: i32) -> Option<i64> {
    let midnight = NaiveDate::from_ymd_opt(year, 1, 1)?.and_hms_opt(0, 0, 0)?;
    Some(midnight.and_utc().timestamp() - i64::from(WINTER))
}

/// `time` in PHP's `DATE_ATOM` format (`2024-05-28T21:00:00+02:00`).
pub(crate) fn atom(time: &DateTime<FixedOffset>) -> String {
    time.format(ATOM).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn switches_on_the_last_sundays_at_one_utc() {
        let cases = [
            ("2024-03-31T00:59:59Z", "2024-03-31T01:59:59+01:00"),
            ("2024-03-31T01:00:00Z", "2024-03-31T03:00:00+02:00"),
            ("2024-10-27T00:59:59Z", "2024-10-27T02:59:59+02:00"),
            ("2024-10-27T01:00:00Z", "2024-10-27T02:00:00+01:00"),
            ("2025-03-30T01:00:00Z", "2025-03-30T03:00:00+02:00"),
            ("2025-03-29T12:00:00Z", "2025-03-29T13:00:00+01:00"),
            ("2025-10-26T00:00:00Z", "2025-10-26T02:00:00+02:00"),
            ("2024-05-28T19:00:00Z", "2024-05-28T21:00:00+02:00"),
            ("2023-12-31T23:30:00Z", "2024-01-01T00:30:00+01:00"),
        ];
        for (input, expected) in cases {
            assert_eq!(atom(&at(utc(input)).unwrap()), expected, "{input}");
        }
    }

    #[test]
    fn new_year_is_local_midnight() {
        assert_eq!(new_year_unix(2021), Some(utc("2021-01-01T00:00:00+01:00")));
        assert_eq!(new_year_unix(2026), Some(utc("2026-01-01T00:00:00+01:00")));
    }

    #[test]
    fn chrono_writes_dutch_times_as_php_atom() {
        // Records serialize their times through chrono: for whole seconds at a Dutch
        // offset (also one kept by `+ Duration` across a switch) that is `atom`.
        let start = new_year_unix(2024).unwrap();
        let sampled = (start..start + 2 * 366 * 86_400)
            .step_by(3_593)
            .map(|t| at(t).unwrap());
        let moved = at(start).unwrap() + chrono::Duration::days(100);
        for time in sampled.chain([moved]) {
            assert_eq!(serde_json::to_value(time).unwrap(), atom(&time), "{time:?}");
            assert_eq!(serde_json::to_value(Some(time)).unwrap(), atom(&time));
        }
        let none: Option<DateTime<FixedOffset>> = None;
        assert_eq!(serde_json::to_value(none).unwrap(), serde_json::Value::Null);
    }
}
