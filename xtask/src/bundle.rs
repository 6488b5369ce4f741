//! One OpenAPI document from the spec's files: the root and one file per API tag.
//!
//! Sixteen tags in one YAML file would be thousands of lines that nobody reviews, so the
//! spec is split the way the API is: `spec/mijnklantportaal.yaml` holds what every
//! operation shares (`info`, `servers`, `security`, `tags`, shared components), and
//! `spec/tags/<tag>.yaml` (or `.yml`) holds one tag's `paths:` and `components:`,
//! written exactly as they would stand in a single file. progenitor, our checks and
//! `cargo xtask bundle` read one document, so the files are joined here.
//!
//! Each file is parsed once ([`crate::yaml`]), with the place of every node; the join
//! works on the parsed documents, not on their text, so any indentation and any YAML
//! style joins the same way, and the joined document keeps the file and line of each
//! node: a diagnostic names the tag file's own line. A path or component defined in two
//! files is refused with both places. Keys the join does not know (`x-` extensions, on
//! operations, properties or components) are passed through untouched.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_yaml_ng::{Mapping, Value};

use crate::spec::{Location, SpecError};
use crate::yaml::{self, Place, Places};

/// The folder of per-tag files, beside the root file.
pub const TAGS_DIR: &str = "tags";

/// The file extensions of spec files.
pub const EXTENSIONS: [&str; 2] = ["yaml", "yml"];

/// Whether `name` is a spec file (`.yaml` or `.yml`).
pub fn is_spec_file(name: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// One source file of a spec: its name in messages, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file as the user names it (`spec/tags/customers.yaml`).
    pub name: String,
    /// Its content.
    pub text: String,
}

/// The joined document and where each of its nodes came from.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// How the whole spec is named in messages and in the generated header.
    pub name: String,
    /// The single OpenAPI document, keys in the order the files give them.
    pub document: Value,
    root_file: Arc<str>,
    places: Places,
}

impl Bundle {
    /// A single-file spec held in memory, named `name` in messages.
    pub fn single(name: &str, text: &str) -> Result<Self, SpecError> {
        let file: Arc<str> = Arc::from(name);
        let parsed = yaml::parse(&file, text)?;
        Ok(Bundle {
            name: name.to_string(),
            document: parsed.value,
            root_file: file,
            places: parsed.places,
        })
    }

    /// Reads the root file at `path` and every `*.yaml` and `*.yml` file of the `tags/`
    /// folder beside it (alphabetically), and joins them. `name` is how the root is
    /// named in messages (`spec/mijnklantportaal.yaml`); tag files are named relative
    /// to it, with `/` on every system.
    pub fn load(path: &Path, name: &str) -> Result<Self, SpecError> {
        let read = |path: &Path, name: &str| {
            std::fs::read_to_string(path).map_err(|source| SpecError::Read {
                file: name.to_string(),
                source,
            })
        };
        let root = Source {
            name: name.to_string(),
            text: read(path, name)?,
        };
        let dir = path.parent().unwrap_or(Path::new(".")).join(TAGS_DIR);
        let mut files: Vec<(String, PathBuf)> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|entry| {
                    let file_name = entry.file_name().to_str()?.to_string();
                    is_spec_file(&file_name).then(|| (file_name, entry.path()))
                })
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(SpecError::Read {
                    file: tag_name(name, ""),
                    source,
                });
            }
        };
        files.sort();
        let mut tags = Vec::with_capacity(files.len());
        for (file_name, file) in files {
            let name = tag_name(name, &file_name);
            tags.push(Source {
                text: read(&file, &name)?,
                name,
            });
        }
        Self::join(&root, &tags)
    }

    /// Joins a root and its tag files (in the order given).
    pub fn join(root: &Source, tags: &[Source]) -> Result<Self, SpecError> {
        let root_file: Arc<str> = Arc::from(root.name.as_str());
        let parsed = yaml::parse(&root_file, &root.text)?;
        let mut places = parsed.places;
        let mut document = match parsed.value {
            Value::Mapping(map) => map,
            Value::Null => Mapping::new(),
            _ if tags.is_empty() => {
                return Ok(Bundle {
                    name: root.name.clone(),
                    document: parsed.value,
                    root_file,
                    places,
                });
            }
            _ => {
                return Err(SpecError::Bundle {
                    at: at_start(&root_file),
                    problem: "the root spec is not a mapping of OpenAPI keys".to_string(),
                });
            }
        };
        let mut paths = take_mapping(&mut document, "paths", &places, &root_file)?;
        let mut components = take_mapping(&mut document, "components", &places, &root_file)?;
        for tag in tags {
            let file: Arc<str> = Arc::from(tag.name.as_str());
            let parsed = yaml::parse(&file, &tag.text)?;
            let mut map = match parsed.value {
                Value::Mapping(map) => map,
                Value::Null => Mapping::new(),
                _ => {
                    return Err(SpecError::Bundle {
                        at: at_start(&file),
                        problem: "a tag file is a mapping with `paths:` and `components:`"
                            .to_string(),
                    });
                }
            };
            if let Some(key) = map
                .keys()
                .filter_map(Value::as_str)
                .find(|k| *k != "paths" && *k != "components")
            {
                return Err(SpecError::Bundle {
                    at: located(&parsed.places, &yaml::child("", key), &file),
                    problem: format!(
                        "a tag file holds only `paths:` and `components:`; `{key}` belongs in {}",
                        root.name
                    ),
                });
            }
            let tag_paths = take_mapping(&mut map, "paths", &parsed.places, &file)?;
            let tag_components = take_mapping(&mut map, "components", &parsed.places, &file)?;
            merge(&mut paths, tag_paths, "/paths", &mut places, &parsed.places)?;
            if let Some(tag_components) = tag_components {
                let target = components.get_or_insert_with(Mapping::new);
                for (kind, entries) in tag_components {
                    let Some(kind_name) = kind.as_str().map(str::to_string) else {
                        continue;
                    };
                    let pointer = yaml::child("/components", &kind_name);
                    match (target.get_mut(&kind), entries) {
                        (Some(Value::Mapping(existing)), Value::Mapping(entries)) => {
                            let mut existing_opt = Some(std::mem::take(existing));
                            merge(
                                &mut existing_opt,
                                Some(entries),
                                &pointer,
                                &mut places,
                                &parsed.places,
                            )?;
                            *existing = existing_opt.unwrap_or_default();
                        }
                        // `schemas:` written empty in the root.
                        (Some(slot @ Value::Null), entries) => {
                            *slot = entries;
                            copy_places(&mut places, &parsed.places, &pointer);
                        }
                        (Some(_), _) => {
                            return Err(duplicate(&pointer, &places, &parsed.places, &file));
                        }
                        (None, entries) => {
                            target.insert(kind, entries);
                            copy_places(&mut places, &parsed.places, &pointer);
                        }
                    }
                }
                if let Some(place) = parsed.places.get("/components") {
                    places
                        .entry("/components".to_string())
                        .or_insert_with(|| place.clone());
                }
            }
        }
        // The joined sections where the root has them; paths before components, as a
        // single file has them, where the root has neither.
        let mut paths = paths.map(Value::Mapping);
        let mut components = components.map(Value::Mapping);
        let mut ordered = Mapping::new();
        for (key, value) in document {
            match key.as_str() {
                Some("paths") => {
                    if let Some(v) = paths.take() {
                        ordered.insert(key, v);
                    }
                }
                Some("components") => {
                    if let Some(v) = paths.take() {
                        ordered.insert("paths".into(), v);
                    }
                    if let Some(v) = components.take() {
                        ordered.insert(key, v);
                    }
                }
                _ => {
                    ordered.insert(key, value);
                }
            }
        }
        if let Some(v) = paths {
            ordered.insert("paths".into(), v);
        }
        if let Some(v) = components {
            ordered.insert("components".into(), v);
        }
        let name = if tags.is_empty() {
            root.name.clone()
        } else {
            format!("{} and {}", root.name, tag_name(&root.name, "*.yaml"))
        };
        Ok(Bundle {
            name,
            document: Value::Mapping(ordered),
            root_file,
            places,
        })
    }

    /// Where the node at JSON `pointer` was written, if it was.
    pub fn place(&self, pointer: &str) -> Option<&Place> {
        self.places.get(pointer)
    }

    /// The place of the node at `pointer`, or of its nearest ancestor that has one; the
    /// root file when none has.
    pub fn locate(&self, pointer: &str) -> Location {
        located(&self.places, pointer, &self.root_file)
    }

    /// The document as pretty-printed JSON (OpenAPI 3.0 allows either form).
    pub fn to_json(&self) -> Result<String, SpecError> {
        serde_json::to_string_pretty(&self.document)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| SpecError::Shape {
                at: at_start(&self.root_file),
                message: format!("cannot be written as JSON: {e}"),
            })
    }

    /// The document as a `serde_json::Value` (for code that embeds or serves it).
    pub fn to_json_value(&self) -> Result<serde_json::Value, SpecError> {
        serde_json::to_value(&self.document).map_err(|e| SpecError::Shape {
            at: at_start(&self.root_file),
            message: format!("cannot be written as JSON: {e}"),
        })
    }

    /// The document as YAML.
    pub fn to_yaml(&self) -> Result<String, SpecError> {
        serde_yaml_ng::to_string(&self.document).map_err(|e| SpecError::Shape {
            at: at_start(&self.root_file),
            message: format!("cannot be written as YAML: {e}"),
        })
    }
}

/// What `cargo xtask bundle` writes: the spec, checked as `generate` checks it, as one
/// OpenAPI 3.0 document in JSON or YAML.
pub fn render(bundle: &Bundle, json: bool) -> Result<String, SpecError> {
    crate::spec::parse_bundle(bundle)?;
    if json {
        bundle.to_json()
    } else {
        bundle.to_yaml()
    }
}

fn at_start(file: &Arc<str>) -> Location {
    Location {
        file: file.to_string(),
        line: Some(1),
        column: None,
    }
}

/// The place of `pointer`, or of its nearest ancestor, in `places`.
fn located(places: &Places, pointer: &str, file: &Arc<str>) -> Location {
    let mut current = pointer;
    loop {
        if let Some(place) = places.get(current) {
            return place.location();
        }
        match current.rfind('/') {
            Some(i) => current = &current[..i],
            None => {
                return Location {
                    file: file.to_string(),
                    line: None,
                    column: None,
                };
            }
        }
    }
}

/// Takes the value of `key` out of `map`: a mapping, nothing (absent or `null`), or an
/// error.
fn take_mapping(
    map: &mut Mapping,
    key: &str,
    places: &Places,
    file: &Arc<str>,
) -> Result<Option<Mapping>, SpecError> {
    // The key keeps its slot (`null` for now), so the root's order of keys stays.
    match map.get_mut(key).map(std::mem::take) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Mapping(m)) => Ok(Some(m)),
        Some(_) => Err(SpecError::Bundle {
            at: located(places, &yaml::child("", key), file),
            problem: format!("`{key}` must be a mapping, one entry per key"),
        }),
    }
}

/// Adds `from`'s entries (the section at `pointer` of another file) to `into`; an
/// entry both have is refused with both places.
fn merge(
    into: &mut Option<Mapping>,
    from: Option<Mapping>,
    pointer: &str,
    places: &mut Places,
    from_places: &Places,
) -> Result<(), SpecError> {
    let Some(from) = from else {
        return Ok(());
    };
    if let Some(place) = from_places.get(pointer) {
        places
            .entry(pointer.to_string())
            .or_insert_with(|| place.clone());
    }
    let into = into.get_or_insert_with(Mapping::new);
    for (key, value) in from {
        let Some(name) = key.as_str() else { continue };
        let at = yaml::child(pointer, name);
        if into.contains_key(&key) {
            let file = from_places
                .get(&at)
                .map(|p| p.file.clone())
                .unwrap_or_else(|| Arc::from(""));
            return Err(duplicate(&at, places, from_places, &file));
        }
        copy_places(places, from_places, &at);
        into.insert(key, value);
    }
    Ok(())
}

/// Copies the places of `pointer` and everything under it.
fn copy_places(places: &mut Places, from: &Places, pointer: &str) {
    let prefix = format!("{pointer}/");
    for (p, place) in from {
        if p == pointer || p.starts_with(&prefix) {
            places.insert(p.clone(), place.clone());
        }
    }
}

/// `section/name` at `pointer` is defined in two files.
fn duplicate(pointer: &str, first: &Places, second: &Places, file: &Arc<str>) -> SpecError {
    let mut segments = pointer.trim_start_matches('/').splitn(2, '/');
    let section = segments.next().unwrap_or_default().to_string();
    let name = yaml::unescape(segments.next().unwrap_or_default());
    let first = located(first, pointer, file);
    SpecError::Bundle {
        at: located(second, pointer, file),
        problem: format!(
            "`{section}` {name} is already defined at {first}; define it in one file only (shared components in the root spec)"
        ),
    }
}

/// `spec/tags/<file>` for a root named `spec/mijnklantportaal.yaml`, with `/` as the
/// separator on every system (the name goes into messages and the generated header).
fn tag_name(root: &str, file: &str) -> String {
    match root.rfind(['/', '\\']) {
        Some(i) => format!("{}/{TAGS_DIR}/{file}", &root[..i]),
        None => format!("{TAGS_DIR}/{file}"),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> Source {
        Source {
            name: name.to_string(),
            text: text.to_string(),
        }
    }

    const ROOT: &str = "# the root\nopenapi: 3.0.3\ninfo:\n  title: t\npaths:\n  /a:\n    get: {}\ncomponents:\n  schemas:\n    A:\n      type: string\n";

    const TAG: &str = "# tag b\npaths:\n  /b:\n    get:\n      x-mkp-note: kept\ncomponents:\n  schemas:\n    B:\n      type: integer\n  parameters:\n    P:\n      in: query\n";

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_mapping()
            .map(|m| m.keys().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn joins_paths_and_components_and_remembers_each_nodes_place() {
        let bundle = Bundle::join(
            &source("spec/root.yaml", ROOT),
            &[source("spec/tags/b.yaml", TAG)],
        )
        .unwrap();
        let doc = &bundle.document;
        assert_eq!(keys(doc), ["openapi", "info", "paths", "components"]);
        assert_eq!(keys(&doc["paths"]), ["/a", "/b"]);
        assert_eq!(keys(&doc["components"]), ["schemas", "parameters"]);
        assert_eq!(keys(&doc["components"]["schemas"]), ["A", "B"]);
        assert_eq!(doc["paths"]["/b"]["get"]["x-mkp-note"], "kept");
        let at = |p: &str| bundle.locate(p).to_string();
        assert_eq!(at("/paths/~1b"), "spec/tags/b.yaml:3");
        assert_eq!(at("/paths/~1b/get/x-mkp-note"), "spec/tags/b.yaml:5");
        assert_eq!(at("/components/schemas/B/type"), "spec/tags/b.yaml:9");
        assert_eq!(at("/paths/~1a"), "spec/root.yaml:6");
        // A pointer without a node of its own: its nearest ancestor.
        assert_eq!(at("/paths/~1b/get/responses"), "spec/tags/b.yaml:4");
        assert_eq!(bundle.name, "spec/root.yaml and spec/tags/*.yaml");
    }

    /// The join reads YAML, not lines: any indentation and flow style join the same.
    #[test]
    fn a_tag_file_joins_the_same_whatever_its_indentation_or_style() {
        let two = Bundle::join(&source("r.yaml", ROOT), &[source("t.yaml", TAG)]).unwrap();
        let four = TAG.replace("  ", "    ");
        let four = Bundle::join(&source("r.yaml", ROOT), &[source("t.yaml", &four)]).unwrap();
        assert_eq!(two.document, four.document);
        assert_eq!(
            four.locate("/components/schemas/B/type").to_string(),
            "t.yaml:9"
        );
        let flow = "paths: {/b: {get: {x-mkp-note: kept}}}\ncomponents: {schemas: {B: {type: integer}}, parameters: {P: {in: query}}}\n";
        let flow = Bundle::join(&source("r.yaml", ROOT), &[source("t.yml", flow)]).unwrap();
        assert_eq!(two.document, flow.document);
    }

    #[test]
    fn a_root_without_paths_gets_them_from_its_tags_before_its_components() {
        let root = "openapi: 3.0.3\ncomponents:\n  schemas:\n    A:\n      type: string\n";
        let tag = source("t.yaml", "paths:\n  /b:\n    get: {}\n");
        let bundle = Bundle::join(&source("root.yaml", root), &[tag]).unwrap();
        assert_eq!(keys(&bundle.document), ["openapi", "paths", "components"]);
        assert!(bundle.document["paths"]["/b"].is_mapping());
        assert_eq!(bundle.locate("/paths").to_string(), "t.yaml:1");
    }

    #[test]
    fn a_path_or_schema_in_two_files_names_both() {
        let tag = source("spec/tags/b.yaml", "paths:\n    /a:\n        post: {}\n");
        let err = Bundle::join(&source("spec/root.yaml", ROOT), &[tag]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "spec/tags/b.yaml:2: `paths` /a is already defined at spec/root.yaml:6; define it in one file only (shared components in the root spec)."
        );
        let tag = source(
            "b.yaml",
            "components:\n  schemas:\n    A:\n      type: string\n",
        );
        let err = Bundle::join(&source("root.yaml", ROOT), &[tag]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("b.yaml:3: `components` schemas/A is already defined at root.yaml:10"),
            "{err}"
        );
    }

    #[test]
    fn a_tag_file_with_other_keys_is_refused() {
        let tag = source("spec/tags/b.yaml", "paths:\n  /b: {}\ninfo:\n  title: x\n");
        let err = Bundle::join(&source("spec/root.yaml", ROOT), &[tag]).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "spec/tags/b.yaml:3: a tag file holds only `paths:` and `components:`; `info` belongs in spec/root.yaml"
            ),
            "{err}"
        );
    }

    #[test]
    fn tag_names_use_slashes_on_every_system() {
        assert_eq!(tag_name("spec/root.yaml", "a.yml"), "spec/tags/a.yml");
        assert_eq!(tag_name("spec\\root.yaml", "a.yaml"), "spec/tags/a.yaml");
        assert_eq!(tag_name("root.yaml", "a.yaml"), "tags/a.yaml");
        assert!(is_spec_file("a.yml") && is_spec_file("a.yaml") && !is_spec_file("a.json"));
    }

    #[test]
    fn load_reads_yaml_and_yml_tag_files() {
        let dir = std::env::temp_dir().join(format!("xtask-bundle-{}", std::process::id()));
        let tags = dir.join(TAGS_DIR);
        std::fs::create_dir_all(&tags).unwrap();
        std::fs::write(dir.join("root.yaml"), ROOT).unwrap();
        std::fs::write(tags.join("b.yml"), TAG).unwrap();
        std::fs::write(tags.join("c.yaml"), "paths:\n  /c: {}\n").unwrap();
        std::fs::write(tags.join("notes.txt"), "not a spec").unwrap();
        let bundle = Bundle::load(&dir.join("root.yaml"), "spec/root.yaml");
        std::fs::remove_dir_all(&dir).unwrap();
        let bundle = bundle.unwrap();
        assert_eq!(keys(&bundle.document["paths"]), ["/a", "/b", "/c"]);
        assert_eq!(bundle.locate("/paths/~1b").to_string(), "spec/tags/b.yml:3");
    }

    #[test]
    fn a_diagnostic_about_the_bundle_names_the_tag_files_line() {
        let root = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\ncomponents:\n  schemas:\n    A:\n      type: string\n";
        let tag = source(
            "spec/tags/b.yaml",
            "# b\npaths:\n  /b:\n    get:\n      operationId: get-b\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Missing'\n",
        );
        let bundle = Bundle::join(&source("spec/root.yaml", root), &[tag]).unwrap();
        let err = crate::spec::parse_bundle(&bundle).unwrap_err();
        assert!(
            err.to_string().starts_with("spec/tags/b.yaml:12: `$ref"),
            "{err}"
        );
    }
}
