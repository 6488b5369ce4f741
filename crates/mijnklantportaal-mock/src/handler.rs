//! The request pipeline: one handler for every request, rather than axum routes, so
//! unknown routes, wrong methods and bad queries get Laravel's answers and every
//! response gets rate-limit headers. Order: rate limit, the [route table](crate::routes)
//! (404/405), authentication, the body against the spec ([`requests::checked`]), the
//! operation's handler (with what handlers share on [`Call`]), latency.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate};
use futures::future::BoxFuture;
use http::request::Parts;
use http::{HeaderMap, Method, StatusCode, header};
use tokio::time::Instant;

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
use crate::responses::{self, percent_decode};
use crate::routes::{self, Route};
use crate::store::{Record, Slot, Store, Table, lock};
use crate::validation::{Errors, Input};

/// How many requests the log keeps by default.
pub(crate) const DEFAULT_REQUEST_LOG_LIMIT: usize = 10_000;

/// Everything fixed when the server starts (see [`MockServerBuilder`](crate::MockServerBuilder)).
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
    pub(crate) request_log_limit: usize,
    pub(crate) order: Order,
    pub(crate) live: Live,
    pub(crate) reorder: usize,
    pub(crate) drop_write_responses: u64,
    pub(crate) file_link_lifetime: Duration,
    pub(crate) oauth: Option<MockOAuth>,
    /// Whether the portal's licence includes the ticketing system (else 426).
    pub(crate) ticketing: bool,
}

/// A list request's read of its table and the rendering of its page.
type ListJob = Box<dyn FnOnce() -> serde_json::Result<Vec<u8>> + Send>;

/// A response that ends an operation early (404, 422, 500, a dropped answer), boxed.
pub(crate) type Refusal = Box<Response>;

/// What an operation answers; `Err` lets a handler stop early with `?`.
pub(crate) type Reply = Result<Response, Refusal>;

/// The routes whose template matches a path, with their raw parameters.
type Candidates<'p> = [(&'static Route, Vec<&'p str>)];

/// An operation of the route table.
pub(crate) type Handler = for<'a> fn(&'a Call<'a>, Body) -> BoxFuture<'a, Reply>;

/// What a test runs after every use of a table (with the table's model).
#[cfg(test)]
#[derive(Clone)]
pub(crate) struct StoreHook(pub(crate) std::sync::Arc<dyn Fn(&str) + Send + Sync>);

/// State shared by the handler and the [`MockServer`](crate::MockServer) handle.
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
    list_numbers: Mutex<HashMap<&'static str, u64>>,
    store: Store,
    pub(crate) files: Mutex<Files>,
    /// Writes whose responses are still to be dropped.
    pub(crate) drop_writes: AtomicU64,
    arrivals: AtomicU64,
    reorder: Option<Reorder<ListJob, serde_json::Result<Vec<u8>>>>,
    pub(crate) clock: Clock,
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
        let (seed, oauth) = (config.dataset.seed(), config.oauth.clone());
        Shared {
            token: Mutex::new(TokenState::new(token, token_valid_for)),
            oauth: oauth.map(|oauth| Mutex::new(OAuthState::new(oauth, seed))),
            limiter: config
                .rate_limit
                .map(|(n, w)| Mutex::new(RateLimiter::new(n, w))),
            requests: Mutex::default(),
            stats: Mutex::default(),
            request_numbers: AtomicU64::new(0),
            list_numbers: Mutex::default(),
            store: Store::default(),
            files: Mutex::new(Files::new(seed, config.file_link_lifetime)),
            drop_writes: AtomicU64::new(config.drop_write_responses),
            arrivals: AtomicU64::new(0),
            reorder: (config.reorder > 1).then(|| Reorder::new(config.reorder, seed)),
            clock: Clock::start(),
            #[cfg(test)]
            store_hook: Mutex::new(None),
            config,
            local_addr,
        }
    }

    /// Runs `f` on the table of `R`.
    pub(crate) fn with<R: Record, T>(&self, f: impl FnOnce(&mut Table<R>) -> T) -> T {
        let result = f(&mut lock(&self.store.table::<R>(&self.config)));
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

    /// The invoice list's page `page` as it is now, without faults (not an evaluation).
    pub(crate) fn render_page(&self, page: u64, origin: &str) -> serde_json::Result<Vec<u8>> {
        let per_page = self.config.per_page;
        let taken = self.with(|t: &mut Table<MockInvoice>| paginator::take(&*t, page, per_page));
        let path = customer_invoices::LIST_PATH;
        paginator::render(&taken, per_page, origin, path, self.config.quirks)
    }

    pub(crate) fn count(&self, update: impl FnOnce(&mut Stats)) {
        update(&mut lock(&self.stats));
    }

    /// The fault drawn for the next list request of `operation` (by its own count), counted.
    fn next_fault(&self, operation: &'static str) -> Option<Fault> {
        // This list's request number, counted under its own lock (released at once).
        let number = *lock(&self.list_numbers)
            .entry(operation)
            .and_modify(|n| *n += 1)
            .or_default();
        let config = &self.config;
        let fault = config.faults.pick(config.dataset.seed(), number)?;
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
        Some(fault)
    }

    pub(crate) fn oauth_stats(&self) -> OAuthStats {
        self.oauth
            .as_ref()
            .map_or_else(OAuthStats::default, |oauth| lock(oauth).stats())
    }

    /// A grant issued without the authorization flow (token answer fields).
    pub(crate) fn new_oauth_grant(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        Some(lock(self.oauth.as_ref()?).new_grant(Instant::now()))
    }

    /// Whether `presented` is the API key, or an OAuth access token still valid.
    fn authenticate(&self, presented: Option<&str>) -> bool {
        if lock(&self.token).authenticate(presented) {
            return true;
        }
        let (Some(oauth), Some(token)) = (&self.oauth, presented) else {
            return false;
        };
        !token.is_empty() && lock(oauth).check_access(token, Instant::now()) == AccessCheck::Valid
    }

    fn route_not_found(&self, parts: &Parts) -> Response {
        self.count(|stats| stats.not_found += 1);
        responses::route_not_found(responses::laravel_path(parts.uri.path()))
    }

    /// The origin of URLs in answers: the public URL, the request's `Host` or ours.
    fn origin(&self, headers: &HeaderMap) -> String {
        if let Some(public_url) = &self.config.public_url {
            return public_url.clone();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .filter(|host| is_plausible_host(host));
        let host = host.map_or_else(|| self.local_addr.to_string(), str::to_owned);
        format!("http://{host}")
    }

    /// Everything but the latency.
    async fn respond(&self, parts: &Parts, body: Body) -> Response {
        let path = parts.uri.path();
        let candidates = routes::matching(path);
        if candidates.first().is_some_and(|(route, _)| route.public) {
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
        let decision = self.limiter.as_ref().map(|limiter| {
            let key = match auth::bearer_token(&parts.headers) {
                Some(token) if !token.is_empty() => format!("bearer:{token}"),
                _ => "anonymous".to_owned(),
            };
            lock(limiter).hit(&key, Instant::now())
        });
        let mut response = match decision {
            Some(Decision::Limited { .. }) => {
                self.count(|stats| stats.served_429 += 1);
                responses::too_many_requests()
            }
            _ if candidates.is_empty() => self.route_not_found(parts),
            _ => self.run(parts, &candidates, body).await,
        };
        if let Some(decision) = decision {
            let fractional = self.config.fractional_retry_after;
            decision.write_headers(response.headers_mut(), fractional, self.clock.unix());
        }
        response
    }

    /// The method check among `candidates` (not empty), authentication, the operation.
    async fn run(&self, parts: &Parts, candidates: &Candidates<'_>, body: Body) -> Response {
        let Some((route, params)) = candidates.iter().find(|(r, _)| r.serves(&parts.method)) else {
            return self.wrong_method(parts, candidates);
        };
        if !route.public && !self.authenticate(auth::bearer_token(&parts.headers)) {
            self.count(|stats| stats.unauthorized += 1);
            return responses::unauthenticated();
        }
        let call = Call {
            shared: self,
            route,
            parts,
            params: params.iter().map(|p| percent_decode(p)).collect(),
            origin: self.origin(&parts.headers),
            invalid: Mutex::new(None),
        };
        let exists = |table: &str, id: &str| match table {
            "customers" => customers::exists(&call, id),
            "directories" => files::directory_exists(&call, id),
            "files" => files::item(&call, id).is_some(),
            _ => false,
        };
        let body = match requests::checked(parts, body, &route.operation, &exists).await {
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
        (route.handler)(&call, body)
            .await
            .unwrap_or_else(|refusal| *refusal)
    }

    /// 405, or 200 for `OPTIONS`, with the methods of `candidates`.
    fn wrong_method(&self, parts: &Parts, candidates: &Candidates<'_>) -> Response {
        let supported = routes::allowed(candidates.iter().map(|(route, _)| *route));
        if parts.method == Method::OPTIONS {
            self.count(|stats| stats.served_ok += 1);
            return responses::options(&supported);
        }
        self.count(|stats| stats.method_not_allowed += 1);
        let path = responses::laravel_path(parts.uri.path());
        responses::method_not_allowed(&parts.method, path, &supported)
    }

    /// Serves `request` (on an OAuth origin of its own: only the OAuth endpoints),
    /// counted, recorded and after the configured latency.
    pub(crate) async fn serve(&self, request: Request, oauth_origin: bool) -> Response {
        let number = self.request_numbers.fetch_add(1, Ordering::Relaxed);
        let config = &self.config;
        let (parts, body) = request.into_parts();
        self.count(|stats| stats.requests += 1);
        let limit = config.request_log_limit;
        if config.record_requests && limit > 0 {
            let mut log = lock(&self.requests);
            if log.len() >= limit {
                log.pop_front();
            }
            log.push_back(RecordedRequest::new(&parts));
        }
        let response = match &self.oauth {
            _ if !oauth_origin => self.respond(&parts, body).await,
            Some(oauth) if oauth::is_oauth_path(parts.uri.path()) => {
                oauth::respond(oauth, &parts, body).await
            }
            _ => self.route_not_found(&parts),
        };
        let delay = config.latency.delay(config.dataset.seed(), number);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        response
    }
}

/// One request in an operation's handler: what every operation needs.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    route: &'static Route,
    /// The request, without its body.
    pub(crate) parts: &'a Parts,
    /// The route's parameters, percent-decoded, in template order.
    params: Vec<String>,
    /// The scheme and authority of URLs in answers (see [`Shared::origin`]).
    pub(crate) origin: String,
    /// The 422 the body earned against its schema, answered when the handler reads it.
    invalid: Mutex<Option<Refusal>>,
}

impl Call<'_> {
    /// The JSON body's input, valid against the operation's schema, or its 422.
    pub(crate) async fn json(&self, body: Body) -> Result<Input, Refusal> {
        self.body_checked()?;
        Ok(requests::read_json(body).await)
    }

    /// The multipart body, valid against the operation's schema, or its 422.
    pub(crate) async fn form(&self, body: Body) -> Result<Form, Refusal> {
        self.body_checked()?;
        Ok(requests::read_form(&self.parts.headers, &self.parts.extensions, body).await)
    }

    fn body_checked(&self) -> Result<(), Refusal> {
        let Some(refusal) = lock(&self.invalid).take() else {
            return Ok(());
        };
        self.shared.count(|stats| stats.unprocessable += 1);
        Err(refusal)
    }

    /// Route parameter `index` (0: the first `{...}` of the template).
    pub(crate) fn param(&self, index: usize) -> &str {
        self.params.get(index).map_or("", String::as_str)
    }

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

    /// The `R` named by route parameter `index`, or Laravel's 404 for its model.
    pub(crate) fn find<R: Record>(&self, index: usize) -> Result<R, Refusal> {
        let id = self.param(index);
        self.with(|table: &mut Table<R>| table.find(id))
            .ok_or_else(|| self.model_not_found(R::MODEL, id))
    }

    /// Adds the row `build` makes of its [`Slot`]; a 500 if there is none.
    pub(crate) fn insert<R: Record>(
        &self,
        build: impl FnOnce(Slot) -> Option<R>,
    ) -> Result<R, Refusal> {
        self.with(|table: &mut Table<R>| table.create(build))
            .ok_or_else(server_error)
    }

    /// [Inserts](Self::insert) the row `build` makes of a JSON body; 201 with it.
    pub(crate) async fn create<R: Record>(
        &self,
        body: Body,
        build: impl FnOnce(&Input, Slot) -> Option<R>,
    ) -> Reply {
        let input = self.json(body).await?;
        let row = self.insert(|slot| build(&input, slot))?;
        self.written(StatusCode::CREATED, &row)
    }

    /// The one way a row changes: under the table's lock, `change` sees row `id` as
    /// it is now and changes it, or refuses and leaves it as it was (so two requests
    /// never both pass a check only one may pass). Laravel's 404 if the row is gone.
    pub(crate) fn change<R: Record>(
        &self,
        id: &str,
        change: impl FnOnce(&mut R) -> Result<(), Refusal>,
    ) -> Result<R, Refusal> {
        self.with(|table: &mut Table<R>| table.update(id, change))
            .unwrap_or_else(|| Err(self.model_not_found(R::MODEL, id)))
    }

    /// [`change`](Self::change) with the valid input of a JSON body.
    pub(crate) async fn edit<R: Record>(
        &self,
        id: &str,
        body: Body,
        apply: impl FnOnce(&mut R, &Input) -> Result<(), Refusal>,
    ) -> Result<R, Refusal> {
        let input = self.json(body).await?;
        self.change(id, |row: &mut R| apply(row, &input))
    }

    /// The one list operation: a page of the rows of `R` (under `parent`), with faults.
    pub(crate) async fn list<R: Record>(&self, parent: Option<String>) -> Reply {
        let shared = self.shared;
        let config = &shared.config;
        let requested = paginator::requested_page(self.parts.uri.query());
        let fault = (self.parts.method == Method::GET)
            .then(|| shared.next_fault(&self.route.operation))
            .flatten();
        let page = match fault {
            Some(Fault::ServerError(status)) => return Err(Box::new(faults::server_error(status))),
            Some(Fault::DroppedConnection) => return Err(Box::new(faults::dropped_connection())),
            Some(Fault::WrongCurrentPage) => faults::wrong_page(requested),
            _ => requested,
        };
        let table = shared.store.table::<R>(config);
        let (per_page, quirks) = (config.per_page, config.quirks);
        let arrival = shared.arrivals.fetch_add(1, Ordering::Relaxed) + 1;
        let origin = self.origin.clone();
        let path = format!("/{}", responses::laravel_path(self.parts.uri.path()));
        let job: ListJob = Box::new(move || {
            let taken = lock(&table).evaluate(page, per_page, arrival, parent.as_deref());
            paginator::render(&taken, per_page, &origin, &path, quirks)
        });
        let body = match &shared.reorder {
            Some(reorder) => reorder.submit(job, |job| job()).await,
            None => Some(job()),
        };
        let Some(Ok(body)) = body else {
            return Err(server_error());
        };
        Ok(match fault {
            Some(Fault::MalformedJson) => faults::malformed_json(body),
            Some(Fault::TruncatedJson) => faults::truncated_json(body),
            Some(_) => responses::json(StatusCode::OK, body),
            None => return self.answer(StatusCode::OK, Ok(body)),
        })
    }

    /// 200 with `record` as `GET /{id}` shows it.
    pub(crate) fn show<R: Record>(&self, record: &R) -> Reply {
        self.ok_json(resources::render(record, &self.origin, true))
    }

    /// 200 with `body`, counted; a 500 if it could not be rendered.
    pub(crate) fn ok_json(&self, body: serde_json::Result<Vec<u8>>) -> Reply {
        self.answer(StatusCode::OK, body)
    }

    fn answer(&self, status: StatusCode, body: serde_json::Result<Vec<u8>>) -> Reply {
        let body = body.map_err(|_| server_error())?;
        self.shared.count(|stats| stats.served_ok += 1);
        Ok(responses::json(status, body))
    }

    /// The answer to a write carried out: `status` with `record`, or none (if asked).
    pub(crate) fn written<R: Record>(&self, status: StatusCode, record: &R) -> Reply {
        self.written_json(status, resources::render(record, &self.origin, false))
    }

    /// [`written`](Self::written) with `record` as `GET /{id}` shows it.
    pub(crate) fn written_shown<R: Record>(&self, status: StatusCode, record: &R) -> Reply {
        self.written_json(status, resources::render(record, &self.origin, true))
    }

    /// [`written`](Self::written) with any `body` (a list of the rows it changed).
    pub(crate) fn written_json(
        &self,
        status: StatusCode,
        body: serde_json::Result<Vec<u8>>,
    ) -> Reply {
        let shared = self.shared;
        shared.count(|stats| stats.writes += 1);
        let dropped = shared
            .drop_writes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        if dropped.is_ok() {
            shared.count(|stats| {
                stats.faults_injected += 1;
                stats.dropped_write_responses += 1;
            });
            return Err(Box::new(faults::dropped_connection()));
        }
        self.answer(status, body)
    }

    /// A 422 for `errors`, counted.
    pub(crate) fn unprocessable(&self, errors: &Errors) -> Refusal {
        self.shared.count(|stats| stats.unprocessable += 1);
        Box::new(errors.response())
    }

    /// A 422 `{"message": message}` for an action the row's state refuses, counted.
    pub(crate) fn refused(&self, message: &str) -> Refusal {
        self.shared.count(|stats| stats.unprocessable += 1);
        let response = responses::message(StatusCode::UNPROCESSABLE_ENTITY, message);
        Box::new(response)
    }

    /// A 404 for an unknown `model` id, counted.
    pub(crate) fn model_not_found(&self, model: &str, id: &str) -> Refusal {
        self.shared.count(|stats| stats.not_found += 1);
        Box::new(responses::model_not_found(model, id))
    }
}

/// A 500 for what the mock could not do (a time out of range, a broken body).
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
