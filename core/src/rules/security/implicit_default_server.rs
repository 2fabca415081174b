use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, Item, RuleContext};
use crate::source::Span;
use std::collections::BTreeMap;

/// The servers on one socket: (server index, its listen; None = implicit `*:80`).
type OnSocket = Vec<(usize, Option<Span>)>;

declare_rule! {
    /// Several servers listen on one address and port and none is marked `default_server`: the
    /// first one in reading order silently answers every request whose Host matches no
    /// `server_name`.
    ///
    /// ## Why
    /// Requests with an unknown or missing Host (scanners, clients using the IP, misconfigured
    /// DNS) go to the socket's default server. Without `default_server` that is whichever server
    /// comes first, often a real site, which then serves its content (and cookies, admin pages)
    /// under arbitrary Host names, and changes when include files are renamed.
    ///
    /// ## Bad
    /// ```nginx
    /// server { listen 80; server_name app.example.com; }
    /// server { listen 80; server_name www.example.com; }
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// server { listen 80 default_server; return 444; }
    /// server { listen 80; server_name app.example.com; }
    /// server { listen 80; server_name www.example.com; }
    /// ```
    ///
    /// ## Fix
    /// Add a dedicated catch-all server with `listen ... default_server` (often `return 444;`),
    /// or mark the intended one (safe fix: marks the current first server, which changes
    /// nothing but makes it explicit).
    ///
    /// ## Limits
    /// Only reported on a whole configuration. Sockets are compared as written (address and
    /// port); a server without `listen` counts as `*:80`; unix sockets are not looked at.
    pub(crate) RULE {
        code: "SEC020",
        name: "implicit-default-server",
        category: Security,
        severity: Info,
        whole_config: true,
        check: check,
    }
}

/// The other servers on the socket pointed at, at most.
const MAX_LABELS: usize = 5;

fn check(cx: &RuleContext, out: &mut Findings) {
    // socket -> (server index, listen span or None for an implicit *:80), in reading order
    let mut sockets: BTreeMap<String, OnSocket> = BTreeMap::new();
    let mut defaults: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (s, server) in cx.model.servers.iter().enumerate() {
        if server.listens.is_empty() {
            sockets.entry("0.0.0.0:80".into()).or_default().push((s, None));
        }
        for l in &server.listens {
            let e = sockets.entry(l.socket()).or_default();
            // Servers are pushed in order: this one can only be the last entry.
            if e.last().map(|(x, _)| *x) != Some(s) {
                e.push((s, Some(l.span)));
            }
            if l.default_server {
                defaults.insert(l.socket());
            }
        }
    }
    // Sockets served by the same servers (IPv4 and IPv6 of one port) are reported together.
    // (Groups found by their server list in a map: searching the groups per socket is quadratic.)
    let mut groups: Vec<(Vec<String>, Vec<OnSocket>)> = Vec::new();
    let mut group_of: rustc_hash::FxHashMap<Vec<usize>, usize> = Default::default();
    for (socket, servers) in sockets {
        if servers.len() < 2 || defaults.contains(&socket) {
            continue;
        }
        let ids: Vec<usize> = servers.iter().map(|(s, _)| *s).collect();
        match group_of.get(&ids) {
            Some(&k) => {
                groups[k].0.push(socket);
                groups[k].1.push(servers);
            }
            None => {
                group_of.insert(ids, groups.len());
                groups.push((vec![socket], vec![servers]));
            }
        }
    }
    // The listen directives by span, for the fixes (the first listen of a span, as a search would).
    let mut listen_at: rustc_hash::FxHashMap<Span, &Item> = Default::default();
    if !groups.is_empty() {
        for (_, it) in cx.named("listen") {
            listen_at.entry(it.span()).or_insert(it);
        }
    }
    for (names, group) in groups {
        let servers = &group[0];
        let (first, span) = servers[0];
        let server = &cx.model.servers[first];
        let d = out.report(
            span.unwrap_or(server.span),
            format!(
                "{} servers listen on {} and none is default_server: the first, {}, answers requests for any unknown Host",
                servers.len(),
                names.join(" and "),
                server.label()
            ),
        );
        // A few of the others are enough to find the socket's servers; thousands of labels
        // helped no reader and made rendering quadratic.
        let shown = &servers[1..servers.len().min(MAX_LABELS + 1)];
        for (k, &(s, sp)) in shown.iter().enumerate() {
            let more = servers.len() - 1 - shown.len();
            let message = if k + 1 == shown.len() && more > 0 { format!("also on this socket (and {more} more servers)") } else { "also on this socket".into() };
            d.labels.push(crate::report::Label { span: sp.unwrap_or(cx.model.servers[s].span), message });
        }
        d.help = Some(format!("add a catch-all server with `listen {} default_server;` (e.g. `return 444;`) or mark the intended one", names[0]));
        // Mark the first server explicitly: insert after the last argument of its listen(s).
        let edits: Vec<Edit> = group
            .iter()
            .filter_map(|servers| servers[0].1)
            .filter_map(|sp| listen_at.get(&sp))
            .filter_map(|it| it.directive.args.last())
            .map(|last| Edit { span: Span { start: last.span.end, end: last.span.end, ..last.span }, replacement: " default_server".into() })
            .collect();
        if edits.len() == group.len() {
            d.fix = Some(Fix { message: "make the first server the explicit default_server".into(), safe: true, edits });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("SEC020", "events {}\nhttp {\nserver { listen 80; server_name a.example.com; }\nserver { listen 80; server_name b.example.com; }\n}\n");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("0.0.0.0:80") && f[0].message.contains("a.example.com"), "{}", f[0].message);
        let f = findings("SEC020", "events {}\nhttp {\nserver { listen 80; listen [::]:80; server_name a; }\nserver { listen 80; listen [::]:80; server_name b; }\n}\n");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("0.0.0.0:80 and [::]:80"), "{}", f[0].message);
        assert_eq!(f[0].fix.as_ref().unwrap().edits.len(), 2);
        let f = findings("SEC020", "events {}\nhttp {\nserver { server_name a; }\nserver { server_name b; listen 443 ssl default_server; listen 80; }\n}\n");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn many_servers_get_a_few_labels_and_a_count() {
        let servers: String = (0..40).map(|i| format!("server {{ listen 80; server_name s{i}.example; }}\n")).collect();
        let f = findings("SEC020", format!("events {{}}\nhttp {{\n{servers}}}\n"));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.starts_with("40 servers listen on 0.0.0.0:80"), "{}", f[0].message);
        assert_eq!(f[0].labels.len(), super::MAX_LABELS);
        assert_eq!(f[0].labels.last().unwrap().message, "also on this socket (and 34 more servers)");
        let three: String = (0..3).map(|i| format!("server {{ listen 80; server_name s{i}.example; }}\n")).collect();
        let f = findings("SEC020", format!("events {{}}\nhttp {{\n{three}}}\n"));
        assert!(f[0].labels.iter().all(|l| l.message == "also on this socket") && f[0].labels.len() == 2);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC020", "events {}\nhttp {\nserver { listen 80; server_name a; }\nserver { listen 80 default_server; server_name b; }\n}\n").is_empty());
        assert!(findings("SEC020", "events {}\nhttp {\nserver { listen 80; server_name a; }\nserver { listen 8080; server_name b; }\n}\n").is_empty());
        assert!(findings("SEC020", "events {}\nhttp {\nserver { listen 10.0.0.1:80; }\nserver { listen 10.0.0.2:80; }\n}\n").is_empty());
    }
}
