// The analysis engine: wasm + request handling. Bundled on its own (with the wasm inlined) and
// started as a Web Worker from a Blob URL; if the browser refuses the worker, the page runs the
// same bundle in a <script> and calls `globalThis.__ngxlintEngine` directly.

import init, * as wasmModule from "../pkg/ngxlint_wasm.js";
import wasmBytes from "../pkg/ngxlint_wasm_bg.wasm";
import type { Wasm } from "./api";
import {
  analyzeOptions,
  compareOptions,
  JSON_LIMIT,
  type AnalyzeResponse,
  type CompareResponse,
  type InitResponse,
  type ParseResponse,
  type Request,
  type Response,
  type RouteResponse,
} from "./worker-protocol";

const wasm = wasmModule as unknown as Wasm;

let ready: Promise<unknown> | null = null;
function start(): Promise<unknown> {
  ready ??= init({ module_or_path: wasmBytes });
  return ready;
}

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}

function analyze(req: Extract<Request, { kind: "analyze" }>): AnalyzeResponse {
  const t0 = now();
  const result = wasm.analyze(req.files, analyzeOptions(req.options));
  return { ...result, ms: now() - t0 };
}

function compare(req: Extract<Request, { kind: "compare" }>): CompareResponse {
  const t0 = now();
  const result = wasm.compare(req.before, req.after, compareOptions(req.options));
  return { ...result, ms: now() - t0 };
}

function route(req: Extract<Request, { kind: "route" }>): RouteResponse {
  const t0 = now();
  if (req.files.length === 0) return { result: null, error: "no files", ms: 0 };
  try {
    const result = wasm.route(req.files, req.request, analyzeOptions(req.options));
    return { result, error: null, ms: now() - t0 };
  } catch (e) {
    return { result: null, error: e instanceof Error ? e.message : String(e), ms: now() - t0 };
  }
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
        const value: InitResponse = { version: wasm.version(), rules: wasm.rules(), riskRules: wasm.riskRules() };
        return { id: req.id, ok: true, value };
      }
      case "analyze":
        return { id: req.id, ok: true, value: analyze(req) };
      case "compare":
        return { id: req.id, ok: true, value: compare(req) };
      case "route":
        return { id: req.id, ok: true, value: route(req) };
      case "split": {
        const files = wasm.splitDump(req.text);
        return { id: req.id, ok: true, value: { files: files && files.length ? files : null } };
      }
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
