//! `cargo xtask semver`: which version a spec change needs, and why.
//!
//! A reviewer of a spec change wants to know whether it breaks users and which version
//! to publish. The Rust API of the generated crate answers the first half: its surface
//! (`crate::surface`, one line per item) is rendered at the base and now, the lines are
//! matched item by item, and each difference is classified with the reason in words.
//! The HTTP view (`crate::contract`) adds what breaks clients that are already deployed.
//! The wrapper crate re-exports the generated models, so it needs at least the same
//! release; its own public API (the generated resource layer and the hand-written
//! modules) is rendered and compared the same way when both sides have its sources
//! (a revision, the working tree), and the verdict covers both crates.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use crate::bundle::{Bundle, Source};
use crate::contract::{self, EnumFallbacks, Finding, Severity};
use crate::spec::{self, SpecError};
use crate::{GENERATED_PATH, SPEC_PATH, git, versions};

/// How much a change breaks, in semver terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing a user can see but documentation or implementation.
    Patch,
    /// Something new; existing code keeps compiling and working.
    Minor,
    /// Existing code can stop compiling or start failing.
    Major,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        })
    }
}

/// The verdict of a comparison: the largest level of its changes, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The generated code is the same.
    None,
    /// A change of this level.
    Level(Level),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::None => f.write_str("none"),
            Verdict::Level(level) => level.fmt(f),
        }
    }
}

/// One classified change of the Rust API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// How much it breaks.
    pub level: Level,
    /// The surface line(s): `old` → `new` for a change, one line for an addition or removal.
    pub what: String,
    /// Why it has this level, in words.
    pub why: String,
}

/// Errors of `cargo xtask semver`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SemverError {
    /// A spec (base or now) is not usable.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Generated code does not parse as Rust.
    #[error("{what} does not parse as Rust: {message}")]
    Unparsable {
        /// Which code.
        what: String,
        /// syn's message.
        message: String,
    },
    /// A git command failed.
    #[error("`git {args}` failed: {message}")]
    Git {
        /// The arguments.
        args: String,
        /// git's message.
        message: String,
    },
    /// A `Cargo.toml` is not usable for the version check.
    #[error("{file}: {message}")]
    Manifest {
        /// The file, with the revision it was read at.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// `--check`: a crate's version is not bumped enough for the verdict.
    #[error("{0}")]
    NotBumped(String),
}

/// One side of a comparison: a spec, and the code generated from it.
#[derive(Debug, Clone)]
pub struct Side {
    /// How the spec is named in the report (`1a2b3c4d5e:spec/mijnklantportaal.yaml`).
    pub name: String,
    spec: SideSpec,
    /// The generated code; `None` generates it from the spec with today's settings.
    pub code: Option<String>,
    /// The wrapper crate's source files (hand-written and generated), when the side has
    /// them: its public API is compared too.
    pub wrapper: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
enum SideSpec {
    /// A single-file spec, read when compared.
    Text(String),
    /// A spec already read and joined.
    Bundle(Box<Bundle>),
}

impl Side {
    /// A single-file spec (its text) whose code is generated with the current settings.
    pub fn from_spec(name: impl Into<String>, spec: impl Into<String>) -> Self {
        Side {
            name: name.into(),
            spec: SideSpec::Text(spec.into()),
            code: None,
            wrapper: None,
        }
    }

    /// A spec already joined (diagnostics name its files), named `name` in the report.
    pub fn from_bundle(name: impl Into<String>, bundle: Bundle) -> Self {
        Side {
            name: name.into(),
            spec: SideSpec::Bundle(Box::new(bundle)),
            code: None,
            wrapper: None,
        }
    }

    /// This side with the wrapper crate's source files, whose public API is compared
    /// when both sides have them.
    pub fn with_wrapper(mut self, sources: Vec<String>) -> Self {
        self.wrapper = Some(sources);
        self
    }

    /// This side with its code given instead of generated.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// The spec, read once, and the code: given, or generated from it.
    fn read(&self) -> Result<(crate::spec::CheckedSpec, String), SemverError> {
        let single;
        let bundle = match &self.spec {
            SideSpec::Text(text) => {
                single = Bundle::single(&self.name, text)?;
                &single
            }
            SideSpec::Bundle(bundle) => bundle.as_ref(),
        };
        let checked = spec::parse_bundle(bundle)?;
        let code = match &self.code {
            Some(code) => code.clone(),
            None => crate::codegen::generate_checked(&checked, &self.name, true)?,
        };
        Ok((checked, code))
    }
}

/// The outcome of a comparison.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the base is named.
    pub base: String,
    /// How the current side is named.
    pub now: String,
    /// The classified changes of the Rust API, most severe first.
    pub changes: Vec<Change>,
    /// The classified changes of the wrapper's public API (`None`: not compared).
    pub wrapper_changes: Option<Vec<Change>>,
    /// The run-time consequences for deployed clients, most severe first.
    pub http: Vec<Finding>,
    /// The largest level of `changes`, or none.
    pub verdict: Verdict,
}

/// Compares two sides: the surfaces of their code, and their specs' HTTP contracts.
pub fn compare(base: &Side, now: &Side) -> Result<Report, SemverError> {
    let (base_checked, base_code) = base.read()?;
    let (now_checked, now_code) = now.read()?;
    let surface = |code: &str, name: &str| {
        crate::api_surface(code).map_err(|e| SemverError::Unparsable {
            what: format!("the code generated from {name}"),
            message: e.to_string(),
        })
    };
    let base_surface = surface(&base_code, &base.name)?;
    let now_surface = surface(&now_code, &now.name)?;
    let mut changes = diff_surfaces(&base_surface, &now_surface);
    // Tokens, not text: the header comment names the spec, which differs by side.
    let tokens = |code: &str| code.parse::<TokenStream>().ok().map(|t| t.to_string());
    if changes.is_empty() && tokens(&base_code) != tokens(&now_code) {
        let docs_only = without_docs(&base_code) == without_docs(&now_code);
        changes.push(Change {
            level: Level::Patch,
            what: "generated code changed, public API unchanged".to_string(),
            why: if docs_only {
                "only documentation comments differ".to_string()
            } else {
                "only private code differs".to_string()
            },
        });
    }
    let wrapper_changes = match (&base.wrapper, &now.wrapper) {
        (Some(base_files), Some(now_files)) => {
            let surface = |files: &[String], name: &str| {
                crate::surface::sources_surface(files.iter().map(String::as_str)).map_err(|e| {
                    SemverError::Unparsable {
                        what: format!("the wrapper crate of {name}"),
                        message: e.to_string(),
                    }
                })
            };
            let base_surface = surface(base_files, &base.name)?;
            let now_surface = surface(now_files, &now.name)?;
            Some(diff_surfaces(&base_surface, &now_surface))
        }
        _ => None,
    };
    let verdict = changes
        .iter()
        .chain(wrapper_changes.iter().flatten())
        .map(|c| c.level)
        .max()
        .map_or(Verdict::None, Verdict::Level);

    let (base_api, now_api) = (base_checked.openapi, now_checked.openapi);
    let http = contract::compare(&base_api, &now_api, &enum_fallbacks(&base_surface));
    Ok(Report {
        base: base.name.clone(),
        now: now.name.clone(),
        changes,
        wrapper_changes,
        http,
        verdict,
    })
}

/// Which enums of a surface keep unknown values (`pub variant types::X::Unknown(..)`),
/// by the enum's name, and which do not.
fn enum_fallbacks(surface: &str) -> EnumFallbacks {
    let mut fallbacks = EnumFallbacks::default();
    let enums = surface
        .lines()
        .filter_map(|l| l.strip_prefix("pub enum types::"))
        .map(|rest| until(rest, &[' ', '<']).to_string());
    for name in enums {
        let unknown = format!("pub variant types::{name}::Unknown(");
        if surface.lines().any(|l| l.starts_with(&unknown)) {
            fallbacks.keeps.insert(name);
        } else {
            fallbacks.fails.insert(name);
        }
    }
    fallbacks
}

/// The base's name in reports and messages: git's `<commit>:<path>` notation.
fn at_commit(commit: &str, path: &str) -> String {
    let short: String = commit.chars().take(10).collect();
    format!("{short}:{path}")
}

/// Compares the working tree's spec with the base revision `commit` (a full commit id,
/// see [`crate::git::resolve`]). The base's code is its checked-in generated file, so
/// that a change of the generator settings counts as well as a change of the spec;
/// where the base has none, it is generated from the base's spec.
pub fn against_commit(root: &Path, commit: &str) -> Result<Report, SemverError> {
    let base = side_at(root, commit)?;
    let now = crate::workspace_spec(root)?;
    let wrapper = crate::wrapper_sources(root).map_err(|e| SemverError::Git {
        args: crate::WRAPPER_SRC.to_string(),
        message: e.to_string(),
    })?;
    compare(
        &base,
        &Side::from_bundle(SPEC_PATH, now).with_wrapper(wrapper),
    )
}

/// Compares two revisions as they were committed, each with its spec and its checked-in
/// generated file (`--head`): what a release changed since an earlier one.
pub fn between_commits(root: &Path, base: &str, head: &str) -> Result<Report, SemverError> {
    compare(&side_at(root, base)?, &side_at(root, head)?)
}

/// The spec (root and tag files) and the generated code at `commit`.
fn side_at(root: &Path, commit: &str) -> Result<Side, SemverError> {
    let root_text = git::show(root, commit, SPEC_PATH)?.ok_or_else(|| SemverError::Git {
        args: format!("show {commit}:{SPEC_PATH}"),
        message: format!("the revision has no {SPEC_PATH}"),
    })?;
    let tags_dir = Path::new(SPEC_PATH)
        .parent()
        .unwrap_or(Path::new(""))
        .join(crate::bundle::TAGS_DIR);
    let tags_dir = tags_dir.to_string_lossy().replace('\\', "/");
    let mut tags = Vec::new();
    for path in git::list(root, commit, &tags_dir)? {
        if crate::bundle::is_spec_file(&path)
            && let Some(text) = git::show(root, commit, &path)?
        {
            // Named `<commit>:<path>`, so that a diagnostic says which revision.
            tags.push(Source {
                name: at_commit(commit, &path),
                text,
            });
        }
    }
    let root_source = Source {
        name: at_commit(commit, SPEC_PATH),
        text: root_text,
    };
    let mut side = Side::from_bundle(
        at_commit(commit, SPEC_PATH),
        Bundle::join(&root_source, &tags)?,
    );
    side.code = git::show(root, commit, GENERATED_PATH)?;
    let mut wrapper = Vec::new();
    for path in git::list_all(root, commit, crate::WRAPPER_SRC)? {
        if path.ends_with(".rs")
            && let Some(text) = git::show(root, commit, &path)?
        {
            wrapper.push(text);
        }
    }
    if !wrapper.is_empty() {
        side.wrapper = Some(wrapper);
    }
    Ok(side)
}

/// `--check`: every crate of [`versions::CRATE_MANIFESTS`] is bumped enough for the
/// report's verdict since `commit`. Returns one line per crate checked.
pub fn check_versions(
    root: &Path,
    commit: &str,
    verdict: Verdict,
) -> Result<Vec<String>, SemverError> {
    let read_now = |path: &str| {
        std::fs::read_to_string(root.join(path)).map_err(|e| SemverError::Manifest {
            file: path.to_string(),
            message: e.to_string(),
        })
    };
    let read_base = |path: &str| {
        git::show(root, commit, path)?.ok_or_else(|| SemverError::Manifest {
            file: at_commit(commit, path),
            message: "missing at the base revision".to_string(),
        })
    };
    let (base_ws, now_ws) = (read_base("Cargo.toml")?, read_now("Cargo.toml")?);
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for manifest in versions::CRATE_MANIFESTS {
        let base = versions::crate_version(
            &read_base(manifest)?,
            &base_ws,
            &at_commit(commit, manifest),
        )?;
        let now = versions::crate_version(&read_now(manifest)?, &now_ws, manifest)?;
        match versions::check(manifest, &base, &now, verdict) {
            Ok(()) => lines.push(format!("{manifest}: {base} → {now}, enough for {verdict}")),
            Err(e) => failures.push(e.to_string()),
        }
    }
    if failures.is_empty() {
        Ok(lines)
    } else {
        Err(SemverError::NotBumped(failures.join("; ")))
    }
}

/// The code's tokens with every doc comment removed, to tell docs-only changes apart.
fn without_docs(code: &str) -> Option<String> {
    fn strip(tokens: TokenStream) -> TokenStream {
        let mut out = Vec::new();
        let mut iter = tokens.into_iter().peekable();
        while let Some(token) = iter.next() {
            match token {
                TokenTree::Punct(p) if p.as_char() == '#' => {
                    // `#[doc = ".."]` or `#![doc = ".."]`.
                    let mut lookahead = iter.clone();
                    if matches!(lookahead.peek(), Some(TokenTree::Punct(q)) if q.as_char() == '!') {
                        lookahead.next();
                    }
                    let is_doc = matches!(lookahead.peek(), Some(TokenTree::Group(g))
                        if g.delimiter() == Delimiter::Bracket
                            && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc"));
                    if is_doc {
                        lookahead.next();
                        iter = lookahead;
                    } else {
                        out.push(TokenTree::Punct(p));
                    }
                }
                TokenTree::Group(g) => {
                    let mut group = Group::new(g.delimiter(), strip(g.stream()));
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                other => out.push(other),
            }
        }
        out.into_iter().collect()
    }
    let tokens: TokenStream = code.parse().ok()?;
    Some(strip(tokens).to_string())
}

impl Report {
    /// Whether clients already deployed break when the server makes this change.
    pub fn breaks_deployed_clients(&self) -> bool {
        self.http.iter().any(|f| f.severity == Severity::Breaking)
    }

    /// The report as Markdown, ending in two lines: `deployed clients: breaking` (or
    /// `unaffected`) and `verdict: <level>`.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        out.push_str("## API changes: mijnklantportaal-api and mijnklantportaal\n\n");
        out.push_str(&format!("From `{}` to `{}`.\n\n", self.base, self.now));
        out.push_str("### Rust API\n\n");
        if self.changes.is_empty() {
            out.push_str("No change in the generated code.\n");
        }
        for change in &self.changes {
            out.push_str(&format!(
                "- **{}** {}: {}\n",
                change.level, change.what, change.why
            ));
        }
        match &self.wrapper_changes {
            Some(changes) => {
                out.push_str("\n### Rust API of the wrapper (`mijnklantportaal`)\n\n");
                if changes.is_empty() {
                    out.push_str("No change in the wrapper's public API.\n");
                }
                for change in changes {
                    out.push_str(&format!(
                        "- **{}** {}: {}\n",
                        change.level, change.what, change.why
                    ));
                }
            }
            None => out.push_str(
                "\nThe wrapper crate `mijnklantportaal` re-exports these models, so it needs at least this verdict; its own API was not compared (no wrapper sources on one side).\n",
            ),
        }
        out.push_str("\n### HTTP contract (clients already deployed)\n\n");
        if self.http.is_empty() {
            out.push_str("Nothing that breaks or changes deployed clients.\n");
        }
        for finding in &self.http {
            let place = if finding.place.is_empty() {
                String::new()
            } else {
                format!(", `{}`", finding.place)
            };
            out.push_str(&format!(
                "- **{}** `{}`{place}: {}\n",
                finding.severity, finding.operation, finding.what
            ));
        }
        let breaks = self.breaks_deployed_clients();
        if breaks {
            out.push_str(
                "\nDeployed clients break when the server makes this change, whatever version is \
                 published: users must upgrade before the server changes.\n",
            );
        }
        out.push_str(&format!(
            "\ndeployed clients: {}\nverdict: {}\n",
            if breaks { "breaking" } else { "unaffected" },
            self.verdict
        ));
        out
    }
}

/// The kind of a surface line, and the key that identifies its item across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Struct,
    Enum,
    Field,
    Variant,
    Fn,
    Impl,
    Other,
}

/// Removes every `<...>` group (generics) from a path.
fn strip_generics(path: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in path.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn until<'a>(s: &'a str, stops: &[char]) -> &'a str {
    s.find(stops).map_or(s, |i| &s[..i])
}

fn parse_line(line: &str) -> (Kind, String) {
    if let Some(rest) = line.strip_prefix("pub struct ") {
        (Kind::Struct, until(rest, &[' ', '<']).to_string())
    } else if let Some(rest) = line.strip_prefix("pub enum ") {
        (Kind::Enum, until(rest, &[' ', '<']).to_string())
    } else if let Some(rest) = line.strip_prefix("pub field ") {
        let name = rest.split_once(": ").map_or(rest, |(n, _)| n);
        (Kind::Field, name.to_string())
    } else if let Some(rest) = line.strip_prefix("pub variant ") {
        (Kind::Variant, until(rest, &['(', ' ', '{']).to_string())
    } else if let Some((_, rest)) = line.split_once("fn ").filter(|_| line.starts_with("pub ")) {
        (Kind::Fn, strip_generics(until(rest, &['('])))
    } else if line.starts_with("impl ") {
        (Kind::Impl, line.to_string())
    } else if let Some(rest) = line.strip_prefix("pub type ") {
        (Kind::Other, format!("type {}", until(rest, &[' ', '<'])))
    } else {
        (Kind::Other, line.to_string())
    }
}

fn owner(key: &str) -> &str {
    key.rsplit_once("::").map_or("", |(owner, _)| owner)
}

fn attrs_of(line: &str) -> (Vec<String>, bool) {
    let derives = line
        .split_once("#[derive(")
        .and_then(|(_, rest)| rest.split_once(")]"))
        .map(|(list, _)| list.split(", ").map(str::to_string).collect())
        .unwrap_or_default();
    (derives, line.ends_with("#[non_exhaustive]"))
}

/// The surface lines of one version, by (kind, key).
struct Surface<'a> {
    items: BTreeMap<(Kind, String), &'a str>,
}

impl<'a> Surface<'a> {
    fn new(text: &'a str) -> Self {
        let items = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| (parse_line(l), l))
            .collect();
        Surface { items }
    }

    fn get(&self, kind: Kind, key: &str) -> Option<&'a str> {
        self.items.get(&(kind, key.to_string())).copied()
    }

    /// A struct or enum at `key`.
    fn type_line(&self, key: &str) -> Option<&'a str> {
        self.get(Kind::Struct, key)
            .or_else(|| self.get(Kind::Enum, key))
    }

    fn has_type(&self, key: &str) -> bool {
        self.type_line(key).is_some()
    }

    /// The builder setter of a model's field is required (`types::X::f` →
    /// `types::builder::X::f`).
    fn field_is_required(&self, field_key: &str) -> bool {
        let (model, field) = match field_key.rsplit_once("::") {
            Some(parts) => parts,
            None => return false,
        };
        let builder = match model.rsplit_once("::") {
            Some((module, name)) => format!("{module}::builder::{name}::{field}"),
            None => format!("builder::{model}::{field}"),
        };
        self.get(Kind::Fn, &builder)
            .is_some_and(|l| l.ends_with("// required"))
    }
}

fn code(line: &str) -> String {
    format!("`{line}`")
}

/// Classifies every difference between two surfaces, most severe first. Members of a
/// type that is itself added or removed are covered by that type's line.
pub fn diff_surfaces(base: &str, now: &str) -> Vec<Change> {
    let (base, now) = (Surface::new(base), Surface::new(now));
    let mut out = Vec::new();
    let covered = |kind: Kind, key: &str, line: &str| -> bool {
        let owner_key = match kind {
            Kind::Field | Kind::Variant | Kind::Fn => owner(key).to_string(),
            Kind::Impl => line
                .rsplit_once(" for ")
                .map_or(String::new(), |(_, ty)| strip_generics(ty)),
            _ => return false,
        };
        base.has_type(&owner_key) != now.has_type(&owner_key)
    };
    for ((kind, key), line) in &base.items {
        match now.items.get(&(*kind, key.clone())) {
            None if covered(*kind, key, line) => {}
            None => out.push(removed(*kind, key, line)),
            Some(new) if new != line => out.push(changed(*kind, key, line, new, &now)),
            Some(_) => {}
        }
    }
    for ((kind, key), line) in &now.items {
        if !base.items.contains_key(&(*kind, key.clone())) && !covered(*kind, key, line) {
            out.push(added(*kind, key, line, &now));
        }
    }
    out.sort_by(|a, b| b.level.cmp(&a.level).then(a.what.cmp(&b.what)));
    out
}

fn removed(kind: Kind, key: &str, line: &str) -> Change {
    let why = match kind {
        Kind::Fn if owner(key) == "Client" => "operation gone: code that calls it stops compiling",
        Kind::Impl => "code that relies on this implementation stops compiling",
        Kind::Field => "code that reads the field stops compiling",
        Kind::Variant => "code that names the variant stops compiling",
        _ => "code that uses it stops compiling",
    };
    Change {
        level: Level::Major,
        what: format!("{} removed", code(line)),
        why: why.to_string(),
    }
}

fn added(kind: Kind, key: &str, line: &str, now: &Surface<'_>) -> Change {
    let (level, why) = match kind {
        Kind::Struct | Kind::Enum => (Level::Minor, "new type".to_string()),
        Kind::Fn if owner(key) == "Client" => (Level::Minor, "new operation".to_string()),
        Kind::Fn if line.ends_with("// required") && owner(key).starts_with("builder::") => (
            Level::Major,
            "new required parameter: existing calls that do not set it fail in `send()`"
                .to_string(),
        ),
        Kind::Fn if owner(key).starts_with("builder::") => {
            (Level::Minor, "new optional parameter".to_string())
        }
        Kind::Fn if line.ends_with("// required") => (
            Level::Major,
            "new required builder setter: builders that do not call it now fail to convert"
                .to_string(),
        ),
        Kind::Fn if owner(key).contains("::builder::") => (
            Level::Minor,
            "new optional setter of a model's builder".to_string(),
        ),
        Kind::Fn => (Level::Minor, "new function or method".to_string()),
        Kind::Field => {
            let parent = owner(key);
            let non_exhaustive = now.type_line(parent).is_some_and(|l| attrs_of(l).1);
            if !non_exhaustive {
                (
                    Level::Major,
                    format!(
                        "field added to `{parent}`, which is not `#[non_exhaustive]`: struct literals and exhaustive patterns outside the crate stop compiling"
                    ),
                )
            } else if now.field_is_required(key) {
                (
                    Level::Major,
                    format!(
                        "required field added to `{parent}` (`#[non_exhaustive]`): its builder fails to convert unless the new setter is called"
                    ),
                )
            } else {
                (
                    Level::Minor,
                    format!(
                        "optional field added to `{parent}`, which is `#[non_exhaustive]`: no user builds it with a literal, and its builder defaults the field"
                    ),
                )
            }
        }
        Kind::Variant => {
            let parent = owner(key);
            if now.type_line(parent).is_some_and(|l| attrs_of(l).1) {
                let fallback = if now
                    .get(Kind::Variant, &format!("{parent}::Unknown"))
                    .is_some()
                {
                    "; a value that decoded as `Unknown(..)` before decodes as this variant now"
                } else {
                    ""
                };
                (
                    Level::Minor,
                    format!(
                        "variant added to `{parent}`, which is `#[non_exhaustive]`: every match outside the crate already has a wildcard arm{fallback}"
                    ),
                )
            } else {
                (
                    Level::Major,
                    format!(
                        "variant added to the exhaustive enum `{parent}`: exhaustive matches stop compiling"
                    ),
                )
            }
        }
        Kind::Impl => (Level::Minor, "new trait implementation".to_string()),
        Kind::Other => (Level::Minor, "new item".to_string()),
    };
    Change {
        level,
        what: format!("{} added", code(line)),
        why,
    }
}

fn changed(kind: Kind, key: &str, old: &str, new: &str, now: &Surface<'_>) -> Change {
    let what = match kind {
        Kind::Struct => format!("`pub struct {key}`"),
        Kind::Enum => format!("`pub enum {key}`"),
        Kind::Field => {
            let ty = |l: &str| {
                l.split_once(": ")
                    .map_or(String::new(), |(_, t)| t.to_string())
            };
            format!("`pub field {key}`: `{}` → `{}`", ty(old), ty(new))
        }
        _ => format!("{} → {}", code(old), code(new)),
    };
    let (level, why) = match kind {
        Kind::Struct | Kind::Enum => {
            let ((old_derives, old_ne), (new_derives, new_ne)) = (attrs_of(old), attrs_of(new));
            let lost: Vec<&String> = old_derives
                .iter()
                .filter(|d| !new_derives.contains(d))
                .collect();
            let generics_changed = strip_attrs(old) != strip_attrs(new);
            if generics_changed {
                (Level::Major, "generic parameters changed".to_string())
            } else if !lost.is_empty() {
                let lost: Vec<String> = lost.iter().map(|d| format!("`{d}`")).collect();
                (
                    Level::Major,
                    format!(
                        "no longer implements {}: code that relies on it stops compiling",
                        lost.join(", ")
                    ),
                )
            } else if new_ne && !old_ne {
                let why = if kind == Kind::Struct {
                    "now `#[non_exhaustive]`: struct literals and exhaustive patterns outside the crate stop compiling (build it with its builder)"
                } else {
                    "now `#[non_exhaustive]`: exhaustive matches outside the crate need a wildcard arm"
                };
                (Level::Major, why.to_string())
            } else if old_ne && !new_ne {
                (Level::Minor, "no longer `#[non_exhaustive]`".to_string())
            } else {
                (Level::Minor, "implements more traits".to_string())
            }
        }
        Kind::Fn => {
            let (old_sig, new_sig) = (
                old.trim_end_matches(" // required"),
                new.trim_end_matches(" // required"),
            );
            if old_sig != new_sig {
                if owner(key) == "Client" {
                    (
                        Level::Major,
                        "operation signature changed: callers stop compiling".to_string(),
                    )
                } else {
                    (
                        Level::Major,
                        "signature changed: callers stop compiling or convert differently"
                            .to_string(),
                    )
                }
            } else if new.ends_with("// required") {
                (
                    Level::Major,
                    "now required: code that does not call it fails at run time".to_string(),
                )
            } else {
                (Level::Minor, "no longer required".to_string())
            }
        }
        Kind::Field => {
            let _ = now;
            (
                Level::Major,
                "field type changed: code that reads or sets it stops compiling".to_string(),
            )
        }
        Kind::Variant => (
            Level::Major,
            "variant payload changed: code that builds or matches it stops compiling".to_string(),
        ),
        Kind::Impl | Kind::Other => (Level::Major, "changed".to_string()),
    };
    Change { level, what, why }
}

/// A type line without its derive and `#[non_exhaustive]` suffix.
fn strip_attrs(line: &str) -> &str {
    line.split(" #[").next().unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_generics_and_signatures() {
        assert_eq!(
            parse_line(
                "pub fn builder::ListCustomerInvoices<'a>::page<V>(mut self, value: V) -> Self"
            ),
            (Kind::Fn, "builder::ListCustomerInvoices::page".to_string())
        );
        assert_eq!(
            parse_line("pub async fn builder::X<'a>::send(self) -> R"),
            (Kind::Fn, "builder::X::send".to_string())
        );
        assert_eq!(
            parse_line("pub field types::Link::href: String"),
            (Kind::Field, "types::Link::href".to_string())
        );
        assert_eq!(
            parse_line("pub struct types::Link #[derive(Clone)] #[non_exhaustive]"),
            (Kind::Struct, "types::Link".to_string())
        );
    }

    #[test]
    fn a_field_added_to_an_exhaustive_struct_is_major() {
        let base = "pub struct types::A #[derive(Clone)]\npub field types::A::x: u8\n";
        let now = format!("{base}pub field types::A::y: Option<u8>\n");
        let changes = diff_surfaces(base, &now);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].level, Level::Major);
        let now = now.replace("(Clone)]", "(Clone)] #[non_exhaustive]");
        let base = base.replace("(Clone)]", "(Clone)] #[non_exhaustive]");
        let changes = diff_surfaces(&base, &now);
        assert_eq!(changes[0].level, Level::Minor, "{changes:?}");
    }
}
