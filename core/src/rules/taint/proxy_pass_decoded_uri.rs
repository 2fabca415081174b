use crate::declare_rule;
use crate::model::variables::{facts, references};
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// `proxy_pass` builds the upstream URI from the decoded request URI (`$uri`, or a capture of
    /// a location/rewrite regex): with variables nginx sends it as is, without escaping it again,
    /// so `%3F`, `%23`, `%25` and `%20` reach the upstream as `?`, `#`, `%` and a space.
    ///
    /// ## Why
    /// nginx matches locations on the decoded URI. `location ~ ^/api/(.*)$ { proxy_pass
    /// http://backend/$1; }` turns `/api/files%3Fadmin=1` into the upstream request
    /// `/files?admin=1` (query injection), `/api/a%2541` into `/a%41` (the upstream decodes it a
    /// second time: filters on the decoded path are bypassed), and `/api/a%20b` into a request
    /// line with a space in it. nginx and the upstream then disagree about the path.
    ///
    /// ## Bad
    /// ```nginx
    /// location ~ ^/api/(.*)$ {
    ///     proxy_pass http://backend/$1;
    /// }
    /// location /app/ {
    ///     proxy_pass http://backend$uri;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location /api/ {
    ///     proxy_pass http://backend/;
    /// }
    /// location /app/ {
    ///     proxy_pass http://backend$request_uri;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Drop the variables: `proxy_pass http://backend/;` in a prefix location replaces the prefix
    /// and escapes the result; or pass the raw `$request_uri`; or strip a prefix with
    /// `rewrite ^/api(/.*)$ $1 break;` and a `proxy_pass` without URI (nginx escapes a rewritten
    /// URI).
    ///
    /// ## Limits
    /// Reported when a variable after the host can hold client-chosen decoded URI bytes among
    /// `?`, `#`, `%` or a space; captures restricted to safe bytes (`([0-9]+)`, `([\w-]+)`) are
    /// not. `grpc_pass` and the FastCGI/uwsgi/SCGI parameters are not judged.
    pub(crate) RULE {
        code: "SEC046",
        name: "proxy-pass-decoded-uri",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (i, it) in cx.named("proxy_pass") {
        let value = it.arg(0);
        let Some(scheme_end) = value.find("://") else { continue };
        let refs: Vec<_> = references(value).into_iter().map(|(s, e, n)| {
            let f = facts(cx, i, &n);
            (s, e, n, f)
        }).collect();
        // The URI part starts at the first literal `/` after the host, or at a variable that starts
        // with `/`.
        let host_start = scheme_end + 3;
        let mut uri_start = value[host_start..].find('/').map(|p| p + host_start).unwrap_or(value.len());
        if let Some((s, ..)) = refs.iter().find(|(s, _, _, f)| *s >= host_start && f.leading_slash) {
            uri_start = uri_start.min(*s);
        }
        let hit = refs.iter().find(|(s, _, _, f)| {
            *s >= uri_start && f.attacker_controlled && f.decoded && [b'?', b'#', b'%', b' '].iter().any(|&b| f.bytes.contains(b))
        });
        let Some((_, _, name, _)) = hit else { continue };
        let help = if name == "uri" || name == "document_uri" {
            "use $request_uri (still escaped) instead".to_string()
        } else {
            format!("do not build the upstream URI from ${name}: use `proxy_pass http://host/;` in a prefix location, or `rewrite ... break;` and proxy_pass without a URI")
        };
        out.report(
            it.directive.args[0].span,
            format!("proxy_pass sends ${name} (the decoded URI) to the upstream without escaping it again: %3F becomes ?, %25 becomes %"),
        )
        .with_help_mut(help);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC046", "location ~ ^/api/(.*)$ { proxy_pass http://backend/$1; }").len(), 1);
        assert_eq!(findings("SEC046", "location /app/ { proxy_pass http://backend$uri; }").len(), 1);
        assert_eq!(findings("SEC046", "location ~ ^/api/(?<rest>.*)$ { proxy_pass http://backend/v1/$rest$is_args$args; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC046", "location /api/ { proxy_pass http://backend/; }").is_empty());
        assert!(findings("SEC046", "location /app/ { proxy_pass http://backend$request_uri; }").is_empty());
        assert!(findings("SEC046", "location ~ ^/item/([0-9]+)$ { proxy_pass http://backend/items/$1; }").is_empty());
        assert!(findings("SEC046", "location / { proxy_pass http://backend$is_args$args; }").is_empty());
        assert!(findings("SEC046", "location / { set $be backend; proxy_pass http://$be; }").is_empty());
    }
}
