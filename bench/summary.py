#!/usr/bin/env python3
"""bench/all.sh's headline table from the measurements the bench scripts append to BENCH_TSV.

    summary.py MEASUREMENTS.tsv > section.md

Each line: tool, input bytes, median seconds, max RSS in MB. Per tool and input: MB/s, growth
(seconds per MB relative to the same tool's row closest to 1 MB: about 1.0 = linear, above 1 =
growing faster than the input) and max RSS over the input size (MB = 10^6 bytes; RSS in MiB as
/usr/bin/time gives it, so the ratio is slightly understated). Standard library only.
"""
import sys
from collections import OrderedDict


def main(argv):
    rows = OrderedDict()
    for line in open(argv[1]):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4 or not parts[2]:
            continue
        tool, b, s, rss = parts[0], int(parts[1]), float(parts[2]), parts[3]
        rows.setdefault(tool, []).append((b, s, float(rss) if rss else None))
    print("| tool | input | median time | MB/s | growth (s/MB vs the ~1 MB row) | max RSS | RSS / input |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for tool, ms in rows.items():
        ms.sort()
        ref = min(ms, key=lambda m: abs(m[0] - 1e6))
        ref_per_mb = ref[1] / (ref[0] / 1e6)
        for b, s, rss in ms:
            mb = b / 1e6
            growth = f"{(s / mb) / ref_per_mb:.2f}" if len(ms) > 1 else "—"
            t = f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"
            r = f"{rss:.1f} MB" if rss is not None else "—"
            rr = f"{rss * 1.048576 / mb:.1f}x" if rss is not None else "—"
            print(f"| {tool} | {mb:.2f} MB | {t} | {mb / s:.1f} | {growth} | {r} | {rr} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
