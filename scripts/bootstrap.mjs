#!/usr/bin/env node
// First step of `npm start`, `npm test` and `npm run bench` (package.json chains it before each): makes a fresh clone
// work with nothing installed. When node_modules is missing or does not match package-lock.json it says why and runs
// `npm ci`; otherwise it returns at once (it only reads the installed packages' package.json files, ~50 ms).
// It imports nothing but Node's own modules, since it runs before any dependency is there.
//
//   node scripts/bootstrap.mjs           check node_modules, run `npm ci` when needed
//   node scripts/bootstrap.mjs --check   report only: exit 1 with the reason when `npm ci` is needed
//
// The workbench tools in .tools/ (Node 24, code-server) are installed the same way, by scripts/install-tools.mjs,
// where they are needed: `npm test` before its in-host and end-to-end suites, `npm start` before it opens the
// code-server workbench.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Why `npm ci` is needed in repoRoot, or undefined when node_modules holds every locked package at its locked
 * version. Optional packages (other platforms' binaries, optional native add-ons that failed to build) may be absent,
 * as `npm ci` itself leaves them out, but when present they must match too.
 */
export function dependenciesProblem(repoRoot) {
    const lockFile = path.join(repoRoot, "package-lock.json");
    if (!existsSync(lockFile)) return "package-lock.json is missing (this checkout is incomplete)";
    if (!existsSync(path.join(repoRoot, "node_modules"))) return "node_modules is missing";
    let lock;
    try {
        lock = JSON.parse(readFileSync(lockFile, "utf8"));
    } catch (err) {
        return `package-lock.json cannot be read (${err instanceof Error ? err.message : String(err)})`;
    }
    for (const [location, entry] of Object.entries(lock.packages ?? {})) {
        // "" is the project itself; links point into the project.
        if (!location || entry.link) continue;
        const name = location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length);
        let installed;
        try {
            installed = JSON.parse(readFileSync(path.join(repoRoot, location, "package.json"), "utf8")).version;
        } catch {
            installed = undefined;
        }
        if (installed === entry.version) continue;
        if (installed === undefined && entry.optional) continue;
        return installed === undefined
            ? `node_modules does not match package-lock.json (${name} ${entry.version} is not installed)`
            : `node_modules does not match package-lock.json (${name} ${installed} is installed, ${entry.version} is locked)`;
    }
    return undefined;
}

/** npm itself: the one running this script (npm_execpath) when started from an npm script, else `npm` on PATH. */
function npmCommand() {
    const execPath = process.env.npm_execpath;
    if (execPath && /npm-cli\.c?js$/.test(execPath)) return { cmd: process.execPath, args: [execPath] };
    return { cmd: process.platform === "win32" ? "npm.cmd" : "npm", args: [], shell: process.platform === "win32" };
}

/** Runs `npm ci` when needed; returns false (after saying what to do) when it failed. */
export function ensureDependencies(repoRoot, log = (line) => console.log(`[bootstrap] ${line}`)) {
    const problem = dependenciesProblem(repoRoot);
    if (!problem) return true;
    log(`${problem}: running npm ci (once; about a minute on a fresh clone)`);
    const started = Date.now();
    const npm = npmCommand();
    const r = spawnSync(npm.cmd, [...npm.args, "ci", "--no-audit", "--no-fund"], { cwd: repoRoot, stdio: "inherit", shell: npm.shell });
    if (r.error || r.status !== 0) {
        console.error(`[bootstrap] npm ci failed (${r.error ? r.error.message : `exit code ${r.status}`}). It needs the npm registry ` +
            "(or a filled npm cache); fix the error above and run the command again.");
        return false;
    }
    const still = dependenciesProblem(repoRoot);
    if (still) {
        console.error(`[bootstrap] after npm ci, ${still}. Check package.json against package-lock.json (npm install updates the lock).`);
        return false;
    }
    log(`dependencies installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
    if (process.argv.includes("--check")) {
        const problem = dependenciesProblem(repoRoot);
        if (problem) {
            console.error(`[bootstrap] ${problem}: run npm ci`);
            process.exit(1);
        }
    } else if (!ensureDependencies(repoRoot)) {
        process.exit(1);
    }
}
