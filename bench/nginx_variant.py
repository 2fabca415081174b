#!/usr/bin/env python3
"""Turns a bench/gen_config.py configuration into one nginx 1.22 (Debian's build) accepts with
`nginx -t`, for timing nginx's own validation on the same input.

    nginx_variant.py IN OUT CERT KEY

The generated configs are not loadable as they are: they name certificates that do not exist,
use `http2 on` (nginx >= 1.25.1), Lua blocks (no lua module installed), `pid /run/nginx.pid`
(the bench passes its own with -g) and an include of the machine's /etc/nginx/conf.d. This keeps
everything else line for line and:
- drops `pid`, `http2 on;` and the `include /etc/nginx/conf.d/*.conf;` line;
- sets server_names_hash_max_size / _bucket_size big enough for the generated server names
  (nginx's default warns and falls back; what an operator would set);
- replaces each `content_by_lua_block { ... }` (found by indentation: the generator closes it at
  the opening line's indent) with `return 200;`;
- points every ssl_certificate / ssl_certificate_key at CERT / KEY (one self-signed pair);
- writes logs below the prefix (`/var/log/nginx/` -> `logs/`), every access_log to one file
  `logs/access.log` (nginx opens each distinct log file at -t: one per server block would pass
  the container's hard limit of open files at 50 MB);
- points `proxy_pass http://backend_N` at 127.0.0.1:8080 when no `upstream backend_N` exists
  (the generator picks backends at random: nginx would look the name up in DNS and fail).
Standard library only.
"""
import sys


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    src, dst, cert, key = argv[1:]
    with open(src) as f:
        lines = f.readlines()
    upstreams = {l.split()[1] for l in lines if l.lstrip().startswith("upstream ")}
    out = []
    skip_indent = None
    if True:
        for line in lines:
            t = line.lstrip()
            indent = len(line) - len(t)
            if skip_indent is not None:
                if t.rstrip() == "}" and indent == skip_indent:
                    skip_indent = None
                continue
            if t.startswith("content_by_lua_block"):
                out.append(" " * indent + "return 200;\n")
                skip_indent = indent
                continue
            if t.startswith(("pid ", "http2 on;", "include /etc/nginx/conf.d/")):
                continue
            if t.startswith("ssl_certificate_key "):
                line = " " * indent + f"ssl_certificate_key {key};\n"
            elif t.startswith("ssl_certificate "):
                line = " " * indent + f"ssl_certificate {cert};\n"
            elif t.startswith("proxy_pass http://backend_"):
                name = t.split("//", 1)[1].split(";")[0].split("/")[0]
                if name not in upstreams:
                    line = line.replace("http://" + name, "http://127.0.0.1:8080", 1)
            elif t.startswith("access_log /"):
                words = t.split(" ")
                words[1] = "logs/access.log"
                line = " " * indent + " ".join(words)
            else:
                line = line.replace("/var/log/nginx/", "logs/")
            out.append(line)
            if t.startswith("http {"):
                out.append("    server_names_hash_max_size 1048576;\n    server_names_hash_bucket_size 128;\n")
    with open(dst, "w") as f:
        f.writelines(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
