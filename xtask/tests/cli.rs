//! The `xtask` binary as a person runs it: exit codes and what it prints.

use std::process::Command;

fn xtask(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(xtask::workspace_root())
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("xtask runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_passes_on_the_workspace() {
    let (code, stderr) = xtask(&["generate", "--check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("up to date"), "{stderr}");
}

#[test]
fn a_bad_spec_exits_2_with_one_paragraph_and_no_backtrace() {
    for fixture in [
        "tests/fixtures/bad-specs/openapi-3.1.yaml",
        "tests/fixtures/bad-specs/invalid-yaml.yaml",
        "tests/fixtures/bad-specs/default-response-conflict.yaml",
    ] {
        let (code, stderr) = xtask(&["generate", "--check", "--spec", fixture]);
        assert_eq!(code, 2, "{fixture}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: {fixture}:")),
            "{stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("backtrace"),
            "{stderr}"
        );
    }
}

#[test]
fn check_reports_drift_with_a_diff_and_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("xtask-drift-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = xtask::workspace_root();
    // A draft of the whole spec: the root file and its tag files, copied.
    std::fs::create_dir_all(dir.join("tags")).unwrap();
    let draft = dir.join("draft.yaml");
    std::fs::copy(root.join(xtask::SPEC_PATH), &draft).unwrap();
    let tags = root.join("spec/tags");
    for entry in std::fs::read_dir(&tags).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("tags").join(path.file_name().unwrap())).unwrap();
    }
    // A newcomer's edit: one field's description changes, in a tag file.
    let tag = dir.join("tags/customer-invoices.yaml");
    let spec = std::fs::read_to_string(&tag).unwrap();
    let edited = spec.replace(
        "description: Currency of the amount. Only `EUR` is supported.",
        "description: Currency of the amount (ISO 4217). Only `EUR` is supported.",
    );
    assert_ne!(spec, edited, "the edit applies");
    std::fs::write(&tag, edited).unwrap();
    let before = std::fs::read(root.join(xtask::GENERATED_PATH)).unwrap();
    let (code, stderr) = xtask(&["generate", "--check", "--spec", draft.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("Run `cargo xtask generate`"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with('+') && l.contains("///Currency of the amount (ISO 4217).")),
        "the diff shows the new doc comment: {stderr}"
    );
    let after = std::fs::read(root.join(xtask::GENERATED_PATH)).unwrap();
    assert_eq!(before, after, "--check wrote nothing");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unknown_arguments_print_usage() {
    let (code, stderr) = xtask(&["generate", "--frobnicate"]);
    assert_eq!(code, 64);
    assert!(stderr.contains("usage: cargo xtask"), "{stderr}");
}

fn xtask_stdout(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(xtask::workspace_root())
        .output()
        .expect("xtask runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn semver_prints_a_markdown_report_ending_in_the_verdict() {
    let (code, stdout, stderr) = xtask_stdout(&["semver", "--base", "HEAD"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("## API changes"), "{stdout}");
    let mut lines = stdout.trim_end().lines().rev();
    let (last, before) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    assert!(
        ["deployed clients: breaking", "deployed clients: unaffected"].contains(&before),
        "{stdout}"
    );
    assert!(
        [
            "verdict: none",
            "verdict: patch",
            "verdict: minor",
            "verdict: major"
        ]
        .contains(&last),
        "{stdout}"
    );
}

#[test]
fn semver_names_an_unknown_base_in_one_line() {
    let (code, stdout, stderr) = xtask_stdout(&["semver", "--base", "no-such-revision-xyz"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("`no-such-revision-xyz` does not name a commit"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let (code, _, _) = xtask_stdout(&["semver", "--base"]);
    assert_eq!(code, 64, "a missing revision is a usage error");
}

#[test]
fn root_generates_for_another_checkout() {
    let dir = std::env::temp_dir().join(format!("xtask-root-{}", std::process::id()));
    let root = xtask::workspace_root();
    std::fs::create_dir_all(dir.join("spec/tags")).unwrap();
    std::fs::create_dir_all(dir.join("crates/mijnklantportaal-api/src")).unwrap();
    std::fs::copy(root.join(xtask::SPEC_PATH), dir.join(xtask::SPEC_PATH)).unwrap();
    for entry in std::fs::read_dir(root.join("spec/tags")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("spec/tags").join(path.file_name().unwrap())).unwrap();
    }
    let (code, stderr) = xtask(&["generate", "--root", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read_to_string(dir.join(xtask::GENERATED_PATH)).unwrap();
    let ours = std::fs::read_to_string(root.join(xtask::GENERATED_PATH)).unwrap();
    assert!(
        written == ours,
        "the copy's generated.rs is the workspace's"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `bundle --out FILE.json` writes one JSON document with every operation the spec's
/// files write (counted here from their `operationId:` lines, not by the xtask), and
/// `x-` extensions kept.
#[test]
fn bundle_writes_every_operation_as_one_json_document() {
    let out = std::env::temp_dir().join(format!("xtask-bundle-{}.json", std::process::id()));
    let (code, _, stderr) = xtask_stdout(&["bundle", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["openapi"], "3.0.3");
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let operations = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().keys())
        .filter(|k| methods.contains(&k.as_str()))
        .count();
    let root = xtask::workspace_root();
    let mut written = 0;
    let mut files = vec![root.join(xtask::SPEC_PATH)];
    for entry in std::fs::read_dir(root.join("spec/tags")).unwrap() {
        files.push(entry.unwrap().path());
    }
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        written += text
            .lines()
            .filter(|l| l.trim_start().starts_with("operationId:"))
            .count();
    }
    assert_eq!(operations, written);
    // Without --out: YAML on stdout, the same document.
    let (code, yaml, stderr) = xtask_stdout(&["bundle"]);
    assert_eq!(code, 0, "{stderr}");
    let from_yaml: serde_json::Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(
        from_yaml["paths"].as_object().map(|p| p.len()),
        document["paths"].as_object().map(|p| p.len())
    );
}

/// `--head` compares two committed revisions; a revision with itself changes nothing.
#[test]
fn semver_compares_two_revisions_with_head() {
    let (code, stdout, stderr) = xtask_stdout(&["semver", "--base", "HEAD", "--head", "HEAD"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.ends_with("\ndeployed clients: unaffected\nverdict: none\n"),
        "{stdout}"
    );
    let (code, _, _) = xtask_stdout(&["semver", "--check", "--head", "HEAD"]);
    assert_eq!(code, 64, "--check is about the working tree's versions");
}
