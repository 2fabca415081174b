// Compare mode's results: the risk gauge with level, recommendation and advice; the findings with
// their reasons; the semantic changes, each linked to its place in both editors.

import type { Change, RiskFinding, RiskLevel, RiskReport } from "./api";

export type Side = "before" | "after";

/** A place in the compared text: a Place of the report, or just a line and column. */
export interface Loc {
  file: string;
  line: number;
  column: number;
  offset_utf16?: number;
  end_offset_utf16?: number;
}

export interface ReportLinks {
  /** Selects a place in one side's editor (positions of the compared text); false if it is gone. */
  reveal(side: Side, place: Loc, focus: boolean): boolean;
  /** The path as the file bar shows it. */
  display(side: Side, path: string): string;
  /** Opens the documentation of a rule (RSK code). */
  openDocs(code: string): void;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls = "", text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The gauge's bands: the thresholds of the policy the report was scored with. */
function bands(t: RiskReport["thresholds"] | undefined): [RiskLevel, number, number][] {
  const { medium, high, critical } = t ?? { medium: 20, high: 40, critical: 65 };
  return [
    ["low", 0, medium],
    ["medium", medium, high],
    ["high", high, critical],
    ["critical", critical, 100],
  ];
}

const REC_TEXT: Record<RiskReport["recommendation"], string> = {
  ship: "Ship",
  "stage-first": "Stage first",
  canary: "Canary",
  block: "Block",
};

const SVG = "http://www.w3.org/2000/svg";

function arc(v0: number, v1: number, r: number, cx: number, cy: number): string {
  const p = (v: number) => {
    const a = Math.PI * (1 - v / 100);
    return `${(cx + r * Math.cos(a)).toFixed(2)} ${(cy - r * Math.sin(a)).toFixed(2)}`;
  };
  return `M ${p(v0)} A ${r} ${r} 0 0 1 ${p(v1)}`;
}

function gaugeSvg(score: number, level: RiskLevel | null, thresholds?: RiskReport["thresholds"]): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 120 68");
  svg.setAttribute("aria-hidden", "true");
  const cx = 60;
  const cy = 60;
  const r = 48;
  for (const [lvl, a, b] of bands(thresholds)) {
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("d", arc(a + 0.6, b - 0.6, r, cx, cy));
    p.setAttribute("class", `band band-${lvl}`);
    svg.append(p);
  }
  if (level) {
    const v = Math.max(0, Math.min(100, score));
    if (v > 0) {
      const p = document.createElementNS(SVG, "path");
      p.setAttribute("d", arc(0, Math.max(v, 1), r, cx, cy));
      p.setAttribute("class", `value value-${level}`);
      svg.append(p);
    }
  }
  const t = document.createElementNS(SVG, "text");
  t.setAttribute("x", String(cx));
  t.setAttribute("y", String(cy - 4));
  t.setAttribute("class", "gauge-score");
  t.setAttribute("text-anchor", "middle");
  t.textContent = level ? String(score) : "–";
  svg.append(t);
  return svg;
}

export function levelText(l: RiskLevel): string {
  return l.charAt(0).toUpperCase() + l.slice(1);
}

/** The one-line verdict screen readers hear (and tests read). */
export function verdictSentence(r: RiskReport): string {
  const f = r.findings[0];
  return `Risk ${r.level}, score ${r.score} of 100: ${REC_TEXT[r.recommendation].toLowerCase()}.` + (f ? ` Top finding: ${f.message}` : " No risky change found.");
}

export function renderRiskHead(r: RiskReport | null, error: string | null) {
  const gauge = document.getElementById("gauge")!;
  const level = document.getElementById("risk-level")!;
  const score = document.getElementById("risk-score")!;
  const rec = document.getElementById("risk-rec")!;
  const advice = document.getElementById("risk-advice")!;
  const head = document.getElementById("risk-head")!;
  gauge.replaceChildren(gaugeSvg(r?.score ?? 0, r?.level ?? null, r?.thresholds));
  if (!r) {
    head.dataset.level = "";
    level.textContent = error ? "Cannot compare" : "Comparing…";
    score.textContent = "";
    rec.textContent = "";
    rec.hidden = true;
    advice.textContent = error ?? "";
    gauge.setAttribute("aria-valuenow", "0");
    gauge.setAttribute("aria-valuetext", error ? "not available" : "pending");
    return;
  }
  head.dataset.level = r.level;
  gauge.setAttribute("aria-valuenow", String(r.score));
  gauge.setAttribute("aria-valuetext", `${r.score} of 100, ${r.level}`);
  level.textContent = levelText(r.level);
  score.textContent = `${r.score}/100`;
  rec.hidden = false;
  rec.textContent = REC_TEXT[r.recommendation] + (r.blocking ? " (blocking)" : "");
  rec.dataset.rec = r.recommendation;
  // The advice starts with the recommendation's word ("block: fix it first; ..."): shown once.
  advice.textContent = r.advice.replace(/^[a-z-]+:\s*/, "").replace(/^./, (c) => c.toUpperCase());
  const live = document.getElementById("risk-live")!;
  const sentence = verdictSentence(r);
  if (live.textContent !== sentence) live.textContent = sentence;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function where(links: ReportLinks, side: Side, p: Loc | undefined, what = ""): HTMLButtonElement | null {
  if (!p) return null;
  const b = el("button", `goto goto-${side}`);
  b.type = "button";
  b.textContent = `${side === "before" ? "Before" : "After"} ${links.display(side, p.file)}:${p.line}${what}`;
  b.setAttribute("aria-label", `Show in the ${side} editor${what}: ${p.file} line ${p.line}`);
  b.addEventListener("click", () => links.reveal(side, p, true));
  return b;
}

interface FirstError { message: string; file: string; line: number; code: string }

function sideLine(name: string, s: RiskReport["before"]): HTMLElement {
  const li = el("li", s.errors ? "bad" : "ok");
  const fe = s.first_error as FirstError | null;
  li.append(el("strong", "", `${name}: `));
  if (fe) li.append(`nginx -t fails: ${fe.message} (${fe.file}:${fe.line})`);
  else li.append(`nginx -t passes${s.warnings ? ` (${s.warnings} warning${s.warnings === 1 ? "" : "s"})` : ""}`);
  return li;
}

/**
 * Where a finding is, on each side. Most findings carry before_at/after_at; some carry only the
 * index of their change; a refused configuration only says `file:line:column` in its path; a few
 * (a socket removed or added, a default server changed) say neither: those point at the change of
 * the same directive, marked as related.
 */
function placesOf(f: RiskFinding, r: RiskReport): { before?: Loc; after?: Loc; related: boolean } {
  if (f.before_at || f.after_at) return { before: f.before_at, after: f.after_at, related: false };
  if (typeof f.change === "number" && r.changes[f.change]) {
    const c = r.changes[f.change];
    return { before: c.before_at, after: c.after_at, related: false };
  }
  const pos = /^(\/.*):(\d+):(\d+)$/.exec(f.path);
  if (pos) return { after: { file: pos[1], line: Number(pos[2]), column: Number(pos[3]) }, related: false };
  const last = f.path.split(" > ").pop() ?? "";
  const word = /^([a-z_0-9]+)\s/.exec(last)?.[1];
  const c = word ? r.changes.find((x) => x.directive === word && (x.before_at || x.after_at)) : undefined;
  return c ? { before: c.before_at, after: c.after_at, related: true } : { related: false };
}

function finding(f: RiskFinding, i: number, r: RiskReport, links: ReportLinks): HTMLDetailsElement {
  const d = el("details", "finding");
  d.dataset.rule = f.rule;
  d.dataset.level = f.level;
  if (i === 0) d.open = true;
  const s = el("summary");
  const badge = el("span", `lvl lvl-${f.level}`, levelText(f.level));
  s.append(badge, el("span", "fscore", f.score.toFixed(f.score % 1 ? 1 : 0)), el("span", "fmsg", f.message));
  const meta = el("span", "fmeta");
  meta.append(el("span", "code", f.code), el("span", "", f.rule), el("span", "", `${f.category} · ${f.tier}`));
  s.append(meta);
  d.append(s);
  // A button cannot sit inside <summary>: the rule's docs link is a row of the body.
  const docs = el("button", "goto finding-docs", `${f.code} ${f.rule}`);
  docs.type = "button";
  docs.dataset.code = f.code;
  docs.title = `Documentation of ${f.code} ${f.rule}`;
  docs.setAttribute("aria-label", `Documentation of ${f.code} ${f.rule}`);
  docs.addEventListener("click", () => links.openDocs(f.code));
  const body = el("div", "fbody");
  const dl = el("dl");
  const row = (term: string, ...value: (string | Node)[]) => {
    dl.append(el("dt", "", term));
    const dd = el("dd");
    dd.append(...value);
    dl.append(dd);
    return dd;
  };
  row("Why", f.explanation);
  row("Blast radius", `${pct(f.blast_radius.share)} of requests · ${f.blast_radius.scope} (×${f.blast_radius.factor.toFixed(2)})`);
  row("Confidence", `${pct(f.confidence)}${f.confidence >= 1 ? " (a structural fact)" : f.confidence >= 0.7 ? " (a heuristic)" : " (speculative)"}`);
  const mods = f.modifiers.length ? f.modifiers.map((m) => `×${m.factor} ${m.reason}`).join("; ") : "none";
  row("Score", `${f.base} base points (${f.tier}) · modifiers: ${mods}`);
  if (f.path) row("Where", el("code", "path", f.path));
  const at = placesOf(f, r);
  const what = at.related ? " (related change)" : "";
  const places = [where(links, "before", at.before, what), where(links, "after", at.after, what)].filter((x): x is HTMLButtonElement => !!x);
  if (places.length) row("Show", ...places).className = "gotos";
  if (f.verify) {
    const pre = el("pre", "verify");
    pre.append(el("code", "", f.verify));
    const dd = row("Check", pre);
    dd.className = "check";
  }
  row("Rule", docs);
  body.append(dl);
  d.append(body);
  return d;
}

export function renderFindings(box: HTMLElement, r: RiskReport | null, links: ReportLinks) {
  box.replaceChildren();
  if (!r) return;
  const sides = el("ul", "sides");
  sides.setAttribute("aria-label", "What nginx -t would say");
  sides.append(sideLine("Before", r.before), sideLine("After", r.after));
  box.append(sides);
  if (!r.findings.length) {
    const e = el("div", "empty");
    e.append(el("span", "big", "No risky change found"), `${r.changes.length} semantic change${r.changes.length === 1 ? "" : "s"}; score ${r.score}.`);
    box.append(e);
  } else {
    const list = el("div", "finding-list");
    r.findings.forEach((f, i) => list.append(finding(f, i, r, links)));
    box.append(list);
  }
  if (r.not_checked.length) {
    const nc = el("details", "not-checked");
    nc.append(el("summary", "", `Not checked (${r.not_checked.length})`));
    const ul = el("ul");
    for (const n of r.not_checked) ul.append(el("li", "", n));
    nc.append(ul);
    box.append(nc);
  }
}

const KIND: Record<Change["kind"], [string, string]> = {
  added: ["+", "added"],
  removed: ["−", "removed"],
  modified: ["~", "changed"],
  reordered: ["⇅", "reordered"],
};

function values(v: string[] | null): string {
  return v ? v.join(" ") : "";
}

export function renderChanges(list: HTMLElement, r: RiskReport | null, links: ReportLinks) {
  list.replaceChildren();
  if (!r) return;
  if (!r.changes.length) {
    const li = el("li", "empty");
    li.append(el("span", "big", "No semantic change"), "Both versions mean the same to nginx.");
    list.append(li);
    return;
  }
  const flagged = new Set(r.findings.map((f) => f.change).filter((c): c is number => typeof c === "number"));
  r.changes.forEach((c, i) => {
    const li = el("li");
    const b = el("button", "change");
    b.type = "button";
    b.dataset.kind = c.kind;
    b.dataset.index = String(i);
    if (flagged.has(i)) b.dataset.flagged = "true";
    const [sign, word] = KIND[c.kind];
    const k = el("span", `kind kind-${c.kind}`, sign);
    k.title = word;
    const head = el("span", "chead");
    head.append(el("span", "sr-only", `${word}: `), el("code", "dir", c.directive + (c.block ? " { }" : "")));
    if (c.location?.length) head.append(el("span", "loc", `in location ${c.location.join(" ")}`));
    b.append(k, head);
    const scope = c.scope.filter((s) => s !== "http").join(" › ");
    if (scope) b.append(el("span", "scope", scope));
    if (c.detail) b.append(el("span", "detail", c.detail));
    else if (!c.block && (c.before || c.after)) {
      const v = el("span", "vals");
      if (c.before) v.append(el("del", "", values(c.before) + (c.before_origin !== "explicit" ? ` (${c.before_origin})` : "")));
      if (c.before && c.after) v.append(el("span", "arrow", " → "));
      if (c.after) v.append(el("ins", "", values(c.after) + (c.after_origin !== "explicit" ? ` (${c.after_origin})` : "")));
      b.append(v);
    }
    const at = el("span", "at");
    at.textContent = [c.before_at ? `before :${c.before_at.line}` : "", c.after_at ? `after :${c.after_at.line}` : ""].filter(Boolean).join(" · ");
    b.append(at);
    if (flagged.has(i)) b.append(el("span", "sr-only", " (has a finding)"));
    b.addEventListener("click", () => {
      if (c.before_at) links.reveal("before", c.before_at, false);
      if (c.after_at) links.reveal("after", c.after_at, false);
    });
    li.append(b);
    list.append(li);
  });
}
