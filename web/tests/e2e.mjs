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

const DUMP = `nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
events {}
http {
    include /etc/nginx/conf.d/*.conf;
}

# configuration file /etc/nginx/conf.d/app.conf:
server {
    listen 80;
    server_name app.example;
    location / { return 200; }
}

# configuration file /etc/nginx/conf.d/admin.conf:
server {
    listen 80;
    server_name admin.example;
    location / { return 403; }
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

/** Waits until the page has applied a result (analysis or comparison) of the current text. */
async function settled(p) {
  await p.waitForFunction(() => {
    const pg = window.ngxlintPlayground;
    return pg && pg.analyses() > 0 && !pg.busy();
  }, null, { timeout: 20000 });
}

async function problems(p, side = "after") {
  await settled(p);
  // The list is built while the Problems tab shows.
  if (await p.getAttribute("#tab-problems", "aria-selected") !== "true") await tab(p, "problems");
  const list = side === "after" ? "#diagnostics" : "#diagnostics-before";
  return p.$$eval(`${list} .diag`, (els) => els.map((e) => ({
    message: e.querySelector(".msg").textContent,
    code: e.querySelector(".code").textContent,
    severity: e.dataset.severity,
  })));
}

/** Errors and warnings only: notes about the machine (files nginx opens, users) may come and go. */
const serious = (list) => list.filter((d) => d.severity !== "info");

async function editorText(p, side = "after") {
  return p.evaluate((s) => window.ngxlintPlayground.views[s].state.doc.toString(), side);
}

async function selection(p, side = "after") {
  return p.evaluate((s) => {
    const st = window.ngxlintPlayground.views[s].state;
    return st.sliceDoc(st.selection.main.from, st.selection.main.to);
  }, side);
}

async function filesOf(p, side = "after") {
  return p.$$eval(`#files-${side} button.file`, (els) => els.map((e) => e.dataset.path));
}

/** Replaces the editor content the way typing does (not a paste event). */
async function replaceText(p, text, side = "after") {
  await p.click(`#editor-${side} .cm-content`);
  await p.keyboard.press("Control+A");
  await p.keyboard.press("Delete");
  await p.keyboard.insertText(text);
}

/** A real paste event (clipboardData), as Ctrl+V delivers it. */
async function pasteEvent(p, text, side = "after") {
  await p.click(`#editor-${side} .cm-content`);
  await p.keyboard.press("Control+A");
  await p.evaluate(([s, t]) => {
    const el = document.querySelector(`#editor-${s} .cm-content`);
    const dt = new DataTransfer();
    dt.setData("text/plain", t);
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, [side, text]);
}

async function waitForProblem(p, text, present = true) {
  await p.waitForFunction(
    ([t, want]) => (document.getElementById("problems").textContent.includes(t)) === want,
    [text, present],
    { timeout: 10000 },
  );
}

async function example(p, id) {
  await p.click("#examples");
  await p.locator(`#gallery .card[data-example="${id}"]`).click();
  await p.waitForFunction((i) => !document.getElementById("gallery").open && document.getElementById("example-name").textContent !== "", id);
  await settled(p);
}

async function tab(p, name) {
  await p.click(`#tab-${name}`);
  await p.waitForFunction((n) => !document.getElementById(`panel-${n}`).hidden, name);
}

async function risk(p) {
  await settled(p);
  return p.evaluate(() => ({
    level: document.getElementById("risk-level").textContent,
    score: document.getElementById("risk-score").textContent,
    rec: document.getElementById("risk-rec").textContent,
    live: document.getElementById("risk-live").textContent,
    top: document.querySelector("#findings .finding")?.dataset.rule ?? null,
    topMessage: document.querySelector("#findings .finding .fmsg")?.textContent ?? null,
    report: window.ngxlintPlayground.lastCompare()?.report ?? null,
  }));
}

async function routed(p) {
  await p.waitForFunction(() => window.ngxlintPlayground.routes() > 0 && !window.ngxlintPlayground.routeBusy(), null, { timeout: 10000 });
  return p.evaluate(() => {
    const rows = {};
    for (const tr of document.querySelectorAll("#route-result tbody tr")) {
      rows[tr.dataset.row] = {
        differs: tr.classList.contains("differs"),
        cells: [...tr.querySelectorAll("td")].map((td) => td.textContent.trim()),
      };
    }
    return { summary: document.querySelector("#route-result .route-summary")?.textContent ?? "", rows };
  });
}

async function setRoute(p, { host, uri, port }) {
  const before = await p.evaluate(() => window.ngxlintPlayground.routes());
  if (host !== undefined) await p.fill("#route-host", host);
  if (uri !== undefined) await p.fill("#route-uri", uri);
  if (port !== undefined) await p.fill("#route-port", String(port));
  await p.waitForFunction((n) => window.ngxlintPlayground.routes() > n && !window.ngxlintPlayground.routeBusy(), before, { timeout: 10000 });
  return routed(p);
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
    assert.equal(await page.evaluate(() => window.ngxlintPlayground.mode()), "lint");
    assert.ok(await page.locator("#pane-before").isHidden());
    await shot(page, "01-loaded");
  });

  test("typing an unknown directive shows it; fixing it clears it", async () => {
    await replaceText(page, CONFIG);
    await settled(page);
    // Rules may add notes (e.g. version disclosure); this test is about errors and warnings.
    assert.deepEqual(serious(await problems(page)), []);
    // Type a new line inside `server { ... }`, key by key.
    const line = page.locator("#editor-after .cm-line", { hasText: "server_name playground.test;" });
    await line.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("foo on;", { delay: 15 });
    await waitForProblem(page, 'unknown directive "foo"');
    const list = serious(await problems(page));
    assert.equal(list.length, 1, JSON.stringify(list));
    assert.equal(list[0].severity, "error");
    // Squiggle, gutter marker and tooltip in the editor.
    assert.equal(await page.locator("#editor-after .cm-lintRange-error").count(), 1);
    assert.equal(await page.locator("#editor-after .cm-gutter-lint .cm-lint-marker-error").count(), 1);
    await page.locator("#editor-after .cm-lintRange-error").hover();
    const tip = page.locator(".cm-tooltip-lint");
    await tip.waitFor({ state: "visible" });
    const tipText = await tip.textContent();
    assert.ok(tipText.includes('unknown directive "foo"'), tipText);
    assert.ok(tipText.includes(list[0].code), tipText);
    await shot(page, "02-unknown-directive");
    // Clicking the problem selects the directive in the editor.
    await page.mouse.move(0, 0);
    await page.locator("#diagnostics .diag", { hasText: 'unknown directive "foo"' }).click();
    assert.ok((await selection(page)).startsWith("foo"), `selected ${JSON.stringify(await selection(page))}`);
    // Fix it: replace the word by a real directive.
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type("gzip on;", { delay: 15 });
    await waitForProblem(page, 'unknown directive "foo"', false);
    assert.deepEqual(serious(await problems(page)), []);
    assert.equal(await page.locator("#editor-after .cm-lintRange-error").count(), 0);
    await shot(page, "03-fixed");
  });

  test("rule docs open from a diagnostic and from the editor's tooltip", async () => {
    await example(page, "unknown");
    const code = (await problems(page)).find((d) => d.message === 'unknown directive "proxy_set_headr"').code;
    await page.locator(`#diagnostics .diag-item:has(.diag[data-code="${code}"]) .doc-link`).first().click();
    assert.equal(await page.getAttribute("#tab-rules", "aria-selected"), "true");
    const doc = page.locator(`#rule-${code}`);
    assert.equal(await doc.evaluate((d) => d.open), true);
    assert.ok(await doc.isVisible());
    assert.match(await doc.textContent(), /unknown-directive/);
    // Focus moved to the rule's summary, so the keyboard continues from there.
    assert.equal(await page.evaluate(() => document.activeElement.closest("details")?.id), `rule-${code}`);
    // A rule with Markdown documentation: the tooltip's Docs action opens it.
    await replaceText(page, "events {}\nhttp {\n    server {\n        listen 80;\n        location /img {\n            alias /data/images/;\n        }\n    }\n}\n");
    await settled(page);
    await page.locator("#editor-after .cm-lintRange-warning", { hasText: "alias" }).first().hover();
    const action = page.locator(".cm-tooltip-lint .cm-diagnosticAction", { hasText: "SEC003" });
    await action.waitFor({ state: "visible" });
    await action.click();
    const sec = page.locator("#rule-SEC003");
    await sec.locator("pre").first().waitFor({ state: "visible" });
    assert.match(await sec.textContent(), /## Why|Why/);
    assert.ok((await sec.locator("pre code").count()) >= 2, "bad and good examples are rendered as code");
    await shot(page, "11-rule-docs");
    await tab(page, "problems");
  });

  test("files: add, rename, include, remove", async () => {
    await replaceText(page, "events {}\nhttp {\n    include conf.d/*.conf;\n}\n");
    await settled(page);
    await page.click("#files-after .file-tool.add");
    const input = page.locator("#files-after input.file-rename");
    await input.waitFor();
    await input.fill("conf.d/site.conf");
    await input.press("Enter");
    assert.deepEqual(await filesOf(page), ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/site.conf"]);
    await page.click("#editor-after .cm-content");
    await page.keyboard.insertText("server {\n    listen 80;\n    bogus_directive on;\n}\n");
    await waitForProblem(page, 'unknown directive "bogus_directive"');
    assert.match(await page.textContent("#diagnostics"), /conf\.d\/site\.conf:3:5/);
    // Back on the main file, the problem links to the included file.
    await page.click('#files-after button.file[data-path="/etc/nginx/nginx.conf"]');
    await page.locator("#diagnostics .diag", { hasText: "bogus_directive" }).click();
    assert.equal(await page.getAttribute('#files-after button.file[data-path="/etc/nginx/conf.d/site.conf"]', "aria-current"), "true");
    assert.ok((await selection(page)).startsWith("bogus_directive"));
    await shot(page, "12-files");
    // Removing it: the include matches nothing, the problem goes.
    await page.click("#files-after .file-tool.remove");
    assert.deepEqual(await filesOf(page), ["/etc/nginx/nginx.conf"]);
    await waitForProblem(page, "bogus_directive", false);
  });

  test("a shared URL reproduces the content and the options (lint mode)", async () => {
    await tab(page, "options");
    await page.selectOption("#nginx-version", "1.22");
    await tab(page, "problems");
    await page.click("#editor-after .cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText("# shared ✓ ünïcødé\n");
    await page.click("#share");
    await page.waitForFunction(() => location.hash.includes("cfg=z.") && location.hash.includes("v=1.22"));
    const url = page.url();
    const text = await editorText(page);
    const other = await browser.context.newPage();
    watch(other);
    await other.goto(url);
    await settled(other);
    assert.equal(await editorText(other), text);
    assert.equal(await other.inputValue("#nginx-version"), "1.22");
    // A link of the first version (`code=`, one text) still opens; a dump in it is split.
    await other.goto(`${server.origin}/#v=1.22&code=b.${Buffer.from(DUMP).toString("base64url")}`);
    await other.waitForFunction(() => document.querySelectorAll("#files-after button.file").length === 3);
    await settled(other);
    assert.equal(await other.inputValue("#nginx-version"), "1.22");
    assert.deepEqual(await filesOf(other), ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/app.conf", "/etc/nginx/conf.d/admin.conf"]);
    await other.close();
    await tab(page, "options");
    await page.selectOption("#nginx-version", "latest");
    await tab(page, "problems");
  });

  test("examples: syntax error, unknown directives, nginx -T dump, snippet", async () => {
    await example(page, "syntax");
    let list = await problems(page);
    assert.ok(list.some((d) => d.severity === "error"), JSON.stringify(list));
    assert.ok((await editorText(page)).includes("listen 8080\n"));

    await example(page, "unknown");
    list = await problems(page);
    const msgs = list.map((d) => d.message);
    assert.ok(msgs.includes('unknown directive "proxy_set_headr"'), msgs.join("\n"));

    // The tooltip shows the help.
    await page.locator("#editor-after .cm-lintRange-error", { hasText: "alias" }).hover();
    const tip = page.locator(".cm-tooltip-lint");
    await tip.waitFor({ state: "visible" });
    assert.match(await tip.textContent(), /not allowed here.*help: .*allowed in: location/s);
    await shot(page, "10-tooltip-help");
    await page.mouse.move(0, 0);

    await example(page, "dump");
    list = await problems(page);
    assert.ok(list.some((d) => d.message === 'unknown directive "proxy_read_timeot"'), JSON.stringify(list));
    assert.equal((await filesOf(page)).length, 3);
    assert.match(await page.textContent("#hint-after"), /3 files/);
    // The problem in the third file of the dump: the click opens that file and selects it.
    await page.locator("#diagnostics .diag", { hasText: "proxy_read_timeot" }).click();
    assert.equal(await page.getAttribute('#files-after button.file[aria-current="true"]', "data-path"), "/etc/nginx/sites-enabled/shop");
    assert.ok((await selection(page)).startsWith("proxy_read_timeot"), `selected ${JSON.stringify(await selection(page))}`);
    await shot(page, "04-dump");

    await example(page, "snippet");
    await tab(page, "options");
    assert.equal(await page.inputValue("#context"), "http,server");
    await tab(page, "problems");
    assert.deepEqual(serious(await problems(page)), []);

    await example(page, "good");
    assert.deepEqual(serious(await problems(page)), []);
  });

  test("parse tree and crossplane tabs", async () => {
    await tab(page, "tree");
    await page.waitForFunction(() => document.getElementById("tree").textContent.length > 100);
    assert.ok((await page.textContent("#tree")).includes("upstream"));
    await shot(page, "05-parse-tree");
    await tab(page, "crossplane");
    await page.waitForFunction(() => document.getElementById("crossplane").textContent.includes('"directive"'));
    const payload = JSON.parse(await page.textContent("#crossplane"));
    assert.equal(payload.status, "ok");
    assert.equal(payload.config[0].parsed[0].directive, "user");
    await tab(page, "rules");
    assert.ok((await page.locator("#rules details").count()) > 0);
    await tab(page, "problems");
  });

  test("format rewrites the configuration", async () => {
    await replaceText(page, "events{}\nhttp{server{listen 80;\nlocation /{return 204;}}}\n");
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
    await replaceText(page, "http {\n");
    await settled(page);
    await page.click("#format");
    await page.waitForFunction(() => /syntax/.test(document.getElementById("status-message").textContent));
    assert.equal(await editorText(page), "http {\n");
  });

  test("compare: the outage replay shows a critical level and its top finding", async () => {
    await example(page, "outage-listen");
    assert.equal(await page.evaluate(() => window.ngxlintPlayground.mode()), "compare");
    assert.ok(await page.locator("#pane-before").isVisible());
    const r = await risk(page);
    assert.equal(r.level, "Critical");
    assert.equal(r.top, "listen-removed");
    assert.match(r.topMessage, /nothing listens on 0\.0\.0\.0:80/);
    assert.match(r.rec, /Block/);
    assert.match(r.live, /^Risk critical, score 100 of 100: block\. Top finding: nothing listens/);
    assert.equal(await page.getAttribute("#gauge", "aria-valuenow"), String(r.report.score));
    // The top finding is open: explanation, blast radius, confidence, modifiers, the check.
    const top = page.locator("#findings .finding").first();
    assert.equal(await top.evaluate((d) => d.open), true);
    const body = await top.textContent();
    for (const part of ["Why", "Blast radius", "100% of requests", "Confidence", "connections refused outright", "Check", "curl"]) {
      assert.ok(body.includes(part), `${part} in ${body}`);
    }
    // Its place in the before editor: the listen that is gone.
    await top.locator("button.goto-before").click();
    assert.equal(await selection(page, "before"), "listen");
    assert.equal(await page.evaluate(() => {
      const st = window.ngxlintPlayground.views.before.state;
      return st.doc.lineAt(st.selection.main.from).text.trim();
    }), "listen 80;");
    await shot(page, "20-compare-outage-light");
    // The risk rule's documentation (riskRules()) opens from the finding.
    await top.locator("button.finding-docs").click();
    assert.equal(await page.getAttribute("#tab-rules", "aria-selected"), "true");
    const doc = page.locator(`#rule-${r.report.findings[0].code}`);
    assert.equal(await doc.evaluate((d) => d.open), true);
    assert.match(await doc.textContent(), /listen-removed/);
    await tab(page, "findings");
  });

  test("compare: a change links to both editors", async () => {
    await tab(page, "changes");
    const change = page.locator("#changes .change").first();
    assert.match(await change.textContent(), /listen.*80.*8080/s);
    // Move both cursors away first, so the click has something to do.
    await page.evaluate(() => {
      for (const v of Object.values(window.ngxlintPlayground.views)) v.dispatch({ selection: { anchor: 0 } });
    });
    await change.click();
    assert.equal(await selection(page, "before"), "listen 80;");
    assert.equal(await selection(page, "after"), "listen 8080;");
    await shot(page, "21-compare-changes");
  });

  test("compare: route tester answers for both versions and marks what differs", async () => {
    await tab(page, "route");
    let r = await routed(page);
    assert.match(r.summary, /Served differently/);
    assert.ok(r.rows.server.differs);
    assert.match(r.rows.server.cells[0], /status\.example\.com/);
    assert.match(r.rows.server.cells[1], /connection is refused/);
    // Port 8080: only the new version answers.
    r = await setRoute(page, { port: 8080 });
    assert.match(r.rows.server.cells[0], /connection is refused/);
    assert.match(r.rows.server.cells[1], /status\.example\.com/);
    // A location in the new version: the click selects it in the after editor.
    r = await setRoute(page, { uri: "/healthz" });
    assert.match(r.rows.location.cells[1], /location = \/healthz/);
    await page.locator('#route-result td[data-side="after"] button.place', { hasText: "location = /healthz" }).click();
    assert.equal(await selection(page, "after"), "location");
    await shot(page, "22-compare-route");
    // Both versions the same way (same server_name on port 80 of a pair that did not change it).
    await example(page, "proxy-pass-slash");
    await tab(page, "route");
    r = await routed(page);
    assert.match(r.rows.location.cells[0], /location \/v2\//);
    assert.match(r.rows.location.cells[1], /location \/v2\//);
    assert.equal(r.rows.server.differs, false);
  });

  test("compare: the outage ngxlint was started for (examples/outage)", async () => {
    await example(page, "outage");
    const r = await risk(page);
    assert.equal(r.level, "Critical");
    assert.equal(r.top, "config-refused");
    assert.match(r.topMessage, /proxy_read_timout/);
    const rules = r.report.findings.map((f) => f.rule);
    assert.ok(rules.includes("default-server-changed"), JSON.stringify(rules));
    // The load balancer's health check, by IP: the catch-all answered it; now www.example.com does.
    await tab(page, "route");
    const route = await routed(page);
    assert.ok(route.rows.server.differs, JSON.stringify(route));
    assert.match(route.rows.server.cells[1], /www\.example\.com/);
    assert.match(route.rows.location.cells[0], /healthz/);
    await tab(page, "findings");
  });

  test("compare: editing a listen port in the after editor raises the level", async () => {
    await tab(page, "findings");
    // Start from one configuration on both sides: nothing changed, score 0.
    await page.click("#mode-compare");
    const one = CONFIG.replace("127.0.0.1:8080", "80");
    await page.evaluate((text) => window.ngxlintPlayground.workspaces.after.setFiles([{ path: "/etc/nginx/nginx.conf", text }]), one);
    await page.click("#copy-after");
    assert.equal(await editorText(page, "before"), one);
    let r = await risk(page);
    assert.equal(r.report.score, 0, JSON.stringify(r.report.findings));
    assert.equal(r.level, "Low");
    assert.match(r.rec, /Ship/);
    // Type the new port key by key: "listen 80;" -> "listen 8080;".
    await page.locator("#editor-after .cm-line", { hasText: "listen 80;" }).click();
    await page.keyboard.press("End");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
    await page.keyboard.type("80", { delay: 20 });
    await page.waitForFunction(() => document.getElementById("risk-level").textContent === "Critical", null, { timeout: 10000 });
    r = await risk(page);
    assert.equal(r.level, "Critical");
    assert.equal(r.top, "listen-removed");
    assert.ok(r.report.score >= 65, String(r.report.score));
    assert.ok((await editorText(page)).includes("listen 8080;"));
  });

  test("compare: a harmless reformat scores 0; options and fleet targets change the report", async () => {
    await example(page, "reformat");
    let r = await risk(page);
    assert.equal(r.report.changes.length, 0);
    assert.equal(r.report.score, 0);
    assert.equal(r.level, "Low");
    assert.equal(r.top, null);
    await example(page, "outage-restart");
    r = await risk(page);
    assert.equal(r.level, "Critical");
    assert.equal(r.top, "config-refused");
    assert.match(await page.textContent("#findings .sides"), /After: nginx -t fails: invalid number of arguments in "proxy_set_header"/);
    assert.ok(serious(await problems(page, "after")).some((d) => d.severity === "error"));
    // The refused configuration's finding points at nginx's error in the after editor.
    await tab(page, "findings");
    await page.locator("#findings .finding").first().locator("button.goto-after").click();
    assert.match(await page.evaluate(() => {
      const st = window.ngxlintPlayground.views.after.state;
      return st.doc.lineAt(st.selection.main.from).text;
    }), /proxy_set_header/);
    assert.deepEqual(serious(await problems(page, "before")).filter((d) => d.severity === "error"), []);
    await shot(page, "23-compare-restart");
    // Fleet targets: `http2 on;` (nginx 1.25.1+) loads on latest, not on a fleet that still runs 1.22.
    const base = CONFIG.replace("127.0.0.1:8080", "80");
    await page.evaluate(([b, a]) => {
      window.ngxlintPlayground.workspaces.before.setFiles([{ path: "/etc/nginx/nginx.conf", text: b }]);
      window.ngxlintPlayground.workspaces.after.setFiles([{ path: "/etc/nginx/nginx.conf", text: a }]);
    }, [base, base.replace("server_name playground.test;", "server_name playground.test;\n        http2 on;")]);
    r = await risk(page);
    assert.notEqual(r.level, "Critical", JSON.stringify(r.report.findings.map((f) => f.rule)));
    await tab(page, "options");
    await page.check("#target-122");
    await page.waitForFunction(() => document.getElementById("risk-level").textContent === "Critical");
    r = await risk(page);
    assert.equal(r.top, "version-skew");
    await page.uncheck("#target-122");
    await tab(page, "findings");
  });

  test("compare: nginx -T output pasted on either side is split into its files", async () => {
    await page.click("#mode-compare");
    await pasteEvent(page, DUMP, "before");
    await page.waitForFunction(() => document.querySelectorAll("#files-before button.file").length === 3);
    assert.deepEqual(await filesOf(page, "before"), ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/app.conf", "/etc/nginx/conf.d/admin.conf"]);
    assert.match(await page.textContent("#hint-before"), /3 files/);
    // The after side: the same dump without the admin vhost.
    const smaller = DUMP.slice(0, DUMP.indexOf("# configuration file /etc/nginx/conf.d/admin.conf:"));
    await pasteEvent(page, smaller, "after");
    await page.waitForFunction(() => document.querySelectorAll("#files-after button.file").length === 2);
    assert.deepEqual(await filesOf(page, "after"), ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/app.conf"]);
    const r = await risk(page);
    // The glob include matches one file fewer, and the admin server is gone.
    const rules = r.report.findings.map((f) => f.rule);
    assert.ok(rules.includes("server-removed") && rules.includes("include-emptied"), JSON.stringify(rules));
    await tab(page, "changes");
    assert.match(await page.textContent("#changes"), /server/);
    await tab(page, "findings");
  });

  test("compare: a shared URL reproduces both sides, the options, the request and the report", async () => {
    await example(page, "default-server");
    await tab(page, "options");
    await page.selectOption("#nginx-version", "1.22");
    await page.check("#target-122");
    await page.check("#target-latest");
    await page.selectOption("#level-SEC023", "off");
    await page.selectOption("#level-performance", "info");
    await tab(page, "route");
    await setRoute(page, { host: "10.0.0.5", uri: "/healthz", port: 80 });
    await settled(page);
    const report = (await risk(page)).report;
    const problemsAfter = await problems(page);
    await page.click("#share");
    await page.waitForFunction(() => location.hash.includes("m=compare") && location.hash.includes("t=1.22") && location.hash.includes("cfg=z."));
    const url = page.url();
    assert.ok(url.length < 8000, `${url.length} characters`);
    const texts = { before: await page.evaluate(() => window.ngxlintPlayground.workspaces.before.files()), after: await page.evaluate(() => window.ngxlintPlayground.workspaces.after.files()) };
    const other = await browser.context.newPage();
    watch(other);
    await other.goto(url);
    await settled(other);
    assert.equal(await other.evaluate(() => window.ngxlintPlayground.mode()), "compare");
    assert.deepEqual(await other.evaluate(() => window.ngxlintPlayground.workspaces.before.files()), texts.before);
    assert.deepEqual(await other.evaluate(() => window.ngxlintPlayground.workspaces.after.files()), texts.after);
    await tab(other, "options");
    assert.equal(await other.inputValue("#nginx-version"), "1.22");
    assert.equal(await other.isChecked("#target-122"), true);
    assert.equal(await other.isChecked("#target-latest"), true);
    assert.equal(await other.inputValue("#level-SEC023"), "off");
    assert.equal(await other.inputValue("#level-performance"), "info");
    assert.deepEqual((await risk(other)).report, report);
    assert.deepEqual(await problems(other), problemsAfter);
    await tab(other, "route");
    assert.equal(await other.inputValue("#route-host"), "10.0.0.5");
    assert.equal(await other.inputValue("#route-uri"), "/healthz");
    const r = await routed(other);
    assert.ok(r.rows.server.differs, JSON.stringify(r));
    await other.close();
    await tab(page, "options");
    await page.click("#rules-reset");
    await page.uncheck("#target-122");
    await page.uncheck("#target-latest");
    await page.selectOption("#nginx-version", "latest");
    await tab(page, "findings");
  });

  test("compare: keyboard — tabs with arrow keys, gallery with Escape, visible focus", async () => {
    await page.focus("#tab-findings");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.evaluate(() => document.activeElement.id), "tab-changes");
    assert.equal(await page.getAttribute("#tab-changes", "aria-selected"), "true");
    await page.keyboard.press("End");
    assert.equal(await page.evaluate(() => document.activeElement.id), "tab-options");
    await page.keyboard.press("Home");
    assert.equal(await page.evaluate(() => document.activeElement.id), "tab-findings");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none");
    await page.click("#examples");
    assert.equal(await page.evaluate(() => document.getElementById("gallery").open), true);
    assert.ok(await page.evaluate(() => document.activeElement.classList.contains("card")));
    await page.keyboard.press("Escape");
    assert.equal(await page.evaluate(() => document.getElementById("gallery").open), false);
    // Every control has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll("button, select, input")]
        .filter((e) => e.offsetParent !== null)
        .filter((e) => !(e.getAttribute("aria-label") || e.labels?.length || e.textContent.trim() || e.title))
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unnamed, []);
  });

  test("compare: screenshots, light and dark, 1280x720 and 1366x768", async () => {
    await example(page, "outage-listen");
    for (const theme of ["light", "dark"]) {
      const p = await browser.context.newPage();
      watch(p);
      await p.emulateMedia({ colorScheme: theme });
      await p.setViewportSize({ width: 1366, height: 768 });
      await p.goto(page.url());
      await settled(p);
      assert.equal(await p.evaluate(() => document.documentElement.dataset.effectiveTheme), theme);
      // Nothing spills out of the page, and the result tabs fit.
      for (const [w, h] of [[1366, 768], [1280, 720]]) {
        await p.setViewportSize({ width: w, height: h });
        const fit = await p.evaluate(() => ({
          page: document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight,
          tabs: document.getElementById("tabs").scrollWidth <= document.getElementById("tabs").clientWidth,
        }));
        assert.deepEqual(fit, { page: true, tabs: true }, `${w}x${h} ${theme}`);
        await shot(p, `30-compare-${theme}-${w}x${h}`);
      }
      await p.close();
    }
  });

  test("theme toggle", async () => {
    await example(page, "unknown");
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
    await example(p, "dump");
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
      await example(p, "unknown");
      seen[engine] = await problems(p);
      assert.equal(await p.evaluate(() => window.ngxlintPlayground.lastEngine()), engine);
      await example(p, "include-emptied");
      seen[`${engine}-compare`] = (await risk(p)).report;
      await p.close();
    }
    assert.ok(seen.worker.length >= 2);
    assert.deepEqual(seen.page, seen.worker);
    assert.equal(seen["worker-compare"].findings[0].rule, "include-emptied");
    assert.deepEqual(seen["page-compare"], seen["worker-compare"]);
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
      await replaceText(p, CONFIG.replace("listen", "foo on;\n        listen"));
      await waitForProblem(p, 'unknown directive "foo"');
      await shot(p, "09-file-url");
      await p.goto("file://" + join(dist, "index.html") + "?engine=worker");
      await settled(p);
      await replaceText(p, CONFIG.replace("listen", "bar on;\n        listen"));
      await waitForProblem(p, 'unknown directive "bar"');
      assert.equal(await p.evaluate(() => window.ngxlintPlayground.lastEngine()), "worker");
      // Compare mode works from file:// too.
      await example(p, "outage-listen");
      assert.equal((await risk(p)).level, "Critical");
      assert.deepEqual(errors, []);
      const outside = fileRequests.filter((u) => !u.startsWith("file://") && !u.startsWith("blob:") && !u.startsWith("data:"));
      assert.deepEqual(outside, []);
    } finally {
      await b.close();
    }
  });
});
