#!/usr/bin/env bash
# `nginx -t` vs `ngxlint check` on the same nginx-loadable configs, and `ngxlint diff` of each
# generated config against an edited copy; regenerates the "compare-nginx-diff.sh" section of
# bench/RESULTS.md.
#
#   bench/compare-nginx-diff.sh [SIZES_MB...]      (default: 0.1 1 10)
#
# - nginx -t: the generated configs do not load as they are (missing certificates, `http2 on`
#   from nginx 1.25, Lua blocks, upstreams nginx would look up in DNS): bench/nginx_variant.py
#   makes a loadable copy (one self-signed certificate, Lua blocks -> `return 200;`, ...), and
#   both nginx and ngxlint are timed on that copy. nginx runs as root with a temp prefix
#   (`-p TMP -g 'pid TMP/nginx.pid;'`, logs below it), like ../shared/tools/nginx-check.
#   nginx -t loads the certificate once per server block: that is part of what it costs. All
#   access logs go to one file (one per server would pass the open-file limit at 50 MB).
# - ngxlint diff: `ngxlint diff GEN GEN.after --format json` (the CLI: both sides analysed,
#   expanded, diffed, risk-scored), GEN.after from bench/edit_config.py (core/benches/compare.rs's
#   edit: ports, proxy_pass targets, removed limits, re-indentation). Exit status 1 (risk at or
#   above the threshold) is fine.
# - Time: median wall time of fresh processes (best in brackets); max RSS: /usr/bin/time -v.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(0.1 1 10)
out="bench/out"
mkdir -p "$out"
nginx="${NGINX:-/usr/sbin/nginx}"
[ -x "$nginx" ] || { echo "no nginx at $nginx (apt-get install -y nginx, or set NGINX)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || echo "warning: not root; nginx -t may fail on user/log directives" >&2
if [ ! -x /usr/bin/time ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
echo "== building the ngxlint CLI (release)"
cargo build -q --release -p ngxlint-cli
cli="${CARGO_TARGET_DIR:-target}/release/ngxlint"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/prefix/logs"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
    -days 3650 -subj /CN=bench.example.com >/dev/null 2>&1
ngx_t() { "$nginx" -t -q -p "$tmp/prefix/" -c "$(readlink -f "$1")" -e stderr -g "pid $tmp/prefix/nginx.pid;"; }

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tsv() { [ -z "${BENCH_TSV:-}" ] || printf '%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_TSV"; }

rows=()
drows=()
for mb in "${sizes[@]}"; do
    f="$out/gen-${mb}MB.conf"
    [ -f "$f" ] || python3 bench/gen_config.py "$mb" "$f"
    v="$out/gen-${mb}MB.nginx.conf"
    python3 bench/nginx_variant.py "$f" "$v" "$tmp/cert.pem" "$tmp/key.pem"
    bytes=$(stat -c %s "$v")
    label="$(awk -v b="$bytes" 'BEGIN { printf "%.2f MB", b / 1e6 }')"
    runs=$(awk -v m="$mb" 'BEGIN { r = int(10 / m); if (r < 3) r = 3; if (r > 11) r = 11; print r }')

    echo "== nginx -t on the loadable copy, $label x$runs"
    ng_s=""
    if ! msg=$(ngx_t "$v" 2>&1); then
        echo "   nginx -t rejects it: $(grep -m1 emerg <<<"$msg")" >&2
        rows+=("| $label | \`nginx -t\` | rejected: $(grep -m1 -o 'emerg.*' <<<"$msg" | head -c 120) | — | — | — |")
    else
        read -r ng_s ng_b < <(wall_s "$runs" "$nginx" -t -q -p "$tmp/prefix/" -c "$(readlink -f "$v")" -e stderr -g "pid $tmp/prefix/nginx.pid;")
        ng_rss=$(rss_mb "$nginx" -t -q -p "$tmp/prefix/" -c "$(readlink -f "$v")" -e stderr -g "pid $tmp/prefix/nginx.pid;")
        echo "   median_s=$ng_s best_s=$ng_b rss_mb=$ng_rss"
        tsv "nginx -t" "$bytes" "$ng_s" "$ng_rss"
    fi

    echo "== ngxlint check on the same copy, $label x$runs"
    run_ok "$cli" check "$v" --format json
    read -r c_s c_b < <(wall_s "$runs" "$cli" check "$v" --format json)
    c_rss=$(rss_mb "$cli" check "$v" --format json)
    echo "   median_s=$c_s best_s=$c_b rss_mb=$c_rss"
    tsv "ngxlint check CLI (nginx-loadable copy)" "$bytes" "$c_s" "$c_rss"
    rows+=("| $label | \`ngxlint check\` (CLI, median of $runs) | $(fmt_time "$c_s" "$c_b") | $(mbps "$bytes" "$c_s") | 1x | $c_rss MB |")
    if [ -n "${ng_s:-}" ]; then
        rows+=("| $label | \`nginx -t\` 1.22 (median of $runs) | $(fmt_time "$ng_s" "$ng_b") | $(mbps "$bytes" "$ng_s") | $(ratio "$c_s" "$ng_s") slower | $ng_rss MB |")
    fi

    a="$out/gen-${mb}MB.after.conf"
    python3 bench/edit_config.py "$f" "$a"
    gbytes=$(stat -c %s "$f")
    glabel="$(awk -v b="$gbytes" 'BEGIN { printf "%.2f MB", b / 1e6 }')"
    echo "== ngxlint diff, $glabel vs its edited copy, x$runs"
    run_ok "$cli" diff "$f" "$a" --format json
    changes=$({ "$cli" diff "$f" "$a" --format json 2>/dev/null || true; } | python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d.get("changes", [])), d.get("score"), d.get("level"))' || echo "? ? ?")
    read -r d_s d_b < <(wall_s "$runs" "$cli" diff "$f" "$a" --format json)
    d_rss=$(rss_mb "$cli" diff "$f" "$a" --format json)
    echo "   median_s=$d_s best_s=$d_b rss_mb=$d_rss changes/score/level=$changes"
    tsv "ngxlint diff CLI (both sides)" "$gbytes" "$d_s" "$d_rss"
    read -r nchanges score level <<<"$changes"
    drows+=("| $glabel | $(fmt_time "$d_s" "$d_b") | $(mbps "$((gbytes * 2))" "$d_s") | $d_rss MB | $nchanges changes, score $score ($level) |")
done

{
    echo "## \`nginx -t\` vs \`ngxlint check\`, and \`ngxlint diff\`"
    echo
    echo "Generated by \`bench/compare-nginx-diff.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); do not edit by hand."
    echo
    echo "- Machine: $(nproc) CPUs visible, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end of the run (other jobs share the machine: numbers are noisy)"
    echo "- ngxlint: commit $(git rev-parse --short HEAD), $(rustc --version), release profile; $("$nginx" -v 2>&1 | sed 's/^nginx version: //') (Debian build, no Lua module)"
    echo "- \`nginx -t\` input: the generated config made loadable by \`bench/nginx_variant.py\` (the generated files are not: missing certificates, \`http2 on\` is nginx >= 1.25.1, Lua blocks, upstream names nginx would resolve in DNS); \`ngxlint check\` reads the same copy. nginx runs as root with a temp prefix and loads one self-signed certificate per server block: that is part of its cost. Every access_log goes to one file (one per server block would pass the container's open-file limit at 50 MB)."
    echo "- Time: median wall time of fresh processes (best in brackets), JSON output to /dev/null. Max RSS: \`/usr/bin/time -v\`."
    echo
    echo "| input size | tool | time | MB/s | vs ngxlint check | max RSS |"
    echo "| --- | --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
    echo
    echo "\`ngxlint diff GEN GEN.after --format json\` (the CLI: both sides read and analysed, trees expanded, diffed and risk-scored; GEN.after from \`bench/edit_config.py\`, the edit of core/benches/compare.rs). MB/s counts both sides' bytes."
    echo
    echo "| input size (one side) | time | MB/s (both sides) | max RSS | result |"
    echo "| --- | ---: | ---: | ---: | --- |"
    printf '%s\n' "${drows[@]}"
} | python3 bench/results_section.py bench/RESULTS.md compare-nginx-diff.sh
echo "wrote its section of bench/RESULTS.md"
