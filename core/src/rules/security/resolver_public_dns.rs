use crate::declare_rule;
use crate::rules::{Findings, RuleContext};

/// Well-known public recursive resolvers (Google, Cloudflare, Quad9, OpenDNS, Level3, Verisign,
/// Comodo, AdGuard, Yandex).
const PUBLIC: &[&str] = &[
    "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "1.1.1.2", "1.0.0.2", "1.1.1.3", "1.0.0.3", "9.9.9.9", "9.9.9.10",
    "9.9.9.11", "149.112.112.112", "149.112.112.10", "208.67.222.222", "208.67.220.220", "208.67.222.123",
    "208.67.220.123", "4.2.2.1", "4.2.2.2", "4.2.2.3", "4.2.2.4", "4.2.2.5", "4.2.2.6", "64.6.64.6", "64.6.65.6",
    "8.26.56.26", "8.20.247.20", "94.140.14.14", "94.140.15.15", "77.88.8.8", "77.88.8.1",
    "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111", "2606:4700:4700::1001", "2620:fe::fe",
    "2620:fe::9", "2620:119:35::35", "2620:119:53::53",
];

/// The address of a `resolver` argument (`8.8.8.8`, `8.8.8.8:53`, `[2001:db8::1]:53`).
fn host(arg: &str) -> &str {
    if let Some(rest) = arg.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match arg.split_once(':') {
        Some((h, p)) if !p.contains(':') => h,
        _ => arg,
    }
}

declare_rule! {
    /// `resolver` points at a public DNS service (8.8.8.8, 1.1.1.1, 9.9.9.9, ...): nginx sends
    /// unencrypted queries across the internet and does not validate DNSSEC.
    ///
    /// ## Why
    /// nginx's resolver is a plain UDP stub: answers from a distant public resolver can be spoofed
    /// or intercepted on the way, and the names nginx resolves (upstreams, OCSP responders) are
    /// then attacker-chosen. A resolver on the host or in the local network keeps queries on a
    /// path you control.
    ///
    /// ## Bad
    /// ```nginx
    /// resolver 8.8.8.8 1.1.1.1;
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// resolver 127.0.0.53 valid=30s;
    /// ```
    ///
    /// ## Fix
    /// Point `resolver` at a local caching resolver (systemd-resolved, unbound, dnsmasq) or the
    /// network's own (e.g. the cloud VPC resolver).
    ///
    /// ## Limits
    /// Only the well-known public resolver addresses are recognised; hostnames in `resolver` are
    /// not judged.
    pub(crate) RULE {
        code: "SEC013",
        name: "resolver-public-dns",
        category: Security,
        severity: Info,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    for (_, it) in cx.named("resolver") {
        let public: Vec<&str> = it.args.iter().filter(|a| !a.contains('=')).map(|a| host(a)).filter(|h| PUBLIC.contains(h)).collect();
        if public.is_empty() {
            continue;
        }
        out.report(it.span(), format!("resolver uses the public DNS service {}: queries cross the internet unvalidated and can be spoofed", public.join(", ")))
            .with_help_mut("use a resolver on this host or in your network (e.g. `resolver 127.0.0.53;`)");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        assert_eq!(findings("SEC013", "resolver 8.8.8.8 8.8.4.4 valid=300s;").len(), 1);
        let f = findings("SEC013", "resolver 10.0.0.2 [2606:4700:4700::1111]:53 1.1.1.1:53;");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("2606:4700:4700::1111, 1.1.1.1"), "{}", f[0].message);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC013", "resolver 127.0.0.11 valid=10s;").is_empty());
        assert!(findings("SEC013", "resolver 10.8.8.8 [::1]:5353;").is_empty());
    }
}
