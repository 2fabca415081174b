// Times ngxlint's analyze on one file in WebAssembly under node (wasm/pkg-node), median of RUNS.
//   node bench/wasm_vs_native.mjs FILE [RUNS]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
const require = createRequire(import.meta.url);
const ngxlint = require("../wasm/pkg-node/ngxlint_wasm.js");
const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 10);
const text = readFileSync(file, "utf8");
const files = [{ path: "/bench/nginx.conf", text }];
// V8 runs wasm first as baseline (Liftoff) code and recompiles hot functions with TurboFan in
// the background: warm up for at least a second of calls (and 3 calls) so the median is the
// steady state a long-lived editor or playground sees; the first call is reported on its own.
let t0 = process.hrtime.bigint();
ngxlint.analyze(files, { includesFromEnvironment: true });
const first = Number(process.hrtime.bigint() - t0) / 1e9;
for (let i = 1, spent = first; i < 3 || spent < 1; i++) {
  t0 = process.hrtime.bigint();
  ngxlint.analyze(files, { includesFromEnvironment: true });
  spent += Number(process.hrtime.bigint() - t0) / 1e9;
}
const times = [];
let n = 0;
for (let i = 0; i < runs; i++) {
  const t = process.hrtime.bigint();
  n = ngxlint.analyze(files, { includesFromEnvironment: true }).diagnostics.length;
  times.push(Number(process.hrtime.bigint() - t) / 1e9);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`bytes=${Buffer.byteLength(text)} runs=${runs} median_s=${median.toFixed(6)} first_s=${first.toFixed(6)} mb_per_s=${(Buffer.byteLength(text) / 1e6 / median).toFixed(1)} diagnostics=${n}`);
