//! ngxlint: parse, validate and audit nginx configuration, and score how risky a change is.
//!
//! Pure: no file system, network, clock, threads or environment. Files come in as bytes through a
//! [`SourceSet`]; everything else is a plain value.
//!
//! ```
//! use ngxlint::{analyze, Options, SourceSet};
//! let mut files = SourceSet::new();
//! let main = files.add("nginx.conf", "events {}\nhttp { server { listen 80 } }\n");
//! let analysis = analyze(&files, main, &Options::default());
//! assert_eq!(analysis.first_error().unwrap().message, "unexpected \"}\"");
//! ```

pub mod api;
pub mod check;
pub mod diff;
pub mod fmt;
pub mod include;
pub mod model;
pub mod report;
pub mod risk;
pub mod rules;
pub mod source;
pub mod spec;
pub mod syntax;

pub use fmt::{format, FormatOptions};
pub use include::Config;
pub use report::{Diagnostic, Severity};
pub use source::{FileId, LineIndex, Position, SourceSet, Span};

/// What to analyse and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Target nginx version and loaded modules (default: latest nginx, Debian 12's modules).
    /// `load_module` lines in the configuration add dynamic modules on top.
    pub profile: spec::Profile,
    /// Read the main file as if it were included inside these blocks (e.g. `["http", "server"]`);
    /// empty for a whole configuration.
    pub context: Vec<String>,
    /// Directory relative include paths resolve against (default: the main file's directory).
    pub prefix: Option<String>,
    /// Treat includes that are not among the given files as the machine's business (notes), not
    /// as nginx's `open() failed` error: for partial checkouts and snippets.
    pub includes_from_environment: bool,
    /// Directories (absolute, as nginx sees them) whose files were all given, besides the conf
    /// prefix's tree: a missing include below one is nginx's `open()` error, not a note. For
    /// callers that map a checkout onto absolute paths (`--root /etc/nginx=./etc`).
    pub given_dirs: Vec<String>,
    /// Which rules run and at what severity.
    pub rules: rules::RuleSelection,
}

impl Options {
    /// Options for a snippet included in the given contexts.
    pub fn context<I, S>(contexts: I) -> Options
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Options { context: contexts.into_iter().map(Into::into).collect(), ..Options::default() }
    }

    /// True when the input is a whole configuration (rules about what is missing may run).
    pub fn is_whole_config(&self) -> bool {
        self.context.is_empty()
    }
}

/// The result of analysing a configuration.
#[derive(Debug, Clone)]
pub struct Analysis {
    config: Config,
    model: model::Model,
    diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Diagnostics in the order nginx would meet them (so the first Error is the one nginx
    /// reports), deduplicated.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
    /// The resolved configuration: every file parsed, include sites resolved.
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// The semantic model (servers, listens, names, locations, upstreams), for routing.
    pub fn model(&self) -> &model::Model {
        &self.model
    }
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
    /// The first Error: what `nginx -t` would print.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics.iter().find(|d| d.severity == Severity::Error)
    }
}

fn include_options(opts: &Options) -> (include::IncludeOptions, bool) {
    let entries = opts.context.last().is_some_and(|c| syntax::ENTRY_BLOCKS.contains(&c.as_str()));
    let inc = include::IncludeOptions {
        prefix: opts.prefix.clone(),
        main_mode_entries: entries,
        missing_is_environment: opts.includes_from_environment,
        given_dirs: opts.given_dirs.clone(),
    };
    (inc, entries)
}

/// Parses `main` and resolves its includes as [`analyze`] does, without checking anything: what
/// a caller loading files on demand needs to learn which files the configuration names.
pub fn resolve_includes(files: &SourceSet, main: FileId, opts: &Options) -> Config {
    resolve(files, main, opts).config
}

/// `main` parsed and its includes resolved, with what resolving them found: the first half of
/// [`analyze`], for [`analyze_resolved`].
#[derive(Debug, Clone)]
pub struct Resolved {
    config: Config,
    diagnostics: Vec<Diagnostic>,
}

impl Resolved {
    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// Parses `main` and resolves its includes as [`analyze`] does. A caller that reads the files
/// a configuration names on demand resolves until nothing new is named, then hands the last
/// resolution to [`analyze_resolved`] instead of having every file parsed again.
pub fn resolve(files: &SourceSet, main: FileId, opts: &Options) -> Resolved {
    let (config, diagnostics) = include::resolve(files, main, &include_options(opts).0);
    Resolved { config, diagnostics }
}

/// Parses `main` and its includes, and reports what nginx would reject.
pub fn analyze(files: &SourceSet, main: FileId, opts: &Options) -> Analysis {
    analyze_resolved(files, resolve(files, main, opts), opts)
}

/// [`analyze`] of a resolution made by [`resolve`] with the same files and options.
pub fn analyze_resolved(files: &SourceSet, resolved: Resolved, opts: &Options) -> Analysis {
    let entries = include_options(opts).1;
    let Resolved { config, mut diagnostics } = resolved;
    let (root, enclosing) = snippet_context(&opts.context, &opts.profile);
    let profile = with_loaded_modules(&opts.profile, &config, files);
    let complete = !diagnostics.iter().any(|d| {
        d.code == report::codes::INCLUDE_NOT_FOUND.code || d.code == report::codes::INCLUDE_EXTERNAL.code
    });
    let check_opts = check::CheckOptions {
        spec: spec::Spec::new(profile),
        root,
        enclosing,
        snippet: !opts.is_whole_config(),
        complete,
        entries_of: if entries { opts.context.last().cloned() } else { None },
    };
    // Usually nothing came from resolving: then the checker's vector is taken as it is.
    let checked = check::check(files, &config, &check_opts);
    if diagnostics.is_empty() {
        diagnostics = checked;
    } else {
        diagnostics.extend(checked);
    }
    let model = model::build(files, &config);
    let whole = check_opts.complete && !check_opts.snippet;
    let root = if check_opts.entries_of.is_some() { None } else { Some(check_opts.root) };
    if let Some(root) = root {
        let arena = rules::RuleArena::new();
        let cx = rules::RuleContext::new(files, &config, &model, &check_opts.spec, root, whole, &arena);
        diagnostics.extend(rules::run(&cx, &opts.rules));
    }
    for d in &config.docs {
        let bytes = files.bytes(d.file);
        if let Err(e) = std::str::from_utf8(bytes) {
            let at = e.valid_up_to();
            if !diagnostics.iter().any(|x| x.code == report::codes::INVALID_UTF8.code && x.span.file == d.file) {
                let span = Span::new(d.file, at, at + e.error_len().unwrap_or(1));
                diagnostics.push(Diagnostic::new(
                    report::codes::INVALID_UTF8,
                    span,
                    format!("invalid UTF-8 byte 0x{:02X}", bytes[at]),
                ));
            }
        }
    }
    let mut diagnostics = in_reading_order(&config, diagnostics);
    diagnostics.dedup_by(|a, b| a.span == b.span && a.message == b.message && a.code == b.code);
    // Grown by doubling from several sources: up to half of it is spare, and an analysis is
    // kept (twice, by compare) while the report is built.
    diagnostics.shrink_to_fit();
    Analysis { config, model, diagnostics }
}

/// Diagnostics sorted by (phase, where nginx reads them, severity, end), stably: the key of
/// [`Config::order_key`], with each file's include-site path worked out once instead of a
/// vector (and a search of the files) per diagnostic.
fn in_reading_order(config: &Config, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    /// (phase, unreached, include-site path, offset, severity, end, index)
    type Key<'p> = (u8, bool, &'p [u32], u32, Severity, u32, usize);
    let mut prefixes: rustc_hash::FxHashMap<FileId, (bool, Vec<u32>)> = Default::default();
    for d in &diagnostics {
        let file = d.order_span().file;
        prefixes.entry(file).or_insert_with(|| {
            let (unreached, mut path) = config.order_key(Span::new(file, 0, 0));
            path.pop();
            (unreached, path)
        });
    }
    let mut keys: Vec<Key> = diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let at = d.order_span();
            let (unreached, prefix) = prefixes.get(&at.file).map_or((true, &[][..]), |(u, p)| (*u, p.as_slice()));
            (d.phase, unreached, prefix, at.start, d.severity, d.span.end, i)
        })
        .collect();
    keys.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| a.2.iter().chain([&a.3]).cmp(b.2.iter().chain([&b.3])))
            .then(a.4.cmp(&b.4))
            .then(a.5.cmp(&b.5))
            .then(a.6.cmp(&b.6))
    });
    let mut order: Vec<usize> = keys.into_iter().map(|k| k.6).collect();
    let mut diagnostics = diagnostics;
    permute(&mut diagnostics, &mut order);
    diagnostics
}

/// Rearranges `items` in place so that `items[k]` is what was at `order[k]` (a permutation),
/// one cycle at a time: no second vector of diagnostics. `order` is used up (left as identity).
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut k = start;
        loop {
            let from = order[k];
            order[k] = k;
            if from == start {
                break;
            }
            items.swap(k, from);
            k = from;
        }
    }
}

/// How to compare two configurations: the analysis options both sides share, and the risk
/// policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompareOptions {
    pub options: Options,
    pub policy: risk::Policy,
}

/// The result of comparing two configurations: both analyses, the semantic diff and the risk
/// assessment.
#[derive(Debug, Clone)]
pub struct Comparison {
    before: Analysis,
    after: Analysis,
    diff: diff::Diff,
    assessment: risk::Assessment,
}

impl Comparison {
    pub fn before(&self) -> &Analysis {
        &self.before
    }
    pub fn after(&self) -> &Analysis {
        &self.after
    }
    /// The semantic changes, in the order of the new configuration.
    pub fn changes(&self) -> &[diff::Change] {
        &self.diff.changes
    }
    pub fn diff(&self) -> &diff::Diff {
        &self.diff
    }
    pub fn assessment(&self) -> &risk::Assessment {
        &self.assessment
    }
    /// 0–100.
    pub fn score(&self) -> u32 {
        self.assessment.score
    }
    pub fn level(&self) -> risk::RiskLevel {
        self.assessment.level
    }
    pub fn recommendation(&self) -> risk::Recommendation {
        self.assessment.recommendation
    }
}

/// Compares two configurations (each a file set and its main file): analyses both, diffs them
/// semantically and scores the risk of rolling out `after` where `before` runs.
pub fn compare(before: &SourceSet, before_main: FileId, after: &SourceSet, after_main: FileId, opts: &CompareOptions) -> Comparison {
    let a = analyze(before, before_main, &opts.options);
    let b = analyze(after, after_main, &opts.options);
    let primary = opts.options.profile.version;
    let mut others: Vec<(spec::NginxVersion, Analysis)> = Vec::new();
    for &v in &opts.policy.targets {
        if v != primary && !others.iter().any(|(o, _)| *o == v) {
            let mut o = opts.options.clone();
            o.profile = o.profile.with_version(v);
            others.push((v, analyze(after, after_main, &o)));
        }
    }
    let ta = diff::tree::build(before, a.config());
    let tb = diff::tree::build(after, b.config());
    let d = diff::diff_trees(&ta, &tb, primary);
    let mut targets: Vec<(spec::NginxVersion, &Analysis)> = vec![(primary, &b)];
    targets.extend(others.iter().map(|(v, x)| (*v, x)));
    let inputs = risk::Inputs {
        before: risk::Side { files: before, analysis: &a, tree: &ta },
        after: risk::Side { files: after, analysis: &b, tree: &tb },
        diff: &d,
        policy: &opts.policy,
        targets,
        primary,
    };
    let assessment = risk::assess(&inputs);
    Comparison { before: a, after: b, diff: d, assessment }
}

/// The context a snippet is read in, from the names of its enclosing blocks (`["http", "server"]`),
/// resolved the way nginx opens each block.
fn snippet_context(names: &[String], profile: &spec::Profile) -> (spec::Context, Vec<spec::Context>) {
    let spec = spec::Spec::new(profile.clone());
    let mut ctx = spec::Context::Main;
    let mut enclosing = Vec::new();
    for name in names {
        if name == "main" {
            continue;
        }
        let next = match spec.lookup(name, ctx) {
            spec::Lookup::Found(d) => d.body_context(ctx),
            _ => None,
        };
        let next = next.or_else(|| spec::Context::from_name(name));
        if let Some(n) = next {
            enclosing.push(ctx);
            ctx = n;
        }
    }
    (ctx, enclosing)
}

/// The profile plus the dynamic modules the configuration loads with `load_module`.
fn with_loaded_modules(profile: &spec::Profile, config: &Config, files: &SourceSet) -> spec::Profile {
    // load_module is a main-context directive: the top level and the files included there are
    // read, not every block (this ran over every directive of the configuration).
    fn top_level(config: &Config, files: &SourceSet, doc: usize, depth: usize, p: &mut spec::Profile) {
        let src = files.bytes(config.docs[doc].file);
        for node in &config.docs[doc].doc.items {
            let syntax::Node::Directive(d) = node else { continue };
            if d.name.is(src, "load_module") {
                let Some(set) = d.args.first().and_then(|arg| spec::resolve_modules(&arg.text(src))) else { continue };
                for id in set.iter() {
                    p.modules.insert(id);
                }
            } else if let Some(inc) = config.include_at(doc, d) {
                for &t in inc.targets.iter() {
                    if !inc.cyclic.contains(&t) && depth < include::MAX_INCLUDE_DEPTH {
                        top_level(config, files, t, depth + 1, p);
                    }
                }
            }
        }
    }
    let mut p = profile.clone();
    top_level(config, files, config.main, 0, &mut p);
    p
}

/// Parses one file on its own (no includes): the lossless tree and its syntax errors.
pub fn parse(files: &SourceSet, file: FileId) -> syntax::Document {
    syntax::parse(files.bytes(file), file, syntax::ParseMode::Directives)
}

/// Static metadata of every diagnostic code.
pub fn codes() -> Vec<report::Code> {
    let meta = [rules::WITHOUT_REASON, rules::UNUSED];
    report::codes::ALL.iter().chain(check::codes::ALL).copied().chain(meta).chain(rules::all().map(|r| r.info.code())).collect()
}

/// The crate version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[cfg(test)]
mod tests {
    #[test]
    fn permute_places_each_item_where_the_order_says() {
        // Every permutation of 5 (fixed points, 2-cycles, one 5-cycle) against the copy it replaces.
        let mut perm: Vec<usize> = (0..5).collect();
        let mut n = 0;
        loop {
            let items: Vec<char> = "abcde".chars().collect();
            let want: Vec<char> = perm.iter().map(|&i| items[i]).collect();
            let (mut got, mut order) = (items, perm.clone());
            super::permute(&mut got, &mut order);
            assert_eq!(got, want, "order {perm:?}");
            n += 1;
            // next permutation in lexicographic order
            let Some(i) = (0..4).rev().find(|&i| perm[i] < perm[i + 1]) else { break };
            let j = (i + 1..5).rev().find(|&j| perm[j] > perm[i]).unwrap();
            perm.swap(i, j);
            perm[i + 1..].reverse();
        }
        assert_eq!(n, 120);
    }

    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_values_are_send_and_sync() {
        assert_send_sync::<SourceSet>();
        assert_send_sync::<Analysis>();
        assert_send_sync::<Options>();
    }

    #[test]
    fn first_error_follows_nginx_reading_order() {
        let mut files = SourceSet::new();
        let main = files.add("n.conf", "include i.conf;\nx }\n");
        files.add("i.conf", "\"a\"b;");
        let a = analyze(&files, main, &Options::default());
        let first = a.first_error().unwrap();
        assert_eq!((first.message.as_str(), first.span.file), ("unexpected \"b\"", FileId(1)));
        let syntax: Vec<&str> =
            a.diagnostics().iter().filter(|d| d.code == "NGX001").map(|d| d.message.as_str()).collect();
        assert_eq!(syntax, ["unexpected \"b\"", "unexpected \"}\""]);
    }

    #[test]
    fn snippets_inside_handler_blocks_read_entries() {
        let mut files = SourceSet::new();
        let main = files.add("m.map", "default 0;\n~x { 1; }\n");
        let a = analyze(&files, main, &Options::context(["http", "map"]));
        assert_eq!(a.first_error().unwrap().message, "unexpected \"{\"");
    }

    #[test]
    fn load_module_at_the_top_level_adds_its_module() {
        // A build without image_filter: unknown until loaded, at the top level or from a file
        // included there; a load_module inside a block loads nothing.
        let mut opts = Options::default();
        opts.profile.modules = spec::Profile::plain_configure(spec::NginxVersion::Latest).modules;
        let unknown = |conf: &str| {
            let mut files = SourceSet::new();
            let main = files.add("/n.conf", conf);
            files.add("/mods.conf", "load_module modules/ngx_http_image_filter_module.so;\n");
            let a = analyze(&files, main, &opts);
            a.diagnostics().iter().any(|d| d.message == "unknown directive \"image_filter\"")
        };
        let http = "events {}\nhttp { server { location / { image_filter resize 10 10; } } }\n";
        assert!(unknown(http));
        assert!(!unknown(&format!("load_module modules/ngx_http_image_filter_module.so;\n{http}")));
        assert!(!unknown(&format!("include /mods.conf;\n{http}")));
        assert!(unknown(&format!("events {{}}\nhttp {{ include /mods.conf; }}\n{}", &http[10..])));
    }

    #[test]
    fn invalid_utf8_is_a_note_not_an_error() {
        let mut files = SourceSet::new();
        let main = files.add("n.conf", b"events {}\n# caf\xe9\n");
        let a = analyze(&files, main, &Options::default());
        assert!(!a.has_errors());
        assert_eq!(a.diagnostics()[0].code, "NGX005");
    }
}
