// The playground's state in the URL hash, so a link reproduces it:
//   #v=1.22&p=debian&ctx=http,server&env=0&code=z.<base64url(deflate-raw(utf-8 text))>
// (`code=b.<base64url(utf-8)>` where CompressionStream is missing.) Options at their defaults
// are left out.

import type { PlaygroundOptions } from "./worker-protocol";

export interface SharedState {
  text: string;
  options: PlaygroundOptions;
}

export const DEFAULT_OPTIONS: PlaygroundOptions = {
  nginxVersion: "latest",
  profile: "debian",
  context: "",
  includesFromEnvironment: true,
};

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

export async function encodeState(state: SharedState): Promise<string> {
  const params = new URLSearchParams();
  const o = state.options;
  if (o.nginxVersion !== DEFAULT_OPTIONS.nginxVersion) params.set("v", o.nginxVersion);
  if (o.profile !== DEFAULT_OPTIONS.profile) params.set("p", o.profile);
  if (o.context !== DEFAULT_OPTIONS.context) params.set("ctx", o.context);
  if (o.includesFromEnvironment !== DEFAULT_OPTIONS.includesFromEnvironment) params.set("env", o.includesFromEnvironment ? "1" : "0");
  const raw = new TextEncoder().encode(state.text);
  let code: string;
  if (typeof CompressionStream !== "undefined") code = "z." + toBase64Url(await pipe(raw, new CompressionStream("deflate-raw")));
  else code = "b." + toBase64Url(raw);
  // URLSearchParams would escape nothing in base64url, but keep `code` last for readability.
  const head = params.toString();
  return (head ? head + "&" : "") + "code=" + code;
}

const VERSIONS = ["1.22", "latest"] as const;
const PROFILES = ["debian", "openresty", "plain", "all"] as const;

/** The state a hash holds, or null if it holds none (or cannot be read). */
export async function decodeState(hash: string): Promise<SharedState | null> {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const code = params.get("code");
  if (!code) return null;
  let text: string;
  try {
    const [kind, data] = [code.slice(0, 2), code.slice(2)];
    const bytes = fromBase64Url(data);
    if (kind === "z.") text = new TextDecoder().decode(await pipe(bytes, new DecompressionStream("deflate-raw")));
    else if (kind === "b.") text = new TextDecoder().decode(bytes);
    else return null;
  } catch {
    return null;
  }
  const v = params.get("v");
  const p = params.get("p");
  const env = params.get("env");
  const options: PlaygroundOptions = {
    nginxVersion: (VERSIONS as readonly string[]).includes(v ?? "") ? (v as PlaygroundOptions["nginxVersion"]) : DEFAULT_OPTIONS.nginxVersion,
    profile: (PROFILES as readonly string[]).includes(p ?? "") ? (p as PlaygroundOptions["profile"]) : DEFAULT_OPTIONS.profile,
    context: params.get("ctx") ?? DEFAULT_OPTIONS.context,
    includesFromEnvironment: env === null ? DEFAULT_OPTIONS.includesFromEnvironment : env === "1",
  };
  return { text, options };
}
