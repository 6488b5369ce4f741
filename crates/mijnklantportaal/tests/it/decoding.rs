//! Whatever bytes the server sends, decoding a page gives a page or an error that names
//! the page: never a panic, never an unbounded allocation.

use mijnklantportaal::{Error, ListCustomerInvoices, decode_page};
use proptest::prelude::*;

fn check(page: u64, body: &[u8]) {
    match decode_page::<ListCustomerInvoices>(page, body) {
        Ok(_) => {}
        Err(Error::Decode {
            page: p, snippet, ..
        }) => {
            assert_eq!(p, page);
            assert!(snippet.chars().count() <= 121, "snippet is short");
        }
        Err(Error::TruncatedBody { page: p }) => assert_eq!(p, page),
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-z0-9_:/?=.,+-]{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("current_page".to_string()),
                    Just("data".to_string()),
                    Just("per_page".to_string()),
                    Just("from".to_string()),
                    Just("to".to_string()),
                    Just("next_page_url".to_string()),
                    Just("amount".to_string()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..10
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid page with one field replaced by any JSON value.
fn mutated_page() -> impl Strategy<Value = Vec<u8>> {
    let fields = prop_oneof![
        Just("current_page"),
        Just("per_page"),
        Just("from"),
        Just("to"),
        Just("next_page_url"),
        Just("data"),
    ];
    (fields, json_value()).prop_map(|(field, value)| {
        let mut page = serde_json::json!({
            "current_page": 1,
            "data": [{
                "id": "inv_abc12345def678", "customerId": "cst_abc12345def678",
                "invoiceNumber": "2024-001", "issuedAt": "2024-04-29", "currency": "EUR",
                "amount": "12.95", "paidAt": null, "createdAt": "2024-04-29T21:00:00+02:00",
                "links": {"customer": {"href": "https://x/v1/customers/cst_1", "type": "application/json"}}
            }],
            "first_page_url": "https://x/v1/customer-invoices?page=1", "from": 1,
            "next_page_url": null, "path": "https://x/v1/customer-invoices",
            "per_page": 15, "prev_page_url": null, "to": 1
        });
        page[field] = value;
        serde_json::to_vec(&page).unwrap_or_default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes(page in 1u64..10_000, body in prop::collection::vec(any::<u8>(), 0..512)) {
        check(page, &body);
    }

    #[test]
    fn any_json_shape(page in 1u64..10_000, value in json_value()) {
        check(page, &serde_json::to_vec(&value).unwrap_or_default());
    }

    #[test]
    fn a_valid_page_with_one_field_wrong(page in 1u64..10_000, body in mutated_page()) {
        check(page, &body);
    }

    #[test]
    fn any_amount_string(amount in "\\PC{0,40}") {
        let body = format!(
            r#"{{"current_page":1,"data":[{{"id":"inv_1","customerId":"cst_1","invoiceNumber":"1","issuedAt":"2024-01-01","currency":"EUR","amount":{},"paidAt":null,"createdAt":"2024-01-01T00:00:00+01:00","links":{{"customer":{{"href":"h","type":"t"}}}}}}],"first_page_url":"u","from":1,"next_page_url":null,"path":"p","per_page":15,"prev_page_url":null,"to":1}}"#,
            serde_json::to_string(&amount).unwrap_or_default()
        );
        check(3, body.as_bytes());
    }
}

#[test]
fn huge_numbers_and_deep_nesting_are_errors() {
    check(1, br#"{"current_page": 1e400}"#);
    check(1, br#"{"current_page": 99999999999999999999999999999}"#);
    check(2, r#"{"per_page": "-1"}"#.as_bytes());
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    check(5, deep.as_bytes());
    let deep_data = format!(
        r#"{{"current_page":1,"data":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    check(6, deep_data.as_bytes());
}

#[test]
fn truncated_bodies_are_told_apart() {
    let err =
        decode_page::<ListCustomerInvoices>(4, br#"{"current_page": 4, "data": ["#).unwrap_err();
    assert!(matches!(err, Error::TruncatedBody { page: 4 }), "{err:?}");
    let err = decode_page::<ListCustomerInvoices>(9, b"{\"current_page\": \"nine\"}").unwrap_err();
    assert!(err.to_string().starts_with("page 9: "), "{err}");
}
