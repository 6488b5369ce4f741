//! A faithful, deterministic mock of the Mijn Klantportaal REST API.
//!
//! Tests, examples and benchmarks of the client crates run against this server
//! instead of the real API. It serves `GET /v1/customer-invoices` in Laravel's simple
//! paginator envelope and `GET /v1/customer-invoices/{id}`, and behaves like the real
//! (Laravel) application where clients tend to break:
//!
//! - **Pagination**: every envelope field, in Laravel's order; an invalid `page`
//!   (`0`, `-1`, `abc`, `2,`, too large for 64 bits) serves page 1; past the end
//!   serves `data: []` with `from`/`to` null and a `prev_page_url`.
//! - **Data**: any number of invoices (a million costs nothing: they are computed from
//!   the seed and their index on demand), with realistic ids, repeating customers,
//!   per-year invoice numbers, decimal-string amounts and `+01:00`/`+02:00` offsets.
//! - **Auth**: `Authorization: Bearer <token>` or 401 `{"message": "Unauthenticated."}`;
//!   the token can be swapped or expire while the server runs.
//! - **Rate limits**: a fixed window per token with `X-RateLimit-*` headers on every
//!   response and the documented 429.
//! - **Errors**: Laravel's 404 and 405 bodies; the server never panics on bad input.
//! - **Live table**: invoices added and deleted while a listing runs, every `n`-th
//!   list request ([`Live`]), listed oldest or newest first ([`Order`]); concurrent
//!   list requests can be evaluated in a seeded arbitrary order, so page 3 reads
//!   the table before page 2 ([`MockServerBuilder::reorder`]). The added and deleted
//!   invoices are kept as a short list beside the generated dataset, so the table
//!   stays cheap and replayable.
//! - **Failure injection**: seeded latency, 5xx answers, malformed and truncated JSON,
//!   dropped connections, pages with the wrong `current_page` (see [`Faults`]), and the
//!   documented quirks (see [`Quirks`]).
//! - **Observation**: every request is recorded ([`MockServer::requests`]) and every
//!   answer counted ([`MockServer::stats`]); every list request's read of the table
//!   ([`MockServer::evaluations`]) and every change ([`MockServer::changes`]) is
//!   logged, so a test can ask which invoices a listing had to return
//!   ([`MockServer::ids_present_throughout`]).
//!
//! The same options are available from the command line through the `mkp-mock` binary
//! (`cargo run -p mijnklantportaal-mock -- --help`).
//!
//! # Example
//!
//! Start a server in a test, fetch a page, and compare it with the dataset:
//!
//! ```
//! use std::time::Duration;
//!
//! use mijnklantportaal_mock::MockServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::builder()
//!     .invoices(40)
//!     .seed(7)
//!     .rate_limit(5, Duration::from_millis(300))
//!     .start()
//!     .await?;
//!
//! let response = reqwest::Client::new()
//!     .get(format!("{}/customer-invoices?page=2", server.base_url()))
//!     .bearer_auth("test")
//!     .send()
//!     .await?;
//! assert_eq!(response.headers()["x-ratelimit-remaining"], "4");
//! let page: serde_json::Value = response.json().await?;
//!
//! assert_eq!(page["current_page"], 2);
//! assert_eq!(page["from"], 16);
//! assert_eq!(page["to"], 30);
//! let sixteenth = server.dataset().invoice(15).unwrap();
//! assert_eq!(page["data"][0], sixteenth.to_json(&server.origin()));
//! assert_eq!(server.stats().requests, 1);
//!
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod auth;
mod customer;
mod customer_table;
mod dataset;
mod dutch_time;
mod faults;
mod files;
mod handler;
mod ids;
mod invoice;
mod live;
mod paginator;
mod rate_limit;
mod recording;
mod reorder;
mod requests;
mod responses;
mod rng;
mod server;
mod validation;

pub use customer::MockCustomer;
pub use dataset::Dataset;
pub use faults::Faults;
pub use invoice::MockInvoice;
pub use live::{Change, ChangeKind, Evaluation, Live, Order};
pub use paginator::Quirks;
pub use recording::{RecordedRequest, Stats};
pub use server::{MockServer, MockServerBuilder};
