//! What a rule sees: every directive of the expanded configuration (includes inlined where they
//! are included) in reading order, with its context, its enclosing block directive and its
//! argument values; plus the model (servers, locations, routing) and the target profile.

use crate::fxhash::FxHashMap;
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
    /// unescaped or repaired, as are the arguments.
    pub name: Cow<'a, str>,
    /// Argument values (nginx-unescaped, lossy UTF-8).
    pub args: Vec<Cow<'a, str>>,
    /// The context the directive is in (Main, Http, Server, Location, ...); None inside handler
    /// bodies (map/geo/types entries) and unknown blocks.
    pub ctx: Option<Context>,
    /// Index of the enclosing block directive.
    pub parent: Option<usize>,
    /// Index of the document (file) holding it.
    pub doc: usize,
}

impl Item<'_> {
    pub fn span(&self) -> Span {
        self.directive.name.span
    }
    pub fn arg(&self, i: usize) -> &str {
        self.args.get(i).map(|a| &**a).unwrap_or("")
    }
    pub fn is_block(&self) -> bool {
        self.directive.block().is_some()
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
    /// Children of each item (block directives), in order.
    children: Vec<Vec<usize>>,
    /// Top-level items.
    roots: Vec<usize>,
    /// Directive names, numbered in order of first appearance, and the items of each name (so
    /// rules look names up instead of scanning).
    name_ids: FxHashMap<Cow<'a, str>, u32>,
    by_name: Vec<Vec<usize>>,
    /// `set $v` / `map $src $v` items by the variable they define (`$v`).
    definitions: FxHashMap<Cow<'a, str>, Vec<usize>>,
    /// Children by (parent + 1, or 0 for the top level; name id): inheritance lookups stay cheap
    /// even when `http` holds thousands of servers.
    child_index: FxHashMap<(usize, u32), Kids>,
    /// Each loaded file without comments, built on first use (see `correctness::code_texts`).
    pub(crate) code_texts: std::sync::OnceLock<Vec<String>>,
    /// Spec lookups of block directives while walking, by (name, context).
    block_lookups: FxHashMap<(Cow<'a, str>, Context), crate::spec::Lookup>,
}

/// The children of one block with one name: usually a single one (no allocation).
enum Kids {
    One(usize),
    Many(Vec<usize>),
}

impl Kids {
    fn push(&mut self, i: usize) {
        match self {
            Kids::One(first) => *self = Kids::Many(vec![*first, i]),
            Kids::Many(v) => v.push(i),
        }
    }
    fn as_slice(&self) -> &[usize] {
        match self {
            Kids::One(i) => std::slice::from_ref(i),
            Kids::Many(v) => v,
        }
    }
}

impl<'a> RuleContext<'a> {
    pub fn new(files: &'a SourceSet, config: &'a Config, model: &'a Model, spec: &'a Spec, root: Context, whole: bool) -> RuleContext<'a> {
        // About one directive per 48 bytes of source (typical configurations have 40-70): most
        // analyses never grow the vectors, without walking the trees to count.
        let capacity = config.docs.iter().map(|d| files.bytes(d.file).len() / 48).sum();
        let mut cx = RuleContext {
            files,
            config,
            model,
            spec,
            whole,
            items: Vec::with_capacity(capacity),
            children: Vec::with_capacity(capacity),
            roots: Vec::new(),
            name_ids: Default::default(),
            by_name: Default::default(),
            definitions: Default::default(),
            child_index: Default::default(),
            code_texts: Default::default(),
            block_lookups: Default::default(),
        };
        cx.walk(config.main, &config.docs[config.main].doc.items, Some(root), None, 0);
        for (i, it) in cx.items.iter().enumerate() {
            let next = cx.name_ids.len() as u32;
            let id = match cx.name_ids.get(&*it.name) {
                Some(&id) => id,
                None => {
                    cx.name_ids.insert(it.name.clone(), next);
                    cx.by_name.push(Vec::new());
                    next
                }
            };
            cx.by_name[id as usize].push(i);
            let defined = match &*it.name {
                "set" => it.args.first(),
                "map" => it.args.get(1),
                _ => None,
            };
            if let Some(v) = defined {
                cx.definitions.entry(v.clone()).or_default().push(i);
            }
            let parent_key = it.parent.map_or(0, |p| p + 1);
            match cx.child_index.entry((parent_key, id)) {
                std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().push(i),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Kids::One(i));
                }
            }
        }
        cx
    }

    fn walk(&mut self, doc: usize, nodes: &'a [Node], ctx: Option<Context>, parent: Option<usize>, depth: usize) {
        let src = self.files.bytes(self.config.docs[doc].file);
        let text = self.files.text(self.config.docs[doc].file);
        for node in nodes {
            let Node::Directive(d) = node else { continue };
            let name = d.name.text_in(src, text);
            if name == "include" {
                if let Some(inc) = self.config.include_at(doc, d) {
                    if depth < crate::include::MAX_INCLUDE_DEPTH {
                        for &t in &inc.targets {
                            if !inc.cyclic.contains(&t) {
                                self.walk(t, &self.config.docs[t].doc.items, ctx, parent, depth + 1);
                            }
                        }
                    }
                }
                continue;
            }
            let args = d.args.iter().map(|w| w.text_in(src, text)).collect();
            let i = self.items.len();
            self.items.push(Item { directive: d, name, args, ctx, parent, doc });
            self.children.push(Vec::new());
            match parent {
                Some(p) => self.children[p].push(i),
                None => self.roots.push(i),
            }
            if let Some(b) = d.block() {
                let inner = match (b.kind, ctx) {
                    (BlockKind::Directives, Some(c)) => {
                        let spec = self.spec;
                        let key = (self.items[i].name.clone(), c);
                        match *self.block_lookups.entry(key).or_insert_with_key(|(n, c)| spec.lookup(n, *c)) {
                            crate::spec::Lookup::Found(s) => s.body_context(c),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                self.walk(doc, &b.items, inner, Some(i), depth);
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
        let items = self.name_ids.get(name).map(|&id| self.by_name[id as usize].as_slice()).unwrap_or(&[]);
        items.iter().map(move |&i| (i, &self.items[i]))
    }

    /// Indices of the items whose name satisfies `pred`, in reading order. The predicate runs once
    /// per distinct name (from the name index), not once per item: rules that look at a few
    /// directive names do not walk the whole configuration.
    pub fn named_where(&self, pred: impl Fn(&str) -> bool) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .name_ids
            .iter()
            .filter(|(n, _)| pred(n))
            .flat_map(|(_, &id)| self.by_name[id as usize].iter().copied())
            .collect();
        out.sort_unstable();
        out
    }

    /// `set`/`map` items defining the variable `var` (written with its `$`), in reading order.
    pub fn definitions(&self, var: &str) -> &[usize] {
        self.definitions.get(var).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every item inside a block directive, depth first, in reading order.
    pub fn descendants(&self, of: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.children[of].iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(self.children[i].iter().rev());
        }
        out
    }
    /// Direct children of a block directive (or the top level for None).
    pub fn children(&self, of: Option<usize>) -> &[usize] {
        match of {
            Some(i) => &self.children[i],
            None => &self.roots,
        }
    }
    /// Direct children named `name`, in order.
    pub fn children_named(&self, of: Option<usize>, name: &str) -> &[usize] {
        let Some(&id) = self.name_ids.get(name) else { return &[] };
        self.child_index.get(&(of.map_or(0, |p| p + 1), id)).map(Kids::as_slice).unwrap_or(&[])
    }

    /// The first direct child named `name`.
    pub fn child(&self, of: Option<usize>, name: &str) -> Option<usize> {
        self.children_named(of, name).first().copied()
    }
    /// Enclosing block directives, innermost first.
    pub fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.items[i].parent, |&p| self.items[p].parent)
    }
    /// The innermost enclosing directive named `name`.
    pub fn enclosing(&self, i: usize, name: &str) -> Option<usize> {
        self.ancestors(i).find(|&a| self.items[a].name == name)
    }

    /// nginx's inheritance for an array-like directive (`add_header`, `proxy_set_header`,
    /// `allow`/`deny`, ...): the directives of that name at the level nearest to `block` that has
    /// any, walking out to the main level. `block` None = top level.
    pub fn effective(&self, block: Option<usize>, names: &[&str]) -> (Option<usize>, Vec<usize>) {
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
                Some(l) => level = self.items[l].parent,
                None => return (None, Vec::new()),
            }
        }
    }

    /// The value of a single-value directive as nginx resolves it at `block`: the nearest level
    /// that sets it.
    pub fn inherited(&self, block: Option<usize>, name: &str) -> Option<usize> {
        self.effective(block, &[name]).1.last().copied()
    }

    /// Source bytes of an item's file.
    pub fn src(&self, i: usize) -> &'a [u8] {
        self.files.bytes(self.config.docs[self.items[i].doc].file)
    }

    pub fn version(&self) -> NginxVersion {
        self.spec.profile().version
    }
}
