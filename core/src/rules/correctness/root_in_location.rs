use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// `root` is set only inside `location /`: every other location of the server (`~ \.php$`,
    /// `= /favicon.ico`, `/static/`...) falls back to the default root, `html` under nginx's
    /// prefix.
    ///
    /// ## Why
    /// `root` is inherited downwards, never sideways: a sibling location does not see the root of
    /// `location /`. PHP locations then get a `$document_root` of `/usr/share/nginx/html` (or
    /// `/etc/nginx/html`) and answer "File not found", static locations 404, or worse, serve the
    /// distribution's default files.
    ///
    /// ## Bad
    /// ```nginx
    /// server {
    ///     location / {
    ///         root /var/www/app;
    ///     }
    ///     location ~ \.php$ {
    ///         fastcgi_pass unix:/run/php-fpm.sock;
    ///         fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    ///     }
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// server {
    ///     root /var/www/app;
    ///     location / { }
    ///     location ~ \.php$ {
    ///         fastcgi_pass unix:/run/php-fpm.sock;
    ///         fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    ///     }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Move `root` from `location /` to the server block.
    ///
    /// ## Limits
    /// Reported only when the server (and http) sets no root and a sibling location sets neither
    /// `root` nor `alias` and does not answer otherwise (any `*_pass` but `fastcgi_pass`,
    /// `return`, `rewrite`, `deny all`, `stub_status`, `content_by_lua*`, `js_content`...). Locations
    /// that really mean the default root are reported too.
    pub(crate) RULE {
        code: "COR001",
        name: "root-in-location",
        category: Correctness,
        severity: Info,
        check: check,
    }
}

/// Directives that answer the request without the root (any `*_pass` except `fastcgi_pass`,
/// which reads `$document_root`), or give the location its own.
const ELSEWHERE: &[&str] = &["return", "rewrite", "root", "alias", "stub_status", "empty_gif", "js_content", "perl", "rtmp_stat", "api", "status"];

fn answers_elsewhere(name: &str) -> bool {
    ELSEWHERE.contains(&name) || (name.ends_with("_pass") && name != "fastcgi_pass") || name.starts_with("content_by_lua")
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (s, _) in cx.named("server") {
        let in_http = cx.item(s).parent.is_some_and(|p| cx.item(p).name == "http");
        if !in_http || cx.inherited(Some(s), "root").is_some() {
            continue;
        }
        let locations: Vec<usize> = cx.children(Some(s)).iter().copied().filter(|&c| cx.item(c).name == "location").collect();
        let Some(&slash) = locations.iter().find(|&&l| cx.item(l).args == ["/"]) else { continue };
        let Some(root) = cx.child(Some(slash), "root") else { continue };
        let falls_back = locations.iter().copied().find(|&l| {
            let it = cx.item(l);
            if l == slash || it.arg(0).starts_with('@') {
                return false;
            }
            let kids = cx.children(Some(l));
            let denied = kids.iter().any(|&k| cx.item(k).name == "deny" && cx.item(k).arg(0) == "all");
            !denied && !kids.iter().any(|&k| answers_elsewhere(&cx.item(k).name))
        });
        let Some(other) = falls_back else { continue };
        let label = format!("location {}", cx.item(other).args.join(" "));
        let d = out.report(
            cx.item(root).span(),
            format!("root \"{}\" is set only in `location /`: `{label}` and other sibling locations use the default root (html under nginx's prefix)", cx.item(root).arg(0)),
        );
        d.labels.push(crate::report::Label { span: cx.item(other).span(), message: "uses the default root".into() });
        d.help = Some("move `root` to the server block".into());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let php = "location / { root /var/www; }\nlocation ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }";
        assert_eq!(findings("COR001", php).len(), 1);
        assert_eq!(findings("COR001", "location / { root /srv; index index.html; }\nlocation = /favicon.ico { access_log off; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("COR001", "root /var/www;\nlocation / { root /var/www/app; }\nlocation ~ \\.php$ { }").is_empty());
        assert!(findings("COR001", "location / { root /var/www; }\nlocation /api/ { proxy_pass http://a; }").is_empty());
        assert!(findings("COR001", "location / { root /var/www; }\nlocation /img/ { alias /data/img/; }\nlocation ~ /\\.ht { deny all; }").is_empty());
        assert!(findings("COR001", "location / { root /var/www; }").is_empty());
        assert!(findings("COR001", "location / { root /var/www; }\nlocation /x { uwsgi_pass u; }").is_empty());
    }
}
