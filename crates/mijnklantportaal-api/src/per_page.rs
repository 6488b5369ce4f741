//! `per_page`, as the server really sends it.
//!
//! The spec's `PerPage` schema is an integer that a Laravel controller sometimes sends
//! as a string (`"15"`). The generator settings in `xtask/src/codegen.rs` replace that
//! schema with this type, which accepts both and always serializes as an integer.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// Number of objects per page, accepted as a JSON integer or a decimal string.
///
/// ```
/// use mijnklantportaal_api::PerPage;
///
/// let a: PerPage = serde_json::from_str("15").unwrap();
/// let b: PerPage = serde_json::from_str("\"15\"").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.get(), 15);
/// assert_eq!(serde_json::to_string(&b).unwrap(), "15");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PerPage(pub u64);

impl PerPage {
    /// The number of objects per page.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for PerPage {
    fn from(value: u64) -> Self {
        PerPage(value)
    }
}

impl From<PerPage> for u64 {
    fn from(value: PerPage) -> Self {
        value.0
    }
}

impl fmt::Display for PerPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for PerPage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for PerPage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl de::Visitor<'_> for Visitor {
            type Value = PerPage;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer, or a string holding one")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PerPage, E> {
                Ok(PerPage(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PerPage, E> {
                u64::try_from(v)
                    .map(PerPage)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<PerPage, E> {
                v.trim()
                    .parse::<u64>()
                    .map(PerPage)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}
