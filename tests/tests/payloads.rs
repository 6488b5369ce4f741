//! The vendor's documented payloads, decoded with the generated types.

use std::path::PathBuf;
use std::str::FromStr;

use mijnklantportaal_api::types::{CustomerInvoicePage, ErrorBody};
use rust_decimal::Decimal;

fn fixture(name: &str) -> String {
    let path = xtask::workspace_root().join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The vendor's example response, verbatim (trailing comma in `next_page_url` included).
#[test]
fn decodes_the_vendor_example() {
    let page: CustomerInvoicePage =
        serde_json::from_str(&fixture("vendor-list-customer-invoices.json")).expect("decodes");
    assert_eq!(page.current_page.get(), 1);
    assert_eq!(page.per_page.get(), 15);
    assert_eq!((page.from, page.to), (Some(1), Some(15)));
    assert_eq!(
        page.next_page_url.as_deref(),
        Some("https://api.mijnklantportaal.nl/v1/customer-invoices?page=2,")
    );
    assert_eq!(page.prev_page_url, None);
    let invoice = &page.data[0];
    assert_eq!(invoice.amount, Decimal::from_str("12.95").unwrap());
    assert_eq!(invoice.created_at.to_rfc3339(), "2024-04-29T21:00:00+02:00");
    assert_eq!(
        invoice.paid_at.map(|t| t.offset().local_minus_utc()),
        Some(2 * 3600),
        "the server's offset is kept"
    );
    assert_eq!(invoice.links.customer.type_, "<string>");
    insta::assert_debug_snapshot!("vendor_example", page);
}

/// The amount and timestamps go back out exactly as they came in.
#[test]
fn round_trips_amount_and_offset() {
    let text = fixture("vendor-list-customer-invoices.json");
    let page: CustomerInvoicePage = serde_json::from_str(&text).expect("decodes");
    let back = serde_json::to_value(&page).expect("encodes");
    let invoice = &back["data"][0];
    assert_eq!(invoice["amount"], "12.95");
    assert_eq!(invoice["paidAt"], "2024-05-28T21:00:00+02:00");
    assert_eq!(invoice["issuedAt"], "2024-04-29");
}

/// Past the last page: empty `data`, null `from`/`to`, a previous page.
#[test]
fn decodes_an_empty_page() {
    let page: CustomerInvoicePage =
        serde_json::from_str(&fixture("empty-page.json")).expect("decodes");
    assert!(page.data.is_empty());
    assert_eq!((page.from, page.to), (None, None));
    assert_eq!(page.next_page_url, None);
    assert!(page.prev_page_url.is_some());
}

/// `per_page` as a string, fields the server added later, a large amount, an unpaid
/// invoice and a winter offset.
#[test]
fn decodes_documented_quirks_and_unknown_fields() {
    let page: CustomerInvoicePage =
        serde_json::from_str(&fixture("quirky-page.json")).expect("decodes");
    assert_eq!(page.per_page.get(), 15);
    let invoice = &page.data[0];
    assert_eq!(invoice.amount.to_string(), "1234567890.10");
    assert_eq!(invoice.paid_at, None);
    assert_eq!(invoice.created_at.offset().local_minus_utc(), 3600);
    assert_eq!(
        invoice
            .links
            .online_payment_link
            .as_ref()
            .map(|l| l.type_.as_str()),
        Some("text/html")
    );
}

/// The documented error bodies.
#[test]
fn decodes_error_bodies() {
    let too_many: ErrorBody =
        serde_json::from_str(r#"{"code": 429, "message": "Too many requests."}"#).unwrap();
    assert_eq!(too_many.code, Some(429));
    assert_eq!(too_many.message.as_deref(), Some("Too many requests."));
    let unauthenticated: ErrorBody =
        serde_json::from_str(r#"{"message": "Unauthenticated."}"#).unwrap();
    assert_eq!(unauthenticated.code, None);
    let unprocessable: ErrorBody = serde_json::from_str(
        r#"{"message": "The page field must be an integer.", "errors": {"page": ["The page field must be an integer."]}}"#,
    )
    .unwrap();
    assert_eq!(unprocessable.errors["page"].len(), 1);
}

/// The fixture is the vendor's published example, byte for byte, when the published
/// page is at hand (it is beside the workspace in CI).
#[test]
fn vendor_fixture_matches_the_published_page() {
    let seed = xtask::workspace_root().join("../shared/seed/list-customer-invoices.txt");
    let Ok(published) = std::fs::read_to_string(&seed) else {
        eprintln!("skipped: {} is not beside the workspace", seed.display());
        return;
    };
    let fixture = fixture("vendor-list-customer-invoices.json");
    assert!(
        published.contains(fixture.trim_end()),
        "tests/fixtures/vendor-list-customer-invoices.json is not the example of {}",
        PathBuf::from(&seed).display()
    );
}
