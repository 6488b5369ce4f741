//! Files to upload: a local file read into a [`FilePart`].
//!
//! Several tags upload files (agreement documents, files, ticket attachments); their
//! builders read local files here, so that every upload names its part after the file
//! and gives it a media type the same way, and keeps the bytes in memory so that an
//! upload the server provably did not process can be sent again.

use std::path::Path;

use mijnklantportaal_api::FilePart;

use crate::error::Error;

/// Media types by file extension (lower case), for the files a portal usually holds;
/// anything else is `application/octet-stream`.
const MEDIA_TYPES: [(&str, &str); 12] = [
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("zip", "application/zip"),
];

/// The media type of a file, from its extension.
pub(crate) fn media_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    MEDIA_TYPES
        .iter()
        .find(|(ext, _)| *ext == extension)
        .map_or("application/octet-stream", |(_, media)| media)
}

/// Reads a local file into a file part named after it, with the media type of its
/// extension, held in memory (so that an upload can be sent again).
pub(crate) async fn read(path: &Path) -> Result<FilePart, Error> {
    let bytes = tokio::fs::read(path).await.map_err(|source| Error::File {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    Ok(FilePart::bytes(name, bytes).media_type(media_type(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_come_from_the_extension() {
        for (name, media) in [
            ("contract.PDF", "application/pdf"),
            ("screenshot.png", "image/png"),
            ("notes", "application/octet-stream"),
            ("archive.tar.gz", "application/octet-stream"),
        ] {
            assert_eq!(media_type(Path::new(name)), media, "{name}");
        }
    }
}
