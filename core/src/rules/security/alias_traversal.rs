use crate::declare_rule;
use crate::model::{location_of, Modifier};
use crate::rules::{Edit, Findings, Fix, RuleContext};


declare_rule! {
    /// A prefix location without a trailing slash uses an `alias` with one: `/static../` then maps
    /// outside the aliased directory (path traversal).
    ///
    /// ## Why
    /// With `location /img { alias /data/images/; }`, a request for `/img../secret` becomes
    /// `/data/images/../secret`: files beside the aliased directory are served.
    ///
    /// ## Bad
    /// ```nginx
    /// location /img {
    ///     alias /data/images/;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location /img/ {
    ///     alias /data/images/;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add the trailing slash to the location (unsafe fix: `/img` itself then no longer matches
    /// this location).
    ///
    /// ## Limits
    /// Only prefix locations (`location /x`, `location ^~ /x`); regex locations with alias use
    /// captures and are not judged.
    pub(crate) RULE {
        code: "SEC003",
        name: "alias-traversal",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (i, it) in cx.named("alias") {
        let Some(loc) = cx.enclosing(i, "location") else { continue };
        let l = cx.item(loc);
        let Some((modifier, pattern)) = location_of(l.args) else { continue };
        if !matches!(modifier, Modifier::Prefix | Modifier::PrefixNoRegex) {
            continue;
        }
        if !pattern.ends_with('/') && it.arg(0).ends_with('/') {
            let last = l.directive.args.last().map(|w| w.span).unwrap_or(l.span());
            let d = out.report(
                it.span(),
                format!("alias \"{}\" in location \"{}\" without a trailing slash lets \"{}../\" escape the directory", it.arg(0), pattern, pattern),
            );
            d.labels.push(crate::report::Label { span: l.span(), message: "this location".into() });
            d.help = Some(format!("use `location {pattern}/`"));
            d.fix = Some(Fix {
                message: format!("add a trailing slash: location {pattern}/"),
                safe: false,
                edits: vec![Edit { span: crate::source::Span { start: last.end, end: last.end, ..last }, replacement: "/".into() }],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC003", "location /img { alias /data/images/; }").len(), 1);
        assert_eq!(findings("SEC003", "location ^~ /static { alias /srv/static/; }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC003", "location /img/ { alias /data/images/; }").is_empty());
        assert!(findings("SEC003", "location /img { alias /data/images; }").is_empty());
        assert!(findings("SEC003", "location ~ ^/img/(.*)$ { alias /data/images/$1; }").is_empty());
    }
}
