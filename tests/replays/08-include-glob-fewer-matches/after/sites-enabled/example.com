server {
    listen 80;
    server_name example.com www.example.com;
    include snippets/letsencrypt.conf;

    if ($legacy_redirect) {
        return 301 $legacy_redirect;
    }

    location / {
        include snippets/proxy-params.conf;
        proxy_pass http://www_app;
    }
}
