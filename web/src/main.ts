// ngxlint playground. Lint mode: one configuration (any number of files), its problems, parse tree,
// route tester. Compare mode: before and after side by side, the risk of the change (gauge, findings,
// semantic changes linked to both editors), problems of both sides, routes in both versions.

import "./styles.css";
import type { Diagnostic as CmDiagnostic } from "@codemirror/lint";
import type { Diagnostic, RiskRuleInfo, RouteRequest, RuleInfo, SourceFile } from "./api";
import { EngineClient } from "./engine";
import { DEFAULT_EXAMPLE, EXAMPLES, type Example } from "./examples";
import { filterRules, renderProblems, renderRoute, renderRules, summary, type ProblemGroup, type RouteAnswer } from "./panels";
import { el, levelText, renderChanges, renderFindings, renderRiskHead, type Loc, type ReportLinks, type Side } from "./report";
import { DEFAULT_OPTIONS, DEFAULT_ROUTE, decodeState, encodeState, type Mode } from "./share";
import { looksLikeDump, MAIN, Workspace, type Snapshot } from "./workspace";
import type { AnalyzeResponse, CompareResponse, PlaygroundOptions, RuleLevel } from "./worker-protocol";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

type Tab = "findings" | "changes" | "problems" | "route" | "tree" | "crossplane" | "rules" | "options";

/** Compare runs this long after the last edit (when none is in flight), so a burst of keys costs one. */
const COMPARE_DEBOUNCE = 30;

/** What tests and the benchmark read (window.ngxlintPlayground). */
export interface PlaygroundHooks {
  /** The after (lint mode: the only) side's editor. */
  view: Workspace["view"];
  views: { before: Workspace["view"]; after: Workspace["view"] };
  workspaces: { before: Workspace; after: Workspace };
  mode: () => Mode;
  /** The engines that run ("worker", "page") and where the last analysis ran. */
  engines: () => string[];
  lastEngine: () => string;
  /** Number of results (analyses and comparisons) applied so far. */
  analyses: () => number;
  compares: () => number;
  last: () => AnalyzeResponse | null;
  lastCompare: () => CompareResponse | null;
  /** True while the mode's analysis is in flight or the text changed since the last one. */
  busy: () => boolean;
  routeBusy: () => boolean;
  routes: () => number;
}

const engine = new EngineClient(new URLSearchParams(location.search).get("engine"));
let options: PlaygroundOptions = { ...DEFAULT_OPTIONS, targets: [], rules: {} };
let mode: Mode = "lint";
let activeTab: Tab = "problems";
let rulesList: RuleInfo[] = [];
let riskRulesList: RiskRuleInfo[] = [];
let started = false;
let currentExample: Example | null = null;

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
  $("theme").setAttribute("aria-pressed", String(root.dataset.effectiveTheme === "dark"));
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
  const m = $("status-message");
  m.textContent = text;
  m.classList.toggle("bad", bad);
  clearTimeout(messageTimer);
  if (text) messageTimer = window.setTimeout(() => say(""), 6000);
}
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

// ---- the two sides --------------------------------------------------------------------------------
let lastFocused: Side = "after";
function hooksFor(side: Side) {
  return {
    changed: (kind: "edit" | "files") => sideChanged(side, kind),
    pastedDump: (text: string) => void splitInto(side, text),
    say,
    focused: () => (lastFocused = side),
  };
}
const formatKey = [{ key: "Shift-Alt-f", run: () => (void formatDoc(), true) }];
const before = new Workspace("before", $("files-before"), $("editor-before"), "Before: nginx configuration", formatKey, hooksFor("before"));
const after = new Workspace("after", $("files-after"), $("editor-after"), "nginx configuration", formatKey, hooksFor("after"));
const sides: Record<Side, Workspace> = { before, after };
/** Whether the before side holds anything the user put there (else entering compare copies after). */
let beforeSet = false;

function sideChanged(side: Side, kind: "edit" | "files") {
  if (!started) return;
  if (kind === "edit" && currentExample) setExample(null);
  if (side === "before") beforeSet = true;
  if (mode === "lint") {
    if (side === "after") scheduleLint();
  } else scheduleCompare();
  scheduleRoute(250);
  if (side === "after" || mode === "compare") scheduleParse();
  scheduleHashUpdate();
}

$("copy-after").addEventListener("click", () => {
  before.setFiles(after.files(), after.activePath);
  $("hint-before").textContent = $("hint-after").textContent;
  say("The before side is now a copy of the after side.");
});

/** Pasted `nginx -T` output becomes the side's files. */
async function splitInto(side: Side, text: string) {
  try {
    const { files } = await engine.split(text);
    if (!files) return;
    sides[side].setFiles(files);
    const note = `nginx -T output: ${files.length} file${files.length === 1 ? "" : "s"}`;
    $(`hint-${side}`).textContent = note;
    say(`${note} (${mode === "compare" ? side : "split into the file bar"}).`);
  } catch (e) {
    say(`could not split the nginx -T output: ${errorText(e)}`, true);
  }
}

$("skip").addEventListener("click", (e) => {
  e.preventDefault();
  after.view.focus();
});

// ---- diagnostics in the editors -----------------------------------------------------------------
function toCm(d: Diagnostic, from: number, to: number): CmDiagnostic {
  return {
    from,
    to,
    severity: d.severity,
    source: `${d.code} ${d.rule}`,
    message: d.message,
    renderMessage: () => {
      const box = el("div", "ngx-tip");
      box.append(el("div", "", d.message));
      if (d.help) {
        const h = el("div", "help");
        h.append(el("b", "", "help: "), d.help);
        box.append(h);
      }
      return box;
    },
    actions: [{ name: `Docs ${d.code}`, apply: () => openDocs(d.code) }],
  };
}

/** The snapshots the diagnostics and report shown were computed from. */
const shown: { lint: Snapshot | null; before: Snapshot | null; after: Snapshot | null } = { lint: null, before: null, after: null };

function snapOf(side: Side): Snapshot | null {
  return mode === "lint" ? (side === "after" ? shown.lint : null) : shown[side];
}

function revealAt(side: Side, file: string, from: number, to: number, focus: boolean): boolean {
  const snap = snapOf(side);
  const spot = snap && sides[side].locate(snap, file, from, to);
  if (!spot) return false;
  sides[side].reveal(spot, focus);
  return true;
}

const display = (side: Side, path: string) => sides[side].display(path);

const diagnosticLinks = {
  reveal: (side: Side, d: Diagnostic) => revealAt(side, d.file, d.from, d.to, true),
  canReveal: (side: Side, d: Diagnostic) => !!snapOf(side)?.at.has(d.file),
  display,
  openDocs: (code: string) => openDocs(code),
};

/** UTF-16 offsets of a 1-based line and column (to the line's end) in a snapshot's text. */
function lineSpan(snap: Snapshot, file: string, line: number, column: number): [number, number] | null {
  const text = snap.files.find((f) => f.path === file)?.text;
  if (text === undefined) return null;
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return null;
    start = nl + 1;
  }
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  return [Math.min(start + Math.max(0, column - 1), end), end];
}

const reportLinks: ReportLinks = {
  reveal: (side: Side, p: Loc, focus: boolean) => {
    if (p.offset_utf16 !== undefined && p.end_offset_utf16 !== undefined) return revealAt(side, p.file, p.offset_utf16, p.end_offset_utf16, focus);
    const snap = snapOf(side);
    const span = snap && lineSpan(snap, p.file, p.line, p.column);
    return !!span && revealAt(side, p.file, span[0], span[1], focus);
  },
  display,
  openDocs: (code: string) => openDocs(code),
};

// ---- lint mode: analyses --------------------------------------------------------------------------
const lint = { inFlight: false, dirty: false, last: null as AnalyzeResponse | null };
let applied = 0;

function scheduleLint() {
  lint.dirty = true;
  if (!lint.inFlight) void runLint();
}

async function runLint() {
  lint.dirty = false;
  lint.inFlight = true;
  const snap = after.snapshot();
  const t0 = performance.now();
  try {
    const res = await engine.analyze(snap.files, options);
    if (mode === "lint") applyLint(res, snap, t0);
  } catch (e) {
    say(`analysis failed: ${errorText(e)}`, true);
    console.warn(e);
  } finally {
    lint.inFlight = false;
  }
  if (lint.dirty && mode === "lint") void runLint();
}

function applyLint(res: AnalyzeResponse, snap: Snapshot, t0: number) {
  const roundTrip = performance.now() - t0;
  lint.last = res;
  shown.lint = snap;
  after.applyDiagnostics(snap, res.diagnostics, toCm);
  renderProblemsPanel();
  $("status-timing").textContent = `analysis ${res.ms.toFixed(1)} ms · round trip ${roundTrip.toFixed(1)} ms · ${engine.last === "page" ? "on the page" : "in a worker"}`;
  applied++;
  document.body.dataset.analyses = String(applied);
  document.dispatchEvent(new CustomEvent("ngxlint:analyzed", { detail: { ms: res.ms, roundTrip, startedAt: t0, stale: snap.rev !== after.rev, final: !lint.dirty } }));
}

// ---- compare mode: the risk report --------------------------------------------------------------
const cmp = { inFlight: false, dirty: false, timer: 0, last: null as CompareResponse | null, error: null as string | null };
let compared = 0;

function scheduleCompare(delay = COMPARE_DEBOUNCE) {
  cmp.dirty = true;
  $("risk-head").setAttribute("aria-busy", "true");
  $("risk-head").classList.add("stale");
  if (cmp.inFlight) return;
  clearTimeout(cmp.timer);
  cmp.timer = window.setTimeout(() => void runCompare(), delay);
}

async function runCompare() {
  cmp.dirty = false;
  cmp.inFlight = true;
  const sb = before.snapshot();
  const sa = after.snapshot();
  const t0 = performance.now();
  try {
    const res = await engine.compare(sb.files, sa.files, options);
    if (mode === "compare") applyCompare(res, sb, sa, t0);
  } catch (e) {
    cmp.error = errorText(e);
    cmp.last = null;
    if (mode === "compare") {
      renderRiskHead(null, cmp.error);
      say(`compare failed: ${cmp.error}`, true);
    }
    console.warn(e);
  } finally {
    cmp.inFlight = false;
  }
  if (cmp.dirty && mode === "compare") scheduleCompare(0);
  else {
    $("risk-head").setAttribute("aria-busy", "false");
    $("risk-head").classList.remove("stale");
  }
}

function applyCompare(res: CompareResponse, sb: Snapshot, sa: Snapshot, t0: number) {
  const roundTrip = performance.now() - t0;
  cmp.last = res;
  cmp.error = null;
  shown.before = sb;
  shown.after = sa;
  before.applyDiagnostics(sb, res.before.diagnostics, toCm);
  after.applyDiagnostics(sa, res.after.diagnostics, toCm);
  renderReport();
  renderProblemsPanel();
  $("status-timing").textContent = `compare ${res.ms.toFixed(1)} ms · round trip ${roundTrip.toFixed(1)} ms · ${engine.engines.includes("worker") ? "in a worker" : "on the page"}`;
  compared++;
  document.body.dataset.compares = String(compared);
  document.dispatchEvent(new CustomEvent("ngxlint:compared", { detail: { ms: res.ms, roundTrip, startedAt: t0, final: !cmp.dirty } }));
}

function renderReport() {
  const r = cmp.last?.report ?? null;
  renderRiskHead(r, cmp.error);
  renderFindings($("findings"), r, reportLinks);
  renderChanges($("changes"), r, reportLinks);
  const fc = $("finding-count");
  fc.textContent = String(r?.findings.length ?? 0);
  fc.className = "count" + (r && r.findings.length ? ` lvl-${r.level}` : "");
  $("change-count").textContent = String(r?.changes.length ?? 0);
}

// ---- problems panel -----------------------------------------------------------------------------
/** The list is built while its tab shows (two sides of a large config hold hundreds of entries). */
let problemsStale = false;

function renderProblemsPanel() {
  const groups: ProblemGroup[] = [];
  if (mode === "lint") {
    if (lint.last) groups.push({ side: "after", title: null, res: lint.last });
  } else if (cmp.last) {
    groups.push({ side: "after", title: "After", res: cmp.last.after }, { side: "before", title: "Before", res: cmp.last.before });
  }
  problemsStale = activeTab !== "problems";
  if (!problemsStale) renderProblems($("problems"), groups, diagnosticLinks);
  const main = groups[0]?.res;
  const count = $("problem-count");
  count.textContent = String(main?.diagnostics.length ?? 0);
  count.className = "count" + (main?.errors ? " has-errors" : main?.warnings ? " has-warnings" : "");
  if (!main) return;
  let text = summary(main);
  if (mode === "compare" && cmp.last) {
    const r = cmp.last.report;
    text = `after: ${text} · risk ${levelText(r.level).toLowerCase()} ${r.score}/100`;
  }
  $("status-summary").textContent = text;
}

// ---- rule docs ----------------------------------------------------------------------------------
function openDocs(code: string) {
  selectTab("rules");
  const filter = $<HTMLInputElement>("rules-filter");
  if (filter.value) {
    filter.value = "";
    filterRules($("rules"), "");
  }
  const d = document.getElementById(`rule-${code}`) as HTMLDetailsElement | null;
  if (!d) {
    say(`No documentation for ${code}.`, true);
    return;
  }
  for (const o of $("rules").querySelectorAll("details.rule-doc.target")) o.classList.remove("target");
  d.open = true;
  d.classList.add("target");
  d.scrollIntoView({ block: "start" });
  d.querySelector("summary")?.focus();
}
$("rules-filter").addEventListener("input", (e) => filterRules($("rules"), (e.target as HTMLInputElement).value));

// ---- tabs ---------------------------------------------------------------------------------------
const tabs = () => [...document.querySelectorAll<HTMLButtonElement>("#tabs .tab")].filter((t) => !t.hidden);

function selectTab(tab: Tab, focus = false) {
  activeTab = tab;
  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs .tab")) {
    const on = b.dataset.tab === tab;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
    if (on && focus) b.focus();
    $(`panel-${b.dataset.tab}`).hidden = !on;
  }
  scheduleParse(0);
  if (tab === "route") scheduleRoute(0);
  if (tab === "problems" && problemsStale) renderProblemsPanel();
}
for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs .tab")) {
  b.addEventListener("click", () => selectTab(b.dataset.tab as Tab));
  b.addEventListener("keydown", (e) => {
    const list = tabs();
    const i = list.indexOf(b);
    let next = -1;
    if (e.key === "ArrowRight") next = (i + 1) % list.length;
    else if (e.key === "ArrowLeft") next = (i - 1 + list.length) % list.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = list.length - 1;
    if (next < 0) return;
    e.preventDefault();
    selectTab(list[next].dataset.tab as Tab, true);
  });
}

// ---- mode ---------------------------------------------------------------------------------------
function setMode(m: Mode) {
  const changed = m !== mode;
  mode = m;
  if (m === "compare" && !beforeSet) {
    // A comparison starts from the current configuration: edit the after side.
    before.setFiles(after.files(), before.activePath);
    beforeSet = true;
  }
  $("layout").dataset.mode = m;
  $("pane-before").hidden = m !== "compare";
  $("risk-head").hidden = m !== "compare";
  $("title-after").textContent = m === "compare" ? "After" : "Configuration";
  for (const b of document.querySelectorAll<HTMLButtonElement>(".mode button")) b.setAttribute("aria-pressed", String(b.dataset.mode === m));
  for (const t of document.querySelectorAll<HTMLButtonElement>("#tabs .tab")) t.hidden = !!t.dataset.modes && t.dataset.modes !== m;
  const tab = document.querySelector<HTMLButtonElement>(`#tabs .tab[data-tab="${activeTab}"]`);
  if (!tab || tab.hidden || (changed && m === "compare" && activeTab === "problems")) selectTab(m === "compare" ? "findings" : "problems");
  if (!changed || !started) return;
  if (m === "compare") {
    renderRiskHead(cmp.last?.report ?? null, cmp.error);
    scheduleCompare(0);
  } else {
    // The before side's squiggles stay in its (hidden) editor; the after side is linted again.
    scheduleLint();
  }
  renderProblemsPanel();
  scheduleRoute(0);
  scheduleHashUpdate();
}
for (const b of document.querySelectorAll<HTMLButtonElement>(".mode button")) b.addEventListener("click", () => setMode(b.dataset.mode as Mode));

// ---- options ------------------------------------------------------------------------------------
const versionSel = $<HTMLSelectElement>("nginx-version");
const profileSel = $<HTMLSelectElement>("profile");
const contextSel = $<HTMLSelectElement>("context");
const envBox = $<HTMLInputElement>("env-includes");
const targetBoxes = [$<HTMLInputElement>("target-122"), $<HTMLInputElement>("target-latest")];
const RULE_CATEGORIES = ["security", "availability", "performance", "correctness"];

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
  for (const b of targetBoxes) b.checked = options.targets.includes(b.value as PlaygroundOptions["targets"][number]);
  for (const s of document.querySelectorAll<HTMLSelectElement>("#rule-levels select")) s.value = options.rules[s.dataset.selector!] ?? "";
}

function optionsChanged() {
  if (mode === "lint") scheduleLint();
  else scheduleCompare();
  scheduleParse();
  scheduleRoute(0);
  scheduleHashUpdate();
}

function readOptions() {
  const rules: Record<string, RuleLevel> = {};
  for (const s of document.querySelectorAll<HTMLSelectElement>("#rule-levels select")) if (s.value) rules[s.dataset.selector!] = s.value as RuleLevel;
  options = {
    nginxVersion: versionSel.value as PlaygroundOptions["nginxVersion"],
    profile: profileSel.value as PlaygroundOptions["profile"],
    context: contextSel.value,
    includesFromEnvironment: envBox.checked,
    targets: targetBoxes.filter((b) => b.checked).map((b) => b.value as PlaygroundOptions["targets"][number]),
    rules,
  };
  optionsChanged();
}
$("options-form").addEventListener("change", readOptions);
$("options-form").addEventListener("submit", (e) => e.preventDefault());
$("rules-reset").addEventListener("click", () => {
  for (const s of document.querySelectorAll<HTMLSelectElement>("#rule-levels select")) s.value = "";
  readOptions();
});

function levelSelect(selector: string, label: string, dflt: string): HTMLElement {
  const row = el("label", "rule-level");
  row.dataset.selector = selector;
  const s = el("select");
  s.dataset.selector = selector;
  s.id = `level-${selector}`;
  s.setAttribute("aria-label", `${label}: severity`);
  for (const [v, t] of [["", `default (${dflt})`], ["warning", "warning"], ["info", "note"], ["off", "off"]]) {
    const o = el("option", "", t);
    o.value = v;
    s.append(o);
  }
  row.append(el("span", "rl-name", label), s);
  return row;
}

function buildRuleLevels() {
  const box = $("rule-levels");
  box.replaceChildren();
  for (const cat of RULE_CATEGORIES) {
    const rules = rulesList.filter((r) => r.category === cat);
    if (!rules.length) continue;
    const group = el("div", "rl-group");
    const head = levelSelect(cat, `All ${cat} rules`, "each rule's own");
    head.classList.add("rl-category");
    group.append(head);
    for (const r of rules) group.append(levelSelect(r.code, `${r.code} ${r.name}`, r.severity));
    box.append(group);
  }
  showOptions();
}

// ---- route tester -------------------------------------------------------------------------------
const routeInputs = { host: $<HTMLInputElement>("route-host"), uri: $<HTMLInputElement>("route-uri"), port: $<HTMLInputElement>("route-port"), addr: $<HTMLInputElement>("route-addr") };
let route: RouteRequest = { ...DEFAULT_ROUTE };
const routeState = { timer: 0, seq: 0, inFlight: 0, done: 0, snaps: new Map<Side, Snapshot>() };

function showRoute() {
  routeInputs.host.value = route.host;
  routeInputs.uri.value = route.uri;
  routeInputs.port.value = String(route.port ?? 80);
  routeInputs.addr.value = route.addr ?? "";
}

function readRoute() {
  const port = Number(routeInputs.port.value);
  route = {
    host: routeInputs.host.value.trim(),
    uri: routeInputs.uri.value || "/",
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 80,
    ...(routeInputs.addr.value.trim() ? { addr: routeInputs.addr.value.trim() } : {}),
  };
  scheduleRoute(120);
  scheduleHashUpdate();
}
$("route-form").addEventListener("input", readRoute);
$("route-form").addEventListener("submit", (e) => {
  e.preventDefault();
  scheduleRoute(0);
});

function scheduleRoute(delay: number) {
  if (activeTab !== "route" || !started) return;
  clearTimeout(routeState.timer);
  routeState.timer = window.setTimeout(() => void runRoute(), delay);
}

async function runRoute() {
  const seq = ++routeState.seq;
  const which: Side[] = mode === "compare" ? ["before", "after"] : ["after"];
  const snaps = which.map((s) => [s, sides[s].snapshot()] as const);
  const req = { ...route };
  routeState.inFlight++;
  try {
    const results = await Promise.all(snaps.map(([, snap]) => engine.route(snap.files, req, options)));
    if (seq !== routeState.seq) return;
    routeState.snaps = new Map(snaps);
    const answers: RouteAnswer[] = snaps.map(([side], i) => ({ side, res: results[i] }));
    renderRoute($("route-result"), req, answers, {
      reveal: (side, file, from, to) => {
        const snap = routeState.snaps.get(side);
        const spot = snap && sides[side].locate(snap, file, from, to);
        if (!spot) return false;
        sides[side].reveal(spot, true);
        return true;
      },
      display,
    });
    routeState.done++;
  } catch (e) {
    say(`route failed: ${errorText(e)}`, true);
  } finally {
    routeState.inFlight--;
  }
}

// ---- parse tree and crossplane (lint mode): asked for while their tab shows, when typing pauses --
let parseTimer = 0;
let parsedKey = "";
function scheduleParse(delay = 200) {
  if (activeTab !== "tree" && activeTab !== "crossplane") return;
  clearTimeout(parseTimer);
  parseTimer = window.setTimeout(() => void runParse(), delay);
}
async function runParse() {
  const path = after.activePath;
  const file = after.files().find((f) => f.path === path)!;
  // The context applies to the main file; other files are read as whole files.
  const opts = { ...options, context: path === after.mainPath ? options.context : "" };
  const key = JSON.stringify([file.text, opts]);
  if (key === parsedKey) return;
  try {
    const r = await engine.parse(file.text, opts);
    parsedKey = key;
    $("tree").innerHTML = highlightJson(r.tree);
    $("crossplane").innerHTML = highlightJson(r.crossplane);
  } catch (e) {
    say(`parse failed: ${errorText(e)}`, true);
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

// ---- examples -----------------------------------------------------------------------------------
const gallery = $<HTMLDialogElement>("gallery");

function buildGallery() {
  const body = $("gallery-body");
  body.replaceChildren();
  const groups: [string, string, Example[]][] = [
    ["Lint one configuration", "What nginx -t would say, and what the rules find.", EXAMPLES.filter((e) => e.mode === "lint")],
    ["Compare a change", "Before and after: the semantic diff and the risk of the change. Most come from the replay suite of real outage patterns.", EXAMPLES.filter((e) => e.mode === "compare")],
  ];
  for (const [title, blurb, list] of groups) {
    const sec = el("section", "gallery-group");
    sec.append(el("h3", "", title), el("p", "hint", blurb));
    const grid = el("div", "cards");
    for (const ex of list) {
      const b = el("button", "card");
      b.type = "button";
      b.dataset.example = ex.id;
      const top = el("span", "card-top");
      top.append(el("span", "card-title", ex.title));
      if (ex.expect) top.append(el("span", `lvl lvl-${ex.expect.level}`, levelText(ex.expect.level as "low")));
      b.append(top, el("span", "card-blurb", ex.blurb));
      if (ex.source) b.append(el("span", "card-source", ex.source));
      b.addEventListener("click", () => {
        gallery.close();
        void loadExample(ex);
      });
      grid.append(b);
    }
    sec.append(grid);
    body.append(sec);
  }
}
$("examples").addEventListener("click", () => {
  gallery.showModal();
  (gallery.querySelector<HTMLButtonElement>(`.card[data-example="${currentExample?.id ?? ""}"]`) ?? gallery.querySelector<HTMLButtonElement>(".card"))?.focus();
});
$("gallery-close").addEventListener("click", () => gallery.close());
gallery.addEventListener("click", (e) => {
  if (e.target === gallery) gallery.close(); // a click on the backdrop
});

function setExample(ex: Example | null) {
  currentExample = ex;
  $("example-name").textContent = ex ? `Example: ${ex.title}` : "";
}

async function loadExample(ex: Example) {
  options = { ...options, ...ex.options };
  showOptions();
  if (ex.route) route = { ...DEFAULT_ROUTE, ...ex.route };
  showRoute();
  let files = ex.files;
  if (ex.dump) {
    const split = await engine.split(ex.dump);
    files = split.files ?? [{ path: MAIN, text: ex.dump }];
  }
  if (ex.mode === "compare") {
    before.setFiles(ex.before ?? []);
    beforeSet = true;
  }
  after.setFiles(files);
  $("hint-after").textContent = ex.dump ? `nginx -T output: ${files.length} files` : "";
  $("hint-before").textContent = "";
  setMode(ex.mode);
  setExample(ex);
  optionsChanged();
}

// ---- format -------------------------------------------------------------------------------------
async function formatDoc() {
  const ws = mode === "compare" ? sides[lastFocused] : after;
  const text = ws.view.state.doc.toString();
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
    if (ws.view.state.doc.toString() !== text) return; // edited meanwhile
    // One change covering what differs, so the cursor keeps its place outside it.
    const f = r.formatted;
    let a = 0;
    while (a < text.length && a < f.length && text[a] === f[a]) a++;
    let b = 0;
    while (b < text.length - a && b < f.length - a && text[text.length - 1 - b] === f[f.length - 1 - b]) b++;
    ws.replaceActive(f.slice(a, f.length - b), a, text.length - b, "format");
    ws.view.focus();
    say("Formatted.");
  } catch (e) {
    say(`format failed: ${errorText(e)}`, true);
  }
}
$("format").addEventListener("click", () => void formatDoc());

// ---- URL hash -----------------------------------------------------------------------------------
let hashTimer = 0;
let writtenHash = "";
function scheduleHashUpdate() {
  if (!started) return;
  clearTimeout(hashTimer);
  hashTimer = window.setTimeout(() => void writeHash(), 400);
}
async function writeHash(): Promise<string> {
  const h =
    "#" +
    (await encodeState({ mode, after: after.files(), before: mode === "compare" ? before.files() : null, options, route }));
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
  route = s.route;
  showOptions();
  showRoute();
  writtenHash = location.hash;
  $("hint-before").textContent = "";
  $("hint-after").textContent = "";
  if (s.before) {
    before.setFiles(s.before);
    beforeSet = true;
  }
  let files = s.after;
  if (s.legacy && looksLikeDump(files[0].text)) {
    // Links of the first version held an nginx -T dump as one text; it is split into files now.
    const split = await engine.split(files[0].text).catch(() => ({ files: null }));
    if (split.files) {
      files = split.files;
      $("hint-after").textContent = `nginx -T output: ${files.length} files`;
    }
  }
  after.setFiles(files);
  const same = (a: SourceFile[], b: SourceFile[] | undefined) => !!b && a.length === b.length && a.every((f, i) => f.path === b[i].path && f.text === b[i].text);
  setExample(EXAMPLES.find((e) => e.mode === s.mode && same(files, e.files) && (s.mode === "lint" || same(s.before ?? [], e.before))) ?? null);
  setMode(s.mode);
  if (started) optionsChanged();
  return true;
}

$("share").addEventListener("click", async () => {
  clearTimeout(hashTimer);
  await writeHash();
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    say(`Link copied to the clipboard (${url.length.toLocaleString()} characters).`);
  } catch {
    say("The link is in the address bar.");
  }
});

// ---- start --------------------------------------------------------------------------------------
(window as unknown as { ngxlintPlayground: PlaygroundHooks }).ngxlintPlayground = {
  view: after.view,
  views: { before: before.view, after: after.view },
  workspaces: { before, after },
  mode: () => mode,
  engines: () => engine.engines,
  lastEngine: () => engine.last,
  analyses: () => applied + compared,
  compares: () => compared,
  last: () => lint.last,
  lastCompare: () => cmp.last,
  busy: () => (mode === "lint" ? lint.inFlight || lint.dirty : cmp.inFlight || cmp.dirty),
  routeBusy: () => routeState.inFlight > 0 || (activeTab === "route" && routeState.done === 0),
  routes: () => routeState.done,
};

async function start() {
  buildGallery();
  if (!(await loadHash())) {
    options = { ...DEFAULT_OPTIONS, ...DEFAULT_EXAMPLE.options };
    showOptions();
    showRoute();
    after.setFiles(DEFAULT_EXAMPLE.files);
    setExample(DEFAULT_EXAMPLE);
    setMode("lint");
  }
  started = true;
  try {
    const info = await engine.init();
    $("version").textContent = `v${info.version}`;
    rulesList = info.rules;
    riskRulesList = info.riskRules;
    renderRules($("rules"), rulesList, riskRulesList);
    buildRuleLevels();
  } catch (e) {
    say(`ngxlint failed to start: ${errorText(e)}`, true);
    console.error(e);
  }
  if (mode === "lint") scheduleLint();
  else scheduleCompare(0);
  scheduleRoute(0);
}
void start();
