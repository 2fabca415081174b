#!/usr/bin/env python3
"""Wide configurations: N copies of one construct each (servers, locations, regexes, listens,
suppressions, map entries, ...), the shapes where a check that compares every item with every
other shows up as quadratic time. bench/wide.sh times ngxlint at N and 2N.

    wide_shapes.py N OUT_DIR        writes OUT_DIR/<shape>.conf and OUT_DIR/<shape>.edited.conf

The edited copy deletes, duplicates and tweaks a few lines (fixed seed), for `ngxlint diff`.
Standard library only.
"""
import os
import random
import sys


def http(body):
    return "events {}\nhttp {\n" + body + "}\n"


def ip(i):
    return f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"


def shapes(n):
    r = range(n)
    j = "".join
    return {
        "upstreams": http(j(f" upstream u{i} {{ server {ip(i)}:80; }}\n" for i in r) + " server { listen 80; location / { proxy_pass http://u1; } }\n"),
        "upstream-members": http(" upstream u {\n" + j(f"  server {ip(i)}:80;\n" for i in r) + " }\n server { listen 80; location / { proxy_pass http://u; } }\n"),
        "maps": http(j(f" map $uri $m{i} {{ default 0; /a{i} 1; }}\n" for i in r) + " server { listen 80; return 200 $m1; }\n"),
        "map-entries": http(" map $uri $m {\n" + j(f"  /a{i} {i};\n" for i in r) + " default 0; }\n server { listen 80; return 200 $m; }\n"),
        "map-used-everywhere": http(" map $uri $m {\n" + j(f"  /a{i} v{i};\n" for i in r) + " default 0; }\n server { listen 80;\n" + j(f"  location /l{i} {{ add_header X-M $m; }}\n" for i in r) + " }\n"),
        "map-regex-entries": http(" map $uri $m {\n" + j(f"  ~^/a{i}/(?<x>.*)$ $x;\n" for i in r) + " default 0; }\n server { listen 80; return 200 $m; }\n"),
        "locations": http(" server { listen 80;\n" + j(f"  location /l{i} {{ return 200; }}\n" for i in r) + " }\n"),
        "regex-locations": http(" server { listen 80;\n" + j(f"  location ~ ^/l{i}/(.*)$ {{ return 200 $1; }}\n" for i in r) + " }\n"),
        "nested-locations": http(" server { listen 80;\n" + j(f"  location /l{i}/ {{ location /l{i}/x {{ add_header X-A b; }} add_header X-Frame-Options DENY; }}\n" for i in r) + " }\n"),
        "regex-before-prefixes": http(" server { listen 80; server_name a.example;\n  location ~ ^/ { return 200; }\n" + j(f"  location /l{i} {{ return 200; }}\n" for i in r) + " }\n"),
        "named-locations": http(" server { listen 80;\n" + j(f"  location @n{i} {{ return 200; }}\n  location /t{i} {{ try_files $uri @n{i}; }}\n" for i in range(n // 2)) + " }\n"),
        "servers-one-port": http(j(f" server {{ listen 80; server_name h{i}.example.com www.h{i}.example.com; }}\n" for i in r)),
        "servers-own-ports": http(j(f" server {{ listen {10000 + i} ssl; server_name s{i}.example; limit_req zone=z{i}; }}\n" for i in r)),
        "servers-same-name": http(j(" server { listen 80; server_name same.example; location / { return 200; } }\n" for i in r)),
        "servers-regex-names": http(j(f" server {{ listen 80; server_name ~^w{i}\\.(?<d>.+)$; return 200 $d; }}\n" for i in r)),
        "tls-servers": http(j(f" server {{ listen 443 ssl; server_name t{i}.example; ssl_certificate c{i}.pem; ssl_certificate_key k{i}.pem; }}\n" for i in r)),
        "listens-one-server": http(" server {\n" + j(f"  listen {10000 + i};\n" for i in r) + " }\n"),
        "streams": "events {}\nstream {\n" + j(f" server {{ listen {10000 + i}; proxy_pass 10.0.0.1:{i % 60000 + 1}; }}\n" for i in r) + "}\n",
        "sets": http(" server { listen 80; location / {\n" + j(f"  set $v{i} $v{max(i - 1, 0)}x;\n" for i in r) + f"  return 200 $v{n - 1}; }} }}\n"),
        "ifs": http(" server { listen 80; location / {\n" + j(f"  if ($uri ~ ^/c{i}/(.*)$) {{ set $c{i} $1; }}\n" for i in r) + "  return 200 $c1; } }\n"),
        "rewrites": http(" server { listen 80;\n" + j(f"  rewrite ^/r{i}/(.*)$ /n{i}/$1 last;\n" for i in r) + " }\n"),
        "headers": http(" server { listen 80;\n" + j(f"  add_header X-H{i} v{i};\n" for i in r) + "  location / { add_header X-A b; } }\n"),
        "proxy-headers": http(" server { listen 80; location / { proxy_pass http://127.0.0.1;\n" + j(f"  proxy_set_header X-H{i} $http_x{i};\n" for i in r) + " } }\n"),
        "allow-deny": http(" server { listen 80; location / {\n" + j(f"  allow {ip(i)};\n" for i in r) + "  deny all; } }\n"),
        "log-formats": http(j(f" log_format f{i} '$remote_addr {i}';\n" for i in r) + " server { listen 80; access_log /var/log/a f1; }\n"),
        "zones": http(j(f" limit_req_zone $binary_remote_addr zone=z{i}:1m rate=1r/s;\n" for i in r) + " server { listen 80;\n" + j(f"  location /l{i} {{ limit_req zone=z{i}; }}\n" for i in r) + " }\n"),
        "unknown-variables": http(" server { listen 80;\n" + j(f"  location /l{i} {{ return 200 $undefined{i}; }}\n" for i in r) + " }\n"),
        "suppressions": http(" server { listen 80;\n" + j(f"  # ngxlint: ignore[SEC010] reviewed\n  location /l{i} {{ add_header X-A b; }}\n" for i in r) + "  add_header X-Frame-Options DENY; }\n"),
        "geo": http(" geo $g {\n" + j(f"  {ip(i)} {i};\n" for i in r) + " default 0; }\n server { listen 80; return 200 $g; }\n"),
        "types": http(" types {\n" + j(f"  text/t{i} e{i};\n" for i in r) + " }\n"),
        "maps-without-default": http(j(f" map $uri $m{i} {{ /a{i} 1; }}\n" for i in r) + " server { listen 80; location / {\n" + j(f"  if ($m{i}) {{ return 403; }}\n" for i in r) + " } }\n"),
        "if-redirects": http(" server { listen 80; server_name a.example;\n" + j(f"  if ($request_uri ~ ^/old{i}/(.*)$) {{ return 301 /new{i}/$1; }}\n" for i in r) + " }\n"),
        "rewrite-redirects": http(" server { listen 80; server_name a.example;\n" + j(f"  rewrite ^/r{i}/(.*)$ https://b.example/n{i}/$1 permanent;\n" for i in r) + " }\n"),
        "servers-proxy-host": http(j(f" server {{ listen {10000 + i}; server_name h{i}.example; location / {{ proxy_pass http://$host; }} }}\n" for i in r)),
        "locations-buffering-off": http(" server { listen 80;\n" + j(f"  location /l{i} {{ proxy_buffering off; proxy_pass http://127.0.0.1; }}\n" for i in r) + " }\n"),
        "headers-and-locations": http(" server { listen 80;\n" + j(f"  add_header X-H{i} v{i};\n" for i in r) + j(f"  location /l{i} {{ add_header X-A b; }}\n" for i in r) + " }\n"),
        "proxy-headers-and-locations": http(" server { listen 80; proxy_set_header Host $host;\n" + j(f"  proxy_set_header X-H{i} v{i};\n" for i in r) + j(f"  location /l{i} {{ proxy_set_header X-A b; proxy_pass http://127.0.0.1; }}\n" for i in r) + " }\n"),
        "servers-own-ports-shadowed": http(j(f" server {{ listen {10000 + i}; server_name s{i}.example; location ~ ^/ {{ return 200; }} location /a {{ return 200; }} }}\n" for i in r)),
        "server-returns-and-locations": http(" server { listen 80;\n" + j(f"  location /l{i} {{ root /x; }}\n" for i in r) + j(f"  return 200 x{i};\n" for i in r) + " }\n"),
        "opaque-regex-locations": http(" server { listen 80;\n" + j(f"  location ~ (a{i}|b{i})/ {{ return 200; }}\n" for i in r) + " }\n"),
        "servers-pairs-per-port": http(j(f" server {{ listen {10000 + i}; server_name a{i}.example; }}\n server {{ listen {10000 + i}; server_name b{i}.example; }}\n" for i in range(n // 2))),
    }


def edited(text, seed=3):
    lines = text.split("\n")
    rnd = random.Random(seed)
    for _ in range(3):
        del lines[rnd.randrange(3, len(lines) - 3)]
    for _ in range(3):
        i = rnd.randrange(3, len(lines) - 3)
        lines.insert(i, lines[i])
    for _ in range(3):
        i = rnd.randrange(3, len(lines) - 3)
        lines[i] = lines[i].replace("200", "201").replace("80", "81")
    return "\n".join(lines)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    n, out = int(argv[1]), argv[2]
    os.makedirs(out, exist_ok=True)
    for name, text in shapes(n).items():
        with open(os.path.join(out, f"{name}.conf"), "w") as f:
            f.write(text)
        with open(os.path.join(out, f"{name}.edited.conf"), "w") as f:
            f.write(edited(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
