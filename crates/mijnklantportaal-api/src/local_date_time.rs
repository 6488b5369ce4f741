//! Request date-times, as the vendor wants them: `YYYY-mm-dd HH:mm:ss`, no zone.
//!
//! The spec's `LocalDateTime` schema describes this form; the generator settings in
//! `xtask/src/codegen.rs` replace that schema with this type (a `chrono::NaiveDateTime`
//! would be written with a `T`). Which zone the wall-clock time is in is the caller's
//! choice: the `mijnklantportaal` wrapper sends Europe/Amsterdam time.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The one format the API accepts for a request date-time (PHP's `Y-m-d H:i:s`).
pub const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A wall-clock date and time without a zone, written as `2024-05-11 12:59:00`.
///
/// ```
/// use mijnklantportaal_api::LocalDateTime;
///
/// let at: LocalDateTime = "2024-05-11 12:59:00".parse().unwrap();
/// assert_eq!(at.to_string(), "2024-05-11 12:59:00");
/// assert_eq!(serde_json::to_string(&at).unwrap(), "\"2024-05-11 12:59:00\"");
/// assert!("2024-04-31 14:00:00".parse::<LocalDateTime>().is_err(), "no April 31st");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime(pub NaiveDateTime);

impl LocalDateTime {
    /// The date and time.
    pub fn get(self) -> NaiveDateTime {
        self.0
    }
}

impl From<NaiveDateTime> for LocalDateTime {
    fn from(value: NaiveDateTime) -> Self {
        LocalDateTime(value)
    }
}

impl From<LocalDateTime> for NaiveDateTime {
    fn from(value: LocalDateTime) -> Self {
        value.0
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.format(FORMAT).fmt(f)
    }
}

/// A string that is not a real `YYYY-mm-dd HH:mm:ss` date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a `YYYY-mm-dd HH:mm:ss` date-time: {reason}")]
#[non_exhaustive]
pub struct InvalidLocalDateTime {
    /// What chrono found wrong.
    pub reason: String,
}

impl FromStr for LocalDateTime {
    type Err = InvalidLocalDateTime;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NaiveDateTime::parse_from_str(s, FORMAT)
            .map(LocalDateTime)
            .map_err(|e| InvalidLocalDateTime {
                reason: e.to_string(),
            })
    }
}

impl TryFrom<&str> for LocalDateTime {
    type Error = InvalidLocalDateTime;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}
