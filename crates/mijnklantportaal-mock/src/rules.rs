//! The one rule engine: a request body checked against its operation's schema.
//!
//! Every write is validated here, in the [pipeline](crate::handler), before its
//! handler runs, from the request schema of the spec the mock embeds
//! ([`openapi`](crate::openapi)): no operation restates its rules by hand. The engine
//! answers the way a Laravel controller with `$request->validate()` does (a 422 with
//! Laravel's messages, see [`Errors`]): each property of the schema, in the spec's
//! order, reports its first failing rule, nested fields under Laravel's dotted names
//! (`lines.0.amountExclVat`).
//!
//! The schema's own keywords are rules: `required` (Laravel's: absent, `null`, a
//! blank string and an empty array are missing), `type` (strict for JSON; a form's
//! text parts are read as PHP reads them: `"12"` is an integer, `"true"` and `"1"`
//! booleans), `nullable`, `enum` (`in`), `format` (`date` is `date_format:Y-m-d`,
//! `email`, `decimal` is `numeric`, `binary` a file part), `minimum`/`maximum`,
//! `minLength`/`maxLength`, `minItems`/`maxItems`, `items`, `$ref` and `allOf`.
//! What a schema cannot say is declared next to the property in the spec as
//! Laravel rule strings, `x-laravel: ["exists:customers", "max:255"]`, read here:
//! `max`, `min`, `size` (characters, value, items or kilobytes, by type), `alpha`,
//! `email`, `url`, `in`, `decimal`, `date_format` (comma-separated alternatives),
//! `after` (another field), `exists` (a table of the store), `mimes:pdf`, and the
//! conditional `required_if`, `required_with`, `required_without` and
//! `required_without_all`.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use crate::openapi::{Kind, Schema};
use crate::requests::FilePart;
use crate::validation::{Errors, display_name, invalid_choice, required_message};

/// The `x-laravel` rules the engine reads (a test checks the spec uses no other).
pub(crate) const RULES: &[&str] = &[
    "max",
    "min",
    "size",
    "alpha",
    "email",
    "url",
    "in",
    "decimal",
    "date_format",
    "after",
    "exists",
    "mimes",
    "required_if",
    "required_with",
    "required_without",
    "required_without_all",
];

/// The key of the stand-in for a file part in a form's input (see [`Body`]).
pub(crate) const FILE_KEY: &str = "\u{0}file";

/// A body to validate.
pub(crate) struct Body<'a> {
    /// The input: the JSON object, or a form's parts nested by their dotted names,
    /// file parts as `{FILE_KEY: index into files}`.
    pub(crate) input: &'a Map<String, Value>,
    /// A form's file parts.
    pub(crate) files: &'a [(String, FilePart)],
    /// Whether the body is a form (its values are text).
    pub(crate) form: bool,
    /// Whether row `id` exists in table `table` (`exists:table`).
    pub(crate) exists: &'a (dyn Fn(&str, &str) -> bool + Sync),
}

/// The errors of `body` against `schema` (empty: valid).
pub(crate) fn validate(schema: &Schema, body: &Body<'_>) -> Errors {
    let mut errors = Errors::default();
    object(&mut errors, schema, "", body.input, body);
    errors
}

fn object(
    errors: &mut Errors,
    schema: &Schema,
    prefix: &str,
    input: &Map<String, Value>,
    body: &Body<'_>,
) {
    for (key, property) in &schema.properties {
        let name = match prefix {
            "" => key.clone(),
            prefix => format!("{prefix}.{key}"),
        };
        let required = schema.required.contains(key);
        field(
            errors,
            property,
            &name,
            input.get(key),
            required,
            input,
            body,
        );
    }
}

fn field(
    errors: &mut Errors,
    schema: &Schema,
    name: &str,
    value: Option<&Value>,
    required: bool,
    siblings: &Map<String, Value>,
    body: &Body<'_>,
) {
    if let Err(message) = check(schema, name, value, required, siblings, body) {
        errors.add(name, message);
        return;
    }
    match value {
        Some(Value::Array(items)) if !is_file(value) => {
            if let Some(item) = &schema.items {
                for (i, value) in items.iter().enumerate() {
                    let name = format!("{name}.{i}");
                    field(errors, item, &name, Some(value), false, siblings, body);
                }
            }
        }
        Some(Value::Object(fields)) if !is_file(value) => {
            object(errors, schema, name, fields, body);
        }
        _ => {}
    }
}

/// Whether `value` stands for a file part.
fn is_file(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::Object(o)) if o.contains_key(FILE_KEY))
}

/// Whether `value` is missing for `required` (absent, `null`, blank, `[]`).
fn missing(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

/// A rule `name:arguments` split.
fn split(rule: &str) -> (&str, &str) {
    rule.split_once(':').unwrap_or((rule, ""))
}

/// Display names of a rule's comma-separated fields, joined as Laravel joins them.
fn names(fields: &str) -> String {
    fields
        .split(',')
        .map(display_name)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The message of the required rule that applies to the field, if one does.
fn requirement(
    schema: &Schema,
    name: &str,
    required: bool,
    siblings: &Map<String, Value>,
) -> Option<String> {
    if required {
        return Some(required_message(name));
    }
    let sent = |field: &str| !missing(siblings.get(field));
    for rule in &schema.rules {
        let (rule, arguments) = split(rule);
        let fields = || arguments.split(',');
        let when = match rule {
            "required_with" if fields().any(sent) => format!("{} is present", names(arguments)),
            "required_without" if !fields().all(sent) => {
                format!("{} is not present", names(arguments))
            }
            "required_without_all" if !fields().any(sent) => {
                format!("none of {} are present", names(arguments))
            }
            "required_if" => {
                let (other, wanted) = arguments.split_once(',').unwrap_or((arguments, ""));
                let is = match siblings.get(other) {
                    Some(Value::String(s)) => s.trim() == wanted,
                    Some(value) => value.to_string().as_str() == wanted,
                    None => false,
                };
                if !is {
                    continue;
                }
                format!("{} is {wanted}", display_name(other))
            }
            _ => continue,
        };
        return Some(format!(
            "The {} field is required when {when}.",
            display_name(name)
        ));
    }
    None
}

/// The message of the JSON type `kind` for `name`.
fn type_message(kind: Kind, name: &str) -> String {
    let name = display_name(name);
    match kind {
        Kind::String => format!("The {name} field must be a string."),
        Kind::Integer => format!("The {name} field must be an integer."),
        Kind::Number => format!("The {name} field must be a number."),
        Kind::Boolean => format!("The {name} field must be true or false."),
        Kind::Array | Kind::Object => format!("The {name} field must be an array."),
    }
}

/// Whether `schema` is free text: a string without format, choices or rules on its
/// content (only lengths and conditions of presence).
fn is_plain_text(schema: &Schema) -> bool {
    schema.kind == Some(Kind::String)
        && schema.format.is_none()
        && schema.allowed.is_empty()
        && schema.rules.iter().all(|rule| {
            let (name, _) = split(rule);
            matches!(name, "max" | "min") || name.starts_with("required")
        })
}

/// What a value is, for size rules (`max`, `min`, `size`).
enum Sized<'v> {
    Text(&'v str),
    Number(f64),
    Items(usize),
    File(usize),
}

/// The first rule `value` fails, as Laravel's message.
fn check(
    schema: &Schema,
    name: &str,
    value: Option<&Value>,
    required: bool,
    siblings: &Map<String, Value>,
    body: &Body<'_>,
) -> Result<(), String> {
    let label = display_name(name);
    let binary = schema.format.as_deref() == Some("binary");
    if binary {
        let file = match value {
            Some(Value::Object(o)) => o
                .get(FILE_KEY)
                .and_then(Value::as_u64)
                .and_then(|i| body.files.get(usize::try_from(i).ok()?)),
            _ => None,
        };
        let Some((_, part)) = file else {
            if !missing(value) {
                return Err(format!("The {label} field must be a file."));
            }
            return match requirement(schema, name, required, siblings) {
                Some(message) => Err(message),
                None => Ok(()),
            };
        };
        if part.bytes.is_none() {
            return Err(format!("The {label} failed to upload."));
        }
        return rules(schema, name, &Value::Null, Some(part), siblings, body);
    }
    if missing(value) {
        if let Some(message) = requirement(schema, name, required, siblings) {
            return Err(message);
        }
        match value {
            None => return Ok(()),
            Some(Value::Null) if schema.nullable => return Ok(()),
            Some(Value::Null) => {
                return Err(type_message(schema.kind.unwrap_or(Kind::String), name));
            }
            // A blank string is `null` to Laravel: fine for a plain optional text,
            // checked against the type, format and choices of anything else.
            Some(Value::String(_)) if schema.nullable || is_plain_text(schema) => {
                return Ok(());
            }
            Some(_) => {}
        }
    }
    let Some(value) = value else {
        return Ok(());
    };
    let value = typed(schema.kind, value, body.form)
        .ok_or_else(|| type_message(schema.kind.unwrap_or(Kind::String), name))?;
    if !schema.allowed.is_empty() && !schema.allowed.iter().any(|a| same(a, &value)) {
        return Err(invalid_choice(name));
    }
    let text = value.as_str().map(str::trim);
    match (schema.format.as_deref(), text) {
        (Some("date"), Some(text)) if !matches_format(text, "Y-m-d") => {
            return Err(format!("The {label} field must match the format Y-m-d."));
        }
        (Some("email"), Some(text)) if !is_email(text) => {
            return Err(format!("The {label} field must be a valid email address."));
        }
        (Some("decimal"), Some(text)) if numeric(text).is_none() => {
            return Err(format!("The {label} field must be a number."));
        }
        _ => {}
    }
    let size = sized(schema, &value);
    let bound = |limit: f64| trim_float(limit);
    if let (Some(min), Some(Sized::Number(n))) = (schema.minimum, &size)
        && *n < min
    {
        return Err(format!(
            "The {label} field must be at least {}.",
            bound(min)
        ));
    }
    if let (Some(max), Some(Sized::Number(n))) = (schema.maximum, &size)
        && *n > max
    {
        return Err(format!(
            "The {label} field must not be greater than {}.",
            bound(max)
        ));
    }
    if let (Some(min), Some(Sized::Text(t))) = (schema.min_length, &size)
        && (t.chars().count() as u64) < min
    {
        return Err(format!(
            "The {label} field must be at least {min} characters."
        ));
    }
    if let (Some(max), Some(Sized::Text(t))) = (schema.max_length, &size)
        && t.chars().count() as u64 > max
    {
        return Err(format!(
            "The {label} field must not be greater than {max} characters."
        ));
    }
    if let (Some(min), Some(Sized::Items(n))) = (schema.min_items, &size)
        && (*n as u64) < min
    {
        return Err(format!("The {label} field must have at least {min} items."));
    }
    if let (Some(max), Some(Sized::Items(n))) = (schema.max_items, &size)
        && *n as u64 > max
    {
        return Err(format!(
            "The {label} field must not have more than {max} items."
        ));
    }
    rules(schema, name, &value, None, siblings, body)
}

/// The size of `value` for Laravel's size rules.
fn sized<'v>(schema: &Schema, value: &'v Value) -> Option<Sized<'v>> {
    match value {
        Value::Number(n) => n.as_f64().map(Sized::Number),
        Value::String(s) if schema.format.as_deref() == Some("decimal") => {
            numeric(s.trim()).map(Sized::Number)
        }
        Value::String(s) => Some(Sized::Text(s.trim())),
        Value::Array(items) => Some(Sized::Items(items.len())),
        Value::Object(fields) => Some(Sized::Items(fields.len())),
        _ => None,
    }
}

/// The `x-laravel` rules of `schema` that are not about presence.
fn rules(
    schema: &Schema,
    name: &str,
    value: &Value,
    file: Option<&FilePart>,
    siblings: &Map<String, Value>,
    body: &Body<'_>,
) -> Result<(), String> {
    let label = display_name(name);
    let size = match file {
        Some(part) => Some(Sized::File(part.size)),
        None => sized(schema, value),
    };
    let text = value.as_str().map(str::trim).unwrap_or_default();
    for rule in &schema.rules {
        let (rule, arguments) = split(rule);
        let limit = arguments.parse::<f64>().ok();
        let failed = match (rule, &size, limit) {
            ("max", Some(Sized::Text(t)), Some(max)) if t.chars().count() as f64 > max => {
                format!("The {label} field must not be greater than {arguments} characters.")
            }
            ("max", Some(Sized::Number(n)), Some(max)) if *n > max => {
                format!("The {label} field must not be greater than {arguments}.")
            }
            ("max", Some(Sized::Items(n)), Some(max)) if *n as f64 > max => {
                format!("The {label} field must not have more than {arguments} items.")
            }
            ("max", Some(Sized::File(bytes)), Some(max)) if *bytes as f64 > max * 1024.0 => {
                format!("The {label} field must not be greater than {arguments} kilobytes.")
            }
            ("min", Some(Sized::Text(t)), Some(min)) if (t.chars().count() as f64) < min => {
                format!("The {label} field must be at least {arguments} characters.")
            }
            ("min", Some(Sized::Number(n)), Some(min)) if *n < min => {
                format!("The {label} field must be at least {arguments}.")
            }
            ("min", Some(Sized::Items(n)), Some(min)) if (*n as f64) < min => {
                format!("The {label} field must have at least {arguments} items.")
            }
            ("size", Some(Sized::Text(t)), Some(size)) if t.chars().count() as f64 != size => {
                format!("The {label} field must be {arguments} characters.")
            }
            ("alpha", Some(Sized::Text(t)), _) if !t.chars().all(char::is_alphabetic) => {
                format!("The {label} field must only contain letters.")
            }
            ("email", Some(Sized::Text(t)), _) if !is_email(t) => {
                format!("The {label} field must be a valid email address.")
            }
            ("url", Some(Sized::Text(t)), _) if !is_url(t) => {
                format!("The {label} field must be a valid URL.")
            }
            ("in", _, _) if !arguments.split(',').any(|a| same(&Value::from(a), value)) => {
                invalid_choice(name)
            }
            ("decimal", _, _) if !decimal_places(text, arguments) => {
                let places = arguments.replace(',', "-");
                format!("The {label} field must have {places} decimal places.")
            }
            ("date_format", _, _) if !arguments.split(',').any(|f| matches_format(text, f)) => {
                let first = arguments.split(',').next().unwrap_or_default();
                format!("The {label} field must match the format {first}.")
            }
            ("after", _, _) => match siblings.get(arguments).and_then(Value::as_str) {
                Some(other) if local_time(other.trim()) >= local_time(text) => format!(
                    "The {label} field must be a date after {}.",
                    display_name(arguments)
                ),
                _ => continue,
            },
            ("exists", _, _) if !(body.exists)(arguments, text) => invalid_choice(name),
            ("mimes", _, _) => match file.and_then(|f| f.bytes.as_ref()) {
                Some(bytes) if arguments == "pdf" && !bytes.starts_with(b"%PDF-") => {
                    format!("The {label} field must be a file of type: {arguments}.")
                }
                _ => continue,
            },
            _ => continue,
        };
        return Err(failed);
    }
    Ok(())
}

/// `value` as the JSON type `kind` (a form's text read as PHP reads it), or `None`
/// if it is not one.
fn typed(kind: Option<Kind>, value: &Value, form: bool) -> Option<Value> {
    let Some(kind) = kind else {
        return Some(value.clone());
    };
    let text = value.as_str().filter(|_| form).map(str::trim);
    let ok = match (kind, value) {
        (Kind::String, Value::String(_)) => true,
        (Kind::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Kind::Number, Value::Number(_)) => true,
        (Kind::Boolean, Value::Bool(_)) => true,
        (Kind::Array, Value::Array(_)) => true,
        (Kind::Object, Value::Object(_)) => true,
        _ => false,
    };
    if ok {
        return Some(value.clone());
    }
    match (kind, text) {
        (Kind::Integer, Some(t)) => crate::paginator::filter_validate_int(t).map(Value::from),
        (Kind::Number, Some(t)) => numeric(t).map(Value::from),
        (Kind::Boolean, Some("true" | "1")) => Some(Value::Bool(true)),
        (Kind::Boolean, Some("false" | "0")) => Some(Value::Bool(false)),
        _ => None,
    }
}

/// Whether two JSON values are the same choice (numbers by value).
fn same(allowed: &Value, value: &Value) -> bool {
    match (allowed, value) {
        (Value::String(a), Value::Number(n)) | (Value::Number(n), Value::String(a)) => {
            a.parse::<f64>().ok() == n.as_f64()
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::String(b)) => a == b.trim(),
        (a, b) => a == b,
    }
}

/// `text` as PHP's `is_numeric` reads it, finite.
fn numeric(text: &str) -> Option<f64> {
    if text.is_empty() || text.contains(['x', 'X', 'i', 'I', 'n', 'N']) {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Laravel's `decimal:min,max` (or `decimal:n`): digits, at most one dot, between
/// `min` and `max` digits after it.
fn decimal_places(text: &str, arguments: &str) -> bool {
    let (min, max) = arguments.split_once(',').unwrap_or((arguments, arguments));
    let (Ok(min), Ok(max)) = (min.parse::<usize>(), max.parse::<usize>()) else {
        return true;
    };
    let unsigned = text.trim_start_matches(['+', '-']);
    let (units, decimals) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    !(units.is_empty() && decimals.is_empty())
        && units
            .bytes()
            .chain(decimals.bytes())
            .all(|b| b.is_ascii_digit())
        && (min..=max).contains(&decimals.len())
}

/// A PHP date format (`Y-m-d H:i:s`) as chrono's.
fn chrono_format(php: &str) -> String {
    php.chars()
        .map(|c| match c {
            'Y' => "%Y".to_owned(),
            'm' => "%m".to_owned(),
            'd' => "%d".to_owned(),
            'H' => "%H".to_owned(),
            'i' => "%M".to_owned(),
            's' => "%S".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// Whether `text` is exactly a date in the PHP format `format` (it round-trips, so
/// `2024-04-31` is not one).
fn matches_format(text: &str, format: &str) -> bool {
    let format = chrono_format(format);
    let parsed = if format.contains("%H") {
        NaiveDateTime::parse_from_str(text, &format).map(|t| t.format(&format).to_string())
    } else {
        chrono::NaiveDate::parse_from_str(text, &format).map(|d| d.format(&format).to_string())
    };
    parsed.is_ok_and(|round| round == text)
}

/// A local date-time (`Y-m-d H:i` or `Y-m-d H:i:s`), for `after`.
fn local_time(text: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

/// A plausible address (one `@`, a dot in the domain, no spaces), not RFC 5322 in full.
fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !text.contains(char::is_whitespace)
}

/// An absolute `http` or `https` URL with a host.
fn is_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// `1.0` as `1`, `0.01` as `0.01`.
fn trim_float(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The errors of the JSON body `body` of `operation` against the embedded spec; ids
/// that contain `nope` exist in no table.
#[cfg(test)]
pub(crate) fn json_errors(operation: &str, body: Value) -> Errors {
    let spec = crate::openapi::request_body(operation).unwrap().unwrap();
    let input = body.as_object().cloned().unwrap_or_default();
    let body = Body {
        input: &input,
        files: &[],
        form: false,
        exists: &|_, id| !id.contains("nope"),
    };
    validate(spec.json.as_ref().unwrap(), &body)
}

/// The errors of the form `form` of `operation` against the embedded spec; ids that
/// contain `nope` exist in no table.
#[cfg(test)]
pub(crate) fn form_errors(operation: &str, form: &crate::requests::Form) -> Errors {
    let spec = crate::openapi::request_body(operation).unwrap().unwrap();
    let input = crate::requests::nested(form);
    let body = Body {
        input: &input,
        files: &form.files,
        form: true,
        exists: &|_, id| !id.contains("nope"),
    };
    validate(spec.form.as_ref().unwrap(), &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::all_request_bodies;
    use crate::requests::Form;
    use serde_json::json;

    fn first(operation: &str, body: Value) -> String {
        json_errors(operation, body).message()
    }

    #[test]
    fn every_rule_the_spec_declares_is_one_the_engine_reads() {
        fn walk(schema: &Schema, operation: &str, seen: &mut usize) {
            for rule in &schema.rules {
                let (name, _) = split(rule);
                assert!(RULES.contains(&name), "{operation}: unknown rule {rule}");
                *seen += 1;
            }
            for (_, property) in &schema.properties {
                walk(property, operation, seen);
            }
            if let Some(items) = &schema.items {
                walk(items, operation, seen);
            }
        }
        let mut seen = 0;
        for (operation, body) in all_request_bodies() {
            for schema in body.json.iter().chain(&body.form) {
                walk(schema, operation, &mut seen);
            }
        }
        assert!(seen > 50, "{seen} rules");
    }

    #[test]
    fn json_types_are_strict_and_null_is_only_for_nullable_fields() {
        let customer = json!({
            "companyName": "Test Company BV", "address": "Teststreet 123", "zipCode": "1234AB",
            "city": "Amsterdam", "primaryEmail": "john.doe@test.com",
        });
        assert!(json_errors("create-customer", customer.clone()).is_empty());
        for (field, value, message) in [
            (
                "countryCode",
                json!(12),
                "The country code field must be a string.",
            ),
            (
                "countryCode",
                json!(null),
                "The country code field must be a string.",
            ),
            ("city", json!(["x"]), "The city field must be a string."),
            (
                "primaryEmail",
                json!("nope"),
                "The primary email field must be a valid email address.",
            ),
            (
                "zipCode",
                json!("x".repeat(256)),
                "The zip code field must not be greater than 255 characters.",
            ),
        ] {
            let mut body = customer.clone();
            body[field] = value;
            assert_eq!(first("create-customer", body), message, "{field}");
        }
        let card = "stamp-an-issued-punch-card";
        assert_eq!(
            first(card, json!({"stamps": "2"})),
            "The stamps field must be an integer."
        );
        assert_eq!(
            first(card, json!({"stamps": 2.5})),
            "The stamps field must be an integer."
        );
        assert_eq!(
            first(card, json!({"stamps": 0})),
            "The stamps field must be at least 1."
        );
        assert!(json_errors(card, json!({"stamps": 2})).is_empty());
        let sign_up = "sign-up-a-customer-for-a-customer-subscription-package";
        let body = json!({"customerId": "cst_1", "startDate": "2024-05-04", "invoiceText": null});
        assert!(
            json_errors(sign_up, body).is_empty(),
            "invoiceText is nullable"
        );
        let body = json!({"customerId": "cst_1", "startDate": "2024-05-04", "createInvoice": 1});
        assert_eq!(
            first(sign_up, body),
            "The create invoice field must be true or false."
        );
    }

    #[test]
    fn amounts_are_decimal_strings_with_at_most_two_decimals() {
        let link = |amount: Value| {
            first(
                "create-payment-link",
                json!({"description": "Borg", "amount": amount}),
            )
        };
        for ok in ["12.95", "12", "12.9", " 0.05 ", "999999999.99"] {
            assert_eq!(link(json!(ok)), "The given data was invalid.", "{ok}");
        }
        for (amount, message) in [
            (
                json!("12.955"),
                "The amount field must have 0-2 decimal places.",
            ),
            (
                json!("1e3"),
                "The amount field must have 0-2 decimal places.",
            ),
            (json!("abc"), "The amount field must be a number."),
            (json!("NaN"), "The amount field must be a number."),
            (json!("12,95"), "The amount field must be a number."),
            (json!("0.00"), "The amount field must be at least 0.01."),
            (json!("-1"), "The amount field must be at least 0.01."),
            (
                json!("1000000000"),
                "The amount field must not be greater than 999999999.99.",
            ),
            (json!(12.5), "The amount field must be a string."),
            (json!(""), "The amount field is required."),
        ] {
            assert_eq!(link(amount.clone()), message, "{amount}");
        }
    }

    #[test]
    fn dates_and_local_times_must_round_trip() {
        let manual = |issued: &str| {
            let body = json!({
                "customerId": "cst_1", "invoiceNumber": "1", "issuedAt": issued,
                "lines": [{"description": "x", "amountExclVat": "1", "vatRate": 21}],
            });
            json_errors("create-customer-invoice-manual", body)
        };
        assert!(manual("2024-04-30").is_empty());
        for bad in [
            "2024-04-31",
            "2024-4-30",
            "30-04-2024",
            "2024-04-30T00:00:00",
        ] {
            assert_eq!(
                manual(bad).message(),
                "The issued at field must match the format Y-m-d.",
                "{bad}"
            );
        }
        let paid = |at: &str| first("mark-customer-invoice-paid", json!({ "paidAt": at }));
        assert_eq!(paid("2024-05-11 12:59:00"), "The given data was invalid.");
        for bad in [
            "2024-05-11T12:59:00",
            "2024-05-11 12:59",
            "2024-04-31 14:00:00",
        ] {
            assert_eq!(
                paid(bad),
                "The paid at field must match the format Y-m-d H:i:s.",
                "{bad}"
            );
        }
        let change = "change-customer-subscription";
        let body = json!({"terminatedAt": ""});
        assert_eq!(
            first(change, body),
            "The terminated at field must match the format Y-m-d H:i:s."
        );
    }

    #[test]
    fn urls_choices_and_references() {
        let hook =
            |url: &str, kind: &str| first("create-webhook", json!({"url": url, "type": kind}));
        assert_eq!(
            hook("http://127.0.0.1:8080/in", "invoice-paid"),
            "The given data was invalid."
        );
        assert_eq!(
            hook("/hook", "invoice-paid"),
            "The url field must be a valid URL."
        );
        assert_eq!(
            hook("mailto:a@b.nl", "invoice-paid"),
            "The url field must be a valid URL."
        );
        assert_eq!(
            hook("https://a.nl", "invoice-updated"),
            "The selected type is invalid."
        );
        let package = json!({"name": "x", "interval": "1 year", "amount": "1", "vatRate": 20});
        let operation = "create-customer-subscription-package";
        assert_eq!(
            first(operation, package),
            "The selected vat rate is invalid."
        );
        let issue = "issue-new-punch-card";
        assert_eq!(
            first(issue, json!({"customerId": "cst_nope"})),
            "The selected customer id is invalid."
        );
        assert!(json_errors(issue, json!({"customerId": "cst_1"})).is_empty());
    }

    #[test]
    fn forms_are_text_read_as_php_reads_it() {
        use crate::requests::FilePart;
        let pdf = |bytes: &'static [u8]| FilePart {
            bytes: Some(bytes::Bytes::from_static(bytes)),
            size: bytes.len(),
            file_name: "i.pdf".to_owned(),
            content_type: Some("application/pdf".to_owned()),
        };
        let text = |fields: Value| fields.as_object().cloned().unwrap_or_default();
        let valid = json!({
            "customerId": "cst_1", "invoiceNumber": "1", "issuedAt": "2025-01-01",
            "amount": "12.95", "sendNotification": "1",
        });
        let form = Form {
            input: text(valid.clone()),
            files: vec![("pdf".to_owned(), pdf(b"%PDF-1.4"))],
        };
        assert!(form_errors("create-customer-invoice", &form).is_empty());
        let mut bad = valid;
        bad["sendNotification"] = json!("yes");
        let form = Form {
            input: text(bad),
            files: vec![("pdf".to_owned(), pdf(b"GIF89a"))],
        };
        let errors = form_errors("create-customer-invoice", &form);
        assert_eq!(errors.fields(), ["pdf", "sendNotification"]);
        assert_eq!(
            errors.message(),
            "The pdf field must be a file of type: pdf. (and 1 more error)"
        );
        let form = Form {
            input: text(json!({"pdf": "not a file"})),
            files: Vec::new(),
        };
        let errors = form_errors("create-customer-invoice", &form);
        assert_eq!(
            errors.fields(),
            ["customerId", "invoiceNumber", "issuedAt", "amount", "pdf"]
        );
        let Err(pdf) = json_errors_of(&errors, "pdf") else {
            panic!("{errors:?}");
        };
        assert_eq!(pdf, "The pdf field must be a file.");
    }

    /// The first message of `field` in `errors`.
    fn json_errors_of(errors: &Errors, field: &str) -> Result<(), String> {
        match errors.messages(field).first() {
            Some(message) => Err(message.clone()),
            None => Ok(()),
        }
    }
}
