//! Agreements API: documents sent to be signed, their signers, the documents' download
//! links. A create is `multipart/form-data` only, arrays in PHP's bracket form
//! (`signers[0][firstName]`, `documents[0]`): a `signers` part of JSON text fails `array`.

use super::prelude::*;

/// The most bytes of documents of one agreement.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
pub(crate) const SEEDED: u64 = 6;
/// The 422s of the create's own two rules.
const NOT_AN_IMAGE: &str = "The signer signature data field must be a base64 data URL of an image.";
const TOO_BIG: &str = "The documents must not be greater than 5120 kilobytes in total.";

const NAMES: &str = "Service contract|Processing agreement (GDPR)|Maintenance contract 2025|\
    Non-disclosure agreement";
const SIGNERS: [(&str, &str, &str); 4] = [
    ("Dirk Jan", "Bakker", "dj.bakker@domain.com"),
    ("Anna", "de Vries", "anna@devries.example"),
    ("Pieter", "Jansen", "p.jansen@example.nl"),
    ("Sanne", "Visser", "sanne.visser@example.org"),
];
/// A tiny PNG as a data URL: the seeded signatures.
const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

// Random streams of agreements.
const IDS: u64 = 0xA9E_0001;
const SIGNER_IDS: u64 = 0xA9E_0002;
const DOCUMENT_IDS: u64 = 0xA9E_0003;
const CREATED: u64 = 0xA9E_0004;
const HASHES: u64 = 0xA9E_0005;
const SIZES: u64 = 0xA9E_0006;

/// Someone who must sign, in the vendor example's field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Signer {
    pub(crate) id: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: String,
    pub(crate) should_identify: bool,
    pub(crate) signature: Option<String>,
    pub(crate) signature_hash: Option<String>,
    pub(crate) signed_at: Option<DateTime<FixedOffset>>,
}

/// A document to sign, in the vendor example's field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    pub(crate) id: String,
    pub(crate) document_name: String,
    pub(crate) file_size: u64,
    pub(crate) file_hash: String,
    /// Served with the download; not in the JSON.
    #[serde(skip)]
    pub(crate) media_type: String,
}

/// One agreement, in the vendor example's field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockAgreement {
    pub(crate) id: String,
    pub(crate) name: String,
    /// `sent`, or `signed` by every signer.
    pub(crate) status: &'static str,
    pub(crate) signer_name: String,
    #[serde(skip_serializing_if = "in_list")]
    pub(crate) signer_signature: String,
    #[serde(skip_serializing_if = "in_list")]
    pub(crate) signer_signature_hash: String,
    #[serde(skip_serializing_if = "in_list")]
    pub(crate) signers: Vec<Signer>,
    #[serde(skip_serializing_if = "in_list")]
    pub(crate) documents: Vec<Document>,
    pub(crate) created_at: DateTime<FixedOffset>,
}

/// The id of signer or document `index` (up to 16) of agreement `key`.
fn part_id(prefix: &'static str, stream: u64, seed: u64, key: u64, index: usize) -> String {
    IdCodec::new(prefix, seed, stream).encode(key.saturating_mul(16).saturating_add(index as u64))
}

/// A 64-character hash (random: the vendor's algorithm is not documented).
fn hash(seed: u64, number: u64) -> String {
    random_string(seed, HASHES, number, 64)
}

// Every third one signed by all (a day after it was sent); 1 or 2 signers.
record!(MockAgreement, "Agreement", |config| {
    let seed = config.dataset.seed();
    let ids = IdCodec::new("agr_", seed, IDS);
    Seeded::new(ids, SEEDED, move |index, id| {
        let created_at = seeded_time(seed, CREATED, index)?;
        let signed = index % 3 == 0;
        let signed_at = signed.then(|| created_at + chrono::Duration::days(1));
        let parts = 0..1 + (index % 2) as usize;
        let signers = parts.clone().map(|j| {
            let (first, last, email) = SIGNERS[(index as usize + j) % SIGNERS.len()];
            Signer {
                id: part_id("ags_", SIGNER_IDS, seed, index, j),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                email: email.to_owned(),
                should_identify: j == 0,
                signature: signed.then(|| SIGNATURE.to_owned()),
                signature_hash: signed.then(|| hash(seed, index * 16 + j as u64 + 1)),
                signed_at,
            }
        });
        let documents = parts.map(|j| Document {
            id: part_id("agd_", DOCUMENT_IDS, seed, index, j),
            document_name: format!("Contract version_{}.pdf", j + 2),
            file_size: 512 + draw(seed, SIZES, index * 16 + j as u64) % 200_000,
            file_hash: hash(seed, 1_000 + index * 16 + j as u64),
            media_type: "application/pdf".to_owned(),
        });
        Some(MockAgreement {
            id,
            name: pick(NAMES, index),
            status: if signed { "signed" } else { "sent" },
            signer_name: "John Doe".to_owned(),
            signer_signature: SIGNATURE.to_owned(),
            signer_signature_hash: hash(seed, index * 16),
            signers: signers.collect(),
            documents: documents.collect(),
            created_at,
        })
    })
});

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    let form = call.form(body).await?;
    let (new, uploads) = new_agreement(&form).map_err(|e| call.unprocessable(&e))?;
    let seed = call.seed();
    let agreement = call.insert(|slot| {
        let mut agreement = MockAgreement {
            id: slot.id,
            signer_signature_hash: hash(seed, slot.key * 16 + 2_000_000),
            created_at: slot.created_at,
            ..new
        };
        for (j, signer) in agreement.signers.iter_mut().enumerate() {
            signer.id = part_id("ags_", SIGNER_IDS, seed, slot.key, j);
        }
        for (j, document) in agreement.documents.iter_mut().enumerate() {
            document.id = part_id("agd_", DOCUMENT_IDS, seed, slot.key, j);
            document.file_hash = hash(seed, slot.key * 16 + j as u64 + 1_000_000);
        }
        Some(agreement)
    })?;
    for (document, bytes) in agreement.documents.iter().zip(uploads) {
        lock(&call.shared().files).store(&document.id, bytes);
    }
    call.written_shown(StatusCode::CREATED, &agreement)
}

pub(crate) async fn document_link(call: &Call<'_>, _body: Body) -> Reply {
    let id = call.param(1);
    let documents = call.find::<MockAgreement>(0)?.documents;
    if !documents.iter().any(|d| d.id == id) {
        return Err(call.model_not_found(r"App\Models\AgreementDocument", id));
    }
    cloud_file(call, id)
}

/// What a download link to agreement document `id` serves.
pub(crate) fn downloadable(shared: &Shared, id: &str) -> Option<Download> {
    let document = shared.with(|t: &mut Table<MockAgreement>| {
        t.all()
            .find_map(|a| a.documents.into_iter().find(|d| d.id == id))
    })?;
    let pdf = || Bytes::from(text_pdf(&format!("{} ({id})", document.document_name)));
    Some(Download {
        bytes: lock(&shared.files).uploaded(id).unwrap_or_else(pdf),
        media_type: document.media_type,
        file_name: document.document_name,
    })
}

/// The agreement a valid form asks for (ids, hashes, time still to be given) and its
/// documents' bytes, or the 422 of the create's own two rules.
fn new_agreement(form: &Form) -> Result<(MockAgreement, Vec<Bytes>), Errors> {
    let input = requests::nested(form);
    let mut errors = Errors::default();
    let signature = input::text(&input, "signerSignatureData").unwrap_or_default();
    if !(signature.starts_with("data:image/") && signature.contains(";base64,")) {
        errors.add("signerSignatureData", NOT_AN_IMAGE.to_owned());
    }
    let text = |object, field| input::text(object, field).unwrap_or_default();
    let signers = input::objects(&input, "signers")
        .into_iter()
        .map(|signer| Signer {
            first_name: text(signer, "firstName"),
            last_name: text(signer, "lastName"),
            email: text(signer, "email"),
            should_identify: input::boolean(signer, "shouldIdentify").unwrap_or(false),
            ..Signer::default()
        });
    let mut parts: Vec<(usize, &str)> = (form.files.iter())
        .filter_map(|(name, _)| Some((name.strip_prefix("documents.")?.parse().ok()?, &**name)))
        .collect();
    parts.sort_unstable();
    let (documents, uploads): (Vec<Document>, Vec<Bytes>) = parts
        .iter()
        .filter_map(|(_, name)| file_part(form, name))
        .map(|(document_name, media_type, bytes)| {
            let document = Document {
                document_name,
                file_size: bytes.len() as u64,
                media_type,
                ..Document::default()
            };
            (document, bytes)
        })
        .unzip();
    if uploads.iter().map(Bytes::len).sum::<usize>() > MAX_DOCUMENT_BYTES {
        errors.add("documents", TOO_BIG.to_owned());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let agreement = MockAgreement {
        name: text(&input, "name"),
        status: "sent",
        signer_name: text(&input, "signerName"),
        signer_signature: signature,
        signers: signers.collect(),
        documents,
        ..MockAgreement::default()
    };
    Ok((agreement, uploads))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::FilePart;
    use crate::rules::form_errors;
    use crate::validation::input;
    use serde_json::{Value, json};

    fn file(name: &str, bytes: &'static [u8]) -> FilePart {
        FilePart {
            bytes: Some(Bytes::from_static(bytes)),
            size: bytes.len(),
            file_name: name.to_owned(),
            content_type: Some("application/pdf".to_owned()),
        }
    }

    fn form(text: Value, files: Vec<(&str, FilePart)>) -> Form {
        Form {
            input: input(text),
            files: files.into_iter().map(|(n, f)| (n.to_owned(), f)).collect(),
        }
    }

    fn valid_text() -> Value {
        json!({
            "name": "Service contract", "signerName": "John Doe",
            "signerSignatureData": SIGNATURE,
            "signers.0.firstName": "Dirk Jan", "signers.0.lastName": "Bakker",
            "signers.0.email": "dj.bakker@domain.com", "signers.0.shouldIdentify": "1",
        })
    }

    #[test]
    fn a_bracket_form_with_signers_and_documents_is_an_agreement() {
        let form = form(
            valid_text(),
            vec![
                ("documents.1", file("b.pdf", b"%PDF-2")),
                ("documents.0", file("a.pdf", b"%PDF-1")),
            ],
        );
        assert!(form_errors("create-agreement", &form).is_empty());
        let (new, _) = new_agreement(&form).unwrap();
        assert_eq!(new.status, "sent");
        assert_eq!(new.signers.len(), 1);
        assert!(new.signers[0].should_identify);
        let names: Vec<&str> = new
            .documents
            .iter()
            .map(|d| d.document_name.as_str())
            .collect();
        assert_eq!(names, ["a.pdf", "b.pdf"], "in index order");
    }

    #[test]
    fn json_text_signers_plain_document_names_and_too_many_are_refused() {
        let mut text = valid_text();
        let object = text.as_object_mut().unwrap();
        object.retain(|k, _| !k.starts_with("signers."));
        object.insert("signers".into(), json!(r#"{"firstName": "Dirk Jan"}"#));
        let plain = form(text, vec![("documents", file("a.pdf", b"%PDF"))]);
        let errors = form_errors("create-agreement", &plain);
        assert_eq!(errors.fields(), ["signers", "documents"]);
        assert_eq!(
            errors.message(),
            "The signers field must be an array. (and 1 more error)"
        );
        let six: Vec<(&str, FilePart)> = [
            "documents.0",
            "documents.1",
            "documents.2",
            "documents.3",
            "documents.4",
            "documents.5",
        ]
        .into_iter()
        .map(|n| (n, file("x.pdf", b"%PDF")))
        .collect();
        let errors = form_errors("create-agreement", &form(valid_text(), six));
        assert_eq!(
            errors.message(),
            "The documents field must not have more than 5 items."
        );
        let mut text = valid_text();
        text["signerSignatureData"] = json!("not an image");
        let bad = form(text, vec![("documents.0", file("a.pdf", b"%PDF"))]);
        assert!(form_errors("create-agreement", &bad).is_empty());
        let errors = new_agreement(&bad).unwrap_err();
        assert_eq!(errors.fields(), ["signerSignatureData"]);
    }

    #[test]
    fn lists_show_the_summary_and_gets_the_details() {
        let at = dutch_time::at(1_757_777_000).unwrap();
        let agreement = MockAgreement {
            id: "agr_1".to_owned(),
            name: "Service contract".to_owned(),
            status: "sent",
            signer_name: "John Doe".to_owned(),
            signer_signature: "data:image/png;base64,x".to_owned(),
            signer_signature_hash: "h".to_owned(),
            signers: vec![],
            documents: vec![Document {
                id: "agd_1".to_owned(),
                document_name: "a.pdf".to_owned(),
                file_size: 512,
                file_hash: "f".to_owned(),
                media_type: "application/pdf".to_owned(),
            }],
            created_at: at,
        };
        assert_eq!(
            serde_json::to_string(&agreement).unwrap(),
            r#"{"id":"agr_1","name":"Service contract","status":"sent","signerName":"John Doe","createdAt":"2025-09-13T17:23:20+02:00"}"#
        );
        let shown =
            String::from_utf8(crate::resources::render(&agreement, "", true).unwrap()).unwrap();
        assert_eq!(
            shown,
            r#"{"id":"agr_1","name":"Service contract","status":"sent","signerName":"John Doe","signerSignature":"data:image/png;base64,x","signerSignatureHash":"h","signers":[],"documents":[{"id":"agd_1","documentName":"a.pdf","fileSize":512,"fileHash":"f"}],"createdAt":"2025-09-13T17:23:20+02:00"}"#
        );
    }
}
