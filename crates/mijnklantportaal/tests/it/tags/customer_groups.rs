//! Customer groups through the wrapper against the mock on loopback: every operation,
//! membership showing in the customers, unknown ids ignored, typed 404 and 422, a lost
//! create not sent twice, a lost member add retried, and the listing paged.

use crate::common::{client_for, customer_ids, mock, requests_to, within};
use mijnklantportaal::{CustomerGroupId, CustomerId, Error};
use reqwest::Method;

#[tokio::test]
async fn a_group_is_created_renamed_and_filled() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let groups = client.customer_groups();
    let ids = customer_ids(&server, 3);

    let seeded = within(10, groups.list().collect_all())
        .await
        .expect("listed");
    assert_eq!(seeded.len(), 5, "the groups the dataset's customers are in");

    let group = within(
        10,
        groups.create().name("Hosting customers").customers([
            CustomerId::from(ids[0].as_str()),
            CustomerId::from("cst_doesnotexist00"),
        ]),
    )
    .await
    .expect("created");
    assert!(group.id.starts_with("cug_"), "{}", group.id);
    assert_eq!(group.name, "Hosting customers");
    assert_eq!(
        within(10, groups.get(&group.id)).await.expect("found"),
        group
    );
    let first = within(
        10,
        client.customers().get(CustomerId::from(ids[0].as_str())),
    )
    .await
    .expect("a customer");
    assert!(
        first.customer_groups.contains(&group.id),
        "the customer shows its new group: {:?}",
        first.customer_groups
    );

    let renamed = within(10, groups.rename(&group.id).name("Hosting and domains"))
        .await
        .expect("renamed");
    assert_eq!(renamed.name, "Hosting and domains");
    assert_eq!(
        within(10, groups.get(&group.id)).await.expect("found").name,
        "Hosting and domains"
    );

    // Unknown ids are ignored without an error; a repeated id counts once.
    let added = within(
        10,
        groups.add_customers(&group.id).customers([
            CustomerId::from(ids[1].as_str()),
            CustomerId::from(ids[2].as_str()),
            CustomerId::from("cst_doesnotexist00"),
            CustomerId::from(ids[1].as_str()),
        ]),
    )
    .await
    .expect("added")
    .data;
    let added_ids: Vec<&str> = added.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(added_ids, [ids[1].as_str(), ids[2].as_str()]);
    for id in &ids {
        let customer = within(10, client.customers().get(CustomerId::from(id.as_str())))
            .await
            .expect("found");
        let memberships = customer
            .customer_groups
            .iter()
            .filter(|g| g.as_str() == group.id.as_str())
            .count();
        assert_eq!(memberships, 1, "{id} is in the group once");
    }
    assert!(added.iter().all(|c| c.customer_groups.contains(&group.id)));

    let found = within(10, groups.find_by_name("Hosting and domains"))
        .await
        .expect("listed");
    assert_eq!(found.map(|g| g.id), Some(group.id.clone()));
    assert_eq!(
        within(10, groups.find_by_name("No such group"))
            .await
            .expect("listed"),
        None
    );
    let all = within(10, groups.list().collect_all())
        .await
        .expect("listed");
    assert_eq!(all.len(), 6);
    assert_eq!(all.last().map(|g| &g.id), Some(&group.id), "newest last");
}

#[tokio::test]
async fn missing_groups_and_refused_fields_are_typed() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let groups = client.customer_groups();
    let missing = CustomerGroupId::from("cug_doesnotexist00");

    for err in [
        within(10, groups.get(&missing)).await.map(|_| ()),
        within(10, groups.rename(&missing).name("x"))
            .await
            .map(|_| ()),
        within(
            10,
            groups
                .add_customers(&missing)
                .customers([CustomerId::from("cst_x")]),
        )
        .await
        .map(|_| ()),
    ] {
        let err = err.expect_err("missing");
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    }

    let err = within(
        10,
        groups.create().name("").customers(Vec::<CustomerId>::new()),
    )
    .await
    .expect_err("no name");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("name")),
        "{err:?}"
    );
    let group = within(10, groups.list().collect_all())
        .await
        .expect("listed")[0]
        .clone();
    let err = within(
        10,
        groups
            .add_customers(&group.id)
            .customers(Vec::<CustomerId>::new()),
    )
    .await
    .expect_err("nobody to add");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("customers")),
        "{err:?}"
    );
    assert_eq!(
        requests_to(&server, Method::POST, "/v1/customer-groups"),
        1,
        "sent once: a 422 is final"
    );
}

/// The server creates the group and the answer is lost: not sent again, and the
/// error says how to check. Adding members is a once-only write too (issue 17): a
/// retry's answer would not be the first one's, so a lost answer is `MaybeApplied`,
/// and reading the customer back tells that it was done, once.
#[tokio::test]
async fn a_lost_create_or_add_is_not_repeated() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let groups = client.customer_groups();

    server.drop_next_write_responses(1);
    let err = within(
        10,
        groups
            .create()
            .name("Lost and found")
            .customers(Vec::<CustomerId>::new()),
    )
    .await
    .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("find_by_name"), "{err}");
    assert_eq!(
        requests_to(&server, Method::POST, "/v1/customer-groups"),
        1,
        "not sent twice"
    );
    let group = within(10, groups.find_by_name("Lost and found"))
        .await
        .expect("listed")
        .expect("it was created");

    let customer = customer_ids(&server, 1).remove(0);
    server.drop_next_write_responses(1);
    let err = within(
        10,
        groups
            .add_customers(&group.id)
            .customers([CustomerId::from(customer.as_str())]),
    )
    .await
    .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("customer_groups"), "{err}");
    let path = format!("/v1/customer-groups/{}/customers", group.id);
    assert_eq!(
        requests_to(&server, Method::POST, &path),
        1,
        "not sent twice"
    );
    let customer = within(
        10,
        client.customers().get(CustomerId::from(customer.as_str())),
    )
    .await
    .expect("found");
    assert_eq!(
        customer
            .customer_groups
            .iter()
            .filter(|g| g.as_str() == group.id.as_str())
            .count(),
        1
    );
}

#[tokio::test]
async fn groups_are_listed_page_by_page() {
    use futures::StreamExt;
    let server = mock(16, |b| b.per_page(2)).await;
    let client = client_for(&server).build().expect("a client");
    let pages: Vec<_> = within(
        10,
        client.customer_groups().list().pages().collect::<Vec<_>>(),
    )
    .await;
    let sizes: Vec<usize> = pages
        .into_iter()
        .map(|p| p.expect("a page").items().len())
        .collect();
    assert_eq!(sizes, [2, 2, 1]);
}
