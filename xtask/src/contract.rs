//! The HTTP view of a spec change: what breaks clients that are already deployed.
//!
//! The Rust view (`crate::semver`) says what breaks code that is compiled against the
//! new crate. A deployed client is compiled against the old one and talks to the new
//! server: it breaks at run time when a response no longer decodes (a field removed or
//! made nullable, a value it cannot represent) or when the server rejects a request it
//! still sends (a parameter or field made required, an operation removed), even where
//! the Rust API does not change. This module compares the two documents for exactly
//! those changes, following `$ref`s into `components/schemas`.
//!
//! It compares what goes over the wire, not what the spec calls it: operations are
//! matched by method and path template with the parameter names left out (renaming
//! `{customerId}` to `{id}`, or an operationId, changes no request), path-item
//! parameters count for each of their operations, and each change is judged by its
//! direction. A request must still accept what old clients send (a field widened from
//! integer to number is fine; narrowed, it is not); a response must still decode in
//! old clients (a new success status is not: progenitor's `send()` accepts exactly the
//! documented ones).

use std::collections::BTreeSet;
use std::fmt;

use heck::ToUpperCamelCase;

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

/// Which enums of the base's generated code keep unknown values, decided for each enum
/// by its Rust name (`CustomerInvoiceStatus`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnumFallbacks {
    /// Enums with an `Unknown(String)` variant.
    pub keeps: BTreeSet<String>,
    /// Enums without one.
    pub fails: BTreeSet<String>,
}

impl EnumFallbacks {
    /// Every enum keeps unknown values (or fails to), whatever its name.
    pub fn all(fallback: EnumFallback) -> Self {
        let mut all = EnumFallbacks::default();
        match fallback {
            EnumFallback::Keeps => all.keeps.insert(String::new()),
            EnumFallback::Fails => all.fails.insert(String::new()),
        };
        all
    }

    /// What deployed clients do with an unknown value of the enum generated as
    /// `rust_name`; an enum whose name is not known is judged like the rest: it keeps
    /// unknown values only when no enum of the base fails to.
    pub fn of(&self, rust_name: Option<&str>) -> EnumFallback {
        match rust_name {
            Some(name) if self.keeps.contains(name) => EnumFallback::Keeps,
            Some(name) if self.fails.contains(name) => EnumFallback::Fails,
            _ if self.fails.is_empty() => EnumFallback::Keeps,
            _ => EnumFallback::Fails,
        }
    }
}

/// The run-time differences between two specs, most severe first.
pub fn compare(base: &OpenAPI, now: &OpenAPI, fallbacks: &EnumFallbacks) -> Vec<Finding> {
    let (base, now) = (&merge_all_of(base), &merge_all_of(now));
    let mut out = Vec::new();
    let now_ops = operations(now);
    for (key, base_op) in operations(base) {
        let Some(now_op) = now_ops.iter().find(|(k, _)| *k == key).map(|(_, v)| v) else {
            out.push(Finding {
                severity: Severity::Breaking,
                operation: base_op.place.clone(),
                place: String::new(),
                what: format!(
                    "operation `{}` removed: deployed clients that call it get an error",
                    base_op.id
                ),
            });
            continue;
        };
        let cx = Cx {
            base,
            now,
            fallbacks,
            place: now_op.place.clone(),
        };
        cx.parameters(&base_op, now_op, &mut out);
        let (base_body, now_body) = (&base_op.op.request_body, &now_op.op.request_body);
        if let (Some(b), Some(n)) = (base_body, now_body) {
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
        } else if let (None, Some(n)) = (base_body, now_body)
            && resolve_request_body(now, n).is_some_and(|b| b.required)
        {
            out.push(cx.finding(
                Severity::Breaking,
                "request body",
                "a required request body was added: deployed clients send none",
            ));
        }
        cx.success_statuses(&base_op.op.responses, &now_op.op.responses, &mut out);
        for (status, base_resp) in base_op.op.responses.responses.iter() {
            let Some(now_resp) = now_op.op.responses.responses.get(status) else {
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

/// One operation as the wire sees it.
struct Op<'a> {
    /// `METHOD /path`, as the spec writes it.
    place: String,
    /// The operationId, or `place`.
    id: String,
    /// The path template's parameter names, in order (`/a/{x}/b/{y}` → `x`, `y`).
    path_names: Vec<String>,
    /// The path item's parameters, then the operation's (which override them).
    parameters: Vec<&'a ReferenceOr<Parameter>>,
    op: &'a openapiv3::Operation,
}

/// A path template with its parameter names left out: `/customers/{customerId}` and
/// `/customers/{id}` are the same address.
pub fn normalized_path(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn path_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// ((`METHOD`, normalized path), operation), in document order.
fn operations(api: &OpenAPI) -> Vec<((&'static str, String), Op<'_>)> {
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
                out.push((
                    (*method, normalized_path(path)),
                    Op {
                        id: op.operation_id.clone().unwrap_or_else(|| place.clone()),
                        place,
                        path_names: path_names(path),
                        parameters: item.parameters.iter().chain(&op.parameters).collect(),
                        op,
                    },
                ));
            }
        }
    }
    out
}

/// The item a `#/components/<kind>/<name>` reference names, looked up by `get`.
fn component<'a, T>(
    reference: &str,
    kind: &str,
    get: impl FnOnce(&str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    match get(&crate::refs::component(reference, kind)?)? {
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
        ReferenceOr::Reference { reference } => component(reference, "requestBodies", |name| {
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
        ReferenceOr::Reference { reference } => component(reference, "responses", |name| {
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
    fallbacks: &'a EnumFallbacks,
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

/// Whether every value `narrow` allows is one that `wide` allows, as the generated types
/// read them: anything within a schema without a type or constraint (`{}`), an integer
/// within a number, a smaller integer or float within a larger one, any string format
/// within a plain string.
fn widens(wide: &Schema, narrow: &Schema) -> bool {
    fn rank(format: Option<&str>) -> u8 {
        match format {
            Some("int8" | "uint8") => 1,
            Some("int16" | "uint16") => 2,
            Some("int32" | "uint32" | "float") => 3,
            _ => 4,
        }
    }
    if let SchemaKind::Any(any) = &wide.schema_kind
        && *any == openapiv3::AnySchema::default()
    {
        return true;
    }
    let (wf, nf) = (format_of(wide), format_of(narrow));
    match (kind_name(wide), kind_name(narrow)) {
        ("number", "integer") => true,
        ("integer", "integer") | ("number", "number") => rank(wf.as_deref()) >= rank(nf.as_deref()),
        ("string", "string") => wf.is_none() || wf == nf,
        (w, n) => w == n,
    }
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
                    name = crate::refs::component(reference, "schemas")?;
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

    /// The parameters of an operation as sent: the path item's and the operation's (an
    /// operation's parameter overrides the path item's of the same name and place).
    fn merged(&self, api: &'a OpenAPI, op: &Op<'a>) -> Vec<&'a Parameter> {
        let mut out: Vec<&'a Parameter> = Vec::new();
        for p in &op.parameters {
            let p = match p {
                ReferenceOr::Item(p) => Some(p),
                ReferenceOr::Reference { reference } => {
                    component(reference, "parameters", |name| {
                        api.components.as_ref()?.parameters.get(name)
                    })
                }
            };
            let Some(p) = p else { continue };
            let same = |q: &&Parameter| {
                std::mem::discriminant(*q) == std::mem::discriminant(p)
                    && q.parameter_data_ref().name == p.parameter_data_ref().name
            };
            match out.iter().position(same) {
                Some(i) => out[i] = p,
                None => out.push(p),
            }
        }
        out
    }

    fn parameters(&self, base_op: &Op<'a>, now_op: &Op<'a>, out: &mut Vec<Finding>) {
        // A path parameter is known by its place in the template, not by its name: the
        // name is not sent.
        let key = |op: &Op<'a>, p: &Parameter| {
            let d = p.parameter_data_ref();
            match p {
                Parameter::Query { .. } => ("query", d.name.clone()),
                Parameter::Header { .. } => ("header", d.name.clone()),
                Parameter::Cookie { .. } => ("cookie", d.name.clone()),
                Parameter::Path { .. } => match op.path_names.iter().position(|n| *n == d.name) {
                    Some(i) => ("path", format!("#{i}")),
                    None => ("path", d.name.clone()),
                },
            }
        };
        let base: Vec<&Parameter> = self.merged(self.base, base_op);
        let now: Vec<&Parameter> = self.merged(self.now, now_op);
        let key_base = |p: &Parameter| key(base_op, p);
        let key_now = |p: &Parameter| key(now_op, p);
        for n in &now {
            let (location, _) = key_now(n);
            let name = &n.parameter_data_ref().name;
            let place = format!("{location} parameter {name}");
            let required = n.parameter_data_ref().required;
            match base.iter().find(|b| key_base(b) == key_now(n)) {
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
            if !now.iter().any(|n| key_now(n) == key_base(b)) {
                let (location, _) = key_base(b);
                let name = &b.parameter_data_ref().name;
                out.push(self.finding(
                    Severity::Caution,
                    &format!("{location} parameter {name}"),
                    "removed from the spec: deployed clients still send it",
                ));
            }
        }
    }

    /// The success statuses: progenitor's `send()` accepts exactly the documented ones,
    /// so a success status the base did not document is an error in deployed clients.
    fn success_statuses(
        &self,
        base: &openapiv3::Responses,
        now: &openapiv3::Responses,
        out: &mut Vec<Finding>,
    ) {
        let successes = |r: &openapiv3::Responses| -> Vec<StatusCode> {
            r.responses
                .keys()
                .filter(|s| match s {
                    StatusCode::Code(c) => (200..300).contains(c),
                    StatusCode::Range(r) => *r == 2,
                })
                .cloned()
                .collect()
        };
        // A `default` or a `2XX` answers every success status.
        let accepts_all = |r: &openapiv3::Responses| {
            r.default.is_some() || r.responses.contains_key(&StatusCode::Range(2))
        };
        let (base_codes, now_codes) = (successes(base), successes(now));
        let list = |codes: &[&StatusCode]| {
            codes
                .iter()
                .map(|c| format!("`{}`", status_label(c)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let added: Vec<&StatusCode> = now_codes
            .iter()
            .filter(|c| !base_codes.contains(c))
            .collect();
        let removed: Vec<&StatusCode> = base_codes
            .iter()
            .filter(|c| !now_codes.contains(c))
            .collect();
        if !added.is_empty() && !accepts_all(base) {
            let what = if removed.is_empty() {
                format!(
                    "new success status {}: deployed clients accept only {} and report the new one as an unexpected response",
                    list(&added),
                    list(&base_codes.iter().collect::<Vec<_>>())
                )
            } else {
                format!(
                    "success status {} changed to {}: deployed clients accept only the old one and report the new one as an unexpected response",
                    list(&removed),
                    list(&added)
                )
            };
            out.push(self.finding(Severity::Breaking, "responses", &what));
        } else if !removed.is_empty() && !added.is_empty() {
            out.push(self.finding(
                Severity::Caution,
                "responses",
                &format!(
                    "success status {} changed to {}: deployed clients accept any success status",
                    list(&removed),
                    list(&added)
                ),
            ));
        } else if !removed.is_empty() {
            out.push(self.finding(
                Severity::Caution,
                "responses",
                &format!(
                    "success status {} no longer documented: deployed clients still accept it",
                    list(&removed)
                ),
            ));
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
        // The Rust name typify gives the base's type: a component's own, or for an
        // inline schema of a field, its struct's and the field's (`CustomerInvoiceStatus`).
        let rust_name = if !b_name.is_empty() {
            Some(b_name.to_upper_camel_case())
        } else {
            at.split_once('.')
                .filter(|(parent, field)| {
                    !parent.contains([' ', '.', '['])
                        && !field.contains(['.', '['])
                        && !parent.is_empty()
                })
                .map(|(parent, field)| {
                    format!(
                        "{}{}",
                        parent.to_upper_camel_case(),
                        field.to_upper_camel_case()
                    )
                })
        };
        let at = if at.ends_with(']') || at.contains('.') || n_name.is_empty() {
            at.to_string()
        } else {
            format!("{at} ({n_name})")
        };
        let (bk, nk) = (kind_name(b), kind_name(n));
        let describe = |s: &Schema| match format_of(s) {
            Some(format) => format!("{} ({format})", kind_name(s)),
            None => kind_name(s).to_string(),
        };
        if (bk, format_of(b)) != (nk, format_of(n)) {
            // What old clients send must still be accepted; what they read, still decode.
            let (wide, narrow) = match direction {
                Direction::Request => (n, b),
                Direction::Response => (b, n),
            };
            let (from, to) = (describe(b), describe(n));
            if widens(wide, narrow) {
                let what = match direction {
                    Direction::Request => format!(
                        "widened from {from} to {to}: the server still accepts what deployed clients send"
                    ),
                    Direction::Response => format!(
                        "narrowed from {from} to {to}: deployed clients still decode every value"
                    ),
                };
                out.push(self.finding(Severity::Caution, &at, &what));
            } else {
                let what = match direction {
                    Direction::Response => format!(
                        "changed from {from} to {to}: deployed clients fail to decode values they cannot represent"
                    ),
                    Direction::Request => format!(
                        "changed from {from} to {to}: the server may reject what deployed clients send"
                    ),
                };
                out.push(self.finding(Severity::Breaking, &at, &what));
            }
            if bk != nk {
                return;
            }
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
            let (severity, consequence) = match self.fallbacks.of(rust_name.as_deref()) {
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
        if !bv.is_empty() && nv.is_empty() && direction == Direction::Response {
            let what = match self.fallbacks.of(rust_name.as_deref()) {
                EnumFallback::Keeps => (
                    Severity::Caution,
                    "no longer an enum, any string: deployed clients of this crate decode a value they do not know as `Unknown(..)`",
                ),
                EnumFallback::Fails => (
                    Severity::Breaking,
                    "no longer an enum, any string: deployed clients cannot decode a value they do not know",
                ),
            };
            out.push(self.finding(what.0, &at, what.1));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn api(text: &str) -> OpenAPI {
        crate::spec::parse(text, "t.yaml")
            .unwrap_or_else(|e| panic!("{e}"))
            .openapi
    }

    const BASE: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/{aId}/b/{bId}:\n    parameters:\n      - {name: aId, in: path, required: true, schema: {type: string}}\n      - {name: bId, in: path, required: true, schema: {type: string}}\n      - {name: q, in: query, schema: {type: integer, format: int32}}\n    get:\n      operationId: get-b\n      responses:\n        '200': {description: ok}\n";

    #[test]
    fn paths_match_without_their_parameter_names() {
        assert_eq!(normalized_path("/a/{aId}/b/{bId}"), "/a/{}/b/{}");
        let now = BASE
            .replace("{aId}", "{x}")
            .replace("name: aId", "name: x")
            .replace("get-b", "get-the-b");
        let findings = compare(&api(BASE), &api(&now), &EnumFallbacks::default());
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn path_item_parameters_are_compared_in_each_direction() {
        let required = BASE.replace(
            "{name: q, in: query,",
            "{name: q, in: query, required: true,",
        );
        let findings = compare(&api(BASE), &api(&required), &EnumFallbacks::default());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Breaking);
        assert_eq!(findings[0].place, "query parameter q");
        // int32 → int64 widens what the server accepts; the reverse narrows it.
        let wider = BASE.replace("format: int32", "format: int64");
        let findings = compare(&api(BASE), &api(&wider), &EnumFallbacks::default());
        assert!(
            findings.iter().all(|f| f.severity == Severity::Caution),
            "{findings:?}"
        );
        let findings = compare(&api(&wider), &api(BASE), &EnumFallbacks::default());
        assert!(
            findings.iter().any(|f| f.severity == Severity::Breaking),
            "{findings:?}"
        );
        // A schema without type or constraint takes every value; one with a
        // constraint does not.
        let any = BASE.replace("{type: integer, format: int32}", "{description: any}");
        let findings = compare(&api(BASE), &api(&any), &EnumFallbacks::default());
        assert!(
            findings.iter().all(|f| f.severity == Severity::Caution),
            "{findings:?}"
        );
        let limited = BASE.replace("{type: integer, format: int32}", "{maxLength: 2}");
        let findings = compare(&api(BASE), &api(&limited), &EnumFallbacks::default());
        assert!(
            findings.iter().any(|f| f.severity == Severity::Breaking),
            "{findings:?}"
        );
    }

    #[test]
    fn a_new_success_status_breaks_unless_the_base_accepts_any() {
        let both = BASE.replace(
            "'200': {description: ok}",
            "'200': {description: ok}\n        '202': {description: later}",
        );
        let findings = compare(&api(BASE), &api(&both), &EnumFallbacks::default());
        assert!(
            findings[0].what.starts_with("new success status `202`"),
            "{findings:?}"
        );
        assert_eq!(findings[0].severity, Severity::Breaking);
        // Removing one of two leaves every answer of the new server accepted.
        let findings = compare(&api(&both), &api(BASE), &EnumFallbacks::default());
        assert_eq!(findings[0].severity, Severity::Caution, "{findings:?}");
        let range = BASE.replace("'200'", "2XX");
        let findings = compare(
            &api(&range),
            &api(&both.replace("'200'", "2XX")),
            &EnumFallbacks::default(),
        );
        assert!(
            findings.iter().all(|f| f.severity == Severity::Caution),
            "{findings:?}"
        );
    }
}
