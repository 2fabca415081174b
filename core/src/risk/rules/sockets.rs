//! Which server answers on which socket, for which names: the traffic surface itself.

use super::{Context, Draft, DEFAULT_SERVER_CHANGED, LISTEN_ADDED, LISTEN_REMOVED, LOCATION_REMOVED, ROUTING_ADDED, SERVER_NAME_CHANGED, SERVER_REMOVED};
use crate::diff::{ChangeKind, Level};
use crate::model::ServerName;
use crate::risk::traffic::{self, Sockets};
use crate::risk::Tier;

pub fn run(cx: &Context<'_>, out: &mut Vec<Draft>) {
    sockets(cx, out);
    names(cx, out);
    defaults(cx, out);
    blocks(cx, out);
}

/// Before-server index -> after-server index, for matched servers.
fn pairs(cx: &Context<'_>) -> std::collections::HashMap<usize, usize> {
    cx.i.diff.server_pairs.iter().filter_map(|p| Some((p.0?, p.1?))).collect()
}

fn sockets(cx: &Context<'_>, out: &mut Vec<Draft>) {
    let (mb, ma) = (cx.i.before.model(), cx.i.after.model());
    let matched = pairs(cx);
    let (after, before) = (Sockets::new(ma), Sockets::new(mb));
    let (sb, sa) = (&before.map, &after.map);
    // Listen changes are explained by the socket findings below.
    for (ci, c) in cx.changes() {
        if c.directive == "listen" && matches!(c.level, Level::Server) {
            cx.claim(ci);
        }
        // Stream (TCP/UDP) servers: the model covers http only, so judge the directive itself.
        if c.directive == "listen" && c.level == Level::Stream && !c.block {
            let d = match c.kind {
                ChangeKind::Added => cx
                    .for_change(LISTEN_ADDED, ci, format!("new stream socket {}", c.after.as_ref().map(|a| a.join(" ")).unwrap_or_default()))
                    .confidence(0.7)
                    .explain("a restart fails when the port is taken or the address is not assignable on a target"),
                _ => cx
                    .for_change(LISTEN_REMOVED, ci, format!("stream listen {} -> {}", super::show(&c.before), super::show(&c.after)))
                    .share(0.5, "one stream server")
                    .explain("TCP/UDP clients of the old socket get connection refused (or no answer) after the reload"),
            };
            out.push(d);
        }
    }
    let n_sockets = sb.len().max(1) as f64;
    for (socket, servers) in sb {
        if sa.contains_key(socket) {
            // Servers that left this socket while others stay: their hosts go to the default.
            for &i in servers {
                let Some(&j) = matched.get(&i) else { continue };
                if after.listens(socket, j) {
                    continue;
                }
                let share = cx.before.server(i);
                out.push(
                    Draft::new(LISTEN_REMOVED, format!("{} no longer listens on {socket}: its requests there go to the default server of {socket}", mb.servers[i].label()))
                        .path(ma.servers[j].label())
                        .at(traffic::listen_span(mb, i, socket), Some(ma.servers[j].span))
                        .share(share, format!("one server: {:.0}% of requests", share * 100.0))
                        .explain("clients still connect to the old socket; nginx picks that socket's default server for them, usually the wrong site or a 404")
                        .verify(traffic::curl(mb, i, None)),
                );
            }
            continue;
        }
        let share = cx.before.servers(servers).max(1.0 / n_sockets);
        let label = labels(mb, servers);
        out.push(
            Draft::new(LISTEN_REMOVED, format!("nothing listens on {socket} any more: connections to it are refused ({label})"))
                .path(format!("http > listen {socket}"))
                .at(servers.first().and_then(|&i| traffic::listen_span(mb, i, socket)), None)
                .share(share, format!("socket {socket}: {} server(s), {:.0}% of requests", servers.len(), share * 100.0))
                .modifier("connections refused outright", 1.25)
                .explain("every client of this address and port gets `connection refused` after the reload; nginx -t cannot know the port was in use")
                .verify(servers.first().map(|&i| traffic::curl(mb, i, None)).unwrap_or_default()),
        );
    }
    for (socket, servers) in sa {
        if sb.contains_key(socket) {
            continue;
        }
        let port = socket.rsplit(':').next().unwrap_or("");
        let label = labels(ma, servers);
        out.push(
            Draft::new(LISTEN_ADDED, format!("new socket {socket} ({label}): every target must be able to bind it"))
                .path(format!("http > listen {socket}"))
                .at(None, servers.first().and_then(|&j| traffic::listen_span(ma, j, socket)))
                .share(1.0, "restart of the whole instance")
                .confidence(0.7)
                .explain("a reload keeps running if the bind fails, but a restart or a new machine fails to start nginx when the port is taken or the address is not assignable")
                .verify(format!("ss -ltn 'sport = :{port}' on every target (expect nothing listening) and check the address exists there")),
        );
    }
}

/// The servers on a socket, for a message: the first few and how many more.
fn labels(model: &crate::model::Model, servers: &[usize]) -> String {
    crate::report::joined_some(servers.iter().map(|&i| model.servers[i].label()), 6, "servers")
}

fn names(cx: &Context<'_>, out: &mut Vec<Draft>) {
    for (ci, c) in cx.changes() {
        if c.directive != "server_name" || c.level != Level::Server {
            continue;
        }
        let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default();
        let (old, new) = (list(&c.before), list(&c.after));
        let old_set: std::collections::HashSet<&str> = old.iter().map(String::as_str).collect();
        let new_set: std::collections::HashSet<&str> = new.iter().map(String::as_str).collect();
        let lost: Vec<&String> = old.iter().filter(|n| !new_set.contains(n.as_str())).collect();
        let gained: Vec<&String> = new.iter().filter(|n| !old_set.contains(n.as_str())).collect();
        if lost.is_empty() {
            let d = cx
                .for_change(ROUTING_ADDED, ci, format!("server_name gains {}", gained.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")))
                .explain("new names take requests that used to reach the default server of the socket");
            out.push(d);
            continue;
        }
        let share = c.servers.0.map_or(1.0, |i| cx.before.server(i)) * lost.len() as f64 / old.len().max(1) as f64;
        let lost_s = lost.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
        let d = cx
            .for_change(SERVER_NAME_CHANGED, ci, format!("server_name no longer has {lost_s}: those requests go to the default server"))
            .share(share, format!("{} of {} name(s) of one server", lost.len(), old.len()))
            .explain("a request's Host picks the server; a name that is gone falls to the default server of the socket, usually the wrong site");
        let verify = match (lost.first(), c.servers.0) {
            (Some(h), Some(i)) => format!("{} (before and after)", traffic::curl_host(cx.i.before.model(), i, None, Some(h))),
            _ => String::new(),
        };
        out.push(d.verify(verify));
    }
}

fn defaults(cx: &Context<'_>, out: &mut Vec<Draft>) {
    let (mb, ma) = (cx.i.before.model(), cx.i.after.model());
    let matched = pairs(cx);
    let (sb, sa) = (Sockets::new(mb), Sockets::new(ma));
    for socket in sb.map.keys().filter(|s| sa.map.contains_key(*s)) {
        let (Some(db), Some(da)) = (sb.default_server(socket), sa.default_server(socket)) else { continue };
        if matched.get(&db) == Some(&da) {
            continue;
        }
        let share = (cx.before.server(db) + cx.after.server(da)).min(1.0);
        // Paths the old default answered (health checks, ACME) that the new one lacks.
        // Exact locations and health/ACME-like prefixes: what probes and IP-addressed clients use.
        let probe = |l: &crate::model::Location| {
            l.modifier == crate::model::Modifier::Exact
                || ["health", "status", "ping", "ready", "alive", ".well-known"].iter().any(|k| l.pattern.contains(k))
        };
        let paths = |m: &crate::model::Model, i: usize| m.servers[i].locations.iter().filter(|l| !l.modifier.is_regex() && probe(l)).map(|l| l.label()).collect::<Vec<_>>();
        let new_paths = paths(ma, da);
        let lost: Vec<String> = paths(mb, db).into_iter().filter(|p| !new_paths.contains(p)).collect();
        let mut d = Draft::new(DEFAULT_SERVER_CHANGED, format!("default server for {socket} changes from {} to {}", mb.servers[db].label(), ma.servers[da].label()))
            .path(format!("http > listen {socket}"))
            .at(traffic::listen_span(mb, db, socket), traffic::listen_span(ma, da, socket))
            .share(share, format!("default server of {socket}: its own hosts plus every unmatched Host"))
            .confidence(0.7)
            .explain("requests with an unknown or missing Host (health checks, IP access, new DNS names) now reach another server")
            .verify(format!("curl -sS -o /dev/null -w '%{{http_code}}\\n' -H 'Host: unknown.invalid' http://{}/", socket.replace("0.0.0.0", "127.0.0.1").replace("[::]", "[::1]")));
        if !lost.is_empty() {
            let shown: Vec<&str> = lost.iter().take(3).map(String::as_str).collect();
            d = d
                .confidence(0.9)
                .modifier(format!("the new default has no {} (health checks and IP-addressed requests get another answer)", shown.join(", ")), 1.25);
        }
        out.push(d);
    }
}

fn blocks(cx: &Context<'_>, out: &mut Vec<Draft>) {
    let mb = cx.i.before.model();
    let names_before: std::collections::HashSet<String> = mb
        .servers
        .iter()
        .flat_map(|s| s.names.iter())
        .filter_map(|n| match n {
            ServerName::Exact(h) => Some(h.clone()),
            _ => None,
        })
        .collect();
    for (ci, c) in cx.changes() {
        if !c.block {
            continue;
        }
        match (c.kind, c.directive.as_str(), c.level) {
            (ChangeKind::Removed, "server", Level::Server) => {
                let d = cx
                    .for_change(SERVER_REMOVED, ci, format!("{} removed", c.path.rsplit(" > ").next().unwrap_or("")))
                    .explain("its hosts now reach the default server of their sockets (or nothing listens any more)");
                out.push(d);
            }
            (ChangeKind::Added, "server", Level::Server) => {
                let takes: Vec<String> = c
                    .servers
                    .1
                    .map(|j| cx.i.after.model().servers[j].names.iter().filter_map(|n| match n {
                        ServerName::Exact(h) if names_before.contains(h) => Some(h.clone()),
                        _ => None,
                    }).collect())
                    .unwrap_or_default();
                let d = if takes.is_empty() {
                    cx.for_change(ROUTING_ADDED, ci, format!("new {}", c.path.rsplit(" > ").next().unwrap_or("")))
                        .explain("a new virtual host with names no server had: existing traffic is unaffected")
                } else {
                    cx.for_change(ROUTING_ADDED, ci, format!("new server takes over {} from an existing server", takes.join(" ")))
                        .tier(Tier::Behaviour)
                        .explain("nginx keeps the first server for a duplicate name (with a warning): check which one answers")
                };
                out.push(d);
            }
            (ChangeKind::Removed, "location", _) => {
                let d = cx
                    .for_change(LOCATION_REMOVED, ci, format!("{} removed: its URIs now match another location", c.path.rsplit(" > ").next().unwrap_or("")))
                    .explain("requests it served fall to the longest remaining prefix (often `/`): other handler, other root, maybe 404");
                out.push(d);
            }
            (ChangeKind::Added, "location", _) if c.detail.is_none() => {
                let d = cx
                    .for_change(ROUTING_ADDED, ci, format!("new {}", c.path.rsplit(" > ").next().unwrap_or("")))
                    .share(0.0, "new URIs only")
                    .explain("a new location takes only the URIs it matches better than the existing ones");
                out.push(d);
            }
            _ => {}
        }
    }
}
