//! Laravel's validation, as far as the write endpoints need it: rules, messages, 422.
//!
//! Clients show these messages and wrappers turn them into typed errors, so the mock
//! answers invalid input the way a Laravel controller with `$request->validate()`
//! does: status 422, `{"message": ..., "errors": {"field": ["..."]}}`, the message
//! being the first error plus `(and N more errors)`, fields named in messages the way
//! Laravel displays attribute names (`customerId` becomes `customer id`). Each field
//! reports its first failing rule, as Laravel does once a rule like `required` fails.
//! Input is a JSON object; multipart text parts are converted to one first, as PHP
//! puts both in the same request input.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use axum::response::Response;
use http::StatusCode;

use crate::dutch_time;
use crate::responses;

/// The longest string a `max:255` rule accepts, in characters.
pub(crate) const MAX_STRING: usize = 255;
/// The largest amount accepted, in cents (a sanity bound, not the vendor's).
const MAX_CENTS: u64 = 99_999_999_999;

/// The request input: a JSON object (multipart text parts as strings).
pub(crate) type Input = Map<String, Value>;

/// Laravel's error bag: messages per field, in the order they were found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Errors {
    fields: Vec<(String, Vec<String>)>,
}

/// The 422 body.
#[derive(Serialize)]
struct ErrorsJson<'a> {
    message: String,
    errors: Bag<'a>,
}

/// The `errors` object, fields in the order they failed (as Laravel writes them).
struct Bag<'a>(&'a [(String, Vec<String>)]);

impl Serialize for Bag<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, messages) in self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

impl Errors {
    /// Adds `message` for `field`.
    pub(crate) fn add(&mut self, field: &str, message: String) {
        match self.fields.iter_mut().find(|(name, _)| name == field) {
            Some((_, messages)) => messages.push(message),
            None => self.fields.push((field.to_owned(), vec![message])),
        }
    }

    /// Whether no rule failed.
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields and their messages, in order.
    pub(crate) fn into_fields(self) -> Vec<(String, Vec<String>)> {
        self.fields
    }

    /// The fields with errors, in order.
    #[cfg(test)]
    pub(crate) fn fields(&self) -> Vec<&str> {
        self.fields.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// Laravel's summary: the first message, and how many more there are.
    pub(crate) fn message(&self) -> String {
        let count: usize = self.fields.iter().map(|(_, m)| m.len()).sum();
        let first = self
            .fields
            .first()
            .and_then(|(_, m)| m.first())
            .cloned()
            .unwrap_or_else(|| "The given data was invalid.".to_owned());
        match count.saturating_sub(1) {
            0 => first,
            1 => format!("{first} (and 1 more error)"),
            more => format!("{first} (and {more} more errors)"),
        }
    }

    /// The 422 answer.
    pub(crate) fn response(&self) -> Response {
        let body = ErrorsJson {
            message: self.message(),
            errors: Bag(&self.fields),
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        responses::json(StatusCode::UNPROCESSABLE_ENTITY, bytes)
    }
}

/// How Laravel names `field` in a message: `Str::snake`, then `_` as a space
/// (`customerId` → `customer id`, `lines.0.amountExclVat` → `lines.0.amount excl vat`).
pub(crate) fn display_name(field: &str) -> String {
    let mut name = String::with_capacity(field.len() + 4);
    for (i, c) in field.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !name.ends_with([' ', '.']) {
                name.push(' ');
            }
            name.push(c.to_ascii_lowercase());
        } else if c == '_' {
            name.push(' ');
        } else {
            name.push(c);
        }
    }
    name
}

/// `The {field} field is required.`
pub(crate) fn required_message(field: &str) -> String {
    format!("The {} field is required.", display_name(field))
}

/// The value of `field`, unless it is absent, `null` or an empty string (what
/// Laravel's `ConvertEmptyStringsToNull` and `required` treat as missing).
fn present<'a>(input: &'a Input, field: &str) -> Option<&'a Value> {
    match input.get(field)? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        value => Some(value),
    }
}

/// Whether `field` is present (see [`present`]).
pub(crate) fn is_present(input: &Input, field: &str) -> bool {
    present(input, field).is_some()
}

/// Rule `required|string|max:255` (`required: false`: `sometimes|string|max:255`).
pub(crate) fn string(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    required: bool,
) -> Option<String> {
    string_of_at_most(errors, input, field, required, MAX_STRING)
}

/// Rule `required|string` (`required: false`: `sometimes|string`), without a length
/// limit: a message's text, which may be long HTML.
pub(crate) fn text(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    required: bool,
) -> Option<String> {
    string_of_at_most(errors, input, field, required, usize::MAX)
}

fn string_of_at_most(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    required: bool,
    max: usize,
) -> Option<String> {
    let Some(value) = present(input, field) else {
        if required {
            errors.add(field, required_message(field));
        }
        return None;
    };
    let name = display_name(field);
    match value {
        Value::String(text) if text.chars().count() > max => {
            errors.add(
                field,
                format!("The {name} field must not be greater than {max} characters."),
            );
            None
        }
        Value::String(text) => Some(text.trim().to_owned()),
        _ => {
            errors.add(field, format!("The {name} field must be a string."));
            None
        }
    }
}

/// The input with nested objects and arrays flattened into Laravel's dotted field
/// names (`{"lines": [{"name": "x"}]}` has `lines.0.name`), so that wildcard rules
/// (`lines.*.name`) are rules on plain fields and name them as Laravel does. An empty
/// array or object stays under its own name.
pub(crate) fn dotted(input: &Input) -> Input {
    fn flatten(out: &mut Input, name: String, value: &Value) {
        match value {
            Value::Object(fields) if !fields.is_empty() => {
                for (key, value) in fields {
                    flatten(out, format!("{name}.{key}"), value);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                for (index, value) in items.iter().enumerate() {
                    flatten(out, format!("{name}.{index}"), value);
                }
            }
            value => {
                out.insert(name, value.clone());
            }
        }
    }
    let mut out = Input::new();
    for (name, value) in input {
        flatten(&mut out, name.clone(), value);
    }
    out
}

/// Rule `required|array|max:{max}` (`required: false`: `sometimes|array|max:{max}`)
/// on `field` of a [`dotted`] input: the names of its items (`field.0`, `field.1`,
/// ...), for the rules on their fields. A value that is not an array (a JSON text in
/// a form part, say) is refused, as Laravel's `array` rule refuses a string.
pub(crate) fn items(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    required: bool,
    max: usize,
) -> Vec<String> {
    let prefix = format!("{field}.");
    let mut indices: Vec<usize> = input
        .keys()
        .filter_map(|key| key.strip_prefix(&prefix))
        .filter_map(|rest| rest.split('.').next()?.parse().ok())
        .collect();
    indices.sort_unstable();
    indices.dedup();
    let name = display_name(field);
    if indices.is_empty() {
        match present(input, field) {
            Some(Value::Array(_)) | None if required => {
                errors.add(field, required_message(field));
            }
            Some(Value::Array(_)) | None => {}
            Some(_) => errors.add(field, format!("The {name} field must be an array.")),
        }
        return Vec::new();
    }
    if indices.len() > max {
        errors.add(
            field,
            format!("The {name} field must not have more than {max} items."),
        );
        return Vec::new();
    }
    indices.iter().map(|i| format!("{field}.{i}")).collect()
}

/// Rule `required|string|email`: a plausible address (one `@`, a dot in the domain,
/// no spaces), not RFC 5322 in full.
pub(crate) fn email(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    required: bool,
) -> Option<String> {
    let text = string(errors, input, field, required)?;
    let plausible = text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !text.contains(char::is_whitespace);
    if plausible {
        Some(text)
    } else {
        errors.add(
            field,
            format!(
                "The {} field must be a valid email address.",
                display_name(field)
            ),
        );
        None
    }
}

/// Rule `required|date_format:Y-m-d` (`required: false`: `sometimes|...`): exactly
/// `YYYY-mm-dd` and a real date (`2024-04-31` fails, as PHP's round trip through
/// `DateTime` makes it fail).
pub(crate) fn date(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    required: bool,
) -> Option<NaiveDate> {
    let Some(value) = present(input, field) else {
        if required {
            errors.add(field, required_message(field));
        }
        return None;
    };
    let parsed = value
        .as_str()
        .and_then(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|d| (text, d))
        })
        .filter(|(text, date)| date.format("%Y-%m-%d").to_string() == *text)
        .map(|(_, date)| date);
    if parsed.is_none() {
        errors.add(
            field,
            format!(
                "The {} field must match the format Y-m-d.",
                display_name(field)
            ),
        );
    }
    parsed
}

/// Rule `required|string|url|max:255`: an absolute `http` or `https` URL with a host.
pub(crate) fn url(errors: &mut Errors, input: &Input, field: &str) -> Option<String> {
    let text = string(errors, input, field, true)?;
    let valid = url::Url::parse(&text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some());
    if valid {
        Some(text)
    } else {
        let name = display_name(field);
        errors.add(field, format!("The {name} field must be a valid URL."));
        None
    }
}

/// Rule `required|string|in:...`: one of `allowed`, exactly.
pub(crate) fn one_of(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    allowed: &[&'static str],
) -> Option<&'static str> {
    let text = string(errors, input, field, true)?;
    let found = allowed.iter().copied().find(|a| *a == text);
    if found.is_none() {
        errors.add(field, invalid_choice(field));
    }
    found
}

/// Rule `date_format:Y-m-d H:i:s`, read as Europe/Amsterdam local time (the server's
/// zone): a time in the autumn hour that happens twice is the first (summer time)
/// one, a time in the skipped spring hour moves an hour on, as PHP does.
pub(crate) fn local_date_time(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    required: bool,
) -> Option<DateTime<FixedOffset>> {
    let Some(value) = present(input, field) else {
        if required {
            errors.add(field, required_message(field));
        }
        return None;
    };
    const FORMAT: &str = "%Y-%m-%d %H:%M:%S";
    let parsed = value
        .as_str()
        .and_then(|text| {
            NaiveDateTime::parse_from_str(text, FORMAT)
                .ok()
                .map(|t| (text, t))
        })
        .filter(|(text, time)| time.format(FORMAT).to_string() == *text)
        .and_then(|(_, local)| amsterdam(local));
    if parsed.is_none() {
        errors.add(
            field,
            format!(
                "The {} field must match the format Y-m-d H:i:s.",
                display_name(field)
            ),
        );
    }
    parsed
}

/// The Amsterdam local time `local` with its offset.
pub(crate) fn amsterdam(local: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    for offset_hours in [2i64, 1] {
        let utc = local - chrono::Duration::hours(offset_hours);
        if i64::from(dutch_time::offset_seconds(utc)) == offset_hours * 3600 {
            return dutch_time::at(utc.and_utc().timestamp());
        }
    }
    // In the skipped hour: read with the winter offset, shown in summer time.
    dutch_time::at((local - chrono::Duration::hours(1)).and_utc().timestamp())
}

/// Rules `required|numeric|decimal:0,2|min:0`: an amount in cents. A JSON number is
/// read by its text, like a string.
pub(crate) fn amount(errors: &mut Errors, input: &Input, field: &str) -> Option<u64> {
    let Some(value) = present(input, field) else {
        errors.add(field, required_message(field));
        return None;
    };
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        _ => String::new(),
    };
    let name = display_name(field);
    let numeric = text.parse::<f64>().is_ok_and(f64::is_finite)
        && !text.contains(['x', 'X', 'i', 'I', 'n', 'N']);
    if !numeric {
        errors.add(field, format!("The {name} field must be a number."));
        return None;
    }
    if text.starts_with('-') && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        errors.add(field, format!("The {name} field must be at least 0."));
        return None;
    }
    let Some(cents) = cents(text.trim_start_matches(['+', '-'])) else {
        errors.add(
            field,
            format!("The {name} field must have 0-2 decimal places."),
        );
        return None;
    };
    if cents > MAX_CENTS {
        errors.add(
            field,
            format!("The {name} field must not be greater than 999999999.99."),
        );
        return None;
    }
    Some(cents)
}

/// `12`, `12.9`, `12.95` (and `.95`) in cents; anything else (exponents, three
/// decimals) is `None`.
fn cents(text: &str) -> Option<u64> {
    let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
    if (units.is_empty() && decimals.is_empty())
        || decimals.len() > 2
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

/// Rule `required|integer|min:{min}|max:{max}`; an integer string counts.
pub(crate) fn integer(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    (min, max): (i64, i64),
) -> Option<i64> {
    let Some(value) = present(input, field) else {
        errors.add(field, required_message(field));
        return None;
    };
    let name = display_name(field);
    let number = match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => crate::paginator::filter_validate_int(text),
        _ => None,
    };
    let Some(number) = number else {
        errors.add(field, format!("The {name} field must be an integer."));
        return None;
    };
    if number < min {
        errors.add(field, format!("The {name} field must be at least {min}."));
        None
    } else if number > max {
        errors.add(
            field,
            format!("The {name} field must not be greater than {max}."),
        );
        None
    } else {
        Some(number)
    }
}

/// Rule `required|integer|in:a,b,...`: one of `allowed`.
pub(crate) fn integer_in(
    errors: &mut Errors,
    input: &Input,
    field: &str,
    allowed: &[i64],
) -> Option<i64> {
    let number = integer(errors, input, field, (i64::MIN, i64::MAX))?;
    if allowed.contains(&number) {
        Some(number)
    } else {
        errors.add(field, invalid_choice(field));
        None
    }
}

/// `The selected {field} is invalid.`: the message of a failed `in` (and `exists`) rule.
pub(crate) fn invalid_choice(field: &str) -> String {
    format!("The selected {} is invalid.", display_name(field))
}

/// Rule `sometimes|boolean`: `true`, `false`, `1`, `0`, as JSON values or text.
pub(crate) fn boolean(errors: &mut Errors, input: &Input, field: &str) -> Option<bool> {
    let value = present(input, field)?;
    let parsed = match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.as_u64() == Some(1) => Some(true),
        Value::Number(n) if n.as_u64() == Some(0) => Some(false),
        Value::String(text) => match text.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    if parsed.is_none() {
        errors.add(
            field,
            format!("The {} field must be true or false.", display_name(field)),
        );
    }
    parsed
}

/// `value` (a JSON object) as request input, for tests.
#[cfg(test)]
pub(crate) fn input(value: Value) -> Input {
    value.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    #[test]
    fn amounts_are_decimal_strings_with_at_most_two_decimals() {
        let cases = [
            (json!("12.95"), Some(1295)),
            (json!("12"), Some(1200)),
            (json!("12.9"), Some(1290)),
            (json!(" 0.05 "), Some(5)),
            (json!(12.5), Some(1250)),
            (json!("12.955"), None),
            (json!("1e3"), None),
            (json!("abc"), None),
            (json!("-1.00"), None),
            (json!("12,95"), None),
            (json!("NaN"), None),
            (json!("inf"), None),
            (json!(true), None),
            (json!("99999999999999999999"), None),
        ];
        for (value, expected) in cases {
            let mut errors = Errors::default();
            let got = amount(&mut errors, &input(json!({ "amount": value })), "amount");
            assert_eq!(got, expected, "{value}");
            assert_eq!(errors.is_empty(), expected.is_some(), "{value}");
        }
        let mut errors = Errors::default();
        amount(&mut errors, &input(json!({ "amount": "-1" })), "amount");
        assert_eq!(errors.message(), "The amount field must be at least 0.");
    }

    #[test]
    fn dates_must_round_trip() {
        for (text, ok) in [
            ("2024-04-30", true),
            ("2024-04-31", false),
            ("2024-4-30", false),
            ("2024-04-30 ", false),
            ("30-04-2024", false),
        ] {
            let mut errors = Errors::default();
            let got = date(
                &mut errors,
                &input(json!({ "issuedAt": text })),
                "issuedAt",
                true,
            );
            assert_eq!(got.is_some(), ok, "{text}");
        }
        let mut errors = Errors::default();
        date(
            &mut errors,
            &input(json!({ "issuedAt": "x" })),
            "issuedAt",
            true,
        );
        assert_eq!(
            errors.message(),
            "The issued at field must match the format Y-m-d."
        );
    }

    #[test]
    fn local_times_get_the_amsterdam_offset() {
        let cases = [
            ("2024-05-11 12:59:00", Some("2024-05-11T12:59:00+02:00")),
            ("2024-01-11 12:59:00", Some("2024-01-11T12:59:00+01:00")),
            ("2024-10-27 02:30:00", Some("2024-10-27T02:30:00+02:00")),
            ("2024-03-31 02:30:00", Some("2024-03-31T03:30:00+02:00")),
            ("2024-04-31 14:00:00", None),
            ("2024-05-11T12:59:00", None),
            ("2024-05-11 12:59", None),
        ];
        for (text, expected) in cases {
            let mut errors = Errors::default();
            let got = local_date_time(
                &mut errors,
                &input(json!({ "paidAt": text })),
                "paidAt",
                true,
            );
            assert_eq!(
                got.map(|t| dutch_time::atom(&t)).as_deref(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn urls_choices_and_optional_dates() {
        let mut errors = Errors::default();
        let form = input(json!({
            "good": "https://example.nl/hook?x=1", "local": "http://127.0.0.1:8080/in",
            "relative": "/hook", "mail": "mailto:a@b.nl", "choice": "customer-created",
            "other": "customer-updated", "day": "2025-02-29",
        }));
        assert_eq!(
            url(&mut errors, &form, "good").as_deref(),
            Some("https://example.nl/hook?x=1")
        );
        assert!(url(&mut errors, &form, "local").is_some());
        let choices = ["customer-created", "invoice-paid"];
        assert_eq!(
            one_of(&mut errors, &form, "choice", &choices),
            Some("customer-created")
        );
        assert_eq!(date(&mut errors, &form, "absent", false), None);
        assert!(errors.is_empty());
        assert_eq!(url(&mut errors, &form, "relative"), None);
        assert_eq!(url(&mut errors, &form, "mail"), None);
        assert_eq!(one_of(&mut errors, &form, "other", &choices), None);
        assert_eq!(date(&mut errors, &form, "day", false), None);
        assert_eq!(url(&mut errors, &form, "absent"), None);
        assert_eq!(
            errors.fields(),
            ["relative", "mail", "other", "day", "absent"]
        );
        assert_eq!(
            errors.message(),
            "The relative field must be a valid URL. (and 4 more errors)"
        );
        let mut errors = Errors::default();
        one_of(&mut errors, &form, "other", &choices);
        assert_eq!(errors.message(), "The selected other is invalid.");
    }

    #[test]
    fn booleans_integers_strings_and_emails() {
        let mut errors = Errors::default();
        let form = input(json!({
            "a": "true", "b": "0", "c": "yes", "n": "21", "m": 21.5, "s": "  x ", "e": "a@b.nl",
            "f": "not-an-email", "empty": "", "long": "x".repeat(256),
        }));
        assert_eq!(boolean(&mut errors, &form, "a"), Some(true));
        assert_eq!(boolean(&mut errors, &form, "b"), Some(false));
        assert_eq!(boolean(&mut errors, &form, "absent"), None);
        assert!(errors.is_empty());
        assert_eq!(boolean(&mut errors, &form, "c"), None);
        assert_eq!(integer(&mut errors, &form, "n", (0, 100)), Some(21));
        assert_eq!(integer(&mut errors, &form, "m", (0, 100)), None);
        assert_eq!(string(&mut errors, &form, "s", true).as_deref(), Some("x"));
        assert_eq!(
            email(&mut errors, &form, "e", true).as_deref(),
            Some("a@b.nl")
        );
        assert_eq!(email(&mut errors, &form, "f", true), None);
        assert_eq!(string(&mut errors, &form, "empty", true), None);
        assert_eq!(string(&mut errors, &form, "empty", false), None);
        assert_eq!(string(&mut errors, &form, "long", true), None);
        assert_eq!(errors.fields(), ["c", "m", "f", "empty", "long"]);
        assert_eq!(
            errors.message(),
            "The c field must be true or false. (and 4 more errors)"
        );
    }

    #[test]
    fn nested_input_is_validated_under_laravels_dotted_names() {
        let flat = dotted(&input(json!({
            "name": "x", "files": [{"name": "Logo", "required": true}, {"description": 1}],
            "empty": [], "content": "[\"fsf_1\"]",
        })));
        assert_eq!(flat.get("files.0.name"), Some(&json!("Logo")));
        assert_eq!(flat.get("files.1.description"), Some(&json!(1)));
        assert_eq!(flat.get("empty"), Some(&json!([])));
        let mut errors = Errors::default();
        assert_eq!(
            items(&mut errors, &flat, "files", true, 10),
            ["files.0", "files.1"]
        );
        assert_eq!(string(&mut errors, &flat, "files.1.name", true), None);
        assert!(items(&mut errors, &flat, "files", true, 1).is_empty());
        assert!(items(&mut errors, &flat, "empty", true, 5).is_empty());
        assert!(items(&mut errors, &flat, "absent", false, 5).is_empty());
        assert!(items(&mut errors, &flat, "content", true, 5).is_empty());
        assert_eq!(
            errors.fields(),
            ["files.1.name", "files", "empty", "content"]
        );
        assert_eq!(
            errors
                .into_fields()
                .into_iter()
                .map(|(_, m)| m[0].clone())
                .collect::<Vec<_>>(),
            [
                "The files.1.name field is required.",
                "The files field must not have more than 1 items.",
                "The empty field is required.",
                "The content field must be an array.",
            ]
        );
    }

    #[test]
    fn text_has_no_length_limit_but_string_has() {
        let long = "<p>".to_owned() + &"x".repeat(300) + "</p>";
        let form = input(json!({ "message": long }));
        let mut errors = Errors::default();
        assert_eq!(
            text(&mut errors, &form, "message", true).as_deref(),
            Some(long.as_str())
        );
        assert_eq!(string(&mut errors, &form, "message", true), None);
        assert_eq!(
            errors.message(),
            "The message field must not be greater than 255 characters."
        );
    }

    #[test]
    fn choices_from_a_list() {
        let mut errors = Errors::default();
        let form = input(json!({
            "interval": "1 month", "bad": "3 months", "vatRate": 9, "text": "21", "rate": 20,
        }));
        assert_eq!(
            one_of(&mut errors, &form, "interval", &["14 days", "1 month"]),
            Some("1 month")
        );
        assert_eq!(
            integer_in(&mut errors, &form, "vatRate", &[0, 9, 21]),
            Some(9)
        );
        assert_eq!(
            integer_in(&mut errors, &form, "text", &[0, 9, 21]),
            Some(21)
        );
        assert!(errors.is_empty());
        assert_eq!(one_of(&mut errors, &form, "bad", &["1 month"]), None);
        assert_eq!(integer_in(&mut errors, &form, "rate", &[0, 9, 21]), None);
        assert_eq!(integer_in(&mut errors, &form, "absent", &[0, 9, 21]), None);
        assert_eq!(errors.fields(), ["bad", "rate", "absent"]);
        assert_eq!(
            errors.message(),
            "The selected bad is invalid. (and 2 more errors)"
        );
    }
}
