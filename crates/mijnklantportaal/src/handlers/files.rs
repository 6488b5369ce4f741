//! Files: upload a file, create a directory, get either, and a file's download link.
//!
//! The API creates both with `POST /files`: a file as a `multipart/form-data` upload,
//! a directory as a JSON body (the generated `upload_file` and `post_files`). No list or
//! delete is documented.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `get`, `download_link` | any transient failure |
//! | `upload`, `upload_path`, `create_directory` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of an upload or a new directory, it may or may not exist: the
//! error is [`Error::MaybeApplied`]. With no list operation in the API, only the
//! management portal shows whether it does.

use std::path::Path;

use futures::FutureExt;
use mijnklantportaal_api::FilePart;
use mijnklantportaal_api::types::{CloudFile, FileOrDirectory, NewDirectory, UploadFileBody};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::file_parts;
use crate::operations;

/// How to tell whether an upload or a new directory whose answer was lost was made.
const CHECK_FILES: &str =
    "look in the management portal's files (the API documents no list of files)";

/// The file storage endpoints; made by [`Client::files`].
#[derive(Debug, Clone, Copy)]
pub struct Files<'c> {
    client: &'c Client,
}

impl Client {
    /// The portal's file storage: files and directories.
    pub fn files(&self) -> Files<'_> {
        Files { client: self }
    }
}

impl Files<'_> {
    /// Uploads a file into the directory `directory` (`fsd_...`), or at the top without
    /// one. Sent at most once unless the server provably did not process it; an
    /// ambiguous failure is [`Error::MaybeApplied`]. An unknown directory is
    /// [`Error::Validation`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::FilePart;
    ///
    /// let csv = FilePart::bytes("prices.csv", "product,price\nhosting,12.95\n").media_type("text/csv");
    /// let file = client.files().upload(csv, Some("fsd_abc12345678")).await?;
    /// println!("{} ({:?} bytes)", file.id, file.size);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upload(
        &self,
        file: FilePart,
        directory: Option<&str>,
    ) -> Result<FileOrDirectory, Error> {
        let body = UploadFileBody { file };
        let call = Call::of(operations::POST_FILES).check(CHECK_FILES);
        self.client
            .inner
            .upload(call, body, |api, body| {
                let mut request = api.upload_file().body(body);
                if let Some(directory) = directory {
                    request = request.directory(directory);
                }
                request.send().boxed()
            })
            .await
    }

    /// [`upload`](Self::upload) of a local file, named after it, its media type from
    /// its extension.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let file = client.files().upload_path("contract_v2.pdf", None).await?;
    /// assert_eq!(file.mime.as_deref(), Some("application/pdf"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upload_path(
        &self,
        path: impl AsRef<Path>,
        directory: Option<&str>,
    ) -> Result<FileOrDirectory, Error> {
        let file = file_parts::read(path.as_ref()).await?;
        self.upload(file, directory).await
    }

    /// Creates a directory called `name` in `parent` (`fsd_...`), or at the top
    /// without one. Sent at most once, like [`upload`](Self::upload).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let contracts = client.files().create_directory("Contracts", None).await?;
    /// let year = client.files().create_directory("2025", Some(&contracts.id)).await?;
    /// println!("{}", year.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_directory(
        &self,
        name: impl Into<String>,
        parent: Option<&str>,
    ) -> Result<FileOrDirectory, Error> {
        let body = NewDirectory { name: name.into() };
        let call = Call::of(operations::POST_FILES).check(CHECK_FILES);
        self.client
            .inner
            .once(call, |api| {
                let mut request = api.post_files().body(body.clone());
                if let Some(parent) = parent {
                    request = request.directory(parent);
                }
                request.send().boxed()
            })
            .await
    }

    /// A file (`fsf_...`) or directory (`fsd_...`); [`Error::NotFound`] if there is
    /// none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let item = client.files().get("fsf_abc12345678").await?;
    /// println!("{:?} {:?}", item.type_, item.name);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<FileOrDirectory, Error> {
        let call = Call::of(operations::GET_FILE_OR_DIRECTORY);
        self.client
            .inner
            .once(call, |api| {
                api.get_file_or_directory()
                    .file_or_dir_id(id)
                    .send()
                    .boxed()
            })
            .await
    }

    /// A temporary download link (valid for 5 minutes) for a file, not the bytes; a
    /// directory cannot be downloaded.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let link = client.files().download_link("fsf_abc12345678").await?;
    /// println!("download before {}: {}", link.expires_at, link.link);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn download_link(&self, file_id: &str) -> Result<CloudFile, Error> {
        let call = Call::of(operations::DOWNLOAD_FILE);
        self.client
            .inner
            .once(call, |api| {
                api.download_file().file_id(file_id).send().boxed()
            })
            .await
    }
}
