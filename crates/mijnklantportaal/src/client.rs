//! The client: configuration, and one request made well.
//!
//! [`Client`] owns the generated low-level client, the shared rate limiter and the
//! retry policy, behind one `Arc`, so clones are cheap and share the rate-limit budget.
//! [`Client::request_page`] is the single path every API call takes: pace, send through
//! the generated operation, map the outcome to [`Error`], retry what is transient.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use mijnklantportaal_api::types::ErrorBody;
use mijnklantportaal_api::{Auth, ResponseValue};
use tokio::time::Instant;
use tracing::Instrument;

use crate::error::Error;
use crate::oauth::{OAuthApp, Tokens};
use crate::rate_limit::{Budget, Pacing, Permit, RateLimit, RateLimitStatus, RateLimiter, Ticket};
use crate::retry::RetryPolicy;
use crate::scheduler::{DEFAULT_MAX_IN_FLIGHT, Lane, Scheduler};
use crate::token_refresh::{DEFAULT_REFRESH_MARGIN, TokenCallback, TokenRefresher};

/// The API's production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.mijnklantportaal.nl/v1";

/// How many pages a listing requests ahead by default.
///
/// Chosen from the benchmark's prefetch sweep (README, "Performance"): under the API's
/// rate limit 6 is within about 1% of the fastest setting, without a rate limit it is
/// within 1.15x of the lower bound, and it sends at most 5 requests past the last page.
pub const DEFAULT_PREFETCH: usize = 6;

/// The failure type of the generated operations.
pub(crate) type ApiError = mijnklantportaal_api::Error<ErrorBody>;

/// What sending a request again can do on the server, which decides what is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads, and writes that set a state to given values (a PATCH): every transient
    /// failure is retried.
    Safe,
    /// Creates (a POST; the API has no idempotency key): retried only when the server
    /// provably did not process the request (see [`Error::proves_not_processed`]).
    /// After any other failure the error is [`Error::MaybeApplied`], whose message says
    /// `check`: how to find out whether it was applied.
    OnlyIfNotProcessed { check: &'static str },
    /// Actions the server refuses with 422 once they are done (close a ticket): retried
    /// like reads, but a 422 to a retry after a failure that may have been applied may
    /// be the first attempt's own doing, so it is [`Error::MaybeApplied`] (with the 422
    /// as `last`), which [`Inner::settle`] resolves by reading the resource back.
    RefusedWhenDone { check: &'static str },
}

/// One API call, for pacing, retries, tracing and errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    /// The spec's operationId, for tracing (a page of a listing has none).
    pub(crate) operation: Option<&'static str>,
    pub(crate) method: &'static str,
    /// The path as in the spec (`/customer-invoices/{invoiceId}`), for logs and errors.
    pub(crate) path: &'static str,
    /// The page, for a page of a listing (errors about its body name it).
    pub(crate) page: Option<u64>,
    pub(crate) repeat: Repeat,
    /// The body can be sent once only (a stream): no retry, whatever `repeat` allows.
    pub(crate) body_once: bool,
}

/// An operation of the spec, as `operations.rs` (written from the spec by `cargo xtask
/// generate`) declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operation {
    /// The spec's operationId.
    pub(crate) id: &'static str,
    pub(crate) method: &'static str,
    /// The path template as in the spec (`/customer-invoices/{invoiceId}`).
    pub(crate) path: &'static str,
    pub(crate) retry: Retry,
    /// How to find out whether a write whose answer was lost was applied (the spec's
    /// `x-mkp-check`).
    pub(crate) check: Option<&'static str>,
    /// The API refuses the action with 422 once it is done (the spec's `x-mkp-settle`).
    pub(crate) settle: bool,
}

/// The spec's retry rule of an operation (`x-mkp-retry`; a GET is always `Safe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Sending it twice does what sending it once does: every transient failure is retried.
    Safe,
    /// Sent again only when the server provably did not process it (a create).
    Once,
}

/// What an ambiguous failure of a `once` operation says when its handler gives no
/// better way to find out whether it was applied.
const READ_BACK: &str = "read the resource back";

impl Call {
    const fn new(method: &'static str, path: &'static str, repeat: Repeat) -> Call {
        Call {
            operation: None,
            method,
            path,
            page: None,
            repeat,
            body_once: false,
        }
    }

    /// The call of `op`, retried per its rule in the spec.
    pub(crate) const fn of(op: Operation) -> Call {
        let check = match op.check {
            Some(check) => check,
            None => READ_BACK,
        };
        let repeat = match (op.retry, op.settle) {
            (Retry::Safe, false) => Repeat::Safe,
            (Retry::Safe, true) => Repeat::RefusedWhenDone { check },
            (Retry::Once, _) => Repeat::OnlyIfNotProcessed { check },
        };
        Call {
            operation: Some(op.id),
            ..Call::new(op.method, op.path, repeat)
        }
    }

    /// The same call with a body that can be sent once only: a failure a retry would
    /// fix is [`Error::NotResent`] instead.
    pub(crate) const fn body_once(self) -> Call {
        Call {
            body_once: true,
            ..self
        }
    }
}

/// A client of the Mijn Klantportaal API. Cheap to clone; clones share the connection
/// pool and the rate-limit budget.
///
/// A client is also an *app*: [`account`](Client::account) and
/// [`oauth_account`](Client::oauth_account) make clients for other portals (accounts)
/// that share its connection pool, TLS set-up, settings and cap on requests in flight,
/// each with its own rate limit and token refresh (see "Many accounts" in the crate
/// documentation).
///
/// ```no_run
/// # async fn run() -> Result<(), mijnklantportaal::Error> {
/// let client = mijnklantportaal::Client::new(std::env::var("MKP_TOKEN").unwrap_or_default())?;
/// let invoices = client.customer_invoices().list().collect_all().await?;
/// println!("{} invoices", invoices.len());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// The generated client: this account's token, the app's reqwest client.
    pub(crate) api: mijnklantportaal_api::Client,
    pub(crate) base_url: url::Url,
    pub(crate) limiter: RateLimiter,
    pub(crate) retry: RetryPolicy,
    pub(crate) prefetch: usize,
    /// The access token's refresher, for a client built with OAuth2 tokens.
    pub(crate) oauth: Option<TokenRefresher>,
    /// What every account of the app shares.
    pub(crate) app: Arc<App>,
    /// This account's queue in the app's scheduler.
    lane: Lane,
    /// The caller's name of the account, for one made with [`Client::oauth_account`].
    account: Option<AccountKey>,
    /// Whether the client has a token of its own (an app built with
    /// [`ClientBuilder::build_app`] has none).
    has_token: bool,
}

/// What the accounts of one app share: the HTTP client (its connection pool and TLS
/// set-up: building one loads the platform's root certificates, milliseconds), the
/// settings new accounts start from, and the cap on requests in flight.
pub(crate) struct App {
    http: reqwest::Client,
    scheduler: Arc<Scheduler>,
    pacing: Pacing,
    refresh_margin: Duration,
    oauth_app: Option<OAuthApp>,
    on_account_tokens: Option<AccountTokenCallback>,
}

/// What the app is told about an account's new tokens.
type AccountTokenCallback = Arc<dyn Fn(&AccountKey, &Tokens) + Send + Sync>;

/// The caller's name for an account of an OAuth app (a portal that connected the
/// app): given to [`Client::oauth_account`], handed back with the account's new tokens
/// to [`ClientBuilder::on_account_tokens`], so the app knows where to store them.
/// Typically the app's own id of the connection (a database key). Cheap to clone.
///
/// ```
/// use mijnklantportaal::AccountKey;
///
/// let key = AccountKey::from("portal-42");
/// assert_eq!(key.as_str(), "portal-42");
/// assert_eq!(key, AccountKey::from(String::from("portal-42")));
/// assert_eq!(AccountKey::from(42u64).to_string(), "42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountKey(Arc<str>);

impl AccountKey {
    /// The key as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for AccountKey {
    fn from(key: &str) -> Self {
        AccountKey(key.into())
    }
}

impl From<String> for AccountKey {
    fn from(key: String) -> Self {
        AccountKey(key.into())
    }
}

impl From<u64> for AccountKey {
    fn from(key: u64) -> Self {
        AccountKey(key.to_string().into())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("account", &self.inner.account)
            .field("token", &self.inner.has_token.then_some("<redacted>"))
            .field("oauth", &self.inner.oauth)
            .field("retry", &self.inner.retry)
            .field("rate_limit", &self.inner.limiter.status())
            .field("prefetch", &self.inner.prefetch)
            .field("max_in_flight", &self.inner.app.scheduler.cap())
            .finish()
    }
}

impl Client {
    /// A client for the production API with `token` (an API key or OAuth2 access token)
    /// and the default settings.
    pub fn new(token: impl AsRef<str>) -> Result<Self, Error> {
        Client::builder().token(token).build()
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A listing of any [`ListOperation`](crate::ListOperation): how a list endpoint that
    /// this crate has no named method for yet is paged, with the same prefetch, pacing,
    /// retries and checks. `client.customer_invoices().list()` is
    /// `client.list(ListCustomerInvoices)`.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::ListCustomerInvoices;
    /// let first_100 = client.list(ListCustomerInvoices).max_items(100).collect_all().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn list<Op: crate::ListOperation>(&self, op: Op) -> crate::Lister<Op> {
        crate::Lister::new(self.inner.clone(), op)
    }

    /// The base URL requests go to (and the only origin that receives the token).
    pub fn base_url(&self) -> &url::Url {
        &self.inner.base_url
    }

    /// The client-side rate limiter's view of the budget; `None` when it is off.
    pub fn rate_limit_status(&self) -> Option<RateLimitStatus> {
        self.inner.limiter.status()
    }

    /// A client for another account (portal) of this app, with its API key `token`:
    /// it shares this client's connection pool and TLS set-up, its settings (base URL,
    /// retries, pacing, prefetch, timeouts) and its cap on requests in flight
    /// ([`ClientBuilder::max_in_flight`]), and has a rate limiter of its own (the API's
    /// limit is per token). Making one costs microseconds and about a kilobyte: make
    /// one per account, even thousands (building a `Client` from scratch loads the
    /// platform's root certificates, milliseconds each).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidToken`] for a token that cannot be a bearer token (the error
    /// names the position of the bad character, not the token).
    ///
    /// ```
    /// use mijnklantportaal::{Client, Error};
    ///
    /// let app = Client::builder().user_agent("my-sync/1.0").build_app()?;
    /// let accounts: Vec<Client> = ["key-of-portal-1", "key-of-portal-2"]
    ///     .iter()
    ///     .map(|key| app.account(key))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(accounts.len(), 2);
    /// assert!(matches!(app.account("pasted with a space"), Err(Error::InvalidToken(_))));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn account(&self, token: impl AsRef<str>) -> Result<Client, Error> {
        let auth = Auth::bearer(token.as_ref())?;
        Ok(self.derive(auth, None, None))
    }

    /// A client for a portal that connected this OAuth app, with its stored `tokens`;
    /// `account` is the app's own name for the connection ([`AccountKey`], e.g. its
    /// database key). Shares what [`account`](Client::account) shares, and has its own
    /// rate limiter and its own token refresh (one refresh at a time for the account
    /// and its clones); its new tokens go to [`ClientBuilder::on_account_tokens`] with
    /// `account`. The app is the [`OAuthApp`] given to [`ClientBuilder::oauth_app`] (or
    /// [`ClientBuilder::oauth`]).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when this client has no OAuth app; [`Error::InvalidToken`]
    /// for an access token that cannot be a bearer token.
    ///
    /// ```
    /// use mijnklantportaal::{Client, OAuthApp, Tokens};
    ///
    /// let oauth = OAuthApp::new("app-id", "app-secret", "http://127.0.0.1:8765/callback")?;
    /// let app = Client::builder()
    ///     .oauth_app(oauth)
    ///     .on_account_tokens(|account, tokens: &Tokens| {
    ///         println!("store the new tokens of {account}"); // e.g. UPDATE ... WHERE id = account
    ///     })
    ///     .build_app()?;
    /// let stored = Tokens::new("access-of-portal-7", "refresh-of-portal-7", None);
    /// let portal = app.oauth_account("portal-7", stored)?;
    /// assert_eq!(portal.account_key().map(|k| k.as_str()), Some("portal-7"));
    /// # Ok::<(), mijnklantportaal::Error>(())
    /// ```
    pub fn oauth_account(
        &self,
        account: impl Into<AccountKey>,
        tokens: Tokens,
    ) -> Result<Client, Error> {
        let shared = &self.inner.app;
        let oauth_app = shared.oauth_app.clone().ok_or_else(|| {
            Error::Config(
                "no OAuth app to refresh the account's tokens with: build the app with `.oauth_app(..)`"
                    .to_owned(),
            )
        })?;
        let auth = Auth::bearer(tokens.access_token())?;
        let account = account.into();
        let callback = shared.on_account_tokens.clone().map(|callback| {
            let account = account.clone();
            Arc::new(move |tokens: &Tokens| callback(&account, tokens)) as TokenCallback
        });
        let refresher = TokenRefresher::new(
            oauth_app,
            tokens,
            auth.clone(),
            shared.refresh_margin,
            callback,
        );
        Ok(self.derive(auth, Some(refresher), Some(account)))
    }

    /// The key this client was made with by [`oauth_account`](Client::oauth_account).
    pub fn account_key(&self) -> Option<&AccountKey> {
        self.inner.account.as_ref()
    }

    /// A client of the same app with `auth`: a new rate limiter and a new lane in the
    /// app's scheduler, everything else shared or copied.
    fn derive(
        &self,
        auth: Auth,
        oauth: Option<TokenRefresher>,
        account: Option<AccountKey>,
    ) -> Client {
        let inner = &self.inner;
        let app = Arc::clone(&inner.app);
        let api = mijnklantportaal_api::Client::new_with_client(
            inner.base_url.as_str().trim_end_matches('/'),
            app.http.clone(),
            auth,
        );
        Client {
            inner: Arc::new(Inner {
                api,
                base_url: inner.base_url.clone(),
                limiter: RateLimiter::new(app.pacing),
                retry: inner.retry,
                prefetch: inner.prefetch,
                oauth,
                lane: app.scheduler.lane(),
                app,
                account,
                has_token: true,
            }),
        }
    }

    /// The generated low-level client, for operations this crate does not wrap yet.
    /// Requests made through it carry the token but skip pacing and retries (and,
    /// with OAuth2, the refresh: they send the access token in use).
    pub fn api(&self) -> &mijnklantportaal_api::Client {
        &self.inner.api
    }
}

impl Inner {
    /// One page of a list operation: paced, retried, mapped to [`Error`].
    ///
    /// `ticket` is the request's place in the rate limiter's queue (taken when the page
    /// was scheduled, so a retry keeps it).
    pub(crate) async fn request_page<T, F>(
        &self,
        path: &'static str,
        page: u64,
        ticket: Ticket,
        send: F,
    ) -> Result<T, Error>
    where
        F: for<'a> Fn(
            &'a mijnklantportaal_api::Client,
            NonZeroU32,
        ) -> BoxFuture<'a, Result<ResponseValue<T>, ApiError>>,
    {
        let page_param = u32::try_from(page)
            .ok()
            .and_then(NonZeroU32::new)
            .ok_or_else(|| {
                Error::InvalidInput(format!("page {page} is out of range (1..=4294967295)"))
            })?;
        let call = Call {
            operation: None,
            method: "GET",
            path,
            page: Some(page),
            repeat: Repeat::Safe,
            body_once: false,
        };
        self.call(call, ticket, |api| send(api, page_param)).await
    }

    /// One request outside a listing (it queues behind the requests already waiting).
    pub(crate) async fn once<T, F>(&self, call: Call, send: F) -> Result<T, Error>
    where
        F: for<'a> Fn(
            &'a mijnklantportaal_api::Client,
        ) -> BoxFuture<'a, Result<ResponseValue<T>, ApiError>>,
    {
        self.call(call, self.limiter.ticket(), send).await
    }

    /// One [`Call::refused_when_done`] action: when a retry after a lost answer is refused
    /// with 422 ("already done"), `done` reads the resource back and gives it if the
    /// action did take effect; otherwise the 422 is the answer.
    pub(crate) async fn settle<T, F, D, Fut>(
        &self,
        call: Call,
        send: F,
        done: D,
    ) -> Result<T, Error>
    where
        F: for<'a> Fn(
            &'a mijnklantportaal_api::Client,
        ) -> BoxFuture<'a, Result<ResponseValue<T>, ApiError>>,
        D: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, Error>>,
    {
        match self.once(call, send).await {
            Err(Error::MaybeApplied { last, .. })
                if matches!(call.repeat, Repeat::RefusedWhenDone { .. })
                    && matches!(*last, Error::Validation { .. }) =>
            {
                tracing::info!(
                    method = call.method,
                    path = call.path,
                    "422 to a retry after a lost answer: reading the resource back"
                );
                match done().await? {
                    Some(resource) => Ok(resource),
                    None => Err(*last),
                }
            }
            other => other,
        }
    }

    /// One request: paced, retried as `call.repeat` allows, mapped to [`Error`]. The
    /// single path every API call takes.
    ///
    /// The retry budget's clock starts when the first attempt is sent, not while the
    /// request waits for its turn in the rate limiter.
    pub(crate) async fn call<T, F>(&self, call: Call, ticket: Ticket, send: F) -> Result<T, Error>
    where
        F: for<'a> Fn(
            &'a mijnklantportaal_api::Client,
        ) -> BoxFuture<'a, Result<ResponseValue<T>, ApiError>>,
    {
        if !self.has_token {
            return Err(Error::Config(
                "this app client has no account of its own: make one per portal with `.account(token)` or `.oauth_account(..)`"
                    .to_owned(),
            ));
        }
        let mut started: Option<Instant> = None;
        let mut backoff = self.retry.backoff();
        let mut attempt: u32 = 0;
        let mut refreshed_after_401 = false;
        // Whether an attempt failed in a way that leaves open whether the server did it.
        let mut maybe_applied = false;
        loop {
            attempt += 1;
            // A 429's wait (ours or another request's) counts against the budget: a
            // request that could not be sent within it fails, saying how long to wait.
            let budget = Budget {
                started,
                max_elapsed: self.retry.max_elapsed,
            };
            let mut permit = match self.limiter.acquire(ticket, budget).await {
                Ok(permit) => permit,
                Err(retry_after) => {
                    tracing::warn!(
                        method = call.method,
                        path = call.path,
                        ?retry_after,
                        "not sent: requests are held back past this request's retry budget"
                    );
                    return Err(Error::HeldBackPastBudget { retry_after });
                }
            };
            // The OAuth access token, refreshed first when it is about to expire.
            let generation = match &self.oauth {
                Some(oauth) => match oauth.fresh().await {
                    Ok(generation) => Some(generation),
                    Err(error) => {
                        drop(permit);
                        // Nothing was sent: a transient failure of the token
                        // endpoint is waited out even for a create.
                        if !error.is_transient() || attempt >= self.retry.max_attempts {
                            return Err(error);
                        }
                        let delay = backoff.next().unwrap_or(self.retry.max_backoff);
                        tracing::warn!(error = %error.report(), "token refresh failed; retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                },
                None => None,
            };
            // A slot in the app's cap on requests in flight, in the account's turn.
            let slot = self.app.scheduler.slot(self.lane).await;
            permit.sent_now();
            let started = *started.get_or_insert_with(Instant::now);
            let span = tracing::info_span!(
                "mijnklantportaal.request",
                operation = call.operation,
                method = call.method,
                path = call.path,
                page = tracing::field::Empty,
                attempt,
                status = tracing::field::Empty,
            );
            if let Some(page) = call.page {
                span.record("page", page);
            }
            let outcome = send(&self.api).instrument(span.clone()).await;
            let classified = self.classify(&permit, outcome, &call);
            drop(permit);
            drop(slot);
            let error = match classified {
                Ok((status, value)) => {
                    span.record("status", status);
                    return Ok(value);
                }
                Err(error) => error,
            };
            if let Some(status) = error.status() {
                span.record("status", status);
            }
            if let (Error::Unauthorized { .. }, Some(oauth), Some(generation)) =
                (&error, &self.oauth, generation)
                && !refreshed_after_401
            {
                // The access token expired early or was revoked: one refresh (unless
                // another request did one since), then the request again.
                refreshed_after_401 = true;
                tracing::info!(parent: &span, "401 for the OAuth access token: refreshing");
                oauth.after_unauthorized(generation).await?;
                if call.body_once {
                    return Err(Error::NotResent {
                        method: call.method,
                        path: call.path,
                        last: Box::new(error),
                    });
                }
                continue;
            }
            if let (Repeat::RefusedWhenDone { check }, Error::Validation { .. }) =
                (call.repeat, &error)
                && maybe_applied
            {
                // "Already done" may be the earlier attempt's own doing.
                return Err(Error::MaybeApplied {
                    method: call.method,
                    path: call.path,
                    check,
                    last: Box::new(error),
                });
            }
            if !error.is_transient() {
                return Err(error);
            }
            maybe_applied |= !error.proves_not_processed();
            if let Repeat::OnlyIfNotProcessed { check } = call.repeat
                && !error.proves_not_processed()
            {
                // The server may have done it: a retry could do it twice.
                tracing::warn!(parent: &span, error = %error.report(), "not retried: the server may have applied it");
                return Err(Error::MaybeApplied {
                    method: call.method,
                    path: call.path,
                    check,
                    last: Box::new(error),
                });
            }
            if self.retry.max_attempts <= 1 {
                // Retries are off: the failure as it is.
                return Err(error);
            }
            if call.body_once {
                // The first attempt used the body up: the cause, and why not retried.
                tracing::warn!(parent: &span, error = %error.report(), "not retried: the body was a stream");
                return Err(Error::NotResent {
                    method: call.method,
                    path: call.path,
                    last: Box::new(error),
                });
            }
            // After a 429 the limiter holds every request back for the server's wait;
            // that wait counts against the time budget like a backoff does.
            let rate_limited = matches!(error, Error::RateLimited { .. });
            let delay = if rate_limited {
                self.limiter.blocked_for()
            } else {
                backoff.next().unwrap_or(self.retry.max_backoff)
            };
            let elapsed = started.elapsed();
            if attempt >= self.retry.max_attempts
                || elapsed.saturating_add(delay) > self.retry.max_elapsed
            {
                tracing::warn!(parent: &span, error = %error.report(), "giving up");
                return Err(Error::RetriesExhausted {
                    attempts: attempt,
                    elapsed,
                    last: Box::new(error),
                });
            }
            tracing::debug!(parent: &span, error = %error.report(), ?delay, "retrying");
            if !rate_limited {
                tokio::time::sleep(delay).await;
            }
        }
    }

    /// Maps what the generated operation returned, and feeds the rate limiter.
    fn classify<T>(
        &self,
        permit: &Permit<'_>,
        outcome: Result<ResponseValue<T>, ApiError>,
        call: &Call,
    ) -> Result<(u16, T), Error> {
        use mijnklantportaal_api::Error as E;
        match outcome {
            Ok(value) => {
                self.limiter.observe(permit, value.headers());
                let status = value.status().as_u16();
                Ok((status, value.into_inner()))
            }
            Err(E::ErrorResponse(value)) => {
                self.limiter.observe(permit, value.headers());
                let status = value.status().as_u16();
                let retry_after = (status == 429)
                    .then(|| self.limiter.on_too_many_requests(permit, value.headers()))
                    .flatten();
                if status == 503 && is_maintenance(value.headers(), value.message.as_deref()) {
                    let retry_after = value
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    return Err(Error::Maintenance { retry_after });
                }
                let body = value.into_inner();
                if status == 422 {
                    return Err(Error::Validation {
                        message: body.message,
                        errors: body.errors.into_iter().collect(),
                    });
                }
                let message = body.message;
                Err(match status {
                    401 => Error::Unauthorized { message },
                    403 => Error::Forbidden { message },
                    404 => Error::NotFound { message },
                    426 => Error::NotInLicence { message },
                    429 => Error::RateLimited { retry_after },
                    _ => Error::Api { status, message },
                })
            }
            Err(E::UnexpectedResponse(response)) => {
                self.limiter.observe(permit, response.headers());
                Err(Error::Api {
                    status: response.status().as_u16(),
                    message: None,
                })
            }
            Err(E::CommunicationError(e)) | Err(E::ResponseBodyError(e)) => {
                Err(Error::Transport(e))
            }
            Err(E::InvalidResponsePayload(bytes, source)) => Err(match call.page {
                Some(page) => Error::undecodable(page, &bytes, source),
                None => Error::invalid_response(call.path, &bytes, source),
            }),
            // A builder's required field left unset, or a value it cannot convert.
            Err(E::InvalidRequest(message)) => Err(Error::InvalidInput(message)),
            Err(other) => Err(Error::Internal(other.to_string())),
        }
    }
}

/// Whether a 503 is the API's own maintenance answer, which proves that nothing was
/// done ([`Error::Maintenance`]): Laravel's maintenance mode (`php artisan down`)
/// answers a JSON request with `{"message": "Service Unavailable"}` before any route
/// middleware runs, so its answer carries none of the rate limiter's `X-RateLimit-*`
/// headers. Any other 503 (a proxy's page, an application's own 503 after the rate
/// limiter let it through) proves nothing.
fn is_maintenance(headers: &reqwest::header::HeaderMap, message: Option<&str>) -> bool {
    message == Some("Service Unavailable")
        && !headers.contains_key("x-ratelimit-limit")
        && !headers.contains_key("x-ratelimit-remaining")
}

/// Redirects are followed only within the origin of the first request (and at most 5):
/// a redirect elsewhere is returned as the 3xx it is, so no request, with or without
/// the token, goes to a host the caller did not name.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() <= 5 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// The reqwest set-up of every request this crate sends (the API's and the OAuth
/// token endpoint's): the user agent (default `mijnklantportaal-rs/<version>`), the
/// timeout of a whole request (default 30 s) and of connecting (default 10 s). Each
/// caller adds its redirect policy.
pub(crate) fn http_defaults(
    user_agent: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(
            user_agent
                .unwrap_or_else(|| format!("mijnklantportaal-rs/{}", env!("CARGO_PKG_VERSION"))),
        )
        .timeout(timeout.unwrap_or(Duration::from_secs(30)))
        .connect_timeout(connect_timeout.unwrap_or(Duration::from_secs(10)))
}

/// What an URL given to this crate may hold besides an http(s) scheme and a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlRules {
    /// The root that paths are appended to (the API's base URL, the management host):
    /// no query or fragment, which the paths would land in.
    Root,
    /// An OAuth2 redirect URI: a query is allowed, a fragment is not (RFC 6749
    /// §3.1.2).
    Redirect,
}

/// The one URL check of the crate: `raw`, trimmed of spaces and of a trailing `/`,
/// must be an http(s) URL with a host and no user name or password (the token and the
/// app's secret are the only credentials), and follow `rules`; else a configuration
/// error naming `what`.
pub(crate) fn http_url(raw: &str, what: &str, rules: UrlRules) -> Result<url::Url, Error> {
    let trimmed = raw.trim();
    let trimmed = match rules {
        UrlRules::Root => trimmed.trim_end_matches('/'),
        UrlRules::Redirect => trimmed,
    };
    let url = url::Url::parse(trimmed)
        .map_err(|e| Error::Config(format!("{what} `{trimmed}` does not parse: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Error::Config(format!(
            "{what} `{trimmed}` must be an http(s) URL with a host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(format!(
            "{what} must not hold a user name or password: the token is the only credential"
        )));
    }
    let query = rules == UrlRules::Root && url.query().is_some();
    if query || url.fragment().is_some() {
        // Paths are appended to a root as text: `…/v1?x=1/customer-invoices`.
        return Err(Error::Config(format!(
            "{what} must not have a {}: give the root only, like {DEFAULT_BASE_URL}",
            if query {
                "query (`?…`)"
            } else {
                "fragment (`#…`)"
            }
        )));
    }
    Ok(url)
}

/// Settings of a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use mijnklantportaal::{Client, RateLimit, RetryPolicy};
///
/// let client = Client::builder()
///     .token("my-api-key")
///     .base_url("https://api.mijnklantportaal.nl/v1")
///     .user_agent("my-app/1.0")
///     .timeout(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::default().max_attempts(3))
///     .rate_limit(RateLimit::new(60, Duration::from_secs(60)))
///     .prefetch(4)
///     .build()?;
/// assert!(!format!("{client:?}").contains("my-api-key"));
/// # Ok::<(), mijnklantportaal::Error>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    token: Option<String>,
    base_url: Option<String>,
    user_agent: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    rate_limit: Option<Option<RateLimit>>,
    prefetch: Option<usize>,
    http_client: Option<reqwest::Client>,
    oauth: Option<(OAuthApp, Tokens)>,
    on_new_tokens: Option<TokenCallback>,
    refresh_margin: Option<Duration>,
    max_in_flight: Option<usize>,
    oauth_app: Option<OAuthApp>,
    on_account_tokens: Option<AccountTokenCallback>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("prefetch", &self.prefetch)
            .field("oauth", &self.oauth)
            .field("oauth_app", &self.oauth_app)
            .field("max_in_flight", &self.max_in_flight)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key or OAuth2 access token. Sent only to the base URL's origin.
    pub fn token(mut self, token: impl AsRef<str>) -> Self {
        self.token = Some(token.as_ref().to_string());
        self
    }

    /// Authenticate with OAuth2 `tokens` of `app` (from [`OAuthApp::exchange`] or
    /// storage) instead of an API key. The access token is refreshed before it expires
    /// (see [`refresh_before_expiry`](Self::refresh_before_expiry)) and once after a
    /// 401, one refresh at a time for the client and all its clones; a refused
    /// refresh token ends requests with [`Error::ReconnectRequired`]. The access token
    /// goes to the base URL's origin only, the refresh token and the app's secret to
    /// the app's OAuth URL only.
    pub fn oauth(mut self, app: OAuthApp, tokens: Tokens) -> Self {
        self.oauth = Some((app, tokens));
        self
    }

    /// Called with the new [`Tokens`] after every refresh (a rotated refresh token
    /// included), for the caller to store. The client has kept and set them before
    /// the call, and runs it without holding the refresh lock: it may use the client,
    /// and a panic in it loses nothing (it is logged). Calls come one at a time, the
    /// newest tokens last; tokens replaced while a call runs are skipped.
    pub fn on_new_tokens(mut self, callback: impl Fn(&Tokens) + Send + Sync + 'static) -> Self {
        self.on_new_tokens = Some(Arc::new(callback));
        self
    }

    /// The OAuth app whose connected portals [`Client::oauth_account`] makes clients
    /// for (set by [`oauth`](Self::oauth) too). With it, an app without a portal of
    /// its own is built with [`build_app`](Self::build_app).
    pub fn oauth_app(mut self, app: OAuthApp) -> Self {
        self.oauth_app = Some(app);
        self
    }

    /// Called with an account's key and its new [`Tokens`] after every refresh of an
    /// account made with [`Client::oauth_account`], for the app to store them: each
    /// account's calls come one at a time, newest tokens last, after the account's
    /// client has kept and set them (as [`on_new_tokens`](Self::on_new_tokens) for
    /// the app's own tokens).
    pub fn on_account_tokens(
        mut self,
        callback: impl Fn(&AccountKey, &Tokens) + Send + Sync + 'static,
    ) -> Self {
        self.on_account_tokens = Some(Arc::new(callback));
        self
    }

    /// The most requests in flight at once, this client and every account made from
    /// it together (default [`DEFAULT_MAX_IN_FLIGHT`](crate::DEFAULT_MAX_IN_FLIGHT);
    /// at least 1). When it is reached, the accounts take turns: each freed slot goes
    /// to the next account with a request waiting, so an account with a long listing
    /// delays another account's request by at most one slot per waiting account.
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = Some(requests.max(1));
        self
    }

    /// How long before it expires an OAuth2 access token is refreshed (default 30 s;
    /// at most half its lifetime).
    pub fn refresh_before_expiry(mut self, margin: Duration) -> Self {
        self.refresh_margin = Some(margin);
        self
    }

    /// The API's base URL, `https://api.mijnklantportaal.nl/v1` by default.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The `User-Agent` header (default: `mijnklantportaal-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Timeout of one whole request, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Timeout of connecting (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// When to retry (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// A client-side rate limit of your choosing: the client never sends faster than
    /// this, even when the server advertises more (a limit below the server's is
    /// headroom, e.g. for other programs using the same token). Without it the client
    /// starts from the API's documented 60 per minute and then uses the limit the server
    /// advertises in `X-RateLimit-Limit`, higher or lower.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(Some(limit));
        self
    }

    /// No client-side pacing (429s are still waited out and retried).
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = Some(None);
        self
    }

    /// Pages a listing requests ahead (default [`DEFAULT_PREFETCH`]; 1 = one at a time).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = Some(pages.max(1));
        self
    }

    /// Use this `reqwest::Client` (proxies, TLS roots, connection pool). Timeouts, user
    /// agent and redirect policy set on this builder are then ignored in favour of its
    /// own. The token is still attached only to requests for the base URL's origin;
    /// reqwest's default redirect policy drops it when a redirect changes host.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        self.build_with(true)
    }

    /// Builds an app: a client that may have no token of its own, from which
    /// [`Client::account`] and [`Client::oauth_account`] make one client per portal.
    /// Its own requests, without a token, fail with [`Error::Config`].
    ///
    /// ```
    /// use mijnklantportaal::Client;
    ///
    /// let app = Client::builder().max_in_flight(32).build_app()?;
    /// let portal = app.account("api-key-of-a-portal")?;
    /// # let _ = portal;
    /// # Ok::<(), mijnklantportaal::Error>(())
    /// ```
    pub fn build_app(self) -> Result<Client, Error> {
        self.build_with(false)
    }

    fn build_with(mut self, token_required: bool) -> Result<Client, Error> {
        if let (None, Some((app, _))) = (&self.oauth_app, &self.oauth) {
            self.oauth_app = Some(app.clone());
        }
        let token = match (&self.token, &self.oauth) {
            (Some(_), Some(_)) => {
                return Err(Error::Config(
                    "both an API token and OAuth2 tokens: pass one of `.token(...)` and `.oauth(...)`"
                        .to_string(),
                ));
            }
            (Some(token), None) => token.as_str(),
            (None, Some((_, tokens))) => tokens.access_token(),
            (None, None) if !token_required => "",
            (None, None) => {
                return Err(Error::Config(
                    "no API token: pass one with `.token(...)` (an API key from the management portal), or OAuth2 tokens with `.oauth(...)`"
                        .to_string(),
                ));
            }
        };
        let has_token = !token.is_empty() || token_required;
        let auth = if has_token {
            Auth::bearer(token)?
        } else {
            Auth::none()
        };
        let base_url = http_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            "base URL",
            UrlRules::Root,
        )?;
        let http = match self.http_client {
            Some(client) => client,
            None => http_defaults(self.user_agent, self.timeout, self.connect_timeout)
                .redirect(same_origin_redirects())
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let refresh_margin = self.refresh_margin.unwrap_or(DEFAULT_REFRESH_MARGIN);
        let oauth = self.oauth.map(|(app, tokens)| {
            TokenRefresher::new(
                app,
                tokens,
                auth.clone(),
                refresh_margin,
                self.on_new_tokens,
            )
        });
        let api = mijnklantportaal_api::Client::new_with_client(
            base_url.as_str().trim_end_matches('/'),
            http.clone(),
            auth,
        );
        let pacing = match self.rate_limit {
            None => Pacing::Documented,
            Some(Some(limit)) => Pacing::Configured(limit),
            Some(None) => Pacing::Off,
        };
        let scheduler = Arc::new(Scheduler::new(
            self.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT),
        ));
        Ok(Client {
            inner: Arc::new(Inner {
                api,
                base_url,
                limiter: RateLimiter::new(pacing),
                retry: self.retry.unwrap_or_default(),
                prefetch: self.prefetch.unwrap_or(DEFAULT_PREFETCH),
                oauth,
                lane: scheduler.lane(),
                app: Arc::new(App {
                    http,
                    scheduler,
                    pacing,
                    refresh_margin,
                    oauth_app: self.oauth_app,
                    on_account_tokens: self.on_account_tokens,
                }),
                account: None,
                has_token,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    //! The retry decision per operation, against scripted answers on a paused clock.

    use std::sync::atomic::{AtomicU32, Ordering};

    use futures::FutureExt;
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    const CREATE: Call = Call {
        operation: None,
        method: "POST",
        path: "/things",
        page: None,
        repeat: Repeat::OnlyIfNotProcessed {
            check: "look the thing up",
        },
        body_once: false,
    };
    const EDIT: Call = Call {
        operation: None,
        method: "PATCH",
        path: "/things/{id}",
        page: None,
        repeat: Repeat::Safe,
        body_once: false,
    };

    const CLOSE: Call = Call::of(Operation {
        id: "close-thing",
        method: "PATCH",
        path: "/things/{id}",
        retry: Retry::Safe,
        check: Some("read the thing back"),
        settle: true,
    });

    fn client() -> Client {
        Client::builder()
            .token("t")
            .base_url("http://scripted.test/v1")
            .no_rate_limit()
            .build()
            .expect("a client")
    }

    /// Answers `statuses` in turn (the last one again and again), counting the calls. A
    /// 503 is the API's maintenance answer.
    async fn answer(call: Call, statuses: &[u16]) -> (Result<u16, Error>, u32) {
        let calls = AtomicU32::new(0);
        let client = client();
        let result = client
            .inner
            .call(call, client.inner.limiter.ticket(), |_api| {
                let n = calls.fetch_add(1, Ordering::SeqCst) as usize;
                let status = statuses[n.min(statuses.len() - 1)];
                async move {
                    let code = StatusCode::from_u16(status).expect("a status");
                    let mut headers = HeaderMap::new();
                    if status == 429 {
                        headers.insert("retry-after", HeaderValue::from(1));
                    }
                    let mut body = ErrorBody::default();
                    if status == 503 {
                        body.message = Some("Service Unavailable".to_string());
                    }
                    if code.is_success() {
                        Ok(ResponseValue::new(status, code, headers))
                    } else {
                        Err(mijnklantportaal_api::Error::ErrorResponse(
                            ResponseValue::new(body, code, headers),
                        ))
                    }
                }
                .boxed()
            })
            .await;
        (result, calls.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn a_create_is_not_repeated_after_an_ambiguous_failure() {
        for status in [500, 502, 504] {
            let (result, calls) = answer(CREATE, &[status, 201]).await;
            assert_eq!(calls, 1, "{status}: sent once");
            let err = result.expect_err("ambiguous");
            assert!(
                matches!(&err, Error::MaybeApplied { last, .. } if last.status() == Some(status)),
                "{err:?}"
            );
            let text = err.to_string();
            assert!(
                text.contains("may or may not") && text.contains("look the thing up"),
                "{text}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_create_is_retried_when_the_server_provably_did_not_process_it() {
        for status in [408, 429, 503] {
            let (result, calls) = answer(CREATE, &[status, 201]).await;
            assert_eq!(result.expect("the retry succeeds"), 201);
            assert_eq!(calls, 2, "{status}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_safe_write_is_retried_after_any_transient_failure() {
        for status in [500, 502, 503, 504] {
            let (result, calls) = answer(EDIT, &[status, 200]).await;
            assert_eq!(result.expect("the retry succeeds"), 200);
            assert_eq!(calls, 2, "{status}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_already_done_refusal_to_a_retry_may_be_the_first_attempts_doing() {
        let (result, calls) = answer(CLOSE, &[504, 422]).await;
        assert_eq!(calls, 2, "retried like a read");
        let err = result.expect_err("undecided here");
        assert!(
            matches!(&err, Error::MaybeApplied { last, check: "read the thing back", .. } if last.status() == Some(422)),
            "{err:?}"
        );
        // The API's maintenance 503 proves the first attempt did nothing: the 422 is
        // the answer.
        let (result, calls) = answer(CLOSE, &[503, 422]).await;
        assert_eq!(calls, 2);
        assert!(
            matches!(result, Err(Error::Validation { .. })),
            "{result:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn client_errors_are_final_for_every_operation() {
        for call in [CREATE, EDIT, CLOSE] {
            let (result, calls) = answer(call, &[422, 201]).await;
            assert!(
                matches!(result, Err(Error::Validation { .. })),
                "{result:?}"
            );
            assert_eq!(calls, 1);
        }
    }
}
