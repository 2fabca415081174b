server {
    listen 80;
    server_name docs.example.com;
    include snippets/letsencrypt.conf;
    root /var/www/docs/html;
    index index.html;

    location / {
        try_files $uri $uri/ $uri.html =404;
    }
}
