//! The write endpoints' request bodies, read into validation input.
//!
//! Every resource module validates its operations' input with Laravel's rules (see
//! [`validation`](crate::validation)); this module reads the bodies they validate.
//! Bodies are read tolerantly, like PHP reads them: a JSON body that is not a JSON
//! object, or a multipart body that breaks off, leaves the input empty or partial,
//! and validation then names what is missing.

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
}

/// A multipart body: text parts as input, file parts by name.
#[derive(Debug, Default)]
pub(crate) struct Form {
    /// The text parts.
    pub(crate) input: Input,
    /// The file parts, by part name.
    pub(crate) files: Vec<(String, FilePart)>,
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
    while let Ok(Some(mut field)) = multipart.next_field().await {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        match field.file_name() {
            Some(file_name) if !file_name.is_empty() => {
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
