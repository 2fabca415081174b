// The playground's state in the URL hash, so a link reproduces it: mode, options, route request
// and every file of both sides.
//
//   #m=compare&v=1.22&p=openresty&ctx=http,server&env=0&t=1.22,latest&r=SEC001:off,security:info
//    &host=example.com&uri=/api/&port=8080&addr=10.0.0.1&cfg=z.<base64url(deflate-raw(JSON))>
//
// `cfg` holds {"a": [[path, text], ...], "b": [[path, text], ...]} (after / the linted files, and
// before in compare mode); `b.` instead of `z.` means not compressed (no CompressionStream).
// Options at their defaults are left out. Links of the first version, `code=z.<one file>`, still
// open.

import type { RouteRequest, SourceFile } from "./api";
import { MAIN } from "./workspace";
import type { NginxVersion, PlaygroundOptions, RuleLevel } from "./worker-protocol";

export type Mode = "lint" | "compare";

export interface SharedState {
  mode: Mode;
  /** The files linted, or the after side when comparing. */
  after: SourceFile[];
  /** The before side (compare mode). */
  before: SourceFile[] | null;
  options: PlaygroundOptions;
  route: RouteRequest;
  /** Read from a link of the first version (`code=`: one text). */
  legacy?: boolean;
}

export const DEFAULT_OPTIONS: PlaygroundOptions = {
  nginxVersion: "latest",
  profile: "debian",
  context: "",
  includesFromEnvironment: true,
  targets: [],
  rules: {},
};

export const DEFAULT_ROUTE: RouteRequest = { host: "example.com", uri: "/", port: 80 };

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

async function pack(text: string): Promise<string> {
  const raw = new TextEncoder().encode(text);
  if (typeof CompressionStream !== "undefined") return "z." + toBase64Url(await pipe(raw, new CompressionStream("deflate-raw")));
  return "b." + toBase64Url(raw);
}

async function unpack(code: string): Promise<string | null> {
  try {
    const [kind, data] = [code.slice(0, 2), code.slice(2)];
    const bytes = fromBase64Url(data);
    if (kind === "z.") return new TextDecoder().decode(await pipe(bytes, new DecompressionStream("deflate-raw")));
    if (kind === "b.") return new TextDecoder().decode(bytes);
  } catch {
    /* not ours */
  }
  return null;
}

const VERSIONS = ["1.22", "latest"] as const;
const PROFILES = ["debian", "openresty", "plain", "all"] as const;
const LEVELS = ["warning", "info", "off"] as const;

export async function encodeState(state: SharedState): Promise<string> {
  const params = new URLSearchParams();
  const o = state.options;
  if (state.mode === "compare") params.set("m", "compare");
  if (o.nginxVersion !== DEFAULT_OPTIONS.nginxVersion) params.set("v", o.nginxVersion);
  if (o.profile !== DEFAULT_OPTIONS.profile) params.set("p", o.profile);
  if (o.context !== DEFAULT_OPTIONS.context) params.set("ctx", o.context);
  if (o.includesFromEnvironment !== DEFAULT_OPTIONS.includesFromEnvironment) params.set("env", o.includesFromEnvironment ? "1" : "0");
  if (o.targets.length) params.set("t", o.targets.join(","));
  const rules = Object.entries(o.rules);
  if (rules.length) params.set("r", rules.map(([k, v]) => `${k}:${v}`).join(","));
  const r = state.route;
  if (r.host !== DEFAULT_ROUTE.host) params.set("host", r.host);
  if (r.uri !== DEFAULT_ROUTE.uri) params.set("uri", r.uri);
  if ((r.port ?? 80) !== DEFAULT_ROUTE.port) params.set("port", String(r.port ?? 80));
  if (r.addr) params.set("addr", r.addr);
  const files = (list: SourceFile[]) => list.map((f) => [f.path, f.text]);
  const cfg: { a: string[][]; b?: string[][] } = { a: files(state.after) };
  if (state.mode === "compare" && state.before) cfg.b = files(state.before);
  const head = params.toString();
  // base64url needs no escaping; `cfg` goes last so the options stay readable.
  return (head ? head + "&" : "") + "cfg=" + (await pack(JSON.stringify(cfg)));
}

function readFiles(v: unknown): SourceFile[] | null {
  if (!Array.isArray(v)) return null;
  const out: SourceFile[] = [];
  for (const e of v) {
    if (!Array.isArray(e) || typeof e[0] !== "string" || typeof e[1] !== "string") return null;
    out.push({ path: e[0], text: e[1] });
  }
  return out.length ? out : null;
}

/** The state a hash holds, or null if it holds none (or cannot be read). */
export async function decodeState(hash: string): Promise<SharedState | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  let after: SourceFile[] | null = null;
  let before: SourceFile[] | null = null;
  const cfg = params.get("cfg");
  const code = params.get("code");
  if (cfg) {
    const json = await unpack(cfg);
    if (json === null) return null;
    try {
      const v = JSON.parse(json) as { a?: unknown; b?: unknown };
      after = readFiles(v.a);
      before = v.b === undefined ? null : readFiles(v.b);
    } catch {
      return null;
    }
  } else if (code) {
    const text = await unpack(code);
    if (text !== null) after = [{ path: MAIN, text }];
  }
  if (!after) return null;
  const pick = <T extends string>(v: string | null, allowed: readonly T[], dflt: T): T => ((allowed as readonly string[]).includes(v ?? "") ? (v as T) : dflt);
  const env = params.get("env");
  const rules: Record<string, RuleLevel> = {};
  for (const item of (params.get("r") ?? "").split(",")) {
    const [sel, level] = item.split(":");
    if (sel && (LEVELS as readonly string[]).includes(level)) rules[sel] = level as RuleLevel;
  }
  const targets = (params.get("t") ?? "").split(",").filter((t): t is NginxVersion => (VERSIONS as readonly string[]).includes(t));
  const options: PlaygroundOptions = {
    nginxVersion: pick(params.get("v"), VERSIONS, DEFAULT_OPTIONS.nginxVersion),
    profile: pick(params.get("p"), PROFILES, DEFAULT_OPTIONS.profile),
    context: params.get("ctx") ?? DEFAULT_OPTIONS.context,
    includesFromEnvironment: env === null ? DEFAULT_OPTIONS.includesFromEnvironment : env === "1",
    targets: [...new Set(targets)],
    rules,
  };
  const port = Number(params.get("port") ?? DEFAULT_ROUTE.port);
  const route: RouteRequest = {
    host: params.get("host") ?? DEFAULT_ROUTE.host,
    uri: params.get("uri") ?? DEFAULT_ROUTE.uri,
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 80,
    ...(params.get("addr") ? { addr: params.get("addr")! } : {}),
  };
  const mode: Mode = params.get("m") === "compare" ? "compare" : "lint";
  return { mode, after, before: mode === "compare" ? (before ?? after.map((f) => ({ ...f }))) : before, options, route, legacy: !cfg };
}
