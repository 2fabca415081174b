use super::*;
use crate::include::{resolve, IncludeOptions};

/// Diffs two multi-file configurations (`[(path, text)]`, the first file is the main one).
pub(crate) fn diff_files(a: &[(&str, &str)], b: &[(&str, &str)]) -> Diff {
    let side = |files: &[(&str, &str)]| {
        let mut set = SourceSet::new();
        let ids: Vec<_> = files.iter().map(|(p, t)| set.add(*p, *t)).collect();
        let (config, _) = resolve(&set, ids[0], &IncludeOptions::default());
        (set, config)
    };
    let (fa, ca) = side(a);
    let (fb, cb) = side(b);
    diff(Side { files: &fa, config: &ca }, Side { files: &fb, config: &cb }, NginxVersion::Latest)
}

fn changes(a: &str, b: &str) -> Vec<Change> {
    diff_files(&[("/etc/nginx/nginx.conf", a)], &[("/etc/nginx/nginx.conf", b)]).changes
}

fn paths(ch: &[Change]) -> Vec<String> {
    ch.iter().map(|c| format!("{:?} {}", c.kind, c.path)).collect()
}

const BASE: &str = "events {}\nhttp {\n  client_max_body_size 10m;\n  server {\n    listen 80;\n    server_name a.example;\n    location / { proxy_pass http://10.0.0.1; }\n    location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }\n    location ~ ^/api { proxy_pass http://10.0.0.2; }\n  }\n}\n";

#[test]
fn formatting_and_comments_are_not_changes() {
    let b = "# a comment\nevents { }\nhttp {\n\n client_max_body_size  \"10m\";   # same\n server { listen 80; server_name a.example;\n location / {\n proxy_pass http://10.0.0.1;\n }\n location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }\n location ~ ^/api { proxy_pass 'http://10.0.0.2'; }\n}\n}\n";
    assert!(changes(BASE, b).is_empty(), "{:?}", paths(&changes(BASE, b)));
}

#[test]
fn canonical_units_compare_equal() {
    let b = BASE.replace("10m;", "10240k;");
    assert!(changes(BASE, &b).is_empty());
    let t1 = "events {}\nhttp { proxy_read_timeout 60s; keepalive_timeout 1m; }\n";
    let t2 = "events {}\nhttp { proxy_read_timeout 1m; keepalive_timeout 60; }\n";
    assert!(changes(t1, t2).is_empty(), "{:?}", paths(&changes(t1, t2)));
}

#[test]
fn moving_text_into_an_include_is_not_a_change() {
    let a = [("/etc/nginx/nginx.conf", "events {}\nhttp { server { listen 80; server_name x; } }\n")];
    let b = [
        ("/etc/nginx/nginx.conf", "events {}\nhttp { include conf.d/*.conf; }\n"),
        ("/etc/nginx/conf.d/x.conf", "server {\n  listen 80;\n  server_name x;\n}\n"),
    ];
    assert!(diff_files(&a, &b).changes.is_empty());
}

#[test]
fn an_emptied_glob_include_is_reported_with_what_vanished() {
    let a = [
        ("/etc/nginx/nginx.conf", "events {}\nhttp { include conf.d/*.conf; }\n"),
        ("/etc/nginx/conf.d/x.conf", "server { listen 80; server_name x; }\n"),
    ];
    let b = [("/etc/nginx/nginx.conf", "events {}\nhttp { include conf.d/*.conf; }\n")];
    let d = diff_files(&a, &b);
    let inc = d.changes.iter().find(|c| c.directive == "include").expect("include change");
    assert_eq!(inc.detail.as_deref(), Some("`include conf.d/*.conf` matched 1 file(s), now 0"));
    assert!(d.changes.iter().any(|c| c.kind == ChangeKind::Removed && c.directive == "server" && c.servers == (Some(0), None)));
}

#[test]
fn removed_explicit_value_falls_back_to_the_default() {
    let b = BASE.replace("  client_max_body_size 10m;\n", "");
    let ch = changes(BASE, &b);
    assert_eq!(ch.len(), 1, "{:?}", paths(&ch));
    assert_eq!(ch[0].kind, ChangeKind::Removed);
    assert_eq!(ch[0].after.as_deref(), Some(&["1m".to_string()][..]));
    assert_eq!(ch[0].after_origin, Origin::Default);
    assert_eq!(ch[0].path, "http > client_max_body_size");
    assert_eq!(ch[0].level, Level::Http);
}

#[test]
fn removing_a_value_equal_to_what_is_inherited_changes_nothing() {
    let a = "events {}\nhttp { gzip on; server { gzip on; listen 80; } }\n";
    let b = "events {}\nhttp { gzip on; server { listen 80; } }\n";
    assert!(changes(a, b).is_empty());
    let c = "events {}\nhttp { server { listen 80; client_max_body_size 1m; } }\n";
    let d = "events {}\nhttp { server { listen 80; } }\n";
    assert!(changes(c, d).is_empty(), "explicit default removed");
}

#[test]
fn a_moved_port_is_a_listen_change_of_the_same_server() {
    let b = BASE.replace("listen 80;", "listen 8080;");
    let ch = changes(BASE, &b);
    assert_eq!(paths(&ch), ["Modified http > server[listen 8080; server_name a.example] > listen"]);
    assert_eq!((ch[0].before.as_deref(), ch[0].after.as_deref()), (Some(&["80".to_string()][..]), Some(&["8080".to_string()][..])));
    assert_eq!(ch[0].servers, (Some(0), Some(0)));
}

#[test]
fn locations_match_by_pattern_and_regex_order_is_compared() {
    let b = BASE.replace(
        "    location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }\n    location ~ ^/api { proxy_pass http://10.0.0.2; }\n",
        "    location ~ ^/api { proxy_pass http://10.0.0.3; }\n    location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }\n",
    );
    let ch = changes(BASE, &b);
    let p = paths(&ch);
    assert!(p.contains(&"Modified http > server[listen 80; server_name a.example] > location ~ ^/api > proxy_pass".to_string()), "{p:?}");
    let r = ch.iter().find(|c| c.kind == ChangeKind::Reordered).expect("reorder");
    assert_eq!(r.before.as_ref().map(Vec::len), Some(2));
    assert_eq!(ch.iter().find(|c| c.directive == "proxy_pass").and_then(|c| c.location.clone()), Some(vec!["~".into(), "^/api".into()]));
}

#[test]
fn a_new_regex_location_above_others_says_so() {
    let b = BASE.replace("    location ~ \\.php$", "    location ~ ^/a { return 403; }\n    location ~ \\.php$");
    let ch = changes(BASE, &b);
    let added = ch.iter().find(|c| c.kind == ChangeKind::Added && c.block).expect("added");
    assert_eq!(added.detail.as_deref(), Some("inserted above location ~ \\.php$, location ~ ^/api"));
    assert!(!ch.iter().any(|c| c.kind == ChangeKind::Reordered), "a new one is not a reorder");
}

#[test]
fn allow_deny_order_is_a_list() {
    let a = "events {}\nhttp { server { location / { allow 10.0.0.0/8; deny all; } } }\n";
    let b = "events {}\nhttp { server { location / { deny all; allow 10.0.0.0/8; } } }\n";
    let ch = changes(a, b);
    assert_eq!(ch.len(), 1);
    assert_eq!(ch[0].kind, ChangeKind::Reordered);
    assert_eq!(ch[0].after.as_deref(), Some(&["deny all".to_string(), "allow 10.0.0.0/8".to_string()][..]));
    assert_eq!(ch[0].level, Level::Location);
}

#[test]
fn keyed_headers_and_unordered_sets() {
    let a = "events {}\nhttp { server { add_header X-Frame-Options DENY; add_header Strict-Transport-Security max-age=1; gzip_types text/css text/xml; } }\n";
    let b = "events {}\nhttp { server { add_header strict-transport-security max-age=2; add_header X-Frame-Options DENY; gzip_types text/xml text/css; } }\n";
    let ch = changes(a, b);
    assert_eq!(paths(&ch), ["Modified http > server[] > add_header Strict-Transport-Security", "Modified http > server[] > gzip_types"]);
}

#[test]
fn renamed_server_is_matched_and_new_server_is_added() {
    let a = "events {}\nhttp { server { listen 80; server_name a.example b.example; root /a; } }\n";
    let b = "events {}\nhttp { server { listen 80; server_name a.example; root /a; } server { listen 80; server_name c.example; } }\n";
    let ch = changes(a, b);
    assert_eq!(ch.len(), 2, "{:?}", paths(&ch));
    assert_eq!(ch[0].directive, "server_name");
    assert_eq!(ch[0].kind, ChangeKind::Modified);
    assert_eq!(ch[1].kind, ChangeKind::Added);
    assert_eq!(ch[1].servers, (None, Some(1)));
}

#[test]
fn map_entries_are_summarised() {
    let a = "events {}\nhttp { map $uri $x { default 0; /a 1; ~^/b 2; ~^/c 3; } }\n";
    let b = "events {}\nhttp { map $uri $x { default 0; /a 5; /d 1; ~^/c 3; ~^/b 2; } }\n";
    let ch = changes(a, b);
    assert_eq!(ch.len(), 1);
    let s = ch[0].entries.expect("stats");
    assert_eq!((s.before, s.after, s.added, s.removed, s.changed, s.regex_reordered), (4, 5, 1, 0, 1, true));
}

#[test]
fn identical_configs_have_no_changes() {
    assert!(changes(BASE, BASE).is_empty());
}

#[test]
fn server_pairing_picks_what_scoring_every_pair_picks() {
    // Random servers (names, sockets, nameless ones with shared directives) on two sides: the
    // indexed pairing must choose what the all-pairs definition chooses, ties included.
    let mut rnd = crate::rules::tests::rng(0x2545_F491_4F6C_DD1D);
    let server = |rnd: &mut dyn FnMut(u64) -> u64| {
        let mut children = Vec::new();
        for _ in 0..rnd(3) {
            children.push(Node::leaf("listen", vec![format!("{}", 80 + rnd(3)), "ssl".into()], Span::default()));
        }
        if rnd(3) > 0 {
            let names = (0..rnd(3) + 1).map(|_| ["a", "b", "c", "d", ""][rnd(5) as usize].to_string()).collect();
            children.push(Node::leaf("server_name", names, Span::default()));
        }
        for _ in 0..rnd(3) {
            children.push(Node::leaf(["root", "return", "proxy_pass"][rnd(3) as usize], vec![format!("{}", rnd(2))], Span::default()));
        }
        Node { name: "server".into(), args: Box::default(), canon: None, span: Span::default(), body: Body::Block(children.into()), server: None }
    };
    for _ in 0..400 {
        let a: Vec<Node> = (0..rnd(7)).map(|_| server(&mut rnd)).collect();
        let b: Vec<Node> = (0..rnd(7)).map(|_| server(&mut rnd)).collect();
        let (xa, xb): (Vec<&Node>, Vec<&Node>) = (a.iter().collect(), b.iter().collect());
        // Some already paired by identity.
        let mut pair_of: Vec<Option<usize>> = vec![None; xa.len()];
        let mut matched_b = vec![false; xb.len()];
        if !xa.is_empty() && !xb.is_empty() && rnd(2) == 0 {
            pair_of[0] = Some(xb.len() - 1);
            matched_b[xb.len() - 1] = true;
        }
        let (mut naive_pairs, mut naive_matched) = (pair_of.clone(), matched_b.clone());
        for i in 0..xa.len() {
            if naive_pairs[i].is_some() {
                continue;
            }
            let mut best: Option<(usize, usize)> = None;
            for j in 0..xb.len() {
                let s = if naive_matched[j] { 0 } else { server_similarity(xa[i], xb[j]) };
                if s > 0 && best.map_or(true, |(_, bs)| s > bs) {
                    best = Some((j, s));
                }
            }
            if let Some((j, _)) = best {
                naive_pairs[i] = Some(j);
                naive_matched[j] = true;
            }
        }
        pair_servers(&xa, &xb, &mut pair_of, &mut matched_b);
        assert_eq!(pair_of, naive_pairs);
    }
}
