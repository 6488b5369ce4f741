//! The JSON answers a Laravel API gives in production mode (`APP_DEBUG=false`), word for
//! word: clients show or match on them, and the spec's `ErrorBody` must decode them.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode, header};
use serde_json::json;

/// A JSON response with Laravel's default headers.
pub(crate) fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    let json = (header::CONTENT_TYPE, "application/json");
    let no_cache = (header::CACHE_CONTROL, "no-cache, private");
    (status, [json, no_cache], body.into()).into_response()
}

/// `{"message": message}` with `status`.
pub(crate) fn message(status: StatusCode, message: &str) -> Response {
    json(status, json!({ "message": message }).to_string())
}

pub(crate) fn unauthenticated() -> Response {
    message(StatusCode::UNAUTHORIZED, "Unauthenticated.")
}

/// 429, the documented body.
pub(crate) fn too_many_requests() -> Response {
    let body = json!({ "code": 429, "message": "Too many requests." });
    json(StatusCode::TOO_MANY_REQUESTS, body.to_string())
}

/// 404 for a path no route matches. `laravel_path` is `Request::path()`.
pub(crate) fn route_not_found(laravel_path: &str) -> Response {
    let text = format!("The route {laravel_path} could not be found.");
    message(StatusCode::NOT_FOUND, &text)
}

/// 404 for an id that route-model binding cannot find.
pub(crate) fn model_not_found(model: &str, id: &str) -> Response {
    let text = format!("No query results for model [{model}] {id}");
    message(StatusCode::NOT_FOUND, &text)
}

/// 405 for a method the route does not serve, with Symfony's `Allow` header;
/// `supported` lists the route's methods as Laravel does (`GET, HEAD, PATCH`).
pub(crate) fn method_not_allowed(method: &Method, laravel_path: &str, supported: &str) -> Response {
    let text = format!(
        "The {method} method is not supported for route {laravel_path}. \
         Supported methods: {supported}."
    );
    let response = message(StatusCode::METHOD_NOT_ALLOWED, &text);
    ([(header::ALLOW, supported)], response).into_response()
}

/// 200 with an empty body, Laravel's automatic answer to `OPTIONS` on a route:
/// `Allow` lists `supported` (`GET, HEAD`) without spaces (`GET,HEAD`).
pub(crate) fn options(supported: &str) -> Response {
    let allow = supported.replace(", ", ",");
    ([(header::ALLOW, allow)], Body::empty()).into_response()
}

/// Laravel's `Request::path()`: the raw path without its surrounding slashes, or `/`.
pub(crate) fn laravel_path(path: &str) -> &str {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() { "/" } else { trimmed }
}

/// A path segment with `%XX` escapes decoded (route parameters are decoded).
pub(crate) fn percent_decode(segment: &str) -> String {
    let mut parts = segment.split('%');
    let mut out = parts.next().unwrap_or_default().as_bytes().to_vec();
    for part in parts {
        // Two hex digits (`from_str_radix` alone would take `+f`).
        let hex = part.get(..2).filter(|h| !h.starts_with('+'));
        let decoded = hex.and_then(|h| Some((u8::from_str_radix(h, 16).ok()?, &part[2..])));
        let (byte, rest) = decoded.unwrap_or((b'%', part));
        out.push(byte);
        out.extend_from_slice(rest.as_bytes());
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_escapes() {
        assert_eq!(laravel_path("/"), "/");
        assert_eq!(laravel_path("//"), "/");
        assert_eq!(laravel_path("/v1/xyz/"), "v1/xyz");
        assert_eq!(percent_decode("inv_%61b%2"), "inv_ab%2");
        assert_eq!(percent_decode("%zz%"), "%zz%");
        assert_eq!(percent_decode("%C3%A9%FF"), "é\u{FFFD}");
    }
}
