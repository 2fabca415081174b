use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// `server_tokens` is on (nginx's default): every response and error page names the nginx
    /// version.
    ///
    /// ## Why
    /// The `Server: nginx/1.22.1` header and the version on error pages tell an attacker which
    /// published vulnerabilities apply, for free.
    ///
    /// ## Bad
    /// ```nginx
    /// http {
    ///     server_tokens on;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// http {
    ///     server_tokens off;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `server_tokens off;` in `http` (safe: responses only lose the version number).
    ///
    /// ## Limits
    /// Reported once for a whole configuration without `server_tokens off` at http level, and for
    /// each explicit `server_tokens on`/`build`.
    pub(crate) RULE {
        code: "SEC001",
        name: "version-disclosure",
        category: Security,
        severity: Info,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (_, it) in cx.named("server_tokens") {
        if it.arg(0) != "off" {
            out.report(it.span(), format!("server_tokens {} discloses the nginx version", it.arg(0)))
                .with_help_mut("set `server_tokens off;`");
        }
    }
    if cx.whole {
        if let Some((h, http)) = cx.named("http").next() {
            if cx.child(Some(h), "server_tokens").is_none() {
                out.report(http.span(), "server_tokens is not set: responses disclose the nginx version (default on)")
                    .with_help_mut("add `server_tokens off;` to the http block");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC001", "events {}\nhttp { }\n").len(), 1);
        assert_eq!(findings("SEC001", "events {}\nhttp { server_tokens off; server { server_tokens on; } }\n").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC001", "events {}\nhttp { server_tokens off; }\n").is_empty());
        assert!(findings("SEC001", "events {}\nhttp { server_tokens off; server { server_tokens off; } }\n").is_empty());
    }
}
