//! Contract tests: the mock against the project's OpenAPI spec and generated client.
//!
//! Every page of several datasets is walked with the generated client (so every body
//! must decode into the generated types) and checked against simple-paginator
//! invariants; the raw JSON is also validated against the spec's schemas, strictly
//! (every field sent must be documented, every required field sent, `null` only where
//! nullable). Where the mock and the spec disagree, these tests fail.

use std::collections::HashSet;
use std::str::FromStr;

use chrono::NaiveDate;
use mijnklantportaal_mock::{MockServer, Quirks};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::{api, bounded, get_json, page_url};

/// The component schemas of the project's spec (the root file and every tag file of
/// `spec/tags/`), as JSON under `components.schemas`.
fn spec() -> Value {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec");
    let mut files = vec![std::path::PathBuf::from(dir).join("mijnklantportaal.yaml")];
    let mut tags: Vec<_> = std::fs::read_dir(format!("{dir}/tags"))
        .expect("spec/tags")
        .map(|entry| entry.expect("a tag file").path())
        .collect();
    tags.sort();
    files.extend(tags);
    let mut schemas = serde_json::Map::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a spec file");
        let value: Value = serde_yaml_ng::from_str(&text).expect("spec parses");
        if let Some(found) = value["components"]["schemas"].as_object() {
            schemas.extend(found.clone());
        }
    }
    serde_json::json!({ "components": { "schemas": schemas } })
}

/// Strict validation of `value` against `schema` (the subset of OpenAPI 3.0 the spec
/// uses). Returns every violation found.
fn validate(spec: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &spec["components"]["schemas"][name];
        assert!(!target.is_null(), "unresolved {reference}");
        return validate(spec, target, value, at, errors);
    }
    if value.is_null() {
        if schema["nullable"] != Value::Bool(true) {
            errors.push(format!("{at}: null but not nullable"));
        }
        return;
    }
    if let Some(variants) = schema["oneOf"].as_array() {
        let matching = variants
            .iter()
            .filter(|variant| {
                let mut inner = Vec::new();
                validate(spec, variant, value, at, &mut inner);
                inner.is_empty()
            })
            .count();
        if matching != 1 {
            errors.push(format!("{at}: matches {matching} oneOf variants"));
        }
        return;
    }
    match schema["type"].as_str() {
        Some("object") => {
            let Some(object) = value.as_object() else {
                return errors.push(format!("{at}: not an object"));
            };
            let properties = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for required in schema["required"].as_array().into_iter().flatten() {
                let key = required.as_str().unwrap_or_default();
                if !object.contains_key(key) {
                    errors.push(format!("{at}: missing required `{key}`"));
                }
            }
            for (key, field) in object {
                match properties.get(key) {
                    Some(property) => {
                        validate(spec, property, field, &format!("{at}.{key}"), errors)
                    }
                    None => match schema.get("additionalProperties") {
                        Some(extra) if extra.is_object() => {
                            validate(spec, extra, field, &format!("{at}.{key}"), errors)
                        }
                        _ => errors.push(format!("{at}: undocumented field `{key}`")),
                    },
                }
            }
        }
        Some("array") => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    validate(spec, &schema["items"], item, &format!("{at}[{i}]"), errors);
                }
            }
            None => errors.push(format!("{at}: not an array")),
        },
        Some("integer") => match value.as_i64() {
            Some(n) => {
                if let Some(min) = schema["minimum"].as_i64()
                    && n < min
                {
                    errors.push(format!("{at}: {n} below minimum {min}"));
                }
            }
            None => errors.push(format!("{at}: not an integer")),
        },
        Some("string") => {
            let Some(text) = value.as_str() else {
                return errors.push(format!("{at}: not a string"));
            };
            let format_ok = match schema["format"].as_str() {
                Some("date") => NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
                Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                Some("decimal") => Decimal::from_str(text).is_ok(),
                _ => true,
            };
            let pattern_ok = match schema["pattern"].as_str() {
                Some("^[0-9]+$") => !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()),
                Some(other) => panic!("pattern {other} not supported by this validator"),
                None => true,
            };
            if !format_ok || !pattern_ok {
                errors.push(format!("{at}: {text:?} does not match {schema}"));
            }
        }
        other => panic!("{at}: schema type {other:?} not supported by this validator"),
    }
}

/// Panics with every violation of `value` against component schema `name`.
fn assert_matches_schema(spec: &Value, name: &str, value: &Value) {
    let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
    let mut errors = Vec::new();
    validate(spec, &schema, value, name, &mut errors);
    assert!(
        errors.is_empty(),
        "mock disagrees with the spec:\n{}",
        errors.join("\n")
    );
}

/// Walks every page of a dataset of `len` invoices with the generated client.
async fn walk(len: u64, per_page: u64, quirks: Quirks) {
    let server = MockServer::builder()
        .invoices(len)
        .seed(len ^ 0x5EED)
        .per_page(per_page)
        .quirks(quirks)
        .no_rate_limit()
        .start()
        .await
        .expect("server starts");
    let api = api(&server);
    let origin = server.origin();
    let dataset = server.dataset();
    let spec = spec();
    let mut ids = HashSet::new();
    let mut page: u32 = 1;
    loop {
        let response = bounded(api.list_customer_invoices().page(page).send())
            .await
            .unwrap_or_else(|e| panic!("page {page} of {len}: {e}"));
        let body = response.into_inner();
        let current = u64::from(page);
        let offset = (current - 1) * per_page;
        let expected_rows = per_page.min(len.saturating_sub(offset));
        let has_more = offset + per_page < len;

        assert_eq!(body.current_page.get(), current);
        assert_eq!(body.per_page.get(), per_page);
        assert_eq!(body.first_page_url, page_url(&origin, 1));
        assert_eq!(body.path, format!("{origin}/v1/customer-invoices"));
        assert_eq!(body.data.len() as u64, expected_rows, "rows of page {page}");
        if expected_rows == 0 {
            assert_eq!((body.from, body.to), (None, None));
        } else {
            let from = body.from.expect("from") as u64;
            let to = body.to.expect("to") as u64;
            assert_eq!(from, offset + 1);
            assert_eq!(to - from + 1, expected_rows);
        }
        let mut expected_next = has_more.then(|| page_url(&origin, current + 1));
        if quirks.trailing_comma_next_page_url
            && let Some(url) = &mut expected_next
        {
            url.push(',');
        }
        assert_eq!(body.next_page_url, expected_next);
        assert_eq!(
            body.prev_page_url,
            (current > 1).then(|| page_url(&origin, current - 1))
        );
        for (row, invoice) in body.data.iter().enumerate() {
            let expected = dataset.invoice(offset + row as u64).expect("in dataset");
            assert!(
                ids.insert(invoice.id.clone()),
                "duplicate id {}",
                invoice.id
            );
            assert_eq!(invoice.id, expected.id);
            assert!(invoice.id.starts_with("inv_") && invoice.id.len() == 18);
            assert_eq!(invoice.customer_id, expected.customer_id);
            assert_eq!(invoice.invoice_number, expected.invoice_number);
            assert_eq!(invoice.issued_at, expected.issued_at);
            assert_eq!(invoice.currency, "EUR");
            assert_eq!(
                invoice.amount,
                Decimal::from_str(&expected.amount()).unwrap()
            );
            assert_eq!(invoice.amount.scale(), 2);
            assert_eq!(invoice.paid_at, expected.paid_at);
            assert_eq!(invoice.created_at, expected.created_at);
            assert_eq!(invoice.links.customer.href, expected.customer_url(&origin));
            assert_eq!(invoice.links.customer.type_, "application/json");
            assert!(invoice.links.online_payment_link.is_none());
        }
        if page <= 2 || body.next_page_url.is_none() {
            // The raw body: exactly what the mock says it sends, and valid per the spec.
            let (status, _, raw) =
                get_json(&server, &format!("/v1/customer-invoices?page={page}")).await;
            assert_eq!(status, 200);
            assert_eq!(raw, server.page_json(current, &origin));
            assert_matches_schema(&spec, "CustomerInvoicePage", &raw);
            assert_eq!(raw["per_page"].is_string(), quirks.per_page_as_string);
        }
        if body.next_page_url.is_none() {
            break;
        }
        page += 1;
    }
    assert_eq!(ids.len() as u64, len, "every invoice exactly once");

    // One page further: empty, but still linked back.
    let past = bounded(api.list_customer_invoices().page(page + 1).send())
        .await
        .expect("past the end")
        .into_inner();
    assert!(past.data.is_empty());
    assert_eq!((past.from, past.to, past.next_page_url), (None, None, None));
    assert_eq!(past.prev_page_url, Some(page_url(&origin, u64::from(page))));
    server.shutdown().await;
}

#[tokio::test]
async fn every_page_of_every_size_decodes_with_the_generated_client() {
    for len in [0, 1, 15, 16, 1_000] {
        walk(len, 15, Quirks::default()).await;
    }
}

#[tokio::test]
async fn quirks_still_decode_with_the_generated_client() {
    let quirks = Quirks {
        trailing_comma_next_page_url: true,
        per_page_as_string: true,
    };
    for len in [0, 16, 1_000] {
        walk(len, 15, quirks).await;
    }
}

#[tokio::test]
async fn other_page_sizes() {
    walk(100, 1, Quirks::default()).await;
    walk(100, 100, Quirks::default()).await;
    walk(250, 7, Quirks::default()).await;
}

#[tokio::test]
async fn single_invoices_and_errors_match_the_spec() {
    let server = MockServer::builder().invoices(50).start().await.unwrap();
    let spec = spec();
    let invoice = server.dataset().invoice(49).unwrap();
    let (status, _, raw) =
        get_json(&server, &format!("/v1/customer-invoices/{}", invoice.id)).await;
    assert_eq!(status, 200);
    assert_matches_schema(&spec, "CustomerInvoice", &raw);
    assert!(raw["links"]["onlinePaymentLink"].is_object());
    for path in ["/v1/customer-invoices/inv_00000000000000", "/v1/nope"] {
        let (status, _, raw) = get_json(&server, path).await;
        assert_eq!(status, 404);
        assert_matches_schema(&spec, "ErrorBody", &raw);
    }
    let unauthenticated = crate::common::get(&server, "/v1/customer-invoices", None).await;
    let raw: Value = unauthenticated.json().await.unwrap();
    assert_matches_schema(&spec, "ErrorBody", &raw);
}

#[test]
fn the_validator_catches_disagreements() {
    let spec = spec();
    let page = serde_json::json!({
        "current_page": 0, "data": [], "first_page_url": "x", "from": null,
        "next_page_url": null, "path": "x", "per_page": "15a", "prev_page_url": null,
        "to": null, "total": 3
    });
    let mut errors = Vec::new();
    let schema = serde_json::json!({ "$ref": "#/components/schemas/CustomerInvoicePage" });
    validate(&spec, &schema, &page, "page", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:?}");
}
