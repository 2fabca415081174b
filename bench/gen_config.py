#!/usr/bin/env python3
"""Deterministic generator of large, realistic nginx configurations for benchmarks.

    usage: bench/gen_config.py SIZE_MB OUT [--seed N]

SIZE_MB is in decimal megabytes (1 MB = 1,000,000 bytes) and may be fractional. The output is
byte-identical to `generate()` in core/benches/support/gen_config.rs (same splitmix64 PRNG, same
templates, same choices in the same order), so the criterion benches and bench/compare.sh measure
the same input. Standard library only.
"""
import sys

SEED = 0x6E67786C696E7421
MASK = (1 << 64) - 1


class Rng:
    def __init__(self, seed):
        self.s = seed & MASK

    def next_u64(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next_u64() % n

    def pick(self, xs):
        return xs[self.below(len(xs))]


WORDS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
]

COMMENTS = [
    "# managed by configuration management: local edits will be overwritten",
    "# TODO: tighten this once the legacy clients are gone",
    "# see the runbook before changing timeouts { } ; \"quotes\" and 'braces' are fine in comments",
    "#",
    "# cache static assets aggressively; HTML is never cached",
]

PREAMBLE = (
    "# Generated benchmark configuration (ngxlint bench/gen_config.py)\n"
    "user www-data;\n"
    "worker_processes auto;\n"
    "pid /run/nginx.pid;\n"
    "error_log /var/log/nginx/error.log warn;\n"
    "\n"
    "events {\n    worker_connections 4096;\n    multi_accept on;\n}\n"
    "\n"
    "http {\n"
    "    sendfile on;\n"
    "    tcp_nopush on;\n"
    "    types_hash_max_size 2048;\n"
    "    default_type application/octet-stream;\n"
    "    log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n"
    "                    '$status $body_bytes_sent \"$http_referer\" '\n"
    "                    '\"$http_user_agent\" \"$http_x_forwarded_for\"';\n"
    "    limit_req_zone $binary_remote_addr zone=login:10m rate=5r/s;\n"
    "    gzip on;\n"
    "    gzip_types text/plain text/css application/json application/javascript;\n"
    "    include /etc/nginx/conf.d/*.conf;\n\n"
)


def generate(target_bytes, seed=SEED):
    r = Rng(seed)
    o = [PREAMBLE]
    size = len(PREAMBLE)
    i = 0
    while size < target_bytes:
        part = []
        c = r.below(10)
        if c == 0:
            map_block(r, part, i)
        elif c == 1:
            upstream_block(r, part, i)
        else:
            server_block(r, part, i)
        s = "".join(part)
        o.append(s)
        size += len(s.encode())
        i += 1
    o.append("}\n")
    return "".join(o)


def comment(r, o, indent):
    if r.below(3) == 0:
        o.append(indent + r.pick(COMMENTS) + "\n")


def map_block(r, o, i):
    comment(r, o, "    ")
    w = r.pick(WORDS)
    o.append(f"    map $request_uri $redirect_{w}_{i} {{\n        default \"\";\n        '' /;\n")
    n = 3 + r.below(12)
    for k in range(n):
        c = r.below(3)
        if c == 0:
            o.append(f"        /old/{w}/{k} /new/{w}/{k};\n")
        elif c == 1:
            o.append(f"        ~^/{w}/(?<rest>[a-z0-9_-]+)/{k}$ /v2/{w}/$rest;\n")
        else:
            o.append(f"        \"~*^/Legacy/{k}\\.html$\" \"/archive/{w}/{k}\";\n")
    o.append("    }\n\n")


def upstream_block(r, o, i):
    comment(r, o, "    ")
    o.append(f"    upstream backend_{i} {{\n        least_conn;\n")
    n = 2 + r.below(5)
    for _ in range(n):
        a = r.below(256)
        b = 1 + r.below(254)
        w = 1 + r.below(5)
        o.append(f"        server 10.{i % 256}.{a}.{b}:8080 weight={w} max_fails=3 fail_timeout=10s;\n")
    o.append("        keepalive 32;\n    }\n\n")


def server_block(r, o, i):
    name = f"{r.pick(WORDS)}-{i}"
    comment(r, o, "    ")
    o.append(f"    # ---- site {i}: {name}.example.com ----\n    server {{\n")
    if r.below(2) == 0:
        o.append("        listen 443 ssl;\n        listen [::]:443 ssl;\n        http2 on;\n")
    else:
        o.append("        listen 443 ssl;\n        listen [::]:443 ssl;\n")
    o.append(
        f"        server_name {name}.example.com www.{name}.example.com;\n"
        f"        ssl_certificate /etc/ssl/{name}/fullchain.pem;\n"
        f"        ssl_certificate_key /etc/ssl/{name}/privkey.pem;\n"
        f"        root /srv/www/{name}/public;\n"
        f"        index index.html index.php;\n"
        f"        access_log /var/log/nginx/{name}.access.log main buffer=32k;\n"
        f"        add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;\n"
        f"        add_header Content-Security-Policy \"default-src 'self'; img-src 'self' data:; script-src 'self' 'nonce-$request_id'\" always;\n"
        f"        client_max_body_size {1 + r.below(64)}m;\n\n"
        f"        location / {{\n            try_files $uri $uri/ /index.php?$query_string;\n        }}\n"
    )
    n = 3 + r.below(6)
    for k in range(n):
        comment(r, o, "        ")
        location(r, o, i, k)
    o.append("    }\n\n")


def location(r, o, i, k):
    w = r.pick(WORDS)
    c = r.below(10)
    if c == 0:
        s = ("        location ~ \\.php$ {\n"
             "            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n"
             "            fastcgi_index index.php;\n"
             "            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n"
             "            fastcgi_param QUERY_STRING $query_string;\n"
             "            fastcgi_read_timeout 300s;\n"
             "        }\n")
    elif c in (1, 2):
        u = r.below(i + 1)
        t = 5 + r.below(120)
        s = (f"        location /api/{w}/{k}/ {{\n"
             f"            proxy_pass http://backend_{u};\n"
             f"            proxy_http_version 1.1;\n"
             f"            proxy_set_header Host $host;\n"
             f"            proxy_set_header X-Real-IP $remote_addr;\n"
             f"            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
             f"            proxy_set_header Connection \"\";\n"
             f"            proxy_read_timeout {t}s;\n"
             f"        }}\n")
    elif c == 3:
        s = ("        location ~* \\.(?:css|js|jpg|jpeg|gif|png|ico|svg|woff2?)$ {\n"
             "            expires 30d;\n"
             "            access_log off;\n"
             "            add_header Cache-Control \"public, max-age=2592000, immutable\";\n"
             "        }\n")
    elif c == 4:
        u = r.below(i + 1)
        s = (f"        location = /login/{k} {{\n"
             f"            if ($request_method !~ ^(GET|POST)$) {{\n"
             f"                return 405;\n"
             f"            }}\n"
             f"            limit_req zone=login burst=5 nodelay;\n"
             f"            proxy_pass http://backend_{u};\n"
             f"        }}\n")
    elif c == 5:
        s = (f"        location /lua/{w}/{k} {{\n"
             f"            default_type text/plain;\n"
             f"            content_by_lua_block {{\n"
             f"                local args = ngx.req.get_uri_args()\n"
             f"                -- a comment with a brace }} in it\n"
             f"                if args.token == \"}}\" then\n"
             f"                    ngx.say(\"brace {{ \", args.token)\n"
             f"                end\n"
             f"                local t = {{ a = 1, b = {{ c = '{k}' }} }}\n"
             f"                ngx.say([[long string {{ }} ]], t.b.c)\n"
             f"            }}\n"
             f"        }}\n")
    elif c == 6:
        s = (f"        location = /old-{w}-{k} {{\n"
             f"            return 301 \"https://$host/new-{w}-{k}?from=\\\"old\\\"&v=${{request_id}}\";\n"
             f"        }}\n")
    elif c == 7:
        s = (f"        location /blog/{k}/ {{\n"
             f"            rewrite ^/blog/{k}/(\\d+)/(.*)$ /posts/$2?id=$1 last;\n"
             f"            rewrite '^/blog/{k}/feed$' /rss.xml permanent;\n"
             f"        }}\n")
    elif c == 8:
        s = "        location ~ /\\.(?!well-known) {\n            deny all;\n        }\n"
    else:
        s = (f"        location /download/{w}/{k}/ {{\n"
             f"            alias /srv/files/{w}/;\n"
             f"            autoindex on;\n"
             f"            limit_rate {k}00k;\n"
             f"            add_header Content-Disposition 'attachment; filename=\"$1\"';\n"
             f"        }}\n")
    o.append(s)


def main(argv):
    args = [a for a in argv[1:]]
    seed = SEED
    if "--seed" in args:
        j = args.index("--seed")
        seed = int(args[j + 1], 0)
        del args[j:j + 2]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    target = int(float(args[0]) * 1_000_000)
    data = generate(target, seed).encode()
    with open(args[1], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
