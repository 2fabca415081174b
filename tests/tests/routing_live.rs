//! Live differential test of request routing: ngxlint's `model::routing::route` against a real
//! nginx serving on loopback.
//!
//! Every configuration is marked before it is served: each server gets
//! `add_header X-Server S<i> always;` and each location starts with `return 200 "S<i>L<n>\n";`,
//! so nginx's answer names the server and innermost location that handled the request (a 404
//! without a matching location still carries `X-Server`). ngxlint routes the same request through
//! the model of the same file; its server index and innermost location span are mapped back to
//! the marker written there. The two answers must agree.
//!
//! Configurations: hand-written tricky sets (location modifiers and their order, nesting, URI
//! normalisation, server names, default servers, two ports, address-bound vs wildcard listens,
//! Host with port or trailing dot, HTTP/1.0 without Host) plus deterministic generated sets
//! (seeded xorshift) of location trees and of server-name / listen layouts.
//!
//! nginx runs in the foreground without a master process, with its own prefix in a temporary
//! directory, on free ports of 18080-18099 on 127.0.0.1 (and 127.0.0.2 to reach wildcard-only
//! servers), one configuration at a time; a guard kills it on every exit path.
//!
//! Skips (passing, with a printed reason) when nginx is not installed or the test does not run
//! as root. Requests whose route ngxlint reports it cannot evaluate (a note saying a regex uses
//! syntax it cannot evaluate) are counted as undetermined and excluded.

use ngxlint::model::routing::{route, Request, Route};
use ngxlint::model::Model;
use ngxlint_tests::{print_failures, Tally, XorShift};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use ngxlint_tests::{is_root};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PORTS: std::ops::Range<u16> = 18080..18100;
const IO_TIMEOUT: Duration = Duration::from_secs(3);
const START_TIMEOUT: Duration = Duration::from_secs(8);
/// The whole run stops (failing) past this.
const DEADLINE: Duration = Duration::from_secs(300);
const LOCATION_CONFIGS: usize = 120;
const SERVER_CONFIGS: usize = 60;
const REQUESTS_PER_GENERATED: usize = 20;

/// Disagreements the lead confirmed as understood, by (config name, request label): none yet.
const KNOWN: &[(&str, &str, &str)] = &[];

// ---------------------------------------------------------------------------------------------
// Cases

/// One request: where it goes and what it asks.
#[derive(Debug, Clone)]
struct Req {
    /// Category in the table; None: from nginx's answer (exact, prefix, ^~, regex, nested, ...).
    cat: Option<&'static str>,
    /// `127.0.0.1`, or `127.0.0.2` (reaches only wildcard listens).
    addr: &'static str,
    /// 1 or 2: `$P1` / `$P2`.
    port: u8,
    /// None: HTTP/1.0 without Host. `$P1` / `$P2` are substituted.
    host: Option<String>,
    uri: String,
}

#[derive(Debug, Clone)]
struct Case {
    name: String,
    /// The inside of `http { }`: servers with `$P1` / `$P2`, without markers.
    http: String,
    reqs: Vec<Req>,
}

fn req(cat: Option<&'static str>, addr: &'static str, port: u8, host: Option<&str>, uri: &str) -> Req {
    Req { cat, addr, port, host: host.map(str::to_string), uri: uri.to_string() }
}

/// Location requests on 127.0.0.1:$P1 with Host a.test, category from nginx's answer.
fn loc_reqs(uris: &[&str]) -> Vec<Req> {
    uris.iter().map(|u| req(None, "127.0.0.1", 1, Some("a.test"), u)).collect()
}

fn with_cat(cat: &'static str, mut reqs: Vec<Req>) -> Vec<Req> {
    for r in &mut reqs {
        r.cat = Some(cat);
    }
    reqs
}

fn hosts(cat: &'static str, addr: &'static str, port: u8, hosts: &[Option<&str>]) -> Vec<Req> {
    hosts.iter().map(|h| req(Some(cat), addr, port, *h, "/")).collect()
}

fn hand_written() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut case = |name: &str, http: &str, reqs: Vec<Req>| {
        cases.push(Case { name: name.to_string(), http: http.to_string(), reqs });
    };

    case(
        "docs-example",
        r#"server { listen 127.0.0.1:$P1; server_name a.test;
    location = / { }
    location / { }
    location /documents/ { }
    location ^~ /images/ { }
    location ~* \.(gif|jpg|jpeg)$ { }
}"#,
        loc_reqs(&[
            "/",
            "/index.html",
            "/documents/document.html",
            "/images/1.gif",
            "/documents/1.jpg",
            "/documents/1.JPG",
            "/images",
            "/x/y.Gif",
            "/documents",
        ]),
    );

    case(
        "modifier-order",
        r#"server { listen 127.0.0.1:$P1; server_name a.test;
    location /a/ { }
    location ~ ^/a/b { }
    location ~ /b { }
    location ~* /B/c { }
    location ~ \.php$ { }
    location ^~ /a/b/c/ { }
    location = /a/b { }
    location /a/b/ { }
    location = /a/b/ { }
    location ^~ /p { }
    location /pq { }
}"#,
        loc_reqs(&[
            "/a/b/x",
            "/x/b/1.php",
            "/a/b",
            "/a/b/",
            "/a/b/c/d.php",
            "/A/B/C",
            "/a/x",
            "/zzz",
            "/a/b/c",
            "/x/1.PHP",
            "/pq.php",
            "/p.php",
            "/pqr/b",
            "/a/c.php",
        ]),
    );

    case(
        "longest-prefix",
        r#"server { listen 127.0.0.1:$P1; server_name a.test;
    location /a { }
    location /ab { }
    location /a/ { }
    location /a/b { }
    location ^~ /abc { }
    location ~ c$ { }
    location = /abc { }
}"#,
        loc_reqs(&["/abc", "/abd", "/a/bc", "/a", "/", "/abcc", "/abcd/c", "/a/b", "/ab/c", "/b"]),
    );

    case(
        "nested",
        r#"server { listen 127.0.0.1:$P1; server_name a.test;
    location / {
        location /a/ {
            location /a/b/ {
                location ~ \.php$ { }
            }
            location ~ ^/a/.*\.txt$ { }
            location = /a/exact { }
        }
        location ~ \.gif$ { }
    }
    location ^~ /s/ {
        location /s/in/ { }
        location ~ \.php$ { }
    }
    location ~ \.php$ { }
    location ~ /r/ {
        location ~ \.txt$ { }
    }
    location ~ /rx {
        location /rx/sub/ { }
        location = /rx/e { }
        location ~ ^/rx/re { }
    }
    location /n/ {
        location ^~ /n/no/ {
            location ~ \.php$ { }
        }
        location /n/deeper/ {
            location ~ ^/n/deeper/x { }
        }
    }
    location ~ ^/n/ { }
}"#,
        loc_reqs(&[
            "/a/b/x.php",
            "/a/b/x.txt",
            "/a/exact",
            "/a/x.gif",
            "/a/x.php",
            "/s/in/x.php",
            "/s/x",
            "/s/in/y",
            "/r/x.txt",
            "/r/x.doc",
            "/rx/sub/q",
            "/rx/other",
            "/rx/e",
            "/rx/re",
            "/x/y",
            "/n/no/a",
            "/n/no/a.php",
            "/n/deeper/y",
            "/n/deeper/xy",
            "/n/other",
            "/a/b/",
        ]),
    );

    case(
        "normalisation",
        r#"server { listen 127.0.0.1:$P1; server_name a.test;
    location / { }
    location /a/ { }
    location /a/b/ { }
    location = /a/b { }
    location ~ ^/c/d$ { }
    location /%41/ { }
    location ~ "^/sp ace$" { }
    location /u/ {
        location ~ "^/u/..$" { }
        location ~ "^/u/.$" { }
    }
    location /q { }
    location ~ ^/z/[^/]*$ { }
    location = /e/ { }
    location ~* "^/v/é$" { }
}"#,
        with_cat(
            "normalisation",
            loc_reqs(&[
                "//a//b/",
                "/a/./b/",
                "/x/../a/b",
                "/a/b/../b/",
                "/%61/%62",
                "/%2e%2e/a/",
                "/a/%2E%2E/c/d",
                "/a/b%2F..%2Fc",
                "/a%2Fb",
                "/c/d?x=1",
                "/c/d?",
                "/a/b#frag",
                "/%2541/",
                "/%41/",
                "/sp%20ace",
                "/u/%C3%A9",
                "/u/%FF",
                "/q?a=/../../",
                "/..",
                "/a/b/../../..",
                "/a%zz",
                "/a%+1",
                "/a%4",
                "/a/b/.",
                "/a/b/..",
                "/a/b/%2e",
                "/A/",
                "/a/b%3Fx",
                "/z/a%2Fb",
                "/e/.",
                "/e/x/..",
                "/a/..b/",
                "/./a/b",
                "/a/b/./",
                "///",
                "/c/d%00",
                "/a%",
                "/v/%C3%A9",
                "/v/%C3%89",
            ]),
        ),
    );

    case(
        "server-names",
        r#"server { listen 127.0.0.1:$P1; server_name _; }
server { listen 127.0.0.1:$P1; server_name example.org www.example.org; }
server { listen 127.0.0.1:$P1; server_name *.example.org; }
server { listen 127.0.0.1:$P1; server_name *.a.example.org; }
server { listen 127.0.0.1:$P1; server_name .sub.example.org; }
server { listen 127.0.0.1:$P1; server_name mail.*; }
server { listen 127.0.0.1:$P1; server_name mail.example.*; }
server { listen 127.0.0.1:$P1; server_name ~^(?<user>[a-z]+)\.example\.net$; }
server { listen 127.0.0.1:$P1; server_name ~^(?P<num>\d+)\.example\.net$; }
server { listen 127.0.0.1:$P1; server_name ~^www\d*\.; }
server { listen 127.0.0.1:$P1; server_name ~\.example\.net$; }
server { listen 127.0.0.1:$P1; server_name ""; }
server { listen 127.0.0.1:$P1; server_name Upper.Example.COM; }
"#,
        hosts(
            "server names",
            "127.0.0.1",
            1,
            &[
                Some("example.org"),
                Some("WWW.EXAMPLE.ORG"),
                Some("www.example.org:$P1"),
                Some("www.example.org."),
                Some("www.example.org.:$P1"),
                Some("x.example.org"),
                Some("x.a.example.org"),
                Some("a.example.org"),
                Some("sub.example.org"),
                Some("y.sub.example.org"),
                Some("mail.example.org"),
                Some("mail.example.com"),
                Some("mail.foo"),
                Some("joe.example.net"),
                Some("42.example.net"),
                Some("www1.foo"),
                Some("www.foo"),
                Some("x-y.example.net"),
                Some("upper.example.com"),
                Some("unknown.test"),
                None,
            ],
        ),
    );

    case(
        "empty-host-regex",
        r#"server { listen 127.0.0.1:$P1; server_name a.test; }
server { listen 127.0.0.1:$P1; server_name ~^.*$; }
"#,
        hosts("server names", "127.0.0.1", 1, &[None, Some("b.test"), Some("a.test")]),
    );

    case(
        "no-server-name",
        r#"server { listen 127.0.0.1:$P1; server_name a.test; }
server { listen 127.0.0.1:$P1; }
server { listen 127.0.0.1:$P1 default_server; server_name c.test; }
"#,
        hosts("server names", "127.0.0.1", 1, &[None, Some("b.test"), Some("a.test")]),
    );

    case(
        "name-conflicts",
        r#"server { listen 127.0.0.1:$P1; server_name default.test; }
server { listen 127.0.0.1:$P1; server_name .example.org; }
server { listen 127.0.0.1:$P1; server_name example.org; }
server { listen 127.0.0.1:$P1; server_name www.example.org; }
server { listen 127.0.0.1:$P1; server_name *.example.org; }
server { listen 127.0.0.1:$P1; server_name www.example.org dup.test; }
server { listen 127.0.0.1:$P1; server_name ~^(?<x>.+)\.example\.org$ *.other.test; }
server { listen 127.0.0.1:$P1; server_name .other.test; }
"#,
        hosts(
            "server names",
            "127.0.0.1",
            1,
            &[
                Some("example.org"),
                Some("www.example.org"),
                Some("x.example.org"),
                Some("dup.test"),
                Some("a.other.test"),
                Some("other.test"),
            ],
        ),
    );

    case(
        "name-conflicts-2",
        r#"server { listen 127.0.0.1:$P1; server_name default.test; }
server { listen 127.0.0.1:$P1; server_name example.com; }
server { listen 127.0.0.1:$P1; server_name .example.com; }
server { listen 127.0.0.1:$P1; server_name .example.net; }
server { listen 127.0.0.1:$P1; server_name *.example.net; }
server { listen 127.0.0.1:$P1; server_name *.example.info; }
server { listen 127.0.0.1:$P1; server_name example.info; }
server { listen 127.0.0.1:$P1; server_name .example.info; }
"#,
        hosts(
            "server names",
            "127.0.0.1",
            1,
            &[
                Some("example.com"),
                Some("x.example.com"),
                Some("example.net"),
                Some("x.example.net"),
                Some("example.info"),
                Some("x.example.info"),
            ],
        ),
    );

    case(
        "host-validation",
        r#"server { listen 127.0.0.1:$P1; server_name default.test; }
server { listen 127.0.0.1:$P1; server_name a.test; }
"#,
        hosts(
            "server names",
            "127.0.0.1",
            1,
            &[Some("a..test"), Some("a/b.test"), Some("A.TEST.:$P1"), Some(".a.test"), Some("a.test:")],
        ),
    );

    case(
        "default-server",
        r#"server { listen 127.0.0.1:$P1; listen 127.0.0.1:$P2; server_name a.test; }
server { listen 127.0.0.1:$P1 default_server; server_name b.test; }
server { listen 127.0.0.1:$P2; server_name c.test; }
"#,
        [
            hosts("default", "127.0.0.1", 1, &[Some("unknown.test"), Some("c.test"), None]),
            hosts("default", "127.0.0.1", 2, &[Some("unknown.test"), Some("b.test"), None]),
            hosts("ports", "127.0.0.1", 1, &[Some("a.test"), Some("b.test")]),
            hosts("ports", "127.0.0.1", 2, &[Some("a.test"), Some("c.test")]),
        ]
        .concat(),
    );

    case(
        "addr-vs-wildcard",
        r#"server { listen *:$P1; server_name a.test; }
server { listen 127.0.0.1:$P1; server_name b.test; }
server { listen *:$P1 default_server; server_name c.test; }
server { listen 127.0.0.1:$P2; server_name d.test; }
server { listen $P2; server_name e.test; }
server { listen 127.0.0.1:$P2 default_server; server_name f.test; }
"#,
        [
            hosts("ports", "127.0.0.1", 1, &[Some("a.test"), Some("b.test"), Some("c.test"), Some("unknown.test")]),
            hosts("ports", "127.0.0.2", 1, &[Some("a.test"), Some("b.test"), Some("c.test"), Some("unknown.test")]),
            hosts("ports", "127.0.0.1", 2, &[Some("d.test"), Some("e.test"), Some("unknown.test")]),
            hosts("ports", "127.0.0.2", 2, &[Some("d.test"), Some("e.test"), Some("unknown.test")]),
        ]
        .concat(),
    );

    case(
        "wildcard-only",
        r#"server { listen $P1; server_name a.test; }
server { listen *:$P1; server_name b.test; }
server { listen 0.0.0.0:$P1; server_name c.test; }
"#,
        [
            hosts(
                "ports",
                "127.0.0.1",
                1,
                &[Some("a.test"), Some("b.test"), Some("c.test"), Some("unknown.test"), None],
            ),
            hosts("ports", "127.0.0.2", 1, &[Some("b.test"), Some("unknown.test")]),
            hosts("ports", "127.0.0.1", 2, &[Some("a.test")]),
        ]
        .concat(),
    );

    case(
        "address-only",
        r#"server { listen 127.0.0.1:$P1; server_name a.test; }
server { listen 127.0.0.1:$P2; server_name b.test; }
"#,
        [
            hosts("ports", "127.0.0.1", 1, &[Some("a.test"), Some("b.test")]),
            hosts("ports", "127.0.0.1", 2, &[Some("a.test")]),
            hosts("ports", "127.0.0.2", 1, &[Some("a.test")]),
        ]
        .concat(),
    );

    case(
        "locations-per-server",
        r#"server { listen 127.0.0.1:$P1; server_name a.test;
    location /x/ { }
}
server { listen 127.0.0.1:$P1; server_name b.test;
    location ~ ^/x/ { }
    location / { }
}
server { listen *:$P2; server_name a.test;
    location = /x/ { }
}
"#,
        [
            loc_reqs(&["/x/", "/x/y", "/y"]),
            ["/x/", "/x/y", "/y"].iter().map(|u| req(None, "127.0.0.1", 1, Some("b.test"), u)).collect(),
            ["/x/", "/x/y"].iter().map(|u| req(None, "127.0.0.1", 2, Some("a.test"), u)).collect(),
        ]
        .concat(),
    );
    cases
}

// ---------------------------------------------------------------------------------------------
// Generated cases

const SEGS: &[&str] = &["a", "b", "ab", "A", "img", "x.php", "y.PHP", "1.gif", "c", "d.txt"];
const LOCATION_REGEXES: &[&str] = &[
    r"\.php$",
    r"^/a/",
    r"^/A",
    r"b$",
    r"/[ab]+/",
    r"\.(gif|jpg)$",
    r"^/a/b",
    r"img",
    r"^/$",
    r"/c/",
    r"^/ab?$",
    r"\.txt$",
    r"^/[^/]+/c",
    r"(a|b)/c",
    r"^/img/.*\.gif$",
    r"^/a/.+/",
];
const TAILS: &[&str] = &["", "/", "x.php", "b/1.gif", "c/d.txt", "Q", ".PHP", "/img/1.gif", "b"];

fn pick<'a>(rng: &mut XorShift, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len())]
}

fn rand_path(rng: &mut XorShift, max_segs: usize) -> String {
    let n = 1 + rng.below(max_segs);
    let segs: Vec<&str> = (0..n).map(|_| pick(rng, SEGS)).collect();
    let mut p = format!("/{}", segs.join("/"));
    if rng.below(100) < 30 {
        p.push('/');
    }
    p
}

/// The first `len` characters (all ASCII here).
fn truncate(s: &str, len: usize) -> String {
    s[..len.min(s.len())].to_string()
}

enum Parent {
    Server,
    Prefix(String),
    Regex,
}

/// Writes one level of a random location tree; records prefix and exact patterns.
fn gen_locations(rng: &mut XorShift, parent: &Parent, depth: usize, patterns: &mut Vec<String>, out: &mut String) {
    let count = if depth == 1 { 2 + rng.below(6) } else { 1 + rng.below(3) };
    let indent = "    ".repeat(depth);
    let mut prefixes = BTreeSet::new();
    let mut exacts = BTreeSet::new();
    for _ in 0..count {
        let roll = rng.below(100);
        let kind = match parent {
            Parent::Regex => "~",
            _ if roll < 15 => "=",
            _ if roll < 50 => "",
            _ if roll < 65 => "^~",
            _ if roll < 85 => "~",
            _ => "~*",
        };
        let path = |rng: &mut XorShift| -> String {
            let p = rand_path(rng, 3);
            match parent {
                Parent::Prefix(base) => {
                    let tail = &p[1..];
                    format!("{base}{}", truncate(tail, rng.below(tail.len() + 1)))
                }
                _ => truncate(&p, 1 + rng.below(p.len())),
            }
        };
        let (head, pattern) = match kind {
            "~" | "~*" => (format!("location {kind} "), pick(rng, LOCATION_REGEXES).to_string()),
            _ => {
                let set = if kind == "=" { &mut exacts } else { &mut prefixes };
                let Some(p) = (0..6).map(|_| path(rng)).find(|p| !set.contains(p)) else { continue };
                set.insert(p.clone());
                patterns.push(p.clone());
                let head = if kind.is_empty() { "location ".to_string() } else { format!("location {kind} ") };
                (head, p)
            }
        };
        let nest = depth < 3
            && match kind {
                "" | "^~" => rng.below(100) < 40,
                "~" | "~*" => rng.below(100) < 15,
                _ => false,
            };
        if nest {
            out.push_str(&format!("{indent}{head}{pattern} {{\n"));
            let inner = if kind.starts_with('~') { Parent::Regex } else { Parent::Prefix(pattern.clone()) };
            gen_locations(rng, &inner, depth + 1, patterns, out);
            out.push_str(&format!("{indent}}}\n"));
        } else {
            out.push_str(&format!("{indent}{head}{pattern} {{ }}\n"));
        }
    }
    if depth == 1 && !prefixes.contains("/") && rng.below(100) < 50 {
        out.push_str(&format!("{indent}location / {{ }}\n"));
    }
}

/// One normalisation detour that nginx resolves before matching.
fn decorate(rng: &mut XorShift, uri: &str) -> String {
    let slashes: Vec<usize> = uri.match_indices('/').map(|(i, _)| i).collect();
    let at = slashes[rng.below(slashes.len())];
    match rng.below(7) {
        0 => format!("{}/{}", &uri[..at], &uri[at..]),
        1 => format!("{}/.{}", &uri[..at], &uri[at..]),
        2 => format!("{}/zz/..{}", &uri[..at], &uri[at..]),
        3 => {
            let chars: Vec<(usize, char)> = uri.char_indices().filter(|&(_, c)| c != '/').collect();
            if chars.is_empty() {
                return format!("{uri}?q=1");
            }
            let (i, c) = chars[rng.below(chars.len())];
            let enc = if rng.below(2) == 0 { format!("%{:02X}", c as u32) } else { format!("%{:02x}", c as u32) };
            format!("{}{enc}{}", &uri[..i], &uri[i + 1..])
        }
        4 => format!("{uri}?x=/a/../b&y=%41"),
        5 if at > 0 => format!("{}%2F{}", &uri[..at], &uri[at + 1..]),
        _ => format!("{}/./{}", &uri[..at], &uri[at + 1..]),
    }
}

fn generated_locations(seed: u64, n: usize) -> Vec<Case> {
    let mut rng = XorShift::new(seed);
    (0..n)
        .map(|k| {
            let mut body = String::new();
            let mut patterns = Vec::new();
            gen_locations(&mut rng, &Parent::Server, 1, &mut patterns, &mut body);
            let http = format!("server {{ listen 127.0.0.1:$P1; server_name a.test;\n{body}}}\n");
            let reqs = (0..REQUESTS_PER_GENERATED)
                .map(|_| {
                    let mut uri = if !patterns.is_empty() && rng.below(100) < 40 {
                        let p = patterns[rng.below(patterns.len())].clone();
                        if rng.below(2) == 0 {
                            p
                        } else {
                            format!("{p}{}", pick(&mut rng, TAILS))
                        }
                    } else {
                        rand_path(&mut rng, 4)
                    };
                    let mut cat = None;
                    if rng.below(100) < 25 {
                        uri = decorate(&mut rng, &uri);
                        cat = Some("normalisation");
                    }
                    Req { cat, addr: "127.0.0.1", port: 1, host: Some("a.test".into()), uri }
                })
                .collect();
            Case { name: format!("gen-locations-{k}"), http, reqs }
        })
        .collect()
}

const DOMAINS: &[&str] = &[
    "example.org",
    "www.example.org",
    "a.example.org",
    "b.a.example.org",
    "mail.example.org",
    "mail.example.com",
    "www.example.net",
    "api1.example.net",
    "joe.example.net",
    "x.test",
];
const EXTRA_HOSTS: &[&str] = &["unknown.test", "mail.foo", "www.bar", "api7.example.net", "q.b.a.example.org"];
const WILDCARD_NAMES: &[&str] = &[
    "*.example.org",
    "*.a.example.org",
    ".example.org",
    ".a.example.org",
    "*.example.net",
    "mail.*",
    "www.*",
    "mail.example.*",
    "www.example.*",
];
const REGEX_NAMES: &[&str] = &[
    r"~^api\d+\.example\.net$",
    r"~^(?<user>[a-z]+)\.example\.net$",
    r"~^(www|mail)\.",
    r"~example\.com$",
    r"~^(?P<sub>[^.]+)\.a\.example\.org$",
    r"~^.*$",
];

/// The keys under which nginx hashes a name (for avoiding conflicting duplicates).
fn name_keys(name: &str) -> Vec<String> {
    if name.starts_with('~') {
        return Vec::new();
    }
    if let Some(rest) = name.strip_prefix('.') {
        return vec![rest.to_string(), format!("*.{rest}")];
    }
    vec![name.to_string()]
}

fn generated_servers(seed: u64, n: usize) -> Vec<Case> {
    let mut rng = XorShift::new(seed);
    (0..n)
        .map(|k| {
            let count = 2 + rng.below(5);
            let mode = rng.below(3); // 0: all 127.0.0.1, 1: all wildcard, 2: mixed
            let addr_of = |rng: &mut XorShift| match mode {
                0 => "127.0.0.1:",
                1 => "*:",
                _ => {
                    if rng.below(2) == 0 {
                        "127.0.0.1:"
                    } else {
                        "*:"
                    }
                }
            };
            let mut used = BTreeSet::new();
            let mut servers: Vec<(Vec<String>, Vec<String>)> = Vec::new();
            for _ in 0..count {
                let mut listens = vec![format!("{}$P1", addr_of(&mut rng))];
                if rng.below(100) < 30 {
                    listens.push(format!("{}$P2", addr_of(&mut rng)));
                }
                let mut names = Vec::new();
                if rng.below(100) >= 15 {
                    for _ in 0..1 + rng.below(3) {
                        let name = match rng.below(3) {
                            0 => pick(&mut rng, DOMAINS),
                            1 => pick(&mut rng, WILDCARD_NAMES),
                            _ => pick(&mut rng, REGEX_NAMES),
                        };
                        let keys = name_keys(name);
                        if keys.iter().any(|key| used.contains(key)) || names.iter().any(|n| n == name) {
                            continue;
                        }
                        used.extend(keys);
                        names.push(name.to_string());
                    }
                }
                servers.push((listens, names));
            }
            // At most one default_server per socket.
            let sockets: BTreeSet<String> = servers.iter().flat_map(|(l, _)| l.iter().cloned()).collect();
            let mut defaults = BTreeMap::new();
            for s in sockets {
                if rng.below(100) < 40 {
                    let on: Vec<usize> = (0..servers.len()).filter(|&i| servers[i].0.contains(&s)).collect();
                    defaults.insert(s, on[rng.below(on.len())]);
                }
            }
            let mut http = String::new();
            for (i, (listens, names)) in servers.iter().enumerate() {
                http.push_str("server {");
                for l in listens {
                    let d = if defaults.get(l) == Some(&i) { " default_server" } else { "" };
                    http.push_str(&format!(" listen {l}{d};"));
                }
                if !names.is_empty() {
                    http.push_str(&format!(" server_name {};", names.join(" ")));
                }
                http.push_str(" }\n");
            }
            let reqs = (0..REQUESTS_PER_GENERATED)
                .map(|_| {
                    let port = if rng.below(100) < 20 { 2 } else { 1 };
                    let addr = if rng.below(100) < 25 { "127.0.0.2" } else { "127.0.0.1" };
                    let base = if rng.below(100) < 80 { pick(&mut rng, DOMAINS) } else { pick(&mut rng, EXTRA_HOSTS) };
                    let host = match rng.below(100) {
                        0..=9 => None,
                        10..=24 => Some(base.to_ascii_uppercase()),
                        25..=34 => Some(format!("{base}:$P{port}")),
                        35..=44 => Some(format!("{base}.")),
                        _ => Some(base.to_string()),
                    };
                    let cat = if port == 2 || addr != "127.0.0.1" {
                        "ports"
                    } else if host.is_none() {
                        "default"
                    } else {
                        "server names"
                    };
                    Req { cat: Some(cat), addr, port, host, uri: "/".into() }
                })
                .collect();
            Case { name: format!("gen-servers-{k}"), http, reqs }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Markers

/// What a location marker stands for.
#[derive(Debug, Clone)]
struct LocInfo {
    label: String,
    kind: &'static str,
    depth: usize,
}

/// A configuration with markers inserted.
struct Marked {
    text: String,
    locations: BTreeMap<String, LocInfo>,
}

enum Tok {
    Word(String),
    Semi,
    /// Byte offset just after the `{`.
    Open(usize),
    Close,
}

fn tokenize(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b';' => {
                out.push(Tok::Semi);
                i += 1;
            }
            b'{' => {
                out.push(Tok::Open(i + 1));
                i += 1;
            }
            b'}' => {
                out.push(Tok::Close);
                i += 1;
            }
            q @ (b'"' | b'\'') => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                out.push(Tok::Word(s[start..i].to_string()));
            }
            _ => {
                let start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b';' | b'{' | b'}') {
                    i += 1;
                }
                out.push(Tok::Word(s[start..i].to_string()));
            }
        }
    }
    out
}

/// Inserts the server and location markers into the inside of an http block.
fn mark(http: &str) -> Marked {
    enum Block {
        Server(usize),
        Location,
        Other,
    }
    let mut stack: Vec<Block> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut locations = BTreeMap::new();
    let (mut servers, mut nloc) = (0, 0);
    for t in tokenize(http) {
        match t {
            Tok::Word(w) => words.push(w),
            Tok::Semi => words.clear(),
            Tok::Close => {
                stack.pop();
                words.clear();
            }
            Tok::Open(at) => {
                let first = words.first().map(String::as_str).unwrap_or("");
                let server = stack.iter().find_map(|b| if let Block::Server(i) = b { Some(*i) } else { None });
                if first == "server" && stack.is_empty() {
                    inserts.push((at, format!(" add_header X-Server S{servers} always;")));
                    stack.push(Block::Server(servers));
                    servers += 1;
                } else if first == "location" {
                    let s = server.expect("location outside a server");
                    let marker = format!("S{s}L{nloc}");
                    nloc += 1;
                    let kind = match words.get(1).map(String::as_str) {
                        Some("=") => "exact",
                        Some("^~") => "^~",
                        Some("~" | "~*") => "regex",
                        _ => "prefix",
                    };
                    let depth = stack.iter().filter(|b| matches!(b, Block::Location)).count() + 1;
                    inserts.push((at, format!(" return 200 \"{marker}\\n\";")));
                    locations.insert(marker, LocInfo { label: words.join(" "), kind, depth });
                    stack.push(Block::Location);
                } else {
                    stack.push(Block::Other);
                }
                words.clear();
            }
        }
    }
    let mut text = String::new();
    let mut last = 0;
    for (at, ins) in inserts {
        text.push_str(&http[last..at]);
        text.push_str(&ins);
        last = at;
    }
    text.push_str(&http[last..]);
    Marked { text, locations }
}

/// The marker written after `needle` at or after `from`, up to `end`.
fn marker_after(text: &str, from: usize, needle: &str, end: char) -> Option<String> {
    let rest = &text[from..];
    let at = rest.find(needle)? + needle.len();
    let tail = &rest[at..];
    Some(tail[..tail.find(end)?].to_string())
}

// ---------------------------------------------------------------------------------------------
// nginx

fn find_nginx() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/local/nginx/sbin"].map(PathBuf::from));
    dirs.into_iter().map(|d| d.join("nginx")).find(|p| p.is_file())
}

/// Two ports of 18080-18099 free on every address (wildcard and loopback), as of now.
fn free_ports(avoid: &[u16]) -> Option<(u16, u16)> {
    let free = |p: u16| TcpListener::bind(("0.0.0.0", p)).is_ok() && TcpListener::bind(("127.0.0.1", p)).is_ok();
    let mut ports = PORTS.filter(|p| !avoid.contains(p)).filter(|&p| free(p));
    Some((ports.next()?, ports.next()?))
}

/// A running nginx; killed (and its directory removed) when dropped, also on panic.
struct Nginx {
    child: Child,
    dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Nginx {
    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

fn conf_text(dir: &Path, http: &str) -> String {
    let d = dir.display();
    format!(
        "daemon off;\nmaster_process off;\nerror_log {d}/error.log warn;\npid {d}/nginx.pid;\nevents {{ worker_connections 64; }}\n\
         http {{\n    access_log off;\n    root {d}/nonexistent;\n    server_names_hash_bucket_size 128;\n\
         \x20   client_body_temp_path {d}/cb;\n    proxy_temp_path {d}/p;\n    fastcgi_temp_path {d}/f;\n\
         \x20   uwsgi_temp_path {d}/u;\n    scgi_temp_path {d}/s;\n{http}\n}}\n"
    )
}

/// Starts nginx on `conf` (already written in `dir`); waits until `port` on 127.0.0.1 answers.
fn start(nginx: &Path, dir: PathBuf, port: u16) -> Result<Nginx, String> {
    let conf = dir.join("nginx.conf");
    let child = Command::new(nginx)
        .arg("-p")
        .arg(format!("{}/", dir.display()))
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", nginx.display()))?;
    let mut guard = Nginx { child, dir };
    let t0 = Instant::now();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    loop {
        if let Ok(Some(status)) = guard.child.try_wait() {
            return Err(format!("nginx exited ({status}): {}", guard.error_log().trim()));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(guard);
        }
        if t0.elapsed() > START_TIMEOUT {
            return Err(format!("nginx did not answer on 127.0.0.1:{port}: {}", guard.error_log().trim()));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// nginx's answer: a marker (`S0L3`, or `S0-` for a 404 from the server without a location),
/// `400`, `refused`, or `HTTP <status>`.
fn ask_nginx(addr: &str, port: u16, host: Option<&str>, uri: &str) -> String {
    let sock: SocketAddr = match format!("{addr}:{port}").parse() {
        Ok(s) => s,
        Err(e) => return format!("error: {e}"),
    };
    let mut s = match TcpStream::connect_timeout(&sock, IO_TIMEOUT) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return "refused".into(),
        Err(e) => return format!("error: {e}"),
    };
    let _ = s.set_read_timeout(Some(IO_TIMEOUT));
    let _ = s.set_write_timeout(Some(IO_TIMEOUT));
    let request = match host {
        Some(h) => format!("GET {uri} HTTP/1.1\r\nHost: {h}\r\nConnection: close\r\n\r\n"),
        None => format!("GET {uri} HTTP/1.0\r\n\r\n"),
    };
    if let Err(e) = s.write_all(request.as_bytes()) {
        return format!("error: {e}");
    }
    let mut resp = Vec::new();
    if let Err(e) = s.take(1 << 20).read_to_end(&mut resp) {
        if resp.is_empty() {
            return format!("error: {e}");
        }
    }
    let text = String::from_utf8_lossy(&resp);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|c| c.parse().ok()).unwrap_or(0);
    let server = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("x-server"))
        .map(|(_, v)| v.trim().to_string());
    match (status, server) {
        (200, _) => body.trim().to_string(),
        (404, Some(s)) => format!("{s}-"),
        (400, _) => "400".into(),
        (0, _) => format!("error: no status line in {:?}", truncate(&text, 80)),
        (code, _) => format!("HTTP {code}"),
    }
}

// ---------------------------------------------------------------------------------------------
// ngxlint

fn ask_ngxlint(model: &Model, text: &str, r: &Route) -> String {
    let Some(server) = r.server else {
        return if r.notes.iter().any(|n| n.contains("400")) { "400".into() } else { "refused".into() };
    };
    match r.location(model) {
        Some(l) => marker_after(text, l.span.start as usize, "return 200 \"", '\\')
            .unwrap_or_else(|| "unmarked location".into()),
        None => {
            let s = marker_after(text, model.servers[server].span.start as usize, "add_header X-Server ", ' ');
            format!("{}-", s.unwrap_or_else(|| "unmarked server".into()))
        }
    }
}

fn undetermined(r: &Route) -> bool {
    r.notes.iter().any(|n| n.contains("cannot evaluate"))
}

// ---------------------------------------------------------------------------------------------
// The test

struct Disagreement {
    case: String,
    request: String,
    nginx: String,
    ngxlint: String,
    detail: String,
}

fn describe(answer: &str, locations: &BTreeMap<String, LocInfo>) -> String {
    match locations.get(answer) {
        Some(l) => format!("{answer} ({})", l.label),
        None => answer.to_string(),
    }
}

fn request_label(r: &Req, host: &Option<String>, port: u16) -> String {
    match host {
        Some(h) => format!("GET {} Host: {h} -> {}:{port}", r.uri, r.addr),
        None => format!("GET {} HTTP/1.0 (no Host) -> {}:{port}", r.uri, r.addr),
    }
}

/// Sends every request of a case to the running nginx and routes it through ngxlint; returns
/// (category, column, count) tallies.
fn run_case(
    case: &Case,
    marked: &Marked,
    conf: &str,
    ports: (u16, u16),
    alt_addr: bool,
    disagreements: &mut Vec<Disagreement>,
    known_hits: &mut Vec<String>,
) -> Vec<(&'static str, &'static str, usize)> {
    let mut files = ngxlint::SourceSet::new();
    let main = files.add("/t/nginx.conf", conf);
    let analysis = ngxlint::analyze(&files, main, &ngxlint::Options::default());
    let model = ngxlint::model::build(&files, analysis.config());
    let mut counts = Vec::new();
    for r in &case.reqs {
        let port = if r.port == 2 { ports.1 } else { ports.0 };
        let host = r.host.as_ref().map(|h| h.replace("$P1", &ports.0.to_string()).replace("$P2", &ports.1.to_string()));
        let label = request_label(r, &host, port);
        if r.addr != "127.0.0.1" && !alt_addr {
            counts.push((r.cat.unwrap_or("other"), "skipped", 1));
            continue;
        }
        let theirs = ask_nginx(r.addr, port, host.as_deref(), &r.uri);
        let request = Request { addr: r.addr.into(), port, host: host.clone().unwrap_or_default(), uri: r.uri.clone() };
        let routed = route(&model, &request);
        let ours = ask_ngxlint(&model, conf, &routed);
        let cat = r.cat.unwrap_or_else(|| match marked.locations.get(&theirs) {
            Some(l) if l.depth > 1 => "nested",
            Some(l) => l.kind,
            None if theirs.ends_with('-') => "no location",
            None if theirs == "400" => "normalisation",
            None => "other",
        });
        counts.push((cat, "requests", 1));
        if undetermined(&routed) {
            counts.push((cat, "undetermined", 1));
            continue;
        }
        if theirs == ours {
            counts.push((cat, "agree", 1));
            continue;
        }
        if let Some((_, _, why)) = KNOWN.iter().find(|(c, q, _)| *c == case.name && *q == label) {
            known_hits.push(format!("[{}] {label}: {why}", case.name));
            counts.push((cat, "known", 1));
            continue;
        }
        counts.push((cat, "DISAGREE", 1));
        disagreements.push(Disagreement {
            case: case.name.clone(),
            request: label,
            nginx: describe(&theirs, &marked.locations),
            ngxlint: describe(&ours, &marked.locations),
            detail: format!(
                "category {cat}; ngxlint normalized {:?}, match {:?}, notes {:?}",
                routed.normalized_uri, routed.server_match, routed.notes
            ),
        });
    }
    counts
}

#[test]
fn routing_agrees_with_live_nginx() {
    let Some(nginx) = find_nginx() else {
        eprintln!("skipping: nginx not installed");
        return;
    };
    if !is_root() {
        eprintln!("skipping: not root (the live routing test runs nginx as root, as CI does)");
        return;
    }
    let started = Instant::now();
    let alt_addr = TcpListener::bind("127.0.0.2:0").is_ok();
    let Some(mut ports) = free_ports(&[]) else {
        eprintln!("skipping: fewer than two free ports in {}-{}", PORTS.start, PORTS.end - 1);
        return;
    };

    let suites: Vec<(&str, Vec<Case>)> = vec![
        ("hand-written", hand_written()),
        ("generated locations", generated_locations(0x6e67_786c_696e_7401, LOCATION_CONFIGS)),
        ("generated servers", generated_servers(0x6e67_786c_696e_7402, SERVER_CONFIGS)),
    ];
    let version =
        Command::new(&nginx).arg("-v").output().ok().map(|o| String::from_utf8_lossy(&o.stderr).trim().to_string());
    eprintln!(
        "routing live: {} ({}), ports {}/{}, 127.0.0.2 {}",
        nginx.display(),
        version.unwrap_or_default(),
        ports.0,
        ports.1,
        if alt_addr { "usable" } else { "NOT usable (its requests are skipped)" }
    );

    let mut table = Tally::with_columns(&["requests", "agree", "DISAGREE", "undetermined"]);
    let mut suite_table = Tally::with_columns(&["configs", "requests", "agree", "DISAGREE", "undetermined", "skipped"]);
    let mut disagreements: Vec<Disagreement> = Vec::new();
    let mut known_hits = Vec::new();
    let mut failures = Vec::new();
    let mut warnings = Vec::new();
    let tmp_root = std::env::temp_dir().join(format!("ngxlint-routing-live-{}", std::process::id()));
    let mut seq = 0;

    'suites: for (suite, cases) in &suites {
        for case in cases {
            if started.elapsed() > DEADLINE {
                failures.push(format!("deadline of {}s passed at {}", DEADLINE.as_secs(), case.name));
                break 'suites;
            }
            suite_table.add(suite, "configs");
            // Start nginx; on a port taken meanwhile, pick other ports (bounded).
            let mut attempt = 0;
            let launched = loop {
                attempt += 1;
                seq += 1;
                let dir = tmp_root.join(format!("{seq}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let http = case.http.replace("$P1", &ports.0.to_string()).replace("$P2", &ports.1.to_string());
                let marked = mark(&http);
                let conf = conf_text(&dir, &marked.text);
                std::fs::write(dir.join("nginx.conf"), &conf).expect("write nginx.conf");
                match start(&nginx, dir.clone(), ports.0) {
                    Ok(n) => break Ok((n, marked, conf)),
                    Err(e) if attempt < 3 && e.contains("in use") => {
                        eprintln!("{}: {e}; picking other ports", case.name);
                        ports = free_ports(&[ports.0, ports.1]).unwrap_or(ports);
                    }
                    Err(e) => break Err(format!("{}: nginx did not start: {e}\n{http}", case.name)),
                }
            };
            let (server, marked, conf) = match launched {
                Ok(l) => l,
                Err(e) => {
                    failures.push(e);
                    continue;
                }
            };
            let counts = run_case(case, &marked, &conf, ports, alt_addr, &mut disagreements, &mut known_hits);
            for (cat, column, n) in counts {
                table.add_n(cat, column, n);
                suite_table.add_n(suite, column, n);
            }
            for line in server.error_log().lines().filter(|l| l.contains("[warn]") || l.contains("[emerg]")) {
                let msg =
                    line.split_once("[warn] ").or_else(|| line.split_once("[emerg] ")).map(|(_, m)| m).unwrap_or(line);
                let msg = msg.split_once(": ").map(|(_, m)| m).unwrap_or(msg);
                warnings.push(format!("{}: {msg}", case.name));
            }
            drop(server);
        }
    }
    let _ = std::fs::remove_dir_all(&tmp_root);

    suite_table.print("routing live: configurations and requests per suite", "suite");
    table.print("routing live: agreement per category", "category");
    if !warnings.is_empty() {
        warnings.dedup();
        print_failures("nginx warnings (informational)", &warnings, 40);
    }
    let list: Vec<String> = disagreements
        .iter()
        .map(|d| {
            format!(
                "[{}] {}\n      nginx:   {}\n      ngxlint: {}\n      {}",
                d.case, d.request, d.nginx, d.ngxlint, d.detail
            )
        })
        .collect();
    print_failures("routing disagreements", &list, 200);
    if !known_hits.is_empty() {
        print_failures("known disagreements (excluded)", &known_hits, 50);
    }
    let mut shown = BTreeSet::new();
    for d in &disagreements {
        if shown.len() < 12 && shown.insert(d.case.clone()) {
            let case = suites.iter().flat_map(|(_, c)| c).find(|c| c.name == d.case).expect("case");
            eprintln!("== config {} (markers omitted; $P1/$P2 are the ports):\n{}", case.name, case.http);
        }
    }
    eprintln!("routing live: {:.1}s", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "routing live harness failures:\n{}", failures.join("\n"));
    assert!(disagreements.is_empty(), "{} routing disagreement(s) with nginx (listed above)", disagreements.len());
}
