//! The versioned JSON contract of `check` (other tools rely on it: extend, never break):
//! `{"version":1,"diagnostics":[{"code","rule","severity","message","file","line","column",
//! "end_line","end_column", ...}]}` with 1-based lines and columns (columns in characters), plus
//! byte offsets and UTF-16 columns/offsets for editors.

use super::Diagnostic;
use crate::source::SourceSet;
use serde::Serialize;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonDiagnostic {
    pub code: String,
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub offset: usize,
    pub end_offset: usize,
    pub column_utf16: usize,
    pub end_column_utf16: usize,
    pub offset_utf16: usize,
    pub end_offset_utf16: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<JsonLabel>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonLabel {
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonReport {
    pub version: u32,
    pub diagnostics: Vec<JsonDiagnostic>,
}

pub fn diagnostic(files: &SourceSet, d: &Diagnostic) -> JsonDiagnostic {
    let (s, e) = files.range_of(d.span);
    JsonDiagnostic {
        code: d.code.to_string(),
        rule: d.rule.to_string(),
        severity: d.severity.as_str().to_string(),
        message: d.message.clone(),
        file: files.path(d.span.file).to_string(),
        line: s.line,
        column: s.column,
        end_line: e.line,
        end_column: e.column,
        offset: s.offset,
        end_offset: e.offset,
        column_utf16: s.column_utf16,
        end_column_utf16: e.column_utf16,
        offset_utf16: s.offset_utf16,
        end_offset_utf16: e.offset_utf16,
        help: d.help.clone(),
        labels: d
            .labels
            .iter()
            .map(|l| {
                let (ls, le) = files.range_of(l.span);
                JsonLabel {
                    message: l.message.clone(),
                    file: files.path(l.span.file).to_string(),
                    line: ls.line,
                    column: ls.column,
                    end_line: le.line,
                    end_column: le.column,
                }
            })
            .collect(),
    }
}

pub fn report(files: &SourceSet, diagnostics: &[Diagnostic]) -> JsonReport {
    JsonReport { version: VERSION, diagnostics: diagnostics.iter().map(|d| diagnostic(files, d)).collect() }
}
