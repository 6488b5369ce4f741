//! Tests only: see `tests/`. The library holds what several test files share.

pub mod json_schema;
pub mod loopback;
pub mod spec_revisions;
