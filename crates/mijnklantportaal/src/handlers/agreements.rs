//! Agreements: what the generated layer does not say by itself.
//!
//! An agreement is created with its signers and documents in one multipart request;
//! these add one signer or one document at a time, a document from a local file too.

use std::path::Path;

use mijnklantportaal_api::FilePart;
use mijnklantportaal_api::types::NewAgreementSigner;

use crate::error::Error;
use crate::file_parts;
use crate::resources::CreateAgreement;

impl CreateAgreement<'_> {
    /// Adds someone who must sign (at most 5); `should_identify` asks them to identify
    /// before signing.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let created = client
    ///     .agreements()
    ///     .create()
    ///     .name("Service contract")
    ///     .signer_name("John Doe")
    ///     .signer_signature_data("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABgAA...")
    ///     .signer("Dirk Jan", "Bakker", "dj.bakker@domain.com", true)
    ///     .document_file("contract.pdf")
    ///     .await?
    ///     .await?;
    /// println!("{} sent to {} signers", created.id, created.signers.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn signer(
        mut self,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
        should_identify: bool,
    ) -> Self {
        self.signers
            .get_or_insert_with(Vec::new)
            .push(NewAgreementSigner {
                first_name: first_name.into(),
                last_name: last_name.into(),
                email: email.into(),
                should_identify: Some(should_identify),
            });
        self
    }

    /// Adds a document to sign (at most 5, 5 MB in total), e.g.
    /// `FilePart::bytes("contract.pdf", bytes).media_type("application/pdf")`.
    pub fn document(mut self, document: FilePart) -> Self {
        self.documents.get_or_insert_with(Vec::new).push(document);
        self
    }

    /// Adds a local file as a document to sign, named after it, its media type from
    /// its extension, held in memory (so that a create can be retried).
    pub async fn document_file(self, path: impl AsRef<Path>) -> Result<Self, Error> {
        let document = file_parts::read(path.as_ref()).await?;
        Ok(self.document(document))
    }
}
