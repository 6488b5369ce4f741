//! A faithful, deterministic mock of the Mijn Klantportaal REST API.
//!
//! Tests, examples and benchmarks of the client crates run against this server
//! instead of the real API. It serves the operations below statefully, every tag on
//! one generic store and route table (see *Structure*), and behaves like the real
//! (Laravel) application where clients tend to break:
//!
//! | operation | answer |
//! |---|---|
//! | `GET /v1/customer-invoices` | 200, simple paginator of invoices |
//! | `GET /v1/customer-invoices/{id}` | 200, invoice with `links.onlinePaymentLink` |
//! | `POST /v1/customer-invoices` (multipart: `customerId`, `invoiceNumber`, `issuedAt`, `amount`, `pdf`, `paidAt`?, `sendNotification`?) | 201, invoice |
//! | `POST /v1/customer-invoices/manual` (JSON with `lines`) | 201, invoice |
//! | `PATCH /v1/customer-invoices/{id}` (JSON `{paidAt}`) | 200, invoice |
//! | `GET /v1/customer-invoices/{id}/pdf` | 200, `{link, expiresAt}`; the link (`/files/{token}`, no token needed) serves the PDF for 5 minutes |
//! | `GET /v1/customers` | 200, simple paginator of customers |
//! | `POST /v1/customers` (JSON) | 201, customer |
//! | `GET /v1/customers/{id}` | 200, customer |
//! | `PATCH /v1/customers/{id}` (JSON, partial) | 200, customer |
//! | `GET /v1/customer-groups`, `GET /v1/customer-groups/{id}` | 200, simple paginator of groups; group |
//! | `POST /v1/customer-groups` (JSON `name`, `customers`?) | 201, group; its customers' `customerGroups` name it |
//! | `PATCH /v1/customer-groups/{id}` (JSON `name`) | 200, group |
//! | `POST /v1/customer-groups/{id}/customers` (JSON `customers`) | 200, `{data: [...]}` the known customers sent, now in the group (unknown ids ignored) |
//! | `GET /v1/customer-offers`, `GET /v1/customer-offers/{id}` | 200, simple paginator of offers; offer |
//! | `POST /v1/customer-offers` (multipart, as an invoice upload plus `expiresAt`, `acceptedAt`?, `rejectedAt`?) | 201, offer |
//! | `POST /v1/customer-offers/manual` (JSON with `lines`, `expiresAt`) | 201, offer |
//! | `PATCH /v1/customer-offers/{id}` (JSON `acceptedAt` and/or `rejectedAt`) | 200, offer accepted or rejected |
//! | `GET /v1/customer-subscriptions`, `GET /v1/customer-subscriptions/{id}` | 200, simple paginator of subscriptions; subscription |
//! | `POST /v1/customer-subscriptions` (JSON) | 201, subscription, `planned` or `in_progress` |
//! | `PATCH /v1/customer-subscriptions/{id}` (JSON, partial; `terminatedAt`) | 200, subscription (`terminated` once `terminatedAt` is set) |
//! | `GET /v1/customer-subscription-packages`, `GET /v1/customer-subscription-packages/{id}` | 200, simple paginator of packages; package |
//! | `POST /v1/customer-subscription-packages` (JSON) | 201, package |
//! | `POST /v1/customer-subscription-packages/{id}/sign-up` (JSON) | 201, the customer subscription made from the package |
//! | `GET /v1/payment-links` | 200, simple paginator of payment links (seeded: open, paid, expired, closed; single use and reusable) |
//! | `POST /v1/payment-links` (JSON: `description`, `amount`, `expiresAt`?, `reusable`?) | 201, open link with `checkoutUrl` |
//! | `GET /v1/payment-links/{id}` | 200, payment link |
//! | `DELETE /v1/payment-links/{id}` | 200, the link, now `closed`; a closed link answers 422 |
//! | `GET /v1/payment-links/{id}/payments` | 200, simple paginator of the link's payments (`plp_`) |
//! | `GET /v1/invoices` | 200, simple paginator of Mijn Klantportaal's own invoices to the account (seeded, monthly; amounts as JSON numbers, `issuedAt` ISO with `.000Z`, as the vendor's examples) |
//! | `GET /v1/invoices/{id}` | 200, one of them |
//! | `GET /v1/punch-cards` | 200, simple paginator of punch cards (seeded: for sale or not, expiring or not) |
//! | `POST /v1/punch-cards` (JSON: `name`, `punches`, `punchLabel`, `description`?, `forSale`?, `price` and `vatRate` when for sale, `expiryValue` with `expirePeriod`?) | 201, punch card |
//! | `GET /v1/punch-cards/{id}` | 200, punch card |
//! | `PATCH /v1/punch-cards/{id}` (JSON: `forSale`, `price` and `vatRate` when for sale) | 200, punch card |
//! | `GET /v1/punch-cards/{id}/issued` | 200, simple paginator of the cards issued for it (`pcb_`; seeded: active, expired, fully used) |
//! | `POST /v1/punch-cards/{id}/issued` (JSON `customerId`: an existing customer) | 201, issued card with every punch left |
//! | `GET /v1/punch-cards/{id}/issued/{issuedId}` | 200, issued card (404 under another punch card) |
//! | `POST /v1/punch-cards/{id}/issued/{issuedId}/stamp` (JSON `stamps`: 1 to the punches left) | 200, the card with `punchesLeft` lowered, `fully_used` at 0; a fully used or expired card answers 422 |
//! | `GET /v1/webhooks` | 200, simple paginator of webhook records (seeded) |
//! | `POST /v1/webhooks` (JSON: `url`, `type`: one of the 23 event names) | 201, record with a random 20-character `secret` |
//! | `GET /v1/webhooks/{id}` | 200, webhook record |
//! | `GET /v1/agreements` | 200, simple paginator of agreements (seeded, sent and signed), without signers and documents |
//! | `POST /v1/agreements` (multipart: `name`, `signerName`, `signerSignatureData`, `signers[i][firstName\|lastName\|email\|shouldIdentify]` (1 to 5), `documents[i]` (1 to 5 files, 5 MB)) | 201, agreement with signers and documents, `sent` |
//! | `GET /v1/agreements/{id}` | 200, agreement with signers and documents |
//! | `GET /v1/agreements/{id}/documents/{id}/download` | 200, `{link, expiresAt}` to the document |
//! | `GET /v1/appointments?start_at=Y-m-d H:i&days=N` | 200, `{data: [...]}`: the appointments starting in the window (default: 7 days from now), not paginated |
//! | `POST /v1/appointments` (JSON: `name`, `startsAt`, `endsAt`, `customerId` or `attendeeName` + `attendeeEmail`) | 201, `scheduled` appointment with an online meeting link |
//! | `GET /v1/appointments/{id}` | 200, appointment |
//! | `PATCH /v1/appointments/{id}` (JSON `{status}`: `scheduled` or `canceled`) | 200, appointment |
//! | `POST /v1/files?directory=fsd_...` (multipart `file`, or JSON `{name}` for a directory) | 201, file or directory |
//! | `GET /v1/files/{id}` | 200, file (`fsf_`) or directory (`fsd_`) |
//! | `GET /v1/files/{id}/download` | 200, `{link, expiresAt}` to the file (not a directory) |
//! | `GET /v1/file-requests` | 200, simple paginator of file requests (seeded, open and complete) |
//! | `POST /v1/file-requests` (JSON: `name`, `requestedFiles` (1 to 10), `description`?, `customerId`?, `directoryId`?) | 201, open request with `links.publicRequest` |
//! | `GET /v1/file-requests/{id}` | 200, file request |
//! | `GET /v1/file-shares` | 200, simple paginator of file shares (seeded) |
//! | `POST /v1/file-shares` (JSON: `content` ids, `customerId`?) | 201, share with the shared files and directories and `links.publicShare`; they get its `fileShareId` |
//! | `GET /v1/tickets` | 200, simple paginator of tickets (seeded: portal, e-mail, chat; open and closed), without messages |
//! | `GET /v1/tickets/{id}` | 200, ticket with messages |
//! | `POST /v1/tickets/{id}` (JSON `{message}`) | 200, ticket with the reply, reopened; 422 for a chat ticket |
//! | `PATCH /v1/tickets/{id}` | 200, ticket, now `closed`; a closed ticket answers 422 |
//! | `POST /v1/tickets/{id}/message/{id}/attachment` (multipart `attachment`) | 200, ticket; 422 after the message's first 5 minutes (tokio's clock) or for a chat; every ticket request answers 426 with [`MockServerBuilder::without_ticketing`] |
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
//! (`paginator.rs`), one route table (`routes.rs`: method, path template, operation)
//! with one pipeline around it (`handler.rs`: rate limit, auth, 404/405, request
//! bodies checked against the spec by one rule engine (`rules.rs`), faults, writes,
//! recording, latency), and per tag only what is its own
//! (`resources/<tag>.rs`: the record, its JSON, reading the valid input, actions; the module
//! documentation of `resources/mod.rs` says how to add one).
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
