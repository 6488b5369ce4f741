//! File requests: ask a customer, or anyone with a public link, for files.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get` | any transient failure |
//! | `create` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a create, the request may or may not exist: the error is
//! [`Error::MaybeApplied`]; look for it by name in [`FileRequests::list`].

use futures::FutureExt;
use mijnklantportaal_api::types::{FileRequest, NewFileRequest, NewRequestedFile};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// The file request endpoints; made by [`Client::file_requests`].
#[derive(Debug, Clone, Copy)]
pub struct FileRequests<'c> {
    client: &'c Client,
}

impl Client {
    /// Requests for files, to customers or through public links.
    pub fn file_requests(&self) -> FileRequests<'_> {
        FileRequests { client: self }
    }
}

impl FileRequests<'_> {
    /// Every file request, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let open: Vec<_> = client
    ///     .file_requests()
    ///     .list()
    ///     .collect_all()
    ///     .await?
    ///     .into_iter()
    ///     .filter(|r| r.completed_at.is_none())
    ///     .collect();
    /// println!("{} requests wait for files", open.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListFileRequests> {
        self.client.list(ListFileRequests)
    }

    /// One file request (`frq_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let request = client.file_requests().get("frq_abc12345678").await?;
    /// for file in &request.requested_files {
    ///     println!("{}: {:?}", file.name, file.uploaded_file_id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<FileRequest, Error> {
        let call = Call::of(operations::GET_FILE_REQUEST);
        self.client
            .inner
            .once(call, |api| {
                api.get_file_request().request_id(id).send().boxed()
            })
            .await
    }

    /// Asks for up to 10 files. Sent at most once unless the server provably did not
    /// process it; an ambiguous failure is [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::{FileRequestPlan, NewRequestedFile};
    ///
    /// let logo = NewRequestedFile::builder()
    ///     .name("Logo")
    ///     .description(Some("The logo we should put on your website".to_string()))
    ///     .required(Some(true))
    ///     .try_into()
    ///     .expect("a name is set");
    /// let plan = FileRequestPlan::to_customer("Contract renewal", "cst_abc123456789").file(logo);
    /// let request = client.file_requests().create(plan).await?;
    /// println!("{} asks for {} files", request.id, request.requested_files.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, request: impl Into<NewFileRequest>) -> Result<FileRequest, Error> {
        let body = request.into();
        let call = Call::of(operations::CREATE_FILE_REQUEST)
            .check("look for the request by its name in `file_requests().list()`");
        self.client
            .inner
            .once(call, |api| {
                api.create_file_request().body(body.clone()).send().boxed()
            })
            .await
    }
}

/// A file request to make with [`FileRequests::create`]: to a customer, or through a
/// public link, for the files added with [`file`](Self::file).
#[derive(Debug, Clone)]
pub struct FileRequestPlan {
    body: NewFileRequest,
}

impl FileRequestPlan {
    /// A request called `name` to the customer `customer_id` (`cst_...`).
    pub fn to_customer(name: impl Into<String>, customer_id: impl Into<String>) -> Self {
        let mut plan = Self::public(name);
        plan.body.customer_id = Some(customer_id.into());
        plan
    }

    /// A request called `name` that anyone with its public link can answer.
    pub fn public(name: impl Into<String>) -> Self {
        FileRequestPlan {
            body: NewFileRequest {
                name: name.into(),
                requested_files: Vec::new(),
                description: None,
                customer_id: None,
                directory_id: None,
            },
        }
    }

    /// A file to ask for (at most 10).
    pub fn file(mut self, file: NewRequestedFile) -> Self {
        self.body.requested_files.push(file);
        self
    }

    /// Why the files are needed, shown to whoever uploads them.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// The directory (`fsd_...`) the uploaded files go to.
    pub fn into_directory(mut self, directory_id: impl Into<String>) -> Self {
        self.body.directory_id = Some(directory_id.into());
        self
    }
}

impl From<FileRequestPlan> for NewFileRequest {
    fn from(plan: FileRequestPlan) -> Self {
        plan.body
    }
}

list_operation! {
    /// `GET /file-requests`, as a [`ListOperation`](crate::ListOperation).
    ListFileRequests: LIST_FILE_REQUESTS => list_file_requests -> FileRequestPage, FileRequest;
}
