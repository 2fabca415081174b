//! Will the new configuration load everywhere, with everything it used to include?

use super::{Context, Draft, CONFIG_REFUSED, INCLUDE_EMPTIED, NEW_LINT_FINDING, VERSION_SKEW};
use crate::report::Severity;
use crate::risk::{Category, Tier};
use std::collections::HashMap;

pub fn run(cx: &Context<'_>, out: &mut Vec<Draft>) {
    refused(cx, out);
    includes(cx, out);
    new_warnings(cx, out);
}

fn position(cx: &Context<'_>, span: crate::Span) -> String {
    let files = cx.i.after.files;
    match files.get(span.file) {
        Some(f) => {
            let p = f.position(span.start as usize);
            format!("{}:{}:{}", f.path(), p.line, p.column)
        }
        None => String::new(),
    }
}

fn refused(cx: &Context<'_>, out: &mut Vec<Draft>) {
    let primary = cx.i.targets.iter().find(|(v, _)| *v == cx.i.primary).and_then(|(_, a)| a.first_error());
    let before_error = cx.i.before.analysis.first_error().map(|e| e.message.clone());
    if let Some(e) = primary {
        let already = if before_error.as_deref() == Some(e.message.as_str()) { " (the old configuration has it too)" } else { "" };
        out.push(
            Draft::new(CONFIG_REFUSED, format!("nginx {} would refuse the new configuration: {}{already}", cx.i.primary.number(), e.message))
                .path(position(cx, e.span))
                .at(None, Some(e.span))
                .explain("`nginx -t` fails: a reload is refused, and a restart (or a new machine) leaves nginx down and every port closed")
                .verify(format!("nginx -t -c <main file> with nginx {} (expect: syntax is ok / test is successful)", cx.i.primary.number())),
        );
    }
    for (v, a) in &cx.i.targets {
        if *v == cx.i.primary {
            continue;
        }
        if let Some(e) = a.first_error() {
            let rule = if primary.is_some() { CONFIG_REFUSED } else { VERSION_SKEW };
            if primary.is_some_and(|p| p.message == e.message) {
                continue;
            }
            out.push(
                Draft::new(rule, format!("nginx {} in the fleet would refuse the new configuration: {}", v.number(), e.message))
                    .path(position(cx, e.span))
                    .at(None, Some(e.span))
                    .explain("part of the fleet runs an nginx that does not accept this configuration: those machines fail to reload or to start")
                    .verify(format!("nginx -t on a machine running nginx {}", v.number())),
            );
        }
    }
}

fn includes(cx: &Context<'_>, out: &mut Vec<Draft>) {
    for (ci, c) in cx.changes() {
        if c.directive != "include" {
            continue;
        }
        let (old, new) = (c.before.as_ref().map_or(0, Vec::len), c.after.as_ref().map_or(0, Vec::len));
        if new >= old {
            cx.claim(ci);
            continue;
        }
        let lost = (old - new) as f64 / old.max(1) as f64;
        let (share, scope) = cx.share_of(c);
        let msg = c.detail.clone().unwrap_or_default();
        let mut d = cx.for_change(INCLUDE_EMPTIED, ci, format!("{msg}: what those files defined is gone and nginx -t still passes"));
        let silent = "silent: everything the files defined vanishes at once and nginx -t passes";
        d = if new == 0 {
            d.share(share, scope).modifier(silent, 1.25)
        } else if lost >= 0.5 {
            d.share(share * lost, format!("{scope}, {:.0}% of the included files", lost * 100.0)).modifier(silent, 1.25)
        } else {
            d.share(share * lost, format!("{scope}, {:.0}% of the included files", lost * 100.0)).tier(Tier::Behaviour).confidence(0.7)
        };
        let pattern = c.path.rsplit("include ").next().unwrap_or("").to_string();
        out.push(
            d.explain("nginx treats a glob that matches nothing as an empty include: servers, locations and settings from those files disappear without an error")
                .verify(format!("ls {pattern} on the target (relative to the nginx prefix); expect {old} file(s)")),
        );
    }
}

/// Security and availability warnings the new configuration has and the old one did not.
fn new_warnings(cx: &Context<'_>, out: &mut Vec<Draft>) {
    let key = |d: &crate::Diagnostic| (d.code, d.message.clone());
    let interesting = |d: &&crate::Diagnostic| d.severity == Severity::Warning && (d.code.starts_with("SEC") || d.code.starts_with("AVL"));
    let mut old: HashMap<(&str, String), usize> = HashMap::new();
    for d in cx.i.before.analysis.diagnostics().iter().filter(interesting) {
        *old.entry(key(d)).or_default() += 1;
    }
    for d in cx.i.after.analysis.diagnostics().iter().filter(interesting) {
        let n = old.entry(key(d)).or_default();
        if *n > 0 {
            *n -= 1;
            continue;
        }
        let mut draft = Draft::new(NEW_LINT_FINDING, format!("new {} {}: {}", d.code, d.rule, d.message))
            .path(position(cx, d.span))
            .at(None, Some(d.span))
            .confidence(0.5)
            .explain(format!("the change introduces a finding of rule {} ({}); `ngxlint explain {}` says why it matters", d.code, d.rule, d.code))
            .verify(format!("ngxlint explain {}", d.code));
        if d.code.starts_with("AVL") {
            draft.rule.category = Category::Availability;
        }
        out.push(draft);
    }
}
