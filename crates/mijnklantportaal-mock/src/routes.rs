//! The route table: every operation of the embedded spec (method, path template,
//! `operationId`) with its [`Handler`]; the pipeline derives 404, 405 and `Allow` from
//! it. Rows are tried in order, a literal segment (`/customer-invoices/manual`) before
//! a parameter; a parameter matches one non-empty segment; outer slashes are ignored.

use std::sync::LazyLock;

use http::Method;

use crate::handler::Handler;
use crate::openapi;
use crate::resources::agreements::{self, MockAgreement};
use crate::resources::appointments::{self, MockAppointment};
use crate::resources::customer_groups::{self as groups, MockCustomerGroup};
use crate::resources::customer_invoices::{self as invoices, MockInvoice};
use crate::resources::customer_offers::{self as offers, MockOffer};
use crate::resources::customer_subscription_packages::{self as packages, MockPackage};
use crate::resources::customer_subscriptions::{self as subscriptions, MockSubscription};
use crate::resources::customers::{self, MockCustomer};
use crate::resources::file_requests::{self, MockFileRequest};
use crate::resources::file_shares::{self, MockFileShare};
use crate::resources::files;
use crate::resources::invoices::MkpInvoice;
use crate::resources::payment_links::{self, PaymentLink, PaymentLinkPayment as Payment};
use crate::resources::punch_cards::{self, IssuedPunchCard as Issued, PunchCard};
use crate::resources::tickets;
use crate::resources::webhooks::{self, Webhook};
use crate::resources::{children, download, list, show};

/// The methods with how `Allow` lists them, in Laravel's order (`GET` serves `HEAD`).
const VERBS: [(Method, &str); 5] = [
    (Method::GET, "GET, HEAD"),
    (Method::POST, "POST"),
    (Method::PUT, "PUT"),
    (Method::PATCH, "PATCH"),
    (Method::DELETE, "DELETE"),
];

/// `operationId => handler` rows of [`HANDLERS`].
macro_rules! handlers {
    ($($operation:literal => $handler:expr,)*) => {
        &[$(($operation, |call, body| Box::pin($handler(call, body)))),*]
    };
}

/// One row of the route table.
pub(crate) struct Route {
    method: Method,
    template: String,
    /// The `operationId`: where the pipeline finds the request schema.
    pub(crate) operation: String,
    pub(crate) handler: Handler,
    /// Served without token and rate limit (a download link).
    pub(crate) public: bool,
}

impl Route {
    /// Whether the route serves `method`.
    pub(crate) fn serves(&self, method: &Method) -> bool {
        self.method == method || (self.method == Method::GET && method == Method::HEAD)
    }

    /// The parameters of `segments` if they match the template.
    fn parameters<'p>(&self, segments: &[&'p str]) -> Option<Vec<&'p str>> {
        let parts: Vec<&str> = self.template.trim_matches('/').split('/').collect();
        let mut parameters = Vec::new();
        for (part, &segment) in parts.iter().zip(segments) {
            if part.starts_with('{') && !segment.is_empty() {
                parameters.push(segment);
            } else if *part != segment {
                return None;
            }
        }
        (parts.len() == segments.len()).then_some(parameters)
    }
}

/// The handler of every operation of the spec, by operationId, grouped by tag: each an
/// `async fn(&Call, Body) -> Reply`, boxed here as a [`Handler`].
static HANDLERS: &[(&str, Handler)] = handlers![
    // Customer Invoices
    "list-customer-invoices" => list::<MockInvoice>,
    "create-customer-invoice" => invoices::create,
    "create-customer-invoice-manual" => invoices::create_manual,
    "get-customer-invoice" => show::<MockInvoice>,
    "mark-customer-invoice-paid" => invoices::mark_paid,
    "get-customer-invoice-pdf" => invoices::pdf_link,
    // Customers
    "list-customers" => list::<MockCustomer>,
    "create-customer" => customers::create,
    "get-customer" => show::<MockCustomer>,
    "edit-customer" => customers::edit,
    // Customer Groups
    "list-customer-groups" => list::<MockCustomerGroup>,
    "create-customer-group" => groups::create,
    "get-customer-group" => show::<MockCustomerGroup>,
    "edit-customer-group" => groups::edit,
    "add-customers-to-customer-group" => groups::add_customers,
    // Customer Offers
    "list-customer-offers" => list::<MockOffer>,
    "create-customer-offer" => offers::create,
    "create-customer-offer-manual" => offers::create_manual,
    "get-customer-offer" => show::<MockOffer>,
    "mark-customer-offer-accepted-or-rejected" => offers::decide,
    // Customer Subscriptions
    "list-customer-subscriptions" => list::<MockSubscription>,
    "create-customer-subscription" => subscriptions::create,
    "get-customer-subscription" => show::<MockSubscription>,
    "change-customer-subscription" => subscriptions::change,
    // Customer Subscription Packages
    "list-customer-subscription-packages" => list::<MockPackage>,
    "create-customer-subscription-package" => packages::create,
    "get-customer-subscription-package" => show::<MockPackage>,
    "sign-up-a-customer-for-a-customer-subscription-package" => packages::sign_up,
    // Payment Links
    "list-payment-links" => list::<PaymentLink>,
    "create-payment-link" => payment_links::create,
    "get-payment-link" => show::<PaymentLink>,
    "close-payment-link" => payment_links::close,
    "list-payment-link-payment" => children::<PaymentLink, Payment>,
    // Invoices (Mijn Klantportaal's own)
    "list-mijnklantportaal-invoices" => list::<MkpInvoice>,
    "get-invoice" => show::<MkpInvoice>,
    // Punch Cards
    "list-punch-cards" => list::<PunchCard>,
    "create-punch-card" => punch_cards::create,
    "get-punch-card" => show::<PunchCard>,
    "edit-punch-card" => punch_cards::edit,
    "list-bought-punch-cards" => children::<PunchCard, Issued>,
    "issue-new-punch-card" => punch_cards::issue,
    "get-bought-punch-card" => punch_cards::show_issued,
    "stamp-an-issued-punch-card" => punch_cards::stamp,
    // Webhooks
    "list-webhooks" => list::<Webhook>,
    "create-webhook" => webhooks::create,
    "get-webhook-record" => show::<Webhook>,
    // Agreements
    "list-agreements" => list::<MockAgreement>,
    "create-agreement" => agreements::create,
    "get-agreement" => show::<MockAgreement>,
    "download-agreement-document" => agreements::document_link,
    // Appointments
    "list-appointments" => appointments::list,
    "schedule-appointment" => appointments::schedule,
    "get-appointment" => show::<MockAppointment>,
    "change-appointment-status" => appointments::set_status,
    // Files
    "post-files" => files::create,
    "get-file-or-directory" => files::show,
    "download-file" => files::download_link,
    // File Request
    "list-file-requests" => list::<MockFileRequest>,
    "create-file-request" => file_requests::create,
    "get-file-request" => show::<MockFileRequest>,
    // File Share
    "list-file-shares" => list::<MockFileShare>,
    "create-file-share" => file_shares::create,
    // Tickets
    "list-ticket-records" => tickets::list,
    "get-ticket-record" => tickets::show,
    "add-message-to-the-ticket" => tickets::reply,
    "close-ticket" => tickets::close,
    "upload-attachment-to-ticket-message" => tickets::attach,
];

/// The spec's operations and the download links of cloud files (public, like signed
/// URLs), literal segments before parameters.
static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
    let route = |method, template: &str, operation: &str, handler: Handler, public| Route {
        method,
        template: template.to_owned(),
        operation: operation.to_owned(),
        handler,
        public,
    };
    let download = route(
        Method::GET,
        "/files/{token}",
        "download-file",
        |call, body| Box::pin(download(call, body)),
        true,
    );
    let mut routes: Vec<Route> = openapi::operations()
        .into_iter()
        .filter_map(|(method, template, operation)| {
            let handler = HANDLERS.iter().find(|(id, _)| *id == operation)?.1;
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).ok()?;
            Some(route(method, &template, &operation, handler, false))
        })
        .chain([download])
        .collect();
    routes.sort_by_cached_key(|route| {
        let shape: Vec<bool> = route
            .template
            .split('/')
            .map(|s| s.starts_with('{'))
            .collect();
        let verb = VERBS.iter().position(|(method, _)| *method == route.method);
        (shape, route.template.clone(), verb)
    });
    routes
});

/// The rows whose template matches `path` (any method), with their raw parameters.
pub(crate) fn matching(path: &str) -> Vec<(&'static Route, Vec<&str>)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    ROUTES
        .iter()
        .filter_map(|route| Some((route, route.parameters(&segments)?)))
        .collect()
}

/// The methods `routes` serve, as Laravel lists them (`GET, HEAD, PATCH`).
pub(crate) fn allowed<'r>(routes: impl Iterator<Item = &'r Route> + Clone) -> String {
    VERBS
        .iter()
        .filter(|(method, _)| routes.clone().any(|route| route.method == method))
        .map(|(_, allow)| *allow)
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
            .map(|(route, parameters)| (route.template.as_str(), parameters))
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
            post.map(|(r, _)| r.template.as_str()),
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
    fn every_operation_of_the_spec_has_one_handler() {
        let operations = openapi::operations();
        assert_eq!(operations.len(), HANDLERS.len());
        for (id, _) in HANDLERS {
            assert!(operations.iter().any(|(_, _, op)| op == id), "{id}");
        }
        assert_eq!(ROUTES.len(), HANDLERS.len() + 1);
    }

    #[test]
    fn every_template_is_well_formed_and_reachable() {
        for (i, route) in ROUTES.iter().enumerate() {
            let template = route.template.as_str();
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
                .find(|(r, _)| r.method == route.method)
                .map(|(r, _)| r.template.as_str());
            assert_eq!(first, Some(template), "row {i} is shadowed");
        }
    }
}
