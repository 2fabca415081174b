use crate::check::values;
use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// `keepalive_requests` is below 100: keep-alive connections (from clients, or to an
    /// upstream) are closed after a few requests and reopened, with a new TCP (and TLS)
    /// handshake each time.
    ///
    /// ## Why
    /// nginx's default is 1000 since 1.19.10 (100 before). A low value multiplies handshakes and
    /// `TIME_WAIT` sockets, and for an upstream `keepalive` pool largely defeats the pool.
    ///
    /// ## Bad
    /// ```nginx
    /// keepalive_requests 10;
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// keepalive_requests 1000;
    /// ```
    ///
    /// ## Fix
    /// Remove the directive (default 1000) or use at least 100.
    ///
    /// ## Limits
    /// `keepalive_requests 0` (keep-alive disabled on purpose) is reported too; suppress it with
    /// the reason. Both the http and the upstream directive are judged.
    pub(crate) RULE {
        code: "PRF002",
        name: "low-keepalive-requests",
        category: Performance,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (i, it) in cx.named("keepalive_requests") {
        let Some(n) = values::num(it.arg(0)) else { continue };
        if n < 100 {
            let whose = if cx.enclosing(i, "upstream").is_some() { "upstream connections" } else { "client connections" };
            out.report(it.span(), format!("keepalive_requests {n} closes {whose} after {n} requests (default 1000): each reconnect costs a new handshake"))
                .with_help_mut("remove it (default 1000) or use at least 100");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("PRF002", "keepalive_requests 10;").len(), 1);
        let f = findings("PRF002", "events {}\nhttp { upstream u { server 1.2.3.4; keepalive 8; keepalive_requests 5; } }\n");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("upstream connections"));
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("PRF002", "keepalive_requests 100;").is_empty());
        assert!(findings("PRF002", "keepalive_requests 10000;\nkeepalive_timeout 10;").is_empty());
    }
}
