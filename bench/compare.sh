#!/usr/bin/env bash
# ngxlint vs crossplane on the same generated configs, in one run; regenerates its section of
# bench/RESULTS.md (bench/compare-audit.sh owns another: full analysis vs gixy-ng).
#
#   bench/compare.sh [SIZES_MB...]      (default: 1 10)
#
# - .venv-ref/ (git-ignored) gets crossplane from PyPI when missing.
# - Inputs come from bench/gen_config.py into bench/out/ (git-ignored); the Rust generator the
#   criterion benches use must produce the same bytes, and is checked to.
# - ngxlint is timed in-process by core/examples/parse_file.rs (median of N runs of
#   `syntax::parse`, and of `analyze`); crossplane in-process by bench/time_crossplane.py (median
#   of `crossplane.parse()`), and as the CLI (`crossplane parse FILE`, interpreter start-up and
#   JSON output included). The ngxlint CLI is timed too when it has `parse --format crossplane`.
# - Max RSS comes from /usr/bin/time (`%M`) around one parse in a fresh process.
# Runs everything sequentially: the machine's cores are shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10)
out="bench/out"
mkdir -p "$out"

# --- tools ---------------------------------------------------------------------------------
# crossplane: .venv-ref in the checkout, else beside it (a worktree shares ../.venv-ref).
venv="$root/.venv-ref"
[ -x "$venv/bin/crossplane" ] || [ ! -x "$root/../.venv-ref/bin/crossplane" ] || venv="$root/../.venv-ref"
if [ ! -x "$venv/bin/crossplane" ]; then
    echo "== creating .venv-ref with crossplane"
    python3 -m venv .venv-ref
    .venv-ref/bin/pip install -q crossplane
fi
if [ ! -x /usr/bin/time ]; then
    echo "== installing GNU time"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
echo "== building core/examples/parse_file (release)"
cargo build -q --release -p ngxlint --example parse_file
tdir="${CARGO_TARGET_DIR:-target}"
pf="$tdir/release/examples/parse_file"

cli=""
if cargo build -q --release -p ngxlint-cli 2>/dev/null && [ -x "$tdir/release/ngxlint" ]; then
    probe="$out/probe.conf"
    printf 'events {}\nhttp { server { listen 80; } }\n' >"$probe"
    if "$tdir/release/ngxlint" parse "$probe" --format crossplane >/dev/null 2>&1; then
        cli="$tdir/release/ngxlint"
    fi
fi
[ -n "$cli" ] && echo "== ngxlint CLI: $cli parse --format crossplane" \
    || echo "== ngxlint CLI has no 'parse --format crossplane' yet: CLI row skipped"

kv() { # kv KEY LINE -> value of KEY=... in LINE
    sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"
}
rss_mb() { # rss_mb CMD... -> max RSS of CMD in MB (stdout of CMD discarded)
    local f
    f=$(mktemp)
    /usr/bin/time -f '%M' -o "$f" "$@" >/dev/null
    awk '{printf "%.1f", $1 / 1024}' "$f"
    rm -f "$f"
}
wall_s() { # wall_s RUNS CMD... -> "MEDIAN BEST" wall seconds of CMD over RUNS fresh processes
    local runs=$1
    shift
    python3 - "$runs" "$@" <<'EOF'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
ts = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    ts.append(time.perf_counter() - t)
ts.sort()
print(f"{ts[len(ts) // 2]:.6f} {ts[0]:.6f}")
EOF
}
fmt_time() { # fmt_time MEDIAN BEST
    awk -v s="$1" -v b="$2" 'BEGIN { if (s < 1) printf "%.2f ms (best %.2f)", s * 1000, b * 1000; else printf "%.3f s (best %.3f)", s, b }'
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0fx", b / a }'; } # time_b / time_a

rows=()
summary=()
for mb in "${sizes[@]}"; do
    f="$out/gen-${mb}MB.conf"
    echo "== generating $f"
    python3 bench/gen_config.py "$mb" "$f"
    "$pf" --gen "$mb" "$out/gen-${mb}MB.rust.conf"
    cmp -s "$f" "$out/gen-${mb}MB.rust.conf" || {
        echo "bench/gen_config.py and core/benches/support/gen_config.rs disagree for ${mb} MB" >&2
        exit 1
    }
    rm -f "$out/gen-${mb}MB.rust.conf"
    bytes=$(stat -c %s "$f")
    label="$(awk -v b="$bytes" 'BEGIN { printf "%.2f MB", b / 1e6 }')"
    # Fewer runs for bigger inputs: keeps a run of the script to a few minutes.
    nruns=$(awk -v m="$mb" 'BEGIN { r = int(200 / m); if (r < 5) r = 5; if (r > 50) r = 50; print r }')
    cruns=$(awk -v m="$mb" 'BEGIN { print (m <= 2) ? 5 : (m <= 20) ? 3 : 1 }')

    echo "== ngxlint syntax::parse, $label x$nruns"
    p=$("$pf" "$f" "$nruns")
    echo "   $p"
    echo "== ngxlint analyze, $label x$nruns"
    a=$("$pf" "$f" "$nruns" --analyze)
    echo "   $a"
    echo "== crossplane.parse() in-process, $label x$cruns"
    c=$("$venv"/bin/python bench/time_crossplane.py "$f" "$cruns")
    echo "   $c"
    [ "$(kv status "$c")" = ok ] && [ "$(kv directives "$c")" = "$(kv directives "$p")" ] || {
        echo "crossplane and ngxlint disagree on the input (status/directive count): not comparable" >&2
        exit 1
    }
    echo "== crossplane parse CLI, $label x$cruns"
    read -r ccli ccli_best < <(wall_s "$cruns" "$venv"/bin/crossplane parse "$f" -o /dev/null)
    echo "   median_s=$ccli best_s=$ccli_best"

    p_s=$(kv median_s "$p"); a_s=$(kv median_s "$a"); c_s=$(kv median_s "$c")
    p_b=$(kv best_s "$p"); a_b=$(kv best_s "$a"); c_b=$(kv best_s "$c")
    p_rss=$(rss_mb "$pf" "$f" --once)
    a_rss=$(rss_mb "$pf" "$f" --once --analyze)
    c_rss=$(rss_mb "$venv"/bin/python bench/time_crossplane.py "$f" 1)
    ccli_rss=$(rss_mb "$venv"/bin/crossplane parse "$f" -o /dev/null)

    rows+=("| $label | ngxlint \`syntax::parse\` (in-process, median of $nruns) | $(fmt_time "$p_s" "$p_b") | $(mbps "$bytes" "$p_s") | $(ratio "$p_s" "$c_s") | $p_rss MB |")
    rows+=("| $label | ngxlint \`analyze\` (in-process, median of $nruns) | $(fmt_time "$a_s" "$a_b") | $(mbps "$bytes" "$a_s") | $(ratio "$a_s" "$c_s") | $a_rss MB |")
    if [ -n "$cli" ]; then
        echo "== ngxlint CLI parse --format crossplane, $label x$cruns"
        read -r n_s n_b < <(wall_s "$cruns" "$cli" parse "$f" --format crossplane)
        n_rss=$(rss_mb "$cli" parse "$f" --format crossplane)
        rows+=("| $label | \`ngxlint parse --format crossplane\` (process, median of $cruns, JSON to /dev/null) | $(fmt_time "$n_s" "$n_b") | $(mbps "$bytes" "$n_s") | $(ratio "$n_s" "$ccli") vs CLI | $n_rss MB |")
    fi
    rows+=("| $label | crossplane \`crossplane.parse()\` (in-process, median of $cruns) | $(fmt_time "$c_s" "$c_b") | $(mbps "$bytes" "$c_s") | 1x | $c_rss MB |")
    rows+=("| $label | \`crossplane parse\` CLI (process, median of $cruns, JSON to /dev/null) | $(fmt_time "$ccli" "$ccli_best") | $(mbps "$bytes" "$ccli") | — | $ccli_rss MB |")
    if [ -n "${BENCH_TSV:-}" ]; then # bench/all.sh's summary: tool, bytes, seconds, max RSS MB
        printf '%s\t%s\t%s\t%s\n' "ngxlint syntax::parse (in-process)" "$bytes" "$p_s" "$p_rss" \
            "ngxlint analyze (in-process)" "$bytes" "$a_s" "$a_rss" \
            "crossplane.parse() (in-process)" "$bytes" "$c_s" "$c_rss" \
            "crossplane parse CLI" "$bytes" "$ccli" "$ccli_rss" >>"$BENCH_TSV"
        [ -z "$cli" ] || printf '%s\t%s\t%s\t%s\n' "ngxlint parse --format crossplane CLI" "$bytes" "$n_s" "$n_rss" >>"$BENCH_TSV"
    fi
    summary+=("$label: parse $(mbps "$bytes" "$p_s") MB/s, analyze $(mbps "$bytes" "$a_s") MB/s, crossplane $(mbps "$bytes" "$c_s") MB/s in-process")
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- core/src cli/src 2>/dev/null || commit="$commit + uncommitted changes in core/src or cli/src"
{
    echo "## ngxlint vs crossplane: parse throughput"
    echo
    echo "Generated by \`bench/compare.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); do not edit by hand."
    echo
    echo "- Machine: $(nproc) CPUs visible, $cpu, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr); load average $load at the end of the run (other jobs share the machine: numbers are noisy)"
    echo "- ngxlint: commit $commit, $(rustc --version), release profile; crossplane $("$venv"/bin/pip show crossplane 2>/dev/null | sed -n 's/^Version: //p') on $("$venv"/bin/python --version)"
    echo "- Inputs: \`bench/gen_config.py SIZE_MB\` (deterministic; identical to the criterion benches' inputs): servers with 3-8 locations each, maps, upstreams, comments, quoted strings with escapes, Lua blocks. Both tools read the same directive count and report no error."
    echo "- Time: median of the runs (best run in brackets); MB/s and ratios from the medians. MB = 10^6 bytes. Ratio = how many times faster than \`crossplane.parse()\` in-process (the CLI row: than the crossplane CLI). Max RSS: one parse in a fresh process (\`/usr/bin/time\` %M), input bytes included."
    echo "- \`crossplane.parse()\` also checks directive contexts and argument counts, so \`analyze\` (include resolution + diagnostics) is the closer like-for-like row; \`syntax::parse\` is the tokenizer + tree alone."
    echo
    echo "| input size | tool | time | MB/s | ratio ngxlint/crossplane | max RSS |"
    echo "| --- | --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Target: \`syntax::parse\` >= 100 MB/s."
} | python3 bench/results_section.py bench/RESULTS.md compare.sh
echo
printf '%s\n' "${summary[@]}"
echo "wrote its section of bench/RESULTS.md"
