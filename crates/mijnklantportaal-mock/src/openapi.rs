//! The spec the mock serves, embedded: each operation's request body schemas.
//!
//! The mock validates requests against the spec rather than against rules restated
//! by hand, so the spec stays the one source of truth. `cargo xtask generate` writes
//! the bundled spec (root and tag files joined) as `openapi.json` beside this crate's
//! manifest; the binary embeds it and reads it once, on the first request with a body.
//! Only what validation needs is kept: per operationId, whether a body is required and
//! its JSON and `multipart/form-data` schemas, with `$ref`s resolved, `allOf`s merged
//! and properties in the spec's order (the order of Laravel's messages), plus the
//! `x-laravel` rules of each property (its own, and its object's
//! `x-laravel-properties`) (see [`validation`](crate::validation)).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// The bundled spec, as `cargo xtask generate` writes it.
const SPEC: &str = include_str!("../openapi.json");

/// A JSON type of a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

/// A schema with its `$ref`s and `allOf`s resolved: what validation reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schema {
    pub(crate) kind: Option<Kind>,
    pub(crate) format: Option<String>,
    pub(crate) nullable: bool,
    pub(crate) allowed: Vec<Value>,
    pub(crate) required: Vec<String>,
    /// The properties, in the spec's order.
    pub(crate) properties: Vec<(String, Schema)>,
    pub(crate) items: Option<Box<Schema>>,
    pub(crate) minimum: Option<f64>,
    pub(crate) maximum: Option<f64>,
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
    /// Laravel rules the schema cannot say (`x-laravel`), in order.
    pub(crate) rules: Vec<String>,
}

/// An operation's request body.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestBody {
    /// Whether the spec requires a body.
    pub(crate) required: bool,
    /// The `application/json` schema, if the operation takes JSON.
    pub(crate) json: Option<Schema>,
    /// The `multipart/form-data` schema, if the operation takes a form.
    pub(crate) form: Option<Schema>,
}

/// The request body of `operation_id`, if it has one; `Err` if the embedded spec
/// cannot be read (a build from a broken `openapi.json`).
pub(crate) fn request_body(operation_id: &str) -> Result<Option<&'static RequestBody>, String> {
    static BODIES: LazyLock<Result<HashMap<String, RequestBody>, String>> =
        LazyLock::new(|| bodies(SPEC));
    match &*BODIES {
        Ok(bodies) => Ok(bodies.get(operation_id)),
        Err(e) => Err(e.clone()),
    }
}

/// Every operation of the embedded spec: its method (`get`, `post`, ...), its path
/// under the server's (`/v1/customers/{customerId}`) and its operationId; none if the
/// spec cannot be read.
pub(crate) fn operations() -> Vec<(&'static str, String, String)> {
    let Ok(spec) = serde_json::from_str::<RawSpec>(SPEC) else {
        return Vec::new();
    };
    // The path part of `https://api.mijnklantportaal.nl/v1`.
    let base = spec.servers.first().map_or("", |server| {
        let host_and_path = server.url.split_once("://").map_or("", |(_, rest)| rest);
        host_and_path
            .find('/')
            .map_or("", |slash| &host_and_path[slash..])
    });
    let mut operations = Vec::new();
    for (path, item) in &spec.paths {
        let methods = [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ];
        for (method, operation) in methods {
            if let Some(operation) = operation {
                let id = operation.operation_id.clone();
                operations.push((method, format!("{base}{path}"), id));
            }
        }
    }
    operations
}

/// Every request body of the embedded spec, by operationId.
#[cfg(test)]
pub(crate) fn all_request_bodies() -> Vec<(&'static str, &'static RequestBody)> {
    static BODIES: LazyLock<HashMap<String, RequestBody>> =
        LazyLock::new(|| bodies(SPEC).unwrap_or_default());
    BODIES
        .iter()
        .map(|(id, body)| (id.as_str(), body))
        .collect()
}

/// A JSON object read with its keys in document order.
#[derive(Debug)]
struct Ordered<T>(Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Entries<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

/// A schema as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawSchema {
    #[serde(rename = "$ref")]
    reference: Option<String>,
    all_of: Vec<RawSchema>,
    #[serde(rename = "type")]
    kind: Option<Kind>,
    format: Option<String>,
    nullable: bool,
    #[serde(rename = "enum")]
    allowed: Vec<Value>,
    required: Vec<String>,
    properties: Ordered<RawSchema>,
    items: Option<Box<RawSchema>>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    #[serde(rename = "x-laravel")]
    rules: Vec<String>,
    /// Rules of properties whose own schema must stay bare (see the spec's root).
    #[serde(rename = "x-laravel-properties")]
    property_rules: HashMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct RawSpec {
    #[serde(default)]
    servers: Vec<RawServer>,
    paths: HashMap<String, RawPathItem>,
    components: RawComponents,
}

#[derive(Debug, Deserialize)]
struct RawServer {
    url: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawComponents {
    schemas: HashMap<String, RawSchema>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawPathItem {
    get: Option<RawOperation>,
    post: Option<RawOperation>,
    put: Option<RawOperation>,
    patch: Option<RawOperation>,
    delete: Option<RawOperation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOperation {
    operation_id: String,
    request_body: Option<RawBody>,
}

#[derive(Debug, Deserialize)]
struct RawBody {
    #[serde(default)]
    required: bool,
    content: HashMap<String, RawMedia>,
}

#[derive(Debug, Deserialize)]
struct RawMedia {
    #[serde(default)]
    schema: RawSchema,
}

/// The request bodies of `spec`, by operationId.
fn bodies(spec: &str) -> Result<HashMap<String, RequestBody>, String> {
    let spec: RawSpec = serde_json::from_str(spec).map_err(|e| e.to_string())?;
    let components = &spec.components.schemas;
    let mut bodies = HashMap::new();
    for item in spec.paths.values() {
        let operations = [&item.get, &item.post, &item.put, &item.patch, &item.delete];
        for operation in operations.into_iter().flatten() {
            let Some(body) = &operation.request_body else {
                continue;
            };
            let schema = |media: &str| {
                body.content
                    .get(media)
                    .map(|m| resolve(&m.schema, components, 0))
                    .transpose()
            };
            let resolved = RequestBody {
                required: body.required,
                json: schema("application/json")?,
                form: schema("multipart/form-data")?,
            };
            bodies.insert(operation.operation_id.clone(), resolved);
        }
    }
    Ok(bodies)
}

/// `raw` with its `$ref` and `allOf` parts merged in (later parts add to earlier
/// ones; the schema's own keywords last).
fn resolve(
    raw: &RawSchema,
    components: &HashMap<String, RawSchema>,
    depth: u32,
) -> Result<Schema, String> {
    if depth > 32 {
        return Err("request schemas nest too deeply (a $ref cycle?)".to_owned());
    }
    let declared = raw
        .rules
        .iter()
        .chain(raw.property_rules.values().flatten());
    for rule in declared {
        let name = rule.split(':').next().unwrap_or_default();
        if !crate::rules::RULES.contains(&name) {
            return Err(format!("unknown x-laravel rule {rule}"));
        }
    }
    let mut schema = Schema::default();
    if let Some(reference) = &raw.reference {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = components
            .get(name)
            .ok_or_else(|| format!("unknown schema {reference}"))?;
        merge(&mut schema, resolve(target, components, depth + 1)?);
    }
    for part in &raw.all_of {
        merge(&mut schema, resolve(part, components, depth + 1)?);
    }
    let mut own = Schema {
        kind: raw.kind,
        format: raw.format.clone(),
        nullable: raw.nullable,
        allowed: raw.allowed.clone(),
        required: raw.required.clone(),
        items: None,
        properties: Vec::new(),
        minimum: raw.minimum,
        maximum: raw.maximum,
        min_length: raw.min_length,
        max_length: raw.max_length,
        min_items: raw.min_items,
        max_items: raw.max_items,
        rules: raw.rules.clone(),
    };
    for (name, property) in &raw.properties.0 {
        let mut property = resolve(property, components, depth + 1)?;
        if let Some(rules) = raw.property_rules.get(name) {
            property.rules.extend(rules.iter().cloned());
        }
        own.properties.push((name.clone(), property));
    }
    if let Some(items) = &raw.items {
        own.items = Some(Box::new(resolve(items, components, depth + 1)?));
    }
    merge(&mut schema, own);
    Ok(schema)
}

/// Adds what `more` says to `schema`.
fn merge(schema: &mut Schema, more: Schema) {
    schema.kind = more.kind.or(schema.kind);
    schema.format = more.format.or(schema.format.take());
    schema.nullable |= more.nullable;
    if !more.allowed.is_empty() {
        schema.allowed = more.allowed;
    }
    schema.required.extend(more.required);
    for (name, property) in more.properties {
        match schema.properties.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => merge(existing, property),
            None => schema.properties.push((name, property)),
        }
    }
    schema.items = more.items.or(schema.items.take());
    schema.minimum = more.minimum.or(schema.minimum);
    schema.maximum = more.maximum.or(schema.maximum);
    schema.min_length = more.min_length.or(schema.min_length);
    schema.max_length = more.max_length.or(schema.max_length);
    schema.min_items = more.min_items.or(schema.min_items);
    schema.max_items = more.max_items.or(schema.max_items);
    schema.rules.extend(more.rules);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_spec_gives_every_write_its_schema_in_order() {
        let body = request_body("create-customer").unwrap().unwrap();
        let schema = body.json.as_ref().unwrap();
        let names: Vec<&str> = schema.properties.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "companyName",
                "address",
                "zipCode",
                "city",
                "primaryEmail",
                "countryCode"
            ]
        );
        assert!(schema.required.contains(&"primaryEmail".to_owned()));
        let invoice = request_body("create-customer-invoice").unwrap().unwrap();
        let form = invoice.form.as_ref().unwrap();
        let paid_at = form.properties.iter().find(|(n, _)| n == "paidAt").unwrap();
        assert_eq!(paid_at.1.kind, Some(Kind::String), "allOf + $ref merged");
        assert!(request_body("list-customers").unwrap().is_none());
    }
}
