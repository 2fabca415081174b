//! `ngxlint diff OLD NEW`: the semantic diff of two configurations and the risk of rolling out
//! NEW where OLD runs. Each side is loaded as `check` loads its input (a file, a directory's
//! nginx.conf, an `nginx -T` dump or standard input, includes read from disk), then the core
//! compares the two file sets.

use super::status;
use crate::args::{DiffArgs, DiffFormat};
use crate::error::CliError;
use crate::formats;
use crate::input::{self, Loaded};
use crate::settings::{self, Settings};
use ngxlint::report::compare;
use ngxlint::risk::{Policy, RiskLevel};
use ngxlint::{CompareOptions, Options};
use std::io::Write;
use std::path::Path;

pub fn run(args: &DiffArgs) -> Result<u8, CliError> {
    if input::is_stdin(&args.old) && input::is_stdin(&args.new) {
        return Err(CliError::Usage(
            "standard input (`-`) can be read only once: give OLD or NEW as a file or directory".into(),
        ));
    }
    // The change's configuration file rules (NEW's, or OLD's when NEW is standard input).
    let anchor = if input::is_stdin(&args.new) { &args.old } else { &args.new };
    let settings = settings::resolve(&args.analysis, anchor)?;
    let mut policy = match (&args.policy, &settings.policy) {
        (Some(path), _) => read_policy(path)?,
        (None, Some(p)) => p.clone(),
        (None, None) => Policy::default(),
    };
    for &v in &args.targets {
        if !policy.targets.contains(&v) {
            policy.targets.push(v);
        }
    }

    let old = load_side("OLD", &args.old, &settings)?;
    let new = load_side("NEW", &args.new, &settings)?;
    // The rule selection is the same on both sides; a prefix is mapped per side.
    let opts = settings.options_for(&settings.map_for(&args.new));
    let c = ngxlint::compare(&old.files, old.main, &new.files, new.main, &CompareOptions { options: opts, policy });

    // The verdict assumes OLD is what runs now; say so when nginx would not even load it.
    if let Some(e) = c.before().first_error() {
        eprintln!(
            "ngxlint: warning: OLD does not load either ({}: {}); the diff is against a configuration nginx would refuse",
            input_name(&args.old),
            e.message
        );
    }

    // Reports name files where they are on disk.
    let (old_files, new_files) = (old.display_files(), new.display_files());
    let text = match args.format() {
        DiffFormat::Text => compare::to_text(&c, &old_files, &new_files),
        DiffFormat::Sarif => formats::sarif::diff(&c, &old_files, &new_files),
        DiffFormat::Github => formats::github::diff(&c, &old_files, &new_files),
        DiffFormat::Json => {
            let mut s = serde_json::to_string(&compare::to_json(&c, &old_files, &new_files))
                .map_err(|e| CliError::Usage(format!("cannot render the report as JSON: {e}")))?;
            s.push('\n');
            s
        }
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not worth a panic.
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());

    let fail_on = args.fail_on.or(settings.diff_fail_on).unwrap_or(RiskLevel::High);
    Ok(if c.level() >= fail_on { status::FINDINGS } else { status::OK })
}

/// Loads one side with the files its includes reach (`compare` analyses them), through the
/// side's own path map (`--mount` maps each side's directory).
fn load_side(side: &str, arg: &Path, settings: &Settings) -> Result<Loaded, CliError> {
    let map = settings.map_for(arg);
    let opts: Options = settings.options_for(&map);
    let mut loaded = input::load_main_mapped(arg, map)?;
    // compare() analyses both sides itself: the discovery's resolution is dropped here.
    input::read_includes(&mut loaded, &opts, &mut |w| eprintln!("ngxlint: warning: {side}: {w}"))?;
    Ok(loaded)
}

fn input_name(arg: &Path) -> String {
    if input::is_stdin(arg) {
        input::STDIN_NAME.to_string()
    } else {
        input::display(arg)
    }
}

/// A policy file: JSON, every key optional, unknown keys refused (a typo must not silently
/// leave the defaults in place).
fn read_policy(path: &Path) -> Result<Policy, CliError> {
    let bytes = input::read_file(path)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| CliError::Usage(format!("invalid policy \"{}\": {e}", input::display(path))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_errors_name_the_file_and_serde_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policy.json");
        std::fs::write(&p, r#"{"thresholds": {"hihg": 30}}"#).unwrap();
        let e = read_policy(&p).unwrap_err().to_string();
        assert!(e.starts_with(&format!("invalid policy \"{}\": unknown field `hihg`", p.display())), "{e}");
        assert!(e.contains("line 1 column"), "{e}");
        std::fs::write(&p, r#"{"targets": ["1.22"], "rules": {"logging-reduced": {"enabled": false}}}"#).unwrap();
        let policy = read_policy(&p).unwrap();
        assert_eq!(policy.targets, [ngxlint::spec::NginxVersion::V1_22]);
        let e = read_policy(&dir.path().join("none.json")).unwrap_err().to_string();
        assert!(e.contains("none.json\": No such file or directory"), "{e}");
    }

    #[test]
    fn the_policy_example_in_the_help_is_a_valid_policy() {
        let help = crate::args::DIFF_HELP;
        let start = help.find("optional:\n").unwrap() + "optional:\n".len();
        let end = start + help[start..].find("\nRules are named").unwrap();
        let policy: Policy = serde_json::from_str(&help[start..end]).unwrap();
        assert_eq!(policy.thresholds.critical, 65.0);
        assert_eq!(policy.rules["RSK025"].points, Some(30.0));
        assert_eq!(policy.traffic["api.example.com"], 10.0);
    }
}
