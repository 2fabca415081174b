//! The configuration as the diff sees it: one tree with every include inlined (so moving text
//! between files changes nothing), no comments or layout, and each argument both as nginx stores
//! it and in a canonical form (`1m` and `1024k` compare equal, `60s` and `1m` too).

use std::borrow::Cow;
use crate::check::values;
use crate::include::{Config, MAX_INCLUDE_DEPTH};
use crate::source::{SourceSet, Span};
use crate::spec::Spec;
use crate::syntax::{BlockKind, Directive, Node as SyntaxNode};

/// One directive of the expanded configuration. Names and arguments borrow the sources (`'a`)
/// unless unescaping changed them: both sides' trees are kept at once, and a heap string per
/// argument was a tenth of a diff's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<'a> {
    /// The directive table's name for the directives nginx knows, else the source's.
    pub name: Cow<'a, str>,
    /// Arguments as nginx stores them (quotes removed, escapes applied).
    pub args: Box<[Cow<'a, str>]>,
    /// Arguments in canonical form when that differs from `args` (see [`Node::key`]); most
    /// directives have no canonical form of their own, and a copy per node would double the
    /// tree.
    pub canon: Option<Box<[Cow<'a, str>]>>,
    /// From the name to the `;` or the closing `}`.
    pub span: Span,
    pub body: Body<'a>,
    /// For `server` blocks of `http`: the index in [`crate::model::Model::servers`] (u32: one
    /// more word per node of both trees would cost more than any configuration has servers).
    pub server: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<'a> {
    Leaf,
    /// Directives, in order. (Boxed slices, as are a node's arguments: trees of hundreds of
    /// thousands of nodes are kept for both sides of a diff.)
    Block(Box<[Node<'a>]>),
    /// Handler entries (`map`, `geo`, `types`, ...): each entry is a node without a body.
    Entries(Box<[Node<'a>]>),
    /// Lua source with surrounding whitespace trimmed.
    Lua(Box<str>),
}

impl<'a> Node<'a> {
    /// A leaf with the given arguments as both stored and canonical values.
    pub fn leaf(name: impl Into<String>, args: Vec<String>, span: Span) -> Node<'a> {
        Node { name: Cow::Owned(name.into()), args: args.into_iter().map(Cow::Owned).collect(), canon: None, span, body: Body::Leaf, server: None }
    }
    /// [`Node::server`] as an index.
    pub fn server_index(&self) -> Option<usize> {
        self.server.map(|i| i as usize)
    }
    /// Arguments in canonical form, for comparison.
    pub fn key(&self) -> &[Cow<'a, str>] {
        self.canon.as_deref().unwrap_or(&self.args)
    }
    pub fn children(&self) -> &[Node<'a>] {
        match &self.body {
            Body::Block(c) | Body::Entries(c) => c,
            _ => &[],
        }
    }
    pub fn is_block(&self) -> bool {
        !matches!(self.body, Body::Leaf)
    }
    /// `location ~ \.php$`, `server[listen 443 ssl; server_name a.example]`, `upstream app`.
    pub fn label(&self) -> String {
        if self.name == "server" && self.is_block() {
            let mut parts: Vec<String> = Vec::new();
            for c in self.children() {
                if c.name == "listen" && !c.args.is_empty() {
                    parts.push(format!("listen {}", c.args.join(" ")));
                }
            }
            let names: Vec<&str> = self
                .children()
                .iter()
                .filter(|c| c.name == "server_name")
                .flat_map(|c| c.args.iter().map(|a| &**a))
                .collect();
            if !names.is_empty() {
                parts.push(format!("server_name {}", names.join(" ")));
            }
            return format!("server[{}]", parts.join("; "));
        }
        if self.args.is_empty() {
            self.name.to_string()
        } else {
            format!("{} {}", self.name, self.args.join(" "))
        }
    }
}

/// An include directive and what it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeSite {
    /// Labels of the enclosing blocks.
    pub scope: Vec<String>,
    pub pattern: String,
    pub glob: bool,
    /// Paths of the files it matched, in nginx's order.
    pub files: Vec<String>,
    pub span: Span,
}

/// The expanded tree of one side.
#[derive(Debug, Clone, Default)]
pub struct Tree<'a> {
    pub items: Vec<Node<'a>>,
    pub includes: Vec<IncludeSite>,
}

/// Builds the expanded tree of a resolved configuration.
pub fn build<'a>(files: &'a SourceSet, config: &Config) -> Tree<'a> {
    let mut b = Builder { files, config, includes: Vec::new(), servers: 0, scope: Vec::new(), handlers: std::collections::HashMap::new(), pending: Vec::new() };
    let items = b.items(config.main, &config.docs[config.main].doc.items, 0, 0);
    Tree { items, includes: b.includes }
}

struct Builder<'a, 'c> {
    files: &'a SourceSet,
    config: &'c Config,
    includes: Vec<IncludeSite>,
    /// http servers seen so far (the model numbers them in the same walk order).
    servers: usize,
    /// Labels of the enclosing blocks; the first entry tells http from stream/mail.
    scope: Vec<String>,
    /// Slot handler per directive name (canonical forms depend on it).
    handlers: std::collections::HashMap<String, (&'static str, Option<&'static str>)>,
    /// The nodes of every block being built, innermost last: each block's list is moved out in
    /// one exact-size allocation, so no block keeps a grown vector's spare capacity.
    pending: Vec<Node<'a>>,
}

impl<'a> Builder<'a, '_> {
    fn items(&mut self, doc: usize, items: &[SyntaxNode], depth: usize, include_depth: usize) -> Vec<Node<'a>> {
        let start = self.pending.len();
        self.push_items(doc, items, depth, include_depth);
        self.pending.drain(start..).collect()
    }

    fn push_items(&mut self, doc: usize, items: &[SyntaxNode], depth: usize, include_depth: usize) {
        let src = self.files.bytes(self.config.docs[doc].file);
        for node in items {
            let SyntaxNode::Directive(d) = node else { continue };
            let name = d.name.text(src);
            if name == "include" && d.block().is_none() {
                if let Some(inc) = self.config.include_at(doc, d) {
                    let files: Vec<String> = inc
                        .targets
                        .iter()
                        .map(|&t| self.files.path(self.config.docs[t].file).to_string())
                        .collect();
                    self.includes.push(IncludeSite {
                        scope: self.scope.clone(),
                        pattern: d.args.first().map(|w| w.text(src).into_owned()).unwrap_or_else(|| inc.pattern.to_string()),
                        glob: inc.glob,
                        files,
                        span: d.span,
                    });
                    if include_depth < MAX_INCLUDE_DEPTH {
                        for &t in inc.targets.iter() {
                            if !inc.cyclic.contains(&t) {
                                let target = &self.config.docs[t].doc.items;
                                self.push_items(t, target, depth, include_depth + 1);
                            }
                        }
                    }
                }
                continue;
            }
            let node = self.node(doc, src, d, name, depth, include_depth);
            self.pending.push(node);
        }
    }

    fn node(&mut self, doc: usize, src: &'a [u8], d: &Directive, name: Cow<'a, str>, depth: usize, include_depth: usize) -> Node<'a> {
        let args: Box<[Cow<'a, str>]> = d.args.iter().map(|w| w.text(src)).collect();
        // One spec lookup per directive name, not per directive; known names are then borrowed
        // from the table instead of copied into every node.
        let (handler, known) = match self.handlers.get(&*name) {
            Some(h) => *h,
            None => {
                let h = Spec::all_directives(&name).next().map_or(("", None), |d| (d.handler(), Some(d.name)));
                self.handlers.insert(name.to_string(), h);
                h
            }
        };
        let canon = canonical_with(handler, &name, &args)
            .filter(|key| **key != *args)
            .map(|key| key.into_iter().map(Cow::Owned).collect());
        let server = (name == "server" && d.block().is_some() && self.scope.len() == 1 && self.scope[0] == "http").then(|| {
            self.servers += 1;
            self.servers - 1
        });
        let body = match d.block() {
            None => Body::Leaf,
            Some(b) => match b.kind {
                BlockKind::Lua => {
                    let text = b.lua.map(|s| String::from_utf8_lossy(self.files.slice(s)).trim().to_string());
                    Body::Lua(text.unwrap_or_default().into())
                }
                kind => {
                    let label = name.to_string();
                    self.scope.push(label);
                    let children = self.items(doc, &b.items, depth + 1, include_depth);
                    self.scope.pop();
                    if kind == BlockKind::Entries {
                        Body::Entries(children.into())
                    } else {
                        Body::Block(children.into())
                    }
                }
            },
        };
        let name = match known {
            Some(k) => Cow::Borrowed(k),
            None => name,
        };
        Node { name, args, canon, span: d.span, body, server: server.and_then(|i| u32::try_from(i).ok()) }
    }
}

/// The canonical form of a directive's arguments: sizes in bytes, times in milliseconds and
/// flags in lower case, where nginx's own slot handler reads them that way.
pub fn canonical<S: AsRef<str>>(name: &str, args: &[S]) -> Vec<String> {
    let handler = Spec::all_directives(name).next().map(|d| d.handler()).unwrap_or("");
    canonical_with(handler, name, args).unwrap_or_else(|| args.iter().map(|a| a.as_ref().to_string()).collect())
}

/// None where the arguments are their own canonical form (most directives: no copy made).
fn canonical_with<S: AsRef<str>>(handler: &str, name: &str, args: &[S]) -> Option<Vec<String>> {
    if args.is_empty() {
        return None;
    }
    let one = |f: &dyn Fn(&str) -> Option<u64>, a: &S| f(a.as_ref()).map(|v| v.to_string()).unwrap_or_else(|| a.as_ref().to_string());
    let all = |f: &dyn Fn(&str) -> Option<u64>| Some(args.iter().map(|a| one(f, a)).collect());
    let seconds = |s: &str| values::time(s, true).map(|ms| ms / 1000);
    match handler {
        "ngx_conf_set_size_slot" | "ngx_conf_set_off_slot" => all(&values::offset),
        "ngx_conf_set_msec_slot" => all(&|s| values::time(s, false)),
        "ngx_conf_set_sec_slot" => all(&seconds),
        "ngx_conf_set_flag_slot" => Some(args.iter().map(|a| a.as_ref().to_ascii_lowercase()).collect()),
        "ngx_conf_set_bufs_slot" => match args {
            [n, size] => Some(vec![n.as_ref().to_string(), one(&values::size, size)]),
            _ => None,
        },
        _ => match name {
            // Custom handlers that read times or sizes the same way.
            "keepalive_timeout" | "proxy_cache_valid" | "fastcgi_cache_valid" => all(&seconds),
            _ => None,
        },
    }
}
