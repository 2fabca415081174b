server {
    listen 80;
    server_name shop.example.com;
    include snippets/letsencrypt.conf;

    location / {
        include snippets/proxy-params.conf;
        proxy_pass http://shop_app;
    }
    location /media/ {
        root /srv/shop;
        expires 30d;
    }
}
