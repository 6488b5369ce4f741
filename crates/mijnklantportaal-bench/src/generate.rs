//! Timing `cargo xtask generate --check`, the code generation's freshness check.
//!
//! The bench does not depend on xtask (xtask stays lean, and a dependency would not
//! time what a developer runs), so it runs the command as a subprocess: one warm-up so
//! that xtask is built, then timed runs. The figure includes cargo's own startup.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{BenchError, GenerateResult};

/// One warm-up, then `runs` timed runs; the median of those.
pub(crate) fn run(workspace_root: &Path, runs: u32) -> Result<GenerateResult, BenchError> {
    once(workspace_root)?;
    let mut runs_s = Vec::new();
    for _ in 0..runs.max(1) {
        runs_s.push(once(workspace_root)?);
    }
    let mut sorted = runs_s.clone();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    let median_s = if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    };
    Ok(GenerateResult { runs_s, median_s })
}

fn once(workspace_root: &Path) -> Result<f64, BenchError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let output = Command::new(cargo)
        .args(["xtask", "generate", "--check"])
        .current_dir(workspace_root)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| BenchError::new("running `cargo xtask generate --check`", e))?;
    let elapsed = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(BenchError(format!(
            "`cargo xtask generate --check` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(elapsed)
}
