//! The API's resources, one module per tag, all on the one [store](crate::store).
//!
//! Everything that is the same for every tag is written once, elsewhere: the
//! [`Table`](crate::store::Table) (starting rows from the seed, created rows, edits,
//! order, the live-table machinery), the paginator and the generic [`list`] and
//! [`show`] operations, the [route table](crate::routes) with the pipeline around it
//! (rate limit, auth, Laravel's 404/405, faults, latency, recording), request
//! bodies checked against the spec ([`requests`](crate::requests),
//! [`rules`](crate::rules); Laravel's 422 body in [`validation`](crate::validation)),
//! and the answer to a write (counted,
//! dropped when a test asks for it: [`Call::written`]). A tag's module holds only what
//! is its own.
//!
//! # How to add a resource
//!
//! Copy the nearest worked example: [`webhooks`] (a top-level list, create, get) or
//! [`payment_links`] (the same, plus an action that changes state and answers 422 when
//! repeated, and a list under a parent); [`customers`] has an edit, and
//! [`customer_invoices`] a multipart upload. In `src/resources/<tag_snake>.rs`:
//!
//! 1. **The record type**: a struct with the fields the reference (and the tag's
//!    spec file) documents, money in cents (`u64`, sent as a decimal string with
//!    [`amount`]), timestamps as `DateTime<FixedOffset>`, enum-like strings as a small
//!    enum or a `&'static str` from a list. It is `pub(crate)` unless tests outside
//!    the crate need it (then `pub`, `#[non_exhaustive]`, re-exported from `lib.rs`).
//! 2. **Its JSON**: the record derives `Serialize`, fields in the vendor example's
//!    order, `#[serde(rename_all = "camelCase")]`, timestamps with
//!    `serialize_with = "dutch_time::atom_json"` (ATOM, Dutch offset), money with
//!    [`amount_json`] after a `currency: Eur` field, and `#[serde(skip)]` on what the
//!    JSON does not show. That is its list form and the answer to writes (the blanket
//!    [`Listed`](crate::paginator::Listed) impl). Only a record whose JSON holds
//!    absolute links under the request's origin implements `Listed` by hand, with a
//!    small twin borrowing from it (see [`file_shares`]).
//! 3. **`impl Record`**: `MODEL` (the Laravel model in the 404 message,
//!    `App\Models\<Thing>`), `id`, `parent_id` for rows listed under a parent, `shown` if `GET /{id}` shows more than the list, and `base`: the rows
//!    the table starts with, `Seeded::new(IdCodec::new("xyz_", seed, IDS), COUNT,
//!    |index, id| Some(Thing { .. }))`, every field drawn from
//!    [`draw`]`(seed, STREAM, index)` (or a fixed table of states,
//!    as payment links do) and `created_at` from [`seeded_time`], so the same seed
//!    gives the same rows. Seed enough rows for two pages at `per_page(5)`, and a row
//!    in every state the life cycle knows. New random streams get the tag's own hex
//!    prefix (`0x3EB_0001`...), so no other resource's draws change.
//! 4. **Validation** is the spec's: the pipeline checks each body against the
//!    operation's request schema before the handler runs (see
//!    [`rules`](crate::rules)). A rule the schema cannot say goes next to the property
//!    in the tag's spec file, `x-laravel: ["exists:customers"]`; run `cargo xtask
//!    generate` so the mock's embedded `openapi.json` has it. A rule on the row's
//!    state (stamps beyond the punches left) is the handler's, a 422 from
//!    [`Call::unprocessable`].
//! 5. **Operations**: `fn op<'a>(call: &'a Call<'a>, body: Body) -> BoxFuture<'a, Reply>`.
//!    Lists and gets are the generic [`list`]`::<Thing>` and [`show`]`::<Thing>`. A
//!    create reads the valid body (`call.json(body).await?`, or `call.form(..)`: the
//!    422 the spec's rules found, if any), its values with [`input`](crate::input)
//!    (`input::text(&input, "name")`), builds the row with
//!    `call.insert(|slot| Thing { id: slot.id, .. })?` (the slot also brings the new
//!    row's `created_at`) and answers `call.written(StatusCode::CREATED, &thing)`.
//!    An edit or action first finds the row (`call.find::<Thing>(0)?`: Laravel's 404
//!    before the body is read), then goes through
//!    [`Call::edit`](crate::handler::Call::edit)`(&id, body, check, apply)` (or
//!    [`Call::change`](crate::handler::Call::change) without a body): `check` sees the
//!    row as it is now and the valid input, and refuses the row's state
//!    (`Err(call.refused("..."))`, a 422 such as "already closed") or returns what to
//!    apply, and `apply` changes the row, both under the table's lock, so two requests
//!    never both pass a check only one may pass. It answers
//!    `call.written(StatusCode::OK, &thing)`. A list under a parent finds the parent
//!    and answers `call.list::<Child>(Some(parent.id)).await`. A non-paginated
//!    `{data: [...]}` list renders its own body and answers `call.ok_json(..)`.
//!    Writes answered through `written` are counted and honour
//!    `drop_write_responses`; refusals are counted too.
//! 6. **Unit tests** in the module: the JSON's exact text (field order), and the
//!    spec's answers to its writes (`rules::json_errors("create-thing", body)`).
//!
//! Then add `pub(crate) mod <tag_snake>;` below, the tag's rows to
//! [`routes`](crate::routes) (in its own section; literal segments before
//! parameters: a test checks no row is shadowed), its operations to the table at the
//! top of `lib.rs`, and HTTP tests in `tests/it/<tag_snake>.rs` (see
//! `tests/it/payment_links.rs`): every operation, the life cycle, 404 and 422,
//! pagination, a write whose answer is dropped.

use axum::body::Body;
use chrono::{DateTime, FixedOffset};
use futures::future::BoxFuture;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use tokio::time::Instant;

use crate::dutch_time;
use crate::files::{CloudFileJson, LinkError};
use crate::handler::{Call, Reply, server_error};
use crate::responses;
use crate::rng::draw;
use crate::store::{Record, lock};

pub(crate) mod agreements;
pub(crate) mod appointments;
pub(crate) mod customer_groups;
pub(crate) mod customer_invoices;
pub(crate) mod customer_offers;
pub(crate) mod customer_subscription_packages;
pub(crate) mod customer_subscriptions;
pub(crate) mod customers;
pub(crate) mod file_requests;
pub(crate) mod file_shares;
pub(crate) mod files;
/// The vendor's "Invoices API": Mijn Klantportaal's own invoices to the account.
pub(crate) mod invoices;
pub(crate) mod payment_links;
pub(crate) mod punch_cards;
pub(crate) mod tickets;
pub(crate) mod webhooks;

/// `GET /{things}`: the first-level list of `R`, paginated.
pub(crate) fn list<'a, R: Record>(call: &'a Call<'a>, _body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(call.list::<R>(None))
}

/// `GET /{things}/{id}`: one `R` (route parameter 0), or Laravel's 404.
pub(crate) fn show<'a, R: Record>(call: &'a Call<'a>, _body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move { call.show(&call.find::<R>(0)?) })
}

/// 2025-01-01T00:00:00+01:00: the seeded rows of the small kinds are created from then
/// on.
const SEEDED_FROM: i64 = 1_735_686_000;
/// Days between the creation of two seeded rows of one kind.
const SEEDED_GAP_DAYS: i64 = 14;

/// When seeded row `index` of a small kind was created: two weeks after the previous
/// one, at a time of day drawn from `stream`, so a kind's first 26 rows are created
/// during 2025 (before every row added while the server runs).
pub(crate) fn seeded_time(seed: u64, stream: u64, index: u64) -> Option<DateTime<FixedOffset>> {
    const DAY: i64 = 24 * 3600;
    let days = i64::try_from(index).ok()?.checked_mul(SEEDED_GAP_DAYS)?;
    let time_of_day = (draw(seed, stream, index) % DAY as u64) as i64;
    dutch_time::at(SEEDED_FROM + days * DAY + time_of_day)
}

/// `len` random letters and digits (`OUJX2prdBbJxR77BZlGz`), drawn from `stream`
/// for row `number`.
pub(crate) fn random_string(seed: u64, stream: u64, number: u64, len: usize) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..len as u64)
        .map(|i| {
            let r = draw(
                seed,
                stream,
                number.wrapping_mul(len as u64).wrapping_add(i),
            );
            char::from(ALPHABET[(r % ALPHABET.len() as u64) as usize])
        })
        .collect()
}

/// Counts the notification a create asks for (`sendNotification`).
pub(crate) fn notify(call: &Call<'_>, input: &crate::validation::Input) {
    if crate::input::boolean(input, "sendNotification").unwrap_or(false) {
        call.shared().count(|stats| stats.notifications += 1);
    }
}

/// `{link, expiresAt}`: a temporary download link (on this server) to the file of the
/// resource `id`, valid for the server's link lifetime.
pub(crate) fn cloud_file(call: &Call<'_>, id: &str) -> Reply {
    let (token, lifetime) = lock(&call.shared().files).issue(id, Instant::now());
    let lifetime = chrono::Duration::from_std(lifetime).map_err(|_| server_error())?;
    let expires_at = call
        .now()?
        .checked_add_signed(lifetime)
        .ok_or_else(server_error)?;
    let json = CloudFileJson {
        link: format!("{}/files/{token}", call.origin),
        expires_at: dutch_time::atom(&expires_at),
    };
    call.ok_json(serde_json::to_vec(&json))
}

/// `GET /files/{token}`: the bytes of what the link names while it works (an
/// invoice's PDF, a file, an agreement document); 404 for an unknown link, 403 for an
/// expired one.
pub(crate) fn download<'a>(call: &'a Call<'a>, _body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move {
        let shared = call.shared();
        let resolved = lock(&shared.files)
            .resolve(call.param(0), Instant::now())
            .map(str::to_owned);
        let found = resolved.map(|id| {
            customer_invoices::downloadable(shared, &id)
                .or_else(|| files::downloadable(shared, &id))
                .or_else(|| agreements::downloadable(shared, &id))
        });
        let download = match found {
            Ok(Some(download)) => download,
            Ok(None) | Err(LinkError::Unknown) => {
                shared.count(|stats| stats.not_found += 1);
                let message = responses::message(StatusCode::NOT_FOUND, "File not found.");
                return Err(Box::new(message));
            }
            Err(LinkError::Expired) => {
                shared.count(|stats| stats.expired_links += 1);
                let message = responses::message(StatusCode::FORBIDDEN, "This link has expired.");
                return Err(Box::new(message));
            }
        };
        shared.count(|stats| stats.served_ok += 1);
        let mut response = axum::response::Response::new(Body::from(download.bytes));
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&download.media_type) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        let disposition = format!(
            "attachment; filename=\"{}\"",
            download.file_name.replace(['"', '\\'], "_")
        );
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        Ok(response)
    })
}

/// An amount in cents as the API sends money: a decimal string with two decimals.
pub(crate) fn amount(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The currency of every amount in the mock, serialized as `"EUR"`: a record's
/// `currency` field, in the vendor's field order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Eur;

impl Serialize for Eur {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("EUR")
    }
}

/// Serializes an amount in cents as [`amount`] does
/// (`#[serde(serialize_with = "amount_json")]`).
pub(crate) fn amount_json<S: serde::Serializer>(
    cents: &u64,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&amount(*cents))
}

/// How records are being written: the origin of their links, and whether as
/// `GET /{id}` shows one or as a row of a list. Records derive `Serialize`; the few
/// fields that depend on the request read it while [`render`] runs: a [`Link`] (a
/// path on this server, written under the origin) and a field only `GET /{id}` shows
/// (`#[serde(skip_serializing_if = "in_list")]`). A thread-local, because serde
/// passes no context, set and restored around one synchronous serialization.
#[derive(Debug, Default)]
struct View {
    origin: String,
    detail: bool,
}

thread_local! {
    static VIEW: std::cell::RefCell<View> = std::cell::RefCell::default();
}

/// `value` as JSON, its links under `origin`, as `GET /{id}` shows it (`detail`) or as
/// a list row.
pub(crate) fn render<T: Serialize + ?Sized>(
    value: &T,
    origin: &str,
    detail: bool,
) -> serde_json::Result<Vec<u8>> {
    let view = View {
        origin: origin.to_owned(),
        detail,
    };
    let outer = VIEW.replace(view);
    let json = serde_json::to_vec(value);
    VIEW.set(outer);
    json
}

/// For `skip_serializing_if`: a field that lists leave out.
pub(crate) fn in_list<T>(_field: &T) -> bool {
    VIEW.with_borrow(|view| !view.detail)
}

/// A link object, `{href, type}` (`type`: a media type): a path on this server,
/// written under the request's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    path: String,
    media_type: &'static str,
}

impl Link {
    /// The API resource of customer `id`.
    pub(crate) fn customer(id: &str) -> Self {
        let path = format!("/v1/customers/{id}");
        Link {
            path,
            media_type: "application/json",
        }
    }

    /// A page of the portal (`text/html`) at `path`.
    pub(crate) fn page(path: String) -> Self {
        Link {
            path,
            media_type: "text/html",
        }
    }
}

impl Serialize for Link {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("href", &url(&self.path))?;
        map.serialize_entry("type", self.media_type)?;
        map.end()
    }
}

/// The `links` of a record that belongs to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CustomerLinks {
    customer: Link,
}

impl CustomerLinks {
    pub(crate) fn new(customer_id: &str) -> Self {
        let customer = Link::customer(customer_id);
        CustomerLinks { customer }
    }
}

/// `path` under the origin of the [`render`] running.
fn url(path: &str) -> String {
    VIEW.with_borrow(|view| format!("{}{path}", view.origin))
}

/// Serializes the path of a page as its URL under the request's origin, `None` as
/// `null` (`#[serde(serialize_with = "url_json")]`).
pub(crate) fn url_json<S: serde::Serializer>(
    path: &Option<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    path.as_deref().map(url).serialize(serializer)
}

/// `value` as a list shows it, links under `http://h` (unit tests).
#[cfg(test)]
pub(crate) fn listed_text<T: Serialize>(value: &T) -> String {
    String::from_utf8(render(value, "http://h", false).unwrap_or_default()).unwrap_or_default()
}

/// `value` as a list shows it, links under `http://h`, as a JSON value (unit tests).
#[cfg(test)]
pub(crate) fn listed_value<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::from_str(&listed_text(value)).unwrap_or_default()
}
