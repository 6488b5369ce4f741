//! The API's resources, one module per tag, all on the one [store](crate::store).
//!
//! Everything that is the same for every tag is written once, elsewhere: the
//! [`Table`](crate::store::Table) (starting rows from the seed, created rows, edits,
//! order, the live-table machinery), the paginator and the generic [`list`] and
//! [`show`] operations, the [route table](crate::routes) with the pipeline around it
//! (rate limit, auth, Laravel's 404/405, faults, latency, recording), Laravel's
//! validation rules and 422 body ([`validation`](crate::validation)), the body
//! readers ([`requests`](crate::requests)), and the answer to a write (counted,
//! dropped when a test asks for it: [`Call::written`]). A tag's module holds only what
//! is its own.
//!
//! # How to add a resource
//!
//! Model it on [`customers`] (list, create, get, edit). In
//! `src/resources/<tag_snake>.rs`:
//!
//! 1. **The record type**: a struct with the fields the reference documents, money
//!    in cents (`u64`, sent as a decimal string with [`amount`]), timestamps as
//!    `DateTime<FixedOffset>` (sent with [`dutch_time::atom`](crate::dutch_time::atom)).
//!    It is `pub(crate)` unless tests outside the crate need it (then `pub`,
//!    `#[non_exhaustive]`, re-exported from `lib.rs`).
//! 2. **Its JSON form**: a `#[derive(Serialize)]` struct borrowing from the record,
//!    fields in the vendor example's order, and `impl Listed` returning it (the list
//!    form; also the answer to writes).
//! 3. **`impl Record`**: `MODEL` (the Laravel model in the 404 message,
//!    `App\Models\<Thing>`), `id`, `created_at`, `parent_id` for rows listed under a
//!    parent, `shown` if `GET /{id}` shows more than the list, and `base`: the rows
//!    the table starts with, usually
//!    `Seeded::new(IdCodec::new("xyz_", seed, DOMAIN), COUNT, |index, id| ...)` with
//!    every field drawn from [`draw`](crate::rng::draw)`(seed, STREAM, index)`, so the
//!    same seed gives the same rows. Seed enough rows for two pages at a small
//!    `per_page`, created before 2026 (rows created while the server runs come
//!    after). Pick a new `DOMAIN`/`STREAM` constant (the tag's own hex prefix) so no
//!    other resource's draws change.
//! 4. **Validation**: one function per write that takes the [`Input`](crate::validation::Input)
//!    and returns what to store or the [`Errors`](crate::validation::Errors) for
//!    Laravel's 422, using the rules in [`validation`](crate::validation) (add a rule
//!    there, with a test, if yours is missing). Required fields first, in the
//!    reference's order: that is the order of the messages.
//! 5. **Operations**: `fn op<'a>(call: &'a Call<'a>, body: Body) -> BoxFuture<'a, Reply>`.
//!    Lists and gets are the generic [`list`]`::<Thing>` and [`show`]`::<Thing>`. A
//!    create reads the body ([`requests::read_json`](crate::requests::read_json)),
//!    validates (`map_err(|e| call.unprocessable(&e))?`), inserts with
//!    `call.with(|t: &mut Table<Thing>| t.create(|slot| Thing { id: slot.id, .. }))`
//!    and answers `call.written(StatusCode::CREATED, &thing)`. An edit or action
//!    first finds the row (`call.find::<Thing>(0)?`: Laravel's 404 before the body is
//!    read), checks its state (`call.refused("...")` for the 422 of "already
//!    closed"), changes it with `t.edit(id, |thing| ...)` and answers
//!    `call.written(StatusCode::OK, &thing)`. A list under a parent finds the parent
//!    and answers `call.list::<Child>(Some(parent.id)).await`.
//! 6. **Tests** in the module for the JSON field order and the validation messages.
//!
//! Then add `pub(crate) mod <tag_snake>;` below, the tag's rows to the route table
//! in [`routes`](crate::routes) (its own section, literal segments before
//! parameters), a line to the table in `lib.rs`'s documentation, and tests over HTTP
//! in `tests/it/<tag_snake>.rs`: every operation, the life cycle, 404 and 422,
//! pagination.

use axum::body::Body;
use futures::future::BoxFuture;
use serde::Serialize;

use crate::handler::{Call, Reply};
use crate::store::Record;

pub(crate) mod customer_invoices;
pub(crate) mod customers;

/// `GET /{things}`: the first-level list of `R`, paginated.
pub(crate) fn list<'a, R: Record>(call: &'a Call<'a>, _body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(call.list::<R>(None))
}

/// `GET /{things}/{id}`: one `R` (route parameter 0), or Laravel's 404.
pub(crate) fn show<'a, R: Record>(call: &'a Call<'a>, _body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move { call.show(&call.find::<R>(0)?) })
}

/// An amount in cents as the API sends money: a decimal string with two decimals.
pub(crate) fn amount(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A link object, `{href, type}` (`type`: a media type).
#[derive(Debug, Serialize)]
pub(crate) struct LinkJson {
    pub(crate) href: String,
    #[serde(rename = "type")]
    pub(crate) media_type: &'static str,
}
