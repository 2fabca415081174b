use crate::declare_rule;
use crate::model::variables::{facts, references, VariableFacts};

use crate::rules::{Findings, RuleContext};
use crate::source::Span;
use rustc_hash::FxHashMap;

declare_rule! {
    /// `proxy_pass` (or `fastcgi_pass`, `grpc_pass`, `uwsgi_pass`, `scgi_pass`) takes its host
    /// from a value the client chooses: a header, an argument, `$host`, or a regex capture of
    /// the URI (server-side request forgery).
    ///
    /// ## Why
    /// With `proxy_pass http://$arg_host;` any client makes nginx connect to any host nginx can
    /// reach: internal services, cloud metadata endpoints (`169.254.169.254`), other upstream
    /// groups by name. The response comes back to the client.
    ///
    /// ## Bad
    /// ```nginx
    /// location /fetch {
    ///     resolver 127.0.0.53;
    ///     proxy_pass http://$arg_host$request_uri;
    /// }
    /// location ~ ^/p/(?<target>[^/]+)/ {
    ///     proxy_pass http://$target;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// map $arg_site $backend {
    ///     default  app1.internal;
    ///     reports  app2.internal;
    /// }
    /// location /fetch {
    ///     proxy_pass http://$backend$request_uri;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Choose the backend through a `map` with fixed values (or an `upstream`), never from the
    /// request itself.
    ///
    /// ## Limits
    /// What a variable holds is traced through `set`, `map` and regex captures (see
    /// `core::model::variables`); variables of third-party modules are assumed safe. A client
    /// chosen name inside a fixed parent domain (`http://$sub.internal`,
    /// `http://$name-svc.ns.cluster.local`, where the variable cannot contain `/`, `?`, `#`, `@`,
    /// `:`, `\` or blanks) is not reported, nor `$host` in a server that is not the default of
    /// its sockets and has only exact names (nginx chose that server by `$host`, so `$host` is
    /// one of those names). Host names need a `resolver` (or an
    /// `upstream` of that name) to be reached; the rule does not check for one.
    pub(crate) RULE {
        code: "SEC040",
        name: "ssrf",
        category: Security,
        severity: Warning,
        check: check,
    }
}

const PASS: &[&str] = &["proxy_pass", "fastcgi_pass", "grpc_pass", "uwsgi_pass", "scgi_pass", "memcached_pass"];

/// Bytes that end a host name or move the request elsewhere.
const DELIMS: &[u8] = b"/?#@:\\ \t";

fn check(cx: &RuleContext, out: &mut Findings) {
    let mut defaults: Option<Defaults> = None;
    for (i, it) in cx.named_where(|n| PASS.contains(&n)).into_iter().map(|i| (i, cx.item(i))) {
        if it.args.is_empty() {
            continue;
        }
        let value = it.arg(0);
        // The host part: after the scheme, up to the path.
        // `proxy_pass $url;`: the whole URL comes from the variable.
        let (start, unix) = match value.find("://") {
            Some(p) => (p + 3, false),
            None if value.starts_with("unix:") => (5, true),
            None => (0, false),
        };
        let refs: Vec<_> = references(value).into_iter().map(|(s, e, n)| {
            let f = facts(cx, i, &n);
            (s, e, n, f)
        }).collect();
        // The host ends at a literal `/` or `?`, or at a variable that starts with `/`.
        let mut host_end = if unix {
            value.len()
        } else {
            value[start..].find(['/', '?']).map(|p| p + start).unwrap_or(value.len())
        };
        if let Some((s, ..)) = refs.iter().find(|(s, _, n, f)| *s > start && (f.leading_slash || n == "is_args")) {
            host_end = host_end.min(*s);
        }
        for (s, e, name, f) in &refs {
            if !f.attacker_controlled || (name == "host" && !catch_all(cx, defaults.get_or_insert_with(|| Defaults::of(cx)), i)) {
                continue;
            }
            if *e + 3 == start && value[..start].ends_with("://") {
                // `$x://host`: a scheme only.
                continue;
            }
            if *s >= host_end {
                continue;
            }
            if !unix && *s >= start && label_only(f, &value[*e..host_end]) {
                continue;
            }
            if unix && !f.can_contain(b'/') && !f.can_contain(b'.') {
                continue;
            }
            let what = if unix { "socket path" } else { "upstream host" };
            out.report(
                it.directive.args[0].span,
                format!("{} takes the {what} from client-controlled ${name}: any client chooses where nginx connects (SSRF)", it.name),
            )
            .with_help_mut(format!("select the backend with a map of fixed values instead of ${name}"));
            break;
        }
    }
}

/// Which server each server block is, and the default (first) server of each socket: worked out
/// once, since asking every server for each `$host` proxy is quadratic.
struct Defaults {
    /// Server span -> its index (the first server with that span).
    index: FxHashMap<Span, usize>,
    /// Socket -> the first server listening on it.
    first_on: FxHashMap<String, usize>,
}

impl Defaults {
    fn of(cx: &RuleContext) -> Defaults {
        let mut d = Defaults { index: Default::default(), first_on: Default::default() };
        for (k, x) in cx.model.servers.iter().enumerate() {
            d.index.entry(x.span).or_insert(k);
            for sock in sockets(x) {
                d.first_on.entry(sock).or_insert(k);
            }
        }
        d
    }
}

fn sockets(x: &crate::model::Server) -> Vec<String> {
    if x.listens.is_empty() {
        vec!["0.0.0.0:80".to_string()]
    } else {
        x.listens.iter().map(|l| l.socket()).collect()
    }
}

/// The server around item `i` can receive any `Host`: it is the default server of one of its
/// sockets, or has wildcard or regex names. Elsewhere `$host` is one of the server's names.
fn catch_all(cx: &RuleContext, defaults: &Defaults, i: usize) -> bool {
    use crate::model::ServerName;
    let Some(srv) = cx.enclosing(i, "server") else { return true };
    let Some(&me) = defaults.index.get(&cx.item(srv).span()) else { return true };
    let s = &cx.model.servers[me];
    if s.names.iter().any(|n| !matches!(n, ServerName::Exact(_))) || s.listens.iter().any(|l| l.default_server) {
        return true;
    }
    // The first server on one of its sockets is that socket's default.
    sockets(s).iter().any(|sock| defaults.first_on.get(sock) == Some(&me))
}

/// The variable is followed by a fixed parent domain (`$sub.internal`, `$name-svc.ns.cluster.local`)
/// and cannot hold a byte that ends the host: the client only picks a name inside that domain.
fn label_only(f: &VariableFacts, after: &str) -> bool {
    let domain = after.split(':').next().unwrap_or("");
    domain.contains('.') && !domain.ends_with('.') && !after.contains('$') && !DELIMS.iter().any(|&b| f.can_contain(b))
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC040", "location / { proxy_pass http://$arg_host; }").len(), 1);
        assert_eq!(findings("SEC040", "location / { proxy_pass $scheme://$http_x_backend$request_uri; }").len(), 1);
        assert_eq!(findings("SEC040", "location ~ ^/p/([^/]+)/ { proxy_pass http://$1; }").len(), 1);
        assert_eq!(findings("SEC040", "location / { proxy_pass $arg_url; }").len(), 1);
        assert_eq!(findings("SEC040", "location / { resolver 127.0.0.53; proxy_pass http://$host$request_uri; }").len(), 1);
        assert_eq!(findings("SEC040", "location / { fastcgi_pass unix:/run/php/$arg_v.sock; }").len(), 1);
        let via_map = "events {}\nhttp { map $http_x $be { default a; ~^(.+)$ $1; }\nserver { location / { proxy_pass http://$be; } } }";
        assert_eq!(findings("SEC040", via_map).len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC040", "location / { proxy_pass http://backend$request_uri; }").is_empty());
        assert!(findings("SEC040", "location / { proxy_pass $scheme://backend/$arg_x; }").is_empty());
        let fixed_map = "events {}\nhttp { map $http_x $be { default a.internal; b b.internal; }\nserver { location / { proxy_pass http://$be; } } }";
        assert!(findings("SEC040", fixed_map).is_empty());
        assert!(findings("SEC040", "location ~ ^/(en|de)/ { proxy_pass http://app-$1; }").is_empty());
        assert!(findings("SEC040", "server_name ~^(?<sub>[a-z0-9-]+)\\.example\\.com$;\nlocation / { proxy_pass http://$sub.internal; }").is_empty());
        assert!(findings("SEC040", "location / { proxy_pass http://$server_name; }").is_empty());
        // $host of a server that is not its socket's default is one of its names.
        let named = "events {}\nhttp { server { listen 80; return 404; }\nserver { listen 80; server_name a.example.com; location / { proxy_pass http://$host:8080; } } }";
        assert!(findings("SEC040", named).is_empty());
        assert!(findings("SEC040", "location ~ ^/api(/.*)$ { proxy_pass http://backend$1; }").is_empty());
        assert!(findings("SEC040", "location / { proxy_pass http://backend$is_args$args; }").is_empty());
        assert!(findings("SEC040", "location ~ ^/(?<s>[a-z]+)/(.*)$ { proxy_pass http://$s-svc.ns.svc.cluster.local/$2; }").is_empty());
    }
}
