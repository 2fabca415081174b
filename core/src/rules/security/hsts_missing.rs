use super::level_label;
use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};
use crate::spec::Context;

/// Half a year, the minimum max-age HSTS preload lists and scanners accept.
const MIN_MAX_AGE: u64 = 15_768_000;

/// The HSTS value of a header directive, if it sets Strict-Transport-Security.
fn hsts_value<'a>(cx: &RuleContext<'a>, i: usize) -> Option<&'a str> {
    let it = cx.item(i);
    match it.name {
        "add_header" if it.arg(0).eq_ignore_ascii_case("strict-transport-security") => Some(it.arg(1)),
        "more_set_headers" => it.args.iter().find_map(|a| {
            let (n, v) = a.split_once(':')?;
            n.trim().eq_ignore_ascii_case("strict-transport-security").then(|| v.trim())
        }),
        _ => None,
    }
}

fn max_age(value: &str) -> Option<u64> {
    value
        .split(';')
        .find_map(|p| {
            let p = p.trim();
            let v = p.get(..8).filter(|k| k.eq_ignore_ascii_case("max-age=")).map(|_| &p[8..])?;
            Some(v.trim_matches('"').parse().ok())
        })
        .flatten()
}

declare_rule! {
    /// A TLS server (`listen ... ssl`/`quic`) sends no `Strict-Transport-Security` header, or one
    /// with a `max-age` under six months (15768000 seconds).
    ///
    /// ## Why
    /// Without HSTS, a browser that types the bare domain or follows an `http://` link starts in
    /// plain HTTP, where an attacker on the network can strip the redirect to HTTPS. HSTS makes
    /// browsers use HTTPS only, for `max-age` seconds; short values lapse between visits.
    ///
    /// ## Bad
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     server_name example.com;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     server_name example.com;
    ///     add_header Strict-Transport-Security "max-age=63072000" always;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add `add_header Strict-Transport-Security "max-age=63072000" always;` (unsafe fix, offered
    /// when the server inherits no other `add_header`: browsers then refuse plain HTTP for two
    /// years, so every subdomain in scope must serve HTTPS).
    ///
    /// ## Limits
    /// The header counts when set in the server's effective `add_header` list or anywhere inside
    /// the server (a location; `more_set_headers` too); headers set by the application behind
    /// `proxy_pass` are not seen. A server whose files include others that were not found is
    /// not judged (the header may be there), nor one with `ssl_reject_handshake on`.
    pub(crate) RULE {
        code: "SEC023",
        name: "hsts-missing",
        category: Security,
        severity: Info,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (s, it) in cx.named("server") {
        if it.ctx != Some(Context::Http) || !it.is_block() {
            continue;
        }
        let tls = cx.children(Some(s)).iter().any(|&c| {
            let l = cx.item(c);
            (l.name == "listen" && l.args.iter().skip(1).any(|&a| a == "ssl" || a == "quic")) || (l.name == "ssl" && l.arg(0) == "on")
        });
        let rejects = cx.inherited(Some(s), "ssl_reject_handshake").is_some_and(|r| cx.item(r).arg(0) == "on");
        if !tls || rejects || super::opaque(cx, s, true) {
            continue;
        }
        let (_, effective) = cx.effective_one(Some(s), "add_header");
        let inside = cx.descendants(s);
        let hsts: Vec<(usize, &str)> =
            effective.iter().copied().chain(inside).filter_map(|j| hsts_value(cx, j).map(|v| (j, v))).collect();
        let here = level_label(cx, Some(s));
        if hsts.is_empty() {
            let d = out.report(it.span(), format!("TLS {here} sends no Strict-Transport-Security header"));
            d.help = Some("add `add_header Strict-Transport-Security \"max-age=63072000\" always;`".into());
            if effective.is_empty() {
                if let Some(b) = it.directive.block() {
                    let indent = cx.children(Some(s)).first().map(|&c| super::indent_of(cx, c)).unwrap_or_else(|| "    ".into());
                    d.fix = Some(Fix {
                        message: "send HSTS for two years".into(),
                        safe: false,
                        edits: vec![Edit {
                            span: crate::source::Span { start: b.open.end, end: b.open.end, ..b.open },
                            replacement: format!("\n{indent}add_header Strict-Transport-Security \"max-age=63072000\" always;"),
                        }],
                    });
                }
            }
            continue;
        }
        for (j, v) in hsts {
            if let Some(age) = max_age(v).filter(|&a| a < MIN_MAX_AGE) {
                out.report(cx.item(j).span(), format!("Strict-Transport-Security max-age={age} in {here} is under six months ({MIN_MAX_AGE} s)"))
                    .with_help_mut("use max-age=63072000 (two years)");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("SEC023", "events {}\nhttp {\nserver { listen 443 ssl; server_name example.com; }\n}\n");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("server example.com"));
        assert!(f[0].fix.is_some());
        let f = findings("SEC023", "events {}\nhttp {\nserver { listen 443 ssl; add_header Strict-Transport-Security \"max-age=3600\"; }\n}\n");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("max-age=3600"));
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC023", "events {}\nhttp {\nadd_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;\nserver { listen 443 ssl; }\n}\n").is_empty());
        assert!(findings("SEC023", "events {}\nhttp {\nserver { listen 80; }\n}\n").is_empty());
        assert!(findings("SEC023", "events {}\nhttp {\nserver { listen 443 ssl default_server; ssl_reject_handshake on; }\n}\n").is_empty());
        assert!(findings("SEC023", "events {}\nhttp {\nserver { listen 443 ssl; include /nonexistent/headers.conf; }\n}\n").is_empty());
        assert!(findings("SEC023", "events {}\nhttp {\nserver { listen 443 ssl; location / { add_header Strict-Transport-Security \"max-age=31536000\"; } }\n}\n").is_empty());
    }
}

#[cfg(test)]
mod robustness {
    use crate::rules::tests::findings;

    #[test]
    fn a_listen_without_arguments_does_not_panic() {
        // Invalid (nginx: invalid number of arguments), but rules still run on it.
        assert!(findings("SEC023", "events {}\nhttp { server { listen; } }\n").is_empty());
    }
}
