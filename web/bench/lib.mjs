// Shared by the benchmarks: a generated configuration and small statistics.

/** A plausible configuration of about `lines` lines: many virtual hosts with locations. */
export function generate(lines) {
  const out = ["worker_processes auto;", "events {", "    worker_connections 4096;", "}", "http {",
    "    sendfile on;", "    keepalive_timeout 65;", "    log_format main '$remote_addr $request $status';"];
  let i = 0;
  while (out.length < lines - 2) {
    out.push(
      "    upstream backend" + i + " {",
      `        server 10.0.${i % 250}.1:8080 max_fails=2;`,
      `        server 10.0.${i % 250}.2:8080 backup;`,
      "    }",
      "    server {",
      `        listen ${8000 + (i % 1000)};`,
      `        server_name site${i}.example.org www.site${i}.example.org;`,
      `        root /srv/www/site${i};`,
      `        access_log /var/log/nginx/site${i}.log main;`,
      "        gzip on;",
      "        location / {",
      "            try_files $uri $uri/ =404;",
      "        }",
      "        location /api/ {",
      `            proxy_pass http://backend${i};`,
      "            proxy_set_header Host $host;",
      "            proxy_read_timeout 30s;",
      "        }",
      "        location ~ \\.php$ {",
      "            return 403;",
      "        }",
      "    }",
    );
    i++;
  }
  out.push("}", "");
  return out.join("\n");
}

export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1] };
}
export const fmt = (x) => x.toFixed(2).padStart(7);


/** Starts recording the main thread's long tasks (over 50 ms) in the page; read them with `window.__longTasks`. */
export async function longTasks(page) {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask" });
  });
}
