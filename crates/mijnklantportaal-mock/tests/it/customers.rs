//! The Customers API: the dataset's customers, created ones, edits, 404s.

use mijnklantportaal_mock::{MockServer, Order};
use serde_json::{Value, json};

use crate::common::{
    create_customer, customer_body, get_json, http_with_token, send, start, start_with,
};

#[tokio::test]
async fn the_dataset_customers_are_listed_and_every_invoice_links_to_one() {
    let server = start(200).await;
    let dataset = server.dataset();
    assert_eq!(dataset.customers(), 25);
    let (status, _, page) = get_json(&server, "/v1/customers?page=2").await;
    assert_eq!(status, 200);
    let origin = server.origin();
    assert_eq!(page["current_page"], 2);
    assert_eq!(page["from"], 16);
    assert_eq!(page["to"], 25);
    assert_eq!(page["next_page_url"], Value::Null);
    assert_eq!(page["path"], format!("{origin}/v1/customers"));
    assert_eq!(
        page["prev_page_url"],
        format!("{origin}/v1/customers?page=1")
    );
    let expected: Vec<Value> = (15..25)
        .map(|i| dataset.customer(i).unwrap().to_json())
        .collect();
    assert_eq!(page["data"], Value::Array(expected));

    // `links.customer.href` of an invoice is a working URL.
    let (_, _, invoices) = get_json(&server, "/v1/customer-invoices").await;
    for invoice in invoices["data"].as_array().unwrap() {
        let href = invoice["links"]["customer"]["href"].as_str().unwrap();
        let path = href.strip_prefix(&origin).unwrap();
        let (status, _, customer) = get_json(&server, path).await;
        assert_eq!(status, 200, "{href}");
        assert_eq!(customer["id"], invoice["customerId"]);
    }
}

#[tokio::test]
async fn a_created_customer_can_be_read_listed_and_edited() {
    let server = start(120).await;
    let created = create_customer(&server).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cst_") && id.len() == 18, "{id}");
    let mut expected = customer_body();
    let fields = expected.as_object_mut().unwrap();
    fields.insert("id".into(), json!(id));
    fields.insert("countryCode".into(), json!("NL"));
    fields.insert("phone".into(), Value::Null);
    fields.insert("integration".into(), Value::Null);
    fields.insert("integrationId".into(), Value::Null);
    fields.insert("customerGroups".into(), json!([]));
    fields.insert("createdAt".into(), created["createdAt"].clone());
    assert_eq!(created, expected);
    let stored = server.customers_created();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].to_json(), created);

    let (status, _, fetched) = get_json(&server, &format!("/v1/customers/{id}")).await;
    assert_eq!((status, &fetched), (200, &created));
    // 15 generated customers: the created one is the only one on page 2.
    let (_, _, page) = get_json(&server, "/v1/customers?page=2").await;
    assert_eq!(page["data"], json!([created]));
    let (_, _, first) = get_json(&server, "/v1/customers").await;
    assert_eq!(
        first["next_page_url"],
        format!("{}/v1/customers?page=2", server.origin())
    );

    let client = http_with_token("test");
    let url = format!("{}/customers/{id}", server.base_url());
    let (status, edited) = send(
        client
            .patch(&url)
            .json(&json!({ "city": "Zwolle", "zipCode": "8011AB" })),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let mut expected = created.clone();
    expected["city"] = json!("Zwolle");
    expected["zipCode"] = json!("8011AB");
    assert_eq!(edited, expected);
    let (_, _, fetched) = get_json(&server, &format!("/v1/customers/{id}")).await;
    assert_eq!(fetched, expected);
    assert_eq!(server.stats().writes, 2);
}

#[tokio::test]
async fn an_edited_dataset_customer_stays_edited_in_the_list() {
    let server = start(40).await;
    let first = server.dataset().customer(0).unwrap();
    let client = http_with_token("test");
    let url = format!("{}/customers/{}", server.base_url(), first.id);
    let (status, edited) = send(
        client
            .patch(&url)
            .json(&json!({ "companyName": "Nieuw BV" })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(edited["companyName"], "Nieuw BV");
    assert_eq!(edited["address"], first.address.as_str());
    let (_, _, page) = get_json(&server, "/v1/customers").await;
    assert_eq!(page["data"][0], edited);
    assert_eq!(server.customer(&first.id).unwrap().company_name, "Nieuw BV");
}

#[tokio::test]
async fn newest_first_lists_a_created_customer_first() {
    let server = start_with(40, |b| b.order(Order::NewestFirst)).await;
    let created = create_customer(&server).await;
    let (_, _, page) = get_json(&server, "/v1/customers").await;
    assert_eq!(page["data"][0], created);
    let last = server.dataset().customer(0).unwrap();
    let (_, _, page) = get_json(&server, "/v1/customers?page=1").await;
    assert_eq!(page["to"], 6);
    assert_eq!(page["data"][5], last.to_json());
}

#[tokio::test]
async fn unknown_customers_are_404_and_need_a_token_first() {
    let server = MockServer::builder()
        .invoices(10)
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    let client = http_with_token("test");
    let message =
        json!({ "message": r"No query results for model [App\Models\Customer] cst_nope" });
    let url = format!("{}/customers/cst_nope", server.base_url());
    assert_eq!(send(client.get(&url)).await, (404, message.clone()));
    // Route-model binding comes before validation: an empty body still gets the 404.
    assert_eq!(
        send(client.patch(&url).json(&json!({}))).await,
        (404, message)
    );
    assert_eq!(
        send(reqwest::Client::new().get(&url)).await,
        (401, json!({ "message": "Unauthenticated." }))
    );
    let stats = server.stats();
    assert_eq!(
        (stats.not_found, stats.unauthorized, stats.writes),
        (2, 1, 0)
    );
}
