//! The write endpoints' request bodies: checked before the handler, then read.
//!
//! [`checked`] runs in the [pipeline](crate::handler) for every operation the spec
//! gives a request body: Laravel's 415 for a `Content-Type` the operation does not
//! take, 413 for a body beyond the limit (1 MiB of JSON; a file plus 1 MiB for a
//! form), 400 for JSON that does not parse or is not an object (or a required body
//! left out that no rule names), and the
//! [rule engine](crate::rules)'s 422 against the operation's schema. Handlers then
//! read the already-valid body with [`read_json`] or [`read_form`]. Multipart part
//! names in PHP's bracket form (`signers[0][firstName]`, `documents[]`) are read as
//! Laravel names their fields, with dots (`signers.0.firstName`, `documents.0`).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use http::request::Parts;
use http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

use crate::openapi;
use crate::responses;
use crate::rules::{self, FILE_KEY};
use crate::validation::Input;

/// The largest file part kept, in bytes (Laravel's `max:10240`, in kilobytes).
pub(crate) const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The largest JSON body read; a longer one is answered 413.
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

/// Why [`checked`] refused a body.
#[derive(Debug)]
pub(crate) enum Refused {
    /// 400, 413, 415: the body could not be read as the operation's input.
    Unreadable(Response),
    /// 422: the input breaks the operation's rules.
    Invalid(Response),
    /// 500: the embedded spec could not be read.
    Broken,
}

/// The body of operation `operation` checked against its request schema (see the
/// module's documentation), given back to be read by the handler; `exists` answers
/// `exists:table` rules. Operations without a request body pass their body through.
pub(crate) async fn checked(
    parts: &Parts,
    body: Body,
    operation: &str,
    exists: &(dyn Fn(&str, &str) -> bool + Sync),
) -> Result<Body, Refused> {
    let spec = match openapi::request_body(operation) {
        Ok(Some(spec)) => spec,
        Ok(None) => return Ok(body),
        Err(_) => return Err(Refused::Broken),
    };
    let unreadable = |status: StatusCode, message: &str| {
        Refused::Unreadable(responses::message(status, message))
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap_or("?").to_ascii_lowercase());
    let multipart = is_multipart(&parts.headers);
    let json = content_type.as_deref().is_none_or(|value| {
        let essence = value.split(';').next().unwrap_or_default().trim();
        essence == "application/json" || essence.ends_with("+json")
    });
    let schema = match (multipart, json) {
        (true, _) => spec.form.as_ref(),
        (false, true) => spec.json.as_ref(),
        (false, false) => None,
    };
    let Some(schema) = schema else {
        return Err(unreadable(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type",
        ));
    };
    let limit = if multipart {
        MAX_MULTIPART_BYTES
    } else {
        MAX_JSON_BYTES
    };
    let too_large = || unreadable(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large");
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    let (input, files) = if multipart {
        let form = read_form(&parts.headers, &parts.extensions, Body::from(bytes.clone())).await;
        (nested(&form), form.files)
    } else if bytes.is_empty() {
        (Map::new(), Vec::new())
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(object)) => (object, Vec::new()),
            Ok(_) => {
                let message = "The request body must be a JSON object.";
                return Err(unreadable(StatusCode::BAD_REQUEST, message));
            }
            Err(_) => {
                let message = "The request body is not valid JSON.";
                return Err(unreadable(StatusCode::BAD_REQUEST, message));
            }
        }
    };
    let body = rules::Body {
        input: &input,
        files: &files,
        form: multipart,
        exists,
    };
    let errors = rules::validate(schema, &body);
    if !errors.is_empty() {
        Err(Refused::Invalid(errors.response()))
    } else if spec.required && bytes.is_empty() {
        // Nothing else named what is missing.
        let message = "The request body is required.";
        Err(unreadable(StatusCode::BAD_REQUEST, message))
    } else {
        Ok(Body::from(bytes))
    }
}

/// A form's parts nested by their dotted names (`signers.0.firstName` is
/// `{"signers": [{"firstName": ..}]}`), file parts as `{FILE_KEY: index}`: the
/// input the rules read, as PHP nests bracketed names.
pub(crate) fn nested(form: &Form) -> Map<String, Value> {
    let mut root = Value::Object(Map::new());
    let files = form.files.iter().enumerate().map(|(index, (name, _))| {
        let mut file = Map::new();
        file.insert(FILE_KEY.to_owned(), Value::from(index));
        (name, Value::Object(file))
    });
    for (name, value) in form.input.iter().map(|(n, v)| (n, v.clone())).chain(files) {
        let mut node = &mut root;
        let mut segments = name.split('.').peekable();
        while let Some(segment) = segments.next() {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            let Value::Object(fields) = node else {
                break;
            };
            if segments.peek().is_none() {
                fields.insert(segment.to_owned(), value);
                break;
            }
            node = fields
                .entry(segment.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    match listed(root) {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

/// `value` with every object whose keys are 0, 1, 2... turned into an array.
fn listed(value: Value) -> Value {
    let Value::Object(fields) = value else {
        return value;
    };
    if fields.contains_key(FILE_KEY) {
        return Value::Object(fields);
    }
    let is_list =
        !fields.is_empty() && (0..fields.len()).all(|i| fields.contains_key(&i.to_string()));
    if is_list {
        let mut fields = fields;
        let items = (0..fields.len())
            .filter_map(|i| fields.remove(&i.to_string()))
            .map(listed)
            .collect();
        Value::Array(items)
    } else {
        Value::Object(fields.into_iter().map(|(k, v)| (k, listed(v))).collect())
    }
}

/// Reads a JSON object body (checked by [`checked`]); anything else is empty input.
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
