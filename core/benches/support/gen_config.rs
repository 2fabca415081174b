//! Deterministic generator of large, realistic nginx configurations for benchmarks.
//!
//! The same algorithm (same PRNG, same templates, same choices in the same order) lives in
//! `bench/gen_config.py`, so `gen_config.py 10 out.conf` and `generate(10_000_000, SEED)` give the
//! same bytes, and the criterion numbers and `bench/compare.sh` measure the same input.
//! `bench/compare.sh` checks that the two agree.
//!
//! The mix: a main/events preamble, then an `http` block of many `server` blocks (listen, names,
//! TLS, headers with quoted strings and escapes, 3-8 locations each drawn from ten templates:
//! PHP, proxy, static with regex, `if`, `rewrite`, Lua blocks with braces in strings, comments
//! and long brackets, redirects, ...), interleaved with `map` blocks (regex entries, quoted empty
//! keys) and `upstream` blocks, and `#` comments throughout. No include reaches a file (one glob
//! matches nothing), so every tool parses exactly this one file. ngxlint and crossplane both read
//! it without error and with the same directive count (compare.sh checks).

/// Seed used by the benches and by `bench/compare.sh`.
pub const SEED: u64 = 0x6e67_786c_696e_7421;

/// splitmix64: tiny, fast, and trivially identical in Python.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
];

const COMMENTS: &[&str] = &[
    "# managed by configuration management: local edits will be overwritten",
    "# TODO: tighten this once the legacy clients are gone",
    "# see the runbook before changing timeouts { } ; \"quotes\" and 'braces' are fine in comments",
    "#",
    "# cache static assets aggressively; HTML is never cached",
];

/// Generates at least `target_bytes` bytes (the last server is completed, then `http` closed).
pub fn generate(target_bytes: usize, seed: u64) -> String {
    let mut r = Rng::new(seed);
    let mut o = String::with_capacity(target_bytes + 8192);
    o.push_str(
        "# Generated benchmark configuration (ngxlint bench/gen_config.py)\n\
         user www-data;\n\
         worker_processes auto;\n\
         pid /run/nginx.pid;\n\
         error_log /var/log/nginx/error.log warn;\n\
         \n\
         events {\n    worker_connections 4096;\n    multi_accept on;\n}\n\
         \n\
         http {\n\
         \x20   sendfile on;\n\
         \x20   tcp_nopush on;\n\
         \x20   types_hash_max_size 2048;\n\
         \x20   default_type application/octet-stream;\n\
         \x20   log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n\
         \x20                   '$status $body_bytes_sent \"$http_referer\" '\n\
         \x20                   '\"$http_user_agent\" \"$http_x_forwarded_for\"';\n\
         \x20   limit_req_zone $binary_remote_addr zone=login:10m rate=5r/s;\n\
         \x20   gzip on;\n\
         \x20   gzip_types text/plain text/css application/json application/javascript;\n\
         \x20   include /etc/nginx/conf.d/*.conf;\n\n",
    );
    let mut i: u64 = 0;
    while o.len() < target_bytes {
        match r.below(10) {
            0 => map_block(&mut r, &mut o, i),
            1 => upstream_block(&mut r, &mut o, i),
            _ => server_block(&mut r, &mut o, i),
        }
        i += 1;
    }
    o.push_str("}\n");
    o
}

fn comment(r: &mut Rng, o: &mut String, indent: &str) {
    if r.below(3) == 0 {
        o.push_str(indent);
        o.push_str(r.pick(COMMENTS));
        o.push('\n');
    }
}

fn map_block(r: &mut Rng, o: &mut String, i: u64) {
    comment(r, o, "    ");
    let w = r.pick(WORDS);
    o.push_str(&format!(
        "    map $request_uri $redirect_{w}_{i} {{\n        default \"\";\n        '' /;\n"
    ));
    let n = 3 + r.below(12);
    for k in 0..n {
        match r.below(3) {
            0 => o.push_str(&format!("        /old/{w}/{k} /new/{w}/{k};\n")),
            1 => o.push_str(&format!(
                "        ~^/{w}/(?<rest>[a-z0-9_-]+)/{k}$ /v2/{w}/$rest;\n"
            )),
            _ => o.push_str(&format!(
                "        \"~*^/Legacy/{k}\\.html$\" \"/archive/{w}/{k}\";\n"
            )),
        }
    }
    o.push_str("    }\n\n");
}

fn upstream_block(r: &mut Rng, o: &mut String, i: u64) {
    comment(r, o, "    ");
    o.push_str(&format!(
        "    upstream backend_{i} {{\n        least_conn;\n"
    ));
    let n = 2 + r.below(5);
    for _ in 0..n {
        let (a, b, w) = (r.below(256), 1 + r.below(254), 1 + r.below(5));
        o.push_str(&format!(
            "        server 10.{}.{a}.{b}:8080 weight={w} max_fails=3 fail_timeout=10s;\n",
            i % 256
        ));
    }
    o.push_str("        keepalive 32;\n    }\n\n");
}

fn server_block(r: &mut Rng, o: &mut String, i: u64) {
    let name = format!("{}-{i}", r.pick(WORDS));
    comment(r, o, "    ");
    o.push_str(&format!(
        "    # ---- site {i}: {name}.example.com ----\n    server {{\n"
    ));
    if r.below(2) == 0 {
        o.push_str("        listen 443 ssl;\n        listen [::]:443 ssl;\n        http2 on;\n");
    } else {
        o.push_str("        listen 443 ssl;\n        listen [::]:443 ssl;\n");
    }
    o.push_str(&format!(
        "        server_name {name}.example.com www.{name}.example.com;\n\
         \x20       ssl_certificate /etc/ssl/{name}/fullchain.pem;\n\
         \x20       ssl_certificate_key /etc/ssl/{name}/privkey.pem;\n\
         \x20       root /srv/www/{name}/public;\n\
         \x20       index index.html index.php;\n\
         \x20       access_log /var/log/nginx/{name}.access.log main buffer=32k;\n\
         \x20       add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;\n\
         \x20       add_header Content-Security-Policy \"default-src 'self'; img-src 'self' data:; script-src 'self' 'nonce-$request_id'\" always;\n\
         \x20       client_max_body_size {}m;\n\n\
         \x20       location / {{\n            try_files $uri $uri/ /index.php?$query_string;\n        }}\n",
        1 + r.below(64)
    ));
    let n = 3 + r.below(6);
    for k in 0..n {
        comment(r, o, "        ");
        location(r, o, i, k);
    }
    o.push_str("    }\n\n");
}

fn location(r: &mut Rng, o: &mut String, i: u64, k: u64) {
    let w = r.pick(WORDS);
    let s = match r.below(10) {
        0 => "        location ~ \\.php$ {\n\
              \x20           fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n\
              \x20           fastcgi_index index.php;\n\
              \x20           fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n\
              \x20           fastcgi_param QUERY_STRING $query_string;\n\
              \x20           fastcgi_read_timeout 300s;\n\
              \x20       }\n"
            .to_string(),
        1 | 2 => format!(
            "        location /api/{w}/{k}/ {{\n\
             \x20           proxy_pass http://backend_{u};\n\
             \x20           proxy_http_version 1.1;\n\
             \x20           proxy_set_header Host $host;\n\
             \x20           proxy_set_header X-Real-IP $remote_addr;\n\
             \x20           proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
             \x20           proxy_set_header Connection \"\";\n\
             \x20           proxy_read_timeout {t}s;\n\
             \x20       }}\n",
            u = r.below(i + 1),
            t = 5 + r.below(120)
        ),
        3 => "        location ~* \\.(?:css|js|jpg|jpeg|gif|png|ico|svg|woff2?)$ {\n\
              \x20           expires 30d;\n\
              \x20           access_log off;\n\
              \x20           add_header Cache-Control \"public, max-age=2592000, immutable\";\n\
              \x20       }\n"
            .to_string(),
        4 => format!(
            "        location = /login/{k} {{\n\
             \x20           if ($request_method !~ ^(GET|POST)$) {{\n\
             \x20               return 405;\n\
             \x20           }}\n\
             \x20           limit_req zone=login burst=5 nodelay;\n\
             \x20           proxy_pass http://backend_{u};\n\
             \x20       }}\n",
            u = r.below(i + 1)
        ),
        5 => format!(
            "        location /lua/{w}/{k} {{\n\
             \x20           default_type text/plain;\n\
             \x20           content_by_lua_block {{\n\
             \x20               local args = ngx.req.get_uri_args()\n\
             \x20               -- a comment with a brace }} in it\n\
             \x20               if args.token == \"}}\" then\n\
             \x20                   ngx.say(\"brace {{ \", args.token)\n\
             \x20               end\n\
             \x20               local t = {{ a = 1, b = {{ c = '{k}' }} }}\n\
             \x20               ngx.say([[long string {{ }} ]], t.b.c)\n\
             \x20           }}\n\
             \x20       }}\n"
        ),
        6 => format!(
            "        location = /old-{w}-{k} {{\n\
             \x20           return 301 \"https://$host/new-{w}-{k}?from=\\\"old\\\"&v=${{request_id}}\";\n\
             \x20       }}\n"
        ),
        7 => format!(
            "        location /blog/{k}/ {{\n\
             \x20           rewrite ^/blog/{k}/(\\d+)/(.*)$ /posts/$2?id=$1 last;\n\
             \x20           rewrite '^/blog/{k}/feed$' /rss.xml permanent;\n\
             \x20       }}\n"
        ),
        8 => "        location ~ /\\.(?!well-known) {\n            deny all;\n        }\n".to_string(),
        _ => format!(
            "        location /download/{w}/{k}/ {{\n\
             \x20           alias /srv/files/{w}/;\n\
             \x20           autoindex on;\n\
             \x20           limit_rate {k}00k;\n\
             \x20           add_header Content-Disposition 'attachment; filename=\"$1\"';\n\
             \x20       }}\n"
        ),
    };
    o.push_str(&s);
}
