// Development stand-in for the wasm-bindgen output of ngxlint-wasm (same exports, toy analysis).
// Used only by `node build.mjs --stub`, before the real package can be built (compare and route
// answer with a fixed, empty result).
const KNOWN = new Set(["events", "http", "server", "location", "listen", "server_name", "root", "index",
  "worker_processes", "worker_connections", "include", "default_type", "sendfile", "keepalive_timeout",
  "proxy_pass", "proxy_set_header", "return", "error_log", "access_log", "user", "pid", "upstream",
  "try_files", "gzip", "ssl_certificate", "ssl_certificate_key", "add_header", "types", "alias"]);

export default async function init() { return {}; }
export function initSync() { return {}; }
export function version() { return "0.0.0-stub"; }
export function rules() {
  return [{ code: "E0001", name: "syntax", severity: "error", summary: "Syntax errors", docs: "Stub." },
          { code: "E0101", name: "unknown-directive", severity: "error", summary: "Unknown directive", docs: "Stub." }];
}

function pos(text, off) {
  let line = 1, col = 1;
  for (let i = 0; i < off; i++) { if (text[i] === "\n") { line++; col = 1; } else col++; }
  return { line, column: col };
}
function diag(file, text, from, to, code, rule, message, help) {
  const a = pos(text, from), b = pos(text, to);
  return { code, rule, severity: "error", message, help, file, line: a.line, column: a.column,
    endLine: b.line, endColumn: b.column, from, to, byteStart: from, byteEnd: to, labels: [] };
}
function lint(file, text) {
  const out = [];
  const re = /#[^\n]*|[{};]|[^\s{};#]+/g;
  let depth = 0, start = true, m;
  while ((m = re.exec(text))) {
    const t = m[0];
    if (t[0] === "#") continue;
    if (t === "{") { depth++; start = true; continue; }
    if (t === ";") { start = true; continue; }
    if (t === "}") {
      if (depth === 0) out.push(diag(file, text, m.index, m.index + 1, "E0001", "syntax", 'unexpected "}"'));
      else depth--;
      start = true; continue;
    }
    if (start && !KNOWN.has(t)) out.push(diag(file, text, m.index, m.index + t.length, "E0101", "unknown-directive", `unknown directive "${t}"`, "check the spelling"));
    start = false;
  }
  if (depth > 0) out.push(diag(file, text, text.length, text.length, "E0001", "syntax", 'unexpected end of file, expecting "}"'));
  return out;
}
export function analyze(files, options = {}) {
  if (!Array.isArray(files)) throw new Error("analyze: files must be an array of {path, text}");
  if (options.nginxVersion && !["1.22", "latest"].includes(options.nginxVersion)) throw new Error(`unknown nginxVersion ${options.nginxVersion}`);
  const diagnostics = files.flatMap((f) => lint(f.path, f.text));
  const count = (s) => diagnostics.filter((d) => d.severity === s).length;
  return { diagnostics, files: files.map((f) => f.path), errors: count("error"), warnings: count("warning"), infos: count("info") };
}
export function parse(text) {
  return { tree: { stub: true, length: text.length }, crossplane: { status: "ok", errors: [], config: [] }, diagnostics: lint("<input>", text) };
}
export function format(text) {
  const d = lint("<input>", text);
  if (d.length && d.some((x) => x.rule === "syntax")) return { formatted: null, changed: false, diagnostics: d };
  const formatted = text.split("\n").map((l) => l.trim()).join("\n");
  return { formatted, changed: formatted !== text, diagnostics: d };
}
export function splitDump(text) {
  const lines = text.split("\n");
  const files = [];
  let cur = null;
  for (const l of lines) {
    const m = /^# configuration file (.*):\r?$/.exec(l);
    if (m) { cur = { path: m[1], lines: [] }; files.push(cur); } else if (cur) cur.lines.push(l);
  }
  if (!files.length) return null;
  return files.map((f) => { let t = f.lines.join("\n"); if (t.endsWith("\n")) t = t.slice(0, -1); return { path: f.path, text: t }; });
}
export function route(files, request) {
  if (!Array.isArray(files) || !request || typeof request.host !== "string") throw new Error("route: files and {host, uri} are required");
  return { server: null, serverMatch: null, locations: [], normalizedUri: request.uri, notes: ["stub: no routing"] };
}
export function compare(before, after, options = {}) {
  const a = analyze(before, options.options), b = analyze(after, options.options);
  const same = JSON.stringify(before) === JSON.stringify(after);
  const side = (r) => ({ errors: r.errors, warnings: r.warnings, first_error: null });
  const report = {
    version: 1, score: same ? 0 : 10, level: "low", recommendation: "ship", blocking: false,
    advice: "ship: stub advice", findings: [], not_checked: ["stub: nothing is checked"],
    changes: same ? [] : [{ kind: "modified", path: "stub", scope: [], level: "main", directive: "stub", block: false,
      before: null, after: null, before_origin: "unset", after_origin: "unset" }],
    before: side(a), after: side(b),
  };
  return { report, before: a, after: b };
}
export function riskRules() {
  return [{ code: "RSK000", name: "stub-risk", category: "availability", tier: "unclassified", points: 0, docs: "Stub." }];
}
