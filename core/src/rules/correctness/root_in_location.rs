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
    /// Reported only when the server (and http) sets no root and a sibling location holds only
    /// directives of file serving (`try_files`, `index`, `fastcgi_*`, `expires`, headers, logs,
    /// access checks other than `deny all`...): a location with any other directive (a
    /// `*_pass`, `return`, `rewrite`, its own `root`/`alias`, a third-party handler) is assumed not
    /// to need the root. Locations that really mean the default root are reported too.
    pub(crate) RULE {
        code: "COR001",
        name: "root-in-location",
        category: Correctness,
        severity: Info,
        check: check,
    }
}

/// Directives of a location that serves files from its root (static files, `index`,
/// `try_files`, FastCGI with `$document_root`) or only adjusts how: any other directive (a
/// `*_pass`, `return`, a third-party handler, its own `root`/`alias`) means the location does not
/// depend on the inherited root, or that we cannot tell.
fn serves_files(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "try_files", "index", "internal", "expires", "etag", "charset", "default_type", "types", "sendfile", "tcp_nopush",
        "tcp_nodelay", "allow", "deny", "satisfy", "error_page", "disable_symlinks", "client_max_body_size", "if_modified_since",
        "location", "more_set_headers", "source_charset", "valid_referers", "directio", "aio", "output_buffers",
    ];
    const PREFIXES: &[&str] = &["fastcgi_", "gzip", "open_file_cache", "autoindex", "auth_basic", "limit_", "ssi", "sub_filter", "add_", "log_", "access_log", "error_log", "keepalive_"];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (s, _) in cx.named("server") {
        let in_http = cx.item(s).parent().is_some_and(|p| cx.item(p).name == "http");
        if !in_http || cx.inherited(Some(s), "root").is_some() {
            continue;
        }
        let locations: Vec<usize> = cx.children(Some(s)).iter().copied().filter(|&c| cx.item(c).name == "location").collect();
        let Some(&slash) = locations.iter().find(|&&l| *cx.item(l).args == ["/"]) else { continue };
        let Some(root) = cx.child(Some(slash), "root") else { continue };
        let falls_back = locations.iter().copied().find(|&l| {
            let it = cx.item(l);
            if l == slash || it.arg(0).starts_with('@') {
                return false;
            }
            let kids = cx.children(Some(l));
            let denied = kids.iter().any(|&k| cx.item(k).name == "deny" && cx.item(k).arg(0) == "all");
            !denied && kids.iter().all(|&k| serves_files(cx.item(k).name))
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
        assert!(findings("COR001", "location / { root /var/www; }\nlocation /stat { stub_status; access_log off; }").is_empty());
    }
}
