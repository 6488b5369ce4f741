//! `cargo xtask semver --check`: are the published crates' versions bumped enough?
//!
//! The verdict says what kind of release a change needs; this module reads the
//! `version` of the generated crate and of the wrapper (directly, or inherited from
//! `[workspace.package]`) at the base and now, and applies semver's 0.x rule: while the
//! major version is 0, a breaking change needs a minor bump and anything else a patch
//! bump. The wrapper re-exports the generated models, so it needs the same bump.

use semver::Version;

use crate::semver::{Level, SemverError, Verdict};

/// The crates whose versions must follow the verdict, by manifest.
pub const CRATE_MANIFESTS: [&str; 2] = [
    "crates/mijnklantportaal-api/Cargo.toml",
    "crates/mijnklantportaal/Cargo.toml",
];

/// The version a crate manifest declares, or inherits from the workspace manifest.
/// `name` says which file and revision, for messages.
pub fn crate_version(manifest: &str, workspace: &str, name: &str) -> Result<Version, SemverError> {
    let error = |message: String| SemverError::Manifest {
        file: name.to_string(),
        message,
    };
    let doc: toml_edit::DocumentMut = manifest
        .parse()
        .map_err(|e: toml_edit::TomlError| error(e.message().to_string()))?;
    let declared = doc.get("package").and_then(|p| p.get("version"));
    let text = match declared {
        Some(item) if item.as_str().is_some() => item.as_str().map(str::to_string),
        Some(item)
            if item
                .get("workspace")
                .and_then(|w| w.as_bool())
                .unwrap_or(false) =>
        {
            let ws: toml_edit::DocumentMut =
                workspace.parse().map_err(|e: toml_edit::TomlError| {
                    error(format!("workspace manifest: {}", e.message()))
                })?;
            ws.get("workspace")
                .and_then(|w| w.get("package"))
                .and_then(|p| p.get("version"))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        }
        _ => None,
    }
    .ok_or_else(|| error("no `package.version` (nor an inherited workspace version)".into()))?;
    Version::parse(&text).map_err(|e| error(format!("version `{text}`: {e}")))
}

/// What kind of release going from `base` to `now` is, in the terms of `level`.
fn release(base: &Version, now: &Version) -> Option<Level> {
    if now <= base {
        return None;
    }
    let breaking = if base.major == 0 {
        now.major > base.major || now.minor > base.minor
    } else {
        now.major > base.major
    };
    let feature = base.major == 0 || now.minor > base.minor || now.major > base.major;
    Some(if breaking {
        Level::Major
    } else if feature {
        Level::Minor
    } else {
        Level::Patch
    })
}

/// Fails when `now` is not a release big enough for `verdict` after `base`.
pub fn check(
    name: &str,
    base: &Version,
    now: &Version,
    verdict: Verdict,
) -> Result<(), SemverError> {
    let Verdict::Level(needed) = verdict else {
        return Ok(());
    };
    if release(base, now).is_some_and(|got| got >= needed) {
        return Ok(());
    }
    let suggestion = match (needed, base.major) {
        (Level::Major, 0) => Version::new(0, base.minor + 1, 0),
        (Level::Major, major) => Version::new(major + 1, 0, 0),
        (Level::Minor, major) if major > 0 => Version::new(major, base.minor + 1, 0),
        _ => Version::new(base.major, base.minor, base.patch + 1),
    };
    let kind = match needed {
        Level::Major => "a breaking",
        Level::Minor => "an additive",
        Level::Patch => "a patch-level",
    };
    Err(SemverError::NotBumped(format!(
        "{name}: version {now} is not enough for {kind} ({needed}) change since {base}; publish it as {suggestion} or later"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn zero_x_rules() {
        let major = Verdict::Level(Level::Major);
        let minor = Verdict::Level(Level::Minor);
        assert!(check("c", &v("0.1.0"), &v("0.1.1"), major).is_err());
        assert!(check("c", &v("0.1.0"), &v("0.2.0"), major).is_ok());
        assert!(check("c", &v("0.1.0"), &v("0.1.1"), minor).is_ok());
        assert!(check("c", &v("0.1.0"), &v("0.1.0"), minor).is_err());
        assert!(check("c", &v("1.2.0"), &v("1.2.1"), minor).is_err());
        assert!(check("c", &v("1.2.0"), &v("1.3.0"), minor).is_ok());
        assert!(check("c", &v("0.1.0"), &v("0.1.0"), Verdict::None).is_ok());
        let message = check("c", &v("0.1.0"), &v("0.1.0"), major)
            .unwrap_err()
            .to_string();
        assert!(message.contains("publish it as 0.2.0"), "{message}");
    }

    #[test]
    fn inherits_the_workspace_version() {
        let ws = "[workspace.package]\nversion = \"0.3.1\"\n";
        let krate = "[package]\nname = \"x\"\nversion.workspace = true\n";
        assert_eq!(crate_version(krate, ws, "x").unwrap(), v("0.3.1"));
        let own = "[package]\nname = \"x\"\nversion = \"1.0.0\"\n";
        assert_eq!(crate_version(own, ws, "x").unwrap(), v("1.0.0"));
        assert!(crate_version("[package]\nname = \"x\"\n", ws, "x").is_err());
    }
}
