//! What `nginx -t` would reject, without nginx: the checks of `ngx_conf_handler` (unknown
//! directive, not allowed here, terminator, argument count) in nginx's order, then the handlers'
//! own checks (values, duplicates, `listen`, `location`, `proxy_pass`, `return`, `if`, upstreams,
//! log formats, map/geo entries), then what nginx checks after reading (duplicate locations,
//! certificates, variables, the events block).
//!
//! Severity rule: Error only where nginx would refuse to start or reload. What depends on the
//! machine (files, certificates, DNS, users) is a note naming what nginx will need.

pub mod codes;
mod handlers;
mod listen;
mod regex;
mod sizing;
#[cfg(test)]
mod tests;
pub mod values;
mod variables;

use rustc_hash::FxHashMap;
use crate::include::Config;
use crate::report::{Diagnostic, Severity};
use crate::source::{SourceSet, Span};
use crate::spec::{BlockBody, Context, Lookup, NginxVersion, Spec, Unavailable};
use crate::syntax::{Directive, Node, Terminator, Word};
use std::borrow::Cow;

/// When nginx meets a problem, for ordering diagnostics like nginx's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Phase {
    /// While reading the files, in reading order.
    Read = 0,
    /// After an `http` block is read: locations are sorted and joined.
    Locations = 1,
    /// Module post-configuration (certificates for `listen ... ssl`).
    PostConfiguration = 2,
    /// Variables are resolved.
    Variables = 3,
    /// Server names are hashed per socket.
    Servers = 4,
    /// After the whole file: core modules' checks (`events`).
    Cycle = 5,
}

/// What the checker needs beyond the files.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub spec: Spec,
    /// The block the main file is read in (Main for a whole configuration).
    pub root: Context,
    /// The enclosing blocks of a snippet, outermost first (empty for a whole configuration).
    pub enclosing: Vec<Context>,
    /// The input is a fragment included from elsewhere.
    pub snippet: bool,
    /// Every include was found: conclusions from absence ("no certificate", "unknown variable")
    /// are only errors when nothing can be hiding elsewhere.
    pub complete: bool,
    /// The main file is the body of this handler block (`map`, `geo`, ...): entries, not
    /// directives.
    pub entries_of: Option<String>,
}

/// Checks an include-resolved configuration.
pub fn check(files: &SourceSet, config: &Config, opts: &CheckOptions) -> Vec<Diagnostic> {
    let mut c = Checker::new(files, config, opts);
    let main = config.main;
    let mut state = BlockState::default();
    let root = Frame { ctx: opts.root, location: None, in_if_or_limit: false };
    match &opts.entries_of {
        Some(handler) => c.entry_items(main, &config.docs[main].doc.items, handler, &root),
        None => c.items(main, &config.docs[main].doc.items, &root, &mut state, 0),
    }
    c.finish();
    c.diags
}

/// Per-block (per nginx conf structure) state: which single-value directives were set.
#[derive(Default)]
struct BlockState<'a> {
    seen: FxHashMap<&'static str, Span>,
    /// Static locations of this block by (exact, name), for duplicates: a map per block, not
    /// one for the whole configuration (small and in cache while the block is read).
    static_locations: FxHashMap<(bool, Cow<'a, [u8]>), Span>,
    /// root (false) or alias (true), and where.
    root_alias: Option<(bool, Span)>,
}

/// Where we are: the context, and the enclosing location if any.
#[derive(Clone)]
struct Frame<'a> {
    ctx: Context,
    location: Option<handlers::LocationInfo<'a>>,
    in_if_or_limit: bool,
}

pub(crate) struct Checker<'a> {
    files: &'a SourceSet,
    config: &'a Config,
    opts: &'a CheckOptions,
    spec: &'a Spec,
    pub(crate) diags: Vec<Diagnostic>,
    events_seen: bool,
    pub(crate) log_formats: rustc_hash::FxHashSet<String>,
    pub(crate) upstreams: FxHashMap<String, Span>,
    pub(crate) listen: listen::Sockets,
    pub(crate) vars: variables::Variables,
    /// Per server: its listen-ssl sites and whether it (or http) has a certificate.
    pub(crate) http_has_cert: bool,
    pub(crate) http_has_key: bool,
    pub(crate) http_certificate: Option<(Cow<'a, str>, Span)>,
    pub(crate) servers: Vec<handlers::ServerInfo<'a>>,
    /// `server` entries in the upstream block being read.
    pub(crate) upstream_servers: usize,
    /// Where nginx reports problems of the directive being checked (its `;` or `{`).
    anchor: Option<Span>,
    /// `*_pass` targets without a port, resolved against upstream names after reading.
    pub(crate) portless: Vec<(String, Span, Span)>,
    /// Shared memory zones defined (limit_*_zone, keys_zone) and used.
    pub(crate) zones: rustc_hash::FxHashSet<String>,
    pub(crate) zone_uses: Vec<(String, Span)>,
    pub(crate) cache_uses: Vec<(String, String, Span)>,
    /// Load-time needs already noted (one note per file, name or user).
    pub(crate) noted: rustc_hash::FxHashSet<String>,
    noted_key: String,
    lookups: FxHashMap<(Cow<'a, str>, Context), Lookup>,
    pub(crate) regexes: regex::Memo,
    /// Scratch buffer for the argument texts of the directive being handled.
    arg_buf: Vec<Cow<'a, str>>,
    sizes: sizing::Sizes<'a>,
}

impl<'a> Checker<'a> {
    fn new(files: &'a SourceSet, config: &'a Config, opts: &'a CheckOptions) -> Checker<'a> {
        Checker {
            files,
            config,
            opts,
            spec: &opts.spec,
            diags: Vec::new(),
            events_seen: false,
            log_formats: ["combined".to_string()].into_iter().collect(),
            upstreams: Default::default(),
            listen: listen::Sockets::default(),
            vars: variables::Variables::default(),
            http_has_cert: false,
            http_has_key: false,
            http_certificate: None,
            servers: Vec::new(),
            upstream_servers: 0,
            anchor: None,
            portless: Vec::new(),
            noted: Default::default(),
            noted_key: String::new(),
            zones: Default::default(),
            zone_uses: Vec::new(),
            cache_uses: Vec::new(),
            lookups: Default::default(),
            regexes: Default::default(),
            arg_buf: Vec::new(),
            sizes: Default::default(),
        }
    }

    /// [`Spec::lookup`], remembered per (name, context): a configuration repeats a few dozen
    /// names thousands of times.
    #[allow(clippy::ptr_arg)] // the Cow itself is the key: cloning a borrowed one copies no text
    fn lookup(&mut self, name: &Cow<'a, str>, ctx: Context) -> Lookup {
        let spec = self.spec;
        *self.lookups.entry((name.clone(), ctx)).or_insert_with(|| spec.lookup(name, ctx))
    }

    pub(crate) fn src(&self, doc: usize) -> &'a [u8] {
        self.files.bytes(self.config.docs[doc].file)
    }

    /// The document's text when it is valid UTF-8.
    pub(crate) fn text(&self, doc: usize) -> Option<&'a str> {
        self.files.text(self.config.docs[doc].file)
    }

    pub(crate) fn emit(&mut self, mut d: Diagnostic) {
        if d.anchor.is_none() && d.phase == Phase::Read as u8 {
            d.anchor = self.anchor;
        }
        self.diags.push(d);
    }

    /// A whole configuration with every include found: what is absent is really absent.
    pub(crate) fn whole(&self) -> bool {
        !self.opts.snippet && self.opts.complete
    }

    /// The whole http block is visible (a whole config, or a snippet wrapped directly in http).
    pub(crate) fn whole_http(&self) -> bool {
        self.opts.complete && (!self.opts.snippet || self.opts.root == Context::Http)
    }

    pub(crate) fn target(&self) -> NginxVersion {
        self.spec.profile().version
    }

    fn items(&mut self, doc: usize, items: &'a [Node], frame: &Frame<'a>, state: &mut BlockState<'a>, incl_depth: usize) {
        for node in items {
            let Node::Directive(d) = node else { continue };
            self.directive(doc, d, frame, state, incl_depth);
        }
    }

    fn directive(&mut self, doc: usize, d: &'a Directive, frame: &Frame<'a>, state: &mut BlockState<'a>, incl_depth: usize) {
        let src = self.src(doc);
        let name = d.name.text_in(src, self.text(doc));
        if matches!(d.terminator, Terminator::Missing) {
            return; // a syntax error already stands here
        }
        let ctx = frame.ctx;
        self.anchor = Some(d.report_span());
        let spec = match self.lookup(&name, ctx) {
            Lookup::Found(s) => s,
            Lookup::NotAllowedHere { allowed } => {
                let diag = Diagnostic::new(codes::NOT_ALLOWED_HERE, d.name.span, format!("\"{name}\" directive is not allowed here"))
                    .with_help(format!("\"{name}\" is allowed in: {allowed} (here: {ctx})"));
                self.emit(diag);
                return;
            }
            Lookup::Unknown { why } => {
                let mut diag = Diagnostic::new(codes::UNKNOWN_DIRECTIVE, d.name.span, format!("unknown directive \"{}\"", nginx_text(&d.name.value(src))));
                if let Some(help) = self.unknown_help(&name, why) {
                    diag = diag.with_help(help);
                }
                self.emit(diag);
                return;
            }
        };
        let is_block = matches!(d.terminator, Terminator::Block(_));
        if !spec.is_block() && is_block {
            self.emit(Diagnostic::new(codes::TERMINATOR, d.name.span, format!("directive \"{name}\" is not terminated by \";\"")));
            return;
        }
        if spec.is_block() && !is_block {
            self.emit(Diagnostic::new(codes::TERMINATOR, d.name.span, format!("directive \"{name}\" has no opening \"{{\"")));
            return;
        }
        if !spec.accepts_arg_count(d.args.len()) {
            self.emit(Diagnostic::new(codes::ARG_COUNT, d.name.span, format!("invalid number of arguments in \"{name}\" directive")));
            return;
        }
        if name == "include" {
            self.include(doc, d, frame, state, incl_depth);
            return;
        }
        self.size_facts(doc, d, &name, ctx, incl_depth);
        if !self.handle(doc, d, &name, spec, frame, state) {
            return;
        }
        let Some(block) = d.block() else { return };
        match spec.body() {
            BlockBody::Directives => {}
            BlockBody::Custom(_) => {
                self.entries(doc, d, &name, frame);
                return;
            }
            BlockBody::Verbatim(_) | BlockBody::None => return,
        }
        let Some(inner_ctx) = spec.body_context(ctx) else { return };
        let mut inner = Frame {
            ctx: inner_ctx,
            location: frame.location.clone(),
            in_if_or_limit: frame.in_if_or_limit || matches!(&*name, "if" | "limit_except"),
        };
        if name == "location" {
            inner.location = Some(handlers::LocationInfo::of(d, src));
        }
        if name == "events" && ctx == Context::Main {
            self.events_seen = true;
        }
        if inner_ctx == Context::Server {
            self.servers.push(handlers::ServerInfo { span: d.name.span, ..Default::default() });
        }
        let mut inner_state = BlockState::default();
        self.items(doc, &block.items, &inner, &mut inner_state, incl_depth);
        self.anchor = block.close;
        self.end_block(d, &name, inner_ctx);
    }

    fn include(&mut self, doc: usize, d: &'a Directive, frame: &Frame<'a>, state: &mut BlockState<'a>, incl_depth: usize) {
        let Some(inc) = self.config.include_at(doc, d) else { return };
        if incl_depth >= crate::include::MAX_INCLUDE_DEPTH {
            return;
        }
        for &t in inc.targets.iter() {
            if inc.cyclic.contains(&t) {
                continue;
            }
            let items = &self.config.docs[t].doc.items;
            self.items(t, items, frame, state, incl_depth + 1);
        }
    }

    fn unknown_help(&self, name: &str, why: Option<Unavailable>) -> Option<String> {
        let target = self.target();
        match why? {
            Unavailable::OtherVersion(e) => Some(match e.min_version() {
                NginxVersion::Latest if target == NginxVersion::V1_22 => format!(
                    "\"{name}\" exists from a newer nginx ({}) than the target {}",
                    NginxVersion::Latest.number(),
                    target.number()
                ),
                _ => format!("\"{name}\" does not exist in nginx {} (it did in older versions)", target.number()),
            }),
            Unavailable::ModuleNotLoaded(e) => Some(format!(
                "\"{name}\" belongs to {}, which is not loaded in this profile (add the module)",
                e.module().name()
            )),
            Unavailable::NotBuilt(e) => Some(format!(
                "\"{name}\" needs a build with {}",
                e.condition().unwrap_or("an optional module")
            )),
        }
    }

    fn finish(&mut self) {
        self.after_http();
        self.sizing();
        if !self.opts.snippet && !self.events_seen && !self.config.main_doc().items.is_empty() {
            let span = Span::new(self.config.docs[self.config.main].file, 0, 0);
            self.emit(
                Diagnostic::new(codes::MISSING, span, "no \"events\" section in configuration")
                    .with_phase(Phase::Cycle as u8)
                    .with_help("add `events {}` at the top level"),
            );
        }
    }
}

/// Text of a token as nginx prints it with `%s`: up to the first NUL byte.
pub(crate) fn nginx_text(bytes: &[u8]) -> String {
    let cut = memchr::memchr(0, bytes).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..cut]).into_owned()
}

/// [`nginx_text_of`] a word, borrowed straight from the file's text when the file is valid
/// UTF-8 and the word unescaped (no validation per word).
pub(crate) fn nginx_text_in<'s>(w: &Word, src: &'s [u8], text: Option<&'s str>) -> Cow<'s, str> {
    if !w.escaped {
        if let Some(s) = text.and_then(|t| t.get(w.content_span().range())) {
            return Cow::Borrowed(&s[..memchr::memchr(0, s.as_bytes()).unwrap_or(s.len())]);
        }
    }
    nginx_text_of(w.value(src))
}

/// [`nginx_text`] of a word's value, borrowed from the source when it can be (no escapes, no
/// NUL, valid UTF-8).
pub(crate) fn nginx_text_of<'s>(value: Cow<'s, [u8]>) -> Cow<'s, str> {
    match value {
        Cow::Borrowed(b) => {
            let b = &b[..memchr::memchr(0, b).unwrap_or(b.len())];
            match std::str::from_utf8(b) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => String::from_utf8_lossy(b),
            }
        }
        Cow::Owned(v) => Cow::Owned(nginx_text(&v)),
    }
}

/// Severity downgrade for snippets, where the including file may supply what is missing.
pub(crate) fn snippet_severity(whole: bool) -> Severity {
    if whole {
        Severity::Error
    } else {
        Severity::Warning
    }
}
