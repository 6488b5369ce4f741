//! The code generator behind `cargo xtask generate`.
//!
//! This library turns the hand-written OpenAPI 3.0 spec in `spec/` into the checked-in
//! client code of `crates/mijnklantportaal-api`. It lives in a library, not in the
//! binary, so that the workspace tests can call exactly what the CLI calls: the
//! freshness test, the API-surface snapshot and the bad-spec diagnostics all go
//! through [`generate`], [`check`] and [`api_surface`].
//!
//! - [`yaml`] reads one spec file once, with the file and line of every node;
//!   [`bundle`] joins the root spec and its per-tag files into one document that keeps
//!   them (and writes it out for `cargo xtask bundle`); [`refs`] follows `$ref`s.
//! - [`spec`] reads and checks a spec, with `file:line` diagnostics for the mistakes
//!   that progenitor would report tersely or answer with a panic.
//! - [`codegen`] holds the progenitor settings (every Rust type choice is made there)
//!   and formats the output.
//! - [`multipart`] generates the `multipart/form-data` operations progenitor cannot,
//!   from the spec, beside its output and through the same hooks.
//! - [`operations`] writes the wrapper's table of operations (method, path, retry
//!   rule) from the same checked spec, beside the generated client; [`resources`] the
//!   wrapper's resource layer (a handler per tag, a request builder per operation).
//! - [`prune`] drops the types no operation reaches (the shared page envelope that
//!   typify also emits on its own).
//! - [`evolution`] makes response models `#[non_exhaustive]` and gives string enums an
//!   `Unknown(String)` fallback, so that the server's additions are not breaking.
//! - [`surface`] renders the public API of generated code, one line per item.
//! - [`semver`] diffs two surfaces and classifies each change (`cargo xtask semver`),
//!   [`contract`] adds what a spec change does to deployed clients, [`git`] reads the
//!   base revision and [`versions`] checks the crates' version bumps (`--check`).

pub mod bundle;
pub mod codegen;
pub mod contract;
pub mod evolution;
pub mod git;
pub mod multipart;
pub mod operations;
pub mod prune;
pub mod refs;
pub mod resources;
pub mod semver;
pub mod spec;
pub mod surface;
pub mod versions;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use bundle::Bundle;
pub use codegen::{generate, generate_bundle, generate_from_str};
pub use spec::SpecError;
pub use surface::api_surface;

/// The workspace's root directory (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The root file of the spec that the client is generated from, relative to the
/// workspace root; the per-tag files are in `spec/tags/` ([`bundle`]).
pub const SPEC_PATH: &str = "spec/mijnklantportaal.yaml";

/// The workspace's spec, root and tag files joined into one document (for the whole
/// document as JSON, see [`Bundle::to_json`] and [`Bundle::to_json_value`]).
pub fn workspace_spec(root: &Path) -> Result<Bundle, SpecError> {
    Bundle::load(&root.join(SPEC_PATH), SPEC_PATH)
}

/// The bundled spec as one JSON document, relative to the workspace root: the mock
/// server embeds it and validates requests against it at run time.
pub const MOCK_SPEC_PATH: &str = "crates/mijnklantportaal-mock/openapi.json";

/// The wrapper crate's sources, relative to the workspace root.
pub const WRAPPER_SRC: &str = "crates/mijnklantportaal/src";

/// The wrapper crate's `.rs` files under `root`, at any depth, in path order.
pub fn wrapper_sources(root: &Path) -> std::io::Result<Vec<String>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut paths = Vec::new();
    walk(&root.join(WRAPPER_SRC), &mut paths)?;
    paths.sort();
    paths.iter().map(std::fs::read_to_string).collect()
}

/// The generated client, relative to the workspace root.
pub const GENERATED_PATH: &str = "crates/mijnklantportaal-api/src/generated.rs";

/// What writing the generated file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file already held exactly this content; it was not touched.
    Unchanged,
    /// The file was created or rewritten.
    Written,
}

/// Errors of the `generate` workflow as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XtaskError {
    /// The spec is not usable; the message says where and why.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Reading or writing the generated file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file that could not be read or written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// `--check` found that the checked-in code differs from what the spec produces.
    #[error(
        "{path} is stale: it differs from what {spec} generates. Run `cargo xtask generate` and commit the result.\n{diff}"
    )]
    Stale {
        /// The generated file, relative to the workspace root.
        path: String,
        /// The spec, relative to the workspace root.
        spec: String,
        /// A unified diff from the checked-in file to the fresh output.
        diff: String,
    },
}

/// What to generate from where: the workspace's spec and generated file by default.
#[derive(Debug, Clone)]
pub struct Job {
    /// The spec to read.
    pub spec: PathBuf,
    /// How the spec is named in messages and in the generated header.
    pub spec_name: String,
    /// The file to write or check.
    pub target: PathBuf,
    /// The wrapper's operation table to write or check beside it
    /// ([`operations::OPERATIONS_PATH`]), when the checkout has the wrapper.
    pub operations: Option<PathBuf>,
    /// The mock's embedded spec to write or check ([`MOCK_SPEC_PATH`]: exactly what
    /// `cargo xtask bundle --out FILE.json` writes), when the checkout has the mock.
    pub mock_spec: Option<PathBuf>,
}

impl Job {
    /// The workspace's own job: `SPEC_PATH` into `GENERATED_PATH` under `root`.
    pub fn workspace(root: &Path) -> Self {
        let operations = root.join(operations::OPERATIONS_PATH);
        let mock_spec = root.join(MOCK_SPEC_PATH);
        Job {
            spec: root.join(SPEC_PATH),
            spec_name: SPEC_PATH.to_string(),
            target: root.join(GENERATED_PATH),
            operations: operations
                .parent()
                .is_some_and(Path::is_dir)
                .then_some(operations),
            mock_spec: mock_spec
                .parent()
                .is_some_and(Path::is_dir)
                .then_some(mock_spec),
        }
    }
}

/// One file a job writes: where, how it is named in messages, and its content.
struct Output {
    shown: &'static str,
    path: PathBuf,
    content: String,
}

/// Every file of `job`, from one read and one check of its spec.
fn outputs(job: &Job) -> Result<Vec<Output>, SpecError> {
    let bundle = Bundle::load(&job.spec, &job.spec_name)?;
    let checked = spec::parse_bundle(&bundle)?;
    // Rendered (and so checked) even where the checkout has no wrapper to write it to.
    let table = operations::render(&checked, &bundle)?;
    let mut out = vec![Output {
        shown: GENERATED_PATH,
        path: job.target.clone(),
        content: codegen::generate_checked(&checked, &bundle.name, true)?,
    }];
    if let Some(path) = &job.operations {
        let layer = resources::render(&checked, &bundle, &out[0].content)?;
        out.push(Output {
            shown: operations::OPERATIONS_PATH,
            path: path.clone(),
            content: table,
        });
        out.push(Output {
            shown: resources::RESOURCES_PATH,
            path: path.with_file_name("resources.rs"),
            content: layer,
        });
    }
    if let Some(path) = &job.mock_spec {
        out.push(Output {
            shown: MOCK_SPEC_PATH,
            path: path.clone(),
            content: bundle::render(&bundle, true)?,
        });
    }
    Ok(out)
}

/// Generates the client (and the wrapper's operation table and the mock's spec) from
/// `root/SPEC_PATH` and
/// writes each file, but only when its content changes (so that cargo does not rebuild
/// for nothing). Returns each file with what was done to it.
pub fn write_generated(root: &Path) -> Result<Vec<(&'static str, WriteOutcome)>, XtaskError> {
    run_write(&Job::workspace(root))
}

/// Checks that the files of [`write_generated`] are exactly what `root/SPEC_PATH`
/// generates; writes nothing. On drift the error carries a unified diff.
pub fn check(root: &Path) -> Result<(), XtaskError> {
    run_check(&Job::workspace(root))
}

/// [`write_generated`] for any job.
pub fn run_write(job: &Job) -> Result<Vec<(&'static str, WriteOutcome)>, XtaskError> {
    let mut done = Vec::new();
    for output in outputs(job)? {
        let io_err = |source| XtaskError::Io {
            path: output.path.clone(),
            source,
        };
        let outcome = match std::fs::read_to_string(&output.path) {
            Ok(existing) if existing == output.content => WriteOutcome::Unchanged,
            Ok(_) => WriteOutcome::Written,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => WriteOutcome::Written,
            Err(e) => return Err(io_err(e)),
        };
        if outcome == WriteOutcome::Written {
            std::fs::write(&output.path, &output.content).map_err(io_err)?;
        }
        done.push((output.shown, outcome));
    }
    Ok(done)
}

/// [`check`] for any job.
pub fn run_check(job: &Job) -> Result<(), XtaskError> {
    for output in outputs(job)? {
        let existing = match std::fs::read_to_string(&output.path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(XtaskError::Io {
                    path: output.path,
                    source,
                });
            }
        };
        if existing == output.content {
            continue;
        }
        let diff = similar::TextDiff::from_lines(&existing, &output.content)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("a/{} (checked in)", output.shown),
                &format!("b/{} (generated from {})", output.shown, job.spec_name),
            )
            .to_string();
        return Err(XtaskError::Stale {
            path: output.shown.to_string(),
            spec: job.spec_name.clone(),
            diff,
        });
    }
    Ok(())
}
