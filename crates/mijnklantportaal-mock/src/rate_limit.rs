//! The rate limiter: a fixed window per presented token, like Laravel's `RateLimiter`.
//! A key's first hit starts a window; hits over the limit are refused (not counted)
//! with the time left in it. Clients pace themselves by the `X-RateLimit-*` headers,
//! so the mock keeps Laravel's arithmetic; the window is a `Duration` for short tests.

use std::collections::HashMap;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use tokio::time::Instant;

/// Keys whose window has ended are dropped once the table grows past this.
const PRUNE_ABOVE: usize = 1024;

/// What the limiter says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Let the request through; `remaining` more fit in the window.
    Allowed { limit: u32, remaining: u32 },
    /// Refuse it; the window ends in `retry_after`.
    Limited { limit: u32, retry_after: Duration },
}

/// Fixed windows of `window` allowing `limit` requests, per key: (start, hits).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: HashMap<String, (Instant, u32)>,
    prune_above: usize,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            windows: HashMap::new(),
            prune_above: PRUNE_ABOVE,
        }
    }

    /// Counts a request of `key` at `now`, unless it is over the limit.
    pub(crate) fn hit(&mut self, key: &str, now: Instant) -> Decision {
        let (limit, length) = (self.limit, self.window);
        if self.windows.len() > self.prune_above {
            self.windows
                .retain(|_, (started, _)| now.saturating_duration_since(*started) < length);
            // Scan again only once the table has doubled: a flood of new tokens stays linear.
            self.prune_above = PRUNE_ABOVE.max(self.windows.len().saturating_mul(2));
        }
        let (started, hits) = self.windows.entry(key.to_owned()).or_insert((now, 0));
        if now.saturating_duration_since(*started) >= length {
            (*started, *hits) = (now, 0);
        }
        if *hits >= limit {
            // A window too long for the clock never ends.
            let ends = started.checked_add(length);
            let retry_after = ends.map_or(Duration::MAX, |e| e.saturating_duration_since(now));
            return Decision::Limited { limit, retry_after };
        }
        *hits += 1;
        let remaining = limit - *hits;
        Decision::Allowed { limit, remaining }
    }
}

impl Decision {
    /// Adds this decision's headers: `X-RateLimit-Limit` and `X-RateLimit-Remaining`
    /// always, and `Retry-After` plus `X-RateLimit-Reset` when limited.
    pub(crate) fn write_headers(&self, headers: &mut HeaderMap, fractional: bool, now_unix: i64) {
        let (limit, remaining) = match *self {
            Decision::Allowed { limit, remaining } => (limit, remaining),
            Decision::Limited { limit, .. } => (limit, 0),
        };
        headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        let Decision::Limited { retry_after, .. } = *self else {
            return;
        };
        // Whole seconds, rounded up, at least 1 (a client told "0" would retry at once).
        let seconds = retry_after
            .as_secs()
            .saturating_add(u64::from(retry_after.subsec_nanos() > 0))
            .max(1);
        let text = if fractional {
            format!("{:.3}", retry_after.as_secs_f64().max(0.001))
        } else {
            seconds.to_string()
        };
        if let Ok(value) = HeaderValue::from_str(&text) {
            headers.insert(http::header::RETRY_AFTER, value);
        }
        let reset = now_unix.saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX));
        headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_window_counts_and_resets() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert_eq!(
            limiter.hit("a", start),
            Decision::Allowed {
                limit: 2,
                remaining: 1
            }
        );
        assert_eq!(
            limiter.hit("a", start + Duration::from_secs(1)),
            Decision::Allowed {
                limit: 2,
                remaining: 0
            }
        );
        assert_eq!(
            limiter.hit("a", start + Duration::from_millis(10_500)),
            Decision::Limited {
                limit: 2,
                retry_after: Duration::from_millis(49_500)
            }
        );
        // Another key has its own window.
        assert_eq!(
            limiter.hit("b", start + Duration::from_secs(2)),
            Decision::Allowed {
                limit: 2,
                remaining: 1
            }
        );
        assert_eq!(
            limiter.hit("a", start + Duration::from_secs(60)),
            Decision::Allowed {
                limit: 2,
                remaining: 1
            }
        );
    }

    #[test]
    fn headers_of_a_refusal() {
        let mut headers = HeaderMap::new();
        let decision = Decision::Limited {
            limit: 60,
            retry_after: Duration::from_millis(49_100),
        };
        decision.write_headers(&mut headers, false, 1_767_222_000);
        assert_eq!(headers["retry-after"], "50");
        assert_eq!(headers["x-ratelimit-remaining"], "0");
        assert_eq!(headers["x-ratelimit-limit"], "60");
        assert_eq!(
            headers["x-ratelimit-reset"], "1767222050",
            "the mock's now + 50"
        );
        decision.write_headers(&mut headers, true, 1_767_222_000);
        assert_eq!(headers["retry-after"], "49.100");
    }

    #[test]
    fn endless_windows_do_not_overflow() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(0, Duration::MAX);
        let decision = limiter.hit("a", start);
        assert_eq!(
            decision,
            Decision::Limited {
                limit: 0,
                retry_after: Duration::MAX
            }
        );
        let mut headers = HeaderMap::new();
        decision.write_headers(&mut headers, false, i64::MAX);
        assert_eq!(headers["retry-after"], u64::MAX.to_string().as_str());
        assert_eq!(headers["x-ratelimit-reset"], i64::MAX.to_string().as_str());
        decision.write_headers(&mut headers, true, 0);
    }

    #[test]
    fn expired_keys_are_pruned() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(1, Duration::from_millis(10));
        for key in 0..3_000 {
            limiter.hit(&format!("old{key}"), start);
        }
        for key in 0..3_000 {
            limiter.hit(&format!("new{key}"), start + Duration::from_secs(1));
        }
        assert_eq!(limiter.windows.len(), 3_000);
        assert!(limiter.windows.keys().all(|k| k.starts_with("new")));
    }
}
