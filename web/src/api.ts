// The ngxlint wasm JS API, as the playground uses it (the contract of wasm/src/lib.rs).

export interface SourceFile { path: string; text: string }

export interface AnalyzeOptions {
  main?: string;
  context?: string[];
  nginxVersion?: "1.22" | "latest";
  profile?: "debian" | "openresty" | "plain" | "all";
  modules?: string[];
  prefix?: string;
  includesFromEnvironment?: boolean;
}

export type Severity = "error" | "warning" | "info";

export interface Label { message: string; file: string; from: number; to: number; line: number; column: number }

export interface Diagnostic {
  code: string;
  rule: string;
  severity: Severity;
  message: string;
  help?: string;
  file: string;
  /** 1-based; columns in UTF-16 code units. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** UTF-16 offsets in the file. */
  from: number;
  to: number;
  byteStart: number;
  byteEnd: number;
  labels: Label[];
}

export interface AnalyzeResult { diagnostics: Diagnostic[]; files: string[]; errors: number; warnings: number; infos: number }
export interface ParseOptions { includeComments?: boolean; context?: string[] }
export interface ParseResult { tree: unknown; crossplane: unknown; diagnostics: Diagnostic[] }
export interface FormatOptions { indent?: number }
export interface FormatResult { formatted: string | null; changed: boolean; diagnostics: Diagnostic[] }
export interface RuleInfo { code: string; name: string; severity: string; summary: string; docs: string }

/** What the wasm module exports (ngxlint_wasm.js). */
export interface Wasm {
  version(): string;
  analyze(files: SourceFile[], options?: AnalyzeOptions): AnalyzeResult;
  parse(text: string, options?: ParseOptions): ParseResult;
  format(text: string, options?: FormatOptions): FormatResult;
  rules(): RuleInfo[];
  splitDump(text: string): SourceFile[] | null;
}
