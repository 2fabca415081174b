//! One line per diagnostic: `file:line:column: severity[CODE] message`, as compilers and grep
//! expect.

use super::Diagnostic;
use crate::source::SourceSet;

pub fn line(files: &SourceSet, d: &Diagnostic) -> String {
    let (s, _) = files.range_of(d.span);
    format!(
        "{}:{}:{}: {}[{}] {}",
        files.path(d.span.file),
        s.line,
        s.column,
        d.severity.as_str(),
        d.code,
        d.message
    )
}

pub fn render(files: &SourceSet, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&line(files, d));
        out.push('\n');
    }
    out
}
