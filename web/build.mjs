// Builds the playground into dist/: index.html + playground.js (one IIFE bundle holding the
// analysis engine with the wasm inlined) + playground.css. Works from file:// and any static server.
//
//   node build.mjs                 build the wasm package into pkg/, then bundle
//   node build.mjs --skip-wasm     bundle the pkg/ that is there
//   node build.mjs --stub          bundle a toy stand-in for the wasm package (development only)
//   NGXLINT_WASM_BUILD=cargo       build with cargo + wasm-bindgen + wasm-opt instead of wasm-pack
//
// wasm-opt comes from node_modules/.bin (npm binaryen): Debian's binaryen breaks the module.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const web = dirname(fileURLToPath(import.meta.url));
const root = resolve(web, "..");
const pkg = join(web, "pkg");
const dist = join(web, "dist");
const args = new Set(process.argv.slice(2));
const bin = join(web, "node_modules", ".bin");
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

function run(cmd, argv, opts = {}) {
  console.log(`$ ${cmd} ${argv.join(" ")}`);
  const r = spawnSync(cmd, argv, { stdio: "inherit", env, cwd: root, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status}`);
}

function has(cmd) {
  return spawnSync(cmd, ["--version"], { env, stdio: "ignore" }).status === 0;
}

function buildWasm() {
  const how = process.env.NGXLINT_WASM_BUILD ?? (has("wasm-pack") ? "wasm-pack" : "cargo");
  rmSync(pkg, { recursive: true, force: true });
  if (how === "wasm-pack") {
    run("wasm-pack", ["build", "wasm", "--release", "--target", "web", "--out-dir", pkg, "--out-name", "ngxlint_wasm"]);
  } else {
    run("cargo", ["build", "-p", "ngxlint-wasm", "--release", "--target", "wasm32-unknown-unknown"]);
    const target = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, "target");
    run("wasm-bindgen", ["--target", "web", "--out-dir", pkg, "--out-name", "ngxlint_wasm",
      join(target, "wasm32-unknown-unknown", "release", "ngxlint_wasm.wasm")]);
    const wasm = join(pkg, "ngxlint_wasm_bg.wasm");
    run("wasm-opt", ["-O3", wasm, "-o", wasm]);
  }
}

function useStub() {
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(web, "stub", "ngxlint_wasm.js"), join(pkg, "ngxlint_wasm.js"));
  // An empty module: the stub never instantiates it, but the bundle inlines it like the real one.
  writeFileSync(join(pkg, "ngxlint_wasm_bg.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
}

const common = {
  bundle: true,
  format: "iife",
  target: ["es2022"],
  minify: !args.has("--no-minify"),
  legalComments: "none",
  logLevel: "warning",
  // wasm-bindgen's default init() resolves the .wasm from import.meta.url; we pass the bytes.
  logOverride: { "empty-import-meta": "silent" },
};

/**
 * `import c from "replay:09-listen-port-moved"` inlines a case of tests/replays/ (the repository's
 * replay suite, so the page's examples and the tests share one source): its case.json and both
 * sides' files under /etc/nginx/ (nginx.conf first). `replay:examples/outage` does the same for a
 * directory of the repository with before/ and after/, taking its title from its README and its
 * level and top rule from the `ngxlint diff` report it commits (expected.txt, checked by a CLI
 * test). Certificates and keys are left out: the analysis does not read them, and the page should
 * not carry private keys.
 */
const replays = join(root, "tests", "replays");
function sideFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p).split("\\").join("/");
      if (statSync(p).isDirectory()) {
        if (rel !== "certs") walk(p);
      } else out.push({ path: "/etc/nginx/" + rel, text: readFileSync(p, "utf8") });
    }
  };
  walk(dir);
  out.sort((a, b) => (a.path === "/etc/nginx/nginx.conf" ? -1 : b.path === "/etc/nginx/nginx.conf" ? 1 : a.path < b.path ? -1 : 1));
  return out;
}
function replayCase(id) {
  if (/^[\w-]+$/.test(id)) {
    const dir = join(replays, id);
    if (!existsSync(join(dir, "case.json"))) throw new Error(`no replay case ${id} in tests/replays`);
    const c = JSON.parse(readFileSync(join(dir, "case.json"), "utf8"));
    return { dir, value: { id, source: `tests/replays/${id}`, ...c } };
  }
  const dir = join(root, id);
  if (!/^[\w/-]+$/.test(id) || !existsSync(join(dir, "before")) || !existsSync(join(dir, "after"))) throw new Error(`no before/ and after/ in ${id}`);
  const readme = existsSync(join(dir, "README.md")) ? readFileSync(join(dir, "README.md"), "utf8") : "";
  const report = existsSync(join(dir, "expected.txt")) ? readFileSync(join(dir, "expected.txt"), "utf8") : "";
  const verdict = /^risk: (\w+) \((\d+)\/100\)/m.exec(report);
  const top = /^\s+\[\s*[\d.]+ \w+\s*\] RSK\d+ ([a-z-]+):/m.exec(report);
  if (!verdict) throw new Error(`${id}/expected.txt holds no "risk: LEVEL (N/100)" line`);
  return {
    dir,
    value: {
      id,
      source: id,
      title: /^# (.+)$/m.exec(readme)?.[1] ?? id,
      level: verdict[1].toLowerCase(),
      top_rule: top?.[1] ?? null,
      score_zero: verdict[2] === "0",
      why: "",
    },
  };
}
const replayPlugin = {
  name: "replay",
  setup(b) {
    b.onResolve({ filter: /^replay:/ }, (a) => ({ path: a.path.slice("replay:".length), namespace: "replay" }));
    b.onLoad({ filter: /.*/, namespace: "replay" }, (a) => {
      try {
        const { dir, value } = replayCase(a.path);
        const full = { ...value, before: sideFiles(join(dir, "before")), after: sideFiles(join(dir, "after")) };
        return { contents: JSON.stringify(full), loader: "json" };
      } catch (e) {
        return { errors: [{ text: e.message }] };
      }
    });
  },
};

async function bundle() {
  const engine = await esbuild.build({
    ...common,
    entryPoints: [join(web, "src", "worker.ts")],
    loader: { ".wasm": "binary" },
    write: false,
  });
  const engineSource = engine.outputFiles[0].text;
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  await esbuild.build({
    ...common,
    entryPoints: { playground: join(web, "src", "main.ts") },
    outdir: dist,
    plugins: [replayPlugin, {
      name: "worker-source",
      setup(b) {
        b.onResolve({ filter: /^worker-source$/ }, () => ({ path: "worker-source", namespace: "worker-source" }));
        b.onLoad({ filter: /.*/, namespace: "worker-source" }, () => ({ contents: engineSource, loader: "text" }));
      },
    }],
  });
  copyFileSync(join(web, "index.html"), join(dist, "index.html"));
}

function report() {
  const wasm = join(pkg, "ngxlint_wasm_bg.wasm");
  const line = (name, file) => {
    const bytes = readFileSync(file);
    console.log(`  ${name.padEnd(26)} ${String(bytes.length).padStart(9)} B   gzip ${String(gzipSync(bytes, { level: 9 }).length).padStart(8)} B`);
  };
  console.log("sizes:");
  line("pkg/ngxlint_wasm_bg.wasm", wasm);
  for (const f of ["playground.js", "playground.css", "index.html"]) line(`dist/${f}`, join(dist, f));
}

if (args.has("--stub")) useStub();
else if (!args.has("--skip-wasm")) buildWasm();
if (!existsSync(join(pkg, "ngxlint_wasm.js"))) throw new Error("web/pkg is missing: build the wasm package first");
await bundle();
report();
