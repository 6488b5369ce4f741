//! The dataset through the public API, without a server: ids, bounds, customers.

use mijnklantportaal_mock::Dataset;

#[test]
fn invoices_round_trip_by_id_and_end_at_the_size() {
    let dataset = Dataset::new(42, 1_000_000);
    let last = dataset.invoice(999_999).unwrap();
    assert!(last.id.starts_with("inv_"));
    assert_eq!(dataset.index_of(&last.id), Some(999_999));
    assert!(dataset.invoice(1_000_000).is_none());
}

#[test]
fn an_invoice_finds_its_customer() {
    let dataset = Dataset::new(42, 1_000);
    let invoice = dataset.invoice(7).unwrap();
    let customer = dataset.customer_by_id(&invoice.customer_id).unwrap();
    assert_eq!(customer.id, invoice.customer_id);
    assert_eq!(customer.country_code, "NL");
}
