//! Files API: `POST /v1/files` makes a file (multipart, part `file`) or a directory
//! (JSON `name`: assumed, the vendor's was not seen), in the directory of the query
//! parameter `directory`. Files and directories are two tables (two id prefixes).

use super::file_shares;
use super::prelude::*;

/// The seeded directories: name and the index of the parent directory.
const DIRECTORIES: [(&str, Option<u64>); 3] =
    [("Contracts", None), ("2025", Some(0)), ("Logos", None)];

/// The seeded files, `[index of their directory/]name media-type`.
const FILES: &str = "1/contract_v2.pdf application/pdf|2/logo.png image/png|\
    terms-and-conditions.pdf application/pdf|price-list.csv text/csv|\
    1/offer_2025-014.pdf application/pdf|2/logo-dark.png image/png|0/meeting-notes.txt text/plain";

const OCTET_STREAM: &str = "application/octet-stream";

// Random streams of the file storage.
const FILE_IDS: u64 = 0xF15_0001;
const DIRECTORY_IDS: u64 = 0xF15_0002;
const SIZES: u64 = 0xF15_0003;
const FILE_CREATED: u64 = 0xF15_0004;
const DIRECTORY_CREATED: u64 = 0xF15_0005;

/// A file or a directory, as the vendor's File-or-Directory (its example's order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Item {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: Kind,
    pub(crate) name: String,
    pub(crate) size: Option<u64>,
    pub(crate) mime: Option<String>,
    pub(crate) file_share_id: Option<String>,
    /// The directory it is in; `None`: the top.
    #[serde(skip)]
    pub(crate) parent_id: Option<String>,
    pub(crate) created_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    File,
    Directory,
}

impl Item {
    /// A file (`file`: its size and media type) or a directory, in no share.
    fn new(
        id: String,
        name: &str,
        file: Option<(u64, String)>,
        parent_id: Option<String>,
        created_at: DateTime<FixedOffset>,
    ) -> Self {
        let kind = file.as_ref().map_or(Kind::Directory, |_| Kind::File);
        let (size, mime) = file.unzip();
        Item {
            id,
            kind,
            name: name.to_owned(),
            size,
            mime,
            file_share_id: None,
            parent_id,
            created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MockFile(pub(crate) Item);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MockDirectory(pub(crate) Item);

record!(MockFile, "File", id = 0.id, |config| {
    let seed = config.dataset.seed();
    let ids = IdCodec::new("fsf_", seed, FILE_IDS);
    let directories = IdCodec::new("fsd_", seed, DIRECTORY_IDS);
    Seeded::new(ids, FILES.split('|').count() as u64, move |index, id| {
        let (path, mime) = FILES.split('|').nth(index as usize)?.split_once(' ')?;
        let (directory, name) = path.split_once('/').unwrap_or(("", path));
        let file = Some((200 + draw(seed, SIZES, index) % 900_000, mime.to_owned()));
        let parent = directory.parse().ok().map(|d| directories.encode(d));
        let created_at = seeded_time(seed, FILE_CREATED, index)?;
        let mut item = Item::new(id, name, file, parent, created_at);
        item.file_share_id = file_shares::seeded_share_of_file(seed, index);
        Some(MockFile(item))
    })
});

record!(MockDirectory, "Directory", id = 0.id, |config| {
    let seed = config.dataset.seed();
    let ids = IdCodec::new("fsd_", seed, DIRECTORY_IDS);
    Seeded::new(ids, DIRECTORIES.len() as u64, move |index, id| {
        let (name, parent) = *DIRECTORIES.get(usize::try_from(index).ok()?)?;
        let created_at = seeded_time(seed, DIRECTORY_CREATED, index)?;
        let parent = parent.map(|p| ids.encode(p));
        Some(MockDirectory(Item::new(id, name, None, parent, created_at)))
    })
});

pub(crate) fn item(call: &Call<'_>, id: &str) -> Option<Item> {
    let file = call.with(|t: &mut Table<MockFile>| t.find(id)).map(|f| f.0);
    let directory = || call.with(|t: &mut Table<MockDirectory>| t.find(id));
    file.or_else(|| directory().map(|d| d.0))
}

pub(crate) fn mark_shared(call: &Call<'_>, id: &str, share_id: &str) {
    let share = || Some(share_id.to_owned());
    let file = call.with(|t: &mut Table<MockFile>| t.edit(id, |f| f.0.file_share_id = share()));
    if file.is_none() {
        call.with(|t: &mut Table<MockDirectory>| t.edit(id, |d| d.0.file_share_id = share()));
    }
}

pub(crate) fn directory_exists(call: &Call<'_>, id: &str) -> bool {
    call.with(|t: &mut Table<MockDirectory>| t.contains(id))
}

/// `POST /v1/files`: a file (multipart) or a directory (JSON).
pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    let parent = requests::query(call.parts, "directory").filter(|d| !d.is_empty());
    // After the body's own 422.
    let unknown = "The selected directory is invalid.";
    let check_parent = || match parent.as_deref().is_none_or(|p| directory_exists(call, p)) {
        true => Ok(()),
        false => Err(invalid(call, "directory", unknown)),
    };
    let (name, file, bytes) = if requests::is_multipart(&call.parts.headers) {
        let form = call.form(body).await?;
        check_parent()?;
        let (name, mime, bytes) = file_part(&form, "file").ok_or_else(server_error)?;
        (name, Some((bytes.len() as u64, mime)), Some(bytes))
    } else {
        let input = call.json(body).await?;
        check_parent()?;
        let name = input::text(&input, "name").ok_or_else(server_error)?;
        (name, None, None)
    };
    let item = |s: Slot| Item::new(s.id, &name, file, parent, s.created_at);
    let Some(bytes) = bytes else {
        let directory = call.insert(|slot| Some(MockDirectory(item(slot))))?;
        return call.written(StatusCode::CREATED, &directory);
    };
    let file = call.insert(|slot| Some(MockFile(item(slot))))?;
    lock(&call.shared().files).store(&file.0.id, bytes);
    call.written(StatusCode::CREATED, &file)
}

/// The file part `field` of a valid form: its file name, media type and bytes.
pub(crate) fn file_part(form: &Form, field: &str) -> Option<(String, String, Bytes)> {
    let (_, part) = form.files.iter().find(|(n, _)| n == field)?;
    let mime = part.content_type.as_deref().unwrap_or(OCTET_STREAM);
    Some((part.file_name.clone(), mime.to_owned(), part.bytes.clone()?))
}

/// `GET /v1/files/{fileOrDirId}`.
pub(crate) async fn show(call: &Call<'_>, _body: Body) -> Reply {
    let id = call.param(0);
    let item = item(call, id).ok_or_else(|| call.model_not_found(MockFile::MODEL, id))?;
    call.ok_json(serde_json::to_vec(&item))
}

pub(crate) async fn download_link(call: &Call<'_>, _body: Body) -> Reply {
    cloud_file(call, &call.find::<MockFile>(0)?.0.id)
}

/// What a download link to file `id` serves: the upload, or generated content.
pub(crate) fn downloadable(shared: &Shared, id: &str) -> Option<Download> {
    let file = shared.with(|t: &mut Table<MockFile>| t.find(id))?.0;
    let media_type = file.mime.unwrap_or_else(|| OCTET_STREAM.to_owned());
    let bytes = lock(&shared.files)
        .uploaded(id)
        .unwrap_or_else(|| match &*media_type {
            "application/pdf" => Bytes::from(text_pdf(&format!("{} ({})", file.name, file.id))),
            _ => Bytes::from(format!("{}\n", file.name)),
        });
    Some(Download {
        bytes,
        media_type,
        file_name: file.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_the_vendor_fields_in_order() {
        let item = Item {
            id: "fsf_abc12345678".to_owned(),
            kind: Kind::File,
            name: "contract_v2.pdf".to_owned(),
            size: Some(1284),
            mime: Some("application/pdf".to_owned()),
            file_share_id: Some("fss_abc12345678".to_owned()),
            parent_id: None,
            created_at: dutch_time::at(1_714_417_200).unwrap(),
        };
        assert_eq!(
            serde_json::to_string(&MockFile(item.clone())).unwrap(),
            r#"{"id":"fsf_abc12345678","type":"file","name":"contract_v2.pdf","size":1284,"mime":"application/pdf","fileShareId":"fss_abc12345678","createdAt":"2024-04-29T21:00:00+02:00"}"#
        );
        let directory = Item {
            kind: Kind::Directory,
            size: None,
            mime: None,
            file_share_id: None,
            ..item
        };
        assert_eq!(
            serde_json::to_value(MockDirectory(directory)).unwrap()["type"],
            "directory"
        );
    }
}
