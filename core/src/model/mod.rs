//! The semantic model: what the configuration means for traffic. Servers with their listen
//! sockets and names, locations (modifier, pattern, nesting), upstreams; built from the
//! include-resolved tree (include files expanded where they are included).
//!
//! [`route`](routing::route) answers "which server and location serve this request" with nginx's
//! algorithm; rules (shadowed locations) and risk (blast radius) build on it.

pub mod routing;
pub mod variables;

use crate::include::Config;
use crate::source::{SourceSet, Span};
use crate::syntax::{Directive, Node};
use serde::Serialize;

/// A listen socket of an http server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listen {
    /// Address as nginx prints it: `0.0.0.0`, `127.0.0.1`, `[::]`, `unix:/path`.
    pub addr: String,
    pub port: u16,
    pub default_server: bool,
    pub ssl: bool,
    pub http2: bool,
    pub proxy_protocol: bool,
    pub span: Span,
}

impl Listen {
    pub fn is_wildcard(&self) -> bool {
        self.addr == "0.0.0.0" || self.addr == "[::]"
    }
    /// `addr:port`, nginx's spelling.
    pub fn socket(&self) -> String {
        format!("{}:{}", self.addr, self.port)
    }
}

/// A `server_name` entry, classified the way nginx hashes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum ServerName {
    /// `example.com` (lowercased), or `""` for requests without Host.
    Exact(String),
    /// `*.example.com` or `.example.com` (stored without the `*`; `.example.com` also matches
    /// `example.com`).
    Prefix { suffix: String, dot_form: bool },
    /// `www.example.*` (stored without the `*`).
    Suffix(String),
    /// `~^www\d+\.example\.com$` (without the `~`).
    Regex(String),
}

impl ServerName {
    pub fn parse(raw: &str) -> ServerName {
        if let Some(re) = raw.strip_prefix('~') {
            return ServerName::Regex(re.to_string());
        }
        let n = raw.to_ascii_lowercase();
        if let Some(rest) = n.strip_prefix("*.") {
            return ServerName::Prefix { suffix: format!(".{rest}"), dot_form: false };
        }
        if n.starts_with('.') {
            return ServerName::Prefix { suffix: n, dot_form: true };
        }
        if let Some(rest) = n.strip_suffix(".*") {
            return ServerName::Suffix(format!("{rest}."));
        }
        ServerName::Exact(n)
    }
}

/// A location's modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Modifier {
    /// `location = /x`
    Exact,
    /// `location ^~ /x`
    PrefixNoRegex,
    /// `location /x`
    Prefix,
    /// `location ~ re`
    Regex,
    /// `location ~* re`
    RegexCaseless,
    /// `location @name`
    Named,
}

impl Modifier {
    pub fn as_str(self) -> &'static str {
        match self {
            Modifier::Exact => "=",
            Modifier::PrefixNoRegex => "^~",
            Modifier::Prefix => "",
            Modifier::Regex => "~",
            Modifier::RegexCaseless => "~*",
            Modifier::Named => "@",
        }
    }
    pub fn is_regex(self) -> bool {
        matches!(self, Modifier::Regex | Modifier::RegexCaseless)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub modifier: Modifier,
    /// The URI prefix, exact URI, regex, or `@name`.
    pub pattern: String,
    /// The `location` directive.
    pub span: Span,
    pub children: Vec<Location>,
}

impl Location {
    /// `location ~ \.php$` as written (normalised spacing).
    pub fn label(&self) -> String {
        match self.modifier {
            Modifier::Prefix | Modifier::Named => format!("location {}", self.pattern),
            m => format!("location {} {}", m.as_str(), self.pattern),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Server {
    /// The `server` directive.
    pub span: Span,
    /// Listens as written; a server without one listens on `*:80` (nginx's default as root).
    pub listens: Vec<Listen>,
    pub names: Vec<ServerName>,
    pub locations: Vec<Location>,
}

impl Server {
    /// `server[listen 443 ssl; server_name example.com]`: a readable identity.
    pub fn label(&self) -> String {
        let listens: Vec<String> = self.listens.iter().map(|l| format!("listen {}{}", l.socket(), if l.ssl { " ssl" } else { "" })).collect();
        let names: Vec<String> = self
            .names
            .iter()
            .map(|n| match n {
                ServerName::Exact(s) => s.clone(),
                ServerName::Prefix { suffix, dot_form: true } => suffix.clone(),
                ServerName::Prefix { suffix, .. } => format!("*{suffix}"),
                ServerName::Suffix(p) => format!("{p}*"),
                ServerName::Regex(r) => format!("~{r}"),
            })
            .collect();
        let mut parts = listens;
        if !names.is_empty() {
            parts.push(format!("server_name {}", names.join(" ")));
        }
        format!("server[{}]", parts.join("; "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upstream {
    pub name: String,
    pub span: Span,
    /// `server` entries as written (address and parameters).
    pub servers: Vec<Vec<String>>,
}

/// The http part of a configuration, as traffic sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Model {
    pub servers: Vec<Server>,
    pub upstreams: Vec<Upstream>,
}

/// Builds the model from an include-resolved configuration.
pub fn build(files: &SourceSet, config: &Config) -> Model {
    let mut b = Builder { files, config, model: Model::default() };
    b.items(config.main, &config.docs[config.main].doc.items, Scope::Top, 0);
    b.model
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Top,
    Http,
    Server(usize),
    Location,
    Other,
}

struct Builder<'a> {
    files: &'a SourceSet,
    config: &'a Config,
    model: Model,
}

impl<'a> Builder<'a> {
    fn src(&self, doc: usize) -> &'a [u8] {
        self.files.bytes(self.config.docs[doc].file)
    }

    fn text(&self, doc: usize) -> Option<&'a str> {
        self.files.text(self.config.docs[doc].file)
    }

    fn args(&self, doc: usize, d: &'a Directive) -> Vec<std::borrow::Cow<'a, str>> {
        let (src, text) = (self.src(doc), self.text(doc));
        d.args.iter().map(|w| w.text_in(src, text)).collect()
    }

    /// Walks items in `scope`; returns the locations found at this level (for nesting).
    fn items(&mut self, doc: usize, items: &'a [Node], scope: Scope, depth: usize) -> Vec<Location> {
        let mut locations = Vec::new();
        for node in items {
            let Node::Directive(d) = node else { continue };
            let name = d.name.text_in(self.src(doc), self.text(doc));
            if name == "include" {
                if let Some(inc) = self.config.include_at(doc, d) {
                    if depth < crate::include::MAX_INCLUDE_DEPTH {
                        for &t in inc.targets.iter() {
                            if !inc.cyclic.contains(&t) {
                                let items = &self.config.docs[t].doc.items;
                                locations.extend(self.items(t, items, scope, depth + 1));
                            }
                        }
                    }
                }
                continue;
            }
            let block = d.block();
            match (scope, name.as_ref(), block) {
                (Scope::Top, "http", Some(b)) => {
                    self.items(doc, &b.items, Scope::Http, depth);
                }
                (Scope::Http, "server", Some(b)) => {
                    let i = self.model.servers.len();
                    self.model.servers.push(Server { span: d.name.span, listens: Vec::new(), names: Vec::new(), locations: Vec::new() });
                    let locs = self.items(doc, &b.items, Scope::Server(i), depth);
                    self.model.servers[i].locations = locs;
                }
                (Scope::Http, "upstream", Some(b)) => {
                    let src = self.src(doc);
                    let servers = b
                        .items
                        .iter()
                        .filter_map(|n| match n {
                            Node::Directive(s) if s.name.is(src, "server") => {
                                Some(s.args.iter().map(|w| w.text(src).into_owned()).collect())
                            }
                            _ => None,
                        })
                        .collect();
                    let name = self.args(doc, d).first().map(|a| a.to_string()).unwrap_or_default();
                    self.model.upstreams.push(Upstream { name, span: d.name.span, servers });
                }
                (Scope::Server(i), "listen", None) => {
                    if let Some(l) = listen(&self.args(doc, d), d.name.span) {
                        self.model.servers[i].listens.push(l);
                    }
                }
                (Scope::Server(i), "server_name", None) => {
                    let names = self.args(doc, d).iter().map(|a| ServerName::parse(a)).collect::<Vec<_>>();
                    self.model.servers[i].names.extend(names);
                }
                (Scope::Server(_) | Scope::Location, "location", Some(b)) => {
                    let args = self.args(doc, d);
                    if let Some((modifier, pattern)) = location_of(&args) {
                        let children = self.items(doc, &b.items, Scope::Location, depth);
                        locations.push(Location { modifier, pattern, span: d.name.span, children });
                    }
                }
                (_, _, Some(b)) if scope == Scope::Top || scope == Scope::Http => {
                    // stream/mail/events and handler blocks carry no http servers
                    let _ = b;
                }
                (_, _, Some(b)) => {
                    // if / limit_except inside server or location: no routing entities
                    let _ = self.items(doc, &b.items, Scope::Other, depth);
                }
                _ => {}
            }
        }
        locations
    }
}

/// `location [modifier] pattern` as nginx reads it.
pub fn location_of<S: AsRef<str>>(args: &[S]) -> Option<(Modifier, String)> {
    location_parts(args).map(|(m, p)| (m, p.to_string()))
}

/// [`location_of`] borrowing the pattern from the arguments.
pub fn location_parts<S: AsRef<str>>(args: &[S]) -> Option<(Modifier, &str)> {
    let m = |s: &str| match s {
        "=" => Some(Modifier::Exact),
        "^~" => Some(Modifier::PrefixNoRegex),
        "~" => Some(Modifier::Regex),
        "~*" => Some(Modifier::RegexCaseless),
        _ => None,
    };
    match args {
        [modifier, pattern] => Some((m(modifier.as_ref())?, pattern.as_ref())),
        [one] => {
            let one = one.as_ref();
            for (prefix, modifier) in [("=", Modifier::Exact), ("^~", Modifier::PrefixNoRegex), ("~*", Modifier::RegexCaseless), ("~", Modifier::Regex)] {
                if let Some(rest) = one.strip_prefix(prefix) {
                    return Some((modifier, rest));
                }
            }
            if one.starts_with('@') {
                return Some((Modifier::Named, one));
            }
            Some((Modifier::Prefix, one))
        }
        _ => None,
    }
}

/// A `listen` directive's socket and flags (None for unix sockets or unreadable addresses).
pub fn listen<S: AsRef<str>>(args: &[S], span: Span) -> Option<Listen> {
    let addr = args.first()?.as_ref();
    if addr.starts_with("unix:") {
        return None;
    }
    let (host, port) = if let Some(rest) = addr.strip_prefix('[') {
        let (h, tail) = rest.split_once(']')?;
        (format!("[{h}]"), tail.strip_prefix(':').unwrap_or("80").to_string())
    } else if let Some((h, p)) = addr.rsplit_once(':') {
        (if h == "*" { "0.0.0.0".to_string() } else { h.to_string() }, p.to_string())
    } else if addr.bytes().all(|b| b.is_ascii_digit()) {
        ("0.0.0.0".to_string(), addr.to_string())
    } else {
        (if addr == "*" { "0.0.0.0".to_string() } else { addr.to_string() }, "80".to_string())
    };
    // A port range routes like its first port.
    let port: u16 = port.split('-').next()?.parse().ok()?;
    let has = |p: &str| args[1..].iter().any(|a| a.as_ref() == p);
    Some(Listen {
        addr: if host == "localhost" { "127.0.0.1".into() } else { host },
        port,
        default_server: has("default_server") || has("default"),
        ssl: has("ssl"),
        http2: has("http2"),
        proxy_protocol: has("proxy_protocol"),
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, Options, SourceSet};

    #[test]
    fn builds_servers_locations_and_upstreams_through_includes() {
        let mut files = SourceSet::new();
        let main = files.add(
            "/e/nginx.conf",
            "events {}\nhttp {\n upstream app { server 10.0.0.1:8080 weight=2; }\n include sites/*.conf;\n}\n",
        );
        files.add(
            "/e/sites/a.conf",
            "server { listen 443 ssl default_server; server_name .example.com www.example.* ~^api\\d+$;\n location / { location /static/ { } }\n location ~* \\.php$ { }\n location @fallback { } }\n",
        );
        let a = analyze(&files, main, &Options::default());
        let m = build(&files, a.config());
        assert_eq!(m.upstreams[0].name, "app");
        assert_eq!(m.upstreams[0].servers[0], ["10.0.0.1:8080", "weight=2"]);
        let s = &m.servers[0];
        assert_eq!(s.listens[0].socket(), "0.0.0.0:443");
        assert!(s.listens[0].ssl && s.listens[0].default_server);
        assert_eq!(
            s.names,
            [
                ServerName::Prefix { suffix: ".example.com".into(), dot_form: true },
                ServerName::Suffix("www.example.".into()),
                ServerName::Regex("^api\\d+$".into())
            ]
        );
        assert_eq!(s.locations.len(), 3);
        assert_eq!(s.locations[0].children[0].pattern, "/static/");
        assert_eq!(s.locations[1].modifier, Modifier::RegexCaseless);
        assert_eq!(s.label(), "server[listen 0.0.0.0:443 ssl; server_name .example.com www.example.* ~^api\\d+$]");
    }
}
