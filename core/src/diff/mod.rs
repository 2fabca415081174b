//! The semantic diff of two configurations.
//!
//! Both sides are expanded ([`tree`]: includes inlined, comments and layout gone, values in
//! canonical form) and compared block by block: servers by identity (listen sockets and names,
//! with rename detection), locations by modifier and pattern, other blocks by name and arguments;
//! directives by name, as single values, keyed lists (`add_header NAME`), sets, or ordered lists
//! where nginx evaluates them in order (`allow`/`deny`, `rewrite`, `set`, regex locations,
//! regex map entries). A directive removed from one level takes the value an enclosing level or
//! nginx's default gives it, so only real changes of effective value are reported.

pub mod defaults;
pub mod tree;

use crate::include::Config;
use crate::model::location_of;
use crate::source::{SourceSet, Span};
use crate::spec::NginxVersion;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::borrow::Cow;
use std::cell::OnceCell;
pub use tree::{Body, IncludeSite, Node, Tree};

/// What happened to a directive or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
    /// Same elements, different order, where nginx evaluates them in order.
    Reordered,
}

/// Where a value on one side of a change comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Written at this level.
    Explicit,
    /// Set by an enclosing block.
    Inherited,
    /// nginx's built-in default.
    Default,
    /// Not set at all.
    Unset,
}

/// The innermost kind of block a change sits in: how much traffic it can touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Main,
    Events,
    Http,
    Upstream,
    Server,
    Location,
    Stream,
    Mail,
    Other,
}

/// Counts for a handler block (`map`, `geo`, `split_clients`, `types`) whose entries changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct EntryStats {
    pub before: usize,
    pub after: usize,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// Regex entries (tested in order) are in a different order.
    pub regex_reordered: bool,
}

/// One semantic change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Change {
    pub kind: ChangeKind,
    /// `http > server[listen 443 ssl; server_name example.com] > location ~ \.php$ > fastcgi_pass`
    pub path: String,
    /// Labels of the enclosing blocks.
    pub scope: Vec<String>,
    pub level: Level,
    /// The directive (or block) name.
    pub directive: String,
    /// A whole block was added, removed or changed as a unit.
    pub block: bool,
    /// Arguments before and after (for ordered lists: the list, one element per entry).
    pub before: Option<Vec<String>>,
    pub after: Option<Vec<String>>,
    pub before_origin: Origin,
    pub after_origin: Origin,
    /// Where, on each side (the JSON contract gives these as `before_at`/`after_at` positions).
    #[serde(skip)]
    pub before_span: Option<Span>,
    #[serde(skip)]
    pub after_span: Option<Span>,
    /// The enclosing (or changed) http server on each side: indexes into `Model::servers`.
    #[serde(skip)]
    pub servers: (Option<usize>, Option<usize>),
    /// The innermost enclosing (or changed) location's `[modifier, pattern]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<EntryStats>,
}

/// The diff of two configurations.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// In the order of the new configuration (removals where they were).
    pub changes: Vec<Change>,
    /// Matched http servers: (before, after) indexes into `Model::servers`; one side `None` for
    /// an added or removed server.
    pub server_pairs: Vec<(Option<usize>, Option<usize>)>,
}

/// One side of a comparison.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub files: &'a SourceSet,
    pub config: &'a Config,
}

/// Compares two resolved configurations. `version` picks the defaults a removed value falls
/// back to.
pub fn diff(before: Side<'_>, after: Side<'_>, version: NginxVersion) -> Diff {
    let a = tree::build(before.files, before.config);
    let b = tree::build(after.files, after.config);
    diff_trees(&a, &b, version)
}

/// Compares two expanded trees.
pub fn diff_trees(a: &Tree, b: &Tree, version: NginxVersion) -> Diff {
    let mut d = Differ { version, out: Vec::new(), stack: Vec::new(), servers: (None, None), pairs: Vec::new(), location: None };
    d.block(&mut Vec::new(), &a.items, &b.items);
    d.includes(&a.includes, &b.includes);
    Diff { changes: d.out, server_pairs: d.pairs }
}

/// Directives read in order: their sequence is part of their meaning.
fn ordered(name: &str) -> bool {
    matches!(name, "rewrite" | "set" | "return" | "break" | "try_files" | "error_page" | "sub_filter")
}

/// Directives that repeat per key (the first argument): compared key by key.
fn keyed(name: &str) -> bool {
    matches!(
        name,
        "add_header"
            | "add_trailer"
            | "proxy_set_header"
            | "proxy_hide_header"
            | "proxy_pass_header"
            | "fastcgi_param"
            | "uwsgi_param"
            | "scgi_param"
            | "grpc_set_header"
            | "more_set_headers"
            | "more_clear_headers"
            | "log_format"
            | "limit_req_zone"
            | "limit_conn_zone"
            | "proxy_cache_path"
            | "env"
            | "map_hash_bucket_size"
    )
}

/// Header names are case-insensitive; other keys are not.
fn key_of(n: &Node) -> String {
    let k: &str = n.key().first().map_or("", |k| k);
    if n.name.contains("header") || n.name.ends_with("_param") {
        k.to_ascii_lowercase()
    } else {
        k.to_string()
    }
}

type Saved = ((Option<usize>, Option<usize>), Option<Vec<String>>);

/// One enclosing level's directives on both sides, with each side's last leaf per name, built
/// the first time a nested level asks for an inherited value.
struct Frame<'t> {
    sides: [&'t [Node<'t>]; 2],
    last: [OnceCell<HashMap<&'t str, &'t Node<'t>>>; 2],
}

struct Differ<'t> {
    version: NginxVersion,
    out: Vec<Change>,
    /// The enclosing levels' directives on each side, outermost first (for inherited values).
    stack: Vec<Frame<'t>>,
    servers: (Option<usize>, Option<usize>),
    pairs: Vec<(Option<usize>, Option<usize>)>,
    location: Option<Vec<String>>,
}

fn level_of(scope: &[String]) -> Level {
    let Some(first) = scope.first() else { return Level::Main };
    let has = |n: &str| scope.iter().any(|s| s == n || s.starts_with(&format!("{n} ")) || s.starts_with(&format!("{n}[")));
    match first.as_str() {
        "events" => Level::Events,
        "stream" => Level::Stream,
        "mail" => Level::Mail,
        "http" => {
            if has("location") || has("if") || has("limit_except") {
                Level::Location
            } else if has("upstream") {
                Level::Upstream
            } else if has("server") {
                Level::Server
            } else {
                Level::Http
            }
        }
        _ => Level::Other,
    }
}

fn location_key(n: &Node) -> Option<Vec<String>> {
    let (m, p) = location_of(&n.args)?;
    Some(vec![m.as_str().to_string(), p])
}

fn block_key(n: &Node) -> String {
    match &*n.name {
        "location" => match location_key(n) {
            Some(k) => format!("location {} {}", k[0], k[1]),
            None => n.label(),
        },
        _ => format!("{} {}", n.name, n.key().join(" ")),
    }
}

fn render(n: &Node) -> String {
    if n.args.is_empty() {
        n.name.to_string()
    } else {
        format!("{} {}", n.name, n.args.join(" "))
    }
}

impl<'t> Differ<'t> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        scope: &[String],
        kind: ChangeKind,
        directive: &str,
        block: bool,
        before: Option<(&Node, Origin)>,
        after: Option<(&Node, Origin)>,
        label: Option<String>,
    ) {
        let leaf = label.unwrap_or_else(|| directive.to_string());
        let mut path: Vec<&str> = scope.iter().map(String::as_str).collect();
        path.push(&leaf);
        let explicit = |o: &Option<(&Node, Origin)>| o.as_ref().filter(|(_, o)| *o == Origin::Explicit).map(|(n, _)| n.span);
        // A whole server or location added or removed touches that server or location.
        let level = if block {
            let mut with_self = scope.to_vec();
            with_self.push(leaf.clone());
            level_of(&with_self)
        } else {
            level_of(scope)
        };
        self.out.push(Change {
            kind,
            path: path.join(" > "),
            scope: scope.to_vec(),
            level,
            directive: directive.to_string(),
            block,
            before_span: explicit(&before),
            after_span: explicit(&after),
            before_origin: before.as_ref().map_or(Origin::Unset, |b| b.1),
            after_origin: after.as_ref().map_or(Origin::Unset, |a| a.1),
            before: before.map(|(n, _)| n.args.iter().map(|a| a.to_string()).collect()),
            after: after.map(|(n, _)| n.args.iter().map(|a| a.to_string()).collect()),
            servers: self.servers,
            location: self.location.clone(),
            detail: None,
            entries: None,
        });
    }

    fn block(&mut self, scope: &mut Vec<String>, a: &'t [Node<'t>], b: &'t [Node<'t>]) {
        self.stack.push(Frame { sides: [a, b], last: Default::default() });
        self.leaves(scope, a, b);
        self.blocks(scope, a, b);
        self.stack.pop();
    }

    /// The value `name` takes at the current level of one side when the level itself does not
    /// set it: an enclosing level's, else nginx's default.
    fn fallback(&self, name: &str, after: bool) -> Option<(Node<'t>, Origin)> {
        if defaults::not_inherited(name) {
            return None;
        }
        let levels = &self.stack[..self.stack.len().saturating_sub(1)];
        let side = usize::from(after);
        for f in levels.iter().rev() {
            let last = f.last[side].get_or_init(|| f.sides[side].iter().filter(|n| !n.is_block()).map(|n| (&*n.name, n)).collect());
            if let Some(&n) = last.get(name) {
                return Some((n.clone(), Origin::Inherited));
            }
        }
        let args: Box<[Cow<str>]> = defaults::default(name, self.version)?.iter().map(|&s| Cow::Borrowed(s)).collect();
        let key = tree::canonical(name, &args);
        let canon = (*key != *args).then(|| key.into_iter().map(Cow::Owned).collect());
        Some((Node { name: name.to_string().into(), args, canon, span: Span::default(), body: Body::Leaf, server: None }, Origin::Default))
    }

    fn leaves(&mut self, scope: &[String], a: &'t [Node<'t>], b: &'t [Node<'t>]) {
        let mut names: Vec<&str> = Vec::new();
        let mut groups: HashMap<&str, (Vec<&'t Node<'t>>, Vec<&'t Node<'t>>)> = HashMap::new();
        for (side, list) in [(0, a), (1, b)] {
            for n in list.iter().filter(|n| !n.is_block()) {
                // allow and deny form one list: their interleaving is their meaning.
                let group = if n.name == "deny" { "allow" } else { &*n.name };
                let e = groups.entry(group).or_insert_with(|| {
                    names.push(group);
                    (Vec::new(), Vec::new())
                });
                if side == 0 {
                    e.0.push(n);
                } else {
                    e.1.push(n);
                }
            }
        }
        for name in names {
            let (x, y) = &groups[name];
            let in_upstream = scope.last().is_some_and(|s| s.starts_with("upstream"));
            if name == "allow" || ordered(name) {
                self.list(scope, name, x, y);
            } else if name == "server_name" {
                self.name_set(scope, x, y);
            } else if keyed(name) {
                self.keyed(scope, name, x, y);
            } else if x.len() <= 1 && y.len() <= 1 && !in_upstream {
                self.single(scope, name, x.first().copied(), y.first().copied());
            } else {
                self.multiset(scope, name, x, y);
            }
        }
    }

    fn single(&mut self, scope: &[String], name: &str, x: Option<&'t Node<'t>>, y: Option<&'t Node<'t>>) {
        match (x, y) {
            (Some(x), Some(y)) => {
                if x.key() != y.key() {
                    self.push(scope, ChangeKind::Modified, name, false, Some((x, Origin::Explicit)), Some((y, Origin::Explicit)), None);
                }
            }
            (Some(x), None) => match self.fallback(name, true) {
                Some((f, _)) if f.key() == x.key() => {}
                Some((f, o)) => self.push(scope, ChangeKind::Removed, name, false, Some((x, Origin::Explicit)), Some((&f, o)), None),
                None => self.push(scope, ChangeKind::Removed, name, false, Some((x, Origin::Explicit)), None, None),
            },
            (None, Some(y)) => match self.fallback(name, false) {
                Some((f, _)) if f.key() == y.key() => {}
                Some((f, o)) => self.push(scope, ChangeKind::Added, name, false, Some((&f, o)), Some((y, Origin::Explicit)), None),
                None => self.push(scope, ChangeKind::Added, name, false, None, Some((y, Origin::Explicit)), None),
            },
            (None, None) => {}
        }
    }

    /// Unordered repeats: compared as multisets of canonical arguments.
    fn multiset(&mut self, scope: &[String], name: &str, x: &[&'t Node], y: &[&'t Node]) {
        let (removed, added) = multiset_diff(x, y, |n| n.key().join(" "));
        for n in removed {
            self.push(scope, ChangeKind::Removed, name, false, Some((n, Origin::Explicit)), None, Some(render(n)));
        }
        for n in added {
            self.push(scope, ChangeKind::Added, name, false, None, Some((n, Origin::Explicit)), Some(render(n)));
        }
    }

    fn keyed(&mut self, scope: &[String], name: &str, x: &[&'t Node], y: &[&'t Node]) {
        let (removed, added) = multiset_diff(x, y, |n| format!("{}\u{0}{}", key_of(n), n.key().join(" ")));
        let mut added: Vec<Option<&Node>> = added.into_iter().map(Some).collect();
        let mut added_by_key: HashMap<String, VecDeque<usize>> = HashMap::new();
        for (i, a) in added.iter().enumerate() {
            if let Some(a) = a {
                added_by_key.entry(key_of(a)).or_default().push_back(i);
            }
        }
        for r in removed {
            // Same key on both sides with another value: a modification of that key.
            let k = key_of(r);
            let label = |n: &Node| format!("{} {}", name, n.args.first().cloned().unwrap_or_default());
            if let Some(i) = added_by_key.get_mut(&k).and_then(VecDeque::pop_front) {
                let Some(a) = added[i].take() else { continue };
                self.push(scope, ChangeKind::Modified, name, false, Some((r, Origin::Explicit)), Some((a, Origin::Explicit)), Some(label(r)));
            } else {
                self.push(scope, ChangeKind::Removed, name, false, Some((r, Origin::Explicit)), None, Some(label(r)));
            }
        }
        for a in added.into_iter().flatten() {
            let label = format!("{} {}", name, a.args.first().cloned().unwrap_or_default());
            self.push(scope, ChangeKind::Added, name, false, None, Some((a, Origin::Explicit)), Some(label));
        }
    }

    fn name_set(&mut self, scope: &[String], x: &[&'t Node], y: &[&'t Node]) {
        let set = |l: &[&Node]| {
            let mut v: Vec<String> = l.iter().flat_map(|n| n.args.iter().map(|a| a.to_ascii_lowercase())).collect();
            v.sort();
            v.dedup();
            v
        };
        let (sx, sy) = (set(x), set(y));
        if sx == sy {
            return;
        }
        let kind = match (x.is_empty(), y.is_empty()) {
            (true, _) => ChangeKind::Added,
            (_, true) => ChangeKind::Removed,
            _ => ChangeKind::Modified,
        };
        let mk = |l: &[&Node], v: Vec<String>| {
            l.first().map(|f| Node::leaf("server_name", v, f.span))
        };
        let (nx, ny) = (mk(x, sx), mk(y, sy));
        self.push(
            scope,
            kind,
            "server_name",
            false,
            nx.as_ref().map(|n| (n, Origin::Explicit)),
            ny.as_ref().map(|n| (n, Origin::Explicit)),
            None,
        );
    }

    /// Directives evaluated in order: `allow`/`deny`, `rewrite`, `set`, ...
    fn list(&mut self, scope: &[String], name: &str, x: &[&'t Node], y: &[&'t Node]) {
        let ks = |l: &[&Node]| l.iter().map(|n| format!("{} {}", n.name, n.key().join(" "))).collect::<Vec<_>>();
        let (kx, ky) = (ks(x), ks(y));
        if kx == ky {
            return;
        }
        let label = if name == "allow" { "allow/deny".to_string() } else { name.to_string() };
        let (removed, added) = multiset_diff(x, y, |n| format!("{} {}", n.name, n.key().join(" ")));
        let (nr, na) = (removed.len(), added.len());
        for n in removed {
            self.push(scope, ChangeKind::Removed, &n.name, false, Some((n, Origin::Explicit)), None, Some(render(n)));
        }
        for n in added {
            self.push(scope, ChangeKind::Added, &n.name, false, None, Some((n, Origin::Explicit)), Some(render(n)));
        }
        // The elements both sides share, in each side's order.
        let (in_x, in_y): (HashSet<&String>, HashSet<&String>) = (kx.iter().collect(), ky.iter().collect());
        let common_x: Vec<&String> = kx.iter().filter(|k| in_y.contains(k)).collect();
        let common_y: Vec<&String> = ky.iter().filter(|k| in_x.contains(k)).collect();
        if common_x != common_y || (nr == 0 && na == 0) {
            let as_list = |l: &[&Node]| {
                let first = l.first()?;
                let span = l.iter().fold(first.span, |s, n| s.cover(n.span));
                let args = l.iter().map(|n| render(n)).collect::<Vec<_>>();
                Some(Node::leaf(label.clone(), args, span))
            };
            let (lx, ly) = (as_list(x), as_list(y));
            self.push(
                scope,
                ChangeKind::Reordered,
                &label,
                false,
                lx.as_ref().map(|n| (n, Origin::Explicit)),
                ly.as_ref().map(|n| (n, Origin::Explicit)),
                None,
            );
        }
    }

    fn blocks(&mut self, scope: &mut Vec<String>, a: &'t [Node<'t>], b: &'t [Node<'t>]) {
        let xa: Vec<&Node> = a.iter().filter(|n| n.is_block()).collect();
        let xb: Vec<&Node> = b.iter().filter(|n| n.is_block()).collect();
        let mut matched_b = vec![false; xb.len()];
        let mut pair_of: Vec<Option<usize>> = vec![None; xa.len()];
        // Exact identity first, occurrence by occurrence.
        let ident = |n: &Node| if n.name == "server" { server_identity(n) } else { block_key(n) };
        let mut by_key: HashMap<String, VecDeque<usize>> = HashMap::new();
        for (j, n) in xb.iter().enumerate() {
            by_key.entry(ident(n)).or_default().push_back(j);
        }
        for (i, n) in xa.iter().enumerate() {
            if let Some(j) = by_key.get_mut(&ident(n)).and_then(VecDeque::pop_front) {
                pair_of[i] = Some(j);
                matched_b[j] = true;
            }
        }
        // Servers whose names or sockets changed: pair by overlap.
        pair_servers(&xa, &xb, &mut pair_of, &mut matched_b);
        for (i, n) in xa.iter().enumerate() {
            match pair_of[i] {
                Some(j) => self.pair(scope, n, xb[j]),
                None => {
                    let saved = self.enter(Some(n), None);
                    self.push(scope, ChangeKind::Removed, &n.name, true, Some((n, Origin::Explicit)), None, Some(n.label()));
                    self.leave(saved);
                    if n.server.is_some() {
                        self.pairs.push((n.server_index(), None));
                    }
                }
            }
        }
        let kept_regexes: Vec<usize> = (0..xb.len()).filter(|&k| matched_b[k] && is_regex_location(xb[k])).collect();
        for (j, n) in xb.iter().enumerate() {
            if !matched_b[j] {
                let saved = self.enter(None, Some(n));
                let label = n.label();
                self.push(scope, ChangeKind::Added, &n.name, true, None, Some((n, Origin::Explicit)), Some(label));
                // Where a new regex location lands among the existing ones matters.
                if is_regex_location(n) {
                    // The existing regex locations after it: the first few, then how many more.
                    let from = kept_regexes.partition_point(|&k| k <= j);
                    let below = &kept_regexes[from..];
                    if let Some(last) = self.out.last_mut() {
                        if !below.is_empty() {
                            let shown = crate::report::joined_some(below.iter().map(|&k| xb[k].label()), 4, "");
                            last.detail = Some(format!("inserted above {shown}"));
                        }
                    }
                }
                self.leave(saved);
                if n.server.is_some() {
                    self.pairs.push((None, n.server_index()));
                }
            }
        }
        // Regex locations are tried in order: the same set in another order is a change.
        let regex_order = |side: &[&Node], keep: &dyn Fn(usize) -> bool| -> Vec<String> {
            side.iter()
                .enumerate()
                .filter(|(i, n)| keep(*i) && n.name == "location" && location_key(n).is_some_and(|k| k[0].starts_with('~')))
                .map(|(_, n)| block_key(n))
                .collect()
        };
        let ra = regex_order(&xa, &|i| pair_of[i].is_some());
        let rb = regex_order(&xb, &|j| matched_b[j]);
        if ra != rb {
            let first_a = xa.iter().find(|n| n.name == "location").map(|n| n.span);
            let first_b = xb.iter().find(|n| n.name == "location").map(|n| n.span);
            let mk = |v: Vec<String>, span: Option<Span>| Node::leaf("location", v, span.unwrap_or_default());
            let (na, nb) = (mk(ra, first_a), mk(rb, first_b));
            self.push(scope, ChangeKind::Reordered, "location", false, Some((&na, Origin::Explicit)), Some((&nb, Origin::Explicit)), Some("regex locations".into()));
        }
    }

    /// Sets the server/location context for changes inside `x` (before) / `y` (after).
    fn enter(&mut self, x: Option<&Node>, y: Option<&Node>) -> Saved {
        let saved = (self.servers, self.location.clone());
        let (xs, ys) = (x.and_then(Node::server_index), y.and_then(Node::server_index));
        if xs.is_some() || ys.is_some() {
            self.servers = (xs, ys);
        }
        if let Some(l) = y.or(x).filter(|n| n.name == "location") {
            self.location = location_key(l);
        }
        saved
    }

    fn leave(&mut self, saved: Saved) {
        self.servers = saved.0;
        self.location = saved.1;
    }

    fn pair(&mut self, scope: &mut Vec<String>, x: &'t Node<'t>, y: &'t Node<'t>) {
        let saved = self.enter(Some(x), Some(y));
        if x.server.is_some() || y.server.is_some() {
            self.pairs.push((x.server_index(), y.server_index()));
        }
        let label = y.label();
        match (&x.body, &y.body) {
            (Body::Block(ca), Body::Block(cb)) => {
                scope.push(label);
                self.block(scope, ca, cb);
                scope.pop();
            }
            (Body::Entries(ca), Body::Entries(cb)) => {
                let stats = entry_stats(ca, cb);
                if stats.added + stats.removed + stats.changed > 0 || stats.regex_reordered {
                    self.push(scope, ChangeKind::Modified, &y.name, true, Some((x, Origin::Explicit)), Some((y, Origin::Explicit)), Some(label));
                    if let Some(last) = self.out.last_mut() {
                        last.detail = Some(format!(
                            "{} entries -> {}: {} added, {} removed, {} changed{}",
                            stats.before,
                            stats.after,
                            stats.added,
                            stats.removed,
                            stats.changed,
                            if stats.regex_reordered { ", regex entries reordered" } else { "" }
                        ));
                        last.entries = Some(stats);
                    }
                }
            }
            (Body::Lua(la), Body::Lua(lb)) => {
                if la != lb {
                    self.push(scope, ChangeKind::Modified, &y.name, true, Some((x, Origin::Explicit)), Some((y, Origin::Explicit)), Some(label));
                    if let Some(last) = self.out.last_mut() {
                        last.detail = Some("Lua code changed".into());
                    }
                }
            }
            _ => self.push(scope, ChangeKind::Modified, &y.name, true, Some((x, Origin::Explicit)), Some((y, Origin::Explicit)), Some(label)),
        }
        self.leave(saved);
    }

    /// Include sites present on both sides whose matched files differ (a glob that now matches
    /// nothing). Text moved between files shows up in the expanded trees, not here.
    fn includes(&mut self, a: &[IncludeSite], b: &[IncludeSite]) {
        let mut pool: HashMap<(&str, &[String]), VecDeque<&IncludeSite>> = HashMap::new();
        for y in b {
            pool.entry((y.pattern.as_str(), y.scope.as_slice())).or_default().push_back(y);
        }
        for x in a {
            let Some(y) = pool.get_mut(&(x.pattern.as_str(), x.scope.as_slice())).and_then(VecDeque::pop_front) else { continue };
            if x.files.len() == y.files.len() {
                continue;
            }
            let mut path = x.scope.clone();
            path.push(format!("include {}", x.pattern));
            self.out.push(Change {
                kind: ChangeKind::Modified,
                path: path.join(" > "),
                scope: x.scope.clone(),
                level: level_of(&x.scope),
                directive: "include".into(),
                block: false,
                before: Some(x.files.clone()),
                after: Some(y.files.clone()),
                before_origin: Origin::Explicit,
                after_origin: Origin::Explicit,
                before_span: Some(x.span),
                after_span: Some(y.span),
                servers: (None, None),
                location: None,
                detail: Some(format!("`include {}` matched {} file(s), now {}", x.pattern, x.files.len(), y.files.len())),
                entries: None,
            });
        }
    }
}

/// A server's identity: its listen sockets and names.
fn server_identity(n: &Node) -> String {
    let (mut listens, mut names) = server_parts(n);
    listens.sort();
    names.sort();
    format!("server {} | {}", listens.join(","), names.join(","))
}

fn server_parts(n: &Node) -> (Vec<String>, Vec<String>) {
    let mut listens = Vec::new();
    let mut names = Vec::new();
    for c in n.children() {
        match &*c.name {
            "listen" => listens.push(c.key().join(" ")),
            "server_name" => names.extend(c.args.iter().map(|a| a.to_ascii_lowercase())),
            _ => {}
        }
    }
    (listens, names)
}

fn is_regex_location(n: &Node) -> bool {
    n.name == "location" && location_key(n).is_some_and(|k| k[0].starts_with('~'))
}

/// Pairs servers left unpaired by identity, in order: each takes the free server of the other
/// side most like it ([`server_similarity`], first on ties), if any is at all. Scores are
/// accumulated from indexes of the other side's names and (for servers without names)
/// directives, so only servers sharing something are looked at, instead of scoring every pair
/// (a change that renames or re-ports thousands of servers).
///
/// Sockets are shared widely (every server on `listen 80`), so they are indexed by the whole
/// set of sockets a server listens on: servers with the same set score the same on sockets, and
/// of those only the first free one can win unless names or directives add to another's score.
/// A server then looks at one candidate per such set sharing a socket with it (a handful in real
/// configurations) instead of every server on its sockets.
fn pair_servers(xa: &[&Node], xb: &[&Node], pair_of: &mut [Option<usize>], matched_b: &mut [bool]) {
    struct Parts {
        names: Vec<String>,
        sockets: Vec<String>,
        leaves: Vec<String>,
    }
    let parts = |n: &Node| {
        let (listens, names) = server_parts(n);
        let sockets = listens.iter().map(|l| l.split_whitespace().next().unwrap_or("").to_string()).collect();
        let leaves = if names.is_empty() { server_leaves(n) } else { Vec::new() };
        Parts { names, sockets, leaves }
    };
    let free_b: Vec<usize> = (0..xb.len()).filter(|&j| !matched_b[j] && xb[j].name == "server").collect();
    if free_b.is_empty() {
        return;
    }
    // Other side's servers by name and by directive (each server once per key), and their
    // socket groups by socket.
    type Index = HashMap<String, Vec<usize>>;
    let (mut by_name, mut by_socket, mut by_leaf): (Index, Index, Index) = Default::default();
    let mut nameless = vec![false; xb.len()];
    // Free servers by their sorted sockets (listens with repeats), and the next one not yet taken.
    struct Group {
        sockets: Vec<String>,
        members: Vec<usize>,
        next: usize,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<Vec<String>, usize> = HashMap::new();
    let mut group_id = vec![0; xb.len()];
    for &j in &free_b {
        let p = parts(xb[j]);
        nameless[j] = p.names.is_empty();
        let mut sockets = p.sockets;
        sockets.sort();
        let g = match group_of.get(&sockets) {
            Some(&g) => g,
            None => {
                let g = groups.len();
                let mut distinct = sockets.clone();
                distinct.dedup();
                for s in distinct {
                    by_socket.entry(s).or_default().push(g);
                }
                group_of.insert(sockets.clone(), g);
                groups.push(Group { sockets, members: Vec::new(), next: 0 });
                g
            }
        };
        groups[g].members.push(j);
        group_id[j] = g;
        let mut names: Vec<&String> = p.names.iter().filter(|n| !n.is_empty()).collect();
        names.sort();
        names.dedup();
        for n in names {
            by_name.entry(n.clone()).or_default().push(j);
        }
        let mut leaves = p.leaves;
        leaves.sort();
        leaves.dedup();
        for l in leaves {
            by_leaf.entry(l).or_default().push(j);
        }
    }
    let mut score = vec![0usize; xb.len()];
    let mut touched: Vec<usize> = Vec::new();
    // Per group: the last server (of this side) it was looked at for, and its socket score then.
    let mut seen_group = vec![(usize::MAX, 0); groups.len()];
    for (i, n) in xa.iter().enumerate() {
        if pair_of[i].is_some() || n.name != "server" {
            continue;
        }
        let p = parts(n);
        let mut add = |j: usize, w: usize, score: &mut Vec<usize>| {
            if !matched_b[j] {
                if score[j] == 0 {
                    touched.push(j);
                }
                score[j] += w;
            }
        };
        for name in p.names.iter().filter(|n| !n.is_empty()) {
            for &j in by_name.get(name).map(Vec::as_slice).unwrap_or(&[]) {
                add(j, 2, &mut score);
            }
        }
        if p.names.is_empty() {
            for l in &p.leaves {
                for &j in by_leaf.get(l).map(Vec::as_slice).unwrap_or(&[]) {
                    if nameless[j] {
                        add(j, 1, &mut score);
                    }
                }
            }
        }
        let mut sockets: Vec<&String> = p.sockets.iter().collect();
        sockets.sort();
        sockets.dedup();
        // One per listen of the other server on one of these sockets.
        let shared = |theirs: &[String]| theirs.iter().filter(|s| sockets.binary_search(s).is_ok()).count();
        let scored = touched.len();
        for s in &sockets {
            for &g in by_socket.get(*s).map(Vec::as_slice).unwrap_or(&[]) {
                if seen_group[g].0 == i {
                    continue;
                }
                let group = &mut groups[g];
                seen_group[g] = (i, shared(&group.sockets));
                while group.members.get(group.next).is_some_and(|&j| matched_b[j]) {
                    group.next += 1;
                }
                // A server already scored has its sockets counted and outranks the rest.
                if let Some(&j) = group.members.get(group.next).filter(|&&j| score[j] == 0) {
                    touched.push(j);
                    score[j] = seen_group[g].1;
                }
            }
        }
        for &j in &touched[..scored] {
            let (seen, w) = seen_group[group_id[j]];
            if seen == i {
                score[j] += w;
            }
        }
        let best = touched.iter().copied().filter(|&j| score[j] > 0).max_by_key(|&j| (score[j], std::cmp::Reverse(j)));
        for j in touched.drain(..) {
            score[j] = 0;
        }
        if let Some(j) = best {
            pair_of[i] = Some(j);
            matched_b[j] = true;
        }
    }
}

/// A server's directives other than `listen`, for servers without names: what they do
/// identifies them.
fn server_leaves(n: &Node) -> Vec<String> {
    n.children().iter().filter(|c| !c.is_block() && c.name != "listen").map(|c| format!("{} {}", c.name, c.key().join(" "))).collect()
}

/// How alike two servers are: shared names count double, shared sockets once. (The definition
/// [`pair_servers`] computes through its indexes.)
#[cfg(test)]
fn server_similarity(x: &Node, y: &Node) -> usize {
    let (lx, nx) = server_parts(x);
    let (ly, ny) = server_parts(y);
    let names = nx.iter().filter(|n| !n.is_empty() && ny.contains(n)).count();
    let socket = |l: &String| l.split_whitespace().next().unwrap_or("").to_string();
    let sx: Vec<String> = lx.iter().map(socket).collect();
    let listens = ly.iter().map(socket).filter(|s| sx.contains(s)).count();
    // Servers without names (stream, mail, catch-alls): what they do identifies them.
    let same_job = if nx.is_empty() && ny.is_empty() {
        let ly = server_leaves(y);
        server_leaves(x).iter().filter(|l| ly.contains(l)).count()
    } else {
        0
    };
    2 * names + listens + same_job
}

/// Elements of `x` not in `y` and of `y` not in `x`, counting repeats.
fn multiset_diff<'n, 's>(x: &[&'n Node<'s>], y: &[&'n Node<'s>], key: impl Fn(&Node) -> String) -> (Vec<&'n Node<'s>>, Vec<&'n Node<'s>>) {
    let mut counts: HashMap<String, isize> = HashMap::new();
    for n in y {
        *counts.entry(key(n)).or_default() += 1;
    }
    let mut removed = Vec::new();
    for n in x {
        let c = counts.entry(key(n)).or_default();
        if *c > 0 {
            *c -= 1;
        } else {
            removed.push(*n);
        }
    }
    let mut counts: HashMap<String, isize> = HashMap::new();
    for n in x {
        *counts.entry(key(n)).or_default() += 1;
    }
    let mut added = Vec::new();
    for n in y {
        let c = counts.entry(key(n)).or_default();
        if *c > 0 {
            *c -= 1;
        } else {
            added.push(*n);
        }
    }
    (removed, added)
}

/// Compares handler entries: plain keys as a map, regex keys (`~...`) as an ordered list.
fn entry_stats(a: &[Node], b: &[Node]) -> EntryStats {
    let split = |l: &[Node]| {
        let mut plain: BTreeMap<String, String> = BTreeMap::new();
        let mut regex: Vec<String> = Vec::new();
        for n in l {
            if n.name.starts_with('~') {
                regex.push(n.name.to_string());
            }
            plain.insert(n.name.to_string(), n.key().join(" "));
        }
        (plain, regex)
    };
    let (pa, ra) = split(a);
    let (pb, rb) = split(b);
    let mut s = EntryStats { before: a.len(), after: b.len(), ..EntryStats::default() };
    for (k, v) in &pa {
        match pb.get(k) {
            None => s.removed += 1,
            Some(w) if w != v => s.changed += 1,
            _ => {}
        }
    }
    s.added = pb.keys().filter(|k| !pa.contains_key(*k)).count();
    let (in_a, in_b): (HashSet<&String>, HashSet<&String>) = (ra.iter().collect(), rb.iter().collect());
    let common_a: Vec<&String> = ra.iter().filter(|r| in_b.contains(r)).collect();
    let common_b: Vec<&String> = rb.iter().filter(|r| in_a.contains(r)).collect();
    s.regex_reordered = common_a != common_b;
    s
}

#[cfg(test)]
mod tests;
