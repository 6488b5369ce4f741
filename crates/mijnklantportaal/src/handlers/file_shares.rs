//! File shares: what the generated layer does not say by itself.
//!
//! One operation shares files (`fsf_...`) and directories (`fsd_...`) with a customer
//! or, without one, through a public link; these two say which.

use std::borrow::Borrow;

use mijnklantportaal_api::types::{CustomerId, FileShare};

use crate::error::Error;
use crate::resources::FileShares;

impl FileShares<'_> {
    /// Shares files (`fsf_...`) and directories (`fsd_...`) with the customer
    /// `customer_id` ([`create`](Self::create) with a `customer_id`).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let share = client
    ///     .file_shares()
    ///     .share_with_customer(mijnklantportaal::CustomerId::from("cst_abc123456789"), ["fsd_abc123456789", "fsf_abc123456789"])
    ///     .await?;
    /// println!("{}", share.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn share_with_customer(
        &self,
        customer_id: impl Borrow<CustomerId>,
        content: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<FileShare, Error> {
        self.create()
            .content(content)
            .customer_id(customer_id)
            .await
    }

    /// Shares files and directories through a public link (`links.publicShare`).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let share = client.file_shares().share_publicly(["fsf_abc123456789"]).await?;
    /// if let Some(link) = share.links.as_ref().and_then(|l| l.public_share.as_ref()) {
    ///     println!("anyone can open {}", link.href);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn share_publicly(
        &self,
        content: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<FileShare, Error> {
        self.create().content(content).await
    }
}
