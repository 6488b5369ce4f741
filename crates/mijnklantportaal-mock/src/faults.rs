//! Fault and latency injection: the failures a client must survive, on demand. Which
//! list request fails is a pure function of the seed and the request's number, so a run
//! replays exactly and a retry of the same page (a later number) can succeed. A failed
//! body stream makes hyper close the connection: after half the body (flushed first) for
//! a truncated body, before the status line for a dropped connection.

use std::io;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures::{StreamExt, stream};
use http::{HeaderValue, StatusCode, header};

use crate::responses;
use crate::rng::{draw, unit};

const FAULT: u64 = 0xFA_0001;
const FAULT_STATUS: u64 = 0xFA_0002;
const LATENCY: u64 = 0xFA_0003;
/// How long the half of a truncated body is given to reach the client.
const TRUNCATION_FLUSH: Duration = Duration::from_millis(25);

/// Fractions (0.0 to 1.0) of list requests (`GET` of any paginated list) that fail,
/// per kind of failure. Which requests fail is decided by the seed and the request's
/// number among the requests of its route (a call to another list does not change
/// which request of this one fails). Values outside `0.0..=1.0` are clamped, `NaN`
/// counts as 0; if the fractions add up to more than 1, the kinds listed first win.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Faults {
    /// Answer 500, 502 or 503 with `{"message": "Server Error"}`.
    pub server_error: f64,
    /// Answer 200 with a complete but syntactically invalid JSON body.
    pub malformed_json: f64,
    /// Answer 200 with half of a valid body and a `Content-Length` for all of it, then
    /// close the connection.
    pub truncated_json: f64,
    /// Close the connection without sending any response.
    pub dropped_connection: f64,
    /// Answer a valid page whose `current_page` is not the page requested (page 1, or
    /// page 2 when page 1 was asked for).
    pub wrong_current_page: f64,
}

impl Faults {
    /// No faults (the default).
    pub fn none() -> Self {
        Faults::default()
    }

    /// The fault (if any) for list request number `number` under `seed`.
    pub(crate) fn pick(&self, seed: u64, number: u64) -> Option<Fault> {
        let roll = unit(draw(seed, FAULT, number));
        let status = match draw(seed, FAULT_STATUS, number) % 3 {
            0 => StatusCode::INTERNAL_SERVER_ERROR,
            1 => StatusCode::BAD_GATEWAY,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        let kinds = [
            (self.server_error, Fault::ServerError(status)),
            (self.malformed_json, Fault::MalformedJson),
            (self.truncated_json, Fault::TruncatedJson),
            (self.dropped_connection, Fault::DroppedConnection),
            (self.wrong_current_page, Fault::WrongCurrentPage),
        ];
        let mut threshold = 0.0;
        // `NaN` and non-positive fractions are filtered out: they count as 0.
        let mut kinds = kinds.into_iter().filter(|(fraction, _)| *fraction > 0.0);
        kinds.find_map(|(fraction, fault)| {
            threshold += fraction.min(1.0);
            (roll < threshold).then_some(fault)
        })
    }
}

/// One injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    ServerError(StatusCode),
    MalformedJson,
    TruncatedJson,
    DroppedConnection,
    WrongCurrentPage,
}

/// The page to serve instead of `requested` for [`Fault::WrongCurrentPage`].
pub(crate) fn wrong_page(requested: u64) -> u64 {
    if requested == 1 { 2 } else { 1 }
}

/// A 5xx answer like Laravel's production error page for JSON clients.
pub(crate) fn server_error(status: StatusCode) -> Response {
    responses::message(status, "Server Error")
}

/// A 200 whose body is `valid` with a trailing comma before its closing brace.
pub(crate) fn malformed_json(valid: Vec<u8>) -> Response {
    responses::json(StatusCode::OK, malform(valid))
}

fn malform(mut body: Vec<u8>) -> Vec<u8> {
    body.pop_if(|last| *last == b'}');
    body.extend_from_slice(b",}");
    body
}

/// A 200 that promises all of `valid` but sends half of it, then closes the connection.
pub(crate) fn truncated_json(valid: Vec<u8>) -> Response {
    let full_length = valid.len();
    let half = Bytes::from(valid).slice(..full_length / 2);
    let failure = async {
        tokio::time::sleep(TRUNCATION_FLUSH).await;
        Err(abort("response truncated by fault injection"))
    };
    let stream = stream::iter([Ok(half)]).chain(stream::once(failure));
    let mut response = responses::json(StatusCode::OK, Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full_length));
    response
}

/// A response that is never sent: its body fails before hyper flushes anything.
pub(crate) fn dropped_connection() -> Response {
    let failure = async { Err::<Bytes, _>(abort("connection dropped by fault injection")) };
    responses::json(StatusCode::OK, Body::from_stream(stream::once(failure)))
}

fn abort(reason: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, reason)
}

/// Injected latency: a fixed delay plus seeded jitter in `0..=jitter`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Latency {
    pub(crate) fixed: Duration,
    pub(crate) jitter: Duration,
}

impl Latency {
    /// The delay of request number `number` under `seed`.
    pub(crate) fn delay(&self, seed: u64, number: u64) -> Duration {
        let jitter_nanos = u64::try_from(self.jitter.as_nanos()).unwrap_or(u64::MAX);
        let r = draw(seed, LATENCY, number);
        let extra = jitter_nanos.checked_add(1).map_or(r, |span| r % span);
        self.fixed.saturating_add(Duration::from_nanos(extra))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_pick_the_right_share() {
        let faults = Faults {
            server_error: 0.1,
            malformed_json: 0.2,
            truncated_json: 0.0,
            dropped_connection: 0.05,
            wrong_current_page: f64::NAN,
        };
        let mut counts = [0u32; 5];
        for n in 0..20_000 {
            match faults.pick(9, n) {
                Some(Fault::ServerError(_)) => counts[0] += 1,
                Some(Fault::MalformedJson) => counts[1] += 1,
                Some(Fault::TruncatedJson) => counts[2] += 1,
                Some(Fault::DroppedConnection) => counts[3] += 1,
                Some(Fault::WrongCurrentPage) => counts[4] += 1,
                None => {}
            }
        }
        let share = |c: u32| f64::from(c) / 20_000.0;
        assert!((0.08..0.12).contains(&share(counts[0])));
        assert!((0.18..0.22).contains(&share(counts[1])));
        assert_eq!(counts[2], 0);
        assert!((0.04..0.06).contains(&share(counts[3])));
        assert_eq!(counts[4], 0);
    }

    #[test]
    fn certain_and_impossible_faults() {
        let always = Faults {
            truncated_json: 1.0,
            ..Faults::none()
        };
        assert!((0..1000).all(|n| always.pick(1, n) == Some(Fault::TruncatedJson)));
        let over = Faults {
            server_error: 5.0,
            malformed_json: 1.0,
            ..Faults::none()
        };
        assert!((0..1000).all(|n| matches!(over.pick(1, n), Some(Fault::ServerError(_)))));
        assert!((0..1000).all(|n| Faults::none().pick(1, n).is_none()));
    }

    #[test]
    fn latency_stays_within_bounds() {
        let latency = Latency {
            fixed: Duration::from_millis(20),
            jitter: Duration::from_millis(5),
        };
        for n in 0..1000 {
            let d = latency.delay(3, n);
            assert!(d >= Duration::from_millis(20) && d <= Duration::from_millis(25));
        }
        assert_eq!(latency.delay(3, 7), latency.delay(3, 7));
        assert_eq!(Latency::default().delay(3, 7), Duration::ZERO);
        let huge = Latency {
            fixed: Duration::MAX,
            jitter: Duration::MAX,
        };
        assert_eq!(huge.delay(1, 1), Duration::MAX);
    }

    #[test]
    fn malformed_bodies_do_not_parse() {
        let body = malform(br#"{"a":1}"#.to_vec());
        assert_eq!(body, br#"{"a":1,}"#);
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
    }
}
