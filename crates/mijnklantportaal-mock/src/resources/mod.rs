//! The API's resources, one module per tag, all on the one [store](crate::store).
//!
//! Everything that is the same for every tag is written once, elsewhere: the
//! [`Table`](crate::store::Table) (seeded rows, created rows, edits, order, the
//! live-table machinery), the paginator and the generic [`list`] and [`show`], the
//! [route table](crate::routes) read from the spec with the pipeline around it (rate
//! limit, auth, Laravel's 404/405, faults, latency, recording), request bodies
//! checked against the spec ([`rules`](crate::rules)), one create path
//! ([`Call::create`], [`Call::insert`]), one change path under the table's lock
//! ([`Call::edit`], [`Call::change`]), and the answer to a write ([`Call::written`]:
//! counted, dropped when a test asks for it). A tag's module holds only what is its
//! own.
//!
//! # How to add a resource
//!
//! In `src/resources/<tag_snake>.rs` (see [`payment_links`]: a list, a create, an
//! action that answers 422 when repeated, and a list under a parent):
//!
//! 1. **The record** derives `Serialize`, fields in the vendor example's order,
//!    `#[serde(rename_all = "camelCase")]`; money in cents with [`amount_json`] after
//!    a `currency: Eur` field, timestamps with `dutch_time::atom_json`, `#[serde(skip)]`
//!    on what the JSON does not show. A link under the request's origin is a [`Link`]
//!    (or a path with [`url_json`]), a field only `GET /{id}` shows has
//!    `skip_serializing_if = "in_list"`, several fields computed from one have
//!    `flatten, serialize_with` (see [`invoices`]).
//! 2. **`impl Record`**: `MODEL` (`App\Models\<Thing>`, for the 404), `id`,
//!    `parent_id` for rows listed under a parent, and `base`: the seeded rows,
//!    `Seeded::new(IdCodec::new("xyz_", seed, IDS), COUNT, |index, id| ..)`, every
//!    field drawn from [`draw`] on the tag's own streams (`0x3EB_0001`...) and
//!    `created_at` from [`seeded_time`], so the same seed gives the same rows.
//! 3. **Validation** is the spec's; a rule the schema cannot say goes next to the
//!    property in the tag's spec file (`x-laravel: ["exists:customers"]`, then `cargo
//!    xtask generate`). A rule on the row's state is the handler's 422
//!    ([`Call::refused`], [`Call::unprocessable`]).
//! 4. **Operations**: `fn op<'a>(call: &'a Call<'a>, body: Body) -> BoxFuture<'a,
//!    Reply>`. A create is `call.create(body, build)` with `build(&Input, Slot) ->
//!    Option<Thing>`; an edit or action finds the row (`call.find::<Thing>(0)?`: the
//!    404 before the body is read), then `call.edit(&id, body, guard, apply)`:
//!    `guard` refuses the row's state or reads the input, `apply` changes the row,
//!    both under the table's lock, so two requests never both pass a guard only one
//!    may pass. Then map each operationId to its handler in [`routes`](crate::routes),
//!    and add HTTP tests in `tests/it/`.
//! 5. **Unit tests** in the module: the JSON's exact text (field order), and the
//!    spec's answers to its writes (`rules::json_errors("create-thing", body)`).

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

/// The currency of every amount in the mock, serialized as `"EUR"`.
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
