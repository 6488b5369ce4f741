//! File Share API: files and directories shared with a customer or through a public
//! link.
//!
//! A share holds what it shares as File-or-Directory objects (the description's
//! `sharedContent`; the vendor's examples show only placeholders), as they were when
//! the share was made, and sets their `fileShareId`. A share without a customer has a
//! public link (`links.publicShare`, a page on this server's origin); one with a
//! customer links the customer too. The table starts with one share per seeded file
//! of the first few, alternately with a customer and public.

use axum::body::Body;
use chrono::{DateTime, FixedOffset};
use futures::future::BoxFuture;
use http::StatusCode;
use serde::Serialize;

use crate::dutch_time;
use crate::handler::{Call, Config, Reply, server_error};
use crate::ids::IdCodec;
use crate::input;
use crate::resources::files::{self, Item, MockFile};
use crate::resources::{Link, seeded_time};
use crate::store::{Base, Record, Seeded};

/// How many shares the table starts with (each shares the seeded file of its index).
pub(crate) const SEEDED: u64 = 6;

// Random streams of file shares.
const IDS: u64 = 0xF5A_0001;
const CREATED: u64 = 0xF5A_0002;

fn ids(seed: u64) -> IdCodec {
    IdCodec::new("fss_", seed, IDS)
}

/// The seeded share that seeded file `index` is in, if any.
pub(crate) fn seeded_share_of_file(seed: u64, index: u64) -> Option<String> {
    (index < SEEDED).then(|| ids(seed).encode(index))
}

/// One file share, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockFileShare {
    pub(crate) id: String,
    #[serde(rename = "sharedWithCustomerId")]
    pub(crate) customer_id: Option<String>,
    /// What is shared.
    #[serde(rename = "sharedContent")]
    pub(crate) content: Vec<Item>,
    #[serde(serialize_with = "dutch_time::atom_json")]
    pub(crate) created_at: DateTime<FixedOffset>,
    pub(crate) links: ShareLinks,
}

/// The customer it is shared with (if any), and the public page of the share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShareLinks {
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<Link>,
    public_share: Link,
}

impl ShareLinks {
    fn new(id: &str, customer_id: Option<&str>) -> Self {
        ShareLinks {
            customer: customer_id.map(Link::customer),
            public_share: Link::page(format!("/file-share/{id}")),
        }
    }
}

impl Record for MockFileShare {
    const MODEL: &'static str = r"App\Models\FileShare";

    fn id(&self) -> &str {
        &self.id
    }

    fn base(config: &Config) -> Box<dyn Base<Self>> {
        let seed = config.dataset.seed();
        let dataset = config.dataset;
        let seeded_files = MockFile::base(config);
        Box::new(Seeded::new(ids(seed), SEEDED, |index, id| {
            let file = seeded_files.row(index)?;
            let customer_id =
                (index % 2 == 0 && index < dataset.customers()).then(|| dataset.customer_id(index));
            Some(MockFileShare {
                links: ShareLinks::new(&id, customer_id.as_deref()),
                id,
                customer_id,
                content: vec![file.0],
                created_at: seeded_time(seed, CREATED, index)?,
            })
        }))
    }
}

/// `POST /v1/file-shares` (JSON `{content, customerId?}`); 201 with the share.
pub(crate) fn create<'a>(call: &'a Call<'a>, body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move {
        let input = call.json(body).await?;
        let content = input::texts(&input, "content")
            .iter()
            .map(|id| files::item(call, id))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(server_error)?;
        let customer_id = input::text(&input, "customerId");
        let share = call.insert(|slot| {
            Some(MockFileShare {
                content: content
                    .into_iter()
                    .map(|mut item| {
                        item.file_share_id = Some(slot.id.clone());
                        item
                    })
                    .collect(),
                links: ShareLinks::new(&slot.id, customer_id.as_deref()),
                id: slot.id,
                customer_id,
                created_at: slot.created_at,
            })
        })?;
        for item in &share.content {
            files::mark_shared(call, &item.id, &share.id);
        }
        call.written(StatusCode::CREATED, &share)
    })
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
            links: ShareLinks::new("fss_1", Some("cst_1")),
        };
        let text = crate::resources::listed_text(&share);
        assert_eq!(
            text,
            r#"{"id":"fss_1","sharedWithCustomerId":"cst_1","sharedContent":[{"id":"fsf_1","type":"file","name":"a.pdf","size":3,"mime":"application/pdf","fileShareId":"fss_1","createdAt":"2024-04-29T21:00:00+02:00"}],"createdAt":"2024-04-29T21:00:00+02:00","links":{"customer":{"href":"http://h/v1/customers/cst_1","type":"application/json"},"publicShare":{"href":"http://h/file-share/fss_1","type":"text/html"}}}"#
        );
        share.customer_id = None;
        share.links = ShareLinks::new("fss_1", None);
        let json = crate::resources::listed_value(&share);
        assert!(json["links"].get("customer").is_none());
        assert_eq!(json["sharedWithCustomerId"], serde_json::Value::Null);
    }
}
