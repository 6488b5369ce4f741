//! File Request API: asking a customer, or anyone with a public link, for files.
//!
//! A request names up to 10 files to upload (`requestedFiles`), each with an id of
//! its own (`fqf_`); a file counts as delivered when it has an `uploadedFileId`, and
//! the request is complete (`completedAt`) when every required one is. Uploads happen
//! on the portal's public page, which the API does not reach: a created request stays
//! open. The seeded requests are in every state (open and complete, to a customer and
//! public, with and without a target directory). A request without a customer is
//! answered through its public link (`links.publicRequest`, a page on this server's
//! origin); `requested file` entries sent without `required` are required.

use axum::body::Body;
use chrono::{DateTime, FixedOffset};
use futures::future::BoxFuture;
use http::StatusCode;
use serde::Serialize;

use crate::dutch_time;
use crate::handler::{Call, Config, Reply, server_error};
use crate::ids::IdCodec;
use crate::input;
use crate::paginator::Listed;
use crate::resources::files::{MockDirectory, MockFile};
use crate::resources::{LinkJson, seeded_time};
use crate::store::{Base, Record, Seeded};
use crate::validation::Input;

/// The seeded requests: name, and the files they ask for (name, required).
const SEEDED: [(&str, &[(&str, bool)]); 7] = [
    (
        "Contract renewal",
        &[("Logo", true), ("Signed contract", true)],
    ),
    ("Annual accounts 2024", &[("Balance sheet", true)]),
    (
        "Website content",
        &[("Texts", true), ("Photos", false), ("Logo", false)],
    ),
    ("Identity check", &[("Passport or ID card", true)]),
    (
        "Insurance papers",
        &[("Policy", true), ("Claim form", false)],
    ),
    ("Event photos", &[("Photos", false)]),
    (
        "Payroll documents",
        &[("Payslips", true), ("Timesheets", true)],
    ),
];

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

/// One file request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MockFileRequest {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) directory_id: Option<String>,
    pub(crate) customer_id: Option<String>,
    pub(crate) requested_files: Vec<RequestedFile>,
    pub(crate) completed_at: Option<DateTime<FixedOffset>>,
    pub(crate) created_at: DateTime<FixedOffset>,
}

/// A file request as JSON, in the vendor example's field order: a twin of the
/// record, because its `links` are absolute URLs under the request's origin, which a
/// stored row does not know.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileRequestJson<'a> {
    id: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    directory_id: Option<&'a str>,
    customer_id: Option<&'a str>,
    requested_files: &'a [RequestedFile],
    completed_at: Option<String>,
    created_at: String,
    links: RequestLinks,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestLinks {
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<LinkJson>,
    public_request: LinkJson,
}

impl Listed for MockFileRequest {
    type Json<'a> = FileRequestJson<'a>;

    fn listed<'a>(&'a self, origin: &'a str) -> FileRequestJson<'a> {
        FileRequestJson {
            id: &self.id,
            name: &self.name,
            description: self.description.as_deref(),
            directory_id: self.directory_id.as_deref(),
            customer_id: self.customer_id.as_deref(),
            requested_files: &self.requested_files,
            completed_at: self.completed_at.as_ref().map(dutch_time::atom),
            created_at: dutch_time::atom(&self.created_at),
            links: RequestLinks {
                customer: self
                    .customer_id
                    .as_ref()
                    .map(|id| LinkJson::customer(origin, id)),
                public_request: LinkJson::page(origin, &format!("/file-request/{}", self.id)),
            },
        }
    }
}

fn file_ids(seed: u64) -> IdCodec {
    IdCodec::new("fqf_", seed, FILE_IDS)
}

/// The id of requested file `index` of request `key` (at most 16 per request, which
/// leaves room above the spec's `maxItems` of 10).
fn requested_file_id(seed: u64, key: u64, index: usize) -> String {
    file_ids(seed).encode(key.saturating_mul(16).saturating_add(index as u64))
}

impl Record for MockFileRequest {
    const MODEL: &'static str = r"App\Models\FileRequest";

    fn id(&self) -> &str {
        &self.id
    }

    /// [`SEEDED`]: every third one complete (its files uploaded: seeded files), two
    /// of three to a customer, every other one into a seeded directory.
    fn base(config: &Config) -> Box<dyn Base<Self>> {
        let seed = config.dataset.seed();
        let dataset = config.dataset;
        let seeded_files = MockFile::base(config);
        let directories = MockDirectory::base(config);
        Box::new(Seeded::new(
            IdCodec::new("frq_", seed, IDS),
            SEEDED.len() as u64,
            |index, id| {
                let (name, wanted) = *SEEDED.get(usize::try_from(index).ok()?)?;
                let complete = index % 3 == 0;
                let created_at = seeded_time(seed, CREATED, index)?;
                let requested_files = wanted
                    .iter()
                    .enumerate()
                    .map(|(j, (file, required))| RequestedFile {
                        id: requested_file_id(seed, index, j),
                        name: (*file).to_owned(),
                        description: None,
                        required: *required,
                        max_file_size: Some(10_240),
                        uploaded_file_id: complete
                            .then(|| seeded_files.id((index + j as u64) % seeded_files.len())),
                    })
                    .collect();
                Some(MockFileRequest {
                    id,
                    name: name.to_owned(),
                    description: (index % 2 == 0)
                        .then(|| format!("We need these files for: {}", name.to_lowercase())),
                    directory_id: (index % 2 == 1)
                        .then(|| directories.id(index % directories.len())),
                    customer_id: (index % 3 != 2 && index < dataset.customers())
                        .then(|| dataset.customer_id(index)),
                    requested_files,
                    completed_at: complete.then(|| created_at + chrono::Duration::days(3)),
                    created_at,
                })
            },
        ))
    }
}

/// `POST /v1/file-requests` (JSON); 201 with the open request.
pub(crate) fn create<'a>(call: &'a Call<'a>, body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move {
        let input = call.json(body).await?;
        let new = new_request(&input).ok_or_else(server_error)?;
        let seed = call.seed();
        let request = call.insert(|slot| MockFileRequest {
            requested_files: new
                .files
                .into_iter()
                .enumerate()
                .map(|(j, f)| RequestedFile {
                    id: requested_file_id(seed, slot.key, j),
                    ..f
                })
                .collect(),
            id: slot.id,
            name: new.name,
            description: new.description,
            directory_id: new.directory_id,
            customer_id: new.customer_id,
            completed_at: None,
            created_at: slot.created_at,
        })?;
        call.written(StatusCode::CREATED, &request)
    })
}

/// What a create request gives a new file request.
#[derive(Debug, PartialEq, Eq)]
struct NewRequest {
    name: String,
    files: Vec<RequestedFile>,
    description: Option<String>,
    customer_id: Option<String>,
    directory_id: Option<String>,
}

/// What `POST /v1/file-requests` (valid JSON) asks for; a requested file is
/// `required` unless it says otherwise.
fn new_request(input: &Input) -> Option<NewRequest> {
    let files = input::objects(input, "requestedFiles")
        .into_iter()
        .map(|file| {
            Some(RequestedFile {
                id: String::new(),
                name: input::text(file, "name")?,
                description: input::text(file, "description"),
                required: input::boolean(file, "required").unwrap_or(true),
                max_file_size: input::integer(file, "maxFileSize")
                    .and_then(|size| u64::try_from(size).ok()),
                uploaded_file_id: None,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(NewRequest {
        name: input::text(input, "name")?,
        files,
        description: input::text(input, "description"),
        customer_id: input::text(input, "customerId"),
        directory_id: input::text(input, "directoryId"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_errors;
    use crate::validation::{Errors, input};
    use serde_json::json;

    fn validate(body: serde_json::Value) -> Result<NewRequest, Errors> {
        let errors = json_errors("create-file-request", body.clone());
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(new_request(&input(body)).unwrap())
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
        assert_eq!(new.files.len(), 2);
        assert_eq!(
            (new.files[0].required, new.files[0].max_file_size),
            (false, Some(10240))
        );
        assert!(new.files[1].required);
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
        };
        assert_eq!(
            serde_json::to_string(&request.listed("http://h")).unwrap(),
            r#"{"id":"frq_1","name":"Contract renewal","description":null,"directoryId":null,"customerId":null,"requestedFiles":[{"id":"fqf_1","name":"Logo","description":null,"required":true,"maxFileSize":null,"uploadedFileId":null}],"completedAt":null,"createdAt":"2024-04-29T21:00:00+02:00","links":{"publicRequest":{"href":"http://h/file-request/frq_1","type":"text/html"}}}"#
        );
    }
}
