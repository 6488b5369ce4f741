//! Files as they were at a git revision, read with `git show`, without a checkout.
//!
//! `cargo xtask semver` compares the working tree with a base revision; reading the
//! base's spec, generated code and manifests straight from the object store keeps the
//! working tree (and the build's target directory) untouched.

use std::path::Path;
use std::process::Command;

use crate::semver::SemverError;

fn git(root: &Path, args: &[&str]) -> Result<std::process::Output, SemverError> {
    Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| SemverError::Git {
            args: args.join(" "),
            message: format!("cannot run git: {e}"),
        })
}

fn failure(args: &[&str], output: &std::process::Output) -> SemverError {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let message = stderr.lines().next().unwrap_or_default().trim().to_string();
    SemverError::Git {
        args: args.join(" "),
        message: if message.is_empty() {
            format!("exit status {}", output.status)
        } else {
            message
        },
    }
}

/// The commit `rev` names, in full. Fails for a name git does not know.
pub fn resolve(root: &Path, rev: &str) -> Result<String, SemverError> {
    if rev.starts_with('-') {
        return Err(SemverError::Git {
            args: format!("rev-parse {rev}"),
            message: format!("`{rev}` is not a revision"),
        });
    }
    let spec = format!("{rev}^{{commit}}");
    let args = ["rev-parse", "--verify", "--quiet", spec.as_str()];
    let output = git(root, &args)?;
    if !output.status.success() {
        return Err(SemverError::Git {
            args: args.join(" "),
            message: format!("`{rev}` does not name a commit in this repository"),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The merge-base of `HEAD` and `branch`: the default base of a comparison.
pub fn merge_base(root: &Path, branch: &str) -> Result<String, SemverError> {
    let args = ["merge-base", "HEAD", branch];
    let output = git(root, &args)?;
    if !output.status.success() {
        return Err(failure(&args, &output));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The text of `path` (relative to the repository root) at `commit`, or `None` when
/// the file does not exist there.
pub fn show(root: &Path, commit: &str, path: &str) -> Result<Option<String>, SemverError> {
    let exists_spec = format!("{commit}:{path}");
    let exists = git(root, &["cat-file", "-e", exists_spec.as_str()])?;
    if !exists.status.success() {
        return Ok(None);
    }
    let args = ["show", exists_spec.as_str()];
    let output = git(root, &args)?;
    if !output.status.success() {
        return Err(failure(&args, &output));
    }
    String::from_utf8(output.stdout)
        .map(Some)
        .map_err(|_| SemverError::Git {
            args: args.join(" "),
            message: format!("{path} at {commit} is not UTF-8"),
        })
}

/// The files directly in `dir` (relative to the repository root) at `commit`, as paths
/// relative to the repository root, sorted; empty when the folder does not exist there.
pub fn list(root: &Path, commit: &str, dir: &str) -> Result<Vec<String>, SemverError> {
    ls_tree(root, commit, dir, false)
}

/// [`list`] at any depth under `dir`.
pub fn list_all(root: &Path, commit: &str, dir: &str) -> Result<Vec<String>, SemverError> {
    ls_tree(root, commit, dir, true)
}

fn ls_tree(
    root: &Path,
    commit: &str,
    dir: &str,
    recursive: bool,
) -> Result<Vec<String>, SemverError> {
    let tree = format!("{commit}:{dir}");
    let exists = git(root, &["cat-file", "-e", tree.as_str()])?;
    if !exists.status.success() {
        return Ok(Vec::new());
    }
    let mut args = vec!["ls-tree", "--name-only"];
    if recursive {
        args.push("-r");
    }
    args.push(tree.as_str());
    let output = git(root, &args)?;
    if !output.status.success() {
        return Err(failure(&args, &output));
    }
    let mut files: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|name| format!("{}/{name}", dir.trim_end_matches('/')))
        .collect();
    files.sort();
    Ok(files)
}
