#!/usr/bin/env bash
# record-replays.sh [--check] [CASE...]
#
# Records the real `nginx -t` verdict of both sides of every replay case under
# tests/replays/ into its case.json ("nginx_t": {"before": ..., "after": ...}) and
# regenerates the case table in tests/replays/README.md. The verdicts are therefore
# never typed by hand.
#
# For each side, the side directory is copied to a fresh temporary directory and nginx runs as
#   nginx -t -q -p <copy>/ -c nginx.conf -e stderr -g "pid <tmp>/nginx.pid;"
# so relative paths (include, ssl_certificate, logs/...) resolve inside the copy and nothing is
# written into the repository. The verdict is "ok" or nginx's first [emerg]/[alert]/[crit]
# message without the timestamp/pid prefix and with the copy's path removed, so file names read
# relative to the side directory (e.g. `unknown directive "x" in conf.d/api.conf:12`).
#
#   --check   do not write; exit 1 if any case.json or the README table is out of date
#   CASE...   only these case directories (names or paths); the README table is then left alone
#
# Needs nginx (the suite was recorded with nginx 1.22.1, /usr/sbin/nginx; set NGINX=/path to
# override), python3 and root. Exit status: 0 ok, 1 out of date (--check) or a *before* config
# that nginx rejects (every before side must load), 2 usage/setup error.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
nginx_bin=${NGINX:-}
if [ -z "$nginx_bin" ]; then
  if [ -x /usr/sbin/nginx ]; then nginx_bin=/usr/sbin/nginx
  elif command -v nginx >/dev/null 2>&1; then nginx_bin=$(command -v nginx)
  else
    echo "record-replays: nginx is not installed (apt-get install -y nginx); cannot record" >&2
    exit 2
  fi
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "record-replays: python3 is required" >&2
  exit 2
fi
exec python3 - "$repo" "$nginx_bin" "$@" <<'PY'
import json, os, re, shutil, subprocess, sys, tempfile

repo, nginx = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
check = "--check" in args
only = [a for a in args if a != "--check"]
if any(a.startswith("-") for a in only):
    sys.exit("usage: record-replays.sh [--check] [CASE...]")
root = os.path.join(repo, "tests", "replays")
readme = os.path.join(root, "README.md")
EXPECTED_VERSION = "1.22.1"
LEVELS = ("low", "medium", "high", "critical")

def nginx_version():
    r = subprocess.run([nginx, "-v"], capture_output=True)
    v = (r.stderr or r.stdout).decode("latin-1").strip()
    return v.split("/", 1)[-1] if "/" in v else v

EMERG = re.compile(r"\[(emerg|alert|crit)\] (?:\d+#\d+: )?(.*)$")

def verdict(side):
    with tempfile.TemporaryDirectory(prefix="ngx-replay-") as tmp:
        copy = os.path.join(tmp, "side")
        shutil.copytree(side, copy, symlinks=True)
        os.makedirs(os.path.join(copy, "logs"), exist_ok=True)
        try:
            r = subprocess.run(
                [nginx, "-t", "-q", "-p", copy + "/", "-c", "nginx.conf", "-e", "stderr",
                 "-g", "pid %s/nginx.pid;" % tmp],
                capture_output=True, timeout=30)
        except subprocess.TimeoutExpired:
            return "nginx -t timed out", []
        out = (r.stderr + r.stdout).decode("latin-1")
        lines = out.splitlines()
        warns = [l for l in lines if "[warn]" in l]
        if r.returncode == 0:
            return "ok", warns
        for l in lines:
            m = EMERG.search(l)
            if m:
                msg = m.group(2).replace(copy + "/", "").replace(copy, ".")
                return msg, warns
        return "nginx -t failed without an emerg line: " + " | ".join(lines)[:300], warns

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def dump(doc):
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

def with_verdicts(doc, nt):
    out = {}
    for k, v in doc.items():
        if k == "nginx_t":
            out[k] = nt
        elif k == "why" and "nginx_t" not in doc:
            out["nginx_t"] = nt
            out[k] = v
        else:
            out[k] = v
    if "nginx_t" not in out:
        out["nginx_t"] = nt
    return out

version = nginx_version()
if version != EXPECTED_VERSION:
    print(f"record-replays: WARNING: nginx {version}, the suite's verdicts were recorded with "
          f"{EXPECTED_VERSION} (version-skew cases depend on it)", file=sys.stderr)

all_cases = sorted(d for d in os.listdir(root)
                   if os.path.isdir(os.path.join(root, d)) and re.match(r"^\d\d-", d))
if only:
    names = [os.path.basename(os.path.normpath(a)) for a in only]
    missing = [n for n in names if n not in all_cases]
    if missing:
        sys.exit(f"record-replays: no such case: {missing}")
    cases = sorted(set(names))
else:
    cases = all_cases

stale, bad_before, rows = [], [], []
for name in cases:
    d = os.path.join(root, name)
    cj = os.path.join(d, "case.json")
    for side in ("before", "after"):
        if not os.path.isfile(os.path.join(d, side, "nginx.conf")):
            sys.exit(f"record-replays: {name}: missing {side}/nginx.conf")
    if not os.path.isfile(cj):
        sys.exit(f"record-replays: {name}: missing case.json")
    doc = load(cj)
    if doc.get("level") not in LEVELS:
        sys.exit(f"record-replays: {name}: level must be one of {LEVELS}")
    vb, wb = verdict(os.path.join(d, "before"))
    va, wa = verdict(os.path.join(d, "after"))
    for w in wb + wa:
        print(f"  {name}: {w.split('] ', 1)[-1]}", file=sys.stderr)
    if vb != "ok":
        bad_before.append((name, vb))
    new = with_verdicts(doc, {"before": vb, "after": va})
    text = dump(new)
    with open(cj, encoding="utf-8") as f:
        old = f.read()
    if old != text:
        stale.append(name)
        if not check:
            with open(cj, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    rows.append((name, new))

def md(s):
    return str(s).replace("|", "\\|")

def table(rows):
    rej = sum(1 for _, c in rows if c["nginx_t"]["after"] != "ok")
    risky = [c for _, c in rows if c["level"] in ("high", "critical")]
    missed = sum(1 for c in risky if c["nginx_t"]["after"] == "ok")
    out = [f"nginx {version} rejects {rej} of the {len(rows)} after-configurations; {len(risky)} cases "
           f"expect high or critical, and nginx -t passes {missed} of them.", "",
           "| id | title | pattern | level | top rule | nginx -t (after) |",
           "|---|---|---|---|---|---|"]
    for name, c in rows:
        nt = c["nginx_t"]["after"]
        nt = "ok" if nt == "ok" else "rejects: `" + md(nt) + "`"
        out.append(f"| [{name[:2]}]({name}/) | {md(c['title'])} | {c['pattern'] if c['pattern'] is not None else '–'} "
                   f"| {c['level']} | {('`' + c['top_rule'] + '`') if c['top_rule'] else '–'} | {nt} |")
    return "\n".join(out) + "\n"

readme_stale = False
if not only and os.path.isfile(readme):
    with open(readme, encoding="utf-8") as f:
        rd = f.read()
    b, e = "<!-- cases:begin -->\n", "<!-- cases:end -->"
    if b in rd and e in rd:
        head, rest = rd.split(b, 1)
        _, tail = rest.split(e, 1)
        new_rd = head + b + table(rows) + e + tail
        if new_rd != rd:
            readme_stale = True
            if not check:
                with open(readme, "w", encoding="utf-8", newline="\n") as f:
                    f.write(new_rd)
    else:
        print("record-replays: README.md has no <!-- cases:begin/end --> markers; table not written",
              file=sys.stderr)

# Summary: what nginx -t sees versus what the cases expect.
print(f"\nnginx {version}: {len(rows)} cases\n")
w = max(len(n) for n, _ in rows)
print(f"{'case':<{w}}  {'level':<8}  {'top rule':<26}  nginx -t after")
for name, c in rows:
    print(f"{name:<{w}}  {c['level']:<8}  {str(c['top_rule'] or '-'):<26}  {c['nginx_t']['after']}")
rej = [n for n, c in rows if c["nginx_t"]["after"] != "ok"]
risky = [n for n, c in rows if c["level"] in ("high", "critical")]
crit = [n for n, c in rows if c["level"] == "critical"]
risky_rej = [n for n in risky if n in rej]
print()
print(f"after-configs nginx -t rejects:            {len(rej):3d} of {len(rows)}")
print(f"cases expected high or critical:            {len(risky):3d} (critical {len(crit)})")
print(f"  of those, rejected by nginx -t:           {len(risky_rej):3d}")
print(f"  of those, passed by nginx -t (missed):    {len(risky) - len(risky_rej):3d}")
by = {}
for _, c in rows:
    by[c["level"]] = by.get(c["level"], 0) + 1
print("expected levels:                           ", ", ".join(f"{l} {by.get(l, 0)}" for l in LEVELS))

if bad_before:
    for n, v in bad_before:
        print(f"record-replays: {n}: the BEFORE config must load, nginx -t says: {v}", file=sys.stderr)
if check:
    if stale or readme_stale:
        print(f"record-replays: out of date: {stale}{' + README table' if readme_stale else ''}; "
              "rerun tests/tools/record-replays.sh", file=sys.stderr)
        sys.exit(1)
    print("record-replays: recorded verdicts up to date")
elif stale or readme_stale:
    print(f"record-replays: updated {len(stale)} case.json file(s){' and the README table' if readme_stale else ''}")
sys.exit(1 if bad_before else 0)
PY
