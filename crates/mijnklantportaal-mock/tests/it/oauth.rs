//! The OAuth2 endpoints over HTTP: authorize redirect, code exchange, API calls with
//! the access token until it expires (paused clock), refresh, revocation, origins.

use std::time::Duration;

use mijnklantportaal_mock::{MockOAuth, MockServer};
use serde_json::{Value, json};

use crate::common::start_with;

const REDIRECT: &str = "http://127.0.0.1:8765/callback";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

/// Authorizes and returns the `Location` of the redirect.
async fn authorize(oauth_url: &str, state: &str) -> url::Url {
    let response = no_redirects()
        .get(format!("{oauth_url}/oauth/authorize"))
        .query(&[
            ("client_id", "mkp-test-app"),
            ("redirect_uri", REDIRECT),
            ("state", state),
            ("scope", "invoices.read customers.read"),
            ("response_type", "code"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().expect("ascii");
    url::Url::parse(location).expect("a URL")
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn tokens(oauth_url: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{oauth_url}/oauth/tokens"))
        .json(&body)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

async fn connect(oauth_url: &str) -> Value {
    let code = param(&authorize(oauth_url, "s1").await, "code").expect("a code");
    let (status, body) = tokens(
        oauth_url,
        json!({
            "grant_type": "authorization_code", "client_id": "mkp-test-app",
            "client_secret": "mkp-test-secret", "redirect_uri": REDIRECT, "code": code,
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn list_status(server: &MockServer, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/customer-invoices", server.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

#[tokio::test(start_paused = true)]
async fn the_full_flow_with_expiry_refresh_and_revocation() {
    let server = start_with(20, |b| {
        b.oauth(MockOAuth::new().access_token_lifetime(Duration::from_secs(60)))
    })
    .await;
    let oauth_url = server.oauth_url().expect("served");
    assert_ne!(
        oauth_url,
        server.origin(),
        "an origin of its own by default"
    );

    let redirect = authorize(&oauth_url, "st4te").await;
    assert_eq!(redirect.as_str().split('?').next(), Some(REDIRECT));
    assert_eq!(param(&redirect, "state").as_deref(), Some("st4te"));

    let granted = connect(&oauth_url).await;
    assert_eq!(granted["expires_in"], 60);
    let access = granted["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let refresh = granted["refresh_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    assert_eq!(list_status(&server, &access).await, 200);

    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(list_status(&server, &access).await, 401, "expired");

    let refresh_body = json!({
        "grant_type": "refresh_token", "client_id": "mkp-test-app",
        "client_secret": "mkp-test-secret", "refresh_token": refresh,
    });
    let (status, renewed) = tokens(&oauth_url, refresh_body.clone()).await;
    assert_eq!(status, 200);
    assert!(renewed.get("refresh_token").is_none());
    let access = renewed["access_token"].as_str().expect("a token");
    assert_eq!(list_status(&server, access).await, 200);

    server.fail_next_token_requests(1);
    let (status, _) = tokens(&oauth_url, refresh_body.clone()).await;
    assert_eq!(status, 503, "failed on purpose, nothing processed");

    server.revoke_oauth_grants();
    let (status, refused) = tokens(&oauth_url, refresh_body).await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"], "invalid_grant");
    assert_eq!(list_status(&server, access).await, 200, "runs out as usual");

    let stats = server.oauth_stats();
    assert_eq!(stats.authorizations, 2);
    assert_eq!(stats.code_exchanges, 1);
    assert_eq!(stats.refreshes, 1);
    assert_eq!(stats.refused, 1);
    assert_eq!(stats.expired_access_tokens, 1);
    assert_eq!(stats.failed_on_purpose, 1);
    assert_eq!(server.stats().unauthorized, 1);
}

#[tokio::test]
async fn the_api_and_the_management_host_serve_only_their_own_paths() {
    let server = start_with(5, |b| b.oauth(MockOAuth::new())).await;
    let oauth_url = server.oauth_url().expect("served");
    let on_oauth = reqwest::Client::new()
        .get(format!("{oauth_url}/v1/customer-invoices"))
        .bearer_auth("test")
        .send()
        .await
        .expect("sent");
    assert_eq!(on_oauth.status(), 404);
    let (status, _) = tokens(&server.origin(), json!({})).await;
    assert_eq!(status, 404, "no OAuth on the API origin");
}

#[tokio::test]
async fn the_endpoints_can_share_the_api_origin() {
    let server = start_with(5, |b| b.oauth(MockOAuth::new().same_origin())).await;
    let oauth_url = server.oauth_url().expect("served");
    assert_eq!(oauth_url, server.origin());
    let granted = connect(&oauth_url).await;
    let access = granted["access_token"].as_str().expect("a token");
    assert_eq!(list_status(&server, access).await, 200);
    assert_eq!(
        list_status(&server, "test").await,
        200,
        "the API key still works"
    );
}

#[tokio::test]
async fn without_oauth_there_are_no_oauth_endpoints() {
    let server = start_with(5, |b| b).await;
    assert_eq!(server.oauth_url(), None);
    let (status, _) = tokens(&server.origin(), json!({})).await;
    assert_eq!(status, 404);
}
