//! `multipart/form-data` operations, which progenitor 0.15 cannot generate.
//!
//! progenitor refuses a multipart request body, so these operations are taken out of
//! the spec before progenitor runs ([`without_multipart`]) and generated here, from the
//! spec alone, beside progenitor's output and in its style ([`inject`]):
//! - a request type `types::{Operation}Body` whose fields are the parts (a file part is
//!   a `crate::FilePart`: bytes or a stream, with file name and media type), with a
//!   typify-style builder in `types::builder`. An array part is a `Vec` (of files, text
//!   values, or a component schema's objects), sent in PHP's bracket form, the one
//!   Laravel reads back as an array: `name[0]`, `name[1]`, ... and `name[0][field]` (a
//!   repeated plain name keeps only its last part in PHP);
//! - an operation builder in `builder` (`client.create_x().body(...).send()`), whose
//!   `send` goes through the same `ClientHooks` (`pre`, `exec`, `post`) as progenitor's
//!   methods and decodes into the same `ResponseValue` / `Error<E>`.
//!
//! An operation whose body is multipart OR another media type (the vendor's POST /files:
//! a file upload or a JSON directory) keeps the other media types for progenitor under
//! its operationId, and its multipart body is generated as a method of its own, named by
//! the `x-operation-id` on the `multipart/form-data` media type.
//!
//! Nothing here names an operation: any multipart operation added to the spec is
//! generated the same way, and a body this module cannot express is a `file:line`
//! [`SpecError::Multipart`], never a panic.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_yaml_ng::{Mapping, Value};
use syn::{Item, parse_quote};

use crate::bundle::Bundle;
use crate::spec::{Location, SpecError};
use crate::{refs, yaml};

const MEDIA_TYPE: &str = "multipart/form-data";

/// One multipart operation, as read from the spec.
#[derive(Debug, Clone)]
pub struct MultipartOperation {
    /// The path template (`/customer-invoices`).
    pub path: String,
    /// The method, lower case (`post`).
    pub method: &'static str,
    /// The operationId as written (`create-customer-invoice`), or, for a multipart
    /// body beside other media types, the body's own `x-operation-id`.
    pub operation_id: String,
    /// Whether the operation has other media types beside the multipart one: progenitor
    /// then keeps the operation, without its multipart body.
    pub shared: bool,
    /// Where the operation is written, for diagnostics of the generation.
    pub at: Location,
    summary: Option<String>,
    description: Option<String>,
    params: Vec<Param>,
    parts: Vec<PartSpec>,
    responses: Vec<ResponseSpec>,
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    in_path: bool,
    required: bool,
    ty: Scalar,
    description: Option<String>,
}

#[derive(Debug, Clone)]
struct PartSpec {
    name: String,
    required: bool,
    kind: PartKind,
    description: Option<String>,
}

#[derive(Debug, Clone)]
enum PartKind {
    Text(Scalar),
    /// A file, with the media type the spec's `encoding` gives it.
    File(Option<String>),
    /// An array of text values: one part per element, `name[0]`, `name[1]`, ...
    Texts(Scalar),
    /// An array of files, each with the media type of the spec's `encoding`: one part
    /// per file, `name[0]`, `name[1]`, ...
    Files(Option<String>),
    /// An array of objects of the named component schema: one text part per field,
    /// `name[0][field]`, ... (nested values go one bracket deeper).
    Objects(String),
}

/// The types a text part or a parameter can have.
#[derive(Debug, Clone)]
enum Scalar {
    String,
    Decimal,
    Date,
    DateTime,
    Integer,
    Boolean,
    /// A named schema the generator settings replace with a hand-written type.
    Replaced(&'static str),
}

#[derive(Debug, Clone)]
struct ResponseSpec {
    /// `Some((lo, hi))` for a code or range; `None` for `default`.
    statuses: Option<(u16, u16)>,
    success: bool,
    /// The component schema of the JSON body, or `None` for no body.
    schema: Option<String>,
    /// An inline schema of the body, added to progenitor's spec under `schema`'s name.
    inline: Option<openapiv3::Schema>,
}

/// The methods whose operations can carry a body, in the order `spec` lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Finds and checks every operation whose request body is `multipart/form-data`.
pub(crate) fn extract(root: &Value, bundle: &Bundle) -> Result<Vec<MultipartOperation>, SpecError> {
    let mut out = Vec::new();
    let Some(Value::Mapping(paths)) = root.get("paths") else {
        return Ok(out);
    };
    for (path, item) in paths {
        let (Some(path), Value::Mapping(item)) = (path.as_str(), item) else {
            continue;
        };
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let Some(body) = op.get("requestBody") else {
                continue;
            };
            let body = refs::follow(root, body);
            let Some(Value::Mapping(content)) = body.get("content") else {
                continue;
            };
            let Some(media) = content.get(MEDIA_TYPE) else {
                continue;
            };
            let operation_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or(path)
                .to_string();
            let reader = Reader {
                root,
                bundle,
                path,
                method,
                operation: operation_id.clone(),
            };
            let operation = match (content.len() > 1, media.get(OWN_ID)) {
                (false, None) => operation_id,
                (true, Some(Value::String(own))) => {
                    reader.own_id_is_free(own, root)?;
                    own.clone()
                }
                (false, Some(_)) => {
                    return Err(reader.error(
                        &["requestBody", "content", MEDIA_TYPE, OWN_ID],
                        format!(
                            "has an `{OWN_ID}`, which only names a multipart body beside other media types; the operationId names this one: remove it"
                        ),
                    ));
                }
                (true, _) => {
                    let others: Vec<String> = content
                        .keys()
                        .filter_map(Value::as_str)
                        .filter(|k| *k != MEDIA_TYPE)
                        .map(|k| format!("`{k}`"))
                        .collect();
                    return Err(reader.error(
                        &["requestBody", "content"],
                        format!(
                            "has other media types beside it ({}); the xtask generates the multipart body as a method of its own: name it with a string `{OWN_ID}` on the `{MEDIA_TYPE}` media type (the others keep the operationId)",
                            others.join(", ")
                        ),
                    ));
                }
            };
            let reader = Reader {
                operation,
                ..reader
            };
            out.push(reader.operation(item, op, media, content.len() > 1)?);
        }
    }
    Ok(out)
}

/// The key on a `multipart/form-data` media type that names its generated method when
/// the operation has other media types too (OpenAPI allows `x-` extensions there).
const OWN_ID: &str = "x-operation-id";

/// The component schema a `{$ref: ...}` names.
fn ref_name(value: &Value) -> Option<String> {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| refs::component(r, "schemas"))
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_string(),
        Value::String(s) => format!("`{s}`"),
        other => serde_yaml_ng::to_string(other)
            .map(|s| format!("`{}`", s.trim().replace('\n', ", ")))
            .unwrap_or_else(|_| "another value".to_string()),
    }
}

const PART_TYPES: &str = "a part is a string (plain, or `format: date`, `date-time` or `decimal`), an integer, a boolean, a `$ref` to such a schema, a file (`type: string, format: binary`), or an array of one of these or of a `$ref` to an object schema (sent in PHP's bracket form, `name[0]`, `name[0][field]`)";

struct Reader<'a> {
    root: &'a Value,
    bundle: &'a Bundle,
    path: &'a str,
    method: &'static str,
    operation: String,
}

impl Reader<'_> {
    /// No other operation is called `own` (an operationId, or another multipart body's
    /// `x-operation-id`): every generated method needs a name of its own.
    fn own_id_is_free(&self, own: &str, root: &Value) -> Result<(), SpecError> {
        let Some(Value::Mapping(paths)) = root.get("paths") else {
            return Ok(());
        };
        for (path, item) in paths {
            let Some(path) = path.as_str() else { continue };
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let other = op
                    .get("requestBody")
                    .map(|body| refs::follow(root, body))
                    .and_then(|body| body.get("content"))
                    .and_then(|content| content.get(MEDIA_TYPE))
                    .and_then(|media| media.get(OWN_ID))
                    .and_then(Value::as_str);
                let this = path == self.path && method == self.method;
                let taken = op.get("operationId").and_then(Value::as_str) == Some(own)
                    || (!this && other == Some(own));
                if taken {
                    return Err(self.error(
                        &["requestBody", "content", MEDIA_TYPE, OWN_ID],
                        format!(
                            "is named `{own}` by its `{OWN_ID}`, which `{} {path}` already uses: every generated method needs a name of its own",
                            method.to_ascii_uppercase()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The place of `keys` under the operation (or of the deepest of them written).
    fn at(&self, keys: &[&str]) -> Location {
        let mut pointer = crate::spec::operation_pointer(self.path, self.method);
        for key in keys {
            pointer = yaml::child(&pointer, key);
        }
        self.bundle.locate(&pointer)
    }

    fn error(&self, keys: &[&str], problem: String) -> SpecError {
        SpecError::Multipart {
            at: self.at(keys),
            operation: self.operation.clone(),
            problem,
        }
    }

    fn operation(
        &self,
        item: &Mapping,
        op: &Value,
        media: &Value,
        shared: bool,
    ) -> Result<MultipartOperation, SpecError> {
        let body_keys = ["requestBody", "content", MEDIA_TYPE];
        let Some(schema) = media.get("schema") else {
            return Err(self.error(
                &body_keys,
                "has no `schema`: give it `type: object` with one property per part".to_string(),
            ));
        };
        let schema_keys = ["requestBody", "content", MEDIA_TYPE, "schema"];
        let schema = refs::follow(self.root, schema);
        match schema.get("type") {
            Some(Value::String(t)) if t == "object" => {}
            found => {
                let what = match found {
                    None => "has a schema without `type: object`".to_string(),
                    Some(t) => format!("has a schema of type {}, not `object`", describe(t)),
                };
                return Err(self.error(
                    &schema_keys,
                    format!(
                        "{what}: a multipart body is an object whose properties are its parts; write `type: object`"
                    ),
                ));
            }
        }
        let Some(Value::Mapping(properties)) = schema.get("properties") else {
            return Err(self.error(
                &schema_keys,
                "has no `properties`: list one property per part".to_string(),
            ));
        };
        let required: Vec<&str> = match schema.get("required") {
            Some(Value::Sequence(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for name in &required {
            if !properties.contains_key(*name) {
                return Err(self.error(
                    &[&schema_keys[..], &["required"]].concat(),
                    format!(
                        "requires a part `{name}` that is not among its `properties`: add it, or remove it from `required`"
                    ),
                ));
            }
        }
        let encoding = match media.get("encoding") {
            Some(Value::Mapping(e)) => e.clone(),
            _ => Mapping::new(),
        };
        for name in encoding.keys().filter_map(Value::as_str) {
            if !properties.contains_key(name) {
                return Err(self.error(
                    &[&body_keys[..], &["encoding", name]].concat(),
                    format!(
                        "has an `encoding` for `{name}`, which is not one of its parts: name a property of the schema"
                    ),
                ));
            }
        }
        let mut parts = Vec::new();
        for (name, property) in properties {
            let Some(name) = name.as_str() else { continue };
            let keys = [&schema_keys[..], &["properties", name]].concat();
            let media_type = encoding
                .get(name)
                .and_then(|e| e.get("contentType"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let kind = self.part_kind(name, property, &keys)?;
            let kind = match (kind, media_type) {
                (PartKind::File(_), media_type) => PartKind::File(media_type),
                (PartKind::Files(_), media_type) => PartKind::Files(media_type),
                (
                    PartKind::Text(_) | PartKind::Texts(_) | PartKind::Objects(_),
                    Some(media_type),
                ) if !media_type.starts_with("text/") => {
                    return Err(self.error(
                        &keys,
                        format!(
                            "has a part `{name}` whose `encoding` makes it a file (`contentType: {media_type}`), but whose schema is not `type: string, format: binary`: add `format: binary` to upload a file, or drop the encoding"
                        ),
                    ));
                }
                (kind, _) => kind,
            };
            let description = text(property, "description")
                .or_else(|| text(refs::follow(self.root, property), "description"));
            parts.push(PartSpec {
                name: name.to_string(),
                required: required.contains(&name),
                kind,
                description: description.map(|d| d.trim().to_string()),
            });
        }
        Ok(MultipartOperation {
            path: self.path.to_string(),
            method: self.method,
            operation_id: self.operation.clone(),
            shared,
            at: self.at(&[]),
            summary: text(op, "summary"),
            description: text(op, "description"),
            params: self.path_params_declared(self.params(item, op)?)?,
            parts,
            responses: self.responses(op)?,
        })
    }

    fn part_kind(
        &self,
        name: &str,
        property: &Value,
        keys: &[&str],
    ) -> Result<PartKind, SpecError> {
        // `allOf` with one schema: how OpenAPI 3.0 puts a description beside a `$ref`.
        if let Some(Value::Sequence(all)) = property.get("allOf")
            && let [only] = all.as_slice()
        {
            return self.part_kind(name, only, keys);
        }
        if let Some(replaced) =
            ref_name(property).and_then(|name| crate::codegen::replacement(&name))
        {
            return Ok(PartKind::Text(Scalar::Replaced(replaced)));
        }
        let schema = refs::follow(self.root, property);
        let ty = schema.get("type").and_then(Value::as_str);
        let format = schema.get("format").and_then(Value::as_str);
        let unsupported = |what: String| {
            self.error(
                keys,
                format!("has a part `{name}` of an unsupported type ({what}): {PART_TYPES}"),
            )
        };
        if schema.get("enum").is_some() {
            return Err(unsupported("a string `enum`".to_string()));
        }
        match (ty, format) {
            (Some("string"), Some("binary")) => Ok(PartKind::File(None)),
            (Some("string"), Some("byte")) => Err(self.error(
                keys,
                format!(
                    "has a part `{name}` with `format: byte` (base64 text): a file part is `type: string, format: binary`, sent as raw bytes"
                ),
            )),
            (Some("string"), None) => Ok(PartKind::Text(Scalar::String)),
            (Some("string"), Some("date")) => Ok(PartKind::Text(Scalar::Date)),
            (Some("string"), Some("date-time")) => Ok(PartKind::Text(Scalar::DateTime)),
            (Some("string"), Some("decimal")) => Ok(PartKind::Text(Scalar::Decimal)),
            (Some("string"), Some(other)) => Err(unsupported(format!("`format: {other}`"))),
            (Some("integer"), _) => Ok(PartKind::Text(Scalar::Integer)),
            (Some("boolean"), _) => Ok(PartKind::Text(Scalar::Boolean)),
            (Some("array"), _) => self.array_kind(name, schema, keys),
            (Some(other), _) => Err(unsupported(format!("`type: {other}`"))),
            (None, _) => Err(unsupported("no `type`".to_string())),
        }
    }

    /// An array part: of text values, of files, or of objects of a component schema.
    fn array_kind(&self, name: &str, schema: &Value, keys: &[&str]) -> Result<PartKind, SpecError> {
        let Some(items) = schema.get("items") else {
            return Err(self.error(
                keys,
                format!(
                    "has an array part `{name}` without `items`: say what each element is; {PART_TYPES}"
                ),
            ));
        };
        let is_object = refs::follow(self.root, items)
            .get("type")
            .and_then(Value::as_str)
            == Some("object");
        match ref_name(items) {
            Some(schema) if is_object => return Ok(PartKind::Objects(schema)),
            None if is_object => {
                return Err(self.error(
                    keys,
                    format!(
                        "has an array part `{name}` whose items are an inline object: move the item schema under `components/schemas` and `$ref` it (the body holds its generated type)"
                    ),
                ));
            }
            _ => {}
        }
        match self.part_kind(name, items, keys)? {
            PartKind::Text(scalar) => Ok(PartKind::Texts(scalar)),
            PartKind::File(media) => Ok(PartKind::Files(media)),
            _ => Err(self.error(
                keys,
                format!("has a part `{name}` that is an array of arrays: {PART_TYPES}"),
            )),
        }
    }

    /// Every `{name}` of the path template must be a path parameter.
    fn path_params_declared(&self, params: Vec<Param>) -> Result<Vec<Param>, SpecError> {
        for piece in self.path.split('{').skip(1) {
            let name = piece.split('}').next().unwrap_or(piece);
            if !params.iter().any(|p| p.in_path && p.name == name) {
                return Err(self.error(
                    &[],
                    format!(
                        "has `{{{name}}}` in its path but no path parameter `{name}`: declare it under `parameters` (`in: path`, `required: true`)"
                    ),
                ));
            }
        }
        Ok(params)
    }

    fn params(&self, item: &Mapping, op: &Value) -> Result<Vec<Param>, SpecError> {
        let mut out: Vec<Param> = Vec::new();
        let listed = [item.get("parameters"), op.get("parameters")];
        for (level, list) in listed.into_iter().enumerate() {
            let Some(Value::Sequence(list)) = list else {
                continue;
            };
            for raw in list {
                let param = refs::follow(self.root, raw);
                let name = text(param, "name").unwrap_or_default();
                let location = text(param, "in").unwrap_or_default();
                let keys: &[&str] = &["parameters"];
                let in_path = match location.as_str() {
                    "path" => true,
                    "query" => false,
                    other => {
                        return Err(self.error(
                            keys,
                            format!(
                                "has a parameter `{name}` in `{other}`; generated multipart operations take path and query parameters only"
                            ),
                        ));
                    }
                };
                let schema = param.get("schema").map(|s| refs::follow(self.root, s));
                let ty = match schema.and_then(|s| s.get("type")).and_then(Value::as_str) {
                    Some("string") => Scalar::String,
                    Some("integer") => Scalar::Integer,
                    Some("boolean") => Scalar::Boolean,
                    other => {
                        return Err(self.error(
                            keys,
                            format!(
                                "has a parameter `{name}` of type {}; generated multipart operations take string, integer and boolean parameters",
                                other.map_or("none".to_string(), |t| format!("`{t}`"))
                            ),
                        ));
                    }
                };
                let param = Param {
                    required: in_path
                        || param.get("required").and_then(Value::as_bool) == Some(true),
                    description: text(param, "description"),
                    name,
                    in_path,
                    ty,
                };
                // An operation's parameter overrides the path item's of the same name.
                if level == 1 {
                    out.retain(|p| p.name != param.name);
                }
                out.push(param);
            }
        }
        Ok(out)
    }

    fn responses(&self, op: &Value) -> Result<Vec<ResponseSpec>, SpecError> {
        let mut out = Vec::new();
        let mut inlines: Vec<(String, Value)> = Vec::new();
        let Some(Value::Mapping(responses)) = op.get("responses") else {
            return Ok(out);
        };
        for (status, response) in responses {
            let status = match status {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            let keys = ["responses", status.as_str()];
            let statuses = if status == "default" {
                None
            } else if let Some(class) = status
                .strip_suffix("XX")
                .and_then(|c| c.parse::<u16>().ok())
            {
                Some((class * 100, class * 100 + 99))
            } else if let Ok(code) = status.parse::<u16>() {
                Some((code, code))
            } else {
                return Err(self.error(
                    &keys,
                    format!("has a response status `{status}` that is neither a code, a range like `4XX`, nor `default`"),
                ));
            };
            let success = statuses.is_some_and(|(lo, _)| (200..300).contains(&lo));
            let response = refs::follow(self.root, response);
            let json = response
                .get("content")
                .and_then(|c| c.get("application/json"));
            let (schema, inline) = match json.and_then(|j| j.get("schema")) {
                None => (None, None),
                Some(schema) => match ref_name(schema) {
                    Some(name) => (Some(name), None),
                    None => {
                        // progenitor names an inline response schema `{operationId}-response`
                        // (in Rust, `{OperationId}Response`); an error body of another
                        // schema gets `{operationId}-error-response`.
                        let name = match inlines.first() {
                            Some((name, first)) if first == schema => name.clone(),
                            Some(_) => format!("{}-error-response", self.operation),
                            None => format!("{}-response", self.operation),
                        };
                        inlines.push((name.clone(), schema.clone()));
                        let taken = self
                            .root
                            .get("components")
                            .and_then(|c| c.get("schemas"))
                            .and_then(|s| s.get(name.as_str()))
                            .is_some();
                        if taken {
                            return Err(self.error(
                                &[&keys[..], &["content", "application/json", "schema"]].concat(),
                                format!(
                                    "answers `{status}` with an inline schema, which progenitor names `{name}`, the name of a schema under `components/schemas` already: `$ref` that schema, or rename it"
                                ),
                            ));
                        }
                        let parsed: openapiv3::Schema = serde_yaml_ng::from_value(schema.clone())
                            .map_err(|e| {
                                self.error(
                                    &[&keys[..], &["content", "application/json", "schema"]]
                                        .concat(),
                                    format!("answers `{status}` with an inline schema that is not an OpenAPI schema: {e}"),
                                )
                            })?;
                        (Some(name), Some(parsed))
                    }
                },
            };
            out.push(ResponseSpec {
                statuses,
                success,
                schema,
                inline,
            });
        }
        Ok(out)
    }
}

/// The spec without its multipart operations, for progenitor (path items left empty
/// are dropped).
pub fn without_multipart(
    openapi: &openapiv3::OpenAPI,
    operations: &[MultipartOperation],
) -> openapiv3::OpenAPI {
    let mut out = openapi.clone();
    let bodies = out
        .components
        .as_ref()
        .map(|c| c.request_bodies.clone())
        .unwrap_or_default();
    // The inline response schemas, as components under the names progenitor gives them.
    for response in operations.iter().flat_map(|op| &op.responses) {
        if let (Some(name), Some(schema)) = (&response.schema, &response.inline) {
            out.components
                .get_or_insert_with(Default::default)
                .schemas
                .entry(name.clone())
                .or_insert_with(|| openapiv3::ReferenceOr::Item(schema.clone()));
        }
    }
    for op in operations {
        let Some(openapiv3::ReferenceOr::Item(item)) = out.paths.paths.get_mut(&op.path) else {
            continue;
        };
        let slot = match op.method {
            "get" => &mut item.get,
            "put" => &mut item.put,
            "post" => &mut item.post,
            "delete" => &mut item.delete,
            "options" => &mut item.options,
            "head" => &mut item.head,
            "patch" => &mut item.patch,
            _ => &mut item.trace,
        };
        if op.shared {
            // progenitor keeps the operation, with its other media types.
            if let Some(operation) = slot.as_mut()
                && let Some(body) = operation.request_body.take()
            {
                let mut body = match body {
                    openapiv3::ReferenceOr::Item(body) => Some(body),
                    openapiv3::ReferenceOr::Reference { reference } => {
                        refs::component(&reference, "requestBodies")
                            .and_then(|name| bodies.get(&name))
                            .and_then(|body| body.as_item().cloned())
                    }
                };
                if let Some(body) = body.as_mut() {
                    body.content.shift_remove(MEDIA_TYPE);
                }
                operation.request_body = body.map(openapiv3::ReferenceOr::Item);
            }
            continue;
        }
        *slot = None;
        if item.iter().next().is_none() {
            out.paths.paths.shift_remove(&op.path);
        }
    }
    out
}

fn field_ident(name: &str) -> syn::Ident {
    let snake = name.to_snake_case();
    match syn::parse_str::<syn::Ident>(&snake) {
        Ok(ident) => ident,
        Err(_) => format_ident!("{}_", snake),
    }
}

fn scalar_type(scalar: &Scalar) -> TokenStream {
    match scalar {
        Scalar::String => quote!(::std::string::String),
        Scalar::Decimal => quote!(::rust_decimal::Decimal),
        Scalar::Date => quote!(::chrono::naive::NaiveDate),
        Scalar::DateTime => quote!(::chrono::DateTime<::chrono::FixedOffset>),
        Scalar::Integer => quote!(i64),
        Scalar::Boolean => quote!(bool),
        Scalar::Replaced(path) => path
            .parse()
            .unwrap_or_else(|_| quote!(::std::string::String)),
    }
}

/// The text a part carries for `value` (an expression of the part's type).
fn scalar_text(scalar: &Scalar, value: TokenStream) -> TokenStream {
    match scalar {
        Scalar::String => value,
        // Laravel's `boolean` rule accepts 1/0 (and "1"/"0"), not "true"/"false".
        Scalar::Boolean => quote!(if #value { "1" } else { "0" }),
        Scalar::DateTime => quote!(#value.to_rfc3339()),
        _ => quote!(#value.to_string()),
    }
}

fn doc(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) if !text.trim().is_empty() => {
            let text = text.trim_end();
            quote!(#[doc = #text])
        }
        _ => quote!(),
    }
}

fn find_module<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

fn has_type(items: &[Item], name: &str) -> bool {
    items.iter().any(|item| match item {
        Item::Struct(s) => s.ident == name,
        Item::Enum(e) => e.ident == name,
        Item::Type(t) => t.ident == name,
        _ => false,
    })
}

fn items(tokens: TokenStream) -> Result<Vec<Item>, syn::Error> {
    Ok(syn::parse2::<syn::File>(tokens)?.items)
}

/// Adds the generated code of `operations` to progenitor's output: request types to
/// `types` and `types::builder`, operation builders to `builder`, methods to `Client`.
pub fn inject(
    file: &mut syn::File,
    operations: &[MultipartOperation],
    spec_name: &str,
) -> Result<(), SpecError> {
    if operations.is_empty() {
        return Ok(());
    }
    let unparsable = |e: syn::Error| SpecError::Unparsable {
        file: spec_name.to_string(),
        message: format!("multipart generation: {e}"),
    };
    let missing = |what: String| SpecError::Unparsable {
        file: spec_name.to_string(),
        message: format!("multipart generation: progenitor's output has no {what}"),
    };
    let mut type_items = Vec::new();
    let mut type_builder_items = Vec::new();
    let mut op_builder_items = Vec::new();
    let mut client_methods = Vec::new();
    {
        let types = find_module(&mut file.items, "types")
            .ok_or_else(|| missing("`types` module".into()))?;
        for op in operations {
            let code = Generated::new(op, types)?;
            type_items.extend(items(code.body_type).map_err(unparsable)?);
            type_builder_items.extend(items(code.body_builder).map_err(unparsable)?);
            op_builder_items.extend(items(code.op_builder).map_err(unparsable)?);
            client_methods.push(code.client_method);
        }
    }
    let types =
        find_module(&mut file.items, "types").ok_or_else(|| missing("`types` module".into()))?;
    // typify leaves out `types::builder` when no schema is a struct, and progenitor
    // leaves out `builder` when every operation is multipart.
    if find_module(types, "builder").is_none() {
        types.push(parse_quote! {
            /// Types for composing complex structures.
            pub mod builder {}
        });
    }
    let type_builder =
        find_module(types, "builder").ok_or_else(|| missing("`types::builder` module".into()))?;
    type_builder.extend(type_builder_items);
    types.extend(type_items);
    let objects = operations
        .iter()
        .flat_map(|op| &op.parts)
        .any(|part| matches!(part.kind, PartKind::Objects(_)));
    if objects {
        types.push(parse_quote! {
            /// Adds `value` to `form` under `name` in PHP's bracket form (`name[field]`,
            /// `name[0]`), which Laravel reads back as objects and arrays: booleans as `1`
            /// or `0` (what its `boolean` rule accepts), nulls left out.
            fn bracket_fields(
                mut form: ::reqwest::multipart::Form,
                name: ::std::string::String,
                value: ::serde_json::Value,
            ) -> ::reqwest::multipart::Form {
                match value {
                    ::serde_json::Value::Null => form,
                    ::serde_json::Value::Bool(b) => form.text(name, if b { "1" } else { "0" }),
                    ::serde_json::Value::Number(n) => form.text(name, n.to_string()),
                    ::serde_json::Value::String(s) => form.text(name, s),
                    ::serde_json::Value::Array(items) => {
                        for (i, item) in items.into_iter().enumerate() {
                            form = bracket_fields(form, format!("{name}[{i}]"), item);
                        }
                        form
                    }
                    ::serde_json::Value::Object(fields) => {
                        for (key, item) in fields {
                            form = bracket_fields(form, format!("{name}[{key}]"), item);
                        }
                        form
                    }
                }
            }
        });
    }
    if find_module(&mut file.items, "builder").is_none() {
        file.items.push(parse_quote! {
            /// Types for composing operation parameters.
            #[allow(clippy::all)]
            pub mod builder {
                use super::types;
                #[allow(unused_imports)]
                use super::{
                    encode_path, ByteStream, ClientInfo, ClientHooks, Error, OperationInfo,
                    RequestBuilderExt, ResponseValue,
                };
            }
        });
    }
    let builder = find_module(&mut file.items, "builder")
        .ok_or_else(|| missing("`builder` module".into()))?;
    builder.extend(op_builder_items);
    let client_impl: syn::ItemImpl = parse_quote!(impl Client { #(#client_methods)* });
    // Beside progenitor's own `impl Client` of operations, before its modules.
    let at = file
        .items
        .iter()
        .position(|item| matches!(item, Item::Mod(m) if m.ident == "builder"))
        .unwrap_or(file.items.len());
    file.items.insert(at, Item::Impl(client_impl));
    Ok(())
}

struct Generated {
    body_type: TokenStream,
    body_builder: TokenStream,
    op_builder: TokenStream,
    client_method: TokenStream,
}

impl Generated {
    fn new(op: &MultipartOperation, types: &[Item]) -> Result<Self, SpecError> {
        let pascal = op.operation_id.to_upper_camel_case();
        let method = field_ident(&op.operation_id);
        let operation_name = method.to_string();
        let op_ty = format_ident!("{}", pascal);
        let body_name = format!("{pascal}Body");
        let body_ty = format_ident!("{}", body_name);
        let clash = |what: &str| SpecError::Multipart {
            at: op.at.clone(),
            operation: op.operation_id.clone(),
            problem: what.to_string(),
        };
        if has_type(types, &body_name) {
            return Err(clash(&format!(
                "needs the type name `{body_name}` for its body, which a schema of the spec already takes: rename that schema"
            )));
        }
        let schema_type = |name: &str| -> Result<TokenStream, SpecError> {
            let rust = name.to_upper_camel_case();
            if has_type(types, &rust) {
                let ident = format_ident!("{}", rust);
                Ok(quote!(types::#ident))
            } else {
                Err(clash(&format!(
                    "answers with `#/components/schemas/{name}`, but progenitor generated no type `{rust}` for it"
                )))
            }
        };
        let success = op
            .responses
            .iter()
            .find(|r| r.success && r.schema.is_some());
        let ok_ty = match success.and_then(|r| r.schema.as_deref()) {
            Some(name) => schema_type(name)?,
            None => quote!(()),
        };
        let error = op
            .responses
            .iter()
            .find(|r| !r.success && r.schema.is_some());
        let err_ty = match error.and_then(|r| r.schema.as_deref()) {
            Some(name) => schema_type(name)?,
            None => quote!(()),
        };

        // The request type and its builder.
        let mut fields = Vec::new();
        let mut builder_fields = Vec::new();
        let mut defaults = Vec::new();
        let mut setters = Vec::new();
        let mut from_builder = Vec::new();
        let mut to_builder = Vec::new();
        let mut clones = Vec::new();
        let mut form_steps = Vec::new();
        for part in &op.parts {
            let ident = field_ident(&part.name);
            let wire = &part.name;
            // The field's type as `types` names it, and as `types::builder` does.
            let (ty, builder_ty) = match &part.kind {
                PartKind::Objects(schema) => {
                    // Checks that progenitor generated the item type.
                    schema_type(schema)?;
                    let item = format_ident!("{}", schema.to_upper_camel_case());
                    (
                        quote!(::std::vec::Vec<#item>),
                        quote!(::std::vec::Vec<super::#item>),
                    )
                }
                PartKind::Texts(scalar) => {
                    let base = scalar_type(scalar);
                    let ty = quote!(::std::vec::Vec<#base>);
                    (ty.clone(), ty)
                }
                PartKind::Files(_) => {
                    let ty = quote!(::std::vec::Vec<crate::FilePart>);
                    (ty.clone(), ty)
                }
                PartKind::Text(_) | PartKind::File(_) => {
                    let base = match &part.kind {
                        PartKind::Text(scalar) => scalar_type(scalar),
                        _ => quote!(crate::FilePart),
                    };
                    let ty = if part.required {
                        base
                    } else {
                        quote!(::std::option::Option<#base>)
                    };
                    (ty.clone(), ty)
                }
            };
            // `name[0]`, `name[1]`, ... for the elements of an array part.
            let element = format!("{}[{{}}]", wire.replace('{', "{{").replace('}', "}}"));
            let mut field_doc = part.description.clone().unwrap_or_default();
            field_doc.push_str("\n\n");
            field_doc.push_str(&match &part.kind {
                PartKind::File(Some(media)) => format!(
                    "The part `{wire}`, a file; its media type is `{media}` unless the `FilePart` sets another."
                ),
                PartKind::File(None) => format!("The part `{wire}`, a file."),
                PartKind::Text(Scalar::Boolean) => format!(
                    "The part `{wire}`, sent as `1` or `0` (what Laravel's `boolean` rule accepts)."
                ),
                PartKind::Text(_) => format!("The part `{wire}`."),
                PartKind::Files(media) => format!(
                    "The parts `{wire}[0]`, `{wire}[1]`, ..., one file each (PHP's bracket form, which Laravel reads as an array){}.",
                    media
                        .as_ref()
                        .map(|m| format!("; their media type is `{m}` unless a `FilePart` sets another"))
                        .unwrap_or_default()
                ),
                PartKind::Texts(_) => format!(
                    "The parts `{wire}[0]`, `{wire}[1]`, ..., one value each (PHP's bracket form, which Laravel reads as an array)."
                ),
                PartKind::Objects(_) => format!(
                    "The parts `{wire}[0][field]`, ..., one per field of each element (PHP's bracket form, which Laravel reads as an array of objects; booleans as `1` or `0`, null fields left out)."
                ),
            });
            let field_doc = doc(Some(field_doc.trim_start()));
            fields.push(quote!(#field_doc pub #ident: #ty,));
            builder_fields
                .push(quote!(#ident: ::std::result::Result<#builder_ty, ::std::string::String>,));
            if part.required {
                let message = format!("no value supplied for {ident}");
                defaults.push(quote!(#ident: Err(#message.to_string()),));
            } else {
                defaults.push(quote!(#ident: Ok(Default::default()),));
            }
            let message = format!("error converting supplied value for {ident}: {{}}");
            setters.push(quote! {
                pub fn #ident<T>(mut self, value: T) -> Self
                where
                    T: ::std::convert::TryInto<#builder_ty>,
                    T::Error: ::std::fmt::Display,
                {
                    self.#ident = value.try_into().map_err(|e| format!(#message, e));
                    self
                }
            });
            from_builder.push(quote!(#ident: value.#ident?,));
            to_builder.push(quote!(#ident: Ok(value.#ident),));
            let part_message = format!("the part `{wire}`: {{}}");
            let media_of = |media: &Option<String>| match media {
                Some(m) => quote!(Some(#m)),
                None => quote!(None),
            };
            let value = quote!(value);
            let step = match &part.kind {
                PartKind::File(media) => {
                    let media = media_of(media);
                    quote!(form = form.part(#wire, #value.into_part(#media).map_err(|e| format!(#part_message, e))?);)
                }
                PartKind::Text(scalar) => {
                    let text = scalar_text(scalar, value.clone());
                    quote!(form = form.text(#wire, #text);)
                }
                PartKind::Files(media) => {
                    let media = media_of(media);
                    quote! {
                        for (i, value) in self.#ident.into_iter().enumerate() {
                            form = form.part(format!(#element, i), #value.into_part(#media).map_err(|e| format!(#part_message, e))?);
                        }
                    }
                }
                PartKind::Texts(scalar) => {
                    let text = scalar_text(scalar, value.clone());
                    quote! {
                        for (i, value) in self.#ident.into_iter().enumerate() {
                            form = form.text(format!(#element, i), #text);
                        }
                    }
                }
                PartKind::Objects(_) => quote! {
                    for (i, value) in self.#ident.into_iter().enumerate() {
                        let value = ::serde_json::to_value(value).map_err(|e| format!(#part_message, e))?;
                        form = bracket_fields(form, format!(#element, i), value);
                    }
                },
            };
            match (&part.kind, part.required) {
                (PartKind::Files(_), _) => {
                    clones.push(quote! {
                        #ident: self.#ident.iter().map(crate::FilePart::try_clone).collect::<::std::option::Option<_>>()?,
                    });
                    form_steps.push(step);
                }
                (PartKind::Texts(_) | PartKind::Objects(_), _) => {
                    clones.push(quote!(#ident: self.#ident.clone(),));
                    form_steps.push(step);
                }
                (PartKind::File(_), true) => {
                    clones.push(quote!(#ident: self.#ident.try_clone()?,));
                    form_steps.push(quote! { let value = self.#ident; #step });
                }
                (PartKind::File(_), false) => {
                    clones.push(quote! {
                        #ident: match &self.#ident {
                            Some(part) => Some(part.try_clone()?),
                            None => None,
                        },
                    });
                    form_steps.push(quote! { if let Some(value) = self.#ident { #step } });
                }
                (PartKind::Text(_), true) => {
                    clones.push(quote!(#ident: self.#ident.clone(),));
                    form_steps.push(quote! { let value = self.#ident; #step });
                }
                (PartKind::Text(_), false) => {
                    clones.push(quote!(#ident: self.#ident.clone(),));
                    form_steps.push(quote! { if let Some(value) = self.#ident { #step } });
                }
            }
        }
        let type_doc = format!(
            "The `{MEDIA_TYPE}` body of [`Client::{operation_name}`](super::Client::{operation_name}), one field per part.\n\nGenerated by the xtask from the spec (progenitor cannot generate multipart bodies)."
        );
        let body_type = quote! {
            #[doc = #type_doc]
            #[derive(Debug)]
            pub struct #body_ty {
                #(#fields)*
            }
            impl #body_ty {
                pub fn builder() -> builder::#body_ty {
                    Default::default()
                }
                /// A copy for another attempt; `None` when a file part is a stream, which
                /// one attempt consumes.
                pub fn try_clone(&self) -> ::std::option::Option<Self> {
                    Some(Self { #(#clones)* })
                }
                /// The multipart form, parts in the spec's order; an error names a part
                /// whose media type does not parse.
                pub(crate) fn into_form(self) -> ::std::result::Result<::reqwest::multipart::Form, ::std::string::String> {
                    #[allow(unused_mut)]
                    let mut form = ::reqwest::multipart::Form::new();
                    #(#form_steps)*
                    Ok(form)
                }
            }
        };
        let body_builder = quote! {
            #[derive(Debug)]
            pub struct #body_ty {
                #(#builder_fields)*
            }
            impl ::std::default::Default for #body_ty {
                fn default() -> Self {
                    Self { #(#defaults)* }
                }
            }
            impl #body_ty {
                #(#setters)*
            }
            impl ::std::convert::TryFrom<#body_ty> for super::#body_ty {
                type Error = super::error::ConversionError;
                fn try_from(value: #body_ty) -> ::std::result::Result<Self, super::error::ConversionError> {
                    Ok(Self { #(#from_builder)* })
                }
            }
            impl ::std::convert::From<super::#body_ty> for #body_ty {
                fn from(value: super::#body_ty) -> Self {
                    Self { #(#to_builder)* }
                }
            }
        };

        // The operation builder.
        let mut param_fields = Vec::new();
        let mut param_inits = Vec::new();
        let mut param_setters = Vec::new();
        let mut param_names = Vec::new();
        let mut param_checks = Vec::new();
        let mut queries = Vec::new();
        for param in &op.params {
            let ident = field_ident(&param.name);
            let base = scalar_type(&param.ty);
            let (ty, init, wrap) = if param.required {
                let message = format!("{ident} was not initialized");
                (
                    base.clone(),
                    quote!(Err(#message.to_string())),
                    quote!(value),
                )
            } else {
                (
                    quote!(::std::option::Option<#base>),
                    quote!(Ok(None)),
                    quote!(Some(value)),
                )
            };
            param_fields.push(quote!(#ident: ::std::result::Result<#ty, ::std::string::String>,));
            param_inits.push(quote!(#ident: #init,));
            let message = format!(
                "conversion to `{}` for {ident} failed",
                base.to_string().replace(' ', "")
            );
            let setter_doc = doc(param.description.as_deref());
            param_setters.push(quote! {
                #setter_doc
                pub fn #ident<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<#base>,
                {
                    self.#ident = value.try_into().map(|value| #wrap).map_err(|_| #message.to_string());
                    self
                }
            });
            param_names.push(quote!(#ident,));
            param_checks.push(quote!(let #ident = #ident.map_err(Error::InvalidRequest)?;));
            if !param.in_path {
                let wire = &param.name;
                queries.push(quote!(.query(&progenitor_client::QueryParam::new(#wire, &#ident))));
            }
        }
        // The URL: literal pieces of the template, and encoded path parameters.
        let mut template = String::from("{}");
        let mut url_args = Vec::new();
        let mut rest = op.path.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            template.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
            template.push_str("{}");
            let ident = field_ident(&rest[open + 1..close]);
            url_args.push(quote!(encode_path(&#ident.to_string())));
            rest = rest.get(close + 1..).unwrap_or("");
        }
        template.push_str(&rest.replace('{', "{{").replace('}', "}}"));
        let http_method = format_ident!("{}", op.method);
        let upper = op.method.to_ascii_uppercase();
        let mut arms = Vec::new();
        let mut sorted: Vec<&ResponseSpec> = op.responses.iter().collect();
        // Codes before ranges, so that no arm is unreachable; `default` last.
        sorted.sort_by_key(|r| match r.statuses {
            Some((lo, hi)) => (0, hi - lo, lo),
            None => (1, 0, 0),
        });
        let mut has_default = false;
        for response in sorted {
            let pattern = match response.statuses {
                Some((lo, hi)) if lo == hi => quote!(#lo),
                Some((lo, hi)) => quote!(#lo..=#hi),
                None => {
                    has_default = true;
                    quote!(_)
                }
            };
            let value = if response.schema.is_some() {
                quote!(ResponseValue::from_response(response).await)
            } else {
                quote!(Ok(ResponseValue::empty(response)))
            };
            let arm = if response.success {
                quote!(#pattern => #value,)
            } else if response.schema.is_some() {
                quote!(#pattern => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),)
            } else {
                quote!(#pattern => Err(Error::ErrorResponse(ResponseValue::empty(response))),)
            };
            arms.push(arm);
        }
        if !has_default {
            arms.push(quote!(_ => Err(Error::UnexpectedResponse(response)),));
        }
        let send_doc = format!(
            "Sends a `{upper}` request to `{}` with a `{MEDIA_TYPE}` body",
            op.path
        );
        let builder_doc = format!(
            "Builder for [`Client::{operation_name}`]\n\n[`Client::{operation_name}`]: super::Client::{operation_name}"
        );
        let body_message = format!("conversion to `{body_name}` for body failed: {{}}");
        let op_builder = quote! {
            #[doc = #builder_doc]
            #[derive(Debug)]
            pub struct #op_ty<'a> {
                client: &'a super::Client,
                #(#param_fields)*
                body: ::std::result::Result<types::builder::#body_ty, ::std::string::String>,
            }
            impl<'a> #op_ty<'a> {
                pub fn new(client: &'a super::Client) -> Self {
                    Self {
                        client: client,
                        #(#param_inits)*
                        body: Ok(::std::default::Default::default()),
                    }
                }
                #(#param_setters)*
                pub fn body<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<types::#body_ty>,
                    <V as std::convert::TryInto<types::#body_ty>>::Error: std::fmt::Display,
                {
                    self.body = value.try_into().map(From::from).map_err(|s| format!(#body_message, s));
                    self
                }
                pub fn body_map<F>(mut self, f: F) -> Self
                where
                    F: std::ops::FnOnce(types::builder::#body_ty) -> types::builder::#body_ty,
                {
                    self.body = self.body.map(f);
                    self
                }
                #[doc = #send_doc]
                pub async fn send(self) -> Result<ResponseValue<#ok_ty>, Error<#err_ty>> {
                    let Self { client, #(#param_names)* body } = self;
                    #(#param_checks)*
                    let body = body
                        .and_then(|v| types::#body_ty::try_from(v).map_err(|e| e.to_string()))
                        .map_err(Error::InvalidRequest)?;
                    let form = body.into_form().map_err(Error::InvalidRequest)?;
                    let url = format!(#template, client.baseurl, #(#url_args),*);
                    let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                    header_map.append(
                        ::reqwest::header::HeaderName::from_static("api-version"),
                        ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                    );
                    #[allow(unused_mut)]
                    let mut request = client
                        .client
                        .#http_method(url)
                        .header(
                            ::reqwest::header::ACCEPT,
                            ::reqwest::header::HeaderValue::from_static("application/json"),
                        )
                        #(#queries)*
                        .multipart(form)
                        .headers(header_map)
                        .build()?;
                    let info = OperationInfo {
                        operation_id: #operation_name,
                    };
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    client.post(&result, &info).await?;
                    let response = result?;
                    match response.status().as_u16() {
                        #(#arms)*
                    }
                }
            }
        };

        let mut method_doc = String::new();
        if let Some(summary) = &op.summary {
            method_doc.push_str(summary.trim());
            method_doc.push_str("\n\n");
        }
        if let Some(description) = &op.description {
            method_doc.push_str(description.trim());
            method_doc.push_str("\n\n");
        }
        method_doc.push_str(&format!(
            "Sends a `{upper}` request to `{}` with a `{MEDIA_TYPE}` body ([`types::{body_name}`]).\n\n```ignore\nlet response = client.{operation_name}()\n    .body(body)\n    .send()\n    .await;\n```",
            op.path
        ));
        let client_method = quote! {
            #[doc = #method_doc]
            pub fn #method(&self) -> builder::#op_ty<'_> {
                builder::#op_ty::new(self)
            }
        };
        Ok(Generated {
            body_type,
            body_builder,
            op_builder,
            client_method,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"openapi: 3.0.3
info:
  title: t
  version: "1"
paths:
  /files/{dirId}:
    post:
      operationId: upload-file
      parameters:
        - name: dirId
          in: path
          required: true
          schema:
            type: string
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file:
                  type: string
                  format: binary
                type:
                  type: string
                when:
                  $ref: "#/components/schemas/LocalDateTime"
            encoding:
              file:
                contentType: image/png
      responses:
        "201":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/File"
        "2XX":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/File"
        default:
          description: error
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
  /files:
    get:
      operationId: list-files
      responses:
        "200":
          description: ok
components:
  schemas:
    File:
      type: object
    Error:
      type: object
    LocalDateTime:
      type: string
"##;

    #[test]
    fn reads_parts_parameters_and_responses_from_the_spec() {
        let checked = crate::spec::parse(SPEC, "t.yaml").unwrap();
        let [op] = checked.multipart.as_slice() else {
            panic!("one multipart operation: {:?}", checked.multipart);
        };
        assert_eq!((op.path.as_str(), op.method), ("/files/{dirId}", "post"));
        let parts: Vec<String> = op
            .parts
            .iter()
            .map(|p| format!("{} {} {:?}", p.name, p.required, p.kind))
            .collect();
        assert_eq!(
            parts,
            [
                "file true File(Some(\"image/png\"))",
                "type false Text(String)",
                "when false Text(Replaced(\"crate::LocalDateTime\"))",
            ]
        );
        assert!(op.params[0].in_path && op.params[0].required);
        assert_eq!(op.responses.len(), 3);
        assert_eq!(op.responses[1].statuses, Some((200, 299)));
        assert_eq!(op.responses[2].statuses, None, "default");
    }

    #[test]
    fn progenitor_gets_the_spec_without_them() {
        let checked = crate::spec::parse(SPEC, "t.yaml").unwrap();
        let reduced = without_multipart(&checked.openapi, &checked.multipart);
        assert!(!reduced.paths.paths.contains_key("/files/{dirId}"));
        assert!(reduced.paths.paths.contains_key("/files"));
        assert!(checked.openapi.paths.paths.contains_key("/files/{dirId}"));
    }

    /// An inline response schema gets the name progenitor gives one (`{operationId}-response`),
    /// as a component of the spec progenitor reads; an error body of another schema gets
    /// `{operationId}-error-response`; a name a component already has is refused.
    #[test]
    fn inline_response_schemas_become_components_under_progenitors_names() {
        let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /uploads:\n    post:\n      operationId: create-upload\n      requestBody:\n        content:\n          multipart/form-data:\n            schema: {type: object, properties: {file: {type: string, format: binary}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: object, properties: {id: {type: string}}}\n        '201':\n          description: ok\n          content:\n            application/json:\n              schema: {type: object, properties: {id: {type: string}}}\n        '400':\n          description: bad\n          content:\n            application/json:\n              schema: {type: object, properties: {message: {type: string}}}\n";
        let checked = crate::spec::parse(spec, "t.yaml").unwrap();
        let reduced = without_multipart(&checked.openapi, &checked.multipart);
        let schemas = &reduced.components.as_ref().unwrap().schemas;
        let names: Vec<&str> = schemas.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["create-upload-response", "create-upload-error-response"]
        );
        let code = crate::codegen::generate_from_str(spec, "t.yaml").unwrap();
        assert!(code.contains("pub struct CreateUploadResponse"), "{code}");
        assert!(code.contains("ResponseValue<types::CreateUploadResponse>"));
        assert!(code.contains("Error<types::CreateUploadErrorResponse>"));
        let taken = format!(
            "{spec}components:\n  schemas:\n    create-upload-response: {{type: string}}\n"
        );
        let err = crate::spec::parse(&taken, "t.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.yaml:16: the multipart/form-data operation `create-upload` answers `200` with an inline schema, which progenitor names `create-upload-response`"), "{err}");
    }

    /// Arrays of files, of text values and of objects; and a multipart body beside a
    /// JSON one on the same operation.
    const ARRAYS: &str = r##"openapi: 3.0.3
info:
  title: t
  version: "1"
paths:
  /folders:
    post:
      operationId: create-folder
      parameters:
        - name: parent
          in: query
          schema:
            type: string
      requestBody:
        content:
          multipart/form-data:
            x-operation-id: upload-folder
            schema:
              type: object
              required: [files, owners]
              properties:
                files:
                  type: array
                  items:
                    type: string
                    format: binary
                labels:
                  type: array
                  items:
                    type: integer
                owners:
                  type: array
                  items:
                    $ref: "#/components/schemas/Owner"
            encoding:
              files:
                contentType: application/pdf
          application/json:
            schema:
              $ref: "#/components/schemas/Folder"
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Folder"
components:
  schemas:
    Folder:
      type: object
      properties:
        name:
          type: string
    Owner:
      type: object
      required: [email]
      properties:
        email:
          type: string
        admin:
          type: boolean
"##;

    #[test]
    fn reads_array_parts_and_a_body_of_its_own() {
        let checked = crate::spec::parse(ARRAYS, "t.yaml").unwrap();
        let [op] = checked.multipart.as_slice() else {
            panic!("one multipart operation: {:?}", checked.multipart);
        };
        assert_eq!(
            op.operation_id, "upload-folder",
            "named by its x-operation-id"
        );
        assert!(op.shared);
        let parts: Vec<String> = op
            .parts
            .iter()
            .map(|p| format!("{} {} {:?}", p.name, p.required, p.kind))
            .collect();
        assert_eq!(
            parts,
            [
                "files true Files(Some(\"application/pdf\"))",
                "labels false Texts(Integer)",
                "owners true Objects(\"Owner\")",
            ]
        );
        // progenitor keeps the operation, with the JSON body only.
        let reduced = without_multipart(&checked.openapi, &checked.multipart);
        let Some(openapiv3::ReferenceOr::Item(item)) = reduced.paths.paths.get("/folders") else {
            panic!("the path stays");
        };
        let Some(openapiv3::ReferenceOr::Item(body)) =
            item.post.as_ref().and_then(|op| op.request_body.as_ref())
        else {
            panic!("the JSON body stays");
        };
        assert_eq!(
            body.content.keys().collect::<Vec<_>>(),
            ["application/json"]
        );
    }

    #[test]
    fn generates_both_methods_and_the_bracket_form_of_arrays() {
        let code = crate::generate_from_str(ARRAYS, "t.yaml").unwrap();
        assert!(code.contains("pub fn upload_folder(&self) -> builder::UploadFolder<'_>"));
        assert!(code.contains("pub fn create_folder(&self) -> builder::CreateFolder<'_>"));
        assert!(code.contains("pub files: ::std::vec::Vec<crate::FilePart>"));
        assert!(code.contains("pub labels: ::std::vec::Vec<i64>"));
        assert!(code.contains("pub owners: ::std::vec::Vec<Owner>"));
        assert!(code.contains("format!(\"files[{}]\", i)"));
        assert!(code.contains("bracket_fields(form, format!(\"owners[{}]\", i), value)"));
        assert_eq!(code.matches("fn bracket_fields(").count(), 1);
    }

    #[test]
    fn keywords_become_raw_free_identifiers() {
        assert_eq!(field_ident("type").to_string(), "type_");
        assert_eq!(
            field_ident("sendNotification").to_string(),
            "send_notification"
        );
        assert_eq!(field_ident("amountExclVat").to_string(), "amount_excl_vat");
    }

    #[test]
    fn generates_code_that_parses_with_a_default_response_arm() {
        let code = crate::generate_from_str(SPEC, "t.yaml").unwrap();
        assert!(code.contains("pub fn upload_file(&self) -> builder::UploadFile<'_>"));
        assert!(code.contains("pub type_: ::std::option::Option<::std::string::String>"));
        assert!(
            code.contains("\"{}/files/{}\", client.baseurl, encode_path(& dir_id.to_string())")
        );
        assert!(code.contains("Some(\"image/png\")"));
        // `default` answers everything else, so there is no `UnexpectedResponse` arm.
        let send = &code[code
            .find("Sends a `POST` request to `/files/{dirId}`")
            .unwrap()..];
        assert!(!send[..send.find("impl").unwrap_or(send.len())].contains("UnexpectedResponse"));
    }
}
