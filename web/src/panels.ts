// Panels shared by both modes: problems (diagnostics of one or both sides), rule documentation,
// the route tester's answers.

import type { AnalyzeResult, Diagnostic, RiskRuleInfo, RoutePlace, RouteRequest, RuleInfo } from "./api";
import { inline, renderMarkdown } from "./markdown";
import { el, type Side } from "./report";
import type { RouteResponse } from "./worker-protocol";

export interface DiagnosticLinks {
  /** Selects the diagnostic's span in its side's editor; false when its file is not there. */
  reveal(side: Side, d: Diagnostic): boolean;
  canReveal(side: Side, d: Diagnostic): boolean;
  display(side: Side, path: string): string;
  openDocs(code: string): void;
}

export interface ProblemGroup {
  side: Side;
  /** Heading (compare mode), or null for a single list. */
  title: string | null;
  res: AnalyzeResult;
}

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function summary(res: AnalyzeResult): string {
  return `${plural(res.errors, "error")} · ${plural(res.warnings, "warning")} · ${plural(res.infos, "note")}`;
}

const MAX = 500;

export function renderProblems(box: HTMLElement, groups: ProblemGroup[], links: DiagnosticLinks) {
  box.replaceChildren();
  for (const g of groups) {
    if (g.title) {
      const h = el("h3", "group-title");
      h.append(el("span", "", g.title), el("span", "muted", summary(g.res)));
      box.append(h);
    }
    const list = el("ul", "diagnostics");
    list.id = g.side === "after" ? "diagnostics" : "diagnostics-before";
    list.dataset.side = g.side;
    if (g.title) list.setAttribute("aria-label", `${g.title}: problems`);
    box.append(list);
    const res = g.res;
    if (res.diagnostics.length === 0) {
      const li = el("li", "empty");
      li.append(el("span", "big", "No problems found"), "nginx -t would accept this configuration.");
      list.append(li);
      continue;
    }
    const multi = res.files.length > 1 || res.diagnostics.some((d) => d.file !== res.files[0]);
    for (const d of res.diagnostics.slice(0, MAX)) {
      const li = el("li", "diag-item");
      const b = el("button", "diag");
      b.type = "button";
      b.dataset.code = d.code;
      b.dataset.severity = d.severity;
      const sev = el("span", `sev ${d.severity}`);
      sev.title = d.severity;
      b.append(sev, el("span", "sr-only", `${d.severity}: `), el("span", "msg", d.message));
      const meta = el("span", "meta");
      const place = (multi ? `${links.display(g.side, d.file)}:` : "") + `${d.line}:${d.column}`;
      meta.append(el("span", "code", d.code), el("span", "rule", d.rule), el("span", "where", place));
      b.append(meta);
      if (d.help) b.append(el("span", "help", d.help));
      for (const l of d.labels ?? []) {
        if (l.message) b.append(el("span", "label", `${l.line}:${l.column} ${l.message}`));
      }
      if (links.canReveal(g.side, d)) b.addEventListener("click", () => links.reveal(g.side, d));
      else {
        b.disabled = true;
        b.title = "in a file that is not among the files here";
      }
      const docs = el("button", "doc-link", "Docs");
      docs.type = "button";
      docs.dataset.code = d.code;
      docs.title = `Documentation of ${d.code} ${d.rule}`;
      docs.setAttribute("aria-label", `Documentation of ${d.code} ${d.rule}`);
      docs.addEventListener("click", () => links.openDocs(d.code));
      li.append(b, docs);
      list.append(li);
    }
    if (res.diagnostics.length > MAX) list.append(el("li", "empty", `… and ${res.diagnostics.length - MAX} more`));
  }
}

// ---- rule documentation ------------------------------------------------------------------------

const CATEGORY_TITLE: Record<string, string> = {
  nginx: "What nginx -t checks",
  suppression: "Suppressions",
  security: "Security rules",
  availability: "Availability rules",
  performance: "Performance rules",
  correctness: "Correctness rules",
  style: "Style rules",
  risk: "Change risk rules (compare)",
};

/** What the docs panel lists: a diagnostic code or rule, or a change-risk rule. */
interface DocEntry { code: string; name: string; category: string; badge: string; severity: string; summary: string; docs: string }

function firstParagraph(md: string): string {
  return md.split(/\n\s*\n/)[0].replace(/\s+/g, " ").trim();
}

export function renderRules(box: HTMLElement, lint: RuleInfo[], risk: RiskRuleInfo[]) {
  box.replaceChildren();
  const rules: DocEntry[] = [
    ...lint.map((r) => ({ ...r, badge: r.severity })),
    ...risk.map((r) => ({ code: r.code, name: r.name, category: "risk", badge: `${r.tier} · ${r.points} pts`, severity: r.tier, summary: firstParagraph(r.docs), docs: r.docs })),
  ];
  if (!rules.length) {
    box.append(el("div", "empty", "No rules."));
    return;
  }
  const cats = [...new Set(rules.map((r) => r.category))];
  for (const cat of cats) {
    const sec = el("section", "rule-group");
    sec.dataset.category = cat;
    sec.append(el("h3", "group-title", CATEGORY_TITLE[cat] ?? cat));
    for (const r of rules.filter((x) => x.category === cat)) {
      const d = el("details", "rule-doc");
      d.id = `rule-${r.code}`;
      d.dataset.code = r.code;
      d.dataset.search = `${r.code} ${r.name} ${r.summary} ${r.category}`.toLowerCase();
      const s = el("summary");
      const sum = el("span", "rsum");
      inline(sum, r.summary);
      s.append(el("span", "code", r.code), el("span", "rname", r.name), el("span", `rsev ${r.severity}`, r.badge), sum);
      const body = el("div", "docs");
      // The body is rendered when first opened: 58 documents are cheap, but there is no need.
      d.addEventListener("toggle", () => {
        if (d.open && !body.childElementCount) body.append(renderMarkdown(r.docs, r.summary));
      });
      d.append(s, body);
      sec.append(d);
    }
    box.append(sec);
  }
}

export function filterRules(box: HTMLElement, query: string) {
  const q = query.trim().toLowerCase();
  for (const d of box.querySelectorAll<HTMLElement>("details.rule-doc")) d.hidden = !!q && !d.dataset.search!.includes(q);
  for (const s of box.querySelectorAll<HTMLElement>("section.rule-group")) s.hidden = !s.querySelector("details.rule-doc:not([hidden])");
}

// ---- route tester --------------------------------------------------------------------------------

export interface RouteLinks {
  reveal(side: Side, file: string, from: number, to: number): boolean;
  display(side: Side, path: string): string;
}

export interface RouteAnswer {
  side: Side;
  res: RouteResponse;
}

const MATCH: Record<string, string> = {
  exact_name: "exact server_name",
  wildcard_prefix: "wildcard name (*.example.com)",
  wildcard_suffix: "wildcard name (www.example.*)",
  regex: "regex server_name",
  default_server: "default server (no name matched)",
};

type Row = { key: string; label: string; cell: (a: RouteAnswer) => Node; text: (a: RouteAnswer) => string };

export function renderRoute(box: HTMLElement, req: RouteRequest, answers: RouteAnswer[], links: RouteLinks) {
  box.replaceChildren();
  const placeButton = (side: Side, p: RoutePlace) => {
    const b = el("button", "place");
    b.type = "button";
    b.append(el("code", "", p.label), el("span", "at", ` ${links.display(side, p.file)}:${p.line}`));
    b.setAttribute("aria-label", `${p.label}, ${p.file} line ${p.line}: show in the ${side} editor`);
    b.addEventListener("click", () => links.reveal(side, p.file, p.from, p.to));
    return b;
  };
  const rows: Row[] = [
    {
      key: "server",
      label: "Server",
      text: (a) => a.res.result?.server?.label ?? "",
      cell: (a) => {
        const s = a.res.result?.server;
        return s ? placeButton(a.side, s) : el("span", "none", a.res.error ? `error: ${a.res.error}` : "none: the connection is refused");
      },
    },
    {
      key: "match",
      label: "Chosen by",
      text: (a) => a.res.result?.serverMatch ?? "",
      cell: (a) => document.createTextNode(a.res.result?.serverMatch ? MATCH[a.res.result.serverMatch] ?? a.res.result.serverMatch : "–"),
    },
    {
      key: "location",
      label: "Location",
      text: (a) => (a.res.result?.locations ?? []).map((l) => l.label).join(" > "),
      cell: (a) => {
        const locs = a.res.result?.locations ?? [];
        if (!locs.length) return el("span", "none", a.res.result?.server ? "none (the server's own handling)" : "–");
        const wrap = el("span", "chain");
        locs.forEach((l, i) => {
          if (i) wrap.append(el("span", "sep", " › "));
          wrap.append(placeButton(a.side, l));
        });
        return wrap;
      },
    },
    {
      key: "uri",
      label: "URI as matched",
      text: (a) => a.res.result?.normalizedUri ?? "",
      cell: (a) => el("code", "", a.res.result?.normalizedUri ?? "–"),
    },
    {
      key: "notes",
      label: "Notes",
      text: (a) => (a.res.result?.notes ?? []).join("\n"),
      cell: (a) => {
        const notes = a.res.result?.notes ?? [];
        if (!notes.length) return document.createTextNode("–");
        const ul = el("ul", "notes");
        for (const n of notes) ul.append(el("li", "", n));
        return ul;
      },
    },
  ];
  const compare = answers.length > 1;
  const differs = rows.filter((r) => compare && r.text(answers[0]) !== r.text(answers[1])).map((r) => r.key);
  const head = el("p", "route-summary");
  const reqText = `${req.host}:${req.port ?? 80}${req.uri}`;
  if (compare) {
    head.dataset.differs = String(differs.length > 0);
    const main = differs.filter((k) => k === "server" || k === "location");
    head.textContent = !differs.length
      ? `Both versions serve ${reqText} the same way.`
      : main.length
        ? `Served differently: the ${main.join(" and the ")} changed for ${reqText}.`
        : `Same server and location for ${reqText}; ${differs.join(", ")} differ.`;
  } else head.textContent = `Request ${reqText}`;
  box.append(head);
  const table = el("table", "route-table");
  const cols = el("colgroup");
  cols.append(el("col", "rowhead"), ...answers.map(() => el("col")));
  table.append(cols);
  if (compare) {
    const tr = el("tr");
    tr.append(el("td"));
    for (const a of answers) {
      const th = el("th", "", a.side === "before" ? "Before" : "After");
      th.scope = "col";
      tr.append(th);
    }
    const thead = el("thead");
    thead.append(tr);
    table.append(thead);
  }
  const tbody = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    tr.dataset.row = r.key;
    const d = differs.includes(r.key);
    if (d) tr.className = "differs";
    const th = el("th", "", r.label);
    th.scope = "row";
    if (d) th.append(el("span", "diff-mark", " ≠"), el("span", "sr-only", " (differs)"));
    tr.append(th);
    for (const a of answers) {
      const td = el("td");
      td.dataset.side = a.side;
      td.append(r.cell(a));
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(tbody);
  box.append(table);
}
