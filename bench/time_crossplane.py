#!/usr/bin/env python3
"""Times crossplane.parse() in-process (interpreter start-up and JSON output excluded).

    usage: bench/time_crossplane.py FILE [RUNS]

Prints one line of key=value pairs like core/examples/parse_file.rs: bytes, runs, best and median
seconds per run, MB/s (10^6 bytes) from the median, the directive count and crossplane's status.
Run it with the interpreter that has crossplane (bench/compare.sh uses .venv-ref/bin/python).
"""
import os
import sys
import time

import crossplane


def count(block):
    return sum(1 + count(d.get("block", [])) for d in block)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    path = argv[1]
    runs = int(argv[2]) if len(argv) > 2 else 3
    size = os.path.getsize(path)
    times = []
    payload = None
    for _ in range(runs):
        t = time.perf_counter()
        payload = crossplane.parse(path)
        times.append(time.perf_counter() - t)
    times.sort()
    median = times[len(times) // 2]
    directives = sum(count(c["parsed"]) for c in payload["config"])
    print(
        f"bytes={size} runs={runs} best_s={times[0]:.6f} median_s={median:.6f} "
        f"mb_per_s={size / median / 1e6:.2f} directives={directives} status={payload['status']} "
        f"errors={len(payload['errors'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
