//! Agreements: list, get, create (documents sent to be signed), and document links.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get`, `document_link` | any transient failure |
//! | `create` (multipart POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a create, the agreement may or may not exist: the error is
//! [`Error::MaybeApplied`]; look for it by name in [`Agreements::list`].

use std::path::Path;

use futures::FutureExt;
use mijnklantportaal_api::FilePart;
use mijnklantportaal_api::types::{
    AgreementWithDetails, CloudFile, CreateAgreementBody, NewAgreementSigner,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::file_parts;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// The agreement endpoints; made by [`Client::agreements`].
#[derive(Debug, Clone, Copy)]
pub struct Agreements<'c> {
    client: &'c Client,
}

impl Client {
    /// The agreements of the portal: documents sent to be signed.
    pub fn agreements(&self) -> Agreements<'_> {
        Agreements { client: self }
    }
}

impl Agreements<'_> {
    /// Every agreement (without signers and documents), as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// for agreement in client.agreements().list().collect_all().await? {
    ///     println!("{} {:?} {:?}", agreement.id, agreement.name, agreement.status);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListAgreements> {
        self.client.list(ListAgreements)
    }

    /// One agreement with its signers and documents (`agr_...`); [`Error::NotFound`]
    /// if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let agreement = client.agreements().get("agr_abc12346def678").await?;
    /// let unsigned = agreement.signers.iter().filter(|s| s.signed_at.is_none()).count();
    /// println!("{}: {unsigned} signatures to go", agreement.name);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<AgreementWithDetails, Error> {
        let call = Call::of(operations::GET_AGREEMENT);
        self.client
            .inner
            .once(call, |api| {
                api.get_agreement().agreement_id(id).send().boxed()
            })
            .await
    }

    /// Sends documents to be signed. Sent at most once unless the server provably did
    /// not process it; an ambiguous failure is [`Error::MaybeApplied`]. More than 5
    /// signers or documents, or more than 5 MB of documents, is [`Error::Validation`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::NewAgreement;
    ///
    /// let agreement = NewAgreement::new(
    ///     "Service contract",
    ///     "John Doe",
    ///     "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABgAA...",
    /// )
    /// .signer("Dirk Jan", "Bakker", "dj.bakker@domain.com", true)
    /// .document_file("contract.pdf")
    /// .await?;
    /// let created = client.agreements().create(agreement).await?;
    /// println!("{} sent to {} signers", created.id, created.signers.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, agreement: NewAgreement) -> Result<AgreementWithDetails, Error> {
        let body = agreement.body;
        let call = Call::of(operations::CREATE_AGREEMENT)
            .check("look for the agreement by its name in `agreements().list()`");
        self.client
            .inner
            .upload(call, body, |api, body| {
                api.create_agreement().body(body).send().boxed()
            })
            .await
    }

    /// A temporary download link (valid for 5 minutes) for one document of an
    /// agreement, not the bytes.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let agreement = client.agreements().get("agr_abc12346def678").await?;
    /// for document in &agreement.documents {
    ///     let link = client.agreements().document_link(&agreement.id, &document.id).await?;
    ///     println!("{:?}: {}", document.document_name, link.link);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn document_link(
        &self,
        agreement_id: &str,
        document_id: &str,
    ) -> Result<CloudFile, Error> {
        let call = Call::of(operations::DOWNLOAD_AGREEMENT_DOCUMENT);
        self.client
            .inner
            .once(call, |api| {
                api.download_agreement_document()
                    .agreement_id(agreement_id)
                    .document_id(document_id)
                    .send()
                    .boxed()
            })
            .await
    }
}

/// An agreement to create with [`Agreements::create`]: what is signed in the name of
/// the portal's company, who else must sign, and the documents.
#[derive(Debug)]
pub struct NewAgreement {
    body: CreateAgreementBody,
}

impl NewAgreement {
    /// An agreement called `name`, signed in the name of the portal's company by
    /// `signer_name` with the signature image `signature_data_url` (a base64 data URL,
    /// `data:image/png;base64,...`); add signers and documents next.
    pub fn new(
        name: impl Into<String>,
        signer_name: impl Into<String>,
        signature_data_url: impl Into<String>,
    ) -> Self {
        NewAgreement {
            body: CreateAgreementBody {
                name: name.into(),
                signer_name: signer_name.into(),
                signer_signature_data: signature_data_url.into(),
                signers: Vec::new(),
                documents: Vec::new(),
            },
        }
    }

    /// Someone who must sign (at most 5); `should_identify` asks them to identify
    /// before signing.
    pub fn signer(
        mut self,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
        should_identify: bool,
    ) -> Self {
        self.body.signers.push(NewAgreementSigner {
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            should_identify: Some(should_identify),
        });
        self
    }

    /// A document to sign (at most 5, 5 MB in total), e.g.
    /// `FilePart::bytes("contract.pdf", bytes).media_type("application/pdf")`.
    pub fn document(mut self, document: FilePart) -> Self {
        self.body.documents.push(document);
        self
    }

    /// A local file as a document to sign, named after it, its media type from its
    /// extension, held in memory (so that a create can be retried).
    pub async fn document_file(self, path: impl AsRef<Path>) -> Result<Self, Error> {
        let document = file_parts::read(path.as_ref()).await?;
        Ok(self.document(document))
    }
}

list_operation! {
    /// `GET /agreements`, as a [`ListOperation`](crate::ListOperation).
    ListAgreements: LIST_AGREEMENTS => list_agreements -> AgreementPage, Agreement;
}
