use crate::declare_rule;
use crate::rules::{Findings, RuleContext};
use crate::syntax::ascii_lowercase;
use std::borrow::Cow;

const PASSES: &[&str] = &["proxy_pass", "grpc_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "memcached_pass"];

/// The host of a `*_pass` target when it is a literal hostname (not an IP, not unix:, no
/// variables); with whether a port was given.
fn hostname(target: &str) -> Option<(Cow<'_, str>, bool)> {
    if target.contains('$') {
        return None;
    }
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    if rest.starts_with("unix:") || rest.starts_with('[') {
        return None;
    }
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, _)) => (h, true),
        None => (authority, false),
    };
    let host = ascii_lowercase(Cow::Borrowed(host));
    if host.is_empty() || host == "localhost" || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    Some((host, port))
}

declare_rule! {
    /// `proxy_pass` (or `fastcgi_pass`, `grpc_pass`, ...) names a backend by hostname: nginx
    /// resolves it once, at startup, and keeps using those addresses until it is reloaded.
    ///
    /// ## Why
    /// Backends behind DNS (cloud load balancers, containers, services that fail over) change
    /// addresses. nginx keeps sending traffic to the old address, which fails or, worse, now
    /// belongs to someone else. If the name does not resolve when nginx starts, nginx refuses to
    /// start.
    ///
    /// ## Bad
    /// ```nginx
    /// location / {
    ///     proxy_pass https://api.example.com;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// resolver 127.0.0.53 valid=30s;
    /// upstream api {
    ///     zone api 64k;
    ///     server api.example.com:443 resolve;
    /// }
    /// server {
    ///     location / {
    ///         proxy_pass https://api;
    ///     }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Use an `upstream` with `server ... resolve` (nginx ≥ 1.27.3, needs `resolver` and a
    /// `zone`), or put the name in a variable (`set $api api.example.com; proxy_pass
    /// https://$api;`) with a `resolver`, so nginx re-resolves it as the TTL expires.
    ///
    /// ## Limits
    /// Names of `upstream` blocks are not hostnames and are skipped; in a partial configuration
    /// (a snippet or missing includes) a name without a dot and port may be an upstream defined
    /// elsewhere and is skipped too. `localhost` and IP addresses are fine.
    pub(crate) RULE {
        code: "SEC014",
        name: "stale-dns",
        category: Availability,
        severity: Info,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    let upstreams: rustc_hash::FxHashSet<Cow<str>> = cx.named("upstream").map(|(_, u)| ascii_lowercase(Cow::Borrowed(u.arg(0)))).collect();
    for it in cx.named_where(|n| PASSES.contains(&n)).into_iter().map(|i| cx.item(i)) {
        let Some((host, port)) = hostname(it.arg(0)) else { continue };
        if upstreams.contains(&host) || (!cx.whole && !port && !host.contains('.')) {
            continue;
        }
        out.report(
            it.span(),
            format!("{} to hostname \"{host}\" is resolved once at startup: later address changes are never seen", it.name),
        )
        .with_help_mut(format!(
            "use an upstream with `server {host}{} resolve;` (and a resolver), or a variable with a resolver so the name is re-resolved",
            if port { ":<port>" } else { "" }
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC014", "location / { proxy_pass https://api.example.com/v1/; }").len(), 1);
        assert_eq!(findings("SEC014", "location ~ \\.php$ { fastcgi_pass php-fpm.internal:9000; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC014", "events {}\nhttp { upstream app { server 10.0.0.1; } server { location / { proxy_pass http://app; } } }").is_empty());
        assert!(findings("SEC014", "location / { set $b api.example.com; proxy_pass https://$b; }").is_empty());
        assert!(findings("SEC014", "location / { proxy_pass http://127.0.0.1:8080; }").is_empty());
        assert!(findings("SEC014", "location / { proxy_pass http://localhost:3000; fastcgi_pass unix:/run/php.sock; }").is_empty());
    }
}
