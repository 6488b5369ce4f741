//! The one error type of the crate.
//!
//! Callers match on what happened (unauthorized, rate limited, a broken page...), not on
//! which layer noticed it, so every failure of the generated client, of reqwest and of
//! the paginator is mapped to one [`Error`] here. Messages say what to do next, and
//! never contain the token.

use std::time::Duration;

/// Everything that can go wrong when talking to the API.
///
/// `Display` is one line about this error alone; its cause, when it has one (the
/// network error under [`Error::Transport`], the last failure under
/// [`Error::RetriesExhausted`]...), is [`source()`](std::error::Error::source), never
/// repeated in the message, so an error-reporting chain (anyhow's `{:#}`, eyre,
/// tracing) prints each cause once. [`Error::report`] prints the whole chain on one line.
///
/// ```
/// use mijnklantportaal::Error;
///
/// fn advice(e: &Error) -> &'static str {
///     match e {
///         Error::Unauthorized { .. } => "check MKP_TOKEN",
///         Error::RateLimited { .. } => "slow down",
///         Error::RetriesExhausted { .. } => "try again later",
///         _ => "see the message",
///     }
/// }
/// # let _ = advice;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the token is missing, wrong, expired or revoked.
    #[error(
        "the API rejected the token (401{}): check that it is current and complete; create a new API key in the management portal if it was revoked",
        message_suffix(.message)
    )]
    Unauthorized {
        /// The server's `message`, if any.
        message: Option<String>,
    },
    /// 403: the token is valid but lacks the scope for this request.
    #[error(
        "the token may not do this (403{}): give the API key the needed scope (e.g. `invoices.read`)",
        message_suffix(.message)
    )]
    Forbidden {
        /// The server's `message`, if any.
        message: Option<String>,
    },
    /// 404: the resource does not exist (or the base URL is wrong).
    #[error("not found (404{}): check the id and the base URL", message_suffix(.message))]
    NotFound {
        /// The server's `message`, if any.
        message: Option<String>,
    },
    /// 426: the account's licence does not include this part of the portal (the
    /// ticketing system, for the Tickets API).
    #[error(
        "not in the account's licence (426{}): this part of the portal (e.g. ticketing) must be added to the licence in the management portal",
        message_suffix(.message)
    )]
    NotInLicence {
        /// The server's `message`, if any.
        message: Option<String>,
    },
    /// 422: the API refused the data sent; `errors` names each field and what is wrong
    /// with it (Laravel's validation errors).
    #[error("the API refused the data (422): {}", validation_summary(.message, .errors))]
    Validation {
        /// The server's `message` (Laravel's: the first error, "and N more errors").
        message: Option<String>,
        /// Each field refused, with its messages.
        errors: std::collections::BTreeMap<String, Vec<String>>,
    },
    /// 429: too many requests. Only returned when retries are off or used up: the client
    /// otherwise waits and retries by itself.
    #[error(
        "rate limited (429): the API asked to wait {}; lower the request rate or raise the retry limits",
        retry_after.map(|d| format!("{:.1}s", d.as_secs_f64())).unwrap_or_else(|| "an unspecified time".to_string())
    )]
    RateLimited {
        /// How long the server asked to wait (`Retry-After` or `X-RateLimit-Reset`).
        retry_after: Option<Duration>,
    },
    /// 503 from the API itself: it is down for maintenance (Laravel's maintenance
    /// mode, which answers before the application runs, so nothing was done). Told
    /// apart from a proxy's 503 by its body, the API's JSON error with the message
    /// `Service Unavailable`, and by carrying none of the rate limiter's
    /// `X-RateLimit-*` headers (an answer that does went past the maintenance check).
    /// A proxy's 503 is [`Error::Api`]: it proves nothing about the API.
    #[error(
        "the API is down for maintenance (503): nothing was done; try again {}",
        retry_after.map(|d| format!("in {:.0}s", d.as_secs_f64())).unwrap_or_else(|| "later".to_string())
    )]
    Maintenance {
        /// How long the server asked to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
    },
    /// Any other error status.
    #[error("the API answered {status}{}", message_suffix(.message))]
    Api {
        /// The HTTP status.
        status: u16,
        /// The server's `message`, if any.
        message: Option<String>,
    },
    /// The request did not complete: connection refused or dropped, timeout, TLS, or a
    /// body cut short.
    #[error("request failed (check the network and the base URL)")]
    Transport(#[source] reqwest::Error),
    /// A response body that ended before its JSON did (the connection broke mid-body).
    #[error("page {page}: the response body ended early (the connection broke); retrying may help")]
    TruncatedBody {
        /// The page that was requested.
        page: u64,
    },
    /// A response body that is not what the spec describes.
    #[error("page {page}: the response is not a valid page of results; it starts with: {snippet}")]
    Decode {
        /// The page that was requested.
        page: u64,
        /// The start of the body, for the report.
        snippet: String,
        /// What the decoder expected.
        #[source]
        source: serde_json::Error,
    },
    /// The server served another page than the one requested (Laravel serves page 1 for
    /// an invalid page number); continuing could loop or repeat items.
    #[error(
        "asked for page {requested} but the server answered with page {served}; the listing stopped instead of repeating items (resume with `.start_page({requested})`)"
    )]
    PageMismatch {
        /// The page asked for.
        requested: u64,
        /// The page the body says it is.
        served: u64,
    },
    /// The listing went on for more pages than the configured cap.
    #[error(
        "the listing reached its cap of {cap} pages and the server still reports more; raise it with `.page_cap(n)` if that is expected"
    )]
    PageCapReached {
        /// The cap.
        cap: u64,
    },
    /// A transient failure kept happening until the retry policy gave up.
    #[error("gave up after {attempts} attempts in {:.1}s", elapsed.as_secs_f64())]
    RetriesExhausted {
        /// Requests made, the first one included.
        attempts: u32,
        /// Time from the first attempt to giving up.
        elapsed: Duration,
        /// The last failure.
        #[source]
        last: Box<Error>,
    },
    /// A response body (of anything but a page) that is not what the spec describes,
    /// or that ended early.
    #[error("the response to {path} is not what the spec describes; it starts with: {snippet}")]
    InvalidResponse {
        /// The operation's path, as in the spec.
        path: &'static str,
        /// The start of the body.
        snippet: String,
        /// What the decoder expected.
        #[source]
        source: serde_json::Error,
    },
    /// A write that is not safe to repeat (a create) failed in a way that leaves open
    /// whether the server applied it: a timeout, a connection dropped after the request
    /// was sent, a 500, 502 or 504. It was not retried, so that nothing is created twice.
    #[error("{method} {path} may or may not have been applied: {check} before trying again")]
    MaybeApplied {
        /// The request's method.
        method: &'static str,
        /// The operation's path, as in the spec.
        path: &'static str,
        /// How to find out whether it was applied.
        check: &'static str,
        /// The failure.
        #[source]
        last: Box<Error>,
    },
    /// A request whose body was a stream (a [`FilePart::stream`](crate::FilePart::stream)
    /// upload) failed in a way that a retry would fix, but the first attempt used the
    /// stream up, so it was not sent again. `last` is the real cause (the 429 or the
    /// 503); send it again with a new stream, or give the file as bytes to let the
    /// client retry by itself.
    #[error(
        "{method} {path} was not sent again after {}: its file was a stream, used up by the first attempt (give it as bytes to let the client retry)",
        what_failed(last)
    )]
    NotResent {
        /// The request's method.
        method: &'static str,
        /// The operation's path, as in the spec.
        path: &'static str,
        /// The failure a retry would have answered.
        #[source]
        last: Box<Error>,
    },
    /// The request for a page was cancelled before it finished (its runtime is shutting
    /// down).
    #[error(
        "the request for page {page} was cancelled before it finished (is the runtime shutting down?); resume with `.start_page({page})`"
    )]
    Interrupted {
        /// The page whose request was cancelled.
        page: u64,
    },
    /// A local file (a PDF to upload) could not be read, or is not what it should be.
    #[error("cannot use {}", path.display())]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The redirect back from the management portal carried an `error` (the user
    /// declined, or the request was refused), with a `state` that matches.
    #[error(
        "the portal did not authorize the app ({error}{}): start the connection again, with the scopes the user accepts",
        message_suffix(.description)
    )]
    AuthorizationRefused {
        /// The `error` code.
        error: crate::OAuthErrorCode,
        /// The `error_description`, if any (one line, shortened).
        description: Option<String>,
    },
    /// The redirect's `state` is missing or not the one this authorization sent: a
    /// forged or stale redirect, refused.
    #[error(
        "the redirect's `state` does not match this authorization request: refused as forged or stale; start the connection again"
    )]
    StateMismatch,
    /// What was passed as the redirect is not an answer to an authorization.
    #[error(
        "the redirect is not an authorization answer ({reason}): pass the URL the browser was sent back to"
    )]
    InvalidRedirect {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The refresh token was refused (`invalid_grant`): the user disconnected the app
    /// or the grant expired. Only a new authorization helps.
    #[error(
        "the app's access to this portal has ended ({error}{}): the user must connect the app again (a new authorization)",
        message_suffix(.description)
    )]
    ReconnectRequired {
        /// The `error` code (`invalid_grant`).
        error: crate::OAuthErrorCode,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// The management host's token endpoint refused a request (a wrong client id or
    /// secret, a used or expired code) or failed.
    #[error(
        "the OAuth token endpoint answered {status}{}{}: check the app's id, secret and redirect URI, or start the connection again",
        error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default(),
        message_suffix(.description)
    )]
    TokenEndpoint {
        /// The HTTP status.
        status: u16,
        /// The `error` code, if the body had one.
        error: Option<crate::OAuthErrorCode>,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// A token that cannot be a bearer token (empty, or with a space, a line break, a
    /// non-ASCII character): a copy-paste slip. The message gives the position of the
    /// first bad character, never the token.
    #[error(transparent)]
    InvalidToken(#[from] mijnklantportaal_api::InvalidToken),
    /// The client was configured with something unusable (a base URL that does not
    /// parse, an OAuth app without its secret...).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A call's input was refused before anything was sent (an edit that changes
    /// nothing, a page number out of range, a required field left unset...).
    #[error("invalid input, nothing was sent: {0}")]
    InvalidInput(String),
    /// A request builder was sent without a field the spec requires (see its setter);
    /// nothing was sent.
    ///
    /// ```
    /// # async fn run(client: mijnklantportaal::Client) {
    /// let missing = client.customers().create().company_name("Test Company BV").await;
    /// assert!(matches!(
    ///     missing,
    ///     Err(mijnklantportaal::Error::MissingField { field: "address", .. })
    /// ));
    /// # }
    /// ```
    #[error("{operation}: the required field `{field}` was not set, nothing was sent")]
    MissingField {
        /// The spec's operationId.
        operation: &'static str,
        /// The field's name in the API (`companyName`).
        field: &'static str,
    },
    /// Something inside the client failed that is neither the caller's input nor the
    /// server's answer (a background task that panicked or was cancelled, no random
    /// numbers from the OS). Worth a bug report if it is not a runtime shutting down.
    #[error("internal failure: {0}")]
    Internal(String),
    /// The request was not sent: every request of the client is held back by a 429's
    /// wait (the API's, or a proxy's `Retry-After: 3600`) that ends after the request's
    /// retry budget ([`RetryPolicy::max_elapsed`](crate::RetryPolicy::max_elapsed)) does.
    #[error(
        "not sent: requests are held back for another {:.1}s by a 429, past this request's retry budget; try again then, or raise `max_elapsed`",
        retry_after.as_secs_f64()
    )]
    HeldBackPastBudget {
        /// How much longer the wait runs, from when the error was returned.
        retry_after: Duration,
    },
}

impl Error {
    /// This error and its causes on one line, separated by `: ` (what anyhow's `{:#}`
    /// prints), for a log line or a command-line tool's last words.
    ///
    /// ```
    /// use mijnklantportaal::Error;
    ///
    /// let cause = Error::Api { status: 502, message: None };
    /// let error = Error::RetriesExhausted {
    ///     attempts: 4,
    ///     elapsed: std::time::Duration::from_secs(9),
    ///     last: Box::new(cause),
    /// };
    /// assert_eq!(error.to_string(), "gave up after 4 attempts in 9.0s");
    /// assert_eq!(
    ///     error.report().to_string(),
    ///     "gave up after 4 attempts in 9.0s: the API answered 502"
    /// );
    /// ```
    pub fn report(&self) -> impl std::fmt::Display + '_ {
        Report(self)
    }
}

/// [`Error::report`]'s display.
struct Report<'a>(&'a Error);

impl std::fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = std::error::Error::source(self.0);
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

/// What a failure was, in a few words, for a message whose cause is its `source()`: the
/// status of an answer, else that the connection failed.
fn what_failed(error: &Error) -> String {
    match error.status() {
        Some(status) => format!("a {status}"),
        None => "a connection failure".to_string(),
    }
}

/// The start of a body, on one line, for error messages, with the values of secret
/// fields (see [`redact_secrets`]) replaced by `<redacted>`.
fn snippet(bytes: &[u8]) -> String {
    const MAX: usize = 120;
    let text = String::from_utf8_lossy(bytes);
    let shown = one_line(&redact_secrets(&text), MAX);
    if shown.is_empty() {
        "(empty body)".to_string()
    } else {
        shown
    }
}

/// At most `max` characters of `text`, its whitespace collapsed to single spaces (an
/// ellipsis marks a cut): how any text from a server is quoted in an error.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > max {
        format!("{}…", joined.chars().take(max).collect::<String>())
    } else {
        joined
    }
}

/// Whether a JSON key names a secret: the webhook's signing `secret`, OAuth's
/// `client_secret`, `access_token` and `refresh_token`, any password (compared
/// without case, so `clientSecret` and `webhookSecret` too).
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("secret") || key.contains("password") || key.ends_with("token")
}

/// `text` (JSON, or the start of it) with the value of every secret key replaced by
/// `"<redacted>"`. Works on text rather than parsed JSON because the bodies quoted in
/// errors are the ones that did not decode: cut short, or not JSON at all. A value
/// cut off by the end of the body is redacted to the end.
fn redact_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let inside = &rest[open + 1..];
        let Some(close) = string_end(inside) else {
            break;
        };
        let key = &inside[..close];
        let after = &inside[close + 1..];
        out.push_str(&rest[..open + close + 2]);
        rest = after;
        let Some(colon) = after.trim_start().strip_prefix(':') else {
            continue;
        };
        if !is_secret_key(key) {
            continue;
        }
        let value = colon.trim_start();
        out.push_str(&after[..after.len() - value.len()]);
        out.push_str("\"<redacted>\"");
        let value_len = match value.strip_prefix('"') {
            Some(string) => string_end(string).map_or(value.len(), |end| end + 2),
            None => value
                .find([',', '}', ']'])
                .map_or(value.len(), |end| value[..end].trim_end().len()),
        };
        rest = &value[value_len..];
    }
    out.push_str(rest);
    out
}

/// The byte index of the quote that ends a JSON string whose opening quote is just
/// before `s`, if `s` holds it.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// `field: message` for the first field refused, and how many more there are.
fn validation_summary(
    message: &Option<String>,
    errors: &std::collections::BTreeMap<String, Vec<String>>,
) -> String {
    let first = errors
        .iter()
        .find_map(|(field, messages)| messages.first().map(|m| format!("{field}: {m}")));
    match (first, errors.len()) {
        (Some(first), 1) => first,
        (Some(first), n) => format!("{first} (and {} more fields)", n - 1),
        (None, _) => message.clone().unwrap_or_else(|| "no details".to_string()),
    }
}

fn message_suffix(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

impl Error {
    /// A body of page `page` that did not decode: cut short (the connection broke, a
    /// retry may fix it) or not what the spec describes.
    pub(crate) fn undecodable(page: u64, body: &[u8], source: serde_json::Error) -> Error {
        if source.is_eof() {
            Error::TruncatedBody { page }
        } else {
            Error::Decode {
                page,
                snippet: snippet(body),
                source,
            }
        }
    }

    /// A body of the response to `path` that did not decode.
    pub(crate) fn invalid_response(
        path: &'static str,
        body: &[u8],
        source: serde_json::Error,
    ) -> Error {
        Error::InvalidResponse {
            path,
            snippet: snippet(body),
            source,
        }
    }

    /// Whether a retry of the same request may succeed (connection problems, timeouts,
    /// truncated bodies, 408, 429, 500, 502, 503, 504).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(e) => !e.is_builder(),
            Error::RateLimited { .. } | Error::Maintenance { .. } | Error::TruncatedBody { .. } => {
                true
            }
            Error::InvalidResponse { source, .. } => source.is_eof(),
            Error::Api { status, .. } => matches!(status, 408 | 500 | 502 | 503 | 504),
            // The management host's own rate limit too (its `Retry-After` is honoured
            // by the token request itself).
            Error::TokenEndpoint { status, .. } => {
                matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
            }
            Error::NotResent { last, .. } => last.is_transient(),
            _ => false,
        }
    }

    /// Whether the failure proves the server did not process the request, so that even
    /// a create can be sent again:
    ///
    /// | failure | proves nothing was done, because |
    /// |---|---|
    /// | no connection made | nothing reached the server |
    /// | 408 | the server did not receive the whole request |
    /// | 429 | the rate limiter answers before the application runs |
    /// | [`Error::Maintenance`] | Laravel's maintenance mode answers before the application runs |
    ///
    /// Everything else proves nothing: a timeout, a connection dropped after the
    /// request was sent, a 500, 502 or 504, and a 503 that is not the API's
    /// maintenance answer (a proxy's or a load balancer's 503 may come after the API
    /// got the request).
    pub fn proves_not_processed(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_connect(),
            Error::RateLimited { .. } | Error::Maintenance { .. } => true,
            Error::Api { status, .. } => *status == 408,
            Error::NotResent { last, .. } => last.proves_not_processed(),
            _ => false,
        }
    }

    /// The HTTP status the server answered with, when the error is an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::NotInLicence { .. } => Some(426),
            Error::Validation { .. } => Some(422),
            Error::RateLimited { .. } => Some(429),
            Error::Maintenance { .. } => Some(503),
            Error::Api { status, .. } => Some(*status),
            Error::RetriesExhausted { last, .. } | Error::NotResent { last, .. } => last.status(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Display says this error; `source()` gives the cause: a chain (anyhow's `{:#}`,
    /// `report()`) prints each cause exactly once.
    #[test]
    fn a_cause_is_printed_once_in_a_chain() {
        let cause = || {
            Box::new(Error::Api {
                status: 502,
                message: Some("Bad Gateway from upstream".into()),
            })
        };
        let json = || serde_json::from_str::<u32>("\"x\"").unwrap_err();
        let errors = [
            Error::RetriesExhausted {
                attempts: 3,
                elapsed: Duration::from_secs(2),
                last: cause(),
            },
            Error::MaybeApplied {
                method: "POST",
                path: "/customers",
                check: "look it up",
                last: cause(),
            },
            Error::NotResent {
                method: "POST",
                path: "/files",
                last: cause(),
            },
            Error::undecodable(3, b"\"x\"", json()),
            Error::invalid_response("/customers/{customerId}", b"\"x\"", json()),
            Error::File {
                path: "invoice.pdf".into(),
                source: std::io::Error::other("disk on fire"),
            },
        ];
        for error in &errors {
            let source = std::error::Error::source(error)
                .unwrap_or_else(|| panic!("{error:?} has a source"))
                .to_string();
            let shown = error.to_string();
            assert!(!shown.contains(&source), "{shown} repeats {source}");
            assert!(!shown.contains('\n'), "one line: {shown}");
            let report = error.report().to_string();
            assert_eq!(report.matches(&source).count(), 1, "{report}");
            assert!(report.starts_with(&shown), "{report}");
        }
    }

    #[test]
    fn messages_say_what_to_do() {
        let e = Error::Unauthorized {
            message: Some("Unauthenticated.".into()),
        };
        assert_eq!(
            e.to_string(),
            "the API rejected the token (401: Unauthenticated.): check that it is current and complete; create a new API key in the management portal if it was revoked"
        );
        let e = Error::RetriesExhausted {
            attempts: 4,
            elapsed: Duration::from_millis(1500),
            last: Box::new(Error::Api {
                status: 503,
                message: None,
            }),
        };
        assert_eq!(e.to_string(), "gave up after 4 attempts in 1.5s");
        assert_eq!(
            e.report().to_string(),
            "gave up after 4 attempts in 1.5s: the API answered 503"
        );
        assert_eq!(e.status(), Some(503));
        assert!(!e.is_transient());
        let e = Error::NotInLicence {
            message: Some("Ticketing is not available in your license.".into()),
        };
        assert_eq!(
            e.to_string(),
            "not in the account's licence (426: Ticketing is not available in your license.): this part of the portal (e.g. ticketing) must be added to the licence in the management portal"
        );
        assert_eq!(e.status(), Some(426));
        assert!(!e.is_transient() && !e.proves_not_processed());
    }
}
