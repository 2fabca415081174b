//! The traffic model behind blast radius: which servers take requests on which sockets, how much
//! of the traffic each one plausibly serves, and which request shows a change.

use super::Policy;
use crate::diff::{Node, Tree};
use crate::model::{Model, ServerName};
use std::collections::BTreeMap;

/// Traffic shares of one side's servers.
pub struct Traffic {
    weights: Vec<f64>,
    total: f64,
}

/// A socket as routing sees it (`0.0.0.0:80`); a server without `listen` is on `*:80`.
pub fn sockets(model: &Model, server: usize) -> Vec<String> {
    let s = &model.servers[server];
    if s.listens.is_empty() {
        return vec!["0.0.0.0:80".to_string()];
    }
    let mut v: Vec<String> = s.listens.iter().map(|l| l.socket()).collect();
    v.sort();
    v.dedup();
    v
}

/// Every socket with the servers on it, in configuration order.
pub fn socket_map(model: &Model) -> BTreeMap<String, Vec<usize>> {
    let mut m: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..model.servers.len() {
        for s in sockets(model, i) {
            m.entry(s).or_default().push(i);
        }
    }
    m
}

/// One side's sockets, worked out once: questions per socket or per server then cost a lookup,
/// not a rebuild of the map (a configuration with thousands of sockets made that quadratic).
pub struct Sockets {
    /// Every socket with the servers on it, in configuration order.
    pub map: BTreeMap<String, Vec<usize>>,
    /// Per socket, the first server whose listen there is marked `default_server`.
    marked: BTreeMap<String, usize>,
}

impl Sockets {
    pub fn new(model: &Model) -> Sockets {
        let mut marked = BTreeMap::new();
        for (i, s) in model.servers.iter().enumerate() {
            for l in s.listens.iter().filter(|l| l.default_server) {
                marked.entry(l.socket()).or_insert(i);
            }
        }
        Sockets { map: socket_map(model), marked }
    }

    /// The server that takes requests for unknown hosts on `socket`: the one marked
    /// `default_server`, else the first.
    pub fn default_server(&self, socket: &str) -> Option<usize> {
        let on = self.map.get(socket)?;
        self.marked.get(socket).copied().or_else(|| on.first().copied())
    }

    /// Server `i` listens on `socket`.
    pub fn listens(&self, socket: &str, i: usize) -> bool {
        // Servers are pushed in index order: sorted.
        self.map.get(socket).is_some_and(|on| on.binary_search(&i).is_ok())
    }
}

/// Where server `i` listens on `socket` (its `listen`, else the `server` block itself).
pub fn listen_span(model: &Model, i: usize, socket: &str) -> Option<crate::Span> {
    let s = model.servers.get(i)?;
    s.listens.iter().find(|l| l.socket() == socket).map(|l| l.span).or(Some(s.span))
}

/// The http server blocks of a tree by model index.
pub fn server_nodes<'t, 's>(tree: &'t Tree<'s>) -> BTreeMap<usize, &'t Node<'s>> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<&Node> = tree.items.iter().collect();
    while let Some(n) = stack.pop() {
        if let Some(i) = n.server_index() {
            out.insert(i, n);
            continue;
        }
        if n.name == "http" || n.name == "server" || n.is_block() {
            stack.extend(n.children());
        }
    }
    out
}

/// The status of a server-level `return`: such a server answers everything the same way.
fn server_return(n: &Node) -> Option<u16> {
    n.children().iter().find(|c| c.name == "return" && !c.is_block()).and_then(|c| c.args.first()).and_then(|a| a.parse::<u16>().ok())
}

/// A server that only refuses (`return 444`/4xx): a catch-all with little real traffic.
fn refuses(n: &Node) -> bool {
    server_return(n).is_some_and(|code| code == 444 || (400..500).contains(&code))
}

/// A server that only redirects (typically http -> https): one cheap request per visit.
fn redirects(n: &Node) -> bool {
    server_return(n).is_some_and(|code| (301..=308).contains(&code))
}

impl Traffic {
    pub fn new(model: &Model, tree: &Tree, policy: &Policy) -> Traffic {
        let nodes = server_nodes(tree);
        let weights: Vec<f64> = (0..model.servers.len())
            .map(|i| {
                let named = model.servers[i].names.iter().find_map(|n| match n {
                    ServerName::Exact(h) => policy.traffic.get(h).copied(),
                    _ => None,
                });
                match named {
                    Some(w) => w.max(0.0),
                    None if nodes.get(&i).is_some_and(|n| refuses(n)) => 0.1,
                    None if nodes.get(&i).is_some_and(|n| redirects(n)) => 0.25,
                    None => 1.0,
                }
            })
            .collect();
        let total = weights.iter().sum::<f64>();
        Traffic { weights, total }
    }

    /// Fraction of all http requests server `i` serves.
    pub fn server(&self, i: usize) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        self.weights.get(i).copied().unwrap_or(0.0) / self.total
    }

    pub fn servers(&self, list: &[usize]) -> f64 {
        list.iter().map(|&i| self.server(i)).sum::<f64>().min(1.0)
    }
}

/// The share of a server's requests a location takes: `/` takes them all, others half.
pub fn location_share(location: Option<&[String]>) -> f64 {
    match location {
        None => 1.0,
        Some([m, p]) if m.is_empty() && p == "/" => 1.0,
        Some(_) => 0.5,
    }
}

/// A curl request that shows how server `i` (and optionally a location) answers.
pub fn curl(model: &Model, i: usize, location: Option<&[String]>) -> String {
    curl_host(model, i, location, None)
}

/// [`curl`] with another Host (e.g. a name the server lost).
pub fn curl_host(model: &Model, i: usize, location: Option<&[String]>, host: Option<&str>) -> String {
    let Some(s) = model.servers.get(i) else { return String::new() };
    let host = host.map(str::to_string).unwrap_or_else(|| s
        .names
        .iter()
        .find_map(|n| match n {
            ServerName::Exact(h) if !h.is_empty() && h != "_" => Some(h.clone()),
            ServerName::Prefix { suffix, .. } => Some(format!("www{suffix}")),
            _ => None,
        })
        .unwrap_or_else(|| "localhost".to_string()));
    let listen = s.listens.first();
    let port = listen.map_or(80, |l| l.port);
    let ssl = listen.is_some_and(|l| l.ssl);
    let uri = match location {
        Some([m, p]) if (m.is_empty() || m == "=" || m == "^~") && p.starts_with('/') => p.clone(),
        _ => "/".to_string(),
    };
    let scheme = if ssl { "https" } else { "http" };
    let addr = match listen.map(|l| l.addr.as_str()) {
        Some("0.0.0.0") | None => "127.0.0.1".to_string(),
        Some("[::]") => "[::1]".to_string(),
        Some(a) => a.to_string(),
    };
    format!("curl -sS -o /dev/null -w '%{{http_code}} %{{redirect_url}}\\n' --resolve {host}:{port}:{addr} {scheme}://{host}:{port}{uri}")
}
