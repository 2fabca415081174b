use super::{before, directive_text_exact, indent_of, level_label};
use crate::declare_rule;
use crate::report::Label;
use crate::rules::{Edit, Findings, Fix, RuleContext};
use crate::spec::{Context, NginxVersion};

/// Security headers whose loss is reported (lowercase); the change-risk rules use the same list.
pub(crate) const SECURITY_HEADERS: &[&str] = &[
    "strict-transport-security",
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
];

declare_rule! {
    /// A `server`, `location` or `if` block sets its own `add_header`, which silently drops every
    /// security header (`Strict-Transport-Security`, `Content-Security-Policy`, ...) set at an
    /// outer level.
    ///
    /// ## Why
    /// nginx inherits `add_header` from the outer level only when the inner level defines none.
    /// One `add_header Cache-Control ...` in a location therefore removes the server's HSTS,
    /// CSP and X-Frame-Options from every response of that location, without any warning.
    ///
    /// ## Bad
    /// ```nginx
    /// server {
    ///     add_header Strict-Transport-Security "max-age=63072000" always;
    ///     location /static/ {
    ///         add_header Cache-Control "public";
    ///     }
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// server {
    ///     add_header Strict-Transport-Security "max-age=63072000" always;
    ///     location /static/ {
    ///         add_header Cache-Control "public";
    ///         add_header Strict-Transport-Security "max-age=63072000" always;
    ///     }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Repeat the lost headers in the inner block (unsafe fix: copies the outer `add_header`
    /// lines in front of the inner ones), keep them in a file included wherever `add_header` is
    /// used, or, on nginx ≥ 1.29.3, set `add_header_inherit merge;`.
    ///
    /// ## Limits
    /// Only the six headers above are considered security headers; `more_set_headers`
    /// (headers-more) is not subject to this inheritance and is not looked at. Not reported
    /// where the effective `add_header_inherit` is `merge`.
    pub(crate) RULE {
        code: "SEC010",
        name: "add-header-inheritance",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    // The blocks that set add_header are the parents of the add_header directives: only those
    // are looked at, not every server, location and if.
    let mut security_at: rustc_hash::FxHashMap<Option<usize>, Vec<usize>> = Default::default();
    let mut blocks: Vec<usize> = cx.named("add_header").filter_map(|(_, h)| h.parent()).collect();
    blocks.dedup();
    blocks.sort_unstable();
    blocks.dedup();
    for b in blocks {
        let blk = cx.item(b);
        if !matches!(blk.name, "server" | "location" | "if") || !matches!(blk.ctx, Some(Context::Http | Context::Server | Context::Location)) {
            continue;
        }
        let own = cx.children_named(Some(b), "add_header");
        let Some(&first) = own.first() else { continue };
        if cx.inherited(Some(b), "add_header_inherit").is_some_and(|m| cx.item(m).arg(0) == "merge") {
            continue;
        }
        // Allocation-free until something is lost: most blocks with add_header drop nothing.
        let (level, outer) = cx.effective_one(blk.parent(), "add_header");
        // The security headers of each outer level, picked out once: a server with many
        // add_header and many locations would otherwise compare every pair.
        let outer_security = security_at.entry(level).or_insert_with(|| {
            outer.iter().copied().filter(|&o| SECURITY_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(cx.item(o).arg(0)))).collect()
        });
        let mut lost: Vec<usize> = Vec::new();
        for &o in outer_security.iter() {
            let n = cx.item(o).arg(0);
            if !own.iter().any(|&c| cx.item(c).arg(0).eq_ignore_ascii_case(n))
                && !lost.iter().any(|&x| cx.item(x).arg(0).eq_ignore_ascii_case(n))
            {
                lost.push(o);
            }
        }
        if lost.is_empty() {
            continue;
        }
        let names = lost.iter().map(|&o| cx.item(o).arg(0)).collect::<Vec<_>>().join(", ");
        let here = level_label(cx, Some(b));
        let there = level_label(cx, level);
        let plural = if lost.len() == 1 { "" } else { "s" };
        let d = out.report(
            cx.item(first).span(),
            format!("add_header in {here} drops the {names} header{plural} set in {there}: nginx inherits add_header only when a level sets none"),
        );
        let not_sent = format!("not sent by {here}");
        d.labels = lost.iter().map(|&o| Label { span: cx.item(o).span(), message: not_sent.clone() }).collect();
        let merge = if cx.version() == NginxVersion::Latest { ", or set `add_header_inherit merge;` (nginx ≥ 1.29.3)" } else { "" };
        d.help = Some(format!("repeat {names} in {here} (e.g. from a shared include file){merge}"));
        let indent = indent_of(cx, first);
        let mut text = String::new();
        for &o in &lost {
            let Some(t) = directive_text_exact(cx, o) else {
                text.clear();
                break;
            };
            text.push_str(t);
            text.push('\n');
            text.push_str(&indent);
        }
        if !text.is_empty() {
            d.fix = Some(Fix {
                message: format!("copy {names} into {here}"),
                safe: false,
                edits: vec![Edit { span: before(cx, first), replacement: text }],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings(
            "SEC010",
            "add_header Strict-Transport-Security \"max-age=63072000\" always;\nadd_header X-Frame-Options DENY;\nlocation /static/ { add_header Cache-Control public; }",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("Strict-Transport-Security, X-Frame-Options"), "{}", f[0].message);
        assert!(f[0].fix.as_ref().unwrap().edits[0].replacement.contains("add_header X-Frame-Options DENY;"));
        let http = "events {}\nhttp {\nadd_header Content-Security-Policy \"default-src 'self'\";\nserver { listen 80; location / { if ($x) { add_header X-A b; } } add_header X-B c; }\n}\n";
        assert_eq!(findings("SEC010", http).len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        // the inner level repeats the security header
        assert!(findings("SEC010", "add_header X-Frame-Options DENY;\nlocation / { add_header X-Frame-Options DENY; add_header X-A b; }").is_empty());
        // only non-security headers are dropped
        assert!(findings("SEC010", "add_header Cache-Control no-store;\nlocation / { add_header X-A b; }").is_empty());
        // the inner level sets no add_header: it inherits
        assert!(findings("SEC010", "add_header X-Frame-Options DENY;\nlocation / { root /srv; }").is_empty());
        // add_header_inherit merge (nginx >= 1.29.3)
        assert!(findings("SEC010", "add_header_inherit merge;\nadd_header X-Frame-Options DENY;\nlocation / { add_header X-A b; }").is_empty());
    }
}
