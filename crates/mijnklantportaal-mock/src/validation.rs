//! Laravel's validation answer, which clients show and wrappers turn into typed errors:
//! 422, `{"message": ..., "errors": {"field": ["..."]}}`, fields named as Laravel names them.

use axum::response::Response;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime};
use http::StatusCode;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{dutch_time, responses};

/// The request input: a JSON object (multipart text parts as strings).
pub(crate) type Input = Map<String, Value>;

/// Laravel's error bag: messages per field, in the order they were found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Errors {
    fields: Vec<(String, Vec<String>)>,
}

impl Serialize for Errors {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.fields.iter().map(|(f, m)| (f, m)))
    }
}

impl Errors {
    pub(crate) fn add(&mut self, field: &str, message: String) {
        match self.fields.iter_mut().find(|(name, _)| name == field) {
            Some((_, messages)) => messages.push(message),
            None => self.fields.push((field.to_owned(), vec![message])),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    #[cfg(test)]
    /// The fields with errors, in order.
    pub(crate) fn fields(&self) -> Vec<&str> {
        self.fields.iter().map(|(name, _)| name.as_str()).collect()
    }

    #[cfg(test)]
    /// The messages of `field`.
    pub(crate) fn messages(&self, field: &str) -> Vec<String> {
        let found = self.fields.iter().find(|(name, _)| name == field);
        found
            .map(|(_, messages)| messages.clone())
            .unwrap_or_default()
    }

    /// Laravel's summary: the first message, and how many more there are.
    pub(crate) fn message(&self) -> String {
        let Some(first) = self.fields.first().and_then(|(_, m)| m.first()) else {
            return "The given data was invalid.".to_owned();
        };
        match self.fields.iter().map(|(_, m)| m.len()).sum::<usize>() - 1 {
            0 => first.clone(),
            1 => format!("{first} (and 1 more error)"),
            more => format!("{first} (and {more} more errors)"),
        }
    }

    /// The 422 answer.
    pub(crate) fn response(&self) -> Response {
        let message = Value::from(self.message());
        let errors = serde_json::to_string(self).unwrap_or_default();
        let body = format!(r#"{{"message":{message},"errors":{errors}}}"#);
        responses::json(StatusCode::UNPROCESSABLE_ENTITY, body)
    }
}

/// How Laravel names `field` in a message: `Str::snake`, then `_` as a space
/// (`customerId` → `customer id`, `lines.0.amountExclVat` → `lines.0.amount excl vat`).
pub(crate) fn display_name(field: &str) -> String {
    let mut name = String::with_capacity(field.len() + 4);
    for c in field.replace('_', " ").chars() {
        if c.is_ascii_uppercase() && !name.is_empty() && !name.ends_with([' ', '.']) {
            name.push(' ');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

pub(crate) fn required_message(field: &str) -> String {
    format!("The {} field is required.", display_name(field))
}

/// The message of a failed `in` or `exists` rule.
pub(crate) fn invalid_choice(field: &str) -> String {
    format!("The selected {} is invalid.", display_name(field))
}

/// The Amsterdam local time `local` with its offset, as PHP reads it: the first of a
/// repeated autumn hour, an hour on in the skipped spring hour.
pub(crate) fn amsterdam(local: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    let utc = |hours| local - Duration::hours(hours);
    let summer = dutch_time::offset_seconds(utc(2)) == 2 * 3600;
    dutch_time::at(utc(if summer { 2 } else { 1 }).and_utc().timestamp())
}

/// Rule `required|integer|min:{min}|max:{max}`; an integer string counts.
pub(crate) fn integer(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    (min, max): (i64, i64),
) -> Option<i64> {
    let name = display_name(field);
    let message = match crate::input::integer(input, field) {
        None if !input.contains_key(field) => required_message(field),
        None => format!("The {name} field must be an integer."),
        Some(n) if n < min => format!("The {name} field must be at least {min}."),
        Some(n) if n > max => format!("The {name} field must not be greater than {max}."),
        number => return number,
    };
    errors.add(field, message);
    None
}

#[cfg(test)]
pub(crate) fn input(value: Value) -> Input {
    value.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_displayed_like_laravel() {
        assert_eq!(display_name("customerId"), "customer id");
        assert_eq!(
            display_name("lines.0.amountExclVat"),
            "lines.0.amount excl vat"
        );
        assert_eq!(display_name("pdf"), "pdf");
        assert_eq!(display_name("zip_code"), "zip code");
    }

    #[test]
    fn the_summary_counts_the_other_errors() {
        let mut errors = Errors::default();
        errors.add("a", "First.".into());
        assert_eq!(errors.message(), "First.");
        errors.add("a", "Second.".into());
        assert_eq!(errors.message(), "First. (and 1 more error)");
        errors.add("b", "Third.".into());
        assert_eq!(errors.message(), "First. (and 2 more errors)");
        assert_eq!(errors.fields(), ["a", "b"]);
    }

    #[test]
    fn the_422_body_keeps_the_order_the_rules_failed_in() {
        let mut errors = Errors::default();
        errors.add("zipCode", "Z.".into());
        errors.add("address", "A.".into());
        errors.add("zipCode", "Z2.".into());
        let response = errors.response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body =
            futures::executor::block_on(axum::body::to_bytes(response.into_body(), 1024)).unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"message":"Z. (and 2 more errors)","errors":{"zipCode":["Z.","Z2."],"address":["A."]}}"#
        );
    }
}
