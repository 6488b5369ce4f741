//! One app, many portals (issue 21): accounts made with `app.account(..)` and
//! `app.oauth_account(..)` share the app's cap on requests in flight fairly and keep
//! their own rate limits and token refreshes. The scheduling tests run against scripted
//! servers on tokio's paused clock (times are virtual and exact); the rest against the
//! mock serving several accounts on loopback.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::scripted::{ListFrom, Script, Scripted, id};
use futures::StreamExt;
use mijnklantportaal::{Client, Error, RetryPolicy};
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
