use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};
use rustc_hash::FxHashMap;

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
    /// actually uses; other dropped headers are named in the message (the first five, then a
    /// count). A block that drops `Host`
    /// on purpose (an upstream that needs its own name) should set `Host $proxy_host;` explicitly.
    pub(crate) RULE {
        code: "COR002",
        name: "proxy-set-header-drops-host",
        category: Correctness,
        severity: Warning,
        check: check,
    }
}

/// An outer level's list: its first Host, the count per lowercase name of the others, their total.
type OuterList = (Option<usize>, FxHashMap<String, usize>, usize);

/// Dropped headers named in a message; the rest are counted.
const MAX_NAMED: usize = 5;

fn check(cx: &RuleContext, out: &mut Findings) {
    const NAMES: &[&str] = &["proxy_set_header"];
    let mut levels: Vec<usize> = cx
        .named("proxy_pass")
        .filter_map(|(_, p)| cx.effective(p.parent(), NAMES).0)
        .collect();
    levels.sort();
    levels.dedup();
    // Per outer level, worked out once (many blocks share one outer list): its first Host and
    // how many of its other headers carry each lowercase name, and how many there are.
    let mut outers: FxHashMap<Option<usize>, OuterList> = Default::default();
    for b in levels {
        let own = cx.effective(Some(b), NAMES).1;
        let is_host = |h: &usize| cx.item(*h).arg(0).eq_ignore_ascii_case("host");
        if own.iter().any(is_host) {
            continue;
        }
        let Some(parent) = cx.item(b).parent() else { continue };
        let (level, outer) = cx.effective_one(Some(parent), NAMES[0]);
        let (host, counts, others) = outers.entry(level).or_insert_with(|| {
            let mut counts: FxHashMap<String, usize> = Default::default();
            for h in outer.iter().filter(|h| !is_host(h)) {
                *counts.entry(cx.item(*h).arg(0).to_ascii_lowercase()).or_default() += 1;
            }
            let others = counts.values().sum();
            (outer.iter().copied().find(is_host), counts, others)
        });
        let Some(host) = *host else { continue };
        if cx.item(host).arg(1) == "$proxy_host" {
            continue; // nginx's default anyway
        }
        // The other outer headers this block does not set again: counted from the per-level
        // names, the first few named in order (a list of thousands helps no reader).
        let mut own_names: Vec<String> = own.iter().map(|&o| cx.item(o).arg(0).to_ascii_lowercase()).collect();
        own_names.sort_unstable();
        own_names.dedup();
        let kept: usize = own_names.iter().filter_map(|n| counts.get(n)).sum();
        let total = *others - kept;
        let dropped: Vec<&str> = outer
            .iter()
            .filter(|&&h| !is_host(&h) && !own.iter().any(|&o| cx.item(o).arg(0).eq_ignore_ascii_case(cx.item(h).arg(0))))
            .take(MAX_NAMED)
            .map(|&h| cx.item(h).arg(0))
            .collect();
        let also = match total.saturating_sub(dropped.len()) {
            _ if dropped.is_empty() => String::new(),
            0 => format!(" (also dropped: {})", dropped.join(", ")),
            more => format!(" (also dropped: {} and {more} more)", dropped.join(", ")),
        };
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
    fn names_five_dropped_headers_then_counts() {
        // Eight others outside, one of them set again inside (in another case): seven dropped.
        let outer: String = (0..8).map(|i| format!("proxy_set_header X-H{i} v;\n")).collect();
        let f = findings("COR002", format!("proxy_set_header Host $host;\n{outer}location / {{ proxy_set_header x-h2 w; proxy_pass http://a; }}"));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.ends_with("(also dropped: X-H0, X-H1, X-H3, X-H4, X-H5 and 2 more)"), "{}", f[0].message);
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
