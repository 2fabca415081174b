//! `ngxlint check`: analyse each FILE as a main configuration, with its includes read from disk.

use super::{options, status};
use crate::args::{CheckArgs, CheckFormat};
use crate::error::{self, CliError};
use crate::formats;
use crate::input;
use crate::output::{self, Run};
use ngxlint::Severity;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

pub fn run(args: &CheckArgs) -> Result<u8, CliError> {
    let opts = options(&args.analysis)?;
    let inputs: Vec<PathBuf> = if args.files.is_empty() {
        input::default_stdin_usable("check")?;
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    if inputs.iter().filter(|p| input::is_stdin(p)).count() > 1 {
        return Err(CliError::Usage(
            "standard input (`-`) can be read only once".into(),
        ));
    }

    let mut runs = Vec::new();
    let mut failed = false;
    for arg in &inputs {
        match check_one(arg, &opts) {
            Ok(run) => runs.push(run),
            Err(e) => {
                error::report(&e);
                failed = true;
            }
        }
    }

    let text = match args.format() {
        CheckFormat::Text => output::text(&runs, output::use_color()),
        CheckFormat::Concise => output::concise(&runs),
        CheckFormat::Json => output::json(&runs),
        CheckFormat::Sarif => formats::sarif::check(&runs),
        CheckFormat::Github => formats::github::check(&runs),
        CheckFormat::Checkstyle => formats::checkstyle::check(&runs),
        CheckFormat::Junit => formats::junit::check(&runs),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not worth a panic.
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());

    let errors = runs
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error);
    Ok(if failed {
        status::FAILURE
    } else if errors {
        status::FINDINGS
    } else {
        status::OK
    })
}

fn check_one(arg: &std::path::Path, opts: &ngxlint::Options) -> Result<Run, CliError> {
    let mut loaded = input::load_main(arg)?;
    let analysis = input::analyze_with_includes(&mut loaded, opts, &mut |w| {
        eprintln!("ngxlint: warning: {w}")
    })?;
    let reached: BTreeSet<String> = analysis
        .config()
        .docs
        .iter()
        .map(|d| loaded.files.path(d.file).to_string())
        .collect();
    Ok(Run {
        diagnostics: analysis.diagnostics().to_vec(),
        reached: reached.into_iter().collect(),
        files: loaded.files,
    })
}
