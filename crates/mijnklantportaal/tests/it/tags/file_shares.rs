//! File shares through the wrapper against the mock on loopback: listed through the
//! one Lister, made with a customer and publicly, the shared items marked; refusals
//! typed; a share whose answer is lost is not sent twice.

use std::collections::HashSet;

use crate::common::{client_for, mock, requests_to};
use mijnklantportaal::{CustomerId, Error, FileOrDirectoryType, FilePart};
use reqwest::Method;

#[tokio::test]
async fn files_and_directories_are_shared_with_a_customer_and_publicly() {
    let server = mock(40, |b| b.per_page(5)).await;
    // One page at a time, so that the requests below are the pages the listing needed.
    let client = client_for(&server).prefetch(1).build().expect("a client");
    let seeded = client
        .file_shares()
        .list()
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(seeded.len(), 6);
    let ids: HashSet<&str> = seeded.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 6, "no repeats");
    assert_eq!(
        requests_to(&server, Method::GET, "/v1/file-shares"),
        2,
        "two pages, then no more"
    );
    // A seeded share's file names it.
    let first = &seeded[0];
    let item = &first.shared_content[0];
    assert_eq!(item.file_share_id.as_deref(), Some(first.id.as_str()));

    let directory = client
        .files()
        .create_directory()
        .name("For the customer")
        .await
        .expect("created");
    let file = client
        .files()
        .upload()
        .file(FilePart::bytes("offer.txt", "offer"))
        .directory(&directory.id)
        .await
        .expect("uploaded");
    let customer = CustomerId::from(server.dataset().customer(3).expect("a customer").id);
    let share = client
        .file_shares()
        .share_with_customer(&customer, [directory.id.as_str(), file.id.as_str()])
        .await
        .expect("shared");
    assert!(share.id.starts_with("fss_"), "{}", share.id);
    assert_eq!(
        share.shared_with_customer_id.as_deref(),
        Some(customer.as_str())
    );
    let kinds: Vec<(&str, &FileOrDirectoryType)> = share
        .shared_content
        .iter()
        .map(|i| (i.id.as_str(), &i.type_))
        .collect();
    assert_eq!(
        kinds,
        [
            (directory.id.as_str(), &FileOrDirectoryType::Directory),
            (file.id.as_str(), &FileOrDirectoryType::File)
        ]
    );
    assert!(
        share
            .shared_content
            .iter()
            .all(|i| i.file_share_id.as_deref() == Some(share.id.as_str()))
    );
    let marked = client.files().get(&file.id).await.expect("found");
    assert_eq!(marked.file_share_id.as_deref(), Some(share.id.as_str()));
    let links = share.links.as_ref().expect("links");
    assert!(links.customer.is_some() && links.public_share.is_some());

    let public = client
        .file_shares()
        .share_publicly([file.id.as_str()])
        .await
        .expect("shared");
    assert_eq!(public.shared_with_customer_id, None);
    assert_eq!(public.links.as_ref().and_then(|l| l.customer.clone()), None);
    let listed = client
        .file_shares()
        .list()
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(listed.len(), 8);
}

#[tokio::test]
async fn refusals_are_typed() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    match client
        .file_shares()
        .share_publicly(["fsf_doesnotexist00"])
        .await
        .expect_err("no such file")
    {
        Error::Validation { errors, .. } => {
            assert_eq!(
                errors.keys().collect::<Vec<_>>(),
                ["content.0"],
                "{errors:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    match client
        .file_shares()
        .share_publicly(Vec::<String>::new())
        .await
        .expect_err("nothing to share")
    {
        Error::Validation { errors, .. } => assert!(errors.contains_key("content")),
        other => panic!("{other:?}"),
    }
    let seeded = &client
        .file_shares()
        .list()
        .collect_all()
        .await
        .expect("listed")[0];
    let file = &seeded.shared_content[0].id;
    match client
        .file_shares()
        .share_with_customer(CustomerId::from("cst_doesnotexist00"), [file.as_str()])
        .await
        .expect_err("no such customer")
    {
        Error::Validation { errors, .. } => assert!(errors.contains_key("customerId")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_share_whose_answer_is_lost_is_not_sent_twice() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let seeded = client
        .file_shares()
        .list()
        .collect_all()
        .await
        .expect("listed");
    let file = seeded[0].shared_content[0].id.clone();
    server.drop_next_write_responses(1);
    let err = client
        .file_shares()
        .share_publicly([file.as_str()])
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert_eq!(requests_to(&server, Method::POST, "/v1/file-shares"), 1);
    let after = client
        .file_shares()
        .list()
        .collect_all()
        .await
        .expect("listed");
    assert_eq!(after.len(), seeded.len() + 1, "shared once");
}
