#!/usr/bin/env bash
# Full analysis, ngxlint vs gixy-ng, on the same generated configs in one run; regenerates the
# "compare-audit.sh" section of bench/RESULTS.md (bench/compare.sh owns the parse section).
#
#   bench/compare-audit.sh [SIZES_MB...]      (default: 0.1 1 5)
#
# - ngxlint: the release CLI, `ngxlint check FILE --select ALL --format json` (every rule; JSON
#   to /dev/null), a fresh process per run, and the same with the default text report (miette
#   snippets); and in-process `analyze` with every rule
#   (core/examples/parse_file.rs --analyze --all-rules) for the time without process start-up
#   and file reading.
# - gixy-ng: its CLI, `gixy FILE -f json -o /dev/null` (every plugin it enables by default), from
#   a virtualenv: $GIXY if set, else .venv-ref/bin/gixy in the checkout or beside it
#   (`python3 -m venv ../.venv-ref && ../.venv-ref/bin/pip install gixy-ng`). Without it the
#   gixy rows are skipped, not an error.
# - Time: median wall time of N fresh processes (best in brackets); MB/s from the median.
#   Ratio = gixy-ng time / ngxlint CLI time. Max RSS: `/usr/bin/time -v` ("Maximum resident
#   set size") around one more run of each command.
# - Exit status 1 is fine for both tools (ngxlint: errors found; gixy: issues found); anything
#   else stops the script.
# gixy-ng's time grows faster than linearly with input size (about 1.4 s for 1 MB, 21 s for
# 5 MB on the machine this was written on), so big inputs run it once; sizes above 5 MB make
# the script slow. Runs everything sequentially: the machine's cores are shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(0.1 1 5)
out="bench/out"
mkdir -p "$out"

# --- tools ---------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    echo "== installing GNU time"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
echo "== building the ngxlint CLI and core/examples/parse_file (release)"
cargo build -q --release -p ngxlint-cli
cargo build -q --release -p ngxlint --example parse_file
tdir="${CARGO_TARGET_DIR:-target}"
cli="$tdir/release/ngxlint"
pf="$tdir/release/examples/parse_file"

gixy="${GIXY:-}"
if [ -z "$gixy" ]; then
    for cand in "$root/.venv-ref/bin/gixy" "$root/../.venv-ref/bin/gixy" /work/.venv-ref/bin/gixy; do
        if [ -x "$cand" ]; then
            gixy="$cand"
            break
        fi
    done
fi
if [ -n "$gixy" ] && "$gixy" --version >/dev/null 2>&1; then
    gixy_version=$("$gixy" --version 2>&1 | sed -n 's/^Gixy v\{0,1\}//Ip' | head -1)
    echo "== gixy-ng: $gixy ($gixy_version)"
else
    gixy=""
    echo "== gixy-ng not found (set GIXY, or: python3 -m venv ../.venv-ref && ../.venv-ref/bin/pip install gixy-ng): gixy rows skipped"
fi

kv() { # kv KEY LINE -> value of KEY=... in LINE
    sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"
}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rows=()
summary=()
for mb in "${sizes[@]}"; do
    f="$out/gen-${mb}MB.conf"
    echo "== generating $f"
    python3 bench/gen_config.py "$mb" "$f"
    bytes=$(stat -c %s "$f")
    label="$(awk -v b="$bytes" 'BEGIN { printf "%.2f MB", b / 1e6 }')"
    # Runs per size: a few seconds of ngxlint, and gixy-ng kept to about a minute.
    nruns=$(awk -v m="$mb" 'BEGIN { r = int(20 / m); if (r < 5) r = 5; if (r > 50) r = 50; print r }')
    gruns=$(awk -v m="$mb" 'BEGIN { print (m <= 0.5) ? 5 : (m <= 2) ? 3 : 1 }')

    echo "== ngxlint analyze, every rule, in-process, $label x$nruns"
    a=$("$pf" "$f" "$nruns" --analyze --all-rules)
    echo "   $a"
    a_s=$(kv median_s "$a"); a_b=$(kv best_s "$a")
    findings=$(kv errors "$a") # parse_file's "errors" = number of diagnostics of the analysis
    a_rss=$(rss_mb "$pf" "$f" --once --analyze --all-rules)

    echo "== ngxlint check --select ALL (CLI), $label x$nruns"
    run_ok "$cli" check "$f" --select ALL --format json
    read -r n_s n_b < <(wall_s "$nruns" "$cli" check "$f" --select ALL --format json)
    n_rss=$(rss_mb "$cli" check "$f" --select ALL --format json)
    echo "   median_s=$n_s best_s=$n_b rss_mb=$n_rss"
    # The default text report too (miette snippets): it once grew with file size x diagnostics.
    echo "== ngxlint check --select ALL (CLI, text report), $label x$nruns"
    read -r t_s t_b < <(wall_s "$nruns" "$cli" check "$f" --select ALL)
    t_rss=$(rss_mb "$cli" check "$f" --select ALL)
    echo "   median_s=$t_s best_s=$t_b rss_mb=$t_rss"

    rows+=("| $label | ngxlint \`check --select ALL\` (CLI, median of $nruns) | $(fmt_time "$n_s" "$n_b") | $(mbps "$bytes" "$n_s") | 1x | $n_rss MB | $findings diagnostics |")
    rows+=("| $label | ngxlint \`check --select ALL\`, text report (CLI, median of $nruns) | $(fmt_time "$t_s" "$t_b") | $(mbps "$bytes" "$t_s") | — | $t_rss MB | $findings diagnostics |")
    rows+=("| $label | ngxlint \`analyze\`, every rule (in-process, median of $nruns) | $(fmt_time "$a_s" "$a_b") | $(mbps "$bytes" "$a_s") | — | $a_rss MB | $findings diagnostics |")
    line="$label: ngxlint CLI $(mbps "$bytes" "$n_s") MB/s, in-process analyze $(mbps "$bytes" "$a_s") MB/s"
    if [ -n "${BENCH_TSV:-}" ]; then # bench/all.sh's summary: tool, bytes, seconds, max RSS MB
        printf '%s\t%s\t%s\t%s\n' "ngxlint check --select ALL CLI" "$bytes" "$n_s" "$n_rss" \
            "ngxlint check --select ALL CLI, text report" "$bytes" "$t_s" "$t_rss" \
            "ngxlint analyze, every rule (in-process)" "$bytes" "$a_s" "$a_rss" >>"$BENCH_TSV"
    fi
    if [ -n "$gixy" ] && awk -v m="$mb" -v x="${GIXY_MAX_MB:-5}" 'BEGIN { exit !(m > x) }'; then
        echo "== gixy-ng skipped at $label (above GIXY_MAX_MB=${GIXY_MAX_MB:-5}: its time grows super-linearly)"
        rows+=("| $label | gixy-ng CLI | not run: above GIXY_MAX_MB=${GIXY_MAX_MB:-5} (super-linear: 22.65 s at 5 MB on 2026-11-24) | — | — | — | — |")
    elif [ -n "$gixy" ]; then
        echo "== gixy-ng (CLI), $label x$gruns"
        g_json="$out/gixy-${mb}MB.json"
        run_ok "$gixy" "$f" -f json -o "$g_json"
        issues=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$g_json")
        read -r g_s g_b < <(wall_s "$gruns" "$gixy" "$f" -f json -o /dev/null)
        g_rss=$(rss_mb "$gixy" "$f" -f json -o /dev/null)
        echo "   median_s=$g_s best_s=$g_b rss_mb=$g_rss issues=$issues"
        rows+=("| $label | gixy-ng CLI (median of $gruns) | $(fmt_time "$g_s" "$g_b") | $(mbps "$bytes" "$g_s") | $(ratio "$n_s" "$g_s") slower | $g_rss MB | $issues issue groups |")
        [ -z "${BENCH_TSV:-}" ] || printf '%s\t%s\t%s\t%s\n' "gixy-ng CLI" "$bytes" "$g_s" "$g_rss" >>"$BENCH_TSV"
        line="$line, gixy-ng $(mbps "$bytes" "$g_s") MB/s: ngxlint CLI $(ratio "$n_s" "$g_s") faster"
    fi
    summary+=("$line")
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- core/src cli/src 2>/dev/null || commit="$commit + uncommitted changes in core/src or cli/src"
# Rules proper: `rules --json` also lists the check stage's NGX codes and the LNT meta codes.
nrules=$("$cli" rules --json 2>/dev/null | python3 -c 'import json, sys; print(sum(not r["code"].startswith(("NGX", "LNT")) for r in json.load(sys.stdin)))' 2>/dev/null || echo "?")
{
    echo "## ngxlint vs gixy-ng: full analysis"
    echo
    echo "Generated by \`bench/compare-audit.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); do not edit by hand."
    echo
    echo "- Machine: $(nproc) CPUs visible, $cpu, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr); load average $load at the end of the run (other jobs share the machine: numbers are noisy)"
    if [ -n "$gixy" ]; then
        echo "- ngxlint: commit $commit, $(rustc --version), release profile, $nrules rules; gixy-ng $gixy_version on $("$(dirname "$gixy")/python" --version 2>&1)"
    else
        echo "- ngxlint: commit $commit, $(rustc --version), release profile, $nrules rules; gixy-ng not installed: its rows are missing"
    fi
    echo "- Inputs: \`bench/gen_config.py SIZE_MB\` (the parse section's and the criterion benches' generator): one file, no include reaches another file. Both tools read it without a parse error."
    echo "- ngxlint runs every rule (\`--select ALL\`) plus the \`nginx -t\` checks; gixy-ng runs the plugins it enables by default. The rule sets differ, so this compares the cost of a full audit by each tool, not equal work. ngxlint's count is of diagnostics; gixy-ng's JSON groups identical findings, so its count is of groups."
    echo "- Time: median wall time of fresh processes (best run in brackets), process start-up and file reading included, JSON output to /dev/null; the in-process row is \`analyze\` alone. MB/s from the medians, MB = 10^6 bytes. Ratio: gixy-ng's CLI time over ngxlint's CLI time. Max RSS: \`/usr/bin/time -v\` around one run."
    echo "- gixy-ng's time grows faster than the input (it is run fewer times on bigger inputs, once at 5 MB) and it is not run above GIXY_MAX_MB (${GIXY_MAX_MB:-5} MB in this run) for that reason."
    echo
    echo "| input size | tool | time | MB/s | vs ngxlint CLI | max RSS | findings |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Targets for ngxlint's full analysis on one core: >= 25 MB/s now, >= 50 MB/s later (in-process row)."
} | python3 bench/results_section.py bench/RESULTS.md compare-audit.sh
echo
printf '%s\n' "${summary[@]}"
echo "wrote its section of bench/RESULTS.md"
