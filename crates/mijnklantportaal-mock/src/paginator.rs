//! Laravel's simple paginator, reproduced rather than approximated, as clients break
//! on its details: `page` read like PHP (last value wins, `FILTER_VALIDATE_INT`,
//! anything invalid or below 1 is page 1), `next_page_url` only when more rows follow,
//! `prev_page_url` on every page above 1, `from`/`to` null on an empty page.

use std::ops::Range;

use serde::Serialize;
use serde_json::{Value, json};

use crate::resources;

/// Documented deviations of the real API that a client has to survive (off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    /// Write `next_page_url` with a stray comma (`...?page=2,`), as the vendor's own
    /// example does. A client that follows it literally sends an invalid page number
    /// and gets page 1 again.
    pub trailing_comma_next_page_url: bool,
    /// Send `per_page` as a JSON string (`"15"`), as a controller that passes request
    /// input through does.
    pub per_page_as_string: bool,
}

/// The page a query string asks for, like Laravel's `Paginator::resolveCurrentPage()`.
pub(crate) fn requested_page(query: Option<&str>) -> u64 {
    let mut page = None;
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if key == "page" {
            page = Some(value);
        } else if key.starts_with("page[") && key[5..].contains(']') {
            // PHP's `parse_str` makes `page` an array, which is never an integer.
            page = Some("[]".into());
        }
    }
    page.and_then(|page| filter_validate_int(&page))
        .and_then(|n| u64::try_from(n).ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1)
}

/// PHP's `filter_var($value, FILTER_VALIDATE_INT)` without options: optional
/// surrounding whitespace, an optional sign, decimal digits without leading zeros,
/// within the range of a 64-bit integer.
pub(crate) fn filter_validate_int(value: &str) -> Option<i64> {
    let trimmed = value.trim_matches([' ', '\t', '\r', '\n', '\u{0B}', '\0']);
    // Rust's `parse` takes the same sign and digits, but also leading zeros.
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    let leading_zero = digits.len() > 1 && digits.starts_with('0');
    trimmed.parse().ok().filter(|_| !leading_zero)
}

/// The positions of page `page` (1-based) of `len` rows, and whether more follow; an
/// offset past `u64` is past the end.
fn slice(len: u64, page: u64, per_page: u64) -> (Range<u64>, bool) {
    let per_page = per_page.max(1);
    let offset = page.saturating_sub(1).saturating_mul(per_page).min(len);
    let left = len - offset;
    (offset..offset + left.min(per_page), left > per_page)
}

/// The simple-paginator envelope, fields in the order Laravel writes them.
#[derive(Debug, Serialize)]
struct Envelope<'a, T> {
    current_page: u64,
    data: &'a [T],
    first_page_url: String,
    from: Option<u64>,
    next_page_url: Option<String>,
    path: String,
    per_page: Value,
    prev_page_url: Option<String>,
    to: Option<u64>,
}

/// What the paginator pages through by position, without copying, in listing order.
pub(crate) trait Rows {
    type Item;
    fn len(&self) -> u64;
    /// The row at `position` (0-based, in listing order), or `None` past the end.
    fn row(&self, position: u64) -> Option<Self::Item>;
}

impl<T: Clone> Rows for Vec<T> {
    type Item = T;

    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn row(&self, position: u64) -> Option<T> {
        self.get(usize::try_from(position).ok()?).cloned()
    }
}

/// One page taken from a table: what the server read, before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page<T> {
    /// The page number (1-based) the envelope names.
    number: u64,
    /// The positions of `rows` in the listing, and whether more follow.
    positions: Range<u64>,
    has_more: bool,
    pub(crate) rows: Vec<T>,
}

/// Takes page `page` of `rows`, `per_page` at a time.
pub(crate) fn take<R: Rows>(rows: &R, page: u64, per_page: u64) -> Page<R::Item> {
    let (positions, has_more) = slice(rows.len(), page, per_page);
    let taken = positions.clone().filter_map(|i| rows.row(i)).collect();
    Page {
        number: page,
        positions,
        has_more,
        rows: taken,
    }
}

/// Renders `page` of the list endpoint at `path` (e.g. `/v1/customers`) as the JSON
/// body, with URLs under `origin`.
pub(crate) fn render<T: Serialize>(
    page: &Page<T>,
    per_page: u64,
    origin: &str,
    path: &str,
    quirks: Quirks,
) -> serde_json::Result<Vec<u8>> {
    let per_page = per_page.max(1);
    let (rows, number) = (&page.positions, page.number);
    let url = |page: u64| format!("{origin}{path}?page={page}");
    let comma = quirks.trailing_comma_next_page_url.then_some(",");
    let envelope = Envelope {
        current_page: number,
        data: &page.rows,
        first_page_url: url(1),
        from: (!rows.is_empty()).then(|| rows.start + 1),
        next_page_url: page
            .has_more
            .then(|| url(number.saturating_add(1)) + comma.unwrap_or("")),
        path: format!("{origin}{path}"),
        per_page: if quirks.per_page_as_string {
            json!(per_page.to_string())
        } else {
            json!(per_page)
        },
        prev_page_url: (number > 1).then(|| url(number - 1)),
        to: (!rows.is_empty()).then_some(rows.end),
    };
    resources::render(&envelope, origin, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;

    #[test]
    fn filter_validate_int_is_phps() {
        let valid = [
            ("1", 1),
            ("0", 0),
            ("-0", 0),
            ("+7", 7),
            (" 12\n", 12),
            ("-5", -5),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ];
        for (input, expected) in valid {
            assert_eq!(filter_validate_int(input), Some(expected), "{input:?}");
        }
        let invalid = [
            "",
            " ",
            "2,",
            "05",
            "00",
            "1.0",
            "1e3",
            "0x1A",
            "abc",
            "+",
            "-",
            "9223372036854775808",
            "99999999999999999999999",
            "１",
            "1 2",
        ];
        for input in invalid {
            assert_eq!(filter_validate_int(input), None, "{input:?}");
        }
    }

    #[test]
    fn requested_page_falls_back_to_one() {
        let cases = [
            (None, 1),
            (Some(""), 1),
            (Some("page=3"), 3),
            (Some("page=0"), 1),
            (Some("page=-2"), 1),
            (Some("page=2,"), 1),
            (Some("page=2%2C"), 1),
            (Some("page=%202"), 2),
            (Some("page=+2"), 2),
            (Some("page=2&page=5"), 5),
            (Some("page[]=2"), 1),
            (Some("page=4&page[x]=2"), 1),
            (Some("page[]=2&page=4"), 4),
            (Some("pages=4"), 1),
            (Some("page=9223372036854775807"), i64::MAX as u64),
            (Some("page=9223372036854775808"), 1),
            (Some("&&==&page&=&%ZZ"), 1),
            (Some("per_page=100&page=2"), 2),
        ];
        for (query, expected) in cases {
            assert_eq!(requested_page(query), expected, "{query:?}");
        }
    }

    #[test]
    fn slices_follow_simple_paginate() {
        assert_eq!(slice(0, 1, 15), (0..0, false));
        assert_eq!(slice(15, 1, 15), (0..15, false));
        assert_eq!(slice(16, 1, 15), (0..15, true));
        assert_eq!(slice(16, 2, 15), (15..16, false));
        assert!(slice(16, 3, 15).0.is_empty());
        assert!(slice(u64::MAX, i64::MAX as u64, u64::MAX).0.is_empty());
        assert_eq!(
            slice(u64::MAX, u64::MAX, 1),
            (u64::MAX - 1..u64::MAX, false)
        );
    }

    #[test]
    fn envelope_fields_and_order() {
        let dataset: Vec<_> = Dataset::new(1, 16).iter().collect();
        let quirks = Quirks {
            trailing_comma_next_page_url: true,
            per_page_as_string: true,
        };
        let path = "/v1/customer-invoices";
        let body = render(&take(&dataset, 1, 15), 15, "http://o", path, quirks).unwrap();
        let text = String::from_utf8(body).unwrap();
        let order = [
            "\"current_page\":1",
            "\"data\":[",
            "\"first_page_url\":\"http://o/v1/customer-invoices?page=1\"",
            "\"from\":1",
            "\"next_page_url\":\"http://o/v1/customer-invoices?page=2,\"",
            "\"path\":\"http://o/v1/customer-invoices\"",
            "\"per_page\":\"15\"",
            "\"prev_page_url\":null",
            "\"to\":15",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|k| text.rfind(k).unwrap_or_else(|| panic!("{k} in {text}")))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));

        let past: serde_json::Value = serde_json::from_slice(
            &render(
                &take(&dataset, u64::MAX, 15),
                15,
                "http://o",
                path,
                Quirks::default(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(past["data"], serde_json::json!([]));
        assert!(past["from"].is_null() && past["to"].is_null() && past["next_page_url"].is_null());
        assert_eq!(
            past["prev_page_url"],
            format!("http://o/v1/customer-invoices?page={}", u64::MAX - 1)
        );
    }
}
