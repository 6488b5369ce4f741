//! File Share API: files and directories shared with a customer or through a public
//! link. A share holds what it shares (`sharedContent`) as it was when shared, and
//! sets its `fileShareId`.

use super::Links;
use super::files::{self, Item, MockFile};
use super::prelude::*;

const SEEDED: u64 = 6;

// Random streams of file shares.
const IDS: u64 = 0xF5A_0001;
const CREATED: u64 = 0xF5A_0002;

/// The seeded share that seeded file `index` is in, if any.
pub(crate) fn seeded_share_of_file(seed: u64, index: u64) -> Option<String> {
    (index < SEEDED).then(|| IdCodec::new("fss_", seed, IDS).encode(index))
}

/// One file share, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockFileShare {
    pub(crate) id: String,
    #[serde(rename = "sharedWithCustomerId")]
    pub(crate) customer_id: Option<String>,
    #[serde(rename = "sharedContent")]
    pub(crate) content: Vec<Item>,
    pub(crate) created_at: DateTime<FixedOffset>,
    pub(crate) links: Links,
}

/// The customer it is shared with (if any), and the public page of the share.
fn links(id: &str, customer_id: Option<&str>) -> Links {
    let page = ("publicShare", format!("/file-share/{id}"));
    Links::new(customer_id, Some(page))
}

record!(MockFileShare, "FileShare", |config| {
    let (dataset, seed) = (config.dataset, config.dataset.seed());
    let seeded_files = MockFile::base(config);
    Seeded::new(IdCodec::new("fss_", seed, IDS), SEEDED, move |index, id| {
        let customer_id =
            (index % 2 == 0 && index < dataset.customers()).then(|| dataset.customer_id(index));
        Some(MockFileShare {
            links: links(&id, customer_id.as_deref()),
            id,
            customer_id,
            content: vec![seeded_files.row(index)?.0],
            created_at: seeded_time(seed, CREATED, index)?,
        })
    })
});

/// `POST /v1/file-shares` (JSON `{content, customerId?}`); 201 with the share.
pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    let input = call.json(body).await?;
    let mut content = input::texts(&input, "content")
        .iter()
        .map(|id| files::item(call, id))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(server_error)?;
    let customer_id = input::text(&input, "customerId");
    let share = call.insert(|slot| {
        for item in &mut content {
            item.file_share_id = Some(slot.id.clone());
        }
        Some(MockFileShare {
            content,
            links: links(&slot.id, customer_id.as_deref()),
            id: slot.id,
            customer_id,
            created_at: slot.created_at,
        })
    })?;
    for item in &share.content {
        files::mark_shared(call, &item.id, &share.id);
    }
    call.written(StatusCode::CREATED, &share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::files::Kind;

    #[test]
    fn json_has_the_vendor_fields_in_order_and_public_shares_no_customer_link() {
        let at = dutch_time::at(1_714_417_200).unwrap();
        let item = Item {
            id: "fsf_1".to_owned(),
            kind: Kind::File,
            name: "a.pdf".to_owned(),
            size: Some(3),
            mime: Some("application/pdf".to_owned()),
            file_share_id: Some("fss_1".to_owned()),
            parent_id: None,
            created_at: at,
        };
        let mut share = MockFileShare {
            id: "fss_1".to_owned(),
            customer_id: Some("cst_1".to_owned()),
            content: vec![item],
            created_at: at,
            links: links("fss_1", Some("cst_1")),
        };
        let text = crate::resources::listed_text(&share);
        assert_eq!(
            text,
            r#"{"id":"fss_1","sharedWithCustomerId":"cst_1","sharedContent":[{"id":"fsf_1","type":"file","name":"a.pdf","size":3,"mime":"application/pdf","fileShareId":"fss_1","createdAt":"2024-04-29T21:00:00+02:00"}],"createdAt":"2024-04-29T21:00:00+02:00","links":{"customer":{"href":"http://h/v1/customers/cst_1","type":"application/json"},"publicShare":{"href":"http://h/file-share/fss_1","type":"text/html"}}}"#
        );
        share.customer_id = None;
        share.links = links("fss_1", None);
        let json = crate::resources::listed_value(&share);
        assert!(json["links"].get("customer").is_none());
        assert_eq!(json["sharedWithCustomerId"], serde_json::Value::Null);
    }
}
