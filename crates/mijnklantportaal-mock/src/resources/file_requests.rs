//! File Request API: asking a customer, or anyone with the public link, for up to 10
//! files. A request is complete when every required file has an `uploadedFileId`;
//! uploads happen on the portal's page, which the API does not reach.

use super::Links;
use super::files::{MockDirectory, MockFile};
use super::prelude::*;

/// The seeded requests, `name: the files they ask for` (`?`: not required).
const SEEDED: &str = "Contract renewal: Logo, Signed contract|Annual accounts 2024: Balance sheet|\
    Website content: Texts, Photos?, Logo?|Identity check: Passport or ID card|\
    Insurance papers: Policy, Claim form?|Event photos: Photos?|\
    Payroll documents: Payslips, Timesheets";

// Random streams of file requests.
const IDS: u64 = 0xF4E_0001;
const FILE_IDS: u64 = 0xF4E_0002;
const CREATED: u64 = 0xF4E_0003;

/// One file asked for, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RequestedFile {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) required: bool,
    pub(crate) max_file_size: Option<u64>,
    pub(crate) uploaded_file_id: Option<String>,
}

/// One file request, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockFileRequest {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) directory_id: Option<String>,
    pub(crate) customer_id: Option<String>,
    pub(crate) requested_files: Vec<RequestedFile>,
    pub(crate) completed_at: Option<DateTime<FixedOffset>>,
    pub(crate) created_at: DateTime<FixedOffset>,
    pub(crate) links: Links,
}

/// The customer asked (if any), and the public page to upload on.
fn links(id: &str, customer_id: Option<&str>) -> Links {
    let page = ("publicRequest", format!("/file-request/{id}"));
    Links::new(customer_id, Some(page))
}

/// The id of requested file `index` of request `key` (16 a request; `maxItems` is 10).
fn requested_file_id(seed: u64, key: u64, index: usize) -> String {
    let number = key.saturating_mul(16).saturating_add(index as u64);
    IdCodec::new("fqf_", seed, FILE_IDS).encode(number)
}

record!(MockFileRequest, "FileRequest", |config| {
    let (dataset, seed) = (config.dataset, config.dataset.seed());
    let seeded_files = MockFile::base(config);
    let directories = MockDirectory::base(config);
    let count = SEEDED.split('|').count() as u64;
    Seeded::new(IdCodec::new("frq_", seed, IDS), count, |index, id| {
        let (name, wanted) = SEEDED.split('|').nth(index as usize)?.split_once(": ")?;
        let complete = index % 3 == 0;
        let created_at = seeded_time(seed, CREATED, index)?;
        let requested_files = (0..)
            .zip(wanted.split(", "))
            .map(|(j, file)| RequestedFile {
                id: requested_file_id(seed, index, j),
                name: file.trim_end_matches('?').to_owned(),
                description: None,
                required: !file.ends_with('?'),
                max_file_size: Some(10_240),
                uploaded_file_id: complete
                    .then(|| seeded_files.id((index + j as u64) % seeded_files.len())),
            })
            .collect();
        let customer_id =
            (index % 3 != 2 && index < dataset.customers()).then(|| dataset.customer_id(index));
        Some(MockFileRequest {
            links: links(&id, customer_id.as_deref()),
            id,
            name: name.to_owned(),
            description: (index % 2 == 0)
                .then(|| format!("We need these files for: {}", name.to_lowercase())),
            directory_id: (index % 2 == 1).then(|| directories.id(index % directories.len())),
            customer_id,
            requested_files,
            completed_at: complete.then(|| created_at + chrono::Duration::days(3)),
            created_at,
        })
    })
});

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    call.create(body, |input, slot| new_request(input, slot, call.seed()))
        .await
}

/// The open request a valid create asks for (files `required` by default).
fn new_request(input: &Input, slot: Slot, seed: u64) -> Option<MockFileRequest> {
    let requested_files = (0..)
        .zip(input::objects(input, "requestedFiles"))
        .map(|(j, file)| {
            Some(RequestedFile {
                id: requested_file_id(seed, slot.key, j),
                name: input::text(file, "name")?,
                description: input::text(file, "description"),
                required: input::boolean(file, "required").unwrap_or(true),
                max_file_size: input::integer(file, "maxFileSize").and_then(|n| n.try_into().ok()),
                uploaded_file_id: None,
            })
        })
        .collect::<Option<_>>()?;
    let customer_id = input::text(input, "customerId");
    Some(MockFileRequest {
        links: links(&slot.id, customer_id.as_deref()),
        id: slot.id,
        name: input::text(input, "name")?,
        description: input::text(input, "description"),
        directory_id: input::text(input, "directoryId"),
        customer_id,
        requested_files,
        completed_at: None,
        created_at: slot.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_errors;
    use crate::validation::{Errors, input};
    use serde_json::json;

    fn validate(body: serde_json::Value) -> Result<MockFileRequest, Errors> {
        let errors = json_errors("create-file-request", body.clone());
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(new_request(&input(body), Slot::example(), 1).unwrap())
    }

    #[test]
    fn the_documented_request_is_valid_and_required_defaults_to_true() {
        let new = validate(json!({
            "name": "Contract renewal",
            "requestedFiles": [
                {"name": "Logo", "description": "The logo", "required": false, "maxFileSize": 10240},
                {"name": "Contract"}
            ],
            "description": "We need these files", "customerId": "cst_1", "directoryId": "fsd_1"
        }))
        .unwrap();
        let files = &new.requested_files;
        assert_eq!(files.len(), 2);
        assert_eq!(
            (files[0].required, files[0].max_file_size),
            (false, Some(10240))
        );
        assert!(files[1].required);
        assert_eq!(new.directory_id.as_deref(), Some("fsd_1"));
    }

    #[test]
    fn refusals_name_the_nested_fields_like_laravel() {
        let errors = validate(json!({
            "requestedFiles": [{"maxFileSize": 0}], "customerId": "cst_nope", "directoryId": "fsd_nope"
        }))
        .unwrap_err();
        assert_eq!(
            errors.fields(),
            [
                "name",
                "requestedFiles.0.name",
                "requestedFiles.0.maxFileSize",
                "customerId",
                "directoryId"
            ]
        );
        assert_eq!(
            errors.message(),
            "The name field is required. (and 4 more errors)"
        );
        let eleven: Vec<_> = (0..11).map(|i| json!({"name": format!("f{i}")})).collect();
        let errors = validate(json!({"name": "x", "requestedFiles": eleven})).unwrap_err();
        assert_eq!(
            errors.message(),
            "The requested files field must not have more than 10 items."
        );
        let errors = validate(json!({"name": "x"})).unwrap_err();
        assert_eq!(errors.message(), "The requested files field is required.");
    }

    #[test]
    fn json_has_the_vendor_fields_in_order() {
        let at = dutch_time::at(1_714_417_200).unwrap();
        let request = MockFileRequest {
            id: "frq_1".to_owned(),
            name: "Contract renewal".to_owned(),
            description: None,
            directory_id: None,
            customer_id: None,
            requested_files: vec![RequestedFile {
                id: "fqf_1".to_owned(),
                name: "Logo".to_owned(),
                description: None,
                required: true,
                max_file_size: None,
                uploaded_file_id: None,
            }],
            completed_at: None,
            created_at: at,
            links: links("frq_1", None),
        };
        assert_eq!(
            crate::resources::listed_text(&request),
            r#"{"id":"frq_1","name":"Contract renewal","description":null,"directoryId":null,"customerId":null,"requestedFiles":[{"id":"fqf_1","name":"Logo","description":null,"required":true,"maxFileSize":null,"uploadedFileId":null}],"completedAt":null,"createdAt":"2024-04-29T21:00:00+02:00","links":{"publicRequest":{"href":"http://h/file-request/frq_1","type":"text/html"}}}"#
        );
    }
}
