//! Each case's expectation is what nginx 1.22.1 (Debian 12) printed for that configuration via
//! `../shared/tools/nginx-check` (the message without ` in file:line`), or `None` for `ok`.

use crate::spec::Profile;
use crate::{analyze, Options, SourceSet};

fn first_error(http_body: &str) -> Option<String> {
    let mut files = SourceSet::new();
    let main = files.add("/t/nginx.conf", format!("events {{}}\nhttp {{\n{http_body}\n}}\n"));
    let opts = Options { profile: Profile::debian12(), ..Options::default() };
    analyze(&files, main, &opts).first_error().map(|d| d.message.clone())
}

#[test]
fn messages_match_nginx() {
    let cases: &[(&str, Option<&str>)] = &[
        ("server { location ~ ^/(abc$ { } }", Some("pcre2_compile() failed: missing closing parenthesis in \"^/(abc$\"")),
        ("server { location ~ ^/(?=x) { } }", None),
        ("limit_req_zone $binary_remote_addr zone=one:31k rate=1r/s;", Some("zone \"zone=one:31k\" is too small")),
        ("limit_req_zone $binary_remote_addr zone=one:32k rate=1r/s;", None),
        ("limit_req_zone $binary_remote_addr zone=one rate=1r/s;", Some("invalid zone size \"zone=one\"")),
        ("proxy_cache_path /tmp/c keys_zone=z:7k;", Some("keys zone \"keys_zone=z:7k\" is too small")),
        ("server { location / { fastcgi_pass backend; } }", Some("no port in upstream \"backend\"")),
        ("server { location / { fastcgi_pass b; } } upstream b { server 127.0.0.1:9000; }", None),
        ("server { location / { uwsgi_pass unix:/tmp/x; } }", None),
        ("server { rewrite ^(a $1; }", Some("pcre2_compile() failed: missing closing parenthesis in \"^(a\"")),
        ("map $uri $x { ~^(a 1; }", Some("pcre2_compile() failed: missing closing parenthesis in \"^(a\"")),
        ("server { server_name ~^(www$; }", Some("pcre2_compile() failed: missing closing parenthesis in \"^(www$\"")),
        ("server { if ($uri ~ \"(a\") { } }", Some("pcre2_compile() failed: missing closing parenthesis in \"(a\"")),
        ("keepalive_timeout 10s x;", Some("\"keepalive_timeout\" directive invalid value")),
        ("expires x;", Some("\"expires\" directive invalid value")),
        ("expires -1h;", None),
        ("expires modified +1d;", None),
        ("expires @15h30m;", None),
        ("ssl_session_cache shared:SSL:10m x;", Some("invalid session cache \"x\"")),
        ("ssl_session_cache builtin:1000;", None),
        ("error_page 404 =200 /e;", None),
        ("error_page 200 /e;", Some("value \"200\" must be between 300 and 599")),
        ("error_page 404 = @x;", None),
        ("limit_req_status 300;", Some("value must be between 400 and 599")),
        ("add_header A b always;", None),
        ("fastcgi_param A b if_not_empty;", None),
        ("server { location / { limit_req zone=z; } }", Some("zero size shared memory zone \"z\"")),
        ("server { location / { proxy_cache c; } }", Some("\"proxy_cache\" zone \"c\" is unknown")),
        ("proxy_ignore_headers X-Accel-Expires Foo;", Some("invalid value \"Foo\"")),
        ("proxy_cache_methods GET PUT;", Some("invalid value \"PUT\"")),
        ("proxy_method GET; proxy_method HEAD;", Some("\"proxy_method\" directive is duplicate")),
        ("upstream u { server 127.0.0.1:1 resolve; }", Some("invalid parameter \"resolve\"")),
        ("server { listen 127.0.0.1:8182-8183; }", None),
        ("server { listen 127.0.0.1:8999; max_headers 5; }", None),
        ("server { listen 127.0.0.1:8081 backlog=10; } server { listen 127.0.0.1:8081 backlog=20; }", Some("duplicate listen options for 127.0.0.1:8081")),
        ("server { listen 127.0.0.1:8081 reuseport; } server { listen 127.0.0.1:8081 rcvbuf=1k; }", Some("duplicate listen options for 127.0.0.1:8081")),
        ("server { listen 127.0.0.1:8081 ssl; ssl_certificate a; } server { listen 127.0.0.1:8081 default_server; }", Some("no \"ssl_certificate_key\" is defined for certificate \"a\"")),
        ("map $uri $b { default 1; default 2; }", Some("duplicate default map parameter")),
        ("map $uri $b { x 1; x 2; }", Some("conflicting parameter \"x\"")),
        ("map $uri $b { ~x 1; ~x 2; }", None),
        ("server { listen 127.0.0.1:8081 default_server; } server { listen 127.0.0.1:8081 default_server; }", Some("a duplicate default server for 127.0.0.1:8081")),
    ];
    let mut wrong = Vec::new();
    for (body, want) in cases {
        let got = first_error(body);
        if got.as_deref() != *want {
            wrong.push(format!("{body}\n    nginx:   {want:?}\n    ngxlint: {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{} of {} differ:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

#[test]
fn main_and_events_messages_match_nginx() {
    let run = |text: &str| {
        let mut files = SourceSet::new();
        let main = files.add("/t/nginx.conf", text);
        let opts = Options { profile: Profile::debian12(), ..Options::default() };
        analyze(&files, main, &opts).first_error().map(|d| d.message.clone())
    };
    assert_eq!(run("worker_processes x;\nevents {}\n").as_deref(), Some("\"worker_processes\" directive invalid value"));
    assert_eq!(run("worker_processes auto;\nevents {}\n"), None);
    assert_eq!(run("events { worker_connections x; }\n").as_deref(), Some("invalid number \"x\""));
    assert_eq!(run("http {}\n").as_deref(), Some("no \"events\" section in configuration"));
}

/// Hash buckets and connection counts, as nginx 1.22.1 judged each (x86-64, 64-byte cache line).
#[test]
fn sizing_matches_nginx() {
    let run = |text: String| {
        let mut files = SourceSet::new();
        let main = files.add("/t/nginx.conf", text);
        analyze(&files, main, &Options::default()).first_error().map(|d| d.message.clone())
    };
    let two_servers = |name: &str| format!("events {{}}\nhttp {{ server {{ listen 127.0.0.1:8081; server_name {name}; }} server {{ listen 127.0.0.1:8081; server_name b.com; }} }}\n");
    let names = "server_names_hash_bucket_size: 64";
    assert_eq!(run(two_servers(&format!("{}.com", "a".repeat(42)))), None, "46 bytes fit");
    assert_eq!(run(two_servers(&format!("{}.com", "a".repeat(43)))), Some(format!("could not build server_names_hash, you should increase {names}")));
    // A server alone on its address: nginx builds no names hash.
    let alone = format!("events {{}}\nhttp {{ server {{ listen 127.0.0.1:8081; server_name {}.com; }} }}\n", "a".repeat(120));
    assert_eq!(run(alone), None);
    let map = |key: String| format!("events {{}}\nhttp {{ map $uri $x {{ {key} 1; }} server {{ listen 127.0.0.1:8081; return 200 $x; }} }}\n");
    assert_eq!(run(map("a".repeat(46))), None);
    assert_eq!(run(map("a".repeat(47))).as_deref(), Some("could not build map_hash, you should increase map_hash_bucket_size: 64"));
    assert_eq!(run(map(format!("~{}", "a".repeat(60)))), None, "regex keys are not hashed");
    let wc = "events { worker_connections 3; }\nhttp { server { listen 127.0.0.1:8081; } server { listen 127.0.0.1:8082; } server { listen 8083; listen 127.0.0.1:8083; } }\n";
    assert_eq!(run(wc.to_string()).as_deref(), Some("3 worker_connections are not enough for 3 listening sockets"));
    assert_eq!(run(wc.replace("connections 3", "connections 4")), None);
    // Unset: nginx's 512.
    let many: String = (0..520).map(|i| format!("server {{ listen 127.0.0.1:{}; }}\n", 20000 + i)).collect();
    assert_eq!(run(format!("events {{}}\nhttp {{\n{many}}}\n")).as_deref(), Some("512 worker_connections are not enough for 520 listening sockets"));
    // Collected while the checker reads, includes at their place: a server file included twice
    // is two servers on the same two sockets (nginx -t: ok), and a map key from an included
    // file is hashed with the map's own.
    let with_files = |main: &str, inc: &[(&str, String)]| {
        let mut files = SourceSet::new();
        let m = files.add("/t/nginx.conf", main);
        for (path, text) in inc {
            files.add(*path, text.as_str());
        }
        analyze(&files, m, &Options::default()).first_error().map(|d| d.message.clone())
    };
    let srv = [("/t/srv.conf", "server { listen 127.0.0.1:8081; listen 127.0.0.1:8082; }\n".to_string())];
    assert_eq!(with_files("events { worker_connections 3; }\nhttp { include /t/srv.conf; include /t/srv.conf; }\n", &srv), None);
    assert_eq!(
        with_files("events { worker_connections 2; }\nhttp { include /t/srv.conf; include /t/srv.conf; }\n", &srv).as_deref(),
        Some("2 worker_connections are not enough for 2 listening sockets")
    );
    let keys = [("/t/keys.conf", format!("{} 1;\n", "a".repeat(47)))];
    assert_eq!(
        with_files("events {}\nhttp { map $uri $x { short 2; include /t/keys.conf; } }\n", &keys).as_deref(),
        Some("could not build map_hash, you should increase map_hash_bucket_size: 64")
    );
}
