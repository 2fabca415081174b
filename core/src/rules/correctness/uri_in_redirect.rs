use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};

declare_rule! {
    /// A redirect target built from `$uri` or `$document_uri`: those are the decoded, normalised
    /// path, so the query string is lost (with `return`) and `%0D%0A` in the request becomes a
    /// line break in the `Location` header.
    ///
    /// ## Why
    /// `$uri` is what nginx matched locations against: `%XX` escapes decoded, `..` resolved, no
    /// query string. `return 301 https://$host$uri;` drops `?page=2`, and a request for
    /// `/%0D%0ASet-Cookie:%20a=b` injects a header into the redirect (HTTP response splitting).
    /// `$request_uri` is the path and query exactly as the client sent them.
    ///
    /// ## Bad
    /// ```nginx
    /// return 301 https://$host$uri;
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// return 301 https://$host$request_uri;
    /// ```
    ///
    /// ## Fix
    /// Use `$request_uri` (unsafe fix: after a `rewrite`, `$request_uri` is still the original
    /// path). Offered for `return` when `$uri` ends the target or is followed by
    /// `$is_args$args`; not for `rewrite`, whose redirects often normalise the path on purpose.
    ///
    /// ## Limits
    /// Judged: `return 301/302/303/307/308 URL`, `return URL`, and `rewrite` with `redirect`,
    /// `permanent` or an absolute replacement (rewrite keeps the query string itself, so only
    /// the decoding applies there). Variables set from `$uri` are not followed.
    pub(crate) RULE {
        code: "COR003",
        name: "uri-in-redirect",
        category: Correctness,
        severity: Warning,
        check: check,
    }
}

fn word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `$uri`/`$document_uri` (or `${...}`) used in `s`.
fn uses_uri(s: &str) -> Option<&'static str> {
    if !s.contains('$') {
        return None;
    }
    for (plain, braced) in [("$uri", "${uri}"), ("$document_uri", "${document_uri}")] {
        let hit = s.match_indices(plain).any(|(i, _)| !s[i + plain.len()..].chars().next().is_some_and(word));
        if hit || s.contains(braced) {
            return Some(plain);
        }
    }
    None
}

fn absolute(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("$scheme")
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (i, it) in cx.named_where(|n| matches!(n, "return" | "rewrite")).into_iter().map(|i| (i, cx.item(i))) {
        let (target, rewrite) = match (it.name, it.args.len()) {
            ("return", 2) if matches!(it.arg(0), "301" | "302" | "303" | "307" | "308") => (1, false),
            ("return", 1) if absolute(it.arg(0)) => (0, false),
            ("rewrite", 2..) if absolute(it.arg(1)) || matches!(it.arg(2), "redirect" | "permanent") => (1, true),
            _ => continue,
        };
        let Some(var) = uses_uri(it.arg(target)) else { continue };
        let what = if rewrite {
            format!("{var} in a rewrite redirect is the decoded path: %0D%0A in the request becomes a line break in the Location header")
        } else {
            format!("{var} in a redirect target is the decoded path without the query string: the query is lost and %0D%0A becomes a line break in the Location header")
        };
        let d = out.report(it.span(), what);
        d.help = Some("use $request_uri (the path and query as the client sent them)".into());
        let w = &it.directive.args[target];
        // No fix for text that is not UTF-8: the replacement would rewrite its other bytes.
        let raw = std::str::from_utf8(&cx.src(i)[w.span.range()]).ok();
        // Not for rewrite: those redirects often normalise the path on purpose (merging slashes).
        let fixed = if let (false, Some(raw)) = (rewrite, raw) { fix_text(raw) } else { None };
        if let Some(fixed) = fixed {
            d.fix = Some(Fix { message: "use $request_uri".into(), safe: false, edits: vec![Edit { span: w.span, replacement: fixed }] });
        }
    }
}

/// The redirect target with `$uri` (ending it) or `$uri$is_args$args` spelled `$request_uri`.
fn fix_text(raw: &str) -> Option<String> {
    if raw.contains("$uri$is_args$args") {
        Some(raw.replacen("$uri$is_args$args", "$request_uri", 1))
    } else {
        let body = raw.trim_end_matches(['"', '\'']);
        body.strip_suffix("$uri").map(|head| format!("{head}$request_uri{}", &raw[body.len()..]))
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("COR003", "return 301 https://$host$uri;");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].fix.as_ref().unwrap().edits[0].replacement, "https://$host$request_uri");
        assert_eq!(findings("COR003", "location /old/ { return 302 \"https://example.com${uri}\"; }").len(), 1);
        assert_eq!(findings("COR003", "rewrite ^ https://example.com$document_uri permanent;").len(), 1);
        assert!(findings("COR003", "rewrite ^ $scheme://$host$uri$is_args$args? permanent;")[0].fix.is_none());
        let f = findings("COR003", "return https://$host$uri$is_args$args;");
        assert_eq!(f[0].fix.as_ref().unwrap().edits[0].replacement, "https://$host$request_uri");
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("COR003", "return 301 https://$host$request_uri;").is_empty());
        assert!(findings("COR003", "return 200 \"$uri\";").is_empty());
        assert!(findings("COR003", "rewrite ^ /index.php?q=$uri last;").is_empty());
        assert!(findings("COR003", "return 301 https://$host$uri_prefix;").is_empty());
    }
}
