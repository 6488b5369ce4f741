//! The live table: invoices added and deleted while a listing runs, either listing
//! order, concurrent requests evaluated out of order, and the log a test asserts on.

use std::collections::HashSet;

use mijnklantportaal_mock::{ChangeKind, Evaluation, Live, MockServer, Order};
use serde_json::Value;

use crate::common::{get_json, page_url, start_with};

/// The ids of a page body.
fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|invoice| invoice["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The body of list page `page`, checked to be a 200.
async fn page(server: &MockServer, page: u64) -> Value {
    let (status, _, body) = get_json(server, &format!("/v1/customer-invoices?page={page}")).await;
    assert_eq!(status, 200, "page {page}");
    body
}

/// The dataset's ids in `order`.
fn dataset_ids(server: &MockServer, order: Order) -> Vec<String> {
    let mut ids: Vec<String> = server.dataset().iter().map(|i| i.id).collect();
    if order == Order::NewestFirst {
        ids.reverse();
    }
    ids
}

/// Asserts that `body`'s envelope is page `number` of a table of `table_len` rows
/// at 15 per page, as [`Evaluation`] recorded it.
fn assert_consistent(server: &MockServer, body: &Value, evaluation: &Evaluation) {
    let number = evaluation.page;
    let origin = server.origin();
    assert_eq!(body["current_page"], number);
    assert_eq!(ids(body), evaluation.ids, "page {number}");
    let offset = (number - 1) * 15;
    let rows = evaluation.table_len.saturating_sub(offset).min(15);
    assert_eq!(evaluation.ids.len() as u64, rows, "page {number}");
    if rows == 0 {
        assert!(body["from"].is_null() && body["to"].is_null(), "{body}");
    } else {
        assert_eq!(body["from"], offset + 1, "page {number}");
        assert_eq!(body["to"], offset + rows, "page {number}");
    }
    let more = evaluation.table_len > offset + 15;
    let next = more.then(|| page_url(&origin, number + 1));
    assert_eq!(
        body["next_page_url"],
        serde_json::json!(next),
        "page {number}"
    );
}

#[tokio::test]
async fn oldest_first_is_the_default_and_the_dataset_order() {
    let server = start_with(40, |b| b).await;
    let first = page(&server, 1).await;
    assert_eq!(ids(&first), dataset_ids(&server, Order::OldestFirst)[..15]);
    assert_eq!(
        server.live_snapshot(),
        dataset_ids(&server, Order::OldestFirst)
    );

    let newest = start_with(40, |b| b.order(Order::NewestFirst)).await;
    let first = page(&newest, 1).await;
    assert_eq!(ids(&first), dataset_ids(&newest, Order::NewestFirst)[..15]);
    // A static table: the log shows no change, and nothing moves.
    assert!(newest.changes().is_empty());
    assert_eq!(
        newest.live_snapshot(),
        dataset_ids(&newest, Order::NewestFirst)
    );
}

#[tokio::test]
async fn inserts_push_rows_onto_the_next_page_newest_first() {
    let server = start_with(40, |b| {
        b.order(Order::NewestFirst).live(Live::inserts(1)).seed(3)
    })
    .await;
    let one = page(&server, 1).await;
    let two = page(&server, 2).await;
    let one = ids(&one);
    let two = ids(&two);
    // The invoice added after page 1 moved every row down: page 2 repeats page 1's
    // last row.
    assert_eq!(two[0], one[14]);
    let base = dataset_ids(&server, Order::NewestFirst);
    assert_eq!(one, base[..15]);
    assert_eq!(two, base[14..29]);

    let changes = server.changes();
    assert_eq!(changes.len(), 2, "one insert after each request");
    assert!(changes.iter().all(|c| c.kind == ChangeKind::Inserted));
    assert_eq!(
        changes
            .iter()
            .map(|c| c.after_evaluation)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    // The newest invoice is the last one added, at the top of the listing.
    let snapshot = server.live_snapshot();
    assert_eq!(snapshot.len(), 42);
    assert_eq!(
        snapshot[..2],
        [changes[1].id.clone(), changes[0].id.clone()]
    );
    assert!(changes.iter().all(|c| !base.contains(&c.id)), "fresh ids");
}

#[tokio::test]
async fn inserts_do_not_shift_rows_oldest_first() {
    let server = start_with(40, |b| b.live(Live::inserts(1))).await;
    let one = ids(&page(&server, 1).await);
    let two = ids(&page(&server, 2).await);
    let base = dataset_ids(&server, Order::OldestFirst);
    assert_eq!(one, base[..15]);
    assert_eq!(two, base[15..30]);
    // The added invoices come last.
    let snapshot = server.live_snapshot();
    assert_eq!(snapshot[..40], base[..]);
    assert_eq!(snapshot.len(), 42);
}

#[tokio::test]
async fn deletes_pull_rows_back_onto_the_previous_page() {
    // Where the deleted row lies depends on the seed; try seeds until the delete
    // after page 1 hit page 1, and check the table either way.
    let mut hit_page_one = false;
    for seed in 0..20 {
        let server = start_with(40, |b| b.seed(seed).live(Live::deletes(1))).await;
        let one = ids(&page(&server, 1).await);
        let two = ids(&page(&server, 2).await);
        let base = dataset_ids(&server, Order::OldestFirst);
        let changes = server.changes();
        assert_eq!(changes.len(), 2, "seed {seed}");
        assert!(changes.iter().all(|c| c.kind == ChangeKind::Deleted));
        let deleted = &changes[0].id;
        let remaining: Vec<String> = base.iter().filter(|id| *id != deleted).cloned().collect();
        assert_eq!(one, base[..15], "seed {seed}");
        assert_eq!(two, remaining[15..30], "seed {seed}");
        let position = base
            .iter()
            .position(|id| id == deleted)
            .expect("a dataset id");
        if position < 15 {
            hit_page_one = true;
            // Row 16 moved up onto page 1 after page 1 was read: no page shows it.
            assert!(!one.contains(&base[15]) && !two.contains(&base[15]));
            assert_eq!(two[0], base[16]);
        }
        assert_eq!(server.live_snapshot().len(), 38, "seed {seed}");
        assert!(!server.live_snapshot().contains(deleted));
    }
    assert!(hit_page_one, "some seed deletes a row of page 1");
}

#[tokio::test]
async fn the_envelope_follows_the_table_at_evaluation() {
    let server = start_with(30, |b| {
        b.order(Order::NewestFirst)
            .live(Live::inserts(1).and_deletes(3))
            .seed(11)
    })
    .await;
    let mut bodies = Vec::new();
    for number in [1, 2, 3, 4, 2, 1] {
        bodies.push(page(&server, number).await);
    }
    let evaluations = server.evaluations();
    assert_eq!(evaluations.len(), bodies.len());
    for (body, evaluation) in bodies.iter().zip(&evaluations) {
        assert_consistent(&server, body, evaluation);
    }
    // 30 rows, then one more after each request and one fewer after every third.
    let lens: Vec<u64> = evaluations.iter().map(|e| e.table_len).collect();
    assert_eq!(lens, [30, 31, 32, 32, 33, 34]);
    // Page 2 of 31 rows links a page 3 that 30 rows did not have.
    assert!(bodies[1]["next_page_url"].is_string());
    let sequences: Vec<u64> = evaluations.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3, 4, 5, 6]);
    assert!(evaluations.iter().all(|e| e.arrival == e.sequence));
    // Reading a page through the handle is not an evaluation.
    assert_eq!(
        server.page_json(1, &server.origin())["data"][0]["id"],
        server.live_snapshot()[0]
    );
    assert_eq!(server.evaluations().len(), 6);
}

#[tokio::test]
async fn single_invoices_follow_inserts_and_deletes() {
    let server = start_with(20, |b| b.order(Order::NewestFirst).live(Live::inserts(1))).await;
    page(&server, 1).await;
    let added = server.changes()[0].id.clone();
    let (status, _, detail) = get_json(&server, &format!("/v1/customer-invoices/{added}")).await;
    assert_eq!(status, 200);
    assert_eq!(detail["id"], added.as_str());
    assert!(detail["paidAt"].is_null(), "just added, not paid");
    assert!(detail["links"]["onlinePaymentLink"]["href"].is_string());
    // The list shows the same invoice on top of page 1.
    let first = page(&server, 1).await;
    assert_eq!(first["data"][0]["id"], added.as_str());
    assert_eq!(first["data"][0]["createdAt"], detail["createdAt"]);
    assert_eq!(first["data"][0]["invoiceNumber"], detail["invoiceNumber"]);
    // Showing an invoice is not an evaluation.
    assert_eq!(server.evaluations().len(), 2);

    let server = start_with(20, |b| b.live(Live::deletes(1))).await;
    page(&server, 1).await;
    let deleted = server.changes()[0].id.clone();
    let (status, _, body) = get_json(&server, &format!("/v1/customer-invoices/{deleted}")).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["message"],
        format!(r"No query results for model [App\Models\CustomerInvoice] {deleted}")
    );
    let kept = &server.live_snapshot()[0];
    let (status, _, _) = get_json(&server, &format!("/v1/customer-invoices/{kept}")).await;
    assert_eq!(status, 200);
}

/// Runs the same sequential requests against a fresh server of `seed`.
async fn run(seed: u64) -> (Vec<String>, Vec<Evaluation>, Vec<(u64, String)>) {
    let server = start_with(50, |b| {
        b.seed(seed)
            .order(Order::NewestFirst)
            .live(Live::inserts(2).and_deletes(3))
    })
    .await;
    for number in [1, 2, 3, 4, 1, 5, 2] {
        page(&server, number).await;
    }
    let changes = server
        .changes()
        .into_iter()
        .map(|c| (c.after_evaluation, c.id))
        .collect();
    (server.live_snapshot(), server.evaluations(), changes)
}

#[tokio::test]
async fn same_seed_same_requests_same_table() {
    let first = run(21).await;
    assert_eq!(first, run(21).await);
    assert_eq!(
        first.2.len(),
        3 + 2,
        "inserts after 2, 4, 6; deletes after 3, 6"
    );
    let other = run(22).await;
    assert_ne!(first.0, other.0);
    assert_ne!(first.2, other.2);
}

#[tokio::test]
async fn present_throughout_is_what_a_listing_must_return() {
    let server = start_with(30, |b| b.seed(5).live(Live::inserts(1).and_deletes(2))).await;
    let mut seen = Vec::new();
    for number in 1..=3 {
        seen.push(ids(&page(&server, number).await));
    }
    let changes = server.changes();
    let deleted_before_last: Vec<&String> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Deleted && c.after_evaluation < 3)
        .map(|c| &c.id)
        .collect();
    let expected: Vec<String> = dataset_ids(&server, Order::OldestFirst)
        .into_iter()
        .filter(|id| !deleted_before_last.contains(&id))
        .collect();
    assert_eq!(server.ids_present_throughout(1..=3), expected);
    // Over one evaluation, everything in the table then is present throughout,
    // including invoices added during the listing.
    let third = &server.evaluations()[2];
    let present_at_third = server.ids_present_throughout(3..=3);
    assert_eq!(present_at_third.len() as u64, third.table_len);
    assert_eq!(present_at_third[30..], third.ids[..]);
    let added_before_third: Vec<&String> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Inserted && c.after_evaluation < 3)
        .map(|c| &c.id)
        .collect();
    assert_eq!(added_before_third.len(), 2);
    assert!(
        added_before_third
            .iter()
            .all(|id| present_at_third.contains(id))
    );
    assert!(added_before_third.iter().all(|id| !expected.contains(id)));
}

#[tokio::test]
async fn newest_first_inserts_repeat_rows_but_lose_none() {
    let server = start_with(40, |b| b.order(Order::NewestFirst).live(Live::inserts(1))).await;
    for number in 1..=3 {
        page(&server, number).await;
    }
    // One invoice added after each request.
    assert_eq!(server.changes().len(), 3);
    assert_eq!(server.live_snapshot().len(), 43);
    let evaluations = server.evaluations();
    let must_list = server.ids_present_throughout(1..=evaluations.len() as u64);
    assert_eq!(must_list, dataset_ids(&server, Order::NewestFirst));
    // Each insert pushed one row of a page onto the next page: a page-by-page listing
    // repeats rows but loses none.
    assert_eq!(evaluations[1].ids[0], evaluations[0].ids[14]);
    let listed: HashSet<&String> = evaluations.iter().flat_map(|e| &e.ids).collect();
    assert!(must_list.iter().all(|id| listed.contains(id)));
}

mod reorder {
    //! Concurrent requests, evaluated in the seeded order, on a paused clock: the
    //! buffer's idle timer is tokio's, and a paused runtime advances it only when
    //! every request is waiting.

    use super::*;

    /// Requests pages 1 to `pages` concurrently; returns the bodies by page.
    async fn concurrently(server: &MockServer, pages: u64) -> Vec<Value> {
        let requests = (1..=pages).map(|number| page(server, number));
        futures::future::join_all(requests).await
    }

    fn start(seed: u64, window: usize) -> impl std::future::Future<Output = MockServer> {
        start_with(60, move |b| {
            b.seed(seed)
                .order(Order::NewestFirst)
                .live(Live::inserts(1))
                .reorder(window)
        })
    }

    /// The arrival numbers in evaluation order.
    fn arrivals(server: &MockServer) -> Vec<u64> {
        let mut evaluations = server.evaluations();
        evaluations.sort_by_key(|e| e.sequence);
        evaluations.iter().map(|e| e.arrival).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_is_evaluated_out_of_arrival_order() {
        let server = start(1, 4).await;
        let bodies = concurrently(&server, 4).await;
        let order = arrivals(&server);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [1, 2, 3, 4]);
        assert_ne!(order, sorted, "seed 1 shuffles the first batch");

        // Each request read the table as its evaluation left it: the k-th evaluated
        // page is shifted by the k - 1 invoices added before it.
        let evaluations = server.evaluations();
        let added: Vec<String> = server.changes().into_iter().map(|c| c.id).collect();
        let base = dataset_ids(&server, Order::NewestFirst);
        for evaluation in &evaluations {
            let before = (evaluation.sequence - 1) as usize;
            let mut table: Vec<String> = added[..before].iter().rev().cloned().collect();
            table.extend(base.iter().cloned());
            let offset = (evaluation.page as usize - 1) * 15;
            assert_eq!(evaluation.ids, table[offset..offset + 15]);
            let body = &bodies[evaluation.page as usize - 1];
            assert_consistent(&server, body, evaluation);
        }
        // Some page was read before a lower page: evaluation order, not only
        // response order.
        let pages: Vec<u64> = evaluations.iter().map(|e| e.page).collect();
        assert!(pages.windows(2).any(|w| w[0] > w[1]), "{pages:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_shuffle_is_replayed_by_the_same_seed() {
        let mut orders = Vec::new();
        for seed in [1, 1, 2, 3, 4, 5] {
            let server = start(seed, 4).await;
            concurrently(&server, 8).await;
            assert_eq!(server.evaluations().len(), 8);
            orders.push(arrivals(&server));
        }
        assert_eq!(orders[0], orders[1]);
        assert!(orders[2..].iter().any(|o| *o != orders[0]), "{orders:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_partial_window_is_evaluated_when_requests_stop_arriving() {
        let server = start(1, 8).await;
        let started = tokio::time::Instant::now();
        let bodies = concurrently(&server, 3).await;
        assert!(started.elapsed() >= std::time::Duration::from_millis(5));
        let evaluations = server.evaluations();
        assert_eq!(evaluations.len(), 3);
        for evaluation in &evaluations {
            assert_consistent(&server, &bodies[evaluation.page as usize - 1], evaluation);
        }
        // A later lone request is not held with them.
        let body = page(&server, 4).await;
        let last = server.evaluations().pop().expect("four evaluations");
        assert_eq!((last.sequence, last.arrival), (4, 4));
        assert_consistent(&server, &body, &last);
    }
}
