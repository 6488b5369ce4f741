//! The one way a `$ref` is followed, for every part of the xtask.
//!
//! The spec's references are local JSON pointers (`#/components/schemas/Customer`).
//! The checks, the multipart generator and the HTTP view of `semver` all follow them;
//! doing it in one place means that an escaped name (`~1` for `/`) or a reference into
//! something other than a component means the same everywhere.

use serde_yaml_ng::Value;

use crate::yaml;

/// The node `reference` (`#/...`) names in `root`, or why it names nothing.
pub fn resolve<'v>(root: &'v Value, reference: &str) -> Result<&'v Value, String> {
    let Some(pointer) = reference.strip_prefix('#') else {
        return Err("only references inside this spec (`#/...`) are supported".to_string());
    };
    let mut current = root;
    let mut walked = String::from("#");
    for raw in pointer.split('/').skip(1) {
        let segment = yaml::unescape(raw);
        let next = match current {
            Value::Mapping(map) => map.get(segment.as_str()),
            Value::Sequence(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(v) => current = v,
            None => {
                return Err(if walked == "#" {
                    format!("there is no top-level `{segment}`")
                } else {
                    format!("`{walked}` has no entry `{segment}`")
                });
            }
        }
        walked.push('/');
        walked.push_str(raw);
    }
    Ok(current)
}

/// Follows `value` while it is a `{$ref: ...}` that resolves (a chain ends within a
/// few steps); returns the last node reached.
pub fn follow<'v>(root: &'v Value, value: &'v Value) -> &'v Value {
    let mut current = value;
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match resolve(root, reference) {
            Ok(next) => current = next,
            Err(_) => break,
        }
    }
    current
}

/// The component name of `reference` if it names an entry of `components/<kind>`
/// directly (`#/components/schemas/Customer` → `Customer` for `schemas`).
pub fn component(reference: &str, kind: &str) -> Option<String> {
    let rest = reference.strip_prefix("#/components/")?;
    let (found_kind, name) = rest.split_once('/')?;
    (found_kind == kind && !name.contains('/')).then(|| yaml::unescape(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_pointers_with_escapes() {
        let value: Value = serde_yaml_ng::from_str("paths:\n  /a/b:\n    get: 1\n").unwrap();
        assert!(resolve(&value, "#/paths/~1a~1b/get").is_ok());
        let err = resolve(&value, "#/paths/~1a~1b/put").unwrap_err();
        assert!(err.contains("`#/paths/~1a~1b` has no entry `put`"), "{err}");
        assert!(resolve(&value, "other.yaml#/x").is_err());
    }

    #[test]
    fn component_names() {
        assert_eq!(
            component("#/components/schemas/A~1B", "schemas").as_deref(),
            Some("A/B")
        );
        assert_eq!(component("#/components/schemas/A", "responses"), None);
        assert_eq!(
            component("#/components/schemas/A/properties/b", "schemas"),
            None
        );
    }
}
