//! The write endpoints' request bodies: read, validated, turned into typed changes.
//!
//! One function per operation applies that operation's Laravel rules (see
//! [`validation`](crate::validation)) and returns either what to store or the error
//! bag for a 422. Bodies are read tolerantly, like PHP reads them: a JSON body that is
//! not a JSON object, or a multipart body that breaks off, leaves the input empty or
//! partial, and validation then names what is missing.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, FixedOffset};
use http::HeaderMap;
use serde_json::Value;

use crate::customer_table::{CustomerEdit, NewCustomer};
use crate::live::NewInvoice;
use crate::validation::{self, Errors, Input};

/// The largest PDF accepted, in bytes (Laravel's `max:10240`, in kilobytes).
pub(crate) const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;
/// The largest JSON body read; a longer one counts as empty input.
const MAX_JSON_BYTES: usize = 1024 * 1024;
/// The largest multipart body read: the PDF plus room for the other parts. A body
/// beyond this fails to upload, as a PHP body beyond `post_max_size` does.
pub(crate) const MAX_MULTIPART_BYTES: usize = MAX_PDF_BYTES + 1024 * 1024;
/// VAT rates a manual invoice line may have, in percent.
const VAT_RATES: (i64, i64) = (0, 100);

/// The `%PDF-` header every PDF file starts with.
const PDF_MAGIC: &[u8] = b"%PDF-";

/// A file part of a multipart body.
#[derive(Debug, Clone)]
pub(crate) struct FilePart {
    /// The first [`MAX_PDF_BYTES`] + 1 bytes (enough to tell a file that is too
    /// long), or `None` when the part broke off (e.g. past the body limit).
    bytes: Option<Bytes>,
    /// The part's length in bytes.
    size: usize,
}

/// A multipart body: text parts as input, file parts by name.
#[derive(Debug, Default)]
pub(crate) struct Form {
    input: Input,
    files: Vec<(String, FilePart)>,
}

/// Reads a JSON object body; anything else is empty input.
pub(crate) async fn read_json(body: Body) -> Input {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_JSON_BYTES).await else {
        return Input::new();
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => object,
        _ => Input::new(),
    }
}

/// Reads a `multipart/form-data` body with axum's extractor (multer). Parts with a
/// file name are files (an empty file name is no file, as in PHP); the others are
/// text. A body that is not multipart, or breaks off, gives the parts read so far.
pub(crate) async fn read_form(
    headers: &HeaderMap,
    extensions: &http::Extensions,
    body: Body,
) -> Form {
    let mut request = Request::new(body);
    *request.headers_mut() = headers.clone();
    *request.extensions_mut() = extensions.clone();
    let mut form = Form::default();
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return form;
    };
    while let Ok(Some(mut field)) = multipart.next_field().await {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        match field.file_name() {
            Some(file_name) if !file_name.is_empty() => {
                let mut bytes = BytesMut::new();
                let mut size = 0usize;
                let complete = loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            size = size.saturating_add(chunk.len());
                            let room = (MAX_PDF_BYTES + 1).saturating_sub(bytes.len());
                            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                        }
                        Ok(None) => break true,
                        Err(_) => break false,
                    }
                };
                let part = FilePart {
                    bytes: complete.then(|| bytes.freeze()),
                    size,
                };
                form.files.push((name, part));
                if !complete {
                    return form;
                }
            }
            Some(_) => {}
            None => match field.text().await {
                Ok(text) => {
                    form.input.insert(name, Value::String(text));
                }
                Err(_) => return form,
            },
        }
    }
    form
}

/// What `POST /v1/customer-invoices` stores.
#[derive(Debug)]
pub(crate) struct InvoiceUpload {
    pub(crate) invoice: NewInvoice,
    pub(crate) pdf: Bytes,
    pub(crate) send_notification: bool,
}

/// Validates `POST /v1/customer-invoices` (multipart): `customerId` (an existing
/// customer), `invoiceNumber`, `issuedAt` (`Y-m-d`), `amount` (decimal string, at
/// most two decimals), `pdf` (a file starting with `%PDF-`, at most 10 MiB: the
/// content, not the part's declared media type, decides, as Laravel's `mimes` rule
/// does), optional `paidAt` (`Y-m-d H:i:s`, Amsterdam time) and `sendNotification`.
pub(crate) fn invoice_upload(
    form: &Form,
    customer_exists: impl Fn(&str) -> bool,
) -> Result<InvoiceUpload, Errors> {
    let mut errors = Errors::default();
    let input = &form.input;
    let customer_id = customer(&mut errors, input, customer_exists);
    let invoice_number = validation::string(&mut errors, input, "invoiceNumber", true);
    let issued_at = validation::date(&mut errors, input, "issuedAt");
    let amount_cents = validation::amount(&mut errors, input, "amount");
    let pdf = pdf(&mut errors, form);
    let paid_at = validation::local_date_time(&mut errors, input, "paidAt", false);
    let send_notification = validation::boolean(&mut errors, input, "sendNotification");
    match (customer_id, invoice_number, issued_at, amount_cents, pdf) {
        (
            Some(customer_id),
            Some(invoice_number),
            Some(issued_at),
            Some(amount_cents),
            Some(pdf),
        ) if errors.is_empty() => Ok(InvoiceUpload {
            invoice: NewInvoice {
                customer_id,
                invoice_number,
                issued_at,
                amount_cents,
                paid_at,
            },
            pdf,
            send_notification: send_notification.unwrap_or(false),
        }),
        _ => Err(errors),
    }
}

/// Rule `required|string|exists:customers,id` on `customerId`.
fn customer(errors: &mut Errors, input: &Input, exists: impl Fn(&str) -> bool) -> Option<String> {
    let id = validation::string(errors, input, "customerId", true)?;
    if exists(&id) {
        Some(id)
    } else {
        errors.add(
            "customerId",
            "The selected customer id is invalid.".to_owned(),
        );
        None
    }
}

/// Rules `required|file|mimes:pdf|max:10240` on the `pdf` part.
fn pdf(errors: &mut Errors, form: &Form) -> Option<Bytes> {
    const FIELD: &str = "pdf";
    let Some((_, part)) = form.files.iter().find(|(name, _)| name == FIELD) else {
        if validation::is_present(&form.input, FIELD) {
            errors.add(FIELD, "The pdf field must be a file.".to_owned());
        } else {
            errors.add(FIELD, validation::required_message(FIELD));
        }
        return None;
    };
    let Some(bytes) = &part.bytes else {
        errors.add(FIELD, "The pdf failed to upload.".to_owned());
        return None;
    };
    if part.size > MAX_PDF_BYTES {
        errors.add(
            FIELD,
            "The pdf field must not be greater than 10240 kilobytes.".to_owned(),
        );
        None
    } else if !bytes.starts_with(PDF_MAGIC) {
        errors.add(
            FIELD,
            "The pdf field must be a file of type: pdf.".to_owned(),
        );
        None
    } else {
        Some(bytes.clone())
    }
}

/// Validates `POST /v1/customer-invoices/manual` (JSON): `customerId`,
/// `invoiceNumber`, `issuedAt` as for an upload, `lines` (at least one, each with
/// `description`, `amountExclVat` as a decimal string and `vatRate` as an integer
/// percentage from 0 to 100), optional `sendNotification`.
///
/// The invoice's `amount` is the mock's choice, as the vendor does not document it:
/// the sum over the lines of `amountExclVat × (100 + vatRate) / 100`, computed
/// exactly and rounded once, half away from zero, to whole cents.
pub(crate) fn manual_invoice(
    input: &Input,
    customer_exists: impl Fn(&str) -> bool,
) -> Result<(NewInvoice, bool), Errors> {
    let mut errors = Errors::default();
    let customer_id = customer(&mut errors, input, customer_exists);
    let invoice_number = validation::string(&mut errors, input, "invoiceNumber", true);
    let issued_at = validation::date(&mut errors, input, "issuedAt");
    let amount_cents = lines(&mut errors, input);
    let send_notification = validation::boolean(&mut errors, input, "sendNotification");
    match (customer_id, invoice_number, issued_at, amount_cents) {
        (Some(customer_id), Some(invoice_number), Some(issued_at), Some(amount_cents))
            if errors.is_empty() =>
        {
            let invoice = NewInvoice {
                customer_id,
                invoice_number,
                issued_at,
                amount_cents,
                paid_at: None,
            };
            Ok((invoice, send_notification.unwrap_or(false)))
        }
        _ => Err(errors),
    }
}

/// Rules on `lines` and each line; the total in cents incl. VAT (see
/// [`manual_invoice`]).
fn lines(errors: &mut Errors, input: &Input) -> Option<u64> {
    const FIELD: &str = "lines";
    let Some(value) = input.get(FIELD).filter(|v| !v.is_null()) else {
        errors.add(FIELD, validation::required_message(FIELD));
        return None;
    };
    let Value::Array(lines) = value else {
        errors.add(FIELD, "The lines field must be an array.".to_owned());
        return None;
    };
    if lines.is_empty() {
        errors.add(FIELD, validation::required_message(FIELD));
        return None;
    }
    // Hundredths of a cent: `cents × (100 + rate)` is exact.
    let mut total: Option<u128> = Some(0);
    let empty = Input::new();
    for (i, line) in lines.iter().enumerate() {
        let line = line.as_object().unwrap_or(&empty);
        let prefix = format!("{FIELD}.{i}");
        let mut line_errors = Errors::default();
        let nested = |name: &str| format!("{prefix}.{name}");
        let rename = |line: &Input| -> Input {
            line.iter()
                .map(|(key, value)| (nested(key), value.clone()))
                .collect()
        };
        let line = rename(line);
        validation::string(&mut line_errors, &line, &nested("description"), true);
        let excl = validation::amount(&mut line_errors, &line, &nested("amountExclVat"));
        let rate = validation::integer(&mut line_errors, &line, &nested("vatRate"), VAT_RATES);
        total = match (total, excl, rate) {
            (Some(total), Some(excl), Some(rate)) => {
                let rate = u128::try_from(rate).unwrap_or(0);
                total.checked_add(u128::from(excl) * (100 + rate))
            }
            _ => None,
        };
        merge(errors, line_errors);
    }
    let total = total?;
    // Round half away from zero (amounts are never negative).
    u64::try_from((total + 50) / 100).ok()
}

fn merge(into: &mut Errors, from: Errors) {
    for (field, messages) in from.into_fields() {
        for message in messages {
            into.add(&field, message);
        }
    }
}

/// Validates `PATCH /v1/customer-invoices/{id}` (JSON): `paidAt` (`Y-m-d H:i:s`,
/// Amsterdam time), required.
pub(crate) fn mark_paid(input: &Input) -> Result<DateTime<FixedOffset>, Errors> {
    let mut errors = Errors::default();
    validation::local_date_time(&mut errors, input, "paidAt", true).ok_or(errors)
}

/// Validates `POST /v1/customers` (JSON): `companyName`, `address`, `zipCode`,
/// `city`, `primaryEmail` (an e-mail address) required, `countryCode` optional (two
/// letters, default `NL`).
pub(crate) fn new_customer(input: &Input) -> Result<NewCustomer, Errors> {
    let mut errors = Errors::default();
    let company_name = validation::string(&mut errors, input, "companyName", true);
    let address = validation::string(&mut errors, input, "address", true);
    let zip_code = validation::string(&mut errors, input, "zipCode", true);
    let city = validation::string(&mut errors, input, "city", true);
    let primary_email = validation::email(&mut errors, input, "primaryEmail", true);
    let country_code = country_code(&mut errors, input);
    match (company_name, address, zip_code, city, primary_email) {
        (Some(company_name), Some(address), Some(zip_code), Some(city), Some(primary_email))
            if errors.is_empty() =>
        {
            Ok(NewCustomer {
                company_name,
                address,
                zip_code,
                city,
                country_code: country_code.unwrap_or_else(|| "NL".to_owned()),
                primary_email,
            })
        }
        _ => Err(errors),
    }
}

/// Rule `sometimes|string|size:2|alpha` on `countryCode`, upper-cased.
fn country_code(errors: &mut Errors, input: &Input) -> Option<String> {
    const FIELD: &str = "countryCode";
    let code = validation::string(errors, input, FIELD, false)?;
    if code.chars().count() != 2 {
        errors.add(
            FIELD,
            "The country code field must be 2 characters.".to_owned(),
        );
        None
    } else if !code.chars().all(|c| c.is_ascii_alphabetic()) {
        errors.add(
            FIELD,
            "The country code field must only contain letters.".to_owned(),
        );
        None
    } else {
        Some(code.to_ascii_uppercase())
    }
}

/// The fields `PATCH /v1/customers/{id}` may change, in Laravel's message order.
const EDITABLE: [&str; 5] = ["companyName", "address", "zipCode", "city", "primaryEmail"];

/// Validates `PATCH /v1/customers/{id}` (JSON): each field as on create, but
/// optional; at least one must be sent (`required_without_all` on `companyName`).
pub(crate) fn customer_edit(input: &Input) -> Result<CustomerEdit, Errors> {
    let mut errors = Errors::default();
    if !EDITABLE
        .iter()
        .any(|field| validation::is_present(input, field))
    {
        let others: Vec<String> = EDITABLE[1..]
            .iter()
            .map(|f| validation::display_name(f))
            .collect();
        errors.add(
            EDITABLE[0],
            format!(
                "The company name field is required when none of {} are present.",
                others.join(" / ")
            ),
        );
        return Err(errors);
    }
    let edit = CustomerEdit {
        company_name: validation::string(&mut errors, input, "companyName", false),
        address: validation::string(&mut errors, input, "address", false),
        zip_code: validation::string(&mut errors, input, "zipCode", false),
        city: validation::string(&mut errors, input, "city", false),
        primary_email: validation::email(&mut errors, input, "primaryEmail", false),
    };
    if errors.is_empty() {
        Ok(edit)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(value: Value) -> Input {
        value.as_object().cloned().unwrap()
    }

    fn manual(lines: Value) -> Result<(NewInvoice, bool), Errors> {
        let body = input(json!({
            "customerId": "cst_1", "invoiceNumber": "2025-001", "issuedAt": "2025-04-14",
            "lines": lines,
        }));
        manual_invoice(&body, |id| id == "cst_1")
    }

    #[test]
    fn manual_amounts_are_the_rounded_sum_incl_vat() {
        let (invoice, notify) = manual(json!([
            { "description": "Website template", "amountExclVat": "12.95", "vatRate": 21 },
            { "description": "Book", "amountExclVat": "10.01", "vatRate": 9 },
            { "description": "Export", "amountExclVat": "5", "vatRate": 0 },
        ]))
        .unwrap();
        // 15.6695 + 10.9109 + 5 = 31.5804
        assert_eq!(invoice.amount_cents, 3158);
        assert!(!notify);
        // 0.05 × 1.21 = 0.0605 and 0.05 × 1.09 = 0.0545: 0.115 rounds up once.
        let (invoice, _) = manual(json!([
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
                "lines.2.description",
                "lines.2.amountExclVat",
                "lines.2.vatRate"
            ]
        );
        assert_eq!(
            errors.message(),
            "The lines.1.description field is required. (and 5 more errors)"
        );
        assert_eq!(manual(json!([])).unwrap_err().fields(), ["lines"]);
        assert_eq!(manual(json!("x")).unwrap_err().fields(), ["lines"]);
    }

    #[test]
    fn an_empty_edit_is_refused_and_a_partial_one_changes_only_its_fields() {
        let errors = customer_edit(&input(json!({ "phone": "+31" }))).unwrap_err();
        assert_eq!(
            errors.message(),
            "The company name field is required when none of address / zip code / city / primary email are present."
        );
        let edit = customer_edit(&input(json!({ "city": "Zwolle" }))).unwrap();
        assert_eq!(edit.city.as_deref(), Some("Zwolle"));
        assert_eq!(edit.company_name, None);
        let errors = customer_edit(&input(json!({ "primaryEmail": "nope" }))).unwrap_err();
        assert_eq!(errors.fields(), ["primaryEmail"]);
    }

    #[test]
    fn new_customers_default_to_nl() {
        let mut body = input(json!({
            "companyName": "Test Company BV", "address": "Teststreet 123", "zipCode": "1234AB",
            "city": "Amsterdam", "primaryEmail": "john.doe@test.com",
        }));
        assert_eq!(new_customer(&body).unwrap().country_code, "NL");
        body.insert("countryCode".into(), json!("be"));
        assert_eq!(new_customer(&body).unwrap().country_code, "BE");
        body.insert("countryCode".into(), json!("BEL"));
        assert_eq!(new_customer(&body).unwrap_err().fields(), ["countryCode"]);
        let errors = new_customer(&Input::new()).unwrap_err();
        assert_eq!(
            errors.fields(),
            ["companyName", "address", "zipCode", "city", "primaryEmail"]
        );
        assert_eq!(
            errors.message(),
            "The company name field is required. (and 4 more errors)"
        );
    }
}
