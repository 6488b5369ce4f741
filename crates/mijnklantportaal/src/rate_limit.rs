//! Client-side pacing that mirrors the API's rate limiter.
//!
//! The API allows 60 requests per minute per token, counted in fixed windows (Laravel's
//! limiter: the first request opens a window, the counter resets when it ends), and
//! answers 429 beyond that. A client that only reacts to 429s wastes a round trip per
//! refusal and, with prefetching, many at once. This limiter keeps the same books as the
//! server, shared by every request of one `Client` and its clones:
//!
//! - before each request, [`RateLimiter::acquire`] takes one request from the current
//!   window, or waits until the window ends;
//! - after each response, [`RateLimiter::observe`] learns from `X-RateLimit-Limit` (the
//!   limit), `X-RateLimit-Remaining` (what is left, including other clients' use of the
//!   same token, and when the server opened its window);
//! - a 429's `Retry-After` (or `X-RateLimit-Reset`) blocks every request until then,
//!   and tells how long the server's window really is.
//!
//! A token-bucket crate (governor) paces at an even rate, which against a fixed-window
//! server either runs into 429s after a burst or wastes the burst; hence this small
//! mirror instead.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// How many requests the client allows itself per window.
///
/// ```
/// use std::time::Duration;
/// use mijnklantportaal::RateLimit;
///
/// assert_eq!(RateLimit::default(), RateLimit::new(60, Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per window.
    pub limit: u32,
    /// Length of the window.
    pub window: Duration,
}

impl RateLimit {
    /// `limit` requests per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimit {
            limit: limit.max(1),
            window: window.max(Duration::from_millis(1)),
        }
    }
}

impl Default for RateLimit {
    /// The documented limit of the API: 60 requests per minute.
    fn default() -> Self {
        RateLimit::new(60, Duration::from_secs(60))
    }
}

/// A snapshot of the limiter, for callers that want to show it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = mijnklantportaal_mock::MockServer::builder()
/// #     .invoices(20).token("key").start().await?;
/// # let client = mijnklantportaal::Client::builder()
/// #     .token("key").base_url(mock.base_url()).build()?;
/// client.customer_invoices().list().collect_all().await?;
/// let status = client.rate_limit_status().expect("pacing is on by default");
/// println!("{} of {} requests left", status.remaining, status.limit);
/// assert_eq!(status.limit, 60);
/// assert!(status.remaining <= 58);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStatus {
    /// Requests per window, as last learned from the server (or configured).
    pub limit: u32,
    /// Requests left in the current window.
    pub remaining: u32,
    /// Time until the current window ends (or a 429's wait is over), if a window is open.
    pub resets_in: Option<Duration>,
    /// The window length in use (configured, or learned from a 429).
    pub window: Duration,
}

#[derive(Debug)]
struct State {
    limit: u32,
    window: Duration,
    /// Requests left in the open window.
    remaining: u32,
    /// When the open window ends; `None` when no window is open.
    window_ends: Option<Instant>,
    /// When the server opened its current window, as far as we can tell.
    server_window_opened: Option<Instant>,
    /// A 429 told us to wait until then.
    blocked_until: Option<Instant>,
}

/// The shared limiter of one client. Cheap to call; never holds its lock across an await.
///
/// With pacing off, it still holds every request back while a 429's wait runs.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
    pacing: bool,
}

impl RateLimiter {
    /// A limiter with `config`, or one that only honours 429s.
    pub(crate) fn new(config: Option<RateLimit>) -> Self {
        let c = config.unwrap_or_default();
        RateLimiter {
            state: Mutex::new(State {
                limit: c.limit,
                window: c.window,
                remaining: c.limit,
                window_ends: None,
                server_window_opened: None,
                blocked_until: None,
            }),
            pacing: config.is_some(),
        }
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        // A poisoned lock only means another task panicked mid-update; the numbers are
        // still usable for pacing.
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Waits until one more request fits in the budget, and takes it.
    pub(crate) async fn acquire(&self) {
        loop {
            let wait = self.with_state(|s| {
                let now = Instant::now();
                if let Some(until) = s.blocked_until {
                    if now < until {
                        return Some(until - now);
                    }
                    s.blocked_until = None;
                }
                if !self.pacing {
                    return None;
                }
                if s.window_ends.is_some_and(|end| now >= end) {
                    s.window_ends = None;
                    s.remaining = s.limit;
                }
                if s.remaining > 0 {
                    s.remaining -= 1;
                    if s.window_ends.is_none() {
                        s.window_ends = Some(now + s.window);
                    }
                    None
                } else {
                    s.window_ends.map(|end| end.saturating_duration_since(now))
                }
            });
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d.max(Duration::from_millis(1))).await,
            }
        }
    }

    /// Learns from the headers of any response.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        let limit = header_u64(headers, "x-ratelimit-limit");
        let remaining = header_u64(headers, "x-ratelimit-remaining");
        self.with_state(|s| {
            let now = Instant::now();
            if let Some(limit) = limit.and_then(|l| u32::try_from(l).ok()).filter(|l| *l > 0)
                && limit != s.limit
            {
                // The server knows better: move our books to its limit.
                let used = s.limit.saturating_sub(s.remaining);
                s.limit = limit;
                s.remaining = limit.saturating_sub(used);
            }
            if let Some(remaining) = remaining.and_then(|r| u32::try_from(r).ok()) {
                if remaining + 1 == s.limit {
                    // This was the first request of a new server window: it ends one
                    // window from now at the latest, never earlier than we thought.
                    s.server_window_opened = Some(now);
                    let end = now + s.window;
                    s.window_ends = Some(s.window_ends.map_or(end, |e| e.max(end)));
                }
                // Other users of the same token count too.
                s.remaining = s.remaining.min(remaining);
            }
        });
    }

    /// A 429: nobody sends until the server's wait is over. Returns that wait.
    pub(crate) fn on_too_many_requests(&self, headers: &HeaderMap) -> Option<Duration> {
        let wait = retry_after(headers);
        self.with_state(|s| {
            let now = Instant::now();
            let wait = wait.unwrap_or(s.window);
            let until = now + wait;
            s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
            s.remaining = 0;
            s.window_ends = Some(until);
            // The window the server counts in runs from when it opened to `until`.
            if let Some(opened) = s.server_window_opened.take() {
                let learned = until.saturating_duration_since(opened);
                if learned >= Duration::from_millis(1) {
                    s.window = learned;
                }
            }
        });
        wait
    }

    /// How long requests are still held back by a 429's wait.
    pub(crate) fn blocked_for(&self) -> Duration {
        self.with_state(|s| {
            s.blocked_until.map_or(Duration::ZERO, |until| {
                until.saturating_duration_since(Instant::now())
            })
        })
    }

    /// The limiter's current state; `None` when rate limiting is off.
    pub(crate) fn status(&self) -> Option<RateLimitStatus> {
        if !self.pacing {
            return None;
        }
        Some(self.with_state(|s| {
            let now = Instant::now();
            let open = s.window_ends.filter(|end| *end > now);
            let blocked = s.blocked_until.filter(|b| *b > now);
            RateLimitStatus {
                limit: s.limit,
                remaining: if open.is_some() { s.remaining } else { s.limit },
                resets_in: blocked.or(open).map(|t| t - now),
                window: s.window,
            }
        }))
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    header_str(headers, name).and_then(|v| v.parse().ok())
}

/// The wait a 429 asks for: `Retry-After` in seconds (fractions accepted, for
/// time-scaled test servers), else `X-RateLimit-Reset` as a UNIX timestamp. Absurd
/// values are capped at an hour.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    const CAP: Duration = Duration::from_secs(3600);
    if let Some(secs) = header_str(headers, "retry-after")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
    {
        return Some(Duration::from_secs_f64(secs.min(CAP.as_secs_f64())));
    }
    let reset = header_u64(headers, "x-ratelimit-reset")?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now)).min(CAP))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
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
            .unwrap()
            .as_secs()
            + 60;
        let wait =
            retry_after(&headers(&[("x-ratelimit-reset", &in_a_minute.to_string())])).unwrap();
        assert!(wait <= Duration::from_secs(60) && wait >= Duration::from_secs(58));
    }

    #[tokio::test(start_paused = true)]
    async fn paces_to_the_window_and_learns_the_limit() {
        let limiter = RateLimiter::new(Some(RateLimit::new(60, Duration::from_secs(1))));
        limiter.observe(&headers(&[
            ("x-ratelimit-limit", "3"),
            ("x-ratelimit-remaining", "3"),
        ]));
        assert_eq!(limiter.status().unwrap().limit, 3);
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the first window is free");
        limiter.acquire().await;
        assert!(
            start.elapsed() >= Duration::from_secs(1),
            "the fourth waits"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_blocks_everyone_until_retry_after() {
        let limiter = RateLimiter::new(Some(RateLimit::default()));
        let wait = limiter.on_too_many_requests(&headers(&[("retry-after", "5")]));
        assert_eq!(wait, Some(Duration::from_secs(5)));
        let start = tokio::time::Instant::now();
        limiter.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(5), "never sooner");
    }
}
