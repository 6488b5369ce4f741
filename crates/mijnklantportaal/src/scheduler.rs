//! The app-wide cap on requests in flight, shared fairly by the app's accounts.
//!
//! An app that serves many portals (one [`Client`](crate::Client) per account, made with
//! [`Client::account`](crate::Client::account)) shares one connection pool, and the
//! process has only so many sockets, so much memory and CPU: without a bound, 1,000
//! listings with 6 pages in flight each are 6,000 concurrent requests. The
//! [`Scheduler`] lets at most `cap` requests of the app be in flight at once.
//!
//! When the cap is reached, requests wait in one queue per account (a *lane*), and a
//! freed slot goes to the next lane in round-robin order, one request per turn: an
//! account that has 10,000 pages to fetch gets one slot per turn like any other, so a
//! single request of another account waits for at most one slot per other waiting
//! account, never behind the busy account's whole backlog. Within a lane, requests go
//! in the order they arrived (the rate limiter has already ordered an account's pages).
//!
//! A waiter that is dropped (a listing dropped, a request timed out) leaves its place
//! at once; a slot granted to a waiter that was dropped in that instant is passed on.
//! The lock is a plain mutex, never held across an await.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

/// The default cap on an app's requests in flight, all its accounts together.
///
/// Enough to keep a pool of HTTP/1.1 connections to the API busy and far more than one
/// account's rate limit uses; 1,000 accounts listing at once stay at this many sockets.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;

/// The app-wide cap and the lanes waiting for it.
#[derive(Debug)]
pub(crate) struct Scheduler {
    cap: usize,
    state: Mutex<State>,
    next_lane: AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    in_flight: usize,
    /// Lanes with waiters, in turn order; each lane at most once.
    turns: VecDeque<u64>,
    /// The waiters of each lane in `turns`, oldest first.
    waiters: HashMap<u64, VecDeque<oneshot::Sender<()>>>,
}

/// One account's place in the [`Scheduler`]: its queue of waiting requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lane(u64);

/// A request's slot in the cap, released when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    scheduler: Arc<Scheduler>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.scheduler.release();
    }
}

/// Leaves the queue when dropped; passes on a slot granted but not taken.
struct Waiting {
    scheduler: Arc<Scheduler>,
    granted: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(mut granted) = self.granted.take() {
            granted.close();
            if granted.try_recv().is_ok() {
                // Granted in the instant the waiter was dropped: hand it on.
                self.scheduler.release();
            }
        }
    }
}

impl Scheduler {
    /// A scheduler letting `cap` requests (at least one) be in flight at once.
    pub(crate) fn new(cap: usize) -> Self {
        Scheduler {
            cap: cap.max(1),
            state: Mutex::new(State::default()),
            next_lane: AtomicU64::new(0),
        }
    }

    /// The cap.
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    /// A new lane, for a new account. Costs nothing until its requests wait.
    pub(crate) fn lane(&self) -> Lane {
        Lane(self.next_lane.fetch_add(1, Ordering::Relaxed))
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        // A poisoned lock means a panic mid-update of counters that stay consistent.
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Waits for a slot for a request of `lane`: at once while fewer than `cap` are in
    /// flight and nobody waits, otherwise at the lane's turn.
    pub(crate) async fn slot(self: &Arc<Self>, lane: Lane) -> Slot {
        let granted = self.with_state(|s| {
            if s.in_flight < self.cap && s.turns.is_empty() {
                s.in_flight += 1;
                return None;
            }
            let (grant, granted) = oneshot::channel();
            let queue = s.waiters.entry(lane.0).or_default();
            if queue.is_empty() {
                s.turns.push_back(lane.0);
            }
            queue.push_back(grant);
            Some(granted)
        });
        if let Some(granted) = granted {
            let mut waiting = Waiting {
                scheduler: Arc::clone(self),
                granted: Some(granted),
            };
            if let Some(receiver) = waiting.granted.as_mut() {
                // The sender is only dropped unsent when the scheduler is: then there
                // is no cap left to respect.
                let _ = receiver.await;
            }
            waiting.granted = None;
        }
        Slot {
            scheduler: Arc::clone(self),
        }
    }

    /// A slot was freed: it goes to the next lane in turn.
    fn release(&self) {
        self.with_state(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            while s.in_flight < self.cap {
                let Some(lane) = s.turns.pop_front() else {
                    break;
                };
                let Some(queue) = s.waiters.get_mut(&lane) else {
                    continue;
                };
                let grant = queue.pop_front();
                if queue.is_empty() {
                    s.waiters.remove(&lane);
                } else {
                    s.turns.push_back(lane);
                }
                // A waiter dropped before its turn refuses the grant; the next one gets it.
                if grant.is_some_and(|grant| grant.send(()).is_ok()) {
                    s.in_flight += 1;
                }
            }
        });
    }

    /// Requests in flight now.
    #[cfg(test)]
    pub(crate) fn in_flight(&self) -> usize {
        self.with_state(|s| s.in_flight)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A busy lane with a long backlog gets one slot per turn: a request of another
    /// lane is served at the next release, ahead of the backlog.
    #[tokio::test(start_paused = true)]
    async fn a_freed_slot_goes_to_the_next_lane_in_turn() {
        let scheduler = Arc::new(Scheduler::new(2));
        let (busy, quiet) = (scheduler.lane(), scheduler.lane());
        let held = [scheduler.slot(busy).await, scheduler.slot(busy).await];
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, lane) in [busy, busy, busy, busy, quiet].into_iter().enumerate() {
            let (scheduler, order) = (Arc::clone(&scheduler), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let slot = scheduler.slot(lane).await;
                order.lock().unwrap().push(i);
                tokio::time::sleep(Duration::from_millis(10)).await;
                drop(slot);
            }));
            // Queued in this order.
            tokio::task::yield_now().await;
        }
        drop(held);
        for task in tasks {
            task.await.unwrap();
        }
        // The quiet lane's request (4) is served with the first freed slots, not
        // after the busy lane's four.
        let order = order.lock().unwrap().clone();
        assert_eq!(order, vec![0, 4, 1, 2, 3]);
        assert_eq!(scheduler.in_flight(), 0);
    }

    /// A waiter dropped before its turn gives up its place; one granted a slot as it
    /// was dropped passes the slot on.
    #[tokio::test(start_paused = true)]
    async fn dropped_waiters_lose_no_slot() {
        let scheduler = Arc::new(Scheduler::new(1));
        let lane = scheduler.lane();
        let held = scheduler.slot(lane).await;
        let waiter = {
            let scheduler = Arc::clone(&scheduler);
            tokio::spawn(async move { scheduler.slot(lane).await })
        };
        tokio::task::yield_now().await;
        waiter.abort();
        let _ = waiter.await;
        drop(held);
        assert_eq!(scheduler.in_flight(), 0);
        let again = tokio::time::timeout(Duration::from_secs(1), scheduler.slot(lane)).await;
        assert!(again.is_ok(), "the slot was not lost");
        drop(again);
        assert_eq!(scheduler.in_flight(), 0);

        // Granted, then dropped before taking it.
        let held = scheduler.slot(lane).await;
        let mut waiting = Box::pin(scheduler.slot(lane));
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        drop(held);
        drop(waiting);
        assert_eq!(scheduler.in_flight(), 0);
    }
}
