//! Reading the server's state without a request, for every kind of resource.
//!
//! A test that wrote through the API checks what the server now holds: the rows of
//! any kind, as `GET /{id}` would show them (the vendor's JSON), read through the one
//! store. Reading is not a request: nothing is counted, recorded or evaluated (a
//! live table does not change).

use serde_json::Value;

use crate::handler::Shared;
use crate::resources;
use crate::resources::agreements::MockAgreement;
use crate::resources::appointments::MockAppointment;
use crate::resources::customer_groups::MockCustomerGroup;
use crate::resources::customer_invoices::MockInvoice;
use crate::resources::customer_offers::MockOffer;
use crate::resources::customer_subscription_packages::MockPackage;
use crate::resources::customer_subscriptions::MockSubscription;
use crate::resources::customers::MockCustomer;
use crate::resources::file_requests::MockFileRequest;
use crate::resources::file_shares::MockFileShare;
use crate::resources::files::{MockDirectory, MockFile};
use crate::resources::invoices::MkpInvoice;
use crate::resources::payment_links::{PaymentLink, PaymentLinkPayment};
use crate::resources::punch_cards::{IssuedPunchCard, PunchCard};
use crate::resources::tickets::MockTicket;
use crate::resources::webhooks::Webhook;
use crate::store::{Record, Table};

/// A kind of resource the mock keeps, for
/// [`MockServer::rows`](crate::MockServer::rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// Agreements (with their signers and documents).
    Agreements,
    /// Appointments.
    Appointments,
    /// Customer groups.
    CustomerGroups,
    /// Invoices to customers.
    CustomerInvoices,
    /// Offers to customers.
    CustomerOffers,
    /// Subscription packages.
    CustomerSubscriptionPackages,
    /// Customers' subscriptions.
    CustomerSubscriptions,
    /// Customers.
    Customers,
    /// Directories of the file store.
    Directories,
    /// File requests.
    FileRequests,
    /// File shares.
    FileShares,
    /// Files.
    Files,
    /// The vendor's own invoices to the account (the Invoices API).
    Invoices,
    /// Payments made through payment links.
    PaymentLinkPayments,
    /// Payment links.
    PaymentLinks,
    /// Punch cards issued to customers.
    IssuedPunchCards,
    /// Punch card types.
    PunchCards,
    /// Tickets.
    Tickets,
    /// Webhooks.
    Webhooks,
}

/// The rows of `kind` in listing order, or the one with id `id`, as `GET /{id}`
/// shows them with URLs under `origin`.
pub(crate) fn rows(shared: &Shared, kind: Kind, id: Option<&str>, origin: &str) -> Vec<Value> {
    match kind {
        Kind::Agreements => of::<MockAgreement>(shared, id, origin),
        Kind::Appointments => of::<MockAppointment>(shared, id, origin),
        Kind::CustomerGroups => of::<MockCustomerGroup>(shared, id, origin),
        Kind::CustomerInvoices => of::<MockInvoice>(shared, id, origin),
        Kind::CustomerOffers => of::<MockOffer>(shared, id, origin),
        Kind::CustomerSubscriptionPackages => of::<MockPackage>(shared, id, origin),
        Kind::CustomerSubscriptions => of::<MockSubscription>(shared, id, origin),
        Kind::Customers => of::<MockCustomer>(shared, id, origin),
        Kind::Directories => of::<MockDirectory>(shared, id, origin),
        Kind::FileRequests => of::<MockFileRequest>(shared, id, origin),
        Kind::FileShares => of::<MockFileShare>(shared, id, origin),
        Kind::Files => of::<MockFile>(shared, id, origin),
        Kind::Invoices => of::<MkpInvoice>(shared, id, origin),
        Kind::PaymentLinkPayments => of::<PaymentLinkPayment>(shared, id, origin),
        Kind::PaymentLinks => of::<PaymentLink>(shared, id, origin),
        Kind::IssuedPunchCards => of::<IssuedPunchCard>(shared, id, origin),
        Kind::PunchCards => of::<PunchCard>(shared, id, origin),
        Kind::Tickets => of::<MockTicket>(shared, id, origin),
        Kind::Webhooks => of::<Webhook>(shared, id, origin),
    }
}

fn of<R: Record>(shared: &Shared, id: Option<&str>, origin: &str) -> Vec<Value> {
    let rows: Vec<R> = shared.with(|table: &mut Table<R>| match id {
        Some(id) => table.find(id).into_iter().collect(),
        None => table.all().collect(),
    });
    rows.iter()
        .filter_map(|row| resources::render(&row, origin, true).ok())
        .filter_map(|body| serde_json::from_slice(&body).ok())
        .collect()
}
