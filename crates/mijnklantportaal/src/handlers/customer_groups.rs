//! Customer groups: what the generated layer does not say by itself.
//!
//! Unknown or wrong customer ids (on create and in `add_customers`) are ignored by the
//! API without an error, as documented: compare the answer of `add_customers` with
//! the ids sent when that matters. `add_customers` is a once-only write: adding a
//! member twice leaves the same members, but its answer (the customers it added) is
//! not the same when a first attempt whose answer was lost already added them.

use mijnklantportaal_api::types::CustomerGroup;

use crate::error::Error;
use crate::resources::CustomerGroups;

impl CustomerGroups<'_> {
    /// The group named `name`, if any (the first one listed, as names need not be
    /// unique): how to tell whether a create that failed with
    /// [`Error::MaybeApplied`] went through. The API has no search, so this lists the
    /// groups until it finds it.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// if client.customer_groups().find_by_name("Hosting customers").await?.is_none() {
    ///     // Not created: safe to send it again.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_by_name(&self, name: &str) -> Result<Option<CustomerGroup>, Error> {
        self.list().find(|group| group.name == name).await
    }
}
