# Shared timing helpers of the bench scripts (sourced): fresh-process wall times, peak RSS,
# throughput and ratios, formatted the same way in every table.
# run_ok CMD... : runs CMD, stdout discarded; exit status 0 or 1 is success.
run_ok() {
    local rc=0
    "$@" >/dev/null 2>&1 || rc=$?
    [ $rc -le 1 ] || { echo "failed ($rc): $*" >&2; "$@" 2>&1 | tail -3 >&2; exit 1; }
}
rss_mb() { # rss_mb CMD... -> maximum resident set size of one run of CMD, in MB
    local f rc=0
    f=$(mktemp)
    /usr/bin/time -v -o "$f" "$@" >/dev/null 2>&1 || rc=$?
    [ $rc -le 1 ] || { echo "failed ($rc): $*" >&2; exit 1; }
    awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$f"
    rm -f "$f"
}
wall_s() { # wall_s RUNS CMD... -> "MEDIAN BEST" wall seconds over RUNS fresh processes
    local runs=$1
    shift
    python3 - "$runs" "$@" <<'EOF'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
ts = []
for _ in range(runs):
    t = time.perf_counter()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    ts.append(time.perf_counter() - t)
    if rc not in (0, 1):
        sys.exit(f"failed ({rc}): {' '.join(cmd)}")
ts.sort()
print(f"{ts[len(ts) // 2]:.6f} {ts[0]:.6f}")
EOF
}
fmt_time() { # fmt_time MEDIAN BEST
    awk -v s="$1" -v b="$2" 'BEGIN { if (s < 1) printf "%.1f ms (best %.1f)", s * 1000, b * 1000; else printf "%.2f s (best %.2f)", s, b }'
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = b / a; printf (r < 10 ? "%.1fx" : "%.0fx"), r }'; } # time_b / time_a
