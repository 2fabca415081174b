use super::level_label;
use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};

/// Directories whose listing exposes system data: the directory and everything below it.
const SYSTEM: &[&str] = &[
    "/etc", "/root", "/proc", "/sys", "/boot", "/dev", "/run", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/var/log",
    "/var/lib", "/var/backups", "/var/spool", "/var/mail", "/var/run",
];
/// Directories whose own listing exposes too much (every site, every user): exactly these.
const BROAD: &[&str] = &["/", "/home", "/var", "/opt", "/srv", "/var/www", "/mnt", "/tmp"];

/// Why listing `path` is sensitive, if it is.
fn sensitive(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') || path.contains('$') {
        return None;
    }
    let p = path.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    if p == "/" {
        return Some("the whole filesystem");
    }
    if SYSTEM.iter().any(|s| p == *s || p.strip_prefix(s).is_some_and(|r| r.starts_with('/'))) {
        return Some("a system directory");
    }
    if BROAD.contains(&p) {
        return Some("a directory holding other sites' or users' files");
    }
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    if parts.len() == 2 && parts[0] == "home" {
        return Some("a home directory (dotfiles, SSH keys)");
    }
    None
}

declare_rule! {
    /// `autoindex on` lists a sensitive directory: the filesystem root, a system directory
    /// (`/etc`, `/root`, `/var/log`, `/proc`, ...), a home directory, or a directory holding
    /// every site (`/var/www`, `/srv`, `/home`).
    ///
    /// ## Why
    /// Directory listings hand out every file name: configuration, keys, logs, backups and other
    /// sites' sources become one click away.
    ///
    /// ## Bad
    /// ```nginx
    /// location /files/ {
    ///     alias /home/alice/;
    ///     autoindex on;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location /files/ {
    ///     alias /srv/public-files/;
    ///     autoindex on;
    /// }
    /// ```
    ///
    /// ## Fix
    /// List a dedicated directory holding only files meant to be public, or turn the listing
    /// off (unsafe fix: `autoindex off`).
    ///
    /// ## Limits
    /// The directory is the `alias` of the block holding `autoindex on`, else the effective
    /// `root` there; roots set in nested locations and paths with variables are not judged.
    /// Sensitive: `/` and `/home`, `/var`, `/opt`, `/srv`, `/var/www`, `/mnt`, `/tmp` themselves,
    /// `/home/<user>`, and anything under `/etc`, `/root`, `/proc`, `/sys`, `/boot`, `/dev`,
    /// `/run`, `/usr`, `/bin`, `/sbin`, `/lib`, `/var/log`, `/var/lib`, `/var/backups`,
    /// `/var/spool`, `/var/mail`.
    pub(crate) RULE {
        code: "SEC016",
        name: "autoindex-sensitive",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (i, it) in cx.named("autoindex") {
        if it.arg(0) != "on" {
            continue;
        }
        let Some(p) = it.parent() else { continue };
        let Some(dir) = cx.child(Some(p), "alias").or_else(|| cx.inherited(Some(p), "root")) else { continue };
        let base = cx.item(dir).arg(0).to_string();
        // With `root` the listed directory is root + the URI: for a prefix location, root + its
        // prefix (a regex location's URIs are unknown: not judged). With `alias` it is the alias.
        let path = if cx.item(dir).name == "root" {
            match cx.enclosing(i, "location").and_then(|l| crate::model::location_of(cx.item(l).args)) {
                Some((crate::model::Modifier::Prefix | crate::model::Modifier::PrefixNoRegex | crate::model::Modifier::Exact, prefix)) => {
                    format!("{}{}", base.trim_end_matches('/'), prefix)
                }
                Some(_) => continue,
                None => base,
            }
        } else {
            base
        };
        let Some(why) = sensitive(&path) else { continue };
        let here = level_label(cx, Some(p));
        let d = out.report(it.span(), format!("autoindex on in {here} lists {path} ({why})"));
        d.labels.push(crate::report::Label { span: cx.item(dir).span(), message: format!("{} {path}", cx.item(dir).name) });
        d.help = Some("list a dedicated directory of public files only, or set `autoindex off;`".into());
        if let Some(w) = it.directive.args.first() {
            d.fix = Some(Fix { message: "turn the listing off".into(), safe: false, edits: vec![Edit { span: w.span, replacement: "off".into() }] });
        }
        let _ = i;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC016", "location /files/ { alias /home/alice/; autoindex on; }").len(), 1);
        assert_eq!(findings("SEC016", "root /;\nlocation / { autoindex on; }").len(), 1);
        assert_eq!(findings("SEC016", "location /logs/ { root /var/log/nginx; autoindex on; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC016", "location /files/ { alias /srv/public-files/; autoindex on; }").is_empty());
        assert!(findings("SEC016", "root /var/www/html;\nlocation / { autoindex on; }").is_empty());
        assert!(findings("SEC016", "location /x/ { alias /etc/; autoindex off; }").is_empty());
        // root + URI: this lists /srv/downloads/, not /srv.
        assert!(findings("SEC016", "location /downloads/ { root /srv; autoindex on; }").is_empty());
    }
}
