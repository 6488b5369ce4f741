//! Files to upload: a local file read into a [`FilePart`].
//!
//! Several tags upload files (agreement documents, files, ticket attachments); their
//! builders read local files here, so that every upload names its part after the file
//! and gives it a media type the same way, and keeps the bytes in memory so that an
//! upload the server provably did not process can be sent again. The media type
//! comes from the extension through `mime_guess`, the table reqwest itself uses for
//! multipart parts (already built for the generated crate's multipart support, so it
//! costs no build time).

use std::path::Path;

use mijnklantportaal_api::FilePart;

use crate::error::Error;

/// The media type of a file, from its extension; `application/octet-stream` when
/// the extension is unknown or missing.
pub(crate) fn media_type(path: &Path) -> &'static str {
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

/// Reads a local file into a file part named after it, with the media type of its
/// extension, held in memory (so that an upload can be sent again).
pub(crate) async fn read(path: &Path) -> Result<FilePart, Error> {
    let (name, bytes) = read_named(path).await?;
    Ok(FilePart::bytes(name, bytes).media_type(media_type(path)))
}

/// [`read`] for a PDF (an invoice's or an offer's): a file that does not start like a
/// PDF (`%PDF-`) is refused here rather than by the server.
pub(crate) async fn read_pdf(path: &Path) -> Result<FilePart, Error> {
    let (name, bytes) = read_named(path).await?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(Error::File {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not a PDF (it does not start with %PDF-)",
            ),
        });
    }
    Ok(FilePart::bytes(name, bytes).media_type("application/pdf"))
}

/// The file's name and bytes.
async fn read_named(path: &Path) -> Result<(String, Vec<u8>), Error> {
    let bytes = tokio::fs::read(path).await.map_err(|source| Error::File {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    Ok((name, bytes))
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
            (
                "report.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("prices.csv", "text/csv"),
            ("photo.HEIC", "image/heic"),
            ("archive.tar.gz", "application/gzip"),
            ("unknown.zzz-not-a-type", "application/octet-stream"),
        ] {
            assert_eq!(media_type(Path::new(name)), media, "{name}");
        }
    }
}
