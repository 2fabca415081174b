// Messages between the page and the analysis engine (a Web Worker, or the same code on the page).

import type {
  AnalyzeOptions,
  AnalyzeResult,
  CompareOptions,
  CompareResult,
  FormatResult,
  RouteRequest,
  RiskRuleInfo,
  RouteResult,
  RuleInfo,
  SourceFile,
} from "./api";

export type NginxVersion = "1.22" | "latest";
export type RuleLevel = "warning" | "info" | "off";

export interface PlaygroundOptions {
  nginxVersion: NginxVersion;
  profile: "debian" | "openresty" | "plain" | "all";
  /** "" for a whole configuration, else the enclosing blocks, e.g. "http,server". */
  context: string;
  includesFromEnvironment: boolean;
  /** Compare mode: the nginx versions the fleet runs (the new configuration must load on each);
   * empty = the version above only. */
  targets: NginxVersion[];
  /** Severity overrides by rule code or code prefix ("SEC", "SEC003"); the longest selector wins. */
  rules: Record<string, RuleLevel>;
}

export function analyzeOptions(o: PlaygroundOptions): AnalyzeOptions {
  const severity = Object.entries(o.rules).map(([sel, level]) => [sel, level] as [string, RuleLevel]);
  return {
    nginxVersion: o.nginxVersion,
    profile: o.profile,
    context: o.context ? o.context.split(",") : [],
    includesFromEnvironment: o.includesFromEnvironment,
    ...(severity.length ? { rules: { severity } } : {}),
  };
}

export function compareOptions(o: PlaygroundOptions): CompareOptions {
  return { options: analyzeOptions(o), policy: o.targets.length ? { targets: [...o.targets] } : {} };
}

export type Request =
  | { id: number; kind: "init" }
  | { id: number; kind: "analyze"; files: SourceFile[]; options: PlaygroundOptions }
  | { id: number; kind: "compare"; before: SourceFile[]; after: SourceFile[]; options: PlaygroundOptions }
  | { id: number; kind: "route"; files: SourceFile[]; request: RouteRequest; options: PlaygroundOptions }
  | { id: number; kind: "split"; text: string }
  | { id: number; kind: "parse"; text: string; options: PlaygroundOptions }
  | { id: number; kind: "format"; text: string };

export interface InitResponse { version: string; rules: RuleInfo[]; riskRules: RiskRuleInfo[] }

export interface AnalyzeResponse extends AnalyzeResult {
  /** Time spent in wasm, ms. */
  ms: number;
}

export interface CompareResponse extends CompareResult {
  ms: number;
}

export interface RouteResponse {
  result: RouteResult | null;
  /** Why there is no result (bad request, no files). */
  error: string | null;
  ms: number;
}

/** The files of an `nginx -T` dump, or null when the text is not one. */
export interface SplitResponse { files: SourceFile[] | null }

/** The parse tree and the crossplane payload as indented JSON (cut at JSON_LIMIT characters). */
export interface ParseResponse { tree: string; crossplane: string; ms: number }

export const JSON_LIMIT = 1_000_000;

export type Response =
  | { id: number; ok: true; value: InitResponse | AnalyzeResponse | CompareResponse | RouteResponse | SplitResponse | ParseResponse | FormatResult }
  | { id: number; ok: false; error: string };
