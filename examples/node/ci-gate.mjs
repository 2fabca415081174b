// A CI gate on nginx config changes with the Node package: compares two checkouts of /etc/nginx,
// prints the risk level and the top findings with the check to run for each, and fails the job
// when the change is risky enough.
//
//   node examples/node/ci-gate.mjs OLD_DIR NEW_DIR [--fail-on high] [--target 1.22,latest] [--json]
//
// Exit status: 0 below --fail-on (default high), 1 at or above it, 2 usage or IO error. Under
// GitHub Actions (GITHUB_ACTIONS=true) findings above low are also printed as workflow
// annotations, on their line in NEW_DIR when they have one. Uses wasm/pkg-node (bash scripts/build-wasm).
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const require = createRequire(import.meta.url);
const ngxlint = require("../../wasm/pkg-node/ngxlint_wasm.js");

const LEVELS = ["low", "medium", "high", "critical"];
const ROOT = "/etc/nginx/";

function usage(message) {
  console.error(`ci-gate: ${message}\nusage: ci-gate.mjs OLD_DIR NEW_DIR [--fail-on low|medium|high|critical] [--target 1.22,latest] [--json]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  if (at + 1 >= args.length) usage(`${name} needs a value`);
  return args.splice(at, 2)[1];
};
const failOn = option("--fail-on", "high");
const targets = option("--target", "").split(",").filter(Boolean);
const json = args.includes("--json");
const dirs = args.filter((a) => a !== "--json");
if (dirs.length !== 2) usage("give OLD_DIR and NEW_DIR");
if (!LEVELS.includes(failOn)) usage(`unknown level "${failOn}"`);

// Every file of a checkout (dot files skipped), at /etc/nginx/<relative path>: both sides get the
// same paths, as on the machines.
function load(dir) {
  let files;
  try {
    files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)).split(sep).join("/"))
      .filter((rel) => !rel.split("/").some((part) => part.startsWith(".")))
      .sort()
      .map((rel) => ({ path: ROOT + rel, text: readFileSync(join(dir, rel), "utf8") }));
  } catch (e) {
    usage(`cannot read "${dir}": ${e.message}`);
  }
  if (!files.some((f) => f.path === ROOT + "nginx.conf")) usage(`"${dir}" has no nginx.conf`);
  return files;
}

const [oldDir, newDir] = dirs;
let report;
try {
  ({ report } = ngxlint.compare(load(oldDir), load(newDir), {
    options: { main: ROOT + "nginx.conf" },
    policy: { targets },
  }));
} catch (e) {
  usage(e.message); // e.g. an unknown target version
}

if (json) {
  console.log(JSON.stringify(report));
} else {
  console.log(`risk: ${report.level} (${report.score}/100), ${report.recommendation}`);
  for (const f of report.findings.slice(0, 5)) {
    console.log(`  ${f.code} ${f.rule} [${f.level}]: ${f.message}`);
    console.log(`    check: ${f.verify}`);
  }
}
if (process.env.GITHUB_ACTIONS === "true") {
  const escape = (s) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  for (const f of report.findings.filter((f) => f.level !== "low")) {
    // A refused config's finding has no after_at (v1): its position is the first error's.
    const at = f.after_at ?? (f.rule === "config-refused" ? report.after.first_error : null);
    const kind = f.level === "critical" ? "error" : "warning";
    const where = at ? `file=${join(newDir, at.file.slice(ROOT.length))},line=${at.line},col=${at.column},` : "";
    console.log(`::${kind} ${where}title=${f.code} ${f.rule}::${escape(f.message)}`);
  }
}
const failed = LEVELS.indexOf(report.level) >= LEVELS.indexOf(failOn);
if (failed && !json) console.log(`gate: failed (${report.level}, --fail-on ${failOn}): ${report.advice}`);
process.exit(failed ? 1 : 0);
