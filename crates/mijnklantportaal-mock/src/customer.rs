//! One customer and its JSON, exactly as the API writes it.
//!
//! The counterpart of [`invoice`](crate::invoice) for the Customers API: the wire
//! format (field names and order of the vendor's newer example, `countryCode`
//! included, ATOM `createdAt`) lives here once, for the list, the single customer and
//! the answers to create and edit.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::dutch_time;

/// A customer, generated or created while the server runs, before it is rendered as
/// JSON.
///
/// Get one from [`Dataset::customer`](crate::Dataset::customer) or
/// [`MockServer::customer`](crate::MockServer::customer); render it with
/// [`to_json`](Self::to_json) to compare with what the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockCustomer {
    /// Position in creation order, 0-based: generated customers first, then the ones
    /// created through `POST /v1/customers`.
    pub index: u64,
    /// `cst_` plus 14 lowercase alphanumerics.
    pub id: String,
    /// The company name, e.g. `Bakkerij de Vries BV`.
    pub company_name: String,
    /// Street and house number.
    pub address: String,
    /// Dutch postal code, e.g. `1234AB`.
    pub zip_code: String,
    /// The city.
    pub city: String,
    /// ISO 3166-1 alpha-2 country code (`NL` unless created with another).
    pub country_code: String,
    /// The e-mail address notifications go to.
    pub primary_email: String,
    /// Phone number with country code, if known.
    pub phone: Option<String>,
    /// The bookkeeping integration the customer is linked to, if any.
    pub integration: Option<String>,
    /// The customer's id inside that integration.
    pub integration_id: Option<String>,
    /// Ids (`cug_...`) of the customer groups the customer is in.
    pub customer_groups: Vec<String>,
    /// When the customer was added, in Dutch local time.
    pub created_at: DateTime<FixedOffset>,
}

impl MockCustomer {
    /// The customer as every endpoint of the Customers API sends it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.wire()).unwrap_or_default()
    }

    /// The serializable wire form; field order is the vendor example's.
    pub(crate) fn wire(&self) -> CustomerJson<'_> {
        CustomerJson {
            id: &self.id,
            company_name: &self.company_name,
            address: &self.address,
            zip_code: &self.zip_code,
            city: &self.city,
            country_code: &self.country_code,
            primary_email: &self.primary_email,
            phone: self.phone.as_deref(),
            integration: self.integration.as_deref(),
            integration_id: self.integration_id.as_deref(),
            customer_groups: &self.customer_groups,
            created_at: dutch_time::atom(&self.created_at),
        }
    }
}

impl crate::paginator::Listed for MockCustomer {
    const PATH: &'static str = "/v1/customers";
    type Json<'a> = CustomerJson<'a>;

    fn listed<'a>(&'a self, _origin: &'a str) -> CustomerJson<'a> {
        self.wire()
    }
}

/// A customer as JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerJson<'a> {
    id: &'a str,
    company_name: &'a str,
    address: &'a str,
    zip_code: &'a str,
    city: &'a str,
    country_code: &'a str,
    primary_email: &'a str,
    phone: Option<&'a str>,
    integration: Option<&'a str>,
    integration_id: Option<&'a str>,
    customer_groups: &'a [String],
    created_at: String,
}

#[cfg(test)]
mod tests {
    use crate::Dataset;

    #[test]
    fn json_has_the_vendor_field_order() {
        let customer = Dataset::new(1, 100).customer(3).unwrap();
        let text = serde_json::to_string(&customer.wire()).unwrap();
        let keys = [
            "\"id\"",
            "\"companyName\"",
            "\"address\"",
            "\"zipCode\"",
            "\"city\"",
            "\"countryCode\"",
            "\"primaryEmail\"",
            "\"phone\"",
            "\"integration\"",
            "\"integrationId\"",
            "\"customerGroups\"",
            "\"createdAt\"",
        ];
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}")))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(customer.to_json()["customerGroups"].is_array());
    }
}
