//! One app, many portals (issue 21): accounts made with `app.account(..)` and
//! `app.oauth_account(..)` share the app's cap on requests in flight fairly and keep
//! their own rate limits and token refreshes. The scheduling tests run against scripted
//! servers on tokio's paused clock (times are virtual and exact); the rest against the
//! mock serving several accounts on loopback.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::scripted::{ListFrom, Script, Scripted, id};
use common::{oauth_app, within};
use futures::StreamExt;
use mijnklantportaal::{Client, Error, RetryPolicy, Tokens};
use mijnklantportaal_mock::{MockAccount, MockOAuth, MockServer};
use tokio::time::Instant;

/// A scripted app: every account lists its own script through [`ListFrom`].
fn scripted_app(max_in_flight: usize) -> Client {
    let (_, builder) = Scripted::start(Script::default());
    builder
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(100))
                .max_backoff(Duration::from_secs(1)),
        )
        .max_in_flight(max_in_flight)
        .build_app()
        .expect("an app")
}

fn script(rows: u64, latency: Duration) -> Arc<Scripted> {
    Scripted::start(Script {
        rows,
        latency,
        ..Script::default()
    })
    .0
}

/// Issue 21: one account lists 10,000 pages with 64 pages requested ahead, more than
/// the app's cap of 4 in flight; another account's single request, sent while the
/// first one's backlog waits, is served at the next freed slot: one round trip of
/// its own plus at most one of waiting, not behind the 60 requests queued before it.
#[tokio::test(start_paused = true)]
async fn a_long_listing_delays_another_accounts_request_by_at_most_a_round_trip() {
    let round_trip = Duration::from_millis(100);
    let app = scripted_app(4);
    let busy = app.account("busy-portal").expect("an account");
    let quiet = app.account("quiet-portal").expect("an account");
    let long = script(150_000, round_trip / 2);
    let short = script(5, round_trip / 2);

    let listing = {
        let long = Arc::clone(&long);
        tokio::spawn(async move {
            let mut pages = busy.list(ListFrom(long)).prefetch(64).pages();
            let mut count = 0u64;
            while let Some(page) = pages.next().await {
                page.expect("a page");
                count += 1;
            }
            count
        })
    };
    // Well into the listing: its requests fill the cap and 60 more wait.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(long.in_flight(), 4, "the app's cap holds");

    let started = Instant::now();
    let items = quiet.list(ListFrom(Arc::clone(&short))).collect_all().await;
    let waited = started.elapsed();
    assert_eq!(items.expect("listed"), (1..=5).map(id).collect::<Vec<_>>());
    assert!(
        waited <= round_trip * 2,
        "the single request took {waited:?}, more than two round trips"
    );
    assert_eq!(long.max_in_flight(), 4, "never more than the cap");
    assert!(!listing.is_finished(), "the long listing is still running");
    listing.abort();
}

/// Issue 21: the API's limit is per token, so each account has its own rate limiter:
/// a 429 that holds one account back for 30 s does not hold back another account of
/// the same app.
#[tokio::test(start_paused = true)]
async fn one_accounts_429_does_not_slow_another() {
    let round_trip = Duration::from_millis(100);
    let app = scripted_app(64);
    let limited = app.account("limited-portal").expect("an account");
    let other = app.account("other-portal").expect("an account");
    let (held_back, _) = Scripted::start(Script {
        rows: 45,
        latency: round_trip / 2,
        faults: [((1, 1), 429)].into_iter().collect(),
        fault_retry_after: Some(30),
        ..Script::default()
    });
    let free = script(45, round_trip / 2);

    let started = Instant::now();
    let first = {
        let held_back = Arc::clone(&held_back);
        tokio::spawn(async move {
            let listed = limited.list(ListFrom(held_back)).collect_all().await;
            (listed, started.elapsed())
        })
    };
    // After the 429 has arrived.
    tokio::time::sleep(round_trip * 2).await;
    let listed = other.list(ListFrom(Arc::clone(&free))).collect_all().await;
    let other_took = started.elapsed() - round_trip * 2;
    assert_eq!(listed.expect("listed").len(), 45);
    assert!(
        other_took <= round_trip * 4,
        "the other account took {other_took:?}"
    );

    let (listed, limited_took) = first.await.expect("the task");
    assert_eq!(listed.expect("listed after the wait").len(), 45);
    assert!(
        limited_took >= Duration::from_secs(30),
        "the 429's account waited: {limited_took:?}"
    );
    let log = held_back.log();
    assert_eq!(log.iter().filter(|l| l.status == 429).count(), 1, "{log:?}");
}

/// A malformed token is refused with a typed error that does not show it.
#[test]
fn a_malformed_account_token_is_refused_without_echoing_it() {
    let app = Client::builder().build_app().expect("an app");
    for token in ["", "secret with space", "s\u{e9}cret", "secret\ttab"] {
        let err = app.account(token).expect_err("refused");
        assert!(matches!(err, Error::InvalidToken(_)), "{err:?}");
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(!format!("{err:?}").contains("secret"), "{err:?}");
        assert_eq!(err.report().to_string(), err.to_string(), "said once");
    }
    let err = app
        .oauth_account("portal", mijnklantportaal::Tokens::new("a", "r", None))
        .expect_err("no OAuth app");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

/// An app without a token of its own says so instead of sending a request the API
/// would refuse; its accounts work.
#[tokio::test]
async fn an_app_without_a_token_sends_nothing_itself() {
    let app = Client::builder()
        .base_url("http://127.0.0.1:9/v1")
        .build_app()
        .expect("an app");
    let err = app
        .customer_invoices()
        .list()
        .collect_all()
        .await
        .expect_err("no token");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(!format!("{app:?}").contains("redacted"), "{app:?}");
    let account = app.account("a-key").expect("an account");
    assert!(format!("{account:?}").contains("<redacted>"));
    assert!(!format!("{account:?}").contains("a-key"));
}

/// The ids of the invoices of the mock's account `token`, in listing order.
fn account_ids(server: &MockServer, token: &str) -> Vec<String> {
    let dataset = server.account_dataset(token).expect("an account");
    dataset.iter().map(|invoice| invoice.id).collect()
}

/// Accounts made with API keys list their own portals' invoices, through the app's
/// one connection pool, concurrently.
#[tokio::test]
async fn api_key_accounts_each_list_their_own_portal() {
    let tokens = ["portal-a", "portal-b", "portal-c"];
    let server = MockServer::builder()
        .invoices(7)
        .accounts(
            (0u64..)
                .zip(tokens)
                .map(|(i, token)| MockAccount::new(token).invoices(20 + 15 * i)),
        )
        .start()
        .await
        .expect("the mock starts");
    let app = Client::builder()
        .base_url(server.base_url())
        .build_app()
        .expect("an app");
    let listings = tokens.map(|token| {
        let account = app.account(token).expect("an account");
        async move { account.customer_invoices().list().collect_all().await }
    });
    let listed = within(10, futures::future::join_all(listings)).await;
    for (token, listed) in tokens.iter().zip(listed) {
        let ids: Vec<String> = listed
            .expect("listed")
            .into_iter()
            .map(|i| i.id.to_string())
            .collect();
        assert_eq!(ids, account_ids(&server, token), "{token}");
    }
    assert_eq!(
        server.stats().requests,
        0,
        "nothing went to the default account"
    );
}

/// OAuth accounts refresh on their own, once per account when their access tokens
/// have expired, and the app is told which account each new pair of tokens is for
/// (refresh tokens rotate: the new one must reach the right row).
#[tokio::test(start_paused = true)]
async fn oauth_accounts_refresh_on_their_own_and_the_app_is_told_which() {
    let keys = ["portal-1", "portal-2", "portal-3"];
    let server = MockServer::builder()
        .no_rate_limit()
        .latency(Duration::from_millis(200), Duration::ZERO)
        .oauth(
            MockOAuth::new()
                .access_token_lifetime(Duration::from_secs(10))
                .rotate_refresh_tokens(true),
        )
        .accounts(
            (0u64..)
                .zip(keys)
                .map(|(i, key)| MockAccount::new(key).invoices(30 + 15 * i).oauth()),
        )
        .start()
        .await
        .expect("the mock starts");
    let told = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let app = {
        let told = Arc::clone(&told);
        Client::builder()
            .base_url(server.base_url())
            .no_rate_limit()
            .oauth_app(oauth_app(&server))
            .on_account_tokens(move |account, tokens| {
                let refresh = tokens.refresh_token().to_owned();
                told.lock().unwrap().push((account.to_string(), refresh));
            })
            .build_app()
            .expect("an app")
    };
    let mut grants = Vec::new();
    let accounts: Vec<Client> = keys
        .iter()
        .map(|key| {
            let grant = server.account_grant(key).expect("a grant");
            grants.push(grant.refresh_token.clone());
            let expires = SystemTime::now() + grant.expires_in;
            let tokens = Tokens::new(grant.access_token, grant.refresh_token, Some(expires));
            app.oauth_account(*key, tokens).expect("an account")
        })
        .collect();
    assert_eq!(
        accounts[1].account_key().map(|k| k.as_str()),
        Some("portal-2")
    );

    // Past the access tokens' lifetime: every account refreshes, once.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let listings = accounts
        .iter()
        .map(|a| a.customer_invoices().list().collect_all());
    let listed = futures::future::join_all(listings).await;
    for (key, listed) in keys.iter().zip(listed) {
        let ids: Vec<String> = listed
            .expect("listed")
            .into_iter()
            .map(|i| i.id.to_string())
            .collect();
        assert_eq!(ids, account_ids(&server, key), "{key}");
        let stats = server.account_oauth_stats(key).expect("an account");
        assert_eq!(stats.refreshes, 1, "{key}: {stats:?}");
        assert_eq!(
            stats.expired_access_tokens, 0,
            "{key}: refreshed before expiry"
        );
    }
    let mut told = told.lock().unwrap().clone();
    told.sort();
    let named: Vec<&str> = told.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(named, keys, "each account's new tokens, once, with its key");
    for (key, refresh) in &told {
        assert!(
            !grants.contains(refresh),
            "{key}: the rotated refresh token"
        );
    }
    assert_eq!(
        server.oauth_stats().refreshes,
        0,
        "none went to the default account"
    );
}
