#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, one after another (the machine has 2 shared cores),
# seeding the corpus first if it is empty. Crashes land in fuzz/artifacts/<target>/; minimise one
# with `cargo +nightly fuzz tmin <target> <file>` and commit the result under
# fuzz/regressions/<target>/. Regressions are replayed first.
#   usage: fuzz/run-all.sh SECONDS [TARGET...]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
secs="${1:?usage: run-all.sh SECONDS [TARGET...]}"
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse include format compare check)
toolchain="${FUZZ_TOOLCHAIN:-+nightly}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
[ -d corpus/parse ] && [ -n "$(ls -A corpus/parse 2>/dev/null)" ] || ./seed.sh
status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "logs"
    cargo $toolchain fuzz build "$t" || { status=1; continue; }
    bin="target/x86_64-unknown-linux-gnu/release/$t"
    # Replay committed regressions: each must run without a crash.
    if compgen -G "regressions/$t/*" >/dev/null; then
        "$bin" -runs=0 regressions/"$t"/* >"logs/$t-regressions.log" 2>&1 \
            || { echo "$t: a committed regression crashes (logs/$t-regressions.log)"; status=1; }
    fi
    echo "== $t for ${secs}s"
    cargo $toolchain fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 -max_len=65536 >"logs/$t.log" 2>&1
    rc=$?
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "logs/$t.log"
    grep -E '^#[0-9]+.*(DONE|cov:)' "logs/$t.log" | tail -1
    if [ $rc -ne 0 ]; then
        echo "$t: CRASH (exit $rc), see logs/$t.log and artifacts/$t/"
        grep -m1 -E 'panicked at|ERROR: libFuzzer' -A3 "logs/$t.log"
        status=1
    fi
done
exit $status
