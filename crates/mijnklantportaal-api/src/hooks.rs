//! Request hooks of the generated client: the token goes to the API's own origin only,
//! and every error response reaches the caller with its status.
//!
//! `pre` attaches the bearer token of the client's [`Auth`] when, and only when, the
//! request's origin is the base URL's origin.
//!
//! progenitor decodes every error response as the spec's one error schema
//! (`ErrorBody`). When a body is not such a JSON object (an HTML 502 page from a proxy,
//! an empty 404, plain text), the generated code reports an undecodable payload and the
//! status is lost, so a caller cannot tell a server outage from a broken success page.
//! The API's documentation says to treat any other body as opaque text; this hook does
//! exactly that, before progenitor sees it: the text becomes the `message` of an
//! `ErrorBody`, and status and headers (`Retry-After`, rate-limit headers) are kept.
//! Success responses pass through untouched.

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::types::ErrorBody;
use crate::{Auth, Client, Error};

/// Longest stretch of an opaque error body kept as its message.
const MAX_MESSAGE_CHARS: usize = 200;

/// Most of an error body that is read; error bodies are small, and a misbehaving
/// server must not make the client buffer without end.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

impl ClientHooks<Auth> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let Some(header) = self.inner().header() else {
            return Ok(());
        };
        let same_origin = reqwest::Url::parse(self.baseurl())
            .map(|base| base.origin() == request.url().origin())
            .unwrap_or(false);
        if same_origin {
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, header);
        } else {
            request.headers_mut().remove(reqwest::header::AUTHORIZATION);
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let mut response = self.client().execute(request).await?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let version = response.version();
        let mut headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            let room = MAX_ERROR_BODY_BYTES - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() == MAX_ERROR_BODY_BYTES {
                break;
            }
        }
        let body = match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(_) => body,
            Err(_) => opaque_error_body(&body),
        };
        headers.remove(reqwest::header::CONTENT_LENGTH);
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }
}

/// An `ErrorBody` whose message is the start of an opaque body (or none, if empty).
fn opaque_error_body(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut message: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
    if text.chars().count() > MAX_MESSAGE_CHARS {
        message.push('…');
    }
    let error = ErrorBody {
        code: None,
        errors: Default::default(),
        message: (!message.is_empty()).then_some(message),
    };
    // Serializing a struct of strings and integers to JSON cannot fail.
    serde_json::to_vec(&error).unwrap_or_else(|_| b"{}".to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_bodies_become_messages() {
        let html = b"<html>\n  <h1>502 Bad Gateway</h1>\n</html>";
        let body: ErrorBody = serde_json::from_slice(&opaque_error_body(html)).unwrap();
        assert_eq!(
            body.message.as_deref(),
            Some("<html> <h1>502 Bad Gateway</h1> </html>")
        );
        let body: ErrorBody = serde_json::from_slice(&opaque_error_body(b"")).unwrap();
        assert_eq!(body.message, None);
        let long = "x".repeat(500);
        let body: ErrorBody = serde_json::from_slice(&opaque_error_body(long.as_bytes())).unwrap();
        assert_eq!(body.message.unwrap().chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
