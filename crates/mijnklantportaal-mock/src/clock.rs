//! The mock's one clock. A deterministic mock cannot read the wall clock (a run would
//! depend on the day it runs, and tokio's paused test clock would disagree with it), so
//! "now" is tokio time since the server started, counted from [`ORIGIN`].

use chrono::{DateTime, FixedOffset, NaiveDate};
use tokio::time::Instant;

use crate::dataset::ADDED_FROM;
use crate::dutch_time;

/// 2026-01-01T00:00:00+01:00, right after every seeded invoice was created.
pub(crate) const ORIGIN: i64 = ADDED_FROM;

/// Tokio time since the server started, from [`ORIGIN`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock(Instant);

impl Clock {
    pub(crate) fn start() -> Self {
        Clock(Instant::now())
    }

    /// The UNIX time now.
    pub(crate) fn unix(&self) -> i64 {
        let elapsed = i64::try_from(self.0.elapsed().as_secs()).unwrap_or(i64::MAX);
        ORIGIN.saturating_add(elapsed)
    }

    /// Now, in Dutch time (`None` only past chrono's range).
    pub(crate) fn now(&self) -> Option<DateTime<FixedOffset>> {
        dutch_time::at(self.unix())
    }

    /// Today in Amsterdam.
    pub(crate) fn today(&self) -> Option<NaiveDate> {
        self.now().map(|now| now.date_naive())
    }
}
