//! `listen` in http servers (ngx_http_core_listen / ngx_parse_url): the address, the parameters a
//! Linux build knows for the target version, duplicate default servers per socket, and
//! `listen ... ssl` bookkeeping for the certificate check.

use std::borrow::Cow;
use super::codes;
use super::Checker;
use crate::report::Diagnostic;
use crate::spec::NginxVersion;
use crate::syntax::Directive;
use rustc_hash::FxHashMap as HashMap;

#[derive(Default)]
pub(crate) struct Sockets {
    default_server: HashMap<String, crate::source::Span>,
    /// Sockets whose options (backlog, bind, reuseport, ...) some listen already set.
    options: HashMap<String, crate::source::Span>,
}

/// Canonical socket text as nginx prints it (`0.0.0.0:80`, `[::]:443`, `127.0.0.1:8080`,
/// `unix:/path`), or the error nginx gives for the address.
pub(crate) fn socket(addr: &str) -> Result<String, &'static str> {
    if addr.starts_with("unix:") {
        return Ok(addr.to_string());
    }
    let (host, port) = if let Some(rest) = addr.strip_prefix('[') {
        let (h, tail) = rest.split_once(']').ok_or("invalid host")?;
        match tail {
            "" => (format!("[{h}]"), "80"),
            t => (format!("[{h}]"), t.strip_prefix(':').ok_or("invalid host")?),
        }
    } else if let Some((h, p)) = addr.rsplit_once(':') {
        (if h == "*" { "0.0.0.0".to_string() } else { h.to_string() }, p)
    } else if addr.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        ("0.0.0.0".to_string(), addr)
    } else {
        (if addr == "*" { "0.0.0.0".to_string() } else { addr.to_string() }, "80")
    };
    let port_ok = |p: &str| p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
    let valid = match port.split_once('-') {
        Some((a, b)) => port_ok(a) && port_ok(b),
        None => port_ok(port),
    };
    if !valid {
        return Err("invalid port");
    }
    if host.is_empty() {
        return Err("no host");
    }
    Ok(format!("{host}:{port}"))
}

impl<'a> Checker<'a> {
    pub(super) fn http_listen(&mut self, d: &'a Directive, args: &[Cow<str>]) -> bool {
        let at = d.name.span;
        let addr = args.first().map(|a| &**a).unwrap_or("");
        let sock = match socket(addr) {
            Ok(s) => s,
            Err(e) => {
                self.emit(Diagnostic::new(codes::LISTEN, at, format!("{e} in \"{addr}\" of the \"listen\" directive")));
                return false;
            }
        };
        let latest = self.target() == NginxVersion::Latest;
        let mut default = false;
        let mut ssl = false;
        let mut options = false;
        for p in &args[1..] {
            let key = p.split_once('=').map(|(k, _)| k).unwrap_or(p);
            let known = match key {
                "default_server" | "default" => {
                    default = true;
                    true
                }
                "ssl" => {
                    ssl = true;
                    true
                }
                "bind" | "deferred" | "reuseport" | "proxy_protocol" | "http2" => !p.contains('='),
                "fastopen" | "backlog" | "rcvbuf" | "sndbuf" | "ipv6only" | "so_keepalive" => p.contains('='),
                "quic" => latest && !p.contains('='),
                "multipath" => latest && !p.contains('='),
                _ => false,
            };
            if !known {
                self.emit(Diagnostic::new(codes::LISTEN, at, format!("invalid parameter \"{p}\"")));
                return false;
            }
            options |= matches!(
                key,
                "bind" | "deferred" | "reuseport" | "fastopen" | "backlog" | "rcvbuf" | "sndbuf" | "ipv6only" | "so_keepalive"
            );
            if key == "ipv6only" && !matches!(&p[9..], "on" | "off") {
                self.emit(Diagnostic::new(codes::LISTEN, at, format!("invalid ipv6only flags \"{}\"", &p[9..])));
                return false;
            }
            if key == "http2" && latest {
                self.emit(Diagnostic::new(
                    codes::NGINX_WARNING,
                    at,
                    "the \"listen ... http2\" directive is deprecated, use the \"http2\" directive instead",
                ));
            }
        }
        if options {
            if let Some(prev) = self.listen.options.get(&sock) {
                let diag = Diagnostic::new(codes::DUPLICATE, at, format!("duplicate listen options for {sock}"))
                    .with_label(*prev, "options first set here")
                    .with_help("socket options (backlog, bind, reuseport, rcvbuf, ...) may be set in one listen per address:port");
                self.emit(diag);
                return false;
            }
            self.listen.options.insert(sock.clone(), at);
        }
        if default {
            if let Some(prev) = self.listen.default_server.get(&sock) {
                let diag = Diagnostic::new(codes::DUPLICATE, at, format!("a duplicate default server for {sock}"))
                    .with_label(*prev, "first default server");
                self.emit(diag);
                return false;
            }
            self.listen.default_server.insert(sock.clone(), at);
        }
        if let Some(s) = self.servers.last_mut() {
            s.listens.push((sock, ssl, default));
        }
        true
    }

    /// `listen` in a stream server (ngx_stream_core_listen): its own parameter set and wording.
    pub(super) fn stream_listen(&mut self, d: &'a Directive, args: &[Cow<str>]) -> bool {
        let at = d.name.span;
        let addr = args.first().map(|a| &**a).unwrap_or("");
        if let Err(e) = socket(addr) {
            self.emit(Diagnostic::new(codes::LISTEN, at, format!("{e} in \"{addr}\" of the \"listen\" directive")));
            return false;
        }
        let latest = self.target() == NginxVersion::Latest;
        for p in &args[1..] {
            let key = p.split_once('=').map(|(k, _)| k).unwrap_or(p);
            let known = match key {
                "bind" | "reuseport" | "ssl" | "udp" | "proxy_protocol" => !p.contains('='),
                "backlog" | "rcvbuf" | "sndbuf" | "ipv6only" | "so_keepalive" | "fastopen" => p.contains('='),
                "default_server" | "multipath" => latest && !p.contains('='),
                _ => false,
            };
            if !known {
                self.emit(Diagnostic::new(codes::LISTEN, at, format!("the invalid \"{p}\" parameter")));
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::socket;

    #[test]
    fn sockets_are_canonical() {
        assert_eq!(socket("80").unwrap(), "0.0.0.0:80");
        assert_eq!(socket("*:8080").unwrap(), "0.0.0.0:8080");
        assert_eq!(socket("[::]:443").unwrap(), "[::]:443");
        assert_eq!(socket("127.0.0.1").unwrap(), "127.0.0.1:80");
        assert_eq!(socket("8000-8010").unwrap(), "0.0.0.0:8000-8010");
        assert_eq!(socket("1.2.3.4:80a"), Err("invalid port"));
        assert_eq!(socket("1.2.3.4:0"), Err("invalid port"));
    }
}
