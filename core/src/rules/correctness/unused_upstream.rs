use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// An `upstream` block that no `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `grpc_pass`, ...
    /// (or variable) ever names.
    ///
    /// ## Why
    /// An unreferenced upstream is dead configuration, or a sign that the `*_pass` meant to use
    /// it names a host instead (`proxy_pass http://backend.local` next to `upstream backend`),
    /// losing the balancing, keepalive and failover configured in the block.
    ///
    /// ## Bad
    /// ```nginx
    /// upstream app_servers { server 10.0.0.1:8080; server 10.0.0.2:8080; }
    /// server {
    ///     location / { proxy_pass http://10.0.0.1:8080; }
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// upstream app_servers { server 10.0.0.1:8080; server 10.0.0.2:8080; }
    /// server {
    ///     location / { proxy_pass http://app_servers; }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Point the `*_pass` at the upstream, or delete the block.
    ///
    /// ## Limits
    /// Only on a whole configuration. Any occurrence of the name as a word outside comments
    /// (besides its definition) counts as a use, so names built in variables (`set $b app;`)
    /// are seen; names assembled from pieces are not, and Lua balancers are not followed. Nothing
    /// is reported when some `*_pass` takes its host from a variable (`proxy_pass http://$host;`,
    /// `fastcgi_pass $arg_b;`): any upstream can then be chosen at run time.
    pub(crate) RULE {
        code: "COR005",
        name: "unused-upstream",
        category: Correctness,
        severity: Info,
        whole_config: true,
        check: check,
    }
}

fn name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

fn check(cx: &RuleContext, out: &mut Findings) {
    // A `*_pass` whose host is a variable can pick any upstream at run time.
    let dynamic = cx.named_where(|n| n.ends_with("_pass")).into_iter().any(|i| {
        let target = cx.item(i).arg(0);
        let host = match target.split_once("://") {
            Some((_, rest)) => rest.split('/').next().unwrap_or(""),
            None => target,
        };
        host.contains('$')
    });
    if dynamic {
        return;
    }
    let upstreams = || cx.named("upstream").map(|(_, it)| (it, it.arg(0))).filter(|(it, name)| !name.is_empty() && it.is_block());
    let mut counts: rustc_hash::FxHashMap<&str, usize> = upstreams().map(|(_, name)| (name, 0)).collect();
    super::count_names(cx, &mut counts, name_char);
    for (it, name) in upstreams() {
        // `upstream NAME` itself is one occurrence.
        if counts.get(name).copied().unwrap_or(0) <= 1 {
            out.report(it.span(), format!("upstream \"{name}\" is never used: no *_pass or variable names it"))
                .with_help_mut(format!("use `proxy_pass http://{name};` (or the matching *_pass) where it was meant, or remove the block"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    fn conf(http: &str) -> String {
        format!("events {{}}\nhttp {{\nupstream app_servers {{ server 10.0.0.1:8080; }}\nserver {{ listen 80; {http} }}\n}}\n")
    }

    #[test]
    fn triggers() {
        assert_eq!(findings("COR005", conf("location / { proxy_pass http://10.0.0.1:8080; }")).len(), 1);
        assert_eq!(findings("COR005", conf("location / { proxy_pass http://app_servers.local; }")).len(), 1);
        assert_eq!(findings("COR005", conf("# proxy_pass http://app_servers;")).len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("COR005", conf("location / { proxy_pass http://app_servers; }")).is_empty());
        assert!(findings("COR005", conf("location ~ \\.php$ { fastcgi_pass app_servers; }")).is_empty());
        assert!(findings("COR005", conf("set $b app_servers; location / { proxy_pass http://$b; }")).is_empty());
        assert!(findings("COR005", conf("location / { proxy_pass http://$http_host/x; }")).is_empty());
        assert!(findings("COR005", conf("location / { proxy_pass http:/$uri; }")).is_empty());
    }
}
