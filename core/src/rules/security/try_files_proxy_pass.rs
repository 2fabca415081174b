use super::level_label;
use crate::declare_rule;
use crate::report::Label;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// `try_files` and `proxy_pass` in the same location: `proxy_pass` handles the request
    /// whether or not `try_files` found a local file, so the files are never served.
    ///
    /// ## Why
    /// `try_files` only picks a URI: when a file exists, the request stays in the location and
    /// its content handler, `proxy_pass`, proxies it (with the rewritten URI). The usual intent,
    /// "serve the file if it exists, else proxy", needs the proxy in another (named) location.
    ///
    /// ## Bad
    /// ```nginx
    /// location / {
    ///     try_files $uri $uri/ /index.html;
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location / {
    ///     try_files $uri $uri/ @app;
    /// }
    /// location @app {
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Make the last `try_files` argument a named location that holds `proxy_pass`.
    ///
    /// ## Limits
    /// Directives directly in the same location only. `try_files ... =404` (proxy only what
    /// exists locally) is taken as deliberate.
    pub(crate) RULE {
        code: "SEC018",
        name: "try-files-proxy-pass",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (l, _) in cx.named("location") {
        let (Some(t), Some(p)) = (cx.child(Some(l), "try_files"), cx.child(Some(l), "proxy_pass")) else { continue };
        if cx.item(t).args.last().is_some_and(|a| a.starts_with('=')) {
            continue;
        }
        let d = out.report(
            cx.item(t).span(),
            format!("try_files with proxy_pass in {}: proxy_pass handles the request whether or not a file is found, so local files are never served", level_label(cx, Some(l))),
        );
        d.labels.push(Label { span: cx.item(p).span(), message: "the content handler of this location".into() });
        d.help = Some("end try_files with a named location (`@app`) and move proxy_pass there".into());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC018", "location / { try_files $uri $uri/ /index.html; proxy_pass http://127.0.0.1:3000; }").len(), 1);
        assert_eq!(findings("SEC018", "location /api { proxy_pass http://127.0.0.1:3000; try_files $uri @x; }\nlocation @x { }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC018", "location / { try_files $uri @app; }\nlocation @app { proxy_pass http://127.0.0.1:3000; }").is_empty());
        assert!(findings("SEC018", "location / { try_files $uri =404; proxy_pass http://127.0.0.1:3000; }").is_empty());
        assert!(findings("SEC018", "location / { try_files $uri /index.php; location /api { proxy_pass http://127.0.0.1:3000; } }").is_empty());
    }
}
