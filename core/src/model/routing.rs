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
    let path = uri.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(format!("URI \"{uri}\" does not start with \"/\""));
    }
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => {
                    decoded.push(b);
                    i += 3;
                    continue;
                }
                None => return Err(format!("URI \"{uri}\" has an invalid %-escape")),
            }
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    let text = String::from_utf8_lossy(&decoded).into_owned();
    let mut out: Vec<&str> = Vec::new();
    let trailing = text.ends_with('/') || text.ends_with("/.") || text.ends_with("/..");
    for seg in text.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.pop().is_none() {
                    return Err(format!("URI \"{uri}\" goes above the root"));
                }
            }
            s => out.push(s),
        }
    }
    let mut n = format!("/{}", out.join("/"));
    if trailing && n != "/" {
        n.push('/');
    }
    Ok(n)
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

/// Servers (indices, in configuration order) that listen where the request arrived, and the
/// default server among them.
fn socket_servers(model: &Model, req: &Request) -> (Vec<usize>, Option<usize>) {
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
    let exact_bound = req.addr != "*" && model.servers.iter().any(|s| on(s, true).is_some());
    let mut servers = Vec::new();
    let mut default = None;
    for (i, s) in model.servers.iter().enumerate() {
        if let Some(is_default) = on(s, exact_bound) {
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

fn find_server(model: &Model, servers: &[usize], host: &str, notes: &mut Vec<String>) -> Option<(usize, ServerMatch)> {
    let names = || servers.iter().flat_map(|&i| model.servers[i].names.iter().map(move |n| (i, n)));
    if let Some((i, _)) = names().find(|(_, n)| matches!(n, ServerName::Exact(e) if e == host)) {
        return Some((i, ServerMatch::ExactName));
    }
    let prefix = names()
        .filter_map(|(i, n)| match n {
            ServerName::Prefix { suffix, dot_form } => {
                let hit = host.ends_with(suffix.as_str()) || (*dot_form && host == &suffix[1..]);
                hit.then_some((i, suffix.len()))
            }
            _ => None,
        })
        .max_by_key(|&(i, len)| (len, std::cmp::Reverse(i)));
    if let Some((i, _)) = prefix {
        return Some((i, ServerMatch::WildcardPrefix));
    }
    let suffix = names()
        .filter_map(|(i, n)| match n {
            ServerName::Suffix(p) => host.starts_with(p.as_str()).then_some((i, p.len())),
            _ => None,
        })
        .max_by_key(|&(i, len)| (len, std::cmp::Reverse(i)));
    if let Some((i, _)) = suffix {
        return Some((i, ServerMatch::WildcardSuffix));
    }
    for (i, n) in names() {
        if let ServerName::Regex(r) = n {
            match regex(r, true) {
                Ok(re) if re.is_match(host) => return Some((i, ServerMatch::Regex)),
                Ok(_) => {}
                Err(e) => notes.push(e),
            }
        }
    }
    None
}

/// One level of ngx_http_core_find_location. Returns true when the search stops (an exact match,
/// or a regex match at some level).
fn find_location(locs: &[Location], uri: &str, path: &mut Vec<usize>, chain: &mut Vec<Vec<usize>>, notes: &mut Vec<String>) -> bool {
    let mut best: Option<usize> = None;
    for (i, l) in locs.iter().enumerate() {
        match l.modifier {
            Modifier::Exact if uri == l.pattern => {
                path.push(i);
                chain.push(path.clone());
                path.pop();
                return true;
            }
            Modifier::Prefix | Modifier::PrefixNoRegex if uri.starts_with(l.pattern.as_str()) => {
                if best.map_or(true, |b| l.pattern.len() > locs[b].pattern.len()) {
                    best = Some(i);
                }
            }
            _ => {}
        }
    }
    let depth = chain.len();
    let mut noregex = false;
    if let Some(b) = best {
        path.push(b);
        chain.push(path.clone());
        noregex = locs[b].modifier == Modifier::PrefixNoRegex;
        let stop = find_location(&locs[b].children, uri, path, chain, notes);
        path.pop();
        if stop {
            return true;
        }
    }
    if noregex {
        return false;
    }
    for (i, l) in locs.iter().enumerate() {
        if !l.modifier.is_regex() {
            continue;
        }
        match regex(&l.pattern, l.modifier == Modifier::RegexCaseless) {
            Ok(re) if re.is_match(uri) => {
                chain.truncate(depth);
                path.push(i);
                chain.push(path.clone());
                find_location(&l.children, uri, path, chain, notes);
                path.pop();
                return true;
            }
            Ok(_) => {}
            Err(e) => notes.push(e),
        }
    }
    false
}

/// Routes a request through the model.
pub fn route(model: &Model, req: &Request) -> Route {
    let mut notes = Vec::new();
    let normalized_uri = match normalize_uri(&req.uri) {
        Ok(u) => u,
        Err(e) => {
            notes.push(format!("{e}: nginx answers 400"));
            return Route { server: None, server_match: None, locations: Vec::new(), normalized_uri: String::new(), notes };
        }
    };
    let (servers, default) = socket_servers(model, req);
    let host = normalize_host(&req.host);
    let chosen = find_server(model, &servers, &host, &mut notes).or(default.map(|d| (d, ServerMatch::DefaultServer)));
    let Some((server, how)) = chosen else {
        notes.push(format!("no server listens on {}:{}: the connection is refused", req.addr, req.port));
        return Route { server: None, server_match: None, locations: Vec::new(), normalized_uri, notes };
    };
    let mut chain = Vec::new();
    find_location(&model.servers[server].locations, &normalized_uri, &mut Vec::new(), &mut chain, &mut notes);
    notes.sort();
    notes.dedup();
    Route { server: Some(server), server_match: Some(how), locations: chain, normalized_uri, notes }
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
        assert_eq!(pick(any, 80, "sub.example.org"), (Some(4), Some(ServerMatch::WildcardPrefix)));
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
    fn uris_normalise_like_nginx() {
        assert_eq!(normalize_uri("/a//b/./c/../d?q#f").unwrap(), "/a/b/d");
        assert_eq!(normalize_uri("/%7Euser/").unwrap(), "/~user/");
        assert!(normalize_uri("/..").is_err());
        assert!(normalize_uri("x").is_err());
    }
}
