//! How a request is handled once routed: backends, upstream capacity, redirects, location order,
//! access control, document roots, regex cost and maps.

use super::{
    magnitude, pass_host, show, Context, Draft, ACCESS_CONTROL_CHANGED, MAP_CHANGED, NEW_UPSTREAM_HOSTNAME, PROXY_TARGET_CHANGED, PROXY_URI_CHANGED, REDIRECT_ADDED,
    REGEX_COST, REGEX_ORDER_CHANGED, ROOT_CHANGED, UPSTREAM_CAPACITY,
};
use crate::diff::{Change, ChangeKind, Level};
use crate::risk::Tier;
use std::collections::{BTreeMap, HashMap};

pub fn run(cx: &Context<'_>, out: &mut Vec<Draft>) {
    passes(cx, out);
    upstreams(cx, out);
    for (ci, c) in cx.changes() {
        redirect(cx, ci, c, out);
        order(cx, ci, c, out);
        access(cx, ci, c, out);
        root(cx, ci, c, out);
        regex_cost(cx, ci, c, out);
        map(cx, ci, c, out);
    }
}

const PASSES: [&str; 6] = ["proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"];

fn is_address(host: &str) -> bool {
    let h = host.rsplit_once(':').map_or(host, |(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
    let h = h.trim_start_matches('[').trim_end_matches(']');
    h.parse::<std::net::IpAddr>().is_ok() || h.starts_with("unix:")
}

fn passes(cx: &Context<'_>, out: &mut Vec<Draft>) {
    for (ci, c) in cx.changes() {
        if !PASSES.contains(&c.directive.as_str()) || c.block {
            continue;
        }
        let target = |v: &Option<Vec<String>>| v.as_ref().and_then(|a| a.first()).map(|t| pass_host(t));
        let (old, new) = (target(&c.before), target(&c.after));
        let d = match (&old, &new) {
            (Some((oh, ou)), Some((nh, nu))) if oh == nh && ou != nu => cx
                .for_change(
                    PROXY_URI_CHANGED,
                    ci,
                    format!("{} URI part changes: {} -> {}", c.directive, ou.as_deref().unwrap_or("(none)"), nu.as_deref().unwrap_or("(none)")),
                )
                .explain("with a URI part nginx replaces the matched location prefix with it; without one it passes the request URI unchanged: every proxied path is remapped"),
            (Some(_), Some(_)) => cx
                .for_change(PROXY_TARGET_CHANGED, ci, format!("{} target changes: {} -> {}", c.directive, show(&c.before), show(&c.after)))
                .explain("requests go to another backend: its version, data and capacity decide what users get"),
            (None, Some(_)) => cx
                .for_change(PROXY_TARGET_CHANGED, ci, format!("requests are now passed to {}", show(&c.after)))
                .explain("the location's handler changes from serving files (or another handler) to a backend"),
            (Some(_), None) => cx
                .for_change(PROXY_TARGET_CHANGED, ci, format!("no longer passed to {}", show(&c.before)))
                .explain("the location's handler changes: without a backend nginx serves files from root"),
            (None, None) => continue,
        };
        out.push(d);
    }
    hostnames(cx, out);
}

/// Every backend address a tree names (`*_pass` targets and upstream `server` entries), with
/// its node and the labels of its enclosing blocks (shared, not copied per child: a server
/// label lists every listen, and a block may hold thousands of directives).
fn backends<'t, 's>(tree: &'t crate::diff::Tree<'s>) -> Vec<(String, &'t crate::diff::Node<'s>, std::rc::Rc<str>)> {
    let mut out = Vec::new();
    let root: std::rc::Rc<str> = "".into();
    let mut stack: Vec<(&crate::diff::Node, std::rc::Rc<str>, bool)> = tree.items.iter().rev().map(|n| (n, root.clone(), false)).collect();
    while let Some((n, path, in_upstream)) = stack.pop() {
        let host = if PASSES.contains(&&*n.name) && !n.is_block() {
            n.args.first().map(|a| pass_host(a).0)
        } else if in_upstream && n.name == "server" && !n.is_block() {
            n.args.first().map(|a| a.to_string())
        } else {
            None
        };
        if let Some(h) = host {
            out.push((h, n, path.clone()));
        }
        if n.is_block() {
            let label: std::rc::Rc<str> = if path.is_empty() { n.label().into() } else { format!("{path} > {}", n.label()).into() };
            let up = in_upstream || n.name == "upstream";
            for c in n.children().iter().rev() {
                stack.push((c, label.clone(), up));
            }
        }
    }
    out
}

/// Backends named by host names the old configuration did not use: nginx resolves them at load.
fn hostnames(cx: &Context<'_>, out: &mut Vec<Draft>) {
    let upstreams: std::collections::HashSet<&str> = cx.i.after.model().upstreams.iter().map(|u| u.name.as_str()).collect();
    let old: std::collections::HashSet<String> = backends(cx.i.before.tree).into_iter().map(|(h, _, _)| h).collect();
    // Upstream blocks of a snippet (the model sees only whole http blocks).
    let block_names: std::collections::HashSet<String> = cx.i.after.tree.items.iter().filter(|u| u.name == "upstream").filter_map(|u| u.args.first().map(|a| a.to_string())).collect();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (h, n, path) in backends(cx.i.after.tree) {
        let name = h.split(':').next().unwrap_or("").to_string();
        let known = old.contains(&h) || upstreams.contains(&h.as_str()) || block_names.contains(&h);
        if h.contains('$') || is_address(&h) || known || seen.contains(&name) || name.is_empty() {
            continue;
        }
        seen.insert(name.clone());
        let ci = cx.changes().find(|(_, c)| c.after_span.is_some_and(|s| s.file == n.span.file && s.start <= n.span.start && n.span.end <= s.end)).map(|(i, _)| i);
        let msg = format!("backend host name {name} is resolved when nginx loads");
        let d = match ci {
            Some(ci) => cx.for_change(NEW_UPSTREAM_HOSTNAME, ci, msg),
            None => Draft::new(NEW_UPSTREAM_HOSTNAME, msg).path(format!("{path} > {}", n.name).trim_start_matches(" > ").to_string()),
        };
        out.push(
            d.share(1.0, "a failed restart takes the whole instance down")
                .confidence(0.7)
                .explain("nginx resolves proxy_pass and upstream host names once, at load: if DNS fails there nginx refuses to start, and later DNS changes are not seen")
                .verify(format!("getent hosts {name} on every target")),
        );
    }
}

/// Live capacity of an upstream: total weight of members neither `down` nor `backup`.
fn capacity(members: &[Vec<String>]) -> (f64, usize) {
    let mut weight = 0.0;
    let mut live = 0;
    for m in members {
        if m.iter().any(|p| p == "down" || p == "backup") {
            continue;
        }
        live += 1;
        weight += m.iter().find_map(|p| p.strip_prefix("weight=")).and_then(|w| w.parse::<f64>().ok()).unwrap_or(1.0);
    }
    (weight, live)
}

fn upstreams(cx: &Context<'_>, out: &mut Vec<Draft>) {
    let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (ci, c) in cx.changes() {
        if c.level == Level::Upstream && c.directive == "server" {
            if let Some(name) = c.scope.iter().find_map(|s| s.strip_prefix("upstream ")) {
                by.entry(name.to_string()).or_default().push(ci);
            }
        }
    }
    // Each side's upstreams by name (the first of a name).
    fn index(m: &crate::model::Model) -> HashMap<&str, &crate::model::Upstream> {
        let mut ix: HashMap<&str, &crate::model::Upstream> = HashMap::new();
        for u in &m.upstreams {
            ix.entry(u.name.as_str()).or_insert(u);
        }
        ix
    }
    let (before, after) = (index(cx.i.before.model()), index(cx.i.after.model()));
    for (name, cis) in by {
        let find = |ix: &HashMap<&str, &crate::model::Upstream>| ix.get(name.as_str()).map(|u| u.servers.clone());
        let (Some(old), Some(new)) = (find(&before), find(&after)) else { continue };
        let ((ow, ol), (nw, nl)) = (capacity(&old), capacity(&new));
        let first = cis[0];
        for &ci in &cis[1..] {
            cx.claim(ci);
        }
        let path = cx.i.diff.changes[first].scope.join(" > ");
        let d = if nl == 0 {
            cx.for_change(UPSTREAM_CAPACITY, first, format!("upstream {name} has no live member left ({ol} before): every request to it fails with 502"))
                .tier(Tier::TrafficLoss)
                .explain("all members are removed, down or backup-only: nginx has nowhere to send requests")
        } else if nw < ow {
            cx.for_change(UPSTREAM_CAPACITY, first, format!("upstream {name} capacity {ow} -> {nw} (live members {ol} -> {nl})"))
                .modifier(format!("capacity cut {:.1}x", ow / nw), magnitude(ow, nw))
                .explain("fewer live members (or lower weights) carry the same load: slower responses and 502/504 at peak")
        } else {
            cx.for_change(UPSTREAM_CAPACITY, first, format!("upstream {name} members change (live {ol} -> {nl})"))
                .tier(Tier::Behaviour)
                .confidence(0.7)
                .explain("requests go to different backends: check they run the same version and are healthy")
        };
        let (share, scope) = cx.upstream_share(&name);
        out.push(d.share(share, scope).path(path).verify(format!("check every member of upstream {name} is reachable from the nginx hosts before shipping")));
    }
}

fn redirect(cx: &Context<'_>, ci: usize, c: &Change, out: &mut Vec<Draft>) {
    if c.block || !matches!(c.kind, ChangeKind::Added | ChangeKind::Modified) || !(c.directive == "return" || c.directive == "rewrite") {
        return;
    }
    let args = c.after.clone().unwrap_or_default();
    let whole = c.level == Level::Server || (c.level == Level::Location && c.location.as_ref().is_some_and(|l| l[0].is_empty() && l[1] == "/"));
    if c.directive == "return" {
        let code = args.first().and_then(|a| a.parse::<u16>().ok());
        match code {
            Some(code @ (301 | 302 | 303 | 307 | 308)) => {
                let mut d = cx
                    .for_change(REDIRECT_ADDED, ci, format!("requests are now redirected ({code}) to {}", args.get(1).map_or("", String::as_str)))
                    .explain("every matching request gets a redirect instead of content");
                if matches!(code, 301 | 308) {
                    d = d.modifier("permanent redirect: browsers and caches keep it after a rollback", 1.2);
                }
                if !whole {
                    d = d.confidence(0.7);
                }
                out.push(d);
            }
            Some(code) if whole && (code == 444 || (400..600).contains(&code)) => {
                out.push(
                    cx.for_change(ACCESS_CONTROL_CHANGED, ci, format!("the server now answers {code} to every request"))
                        .tier(Tier::TrafficLoss)
                        .explain("a `return` at this level runs before any location: nothing is served any more"),
                );
            }
            _ => {}
        }
    } else if args.last().is_some_and(|f| f == "permanent" || f == "redirect") && c.kind == ChangeKind::Added {
        let mut d = cx
            .for_change(REDIRECT_ADDED, ci, format!("new {} rewrite {} -> {}", args.last().map_or("", String::as_str), args.first().map_or("", String::as_str), args.get(1).map_or("", String::as_str)))
            .explain("matching requests get a redirect instead of content");
        if args.last().is_some_and(|f| f == "permanent") {
            d = d.modifier("permanent redirect: browsers and caches keep it after a rollback", 1.2);
        }
        out.push(d);
    }
}

fn order(cx: &Context<'_>, ci: usize, c: &Change, out: &mut Vec<Draft>) {
    if c.directive != "location" {
        return;
    }
    if c.kind == ChangeKind::Reordered {
        let server = c.servers.1.map_or(1.0, |j| cx.after.server(j));
        let d = cx
            .for_change(REGEX_ORDER_CHANGED, ci, format!("regex locations reordered: {} -> {}", show(&c.before), show(&c.after)))
            .share(server * 0.5, "regex-matched URIs of one server")
            .explain("nginx uses the first regex location that matches: URIs matched by both now go to another location");
        out.push(d);
    } else if c.kind == ChangeKind::Added && c.block && c.detail.as_deref().is_some_and(|d| d.starts_with("inserted above")) {
        let server = c.servers.1.map_or(1.0, |j| cx.after.server(j));
        // Without a leading `^` the new regex can match URIs under any prefix, including the
        // ones the regexes below it serve.
        let unanchored = c.location.as_ref().is_some_and(|l| !l[1].starts_with('^'));
        let d = cx
            .for_change(REGEX_ORDER_CHANGED, ci, format!("new {} {}", c.path.rsplit(" > ").next().unwrap_or(""), c.detail.as_deref().unwrap_or("")))
            .share(if unanchored { server } else { server * 0.5 }, "regex-matched URIs of one server")
            .confidence(if unanchored { 1.0 } else { 0.7 })
            .explain("a regex placed above others wins for every URI it matches, including ones they used to serve");
        out.push(d);
    }
}

fn access(cx: &Context<'_>, ci: usize, c: &Change, out: &mut Vec<Draft>) {
    let d = match (c.directive.as_str(), c.kind) {
        ("allow/deny", ChangeKind::Reordered) => {
            let deny_first = c.after.as_ref().and_then(|l| l.first()).is_some_and(|f| f == "deny all");
            let d = cx
                .for_change(ACCESS_CONTROL_CHANGED, ci, format!("allow/deny order changes: {} -> {}", show(&c.before), show(&c.after)))
                .explain("nginx applies the first allow/deny that matches the client: a new order lets in or shuts out other clients");
            if deny_first {
                d.tier(Tier::TrafficLoss).explain("`deny all` now comes first: every client is refused with 403")
            } else {
                d
            }
        }
        ("deny", ChangeKind::Added) => {
            let all = c.after.as_ref().is_some_and(|a| a.first().is_some_and(|x| x == "all"));
            let d = cx.for_change(ACCESS_CONTROL_CHANGED, ci, format!("new `deny {}`", show(&c.after)));
            if all {
                let d = d.tier(Tier::TrafficLoss).explain("clients not allowed before this line now get 403 on everything below this level");
                if matches!(c.level, Level::Http | Level::Server) {
                    d.modifier("applies to every location of the scope", 1.25)
                } else {
                    d
                }
            } else {
                d.explain("clients in this range now get 403")
            }
        }
        ("allow", ChangeKind::Removed) => cx
            .for_change(ACCESS_CONTROL_CHANGED, ci, format!("`allow {}` removed", show(&c.before)))
            .explain("clients in this range no longer get through: they now meet the next rule (often `deny all`)"),
        ("allow", ChangeKind::Added) | ("deny", ChangeKind::Removed) => cx
            .for_change(ACCESS_CONTROL_CHANGED, ci, format!("`{} {}` {}", c.directive, show(if c.kind == ChangeKind::Added { &c.after } else { &c.before }), if c.kind == ChangeKind::Added { "added" } else { "removed" }))
            .tier(Tier::Hardening)
            .explain("more clients get in: check the range is meant to be trusted"),
        ("auth_basic" | "auth_request" | "auth_jwt", ChangeKind::Added) => cx
            .for_change(ACCESS_CONTROL_CHANGED, ci, format!("authentication added: {} {}", c.directive, show(&c.after)))
            .explain("clients and monitors that do not send credentials now get 401"),
        ("auth_basic" | "auth_request" | "auth_jwt", ChangeKind::Removed) => cx
            .for_change(ACCESS_CONTROL_CHANGED, ci, format!("authentication removed: {} {}", c.directive, show(&c.before)))
            .tier(Tier::Hardening)
            .explain("the content is now public"),
        _ => return,
    };
    out.push(d);
}

fn root(cx: &Context<'_>, ci: usize, c: &Change, out: &mut Vec<Draft>) {
    if c.block || !(c.directive == "root" || c.directive == "alias") {
        return;
    }
    let d = cx
        .for_change(ROOT_CHANGED, ci, format!("{} changes: {} -> {}", c.directive, show(&c.before), show(&c.after)))
        .explain("files are now looked up elsewhere: anything missing there becomes a 404, anything extra becomes public");
    out.push(d);
}

/// A repetition that contains another unbounded repetition: `(a+)+`, `(.*)*`, `(\w+\s?)*`.
pub fn nested_quantifier(pattern: &str) -> bool {
    use regex_syntax::ast::{parse::Parser, Ast};
    let Ok(ast) = Parser::new().parse(pattern) else { return false };
    fn unbounded(r: &regex_syntax::ast::RepetitionKind) -> bool {
        use regex_syntax::ast::{RepetitionKind, RepetitionRange};
        matches!(r, RepetitionKind::ZeroOrMore | RepetitionKind::OneOrMore | RepetitionKind::Range(RepetitionRange::AtLeast(_)))
    }
    // Iterative walk: (node, inside an unbounded repetition).
    let mut stack: Vec<(&Ast, bool)> = vec![(&ast, false)];
    while let Some((node, inside)) = stack.pop() {
        match node {
            Ast::Repetition(r) => {
                let u = unbounded(&r.op.kind);
                if u && inside {
                    return true;
                }
                stack.push((&r.ast, inside || u));
            }
            Ast::Group(g) => stack.push((&g.ast, inside)),
            Ast::Alternation(a) => stack.extend(a.asts.iter().map(|x| (x, inside))),
            Ast::Concat(c) => stack.extend(c.asts.iter().map(|x| (x, inside))),
            _ => {}
        }
    }
    false
}

fn regex_cost(cx: &Context<'_>, ci: usize, c: &Change, out: &mut Vec<Draft>) {
    let pattern = match (c.directive.as_str(), c.block, c.kind) {
        ("location", true, ChangeKind::Added) => c.location.as_ref().filter(|l| l[0].starts_with('~')).map(|l| l[1].clone()),
        _ => None,
    };
    let Some(p) = pattern else { return };
    if nested_quantifier(&p) {
        // Every URI of the server that reaches regex matching pays for it.
        let server = c.servers.1.map_or(1.0, |j| cx.after.server(j));
        let d = cx
            .for_change(REGEX_COST, ci, format!("regex `{p}` nests unbounded quantifiers"))
            .share(server, "every URI of one server that reaches regex matching")
            .confidence(0.7)
            .explain("PCRE backtracks exponentially on crafted URIs for patterns like `(a+)+`: one request can pin a worker")
            .verify(format!("time curl on a long crafted URI such as /{}! against a staging node", "a".repeat(40)));
        out.push(d);
    }
}

fn map(cx: &Context<'_>, ci: usize, c: &Change, out: &mut Vec<Draft>) {
    let Some(s) = c.entries else { return };
    if c.directive != "map" && c.directive != "geo" && c.directive != "split_clients" {
        return;
    }
    let name = c.path.rsplit(" > ").next().unwrap_or("").to_string();
    let d = if s.regex_reordered {
        cx.for_change(MAP_CHANGED, ci, format!("{name}: regex entries reordered (the first match wins)"))
            .tier(Tier::Behaviour)
            .explain("values computed from the map change for keys that match several regexes")
    } else if s.before > 0 && s.after as f64 > 1.5 * s.before as f64 && s.after >= 20 {
        cx.for_change(MAP_CHANGED, ci, format!("{name} grew from {} to {} entries", s.before, s.after))
            .modifier("generated or bulk input", 1.1)
            .confidence(0.7)
            .explain("large maps are usually generated: a bad generator run changes many answers at once, and hash sizes may need raising")
    } else if s.removed > 0 || s.changed > 0 {
        cx.for_change(MAP_CHANGED, ci, format!("{name}: {} entries removed, {} changed", s.removed, s.changed))
            .tier(Tier::Behaviour)
            .confidence(0.7)
            .explain("requests whose key matched a removed or changed entry now get another value (or the default)")
    } else {
        cx.claim(ci);
        return;
    };
    out.push(d);
}
