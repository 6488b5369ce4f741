//! The wrapper's resource layer, written from the spec and the generated client.
//!
//! Every operation of the spec becomes, in `crates/mijnklantportaal/src/resources.rs`, a
//! method of its tag's handler (`client.customers().create()`) that takes the path ids
//! and returns a request builder: one setter per query parameter and per body field,
//! then `.send()` (or `.await`), through the wrapper's one call path with the
//! operation's retry rule. A paginated operation (its 200 answer is the simple-paginator
//! envelope) returns the wrapper's `Lister` instead. What the layer needs beyond the
//! spec's own facts is in the spec too:
//!
//! - on a tag, `x-mkp-accessor`: the handler's name on `Client` (default: the tag's
//!   name in snake case, without a trailing " API");
//! - on an operation, `x-mkp-method`: the method's name (default: the operationId in
//!   snake case); `x-mkp-check`: how a user finds out whether a write whose answer was
//!   lost was applied (quoted by `Error::MaybeApplied`); `x-mkp-settle: true`: the API
//!   refuses the action with 422 once it is done, so a 422 to a retry is settled by a
//!   hand-written read-back, `crate::handlers::<tag>::<method>_done`.
//!
//! The Rust types are read from the generated client (`generated.rs`), which this
//! layer calls: its request builders give each parameter's type, its body structs each
//! field's type and documentation, its `send` the response type. A new operation or
//! field in the spec is thus a new method or setter after `cargo xtask generate`, and
//! never breaks a caller: no user code names a struct literal of a body.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, StatusCode, Type};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::bundle::Bundle;
use crate::refs;
use crate::spec::{self, CheckedSpec, SpecError};
use crate::yaml;

/// The wrapper's resource layer, relative to the workspace root.
pub const RESOURCES_PATH: &str = "crates/mijnklantportaal/src/resources.rs";

/// The extension naming a tag's handler on `Client`.
pub const ACCESSOR: &str = "x-mkp-accessor";
/// The extension naming an operation's method.
pub const METHOD: &str = "x-mkp-method";
/// The extension saying how to find out whether a lost write was applied.
pub const CHECK: &str = "x-mkp-check";
/// The extension marking an action the API refuses with 422 once it is done.
pub const SETTLE: &str = "x-mkp-settle";

/// What the generated client declares: its request builders' fields and response
/// types, and its model structs' fields.
struct Generated {
    /// Builder name → its fields (without `client`).
    builders: BTreeMap<String, Vec<(String, syn::Type)>>,
    /// Builder name → the `T` of `send`'s `ResponseValue<T>`.
    responses: BTreeMap<String, syn::Type>,
    /// Builder name → the `E` of `send`'s `Error<E>` (its error body).
    errors: BTreeMap<String, String>,
    /// Model name → its fields.
    models: BTreeMap<String, Vec<ModelField>>,
    /// Enum name → its first variant (for documentation examples).
    first_variants: BTreeMap<String, String>,
    /// The newtypes of a string (the spec's ids: `CustomerId`).
    ids: std::collections::BTreeSet<String>,
}

struct ModelField {
    ident: String,
    ty: syn::Type,
    /// The JSON name (`serde(rename)`), or the Rust name.
    wire: String,
    docs: Vec<String>,
    /// `#[serde(default)]`: may be left out.
    defaulted: bool,
}

fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|s| s.lines().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn serde_facts(attrs: &[syn::Attribute]) -> (Option<String>, bool) {
    let mut rename = None;
    let mut defaulted = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.path.is_ident("default") {
                defaulted = true;
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::LitStr = meta.value()?.parse()?;
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    (rename, defaulted)
}

impl Generated {
    fn read(code: &str) -> Result<Generated, String> {
        let file = syn::parse_file(code).map_err(|e| e.to_string())?;
        let mut generated = Generated {
            builders: BTreeMap::new(),
            responses: BTreeMap::new(),
            errors: BTreeMap::new(),
            models: BTreeMap::new(),
            first_variants: BTreeMap::new(),
            ids: std::collections::BTreeSet::new(),
        };
        for item in &file.items {
            let syn::Item::Mod(module) = item else {
                continue;
            };
            let Some((_, items)) = &module.content else {
                continue;
            };
            if module.ident == "builder" {
                generated.read_builders(items);
            } else if module.ident == "types" {
                generated.read_models(items);
            }
        }
        Ok(generated)
    }

    fn read_builders(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    let fields = s
                        .fields
                        .iter()
                        .filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone())))
                        .filter(|(name, _)| name != "client")
                        .collect();
                    self.builders.insert(s.ident.to_string(), fields);
                }
                syn::Item::Impl(i) => {
                    let syn::Type::Path(self_ty) = &*i.self_ty else {
                        continue;
                    };
                    let Some(name) = self_ty.path.segments.last() else {
                        continue;
                    };
                    for member in &i.items {
                        let syn::ImplItem::Fn(f) = member else {
                            continue;
                        };
                        if f.sig.ident != "send" {
                            continue;
                        }
                        if let syn::ReturnType::Type(_, ty) = &f.sig.output
                            && let Some(inner) = generic_arg(ty, "Result")
                                .and_then(|ok| generic_arg(&ok, "ResponseValue"))
                        {
                            self.responses.insert(name.ident.to_string(), inner);
                            let error = error_body(ty).unwrap_or_else(|| "()".to_string());
                            self.errors.insert(name.ident.to_string(), error);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn read_models(&mut self, items: &[syn::Item]) {
        for item in items {
            if let syn::Item::Enum(e) = item
                && let Some(first) = e.variants.iter().find(|v| v.fields.is_empty())
            {
                self.first_variants
                    .insert(e.ident.to_string(), first.ident.to_string());
            }
            let syn::Item::Struct(s) = item else {
                continue;
            };
            if let syn::Fields::Unnamed(fields) = &s.fields
                && fields.unnamed.len() == 1
                && type_name(&fields.unnamed[0].ty).as_deref() == Some("String")
            {
                self.ids.insert(s.ident.to_string());
            }
            let fields = s
                .fields
                .iter()
                .filter_map(|f| {
                    let ident = f.ident.as_ref()?.to_string();
                    let (rename, defaulted) = serde_facts(&f.attrs);
                    Some(ModelField {
                        wire: rename.unwrap_or_else(|| ident.clone()),
                        ident,
                        ty: f.ty.clone(),
                        docs: doc_lines(&f.attrs),
                        defaulted,
                    })
                })
                .collect();
            self.models.insert(s.ident.to_string(), fields);
        }
    }
}

/// The first generic argument of `ty` when its last path segment is `name`.
fn generic_arg(ty: &syn::Type, name: &str) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// The error body of a `send`'s `Result<_, Error<E>>`: `E`'s name, `()` for none.
fn error_body(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    let error = args
        .args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .nth(1)?;
    match generic_arg(error, "Error") {
        Some(body) => Some(type_name(&body).unwrap_or_else(|| "()".to_string())),
        None => Some("()".to_string()),
    }
}

/// The last path segment's name of `ty`.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

const PRELUDE: [&str; 5] = ["Option", "Vec", "String", "Box", "Result"];

/// Rewrites the generated client's relative type paths (`types::X`, `crate::FilePart`,
/// a model's unqualified neighbour `X`) to paths from the wrapper.
fn rewrite(ty: &mut syn::Type) {
    match ty {
        syn::Type::Path(tp) => {
            for segment in tp.path.segments.iter_mut() {
                if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in args.args.iter_mut() {
                        if let syn::GenericArgument::Type(t) = arg {
                            rewrite(t);
                        }
                    }
                }
            }
            if tp.qself.is_some() || tp.path.leading_colon.is_some() {
                return;
            }
            let first = tp.path.segments[0].ident.to_string();
            let single = tp.path.segments.len() == 1;
            let mut prefixed: syn::Path = syn::parse_quote!(::mijnklantportaal_api);
            match first.as_str() {
                "types" => {}
                // The generated client's own names at its root.
                "ByteStream" | "FilePart" if single => {}
                "crate" | "super" => {
                    tp.path.segments = tp.path.segments.iter().skip(1).cloned().collect();
                }
                name if single
                    && name.starts_with(char::is_uppercase)
                    && !PRELUDE.contains(&name) =>
                {
                    prefixed.segments.push(syn::parse_quote!(types));
                }
                _ => return,
            }
            prefixed.segments.extend(tp.path.segments.iter().cloned());
            tp.path = prefixed;
        }
        syn::Type::Reference(r) => rewrite(&mut r.elem),
        syn::Type::Tuple(t) => t.elems.iter_mut().for_each(rewrite),
        _ => {}
    }
}

fn from_wrapper(ty: &syn::Type) -> syn::Type {
    let mut ty = ty.clone();
    rewrite(&mut ty);
    ty
}

/// One body field's setter.
enum FieldKind {
    /// Must be set before sending.
    Required,
    /// `Option<T>` in the model.
    Optional,
    /// A list the model defaults to empty.
    List,
    /// A list that must be set (it may be empty where the spec allows).
    RequiredList,
}

struct BodyField {
    ident: Ident,
    wire: String,
    /// The setter's value type (the `T` of `Option<T>`, the element of a list).
    value: syn::Type,
    kind: FieldKind,
    docs: Vec<String>,
    /// The spec's example value, for the documentation.
    example: Option<serde_json::Value>,
}

enum BodyKind {
    Json,
    Multipart,
}

struct Body {
    kind: BodyKind,
    model: syn::Type,
    fields: Vec<BodyField>,
}

struct Param {
    ident: Ident,
    ty: syn::Type,
    /// For a query parameter: whether it may be left out.
    optional: bool,
    wire: String,
    /// The spec's example value, for the documentation.
    example: Option<String>,
}

struct Op<'a> {
    /// The generated client's operation (a multipart body beside others has its own).
    id: &'a str,
    /// The spec's operationId: the retry rule's.
    spec_id: &'a str,
    pointer: String,
    accessor: String,
    name: Ident,
    builder: Ident,
    client_fn: Ident,
    path_params: Vec<Param>,
    query: Vec<Param>,
    body: Option<Body>,
    response: syn::Type,
    page_item: Option<syn::Type>,
    settle: bool,
    retry: spec::RetryRule,
    check: Option<String>,
    summary: Vec<String>,
    http: String,
}

fn ident(name: &str) -> Ident {
    syn::parse_str::<Ident>(name).unwrap_or_else(|_| Ident::new_raw(name, Span::call_site()))
}

/// The body schema (resolved) of `op`, with its media type.
fn body_media<'a>(
    openapi: &'a OpenAPI,
    op: &'a openapiv3::Operation,
    multipart: bool,
) -> Option<(&'a str, &'a openapiv3::MediaType)> {
    let body = match op.request_body.as_ref()? {
        ReferenceOr::Item(b) => b,
        ReferenceOr::Reference { reference } => {
            match openapi
                .components
                .as_ref()?
                .request_bodies
                .get(&refs::component(reference, "requestBodies")?)?
            {
                ReferenceOr::Item(b) => b,
                ReferenceOr::Reference { .. } => return None,
            }
        }
    };
    body.content
        .iter()
        .find(|(media, _)| media.starts_with("multipart/") == multipart)
        .map(|(media, content)| (media.as_str(), content))
}

fn resolve<'a>(openapi: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(s) => Some(s),
        ReferenceOr::Reference { reference } => {
            let name = refs::component(reference, "schemas")?;
            match openapi.components.as_ref()?.schemas.get(&name)? {
                ReferenceOr::Item(s) => Some(s),
                other => resolve(openapi, other),
            }
        }
    }
}

/// The required properties of an object schema (through `allOf`).
fn required_properties(openapi: &OpenAPI, schema: &Schema) -> Vec<String> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => o.required.clone(),
        SchemaKind::AllOf { all_of } => all_of
            .iter()
            .filter_map(|s| resolve(openapi, s))
            .flat_map(|s| required_properties(openapi, s))
            .collect(),
        _ => Vec::new(),
    }
}

/// The example of the parameter `name` of `op` (or of its path), if the spec gives one.
fn parameter_example(
    openapi: &OpenAPI,
    path: &str,
    op: &openapiv3::Operation,
    name: &str,
) -> Option<String> {
    let path_item = match openapi.paths.paths.get(path)? {
        ReferenceOr::Item(item) => item.parameters.as_slice(),
        ReferenceOr::Reference { .. } => &[],
    };
    let data = op.parameters.iter().chain(path_item).find_map(|p| {
        let p = match p {
            ReferenceOr::Item(p) => p,
            ReferenceOr::Reference { reference } => openapi
                .components
                .as_ref()?
                .parameters
                .get(&refs::component(reference, "parameters")?)?
                .as_item()?,
        };
        let data = p.parameter_data_ref();
        (data.name == name).then_some(data)
    })?;
    let value = data.example.clone().or_else(|| match &data.format {
        openapiv3::ParameterSchemaOrContent::Schema(schema) => {
            resolve(openapi, schema)?.schema_data.example.clone()
        }
        openapiv3::ParameterSchemaOrContent::Content(_) => None,
    })?;
    value.as_str().map(str::to_string)
}

/// The example of the property `name` of an object schema (through `allOf`).
fn property_example(openapi: &OpenAPI, schema: &Schema, name: &str) -> Option<serde_json::Value> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            let property = o.properties.get(name)?;
            let property = match property {
                ReferenceOr::Item(s) => s.as_ref(),
                ReferenceOr::Reference { reference } => {
                    let name = refs::component(reference, "schemas")?;
                    openapi.components.as_ref()?.schemas.get(&name)?.as_item()?
                }
            };
            property.schema_data.example.clone()
        }
        SchemaKind::AllOf { all_of } => all_of
            .iter()
            .filter_map(|s| resolve(openapi, s))
            .find_map(|s| property_example(openapi, s, name)),
        _ => None,
    }
}

/// The property names of an object schema (through `allOf`).
fn property_names(openapi: &OpenAPI, schema: &Schema) -> Vec<String> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => o.properties.keys().cloned().collect(),
        SchemaKind::AllOf { all_of } => all_of
            .iter()
            .filter_map(|s| resolve(openapi, s))
            .flat_map(|s| property_names(openapi, s))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `op` answers 200 with the simple-paginator envelope (`allOf` the shared
/// `SimplePaginator`).
fn is_paginated(openapi: &OpenAPI, op: &openapiv3::Operation) -> bool {
    let Some(ReferenceOr::Item(ok)) = op.responses.responses.get(&StatusCode::Code(200)) else {
        return false;
    };
    let Some(schema) = ok
        .content
        .get("application/json")
        .and_then(|m| m.schema.as_ref())
    else {
        return false;
    };
    let Some(schema) = resolve(openapi, schema) else {
        return false;
    };
    let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
        return false;
    };
    all_of.iter().any(|s| match s {
        ReferenceOr::Reference { reference } => {
            refs::component(reference, "schemas").as_deref() == Some("SimplePaginator")
        }
        ReferenceOr::Item(_) => false,
    })
}

/// The placeholders of a path template, in order.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// The tag's handler name.
fn accessor_of(openapi: &OpenAPI, tag: &str) -> String {
    openapi
        .tags
        .iter()
        .find(|t| t.name == tag)
        .and_then(|t| t.extensions.get(ACCESSOR)?.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| tag.trim_end_matches(" API").to_snake_case())
}

/// The model of `op`; with `multipart`, of its `multipart/form-data` body that the
/// xtask generates as an operation of its own (its `x-operation-id`) beside the others.
fn model<'a>(
    op: &'a openapiv3::Operation,
    path: &'a str,
    method: &'static str,
    openapi: &'a OpenAPI,
    generated: &Generated,
    bundle: &Bundle,
    multipart: Option<&'a str>,
) -> Result<Op<'a>, SpecError> {
    let pointer = spec::operation_pointer(path, method);
    let spec_id = op.operation_id.as_deref().unwrap_or(path);
    let id = multipart.unwrap_or(spec_id);
    let wants_multipart = multipart.is_some()
        || body_media(openapi, op, false).is_none() && body_media(openapi, op, true).is_some();
    let extensions = match multipart {
        Some(_) => body_media(openapi, op, true).map(|(_, m)| &m.extensions),
        None => Some(&op.extensions),
    };
    let problem = |at: &str, problem: String| SpecError::Resource {
        at: bundle.locate(at),
        operation: id.to_string(),
        problem,
    };
    let tag = op.tags.first().ok_or_else(|| {
        problem(
            &pointer,
            "has no tag: give the operation a `tags` entry".into(),
        )
    })?;
    let builder = id.to_upper_camel_case();
    let fields = generated.builders.get(&builder).ok_or_else(|| {
        problem(
            &pointer,
            format!("finds no request builder `{builder}` in the generated client"),
        )
    })?;
    let response = generated.responses.get(&builder).ok_or_else(|| {
        problem(
            &pointer,
            format!("finds no `send` of `{builder}` in the generated client"),
        )
    })?;
    // The wrapper maps the API's one error body; an operation without it would not fit.
    match generated.errors.get(&builder).map(String::as_str) {
        Some("ErrorBody") => {}
        _ => {
            return Err(problem(
                &pointer,
                "has no error responses with the shared `ErrorBody`: declare them as the other operations do (`\"4XX\": $ref: \"#/components/responses/ClientError\"` and the rest)".into(),
            ));
        }
    }
    let name = match extensions.and_then(|e| e.get(METHOD)) {
        None => id.to_snake_case(),
        Some(serde_json::Value::String(name))
            if syn::parse_str::<Ident>(name).is_ok() && *name == name.to_snake_case() =>
        {
            name.clone()
        }
        Some(other) => {
            return Err(problem(
                &yaml::child(&pointer, METHOD),
                format!("cannot be called {other}: `{METHOD}` is a method name in snake case"),
            ));
        }
    };
    let in_path = placeholders(path);
    let mut path_params = Vec::new();
    let mut query = Vec::new();
    let mut body_ty = None;
    for (field, ty) in fields {
        // Every field of a progenitor builder is `Result<T, String>`.
        let inner = generic_arg(ty, "Result").unwrap_or_else(|| ty.clone());
        if field == "body" {
            body_ty = Some(inner);
            continue;
        }
        if let Some(wire) = in_path.iter().find(|p| p.to_snake_case() == *field) {
            path_params.push(Param {
                ident: ident(field),
                ty: from_wrapper(&inner),
                optional: false,
                wire: wire.to_string(),
                example: parameter_example(openapi, path, op, wire),
            });
            continue;
        }
        let wire = op
            .parameters
            .iter()
            .filter_map(|p| match p {
                ReferenceOr::Item(p) => Some(p.parameter_data_ref().name.clone()),
                ReferenceOr::Reference { reference } => refs::component(reference, "parameters")
                    .and_then(|n| openapi.components.as_ref()?.parameters.get(&n))
                    .and_then(|p| p.as_item())
                    .map(|p| p.parameter_data_ref().name.clone()),
            })
            .find(|n| n.to_snake_case() == *field)
            .unwrap_or_else(|| field.clone());
        let (ty, optional) = match generic_arg(&inner, "Option") {
            Some(t) => (t, true),
            None => (inner, false),
        };
        query.push(Param {
            ident: ident(field),
            ty: from_wrapper(&ty),
            optional,
            example: parameter_example(openapi, path, op, &wire),
            wire,
        });
    }
    // Path ids in the order of the path template.
    path_params.sort_by_key(|p| in_path.iter().position(|w| *w == p.wire));
    let page_item = if is_paginated(openapi, op) {
        let page = type_name(response).unwrap_or_default();
        let item = generated
            .models
            .get(&page)
            .and_then(|fields| fields.iter().find(|f| f.ident == "data"))
            .and_then(|f| generic_arg(&f.ty, "Vec"))
            .ok_or_else(|| {
                problem(
                    &pointer,
                    format!("finds no `data: Vec<..>` in the page type `{page}`"),
                )
            })?;
        if let Some(q) = query.iter().find(|q| q.ident != "page") {
            return Err(problem(
                &pointer,
                format!(
                    "is a listing with the query parameter `{}`: the paginator takes only `page` so far",
                    q.wire
                ),
            ));
        }
        query.clear();
        Some(from_wrapper(&item))
    } else {
        None
    };
    let body = match body_ty {
        None => None,
        Some(ty) => {
            let model_name = type_name(&ty).unwrap_or_default();
            let model_fields = generated.models.get(&model_name).ok_or_else(|| {
                problem(
                    &pointer,
                    format!("finds no body type `{model_name}` in the generated client"),
                )
            })?;
            let (media, schema) = body_media(openapi, op, wants_multipart)
                .and_then(|(media, m)| Some((media, resolve(openapi, m.schema.as_ref()?)?)))
                .ok_or_else(|| {
                    problem(
                        &pointer,
                        "has a body without a schema the layer can read".into(),
                    )
                })?;
            let required = required_properties(openapi, schema);
            let properties = property_names(openapi, schema);
            let fields = model_fields
                .iter()
                .map(|f| {
                    // The API's name of the field (a multipart part has no serde rename).
                    let wire = properties
                        .iter()
                        .find(|p| **p == f.wire || p.to_snake_case() == f.ident)
                        .cloned()
                        .unwrap_or_else(|| f.wire.clone());
                    let wire_required = required
                        .iter()
                        .any(|r| *r == f.wire || r.to_snake_case() == f.ident);
                    let (kind, value) = if let Some(t) = generic_arg(&f.ty, "Option") {
                        (FieldKind::Optional, t)
                    } else if let Some(t) = generic_arg(&f.ty, "Vec") {
                        if f.defaulted || !wire_required {
                            (FieldKind::List, t)
                        } else {
                            (FieldKind::RequiredList, t)
                        }
                    } else {
                        (FieldKind::Required, f.ty.clone())
                    };
                    BodyField {
                        ident: ident(&f.ident),
                        example: property_example(openapi, schema, &wire),
                        wire,
                        value: from_wrapper(&value),
                        kind,
                        docs: f.docs.clone(),
                    }
                })
                .collect();
            Some(Body {
                kind: if media.starts_with("multipart/") {
                    BodyKind::Multipart
                } else {
                    BodyKind::Json
                },
                model: from_wrapper(
                    &syn::parse_str::<syn::Type>(&format!("types::{model_name}"))
                        .map_err(|e| problem(&pointer, e.to_string()))?,
                ),
                fields,
            })
        }
    };
    let settle = op.extensions.get(SETTLE) == Some(&serde_json::Value::Bool(true));
    let check = op
        .extensions
        .get(CHECK)
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let retry = spec::retry_rule(method, op).unwrap_or(spec::RetryRule::Once);
    let mut summary: Vec<String> = op.summary.iter().map(|s| s.trim().to_string()).collect();
    if let Some(description) = &op.description {
        summary.push(String::new());
        summary.extend(description.trim().lines().map(str::to_string));
    }
    Ok(Op {
        id,
        spec_id,
        http: format!("{} {path}", method.to_ascii_uppercase()),
        pointer,
        accessor: accessor_of(openapi, tag),
        name: ident(&name),
        builder: ident(&builder),
        client_fn: ident(&id.to_snake_case()),
        path_params,
        query,
        body,
        response: from_wrapper(response),
        page_item,
        settle,
        retry,
        check,
        summary,
    })
}

fn docs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

/// A `types::X` path from the wrapper, for a body type given relative to `types`.
fn op_const(op: &Op<'_>) -> Ident {
    format_ident!(
        "{}",
        heck::ToShoutySnakeCase::to_shouty_snake_case(op.spec_id)
    )
}

/// A Rust expression of type `ty` for a documentation example, from the spec's example
/// where there is one; `None` for a type without an obvious value (a nested object).
fn example_value(
    ty: &syn::Type,
    example: Option<&serde_json::Value>,
    fallback: &str,
    code: &Generated,
) -> Option<String> {
    let name = type_name(ty)?;
    let text = example.and_then(|e| match e {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    Some(match name.as_str() {
        "String" => format!("{:?}", text.as_deref().unwrap_or(fallback)),
        "Decimal" => {
            let text = text.unwrap_or_else(|| "12.95".into());
            let (units, cents) = text.split_once('.').unwrap_or((&text, ""));
            let mantissa: i64 = format!("{units}{cents}").parse().ok()?;
            format!("rust_decimal::Decimal::new({mantissa}, {})", cents.len())
        }
        "NaiveDate" => {
            let text = text.unwrap_or_else(|| "2025-06-01".into());
            let mut parts = text.splitn(3, '-').map(|p| p.parse::<u32>().ok());
            let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
            format!("chrono::NaiveDate::from_ymd_opt({y}, {m}, {d}).expect(\"a date\")")
        }
        "LocalDateTime" => "chrono::Utc::now()".into(),
        "bool" => example.and_then(serde_json::Value::as_bool).unwrap_or(true).to_string(),
        "NonZeroU64" | "NonZeroU32" => format!(
            "std::num::{name}::new({}).expect(\"not zero\")",
            text.unwrap_or_else(|| "1".into())
        ),
        "u64" | "u32" | "i64" | "i32" => text.unwrap_or_else(|| "1".into()),
        "FilePart" => "mijnklantportaal::FilePart::bytes(\"document.pdf\", b\"%PDF-1.4\".to_vec())\n    .media_type(\"application/pdf\")".into(),
        id if code.ids.contains(id) => format!(
            "mijnklantportaal::api::types::{id}::from({:?})",
            text.as_deref().unwrap_or(fallback)
        ),
        other => {
            let variant = code.first_variants.get(other)?;
            format!("mijnklantportaal::api::types::{other}::{variant}")
        }
    })
}

/// A documentation example of the method of `op`: its path ids and required fields
/// from the spec's examples, sent.
fn example(op: &Op<'_>, code: &Generated) -> Vec<String> {
    let ids = &code.ids;
    let args: Vec<String> = op
        .path_params
        .iter()
        .map(|p| {
            let id = format!("{:?}", p.example.as_deref().unwrap_or(&p.wire));
            match type_name(&p.ty) {
                Some(name) if is_id(&p.ty, ids) => format!("mijnklantportaal::{name}::from({id})"),
                _ => id,
            }
        })
        .collect();
    let mut call = format!("client.{}().{}({})", op.accessor, op.name, args.join(", "));
    let mut setters = Vec::new();
    for q in op.query.iter().filter(|q| !q.optional) {
        let value = example_value(&q.ty, None, &q.wire, code);
        if let Some(value) = value {
            setters.push(format!(".{}({value})", q.ident));
        }
    }
    for f in op.body.iter().flat_map(|b| &b.fields) {
        let value = match f.kind {
            FieldKind::Required => example_value(&f.value, f.example.as_ref(), &f.wire, code),
            FieldKind::RequiredList => {
                let element = f
                    .example
                    .as_ref()
                    .and_then(|e| e.as_array()?.first().cloned());
                example_value(&f.value, element.as_ref(), &f.wire, code).map(|v| format!("[{v}]"))
            }
            FieldKind::Optional | FieldKind::List => continue,
        };
        if let Some(value) = value {
            setters.push(format!(".{}({value})", f.ident));
        }
    }
    let mut lines = vec![
        "```no_run".to_string(),
        "# async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {"
            .to_string(),
    ];
    if op.page_item.is_some() {
        call.push_str(".collect_all().await?;");
        lines.push(format!("let all = {call}"));
        lines.push("println!(\"{} listed\", all.len());".to_string());
    } else if setters.is_empty() {
        lines.push(format!("let answer = {call}.await?;"));
    } else {
        lines.push(format!("let answer = {call}"));
        lines.extend(
            setters
                .iter()
                .flat_map(|s| s.lines())
                .map(|l| format!("    {l}")),
        );
        lines.push("    .await?;".to_string());
    }
    lines.push("# Ok(())".to_string());
    lines.push("# }".to_string());
    lines.push("```".to_string());
    lines
}

/// How a method or setter takes a `value`: an id only as that id (by value or by
/// reference: swapped ids do not compile, a string is converted explicitly), anything
/// else as whatever converts into it. Gives the parameter's bound and the expression
/// that makes a `value` of `input`.
fn conversion(
    value: &syn::Type,
    ids: &std::collections::BTreeSet<String>,
    input: TokenStream,
) -> (TokenStream, TokenStream) {
    if is_id(value, ids) {
        (
            quote!(::std::borrow::Borrow<#value>),
            quote!(::std::borrow::Borrow::<#value>::borrow(&#input).clone()),
        )
    } else {
        (quote!(::std::convert::Into<#value>), quote!(#input.into()))
    }
}

/// Whether `ty` is one of the spec's ids (a generated newtype of a string: `CustomerId`).
fn is_id(ty: &syn::Type, ids: &std::collections::BTreeSet<String>) -> bool {
    type_name(ty).is_some_and(|name| ids.contains(&name))
}

/// What a retry of `op` may do, as its method's documentation says it.
fn retry_docs(op: &Op<'_>) -> String {
    let check = op
        .check
        .as_deref()
        .map(|c| format!(" (to find out: {c})"))
        .unwrap_or_default();
    match (op.retry, op.settle) {
        (spec::RetryRule::Safe, false) => "Retried after any transient failure.".to_string(),
        (spec::RetryRule::Safe, true) => format!(
            "Retried after any transient failure; the API refuses it with 422 once done, so a 422 to a retry after a lost answer is settled by reading the resource back{check}."
        ),
        (spec::RetryRule::Once, _) => format!(
            "Sent again only when the server provably did not process it (no connection, 408, 429, the API's maintenance 503); after any other failure it may or may not have been applied: [`Error::MaybeApplied`]{check}."
        ),
    }
}

fn render_op(op: &Op<'_>, code: &Generated) -> TokenStream {
    let ids = &code.ids;
    let handler = format_ident!("{}", op.accessor.to_upper_camel_case());
    let Op {
        name,
        builder,
        client_fn,
        response,
        ..
    } = op;
    let constant = op_const(op);
    let http = &op.http;
    let id = op.spec_id;
    let mut method_docs = op.summary.clone();
    method_docs.push(String::new());
    method_docs.push(format!("`{http}` (`{id}`). {}", retry_docs(op)));
    method_docs.push(String::new());
    method_docs.extend(example(op, code));
    let method_docs = docs(&method_docs);
    // The path ids, taken as [`conversion`] says.
    let (args, take): (Vec<TokenStream>, Vec<TokenStream>) = op
        .path_params
        .iter()
        .map(|p| {
            let ident = &p.ident;
            let (bound, make) = conversion(&p.ty, ids, quote!(#ident));
            (quote!(#ident: impl #bound), quote!(#ident: #make))
        })
        .unzip();
    let arg_names: Vec<&Ident> = op.path_params.iter().map(|p| &p.ident).collect();
    let path_tys: Vec<&syn::Type> = op.path_params.iter().map(|p| &p.ty).collect();

    if let Some(item) = &op.page_item {
        let list_docs = docs(&[format!(
            "`{http}` (`{id}`) as a [`ListOperation`](crate::ListOperation): the one paginator's listing of it."
        )]);
        let page = response;
        let derive = if arg_names.is_empty() {
            quote!(#[derive(Debug, Clone, Copy)])
        } else {
            quote!(#[derive(Debug, Clone)])
        };
        let body = if arg_names.is_empty() {
            quote!(;)
        } else {
            quote!({ #(#arg_names: #path_tys,)* })
        };
        let set_args = arg_names.iter().map(|a| quote!(.#a(self.#a.clone())));
        return quote! {
            impl<'c> #handler<'c> {
                #method_docs
                pub fn #name(&self, #(#args),*) -> Lister<#builder> {
                    self.client.list(#builder { #(#take),* })
                }
            }

            #list_docs
            #derive
            pub struct #builder #body


            impl crate::pagination::ListOperation for #builder {
                type Page = #page;
                type Item = #item;
                const PATH: &'static str = operations::#constant.path;

                fn send<'a>(
                    &self,
                    api: &'a mijnklantportaal_api::Client,
                    page: ::std::num::NonZeroU32,
                ) -> BoxFuture<'a, ::std::result::Result<mijnklantportaal_api::ResponseValue<Self::Page>, ApiError>> {
                    api.#client_fn()#(#set_args)*.page(page).send().boxed()
                }

                fn id(item: &Self::Item) -> &str {
                    &item.id
                }
            }
        };
    }

    // The request builder's fields: the path ids, the query parameters, the body's fields.
    let mut fields = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for p in &op.path_params {
        let (ident, ty) = (&p.ident, &p.ty);
        fields.push(quote!(pub(crate) #ident: #ty));
    }
    inits.extend(take.iter().cloned());
    for q in &op.query {
        let (ident, ty) = (&q.ident, &q.ty);
        fields.push(quote!(pub(crate) #ident: ::std::option::Option<#ty>));
        inits.push(quote!(#ident: ::std::option::Option::None));
        let what = if q.optional { "" } else { " (required)" };
        let doc = docs(&[format!("The query parameter `{}`{what}.", q.wire)]);
        setters.push(quote! {
            #doc
            pub fn #ident(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                self.#ident = ::std::option::Option::Some(value.into());
                self
            }
        });
    }
    if let Some(body) = &op.body {
        for f in &body.fields {
            let (ident, value) = (&f.ident, &f.value);
            let mut lines = f.docs.clone();
            if lines.is_empty() {
                lines.push(format!("The body field `{}`.", f.wire));
            }
            match f.kind {
                FieldKind::Required | FieldKind::RequiredList => {
                    lines.push(String::new());
                    lines.push(format!(
                        "Required: without it, sending fails with [`Error::MissingField`] and nothing is sent (the field `{}`).",
                        f.wire
                    ));
                }
                FieldKind::Optional => {}
                FieldKind::List => {
                    lines.push(String::new());
                    lines.push("Replaces what an earlier call set; empty when not set.".into());
                }
            }
            let doc = docs(&lines);
            match f.kind {
                FieldKind::Required | FieldKind::Optional => {
                    fields.push(quote!(pub(crate) #ident: ::std::option::Option<#value>));
                    inits.push(quote!(#ident: ::std::option::Option::None));
                    let (takes, take) = conversion(value, ids, quote!(value));
                    setters.push(quote! {
                        #doc
                        pub fn #ident(mut self, value: impl #takes) -> Self {
                            self.#ident = ::std::option::Option::Some(#take);
                            self
                        }
                    });
                }
                FieldKind::List | FieldKind::RequiredList => {
                    let (takes, make) = conversion(value, ids, quote!(v));
                    let take = quote!(|v| #make);
                    let (ty, init, set) = if matches!(f.kind, FieldKind::List) {
                        (
                            quote!(::std::vec::Vec<#value>),
                            quote!(::std::vec::Vec::new()),
                            quote!(values.into_iter().map(#take).collect()),
                        )
                    } else {
                        (
                            quote!(::std::option::Option<::std::vec::Vec<#value>>),
                            quote!(::std::option::Option::None),
                            quote!(::std::option::Option::Some(
                                values.into_iter().map(#take).collect()
                            )),
                        )
                    };
                    fields.push(quote!(pub(crate) #ident: #ty));
                    inits.push(quote!(#ident: #init));
                    setters.push(quote! {
                        #doc
                        pub fn #ident<I>(mut self, values: I) -> Self
                        where
                            I: ::std::iter::IntoIterator,
                            I::Item: #takes,
                        {
                            self.#ident = #set;
                            self
                        }
                    });
                }
            }
        }
    }

    // `send`: check the required fields, build the body, send through the one call path.
    let path_args: Vec<TokenStream> = op
        .path_params
        .iter()
        .map(|p| {
            let ident = &p.ident;
            quote!(.#ident(#ident.clone()))
        })
        .collect();
    let mut unpack = Vec::new();
    for p in &op.path_params {
        let ident = &p.ident;
        unpack.push(quote!(let #ident = self.#ident;));
    }
    let mut query_sets = Vec::new();
    for q in &op.query {
        let ident = &q.ident;
        let wire = &q.wire;
        if q.optional {
            unpack.push(quote!(let #ident = self.#ident;));
            query_sets.push(quote! {
                if let ::std::option::Option::Some(value) = &#ident {
                    request = request.#ident(value.clone());
                }
            });
        } else {
            unpack.push(quote! {
                let #ident = self.#ident.ok_or(Error::MissingField {
                    operation: #id,
                    field: #wire,
                })?;
            });
            query_sets.push(quote!(request = request.#ident(#ident.clone());));
        }
    }
    let make_body = match &op.body {
        None => quote!(),
        Some(body) => {
            let model = &body.model;
            let values = body.fields.iter().map(|f| {
                let ident = &f.ident;
                let wire = &f.wire;
                match f.kind {
                    FieldKind::Required | FieldKind::RequiredList => quote! {
                        #ident: self.#ident.ok_or(Error::MissingField {
                            operation: #id,
                            field: #wire,
                        })?
                    },
                    FieldKind::Optional | FieldKind::List => quote!(#ident: self.#ident),
                }
            });
            quote!(let body = #model { #(#values,)* };)
        }
    };
    let with_body = match &op.body {
        None => quote!(),
        Some(Body {
            kind: BodyKind::Json,
            ..
        }) => quote!(.body(body.clone())),
        Some(Body {
            kind: BodyKind::Multipart,
            ..
        }) => quote!(.body(body)),
    };
    let request = quote! {
        #[allow(unused_mut)]
        let mut request = api.#client_fn()#(#path_args)*#with_body;
        #(#query_sets)*
        request.send().boxed()
    };
    let multipart_impl = match &op.body {
        Some(Body {
            kind: BodyKind::Multipart,
            model,
            ..
        }) => quote! {
            impl crate::handlers::MultipartBody for #model {
                fn try_clone(&self) -> ::std::option::Option<Self> {
                    #model::try_clone(self)
                }
            }
        },
        _ => quote!(),
    };
    let run = match (&op.body, op.settle) {
        (
            Some(Body {
                kind: BodyKind::Multipart,
                ..
            }),
            _,
        ) => quote!(client.inner.upload(call, body, |api, body| { #request }).await),
        (_, true) => {
            let module = format_ident!("{}", op.accessor);
            let done = format_ident!("{}_done", name);
            quote! {
                client
                    .inner
                    .settle(call, |api| { #request }, || {
                        crate::handlers::#module::#done(client, #(&#arg_names),*)
                    })
                    .await
            }
        }
        _ => quote!(client.inner.once(call, |api| { #request }).await),
    };
    let builder_docs = docs(&[format!(
        "A request of `{http}` (`{id}`), made by [`{handler}::{name}`]: set what it needs, then [`send`](Self::send) it (or `.await` it)."
    )]);
    let send_docs = docs(&[
        "Sends the request, paced and retried by the operation's rule in the spec.".into(),
        String::new(),
        "A required body field that was not set is [`Error::MissingField`], and nothing is sent."
            .into(),
    ]);

    quote! {
        impl<'c> #handler<'c> {
            #method_docs
            pub fn #name(&self, #(#args),*) -> #builder<'c> {
                #builder {
                    client: self.client,
                    #(#inits,)*
                }
            }
        }

        #builder_docs
        #[derive(Debug)]
        #[must_use = "a request does nothing until it is sent: `.send().await` or `.await`"]
        pub struct #builder<'c> {
            pub(crate) client: &'c Client,
            #(#fields,)*
        }

        impl<'c> #builder<'c> {
            #(#setters)*

            #send_docs
            pub async fn send(self) -> ::std::result::Result<#response, Error> {
                let client = self.client;
                #make_body
                #(#unpack)*
                let call = Call::of(operations::#constant);
                #run
            }
        }

        #multipart_impl

        impl<'c> ::std::future::IntoFuture for #builder<'c> {
            type Output = ::std::result::Result<#response, Error>;
            type IntoFuture = BoxFuture<'c, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                self.send().boxed()
            }
        }
    }
}

/// The Rust source of the resource layer of a checked spec read from `bundle`, calling
/// `generated` (the generated client's source).
pub fn render(
    checked: &CheckedSpec,
    bundle: &Bundle,
    generated: &str,
) -> Result<String, SpecError> {
    spec::check_retry_rules(&checked.openapi, bundle)?;
    let code = Generated::read(generated).map_err(|message| SpecError::Resource {
        at: bundle.locate(""),
        operation: String::new(),
        problem: format!("cannot read the generated client: {message}"),
    })?;
    let openapi = &checked.openapi;
    let mut ops = Vec::new();
    for (path, method, op) in spec::operations(openapi) {
        ops.push(model(op, path, method, openapi, &code, bundle, None)?);
        for shared in checked
            .multipart
            .iter()
            .filter(|m| m.shared && m.path == path && m.method == method)
        {
            let id = shared.operation_id.as_str();
            ops.push(model(op, path, method, openapi, &code, bundle, Some(id))?);
        }
    }
    // Two operations of one handler with one method name would not compile.
    let mut seen: BTreeMap<(String, String), &Op<'_>> = BTreeMap::new();
    for op in &ops {
        if let Some(first) = seen.insert((op.accessor.clone(), op.name.to_string()), op) {
            return Err(SpecError::Resource {
                at: bundle.locate(&op.pointer),
                operation: op.id.to_string(),
                problem: format!(
                    "would be `{}().{}()`, like `{}`'s: give one of them another `{METHOD}`",
                    op.accessor, op.name, first.id
                ),
            });
        }
    }
    // Each page type's `SimplePage` impl once, however many operations answer with it.
    let mut pages: BTreeMap<String, TokenStream> = BTreeMap::new();
    for op in &ops {
        if let Some(item) = &op.page_item {
            let page = &op.response;
            pages
                .entry(quote!(#page).to_string())
                .or_insert_with(|| quote!(crate::pagination::simple_page!(#page => #item);));
        }
    }
    let mut handlers: BTreeMap<&str, (Option<&str>, Vec<&Op<'_>>)> = BTreeMap::new();
    for op in &ops {
        handlers.entry(op.accessor.as_str()).or_default().1.push(op);
    }
    for tag in &openapi.tags {
        let accessor = accessor_of(openapi, &tag.name);
        if let Some(entry) = handlers.get_mut(accessor.as_str()) {
            entry.0 = tag.description.as_deref();
        }
    }
    let mut items = Vec::new();
    for (accessor, (description, ops)) in &handlers {
        let handler = format_ident!("{}", accessor.to_upper_camel_case());
        let method = format_ident!("{}", accessor);
        let description = description.unwrap_or("").trim();
        let first = description.lines().next().unwrap_or("").trim();
        let accessor_docs = docs(&[if first.is_empty() {
            format!("The endpoints of `{accessor}`.")
        } else {
            first.to_string()
        }]);
        let handler_docs = docs(&[format!(
            "The {} operations of this API area; made by [`Client::{accessor}`].",
            ops.len()
        )]);
        items.push(quote! {
            #handler_docs
            #[derive(Debug, Clone, Copy)]
            pub struct #handler<'c> {
                pub(crate) client: &'c Client,
            }

            impl Client {
                #accessor_docs
                pub fn #method(&self) -> #handler<'_> {
                    #handler { client: self }
                }
            }
        });
        for op in ops {
            items.push(render_op(op, &code));
        }
    }
    items.extend(pages.into_values());
    // The spec's ids, at the crate's root with the handlers that take them.
    let ids = code.ids.iter().map(|name| format_ident!("{}", name));
    let file: syn::File = syn::parse2(quote! {
        pub use mijnklantportaal_api::types::{#(#ids),*};

        use futures::FutureExt as _;
        use futures::future::BoxFuture;

        use crate::client::{ApiError, Call, Client};
        use crate::error::Error;
        use crate::operations;
        use crate::pagination::Lister;

        #(#items)*
    })
    .map_err(|e| SpecError::Resource {
        at: bundle.locate(""),
        operation: String::new(),
        problem: format!("does not parse as Rust: {e}"),
    })?;
    let display_name = &bundle.name;
    Ok(format!(
        "// @generated by `cargo xtask generate` from {display_name}.\n\
         // Do not edit: change the spec and run `cargo xtask generate`. `cargo xtask generate\n\
         // --check` fails when this file is stale.\n\
         \n\
         //! The resource layer: every operation of the spec as a method of its area's\n\
         //! handler (`client.customers().create()`), returning a request builder with one\n\
         //! setter per parameter and body field, sent through the one call path with the\n\
         //! operation's retry rule; a listing returns the one [`Lister`]. Conveniences that\n\
         //! are not mechanical are hand-written next to it, in `handlers/`.\n\
         \n{}",
        prettyplease::unparse(&file)
    ))
}
