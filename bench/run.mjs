// `npm run bench [-- --quick] [-- --threads N]`: builds Hearth (the engine bundle the bench talks to), bundles
// bench/main.ts with esbuild (node-llama-cpp stays external, as in the product) and runs it. esbuild does not
// type-check, so the bench runs even while another part of the tree has a type error; `npx tsc -p .` covers bench/.
import * as esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cache = path.join(root, "bench", ".cache");
mkdirSync(cache, { recursive: true });

const build = spawnSync(process.execPath, [path.join(root, "esbuild.mjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
if (build.status !== 0) process.exit(build.status ?? 1);

const outfile = path.join(cache, "bench.cjs");
await esbuild.build({
    entryPoints: [path.join(root, "bench", "main.ts")],
    outfile,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "inline",
    external: ["node-llama-cpp", "vscode"],
    logLevel: "warning",
});

const run = spawnSync(process.execPath, ["--enable-source-maps", outfile, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(run.status ?? 1);
