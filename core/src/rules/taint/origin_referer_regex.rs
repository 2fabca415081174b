use crate::declare_rule;
use crate::model::variables::if_regex;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// A regex that checks `$http_origin` or `$http_referer` (in `if` or a `map`) also accepts
    /// hosts an attacker can register: it is not anchored (`example\.com` matches
    /// `example.com.evil.net` and `evilexample.com`) or a dot is unescaped (`www.example.com`
    /// matches `wwwxexample.com`).
    ///
    /// ## Why
    /// These checks usually decide whether to send CORS headers (`Access-Control-Allow-Origin`
    /// with credentials) or to refuse cross-site requests. A regex that matches more than the
    /// intended hosts lets a page on the attacker's domain read responses or pass the CSRF check.
    ///
    /// ## Bad
    /// ```nginx
    /// if ($http_origin ~* "https://example.com") {
    ///     add_header Access-Control-Allow-Origin $http_origin;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// if ($http_origin ~* "^https://(www\.)?example\.com$") {
    ///     add_header Access-Control-Allow-Origin $http_origin;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Anchor the pattern (`^https://` ... `$`, or `/` after the host for referers) and escape
    /// every dot (`\.`).
    ///
    /// ## Limits
    /// The pattern is tried against attack strings built from the host named in it
    /// (`https://HOST.evil.net`, `https://evilHOST`, `https://evil.net/HOST` for referers, and the
    /// host with an inner dot replaced); patterns regex-lite cannot compile and patterns naming
    /// no host are not judged. Negated matches (`if ($http_referer !~ ...) { return 403; }`) are
    /// judged the same way: what the regex wrongly matches passes the check.
    pub(crate) RULE {
        code: "SEC042",
        name: "origin-referer-regex",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (i, it) in cx.named_where(|n| matches!(n, "if" | "map")).into_iter().map(|i| (i, cx.item(i))) {
        match it.name {
            "if" => {
                let Some((var, op, re)) = if_regex(it.args) else { continue };
                let Some(kind) = kind_of(&var) else { continue };
                let at = it.directive.args.iter().rev().find(|w| !w.raw(cx.src(i)).starts_with(b")")).map(|w| w.span).unwrap_or(it.span());
                judge(out, at, kind, &re, op.ends_with('*'));
            }
            "map" => {
                let src = it.arg(0);
                let Some(kind) = kind_of(src.trim_start_matches('$')) else { continue };
                for &e in cx.children(Some(i)) {
                    let entry = cx.item(e);
                    let Some(re) = entry.name.strip_prefix('~') else { continue };
                    let (re, caseless) = match re.strip_prefix('*') {
                        Some(r) => (r, true),
                        None => (re, false),
                    };
                    judge(out, entry.span(), kind, re, caseless);
                }
            }
            _ => {}
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Origin,
    Referer,
}

fn kind_of(var: &str) -> Option<Kind> {
    match var {
        "http_origin" => Some(Kind::Origin),
        "http_referer" => Some(Kind::Referer),
        _ => None,
    }
}

/// The host the pattern names: the longest run of host characters (with `\.` or `.`) holding a dot.
/// Returns the host as text and whether it was written with an unescaped dot at an inner position.
fn host_in(re: &str) -> Option<(String, bool)> {
    let b = re.as_bytes();
    let mut best: Option<(String, bool)> = None;
    let mut cur = String::new();
    let mut raw_dots: Vec<usize> = Vec::new();
    let mut i = 0;
    let flush = |cur: &mut String, raw_dots: &mut Vec<usize>, best: &mut Option<(String, bool)>| {
        let host = cur.trim_matches('.').to_string();
        let lead = cur.len() - cur.trim_start_matches('.').len();
        if host.contains('.') && host.chars().any(|c| c.is_ascii_alphabetic()) && best.as_ref().map_or(true, |(b, _)| host.len() > b.len()) {
            // An unescaped dot that is not the last dot of the host (the TLD dot cannot be abused).
            let last_dot = host.rfind('.').unwrap_or(0) + lead;
            let inner = raw_dots.iter().any(|&d| d >= lead && d < last_dot);
            *best = Some((host, inner));
        }
        cur.clear();
        raw_dots.clear();
    };
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && b.get(i + 1) == Some(&b'.') {
            cur.push('.');
            i += 2;
            continue;
        }
        if c == b'.' && !matches!(b.get(i + 1), Some(b'*' | b'+' | b'?' | b'{')) && cur.chars().last().is_some_and(|l| l.is_ascii_alphanumeric()) {
            raw_dots.push(cur.len());
            cur.push('.');
            i += 1;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == b'-' {
            cur.push(c as char);
            i += 1;
            continue;
        }
        flush(&mut cur, &mut raw_dots, &mut best);
        i += 1;
    }
    flush(&mut cur, &mut raw_dots, &mut best);
    best
}

fn judge(out: &mut Findings, at: crate::source::Span, kind: Kind, re: &str, caseless: bool) {
    let Some((host, inner_raw_dot)) = host_in(re) else { return };
    let pattern = if caseless { format!("(?i){re}") } else { re.to_string() };
    let Ok(rx) = regex_lite::Regex::new(&pattern).or_else(|_| regex_lite::Regex::new(&pattern.replace("\\/", "/"))) else { return };
    // A legitimate value the pattern accepts, as (before host, after host).
    let shapes: &[(&str, &str)] = match kind {
        Kind::Origin => &[("https://", ""), ("http://", ""), ("https://www.", ""), ("https://", ":443"), ("https://a.", "")],
        Kind::Referer => &[("https://", "/"), ("http://", "/"), ("https://www.", "/"), ("https://", ""), ("https://a.", "/"), ("https://", "/x")],
    };
    let Some(&(pre, post)) = shapes.iter().find(|(pre, post)| rx.is_match(&format!("{pre}{host}{post}"))) else { return };
    let legit = format!("{pre}{host}{post}");
    let mut attacks = vec![
        (format!("{pre}{host}.evil.net{post}"), "is not anchored after the host"),
        (format!("{pre}evil{host}{post}"), "does not require a dot or scheme before the host"),
    ];
    if kind == Kind::Referer {
        attacks.push((format!("https://evil.net/{legit}"), "is not anchored at the start"));
    }
    if inner_raw_dot {
        // Replace the first inner dot of the host.
        let d = host.find('.').unwrap_or(0);
        let mut h = host.clone();
        h.replace_range(d..d + 1, "x");
        attacks.push((format!("{pre}{h}{post}"), "has an unescaped dot"));
    }
    let var = if kind == Kind::Origin { "$http_origin" } else { "$http_referer" };
    for (attack, why) in attacks {
        if rx.is_match(&attack) {
            out.report(at, format!("the {var} regex \"{re}\" {why}: it also matches \"{attack}\""))
                .with_help_mut("anchor the pattern (^https?:// ... $) and escape dots (\\.)");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC042", "if ($http_origin ~* \"https://example.com\") { add_header A $http_origin; }").len(), 1);
        assert_eq!(findings("SEC042", "if ($http_origin ~* ^https://example\\.com) { add_header A $http_origin; }").len(), 1);
        assert_eq!(findings("SEC042", "if ($http_origin ~ \"^https://www.example.com$\") { add_header A $http_origin; }").len(), 1);
        assert_eq!(findings("SEC042", "if ($http_referer ~ \"example\\.com/\") { return 403; }").len(), 1);
        assert_eq!(findings("SEC042", "if ($http_referer !~ \"^https://example\\.com\") { return 403; }").len(), 1);
        let map = "events {}\nhttp { map $http_origin $cors { default \"\"; ~^https://.*example\\.com$ $http_origin; }\nserver { listen 80; add_header A $cors; } }";
        assert_eq!(findings("SEC042", map).len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC042", "if ($http_origin ~* \"^https://(www\\.)?example\\.com$\") { add_header A $http_origin; }").is_empty());
        assert!(findings("SEC042", "if ($http_origin ~* ^https?://([a-z0-9-]+\\.)*example\\.com(:[0-9]+)?$) { add_header A $http_origin; }").is_empty());
        assert!(findings("SEC042", "if ($http_referer ~* ^https?://(www\\.)?example\\.com/) { return 403; }").is_empty());
        assert!(findings("SEC042", "if ($http_user_agent ~ example.com) { return 403; }").is_empty());
        assert!(findings("SEC042", "if ($http_referer !~* ^https://(www\\.)?example\\.com/) { return 403; }").is_empty());
        let map = "events {}\nhttp { map $http_origin $cors { default \"\"; ~^https://(.+\\.)?example\\.com$ $http_origin; }\nserver { listen 80; add_header A $cors; } }";
        assert!(findings("SEC042", map).is_empty());
    }
}
