//! Build time of the generated crate and of the wrapper: from nothing, and after a
//! one-field spec change.
//!
//! Users regenerate the client when the API changes and wait for the build; with every
//! tag of the API in the spec, the generated file is large, and the issue sets a budget
//! for that wait. The figures are taken on a copy of the workspace (its tracked and
//! unignored files) with a target directory of its own, so that the developer's files
//! and build cache stay untouched: a cold `cargo build` of `mijnklantportaal-api`, then
//! of `mijnklantportaal`; then one optional field is added to the `Customer` schema, the
//! copy is regenerated with the workspace's own `cargo xtask generate --root`, and both
//! crates are built again. Builds use the dev profile, as a developer iterates.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Serialize;

use crate::BenchError;

/// The incremental budget of the issue: spec change to wrapper built.
pub const INCREMENTAL_TARGET_S: f64 = 15.0;

/// The spec file the one-field change is made in, and the schema it changes.
const CHANGED_FILE: &str = "spec/tags/customers.yaml";
const CHANGED_SCHEMA: &str = "    Customer:\n";
const ADDED_FIELD: &str = "        benchReference:\n          type: string\n          nullable: true\n          description: A field the build-time benchmark adds.\n";

/// The build times measured.
#[derive(Debug, Clone, Serialize)]
pub struct BuildTimes {
    /// Cold `cargo build -p mijnklantportaal-api` (its dependencies included).
    pub cold_api_s: f64,
    /// Cold build of the wrapper: the API crate's cold build plus the wrapper's.
    pub cold_wrapper_s: f64,
    /// `cargo xtask generate --root <copy>` after the spec change.
    pub regenerate_s: f64,
    /// `cargo build -p mijnklantportaal-api` after the change.
    pub incremental_api_s: f64,
    /// `cargo build -p mijnklantportaal` after the change (the API crate already
    /// rebuilt): the wrapper's own share.
    pub incremental_wrapper_only_s: f64,
    /// Spec change to wrapper built: API and wrapper rebuilds together.
    pub incremental_wrapper_s: f64,
    /// Lines of the generated file.
    pub generated_lines: usize,
}

/// Measures on a copy of the workspace under `<target>/bench/build-time`.
pub(crate) fn run(workspace_root: &Path, scratch: &Path) -> Result<BuildTimes, BenchError> {
    let copy = scratch.join("workspace");
    let target = scratch.join("target");
    for dir in [&copy, &target] {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .map_err(|e| BenchError::new(&format!("removing {}", dir.display()), e))?;
        }
    }
    copy_workspace(workspace_root, &copy)?;

    let build = |package: &str| -> Result<f64, BenchError> {
        timed(
            Command::new(cargo())
                .args(["build", "--locked", "-q", "-p", package])
                .current_dir(&copy)
                .env("CARGO_TARGET_DIR", &target),
            &format!("building {package} in {}", copy.display()),
        )
    };
    let cold_api_s = build("mijnklantportaal-api")?;
    let cold_wrapper_s = cold_api_s + build("mijnklantportaal")?;

    add_field(&copy.join(CHANGED_FILE))?;
    let root = copy.to_string_lossy().into_owned();
    let regenerate_s = timed(
        Command::new(cargo())
            .args(["xtask", "generate", "--root", root.as_str()])
            .current_dir(workspace_root),
        "regenerating the copy with `cargo xtask generate --root`",
    )?;
    let incremental_api_s = build("mijnklantportaal-api")?;
    let incremental_wrapper_only_s = build("mijnklantportaal")?;
    let generated = copy.join("crates/mijnklantportaal-api/src/generated.rs");
    let generated_lines = std::fs::read_to_string(&generated)
        .map_err(|e| BenchError::new(&format!("reading {}", generated.display()), e))?
        .lines()
        .count();
    // The copy's build cache is large; it is of no use after the run.
    let _ = std::fs::remove_dir_all(&target);
    Ok(BuildTimes {
        cold_api_s,
        cold_wrapper_s,
        regenerate_s,
        incremental_api_s,
        incremental_wrapper_only_s,
        incremental_wrapper_s: incremental_api_s + incremental_wrapper_only_s,
        generated_lines,
    })
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs `command` to completion; its wall time, or its stderr as the error.
fn timed(command: &mut Command, what: &str) -> Result<f64, BenchError> {
    let started = Instant::now();
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| BenchError::new(what, e))?;
    let elapsed = started.elapsed().as_secs_f64();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().take(20).collect::<Vec<_>>();
        let last: Vec<&str> = last.into_iter().rev().collect();
        return Err(BenchError(format!("{what} failed:\n{}", last.join("\n"))));
    }
    Ok(elapsed)
}

/// Copies the files git tracks or would track (not `target/`) to `to`.
fn copy_workspace(from: &Path, to: &Path) -> Result<(), BenchError> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(from)
        .output()
        .map_err(|e| BenchError::new("listing the workspace's files with git", e))?;
    if !output.status.success() {
        return Err(BenchError(format!(
            "git ls-files failed in {}: {}",
            from.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    for name in output.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let relative = PathBuf::from(String::from_utf8_lossy(name).into_owned());
        let source = from.join(&relative);
        if !source.is_file() {
            // Deleted in the working tree but still in the index.
            continue;
        }
        let dest = to.join(&relative);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| BenchError::new(&format!("creating {}", parent.display()), e))?;
        }
        std::fs::copy(&source, &dest)
            .map_err(|e| BenchError::new(&format!("copying {}", relative.display()), e))?;
    }
    Ok(())
}

/// Adds [`ADDED_FIELD`] as the first property of the `Customer` schema in `file`.
fn add_field(file: &Path) -> Result<(), BenchError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| BenchError::new(&format!("reading {}", file.display()), e))?;
    let changed = with_added_field(&text).ok_or_else(|| {
        BenchError(format!(
            "{}: no `Customer` schema with `properties:` to add a field to",
            file.display()
        ))
    })?;
    std::fs::write(file, changed)
        .map_err(|e| BenchError::new(&format!("writing {}", file.display()), e))
}

fn with_added_field(text: &str) -> Option<String> {
    let schema = text.find(CHANGED_SCHEMA)?;
    let properties = schema + text[schema..].find("      properties:\n")?;
    let at = properties + "      properties:\n".len();
    Some(format!("{}{ADDED_FIELD}{}", &text[..at], &text[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_goes_into_the_customer_schema_of_the_real_spec() {
        let path = crate::workspace_root().join(CHANGED_FILE);
        let text = std::fs::read_to_string(&path).expect("the customers spec");
        let changed = with_added_field(&text).expect("a Customer schema with properties");
        assert_eq!(changed.len(), text.len() + ADDED_FIELD.len());
        // Between `Customer:` and the next schema (the next line indented by four).
        let start = changed.find(CHANGED_SCHEMA).expect("Customer") + CHANGED_SCHEMA.len();
        let schema: Vec<&str> = changed[start..]
            .lines()
            .take_while(|l| !l.starts_with("    ") || l.starts_with("     "))
            .collect();
        let schema = schema.join("\n");
        assert!(schema.contains(ADDED_FIELD.trim_end()), "{schema}");
    }
}
