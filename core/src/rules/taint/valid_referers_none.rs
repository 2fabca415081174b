use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// `valid_referers none` (or `blocked`) accepts requests without a usable `Referer`: a check
    /// meant to keep other sites out lets every request that simply omits the header in.
    ///
    /// ## Why
    /// `Referer` is optional: `Referrer-Policy: no-referrer`, `<meta name="referrer">`,
    /// `rel="noreferrer"` links and privacy tools remove it from cross-site requests on purpose.
    /// With `none`, `$invalid_referer` is empty for those requests, so hotlink protection or a
    /// CSRF check built on it is bypassed by any page that asks for no referrer. `blocked` does
    /// the same for a `Referer` without a scheme, which anyone can send.
    ///
    /// ## Bad
    /// ```nginx
    /// location /api/ {
    ///     valid_referers none server_names;
    ///     if ($invalid_referer) { return 403; }
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location /api/ {
    ///     valid_referers server_names;
    ///     if ($invalid_referer) { return 403; }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Drop `none` (and `blocked`) when the check guards anything sensitive; keep it for plain
    /// hotlink protection of images, where direct visits must keep working (then suppress this
    /// note with a reason).
    ///
    /// ## Limits
    /// A note, not a warning: for hotlink protection `none` is usually intended. The rule does not
    /// look at what `$invalid_referer` guards.
    pub(crate) RULE {
        code: "SEC043",
        name: "valid-referers-none",
        category: Security,
        severity: Info,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (_, it) in cx.named("valid_referers") {
        for (k, &a) in it.args.iter().enumerate() {
            if a == "none" || a == "blocked" {
                let what = if a == "none" { "without a Referer header" } else { "with a Referer stripped of its scheme" };
                out.report(it.directive.args[k].span, format!("valid_referers {a} accepts requests {what}: any site can omit or mangle the header to pass"))
                    .with_help_mut(format!("remove `{a}` unless direct requests must pass (e.g. plain image hotlink protection)"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC043", "location / { valid_referers none server_names; if ($invalid_referer) { return 403; } }").len(), 1);
        assert_eq!(findings("SEC043", "location / { valid_referers none blocked *.example.com; }").len(), 2);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC043", "location / { valid_referers server_names *.example.com; }").is_empty());
        assert!(findings("SEC043", "location / { valid_referers nonexample.com; }").is_empty());
    }
}
