//! File requests: what the generated layer does not say by itself.
//!
//! A request goes to a customer (`customer_id`) or, without one, to anyone with its
//! public link; [`CreateFileRequest::file`] adds one requested file at a time.

use mijnklantportaal_api::types::NewRequestedFile;

use crate::resources::CreateFileRequest;

impl CreateFileRequest<'_> {
    /// Adds a file to ask for (at most 10).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::NewRequestedFile;
    ///
    /// let passport: NewRequestedFile = NewRequestedFile::builder()
    ///     .name("Passport")
    ///     .try_into()
    ///     .expect("every required field set");
    /// let request = client
    ///     .file_requests()
    ///     .create()
    ///     .name("Identity documents")
    ///     .customer_id(mijnklantportaal::CustomerId::from("cst_abc12345def678"))
    ///     .file(passport)
    ///     .await?;
    /// println!("{}", request.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn file(mut self, file: NewRequestedFile) -> Self {
        self.requested_files.get_or_insert_with(Vec::new).push(file);
        self
    }
}
