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

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mijnklantportaal_api::Auth;
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio::time::Instant;

use crate::error::Error;
use crate::oauth::{OAuthApp, OAuthErrorCode, Tokens};

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
}

/// The tokens of one client and its clones, refreshed one at a time.
pub(crate) struct TokenRefresher {
    app: OAuthApp,
    auth: Auth,
    margin: Duration,
    on_tokens: Option<TokenCallback>,
    state: Arc<Mutex<State>>,
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
            on_tokens,
            state: Arc::new(Mutex::new(State {
                tokens,
                generation: 0,
                ended: None,
            })),
        }
    }

    /// The generation of an access token that is not about to expire, refreshing
    /// first if needed. Set on the client before this returns.
    pub(crate) async fn fresh(&self) -> Result<u64, Error> {
        let guard = Arc::clone(&self.state).lock_owned().await;
        let due = guard.tokens.valid_until.is_some_and(|(until, lifetime)| {
            Instant::now() + self.margin.min(lifetime / 2) >= until
        });
        if !due {
            return Ok(guard.generation);
        }
        self.refresh(guard).await
    }

    /// After a 401 for the access token of `generation`: refresh, unless another
    /// request already did.
    pub(crate) async fn after_unauthorized(&self, generation: u64) -> Result<(), Error> {
        let guard = Arc::clone(&self.state).lock_owned().await;
        if guard.generation != generation {
            return Ok(());
        }
        self.refresh(guard).await.map(|_| ())
    }

    /// Refreshes in a task of its own that holds the lock until the new tokens are
    /// kept (and handed to the callback).
    async fn refresh(&self, mut guard: OwnedMutexGuard<State>) -> Result<u64, Error> {
        if let Some((error, description)) = &guard.ended {
            return Err(Error::ReconnectRequired {
                error: error.clone(),
                description: description.clone(),
            });
        }
        let app = self.app.clone();
        let auth = self.auth.clone();
        let on_tokens = self.on_tokens.clone();
        let task = tokio::spawn(async move {
            match app.refresh(&guard.tokens).await {
                Ok(tokens) => {
                    auth.set_bearer(tokens.access_token())
                        .map_err(|e| Error::TokenEndpoint {
                            status: 200,
                            error: None,
                            description: Some(format!("unusable access token: {e}")),
                        })?;
                    guard.generation += 1;
                    tracing::info!(
                        generation = guard.generation,
                        "mijnklantportaal: OAuth access token refreshed"
                    );
                    if let Some(callback) = &on_tokens {
                        callback(&tokens);
                    }
                    guard.tokens = tokens;
                    Ok(guard.generation)
                }
                Err(Error::ReconnectRequired { error, description }) => {
                    tracing::warn!(%error, "mijnklantportaal: OAuth refresh token refused");
                    guard.ended = Some((error.clone(), description.clone()));
                    Err(Error::ReconnectRequired { error, description })
                }
                Err(other) => Err(other),
            }
        });
        task.await.map_err(|e| {
            Error::Config(format!(
                "the token refresh did not finish ({e}); did the new-tokens callback panic?"
            ))
        })?
    }
}
