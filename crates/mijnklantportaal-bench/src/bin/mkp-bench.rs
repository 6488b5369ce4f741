//! `mkp-bench`: runs the benchmark scenarios and writes the results.
//!
//! The binary exists for what the library must not do: install the counting global
//! allocator (peak heap is a process-wide figure), parse the command line, print the
//! table and write `results.json`. Run it with `cargo xtask bench [--smoke] [--json PATH]`.

use std::path::PathBuf;
use std::process::ExitCode;

use mijnklantportaal_bench::{AccountsContender, Config, CountingAlloc, MemoryProbe};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

const USAGE: &str = "usage: mkp-bench [--smoke] [--json PATH] [--no-generate] [--no-build]

  --smoke        tiny sizes, to check that everything runs (no build times)
  --json PATH    write the results here (default: <target dir>/bench/results.json)
  --no-generate  skip timing `cargo xtask generate --check`
  --no-build     skip the build times (a cold build of the client crates: minutes)";

fn main() -> ExitCode {
    let mut smoke = false;
    let mut json: Option<PathBuf> = None;
    let mut generate = true;
    let mut build = true;
    let mut args = std::env::args().skip(1);
    if let Some(code) = accounts_run(&std::env::args().skip(1).collect::<Vec<_>>()) {
        return code;
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--smoke" => smoke = true,
            "--no-generate" => generate = false,
            "--no-build" => build = false,
            "--json" => match args.next() {
                Some(path) => json = Some(path.into()),
                None => return usage_error(),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => return usage_error(),
        }
    }

    let mut config = if smoke {
        Config::smoke()
    } else {
        Config::full()
    };
    config.memory_probe = Some(MemoryProbe {
        reset_peak: || ALLOC.reset_peak(),
        peak: || ALLOC.peak(),
    });
    if !generate {
        config.generate_runs = 0;
    }
    config.build_times &= build;
    // Each many-accounts case in a child process: its peak memory is its own.
    config.accounts_runner = std::env::current_exe().ok();
    let json =
        json.unwrap_or_else(|| mijnklantportaal_bench::default_json_path(&config.workspace_root));

    eprintln!(
        "running the benchmark{}...",
        if smoke { " (smoke)" } else { "" }
    );
    let report = match mijnklantportaal_bench::run_all(&config) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", mijnklantportaal_bench::render_markdown(&report));

    let written = serde_json::to_vec_pretty(&report)
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            if let Some(dir) = json.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            std::fs::write(&json, bytes).map_err(|e| e.to_string())
        });
    match written {
        Ok(()) => {
            println!("\nresults: {}", json.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing {}: {e}", json.display());
            ExitCode::FAILURE
        }
    }
}

/// `--accounts-run N CONTENDER INVOICES LATENCY_MS`: one many-accounts case, its result
/// as JSON on stdout (the parent benchmark runs each case so).
fn accounts_run(args: &[String]) -> Option<ExitCode> {
    let [flag, accounts, contender, invoices, latency_ms] = args else {
        return None;
    };
    if flag != "--accounts-run" {
        return None;
    }
    let parsed = (
        accounts.parse().ok(),
        AccountsContender::parse(contender),
        invoices.parse().ok(),
        latency_ms.parse().ok(),
    );
    let (Some(accounts), Some(contender), Some(invoices), Some(latency_ms)) = parsed else {
        eprintln!("usage: mkp-bench --accounts-run N app|clients INVOICES LATENCY_MS");
        return Some(ExitCode::from(64));
    };
    let probe = MemoryProbe {
        reset_peak: || ALLOC.reset_peak(),
        peak: || ALLOC.peak(),
    };
    let latency = std::time::Duration::from_millis(latency_ms);
    let result =
        mijnklantportaal_bench::run_accounts(accounts, invoices, latency, contender, Some(probe));
    Some(match result.map(|r| serde_json::to_string(&r)) {
        Ok(Ok(json)) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    })
}

fn usage_error() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(64)
}
