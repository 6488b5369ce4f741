//! Amounts as the Invoices API really sends them: JSON numbers, although its schema
//! says decimal strings.
//!
//! The spec's `LenientDecimal` schema (`spec/tags/invoices.yaml`) is a decimal string or
//! a JSON number; the generator settings in `xtask/src/codegen.rs` replace it with this
//! type. rust_decimal's own serde support would accept a number too, but through an
//! `f64`: `1234567890123456789.01` would come out as `1234567890123456800`. This type
//! reads the number's own digits (serde_json's `RawValue`), so no amount ever passes
//! through a float, and writes a decimal string, as the schema's type says.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use serde_json::value::RawValue;

/// A decimal read from a JSON number (`12.95`) or a decimal string (`"12.95"`), exactly,
/// and written as a decimal string.
///
/// ```
/// use mijnklantportaal_api::LenientDecimal;
/// use rust_decimal::Decimal;
///
/// let number: LenientDecimal = serde_json::from_str("12.95").unwrap();
/// let text: LenientDecimal = serde_json::from_str("\"12.95\"").unwrap();
/// assert_eq!(number, text);
/// assert_eq!(number.get(), Decimal::new(1295, 2));
/// assert_eq!(serde_json::to_string(&number).unwrap(), "\"12.95\"");
///
/// // More digits than an f64 holds, kept.
/// let big: LenientDecimal = serde_json::from_str("1234567890123456789.01").unwrap();
/// assert_eq!(big.to_string(), "1234567890123456789.01");
/// ```
///
/// It reads what serde_json parses (`from_slice`, `from_str`, `from_value`); other
/// formats are not supported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LenientDecimal(pub Decimal);

impl LenientDecimal {
    /// The amount.
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl From<Decimal> for LenientDecimal {
    fn from(value: Decimal) -> Self {
        LenientDecimal(value)
    }
}

impl From<LenientDecimal> for Decimal {
    fn from(value: LenientDecimal) -> Self {
        value.0
    }
}

impl fmt::Display for LenientDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Text that is not a decimal amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a decimal amount: `{text}`")]
#[non_exhaustive]
pub struct InvalidDecimal {
    /// The text, as received.
    pub text: String,
}

impl FromStr for LenientDecimal {
    type Err = InvalidDecimal;

    /// A decimal (`12.95`, `-3`), or one in JSON's exponent form (`1.295e1`), exactly:
    /// digits a `Decimal` cannot hold are an error, not a rounding.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let parsed = if trimmed.contains(['e', 'E']) {
            Decimal::from_scientific(trimmed)
        } else {
            Decimal::from_str_exact(trimmed)
        };
        parsed.map(LenientDecimal).map_err(|_| InvalidDecimal {
            text: text.to_string(),
        })
    }
}

impl Serialize for LenientDecimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for LenientDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let json = raw.get();
        let text = if json.starts_with('"') {
            serde_json::from_str::<String>(json).map_err(de::Error::custom)?
        } else {
            json.to_string()
        };
        text.parse().map_err(|e: InvalidDecimal| {
            de::Error::invalid_value(
                de::Unexpected::Str(&e.text),
                &"a decimal amount, as a JSON number or a string",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> Result<Decimal, serde_json::Error> {
        serde_json::from_str::<LenientDecimal>(json).map(LenientDecimal::get)
    }

    #[test]
    fn reads_numbers_and_strings_exactly() {
        assert_eq!(decode("12.95").unwrap(), Decimal::new(1295, 2));
        assert_eq!(decode("\"12.95\"").unwrap(), Decimal::new(1295, 2));
        assert_eq!(decode("15").unwrap(), Decimal::from(15));
        assert_eq!(decode("-2.72").unwrap(), Decimal::new(-272, 2));
        assert_eq!(decode("1.295e1").unwrap(), Decimal::new(1295, 2));
        // 0.1 + 0.2 is not 0.3 in f64; here the digits are the amount.
        assert_eq!(
            decode("0.30000000000000001").unwrap().to_string(),
            "0.30000000000000001"
        );
        // The scale is kept: 15.60 stays 15.60, not 15.6.
        assert_eq!(decode("15.60").unwrap().to_string(), "15.60");
    }

    #[test]
    fn an_f64_would_lose_what_this_keeps() {
        let exact = decode("1234567890123456789.01").unwrap();
        let through_float: Decimal = serde_json::from_str("1234567890123456789.01").unwrap();
        assert_eq!(exact.to_string(), "1234567890123456789.01");
        assert_ne!(
            through_float, exact,
            "rust_decimal's serde goes through f64"
        );
    }

    #[test]
    fn reads_from_a_json_value_too() {
        let value = serde_json::json!({"amount": "2.72"});
        let amount: LenientDecimal = serde_json::from_value(value["amount"].clone()).unwrap();
        assert_eq!(amount.get(), Decimal::new(272, 2));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for bad in [
            "\"12,95\"",
            "\"\"",
            "null",
            "true",
            "[1]",
            "{\"a\":1}",
            "\"12.95 EUR\"",
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn writes_a_decimal_string() {
        let amount = LenientDecimal(Decimal::new(1567, 2));
        assert_eq!(serde_json::to_string(&amount).unwrap(), "\"15.67\"");
        let back: LenientDecimal = serde_json::from_str("\"15.67\"").unwrap();
        assert_eq!(back, amount);
    }
}
