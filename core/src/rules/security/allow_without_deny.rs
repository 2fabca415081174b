use super::{after, indent_of, level_label};
use crate::declare_rule;
use crate::report::Label;
use crate::rules::{Edit, Findings, Fix, RuleContext};

declare_rule! {
    /// A level lists `allow` rules but no `deny all`: addresses matching no rule are allowed, so
    /// the `allow` lines restrict nothing.
    ///
    /// ## Why
    /// nginx checks `allow`/`deny` in order and lets a request through when no rule matches.
    /// `allow 10.0.0.0/8;` alone therefore admits everyone. Inheritance makes this easy to miss:
    /// a location with its own `allow` replaces the whole outer list, including the outer
    /// `deny all`.
    ///
    /// ## Bad
    /// ```nginx
    /// location /admin/ {
    ///     allow 10.0.0.0/8;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location /admin/ {
    ///     allow 10.0.0.0/8;
    ///     deny all;
    /// }
    /// ```
    ///
    /// ## Fix
    /// End the list with `deny all;` (unsafe fix: every other address is then refused).
    ///
    /// ## Limits
    /// A list containing any rule for `all` (`deny all` or `allow all`) is taken as deliberate.
    /// http and stream access rules alike. Not judged where an include that was not found may
    /// continue the list.
    pub(crate) RULE {
        code: "SEC012",
        name: "allow-without-deny",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    let mut seen = std::collections::HashSet::new();
    for (_, it) in cx.named("allow") {
        let Some(p) = it.parent() else { continue };
        if !seen.insert(p) {
            continue;
        }
        let list: Vec<usize> =
            cx.children(Some(p)).iter().copied().filter(|&c| matches!(cx.item(c).name, "allow" | "deny")).collect();
        if list.iter().any(|&c| cx.item(c).arg(0) == "all") || super::opaque(cx, p, false) {
            continue;
        }
        let allows: Vec<usize> = list.iter().copied().filter(|&c| cx.item(c).name == "allow").collect();
        let (Some(&first), Some(&last)) = (allows.first(), list.last()) else { continue };
        let here = level_label(cx, Some(p));
        let what = allows.iter().map(|&a| cx.item(a).arg(0).to_string()).collect::<Vec<_>>().join(", ");
        let d = out.report(cx.item(first).span(), format!("allow {what} in {here} without `deny all`: every other address is allowed too"));
        // An outer deny all that this list replaces.
        let (lvl, outer) = cx.effective(cx.item(p).parent(), &["allow", "deny"]);
        if let Some(&o) = outer.iter().find(|&&o| cx.item(o).name == "deny" && cx.item(o).arg(0) == "all") {
            d.labels.push(Label { span: cx.item(o).span(), message: format!("not inherited: {here} has its own allow/deny list ({})", level_label(cx, lvl)) });
        }
        d.help = Some("end the list with `deny all;`".into());
        d.fix = Some(Fix {
            message: format!("add `deny all;` after the allow rules of {here}"),
            safe: false,
            edits: vec![Edit { span: after(cx, last), replacement: format!("\n{}deny all;", indent_of(cx, last)) }],
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("SEC012", "location /admin/ { allow 10.0.0.0/8; allow 192.168.0.0/16; }");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("10.0.0.0/8, 192.168.0.0/16"));
        let f = findings("SEC012", "allow 10.0.0.1; deny all;\nlocation /a { allow 127.0.0.1; }");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].labels.len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC012", "location /admin/ { allow 10.0.0.0/8; deny all; }").is_empty());
        assert!(findings("SEC012", "location / { deny 1.2.3.4; allow all; }").is_empty());
        assert!(findings("SEC012", "location / { deny 1.2.3.4; }").is_empty());
    }
}
