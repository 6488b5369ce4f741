//! `cargo xtask`: the workspace's automation entry point (see the README).
//!
//! A thin command line over the `xtask` library, so that tests can call the same code.

use std::process::ExitCode;

use xtask::{WriteOutcome, XtaskError};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  generate          regenerate crates/mijnklantportaal-api/src/generated.rs from the spec
  generate --check  exit non-zero with a diff when the checked-in code is stale; write nothing";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["generate"] => generate(false),
        ["generate", "--check"] => generate(true),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(64)
        }
    }
}

fn generate(check: bool) -> ExitCode {
    let root = xtask::workspace_root();
    let result = if check {
        xtask::check(&root).map(|()| "up to date")
    } else {
        xtask::write_generated(&root).map(|outcome| match outcome {
            WriteOutcome::Written => "written",
            WriteOutcome::Unchanged => "unchanged",
        })
    };
    match result {
        Ok(what) => {
            eprintln!("{}: {what}", xtask::GENERATED_PATH);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                XtaskError::Spec(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}
