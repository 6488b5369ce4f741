//! The rule engine: a body checked against its schema in the embedded spec as Laravel's
//! `$request->validate()` checks it: each property, in the spec's order, reports its first
//! failing rule (schema keywords, then the `x-laravel` rules), nested fields dotted.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::input::naive_local_time;
use crate::openapi::{Kind, Schema};
use crate::requests::FilePart;
use crate::validation::{Errors, Input, display_name, invalid_choice, required_message};

/// The `x-laravel` rules the engine reads.
const RULES: &str = "max min size alpha email url in decimal date_format after exists mimes \
    required_if required_with required_without required_without_all";

/// A file part's stand-in in a form's input: `{FILE_KEY: index into files}`.
pub(crate) const FILE_KEY: &str = "\u{0}file";

pub(crate) struct Body<'a> {
    /// The JSON object, or a form's parts nested by their dotted names ([`FILE_KEY`]).
    pub(crate) input: &'a Input,
    pub(crate) files: &'a [(String, FilePart)],
    /// Whether the body is a form (its values are text).
    pub(crate) form: bool,
    /// Whether row `id` exists in `table`: `(table, id)`.
    pub(crate) exists: &'a (dyn Fn(&str, &str) -> bool + Sync),
}

/// A field to check, in the object `siblings`.
struct Field<'a> {
    body: &'a Body<'a>,
    schema: &'a Schema,
    name: String,
    value: Option<&'a Value>,
    required: bool,
    siblings: &'a Input,
}

/// A value's size and the unit its messages name (`" items"`).
type Size = (f64, &'static str);

/// Whether the engine reads the `x-laravel` rule `max:255`.
pub(crate) fn known(rule: &str) -> bool {
    RULES.split_whitespace().any(|name| name == split(rule).0)
}

pub(crate) fn validate(schema: &Schema, body: &Body<'_>) -> Errors {
    let mut errors = Errors::default();
    body.object(&mut errors, schema, "", body.input);
    errors
}

impl Body<'_> {
    /// Checks the properties of `schema` in `input`, named `{prefix}{key}`.
    fn object(&self, errors: &mut Errors, schema: &Schema, prefix: &str, input: &Input) {
        for (key, property) in &schema.properties {
            let field = Field {
                body: self,
                schema: property,
                name: format!("{prefix}{key}"),
                value: input.get(key),
                required: schema.required.contains(key),
                siblings: input,
            };
            field.check_into(errors);
        }
    }
}

impl Field<'_> {
    fn check_into(&self, errors: &mut Errors) {
        if let Some(message) = self.check() {
            return errors.add(&self.name, message);
        }
        match (self.value, &self.schema.items) {
            (Some(Value::Array(items)), Some(item)) => {
                for (i, value) in items.iter().enumerate() {
                    let item = Field {
                        schema: item,
                        name: format!("{}.{i}", self.name),
                        value: Some(value),
                        required: false,
                        ..*self
                    };
                    item.check_into(errors);
                }
            }
            (Some(Value::Object(fields)), _) if !fields.contains_key(FILE_KEY) => {
                let prefix = format!("{}.", self.name);
                self.body.object(errors, self.schema, &prefix, fields);
            }
            _ => {}
        }
    }

    fn must(&self, rest: &str) -> String {
        format!("The {} field must {rest}.", display_name(&self.name))
    }

    /// The message of the required rule that applies to the field, if one does.
    fn requirement(&self) -> Option<String> {
        if self.required {
            return Some(required_message(&self.name));
        }
        let sent = |field: &str| !missing(self.siblings.get(field));
        let when = self.schema.rules.iter().find_map(|rule| {
            let (rule, arguments) = split(rule);
            let fields = || arguments.split(',');
            let names = fields().map(display_name).collect::<Vec<_>>().join(" / ");
            Some(match rule {
                "required_with" if fields().any(sent) => format!("{names} is present"),
                "required_without" if !fields().all(sent) => format!("{names} is not present"),
                "required_without_all" if !fields().any(sent) => {
                    format!("none of {names} are present")
                }
                "required_if" => {
                    let (other, wanted) = arguments.split_once(',').unwrap_or((arguments, ""));
                    let is = match self.siblings.get(other)? {
                        Value::String(s) => s.trim() == wanted,
                        value => value.to_string().as_str() == wanted,
                    };
                    is.then(|| format!("{} is {wanted}", display_name(other)))?
                }
                _ => return None,
            })
        })?;
        let name = display_name(&self.name);
        Some(format!("The {name} field is required when {when}."))
    }

    fn type_message(&self) -> String {
        self.must(match self.schema.kind.unwrap_or(Kind::String) {
            Kind::String => "be a string",
            Kind::Integer => "be an integer",
            Kind::Number => "be a number",
            Kind::Boolean => "be true or false",
            Kind::Array | Kind::Object => "be an array",
        })
    }

    /// The first rule the field fails, as Laravel's message.
    fn check(&self) -> Option<String> {
        let (schema, value) = (self.schema, self.value);
        if schema.format.as_deref() == Some("binary") {
            let file = value.and_then(|v| self.body.files.get(v.get(FILE_KEY)?.as_u64()? as usize));
            let Some((_, part)) = file else {
                let not_a_file = (!missing(value)).then(|| self.must("be a file"));
                return not_a_file.or_else(|| self.requirement());
            };
            if part.bytes.is_none() {
                let name = display_name(&self.name);
                return Some(format!("The {name} failed to upload."));
            }
            let size = (part.size as f64 / 1024.0, " kilobytes");
            return self.rules(&Value::Null, Some(size), Some(part));
        }
        let blank = missing(value);
        if blank && let message @ Some(_) = self.requirement() {
            return message;
        }
        match value? {
            Value::Null if schema.nullable => return None,
            Value::Null => return Some(self.type_message()),
            // Blank is `null` to Laravel: fine when nullable or plain text, else checked.
            Value::String(_) if blank && (schema.nullable || is_plain_text(schema)) => return None,
            _ => {}
        }
        let Some(value) = typed(schema.kind, value?, self.body.form) else {
            return Some(self.type_message());
        };
        if !schema.allowed.is_empty() && !schema.allowed.iter().any(|a| same(a, &value)) {
            return Some(invalid_choice(&self.name));
        }
        let format = match (schema.format.as_deref(), value.as_str().map(str::trim)) {
            (Some("date"), Some(t)) if !matches_format(t, "Y-m-d") => "match the format Y-m-d",
            (Some("email"), Some(t)) if !is_email(t) => "be a valid email address",
            (Some("decimal"), Some(t)) if numeric(t).is_none() => "be a number",
            _ => return self.bounds(&value),
        };
        Some(self.must(format))
    }

    /// The first bound of the schema (`minimum`, `maxLength`, ...) or rule `value` fails.
    fn bounds(&self, value: &Value) -> Option<String> {
        let (schema, size) = (self.schema, sized(self.schema, value));
        let [min, max] = match size {
            Some((_, "")) => [schema.minimum, schema.maximum],
            Some((_, " characters")) => [schema.min_length, schema.max_length],
            Some(_) => [schema.min_items, schema.max_items],
            None => [None; 2],
        };
        let bound = |rule, limit: Option<f64>| self.size_rule(rule, size?, &limit?.to_string());
        let bound = bound("min", min).or_else(|| bound("max", max));
        bound.or_else(|| self.rules(value, size, None))
    }

    /// The first `x-laravel` rule (other than a presence rule) `value` fails.
    fn rules(&self, value: &Value, size: Option<Size>, file: Option<&FilePart>) -> Option<String> {
        let text = value.as_str().map(str::trim).unwrap_or_default();
        let name = &self.name;
        let sibling = |field| self.siblings.get(field)?.as_str().map(str::trim);
        let is_text = matches!(size, Some((_, " characters")));
        self.schema.rules.iter().find_map(|rule| {
            let (rule, arguments) = split(rule);
            let choices = || arguments.split(',');
            let pdf = |bytes: &bytes::Bytes| arguments == "pdf" && !bytes.starts_with(b"%PDF-");
            Some(match rule {
                "max" | "min" | "size" => return self.size_rule(rule, size?, arguments),
                "alpha" if is_text && !text.chars().all(char::is_alphabetic) => {
                    self.must("only contain letters")
                }
                "email" if is_text && !is_email(text) => self.must("be a valid email address"),
                "url" if is_text && !is_url(text) => self.must("be a valid URL"),
                "in" if !choices().any(|a| same(&Value::from(a), value)) => invalid_choice(name),
                "decimal" if !decimal_places(text, arguments) => self.must(&format!(
                    "have {} decimal places",
                    arguments.replace(',', "-")
                )),
                "date_format" if !choices().any(|f| matches_format(text, f)) => {
                    let first = choices().next().unwrap_or_default();
                    self.must(&format!("match the format {first}"))
                }
                "after" if naive_local_time(sibling(arguments)?) >= naive_local_time(text) => {
                    self.must(&format!("be a date after {}", display_name(arguments)))
                }
                "exists" if !(self.body.exists)(arguments, text) => invalid_choice(name),
                "mimes" if file.and_then(|f| f.bytes.as_ref()).is_some_and(pdf) => {
                    self.must(&format!("be a file of type: {arguments}"))
                }
                _ => return None,
            })
        })
    }

    /// Laravel's message if `(size, unit)` fails the size rule `rule` (`min`, `max`, `size`).
    fn size_rule(&self, rule: &str, (size, unit): Size, limit: &str) -> Option<String> {
        let bound: f64 = limit.parse().ok()?;
        let must = match (rule, unit) {
            ("max", " items") if size > bound => "not have more than",
            ("max", _) if size > bound => "not be greater than",
            ("min", " kilobytes") => return None,
            ("min", " items") if size < bound => "have at least",
            ("min", _) if size < bound => "be at least",
            ("size", " characters") if size != bound => "be",
            _ => return None,
        };
        Some(self.must(&format!("{must} {limit}{unit}")))
    }
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

fn split(rule: &str) -> (&str, &str) {
    rule.split_once(':').unwrap_or((rule, ""))
}

/// Whether `schema` is free text: a string with no format, choices or rules on its content.
fn is_plain_text(schema: &Schema) -> bool {
    let free = |r: &String| matches!(split(r).0, "max" | "min") || r.starts_with("required");
    schema.kind == Some(Kind::String)
        && schema.format.is_none()
        && schema.allowed.is_empty()
        && schema.rules.iter().all(free)
}

fn sized(schema: &Schema, value: &Value) -> Option<Size> {
    Some(match value {
        Value::Number(n) => (n.as_f64()?, ""),
        Value::String(s) if schema.format.as_deref() == Some("decimal") => (numeric(s.trim())?, ""),
        Value::String(s) => (s.trim().chars().count() as f64, " characters"),
        Value::Array(items) => (items.len() as f64, " items"),
        Value::Object(fields) => (fields.len() as f64, " items"),
        _ => return None,
    })
}

/// `value` as the JSON type `kind` (a form's text read as PHP reads it), if it is one.
fn typed(kind: Option<Kind>, value: &Value, form: bool) -> Option<Value> {
    let Some(kind) = kind else {
        return Some(value.clone());
    };
    let text = value.as_str().filter(|_| form).map(str::trim);
    match (kind, value, text) {
        (Kind::Integer, Value::Number(n), _) if n.is_i64() || n.is_u64() => Some(value.clone()),
        (Kind::String, Value::String(_), _)
        | (Kind::Number, Value::Number(_), _)
        | (Kind::Boolean, Value::Bool(_), _)
        | (Kind::Array, Value::Array(_), _)
        | (Kind::Object, Value::Object(_), _) => Some(value.clone()),
        (Kind::Integer, _, Some(t)) => crate::paginator::filter_validate_int(t).map(Value::from),
        (Kind::Number, _, Some(t)) => numeric(t).map(Value::from),
        (Kind::Boolean, _, Some("true" | "1")) => Some(Value::Bool(true)),
        (Kind::Boolean, _, Some("false" | "0")) => Some(Value::Bool(false)),
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
    let plain = !text.contains(['x', 'X', 'i', 'I', 'n', 'N']);
    text.parse::<f64>().ok().filter(|n| plain && n.is_finite())
}

/// Laravel's `decimal:min,max` (or `decimal:n`): digits, one dot at most, min-max decimals.
fn decimal_places(text: &str, arguments: &str) -> bool {
    let (min, max) = arguments.split_once(',').unwrap_or((arguments, arguments));
    let (Ok(min), Ok(max)) = (min.parse::<usize>(), max.parse::<usize>()) else {
        return true;
    };
    let unsigned = text.trim_start_matches(['+', '-']);
    let (units, decimals) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{units}{decimals}");
    let number = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    number && (min..=max).contains(&decimals.len())
}

/// Whether `text` is a date in the PHP format `php` that round-trips (`2024-04-31` does not).
fn matches_format(text: &str, php: &str) -> bool {
    // Each PHP letter, followed by chrono's directive for it.
    let directives = "Y%Y m%m d%d H%H i%M s%S".split(' ');
    let format = directives.fold(php.to_owned(), |f, d| f.replace(&d[..1], &d[1..]));
    let parsed = if format.contains("%H") {
        NaiveDateTime::parse_from_str(text, &format).map(|t| t.format(&format).to_string())
    } else {
        NaiveDate::parse_from_str(text, &format).map(|d| d.format(&format).to_string())
    };
    parsed.is_ok_and(|round| round == text)
}

/// A plausible address (one `@`, a dot in the domain, no spaces), not RFC 5322 in full.
fn is_email(text: &str) -> bool {
    let (local, domain) = text.split_once('@').unwrap_or_default();
    let dotted = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.');
    !local.is_empty() && !domain.contains('@') && dotted && !text.contains(char::is_whitespace)
}

/// An absolute `http` or `https` URL with a host.
fn is_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

#[cfg(test)]
/// The errors of the JSON body `body` of `operation` against the embedded spec; ids
/// that contain `nope` exist in no table.
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

#[cfg(test)]
/// The errors of the form `form` of `operation` against the embedded spec; ids that
/// contain `nope` exist in no table.
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
                assert!(known(rule), "{operation}: unknown rule {rule}");
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
