//! Keeping an OAuth2 access token fresh for a client and all its clones.
//!
//! An access token expires while a listing runs, and a listing has several requests
//! in flight: each would see the expiry, and refreshing once per request wastes the
//! token endpoint's budget and, where refresh tokens rotate, invalidates the token
//! the next refresh needs. So one [`TokenRefresher`] per client (shared by clones
//! through the client's `Arc`) holds the tokens behind an async mutex: a request
//! takes it, refreshes if the token is about to expire, and the requests queued
//! behind it find the new token. After a 401 a request refreshes only if no one has
//! since its token was issued (the *generation* tells). The refresh itself runs in a
//! task of its own, so a caller that gives up (a dropped listing) cannot cut it off
//! between the server rotating the refresh token and us keeping the new one.
//!
//! The order matters once the server has answered: the new tokens are kept first
//! (the rotated refresh token is the only one that still works), then the bearer is
//! set, then the lock is released, and only then is the caller's `on_new_tokens`
//! callback run. So a callback that panics loses nothing, and one that uses the
//! client does not wait for a lock that its own caller holds. Callbacks never run
//! two at a time and never hand over older tokens after newer ones: a refresh that
//! finishes while a callback runs leaves its tokens for that callback's loop.
//!
//! A refresh that fails is shared like one that succeeds: the requests that were
//! waiting for it get its failure instead of asking the token endpoint again one
//! after the other, and when the endpoint asked to wait (`Retry-After` on a 429 or
//! 503 longer than the token request waits by itself) every request gets the
//! failure until then. A failure with no answer (a network error) cannot be copied:
//! the next request tries again.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use mijnklantportaal_api::Auth;
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio::time::Instant;

use crate::error::Error;
use crate::oauth::{OAuthApp, OAuthErrorCode, TokenFailure, Tokens};

/// How long before its expiry an access token is replaced, by default.
pub(crate) const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// What the caller is told about new tokens (to store them).
pub(crate) type TokenCallback = Arc<dyn Fn(&Tokens) + Send + Sync>;

struct State {
    tokens: Tokens,
    /// Counts the access tokens used: a 401 for an older one needs no refresh.
    generation: u64,
    /// Set when the refresh token was refused: every later request fails the same way.
    ended: Option<(OAuthErrorCode, Option<String>)>,
    /// The last refresh that failed with an answer: by its number, those who waited
    /// for it get this failure, and everyone until the end of the wait it asked for.
    failed: Option<Failed>,
}

/// A refresh that failed with an answer.
struct Failed {
    /// The refresh's number (see `TokenRefresher::finished`).
    number: u64,
    /// A copy of its failure.
    error: Error,
    /// Until when the endpoint asked not to be called again.
    until: Option<Instant>,
}

/// The tokens of one client and its clones, refreshed one at a time.
pub(crate) struct TokenRefresher {
    app: OAuthApp,
    auth: Auth,
    margin: Duration,
    state: Arc<Mutex<State>>,
    /// How many refreshes have finished (read without the lock, before waiting for it).
    finished: Arc<AtomicU64>,
    delivery: Arc<Delivery>,
}

impl fmt::Debug for TokenRefresher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRefresher")
            .field("app", &self.app)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenRefresher {
    /// Refreshes `tokens` with `app`, setting each access token on `auth` (the
    /// generated client's).
    pub(crate) fn new(
        app: OAuthApp,
        tokens: Tokens,
        auth: Auth,
        margin: Duration,
        on_tokens: Option<TokenCallback>,
    ) -> Self {
        TokenRefresher {
            app,
            auth,
            margin,
            state: Arc::new(Mutex::new(State {
                tokens,
                generation: 0,
                ended: None,
                failed: None,
            })),
            finished: Arc::new(AtomicU64::new(0)),
            delivery: Arc::new(Delivery {
                callback: on_tokens,
                pending: std::sync::Mutex::new(Pending::default()),
            }),
        }
    }

    /// The generation of an access token that is not about to expire, refreshing
    /// first if needed. Set on the client before this returns.
    pub(crate) async fn fresh(&self) -> Result<u64, Error> {
        let before = self.finished.load(Ordering::Acquire);
        let guard = Arc::clone(&self.state).lock_owned().await;
        let due = guard.tokens.valid_until.is_some_and(|(until, lifetime)| {
            Instant::now() + self.margin.min(lifetime / 2) >= until
        });
        if !due {
            return Ok(guard.generation);
        }
        if let Some(failure) = failed_since(&guard, before) {
            return Err(failure);
        }
        self.refresh(guard).await
    }

    /// After a 401 for the access token of `generation`: refresh, unless another
    /// request already did (or failed to, while this one waited).
    pub(crate) async fn after_unauthorized(&self, generation: u64) -> Result<(), Error> {
        let before = self.finished.load(Ordering::Acquire);
        let guard = Arc::clone(&self.state).lock_owned().await;
        if guard.generation != generation {
            return Ok(());
        }
        if let Some(failure) = failed_since(&guard, before) {
            return Err(failure);
        }
        self.refresh(guard).await.map(|_| ())
    }

    /// Refreshes in a task of its own that holds the lock until the new tokens are
    /// kept and set, then hands them to the callback without the lock.
    async fn refresh(&self, mut guard: OwnedMutexGuard<State>) -> Result<u64, Error> {
        if let Some((error, description)) = &guard.ended {
            return Err(Error::ReconnectRequired {
                error: error.clone(),
                description: description.clone(),
            });
        }
        let app = self.app.clone();
        let auth = self.auth.clone();
        let finished = Arc::clone(&self.finished);
        let delivery = Arc::clone(&self.delivery);
        let task = tokio::spawn(async move {
            let answer = app.refresh(&guard.tokens).await;
            let number = finished.load(Ordering::Acquire) + 1;
            let (outcome, new_tokens) = match answer {
                Ok(tokens) => {
                    // Kept first: the server has rotated the refresh token already.
                    guard.tokens = tokens.clone();
                    guard.generation += 1;
                    guard.failed = None;
                    let outcome = match auth.set_bearer(tokens.access_token()) {
                        Ok(()) => {
                            tracing::info!(
                                generation = guard.generation,
                                "mijnklantportaal: OAuth access token refreshed"
                            );
                            Ok(guard.generation)
                        }
                        Err(e) => {
                            // Due at once: the next request refreshes again, with
                            // the refresh token kept above.
                            guard.tokens.valid_until = Some((Instant::now(), Duration::ZERO));
                            Err(Error::TokenEndpoint {
                                status: 200,
                                error: None,
                                description: Some(format!("unusable access token: {e}")),
                            })
                        }
                    };
                    (outcome, Some((guard.generation, tokens)))
                }
                Err(TokenFailure {
                    error: Error::ReconnectRequired { error, description },
                    ..
                }) => {
                    tracing::warn!(%error, "mijnklantportaal: OAuth refresh token refused");
                    guard.ended = Some((error.clone(), description.clone()));
                    (Err(Error::ReconnectRequired { error, description }), None)
                }
                Err(TokenFailure { error, wait }) => {
                    guard.failed = shareable(&error).map(|copy| Failed {
                        number,
                        error: copy,
                        until: wait.and_then(|wait| Instant::now().checked_add(wait)),
                    });
                    (Err(error), None)
                }
            };
            finished.store(number, Ordering::Release);
            drop(guard);
            if let Some((generation, tokens)) = new_tokens {
                delivery.deliver(generation, tokens);
            }
            outcome
        });
        task.await.map_err(|e| {
            Error::Internal(format!(
                "the token refresh did not finish ({e}); is the runtime shutting down?"
            ))
        })?
    }
}

/// The failure of a refresh that finished after `before` refreshes had (one this
/// request waited for), or of one whose asked wait has not passed, if any.
fn failed_since(state: &State, before: u64) -> Option<Error> {
    let failed = state.failed.as_ref()?;
    let waiting = failed.until.is_some_and(|until| Instant::now() < until);
    (failed.number > before || waiting)
        .then(|| shareable(&failed.error))
        .flatten()
}

/// A copy of a failure of the token endpoint, for the requests that waited for it.
fn shareable(error: &Error) -> Option<Error> {
    match error {
        Error::TokenEndpoint {
            status,
            error,
            description,
        } => Some(Error::TokenEndpoint {
            status: *status,
            error: error.clone(),
            description: description.clone(),
        }),
        _ => None,
    }
}

/// Hands new tokens to the caller's callback, outside the refresh lock, one call at
/// a time and newest last.
struct Delivery {
    callback: Option<TokenCallback>,
    pending: std::sync::Mutex<Pending>,
}

#[derive(Default)]
struct Pending {
    /// Tokens not handed over yet (only the newest: older ones are out of date).
    next: Option<Tokens>,
    /// The generation of the newest tokens given to `deliver`.
    newest: u64,
    /// Whether a call to `deliver` is running the callback.
    busy: bool,
}

impl Delivery {
    fn deliver(&self, generation: u64, tokens: Tokens) {
        let Some(callback) = &self.callback else {
            return;
        };
        {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if generation <= pending.newest {
                return;
            }
            pending.newest = generation;
            pending.next = Some(tokens);
            if pending.busy {
                // The running loop below hands these over next.
                return;
            }
            pending.busy = true;
        }
        loop {
            let next = {
                let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                match pending.next.take() {
                    Some(tokens) => tokens,
                    None => {
                        pending.busy = false;
                        return;
                    }
                }
            };
            if catch_unwind(AssertUnwindSafe(|| callback(&next))).is_err() {
                tracing::error!(
                    "mijnklantportaal: the new-tokens callback panicked; the new tokens are kept and used"
                );
            }
        }
    }
}
