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

/// One request through the limiter, answered with `pairs`.
async fn answered(limiter: &RateLimiter, pairs: &[(&'static str, &str)]) {
    let permit = limiter.acquire(limiter.ticket()).await;
    limiter.observe(&permit, &headers(pairs));
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
    let limiter = RateLimiter::new(Some(RateLimit::new(60, Duration::from_secs(1))));
    answered(
        &limiter,
        &[("x-ratelimit-limit", "3"), ("x-ratelimit-remaining", "2")],
    )
    .await;
    assert_eq!(limiter.status().expect("pacing").limit, 3);
    let start = Instant::now();
    for _ in 0..2 {
        drop(limiter.acquire(limiter.ticket()).await);
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "the first window holds 3");
}

/// Bug 3: a configured limit below the server's is headroom, not a guess to replace.
#[tokio::test(start_paused = true)]
async fn a_higher_advertised_limit_does_not_raise_the_configured_one() {
    let limiter = RateLimiter::new(Some(RateLimit::new(30, Duration::from_secs(60))));
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
    let limiter = RateLimiter::new(Some(RateLimit::default()));
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
    let limiter = RateLimiter::new(Some(RateLimit::default()));
    answered(
        &limiter,
        &[("x-ratelimit-limit", "60"), ("x-ratelimit-remaining", "59")],
    )
    .await;
    let wait = limiter.on_too_many_requests(&headers(&[("retry-after", "3600")]));
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
    let limiter = RateLimiter::new(Some(RateLimit::new(60, Duration::from_secs(600))));
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
    let limiter = Arc::new(RateLimiter::new(Some(RateLimit::new(
        1,
        Duration::from_secs(10),
    ))));
    drop(limiter.acquire(limiter.ticket()).await);
    let tickets: Vec<Ticket> = (0..5).map(|_| limiter.ticket()).collect();
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    // Start them newest ticket first: arrival order must not matter.
    for (i, ticket) in tickets.into_iter().enumerate().rev() {
        let (limiter, order) = (Arc::clone(&limiter), Arc::clone(&order));
        tasks.push(tokio::spawn(async move {
            drop(limiter.acquire(ticket).await);
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
    let limiter = Arc::new(RateLimiter::new(Some(RateLimit::new(
        1,
        Duration::from_secs(10),
    ))));
    drop(limiter.acquire(limiter.ticket()).await);
    let first = limiter.ticket();
    let second = limiter.ticket();
    let waiting = {
        let limiter = Arc::clone(&limiter);
        tokio::spawn(async move { drop(limiter.acquire(first).await) })
    };
    tokio::task::yield_now().await;
    waiting.abort();
    let start = Instant::now();
    drop(limiter.acquire(second).await);
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(10),
        "one window, not two"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_blocks_everyone_until_retry_after() {
    let limiter = RateLimiter::new(Some(RateLimit::default()));
    let wait = limiter.on_too_many_requests(&headers(&[("retry-after", "5")]));
    assert_eq!(wait, Some(Duration::from_secs(5)));
    let start = Instant::now();
    drop(limiter.acquire(limiter.ticket()).await);
    assert_eq!(start.elapsed(), Duration::from_secs(5), "never sooner");
}
