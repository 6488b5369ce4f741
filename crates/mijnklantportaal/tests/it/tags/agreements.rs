//! Agreements through the wrapper against the mock on loopback: created with signers
//! and documents (multipart arrays in PHP's bracket form), read back, listed through
//! the one Lister, a document downloaded through its link; refusals typed; a create
//! whose answer is lost is not sent twice.

use crate::common::{client_for, mock, requests_to};
use mijnklantportaal::{
    AgreementDocumentId, AgreementId, AgreementStatus, Client, CreateAgreement, Error, FilePart,
    NewAgreementSigner,
};
use reqwest::Method;

const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
const CONTRACT: &[u8] = b"%PDF-1.4 contract\n%%EOF\n";

/// A create of the agreement `name`, signed for the company, without signers or
/// documents.
fn unsigned<'c>(client: &'c Client, name: &str) -> CreateAgreement<'c> {
    client
        .agreements()
        .create()
        .name(name)
        .signer_name("John Doe")
        .signer_signature_data(SIGNATURE)
}

fn agreement<'c>(client: &'c Client, name: &str) -> CreateAgreement<'c> {
    unsigned(client, name)
        .signer("Dirk Jan", "Bakker", "dj.bakker@domain.com", true)
        .signer("Anna", "de Vries", "anna@devries.example", false)
        .document(FilePart::bytes("contract.pdf", CONTRACT).media_type("application/pdf"))
}

#[tokio::test]
async fn an_agreement_is_created_read_listed_and_its_document_downloaded() {
    let server = mock(40, |b| b.per_page(5)).await;
    // One page at a time, so that the requests below are the pages the listing needed.
    let client = client_for(&server).prefetch(1).build().expect("a client");
    let dir = std::env::temp_dir().join(format!("mkp-agreements-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let annex = dir.join("annex.txt");
    std::fs::write(&annex, "Annex A: prices").expect("written");

    let new = agreement(&client, "Service contract 2026")
        .document_file(&annex)
        .await
        .expect("read");
    let created = new.await.expect("created");
    assert!(created.id.starts_with("agr_"), "{}", created.id);
    assert_eq!(created.status, AgreementStatus::Sent);
    let signers: Vec<(Option<&str>, Option<bool>)> = created
        .signers
        .iter()
        .map(|s| (s.first_name.as_deref(), s.should_identify))
        .collect();
    assert_eq!(
        signers,
        [(Some("Dirk Jan"), Some(true)), (Some("Anna"), Some(false))]
    );
    assert!(created.signers.iter().all(|s| s.signed_at.is_none()));
    let documents: Vec<(Option<&str>, Option<i64>)> = created
        .documents
        .iter()
        .map(|d| (d.document_name.as_deref(), d.file_size))
        .collect();
    assert_eq!(
        documents,
        [
            (Some("contract.pdf"), Some(CONTRACT.len() as i64)),
            (Some("annex.txt"), Some(15))
        ]
    );

    let got = client.agreements().get(&created.id).await.expect("found");
    assert_eq!(got, created);

    let listed = client
        .agreements()
        .list()
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(listed.len(), 7, "six seeded and the new one");
    let summary = listed.iter().find(|a| a.id == created.id).expect("listed");
    assert_eq!(summary.name.as_deref(), Some("Service contract 2026"));
    assert_eq!(
        requests_to(&server, Method::GET, "/v1/agreements"),
        2,
        "two pages, then no more"
    );

    for (document, bytes, media) in [
        (&created.documents[0], CONTRACT, "application/pdf"),
        (&created.documents[1], &b"Annex A: prices"[..], "text/plain"),
    ] {
        let link = client
            .agreements()
            .document_link(&created.id, &document.id)
            .await
            .expect("a link");
        let response = reqwest::get(&link.link).await.expect("downloaded");
        assert_eq!(response.headers()["content-type"], media);
        assert_eq!(&response.bytes().await.expect("the body")[..], bytes);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn refusals_and_missing_agreements_are_typed() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");

    let six = (0..6).fold(agreement(&client, "Too many"), |a, i| {
        a.document(FilePart::bytes(format!("{i}.pdf"), CONTRACT))
    });
    match six.await.expect_err("7 documents") {
        Error::Validation { errors, .. } => assert!(errors.contains_key("documents"), "{errors:?}"),
        other => panic!("{other:?}"),
    }
    // An empty list of signers (no `signers[..]` parts), for the server to refuse.
    let nobody = unsigned(&client, "Nobody signs")
        .signers(Vec::<NewAgreementSigner>::new())
        .document(FilePart::bytes("a.pdf", CONTRACT));
    match nobody.await.expect_err("no signers") {
        Error::Validation { errors, .. } => {
            assert_eq!(errors.keys().collect::<Vec<_>>(), ["signers"], "{errors:?}")
        }
        other => panic!("{other:?}"),
    }
    let bad_email = unsigned(&client, "Bad e-mail")
        .signer("A", "B", "not-an-address", false)
        .document(FilePart::bytes("a.pdf", CONTRACT));
    match bad_email.await.expect_err("bad e-mail") {
        Error::Validation { errors, .. } => {
            assert!(errors.contains_key("signers.0.email"), "{errors:?}")
        }
        other => panic!("{other:?}"),
    }

    let err = client
        .agreements()
        .get(AgreementId::from("agr_doesnotexist00"))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let seeded = &client
        .agreements()
        .list()
        .collect_all()
        .await
        .expect("listed")[0];
    let err = client
        .agreements()
        .document_link(&seeded.id, AgreementDocumentId::from("agd_doesnotexist00"))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_sent_twice() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    server.drop_next_write_responses(1);
    let err = agreement(&client, "Sent once")
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("agreements().list()"), "{err}");
    assert_eq!(requests_to(&server, Method::POST, "/v1/agreements"), 1);
    let made = client
        .agreements()
        .list()
        .collect_all()
        .await
        .expect("listed");
    let named: Vec<_> = made
        .iter()
        .filter(|a| a.name.as_deref() == Some("Sent once"))
        .collect();
    assert_eq!(named.len(), 1, "created once");
}
