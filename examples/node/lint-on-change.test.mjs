// The editor-style example, run once: LSP-shaped diagnostics for a config with a syntax error,
// and a clean result once it is fixed. Needs wasm/pkg-node (bash scripts/build-wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const example = join(here, "lint-on-change.mjs");
const run = (file, ...args) => JSON.parse(execFileSync("node", [example, file, "--once", ...args], { encoding: "utf8" }));

test("publishes nginx's message with a 0-based UTF-16 range", () => {
  const dir = mkdtempSync(join(tmpdir(), "ngxlint-"));
  const file = join(dir, "nginx.conf");
  writeFileSync(file, "events {}\nhttp {\n    server { listen 80; } # é😀\n    server { listen 81 }\n}\n");
  const params = run(file);
  assert.equal(params.uri, "file://" + file);
  const errors = (p) => p.diagnostics.filter((d) => d.severity === 1);
  const [d] = errors(params);
  assert.equal(d.message, 'unexpected "}"');
  assert.equal(d.severity, 1);
  assert.equal(d.source, "ngxlint");
  assert.deepEqual(d.range.start, { line: 3, character: 23 });

  writeFileSync(file, readFileSync(file, "utf8").replace("listen 81 }", "listen 81; }"));
  assert.deepEqual(errors(run(file)), []);
});

test("targets an nginx version", () => {
  const dir = mkdtempSync(join(tmpdir(), "ngxlint-"));
  const file = join(dir, "nginx.conf");
  writeFileSync(file, "events {}\nhttp { server { listen 443 ssl; http2 on; ssl_certificate a; ssl_certificate_key b; } }\n");
  const errors = (p) => p.diagnostics.filter((d) => d.severity === 1).map((d) => d.message.split("\n")[0]);
  assert.deepEqual(errors(run(file, "--nginx-version", "1.22")), ['unknown directive "http2"']);
  assert.deepEqual(errors(run(file, "--nginx-version", "latest")), []);
});
