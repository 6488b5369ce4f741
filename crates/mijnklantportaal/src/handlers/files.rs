//! Files: what the generated layer does not say by itself.
//!
//! The API creates both files and directories with `POST /files`: a file as a
//! `multipart/form-data` upload (`files().upload()`), a directory as a JSON body
//! (`files().create_directory()`). No list or delete is documented, so after a create
//! failed with [`Error::MaybeApplied`] only the management portal shows whether it
//! was made.

use std::path::Path;

use crate::error::Error;
use crate::file_parts;
use crate::resources::UploadFile;

impl UploadFile<'_> {
    /// The file to upload from a local file, named after it, its media type from its
    /// extension, held in memory (so that an upload can be retried).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let file = client.files().upload().path("contract_v2.pdf").await?.await?;
    /// assert_eq!(file.mime.as_deref(), Some("application/pdf"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn path(self, path: impl AsRef<Path>) -> Result<Self, Error> {
        Ok(self.file(file_parts::read(path.as_ref()).await?))
    }
}
