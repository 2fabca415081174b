//! The risk rules: each turns changes (or what the analyses say) into findings. They are grouped
//! by what they watch (loading, sockets and servers, request handling, limits, TLS and trust,
//! observability); each rule's catalogue entry carries its documentation.

mod handling;
mod limits;
mod loading;
mod observability;
mod sockets;
mod trust;

use super::traffic::{self, Traffic};
use super::{BlastRadius, Category, Finding, Inputs, Modifier, RiskLevel, Tier};
use crate::diff::{Change, ChangeKind, Level};
use serde::Serialize;
use std::cell::{Cell, OnceCell};
use std::collections::HashMap;

/// A risk rule's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct RiskRule {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub tier: Tier,
    /// What it finds and why it matters.
    pub doc: &'static str,
}

macro_rules! risk_rules {
    ($( $(#[doc = $doc:literal])+ $id:ident = ($code:literal, $name:literal, $cat:ident, $tier:ident); )*) => {
        $(
            $(#[doc = $doc])+
            pub const $id: RiskRule = RiskRule {
                code: $code,
                name: $name,
                category: Category::$cat,
                tier: Tier::$tier,
                doc: concat!($($doc, "\n"),+),
            };
        )*
        /// Every risk rule, in code order.
        pub fn catalog() -> &'static [RiskRule] {
            &[$($id),*]
        }
    };
}

risk_rules! {
    /// The new configuration has an error nginx reports (syntax, unknown directive, wrong
    /// context, missing include, duplicate, ...): `nginx -t` fails, a reload is refused and a
    /// restart leaves nginx down.
    CONFIG_REFUSED = ("RSK001", "config-refused", Availability, Fatal);
    /// The new configuration loads on one nginx version of the fleet but not on another (e.g.
    /// `http2 on;` before 1.25.1): the old machines refuse it.
    VERSION_SKEW = ("RSK002", "version-skew", Availability, Fatal);
    /// A glob `include` that matched files now matches none (or far fewer): nginx loads without a
    /// word and the servers those files defined vanish.
    INCLUDE_EMPTIED = ("RSK003", "include-emptied", Availability, TrafficLoss);
    /// A listen socket that carried servers is gone (connections refused), or a server left a
    /// socket (its hosts there now reach the default server).
    LISTEN_REMOVED = ("RSK004", "listen-removed", Availability, TrafficLoss);
    /// A new address or port: every target must be able to bind it, or a restart fails.
    LISTEN_ADDED = ("RSK005", "listen-added", Availability, Behaviour);
    /// A serving virtual host lost server names: those requests go to the default server.
    SERVER_NAME_CHANGED = ("RSK006", "server-name-changed", Routing, TrafficLoss);
    /// Another server now takes requests for unknown hosts on a socket (the `default_server`
    /// flag moved, or the first server changed).
    DEFAULT_SERVER_CHANGED = ("RSK007", "default-server-changed", Routing, TrafficLoss);
    /// A server block is gone: its hosts fall to the default server of its sockets.
    SERVER_REMOVED = ("RSK008", "server-removed", Routing, TrafficLoss);
    /// A location is gone: its requests now match another location (or 404).
    LOCATION_REMOVED = ("RSK009", "location-removed", Routing, TrafficLoss);
    /// `proxy_pass` (or fastcgi/uwsgi/scgi/grpc/memcached_pass) sends requests to another backend.
    PROXY_TARGET_CHANGED = ("RSK010", "proxy-target-changed", Routing, Behaviour);
    /// The URI part of `proxy_pass` changed (a trailing slash, a path): every proxied path is
    /// remapped.
    PROXY_URI_CHANGED = ("RSK011", "proxy-uri-changed", Routing, TrafficLoss);
    /// Upstream members removed, marked down or backup, or weights skewed: less capacity; no live
    /// member means every request fails.
    UPSTREAM_CAPACITY = ("RSK012", "upstream-capacity", Availability, Limits);
    /// A server-wide redirect or permanent rewrite: everything moves, and browsers cache 301/308.
    REDIRECT_ADDED = ("RSK013", "redirect-added", Routing, Behaviour);
    /// Regex locations are tried in order: a reorder or a new regex above others changes which
    /// location serves a URI.
    REGEX_ORDER_CHANGED = ("RSK014", "regex-order-changed", Routing, Behaviour);
    /// allow/deny added, removed or reordered (first match wins), `deny all`, a server-wide
    /// `return 4xx`, or authentication added: who gets in changes.
    ACCESS_CONTROL_CHANGED = ("RSK015", "access-control-changed", Security, Behaviour);
    /// `root` or `alias` changed: files are served from somewhere else.
    ROOT_CHANGED = ("RSK016", "root-changed", Routing, TrafficLoss);
    /// A certificate removed while TLS servers remain: clients needing it fail the handshake.
    CERTIFICATE_REMOVED = ("RSK017", "certificate-removed", Tls, TrafficLoss);
    /// A certificate swapped: if it does not cover every name it now serves, browsers refuse.
    CERTIFICATE_CHANGED = ("RSK018", "certificate-changed", Tls, Behaviour);
    /// Protocols or ciphers narrowed: older clients fail the handshake.
    TLS_NARROWED = ("RSK019", "tls-narrowed", Tls, Behaviour);
    /// Real-IP trust changed: the client address seen by allow/deny, limits and logs changes.
    REAL_IP_CHANGED = ("RSK020", "real-ip-changed", Security, Behaviour);
    /// `client_max_body_size` lowered (an explicit value removed means 1m): uploads get 413.
    BODY_SIZE_LOWERED = ("RSK021", "body-size-lowered", Availability, Limits);
    /// Fewer connections or new/lower request and connection limits: 503s under load.
    CONNECTION_LIMITS_LOWERED = ("RSK022", "connection-limits-lowered", Availability, Limits);
    /// Timeouts or buffers lowered: 504s, 502s and 400s for slow or large requests under load.
    BUFFERS_TIMEOUTS_LOWERED = ("RSK023", "buffers-timeouts-lowered", Performance, Limits);
    /// A nested `add_header` replaced the inherited list and dropped security headers, or HSTS
    /// was raised (hard to roll back).
    SECURITY_HEADERS_DROPPED = ("RSK024", "security-headers-dropped", Security, Hardening);
    /// Access logging turned off, log formats changed, or error logging reduced.
    LOGGING_REDUCED = ("RSK025", "logging-reduced", Observability, Observability);
    /// A new server or location that takes no existing traffic.
    ROUTING_ADDED = ("RSK026", "routing-added", Routing, Additive);
    /// A backend named by host name: nginx resolves it when it loads, and refuses to start if DNS
    /// fails.
    NEW_UPSTREAM_HOSTNAME = ("RSK027", "new-upstream-hostname", Availability, Limits);
    /// A new regex with nested quantifiers on a request path: catastrophic backtracking on
    /// crafted input.
    REGEX_COST = ("RSK028", "regex-cost", Performance, TrafficLoss);
    /// A map grew a lot, lost entries or had its regex entries reordered.
    MAP_CHANGED = ("RSK029", "map-changed", Routing, Limits);
    /// The new configuration has a security or availability warning the old one did not.
    NEW_LINT_FINDING = ("RSK030", "new-lint-finding", Security, Hardening);
    /// Any other change: listed for review, scored low.
    DIRECTIVE_CHANGED = ("RSK031", "directive-changed", Routing, Unclassified);
}

/// Shared state of one assessment.
pub struct Context<'a> {
    pub i: &'a Inputs<'a>,
    pub before: Traffic,
    pub after: Traffic,
    claimed: Vec<Cell<bool>>,
    /// The servers (after) whose handlers name each `*_pass` host, in index order: built once.
    pass_users: OnceCell<HashMap<String, Vec<usize>>>,
}

/// A finding before scoring.
pub struct Draft {
    pub rule: RiskRule,
    pub message: String,
    pub path: String,
    pub share: f64,
    pub scope: String,
    pub confidence: f64,
    pub modifiers: Vec<Modifier>,
    pub explanation: String,
    pub verify: String,
    pub change: Option<usize>,
    pub tier: Option<Tier>,
    /// Positions when the finding is not about one change (an error, a socket).
    pub spans: (Option<crate::Span>, Option<crate::Span>),
}

impl Draft {
    pub fn new(rule: RiskRule, message: impl Into<String>) -> Draft {
        Draft {
            rule,
            message: message.into(),
            path: String::new(),
            share: 1.0,
            scope: "the whole configuration".into(),
            confidence: 1.0,
            modifiers: Vec::new(),
            explanation: String::new(),
            verify: String::new(),
            change: None,
            tier: None,
            spans: (None, None),
        }
    }
    /// Where, on each side.
    pub fn at(mut self, before: Option<crate::Span>, after: Option<crate::Span>) -> Draft {
        self.spans = (before, after);
        self
    }
    pub fn share(mut self, share: f64, scope: impl Into<String>) -> Draft {
        self.share = share.clamp(0.0, 1.0);
        self.scope = scope.into();
        self
    }
    pub fn confidence(mut self, c: f64) -> Draft {
        self.confidence = c;
        self
    }
    pub fn modifier(mut self, reason: impl Into<String>, factor: f64) -> Draft {
        self.modifiers.push(Modifier { reason: reason.into(), factor });
        self
    }
    pub fn explain(mut self, e: impl Into<String>) -> Draft {
        self.explanation = e.into();
        self
    }
    pub fn verify(mut self, v: impl Into<String>) -> Draft {
        self.verify = v.into();
        self
    }
    pub fn path(mut self, p: impl Into<String>) -> Draft {
        self.path = p.into();
        self
    }
    /// Overrides the rule's tier (a rule whose worst case depends on the change).
    pub fn tier(mut self, t: Tier) -> Draft {
        self.tier = Some(t);
        self
    }
}

/// `min(1.5, 0.75 + 0.25 x log2(old/new))`: the size of a limit cut.
pub fn magnitude(old: f64, new: f64) -> f64 {
    if new <= 0.0 {
        return 1.5;
    }
    (0.75 + 0.25 * (old / new).log2()).clamp(0.75, 1.5)
}

impl<'a> Context<'a> {
    pub fn new(i: &'a Inputs<'a>) -> Context<'a> {
        Context {
            before: Traffic::new(i.before.model(), i.before.tree, i.policy),
            after: Traffic::new(i.after.model(), i.after.tree, i.policy),
            claimed: (0..i.diff.changes.len()).map(|_| Cell::new(false)).collect(),
            pass_users: OnceCell::new(),
            i,
        }
    }

    pub fn changes(&self) -> impl Iterator<Item = (usize, &'a Change)> + 'a {
        self.i.diff.changes.iter().enumerate()
    }

    pub fn claim(&self, c: usize) {
        if let Some(x) = self.claimed.get(c) {
            x.set(true);
        }
    }

    /// The share of traffic a change touches, and how that was estimated.
    pub fn share_of(&self, c: &Change) -> (f64, String) {
        match c.level {
            Level::Main | Level::Events => (1.0, "main/events level: every request".into()),
            Level::Http => (1.0, "http level: every server".into()),
            Level::Stream | Level::Mail | Level::Other => (1.0, format!("{} level", c.scope.first().map_or("main", String::as_str))),
            Level::Upstream => {
                let name = c.scope.iter().find_map(|s| s.strip_prefix("upstream ")).unwrap_or("");
                self.upstream_share(name)
            }
            Level::Server | Level::Location => {
                // Traffic as it is before the change.
                let server = match c.servers {
                    (Some(i), _) => self.before.server(i),
                    (None, Some(j)) => self.after.server(j),
                    _ => 1.0,
                };
                let loc = if c.level == Level::Location { traffic::location_share(c.location.as_deref()) } else { 1.0 };
                let what = if c.level == Level::Location { "one location of one server" } else { "one server" };
                (server * loc, format!("{what}: {:.0}% of requests", 100.0 * server * loc))
            }
        }
    }

    /// Servers whose handlers name upstream `name`, by their share.
    pub fn upstream_share(&self, name: &str) -> (f64, String) {
        let by_host = self.pass_users.get_or_init(|| {
            let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
            for (&i, &n) in &traffic::server_nodes(self.i.after.tree) {
                let mut stack = vec![n];
                while let Some(x) = stack.pop() {
                    if let Some(a) = x.args.first().filter(|_| x.name.ends_with("_pass")) {
                        let users = by_host.entry(pass_host(a).0).or_default();
                        if users.last() != Some(&i) {
                            users.push(i);
                        }
                    }
                    stack.extend(x.children());
                }
            }
            by_host
        });
        let users: &[usize] = by_host.get(name).map_or(&[], Vec::as_slice);
        if users.is_empty() {
            return (0.5, format!("upstream {name} (no server found using it)"));
        }
        let share = self.after.servers(users);
        (share, format!("upstream {name}: used by {} server(s), {:.0}% of requests", users.len(), 100.0 * share))
    }

    /// A request that shows the change (on the side where it exists).
    pub fn curl_for(&self, c: &Change) -> String {
        match c.servers {
            (_, Some(j)) => traffic::curl(self.i.after.model(), j, c.location.as_deref()),
            (Some(i), None) => traffic::curl(self.i.before.model(), i, c.location.as_deref()),
            _ => "replay a sample of production requests against a staging node and compare status codes".into(),
        }
    }

    /// A draft for a change, with its path, share and check filled in.
    pub fn for_change(&self, rule: RiskRule, ci: usize, message: impl Into<String>) -> Draft {
        let c = &self.i.diff.changes[ci];
        self.claim(ci);
        let (share, scope) = self.share_of(c);
        let mut d = Draft::new(rule, message).share(share, scope).path(c.path.clone());
        d.change = Some(ci);
        d.verify = self.curl_for(c);
        d
    }

    fn finish(&self, d: Draft) -> Option<Finding> {
        let policy = self.i.policy;
        let ov = policy.rule(d.rule.name, d.rule.code);
        let tier = d.tier.unwrap_or(d.rule.tier);
        if tier != Tier::Fatal && ov.and_then(|o| o.enabled) == Some(false) {
            return None;
        }
        let base = ov.and_then(|o| o.points).unwrap_or_else(|| policy.tiers.of(tier));
        let factor: f64 = d.modifiers.iter().map(|m| m.factor).product();
        let b = 0.5 + 0.5 * d.share;
        let score = (base * factor).min(100.0) * b * d.confidence;
        let change = d.change.and_then(|i| self.i.diff.changes.get(i));
        Some(Finding {
            rule: d.rule.name,
            code: d.rule.code,
            category: d.rule.category,
            tier,
            level: RiskLevel::Low,
            score,
            message: d.message,
            path: d.path,
            base,
            modifiers: d.modifiers,
            blast_radius: BlastRadius { share: (d.share * 1000.0).round() / 1000.0, factor: (b * 1000.0).round() / 1000.0, scope: d.scope },
            confidence: d.confidence,
            explanation: d.explanation,
            verify: d.verify,
            before_span: d.spans.0.or_else(|| change.and_then(|c| c.before_span)),
            after_span: d.spans.1.or_else(|| change.and_then(|c| c.after_span)),
            change: d.change,
        })
    }
}

/// `http://10.0.0.1:8080/api/` -> (`10.0.0.1:8080`, Some(`/api/`)); `app` -> (`app`, None).
pub fn pass_host(target: &str) -> (String, Option<String>) {
    let rest = target.split_once("://").map_or(target, |(_, r)| r);
    if rest.starts_with("unix:") {
        // unix:/path:/uri
        let mut parts = rest.splitn(3, ':');
        let host = format!("{}:{}", parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        return (host, parts.next().map(str::to_string));
    }
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), Some(rest[i..].to_string())),
        None => (rest.to_string(), None),
    }
}

/// Runs every rule; changes no rule claimed become low-scored `directive-changed` findings.
pub fn run(cx: &Context<'_>) -> Vec<Finding> {
    let mut drafts = Vec::new();
    loading::run(cx, &mut drafts);
    sockets::run(cx, &mut drafts);
    handling::run(cx, &mut drafts);
    limits::run(cx, &mut drafts);
    trust::run(cx, &mut drafts);
    observability::run(cx, &mut drafts);
    // A lint finding a risk rule already explains is not listed twice.
    const EXPLAINED: [(&str, RiskRule); 1] = [("SEC010", SECURITY_HEADERS_DROPPED)];
    let present: Vec<&str> = drafts.iter().map(|d| d.rule.name).collect();
    drafts.retain(|d| {
        d.rule != NEW_LINT_FINDING
            || !EXPLAINED.iter().any(|(code, by)| d.message.starts_with(&format!("new {code} ")) && present.contains(&by.name))
    });
    for (ci, c) in cx.changes() {
        if cx.claimed[ci].get() {
            continue;
        }
        let msg = match c.kind {
            ChangeKind::Added => format!("`{}` added", c.path),
            ChangeKind::Removed => format!("`{}` removed", c.path),
            ChangeKind::Modified => format!("`{}` changed", c.path),
            ChangeKind::Reordered => format!("`{}` reordered", c.path),
        };
        let d = cx
            .for_change(DIRECTIVE_CHANGED, ci, msg)
            .confidence(0.4)
            .explain("no risk rule knows this directive; review what it does on the paths it covers");
        drafts.push(d);
    }
    drafts.into_iter().filter_map(|d| cx.finish(d)).collect()
}

/// Joined arguments, for messages.
pub fn show(v: &Option<Vec<String>>) -> String {
    match v {
        Some(a) if a.is_empty() => "(on)".into(),
        Some(a) => a.join(" "),
        None => "(unset)".into(),
    }
}

/// The number a canonical value stands for (0 = unlimited where `zero_unlimited`).
pub fn number(name: &str, v: &Option<Vec<String>>) -> Option<f64> {
    let args = v.as_ref()?;
    let key = crate::diff::tree::canonical(name, args);
    match key.as_slice() {
        [one] => one.parse::<f64>().ok(),
        // `4 8k` buffers: their total.
        [n, size] => Some(n.parse::<f64>().ok()? * size.parse::<f64>().ok()?),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) use handling::nested_quantifier as handling_nested_quantifier;
