//! The mock's one clock, on tokio's paused clock: what it writes (a subscription's
//! status and renewal, a link's `expiresAt`) and what it compares (link expiry, the
//! default appointment window) agree with [`MockServer::now`], whatever the wall
//! clock says.

use std::time::Duration;

use mijnklantportaal_mock::MockServer;
use serde_json::{Value, json};

use crate::common::{http, http_with_token, send, start};

const DAY: Duration = Duration::from_secs(24 * 3600);

async fn subscribe(server: &MockServer, customer: &str, start_date: &str) -> Value {
    let body = json!({
        "customerId": customer, "description": "Onderhoud", "startDate": start_date,
        "interval": "1 month", "amount": "12.95", "vatRate": 21,
    });
    let url = format!("{}/customer-subscriptions", server.base_url());
    let (status, created) = send(http_with_token("test").post(url).json(&body)).await;
    assert_eq!(status, 201, "{created}");
    created
}

#[tokio::test(start_paused = true)]
async fn a_created_subscription_is_planned_or_running_by_the_mocks_clock() {
    let server = start(10).await;
    assert_eq!(server.now().to_rfc3339(), "2026-01-01T00:00:00+01:00");
    let customer = server.dataset().customer(0).unwrap().id;
    let early = subscribe(&server, &customer, "2026-01-03").await;
    assert_eq!(early["status"], "planned");
    assert_eq!(early["renewsAt"], "2026-02-03");

    tokio::time::advance(3 * DAY).await;
    assert_eq!(server.now().to_rfc3339(), "2026-01-04T00:00:00+01:00");
    let started = subscribe(&server, &customer, "2026-01-03").await;
    assert_eq!(started["status"], "in_progress");
    assert_eq!(started["renewsAt"], "2026-02-03");
    let month_on = subscribe(&server, &customer, "2025-12-03").await;
    assert_eq!(
        month_on["renewsAt"], "2026-02-03",
        "the first renewal after today"
    );
}

#[tokio::test(start_paused = true)]
async fn a_links_expires_at_is_when_it_stops_working() {
    let server = start(10).await;
    let invoice = server.dataset().invoice(0).unwrap().id;
    tokio::time::advance(Duration::from_secs(90)).await;
    let url = format!("{}/customer-invoices/{invoice}/pdf", server.base_url());
    let (status, link) = send(http_with_token("test").get(url)).await;
    assert_eq!(status, 200, "{link}");
    let expires_at = chrono::DateTime::parse_from_rfc3339(link["expiresAt"].as_str().unwrap());
    let expires_at = expires_at.unwrap();
    assert_eq!(expires_at, server.now() + chrono::Duration::minutes(5));
    assert_eq!(expires_at.to_rfc3339(), "2026-01-01T00:06:30+01:00");
    let href = link["link"].as_str().unwrap();

    tokio::time::advance(Duration::from_secs(299)).await;
    assert!(server.now() < expires_at);
    assert_eq!(send(http().get(href)).await.0, 200, "a second before");
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(server.now(), expires_at);
    assert_eq!(send(http().get(href)).await.0, 403, "expired at expiresAt");
    let url = format!("{}/customer-invoices/{invoice}/pdf", server.base_url());
    let (_, fresh) = send(http_with_token("test").get(url)).await;
    assert_ne!(fresh["link"].as_str(), Some(href));
    assert_eq!(
        send(http().get(href)).await.0,
        403,
        "still, after a new link"
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_appointment_window_is_the_week_from_now() {
    let server = start(10).await;
    let url = format!("{}/appointments", server.base_url());
    let (status, week) = send(http_with_token("test").get(&url)).await;
    assert_eq!(status, 200, "{week}");
    let starts: Vec<&str> = week["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["startsAt"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        ["2026-01-01T09:00:00+01:00", "2026-01-05T09:00:00+01:00"]
    );

    tokio::time::advance(30 * DAY).await;
    let (_, later) = send(http_with_token("test").get(&url)).await;
    assert_eq!(later["data"], json!([]), "the seeded ones are past");
}
