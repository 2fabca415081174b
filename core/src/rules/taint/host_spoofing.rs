use crate::declare_rule;
use crate::model::variables::reference_spans;
use crate::rules::{Edit, Findings, Fix, RuleContext};

declare_rule! {
    /// A redirect or a response header uses `$http_host` (the raw `Host` header) where `$host`
    /// belongs: the client, not the matched server, decides the host of the redirect.
    ///
    /// ## Why
    /// `$http_host` is whatever the client sent: with an absolute request line
    /// (`GET http://example.com/ HTTP/1.1`) nginx picks the server by `example.com` while
    /// `Host: evil.net` still fills `$http_host`, so `return 301 https://$http_host$request_uri;`
    /// redirects to the attacker's site (and poisons caches in front). It also carries the port:
    /// an http-to-https redirect built from it keeps `:80`. `$host` is the host nginx used to
    /// choose the server, lowercased, without the port, and falls back to `server_name`.
    ///
    /// ## Bad
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     return 301 https://$http_host$request_uri;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     return 301 https://$host$request_uri;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Replace `$http_host` with `$host` (unsafe fix: redirects lose a non-default port the client
    /// sent; use `$host:$server_port` where the port matters).
    ///
    /// ## Limits
    /// Checks `return` with a URL, redirecting `rewrite`s and `add_header` values.
    /// `proxy_set_header Host $http_host` is deliberately not reported: passing the client's
    /// `Host` (with its port) to the application is a common, intended setup, and nginx has
    /// already validated the header's syntax; only the absolute-request-line mismatch remains,
    /// which the application must handle with its own allowed-hosts list.
    pub(crate) RULE {
        code: "SEC044",
        name: "host-spoofing",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn target_arg(name: &str, args: &[&str]) -> Option<usize> {
    let is_url = |s: &str| s.starts_with("http://") || s.starts_with("https://") || s.starts_with("$scheme://") || s.starts_with("//") || s.starts_with("$http_host");
    match (name, args) {
        ("return", [code, url]) if matches!(&**code, "301" | "302" | "303" | "307" | "308") => Some(1).filter(|_| !url.starts_with('/') || url.starts_with("//")),
        ("return", [url]) if is_url(url) => Some(0),
        ("rewrite", [_, repl, ..]) if is_url(repl) || matches!(args.get(2).map(|a| &**a), Some("redirect" | "permanent")) => Some(1),
        ("add_header", [_, _, ..]) => Some(1),
        _ => None,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for it in cx.named_where(|n| matches!(n, "return" | "rewrite" | "add_header")).into_iter().map(|i| cx.item(i)) {
        let Some(k) = target_arg(it.name, it.args) else { continue };
        let v = &it.args[k];
        if !reference_spans(v.as_bytes()).any(|(_, _, n)| n == "http_host") {
            continue;
        }
        let word = it.directive.args[k];
        let what = if it.name == "add_header" { "a response header" } else { "a redirect" };
        let d = out.report(word.span, format!("{what} uses $http_host, the raw Host header the client chose: use $host"));
        d.help = Some("$host is the host nginx matched (lowercase, no port, falls back to server_name)".into());
        // A fix when the raw text spells `$http_host` plainly.
        // Offsets are found in the raw bytes: a lossy decoding would shift them past bad bytes.
        let raw = word.raw(cx_src(cx, it));
        if memchr::memmem::find(raw, b"${http_host}").is_none() {
            let mut edits = Vec::new();
            for off in memchr::memmem::find_iter(raw, b"$http_host") {
                let next = raw.get(off + 10);
                if next.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    continue;
                }
                let start = word.span.start as usize + off;
                edits.push(Edit { span: crate::source::Span::new(word.span.file, start, start + 10), replacement: "$host".into() });
            }
            if !edits.is_empty() {
                d.fix = Some(Fix { message: "use $host".into(), safe: false, edits });
            }
        }
    }
}

fn cx_src<'a>(cx: &RuleContext<'a>, it: &crate::rules::Item<'a>) -> &'a [u8] {
    cx.files.bytes(cx.config.docs[it.doc()].file)
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("SEC044", "return 301 https://$http_host$request_uri;");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].fix.as_ref().unwrap().edits[0].replacement, "$host");
        assert_eq!(findings("SEC044", "location / { rewrite ^/old/(.*)$ https://$http_host/new/$1 permanent; }").len(), 1);
        assert_eq!(findings("SEC044", "location / { add_header Link \"<https://$http_host/>; rel=canonical\"; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC044", "return 301 https://$host$request_uri;").is_empty());
        assert!(findings("SEC044", "location / { proxy_set_header Host $http_host; proxy_pass http://app; }").is_empty());
        assert!(findings("SEC044", "location / { return 200 $http_host; }").is_empty());
        assert!(findings("SEC044", "location / { add_header X-Host $http_host_x; }").is_empty());
    }
}
