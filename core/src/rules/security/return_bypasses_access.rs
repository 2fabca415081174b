use super::{access_guard, directive_text, level_label};
use crate::declare_rule;
use crate::report::Label;
use crate::rules::{Findings, RuleContext};
use crate::spec::Context;
use rustc_hash::FxHashMap;

declare_rule! {
    /// A `return` answers requests in a block that is protected by `allow`/`deny`, `auth_basic`
    /// or `auth_request`: `return` runs in the rewrite phase, before the access phase, so the
    /// protection never applies.
    ///
    /// ## Why
    /// nginx processes a request in phases: rewrite (`return`, `rewrite`, `set`, `if`) comes
    /// before access (`allow`/`deny`, `auth_basic`, `auth_request`). A `return 200 ...` or a
    /// redirect in a location guarded by `deny all` is answered to everyone. A `return` directly
    /// in a `server` answers before any location is chosen, bypassing the access rules of every
    /// location of that server.
    ///
    /// ## Bad
    /// ```nginx
    /// location /admin/ {
    ///     allow 10.0.0.0/8;
    ///     deny all;
    ///     return 200 "secret";
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location /admin/ {
    ///     allow 10.0.0.0/8;
    ///     deny all;
    ///     try_files /admin.html =404;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Produce the response in the content phase (a file, `proxy_pass`, ...) so access checks
    /// run first, or decide access in the rewrite phase too (a `geo`/`map` variable and
    /// `if ($denied) { return 403; }` before the `return`).
    ///
    /// ## Limits
    /// Only unconditional `return` directly in a `location` or `server`; a `return` of an error
    /// status (4xx/5xx, 444) is not reported (it refuses anyway). `rewrite ... redirect` and
    /// returns inside `if` are not looked at.
    pub(crate) RULE {
        code: "SEC011",
        name: "return-bypasses-access",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    // The guard depends only on the block: a server with many returns scans its locations once.
    let mut guards: FxHashMap<usize, Option<usize>> = Default::default();
    for (i, it) in cx.named("return") {
        let Some(p) = it.parent() else { continue };
        if !matches!(it.ctx, Some(Context::Server | Context::Location)) {
            continue;
        }
        if it.arg(0).parse::<u32>().is_ok_and(|c| c >= 400) {
            continue;
        }
        // The guard at this level, or (for a server-level return) inside any of its locations.
        let guard = *guards.entry(p).or_insert_with(|| {
            let guard = access_guard(cx, p);
            if guard.is_none() && cx.item(p).name == "server" {
                return cx.descendants(p).into_iter().find_map(|j| (cx.item(j).name == "location").then(|| access_guard(cx, j)).flatten());
            }
            guard
        });
        let Some(g) = guard else { continue };
        let gl = level_label(cx, cx.item(g).parent());
        let d = out.report(
            it.span(),
            format!(
                "`{}` in {} runs in the rewrite phase, before access checks: `{}` ({gl}) never applies to it",
                directive_text(cx, i),
                level_label(cx, Some(p)),
                directive_text(cx, g)
            ),
        );
        d.labels.push(Label { span: cx.item(g).span(), message: "bypassed by the return".into() });
        d.help = Some("serve the response in the content phase (a file, proxy_pass) or check access in the rewrite phase first (geo/map + `if ($denied) { return 403; }`)".into());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC011", "location /admin/ { allow 10.0.0.0/8; deny all; return 200 \"secret\"; }").len(), 1);
        assert_eq!(findings("SEC011", "auth_basic \"staff\"; auth_basic_user_file /etc/htpasswd;\nlocation = /x { return 302 https://example.com/; }").len(), 1);
        assert_eq!(findings("SEC011", "return 301 https://$host$request_uri;\nlocation /a { deny all; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC011", "location ~ /\\.git { deny all; return 404; }").is_empty());
        assert!(findings("SEC011", "location /admin/ { deny all; }\nlocation / { return 200 ok; }").is_empty());
        assert!(findings("SEC011", "location /a { auth_basic off; return 200 ok; }").is_empty());
        assert!(findings("SEC011", "location /a { allow 10.0.0.1; if ($x) { return 200 ok; } }").is_empty());
        // internal is checked before the rewrite phase
        assert!(findings("SEC011", "location @login { internal; return 302 /login; }").is_empty());
    }
}
