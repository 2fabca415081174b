use crate::declare_rule;
use std::borrow::Cow;
use crate::model::variables::{facts, reference_spans};
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// A response header, a redirect `Location` or a request to the upstream is built from a
    /// variable that can hold a line feed: `$uri`, `$document_uri`, or a regex capture of the
    /// decoded URI that allows `\n` (`[^/]+`, `\s`). `%0d%0a` in the request then splits the
    /// header (CRLF injection).
    ///
    /// ## Why
    /// nginx decodes the URI before matching: `/%0d%0aSet-Cookie:%20a=b` makes `$uri` hold a real
    /// CR LF, and `return 302 https://$host$uri;` writes it into the `Location` header as is. The
    /// client (or, for `proxy_set_header`/`proxy_pass`, the upstream) reads an extra header or an
    /// extra response chosen by the attacker: cookies set on the victim, cache poisoning, XSS.
    ///
    /// ## Bad
    /// ```nginx
    /// location / {
    ///     return 302 https://$host$uri;
    /// }
    /// location ~ ^/docs/([^/]+)$ {
    ///     add_header X-Doc $1;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location / {
    ///     return 302 https://$host$request_uri;
    /// }
    /// location ~ ^/docs/([^/\r\n]+)$ {
    ///     add_header X-Doc $1;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Use `$request_uri` (the raw, still-encoded URI) instead of `$uri`/`$document_uri`; write
    /// capture groups that exclude line feeds (`.` already does, `[^/]` does not: use
    /// `[^/\r\n]`).
    ///
    /// ## Limits
    /// Checks `add_header`, `add_trailer`, `more_set_headers`, `proxy_set_header`, `proxy_pass`,
    /// `return` with a URL and redirecting `rewrite`s. Only line feeds count (a lone CR is not a
    /// line break for current HTTP parsers); `.` in PCRE does not match `\n`, so `(.*)` captures
    /// are not reported, nor captures whose line feed can only be their last byte (`(.*[^/])`)
    /// when nothing client-chosen follows. Variables are traced through `set`, `map` and
    /// captures; third-party variables are assumed safe.
    pub(crate) RULE {
        code: "SEC041",
        name: "header-injection",
        category: Security,
        severity: Warning,
        check: check,
    }
}

/// The argument indices of `it` that end up in a header (or in the request line to the upstream).
fn header_args(name: &str, args: &[&str]) -> Cow<'static, [usize]> {
    const FIRST: &[usize] = &[0];
    const SECOND: &[usize] = &[1];
    let none = Cow::Borrowed(&[][..]);
    match name {
        "add_header" | "add_trailer" | "proxy_set_header" => Cow::Borrowed(SECOND),
        "more_set_headers" | "more_set_input_headers" => (0..args.len()).filter(|&i| !args[i].starts_with('-')).collect(),
        "proxy_pass" => Cow::Borrowed(FIRST),
        "return" => match args {
            [code, _] if matches!(*code, "301" | "302" | "303" | "307" | "308") => Cow::Borrowed(SECOND),
            [url] if is_url(url) => Cow::Borrowed(FIRST),
            _ => none,
        },
        "rewrite" => {
            let redirect = args.get(1).is_some_and(|r| is_url(r)) || matches!(args.get(2).copied(), Some("redirect" | "permanent"));
            if redirect {
                Cow::Borrowed(SECOND)
            } else {
                none
            }
        }
        _ => none,
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("$scheme")
}

fn check(cx: &RuleContext, out: &mut Findings) {
    let names = |n: &str| {
        matches!(n, "add_header" | "add_trailer" | "proxy_set_header" | "more_set_headers" | "more_set_input_headers" | "proxy_pass" | "return" | "rewrite")
    };
    for (i, it) in cx.named_where(names).into_iter().map(|i| (i, cx.item(i))) {
        for &k in header_args(it.name, it.args).iter() {
            let Some(v) = it.args.get(k) else { continue };
            // A variable that can hold a line feed followed by client-chosen bytes, or one that
            // may end with a line feed followed by another client-chosen variable.
            let refs: Vec<_> = reference_spans(v.as_bytes()).map(|(_, _, n)| {
                let f = facts(cx, i, n);
                (n, f)
            }).collect();
            let hit = refs.iter().enumerate().find(|(j, (_, f))| {
                f.splits_headers() || (f.newline() && refs[j + 1..].iter().any(|(_, g)| g.attacker_controlled))
            });
            let Some((_, (name, _))) = hit else { continue };
            let name = name.to_string();
            let target = match it.name {
                "proxy_pass" => "the request line sent to the upstream",
                "proxy_set_header" => "a header sent to the upstream",
                "return" | "rewrite" => "the Location header",
                _ => "a response header",
            };
            let help = if name == "uri" || name == "document_uri" {
                "use $request_uri (still URL-encoded) instead".to_string()
            } else if name.as_bytes()[0].is_ascii_digit() || !is_named_var(cx, &name) {
                format!("make the capture behind ${name} exclude line feeds, e.g. [^/\\r\\n] instead of [^/]")
            } else {
                format!("do not put ${name} in headers, or restrict what it can hold")
            };
            let how = match name.as_str() {
                "request_body" => "(it is the request body)",
                "remote_user" => "(decoded from the Authorization header)",
                n if n.as_bytes()[0].is_ascii_digit() => "(a capture that allows \\n, over the decoded URI)",
                _ => "(decoded from %0d%0a in the URI)",
            };
            out.report(it.directive.args[k].span, format!("${name} can contain CR/LF {how} and is written into {target}: header injection"))
            .with_help_mut(help);
        }
    }
}

fn is_named_var(cx: &RuleContext, name: &str) -> bool {
    crate::model::variables::builtin(name).is_some()
        || cx.spec.variable(name).is_some()
        // `set $v` / `map $src $v` items: the context's definitions index.
        || !cx.definitions(&format!("${name}")).is_empty()
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC041", "location / { return 302 https://$host$uri; }").len(), 1);
        assert_eq!(findings("SEC041", "location ~ ^/docs/([^/]+)$ { add_header X-Doc $1; }").len(), 1);
        assert_eq!(findings("SEC041", "location / { rewrite ^/old/(.*)$ https://example.com$document_uri permanent; }").len(), 1);
        assert_eq!(findings("SEC041", "location / { proxy_set_header X-Original $uri; proxy_pass http://b; }").len(), 1);
        assert_eq!(findings("SEC041", "set $u $uri;\nlocation / { return https://example.com$u; }").len(), 1);
        assert_eq!(findings("SEC041", "location ~ ^(.*[^/])$ { return 301 $1$arg_x; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC041", "location / { return 302 https://$host$request_uri; }").is_empty());
        assert!(findings("SEC041", "location ~ ^/docs/(.+)$ { add_header X-Doc $1; }").is_empty());
        assert!(findings("SEC041", "location / { rewrite ^/old/(.*)$ /new$uri last; }").is_empty());
        assert!(findings("SEC041", "location / { return 200 $uri; }").is_empty());
        assert!(findings("SEC041", "location ~ ^/docs/([^/\\r\\n]+)$ { add_header X-Doc $1; }").is_empty());
        // The line feed can only be the capture's last byte: nothing client-chosen follows it.
        assert!(findings("SEC041", "rewrite ^(.*[^/])$ $1/ permanent;").is_empty());
    }
}
