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
    // Only a comment holding `ngxlint:` can be a suppression (`parse` needs it): a file without
    // one is not walked at all, and in the others the remaining comments are skipped before
    // their scope is worked out.
    let marker = memchr::memmem::Finder::new(b"ngxlint:");
    for pf in &cx.config.docs {
        let src = cx.files.bytes(pf.file);
        if marker.find(src).is_none() {
            continue;
        }
        let line = |off: u32| cx.files.file(pf.file).line_index().line_of(off as usize);
        let maybe = |c: &Span| marker.find(src.get(c.range()).unwrap_or(&[])).is_some();
        let mut stack: Vec<&[Node]> = vec![&pf.doc.items];
        while let Some(nodes) = stack.pop() {
            // The directives before and after each node, tracked rather than searched for: a run
            // of thousands of suppression comments stays linear.
            let mut prev: Option<&crate::syntax::Directive> = None;
            let mut next_from: Option<(usize, Option<&crate::syntax::Directive>)> = None;
            for (k, node) in nodes.iter().enumerate() {
                let mut comments: Vec<(Span, Span)> = Vec::new(); // (comment, scope)
                match node {
                    Node::Comment(c) if !maybe(c) => {}
                    Node::Comment(c) => {
                        let trailing = prev.filter(|d| line(d.span.end) == line(c.start) && d.span.end <= c.start);
                        let next = match next_from {
                            Some((at, d)) if at > k => d,
                            _ => {
                                let found = nodes[k + 1..].iter().enumerate().find_map(|(j, n)| match n {
                                    Node::Directive(d) => Some((k + 1 + j, d)),
                                    _ => None,
                                });
                                next_from = Some(found.map_or((nodes.len(), None), |(j, d)| (j, Some(d))));
                                found.map(|f| f.1)
                            }
                        };
                        if let Some(scope) = trailing.or(next) {
                            comments.push((*c, scope.span));
                        } else {
                            comments.push((*c, Span::new(c.file, c.end as usize, c.end as usize)));
                        }
                    }
                    Node::Directive(d) => {
                        prev = Some(d);
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

/// Marks the codes of `s` that match `d`; true when one does.
fn hides(s: &mut Suppression, d: &Diagnostic) -> bool {
    let mut hidden = false;
    for (k, code) in s.codes.iter().enumerate() {
        if matches(code, d) {
            s.used[k] = true;
            hidden = true;
        }
    }
    hidden
}

fn contains(s: &Suppression, d: &Diagnostic) -> bool {
    s.scope.file == d.span.file && s.scope.start <= d.span.start && d.span.end <= s.scope.end
}

/// For each finding, whether a suppression hides it: a sweep over findings and scopes sorted by
/// start, keeping the scopes that may still hold the current position (a scope that ended before
/// it holds no later finding either). Scopes are directive spans, which nest or are disjoint, so
/// the kept scopes are one chain of enclosing blocks: linear, where asking every scope about
/// every finding was findings × suppressions.
fn hidden_flags(sups: &mut [Suppression], findings: &[Diagnostic]) -> Vec<bool> {
    let mut hidden = vec![false; findings.len()];
    if sups.is_empty() {
        return hidden;
    }
    let key = |s: &Span| (s.file, s.start, std::cmp::Reverse(s.end));
    let mut by_start: Vec<usize> = (0..sups.len()).collect();
    by_start.sort_by_key(|&k| key(&sups[k].scope));
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| (findings[i].span.file, findings[i].span.start));
    let mut active: Vec<usize> = Vec::new();
    let mut next = 0;
    for i in order {
        let d = &findings[i];
        let at = (d.span.file, d.span.start);
        while let Some(&k) = by_start.get(next) {
            let s = sups[k].scope;
            if (s.file, s.start) > at {
                break;
            }
            while active.last().is_some_and(|&t| sups[t].scope.file != s.file || sups[t].scope.end < s.start) {
                active.pop();
            }
            active.push(k);
            next += 1;
        }
        while active.last().is_some_and(|&t| sups[t].scope.file != d.span.file || sups[t].scope.end < d.span.start) {
            active.pop();
        }
        for &k in &active {
            if contains(&sups[k], d) && hides(&mut sups[k], d) {
                hidden[i] = true;
            }
        }
    }
    hidden
}

/// Drops suppressed findings and reports unusable or unused suppressions.
pub fn apply(cx: &RuleContext, findings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut sups = Vec::new();
    let mut out = Vec::new();
    collect(cx, &mut sups, &mut out);
    if sups.is_empty() && out.is_empty() {
        return findings; // no suppression comment anywhere: nothing hidden, nothing to add
    }
    let hidden = hidden_flags(&mut sups, &findings);
    out.extend(findings.into_iter().zip(hidden).filter(|(_, h)| !h).map(|(d, _)| d));
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
    use super::{contains, hidden_flags, hides, parse, Suppression, UNUSED, WITHOUT_REASON};
    use crate::report::Diagnostic;
    use crate::source::{FileId, Span};

    #[test]
    fn the_sweep_hides_exactly_what_asking_every_scope_hides() {
        // Random scopes (nested, overlapping, empty, in two files) and findings: the sweep must
        // agree with the all-pairs definition on hidden findings and used codes.
        let mut next = crate::rules::tests::rng(0x9E37_79B9_7F4A_7C15);
        let mut rnd = |n: u32| next(n as u64) as u32;
        for _ in 0..300 {
            let span = |rnd: &mut dyn FnMut(u32) -> u32| {
                let (a, len) = (rnd(60), rnd(4).min(rnd(30)));
                Span { file: FileId(rnd(2)), start: a, end: a + len }
            };
            let codes = ["LNT001", "LNT002", "suppression-without-reason"];
            let sups: Vec<Suppression> = (0..rnd(12))
                .map(|_| {
                    let code = codes[rnd(3) as usize].to_string();
                    Suppression { comment: Span::default(), codes: vec![code], scope: span(&mut rnd), used: vec![false] }
                })
                .collect();
            let findings: Vec<Diagnostic> =
                (0..rnd(20)).map(|_| Diagnostic::new(if rnd(2) == 0 { UNUSED } else { WITHOUT_REASON }, span(&mut rnd), "x")).collect();
            let mut naive: Vec<Suppression> =
                sups.iter().map(|s| Suppression { comment: s.comment, codes: s.codes.clone(), scope: s.scope, used: s.used.clone() }).collect();
            let expected: Vec<bool> = findings
                .iter()
                .map(|d| naive.iter_mut().fold(false, |h, s| (contains(s, d) && hides(s, d)) | h))
                .collect();
            let mut swept = sups;
            assert_eq!(hidden_flags(&mut swept, &findings), expected);
            assert_eq!(swept.iter().map(|s| s.used[0]).collect::<Vec<_>>(), naive.iter().map(|s| s.used[0]).collect::<Vec<_>>());
        }
    }

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
