// The Node CI gate on the outage replay and on replay cases: levels, exit statuses, --fail-on,
// --target, JSON and GitHub annotations. Needs wasm/pkg-node (bash scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const gate = join(here, "ci-gate.mjs");
const outage = (side) => join(repo, "examples", "outage", side);
const replay = (name, side) => join(repo, "tests", "replays", name, side);

function run(args, env = {}) {
  const r = spawnSync("node", [gate, ...args], { encoding: "utf8", env: { ...process.env, GITHUB_ACTIONS: "", ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("the outage change is critical and fails the gate, with a check per finding", () => {
  const { code, out } = run([outage("before"), outage("after")]);
  assert.equal(code, 1, out);
  const lines = out.split("\n");
  assert.equal(lines[0], "risk: critical (100/100), block");
  assert.match(lines[1], /^ {2}RSK001 config-refused \[critical\]: .*unknown directive "proxy_read_timout"/);
  assert.match(lines[2], /^ {4}check: nginx -t/);
  assert.match(out, /RSK007 default-server-changed \[critical\]/);
  assert.match(out, /check: curl .*-H 'Host: unknown\.invalid'/);
  assert.match(out, /^gate: failed \(critical, --fail-on high\): block: /m);
});

test("two copies of the same checkout score 0 and pass", () => {
  const dir = mkdtempSync(join(tmpdir(), "ngxlint-gate-"));
  cpSync(outage("before"), join(dir, "old"), { recursive: true });
  cpSync(outage("before"), join(dir, "new"), { recursive: true });
  const { code, out } = run([join(dir, "old"), join(dir, "new")]);
  assert.equal(code, 0, out);
  assert.equal(out, "risk: low (0/100), ship\n");
});

test("--json prints the report contract and --fail-on sets the threshold", () => {
  const args = [replay("12-server-name-one-vhost", "before"), replay("12-server-name-one-vhost", "after")];
  const { code, out } = run([...args, "--json"]);
  assert.equal(code, 1);
  const report = JSON.parse(out);
  assert.equal(report.version, 1);
  assert.equal(report.level, "high");
  assert.equal(report.findings[0].rule, "server-name-changed");
  assert.equal(report.findings[0].after_at.file, "/etc/nginx/nginx.conf");
  assert.equal(run([...args, "--fail-on", "critical"]).code, 0);
  assert.equal(run([...args, "--fail-on", "medium"]).code, 1);
});

test("--target checks every nginx version of the fleet", () => {
  const args = [replay("05-http2-on-old-fleet", "before"), replay("05-http2-on-old-fleet", "after")];
  assert.equal(run(args).code, 0, "nginx 1.31 knows `http2 on;`");
  const { code, out } = run([...args, "--target", "1.22,latest"]);
  assert.equal(code, 1, out);
  assert.match(out, /^risk: critical/);
  assert.match(out, /RSK002 version-skew \[critical\]: nginx 1\.22\.1 .*unknown directive "http2"/);
});

test("GitHub annotations point into NEW_DIR", () => {
  const { out } = run([outage("before"), outage("after")], { GITHUB_ACTIONS: "true" });
  const file = join(outage("after"), "conf.d", "batch.api.example.com.conf");
  assert.ok(out.includes(`::error file=${file},line=14,col=9,title=RSK001 config-refused::nginx 1.31.5 would refuse`), out);
  const www = join(outage("after"), "conf.d", "www.example.com.conf");
  assert.ok(out.includes(`::error file=${www},line=3,col=5,title=RSK007 default-server-changed::default server for 0.0.0.0:80 changes`), out);
  assert.ok(!out.includes("title=RSK026"), "low findings are not annotated");
  assert.doesNotMatch(run([outage("before"), outage("after")]).out, /^::/m, "no annotations outside GitHub Actions");
});

test("usage and IO errors exit 2", () => {
  const missing = run([outage("before"), join(tmpdir(), "no-such-ngxlint-dir")]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read ".*no-such-ngxlint-dir"/);
  assert.equal(run([outage("before")]).code, 2);
  const noMain = run([here, outage("after")]);
  assert.equal(noMain.code, 2);
  assert.match(noMain.err, /has no nginx\.conf/);
  assert.equal(run([outage("before"), outage("after"), "--fail-on", "severe"]).code, 2);
  const badTarget = run([outage("before"), outage("after"), "--target", "1.18"]);
  assert.equal(badTarget.code, 2);
  assert.match(badTarget.err, /1\.18/);
});
