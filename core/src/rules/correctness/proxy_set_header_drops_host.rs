use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};

declare_rule! {
    /// A block sets its own `proxy_set_header`s without `Host` while an enclosing block sets
    /// `Host`: nginx inherits `proxy_set_header` only when a level sets none, so the `Host`
    /// (and every other header set outside) is dropped here.
    ///
    /// ## Why
    /// `proxy_set_header` is an array directive: one `proxy_set_header X-Request-Id $id;` in a
    /// location replaces the server's whole list. The upstream then receives
    /// `Host: <the proxy_pass host>` (nginx's default `$proxy_host`) instead of the client's
    /// host: virtual hosts on the backend pick the wrong site, redirects and absolute URLs point
    /// to the upstream name.
    ///
    /// ## Bad
    /// ```nginx
    /// server {
    ///     proxy_set_header Host $host;
    ///     location /api/ {
    ///         proxy_set_header X-Request-Id $request_id;
    ///         proxy_pass http://app;
    ///     }
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// server {
    ///     proxy_set_header Host $host;
    ///     location /api/ {
    ///         proxy_set_header Host $host;
    ///         proxy_set_header X-Request-Id $request_id;
    ///         proxy_pass http://app;
    ///     }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Repeat the enclosing `proxy_set_header Host ...;` in the block (unsafe fix: the upstream
    /// receives another Host header), or keep all headers in one shared include.
    ///
    /// ## Limits
    /// Reported only for blocks whose `proxy_set_header` list is the one some `proxy_pass`
    /// actually uses; other dropped headers are named in the message. A block that drops `Host`
    /// on purpose (an upstream that needs its own name) should set `Host $proxy_host;` explicitly.
    pub(crate) RULE {
        code: "COR002",
        name: "proxy-set-header-drops-host",
        category: Correctness,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    const NAMES: &[&str] = &["proxy_set_header"];
    let mut levels: Vec<usize> = cx
        .named("proxy_pass")
        .filter_map(|(_, p)| cx.effective(p.parent(), NAMES).0)
        .collect();
    levels.sort();
    levels.dedup();
    for b in levels {
        let own = cx.effective(Some(b), NAMES).1;
        let is_host = |h: &usize| cx.item(*h).arg(0).eq_ignore_ascii_case("host");
        if own.iter().any(is_host) {
            continue;
        }
        let Some(parent) = cx.item(b).parent() else { continue };
        let (_, outer) = cx.effective(Some(parent), NAMES);
        let Some(&host) = outer.iter().find(|h| is_host(h)) else { continue };
        if cx.item(host).arg(1) == "$proxy_host" {
            continue; // nginx's default anyway
        }
        let dropped: Vec<String> = outer
            .iter()
            .filter(|&&h| !is_host(&h) && !own.iter().any(|&o| cx.item(o).arg(0).eq_ignore_ascii_case(cx.item(h).arg(0))))
            .map(|&h| cx.item(h).arg(0).to_string())
            .collect();
        let also = if dropped.is_empty() { String::new() } else { format!(" (also dropped: {})", dropped.join(", ")) };
        let first = own[0];
        let value = cx.item(host).arg(1).to_string();
        let d = out.report(
            cx.item(first).span(),
            format!("proxy_set_header here replaces the inherited list: `proxy_set_header Host {value}` from the enclosing block no longer applies, the upstream gets Host: $proxy_host{also}"),
        );
        d.labels.push(crate::report::Label { span: cx.item(host).span(), message: "dropped here".into() });
        d.help = Some(format!("repeat `proxy_set_header Host {value};` in this block"));
        let src = cx.src(first);
        let at = cx.item(first).directive.span;
        // Copied exactly, so not when it is not UTF-8.
        let raw = cx.item(host).directive.args.get(1).and_then(|w| std::str::from_utf8(&cx.src(host)[w.span.range()]).ok());
        if let Some(raw) = raw {
            let line_start = src[..at.start as usize].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
            let indent = &src[line_start..at.start as usize];
            let indent = if indent.iter().all(|c| *c == b' ' || *c == b'\t') { String::from_utf8_lossy(indent).into_owned() } else { " ".into() };
            let sep = if indent == " " { " ".to_string() } else { format!("\n{indent}") };
            d.fix = Some(Fix {
                message: format!("add proxy_set_header Host {raw}"),
                safe: false,
                edits: vec![Edit { span: crate::source::Span { end: at.start, ..at }, replacement: format!("proxy_set_header Host {raw};{sep}") }],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings(
            "COR002",
            "proxy_set_header Host $host;\nproxy_set_header X-Real-IP $remote_addr;\nlocation /api/ { proxy_set_header X-Id $request_id; proxy_pass http://a; }",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("also dropped: X-Real-IP"), "{}", f[0].message);
        let http = "events {}\nhttp { proxy_set_header Host $http_host; server { listen 80; proxy_set_header X-A 1; location / { proxy_pass http://a; } } }\n";
        assert_eq!(findings("COR002", http).len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("COR002", "proxy_set_header Host $host;\nlocation /api/ { proxy_set_header Host $host; proxy_set_header X-Id $request_id; proxy_pass http://a; }").is_empty());
        assert!(findings("COR002", "proxy_set_header Host $host;\nlocation /api/ { proxy_pass http://a; }").is_empty());
        assert!(findings("COR002", "proxy_set_header X-A 1;\nlocation /api/ { proxy_set_header X-Id 2; proxy_pass http://a; }").is_empty());
        assert!(findings("COR002", "proxy_set_header Host $host;\nlocation /static/ { proxy_set_header X-Id 2; root /srv; }").is_empty());
        assert!(findings("COR002", "proxy_set_header Host $proxy_host;\nlocation / { proxy_set_header X-Id 2; proxy_pass http://a; }").is_empty());
    }
}
