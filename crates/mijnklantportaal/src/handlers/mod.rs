//! One module per tag of the API (the vendor's "Customer Invoices API", "Customers API",
//! ...): the tag's handler (`client.customer_invoices()`), its list operations for the
//! one paginator, its write rules, and the builders its bodies need. A newcomer looking
//! for one area of the API finds all of it in one file here.

pub(crate) mod agreements;
pub(crate) mod appointments;
pub(crate) mod customer_invoices;
pub(crate) mod customers;
pub(crate) mod file_requests;
pub(crate) mod file_shares;
pub(crate) mod files;
pub(crate) mod tickets;
