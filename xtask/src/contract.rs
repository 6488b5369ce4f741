//! The HTTP view of a spec change: what breaks clients that are already deployed.
//!
//! The Rust view (`crate::semver`) says what breaks code that is compiled against the
//! new crate. A deployed client is compiled against the old one and talks to the new
//! server: it breaks at run time when a response no longer decodes (a field removed or
//! made nullable, a value it cannot represent) or when the server rejects a request it
//! still sends (a parameter or field made required, an operation removed), even where
//! the Rust API does not change. This module compares the two documents for exactly
//! those changes, following `$ref`s into `components/schemas`.

use std::collections::BTreeSet;
use std::fmt;

use openapiv3::{
    OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema, SchemaKind, StatusCode, Type,
};

/// How a deployed client is affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Deployed clients fail at run time.
    Breaking,
    /// Deployed clients keep working, but see something different.
    Caution,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Breaking => "breaking",
            Severity::Caution => "caution",
        })
    }
}

/// One run-time consequence of a spec change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// How deployed clients are affected.
    pub severity: Severity,
    /// `METHOD /path` of the operation.
    pub operation: String,
    /// Where in the operation: `response 200 (Page)`, `Invoice.paidAt`, `query parameter `page``.
    pub place: String,
    /// What changed and what it does to a deployed client, in words.
    pub what: String,
}

/// What deployed clients do with a string they do not know in an enum of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumFallback {
    /// They keep it (`Unknown(String)`): a new value is not an error.
    Keeps,
    /// They fail to decode the response.
    Fails,
}

/// The run-time differences between two specs, most severe first.
pub fn compare(base: &OpenAPI, now: &OpenAPI, fallback: EnumFallback) -> Vec<Finding> {
    let (base, now) = (&merge_all_of(base), &merge_all_of(now));
    let mut out = Vec::new();
    let now_ops = operations(now);
    for (id, (base_place, base_op)) in operations(base) {
        let Some((now_place, now_op)) = now_ops.iter().find(|(i, _)| *i == id).map(|(_, v)| v)
        else {
            out.push(Finding {
                severity: Severity::Breaking,
                operation: base_place.clone(),
                place: String::new(),
                what: format!(
                    "operation `{id}` removed: deployed clients that call it get an error"
                ),
            });
            continue;
        };
        if *now_place != base_place {
            out.push(Finding {
                severity: Severity::Breaking,
                operation: base_place.clone(),
                place: String::new(),
                what: format!(
                    "operation `{id}` moved to `{now_place}`: deployed clients call the old address"
                ),
            });
        }
        let cx = Cx {
            base,
            now,
            fallback,
            place: now_place.clone(),
        };
        cx.parameters(&base_op.parameters, &now_op.parameters, &mut out);
        if let (Some(b), Some(n)) = (&base_op.request_body, &now_op.request_body) {
            let (b, n) = (cx.request_body(base, b), cx.request_body(now, n));
            if let (Some(b), Some(n)) = (b, n) {
                cx.schema(
                    Direction::Request,
                    "request body",
                    b,
                    n,
                    &mut BTreeSet::new(),
                    &mut out,
                );
            }
        } else if let (None, Some(n)) = (&base_op.request_body, &now_op.request_body)
            && resolve_request_body(now, n).is_some_and(|b| b.required)
        {
            out.push(cx.finding(
                Severity::Breaking,
                "request body",
                "a required request body was added: deployed clients send none",
            ));
        }
        for (status, base_resp) in base_op.responses.responses.iter() {
            let Some(now_resp) = now_op.responses.responses.get(status) else {
                continue;
            };
            let label = format!("response {}", status_label(status));
            if let (Some(b), Some(n)) = (
                response_schema(base, base_resp),
                response_schema(now, now_resp),
            ) {
                cx.schema(
                    Direction::Response,
                    &label,
                    b,
                    n,
                    &mut BTreeSet::new(),
                    &mut out,
                );
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn status_label(status: &StatusCode) -> String {
    match status {
        StatusCode::Code(c) => c.to_string(),
        StatusCode::Range(r) => format!("{r}XX"),
    }
}

const METHODS: [&str; 8] = [
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
];

/// (operationId or `METHOD /path`, (`METHOD /path`, operation)), in document order.
fn operations(api: &OpenAPI) -> Vec<(String, (String, &openapiv3::Operation))> {
    let mut out = Vec::new();
    for (path, item) in api.paths.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let ops = [
            &item.get,
            &item.put,
            &item.post,
            &item.delete,
            &item.options,
            &item.head,
            &item.patch,
            &item.trace,
        ];
        for (method, op) in METHODS.iter().zip(ops) {
            if let Some(op) = op {
                let place = format!("{method} {path}");
                let id = op.operation_id.clone().unwrap_or_else(|| place.clone());
                out.push((id, (place, op)));
            }
        }
    }
    out
}

/// The item a `#/components/<kind>/<name>` reference names, looked up by `get`.
fn component<'a, T>(
    reference: &str,
    get: impl FnOnce(&str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    match get(reference.rsplit('/').next()?)? {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { .. } => None,
    }
}

fn resolve_request_body<'a>(
    api: &'a OpenAPI,
    body: &'a ReferenceOr<RequestBody>,
) -> Option<&'a RequestBody> {
    match body {
        ReferenceOr::Item(b) => Some(b),
        ReferenceOr::Reference { reference } => component(reference, |name| {
            api.components.as_ref()?.request_bodies.get(name)
        }),
    }
}

fn response_schema<'a>(
    api: &'a OpenAPI,
    response: &'a ReferenceOr<Response>,
) -> Option<&'a ReferenceOr<Schema>> {
    let response = match response {
        ReferenceOr::Item(r) => r,
        ReferenceOr::Reference { reference } => component(reference, |name| {
            api.components.as_ref()?.responses.get(name)
        })?,
    };
    response.content.get("application/json")?.schema.as_ref()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

struct Cx<'a> {
    base: &'a OpenAPI,
    now: &'a OpenAPI,
    fallback: EnumFallback,
    place: String,
}

/// A schema, or a boxed one (as object properties and array items hold them).
trait AsSchemaRef {
    fn as_schema_ref(&self) -> SchemaRef<'_>;
}

enum SchemaRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

impl AsSchemaRef for ReferenceOr<Schema> {
    fn as_schema_ref(&self) -> SchemaRef<'_> {
        match self {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Item(s),
        }
    }
}

impl AsSchemaRef for ReferenceOr<Box<Schema>> {
    fn as_schema_ref(&self) -> SchemaRef<'_> {
        match self {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Item(s),
        }
    }
}

fn kind_name(schema: &Schema) -> &'static str {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => "string",
        SchemaKind::Type(Type::Number(_)) => "number",
        SchemaKind::Type(Type::Integer(_)) => "integer",
        SchemaKind::Type(Type::Boolean(_)) => "boolean",
        SchemaKind::Type(Type::Object(_)) => "object",
        SchemaKind::Type(Type::Array(_)) => "array",
        SchemaKind::OneOf { .. } => "oneOf",
        SchemaKind::AllOf { .. } => "allOf",
        SchemaKind::AnyOf { .. } => "anyOf",
        SchemaKind::Not { .. } => "not",
        SchemaKind::Any(_) => "any",
    }
}

fn format_of(schema: &Schema) -> Option<String> {
    let value = match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => serde_json::to_value(&s.format).ok(),
        SchemaKind::Type(Type::Number(n)) => serde_json::to_value(&n.format).ok(),
        SchemaKind::Type(Type::Integer(i)) => serde_json::to_value(&i.format).ok(),
        _ => None,
    }?;
    value.as_str().map(str::to_string)
}

fn enum_values(schema: &Schema) -> Vec<String> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().flatten().cloned().collect(),
        _ => Vec::new(),
    }
}

fn list(values: &[&String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Cx<'a> {
    fn finding(&self, severity: Severity, place: &str, what: &str) -> Finding {
        Finding {
            severity,
            operation: self.place.clone(),
            place: place.to_string(),
            what: what.to_string(),
        }
    }

    fn request_body(
        &self,
        api: &'a OpenAPI,
        body: &'a ReferenceOr<RequestBody>,
    ) -> Option<&'a ReferenceOr<Schema>> {
        // A body is JSON, or the parts of a multipart form (generated by `crate::multipart`).
        let content = &resolve_request_body(api, body)?.content;
        content
            .get("application/json")
            .or_else(|| content.get("multipart/form-data"))?
            .schema
            .as_ref()
    }

    fn resolve(&self, api: &'a OpenAPI, schema: SchemaRef<'a>) -> Option<(&'a Schema, String)> {
        let mut current = schema;
        let mut name = String::new();
        // A chain of references ends in a schema, or within a few steps in nothing.
        for _ in 0..16 {
            match current {
                SchemaRef::Item(s) => return Some((s, name)),
                SchemaRef::Ref(reference) => {
                    name = reference
                        .rsplit('/')
                        .next()
                        .unwrap_or(reference)
                        .to_string();
                    let next = api
                        .components
                        .as_ref()
                        .and_then(|c| c.schemas.get(name.as_str()))?;
                    current = next.as_schema_ref();
                }
            }
        }
        None
    }

    fn parameters(
        &self,
        base: &'a [ReferenceOr<Parameter>],
        now: &'a [ReferenceOr<Parameter>],
        out: &mut Vec<Finding>,
    ) {
        let resolve = |api: &'a OpenAPI, p: &'a ReferenceOr<Parameter>| match p {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => component(reference, |name| {
                api.components.as_ref()?.parameters.get(name)
            }),
        };
        let key = |p: &Parameter| {
            let d = p.parameter_data_ref();
            let location = match p {
                Parameter::Query { .. } => "query",
                Parameter::Header { .. } => "header",
                Parameter::Path { .. } => "path",
                Parameter::Cookie { .. } => "cookie",
            };
            (location, d.name.clone())
        };
        let base: Vec<&Parameter> = base.iter().filter_map(|p| resolve(self.base, p)).collect();
        let now: Vec<&Parameter> = now.iter().filter_map(|p| resolve(self.now, p)).collect();
        for n in &now {
            let (location, name) = key(n);
            let place = format!("{location} parameter {name}");
            let required = n.parameter_data_ref().required;
            match base.iter().find(|b| key(b) == key(n)) {
                None if required => out.push(self.finding(
                    Severity::Breaking,
                    &place,
                    "new required parameter: deployed clients do not send it",
                )),
                None => {}
                Some(b) => {
                    if required && !b.parameter_data_ref().required {
                        out.push(self.finding(
                            Severity::Breaking,
                            &place,
                            "now required: deployed clients may leave it out",
                        ));
                    }
                    if let (
                        openapiv3::ParameterSchemaOrContent::Schema(bs),
                        openapiv3::ParameterSchemaOrContent::Schema(ns),
                    ) = (
                        &b.parameter_data_ref().format,
                        &n.parameter_data_ref().format,
                    ) {
                        self.schema(
                            Direction::Request,
                            &place,
                            bs,
                            ns,
                            &mut BTreeSet::new(),
                            out,
                        );
                    }
                }
            }
        }
        for b in &base {
            if !now.iter().any(|n| key(n) == key(b)) {
                let (location, name) = key(b);
                out.push(self.finding(
                    Severity::Caution,
                    &format!("{location} parameter {name}"),
                    "removed from the spec: deployed clients still send it",
                ));
            }
        }
    }

    /// Compares one schema at `at` (a path like `response 200 CustomerInvoicePage.data[]`).
    fn schema<B: AsSchemaRef, N: AsSchemaRef>(
        &self,
        direction: Direction,
        at: &str,
        base: &'a B,
        now: &'a N,
        seen: &mut BTreeSet<(String, String)>,
        out: &mut Vec<Finding>,
    ) {
        let (Some((b, b_name)), Some((n, n_name))) = (
            self.resolve(self.base, base.as_schema_ref()),
            self.resolve(self.now, now.as_schema_ref()),
        ) else {
            return;
        };
        // A recursive schema is compared once per pair of names.
        if !b_name.is_empty() && !seen.insert((b_name.clone(), n_name.clone())) {
            return;
        }
        let at = if at.ends_with(']') || at.contains('.') || n_name.is_empty() {
            at.to_string()
        } else {
            format!("{at} ({n_name})")
        };
        let (bk, nk) = (kind_name(b), kind_name(n));
        if bk != nk {
            let what = match direction {
                Direction::Response => {
                    format!("type changed from {bk} to {nk}: deployed clients fail to decode it")
                }
                Direction::Request => format!(
                    "type changed from {bk} to {nk}: the server may reject what deployed clients send"
                ),
            };
            out.push(self.finding(Severity::Breaking, &at, &what));
            return;
        }
        if format_of(b) != format_of(n) {
            out.push(self.finding(
                Severity::Breaking,
                &at,
                &format!(
                    "format changed from {} to {}: values no longer parse the same way",
                    format_of(b).unwrap_or_else(|| "none".into()),
                    format_of(n).unwrap_or_else(|| "none".into())
                ),
            ));
        }
        match direction {
            Direction::Response if !b.schema_data.nullable && n.schema_data.nullable => {
                out.push(self.finding(
                    Severity::Breaking,
                    &at,
                    "may now be null: deployed clients that expect a value fail to decode it",
                ));
            }
            Direction::Request if b.schema_data.nullable && !n.schema_data.nullable => {
                out.push(self.finding(
                    Severity::Breaking,
                    &at,
                    "may no longer be null: the server may reject the null deployed clients send",
                ));
            }
            _ => {}
        }
        let (bv, nv) = (enum_values(b), enum_values(n));
        let added: Vec<&String> = nv.iter().filter(|v| !bv.contains(v)).collect();
        let removed: Vec<&String> = bv.iter().filter(|v| !nv.contains(v)).collect();
        if !bv.is_empty() && !added.is_empty() && direction == Direction::Response {
            let (severity, consequence) = match self.fallback {
                EnumFallback::Keeps => (
                    Severity::Caution,
                    "deployed clients of this crate decode it as `Unknown(..)` (clients without such a fallback fail)",
                ),
                EnumFallback::Fails => (
                    Severity::Breaking,
                    "deployed clients cannot decode a response that carries it",
                ),
            };
            out.push(self.finding(
                severity,
                &at,
                &format!("new enum value {}: {consequence}", list(&added)),
            ));
        }
        if !removed.is_empty() && direction == Direction::Request {
            out.push(self.finding(
                Severity::Breaking,
                &at,
                &format!(
                    "enum value {} removed: the server rejects deployed clients that send it",
                    list(&removed)
                ),
            ));
        }
        match (&b.schema_kind, &n.schema_kind) {
            (SchemaKind::Type(Type::Object(bo)), SchemaKind::Type(Type::Object(no))) => {
                let prefix = if n_name.is_empty() {
                    at.clone()
                } else {
                    n_name.clone()
                };
                for (name, bp) in bo.properties.iter() {
                    let field = format!("{prefix}.{name}");
                    let was_required = bo.required.contains(name);
                    let is_required = no.required.contains(name);
                    match (no.properties.get(name), direction) {
                        (None, Direction::Response) if was_required => out.push(self.finding(
                            Severity::Breaking,
                            &field,
                            "required response field removed: deployed clients fail to decode responses without it",
                        )),
                        (None, Direction::Response) => out.push(self.finding(
                            Severity::Caution,
                            &field,
                            "optional response field removed: deployed clients read it as absent",
                        )),
                        (None, Direction::Request) => out.push(self.finding(
                            Severity::Caution,
                            &field,
                            "request field removed: deployed clients still send it",
                        )),
                        (Some(np), _) => {
                            if direction == Direction::Response && was_required && !is_required {
                                out.push(self.finding(
                                    Severity::Breaking,
                                    &field,
                                    "no longer required: deployed clients fail to decode responses without it",
                                ));
                            }
                            if direction == Direction::Request && !was_required && is_required {
                                out.push(self.finding(
                                    Severity::Breaking,
                                    &field,
                                    "request field made required: the server rejects deployed clients that leave it out",
                                ));
                            }
                            self.schema(direction, &field, bp, np, seen, out);
                        }
                    }
                }
                if direction == Direction::Request {
                    for name in no
                        .required
                        .iter()
                        .filter(|r| !bo.properties.contains_key(*r))
                    {
                        out.push(self.finding(
                            Severity::Breaking,
                            &format!("{prefix}.{name}"),
                            "new required request field: deployed clients do not send it",
                        ));
                    }
                }
            }
            (SchemaKind::Type(Type::Array(ba)), SchemaKind::Type(Type::Array(na))) => {
                if let (Some(bi), Some(ni)) = (&ba.items, &na.items) {
                    let at = format!("{at}[]");
                    self.schema(direction, &at, bi, ni, seen, out);
                }
            }
            (SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. }, _) => {
                let same = serde_json::to_value(&b.schema_kind).ok()
                    == serde_json::to_value(&n.schema_kind).ok();
                if !same {
                    out.push(self.finding(
                        Severity::Caution,
                        &at,
                        &format!("`{bk}` composition changed: review by hand"),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// `api` with every component schema that is an `allOf` of objects (a page: the
/// shared `SimplePaginator` plus its `data`) replaced by the one object it describes,
/// as the generated code has it, so that its fields are compared like any object's.
fn merge_all_of(api: &OpenAPI) -> OpenAPI {
    let mut merged = api.clone();
    let Some(components) = merged.components.as_mut() else {
        return merged;
    };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in names {
        let Some(ReferenceOr::Item(schema)) = components.schemas.get(&name) else {
            continue;
        };
        let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
            continue;
        };
        let mut object = openapiv3::ObjectType::default();
        let mut all_objects = true;
        for part in all_of {
            let part = match part {
                ReferenceOr::Item(item) => Some(item),
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix("#/components/schemas/")
                    .and_then(|n| api.components.as_ref()?.schemas.get(n))
                    .and_then(|r| r.as_item()),
            };
            match part.map(|p| &p.schema_kind) {
                Some(SchemaKind::Type(Type::Object(o))) => {
                    object.properties.extend(o.properties.clone());
                    object.required.extend(o.required.iter().cloned());
                }
                _ => all_objects = false,
            }
        }
        if all_objects {
            let schema = Schema {
                schema_data: schema.schema_data.clone(),
                schema_kind: SchemaKind::Type(Type::Object(object)),
            };
            components.schemas.insert(name, ReferenceOr::Item(schema));
        }
    }
    merged
}
