//! Include resolution over a [`SourceSet`]: nginx's `include` semantics without a file system.
//!
//! - Relative paths resolve against the conf prefix (the main file's directory), not the including
//!   file's directory, as `ngx_conf_full_name` does.
//! - A path with `*`, `?` or `[` is a glob (glob(3), flags 0): matches sorted bytewise, a leading
//!   `.` in a name only matched explicitly, `/` never matched by a wildcard, no match is fine.
//! - A plain path that is missing is nginx's `open() "..." failed (2: No such file or directory)`.
//! - Each file is parsed once per mode (directives, or handler entries when included inside
//!   `map`/`types`/`geo`); include cycles are reported instead of recursing.

use crate::report::{codes, Diagnostic};
use crate::source::{dir_name, join_path, FileId, SourceSet, Span};
use crate::syntax::{self, Directive, Document, Node, ParseMode};
use std::collections::HashMap;
use std::sync::Arc;

/// Upper bound on directives in the expanded configuration (each inclusion of a file counts its
/// directives again). Include fan-out (`a` includes `b` twice, `b` includes `c` twice, ...)
/// grows exponentially; past this bound [`resolve`] stops expanding the include sites that would
/// exceed it (NGX004), so every walker of the configuration stays linear. A million include
/// lines of a one-line file stay well inside it.
pub const MAX_EXPANSION: usize = 4_000_000;

/// Deepest include nesting analysed (nginx holds every enclosing file open, so real chains are
/// short; this keeps walkers' recursion bounded). Deeper files are reported (NGX004), not dropped
/// silently.
pub const MAX_INCLUDE_DEPTH: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct IncludeOptions {
    /// Directory relative includes resolve against (default: the main file's directory).
    pub prefix: Option<String>,
    /// Parse the main file as handler entries (a snippet of a `map` body, say).
    pub main_mode_entries: bool,
    /// Every include not among the given files is a note (the machine provides it), never an error.
    pub missing_is_environment: bool,
    /// Directories whose files were all given, besides the prefix's tree (see
    /// [`crate::Options::given_dirs`]).
    pub given_dirs: Vec<String>,
}

/// One parsed file in one mode.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: FileId,
    pub doc: Document,
}

/// One `include` directive and what it resolved to.
#[derive(Debug, Clone)]
pub struct Include {
    /// Index of the document holding the directive.
    pub doc: usize,
    /// The include directive's span.
    pub span: Span,
    /// The full path or pattern after joining with the prefix. Shared (as are `targets`) by
    /// every site with the same argument: a file can hold a million include lines.
    pub pattern: Arc<str>,
    pub glob: bool,
    /// Documents included, in nginx's order.
    pub targets: Arc<[usize]>,
    /// Targets not expanded: they would close a cycle, or take the expanded configuration past
    /// [`MAX_EXPANSION`] directives (both reported).
    pub cyclic: Vec<usize>,
}

/// The main file and every file it includes, parsed, with include sites resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub main: usize,
    pub docs: Vec<ParsedFile>,
    pub includes: Vec<Include>,
    /// Include sites by (document, directive start).
    site_index: rustc_hash::FxHashMap<(usize, u32), usize>,
    /// Key that orders a document's offsets the way nginx meets them (see [`Config::order_key`]).
    /// Per document: the document and include-site offset it was first reached from.
    doc_parents: Vec<Option<(usize, u32)>>,
}

impl Config {
    pub fn main_doc(&self) -> &Document {
        &self.docs[self.main].doc
    }

    /// The include resolved at a directive, if it is one.
    pub fn include_at(&self, doc: usize, directive: &Directive) -> Option<&Include> {
        if self.site_index.is_empty() {
            return None;
        }
        self.site_index.get(&(doc, directive.span.start)).map(|&i| &self.includes[i])
    }

    pub fn doc_of_file(&self, file: FileId) -> Option<usize> {
        self.docs.iter().position(|d| d.file == file)
    }

    /// A sort key placing a position where nginx would read it: the include-site offsets leading
    /// to its document, then its own offset. Positions in unreached documents sort last.
    pub fn order_key(&self, span: Span) -> (bool, Vec<u32>) {
        let doc = self.docs.iter().position(|d| d.file == span.file);
        let Some(mut d) = doc else { return (true, vec![span.file.0, span.start]) };
        if d != self.main && self.doc_parents.get(d).copied().flatten().is_none() {
            return (true, vec![span.file.0, span.start]);
        }
        let mut path = vec![span.start];
        while let Some((parent, site)) = self.doc_parents.get(d).copied().flatten() {
            path.push(site);
            d = parent;
        }
        path.reverse();
        (false, path)
    }

    /// Visits the expanded configuration depth-first, as nginx reads it: include directives are
    /// visited, then the directives of each included file at the same level. `f` receives the
    /// document index, the directive and the chain of enclosing block directives.
    pub fn walk<'a>(&'a self, mut f: impl FnMut(usize, &'a Directive, &[&'a Directive])) {
        let mut parents: Vec<&'a Directive> = Vec::new();
        self.walk_items(self.main, &self.main_doc().items, &mut parents, &mut f, 0);
    }

    fn walk_items<'a>(
        &'a self,
        doc: usize,
        items: &'a [Node],
        parents: &mut Vec<&'a Directive>,
        f: &mut impl FnMut(usize, &'a Directive, &[&'a Directive]),
        depth: usize,
    ) {
        for node in items {
            let Node::Directive(d) = node else { continue };
            f(doc, d, parents);
            if let Some(inc) = self.include_at(doc, d) {
                for &t in inc.targets.iter() {
                    if inc.cyclic.contains(&t) || depth >= MAX_INCLUDE_DEPTH {
                        continue;
                    }
                    self.walk_items(t, &self.docs[t].doc.items, parents, f, depth + 1);
                }
            }
            if let Some(b) = d.block() {
                parents.push(d);
                self.walk_items(doc, &b.items, parents, f, depth);
                parents.pop();
            }
        }
    }
}

/// True for patterns nginx hands to glob() (`strpbrk(name, "*?[")`).
pub fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Files of the set matching a glob pattern, sorted bytewise; `None` for an invalid pattern.
pub fn glob_matches(files: &SourceSet, pattern: &str) -> Option<Vec<FileId>> {
    // glob(3) has no brace alternation: braces are literal.
    let escaped = pattern.replace('{', "\\{").replace('}', "\\}");
    let matcher = globset::GlobBuilder::new(&escaped)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .ok()?
        .compile_matcher();
    let pattern_parts: Vec<&str> = pattern.split('/').collect();
    let mut out: Vec<(String, FileId)> = files
        .files()
        .filter(|(_, f)| matcher.is_match(f.path()))
        .filter(|(_, f)| {
            // A leading dot must be matched by a literal dot in the same component.
            let parts: Vec<&str> = f.path().split('/').collect();
            parts.len() == pattern_parts.len()
                && parts
                    .iter()
                    .zip(&pattern_parts)
                    .all(|(p, g)| !p.starts_with('.') || g.starts_with('.'))
        })
        .map(|(id, f)| (f.path().to_string(), id))
        .collect();
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Some(out.into_iter().map(|(_, id)| id).collect())
}

struct Resolver<'a> {
    files: &'a SourceSet,
    prefix: String,
    docs: Vec<ParsedFile>,
    by_file: HashMap<(FileId, ParseMode), usize>,
    includes: Vec<Include>,
    diagnostics: Vec<Diagnostic>,
    missing_is_environment: bool,
    given_dirs: Vec<String>,
}

impl<'a> Resolver<'a> {
    fn doc_for(&mut self, file: FileId, mode: ParseMode) -> usize {
        if let Some(&i) = self.by_file.get(&(file, mode)) {
            return i;
        }
        let doc = syntax::parse(self.files.bytes(file), file, mode);
        self.docs.push(ParsedFile { file, doc });
        let i = self.docs.len() - 1;
        self.by_file.insert((file, mode), i);
        i
    }

    fn resolve_sites(&mut self, doc: usize) {
        /// The first site's include and its missing-file diagnostic.
        type FirstSite = (usize, Option<usize>);
        let file = self.docs[doc].file;
        let src = self.files.bytes(file);
        // Noted by the parser, in source order (copied: resolving pushes to `self`).
        let sites = self.docs[doc].doc.include_sites.clone();
        self.includes.reserve(sites.len());
        // The same argument met again resolves the same way: a glob is matched against the file
        // set once, not once per site (a file can hold a million include lines).
        let mut seen: HashMap<(std::borrow::Cow<[u8]>, ParseMode), FirstSite> = HashMap::new();
        for crate::syntax::IncludeSite { span, report, target: word, mode } in sites {
            let arg = word.value(src);
            if let Some(&(first, missing)) = seen.get(&(arg.clone(), mode)) {
                let inc = &self.includes[first];
                let (pattern, glob, targets) = (inc.pattern.clone(), inc.glob, inc.targets.clone());
                if let Some(d) = missing.and_then(|m| self.diagnostics.get(m)) {
                    let d = Diagnostic { span: report, ..d.clone() };
                    self.diagnostics.push(d);
                }
                self.includes.push(Include { doc, span, pattern, glob, targets, cyclic: Vec::new() });
                continue;
            }
            let diagnostics_before = self.diagnostics.len();
            let pattern = join_path(&self.prefix, &String::from_utf8_lossy(&arg));
            let glob = is_glob(&pattern);
            let targets: Vec<FileId> = if glob {
                glob_matches(self.files, &pattern).unwrap_or_default()
            } else {
                match self.files.lookup(&pattern) {
                    Some(id) => vec![id],
                    None => {
                        self.diagnostics.push(self.missing(&pattern, report));
                        Vec::new()
                    }
                }
            };
            let targets = targets.into_iter().map(|t| self.doc_for(t, mode)).collect();
            let pattern: Arc<str> = pattern.into();
            let missing = (self.diagnostics.len() > diagnostics_before).then_some(diagnostics_before);
            seen.insert((arg, mode), (self.includes.len(), missing));
            self.includes.push(Include { doc, span, pattern, glob, targets, cyclic: Vec::new() });
        }
    }

    /// A missing plain include is nginx's error when it points where the given files live (the
    /// conf prefix's tree, or a directory holding given files); one outside every directory we
    /// were given is the machine's business (a note).
    fn missing(&self, path: &str, at: Span) -> Diagnostic {
        let message = format!("open() \"{path}\" failed (2: No such file or directory)");
        let dir = dir_name(path);
        let known_dir = self.files.files().any(|(_, f)| dir_name(f.path()) == dir);
        // `/` itself (a whole tree mapped) trims to "", under which every absolute path lies.
        let below = |dir: &str| {
            let dir = dir.trim_end_matches('/');
            (dir.is_empty() || dir.starts_with('/')) && path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
        };
        let prefix = self.prefix.trim_end_matches('/');
        let given = (prefix.starts_with('/') && below(prefix)) || self.given_dirs.iter().any(|d| d.starts_with('/') && below(d));
        if !self.missing_is_environment && (known_dir || given || !path.starts_with('/')) {
            Diagnostic::new(codes::INCLUDE_NOT_FOUND, at, message)
        } else {
            Diagnostic::new(codes::INCLUDE_EXTERNAL, at, format!("include of \"{path}\" is outside the files given"))
                .with_help(format!("nginx will need \"{path}\" at load time; pass it along (or map its directory with a prefix) to check it"))
        }
    }
}

/// Parses `main` and everything it includes.
pub fn resolve(files: &SourceSet, main: FileId, opts: &IncludeOptions) -> (Config, Vec<Diagnostic>) {
    let prefix = opts.prefix.clone().unwrap_or_else(|| dir_name(files.path(main)).to_string());
    let mut r = Resolver {
        files,
        prefix,
        docs: Vec::new(),
        by_file: HashMap::new(),
        includes: Vec::new(),
        diagnostics: Vec::new(),
        missing_is_environment: opts.missing_is_environment,
        given_dirs: opts.given_dirs.clone(),
    };
    let mode = if opts.main_mode_entries { ParseMode::Entries } else { ParseMode::Directives };
    let main_doc = r.doc_for(main, mode);
    let mut done = 0;
    while done < r.docs.len() {
        r.resolve_sites(done);
        done += 1;
    }
    let mut includes = r.includes;
    let mut diagnostics = r.diagnostics;
    let site_index: rustc_hash::FxHashMap<(usize, u32), usize> =
        includes.iter().enumerate().map(|(i, inc)| ((inc.doc, inc.span.start), i)).collect();
    // Include sites per document, in reading order, for both passes over the include graph.
    let mut by_doc: Vec<Vec<usize>> = vec![Vec::new(); r.docs.len()];
    for (i, inc) in includes.iter().enumerate() {
        by_doc[inc.doc].push(i);
    }
    let doc_parents = mark_cycles(&r.docs, &by_doc, &mut includes, main_doc, &mut diagnostics, files);
    limit_expansion(&r.docs, &by_doc, &mut includes, main_doc, &mut diagnostics, files);
    for d in &r.docs {
        for e in &d.doc.errors {
            let code = if e.limit { codes::LIMIT } else { codes::SYNTAX };
            diagnostics.push(Diagnostic::new(code, e.span, e.message.clone()));
        }
    }
    let config = Config { main: main_doc, docs: r.docs, includes, site_index, doc_parents };
    (config, diagnostics)
}

/// Depth-first over the include graph from the main document: marks edges that close a cycle
/// and records, for each document, the include-site offsets on the first path reaching it.
fn mark_cycles(
    docs: &[ParsedFile],
    by_doc: &[Vec<usize>],
    includes: &mut [Include],
    main: usize,
    diagnostics: &mut Vec<Diagnostic>,
    files: &SourceSet,
) -> Vec<Option<(usize, u32)>> {
    let mut parents: Vec<Option<(usize, u32)>> = vec![None; docs.len()];
    let mut reached = vec![false; docs.len()];
    reached[main] = true;
    let mut on_stack = vec![false; docs.len()];
    // (document, next include index within by_doc[doc], next target index)
    let mut stack: Vec<(usize, usize, usize)> = vec![(main, 0, 0)];
    on_stack[main] = true;
    while let Some(&mut (doc, ref mut inc_i, ref mut tgt_i)) = stack.last_mut() {
        let Some(&inc) = by_doc[doc].get(*inc_i) else {
            on_stack[doc] = false;
            stack.pop();
            continue;
        };
        let Some(&target) = includes[inc].targets.get(*tgt_i) else {
            *inc_i += 1;
            *tgt_i = 0;
            continue;
        };
        *tgt_i += 1;
        if on_stack[target] {
            includes[inc].cyclic.push(target);
            let site = includes[inc].span;
            let message = format!(
                "include cycle: \"{}\" is already being included here",
                files.path(docs[target].file)
            );
            diagnostics.push(Diagnostic::new(codes::INCLUDE_CYCLE, site, message).with_help(
                "nginx would include the files over and over until it runs out of file descriptors or memory",
            ));
            continue;
        }
        if !reached[target] {
            reached[target] = true;
            parents[target] = Some((doc, includes[inc].span.start));
            if stack.len() > MAX_INCLUDE_DEPTH {
                let site = includes[inc].span;
                diagnostics.push(Diagnostic::new(
                    codes::LIMIT,
                    site,
                    format!("includes are nested more than {MAX_INCLUDE_DEPTH} deep; \"{}\" and what it includes are not analysed", files.path(docs[target].file)),
                ));
                continue;
            }
            on_stack[target] = true;
            stack.push((target, 0, 0));
        }
    }
    parents
}

/// Keeps the expanded configuration within [`MAX_EXPANSION`] directives: when the include graph
/// expands past it, include targets are cut (added to `cyclic`, which every walker skips) from
/// the first site in reading order whose expansion no longer fits, and NGX004 says where.
/// Cutting per site, not per visit, keeps every walker of the configuration consistent.
fn limit_expansion(
    docs: &[ParsedFile],
    by_doc: &[Vec<usize>],
    includes: &mut [Include],
    main: usize,
    diagnostics: &mut Vec<Diagnostic>,
    files: &SourceSet,
) {
    let n = docs.len();
    let own: Vec<u64> = docs.iter().map(|d| d.doc.directive_count() as u64).collect();
    // Expanded size of each document, post-order without recursion; an edge back to a document
    // still being counted (a cycle mark_cycles did not reach) adds nothing.
    let mut size: Vec<u64> = vec![0; n];
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    let mut stack: Vec<usize> = vec![main];
    while let Some(&d) = stack.last() {
        if state[d] == 0 {
            state[d] = 1;
            for &i in &by_doc[d] {
                for &t in includes[i].targets.iter() {
                    if state[t] == 0 && !includes[i].cyclic.contains(&t) {
                        stack.push(t);
                    }
                }
            }
            continue;
        }
        stack.pop();
        if state[d] == 2 {
            continue;
        }
        let mut total = own[d];
        for &i in &by_doc[d] {
            for &t in includes[i].targets.iter() {
                if state[t] == 2 && !includes[i].cyclic.contains(&t) {
                    total = total.saturating_add(size[t]);
                }
            }
        }
        size[d] = total;
        state[d] = 2;
    }
    let limit = MAX_EXPANSION as u64;
    if size[main] <= limit {
        return;
    }
    // Expand in reading order while whole targets fit; descend into the one that does not, and
    // cut every site after the budget runs out.
    struct Cut<'c> {
        by_doc: &'c [Vec<usize>],
        own: &'c [u64],
        size: &'c [u64],
        cut_sites: Vec<usize>,
    }
    impl Cut<'_> {
        fn fit(&mut self, includes: &mut [Include], doc: usize, budget: u64, depth: usize) -> u64 {
            let mut used = 0u64;
            for &i in &self.by_doc[doc] {
                let targets = includes[i].targets.clone();
                for &t in targets.iter() {
                    if includes[i].cyclic.contains(&t) {
                        continue;
                    }
                    let room = budget.saturating_sub(used);
                    if self.size[t] <= room {
                        used += self.size[t];
                    } else if self.own[t] < room && depth < MAX_INCLUDE_DEPTH {
                        used += self.own[t] + self.fit(includes, t, room - self.own[t], depth + 1);
                    } else {
                        includes[i].cyclic.push(t);
                        if self.cut_sites.last() != Some(&i) {
                            self.cut_sites.push(i);
                        }
                    }
                }
            }
            used
        }
    }
    let mut cut = Cut { by_doc, own: &own, size: &size, cut_sites: Vec::new() };
    cut.fit(includes, main, limit.saturating_sub(own[main]), 0);
    let mut sites = cut.cut_sites;
    sites.sort_unstable();
    sites.dedup();
    if let Some(&first) = sites.first() {
        let inc = &includes[first];
        let more = match sites.len() - 1 {
            0 => String::new(),
            k => format!(" ({k} more include sites are cut the same way)"),
        };
        diagnostics.push(
            Diagnostic::new(
                codes::LIMIT,
                inc.span,
                format!(
                    "includes expand to {} directives, past ngxlint's limit of {MAX_EXPANSION}: \"{}\" is not expanded here, nor what follows{more}",
                    size[main],
                    files.path(docs[inc.targets.iter().copied().find(|t| inc.cyclic.contains(t)).unwrap_or(inc.doc)].file)
                ),
            )
            .with_help("nginx would try to read every inclusion; an include that repeats itself (a file including another twice, at every level) grows exponentially"),
        );
    }
}

/// Splits `nginx -T` output into files: `# configuration file <path>:` headers, each followed by
/// the file and one extra line break that nginx adds. `None` if the input has no such header.
pub fn split_dump(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    const HEAD: &[u8] = b"# configuration file ";
    let mut heads: Vec<(usize, usize, String)> = Vec::new(); // (header start, body start, path)
    let mut at = 0;
    while at < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[at..]).map(|i| at + i).unwrap_or(bytes.len());
        let line = &bytes[at..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(HEAD) {
            if let Some(path) = rest.strip_suffix(b":") {
                heads.push((at, (end + 1).min(bytes.len()), String::from_utf8_lossy(path).into_owned()));
            }
        }
        at = end + 1;
    }
    if heads.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for (i, (_, body, path)) in heads.iter().enumerate() {
        let stop = heads.get(i + 1).map(|h| h.0).unwrap_or(bytes.len());
        let mut content = &bytes[*body..stop.max(*body)];
        // nginx writes a line break after every file's content.
        if let Some(c) = content.strip_suffix(b"\n") {
            content = c;
        }
        out.push((path.clone(), content.to_vec()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> SourceSet {
        let mut s = SourceSet::new();
        for (p, t) in files {
            s.add(*p, *t);
        }
        s
    }

    fn messages(d: &[Diagnostic]) -> Vec<String> {
        d.iter().map(|d| format!("{} {}", d.code, d.message)).collect()
    }

    #[test]
    fn globs_sort_skip_dotfiles_and_never_cross_slashes() {
        let files = set(&[
            ("/etc/nginx/nginx.conf", "include conf.d/*.conf;"),
            ("/etc/nginx/conf.d/b.conf", "b;"),
            ("/etc/nginx/conf.d/a.conf", "a;"),
            ("/etc/nginx/conf.d/.hidden.conf", "h;"),
            ("/etc/nginx/conf.d/sub/c.conf", "c;"),
        ]);
        let main = files.lookup("/etc/nginx/nginx.conf").unwrap();
        let (cfg, diags) = resolve(&files, main, &IncludeOptions::default());
        assert!(diags.is_empty(), "{diags:?}");
        let inc = &cfg.includes[0];
        let paths: Vec<&str> =
            inc.targets.iter().map(|&t| files.path(cfg.docs[t].file)).collect();
        assert_eq!(paths, ["/etc/nginx/conf.d/a.conf", "/etc/nginx/conf.d/b.conf"]);
        assert_eq!(glob_matches(&files, "/etc/nginx/conf.d/.*.conf").unwrap().len(), 1);
        assert_eq!(glob_matches(&files, "/etc/nginx/nomatch/*").unwrap().len(), 0);
    }

    #[test]
    fn relative_includes_resolve_against_the_main_files_directory() {
        let files = set(&[
            ("conf/nginx.conf", "include sites/a.conf;"),
            ("conf/sites/a.conf", "include snippets/x.conf;"),
            ("conf/snippets/x.conf", "x;"),
        ]);
        let (cfg, diags) = resolve(&files, FileId(0), &IncludeOptions::default());
        assert!(diags.is_empty(), "{:?}", messages(&diags));
        assert_eq!(cfg.docs.len(), 3);
    }

    #[test]
    fn missing_plain_include_uses_nginx_wording() {
        let files = set(&[("conf/nginx.conf", "http {\n include missing.conf;\n}")]);
        let (_, diags) = resolve(&files, FileId(0), &IncludeOptions::default());
        assert_eq!(
            messages(&diags),
            ["NGX002 open() \"conf/missing.conf\" failed (2: No such file or directory)"]
        );
    }

    #[test]
    fn missing_include_below_the_prefix_is_an_error_even_in_a_new_directory() {
        let files = set(&[("/etc/nginx/nginx.conf", "http {\n include snipets/ssl.conf;\n}")]);
        let (_, diags) = resolve(&files, FileId(0), &IncludeOptions::default());
        assert_eq!(messages(&diags), ["NGX002 open() \"/etc/nginx/snipets/ssl.conf\" failed (2: No such file or directory)"]);
    }

    #[test]
    fn missing_include_below_a_given_directory_is_an_error() {
        let files = set(&[("/src/nginx.conf", "http {\n include /etc/nginx/snipets/ssl.conf;\n include /opt/x.conf;\n}")]);
        let opts = IncludeOptions { given_dirs: vec!["/etc/nginx".into()], ..IncludeOptions::default() };
        let (_, diags) = resolve(&files, FileId(0), &opts);
        assert_eq!(
            messages(&diags),
            ["NGX002 open() \"/etc/nginx/snipets/ssl.conf\" failed (2: No such file or directory)", "NGX006 include of \"/opt/x.conf\" is outside the files given"]
        );
    }

    #[test]
    fn include_outside_the_given_tree_is_a_note() {
        let files = set(&[("conf/nginx.conf", "include /etc/nginx/mime.types;")]);
        let (_, diags) = resolve(&files, FileId(0), &IncludeOptions::default());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].severity, crate::report::Severity::Info);
    }

    #[test]
    fn cycles_are_reported_and_not_expanded() {
        let files = set(&[("a.conf", "include b.conf;"), ("b.conf", "include a.conf; x;")]);
        let (cfg, diags) = resolve(&files, FileId(0), &IncludeOptions::default());
        assert_eq!(diags.len(), 1, "{:?}", messages(&diags));
        assert_eq!(diags[0].code, "NGX003");
        let mut n = 0;
        cfg.walk(|_, _, _| n += 1);
        assert_eq!(n, 3);
    }

    #[test]
    fn includes_inside_handler_blocks_parse_as_entries() {
        let files = set(&[
            ("nginx.conf", "http { map $a $b { include m.map; } types { include mime.types; } }"),
            ("m.map", "default 0;\n~^x 1;"),
            ("mime.types", "text/html html;"),
        ]);
        let (cfg, diags) = resolve(&files, FileId(0), &IncludeOptions::default());
        assert!(diags.is_empty());
        assert!(cfg.docs.iter().skip(1).all(|d| d.doc.mode == ParseMode::Entries));
    }

    #[test]
    fn exponential_fan_out_is_bounded() {
        let mut files = SourceSet::new();
        for i in 0..40 {
            files.add(format!("f{i}.conf"), format!("include f{}.conf; include f{}.conf;", i + 1, i + 1));
        }
        files.add("f40.conf", "x;");
        let (cfg, diags) = resolve(&files, FileId(0), &IncludeOptions::default());
        let mut n = 0usize;
        cfg.walk(|_, _, _| n += 1);
        // Cut per include site (every walker skips the same targets), so what a shared file
        // loses it loses at every inclusion: well under the limit here, never over it.
        assert!((2..=MAX_EXPANSION).contains(&n), "{n}");
        let limit: Vec<_> = diags.iter().filter(|d| d.code == codes::LIMIT.code).collect();
        assert_eq!(limit.len(), 1, "{diags:?}");
        assert!(limit[0].message.contains("past ngxlint's limit"), "{}", limit[0].message);
    }

    #[test]
    fn order_key_puts_included_errors_where_nginx_meets_them() {
        let files = set(&[("m.conf", "include i.conf;\n}\n"), ("i.conf", "a b }")]);
        let (cfg, diags) = resolve(&files, FileId(0), &IncludeOptions::default());
        let mut d = diags.clone();
        d.sort_by_key(|d| cfg.order_key(d.span));
        assert_eq!(d[0].span.file, FileId(1));
    }

    #[test]
    fn dumps_split_into_files() {
        let dump = b"nginx: the configuration file /e/n.conf syntax is ok\n# configuration file /e/n.conf:\nevents {}\ninclude x.conf;\n\n# configuration file /e/x.conf:\nx;\n\n";
        let files = split_dump(dump).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0], ("/e/n.conf".to_string(), b"events {}\ninclude x.conf;\n".to_vec()));
        assert_eq!(files[1], ("/e/x.conf".to_string(), b"x;\n".to_vec()));
        assert!(split_dump(b"events {}").is_none());
    }
}
