//! Client-side pacing that mirrors the API's rate limiter.
//!
//! The API allows 60 requests per minute per token, counted in fixed windows (Laravel's
//! limiter: the first request opens a window, the counter resets when it ends), and
//! answers 429 beyond that. A client that only reacts to 429s wastes a round trip per
//! refusal and, with prefetching, many at once. This limiter keeps the same books as the
//! server, shared by every request of one `Client` and its clones:
//!
//! - before each request, [`RateLimiter::acquire`] takes one request from the current
//!   window, or waits until the window ends. Waiters are served in the order their
//!   requests were queued (a retry keeps its place), so the page a listing waits for is
//!   never overtaken by pages after it;
//! - after each response, [`RateLimiter::observe`] learns from `X-RateLimit-Limit` and
//!   `X-RateLimit-Remaining`: the budget is the lower of the configured and the
//!   advertised limit (a configured limit below the server's is headroom the caller
//!   chose), other users of the same token count, and a response that is the first of a
//!   new server window tells when the server's window started (and, seen twice, bounds
//!   its length from above, so a too-long window is relearned downward);
//! - a 429 from the API (one carrying `X-RateLimit-Limit`) tells, through its
//!   `Retry-After`, how long the server's window really is. Every 429 holds all requests
//!   back for its wait; one from something else (a proxy's `Retry-After: 3600`) is
//!   waited out but teaches nothing.
//!
//! When the server advertises a lower limit than configured, the configured window is
//! suspect too (3 per second is not 3 per minute). Rather than wait a presumed window,
//! the limiter then lets one request past the exhausted budget: the server's 429 (or its
//! fresh window) tells the window's real length. That costs at most one 429 per client.
//!
//! A token-bucket crate (governor) paces at an even rate, which against a fixed-window
//! server either runs into 429s after a burst or wastes the burst; hence this small
//! mirror instead.

use std::collections::BTreeSet;
use std::pin::pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::sync::Notify;
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
    /// What the caller configured (the default: the documented 60 per minute).
    configured: RateLimit,
    /// Requests per window we allow ourselves: the lower of the configured and the
    /// advertised limit.
    limit: u32,
    /// The limit the server last advertised.
    advertised: Option<u32>,
    window: Duration,
    /// False while the window is only presumed: the server advertised a lower limit than
    /// configured, and no 429 or pair of fresh windows has told its real length yet.
    window_known: bool,
    /// Requests left in the open window.
    remaining: u32,
    /// When the open window ends; `None` when no window is open.
    window_ends: Option<Instant>,
    /// When the request that opened the server's current window was sent: the server
    /// opened it no earlier.
    server_window_opened: Option<Instant>,
    /// A 429 told us to wait until then.
    blocked_until: Option<Instant>,
    /// One request past an exhausted budget went out to learn an unknown window.
    probing: bool,
    /// Requests sent and not answered yet.
    in_flight: u32,
    /// Tickets of the requests waiting in `acquire`, oldest first.
    waiting: BTreeSet<u64>,
}

/// The shared limiter of one client. Cheap to call; never holds its lock across an await.
///
/// With pacing off, it still holds every request back while a 429's wait runs.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
    pacing: bool,
    /// Woken whenever a waiter may now go: one left the queue, or a response moved the books.
    changed: Notify,
    next_ticket: AtomicU64,
}

/// A request's place in the queue: taken when the request is scheduled, kept by its retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ticket(u64);

/// One request the limiter let through, until its response has been observed.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    limiter: &'a RateLimiter,
    sent_at: Instant,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limiter
            .with_state(|s| s.in_flight = s.in_flight.saturating_sub(1));
    }
}

/// Removes a waiter from the queue however `acquire` ends (taken, or cancelled).
struct Waiting<'a> {
    limiter: &'a RateLimiter,
    ticket: u64,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.limiter.with_state(|s| s.waiting.remove(&self.ticket));
        self.limiter.changed.notify_waiters();
    }
}

enum Turn {
    Go,
    /// Wait this long, or until woken.
    Wait(Option<Duration>),
}

impl RateLimiter {
    /// A limiter with `config`, or one that only honours 429s.
    pub(crate) fn new(config: Option<RateLimit>) -> Self {
        let c = config.unwrap_or_default();
        RateLimiter {
            state: Mutex::new(State {
                configured: c,
                limit: c.limit,
                advertised: None,
                window: c.window,
                window_known: true,
                remaining: c.limit,
                window_ends: None,
                server_window_opened: None,
                blocked_until: None,
                probing: false,
                in_flight: 0,
                waiting: BTreeSet::new(),
            }),
            pacing: config.is_some(),
            changed: Notify::new(),
            next_ticket: AtomicU64::new(0),
        }
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        // A poisoned lock only means another task panicked mid-update; the numbers are
        // still usable for pacing.
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// A place in the queue, for a request about to be scheduled.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.next_ticket.fetch_add(1, Ordering::Relaxed))
    }

    /// Waits until it is `ticket`'s turn and one more request fits in the budget, and
    /// takes it. Hold the permit until the response has been observed.
    pub(crate) async fn acquire(&self, ticket: Ticket) -> Permit<'_> {
        self.with_state(|s| s.waiting.insert(ticket.0));
        let waiting = Waiting {
            limiter: self,
            ticket: ticket.0,
        };
        loop {
            let mut woken = pin!(self.changed.notified());
            woken.as_mut().enable();
            match self.with_state(|s| self.turn(s, ticket.0)) {
                Turn::Go => {
                    drop(waiting);
                    return Permit {
                        limiter: self,
                        sent_at: Instant::now(),
                    };
                }
                Turn::Wait(None) => woken.await,
                Turn::Wait(Some(wait)) => {
                    let sleep = pin!(tokio::time::sleep(wait.max(Duration::from_millis(1))));
                    futures::future::select(sleep, woken).await;
                }
            }
        }
    }

    /// Whether `ticket` may send now, and otherwise how long to wait.
    fn turn(&self, s: &mut State, ticket: u64) -> Turn {
        let now = Instant::now();
        if let Some(until) = s.blocked_until {
            if now < until {
                return Turn::Wait(Some(until - now));
            }
            s.blocked_until = None;
        }
        if s.waiting.first() != Some(&ticket) {
            return Turn::Wait(None);
        }
        if !self.pacing {
            s.in_flight += 1;
            return Turn::Go;
        }
        if s.window_ends.is_some_and(|end| now >= end) {
            s.window_ends = None;
            s.remaining = s.limit;
            s.probing = false;
        }
        if s.remaining > 0 {
            s.remaining -= 1;
            if s.window_ends.is_none() {
                s.window_ends = Some(now + s.window);
            }
            s.in_flight += 1;
            Turn::Go
        } else if !s.window_known && !s.probing {
            // The window is a guess: ask the server instead of waiting it out.
            s.probing = true;
            s.in_flight += 1;
            Turn::Go
        } else {
            Turn::Wait(s.window_ends.map(|end| end.saturating_duration_since(now)))
        }
    }

    /// Learns from the headers of any response to the request `permit` let through.
    pub(crate) fn observe(&self, permit: &Permit<'_>, headers: &HeaderMap) {
        let advertised = header_u64(headers, "x-ratelimit-limit")
            .filter(|l| *l > 0)
            .map(|l| u32::try_from(l).unwrap_or(u32::MAX));
        let remaining = header_u64(headers, "x-ratelimit-remaining")
            .map(|r| u32::try_from(r).unwrap_or(u32::MAX));
        self.with_state(|s| {
            let now = Instant::now();
            if let Some(advertised) = advertised {
                if s.advertised != Some(advertised) {
                    s.advertised = Some(advertised);
                    // A lower limit than configured: the configured window is a guess too.
                    s.window_known = advertised >= s.configured.limit;
                }
                let limit = if self.pacing {
                    advertised.min(s.configured.limit)
                } else {
                    advertised
                };
                if limit != s.limit {
                    let used = s.limit.saturating_sub(s.remaining);
                    s.limit = limit;
                    s.remaining = limit.saturating_sub(used);
                }
            }
            let Some(remaining) = remaining else { return };
            let server_limit = s.advertised.unwrap_or(s.limit);
            if remaining.checked_add(1) == Some(server_limit) {
                // The first request of a new server window. If an earlier one was seen,
                // the server's window is no longer than the time between them.
                if let Some(previous) = s.server_window_opened {
                    let at_most = now.saturating_duration_since(previous);
                    if at_most >= Duration::from_millis(1) && at_most < s.window {
                        s.window = at_most;
                        s.window_known = true;
                    }
                }
                s.server_window_opened = Some(permit.sent_at);
                // Our window now ends no earlier than the server's. Requests still in
                // flight count in it; so may requests whose answers came before this one
                // (answers arrive out of order), so what is left is never raised here.
                s.window_ends = Some(now + s.window);
                let others = s.in_flight.saturating_sub(1);
                let left = remaining
                    .min(s.limit.saturating_sub(1))
                    .saturating_sub(others);
                s.remaining = s.remaining.min(left);
                s.probing = false;
                self.changed.notify_waiters();
            } else {
                // Other users of the same token count too.
                s.remaining = s.remaining.min(remaining);
            }
        });
    }

    /// A 429: nobody sends until the server's wait
    /// is over. Returns that wait.
    pub(crate) fn on_too_many_requests(&self, headers: &HeaderMap) -> Option<Duration> {
        let wait = retry_after(headers);
        let from_the_api = headers.contains_key("x-ratelimit-limit");
        self.with_state(|s| {
            let now = Instant::now();
            let until = now + wait.unwrap_or(s.window);
            s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
            s.remaining = 0;
            s.window_ends = Some(until);
            s.probing = false;
            // The server's window runs from when it opened (no earlier than the request
            // that opened it was sent) to at most `until`: an upper bound, so pacing to
            // it sends no request early.
            if let (true, Some(_), Some(opened)) =
                (from_the_api, wait, s.server_window_opened.take())
            {
                let learned = until.saturating_duration_since(opened);
                if learned >= Duration::from_millis(1) {
                    s.window = learned;
                    s.window_known = true;
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
mod tests;
