//! JavaScript binding of ngxlint: thin exports over `ngxlint::api`, no logic of its own.
//! Plain JS objects in and out (serde-wasm-bindgen); positions are UTF-16 based, as editors
//! expect. Bad options throw an `Error`; problems in the config come back as diagnostics.

use ngxlint::api;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
export interface SourceFile { path: string; text: string }
export interface AnalyzeOptions {
  /** Path of the main file (default: the first file). */
  main?: string;
  /** Read the main file as if included inside these blocks, e.g. ["http", "server"]. */
  context?: string[];
  nginxVersion?: "1.22" | "latest";
  profile?: "debian" | "openresty" | "plain" | "all";
  /** Extra modules: module or package names, or a load_module .so path. */
  modules?: string[];
  /** Directory relative includes resolve against (default: the main file's directory). */
  prefix?: string;
  /** Includes not among the files are notes, not errors. */
  includesFromEnvironment?: boolean;
  /** Rules: codes, prefixes (e.g. "SEC") or names; severity overrides as [selector, "warning" | "info" | "off"]. */
  rules?: { select?: string[]; ignore?: string[]; severity?: [string, "warning" | "info" | "off"][] };
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
  line: number; column: number; endLine: number; endColumn: number;
  /** UTF-16 offsets in the file (CodeMirror/Monaco positions). */
  from: number; to: number;
  byteStart: number; byteEnd: number;
  labels: Label[];
}
export interface AnalyzeResult { diagnostics: Diagnostic[]; files: string[]; errors: number; warnings: number; infos: number }
export interface ParseOptions { includeComments?: boolean; context?: string[] }
export interface CrossplaneStatement { directive: string; line: number; args: string[]; includes?: number[]; block?: CrossplaneStatement[]; comment?: string }
export interface CrossplanePayload {
  status: "ok" | "failed";
  errors: { file: string; line: number | null; error: string }[];
  config: { file: string; status: "ok" | "failed"; errors: { error: string; line: number | null }[]; parsed: CrossplaneStatement[] }[];
}
export interface ParseResult { tree: { version: number; files: unknown[] }; crossplane: CrossplanePayload; diagnostics: Diagnostic[] }
export interface FormatOptions { indent?: number }
export interface FormatResult { formatted: string | null; changed: boolean; diagnostics: Diagnostic[] }
export interface RouteRequest { host: string; uri: string; port?: number; addr?: string }
export interface RoutePlace { label: string; file: string; line: number; column: number; from: number; to: number }
export interface RouteResult {
  server: RoutePlace | null;
  serverMatch: "exact_name" | "wildcard_prefix" | "wildcard_suffix" | "regex" | "default_server" | null;
  /** Matched locations, outermost first. */
  locations: RoutePlace[];
  normalizedUri: string;
  notes: string[];
}
/** Risk policy: everything is optional; defaults follow RISK.md. */
export interface RiskPolicy {
  thresholds?: { medium?: number; high?: number; critical?: number };
  tiers?: { fatal?: number; traffic_loss?: number; behaviour?: number; limits?: number; hardening?: number; observability?: number; additive?: number; unclassified?: number };
  /** Per risk rule (name or code): switch off (not fatal ones) or change its base points. */
  rules?: Record<string, { enabled?: boolean; points?: number }>;
  /** nginx versions the fleet runs: the new configuration must load on each. */
  targets?: ("1.22" | "latest")[];
  /** Relative traffic per server name; unlisted servers weigh 1. */
  traffic?: Record<string, number>;
}
export interface CompareOptions { options?: AnalyzeOptions; policy?: RiskPolicy }
export type RiskLevel = "low" | "medium" | "high" | "critical";
export interface Place { file: string; line: number; column: number; end_line: number; end_column: number; offset: number; end_offset: number; offset_utf16: number; end_offset_utf16: number }
export interface RiskFinding {
  rule: string; code: string;
  category: "availability" | "routing" | "security" | "tls" | "performance" | "observability";
  tier: "fatal" | "traffic-loss" | "behaviour" | "limits" | "hardening" | "observability" | "additive" | "unclassified";
  level: RiskLevel; score: number; message: string; path: string;
  base: number; modifiers: { reason: string; factor: number }[];
  blast_radius: { share: number; factor: number; scope: string };
  confidence: number; explanation: string; verify: string;
  change?: number; before_at?: Place; after_at?: Place;
}
export interface Change {
  kind: "added" | "removed" | "modified" | "reordered";
  path: string; scope: string[];
  level: "main" | "events" | "http" | "upstream" | "server" | "location" | "stream" | "mail" | "other";
  directive: string; block: boolean;
  before: string[] | null; after: string[] | null;
  before_origin: "explicit" | "inherited" | "default" | "unset"; after_origin: "explicit" | "inherited" | "default" | "unset";
  location?: string[]; detail?: string;
  entries?: { before: number; after: number; added: number; removed: number; changed: number; regex_reordered: boolean };
  before_at?: Place; after_at?: Place;
}
/** A diagnostic in the JSON contract of `ngxlint check --format json` (snake_case). */
export interface JsonDiagnostic {
  code: string; rule: string; severity: Severity; message: string; file: string;
  line: number; column: number; end_line: number; end_column: number; offset: number; end_offset: number;
  column_utf16: number; end_column_utf16: number; offset_utf16: number; end_offset_utf16: number;
  help?: string; labels?: { message: string; file: string; line: number; column: number; end_line: number; end_column: number }[];
}
/** The JSON contract of `ngxlint diff --format json` (version 1). */
export interface RiskReport {
  version: 1; score: number; level: RiskLevel;
  recommendation: "ship" | "stage-first" | "canary" | "block"; advice: string; blocking: boolean;
  findings: RiskFinding[]; changes: Change[]; not_checked: string[];
  /** The level thresholds of the policy in force. */
  thresholds: { medium: number; high: number; critical: number };
  before: { errors: number; warnings: number; first_error: JsonDiagnostic | null };
  after: { errors: number; warnings: number; first_error: JsonDiagnostic | null };
}
export interface CompareResult { report: RiskReport; before: AnalyzeResult; after: AnalyzeResult }
export interface RiskRuleInfo { code: string; name: string; category: RiskFinding["category"]; tier: RiskFinding["tier"]; points: number; summary: string; docs: string }
export interface RuleInfo { code: string; name: string; category: string; severity: Severity; summary: string; docs: string }
"#;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // Maps as plain objects, so results look like JSON.parse output.
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true).serialize_missing_as_null(true);
    value.serialize(&ser).map_err(|e| JsError::new(&e.to_string()))
}

fn options<T: serde::de::DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    required(value, what)
}

fn required<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsError> {
    // Through a JSON value so every key is seen: a misspelt option throws instead of being ignored.
    let json: serde_json::Value =
        serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("invalid {what}: {e}")))?;
    serde_json::from_value(json).map_err(|e| JsError::new(&format!("invalid {what}: {e}")))
}

/// The ngxlint version.
#[wasm_bindgen]
pub fn version() -> String {
    ngxlint::version().to_string()
}

/// Analyses a configuration made of in-memory files: syntax, includes, and what `nginx -t`
/// would reject.
#[wasm_bindgen(unchecked_return_type = "AnalyzeResult")]
pub fn analyze(
    #[wasm_bindgen(unchecked_param_type = "SourceFile[]")] files: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AnalyzeOptions | undefined")] options_: JsValue,
) -> Result<JsValue, JsError> {
    let files: Vec<api::SourceFile> =
        serde_wasm_bindgen::from_value(files).map_err(|e| JsError::new(&format!("invalid files: {e}")))?;
    let opts: api::AnalyzeOptions = options(options_, "options")?;
    to_js(&api::analyze(&files, &opts).map_err(|e| JsError::new(&e))?)
}

/// Parses one text: the full tree, the crossplane-compatible payload and syntax diagnostics.
#[wasm_bindgen(unchecked_return_type = "ParseResult")]
pub fn parse(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "ParseOptions | undefined")] options_: JsValue,
) -> Result<JsValue, JsError> {
    let opts: api::ParseOptions = options(options_, "options")?;
    to_js(&api::parse(text, &opts).map_err(|e| JsError::new(&e))?)
}

/// Formats one text; `formatted` is null when it has syntax errors.
#[wasm_bindgen(unchecked_return_type = "FormatResult")]
pub fn format(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "FormatOptions | undefined")] options_: JsValue,
) -> Result<JsValue, JsError> {
    let opts: api::FormatOptions = options(options_, "options")?;
    to_js(&api::format(text, &opts).map_err(|e| JsError::new(&e))?)
}

/// Which server and location nginx would pick for a request (host, URI, port, local address).
#[wasm_bindgen(unchecked_return_type = "RouteResult")]
pub fn route(
    #[wasm_bindgen(unchecked_param_type = "SourceFile[]")] files: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RouteRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AnalyzeOptions | undefined")] options_: JsValue,
) -> Result<JsValue, JsError> {
    let files: Vec<api::SourceFile> =
        serde_wasm_bindgen::from_value(files).map_err(|e| JsError::new(&format!("invalid files: {e}")))?;
    let request: api::RouteRequest = required(request, "request")?;
    let opts: api::AnalyzeOptions = options(options_, "options")?;
    to_js(&api::route(&files, &opts, &request).map_err(|e| JsError::new(&e))?)
}

/// Compares two configurations: the semantic diff, the risk score with its findings, and each
/// side's diagnostics.
#[wasm_bindgen(unchecked_return_type = "CompareResult")]
pub fn compare(
    #[wasm_bindgen(unchecked_param_type = "SourceFile[]")] before: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SourceFile[]")] after: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CompareOptions | undefined")] options_: JsValue,
) -> Result<JsValue, JsError> {
    let before: Vec<api::SourceFile> =
        serde_wasm_bindgen::from_value(before).map_err(|e| JsError::new(&format!("invalid before files: {e}")))?;
    let after: Vec<api::SourceFile> =
        serde_wasm_bindgen::from_value(after).map_err(|e| JsError::new(&format!("invalid after files: {e}")))?;
    let opts: api::CompareOptions = options(options_, "options")?;
    to_js(&api::compare(&before, &after, &opts).map_err(|e| JsError::new(&e))?)
}

/// Every change-risk rule (RSK codes) with its documentation.
#[wasm_bindgen(js_name = riskRules, unchecked_return_type = "RiskRuleInfo[]")]
pub fn risk_rules() -> Result<JsValue, JsError> {
    to_js(&api::risk_rules())
}

/// Every diagnostic code and rule with its documentation.
#[wasm_bindgen(unchecked_return_type = "RuleInfo[]")]
pub fn rules() -> Result<JsValue, JsError> {
    to_js(&api::rules())
}

/// Splits `nginx -T` output into its files; null when the text is not such a dump.
#[wasm_bindgen(js_name = splitDump, unchecked_return_type = "SourceFile[] | null")]
pub fn split_dump(text: &str) -> Result<JsValue, JsError> {
    to_js(&api::split_dump(text))
}
