//! The vendor's documented payloads, decoded with the generated types.

use std::str::FromStr;

use mijnklantportaal_api::LocalDateTime;
use mijnklantportaal_api::types::{
    CloudFile, Customer, CustomerChanges, CustomerInvoice, CustomerInvoicePage, CustomerPage,
    ErrorBody, ManualInvoiceLine, MarkCustomerInvoicePaid, NewCustomer, NewManualCustomerInvoice,
};
use rust_decimal::Decimal;
use serde_json::json;

fn fixture(name: &str) -> String {
    let path = xtask::workspace_root().join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The vendor's example response, verbatim (trailing comma in `next_page_url` included).
#[test]
fn decodes_the_vendor_example() {
    let page: CustomerInvoicePage =
        serde_json::from_str(&fixture("vendor-list-customer-invoices.json")).expect("decodes");
    assert_eq!(page.current_page.get(), 1);
    assert_eq!(page.per_page.get(), 15);
    assert_eq!((page.from, page.to), (Some(1), Some(15)));
    assert_eq!(
        page.next_page_url.as_deref(),
        Some("https://api.mijnklantportaal.nl/v1/customer-invoices?page=2,")
    );
    assert_eq!(page.prev_page_url, None);
    let invoice = &page.data[0];
    assert_eq!(invoice.amount, Decimal::from_str("12.95").unwrap());
    assert_eq!(invoice.created_at.to_rfc3339(), "2024-04-29T21:00:00+02:00");
    assert_eq!(
        invoice.paid_at.map(|t| t.offset().local_minus_utc()),
        Some(2 * 3600),
        "the server's offset is kept"
    );
    assert_eq!(invoice.links.customer.type_, "<string>");
    insta::assert_debug_snapshot!("vendor_example", page);
}

/// The amount and timestamps go back out exactly as they came in.
#[test]
fn round_trips_amount_and_offset() {
    let text = fixture("vendor-list-customer-invoices.json");
    let page: CustomerInvoicePage = serde_json::from_str(&text).expect("decodes");
    let back = serde_json::to_value(&page).expect("encodes");
    let invoice = &back["data"][0];
    assert_eq!(invoice["amount"], "12.95");
    assert_eq!(invoice["paidAt"], "2024-05-28T21:00:00+02:00");
    assert_eq!(invoice["issuedAt"], "2024-04-29");
}

/// Past the last page: empty `data`, null `from`/`to`, a previous page.
#[test]
fn decodes_an_empty_page() {
    let page: CustomerInvoicePage =
        serde_json::from_str(&fixture("empty-page.json")).expect("decodes");
    assert!(page.data.is_empty());
    assert_eq!((page.from, page.to), (None, None));
    assert_eq!(page.next_page_url, None);
    assert!(page.prev_page_url.is_some());
}

/// `per_page` as a string, fields the server added later, a large amount, an unpaid
/// invoice and a winter offset.
#[test]
fn decodes_documented_quirks_and_unknown_fields() {
    let page: CustomerInvoicePage =
        serde_json::from_str(&fixture("quirky-page.json")).expect("decodes");
    assert_eq!(page.per_page.get(), 15);
    let invoice = &page.data[0];
    assert_eq!(invoice.amount.to_string(), "1234567890.10");
    assert_eq!(invoice.paid_at, None);
    assert_eq!(invoice.created_at.offset().local_minus_utc(), 3600);
    assert_eq!(
        invoice
            .links
            .online_payment_link
            .as_ref()
            .map(|l| l.type_.as_str()),
        Some("text/html")
    );
}

/// The documented error bodies.
#[test]
fn decodes_error_bodies() {
    let too_many: ErrorBody =
        serde_json::from_str(r#"{"code": 429, "message": "Too many requests."}"#).unwrap();
    assert_eq!(too_many.code, Some(429));
    assert_eq!(too_many.message.as_deref(), Some("Too many requests."));
    let unauthenticated: ErrorBody =
        serde_json::from_str(r#"{"message": "Unauthenticated."}"#).unwrap();
    assert_eq!(unauthenticated.code, None);
    let unprocessable: ErrorBody = serde_json::from_str(
        r#"{"message": "The page field must be an integer.", "errors": {"page": ["The page field must be an integer."]}}"#,
    )
    .unwrap();
    assert_eq!(unprocessable.errors["page"].len(), 1);
}

fn documented(name: &str) -> String {
    fixture(&format!("documented/{name}"))
}

fn documented_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&documented(name)).expect("the fixture is JSON")
}

/// get-customer-invoice: the newer crawl, with `onlinePaymentLink` and a real link type.
#[test]
fn decodes_get_customer_invoice() {
    let invoice: CustomerInvoice =
        serde_json::from_str(&documented("get-customer-invoice.json")).expect("decodes");
    assert_eq!(invoice.links.customer.type_, "application/json");
    let pay = invoice.links.online_payment_link.expect("the pay link");
    assert_eq!(pay.type_, "text/html");
    assert!(pay.href.ends_with("/public-invoice/inv_abc123/pay/123-abc"));
    assert_eq!(
        invoice.paid_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-05-28T21:00:00+02:00")
    );
}

/// create-customer-invoice, create-customer-invoice-manual and mark-customer-invoice-paid
/// all answer with one Customer Invoice (the older `"<string>"` link type included).
#[test]
fn decodes_the_invoice_a_write_returns() {
    let invoice: CustomerInvoice =
        serde_json::from_str(&documented("create-customer-invoice.json")).expect("decodes");
    assert_eq!(invoice.invoice_number, "2024-001");
    assert_eq!(invoice.amount, Decimal::from_str("12.95").unwrap());
    assert_eq!(invoice.links.customer.type_, "<string>");
    assert_eq!(invoice.links.online_payment_link, None);
}

/// The manual invoice request, built with the generated builders, is the documented body.
#[test]
fn encodes_the_manual_invoice_request() {
    let line: ManualInvoiceLine = ManualInvoiceLine::builder()
        .description("Website template")
        .amount_excl_vat(Decimal::from_str("12.95").unwrap())
        .vat_rate(21)
        .try_into()
        .expect("every field is set");
    let body: NewManualCustomerInvoice = NewManualCustomerInvoice::builder()
        .customer_id("cst_abc12345def678")
        .invoice_number("2015-001")
        .issued_at(chrono::NaiveDate::from_ymd_opt(2025, 4, 14).unwrap())
        .lines(vec![line])
        .send_notification(true)
        .try_into()
        .expect("every required field is set");
    let documented: serde_json::Value =
        serde_json::from_str(&documented("create-customer-invoice-manual.request.json")).unwrap();
    assert_eq!(serde_json::to_value(&body).unwrap(), documented);
    let back: NewManualCustomerInvoice = serde_json::from_value(documented).unwrap();
    assert_eq!(back, body);
}

/// mark-customer-invoice-paid sends `YYYY-mm-dd HH:mm:ss`; the documented example's
/// impossible date (`2024-04-31 14:00:00`) is refused before it is sent.
#[test]
fn encodes_mark_paid_with_a_zoneless_date_time() {
    let at: LocalDateTime = "2024-05-11 12:59:00".parse().unwrap();
    let body: MarkCustomerInvoicePaid = MarkCustomerInvoicePaid::builder()
        .paid_at(at)
        .try_into()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"paidAt": "2024-05-11 12:59:00"})
    );
    assert!("2024-04-31 14:00:00".parse::<LocalDateTime>().is_err());
    assert!("2024-05-11T12:59:00".parse::<LocalDateTime>().is_err());
    assert!(
        serde_json::from_value::<MarkCustomerInvoicePaid>(json!({"paidAt": "2024-04-31 14:00:00"}))
            .is_err()
    );
}

/// get-customer-invoice-pdf: a link and when it expires, offset kept.
#[test]
fn decodes_the_pdf_link() {
    let file: CloudFile =
        serde_json::from_str(&documented("get-customer-invoice-pdf.json")).expect("decodes");
    assert_eq!(file.link, "https://...");
    assert_eq!(file.expires_at.to_rfc3339(), "2025-04-29T21:00:00+02:00");
}

/// list-customers: the same envelope; list items have no `countryCode`.
#[test]
fn decodes_a_customer_page() {
    let page: CustomerPage =
        serde_json::from_str(&documented("list-customers.json")).expect("decodes");
    assert_eq!((page.current_page.get(), page.per_page.get()), (1, 15));
    assert_eq!(
        page.next_page_url.as_deref(),
        Some("https://api.mijnklantportaal.nl/v1/customers?page=2,")
    );
    let customer = &page.data[0];
    assert_eq!(customer.country_code, None);
    assert_eq!(customer.customer_groups, ["cug_123abc567"]);
    assert_eq!(customer.created_at.offset().local_minus_utc(), 2 * 3600);
}

/// create-customer (and get-customer, edit-customer): `countryCode` present, a null phone;
/// and a customer with only the required fields.
#[test]
fn decodes_a_customer() {
    let customer: Customer =
        serde_json::from_str(&documented("create-customer.json")).expect("decodes");
    assert_eq!(customer.country_code.as_deref(), Some("NL"));
    assert_eq!(customer.phone, None);
    assert_eq!(customer.integration.as_deref(), Some("acumulus"));
    let bare: Customer = serde_json::from_value(json!({
        "id": "cst_1", "companyName": "A", "address": "B 1", "zipCode": "1234AB",
        "city": "C", "primaryEmail": "a@b.nl", "createdAt": "2024-01-01T00:00:00+01:00"
    }))
    .expect("what not every example shows is optional");
    assert!(bare.customer_groups.is_empty());
}

/// create-customer leaves out `countryCode` when not given; edit-customer sends only
/// the fields that change.
#[test]
fn encodes_customer_requests() {
    let new: NewCustomer = NewCustomer::builder()
        .company_name("Test Company BV")
        .address("Teststreet 123")
        .zip_code("1234AB")
        .city("Amsterdam")
        .primary_email("john.doe@test.com")
        .try_into()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&new).unwrap(),
        json!({"companyName": "Test Company BV", "address": "Teststreet 123", "zipCode": "1234AB", "city": "Amsterdam", "primaryEmail": "john.doe@test.com"})
    );
    let changes: CustomerChanges = CustomerChanges::builder()
        .city("Utrecht".to_string())
        .try_into()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&changes).unwrap(),
        json!({"city": "Utrecht"})
    );
}

/// 422 (Laravel's field map) and 404 decode as the one error body.
#[test]
fn decodes_validation_and_not_found_bodies() {
    let invalid: ErrorBody =
        serde_json::from_str(&documented("validation-failed.json")).expect("decodes");
    assert_eq!(invalid.errors.len(), 2);
    assert_eq!(
        invalid.errors["paidAt"],
        ["The paid at field must be a valid date."]
    );
    let not_found: ErrorBody = serde_json::from_value(
        json!({"message": "No query results for model [App\\Models\\Invoice] inv_x"}),
    )
    .unwrap();
    assert!(not_found.errors.is_empty());
}

/// Payment Links API: the vendor's examples of its pages.
mod payment_links {
    use mijnklantportaal_api::types::{
        NewPaymentLink, PaymentLink, PaymentLinkPage, PaymentLinkPaymentPage,
        PaymentLinkPaymentStatus, PaymentLinkStatus,
    };
    use rust_decimal::Decimal;
    use serde_json::json;

    use super::documented;

    /// list-payment-links (create, get and close answer the same object): a link's status,
    /// its expiry with the server's offset, and a closed link whose checkout URL is null.
    #[test]
    fn decodes_payment_links() {
        let page: PaymentLinkPage =
            serde_json::from_str(&documented("list-payment-links.json")).expect("decodes");
        assert_eq!(
            page.next_page_url.as_deref(),
            Some("https://api.mijnklantportaal.nl/v1/payment-links?page=2,")
        );
        let link = &page.data[0];
        assert_eq!(link.status, PaymentLinkStatus::Open);
        assert_eq!(link.amount, Decimal::new(1295, 2));
        assert!(link.reusable);
        assert_eq!(
            link.expires_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-05-14T21:00:00+02:00")
        );
        assert_eq!(
            link.checkout_url.as_deref(),
            Some("https://demo.mijnklantportaal.nl/payment-link/plk_abc12345def678")
        );
        let closed: PaymentLink = serde_json::from_value(json!({
            "id": "plk_1", "description": "Fee", "currency": "EUR", "amount": "5.00",
            "reusable": false, "expiresAt": null, "status": "closed", "checkoutUrl": null,
            "createdAt": "2024-01-01T00:00:00+01:00"
        }))
        .expect("a closed link");
        assert_eq!(closed.status, PaymentLinkStatus::Closed);
        assert_eq!((closed.expires_at, closed.checkout_url), (None, None));
    }

    /// create-payment-link's documented body, built with the generated type: the date
    /// without a time, the amount as a string.
    #[test]
    fn encodes_the_payment_link_request() {
        let body = NewPaymentLink {
            description: "Contribution costs".into(),
            amount: Decimal::new(1295, 2),
            expires_at: chrono::NaiveDate::from_ymd_opt(2024, 5, 4),
            reusable: Some(true),
        };
        let documented: serde_json::Value =
            serde_json::from_str(&documented("create-payment-link.request.json")).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), documented);
    }

    /// list-payment-link-payment: the payments of a link; a status the documentation does
    /// not name is kept, not an error.
    #[test]
    fn decodes_payment_link_payments() {
        let page: PaymentLinkPaymentPage =
            serde_json::from_str(&documented("list-payment-link-payments.json")).expect("decodes");
        let payment = &page.data[0];
        assert_eq!(payment.payment_link_id.as_str(), "plk_abc12345def678");
        assert_eq!(payment.status, PaymentLinkPaymentStatus::Paid);
        assert_eq!(payment.amount, Decimal::new(1295, 2));
        assert_eq!(payment.payers_name.as_deref(), Some("John Doe"));
        assert_eq!(payment.integration_id.as_deref(), Some("tr_123abc"));
        let open: PaymentLinkPaymentStatus = serde_json::from_value(json!("open")).unwrap();
        assert_eq!(open, PaymentLinkPaymentStatus::Unknown("open".into()));
    }
}

/// Punch Cards API: the vendor's examples of its pages.
mod punch_cards {
    use mijnklantportaal_api::types::{
        IssuedPunchCard, IssuedPunchCardStatus, NewPunchCard, PunchCard, PunchCardChanges,
        PunchCardExpiryPeriod, PunchCardPage, StampPunchCard,
    };
    use rust_decimal::Decimal;
    use serde_json::json;

    use super::documented;

    /// list-punch-cards (create, get and edit answer the same object): the response's
    /// `expiryPeriode` spelling, a price with VAT, and a card not for sale that never
    /// expires (nulls).
    #[test]
    fn decodes_punch_cards() {
        let page: PunchCardPage =
            serde_json::from_str(&documented("list-punch-cards.json")).expect("decodes");
        let card = &page.data[0];
        assert_eq!((card.punches, card.punch_label.as_str()), (20, "lessons"));
        assert_eq!(card.price, Some(Decimal::new(22995, 2)));
        assert_eq!(card.vat_rate, Some(21));
        assert_eq!(card.expiry_value, Some(3));
        assert_eq!(card.expiry_periode, Some(PunchCardExpiryPeriod::Years));
        let free: PunchCard = serde_json::from_value(json!({
            "id": "pcd_1", "name": "Coffee", "description": null, "punches": 10,
            "punchLabel": "cups", "forSale": false, "price": null, "vatRate": null,
            "expiryValue": null, "expiryPeriode": null, "createdAt": "2025-11-19T21:00:00+02:00"
        }))
        .expect("a card not for sale");
        assert_eq!(
            (free.price, free.vat_rate, free.expiry_periode),
            (None, None, None)
        );
    }

    /// create-punch-card and edit-punch-card: the documented bodies, `expirePeriod` (the
    /// request's spelling) and `expiryValue` as the number the vendor's example sends;
    /// stamp-an-issued-punch-card's `{"stamps": 1}`.
    #[test]
    fn encodes_punch_card_requests() {
        let new = NewPunchCard {
            name: "Driving lessons".into(),
            punches: std::num::NonZeroU64::new(20).unwrap(),
            punch_label: "lessons".into(),
            description: Some("Lessons in a BMW, Mon-Fri 09AM-05PM".into()),
            for_sale: Some(true),
            price: Some(Decimal::new(22995, 2)),
            vat_rate: Some(21),
            expiry_value: std::num::NonZeroU64::new(3),
            expire_period: Some(PunchCardExpiryPeriod::Years),
        };
        let documented_new: serde_json::Value =
            serde_json::from_str(&documented("create-punch-card.request.json")).unwrap();
        assert_eq!(serde_json::to_value(&new).unwrap(), documented_new);
        let edit = PunchCardChanges {
            for_sale: true,
            price: Some(Decimal::new(22995, 2)),
            vat_rate: Some(21),
        };
        let documented_edit: serde_json::Value =
            serde_json::from_str(&documented("edit-punch-card.request.json")).unwrap();
        assert_eq!(serde_json::to_value(&edit).unwrap(), documented_edit);
        let stamp = StampPunchCard {
            stamps: std::num::NonZeroU64::MIN,
        };
        assert_eq!(serde_json::to_value(&stamp).unwrap(), json!({"stamps": 1}));
    }

    /// get-bought-punch-card (issue and stamp answer the same object), and a used-up card
    /// that never expires.
    #[test]
    fn decodes_an_issued_punch_card() {
        let card: IssuedPunchCard =
            serde_json::from_str(&documented("get-an-issued-punch-card.json")).expect("decodes");
        assert_eq!(card.status, IssuedPunchCardStatus::Active);
        assert_eq!(
            (card.punch_card_id.as_str(), card.punches_left),
            ("pcd_abc12345def678", 17)
        );
        assert_eq!(
            card.expires_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2028-11-19T21:00:00+02:00")
        );
        let used: IssuedPunchCard = serde_json::from_value(json!({
            "id": "pcb_1", "punchCardId": "pcd_1", "customerId": "cst_1", "punchesLeft": 0,
            "status": "fully_used", "expiresAt": null, "issuedAt": "2025-11-19T21:00:00+02:00"
        }))
        .expect("a used-up card");
        assert_eq!(used.status, IssuedPunchCardStatus::FullyUsed);
        assert_eq!(used.expires_at, None);
    }
}

/// Invoices API (Mijn Klantportaal's own invoices): the vendor's examples of its pages.
mod mkp_invoices {
    use mijnklantportaal_api::types::{MkpInvoice, MkpInvoicePage};
    use rust_decimal::Decimal;

    use super::documented;

    /// list-mijnklantportaal-invoices and get-invoice: every amount is a JSON number in the
    /// vendor's examples although typed string; each is read from its digits, exactly, and
    /// `issuedAt`'s `.000Z` keeps an offset of zero.
    #[test]
    fn decodes_mkp_invoices_with_numeric_amounts() {
        let page: MkpInvoicePage =
            serde_json::from_str(&documented("list-mijnklantportaal-invoices.json"))
                .expect("decodes");
        let invoice = &page.data[0];
        assert_eq!(invoice.invoice_number, "MKP-2025.0010");
        assert_eq!(invoice.subtotal_amount.get(), Decimal::new(1295, 2));
        assert_eq!(invoice.vat_amount.get(), Decimal::new(272, 2));
        assert_eq!(invoice.total_amount.get(), Decimal::new(1567, 2));
        assert_eq!(invoice.issued_at.to_rfc3339(), "2025-04-12T00:00:00+00:00");
        assert!(invoice.is_paid);
        let line = &invoice.lines[0];
        assert_eq!(line.quantity.get(), Decimal::ONE);
        assert_eq!(line.vat_rate, 21);
        assert_eq!(
            line.amount_excl_vat.get() + line.vat_amount.get(),
            line.amount_incl_vat.get(),
            "exact sums: no float rounding"
        );
        // Written back as decimal strings, as the schema types them.
        let back = serde_json::to_value(invoice).unwrap();
        assert_eq!(back["totalAmount"], "15.67");
        assert_eq!(back["lines"][0]["vatAmount"], "2.72");
        // The type the schema declares (strings) decodes too, and so does a number with
        // more digits than an f64 holds, which rust_decimal's own serde would round.
        let mut text = invoice.clone();
        text.total_amount = serde_json::from_str("\"15.67\"").unwrap();
        assert_eq!(text, invoice.clone());
        // Text, not a `json!` value: that would hold the number as an f64 already.
        let big: MkpInvoice = serde_json::from_str(
            r#"{"id": "fac_1", "invoiceNumber": "MKP-1", "lines": [], "currency": "EUR",
                "subtotalAmount": 1234567890123456789.01, "vatAmount": 0,
                "totalAmount": 1234567890123456789.01, "issuedAt": "2025-04-12T00:00:00.000Z",
                "isPaid": false}"#,
        )
        .expect("decodes");
        assert_eq!(big.total_amount.to_string(), "1234567890123456789.01");
    }
}

/// Webhooks API: the vendor's examples of its pages.
mod webhooks {
    use mijnklantportaal_api::types::{NewWebhook, WebhookEventType, WebhookPage};
    use serde_json::json;

    use super::documented;

    /// list-webhooks (create and get answer the same record), the documented create body,
    /// all 23 event names, and an event name the documentation does not list.
    #[test]
    fn decodes_webhooks_and_every_event_type() {
        let page: WebhookPage =
            serde_json::from_str(&documented("list-webhook-records.json")).expect("decodes");
        let hook = &page.data[0];
        assert_eq!(hook.type_, WebhookEventType::CustomerCreated);
        assert_eq!(hook.secret.expose_secret(), "OUJX2prdBbJxR77BZlGz");
        assert!(!format!("{hook:?}").contains("OUJX2prdBbJxR77BZlGz"));
        let body = NewWebhook {
            url: "https://mijnklantportaal.nl/webhook-incoming".into(),
            type_: WebhookEventType::CustomerCreated,
        };
        let documented_body: serde_json::Value =
            serde_json::from_str(&documented("create-webhook-record.request.json")).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), documented_body);

        // The vendor's 23 names (reference §5.4; the mock's one list of them), each a
        // known variant that writes itself back.
        let names = mijnklantportaal_mock::WEBHOOK_EVENT_TYPES;
        assert_eq!(names.len(), 23);
        for name in names {
            let event: WebhookEventType = serde_json::from_value(json!(name)).unwrap();
            assert!(!matches!(event, WebhookEventType::Unknown(_)), "{name}");
            assert_eq!(serde_json::to_value(&event).unwrap(), name);
            assert_eq!(event.to_string(), name);
        }
        let later: WebhookEventType = serde_json::from_value(json!("customer-updated")).unwrap();
        assert_eq!(later, WebhookEventType::Unknown("customer-updated".into()));
        assert_eq!(serde_json::to_value(&later).unwrap(), "customer-updated");
    }
}

/// Customer Groups API: the vendor's examples of its pages.
mod customer_groups {
    use mijnklantportaal_api::types::{CustomerGroupPage, CustomerList, NewCustomerGroup};

    use super::documented;

    /// list-customer-groups: the envelope, with a group's three fields.
    #[test]
    fn decodes_a_group_page() {
        let page: CustomerGroupPage =
            serde_json::from_str(&documented("list-customer-groups.json")).expect("decodes");
        assert_eq!(
            page.next_page_url.as_deref(),
            Some("https://api.mijnklantportaal.nl/v1/customer-groups?page=2,")
        );
        let group = &page.data[0];
        assert_eq!(
            (group.id.as_str(), group.name.as_str()),
            ("cug_abc12345def678", "Webhosting customers")
        );
        assert_eq!(group.created_at.to_rfc3339(), "2025-07-27T14:42:00+02:00");
    }

    /// create-customer-group: the documented body, built with the generated builder.
    #[test]
    fn encodes_the_create_request() {
        let body: NewCustomerGroup = NewCustomerGroup::builder()
            .name("Hosting customers")
            .customers(vec![mijnklantportaal_api::types::CustomerId::from(
                "cst_abc12345",
            )])
            .try_into()
            .expect("every required field is set");
        let documented: serde_json::Value =
            serde_json::from_str(&documented("create-customer-group.request.json")).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), documented);
    }

    /// add-customers-to-customer-group: a `{data: [...]}` list, not the paginator.
    #[test]
    fn decodes_the_added_customers() {
        let list: CustomerList =
            serde_json::from_str(&documented("add-customers-to-customer-group.json"))
                .expect("decodes");
        assert_eq!(list.data.len(), 1);
        assert_eq!(list.data[0].customer_groups, ["cug_123abc567"]);
    }
}

/// Customer Offers API: the vendor's examples of its pages.
mod customer_offers {
    use std::str::FromStr;

    use mijnklantportaal_api::types::{
        CustomerOffer, CustomerOfferDecision, CustomerOfferPage, ManualInvoiceLine,
        NewManualCustomerOffer,
    };
    use rust_decimal::Decimal;
    use serde_json::json;

    use super::documented;

    /// list-customer-offers (get-customer-offer and the writes answer the same object):
    /// the invalid IPv4 and an offer both accepted and rejected decode as published.
    #[test]
    fn decodes_an_offer_page() {
        let page: CustomerOfferPage =
            serde_json::from_str(&documented("list-customer-offers.json")).expect("decodes");
        let offer = &page.data[0];
        assert_eq!(offer.offer_number, "2024-001");
        assert_eq!(offer.amount, Decimal::from_str("12.95").unwrap());
        assert_eq!(offer.expires_at.to_string(), "2024-05-29");
        assert_eq!(offer.accepted_via_ip.as_deref(), Some("123.456.7.8.9"));
        assert_eq!(
            (
                offer.accepted_at.map(|t| t.to_rfc3339()),
                offer.rejected_at.map(|t| t.to_rfc3339())
            ),
            (
                Some("2024-05-14T21:00:00+02:00".to_string()),
                Some("2024-05-14T21:00:00+02:00".to_string())
            )
        );
        assert!(
            offer
                .acceptance_signature
                .as_deref()
                .is_some_and(|s| s.starts_with("data:image/png;base64,"))
        );
        assert_eq!(offer.links.customer.type_, "<string>");
    }

    /// An outstanding offer: the acceptance's details may be null or absent.
    #[test]
    fn decodes_an_outstanding_offer() {
        let offer: CustomerOffer = serde_json::from_value(json!({
            "id": "off_1", "customerId": "cst_1", "offerNumber": "1", "issuedAt": "2024-04-29",
            "expiresAt": "2024-05-29", "currency": "EUR", "amount": "10.00",
            "acceptedAt": null, "acceptedViaIp": null, "rejectedAt": null,
            "createdAt": "2024-04-29T21:00:00+02:00",
            "links": {"customer": {"href": "https://api.mijnklantportaal.nl/v1/customers/cst_1", "type": "application/json"}}
        }))
        .expect("decodes");
        assert_eq!(
            (
                offer.accepted_at,
                offer.accepted_via_user_agent,
                offer.rejected_at
            ),
            (None, None, None)
        );
    }

    /// create-customer-offer-manual: the documented body is the manual invoice's plus
    /// `expiresAt`; its `2025-04-31` does not exist and is refused, the rest encodes
    /// as documented.
    #[test]
    fn encodes_the_manual_offer_request() {
        let text = documented("create-customer-offer-manual.request.json");
        assert!(serde_json::from_str::<NewManualCustomerOffer>(&text).is_err());
        let line: ManualInvoiceLine = ManualInvoiceLine::builder()
            .description("Website template")
            .amount_excl_vat(Decimal::from_str("12.95").unwrap())
            .vat_rate(21)
            .try_into()
            .unwrap();
        let body: NewManualCustomerOffer = NewManualCustomerOffer::builder()
            .customer_id("cst_abc12345def678")
            .offer_number("2014-001")
            .issued_at(chrono::NaiveDate::from_ymd_opt(2025, 4, 14).unwrap())
            .expires_at(chrono::NaiveDate::from_ymd_opt(2025, 4, 30).unwrap())
            .lines(vec![line])
            .send_notification(true)
            .try_into()
            .unwrap();
        let mut documented: serde_json::Value = serde_json::from_str(&text).unwrap();
        documented["expiresAt"] = json!("2025-04-30");
        assert_eq!(serde_json::to_value(&body).unwrap(), documented);
    }

    /// mark-customer-offer-accepted-or-rejected: zoneless date-times, both ways.
    #[test]
    fn round_trips_the_decision_request() {
        let text = documented("mark-customer-offer-accepted-or-rejected.request.json");
        let decision: CustomerOfferDecision = serde_json::from_str(&text).expect("decodes");
        assert_eq!(
            decision.accepted_at.map(|t| t.to_string()).as_deref(),
            Some("2024-05-04 20:51:50")
        );
        let documented: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_value(&decision).unwrap(), documented);
        assert_eq!(
            serde_json::to_value(CustomerOfferDecision::default()).unwrap(),
            json!({}),
            "nothing set, nothing sent"
        );
    }
}

/// Customer Subscriptions API: the vendor's examples of its pages.
mod customer_subscriptions {
    use std::str::FromStr;

    use mijnklantportaal_api::types::{
        CustomerSubscription, CustomerSubscriptionChanges, CustomerSubscriptionPage,
        NewCustomerSubscription, SubscriptionInterval, SubscriptionStatus,
    };
    use rust_decimal::Decimal;
    use serde_json::json;

    use super::documented;

    /// list-customer-subscriptions: six `options` keys, the `sub__` id, enums.
    #[test]
    fn decodes_a_subscription_page() {
        let page: CustomerSubscriptionPage =
            serde_json::from_str(&documented("list-customer-subscriptions.json")).expect("decodes");
        let subscription = &page.data[0];
        assert_eq!(subscription.id.as_str(), "sub__abc12345def678");
        assert_eq!(subscription.interval, SubscriptionInterval::X1Year);
        assert_eq!(subscription.status, SubscriptionStatus::InProgress);
        assert_eq!(subscription.vat_rate, 21);
        assert_eq!(subscription.amount, Decimal::from_str("12.95").unwrap());
        let options = subscription.options.as_ref().expect("options");
        assert_eq!(options.payment_integration.as_deref(), Some("mollie"));
        assert_eq!(options.follow_up_failed_payment, Some(true));
    }

    /// create-customer-subscription (and get, change, sign-up) answer with two
    /// `options` keys; an interval or status the spec does not know is kept.
    #[test]
    fn decodes_a_subscription() {
        let text = documented("create-customer-subscription.json");
        let subscription: CustomerSubscription = serde_json::from_str(&text).expect("decodes");
        let options = subscription.options.expect("options");
        assert_eq!(options.create_invoice, Some(true));
        assert_eq!(options.payment_integration, None);
        assert_eq!(
            subscription.renews_at.map(|d| d.to_string()).as_deref(),
            Some("2025-04-29")
        );

        let mut newer: serde_json::Value = serde_json::from_str(&text).unwrap();
        newer["interval"] = json!("3 months");
        newer["status"] = json!("paused");
        newer["renewsAt"] = json!(null);
        newer.as_object_mut().unwrap().remove("terminatedAt");
        let newer: CustomerSubscription = serde_json::from_value(newer).expect("decodes");
        assert_eq!(
            newer.interval,
            SubscriptionInterval::Unknown("3 months".into())
        );
        assert_eq!(newer.status, SubscriptionStatus::Unknown("paused".into()));
        assert_eq!((newer.renews_at, newer.terminated_at), (None, None));
    }

    /// create-customer-subscription: the newer crawl's body, built with the builder.
    #[test]
    fn encodes_the_create_request() {
        let body: NewCustomerSubscription = NewCustomerSubscription::builder()
            .customer_id("cst_abc12345def678")
            .description("Contribution costs")
            .start_date(chrono::NaiveDate::from_ymd_opt(2024, 5, 4).unwrap())
            .interval(SubscriptionInterval::X1Year)
            .amount(Decimal::from_str("12.95").unwrap())
            .vat_rate(21)
            .create_invoice(true)
            .create_payment(true)
            .invoice_description("Extending subscription".to_string())
            .payment_integration_mandate_id("mdt_123abc".to_string())
            .follow_up_failed_payment(true)
            .try_into()
            .expect("every required field is set");
        let documented: serde_json::Value =
            serde_json::from_str(&documented("create-customer-subscription.request.json")).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), documented);
    }

    /// change-customer-subscription: every field optional, `terminatedAt` zoneless.
    #[test]
    fn round_trips_the_change_request() {
        let text = documented("change-customer-subscription.request.json");
        let changes: CustomerSubscriptionChanges = serde_json::from_str(&text).expect("decodes");
        assert_eq!(changes.interval, Some(SubscriptionInterval::X1Year));
        let documented: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_value(&changes).unwrap(), documented);
    }
}

/// Customer Subscription Packages API: the vendor's examples of its pages.
mod customer_subscription_packages {
    use std::str::FromStr;

    use mijnklantportaal_api::types::{
        CustomerSubscriptionPackagePage, CustomerSubscriptionPackageSignUp,
        NewCustomerSubscriptionPackage, SubscriptionInterval,
    };
    use rust_decimal::Decimal;

    use super::documented;

    /// list-customer-subscription-packages (get and create answer the same object).
    #[test]
    fn decodes_a_package_page() {
        let page: CustomerSubscriptionPackagePage =
            serde_json::from_str(&documented("list-customer-subscription-packages.json"))
                .expect("decodes");
        let package = &page.data[0];
        assert_eq!(package.id.as_str(), "spg_abc12345def678");
        assert_eq!(package.interval, SubscriptionInterval::X1Year);
        assert_eq!(package.amount, Decimal::from_str("12.95").unwrap());
        assert!(package.available_for_sale);
    }

    /// create-customer-subscription-package: the documented body.
    #[test]
    fn encodes_the_create_request() {
        let body: NewCustomerSubscriptionPackage = NewCustomerSubscriptionPackage::builder()
            .name("Phone subscription")
            .interval(SubscriptionInterval::X1Year)
            .amount(Decimal::from_str("12.95").unwrap())
            .vat_rate(21)
            .description("1GB per month, 300min per month".to_string())
            .available_for_sale(true)
            .try_into()
            .expect("every required field is set");
        let documented: serde_json::Value = serde_json::from_str(&documented(
            "create-customer-subscription-package.request.json",
        ))
        .unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), documented);
    }

    /// sign-up: the documented body decodes (`invoiceText: null` = the package's name),
    /// and what is not set is not sent.
    #[test]
    fn decodes_the_sign_up_request() {
        let text =
            documented("sign-up-a-customer-for-a-customer-subscription-package.request.json");
        let sign_up: CustomerSubscriptionPackageSignUp =
            serde_json::from_str(&text).expect("decodes");
        assert_eq!(sign_up.mandate_id.as_deref(), Some("mdt_abc12345def678"));
        assert_eq!(sign_up.invoice_text, None);
        let mut documented: serde_json::Value = serde_json::from_str(&text).unwrap();
        documented.as_object_mut().unwrap().remove("invoiceText");
        assert_eq!(serde_json::to_value(&sign_up).unwrap(), documented);
    }
}

mod tickets {
    use mijnklantportaal_api::types::*;
    use serde_json::json;

    use super::{documented, documented_json};

    /// list-ticket-records: the simple paginator of tickets, without messages.
    #[test]
    fn decodes_the_ticket_list() {
        let page: TicketPage =
            serde_json::from_str(&documented("list-ticket-records.json")).expect("decodes");
        assert_eq!(
            page.next_page_url.as_deref(),
            Some("https://api.mijnklantportaal.nl/v1/tickets?page=2,")
        );
        let ticket = &page.data[0];
        assert_eq!(ticket.status, TicketStatus::Open);
        assert_eq!(ticket.source, Some(TicketSource::Portal));
        assert_eq!(ticket.customer_id.as_deref(), Some("cst_abc12354678"));
        assert_eq!(ticket.created_at.offset().local_minus_utc(), 2 * 3600);
    }

    /// get-ticket-record (and, with the same example, add-message, close-ticket and
    /// upload-attachment): the ticket with its messages and their attachments.
    #[test]
    fn decodes_a_ticket_with_its_messages() {
        let ticket: TicketWithMessages =
            serde_json::from_str(&documented("get-ticket-record.json")).expect("decodes");
        assert_eq!(ticket.title.as_deref(), Some("Invoice issue"));
        // The close-ticket page shows this very body, still `open` (§6).
        assert_eq!(ticket.status, TicketStatus::Open);
        let message = &ticket.messages[0];
        assert_eq!(message.id.as_str(), "tim_abc12345def678");
        assert_eq!(message.is_posted_by_customer, Some(true));
        assert_eq!(
            message.message.as_deref(),
            Some("<p>Hello, help me with my invoice please</p>")
        );
        assert_eq!(message.posted_at.to_rfc3339(), "2024-04-29T21:00:00+02:00");
        let attachment = &message.attachments[0];
        assert_eq!(
            (
                attachment.id.as_str(),
                attachment.size,
                attachment.mime.as_deref()
            ),
            ("tma_abc12345def678", Some(1256), Some("image/png"))
        );
        // A live-chat ticket without a customer, and a status the spec does not know yet.
        let chat: TicketWithMessages = serde_json::from_value(json!({
            "id": "tic_1", "customerId": null, "source": "chat", "status": "archived",
            "createdAt": "2024-01-01T09:00:00+01:00"
        }))
        .expect("decodes");
        assert_eq!(chat.source, Some(TicketSource::Chat));
        assert_eq!(chat.status, TicketStatus::Unknown("archived".to_string()));
        assert!(chat.messages.is_empty());
    }

    /// add-message-to-the-ticket's request body.
    #[test]
    fn encodes_a_ticket_reply() {
        let body = NewTicketMessage {
            message: "<p>We will look into it!</p>".to_string(),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            documented_json("add-message-to-the-ticket.request.json")
        );
    }
}

mod appointments {
    use mijnklantportaal_api::LocalDateTime;
    use mijnklantportaal_api::types::*;
    use serde_json::json;

    use super::{documented, documented_json};

    /// list-appointments: `{data: [...]}`, not the paginator (and get-appointment's body).
    #[test]
    fn decodes_the_appointment_list() {
        let list: AppointmentList =
            serde_json::from_str(&documented("list-appointments.json")).expect("decodes");
        let appointment = &list.data[0];
        assert_eq!(appointment.status, AppointmentStatus::Scheduled);
        assert_eq!(
            appointment.starts_at.to_rfc3339(),
            "2025-03-05T16:00:00+02:00"
        );
        assert_eq!(
            appointment.online_meeting_link.as_deref(),
            Some("https://meet.google.com/abc-123")
        );
        assert!(
            serde_json::from_str::<mijnklantportaal_api::types::CustomerPage>(&documented(
                "list-appointments.json"
            ))
            .is_err(),
            "no paginator fields"
        );
        let pending: mijnklantportaal_api::types::Appointment = serde_json::from_value(json!({
            "id": "apt_1", "customerId": null, "attendeeName": "A", "attendeeEmail": "a@b.nl",
            "startsAt": "2025-03-05T16:00:00+01:00", "endsAt": "2025-03-05T17:00:00+01:00",
            "status": "pending", "onlineMeetingLink": null, "createdAt": "2025-03-01T10:00:00+01:00"
        }))
        .expect("decodes");
        assert_eq!(pending.status, AppointmentStatus::Pending);
        assert_eq!(pending.online_meeting_link, None);
    }

    /// schedule-appointment and change-appointment-status: the documented request bodies,
    /// the date-times with seconds as the examples have them.
    #[test]
    fn encodes_the_appointment_requests() {
        let at = |text: &str| text.parse::<LocalDateTime>().expect("a date-time");
        let body = NewAppointment {
            name: "Contract extension".to_string(),
            starts_at: at("2025-03-05 14:30:00"),
            ends_at: at("2025-03-05 16:00:00"),
            customer_id: Some(mijnklantportaal_api::types::CustomerId::from(
                "cst_abcde123fgh",
            )),
            attendee_name: Some("John Doe".to_string()),
            attendee_email: Some("johndoe@example.com".to_string()),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            documented_json("schedule-appointment.request.json")
        );
        let change = AppointmentStatusChange {
            status: NewAppointmentStatus::Scheduled,
        };
        assert_eq!(
            serde_json::to_value(&change).unwrap(),
            documented_json("change-appointment-status.request.json")
        );
    }
}

mod agreements {
    use mijnklantportaal_api::types::*;
    use serde_json::json;

    use super::documented;

    /// get-agreement (and create-agreement's answer): signers and documents.
    #[test]
    fn decodes_an_agreement_with_details() {
        let agreement: AgreementWithDetails =
            serde_json::from_str(&documented("get-agreement.json")).expect("decodes");
        assert_eq!(agreement.status, AgreementStatus::Sent);
        let signer = &agreement.signers[0];
        assert_eq!(signer.first_name.as_deref(), Some("Dirk Jan"));
        assert_eq!(signer.should_identify, Some(true));
        assert_eq!(
            signer.signed_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2025-09-13T17:23:14+02:00")
        );
        let document = &agreement.documents[0];
        assert_eq!(
            document.document_name.as_deref(),
            Some("Contract version_2.pdf")
        );
        assert_eq!(document.file_size, Some(512));
        // A signer who has not signed yet has nothing to show.
        let waiting: mijnklantportaal_api::types::AgreementSigner = serde_json::from_value(json!({
            "id": "ags_1", "firstName": "A", "lastName": "B", "email": "a@b.nl",
            "shouldIdentify": false, "signature": null, "signatureHash": null, "signedAt": null
        }))
        .expect("decodes");
        assert_eq!(waiting.signed_at, None);
    }

    /// download-agreement-document and download-file answer the same example as the invoice
    /// PDF page: a link, and when it expires.
    #[test]
    fn decodes_the_download_links() {
        let link: CloudFile =
            serde_json::from_str(&documented("get-customer-invoice-pdf.json")).expect("decodes");
        assert_eq!(link.link, "https://...");
        assert_eq!(link.expires_at.to_rfc3339(), "2025-04-29T21:00:00+02:00");
    }
}

mod files {
    use mijnklantportaal_api::types::*;
    use serde_json::json;

    use super::documented;

    /// get-file-or-directory (and post-files' answer); a directory has no size or type.
    #[test]
    fn decodes_files_and_directories() {
        let file: FileOrDirectory =
            serde_json::from_str(&documented("get-file-or-directory.json")).expect("decodes");
        assert_eq!(file.type_, FileOrDirectoryType::File);
        assert_eq!(
            (file.size, file.mime.as_deref()),
            (Some(1284), Some("application/pdf"))
        );
        assert_eq!(file.file_share_id.as_deref(), Some("fss_abc12345678"));
        let directory: FileOrDirectory = serde_json::from_value(json!({
            "id": "fsd_abc12345678", "type": "directory", "name": "Contracts", "size": null,
            "mime": null, "fileShareId": null, "createdAt": "2024-04-29T21:00:00+02:00"
        }))
        .expect("decodes");
        assert_eq!(directory.type_, FileOrDirectoryType::Directory);
        assert_eq!((directory.size, directory.mime), (None, None));
    }
}

mod file_requests {
    use mijnklantportaal_api::types::*;

    use super::{documented, documented_json};

    /// list-file-requests (and get- and create-file-request's answer), placeholder link
    /// types included; create-file-request's request body.
    #[test]
    fn decodes_and_encodes_file_requests() {
        let page: FileRequestPage =
            serde_json::from_str(&documented("list-file-requests.json")).expect("decodes");
        let request = &page.data[0];
        assert_eq!(request.name, "Contract renewal");
        assert!(request.completed_at.is_some());
        let wanted = &request.requested_files[0];
        assert_eq!(
            (wanted.required, wanted.max_file_size),
            (Some(true), Some(10240))
        );
        assert_eq!(wanted.uploaded_file_id.as_deref(), Some("fsf_abc123456789"));
        let links = request.links.as_ref().expect("links");
        assert_eq!(
            links.public_request.as_ref().map(|l| l.href.as_str()),
            Some("<string>")
        );
        assert_eq!(
            links.customer.as_ref().map(|l| l.type_.as_str()),
            Some("<string>")
        );

        let logo: NewRequestedFile = NewRequestedFile::builder()
            .name("Logo")
            .description(Some("The logo we should put on your website".to_string()))
            .required(Some(true))
            .max_file_size(Some(10240))
            .try_into()
            .expect("a name is set");
        let body: NewFileRequest = NewFileRequest::builder()
            .name("Contract renewal")
            .requested_files(vec![logo])
            .description(Some(
                "We need these files to complete your contract renewal".to_string(),
            ))
            .customer_id(Some(mijnklantportaal_api::types::CustomerId::from(
                "cst_abc123456789",
            )))
            .directory_id(Some("fsd_abc123456789".to_string()))
            .try_into()
            .expect("every required field is set");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            documented_json("create-file-request.request.json")
        );
    }
}

mod file_shares {
    use mijnklantportaal_api::types::*;
    use serde_json::json;

    use super::{documented, documented_json};

    /// create-file-share's request body; list-file-shares' example only has a placeholder
    /// for `sharedContent` (`["<any>"]`), which the spec's File-or-Directory items refuse
    /// (the description says File and Directory objects), while real items decode.
    #[test]
    fn file_shares_follow_the_description_not_the_placeholder() {
        let body = NewFileShare {
            content: vec![
                "fsd_abc123456789".to_string(),
                "fsf_abc123456789".to_string(),
            ],
            customer_id: Some(mijnklantportaal_api::types::CustomerId::from(
                "cst_abc123456789",
            )),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            documented_json("create-file-share.request.json")
        );

        let placeholder = documented("list-file-shares.json");
        let err = serde_json::from_str::<FileSharePage>(&placeholder).expect_err("a placeholder");
        assert!(err.to_string().contains("<any>"), "{err}");
        let mut real = documented_json("list-file-shares.json");
        real["data"][0]["sharedContent"] = json!([documented_json("get-file-or-directory.json")]);
        let page: FileSharePage = serde_json::from_value(real).expect("real items decode");
        let share = &page.data[0];
        assert_eq!(
            share.shared_with_customer_id.as_deref(),
            Some("cst_abc12345678")
        );
        assert_eq!(share.shared_content[0].id, "fsf_abc12345678");
        let public = share
            .links
            .as_ref()
            .and_then(|l| l.public_share.as_ref())
            .map(|l| l.href.as_str());
        assert_eq!(public, Some("<string>"));
    }
}
