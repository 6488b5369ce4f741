//! The limiter's books against a server's headers, on tokio's paused clock.

use std::sync::Arc;

use super::*;
use reqwest::header::HeaderValue;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, HeaderValue::from_str(v).expect("a valid header value"));
    }
    h
}

/// A budget no wait in these tests reaches.
const PATIENT: Budget = Budget {
    started: None,
    max_elapsed: Duration::from_secs(100_000),
};

/// A permit for `ticket`, however long it takes.
async fn take(limiter: &RateLimiter, ticket: Ticket) -> Permit<'_> {
    limiter
        .acquire(ticket, PATIENT)
        .await
        .expect("within the budget")
}

/// One request through the limiter, answered with `pairs`.
async fn answered(limiter: &RateLimiter, pairs: &[(&'static str, &str)]) {
    let permit = take(limiter, limiter.ticket()).await;
    limiter.observe(&permit, &headers(pairs));
}

/// One request through the limiter, answered with a 429 carrying `pairs`.
async fn refused(limiter: &RateLimiter, pairs: &[(&'static str, &str)]) -> Option<Duration> {
    let permit = take(limiter, limiter.ticket()).await;
    let headers = headers(pairs);
    limiter.observe(&permit, &headers);
    limiter.on_too_many_requests(&permit, &headers)
}

#[test]
fn parses_retry_after_and_reset() {
    assert_eq!(
        retry_after(&headers(&[("retry-after", "2")])),
        Some(Duration::from_secs(2))
    );
    assert_eq!(
        retry_after(&headers(&[("retry-after", "0.25")])),
        Some(Duration::from_millis(250))
    );
    assert_eq!(
        retry_after(&headers(&[("retry-after", "1e30")])),
        Some(Duration::from_secs(3600))
    );
    assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    let in_a_minute = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + 60;
    let wait =
        retry_after(&headers(&[("x-ratelimit-reset", &in_a_minute.to_string())])).expect("a wait");
    assert!(wait <= Duration::from_secs(60) && wait >= Duration::from_secs(58));
}

#[tokio::test(start_paused = true)]
async fn paces_to_the_lower_advertised_limit() {
    let limiter = RateLimiter::new(Pacing::Configured(RateLimit::new(
        60,
        Duration::from_secs(1),
    )));
    answered(
        &limiter,
        &[("x-ratelimit-limit", "3"), ("x-ratelimit-remaining", "2")],
    )
    .await;
    assert_eq!(limiter.status().expect("pacing").limit, 3);
    let start = Instant::now();
    for _ in 0..2 {
        drop(take(&limiter, limiter.ticket()).await);
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "the first window holds 3");
}

/// Bug 3: a configured limit below the server's is headroom, not a guess to replace.
#[tokio::test(start_paused = true)]
async fn a_higher_advertised_limit_does_not_raise_the_configured_one() {
    let limiter = RateLimiter::new(Pacing::Configured(RateLimit::new(
        30,
        Duration::from_secs(60),
    )));
    answered(
        &limiter,
        &[("x-ratelimit-limit", "60"), ("x-ratelimit-remaining", "59")],
    )
    .await;
    let status = limiter.status().expect("pacing");
    assert_eq!((status.limit, status.remaining), (30, 29));
}

/// Bug 5: `remaining + 1` overflowed (a panic in a debug build).
#[tokio::test(start_paused = true)]
async fn huge_header_values_do_not_overflow() {
    let limiter = RateLimiter::new(Pacing::Configured(RateLimit::default()));
    answered(
        &limiter,
        &[
            ("x-ratelimit-limit", "4294967295"),
            ("x-ratelimit-remaining", "4294967295"),
        ],
    )
    .await;
    answered(
        &limiter,
        &[
            ("x-ratelimit-limit", "99999999999999"),
            ("x-ratelimit-remaining", "18446744073709551615"),
        ],
    )
    .await;
    assert_eq!(limiter.status().expect("pacing").limit, 60);
}

/// Bug 4: a proxy's 429 is waited out but is not the API's window.
#[tokio::test(start_paused = true)]
async fn a_proxy_429_teaches_no_window() {
    let limiter = RateLimiter::new(Pacing::Configured(RateLimit::default()));
    answered(
        &limiter,
        &[("x-ratelimit-limit", "60"), ("x-ratelimit-remaining", "59")],
    )
    .await;
    let wait = refused(&limiter, &[("retry-after", "3600")]).await;
    assert_eq!(wait, Some(Duration::from_secs(3600)));
    assert_eq!(
        limiter.blocked_for(),
        Duration::from_secs(3600),
        "waited out"
    );
    assert_eq!(
        limiter.status().expect("pacing").window,
        Duration::from_secs(60),
        "not learned"
    );
}

/// Bug 4: a window too long (stale, or learned from a slow 429) comes down when the
/// server opens windows more often than it.
#[tokio::test(start_paused = true)]
async fn a_too_long_window_is_relearned_downward() {
    let limiter = RateLimiter::new(Pacing::Configured(RateLimit::new(
        60,
        Duration::from_secs(600),
    )));
    let fresh = [("x-ratelimit-limit", "60"), ("x-ratelimit-remaining", "59")];
    answered(&limiter, &fresh).await;
    tokio::time::advance(Duration::from_secs(61)).await;
    answered(&limiter, &fresh).await;
    let window = limiter.status().expect("pacing").window;
    assert_eq!(
        window,
        Duration::from_secs(61),
        "at most the time between two fresh windows"
    );
}

/// Bug 7: waiters go in ticket order, so a retry (which keeps its ticket) is not
/// overtaken by later pages.
#[tokio::test(start_paused = true)]
async fn waiters_are_served_in_ticket_order() {
    let limiter = Arc::new(RateLimiter::new(Pacing::Configured(RateLimit::new(
        1,
        Duration::from_secs(10),
    ))));
    drop(take(&limiter, limiter.ticket()).await);
    let tickets: Vec<Ticket> = (0..5).map(|_| limiter.ticket()).collect();
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    // Start them newest ticket first: arrival order must not matter.
    for (i, ticket) in tickets.into_iter().enumerate().rev() {
        let (limiter, order) = (Arc::clone(&limiter), Arc::clone(&order));
        tasks.push(tokio::spawn(async move {
            drop(take(&limiter, ticket).await);
            order.lock().expect("not poisoned").push(i);
        }));
        tokio::task::yield_now().await;
    }
    for task in tasks {
        task.await.expect("no panic");
    }
    assert_eq!(*order.lock().expect("not poisoned"), vec![0, 1, 2, 3, 4]);
}

/// A cancelled waiter leaves the queue: the next one is not stuck behind it.
#[tokio::test(start_paused = true)]
async fn a_cancelled_waiter_leaves_the_queue() {
    let limiter = Arc::new(RateLimiter::new(Pacing::Configured(RateLimit::new(
        1,
        Duration::from_secs(10),
    ))));
    drop(take(&limiter, limiter.ticket()).await);
    let first = limiter.ticket();
    let second = limiter.ticket();
    let waiting = {
        let limiter = Arc::clone(&limiter);
        tokio::spawn(async move { drop(take(&limiter, first).await) })
    };
    tokio::task::yield_now().await;
    waiting.abort();
    let start = Instant::now();
    drop(take(&limiter, second).await);
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(10),
        "one window, not two"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_blocks_everyone_until_retry_after() {
    let limiter = RateLimiter::new(Pacing::Configured(RateLimit::default()));
    let wait = refused(&limiter, &[("retry-after", "5")]).await;
    assert_eq!(wait, Some(Duration::from_secs(5)));
    let start = Instant::now();
    drop(take(&limiter, limiter.ticket()).await);
    assert_eq!(start.elapsed(), Duration::from_secs(5), "never sooner");
}

/// Issue 17: the documented 60 per minute holds only until the server says otherwise;
/// a caller's own limit still caps (see the test above).
#[tokio::test(start_paused = true)]
async fn the_default_limit_gives_way_to_the_advertised_one() {
    let limiter = RateLimiter::new(Pacing::Documented);
    answered(
        &limiter,
        &[
            ("x-ratelimit-limit", "1000"),
            ("x-ratelimit-remaining", "999"),
        ],
    )
    .await;
    let start = Instant::now();
    for _ in 0..200 {
        drop(take(&limiter, limiter.ticket()).await);
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "200 of 1,000 fit at once");
    assert_eq!(limiter.status().expect("pacing").limit, 1000);
}

/// Issue 17 (the stall): a request waiting for a presumed window end is woken when a
/// 429 says the server's window ends sooner; it does not sleep out the presumed minute.
#[tokio::test(start_paused = true)]
async fn a_429_wakes_the_waiters_of_a_presumed_window() {
    let limiter = Arc::new(RateLimiter::new(Pacing::Documented));
    let three = [("x-ratelimit-limit", "3"), ("x-ratelimit-remaining", "2")];
    answered(&limiter, &three).await;
    answered(
        &limiter,
        &[("x-ratelimit-limit", "3"), ("x-ratelimit-remaining", "1")],
    )
    .await;
    answered(
        &limiter,
        &[("x-ratelimit-limit", "3"), ("x-ratelimit-remaining", "0")],
    )
    .await;
    // The budget of 3 is spent and the window (a minute, presumed) is a guess: once
    // the window's answers are in, one request goes on to ask the server.
    let probe = take(&limiter, limiter.ticket()).await;
    let start = Instant::now();
    let waiter = {
        let limiter = Arc::clone(&limiter);
        let ticket = limiter.ticket();
        tokio::spawn(async move { drop(take(&limiter, ticket).await) })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiter.is_finished(), "the budget is spent");
    let refusal = headers(&[
        ("x-ratelimit-limit", "3"),
        ("x-ratelimit-remaining", "0"),
        ("retry-after", "1"),
    ]);
    limiter.observe(&probe, &refusal);
    limiter.on_too_many_requests(&probe, &refusal);
    drop(probe);
    waiter.await.expect("no panic");
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(1100),
        "woken at the 429's end"
    );
}

/// Issue 17, item 2: a window is only learned from a server window opened since the
/// client's own window began: an opener seen hours ago teaches nothing.
#[tokio::test(start_paused = true)]
async fn a_window_is_not_learned_from_a_stale_opener() {
    let limiter = RateLimiter::new(Pacing::Documented);
    let three = [("x-ratelimit-limit", "3"), ("x-ratelimit-remaining", "2")];
    answered(&limiter, &three).await;
    tokio::time::advance(Duration::from_secs(5 * 3600)).await;
    let wait = refused(
        &limiter,
        &[
            ("x-ratelimit-limit", "3"),
            ("x-ratelimit-remaining", "0"),
            ("retry-after", "1"),
        ],
    )
    .await;
    assert_eq!(wait, Some(Duration::from_secs(1)));
    let window = limiter.status().expect("pacing").window;
    assert!(window <= Duration::from_secs(60), "learned {window:?}");
}

/// Issue 17, item 2: what is learned is bounded, and forgotten after a while (then
/// learned again).
#[tokio::test(start_paused = true)]
async fn a_learned_window_is_bounded_and_aged() {
    let limiter = RateLimiter::new(Pacing::Documented);
    let three = [("x-ratelimit-limit", "3"), ("x-ratelimit-remaining", "2")];
    answered(&limiter, &three).await;
    // The API's own 429 asking for the longest wait there is.
    refused(
        &limiter,
        &[
            ("x-ratelimit-limit", "3"),
            ("x-ratelimit-remaining", "0"),
            ("retry-after", "99999999"),
        ],
    )
    .await;
    let learned = limiter.status().expect("pacing").window;
    assert!(learned <= Duration::from_secs(3600), "bounded: {learned:?}");
    assert!(learned > Duration::from_secs(60), "learned: {learned:?}");
    tokio::time::advance(LEARNED_FOR).await;
    assert_eq!(
        limiter.status().expect("pacing").window,
        Duration::from_secs(60),
        "forgotten, to be learned again"
    );
}

/// Issue 17, item 3: a 429's wait that ends after a request's budget does is not
/// waited: the request learns how long it would be.
#[tokio::test(start_paused = true)]
async fn a_wait_past_the_budget_is_refused_at_once() {
    let limiter = RateLimiter::new(Pacing::Documented);
    refused(&limiter, &[("retry-after", "3600")]).await;
    let start = Instant::now();
    let budget = Budget {
        started: None,
        max_elapsed: Duration::from_secs(120),
    };
    let refused = limiter.acquire(limiter.ticket(), budget).await;
    assert_eq!(refused.err(), Some(Duration::from_secs(3600)));
    assert_eq!(start.elapsed(), Duration::ZERO);
    // A request with the budget for it waits.
    let budget = Budget {
        started: None,
        max_elapsed: Duration::from_secs(7200),
    };
    drop(
        limiter
            .acquire(limiter.ticket(), budget)
            .await
            .expect("within budget"),
    );
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
}

/// Issue 17, item 7: the longest windows do not overflow the clock.
#[tokio::test(start_paused = true)]
async fn a_huge_window_does_not_overflow() {
    let limiter = RateLimiter::new(Pacing::Configured(RateLimit::new(1, Duration::MAX)));
    answered(&limiter, &[("x-ratelimit-remaining", "0")]).await;
    let status = limiter.status().expect("pacing");
    assert_eq!(status.window, MAX_WINDOW);
    assert_eq!(status.resets_in, Some(MAX_WINDOW));
}
