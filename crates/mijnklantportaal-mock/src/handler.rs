//! The request pipeline: record, throttle, route, authenticate, answer, delay.
//!
//! One handler takes every request, rather than axum routes, because the mock has to
//! answer things axum's router answers its own way (unknown routes, wrong methods,
//! unparsable queries) with Laravel's exact status and JSON instead, and has to put
//! rate-limit headers on all of them. The order follows a Laravel API: the limiter
//! counts every request first (so `X-RateLimit-*` is on every response, as the vendor
//! documents), then the router decides 404/405, then authentication, then the
//! controller, where faults are injected. The list controller reads the live table
//! (its *evaluation*, which may trigger a change of the table), through the reorder
//! buffer when one is set. Latency is added last, to every answer.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::response::Response;
use http::request::Parts;
use http::{HeaderMap, Method, StatusCode, header};

use crate::auth::{self, TokenState};
use crate::dataset::Dataset;
use crate::faults::{self, Fault, Faults, Latency};
use crate::live::{Change, Evaluation, Live, Order, Table};
use crate::paginator::{self, Page, Quirks};
use crate::rate_limit::{Decision, RateLimiter};
use crate::recording::{RecordedRequest, Stats};
use crate::reorder::Reorder;
use crate::responses;

/// The model name in Laravel's 404 for an unknown invoice id.
const INVOICE_MODEL: &str = r"App\Models\CustomerInvoice";
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
    pub(crate) order: Order,
    pub(crate) live: Live,
    /// Concurrent list requests evaluated in a shuffled order, this many at a time
    /// (0 or 1: in arrival order).
    pub(crate) reorder: usize,
}

/// A list request waiting to be evaluated: the page it reads and when it arrived.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListJob {
    page: u64,
    arrival: u64,
}

/// State shared by the handler and the [`MockServer`](crate::MockServer) handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    local_addr: SocketAddr,
    token: Mutex<TokenState>,
    limiter: Option<Mutex<RateLimiter>>,
    requests: Mutex<Vec<RecordedRequest>>,
    stats: Mutex<Stats>,
    request_numbers: AtomicU64,
    list_numbers: AtomicU64,
    table: Mutex<Table>,
    arrivals: AtomicU64,
    reorder: Option<Reorder<ListJob, Page>>,
}

/// Locks `mutex`, ignoring poisoning: every critical section leaves consistent data.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Which route a path names.
enum Route<'a> {
    List,
    Show(&'a str),
}

impl<'a> Route<'a> {
    /// The route of `path`, matched like Laravel (surrounding slashes ignored).
    fn of(path: &'a str) -> Option<Self> {
        let mut segments = path.trim_matches('/').split('/');
        match (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) {
            (Some("v1"), Some("customer-invoices"), None, _) => Some(Route::List),
            (Some("v1"), Some("customer-invoices"), Some(id), None) if !id.is_empty() => {
                Some(Route::Show(id))
            }
            _ => None,
        }
    }
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
        let table = Mutex::new(Table::new(
            config.dataset,
            config.order,
            config.live,
            config.record_requests,
        ));
        let reorder =
            (config.reorder > 1).then(|| Reorder::new(config.reorder, config.dataset.seed()));
        Shared {
            config,
            local_addr,
            token: Mutex::new(TokenState::new(token, token_valid_for)),
            limiter,
            requests: Mutex::new(Vec::new()),
            stats: Mutex::new(Stats::default()),
            request_numbers: AtomicU64::new(0),
            list_numbers: AtomicU64::new(0),
            table,
            arrivals: AtomicU64::new(0),
            reorder,
        }
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    pub(crate) fn stats(&self) -> Stats {
        *lock(&self.stats)
    }

    pub(crate) fn set_token(&self, token: Option<String>) {
        lock(&self.token).replace(token);
    }

    /// The body of page `page` of the table as it is now, as the server sends it
    /// without faults (reading it this way is not an evaluation: nothing changes).
    pub(crate) fn render_page(&self, page: u64, origin: &str) -> serde_json::Result<Vec<u8>> {
        let taken = paginator::take(&*lock(&self.table), page, self.config.per_page);
        self.render(&taken, origin)
    }

    fn render(&self, page: &Page, origin: &str) -> serde_json::Result<Vec<u8>> {
        paginator::render(page, self.config.per_page, origin, self.config.quirks)
    }

    pub(crate) fn live_snapshot(&self) -> Vec<String> {
        lock(&self.table).snapshot()
    }

    pub(crate) fn ids_present_throughout(
        &self,
        evaluations: std::ops::RangeInclusive<u64>,
    ) -> Vec<String> {
        lock(&self.table).present_throughout(evaluations)
    }

    pub(crate) fn evaluations(&self) -> Vec<Evaluation> {
        lock(&self.table).evaluations()
    }

    pub(crate) fn changes(&self) -> Vec<Change> {
        lock(&self.table).changes()
    }

    /// Reads page `page` from the live table for a list request, through the
    /// reorder buffer if there is one.
    async fn evaluate(&self, page: u64) -> Option<Page> {
        let arrival = self.arrivals.fetch_add(1, Ordering::Relaxed) + 1;
        let job = ListJob { page, arrival };
        let per_page = self.config.per_page;
        let evaluate = |job: ListJob| lock(&self.table).evaluate(job.page, per_page, job.arrival);
        match &self.reorder {
            Some(reorder) => reorder.submit(job, evaluate).await,
            None => Some(evaluate(job)),
        }
    }

    fn count(&self, update: impl FnOnce(&mut Stats)) {
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
    async fn respond(&self, parts: &Parts) -> Response {
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
            _ => self.dispatch(parts, presented).await,
        };
        if let Some(decision) = decision {
            decision.write_headers(response.headers_mut(), self.config.fractional_retry_after);
        }
        response
    }

    /// Router, authentication and controllers.
    async fn dispatch(&self, parts: &Parts, presented: Option<&str>) -> Response {
        let path = parts.uri.path();
        let Some(route) = Route::of(path) else {
            self.count(|stats| stats.not_found += 1);
            return responses::route_not_found(responses::laravel_path(path));
        };
        match parts.method {
            Method::GET | Method::HEAD => {}
            Method::OPTIONS => {
                self.count(|stats| stats.served_ok += 1);
                return responses::options();
            }
            ref method => {
                self.count(|stats| stats.method_not_allowed += 1);
                return responses::method_not_allowed(method, responses::laravel_path(path));
            }
        }
        if !lock(&self.token).authenticate(presented) {
            self.count(|stats| stats.unauthorized += 1);
            return responses::unauthenticated();
        }
        match route {
            Route::List => self.list(parts).await,
            Route::Show(id) => self.show(&responses::percent_decode(id), &parts.headers),
        }
    }

    /// `GET /v1/customer-invoices`, with fault injection.
    async fn list(&self, parts: &Parts) -> Response {
        let requested = paginator::requested_page(parts.uri.query());
        let origin = self.origin(&parts.headers);
        let fault = if parts.method == Method::GET {
            let number = self.list_numbers.fetch_add(1, Ordering::Relaxed);
            self.config.faults.pick(self.config.dataset.seed(), number)
        } else {
            None
        };
        if let Some(fault) = fault {
            self.count_fault(fault);
        }
        let page = match fault {
            Some(Fault::ServerError(status)) => return faults::server_error(status),
            Some(Fault::DroppedConnection) => return faults::dropped_connection(),
            Some(Fault::WrongCurrentPage) => faults::wrong_page(requested),
            _ => requested,
        };
        let Some(taken) = self.evaluate(page).await else {
            return faults::server_error(StatusCode::INTERNAL_SERVER_ERROR);
        };
        let Ok(body) = self.render(&taken, &origin) else {
            return faults::server_error(StatusCode::INTERNAL_SERVER_ERROR);
        };
        match fault {
            Some(Fault::MalformedJson) => faults::malformed_json(body),
            Some(Fault::TruncatedJson) => faults::truncated_json(body),
            Some(_) => responses::json(StatusCode::OK, body),
            None => {
                self.count(|stats| stats.served_ok += 1);
                responses::json(StatusCode::OK, body)
            }
        }
    }

    /// `GET /v1/customer-invoices/{id}`.
    fn show(&self, id: &str, headers: &HeaderMap) -> Response {
        let found = lock(&self.table).find(id);
        let Some(invoice) = found else {
            self.count(|stats| stats.not_found += 1);
            return responses::model_not_found(INVOICE_MODEL, id);
        };
        let origin = self.origin(headers);
        match serde_json::to_vec(&invoice.wire(&origin, true)) {
            Ok(body) => {
                self.count(|stats| stats.served_ok += 1);
                responses::json(StatusCode::OK, body)
            }
            Err(_) => faults::server_error(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
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
    let number = shared.request_numbers.fetch_add(1, Ordering::Relaxed);
    let (parts, _body) = request.into_parts();
    shared.count(|stats| stats.requests += 1);
    if shared.config.record_requests {
        lock(&shared.requests).push(RecordedRequest::new(
            &parts.method,
            &parts.uri,
            &parts.headers,
        ));
    }
    let response = shared.respond(&parts).await;
    let delay = shared
        .config
        .latency
        .delay(shared.config.dataset.seed(), number);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert!(matches!(
            Route::of("/v1/customer-invoices"),
            Some(Route::List)
        ));
        assert!(matches!(
            Route::of("/v1/customer-invoices/"),
            Some(Route::List)
        ));
        assert!(matches!(
            Route::of("/v1/customer-invoices/inv_x"),
            Some(Route::Show("inv_x"))
        ));
        for path in [
            "/",
            "",
            "/v1",
            "/v1/xyz",
            "/V1/customer-invoices",
            "/v1/customer-invoices/a/b",
            "/v1/customer-invoices//a",
            "/v2/customer-invoices",
        ] {
            assert!(Route::of(path).is_none(), "{path}");
        }
    }

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
