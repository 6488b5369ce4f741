//! Files through the wrapper against the mock on loopback: directories in
//! directories, uploads into them (multipart) and their download links; a directory
//! cannot be downloaded; refusals typed; an upload whose answer is lost is not sent
//! twice.

use crate::common::{client_for, mock, requests_to};
use mijnklantportaal::{Error, FileOrDirectoryType, FilePart};
use reqwest::Method;

#[tokio::test]
async fn files_are_uploaded_into_directories_and_downloaded() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let contracts = client
        .files()
        .create_directory()
        .name("Contracts")
        .await
        .expect("created");
    assert!(contracts.id.starts_with("fsd_"), "{}", contracts.id);
    assert_eq!(contracts.type_, FileOrDirectoryType::Directory);
    assert_eq!((contracts.size, contracts.mime.as_deref()), (None, None));
    let year = client
        .files()
        .create_directory()
        .name("2026")
        .directory(&contracts.id)
        .await
        .expect("created inside");

    let csv = "product,price\nhosting,12.95\n";
    let file = client
        .files()
        .upload()
        .file(FilePart::bytes("prices.csv", csv).media_type("text/csv"))
        .directory(&year.id)
        .await
        .expect("uploaded");
    assert!(file.id.starts_with("fsf_"), "{}", file.id);
    assert_eq!(file.type_, FileOrDirectoryType::File);
    assert_eq!(file.name.as_deref(), Some("prices.csv"));
    assert_eq!(file.size, Some(csv.len() as i64));
    assert_eq!(file.mime.as_deref(), Some("text/csv"));
    assert_eq!(client.files().get(&file.id).await.expect("found"), file);
    assert_eq!(client.files().get(&year.id).await.expect("found"), year);

    let link = client
        .files()
        .download_link(&file.id)
        .await
        .expect("a link");
    assert_eq!(
        link.expires_at,
        server.now() + chrono::Duration::minutes(5),
        "five minutes from the mock's clock"
    );
    let response = reqwest::get(&link.link).await.expect("downloaded");
    assert_eq!(response.headers()["content-type"], "text/csv");
    assert_eq!(response.text().await.expect("the body"), csv);

    let dir = std::env::temp_dir().join(format!("mkp-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("contract_v2.pdf");
    std::fs::write(&path, b"%PDF-1.4\n%%EOF\n").expect("written");
    let pdf = client
        .files()
        .upload()
        .path(&path)
        .await
        .expect("read")
        .await
        .expect("uploaded");
    assert_eq!(
        pdf.mime.as_deref(),
        Some("application/pdf"),
        "from the extension"
    );
    assert_eq!(pdf.name.as_deref(), Some("contract_v2.pdf"));
    std::fs::remove_dir_all(&dir).ok();

    let err = client
        .files()
        .download_link(&year.id)
        .await
        .expect_err("a directory");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn refusals_and_missing_files_are_typed() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let err = client
        .files()
        .upload()
        .file(FilePart::bytes("a.txt", "a"))
        .directory("fsd_doesnotexist00")
        .await
        .expect_err("no such directory");
    match &err {
        Error::Validation { errors, .. } => {
            assert_eq!(
                errors.keys().collect::<Vec<_>>(),
                ["directory"],
                "{errors:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    let err = client
        .files()
        .create_directory()
        .name("")
        .await
        .expect_err("no name");
    match &err {
        Error::Validation { errors, .. } => assert!(errors.contains_key("name"), "{errors:?}"),
        other => panic!("{other:?}"),
    }
    for err in [
        client
            .files()
            .get("fsf_doesnotexist00")
            .await
            .expect_err("missing"),
        client
            .files()
            .download_link("fsf_doesnotexist00")
            .await
            .expect_err("missing"),
    ] {
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn an_upload_whose_answer_is_lost_is_not_sent_twice() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    server.drop_next_write_responses(1);
    let err = client
        .files()
        .upload()
        .file(FilePart::bytes("once.txt", "once"))
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("management portal"), "{err}");
    assert_eq!(
        requests_to(&server, Method::POST, "/v1/files"),
        1,
        "not sent again"
    );
    assert_eq!(server.stats().writes, 1);
}
