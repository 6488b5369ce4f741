//! The request pipeline: record, throttle, route, authenticate, validate, answer, delay.
//!
//! One handler takes every request, rather than axum routes, because the mock has to
//! answer things axum's router answers its own way (unknown routes, wrong methods,
//! unparsable queries) with Laravel's exact status and JSON instead, and has to put
//! rate-limit headers on all of them. The order follows a Laravel API: the limiter
//! counts every request first (so `X-RateLimit-*` is on every response, as the vendor
//! documents), then the [route table](crate::routes) decides 404/405, then
//! authentication, then the request body against the operation's schema in the spec
//! ([`requests::checked`]: 400, 413, 415, 422), then the operation's handler. What every handler shares lives on
//! [`Call`]: its route parameters, the store's tables, the one list operation (faults
//! are injected there; it reads the table, an *evaluation* that may trigger a change
//! of the table, through the reorder buffer when one is set), and the answer to a
//! write (counted, and dropped when the test asks for it). Latency is added last, to
//! every answer.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate};
use tokio::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use futures::future::BoxFuture;
use http::request::Parts;
use http::{HeaderMap, Method, StatusCode, header};

use crate::auth::{self, TokenState};
use crate::clock::Clock;
use crate::dataset::Dataset;
use crate::faults::{self, Fault, Faults, Latency};
use crate::files::Files;
use crate::live::{Live, Order};
use crate::oauth::{self, AccessCheck, MockOAuth, OAuthState, OAuthStats};
use crate::paginator::{self, Quirks};
use crate::rate_limit::{Decision, RateLimiter};
use crate::recording::{RecordedRequest, Stats};
use crate::reorder::Reorder;
use crate::requests::{self, Form, Refused};
use crate::resources::customer_invoices::{self, MockInvoice};
use crate::resources::{self, customers, files};
use crate::responses;
use crate::routes::{self, Route};
use crate::store::{Record, Slot, Store, Table, lock};
use crate::validation::{Errors, Input};

/// How many requests the log keeps by default.
pub(crate) const DEFAULT_REQUEST_LOG_LIMIT: usize = 10_000;

/// The limiter key of requests without a bearer token.
const ANONYMOUS: &str = "anonymous";

/// Everything fixed when the server starts.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) dataset: Dataset,
    pub(crate) per_page: u64,
    pub(crate) rate_limit: Option<(u32, Duration)>,
    pub(crate) latency: Latency,
    pub(crate) faults: Faults,
    pub(crate) quirks: Quirks,
    pub(crate) public_url: Option<String>,
    pub(crate) fractional_retry_after: bool,
    pub(crate) record_requests: bool,
    /// How many recorded requests are kept (the newest).
    pub(crate) request_log_limit: usize,
    pub(crate) order: Order,
    pub(crate) live: Live,
    /// Concurrent list requests evaluated in a shuffled order, this many at a time
    /// (0 or 1: in arrival order).
    pub(crate) reorder: usize,
    /// Responses to this many writes are dropped after the write is done.
    pub(crate) drop_write_responses: u64,
    /// How long a PDF download link works.
    pub(crate) file_link_lifetime: Duration,
    /// The OAuth2 endpoints, when served.
    pub(crate) oauth: Option<MockOAuth>,
    /// Whether the portal's licence includes the ticketing system (else the Tickets
    /// API answers 426).
    pub(crate) ticketing: bool,
}

/// A list request's read of its table, ready to run in the reorder buffer: it
/// evaluates the page and renders it.
struct ListJob(Box<dyn FnOnce() -> serde_json::Result<Vec<u8>> + Send>);

impl std::fmt::Debug for ListJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListJob")
    }
}

/// A response that ends an operation early (404, 422, 500, a dropped answer); boxed,
/// as a response is large.
pub(crate) type Refusal = Box<Response>;

/// What an operation answers: the response, or a [`Refusal`]; both are sent. `Err`
/// lets a handler stop early with `?`.
pub(crate) type Reply = Result<Response, Refusal>;

/// An operation of the route table.
pub(crate) type Handler = for<'a> fn(&'a Call<'a>, Body) -> BoxFuture<'a, Reply>;

/// What a test runs after every use of a table (with the table's model).
#[cfg(test)]
#[derive(Clone)]
pub(crate) struct StoreHook(pub(crate) Arc<dyn Fn(&str) + Send + Sync>);

#[cfg(test)]
impl std::fmt::Debug for StoreHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreHook")
    }
}

/// State shared by the handler and the [`MockServer`](crate::MockServer) handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    local_addr: SocketAddr,
    pub(crate) token: Mutex<TokenState>,
    pub(crate) oauth: Option<Mutex<OAuthState>>,
    limiter: Option<Mutex<RateLimiter>>,
    pub(crate) requests: Mutex<VecDeque<RecordedRequest>>,
    stats: Mutex<Stats>,
    request_numbers: AtomicU64,
    /// List requests so far, per route: faults are drawn by a route's own count.
    list_numbers: Mutex<HashMap<usize, u64>>,
    store: Store,
    pub(crate) files: Mutex<Files>,
    /// Writes whose responses are still to be dropped.
    pub(crate) drop_writes: AtomicU64,
    arrivals: AtomicU64,
    reorder: Option<Reorder<ListJob, serde_json::Result<Vec<u8>>>>,
    /// The mock's time: everything it writes or compares.
    pub(crate) clock: Clock,
    /// Called after every use of a table (tests: to line requests up there).
    #[cfg(test)]
    pub(crate) store_hook: Mutex<Option<StoreHook>>,
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        local_addr: SocketAddr,
        token: Option<String>,
        token_valid_for: Option<u64>,
    ) -> Self {
        let limiter = config
            .rate_limit
            .map(|(limit, window)| Mutex::new(RateLimiter::new(limit, window)));
        let reorder =
            (config.reorder > 1).then(|| Reorder::new(config.reorder, config.dataset.seed()));
        let files = Mutex::new(Files::new(config.dataset.seed(), config.file_link_lifetime));
        let drop_writes = AtomicU64::new(config.drop_write_responses);
        let oauth = config
            .oauth
            .clone()
            .map(|oauth| Mutex::new(OAuthState::new(oauth, config.dataset.seed())));
        Shared {
            config,
            local_addr,
            token: Mutex::new(TokenState::new(token, token_valid_for)),
            oauth,
            limiter,
            requests: Mutex::new(VecDeque::new()),
            stats: Mutex::new(Stats::default()),
            request_numbers: AtomicU64::new(0),
            list_numbers: Mutex::new(HashMap::new()),
            store: Store::default(),
            files,
            drop_writes,
            arrivals: AtomicU64::new(0),
            reorder,
            clock: Clock::start(),
            #[cfg(test)]
            store_hook: Mutex::new(None),
        }
    }

    /// Runs `f` on the table of `R`.
    pub(crate) fn with<R: Record, T>(&self, f: impl FnOnce(&mut Table<R>) -> T) -> T {
        let table = self.store.table::<R>(&self.config);
        let result = f(&mut lock(&table));
        #[cfg(test)]
        {
            let hook = lock(&self.store_hook).clone();
            if let Some(StoreHook(hook)) = hook {
                hook(R::MODEL);
            }
        }
        result
    }

    pub(crate) fn stats(&self) -> Stats {
        *lock(&self.stats)
    }

    /// The body of page `page` of the invoice list as it is now, as the server
    /// sends it without faults (reading it this way is not an evaluation: nothing
    /// changes).
    pub(crate) fn render_page(&self, page: u64, origin: &str) -> serde_json::Result<Vec<u8>> {
        let per_page = self.config.per_page;
        let taken =
            self.with(|table: &mut Table<MockInvoice>| paginator::take(&*table, page, per_page));
        let path = customer_invoices::LIST_PATH;
        paginator::render(&taken, per_page, origin, path, self.config.quirks)
    }

    pub(crate) fn count(&self, update: impl FnOnce(&mut Stats)) {
        update(&mut lock(&self.stats));
    }

    fn count_fault(&self, fault: Fault) {
        self.count(|stats| {
            stats.faults_injected += 1;
            match fault {
                Fault::ServerError(_) => stats.server_errors += 1,
                Fault::MalformedJson => stats.malformed_json += 1,
                Fault::TruncatedJson => stats.truncated_json += 1,
                Fault::DroppedConnection => stats.dropped_connections += 1,
                Fault::WrongCurrentPage => stats.wrong_current_page += 1,
            }
        });
    }

    /// Takes one write response to drop, if any are left.
    fn take_dropped_write(&self) -> bool {
        self.drop_writes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Counters of the OAuth endpoints (all zero when they are not served).
    pub(crate) fn oauth_stats(&self) -> OAuthStats {
        self.oauth
            .as_ref()
            .map(|oauth| lock(oauth).stats())
            .unwrap_or_default()
    }

    /// A grant issued without the authorization flow (as if the portal had connected
    /// the app), as the fields of a token answer; `None` without OAuth.
    pub(crate) fn new_oauth_grant(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        let oauth = self.oauth.as_ref()?;
        Some(lock(oauth).new_grant(Instant::now()))
    }

    /// Whether `presented` is the API key, or an OAuth access token still valid.
    fn authenticate(&self, presented: Option<&str>) -> bool {
        if lock(&self.token).authenticate(presented) {
            return true;
        }
        match (&self.oauth, presented) {
            (Some(oauth), Some(token)) if !token.is_empty() => {
                lock(oauth).check_access(token, Instant::now()) == AccessCheck::Valid
            }
            _ => false,
        }
    }

    /// A request on the OAuth origin: the OAuth endpoints, or Laravel's 404.
    async fn respond_oauth(&self, parts: &Parts, body: Body) -> Response {
        match &self.oauth {
            Some(oauth) if oauth::is_oauth_path(parts.uri.path()) => {
                oauth::respond(oauth, parts, body).await
            }
            _ => {
                self.count(|stats| stats.not_found += 1);
                responses::route_not_found(responses::laravel_path(parts.uri.path()))
            }
        }
    }

    /// The scheme and authority page URLs are built from: the public URL if set,
    /// else the request's `Host` (like Laravel behind no proxy), else our address.
    fn origin(&self, headers: &HeaderMap) -> String {
        if let Some(public_url) = &self.config.public_url {
            return public_url.clone();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .filter(|host| is_plausible_host(host));
        match host {
            Some(host) => format!("http://{host}"),
            None => format!("http://{}", self.local_addr),
        }
    }

    /// Everything but the latency.
    async fn respond(&self, parts: &Parts, body: Body) -> Response {
        let path = parts.uri.path();
        let candidates = routes::matching(path);
        if candidates
            .first()
            .is_some_and(|(route, _)| route.is_public())
        {
            // A download link stands on its own, like a signed URL: no token, no limit.
            return self.run(parts, &candidates, body).await;
        }
        if let Some(oauth) = &self.oauth
            && !lock(oauth).own_origin()
            && oauth::is_oauth_path(path)
        {
            // The management host's endpoints, under the API's origin: no token, no limit.
            return oauth::respond(oauth, parts, body).await;
        }
        let presented = auth::bearer_token(&parts.headers);
        let decision = self.limiter.as_ref().map(|limiter| {
            let key = match presented {
                Some(token) if !token.is_empty() => format!("bearer:{token}"),
                _ => ANONYMOUS.to_owned(),
            };
            lock(limiter).hit(&key, Instant::now())
        });
        let mut response = match decision {
            Some(Decision::Limited { .. }) => {
                self.count(|stats| stats.served_429 += 1);
                responses::too_many_requests()
            }
            _ if candidates.is_empty() => {
                self.count(|stats| stats.not_found += 1);
                responses::route_not_found(responses::laravel_path(path))
            }
            _ => self.run(parts, &candidates, body).await,
        };
        if let Some(decision) = decision {
            let now = self.clock.unix();
            let fractional = self.config.fractional_retry_after;
            decision.write_headers(response.headers_mut(), fractional, now);
        }
        response
    }

    /// The method check among the routes whose path matches (`candidates`, not
    /// empty), authentication (unless the route is public), and the operation.
    async fn run(
        &self,
        parts: &Parts,
        candidates: &[(&'static Route, Vec<&str>)],
        body: Body,
    ) -> Response {
        let Some((route, params)) = candidates
            .iter()
            .find(|(route, _)| route.serves(&parts.method))
        else {
            return self.wrong_method(parts, candidates);
        };
        if !route.is_public() && !self.authenticate(auth::bearer_token(&parts.headers)) {
            self.count(|stats| stats.unauthorized += 1);
            return responses::unauthenticated();
        }
        let call = Call {
            shared: self,
            route,
            parts,
            params: params
                .iter()
                .map(|p| responses::percent_decode(p))
                .collect(),
            origin: self.origin(&parts.headers),
            invalid: Mutex::new(None),
        };
        let exists = |table: &str, id: &str| match table {
            "customers" => customers::exists(&call, id),
            "directories" => files::directory_exists(&call, id),
            "files" => files::item(&call, id).is_some(),
            _ => false,
        };
        let body = match requests::checked(parts, body, route.operation(), &exists).await {
            Ok(body) => body,
            Err(Refused::Unreadable(response)) => return response,
            Err(Refused::Invalid(response)) => {
                // Answered when the handler reads the body: after its route-model
                // binding (a 404 for an unknown id comes first, as in Laravel).
                *lock(&call.invalid) = Some(Box::new(response));
                Body::empty()
            }
            Err(Refused::Broken) => return *server_error(),
        };
        match route.handler()(&call, body).await {
            Ok(response) => response,
            Err(refusal) => *refusal,
        }
    }

    /// 405, or 200 for `OPTIONS`, with the methods of `candidates`.
    fn wrong_method(&self, parts: &Parts, candidates: &[(&'static Route, Vec<&str>)]) -> Response {
        let supported = routes::allowed(candidates.iter().map(|(route, _)| *route));
        if parts.method == Method::OPTIONS {
            self.count(|stats| stats.served_ok += 1);
            return responses::options(&supported);
        }
        self.count(|stats| stats.method_not_allowed += 1);
        let path = responses::laravel_path(parts.uri.path());
        responses::method_not_allowed(&parts.method, path, &supported)
    }
}

/// One request in an operation's handler: what every operation needs.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    /// The route being served.
    route: &'static Route,
    /// The request, without its body.
    pub(crate) parts: &'a Parts,
    /// The route's parameters, percent-decoded, in template order.
    params: Vec<String>,
    /// The scheme and authority of URLs in answers (see [`Shared::origin`]).
    pub(crate) origin: String,
    /// The 422 the request's body earned against its schema, answered when the
    /// handler reads the body ([`json`](Self::json), [`form`](Self::form)).
    invalid: Mutex<Option<Refusal>>,
}

impl Call<'_> {
    /// The JSON body's input, valid against the operation's schema, or the 422 the
    /// pipeline found (see [`requests::checked`]).
    pub(crate) async fn json(&self, body: Body) -> Result<Input, Refusal> {
        self.body_checked()?;
        Ok(requests::read_json(body).await)
    }

    /// The multipart body, valid against the operation's schema, or the 422 the
    /// pipeline found.
    pub(crate) async fn form(&self, body: Body) -> Result<Form, Refusal> {
        self.body_checked()?;
        Ok(requests::read_form(&self.parts.headers, &self.parts.extensions, body).await)
    }

    fn body_checked(&self) -> Result<(), Refusal> {
        match lock(&self.invalid).take() {
            Some(refusal) => {
                self.shared.count(|stats| stats.unprocessable += 1);
                Err(refusal)
            }
            None => Ok(()),
        }
    }

    /// Route parameter `index` (0: the first `{...}` of the template).
    pub(crate) fn param(&self, index: usize) -> &str {
        self.params.get(index).map_or("", String::as_str)
    }

    /// The server's state.
    pub(crate) fn shared(&self) -> &Shared {
        self.shared
    }

    /// Now, by the mock's [clock](crate::clock) (a 500 past chrono's range).
    pub(crate) fn now(&self) -> Result<DateTime<FixedOffset>, Refusal> {
        self.shared.clock.now().ok_or_else(server_error)
    }

    /// Today in Amsterdam, by the mock's clock.
    pub(crate) fn today(&self) -> Result<NaiveDate, Refusal> {
        self.shared.clock.today().ok_or_else(server_error)
    }

    /// The seed of the server's data: draws for created rows start from it.
    pub(crate) fn seed(&self) -> u64 {
        self.shared.config.dataset.seed()
    }

    /// Runs `f` on the table of `R`.
    pub(crate) fn with<R: Record, T>(&self, f: impl FnOnce(&mut Table<R>) -> T) -> T {
        self.shared.with(f)
    }

    /// The `R` named by route parameter `index`, or Laravel's 404 for its model
    /// (route-model binding: before the body is looked at).
    pub(crate) fn find<R: Record>(&self, index: usize) -> Result<R, Refusal> {
        let id = self.param(index);
        self.with(|table: &mut Table<R>| table.find(id))
            .ok_or_else(|| self.model_not_found(R::MODEL, id))
    }

    /// Adds the row `build` makes from its [`Slot`] (the new id, `createdAt`) to the
    /// table of `R`, in one step under the table's lock; a 500 if the table can take
    /// no more rows or `build` makes none (a value the schema promised is missing).
    pub(crate) fn insert<R: Record>(
        &self,
        build: impl FnOnce(Slot) -> Option<R>,
    ) -> Result<R, Refusal> {
        self.with(|table: &mut Table<R>| table.create(build))
            .ok_or_else(server_error)
    }

    /// The one create path of a JSON body: reads it (or answers the 422 the
    /// pipeline found), [inserts](Self::insert) the row `build` makes of the valid
    /// input and its slot, and answers 201 with it.
    pub(crate) async fn create<R: Record>(
        &self,
        body: Body,
        build: impl FnOnce(&Input, Slot) -> Option<R>,
    ) -> Reply {
        let input = self.json(body).await?;
        let row = self.insert(|slot| build(&input, slot))?;
        self.written(StatusCode::CREATED, &row)
    }

    /// The one way a row changes (every edit and action): under the table's lock,
    /// `change` sees the row with id `id` as it is now and changes it, or refuses (a
    /// 422 for its state or its input) and leaves it as it was. Checking and changing
    /// are one step, so two requests never both pass a check that only one may pass.
    /// Laravel's 404 if the row is gone.
    pub(crate) fn change<R: Record>(
        &self,
        id: &str,
        change: impl FnOnce(&mut R) -> Result<(), Refusal>,
    ) -> Result<R, Refusal> {
        self.with(|table: &mut Table<R>| table.update(id, change))
            .unwrap_or_else(|| Err(self.model_not_found(R::MODEL, id)))
    }

    /// The edit and action path with a JSON body: reads it, then [changes](Self::change)
    /// row `id` under the table's lock with `apply`, which sees the row as it is now
    /// and the valid input, and may refuse the row's state first.
    pub(crate) async fn edit<R: Record>(
        &self,
        id: &str,
        body: Body,
        apply: impl FnOnce(&mut R, &Input) -> Result<(), Refusal>,
    ) -> Result<R, Refusal> {
        let input = self.json(body).await?;
        self.change(id, |row: &mut R| apply(row, &input))
    }

    /// A page of the rows of `R` (those under `parent`, when given) in Laravel's
    /// simple paginator, with fault injection: the one list operation.
    pub(crate) async fn list<R: Record>(&self, parent: Option<String>) -> Reply {
        let shared = self.shared;
        let config = &shared.config;
        let requested = paginator::requested_page(self.parts.uri.query());
        let fault = if self.parts.method == Method::GET {
            let number = {
                let mut numbers = lock(&shared.list_numbers);
                let count = numbers
                    .entry(self.route as *const Route as usize)
                    .or_default();
                *count += 1;
                *count - 1
            };
            config.faults.pick(config.dataset.seed(), number)
        } else {
            None
        };
        if let Some(fault) = fault {
            shared.count_fault(fault);
        }
        let page = match fault {
            Some(Fault::ServerError(status)) => return Err(Box::new(faults::server_error(status))),
            Some(Fault::DroppedConnection) => return Err(Box::new(faults::dropped_connection())),
            Some(Fault::WrongCurrentPage) => faults::wrong_page(requested),
            _ => requested,
        };
        let job = {
            let table = shared.store.table::<R>(config);
            let per_page = config.per_page;
            let arrival = shared.arrivals.fetch_add(1, Ordering::Relaxed) + 1;
            let origin = self.origin.clone();
            let path = format!("/{}", responses::laravel_path(self.parts.uri.path()));
            let quirks = config.quirks;
            ListJob(Box::new(move || {
                let taken = lock(&table).evaluate(page, per_page, arrival, parent.as_deref());
                paginator::render(&taken, per_page, &origin, &path, quirks)
            }))
        };
        let body = match &shared.reorder {
            Some(reorder) => reorder.submit(job, |job| (job.0)()).await,
            None => Some((job.0)()),
        };
        let Some(Ok(body)) = body else {
            return Err(server_error());
        };
        Ok(match fault {
            Some(Fault::MalformedJson) => faults::malformed_json(body),
            Some(Fault::TruncatedJson) => faults::truncated_json(body),
            Some(_) => responses::json(StatusCode::OK, body),
            None => {
                shared.count(|stats| stats.served_ok += 1);
                responses::json(StatusCode::OK, body)
            }
        })
    }

    /// 200 with `record` as `GET /{id}` shows it.
    pub(crate) fn show<R: Record>(&self, record: &R) -> Reply {
        self.ok_json(resources::render(record, &self.origin, true))
    }

    /// 200 with `body`, counted; a 500 if it could not be rendered.
    pub(crate) fn ok_json(&self, body: serde_json::Result<Vec<u8>>) -> Reply {
        match body {
            Ok(body) => {
                self.shared.count(|stats| stats.served_ok += 1);
                Ok(responses::json(StatusCode::OK, body))
            }
            Err(_) => Err(server_error()),
        }
    }

    /// The answer to a write that was carried out: `status` with `record` in its
    /// list form, or (when the test asked for it) no answer at all. Counted.
    pub(crate) fn written<R: Record>(&self, status: StatusCode, record: &R) -> Reply {
        self.written_json(status, resources::render(record, &self.origin, false))
    }

    /// Like [`written`](Self::written), with `record` as `GET /{id}` shows it (a
    /// ticket with its messages, an agreement with its signers).
    pub(crate) fn written_shown<R: Record>(&self, status: StatusCode, record: &R) -> Reply {
        self.written_json(status, resources::render(record, &self.origin, true))
    }

    /// The answer to a write that was carried out, when it is not one record (a
    /// list of the rows it changed): `status` with `body`, or no answer at all.
    pub(crate) fn written_json(
        &self,
        status: StatusCode,
        body: serde_json::Result<Vec<u8>>,
    ) -> Reply {
        let shared = self.shared;
        shared.count(|stats| stats.writes += 1);
        if shared.take_dropped_write() {
            shared.count(|stats| {
                stats.faults_injected += 1;
                stats.dropped_write_responses += 1;
            });
            return Err(Box::new(faults::dropped_connection()));
        }
        match body {
            Ok(body) => {
                shared.count(|stats| stats.served_ok += 1);
                Ok(responses::json(status, body))
            }
            Err(_) => Err(server_error()),
        }
    }

    /// A 422 for `errors`, counted.
    pub(crate) fn unprocessable(&self, errors: &Errors) -> Refusal {
        self.shared.count(|stats| stats.unprocessable += 1);
        Box::new(errors.response())
    }

    /// A 422 `{"message": message}` for an action the resource's state refuses
    /// (closing a closed payment link), counted.
    pub(crate) fn refused(&self, message: &str) -> Refusal {
        self.shared.count(|stats| stats.unprocessable += 1);
        Box::new(responses::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        ))
    }

    /// A 404 for an unknown `model` id, counted.
    pub(crate) fn model_not_found(&self, model: &str, id: &str) -> Refusal {
        self.shared.count(|stats| stats.not_found += 1);
        Box::new(responses::model_not_found(model, id))
    }
}

/// A 500 for what the mock could not do (a time out of range, a body that does not
/// serialize).
pub(crate) fn server_error() -> Refusal {
    Box::new(faults::server_error(StatusCode::INTERNAL_SERVER_ERROR))
}

/// Whether `host` can be pasted into a URL as its authority.
fn is_plausible_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:[]".contains(&b))
}

/// The one axum handler: every request, every method, every path.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (number, parts, body) = shared.record(request);
    let response = shared.respond(&parts, body).await;
    shared.delay(number, response).await
}

/// The handler of the OAuth origin, when it has one of its own.
pub(crate) async fn handle_oauth(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (number, parts, body) = shared.record(request);
    let response = shared.respond_oauth(&parts, body).await;
    shared.delay(number, response).await
}

impl Shared {
    /// Counts and records a request; numbers it for its latency.
    fn record(&self, request: Request) -> (u64, Parts, Body) {
        let number = self.request_numbers.fetch_add(1, Ordering::Relaxed);
        let (parts, body) = request.into_parts();
        self.count(|stats| stats.requests += 1);
        if self.config.record_requests && self.config.request_log_limit > 0 {
            let mut log = lock(&self.requests);
            if log.len() >= self.config.request_log_limit {
                log.pop_front();
            }
            log.push_back(RecordedRequest::new(
                &parts.method,
                &parts.uri,
                &parts.headers,
            ));
        }
        (number, parts, body)
    }

    /// The response after the configured latency (`number`: the request's).
    async fn delay(&self, number: u64, response: Response) -> Response {
        let delay = self
            .config
            .latency
            .delay(self.config.dataset.seed(), number);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert!(is_plausible_host("127.0.0.1:8080"));
        assert!(is_plausible_host("[::1]:80"));
        assert!(is_plausible_host("api.example"));
        assert!(!is_plausible_host(""));
        assert!(!is_plausible_host("evil/path"));
        assert!(!is_plausible_host("a b"));
    }
}
