use crate::check::values;
use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// A location whose path names uploads (`/upload`, `/files`, `/media`, `/attachments`,
    /// `/import`, `/avatar`) accepts request bodies below 1 MB only (`client_max_body_size`,
    /// set there or inherited): larger uploads fail with 413.
    ///
    /// ## Why
    /// A `client_max_body_size` of a few kilobytes is a reasonable hardening for APIs, and easy
    /// to inherit by accident into the one location where users send files: they get
    /// "413 Request Entity Too Large" and the application never sees the request.
    ///
    /// ## Bad
    /// ```nginx
    /// client_max_body_size 64k;
    /// location /upload/ {
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// client_max_body_size 64k;
    /// location /upload/ {
    ///     client_max_body_size 50m;
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Set `client_max_body_size` in the upload location to the largest file accepted.
    ///
    /// ## Limits
    /// Only explicit values below 1m are reported (nginx's default is 1m, and `0` means no
    /// limit), and only on locations whose path contains one of the words above; uploads to
    /// other paths are not recognised. A location that only serves files from its own `alias` or
    /// `root` (no `*_pass`, `try_files`, `dav_methods`, rewrite or nested location) is not
    /// reported: nginx's static module answers POST and PUT with 405, so nothing is uploaded there.
    pub(crate) RULE {
        code: "AVL006",
        name: "tiny-client-max-body-size",
        category: Availability,
        severity: Warning,
        check: check,
    }
}

const UPLOAD_WORDS: &[&str] = &["upload", "files", "media", "attachment", "import", "avatar"];

/// Directives of a location that only serves files from disk. nginx's static module answers
/// POST/PUT with 405, so no upload can reach such a location whatever its body limit.
const STATIC_ONLY: &[&str] = &[
    "alias", "root", "index", "expires", "add_header", "etag", "if_modified_since", "default_type", "types", "charset",
    "access_log", "log_not_found", "allow", "deny", "internal", "sendfile", "tcp_nopush", "gzip_static", "autoindex",
    "autoindex_exact_size", "autoindex_format", "autoindex_localtime", "open_file_cache", "disable_symlinks",
];

/// Does the location serve files from its own alias/root and nothing else (no `*_pass`,
/// `try_files`, `dav_methods`, rewrites or nested locations that could take a body)?
fn static_files_only(cx: &RuleContext, l: usize) -> bool {
    let children = cx.children(Some(l));
    children.iter().any(|&c| matches!(cx.item(c).name, "alias" | "root"))
        && children.iter().all(|&c| STATIC_ONLY.contains(&cx.item(c).name))
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (l, loc) in cx.named("location") {
        let raw = loc.args.last().map_or("", |a| &**a);
        let upload = |w: &&str| UPLOAD_WORDS.iter().any(|u| w.len() >= u.len() && w.as_bytes()[..u.len()].eq_ignore_ascii_case(u.as_bytes()));
        let Some(word) = raw.split(|c: char| !c.is_ascii_alphanumeric()).find(upload) else { continue };
        if static_files_only(cx, l) {
            continue;
        }
        let Some(c) = cx.inherited(Some(l), "client_max_body_size") else { continue };
        let Some(size) = values::size(cx.item(c).arg(0)) else { continue };
        if size == 0 || size >= 1 << 20 {
            continue;
        }
        let value = cx.item(c).arg(0);
        let (path, word) = (raw.to_ascii_lowercase(), word.to_ascii_lowercase());
        let d = out.report(loc.span(), format!("location \"{path}\" looks like an upload endpoint (\"{word}\") but accepts bodies of {value} at most: larger uploads get 413"));
        d.labels.push(crate::report::Label { span: cx.item(c).span(), message: "the limit that applies".into() });
        d.help = Some("set `client_max_body_size` in this location to the largest upload accepted".into());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("AVL006", "client_max_body_size 64k;\nlocation /upload/ { }").len(), 1);
        assert_eq!(findings("AVL006", "location /api/files { client_max_body_size 100k; }").len(), 1);
        // A root, but also a handler that can take the upload.
        assert_eq!(findings("AVL006", "client_max_body_size 64k;\nlocation /media/ { root /srv; try_files $uri @app; }\nlocation @app { }").len(), 1);
        assert_eq!(findings("AVL006", "client_max_body_size 64k;\nlocation /files/ { root /srv; dav_methods PUT; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("AVL006", "location /upload/ { }").is_empty());
        assert!(findings("AVL006", "client_max_body_size 64k;\nlocation /upload/ { client_max_body_size 50m; }").is_empty());
        assert!(findings("AVL006", "client_max_body_size 64k;\nlocation /api/ { }").is_empty());
        assert!(findings("AVL006", "location /upload/ { client_max_body_size 0; }").is_empty());
        // Serves stored files only: the static module refuses POST/PUT with 405 anyway.
        assert!(findings("AVL006", "client_max_body_size 64k;\nlocation /media/ { alias /srv/media/; expires 7d; }").is_empty());
    }
}
