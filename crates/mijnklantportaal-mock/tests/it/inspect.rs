//! Inspection: every kind's rows read through the one store, as the API shows them,
//! without a request.

use mijnklantportaal_mock::Kind;
use serde_json::{Value, json};

use crate::common::{http_with_token, send, start};

/// The kinds with a paginated list of their own, and its path.
const LISTED: [(Kind, &str); 14] = [
    (Kind::Agreements, "/agreements"),
    (Kind::CustomerGroups, "/customer-groups"),
    (Kind::CustomerInvoices, "/customer-invoices"),
    (Kind::CustomerOffers, "/customer-offers"),
    (
        Kind::CustomerSubscriptionPackages,
        "/customer-subscription-packages",
    ),
    (Kind::CustomerSubscriptions, "/customer-subscriptions"),
    (Kind::Customers, "/customers"),
    (Kind::FileRequests, "/file-requests"),
    (Kind::FileShares, "/file-shares"),
    (Kind::Invoices, "/invoices"),
    (Kind::PaymentLinks, "/payment-links"),
    (Kind::PunchCards, "/punch-cards"),
    (Kind::Tickets, "/tickets"),
    (Kind::Webhooks, "/webhooks"),
];

fn ids(rows: &[Value]) -> Vec<&str> {
    rows.iter().filter_map(|r| r["id"].as_str()).collect()
}

#[tokio::test]
async fn every_kinds_rows_are_its_listing_and_each_row_its_get() {
    let server = start(20).await;
    let client = http_with_token("test");
    let base = server.base_url();
    let requests = server.requests().len();
    for (kind, path) in LISTED {
        let rows = server.rows(kind);
        assert!(!rows.is_empty(), "{kind:?} has seeded rows");
        let (status, page) = send(client.get(format!("{base}{path}"))).await;
        assert_eq!(status, 200, "{path}: {page}");
        let listed = page["data"].as_array().unwrap();
        assert_eq!(ids(listed), ids(&rows)[..listed.len()], "{kind:?}");
        let first = &rows[0];
        let id = first["id"].as_str().unwrap();
        assert_eq!(server.row(kind, id).as_ref(), Some(first), "{kind:?} {id}");
        if kind == Kind::FileShares {
            continue; // The API has no GET of one share.
        }
        let (status, shown) = send(client.get(format!("{base}{path}/{id}"))).await;
        assert_eq!(status, 200, "{path}/{id}: {shown}");
        assert_eq!(&shown, first, "{kind:?} {id}");
    }
    for kind in [
        Kind::Appointments,
        Kind::Directories,
        Kind::Files,
        Kind::IssuedPunchCards,
        Kind::PaymentLinkPayments,
    ] {
        assert!(!server.rows(kind).is_empty(), "{kind:?} has seeded rows");
    }
    assert_eq!(server.row(Kind::Customers, "cst_unknown"), None);
    // Only the requests above were made: reading is not a request.
    assert_eq!(server.requests().len(), requests + 2 * 14 - 1);
}

#[tokio::test]
async fn a_write_shows_in_the_rows_at_once() {
    let server = start(5).await;
    let client = http_with_token("test");
    let base = server.base_url();
    let body = json!({"description": "Borg", "amount": "12.95"});
    let (status, link) = send(client.post(format!("{base}/payment-links")).json(&body)).await;
    assert_eq!(status, 201, "{link}");
    let id = link["id"].as_str().unwrap();
    assert_eq!(server.row(Kind::PaymentLinks, id).as_ref(), Some(&link));
    let (status, closed) = send(client.delete(format!("{base}/payment-links/{id}"))).await;
    assert_eq!(status, 200, "{closed}");
    let row = server.row(Kind::PaymentLinks, id).unwrap();
    assert_eq!(row, closed);
    assert_ne!(row["status"], link["status"], "{row}");
}
