//! What the server saw and did, for tests that assert on a client from the server's
//! side: recorded requests and counters.

use http::request::Parts;
use http::{HeaderMap, Method, header};

/// One request as the server received it.
///
/// `Authorization` is kept, but marked sensitive: `Debug` output never shows it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The request method.
    pub method: Method,
    /// The path, as sent (not decoded).
    pub path: String,
    /// The query string without `?`, if the URL had one.
    pub query: Option<String>,
    /// Every request header.
    pub headers: HeaderMap,
}

impl RecordedRequest {
    pub(crate) fn new(parts: &Parts) -> Self {
        let mut headers = parts.headers.clone();
        if let header::Entry::Occupied(mut entry) = headers.entry(header::AUTHORIZATION) {
            entry.iter_mut().for_each(|value| value.set_sensitive(true));
        }
        RecordedRequest {
            method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers,
        }
    }
}

/// Counters of what the server answered, since it started.
///
/// Every request counts in `requests` and in exactly one of the other answer
/// counters, except faults, which count in `faults_injected` and in their own kind.
/// Besides, every write that was carried out counts in `writes` (whether its answer
/// was then sent or dropped), and every created invoice that asked for it in
/// `notifications`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received.
    pub requests: u64,
    /// Successful answers (pages, invoices, customers, PDF links and downloads,
    /// writes, `OPTIONS`), faults excluded.
    pub served_ok: u64,
    /// 429 answers.
    pub served_429: u64,
    /// 401 answers.
    pub unauthorized: u64,
    /// 404 answers (unknown route, invoice, customer or download link).
    pub not_found: u64,
    /// 422 answers (a write whose input failed validation).
    pub unprocessable: u64,
    /// 403 answers to expired download links.
    pub expired_links: u64,
    /// 405 answers.
    pub method_not_allowed: u64,
    /// Faults injected, all kinds together.
    pub faults_injected: u64,
    /// Injected 500/502/503 answers.
    pub server_errors: u64,
    /// Injected malformed JSON bodies.
    pub malformed_json: u64,
    /// Injected truncated bodies.
    pub truncated_json: u64,
    /// Injected dropped connections.
    pub dropped_connections: u64,
    /// Injected pages with the wrong `current_page`.
    pub wrong_current_page: u64,
    /// Writes carried out whose answer was then dropped (see
    /// [`MockServer::drop_next_write_responses`](crate::MockServer::drop_next_write_responses)).
    pub dropped_write_responses: u64,
    /// Writes carried out: resources created, edited, marked paid or closed.
    pub writes: u64,
    /// Created invoices whose request asked to notify the customer
    /// (`sendNotification`).
    pub notifications: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token() {
        let request = http::Request::get("/v1/customer-invoices?page=2")
            .header(header::AUTHORIZATION, "Bearer s3cret")
            .body(())
            .unwrap();
        let recorded = RecordedRequest::new(&request.into_parts().0);
        assert_eq!(recorded.headers[header::AUTHORIZATION], "Bearer s3cret");
        assert_eq!(recorded.query.as_deref(), Some("page=2"));
        let debug = format!("{recorded:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
    }
}
