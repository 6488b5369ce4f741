//! The wrapper's integration tests, in one test binary: each binary links the wrapper,
//! the mock and all their dependencies again, which a cold CI build pays for in time
//! and disk per file. `tracing.rs` stays a binary of its own (see its top comment).

mod common;

mod accounts;
mod decoding;
mod edges;
mod examples;
mod listing;
mod live_mock;
mod live_table;
mod oauth;
mod resilience;
mod scripted;
mod secrets;
mod tags;
mod traits;
mod write_safety;
mod writes;
