//! `ngxlint fmt`: canonical layout for configuration files, in place, as a check, or as a diff.

use super::status;
use crate::args::FmtArgs;
use crate::error::{self, CliError};
use crate::input::{self, STDIN_NAME};
use ngxlint::report::{codes, concise};
use ngxlint::syntax::SyntaxError;
use ngxlint::{Diagnostic, FormatOptions, SourceSet};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Unchanged,
    Changed,
    /// Refused: the file has syntax errors (printed on stderr).
    SyntaxErrors,
}

pub fn run(args: &FmtArgs) -> Result<u8, CliError> {
    let inputs: Vec<PathBuf> = if args.files.is_empty() {
        input::default_stdin_usable("fmt")?;
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    if inputs.iter().filter(|p| input::is_stdin(p)).count() > 1 {
        return Err(CliError::Usage(
            "standard input (`-`) can be read only once".into(),
        ));
    }
    let mut code = status::OK;
    let mut stdout = std::io::stdout().lock();
    for arg in &inputs {
        let outcome = match format_one(arg, args, &mut stdout) {
            Ok(o) => o,
            Err(e) => {
                error::report(&e);
                code = status::FAILURE;
                continue;
            }
        };
        let findings =
            outcome == Outcome::SyntaxErrors || (args.check && outcome == Outcome::Changed);
        if findings && code == status::OK {
            code = status::FINDINGS;
        }
    }
    let _ = stdout.flush();
    Ok(code)
}

fn format_one(arg: &Path, args: &FmtArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let stdin = input::is_stdin(arg);
    let (name, bytes) = if stdin {
        (STDIN_NAME.to_string(), input::read_stdin()?)
    } else {
        (input::display(arg), input::read_file(arg)?)
    };
    let formatted = match ngxlint::format(&bytes, &FormatOptions::default()) {
        Ok(f) => f,
        Err(errors) => {
            eprint!("{}", syntax_report(&name, &bytes, &errors));
            eprintln!("ngxlint: \"{name}\" not formatted: it has syntax errors");
            return Ok(Outcome::SyntaxErrors);
        }
    };
    let changed = formatted != bytes;
    let write_out = |out: &mut dyn Write, data: &[u8]| {
        out.write_all(data)
            .map_err(|e| CliError::write("<stdout>", e))
    };
    if args.diff {
        if changed {
            write_out(out, unified_diff(&name, &bytes, &formatted).as_bytes())?;
        }
    } else if args.check {
        if changed {
            write_out(out, format!("{name}\n").as_bytes())?;
        }
    } else if stdin {
        write_out(out, &formatted)?;
    } else if changed {
        std::fs::write(arg, &formatted).map_err(|e| CliError::write(name.clone(), e))?;
    }
    Ok(if changed {
        Outcome::Changed
    } else {
        Outcome::Unchanged
    })
}

/// The refused file's syntax errors, one concise line each.
fn syntax_report(name: &str, bytes: &[u8], errors: &[SyntaxError]) -> String {
    let mut files = SourceSet::new();
    // The formatter parses its input as file 0, so the errors' spans point into this set.
    files.add(name, bytes);
    errors
        .iter()
        .map(|e| {
            let code = if e.limit { codes::LIMIT } else { codes::SYNTAX };
            concise::line(&files, &Diagnostic::new(code, e.span, e.message.clone())) + "\n"
        })
        .collect()
}

fn unified_diff(name: &str, old: &[u8], new: &[u8]) -> String {
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_are_unified_with_headers() {
        let d = unified_diff(
            "n.conf",
            b"events {\n}\nhttp {\nserver {}\n}\n",
            b"events {\n}\nhttp {\n    server {}\n}\n",
        );
        assert!(d.starts_with("--- n.conf\n+++ n.conf\n@@ "), "{d}");
        assert!(d.contains("\n-server {}\n+    server {}\n"), "{d}");
    }

    #[test]
    fn syntax_errors_are_reported_concisely() {
        let src = b"events {\n}\n}\n";
        let errors = ngxlint::format(src, &FormatOptions::default()).unwrap_err();
        assert_eq!(
            syntax_report("n.conf", src, &errors),
            "n.conf:3:1: error[NGX001] unexpected \"}\"\n"
        );
    }
}
