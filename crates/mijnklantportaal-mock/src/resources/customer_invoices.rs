//! Customer Invoices API: uploads, manual invoices, marking paid, the PDF link. The
//! seeded invoices are the [`Dataset`]'s, computed on demand; the
//! [`Live`](crate::live::Live) schedule changes this table.

use super::prelude::*;

pub(crate) const LIST_PATH: &str = "/v1/customer-invoices";

/// A generated invoice: get one from [`Dataset::invoice`](crate::Dataset::invoice) and
/// compare its [`to_json`](Self::to_json) (list form) or
/// [`to_detail_json`](Self::to_detail_json) (`GET /{id}` form) with what the server sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MockInvoice {
    /// Position in the dataset, 0-based, in creation order.
    #[serde(skip)]
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
    #[serde(rename = "amount", serialize_with = "amount_json")]
    pub amount_cents: u64,
    /// When the invoice was paid, in Dutch local time; `None` while unpaid.
    pub paid_at: Option<DateTime<FixedOffset>>,
    /// When the invoice was added, in Dutch local time.
    pub created_at: DateTime<FixedOffset>,
    pub(crate) links: InvoiceLinks,
}

/// Its customer, and (in `GET /{id}` only) the page to pay it online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InvoiceLinks {
    customer: Link,
    #[serde(skip_serializing_if = "in_list")]
    online_payment_link: Link,
}

impl InvoiceLinks {
    pub(crate) fn new(id: &str, customer_id: &str) -> Self {
        InvoiceLinks {
            customer: Link::customer(customer_id),
            online_payment_link: Link::page(format!("/pay/{id}")),
        }
    }
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
        super::amount(self.amount_cents)
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
        self.json(origin, false)
    }

    /// The invoice as `GET /v1/customer-invoices/{id}` sends it (`links.onlinePaymentLink`).
    pub fn to_detail_json(&self, origin: &str) -> serde_json::Value {
        self.json(origin, true)
    }

    fn json(&self, origin: &str, detail: bool) -> serde_json::Value {
        let text = render(self, origin, detail).unwrap_or_default();
        serde_json::from_slice(&text).unwrap_or_default()
    }
}

record!(MockInvoice, "CustomerInvoice", |c| c.dataset, live = c.live);

impl Base<MockInvoice> for Dataset {
    fn len(&self) -> u64 {
        Dataset::len(self)
    }

    fn row(&self, key: u64) -> Option<MockInvoice> {
        self.invoice(key)
    }

    fn key_of(&self, id: &str) -> Option<u64> {
        self.index_of(id)
    }

    fn id(&self, key: u64) -> String {
        self.invoice_id(key)
    }

    /// An unpaid invoice numbered after the previous scheduled one in its year.
    fn scheduled(
        &self,
        key: u64,
        created_at: DateTime<FixedOffset>,
        previous: Option<&MockInvoice>,
    ) -> Option<MockInvoice> {
        let sequence_in_year = previous
            .filter(|p| p.issued_at.year() == created_at.year())
            .and_then(|p| p.invoice_number.split_once('-'))
            .and_then(|(_, n)| n.parse::<u64>().ok())
            .map_or(1, |n| n + 1);
        Some(self.added(key, created_at, sequence_in_year))
    }
}

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    let form = call.form(body).await?;
    let (_, _, pdf) = file_part(&form, "pdf").ok_or_else(server_error)?;
    let input = &form.input;
    notify(call, input);
    let invoice = call.insert(|slot| {
        let mut invoice = new_invoice(input, slot, input::cents(input, "amount")?)?;
        invoice.paid_at = input::local_time(input, "paidAt");
        Some(invoice)
    })?;
    lock(&call.shared().files).store(&invoice.id, pdf);
    call.written(StatusCode::CREATED, &invoice)
}

/// A manual invoice: its amount (the vendor's is not documented) is the [`lines_total`].
pub(crate) async fn create_manual(call: &Call<'_>, body: Body) -> Reply {
    call.create(body, |input, slot| {
        notify(call, input);
        new_invoice(input, slot, lines_total(input)?)
    })
    .await
}

pub(crate) async fn mark_paid(call: &Call<'_>, body: Body) -> Reply {
    update(call, body, |invoice: &mut MockInvoice, input| {
        invoice.paid_at = Some(input::local_time(input, "paidAt").ok_or_else(server_error)?);
        Ok(())
    })
    .await
}

pub(crate) async fn pdf_link(call: &Call<'_>, _body: Body) -> Reply {
    cloud_file(call, &call.find::<MockInvoice>(0)?.id)
}

/// What a download link to invoice `id` serves: the upload, or a generated PDF.
pub(crate) fn downloadable(shared: &Shared, id: &str) -> Option<Download> {
    let invoice = shared.with(|t: &mut Table<MockInvoice>| t.find(id))?;
    let (number, id, amount) = (&invoice.invoice_number, &invoice.id, invoice.amount());
    let pdf = || Bytes::from(text_pdf(&format!("Invoice {number} ({id}) EUR {amount}")));
    Some(Download {
        bytes: lock(&shared.files).uploaded(id).unwrap_or_else(pdf),
        media_type: "application/pdf".to_owned(),
        file_name: format!("{id}.pdf"),
    })
}

/// An unpaid invoice of `amount_cents`.
fn new_invoice(input: &Input, slot: Slot, amount_cents: u64) -> Option<MockInvoice> {
    let customer_id = input::text(input, "customerId")?;
    Some(MockInvoice {
        index: slot.key,
        links: InvoiceLinks::new(&slot.id, &customer_id),
        id: slot.id,
        customer_id,
        invoice_number: input::text(input, "invoiceNumber")?,
        issued_at: input::date(input, "issuedAt")?,
        currency: "EUR".to_owned(),
        amount_cents,
        paid_at: None,
        created_at: slot.created_at,
    })
}

/// The total in cents incl. VAT of the valid `lines`: the sum of `amountExclVat ×
/// (100 + vatRate) / 100`, exact, rounded once, half away from zero, to whole cents.
pub(crate) fn lines_total(input: &Input) -> Option<u64> {
    // Hundredths of a cent: `cents × (100 + rate)` is exact.
    let mut total: u128 = 0;
    for line in input::objects(input, "lines") {
        let excl = input::cents(line, "amountExclVat")?;
        let rate = u128::try_from(input::integer(line, "vatRate")?).ok()?;
        total = total.checked_add(u128::from(excl) * (100 + rate))?;
    }
    // Round half away from zero (amounts are never negative).
    u64::try_from((total + 50) / 100).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_errors;
    use crate::validation::{Errors, input};
    use serde_json::Value;
    use serde_json::json;

    #[test]
    fn json_has_the_vendor_field_order() {
        let invoice = Dataset::new(1, 10).invoice(3).unwrap();
        let text = String::from_utf8(render(&invoice, "http://h", true).unwrap()).unwrap();
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

    fn manual(lines: Value) -> Result<MockInvoice, Errors> {
        let body = json!({
            "customerId": "cst_1", "invoiceNumber": "2025-001", "issuedAt": "2025-04-14",
            "lines": lines,
        });
        let errors = json_errors("create-customer-invoice-manual", body.clone());
        if !errors.is_empty() {
            return Err(errors);
        }
        let input = input(body);
        Ok(new_invoice(&input, Slot::example(), lines_total(&input).unwrap()).unwrap())
    }

    #[test]
    fn manual_amounts_are_the_rounded_sum_incl_vat() {
        let invoice = manual(json!([
            { "description": "Website template", "amountExclVat": "12.95", "vatRate": 21 },
            { "description": "Book", "amountExclVat": "10.01", "vatRate": 9 },
            { "description": "Export", "amountExclVat": "5", "vatRate": 0 },
        ]))
        .unwrap();
        // 15.6695 + 10.9109 + 5 = 31.5804
        assert_eq!(invoice.amount_cents, 3158);
        // 0.05 × 1.21 = 0.0605 and 0.05 × 1.09 = 0.0545: 0.115 rounds up once.
        let invoice = manual(json!([
            { "description": "a", "amountExclVat": "0.05", "vatRate": 21 },
            { "description": "b", "amountExclVat": "0.05", "vatRate": 9 },
        ]))
        .unwrap();
        assert_eq!(invoice.amount_cents, 12);
    }

    #[test]
    fn manual_lines_are_validated_one_by_one() {
        let errors = manual(json!([
            { "description": "ok", "amountExclVat": "1.00", "vatRate": 21 },
            { "amountExclVat": "1.001", "vatRate": "x" },
            "not an object",
        ]))
        .unwrap_err();
        assert_eq!(
            errors.fields(),
            [
                "lines.1.description",
                "lines.1.amountExclVat",
                "lines.1.vatRate",
                "lines.2",
            ]
        );
        assert_eq!(
            errors.message(),
            "The lines.1.description field is required. (and 3 more errors)"
        );
        let errors =
            manual(json!([{ "description": "x", "amountExclVat": "1.001", "vatRate": 21 }]));
        assert_eq!(
            errors.unwrap_err().message(),
            "The lines.0.amount excl vat field must have 0-2 decimal places."
        );
        assert_eq!(manual(json!([])).unwrap_err().fields(), ["lines"]);
        assert_eq!(manual(json!("x")).unwrap_err().fields(), ["lines"]);
    }
}
