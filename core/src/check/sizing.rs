//! What nginx sizes once everything is read: hash buckets for exact map keys and server names
//! (`ngx_hash_init`), and enough connections for the listening sockets (`ngx_event_init_conf`).
//!
//! Both refuse the configuration (`[emerg]`), and both are typical of generated configs: a long
//! key or host name, a template that renders `worker_connections` too low.

use super::{codes, Checker, Phase};
use crate::report::Diagnostic;
use crate::source::Span;
use std::borrow::Cow;

/// nginx's default bucket size: the CPU cache line (64 bytes on x86-64 and arm64).
const CACHE_LINE: usize = 64;
const POINTER: usize = 8;

/// `NGX_HASH_ELT_SIZE(name) + sizeof(void *)`: bytes one key needs in a bucket.
fn bucket_need(key_len: usize) -> usize {
    POINTER + (key_len + 2).div_ceil(POINTER) * POINTER + POINTER
}

/// A `*_hash_bucket_size` value as nginx uses it: aligned up to the cache line.
fn bucket_size(value: Option<&str>) -> usize {
    let v = value.and_then(super::values::size).map_or(CACHE_LINE, |v| v as usize);
    v.div_ceil(CACHE_LINE).max(1) * CACHE_LINE
}

/// An http server: its span, its sockets and its exact names.
type HttpServer<'a> = (Span, Vec<String>, Vec<(Cow<'a, str>, Span)>);

struct Listening {
    /// (family/port group, address, binds separately)
    sockets: Vec<(String, String, bool)>,
}

impl Listening {
    /// Sockets nginx opens: per port and family, a wildcard listen takes every address that
    /// does not ask for its own `bind`.
    fn count(&self) -> usize {
        // Sorted by (group, address): one pass over runs, not a filter per group.
        let mut all: Vec<(&str, &str, bool)> = self.sockets.iter().map(|s| (s.0.as_str(), s.1.as_str(), s.2)).collect();
        all.sort_unstable();
        let wild = |a: &str| matches!(a, "*" | "0.0.0.0" | "[::]");
        let mut n = 0;
        for group in all.chunk_by(|a, b| a.0 == b.0) {
            // One entry per address: the first of its run (sorted, so `bind` false before true).
            let mut addrs: Vec<(&str, bool)> = group.iter().map(|s| (s.1, s.2)).collect();
            addrs.dedup_by(|a, b| a.0 == b.0);
            let wildcard = addrs.iter().any(|(a, _)| wild(a));
            n += if wildcard { 1 + addrs.iter().filter(|(a, bind)| *bind && !wild(a)).count() } else { addrs.len() };
        }
        n
    }
}

/// Listen parameters that make nginx bind the address on its own socket.
const BINDING: [&str; 11] = ["bind", "setfib=", "fastopen=", "backlog=", "rcvbuf=", "sndbuf=", "accept_filter=", "deferred", "ipv6only=", "reuseport", "so_keepalive="];

fn socket_of(module: &str, arg: &str, params: &[Cow<str>]) -> (String, String, bool) {
    let binds = params.iter().any(|p| BINDING.iter().any(|b| if b.ends_with('=') { p.starts_with(b) } else { p == b }));
    if arg.starts_with("unix:") {
        return (format!("{module} {arg}"), arg.to_string(), true);
    }
    let (addr, port) = if let Some(rest) = arg.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, tail)) => (format!("[{h}]"), tail.strip_prefix(':').unwrap_or("80").to_string()),
            None => (arg.to_string(), "80".to_string()),
        }
    } else if let Some((h, p)) = arg.rsplit_once(':') {
        (h.to_string(), p.to_string())
    } else if arg.bytes().all(|b| b.is_ascii_digit()) {
        ("*".to_string(), arg.to_string())
    } else {
        (arg.to_string(), "80".to_string())
    };
    let family = if addr.starts_with('[') { "6" } else { "4" };
    let addr = if addr == "[::]" || addr == "0.0.0.0" { "*".to_string() } else { addr };
    (format!("{module} {family} {port}"), addr, binds)
}

impl<'a> Checker<'a> {
    /// Runs once the whole configuration is read.
    pub(super) fn sizing(&mut self) {
        if !self.whole() {
            return;
        }
        let config = self.config;
        let files = self.files;
        let mut listening = Listening { sockets: Vec::new() };
        let mut worker_connections: Option<(usize, Span)> = None;
        let mut events: Option<Span> = None;
        let mut map_bucket: Option<String> = None;
        let mut names_bucket: Option<String> = None;
        // (map, its closing brace, key, key span)
        let mut entries: Vec<(Span, Span, Cow<[u8]>, Span)> = Vec::new();
        let mut hostname_maps: Vec<Span> = Vec::new();
        // (server, its sockets, its exact names)
        let mut http_servers: Vec<HttpServer> = Vec::new();
        // http servers by span, the first one with that span (a file included twice repeats
        // spans): the index `http_servers.iter().position(|e| e.0 == span)` would give.
        let mut server_at: rustc_hash::FxHashMap<Span, usize> = Default::default();
        config.walk(|doc, d, parents| {
            let src = files.bytes(config.docs[doc].file);
            let name = d.name.text_in(src, files.text(config.docs[doc].file));
            // Parents may sit in other files (an include inside a block).
            let parent = |i: usize| {
                let p = parents.len().checked_sub(i).and_then(|k| parents.get(k))?;
                Some(p.name.text_in(files.bytes(p.span.file), files.text(p.span.file)))
            };
            // Borrowed from the source: only listen and bucket sizes read them.
            let args = || d.args.iter().map(|w| w.text(src)).collect::<Vec<_>>();
            match (name.as_ref(), parent(1).as_deref(), parent(2).as_deref()) {
                ("events", None, _) => events = Some(d.name.span),
                ("worker_connections", Some("events"), _) => {
                    if let Some(n) = args().first().and_then(|v| v.parse::<usize>().ok()) {
                        worker_connections = Some((n, d.span));
                    }
                }
                ("listen", Some("server"), Some(module @ ("http" | "stream" | "mail"))) => {
                    let a = args();
                    if let Some(first) = a.first() {
                        let socket = socket_of(module, first, &a[1..]);
                        if let (Some(server), "http") = (parents.last(), module) {
                            if let Some(&k) = server_at.get(&server.span) {
                                http_servers[k].1.push(format!("{} {}", socket.0, socket.1));
                            }
                        }
                        listening.sockets.push(socket);
                    }
                }
                ("server", Some("http"), _) if d.block().is_some() => {
                    server_at.entry(d.span).or_insert(http_servers.len());
                    http_servers.push((d.span, Vec::new(), Vec::new()));
                }
                ("map_hash_bucket_size", Some("http"), _) => map_bucket = args().first().map(|a| a.to_string()),
                ("server_names_hash_bucket_size", Some("http"), _) => names_bucket = args().first().map(|a| a.to_string()),
                (_, Some("map"), Some("http")) => {
                    if let Some(m) = parents.last() {
                        let key = d.name.value(src);
                        if d.args.is_empty() && &*key == b"hostnames" {
                            hostname_maps.push(m.span);
                        }
                        let special = d.args.is_empty() && matches!(&*key, b"hostnames" | b"volatile") || matches!(&*key, b"default" | b"include") && d.args.len() == 1;
                        if !special && key.first() != Some(&b'~') {
                            entries.push((m.span, m.block().and_then(|b| b.close).unwrap_or(m.span), key, d.name.span));
                        }
                    }
                }
                ("server_name", Some("server"), Some("http")) => {
                    let Some(&k) = parents.last().and_then(|p| server_at.get(&p.span)) else { return };
                    let e = &mut http_servers[k];
                    for w in &d.args {
                        let n = match w.text(src) {
                            t if t.bytes().any(|b| b.is_ascii_uppercase()) => Cow::Owned(t.to_ascii_lowercase()),
                            t => t,
                        };
                        // Wildcard and regex names go to other hashes.
                        if !(n.starts_with('*') || n.starts_with('.') || n.ends_with('*') || n.starts_with('~') || n.is_empty()) {
                            e.2.push((n, w.span));
                        }
                    }
                }
                _ => {}
            }
        });
        // A server without any listen listens on *:80.
        let default = socket_of("http", "80", &[]);
        for s in &mut http_servers {
            if s.1.is_empty() {
                s.1.push(format!("{} {}", default.0, default.1));
                listening.sockets.push(default.clone());
            }
        }
        // nginx hashes server names only for addresses shared by several servers. (Servers per
        // socket counted once: asking every server about every socket is quadratic.)
        let mut servers_on: rustc_hash::FxHashMap<&str, usize> = Default::default();
        for s in &http_servers {
            let mut mine: Vec<&str> = s.1.iter().map(String::as_str).collect();
            mine.sort_unstable();
            mine.dedup();
            for sock in mine {
                *servers_on.entry(sock).or_insert(0) += 1;
            }
        }
        let shared = |sock: &String| servers_on.get(sock.as_str()).is_some_and(|&n| n > 1);
        let names: Vec<&(Cow<str>, Span)> = http_servers.iter().filter(|s| s.1.iter().any(shared)).flat_map(|s| s.2.iter()).collect();
        let map_size = bucket_size(map_bucket.as_deref());
        let mut reported: rustc_hash::FxHashSet<Span> = Default::default();
        let hostname_maps: rustc_hash::FxHashSet<Span> = hostname_maps.into_iter().collect();
        for (map, close, key, at) in entries {
            let wildcard = key.first() == Some(&b'*') || key.first() == Some(&b'.') || key.last() == Some(&b'*');
            if reported.contains(&map) || (wildcard && hostname_maps.contains(&map)) {
                continue;
            }
            let len = if key.first() == Some(&b'\\') { key.len() - 1 } else { key.len() };
            if bucket_need(len) > map_size {
                reported.insert(map);
                let mut diag = Diagnostic::new(codes::INVALID_VALUE, at, format!("could not build map_hash, you should increase map_hash_bucket_size: {map_size}"))
                    .with_phase(Phase::Read as u8)
                    .with_help(format!("a {len}-byte key needs a bucket of {} bytes: set `map_hash_bucket_size {};` in http", bucket_need(len), bucket_need(len).div_ceil(CACHE_LINE) * CACHE_LINE));
                // nginx builds the hash when the map block ends.
                diag.anchor = Some(close);
                self.emit(diag);
            }
        }
        let names_size = bucket_size(names_bucket.as_deref());
        if let Some((n, at)) = names.into_iter().find(|(n, _)| bucket_need(n.len()) > names_size) {
            let need = bucket_need(n.len());
            self.emit(
                Diagnostic::new(codes::INVALID_VALUE, *at, format!("could not build server_names_hash, you should increase server_names_hash_bucket_size: {names_size}"))
                    .with_phase(Phase::Servers as u8)
                    .with_help(format!("\"{n}\" needs a bucket of {need} bytes: set `server_names_hash_bucket_size {};` in http", need.div_ceil(CACHE_LINE) * CACHE_LINE)),
            );
        }
        let sockets = listening.count();
        // Unset, nginx uses 512 (reported at the events block).
        let (wc, at) = match (worker_connections, events) {
            (Some(w), _) => w,
            (None, Some(e)) => (512, e),
            (None, None) => return,
        };
        if wc < sockets + 1 {
            self.emit(
                Diagnostic::new(codes::INVALID_VALUE, at, format!("{wc} worker_connections are not enough for {sockets} listening sockets"))
                    .with_phase(Phase::Cycle as u8)
                    .with_help(format!("each listening socket takes a connection, plus one: set worker_connections to at least {}", sockets + 1)),
            );
        }
    }
}
