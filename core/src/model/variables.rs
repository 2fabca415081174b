//! What a variable's value can contain, for taint rules: whether a client chooses it, and which
//! bytes the client can put in it (CR/LF for header splitting, `/` for paths, ...).
//!
//! Sources:
//! - built-in variables: a table of the client-controlled ones (`$http_*`, `$arg_*`, `$cookie_*`,
//!   `$uri`, `$request_uri`, `$host`, ...) with the bytes nginx lets through (headers and the raw
//!   request line never hold CR/LF; the decoded `$uri` can, from `%0d%0a`; `$host` and the
//!   `Host` header itself are validated: no `/`, no space or control bytes); every other built-in
//!   is treated as server-controlled;
//! - regex captures (`$1`..`$9`, named): the subject's bytes restricted to what the capture group
//!   can match, derived from regex-syntax's HIR with PCRE's defaults (`.` does not match `\n`,
//!   `[^/]` and `\s` do). A group that can only match fixed alternatives (`(en|de)`) is not
//!   client-controlled. The capture is resolved statically: the directive's own `rewrite` regex,
//!   then the nearest earlier `rewrite`/`if` regex of the same block, then an enclosing `if` or
//!   regex location, outwards, then the server's `server_name` regexes;
//! - `set $x ...`: the union over every `set` of `$x` (variables are global in nginx);
//! - `map $src $dst`: the union of the values (literal values are server-controlled; `$1` in a
//!   value is the key regex's capture over `$src`).
//!
//! Unknown variables (third-party modules, `js_set`, `perl_set`, `geo`, `split_clients`) are
//! assumed server-controlled: rules built on this stay quiet rather than guess.

use crate::model::{location_of, Modifier};
use crate::rules::RuleContext;
use regex_syntax::hir::{Class, Hir, HirKind};

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteSet([u128; 2]);

impl ByteSet {
    pub const EMPTY: ByteSet = ByteSet([0, 0]);
    pub const ALL: ByteSet = ByteSet([u128::MAX, u128::MAX]);

    pub fn contains(&self, b: u8) -> bool {
        self.0[(b >> 7) as usize] & (1u128 << (b & 127)) != 0
    }
    pub fn insert(&mut self, b: u8) {
        self.0[(b >> 7) as usize] |= 1u128 << (b & 127);
    }
    pub fn remove(&mut self, b: u8) {
        self.0[(b >> 7) as usize] &= !(1u128 << (b & 127));
    }
    /// Inserts `lo..=hi` (nothing when `lo > hi`), a mask per half instead of a bit at a time.
    pub fn insert_range(&mut self, lo: u8, hi: u8) {
        for half in 0..2u32 {
            let start = half * 128;
            let (a, b) = ((lo as u32).max(start), (hi as u32).min(start + 127));
            if a > b {
                continue;
            }
            let (a, width) = (a - start, b - a + 1);
            let mask = if width == 128 { u128::MAX } else { ((1u128 << width) - 1) << a };
            self.0[half as usize] |= mask;
        }
    }
    pub fn union(self, o: ByteSet) -> ByteSet {
        ByteSet([self.0[0] | o.0[0], self.0[1] | o.0[1]])
    }
    pub fn intersect(self, o: ByteSet) -> ByteSet {
        ByteSet([self.0[0] & o.0[0], self.0[1] & o.0[1]])
    }
    pub fn is_empty(&self) -> bool {
        self.0 == [0, 0]
    }
    pub fn len(&self) -> u32 {
        self.0[0].count_ones() + self.0[1].count_ones()
    }
    /// Every byte except these.
    pub fn all_but(bytes: &[u8]) -> ByteSet {
        let mut s = ByteSet::ALL;
        for &b in bytes {
            s.remove(b);
        }
        s
    }
}

/// What a variable's value can contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VariableFacts {
    /// The client chooses (part of) the value.
    pub attacker_controlled: bool,
    /// The bytes the client can put in the value (empty when not client-controlled).
    pub bytes: ByteSet,
    /// We know where the value comes from (false: unknown variable, assumed server-controlled).
    pub known: bool,
    /// The value always starts with `/` (`$uri`, `$request_uri`, a capture like `(/.*)`): it
    /// ends a host name placed before it.
    pub leading_slash: bool,
    /// The client can put a line feed followed by more bytes of its choice in it (`$uri`,
    /// `([^/]+)`), not only a final one (`(.*[^/])`): enough to inject a header line.
    pub newline_inside: bool,
    /// The value holds percent-decoded URI bytes (`$uri`, its captures): `%3F` is a literal `?`,
    /// `%25` a literal `%`.
    pub decoded: bool,
}

impl VariableFacts {
    const SERVER: VariableFacts = VariableFacts { attacker_controlled: false, bytes: ByteSet::EMPTY, known: true, leading_slash: false, newline_inside: false, decoded: false };
    const UNKNOWN: VariableFacts = VariableFacts { attacker_controlled: false, bytes: ByteSet::EMPTY, known: false, leading_slash: false, newline_inside: false, decoded: false };

    fn client(bytes: ByteSet) -> VariableFacts {
        VariableFacts { attacker_controlled: true, bytes, known: true, leading_slash: false, newline_inside: bytes.contains(b'\n'), decoded: false }
    }
    /// The client can put a line feed in it (header/response splitting).
    pub fn newline(&self) -> bool {
        self.attacker_controlled && self.bytes.contains(b'\n')
    }
    /// The client can end a header line and write another one with it.
    pub fn splits_headers(&self) -> bool {
        self.attacker_controlled && self.newline_inside
    }
    /// The client can put a `/` in it.
    pub fn slash(&self) -> bool {
        self.attacker_controlled && self.bytes.contains(b'/')
    }
    /// The client can put byte `b` in it.
    pub fn can_contain(&self, b: u8) -> bool {
        self.attacker_controlled && self.bytes.contains(b)
    }
    /// Both parts of a concatenation (or either branch of a choice).
    pub fn join(self, o: VariableFacts) -> VariableFacts {
        VariableFacts {
            attacker_controlled: self.attacker_controlled || o.attacker_controlled,
            bytes: self.bytes.union(o.bytes),
            known: self.known && o.known,
            leading_slash: self.leading_slash && o.leading_slash,
            newline_inside: self.newline_inside || o.newline_inside,
            decoded: self.decoded || o.decoded,
        }
    }
}

/// Bytes of a header value or of the raw request line: anything but CR and LF.
fn raw() -> ByteSet {
    ByteSet::all_but(b"\r\n\0")
}

/// `$host`, `$ssl_server_name`: validated by nginx (no control bytes, space, `/`; lowercased).
fn host_bytes() -> ByteSet {
    let mut s = ByteSet::EMPTY;
    s.insert_range(0x21, 0x7e);
    s.insert_range(0x80, 0xff);
    s.remove(b'/');
    s.remove(b'\\');
    for b in b'A'..=b'Z' {
        s.remove(b);
    }
    s
}

/// Facts of a built-in variable (None when it is not one we know to be client-controlled).
pub fn builtin(name: &str) -> Option<VariableFacts> {
    let c = VariableFacts::client;
    Some(match name {
        // Decoded and normalised URI: `%0a` decodes to a line feed.
        "uri" | "document_uri" | "fastcgi_script_name" => VariableFacts { leading_slash: true, decoded: true, ..c(ByteSet::ALL) },
        "request_filename" | "fastcgi_path_info" => VariableFacts { decoded: true, ..c(ByteSet::ALL) },
        "request_uri" => VariableFacts { leading_slash: true, ..c(raw()) },
        // Raw request line parts and header values: no CR/LF.
        "args" | "query_string" | "request" | "proxy_add_x_forwarded_for" | "content_type"
        | "server_protocol" => c(raw()),
        "host" | "ssl_server_name" => c(host_bytes()),
        // The raw Host header: nginx refuses the request when it fails the same validation, but
        // keeps case and port.
        "http_host" => {
            let mut s = host_bytes();
            s.insert_range(b'A', b'Z');
            c(s)
        }
        "request_method" => {
            let mut s = ByteSet::EMPTY;
            s.insert_range(b'A', b'Z');
            s.insert(b'_');
            s.insert(b'-');
            c(s)
        }
        "content_length" => {
            let mut s = ByteSet::EMPTY;
            s.insert_range(b'0', b'9');
            c(s)
        }
        // The body, and the user name decoded from base64 (any byte).
        "request_body" | "remote_user" => c(ByteSet::ALL),
        n if n.starts_with("http_") || n.starts_with("arg_") || n.starts_with("cookie_") => c(raw()),
        _ => return None,
    })
}

/// Facts of `$name` (without `$`) as used by item `at`. Captures are `"1"`..`"9"` or their names.
pub fn facts(cx: &RuleContext, at: usize, name: &str) -> VariableFacts {
    let mut r = Resolver::new(cx);
    r.var(at, name)
}

pub use crate::syntax::script::{reference_spans, references};

/// Facts of a whole value with variables (`http://$host$uri`).
pub fn value_facts(cx: &RuleContext, at: usize, value: &str) -> VariableFacts {
    let mut r = Resolver::new(cx);
    r.value(at, value)
}

/// `if (...)`'s condition as (variable, operator, regex) when it is a regex match (`~`, `~*`,
/// `!~`, `!~*`; only the first two set captures).
pub fn if_regex<S: AsRef<str>>(args: &[S]) -> Option<(String, String, String)> {
    let mut v: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    if let Some(f) = v.first_mut() {
        *f = f.strip_prefix('(')?;
    }
    if let Some(l) = v.last_mut() {
        *l = l.strip_suffix(')')?;
    }
    v.retain(|s| !s.is_empty());
    match v.as_slice() {
        [var, op, re] if var.starts_with('$') && matches!(*op, "~" | "~*" | "!~" | "!~*") => {
            Some((var[1..].trim_matches(|c| c == '{' || c == '}').to_string(), op.to_string(), re.to_string()))
        }
        _ => None,
    }
}

/// What a capture group of a regex can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureFacts {
    pub bytes: ByteSet,
    /// Only fixed alternatives (`(en|de)`, `(www\.)?`): the client picks among the admin's strings.
    pub fixed: bool,
    /// Whatever it matches starts with `/`.
    pub leading_slash: bool,
    /// It can match a line feed that is not its last byte.
    pub newline_inside: bool,
}

/// A group of a regex, by number or name.
#[derive(Debug, Clone, Copy)]
pub enum Group<'a> {
    Index(u32),
    Name(&'a str),
}

/// Parses a PCRE pattern the way nginx compiles it (no UTF mode). None when regex-syntax cannot
/// read it (look-around, backreferences, ...).
fn parse(pattern: &str, caseless: bool) -> Option<Hir> {
    // PCRE's `(?'name'...)` spelling.
    let pattern = pattern.replace("(?'", "(?<");
    let pattern = fix_quote_names(&pattern);
    regex_syntax::ParserBuilder::new().unicode(false).utf8(false).case_insensitive(caseless).build().parse(&pattern).ok()
}

fn fix_quote_names(p: &str) -> String {
    // `(?<name'` left from the replacement above: close it with `>`.
    let mut out = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(i) = rest.find("(?<") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let name_len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        out.push_str(&rest[..name_len]);
        rest = &rest[name_len..];
        if let Some(r) = rest.strip_prefix('\'') {
            out.push('>');
            rest = r;
        }
    }
    out.push_str(rest);
    out
}

/// What group `g` of `pattern` can match; None when the pattern is unreadable or has no such group.
pub fn capture(pattern: &str, caseless: bool, g: Group) -> Option<CaptureFacts> {
    let hir = parse(pattern, caseless)?;
    let sub = find_group(&hir, g)?;
    let leading_slash = first_bytes(sub).is_some_and(|f| f == slash_only());
    Some(CaptureFacts { bytes: hir_bytes(sub), fixed: hir_fixed(sub), leading_slash, newline_inside: lf_inside(sub) })
}

/// Whether `pattern` has a group `g`.
pub fn has_group(pattern: &str, g: Group) -> bool {
    parse(pattern, false).is_some_and(|h| find_group(&h, g).is_some())
}

fn find_group<'h>(h: &'h Hir, g: Group<'_>) -> Option<&'h Hir> {
    match h.kind() {
        HirKind::Capture(c) => {
            let hit = match g {
                Group::Index(i) => c.index == i,
                Group::Name(n) => c.name.as_deref() == Some(n),
            };
            if hit {
                Some(&c.sub)
            } else {
                find_group(&c.sub, g)
            }
        }
        HirKind::Repetition(r) => find_group(&r.sub, g),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().find_map(|s| find_group(s, g)),
        _ => None,
    }
}

fn hir_bytes(h: &Hir) -> ByteSet {
    let mut s = ByteSet::EMPTY;
    match h.kind() {
        HirKind::Literal(l) => {
            for &b in l.0.iter() {
                s.insert(b);
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.iter() {
                s.insert_range(r.start(), r.end());
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.iter() {
                let (lo, hi) = (r.start() as u32, r.end() as u32);
                if lo <= 0xff {
                    s.insert_range(lo as u8, hi.min(0xff) as u8);
                }
                if hi >= 0x80 {
                    s.insert_range(0x80, 0xff);
                }
            }
        }
        HirKind::Repetition(r) => s = hir_bytes(&r.sub),
        HirKind::Capture(c) => s = hir_bytes(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            for x in v {
                s = s.union(hir_bytes(x));
            }
        }
        HirKind::Empty | HirKind::Look(_) => {}
    }
    s
}

/// `h` can match a string with a line feed before its last byte.
fn lf_inside(h: &Hir) -> bool {
    let lf = |x: &Hir| hir_bytes(x).contains(b'\n');
    let nonempty = |x: &Hir| !hir_bytes(x).is_empty();
    match h.kind() {
        HirKind::Literal(l) => l.0.iter().rev().skip(1).any(|&b| b == b'\n'),
        HirKind::Class(_) | HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Repetition(r) => (r.max != Some(1) && lf(&r.sub) && nonempty(&r.sub)) || lf_inside(&r.sub),
        HirKind::Capture(c) => lf_inside(&c.sub),
        HirKind::Alternation(v) => v.iter().any(lf_inside),
        HirKind::Concat(v) => {
            v.iter().any(lf_inside) || v.iter().enumerate().any(|(i, x)| lf(x) && v[i + 1..].iter().any(nonempty))
        }
    }
}

fn slash_only() -> ByteSet {
    let mut s = ByteSet::EMPTY;
    s.insert(b'/');
    s
}

/// The bytes a match can start with; None when it can be empty.
fn first_bytes(h: &Hir) -> Option<ByteSet> {
    match h.kind() {
        HirKind::Literal(l) => l.0.first().map(|&b| {
            let mut s = ByteSet::EMPTY;
            s.insert(b);
            s
        }),
        HirKind::Class(_) => Some(hir_bytes(h)),
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Repetition(r) if r.min == 0 => None,
        HirKind::Repetition(r) => first_bytes(&r.sub),
        HirKind::Capture(c) => first_bytes(&c.sub),
        HirKind::Concat(v) => {
            for x in v {
                if matches!(x.kind(), HirKind::Look(_)) {
                    continue;
                }
                return first_bytes(x);
            }
            None
        }
        HirKind::Alternation(v) => {
            let mut s = ByteSet::EMPTY;
            for x in v {
                s = s.union(first_bytes(x)?);
            }
            Some(s)
        }
    }
}

/// Only literals, classes of up to 4 bytes, bounded repetition and alternation.
fn hir_fixed(h: &Hir) -> bool {
    match h.kind() {
        HirKind::Literal(_) | HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Class(_) => {
            let b = hir_bytes(h);
            // `(a|b)` becomes the class `[ab]`; `(?i)x` becomes `[Xx]`.
            b.len() <= 4
        }
        HirKind::Repetition(r) => r.max.is_some() && hir_fixed(&r.sub),
        HirKind::Capture(c) => hir_fixed(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().all(hir_fixed),
    }
}

/// A regex nginx matched, with what it matched against.
struct Matched {
    pattern: String,
    caseless: bool,
    /// The item whose position resolves the subject (for `if ($var ~ ...)`), and its name.
    subject: Subject,
}

enum Subject {
    /// The decoded, normalised URI (locations, rewrites).
    Uri,
    /// `$host` (server_name).
    Host,
    Var(usize, String),
}

struct Resolver<'c, 'a> {
    cx: &'c RuleContext<'a>,
    /// The variables being resolved, outermost first: their names back to back in `names`, the
    /// `k`th ending at `ends[k]` (no allocation per variable on the path).
    names: String,
    ends: [usize; MAX_DEPTH + 2],
    depth: usize,
    /// `$name` for the definitions lookup, reused.
    dollar: String,
}

const MAX_DEPTH: usize = 16;

impl<'c, 'a> Resolver<'c, 'a> {
    fn new(cx: &'c RuleContext<'a>) -> Self {
        Resolver { cx, names: String::new(), ends: [0; MAX_DEPTH + 2], depth: 0, dollar: String::new() }
    }

    fn on_stack(&self, name: &str) -> bool {
        let mut start = 0;
        self.ends[..self.depth].iter().any(|&end| {
            let hit = &self.names[start..end] == name;
            start = end;
            hit
        })
    }

    fn value(&mut self, at: usize, value: &str) -> VariableFacts {
        let mut f = VariableFacts::SERVER;
        let refs = references(value);
        for (_, _, n) in &refs {
            f = f.join(self.var(at, n));
        }
        // A line feed a variable may end with, followed by another client-chosen variable.
        let facts: Vec<VariableFacts> = refs.iter().map(|(_, _, n)| self.var(at, n)).collect();
        if facts.iter().enumerate().any(|(i, a)| a.newline() && facts[i + 1..].iter().any(|b| b.attacker_controlled)) {
            f.newline_inside = true;
        }
        f.leading_slash = value.starts_with('/')
            || refs.first().is_some_and(|(s, _, n)| *s == 0 && self.var(at, n).leading_slash);
        f
    }

    fn var(&mut self, at: usize, name: &str) -> VariableFacts {
        if self.depth > MAX_DEPTH || self.on_stack(name) {
            return VariableFacts::UNKNOWN;
        }
        let start = self.names.len();
        self.names.push_str(name);
        self.ends[self.depth] = self.names.len();
        self.depth += 1;
        let f = self.var_inner(at, name);
        self.depth -= 1;
        self.names.truncate(start);
        f
    }

    fn var_inner(&mut self, at: usize, name: &str) -> VariableFacts {
        if name.as_bytes()[0].is_ascii_digit() {
            let i = name.parse().unwrap_or(0);
            return self.capture(at, Group::Index(i)).unwrap_or(VariableFacts::UNKNOWN);
        }
        let cx = self.cx;
        // What the definitions give does not depend on where the variable is used: worked out
        // once per variable for the whole rule run (a map of thousands of entries used in
        // thousands of places was re-read for each use). Only for a variable resolved on its
        // own (nested resolutions cut cycles through their callers, so can differ).
        let root = self.depth == 1;
        let cached = if root { cx.definition_facts.borrow().get(name).copied() } else { None };
        let found = match cached {
            Some(found) => found,
            None => {
                let mut found: Option<VariableFacts> = builtin(name);
                self.dollar.clear();
                self.dollar.push('$');
                self.dollar.push_str(name);
                let dollar = std::mem::take(&mut self.dollar);
                for &i in cx.definitions(&dollar) {
                    let it = cx.item(i);
                    let f = match it.name {
                        "set" => self.value(i, it.arg(1)),
                        "map" => self.map(i),
                        _ => continue,
                    };
                    found = Some(found.map_or(f, |g| g.join(f)));
                }
                self.dollar = dollar;
                // A variable of nginx's the configuration does not define (cached too: the
                // spec's lookup scans the prefix variables when the name is not one).
                let found = found.or_else(|| cx.spec.variable(name).map(|_| VariableFacts::SERVER));
                if root {
                    cx.definition_facts.borrow_mut().insert(name.to_string(), found);
                }
                found
            }
        };
        if let Some(f) = found {
            return f;
        }
        // A named capture?
        self.capture(at, Group::Name(name)).unwrap_or(VariableFacts::UNKNOWN)
    }

    fn map(&mut self, m: usize) -> VariableFacts {
        let cx = self.cx;
        let it = cx.item(m);
        let src = it.arg(0).to_string();
        let src_name = src.strip_prefix('$').unwrap_or(&src).trim_matches(|c| c == '{' || c == '}').to_string();
        let mut f = VariableFacts::SERVER;
        let mut leading_slash = true;
        for &e in cx.children(Some(m)) {
            let e_it = cx.item(e);
            if matches!(e_it.name, "hostnames" | "volatile" | "include") || e_it.args.len() != 1 {
                continue;
            }
            let key = e_it.name;
            let val = e_it.arg(0).to_string();
            let mut first = true;
            let mut entry_slash = val.starts_with('/');
            for (at0, _, r) in references(&val) {
                let rf = if r.as_bytes()[0].is_ascii_digit() || !self.is_global(&r) {
                    let g = match r.parse::<u32>() {
                        Ok(i) => Group::Index(i),
                        Err(_) => Group::Name(&r),
                    };
                    match key.strip_prefix('~') {
                        Some(re) => {
                            let (re, caseless) = match re.strip_prefix('*') {
                                Some(r2) => (r2, true),
                                None => (re, false),
                            };
                            let subject = self.var(m, &src_name);
                            match capture(re, caseless, g) {
                                Some(c) => apply(subject, c),
                                None if unreadable(re, caseless) && has_group_loose(re) => lossy(subject),
                                None => self.var(m, &r),
                            }
                        }
                        None => self.var(m, &r),
                    }
                } else {
                    self.var(m, &r)
                };
                if first && at0 == 0 && rf.leading_slash {
                    entry_slash = true;
                }
                first = false;
                f = f.join(rf);
            }
            leading_slash &= entry_slash;
        }
        f.leading_slash = leading_slash;
        f
    }

    /// A variable defined by name somewhere (built-in, set, map), as opposed to a named capture.
    fn is_global(&self, name: &str) -> bool {
        let dollar = format!("${name}");
        builtin(name).is_some()
            || self.cx.spec.variable(name).is_some()
            // `set $v` / `map $src $v` items: the context's definitions index.
            || !self.cx.definitions(&dollar).is_empty()
    }

    /// The regexes that may have set captures for item `at`, nearest first, handed to `f` until
    /// it answers: the nearest one usually does, and collecting every earlier `if` and `rewrite`
    /// of every enclosing level for each capture is quadratic (thousands of `if` redirects in one
    /// server).
    fn regexes_until<R>(cx: &RuleContext, at: usize, mut f: impl FnMut(Matched) -> Option<R>) -> Option<R> {
        let own = cx.item(at);
        if own.name == "rewrite" {
            if let Some(r) = f(Matched { pattern: own.arg(0).to_string(), caseless: false, subject: Subject::Uri }) {
                return Some(r);
            }
        }
        let mut cur = at;
        loop {
            let parent = cx.item(cur).parent();
            // Earlier rewrite/if of the same block, nearest first: both lists are in reading
            // order, so the earlier ones are a prefix of each, merged from their ends.
            let (rewrites, ifs) = (cx.children_named(parent, "rewrite"), cx.children_named(parent, "if"));
            let (mut r, mut i) = (rewrites.partition_point(|&s| s < cur), ifs.partition_point(|&s| s < cur));
            while r > 0 || i > 0 {
                let s = if i == 0 || (r > 0 && rewrites[r - 1] > ifs[i - 1]) {
                    r -= 1;
                    rewrites[r]
                } else {
                    i -= 1;
                    ifs[i]
                };
                let si = cx.item(s);
                let m = match si.name {
                    "rewrite" => Some(Matched { pattern: si.arg(0).to_string(), caseless: false, subject: Subject::Uri }),
                    _ => if_regex(si.args).filter(|c| !c.1.starts_with('!')).map(|(v, op, re)| Matched { pattern: re, caseless: op == "~*", subject: Subject::Var(s, v) }),
                };
                if let Some(res) = m.and_then(&mut f) {
                    return Some(res);
                }
            }
            let p = parent?;
            let pi = cx.item(p);
            match pi.name {
                "if" => {
                    if let Some((v, op, re)) = if_regex(pi.args).filter(|c| !c.1.starts_with('!')) {
                        if let Some(res) = f(Matched { pattern: re, caseless: op == "~*", subject: Subject::Var(p, v) }) {
                            return Some(res);
                        }
                    }
                }
                "location" => {
                    if let Some((m, re)) = location_of(pi.args) {
                        if matches!(m, Modifier::Regex | Modifier::RegexCaseless) {
                            if let Some(res) = f(Matched { pattern: re, caseless: m == Modifier::RegexCaseless, subject: Subject::Uri }) {
                                return Some(res);
                            }
                        }
                    }
                }
                "server" => {
                    for &c in cx.children_named(Some(p), "server_name") {
                        for a in cx.item(c).args {
                            if let Some(re) = a.strip_prefix('~') {
                                if let Some(res) = f(Matched { pattern: re.to_string(), caseless: true, subject: Subject::Host }) {
                                    return Some(res);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
            cur = p;
        }
    }

    fn capture(&mut self, at: usize, g: Group) -> Option<VariableFacts> {
        let cx = self.cx;
        Self::regexes_until(cx, at, |m| {
            let subject = match &m.subject {
                Subject::Uri => builtin("uri").unwrap_or(VariableFacts::UNKNOWN),
                Subject::Host => builtin("host").unwrap_or(VariableFacts::UNKNOWN),
                Subject::Var(i, v) => self.var(*i, v),
            };
            match capture(&m.pattern, m.caseless, g) {
                Some(c) => Some(apply(subject, c)),
                // Unreadable pattern (PCRE-only syntax) with groups: assume `.`-like content.
                None if matches!(g, Group::Index(_)) && unreadable(&m.pattern, m.caseless) && has_group_loose(&m.pattern) => {
                    Some(lossy(subject))
                }
                None => None,
            }
        })
    }
}

/// A capture over `subject` restricted by what the group matches.
fn apply(subject: VariableFacts, c: CaptureFacts) -> VariableFacts {
    if c.fixed || !subject.attacker_controlled {
        return VariableFacts { known: subject.known, leading_slash: c.leading_slash, ..VariableFacts::SERVER };
    }
    let bytes = subject.bytes.intersect(c.bytes);
    VariableFacts {
        attacker_controlled: true,
        bytes,
        known: true,
        leading_slash: c.leading_slash,
        newline_inside: subject.newline_inside && c.newline_inside && bytes.contains(b'\n'),
        decoded: subject.decoded,
    }
}

/// A capture of a pattern we cannot read: the subject without line feeds (like `.*`).
fn lossy(mut subject: VariableFacts) -> VariableFacts {
    subject.bytes.remove(b'\n');
    subject.newline_inside = false;
    subject
}

fn unreadable(pattern: &str, caseless: bool) -> bool {
    parse(pattern, caseless).is_none()
}

/// The pattern has a capturing group, as far as a textual look tells (for unreadable patterns).
fn has_group_loose(p: &str) -> bool {
    let b = p.as_bytes();
    b.iter().enumerate().any(|(i, &c)| c == b'(' && (i == 0 || b[i - 1] != b'\\') && b.get(i + 1) != Some(&b'?'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceSet;

    fn cap(p: &str, g: u32) -> CaptureFacts {
        capture(p, false, Group::Index(g)).unwrap()
    }

    #[test]
    fn capture_groups_follow_pcre_defaults() {
        assert!(!cap("^/(.*)$", 1).bytes.contains(b'\n'));
        assert!(cap("^/(.*)$", 1).bytes.contains(b'\r'));
        assert!(cap("^/([^/]+)$", 1).bytes.contains(b'\n'));
        assert!(!cap("^/([^/]+)$", 1).bytes.contains(b'/'));
        assert!(cap(r"^/(\s+)$", 1).bytes.contains(b'\n'));
        assert!(cap("(?s)^/(.*)$", 1).bytes.contains(b'\n'));
        assert!(cap("^/(en|de)/(.*)", 1).fixed);
        assert!(!cap("^/(en|de)/(.*)", 2).fixed);
        assert!(capture("^/(?<lang>en|de)/", false, Group::Name("lang")).unwrap().fixed);
        assert!(capture("^/(?'id'\\d+)/", false, Group::Name("id")).is_some());
        assert!(capture("^/(?P<id>\\d+)/", false, Group::Name("id")).unwrap().bytes.contains(b'7'));
        assert!(capture("^/(x)", false, Group::Index(2)).is_none());
        assert!(cap("^/api(/.*)$", 1).leading_slash);
        assert!(cap("^/([^/]+)$", 1).newline_inside);
        assert!(cap(r"^(.*[^/])$", 1).bytes.contains(b'\n'));
        assert!(!cap(r"^(.*[^/])$", 1).newline_inside);
        assert!(cap(r"^/(a\sb)$", 1).newline_inside);
        assert!(!cap(r"^/(.*)$", 1).newline_inside);
        assert!(!cap("^/api(.*)$", 1).leading_slash);
    }

    fn facts_at(conf: &str, directive: &str, var: &str) -> VariableFacts {
        let text = format!("events {{}}\nhttp {{\n{conf}\n}}\n");
        let mut files = SourceSet::new();
        let main = files.add("/t/nginx.conf", text);
        let inc = crate::include::IncludeOptions::default();
        let (config, _) = crate::include::resolve(&files, main, &inc);
        let model = crate::model::build(&files, &config);
        let spec = crate::spec::Spec::new(crate::spec::Profile::debian12());
        let arena = crate::rules::RuleArena::new();
        let cx = RuleContext::new(&files, &config, &model, &spec, crate::spec::Context::Main, true, &arena);
        let (i, _) = cx.named(directive).last().expect("directive");
        facts(&cx, i, var)
    }

    #[test]
    fn if_conditions() {
        let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(if_regex(&args("($http_origin ~* ^https://a\\.b$)")).unwrap().0, "http_origin");
        assert_eq!(if_regex(&args("( $uri !~ ^/x )")).unwrap().1, "!~");
        assert!(if_regex(&args("($arg_a = 1)")).is_none());
        assert!(if_regex(&args("(-f $request_filename)")).is_none());
    }

    #[test]
    fn cycles_and_unknowns_stay_quiet() {
        let f = facts_at("server { set $a $b; set $b $a; location / { return 302 $a; } }", "return", "a");
        assert!(!f.attacker_controlled);
        let f = facts_at("server { set $a $b; set $b \"$a$uri\"; location / { return 302 $a; } }", "return", "a");
        assert!(f.newline());
        // PCRE-only syntax (look-ahead): the capture is taken as `.`-like content of the URI.
        let f = facts_at("server { location ~ ^/(?!api/)([^/]+)$ { return 302 /$2; } }", "return", "2");
        assert!(f.attacker_controlled && !f.newline());
        let f = facts_at("server { location ~ ^/(a)$ { return 302 /$2; } }", "return", "2");
        assert!(!f.attacker_controlled);
        let f = facts_at("server { location / { return 302 /$1; } }", "return", "1");
        assert!(!f.attacker_controlled && !f.known);
    }

    #[test]
    fn map_captures_and_leading_slash() {
        let conf = "map $request_uri $p { default /; ~^/app(?<rest>/.*)$ $rest; }\nserver { location / { proxy_pass http://b$p; } }";
        let f = facts_at(conf, "proxy_pass", "p");
        assert!(f.attacker_controlled && f.leading_slash && !f.newline());
        let f = facts_at("map $uri $p { default x; ~^/a/(.+)$ $1; }\nserver { location / { add_header X $p; } }", "add_header", "p");
        assert!(f.decoded && !f.newline());
    }

    #[test]
    fn insert_range_sets_exactly_the_range() {
        for (lo, hi) in [(0, 255), (0, 0), (255, 255), (127, 128), (0x21, 0x7e), (0x80, 0xff), (5, 4), (0, 127), (128, 255), (100, 200)] {
            let mut fast = ByteSet::EMPTY;
            fast.insert_range(lo, hi);
            let mut slow = ByteSet::EMPTY;
            for b in lo..=hi {
                slow.insert(b);
            }
            assert_eq!(fast, slow, "{lo}..={hi}");
        }
    }

    #[test]
    fn builtins() {
        assert!(builtin("uri").unwrap().newline());
        assert!(!builtin("request_uri").unwrap().newline());
        assert!(!builtin("host").unwrap().slash());
        assert!(!builtin("http_host").unwrap().slash() && builtin("http_host").unwrap().can_contain(b':'));
        assert!(builtin("http_x_forwarded_host").unwrap().slash());
        assert!(builtin("arg_next").unwrap().attacker_controlled);
        assert!(builtin("server_name").is_none());
    }

    #[test]
    fn resolves_captures_sets_and_maps() {
        let f = facts_at("server { location ~ ^/u/([^/]+)$ { return 302 /x/$1; } }", "return", "1");
        assert!(f.newline() && !f.slash());
        let f = facts_at("server { location ~ ^/u/(.+)$ { return 302 /x/$1; } }", "return", "1");
        assert!(f.attacker_controlled && !f.newline());
        let f = facts_at("server { location / { rewrite ^/(a|b)/(.*) /$1 break; } }", "rewrite", "1");
        assert!(!f.attacker_controlled);
        let f = facts_at("server { if ($http_x ~ ^(.+)$) { set $be $1; } location / { proxy_pass http://$be; } }", "proxy_pass", "be");
        assert!(f.attacker_controlled && !f.newline());
        let f = facts_at("server { set $p $uri; location / { return 302 $p; } }", "return", "p");
        assert!(f.newline());
        let f = facts_at("map $http_x $be { default a; b c; } server { location / { proxy_pass http://$be; } }", "proxy_pass", "be");
        assert!(!f.attacker_controlled && f.known);
        let f = facts_at("map $http_x $be { default a; ~^(.*)$ $1; } server { location / { proxy_pass http://$be; } }", "proxy_pass", "be");
        assert!(f.attacker_controlled);
        let f = facts_at("server { server_name ~^(?<sub>[a-z]+)\\.example\\.com$; location / { proxy_pass http://$sub.internal; } }", "proxy_pass", "sub");
        assert!(f.attacker_controlled && !f.can_contain(b'.'));
        let f = facts_at("server { location / { proxy_pass http://$server_name; } }", "proxy_pass", "server_name");
        assert!(!f.attacker_controlled && f.known);
        let f = facts_at("server { location / { proxy_pass http://$whatever; } }", "proxy_pass", "whatever");
        assert!(!f.attacker_controlled && !f.known);
    }
}
