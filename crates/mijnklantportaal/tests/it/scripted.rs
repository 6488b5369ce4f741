//! Pacing, retries, bounds and cancellation against a scripted server on tokio's paused
//! clock: every time below is virtual, so the assertions are exact and no test depends
//! on how busy the machine is.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use common::scripted::{Logged, Script, Scripted, ScriptedList, id, naive_loop, paced, run};
use futures::{StreamExt, TryStreamExt};
use mijnklantportaal::{Error, RateLimit, RetryPolicy};
use proptest::prelude::*;
use tokio::time::Instant;

fn rows(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(id).collect()
}

fn count_429(log: &[Logged]) -> usize {
    log.iter().filter(|l| l.status == 429).count()
}

/// Issue 9, part C: against 3 requests per 1-s window, a client told 60 per minute
/// asks the server when its window ends instead of waiting a presumed minute after
/// every three pages, at the cost of at most one 429 per server window.
#[tokio::test(start_paused = true)]
async fn a_short_server_window_is_learned_with_at_most_one_429() {
    let script = Script {
        rows: 150,
        server_limit: Some((3, Duration::from_secs(1))),
        latency: Duration::from_millis(40),
        ..Script::default()
    };
    let (naive_server, naive_builder) = Scripted::start(script.clone());
    let naive_client = naive_builder.build().expect("a client");
    let started = Instant::now();
    let naive_ids = naive_loop(naive_client.api()).await;
    let naive = started.elapsed();
    assert_eq!(naive_ids, rows(1..151));
    assert!(count_429(&naive_server.log()) >= 3);

    let (server, builder) = Scripted::start(script);
    let client = paced(builder, RateLimit::default());
    let started = Instant::now();
    let ids = client.list(ScriptedList).collect_all().await.expect("ok");
    let ours = started.elapsed();
    assert_eq!(ids, rows(1..151));
    let windows = ours.as_secs() as usize + 1;
    assert!(count_429(&server.log()) <= windows, "{:?}", server.log());
    assert!(
        ours <= naive * 2,
        "paced {ours:?} vs naive {naive:?}: {:?}",
        server.log()
    );
    let status = client.rate_limit_status().expect("pacing");
    assert_eq!(status.limit, 3);
    assert!(status.window < Duration::from_secs(3), "{status:?}");
}

/// Against the documented 60 per minute, the default client draws no 429.
#[tokio::test(start_paused = true)]
async fn the_documented_limit_draws_no_429() {
    let (server, builder) = Scripted::start(Script {
        rows: 1_500,
        server_limit: Some((60, Duration::from_secs(60))),
        latency: Duration::from_millis(80),
        jitter: Duration::from_millis(80),
        seed: 3,
        ..Script::default()
    });
    let client = paced(builder, RateLimit::default());
    let started = Instant::now();
    let ids = client.list(ScriptedList).collect_all().await.expect("ok");
    assert_eq!(ids, rows(1..1_501));
    let log = server.log();
    assert_eq!(count_429(&log), 0, "{log:?}");
    // 100 pages, the first-page check and the pages past the end: two windows of
    // 60, about 62 s.
    assert!(
        started.elapsed() < Duration::from_secs(125),
        "{:?}",
        started.elapsed()
    );
}

/// Bug 3: a configured limit below the server's is headroom the caller chose.
#[tokio::test(start_paused = true)]
async fn a_configured_limit_below_the_servers_is_kept() {
    let (server, builder) = Scripted::start(Script {
        rows: 15 * 45,
        server_limit: Some((60, Duration::from_secs(60))),
        latency: Duration::from_millis(50),
        ..Script::default()
    });
    let client = paced(builder, RateLimit::new(30, Duration::from_secs(60)));
    client.list(ScriptedList).collect_all().await.expect("ok");
    let log = server.log();
    let first_minute = log
        .iter()
        .filter(|l| l.at < Duration::from_secs(60))
        .count();
    assert_eq!(first_minute, 30, "{log:?}");
    assert_eq!(client.rate_limit_status().expect("pacing").limit, 30);
}

/// Bug 2: the retry budget counts from the first attempt, not from the queue: a page
/// that waited three minutes for its turn still gets its retries.
#[tokio::test(start_paused = true)]
async fn a_request_queued_behind_others_still_gets_its_retries() {
    let (server, builder) = Scripted::start(Script {
        rows: 75,
        faults: HashMap::from([((4, 1), 503)]),
        ..Script::default()
    });
    let client = builder
        .rate_limit(RateLimit::new(1, Duration::from_secs(60)))
        .prefetch(4)
        .build()
        .expect("a client");
    let ids = client.list(ScriptedList).collect_all().await.expect("ok");
    assert_eq!(ids, rows(1..76));
    let page4: Vec<_> = server.log().into_iter().filter(|l| l.page == 4).collect();
    assert_eq!(page4.len(), 2, "{page4:?}");
    assert!(
        page4[0].at >= Duration::from_secs(180),
        "it waited its turn"
    );
}

/// Bug 7: a retried page keeps its place in the rate limiter's queue: the page the
/// listing waits for is not overtaken by the pages after it.
#[tokio::test(start_paused = true)]
async fn a_retry_keeps_its_place_in_the_queue() {
    let (server, builder) = Scripted::start(Script {
        rows: 75,
        faults: HashMap::from([((2, 1), 503)]),
        ..Script::default()
    });
    let client = builder
        .rate_limit(RateLimit::new(1, Duration::from_secs(10)))
        .prefetch(4)
        .build()
        .expect("a client");
    client.list(ScriptedList).collect_all().await.expect("ok");
    let order: Vec<(u64, u16)> = server.log().iter().map(|l| (l.page, l.status)).collect();
    assert_eq!(
        order[..6],
        [(1, 200), (2, 503), (2, 200), (3, 200), (4, 200), (5, 200)],
        "{order:?}"
    );
}

/// Bug 6: with retries off, the failure is returned as it is.
#[tokio::test(start_paused = true)]
async fn retries_off_return_the_failure_itself() {
    let (_server, builder) = Scripted::start(Script {
        rows: 30,
        faults: HashMap::from([((1, 1), 503)]),
        ..Script::default()
    });
    let client = builder
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client");
    let err = client
        .list(ScriptedList)
        .collect_all()
        .await
        .expect_err("503");
    assert!(
        matches!(err, Error::Api { status: 503, .. }),
        "expected the 503 itself, got {err:?}"
    );
}

/// A failing server: attempts back off and stop within the time budget.
#[tokio::test(start_paused = true)]
async fn a_failing_server_exhausts_retries_within_the_time_budget() {
    let (server, builder) = Scripted::start(Script {
        rows: 30,
        failing_pages: HashMap::from([(1, 502)]),
        ..Script::default()
    });
    let budget = Duration::from_secs(5);
    let client = builder
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(1_000)
                .max_elapsed(budget)
                .initial_backoff(Duration::from_millis(100))
                .max_backoff(Duration::from_secs(1)),
        )
        .build()
        .expect("a client");
    let started = Instant::now();
    let err = client
        .list(ScriptedList)
        .collect_all()
        .await
        .expect_err("it never recovers");
    let Error::RetriesExhausted {
        attempts,
        elapsed,
        last,
    } = &err
    else {
        panic!("expected retries exhausted, got {err:?}");
    };
    assert!(matches!(**last, Error::Api { status: 502, .. }), "{err}");
    assert_eq!(*attempts as usize, server.log().len());
    assert!(*attempts >= 5, "{err}");
    assert!(*elapsed <= budget && started.elapsed() <= budget, "{err}");
    assert!(err.to_string().starts_with("gave up after "), "{err}");
}

/// Without pacing, a 429 is waited out for what the server asked, never less.
#[tokio::test(start_paused = true)]
async fn a_429_is_waited_out_for_retry_after() {
    let (server, builder) = Scripted::start(Script {
        rows: 150,
        server_limit: Some((3, Duration::from_secs(1))),
        latency: Duration::from_millis(30),
        ..Script::default()
    });
    let client = builder.prefetch(1).build().expect("a client");
    let ids = client.list(ScriptedList).collect_all().await.expect("ok");
    assert_eq!(ids, rows(1..151));
    let log = server.log();
    assert!(count_429(&log) >= 3, "{log:?}");
    for pair in log.windows(2) {
        if pair[0].status == 429 {
            // Retry-After: 1 was sent; the next request reaches the server after it.
            assert!(pair[1].at >= pair[0].at + Duration::from_secs(1), "{log:?}");
        }
    }
}

/// Bug 8: a page size of 0 in one envelope does not end an item-bounded listing early.
#[tokio::test(start_paused = true)]
async fn a_page_size_of_zero_does_not_end_the_listing_early() {
    let (_server, builder) = Scripted::start(Script {
        rows: 60,
        per_page_claims: HashMap::from([(1, 100), (2, 0)]),
        ..Script::default()
    });
    let client = builder.build().expect("a client");
    let ids = client
        .list(ScriptedList)
        .max_items(50)
        .collect_all()
        .await
        .expect("ok");
    assert_eq!(ids, rows(1..51));
}

/// Bug 8: a panic in a list operation is a bug to surface, not a configuration error.
#[tokio::test(start_paused = true)]
async fn a_panicking_list_operation_panics_where_it_is_awaited() {
    let (_server, builder) = Scripted::start(Script {
        rows: 60,
        panic_on_page: Some(2),
        ..Script::default()
    });
    let client = builder.build().expect("a client");
    let listing = tokio::spawn(async move { client.list(ScriptedList).collect_all().await });
    let joined = listing.await;
    assert!(
        joined.as_ref().is_err_and(|e| e.is_panic()),
        "expected the panic, got {joined:?}"
    );
}

/// Dropping a stream drops every request in flight, and nothing starts after.
#[tokio::test(start_paused = true)]
async fn dropping_a_stream_drops_its_requests() {
    let (server, builder) = Scripted::start(Script {
        rows: 1_000,
        latency: Duration::from_millis(500),
        ..Script::default()
    });
    let client = builder.prefetch(4).build().expect("a client");
    let mut pages = client.list(ScriptedList).pages();
    pages.next().await.expect("a page").expect("ok");
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(server.in_flight(), 2, "two pages ahead after one page");
    assert_eq!(server.started(), 3, "page 1, then 2 and 3");
    drop(pages);
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(server.in_flight(), 0, "their futures were dropped");
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(server.started(), 3, "nothing new started");
    assert_eq!(server.log().len(), 1, "only page 1 was evaluated");
}

/// Bug 1: an item bound that cuts a page resumes at that page, not after it.
#[tokio::test(start_paused = true)]
async fn an_item_bound_resumes_at_the_page_it_cut() {
    let (_server, builder) = Scripted::start(Script {
        rows: 60,
        ..Script::default()
    });
    let client = builder.build().expect("a client");
    let mut items = client.list(ScriptedList).max_items(20).items();
    let mut first = Vec::new();
    while let Some(item) = items.try_next().await.expect("ok") {
        first.push(item);
    }
    assert_eq!(first, rows(1..21));
    assert_eq!(items.resume_page(), 2, "items 16..=30 are on page 2");
}

/// What a bounded listing of the scripted table must yield.
fn expected(
    rows_total: u64,
    per_page: u64,
    start: u64,
    max_pages: Option<u64>,
    max_items: Option<u64>,
) -> Vec<String> {
    let first = (start - 1) * per_page;
    let mut last = rows_total;
    if let Some(pages) = max_pages {
        last = last.min(first + pages * per_page);
    }
    let low = first.min(rows_total);
    let mut ids = rows(low + 1..last.max(low) + 1);
    if let Some(n) = max_items {
        ids.truncate(n as usize);
    }
    ids
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Any page size, bounds, prefetch and transient faults: the ids are the expected
    /// ones, in order, once; and resuming from `resume_page()` after any number of
    /// items loses nothing.
    #[test]
    fn bounded_listings_with_faults_yield_exactly_the_expected_ids(
        rows_total in 0u64..70,
        per_page in 1u64..9,
        start in 1u64..6,
        max_pages in proptest::option::of(0u64..8),
        max_items in proptest::option::of(0u64..60),
        prefetch in 1usize..7,
        faults in proptest::collection::vec((1u64..12, 1u32..3, prop_oneof![Just(500u16), Just(502), Just(503), Just(429)]), 0..6),
        stop_after in 0usize..70,
        seed: u64,
    ) {
        let want = expected(rows_total, per_page, start, max_pages, max_items);
        let script = Script {
            rows: rows_total,
            per_page,
            faults: faults.into_iter().map(|(p, a, s)| ((p, a), s)).collect(),
            jitter: Duration::from_millis(120),
            seed,
            ..Script::default()
        };
        let (got, resumed) = run(async move {
            let (_server, builder) = Scripted::start(script);
            let client = builder.prefetch(prefetch).build().expect("a client");
            let bounded = || {
                let mut lister = client.list(ScriptedList).start_page(start);
                if let Some(n) = max_pages {
                    lister = lister.max_pages(n);
                }
                if let Some(n) = max_items {
                    lister = lister.max_items(n);
                }
                lister
            };
            let got = bounded().collect_all().await.expect("transient faults are retried");
            // Stop early, then resume without bounds: nothing between is lost.
            let mut items = bounded().items();
            let mut taken = Vec::new();
            while taken.len() < stop_after {
                match items.try_next().await.expect("ok") {
                    Some(item) => taken.push(item),
                    None => break,
                }
            }
            let resume = items.resume_page();
            drop(items);
            let rest: Vec<String> = client
                .list(ScriptedList)
                .start_page(resume)
                .collect_all()
                .await
                .expect("ok");
            (got, (taken, resume, rest))
        });
        prop_assert_eq!(&got, &want);
        let (taken, resume, rest) = resumed;
        // The resumed listing starts at or before the first item not taken, and goes
        // on to the end of the table.
        let next_offset = (start - 1) * per_page + taken.len() as u64;
        let resume_offset = ((resume - 1) * per_page).min(rows_total);
        prop_assert!(resume_offset <= next_offset, "resume {} skips items", resume);
        let all = rows(1..rows_total + 1);
        let from = ((resume - 1) * per_page).min(rows_total) as usize;
        prop_assert_eq!(&rest, &all[from..].to_vec());
    }
}

/// Answers arrive out of order: the one that opened the server's window can come after
/// later ones, and must not raise what the client thinks is left (the bench's (b)
/// scenario, 60 per second, once drew a 429 that way).
#[test]
fn answers_out_of_order_do_not_overspend_the_window() {
    for seed in 0..12 {
        let log = run(async move {
            let (server, builder) = Scripted::start(Script {
                rows: 15 * 200,
                server_limit: Some((60, Duration::from_secs(1))),
                latency: Duration::from_millis(10),
                jitter: Duration::from_millis(5),
                seed,
                ..Script::default()
            });
            let client = paced(builder, RateLimit::new(60, Duration::from_secs(1)));
            client.list(ScriptedList).collect_all().await.expect("ok");
            server.log()
        });
        assert_eq!(count_429(&log), 0, "seed {seed}: {log:?}");
    }
}

/// Issue 17: a server allowing 3 requests per 1-s window (and saying so in
/// `X-RateLimit-Limit`), 10 pages of 10, the default client: whatever order the answers
/// arrive in (16 latency profiles, 10 seeds each), the listing completes, and takes no
/// longer than a sequential loop that honours 429s plus one server window and a half
/// (the completeness check at the end, which such a loop does not make, can fall into
/// a window of its own, and a `Retry-After` in whole seconds rounds up).
#[test]
fn a_three_per_second_server_never_stalls_a_listing() {
    let window = Duration::from_secs(1);
    let script = |seed: u64| Script {
        rows: 100,
        per_page: 10,
        server_limit: Some((3, window)),
        latency: Duration::from_millis([1, 5, 20, 50][(seed % 4) as usize]),
        jitter: Duration::from_millis([2, 10, 40, 150][(seed / 4 % 4) as usize]),
        seed,
        ..Script::default()
    };
    for seed in 0..160 {
        let (naive, ours, log) = run(async move {
            let (_server, builder) = Scripted::start(script(seed));
            let client = builder.build().expect("a client");
            let started = Instant::now();
            assert_eq!(naive_loop(client.api()).await, rows(1..101));
            let naive = started.elapsed();

            let (server, builder) = Scripted::start_default(script(seed));
            let client = builder.build().expect("a client");
            let started = Instant::now();
            let listing = client.list(ScriptedList).collect_all();
            let ids = tokio::time::timeout(Duration::from_secs(600), listing)
                .await
                .unwrap_or_else(|_| panic!("seed {seed} stalled: {:?}", server.log()))
                .expect("ok");
            assert_eq!(ids, rows(1..101), "seed {seed}");
            (naive, started.elapsed(), server.log())
        });
        assert!(
            ours <= naive + window * 3 / 2,
            "seed {seed}: {ours:?} against the sequential loop's {naive:?}: {log:?}"
        );
    }
}

/// Issue 17: a server that advertises more than the documented 60 per minute is used at
/// its limit by the default client: 100 pages take no longer than a sequential loop
/// (they took over a minute when the default 60 capped what the server allowed).
#[tokio::test(start_paused = true)]
async fn a_higher_advertised_limit_is_used_by_the_default_client() {
    let script = Script {
        rows: 1_500,
        server_limit: Some((10_000, Duration::from_secs(60))),
        latency: Duration::from_millis(50),
        ..Script::default()
    };
    let (_server, builder) = Scripted::start(script.clone());
    let client = builder.build().expect("a client");
    let started = Instant::now();
    naive_loop(client.api()).await;
    let naive = started.elapsed();

    let (server, builder) = Scripted::start_default(script);
    let client = builder.build().expect("a client");
    let started = Instant::now();
    let ids = client.list(ScriptedList).collect_all().await.expect("ok");
    let ours = started.elapsed();
    assert_eq!(ids, rows(1..1_501));
    assert_eq!(count_429(&server.log()), 0);
    assert!(
        ours * 3 < naive,
        "{ours:?} against the sequential {naive:?}"
    );
    assert_eq!(client.rate_limit_status().expect("pacing").limit, 10_000);
}

/// Issue 17, item 3: a proxy's `Retry-After: 3600` does not hold the client's other
/// requests for an hour: a request whose budget ends first fails at once, saying how
/// long the wait is.
#[tokio::test(start_paused = true)]
async fn a_proxy_hour_fails_requests_whose_budget_is_shorter() {
    let (_server, builder) = Scripted::start_default(Script {
        rows: 30,
        faults: HashMap::from([((1, 1), 429)]),
        fault_retry_after: Some(3600),
        ..Script::default()
    });
    let client = builder.build().expect("a client");
    let started = Instant::now();
    let first = client.list(ScriptedList).collect_all().await;
    assert!(
        matches!(&first, Err(Error::RetriesExhausted { last, .. }) if matches!(**last, Error::RateLimited { .. })),
        "{first:?}"
    );
    let second = client.list(ScriptedList).collect_all().await;
    let Err(Error::HeldBackPastBudget { retry_after }) = second else {
        panic!("expected the wait past the budget, got {second:?}");
    };
    assert_eq!(retry_after, Duration::from_secs(3600));
    assert_eq!(started.elapsed(), Duration::ZERO, "nothing was waited");
    let text = Error::HeldBackPastBudget { retry_after }.to_string();
    assert!(text.contains("3600.0s"), "{text}");
}

/// Issue 17, item 8: speculation grows with the evidence that the list is long. A
/// 2-page list costs at most 3 requests, and no list more than its pages, the pages in
/// flight at its end, and one check.
#[test]
fn short_lists_cost_few_requests() {
    let prefetch = mijnklantportaal::DEFAULT_PREFETCH;
    for pages in [1u64, 2, 3, 5, 10, 100] {
        for seed in 0..8 {
            let sent = run(async move {
                let (server, builder) = Scripted::start(Script {
                    rows: pages * 10,
                    per_page: 10,
                    latency: Duration::from_millis(20),
                    jitter: Duration::from_millis(60),
                    seed,
                    ..Script::default()
                });
                let client = builder.build().expect("a client");
                let ids = client.list(ScriptedList).collect_all().await.expect("ok");
                assert_eq!(ids.len() as u64, pages * 10);
                server.started() as u64
            });
            // In flight when the last page arrives: the ramp (1, 2, 4, ... up to the
            // prefetch) reached after the pages before it, the last page included.
            let ramp = (1u64 << (pages - 1).min(10)).min(prefetch as u64);
            assert!(
                sent <= pages + ramp,
                "{pages} pages, seed {seed}: {sent} requests"
            );
            match pages {
                1 => assert_eq!(sent, 1, "seed {seed}"),
                2 => assert!(sent <= 3, "seed {seed}: {sent} requests"),
                _ => {}
            }
        }
    }
}

/// The scripts of the listing guarantee's tests: 20 pages of 3, pages evaluated in a
/// seeded order, one row inserted once the listing is well under way, at `at` (the
/// front or the end of the order when `None`).
fn one_late_insert(seed: u64, at: Option<usize>) -> Script {
    Script {
        rows: 60,
        per_page: 3,
        newest_first: seed.is_multiple_of(2),
        insert_at: at,
        insert_every: Some(1),
        insert_from: 14 + seed % 7,
        max_inserts: Some(1),
        jitter: Duration::from_millis(300),
        seed,
        ..Script::default()
    }
}

/// Lists `script` with the defaults; the ids, and the ids present throughout.
fn list_live(script: Script) -> (Vec<String>, Vec<String>) {
    run(async move {
        let (server, builder) = Scripted::start(script);
        let client = builder.build().expect("a client");
        let ids = client.list(ScriptedList).collect_all().await.expect("ok");
        (ids, server.present_throughout())
    })
}

/// Issue 17, item 9: the listing guarantee holds for inserts at the front and at the
/// end of the order: every row present throughout is listed, none twice.
#[test]
fn inserts_at_the_front_or_the_end_are_caught() {
    for seed in 0..200 {
        let (ids, throughout) = list_live(one_late_insert(seed, None));
        let listed: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(listed.len(), ids.len(), "seed {seed}: a row twice");
        assert!(
            throughout.iter().all(|id| listed.contains(id)),
            "seed {seed}: a row was skipped"
        );
    }
}

/// Issue 17, item 9, the documented limit of the guarantee: an insert in the middle of
/// the order (a back-dated row) shifts only the rows after it, the first page does not
/// change, and a row can be skipped when pages around it were evaluated out of order.
/// Nothing is listed twice even then.
#[test]
fn an_insert_in_the_middle_of_the_order_can_be_missed() {
    let mut skipped_in = Vec::new();
    for seed in 0..200 {
        let at = 45 + (seed % 12) as usize;
        let (ids, throughout) = list_live(one_late_insert(seed, Some(at)));
        let listed: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(listed.len(), ids.len(), "seed {seed}: a row twice");
        if !throughout.iter().all(|id| listed.contains(id)) {
            skipped_in.push(seed);
        }
    }
    assert!(
        !skipped_in.is_empty(),
        "no seed shows the documented limit; the docs may now understate the guarantee"
    );
}
