//! A faithful, deterministic mock of the Mijn Klantportaal REST API.
//!
//! Tests, examples and benchmarks of the client crates run against [`MockServer`]
//! instead of the real API. It serves every operation of the embedded spec
//! (`openapi.json`) the way the real Laravel application does where clients tend to
//! break:
//!
//! - **Data**: seeded rows of every kind in every state of its life cycle; any number
//!   of invoices, computed on demand ([`Dataset`]). Writes stick and are validated
//!   against the spec (Laravel's 422 texts; 400, 413, 415 for bad bodies).
//! - **HTTP**: Laravel's simple paginator ([`Quirks`] for the documented deviations),
//!   404 and 405 bodies, bearer auth (401), [`MockServerBuilder::oauth`], per-token rate
//!   limits (429 and `X-RateLimit-*`), several accounts ([`MockAccount`]), download links
//!   (`/files/{token}`).
//! - **Trouble on demand**: a [`Live`] table that changes while it is listed, in an
//!   [`Order`], read by concurrent requests in a seeded order
//!   ([`MockServerBuilder::reorder`]); seeded latency and [`Faults`]; write answers
//!   dropped after the write ([`MockServer::drop_next_write_responses`]).
//! - **Observation**: recorded requests, [`Stats`], [`Evaluation`]s and [`Change`]s of
//!   the live table, and any row as `GET` shows it ([`MockServer::rows`] by [`Kind`]).
//! - **One clock**: [`MockServer::now`], tokio time from 2026-01-01T00:00+01:00, never
//!   the wall clock, so tests can run on a paused clock.
//!
//! The same options are on the command line of the `mkp-mock` binary.
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

mod accounts;
mod auth;
mod clock;
mod dataset;
mod dutch_time;
mod faults;
mod files;
mod handler;
mod ids;
mod input;
mod inspect;
mod live;
mod oauth;
mod openapi;
mod paginator;
#[cfg(test)]
mod races;
mod rate_limit;
mod recording;
mod reorder;
mod requests;
mod resources;
mod responses;
mod rng;
mod routes;
mod rules;
mod server;
mod store;
mod validation;

pub use accounts::{MockAccount, MockGrant};
pub use dataset::Dataset;
pub use faults::Faults;
pub use inspect::Kind;
pub use live::{Change, ChangeKind, Evaluation, Live, Order};
pub use oauth::{MockOAuth, OAuthStats};
pub use paginator::Quirks;
pub use recording::{RecordedRequest, Stats};
pub use resources::customer_invoices::MockInvoice;
pub use resources::customers::MockCustomer;
pub use resources::webhooks::WEBHOOK_EVENT_TYPES;
pub use server::{MockServer, MockServerBuilder};
