use crate::risk::{Policy, RiskLevel};
use crate::{compare, CompareOptions, SourceSet};

pub(crate) fn assess_files(a: &[(&str, &str)], b: &[(&str, &str)], opts: &CompareOptions) -> crate::Comparison {
    let side = |files: &[(&str, &str)]| {
        let mut set = SourceSet::new();
        let ids: Vec<_> = files.iter().map(|(p, t)| set.add(*p, *t)).collect();
        (set, ids[0])
    };
    let (fa, ma) = side(a);
    let (fb, mb) = side(b);
    compare(&fa, ma, &fb, mb, opts)
}

fn assess(a: &str, b: &str) -> crate::Comparison {
    assess_files(&[("/etc/nginx/nginx.conf", a)], &[("/etc/nginx/nginx.conf", b)], &CompareOptions::default())
}

const SITE: &str = "events {}\nhttp {\n  client_max_body_size 50m;\n  server {\n    listen 80;\n    server_name a.example;\n    location / { proxy_pass http://10.0.0.1; }\n    location /api/ { proxy_pass http://10.0.0.2/; }\n  }\n  server {\n    listen 80;\n    server_name b.example;\n    root /srv/b;\n  }\n}\n";

fn top(c: &crate::Comparison) -> &str {
    c.assessment().findings.first().map_or("", |f| f.rule)
}

#[test]
fn identical_and_reformatted_configs_score_zero() {
    let c = assess(SITE, SITE);
    assert_eq!((c.assessment().score, c.assessment().level), (0, RiskLevel::Low));
    assert!(c.assessment().findings.is_empty());
    let reformatted = SITE.replace("  ", "\t").replace("50m", "51200k") + "# trailing comment\n";
    let c = assess(SITE, &reformatted);
    assert_eq!(c.assessment().score, 0, "{:?}", c.assessment().findings);
}

#[test]
fn an_error_is_critical_and_blocking() {
    let c = assess(SITE, &SITE.replace("root /srv/b;", "root /srv/b"));
    let a = c.assessment();
    assert!(a.blocking);
    assert_eq!((a.level, a.score), (RiskLevel::Critical, 100));
    assert_eq!(top(&c), "config-refused");
    assert_eq!(a.recommendation.as_str(), "block");
}

#[test]
fn moving_the_only_port_is_critical() {
    let c = assess(SITE, &SITE.replace("listen 80;", "listen 8080;"));
    assert_eq!(c.assessment().level, RiskLevel::Critical, "{:#?}", c.assessment().findings);
    assert_eq!(top(&c), "listen-removed");
    assert!(c.assessment().findings.iter().any(|f| f.rule == "listen-added"));
}

#[test]
fn removing_a_body_size_falls_back_to_one_megabyte() {
    let c = assess(SITE, &SITE.replace("  client_max_body_size 50m;\n", ""));
    let f = &c.assessment().findings[0];
    assert_eq!(f.rule, "body-size-lowered");
    assert!(f.message.contains("50m -> 1m"), "{}", f.message);
    assert!(matches!(c.assessment().level, RiskLevel::Medium | RiskLevel::High));
}

#[test]
fn proxy_uri_and_target_changes_are_told_apart() {
    let c = assess(SITE, &SITE.replace("http://10.0.0.2/;", "http://10.0.0.2;"));
    assert_eq!(top(&c), "proxy-uri-changed");
    let c = assess(SITE, &SITE.replace("http://10.0.0.2/;", "http://10.0.0.9/;"));
    assert_eq!(top(&c), "proxy-target-changed");
}

#[test]
fn an_additive_server_stays_low() {
    let b = SITE.replace("}\n}\n", "}\n  server { listen 80; server_name c.example; root /srv/c; }\n}\n");
    let c = assess(SITE, &b);
    assert_eq!(c.assessment().level, RiskLevel::Low, "{:#?}", c.assessment().findings);
    assert_eq!(top(&c), "routing-added");
}

#[test]
fn version_skew_on_an_old_fleet() {
    let b = SITE.replace("listen 80;\n    server_name a.example;", "listen 80;\n    http2 on;\n    server_name a.example;");
    let opts = CompareOptions {
        policy: Policy { targets: vec![crate::spec::NginxVersion::V1_22, crate::spec::NginxVersion::Latest], ..Policy::default() },
        ..CompareOptions::default()
    };
    let c = assess_files(&[("/etc/nginx/nginx.conf", SITE)], &[("/etc/nginx/nginx.conf", &b)], &opts);
    assert_eq!(top(&c), "version-skew", "{:#?}", c.assessment().findings);
    assert!(c.assessment().blocking);
}

#[test]
fn security_only_findings_cannot_exceed_medium() {
    let a = "events {}\nhttp { server { listen 80; add_header Strict-Transport-Security max-age=31536000; location / { root /srv; } } }\n";
    let b = "events {}\nhttp { server { listen 80; add_header Strict-Transport-Security max-age=31536000; location / { root /srv; add_header Cache-Control no-cache; } } }\n";
    let c = assess(a, b);
    assert_eq!(top(&c), "security-headers-dropped", "{:#?}", c.assessment().findings);
    assert!(c.assessment().level <= RiskLevel::Medium);
}

#[test]
fn policy_can_switch_a_rule_off_but_not_a_fatal_one() {
    let mut opts = CompareOptions::default();
    opts.policy.rules.insert("listen-removed".into(), crate::risk::RuleOverride { enabled: Some(false), points: None });
    opts.policy.rules.insert("config-refused".into(), crate::risk::RuleOverride { enabled: Some(false), points: None });
    let c = assess_files(&[("/etc/nginx/nginx.conf", SITE)], &[("/etc/nginx/nginx.conf", &SITE.replace("listen 80;", "listen 8080;"))], &opts);
    assert!(!c.assessment().findings.iter().any(|f| f.rule == "listen-removed"));
    let c = assess_files(&[("/etc/nginx/nginx.conf", SITE)], &[("/etc/nginx/nginx.conf", "events {")], &opts);
    assert_eq!(top(&c), "config-refused");
}

#[test]
fn nested_quantifiers_are_found() {
    use crate::risk::rules::handling_nested_quantifier as nq;
    assert!(nq("^/(a+)+$"));
    assert!(nq("(\\w+\\s?)*x"));
    assert!(!nq("^/api/(v1|v2)/.*$"));
    assert!(!nq("\\.(png|jpg)$"));
}

#[test]
fn every_rule_has_docs_and_a_unique_code() {
    let rules = crate::risk::catalog();
    assert!(rules.len() >= 30);
    for (i, r) in rules.iter().enumerate() {
        assert!(!r.doc.trim().is_empty(), "{}", r.name);
        assert!(rules[..i].iter().all(|o| o.code != r.code && o.name != r.name), "{}", r.name);
    }
}

#[test]
fn stream_sockets_are_judged_too() {
    let a = "events {}\nstream { server { listen 5432; proxy_pass 10.0.0.5:5432; } }\n";
    let c = assess(a, &a.replace("listen 5432", "listen 5433"));
    assert_eq!(top(&c), "listen-removed");
    assert!(c.assessment().level >= RiskLevel::Medium);
}

#[test]
fn risk_rule_docs_are_exported() {
    let docs = crate::api::risk_rules();
    assert_eq!(docs.len(), crate::risk::catalog().len());
    let r = docs.iter().find(|r| r.code == "RSK003").expect("RSK003");
    assert!(r.docs.starts_with("# RSK003 include-emptied\n") && r.docs.contains("glob"), "{}", r.docs);
    let skew = docs.iter().find(|r| r.code == "RSK002").expect("RSK002");
    assert!(skew.summary.ends_with("`http2 on;` before 1.25.1): the old machines refuse it"), "{}", skew.summary);
}
