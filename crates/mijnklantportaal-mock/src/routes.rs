//! The route table: every operation the mock serves, one row each.
//!
//! A row is a method, a path template (`/v1/payment-links/{linkId}/payments`), the
//! operation's `operationId` in the spec (whose request schema the pipeline validates
//! the body against) and its [`Handler`]. Everything around the operations is derived from this
//! table by the [pipeline](crate::handler), the same way for every tag: the rate
//! limit, authentication, Laravel's 404 for a path no row matches, and its 405 for a
//! method no matching row serves, whose `Allow` header and message list the methods
//! of the rows that do match (in Laravel's order, `GET, HEAD, POST, PUT, PATCH,
//! DELETE`; a `GET` row serves `HEAD` too). Rows are tried in order, so a literal
//! segment (`/customer-invoices/manual`) goes before the parameter it would
//! otherwise match (`/customer-invoices/{invoiceId}`). A parameter matches one
//! non-empty segment; surrounding slashes are ignored, as by Laravel's router.
//!
//! Adding a tag adds its rows here, in its own section (see
//! [`resources`](crate::resources)).

use http::Method;

use crate::handler::Handler;
use crate::resources::agreements::{self, MockAgreement};
use crate::resources::appointments::{self, MockAppointment};
use crate::resources::customer_groups::{self, MockCustomerGroup};
use crate::resources::customer_invoices::{self, MockInvoice};
use crate::resources::customer_offers::{self, MockOffer};
use crate::resources::customer_subscription_packages::{self, MockPackage};
use crate::resources::customer_subscriptions::{self, MockSubscription};
use crate::resources::customers::{self, MockCustomer};
use crate::resources::file_requests::{self, MockFileRequest};
use crate::resources::file_shares::{self, MockFileShare};
use crate::resources::files;
use crate::resources::invoices::MkpInvoice;
use crate::resources::payment_links::{self, PaymentLink};
use crate::resources::punch_cards::{self, PunchCard};
use crate::resources::tickets;
use crate::resources::webhooks::{self, Webhook};
use crate::resources::{download, list, show};

/// The methods of the route table, in the order Laravel lists them in `Allow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    /// Every verb, in Laravel's order.
    const ALL: [Verb; 5] = [Verb::Get, Verb::Post, Verb::Put, Verb::Patch, Verb::Delete];

    /// How the verb appears in `Allow` (`GET` brings `HEAD` along).
    fn allow(self) -> &'static str {
        match self {
            Verb::Get => "GET, HEAD",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }

    fn serves(self, method: &Method) -> bool {
        match self {
            Verb::Get => *method == Method::GET || *method == Method::HEAD,
            Verb::Post => *method == Method::POST,
            Verb::Put => *method == Method::PUT,
            Verb::Patch => *method == Method::PATCH,
            Verb::Delete => *method == Method::DELETE,
        }
    }
}

/// One row of the route table.
pub(crate) struct Route {
    verb: Verb,
    template: &'static str,
    /// The operation's `operationId` in the spec: where the pipeline finds its
    /// request schema.
    operation: &'static str,
    handler: Handler,
    /// Served without token and rate limit (a download link).
    public: bool,
}

impl Route {
    const fn new(
        verb: Verb,
        template: &'static str,
        operation: &'static str,
        handler: Handler,
    ) -> Self {
        Route {
            verb,
            template,
            operation,
            handler,
            public: false,
        }
    }

    /// `GET template` (and `HEAD`).
    pub(crate) const fn get(
        template: &'static str,
        operation: &'static str,
        handler: Handler,
    ) -> Self {
        Route::new(Verb::Get, template, operation, handler)
    }

    /// `POST template`.
    pub(crate) const fn post(
        template: &'static str,
        operation: &'static str,
        handler: Handler,
    ) -> Self {
        Route::new(Verb::Post, template, operation, handler)
    }

    /// `PATCH template`.
    pub(crate) const fn patch(
        template: &'static str,
        operation: &'static str,
        handler: Handler,
    ) -> Self {
        Route::new(Verb::Patch, template, operation, handler)
    }

    /// `DELETE template`.
    pub(crate) const fn delete(
        template: &'static str,
        operation: &'static str,
        handler: Handler,
    ) -> Self {
        Route::new(Verb::Delete, template, operation, handler)
    }

    /// The same route, served without token and rate limit.
    const fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// Whether the route is served without token and rate limit.
    pub(crate) fn is_public(&self) -> bool {
        self.public
    }

    /// Whether the route serves `method`.
    pub(crate) fn serves(&self, method: &Method) -> bool {
        self.verb.serves(method)
    }

    /// The operation's `operationId`.
    pub(crate) fn operation(&self) -> &'static str {
        self.operation
    }

    /// The operation.
    pub(crate) fn handler(&self) -> Handler {
        self.handler
    }

    /// The parameters of `segments` if they match the template.
    fn parameters<'p>(&self, segments: &[&'p str]) -> Option<Vec<&'p str>> {
        let mut parameters = Vec::new();
        let mut count = 0;
        for part in self.template.trim_matches('/').split('/') {
            let segment = *segments.get(count)?;
            count += 1;
            if part.starts_with('{') {
                if segment.is_empty() {
                    return None;
                }
                parameters.push(segment);
            } else if part != segment {
                return None;
            }
        }
        (count == segments.len()).then_some(parameters)
    }
}

/// Every operation, grouped by tag.
static ROUTES: &[Route] = &[
    // Customer Invoices
    Route::get(
        "/v1/customer-invoices",
        "list-customer-invoices",
        list::<MockInvoice>,
    ),
    Route::post(
        "/v1/customer-invoices",
        "create-customer-invoice",
        customer_invoices::create,
    ),
    Route::post(
        "/v1/customer-invoices/manual",
        "create-customer-invoice-manual",
        customer_invoices::create_manual,
    ),
    Route::get(
        "/v1/customer-invoices/{invoiceId}",
        "get-customer-invoice",
        show::<MockInvoice>,
    ),
    Route::patch(
        "/v1/customer-invoices/{invoiceId}",
        "mark-customer-invoice-paid",
        customer_invoices::mark_paid,
    ),
    Route::get(
        "/v1/customer-invoices/{invoiceId}/pdf",
        "get-customer-invoice-pdf",
        customer_invoices::pdf_link,
    ),
    // Customers
    Route::get("/v1/customers", "list-customers", list::<MockCustomer>),
    Route::post("/v1/customers", "create-customer", customers::create),
    Route::get(
        "/v1/customers/{customerId}",
        "get-customer",
        show::<MockCustomer>,
    ),
    Route::patch(
        "/v1/customers/{customerId}",
        "edit-customer",
        customers::edit,
    ),
    // Customer Groups
    Route::get(
        "/v1/customer-groups",
        "list-customer-groups",
        list::<MockCustomerGroup>,
    ),
    Route::post(
        "/v1/customer-groups",
        "create-customer-group",
        customer_groups::create,
    ),
    Route::get(
        "/v1/customer-groups/{customerGroupId}",
        "get-customer-group",
        show::<MockCustomerGroup>,
    ),
    Route::patch(
        "/v1/customer-groups/{customerGroupId}",
        "edit-customer-group",
        customer_groups::edit,
    ),
    Route::post(
        "/v1/customer-groups/{customerGroupId}/customers",
        "add-customers-to-customer-group",
        customer_groups::add_customers,
    ),
    // Customer Offers
    Route::get(
        "/v1/customer-offers",
        "list-customer-offers",
        list::<MockOffer>,
    ),
    Route::post(
        "/v1/customer-offers",
        "create-customer-offer",
        customer_offers::create,
    ),
    Route::post(
        "/v1/customer-offers/manual",
        "create-customer-offer-manual",
        customer_offers::create_manual,
    ),
    Route::get(
        "/v1/customer-offers/{offerId}",
        "get-customer-offer",
        show::<MockOffer>,
    ),
    Route::patch(
        "/v1/customer-offers/{offerId}",
        "mark-customer-offer-accepted-or-rejected",
        customer_offers::decide,
    ),
    // Customer Subscriptions
    Route::get(
        "/v1/customer-subscriptions",
        "list-customer-subscriptions",
        list::<MockSubscription>,
    ),
    Route::post(
        "/v1/customer-subscriptions",
        "create-customer-subscription",
        customer_subscriptions::create,
    ),
    Route::get(
        "/v1/customer-subscriptions/{subscriptionId}",
        "get-customer-subscription",
        show::<MockSubscription>,
    ),
    Route::patch(
        "/v1/customer-subscriptions/{subscriptionId}",
        "change-customer-subscription",
        customer_subscriptions::change,
    ),
    // Customer Subscription Packages
    Route::get(
        "/v1/customer-subscription-packages",
        "list-customer-subscription-packages",
        list::<MockPackage>,
    ),
    Route::post(
        "/v1/customer-subscription-packages",
        "create-customer-subscription-package",
        customer_subscription_packages::create,
    ),
    Route::get(
        "/v1/customer-subscription-packages/{packageId}",
        "get-customer-subscription-package",
        show::<MockPackage>,
    ),
    Route::post(
        "/v1/customer-subscription-packages/{packageId}/sign-up",
        "sign-up-a-customer-for-a-customer-subscription-package",
        customer_subscription_packages::sign_up,
    ),
    // Payment Links
    Route::get(
        "/v1/payment-links",
        "list-payment-links",
        list::<PaymentLink>,
    ),
    Route::post(
        "/v1/payment-links",
        "create-payment-link",
        payment_links::create,
    ),
    Route::get(
        "/v1/payment-links/{linkId}",
        "get-payment-link",
        show::<PaymentLink>,
    ),
    Route::delete(
        "/v1/payment-links/{linkId}",
        "close-payment-link",
        payment_links::close,
    ),
    Route::get(
        "/v1/payment-links/{linkId}/payments",
        "list-payment-link-payment",
        payment_links::payments,
    ),
    // Invoices (Mijn Klantportaal's own)
    Route::get(
        "/v1/invoices",
        "list-mijnklantportaal-invoices",
        list::<MkpInvoice>,
    ),
    Route::get(
        "/v1/invoices/{invoiceId}",
        "get-invoice",
        show::<MkpInvoice>,
    ),
    // Punch Cards
    Route::get("/v1/punch-cards", "list-punch-cards", list::<PunchCard>),
    Route::post("/v1/punch-cards", "create-punch-card", punch_cards::create),
    Route::get(
        "/v1/punch-cards/{punchCardId}",
        "get-punch-card",
        show::<PunchCard>,
    ),
    Route::patch(
        "/v1/punch-cards/{punchCardId}",
        "edit-punch-card",
        punch_cards::edit,
    ),
    Route::get(
        "/v1/punch-cards/{punchCardId}/issued",
        "list-bought-punch-cards",
        punch_cards::issued,
    ),
    Route::post(
        "/v1/punch-cards/{punchCardId}/issued",
        "issue-new-punch-card",
        punch_cards::issue,
    ),
    Route::get(
        "/v1/punch-cards/{punchCardId}/issued/{issuedPunchCardId}",
        "get-bought-punch-card",
        punch_cards::show_issued,
    ),
    Route::post(
        "/v1/punch-cards/{punchCardId}/issued/{issuedPunchCardId}/stamp",
        "stamp-an-issued-punch-card",
        punch_cards::stamp,
    ),
    // Webhooks
    Route::get("/v1/webhooks", "list-webhooks", list::<Webhook>),
    Route::post("/v1/webhooks", "create-webhook", webhooks::create),
    Route::get(
        "/v1/webhooks/{webhookId}",
        "get-webhook-record",
        show::<Webhook>,
    ),
    // Agreements
    Route::get("/v1/agreements", "list-agreements", list::<MockAgreement>),
    Route::post("/v1/agreements", "create-agreement", agreements::create),
    Route::get(
        "/v1/agreements/{agreementId}",
        "get-agreement",
        show::<MockAgreement>,
    ),
    Route::get(
        "/v1/agreements/{agreementId}/documents/{documentId}/download",
        "download-agreement-document",
        agreements::document_link,
    ),
    // Appointments
    Route::get("/v1/appointments", "list-appointments", appointments::list),
    Route::post(
        "/v1/appointments",
        "schedule-appointment",
        appointments::schedule,
    ),
    Route::get(
        "/v1/appointments/{appointmentId}",
        "get-appointment",
        show::<MockAppointment>,
    ),
    Route::patch(
        "/v1/appointments/{appointmentId}",
        "change-appointment-status",
        appointments::set_status,
    ),
    // Files
    Route::post("/v1/files", "post-files", files::create),
    Route::get(
        "/v1/files/{fileOrDirId}",
        "get-file-or-directory",
        files::show,
    ),
    Route::get(
        "/v1/files/{fileId}/download",
        "download-file",
        files::download_link,
    ),
    // File Request
    Route::get(
        "/v1/file-requests",
        "list-file-requests",
        list::<MockFileRequest>,
    ),
    Route::post(
        "/v1/file-requests",
        "create-file-request",
        file_requests::create,
    ),
    Route::get(
        "/v1/file-requests/{requestId}",
        "get-file-request",
        show::<MockFileRequest>,
    ),
    // File Share
    Route::get("/v1/file-shares", "list-file-shares", list::<MockFileShare>),
    Route::post("/v1/file-shares", "create-file-share", file_shares::create),
    // Tickets
    Route::get("/v1/tickets", "list-ticket-records", tickets::list),
    Route::get("/v1/tickets/{ticketId}", "get-ticket-record", tickets::show),
    Route::post(
        "/v1/tickets/{ticketId}",
        "add-message-to-the-ticket",
        tickets::reply,
    ),
    Route::patch("/v1/tickets/{ticketId}", "close-ticket", tickets::close),
    Route::post(
        "/v1/tickets/{ticketId}/message/{messageId}/attachment",
        "upload-attachment-to-ticket-message",
        tickets::attach,
    ),
    // Download links of cloud files (invoice PDFs, files, agreement documents): like
    // signed URLs.
    Route::get("/files/{token}", "download-file", download).public(),
];

/// The rows whose template matches `path` (any method), in table order, with their
/// raw parameters.
pub(crate) fn matching(path: &str) -> Vec<(&'static Route, Vec<&str>)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    ROUTES
        .iter()
        .filter_map(|route| Some((route, route.parameters(&segments)?)))
        .collect()
}

/// The methods `routes` serve, as Laravel lists them (`GET, HEAD, PATCH`).
pub(crate) fn allowed<'r>(routes: impl Iterator<Item = &'r Route> + Clone) -> String {
    Verb::ALL
        .iter()
        .filter(|verb| routes.clone().any(|route| route.verb == **verb))
        .map(|verb| verb.allow())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The templates matching `path`, with their parameters.
    fn matched(path: &str) -> Vec<(&'static str, Vec<&str>)> {
        matching(path)
            .into_iter()
            .map(|(route, parameters)| (route.template, parameters))
            .collect()
    }

    #[test]
    fn paths_match_templates_like_laravel() {
        let cases = [
            ("/v1/customer-invoices", "/v1/customer-invoices", vec![]),
            ("/v1/customer-invoices/", "/v1/customer-invoices", vec![]),
            (
                "/v1/customer-invoices/inv_x",
                "/v1/customer-invoices/{invoiceId}",
                vec!["inv_x"],
            ),
            (
                "/v1/customer-invoices/inv_x/pdf",
                "/v1/customer-invoices/{invoiceId}/pdf",
                vec!["inv_x"],
            ),
            ("/v1/customers", "/v1/customers", vec![]),
            (
                "/v1/customers/cst_x/",
                "/v1/customers/{customerId}",
                vec!["cst_x"],
            ),
            ("/files/abc", "/files/{token}", vec!["abc"]),
        ];
        for (path, template, parameters) in cases {
            let found = matched(path);
            assert!(!found.is_empty(), "{path}");
            assert!(
                found
                    .iter()
                    .all(|(t, p)| *t == template && *p == parameters),
                "{path}"
            );
        }
        for path in [
            "/",
            "",
            "/v1",
            "/v1/xyz",
            "/V1/customer-invoices",
            "/v1/customer-invoices/a/b",
            "/v1/customer-invoices//a",
            "/v1/customer-invoices//pdf",
            "/v1/customers/a/pdf",
            "/v2/customer-invoices",
            "/files",
            "/v1/files/a/b",
        ] {
            assert!(matching(path).is_empty(), "{path}");
        }
    }

    #[test]
    fn literal_segments_go_first_and_allow_lists_every_matching_row() {
        let manual = matching("/v1/customer-invoices/manual");
        let post = manual.iter().find(|(r, _)| r.serves(&Method::POST));
        assert_eq!(
            post.map(|(r, _)| r.template),
            Some("/v1/customer-invoices/manual")
        );
        let get = manual.iter().find(|(r, _)| r.serves(&Method::HEAD));
        assert_eq!(get.map(|(_, p)| p.clone()), Some(vec!["manual"]));
        let allow = |path| allowed(matching(path).iter().map(|(route, _)| *route));
        assert_eq!(
            allow("/v1/customer-invoices/manual"),
            "GET, HEAD, POST, PATCH"
        );
        assert_eq!(allow("/v1/customer-invoices"), "GET, HEAD, POST");
        assert_eq!(allow("/v1/customers/cst_x"), "GET, HEAD, PATCH");
        assert_eq!(allow("/files/t"), "GET, HEAD");
        assert_eq!(allow("/v1/payment-links/plk_x"), "GET, HEAD, DELETE");
    }

    #[test]
    fn every_template_is_well_formed_and_reachable() {
        for (i, route) in ROUTES.iter().enumerate() {
            let template = route.template;
            assert!(
                template.starts_with('/') && !template.ends_with('/'),
                "{template}"
            );
            for part in template[1..].split('/') {
                let parameter = part.starts_with('{') || part.ends_with('}');
                assert!(!part.is_empty(), "{template}");
                assert!(
                    !parameter || (part.starts_with('{') && part.ends_with('}')),
                    "{template}"
                );
            }
            // No earlier row with the same verb shadows it.
            let probe = template
                .split('/')
                .map(|part| if part.starts_with('{') { "x" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let first = matching(&probe)
                .into_iter()
                .find(|(r, _)| r.verb == route.verb)
                .map(|(r, _)| r.template);
            assert_eq!(first, Some(template), "row {i} is shadowed");
        }
    }
}
