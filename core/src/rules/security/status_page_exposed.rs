use super::{access_guard, after, indent_of, level_label};
use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};

const STATUS: &[&str] = &["stub_status", "api", "vhost_traffic_status_display", "status"];

/// Does the server listen only on loopback addresses or unix sockets?
fn loopback_only(cx: &RuleContext, server: usize) -> bool {
    let listens: Vec<&str> = cx.children(Some(server)).iter().filter(|&&c| cx.item(c).name == "listen").map(|&c| cx.item(c).arg(0)).collect();
    !listens.is_empty()
        && listens.iter().all(|a| a.starts_with("127.") || a.starts_with("localhost") || a.starts_with("[::1]") || a.starts_with("unix:"))
}

declare_rule! {
    /// A status page (`stub_status`, NGINX Plus `api`/`status`, `vhost_traffic_status_display`)
    /// is served without `allow`/`deny`, `auth_basic` or `auth_request` limiting who sees it.
    ///
    /// ## Why
    /// Status pages reveal connection counts and traffic patterns; the NGINX Plus API and
    /// traffic-status pages also list upstream servers and zones, and `api write=on` changes
    /// them. They are meant for monitoring systems, not the internet.
    ///
    /// ## Bad
    /// ```nginx
    /// location /nginx_status {
    ///     stub_status;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location /nginx_status {
    ///     stub_status;
    ///     allow 127.0.0.1;
    ///     deny all;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add `allow <monitoring address>; deny all;` (unsafe fix: adds `allow 127.0.0.1; deny
    /// all;`, which refuses remote monitoring until its address is allowed), or authentication.
    ///
    /// ## Limits
    /// Restricted means: an effective allow/deny list containing a `deny`, `auth_basic`,
    /// `auth_request` or `auth_jwt` in effect, `internal`, or a server listening only on loopback
    /// addresses or unix sockets. Not judged where an include that was not found could hold the
    /// restriction. Firewalls and `if`-based checks are not seen.
    pub(crate) RULE {
        code: "SEC015",
        name: "status-page-exposed",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (i, it) in cx.named_where(|n| STATUS.contains(&n)).into_iter().map(|i| (i, cx.item(i))) {
        if !matches!(it.ctx, Some(crate::spec::Context::Location | crate::spec::Context::Server)) {
            continue;
        }
        if it.arg(0) == "off" {
            continue;
        }
        let Some(p) = it.parent() else { continue };
        if super::opaque(cx, p, true) || access_guard(cx, p).is_some() || cx.child(Some(p), "internal").is_some() || cx.enclosing(i, "server").is_some_and(|s| loopback_only(cx, s)) {
            continue;
        }
        let here = level_label(cx, Some(p));
        let d = out.report(it.span(), format!("{} in {here} is reachable by anyone: no allow/deny or authentication restricts it", it.name));
        d.help = Some(format!("add `allow <monitoring address>; deny all;` to {here}"));
        let indent = indent_of(cx, i);
        d.fix = Some(Fix {
            message: "allow only 127.0.0.1".into(),
            safe: false,
            edits: vec![Edit { span: after(cx, i), replacement: format!("\n{indent}allow 127.0.0.1;\n{indent}deny all;") }],
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC015", "location /nginx_status { stub_status; }").len(), 1);
        assert_eq!(findings("SEC015", "location /status { allow 10.0.0.1; stub_status on; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC015", "location /nginx_status { stub_status; allow 127.0.0.1; deny all; }").is_empty());
        assert!(findings("SEC015", "deny all;\nlocation /s { auth_basic off; stub_status; }").is_empty());
        assert!(findings("SEC015", "events {}\nhttp { server { listen 127.0.0.1:8080; location / { stub_status; } } }").is_empty());
        assert!(findings("SEC015", "location /s { auth_basic \"x\"; auth_basic_user_file /etc/p; stub_status; }").is_empty());
        // the restriction may be in an include that was not found
        assert!(findings("SEC015", "location /s { stub_status; include /nonexistent/acl.conf; }").is_empty());
    }
}
