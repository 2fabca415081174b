// Lints an nginx config every time it changes, the way an editor extension does, and prints LSP
// PublishDiagnosticsParams (0-based lines, UTF-16 characters) as one JSON line per run.
//
//   node examples/node/lint-on-change.mjs FILE [--once] [--nginx-version 1.22]
//
// Uses the Node build of the npm package (bash scripts/build-wasm makes wasm/pkg-node).
import { createRequire } from "node:module";
import { readFileSync, watch } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const ngxlint = require("../../wasm/pkg-node/ngxlint_wasm.js");

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
if (!file) {
  console.error("usage: lint-on-change.mjs FILE [--once] [--nginx-version 1.22|latest]");
  process.exit(2);
}
const versionAt = args.indexOf("--nginx-version");
const nginxVersion = versionAt >= 0 ? args[versionAt + 1] : "latest";
const path = resolve(file);
const SEVERITY = { error: 1, warning: 2, info: 3 };

function publish() {
  const text = readFileSync(path, "utf8");
  const { diagnostics } = ngxlint.analyze([{ path, text }], { nginxVersion, includesFromEnvironment: true });
  const params = {
    uri: pathToFileURL(path).href,
    diagnostics: diagnostics
      .filter((d) => d.file === path)
      .map((d) => ({
        range: {
          start: { line: d.line - 1, character: d.column - 1 },
          end: { line: d.endLine - 1, character: d.endColumn - 1 },
        },
        severity: SEVERITY[d.severity],
        code: d.code,
        codeDescription: undefined,
        source: "ngxlint",
        message: d.help ? `${d.message}\n${d.help}` : d.message,
      })),
  };
  console.log(JSON.stringify(params));
}

publish();
if (!args.includes("--once")) {
  let timer;
  watch(path, () => {
    clearTimeout(timer);
    timer = setTimeout(publish, 50); // editors debounce saves the same way
  });
}
