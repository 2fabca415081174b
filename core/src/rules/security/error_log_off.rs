use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};

declare_rule! {
    /// `error_log off;` does not turn error logging off: nginx writes the errors to a file named
    /// `off` (relative to the prefix).
    ///
    /// ## Why
    /// Unlike `access_log`, `error_log` has no `off` value. The word is taken as a file name, so
    /// errors keep being written, to an unexpected and unrotated file that grows forever.
    ///
    /// ## Bad
    /// ```nginx
    /// error_log off;
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// error_log /dev/null crit;
    /// ```
    ///
    /// ## Fix
    /// Write to `/dev/null` (safe fix: `off` becomes `/dev/null`; nothing changes for traffic),
    /// or better, keep a real log at a high level such as `crit`.
    ///
    /// ## Limits
    /// None known: every `error_log off` is reported.
    pub(crate) RULE {
        code: "SEC019",
        name: "error-log-off",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (_, it) in cx.named("error_log") {
        if it.arg(0) != "off" {
            continue;
        }
        let d = out.report(it.span(), "error_log off writes errors to a file named \"off\": error_log has no off value");
        d.help = Some("use `error_log /dev/null crit;` to discard errors, or keep a real log at a higher level".into());
        if let Some(w) = it.directive.args.first() {
            d.fix = Some(Fix { message: "log to /dev/null".into(), safe: true, edits: vec![Edit { span: w.span, replacement: "/dev/null".into() }] });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC019", "error_log off;").len(), 1);
        assert_eq!(findings("SEC019", "events {}\nerror_log off;\nhttp { }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC019", "access_log off;").is_empty());
        assert!(findings("SEC019", "error_log /var/log/nginx/off.log warn;").is_empty());
    }
}
