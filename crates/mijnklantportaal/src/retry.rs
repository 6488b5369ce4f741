//! When and how often a failed request is tried again.
//!
//! Transient failures (connection problems, timeouts, truncated bodies, 408, 429, 500,
//! 502, 503, 504) of the API's idempotent GET requests are retried with exponential
//! backoff and full jitter from backon, bounded both by a number of attempts and by a
//! total time. Errors that a retry cannot fix (400, 401, 403, 404, 422, a body that does
//! not decode) are returned at once. A 429 waits for what the server asked, through the
//! shared rate limiter, never less.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// The retry policy of a client.
///
/// ```
/// use std::time::Duration;
/// use mijnklantportaal::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(8)
///     .max_elapsed(Duration::from_secs(300));
/// let none = RetryPolicy::none();
/// # let _ = (patient, none);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_elapsed: Duration,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts within 2 minutes, backing off from 250 ms up to 10 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            max_elapsed: Duration::from_secs(120),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries: every failure is returned at once, as itself (not wrapped in
    /// [`Error::RetriesExhausted`](crate::Error::RetriesExhausted)).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts per request, the first one included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Total time, from the first attempt, after which no new attempt starts.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// The first backoff; each next one doubles, with jitter.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest single backoff.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The backoff schedule of one request.
    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        ExponentialBuilder::new()
            .with_jitter()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .without_max_times()
            .build()
    }
}
