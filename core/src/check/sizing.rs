//! What nginx sizes once everything is read: hash buckets for exact map keys and server names
//! (`ngx_hash_init`), and enough connections for the listening sockets (`ngx_event_init_conf`).
//!
//! Both refuse the configuration (`[emerg]`), and both are typical of generated configs: a long
//! key or host name, a template that renders `worker_connections` too low.

use super::{codes, Checker, Phase};
use crate::report::Diagnostic;
use crate::source::Span;
use crate::spec::Context;
use crate::syntax::{Directive, Node};
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

/// An http server: its span, its sockets (indices into [`Listening::sockets`]) and its exact
/// names.
type HttpServer<'a> = (Span, Vec<usize>, Vec<(Cow<'a, str>, Span)>);

/// A listening socket, borrowed from the `listen` argument.
#[derive(Clone)]
struct Socket<'a> {
    module: &'static str,
    /// "4", "6", or "unix" (then `port` is the whole path).
    family: &'static str,
    port: Cow<'a, str>,
    addr: Cow<'a, str>,
    /// Binds its own socket (not taken by a wildcard listen on the same port).
    binds: bool,
}

impl Socket<'_> {
    /// Sockets with equal keys are one socket.
    fn key(&self) -> (&str, &str, &str, &str) {
        (self.module, self.family, &self.port, &self.addr)
    }
}

#[derive(Default)]
struct Listening<'a> {
    sockets: Vec<Socket<'a>>,
}

impl Listening<'_> {
    /// Sockets nginx opens: per port and family, a wildcard listen takes every address that
    /// does not ask for its own `bind`.
    fn count(&self) -> usize {
        // Sorted by (group, address): one pass over runs, not a filter per group.
        let mut all: Vec<((&str, &str, &str), &str, bool)> =
            self.sockets.iter().map(|s| ((s.module, s.family, &*s.port), &*s.addr, s.binds)).collect();
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

fn socket_of<'a>(module: &'static str, arg: Cow<'a, str>, params: &[Cow<str>]) -> Socket<'a> {
    let binds = params.iter().any(|p| BINDING.iter().any(|b| if b.ends_with('=') { p.starts_with(b) } else { p == b }));
    match arg {
        Cow::Borrowed(a) => socket_in(module, a, binds),
        Cow::Owned(a) => {
            let s = socket_in(module, &a, binds);
            Socket { port: Cow::Owned(s.port.into_owned()), addr: Cow::Owned(s.addr.into_owned()), ..s }
        }
    }
}

fn socket_in<'a>(module: &'static str, arg: &'a str, binds: bool) -> Socket<'a> {
    if arg.starts_with("unix:") {
        return Socket { module, family: "unix", port: Cow::Borrowed(arg), addr: Cow::Borrowed(arg), binds: true };
    }
    let (addr, port) = if let Some(rest) = arg.strip_prefix('[') {
        match rest.split_once(']') {
            // `[h]`, brackets kept.
            Some((h, tail)) => (&arg[..h.len() + 2], tail.strip_prefix(':').unwrap_or("80")),
            None => (arg, "80"),
        }
    } else if let Some((h, p)) = arg.rsplit_once(':') {
        (h, p)
    } else if arg.bytes().all(|b| b.is_ascii_digit()) {
        ("*", arg)
    } else {
        (arg, "80")
    };
    let family = if addr.starts_with('[') { "6" } else { "4" };
    let addr = if addr == "[::]" || addr == "0.0.0.0" { "*" } else { addr };
    Socket { module, family, port: Cow::Borrowed(port), addr: Cow::Borrowed(addr), binds }
}

/// What the sizing checks collect while the checker reads the configuration (one walk, not a
/// second one over the whole tree once it is read).
#[derive(Default)]
pub(super) struct Sizes<'a> {
    listening: Listening<'a>,
    worker_connections: Option<(usize, Span)>,
    events: Option<Span>,
    map_bucket: Option<String>,
    names_bucket: Option<String>,
    /// (map, its closing brace, key, key span)
    entries: Vec<(Span, Span, Cow<'a, [u8]>, Span)>,
    hostname_maps: Vec<Span>,
    /// The http servers in reading order; the last one is the server being read.
    http_servers: Vec<HttpServer<'a>>,
}

impl<'a> Checker<'a> {
    /// Notes what sizing needs from a directive the checker accepted in `ctx` (known, allowed
    /// there, with a valid argument count). Only whole configurations are sized.
    pub(super) fn size_facts(&mut self, doc: usize, d: &'a Directive, name: &str, ctx: Context, incl_depth: usize) {
        if !self.whole() {
            return;
        }
        let src = self.src(doc);
        let arg = |i: usize| d.args.get(i).map(|w| w.text(src));
        let sizes = &mut self.sizes;
        match (name, ctx) {
            ("events", Context::Main) => sizes.events = Some(d.name.span),
            ("worker_connections", Context::Events) => {
                if let Some(n) = arg(0).and_then(|v| v.parse::<usize>().ok()) {
                    sizes.worker_connections = Some((n, d.span));
                }
            }
            ("listen", Context::Server | Context::StreamServer | Context::MailServer) => {
                let module = match ctx {
                    Context::Server => "http",
                    Context::StreamServer => "stream",
                    _ => "mail",
                };
                if let Some(first) = arg(0) {
                    let params: Vec<Cow<str>> = d.args[1..].iter().map(|w| w.text(src)).collect();
                    let socket = socket_of(module, first, &params);
                    if ctx == Context::Server {
                        if let Some(server) = sizes.http_servers.last_mut() {
                            server.1.push(sizes.listening.sockets.len());
                        }
                    }
                    sizes.listening.sockets.push(socket);
                }
            }
            ("server", Context::Http) if d.block().is_some() => sizes.http_servers.push((d.span, Vec::new(), Vec::new())),
            ("map_hash_bucket_size", Context::Http) => sizes.map_bucket = arg(0).map(Cow::into_owned),
            ("server_names_hash_bucket_size", Context::Http) => sizes.names_bucket = arg(0).map(Cow::into_owned),
            ("map", Context::Http) => self.map_keys(doc, d, incl_depth),
            ("server_name", Context::Server) => {
                let Some(server) = sizes.http_servers.last_mut() else { return };
                for w in &d.args {
                    let n = crate::syntax::ascii_lowercase(w.text(src));
                    // Wildcard and regex names go to other hashes.
                    if !(n.starts_with('*') || n.starts_with('.') || n.ends_with('*') || n.starts_with('~') || n.is_empty()) {
                        server.2.push((n, w.span));
                    }
                }
            }
            _ => {}
        }
    }

    /// The exact keys of an http `map`, in reading order (its includes at their place).
    fn map_keys(&mut self, doc: usize, map: &'a Directive, incl_depth: usize) {
        let Some(block) = map.block() else { return };
        let close = block.close.unwrap_or(map.span);
        let mut stack: Vec<(usize, std::slice::Iter<'a, Node>, usize)> = vec![(doc, block.items.iter(), incl_depth)];
        while let Some((doc, items, depth)) = stack.last_mut() {
            let (doc, depth) = (*doc, *depth);
            let Some(node) = items.next() else {
                stack.pop();
                continue;
            };
            let Node::Directive(e) = node else { continue };
            let src = self.src(doc);
            let key = e.name.value(src);
            if e.args.is_empty() && &*key == b"hostnames" {
                self.sizes.hostname_maps.push(map.span);
            }
            let special = e.args.is_empty() && matches!(&*key, b"hostnames" | b"volatile") || matches!(&*key, b"default" | b"include") && e.args.len() == 1;
            if !special && key.first() != Some(&b'~') {
                self.sizes.entries.push((map.span, close, key, e.name.span));
            }
            if let Some(inc) = self.config.include_at(doc, e) {
                if depth < crate::include::MAX_INCLUDE_DEPTH {
                    // Reversed onto the stack: the first target is read first.
                    for &t in inc.targets.iter().rev() {
                        if !inc.cyclic.contains(&t) {
                            stack.push((t, self.config.docs[t].doc.items.iter(), depth + 1));
                        }
                    }
                }
            }
        }
    }

    /// Runs once the whole configuration is read.
    pub(super) fn sizing(&mut self) {
        if !self.whole() {
            return;
        }
        let Sizes { mut listening, worker_connections, events, map_bucket, names_bucket, entries, hostname_maps, mut http_servers } =
            std::mem::take(&mut self.sizes);
        // A server without any listen listens on *:80.
        let default = socket_in("http", "80", false);
        for s in &mut http_servers {
            if s.1.is_empty() {
                s.1.push(listening.sockets.len());
                listening.sockets.push(default.clone());
            }
        }
        // nginx hashes server names only for addresses shared by several servers. (Servers per
        // socket counted once: asking every server about every socket is quadratic.)
        let sockets = &listening.sockets;
        let mut servers_on: rustc_hash::FxHashMap<(&str, &str, &str, &str), usize> = Default::default();
        for s in &http_servers {
            let mut mine: Vec<_> = s.1.iter().map(|&i| sockets[i].key()).collect();
            mine.sort_unstable();
            mine.dedup();
            for sock in mine {
                *servers_on.entry(sock).or_insert(0) += 1;
            }
        }
        let shared = |&i: &usize| servers_on.get(&sockets[i].key()).is_some_and(|&n| n > 1);
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
