//! The bearer token, and the one place it is attached to requests.
//!
//! progenitor does not generate authentication from `securitySchemes`. The generator
//! settings give the generated `Client` an inner value of this type, and the hooks in
//! `hooks.rs` attach it to each request: only when the request goes to the base URL's
//! origin (scheme, host and port), as a sensitive header, so that the token never
//! reaches another host and never shows up in `Debug` output.
//!
//! An OAuth2 access token expires and is replaced while the client runs, so the
//! token lives behind a shared lock: [`Auth::set_bearer`] changes it for the `Auth`,
//! its clones and every client built with them, from the next request on.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

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
    bearer: Arc<RwLock<Option<HeaderValue>>>,
}

/// A token that is not an RFC 6750 bearer token (`token68`: letters, digits and
/// `-._~+/`, optionally ending in `=`): empty, or holding a space, a tab, a line break
/// or a non-ASCII character, usually a copy-paste slip. The token itself is not part of
/// the error; the position of the first bad character is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(*.position))]
#[non_exhaustive]
pub struct InvalidToken {
    /// The 1-based character position of the first character not allowed in a bearer
    /// token, after surrounding whitespace is trimmed; `None` for an empty token.
    pub position: Option<usize>,
}

fn describe(position: Option<usize>) -> String {
    match position {
        None => "the API token is empty: copy it again from the management portal".to_string(),
        Some(at) => format!(
            "the API token has a character a bearer token cannot hold at position {at} (only letters, digits and -._~+/ with trailing =): copy it again from the management portal"
        ),
    }
}

/// The first character (1-based) that breaks RFC 6750's `token68` grammar.
fn first_invalid(token: &str) -> Option<usize> {
    let padding_from = token.trim_end_matches('=').len();
    token.char_indices().enumerate().find_map(|(i, (byte, c))| {
        let allowed = c.is_ascii_alphanumeric()
            || matches!(c, '-' | '.' | '_' | '~' | '+' | '/')
            || (c == '=' && byte >= padding_from);
        (!allowed).then_some(i + 1)
    })
}

impl Auth {
    /// `Authorization: Bearer <token>` on every request to the base URL's origin.
    /// Surrounding whitespace is trimmed; anything else outside RFC 6750's `token68`
    /// characters is refused.
    pub fn bearer(token: &str) -> Result<Self, InvalidToken> {
        Ok(Auth {
            bearer: Arc::new(RwLock::new(Some(header_value(token)?))),
        })
    }

    /// No credentials (every request will be answered 401 by the real API).
    pub fn none() -> Self {
        Auth::default()
    }

    /// Send `token` from now on, from this `Auth`, its clones and the clients built
    /// with them (a refreshed OAuth2 access token). Checked like [`Auth::bearer`]; on
    /// an error the token in use is kept.
    ///
    /// ```
    /// use mijnklantportaal_api::Auth;
    ///
    /// let auth = Auth::none();
    /// let client_side = auth.clone();
    /// auth.set_bearer("fresh-access-token")?;
    /// assert_eq!(format!("{client_side:?}"), "Auth { bearer: Some(\"<redacted>\") }");
    /// # Ok::<(), mijnklantportaal_api::InvalidToken>(())
    /// ```
    pub fn set_bearer(&self, token: &str) -> Result<(), InvalidToken> {
        let value = header_value(token)?;
        *self.bearer.write().unwrap_or_else(PoisonError::into_inner) = Some(value);
        Ok(())
    }

    /// The header value to send, if any.
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        self.bearer
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// `Bearer <token>`, sensitive, for a token that passes RFC 6750's grammar.
fn header_value(token: &str) -> Result<HeaderValue, InvalidToken> {
    let token = token.trim();
    if token.is_empty() {
        return Err(InvalidToken { position: None });
    }
    if let Some(position) = first_invalid(token) {
        return Err(InvalidToken {
            position: Some(position),
        });
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| InvalidToken { position: Some(1) })?;
    value.set_sensitive(true);
    Ok(value)
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = self.header().is_some();
        f.debug_struct("Auth")
            .field("bearer", &set.then_some("<redacted>"))
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
    fn only_token68_characters_pass() {
        assert!(
            Auth::bearer("  abc.DEF-123_~+/xyz==\n").is_ok(),
            "trimmed, then token68"
        );
        for (token, at) in [
            ("abc\tdef", 4),
            ("abc def", 4),
            ("tökén", 2),
            ("ab=c", 3),
            ("abc\u{200b}", 4),
            ("\"abc\"", 1),
        ] {
            let err = Auth::bearer(token).unwrap_err();
            assert_eq!(err.position, Some(at), "{token:?}");
            assert!(!err.to_string().contains(token.trim()), "{err}");
        }
        assert_eq!(Auth::bearer("").unwrap_err().position, None);
    }

    #[test]
    fn a_new_token_reaches_every_clone_and_a_bad_one_changes_nothing() {
        let auth = Auth::bearer("first").unwrap();
        let clone = auth.clone();
        clone.set_bearer("second").unwrap();
        assert_eq!(auth.header().unwrap(), "Bearer second");
        assert!(auth.header().unwrap().is_sensitive());
        assert!(auth.set_bearer("bad token").is_err());
        assert_eq!(clone.header().unwrap(), "Bearer second");
        let none = Auth::none();
        assert_eq!(format!("{none:?}"), "Auth { bearer: None }");
        none.clone().set_bearer("third").unwrap();
        assert_eq!(none.header().unwrap(), "Bearer third");
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
