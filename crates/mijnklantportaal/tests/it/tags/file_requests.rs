//! File requests through the wrapper against the mock on loopback: listed through the
//! one Lister, made to a customer and public, read back; refusals typed; a create
//! whose answer is lost is not sent twice.

use std::collections::HashSet;

use crate::common::{client_for, mock, requests_to};
use mijnklantportaal::{CustomerId, Error, FileRequestId, NewRequestedFile};
use reqwest::Method;

fn wanted(name: &str) -> NewRequestedFile {
    NewRequestedFile::builder()
        .name(name)
        .required(Some(true))
        .max_file_size(Some(10_240))
        .try_into()
        .expect("a name is set")
}

#[tokio::test]
async fn requests_are_listed_made_and_read_back() {
    let server = mock(40, |b| b.per_page(5)).await;
    // One page at a time, so that the requests below are the pages the listing needed.
    let client = client_for(&server).prefetch(1).build().expect("a client");
    let seeded = client
        .file_requests()
        .list()
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(seeded.len(), 7);
    let ids: HashSet<&str> = seeded.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 7, "no repeats");
    assert_eq!(
        requests_to(&server, Method::GET, "/v1/file-requests"),
        2,
        "two pages, then no more"
    );
    assert!(seeded.iter().any(|r| r.completed_at.is_some()));
    assert!(seeded.iter().any(|r| r.completed_at.is_none()));

    let directory = client
        .files()
        .create_directory()
        .name("Uploads")
        .await
        .expect("created");
    let customer = &CustomerId::from(server.dataset().customer(2).expect("a customer").id);
    let plan = client
        .file_requests()
        .create()
        .name("Contract renewal")
        .customer_id(customer)
        .file(wanted("Logo"))
        .file(wanted("Signed contract"))
        .description("We need these files to complete your contract renewal")
        .directory_id(&directory.id);
    let request = plan.await.expect("created");
    assert!(request.id.starts_with("frq_"), "{}", request.id);
    assert_eq!(request.customer_id.as_deref(), Some(customer.as_str()));
    assert_eq!(request.directory_id.as_deref(), Some(directory.id.as_str()));
    assert_eq!(request.completed_at, None, "nothing uploaded yet");
    let names: Vec<&str> = request
        .requested_files
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names, ["Logo", "Signed contract"]);
    assert!(
        request
            .requested_files
            .iter()
            .all(|f| f.uploaded_file_id.is_none())
    );
    let links = request.links.as_ref().expect("links");
    assert!(
        links
            .customer
            .as_ref()
            .is_some_and(|l| l.href.ends_with(customer.as_str())),
        "{links:?}"
    );
    assert!(links.public_request.is_some());
    assert_eq!(
        client
            .file_requests()
            .get(&request.id)
            .await
            .expect("found"),
        request
    );

    let public = client
        .file_requests()
        .create()
        .name("Event photos")
        .file(wanted("Photos"))
        .await
        .expect("created");
    assert_eq!(public.customer_id, None);
    let links = public.links.as_ref().expect("links");
    assert_eq!(links.customer, None);
    assert!(
        links
            .public_request
            .as_ref()
            .is_some_and(|l| l.type_ == "text/html")
    );
}

#[tokio::test]
async fn refusals_and_missing_requests_are_typed() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let eleven = (0..11).fold(
        client.file_requests().create().name("Too many"),
        |plan, i| plan.file(wanted(&format!("File {i}"))),
    );
    match eleven.await.expect_err("11 files") {
        Error::Validation { errors, .. } => {
            assert!(errors.contains_key("requestedFiles"), "{errors:?}")
        }
        other => panic!("{other:?}"),
    }
    let astray = client
        .file_requests()
        .create()
        .name("Astray")
        .file(wanted("A"))
        .directory_id("fsd_doesnotexist00");
    match astray.await.expect_err("no such directory") {
        Error::Validation { errors, .. } => {
            assert_eq!(
                errors.keys().collect::<Vec<_>>(),
                ["directoryId"],
                "{errors:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    let err = client
        .file_requests()
        .get(FileRequestId::from("frq_doesnotexist00"))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_sent_twice() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    server.drop_next_write_responses(1);
    let err = client
        .file_requests()
        .create()
        .name("Sent once")
        .file(wanted("A"))
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert_eq!(requests_to(&server, Method::POST, "/v1/file-requests"), 1);
    let all = client
        .file_requests()
        .list()
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(all.iter().filter(|r| r.name == "Sent once").count(), 1);
}
