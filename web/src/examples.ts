// The example gallery: single configurations to lint (written for the playground) and before/after
// pairs to compare, most of them cases of the repository's replay suite (tests/replays/), inlined
// at build time by build.mjs (`replay:<case>` imports), so the page shows exactly what the suite
// checks.

import type { SourceFile } from "./api";
import type { Mode } from "./share";
import { MAIN } from "./workspace";
import type { PlaygroundOptions } from "./worker-protocol";
import theOutage from "replay:examples/outage";
import syntaxMissingSemicolon from "replay:01-syntax-missing-semicolon";
import includeGlobEmptied from "replay:07-include-glob-dir-empty";
import listenPortMoved from "replay:09-listen-port-moved";
import defaultServerMoved from "replay:14-default-server-flag-moved";
import proxyPassSlash from "replay:17-proxy-pass-trailing-slash";
import hstsDropped from "replay:37-add-header-drops-hsts";
import reformatted from "replay:47-control-reformatted";

/** A case of tests/replays/ (or examples/outage) as build.mjs inlines it. */
export interface ReplayCase {
  id: string;
  /** Where it lives in the repository. */
  source: string;
  title: string;
  level: "low" | "medium" | "high" | "critical";
  top_rule: string | null;
  score_zero: boolean;
  why: string;
  nginx_t?: { before: string; after: string };
  targets?: ("1.22" | "latest")[];
  before: SourceFile[];
  after: SourceFile[];
}

export interface Example {
  id: string;
  title: string;
  /** One or two sentences for the gallery card. */
  blurb: string;
  mode: Mode;
  /** Lint mode: the files (or an `nginx -T` dump, split when loaded). Compare mode: the after side. */
  files: SourceFile[];
  /** Lint mode: text of an `nginx -T` dump, split into files by the engine when loaded. */
  dump?: string;
  before?: SourceFile[];
  /** Options the example needs (others keep their current value). */
  options?: Partial<PlaygroundOptions>;
  /** The request the route tester starts with. */
  route?: { host: string; uri: string; port?: number };
  /** What the replay suite expects (compare examples). */
  expect?: { level: string; rule: string | null };
  /** Where it comes from, for the card. */
  source?: string;
}

const good = `# A small reverse proxy in front of an application server.
user www-data;
worker_processes auto;
pid /run/nginx.pid;

events {
    worker_connections 1024;
}

http {
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    keepalive_timeout 65;

    types {
        text/html html;
        text/css css;
        application/javascript js;
    }
    default_type application/octet-stream;

    log_format timed '$remote_addr "$request" $status $request_time';
    access_log /var/log/nginx/access.log timed;
    error_log /var/log/nginx/error.log warn;

    upstream app {
        server 127.0.0.1:8080 max_fails=3 fail_timeout=10s;
        server 127.0.0.1:8081 backup;
        keepalive 16;
    }

    server {
        listen 80 default_server;
        listen [::]:80 default_server;
        server_name example.org www.example.org;
        return 301 https://$host$request_uri;
    }

    server {
        listen 443 ssl;
        server_name example.org;
        ssl_certificate /etc/ssl/certs/example.org.pem;
        ssl_certificate_key /etc/ssl/private/example.org.key;
        ssl_protocols TLSv1.2 TLSv1.3;

        root /srv/www/example.org;
        index index.html;

        location / {
            try_files $uri $uri/ =404;
        }

        location /api/ {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }

        location ~* \\.(css|js|png|svg)$ {
            expires 7d;
            add_header Cache-Control "public";
        }
    }
}
`;

const syntaxError = `# Two syntax errors: nginx stops at the first one.
events {}

http {
    server {
        listen 8080
        server_name broken.example;

        location / {
            root /srv/www;
            index index.html;
        }
    }
`;

const unknownDirective = `# Typos in directive names, and directives in the wrong block, are errors for nginx -t.
events {
    worker_connections 512;
}

http {
    server {
        listen 80;
        server_name typo.example;
        alias /srv/www/;

        location / {
            proxy_pass http://127.0.0.1:3000;
            proxy_set_headr Host $host;
        }

        location /static/ {
            alias /srv/static/;
            expirse 1h;
        }
    }
}
`;

const dump = `nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
worker_processes 2;

events {
    worker_connections 768;
}

http {
    default_type application/octet-stream;
    include /etc/nginx/conf.d/*.conf;
    include /etc/nginx/sites-enabled/*;
}

# configuration file /etc/nginx/conf.d/gzip.conf:
gzip on;
gzip_types text/plain text/css application/json;

# configuration file /etc/nginx/sites-enabled/shop:
server {
    listen 80;
    server_name shop.example;

    location / {
        proxy_pass http://127.0.0.1:9000;
        proxy_connect_timeout 5s;
        proxy_read_timeot 30s;
    }
}

`;

const snippet = `# A location snippet, read as if it were included inside http > server.
location /downloads/ {
    root /srv;
    autoindex on;
    limit_rate 512k;
}

location = /health {
    access_log off;
    return 200 "ok\\n";
}
`;

const one = (text: string): SourceFile[] => [{ path: MAIN, text }];

function replay(c: ReplayCase, id: string, title: string, blurb: string, route?: Example["route"]): Example {
  return {
    id,
    title,
    blurb: blurb || c.title,
    mode: "compare",
    before: c.before,
    files: c.after,
    // Each side is a complete configuration: a missing include is a real error, as for nginx.
    options: { context: "", includesFromEnvironment: false, targets: c.targets ?? [] },
    route,
    expect: { level: c.level, rule: c.top_rule },
    source: c.source,
  };
}

export const EXAMPLES: Example[] = [
  { id: "good", mode: "lint", title: "Reverse proxy (clean)", blurb: "A small, clean reverse proxy: nginx -t accepts it.", files: one(good), options: { context: "" } },
  { id: "syntax", mode: "lint", title: "Syntax error", blurb: "A missing semicolon and brace: nginx stops at the first.", files: one(syntaxError), options: { context: "" } },
  { id: "unknown", mode: "lint", title: "Unknown / misplaced directives", blurb: "Typos and directives in the wrong block.", files: one(unknownDirective), options: { context: "" } },
  { id: "dump", mode: "lint", title: "nginx -T dump", blurb: "The output of nginx -T, split into its files.", files: [], dump, options: { context: "" } },
  { id: "snippet", mode: "lint", title: "Snippet (server context)", blurb: "A location snippet checked as if included in a server.", files: one(snippet), options: { context: "http,server" } },
  replay(theOutage, "outage", "The outage ngxlint was started for",
    "A typo in a new include stops nginx from restarting (port 80 refuses everything), and default_server moves off the health-check catch-all, which nginx -t passes.",
    { host: "10.0.0.5", uri: "/healthz", port: 80 }),
  replay(listenPortMoved, "outage-listen", "Outage replay: port 80 moved",
    "The only server moves from port 80 to 8080. nginx -t passes; every request to port 80 is refused.",
    { host: "status.example.com", uri: "/", port: 80 }),
  replay(syntaxMissingSemicolon, "outage-restart", "Outage replay: nginx refuses to restart",
    "A new proxy_set_header without its semicolon: a reload keeps the old config, a restart leaves nginx down.",
    { host: "example.com", uri: "/", port: 80 }),
  replay(includeGlobEmptied, "include-emptied", "Include emptied",
    "Vhost files moved to sites-available/ while nginx.conf still includes sites-enabled/*.conf: every server vanishes.",
    { host: "example.com", uri: "/", port: 80 }),
  replay(defaultServerMoved, "default-server", "Default server changed",
    "default_server moves from the api vhost to admin: unmatched hosts (health checks) now get 401.",
    { host: "10.0.0.5", uri: "/healthz", port: 80 }),
  replay(proxyPassSlash, "proxy-pass-slash", "proxy_pass trailing slash",
    "A trailing slash on proxy_pass in /v2/: /v2/orders is now sent upstream as /orders.",
    { host: "api.example.com", uri: "/v2/orders", port: 80 }),
  replay(hstsDropped, "hsts-dropped", "add_header drops HSTS",
    "A Cache-Control add_header in /assets/ silently drops the server's HSTS, CSP and nosniff headers.",
    { host: "example.com", uri: "/assets/app.js", port: 443 }),
  replay(reformatted, "reformat", "Harmless reformat (score 0)",
    "Indentation, blank lines, comments and quoting only: nothing nginx sees changes.",
    { host: "example.com", uri: "/", port: 80 }),
];

export const DEFAULT_EXAMPLE = EXAMPLES[0];
