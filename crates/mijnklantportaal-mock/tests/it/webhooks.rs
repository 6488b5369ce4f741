//! The Webhooks API: seeded records in pages, create, get, 422s and 404s.

use std::collections::HashSet;

use mijnklantportaal_mock::WEBHOOK_EVENT_TYPES;
use serde_json::{Value, json};

use crate::common::{bounded, get_json, http_with_token, send, start_with};

/// Every record on every page of `/v1/webhooks`, checking the envelope on the way.
async fn list_all(server: &mijnklantportaal_mock::MockServer) -> Vec<Value> {
    let origin = server.origin();
    let mut all = Vec::new();
    for page in 1u64.. {
        let (status, _, body) = get_json(server, &format!("/v1/webhooks?page={page}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["current_page"], page);
        assert_eq!(body["path"], format!("{origin}/v1/webhooks"));
        let data = body["data"].as_array().expect("data").clone();
        all.extend(data);
        if body["next_page_url"].is_null() {
            break;
        }
        assert_eq!(
            body["next_page_url"],
            format!("{origin}/v1/webhooks?page={}", page + 1)
        );
    }
    all
}

fn assert_is_record(record: &Value) {
    let id = record["id"].as_str().expect("id");
    assert!(id.starts_with("wbh_") && id.len() == 18, "{id}");
    assert!(WEBHOOK_EVENT_TYPES.contains(&record["type"].as_str().expect("type")));
    assert!(record["url"].as_str().expect("url").starts_with("https://"));
    let secret = record["secret"].as_str().expect("secret");
    assert_eq!(secret.len(), 20, "{secret}");
    assert!(
        secret.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{secret}"
    );
    let created = record["createdAt"].as_str().expect("createdAt");
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{created}"
    );
    // Field order is checked by the crate's unit tests (`Value` sorts the fields).
    let fields: HashSet<&str> = record
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        HashSet::from(["id", "type", "url", "secret", "createdAt"])
    );
}

#[tokio::test]
async fn seeded_records_come_in_pages_and_each_can_be_read() {
    let server = start_with(10, |b| b.per_page(3)).await;
    let (_, _, first) = get_json(&server, "/v1/webhooks").await;
    assert_eq!(
        (first["from"].clone(), first["to"].clone()),
        (json!(1), json!(3))
    );
    assert_eq!(first["per_page"], 3);
    let all = list_all(&server).await;
    assert!(
        all.len() > 6,
        "at least three pages of three: {}",
        all.len()
    );
    let secrets: HashSet<&str> = all.iter().map(|r| r["secret"].as_str().unwrap()).collect();
    assert_eq!(secrets.len(), all.len(), "secrets differ");
    let created: Vec<&str> = all
        .iter()
        .map(|r| r["createdAt"].as_str().unwrap())
        .collect();
    let mut sorted = created.clone();
    sorted.sort_by_key(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap());
    assert_eq!(created, sorted, "oldest first");
    for record in &all {
        assert_is_record(record);
        let id = record["id"].as_str().unwrap();
        let (status, _, fetched) = get_json(&server, &format!("/v1/webhooks/{id}")).await;
        assert_eq!((status, &fetched), (200, record));
    }
    // The same seed gives the same records.
    let again = start_with(10, |b| b.per_page(3)).await;
    assert_eq!(list_all(&again).await, all);
}

#[tokio::test]
async fn a_created_record_is_read_back_and_listed_last() {
    let server = start_with(10, |b| b.per_page(5)).await;
    let before = list_all(&server).await;
    let client = http_with_token("test");
    let url = format!("{}/webhooks", server.base_url());
    let hook = json!({ "url": "https://example.nl/mkp-hook", "type": "invoice-paid" });
    let (status, created) = send(client.post(&url).json(&hook)).await;
    assert_eq!(status, 201, "{created}");
    assert_is_record(&created);
    assert_eq!(created["url"], "https://example.nl/mkp-hook");
    assert_eq!(created["type"], "invoice-paid");
    let id = created["id"].as_str().unwrap();
    assert!(before.iter().all(|r| r["id"] != id), "a fresh id");

    let (status, _, fetched) = get_json(&server, &format!("/v1/webhooks/{id}")).await;
    assert_eq!((status, &fetched), (200, &created));
    let after = list_all(&server).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last(), Some(&created));
    assert_eq!(&after[..before.len()], &before[..]);

    let (_, second) = send(client.post(&url).json(&hook)).await;
    assert_ne!(second["id"], created["id"]);
    assert_ne!(second["secret"], created["secret"]);
    assert!(
        chrono::DateTime::parse_from_rfc3339(second["createdAt"].as_str().unwrap()).unwrap()
            > chrono::DateTime::parse_from_rfc3339(created["createdAt"].as_str().unwrap()).unwrap()
    );
    assert_eq!(server.stats().writes, 2);
}

#[tokio::test]
async fn every_documented_event_is_accepted_and_nothing_else() {
    // The vendor's 23 names (the spec's enum checks the mock's answers as well).
    assert_eq!(WEBHOOK_EVENT_TYPES.len(), 23);
    let distinct: HashSet<&str> = WEBHOOK_EVENT_TYPES.into_iter().collect();
    assert_eq!(distinct.len(), 23);
    for documented in [
        "appointment-created",
        "customer-deleted",
        "subscription-payment-updated",
    ] {
        assert!(distinct.contains(documented), "{documented}");
    }
    let server = start_with(10, |b| b).await;
    let client = http_with_token("test");
    let url = format!("{}/webhooks", server.base_url());
    for event in WEBHOOK_EVENT_TYPES {
        let hook = json!({ "url": "https://example.nl/in", "type": event });
        let (status, body) = send(client.post(&url).json(&hook)).await;
        assert_eq!((status, body["type"].as_str()), (201, Some(event)));
    }
    let cases = [
        (
            json!({}),
            json!({
                "message": "The url field is required. (and 1 more error)",
                "errors": {
                    "url": ["The url field is required."],
                    "type": ["The type field is required."],
                },
            }),
        ),
        (
            json!({ "url": "https://example.nl/in", "type": "invoice-updated" }),
            json!({
                "message": "The selected type is invalid.",
                "errors": { "type": ["The selected type is invalid."] },
            }),
        ),
        (
            json!({ "url": "example.nl/in", "type": "invoice-paid" }),
            json!({
                "message": "The url field must be a valid URL.",
                "errors": { "url": ["The url field must be a valid URL."] },
            }),
        ),
    ];
    for (hook, expected) in cases {
        assert_eq!(send(client.post(&url).json(&hook)).await, (422, expected));
    }
    let stats = server.stats();
    assert_eq!((stats.writes, stats.unprocessable), (23, 3));
}

#[tokio::test]
async fn unknown_records_are_404_and_records_cannot_be_deleted() {
    let server = start_with(10, |b| b).await;
    let (status, _, body) = get_json(&server, "/v1/webhooks/wbh_nope").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({ "message": r"No query results for model [App\Models\Webhook] wbh_nope" })
    );
    // Deleting a record is not documented: Laravel's 405, with the route's methods.
    let client = http_with_token("test");
    let response = bounded(
        client
            .delete(format!("{}/webhooks/wbh_nope", server.base_url()))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    let url = format!("{}/webhooks", server.base_url());
    let response = bounded(client.patch(&url).send()).await.unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD, POST");
}

#[tokio::test]
async fn a_dropped_answer_still_created_the_record_once() {
    let server = start_with(10, |b| b.drop_write_responses(1)).await;
    let before = list_all(&server).await.len();
    let client = http_with_token("test");
    let url = format!("{}/webhooks", server.base_url());
    let hook = json!({ "url": "https://example.nl/in", "type": "customer-created" });
    let lost = bounded(client.post(&url).json(&hook).send()).await;
    assert!(lost.is_err(), "no answer");
    let after = list_all(&server).await;
    assert_eq!(after.len(), before + 1);
    assert_eq!(after.last().unwrap()["type"], "customer-created");
    assert_eq!(send(client.post(&url).json(&hook)).await.0, 201);
    let stats = server.stats();
    assert_eq!((stats.writes, stats.dropped_write_responses), (2, 1));
}
