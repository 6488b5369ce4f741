//! An ergonomic, async client for the Mijn Klantportaal REST API.
//!
//! "Give me all my customer invoices" is one line, and it is correct: pages are
//! requested by number (and a few ahead, concurrently) within the API's rate limit of 60
//! requests a minute, transient failures are retried, repeats are dropped, and every
//! failure is one [`Error`] you can match on.
//!
//! The models are generated from the workspace's OpenAPI spec (crate
//! `mijnklantportaal-api`): amounts are [`rust_decimal::Decimal`], timestamps keep the
//! server's UTC offset ([`chrono::DateTime<FixedOffset>`](chrono::DateTime)).
//!
//! # One handler per tag of the API
//!
//! Each of the API's 16 tags has a handler reached from the [`Client`]:
//! [`agreements`](Client::agreements), [`appointments`](Client::appointments),
//! [`customers`](Client::customers), [`customer_groups`](Client::customer_groups),
//! [`customer_invoices`](Client::customer_invoices),
//! [`customer_offers`](Client::customer_offers),
//! [`customer_subscriptions`](Client::customer_subscriptions),
//! [`customer_subscription_packages`](Client::customer_subscription_packages),
//! [`files`](Client::files), [`file_requests`](Client::file_requests),
//! [`file_shares`](Client::file_shares), [`mkp_invoices`](Client::mkp_invoices) (Mijn
//! Klantportaal's own invoices to you), [`payment_links`](Client::payment_links),
//! [`punch_cards`](Client::punch_cards), [`tickets`](Client::tickets) and
//! [`webhooks`](Client::webhooks). Every paginated list is a [`Lister`], the one
//! paginator below; each handler's documentation says which of its writes are retried.
//!
//! # Three ways to list
//!
//! All invoices in a `Vec`:
//! ```no_run
//! # async fn run() -> Result<(), mijnklantportaal::Error> {
//! let client = mijnklantportaal::Client::new("my-api-key")?;
//! let all = client.customer_invoices().list().collect_all().await?;
//! # Ok(())
//! # }
//! ```
//!
//! One invoice at a time, as a [`futures::Stream`]:
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
//! let mut invoices = client.customer_invoices().list().max_items(100).items();
//! while let Some(invoice) = invoices.try_next().await? {
//!     println!("{} {}", invoice.id, invoice.amount);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Page by page, resumable after a failure:
//! ```no_run
//! use futures::StreamExt;
//! # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
//! let mut pages = client.customer_invoices().list().start_page(1).pages();
//! while let Some(page) = pages.next().await {
//!     match page {
//!         Ok(page) => println!("page {}: {} invoices", page.number(), page.items().len()),
//!         Err(e) => {
//!             eprintln!("{e}; resume with .start_page({})", pages.resume_page());
//!             break;
//!         }
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Offset pagination over a live account
//!
//! The API pages by offset, and invoices are added while a listing runs. A listing
//! still yields every invoice that existed for its whole run, once, while new ones are
//! added at the front of the order (newest first) or at its end (oldest first): see "A
//! live table" on [`Lister`] (an insert in the middle of an order is not detected; one
//! page at a time, `.prefetch(1)`, is safe then). Invoices *removed* during a
//! listing shift rows the other way and can make one be missed, which no client can
//! see; an export that must be complete while invoices are deleted is run twice and the
//! ids compared.
//!
//! # Apps for other portals (OAuth2)
//!
//! An app used by many portals connects through OAuth2 instead of an API key:
//! [`OAuthApp::authorization`] gives the URL to send the user to (with a random
//! `state`), [`Authorization::check_redirect`] checks the way back, and
//! [`OAuthApp::exchange`] gets the [`Tokens`]. A client built with
//! [`ClientBuilder::oauth`] refreshes the access token before it expires and once after
//! a 401, one refresh at a time for the client and all its clones, and hands new tokens
//! to [`ClientBuilder::on_new_tokens`]; a refused refresh token is
//! [`Error::ReconnectRequired`].
//!
//! # Many accounts
//!
//! An app that serves many portals makes one client per portal from one app client:
//! [`Client::account`] (an API key) and [`Client::oauth_account`] (stored OAuth
//! [`Tokens`], named by an [`AccountKey`] that [`ClientBuilder::on_account_tokens`]
//! gets back with each refresh). The accounts share the app's connection pool, TLS
//! set-up, settings and cap on requests in flight
//! ([`ClientBuilder::max_in_flight`]), which they take in turns; each has its own rate
//! limiter and token refresh. Making one costs microseconds.
//!
//! ```no_run
//! # async fn run(keys: Vec<String>) -> Result<(), mijnklantportaal::Error> {
//! let app = mijnklantportaal::Client::builder().build_app()?;
//! let portals = keys.iter().map(|key| app.account(key)).collect::<Result<Vec<_>, _>>()?;
//! let listings = portals.iter().map(|p| p.customer_invoices().list().collect_all());
//! for invoices in futures::future::join_all(listings).await {
//!     println!("{} invoices", invoices?.len());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Writes
//!
//! Creates and other POSTs that act (stamp a punch card, reply to a ticket, sign up) are
//! sent at most once unless the server provably did not process them (the API has no
//! idempotency key); after an ambiguous failure the error is [`Error::MaybeApplied`],
//! and e.g. [`CustomerInvoices::find_by_number`] tells whether it went through. Edits
//! (PATCHes that set values) are retried like reads; closing a payment link or a ticket
//! too, and a 422 "already closed" to such a retry is settled by reading it back.

#![deny(missing_docs)]

mod client;
mod error;
mod file_parts;
mod handlers;
mod oauth;
// Written from the spec by `cargo xtask generate`; never edited.
#[rustfmt::skip]
mod operations;
// The resource layer: written from the spec by `cargo xtask generate`; never edited.
// Its parameters are cloned for each attempt whatever their type, `Copy` ones too.
#[rustfmt::skip]
#[allow(clippy::clone_on_copy)]
mod resources;
mod pagination;
mod rate_limit;
mod retry;
mod scheduler;
mod token_refresh;

pub use client::{AccountKey, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_PREFETCH};
pub use error::Error;
pub use handlers::customer_invoices::InvoiceExt;
pub use oauth::{
    Authorization, AuthorizationCode, DEFAULT_OAUTH_URL, OAuthApp, OAuthErrorCode, Prompt, Scope,
    Tokens,
};
pub use pagination::{
    DEFAULT_PAGE_CAP, ItemStream, ListOperation, Lister, Page, PageStream, SimplePage, decode_page,
};
pub use rate_limit::{MAX_WINDOW, RateLimit, RateLimitStatus};
pub use resources::*;
pub use retry::{MAX_BACKOFF, RetryPolicy};
pub use scheduler::DEFAULT_MAX_IN_FLIGHT;

/// The generated models of Agreements, Appointments, Files, File Request, File Share
/// and Tickets.
pub use mijnklantportaal_api::types::{
    Agreement, AgreementDocument, AgreementPage, AgreementSigner, AgreementStatus,
    AgreementWithDetails, Appointment, AppointmentStatus, FileOrDirectory, FileOrDirectoryType,
    FileRequest, FileRequestLinks, FileRequestPage, FileShare, FileShareLinks, FileSharePage,
    NewAgreementSigner, NewAppointmentStatus, NewRequestedFile, RequestedFile, Ticket,
    TicketAttachment, TicketMessage, TicketPage, TicketSource, TicketStatus, TicketWithMessages,
};
/// The generated models, under friendly paths.
pub use mijnklantportaal_api::types::{
    CloudFile, Customer, CustomerChanges, CustomerInvoice, CustomerInvoiceLinks,
    CustomerInvoicePage, CustomerPage, ErrorBody, Link, ManualInvoiceLine, NewCustomer,
    NewManualCustomerInvoice,
};
/// The generated models of customer groups, offers, subscriptions and subscription packages.
pub use mijnklantportaal_api::types::{
    CustomerGroup, CustomerGroupPage, CustomerOffer, CustomerOfferLinks, CustomerOfferPage,
    CustomerSubscription, CustomerSubscriptionChanges, CustomerSubscriptionOptions,
    CustomerSubscriptionPackage, CustomerSubscriptionPackagePage,
    CustomerSubscriptionPackageSignUp, CustomerSubscriptionPage, NewCustomerSubscription,
    NewCustomerSubscriptionPackage, NewManualCustomerOffer, SubscriptionInterval,
    SubscriptionStatus,
};
/// The generated models of payment links, punch cards, Mijn Klantportaal invoices and webhooks.
pub use mijnklantportaal_api::types::{
    IssuedPunchCard, IssuedPunchCardStatus, MkpInvoice, MkpInvoiceLine, NewPaymentLink,
    NewPunchCard, NewWebhook, PaymentLink, PaymentLinkPayment, PaymentLinkPaymentStatus,
    PaymentLinkStatus, PunchCard, PunchCardChanges, PunchCardExpiryPeriod, Webhook,
    WebhookEventType,
};
pub use mijnklantportaal_api::{FilePart, LenientDecimal, LocalDateTime, PerPage, SecretString};

/// The generated low-level crate, for what this one does not wrap yet.
pub use mijnklantportaal_api as api;
