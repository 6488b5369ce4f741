//! Third-party apps (issue 13): the OAuth2 connection and a client that keeps its
//! access token fresh, against the mock's OAuth endpoints on an origin of their own.
//! Where time matters the clock is tokio's, paused: token lifetimes pass in virtual
//! seconds and the counts below are exact.

use crate::common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::http_script::HttpScript;
use common::{
    dataset_ids, http_response, oauth_app, oauth_client_for, oauth_connect, redirect_for, within,
};
use mijnklantportaal::{CustomerId, CustomerInvoiceId, Error, OAuthErrorCode, Scope, Tokens};
use mijnklantportaal_mock::{MockOAuth, MockServer};
use tokio::time::Instant;

const SECRET: &str = "mkp-test-secret";

async fn oauth_mock(invoices: u64, lifetime: Duration, latency: Duration) -> MockServer {
    common::oauth_mock(
        invoices,
        MockOAuth::new().access_token_lifetime(lifetime),
        latency,
    )
    .await
}

/// The access tokens the API requests carried, in order of first use.
fn access_tokens_used(server: &MockServer) -> Vec<String> {
    let mut seen = Vec::new();
    for request in server.requests() {
        if !request.path.starts_with("/v1/") {
            continue;
        }
        if let Some(value) = request.headers.get("authorization") {
            let token = value.to_str().unwrap_or("").to_owned();
            if !seen.contains(&token) {
                seen.push(token);
            }
        }
    }
    seen
}

#[tokio::test]
async fn the_full_flow_lists_with_secrets_only_at_their_origins() {
    let server = oauth_mock(40, Duration::from_secs(3600), Duration::ZERO).await;
    let (app, tokens) = within(10, oauth_connect(&server)).await;
    let refresh = tokens.refresh_token().to_owned();
    let access = tokens.access_token().to_owned();
    assert!(tokens.expires_at().is_some());
    let client = oauth_client_for(&server, app, tokens).build().unwrap();
    let listed: Vec<String> = within(10, client.customer_invoices().list().collect_all())
        .await
        .expect("listed")
        .into_iter()
        .map(|i| i.id.to_string())
        .collect();
    assert_eq!(listed, dataset_ids(&server));

    let api_host = server.addr().to_string();
    let oauth_host = server.oauth_url().unwrap().replace("http://", "");
    let requests = server.requests();
    let (oauth, api): (Vec<_>, Vec<_>) =
        requests.iter().partition(|r| r.path.starts_with("/oauth/"));
    assert_eq!(oauth.len(), 2, "authorize and exchange");
    assert!(api.len() >= 3, "three pages, and some asked ahead");
    for request in &oauth {
        assert_eq!(request.headers["host"], oauth_host.as_str());
        assert!(
            request.headers.get("authorization").is_none(),
            "no access token"
        );
    }
    for request in &api {
        assert_eq!(request.headers["host"], api_host.as_str());
        assert_eq!(
            request.headers["authorization"],
            format!("Bearer {access}").as_str()
        );
        let seen = format!("{:?} {:?}", request.query, request.headers);
        assert!(!seen.contains(&refresh) && !seen.contains(SECRET), "{seen}");
    }
    let debug = format!("{client:?}");
    for secret in [SECRET, &refresh, &access] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[tokio::test]
async fn a_tampered_state_or_a_reused_code_is_refused() {
    let server = oauth_mock(5, Duration::from_secs(3600), Duration::ZERO).await;
    let app = oauth_app(&server);
    let authorization = app.authorization(&[Scope::InvoicesRead]).unwrap();
    let redirect = within(10, redirect_for(&authorization)).await;
    let state = authorization.state();
    let tampered = redirect.replace(state, &state.chars().rev().collect::<String>());
    assert!(matches!(
        authorization.check_redirect(&tampered),
        Err(Error::StateMismatch)
    ));
    let other = app.authorization(&[Scope::InvoicesRead]).unwrap();
    assert!(
        matches!(other.check_redirect(&redirect), Err(Error::StateMismatch)),
        "another authorization's redirect"
    );

    let code = authorization.check_redirect(&redirect).expect("ours");
    within(10, app.exchange(code)).await.expect("exchanged");
    let again = authorization.check_redirect(&redirect).expect("ours");
    let err = within(10, app.exchange(again)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::TokenEndpoint {
                status: 400,
                error: Some(OAuthErrorCode::InvalidGrant),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains(SECRET));

    let wrong_secret =
        mijnklantportaal::OAuthApp::new("mkp-test-app", "guess", common::REDIRECT_URI)
            .unwrap()
            .oauth_url(&server.oauth_url().unwrap())
            .unwrap();
    let fresh = wrong_secret.authorization(&[Scope::InvoicesRead]).unwrap();
    let code = fresh
        .check_redirect(&within(10, redirect_for(&fresh)).await)
        .unwrap();
    let err = within(10, wrong_secret.exchange(code)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::TokenEndpoint {
                status: 401,
                error: Some(OAuthErrorCode::InvalidClient),
                ..
            }
        ),
        "{err:?}"
    );
}

/// A listing with prefetch 6 over 60 pages, 2 s per answer, with 8-s access tokens
/// (refreshed 4 s before expiry: the 30-s default capped at half the lifetime): every
/// expiry costs one refresh, none costs six, and no page meets a 401.
#[tokio::test(start_paused = true)]
async fn a_listing_outliving_several_token_lifetimes_refreshes_once_per_expiry() {
    let lifetime = Duration::from_secs(8);
    let server = oauth_mock(900, lifetime, Duration::from_secs(2)).await;
    let (app, tokens) = oauth_connect(&server).await;
    let handed_over = Arc::new(Mutex::new(Vec::<Tokens>::new()));
    let sink = Arc::clone(&handed_over);
    let client = oauth_client_for(&server, app, tokens)
        .prefetch(6)
        .on_new_tokens(move |tokens| sink.lock().unwrap().push(tokens.clone()))
        .build()
        .unwrap();

    let started = Instant::now();
    let listed = client
        .customer_invoices()
        .list()
        .collect_all()
        .await
        .expect("no failed page");
    let elapsed = started.elapsed();
    assert_eq!(listed.len(), 900);
    assert!(elapsed >= Duration::from_secs(20), "{elapsed:?}");

    let refreshes = server.oauth_stats().refreshes;
    assert_eq!(
        server.stats().unauthorized,
        0,
        "no request met an expired token"
    );
    assert!(
        refreshes >= 4,
        "several lifetimes: {refreshes} refreshes in {elapsed:?}"
    );
    // A refresh happens only within 4 s of the expiry of a token 8 s long: at most one
    // per 4 s of listing, where six requests in flight would each refresh otherwise.
    let bound = elapsed.as_secs() / 4 + 1;
    assert!(refreshes <= bound, "{refreshes} refreshes in {elapsed:?}");
    assert_eq!(access_tokens_used(&server).len() as u64, refreshes + 1);
    let handed_over = handed_over.lock().unwrap();
    assert_eq!(
        handed_over.len() as u64,
        refreshes,
        "each new token handed over"
    );
    let distinct: BTreeSet<&str> = handed_over.iter().map(|t| t.access_token()).collect();
    assert_eq!(distinct.len(), handed_over.len());
}

/// Tokens restored from storage claim an hour, but the server let them expire: the
/// six requests of a listing and six clones all meet 401s, and one refresh serves
/// them all.
#[tokio::test(start_paused = true)]
async fn requests_that_meet_a_401_share_one_refresh_across_clones() {
    let server = oauth_mock(900, Duration::from_secs(10), Duration::from_millis(200)).await;
    let (app, tokens) = oauth_connect(&server).await;
    let stored = Tokens::new(
        tokens.access_token(),
        tokens.refresh_token(),
        Some(SystemTime::now() + Duration::from_secs(3600)),
    );
    let client = oauth_client_for(&server, app, stored)
        .prefetch(6)
        .build()
        .unwrap();
    tokio::time::advance(Duration::from_secs(11)).await;

    let listing = client
        .customer_invoices()
        .list()
        .max_items(90)
        .collect_all();
    let clones = (1..=6).map(|page| {
        let clone = client.clone();
        tokio::spawn(async move {
            clone
                .customer_invoices()
                .list()
                .start_page(page + 20)
                .max_items(15)
                .collect_all()
                .await
        })
    });
    let (listed, others) = tokio::join!(listing, futures::future::join_all(clones));
    assert_eq!(listed.expect("the listing").len(), 90);
    for other in others {
        assert_eq!(other.expect("joined").expect("a clone's page").len(), 15);
    }
    assert_eq!(server.oauth_stats().refreshes, 1, "one refresh for all");
    let unauthorized = server.stats().unauthorized;
    assert!(
        (2..=12).contains(&unauthorized),
        "{unauthorized} requests met the expired token"
    );
    assert_eq!(access_tokens_used(&server).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_revoked_grant_says_to_reconnect_without_hammering_the_token_endpoint() {
    let server = oauth_mock(40, Duration::from_secs(10), Duration::ZERO).await;
    let (app, tokens) = oauth_connect(&server).await;
    let refresh = tokens.refresh_token().to_owned();
    let client = oauth_client_for(&server, app, tokens).build().unwrap();
    client
        .customer_invoices()
        .list()
        .max_items(15)
        .collect_all()
        .await
        .expect("works");

    server.revoke_oauth_grants();
    tokio::time::advance(Duration::from_secs(10)).await;
    for _ in 0..3 {
        let err = client
            .customer_invoices()
            .list()
            .collect_all()
            .await
            .unwrap_err();
        match &err {
            Error::ReconnectRequired { error, .. } => {
                assert_eq!(*error, OAuthErrorCode::InvalidGrant)
            }
            other => panic!("{other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains("connect the app again"), "{text}");
        assert!(!text.contains(&refresh) && !text.contains(SECRET), "{text}");
    }
    assert_eq!(server.oauth_stats().refused, 1, "asked once");
    assert_eq!(server.oauth_stats().refreshes, 0);
}

#[tokio::test(start_paused = true)]
async fn a_rotated_refresh_token_is_kept_and_handed_over() {
    let server = common::oauth_mock(
        40,
        MockOAuth::new()
            .access_token_lifetime(Duration::from_secs(10))
            .rotate_refresh_tokens(true),
        Duration::ZERO,
    )
    .await;
    let (app, tokens) = oauth_connect(&server).await;
    let first = tokens.refresh_token().to_owned();
    let handed_over = Arc::new(Mutex::new(Vec::<Tokens>::new()));
    let sink = Arc::clone(&handed_over);
    let client = oauth_client_for(&server, app, tokens)
        .on_new_tokens(move |tokens| sink.lock().unwrap().push(tokens.clone()))
        .build()
        .unwrap();
    for _ in 0..3 {
        client
            .customer_invoices()
            .list()
            .max_items(15)
            .collect_all()
            .await
            .expect("listed");
        tokio::time::advance(Duration::from_secs(10)).await;
    }
    assert_eq!(
        server.oauth_stats().refreshes,
        2,
        "the second used the rotated token"
    );
    assert_eq!(server.oauth_stats().refused, 0);
    let handed_over = handed_over.lock().unwrap();
    let refresh_tokens: BTreeSet<&str> = handed_over.iter().map(|t| t.refresh_token()).collect();
    assert_eq!(refresh_tokens.len(), 2);
    assert!(!refresh_tokens.contains(first.as_str()));
}

/// The management host answers 503 to a refresh: nothing was sent to the API, so the
/// request waits and tries again, even for a create.
#[tokio::test(start_paused = true)]
async fn a_failed_refresh_is_retried_like_a_transient_failure() {
    let server = oauth_mock(40, Duration::from_secs(10), Duration::ZERO).await;
    let (app, tokens) = oauth_connect(&server).await;
    let client = oauth_client_for(&server, app, tokens).build().unwrap();
    tokio::time::advance(Duration::from_secs(10)).await;
    server.fail_next_token_requests(2);
    let listed = client
        .customer_invoices()
        .list()
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(listed.len(), 40);
    let stats = server.oauth_stats();
    assert_eq!((stats.failed_on_purpose, stats.refreshes), (2, 1));
    assert_eq!(server.stats().unauthorized, 0);

    tokio::time::advance(Duration::from_secs(10)).await;
    server.fail_next_token_requests(100);
    let err = client
        .customers()
        .create()
        .company_name("Voorbeeld BV")
        .address("Teststraat 1")
        .zip_code("1234AB")
        .city("Amsterdam")
        .primary_email("facturen@voorbeeld.nl")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::TokenEndpoint { status: 503, .. }),
        "the refresh's failure, not MaybeApplied: {err:?}"
    );
    assert!(server.customers_created().is_empty());
}

#[tokio::test]
async fn one_kind_of_credentials() {
    let server = oauth_mock(5, Duration::from_secs(3600), Duration::ZERO).await;
    let (app, tokens) = within(10, oauth_connect(&server)).await;
    let err = oauth_client_for(&server, app, tokens)
        .token("an-api-key")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

/// Issue 17: the server rotates the refresh token on every refresh, and the
/// app's callback panics the first time. The new tokens were kept before the
/// callback ran: the request goes on, and the next refresh uses the rotated token.
#[tokio::test(start_paused = true)]
async fn a_panicking_callback_loses_no_rotated_refresh_token() {
    let server = common::oauth_mock(
        40,
        MockOAuth::new()
            .access_token_lifetime(Duration::from_secs(10))
            .rotate_refresh_tokens(true),
        Duration::ZERO,
    )
    .await;
    let (app, tokens) = oauth_connect(&server).await;
    let calls = Arc::new(Mutex::new(0u32));
    let counted = Arc::clone(&calls);
    let client = oauth_client_for(&server, app, tokens)
        .on_new_tokens(move |_| {
            let mut calls = counted.lock().unwrap_or_else(|e| e.into_inner());
            *calls += 1;
            if *calls == 1 {
                panic!("the app's storage is down");
            }
        })
        .build()
        .unwrap();
    for round in 0..3 {
        tokio::time::advance(Duration::from_secs(10)).await;
        let listed = client
            .customer_invoices()
            .list()
            .max_items(15)
            .collect_all()
            .await;
        assert_eq!(listed.expect("listed").len(), 15, "round {round}");
    }
    let stats = server.oauth_stats();
    assert_eq!((stats.refreshes, stats.refused), (3, 0), "{stats:?}");
    assert_eq!(*calls.lock().unwrap_or_else(|e| e.into_inner()), 3);
}

/// A callback that uses the client (here: blocks on a request of its own) runs
/// after the refresh lock is released, so the request finds a fresh token instead
/// of waiting for a lock its own caller holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_that_uses_the_client_does_not_deadlock() {
    let server = oauth_mock(40, Duration::from_secs(3600), Duration::ZERO).await;
    let (app, tokens) = within(10, oauth_connect(&server)).await;
    let expired = Tokens::new(
        tokens.access_token(),
        tokens.refresh_token(),
        Some(SystemTime::now()),
    );
    let shared: Arc<std::sync::OnceLock<mijnklantportaal::Client>> = Arc::default();
    let inside = Arc::clone(&shared);
    let seen = Arc::new(Mutex::new(Vec::<usize>::new()));
    let sink = Arc::clone(&seen);
    let client = oauth_client_for(&server, app, expired)
        .on_new_tokens(move |_| {
            let client = inside.get().expect("built").clone();
            let listed = tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current()
                    .block_on(client.customer_invoices().list().max_items(5).collect_all())
            });
            sink.lock()
                .unwrap()
                .push(listed.map(|l| l.len()).unwrap_or(0));
        })
        .build()
        .unwrap();
    shared.set(client.clone()).expect("set once");
    let listed = within(
        10,
        client
            .customer_invoices()
            .list()
            .max_items(15)
            .collect_all(),
    )
    .await
    .expect("listed");
    assert_eq!(listed.len(), 15);
    assert_eq!(*seen.lock().unwrap(), vec![5], "the callback's own request");
    assert_eq!(server.oauth_stats().refreshes, 1);
}

/// Six requests wait for one refresh that fails: they share its failure instead of
/// asking the token endpoint one after the other.
#[tokio::test(start_paused = true)]
async fn requests_waiting_for_a_failed_refresh_share_its_failure() {
    let server = oauth_mock(40, Duration::from_secs(10), Duration::ZERO).await;
    let (app, tokens) = oauth_connect(&server).await;
    let client = oauth_client_for(&server, app, tokens)
        .retry_policy(mijnklantportaal::RetryPolicy::none())
        .build()
        .unwrap();
    let id = dataset_ids(&server)[0].clone();
    tokio::time::advance(Duration::from_secs(10)).await;
    server.fail_next_token_requests(100);
    let requests = (0..6).map(|_| {
        let (client, id) = (client.clone(), id.clone());
        async move {
            client
                .customer_invoices()
                .get(CustomerInvoiceId::from(id))
                .await
        }
    });
    for result in futures::future::join_all(requests).await {
        assert!(
            matches!(result, Err(Error::TokenEndpoint { status: 503, .. })),
            "{result:?}"
        );
    }
    assert_eq!(
        server.oauth_stats().failed_on_purpose,
        1,
        "one refresh asked"
    );
    assert_eq!(server.stats().unauthorized, 0);
}

/// The management host's rate limit: a 429 to a refresh is waited out for its
/// `Retry-After`, then the refresh is sent again and the request goes on.
#[tokio::test(start_paused = true)]
async fn a_429_from_the_token_endpoint_is_waited_out() {
    let tokens_json = r#"{"token_type":"Bearer","access_token":"new-access","refresh_token":"new-refresh","expires_in":3600}"#;
    let token_endpoint = HttpScript::start(vec![
        http_response(
            "429 Too Many Requests",
            &[("content-type", "application/json"), ("retry-after", "7")],
            r#"{"message":"Too Many Attempts."}"#,
        ),
        http_response(
            "200 OK",
            &[("content-type", "application/json")],
            tokens_json,
        ),
    ])
    .await;
    let api = HttpScript::start(vec![http_response(
        "401 Unauthorized",
        &[("content-type", "application/json")],
        r#"{"message":"Unauthenticated."}"#,
    )])
    .await;
    let app = mijnklantportaal::OAuthApp::new("app", "app-secret", common::REDIRECT_URI)
        .unwrap()
        .oauth_url(&token_endpoint.origin())
        .unwrap();
    let expired = Tokens::new("old-access", "old-refresh", Some(SystemTime::now()));
    let client = mijnklantportaal::Client::builder()
        .oauth(app, expired)
        .base_url(format!("{}/v1", api.origin()))
        .no_rate_limit()
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .customers()
        .get(CustomerId::from("cst_abc12345def678"))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
    // The API script refuses every token; what matters is which one it was sent.
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    let refreshes = token_endpoint.seen();
    assert!(refreshes.len() >= 2, "sent again after the 429");
    assert!(
        String::from_utf8_lossy(&refreshes[1].body).contains("old-refresh"),
        "the same refresh sent again"
    );
    let first_api = &api.seen()[0];
    assert!(
        first_api
            .head
            .to_ascii_lowercase()
            .contains("authorization: bearer new-access"),
        "{}",
        first_api.head
    );
}

/// A token endpoint that says its tokens never expire (`expires_in` near 2^63
/// seconds) gives tokens without an expiry, not a panic.
#[tokio::test(start_paused = true)]
async fn an_expires_in_beyond_the_clock_is_no_expiry() {
    let body = r#"{"access_token":"a","refresh_token":"r","expires_in":9223372036854775807}"#;
    let token_endpoint = HttpScript::start(vec![http_response(
        "200 OK",
        &[("content-type", "application/json")],
        body,
    )])
    .await;
    let app = mijnklantportaal::OAuthApp::new("app", "app-secret", common::REDIRECT_URI)
        .unwrap()
        .oauth_url(&token_endpoint.origin())
        .unwrap();
    let authorization = app.authorization(&[Scope::InvoicesRead]).unwrap();
    let code = authorization
        .check_redirect(&format!(
            "/callback?code=c0de&state={}",
            authorization.state()
        ))
        .unwrap();
    let tokens = app.exchange(code).await.expect("tokens, not a panic");
    assert_eq!(tokens.expires_at(), None);
    let far = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
    let stored = Tokens::new("a", "r", Some(far));
    assert_eq!(stored.expires_at(), Some(far));
}

/// Token requests go through the HTTP client the app was given (here: its user
/// agent), as API requests go through the client's.
#[tokio::test]
async fn token_requests_use_the_apps_http_client() {
    let server = oauth_mock(5, Duration::from_secs(3600), Duration::ZERO).await;
    let app = oauth_app(&server)
        .http_client(reqwest::Client::builder().user_agent("bookkeeping-sync/2.1"))
        .expect("a client");
    let authorization = app.authorization(&[Scope::InvoicesRead]).unwrap();
    let code = authorization
        .check_redirect(&within(10, redirect_for(&authorization)).await)
        .unwrap();
    within(10, app.exchange(code)).await.expect("exchanged");
    let exchange = server
        .requests()
        .into_iter()
        .find(|r| r.path == "/oauth/tokens")
        .expect("the exchange");
    assert_eq!(exchange.headers["user-agent"], "bookkeeping-sync/2.1");
}

/// The token endpoint rotates the refresh token but sends an access token that
/// cannot be a header: the request fails, yet the rotated refresh token was kept
/// (and handed over), so the next refresh sends it, not the spent one.
#[tokio::test(start_paused = true)]
async fn an_unusable_access_token_loses_no_rotated_refresh_token() {
    let token_endpoint = HttpScript::start(vec![
        http_response(
            "200 OK",
            &[("content-type", "application/json")],
            r#"{"access_token":"bad\u0001token","refresh_token":"rotated-1","expires_in":3600}"#,
        ),
        http_response(
            "200 OK",
            &[("content-type", "application/json")],
            r#"{"access_token":"good","refresh_token":"rotated-2","expires_in":3600}"#,
        ),
    ])
    .await;
    let api = HttpScript::start(vec![http_response(
        "404 Not Found",
        &[("content-type", "application/json")],
        r#"{"message":"Not found."}"#,
    )])
    .await;
    let app = mijnklantportaal::OAuthApp::new("app", "app-secret", common::REDIRECT_URI)
        .unwrap()
        .oauth_url(&token_endpoint.origin())
        .unwrap();
    let handed_over = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&handed_over);
    let client = mijnklantportaal::Client::builder()
        .oauth(
            app,
            Tokens::new("old-access", "old-refresh", Some(SystemTime::now())),
        )
        .base_url(format!("{}/v1", api.origin()))
        .no_rate_limit()
        .on_new_tokens(move |tokens| sink.lock().unwrap().push(tokens.refresh_token().to_owned()))
        .build()
        .unwrap();
    let err = client
        .customers()
        .get(CustomerId::from("cst_abc12345def678"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::TokenEndpoint { status: 200, .. }),
        "{err:?}"
    );
    assert_eq!(*handed_over.lock().unwrap(), vec!["rotated-1"]);
    let err = client
        .customers()
        .get(CustomerId::from("cst_abc12345def678"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let refreshes = token_endpoint.seen();
    assert_eq!(refreshes.len(), 2);
    assert!(
        String::from_utf8_lossy(&refreshes[1].body).contains("rotated-1"),
        "{}",
        String::from_utf8_lossy(&refreshes[1].body)
    );
    assert_eq!(*handed_over.lock().unwrap(), vec!["rotated-1", "rotated-2"]);
}

/// The management host asks for ten minutes (`Retry-After: 600`, longer than a
/// token request waits by itself): the request's retries get that failure without
/// calling it again, and after the ten minutes the next request refreshes.
#[tokio::test(start_paused = true)]
async fn a_token_endpoints_long_retry_after_is_remembered() {
    let token_endpoint = HttpScript::start(vec![
        http_response(
            "429 Too Many Requests",
            &[("content-type", "application/json"), ("retry-after", "600")],
            r#"{"message":"Too Many Attempts."}"#,
        ),
        http_response(
            "200 OK",
            &[("content-type", "application/json")],
            r#"{"access_token":"new-access","refresh_token":"new-refresh","expires_in":3600}"#,
        ),
    ])
    .await;
    let api = HttpScript::start(vec![http_response(
        "404 Not Found",
        &[("content-type", "application/json")],
        r#"{"message":"Not found."}"#,
    )])
    .await;
    let app = mijnklantportaal::OAuthApp::new("app", "app-secret", common::REDIRECT_URI)
        .unwrap()
        .oauth_url(&token_endpoint.origin())
        .unwrap();
    let expired = Tokens::new("old-access", "old-refresh", Some(SystemTime::now()));
    let client = mijnklantportaal::Client::builder()
        .oauth(app, expired)
        .base_url(format!("{}/v1", api.origin()))
        .no_rate_limit()
        .build()
        .unwrap();
    for _ in 0..3 {
        let err = client
            .customers()
            .get(CustomerId::from("cst_abc12345def678"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::TokenEndpoint { status: 429, .. }),
            "{err:?}"
        );
    }
    assert_eq!(token_endpoint.seen().len(), 1, "asked once in ten minutes");
    assert!(api.seen().is_empty());

    tokio::time::advance(Duration::from_secs(600)).await;
    let err = client
        .customers()
        .get(CustomerId::from("cst_abc12345def678"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(token_endpoint.seen().len(), 2);
}
