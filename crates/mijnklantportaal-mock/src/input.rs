//! Values read from a request's input after the [rules](crate::rules) passed it.
//!
//! The pipeline has already checked the body against the operation's schema, so a
//! handler only reads what it needs, in the form it stores it: trimmed text (Laravel's
//! `TrimStrings`; a blank value is absent), dates, Dutch local times, amounts in
//! cents. Each reader answers `None` for an absent field (and for a value the rules
//! would have refused, so a handler never panics on one).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::validation::{Input, amsterdam};

/// The value of `field`, unless it is absent, `null` or a blank string.
fn present<'a>(input: &'a Input, field: &str) -> Option<&'a Value> {
    match input.get(field)? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        value => Some(value),
    }
}

/// The trimmed text of `field`.
pub(crate) fn text(input: &Input, field: &str) -> Option<String> {
    Some(present(input, field)?.as_str()?.trim().to_owned())
}

/// `field` as a `Y-m-d` date.
pub(crate) fn date(input: &Input, field: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(present(input, field)?.as_str()?.trim(), "%Y-%m-%d").ok()
}

/// `field` as a local time (`Y-m-d H:i:s`, or `Y-m-d H:i`) in Amsterdam: a time in
/// the autumn hour that happens twice is the first (summer time) one, a time in the
/// skipped spring hour moves an hour on, as PHP does.
pub(crate) fn local_time(input: &Input, field: &str) -> Option<DateTime<FixedOffset>> {
    let text = present(input, field)?.as_str()?.trim();
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(amsterdam)
}

/// `field`, an amount (`12`, `12.9`, `12.95`), in cents.
pub(crate) fn cents(input: &Input, field: &str) -> Option<u64> {
    let text = present(input, field)?.as_str()?.trim();
    let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
    if decimals.len() > 2
        || !units
            .bytes()
            .chain(decimals.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let units: u64 = if units.is_empty() {
        0
    } else {
        units.parse().ok()?
    };
    let decimals: u64 = match decimals.len() {
        0 => 0,
        1 => decimals.parse::<u64>().ok()? * 10,
        _ => decimals.parse().ok()?,
    };
    units.checked_mul(100)?.checked_add(decimals)
}

/// `field` as an integer (a form's text read as PHP reads it).
pub(crate) fn integer(input: &Input, field: &str) -> Option<i64> {
    match present(input, field)? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => crate::paginator::filter_validate_int(text),
        _ => None,
    }
}

/// `field` as a boolean (`true`, `false`; a form's `"1"`, `"0"`, `"true"`, `"false"`).
pub(crate) fn boolean(input: &Input, field: &str) -> Option<bool> {
    match present(input, field)? {
        Value::Bool(b) => Some(*b),
        Value::String(text) => match text.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The trimmed texts of the array `field` (empty when absent).
pub(crate) fn texts(input: &Input, field: &str) -> Vec<String> {
    match present(input, field) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

/// The objects of the array `field` (empty when absent).
pub(crate) fn objects<'a>(input: &'a Input, field: &str) -> Vec<&'a Input> {
    match present(input, field) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(value: Value) -> Input {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn valid_values_are_read_in_the_form_they_are_stored() {
        let form = input(json!({
            "name": " Logo ", "blank": "  ", "amount": "12.9", "cents": "0.05", "whole": "12",
            "day": "2024-04-30", "at": "2024-03-31 02:30:00", "short": "2024-01-11 12:59",
            "n": "21", "m": 7, "yes": "1", "no": false, "ids": [" a", "b "],
        }));
        assert_eq!(text(&form, "name").as_deref(), Some("Logo"));
        assert_eq!(text(&form, "blank"), None);
        assert_eq!(cents(&form, "amount"), Some(1290));
        assert_eq!(cents(&form, "cents"), Some(5));
        assert_eq!(cents(&form, "whole"), Some(1200));
        assert_eq!(date(&form, "day"), NaiveDate::from_ymd_opt(2024, 4, 30));
        let at = local_time(&form, "at").map(|t| t.to_rfc3339());
        assert_eq!(at.as_deref(), Some("2024-03-31T03:30:00+02:00"));
        let short = local_time(&form, "short").map(|t| t.to_rfc3339());
        assert_eq!(short.as_deref(), Some("2024-01-11T12:59:00+01:00"));
        assert_eq!(
            (integer(&form, "n"), integer(&form, "m")),
            (Some(21), Some(7))
        );
        assert_eq!(
            (boolean(&form, "yes"), boolean(&form, "no")),
            (Some(true), Some(false))
        );
        assert_eq!(texts(&form, "ids"), ["a", "b"]);
        assert_eq!(text(&form, "absent"), None);
    }
}
