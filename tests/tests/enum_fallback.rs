//! The enum fallback at work in real generated code: this compiles what the generator
//! makes of the real spec (its root and first two tags: `spec_revisions::real_spec`) with
//! one string enum added to the invoice
//! (`spec_revisions::with_status_enum`), checked in under tests/fixtures/evolution and
//! kept fresh by the first test, and decodes values the spec does not list. (The
//! real spec's own enums, e.g. `SubscriptionInterval`, are decoded in `payloads.rs`.)

// The generated code names these as `crate::Auth`, `crate::PerPage`, ...
use mijnklantportaal_api::{Auth, FilePart, LocalDateTime, PerPage};

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unreachable_patterns, dead_code, unused_imports)]
mod generated {
    include!("../fixtures/evolution/status_enum.rs");
}

// `HooksMode::Expected`: the crate that holds the code provides the hooks.
impl progenitor_client::ClientHooks<Auth> for generated::Client {}

use generated::types::{CustomerInvoicePage, CustomerInvoiceStatus};
use mijnklantportaal_tests::spec_revisions::{real_spec, with_status_enum};

const FIXTURE: &str = "tests/fixtures/evolution/status_enum.rs";

#[test]
fn fixture_is_fresh() {
    let name = "spec/mijnklantportaal.yaml with a status enum (tests/src/spec_revisions.rs)";
    let fresh = xtask::generate_from_str(&with_status_enum(&real_spec()), name)
        .unwrap_or_else(|e| panic!("{e}"));
    let path = xtask::workspace_root().join(FIXTURE);
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != fresh {
        std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"));
        panic!("{FIXTURE} was stale and has been regenerated: review and commit it, then rerun");
    }
}

#[test]
fn a_known_value_decodes_to_its_variant() {
    let status: CustomerInvoiceStatus = serde_json::from_str(r#""paid""#).unwrap();
    assert_eq!(status, CustomerInvoiceStatus::Paid);
    assert_eq!(serde_json::to_string(&status).unwrap(), r#""paid""#);
}

#[test]
fn an_unknown_value_is_kept_and_written_back_unchanged() {
    let status: CustomerInvoiceStatus = serde_json::from_str(r#""cancelled""#).unwrap();
    assert_eq!(
        status,
        CustomerInvoiceStatus::Unknown("cancelled".to_string())
    );
    assert_eq!(serde_json::to_string(&status).unwrap(), r#""cancelled""#);
    assert_eq!(status.to_string(), "cancelled");
    assert_eq!(
        "cancelled".parse::<CustomerInvoiceStatus>().unwrap(),
        status
    );
    assert_eq!(
        "open".parse::<CustomerInvoiceStatus>().unwrap(),
        CustomerInvoiceStatus::Open
    );
}

#[test]
fn a_page_with_a_value_the_spec_does_not_list_decodes() {
    let text = std::fs::read_to_string(
        xtask::workspace_root().join("tests/fixtures/vendor-list-customer-invoices.json"),
    )
    .unwrap();
    let mut page: serde_json::Value = serde_json::from_str(&text).unwrap();
    page["data"][0]["status"] = "disputed".into();
    let page: CustomerInvoicePage = serde_json::from_value(page).unwrap();
    assert_eq!(
        page.data[0].status,
        Some(CustomerInvoiceStatus::Unknown("disputed".to_string()))
    );
    let _: &PerPage = &page.per_page;
}
