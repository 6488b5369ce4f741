//! The API's resources, one module per tag, on the one [store](crate::store). Here: what
//! tags share (generic handlers, `record!`, seeded values, money and links); a tag's
//! module holds its records, seeded rows and handlers ([`payment_links`] is a small
//! example). Times serialize as chrono does: for Dutch whole seconds, PHP's ATOM.

use axum::response::Response;
use http::{HeaderValue, header};
use serde::Serializer;

use crate::files::{CloudFileJson, LinkError};
use prelude::*;

/// `record!(Type, "Model", |config| base)`: `impl Record` for a type with an `id` field,
/// whose 404 names `App\Models\Model` and whose starting rows are `base`. Options: the
/// field with the parent's id (`"Model", parent_id, |config| ...`); the id's path
/// (`id = 0.id,` after the model); the table's live schedule (`, live = schedule` last).
macro_rules! record {
    ($type:ty, $model:literal, $($parent:ident,)? |$config:ident| $base:expr
        $(, live = $live:expr)?) => {
        record!($type, $model, id = id, $($parent,)? |$config| $base $(, live = $live)?);
    };
    ($type:ty, $model:literal, id = $($id:tt).+, $($parent:ident,)? |$config:ident| $base:expr
        $(, live = $live:expr)?) => {
        impl crate::store::Record for $type {
            const MODEL: &'static str = concat!(r"App\Models\", $model);

            fn id(&self) -> &str {
                &self.$($id).+
            }

            $(fn parent_id(&self) -> Option<&str> {
                Some(&self.$parent)
            })?

            fn base($config: &crate::handler::Config) -> Box<dyn crate::store::Base<Self>> {
                Box::new($base)
            }

            $(fn live($config: &crate::handler::Config) -> crate::live::Live {
                $live
            })?
        }
    };
}

/// The names the tag modules share (`use super::prelude::*`).
mod prelude {
    pub(crate) use axum::body::Body;
    pub(crate) use bytes::Bytes;
    pub(crate) use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate};
    pub(crate) use http::StatusCode;
    pub(crate) use serde::Serialize;
    pub(crate) use tokio::time::Instant;

    pub(crate) use super::files::file_part;
    pub(crate) use super::{Eur, Link, amount, amount_json, cloud_file, in_list, invalid, notify};
    pub(crate) use super::{pick, random_string, render, seeded_time, update};
    pub(crate) use crate::dataset::Dataset;
    pub(crate) use crate::files::{Download, text_pdf};
    pub(crate) use crate::handler::{Call, Refusal, Reply, Shared, server_error};
    pub(crate) use crate::requests::{self, Form};
    pub(crate) use crate::store::{Base, Record, Seeded, Slot, Table, lock};
    pub(crate) use crate::validation::{self, Errors, Input};
    pub(crate) use crate::{dutch_time, ids::IdCodec, input, responses, rng::draw};
}

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
pub(crate) mod invoices;
pub(crate) mod payment_links;
pub(crate) mod punch_cards;
pub(crate) mod tickets;
pub(crate) mod webhooks;

/// `GET /{things}`: the first-level list of `R`, paginated.
pub(crate) async fn list<R: Record>(call: &Call<'_>, _body: Body) -> Reply {
    call.list::<R>(None).await
}

/// `GET /{things}/{id}`: one `R` (route parameter 0), or Laravel's 404.
pub(crate) async fn show<R: Record>(call: &Call<'_>, _body: Body) -> Reply {
    call.show(&call.find::<R>(0)?)
}

/// `apply` the JSON body to the `R` of route parameter 0 (a 404 comes before the body's
/// 422), under its table's lock; 200 with the row.
pub(crate) async fn update<R: Record>(
    call: &Call<'_>,
    body: Body,
    apply: impl FnOnce(&mut R, &Input) -> Result<(), Refusal> + Send,
) -> Reply {
    let row = call.find::<R>(0)?;
    call.written(StatusCode::OK, &call.edit(row.id(), body, apply).await?)
}

/// `GET /{things}/{id}/{children}`: a page of the `C` under the `P` of route parameter 0.
pub(crate) async fn children<P: Record, C: Record>(call: &Call<'_>, _body: Body) -> Reply {
    let parent = call.find::<P>(0)?;
    call.list::<C>(Some(parent.id().to_owned())).await
}

/// A 422 for one field's `message`.
pub(crate) fn invalid(call: &Call<'_>, field: &str, message: impl Into<String>) -> Refusal {
    let mut errors = Errors::default();
    errors.add(field, message.into());
    call.unprocessable(&errors)
}

/// When seeded row `index` of a small kind was created: 2025-01-01T00:00:00+01:00
/// plus two weeks a row, at a time of day drawn from `stream` (26 rows a year).
pub(crate) fn seeded_time(seed: u64, stream: u64, index: u64) -> Option<DateTime<FixedOffset>> {
    const DAY: i64 = 24 * 3600;
    let days = i64::try_from(index).ok()?.checked_mul(14)?;
    let time_of_day = (draw(seed, stream, index) % DAY as u64) as i64;
    dutch_time::at(1_735_686_000 + days * DAY + time_of_day)
}

/// `len` random letters and digits (`OUJX2prdBbJxR77BZlGz`) for row `number`.
pub(crate) fn random_string(seed: u64, stream: u64, number: u64, len: usize) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let first = number.wrapping_mul(len as u64);
    (0..len as u64)
        .map(|i| draw(seed, stream, first.wrapping_add(i)) % ALPHABET.len() as u64)
        .map(|r| char::from(ALPHABET[r as usize]))
        .collect()
}

/// Entry `r` (modulo their number) of the `|`-separated `names`.
pub(crate) fn pick(names: &str, r: u64) -> String {
    let names: Vec<&str> = names.split('|').collect();
    names[(r % names.len() as u64) as usize].to_owned()
}

/// Counts the notification a create asks for (`sendNotification`).
pub(crate) fn notify(call: &Call<'_>, input: &Input) {
    if crate::input::boolean(input, "sendNotification").unwrap_or(false) {
        call.shared().count(|stats| stats.notifications += 1);
    }
}

/// `{link, expiresAt}`: a download link (on this server) to the file of resource `id`.
pub(crate) fn cloud_file(call: &Call<'_>, id: &str) -> Reply {
    let (token, lifetime) = lock(&call.shared().files).issue(id, Instant::now());
    let lifetime = chrono::Duration::from_std(lifetime).map_err(|_| server_error())?;
    let expires_at = call.now()?.checked_add_signed(lifetime);
    let json = CloudFileJson {
        link: format!("{}/files/{token}", call.origin),
        expires_at: dutch_time::atom(&expires_at.ok_or_else(server_error)?),
    };
    call.ok_json(serde_json::to_vec(&json))
}

/// `GET /files/{token}`: the bytes a download link names (an invoice's PDF, a file,
/// an agreement document); 404 for an unknown link, 403 for an expired one.
pub(crate) async fn download(call: &Call<'_>, _body: Body) -> Reply {
    let shared = call.shared();
    let resolved = lock(&shared.files)
        .resolve(call.param(0), Instant::now())
        .map(str::to_owned);
    let found = resolved.map(|id| {
        customer_invoices::downloadable(shared, &id)
            .or_else(|| files::downloadable(shared, &id))
            .or_else(|| agreements::downloadable(shared, &id))
    });
    let (status, message) = match found {
        Ok(Some(download)) => {
            shared.count(|stats| stats.served_ok += 1);
            let name = download.file_name.replace(['"', '\\'], "_");
            let mut response = Response::new(Body::from(download.bytes));
            let disposition = format!("attachment; filename=\"{name}\"");
            let headers = [
                (header::CONTENT_TYPE, download.media_type),
                (header::CONTENT_DISPOSITION, disposition),
            ];
            for (name, value) in headers {
                if let Ok(value) = HeaderValue::try_from(value) {
                    response.headers_mut().insert(name, value);
                }
            }
            return Ok(response);
        }
        Ok(None) | Err(LinkError::Unknown) => {
            shared.count(|stats| stats.not_found += 1);
            (StatusCode::NOT_FOUND, "File not found.")
        }
        Err(LinkError::Expired) => {
            shared.count(|stats| stats.expired_links += 1);
            (StatusCode::FORBIDDEN, "This link has expired.")
        }
    };
    Err(Box::new(responses::message(status, message)))
}

/// An amount in cents as the API sends money: a decimal string with two decimals.
pub(crate) fn amount(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The currency of every amount in the mock, serialized as `"EUR"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Eur;

impl Serialize for Eur {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("EUR")
    }
}

/// `#[serde(serialize_with = "amount_json")]`: cents as [`amount`] writes them.
pub(crate) fn amount_json<S: Serializer>(cents: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&amount(*cents))
}

/// What [`render`] writes for: the origin of links, and whether as `GET /{id}` shows
/// a record or as a list row. Thread-local because serde passes no context.
#[derive(Debug, Default)]
struct View {
    origin: String,
    detail: bool,
}

thread_local! {
    static VIEW: std::cell::RefCell<View> = std::cell::RefCell::default();
}

/// `value` as JSON, links under `origin`, as `GET /{id}` shows it (`detail`) or listed.
pub(crate) fn render<T: Serialize + ?Sized>(
    value: &T,
    origin: &str,
    detail: bool,
) -> serde_json::Result<Vec<u8>> {
    let origin = origin.to_owned();
    let outer = VIEW.replace(View { origin, detail });
    let json = serde_json::to_vec(value);
    VIEW.set(outer);
    json
}

/// For `skip_serializing_if`: a field that lists leave out.
pub(crate) fn in_list<T>(_field: &T) -> bool {
    VIEW.with_borrow(|view| !view.detail)
}

/// A link object, `{href, type}`: a path on this server, and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link(String, &'static str);

impl Link {
    pub(crate) fn customer(id: &str) -> Self {
        Link(format!("/v1/customers/{id}"), "application/json")
    }

    pub(crate) fn page(path: String) -> Self {
        Link(path, "text/html")
    }
}

impl Serialize for Link {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map([("href", url(&self.0).as_str()), ("type", self.1)])
    }
}

/// A record's `links`: its customer's (if any), then a portal page (if any) by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Links(Vec<(&'static str, Link)>);

impl Links {
    pub(crate) fn new(customer_id: Option<&str>, page: Option<(&'static str, String)>) -> Self {
        let customer = customer_id.map(|id| ("customer", Link::customer(id)));
        let page = page.map(|(name, path)| (name, Link::page(path)));
        Links(customer.into_iter().chain(page).collect())
    }
}

impl Serialize for Links {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, link)| (name, link)))
    }
}

/// `path` under the origin of the [`render`] running.
fn url(path: &str) -> String {
    VIEW.with_borrow(|view| format!("{}{path}", view.origin))
}

/// `#[serde(serialize_with = "url_json")]`: a page's path as its URL, `None` as `null`.
pub(crate) fn url_json<S: Serializer>(path: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    path.as_deref().map(url).serialize(s)
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
