//! Customer Groups API: create, rename, add customers. Membership lives where the API
//! shows it, in each customer's `customerGroups`; unknown customer ids are ignored, as
//! the vendor documents. The starting groups are the ones the dataset's customers are in.

use std::collections::HashSet;

use super::prelude::*;
use crate::dataset::CUSTOMER_GROUPS;
use crate::resources::customers::MockCustomer;

/// Random stream of the starting groups' creation times.
const CREATED: u64 = 0xC06_0001;

/// Names of the starting groups, in key order.
const NAMES: &str =
    "Webhosting customers|Maintenance contracts|Newsletter|Key accounts|Region Amsterdam";

/// A customer group, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockCustomerGroup {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) created_at: DateTime<FixedOffset>,
}

record!(MockCustomerGroup, "CustomerGroup", |config| {
    let seed = config.dataset.seed();
    let ids = config.dataset.customer_group_ids();
    Seeded::new(ids, CUSTOMER_GROUPS, move |index, id| {
        Some(MockCustomerGroup {
            id,
            name: pick(NAMES, index),
            created_at: seeded_time(seed, CREATED, index)?,
        })
    })
});

/// `POST /v1/customer-groups` (JSON `{name, customers?}`); 201 with the group.
pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    let input = call.json(body).await?;
    let group = call.insert(|slot| {
        Some(MockCustomerGroup {
            id: slot.id,
            name: input::text(&input, "name")?,
            created_at: slot.created_at,
        })
    })?;
    join(call, &group.id, &input::texts(&input, "customers"));
    call.written(StatusCode::CREATED, &group)
}

pub(crate) async fn edit(call: &Call<'_>, body: Body) -> Reply {
    update(call, body, |g: &mut MockCustomerGroup, input| {
        g.name = input::text(input, "name").ok_or_else(server_error)?;
        Ok(())
    })
    .await
}

/// `POST /v1/customer-groups/{customerGroupId}/customers`: 200 with `{data: [...]}`,
/// the request's known customers (the real API's choice is not documented).
pub(crate) async fn add_customers(call: &Call<'_>, body: Body) -> Reply {
    let group = call.find::<MockCustomerGroup>(0)?;
    let ids = input::texts(&call.json(body).await?, "customers");
    let joined = join(call, &group.id, &ids);
    let data = serde_json::to_vec(&serde_json::json!({ "data": joined }));
    call.written_json(StatusCode::OK, data)
}

/// Puts the known customers among `ids` in group `group`; returns them, once each, in order.
fn join(call: &Call<'_>, group: &str, ids: &[String]) -> Vec<MockCustomer> {
    let mut seen = HashSet::new();
    let join = |customer: &mut MockCustomer| {
        if !customer.customer_groups.iter().any(|g| g == group) {
            customer.customer_groups.push(group.to_owned());
        }
    };
    ids.iter()
        .filter(|id| seen.insert(*id))
        .filter_map(|id| call.with(|table: &mut Table<MockCustomer>| table.edit(id, join)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::rules::json_errors;
    use crate::validation::input;
    use serde_json::json;

    #[test]
    fn the_starting_groups_are_the_ones_customers_are_in() {
        let dataset = Dataset::new(7, 400);
        let config_groups: Vec<String> = (0..CUSTOMER_GROUPS)
            .map(|k| dataset.customer_group_ids().encode(k))
            .collect();
        let members: Vec<String> = (0..dataset.customers())
            .filter_map(|i| dataset.customer(i))
            .flat_map(|c| c.customer_groups)
            .collect();
        assert!(!members.is_empty());
        assert!(
            members.iter().all(|g| config_groups.contains(g)),
            "{members:?}"
        );
    }

    #[test]
    fn json_has_the_vendor_field_order() {
        let group = MockCustomerGroup {
            id: "cug_x".into(),
            name: "Webhosting customers".into(),
            created_at: dutch_time::at(1_753_620_120).unwrap(),
        };
        let text = serde_json::to_string(&group).unwrap();
        assert_eq!(
            text,
            r#"{"id":"cug_x","name":"Webhosting customers","createdAt":"2025-07-27T14:42:00+02:00"}"#
        );
    }

    #[test]
    fn names_and_member_lists_are_validated() {
        let body = json!({"name": "A", "customers": ["cst_1", " x"]});
        assert!(json_errors("create-customer-group", body.clone()).is_empty());
        assert_eq!(input::texts(&input(body), "customers"), ["cst_1", "x"]);
        let errors = json_errors("create-customer-group", json!({"customers": "cst_1"}));
        assert_eq!(errors.fields(), ["name", "customers"]);
        assert_eq!(
            errors.message(),
            "The name field is required. (and 1 more error)"
        );
        let operation = "add-customers-to-customer-group";
        let errors = json_errors(operation, json!({"customers": ["a", 5]}));
        assert_eq!(errors.fields(), ["customers.1"]);
        assert_eq!(errors.message(), "The customers.1 field must be a string.");
        let errors = json_errors(operation, json!({"customers": []}));
        assert_eq!(errors.message(), "The customers field is required.");
    }
}
