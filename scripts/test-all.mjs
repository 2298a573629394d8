// `npm test`: every suite in order, timing each, stopping at the first failure. Suites are listed once here;
// .ci/run runs `npm test` exactly as the README says.
import { spawnSync } from "node:child_process";

const suites = [
    { name: "lint", cmd: "npx eslint --no-error-on-unmatched-pattern src test bench" },
    { name: "typecheck + compile tests", cmd: "npx tsc -p ." },
    { name: "build", cmd: "node esbuild.mjs" },
    // llama-server + llama-bench from node-llama-cpp's llama.cpp source, for the suites that run llama.cpp itself (server
    // backend, bench). Cached per machine and llama.cpp commit: seconds when cached, about 8 minutes cold on 2 cores.
    { name: "llama.cpp tools", cmd: "node scripts/llama-cpp-tools.mjs" },
    { name: "unit", cmd: "npx mocha --config test/.mocharc.unit.json" },
    { name: "bootstrap (a temporary clone without node_modules: npm start/test/bench run npm ci first)", cmd: "npx mocha --config test/.mocharc.bootstrap.json" },
    // Zero egress (scripts/egress.mjs): the engine and in-host suites run in a network namespace with only loopback,
    // and every socket their processes open is recorded by strace; any address outside loopback fails the suite.
    { name: "engine integration (real engine process, real GGUF fixtures)", cmd: 'node scripts/egress.mjs --label "engine integration" -- npx mocha --config test/.mocharc.engine.json' },
    // The OpenAI-compatible server backend: misbehaving local servers, and a real llama-server built from the
    // llama.cpp source node-llama-cpp ships.
    { name: "server backend (bad servers, real llama-server)", cmd: "npx mocha --config test/.mocharc.server.json" },
    { name: "package (linux-x64 VSIX: contents, engine from the unpacked extension)", cmd: "npx mocha --config test/.mocharc.package.json" },
    // Node 24, code-server and Chromium in .tools/ (first run on a fresh machine only; under a second afterwards).
    { name: "workbench tools", cmd: "node scripts/install-tools.mjs" },
    { name: "in-host (mocha inside the VS Code extension host on code-server)", cmd: "node scripts/egress.mjs --label in-host --hearth extension-host -- node test/host/runHostTests.mjs", needsTools: true },
    { name: "e2e (packaged VSIX in code-server, driven in Chromium)", cmd: "npx mocha --config test/.mocharc.e2e.json", needsTools: true },
    // Smoke run of the benchmarks (goals reported, not enforced); results go to the cache, not over bench/results.*.
    { name: "bench smoke (npm run bench -- --quick)", cmd: "npm run bench -- --quick --out-dir bench/.cache/smoke" },
];

const only = process.argv.slice(2);
const timings = [];
let failed;
const selected = (suite) => !only.length || only.some((o) => suite.name.startsWith(o));
// `npm test -- e2e` still installs the workbench tools first when they are missing (a fresh clone).
const toolsNeeded = suites.some((s) => s.needsTools && selected(s));
for (const suite of suites) {
    if (!selected(suite) && !(suite.name === "workbench tools" && toolsNeeded)) continue;
    console.log(`\n=== ${suite.name}: ${suite.cmd}`);
    const started = Date.now();
    const r = spawnSync(suite.cmd, { shell: true, stdio: "inherit", env: process.env });
    const seconds = (Date.now() - started) / 1000;
    timings.push({ suite: suite.name, seconds, ok: r.status === 0 });
    if (r.status !== 0) { failed = suite.name; break; }
}
console.log("\n=== time per suite");
for (const t of timings) console.log(`${t.ok ? "ok  " : "FAIL"} ${t.seconds.toFixed(1).padStart(7)} s  ${t.suite}`);
const total = timings.reduce((n, t) => n + t.seconds, 0);
console.log(`total ${total.toFixed(1)} s`);
// Whether the committed full bench results still describe this code (informational: never fails npm test).
console.log("\n=== bench freshness (npm run bench -- --check)");
spawnSync("node bench/run.mjs --check", { shell: true, stdio: "inherit", env: process.env });
// One plain closing line for CI: suites that passed and failed (each suite prints its own test counts above).
console.log(`\nsuites: ${timings.filter((t) => t.ok).length} passed, ${timings.filter((t) => !t.ok).length} failed`);
if (failed) {
    console.error(`\nnpm test failed in: ${failed}`);
    process.exit(1);
}
