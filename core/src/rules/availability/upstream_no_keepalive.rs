use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// An upstream used by `proxy_pass` keeps no idle connections (`keepalive` missing), or has
    /// them but a `proxy_pass` to it still speaks HTTP/1.0 or sends `Connection: close`, so none
    /// is reused.
    ///
    /// ## Why
    /// Without `keepalive`, every proxied request opens a new TCP (and TLS) connection to the
    /// backend: latency, CPU and `TIME_WAIT` sockets that can exhaust ephemeral ports under load.
    /// `keepalive` alone is not enough: nginx proxies with HTTP/1.0 and `Connection: close` by
    /// default, so the location also needs `proxy_http_version 1.1` and
    /// `proxy_set_header Connection "";`.
    ///
    /// ## Bad
    /// ```nginx
    /// upstream app { server 10.0.0.1:8080; }
    /// server {
    ///     location / { proxy_pass http://app; }
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// upstream app { server 10.0.0.1:8080; keepalive 16; }
    /// server {
    ///     location / {
    ///         proxy_http_version 1.1;
    ///         proxy_set_header Connection "";
    ///         proxy_pass http://app;
    ///     }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add `keepalive N;` to the upstream, and `proxy_http_version 1.1;` plus
    /// `proxy_set_header Connection "";` where it is proxied to.
    ///
    /// ## Limits
    /// Only `proxy_pass http(s)://NAME` with a literal upstream name is followed; upstreams
    /// reached through variables, `fastcgi_pass` (which needs `fastcgi_keep_conn on`) or other
    /// modules are not judged. A `Connection` header set to anything (e.g. for WebSocket
    /// upgrades) is accepted.
    pub(crate) RULE {
        code: "PRF004",
        name: "upstream-no-keepalive",
        category: Performance,
        severity: Info,
        check: check,
    }
}

/// The upstream name a `proxy_pass` target names, if it is a bare name.
fn target(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"))?;
    let host = rest.split('/').next()?;
    (!host.contains('$') && !host.contains(':') && !host.is_empty()).then_some(host)
}

fn check(cx: &RuleContext, out: &mut Findings) {
    // proxy_pass targets, grouped once (not scanned per upstream).
    let mut by_target: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (i, p) in cx.named("proxy_pass") {
        if let Some(t) = target(p.arg(0)) {
            by_target.entry(t).or_default().push(i);
        }
    }
    for (u, up) in cx.named("upstream") {
        if cx.enclosing(u, "http").is_none() {
            continue;
        }
        let name = up.arg(0);
        let uses: Vec<usize> = by_target.get(name).cloned().unwrap_or_default();
        let Some(&first) = uses.first() else { continue };
        if cx.child(Some(u), "keepalive").is_none() {
            let d = out.report(up.span(), format!("upstream \"{name}\" has no keepalive: every proxied request opens a new connection to it"));
            d.labels.push(crate::report::Label { span: cx.item(first).span(), message: "proxied to here".into() });
            d.help = Some("add `keepalive 16;` (or more) to the upstream, with `proxy_http_version 1.1;` and `proxy_set_header Connection \"\";` where it is proxied to".into());
            continue;
        }
        for p in uses {
            let block = cx.item(p).parent();
            let v11 = cx.inherited(block, "proxy_http_version").is_some_and(|v| cx.item(v).arg(0) != "1.0");
            let (_, headers) = cx.effective_one(block, "proxy_set_header");
            let conn = headers.iter().any(|&h| cx.item(h).arg(0).eq_ignore_ascii_case("connection"));
            if v11 && conn {
                continue;
            }
            let missing = match (v11, conn) {
                (false, false) => "proxy_http_version 1.1 and proxy_set_header Connection \"\"",
                (false, true) => "proxy_http_version 1.1",
                _ => "proxy_set_header Connection \"\"",
            };
            let d = out.report(
                cx.item(p).span(),
                format!("upstream \"{name}\" has keepalive, but this proxy_pass lacks {missing}: nginx sends HTTP/1.0 or \"Connection: close\", so no connection is reused"),
            );
            d.labels.push(crate::report::Label { span: up.span(), message: "keepalive upstream".into() });
            d.help = Some(format!("add {missing} here"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    fn conf(upstream: &str, location: &str) -> String {
        format!("events {{}}\nhttp {{\nupstream app {{ server 10.0.0.1:8080; {upstream} }}\nserver {{ listen 80; location / {{ {location} }} }}\n}}\n")
    }

    #[test]
    fn triggers() {
        assert_eq!(findings("PRF004", conf("", "proxy_pass http://app;")).len(), 1);
        let f = findings("PRF004", conf("keepalive 8;", "proxy_pass http://app/x;"));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("proxy_http_version 1.1 and"), "{}", f[0].message);
        assert_eq!(findings("PRF004", conf("keepalive 8;", "proxy_http_version 1.1; proxy_pass http://app;")).len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        let good = "proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_pass http://app;";
        assert!(findings("PRF004", conf("keepalive 8;", good)).is_empty());
        assert!(findings("PRF004", conf("", "proxy_pass http://app:8080;")).is_empty());
        assert!(findings("PRF004", conf("", "fastcgi_pass app;")).is_empty());
        assert!(findings("PRF004", conf("", "proxy_pass http://$app;")).is_empty());
    }
}
