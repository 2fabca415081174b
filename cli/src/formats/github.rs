//! GitHub Actions workflow commands: one annotation per diagnostic (or `diff` finding),
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE rule::message`, then the plain
//! summary line for the log. GitHub shows the annotations on the pull request's changed files and
//! in the run's summary.
//!
//! Levels: error -> `error`, warning -> `warning`, info -> `notice`; for `diff`, findings at high
//! or critical -> `error`, medium -> `warning`, low -> `notice`. Columns are in characters, and
//! left out when a span covers several lines (GitHub accepts `col`/`endColumn` only on one line).
//! Files are relative to the working directory where they can be (the checkout, in a workflow).
//! Escaping is the runner's: `%`, `\r` and `\n` as `%25`, `%0D` and `%0A` everywhere, and `:` and
//! `,` as `%3A` and `%2C` in properties.

use super::{message_with_help, unique, Where};
use crate::output::{summary, Run};
use ngxlint::risk::RiskLevel;
use ngxlint::{Comparison, Severity, SourceSet, Span};
use std::path::Path;

pub fn check(runs: &[Run]) -> String {
    let cwd = super::working_dir();
    check_with(runs, cwd.as_deref())
}

pub fn check_with(runs: &[Run], cwd: Option<&Path>) -> String {
    let mut out = String::new();
    for item in unique(runs) {
        let d = item.diagnostic;
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let title = format!("{} {}", d.code, d.rule);
        out.push_str(&annotation(command, Some((item.files, d.span)), &title, &message_with_help(d), cwd));
    }
    out.push_str(&summary(runs));
    out.push('\n');
    out
}

pub fn diff(c: &Comparison, before: &SourceSet, after: &SourceSet) -> String {
    let cwd = super::working_dir();
    diff_with(c, before, after, cwd.as_deref())
}

pub fn diff_with(c: &Comparison, before: &SourceSet, after: &SourceSet, cwd: Option<&Path>) -> String {
    let a = c.assessment();
    let mut out = String::new();
    for f in &a.findings {
        let command = match f.level {
            RiskLevel::Critical | RiskLevel::High => "error",
            RiskLevel::Medium => "warning",
            RiskLevel::Low => "notice",
        };
        let in_set = |files: &'_ SourceSet, span: Option<Span>| span.filter(|s| files.get(s.file).is_some());
        let at = match (in_set(after, f.after_span), in_set(before, f.before_span)) {
            (Some(s), _) => Some((after, s)),
            (None, Some(s)) => Some((before, s)),
            (None, None) => None,
        };
        let title = format!("{} {} [{} {:.1}]", f.code, f.rule, f.level.as_str(), f.score);
        out.push_str(&annotation(command, at, &title, &super::sarif::finding_text(f), cwd));
    }
    out.push_str(&format!(
        "risk: {} ({}/100) -> {}\n  {}\n",
        a.level.as_str().to_uppercase(),
        a.score,
        a.recommendation.as_str(),
        a.recommendation.advice()
    ));
    out
}

/// One workflow command line.
fn annotation(command: &str, at: Option<(&SourceSet, Span)>, title: &str, message: &str, cwd: Option<&Path>) -> String {
    let mut props: Vec<(&str, String)> = Vec::new();
    if let Some((files, span)) = at {
        let (s, e) = files.range_of(span);
        props.push(("file", Where::of(files.path(span.file), cwd).path().to_string()));
        props.push(("line", s.line.to_string()));
        if s.line == e.line {
            props.push(("col", s.column.to_string()));
        }
        props.push(("endLine", e.line.to_string()));
        if s.line == e.line {
            props.push(("endColumn", e.column.to_string()));
        }
    }
    props.push(("title", title.to_string()));
    let props: Vec<String> = props.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    format!("::{command} {}::{}\n", props.join(","), escape_data(message))
}

/// The runner's escaping of a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// The runner's escaping of a property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("100% a:b,c\r\nd"), "100%25 a%3Ab%2Cc%0D%0Ad");
    }

    #[test]
    fn multi_line_spans_have_no_columns() {
        let mut files = SourceSet::new();
        let id = files.add("/work/repo/a,b.conf", "events {\n}\n");
        let one = annotation("error", Some((&files, Span::new(id, 0, 6))), "T", "m", Some(Path::new("/work/repo")));
        assert_eq!(one, "::error file=a%2Cb.conf,line=1,col=1,endLine=1,endColumn=7,title=T::m\n");
        let two = annotation("warning", Some((&files, Span::new(id, 0, 10))), "T", "m", None);
        assert_eq!(two, "::warning file=/work/repo/a%2Cb.conf,line=1,endLine=2,title=T::m\n");
        assert_eq!(annotation("notice", None, "a: b", "x", None), "::notice title=a%3A b::x\n");
    }
}
