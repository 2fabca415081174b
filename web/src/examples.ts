// Example configurations for the playground's picker (written for the playground).

import type { PlaygroundOptions } from "./worker-protocol";

export interface Example {
  id: string;
  title: string;
  text: string;
  /** Options the example needs (others keep their current value). */
  options?: Partial<PlaygroundOptions>;
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

export const EXAMPLES: Example[] = [
  { id: "good", title: "Reverse proxy (clean)", text: good, options: { context: "" } },
  { id: "syntax", title: "Syntax error", text: syntaxError, options: { context: "" } },
  { id: "unknown", title: "Unknown / misplaced directives", text: unknownDirective, options: { context: "" } },
  { id: "dump", title: "nginx -T dump", text: dump, options: { context: "" } },
  { id: "snippet", title: "Snippet (server context)", text: snippet, options: { context: "http,server" } },
];

export const DEFAULT_EXAMPLE = EXAMPLES[0];
