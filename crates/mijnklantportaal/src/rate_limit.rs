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
//!   never overtaken by pages after it. Every change of the books wakes the waiters, so
//!   none sleeps on a window end that has since moved;
//! - after each response, [`RateLimiter::observe`] learns from `X-RateLimit-Limit` and
//!   `X-RateLimit-Remaining`. The limit is the one the server advertises: the documented
//!   60 per minute is only the starting point, until the server says otherwise. A limit
//!   the caller set with `.rate_limit(..)` caps it (headroom the caller chose). Other
//!   users of the same token count; a response that is the first of a new server window
//!   tells when the server's window started (and, seen twice, bounds its length from
//!   above, so a too-long window is relearned downward);
//! - a 429 from the API (one carrying `X-RateLimit-Limit`) tells, through its
//!   `Retry-After`, when the server's window ends. Every 429 holds all requests back for
//!   its wait; one from something else (a proxy's `Retry-After: 3600`) is waited out but
//!   teaches nothing. A request whose retry budget ends before such a wait does is not
//!   held: [`RateLimiter::acquire`] says how long the wait is, and the request fails.
//!
//! The window length is in no header. It is trusted when the server advertises the
//! limit it was given with (the documented 60, or the caller's limit or more). Otherwise
//! it is a guess, and rather than wait a presumed minute the limiter lets one request
//! past the exhausted budget in each window: the server's 429 says when its window ends,
//! which is never later than what a loop that only honours 429s learns. A window learned
//! from a 429 is trusted in turn when the 429 pins it down to within a quarter (a
//! minute's window, say, and not a second's told in whole seconds). What is learned is
//! bounded (an hour at most), is only learned from a window opened since the client's
//! own window began (never from one seen hours ago), and is forgotten after
//! [`LEARNED_FOR`], to be learned again.
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

/// The longest window a [`RateLimit`] holds (longer ones are cut to it): a month.
pub const MAX_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// The longest window learned from the server, and the longest wait a 429 can ask.
const MAX_LEARNED: Duration = Duration::from_secs(3600);

/// How long a window learned from the server is kept before it is learned again.
pub(crate) const LEARNED_FOR: Duration = Duration::from_secs(15 * 60);

/// `t + d`, or a year on when that is past what the clock can hold (never a panic).
pub(crate) fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d)
        .or_else(|| t.checked_add(Duration::from_secs(365 * 24 * 3600)))
        .unwrap_or(t)
}

/// How many requests the client allows itself per window.
///
/// ```
/// use std::time::Duration;
/// use mijnklantportaal::RateLimit;
///
/// let limit = RateLimit::new(60, Duration::from_secs(60));
/// assert_eq!(RateLimit::default(), limit);
/// assert_eq!((limit.limit(), limit.window()), (60, Duration::from_secs(60)));
/// // Values that would never let a request through, or overflow the clock, are clamped.
/// assert_eq!(RateLimit::new(0, Duration::MAX).limit(), 1);
/// assert_eq!(RateLimit::new(1, Duration::MAX).window(), mijnklantportaal::MAX_WINDOW);
/// ```
///
/// Its fields are private, so no limit bypasses those checks:
///
/// ```compile_fail
/// let never = mijnklantportaal::RateLimit { limit: 0, window: std::time::Duration::from_secs(60) };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    limit: u32,
    window: Duration,
}

impl RateLimit {
    /// `limit` requests per `window`: at least 1 request, a window from 1 ms to
    /// [`MAX_WINDOW`].
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimit {
            limit: limit.max(1),
            window: window.clamp(Duration::from_millis(1), MAX_WINDOW),
        }
    }

    /// Requests per window.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Length of the window.
    pub fn window(&self) -> Duration {
        self.window
    }
}

impl Default for RateLimit {
    /// The documented limit of the API: 60 requests per minute.
    fn default() -> Self {
        RateLimit::new(60, Duration::from_secs(60))
    }
}

/// How a client paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pacing {
    /// Only 429s are waited out.
    Off,
    /// The documented limit, until the server advertises its own.
    Documented,
    /// A limit the caller set: the server's advertised limit is used up to it.
    Configured(RateLimit),
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
    /// What the caller configured, or the documented 60 per minute.
    configured: RateLimit,
    /// Whether the caller set `configured` (then it caps what the server advertises).
    chosen: bool,
    /// Requests per window we allow ourselves.
    limit: u32,
    /// The limit the server last advertised.
    advertised: Option<u32>,
    window: Duration,
    /// Whether the window is paced to as it is. Otherwise one request per window may go
    /// past the exhausted budget, for the server's 429 to tell when its window ends.
    window_trusted: bool,
    /// When the window in use was learned from the server (`None`: configured).
    learned_at: Option<Instant>,
    /// Requests left in the open window.
    remaining: u32,
    /// When the open window ends; `None` when no window is open.
    window_ends: Option<Instant>,
    /// When the request that opened the server's current window was sent and answered,
    /// if seen since our own window began.
    opener: Option<(Instant, Instant)>,
    /// When the last request seen to open a server window was sent.
    last_opener_sent: Option<Instant>,
    /// A 429 told us to wait until then.
    blocked_until: Option<Instant>,
    /// One request past an exhausted budget is out to learn when the window ends.
    probing: bool,
    /// Requests sent and not answered yet.
    in_flight: u32,
    /// Tickets of the requests waiting in `acquire`, oldest first.
    waiting: BTreeSet<u64>,
}

impl State {
    /// Whether the configured window holds, now that the server advertises `advertised`.
    fn trusts_configured_window(&self) -> bool {
        match self.advertised {
            None => true,
            Some(advertised) if self.chosen => advertised >= self.configured.limit,
            Some(advertised) => advertised == self.configured.limit,
        }
    }

    /// Forgets a learned window that has been kept for [`LEARNED_FOR`].
    fn age(&mut self, now: Instant) {
        if self
            .learned_at
            .is_some_and(|at| now.saturating_duration_since(at) >= LEARNED_FOR)
        {
            self.learned_at = None;
            self.window = self.configured.window;
            self.window_trusted = self.trusts_configured_window();
        }
    }
}

/// The shared limiter of one client. Cheap to call; never holds its lock across an await.
///
/// With pacing off, it still holds every request back while a 429's wait runs.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
    pacing: bool,
    /// Woken whenever the books change: a waiter left the queue, a response or a 429
    /// moved them, a request ended.
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
    /// Sent past an exhausted budget, to learn when the window ends.
    probe: bool,
}

impl Permit<'_> {
    /// The request is sent now (it waited for the app's cap after the limiter let it
    /// through): what is learned from its answer dates from now.
    pub(crate) fn sent_now(&mut self) {
        self.sent_at = Instant::now();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let probe = self.probe;
        self.limiter.with_state(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            if probe {
                s.probing = false;
            }
        });
        self.limiter.changed.notify_waiters();
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
    /// Send now (`true`: as the window's probe).
    Go(bool),
    /// Everyone is held back by a 429 until then.
    Blocked(Instant),
    /// Wait this long, or until woken.
    Wait(Option<Duration>),
}

/// How much of a request's retry budget is left, for a wait in the limiter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// When the request's first attempt was sent (`None`: not yet).
    pub(crate) started: Option<Instant>,
    /// `RetryPolicy::max_elapsed`.
    pub(crate) max_elapsed: Duration,
}

impl RateLimiter {
    /// A limiter for `pacing`.
    pub(crate) fn new(pacing: Pacing) -> Self {
        let (configured, chosen) = match pacing {
            Pacing::Configured(limit) => (limit, true),
            Pacing::Off | Pacing::Documented => (RateLimit::default(), false),
        };
        RateLimiter {
            state: Mutex::new(State {
                configured,
                chosen,
                limit: configured.limit,
                advertised: None,
                window: configured.window,
                window_trusted: true,
                learned_at: None,
                remaining: configured.limit,
                window_ends: None,
                opener: None,
                last_opener_sent: None,
                blocked_until: None,
                probing: false,
                in_flight: 0,
                waiting: BTreeSet::new(),
            }),
            pacing: pacing != Pacing::Off,
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
    ///
    /// A 429's wait counts against the request's `budget`: when it would end after the
    /// budget does, nothing is sent and the error is how much longer the wait runs.
    pub(crate) async fn acquire(
        &self,
        ticket: Ticket,
        budget: Budget,
    ) -> Result<Permit<'_>, Duration> {
        self.with_state(|s| s.waiting.insert(ticket.0));
        let waiting = Waiting {
            limiter: self,
            ticket: ticket.0,
        };
        loop {
            let mut woken = pin!(self.changed.notified());
            woken.as_mut().enable();
            let wait = match self.with_state(|s| self.turn(s, ticket.0)) {
                Turn::Go(probe) => {
                    drop(waiting);
                    return Ok(Permit {
                        limiter: self,
                        sent_at: Instant::now(),
                        probe,
                    });
                }
                Turn::Blocked(until) => {
                    let now = Instant::now();
                    let ends = later(budget.started.unwrap_or(now), budget.max_elapsed);
                    if until > ends {
                        return Err(until - now);
                    }
                    Some(until - now)
                }
                Turn::Wait(wait) => wait,
            };
            match wait {
                None => woken.await,
                Some(wait) => {
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
                return Turn::Blocked(until);
            }
            s.blocked_until = None;
        }
        if s.waiting.first() != Some(&ticket) {
            return Turn::Wait(None);
        }
        if !self.pacing {
            s.in_flight += 1;
            return Turn::Go(false);
        }
        s.age(now);
        if s.window_ends.is_some_and(|end| now >= end) {
            s.window_ends = None;
            s.remaining = s.limit;
            s.probing = false;
            // The server's window that opened within ours has ended too.
            s.opener = None;
        }
        if s.remaining > 0 {
            s.remaining -= 1;
            if s.window_ends.is_none() {
                s.window_ends = Some(later(now, s.window));
            }
            s.in_flight += 1;
            Turn::Go(false)
        } else if !s.window_trusted && !s.probing && s.in_flight == 0 {
            // The window is a guess: ask the server instead of waiting it out, once
            // the answers of the window are in (by then its end may have passed).
            s.probing = true;
            s.in_flight += 1;
            Turn::Go(true)
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
                    if s.learned_at.is_none() {
                        s.window_trusted = s.trusts_configured_window();
                    }
                }
                let limit = if s.chosen {
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
            if let Some(remaining) = remaining {
                let server_limit = s.advertised.unwrap_or(s.limit);
                if remaining.checked_add(1) == Some(server_limit) {
                    // The first request of a new server window. If an earlier one was
                    // seen, the server's window is no longer than the time between them.
                    if let Some(previous) = s.last_opener_sent {
                        let at_most = now.saturating_duration_since(previous);
                        if at_most >= Duration::from_millis(1) && at_most < s.window {
                            s.window = at_most;
                            s.learned_at = Some(now);
                        }
                    }
                    s.last_opener_sent = Some(permit.sent_at);
                    s.opener = Some((permit.sent_at, now));
                    // Our window now ends no earlier than the server's. Requests still
                    // in flight count in it; so may requests whose answers came before
                    // this one (answers arrive out of order), so what is left is never
                    // raised here.
                    s.window_ends = Some(later(now, s.window));
                    let others = s.in_flight.saturating_sub(1);
                    let left = remaining
                        .min(s.limit.saturating_sub(1))
                        .saturating_sub(others);
                    s.remaining = s.remaining.min(left);
                    s.probing = false;
                } else {
                    // Other users of the same token count too.
                    s.remaining = s.remaining.min(remaining);
                    if s.window_ends.is_none() {
                        s.window_ends = Some(later(now, s.window));
                    }
                }
            }
        });
        self.changed.notify_waiters();
    }

    /// A 429 to the request `permit` let through: nobody sends until the server's wait
    /// is over. Returns that wait.
    pub(crate) fn on_too_many_requests(
        &self,
        permit: &Permit<'_>,
        headers: &HeaderMap,
    ) -> Option<Duration> {
        let wait = retry_after(headers);
        let from_the_api = headers.contains_key("x-ratelimit-limit");
        // Whole seconds (the usual `Retry-After`) are rounded up by the server.
        let rounding = match header_str(headers, "retry-after") {
            Some(v) if v.contains('.') => Duration::from_millis(1),
            _ => Duration::from_secs(1),
        };
        self.with_state(|s| {
            let now = Instant::now();
            let until = later(now, wait.unwrap_or(s.window).min(MAX_LEARNED));
            s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
            s.remaining = 0;
            s.window_ends = Some(until);
            s.probing = false;
            // The server's window runs from when it opened (between the sending and the
            // answer of the request that opened it) to `until`: pacing to the upper
            // bound sends no request early. A window the caller's limit holds for is
            // not replaced by what other users of the token cause.
            let configured_holds = s.learned_at.is_none() && s.window_trusted;
            if let (true, false, Some(wait), Some((sent, answered))) =
                (from_the_api, configured_holds, wait, s.opener.take())
            {
                let at_most = until.saturating_duration_since(sent).min(MAX_LEARNED);
                let at_least = later(permit.sent_at, wait)
                    .checked_sub(rounding)
                    .map_or(Duration::ZERO, |end| {
                        end.saturating_duration_since(answered)
                    });
                if at_most >= Duration::from_millis(1) {
                    s.window = at_most;
                    s.learned_at = Some(now);
                    s.window_trusted = at_most.saturating_sub(at_least) <= at_most / 4;
                }
            }
        });
        self.changed.notify_waiters();
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
            s.age(now);
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
