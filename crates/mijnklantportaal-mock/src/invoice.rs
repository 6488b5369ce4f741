//! One customer invoice and its JSON, exactly as the API writes it.
//!
//! Kept apart from the generator so that the wire format (field names and order,
//! amounts as strings built from integer cents, ATOM timestamps, absolute links built
//! from the request's origin) lives in one place that both the server and tests use.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::dutch_time;

/// A generated invoice, before it is rendered as JSON.
///
/// Get one from [`Dataset::invoice`](crate::Dataset::invoice); render it with
/// [`to_json`](Self::to_json) (list form) or [`to_detail_json`](Self::to_detail_json)
/// (single-invoice form) to compare with what the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockInvoice {
    /// Position in the dataset, 0-based, in creation order.
    pub index: u64,
    /// `inv_` plus 14 lowercase alphanumerics.
    pub id: String,
    /// `cst_` plus 14 lowercase alphanumerics; customers have many invoices.
    pub customer_id: String,
    /// Year of issue and sequence within that year, e.g. `2024-001`.
    pub invoice_number: String,
    /// Issue date (the local date of creation).
    pub issued_at: NaiveDate,
    /// Always `EUR`.
    pub currency: String,
    /// The amount in cents; the API sends it as a decimal string (see [`Self::amount`]).
    pub amount_cents: u64,
    /// When the invoice was paid, in Dutch local time; `None` while unpaid.
    pub paid_at: Option<DateTime<FixedOffset>>,
    /// When the invoice was added, in Dutch local time.
    pub created_at: DateTime<FixedOffset>,
}

impl MockInvoice {
    /// The amount as the API sends it: a decimal string with exactly two decimals.
    ///
    /// ```
    /// # let invoice = mijnklantportaal_mock::Dataset::new(1, 1).invoice(0).unwrap();
    /// let amount = invoice.amount();
    /// assert_eq!(amount.split_once('.').unwrap().1.len(), 2);
    /// ```
    pub fn amount(&self) -> String {
        format!("{}.{:02}", self.amount_cents / 100, self.amount_cents % 100)
    }

    /// The URL of the invoice's customer, under `origin` (e.g. `http://127.0.0.1:8080`).
    pub fn customer_url(&self, origin: &str) -> String {
        format!("{origin}/v1/customers/{}", self.customer_id)
    }

    /// The URL of the invoice's online payment page, under `origin`.
    pub fn payment_url(&self, origin: &str) -> String {
        format!("{origin}/pay/{}", self.id)
    }

    /// The invoice as it appears in a page of the list endpoint.
    pub fn to_json(&self, origin: &str) -> serde_json::Value {
        serde_json::to_value(self.wire(origin, false)).unwrap_or_default()
    }

    /// The invoice as `GET /v1/customer-invoices/{id}` sends it (with
    /// `links.onlinePaymentLink`).
    pub fn to_detail_json(&self, origin: &str) -> serde_json::Value {
        serde_json::to_value(self.wire(origin, true)).unwrap_or_default()
    }

    /// The serializable wire form; field order is the vendor example's.
    pub(crate) fn wire(&self, origin: &str, detail: bool) -> InvoiceJson<'_> {
        InvoiceJson {
            id: &self.id,
            customer_id: &self.customer_id,
            invoice_number: &self.invoice_number,
            issued_at: self.issued_at.format("%Y-%m-%d").to_string(),
            currency: &self.currency,
            amount: self.amount(),
            paid_at: self.paid_at.as_ref().map(dutch_time::atom),
            created_at: dutch_time::atom(&self.created_at),
            links: LinksJson {
                customer: LinkJson {
                    href: self.customer_url(origin),
                    media_type: "application/json",
                },
                online_payment_link: detail.then(|| LinkJson {
                    href: self.payment_url(origin),
                    media_type: "text/html",
                }),
            },
        }
    }
}

impl crate::paginator::Listed for MockInvoice {
    const PATH: &'static str = "/v1/customer-invoices";
    type Json<'a> = InvoiceJson<'a>;

    fn listed<'a>(&'a self, origin: &'a str) -> InvoiceJson<'a> {
        self.wire(origin, false)
    }
}

/// An invoice as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct InvoiceJson<'a> {
    id: &'a str,
    #[serde(rename = "customerId")]
    customer_id: &'a str,
    #[serde(rename = "invoiceNumber")]
    invoice_number: &'a str,
    #[serde(rename = "issuedAt")]
    issued_at: String,
    currency: &'a str,
    amount: String,
    #[serde(rename = "paidAt")]
    paid_at: Option<String>,
    #[serde(rename = "createdAt")]
    created_at: String,
    links: LinksJson,
}

#[derive(Debug, Serialize)]
struct LinksJson {
    customer: LinkJson,
    #[serde(rename = "onlinePaymentLink", skip_serializing_if = "Option::is_none")]
    online_payment_link: Option<LinkJson>,
}

#[derive(Debug, Serialize)]
struct LinkJson {
    href: String,
    #[serde(rename = "type")]
    media_type: &'static str,
}

#[cfg(test)]
mod tests {
    use crate::Dataset;

    #[test]
    fn json_has_the_vendor_field_order() {
        let invoice = Dataset::new(1, 10).invoice(3).unwrap();
        let text = serde_json::to_string(&invoice.wire("http://h", true)).unwrap();
        let keys = [
            "\"id\"",
            "\"customerId\"",
            "\"invoiceNumber\"",
            "\"issuedAt\"",
            "\"currency\"",
            "\"amount\"",
            "\"paidAt\"",
            "\"createdAt\"",
            "\"links\"",
            "\"customer\"",
            "\"onlinePaymentLink\"",
        ];
        let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        let list = invoice.to_json("http://h");
        assert!(list["links"].get("onlinePaymentLink").is_none());
        assert_eq!(list["links"]["customer"]["type"], "application/json");
        assert_eq!(
            list["links"]["customer"]["href"],
            format!("http://h/v1/customers/{}", invoice.customer_id)
        );
        assert!(list["amount"].is_string());
    }

    #[test]
    fn amounts_are_built_from_cents() {
        let mut invoice = Dataset::new(1, 1).invoice(0).unwrap();
        for (cents, text) in [
            (1295, "12.95"),
            (123_450, "1234.50"),
            (5, "0.05"),
            (0, "0.00"),
        ] {
            invoice.amount_cents = cents;
            assert_eq!(invoice.amount(), text);
        }
    }
}
