//! Renderings of a comparison: the versioned JSON contract of `ngxlint diff` and `compare()` in
//! JS (extend, never break), and a plain-text report for terminals and CI logs.
//!
//! `{"version":1,"score":N,"level":"low|medium|high|critical","recommendation":"ship|stage-first|
//! canary|block","findings":[{"rule","code","category","tier","level","score","message","path",
//! ...}],"changes":[{"kind","path","directive","before","after",...}],"not_checked":[...]}`

use super::json::{self, JsonDiagnostic};
use crate::diff::Change;
use crate::risk::{Finding, RiskLevel};
use crate::source::{SourceSet, Span};
use crate::{Comparison, Severity};
use serde::Serialize;

pub const VERSION: u32 = 1;

/// A place in one side's files.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub offset: usize,
    pub end_offset: usize,
    pub offset_utf16: usize,
    pub end_offset_utf16: usize,
}

fn place(files: &SourceSet, span: Option<Span>) -> Option<Place> {
    let span = span?;
    files.get(span.file)?;
    let (s, e) = files.range_of(span);
    Some(Place {
        file: files.path(span.file).to_string(),
        line: s.line,
        column: s.column,
        end_line: e.line,
        end_column: e.column,
        offset: s.offset,
        end_offset: e.offset,
        offset_utf16: s.offset_utf16,
        end_offset_utf16: e.offset_utf16,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonFinding<'a> {
    #[serde(flatten)]
    pub finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_at: Option<Place>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_at: Option<Place>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonChange<'a> {
    #[serde(flatten)]
    pub change: &'a Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_at: Option<Place>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_at: Option<Place>,
}

/// What `nginx -t` would say of one side.
#[derive(Debug, Clone, Serialize)]
pub struct JsonSide {
    pub errors: usize,
    pub warnings: usize,
    /// The first Error: what `nginx -t` would print.
    pub first_error: Option<JsonDiagnostic>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonComparison<'a> {
    pub version: u32,
    pub score: u32,
    pub level: RiskLevel,
    pub recommendation: &'static str,
    pub advice: &'static str,
    pub blocking: bool,
    pub findings: Vec<JsonFinding<'a>>,
    pub changes: Vec<JsonChange<'a>>,
    pub not_checked: &'a [String],
    /// The level thresholds of the policy in force (`{"medium":20,"high":40,"critical":65}`).
    pub thresholds: crate::risk::Thresholds,
    pub before: JsonSide,
    pub after: JsonSide,
}

fn side(files: &SourceSet, a: &crate::Analysis) -> JsonSide {
    let count = |s: Severity| a.diagnostics().iter().filter(|d| d.severity == s).count();
    JsonSide { errors: count(Severity::Error), warnings: count(Severity::Warning), first_error: a.first_error().map(|d| json::diagnostic(files, d)) }
}

/// The JSON contract of a comparison.
pub fn to_json<'a>(c: &'a Comparison, before: &SourceSet, after: &SourceSet) -> JsonComparison<'a> {
    let a = c.assessment();
    JsonComparison {
        version: VERSION,
        score: a.score,
        level: a.level,
        recommendation: a.recommendation.as_str(),
        advice: a.recommendation.advice(),
        blocking: a.blocking,
        findings: a
            .findings
            .iter()
            .map(|f| JsonFinding { finding: f, before_at: place(before, f.before_span), after_at: place(after, f.after_span) })
            .collect(),
        changes: c
            .changes()
            .iter()
            .map(|ch| JsonChange { change: ch, before_at: place(before, ch.before_span), after_at: place(after, ch.after_span) })
            .collect(),
        not_checked: &a.not_checked,
        thresholds: a.thresholds,
        before: side(before, c.before()),
        after: side(after, c.after()),
    }
}

/// A plain-text report: verdict, findings with their reasons and checks, then the changes.
pub fn to_text(c: &Comparison, before: &SourceSet, after: &SourceSet) -> String {
    use std::fmt::Write;
    let a = c.assessment();
    let mut s = String::new();
    let _ = writeln!(s, "risk: {} ({}/100) -> {}", a.level.as_str().to_uppercase(), a.score, a.recommendation.as_str());
    let _ = writeln!(s, "  {}", a.recommendation.advice());
    if a.findings.is_empty() {
        let _ = writeln!(s, "\nno risky change found ({} semantic change(s))", c.changes().len());
    } else {
        let _ = writeln!(s, "\nfindings ({}):", a.findings.len());
    }
    for f in &a.findings {
        let _ = writeln!(s, "  [{:>5.1} {:<8}] {} {}: {}", f.score, f.level.as_str(), f.code, f.rule, f.message);
        if !f.path.is_empty() {
            let _ = writeln!(s, "      at {}", f.path);
        }
        let at = |files: &SourceSet, span: Option<Span>| place(files, span).map(|p| format!("{}:{}:{}", p.file, p.line, p.column));
        let after_at = at(after, f.after_span).filter(|p| *p != f.path);
        match (at(before, f.before_span), after_at) {
            (Some(b), Some(n)) => {
                let _ = writeln!(s, "      before {b}, after {n}");
            }
            (Some(b), None) => {
                let _ = writeln!(s, "      before {b}");
            }
            (None, Some(n)) => {
                let _ = writeln!(s, "      after {n}");
            }
            _ => {}
        }
        let mods: Vec<String> = f.modifiers.iter().map(|m| format!("x{} {}", m.factor, m.reason)).collect();
        let _ = writeln!(
            s,
            "      why: {} [{} {} pts{}; blast radius {:.2} ({}); confidence {}]",
            f.explanation,
            f.tier.as_str(),
            f.base,
            if mods.is_empty() { String::new() } else { format!(", {}", mods.join(", ")) },
            f.blast_radius.factor,
            f.blast_radius.scope,
            f.confidence
        );
        if !f.verify.is_empty() {
            let _ = writeln!(s, "      check: {}", f.verify);
        }
    }
    if !c.changes().is_empty() {
        let _ = writeln!(s, "\nchanges ({}):", c.changes().len());
        for ch in c.changes() {
            let show = |v: &Option<Vec<String>>| v.as_ref().map(|a| a.join(" ")).unwrap_or_default();
            let detail = match (&ch.detail, ch.block, ch.kind) {
                (Some(d), _, _) => format!(": {d}"),
                (None, true, _) => String::new(),
                (None, false, crate::diff::ChangeKind::Modified | crate::diff::ChangeKind::Reordered) => format!(": {} -> {}", show(&ch.before), show(&ch.after)),
                (None, false, crate::diff::ChangeKind::Removed) if ch.after.is_some() => {
                    format!(": {} -> {} ({:?})", show(&ch.before), show(&ch.after), ch.after_origin).to_lowercase()
                }
                (None, false, _) => String::new(),
            };
            let sign = match ch.kind {
                crate::diff::ChangeKind::Added => '+',
                crate::diff::ChangeKind::Removed => '-',
                crate::diff::ChangeKind::Modified => '~',
                crate::diff::ChangeKind::Reordered => '^',
            };
            let _ = writeln!(s, "  {sign} {}{detail}", ch.path);
        }
    }
    if !a.not_checked.is_empty() {
        let _ = writeln!(s, "\nnot checked:");
        for n in &a.not_checked {
            let _ = writeln!(s, "  - {n}");
        }
    }
    s
}
