//! Inline suppressions: `# ngxlint: ignore[SEC003] reason` (several codes or names separated by
//! commas). It covers the next directive (all of it, when that is a block), or the directive it
//! trails on the same line. A reason is required; suppressions that hide nothing are reported,
//! so they do not outlive the problem they were written for.

use super::{all, RuleContext};
use crate::report::{Code, Diagnostic, Severity};
use crate::source::Span;
use crate::syntax::Node;

pub const WITHOUT_REASON: Code = Code {
    code: "LNT001",
    rule: "suppression-without-reason",
    severity: Severity::Warning,
    summary: "an `# ngxlint: ignore[...]` comment gives no reason; it is not applied",
};
pub const UNUSED: Code = Code {
    code: "LNT002",
    rule: "unused-suppression",
    severity: Severity::Warning,
    summary: "an `# ngxlint: ignore[...]` comment suppresses nothing (or names no known rule)",
};

struct Suppression {
    comment: Span,
    codes: Vec<String>,
    scope: Span,
    used: Vec<bool>,
}

fn parse(text: &str) -> Option<(Vec<String>, String)> {
    let rest = text.strip_prefix('#')?.trim_start().strip_prefix("ngxlint:")?.trim_start();
    let rest = rest.strip_prefix("ignore[")?;
    let (codes, reason) = rest.split_once(']')?;
    let codes = codes.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    Some((codes, reason.trim().to_string()))
}

fn collect(cx: &RuleContext, out: &mut Vec<Suppression>, problems: &mut Vec<Diagnostic>) {
    for pf in &cx.config.docs {
        let src = cx.files.bytes(pf.file);
        let line = |off: u32| cx.files.file(pf.file).line_index().line_of(off as usize);
        // Only a comment holding `ngxlint:` can be a suppression (`parse` needs it): the others
        // are skipped before their scope is worked out.
        let maybe = |c: &Span| memchr::memmem::find(src.get(c.range()).unwrap_or(&[]), b"ngxlint:").is_some();
        let mut stack: Vec<&[Node]> = vec![&pf.doc.items];
        while let Some(nodes) = stack.pop() {
            for (k, node) in nodes.iter().enumerate() {
                let mut comments: Vec<(Span, Span)> = Vec::new(); // (comment, scope)
                match node {
                    Node::Comment(c) if !maybe(c) => {}
                    Node::Comment(c) => {
                        let prev = nodes[..k].iter().rev().find_map(|n| match n {
                            Node::Directive(d) => Some(d),
                            _ => None,
                        });
                        let trailing = prev.filter(|d| line(d.span.end) == line(c.start) && d.span.end <= c.start);
                        let next = nodes[k + 1..].iter().find_map(|n| match n {
                            Node::Directive(d) => Some(d),
                            _ => None,
                        });
                        if let Some(scope) = trailing.or(next) {
                            comments.push((*c, scope.span));
                        } else {
                            comments.push((*c, Span::new(c.file, c.end as usize, c.end as usize)));
                        }
                    }
                    Node::Directive(d) => {
                        comments.extend(d.comments.iter().filter(|c| maybe(c)).map(|c| (*c, d.span)));
                        if let Some(b) = d.block() {
                            stack.push(&b.items);
                        }
                    }
                    Node::Orphan(b) => stack.push(&b.items),
                    Node::Skipped(_) => {}
                }
                for (c, scope) in comments {
                    let text = String::from_utf8_lossy(src.get(c.range()).unwrap_or(&[])).into_owned();
                    let Some((codes, reason)) = parse(&text) else { continue };
                    if reason.is_empty() {
                        problems.push(
                            Diagnostic::new(WITHOUT_REASON, c, "suppression without a reason is not applied")
                                .with_help("write why, e.g. `# ngxlint: ignore[SEC003] static files only, no user paths`"),
                        );
                        continue;
                    }
                    let used = vec![false; codes.len()];
                    out.push(Suppression { comment: c, codes, scope, used });
                }
            }
        }
    }
}

fn matches(sel: &str, d: &Diagnostic) -> bool {
    sel == d.code || sel == d.rule
}

/// Drops suppressed findings and reports unusable or unused suppressions.
pub fn apply(cx: &RuleContext, findings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut sups = Vec::new();
    let mut out = Vec::new();
    collect(cx, &mut sups, &mut out);
    for d in findings {
        let mut hidden = false;
        for s in &mut sups {
            if s.scope.file == d.span.file && s.scope.start <= d.span.start && d.span.end <= s.scope.end {
                for (k, code) in s.codes.iter().enumerate() {
                    if matches(code, &d) {
                        s.used[k] = true;
                        hidden = true;
                    }
                }
            }
        }
        if !hidden {
            out.push(d);
        }
    }
    for s in &sups {
        for (k, code) in s.codes.iter().enumerate() {
            if s.used[k] {
                continue;
            }
            let known = all().any(|r| r.info.code == code || r.info.name == code);
            let message = if known {
                format!("unused suppression: no {code} finding here")
            } else {
                format!("unused suppression: no rule is called \"{code}\"")
            };
            out.push(Diagnostic::new(UNUSED, s.comment, message).with_help("remove it, or fix the rule name"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_codes_and_reason() {
        assert_eq!(
            parse("# ngxlint: ignore[SEC003, alias-traversal] static files only"),
            Some((vec!["SEC003".into(), "alias-traversal".into()], "static files only".into()))
        );
        assert_eq!(parse("#ngxlint:ignore[X]"), Some((vec!["X".into()], String::new())));
        assert_eq!(parse("# just a comment"), None);
    }
}
