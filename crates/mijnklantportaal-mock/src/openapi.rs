//! The spec the mock serves, embedded (`cargo xtask generate` bundles it): requests are
//! validated against its request body schemas, so it stays the one source of truth.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

const SPEC: &str = include_str!("../openapi.json");

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

/// A schema as written; once [resolved](resolve), without `$ref`s, `allOf`s and
/// `x-laravel-properties` (their rules are on the properties).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Schema {
    #[serde(rename = "$ref")]
    reference: Option<String>,
    all_of: Vec<Schema>,
    #[serde(rename = "type")]
    pub(crate) kind: Option<Kind>,
    pub(crate) format: Option<String>,
    pub(crate) nullable: bool,
    #[serde(rename = "enum")]
    pub(crate) allowed: Vec<Value>,
    pub(crate) required: Vec<String>,
    #[serde(deserialize_with = "ordered")]
    pub(crate) properties: Vec<(String, Schema)>,
    pub(crate) items: Option<Box<Schema>>,
    pub(crate) minimum: Option<f64>,
    pub(crate) maximum: Option<f64>,
    pub(crate) min_length: Option<f64>,
    pub(crate) max_length: Option<f64>,
    pub(crate) min_items: Option<f64>,
    pub(crate) max_items: Option<f64>,
    /// Laravel rules the schema cannot say (`x-laravel`), in order.
    #[serde(rename = "x-laravel")]
    pub(crate) rules: Vec<String>,
    /// Rules of properties whose own schema must stay bare.
    #[serde(rename = "x-laravel-properties")]
    property_rules: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct RequestBody {
    pub(crate) required: bool,
    pub(crate) json: Option<Schema>,
    pub(crate) form: Option<Schema>,
}

/// The request body of `operation_id`, if it has one; `Err` if the embedded spec is broken.
pub(crate) fn request_body(operation_id: &str) -> Result<Option<&'static RequestBody>, String> {
    static BODIES: LazyLock<Result<HashMap<String, RequestBody>, String>> =
        LazyLock::new(|| bodies(SPEC));
    Ok(BODIES.as_ref().map_err(Clone::clone)?.get(operation_id))
}

/// Every operation of the spec: method (`get`), path under the server's path
/// (`/v1/customers/{customerId}`) and operationId; none if the spec cannot be read.
pub(crate) fn operations() -> Vec<(&'static str, String, String)> {
    let Ok(spec) = serde_json::from_str::<RawSpec>(SPEC) else {
        return Vec::new();
    };
    // The path part of `https://api.mijnklantportaal.nl/v1`.
    let url = spec.servers.first().and_then(|s| s["url"].as_str());
    let (_, path) = url.and_then(|u| u.split_once("://")).unwrap_or_default();
    let base = path.find('/').map_or("", |slash| &path[slash..]);
    let operations = spec.paths.into_iter().flat_map(|(path, item)| {
        item.operations()
            .map(move |(method, op)| (method, format!("{base}{path}"), op.operation_id))
    });
    operations.collect()
}

#[cfg(test)]
/// Every request body of the embedded spec, by operationId.
pub(crate) fn all_request_bodies() -> Vec<(&'static str, &'static RequestBody)> {
    static BODIES: LazyLock<HashMap<String, RequestBody>> =
        LazyLock::new(|| bodies(SPEC).unwrap_or_default());
    BODIES
        .iter()
        .map(|(id, body)| (id.as_str(), body))
        .collect()
}

/// Reads a JSON object as its entries in document order.
fn ordered<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<(String, Schema)>, D::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, Schema)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            std::iter::from_fn(|| map.next_entry().transpose()).collect()
        }
    }
    deserializer.deserialize_map(Entries)
}

#[derive(Deserialize)]
struct RawSpec {
    #[serde(default)]
    servers: Vec<Value>,
    paths: HashMap<String, RawPathItem>,
    components: RawComponents,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawComponents {
    schemas: Components,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RawPathItem {
    get: Option<RawOperation>,
    post: Option<RawOperation>,
    put: Option<RawOperation>,
    patch: Option<RawOperation>,
    delete: Option<RawOperation>,
}

impl RawPathItem {
    fn operations(self) -> impl Iterator<Item = (&'static str, RawOperation)> {
        let operations = [self.get, self.post, self.put, self.patch, self.delete];
        let methods = std::iter::zip(["get", "post", "put", "patch", "delete"], operations);
        methods.filter_map(|(method, operation)| Some((method, operation?)))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOperation {
    operation_id: String,
    request_body: Option<RawBody>,
}

#[derive(Deserialize)]
struct RawBody {
    #[serde(default)]
    required: bool,
    content: HashMap<String, RawMedia>,
}

#[derive(Deserialize)]
struct RawMedia {
    #[serde(default)]
    schema: Schema,
}

type Components = HashMap<String, Schema>;

/// The request bodies of `spec`, by operationId.
fn bodies(spec: &str) -> Result<HashMap<String, RequestBody>, String> {
    let spec: RawSpec = serde_json::from_str(spec).map_err(|e| e.to_string())?;
    let components = &spec.components.schemas;
    let mut bodies = HashMap::new();
    for (_, operation) in spec.paths.into_values().flat_map(RawPathItem::operations) {
        let Some(mut body) = operation.request_body else {
            continue;
        };
        let mut schema = |media: &str| {
            let media = body.content.remove(media);
            media.map(|m| resolve(m.schema, components, 0)).transpose()
        };
        let resolved = RequestBody {
            json: schema("application/json")?,
            form: schema("multipart/form-data")?,
            required: body.required,
        };
        bodies.insert(operation.operation_id, resolved);
    }
    Ok(bodies)
}

/// `raw` with its `$ref` and `allOf` parts merged in (later parts add to earlier
/// ones; the schema's own keywords last).
fn resolve(mut raw: Schema, components: &Components, depth: u32) -> Result<Schema, String> {
    if depth > 32 {
        return Err("request schemas nest too deeply (a $ref cycle?)".to_owned());
    }
    let mut property_rules = std::mem::take(&mut raw.property_rules);
    let mut declared = raw.rules.iter().chain(property_rules.values().flatten());
    if let Some(rule) = declared.find(|rule| !crate::rules::known(rule)) {
        return Err(format!("unknown x-laravel rule {rule}"));
    }
    let mut schema = Schema::default();
    if let Some(reference) = raw.reference.take() {
        let name = reference.trim_start_matches("#/components/schemas/");
        let Some(target) = components.get(name) else {
            return Err(format!("unknown schema {reference}"));
        };
        merge(&mut schema, resolve(target.clone(), components, depth + 1)?);
    }
    for part in std::mem::take(&mut raw.all_of) {
        merge(&mut schema, resolve(part, components, depth + 1)?);
    }
    for (name, property) in &mut raw.properties {
        *property = resolve(std::mem::take(property), components, depth + 1)?;
        let rules = property_rules.remove(name).unwrap_or_default();
        property.rules.extend(rules);
    }
    if let Some(items) = raw.items.take() {
        raw.items = Some(Box::new(resolve(*items, components, depth + 1)?));
    }
    merge(&mut schema, raw);
    Ok(schema)
}

/// Adds what `more` says to `schema`.
fn merge(schema: &mut Schema, more: Schema) {
    /// Each keyword `more` sets replaces the schema's.
    macro_rules! replace {
        ($($keyword:ident),*) => { $(schema.$keyword = more.$keyword.or(schema.$keyword.take());)* };
    }
    replace!(
        kind, format, items, minimum, maximum, min_length, max_length, min_items, max_items
    );
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
