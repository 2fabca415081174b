//! What a rule sees: every directive of the expanded configuration (includes inlined where they
//! are included) in reading order, with its context, its enclosing block directive and its
//! argument values; plus the model (servers, locations, routing) and the target profile.

use rustc_hash::FxHashMap;
use crate::include::Config;
use crate::model::Model;
use crate::source::{SourceSet, Span};
use crate::spec::{Context, NginxVersion, Spec};
use crate::syntax::{BlockKind, Directive, Node};
use std::borrow::Cow;

/// One directive in the expanded configuration.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub directive: &'a Directive,
    /// The name (nginx-unescaped, lossy UTF-8): borrowed from the source unless it had to be
    /// unescaped or repaired (then from the [`RuleArena`]), as are the arguments.
    pub name: &'a str,
    /// Argument values (nginx-unescaped, lossy UTF-8), a slice of the [`RuleArena`].
    pub args: &'a [&'a str],
    /// The context the directive is in (Main, Http, Server, Location, ...); None inside handler
    /// bodies (map/geo/types entries) and unknown blocks.
    pub ctx: Option<Context>,
    /// The name's span, copied here: reports need it, and reading it from the syntax tree is a
    /// cache miss per finding on large configurations.
    span: Span,
    /// Index of the enclosing block directive plus one, 0 at the top level (see
    /// [`Item::parent`]): half the size of an `Option<usize>`, on every item.
    parent: u32,
    /// Index of the document (file) holding it (see [`Item::doc`]).
    doc: u32,
}

// One per directive of the expanded configuration, read by every rule: kept to one cache line.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Item>() <= 64);

impl<'a> Item<'a> {
    /// The span of the directive's name, where findings point.
    pub fn span(&self) -> Span {
        self.span
    }
    /// Index of the document (file) holding it.
    pub fn doc(&self) -> usize {
        self.doc as usize
    }
    pub fn arg(&self, i: usize) -> &'a str {
        self.args.get(i).copied().unwrap_or("")
    }
    /// Index of the enclosing block directive.
    pub fn parent(&self) -> Option<usize> {
        (self.parent as usize).checked_sub(1)
    }
    pub fn is_block(&self) -> bool {
        self.directive.block().is_some()
    }
}

/// Where a [`RuleContext`] keeps its items' argument lists and unescaped texts: one bump arena
/// freed at once, instead of a heap allocation per directive (hundreds of thousands on large
/// configurations, each freed on its own). Owned by the caller, so items can borrow it for as long
/// as the context lives.
#[derive(Default)]
pub struct RuleArena(bumpalo::Bump);

impl RuleArena {
    pub fn new() -> RuleArena {
        RuleArena::default()
    }

    /// A text borrowed for the arena's lifetime: as it is when it borrows the source already.
    fn keep<'a>(&'a self, text: Cow<'a, str>) -> &'a str {
        match text {
            Cow::Borrowed(t) => t,
            Cow::Owned(t) => self.0.alloc_str(&t),
        }
    }
}

pub struct RuleContext<'a> {
    pub files: &'a SourceSet,
    pub config: &'a Config,
    pub model: &'a Model,
    pub spec: &'a Spec,
    /// A whole configuration (not a snippet) with every include found.
    pub whole: bool,
    items: Vec<Item<'a>>,
    arena: &'a RuleArena,
    /// Directive names, numbered in order of first appearance, and each item's name id.
    name_ids: FxHashMap<&'a str, u32>,
    name_of: Vec<u32>,
    /// The items of each name, in reading order: those of name id `n` are
    /// `by_name[by_name_start[n]..by_name_start[n + 1]]` (rules look names up instead of scanning).
    by_name_start: Vec<u32>,
    by_name: Vec<usize>,
    /// `set $v` / `map $src $v` items by the variable they define (`$v`).
    definitions: FxHashMap<&'a str, Vec<usize>>,
    /// Children of each slot (0 = the top level, item `i` = slot `i + 1`): those of slot `s` are
    /// `children[child_start[s]..child_start[s + 1]]` in reading order, and the same range of
    /// `children_by_name` holds them sorted by (name id, index), so a lookup by name is a binary
    /// search even when `http` holds thousands of servers. Flat arrays, not a vector per block
    /// or a hash map: a few bytes per directive on configurations of millions of directives.
    child_start: Vec<u32>,
    children: Vec<usize>,
    /// One past each item's last descendant: items are in reading order, so the descendants of
    /// `i` are exactly `i + 1..subtree_end[i]`.
    subtree_end: Vec<u32>,
    children_by_name: Vec<usize>,
    /// The loaded files' text outside comments, built on first use (see `correctness::code_texts`).
    pub(crate) code_texts: std::sync::OnceLock<Vec<crate::rules::correctness::CodePiece>>,
    /// Facts of variables from their definitions (`set`, `map`), by name, filled by
    /// [`crate::model::variables::facts`] as rules ask.
    pub(crate) definition_facts: std::cell::RefCell<FxHashMap<String, Option<crate::model::variables::VariableFacts>>>,
    /// Spec lookups of block directives while walking, by (name, context).
    block_lookups: FxHashMap<(&'a str, Context), crate::spec::Lookup>,
    /// Block items whose own body (in their file) holds an `include` that found no file.
    unseen_include_in: rustc_hash::FxHashSet<usize>,
}

/// Indices grouped by a key, each group in index order (a counting sort): `(start, list)` with
/// the group of key `k` at `list[start[k]..start[k + 1]]`.
fn group_by(n: usize, keys: usize, key: impl Fn(usize) -> usize) -> (Vec<u32>, Vec<usize>) {
    let mut start = vec![0u32; keys + 1];
    for i in 0..n {
        start[key(i) + 1] += 1;
    }
    for k in 0..keys {
        start[k + 1] += start[k];
    }
    let mut next = start.clone();
    let mut list = vec![0usize; n];
    for i in 0..n {
        let k = key(i);
        list[next[k] as usize] = i;
        next[k] += 1;
    }
    (start, list)
}

impl<'a> RuleContext<'a> {
    pub fn new(
        files: &'a SourceSet,
        config: &'a Config,
        model: &'a Model,
        spec: &'a Spec,
        root: Context,
        whole: bool,
        arena: &'a RuleArena,
    ) -> RuleContext<'a> {
        // About one directive per 48 bytes of source (typical configurations have 40-70): most
        // analyses never grow the vectors, without walking the trees to count.
        let capacity = config.docs.iter().map(|d| files.bytes(d.file).len() / 48).sum();
        let mut cx = RuleContext {
            files,
            config,
            model,
            spec,
            whole,
            arena,
            items: Vec::with_capacity(capacity),
            name_ids: Default::default(),
            name_of: Vec::new(),
            by_name_start: Vec::new(),
            by_name: Vec::new(),
            definitions: Default::default(),
            child_start: Vec::new(),
            children: Vec::new(),
            subtree_end: Vec::with_capacity(capacity),
            children_by_name: Vec::new(),
            code_texts: Default::default(),
            definition_facts: Default::default(),
            block_lookups: Default::default(),
            unseen_include_in: Default::default(),
        };
        cx.walk(config.main, &config.docs[config.main].doc.items, Some(root), None, 0);
        cx.items.shrink_to_fit();
        cx.subtree_end.shrink_to_fit();
        let n = cx.items.len();
        cx.name_of = Vec::with_capacity(n);
        for (i, it) in cx.items.iter().enumerate() {
            let next = cx.name_ids.len() as u32;
            let id = match cx.name_ids.get(it.name) {
                Some(&id) => id,
                None => {
                    cx.name_ids.insert(it.name, next);
                    next
                }
            };
            cx.name_of.push(id);
            let defined = match it.name {
                "set" => it.args.first(),
                "map" => it.args.get(1),
                _ => None,
            };
            if let Some(v) = defined {
                cx.definitions.entry(v).or_default().push(i);
            }
        }
        let name_of = &cx.name_of;
        (cx.by_name_start, cx.by_name) = group_by(n, cx.name_ids.len(), |i| name_of[i] as usize);
        let items = &cx.items;
        (cx.child_start, cx.children) = group_by(n, n + 1, |i| items[i].parent as usize);
        let mut by_name = cx.children.clone();
        for w in cx.child_start.windows(2) {
            let group = &mut by_name[w[0] as usize..w[1] as usize];
            if group.len() > 1 {
                group.sort_unstable_by_key(|&c| (name_of[c], c));
            }
        }
        cx.children_by_name = by_name;
        cx
    }

    fn walk(&mut self, doc: usize, nodes: &'a [Node], ctx: Option<Context>, parent: Option<usize>, depth: usize) {
        let src = self.files.bytes(self.config.docs[doc].file);
        let text = self.files.text(self.config.docs[doc].file);
        for node in nodes {
            let Node::Directive(d) = node else { continue };
            let name = self.arena.keep(d.name.text_in(src, text));
            if name == "include" {
                let inc = self.config.include_at(doc, d);
                let found = inc.is_some_and(|inc| !inc.targets.is_empty());
                // Directly in the block's body: the block's own file, not a file it includes.
                if let Some(p) = parent.filter(|&p| !found && self.items[p].doc() == doc) {
                    self.unseen_include_in.insert(p);
                }
                if let Some(inc) = inc {
                    if depth < crate::include::MAX_INCLUDE_DEPTH {
                        for &t in inc.targets.iter() {
                            if !inc.cyclic.contains(&t) {
                                self.walk(t, &self.config.docs[t].doc.items, ctx, parent, depth + 1);
                            }
                        }
                    }
                }
                continue;
            }
            let arena = self.arena;
            let args = arena.0.alloc_slice_fill_iter(d.args.iter().map(|w| arena.keep(w.text_in(src, text))));
            let i = self.items.len();
            // Item counts are bounded by the parser's directive limit, far below u32::MAX.
            let parent = parent.map_or(0, |p| p as u32 + 1);
            // Document counts are bounded by the include limits, far below u32::MAX.
            self.items.push(Item { directive: d, name, args, ctx, span: d.name.span, parent, doc: doc as u32 });
            self.subtree_end.push(i as u32 + 1);
            if let Some(b) = d.block() {
                let inner = match (b.kind, ctx) {
                    (BlockKind::Directives, Some(c)) => {
                        let spec = self.spec;
                        let key = (name, c);
                        match *self.block_lookups.entry(key).or_insert_with_key(|(n, c)| spec.lookup(n, *c)) {
                            crate::spec::Lookup::Found(s) => s.body_context(c),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                self.walk(doc, &b.items, inner, Some(i), depth);
                self.subtree_end[i] = self.items.len() as u32;
            }
        }
    }

    pub fn items(&self) -> &[Item<'a>] {
        &self.items
    }
    pub fn item(&self, i: usize) -> &Item<'a> {
        &self.items[i]
    }
    /// Items named `name`, with their indices, in reading order.
    pub fn named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = (usize, &'s Item<'a>)> + 's {
        let items = self.name_ids.get(name).map(|&id| self.name_group(id)).unwrap_or(&[]);
        items.iter().map(move |&i| (i, &self.items[i]))
    }

    fn name_group(&self, id: u32) -> &[usize] {
        let (s, e) = (self.by_name_start[id as usize], self.by_name_start[id as usize + 1]);
        &self.by_name[s as usize..e as usize]
    }

    /// The range of `children` (and `children_by_name`) holding the children of `of`.
    fn child_range(&self, of: Option<usize>) -> std::ops::Range<usize> {
        let slot = of.map_or(0, |p| p + 1);
        match (self.child_start.get(slot), self.child_start.get(slot + 1)) {
            (Some(&s), Some(&e)) => s as usize..e as usize,
            _ => 0..0,
        }
    }

    /// Indices of the items whose name satisfies `pred`, in reading order. The predicate runs once
    /// per distinct name (from the name index), not once per item: rules that look at a few
    /// directive names do not walk the whole configuration.
    pub fn named_where(&self, pred: impl Fn(&str) -> bool) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .name_ids
            .iter()
            .filter(|(n, _)| pred(n))
            .flat_map(|(_, &id)| self.name_group(id).iter().copied())
            .collect();
        // A few sorted runs: the stable sort merges them, near linear.
        out.sort();
        out
    }

    /// `set`/`map` items defining the variable `var` (written with its `$`), in reading order.
    pub fn definitions(&self, var: &str) -> &[usize] {
        self.definitions.get(var).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every item inside a block directive, depth first, in reading order.
    pub fn descendants(&self, of: usize) -> std::ops::Range<usize> {
        of + 1..self.subtree_end.get(of).map_or(of + 1, |&e| e as usize)
    }
    /// Direct children of a block directive (or the top level for None).
    pub fn children(&self, of: Option<usize>) -> &[usize] {
        &self.children[self.child_range(of)]
    }
    /// Direct children named `name`, in order.
    pub fn children_named(&self, of: Option<usize>, name: &str) -> &[usize] {
        let Some(&id) = self.name_ids.get(name) else { return &[] };
        self.children_with_id(of, id)
    }

    fn children_with_id(&self, of: Option<usize>, id: u32) -> &[usize] {
        let group = &self.children_by_name[self.child_range(of)];
        let lo = group.partition_point(|&c| self.name_of[c] < id);
        let hi = lo + group[lo..].partition_point(|&c| self.name_of[c] == id);
        &group[lo..hi]
    }

    /// The first direct child named `name`.
    pub fn child(&self, of: Option<usize>, name: &str) -> Option<usize> {
        self.children_named(of, name).first().copied()
    }
    /// Enclosing block directives, innermost first.
    pub fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.items[i].parent(), |&p| self.items[p].parent())
    }
    /// The innermost enclosing directive named `name`.
    pub fn enclosing(&self, i: usize, name: &str) -> Option<usize> {
        self.ancestors(i).find(|&a| self.items[a].name == name)
    }

    /// nginx's inheritance for an array-like directive (`add_header`, `proxy_set_header`,
    /// `allow`/`deny`, ...): the directives of that name at the level nearest to `block` that has
    /// any, walking out to the main level. `block` None = top level.
    pub fn effective(&self, block: Option<usize>, names: &[&str]) -> (Option<usize>, Vec<usize>) {
        if let [name] = names {
            let (level, found) = self.effective_one(block, name);
            return (level, found.to_vec());
        }
        let mut level = block;
        loop {
            let mut found: Vec<usize> = names.iter().flat_map(|n| self.children_named(level, n).iter().copied()).collect();
            if names.len() > 1 {
                found.sort_unstable();
            }
            if !found.is_empty() {
                return (level, found);
            }
            match level {
                Some(l) => level = self.items[l].parent(),
                None => return (None, Vec::new()),
            }
        }
    }

    /// [`Self::effective`] for one name, borrowed (the common case allocates nothing).
    pub fn effective_one(&self, block: Option<usize>, name: &str) -> (Option<usize>, &[usize]) {
        // The name is looked up once, not at every level.
        let Some(&id) = self.name_ids.get(name) else { return (None, &[]) };
        let mut level = block;
        loop {
            let found = self.children_with_id(level, id);
            if !found.is_empty() {
                return (level, found);
            }
            match level {
                Some(l) => level = self.items[l].parent(),
                None => return (None, &[]),
            }
        }
    }

    /// The value of a single-value directive as nginx resolves it at `block`: the nearest level
    /// that sets it.
    pub fn inherited(&self, block: Option<usize>, name: &str) -> Option<usize> {
        self.effective_one(block, name).1.last().copied()
    }

    /// An `include` that found no file sits directly in the body of `block` or of a block
    /// enclosing it.
    pub fn unseen_includes(&self, block: Option<usize>) -> bool {
        block.is_some_and(|b| std::iter::once(b).chain(self.ancestors(b)).any(|a| self.unseen_include_in.contains(&a)))
    }

    /// Source bytes of an item's file.
    pub fn src(&self, i: usize) -> &'a [u8] {
        self.files.bytes(self.config.docs[self.items[i].doc()].file)
    }

    pub fn version(&self) -> NginxVersion {
        self.spec.profile().version
    }
}

#[cfg(test)]
mod tests {
    use super::{RuleArena, RuleContext};
    use crate::source::SourceSet;

    #[test]
    fn descendants_are_the_depth_first_walk_of_children() {
        // Nested blocks, an include inlined inside a location, a block-less directive and an
        // empty block: the range must hold what walking the child lists finds, in that order.
        let mut files = SourceSet::new();
        let main = files.add(
            "/t/nginx.conf",
            "events {}\nhttp {\nserver { listen 80; location / { include /t/inc.conf; root /a; } location /e {} }\nserver { listen 81; }\n}\n",
        );
        files.add("/t/inc.conf", "if ($x) { return 404; }\nadd_header X-A b;\n");
        let (config, _) = crate::include::resolve(&files, main, &Default::default());
        let model = crate::model::build(&files, &config);
        let spec = crate::spec::Spec::new(Default::default());
        let arena = RuleArena::new();
        let cx = RuleContext::new(&files, &config, &model, &spec, crate::spec::Context::Main, true, &arena);
        assert!(cx.named("return").next().is_some(), "the include is inlined");
        for i in 0..cx.items().len() {
            let mut walked = Vec::new();
            let mut stack: Vec<usize> = cx.children(Some(i)).iter().rev().copied().collect();
            while let Some(c) = stack.pop() {
                walked.push(c);
                stack.extend(cx.children(Some(c)).iter().rev());
            }
            assert_eq!(cx.descendants(i).collect::<Vec<_>>(), walked, "item {i} ({})", cx.item(i).name);
        }
    }
}
