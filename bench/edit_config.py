#!/usr/bin/env python3
"""The "after" side of a diff benchmark: core/benches/compare.rs's `edited()` in Python.

    edit_config.py IN OUT

Every 50th line that is a `listen` gets port 8xxx, every 50th-plus-one `proxy_pass` a new target,
every 40th `client_max_body_size` is removed, and every other line is re-indented by two spaces.
Standard library only.
"""
import sys


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    out = []
    with open(argv[1]) as f:
        for n, line in enumerate(f.read().splitlines(), 1):
            t = line.lstrip()
            if n % 50 == 0 and t.startswith("listen "):
                line = line.replace("listen ", "listen 8", 1)
            elif n % 50 == 1 and t.startswith("proxy_pass "):
                line = line.replace("proxy_pass http://", "proxy_pass http://10.9.", 1)
            elif n % 40 == 0 and t.startswith("client_max_body_size"):
                line = ""
            else:
                line = "  " + line
            out.append(line + "\n")
    with open(argv[2], "w") as f:
        f.writelines(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
