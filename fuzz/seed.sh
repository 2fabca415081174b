#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ with a deterministic sample of the shared nginx corpus.
# fuzz/corpus is git-ignored: the shared corpus is test data only and is never committed.
#   usage: fuzz/seed.sh [SAMPLE_SIZE]   (default 300 files per target)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shared="${NGXLINT_SHARED:-$here/../../shared}/corpus"
n="${1:-300}"
if [ ! -d "$shared" ]; then
    echo "seed.sh: no shared corpus at $shared (set NGXLINT_SHARED)" >&2
    exit 1
fi
# Config files only (manifests and READMEs out), sorted for a stable sample; every k-th file.
mapfile -t all < <(find "$shared" -type f ! -name '*.jsonl' ! -name '*.md' ! -name '*.json' -size -256k | LC_ALL=C sort)
total=${#all[@]}
step=$(( total / n )); [ "$step" -ge 1 ] || step=1
sample=()
for ((i = 0; i < total; i += step)); do sample+=("${all[$i]}"); done

for t in parse format include compare check; do mkdir -p "$here/corpus/$t"; done
i=0
for f in "${sample[@]}"; do
    name=$(printf 'seed-%04d' "$i")
    cp "$f" "$here/corpus/parse/$name"
    cp "$f" "$here/corpus/format/$name"
    i=$((i + 1))
done

# include: byte 0 picks the options, then files separated by NUL (see fuzz_targets/include.rs:
# file 0 is /etc/nginx/nginx.conf, 1-2 conf.d/{a,b}.conf, 3 sites-enabled/default, 4 mime.types,
# 5 snippets/ssl.conf, 6 conf.d/.hidden.conf, 7 /opt/other/x.conf).
inc="$here/corpus/include"
main='events {}
http {
    include mime.types;
    include conf.d/*.conf;
    include /etc/nginx/sites-enabled/*;
    server { listen 80; include snippets/[a-z]*.conf; include /opt/other/x.conf; }
}
'
printf '\000%s\000server { listen 81; }\000include conf.d/a.conf;\000server { include snippets/ssl.conf; }\000types { text/html html; }\000ssl_protocols TLSv1.2;\000bad {\000x 1;' "$main" > "$inc/glob-all"
printf '\002server { include conf.d/*.conf; }\000location / { return 200; }' > "$inc/context-http"
printf '\004default 0;\000~x 1;' > "$inc/map-snippet"
printf '\000include nginx.conf;\000' > "$inc/self-cycle"
printf '\000include conf.d/a.conf;\000include conf.d/b.conf;\000include conf.d/a.conf;' > "$inc/cycle"
printf '\000include missing.conf; include conf.d/*.none;' > "$inc/missing"
j=0
for f in "${sample[@]:0:60}"; do
    # A real file as main, two more as conf.d/a.conf and conf.d/b.conf, reached by a glob.
    a="${sample[$(( (j + 1) % ${#sample[@]} ))]}"
    b="${sample[$(( (j + 2) % ${#sample[@]} ))]}"
    { printf '\000'; cat "$f"; printf '\ninclude conf.d/*.conf;\n\000'; cat "$a"; printf '\000'; cat "$b"; } \
        > "$inc/$(printf 'seed-%04d' "$j")"
    j=$((j + 1))
done
# compare: before NUL after; the replay suite's pairs (main files) are realistic seeds.
cmp="$here/corpus/compare"
k=0
for d in "$here"/../tests/replays/*/; do
    [ -f "$d/before/nginx.conf" ] || continue
    { cat "$d/before/nginx.conf"; printf '\000'; cat "$d/after/nginx.conf"; } > "$cmp/$(printf 'replay-%02d' "$k")"
    k=$((k + 1))
done
# check: byte 0 picks version/profile/context (see fuzz_targets/check.rs); the per-rule fixtures
# trigger every rule and most fixes, the corpus sample adds real-world shapes.
chk="$here/corpus/check"
c=0
for f in "$here"/../tests/fixtures/rules/*/*.conf "${sample[@]:0:100}"; do
    { printf "\\$(printf '%03o' $(( (c * 11) % 32 )))"; cat "$f"; } > "$chk/$(printf 'seed-%04d' "$c")"
    c=$((c + 1))
done
echo "seeded: parse=$i format=$i include=$((j + 6)) compare=$k check=$c from $total files under $shared"
