//! Rendering `check` results: miette's graphical reports with a summary line, concise lines, or
//! the JSON contract (one document per run, diagnostics of every FILE merged).

use ngxlint::report::{concise, json, miette_report};
use ngxlint::{Diagnostic, Severity, SourceSet};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::IsTerminal;

/// One analysed main configuration: its files, its diagnostics, and the files it reached.
pub struct Run {
    pub files: SourceSet,
    pub diagnostics: Vec<Diagnostic>,
    /// Paths of the files the configuration is made of (main and reached includes).
    pub reached: Vec<String>,
}

/// Colour only on a terminal, and never when NO_COLOR is set to something (no-color.org).
pub fn use_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// miette's graphical rendering of one diagnostic.
pub fn graphical(files: &SourceSet, d: &Diagnostic, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(color);
    let report = miette_report::Report::new(files, d);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering into a String cannot fail in practice; fall back to the concise line.
        out = concise::line(files, d);
        out.push('\n');
    }
    out
}

/// The files with every invalid UTF-8 byte replaced by `?`, so the byte offsets of spans stay
/// valid in the text miette renders (a lossy decoding would insert 3-byte U+FFFD characters and
/// shift everything after them on the line).
pub fn displayable(files: &SourceSet) -> Cow<'_, SourceSet> {
    if files
        .files()
        .all(|(_, f)| std::str::from_utf8(f.bytes()).is_ok())
    {
        return Cow::Borrowed(files);
    }
    let mut out = SourceSet::new();
    for (_, f) in files.files() {
        let mut bytes = f.bytes().to_vec();
        let mut at = 0;
        while let Err(e) = std::str::from_utf8(&bytes[at..]) {
            let start = at + e.valid_up_to();
            let len = e.error_len().unwrap_or(bytes.len() - start);
            bytes[start..start + len].fill(b'?');
            at = start + len;
        }
        // Same paths added in the same order: the same ids.
        out.add(f.path(), bytes);
    }
    Cow::Owned(out)
}

pub fn text(runs: &[Run], color: bool) -> String {
    let mut out = String::new();
    for run in runs {
        let files = displayable(&run.files);
        for d in &run.diagnostics {
            out.push_str(&graphical(&files, d, color));
            out.push('\n');
        }
    }
    out.push_str(&summary(runs));
    out.push('\n');
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `2 errors, 1 warning in 3 files` (notes are counted only when there are some).
pub fn summary(runs: &[Run]) -> String {
    let count = |s: Severity| {
        runs.iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.severity == s)
            .count()
    };
    let files: BTreeSet<&str> = runs
        .iter()
        .flat_map(|r| r.reached.iter().map(String::as_str))
        .collect();
    let mut parts = vec![
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
    ];
    let notes = count(Severity::Info);
    if notes > 0 {
        parts.push(plural(notes, "note"));
    }
    let configs = if runs.len() > 1 { format!(" ({} configurations)", runs.len()) } else { String::new() };
    format!("{} in {}{configs}", parts.join(", "), plural(files.len(), "file"))
}

pub fn concise(runs: &[Run]) -> String {
    runs.iter()
        .map(|r| concise::render(&r.files, &r.diagnostics))
        .collect()
}

/// The JSON contract, compact, one line.
pub fn json(runs: &[Run]) -> String {
    let mut report = json::JsonReport {
        version: json::VERSION,
        diagnostics: Vec::new(),
    };
    for run in runs {
        report
            .diagnostics
            .extend(json::report(&run.files, &run.diagnostics).diagnostics);
    }
    let mut out =
        serde_json::to_string(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ngxlint::report::codes;
    use ngxlint::{analyze, Options, Span};

    fn run(path: &str, text: &str) -> Run {
        let mut files = SourceSet::new();
        let main = files.add(path, text);
        let a = analyze(&files, main, &Options::default());
        Run {
            diagnostics: a.diagnostics().to_vec(),
            reached: vec![path.to_string()],
            files,
        }
    }

    /// A run with one diagnostic per severity given, on the first byte of the file.
    fn synthetic(path: &str, severities: &[Severity]) -> Run {
        let mut files = SourceSet::new();
        let id = files.add(path, "x;");
        let diagnostics = severities
            .iter()
            .map(|&s| Diagnostic::new(codes::SYNTAX, Span::new(id, 0, 1), "m").with_severity(s))
            .collect();
        Run {
            files,
            diagnostics,
            reached: vec![path.to_string()],
        }
    }

    #[test]
    fn summary_counts_severities_and_files() {
        use Severity::*;
        let runs = [
            synthetic("a.conf", &[Error, Warning]),
            synthetic("b.conf", &[Error, Error, Warning]),
        ];
        assert_eq!(summary(&runs), "3 errors, 2 warnings in 2 files (2 configurations)");
        assert_eq!(
            summary(&[synthetic("a.conf", &[Warning])]),
            "0 errors, 1 warning in 1 file"
        );
        let runs = [synthetic("a.conf", &[Info]), synthetic("a.conf", &[])];
        assert_eq!(summary(&runs), "0 errors, 0 warnings, 1 note in 1 file (2 configurations)");
        assert_eq!(summary(&[]), "0 errors, 0 warnings in 0 files");
    }

    #[test]
    fn invalid_utf8_keeps_spans_in_place() {
        let mut files = SourceSet::new();
        let id = files.add("a.conf", b"# \xe9\xff\nabc \xc3;\n");
        let shown = displayable(&files);
        assert_eq!(shown.bytes(id), b"# ??\nabc ?;\n");
        let d = Diagnostic::new(codes::SYNTAX, Span::new(id, 9, 10), "here");
        let out = graphical(&shown, &d, false);
        assert!(out.contains("[a.conf:2:5]"), "{out}");
        let mut valid = SourceSet::new();
        valid.add("b.conf", "ok;");
        assert!(matches!(displayable(&valid), Cow::Borrowed(_)));
    }

    #[test]
    fn graphical_reports_show_code_message_and_source() {
        let r = run("a.conf", "events {}\n}\n");
        let out = graphical(&r.files, &r.diagnostics[0], false);
        assert!(out.contains("NGX001(syntax-error)"), "{out}");
        assert!(out.contains("unexpected \"}\""), "{out}");
        assert!(out.contains("a.conf:2:1"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
    }

    #[test]
    fn json_merges_runs_into_one_document() {
        let runs = [run("a.conf", "}"), run("b.conf", "}")];
        let v: serde_json::Value = serde_json::from_str(&json(&runs)).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["diagnostics"].as_array().unwrap().len(), 2);
        assert_eq!(v["diagnostics"][1]["file"], "b.conf");
    }
}
