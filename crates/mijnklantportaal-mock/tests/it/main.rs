//! Integration tests: a real mock server on loopback, real HTTP clients.
//!
//! One test binary (modules below) rather than one per file, to link once.

mod auth;
mod bodies;
mod clock;
mod common;
mod contract;
mod customers;
mod dataset;
mod faults;
mod inspect;
mod invoice_writes;
mod latency;
mod live;
mod oauth;
mod pagination;
mod payment_links;
mod races;
mod rate_limit;
mod recording;
mod robustness;
mod routes;
mod validation;
mod webhooks;
mod writes;
