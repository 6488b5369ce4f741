//! The write endpoints' request bodies: [`checked`] in the [pipeline](crate::handler)
//! before the handler runs, then read by it ([`read_json`], [`read_form`]).

use std::collections::HashMap;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use http::request::Parts;
use http::{Extensions, HeaderMap, StatusCode, header};
use serde_json::{Map, Value, json};

use crate::rules::{self, FILE_KEY};
use crate::validation::Input;
use crate::{openapi, responses};

/// The largest file part kept, in bytes (Laravel's `max:10240`, in kilobytes).
pub(crate) const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The largest JSON body read; a longer one is answered 413.
const MAX_JSON_BYTES: usize = 1024 * 1024;
/// The largest multipart body read (a file and the other parts), PHP's `post_max_size`.
pub(crate) const MAX_MULTIPART_BYTES: usize = MAX_FILE_BYTES + 1024 * 1024;

#[derive(Debug, Clone)]
pub(crate) struct FilePart {
    /// The first [`MAX_FILE_BYTES`] + 1 of its `size` bytes, or `None` if the part broke off.
    pub(crate) bytes: Option<Bytes>,
    pub(crate) size: usize,
    pub(crate) file_name: String,
    pub(crate) content_type: Option<String>,
}

/// A multipart body: text parts as input, file parts by part name.
#[derive(Debug, Default)]
pub(crate) struct Form {
    pub(crate) input: Input,
    pub(crate) files: Vec<(String, FilePart)>,
}

/// The query parameter `name` of `parts`, form-decoded (`+` and `%20` are spaces).
pub(crate) fn query(parts: &Parts, name: &str) -> Option<String> {
    url::form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The `Content-Type` of `headers` without parameters, lowercased (`?` when not text).
fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().unwrap_or("?");
    let essence = value.split(';').next().unwrap_or_default().trim();
    Some(essence.to_ascii_lowercase())
}

pub(crate) fn is_multipart(headers: &HeaderMap) -> bool {
    content_type(headers).is_some_and(|value| value.starts_with("multipart/form-data"))
}

/// Why [`checked`] refused a body: unreadable (400, 413, 415), invalid (422), broken spec.
#[derive(Debug)]
pub(crate) enum Refused {
    Unreadable(Response),
    Invalid(Response),
    Broken,
}

/// The body of `operation` once it passed Laravel's checks (or the spec describes none):
/// else 415, 413, 400 (not a JSON object, or left out) or the [`rules`]' 422.
pub(crate) async fn checked(
    parts: &Parts,
    body: Body,
    operation: &str,
    exists: &(dyn Fn(&str, &str) -> bool + Sync),
) -> Result<Body, Refused> {
    let Some(spec) = openapi::request_body(operation).map_err(|_| Refused::Broken)? else {
        return Ok(body);
    };
    let refuse = |status, message| Refused::Unreadable(responses::message(status, message));
    let multipart = is_multipart(&parts.headers);
    let json = content_type(&parts.headers)
        .is_none_or(|essence| essence == "application/json" || essence.ends_with("+json"));
    let (schema, limit) = match multipart {
        true => (spec.form.as_ref(), MAX_MULTIPART_BYTES),
        false => (spec.json.as_ref().filter(|_| json), MAX_JSON_BYTES),
    };
    let unsupported = || refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
    let schema = schema.ok_or_else(unsupported)?;
    let bad_request = |message| refuse(StatusCode::BAD_REQUEST, message);
    let too_large = || refuse(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large");
    let length = parts.headers.get(header::CONTENT_LENGTH);
    let length = length.and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if length.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let bytes = to_bytes(body, limit).await.map_err(|_| too_large())?;
    let (input, files) = if multipart {
        let form = read_form(&parts.headers, &parts.extensions, Body::from(bytes.clone())).await;
        (nested(&form), form.files)
    } else {
        match serde_json::from_slice(&bytes) {
            _ if bytes.is_empty() => (Map::new(), Vec::new()),
            Ok(Value::Object(object)) => (object, Vec::new()),
            Ok(_) => return Err(bad_request("The request body must be a JSON object.")),
            Err(_) => return Err(bad_request("The request body is not valid JSON.")),
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
        Err(bad_request("The request body is required."))
    } else {
        Ok(Body::from(bytes))
    }
}

/// A form's parts nested by their dotted names as PHP nests them, files as `{FILE_KEY: index}`.
pub(crate) fn nested(form: &Form) -> Map<String, Value> {
    let mut root = Value::Object(Map::new());
    let texts = form.input.iter().map(|(name, value)| (name, value.clone()));
    let files = form.files.iter().enumerate();
    let files = files.map(|(index, (name, _))| (name, json!({ FILE_KEY: index })));
    for (name, value) in texts.chain(files) {
        let mut node = &mut root;
        for segment in name.split('.') {
            if !node.is_object() {
                *node = json!({});
            }
            node = &mut node[segment];
        }
        *node = value;
    }
    // A root of parts named 0, 1, ... is a list, no input.
    serde_json::from_value(listed(root)).unwrap_or_default()
}

/// `value` with every object whose keys are 0, 1, 2... turned into an array.
fn listed(value: Value) -> Value {
    let Value::Object(mut fields) = value else {
        return value;
    };
    let is_list =
        !fields.is_empty() && (0..fields.len()).all(|i| fields.contains_key(&i.to_string()));
    if is_list {
        let items = (0..fields.len()).filter_map(|i| fields.remove(&i.to_string()));
        Value::Array(items.map(listed).collect())
    } else {
        Value::Object(fields.into_iter().map(|(k, v)| (k, listed(v))).collect())
    }
}

/// Reads a JSON object body (checked by [`checked`]); anything else is empty input.
pub(crate) async fn read_json(body: Body) -> Input {
    let bytes = to_bytes(body, MAX_JSON_BYTES).await.unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or_default()
}

/// Reads a `multipart/form-data` body: parts with a (non-empty, as in PHP) file name are
/// files, the others text; a body that breaks off gives the parts read so far.
pub(crate) async fn read_form(headers: &HeaderMap, extensions: &Extensions, body: Body) -> Form {
    let mut request = Request::new(body);
    *request.headers_mut() = headers.clone();
    *request.extensions_mut() = extensions.clone();
    let mut form = Form::default();
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return form;
    };
    let mut appended = HashMap::new();
    while let Ok(Some(mut field)) = multipart.next_field().await {
        let name = field.name().map(|name| dotted_name(name, &mut appended));
        match (name, field.file_name().map(str::to_owned)) {
            (None, _) => {}
            (Some(name), None) => match field.text().await {
                Ok(text) => _ = form.input.insert(name, Value::String(text)),
                Err(_) => return form,
            },
            (_, Some(file_name)) if file_name.is_empty() => {}
            (Some(name), Some(file_name)) => {
                let (mut bytes, mut size) = (BytesMut::new(), 0usize);
                let mut next = field.chunk().await;
                while let Ok(Some(chunk)) = next {
                    size = size.saturating_add(chunk.len());
                    let room = (MAX_FILE_BYTES + 1).saturating_sub(bytes.len());
                    bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    next = field.chunk().await;
                }
                let complete = next.is_ok();
                let part = FilePart {
                    bytes: complete.then(|| bytes.freeze()),
                    size,
                    file_name,
                    content_type: field.content_type().map(str::to_owned),
                };
                form.files.push((name, part));
                if !complete {
                    return form;
                }
            }
        }
    }
    form
}

/// A part name in PHP's bracket form as Laravel names the field: `a[0][b]` is `a.0.b`;
/// `a[]` is `a.N`, N counting the `a[]` parts so far; unbalanced brackets stay.
fn dotted_name(name: &str, appended: &mut HashMap<String, usize>) -> String {
    let (head, mut rest) = name.split_at(name.find('[').unwrap_or(name.len()));
    let mut dotted = head.to_owned();
    while !rest.is_empty() {
        let Some((segment, tail)) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) else {
            return name.to_owned();
        };
        let segment = match segment {
            "" => {
                let next = appended.entry(dotted.clone()).or_insert(0);
                std::mem::replace(next, *next + 1).to_string()
            }
            segment => segment.to_owned(),
        };
        dotted = format!("{dotted}.{segment}");
        rest = tail;
    }
    dotted
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
