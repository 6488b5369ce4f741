//! Concurrent list requests evaluated in a seeded arbitrary order, as a real server's
//! workers would (page 3 read before page 2): requests are held until `window` arrived
//! or none arrived for [`IDLE`] (tokio time), then evaluated in a shuffle that is a pure
//! function of the seed and the batch number, in the task that flushes.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::rng::draw;
use crate::store::lock;

/// How long the buffer waits for another request before it evaluates what it holds.
pub(crate) const IDLE: Duration = Duration::from_millis(5);

const SHUFFLE: u64 = 0x5E0_0001;

/// Requests of type `J` waiting to be evaluated into an `R`.
pub(crate) struct Reorder<J, R> {
    window: usize,
    seed: u64,
    state: Mutex<Pending<J, R>>,
}

struct Pending<J, R> {
    waiting: Vec<(J, oneshot::Sender<R>)>,
    /// Batches taken so far: the number of the next one.
    batches: u64,
    /// Bumped by every arrival, so an idle timer knows whether it is still idle.
    generation: u64,
}

impl<J, R> Reorder<J, R> {
    /// A buffer of `window` requests (at least 2 to have any effect).
    pub(crate) fn new(window: usize, seed: u64) -> Self {
        Reorder {
            window: window.max(1),
            seed,
            state: Mutex::new(Pending {
                waiting: Vec::new(),
                batches: 0,
                generation: 0,
            }),
        }
    }

    /// Queues `job` and returns its result once its batch was evaluated by
    /// `evaluate` (possibly in another request's task); `None` if the batch was lost.
    pub(crate) async fn submit(&self, job: J, evaluate: impl Fn(J) -> R) -> Option<R> {
        let (reply, mut result) = oneshot::channel();
        {
            let mut state = lock(&self.state);
            state.waiting.push((job, reply));
            state.generation = state.generation.wrapping_add(1);
            let full = state.waiting.len() >= self.window;
            self.flush(full, state, &evaluate);
        }
        loop {
            let seen = lock(&self.state).generation;
            tokio::select! {
                biased;
                answer = &mut result => return answer.ok(),
                () = tokio::time::sleep(IDLE) => {
                    let state = lock(&self.state);
                    let idle = state.generation == seen && !state.waiting.is_empty();
                    self.flush(idle, state, &evaluate);
                }
            }
        }
    }

    /// If `due`, takes the next batch and evaluates it in its seeded order; requests
    /// whose client went away are skipped (never evaluated).
    fn flush(&self, due: bool, mut state: MutexGuard<Pending<J, R>>, evaluate: &impl Fn(J) -> R) {
        if !due {
            return;
        }
        let number = state.batches;
        state.batches = state.batches.wrapping_add(1);
        let mut waiters = std::mem::take(&mut state.waiting);
        drop(state);
        shuffle(&mut waiters, self.seed, number);
        for (job, reply) in waiters {
            if !reply.is_closed() {
                let _ = reply.send(evaluate(job));
            }
        }
    }
}

/// Fisher–Yates shuffle of `items` for batch `batch` under `seed`.
fn shuffle<T>(items: &mut [T], seed: u64, batch: u64) {
    for i in (1..items.len()).rev() {
        let draw = draw(seed, SHUFFLE, (batch << 32) ^ i as u64);
        let j = (draw % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn shuffles_are_seeded_permutations() {
        let order = |seed, batch| {
            let mut items: Vec<u32> = (0..8).collect();
            shuffle(&mut items, seed, batch);
            items
        };
        let a = order(1, 0);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..8).collect::<Vec<_>>());
        assert_eq!(a, order(1, 0));
        assert!((0..10).any(|b| order(1, b) != a), "batches differ");
        assert!((2..12).any(|s| order(s, 0) != a), "seeds differ");
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_is_evaluated_in_the_shuffled_order() {
        let reorder = Arc::new(Reorder::<u32, u32>::new(4, 7));
        let evaluated = Arc::new(Mutex::new(Vec::new()));
        let tasks: Vec<_> = (0..4)
            .map(|job| {
                let reorder = Arc::clone(&reorder);
                let evaluated = Arc::clone(&evaluated);
                tokio::spawn(async move {
                    reorder
                        .submit(job, |job| {
                            evaluated.lock().unwrap().push(job);
                            job * 10
                        })
                        .await
                })
            })
            .collect();
        for (job, task) in tasks.into_iter().enumerate() {
            assert_eq!(task.await.unwrap(), Some(job as u32 * 10));
        }
        let mut expected: Vec<u32> = (0..4).collect();
        shuffle(&mut expected, 7, 0);
        assert_eq!(*evaluated.lock().unwrap(), expected);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_request_is_evaluated_after_the_idle_time() {
        let reorder = Reorder::<u32, u32>::new(4, 7);
        let started = tokio::time::Instant::now();
        assert_eq!(reorder.submit(3, |job| job + 1).await, Some(4));
        assert_eq!(started.elapsed(), IDLE);
    }
}
