use crate::declare_rule;
use crate::rules::{Edit, Findings, Fix, RuleContext};
use crate::source::Span;

const WEAK_PROTOCOLS: &[&str] = &["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"];
/// Markers of broken or weak suites inside an OpenSSL cipher string element.
const WEAK_MARKERS: &[&str] = &["RC4", "DES", "MD5", "NULL", "EXP", "ADH", "AECDH", "LOW", "MEDIUM"];
/// Cipher groups that include anonymous (unauthenticated) suites unless `!aNULL` removes them.
const WITH_ANON: &[&str] = &["ALL", "HIGH", "MEDIUM", "LOW"];

/// Weak elements of an OpenSSL cipher string, in order.
fn weak_ciphers(list: &str) -> Vec<String> {
    let elems: Vec<&str> = list.split([':', ',', ' ']).filter(|e| !e.is_empty()).collect();
    // `!X`/`-X` removes every suite matching X: an element naming X is covered.
    let removed: Vec<String> =
        elems.iter().filter_map(|e| e.strip_prefix('!').or_else(|| e.strip_prefix('-'))).map(|e| e.to_ascii_uppercase()).collect();
    let mut weak = Vec::new();
    for e in &elems {
        if e.starts_with(['!', '-', '+', '@']) {
            continue;
        }
        let up = e.to_ascii_uppercase();
        if removed.iter().any(|r| !r.is_empty() && up.contains(r.as_str())) {
            continue;
        }
        // "DES" also matches "3DES"/"DES-CBC3"; "NULL" matches eNULL/aNULL; "EXP" EXPORT.
        if up.split(['+', '-']).any(|part| WEAK_MARKERS.iter().any(|m| part.contains(m))) {
            weak.push(e.to_string());
        } else if up.split('+').any(|part| WITH_ANON.contains(&part)) && !removed.iter().any(|r| r == "ANULL" || r == "ADH") {
            weak.push(format!("{e} (includes anonymous suites without !aNULL)"));
        }
    }
    weak
}

declare_rule! {
    /// `ssl_protocols` enables SSLv2, SSLv3, TLSv1 or TLSv1.1, or `ssl_ciphers` lets in broken
    /// suites (RC4, DES/3DES, MD5, NULL, EXPORT, anonymous) — below Mozilla's "intermediate"
    /// profile.
    ///
    /// ## Why
    /// SSLv3 (POODLE), TLS 1.0 and 1.1 (BEAST, deprecated by RFC 8996) and the listed ciphers
    /// allow downgrades, decryption or unauthenticated connections. Mozilla's intermediate
    /// profile, compatible with every browser of the last decade, uses `TLSv1.2 TLSv1.3` and
    /// ECDHE/DHE AEAD suites only.
    ///
    /// ## Bad
    /// ```nginx
    /// ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    /// ssl_ciphers HIGH:RC4:3DES;
    /// ```
    ///
    /// ## Good
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    /// ```
    ///
    /// ## Fix
    /// Remove the old protocols (unsafe fix: clients limited to them can no longer connect) and
    /// use Mozilla's intermediate cipher list, or exclude the weak ones (`:!RC4:!3DES:!aNULL`).
    ///
    /// ## Limits
    /// Only explicit directives: nginx before 1.23.4 enables TLSv1 and TLSv1.1 by default, which
    /// is not reported. Cipher strings are read element by element, not expanded like OpenSSL
    /// does; `ssl_prefer_server_ciphers` is not judged. Applies to `ssl_*`, `proxy_ssl_*`,
    /// `grpc_ssl_*` and `uwsgi_ssl_*` alike.
    pub(crate) RULE {
        code: "SEC022",
        name: "weak-tls",
        category: Security,
        severity: Warning,
        check: check,
    }
}

fn check(cx: &RuleContext, out: &mut Findings) {
    let tls = cx.named_where(|n| n.ends_with("ssl_protocols") || n.ends_with("ssl_ciphers"));
    for it in tls.into_iter().map(|i| cx.item(i)) {
        if it.name.ends_with("ssl_protocols") {
            let weak: Vec<usize> = (0..it.args.len()).filter(|&a| WEAK_PROTOCOLS.contains(&&*it.args[a])).collect();
            if weak.is_empty() {
                continue;
            }
            let names: Vec<&str> = weak.iter().map(|&a| &*it.args[a]).collect();
            let d = out.report(it.span(), format!("{} enables {}: obsolete and attackable protocols", it.name, names.join(", ")));
            d.help = Some(format!("use `{} TLSv1.2 TLSv1.3;`", it.name));
            if weak.len() < it.args.len() {
                let words = &it.directive.args;
                let edits = weak
                    .iter()
                    .map(|&a| {
                        let prev = if a == 0 { it.directive.name.span } else { words[a - 1].span };
                        Edit { span: Span { start: prev.end, end: words[a].span.end, ..prev }, replacement: String::new() }
                    })
                    .collect();
                d.fix = Some(Fix { message: format!("remove {}", names.join(", ")), safe: false, edits });
            }
        } else if it.name.ends_with("ssl_ciphers") {
            let weak = weak_ciphers(it.arg(0));
            if weak.is_empty() {
                continue;
            }
            out.report(it.span(), format!("{} \"{}\" admits weak suites: {}", it.name, it.arg(0), weak.join(", ")))
                .with_help_mut("use Mozilla's intermediate cipher list, or exclude them (`:!aNULL:!eNULL:!RC4:!3DES:!MD5:!EXPORT`)");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tests::findings;

    #[test]
    fn triggers() {
        let f = findings("SEC022", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("TLSv1, TLSv1.1"));
        assert_eq!(f[0].fix.as_ref().unwrap().edits.len(), 2);
        let f = findings("SEC022", "ssl_ciphers HIGH:RC4-SHA:DES-CBC3-SHA;");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("HIGH (includes anonymous suites without !aNULL), RC4-SHA, DES-CBC3-SHA"), "{}", f[0].message);
        // !aNULL does not remove eNULL
        assert_eq!(findings("SEC022", "ssl_ciphers HIGH:eNULL:!aNULL;").len(), 1);
    }

    #[test]
    fn look_alikes_do_not() {
        assert!(findings("SEC022", "ssl_protocols TLSv1.2 TLSv1.3;").is_empty());
        assert!(findings("SEC022", "ssl_ciphers HIGH:!aNULL:!MD5;").is_empty());
        assert!(findings("SEC022", "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES256-GCM-SHA384;").is_empty());
        assert!(findings("SEC022", "ssl_ciphers EECDH+AESGCM:EDH+AESGCM:!RC4:!DES;").is_empty());
        assert!(findings("SEC022", "ssl_ciphers ALL:!aNULL:!eNULL:!RC4-MD5:!3DES;").is_empty());
    }
}
