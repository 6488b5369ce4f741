//! One OpenAPI document from the spec's files: the root and one file per API tag.
//!
//! Sixteen tags in one YAML file would be thousands of lines that nobody reviews, so the
//! spec is split the way the API is: `spec/mijnklantportaal.yaml` holds what every
//! operation shares (`info`, `servers`, `security`, `tags`, shared components), and
//! `spec/tags/<tag>.yaml` holds one tag's `paths:` and `components:`, written exactly as
//! they would stand in a single file. progenitor and our checks read one document, so
//! the files are joined here, as text, and every line of the result remembers the file
//! and line it came from: a diagnostic about the bundle names the tag file's own line.
//!
//! The join is textual on purpose: top-level keys start at column 0 and component kinds
//! (`schemas:`, `responses:`, ...) at column 2 in a hand-formatted spec, and a text join
//! keeps comments and positions, which a YAML round trip would lose. A path or component
//! defined in two files is refused with both places.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::spec::{Location, SpecError};

/// The folder of per-tag files, beside the root file.
pub const TAGS_DIR: &str = "tags";

/// One source file of a spec: its name in messages, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file as the user names it (`spec/tags/customers.yaml`).
    pub name: String,
    /// Its content.
    pub text: String,
}

/// The joined document and where each of its lines came from.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// How the whole spec is named in messages and in the generated header.
    pub name: String,
    /// The single OpenAPI document.
    pub text: String,
    origins: Vec<(Arc<str>, u32)>,
}

impl Bundle {
    /// A single-file spec: every line is its own origin.
    pub fn single(name: &str, text: &str) -> Self {
        let file: Arc<str> = Arc::from(name);
        Bundle {
            name: name.to_string(),
            text: text.to_string(),
            origins: (1..=text.lines().count())
                .map(|line| (file.clone(), to_u32(line)))
                .collect(),
        }
    }

    /// Reads the root file at `path` and every `*.yaml` file of the `tags/` folder
    /// beside it (alphabetically), and joins them. `name` is how the root is named in
    /// messages (`spec/mijnklantportaal.yaml`); tag files are named relative to it.
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
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
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
        for file in files {
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
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
        let root_file = parse_file(root)?;
        let tag_files = tags.iter().map(parse_file).collect::<Result<Vec<_>, _>>()?;
        for file in &tag_files {
            if let Some(section) = file
                .sections
                .iter()
                .find(|s| s.key != "paths" && s.key != "components")
            {
                return Err(SpecError::Bundle {
                    at: section.at(),
                    problem: format!(
                        "a tag file holds only `paths:` and `components:`; `{}` belongs in {}",
                        section.key, root.name
                    ),
                });
            }
        }
        check_unique(&root_file, &tag_files)?;

        let mut out = Out::default();
        out.lines(&root_file.preamble);
        let mut wrote = (false, false);
        for section in &root_file.sections {
            match section.key.as_str() {
                "paths" => {
                    wrote.0 = true;
                    out.paths(section, &tag_files);
                }
                "components" => {
                    if !wrote.0 {
                        // Paths before components, as a single file has them.
                        wrote.0 = true;
                        out.paths(&implied_paths(&root_file), &tag_files);
                    }
                    wrote.1 = true;
                    out.components(Some(section), &tag_files);
                }
                _ => {
                    out.line(&section.head);
                    out.lines(&section.body);
                }
            }
        }
        if !wrote.0 {
            out.paths(&implied_paths(&root_file), &tag_files);
        }
        if !wrote.1 {
            out.components(None, &tag_files);
        }
        let name = if tags.is_empty() {
            root.name.clone()
        } else {
            format!("{} and {}", root.name, tag_name(&root.name, "*.yaml"))
        };
        Ok(Bundle {
            name,
            text: out.text,
            origins: out.origins,
        })
    }

    /// Where line `line` (1-based) of [`Bundle::text`] came from.
    pub fn origin(&self, line: u32) -> Option<(&str, u32)> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        self.origins
            .get(index)
            .map(|(file, line)| (file.as_ref(), *line))
    }

    /// `at`, a place in [`Bundle::text`], as the place in the file it came from.
    pub fn locate(&self, at: Location) -> Location {
        match at.line.and_then(|line| self.origin(line)) {
            Some((file, line)) => Location {
                file: file.to_string(),
                line: (line > 0).then_some(line),
                column: at.column,
            },
            None => at,
        }
    }
}

/// The `paths:` section of a root that has none.
fn implied_paths(root: &File) -> Section {
    Section::new(Line::new(&root.file, 0, "paths:"), "paths")
}

/// `spec/tags/<file>` for a root named `spec/mijnklantportaal.yaml`.
fn tag_name(root: &str, file: &str) -> String {
    let dir = Path::new(root).parent().unwrap_or(Path::new(""));
    dir.join(TAGS_DIR).join(file).to_string_lossy().into_owned()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One line of a source file.
#[derive(Debug, Clone)]
struct Line {
    file: Arc<str>,
    /// 1-based; 0 for a line the bundle adds.
    number: u32,
    text: String,
}

impl Line {
    fn new(file: &Arc<str>, number: u32, text: &str) -> Self {
        Line {
            file: file.clone(),
            number,
            text: text.to_string(),
        }
    }

    fn at(&self) -> Location {
        Location {
            file: self.file.to_string(),
            line: (self.number > 0).then_some(self.number),
            column: None,
        }
    }
}

/// A top-level key and its lines; for `components`, also split by component kind.
#[derive(Debug)]
struct Section {
    key: String,
    head: Line,
    body: Vec<Line>,
}

impl Section {
    fn new(head: Line, key: &str) -> Self {
        Section {
            key: key.to_string(),
            head,
            body: Vec::new(),
        }
    }

    fn at(&self) -> Location {
        self.head.at()
    }

    /// The body split at keys indented by exactly `indent` spaces: (key line, lines
    /// under it). Lines before the first key (comments) go with the first.
    fn entries(&self, indent: usize) -> Vec<(Option<&Line>, Vec<&Line>)> {
        let mut entries: Vec<(Option<&Line>, Vec<&Line>)> = Vec::new();
        let mut pending: Vec<&Line> = Vec::new();
        for line in &self.body {
            if key_at(&line.text, indent).is_some() {
                entries.push((Some(line), std::mem::take(&mut pending)));
            } else if let Some((_, lines)) = entries.last_mut() {
                lines.push(line);
            } else {
                pending.push(line);
            }
        }
        if !pending.is_empty() {
            entries.push((None, pending));
        }
        entries
    }
}

/// The key of `text` if it is a mapping key indented by exactly `indent` spaces.
fn key_at(text: &str, indent: usize) -> Option<&str> {
    let rest = text.strip_prefix(&" ".repeat(indent))?;
    let first = rest.chars().next()?;
    if first.is_whitespace() || first == '#' || first == '-' {
        return None;
    }
    let colon = rest.find(':')?;
    Some(rest[..colon].trim().trim_matches(|c| c == '"' || c == '\''))
}

/// A file split at its top-level keys.
#[derive(Debug)]
struct File {
    file: Arc<str>,
    preamble: Vec<Line>,
    sections: Vec<Section>,
}

fn parse_file(source: &Source) -> Result<File, SpecError> {
    let file: Arc<str> = Arc::from(source.name.as_str());
    let mut parsed = File {
        file: file.clone(),
        preamble: Vec::new(),
        sections: Vec::new(),
    };
    for (i, text) in source.text.lines().enumerate() {
        let line = Line::new(&file, to_u32(i + 1), text);
        if let Some(key) = key_at(text, 0) {
            let key = key.to_string();
            let inline = text[text.find(':').map_or(text.len(), |c| c + 1)..].trim();
            let inline = inline.split(" #").next().unwrap_or("").trim();
            if (key == "paths" || key == "components") && !inline.is_empty() && inline != "{}" {
                return Err(SpecError::Bundle {
                    at: line.at(),
                    problem: format!(
                        "write `{key}:` as a block (one entry per line), not inline, so that tag files can be joined to it"
                    ),
                });
            }
            parsed.sections.push(Section::new(line, &key));
        } else if let Some(section) = parsed.sections.last_mut() {
            section.body.push(line);
        } else {
            parsed.preamble.push(line);
        }
    }
    Ok(parsed)
}

/// A path, or a component of one kind, defined in two files is refused.
fn check_unique(root: &File, tags: &[File]) -> Result<(), SpecError> {
    let mut seen: BTreeMap<(String, String), Location> = BTreeMap::new();
    for file in std::iter::once(root).chain(tags) {
        for section in &file.sections {
            let keys: Vec<(String, &Line)> = match section.key.as_str() {
                "paths" => section
                    .entries(2)
                    .into_iter()
                    .filter_map(|(key, _)| key)
                    .filter_map(|line| Some((key_at(&line.text, 2)?.to_string(), line)))
                    .collect(),
                "components" => component_kinds(section)
                    .into_iter()
                    .flat_map(|(kind, lines)| {
                        lines
                            .into_iter()
                            .filter_map(|line| Some((key_at(&line.text, 4)?, line)))
                            .map(move |(key, line)| (format!("{kind}/{key}"), line))
                    })
                    .collect(),
                _ => continue,
            };
            for (key, line) in keys {
                let id = (section.key.clone(), key.clone());
                if let Some(first) = seen.get(&id) {
                    return Err(SpecError::Bundle {
                        at: line.at(),
                        problem: format!(
                            "`{}` {key} is already defined at {first}; define it in one file only (shared components in the root spec)",
                            section.key
                        ),
                    });
                }
                seen.insert(id, line.at());
            }
        }
    }
    Ok(())
}

/// The kinds of a `components:` section (`schemas`, ...) with their lines, in order.
fn component_kinds(section: &Section) -> Vec<(String, Vec<&Line>)> {
    let mut kinds: Vec<(String, Vec<&Line>)> = Vec::new();
    for (head, lines) in section.entries(2) {
        match head.and_then(|h| key_at(&h.text, 2).map(|k| (k, h))) {
            Some((kind, head)) => {
                let mut all = vec![head];
                all.extend(lines);
                kinds.push((kind.to_string(), all));
            }
            // Comments before the first kind.
            None => kinds.push((String::new(), lines)),
        }
    }
    kinds
}

/// The bundle being written.
#[derive(Debug, Default)]
struct Out {
    text: String,
    origins: Vec<(Arc<str>, u32)>,
}

impl Out {
    fn line(&mut self, line: &Line) {
        self.text.push_str(&line.text);
        self.text.push('\n');
        self.origins.push((line.file.clone(), line.number));
    }

    fn lines<'a>(&mut self, lines: impl IntoIterator<Item = &'a Line>) {
        for line in lines {
            self.line(line);
        }
    }

    /// `paths:` with the root's entries, then every tag file's.
    fn paths(&mut self, root: &Section, tags: &[File]) {
        self.line(&Line::new(&root.head.file, root.head.number, "paths:"));
        self.lines(&root.body);
        for section in tags.iter().flat_map(|f| &f.sections) {
            if section.key == "paths" {
                self.lines(&section.body);
            }
        }
    }

    /// `components:` with each kind once: the root's entries of that kind, then every
    /// tag file's.
    fn components(&mut self, root: Option<&Section>, tags: &[File]) {
        let sections: Vec<&Section> = root
            .into_iter()
            .chain(
                tags.iter()
                    .flat_map(|f| &f.sections)
                    .filter(|s| s.key == "components"),
            )
            .collect();
        let Some(first) = sections.first() else {
            return;
        };
        self.line(&Line::new(
            &first.head.file,
            first.head.number,
            "components:",
        ));
        let mut order: Vec<String> = Vec::new();
        let mut by_kind: BTreeMap<String, Vec<&Line>> = BTreeMap::new();
        for section in &sections {
            for (kind, lines) in component_kinds(section) {
                if !order.contains(&kind) {
                    order.push(kind.clone());
                }
                // The kind's own line (`  schemas:`) is written once, from its first file.
                let skip = usize::from(!kind.is_empty() && by_kind.contains_key(&kind));
                by_kind
                    .entry(kind)
                    .or_default()
                    .extend(lines.into_iter().skip(skip));
            }
        }
        for kind in order {
            if let Some(lines) = by_kind.remove(&kind) {
                self.lines(lines);
            }
        }
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

    #[test]
    fn joins_paths_and_components_and_remembers_each_lines_origin() {
        let tag = source(
            "spec/tags/b.yaml",
            "# tag b\npaths:\n  /b:\n    get: {}\ncomponents:\n  schemas:\n    B:\n      type: integer\n  parameters:\n    P:\n      in: query\n",
        );
        let bundle = Bundle::join(&source("spec/root.yaml", ROOT), &[tag]).unwrap();
        assert_eq!(
            bundle.text,
            "# the root\nopenapi: 3.0.3\ninfo:\n  title: t\npaths:\n  /a:\n    get: {}\n  /b:\n    get: {}\ncomponents:\n  schemas:\n    A:\n      type: string\n    B:\n      type: integer\n  parameters:\n    P:\n      in: query\n"
        );
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&bundle.text).unwrap();
        assert!(value["paths"]["/b"].is_mapping());
        assert!(value["components"]["parameters"]["P"].is_mapping());
        // `/b` is line 8 of the bundle and line 3 of the tag file.
        assert_eq!(bundle.origin(8), Some(("spec/tags/b.yaml", 3)));
        // `B:` is line 14 of the bundle and line 7 of the tag file.
        assert_eq!(bundle.origin(14), Some(("spec/tags/b.yaml", 7)));
        assert_eq!(bundle.origin(6), Some(("spec/root.yaml", 6)));
        assert_eq!(bundle.name, "spec/root.yaml and spec/tags/*.yaml");
    }

    #[test]
    fn a_root_without_paths_gets_them_from_its_tags() {
        let root = "openapi: 3.0.3\ncomponents:\n  schemas:\n    A:\n      type: string\n";
        let tag = source("t.yaml", "paths:\n  /b:\n    get: {}\n");
        let bundle = Bundle::join(&source("root.yaml", root), &[tag]).unwrap();
        assert!(
            bundle.text.starts_with("openapi: 3.0.3\npaths:\n  /b:\n"),
            "paths come before components: {}",
            bundle.text
        );
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&bundle.text).unwrap();
        assert!(value["paths"]["/b"].is_mapping(), "{}", bundle.text);
        assert!(value["components"]["schemas"]["A"].is_mapping());
    }

    #[test]
    fn a_path_or_schema_in_two_files_names_both() {
        let tag = source("spec/tags/b.yaml", "paths:\n  /a:\n    post: {}\n");
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
    fn locate_maps_a_bundle_position_back() {
        let tag = source("spec/tags/b.yaml", "paths:\n  /b:\n    get: {}\n");
        let bundle = Bundle::join(&source("spec/root.yaml", ROOT), &[tag]).unwrap();
        let at = bundle.locate(Location {
            file: bundle.name.clone(),
            line: Some(9),
            column: Some(5),
        });
        assert_eq!(at.to_string(), "spec/tags/b.yaml:3:5");
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
