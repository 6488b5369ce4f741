//! Bearer-token authentication, read the way Laravel reads it. Every way of getting it
//! wrong (no header, another scheme, an empty, revoked or used-up token) ends in the
//! same 401; the token is compared in constant time and never logged.

use std::fmt;

use http::{HeaderMap, header};

/// A token or secret: `Debug` shows `"<redacted>"`.
#[derive(Clone)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        "<redacted>".fmt(f)
    }
}

/// The token a request presents, like Laravel's `bearerToken()`: the text after the
/// last `Bearer ` (any case) in the `Authorization` header, up to a comma.
/// `Some("")` for `Bearer ` with nothing after it.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    // ASCII lowercasing keeps every byte offset.
    let position = value.to_ascii_lowercase().rfind("bearer ")?;
    value[position + "bearer ".len()..].split(',').next()
}

/// The accepted token and how often it has been used.
#[derive(Debug)]
pub(crate) struct TokenState {
    token: Option<String>,
    uses: u64,
    valid_for: Option<u64>,
}

impl TokenState {
    /// Accept `token` (none: accept nothing), for `valid_for` authenticated requests.
    pub(crate) fn new(token: Option<String>, valid_for: Option<u64>) -> Self {
        TokenState {
            token,
            uses: 0,
            valid_for,
        }
    }

    /// Accept `token` from now on, with a fresh allowance of uses.
    pub(crate) fn replace(&mut self, token: Option<String>) {
        self.token = token;
        self.uses = 0;
    }

    /// Whether `presented` is accepted; counts the use if so.
    pub(crate) fn authenticate(&mut self, presented: Option<&str>) -> bool {
        let (Some(expected), Some(presented)) = (self.token.as_deref(), presented) else {
            return false;
        };
        if presented.is_empty()
            || !constant_time_eq(presented.as_bytes(), expected.as_bytes())
            || self.valid_for.is_some_and(|limit| self.uses >= limit)
        {
            return false;
        }
        self.uses += 1;
        true
    }
}

/// Compares without an early exit on the first differing byte.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn presented(value: &[u8]) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_bytes(value).unwrap(),
        );
        bearer_token(&headers).map(str::to_owned)
    }

    #[test]
    fn reads_like_laravel() {
        assert_eq!(bearer_token(&HeaderMap::new()), None);
        assert_eq!(presented(b"Bearer test").as_deref(), Some("test"));
        assert_eq!(presented(b"bearer test").as_deref(), Some("test"));
        assert_eq!(presented(b"BEARER test,other").as_deref(), Some("test"));
        assert_eq!(presented(b"Bearer ").as_deref(), Some(""));
        assert_eq!(presented(b"Bearer").as_deref(), None);
        assert_eq!(presented(b"Basic dGVzdA==").as_deref(), None);
        assert_eq!(presented(b"Bearer a Bearer b").as_deref(), Some("b"));
        assert_eq!(presented(b"Bearer \xff\xfe").as_deref(), None);
        assert_eq!(presented(b"Token test").as_deref(), None);
    }

    #[test]
    fn tokens_are_checked_counted_and_replaced() {
        let mut state = TokenState::new(Some("test".into()), Some(2));
        assert!(!state.authenticate(None));
        assert!(!state.authenticate(Some("")));
        assert!(!state.authenticate(Some("tes")));
        assert!(!state.authenticate(Some("test ")));
        assert!(state.authenticate(Some("test")));
        assert!(state.authenticate(Some("test")));
        assert!(!state.authenticate(Some("test")), "used up");
        state.replace(Some("next".into()));
        assert!(!state.authenticate(Some("test")));
        assert!(state.authenticate(Some("next")));
        state.replace(None);
        assert!(!state.authenticate(Some("next")));
    }
}
