// Compare mode with two generated 2,000-line configurations: keystroke -> risk report latency,
// how fast keystrokes reach the screen while comparisons run, and the main thread's long tasks.
// A measurement, not a test:  npm run build && npm run bench:compare
//   node bench/compare.mjs [--edits 30] [--lines 2000] [--burst 24] [--engine auto|worker|page] [--settle 3000]

import { launch, serveDist } from "../tests/browser.mjs";
import { fmt, generate, longTasks, stats } from "./lib.mjs";

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const EDITS = Number(arg("edits", 30));
const LINES = Number(arg("lines", 2000));
const BURST = Number(arg("burst", 24));
const ENGINE = arg("engine", "auto");
/** Idle time after loading the big documents, before typing: CodeMirror highlights them meanwhile. */
const SETTLE = Number(arg("settle", 3000));

const config = generate(LINES);
const server = await serveDist();
const browser = await launch({ viewport: { width: 1366, height: 768 } });
const row = (label, xs) => {
  const s = stats(xs);
  console.log(`${label.padEnd(48)} ${fmt(s.median)} ${fmt(s.p95)} ${fmt(s.min)} ${fmt(s.max)}`);
};
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${server.origin}/?engine=${ENGINE}`);
  await page.waitForFunction(() => window.ngxlintPlayground?.analyses() > 0 && !window.ngxlintPlayground.busy());
  await page.click("#mode-compare");
  await page.evaluate((text) => {
    for (const ws of Object.values(window.ngxlintPlayground.workspaces)) ws.setFiles([{ path: "/etc/nginx/nginx.conf", text }]);
  }, config);
  await page.waitForFunction(() => !window.ngxlintPlayground.busy() && window.ngxlintPlayground.lastCompare()?.report.score === 0, null, { timeout: 60000 });
  // The cursor after a `gzip` in the middle of the after side: "x" makes it an unknown directive
  // (nginx would refuse it: critical), Backspace fixes it (score 0), so every edit changes the report.
  const at = await page.evaluate(() => {
    const v = window.ngxlintPlayground.views.after;
    const text = v.state.doc.toString();
    const pos = text.indexOf("gzip on;", Math.floor(text.length / 2)) + 4;
    v.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    v.focus();
    return pos;
  });
  await page.evaluate(() => {
    const b = (window.__bench = { t0: 0, samples: [], frames: [] });
    document.addEventListener("keydown", () => {
      const t = performance.now();
      b.t0 = t;
      // The keystroke's own frame: how long input waits for the main thread.
      requestAnimationFrame(() => b.frames.push(performance.now() - t));
    }, true);
    document.addEventListener("ngxlint:compared", (e) => {
      if (!e.detail.final || !b.t0) return;
      const applied = performance.now() - b.t0;
      const { ms, roundTrip, startedAt } = e.detail;
      const t0 = b.t0;
      b.t0 = 0;
      requestAnimationFrame(() => b.samples.push({ applied, painted: performance.now() - t0, ms, roundTrip, waited: startedAt - t0 }));
    });
  });
  await longTasks(page);
  await new Promise((r) => setTimeout(r, SETTLE));
  const loading = await page.evaluate(() => window.__longTasks.splice(0));

  // 1. One key at a time, each waiting for its report.
  for (let i = 0; i < EDITS; i++) {
    await page.keyboard.press(i % 2 === 0 ? "x" : "Backspace");
    await page.waitForFunction((n) => window.__bench.samples.length > n, i, { timeout: 30000 });
  }
  const one = await page.evaluate(() => ({ ...window.__bench, longTasks: window.__longTasks.splice(0), compares: window.ngxlintPlayground.compares() }));
  const level = await page.evaluate(() => window.ngxlintPlayground.lastCompare().report.level);

  // 2. A burst: typing at ~30 keys/s into a directive name, then deleting it, without waiting.
  await page.evaluate(() => {
    window.__bench.frames = [];
    window.__bench.samples = [];
  });
  const word = "_and_a_much_longer_name".slice(0, BURST);
  const tBurst = Date.now();
  await page.keyboard.type(word, { delay: 33 });
  for (let i = 0; i < word.length; i++) await page.keyboard.press("Backspace", { delay: 0 }).then(() => new Promise((r) => setTimeout(r, 33)));
  const typedMs = Date.now() - tBurst;
  await page.waitForFunction(() => !window.ngxlintPlayground.busy() && window.__bench.samples.length > 0, null, { timeout: 30000 });
  const burst = await page.evaluate(() => ({ ...window.__bench, longTasks: window.__longTasks.splice(0), compares: window.ngxlintPlayground.compares() }));
  const text = await page.evaluate(() => window.ngxlintPlayground.views.after.state.doc.toString());
  if (!text.includes("gzip on;", at - 4)) throw new Error("the burst did not leave the text as it was");

  console.log(`configs: 2 x ${config.split("\n").length} lines (${config.length} chars each); engine ${ENGINE}; cursor at ${at} of the after side`);
  const lt = (l) => `${l.length}${l.length ? `, longest ${Math.max(...l.map((t) => t.duration)).toFixed(0)} ms` : ""}`;
  console.log(`main-thread long tasks (> 50 ms) in the ${SETTLE} ms after loading both configs: ${lt(loading)}`);
  console.log(`1. ${EDITS} single edits, each waiting for its report (last level: ${level})`);
  console.log("                                                   median      p95      min      max  (ms)");
  row("keystroke -> risk report painted (next frame)", one.samples.map((x) => x.painted));
  row("keystroke -> report and diagnostics applied", one.samples.map((x) => x.applied));
  row("keystroke -> compare sent (debounce included)", one.samples.map((x) => x.waited));
  row("page -> worker -> page round trip", one.samples.map((x) => x.roundTrip));
  row("wasm compare (inside the worker)", one.samples.map((x) => x.ms));
  row("keystroke -> its own frame", one.frames);
  console.log(`main-thread long tasks (> 50 ms): ${lt(one.longTasks)}`);
  console.log(`2. burst: ${word.length} keys typed and ${word.length} deleted at ~30 keys/s (${typedMs} ms), not waiting`);
  row("keystroke -> its own frame", burst.frames);
  row("last key -> final risk report painted", burst.samples.map((x) => x.painted));
  console.log(`comparisons for ${2 * word.length} keys: ${burst.compares - one.compares}`);
  console.log(`main-thread long tasks (> 50 ms): ${lt(burst.longTasks)}`);
} finally {
  await browser.close();
  server.close();
}
