//! Customers API: the customer (its JSON as the vendor's newer example), create and
//! edit. The starting customers are the [`Dataset`]'s, computed on demand.

use super::prelude::*;

/// A customer, generated or created while the server runs: get one from
/// [`Dataset::customer`](crate::Dataset::customer) or
/// [`MockServer::customer`](crate::MockServer::customer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MockCustomer {
    /// Position in creation order, 0-based: generated customers first, then the ones
    /// created through `POST /v1/customers`. Not in the JSON.
    #[serde(skip)]
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
    /// The customer as the Customers API sends it (fields in the vendor example's order).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

record!(MockCustomer, "Customer", |c| c.dataset);

/// The starting rows of the customer table: the dataset's customers.
impl Base<MockCustomer> for Dataset {
    fn len(&self) -> u64 {
        self.customers()
    }

    fn row(&self, key: u64) -> Option<MockCustomer> {
        self.customer(key)
    }

    fn key_of(&self, id: &str) -> Option<u64> {
        self.customer_index_of(id)
    }

    fn id(&self, key: u64) -> String {
        self.customer_id(key)
    }
}

/// Whether customer `id` exists (for `exists:customers,id` rules of other tags).
pub(crate) fn exists(call: &Call<'_>, id: &str) -> bool {
    call.with(|table: &mut Table<MockCustomer>| table.contains(id))
}

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    call.create(body, new_customer).await
}

/// `PATCH /v1/customers/{customerId}` (JSON, partial).
pub(crate) async fn edit(call: &Call<'_>, body: Body) -> Reply {
    update(call, body, edit_customer).await
}

/// The customer a valid create asks for; `countryCode` defaults to `NL`.
fn new_customer(input: &Input, slot: Slot) -> Option<MockCustomer> {
    Some(MockCustomer {
        index: slot.key,
        id: slot.id,
        company_name: input::text(input, "companyName")?,
        address: input::text(input, "address")?,
        zip_code: input::text(input, "zipCode")?,
        city: input::text(input, "city")?,
        country_code: input::text(input, "countryCode")
            .map_or_else(|| "NL".to_owned(), |code| code.to_ascii_uppercase()),
        primary_email: input::text(input, "primaryEmail")?,
        phone: None,
        integration: None,
        integration_id: None,
        customer_groups: Vec::new(),
        created_at: slot.created_at,
    })
}

/// Sets the fields a valid edit sends.
fn edit_customer(customer: &mut MockCustomer, input: &Input) -> Result<(), Refusal> {
    let fields = [
        ("companyName", &mut customer.company_name),
        ("address", &mut customer.address),
        ("zipCode", &mut customer.zip_code),
        ("city", &mut customer.city),
        ("primaryEmail", &mut customer.primary_email),
    ];
    for (name, field) in fields {
        *field = input::text(input, name).unwrap_or_else(|| field.clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::Order;
    use crate::paginator::Rows;
    use crate::rules::json_errors;
    use crate::validation::input;
    use serde_json::json;

    #[test]
    fn json_has_the_vendor_field_order() {
        let customer = Dataset::new(1, 100).customer(3).unwrap();
        let text = serde_json::to_string(&customer).unwrap();
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

    #[test]
    fn created_customers_come_last_and_edits_stick() {
        let dataset = Dataset::new(2, 80);
        let table = |order| {
            let config = crate::MockServer::builder()
                .seed(2)
                .invoices(80)
                .order(order)
                .config;
            Table::<MockCustomer>::from_config(&config)
        };
        let mut oldest = table(Order::OldestFirst);
        assert_eq!(Rows::len(&oldest), 10);
        let template = dataset.customer(0).unwrap();
        let mut create = |name: &str| {
            oldest
                .create(|slot| {
                    Some(MockCustomer {
                        index: slot.key,
                        id: slot.id,
                        company_name: name.to_owned(),
                        created_at: slot.created_at,
                        ..template.clone()
                    })
                })
                .unwrap()
        };
        let (a, b) = (create("A"), create("B"));
        assert_eq!(Rows::len(&oldest), 12);
        assert_eq!(oldest.row(10).unwrap().id, a.id);
        assert_eq!(oldest.row(11).unwrap().id, b.id);
        assert!(a.created_at < b.created_at);
        assert!(dataset.customer_index_of(&a.id).is_none(), "a fresh id");

        let edit = |c: &mut MockCustomer| edit_customer(c, &input(json!({ "city": "Zwolle" })));
        let edited = oldest.update(&template.id, edit).unwrap().unwrap();
        assert_eq!(edited.city, "Zwolle");
        assert_eq!(edited.company_name, template.company_name);
        assert_eq!(oldest.find(&template.id), Some(edited.clone()));
        assert_eq!(oldest.row(0), Some(edited));
        assert_eq!(oldest.update(&b.id, edit).unwrap().unwrap().city, "Zwolle");
        assert_eq!(oldest.created()[1].city, "Zwolle");

        let newest = table(Order::NewestFirst);
        assert_eq!(newest.row(0).unwrap().id, dataset.customer(9).unwrap().id);
    }

    #[test]
    fn an_empty_edit_is_refused_and_a_partial_one_changes_only_its_fields() {
        let errors = json_errors("edit-customer", json!({ "phone": "+31" }));
        assert_eq!(
            errors.message(),
            "The company name field is required when none of address / zip code / city / primary email are present."
        );
        let body = json!({ "city": "Zwolle" });
        assert!(json_errors("edit-customer", body.clone()).is_empty());
        let mut customer = Dataset::new(1, 10).customer(0).unwrap();
        let before = customer.clone();
        edit_customer(&mut customer, &input(body)).unwrap();
        assert_eq!(customer.city, "Zwolle");
        assert_eq!(customer.company_name, before.company_name);
        let errors = json_errors("edit-customer", json!({ "primaryEmail": "nope" }));
        assert_eq!(errors.fields(), ["primaryEmail"]);
    }

    #[test]
    fn new_customers_default_to_nl() {
        let mut body = json!({
            "companyName": "Test Company BV", "address": "Teststreet 123", "zipCode": "1234AB",
            "city": "Amsterdam", "primaryEmail": "john.doe@test.com",
        });
        assert!(json_errors("create-customer", body.clone()).is_empty());
        assert_eq!(
            new_customer(&input(body.clone()), Slot::example())
                .unwrap()
                .country_code,
            "NL"
        );
        body["countryCode"] = json!("be");
        assert!(json_errors("create-customer", body.clone()).is_empty());
        assert_eq!(
            new_customer(&input(body.clone()), Slot::example())
                .unwrap()
                .country_code,
            "BE"
        );
        body["countryCode"] = json!("BEL");
        let errors = json_errors("create-customer", body.clone());
        assert_eq!(
            errors.message(),
            "The country code field must be 2 characters."
        );
        body["countryCode"] = json!(12);
        let errors = json_errors("create-customer", body);
        assert_eq!(errors.message(), "The country code field must be a string.");
        let errors = json_errors("create-customer", json!({}));
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
