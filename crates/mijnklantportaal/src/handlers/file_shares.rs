//! File shares: files and directories shared with a customer or through a public link.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list` | any transient failure |
//! | `share_with_customer`, `share_publicly` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a share, it may or may not exist: the error is
//! [`Error::MaybeApplied`]; look for it in [`FileShares::list`].

use futures::FutureExt;
use mijnklantportaal_api::types::{FileShare, NewFileShare};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// The file share endpoints; made by [`Client::file_shares`].
#[derive(Debug, Clone, Copy)]
pub struct FileShares<'c> {
    client: &'c Client,
}

impl Client {
    /// Shares of files and directories, with customers or through public links.
    pub fn file_shares(&self) -> FileShares<'_> {
        FileShares { client: self }
    }
}

impl FileShares<'_> {
    /// Every file share, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// for share in client.file_shares().list().collect_all().await? {
    ///     println!("{} with {:?}: {} items", share.id, share.shared_with_customer_id, share.shared_content.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListFileShares> {
        self.client.list(ListFileShares)
    }

    /// Shares files (`fsf_...`) and directories (`fsd_...`) with the customer
    /// `customer_id`. Sent at most once unless the server provably did not process it;
    /// an ambiguous failure is [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let share = client
    ///     .file_shares()
    ///     .share_with_customer("cst_abc123456789", ["fsd_abc123456789", "fsf_abc123456789"])
    ///     .await?;
    /// println!("{}", share.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn share_with_customer(
        &self,
        customer_id: impl Into<String>,
        content: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<FileShare, Error> {
        self.create(NewFileShare {
            content: content.into_iter().map(Into::into).collect(),
            customer_id: Some(customer_id.into()),
        })
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
        self.create(NewFileShare {
            content: content.into_iter().map(Into::into).collect(),
            customer_id: None,
        })
        .await
    }

    async fn create(&self, body: NewFileShare) -> Result<FileShare, Error> {
        let call = Call::of(operations::CREATE_FILE_SHARE)
            .check("look for the share in `file_shares().list()`");
        self.client
            .inner
            .once(call, |api| {
                api.create_file_share().body(body.clone()).send().boxed()
            })
            .await
    }
}

list_operation! {
    /// `GET /file-shares`, as a [`ListOperation`](crate::ListOperation).
    ListFileShares: LIST_FILE_SHARES => list_file_shares -> FileSharePage, FileShare;
}
