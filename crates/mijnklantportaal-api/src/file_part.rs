//! The file part of a `multipart/form-data` request.
//!
//! progenitor cannot generate multipart operations; the xtask generates them
//! (`xtask/src/multipart.rs`), and every file part of their request types is a
//! [`FilePart`]: the file's bytes or a stream, its file name and its media type. This
//! is the one hand-written piece those generated operations rely on.

use std::fmt;

use bytes::Bytes;

/// A file to upload as one part of a multipart request: bytes in memory or a stream,
/// with the file name and media type the part declares.
///
/// ```
/// use mijnklantportaal_api::FilePart;
///
/// let pdf = FilePart::bytes("2024-001.pdf", b"%PDF-1.4 ...".to_vec());
/// assert_eq!(pdf.file_name(), "2024-001.pdf");
/// assert_eq!(pdf.len(), Some(12));
/// assert!(pdf.try_clone().is_some(), "bytes can be sent again");
/// ```
pub struct FilePart {
    file_name: String,
    media_type: Option<String>,
    body: Body,
}

enum Body {
    Bytes(Bytes),
    Stream {
        body: reqwest::Body,
        length: Option<u64>,
    },
}

impl FilePart {
    /// A file held in memory. Such a part can be rebuilt for another attempt
    /// ([`FilePart::try_clone`]).
    pub fn bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        FilePart {
            file_name: file_name.into(),
            media_type: None,
            body: Body::Bytes(bytes.into()),
        }
    }

    /// A file read from a stream while the request is sent (e.g. a
    /// `tokio::fs::File` through `reqwest::Body::wrap_stream`), with its length when
    /// known. A stream is consumed by one attempt: [`FilePart::try_clone`] gives `None`.
    pub fn stream(
        file_name: impl Into<String>,
        body: impl Into<reqwest::Body>,
        length: Option<u64>,
    ) -> Self {
        FilePart {
            file_name: file_name.into(),
            media_type: None,
            body: Body::Stream {
                body: body.into(),
                length,
            },
        }
    }

    /// The part's media type (`application/pdf`); without it, the part gets the media
    /// type the spec gives it in the operation's `encoding`, or
    /// `application/octet-stream`.
    pub fn media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = Some(media_type.into());
        self
    }

    /// The file name sent in the part's `Content-Disposition`.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The length in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.body {
            Body::Bytes(bytes) => u64::try_from(bytes.len()).ok(),
            Body::Stream { length, .. } => *length,
        }
    }

    /// Whether the part is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// A copy for another attempt, when the part is held in memory; `None` for a stream.
    pub fn try_clone(&self) -> Option<Self> {
        match &self.body {
            Body::Bytes(bytes) => Some(FilePart {
                file_name: self.file_name.clone(),
                media_type: self.media_type.clone(),
                body: Body::Bytes(bytes.clone()),
            }),
            Body::Stream { .. } => None,
        }
    }

    /// The reqwest part, for generated code: the media type set on this value, else
    /// `default_media_type` (from the spec), else `application/octet-stream`. An
    /// unparsable media type is an error message.
    #[doc(hidden)]
    pub fn into_part(
        self,
        default_media_type: Option<&str>,
    ) -> Result<reqwest::multipart::Part, String> {
        let media_type = self
            .media_type
            .as_deref()
            .or(default_media_type)
            .unwrap_or("application/octet-stream")
            .to_string();
        let part = match self.body {
            Body::Bytes(bytes) => {
                let length = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                reqwest::multipart::Part::stream_with_length(reqwest::Body::from(bytes), length)
            }
            Body::Stream {
                body,
                length: Some(length),
            } => reqwest::multipart::Part::stream_with_length(body, length),
            Body::Stream { body, length: None } => reqwest::multipart::Part::stream(body),
        };
        part.file_name(self.file_name)
            .mime_str(&media_type)
            .map_err(|_| format!("`{media_type}` is not a media type"))
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.body {
            Body::Bytes(bytes) => format!("{} bytes", bytes.len()),
            Body::Stream {
                length: Some(n), ..
            } => format!("stream of {n} bytes"),
            Body::Stream { length: None, .. } => "stream".to_string(),
        };
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("media_type", &self.media_type)
            .field("body", &body)
            .finish()
    }
}
