//! A scripted server behind a [`ListOperation`], on tokio's paused clock.
//!
//! The pagination, the rate limiter and the retry schedule are tested here without a
//! socket and without wall-clock time: [`Scripted`] answers pages from a table held in
//! memory, with per-request latency drawn from a seed (so concurrent requests are
//! evaluated in an arbitrary but reproducible order), rows inserted or deleted while the
//! listing runs, faults on chosen attempts, and a fixed-window rate limit that answers
//! like Laravel's. Each script is reached through the base URL of the client it was made
//! for, since `ListOperation::send` only gets the generated client.

// The generated client's error type is what `ListOperation::send` returns.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use mijnklantportaal::api::{self, ClientInfo, ResponseValue};
use mijnklantportaal::{Client, ErrorBody, ListOperation, RateLimit, RetryPolicy, SimplePage};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::time::Instant;

/// What a scripted server holds and how it behaves.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Rows at the start (ids `1..=rows`, listed in that order, or reversed with
    /// `newest_first`).
    pub rows: u64,
    /// Rows per page (15 when 0).
    pub per_page: u64,
    /// Newest first: new rows go in front. Otherwise oldest first: new rows go last.
    pub newest_first: bool,
    /// New rows go at this position of the order instead (a list sorted by a field a
    /// new row can have back-dated: an insert in the middle).
    pub insert_at: Option<usize>,
    /// Insert one row before every `n`th page evaluation...
    pub insert_every: Option<u64>,
    /// ...from this evaluation on (the first when 0)...
    pub insert_from: u64,
    /// ...up to this many rows in all (no limit when `None`).
    pub max_inserts: Option<u64>,
    /// Delete one row (seeded choice) before every `n`th page evaluation.
    pub delete_every: Option<u64>,
    /// Latency before and after the server evaluates a page...
    pub latency: Duration,
    /// ...plus up to this much more, each drawn from the seed (so that concurrent
    /// requests are evaluated in an arbitrary order).
    pub jitter: Duration,
    /// The seed of the latencies and the deletions.
    pub seed: u64,
    /// `(page, attempt)` → the status to answer instead (attempts count from 1).
    pub faults: HashMap<(u64, u32), u16>,
    /// The `Retry-After` of the 429s in `faults` (1 s when `None`).
    pub fault_retry_after: Option<u64>,
    /// `page` → the status to answer on every attempt.
    pub failing_pages: HashMap<u64, u16>,
    /// The server's limit: `limit` requests per fixed `window`, with Laravel's headers.
    pub server_limit: Option<(u32, Duration)>,
    /// `page` → the `per_page` the envelope claims (a server that lies).
    pub per_page_claims: HashMap<u64, u64>,
    /// Panic in `send` for this page (a bug in a `ListOperation`).
    pub panic_on_page: Option<u64>,
}

/// One request as the server saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logged {
    pub page: u64,
    /// When the server evaluated it, from the script's start.
    pub at: Duration,
    pub status: u16,
}

struct State {
    rows: Vec<u64>,
    next_id: u64,
    evaluations: u64,
    rng: u64,
    attempts: HashMap<u64, u32>,
    log: Vec<Logged>,
    deleted: BTreeSet<u64>,
    window: Option<(Instant, u32)>,
    started: usize,
    in_flight: usize,
    max_in_flight: usize,
}

/// A running script: the table, the log.
pub struct Scripted {
    script: Script,
    started: Instant,
    state: Mutex<State>,
}

static SCRIPTS: LazyLock<Mutex<HashMap<String, Arc<Scripted>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

impl Scripted {
    /// Starts `script`; returns it and a builder of a client that lists from it with
    /// [`ScriptedList`] (fast retries, pacing off unless the caller sets a limit).
    pub fn start(script: Script) -> (Arc<Scripted>, mijnklantportaal::ClientBuilder) {
        let (scripted, builder) = Scripted::start_default(script);
        (scripted, builder.no_rate_limit())
    }

    /// Starts `script`; returns it and a builder of a client with the default pacing
    /// (the documented limit until the server says otherwise) and fast retries.
    pub fn start_default(script: Script) -> (Arc<Scripted>, mijnklantportaal::ClientBuilder) {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let base = format!("http://script-{n}.test/v1");
        let mut rows: Vec<u64> = (1..=script.rows).collect();
        if script.newest_first {
            rows.reverse();
        }
        let scripted = Arc::new(Scripted {
            state: Mutex::new(State {
                rows,
                next_id: script.rows + 1,
                evaluations: 0,
                rng: script.seed ^ 0x9E37_79B9_7F4A_7C15,
                attempts: HashMap::new(),
                log: Vec::new(),
                deleted: BTreeSet::new(),
                window: None,
                started: 0,
                in_flight: 0,
                max_in_flight: 0,
            }),
            script,
            started: Instant::now(),
        });
        lock(&SCRIPTS).insert(base.clone(), Arc::clone(&scripted));
        let builder = Client::builder()
            .token("scripted")
            .base_url(base)
            .retry_policy(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(100))
                    .max_backoff(Duration::from_secs(1)),
            );
        (scripted, builder)
    }

    /// The requests in the order the server evaluated them.
    pub fn log(&self) -> Vec<Logged> {
        lock(&self.state).log.clone()
    }

    /// The pages requested, in evaluation order.
    pub fn pages_requested(&self) -> Vec<u64> {
        self.log().iter().map(|l| l.page).collect()
    }

    /// Requests begun (`send` called and polled), finished or not.
    pub fn started(&self) -> usize {
        lock(&self.state).started
    }

    /// Requests in progress now (their futures neither finished nor dropped).
    pub fn in_flight(&self) -> usize {
        lock(&self.state).in_flight
    }

    /// The most requests the server had in progress at once.
    pub fn max_in_flight(&self) -> usize {
        lock(&self.state).max_in_flight
    }

    /// The ids of the initial rows never deleted: the rows that existed for the whole
    /// listing, in listing order.
    pub fn present_throughout(&self) -> Vec<String> {
        let state = lock(&self.state);
        let mut ids: Vec<u64> = (1..=self.script.rows)
            .filter(|id| !state.deleted.contains(id))
            .collect();
        if self.script.newest_first {
            ids.reverse();
        }
        ids.into_iter().map(id).collect()
    }

    fn per_page(&self) -> u64 {
        if self.script.per_page == 0 {
            15
        } else {
            self.script.per_page
        }
    }

    fn next_random(state: &mut State) -> u64 {
        // splitmix64
        state.rng = state.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn latency(&self) -> Duration {
        let max = self.script.jitter.as_micros() as u64;
        if max == 0 {
            return self.script.latency;
        }
        let mut state = lock(&self.state);
        self.script.latency + Duration::from_micros(Self::next_random(&mut state) % (max + 1))
    }

    /// The server's answer to one request for `page`, now.
    fn evaluate(&self, page: u64) -> Result<ResponseValue<TestPage>, api::Error<ErrorBody>> {
        let now = Instant::now();
        let mut state = lock(&self.state);
        let state = &mut *state;
        let attempt = {
            let a = state.attempts.entry(page).or_insert(0);
            *a += 1;
            *a
        };
        let mut headers = HeaderMap::new();
        if let Some((limit, window)) = self.script.server_limit {
            let (opened, used) = match state.window {
                Some((opened, used)) if now < opened + window => (opened, used),
                _ => (now, 0),
            };
            headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
            if used >= limit {
                let wait = (opened + window - now).as_secs_f64().ceil().max(1.0) as u64;
                headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
                headers.insert("retry-after", HeaderValue::from(wait));
                state.window = Some((opened, used));
                return self.fail(state, page, 429, headers, now);
            }
            state.window = Some((opened, used + 1));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(limit - used - 1));
        }
        let fault = self.script.faults.get(&(page, attempt));
        if let Some(status) = fault.or(self.script.failing_pages.get(&page)).copied() {
            return self.fail(state, page, status, headers, now);
        }
        state.evaluations += 1;
        if self
            .script
            .insert_every
            .is_some_and(|n| state.evaluations.is_multiple_of(n))
            && state.evaluations >= self.script.insert_from
            && self
                .script
                .max_inserts
                .is_none_or(|max| state.next_id - self.script.rows <= max)
        {
            let new = state.next_id;
            state.next_id += 1;
            if let Some(at) = self.script.insert_at {
                let at = at.min(state.rows.len());
                state.rows.insert(at, new);
            } else if self.script.newest_first {
                state.rows.insert(0, new);
            } else {
                state.rows.push(new);
            }
        }
        if self
            .script
            .delete_every
            .is_some_and(|n| state.evaluations.is_multiple_of(n))
            && !state.rows.is_empty()
        {
            let at = (Self::next_random(state) % state.rows.len() as u64) as usize;
            let gone = state.rows.remove(at);
            state.deleted.insert(gone);
        }
        let per_page = self.per_page();
        let start = (page - 1).saturating_mul(per_page);
        let len = state.rows.len() as u64;
        let data: Vec<String> = state
            .rows
            .iter()
            .skip(start.min(len) as usize)
            .take(per_page as usize)
            .map(|&n| id(n))
            .collect();
        let more = len > page.saturating_mul(per_page);
        let body = TestPage {
            current_page: page,
            per_page: self
                .script
                .per_page_claims
                .get(&page)
                .copied()
                .unwrap_or(per_page),
            from: (!data.is_empty()).then_some(start + 1),
            to: (!data.is_empty()).then_some(start + data.len() as u64),
            next_page_url: more.then(|| format!("http://script.test/v1/items?page={}", page + 1)),
            data,
        };
        state.log.push(Logged {
            page,
            at: now - self.started,
            status: 200,
        });
        Ok(ResponseValue::new(body, StatusCode::OK, headers))
    }

    fn fail(
        &self,
        state: &mut State,
        page: u64,
        status: u16,
        mut headers: HeaderMap,
        now: Instant,
    ) -> Result<ResponseValue<TestPage>, api::Error<ErrorBody>> {
        if status == 429 && !headers.contains_key("retry-after") {
            // Laravel's limiter always says when to come back.
            let wait = self.script.fault_retry_after.unwrap_or(1);
            headers.insert("retry-after", HeaderValue::from(wait));
        }
        state.log.push(Logged {
            page,
            at: now - self.started,
            status,
        });
        let status = StatusCode::from_u16(status).expect("a valid status in the script");
        Err(api::Error::ErrorResponse(ResponseValue::new(
            ErrorBody::default(),
            status,
            headers,
        )))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The id of row `n`.
pub fn id(n: u64) -> String {
    format!("row-{n:06}")
}

/// The envelope of the scripted server.
#[derive(Debug, Clone)]
pub struct TestPage {
    current_page: u64,
    per_page: u64,
    from: Option<u64>,
    to: Option<u64>,
    next_page_url: Option<String>,
    data: Vec<String>,
}

impl SimplePage for TestPage {
    type Item = String;
    fn current_page(&self) -> u64 {
        self.current_page
    }
    fn per_page(&self) -> u64 {
        self.per_page
    }
    fn first_offset(&self) -> Option<u64> {
        self.from
    }
    fn last_offset(&self) -> Option<u64> {
        self.to
    }
    fn next_page_url(&self) -> Option<&str> {
        self.next_page_url.as_deref()
    }
    fn into_items(self) -> Vec<String> {
        self.data
    }
}

/// Counts a request as in progress until its future ends or is dropped.
struct InProgress(Arc<Scripted>);

impl InProgress {
    fn new(server: Arc<Scripted>) -> Self {
        {
            let mut state = lock(&server.state);
            state.started += 1;
            state.in_flight += 1;
            state.max_in_flight = state.max_in_flight.max(state.in_flight);
        }
        InProgress(server)
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        lock(&self.0.state).in_flight -= 1;
    }
}

/// The list operation served by the script of the client's base URL.
pub struct ScriptedList;

impl ListOperation for ScriptedList {
    type Page = TestPage;
    type Item = String;
    const PATH: &'static str = "/items";

    fn send<'a>(
        &self,
        api: &'a api::Client,
        page: NonZeroU32,
    ) -> BoxFuture<'a, Result<ResponseValue<TestPage>, api::Error<ErrorBody>>> {
        let server = lock(&SCRIPTS).get(api.baseurl()).cloned();
        serve(server, page)
    }

    fn id(item: &String) -> &str {
        item
    }
}

/// The list operation served by one given script, whatever the client's base URL: the
/// accounts of one app share the base URL, and each lists its own script.
pub struct ListFrom(pub Arc<Scripted>);

impl ListOperation for ListFrom {
    type Page = TestPage;
    type Item = String;
    const PATH: &'static str = "/items";

    fn send<'a>(
        &self,
        _api: &'a api::Client,
        page: NonZeroU32,
    ) -> BoxFuture<'a, Result<ResponseValue<TestPage>, api::Error<ErrorBody>>> {
        serve(Some(Arc::clone(&self.0)), page)
    }

    fn id(item: &String) -> &str {
        item
    }
}

/// One request for `page` to `server`, with its latency before and after.
fn serve(
    server: Option<Arc<Scripted>>,
    page: NonZeroU32,
) -> BoxFuture<'static, Result<ResponseValue<TestPage>, api::Error<ErrorBody>>> {
    let page = u64::from(page.get());
    async move {
        let server = server.expect("a script for this base URL");
        if server.script.panic_on_page == Some(page) {
            panic!("a bug in a ListOperation on page {page}");
        }
        let _counted = InProgress::new(Arc::clone(&server));
        tokio::time::sleep(server.latency()).await;
        let answer = server.evaluate(page);
        tokio::time::sleep(server.latency()).await;
        answer
    }
    .boxed()
}

/// Runs `f` on a current-thread runtime whose clock is paused (it jumps ahead whenever
/// every task waits on a timer).
pub fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// Pages 1.. one at a time, waiting out each 429 as asked and nothing else: the naive
/// loop that the paced listing is measured against. Returns the ids.
pub async fn naive_loop(api: &api::Client) -> Vec<String> {
    let mut ids = Vec::new();
    let mut page = 1u32;
    loop {
        let number = NonZeroU32::new(page).expect("pages count from 1");
        match ScriptedList.send(api, number).await {
            Ok(value) => {
                let value = value.into_inner();
                let more = value.next_page_url().is_some();
                ids.extend(value.into_items());
                if !more {
                    return ids;
                }
                page += 1;
            }
            Err(api::Error::ErrorResponse(e)) if e.status().as_u16() == 429 => {
                let secs = e.headers()["retry-after"]
                    .to_str()
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1);
                tokio::time::sleep(Duration::from_secs(secs)).await;
            }
            Err(other) => panic!("the naive loop failed: {other}"),
        }
    }
}

/// A client for `server`'s limit as configured by the caller.
pub fn paced(builder: mijnklantportaal::ClientBuilder, limit: RateLimit) -> Client {
    builder.rate_limit(limit).build().expect("a valid client")
}
