//! OpenAPI 3.0 response schemas as JSON Schema (draft 2020-12) documents.
//!
//! The mock's answers must be checked against the spec itself, by a JSON Schema
//! validator, not by code that knows what the mock renders. A validator cannot read an
//! OpenAPI 3.0 schema object as it is: its `$ref`s point into `#/components/schemas`
//! of a document the validator never sees, and `nullable: true` is not JSON Schema (a
//! validator ignores it and rejects every `null`). This module turns any operation's
//! response schema, for any status, into one self-contained document:
//!
//! - every component schema goes into `$defs`, and `#/components/schemas/Name` becomes
//!   `#/$defs/Name`;
//! - `nullable: true` adds `"null"` to `type` (and to `enum`), or, on a schema without
//!   `type` (`allOf`, `oneOf`, ...), becomes `anyOf: [schema, {type: null}]`;
//! - OpenAPI's boolean `exclusiveMinimum`/`exclusiveMaximum` become the numbers of
//!   JSON Schema, `example` becomes `examples`;
//! - everything else is kept as it is: `format` (an annotation: the validator decides
//!   whether it asserts one), `allOf`/`oneOf`/`anyOf`, `required`, `pattern`, ...
//!
//! The spec is read with `openapiv3` (through `xtask::spec::parse`), so a response is
//! found by operation and status as OpenAPI defines it: the exact code, else its range
//! (`4XX`), else `default`; `#/components/responses` references are followed.

use openapiv3::{OpenAPI, ReferenceOr, Response, Schema, StatusCode};
use serde_json::{Map, Value, json};

/// The JSON Schema dialect of every document made here.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

const SCHEMAS: &str = "#/components/schemas/";
const RESPONSES: &str = "#/components/responses/";

/// Why a response schema could not be converted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// No operation has this `operationId`.
    #[error("the spec has no operation `{0}`")]
    UnknownOperation(String),
    /// The operation declares no response (not even a range or `default`) for the status.
    #[error("`{operation}` declares no response for status {status}")]
    NoResponse {
        /// The operation's id.
        operation: String,
        /// The HTTP status asked for.
        status: u16,
    },
    /// The response has no `application/json` body with a schema.
    #[error("the {status} response of `{operation}` has no application/json schema")]
    NoJsonSchema {
        /// The operation's id.
        operation: String,
        /// The HTTP status asked for.
        status: u16,
    },
    /// A `$ref` that does not name an existing component of the right kind.
    #[error("`$ref: {0}` does not resolve to a component of this spec")]
    UnresolvedRef(String),
    /// A schema that `openapiv3` parsed but could not write back as JSON.
    #[error("cannot write schema `{name}` as JSON: {source}")]
    Serialize {
        /// Where the schema is.
        name: String,
        /// serde_json's message.
        source: serde_json::Error,
    },
}

/// The JSON Schema document of the JSON body that `operation_id` answers with `status`:
/// the converted response schema at the root, every component schema under `$defs`.
pub fn response_document(
    openapi: &OpenAPI,
    operation_id: &str,
    status: u16,
) -> Result<Value, ConvertError> {
    let operation = openapi
        .operations()
        .map(|(_, _, operation)| operation)
        .find(|operation| operation.operation_id.as_deref() == Some(operation_id))
        .ok_or_else(|| ConvertError::UnknownOperation(operation_id.to_string()))?;
    let responses = &operation.responses;
    let declared = responses
        .responses
        .get(&StatusCode::Code(status))
        .or_else(|| responses.responses.get(&StatusCode::Range(status / 100)))
        .or(responses.default.as_ref())
        .ok_or_else(|| ConvertError::NoResponse {
            operation: operation_id.to_string(),
            status,
        })?;
    let schema = resolve_response(openapi, declared)?
        .content
        .get("application/json")
        .and_then(|media| media.schema.as_ref())
        .ok_or_else(|| ConvertError::NoJsonSchema {
            operation: operation_id.to_string(),
            status,
        })?;
    let root = to_json(schema, &format!("{operation_id} {status}"))?;
    document(openapi, &root)
}

/// A self-contained JSON Schema document for `root`, an OpenAPI 3.0 schema object (as
/// JSON) whose `$ref`s point into `openapi`'s component schemas.
pub fn document(openapi: &OpenAPI, root: &Value) -> Result<Value, ConvertError> {
    let mut defs = Map::new();
    if let Some(components) = &openapi.components {
        for (name, schema) in &components.schemas {
            let schema = to_json(schema, name)?;
            defs.insert(name.clone(), convert(&schema, openapi)?);
        }
    }
    let converted = convert(root, openapi)?;
    // The root's keywords sit beside `$defs` (in 2020-12 `$ref` may have siblings).
    let mut document = match converted {
        Value::Object(map) => map,
        other => Map::from_iter([("allOf".to_string(), json!([other]))]),
    };
    document.insert("$schema".into(), json!(DIALECT));
    document.insert("$defs".into(), Value::Object(defs));
    Ok(Value::Object(document))
}

/// Converts one OpenAPI 3.0 schema object (as JSON) to JSON Schema 2020-12, checking
/// that each `$ref` names one of `openapi`'s component schemas.
pub fn convert(schema: &Value, openapi: &OpenAPI) -> Result<Value, ConvertError> {
    let Value::Object(object) = schema else {
        // `true`/`false` (e.g. `additionalProperties: false`) mean the same in both.
        return Ok(schema.clone());
    };
    let mut out = Map::new();
    let mut nullable = false;
    for (key, value) in object {
        let converted = match key.as_str() {
            "$ref" => json!(definition_ref(value, openapi)?),
            "nullable" => {
                nullable = value == &Value::Bool(true);
                continue;
            }
            "example" => {
                out.insert("examples".into(), json!([value]));
                continue;
            }
            "items" | "not" | "additionalProperties" => convert(value, openapi)?,
            "properties" => match value {
                Value::Object(properties) => Value::Object(
                    properties
                        .iter()
                        .map(|(name, property)| Ok((name.clone(), convert(property, openapi)?)))
                        .collect::<Result<_, ConvertError>>()?,
                ),
                other => other.clone(),
            },
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(variants) => Value::Array(
                    variants
                        .iter()
                        .map(|variant| convert(variant, openapi))
                        .collect::<Result<_, _>>()?,
                ),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    exclusive_bound(&mut out, "exclusiveMinimum", "minimum");
    exclusive_bound(&mut out, "exclusiveMaximum", "maximum");
    if !nullable {
        return Ok(Value::Object(out));
    }
    if let Some(enumeration) = out.get_mut("enum").and_then(Value::as_array_mut)
        && !enumeration.contains(&Value::Null)
    {
        enumeration.push(Value::Null);
    }
    match out.get("type").cloned() {
        Some(Value::String(single)) => {
            out.insert("type".into(), json!([single, "null"]));
            Ok(Value::Object(out))
        }
        _ => Ok(json!({ "anyOf": [Value::Object(out), { "type": "null" }] })),
    }
}

/// Closes the object schemas of a converted `document` that list `properties` and say
/// nothing of others: `unevaluatedProperties: false` is added, so a field the spec does
/// not document is an error.
///
/// A schema that is a member of an `allOf` (inline, or a `$defs` entry an `allOf`
/// refers to) stays open: closed, it would refuse the fields its siblings document.
/// The object around the `allOf` is closed and sees their fields as evaluated.
///
/// The spec itself stays open (a client must accept fields the server adds); this is
/// for checking a server we write, which should send only what is documented.
pub fn close_objects(document: &mut Value) {
    let mut composed = Vec::new();
    all_of_refs(document, &mut composed);
    if let Some(Value::Object(defs)) = document.get_mut("$defs") {
        for (name, schema) in defs.iter_mut() {
            let member = composed.contains(&format!("#/$defs/{name}"));
            close(schema, member);
        }
    }
    if let Value::Object(root) = document {
        for (key, value) in root.iter_mut() {
            if key != "$defs" {
                close_keyword(key, value);
            }
        }
        close_here(root);
    }
}

/// Closes `schema` (unless it is an `allOf` member) and the schemas inside it.
fn close(schema: &mut Value, all_of_member: bool) {
    let Value::Object(object) = schema else {
        return;
    };
    for (key, value) in object.iter_mut() {
        close_keyword(key, value);
    }
    if !all_of_member {
        close_here(object);
    }
}

fn close_keyword(key: &str, value: &mut Value) {
    match (key, value) {
        ("properties" | "$defs", Value::Object(schemas)) => {
            schemas.values_mut().for_each(|schema| close(schema, false));
        }
        ("allOf", Value::Array(members)) => {
            members.iter_mut().for_each(|member| close(member, true));
        }
        ("anyOf" | "oneOf", Value::Array(members)) => {
            members.iter_mut().for_each(|member| close(member, false));
        }
        ("items" | "not" | "additionalProperties", schema) => close(schema, false),
        _ => {}
    }
}

fn close_here(object: &mut Map<String, Value>) {
    if object.contains_key("properties")
        && !object.contains_key("additionalProperties")
        && !object.contains_key("unevaluatedProperties")
    {
        object.insert("unevaluatedProperties".into(), Value::Bool(false));
    }
}

/// Every `$ref` that is a direct member of an `allOf` anywhere in `schema`.
fn all_of_refs(schema: &Value, found: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::Array(members)) = object.get("allOf") {
                found.extend(
                    members
                        .iter()
                        .filter_map(|member| member.get("$ref")?.as_str().map(str::to_string)),
                );
            }
            object.values().for_each(|value| all_of_refs(value, found));
        }
        Value::Array(items) => items.iter().for_each(|item| all_of_refs(item, found)),
        _ => {}
    }
}

/// `#/components/schemas/Name` as `#/$defs/Name`, if that component exists.
fn definition_ref(reference: &Value, openapi: &OpenAPI) -> Result<String, ConvertError> {
    let text = reference.as_str().unwrap_or_default();
    let exists = |name: &str| {
        openapi
            .components
            .as_ref()
            .is_some_and(|components| components.schemas.contains_key(name))
    };
    match text.strip_prefix(SCHEMAS) {
        Some(name) if exists(name) => Ok(format!("#/$defs/{name}")),
        _ => Err(ConvertError::UnresolvedRef(reference.to_string())),
    }
}

/// OpenAPI 3.0 (JSON Schema draft 4) writes an exclusive bound as `minimum: 1,
/// exclusiveMinimum: true`; 2020-12 as `exclusiveMinimum: 1`.
fn exclusive_bound(schema: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    match schema.get(exclusive) {
        Some(Value::Bool(true)) => {
            if let Some(bound) = schema.remove(inclusive) {
                schema.insert(exclusive.into(), bound);
            } else {
                schema.remove(exclusive);
            }
        }
        Some(Value::Bool(false)) => {
            schema.remove(exclusive);
        }
        _ => {}
    }
}

/// Follows `#/components/responses/...` references to the response itself.
fn resolve_response<'a>(
    openapi: &'a OpenAPI,
    mut response: &'a ReferenceOr<Response>,
) -> Result<&'a Response, ConvertError> {
    // A chain longer than the number of components is a cycle.
    let limit = openapi
        .components
        .as_ref()
        .map_or(0, |components| components.responses.len());
    for _ in 0..=limit {
        match response {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => {
                response = reference
                    .strip_prefix(RESPONSES)
                    .and_then(|name| openapi.components.as_ref()?.responses.get(name))
                    .ok_or_else(|| ConvertError::UnresolvedRef(reference.clone()))?;
            }
        }
    }
    match response {
        ReferenceOr::Item(item) => Ok(item),
        ReferenceOr::Reference { reference } => Err(ConvertError::UnresolvedRef(reference.clone())),
    }
}

fn to_json(schema: &ReferenceOr<Schema>, name: &str) -> Result<Value, ConvertError> {
    serde_json::to_value(schema).map_err(|source| ConvertError::Serialize {
        name: name.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec with one operation, `op`, answering `responses`, and `schemas` as its
    /// component schemas.
    fn spec(responses: Value, schemas: Value) -> OpenAPI {
        let spec = json!({
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1" },
            "paths": { "/x": { "get": { "operationId": "op", "responses": responses } } },
            "components": {
                "schemas": schemas,
                "responses": {
                    "Problem": {
                        "description": "an error",
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
                    },
                    "Alias": { "$ref": "#/components/responses/Problem" }
                }
            }
        });
        match serde_json::from_value(spec) {
            Ok(openapi) => openapi,
            Err(e) => panic!("test spec does not parse: {e}"),
        }
    }

    fn body(schema: Value) -> Value {
        json!({ "description": "ok", "content": { "application/json": { "schema": schema } } })
    }

    fn problem() -> Value {
        json!({
            "type": "object",
            "required": ["message"],
            "properties": { "message": { "type": "string" } }
        })
    }

    /// The converted document of `op`'s response `status`, as a validator.
    fn validator(openapi: &OpenAPI, status: u16) -> jsonschema::Validator {
        let document = match response_document(openapi, "op", status) {
            Ok(document) => document,
            Err(e) => panic!("{e}"),
        };
        match jsonschema::validator_for(&document) {
            Ok(validator) => validator,
            Err(e) => panic!("not a valid JSON Schema ({e}):\n{document:#}"),
        }
    }

    /// `schema` as the 200 body of a spec whose components are `Problem` and `schemas`.
    fn validator_of(schema: Value, schemas: Value) -> jsonschema::Validator {
        let mut all = json!({ "Problem": problem() });
        if let (Some(all), Value::Object(more)) = (all.as_object_mut(), schemas) {
            all.extend(more);
        }
        validator(&spec(json!({ "200": body(schema) }), all), 200)
    }

    #[test]
    fn nullable_with_a_type_adds_null_to_the_type() {
        let schema = json!({ "type": "string", "nullable": true, "format": "date-time" });
        let openapi = spec(json!({}), json!({}));
        assert_eq!(
            convert(&schema, &openapi).unwrap(),
            json!({ "type": ["string", "null"], "format": "date-time" })
        );
        let v = validator_of(schema, json!({}));
        assert!(v.is_valid(&json!(null)));
        assert!(v.is_valid(&json!("2024-05-28T21:00:00+02:00")));
        assert!(!v.is_valid(&json!(12)));
    }

    #[test]
    fn without_nullable_null_is_refused() {
        let v = validator_of(json!({ "type": "integer", "nullable": false }), json!({}));
        assert!(v.is_valid(&json!(3)));
        assert!(!v.is_valid(&json!(null)));
    }

    #[test]
    fn nullable_without_a_type_becomes_any_of_null() {
        let schema =
            json!({ "nullable": true, "allOf": [{ "$ref": "#/components/schemas/Problem" }] });
        let openapi = spec(json!({}), json!({ "Problem": problem() }));
        assert_eq!(
            convert(&schema, &openapi).unwrap(),
            json!({ "anyOf": [{ "allOf": [{ "$ref": "#/$defs/Problem" }] }, { "type": "null" }] })
        );
        let v = validator_of(schema, json!({}));
        assert!(v.is_valid(&json!(null)));
        assert!(v.is_valid(&json!({ "message": "m" })));
        assert!(
            !v.is_valid(&json!({})),
            "the referenced schema still applies"
        );
    }

    #[test]
    fn a_nullable_enum_accepts_null() {
        let schema = json!({ "type": "string", "enum": ["a", "b"], "nullable": true });
        let v = validator_of(schema, json!({}));
        assert!(v.is_valid(&json!(null)));
        assert!(v.is_valid(&json!("a")));
        assert!(!v.is_valid(&json!("c")));
    }

    #[test]
    fn refs_point_into_defs_and_are_followed_through_components() {
        let schemas = json!({
            "Outer": {
                "type": "object",
                "required": ["inner"],
                "properties": { "inner": { "$ref": "#/components/schemas/Inner" } }
            },
            "Inner": { "type": "object", "required": ["n"], "properties": { "n": { "type": "integer" } } }
        });
        let v = validator_of(json!({ "$ref": "#/components/schemas/Outer" }), schemas);
        assert!(v.is_valid(&json!({ "inner": { "n": 1 } })));
        assert!(!v.is_valid(&json!({ "inner": { "n": "1" } })));
        assert!(!v.is_valid(&json!({ "inner": {} })));
    }

    #[test]
    fn a_dangling_ref_is_an_error_not_a_schema_that_accepts_anything() {
        let openapi = spec(
            json!({ "200": body(json!({ "$ref": "#/components/schemas/Missing" })) }),
            json!({}),
        );
        let error = response_document(&openapi, "op", 200).unwrap_err();
        assert!(matches!(error, ConvertError::UnresolvedRef(_)), "{error}");
        assert_eq!(
            error.to_string(),
            "`$ref: \"#/components/schemas/Missing\"` does not resolve to a component of this spec"
        );
    }

    #[test]
    fn all_of_is_kept_with_its_siblings() {
        let schemas = json!({ "Local": { "type": "string", "example": "2024-05-11 12:59:00" } });
        let schema = json!({
            "type": "object",
            "required": ["paidAt"],
            "properties": {
                "paidAt": { "description": "When.", "allOf": [{ "$ref": "#/components/schemas/Local" }] }
            }
        });
        let openapi = spec(json!({}), schemas.clone());
        let converted = convert(&schema, &openapi).unwrap();
        assert_eq!(
            converted["properties"]["paidAt"],
            json!({ "description": "When.", "allOf": [{ "$ref": "#/$defs/Local" }] })
        );
        let v = validator_of(schema, schemas);
        assert!(v.is_valid(&json!({ "paidAt": "2024-05-11 12:59:00" })));
        assert!(!v.is_valid(&json!({ "paidAt": 5 })));
    }

    #[test]
    fn array_items_are_converted_too() {
        let schema = json!({
            "type": "array",
            "items": { "type": "object", "properties": { "n": { "type": "integer", "nullable": true } } }
        });
        let v = validator_of(schema, json!({}));
        assert!(v.is_valid(&json!([{ "n": 1 }, { "n": null }, {}])));
        assert!(!v.is_valid(&json!([{ "n": 1 }, { "n": "x" }])));
        assert!(!v.is_valid(&json!({ "n": 1 })));
    }

    #[test]
    fn additional_properties_and_one_of_are_converted() {
        let schema = json!({
            "type": "object",
            "additionalProperties": { "type": "array", "items": { "type": "string" } },
            "properties": { "per": { "oneOf": [{ "type": "integer", "minimum": 1 }, { "type": "string", "pattern": "^[0-9]+$" }] } }
        });
        let v = validator_of(schema, json!({}));
        assert!(v.is_valid(&json!({ "per": 15, "pdf": ["m"] })));
        assert!(v.is_valid(&json!({ "per": "15" })));
        assert!(!v.is_valid(&json!({ "per": 0 })));
        assert!(!v.is_valid(&json!({ "per": "15a" })));
        assert!(!v.is_valid(&json!({ "pdf": [1] })));
    }

    #[test]
    fn closed_objects_refuse_undocumented_fields_but_keep_all_of_fields() {
        let schemas = json!({
            "Base": { "type": "object", "properties": { "a": { "type": "integer" } } },
            "Open": { "type": "object", "properties": { "m": { "type": "object", "properties": {}, "additionalProperties": true } } }
        });
        let openapi = spec(
            json!({ "200": body(json!({
                "allOf": [{ "$ref": "#/components/schemas/Base" }],
                "properties": { "b": { "type": "integer" }, "open": { "$ref": "#/components/schemas/Open" } },
                "example": { "properties": "data, not a schema" }
            })) }),
            schemas,
        );
        let mut document = response_document(&openapi, "op", 200).unwrap();
        let open = jsonschema::validator_for(&document).unwrap();
        close_objects(&mut document);
        let closed = jsonschema::validator_for(&document).unwrap();
        let extra = json!({ "a": 1, "b": 2, "c": 3 });
        assert!(open.is_valid(&extra));
        assert!(!closed.is_valid(&extra));
        assert!(
            closed.is_valid(&json!({ "a": 1, "b": 2 })),
            "a field from allOf is documented"
        );
        assert!(!closed.is_valid(&json!({ "open": { "m": {}, "x": 1 } })));
        assert!(
            closed.is_valid(&json!({ "open": { "m": { "x": 1 } } })),
            "additionalProperties stays"
        );
        assert_eq!(
            document["examples"],
            json!([{ "properties": "data, not a schema" }])
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        let schema = json!({ "type": "integer", "minimum": 1, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false });
        let openapi = spec(json!({}), json!({}));
        assert_eq!(
            convert(&schema, &openapi).unwrap(),
            json!({ "type": "integer", "exclusiveMinimum": 1, "maximum": 9 })
        );
    }

    #[test]
    fn example_becomes_examples_and_format_stays() {
        let openapi = spec(json!({}), json!({}));
        let schema = json!({ "type": "string", "format": "decimal", "example": "12.95" });
        assert_eq!(
            convert(&schema, &openapi).unwrap(),
            json!({ "type": "string", "format": "decimal", "examples": ["12.95"] })
        );
    }

    #[test]
    fn a_status_is_found_exactly_then_by_range_then_default() {
        let responses = json!({
            "200": body(json!({ "type": "integer" })),
            "404": { "$ref": "#/components/responses/Alias" },
            "4XX": body(json!({ "type": "string" })),
            "default": body(json!({ "type": "boolean" }))
        });
        let openapi = spec(responses, json!({ "Problem": problem() }));
        assert!(validator(&openapi, 200).is_valid(&json!(1)));
        // Through two response references to the Problem schema.
        let not_found = validator(&openapi, 404);
        assert!(not_found.is_valid(&json!({ "message": "gone" })));
        assert!(!not_found.is_valid(&json!({})));
        assert!(validator(&openapi, 422).is_valid(&json!("x")));
        assert!(!validator(&openapi, 422).is_valid(&json!(1)));
        assert!(validator(&openapi, 503).is_valid(&json!(true)));
    }

    #[test]
    fn missing_operations_statuses_and_bodies_are_errors() {
        let responses = json!({ "204": { "description": "no body" } });
        let openapi = spec(responses, json!({}));
        let error = response_document(&openapi, "nope", 200).unwrap_err();
        assert_eq!(error.to_string(), "the spec has no operation `nope`");
        let error = response_document(&openapi, "op", 200).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`op` declares no response for status 200"
        );
        let error = response_document(&openapi, "op", 204).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the 204 response of `op` has no application/json schema"
        );
    }

    #[test]
    fn a_reference_cycle_between_responses_is_an_error() {
        let mut openapi = spec(
            json!({ "200": { "$ref": "#/components/responses/Loop" } }),
            json!({}),
        );
        if let Some(components) = openapi.components.as_mut() {
            components.responses.insert(
                "Loop".into(),
                ReferenceOr::Reference {
                    reference: "#/components/responses/Loop".into(),
                },
            );
        }
        let error = response_document(&openapi, "op", 200).unwrap_err();
        assert!(matches!(error, ConvertError::UnresolvedRef(_)), "{error}");
    }
}
