use super::shadowed_location::{compile, has_top_level_alternation};
use crate::declare_rule;
use crate::model::location_parts;
use crate::rules::{Findings, RuleContext};

declare_rule! {
    /// A location regex that cannot match the URI nginx matches locations against: an anchored
    /// start other than `/`, a `//` that slash merging removes, an escaped `?` (the query string
    /// is not part of it) or a `%XX` escape (it is decoded first).
    ///
    /// ## Why
    /// nginx matches locations against the normalised path: it always starts with `/`, has no
    /// query string, `%XX` escapes are decoded and `//` merged (`merge_slashes on`, the default).
    /// A regex written for the full URL, the query string or the raw request line never matches,
    /// so its block is dead and the requests go somewhere else.
    ///
    /// ## Bad
    /// ```nginx
    /// location ~ ^https?://old\.example\.com/ { return 301 https://example.com/; }
    /// location ~ /index\.php\?page=admin { deny all; }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location ~ ^/old/ { return 301 https://example.com/; }
    /// location = /index.php {
    ///     if ($arg_page = admin) { return 403; }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Match the path only (starting with `/`), test the query string with `$arg_*` or `$args`,
    /// write decoded characters instead of `%XX`, and the host with `server_name`.
    ///
    /// ## Limits
    /// The first atom after `^` is judged only when it is a literal, an escape or a character
    /// class that is not optional; regexes with a top-level `|` are skipped for that check. `\?`
    /// and `%XX` can still match a request that encodes them (`%3F`, `%2520`), which is never
    /// what the pattern meant; `//` is not reported when `merge_slashes off` applies.
    pub(crate) RULE {
        code: "AVL002",
        name: "regex-never-matches",
        category: Availability,
        severity: Warning,
        check: check,
    }
}

/// The first atom after `^` when it is mandatory: a literal, an escape or a class.
fn first_atom(pattern: &str) -> Option<&str> {
    let rest = pattern.strip_prefix('^')?;
    if has_top_level_alternation(pattern) {
        return None;
    }
    let b = rest.as_bytes();
    let end = match *b.first()? {
        b'\\' => 2,
        b'[' => {
            let mut i = 1;
            if b.get(i) == Some(&b'^') {
                i += 1;
            }
            if b.get(i) == Some(&b']') {
                return None;
            }
            loop {
                match b.get(i)? {
                    b'\\' => i += 2,
                    b']' => break i + 1,
                    b'[' => return None,
                    _ => i += 1,
                }
            }
        }
        b'(' | b'.' | b'$' | b'|' | b'*' | b'+' | b'?' | b'{' | b')' => return None,
        c if c.is_ascii() => 1,
        _ => return None,
    };
    if matches!(b.get(end), Some(b'?' | b'*' | b'{')) || end > b.len() || !rest.is_char_boundary(end) {
        return None;
    }
    Some(&rest[..end])
}

/// Text outside character classes with escapes kept, for substring checks.
fn outside_classes(pattern: &str) -> Vec<(usize, &str)> {
    let b = pattern.as_bytes();
    let (mut out, mut i, mut class) = (Vec::new(), 0, false);
    while i < b.len() {
        // One character, or an escape and the character it escapes.
        let char_len = |at: usize| pattern[at..].chars().next().map_or(1, char::len_utf8);
        let step = if b[i] == b'\\' && i + 1 < b.len() { 1 + char_len(i + 1) } else { char_len(i) };
        match b[i] {
            b'[' if !class => class = true,
            b']' if class => class = false,
            _ if !class => out.push((i, &pattern[i..i + step])),
            _ => {}
        }
        i += step;
    }
    out
}

fn problem(pattern: &str, caseless: bool, merge_slashes: bool) -> Option<String> {
    // `^/...`, the usual start, matches "/" without compiling anything.
    if let Some(atom) = first_atom(pattern).filter(|a| !matches!(*a, "/" | "\\/")) {
        if let Some(re) = compile(&format!("^(?:{atom})"), caseless) {
            if !re.is_match("/") {
                return Some(format!("it must start with `{atom}`, but the URIs locations see always start with \"/\" (no scheme or host)"));
            }
        }
    }
    let toks = outside_classes(pattern);
    if toks.iter().any(|(_, t)| *t == "\\?") {
        return Some("`\\?` is a literal \"?\": locations never see the query string (use $arg_NAME or $args)".into());
    }
    for w in toks.windows(3) {
        let hex = |t: &str| t.len() == 1 && t.as_bytes()[0].is_ascii_hexdigit();
        if w[0].1 == "%" && hex(w[1].1) && hex(w[2].1) {
            let esc = format!("%{}{}", w[1].1, w[2].1);
            return Some(format!("`{esc}` only matches a double-encoded request: nginx decodes %-escapes before matching locations"));
        }
    }
    if merge_slashes {
        let slash = |t: &str| t == "/" || t == "\\/";
        for (k, w) in toks.windows(2).enumerate() {
            let next = toks.get(k + 2).map(|t| t.1);
            if slash(w[0].1) && slash(w[1].1) && !matches!(next, Some("?" | "*" | "{")) {
                return Some("`//` never occurs: nginx merges slashes before matching locations (merge_slashes on)".into());
            }
        }
    }
    None
}

fn check(cx: &RuleContext, out: &mut Findings) {
    // Configurations repeat a few patterns (`\.php$`, static files) in every server: each
    // distinct one is judged once.
    let mut judged: rustc_hash::FxHashMap<(&str, bool, bool), Option<String>> = Default::default();
    for (i, it) in cx.named("location") {
        let Some((modifier, pattern)) = location_parts(it.args) else { continue };
        if !modifier.is_regex() {
            continue;
        }
        let server = cx.enclosing(i, "server");
        let merge = cx.inherited(server, "merge_slashes").map_or(true, |m| cx.item(m).arg(0) != "off");
        let caseless = modifier == crate::model::Modifier::RegexCaseless;
        let why = judged.entry((pattern, caseless, merge)).or_insert_with(|| problem(pattern, caseless, merge));
        if let Some(why) = why {
            out.report(it.span(), format!("location regex \"{pattern}\" never matches: {why}"))
                .with_help_mut("match the normalised path only; test the query with $arg_NAME and the host with server_name");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("AVL002", "location ~ ^https?://old\\.example\\.com/ { }").len(), 1);
        assert_eq!(findings("AVL002", "location ~* ^api/ { }").len(), 1);
        assert_eq!(findings("AVL002", "location ~ ^[^/] { }").len(), 1);
        assert_eq!(findings("AVL002", "location ~ /index\\.php\\?page=admin { }").len(), 1);
        assert_eq!(findings("AVL002", "location ~ /my%20file { }").len(), 1);
        assert_eq!(findings("AVL002", "location ~ ^/a//b { }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("AVL002", "location ~ ^/api/ { }").is_empty());
        assert!(findings("AVL002", "location ~ ^\\/api { }").is_empty());
        assert!(findings("AVL002", "location ~ ^[/a-z] { }").is_empty());
        assert!(findings("AVL002", "location ~ ^a?/x { }").is_empty());
        assert!(findings("AVL002", "location ~ \\.php(/|$) { }").is_empty());
        assert!(findings("AVL002", "location ~ ^/a//?b { }").is_empty());
        assert!(findings("AVL002", "location ~ [?%] { }").is_empty());
        assert!(findings("AVL002", "merge_slashes off;\nlocation ~ ^/a//b { }").is_empty());
        assert!(findings("AVL002", "location /https://x { }").is_empty());
        assert!(findings("AVL002", "location ~ ^/caf\\é[é]é { }").is_empty());
    }
}
