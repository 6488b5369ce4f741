//! The JSON answers Laravel gives, word for word.
//!
//! Clients show or match on these messages, and the spec's `ErrorBody` must decode
//! them, so the mock sends the exact bodies a Laravel API sends in production mode
//! (`APP_DEBUG=false`): route not found, method not allowed, model not found,
//! unauthenticated, too many requests, server error.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, Method, StatusCode, header};

/// A JSON response with Laravel's default headers.
pub(crate) fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    response
}

/// `{"message": message}` with `status`.
pub(crate) fn message(status: StatusCode, message: &str) -> Response {
    let body = serde_json::to_vec(&serde_json::json!({ "message": message })).unwrap_or_default();
    json(status, body)
}

/// 401, as Laravel's `auth` middleware answers a JSON client.
pub(crate) fn unauthenticated() -> Response {
    message(StatusCode::UNAUTHORIZED, "Unauthenticated.")
}

/// 429, the documented body.
pub(crate) fn too_many_requests() -> Response {
    let body = serde_json::to_vec(&serde_json::json!({
        "code": 429,
        "message": "Too many requests.",
    }))
    .unwrap_or_default();
    json(StatusCode::TOO_MANY_REQUESTS, body)
}

/// 404 for a path no route matches. `laravel_path` is `Request::path()`.
pub(crate) fn route_not_found(laravel_path: &str) -> Response {
    message(
        StatusCode::NOT_FOUND,
        &format!("The route {laravel_path} could not be found."),
    )
}

/// 404 for an id that route-model binding cannot find.
pub(crate) fn model_not_found(model: &str, id: &str) -> Response {
    message(
        StatusCode::NOT_FOUND,
        &format!("No query results for model [{model}] {id}"),
    )
}

/// 405 for a method the route does not serve, with Symfony's `Allow` header;
/// `supported` lists the route's methods as Laravel does (`GET, HEAD, PATCH`).
pub(crate) fn method_not_allowed(method: &Method, laravel_path: &str, supported: &str) -> Response {
    let mut response = message(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!(
            "The {method} method is not supported for route {laravel_path}. \
             Supported methods: {supported}."
        ),
    );
    if let Ok(allow) = HeaderValue::from_str(supported) {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

/// 200 with an empty body, Laravel's automatic answer to `OPTIONS` on a route:
/// `Allow` lists `supported` (`GET, HEAD`) without spaces (`GET,HEAD`).
pub(crate) fn options(supported: &str) -> Response {
    let mut response = Response::new(Body::empty());
    if let Ok(allow) = HeaderValue::from_str(&supported.replace(", ", ",")) {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

/// Laravel's `Request::path()`: the raw path without its surrounding slashes, or `/`.
pub(crate) fn laravel_path(path: &str) -> &str {
    match path.trim_matches('/') {
        "" => "/",
        trimmed => trimmed,
    }
}

/// A path segment with `%XX` escapes decoded (route parameters are decoded).
pub(crate) fn percent_decode(segment: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
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
