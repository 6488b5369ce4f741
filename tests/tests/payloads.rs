//! The vendor's documented payloads, decoded with the generated types.

use std::path::PathBuf;
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

/// The fixture is the vendor's published example, byte for byte, when the published
/// page is at hand (it is beside the workspace in CI).
#[test]
fn vendor_fixture_matches_the_published_page() {
    let seed = xtask::workspace_root().join("../shared/seed/list-customer-invoices.txt");
    let Ok(published) = std::fs::read_to_string(&seed) else {
        eprintln!("skipped: {} is not beside the workspace", seed.display());
        return;
    };
    let fixture = fixture("vendor-list-customer-invoices.json");
    assert!(
        published.contains(fixture.trim_end()),
        "tests/fixtures/vendor-list-customer-invoices.json is not the example of {}",
        PathBuf::from(&seed).display()
    );
}

fn documented(name: &str) -> String {
    fixture(&format!("documented/{name}"))
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
            .customers(vec!["cst_abc12345".to_string()])
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
        assert_eq!(subscription.id, "sub__abc12345def678");
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
        assert_eq!(package.id, "spg_abc12345def678");
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
