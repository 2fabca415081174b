//! Which server and location serve a request, by nginx's algorithm:
//!
//! - **socket**: servers listening on the request's port, on its exact address if any server
//!   binds that address, else on the wildcard address; a server without `listen` is on `*:80`;
//! - **server** (`ngx_http_find_virtual_server`): exact name, then the longest `*.`/`.` wildcard,
//!   then the longest `.*` wildcard, then the first matching regex (caseless) in order, else the
//!   socket's default server (`default_server`, else the first server on the socket);
//! - **location** (`ngx_http_core_find_location`, per level, recursively): an exact `=` match
//!   stops; otherwise the longest prefix is remembered and its nested locations searched (a match
//!   that stops there stops everything); then, unless that prefix is `^~`, regexes in order of
//!   appearance (the first match wins and its nested locations are searched); else the prefix.
//!
//! URIs are normalised as nginx does before matching (query removed, `%XX` decoded, `//` merged,
//! `.`/`..` resolved).

use super::{Location, Model, Modifier, Server, ServerName};
use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;
use serde::Serialize;

/// A request to route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Local address the request arrived on (`127.0.0.1`, `::1`), or `*` for "any address".
    pub addr: String,
    pub port: u16,
    /// The Host header (port and trailing dot are ignored, as nginx does).
    pub host: String,
    pub uri: String,
}

/// How the server was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerMatch {
    ExactName,
    WildcardPrefix,
    WildcardSuffix,
    Regex,
    DefaultServer,
}

/// The routing decision, with indices into the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// Index into `Model::servers`; None when nothing listens on the socket.
    pub server: Option<usize>,
    pub server_match: Option<ServerMatch>,
    /// The matched locations from outermost to innermost (empty: the server's own settings).
    pub locations: Vec<Vec<usize>>,
    /// The URI as nginx matches it.
    pub normalized_uri: String,
    /// Things that limit the answer (patterns this engine cannot evaluate, bad URIs).
    pub notes: Vec<String>,
}

impl Route {
    /// The innermost matched location.
    pub fn location<'m>(&self, model: &'m Model) -> Option<&'m Location> {
        let server = &model.servers[self.server?];
        let path = self.locations.last()?;
        location_at(&server.locations, path)
    }
}

/// The location at an index path (`[2, 0]` = first child of the third top-level location).
pub fn location_at<'m>(locations: &'m [Location], path: &[usize]) -> Option<&'m Location> {
    let (&first, rest) = path.split_first()?;
    let mut l = locations.get(first)?;
    for &i in rest {
        l = l.children.get(i)?;
    }
    Some(l)
}

/// nginx's URI normalisation; Err for a URI nginx answers with 400.
pub fn normalize_uri(uri: &str) -> Result<String, String> {
    normalize_uri_bytes(uri).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The normalised URI as bytes (what nginx matches locations against).
pub fn normalize_uri_bytes(uri: &str) -> Result<Vec<u8>, String> {
    let path = uri.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(format!("URI \"{uri}\" does not start with \"/\""));
    }
    let bytes = path.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex);
            let lo = bytes.get(i + 2).copied().and_then(hex);
            match (hi, lo) {
                (Some(h), Some(l)) if h * 16 + l != 0 => {
                    decoded.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => return Err(format!("URI \"{uri}\" has an invalid %-escape")),
            }
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    let trailing = decoded.ends_with(b"/") || decoded.ends_with(b"/.") || decoded.ends_with(b"/..");
    let mut out: Vec<&[u8]> = Vec::new();
    for seg in decoded.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                if out.pop().is_none() {
                    return Err(format!("URI \"{uri}\" goes above the root"));
                }
            }
            s => out.push(s),
        }
    }
    let mut n = Vec::with_capacity(decoded.len() + 1);
    for seg in &out {
        n.push(b'/');
        n.extend_from_slice(seg);
    }
    if n.is_empty() || (trailing && n != b"/") {
        n.push(b'/');
    }
    Ok(n)
}

/// nginx matches regexes on bytes: map each byte to one char so `.` is one byte.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// ngx_http_validate_host: Err for a Host nginx answers with 400.
fn validate_host(host: &str) -> Result<(), String> {
    let mut prev = 0u8;
    for &b in host.as_bytes() {
        if matches!(b, b'/' | b'\\' | 0) || (b == b'.' && prev == b'.') {
            return Err(format!("Host \"{host}\" is invalid: nginx answers 400"));
        }
        prev = b;
    }
    Ok(())
}

fn normalize_host(host: &str) -> String {
    let h = host.trim().to_ascii_lowercase();
    let h = if let Some(rest) = h.strip_prefix('[') {
        format!("[{}", rest.split(']').next().unwrap_or("")) + "]"
    } else {
        h.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map(|(h, _)| h.to_string()).unwrap_or(h)
    };
    h.trim_end_matches('.').to_string()
}

/// The servers (indices, in configuration order) with a `listen` on each port; a server without
/// `listen` is under port 80. Only these can be on a socket of that port.
fn servers_by_port(model: &Model) -> FxHashMap<u16, Vec<usize>> {
    let mut by_port: FxHashMap<u16, Vec<usize>> = Default::default();
    let mut add = |port: u16, i: usize| {
        let v = by_port.entry(port).or_default();
        if v.last() != Some(&i) {
            v.push(i);
        }
    };
    for (i, s) in model.servers.iter().enumerate() {
        if s.listens.is_empty() {
            add(80, i);
        }
        for l in &s.listens {
            add(l.port, i);
        }
    }
    by_port
}

/// Servers (indices, in configuration order) that listen where the request arrived, and the
/// default server among them. `candidates` are the servers listening on the request's port (see
/// [`servers_by_port`]), in configuration order.
fn socket_servers(model: &Model, candidates: &[usize], req: &Request) -> (Vec<usize>, Option<usize>) {
    let v6 = req.addr.contains(':');
    let req_addr = if v6 && !req.addr.starts_with('[') { format!("[{}]", req.addr) } else { req.addr.clone() };
    let default_listen = |s: &Server| s.listens.is_empty();
    let on = |s: &Server, exact: bool| -> Option<bool> {
        if default_listen(s) {
            return (!exact && req.port == 80 && !v6).then_some(false);
        }
        s.listens
            .iter()
            .filter(|l| l.port == req.port)
            .filter(|l| if exact { l.addr == req_addr } else { l.is_wildcard() && (l.addr == "[::]") == v6 })
            .map(|l| l.default_server)
            .reduce(|a, b| a || b)
    };
    let exact_bound = req.addr != "*" && candidates.iter().any(|&i| on(&model.servers[i], true).is_some());
    let mut servers = Vec::new();
    let mut default = None;
    for &i in candidates {
        if let Some(is_default) = on(&model.servers[i], exact_bound) {
            servers.push(i);
            if is_default && default.is_none() {
                default = Some(i);
            }
        }
    }
    let default = default.or_else(|| servers.first().copied());
    (servers, default)
}

fn regex(pattern: &str, caseless: bool) -> Result<regex_lite::Regex, String> {
    let p = if caseless { format!("(?i){pattern}") } else { pattern.to_string() };
    regex_lite::Regex::new(&p).map_err(|_| format!("the regex \"{pattern}\" uses syntax this router cannot evaluate (e.g. look-around); treated as not matching"))
}

/// The names of a socket's servers as nginx hashes them: first registration wins, and a name
/// that conflicts (exact or wildcard) with an earlier one is dropped ("conflicting server name
/// ..., ignored"); `.x` registers both `x` and `*.x`, so either conflict drops it whole. A server
/// without `server_name` has the name `""`.
struct NameTables {
    /// By name (names are unique: first registration wins).
    exact: FxHashMap<String, usize>,
    prefix: Vec<(String, usize)>,
    suffix: Vec<(String, usize)>,
    regex: Vec<(String, usize)>,
}

fn name_tables(model: &Model, servers: &[usize]) -> NameTables {
    let mut t = NameTables { exact: Default::default(), prefix: Vec::new(), suffix: Vec::new(), regex: Vec::new() };
    // What each table holds, for the "first registration wins" test (a scan per name made a
    // socket of thousands of servers quadratic).
    let (mut prefix, mut suffix): (FxHashSet<&str>, FxHashSet<&str>) = Default::default();
    let implicit = [ServerName::Exact(String::new())];
    for &i in servers {
        let names: &[ServerName] = if model.servers[i].names.is_empty() { &implicit } else { &model.servers[i].names };
        for n in names {
            match n {
                ServerName::Exact(e) => {
                    if !t.exact.contains_key(e) {
                        t.exact.insert(e.clone(), i);
                    }
                }
                ServerName::Prefix { suffix: sfx, dot_form } => {
                    let bare = &sfx[1..];
                    if prefix.contains(sfx.as_str()) || (*dot_form && t.exact.contains_key(bare)) {
                        continue;
                    }
                    prefix.insert(sfx);
                    t.prefix.push((sfx.clone(), i));
                    if *dot_form {
                        t.exact.insert(bare.to_string(), i);
                    }
                }
                ServerName::Suffix(p) => {
                    if suffix.insert(p) {
                        t.suffix.push((p.clone(), i));
                    }
                }
                ServerName::Regex(r) => t.regex.push((r.clone(), i)),
            }
        }
    }
    t
}

/// Routes requests through one model. Callers that ask many questions (a rule cross-checking
/// thousands of proofs) keep one: each socket's servers and name table, each location level's
/// exact and prefix index (nginx's static location tree, in effect) and every compiled regex are
/// worked out once, so a request costs a few lookups rather than a scan of every server and
/// location. [`route`] is a router for one request.
pub struct Router<'m> {
    model: &'m Model,
    sockets: FxHashMap<(String, u16), Rc<Socket>>,
    /// [`servers_by_port`], built on the first socket asked about.
    by_port: Option<FxHashMap<u16, Vec<usize>>>,
    /// By the address of a level's first location.
    levels: FxHashMap<usize, Rc<LevelIndex<'m>>>,
    /// By the address of the location, or the server-name pattern.
    location_regexes: FxHashMap<usize, Result<regex_lite::Regex, String>>,
    name_regexes: FxHashMap<String, Result<regex_lite::Regex, String>>,
}

struct Socket {
    default: Option<usize>,
    names: NameTables,
}

struct LevelIndex<'m> {
    /// The first exact location of each pattern.
    exact: FxHashMap<&'m [u8], usize>,
    /// The first prefix (or `^~`) location of each pattern, and the distinct lengths, longest
    /// first.
    prefix: FxHashMap<&'m [u8], usize>,
    prefix_lens: Vec<usize>,
    regexes: Vec<usize>,
}

impl<'m> LevelIndex<'m> {
    fn new(locs: &'m [Location]) -> LevelIndex<'m> {
        let mut idx = LevelIndex { exact: Default::default(), prefix: Default::default(), prefix_lens: Vec::new(), regexes: Vec::new() };
        for (i, l) in locs.iter().enumerate() {
            match l.modifier {
                Modifier::Exact => {
                    idx.exact.entry(l.pattern.as_bytes()).or_insert(i);
                }
                Modifier::Prefix | Modifier::PrefixNoRegex => {
                    idx.prefix.entry(l.pattern.as_bytes()).or_insert(i);
                    idx.prefix_lens.push(l.pattern.len());
                }
                Modifier::Regex | Modifier::RegexCaseless => idx.regexes.push(i),
                Modifier::Named => {}
            }
        }
        idx.prefix_lens.sort_unstable_by(|a, b| b.cmp(a));
        idx.prefix_lens.dedup();
        idx
    }
}

impl<'m> Router<'m> {
    pub fn new(model: &'m Model) -> Router<'m> {
        Router { model, sockets: Default::default(), by_port: None, levels: Default::default(), location_regexes: Default::default(), name_regexes: Default::default() }
    }

    /// Routes a request.
    pub fn route(&mut self, req: &Request) -> Route {
        let mut notes = Vec::new();
        let uri = match normalize_uri_bytes(&req.uri) {
            Ok(u) => u,
            Err(e) => {
                notes.push(format!("{e}: nginx answers 400"));
                return Route { server: None, server_match: None, locations: Vec::new(), normalized_uri: String::new(), notes };
            }
        };
        let normalized_uri = String::from_utf8_lossy(&uri).into_owned();
        if let Err(e) = validate_host(&req.host) {
            notes.push(e);
            return Route { server: None, server_match: None, locations: Vec::new(), normalized_uri, notes };
        }
        let socket = self.socket(req);
        let host = normalize_host(&req.host);
        let chosen = self.find_server(&socket, &host, &mut notes).or(socket.default.map(|d| (d, ServerMatch::DefaultServer)));
        let Some((server, how)) = chosen else {
            notes.push(format!("no server listens on {}:{}: the connection is refused", req.addr, req.port));
            return Route { server: None, server_match: None, locations: Vec::new(), normalized_uri, notes };
        };
        let mut chain = Vec::new();
        let model = self.model;
        self.find_location(&model.servers[server].locations, &uri, false, &mut Vec::new(), &mut chain, &mut notes);
        notes.sort();
        notes.dedup();
        Route { server: Some(server), server_match: Some(how), locations: chain, normalized_uri, notes }
    }

    fn socket(&mut self, req: &Request) -> Rc<Socket> {
        let model = self.model;
        let by_port = &mut self.by_port;
        self.sockets
            .entry((req.addr.clone(), req.port))
            .or_insert_with(|| {
                let candidates = by_port.get_or_insert_with(|| servers_by_port(model)).get(&req.port).map_or(&[][..], Vec::as_slice);
                let (servers, default) = socket_servers(model, candidates, req);
                let names = name_tables(model, &servers);
                Rc::new(Socket { default, names })
            })
            .clone()
    }

    fn find_server(&mut self, socket: &Socket, host: &str, notes: &mut Vec<String>) -> Option<(usize, ServerMatch)> {
        let t = &socket.names;
        if let Some(&i) = t.exact.get(host) {
            return Some((i, ServerMatch::ExactName));
        }
        if host.is_empty() {
            // Without a Host only the name "" matches; wildcards and regexes are not tried.
            return None;
        }
        if let Some((_, i)) = t.prefix.iter().filter(|(s, _)| host.ends_with(s.as_str())).max_by_key(|(s, _)| s.len()) {
            return Some((*i, ServerMatch::WildcardPrefix));
        }
        if let Some((_, i)) = t.suffix.iter().filter(|(p, _)| host.starts_with(p.as_str())).max_by_key(|(p, _)| p.len()) {
            return Some((*i, ServerMatch::WildcardSuffix));
        }
        for (r, i) in &t.regex {
            match self.name_regexes.entry(r.clone()).or_insert_with(|| regex(r, true)) {
                Ok(re) if re.is_match(host) => return Some((*i, ServerMatch::Regex)),
                Ok(_) => {}
                Err(e) => notes.push(e.clone()),
            }
        }
        None
    }

    /// One level of ngx_http_core_find_location. Returns true when the search stops (an exact
    /// match, or a regex match at some level).
    fn find_location(
        &mut self,
        locs: &'m [Location],
        uri: &[u8],
        regex_parent: bool,
        path: &mut Vec<usize>,
        chain: &mut Vec<Vec<usize>>,
        notes: &mut Vec<String>,
    ) -> bool {
        if locs.is_empty() {
            return false;
        }
        let idx = self.levels.entry(locs.as_ptr() as usize).or_insert_with(|| Rc::new(LevelIndex::new(locs))).clone();
        let mut best: Option<usize> = None;
        // nginx builds no static location tree under a regex location.
        if !regex_parent {
            if let Some(&i) = idx.exact.get(uri) {
                path.push(i);
                chain.push(path.clone());
                path.pop();
                return true;
            }
            best = idx.prefix_lens.iter().filter(|&&n| n <= uri.len()).find_map(|&n| idx.prefix.get(&uri[..n]).copied());
        }
        let depth = chain.len();
        let mut noregex = false;
        if let Some(b) = best {
            path.push(b);
            chain.push(path.clone());
            noregex = locs[b].modifier == Modifier::PrefixNoRegex;
            let stop = self.find_location(&locs[b].children, uri, false, path, chain, notes);
            path.pop();
            if stop {
                return true;
            }
        }
        if noregex {
            return false;
        }
        let text = latin1(uri);
        for &i in &idx.regexes {
            let l = &locs[i];
            let compiled = self
                .location_regexes
                .entry(l as *const Location as usize)
                .or_insert_with(|| regex(&latin1(l.pattern.as_bytes()), l.modifier == Modifier::RegexCaseless));
            match compiled {
                Ok(re) if re.is_match(&text) => {
                    chain.truncate(depth);
                    path.push(i);
                    chain.push(path.clone());
                    self.find_location(&l.children, uri, true, path, chain, notes);
                    path.pop();
                    return true;
                }
                Ok(_) => {}
                Err(e) => notes.push(e.clone()),
            }
        }
        false
    }
}

/// Routes a request through the model.
pub fn route(model: &Model, req: &Request) -> Route {
    Router::new(model).route(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, Options, SourceSet};

    fn model(http: &str) -> Model {
        let mut files = SourceSet::new();
        let main = files.add("/t/nginx.conf", format!("events {{}}\nhttp {{\n{http}\n}}\n"));
        let a = analyze(&files, main, &Options::default());
        super::super::build(&files, a.config())
    }

    fn req(host: &str, uri: &str) -> Request {
        Request { addr: "127.0.0.1".into(), port: 80, host: host.into(), uri: uri.into() }
    }

    /// The innermost location's label for a request.
    fn loc(m: &Model, host: &str, uri: &str) -> String {
        let r = route(m, &req(host, uri));
        r.location(m).map(|l| l.label()).unwrap_or_else(|| "(server)".into())
    }

    #[test]
    fn location_selection_follows_nginx() {
        let m = model(
            r#"server { listen 80;
                location = / { }
                location / { }
                location /documents/ { }
                location ^~ /images/ { }
                location ~* \.(gif|jpg|jpeg)$ { }
                location /a/ { location /a/b/ { } location ~ \.php$ { } }
                location ~ ^/a/ { }
            }"#,
        );
        // The examples of nginx's `location` documentation.
        assert_eq!(loc(&m, "x", "/"), "location = /");
        assert_eq!(loc(&m, "x", "/index.html"), "location /");
        assert_eq!(loc(&m, "x", "/documents/document.html"), "location /documents/");
        assert_eq!(loc(&m, "x", "/images/1.gif"), "location ^~ /images/");
        assert_eq!(loc(&m, "x", "/documents/1.jpg"), "location ~* \\.(gif|jpg|jpeg)$");
        // Nested: a nested regex match stops the search; otherwise outer regexes still apply.
        assert_eq!(loc(&m, "x", "/a/x.php"), "location ~ \\.php$");
        assert_eq!(loc(&m, "x", "/a/b/c"), "location ~ ^/a/");
        // Normalisation before matching.
        assert_eq!(loc(&m, "x", "/images/../documents/%61.html?x=1"), "location /documents/");
        assert_eq!(route(&m, &req("x", "/../etc")).server, None);
    }

    #[test]
    fn server_selection_follows_nginx() {
        let m = model(
            r#"server { listen 80; server_name _; }
               server { listen 80 default_server; server_name default.test; }
               server { listen 80; server_name example.org www.example.org; }
               server { listen 80; server_name *.example.org; }
               server { listen 80; server_name .sub.example.org; }
               server { listen 80; server_name mail.*; }
               server { listen 80; server_name ~^(?<user>.+)\.example\.net$; }
               server { listen 127.0.0.1:80; server_name bound.test; }
               server { listen 8080; }"#,
        );
        let pick = |addr: &str, port: u16, host: &str| {
            let r = route(&m, &Request { addr: addr.into(), port, host: host.into(), uri: "/".into() });
            (r.server, r.server_match)
        };
        let any = "10.0.0.1";
        assert_eq!(pick(any, 80, "WWW.Example.org:80"), (Some(2), Some(ServerMatch::ExactName)));
        assert_eq!(pick(any, 80, "a.b.example.org"), (Some(3), Some(ServerMatch::WildcardPrefix)));
        // `.sub.example.org` registers `sub.example.org` as an exact name too.
        assert_eq!(pick(any, 80, "sub.example.org"), (Some(4), Some(ServerMatch::ExactName)));
        assert_eq!(pick(any, 80, "x.sub.example.org"), (Some(4), Some(ServerMatch::WildcardPrefix)));
        assert_eq!(pick(any, 80, "mail.example.com"), (Some(5), Some(ServerMatch::WildcardSuffix)));
        assert_eq!(pick(any, 80, "joe.example.net"), (Some(6), Some(ServerMatch::Regex)));
        assert_eq!(pick(any, 80, "unknown.test"), (Some(1), Some(ServerMatch::DefaultServer)));
        // An exact address binding takes the connection: only its servers are candidates.
        assert_eq!(pick("127.0.0.1", 80, "example.org"), (Some(7), Some(ServerMatch::DefaultServer)));
        assert_eq!(pick(any, 8080, "example.org"), (Some(8), Some(ServerMatch::DefaultServer)));
        assert_eq!(pick(any, 81, "example.org"), (None, None));
    }

    #[test]
    fn behaviours_found_against_live_nginx() {
        // Each case disagreed with nginx 1.22.1 serving on loopback (tests/tests/routing_live.rs).
        let m = model("server { listen 80; server_name a.test; } server { listen 80; } server { listen 80 default_server; server_name c.test; }");
        assert_eq!(route(&m, &req("", "/")).server, Some(1), "a server without server_name is named \"\"");
        let m = model("server { listen 80; server_name a.test; } server { listen 80; server_name ~^.*$; }");
        assert_eq!(route(&m, &req("", "/")).server, Some(0), "no regex names without a Host");
        let m = model("server { listen 80; server_name default.test; } server { listen 80; server_name .example.org; } server { listen 80; server_name example.org; }");
        assert_eq!(route(&m, &req("example.org", "/")).server, Some(1), "first registration wins");
        let m = model("server { listen 80; server_name default.test; } server { listen 80; server_name example.com; } server { listen 80; server_name .example.com; }");
        assert_eq!(route(&m, &req("x.example.com", "/")).server, Some(0), "a conflicting .x is dropped whole");
        let m = model("server { listen 80; location ~ /rx { location /rx/sub/ { } location = /rx/e { } location ~ ^/rx/re { } } }");
        assert_eq!(loc(&m, "x", "/rx/sub/q"), "location ~ /rx");
        assert_eq!(loc(&m, "x", "/rx/e"), "location ~ /rx");
        assert_eq!(loc(&m, "x", "/rx/re"), "location ~ ^/rx/re");
        let m = model(r#"server { listen 80; location /u/ { location ~ "^/u/..$" { } location ~ "^/u/.$" { } } }"#);
        assert_eq!(loc(&m, "x", "/u/%C3%A9"), "location ~ ^/u/..$", "regexes match bytes");
        for bad in ["/a%4", "/a%", "/a%+1", "/c/d%00"] {
            assert!(normalize_uri(bad).is_err(), "{bad}");
        }
        for bad in ["a..test", "a/b.test"] {
            assert_eq!(route(&m, &req(bad, "/")).server, None, "{bad}");
        }
    }

    #[test]
    fn uris_normalise_like_nginx() {
        assert_eq!(normalize_uri("/a//b/./c/../d?q#f").unwrap(), "/a/b/d");
        assert_eq!(normalize_uri("/%7Euser/").unwrap(), "/~user/");
        assert!(normalize_uri("/..").is_err());
        assert!(normalize_uri("x").is_err());
    }
}
