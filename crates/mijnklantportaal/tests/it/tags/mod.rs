//! The API's tags through the wrapper against the mock on loopback, one module per tag
//! (Customer Invoices and Customers are in `writes.rs` and the listing tests): every
//! operation, its life cycle, typed refusals, and writes whose answer is lost.

mod agreements;
mod appointments;
mod customer_groups;
mod customer_offers;
mod customer_subscription_packages;
mod customer_subscriptions;
mod file_requests;
mod file_shares;
mod files;
mod invoices;
mod payment_links;
mod punch_cards;
mod tickets;
mod webhooks;
