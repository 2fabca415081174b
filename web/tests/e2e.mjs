// Browser end-to-end tests of the built playground (dist/), in headless Debian Chromium.
//   npm run build && npm test
// Screenshots go to ../test-output/web/.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { dist, launch, outDir, serveDist } from "./browser.mjs";

const CONFIG = `events {
    worker_connections 64;
}

http {
    server {
        listen 127.0.0.1:8080;
        server_name playground.test;
        location / {
            return 204;
        }
    }
}
`;

let server;
let browser;
let page;
const consoleErrors = [];
const requests = [];

function watch(p) {
  p.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${p.url()}: ${m.text()}`);
  });
  p.on("pageerror", (e) => consoleErrors.push(`${p.url()}: uncaught ${e.message}`));
}

async function shot(p, name) {
  await p.screenshot({ path: join(outDir, `${name}.png`) });
}

/** Waits until the page has applied an analysis of the editor's current text. */
async function settled(p) {
  await p.waitForFunction(() => {
    const pg = window.ngxlintPlayground;
    return pg && pg.analyses() > 0 && !pg.busy();
  });
}

async function problems(p) {
  await settled(p);
  return p.$$eval("#diagnostics .diag", (els) => els.map((e) => ({
    message: e.querySelector(".msg").textContent,
    code: e.querySelector(".code").textContent,
    severity: e.dataset.severity,
  })));
}

/** Errors and warnings only: notes about the machine (files nginx opens, users) may come and go. */
const serious = (list) => list.filter((d) => d.severity !== "info");

async function editorText(p) {
  return p.evaluate(() => window.ngxlintPlayground.view.state.doc.toString());
}

/** Replaces the editor content the way a paste does. */
async function paste(p, text) {
  await p.click(".cm-content");
  await p.keyboard.press("Control+A");
  await p.keyboard.press("Delete");
  await p.keyboard.insertText(text);
}

async function waitForProblem(p, text, present = true) {
  await p.waitForFunction(
    ([t, want]) => document.getElementById("diagnostics").textContent.includes(t) === want,
    [text, present],
    { timeout: 10000 },
  );
}

describe("playground over http", () => {
  before(async () => {
    mkdirSync(outDir, { recursive: true });
    server = await serveDist();
    browser = await launch();
    browser.context.on("request", (r) => requests.push(r.url()));
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    watch(page);
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test("loads, starts both engines and shows the version", async () => {
    await page.goto(server.origin + "/");
    await settled(page);
    assert.match(await page.textContent("#version"), /^v\d+\.\d+\.\d+/);
    assert.deepEqual(await page.evaluate(() => window.ngxlintPlayground.engines()), ["worker", "page"]);
    assert.ok((await editorText(page)).includes("upstream app"), "the default example is loaded");
    assert.deepEqual(serious(await problems(page)), [], "the default example is clean");
    await shot(page, "01-loaded");
  });

  test("typing an unknown directive shows it; fixing it clears it", async () => {
    await paste(page, CONFIG);
    await settled(page);
    // Rules may add notes (e.g. version disclosure); this test is about errors and warnings.
    assert.deepEqual(serious(await problems(page)), []);
    // Type a new line inside `server { ... }`, key by key.
    const line = await page.locator(".cm-line", { hasText: "server_name playground.test;" });
    await line.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("foo on;", { delay: 15 });
    await waitForProblem(page, 'unknown directive "foo"');
    const list = serious(await problems(page));
    assert.equal(list.length, 1, JSON.stringify(list));
    assert.equal(list[0].severity, "error");
    // Squiggle, gutter marker and tooltip in the editor.
    assert.equal(await page.locator(".cm-lintRange-error").count(), 1);
    assert.equal(await page.locator(".cm-gutter-lint .cm-lint-marker-error").count(), 1);
    await page.locator(".cm-lintRange-error").hover();
    const tip = page.locator(".cm-tooltip-lint");
    await tip.waitFor({ state: "visible" });
    const tipText = await tip.textContent();
    assert.ok(tipText.includes('unknown directive "foo"'), tipText);
    assert.ok(tipText.includes(list[0].code), tipText);
    await shot(page, "02-unknown-directive");
    // Clicking the problem selects the directive in the editor.
    await page.mouse.move(0, 0);
    await page.locator("#diagnostics .diag", { hasText: 'unknown directive "foo"' }).click();
    const sel = await page.evaluate(() => {
      const s = window.ngxlintPlayground.view.state;
      return s.sliceDoc(s.selection.main.from, s.selection.main.to);
    });
    assert.ok(sel.startsWith("foo"), `selected ${JSON.stringify(sel)}`);
    // Fix it: replace the word by a real directive.
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type("gzip on;", { delay: 15 });
    await waitForProblem(page, 'unknown directive "foo"', false);
    assert.deepEqual(serious(await problems(page)), []);
    assert.equal(await page.locator(".cm-lintRange-error").count(), 0);
    await shot(page, "03-fixed");
  });

  test("a shared URL reproduces the content and the options", async () => {
    await page.selectOption("#nginx-version", "1.22");
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText("# shared ✓ ünïcødé\n");
    await page.click("#share");
    await page.waitForFunction(() => location.hash.includes("code=z.") && location.hash.includes("v=1.22"));
    const url = page.url();
    const text = await editorText(page);
    const other = await browser.context.newPage();
    watch(other);
    await other.goto(url);
    await settled(other);
    assert.equal(await editorText(other), text);
    assert.equal(await other.inputValue("#nginx-version"), "1.22");
    await other.close();
    await page.selectOption("#nginx-version", "latest");
  });

  test("examples: syntax error, unknown directives, nginx -T dump, snippet", async () => {
    await page.selectOption("#example", "syntax");
    let list = await problems(page);
    assert.ok(list.some((d) => d.severity === "error"), JSON.stringify(list));
    assert.ok((await editorText(page)).includes("listen 8080\n"));

    await page.selectOption("#example", "unknown");
    list = await problems(page);
    const msgs = list.map((d) => d.message);
    assert.ok(msgs.includes('unknown directive "proxy_set_headr"'), msgs.join("\n"));

    // The tooltip shows the help.
    await page.locator(".cm-lintRange-error", { hasText: "alias" }).hover();
    const tip = page.locator(".cm-tooltip-lint");
    await tip.waitFor({ state: "visible" });
    assert.match(await tip.textContent(), /not allowed here.*help: .*allowed in: location/s);
    await shot(page, "10-tooltip-help");
    await page.mouse.move(0, 0);

    await page.selectOption("#example", "dump");
    list = await problems(page);
    assert.ok(list.some((d) => d.message === 'unknown directive "proxy_read_timeot"'), JSON.stringify(list));
    assert.match(await page.textContent("#dump-hint"), /3 files/);
    // The problem in the third file of the dump points at the right place of the dump.
    await page.locator("#diagnostics .diag", { hasText: "proxy_read_timeot" }).click();
    const sel = await page.evaluate(() => {
      const s = window.ngxlintPlayground.view.state;
      return s.sliceDoc(s.selection.main.from, s.selection.main.to);
    });
    assert.ok(sel.startsWith("proxy_read_timeot"), `selected ${JSON.stringify(sel)}`);
    await shot(page, "04-dump");

    await page.selectOption("#example", "snippet");
    assert.equal(await page.inputValue("#context"), "http,server");
    assert.deepEqual(serious(await problems(page)), []);

    await page.selectOption("#example", "good");
    assert.equal(await page.inputValue("#context"), "");
    assert.deepEqual(serious(await problems(page)), []);
  });

  test("parse tree and crossplane tabs", async () => {
    await page.click('.tab[data-tab="tree"]');
    await page.waitForFunction(() => document.getElementById("tree").textContent.length > 100);
    assert.ok((await page.textContent("#tree")).includes("upstream"));
    await shot(page, "05-parse-tree");
    await page.click('.tab[data-tab="crossplane"]');
    await page.waitForFunction(() => document.getElementById("crossplane").textContent.includes('"directive"'));
    const payload = JSON.parse(await page.textContent("#crossplane"));
    assert.equal(payload.status, "ok");
    assert.equal(payload.config[0].parsed[0].directive, "user");
    await page.click('.tab[data-tab="rules"]');
    assert.ok((await page.locator("#rules details").count()) > 0);
    await page.click('.tab[data-tab="problems"]');
  });

  test("format rewrites the configuration", async () => {
    await paste(page, "events{}\nhttp{server{listen 80;\nlocation /{return 204;}}}\n");
    await settled(page);
    await page.click("#format");
    await page.waitForFunction(() => window.ngxlintPlayground.view.state.doc.toString().includes("    server {"));
    const text = await editorText(page);
    assert.ok(text.includes("\n        listen 80;\n"), text);
    assert.match(await page.textContent("#status-message"), /Formatted/);
    // Formatting is undoable.
    await page.keyboard.press("Control+Z");
    await page.waitForFunction(() => window.ngxlintPlayground.view.state.doc.toString().startsWith("events{}"));
    // Syntax errors: the editor is left alone.
    await paste(page, "http {\n");
    await settled(page);
    await page.click("#format");
    await page.waitForFunction(() => /syntax/.test(document.getElementById("status-message").textContent));
    assert.equal(await editorText(page), "http {\n");
  });

  test("theme toggle", async () => {
    await page.selectOption("#example", "unknown");
    await settled(page);
    const before = await page.evaluate(() => document.documentElement.dataset.effectiveTheme);
    await page.click("#theme");
    const afterToggle = await page.evaluate(() => document.documentElement.dataset.effectiveTheme);
    assert.notEqual(afterToggle, before);
    await shot(page, `06-theme-${afterToggle}`);
    await page.reload();
    await settled(page);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.effectiveTheme), afterToggle, "remembered");
    await page.click("#theme");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.effectiveTheme), before);
  });

  test("dark system preference is followed", async () => {
    const p = await browser.context.newPage();
    watch(p);
    await p.emulateMedia({ colorScheme: "dark" });
    await p.setViewportSize({ width: 1400, height: 860 });
    await p.goto(server.origin + "/");
    await settled(p);
    assert.equal(await p.evaluate(() => document.documentElement.dataset.effectiveTheme), "dark");
    await p.selectOption("#example", "dump");
    await settled(p);
    await shot(p, "07-dark-system");
    await p.setViewportSize({ width: 760, height: 900 });
    await shot(p, "08-narrow");
    await p.close();
  });

  test("the worker alone and the page alone give the same diagnostics", async () => {
    const seen = {};
    for (const engine of ["worker", "page"]) {
      const p = await browser.context.newPage();
      watch(p);
      await p.goto(`${server.origin}/?engine=${engine}`);
      await settled(p);
      assert.deepEqual(await p.evaluate(() => window.ngxlintPlayground.engines()), [engine]);
      await p.selectOption("#example", "unknown");
      seen[engine] = await problems(p);
      assert.equal(await p.evaluate(() => window.ngxlintPlayground.lastEngine()), engine);
      await p.close();
    }
    assert.ok(seen.worker.length >= 2);
    assert.deepEqual(seen.page, seen.worker);
  });

  test("no console errors and no requests outside the page's origin", () => {
    assert.deepEqual(consoleErrors, []);
    const outside = requests.filter((u) => !u.startsWith(server.origin + "/") && !u.startsWith("blob:") && !u.startsWith("data:"));
    assert.deepEqual(outside, []);
    assert.ok(requests.length > 0);
  });
});

describe("playground from file://", () => {
  test("diagnostics work from the built file with no server, in a worker too", async () => {
    const b = await launch();
    const fileRequests = [];
    const errors = [];
    b.context.on("request", (r) => fileRequests.push(r.url()));
    try {
      const p = b.context.pages()[0] ?? (await b.context.newPage());
      p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      p.on("pageerror", (e) => errors.push(e.message));
      await p.goto("file://" + join(dist, "index.html"));
      await settled(p);
      assert.deepEqual(await p.evaluate(() => window.ngxlintPlayground.engines()), ["worker", "page"]);
      await paste(p, CONFIG.replace("listen", "foo on;\n        listen"));
      await waitForProblem(p, 'unknown directive "foo"');
      await shot(p, "09-file-url");
      await p.goto("file://" + join(dist, "index.html") + "?engine=worker");
      await settled(p);
      await paste(p, CONFIG.replace("listen", "bar on;\n        listen"));
      await waitForProblem(p, 'unknown directive "bar"');
      assert.equal(await p.evaluate(() => window.ngxlintPlayground.lastEngine()), "worker");
      assert.deepEqual(errors, []);
      const outside = fileRequests.filter((u) => !u.startsWith("file://") && !u.startsWith("blob:") && !u.startsWith("data:"));
      assert.deepEqual(outside, []);
    } finally {
      await b.close();
    }
  });
});
