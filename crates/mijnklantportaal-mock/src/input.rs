//! Values read from input the [rules](crate::rules) passed, as they are stored: trimmed
//! text (Laravel's `TrimStrings`: blank is absent), dates, Amsterdam times, cents. A reader
//! answers `None` for an absent field and for a value the rules refuse (no panics).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::validation::{Input, amsterdam};

/// The value of `field`, unless it is absent, `null` or a blank string.
fn present<'a>(input: &'a Input, field: &str) -> Option<&'a Value> {
    let blank = |v: &&Value| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
    input.get(field).filter(|value| !blank(value))
}

/// The trimmed text of `field`, unless it is blank.
fn trimmed<'a>(input: &'a Input, field: &str) -> Option<&'a str> {
    Some(present(input, field)?.as_str()?.trim())
}

fn items<'a>(input: &'a Input, field: &str) -> impl Iterator<Item = &'a Value> {
    let array = input.get(field).and_then(Value::as_array);
    array.into_iter().flatten()
}

pub(crate) fn text(input: &Input, field: &str) -> Option<String> {
    trimmed(input, field).map(str::to_owned)
}

/// `field` as a `Y-m-d` date.
pub(crate) fn date(input: &Input, field: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(trimmed(input, field)?, "%Y-%m-%d").ok()
}

/// A local date-time, `Y-m-d H:i:s` or `Y-m-d H:i`.
pub(crate) fn naive_local_time(text: &str) -> Option<NaiveDateTime> {
    let parse = |format| NaiveDateTime::parse_from_str(text, format).ok();
    parse("%Y-%m-%d %H:%M:%S").or_else(|| parse("%Y-%m-%d %H:%M"))
}

/// `field` as a local time in Amsterdam, as PHP reads one ([`amsterdam`]).
pub(crate) fn local_time(input: &Input, field: &str) -> Option<DateTime<FixedOffset>> {
    naive_local_time(trimmed(input, field)?).and_then(amsterdam)
}

/// `field`, an amount (`12`, `12.9`, `12.95`, `.5`), in cents.
pub(crate) fn cents(input: &Input, field: &str) -> Option<u64> {
    let text = trimmed(input, field)?;
    let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
    // Anything but ASCII digits in `units` or `decimals` fails to parse.
    let cents = format!("0{units}{decimals:0<2}").parse().ok();
    cents.filter(|_| decimals.len() <= 2)
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
    match (present(input, field)?, trimmed(input, field)) {
        (Value::Bool(b), _) => Some(*b),
        (_, Some("true" | "1")) => Some(true),
        (_, Some("false" | "0")) => Some(false),
        _ => None,
    }
}

/// The trimmed texts of the array `field` (empty when absent).
pub(crate) fn texts(input: &Input, field: &str) -> Vec<String> {
    let texts = items(input, field).filter_map(Value::as_str);
    texts.map(|s| s.trim().to_owned()).collect()
}

/// The objects of the array `field` (empty when absent).
pub(crate) fn objects<'a>(input: &'a Input, field: &str) -> Vec<&'a Input> {
    items(input, field).filter_map(Value::as_object).collect()
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
