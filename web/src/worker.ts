// The analysis engine: wasm + request handling. Bundled on its own (with the wasm inlined) and
// started as a Web Worker from a Blob URL; if the browser refuses the worker, the page runs the
// same bundle in a <script> and calls `globalThis.__ngxlintEngine` directly.

import init, * as wasmModule from "../pkg/ngxlint_wasm.js";
import wasmBytes from "../pkg/ngxlint_wasm_bg.wasm";
import type { Diagnostic, SourceFile, Wasm } from "./api";
import { locateParts, type DumpPart } from "./dump";
import {
  analyzeOptions,
  JSON_LIMIT,
  type AnalyzeResponse,
  type InitResponse,
  type ParseResponse,
  type PlacedDiagnostic,
  type Request,
  type Response,
} from "./worker-protocol";

const wasm = wasmModule as unknown as Wasm;
const MAIN = "/etc/nginx/nginx.conf";

let ready: Promise<unknown> | null = null;
function start(): Promise<unknown> {
  ready ??= init({ module_or_path: wasmBytes });
  return ready;
}

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}

function place(d: Diagnostic, parts: Map<string, DumpPart> | null, text: string): PlacedDiagnostic {
  if (!parts) {
    return { ...d, at: { from: Math.min(d.from, text.length), to: Math.min(d.to, text.length), line: d.line, column: d.column } };
  }
  const p = parts.get(d.file);
  if (!p) return { ...d, at: null };
  const from = p.offset + Math.min(d.from, p.length);
  const to = p.offset + Math.min(d.to, p.length);
  return { ...d, at: { from, to, line: p.line + d.line, column: d.column } };
}

function analyze(text: string, req: Extract<Request, { kind: "analyze" }>): AnalyzeResponse {
  const t0 = now();
  const split = wasm.splitDump(text);
  let files: SourceFile[];
  let parts: Map<string, DumpPart> | null = null;
  if (split && split.length > 0) {
    files = split;
    parts = new Map();
    locateParts(text, split).forEach((p) => p && parts!.set(p.path, p));
  } else {
    files = [{ path: MAIN, text }];
  }
  const result = wasm.analyze(files, analyzeOptions(req.options, files[0].path));
  const ms = now() - t0;
  const out: AnalyzeResponse = {
    diagnostics: result.diagnostics.map((d) => place(d, parts, text)),
    files: result.files,
    errors: result.errors,
    warnings: result.warnings,
    infos: result.infos,
    dumpFiles: split ? split.map((f) => f.path) : null,
    ms,
  };
  return out;
}

function json(value: unknown): string {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return text.length > JSON_LIMIT ? text.slice(0, JSON_LIMIT) + `\n… cut at ${JSON_LIMIT} characters` : text;
}

function parse(text: string, req: Extract<Request, { kind: "parse" }>): ParseResponse {
  const t0 = now();
  const context = req.options.context ? req.options.context.split(",") : [];
  const split = wasm.splitDump(text);
  if (split && split.length > 0) {
    // One parse per file of the dump; the crossplane payload gathers their entries.
    const each = split.map((f, i) => ({ path: f.path, result: wasm.parse(f.text, { context: i === 0 ? context : [] }) }));
    const config = each.flatMap((e) => {
      const cp = e.result.crossplane as { config?: { file: string; status?: string }[] };
      return (cp.config ?? []).map((c) => ({ ...c, file: e.path }));
    });
    const errors = each.flatMap((e) =>
      ((e.result.crossplane as { errors?: { file: string }[] }).errors ?? []).map((x) => ({ ...x, file: e.path })),
    );
    const crossplane = { status: config.some((c) => c.status === "failed") ? "failed" : "ok", errors, config };
    const tree = { files: each.map((e) => ({ path: e.path, tree: e.result.tree })) };
    return { tree: json(tree), crossplane: json(crossplane), ms: now() - t0 };
  }
  const r = wasm.parse(text, { context });
  return { tree: json(r.tree), crossplane: json(r.crossplane), ms: now() - t0 };
}

async function handle(req: Request): Promise<Response> {
  try {
    await start();
    switch (req.kind) {
      case "init": {
        const value: InitResponse = { version: wasm.version(), rules: wasm.rules() };
        return { id: req.id, ok: true, value };
      }
      case "analyze":
        return { id: req.id, ok: true, value: analyze(req.text, req) };
      case "parse":
        return { id: req.id, ok: true, value: parse(req.text, req) };
      case "format":
        return { id: req.id, ok: true, value: wasm.format(req.text, { indent: 4 }) };
    }
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { id: (req as Request).id, ok: false, error };
  }
}

export interface Engine {
  handle(req: Request): Promise<Response>;
}

declare const WorkerGlobalScope: { new (): unknown } | undefined;
const inWorker = typeof WorkerGlobalScope !== "undefined" && typeof document === "undefined";
if (inWorker) {
  const scope = self as unknown as { onmessage: (e: MessageEvent<Request>) => void; postMessage(r: Response): void };
  scope.onmessage = (e) => {
    void handle(e.data).then((r) => scope.postMessage(r));
  };
  void start();
} else {
  (globalThis as unknown as { __ngxlintEngine: Engine }).__ngxlintEngine = { handle };
}
