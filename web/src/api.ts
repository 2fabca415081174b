// The ngxlint wasm JS API, as the playground uses it: the types wasm-bindgen generates from
// wasm/src/lib.rs (web/pkg is built by `npm run build` before the type check), so the page
// cannot drift from the binding.

import type * as pkg from "../pkg/ngxlint_wasm";

export type {
  AnalyzeOptions,
  AnalyzeResult,
  Change,
  CompareOptions,
  CompareResult,
  Diagnostic,
  FormatOptions,
  FormatResult,
  Label,
  ParseOptions,
  ParseResult,
  Place,
  RiskFinding,
  RiskLevel,
  RiskPolicy,
  RiskReport,
  RiskRuleInfo,
  RoutePlace,
  RouteRequest,
  RouteResult,
  RuleInfo,
  Severity,
  SourceFile,
} from "../pkg/ngxlint_wasm";

/** What the wasm module exports (ngxlint_wasm.js) and the playground calls. */
export type Wasm = Pick<typeof pkg, "version" | "analyze" | "parse" | "format" | "rules" | "splitDump" | "compare" | "route" | "riskRules">;
