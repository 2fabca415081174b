use crate::declare_rule;
use crate::model::{Location, Modifier};
use crate::rules::{Findings, RuleContext};
use crate::source::Span;
use rustc_hash::FxHashMap;

declare_rule! {
    /// A location can never be selected: every URI that could reach it is provably taken by
    /// another location first (a regex that matches all of them, or a longer prefix).
    ///
    /// ## Why
    /// nginx picks the longest prefix, then tries regexes in order and lets the first match win
    /// over a plain prefix (not `^~`). A block that is never selected is dead configuration: its
    /// settings (limits, `auth_basic`, headers) silently never apply.
    ///
    /// ## Bad
    /// ```nginx
    /// location ~ ^/api {
    ///     proxy_pass http://app;
    /// }
    /// location /api/admin/ {
    ///     allow 10.0.0.0/8;
    ///     deny all;
    /// }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// location ^~ /api/admin/ {
    ///     allow 10.0.0.0/8;
    ///     deny all;
    /// }
    /// location ~ ^/api {
    ///     proxy_pass http://app;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Make the prefix win with `^~`, reorder the regexes, or narrow the shadowing regex.
    ///
    /// ## Limits
    /// Only what can be proven is reported; the method, per level of nesting:
    /// - a plain prefix location `P` (with no nested exact or regex location that could stop the
    ///   search inside it) is shadowed by a regex of its level, or of an enclosing level whose
    ///   selected location is not `^~` (nginx's nested search falls back to outer regexes), that
    ///   matches `P` itself without depending on what follows
    ///   (no `$`, `\b`, look-around): every URI starting with `P` then matches that regex;
    /// - a nested prefix or exact location under `A` is shadowed when a sibling prefix of `A`
    ///   is longer than `A` and a prefix of the nested pattern: those URIs never select `A`;
    /// - a regex location is shadowed by an earlier regex of the same level with the same
    ///   pattern, or one that matches the literal text every match of the later regex starts
    ///   with (`^/static/` after `~ ^/st`), or, for an unanchored regex, one that depends on
    ///   neither end and matches the literal text every match contains (`~ /\.well-known/`
    ///   after the common dotfile rule `~ /\.`: certbot's challenges get 403).
    ///
    /// Each proof is then cross-checked with the router: requests for the prefix (and longer
    /// URIs) addressed to the server by its first name must not land in the location.
    ///
    /// Regexes the router cannot evaluate (look-around, backreferences) are never used as proof.
    /// Locations inside `if` blocks are not routed.
    pub(crate) RULE {
        code: "AVL001",
        name: "shadowed-location",
        category: Availability,
        severity: Warning,
        check: check,
    }
}

/// A regex (with nginx's case flag) compiled by the router's engine.
pub(super) fn compile(pattern: &str, caseless: bool) -> Option<regex_lite::Regex> {
    let p = if caseless { format!("(?i){pattern}") } else { pattern.to_string() };
    regex_lite::Regex::new(&p).ok()
}

/// The regex's verdict on a string never depends on the text after the match: no end anchors,
/// word boundaries or look-around.
fn end_independent(pattern: &str) -> bool {
    !pattern.contains('$') && !["\\b", "\\B", "\\z", "\\Z", "\\G", "(?=", "(?!", "(?<"].iter().any(|s| pattern.contains(s))
}

/// A top-level `|` (outside groups and classes) makes anchors and literal prefixes meaningless.
pub(super) fn has_top_level_alternation(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    let (mut depth, mut class, mut i) = (0i32, false, 0);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' if !class => class = true,
            b']' if class => class = false,
            b'(' if !class => depth += 1,
            b')' if !class => depth -= 1,
            b'|' if !class && depth == 0 => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// The literal text every match of an `^`-anchored regex starts with (`^/static/.*\.css` gives
/// `/static/`); None when the regex is not anchored that way.
pub(super) fn literal_prefix(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix('^')?;
    if has_top_level_alternation(pattern) {
        return None;
    }
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '?' | '*' | '{' => {
                out.pop();
                break;
            }
            '.' | '[' | ']' | '(' | ')' | '|' | '+' | '^' | '$' => break,
            '\\' => match chars.next() {
                Some(e) if !e.is_ascii_alphanumeric() => out.push(e),
                _ => break,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// The literal text every match of an unanchored regex contains (`/\.well-known/acme` gives
/// `/.well-known/acme`); None for anchored regexes or a top-level `|`.
fn literal_run(pattern: &str) -> Option<String> {
    if pattern.starts_with('^') || has_top_level_alternation(pattern) {
        return None;
    }
    literal_prefix(&format!("^{pattern}"))
}

/// The regex's verdict never depends on what precedes the match: no start anchors, word
/// boundaries or look-behind.
fn start_independent(pattern: &str) -> bool {
    !pattern.contains('^') && !["\\A", "\\b", "\\B", "\\G", "(?<"].iter().any(|s| pattern.contains(s))
}

struct Shadow {
    by: Span,
    why: String,
}

/// What one level's locations are, worked out once per level: pairs of locations are only
/// compared where a cheap necessary condition holds, so a level of thousands of locations is not
/// quadratic in regex compilations or string building.
struct Level<'m> {
    locs: &'m [Location],
    /// Small levels (most of them) are scanned: building indexes would cost more than it saves.
    indexed: bool,
    regexes: Vec<Option<RegexFacts>>,
    /// Earlier regexes with the same (pattern, caseless), by pattern.
    by_pattern: FxHashMap<&'m str, Vec<usize>>,
    /// End-independent regexes (the only ones that can cover other patterns), in three groups by
    /// what every one of their matches holds: anchored with a literal prefix (by that prefix,
    /// ASCII-lowercased, with the distinct prefix lengths), floating with a literal run, or
    /// neither (always candidates).
    anchored: FxHashMap<String, Vec<usize>>,
    anchored_lens: Vec<usize>,
    floating: Vec<usize>,
    opaque: Vec<usize>,
    /// Prefix and `^~` locations: the first of each pattern, and the distinct pattern lengths.
    prefixes: FxHashMap<&'m str, usize>,
    prefix_lens: Vec<usize>,
}

struct RegexFacts {
    caseless: bool,
    end_independent: bool,
    start_independent: bool,
    /// `literal_prefix` of the pattern, and of an unanchored pattern its `literal_run`.
    prefix: Option<String>,
    run: Option<String>,
    /// The lowercased literal every match holds (prefix for anchored, run for floating), for
    /// candidate filtering; None when there is none usable (empty or not ASCII).
    key: Option<String>,
    compiled: std::cell::OnceCell<Option<regex_lite::Regex>>,
}

impl<'m> Level<'m> {
    fn new(locs: &'m [Location]) -> Level<'m> {
        let mut level = Level {
            locs,
            indexed: locs.len() > 16,
            regexes: Vec::with_capacity(locs.len()),
            by_pattern: Default::default(),
            anchored: Default::default(),
            anchored_lens: Vec::new(),
            floating: Vec::new(),
            opaque: Vec::new(),
            prefixes: Default::default(),
            prefix_lens: Vec::new(),
        };
        for (i, l) in locs.iter().enumerate() {
            if level.indexed && matches!(l.modifier, Modifier::Prefix | Modifier::PrefixNoRegex) {
                level.prefixes.entry(l.pattern.as_str()).or_insert(i);
                level.prefix_lens.push(l.pattern.len());
            }
            if !l.modifier.is_regex() {
                level.regexes.push(None);
                continue;
            }
            let pattern = l.pattern.as_str();
            let prefix = literal_prefix(pattern);
            let run = literal_run(pattern);
            let anchored = pattern.starts_with('^');
            let key = if anchored { prefix.as_ref() } else { run.as_ref() }
                .filter(|k| level.indexed && !k.is_empty() && k.is_ascii())
                .map(|k| k.to_ascii_lowercase());
            let facts = RegexFacts {
                caseless: l.modifier == Modifier::RegexCaseless,
                end_independent: end_independent(pattern),
                start_independent: start_independent(pattern),
                prefix,
                run,
                key,
                compiled: Default::default(),
            };
            if level.indexed {
                level.by_pattern.entry(pattern).or_default().push(i);
            }
            if level.indexed && facts.end_independent {
                match (&facts.key, anchored) {
                    (Some(k), true) => {
                        level.anchored_lens.push(k.len());
                        level.anchored.entry(k.clone()).or_default().push(i);
                    }
                    (Some(_), false) => level.floating.push(i),
                    (None, _) => level.opaque.push(i),
                }
            }
            level.regexes.push(Some(facts));
        }
        for lens in [&mut level.anchored_lens, &mut level.prefix_lens] {
            lens.sort_unstable();
            lens.dedup();
        }
        level
    }

    /// The regex location `s` matches every string that starts with `prefix` (compiled once).
    fn covers(&self, s: usize, prefix: &str) -> bool {
        let Some(f) = &self.regexes[s] else { return false };
        f.end_independent && f.compiled.get_or_init(|| compile(&self.locs[s].pattern, f.caseless)).as_ref().is_some_and(|re| re.is_match(prefix))
    }

    /// Regex locations before `before` that could match one of `texts` (a superset, in order):
    /// an anchored literal prefix must start a text, a floating literal run must occur in one.
    fn candidates(&self, before: usize, texts: &[&str]) -> Vec<usize> {
        if !self.indexed {
            return (0..before).filter(|&s| self.regexes[s].as_ref().is_some_and(|f| f.end_independent)).collect();
        }
        let lower: Vec<String> = texts.iter().map(|t| t.to_ascii_lowercase()).collect();
        let mut out: Vec<usize> = self.opaque.iter().copied().take_while(|&s| s < before).collect();
        for t in &lower {
            for &len in self.anchored_lens.iter().take_while(|&&n| n <= t.len()) {
                if let Some(hits) = t.get(..len).and_then(|p| self.anchored.get(p)) {
                    out.extend(hits.iter().copied().take_while(|&s| s < before));
                }
            }
        }
        for &s in self.floating.iter().take_while(|&&s| s < before) {
            let key = self.regexes[s].as_ref().and_then(|f| f.key.as_deref()).unwrap_or("");
            if lower.iter().any(|t| memchr::memmem::find(t.as_bytes(), key.as_bytes()).is_some()) {
                out.push(s);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The first prefix (or `^~`) location longer than `min` whose pattern starts `p`.
    fn longer_prefix_of(&self, p: &str, min: usize) -> Option<usize> {
        if !self.indexed {
            return self.locs.iter().position(|b| {
                matches!(b.modifier, Modifier::Prefix | Modifier::PrefixNoRegex) && b.pattern.len() > min && p.starts_with(b.pattern.as_str())
            });
        }
        self.prefix_lens
            .iter()
            .filter(|&&n| n > min && n <= p.len())
            .filter_map(|&n| p.get(..n).and_then(|q| self.prefixes.get(q)).copied())
            .min()
    }
}

/// A location whose subtree could stop the search (nested exact or regex locations).
fn has_stoppers(l: &Location) -> bool {
    l.children.iter().any(|c| matches!(c.modifier, Modifier::Exact) || c.modifier.is_regex() || has_stoppers(c))
}

/// `levels`: the levels from the server down to the location's own level, each with the index
/// of the location taken at that level.
fn shadow_of(levels: &[(Level, usize)]) -> Option<Shadow> {
    let (own, i) = levels.last().map(|(l, i)| (l, *i))?;
    let l = &own.locs[i];
    match l.modifier {
        Modifier::Regex | Modifier::RegexCaseless => {
            let facts = own.regexes[i].as_ref()?;
            let caseless = facts.caseless;
            let prefix = facts.prefix.as_deref();
            let run = facts.run.as_deref().filter(|q| !q.is_empty());
            // The same pattern, or an end-independent regex whose literal fits one of ours.
            let texts: Vec<&str> = prefix.into_iter().chain(run).collect();
            let mut order: Vec<usize> = match own.indexed {
                true => own.by_pattern.get(l.pattern.as_str()).map_or(&[][..], Vec::as_slice).iter().copied().take_while(|&s| s < i).collect(),
                false => (0..i).filter(|&s| own.regexes[s].is_some()).collect(),
            };
            // Without a literal only the same-pattern test can apply, and `by_pattern` holds those.
            if !own.indexed || !texts.is_empty() {
                order.extend(own.candidates(i, &texts));
            }
            order.sort_unstable();
            order.dedup();
            for s_i in order {
                let (s, Some(sf)) = (&own.locs[s_i], own.regexes[s_i].as_ref()) else { continue };
                let s_caseless = sf.caseless;
                if s.pattern == l.pattern && (s_caseless || !caseless) {
                    return Some(Shadow { by: s.span, why: format!("the earlier `{}` has the same pattern", s.label()) });
                }
                if let Some(q) = prefix {
                    let case_ok = s_caseless || !caseless || !q.chars().any(|c| c.is_alphabetic());
                    if case_ok && own.covers(s_i, q) {
                        return Some(Shadow {
                            by: s.span,
                            why: format!("every URI it matches starts with \"{q}\", and the earlier `{}` matches all of those", s.label()),
                        });
                    }
                }
                // Unanchored on both sides: every match of the later regex contains its leading
                // literal; an earlier regex that depends on neither end and matches that literal
                // matches every such URI (`~ /\.` before `~ /\.well-known/`).
                if let Some(q) = run {
                    let case_ok = s_caseless || !caseless || !q.chars().any(|c| c.is_alphabetic());
                    if case_ok && sf.start_independent && own.covers(s_i, q) {
                        return Some(Shadow {
                            by: s.span,
                            why: format!("every URI it matches contains \"{q}\", and the earlier `{}` matches any URI containing that", s.label()),
                        });
                    }
                }
            }
            None
        }
        Modifier::Prefix | Modifier::PrefixNoRegex | Modifier::Exact => {
            let p = &l.pattern;
            // A longer sibling prefix of an enclosing location takes every URI reaching here.
            for (sibs, a) in &levels[..levels.len() - 1] {
                let a = *a;
                let anc = &sibs.locs[a];
                if !matches!(anc.modifier, Modifier::Prefix | Modifier::PrefixNoRegex) {
                    continue;
                }
                if let Some(b) = sibs.longer_prefix_of(p, anc.pattern.len()).map(|b| &sibs.locs[b]) {
                    return Some(Shadow {
                        by: b.span,
                        why: format!("every URI it could get selects the longer `{}` instead of the enclosing `{}`", b.label(), anc.label()),
                    });
                }
            }
            if l.modifier != Modifier::Prefix || has_stoppers(l) {
                return None;
            }
            // Regexes of its own level, then of enclosing levels: a level's regexes run unless the
            // location taken there is `^~`; a regex location taken ends the search.
            for k in (0..levels.len()).rev() {
                let (sibs, a) = (&levels[k].0, levels[k].1);
                if sibs.locs[a].modifier.is_regex() {
                    break;
                }
                if sibs.locs[a].modifier == Modifier::PrefixNoRegex {
                    continue;
                }
                for s_i in sibs.candidates(sibs.locs.len(), &[p]) {
                    if sibs.covers(s_i, p) {
                        let s = &sibs.locs[s_i];
                        return Some(Shadow {
                            by: s.span,
                            why: format!("every URI starting with \"{p}\" matches `{}`, and regexes win over prefixes without ^~", s.label()),
                        });
                    }
                }
            }
            None
        }
        Modifier::Named => None,
    }
}

fn walk<'m>(levels: &mut Vec<(Level<'m>, usize)>, locs: &'m [Location], found: &mut Vec<(&'m Location, Shadow)>) {
    if locs.is_empty() {
        return;
    }
    levels.push((Level::new(locs), 0));
    for (i, l) in locs.iter().enumerate() {
        if let Some(top) = levels.last_mut() {
            top.1 = i;
        }
        if let Some(s) = shadow_of(levels) {
            found.push((l, s));
        } else {
            walk(levels, &l.children, found);
        }
    }
    levels.pop();
}

/// Cross-checks a proof with the router: requests for URIs the location could get (its prefix,
/// and longer ones) must land elsewhere. False when one lands in it; true when no such request
/// can be built (no name or socket to address the server with).
fn confirmed(cx: &RuleContext, router: &mut crate::model::routing::Router, server: usize, l: &Location) -> bool {
    use crate::model::routing::Request;
    let s = &cx.model.servers[server];
    let Some(host) = s.names.iter().find_map(|n| match n {
        crate::model::ServerName::Exact(e) if !e.is_empty() => Some(e.clone()),
        _ => None,
    }) else {
        return true;
    };
    let (addr, port) = match s.listens.first() {
        Some(l) if l.is_wildcard() => ("*".to_string(), l.port),
        Some(l) => (l.addr.trim_start_matches('[').trim_end_matches(']').to_string(), l.port),
        None => ("*".to_string(), 80),
    };
    let probes: Vec<String> = match l.modifier {
        Modifier::Exact => vec![l.pattern.clone()],
        Modifier::Prefix | Modifier::PrefixNoRegex => vec![l.pattern.clone(), format!("{}x", l.pattern), format!("{}x/y.html", l.pattern)],
        _ => return true,
    };
    for uri in probes {
        let r = router.route(&Request { addr: addr.clone(), port, host: host.clone(), uri });
        if r.server == Some(server) && r.location(cx.model).is_some_and(|got| got.span == l.span) {
            return false;
        }
    }
    true
}

fn check(cx: &RuleContext, out: &mut Findings) {
    let mut found = Vec::new();
    let mut router = crate::model::routing::Router::new(cx.model);
    for (si, s) in cx.model.servers.iter().enumerate() {
        let mut here = Vec::new();
        walk(&mut Vec::new(), &s.locations, &mut here);
        for (l, shadow) in here {
            if confirmed(cx, &mut router, si, l) {
                found.push((l.span, l.label(), shadow));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (span, label, s) in found {
        if !seen.insert(span) {
            continue;
        }
        let d = out.report(span, format!("`{label}` can never be selected: {}", s.why));
        d.labels.push(crate::report::Label { span: s.by, message: "takes its requests".into() });
        d.help = Some("use `^~` on the prefix, reorder or narrow the regexes, or remove the dead block".into());
    }
}

#[cfg(test)]
mod tests {
    use super::literal_prefix;
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("AVL001", "location ~ / { }\nlocation /api/ { }");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("location /api/"), "{}", f[0].message);
        assert_eq!(findings("AVL001", "server_name example.com;\nlocation ~ ^/api { }\nlocation /api/admin/ { deny all; }").len(), 1);
        assert_eq!(findings("AVL001", "location ~* ^/st { }\nlocation ~ ^/static/.*\\.css$ { }").len(), 1);
        assert_eq!(findings("AVL001", "location ~ \\.php$ { }\nlocation ~ \\.php$ { }").len(), 1);
        assert_eq!(findings("AVL001", "location /a/ { location /a/b/c/ { } }\nlocation /a/b/ { }").len(), 1);
        assert_eq!(findings("AVL001", "server_name x.test;\nlocation /a/ { location = /a/b/c { } }\nlocation /a/b/ { }").len(), 1);
        // nginx falls back to outer regexes even below a nested `^~`.
        assert_eq!(findings("AVL001", "server_name x.test;\nlocation /a/ { location ^~ /a/b/ { location /a/b/c/ { } } }\nlocation ~ ^/a { }").len(), 1);
        // An outer regex takes URIs after the nested search found no regex.
        assert_eq!(findings("AVL001", "location /a/ { location /a/b/ { } }\nlocation ~ ^/a { }").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("AVL001", "location ~ \\.php$ { }\nlocation /api/ { }").is_empty());
        assert!(findings("AVL001", "location ~ ^/api$ { }\nlocation /api/ { }").is_empty());
        assert!(findings("AVL001", "location ~ ^/api { }\nlocation ^~ /api/admin/ { }").is_empty());
        assert!(findings("AVL001", "location ~ ^/api { }\nlocation /api/ { location ~ \\.json$ { } }").is_empty());
        assert!(findings("AVL001", "location ~ ^/static/ { }\nlocation ~* ^/st { }").is_empty());
        assert!(findings("AVL001", "location ~ ^/st { }\nlocation ~* ^/static/ { }").is_empty());
        assert!(findings("AVL001", "location ^~ /a/ { location /a/b/ { } }\nlocation ~ ^/a { }").is_empty());
        assert!(findings("AVL001", "location /a/ { location /a/b/c/ { } }\nlocation /a/x/ { }").is_empty());
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix("^/static/.*").as_deref(), Some("/static/"));
        assert_eq!(literal_prefix("^/ab?c").as_deref(), Some("/a"));
        assert_eq!(literal_prefix("^\\/api\\.v1").as_deref(), Some("/api.v1"));
        assert_eq!(literal_prefix("^/a|/b"), None);
        assert_eq!(literal_prefix("/a"), None);
    }
}
