// `npm run bench [-- --quick] [-- --threads N] …`: builds Hearth (the engine bundle the bench talks to), bundles
// bench/main.ts with esbuild (node-llama-cpp stays external, as in the product) and runs it. esbuild does not
// type-check, so the bench runs even while another part of the tree has a type error; `npx tsc -p .` covers bench/.
//
// `npm run bench -- --check` measures nothing: it says whether the committed results (bench/results.json and, if
// present, bench/results-gpu.json) were measured on a commit whose src/ or bench/ differ from HEAD's, and exits 1
// if so (npm test prints it at the end without failing).
import * as esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

if (process.argv.includes("--check")) process.exit(checkStale());

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

function git(...args) {
    const r = spawnSync("git", args, { cwd: root, encoding: "utf8" });
    return { ok: r.status === 0, out: (r.stdout ?? "").trim() };
}

/** 0 when every committed results file was measured on HEAD's src/ and bench/, 1 otherwise (printed either way). */
function checkStale() {
    let stale = false;
    for (const name of ["results.json", "results-gpu.json"]) {
        const file = path.join(root, "bench", name);
        if (!existsSync(file)) {
            if (name === "results.json") { console.log("bench --check: bench/results.json is missing; run npm run bench"); stale = true; }
            continue;
        }
        const { machine } = JSON.parse(readFileSync(file, "utf8"));
        const commit = machine?.commit;
        const when = machine?.date ? ` on ${machine.date.slice(0, 16).replace("T", " ")} UTC` : "";
        if (!commit || !git("cat-file", "-e", `${commit}^{commit}`).ok) {
            console.log(`bench --check: STALE bench/${name}: it records no commit this repository knows (${commit ?? "none"}); run npm run bench`);
            stale = true;
            continue;
        }
        const changed = git("diff", "--name-only", commit, "HEAD", "--", "src", "bench", ":(exclude)bench/results*").out.split("\n").filter(Boolean);
        const dirty = machine.cleanTree === false ? " (measured with uncommitted changes)" : "";
        if (changed.length) {
            stale = true;
            console.log(`bench --check: STALE bench/${name} was measured${when} on ${commit.slice(0, 10)}${dirty}; since then ${changed.length} file(s) `
                + `under src/ or bench/ changed (${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ", …" : ""}). Run npm run bench on a quiet machine.`);
        } else {
            if (dirty) stale = true;
            console.log(`bench --check: bench/${name} was measured${when} on ${commit.slice(0, 10)}${dirty}; src/ and bench/ are unchanged since.`);
        }
    }
    return stale ? 1 : 0;
}
