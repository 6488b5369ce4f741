//! A faithful, deterministic mock of the Mijn Klantportaal REST API.
//!
//! Tests, examples and benchmarks of the client crates run against this server
//! instead of the real API. It serves every operation of the spec it embeds
//! (`openapi.json`, the one the client crates are generated from): lists in
//! Laravel's simple paginator, a resource per id, creates (JSON and multipart),
//! edits and actions. Beyond what the spec says:
//!
//! - every kind starts with seeded rows in every state its life cycle knows (open,
//!   paid, expired and closed payment links; active, expired and fully used punch
//!   cards; open and closed tickets from the portal, e-mail and chat; ...);
//! - an action the row's state refuses answers 422: closing a closed payment link
//!   or ticket, stamping a fully used or expired card or more punches than are left,
//!   replying to a chat ticket, an attachment after the message's first 5 minutes;
//!   every Tickets API request answers 426 with
//!   [`MockServerBuilder::without_ticketing`];
//! - `GET .../pdf` and `.../download` answer `{link, expiresAt}`: a link on this
//!   server (`/files/{token}`, no token needed) that serves the bytes for 5 minutes;
//! - `GET /v1/appointments?start_at=Y-m-d H:i&days=N` is not paginated (default
//!   window: 7 days from now); Mijn Klantportaal's own invoices (`GET /v1/invoices`)
//!   send amounts as JSON numbers and `issuedAt` with `.000Z`, as the vendor's
//!   examples do.
//!
//! Every tag lives on one generic store and route table (see *Structure*), and the
//! mock behaves like the real (Laravel) application where clients tend to break:
//!
//! - **Pagination**: every envelope field, in Laravel's order; an invalid `page`
//!   (`0`, `-1`, `abc`, `2,`, too large for 64 bits) serves page 1; past the end
//!   serves `data: []` with `from`/`to` null and a `prev_page_url`.
//! - **Data**: any number of invoices (a million costs nothing: they are computed from
//!   the seed and their index on demand), with realistic ids, repeating customers,
//!   per-year invoice numbers, decimal-string amounts and `+01:00`/`+02:00` offsets;
//!   the customers they reference (one per eight invoices, [`Dataset::customer`]);
//!   of the smaller kinds (webhooks, payment links and their payments, punch cards
//!   and the cards issued for them, Mijn Klantportaal's own invoices), a fixed
//!   handful drawn from the seed, enough for two pages at `per_page(5)`.
//! - **Writes**: created resources join their lists (newest last, or first with
//!   [`Order::NewestFirst`]) and answer `GET`; marked-paid invoices, edited customers
//!   and closed payment links stay changed. Only what was created or changed is
//!   stored. Request date-times (`Y-m-d H:i:s`) are Amsterdam local time.
//! - **Validation from the spec**: every request body is checked against its
//!   operation's request schema in the spec, which the binary embeds
//!   (`openapi.json`, written by `cargo xtask generate`): types, required fields,
//!   `nullable`, `enum`, formats, bounds, lengths, items, `$ref`/`allOf`, plus the
//!   Laravel rules the schema cannot say, declared next to the property as
//!   `x-laravel: ["exists:customers", "max:255"]` (or in the object's
//!   `x-laravel-properties`; the spec's root lists the rules understood). Invalid
//!   input gets Laravel's 422 (`{"message", "errors": {field: [..]}}`, fields in the
//!   schema's order, Laravel's texts), after an unknown id's 404; a body that is not
//!   JSON (or not an object) gets 400, a media type the operation does not take 415,
//!   a body over 1 MiB (a form: 11 MiB) 413. The `pdf` part must be a file that
//!   starts with `%PDF-`.
//! - **Auth**: `Authorization: Bearer <token>` or 401 `{"message": "Unauthenticated."}`;
//!   the token can be swapped or expire while the server runs.
//! - **OAuth2**: with [`MockServerBuilder::oauth`], the management host's
//!   `GET /oauth/authorize` (approved at once: a redirect with `code` and `state`) and
//!   `POST /oauth/tokens` (code and refresh-token grants, JSON bodies), on an origin of
//!   its own ([`MockServer::oauth_url`]) or the API's; access tokens expire after a
//!   configurable lifetime on tokio's clock and then get the API's 401; grants can be
//!   revoked ([`MockServer::revoke_oauth_grants`]) and refresh tokens rotated
//!   ([`MockOAuth`]).
//! - **Rate limits**: a fixed window per token with `X-RateLimit-*` headers on every
//!   response and the documented 429.
//! - **Many accounts**: [`MockServerBuilder::account`] adds portals, each with its
//!   own token, dataset, rate limit and OAuth grant ([`MockAccount`]); requests go to
//!   the account whose token they carry.
//! - **Errors**: Laravel's 404 and 405 bodies; the server never panics on bad input.
//! - **Live table**: invoices added and deleted while a listing runs, every `n`-th
//!   list request ([`Live`]), listed oldest or newest first ([`Order`]); concurrent
//!   list requests can be evaluated in a seeded arbitrary order, so page 3 reads
//!   the table before page 2 ([`MockServerBuilder::reorder`]). The added and deleted
//!   invoices are kept as a short list beside the generated dataset, so the table
//!   stays cheap and replayable.
//! - **Failure injection**: seeded latency, 5xx answers, malformed and truncated JSON,
//!   dropped connections, pages with the wrong `current_page` (see [`Faults`]; drawn by
//!   the request's number among its route's requests), the
//!   documented quirks (see [`Quirks`]), and writes carried out whose answer is then
//!   dropped ([`MockServer::drop_next_write_responses`]), to prove a client does not
//!   create an invoice twice, or resolves a second close's 422 by reading back.
//! - **Observation**: every request is recorded ([`MockServer::requests`], the newest
//!   [`MockServerBuilder::request_log_limit`] of them) and every
//!   answer counted ([`MockServer::stats`]); every list request's read of the table
//!   ([`MockServer::evaluations`]) and every change ([`MockServer::changes`]) is
//!   logged, so a test can ask which invoices a listing had to return
//!   ([`MockServer::ids_present_throughout`]); what clients created is listed
//!   ([`MockServer::invoices_created`], [`MockServer::customers_created`]) and the
//!   current state of any row of any kind readable as `GET` shows it
//!   ([`MockServer::rows`], [`MockServer::row`] with a [`Kind`]; [`MockServer::invoice`],
//!   [`MockServer::customer`] as records).
//! - **One clock**: everything the mock writes or compares (`createdAt`, expiry, a new
//!   subscription's status, the default appointment window, `X-RateLimit-Reset`) reads
//!   [`MockServer::now`]: tokio time since the start, from 2026-01-01T00:00+01:00, never
//!   the wall clock; under tokio's paused clock a test moves it with
//!   `tokio::time::advance`.
//!
//! The same options are available from the command line through the `mkp-mock` binary
//! (`cargo run -p mijnklantportaal-mock -- --help`).
//!
//! # Structure
//!
//! Small by design, however many operations it serves: one generic resource store
//! (`store.rs`: a table per kind of resource, with its starting rows computed from
//! the seed, created and edited rows, order and live changes), one paginator
//! (`paginator.rs`), one route table (`routes.rs`: the spec's operations and their
//! handlers) with one pipeline around it (`handler.rs`: rate limit, auth, 404/405, request
//! bodies checked against the spec by one rule engine (`rules.rs`), faults, writes,
//! recording, latency), and per tag only what is its own
//! (`resources/<tag>.rs`: the record, its seeded rows, building and changing it; the
//! module documentation of `resources/mod.rs` says how to add one).
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
