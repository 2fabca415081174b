//! Shared helpers for the integration tests: locating `../shared` (the corpus and the nginx
//! oracle tool), loading the corpus manifest and the recorded lexer cases, mapping a `wrap` to
//! analysis options, comparing ngxlint's verdict with nginx's, and printing summary tables.
//!
//! Tests that need `../shared` skip with a printed reason when it is absent, so the workspace
//! tests pass on a checkout without it.

use ngxlint::syntax::{self, BlockKind, Document, ParseMode};
use ngxlint::{Analysis, Diagnostic, FileId, Options, SourceSet};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Diagnostic code of nginx's tokenizer/parser errors.
pub const SYNTAX: &str = "NGX001";

// ---------------------------------------------------------------------------------------------
// Locations

/// The repository root (the parent of this crate's directory).
pub fn repo_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// `<repo>/../shared`, or `None` (with a printed reason) when it is absent.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = repo_root().join("..").join("shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared not found (looked for {})", dir.display());
        None
    }
}

/// `<repo>/../shared/corpus` (with its manifest), or `None` with a printed reason.
pub fn corpus_dir() -> Option<PathBuf> {
    let shared = shared_dir()?;
    let dir = shared.join("corpus");
    if dir.join("manifest.jsonl").is_file() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared/corpus not found (looked for {})", dir.join("manifest.jsonl").display());
        None
    }
}

/// `<repo>/tests/fixtures/lexer`.
pub fn lexer_fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join("lexer")
}

// ---------------------------------------------------------------------------------------------
// Corpus manifest

/// One line of `../shared/corpus/manifest.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestEntry {
    /// Path relative to the corpus directory.
    pub path: String,
    pub source_repo: String,
    #[serde(default)]
    pub bytes: Option<u64>,
    /// How the file was tested: none, main, events, http, server or location.
    pub wrap: String,
    pub oracle: String,
    pub nginx_message: Option<String>,
    pub oracle_relaxed: String,
    pub relaxed_message: Option<String>,
    #[serde(default)]
    pub env_fixes: Vec<String>,
}

impl ManifestEntry {
    /// The corpus directory the file lives under (its first path component): the source.
    pub fn source(&self) -> &str {
        self.path.split('/').next().unwrap_or(&self.path)
    }
}

/// Loads the manifest; panics with the line number on a malformed line.
pub fn load_manifest(corpus: &Path) -> Vec<ManifestEntry> {
    let path = corpus.join("manifest.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// The analysis context a corpus or fixture `wrap` stands for.
pub fn wrap_context(wrap: &str) -> &'static [&'static str] {
    match wrap {
        "none" => &[],
        "main" => &["main"],
        "events" => &["events"],
        "http" => &["http"],
        "server" => &["http", "server"],
        "location" => &["http", "server", "location"],
        other => panic!("unknown wrap {other:?}"),
    }
}

/// Analysis options for a `wrap`.
pub fn wrap_options(wrap: &str) -> Options {
    let ctx = wrap_context(wrap);
    if ctx.is_empty() {
        Options::default()
    } else {
        Options::context(ctx.iter().copied())
    }
}

/// Splits an nginx error line into its bare message and location: strips a leading
/// `[emerg] ` (any `[level] `) and a trailing ` in <file>:<line>`.
pub fn split_nginx_message(msg: &str) -> (String, Option<(String, usize)>) {
    let mut m = msg.trim_end_matches('\n');
    if m.starts_with('[') {
        if let Some(i) = m.find("] ") {
            m = &m[i + 2..];
        }
    }
    match split_location(m.as_bytes()) {
        Some((bare, file, line)) => (
            String::from_utf8_lossy(bare).into_owned(),
            Some((String::from_utf8_lossy(file).into_owned(), line)),
        ),
        None => (m.to_string(), None),
    }
}

/// Splits `<message> in <file>:<line>` (the file has no whitespace) at the last such suffix.
pub fn split_location(b: &[u8]) -> Option<(&[u8], &[u8], usize)> {
    let digits = b.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let line: usize = std::str::from_utf8(&b[b.len() - digits..]).ok()?.parse().ok()?;
    let rest = b[..b.len() - digits].strip_suffix(b":")?;
    let ws = rest.iter().rposition(|c| c.is_ascii_whitespace())?;
    let file = &rest[ws + 1..];
    let bare = rest[..ws + 1].strip_suffix(b" in ")?;
    if file.is_empty() {
        return None;
    }
    Some((bare, file, line))
}

// ---------------------------------------------------------------------------------------------
// Lexer fixtures (tests/fixtures/lexer/cases.json)

#[derive(Debug, Clone, Deserialize)]
pub struct LexerCases {
    pub notes: String,
    pub nginx_version: Option<String>,
    pub cases: Vec<LexerCase>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LexerCase {
    pub file: String,
    pub wrap: String,
    pub what: String,
    pub nginx: NginxVerdict,
}

/// What `nginx -t` said (through `nginx-check`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NginxVerdict {
    /// `ok` or `error`.
    pub status: String,
    /// The first error without ` in <file>:<line>`; each char is one byte (latin-1).
    pub message: Option<String>,
    pub line: Option<usize>,
    pub in_wrapper: bool,
    pub truncated: bool,
}

pub fn load_lexer_cases() -> LexerCases {
    let path = lexer_fixtures_dir().join("cases.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The bytes a latin-1 decoded string stands for. Panics on a char above U+00FF.
pub fn latin1_bytes(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or_else(|_| panic!("not latin-1: {c:?} in {s:?}")))
        .collect()
}

/// Latin-1 decoding of raw bytes (one char per byte).
pub fn latin1_string(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

/// Parses `nginx-check`'s stdout and exit status into a verdict, the way
/// tests/tools/record-lexer-cases.sh records it. `fixture` is the fixture's canonical path.
pub fn verdict_from_check(stdout: &[u8], success: bool, fixture: &Path) -> NginxVerdict {
    let out = stdout.strip_suffix(b"\n").unwrap_or(stdout);
    if success {
        return NginxVerdict {
            status: if out == b"ok" { "ok".into() } else { format!("ok?{}", latin1_string(out)) },
            message: None,
            line: None,
            in_wrapper: false,
            truncated: false,
        };
    }
    match split_location(out) {
        Some((msg, file, line)) => {
            let file = latin1_string(file);
            let where_ = std::fs::canonicalize(&file).unwrap_or_else(|_| PathBuf::from(&file));
            NginxVerdict {
                status: "error".into(),
                message: Some(latin1_string(msg)),
                line: Some(line),
                in_wrapper: where_ != fixture,
                truncated: false,
            }
        }
        None => NginxVerdict {
            status: "error".into(),
            message: Some(latin1_string(out)),
            line: None,
            in_wrapper: false,
            truncated: out.iter().filter(|&&c| c == b'"').count() % 2 == 1,
        },
    }
}

/// nginx's messages for errors of its tokenizer/parser (what ngxlint reports as NGX001).
pub fn is_syntax_message(msg: &str) -> bool {
    msg.starts_with("unexpected") || msg.starts_with("too long parameter") || msg.starts_with("Lua code block")
}

/// nginx's message as the bytes ngxlint would print: nginx prints the byte of
/// `unexpected "<c>"` raw; ngxlint renders a non-ASCII or control byte there as `\xHH`.
pub fn nginx_message_as_ngxlint(msg_latin1: &str) -> Vec<u8> {
    let b = latin1_bytes(msg_latin1);
    if b.len() == b"unexpected \"c\"".len() && b.starts_with(b"unexpected \"") && b.ends_with(b"\"") {
        let c = b[12];
        if !c.is_ascii() || c.is_ascii_control() {
            return format!("unexpected \"\\x{c:02X}\"").into_bytes();
        }
    }
    b
}

/// How nginx's verdict on a case is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VerdictKind {
    /// nginx accepted the file: ngxlint must report no syntax error.
    Ok,
    /// nginx's tokenizer/parser rejected it: same message, same line.
    Syntax,
    /// nginx read the file and rejected a directive: no syntax error, same token values.
    Semantic,
}

impl VerdictKind {
    pub fn of(v: &NginxVerdict) -> VerdictKind {
        match (&*v.status, &v.message) {
            ("ok", _) => VerdictKind::Ok,
            (_, Some(m)) if is_syntax_message(m) => VerdictKind::Syntax,
            _ => VerdictKind::Semantic,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            VerdictKind::Ok => "ok",
            VerdictKind::Syntax => "syntax error",
            VerdictKind::Semantic => "semantic error",
        }
    }
}

/// The result of one check of ngxlint against nginx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Agreed,
    Disagreed(String),
    Skipped(String),
}

/// Compares ngxlint on one fixture with nginx's verdict on it. Returns (check name, result) for
/// every check that applies: `no syntax error` (ok/semantic), `message` and `line` (syntax),
/// `token value` (semantic errors that print a value).
pub fn compare_with_nginx(path: &str, src: &[u8], wrap: &str, v: &NginxVerdict) -> Vec<(&'static str, Check)> {
    let (files, _, analysis) = analyze_one(path, src, wrap);
    let errs = syntax_errors(&analysis);
    let mut out = Vec::new();
    let kind = VerdictKind::of(v);
    match kind {
        VerdictKind::Ok | VerdictKind::Semantic => {
            let c = match errs.first() {
                None => Check::Agreed,
                Some(d) => Check::Disagreed(format!(
                    "ngxlint reports syntax error {:?} at line {} where nginx {}",
                    d.message,
                    line_of(&files, d),
                    match &v.message {
                        Some(m) => format!("reports {:?}", m),
                        None => "accepts the file".to_string(),
                    }
                )),
            };
            out.push(("no syntax error", c));
        }
        VerdictKind::Syntax => {
            let want = nginx_message_as_ngxlint(v.message.as_deref().unwrap_or(""));
            match errs.first() {
                None => {
                    out.push(("message", Check::Disagreed(format!("no syntax error; nginx: {:?}", show(&want)))));
                }
                Some(d) => {
                    let c = if d.message.as_bytes() == want.as_slice() {
                        Check::Agreed
                    } else {
                        Check::Disagreed(format!("ngxlint {:?}, nginx {:?}", show(d.message.as_bytes()), show(&want)))
                    };
                    out.push(("message", c));
                }
            }
            let c = match (v.line, v.in_wrapper, errs.first()) {
                (None, _, _) => Check::Skipped("nginx printed no line".into()),
                (Some(_), true, _) => Check::Skipped("nginx's line is in the wrapper".into()),
                (Some(_), false, None) => Check::Disagreed("no syntax error to compare the line of".into()),
                (Some(l), false, Some(d)) => {
                    let got = line_of(&files, d);
                    if got == l {
                        Check::Agreed
                    } else {
                        Check::Disagreed(format!("ngxlint line {got}, nginx line {l}"))
                    }
                }
            };
            out.push(("line", c));
        }
    }
    if kind == VerdictKind::Semantic {
        if let Some(c) = check_token_value(&files, &analysis, v) {
            out.push(("token value", c));
        }
    }
    out
}

/// For `unknown directive "X"` and `invalid value "X" in "gzip" directive`: some directive at
/// nginx's line has the name (resp. first gzip argument) whose value nginx printed (with `%s`,
/// so a NUL ends it). `None` when the message shows no token value.
fn check_token_value(files: &SourceSet, analysis: &Analysis, v: &NginxVerdict) -> Option<Check> {
    let msg = latin1_bytes(v.message.as_deref()?);
    enum Want {
        Name(Vec<u8>),
        GzipArg(Vec<u8>),
    }
    let want = if let Some(rest) = msg.strip_prefix(b"unknown directive \"") {
        Want::Name(rest.strip_suffix(b"\"").unwrap_or(rest).to_vec())
    } else if let Some(rest) = msg.strip_prefix(b"invalid value \"") {
        let end = b"\" in \"gzip\" directive, it must be \"on\" or \"off\"";
        match rest.strip_suffix(end.as_slice()) {
            Some(x) => Want::GzipArg(x.to_vec()),
            None if v.truncated => Want::GzipArg(Vec::new()),
            None => return None,
        }
    } else {
        return None;
    };
    if v.truncated {
        return Some(Check::Skipped("nginx's message is cut at a LF in the value".into()));
    }
    if v.in_wrapper {
        return Some(Check::Skipped("nginx's line is in the wrapper".into()));
    }
    let cfg = analysis.config();
    let doc = cfg.main_doc();
    let file = doc.file;
    let src = files.bytes(file);
    let mut seen: Vec<String> = Vec::new();
    let mut found = false;
    doc.walk(|d, _| {
        let first = files.range_of(d.name.span).0.line;
        let last = files.range_of(d.report_span()).1.line;
        let at_line = match v.line {
            Some(l) => (first..=last).contains(&l),
            None => true,
        };
        let (got, want) = match &want {
            Want::Name(x) => (d.name.value(src).into_owned(), x),
            Want::GzipArg(x) => {
                if !d.name.is(src, "gzip") {
                    return;
                }
                match d.args.first() {
                    Some(a) => (a.value(src).into_owned(), x),
                    None => return,
                }
            }
        };
        let got = cut_at_nul(&got);
        if at_line && got == want.as_slice() {
            found = true;
        } else if at_line {
            seen.push(show(got));
        }
    });
    Some(if found {
        Check::Agreed
    } else {
        let w = match &want {
            Want::Name(x) | Want::GzipArg(x) => show(x),
        };
        Check::Disagreed(format!("nginx printed {w:?}; ngxlint's values at line {:?}: {seen:?}", v.line))
    })
}

/// Runs every check of a case and folds it into a tally (rows: check; columns: agreed,
/// disagreed, skipped) and a failure list.
pub fn tally_case(
    name: &str,
    checks: &[(&'static str, Check)],
    kind: VerdictKind,
    tally: &mut Tally,
    skips: &mut Tally,
    failures: &mut Vec<String>,
) {
    for (what, c) in checks {
        let row = format!("{} / {}", kind.name(), what);
        match c {
            Check::Agreed => tally.add(&row, "agreed"),
            Check::Disagreed(why) => {
                tally.add(&row, "disagreed");
                failures.push(format!("{name}: {what}: {why}"));
            }
            Check::Skipped(why) => {
                tally.add(&row, "skipped");
                skips.add(why, "cases");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Analysis helpers

/// A one-file source set analysed in a wrap context.
pub fn analyze_one(path: &str, bytes: &[u8], wrap: &str) -> (SourceSet, FileId, Analysis) {
    let mut files = SourceSet::new();
    let id = files.add(path, bytes);
    let analysis = ngxlint::analyze(&files, id, &wrap_options(wrap));
    (files, id, analysis)
}

/// The NGX001 diagnostics, in nginx's reading order.
pub fn syntax_errors(a: &Analysis) -> Vec<&Diagnostic> {
    a.diagnostics().iter().filter(|d| d.code == SYNTAX).collect()
}

/// 1-based line of a diagnostic's start.
pub fn line_of(files: &SourceSet, d: &Diagnostic) -> usize {
    files.range_of(d.span).0.line
}

/// nginx prints names and values with `%s`: a NUL byte ends them.
pub fn cut_at_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// What a directive looks like to nginx: (depth, name value, argument values).
pub type Shape = (usize, Vec<u8>, Vec<Vec<u8>>);

/// The (depth, name, args) sequence of a tree, values unescaped as nginx stores them.
pub fn shape(doc: &Document, src: &[u8]) -> Vec<Shape> {
    let mut out = Vec::new();
    doc.walk(|d, depth| {
        out.push((depth, d.name.value(src).into_owned(), d.args.iter().map(|w| w.value(src).into_owned()).collect()))
    });
    out
}

/// The Lua bodies of a tree, in order.
pub fn lua_bodies(doc: &Document, src: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    doc.walk(|d, _| {
        if let Some(b) = d.block() {
            if b.kind == BlockKind::Lua {
                let body = b.lua.map(|l| src[l.range()].to_vec()).unwrap_or_default();
                out.push(body);
            }
        }
    });
    out
}

/// The comments of a tree in order (`#` to end of line, trailing blanks trimmed): the formatter
/// keeps every one.
pub fn comments(doc: &Document, src: &[u8]) -> Vec<Vec<u8>> {
    syntax::tokens(doc)
        .into_iter()
        .filter(|s| src.get(s.start as usize) == Some(&b'#'))
        .map(|s| {
            let mut t = &src[s.range()];
            while let [rest @ .., b' ' | b'\t' | b'\r'] = t {
                t = rest;
            }
            t.to_vec()
        })
        .collect()
}

/// Parses bytes as a whole file of directives.
pub fn parse_bytes(src: &[u8]) -> Document {
    syntax::parse(src, FileId(0), ParseMode::Directives)
}

/// Every span a diagnostic carries is inside its file: `start <= end <= len`.
pub fn check_spans(files: &SourceSet, diagnostics: &[Diagnostic]) -> Result<(), String> {
    for d in diagnostics {
        let spans = std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span));
        for s in spans {
            let len = files.bytes(s.file).len();
            if files.get(s.file).is_none() || s.start > s.end || s.end as usize > len {
                return Err(format!(
                    "{} {:?}: span {}..{} in file {:?} of {} bytes",
                    d.code, d.message, s.start, s.end, s.file, len
                ));
            }
            // Line/column lookups must work on every span.
            let _ = files.range_of(s);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Deterministic pseudo-random bytes

/// xorshift64*: a fixed-seed generator for reproducible adversarial inputs.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform-enough in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Summary tables

/// Counts per (row, column), printed as an aligned table with totals.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    columns: Vec<String>,
    cells: BTreeMap<String, BTreeMap<String, usize>>,
}

impl Tally {
    pub fn new() -> Tally {
        Tally::default()
    }
    /// A tally whose table shows these columns (in this order) even when they stay at zero.
    pub fn with_columns(columns: &[&str]) -> Tally {
        Tally { columns: columns.iter().map(|c| c.to_string()).collect(), cells: BTreeMap::new() }
    }
    /// Adds one to (row, column).
    pub fn add(&mut self, row: &str, column: &str) {
        self.add_n(row, column, 1);
    }
    pub fn add_n(&mut self, row: &str, column: &str, n: usize) {
        if !self.columns.iter().any(|c| c == column) {
            self.columns.push(column.to_string());
        }
        *self.cells.entry(row.to_string()).or_default().entry(column.to_string()).or_default() += n;
    }
    pub fn get(&self, row: &str, column: &str) -> usize {
        self.cells.get(row).and_then(|r| r.get(column)).copied().unwrap_or(0)
    }
    pub fn column_total(&self, column: &str) -> usize {
        self.cells.values().filter_map(|r| r.get(column)).sum()
    }
    /// The table as text, with a TOTAL row.
    pub fn render(&self, title: &str, row_header: &str) -> String {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec![row_header.to_string()];
        head.extend(self.columns.iter().cloned());
        rows.push(head);
        for (name, cells) in &self.cells {
            let mut r = vec![name.clone()];
            r.extend(self.columns.iter().map(|c| cells.get(c).copied().unwrap_or(0).to_string()));
            rows.push(r);
        }
        let mut total = vec!["TOTAL".to_string()];
        total.extend(self.columns.iter().map(|c| self.column_total(c).to_string()));
        rows.push(total);
        let widths: Vec<usize> =
            (0..rows[0].len()).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        let mut out = format!("== {title}\n");
        for (n, r) in rows.iter().enumerate() {
            if n == rows.len() - 1 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                out.push_str(&format!("  {}\n", rule.join("  ")));
            }
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| if i == 0 { format!("{c:<w$}", w = widths[i]) } else { format!("{c:>w$}", w = widths[i]) })
                .collect();
            out.push_str(&format!("  {}\n", cells.join("  ")));
        }
        out
    }
    pub fn print(&self, title: &str, row_header: &str) {
        eprint!("{}", self.render(title, row_header));
    }
}

/// Prints up to `max` failures, then how many more there were.
pub fn print_failures(title: &str, failures: &[String], max: usize) {
    if failures.is_empty() {
        return;
    }
    eprintln!("== {title}: {} failure(s)", failures.len());
    for f in failures.iter().take(max) {
        eprintln!("  {f}");
    }
    if failures.len() > max {
        eprintln!("  ... and {} more", failures.len() - max);
    }
}

/// Shows bytes for a failure message: printable ASCII as is, the rest as `\xHH`.
pub fn show(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        if (0x20..0x7f).contains(&c) && c != b'\\' {
            s.push(char::from(c));
        } else {
            s.push_str(&format!("\\x{c:02X}"));
        }
    }
    s
}


/// The directory holding an `nginx` executable: PATH first, then the usual sbin directories
/// (a non-login root shell may lack them). Tests that run nginx skip when it is None.
pub fn nginx_dir() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    dirs.into_iter().find(|d| d.join("nginx").is_file())
}

/// Whether we run as root (nginx -t wants it); true when it cannot be told, so nginx speaks.
pub fn is_root() -> bool {
    match std::process::Command::new("id").arg("-u").output() {
        Ok(o) => String::from_utf8_lossy(&o.stdout).trim() == "0",
        Err(_) => true,
    }
}

/// PATH with `dir` in front (so helper scripts find nginx).
pub fn path_with(dir: &Path) -> std::ffi::OsString {
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&old));
    std::env::join_paths(dirs).unwrap_or(old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_messages_split_into_text_and_location() {
        let (m, loc) = split_nginx_message("[emerg] unexpected \"{\" in files/nginx-tests/map.conf:6");
        assert_eq!((m.as_str(), loc), ("unexpected \"{\"", Some(("files/nginx-tests/map.conf".into(), 6))));
        let (m, loc) = split_nginx_message("no \"events\" section in configuration");
        assert_eq!((m.as_str(), loc), ("no \"events\" section in configuration", None));
    }

    #[test]
    fn unexpected_bytes_render_as_ngxlint_does() {
        assert_eq!(nginx_message_as_ngxlint("unexpected \"\u{a0}\""), b"unexpected \"\\xA0\"");
        assert_eq!(nginx_message_as_ngxlint("unexpected \"\u{1}\""), b"unexpected \"\\x01\"");
        assert_eq!(nginx_message_as_ngxlint("unexpected \"b\""), b"unexpected \"b\"");
        assert_eq!(nginx_message_as_ngxlint("invalid value \"\u{c2}\u{a0}\""), b"invalid value \"\xC2\xA0\"");
    }

    #[test]
    fn wraps_map_to_contexts() {
        assert_eq!(wrap_options("none"), Options::default());
        assert_eq!(wrap_options("location").context, ["http", "server", "location"]);
    }

    fn verdict(message: &str, line: usize) -> NginxVerdict {
        NginxVerdict { status: "error".into(), message: Some(message.into()), line: Some(line), in_wrapper: false, truncated: false }
    }

    fn results(src: &[u8], v: &NginxVerdict) -> Vec<(&'static str, bool)> {
        compare_with_nginx("t.conf", src, "http", v)
            .into_iter()
            .map(|(w, c)| (w, matches!(c, Check::Agreed)))
            .collect()
    }

    #[test]
    fn comparisons_detect_disagreement() {
        let gzip = |x: &str| format!("invalid value \"{x}\" in \"gzip\" directive, it must be \"on\" or \"off\"");
        // The unescaped value is compared, not the raw text.
        let src = b"gzip \"a\\tb\";\n";
        assert_eq!(results(src, &verdict(&gzip("a\tb"), 1)), [("no syntax error", true), ("token value", true)]);
        assert_eq!(results(src, &verdict(&gzip("a\\tb"), 1)), [("no syntax error", true), ("token value", false)]);
        assert_eq!(results(src, &verdict(&gzip("a\tb"), 2)), [("no syntax error", true), ("token value", false)]);
        // Names are cut at a NUL as nginx's %s does.
        let src = b"gz\0ip on;\n";
        assert_eq!(results(src, &verdict("unknown directive \"gz\"", 1)), [("no syntax error", true), ("token value", true)]);
        // Syntax errors: message and line both count.
        let src = b"a;\n\"x\"y;\n";
        assert_eq!(results(src, &verdict("unexpected \"y\"", 2)), [("message", true), ("line", true)]);
        assert_eq!(results(src, &verdict("unexpected \"y\"", 1)), [("message", true), ("line", false)]);
        assert_eq!(results(src, &verdict("unexpected \";\"", 2)), [("message", false), ("line", true)]);
        // A syntax error where nginx read on is a disagreement.
        assert_eq!(results(src, &verdict("unknown directive \"a\"", 1)), [("no syntax error", false), ("token value", true)]);
        let ok = NginxVerdict { status: "ok".into(), message: None, line: None, in_wrapper: false, truncated: false };
        assert_eq!(results(b"a b", &ok), [("no syntax error", false)]);
        assert_eq!(results(b"a b;", &ok), [("no syntax error", true)]);
    }

    #[test]
    fn check_output_becomes_a_verdict() {
        let fixture = Path::new("/nonexistent/f.conf");
        let v = verdict_from_check(b"unknown directive \"gz\" in /nonexistent/f.conf:3\n", false, fixture);
        assert_eq!(v, verdict("unknown directive \"gz\"", 3));
        let v = verdict_from_check(b"invalid value \"a\n", false, fixture);
        assert_eq!((v.line, v.truncated, v.message.as_deref()), (None, true, Some("invalid value \"a")));
        let v = verdict_from_check(b"ok\n", true, fixture);
        assert_eq!(v.status, "ok");
    }

    #[test]
    fn xorshift_is_deterministic() {
        let a = XorShift::new(7).bytes(100);
        assert_eq!(a, XorShift::new(7).bytes(100));
        assert_ne!(a, XorShift::new(8).bytes(100));
    }
}
