//! Diagnostics and their renderings. [`Diagnostic`] is ours; miette stays behind it
//! ([`miette_report`]) and is rendered graphically only by the CLI.

pub mod compare;
pub mod concise;
pub mod crossplane;
pub mod json;
pub mod miette_report;
pub mod tree;

use crate::source::{SourceSet, Span};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// nginx would refuse to load the configuration.
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A secondary location with a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One finding. `message` is nginx's bare text where nginx has one (no ` in file:line` suffix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// When nginx meets it: 0 while reading the files (in reading order), then the checks nginx
    /// runs after a block or the whole file is read (see [`crate::check::Phase`]). Orders
    /// diagnostics so the first Error is the one nginx prints.
    #[serde(skip)]
    pub phase: u8,
    /// Where nginx reports it, when that differs from `span`: a directive's `;` or `{` (nginx
    /// reads a whole statement before judging it). Used for ordering and nginx's line number.
    #[serde(skip)]
    pub anchor: Option<Span>,
    /// A proposed fix (rules only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// One edit of a fix: replace `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// A proposed fix. `safe` fixes keep what nginx does for valid traffic; unsafe ones change
/// behaviour on purpose and need a reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub message: String,
    pub safe: bool,
    pub edits: Vec<Edit>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: code.code,
            rule: code.rule,
            severity: code.severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            phase: 0,
            anchor: None,
            fix: None,
        }
    }
    /// Sets the help text in place (for diagnostics built through `&mut`).
    pub fn with_help_mut(&mut self, help: impl Into<String>) -> &mut Diagnostic {
        self.help = Some(help.into());
        self
    }
    /// The position that orders this diagnostic among others (nginx's reading position).
    pub fn order_span(&self) -> Span {
        self.anchor.unwrap_or(self.span)
    }
    pub fn with_phase(mut self, phase: u8) -> Diagnostic {
        self.phase = phase;
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }
    /// nginx's full message: `<message> in <file>:<line>`.
    pub fn nginx_message(&self, files: &SourceSet) -> String {
        let at = self.order_span();
        let (start, _) = files.range_of(at);
        format!("{} in {}:{}", self.message, files.path(at.file), start.line)
    }
}

/// A diagnostic kind: stable code, kebab-case name and default severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

/// Codes of what nginx itself rejects while reading files (NGX0xx).
/// Items joined with ", ", at most `max` of them: a longer list shows the first `max - 1` and
/// how many more (`a, b, c and 7 more servers`; never "and 1 more"). Messages about thousands
/// of servers or locations stay readable and linear in size.
pub fn joined_some<I: ExactSizeIterator<Item = String>>(items: I, max: usize, noun: &str) -> String {
    let n = items.len();
    let shown = if n <= max { n } else { max.saturating_sub(1) };
    let mut out = items.take(shown).collect::<Vec<_>>().join(", ");
    if n > shown {
        out.push_str(&format!(" and {} more{}{noun}", n - shown, if noun.is_empty() { "" } else { " " }));
    }
    out
}

pub mod codes {
    use super::{Code, Severity};

    pub const SYNTAX: Code = Code {
        code: "NGX001",
        rule: "syntax-error",
        severity: Severity::Error,
        summary: "nginx's tokenizer rejects the file",
    };
    pub const INCLUDE_NOT_FOUND: Code = Code {
        code: "NGX002",
        rule: "include-not-found",
        severity: Severity::Error,
        summary: "a plain (non-glob) include names a file that does not exist",
    };
    pub const INCLUDE_CYCLE: Code = Code {
        code: "NGX003",
        rule: "include-cycle",
        severity: Severity::Error,
        summary: "a file includes itself, directly or through others (nginx recurses until it fails)",
    };
    pub const LIMIT: Code = Code {
        code: "NGX004",
        rule: "analysis-limit",
        severity: Severity::Warning,
        summary: "input beyond ngxlint's limits (nesting depth, include expansion); the rest is not analysed",
    };
    pub const INVALID_UTF8: Code = Code {
        code: "NGX005",
        rule: "invalid-utf8",
        severity: Severity::Info,
        summary: "the file is not valid UTF-8 (nginx reads bytes; editors and tools may not)",
    };
    pub const INCLUDE_EXTERNAL: Code = Code {
        code: "NGX006",
        rule: "include-external",
        severity: Severity::Info,
        summary: "an include points outside the files given; nginx will need it at load time",
    };

    pub const ALL: &[Code] =
        &[SYNTAX, INCLUDE_NOT_FOUND, INCLUDE_CYCLE, LIMIT, INVALID_UTF8, INCLUDE_EXTERNAL];
}

#[cfg(test)]
mod tests {
    use super::joined_some;

    #[test]
    fn long_lists_show_a_few_and_count_the_rest() {
        let items = |n: usize| (0..n).map(|i| format!("s{i}"));
        assert_eq!(joined_some(items(4), 4, ""), "s0, s1, s2, s3");
        assert_eq!(joined_some(items(5), 4, ""), "s0, s1, s2 and 2 more");
        assert_eq!(joined_some(items(7), 6, "servers"), "s0, s1, s2, s3, s4 and 2 more servers");
        assert_eq!(joined_some(items(0), 6, "servers"), "");
    }
}
