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
use std::time::Duration;

use tokio::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::auth::{self, TokenState};
use crate::customer::MockCustomer;
use crate::customer_table::CustomerTable;
use crate::dataset::Dataset;
use crate::dutch_time;
use crate::faults::{self, Fault, Faults, Latency};
use crate::files::{CloudFileJson, Files, LinkError};
use crate::invoice::MockInvoice;
use crate::live::{Change, Evaluation, Live, Order, Table};
use crate::oauth::{self, AccessCheck, MockOAuth, OAuthState, OAuthStats};
use crate::paginator::{self, Page, Quirks};
use crate::rate_limit::{Decision, RateLimiter};
use crate::recording::{RecordedRequest, Stats};
use crate::reorder::Reorder;
use crate::requests;
use crate::responses;
use crate::validation::Errors;

/// The model name in Laravel's 404 for an unknown invoice id.
const INVOICE_MODEL: &str = r"App\Models\CustomerInvoice";
/// The model name in Laravel's 404 for an unknown customer id.
const CUSTOMER_MODEL: &str = r"App\Models\Customer";
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
    /// Responses to this many writes are dropped after the write is done.
    pub(crate) drop_write_responses: u64,
    /// How long a PDF download link works.
    pub(crate) file_link_lifetime: Duration,
    /// The OAuth2 endpoints, when served.
    pub(crate) oauth: Option<MockOAuth>,
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
    oauth: Option<Mutex<OAuthState>>,
    limiter: Option<Mutex<RateLimiter>>,
    requests: Mutex<Vec<RecordedRequest>>,
    stats: Mutex<Stats>,
    request_numbers: AtomicU64,
    list_numbers: AtomicU64,
    table: Mutex<Table>,
    customers: Mutex<CustomerTable>,
    files: Mutex<Files>,
    /// Writes whose responses are still to be dropped.
    drop_writes: AtomicU64,
    arrivals: AtomicU64,
    reorder: Option<Reorder<ListJob, Page>>,
}

/// Locks `mutex`, ignoring poisoning: every critical section leaves consistent data.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Which route a path names (the method is checked afterwards, as Laravel does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    /// `/v1/customer-invoices`
    Invoices,
    /// `/v1/customer-invoices/{id}`, and `/v1/customer-invoices/manual`
    Invoice(&'a str),
    /// `/v1/customer-invoices/{id}/pdf`
    InvoicePdf(&'a str),
    /// `/v1/customers`
    Customers,
    /// `/v1/customers/{id}`
    Customer(&'a str),
    /// `/files/{token}`: a PDF download link (no token, no rate limit).
    File(&'a str),
}

/// What a request asks for: a route and a method it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation<'a> {
    ListInvoices,
    CreateInvoice,
    CreateManualInvoice,
    ShowInvoice(&'a str),
    MarkInvoicePaid(&'a str),
    InvoicePdf(&'a str),
    ListCustomers,
    CreateCustomer,
    ShowCustomer(&'a str),
    EditCustomer(&'a str),
    Download(&'a str),
}

impl<'a> Route<'a> {
    /// The route of `path`, matched like Laravel (surrounding slashes ignored).
    fn of(path: &'a str) -> Option<Self> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let route = match segments.as_slice() {
            ["v1", "customer-invoices"] => Route::Invoices,
            ["v1", "customer-invoices", id] => Route::Invoice(id),
            ["v1", "customer-invoices", id, "pdf"] => Route::InvoicePdf(id),
            ["v1", "customers"] => Route::Customers,
            ["v1", "customers", id] => Route::Customer(id),
            ["files", token] => Route::File(token),
            _ => return None,
        };
        let parameter = match route {
            Route::Invoice(p) | Route::InvoicePdf(p) | Route::Customer(p) | Route::File(p) => {
                Some(p)
            }
            Route::Invoices | Route::Customers => None,
        };
        (parameter != Some("")).then_some(route)
    }

    /// The methods the route serves, as Laravel lists them.
    fn supported(self) -> &'static str {
        match self {
            Route::Invoices | Route::Customers => "GET, HEAD, POST",
            Route::Invoice("manual") => "GET, HEAD, POST, PATCH",
            Route::Invoice(_) | Route::Customer(_) => "GET, HEAD, PATCH",
            Route::InvoicePdf(_) | Route::File(_) => "GET, HEAD",
        }
    }

    /// The operation `method` asks for on this route, if the route serves it.
    fn operation(self, method: &Method) -> Option<Operation<'a>> {
        let read = *method == Method::GET || *method == Method::HEAD;
        let operation = match (self, read) {
            (Route::Invoices, true) => Operation::ListInvoices,
            (Route::Invoice(id), true) => Operation::ShowInvoice(id),
            (Route::InvoicePdf(id), true) => Operation::InvoicePdf(id),
            (Route::Customers, true) => Operation::ListCustomers,
            (Route::Customer(id), true) => Operation::ShowCustomer(id),
            (Route::File(token), true) => Operation::Download(token),
            (Route::Invoices, false) if *method == Method::POST => Operation::CreateInvoice,
            (Route::Invoice("manual"), false) if *method == Method::POST => {
                Operation::CreateManualInvoice
            }
            (Route::Invoice(id), false) if *method == Method::PATCH => {
                Operation::MarkInvoicePaid(id)
            }
            (Route::Customers, false) if *method == Method::POST => Operation::CreateCustomer,
            (Route::Customer(id), false) if *method == Method::PATCH => Operation::EditCustomer(id),
            _ => return None,
        };
        Some(operation)
    }
}

/// A successful write: the status and the resource to answer with.
enum Written {
    Invoice(StatusCode, MockInvoice),
    Customer(StatusCode, MockCustomer),
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
        let customers = Mutex::new(CustomerTable::new(config.dataset, config.order));
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
            requests: Mutex::new(Vec::new()),
            stats: Mutex::new(Stats::default()),
            request_numbers: AtomicU64::new(0),
            list_numbers: AtomicU64::new(0),
            table,
            customers,
            files,
            drop_writes,
            arrivals: AtomicU64::new(0),
            reorder,
        }
    }

    /// Drop the responses to the next `count` writes (replacing what was left).
    pub(crate) fn drop_next_write_responses(&self, count: u64) {
        self.drop_writes.store(count, Ordering::Relaxed);
    }

    pub(crate) fn invoices_created(&self) -> Vec<MockInvoice> {
        lock(&self.table).created()
    }

    pub(crate) fn customers_created(&self) -> Vec<MockCustomer> {
        lock(&self.customers).created()
    }

    pub(crate) fn invoice(&self, id: &str) -> Option<MockInvoice> {
        lock(&self.table).find(id)
    }

    pub(crate) fn customer(&self, id: &str) -> Option<MockCustomer> {
        lock(&self.customers).find(id)
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

    /// Answer the next `count` token requests with 503.
    pub(crate) fn fail_next_token_requests(&self, count: u64) {
        if let Some(oauth) = &self.oauth {
            lock(oauth).fail_next_token_requests(count);
        }
    }

    /// Every refresh token stops working.
    pub(crate) fn revoke_oauth_grants(&self) {
        if let Some(oauth) = &self.oauth {
            lock(oauth).revoke_grants();
        }
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
        if let Some(Route::File(token)) = Route::of(path) {
            // A download link stands on its own, like a signed URL: no token, no limit.
            return self.file_route(parts, token);
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
            _ => self.dispatch(parts, presented, body).await,
        };
        if let Some(decision) = decision {
            decision.write_headers(response.headers_mut(), self.config.fractional_retry_after);
        }
        response
    }

    /// `/files/{token}`: the router's method check, then the download.
    fn file_route(&self, parts: &Parts, token: &str) -> Response {
        let route = Route::File(token);
        match route.operation(&parts.method) {
            Some(_) => self.download(token),
            None => self.wrong_method(parts, route),
        }
    }

    /// 405, or 200 for `OPTIONS`.
    fn wrong_method(&self, parts: &Parts, route: Route<'_>) -> Response {
        if parts.method == Method::OPTIONS {
            self.count(|stats| stats.served_ok += 1);
            return responses::options(route.supported());
        }
        self.count(|stats| stats.method_not_allowed += 1);
        let path = responses::laravel_path(parts.uri.path());
        responses::method_not_allowed(&parts.method, path, route.supported())
    }

    /// Router, authentication and controllers.
    async fn dispatch(&self, parts: &Parts, presented: Option<&str>, body: Body) -> Response {
        let path = parts.uri.path();
        let Some(route) = Route::of(path) else {
            self.count(|stats| stats.not_found += 1);
            return responses::route_not_found(responses::laravel_path(path));
        };
        let Some(operation) = route.operation(&parts.method) else {
            return self.wrong_method(parts, route);
        };
        if !self.authenticate(presented) {
            self.count(|stats| stats.unauthorized += 1);
            return responses::unauthenticated();
        }
        let decoded = |id: &str| responses::percent_decode(id);
        let written = match operation {
            Operation::ListInvoices => return self.list(parts).await,
            Operation::ShowInvoice(id) => return self.show(&decoded(id), &parts.headers),
            Operation::InvoicePdf(id) => return self.pdf_link(&decoded(id), &parts.headers),
            Operation::ListCustomers => return self.list_customers(parts),
            Operation::ShowCustomer(id) => return self.show_customer(&decoded(id)),
            Operation::Download(token) => return self.download(token),
            Operation::CreateInvoice => self.create_invoice(parts, body).await,
            Operation::CreateManualInvoice => self.create_manual_invoice(body).await,
            Operation::MarkInvoicePaid(id) => self.mark_paid(&decoded(id), body).await,
            Operation::CreateCustomer => self.create_customer(body).await,
            Operation::EditCustomer(id) => self.edit_customer(&decoded(id), body).await,
        };
        self.answer_write(written, &parts.headers)
    }

    /// The answer to a write the controller finished: the resource, a 404 or 422
    /// already made, or (fault) no answer at all.
    fn answer_write(&self, written: Result<Written, Response>, headers: &HeaderMap) -> Response {
        let written = match written {
            Ok(written) => written,
            Err(response) => return response,
        };
        self.count(|stats| stats.writes += 1);
        if self.take_dropped_write() {
            self.count(|stats| {
                stats.faults_injected += 1;
                stats.dropped_write_responses += 1;
            });
            return faults::dropped_connection();
        }
        let origin = self.origin(headers);
        let (status, body) = match &written {
            Written::Invoice(status, invoice) => {
                (*status, serde_json::to_vec(&invoice.wire(&origin, false)))
            }
            Written::Customer(status, customer) => (*status, serde_json::to_vec(&customer.wire())),
        };
        match body {
            Ok(body) => {
                self.count(|stats| stats.served_ok += 1);
                responses::json(status, body)
            }
            Err(_) => faults::server_error(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    /// A 422 for `errors`, counted.
    fn unprocessable(&self, errors: &Errors) -> Response {
        self.count(|stats| stats.unprocessable += 1);
        errors.response()
    }

    /// A 404 for an unknown `model` id, counted.
    fn model_not_found(&self, model: &str, id: &str) -> Response {
        self.count(|stats| stats.not_found += 1);
        responses::model_not_found(model, id)
    }

    fn customer_exists(&self) -> impl Fn(&str) -> bool + '_ {
        |id| lock(&self.customers).contains(id)
    }

    /// `POST /v1/customer-invoices` (multipart/form-data); 201 with the invoice.
    async fn create_invoice(&self, parts: &Parts, body: Body) -> Result<Written, Response> {
        let form = requests::read_form(&parts.headers, &parts.extensions, body).await;
        let upload = requests::invoice_upload(&form, self.customer_exists())
            .map_err(|errors| self.unprocessable(&errors))?;
        let invoice = lock(&self.table)
            .create(upload.invoice)
            .ok_or_else(|| faults::server_error(StatusCode::INTERNAL_SERVER_ERROR))?;
        lock(&self.files).store(&invoice.id, upload.pdf);
        if upload.send_notification {
            self.count(|stats| stats.notifications += 1);
        }
        Ok(Written::Invoice(StatusCode::CREATED, invoice))
    }

    /// `POST /v1/customer-invoices/manual` (JSON); 201 with the invoice.
    async fn create_manual_invoice(&self, body: Body) -> Result<Written, Response> {
        let input = requests::read_json(body).await;
        let (new, notify) = requests::manual_invoice(&input, self.customer_exists())
            .map_err(|errors| self.unprocessable(&errors))?;
        let invoice = lock(&self.table)
            .create(new)
            .ok_or_else(|| faults::server_error(StatusCode::INTERNAL_SERVER_ERROR))?;
        if notify {
            self.count(|stats| stats.notifications += 1);
        }
        Ok(Written::Invoice(StatusCode::CREATED, invoice))
    }

    /// `PATCH /v1/customer-invoices/{id}` (JSON `{paidAt}`); 200 with the invoice.
    /// An unknown id is a 404 before the body is looked at (route-model binding).
    async fn mark_paid(&self, id: &str, body: Body) -> Result<Written, Response> {
        if lock(&self.table).find(id).is_none() {
            return Err(self.model_not_found(INVOICE_MODEL, id));
        }
        let input = requests::read_json(body).await;
        let paid_at = requests::mark_paid(&input).map_err(|errors| self.unprocessable(&errors))?;
        let invoice = lock(&self.table)
            .mark_paid(id, paid_at)
            .ok_or_else(|| self.model_not_found(INVOICE_MODEL, id))?;
        Ok(Written::Invoice(StatusCode::OK, invoice))
    }

    /// `POST /v1/customers` (JSON); 201 with the customer.
    async fn create_customer(&self, body: Body) -> Result<Written, Response> {
        let input = requests::read_json(body).await;
        let new = requests::new_customer(&input).map_err(|errors| self.unprocessable(&errors))?;
        let customer = lock(&self.customers)
            .create(new)
            .ok_or_else(|| faults::server_error(StatusCode::INTERNAL_SERVER_ERROR))?;
        Ok(Written::Customer(StatusCode::CREATED, customer))
    }

    /// `PATCH /v1/customers/{id}` (JSON, partial); 200 with the customer.
    async fn edit_customer(&self, id: &str, body: Body) -> Result<Written, Response> {
        if !lock(&self.customers).contains(id) {
            return Err(self.model_not_found(CUSTOMER_MODEL, id));
        }
        let input = requests::read_json(body).await;
        let edit = requests::customer_edit(&input).map_err(|errors| self.unprocessable(&errors))?;
        let customer = lock(&self.customers)
            .edit(id, edit)
            .ok_or_else(|| self.model_not_found(CUSTOMER_MODEL, id))?;
        Ok(Written::Customer(StatusCode::OK, customer))
    }

    /// `GET /v1/customers`: the simple paginator over the customer table.
    fn list_customers(&self, parts: &Parts) -> Response {
        let page = paginator::requested_page(parts.uri.query());
        let origin = self.origin(&parts.headers);
        let taken = paginator::take(&*lock(&self.customers), page, self.config.per_page);
        let body = paginator::render(&taken, self.config.per_page, &origin, self.config.quirks);
        self.ok_json(body)
    }

    /// `GET /v1/customers/{id}`.
    fn show_customer(&self, id: &str) -> Response {
        match self.customer(id) {
            Some(customer) => self.ok_json(serde_json::to_vec(&customer.wire())),
            None => self.model_not_found(CUSTOMER_MODEL, id),
        }
    }

    /// `GET /v1/customer-invoices/{id}/pdf`: a link to the PDF on this server.
    fn pdf_link(&self, id: &str, headers: &HeaderMap) -> Response {
        if self.invoice(id).is_none() {
            return self.model_not_found(INVOICE_MODEL, id);
        }
        let (token, lifetime) = lock(&self.files).issue(id, Instant::now());
        let expires_unix = chrono::Utc::now()
            .timestamp()
            .saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX));
        let Some(expires_at) = dutch_time::at(expires_unix) else {
            return faults::server_error(StatusCode::INTERNAL_SERVER_ERROR);
        };
        let json = CloudFileJson {
            link: format!("{}/files/{token}", self.origin(headers)),
            expires_at: dutch_time::atom(&expires_at),
        };
        self.ok_json(serde_json::to_vec(&json))
    }

    /// `GET /files/{token}`: the PDF bytes while the link works; 404 for an unknown
    /// link, 403 for an expired one.
    fn download(&self, token: &str) -> Response {
        let invoice = {
            let files = lock(&self.files);
            match files.resolve(token, Instant::now()) {
                Ok(id) => Ok(id.to_owned()),
                Err(error) => Err(error),
            }
        };
        let invoice = match invoice.map(|id| self.invoice(&id)) {
            Ok(Some(invoice)) => invoice,
            Ok(None) | Err(LinkError::Unknown) => {
                self.count(|stats| stats.not_found += 1);
                return responses::message(StatusCode::NOT_FOUND, "File not found.");
            }
            Err(LinkError::Expired) => {
                self.count(|stats| stats.expired_links += 1);
                return responses::message(StatusCode::FORBIDDEN, "This link has expired.");
            }
        };
        let pdf = lock(&self.files).pdf(&invoice);
        self.count(|stats| stats.served_ok += 1);
        let mut response = Response::new(Body::from(pdf));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        );
        let disposition = format!("attachment; filename=\"{}.pdf\"", invoice.id);
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        response
    }

    /// 200 with `body`, counted; a 500 if it could not be rendered.
    fn ok_json(&self, body: serde_json::Result<Vec<u8>>) -> Response {
        match body {
            Ok(body) => {
                self.count(|stats| stats.served_ok += 1);
                responses::json(StatusCode::OK, body)
            }
            Err(_) => faults::server_error(StatusCode::INTERNAL_SERVER_ERROR),
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
        let Some(invoice) = self.invoice(id) else {
            return self.model_not_found(INVOICE_MODEL, id);
        };
        let origin = self.origin(headers);
        self.ok_json(serde_json::to_vec(&invoice.wire(&origin, true)))
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
        if self.config.record_requests {
            lock(&self.requests).push(RecordedRequest::new(
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
    fn routes() {
        let cases = [
            ("/v1/customer-invoices", Route::Invoices),
            ("/v1/customer-invoices/", Route::Invoices),
            ("/v1/customer-invoices/inv_x", Route::Invoice("inv_x")),
            ("/v1/customer-invoices/manual", Route::Invoice("manual")),
            (
                "/v1/customer-invoices/inv_x/pdf",
                Route::InvoicePdf("inv_x"),
            ),
            ("/v1/customers", Route::Customers),
            ("/v1/customers/cst_x/", Route::Customer("cst_x")),
            ("/files/abc", Route::File("abc")),
        ];
        for (path, route) in cases {
            assert_eq!(Route::of(path), Some(route), "{path}");
        }
        for path in [
            "/",
            "",
            "/v1",
            "/v1/xyz",
            "/V1/customer-invoices",
            "/v1/customer-invoices/a/b",
            "/v1/customer-invoices//a",
            "/v1/customer-invoices//pdf",
            "/v1/customers/a/pdf",
            "/v2/customer-invoices",
            "/files",
            "/v1/files/a",
        ] {
            assert!(Route::of(path).is_none(), "{path}");
        }
    }

    #[test]
    fn operations() {
        let manual = Route::Invoice("manual");
        assert_eq!(
            manual.operation(&Method::POST),
            Some(Operation::CreateManualInvoice)
        );
        assert_eq!(
            manual.operation(&Method::GET),
            Some(Operation::ShowInvoice("manual"))
        );
        assert_eq!(Route::Invoice("inv_x").operation(&Method::POST), None);
        assert_eq!(
            Route::Invoice("inv_x").operation(&Method::PATCH),
            Some(Operation::MarkInvoicePaid("inv_x"))
        );
        assert_eq!(Route::InvoicePdf("inv_x").operation(&Method::POST), None);
        assert_eq!(
            Route::Customers.operation(&Method::HEAD),
            Some(Operation::ListCustomers)
        );
        assert_eq!(Route::Customers.operation(&Method::PATCH), None);
        assert_eq!(Route::File("t").operation(&Method::DELETE), None);
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
