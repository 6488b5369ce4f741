//! `cargo xtask`: the workspace's automation entry point (see the README).
//!
//! A thin command line over the `xtask` library, so that tests can call the same code.
//! `bench` only runs the benchmark crate in a subprocess: xtask does not depend on it,
//! so xtask stays quick to build.

use std::process::{Command, ExitCode};

use xtask::semver::SemverError;
use xtask::{Job, WriteOutcome, XtaskError};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  generate          regenerate crates/mijnklantportaal-api/src/generated.rs from the spec,
                    and the wrapper's table of operations (crates/mijnklantportaal/src/operations.rs)
  generate --check  exit non-zero with a diff when the checked-in code is stale; write nothing
    --spec FILE     read this spec instead of spec/mijnklantportaal.yaml (to try a draft)
    --root DIR      generate for the workspace at DIR instead of this one (its spec and
                    its generated files; the benchmark's build-time copy uses it)
  bundle [--out FILE]
                    write the whole spec (root and tag files) as one OpenAPI 3.0
                    document, for Swagger UI, schemathesis or oasdiff: JSON when FILE
                    ends in .json, YAML otherwise (and on stdout without --out)
  semver [--base REV] [--head REV] [--check]
                    Markdown report of the API changes since REV (default: the
                    merge-base of HEAD and main), each classified major, minor or
                    patch, ending in `deployed clients: breaking|unaffected` and
                    `verdict: major|minor|patch|none`; --head compares with another
                    revision as committed instead of the working tree; --check
                    also fails when the crates' versions are not bumped enough
  bench [ARGS]      build and run the benchmark (mkp-bench) in release against the mock;
                    ARGS are passed through: --smoke (tiny sizes), --json PATH,
                    --no-generate, --no-build; the table goes to stdout, the results to
                    target/bench/results.json

exit codes: 0 done, 1 stale or not bumped (--check), git or I/O error, 2 bad spec, 64 usage
(bench: the benchmark's own exit code)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["generate", rest @ ..] => {
            let mut check = false;
            let mut job = Job::workspace(&xtask::workspace_root());
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                match (*arg, rest.clone().next()) {
                    ("--check", _) => check = true,
                    ("--spec", Some(file)) => {
                        job.spec = file.into();
                        job.spec_name = file.to_string();
                        rest.next();
                    }
                    ("--root", Some(dir)) => {
                        let other = Job::workspace(std::path::Path::new(dir));
                        job.target = other.target;
                        job.spec = other.spec;
                        job.operations = other.operations;
                        rest.next();
                    }
                    _ => {
                        eprintln!("{USAGE}");
                        return ExitCode::from(64);
                    }
                }
            }
            generate(&job, check)
        }
        ["semver", rest @ ..] => {
            let mut base = None;
            let mut head = None;
            let mut check = false;
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                match (*arg, rest.clone().next()) {
                    ("--check", _) => check = true,
                    ("--base", Some(rev)) => {
                        base = Some(*rev);
                        rest.next();
                    }
                    ("--head", Some(rev)) if !check => {
                        head = Some(*rev);
                        rest.next();
                    }
                    _ => {
                        eprintln!("{USAGE}");
                        return ExitCode::from(64);
                    }
                }
            }
            if head.is_some() && check {
                eprintln!("{USAGE}");
                return ExitCode::from(64);
            }
            semver(base, head, check)
        }
        ["bundle"] => bundle(None),
        ["bundle", "--out", file] => bundle(Some(std::path::Path::new(file))),
        ["bench", rest @ ..] => bench(rest),
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

fn generate(job: &Job, check: bool) -> ExitCode {
    let result = if check {
        xtask::run_check(job).map(|()| vec![("generated files", "up to date")])
    } else {
        xtask::run_write(job).map(|files| {
            files
                .into_iter()
                .map(|(path, outcome)| match outcome {
                    WriteOutcome::Written => (path, "written"),
                    WriteOutcome::Unchanged => (path, "unchanged"),
                })
                .collect()
        })
    };
    match result {
        Ok(files) => {
            for (path, what) in files {
                eprintln!("{path}: {what}");
            }
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

fn semver(base: Option<&str>, head: Option<&str>, check: bool) -> ExitCode {
    let root = xtask::workspace_root();
    let result = (|| {
        let commit = match base {
            Some(rev) => xtask::git::resolve(&root, rev)?,
            None => xtask::git::merge_base(&root, "main")?,
        };
        let report = match head {
            Some(head) => {
                let head = xtask::git::resolve(&root, head)?;
                xtask::semver::between_commits(&root, &commit, &head)?
            }
            None => xtask::semver::against_commit(&root, &commit)?,
        };
        print!("{}", report.markdown());
        if check {
            for line in xtask::semver::check_versions(&root, &commit, report.verdict)? {
                eprintln!("{line}");
            }
        }
        Ok::<_, SemverError>(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                SemverError::Spec(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// The workspace's spec, checked, as one document on stdout or in `out`.
fn bundle(out: Option<&std::path::Path>) -> ExitCode {
    let result = (|| {
        let bundle = xtask::workspace_spec(&xtask::workspace_root())?;
        let json = out.is_some_and(|p| p.extension().is_some_and(|e| e == "json"));
        let text = xtask::bundle::render(&bundle, json)?;
        Ok::<_, XtaskError>(text)
    })();
    let text = match result {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {e}");
            return match e {
                XtaskError::Spec(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            };
        }
    };
    match out {
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => {
                eprintln!("{}: written", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
    }
}

/// `cargo run --release -p mijnklantportaal-bench -- <args>`, from the workspace root.
fn bench(args: &[&str]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["run", "--release", "-p", "mijnklantportaal-bench", "--"])
        .args(args)
        .current_dir(xtask::workspace_root())
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            let code = status.code().and_then(|c| u8::try_from(c).ok());
            ExitCode::from(code.filter(|&c| c != 0).unwrap_or(1))
        }
        Err(e) => {
            eprintln!("error: running cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
