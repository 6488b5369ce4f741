//! The handle of a running mock: a server per test on an ephemeral loopback port,
//! running axum on the caller's tokio runtime and sharing its state with the handle.

use std::fmt;
use std::future::IntoFuture;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use futures::FutureExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::accounts::{self, Accounts, MockAccount, MockGrant};
use crate::auth::Secret;
use crate::dataset::Dataset;
use crate::faults::{Faults, Latency};
use crate::files::DEFAULT_LINK_LIFETIME;
use crate::handler::{Config, DEFAULT_REQUEST_LOG_LIMIT, Shared};
use crate::inspect::{self, Kind};
use crate::live::{Change, Evaluation, Live, Order};
use crate::oauth::{MockOAuth, OAuthStats};
use crate::paginator::Quirks;
use crate::recording::{RecordedRequest, Stats};
use crate::requests;
use crate::resources::customer_invoices::MockInvoice;
use crate::resources::customers::MockCustomer;
use crate::store::{Table, lock};

/// Configures a [`MockServer`]; get one from [`MockServer::builder`].
///
/// Defaults: 1,000 invoices, seed 0, 15 per page, token `test` (never expiring), 60
/// requests per 60 s per token, no latency, faults or quirks, page URLs from the
/// request's `Host`, requests recorded, `127.0.0.1:0`, oldest first, a static table.
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct MockServerBuilder {
    pub(crate) config: Config,
    token: Option<Secret>,
    token_valid_for: Option<u64>,
    bind: SocketAddr,
    accounts: Vec<MockAccount>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            config: Config {
                dataset: Dataset::new(0, 1_000),
                per_page: 15,
                rate_limit: Some((60, Duration::from_secs(60))),
                latency: Latency::default(),
                faults: Faults::none(),
                quirks: Quirks::default(),
                public_url: None,
                fractional_retry_after: false,
                record_requests: true,
                request_log_limit: DEFAULT_REQUEST_LOG_LIMIT,
                order: Order::OldestFirst,
                live: Live::none(),
                reorder: 0,
                drop_write_responses: 0,
                file_link_lifetime: DEFAULT_LINK_LIFETIME,
                oauth: None,
                ticketing: true,
            },
            token: Some(Secret("test".to_owned())),
            token_valid_for: None,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            accounts: Vec::new(),
        }
    }
}

/// Builder methods written `fn name(args) field = value;`: each sets the builder's
/// `field` (a path such as `config.per_page`) to `value` and returns the builder.
macro_rules! setters {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),*) $($field:ident).+ = $value:expr;
    )*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, $($arg: $ty),*) -> Self {
            self.$($field).+ = $value;
            self
        }
    )*};
}

pub(crate) use setters;

impl MockServerBuilder {
    setters! {
        /// Invoices per page (default 15; 0 counts as 1).
        fn per_page(per_page: u64) config.per_page = per_page.max(1);
        /// The bearer token the server accepts (default `test`).
        fn token(token: impl Into<String>) token = Some(Secret(token.into()));
        /// The token expires (401) after `requests` authenticated requests.
        fn token_valid_for(requests: u64) token_valid_for = Some(requests);
        /// Allow `limit` requests per `window` per token (all without a token share one).
        fn rate_limit(limit: u32, window: Duration) config.rate_limit = Some((limit, window));
        /// No rate limiting, and no `X-RateLimit-*` headers.
        fn no_rate_limit() config.rate_limit = None;
        /// Delay every response by `fixed` plus a seeded jitter in `0..=jitter`.
        fn latency(fixed: Duration, jitter: Duration) config.latency = Latency { fixed, jitter };
        /// Fail these fractions of list requests (see [`Faults`]).
        fn faults(faults: Faults) config.faults = faults;
        /// Turn on the documented quirks of the real API (see [`Quirks`]).
        fn quirks(quirks: Quirks) config.quirks = quirks;
        /// Build page URLs from this origin (e.g. `http://127.0.0.2:9999`) instead of the
        /// request's `Host`, as behind a proxy.
        fn public_url(origin: impl Into<String>)
            config.public_url = Some(origin.into().trim_end_matches('/').to_owned());
        /// Send `Retry-After` as decimal seconds (`0.137`), not whole seconds rounded up.
        fn fractional_retry_after(on: bool) config.fractional_retry_after = on;
        /// Whether to keep requests for [`MockServer::requests`] (default `true`).
        fn record_requests(record: bool) config.record_requests = record;
        /// How many (newest) requests [`MockServer::requests`] keeps (default 10,000).
        fn request_log_limit(limit: usize) config.request_log_limit = limit;
        /// The order of the listing (default [`Order::OldestFirst`], the dataset's).
        fn order(order: Order) config.order = order;
        /// Add and delete invoices while clients list them (see [`Live`]); observe them
        /// with [`MockServer::evaluations`] and [`MockServer::changes`].
        fn live(live: Live) config.live = live;
        /// Evaluate concurrent list requests (those answered with a page) in a seeded
        /// order: held until `window` arrived or none did for 5 ms (tokio time), then
        /// shuffled, so page 3 may be read before page 2. 0 or 1 (default): as they arrive.
        fn reorder(window: usize) config.reorder = window;
        /// Carry out the first `count` writes (valid creates, edits and actions), then close
        /// the connection unanswered, as a crashing server or timing-out proxy does (default 0).
        fn drop_write_responses(count: u64) config.drop_write_responses = count;
        /// How long download links work (default 5 minutes, on tokio's clock).
        fn file_link_lifetime(lifetime: Duration) config.file_link_lifetime = lifetime;
        /// Serve the management host's OAuth2 flow ([`MockOAuth`]) and accept its tokens.
        fn oauth(oauth: MockOAuth) config.oauth = Some(oauth);
        /// A portal without the ticketing system: every Tickets request answers 426.
        fn without_ticketing() config.ticketing = false;
        /// The address to listen on (default `127.0.0.1:0`, an ephemeral port).
        fn bind(addr: SocketAddr) bind = addr;
    }

    /// Number of invoices in the dataset (any `u64`; they are generated on demand).
    pub fn invoices(mut self, count: u64) -> Self {
        self.config.dataset = Dataset::new(self.config.dataset.seed(), count);
        self
    }

    /// Seed of the dataset, faults and latency jitter: the same seed replays a run.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.dataset = Dataset::new(seed, self.config.dataset.len());
        self
    }

    /// One more portal with a token, dataset, rate limit and OAuth grant of its own;
    /// the builder's settings are the default account's, served for other tokens.
    pub fn account(mut self, account: MockAccount) -> Self {
        self.accounts.push(account);
        self
    }

    /// [`account`](Self::account) for each of `accounts`.
    pub fn accounts(mut self, accounts: impl IntoIterator<Item = MockAccount>) -> Self {
        self.accounts.extend(accounts);
        self
    }

    /// Binds the address and starts serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound.
    pub async fn start(self) -> io::Result<MockServer> {
        let listener = TcpListener::bind(self.bind).await?;
        let addr = listener.local_addr()?;
        let oauth_listener = match &self.config.oauth {
            Some(oauth) if oauth.own_origin => Some(TcpListener::bind((addr.ip(), 0)).await?),
            _ => None,
        };
        let oauth_addr = match &oauth_listener {
            Some(listener) => Some(listener.local_addr()?),
            None => self.config.oauth.as_ref().map(|_| addr),
        };
        let shared = Arc::new(Shared::new(
            self.config.clone(),
            addr,
            self.token.map(|t| t.0),
            self.token_valid_for,
        ));
        let accounts = Accounts::new(Arc::clone(&shared), &self.accounts, &self.config, addr);
        let accounts = Arc::new(accounts);
        let handler = |oauth_origin| {
            let accounts = Arc::clone(&accounts);
            move |request| accounts::handle(Arc::clone(&accounts), request, oauth_origin)
        };
        let app = Router::new()
            .fallback(handler(false))
            .layer(DefaultBodyLimit::max(requests::MAX_MULTIPART_BYTES));
        let oauth_app = Router::new().fallback(handler(true));
        let (stop, stopped) = oneshot::channel::<()>();
        // Resolves when the sender is dropped: by `shutdown`, or with the handle.
        let stopped = stopped.map(|_| ()).shared();
        let task = tokio::spawn(async move {
            let api = axum::serve(listener, app).with_graceful_shutdown(stopped.clone());
            let Some(oauth_listener) = oauth_listener else {
                return api.await;
            };
            let oauth = axum::serve(oauth_listener, oauth_app).with_graceful_shutdown(stopped);
            tokio::try_join!(api.into_future(), oauth.into_future()).map(|_| ())
        });
        Ok(MockServer {
            shared,
            accounts,
            addr,
            oauth_addr,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running mock of the Mijn Klantportaal API.
///
/// Stops on [`shutdown`](Self::shutdown) (graceful) or when dropped (aborted).
pub struct MockServer {
    pub(crate) shared: Arc<Shared>,
    accounts: Arc<Accounts>,
    addr: SocketAddr,
    oauth_addr: Option<SocketAddr>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("dataset", &self.shared.config.dataset)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// A builder with the defaults listed on [`MockServerBuilder`].
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API's base URL on this server, e.g. `http://127.0.0.1:40123/v1`.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.origin())
    }

    /// `http://` and the address: the origin of page URLs without a public URL.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The origin of the OAuth2 endpoints (`https://manage.mijnklantportaal.nl`'s
    /// stand-in); `None` without [`MockServerBuilder::oauth`].
    pub fn oauth_url(&self) -> Option<String> {
        self.oauth_addr.map(|addr| format!("http://{addr}"))
    }

    /// The OAuth grant of the account with API key `token` ([`MockAccount::oauth`]).
    pub fn account_grant(&self, token: &str) -> Option<MockGrant> {
        self.accounts.named.get(token)?.1.clone()
    }

    /// Counters of what the account with API key `token` was answered.
    pub fn account_stats(&self, token: &str) -> Option<Stats> {
        Some(self.accounts.named.get(token)?.0.stats())
    }

    /// Counters of the OAuth endpoints for the account with API key `token`.
    pub fn account_oauth_stats(&self, token: &str) -> Option<OAuthStats> {
        Some(self.accounts.named.get(token)?.0.oauth_stats())
    }

    /// The dataset of the account with API key `token`.
    pub fn account_dataset(&self, token: &str) -> Option<Dataset> {
        Some(self.accounts.named.get(token)?.0.config.dataset)
    }

    /// Counters of the OAuth2 endpoints (all zero without them).
    pub fn oauth_stats(&self) -> OAuthStats {
        self.shared.oauth_stats()
    }

    /// Revokes every refresh token issued so far (access tokens work until they expire).
    pub fn revoke_oauth_grants(&self) {
        if let Some(oauth) = &self.shared.oauth {
            lock(oauth).revoke_grants();
        }
    }

    /// Answer the next `count` requests to `POST /oauth/tokens` with 503.
    pub fn fail_next_token_requests(&self, count: u64) {
        if let Some(oauth) = &self.shared.oauth {
            lock(oauth).fail_next_token_requests(count);
        }
    }

    /// The requests received (the newest ones, see [`MockServerBuilder::request_log_limit`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).iter().cloned().collect()
    }

    /// Forgets the recorded requests (counters are kept).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Counters of what the server answered so far.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Accept `token` from now on (`None`: none), with a fresh `token_valid_for` allowance.
    pub fn set_token(&self, token: Option<String>) {
        lock(&self.shared.token).replace(token);
    }

    /// The generated dataset the invoice table starts from.
    pub fn dataset(&self) -> Dataset {
        self.shared.config.dataset
    }

    /// The mock's time (Dutch): tokio time since the start, from 2026-01-01T00:00+01:00.
    pub fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.shared.clock.now().unwrap_or_default()
    }

    /// Every row of `kind` the server holds, in listing order, as `GET /{id}` shows it;
    /// not a request (nothing is counted or changed).
    pub fn rows(&self, kind: Kind) -> Vec<serde_json::Value> {
        inspect::rows(&self.shared, kind, None, &self.origin())
    }

    /// The row of `kind` with id `id`, as `GET /{id}` shows it, if the server holds it.
    pub fn row(&self, kind: Kind, id: &str) -> Option<serde_json::Value> {
        inspect::rows(&self.shared, kind, Some(id), &self.origin()).pop()
    }

    /// Invoices per page.
    pub fn per_page(&self) -> u64 {
        self.shared.config.per_page
    }

    /// The body of invoice page `page` now, URLs under `origin`; changes nothing.
    pub fn page_json(&self, page: u64, origin: &str) -> serde_json::Value {
        self.shared
            .render_page(page.max(1), origin)
            .ok()
            .and_then(|body| serde_json::from_slice(&body).ok())
            .unwrap_or_default()
    }

    /// The invoice ids in the table now, in listing order (for small datasets).
    pub fn live_snapshot(&self) -> Vec<String> {
        self.shared.with(|t: &mut Table<MockInvoice>| t.snapshot())
    }

    /// The invoice ids in the table for every list request evaluated in `evaluations`
    /// ([`Evaluation::sequence`]): what a listing made of them must return.
    ///
    /// ```
    /// # use mijnklantportaal_mock::{Live, MockServer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = MockServer::builder().invoices(40).live(Live::inserts(1)).start().await?;
    /// // ... list every page, then (only inserts: the 40 starting invoices):
    /// let must_list = server.ids_present_throughout(1..=server.evaluations().len() as u64);
    /// assert_eq!(must_list.len(), 40);
    /// # Ok(())
    /// # }
    /// ```
    pub fn ids_present_throughout(&self, evaluations: RangeInclusive<u64>) -> Vec<String> {
        self.shared
            .with(|t: &mut Table<MockInvoice>| t.present_throughout(evaluations))
    }

    /// Every invoice list request evaluated, in order (if requests are recorded).
    pub fn evaluations(&self) -> Vec<Evaluation> {
        self.shared
            .with(|t: &mut Table<MockInvoice>| t.evaluations())
    }

    /// Every change of the invoice table, in order (client-created invoices included).
    pub fn changes(&self) -> Vec<Change> {
        self.shared.with(|t: &mut Table<MockInvoice>| t.changes())
    }

    /// Drop the answers to the next `count` writes after carrying them out (see
    /// [`MockServerBuilder::drop_write_responses`]).
    ///
    /// ```
    /// # use mijnklantportaal_mock::MockServer;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = MockServer::builder().start().await?;
    /// // The next write is carried out, but its client gets no answer.
    /// server.drop_next_write_responses(1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn drop_next_write_responses(&self, count: u64) {
        self.shared.drop_writes.store(count, Ordering::Relaxed);
    }

    /// The invoices clients created, in order, as they are now.
    pub fn invoices_created(&self) -> Vec<MockInvoice> {
        self.shared.with(|t: &mut Table<MockInvoice>| t.created())
    }

    /// The customers clients created, in order, as they are now.
    pub fn customers_created(&self) -> Vec<MockCustomer> {
        self.shared.with(|t: &mut Table<MockCustomer>| t.created())
    }

    /// The invoice with id `id` as the server holds it now.
    pub fn invoice(&self, id: &str) -> Option<MockInvoice> {
        self.shared.with(|t: &mut Table<MockInvoice>| t.find(id))
    }

    /// The customer with id `id` as the server holds it now.
    pub fn customer(&self, id: &str) -> Option<MockCustomer> {
        self.shared.with(|t: &mut Table<MockCustomer>| t.find(id))
    }

    /// Stops accepting connections and lets requests in flight finish (up to 5 s).
    pub async fn shutdown(mut self) {
        // Dropping the sender stops the server; `drop` aborts it if still running.
        self.stop = None;
        if let Some(task) = &mut self.task {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
