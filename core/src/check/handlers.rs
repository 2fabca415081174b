//! The directive handlers' own checks, with the handlers' wording: nginx's standard slot setters
//! (values and "is duplicate"), root/alias, the `*_pass` directives, `location`, `return`, `if`,
//! upstreams, log formats, and handler-block entries (map, geo, split_clients).

use super::codes;
use super::values;
use super::{BlockState, Checker, Frame, Phase};
use crate::report::Diagnostic;
use crate::source::Span;
use crate::spec::{Context, DirectiveSpec};
use crate::syntax::{Directive, Node, Terminator};
use std::borrow::Cow;

/// The location a directive sits in.
#[derive(Clone, Debug)]
pub(crate) struct LocationInfo<'a> {
    /// Borrowed from the source unless the word was escaped: frames clone it for every nested
    /// block.
    pub name: Cow<'a, [u8]>,
    pub exact: bool,
    pub regex: bool,
    pub named: bool,
    pub span: Span,
}

impl<'a> LocationInfo<'a> {
    /// nginx's reading of `location [modifier] name` (ngx_http_core_location).
    pub fn of(d: &Directive, src: &'a [u8]) -> LocationInfo<'a> {
        let (modifier, name): (Cow<'a, [u8]>, Cow<'a, [u8]>) = match &*d.args {
            [m, n] => (m.value(src), n.value(src)),
            [one] => {
                let one = one.value(src);
                let m: &'static [u8] = [b"=" as &[u8], b"^~", b"~*", b"~"].into_iter().find(|m| one.starts_with(m)).unwrap_or(b"");
                let name = match one {
                    Cow::Borrowed(b) => Cow::Borrowed(&b[m.len()..]),
                    Cow::Owned(v) => Cow::Owned(v[m.len()..].to_vec()),
                };
                (Cow::Borrowed(m), name)
            }
            _ => (Cow::Borrowed(b""), Cow::Borrowed(b"")),
        };
        LocationInfo {
            exact: *modifier == *b"=",
            regex: *modifier == *b"~" || *modifier == *b"~*",
            named: name.starts_with(b"@"),
            name,
            span: d.name.span,
        }
    }
}

/// What the post-read checks need to know about one server block.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServerInfo<'a> {
    /// The `server` directive.
    pub span: Span,
    /// (socket, ssl, default_server) per listen.
    pub listens: Vec<(String, bool, bool)>,
    pub has_certificate: bool,
    pub first_certificate: Option<(Cow<'a, str>, Span)>,
    pub has_key: bool,
    pub reject_handshake: bool,
    /// Lowercased, borrowed from the source unless that changed them.
    pub names: Vec<(Cow<'a, str>, Span)>,
}

fn is_dup_slot(handler: &str) -> bool {
    matches!(
        handler,
        "ngx_conf_set_flag_slot"
            | "ngx_conf_set_str_slot"
            | "ngx_conf_set_num_slot"
            | "ngx_conf_set_size_slot"
            | "ngx_conf_set_off_slot"
            | "ngx_conf_set_msec_slot"
            | "ngx_conf_set_sec_slot"
            | "ngx_conf_set_bufs_slot"
            | "ngx_conf_set_enum_slot"
            | "ngx_conf_set_path_slot"
    )
}

/// Custom handlers that reject a second occurrence in the same block with "is duplicate".
fn is_dup_handler(handler: &str) -> bool {
    matches!(
        handler,
        "ngx_http_proxy_pass"
            | "ngx_http_fastcgi_pass"
            | "ngx_http_uwsgi_pass"
            | "ngx_http_scgi_pass"
            | "ngx_http_grpc_pass"
            | "ngx_http_memcached_pass"
            | "ngx_http_core_try_files"
            | "ngx_http_core_keepalive"
            | "ngx_http_headers_expires"
            | "ngx_stream_proxy_pass"
            | "ngx_http_set_complex_value_slot"
            | "ngx_http_set_complex_value_size_slot"
            | "ngx_http_set_complex_value_zero_slot"
    )
}

impl<'a> Checker<'a> {
    /// Runs the handler checks of one directive; false when nginx would have stopped.
    pub(super) fn handle(
        &mut self,
        doc: usize,
        d: &'a Directive,
        name: &str,
        spec: &'static DirectiveSpec,
        frame: &Frame<'a>,
        state: &mut BlockState<'a>,
    ) -> bool {
        // The argument texts go in a buffer kept across directives (one allocation per run).
        let (src, text) = (self.src(doc), self.text(doc));
        let mut args = std::mem::take(&mut self.arg_buf);
        args.extend(d.args.iter().map(|w| super::nginx_text_in(w, src, text)));
        let go_on = self.handle_args(doc, d, name, spec, frame, state, &args);
        args.clear();
        self.arg_buf = args;
        go_on
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_args(
        &mut self,
        doc: usize,
        d: &'a Directive,
        name: &str,
        spec: &'static DirectiveSpec,
        frame: &Frame<'a>,
        state: &mut BlockState<'a>,
        args: &[Cow<'a, str>],
    ) -> bool {
        let src = self.src(doc);
        let at = d.name.span;
        self.vars.collect(self.spec, d, name, spec, src, frame.ctx);
        let handler = spec.handler();
        let before = self.diags.len();

        // Values of the standard slots.
        let first = args.first().map(|a| &**a).unwrap_or("");
        let invalid = |msg: String| Diagnostic::new(codes::INVALID_VALUE, at, msg);
        match handler {
            "ngx_conf_set_flag_slot" if values::flag(first).is_none() => self.emit(invalid(format!(
                "invalid value \"{first}\" in \"{name}\" directive, it must be \"on\" or \"off\""
            ))),
            "ngx_conf_set_enum_slot" if !spec.values().is_empty() && !has_value(spec, first) => {
                self.emit(invalid(format!("invalid value \"{first}\"")))
            }
            "ngx_conf_set_bitmask_slot" if !bitmask_values(name, spec).is_empty() => {
                let allowed = bitmask_values(name, spec);
                if let Some(bad) = args.iter().find(|a| !allowed.iter().any(|v| v.eq_ignore_ascii_case(a))) {
                    self.emit(invalid(format!("invalid value \"{bad}\"")));
                }
            }
            "ngx_conf_set_size_slot" if values::size(first).is_none() => {
                self.emit(invalid(format!("\"{name}\" directive invalid value")))
            }
            "ngx_conf_set_off_slot" if values::offset(first).is_none() => {
                self.emit(invalid(format!("\"{name}\" directive invalid value")))
            }
            "ngx_conf_set_msec_slot" if values::time(first, false).is_none() => {
                self.emit(invalid(format!("\"{name}\" directive invalid value")))
            }
            "ngx_conf_set_sec_slot" if values::time(first, true).is_none() => {
                self.emit(invalid(format!("\"{name}\" directive invalid value")))
            }
            "ngx_conf_set_num_slot" if values::num(first).is_none() => {
                self.emit(invalid(format!("\"{name}\" directive invalid number")))
            }
            "ngx_conf_set_bufs_slot" => {
                let ok = args.len() == 2
                    && values::num(&args[0]).is_some_and(|n| n > 0)
                    && values::size(&args[1]).is_some_and(|n| n > 0);
                if !ok {
                    let bad = if values::num(&args[0]).is_some_and(|n| n > 0) { &args[1] } else { &args[0] };
                    self.emit(invalid(format!("invalid value \"{bad}\"")));
                }
            }
            _ => {}
        }
        if self.diags.len() > before {
            return false;
        }

        // "is duplicate": a second occurrence in the same conf structure (same block).
        if is_dup_slot(handler) || is_dup_handler(handler) {
            // The entry's name is the directive's name (lookups match names exactly).
            if let Some(prev) = state.seen.get(spec.name()) {
                let diag = Diagnostic::new(codes::DUPLICATE, at, format!("\"{name}\" directive is duplicate"))
                    .with_label(*prev, "first set here");
                self.emit(diag);
                return false;
            }
            state.seen.insert(spec.name(), at);
        }

        self.load_time_needs(name, args, at, frame.ctx);
        match (name, frame.ctx) {
            ("root" | "alias", _) => return self.root_alias(name == "alias", at, state),
            ("listen", Context::Server) => return self.http_listen(d, args),
            ("location", _) => return self.location(d, args, frame, state),
            ("proxy_pass", c) if c != Context::StreamServer => return self.proxy_pass_uri(at, args, frame),
            ("return", Context::Server | Context::Location | Context::IfInServer | Context::IfInLocation) => {
                return self.return_code(at, args)
            }
            ("listen", Context::StreamServer) => return self.stream_listen(d, args),
            ("if", _) => return self.if_condition(at, args),
            ("upstream", Context::Http) => {
                let key = args.first().cloned().unwrap_or_default().to_ascii_lowercase();
                if let Some(prev) = self.upstreams.get(&key) {
                    let diag = Diagnostic::new(codes::DUPLICATE, at, format!("duplicate upstream \"{}\"", args[0]))
                        .with_label(*prev, "first defined here");
                    self.emit(diag);
                    return false;
                }
                self.upstreams.insert(key, at);
            }
            ("log_format", Context::Http) => {
                let fmt = args.first().map(|a| a.to_string()).unwrap_or_default();
                if self.log_formats.contains(&fmt) {
                    self.emit(Diagnostic::new(codes::DUPLICATE, at, format!("duplicate \"log_format\" name \"{fmt}\"")));
                    return false;
                }
                self.log_formats.insert(fmt);
            }
            ("access_log", Context::Http | Context::Server | Context::Location | Context::IfInLocation | Context::LimitExcept)
                if args.first().map(|a| &**a) != Some("off") && args.len() >= 2 =>
            {
                let fmt = &args[1];
                if !self.log_formats.contains(&**fmt) {
                    let diag = Diagnostic::new(codes::MISSING, at, format!("unknown log format \"{fmt}\""))
                        .with_help("log formats must be defined with log_format before the access_log that uses them");
                    // A snippet may be included after the file that defines the format.
                    let diag = if self.whole() {
                        diag
                    } else {
                        diag.with_severity(super::snippet_severity(false))
                    };
                    let fatal = diag.severity == crate::report::Severity::Error;
                    self.emit(diag);
                    if fatal {
                        return false;
                    }
                }
            }
            ("ssl_certificate", Context::Server) => {
                if let Some(s) = self.servers.last_mut() {
                    s.has_certificate = true;
                    s.first_certificate.get_or_insert((args[0].clone(), at));
                }
            }
            ("ssl_certificate", Context::Http) => {
                self.http_has_cert = true;
                self.http_certificate.get_or_insert((args[0].clone(), at));
            }
            ("ssl_certificate_key", Context::Server) => {
                if let Some(s) = self.servers.last_mut() {
                    s.has_key = true;
                }
            }
            ("ssl_certificate_key", Context::Http) => self.http_has_key = true,
            ("ssl_reject_handshake", Context::Server) => {
                if let Some(s) = self.servers.last_mut() {
                    s.reject_handshake = first.eq_ignore_ascii_case("on");
                }
            }
            ("server_name", Context::Server) => {
                for a in args {
                    if let Some(re) = a.strip_prefix('~') {
                        if !self.regex(at, re) {
                            return false;
                        }
                    }
                }
                if let Some(s) = self.servers.last_mut() {
                    for a in args {
                        s.names.push((crate::syntax::ascii_lowercase(a.clone()), at));
                    }
                }
            }
            ("server", Context::Upstream | Context::StreamUpstream) => {
                self.upstream_servers += 1;
                return self.upstream_server(at, args, frame.ctx);
            }
            ("rewrite" | "fastcgi_split_path_info", _) => {
                return self.regex(at, args.first().map(|a| &**a).unwrap_or(""));
            }
            ("server_name", _) if frame.ctx != Context::Server => {}
            ("limit_req_zone" | "limit_conn_zone", _) => return self.zone_size(at, args, "zone=", 32 * 1024, "zone"),
            ("proxy_cache_path" | "fastcgi_cache_path" | "uwsgi_cache_path" | "scgi_cache_path", _) => {
                return self.zone_size(at, args, "keys_zone=", 8 * 1024, "keys zone")
            }
            ("fastcgi_pass" | "uwsgi_pass" | "scgi_pass" | "grpc_pass" | "memcached_pass", _) => {
                let target = first.split_once("://").map(|(_, t)| t).unwrap_or(first);
                if !target.contains('$') && !target.starts_with("unix:") && !has_port(target) {
                    self.portless.push((target.to_string(), at, d.report_span()));
                }
            }
            ("worker_processes", Context::Main) if first != "auto" && values::num(first).is_none() => {
                self.emit(invalid(format!("\"{name}\" directive invalid value")));
                return false;
            }
            ("worker_connections", Context::Events) if values::num(first).is_none() => {
                self.emit(invalid(format!("invalid number \"{first}\"")));
                return false;
            }
            ("keepalive_timeout", _) if args.iter().any(|a| values::time(a, true).is_none()) => {
                self.emit(invalid(format!("\"{name}\" directive invalid value")));
                return false;
            }
            ("expires", _) if !valid_expires(args) => {
                self.emit(invalid(format!("\"{name}\" directive invalid value")));
                return false;
            }
            ("ssl_session_cache", _) => {
                if let Some(bad) = args.iter().find(|a| !valid_session_cache(a)) {
                    self.emit(invalid(format!("invalid session cache \"{bad}\"")));
                    return false;
                }
            }
            ("error_page", _) => return self.error_page(at, args),
            ("limit_req_status" | "limit_conn_status", _) if !values::num(first).is_some_and(|n| (400..=599).contains(&n)) => {
                self.emit(invalid("value must be between 400 and 599".to_string()));
                return false;
            }
            ("add_header" | "add_trailer", _) if args.len() == 3 && args[2] != "always" => {
                self.emit(invalid(format!("invalid parameter \"{}\"", args[2])));
                return false;
            }
            ("fastcgi_param" | "scgi_param" | "uwsgi_param" | "grpc_set_header", _) if args.len() == 3 && args[2] != "if_not_empty" => {
                self.emit(invalid(format!("invalid parameter \"{}\"", args[2])));
                return false;
            }
            ("limit_req" | "limit_conn", _) => {
                let zone = if name == "limit_req" {
                    args.iter().find_map(|a| a.strip_prefix("zone=")).unwrap_or("")
                } else {
                    first
                };
                self.zone_uses.push((zone.to_string(), at));
            }
            ("proxy_cache" | "fastcgi_cache" | "uwsgi_cache" | "scgi_cache", _) if first != "off" && !first.contains('$') => {
                self.cache_uses.push((name.to_string(), first.to_string(), at));
            }
            // The event methods a Linux build has.
            ("use", Context::Events) if !matches!(first, "epoll" | "select" | "poll") => {
                self.emit(Diagnostic::new(codes::INVALID_VALUE, at, format!("invalid event type \"{first}\"")));
                return false;
            }
            _ => {}
        }
        true
    }

    /// What nginx needs from the machine when it loads this directive: files it opens, names it
    /// resolves, users it switches to. Notes, never errors: the machine decides.
    fn load_time_needs(&mut self, name: &str, args: &[Cow<str>], at: Span, ctx: Context) {
        let first = args.first().map(|a| &**a).unwrap_or("");
        // The key (what is needed) is checked before the note is written: most needs repeat.
        let need: Option<(&str, &str)> = match name {
            "ssl_certificate" | "ssl_certificate_key" | "ssl_trusted_certificate" | "ssl_client_certificate"
            | "ssl_dhparam" | "ssl_crl" | "ssl_password_file" | "ssl_stapling_file" | "auth_basic_user_file"
            | "proxy_ssl_certificate" | "proxy_ssl_certificate_key" | "proxy_ssl_trusted_certificate"
            | "grpc_ssl_certificate" | "grpc_ssl_certificate_key" | "grpc_ssl_trusted_certificate"
                if !first.contains('$') && !first.starts_with("data:") && !first.starts_with("engine:") =>
            {
                Some(("file", first))
            }
            "user" if ctx == Context::Main => Some(("user", first)),
            "proxy_pass" | "grpc_pass" | "fastcgi_pass" | "uwsgi_pass" | "scgi_pass" | "server" if !first.contains('$') => {
                let host = host_of(first);
                let is_server_entry = name == "server";
                let named = !host.is_empty()
                    && host.parse::<std::net::IpAddr>().is_err()
                    && !host.starts_with('[')
                    && !host.starts_with("unix:")
                    && host != "localhost"
                    && !host.contains('$');
                // A bare name in proxy_pass may be an upstream defined later: only dotted names.
                let candidate = named && (is_server_entry && matches!(ctx, Context::Upstream | Context::StreamUpstream) || host.contains('.'));
                let is_upstream = || match host.bytes().any(|b| b.is_ascii_uppercase()) {
                    true => self.upstreams.contains_key(&host.to_ascii_lowercase()),
                    false => self.upstreams.contains_key(host),
                };
                (candidate && !is_upstream()).then_some(("dns", host))
            }
            _ => None,
        };
        let Some((kind, what)) = need else { return };
        // Built in a kept buffer: most needs are already noted, and then nothing is allocated.
        let mut key = std::mem::take(&mut self.noted_key);
        key.clear();
        key.push_str(kind);
        key.push(':');
        key.push_str(what);
        let new = !self.noted.contains(key.as_str());
        if new {
            self.noted.insert(key.clone());
        }
        self.noted_key = key;
        if !new {
            return;
        }
        let message = match kind {
            "file" => format!("nginx opens \"{what}\" ({name}) at load time"),
            "user" => format!("nginx switches its workers to user \"{what}\", which must exist on the machine"),
            _ => format!("nginx resolves \"{what}\" through DNS at load time; if it does not resolve, nginx does not start"),
        };
        self.emit(Diagnostic::new(codes::LOAD_TIME, at, message));
    }

    /// `server` in an upstream block: the parameters the target nginx knows.
    fn upstream_server(&mut self, at: Span, args: &[Cow<str>], ctx: Context) -> bool {
        let latest = self.target() == crate::spec::NginxVersion::Latest;
        for p in args.iter().skip(1) {
            let key = p.split_once('=').map(|(k, _)| k).unwrap_or(p);
            let with_value = p.contains('=');
            let known = match key {
                "weight" | "max_fails" | "fail_timeout" | "max_conns" => with_value,
                "backup" | "down" => !with_value,
                "resolve" => latest && !with_value,
                "service" => latest && with_value && ctx == Context::Upstream,
                _ => false,
            };
            if !known {
                self.emit(Diagnostic::new(codes::INVALID_VALUE, at, format!("invalid parameter \"{p}\"")));
                return false;
            }
        }
        true
    }

    fn root_alias(&mut self, alias: bool, at: Span, state: &mut BlockState<'a>) -> bool {
        let name = if alias { "alias" } else { "root" };
        match state.root_alias {
            Some((prev_alias, prev)) if prev_alias == alias => {
                let diag = Diagnostic::new(codes::DUPLICATE, at, format!("\"{name}\" directive is duplicate"))
                    .with_label(prev, "first set here");
                self.emit(diag);
                false
            }
            Some((prev_alias, prev)) => {
                let earlier = if prev_alias { "alias" } else { "root" };
                let diag = Diagnostic::new(
                    codes::DUPLICATE,
                    at,
                    format!("\"{name}\" directive is duplicate, \"{earlier}\" directive was specified earlier"),
                )
                .with_label(prev, "specified here");
                self.emit(diag);
                false
            }
            None => {
                state.root_alias = Some((alias, at));
                true
            }
        }
    }

    fn location(&mut self, d: &'a Directive, args: &[Cow<'a, str>], frame: &Frame<'a>, state: &mut BlockState<'a>) -> bool {
        let at = d.name.span;
        if args.len() == 2 && !matches!(&*args[0], "=" | "^~" | "~" | "~*") {
            self.emit(Diagnostic::new(codes::LOCATION, at, format!("invalid location modifier \"{}\"", args[0])));
            return false;
        }
        let src_name = |n: &[u8]| String::from_utf8_lossy(n).into_owned();
        // Values (not raw) matter: read from the args already unescaped.
        let modifier = location_modifier(args);
        let name: &[u8] = match args {
            [_, n] => n.as_bytes(),
            [one] => &one.as_bytes()[modifier.len()..],
            _ => b"",
        };
        let (exact, regex, named) = (modifier == "=", matches!(modifier, "~" | "~*"), name.starts_with(b"@"));
        if frame.ctx == Context::Location {
            if let Some(parent) = &frame.location {
                let (child, pname) = (src_name(name), src_name(&parent.name));
                let msg = if parent.exact {
                    Some(format!("location \"{child}\" cannot be inside the exact location \"{pname}\""))
                } else if parent.named {
                    Some(format!("location \"{child}\" cannot be inside the named location \"{pname}\""))
                } else if named {
                    Some(format!("named location \"{child}\" can be on the server level only"))
                } else if !regex && !name.starts_with(&parent.name) {
                    Some(format!("location \"{child}\" is outside location \"{pname}\""))
                } else {
                    None
                };
                if let Some(msg) = msg {
                    self.emit(Diagnostic::new(codes::LOCATION, at, msg).with_label(parent.span, "enclosing location"));
                    return false;
                }
            }
        }
        if regex && !self.regex(at, &String::from_utf8_lossy(name)) {
            return false;
        }
        if !regex && !named {
            // Borrowed from the source unless unescaping changed the name.
            let name: Cow<'a, [u8]> = match args {
                [_, Cow::Borrowed(n)] => Cow::Borrowed(n.as_bytes()),
                [Cow::Borrowed(one)] => Cow::Borrowed(&one.as_bytes()[modifier.len()..]),
                _ => Cow::Owned(name.to_vec()),
            };
            let key = (exact, name);
            if let Some(&prev) = state.static_locations.get(&key) {
                let diag = Diagnostic::new(codes::DUPLICATE, at, format!("duplicate location \"{}\"", src_name(&key.1)))
                    .with_label(prev, "first defined here")
                    .with_phase(Phase::Locations as u8);
                self.emit(diag);
            } else {
                state.static_locations.insert(key, at);
            }
        }
        true
    }

    fn proxy_pass_uri(&mut self, at: Span, args: &[Cow<str>], frame: &Frame<'a>) -> bool {
        let url = args.first().map(|a| &**a).unwrap_or("");
        if url.contains('$') {
            return true;
        }
        let in_forbidden = frame.in_if_or_limit
            || frame.location.as_ref().is_some_and(|l| l.regex || l.named);
        if in_forbidden && has_uri_part(url) {
            self.emit(Diagnostic::new(
                codes::LOCATION,
                at,
                "\"proxy_pass\" cannot have URI part in location given by regular expression, or inside named location, or inside \"if\" statement, or inside \"limit_except\" block",
            ));
            return false;
        }
        true
    }

    fn return_code(&mut self, at: Span, args: &[Cow<str>]) -> bool {
        let first = args.first().map(|a| &**a).unwrap_or("");
        let bad = match values::num(first) {
            Some(n) => n > 999,
            None => {
                args.len() != 1
                    || !(first.starts_with("http://") || first.starts_with("https://") || first.starts_with("$scheme"))
            }
        };
        if bad {
            self.emit(Diagnostic::new(codes::INVALID_VALUE, at, format!("invalid return code \"{first}\"")));
            return false;
        }
        true
    }

    /// ngx_http_rewrite_if_condition, step by step.
    fn if_condition(&mut self, at: Span, args: &[Cow<str>]) -> bool {
        let mut v: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let bad = |s: &str| format!("invalid condition \"{s}\"");
        let regexes = &mut self.regexes;
        let msg = (|| {
            let last0 = v.len().checked_sub(1)?;
            if !v[0].starts_with('(') {
                return Some(bad(&v[0]));
            }
            let mut cur = 0;
            if v[0].len() == 1 {
                cur = 1;
            } else {
                v[0].remove(0);
            }
            let mut last = last0;
            if !v[last].ends_with(')') {
                return Some(bad(&v[last]));
            }
            if v[last].len() == 1 {
                last = last.checked_sub(1)?;
            } else {
                v[last].pop();
            }
            let p = v.get(cur)?.clone();
            if p.len() > 1 && p.starts_with('$') {
                if cur != last && cur + 2 != last {
                    return Some(bad(&p));
                }
                if cur == last {
                    return None;
                }
                let op = v.get(cur + 1)?.as_str();
                if matches!(op, "~" | "~*" | "!~" | "!~*") {
                    return v.get(cur + 2).and_then(|re| regexes.pcre_error(re)).map(|m| format!("\u{0}{m}"));
                }
                if matches!(op, "=" | "!=") {
                    return None;
                }
                return Some(format!("unexpected \"{op}\" in condition"));
            }
            if (p.len() == 2 && p.starts_with('-')) || (p.len() == 3 && p.starts_with("!-")) {
                if cur + 1 != last {
                    return Some(bad(&p));
                }
                let op = p.trim_start_matches('!');
                if matches!(op, "-f" | "-d" | "-e" | "-x") {
                    return None;
                }
                return Some(format!("unexpected \"{p}\" in condition"));
            }
            Some(bad(&p))
        })();
        match msg {
            Some(m) => {
                // A leading NUL marks a regex error (its own code).
                let diag = match m.strip_prefix('\u{0}') {
                    Some(re) => Diagnostic::new(codes::REGEX, at, re),
                    None => Diagnostic::new(codes::INVALID_VALUE, at, m),
                };
                self.emit(diag);
                false
            }
            None => true,
        }
    }

    /// Reports a pattern PCRE2 would reject; false when it does.
    fn regex(&mut self, at: Span, pattern: &str) -> bool {
        match self.regexes.pcre_error(pattern) {
            Some(m) => {
                self.emit(Diagnostic::new(codes::REGEX, at, m));
                false
            }
            None => true,
        }
    }

    /// `error_page code ... [=[response]] uri`.
    fn error_page(&mut self, at: Span, args: &[Cow<str>]) -> bool {
        let n = args.len();
        let codes_end = if n >= 3 && args[n - 2].starts_with('=') { n - 2 } else { n - 1 };
        for a in &args[..codes_end] {
            let msg = match values::num(a) {
                None => format!("invalid value \"{a}\""),
                Some(c) if !(300..=599).contains(&c) || c == 499 => format!("value \"{a}\" must be between 300 and 599"),
                Some(_) => continue,
            };
            self.emit(Diagnostic::new(codes::INVALID_VALUE, at, msg));
            return false;
        }
        true
    }

    /// `zone=name:size` / `keys_zone=name:size`: a size nginx can allocate.
    fn zone_size(&mut self, at: Span, args: &[Cow<str>], key: &str, min: u64, what: &str) -> bool {
        let Some(arg) = args.iter().find(|a| a.starts_with(key)) else { return true };
        if let Some((zone, _)) = arg[key.len()..].split_once(':') {
            self.zones.insert(zone.to_string());
        }
        let size = arg[key.len()..].rsplit_once(':').map(|(_, s)| s);
        let msg = match size.map(values::size) {
            None if key == "zone=" => format!("invalid zone size \"{arg}\""),
            None => return true,
            Some(None) => format!("invalid {what} size \"{arg}\""),
            Some(Some(n)) if n < min => format!("{what} \"{arg}\" is too small"),
            Some(Some(_)) => return true,
        };
        self.emit(Diagnostic::new(codes::INVALID_VALUE, at, msg));
        false
    }

    /// Entries of handler blocks.
    pub(super) fn entries(&mut self, doc: usize, d: &'a Directive, name: &str, frame: &Frame<'a>) {
        let Some(block) = d.block() else { return };
        self.entry_items(doc, &block.items, name, frame);
    }

    pub(super) fn entry_items(&mut self, doc: usize, items: &'a [Node], name: &str, frame: &Frame<'a>) {
        let mut stack: Vec<(usize, &'a [Node])> = vec![(doc, items)];
        let mut keys: rustc_hash::FxHashSet<String> = Default::default();
        let mut hostnames = false;
        let mut depth = 0;
        while let Some((doc, items)) = stack.pop() {
            depth += 1;
            if depth > crate::include::MAX_EXPANSION {
                return;
            }
            let src = self.src(doc);
            for node in items {
                let Node::Directive(e) = node else { continue };
                if !matches!(e.terminator, Terminator::Semicolon(_)) {
                    continue;
                }
                let words: Vec<String> = std::iter::once(&e.name)
                    .chain(&e.args)
                    .map(|w| super::nginx_text(&w.value(src)))
                    .collect();
                if words[0] == "include" && words.len() == 2 {
                    if let Some(inc) = self.config.include_at(doc, e) {
                        for &t in inc.targets.iter().rev() {
                            if !inc.cyclic.contains(&t) {
                                stack.push((t, &self.config.docs[t].doc.items));
                            }
                        }
                    }
                    continue;
                }
                self.vars.entry(name, e, &words, src, frame.ctx);
                let msg = match name {
                    "map" if words.len() == 2 && words[0] == "default" && !keys.insert("\0default".into()) => {
                        Some("duplicate default map parameter".to_string())
                    }
                    "map" if words.len() == 2
                        && words[0] != "default"
                        && !words[0].starts_with('~')
                        && !keys.insert(map_key(&words[0], hostnames)) =>
                    {
                        Some(format!("conflicting parameter \"{}\"", words[0]))
                    }
                    "map" => {
                        hostnames |= words.len() == 1 && words[0] == "hostnames";
                        let single = matches!(words[0].as_str(), "hostnames" | "volatile");
                        let re = words[0].strip_prefix("~*").or_else(|| words[0].strip_prefix('~'));
                        if let Some(m) = re.filter(|_| words.len() == 2).and_then(|re| self.regexes.pcre_error(re)) {
                            let mut diag = Diagnostic::new(codes::REGEX, e.name.span, m);
                            diag.anchor = Some(e.report_span());
                            self.emit(diag);
                            continue;
                        }
                        if (single && words.len() == 1) || words.len() == 2 {
                            None
                        } else {
                            Some("invalid number of the map parameters".to_string())
                        }
                    }
                    "geo" => {
                        let single = matches!(words[0].as_str(), "ranges" | "proxy_recursive");
                        let keyword = matches!(words[0].as_str(), "default" | "delete" | "proxy" | "include");
                        if single && words.len() == 1 {
                            None
                        } else if words.len() != 2 {
                            Some("invalid number of the geo parameters".to_string())
                        } else if !keyword && !valid_network(&words[0]) {
                            Some(format!("invalid network \"{}\"", words[0]))
                        } else {
                            None
                        }
                    }
                    "split_clients" => {
                        let pct = &words[0];
                        if words.len() != 2 {
                            Some("invalid number of arguments in \"split_clients\" directive".to_string())
                        } else if pct != "*" && !valid_percent(pct) {
                            Some(format!("invalid percent value \"{pct}\""))
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                if let Some(m) = msg {
                    let mut diag = Diagnostic::new(codes::INVALID_VALUE, e.name.span, m);
                    diag.anchor = Some(e.report_span());
                    self.emit(diag);
                }
            }
        }
    }

    /// Checks nginx makes when a block ends.
    pub(super) fn end_block(&mut self, d: &'a Directive, name: &str, inner: Context) {
        if name == "upstream" && matches!(inner, Context::Upstream | Context::StreamUpstream) {
            if self.upstream_servers == 0 {
                let at = d.block().and_then(|b| b.close).unwrap_or(d.name.span);
                self.emit(Diagnostic::new(codes::MISSING, at, "no servers are inside upstream").with_label(d.name.span, "this upstream"));
            }
            self.upstream_servers = 0;
        }
    }

    /// Checks nginx makes after the http block is read.
    pub(super) fn after_http(&mut self) {
        let servers = std::mem::take(&mut self.servers);
        let whole_http = self.whole_http();
        // Merging: a certificate (own or inherited) needs a key (own or inherited).
        let http_cert = self.http_certificate.clone();
        // Sets, not vector scans: thousands of servers and sockets must stay linear.
        let mut unkeyed: Vec<(Cow<'a, str>, Span)> = Vec::new();
        let mut unkeyed_at: rustc_hash::FxHashSet<Span> = Default::default();
        if let Some(c) = &http_cert {
            if !self.http_has_key {
                unkeyed_at.insert(c.1);
                unkeyed.push(c.clone());
            }
        }
        for s in &servers {
            let cert = s.first_certificate.as_ref().or(http_cert.as_ref());
            if let Some(c) = cert {
                if !s.has_key && !self.http_has_key && unkeyed_at.insert(c.1) {
                    unkeyed.push(c.clone());
                }
            }
        }
        for (cert, at) in unkeyed {
            let diag = Diagnostic::new(codes::MISSING, at, format!("no \"ssl_certificate_key\" is defined for certificate \"{cert}\""))
                .with_phase(Phase::Locations as u8);
            let diag = if whole_http { diag } else { diag.with_severity(super::snippet_severity(false)) };
            self.emit(diag);
        }
        // nginx checks the default server of each ssl socket (explicit default_server, else the
        // first server listening there); other servers may lack a certificate.
        // Per socket, in order of first ssl listen: (explicit default server, first server).
        let mut defaults: rustc_hash::FxHashMap<&str, (Option<usize>, usize)> = Default::default();
        for (i, s) in servers.iter().enumerate() {
            for (sock, _, default) in &s.listens {
                let e = defaults.entry(sock.as_str()).or_insert((None, i));
                if *default && e.0.is_none() {
                    e.0 = Some(i);
                }
            }
        }
        let mut ssl_sockets: Vec<&str> = Vec::new();
        let mut seen_sockets: rustc_hash::FxHashSet<&str> = Default::default();
        for s in &servers {
            for (sock, ssl, _) in &s.listens {
                if *ssl && seen_sockets.insert(sock.as_str()) {
                    ssl_sockets.push(sock);
                }
            }
        }
        let mut checked: rustc_hash::FxHashSet<usize> = Default::default();
        for sock in ssl_sockets {
            let Some(&(explicit, first)) = defaults.get(sock) else { continue };
            let i = explicit.unwrap_or(first);
            let s = &servers[i];
            if checked.contains(&i) || s.has_certificate || s.reject_handshake || self.http_has_cert {
                continue;
            }
            checked.insert(i);
            let at = s.span;
            let diag = Diagnostic::new(
                codes::MISSING,
                at,
                "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive",
            )
            .with_phase(Phase::PostConfiguration as u8)
            .with_help("add ssl_certificate and ssl_certificate_key to this server (or to http)");
            let diag = if whole_http { diag } else { diag.with_severity(super::snippet_severity(false)) };
            self.emit(diag);
        }
        for (target, at, anchor) in std::mem::take(&mut self.portless) {
            let host = target.to_ascii_lowercase();
            if !self.upstreams.contains_key(&host) {
                let mut diag = Diagnostic::new(codes::MISSING, at, format!("no port in upstream \"{target}\""))
                    .with_phase(Phase::Locations as u8)
                    .with_help("add a port, or define an upstream block of that name");
                diag.anchor = Some(anchor);
                if !self.whole() {
                    diag = diag.with_severity(super::snippet_severity(false));
                }
                self.emit(diag);
            }
        }
        // Zones and upstreams are often defined in another included file: only a whole
        // configuration proves them missing.
        let whole_http = self.whole();
        for (directive, zone, at) in std::mem::take(&mut self.cache_uses) {
            if !self.zones.contains(&zone) {
                let diag = Diagnostic::new(codes::MISSING, at, format!("\"{directive}\" zone \"{zone}\" is unknown"))
                    .with_phase(Phase::Locations as u8)
                    .with_help("define the zone with keys_zone= in a *_cache_path directive");
                self.emit(if whole_http { diag } else { diag.with_severity(super::snippet_severity(false)) });
            }
        }
        let mut reported: rustc_hash::FxHashSet<String> = Default::default();
        for (zone, at) in std::mem::take(&mut self.zone_uses) {
            if !self.zones.contains(&zone) && !reported.contains(&zone) {
                reported.insert(zone.clone());
                let diag = Diagnostic::new(codes::MISSING, at, format!("zero size shared memory zone \"{zone}\""))
                    .with_phase(Phase::Cycle as u8)
                    .with_help("define the zone with limit_req_zone / limit_conn_zone");
                self.emit(if whole_http { diag } else { diag.with_severity(super::snippet_severity(false)) });
            }
        }
        let whole = self.whole();
        self.unknown_variables(whole);
        self.conflicting_names(&servers);
        self.servers = servers;
    }

    fn conflicting_names(&mut self, servers: &[ServerInfo<'a>]) {
        // Keys borrow from the servers: one entry per (socket, name), no copies.
        let mut seen: rustc_hash::FxHashMap<(&str, &str), Span> = Default::default();
        // Sized up front: growing a map of a hundred thousand names rehashes it a dozen times.
        seen.reserve(servers.iter().map(|s| s.names.len() * s.listens.len().max(1)).sum());
        for s in servers {
            let sockets: Vec<&str> = if s.listens.is_empty() { vec!["0.0.0.0:80"] } else { s.listens.iter().map(|l| l.0.as_str()).collect() };
            for &sock in &sockets {
                for (n, at) in &s.names {
                    if n.is_empty() || n.starts_with('~') {
                        continue;
                    }
                    match seen.entry((sock, n.as_ref())) {
                        std::collections::hash_map::Entry::Occupied(prev) => {
                            let prev = *prev.get();
                            if prev != *at {
                                let diag = Diagnostic::new(
                                    codes::NGINX_WARNING,
                                    *at,
                                    format!("conflicting server name \"{n}\" on {sock}, ignored"),
                                )
                                .with_label(prev, "first used here")
                                .with_phase(Phase::Servers as u8);
                                self.emit(diag);
                            }
                        }
                        std::collections::hash_map::Entry::Vacant(v) => {
                            v.insert(*at);
                        }
                    }
                }
            }
        }
    }
}

/// A geo key: an address, a CIDR network or an address range.
fn valid_network(s: &str) -> bool {
    let addr = |a: &str| a.parse::<std::net::IpAddr>().is_ok();
    if let Some((a, b)) = s.split_once('-') {
        return addr(a) && addr(b);
    }
    match s.split_once('/') {
        Some((a, bits)) => addr(a) && bits.parse::<u8>().is_ok_and(|n| n <= if a.contains(':') { 128 } else { 32 }),
        None => addr(s),
    }
}

/// The host of `scheme://host:port/uri`, `host:port` or `host`.
fn host_of(target: &str) -> &str {
    let rest = target.split_once("://").map(|(_, r)| r).unwrap_or(target);
    let authority = rest.split('/').next().unwrap_or("");
    if authority.starts_with('[') {
        // `[v6]` with its closing bracket, or the whole unclosed authority.
        return authority.find(']').map_or(authority, |e| &authority[..=e]);
    }
    authority.rsplit_once(':').map(|(h, _)| h).unwrap_or(authority)
}

/// `host:port`, `[v6]:port`.
fn has_port(target: &str) -> bool {
    match target.rsplit_once(':') {
        Some((h, p)) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (!h.contains(':') || h.ends_with(']')),
        None => false,
    }
}

/// How map compares keys: case-insensitively; with `hostnames`, a leading `.`/`*.` names a suffix.
fn map_key(key: &str, _hostnames: bool) -> String {
    let k = key.strip_prefix('\\').unwrap_or(key);
    k.to_ascii_lowercase()
}

/// Values of bitmask directives, where the data lacks them (nginx's shared mask arrays).
fn bitmask_values(name: &str, spec: &DirectiveSpec) -> &'static [&'static str] {
    const IGNORE_HEADERS: &[&str] = &[
        "X-Accel-Redirect", "X-Accel-Expires", "X-Accel-Limit-Rate", "X-Accel-Buffering",
        "X-Accel-Charset", "Expires", "Cache-Control", "Set-Cookie", "Vary",
    ];
    const CACHE_METHODS: &[&str] = &["GET", "HEAD", "POST"];
    match spec.values() {
        [] if name.ends_with("_ignore_headers") => IGNORE_HEADERS,
        [] if name.ends_with("_cache_methods") => CACHE_METHODS,
        v => v,
    }
}

/// `expires [modified] time | epoch | max | off` (time may be negative or `@` a time of day).
fn valid_expires(args: &[Cow<str>]) -> bool {
    let v: Vec<&str> = args.iter().map(|a| &**a).collect();
    let v = match v.as_slice() {
        ["modified", t] => *t,
        [t] => *t,
        _ => return false,
    };
    if matches!(v, "epoch" | "max" | "off") || v.contains('$') {
        return true;
    }
    let t = v.strip_prefix('@').or_else(|| v.strip_prefix('-')).or_else(|| v.strip_prefix('+')).unwrap_or(v);
    values::time(t, true).is_some()
}

/// `ssl_session_cache off | none | [builtin[:size]] [shared:name:size]`.
fn valid_session_cache(v: &str) -> bool {
    match v {
        "off" | "none" | "builtin" => true,
        _ => {
            if let Some(n) = v.strip_prefix("builtin:") {
                return values::num(n).is_some();
            }
            match v.strip_prefix("shared:").and_then(|r| r.rsplit_once(':')) {
                Some((name, size)) => !name.is_empty() && values::size(size).is_some(),
                None => false,
            }
        }
    }
}

fn has_value(spec: &DirectiveSpec, v: &str) -> bool {
    spec.values().iter().any(|x| x.eq_ignore_ascii_case(v))
}

fn location_modifier<'s>(args: &'s [Cow<str>]) -> &'s str {
    match args {
        [m, _] => m,
        [one] => {
            for m in ["=", "^~", "~*", "~"] {
                if one.starts_with(m) {
                    return m;
                }
            }
            ""
        }
        _ => "",
    }
}

/// A URL with something after the host part (`http://h/`, `http://h:1/x`, `http://unix:/s:/x`).
fn has_uri_part(url: &str) -> bool {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    if let Some(path) = rest.strip_prefix("unix:") {
        return path.contains(':');
    }
    rest.contains('/')
}

fn valid_percent(p: &str) -> bool {
    let Some(n) = p.strip_suffix('%') else { return false };
    let mut parts = n.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit()) && frac.len() <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_parts() {
        assert!(has_uri_part("http://127.0.0.1/"));
        assert!(has_uri_part("http://b:8080/x"));
        assert!(!has_uri_part("http://backend"));
        assert!(!has_uri_part("http://unix:/tmp/s.sock"));
        assert!(has_uri_part("http://unix:/tmp/s.sock:/x"));
    }

    #[test]
    fn percents() {
        assert!(valid_percent("0.5%") && valid_percent("50%") && !valid_percent("50") && !valid_percent("a%"));
    }
}
