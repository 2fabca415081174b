//! TLS, certificates, client-address trust and security headers.

use super::{show, Context, Draft, CERTIFICATE_CHANGED, CERTIFICATE_REMOVED, REAL_IP_CHANGED, SECURITY_HEADERS_DROPPED, TLS_NARROWED};
use crate::diff::{ChangeKind, Level, Node, Tree};
use crate::risk::Tier;
use std::collections::{BTreeMap, HashSet};

pub fn run(cx: &Context<'_>, out: &mut Vec<Draft>) {
    for (ci, c) in cx.changes() {
        if c.block {
            continue;
        }
        let d = match (c.directive.as_str(), c.kind) {
            ("ssl_certificate", ChangeKind::Removed) => cx
                .for_change(CERTIFICATE_REMOVED, ci, format!("certificate {} removed", show(&c.before)))
                .explain("TLS servers under this level lose a certificate: clients that needed it (its key type or its names) fail the handshake"),
            ("ssl_certificate", ChangeKind::Modified | ChangeKind::Added) => {
                let d = cx
                    .for_change(CERTIFICATE_CHANGED, ci, format!("certificate {} -> {}", show(&c.before), show(&c.after)))
                    .explain("if the new certificate does not cover every name these servers answer for, or its chain is incomplete, browsers refuse the connection")
                    .verify(format!(
                        "openssl x509 -noout -subject -ext subjectAltName -enddate -in {} on the target; then openssl s_client -connect <host>:443 -servername <name> for each name",
                        show(&c.after)
                    ));
                if c.level == Level::Http {
                    d.tier(Tier::TrafficLoss).confidence(0.85).modifier("http level: every TLS server that does not set its own", 1.0)
                } else {
                    d
                }
            }
            ("ssl_certificate_key", _) => {
                cx.claim(ci);
                continue;
            }
            ("ssl_protocols", _) => {
                let set = |v: &Option<Vec<String>>| v.clone().unwrap_or_default();
                let (o, n) = (set(&c.before), set(&c.after));
                let lost: Vec<&String> = o.iter().filter(|p| !n.contains(p)).collect();
                if lost.is_empty() {
                    cx.for_change(TLS_NARROWED, ci, format!("ssl_protocols {} -> {} (widened)", show(&c.before), show(&c.after)))
                        .tier(Tier::Hardening)
                        .explain("older protocols are weaker: accept them only for clients that need them")
                } else {
                    cx.for_change(TLS_NARROWED, ci, format!("ssl_protocols drops {}", lost.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")))
                        .explain("clients that only speak the dropped protocols (old Android, Java 7, embedded devices, some monitors) fail the handshake")
                        .verify("openssl s_client -connect <host>:443 -tls1_1 (and each dropped protocol) before and after; check your TLS client statistics")
                }
            }
            ("ssl_ciphers", _) => cx
                .for_change(TLS_NARROWED, ci, format!("ssl_ciphers {} -> {}", show(&c.before), show(&c.after)))
                .confidence(0.7)
                .explain("a different cipher list can leave some clients without a common cipher")
                .verify("nmap --script ssl-enum-ciphers -p 443 <host> before and after"),
            ("set_real_ip_from" | "real_ip_header" | "real_ip_recursive", _) => cx
                .for_change(REAL_IP_CHANGED, ci, format!("{} {} -> {}", c.directive, show(&c.before), show(&c.after)))
                .explain("the client address nginx uses changes: allow/deny, limit_req/limit_conn keys, geo and logs now see other addresses (or spoofable ones)")
                .verify("log $remote_addr and $realip_remote_addr on a staging node and compare with the real client"),
            _ => continue,
        };
        out.push(d);
    }
    headers(cx, out);
}

use crate::rules::security::add_header_inheritance::SECURITY_HEADERS;

/// The security headers each http/server/location block sends, after `add_header` inheritance
/// (a level with any `add_header` replaces its parent's list), by block path: the blocks whose
/// path starts with one of `scopes` (where `add_header` changed; only there can a list differ).
fn effective(tree: &Tree, scopes: &[String]) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out = BTreeMap::new();
    type Out = BTreeMap<String, Vec<(String, String)>>;
    /// The scopes, and their distinct lengths (sorted): the prefixes of a path worth looking up.
    struct Scopes<'s> {
        set: HashSet<&'s str>,
        lens: Vec<usize>,
    }
    impl Scopes<'_> {
        /// Some scope of at least `from` bytes is a (string) prefix of `path`.
        fn prefix_of(&self, path: &str, from: usize) -> bool {
            let lens = &self.lens[self.lens.partition_point(|&l| l < from)..];
            lens.iter().take_while(|&&l| l <= path.len()).any(|&l| path.is_char_boundary(l) && self.set.contains(&path[..l]))
        }
    }
    // `within`: the path starts with a scope. A child's path extends its parent's, so only a
    // scope longer than the parent's path can newly match it.
    fn walk(nodes: &[Node], path: &str, within: bool, inherited: &[(String, String)], scopes: &Scopes, out: &mut Out, depth: usize) {
        if depth > 256 {
            return;
        }
        let own: Vec<(String, String)> = nodes
            .iter()
            .filter(|n| n.name == "add_header" && !n.is_block())
            .filter_map(|n| Some((n.args.first()?.to_ascii_lowercase(), n.args.get(1).map(|v| v.to_string()).unwrap_or_default())))
            .collect();
        let here: &[(String, String)] = if own.is_empty() { inherited } else { &own };
        if within {
            let sec: Vec<(String, String)> = here.iter().filter(|(h, _)| SECURITY_HEADERS.contains(&h.as_str())).cloned().collect();
            out.insert(path.to_string(), sec);
        }
        for n in nodes {
            if matches!(&*n.name, "http" | "server" | "location" | "if") && n.is_block() {
                let p = if path.is_empty() { n.label() } else { format!("{path} > {}", n.label()) };
                let inside = within || scopes.prefix_of(&p, path.len() + 1);
                walk(n.children(), &p, inside, here, scopes, out, depth + 1);
            }
        }
    }
    let mut lens: Vec<usize> = scopes.iter().map(String::len).collect();
    lens.sort_unstable();
    lens.dedup();
    let scopes = Scopes { set: scopes.iter().map(String::as_str).collect(), lens };
    let root = scopes.prefix_of("", 0);
    walk(&tree.items, "", root, &[], &scopes, &mut out, 0);
    out
}

fn headers(cx: &Context<'_>, out: &mut Vec<Draft>) {
    // Claim the add_header changes of security headers: the inheritance check explains them.
    let mut sources: Vec<usize> = Vec::new();
    for (ci, c) in cx.changes() {
        if c.directive == "add_header" {
            sources.push(ci);
        }
    }
    // Effective lists differ only at or below a level whose add_header changed; other blocks'
    // paths are never built into the maps (they would be a string per block of both trees).
    let mut scopes: Vec<String> = sources.iter().map(|&ci| cx.i.diff.changes[ci].scope.join(" > ")).collect();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return;
    }
    let (eb, ea) = (effective(cx.i.before.tree, &scopes), effective(cx.i.after.tree, &scopes));
    let mut reported = 0;
    let hsts = |l: &[(String, String)]| l.iter().find(|(h, _)| h == "strict-transport-security").map(|(_, v)| v.clone());
    // What a block loses and whether its HSTS was raised.
    let verdict = |path: &str| -> Option<(Vec<String>, bool)> {
        let (before, after) = (eb.get(path)?, ea.get(path)?);
        let lost: Vec<String> = before.iter().filter(|(h, _)| !after.iter().any(|(a, _)| a == h)).map(|(h, _)| h.clone()).collect();
        let raised = match (hsts(before), hsts(after)) {
            (Some(o), Some(n)) => max_age(&n) > max_age(&o) || (n.contains("preload") && !o.contains("preload")),
            (None, Some(_)) => true,
            _ => false,
        };
        Some((lost, raised))
    };
    for path in eb.keys() {
        let Some((lost, raised)) = verdict(path) else { continue };
        if lost.is_empty() && !raised {
            continue;
        }
        // Report where it starts: blocks that only inherit their parent's loss are covered by it.
        if let Some((parent, _)) = path.rsplit_once(" > ") {
            if verdict(parent).is_some_and(|(pl, pr)| pl == lost && pr == raised) {
                continue;
            }
        }
        let lost: Vec<&str> = lost.iter().map(String::as_str).collect();
        // One finding per block path; attach the add_header change under it when there is one.
        // The add_header change inside this block, else one at an enclosing level it inherits.
        let ci = sources.iter().copied().find(|&ci| cx.i.diff.changes[ci].path.starts_with(path.as_str())).or_else(|| {
            sources.iter().copied().find(|&ci| {
                let scope = cx.i.diff.changes[ci].scope.join(" > ");
                !scope.is_empty() && path.starts_with(scope.as_str())
            })
        });
        let base = match ci {
            Some(ci) => cx.for_change(SECURITY_HEADERS_DROPPED, ci, String::new()),
            None => Draft::new(SECURITY_HEADERS_DROPPED, String::new()).path(path.clone()).share(0.5, "one block"),
        };
        let d = if !lost.is_empty() {
            Draft { message: format!("{} no longer sends {}", if path.is_empty() { "main" } else { path }, lost.join(", ")), ..base }
                .explain("add_header is inherited only by levels that define none: a nested add_header silently drops every header set above it")
                .verify("curl -sI the affected URLs before and after and compare the security headers")
        } else {
            Draft { message: format!("{path}: HSTS raised or preload added"), ..base }
                .modifier("hard to roll back: browsers remember HSTS for max-age", 1.2)
                .explain("browsers refuse plain HTTP for the host for max-age seconds; a rollback cannot undo that")
                .verify("check every subdomain covered (includeSubDomains) serves valid HTTPS before raising HSTS")
        };
        out.push(d);
        reported += 1;
        if reported >= 20 {
            break;
        }
    }
    for ci in sources {
        cx.claim(ci);
    }
}

fn max_age(v: &str) -> u64 {
    v.split(';').find_map(|p| p.trim().strip_prefix("max-age=")).and_then(|n| n.trim_matches('"').parse().ok()).unwrap_or(0)
}
