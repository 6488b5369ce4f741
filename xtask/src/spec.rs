//! Reading and checking the OpenAPI spec before progenitor sees it.
//!
//! progenitor reports a bad spec tersely (an OpenAPI 3.1 file fails with a serde
//! message) or not at all: two different response schemas where it expects one make it
//! panic. A person editing the spec needs one paragraph that says which file, which
//! line, what is wrong and what to do, so every mistake we know of is caught here
//! first, and each becomes a [`SpecError`].

use std::collections::BTreeMap;
use std::fmt;

use openapiv3::{OpenAPI, ReferenceOr, Response, StatusCode};

use serde_yaml_ng::Value;

use crate::bundle::Bundle;
use crate::{refs, yaml};

/// A place in the spec file, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// Everything that can be wrong with a spec. Each message is one paragraph that starts
/// with `file:line[:column]` and ends with what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The file could not be read.
    #[error("{file}: cannot read the spec: {source}")]
    Read {
        /// The file as the user named it.
        file: String,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file is not valid YAML.
    #[error("{at}: invalid YAML: {message}. Fix the syntax at that position.")]
    Yaml {
        /// Where the parser stopped.
        at: Location,
        /// The parser's message.
        message: String,
    },
    /// The document declares OpenAPI 3.1, which progenitor cannot read.
    #[error(
        "{at}: this spec declares `openapi: {version}`, but progenitor (through the openapiv3 crate) reads OpenAPI 3.0.x only. Keep the hand-written spec at `openapi: 3.0.3` and express 3.1 constructs in 3.0 terms (`nullable: true` instead of `type: [..., \"null\"]`, `example` instead of `examples`)."
    )]
    OpenApi31 {
        /// The `openapi:` line.
        at: Location,
        /// The declared version.
        version: String,
    },
    /// The document is not OpenAPI 3.0 at all.
    #[error(
        "{at}: expected `openapi: 3.0.x` at the top level, found {found}. progenitor reads OpenAPI 3.0.x documents only."
    )]
    NotOpenApi30 {
        /// The `openapi:` line, or the top of the file.
        at: Location,
        /// What was found instead.
        found: String,
    },
    /// The YAML is valid but does not have the shape of an OpenAPI 3.0 document.
    #[error("{at}: not a valid OpenAPI 3.0 document: {message}.")]
    Shape {
        /// Where deserialization stopped.
        at: Location,
        /// The deserializer's message.
        message: String,
    },
    /// An operation has no `operationId`.
    #[error(
        "{at}: the operation `{method} {path}` has no `operationId`. progenitor names each client method after its operationId: add a unique one (kebab-case, like `list-customer-invoices`)."
    )]
    MissingOperationId {
        /// The operation's method key.
        at: Location,
        /// HTTP method, upper case.
        method: String,
        /// The path template.
        path: String,
    },
    /// An operation that is not a GET does not say what a retry may do.
    #[error(
        "{at}: the operation `{method} {path}` has no `x-mkp-retry`. Every operation that is not a GET says what a retry may do: add `x-mkp-retry: once` beside its operationId (a create: sent again only when the server provably did not process it) or `x-mkp-retry: safe` (sending it twice does what sending it once does)."
    )]
    MissingRetryRule {
        /// The operation's method key.
        at: Location,
        /// HTTP method, upper case.
        method: String,
        /// The path template.
        path: String,
    },
    /// An `x-mkp-retry` that is neither `safe` nor `once`.
    #[error(
        "{at}: `x-mkp-retry: {found}` of `{method} {path}` is not a retry rule: write `safe` or `once`."
    )]
    BadRetryRule {
        /// The extension's value.
        at: Location,
        /// HTTP method, upper case.
        method: String,
        /// The path template.
        path: String,
        /// What the spec says instead.
        found: String,
    },
    /// Two operations share an `operationId`.
    #[error(
        "{at}: the operationId `{id}` of `{operation}` is already used by {first}. Every operationId must be unique: rename one of them."
    )]
    DuplicateOperationId {
        /// The second use.
        at: Location,
        /// The duplicated id.
        id: String,
        /// `METHOD path` of the second use.
        operation: String,
        /// `METHOD path` of the first use, with its line.
        first: String,
    },
    /// A `$ref` points at nothing.
    #[error(
        "{at}: `$ref: {reference}` resolves to nothing: {why}. Point it at an existing entry under `components`, or add that entry."
    )]
    DanglingRef {
        /// The `$ref` line.
        at: Location,
        /// The reference as written.
        reference: String,
        /// Why it does not resolve.
        why: String,
    },
    /// The responses of one operation have more than one schema on one side (success or
    /// error), which progenitor answers with a panic.
    #[error(
        "{at}: the {side} responses of `{operation}` use different bodies ({kinds}). progenitor supports one {side} type per operation and panics otherwise{default_note}. Give every {side} response the same schema (this project uses `#/components/schemas/ErrorBody` for every error)."
    )]
    ConflictingResponses {
        /// The operation.
        at: Location,
        /// The operation's id.
        operation: String,
        /// `success` or `error`.
        side: &'static str,
        /// The distinct bodies, by status.
        kinds: String,
        /// Extra words when a `default` response is among them.
        default_note: &'static str,
    },
    /// A `multipart/form-data` body that the xtask cannot generate (see
    /// `crate::multipart`).
    #[error(
        "{at}: the multipart/form-data operation `{operation}` {problem}. The xtask generates multipart operations from the spec (xtask/src/multipart.rs), so their bodies must keep to what it can express."
    )]
    Multipart {
        /// The offending key, as deep as it can be found.
        at: Location,
        /// The operation's id.
        operation: String,
        /// What is wrong and what to do, as a phrase.
        problem: String,
    },
    /// An operation the wrapper's resource layer cannot be written for (see
    /// `crate::resources`).
    #[error("{at}: the wrapper's method for `{operation}` {problem}.")]
    Resource {
        /// The operation, or the extension that is wrong.
        at: Location,
        /// The operation's id.
        operation: String,
        /// What is wrong and what to do, as a phrase.
        problem: String,
    },
    /// The root and the tag files cannot be joined (see `crate::bundle`).
    #[error("{at}: {problem}.")]
    Bundle {
        /// The offending line.
        at: Location,
        /// What is wrong and what to do, as a phrase.
        problem: String,
    },
    /// progenitor itself rejected the spec (or panicked) after our checks passed.
    #[error(
        "{file}: progenitor could not generate a client from this spec: {message}. The spec passed our own checks; see docs/api-notes.md §8 for what progenitor cannot generate."
    )]
    Progenitor {
        /// The spec file.
        file: String,
        /// progenitor's message.
        message: String,
    },
    /// The generated tokens were not valid Rust (a progenitor bug).
    #[error("{file}: progenitor produced code that does not parse as Rust: {message}")]
    Unparsable {
        /// The spec file.
        file: String,
        /// syn's message.
        message: String,
    },
}

/// A spec that parsed and passed every check.
#[derive(Debug)]
pub struct CheckedSpec {
    /// The parsed document, all of it (progenitor gets it without `multipart`).
    pub openapi: OpenAPI,
    /// Its `multipart/form-data` operations, which the xtask generates itself.
    pub multipart: Vec<crate::multipart::MultipartOperation>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Parses and checks a single-file spec held in memory. `file` is only used in messages.
pub fn parse(text: &str, file: &str) -> Result<CheckedSpec, SpecError> {
    parse_bundle(&Bundle::single(file, text)?)
}

/// Checks a spec already read (and joined); messages name the root or tag file and the
/// line of the node at fault.
pub fn parse_bundle(bundle: &Bundle) -> Result<CheckedSpec, SpecError> {
    let value = &bundle.document;

    // 1. The version, before the shape: a 3.1 file fails the 3.0 shape check with a
    //    message that does not mention the version at all.
    check_version(value, bundle)?;

    // 2. The shape of an OpenAPI 3.0 document, with the path to where it fails.
    let openapi: OpenAPI = serde_path_to_error::deserialize(value).map_err(|e| {
        let mut pointer = String::new();
        let mut shown = Vec::new();
        for segment in e.path().iter() {
            match segment {
                serde_path_to_error::Segment::Map { key } => {
                    pointer = yaml::child(&pointer, key);
                    shown.push(key.clone());
                }
                serde_path_to_error::Segment::Seq { index } => {
                    pointer = yaml::child(&pointer, &index.to_string());
                    shown.push(index.to_string());
                }
                _ => {}
            }
        }
        let message = e.inner().to_string();
        SpecError::Shape {
            at: bundle.locate(&pointer),
            message: if shown.is_empty() {
                message
            } else {
                format!("at `{}`: {message}", shown.join("."))
            },
        }
    })?;

    // 3. What progenitor needs and does not check itself.
    check_refs(value, bundle)?;
    check_operation_ids(&openapi, bundle)?;
    check_response_types(&openapi, bundle)?;
    let multipart = crate::multipart::extract(value, bundle)?;

    Ok(CheckedSpec { openapi, multipart })
}

fn check_version(value: &Value, bundle: &Bundle) -> Result<(), SpecError> {
    let version = match value.get("openapi") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            return Err(SpecError::NotOpenApi30 {
                at: bundle.locate("/openapi"),
                found: format!("`openapi: {}`", yaml_inline(other)),
            });
        }
        None => {
            let found = if value.get("swagger").is_some() {
                "a Swagger 2.0 document (`swagger:`)".to_string()
            } else {
                "no `openapi:` key".to_string()
            };
            return Err(SpecError::NotOpenApi30 {
                at: bundle.locate(""),
                found,
            });
        }
    };
    if version.starts_with("3.1") {
        return Err(SpecError::OpenApi31 {
            at: bundle.locate("/openapi"),
            version,
        });
    }
    if !version.starts_with("3.0") {
        return Err(SpecError::NotOpenApi30 {
            at: bundle.locate("/openapi"),
            found: format!("`openapi: {version}`"),
        });
    }
    Ok(())
}

fn yaml_inline(value: &Value) -> String {
    serde_yaml_ng::to_string(value)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// Every `$ref` in the document must be local (`#/...`) and resolve.
fn check_refs(root: &Value, bundle: &Bundle) -> Result<(), SpecError> {
    let mut refs = Vec::new();
    collect_refs(root, String::new(), &mut refs);
    for (pointer, reference) in refs {
        if let Err(why) = refs::resolve(root, &reference) {
            return Err(SpecError::DanglingRef {
                at: bundle.locate(&pointer),
                why,
                reference,
            });
        }
    }
    Ok(())
}

/// Every `$ref` of `value` (at `pointer`), with the pointer of its `$ref` key.
fn collect_refs(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                let Some(key) = k.as_str() else { continue };
                let at = yaml::child(&pointer, key);
                if let ("$ref", Value::String(r)) = (key, v) {
                    out.push((at, r.clone()));
                } else {
                    collect_refs(v, at, out);
                }
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_refs(v, yaml::child(&pointer, &i.to_string()), out);
            }
        }
        Value::Tagged(tagged) => collect_refs(&tagged.value, pointer, out),
        _ => {}
    }
}

/// Every operation, in document order, as (path, method, operation).
pub(crate) fn operations(openapi: &OpenAPI) -> Vec<(&str, &'static str, &openapiv3::Operation)> {
    let mut out = Vec::new();
    for (path, item) in openapi.paths.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let by_method = [
            item.get.as_ref(),
            item.put.as_ref(),
            item.post.as_ref(),
            item.delete.as_ref(),
            item.options.as_ref(),
            item.head.as_ref(),
            item.patch.as_ref(),
            item.trace.as_ref(),
        ];
        for (method, op) in METHODS.iter().zip(by_method) {
            if let Some(op) = op {
                out.push((path.as_str(), *method, op));
            }
        }
    }
    out
}

fn check_operation_ids(openapi: &OpenAPI, bundle: &Bundle) -> Result<(), SpecError> {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (path, method, op) in operations(openapi) {
        let upper = method.to_ascii_uppercase();
        let Some(id) = op.operation_id.as_deref() else {
            return Err(SpecError::MissingOperationId {
                at: bundle.locate(&operation_pointer(path, method)),
                method: upper,
                path: path.to_string(),
            });
        };
        let at = bundle.locate(&yaml::child(
            &operation_pointer(path, method),
            "operationId",
        ));
        if let Some(first) = seen.get(id) {
            return Err(SpecError::DuplicateOperationId {
                at,
                id: id.to_string(),
                operation: format!("{upper} {path}"),
                first: first.clone(),
            });
        }
        let first = format!("`{upper} {path}` ({at})");
        seen.insert(id, first);
    }
    Ok(())
}

/// The name of the extension that gives an operation's retry rule.
pub const RETRY_RULE: &str = "x-mkp-retry";

/// What a retry of an operation may do, from its `x-mkp-retry` (a GET is always `Safe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryRule {
    /// Retried after any transient failure.
    Safe,
    /// Retried only after what proves the server did not process it.
    Once,
}

/// The retry rule of `op` (a `method` operation), or what its `x-mkp-retry` says
/// instead of one (`None` when a write has none).
pub fn retry_rule(method: &str, op: &openapiv3::Operation) -> Result<RetryRule, Option<String>> {
    match op.extensions.get(RETRY_RULE) {
        Some(serde_json::Value::String(rule)) if rule == "safe" => Ok(RetryRule::Safe),
        Some(serde_json::Value::String(rule)) if rule == "once" => Ok(RetryRule::Once),
        Some(other) => Err(Some(match other {
            serde_json::Value::String(rule) => rule.clone(),
            other => other.to_string(),
        })),
        None if method.eq_ignore_ascii_case("get") => Ok(RetryRule::Safe),
        None => Err(None),
    }
}

/// Checks that every operation that is not a GET has a valid `x-mkp-retry`, which the
/// wrapper needs ([`crate::operations`]). Not part of [`parse_bundle`]: a revision of
/// the spec from before the rule existed must still parse for `semver`.
pub fn check_retry_rules(openapi: &OpenAPI, bundle: &Bundle) -> Result<(), SpecError> {
    for (path, method, op) in operations(openapi) {
        let Err(found) = retry_rule(method, op) else {
            continue;
        };
        let pointer = operation_pointer(path, method);
        let method = method.to_ascii_uppercase();
        let path = path.to_string();
        return Err(match found {
            None => SpecError::MissingRetryRule {
                at: bundle.locate(&pointer),
                method,
                path,
            },
            Some(found) => SpecError::BadRetryRule {
                at: bundle.locate(&yaml::child(&pointer, RETRY_RULE)),
                method,
                path,
                found,
            },
        });
    }
    Ok(())
}

/// What progenitor makes of one response body: it must be the same on each side.
fn response_kind(openapi: &OpenAPI, response: &ReferenceOr<Response>) -> String {
    let response = match response {
        ReferenceOr::Item(r) => r,
        ReferenceOr::Reference { reference } => {
            match refs::component(reference, "responses")
                .and_then(|name| openapi.components.as_ref()?.responses.get(&name))
            {
                Some(ReferenceOr::Item(r)) => r,
                _ => return format!("`{reference}`"),
            }
        }
    };
    if response.content.is_empty() {
        return "no body".to_string();
    }
    match response.content.get("application/json") {
        Some(media) => match &media.schema {
            Some(ReferenceOr::Reference { reference }) => format!("`{reference}`"),
            Some(ReferenceOr::Item(schema)) => serde_json::to_string(schema)
                .map(|s| format!("inline schema {s}"))
                .unwrap_or_else(|_| "an inline schema".to_string()),
            None => "JSON without a schema".to_string(),
        },
        None => {
            let types: Vec<&str> = response.content.keys().map(String::as_str).collect();
            format!("untyped `{}`", types.join("`, `"))
        }
    }
}

fn check_response_types(openapi: &OpenAPI, bundle: &Bundle) -> Result<(), SpecError> {
    for (path, method, op) in operations(openapi) {
        let id = op.operation_id.as_deref().unwrap_or(path);
        let mut success: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut error: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut default_kind = None;
        for (status, response) in op.responses.responses.iter() {
            let kind = response_kind(openapi, response);
            let (label, is_success) = match status {
                StatusCode::Code(c) => (c.to_string(), (200..300).contains(c)),
                StatusCode::Range(r) => (format!("{r}XX"), *r == 2),
                // openapiv3 drops unknown keys; anything else is an error side.
            };
            let side = if is_success { &mut success } else { &mut error };
            side.entry(kind).or_default().push(label);
        }
        if let Some(default) = &op.responses.default {
            let kind = response_kind(openapi, default);
            default_kind = Some(kind.clone());
            // A default counts on both sides, unless a 2XX range already covers success.
            error
                .entry(kind.clone())
                .or_default()
                .push("default".into());
            let has_2xx_range = op
                .responses
                .responses
                .keys()
                .any(|s| matches!(s, StatusCode::Range(2)));
            if !has_2xx_range {
                success.entry(kind).or_default().push("default".into());
            }
        }
        for (side, kinds) in [("success", &success), ("error", &error)] {
            if kinds.len() > 1 {
                let listed: Vec<String> = kinds
                    .iter()
                    .map(|(kind, statuses)| format!("{} → {kind}", statuses.join("/")))
                    .collect();
                let default_involved = default_kind.is_some();
                return Err(SpecError::ConflictingResponses {
                    at: if default_involved {
                        bundle.locate(&format!(
                            "{}/responses/default",
                            operation_pointer(path, method)
                        ))
                    } else {
                        bundle.locate(&operation_pointer(path, method))
                    },
                    operation: id.to_string(),
                    side,
                    kinds: listed.join("; "),
                    default_note: if default_involved {
                        " (a `default` response counts as both a success and an error response)"
                    } else {
                        ""
                    },
                });
            }
        }
    }
    Ok(())
}

/// The JSON pointer of the operation `method` of `path`.
pub(crate) fn operation_pointer(path: &str, method: &str) -> String {
    yaml::child(&yaml::child("/paths", path), method)
}
