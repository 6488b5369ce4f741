//! When and how often a failed request is tried again.
//!
//! Transient failures (connection problems, timeouts, truncated bodies, 408, 429, 500,
//! 502, 503, 504) of the API's idempotent GET requests are retried with exponential
//! backoff from backon, bounded both by a number of attempts and by a total time. The
//! jitter is "equal jitter": the n-th wait is between half and all of
//! `min(initial_backoff × 2ⁿ, max_backoff)`, so no wait exceeds `max_backoff` and
//! clients that failed together do not retry together. Errors that a retry cannot fix (400, 401, 403, 404, 422, a body that does
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
    /// 5 attempts within 2 minutes, backing off from 250 ms (a wait of 125 to 250 ms)
    /// doubling up to 10 s (a wait of 5 to 10 s).
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

    /// The first backoff; each next one doubles. A wait is between half and all of
    /// its backoff (jitter). At most [`MAX_BACKOFF`].
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff.min(MAX_BACKOFF);
        self
    }

    /// The longest single wait, jitter included. At most [`MAX_BACKOFF`].
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff.min(MAX_BACKOFF);
        self
    }

    /// The backoff schedule of one request: backon's jitter adds up to the delay again,
    /// so it is given half of each backoff, and the cap is applied after the jitter.
    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        let max = self.max_backoff;
        ExponentialBuilder::new()
            .with_jitter()
            .with_min_delay(self.initial_backoff / 2)
            .with_max_delay(max / 2)
            .without_max_times()
            .build()
            .map(move |wait| wait.min(max))
    }
}

/// The longest backoff a [`RetryPolicy`] holds (a longer one is cut to it): a day.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17, item 10: the documented bounds hold for the whole schedule, jitter
    /// included (backon adds its jitter after its own cap, up to twice the cap).
    #[test]
    fn no_wait_exceeds_max_backoff_and_each_is_at_least_half_its_step() {
        let policy = RetryPolicy::default();
        let mut longest = Duration::ZERO;
        for _ in 0..200 {
            let mut step = policy.initial_backoff;
            for wait in policy.backoff().take(12) {
                assert!(
                    wait <= step && wait >= step / 2,
                    "{wait:?} for a step of {step:?}"
                );
                longest = longest.max(wait);
                step = (step * 2).min(policy.max_backoff);
            }
        }
        assert!(longest <= Duration::from_secs(10), "{longest:?}");
        assert!(
            longest >= Duration::from_secs(9),
            "the cap is reached: {longest:?}"
        );
    }

    /// Issue 17, item 7: a huge backoff neither overflows nor panics.
    #[test]
    fn a_huge_backoff_is_clamped() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        for wait in policy.backoff().take(5) {
            assert!(wait <= MAX_BACKOFF, "{wait:?}");
        }
    }
}
