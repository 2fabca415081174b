// ngxlint playground: editor on the left, problems / parse tree / crossplane / rules on the right.

import "./styles.css";
import { setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { ChangeSet } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import type { RuleInfo } from "./api";
import { createEditor } from "./editor";
import { EngineClient } from "./engine";
import { DEFAULT_EXAMPLE, EXAMPLES } from "./examples";
import { DEFAULT_OPTIONS, decodeState, encodeState } from "./share";
import type { AnalyzeResponse, PlacedDiagnostic, PlaygroundOptions } from "./worker-protocol";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

type Tab = "problems" | "tree" | "crossplane" | "rules";

/** What tests and the benchmark read (window.ngxlintPlayground). */
export interface PlaygroundHooks {
  view: EditorView;
  /** The engines that run ("worker", "page") and where the last analysis ran. */
  engines: () => string[];
  lastEngine: () => string;
  /** Number of analyses applied so far. */
  analyses: () => number;
  last: () => AnalyzeResponse | null;
  /** True while an analysis is in flight or the text changed since the last one. */
  busy: () => boolean;
}

const engine = new EngineClient(new URLSearchParams(location.search).get("engine"));
let options: PlaygroundOptions = { ...DEFAULT_OPTIONS };
let activeTab: Tab = "problems";
let last: AnalyzeResponse | null = null;
let applied = 0;
let rulesList: RuleInfo[] = [];

// ---- theme: follows prefers-color-scheme until switched; the switch is remembered. ----------
const systemDark = window.matchMedia("(prefers-color-scheme: dark)");
let themeOverride: string | null = null;
try {
  themeOverride = localStorage.getItem("ngxlint-theme");
} catch {
  /* no storage (some file:// setups): the switch lasts for this page */
}
function applyTheme() {
  const root = document.documentElement;
  const system = systemDark.matches ? "dark" : "light";
  if (themeOverride === "light" || themeOverride === "dark") root.dataset.theme = themeOverride;
  else delete root.dataset.theme;
  root.dataset.effectiveTheme = root.dataset.theme ?? system;
}
applyTheme();
systemDark.addEventListener("change", applyTheme);
$("theme").addEventListener("click", () => {
  const next = document.documentElement.dataset.effectiveTheme === "dark" ? "light" : "dark";
  themeOverride = next === (systemDark.matches ? "dark" : "light") ? null : next;
  try {
    if (themeOverride) localStorage.setItem("ngxlint-theme", themeOverride);
    else localStorage.removeItem("ngxlint-theme");
  } catch {
    /* see above */
  }
  applyTheme();
});

// ---- status -------------------------------------------------------------------------------------
let messageTimer = 0;
function say(text: string, bad = false) {
  const el = $("status-message");
  el.textContent = text;
  el.classList.toggle("bad", bad);
  clearTimeout(messageTimer);
  if (text) messageTimer = window.setTimeout(() => say(""), 5000);
}

// ---- editor -------------------------------------------------------------------------------------
let inFlight = false;
let dirty = false;
/** Changes made to the document since the text of the analysis in flight was taken. */
let changesSince: ChangeSet | null = null;

const view = createEditor(
  $("editor"),
  "",
  [
    EditorView.updateListener.of((u) => {
      if (!u.docChanged) return;
      if (changesSince) changesSince = changesSince.compose(u.changes);
      schedule();
      scheduleParse();
      scheduleHashUpdate();
    }),
  ],
  [{ key: "Shift-Alt-f", run: () => (void formatDoc(), true) }],
);

function schedule() {
  dirty = true;
  if (!inFlight) void run();
}

async function run() {
  dirty = false;
  inFlight = true;
  const text = view.state.doc.toString();
  changesSince = ChangeSet.empty(text.length);
  if (exampleSel.value && EXAMPLES.find((e) => e.id === exampleSel.value)?.text !== text) exampleSel.value = "";
  const t0 = performance.now();
  try {
    const res = await engine.analyze(text, options);
    apply(res, changesSince, t0);
  } catch (e) {
    say(`analysis failed: ${e instanceof Error ? e.message : String(e)}`, true);
    console.warn(e);
  } finally {
    changesSince = null;
    inFlight = false;
  }
  if (dirty) void run();
}

function toCm(d: PlacedDiagnostic, map: ChangeSet, len: number): CmDiagnostic | null {
  if (!d.at) return null;
  let from = d.at.from;
  let to = d.at.to;
  if (!map.empty) {
    from = map.mapPos(from, 1);
    to = Math.max(from, map.mapPos(to, -1));
  }
  from = Math.min(from, len);
  to = Math.min(Math.max(to, from), len);
  return {
    from,
    to,
    severity: d.severity,
    source: `${d.code} ${d.rule}`,
    message: d.message,
    renderMessage: () => {
      const box = document.createElement("div");
      box.className = "ngx-tip";
      const m = document.createElement("div");
      m.textContent = d.message;
      box.append(m);
      if (d.help) {
        const h = document.createElement("div");
        h.className = "help";
        const b = document.createElement("b");
        b.textContent = "help: ";
        h.append(b, d.help);
        box.append(h);
      }
      return box;
    },
  };
}

function apply(res: AnalyzeResponse, map: ChangeSet, startedAt: number) {
  const roundTrip = performance.now() - startedAt;
  last = res;
  const len = view.state.doc.length;
  const cm = res.diagnostics.map((d) => toCm(d, map, len)).filter((d): d is CmDiagnostic => d !== null);
  view.dispatch(setDiagnostics(view.state, cm));
  renderProblems(res);
  $("file-name").textContent = res.dumpFiles ? "nginx -T output" : "nginx.conf";
  $("dump-hint").textContent = res.dumpFiles ? `· ${res.dumpFiles.length} files: ${res.dumpFiles.join(", ")}` : "";
  $("status-timing").textContent = `analysis ${res.ms.toFixed(1)} ms · round trip ${roundTrip.toFixed(1)} ms · ${engine.last === "page" ? "on the page" : "in a worker"}`;
  applied++;
  document.body.dataset.analyses = String(applied);
  document.dispatchEvent(new CustomEvent("ngxlint:analyzed", { detail: { ms: res.ms, roundTrip, startedAt, stale: !map.empty, final: !dirty } }));
}

// ---- problems panel -----------------------------------------------------------------------------
function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function renderProblems(res: AnalyzeResponse) {
  const list = $("diagnostics");
  list.replaceChildren();
  const count = $("problem-count");
  count.textContent = String(res.diagnostics.length);
  count.className = "count" + (res.errors ? " has-errors" : res.warnings ? " has-warnings" : "");
  $("status-summary").textContent = `${plural(res.errors, "error")} · ${plural(res.warnings, "warning")} · ${plural(res.infos, "note")}`;
  if (res.diagnostics.length === 0) {
    const li = document.createElement("li");
    li.className = "empty";
    li.innerHTML = `<span class="big">No problems found</span>nginx -t would accept this configuration.`;
    list.append(li);
    return;
  }
  const MAX = 500;
  for (const d of res.diagnostics.slice(0, MAX)) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.className = "diag";
    b.dataset.code = d.code;
    b.dataset.severity = d.severity;
    const sev = el("span", `sev ${d.severity}`);
    sev.title = d.severity;
    const where = (res.dumpFiles ? `${d.file}:` : "") + `${d.line}:${d.column}`;
    b.append(sev, el("span", "msg", d.message));
    const meta = el("span", "meta");
    meta.append(el("span", "code", d.code), el("span", "rule", d.rule), el("span", "where", where));
    b.append(meta);
    if (d.help) b.append(el("span", "help", d.help));
    for (const l of d.labels ?? []) {
      if (l.message) b.append(el("span", "label", `${l.line}:${l.column} ${l.message}`));
    }
    if (d.at) {
      const at = d.at;
      b.addEventListener("click", () => jump(at.from, at.to));
    } else {
      b.disabled = true;
      b.title = "in a file that is not in the editor";
    }
    li.append(b);
    list.append(li);
  }
  if (res.diagnostics.length > MAX) list.append(el("li", "empty", `… and ${res.diagnostics.length - MAX} more`));
}

function el(tag: string, cls: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function jump(from: number, to: number) {
  const len = view.state.doc.length;
  from = Math.min(from, len);
  to = Math.min(to, len);
  view.dispatch({ selection: { anchor: from, head: to }, effects: EditorView.scrollIntoView(from, { y: "center" }) });
  view.focus();
}

// ---- parse tree and crossplane: asked for while their tab shows, when typing pauses -------------
let parseTimer = 0;
let parsedText: string | null = null;
let parsedOptions = "";
function scheduleParse(delay = 200) {
  if (activeTab !== "tree" && activeTab !== "crossplane") return;
  clearTimeout(parseTimer);
  parseTimer = window.setTimeout(() => void runParse(), delay);
}
async function runParse() {
  const text = view.state.doc.toString();
  const opts = JSON.stringify(options);
  if (text === parsedText && opts === parsedOptions) return;
  try {
    const r = await engine.parse(text, options);
    parsedText = text;
    parsedOptions = opts;
    $("tree").innerHTML = highlightJson(r.tree);
    $("crossplane").innerHTML = highlightJson(r.crossplane);
  } catch (e) {
    say(`parse failed: ${e instanceof Error ? e.message : String(e)}`, true);
  }
}

function highlightJson(json: string): string {
  const esc = json.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return esc.replace(/("(?:[^"\\\n]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(… cut at \d+ characters)$/g, (m, str, colon, kw, num, cut) => {
    if (str) return colon ? `<span class="k">${str}</span>${colon}` : `<span class="s">${str}</span>`;
    if (kw) return `<span class="b">${kw}</span>`;
    if (num) return `<span class="n">${num}</span>`;
    if (cut) return `<span class="note">${cut}</span>`;
    return m;
  });
}

// ---- rules --------------------------------------------------------------------------------------
function renderRules() {
  const box = $("rules");
  box.replaceChildren();
  for (const r of rulesList) {
    const d = document.createElement("details");
    const s = document.createElement("summary");
    s.append(el("span", "code", r.code), el("span", "rname", r.name), el("span", "rsum", r.summary));
    d.append(s, el("div", "docs", r.docs));
    box.append(d);
  }
  if (!rulesList.length) box.append(el("div", "empty", "No rules."));
}

// ---- tabs ---------------------------------------------------------------------------------------
function selectTab(tab: Tab) {
  activeTab = tab;
  for (const b of document.querySelectorAll<HTMLButtonElement>(".tab")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
  for (const t of ["problems", "tree", "crossplane", "rules"]) $(`panel-${t}`).hidden = t !== tab;
  scheduleParse(0);
}
for (const b of document.querySelectorAll<HTMLButtonElement>(".tab")) b.addEventListener("click", () => selectTab(b.dataset.tab as Tab));

// ---- options and examples -----------------------------------------------------------------------
const versionSel = $<HTMLSelectElement>("nginx-version");
const profileSel = $<HTMLSelectElement>("profile");
const contextSel = $<HTMLSelectElement>("context");
const envBox = $<HTMLInputElement>("env-includes");
const exampleSel = $<HTMLSelectElement>("example");

function showOptions() {
  versionSel.value = options.nginxVersion;
  profileSel.value = options.profile;
  if (![...contextSel.options].some((o) => o.value === options.context)) {
    const o = document.createElement("option");
    o.value = options.context;
    o.textContent = options.context.split(",").join(" › ");
    contextSel.append(o);
  }
  contextSel.value = options.context;
  envBox.checked = options.includesFromEnvironment;
}

function readOptions() {
  options = {
    nginxVersion: versionSel.value as PlaygroundOptions["nginxVersion"],
    profile: profileSel.value as PlaygroundOptions["profile"],
    context: contextSel.value,
    includesFromEnvironment: envBox.checked,
  };
  schedule();
  scheduleParse();
  scheduleHashUpdate();
}
for (const c of [versionSel, profileSel, contextSel, envBox]) c.addEventListener("change", readOptions);

for (const ex of EXAMPLES) {
  const o = document.createElement("option");
  o.value = ex.id;
  o.textContent = ex.title;
  exampleSel.append(o);
}
exampleSel.addEventListener("change", () => {
  const ex = EXAMPLES.find((e) => e.id === exampleSel.value);
  if (!ex) return;
  options = { ...options, ...ex.options };
  showOptions();
  setText(ex.text);
  schedule();
});

function setText(text: string) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: 0 }, scrollIntoView: true });
}

// ---- format -------------------------------------------------------------------------------------
async function formatDoc() {
  const text = view.state.doc.toString();
  if (last?.dumpFiles) {
    say("Format works on one file; this is an nginx -T dump.", true);
    return;
  }
  try {
    const r = await engine.format(text);
    if (r.formatted == null) {
      // null per the contract; serde-wasm-bindgen may leave it undefined.
      say("Cannot format: fix the syntax errors first.", true);
      return;
    }
    if (!r.changed || r.formatted === text) {
      say("Already formatted.");
      return;
    }
    if (view.state.doc.toString() !== text) return; // edited meanwhile
    // One change covering what differs, so the cursor keeps its place outside it.
    const f = r.formatted;
    let a = 0;
    while (a < text.length && a < f.length && text[a] === f[a]) a++;
    let b = 0;
    while (b < text.length - a && b < f.length - a && text[text.length - 1 - b] === f[f.length - 1 - b]) b++;
    view.dispatch({ changes: { from: a, to: text.length - b, insert: f.slice(a, f.length - b) }, userEvent: "format" });
    view.focus();
    say("Formatted.");
  } catch (e) {
    say(`format failed: ${e instanceof Error ? e.message : String(e)}`, true);
  }
}
$("format").addEventListener("click", () => void formatDoc());

// ---- URL hash -----------------------------------------------------------------------------------
let hashTimer = 0;
let writtenHash = "";
function scheduleHashUpdate() {
  clearTimeout(hashTimer);
  hashTimer = window.setTimeout(() => void writeHash(), 250);
}
async function writeHash(): Promise<string> {
  const h = "#" + (await encodeState({ text: view.state.doc.toString(), options }));
  if (h !== location.hash) {
    writtenHash = h;
    history.replaceState(null, "", h);
  }
  return h;
}
window.addEventListener("hashchange", () => {
  if (location.hash === writtenHash) return;
  void loadHash();
});
async function loadHash(): Promise<boolean> {
  const s = await decodeState(location.hash);
  if (!s) return false;
  options = s.options;
  showOptions();
  writtenHash = location.hash;
  setText(s.text);
  exampleSel.value = EXAMPLES.find((e) => e.text === s.text)?.id ?? "";
  return true;
}

$("share").addEventListener("click", async () => {
  clearTimeout(hashTimer);
  await writeHash();
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    say("Link copied to the clipboard.");
  } catch {
    say("Link is in the address bar.");
  }
});

// ---- start --------------------------------------------------------------------------------------
(window as unknown as { ngxlintPlayground: PlaygroundHooks }).ngxlintPlayground = {
  view,
  engines: () => engine.engines,
  lastEngine: () => engine.last,
  analyses: () => applied,
  last: () => last,
  busy: () => inFlight || dirty,
};

async function start() {
  if (!(await loadHash())) {
    options = { ...DEFAULT_OPTIONS, ...DEFAULT_EXAMPLE.options };
    showOptions();
    exampleSel.value = DEFAULT_EXAMPLE.id;
    setText(DEFAULT_EXAMPLE.text);
  }
  try {
    const info = await engine.init();
    $("version").textContent = `v${info.version}`;
    rulesList = info.rules;
    renderRules();
  } catch (e) {
    say(`ngxlint failed to start: ${e instanceof Error ? e.message : String(e)}`, true);
    console.error(e);
  }
  schedule();
}
void start();
