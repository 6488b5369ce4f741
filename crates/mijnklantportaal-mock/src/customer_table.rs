//! The customer table: the dataset's customers plus those created or edited since.
//!
//! Like the invoice [`Table`](crate::live::Table), it stores only what changed: the
//! generated customers are computed from the [`Dataset`] on demand, customers created
//! through `POST /v1/customers` are kept in a list after them, and an edited generated
//! customer is kept as a replacement. Rows have a key in creation order: `0..customers`
//! are generated, `customers + k` is the `k`-th created one.

use std::collections::BTreeMap;

use crate::customer::MockCustomer;
use crate::dataset::{ADDED_FROM, Dataset};
use crate::dutch_time;
use crate::live::Order;
use crate::paginator::Rows;

/// Seconds between the creation times of two customers created while the server runs.
const CREATED_GAP_SECONDS: i64 = 60;

/// What a create request gives a new customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewCustomer {
    pub(crate) company_name: String,
    pub(crate) address: String,
    pub(crate) zip_code: String,
    pub(crate) city: String,
    pub(crate) country_code: String,
    pub(crate) primary_email: String,
}

/// The fields an edit request changes (`None`: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CustomerEdit {
    pub(crate) company_name: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) zip_code: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) primary_email: Option<String>,
}

/// The customer table (see the module documentation).
#[derive(Debug)]
pub(crate) struct CustomerTable {
    base: Dataset,
    order: Order,
    created: Vec<MockCustomer>,
    edited: BTreeMap<u64, MockCustomer>,
}

impl CustomerTable {
    pub(crate) fn new(base: Dataset, order: Order) -> Self {
        CustomerTable {
            base,
            order,
            created: Vec::new(),
            edited: BTreeMap::new(),
        }
    }

    /// The customer with id `id`, as it is now.
    pub(crate) fn find(&self, id: &str) -> Option<MockCustomer> {
        match self.base.customer_index_of(id) {
            Some(index) => self.by_key(index),
            None => self.created.iter().find(|c| c.id == id).cloned(),
        }
    }

    /// Whether a customer with id `id` exists.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.base.customer_index_of(id).is_some() || self.created.iter().any(|c| c.id == id)
    }

    /// Adds a customer: the newest, created a minute after the previous one created
    /// while the server runs (the first at the end of the generated timeline), so
    /// runs replay exactly.
    pub(crate) fn create(&mut self, new: NewCustomer) -> Option<MockCustomer> {
        let k = self.created.len() as u64;
        let index = self.base.customers().checked_add(k)?;
        let created_unix = self
            .created
            .last()
            .map_or(ADDED_FROM, |c| c.created_at.timestamp())
            + CREATED_GAP_SECONDS;
        let customer = MockCustomer {
            index,
            id: self.base.customer_id(index),
            company_name: new.company_name,
            address: new.address,
            zip_code: new.zip_code,
            city: new.city,
            country_code: new.country_code,
            primary_email: new.primary_email,
            phone: None,
            integration: None,
            integration_id: None,
            customer_groups: Vec::new(),
            created_at: dutch_time::at(created_unix)?,
        };
        self.created.push(customer.clone());
        Some(customer)
    }

    /// Applies `edit` to the customer with id `id`; `None` if there is none.
    pub(crate) fn edit(&mut self, id: &str, edit: CustomerEdit) -> Option<MockCustomer> {
        let customer = match self.base.customer_index_of(id) {
            Some(index) => match self.edited.entry(index) {
                std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::btree_map::Entry::Vacant(entry) => {
                    entry.insert(self.base.customer(index)?)
                }
            },
            None => self.created.iter_mut().find(|c| c.id == id)?,
        };
        let CustomerEdit {
            company_name,
            address,
            zip_code,
            city,
            primary_email,
        } = edit;
        let fields = [
            (company_name, &mut customer.company_name),
            (address, &mut customer.address),
            (zip_code, &mut customer.zip_code),
            (city, &mut customer.city),
            (primary_email, &mut customer.primary_email),
        ];
        for (value, field) in fields {
            if let Some(value) = value {
                *field = value;
            }
        }
        Some(customer.clone())
    }

    /// The customers created while the server ran, as they are now.
    pub(crate) fn created(&self) -> Vec<MockCustomer> {
        self.created.clone()
    }

    fn by_key(&self, key: u64) -> Option<MockCustomer> {
        match key.checked_sub(self.base.customers()) {
            None => self
                .edited
                .get(&key)
                .cloned()
                .or_else(|| self.base.customer(key)),
            Some(k) => usize::try_from(k)
                .ok()
                .and_then(|k| self.created.get(k))
                .cloned(),
        }
    }
}

impl Rows for CustomerTable {
    type Item = MockCustomer;

    fn len(&self) -> u64 {
        self.base
            .customers()
            .saturating_add(self.created.len() as u64)
    }

    fn row(&self, position: u64) -> Option<MockCustomer> {
        let len = Rows::len(self);
        if position >= len {
            return None;
        }
        match self.order {
            Order::OldestFirst => self.by_key(position),
            Order::NewestFirst => self.by_key(len - 1 - position),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(name: &str) -> NewCustomer {
        NewCustomer {
            company_name: name.to_owned(),
            address: "Teststraat 1".to_owned(),
            zip_code: "1234AB".to_owned(),
            city: "Amsterdam".to_owned(),
            country_code: "NL".to_owned(),
            primary_email: "a@b.nl".to_owned(),
        }
    }

    #[test]
    fn created_customers_come_last_and_edits_stick() {
        let dataset = Dataset::new(2, 80);
        let mut table = CustomerTable::new(dataset, Order::OldestFirst);
        assert_eq!(Rows::len(&table), 10);
        let a = table.create(new("A")).unwrap();
        let b = table.create(new("B")).unwrap();
        assert_eq!(Rows::len(&table), 12);
        assert_eq!(table.row(10).unwrap().id, a.id);
        assert_eq!(table.row(11).unwrap().id, b.id);
        assert!(a.created_at < b.created_at);
        assert!(dataset.customer_index_of(&a.id).is_none(), "a fresh id");

        let first = dataset.customer(0).unwrap();
        let edit = CustomerEdit {
            city: Some("Zwolle".to_owned()),
            ..CustomerEdit::default()
        };
        let edited = table.edit(&first.id, edit.clone()).unwrap();
        assert_eq!(edited.city, "Zwolle");
        assert_eq!(edited.company_name, first.company_name);
        assert_eq!(table.find(&first.id), Some(edited.clone()));
        assert_eq!(table.row(0), Some(edited));
        assert_eq!(table.edit(&b.id, edit).unwrap().city, "Zwolle");
        assert_eq!(table.created()[1].city, "Zwolle");
        assert!(table.edit("cst_nope", CustomerEdit::default()).is_none());

        let newest = CustomerTable::new(dataset, Order::NewestFirst);
        assert_eq!(newest.row(0).unwrap().id, dataset.customer(9).unwrap().id);
    }
}
