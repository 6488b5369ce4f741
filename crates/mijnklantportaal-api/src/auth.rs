//! The bearer token, and the one place it is attached to requests.
//!
//! progenitor does not generate authentication from `securitySchemes`. The generator
//! settings give the generated `Client` an inner value of this type, and the hooks in
//! `hooks.rs` attach it to each request: only when the request goes to the base URL's
//! origin (scheme, host and port), as a sensitive header, so that the token never
//! reaches another host and never shows up in `Debug` output.

use std::fmt;

use reqwest::header::HeaderValue;

/// Credentials of a generated [`Client`](crate::Client).
///
/// ```
/// use mijnklantportaal_api::{Auth, Client};
///
/// let auth = Auth::bearer("my-api-key")?;
/// assert_eq!(format!("{auth:?}"), "Auth { bearer: Some(\"<redacted>\") }");
/// let client = Client::new("https://api.mijnklantportaal.nl/v1", auth);
/// # let _ = client;
/// # Ok::<(), mijnklantportaal_api::InvalidToken>(())
/// ```
#[derive(Clone, Default)]
pub struct Auth {
    bearer: Option<HeaderValue>,
}

/// A token that cannot be sent in an HTTP header (empty, or with control characters or
/// non-ASCII bytes). The token itself is not part of the error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the API token is not usable in an Authorization header (it is empty or contains control or non-ASCII characters): copy it again from the management portal"
)]
#[non_exhaustive]
pub struct InvalidToken;

impl Auth {
    /// `Authorization: Bearer <token>` on every request to the base URL's origin.
    pub fn bearer(token: &str) -> Result<Self, InvalidToken> {
        let token = token.trim();
        if token.is_empty() {
            return Err(InvalidToken);
        }
        let mut value =
            HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| InvalidToken)?;
        value.set_sensitive(true);
        Ok(Auth {
            bearer: Some(value),
        })
    }

    /// No credentials (every request will be answered 401 by the real API).
    pub fn none() -> Self {
        Auth::default()
    }

    /// The header value to send, if any.
    pub(crate) fn header(&self) -> Option<&HeaderValue> {
        self.bearer.as_ref()
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("bearer", &self.bearer.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unusable_tokens_without_echoing_them() {
        assert!(Auth::bearer("").is_err());
        assert!(Auth::bearer("   ").is_err());
        let err = Auth::bearer("secret\nwith-newline").unwrap_err();
        assert!(!err.to_string().contains("secret"));
        assert!(Auth::bearer("ok-token").is_ok());
    }

    #[test]
    fn the_header_is_sensitive() {
        let auth = Auth::bearer("s3cr3t").unwrap();
        let header = auth.header().unwrap();
        assert!(header.is_sensitive());
        assert!(!format!("{header:?}").contains("s3cr3t"));
        assert!(!format!("{auth:?}").contains("s3cr3t"));
    }
}
