//! Adding a multipart operation to the spec needs no hand-written code: the real spec
//! plus an upload the vendor does not have (`spec_revisions::with_multipart_upload`:
//! path and query parameters, an array of files without a media type, an array of text
//! values, text and integer parts, an inline response schema) is generated, checked in under
//! tests/fixtures/multipart and kept fresh by the first test, compiled here, and called
//! over loopback.

// The generated code names these as `crate::Auth`, `crate::FilePart`, ...
use mijnklantportaal_api::{Auth, FilePart, LocalDateTime, PerPage};

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unreachable_patterns, dead_code, unused_imports)]
mod generated {
    include!("../fixtures/multipart/customer_documents.rs");
}

// `HooksMode::Expected`: the crate that holds the code provides the hooks. These mark
// each request with its operation id, to show that the generated method calls them.
impl progenitor_client::ClientHooks<Auth> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let value = reqwest::header::HeaderValue::from_static(info.operation_id);
        request.headers_mut().insert("x-operation", value);
        Ok(())
    }
}

use generated::types::UploadCustomerDocumentsBody;
use mijnklantportaal_tests::loopback::{listener, parts, serve_one};
use mijnklantportaal_tests::spec_revisions::{real_spec, with_multipart_upload};

const FIXTURE: &str = "tests/fixtures/multipart/customer_documents.rs";
const NAME: &str =
    "spec/mijnklantportaal.yaml with a customer documents upload (tests/src/spec_revisions.rs)";

#[test]
fn fixture_is_fresh() {
    let fresh = xtask::generate_from_str(&with_multipart_upload(&real_spec()), NAME)
        .unwrap_or_else(|e| panic!("{e}"));
    let path = xtask::workspace_root().join(FIXTURE);
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != fresh {
        std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"));
        panic!("{FIXTURE} was stale and has been regenerated: review and commit it, then rerun");
    }
}

#[test]
fn the_new_operation_is_in_the_surface() {
    let code = xtask::generate_from_str(&with_multipart_upload(&real_spec()), NAME)
        .unwrap_or_else(|e| panic!("{e}"));
    let surface = xtask::api_surface(&code).expect("parses");
    for expected in [
        "pub fn Client::upload_customer_documents(&self) -> builder::UploadCustomerDocuments<'_>",
        "pub async fn builder::UploadCustomerDocuments<'a>::send(self) -> Result<ResponseValue<types::UploadCustomerDocumentsResponse>, Error<types::ErrorBody>>",
        "pub field types::UploadCustomerDocumentsResponse::stored: i64",
        "pub fn builder::UploadCustomerDocuments<'a>::customer_id<V>(mut self, value: V) -> Self where V: TryInto<String>, // required",
        "pub fn builder::UploadCustomerDocuments<'a>::notify<V>(mut self, value: V) -> Self where V: TryInto<bool>,",
        "pub field types::UploadCustomerDocumentsBody::documents: Vec<crate::FilePart>",
        "pub field types::UploadCustomerDocumentsBody::labels: Vec<String>",
        "pub field types::UploadCustomerDocumentsBody::caption: Option<String>",
        "pub field types::UploadCustomerDocumentsBody::sequence: i64",
    ] {
        assert!(
            surface.contains(expected),
            "missing `{expected}` in:\n{surface}"
        );
    }
    // The operations that were there are untouched.
    let real = xtask::api_surface(
        &xtask::generate_from_str(&real_spec(), NAME).unwrap_or_else(|e| panic!("{e}")),
    )
    .expect("parses");
    for line in real.lines() {
        assert!(surface.contains(line), "lost `{line}`");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_new_operation_sends_its_parts_and_parameters() {
    let (listener, base) = listener().await;
    let client = generated::Client::new(&base, Auth::bearer("tok").expect("a token"));
    let body: UploadCustomerDocumentsBody = UploadCustomerDocumentsBody::builder()
        .documents(vec![
            FilePart::bytes("notes.txt", b"hello".to_vec()),
            FilePart::bytes("scan.pdf", b"%PDF-1.4".to_vec()).media_type("application/pdf"),
        ])
        .labels(vec!["contract".to_string(), "2025".to_string()])
        .sequence(3)
        .try_into()
        .expect("every required part is set");
    let link = r#"{"link": "https://files.example/x", "expiresAt": "2025-04-29T21:00:00+02:00", "stored": 2}"#;
    let (captured, response) = tokio::join!(
        serve_one(&listener, "200 OK", link),
        client
            .upload_customer_documents()
            .customer_id("cst 1/a")
            .notify(true)
            .body(body)
            .send()
    );
    let stored = response.expect("decodes").into_inner();
    assert_eq!(stored.link, "https://files.example/x");
    assert_eq!(stored.stored, 2);
    assert!(
        captured
            .head
            .starts_with("POST /v1/customers/cst%201%2Fa/documents?notify=true HTTP/1.1\r\n"),
        "{}",
        captured.head
    );
    assert_eq!(
        captured.header("x-operation"),
        Some("upload_customer_documents"),
        "the crate's `pre` hook ran, with the operation's id"
    );
    let boundary = captured
        .header("content-type")
        .and_then(|t| t.strip_prefix("multipart/form-data; boundary="))
        .expect("multipart");
    let parts = parts(&captured.body, boundary);
    let names: Vec<&str> = parts
        .iter()
        .map(|p| {
            p.header("content-disposition")
                .expect("a Content-Disposition")
        })
        .collect();
    assert_eq!(
        names,
        [
            r#"form-data; name="documents[0]"; filename="notes.txt""#,
            r#"form-data; name="documents[1]"; filename="scan.pdf""#,
            r#"form-data; name="labels[0]""#,
            r#"form-data; name="labels[1]""#,
            r#"form-data; name="sequence""#,
        ],
        "one part per element, in PHP's bracket form; the optional caption is not sent"
    );
    assert_eq!(
        parts[0].header("content-type"),
        Some("application/octet-stream"),
        "no media type in the spec or the FilePart"
    );
    assert_eq!(parts[1].header("content-type"), Some("application/pdf"));
    assert_eq!(parts[0].body, b"hello");
    assert_eq!(parts[1].body, b"%PDF-1.4");
    assert_eq!(parts[2].body, b"contract");
    assert_eq!(parts[3].body, b"2025");
    assert_eq!(parts[4].body, b"3");
    let _: Option<(PerPage, LocalDateTime)> = None;
}
