//! Differential test against the real `nginx -t`: a seeded generator writes small whole
//! configurations around directives taken from ngxlint's own directive database (each directive
//! in an allowed and a disallowed context, and with argument counts min-1, min, max and max+1),
//! runs each through nginx (../shared/tools/nginx-check) and through ngxlint, and compares the
//! verdicts: both `ok`, or both an error with the same first message.
//!
//! Modes (the one that ran is printed):
//! - live: nginx is installed, ../shared/tools/nginx-check exists and we run as root. The configs
//!   are generated from the current spec and checked by nginx now. With `NGXLINT_RECORD=1` the
//!   configs and nginx's verdicts are written to tests/fixtures/differential/cases.json.
//! - recorded: otherwise (or with `NGXLINT_NO_NGINX=1`), the configs of cases.json are checked
//!   by ngxlint against the verdicts nginx gave when they were recorded (the generator is not
//!   re-run, so later spec edits do not make the recording stale).
//!
//! The oracle loads no dynamic module: nginx-check runs nginx with its own temporary main config,
//! so Debian's /etc/nginx/modules-enabled is never read (and CI installs only `nginx`, without
//! the libnginx-mod-* packages). ngxlint's profile is therefore Debian 12's nginx 1.22 with only
//! its static modules ([`oracle_profile`]); the directives of the dynamic modules (stream, mail,
//! geoip, image_filter, perl, xslt and the third-party libnginx-mod-*) form their own category
//! and must be `unknown directive` on both sides.
//!
//! The test asserts an agreement of at least [`MIN_AGREEMENT`] percent and lists every
//! disagreement. Disagreements reviewed when the recording was made are classified in
//! [`KNOWN`] (checker bugs reported, or environment quirks); they still count as disagreements.
//!
//! Directives left out ([`SKIPPED`]), because nginx's verdict depends on the machine or on the
//! oracle's command line rather than on the configuration text:
//! - files that must exist or that nginx opens/creates while testing: `include`, `load_module`,
//!   every `*certificate*`, `*_crl`, `*_dhparam`, `*_password_file`, `*_trusted_certificate`,
//!   `ssl_session_ticket_key`, `ssl_stapling_file`, `auth_basic_user_file` (no check at -t, but
//!   kept out with the rest), `lock_file`, `error_log`, `access_log`, `*_temp_path` and
//!   `*_cache_path` (directories created at start-up), `working_directory`;
//! - system lookups: `user` (getpwnam/getgrnam of the machine's accounts), `ssl_engine`
//!   (OpenSSL engines installed on the machine), `ssl_conf_command`/`ssl_ecdh_curve`/
//!   `ssl_ciphers` (what the linked OpenSSL accepts);
//! - the oracle's command line: `pid` (nginx-check passes `-g "pid ...;"`, so any `pid` line is
//!   a duplicate).
//!
//! Host names are never generated (nginx -t resolves them through DNS): every address-taking
//! directive gets `127.0.0.1` (see [`neutral_args`]).

use ngxlint::spec::{self, ArgKind, Context, Debian12, DirectiveSpec, Lookup, Profile, Spec};
use ngxlint::{Options, SourceSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use ngxlint_tests::{nginx_dir, is_root};
use std::process::Command;
use std::time::Instant;

/// Seed of the generator (xorshift64).
const SEED: u64 = 0x6e67_786c_696e_7421; // "ngxlint!"
/// Directives picked from the static profile (every coverage group first, then at random).
const DIRECTIVES: usize = 240;
/// Directives of dynamic (not loaded) modules checked for `unknown directive`.
const UNLOADED: usize = 24;
/// Largest argument count generated (max+1 is capped here).
const ARG_CAP: usize = 9;
/// Required agreement, percent.
const MIN_AGREEMENT: f64 = 97.0;

/// Directives left out, with the reason (see the module docs): an exact name, or `*fragment`
/// for every name containing the fragment.
const SKIPPED: &[(&str, &str)] = &[
    ("include", "needs an existing file"),
    ("load_module", "needs an existing module file"),
    ("*certificate", "loads certificate files"),
    ("*_crl", "loads a CRL file"),
    ("*dhparam", "loads a DH parameter file"),
    ("*password_file", "reads a file"),
    ("ssl_session_ticket_key", "reads a key file"),
    ("ssl_stapling_file", "reads a file"),
    ("auth_basic_user_file", "names a file"),
    ("lock_file", "names a file"),
    ("error_log", "opens log files (and nginx-check passes -e)"),
    ("access_log", "opens log files"),
    ("*_temp_path", "creates directories at start-up"),
    ("*_cache_path", "creates directories at start-up"),
    ("working_directory", "names a directory of the machine"),
    ("user", "looks up system accounts"),
    ("ssl_engine", "depends on the OpenSSL engines installed"),
    ("*ssl_conf_command", "depends on the linked OpenSSL"),
    ("*ssl_ecdh_curve", "depends on the linked OpenSSL"),
    ("*ssl_ciphers", "depends on the linked OpenSSL"),
    (
        "pid",
        "nginx-check passes -g \"pid ...;\": any pid line is a duplicate",
    ),
];

/// Why a reviewed disagreement happens.
#[derive(Clone, Copy, Debug)]
enum Class {
    /// ngxlint accepts what nginx rejects (or the reverse): a checker bug, reported; the case
    /// stays in the test and passes once the checker is fixed.
    CheckerBug,
    /// The oracle's environment or the data, not the checker.
    #[allow(dead_code)] // none at the moment
    Environment,
}

/// Disagreements reviewed when cases.json was recorded: (case id prefix, class, explanation).
/// Printed next to the disagreement; they still count against the agreement.
///
/// No environment quirk is left: the ones met while writing the generator were designed out
/// (host names that nginx -t resolves through DNS, e.g. `resolver 127.0.0.1 x`; `modern_browser
/// x`, where nginx fails without printing any error line, see [`SILENT_ERROR`]).
const KNOWN: &[(&str, Class, &str)] = &[
    (
        "limit_req/",
        Class::CheckerBug,
        "a zone nobody defines: nginx fails at init with `zero size shared memory zone`",
    ),
    (
        "limit_conn/",
        Class::CheckerBug,
        "a zone nobody defines: nginx fails at init with `zero size shared memory zone`",
    ),
    (
        "zone/ContextAllowed/upstream/1",
        Class::CheckerBug,
        "`zone z;` without a size and no other `zone z <size>`: `zero size shared memory zone`",
    ),
    (
        "memcached_pass/",
        Class::CheckerBug,
        "memcached_pass needs `set $memcached_key ...` somewhere: `unknown \"memcached_key\" variable`",
    ),
];

/// nginx's verdict when `nginx -t` fails without an `[emerg]` line (a handler returning
/// NGX_CONF_ERROR without logging, e.g. `modern_browser x;`): any ngxlint error agrees.
const SILENT_ERROR: &str = "(failed without an error message)";

fn skip_reason(name: &str) -> Option<&'static str> {
    SKIPPED.iter().find_map(|&(pat, why)| {
        let hit = match pat.strip_prefix('*') {
            Some(frag) => name.contains(frag),
            None => name == pat,
        };
        hit.then_some(why)
    })
}

// ---------------------------------------------------------------------------------------------
// Profile

/// Debian 12's nginx 1.22.1 without any dynamic module: what `nginx -t` sees when nothing is
/// loaded with `load_module` (nginx-check's own main config, no modules-enabled).
fn oracle_profile() -> Profile {
    let mut p = Profile::debian12();
    for (id, m) in spec::modules() {
        if matches!(m.debian12(), Debian12::Dynamic(_)) {
            p.modules.remove(id);
        }
    }
    p
}

// ---------------------------------------------------------------------------------------------
// Generator

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// The contexts a whole configuration can put a directive in without dynamic modules.
const BUILDABLE: [Context; 9] = [
    Context::Main,
    Context::Events,
    Context::Http,
    Context::Server,
    Context::Location,
    Context::Upstream,
    Context::IfInServer,
    Context::IfInLocation,
    Context::LimitExcept,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Category {
    /// In an allowed context with the minimum argument count.
    ContextAllowed,
    /// In a context nginx rejects (`"x" directive is not allowed here`).
    ContextDisallowed,
    /// min-1 arguments.
    ArityTooFew,
    /// The maximum argument count (9 for unbounded directives).
    ArityMax,
    /// max+1 arguments.
    ArityTooMany,
    /// A directive of a dynamic module nobody loaded (`unknown directive`).
    NotLoaded,
}

impl Category {
    const ALL: [Category; 6] = [
        Category::ContextAllowed,
        Category::ContextDisallowed,
        Category::ArityTooFew,
        Category::ArityMax,
        Category::ArityTooMany,
        Category::NotLoaded,
    ];
    fn name(self) -> &'static str {
        match self {
            Category::ContextAllowed => "context allowed",
            Category::ContextDisallowed => "context disallowed",
            Category::ArityTooFew => "arity too few (min-1)",
            Category::ArityMax => "arity max",
            Category::ArityTooMany => "arity too many (max+1)",
            Category::NotLoaded => "dynamic module not loaded",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Case {
    /// `<directive>/<category>/<context>/<nargs>`, unique.
    id: String,
    directive: String,
    category: Category,
    context: String,
    nargs: usize,
    config: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Recorded {
    #[serde(flatten)]
    case: Case,
    /// nginx's verdict: `ok` or its first error without ` in file:line`.
    nginx: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Recording {
    nginx_version: String,
    seed: String,
    note: String,
    cases: Vec<Recorded>,
}

/// Arguments for directives whose values a placeholder would fail, or that would make nginx
/// resolve a host name: the whole list for `n` arguments, or `None` for the generic rule.
///
/// The test is about contexts and argument counts, so values stay valid. Many of these rules
/// exist because a placeholder hit a value check ngxlint did not have when this was written
/// (reported as checker bugs, e.g. `proxy_ignore_headers x;`, `worker_processes x;`,
/// `open_file_cache x;`, `add_header a b x;`, `error_page 404 /e /f;`, `aio x;`, `expires x;`,
/// `fastcgi_max_temp_file_size 1k;` under the default buffers, `ssl on;` without a
/// certificate); nginx's own messages for them are in the report of that commit, not here.
fn neutral_args(name: &str, n: usize) -> Option<Vec<String>> {
    let cycle = |list: &[&str]| {
        (0..n)
            .map(|i| list[i % list.len()].to_string())
            .collect::<Vec<_>>()
    };
    let first =
        |list: &[&str]| -> Vec<String> { list.iter().take(n).map(|s| s.to_string()).collect() };
    // `codes... last` (error_page, *_cache_valid): numbers, then the final value.
    let codes_then = |codes: &[&str], last: &str| {
        let mut v: Vec<String> = (0..n.saturating_sub(1))
            .map(|i| codes[i % codes.len()].to_string())
            .collect();
        if n > 0 {
            v.push(last.to_string());
        }
        v
    };
    let suffix = |s: &str| name.ends_with(s);
    let v = match name {
        "location" if n == 2 => first(&["=", "/x"]),
        "location" => cycle(&["/x"]),
        "listen" => first(&["127.0.0.1:8082"]),
        "if" => first(&["($host)"]),
        "upstream" => first(&["u2"]),
        "server" => first(&["127.0.0.1:8085"]),
        // Every further resolver argument is an address too: IP literals only (no DNS).
        "resolver" => (0..n).map(|i| format!("127.0.0.{}", i + 1)).collect(),
        "set_real_ip_from" | "debug_connection" | "allow" | "deny" => first(&["127.0.0.1"]),
        "proxy_pass" => first(&["http://127.0.0.1:8086"]),
        "fastcgi_pass" | "uwsgi_pass" | "scgi_pass" | "grpc_pass" | "memcached_pass" => {
            first(&["127.0.0.1:9000"])
        }
        "error_page" => codes_then(
            &["404", "405", "406", "407", "408", "409", "410", "411"],
            "/e",
        ),
        "return" => first(&["200", "x"]),
        "set" | "auth_request_set" => first(&["$v", "x"]),
        "map" => first(&["$host", "$m"]),
        "geo" if n == 1 => first(&["$g"]),
        "geo" => first(&["$remote_addr", "$g"]),
        "split_clients" => first(&["$host", "$s"]),
        "use" => first(&["epoll"]),
        "rewrite" => first(&["^/a", "/b", "last"]),
        "try_files" => codes_then(&["$uri"], "=404"),
        "limit_except" => cycle(&[
            "GET", "POST", "PUT", "DELETE", "MKCOL", "COPY", "MOVE", "OPTIONS", "PATCH",
        ]),
        "add_header" | "add_trailer" => first(&["X-A", "b", "always"]),
        "root" | "alias" => first(&["/tmp"]),
        "limit_req_zone" => first(&["$binary_remote_addr", "zone=z:1m", "rate=1r/s"]),
        "limit_conn_zone" => first(&["$binary_remote_addr", "zone=zc:1m"]),
        "worker_cpu_affinity" | "worker_processes" => cycle(&["1"]),
        "worker_priority" => cycle(&["0"]),
        "mirror" | "auth_request" => first(&["/m"]),
        "charset_map" => first(&["a", "b"]),
        "ssl" => first(&["off"]),
        "userid_expires" => first(&["max"]),
        "random" => first(&["two", "least_conn"]),
        "proxy_redirect" if n == 1 => first(&["off"]),
        "proxy_redirect" => first(&["/a", "/b"]),
        "proxy_cookie_flags" if n == 1 => first(&["off"]),
        "proxy_cookie_flags" => {
            let mut v = vec!["c".to_string()];
            v.extend((1..n).map(|i| {
                ["secure", "httponly", "samesite=strict", "nosecure"][(i - 1) % 4].to_string()
            }));
            v
        }
        "ssl_ocsp_cache" => first(&["shared:o:1m"]),
        "open_file_cache" if n == 1 => first(&["off"]),
        "open_file_cache" => first(&["max=10", "inactive=1s"]),
        "open_log_file_cache" if n == 1 => first(&["off"]),
        "open_log_file_cache" => first(&["max=10", "inactive=1s", "min_uses=1", "valid=1s"]),
        "proxy_cache" | "fastcgi_cache" | "scgi_cache" | "uwsgi_cache" => first(&["off"]),
        "proxy_cookie_path" | "proxy_cookie_domain" if n == 1 => first(&["off"]),
        "proxy_cookie_path" | "proxy_cookie_domain" => first(&["/a", "/b"]),
        "aio" => first(&["off"]),
        "hash" => first(&["$host", "consistent"]),
        "zone" => first(&["z", "64k"]),
        "ssl_session_cache" => first(&["builtin:1000", "shared:S:1m"]),
        "expires" if n == 1 => first(&["1h"]),
        "expires" => first(&["modified", "1h"]),
        "keepalive_timeout" => cycle(&["1s"]),
        "limit_conn" => first(&["zc", "1"]),
        "worker_connections" => first(&["512"]),
        "valid_referers" => (0..n).map(|i| format!("r{i}.example")).collect(),
        "directio" => first(&["1k"]),
        "disable_symlinks" => first(&["if_not_owner", "from=/tmp"]),
        "fastcgi_split_path_info" => first(&["^(.+)(/.*)$"]),
        "keepalive" => first(&["1"]),
        "limit_conn_status" | "limit_req_status" => first(&["503"]),
        "limit_req" => first(&["zone=z", "burst=1", "nodelay"]),
        "modern_browser" if n == 1 => first(&["unlisted"]),
        "modern_browser" => first(&["msie", "1.0"]),
        "ancient_browser" => cycle(&["x"]),
        "thread_pool" => first(&["default", "threads=1", "max_queue=1"]),
        _ if suffix("_cache_valid") => codes_then(
            &["200", "201", "202", "203", "204", "205", "206", "301"],
            "1s",
        ),
        _ if suffix("_cache_methods") => cycle(&["GET", "HEAD", "POST"]),
        _ if suffix("_ignore_headers") => cycle(&[
            "X-Accel-Redirect",
            "X-Accel-Expires",
            "X-Accel-Limit-Rate",
            "X-Accel-Buffering",
            "X-Accel-Charset",
            "Expires",
            "Cache-Control",
            "Set-Cookie",
            "Vary",
        ]),
        _ if suffix("_store_access") || name == "dav_access" => {
            first(&["user:rw", "group:rw", "all:r"])
        }
        _ if suffix("_bind") => first(&["127.0.0.1", "transparent"]),
        _ if suffix("_param") && !name.starts_with("xslt") => first(&["x", "x", "if_not_empty"]),
        // Must be 0 or at least one buffer (the default buffers are a page or two).
        // At least one buffer (the default buffers are a page or two: 4k or 8k); busy buffers
        // also less than all buffers minus one (8 x 4k).
        _ if suffix("_max_temp_file_size") || suffix("_temp_file_write_size") => first(&["64k"]),
        _ if suffix("_busy_buffers_size") => first(&["8k"]),
        _ => return None,
    };
    Some(v)
}

/// A neutral value for argument `i` of `d`, from the handler name (flag/enum/size/time/number)
/// or the entry's value list; a plain word otherwise.
fn generic_arg(d: &DirectiveSpec, i: usize) -> String {
    let values = d.values();
    if !values.is_empty() {
        return values[i % values.len()].to_string();
    }
    let h = d.handler();
    let word = if h.contains("bufs") {
        if i & 1 == 0 {
            "4"
        } else {
            "8k"
        }
    } else if h.contains("flag") {
        "on"
    } else if h.contains("size") || h.contains("_off_") {
        "1k"
    } else if h.contains("msec") || h.contains("sec") {
        "1s"
    } else if h.contains("num") {
        "1"
    } else {
        "x"
    };
    word.to_string()
}

/// `n` arguments for `d`: [`neutral_args`] where it has a rule (padded with the generic value
/// when the rule lists fewer), else [`generic_arg`].
fn args(d: &DirectiveSpec, n: usize) -> Vec<String> {
    let fixed = neutral_args(d.name(), n).unwrap_or_default();
    (0..n)
        .map(|i| fixed.get(i).cloned().unwrap_or_else(|| generic_arg(d, i)))
        .collect()
}

fn line(name: &str, args: &[String], block: bool) -> String {
    let mut s = name.to_string();
    for a in args {
        s.push(' ');
        s.push_str(a);
    }
    s.push_str(if block { " {}" } else { ";" });
    s
}

/// A minimal valid whole configuration with `line` in `ctx`.
fn wrap(ctx: Context, name: &str, line: &str) -> String {
    let events = if name == "events" { "" } else { "events {}\n" };
    let http = |inner: &str| format!("{events}http {{\n{inner}}}\n");
    let server = |inner: &str| {
        http(&format!(
            "    server {{\n        listen 127.0.0.1:8081;\n{inner}    }}\n"
        ))
    };
    let location = |inner: &str| server(&format!("        location / {{\n{inner}        }}\n"));
    match ctx {
        Context::Main => format!("{events}{line}\n"),
        Context::Events => format!("events {{\n    {line}\n}}\n"),
        Context::Http => http(&format!("    {line}\n")),
        Context::Server => server(&format!("        {line}\n")),
        Context::Location => location(&format!("            {line}\n")),
        Context::Upstream => http(&format!(
            "    upstream u {{\n        server 127.0.0.1:8085;\n        {line}\n    }}\n"
        )),
        Context::IfInServer => server(&format!(
            "        if ($host) {{\n            {line}\n        }}\n"
        )),
        Context::IfInLocation => location(&format!(
            "            if ($host) {{\n                {line}\n            }}\n"
        )),
        Context::LimitExcept => location(&format!(
            "            limit_except GET {{\n                {line}\n            }}\n"
        )),
        other => panic!("context {other} is not buildable without dynamic modules"),
    }
}

fn kind_name(k: ArgKind) -> &'static str {
    match k {
        ArgKind::Any => "any",
        ArgKind::Flag => "flag",
        ArgKind::OneMore => "1more",
        ArgKind::TwoMore => "2more",
        ArgKind::NoArgs => "noargs",
        ArgKind::Take => "take",
    }
}

/// A directive of the static profile and where it may go.
struct Candidate {
    name: &'static str,
    allowed: Vec<Context>,
    disallowed: Vec<Context>,
}

fn candidates(
    spec: &Spec,
) -> (
    Vec<Candidate>,
    Vec<&'static str>,
    BTreeMap<&'static str, &'static str>,
) {
    let mut out = Vec::new();
    let mut unloaded = Vec::new();
    let mut skipped = BTreeMap::new();
    for name in spec::directive_names() {
        if let Some(why) = skip_reason(name) {
            skipped.insert(name, why);
            continue;
        }
        if spec.directives(name).next().is_none() {
            // Not in the profile: keep the 1.22 entries of Debian's dynamic modules.
            let dynamic = Spec::all_directives(name).any(|d| {
                d.in_version(spec::NginxVersion::V1_22)
                    && matches!(d.module().debian12(), Debian12::Dynamic(_))
            });
            if dynamic {
                unloaded.push(name);
            }
            continue;
        }
        let (allowed, disallowed): (Vec<Context>, Vec<Context>) = BUILDABLE
            .into_iter()
            .partition(|c| matches!(spec.lookup(name, *c), Lookup::Found(_)));
        if allowed.is_empty() {
            continue; // stream- or mail-only entries of a static module
        }
        out.push(Candidate {
            name,
            allowed,
            disallowed,
        });
    }
    (out, unloaded, skipped)
}

/// The generated cases, deterministic for a given spec.
fn generate(spec: &Spec) -> Vec<Case> {
    let mut rng = Rng(SEED);
    let (mut cands, mut unloaded, _) = candidates(spec);
    rng.shuffle(&mut cands);
    // Coverage first: one directive per (arg kind, block, first allowed context), then the rest
    // in shuffled order.
    let mut seen = BTreeSet::new();
    let mut picked: Vec<usize> = Vec::new();
    for (i, c) in cands.iter().enumerate() {
        let Lookup::Found(d) = spec.lookup(c.name, c.allowed[0]) else {
            unreachable!()
        };
        if seen.insert((kind_name(d.arg_kind()), d.is_block(), c.allowed[0])) {
            picked.push(i);
        }
    }
    for i in 0..cands.len() {
        if picked.len() >= DIRECTIVES {
            break;
        }
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked.sort_by_key(|&i| cands[i].name);

    let mut cases = Vec::new();
    let mut push = |name: &str, category: Category, ctx: Context, nargs: usize, config: String| {
        cases.push(Case {
            id: format!("{name}/{category:?}/{ctx}/{nargs}"),
            directive: name.to_string(),
            category,
            context: ctx.name().to_string(),
            nargs,
            config,
        });
    };
    for &i in &picked {
        let c = &cands[i];
        let ctx = c.allowed[rng.below(c.allowed.len())];
        let Lookup::Found(d) = spec.lookup(c.name, ctx) else {
            unreachable!()
        };
        let block = d.is_block();
        let emit = |n: usize| wrap(ctx, c.name, &line(c.name, &args(d, n), block));
        let min = d.min_args();
        push(c.name, Category::ContextAllowed, ctx, min, emit(min));
        if !c.disallowed.is_empty() {
            let bad = c.disallowed[rng.below(c.disallowed.len())];
            push(
                c.name,
                Category::ContextDisallowed,
                bad,
                min,
                wrap(bad, c.name, &line(c.name, &args(d, min), block)),
            );
        }
        if min > 0 {
            push(c.name, Category::ArityTooFew, ctx, min - 1, emit(min - 1));
        }
        match d.max_args() {
            Some(max) => {
                if max != min {
                    push(c.name, Category::ArityMax, ctx, max, emit(max));
                }
                if max < ARG_CAP {
                    push(c.name, Category::ArityTooMany, ctx, max + 1, emit(max + 1));
                }
            }
            None => {
                if min < ARG_CAP {
                    push(c.name, Category::ArityMax, ctx, ARG_CAP, emit(ARG_CAP));
                }
            }
        }
    }
    // Directives of modules that are not loaded: unknown wherever they go; put them where the
    // module would accept them (first buildable context of their 1.22 entries, else main).
    // `stream` and `mail` always, then half nginx's own dynamic modules (geoip, image_filter,
    // perl, xslt, stream, mail), half Debian's third-party libnginx-mod-* packages.
    let dynamic_entry = |name: &str| {
        Spec::all_directives(name)
            .find(|d| {
                d.in_version(spec::NginxVersion::V1_22)
                    && matches!(d.module().debian12(), Debian12::Dynamic(_))
            })
            .expect("an entry of a dynamic module")
    };
    rng.shuffle(&mut unloaded);
    let (mut third, mut own): (Vec<&str>, Vec<&str>) = unloaded
        .into_iter()
        .filter(|n| !matches!(*n, "stream" | "mail"))
        .partition(|n| dynamic_entry(n).is_third_party());
    own.truncate(UNLOADED / 2 - 2);
    third.truncate(UNLOADED / 2);
    let mut unloaded: Vec<&str> = ["stream", "mail"]
        .into_iter()
        .chain(own)
        .chain(third)
        .collect();
    unloaded.sort_unstable();
    for name in unloaded {
        let d = dynamic_entry(name);
        let ctx = BUILDABLE
            .into_iter()
            .find(|c| d.allowed_in(*c))
            .unwrap_or(Context::Main);
        let n = d.min_args();
        push(
            name,
            Category::NotLoaded,
            ctx,
            n,
            wrap(ctx, name, &line(name, &args(d, n), d.is_block())),
        );
    }
    cases
}

// ---------------------------------------------------------------------------------------------
// Verdicts

/// ngxlint's verdict on a whole configuration: `ok` or the first error's message.
fn ngxlint_verdict(profile: &Profile, config: &str) -> String {
    let mut files = SourceSet::new();
    let id = files.add("/t/nginx.conf", config.as_bytes());
    let opts = Options {
        profile: profile.clone(),
        ..Options::default()
    };
    let a = ngxlint::analyze(&files, id, &opts);
    match a.first_error() {
        Some(d) => d.message.clone(),
        None => "ok".to_string(),
    }
}

/// nginx-check's output line without the trailing ` in <file>:<line>`.
fn strip_location(line: &str, file: &Path) -> String {
    let line = line.trim();
    let needle = format!(" in {}:", file.display());
    match line.rfind(&needle) {
        Some(at)
            if line[at + needle.len()..]
                .chars()
                .all(|c| c.is_ascii_digit()) =>
        {
            line[..at].to_string()
        }
        _ => line.to_string(),
    }
}

struct Oracle {
    check: PathBuf,
    path_env: std::ffi::OsString,
    dir: PathBuf,
}

impl Oracle {
    fn verdict(&self, idx: usize, config: &str) -> String {
        let file = self.dir.join(format!("c{idx:05}.conf"));
        std::fs::write(&file, config).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let out = Command::new("bash")
            .arg(&self.check)
            .arg(&file)
            .env("PATH", &self.path_env)
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.check.display()));
        let _ = std::fs::remove_file(&file);
        let text = String::from_utf8_lossy(&out.stdout);
        let first = text.lines().next().unwrap_or("").trim();
        if out.status.success() {
            assert_eq!(first, "ok", "nginx-check succeeded but printed {first:?}");
            "ok".to_string()
        } else if first.is_empty() {
            SILENT_ERROR.to_string()
        } else {
            strip_location(first, &file)
        }
    }

    /// nginx's verdicts for every config, on two threads.
    fn verdicts(&self, configs: &[&str]) -> Vec<String> {
        let mut out = vec![String::new(); configs.len()];
        let half = configs.len().div_ceil(2);
        std::thread::scope(|s| {
            let (a, b) = out.split_at_mut(half);
            for (offset, chunk) in [(0, a), (half, b)] {
                s.spawn(move || {
                    for (k, slot) in chunk.iter_mut().enumerate() {
                        *slot = self.verdict(offset + k, configs[offset + k]);
                    }
                });
            }
        });
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Environment

fn repo_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("differential")
        .join("cases.json")
}

/// The live oracle, or why there is none.
fn live_oracle() -> Result<(Oracle, String), String> {
    if std::env::var_os("NGXLINT_NO_NGINX").is_some_and(|v| v == "1") {
        return Err("NGXLINT_NO_NGINX=1".into());
    }
    let nginx = nginx_dir().ok_or("nginx not installed")?;
    let check = repo_root()
        .join("..")
        .join("shared")
        .join("tools")
        .join("nginx-check");
    if !check.is_file() {
        return Err(format!("{} not found", check.display()));
    }
    if !is_root() {
        return Err("nginx -t needs root".into());
    }
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![nginx.clone()];
    dirs.extend(std::env::split_paths(&old));
    let path_env = std::env::join_paths(dirs).unwrap_or(old);
    let version = Command::new(nginx.join("nginx"))
        .arg("-v")
        .output()
        .map(|o| {
            let t = String::from_utf8_lossy(if o.stderr.is_empty() {
                &o.stdout
            } else {
                &o.stderr
            })
            .trim()
            .to_string();
            t.rsplit('/').next().unwrap_or(&t).to_string()
        })
        .unwrap_or_else(|_| "unknown".into());
    let dir = std::env::temp_dir().join(format!("ngxlint-differential-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    Ok((
        Oracle {
            check,
            path_env,
            dir,
        },
        version,
    ))
}

// ---------------------------------------------------------------------------------------------
// Report

fn known(id: &str) -> Option<(Class, &'static str)> {
    KNOWN
        .iter()
        .find(|(p, _, _)| id.starts_with(p))
        .map(|&(_, class, why)| (class, why))
}

fn agrees(nginx: &str, ours: &str) -> bool {
    nginx == ours || (nginx == SILENT_ERROR && ours != "ok")
}

/// Prints the table and the disagreements; returns (agreed, total).
fn report(mode: &str, rows: &[(Case, String, String)]) -> (usize, usize) {
    let mut by_cat: BTreeMap<Category, (usize, usize)> = BTreeMap::new();
    let mut by_verdict: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (case, nginx, ours) in rows {
        let agree = agrees(nginx, ours);
        let e = by_cat.entry(case.category).or_default();
        e.0 += 1;
        e.1 += agree as usize;
        let v = by_verdict
            .entry(if nginx == "ok" {
                "nginx ok"
            } else {
                "nginx error"
            })
            .or_default();
        v.0 += 1;
        v.1 += agree as usize;
        if !agree {
            disagreements.push((case, nginx, ours));
        }
    }
    let total = rows.len();
    let agreed = total - disagreements.len();
    let pct = |a: usize, n: usize| {
        if n == 0 {
            100.0
        } else {
            100.0 * a as f64 / n as f64
        }
    };
    eprintln!("\nnginx differential ({mode}): ngxlint vs nginx -t");
    eprintln!(
        "  {:<28} {:>7} {:>7} {:>8}",
        "category", "configs", "agree", "%"
    );
    for cat in Category::ALL {
        if let Some(&(n, a)) = by_cat.get(&cat) {
            eprintln!("  {:<28} {:>7} {:>7} {:>7.2}%", cat.name(), n, a, pct(a, n));
        }
    }
    for (v, &(n, a)) in &by_verdict {
        eprintln!("  {:<28} {:>7} {:>7} {:>7.2}%", v, n, a, pct(a, n));
    }
    eprintln!(
        "  {:<28} {:>7} {:>7} {:>7.2}%",
        "TOTAL",
        total,
        agreed,
        pct(agreed, total)
    );
    if !disagreements.is_empty() {
        eprintln!("\n{} disagreement(s):", disagreements.len());
        for (case, nginx, ours) in &disagreements {
            eprintln!("--- {} ({})", case.id, case.category.name());
            for l in case.config.lines() {
                eprintln!("    | {l}");
            }
            eprintln!("    nginx:   {nginx}");
            eprintln!("    ngxlint: {ours}");
            if let Some((class, why)) = known(&case.id) {
                eprintln!("    known ({class:?}): {why}");
            }
        }
    }
    (agreed, total)
}

/// cases.json: the header fields pretty-printed, one case per line (line-oriented diffs).
fn recording_json(rec: &Recording) -> String {
    let s = |v: &str| serde_json::to_string(v).unwrap();
    let mut out = format!(
        "{{\n  \"nginx_version\": {},\n  \"seed\": {},\n  \"note\": {},\n  \"cases\": [\n",
        s(&rec.nginx_version),
        s(&rec.seed),
        s(&rec.note)
    );
    for (i, c) in rec.cases.iter().enumerate() {
        out.push_str("    ");
        out.push_str(&serde_json::to_string(c).unwrap());
        out.push_str(if i + 1 < rec.cases.len() { ",\n" } else { "\n" });
    }
    out.push_str("  ]\n}\n");
    out
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn ngxlint_agrees_with_nginx_on_generated_configs() {
    let started = Instant::now();
    let profile = oracle_profile();
    let record = std::env::var_os("NGXLINT_RECORD").is_some_and(|v| v == "1");
    let (mode, recorded): (String, Vec<Recorded>) = match live_oracle() {
        Ok((oracle, version)) => {
            let spec = Spec::new(profile.clone());
            let (cands, unloaded, skipped) = candidates(&spec);
            eprintln!(
                "generator: {} directives of the static profile, {} of unloaded dynamic modules, {} skipped:",
                cands.len(),
                unloaded.len(),
                skipped.len()
            );
            for (name, why) in &skipped {
                eprintln!("  skip {name}: {why}");
            }
            let cases = generate(&spec);
            let configs: Vec<&str> = cases.iter().map(|c| c.config.as_str()).collect();
            let nginx = oracle.verdicts(&configs);
            let _ = std::fs::remove_dir_all(&oracle.dir);
            let recorded: Vec<Recorded> = cases
                .into_iter()
                .zip(nginx)
                .map(|(case, nginx)| Recorded { case, nginx })
                .collect();
            let path = fixture_path();
            if record {
                let rec = Recording {
                    nginx_version: version.clone(),
                    seed: format!("{SEED:#018x}"),
                    note: "generated by tests/tests/nginx_differential.rs; regenerate with \
                           NGXLINT_RECORD=1 cargo test -p ngxlint-tests --test nginx_differential"
                        .into(),
                    cases: recorded.clone(),
                };
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let json = recording_json(&rec);
                std::fs::write(&path, json).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                eprintln!("recorded {} cases to {}", rec.cases.len(), path.display());
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let rec: Recording = serde_json::from_str(&text).expect("cases.json");
                let old: BTreeMap<&str, &Recorded> =
                    rec.cases.iter().map(|r| (r.case.id.as_str(), r)).collect();
                let changed = recorded
                    .iter()
                    .filter(|r| {
                        !old.get(r.case.id.as_str())
                            .is_some_and(|o| o.case == r.case && o.nginx == r.nginx)
                    })
                    .count();
                if changed > 0 || old.len() != recorded.len() {
                    eprintln!(
                        "note: {changed} generated case(s) differ from cases.json ({} recorded, {} generated): \
                         regenerate with NGXLINT_RECORD=1",
                        old.len(),
                        recorded.len()
                    );
                }
            }
            (format!("live nginx {version}"), recorded)
        }
        Err(why) => {
            assert!(
                !record,
                "NGXLINT_RECORD=1 needs the live oracle, but: {why}"
            );
            let path = fixture_path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                eprintln!("skipping: no live oracle ({why}) and no {}", path.display());
                return;
            };
            let rec: Recording = serde_json::from_str(&text).expect("cases.json");
            eprintln!(
                "no live oracle ({why}): comparing with the verdicts recorded from nginx {}",
                rec.nginx_version
            );
            (
                format!("recorded verdicts of nginx {}", rec.nginx_version),
                rec.cases,
            )
        }
    };
    let rows: Vec<(Case, String, String)> = recorded
        .into_iter()
        .map(|r| {
            let ours = ngxlint_verdict(&profile, &r.case.config);
            (r.case, r.nginx, ours)
        })
        .collect();
    let (agreed, total) = report(&mode, &rows);
    let pct = 100.0 * agreed as f64 / total.max(1) as f64;
    eprintln!(
        "\nagreement: {agreed}/{total} = {pct:.2}% in {:.1} s ({mode})",
        started.elapsed().as_secs_f64()
    );
    assert!(total >= 300, "only {total} configs");
    assert!(
        pct >= MIN_AGREEMENT,
        "agreement {pct:.2}% < {MIN_AGREEMENT}%"
    );
}

/// The generator is deterministic and covers what it promises (no nginx needed).
#[test]
fn generator_is_deterministic_and_covers_every_kind() {
    let spec = Spec::new(oracle_profile());
    let a = generate(&spec);
    assert_eq!(a, generate(&spec));
    assert!(a.len() >= 300, "{} cases", a.len());
    let ids: BTreeSet<&str> = a.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), a.len(), "case ids are unique");
    let mut kinds = BTreeSet::new();
    let mut blocks = BTreeSet::new();
    let mut contexts = BTreeSet::new();
    for c in a.iter().filter(|c| c.category == Category::ContextAllowed) {
        let ctx = Context::from_name(&c.context).unwrap();
        let Lookup::Found(d) = spec.lookup(&c.directive, ctx) else {
            panic!("{}", c.id)
        };
        kinds.insert(kind_name(d.arg_kind()));
        blocks.insert(d.is_block());
        contexts.insert(ctx);
    }
    // Every arg kind the profile has (nginx itself has no NGX_CONF_ANY directive: only
    // third-party modules use it).
    let present: BTreeSet<&str> = candidates(&spec)
        .0
        .iter()
        .flat_map(|c| c.allowed.iter().map(|&ctx| (c.name, ctx)))
        .filter_map(|(n, ctx)| match spec.lookup(n, ctx) {
            Lookup::Found(d) => Some(kind_name(d.arg_kind())),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, present, "arg kinds covered");
    assert_eq!(blocks.len(), 2);
    for ctx in [
        Context::Main,
        Context::Events,
        Context::Http,
        Context::Server,
        Context::Location,
        Context::Upstream,
    ] {
        assert!(contexts.contains(&ctx), "no directive generated in {ctx}");
    }
    for cat in Category::ALL {
        assert!(
            a.iter().any(|c| c.category == cat),
            "no case in {}",
            cat.name()
        );
    }
    // The profile matches the oracle: no dynamic module.
    assert!(matches!(
        spec.lookup("stream", Context::Main),
        Lookup::Unknown { .. }
    ));
    assert!(matches!(
        spec.lookup("http", Context::Main),
        Lookup::Found(_)
    ));
}
