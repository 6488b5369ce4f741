//! A string that must not be shown: the spec's `format: password` strings.
//!
//! A webhook record carries the `secret` that signs its deliveries; printing a
//! `Webhook` with `{:?}` (in a log line, a test failure, an error report) must not
//! print it. The generator settings in `xtask/src/codegen.rs` make every
//! `type: string, format: password` schema this type, so a secret field is marked
//! in the spec and nowhere else. The wrapper keeps its OAuth secrets in it too.
//!
//! Not `secrecy::SecretString`: the generated types derive `PartialEq`, `Clone` and
//! `Serialize`, which secrecy's type leaves out on purpose, and its zeroizing on drop
//! would clear one copy of a value that serde's and reqwest's buffers have held too.
//! What is needed here is the redaction, which is a few lines.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A secret string: `Debug` prints `"<redacted>"`, there is no `Display`, and
/// [`expose_secret`](SecretString::expose_secret) gives the value where it is used.
///
/// ```
/// use mijnklantportaal_api::SecretString;
///
/// let secret = SecretString::from("OUJX2prdBbJxR77BZlGz");
/// assert_eq!(format!("{secret:?}"), "\"<redacted>\"");
/// assert_eq!(secret.expose_secret(), "OUJX2prdBbJxR77BZlGz");
/// let read: SecretString = serde_json::from_str("\"OUJX2prdBbJxR77BZlGz\"").unwrap();
/// assert_eq!(read, secret);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// The value, for where it is used (checking a signature, sending a request).
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString(value.to_owned())
    }
}
