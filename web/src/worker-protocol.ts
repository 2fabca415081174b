// Messages between the page and the analysis engine (a Web Worker, or the same code on the page).

import type { AnalyzeOptions, Diagnostic, FormatResult, RuleInfo } from "./api";

export interface PlaygroundOptions {
  nginxVersion: "1.22" | "latest";
  profile: "debian" | "openresty" | "plain" | "all";
  /** "" for a whole configuration, else the enclosing blocks, e.g. "http,server". */
  context: string;
  includesFromEnvironment: boolean;
}

export function analyzeOptions(o: PlaygroundOptions, main: string): AnalyzeOptions {
  return {
    main,
    nginxVersion: o.nginxVersion,
    profile: o.profile,
    context: o.context ? o.context.split(",") : [],
    includesFromEnvironment: o.includesFromEnvironment,
  };
}

/** A diagnostic with its place in the editor (UTF-16 offsets into the editor text), if it has one. */
export interface PlacedDiagnostic extends Diagnostic {
  at: { from: number; to: number; line: number; column: number } | null;
}

export type Request =
  | { id: number; kind: "init" }
  | { id: number; kind: "analyze"; text: string; options: PlaygroundOptions }
  | { id: number; kind: "parse"; text: string; options: PlaygroundOptions }
  | { id: number; kind: "format"; text: string };

export interface InitResponse { version: string; rules: RuleInfo[] }

export interface AnalyzeResponse {
  diagnostics: PlacedDiagnostic[];
  files: string[];
  errors: number;
  warnings: number;
  infos: number;
  /** Paths of the files an `nginx -T` dump held, null when the text is a single file. */
  dumpFiles: string[] | null;
  /** Time spent in wasm (split + analyze), ms. */
  ms: number;
}

/** The parse tree and the crossplane payload as indented JSON (cut at JSON_LIMIT characters). */
export interface ParseResponse { tree: string; crossplane: string; ms: number }

export const JSON_LIMIT = 1_000_000;

export type Response =
  | { id: number; ok: true; value: InitResponse | AnalyzeResponse | ParseResponse | FormatResult }
  | { id: number; ok: false; error: string };
