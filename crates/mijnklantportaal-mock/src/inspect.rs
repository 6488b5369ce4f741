//! Reading the server's rows of any kind as `GET /{id}` shows them, without a request:
//! nothing is counted, recorded or evaluated.

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

/// Defines [`Kind`] and [`rows`] from each kind's variant, record type and doc.
macro_rules! kinds {
    ($($kind:ident => $record:ty: $doc:literal,)*) => {
        /// A kind of resource the mock keeps, for
        /// [`MockServer::rows`](crate::MockServer::rows).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Kind {
            $(#[doc = $doc] $kind,)*
        }

        /// The rows of `kind` in listing order, or the one with id `id`, as `GET /{id}`
        /// shows them with URLs under `origin`.
        pub(crate) fn rows(shared: &Shared, kind: Kind, id: Option<&str>, origin: &str)
            -> Vec<Value> {
            match kind {
                $(Kind::$kind => of::<$record>(shared, id, origin),)*
            }
        }
    };
}

kinds! {
    Agreements => MockAgreement: "Agreements (with their signers and documents).",
    Appointments => MockAppointment: "Appointments.",
    CustomerGroups => MockCustomerGroup: "Customer groups.",
    CustomerInvoices => MockInvoice: "Invoices to customers.",
    CustomerOffers => MockOffer: "Offers to customers.",
    CustomerSubscriptionPackages => MockPackage: "Subscription packages.",
    CustomerSubscriptions => MockSubscription: "Customers' subscriptions.",
    Customers => MockCustomer: "Customers.",
    Directories => MockDirectory: "Directories of the file store.",
    FileRequests => MockFileRequest: "File requests.",
    FileShares => MockFileShare: "File shares.",
    Files => MockFile: "Files.",
    Invoices => MkpInvoice: "The vendor's own invoices to the account (the Invoices API).",
    PaymentLinkPayments => PaymentLinkPayment: "Payments made through payment links.",
    PaymentLinks => PaymentLink: "Payment links.",
    IssuedPunchCards => IssuedPunchCard: "Punch cards issued to customers.",
    PunchCards => PunchCard: "Punch card types.",
    Tickets => MockTicket: "Tickets.",
    Webhooks => Webhook: "Webhooks.",
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
