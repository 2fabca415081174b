// Keystroke-to-diagnostics time in the built playground for a generated 2,000-line config, and
// the size of the wasm module. A measurement, not a test:  npm run build && npm run bench
//   node bench/keystroke.mjs [--edits 50] [--lines 2000] [--engine auto|worker|page] [--settle 3000]

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { dist, launch, serveDist, web } from "../tests/browser.mjs";
import { fmt, generate, longTasks, stats } from "./lib.mjs";

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const EDITS = Number(arg("edits", 50));
const LINES = Number(arg("lines", 2000));
const ENGINE = arg("engine", "auto");
/** Idle time after loading the big document, before typing: CodeMirror highlights it meanwhile. */
const SETTLE = Number(arg("settle", 3000));

const config = generate(LINES);
const server = await serveDist();
const browser = await launch();
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${server.origin}/?engine=${ENGINE}`);
  await page.waitForFunction(() => window.ngxlintPlayground?.analyses() > 0 && !window.ngxlintPlayground.busy());
  await page.evaluate((text) => {
    const v = window.ngxlintPlayground.view;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  }, config);
  await page.waitForFunction(() => !window.ngxlintPlayground.busy());
  const info = await page.evaluate(() => ({
    lines: window.ngxlintPlayground.view.state.doc.lines,
    mode: window.ngxlintPlayground.engines().join("+"),
  }));
  // Put the cursor right after a `gzip` in the middle: typing "x" makes it an unknown directive,
  // Backspace fixes it, so every edit changes the diagnostics.
  const at = await page.evaluate(() => {
    const v = window.ngxlintPlayground.view;
    const text = v.state.doc.toString();
    const pos = text.indexOf("gzip on;", Math.floor(text.length / 2)) + 4;
    v.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    v.focus();
    return pos;
  });
  await page.evaluate(() => {
    const b = (window.__bench = { t0: 0, samples: [] });
    document.addEventListener("keydown", () => (b.t0 = performance.now()), true);
    document.addEventListener("ngxlint:analyzed", (e) => {
      if (!e.detail.final || !b.t0) return;
      const applied = performance.now() - b.t0;
      const { ms, roundTrip, startedAt } = e.detail;
      b.where = window.ngxlintPlayground.lastEngine();
      const t0 = b.t0;
      b.t0 = 0;
      requestAnimationFrame(() => b.samples.push({ applied, painted: performance.now() - t0, ms, roundTrip, input: startedAt - t0 }));
    });
  });
  await longTasks(page);
  await new Promise((r) => setTimeout(r, SETTLE));
  const loading = await page.evaluate(() => window.__longTasks.splice(0));
  for (let i = 0; i < EDITS; i++) {
    await page.keyboard.press(i % 2 === 0 ? "x" : "Backspace");
    await page.waitForFunction((n) => window.__bench.samples.length > n, i);
  }
  const samples = await page.evaluate(() => window.__bench.samples);
  const problems = await page.evaluate(() => window.ngxlintPlayground.last().diagnostics.length);
  const where = await page.evaluate(() => window.__bench.where);
  const wasm = readFileSync(join(web, "pkg", "ngxlint_wasm_bg.wasm"));
  const js = readFileSync(join(dist, "playground.js"));
  console.log(`config: ${info.lines} lines, ${config.length} chars; engines: ${info.mode}, analyses ran ${where === "page" ? "on the page" : "in the worker"}; edits: ${samples.length} at offset ${at}; ${problems} diagnostics after the last edit`);
  console.log("                                        median      p95      min      max  (ms)");
  for (const [key, label] of [
    ["painted", "keystroke -> diagnostics painted (next frame)"],
    ["applied", "keystroke -> diagnostics in the editor"],
    ["input", "keystroke -> analysis sent (editor input)"],
    ["roundTrip", "page -> engine -> page round trip"],
    ["ms", "wasm analyze (inside the engine)"],
  ]) {
    const s = stats(samples.map((x) => x[key]));
    console.log(`${label.padEnd(46)} ${fmt(s.median)} ${fmt(s.p95)} ${fmt(s.min)} ${fmt(s.max)}`);
  }
  const lt = await page.evaluate(() => window.__longTasks);
  console.log(`main-thread long tasks (> 50 ms) in the ${SETTLE} ms after loading the config: ${loading.length}${loading.length ? `, longest ${Math.max(...loading.map((t) => t.duration)).toFixed(0)} ms` : ""}`);
  console.log(`main-thread long tasks (> 50 ms) while editing: ${lt.length}${lt.length ? `, longest ${Math.max(...lt.map((t) => t.duration)).toFixed(0)} ms` : ""}`);
  console.log(`wasm: ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} bytes gzipped`);
  console.log(`dist/playground.js (wasm inlined): ${js.length} bytes raw, ${gzipSync(js, { level: 9 }).length} bytes gzipped`);
} finally {
  await browser.close();
  server.close();
}
