//! The write endpoints' request bodies, read into validation input.
//!
//! Every resource module validates its operations' input with Laravel's rules (see
//! [`validation`](crate::validation)); this module reads the bodies they validate.
//! Bodies are read tolerantly, like PHP reads them: a JSON body that is not a JSON
//! object, or a multipart body that breaks off, leaves the input empty or partial,
//! and validation then names what is missing. Multipart part names in PHP's bracket
//! form (`signers[0][firstName]`, `documents[]`) are read as Laravel names their
//! fields, with dots (`signers.0.firstName`, `documents.0`).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use serde_json::Value;

use crate::validation::Input;

/// The largest file part kept, in bytes (Laravel's `max:10240`, in kilobytes).
pub(crate) const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The largest JSON body read; a longer one counts as empty input.
const MAX_JSON_BYTES: usize = 1024 * 1024;
/// The largest multipart body read: a file plus room for the other parts. A body
/// beyond this fails to upload, as a PHP body beyond `post_max_size` does.
pub(crate) const MAX_MULTIPART_BYTES: usize = MAX_FILE_BYTES + 1024 * 1024;
/// A file part of a multipart body.
#[derive(Debug, Clone)]
pub(crate) struct FilePart {
    /// The first [`MAX_FILE_BYTES`] + 1 bytes (enough to tell a file that is too
    /// long), or `None` when the part broke off (e.g. past the body limit).
    pub(crate) bytes: Option<Bytes>,
    /// The part's length in bytes.
    pub(crate) size: usize,
    /// The part's file name.
    pub(crate) file_name: String,
    /// The part's `Content-Type`, if it has one.
    pub(crate) content_type: Option<String>,
}

/// A multipart body: text parts as input, file parts by name.
#[derive(Debug, Default)]
pub(crate) struct Form {
    /// The text parts.
    pub(crate) input: Input,
    /// The file parts, by part name.
    pub(crate) files: Vec<(String, FilePart)>,
}

/// The query parameter `name` of `parts`, form-decoded (`+` and `%20` are spaces), if
/// it is there.
pub(crate) fn query(parts: &http::request::Parts, name: &str) -> Option<String> {
    url::form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Whether the body is `multipart/form-data` (else it is read as JSON).
pub(crate) fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Reads a JSON object body; anything else is empty input.
pub(crate) async fn read_json(body: Body) -> Input {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_JSON_BYTES).await else {
        return Input::new();
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => object,
        _ => Input::new(),
    }
}

/// Reads a `multipart/form-data` body with axum's extractor (multer). Parts with a
/// file name are files (an empty file name is no file, as in PHP); the others are
/// text. A body that is not multipart, or breaks off, gives the parts read so far.
pub(crate) async fn read_form(
    headers: &HeaderMap,
    extensions: &http::Extensions,
    body: Body,
) -> Form {
    let mut request = Request::new(body);
    *request.headers_mut() = headers.clone();
    *request.extensions_mut() = extensions.clone();
    let mut form = Form::default();
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return form;
    };
    let mut appended = HashMap::new();
    while let Ok(Some(mut field)) = multipart.next_field().await {
        let Some(name) = field.name().map(|name| dotted_name(name, &mut appended)) else {
            continue;
        };
        match field.file_name().map(str::to_owned) {
            Some(file_name) if !file_name.is_empty() => {
                let content_type = field.content_type().map(str::to_owned);
                let mut bytes = BytesMut::new();
                let mut size = 0usize;
                let complete = loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            size = size.saturating_add(chunk.len());
                            let room = (MAX_FILE_BYTES + 1).saturating_sub(bytes.len());
                            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                        }
                        Ok(None) => break true,
                        Err(_) => break false,
                    }
                };
                let part = FilePart {
                    bytes: complete.then(|| bytes.freeze()),
                    size,
                    file_name,
                    content_type,
                };
                form.files.push((name, part));
                if !complete {
                    return form;
                }
            }
            Some(_) => {}
            None => match field.text().await {
                Ok(text) => {
                    form.input.insert(name, Value::String(text));
                }
                Err(_) => return form,
            },
        }
    }
    form
}

/// A part name in PHP's bracket form as Laravel names the field: `a[0][b]` is
/// `a.0.b`; `a[]` is `a.N`, N counting the `a[]` parts so far (`appended`); a name
/// without brackets, or with unbalanced ones, is itself.
fn dotted_name(name: &str, appended: &mut HashMap<String, usize>) -> String {
    let Some(open) = name.find('[') else {
        return name.to_owned();
    };
    let mut dotted = name[..open].to_owned();
    let mut rest = &name[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return name.to_owned();
        };
        let segment = match &inner[..close] {
            "" => {
                let next = appended.entry(dotted.clone()).or_insert(0);
                *next += 1;
                (*next - 1).to_string()
            }
            segment => segment.to_owned(),
        };
        dotted.push('.');
        dotted.push_str(&segment);
        rest = &inner[close + 1..];
    }
    if rest.is_empty() {
        dotted
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracket_names_read_as_laravel_names_them() {
        let mut appended = HashMap::new();
        let mut name = |n: &str| dotted_name(n, &mut appended);
        assert_eq!(name("pdf"), "pdf");
        assert_eq!(name("signers[0][firstName]"), "signers.0.firstName");
        assert_eq!(name("documents[1]"), "documents.1");
        assert_eq!(name("files[]"), "files.0");
        assert_eq!(name("files[]"), "files.1");
        assert_eq!(name("a[x][]"), "a.x.0");
        assert_eq!(name("broken[0"), "broken[0");
        assert_eq!(name("tail[0]x"), "tail[0]x");
    }
}
